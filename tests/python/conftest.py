# SPDX-License-Identifier: Apache-2.0
"""pytest options of the Python tests (tests/registry.txt passes them per python.* entry):
--build (default $BUILD, else build/), --seed, and the options of single files (--inputs,
--seeds, --n, --backend, --models, --arch, --aimc, --keep). Tests read them from khtest.OPTS."""

import os

import khtest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pytest_addoption(parser):
    g = parser.getgroup("kirchhoff")
    g.addoption("--build", default=os.environ.get("BUILD") or os.path.join(ROOT, "build"),
                help="build folder (default $BUILD, else build/)")
    g.addoption("--seed", type=int, default=1)
    g.addoption("--keep", default=None, help="keep the test files in this folder")
    g.addoption("--aimc", default=None, help="C CLI (default BUILD/sw/aimc)")
    g.addoption("--inputs", type=int, default=8, help="test_tflite_import: inputs per model")
    g.addoption("--seeds", default="1:41", help="test_tflite_import: synthetic model seeds a:b")
    g.addoption("--n", type=int, default=8, help="test_graph_run: inputs per model")
    g.addoption("--backend", choices=["cmodel", "verilator"], default="cmodel",
                help="test_graph_run: the simulator")
    g.addoption("--models", default=None, help="test_graph_run: comma-separated model names")
    g.addoption("--arch", type=int, default=1, help="test_graph_run: aimc run --arch")


def pytest_configure(config):
    o = khtest.OPTS
    for k in ("seed", "keep", "inputs", "seeds", "n", "backend", "models", "arch"):
        setattr(o, k, config.getoption(k))
    o.build = os.path.abspath(config.getoption("build"))
    o.aimc = config.getoption("aimc") or os.path.join(o.build, "sw", "aimc")
    os.environ["BUILD"] = o.build  # the tests' subprocesses (make, tools) build into the same folder
