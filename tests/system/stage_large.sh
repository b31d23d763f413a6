#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The v1/v2 compiler on the `large` geometry (issue 15): a 64-32-10 MLP (the digits MLP's shape,
# seeded random weights) needs two 1024x1024 blocks, the weight buffer holds one. The resident
# setup stages them through the buffer (aimc_image.stage_blocks): `aimc compile` places it,
# `aimc run` on the C model equals `aimc forward` bit for bit on an ideal copy of the geometry
# (tests/system/large_ideal.cfg) and runs on large itself (noisy).
set -u
aimc=${BUILD:-build}/sw/aimc
py=${PYTHON:-.venv/bin/python}
dir=${BUILD:-build}/tests/stage_large; rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
check() { # name, condition-exit-code, detail
  if [ "$2" -eq 0 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1: $3"; fail=$((fail + 1)); fi
}
"$py" - "$dir" <<'PY' || { echo "FAIL make net"; exit 1; }
import os, sys
import numpy as np
sys.path.insert(0, os.path.join("sw", "python"))
from kirchhoff.export import write_net
from kirchhoff.quantize import QLayer, QNet
rng = np.random.default_rng(15)
layers = []
for j, (k, n) in enumerate([(64, 32), (32, 10)]):
    layers.append(QLayer(w=rng.integers(-127, 128, size=(n, k)), bias=rng.integers(-3000, 3000, size=n),
                         mult=rng.integers(1 << 30, 1 << 31, size=n), shift=np.full(n, 40),
                         relu=j == 0, adc_shift=0))
write_net(os.path.join(sys.argv[1], "mlp.khnf"), QNet(layers=layers, in_scale=0.05))
rng.integers(-127, 128, size=(20, 64), dtype=np.int8).tofile(os.path.join(sys.argv[1], "x.i8"))
PY
out=$("$aimc" compile --config large --net "$dir/mlp.khnf" 2>&1); rc=$?
grep -q "weights resident" <<<"$out" && grep -q "staged through the weight buffer" <<<"$out"; check "compile on large: resident, staged (was: does not fit)" $((rc + $?)) "exit $rc: $(head -3 <<<"$out")"
"$aimc" forward --net "$dir/mlp.khnf" --inputs "$dir/x.i8" --out "$dir/ref.i8" >/dev/null 2>&1
check "forward" $? "aimc forward failed"
out=$("$aimc" run --config tests/system/large_ideal.cfg --net "$dir/mlp.khnf" --inputs "$dir/x.i8" --out "$dir/ideal.i8" 2>&1); rc=$?
check "run on the large geometry (ideal, C model)" $rc "exit $rc: $(head -3 <<<"$out")"
cmp -s "$dir/ref.i8" "$dir/ideal.i8"; check "run == forward bit for bit" $? "outputs differ"
"$py" -c "
import numpy as np, sys
y = np.fromfile('$dir/ref.i8', dtype=np.int8)
sys.exit(0 if len(np.unique(y)) >= 8 else 1)"; check "outputs spread (the comparison means something)" $? "few distinct outputs"
out=$("$aimc" run --config large --net "$dir/mlp.khnf" --inputs "$dir/x.i8" --out "$dir/noisy.i8" 2>&1); rc=$?
check "run on large (noisy, C model)" $rc "exit $rc: $(head -3 <<<"$out")"
echo "stage_large: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
