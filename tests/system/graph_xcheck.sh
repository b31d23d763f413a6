#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A version-3 graph (a synthetic TFLite int8 model of tools/tflite_synth.py: CONV, pools, FC, ...)
# through `aimc run` on the RTL of tiny16 (16 tiles of 16x8: row blocks on many tiles summed with
# ACCADD) live on Verilator with the bus trace recorded, replayed on Icarus (tools/xcheck.sh:
# identical reads and cycle counts), and the outputs equal to `aimc forward` (the C reference).
# CONFIG (default tiny16) names another config, e.g. tests/system/small_lanes16.cfg (tile_overlap:
# the graph compiler's MVM-before-POST order on the overlapped tiles).
set -u
build=${BUILD:-build}
config=${CONFIG:-tiny16}
py=${PYTHON:-.venv/bin/python}
dir=$build/tests/graph_xcheck; rm -rf "$dir"; mkdir -p "$dir"
"$py" - "$dir" <<'PY' || { echo "FAIL make model"; exit 1; }
import os, sys
import numpy as np
root = os.getcwd()
for p in ("sw/python", "tools", "tests/python"):
    sys.path.insert(0, os.path.join(root, p))
import tflite_synth as ts
import test_graph_forward as tgf
from kirchhoff import graphfile as gf, tflite_import as ti
d = sys.argv[1]
m = os.path.join(d, "synth1.tflite")
open(m, "wb").write(ts.random_model(1))
g = ti.import_model(m)
open(os.path.join(d, "synth1.khnf"), "wb").write(
    tgf.with_eff_scale(gf.graph_to_bytes(g), g, tgf.eff_scales(m, g)))
x = np.random.default_rng(3).integers(-128, 128, size=(1, g.tensors[0].size), dtype=np.int8)
x[0, 0] = -128
x.tofile(os.path.join(d, "x.i8"))
PY
"$build/sw/aimc" forward --net "$dir/synth1.khnf" --inputs "$dir/x.i8" --out "$dir/ref.i8" >/dev/null \
  || { echo "FAIL aimc forward"; exit 1; }
tools/xcheck.sh --config "$config" --seed 1 --build "$build" --name "graph-$(basename "$config" .cfg)" -- run \
  --net "$dir/synth1.khnf" --inputs "$dir/x.i8" --out "$dir/rtl.i8" || exit 1
if cmp -s "$dir/ref.i8" "$dir/rtl.i8"; then
  echo "PASS graph on the RTL (Verilator == Icarus) == aimc forward"
else
  echo "FAIL graph on the RTL differs from aimc forward"; exit 1
fi
