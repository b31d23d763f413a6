#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench`'s program: bad flags exit 2 with a message naming the flag and write no report; a
# short run on small tiles writes a report whose goal fields agree with its own rows, names the
# OpenBLAS core, and, started with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE set, says it removed them
# (and measured without them); --keep-openblas-env keeps them.
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
expect threads_zero      2 "--threads must be in \[1, 64\]"   --threads 0
expect threads_text      2 "--threads must be in"             --threads two
expect vectors_zero      2 "--vectors must be in \[1, 64\]"   --vectors 0
expect unknown_flag      2 "usage: aimc_bench"                --thread 4
expect missing_value     2 "usage: aimc_bench"                --sizes
out=$(OPENBLAS_NUM_THREADS=1 "$bench" --out "$dir/no/such/dir/b.json" --sizes 8 --min-time 0.01 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -q "cannot write $dir/no/such/dir/b.json" <<<"$out"; then
  echo "PASS unwritable_report"; pass=$((pass + 1))
else
  echo "FAIL unwritable_report: expected exit 1 and 'cannot write', got exit $rc: $(tail -2 <<<"$out")"; fail=$((fail + 1))
fi
expect short_run         0 "goals: noisy within 3.0x of sgemv at every size and DAC width: (met|NOT met)" --sizes 16,64 --min-time 0.01
if "${PYTHON:-.venv/bin/python}" - "$dir/short_run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = r["results"]
want = [(p, n, b) for n in (16, 64) for p in ("noisy", "ideal") for b in (8, 4, 2, 1)]
assert [(x["path"], x["n"], x["dac_bits"]) for x in rows] == want, rows
for x in rows:
    assert x["model_us_per_mvm"] > 0 and x["phases_us_per_mvm"] > 0 and x["ref_us"] > 0, x
    assert x["ref"] == ("sgemv" if x["path"] == "noisy" else "dgemv"), x
    assert abs(x["ratio"] - x["model_us_per_mvm"] / x["ref_us"]) < 1e-2 * x["ratio"], x
    assert x["goal_ratio"] == (3 if x["path"] == "noisy" else 1.5), x
    assert x["met"] == (x["ratio"] <= x["goal_ratio"]), x
for path, key in (("noisy", "worst_noisy_ratio"), ("ideal", "worst_ideal_ratio")):
    worst = max(x["ratio"] for x in rows if x["path"] == path)
    assert abs(r[key] - worst) < 2e-3, (key, r[key], worst)
assert r["noisy_goal_met"] == (r["worst_noisy_ratio"] <= 3), r
assert r["ideal_goal_met"] == (r["worst_ideal_ratio"] <= 1.5), r
assert r["all_goals_met"] == all(x["met"] for x in rows), r
assert isinstance(r["openblas_core"], str) and r["openblas_core"], r
assert r["openblas_core"] in r["openblas_config"], r
assert r["model_threads"] == 1 and r["clock"] == "thread_cpu", r
PY
then echo "PASS short_run_report"; pass=$((pass + 1))
else echo "FAIL short_run_report: $dir/short_run.json"; fail=$((fail + 1)); fi
# the environment's forced kernel: removed for the run and named in the report, or kept on request
out=$(OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512 OPENBLAS_NUM_THREADS=1 "$bench" --out "$dir/env.json" --sizes 8 --min-time 0.01 2>&1); rc=$?
if [ "$rc" -eq 0 ] && grep -q "run without OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512" <<<"$out" &&
   "${PYTHON:-.venv/bin/python}" -c "
import json, sys; r = json.load(open('$dir/env.json'))
assert r['openblas_env_unset'] == 'OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512' and r['openblas_env_kept'] is False, r"; then
  echo "PASS env_unset"; pass=$((pass + 1))
else echo "FAIL env_unset: exit $rc: $(head -2 <<<"$out")"; fail=$((fail + 1)); fi
out=$(OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512 OPENBLAS_NUM_THREADS=1 "$bench" --out "$dir/keep.json" --sizes 8 --min-time 0.01 --keep-openblas-env 2>&1); rc=$?
if [ "$rc" -eq 0 ] && "${PYTHON:-.venv/bin/python}" -c "
import json; r = json.load(open('$dir/keep.json'))
assert r['openblas_env_unset'] is None and r['openblas_env_kept'] is True and r['openblas_core'] == 'Haswell', r"; then
  echo "PASS env_kept"; pass=$((pass + 1))
else echo "FAIL env_kept: exit $rc: $(head -2 <<<"$out")"; fail=$((fail + 1)); fi
echo "bench_args: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
