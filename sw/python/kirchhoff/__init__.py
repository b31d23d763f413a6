# SPDX-License-Identifier: Apache-2.0
"""Kirchhoff Python tooling: load data, train an MLP, quantize it to the chip's int8 arithmetic
(docs/numbers.md) and export it as a network file (docs/network-format.md).

The submodules load on first use (PEP 562), so that `from kirchhoff import atomic` (the file
writer of the tools, tools/run_tests.py included) needs neither numpy nor scikit-learn."""

import importlib

__all__ = ["atomic", "data", "export", "pipeline", "quantize", "train"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
