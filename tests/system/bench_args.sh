#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench`'s program: bad flags exit 2 with a message naming the flag and write no report; a
# short run on small tiles writes a report whose target fields agree with its own rows.
set -u
build=${BUILD:-build}
make -s "$build/bench/aimc_bench" BUILD="$build" || { echo "FAIL bench_build: make $build/bench/aimc_bench"; exit 1; }
bench=$build/bench/aimc_bench
dir=$build/tests/bench_args; rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
expect() { # name, expected exit, message regex, args...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$(OPENBLAS_NUM_THREADS=1 "$bench" --out "$dir/$name.json" "$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out" && { [ "$want" -eq 0 ] || [ ! -e "$dir/$name.json" ]; }; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: expected exit $want and /$re/ (and no report on error), got exit $rc: $(head -3 <<<"$out")"
    fail=$((fail + 1))
  fi
}
expect min_time_zero     2 "--min-time must be in \(0, 60\]" --min-time 0
expect min_time_text     2 "--min-time must be in"            --min-time fast
expect sizes_not_mult4   2 "--sizes wants N,N"                --sizes 18
expect sizes_too_big     2 "--sizes wants N,N"                --sizes 2048
expect sizes_empty_item  2 "--sizes wants N,N"                --sizes 16,,32
expect sizes_nine        2 "at most 8 sizes"                  --sizes 4,8,12,16,20,24,28,32,36
expect seed_text         2 "bad --seed 'x1'"                  --seed x1
expect unknown_flag      2 "usage: aimc_bench"                --threads 4
expect missing_value     2 "usage: aimc_bench"                --sizes
out=$(OPENBLAS_NUM_THREADS=1 "$bench" --out "$dir/no/such/dir/b.json" --sizes 8 --min-time 0.01 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -q "cannot write $dir/no/such/dir/b.json" <<<"$out"; then
  echo "PASS unwritable_report"; pass=$((pass + 1))
else
  echo "FAIL unwritable_report: expected exit 1 and 'cannot write', got exit $rc: $(tail -2 <<<"$out")"; fail=$((fail + 1))
fi
expect short_run         0 "target: 8-bit DAC within 3x of sgemv at every size: (met|NOT met)" --sizes 16,32 --min-time 0.01
if "${PYTHON:-.venv/bin/python}" - "$dir/short_run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = r["results"]
assert [(x["n"], x["dac_bits"]) for x in rows] == [(16, 8), (16, 1), (32, 8), (32, 1)], rows
for x in rows:
    assert x["model_us_per_mvm"] > 0 and x["sgemv_us"] > 0, x
    assert abs(x["ratio"] - x["model_us_per_mvm"] / x["sgemv_us"]) < 1e-2 * x["ratio"], x
worst = max(x["ratio"] for x in rows if x["dac_bits"] == 8)
assert abs(r["worst_ratio_dac8"] - worst) < 2e-3, (r["worst_ratio_dac8"], worst)
assert r["target_ratio"] == 3 and r["target_met"] == (worst <= 3), r
PY
then echo "PASS short_run_report"; pass=$((pass + 1))
else echo "FAIL short_run_report: $dir/short_run.json"; fail=$((fail + 1)); fi
echo "bench_args: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
