#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""graph.run.*: the MLPerf Tiny models on the chip (`aimc run` on a version-3 file: the graph
compiler's resident placement and the executor, sw/src/graph_compile.c and graph_run.c) against
the C reference graph pass (`aimc forward`, sw/src/graph_ref.c), bit for bit, on the ideal edge
config (configs/edge_ideal.cfg); with --backend verilator the same on the RTL, the outputs also
equal to the C model's. The RTL runs move buffer data through the Verilator model's backdoor
(--backdoor), as make sim and the regression do for a config of 2^20 cells (edge_ideal's size);
the bus path of a graph run is tested by sim.backdoor.net.tiny16 (frontdoor = backdoor).

Each model goes through the importer (kirchhoff.tflite_import, graphfile; with_eff_scale of
tests/python/test_graph_forward.py leaves the importer's FC eff_scale arrays as written), n
seeded random int8 inputs (-128 included), and (C model) three networks the MLPerf tests never saw
(tools/tflite_synth.py --arch resnet|mobilenet|dscnn). The run report (--report) is checked: every weight
resident on at most num_tiles tiles, per-node counters summing to the totals, one setup.

  test_graph_run.py [--build DIR] [--backend cmodel|verilator] [--models a,b] [--n N] [--seed N]
Exit 0 pass, 1 fail (each failure prints the rerun command), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

import test_graph_forward as tgf
from khtest import OPTS
from kirchhoff import graphfile as gf
from kirchhoff import tflite_import as ti
from kirchhoff import tflite_ref as tr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"]
CONFIG = os.path.join(ROOT, "configs", "edge_ideal.cfg")

failures = 0


def report(ok: bool, name: str, detail: str, rerun: str) -> None:
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {detail}\n  rerun: {rerun}")


def net_file(model: str, path: str) -> None:
    g = ti.import_model(model)
    data = tgf.with_eff_scale(gf.graph_to_bytes(g), g, tgf.eff_scales(model, g))
    with open(path, "wb") as f:
        f.write(data)


def first_diff(y: np.ndarray, ref: np.ndarray) -> str:
    bad = np.argwhere(y != ref)
    if not bad.size:
        return ""
    s, j = bad[0]
    return (f"{len(bad)} of {ref.size} outputs differ; first: input {s}, output {j}: "
            f"{int(y[s, j])} vs {int(ref[s, j])}")


def check_report(name: str, rep: dict, n: int, rerun: str) -> None:
    nodes = rep["node"]
    chip = [v for v in nodes.values() if v["on_chip"]]
    ok = (rep["pass"] and rep["samples"] == n and rep["tiles_used"] <= rep["num_tiles"] and
          rep["weights"] == sum(v["weights"] for v in chip) and
          rep["chip_runs"] == sum(v["runs"] for v in chip) and
          all(v["vectors"] == n * v["vectors_per_sample"] for v in chip) and
          rep["counters"]["mvms"] >= sum(v["mvms"] for v in chip) and
          sum(v["mvms"] for v in chip) == n * sum(v["mvms_per_sample"] for v in chip) and
          rep["prog_loads"] == 0 and rep["setup_prog_rows"] > 0)
    report(ok, f"{name}: report (resident on {rep['tiles_used']} tiles, utilization "
           f"{100 * rep['utilization']:.1f} %, {rep['cycles_per_inference']} cycles/inference, "
           f"{rep['wall_s_per_inference']:.3f} s/inference)",
           "report fields disagree: " + json.dumps({k: rep[k] for k in (
               "samples", "tiles_used", "weights", "chip_runs", "prog_loads",
               "setup_prog_rows")}), rerun)


def run_model(m: str, a, aimc: str, runner: str, work: str, rerun: str, idx: int,
              model: str = "", n: int = 0) -> None:
    model = model or os.path.join(ROOT, "models", "mlperf-tiny", m + ".tflite")
    n = n or a.n
    net = os.path.join(work, m + ".khnf")
    try:
        net_file(model, net)
    except Exception as e:  # noqa: BLE001 - any importer error fails this model
        report(False, m, f"import: {e}", rerun)
        return
    n_in, _ = tr.io_lengths(model)
    x = np.random.default_rng([a.seed, idx]).integers(-128, 128, size=(n, n_in)).astype(np.int8)
    x[0, 0] = -128
    xin, yref, ychip = (os.path.join(work, m + s) for s in (".x.i8", ".ref.i8", ".chip.i8"))
    rep_path = os.path.join(work, m + ".json")
    x.tofile(xin)
    p = subprocess.run([aimc, "forward", "--net", net, "--inputs", xin, "--out", yref],
                       capture_output=True, text=True)
    if p.returncode != 0:
        report(False, m, f"aimc forward exit {p.returncode}: {p.stderr.strip()}", rerun)
        return
    t0 = time.monotonic()
    door = ["--backdoor"] if a.backend == "verilator" else []
    p = subprocess.run([runner, "run", "--config", CONFIG, "--backend", a.backend, "--net", net,
                        "--inputs", xin, "--out", ychip, "--report", rep_path] + door,
                       capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        report(False, m, f"aimc run exit {p.returncode}: {p.stderr.strip()[-400:]}", rerun)
        return
    ref = np.fromfile(yref, np.int8).reshape(n, -1)
    y = np.fromfile(ychip, np.int8).reshape(n, -1)
    report(np.array_equal(y, ref), f"{m}: {a.backend} on edge_ideal, {n} inputs, {ref.size} "
           f"outputs bit-exact with aimc forward ({wall:.1f} s)", first_diff(y, ref), rerun)
    if a.backend == "verilator":
        # the RTL also equals the C model's run of the same inputs
        ycm = os.path.join(work, m + ".cm.i8")
        p = subprocess.run([aimc, "run", "--config", CONFIG, "--backend", "cmodel", "--net", net,
                            "--inputs", xin, "--out", ycm], capture_output=True, text=True)
        ok = p.returncode == 0 and np.array_equal(np.fromfile(ycm, np.int8).reshape(n, -1), y)
        report(ok, f"{m}: RTL == C model", f"exit {p.returncode}" if p.returncode else
               first_diff(y, np.fromfile(ycm, np.int8).reshape(n, -1)), rerun)
    with open(rep_path) as f:
        check_report(m, json.load(f), n, rerun)


def _main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--backend", choices=["cmodel", "verilator"], default="cmodel")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="keep the files in this folder")
    ap.add_argument("--arch", type=int, default=1,
                    help="1: also the unseen synthetic ResNet/MobileNet/DS-CNN (C model only)")
    a = ap.parse_args(argv)
    models = a.models.split(",")
    if a.n < 1 or any(m not in MODELS for m in models):
        ap.error(f"--n >= 1 and --models from {','.join(MODELS)}")
    aimc = os.path.join(a.build, "sw", "aimc")
    runner = aimc if a.backend == "cmodel" else os.path.join(a.build, "edge_ideal", "vl", "aimc-vl")
    for exe in (aimc, runner):
        if not os.access(exe, os.X_OK):
            print(f"test_graph_run: {exe} not built (make sw / make vl CONFIG=edge_ideal)",
                  file=sys.stderr)
            return 2
    rerun = (f"{sys.executable} {os.path.relpath(__file__, ROOT)} --build {a.build} --backend "
             f"{a.backend} --models {a.models} --n {a.n} --seed {a.seed}")
    print(f"# {rerun}")
    work = a.keep or tempfile.mkdtemp(prefix="graph_run.")
    os.makedirs(work, exist_ok=True)
    for m in models:
        run_model(m, a, aimc, runner, work, rerun, MODELS.index(m))
    # networks the tests of the MLPerf models never saw (tools/tflite_synth.py --arch: ResNet-14,
    # a MobileNetV1-style net at 64x64, a 5-block DS-CNN; random weights), 2 inputs each
    if a.backend == "cmodel" and a.arch:
        import tflite_synth as ts
        for i, arch in enumerate(["resnet", "mobilenet", "dscnn"]):
            model = os.path.join(work, f"arch_{arch}.tflite")
            with open(model, "wb") as f:
                f.write(ts.arch_model(arch, a.seed))
            run_model(f"arch_{arch}", a, aimc, runner, work, rerun, 10 + i, model, 2)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'PASS' if failures == 0 else 'FAIL'}: {failures} failures")
    return 1 if failures else 0


def test_graph_run():
    """aimc run of imported models == the numpy oracle, outputs and counters"""
    argv = ["--build", OPTS.build, "--backend", OPTS.backend, "--n", str(OPTS.n), "--seed", str(OPTS.seed),
            "--arch", str(OPTS.arch)]
    argv += (["--models", OPTS.models] if OPTS.models else []) + (["--keep", OPTS.keep] if OPTS.keep else [])
    assert _main(argv) == 0

