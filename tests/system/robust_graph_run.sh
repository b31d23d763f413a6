#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16: `aimc run` on a version-3 graph (run_graph) with cut counters. A one-FC graph (a
# synthetic TFLite model, tools/tflite_synth.py) runs 6000 samples (about 96,000 conversions, past
# 2^16) on the C model of ice40 (16-bit counters) and of tests/system/ice40_c32.cfg (the same chip
# with 32-bit counters): the counters of the two reports are equal, and the outputs equal
# `aimc forward`. --out goes through cli_write_file: a missing folder is exit 1 with the OS reason,
# and nothing is written.
# Usage: tests/system/robust_graph_run.sh [BUILD]
set -u
build=${1:-${BUILD:-build}}
py=${PYTHON:-.venv/bin/python}
aimc=$build/sw/aimc
dir=$build/tests/robust_graph_run
rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"; else fail=$((fail + 1)); echo "FAIL $1: $3"; fi; }
"$py" - "$dir" <<'PY' || { echo "FAIL setup: the model was not written"; exit 1; }
import os, sys
import numpy as np
root = os.getcwd()
for p in ("sw/python", "tools", "tests/python"):
    sys.path.insert(0, os.path.join(root, p))
import tflite_synth as ts
import test_graph_forward as tgf
from kirchhoff import graphfile as gf, tflite_import as ti
d = sys.argv[1]
m = os.path.join(d, "fc.tflite")
open(m, "wb").write(ts.fc_probe_model(0.05, 0.02, 0.1, [3, -7, 100, -250], weights=[5, -9, 127, -127]))
g = ti.import_model(m)
open(os.path.join(d, "fc.khnf"), "wb").write(
    tgf.with_eff_scale(gf.graph_to_bytes(g), g, tgf.eff_scales(m, g)))
np.random.default_rng(3).integers(-128, 128, size=(6000, g.tensors[0].size),
                                  dtype=np.int8).tofile(os.path.join(d, "x.i8"))
PY
"$aimc" forward --net "$dir/fc.khnf" --inputs "$dir/x.i8" --out "$dir/ref.i8" > /dev/null ||
  { echo "FAIL setup: aimc forward"; exit 1; }
for c in configs/ice40.cfg tests/system/ice40_c32.cfg; do
  n=$(basename "$c" .cfg)
  "$aimc" run --config "$c" --backend cmodel --net "$dir/fc.khnf" --inputs "$dir/x.i8" \
    --out "$dir/$n.i8" --report "$dir/$n.json" > "$dir/$n.log" 2>&1
  check "run $n: exit 0" $? "$(tail -3 "$dir/$n.log")"
  cmp -s "$dir/ref.i8" "$dir/$n.i8"
  check "run $n: outputs equal aimc forward" $? "differ"
done
out=$("$py" - "$dir/ice40.json" "$dir/ice40_c32.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["counters"] for p in sys.argv[1:3])
bad = [f"{k} {a[k]} vs {b[k]}" for k in ("instrs", "mvms", "convs", "adc_convs", "sats", "prog_rows", "reads")
       if a[k] != b[k]]
bad += [f"tile 0 {k} {a['tiles']['0'][k]} vs {b['tiles']['0'][k]}" for k in ("mvms", "reads", "adc_convs")
        if a["tiles"]["0"][k] != b["tiles"]["0"][k]]
if b["adc_convs"] < 1 << 16:
    bad.append(f"only {b['adc_convs']} conversions: no wrap to test")
print("; ".join(bad))
PY
)
[ -z "$out" ]
check "16-bit counters summed per sample equal the 32-bit chip's" $? "$out"
"$aimc" run --config configs/ice40.cfg --backend cmodel --net "$dir/fc.khnf" --inputs "$dir/x.i8" \
  --out "$dir/no/such/dir/y.i8" > "$dir/nodir.log" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "No such file or directory" "$dir/nodir.log"
check "--out in a missing folder: exit 1 with the OS reason" $? "exit $rc: $(cat "$dir/nodir.log" | tail -2)"
echo "robust_graph_run: $pass passed, $fail failed"
[ "$fail" = 0 ]
