#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16: counters that wrap. ice40 has 16-bit event counters (counter_bits 16); a run of the
# digits MLP (100 samples) counts past 2^16, so `aimc run` must read them often enough (after
# every batch) to report the same counts as the same chip with 32-bit counters
# (tests/system/ice40_c32.cfg), on the C model and on the Verilator models of both.
# Usage: tests/system/robust_counters.sh [BUILD]   (needs make vl CONFIG=ice40 and
# CONFIG=tests/system/ice40_c32.cfg for the Verilator half)
set -u
build=${1:-${BUILD:-build}}
py=${PYTHON:-.venv/bin/python}
case $py in /*) ;; */*) py=$PWD/$py ;; esac  # selftest_net.sh runs it from sw/python
dir=$build/tests/robust_counters
mkdir -p "$dir"
pass=0; fail=0
PYTHON=$py tests/system/selftest_net.sh "$build/sw/aimc" configs/ice40.cfg "$dir/net" >/dev/null ||
  { echo "FAIL setup: the digits network for ice40 was not written"; exit 1; }
compare() { # name, report of the 16-bit chip, report of the 32-bit chip, need cycles (0/1)
  local out
  out=$("$py" - "$2" "$3" "$4" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ["instrs", "mvms", "convs", "adc_convs", "sats", "prog_rows", "reads", "stalls"]
bad = [f"{k} {a['counters'][k]} vs {b['counters'][k]}" for k in keys
       if a["counters"][k] != b["counters"][k]]
if a["cycles"] != b["cycles"]:
    bad.append(f"cycles {a['cycles']} vs {b['cycles']}")
if b["counters"]["adc_convs"] < 1 << 16:
    bad.append(f"the run counts only {b['counters']['adc_convs']} conversions: no wrap to test")
if sys.argv[3] == "1" and b["cycles"] < 1 << 16:
    bad.append(f"only {b['cycles']} cycles: no wrap to test")
print("; ".join(bad))
PY
)
  if [ -z "$out" ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1: 16-bit vs 32-bit: $out"; fail=$((fail + 1)); fi
}
# 100 of the 360 test images (64 bytes each): about 2.4 M cycles, 37 wraps of 2^16
head -c 6400 "$dir/net/test_inputs.i8" > "$dir/x100.i8"
run() { # binary, backend, config, report
  "$1" run --config "$3" --backend "$2" --net "$dir/net/net.khnf" --inputs "$dir/x100.i8" \
    --out "$dir/y.i8" --report "$4" >"$dir/run.log" 2>&1 ||
    { echo "FAIL run $3 on $2: $(tail -3 "$dir/run.log" | tr '\n' ' ')"; fail=$((fail + 1)); return 1; }
}
if run "$build/sw/aimc" cmodel configs/ice40.cfg "$dir/cm16.json" &&
   run "$build/sw/aimc" cmodel tests/system/ice40_c32.cfg "$dir/cm32.json"; then
  compare "C model: 16-bit counters summed per batch equal 32-bit ones" "$dir/cm16.json" "$dir/cm32.json" 0
fi
vl16=$build/ice40/vl/aimc-vl vl32=$build/ice40_c32/vl/aimc-vl
if [ -x "$vl16" ] && [ -x "$vl32" ]; then
  if run "$vl16" verilator configs/ice40.cfg "$dir/vl16.json" &&
     run "$vl32" verilator tests/system/ice40_c32.cfg "$dir/vl32.json"; then
    compare "Verilator: 16-bit counters summed per batch equal 32-bit ones" "$dir/vl16.json" "$dir/vl32.json" 1
  fi
else
  echo "SKIP Verilator half: $vl16 or $vl32 not built"
fi
echo "robust_counters: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
