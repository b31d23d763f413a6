#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Equivalence proof of the post-processing final stage (rtl/tile/aimc_post_final.sv) against the
# reference definition of docs/numbers.md (64-bit rounding add and shift, ReLU, clamp), for every
# p with |p| <= 2^62, s in [1, 62] and relu: yosys `sat -prove` on tests/formal/aimc_post_final_check.sv.
#   tests/formal/post_final.sh [--bug] [--build DIR]
# --bug applies tests/formal/bugs/post_final.bug (an injected bug) to a copy of the RTL: then the
# test passes only when the proof FAILS with a counterexample. Results: DIR/formal/post_final[-bug]/ and one entry in
# DIR/reports/formal.json. Exit 0 = expected outcome, 1 = unexpected outcome, 2 = usage/tool error.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
usage() { echo "usage: tests/formal/post_final.sh [--bug] [--build DIR]" >&2; exit 2; }
bug=0
build=${BUILD:-build}
while [ $# -gt 0 ]; do
	case $1 in
	--bug) bug=1 ;;
	--build) [ $# -ge 2 ] || usage; build=$2; shift ;;
	*) usage ;;
	esac
	shift
done
case $build in /*) ;; *) build=$top/$build ;; esac
command -v yosys >/dev/null || { echo "post_final: 'yosys' not found (make setup installs it)" >&2; exit 2; }

name=post_final$([ $bug -eq 1 ] && echo -bug)
work=$build/formal/$name
rm -rf "$work" && mkdir -p "$work/src" "$work/stage" "$build/reports"
cd "$top"
bugarg=""
[ $bug -eq 1 ] && bugarg="--bug tests/formal/bugs/post_final.bug"
# shellcheck disable=SC2086
staged=$(python3 tests/formal/stage.py "$work/stage" $bugarg rtl/tile/aimc_post_final.sv | tr '\n' ' ') || exit 2
# shellcheck disable=SC2086
srcs=$(python3 tools/yosys_src.py "$work/src" $staged tests/formal/aimc_post_final_check.sv | tr '\n' ' ') || exit 2
cat >"$work/prove.ys" <<YS
read_verilog -sv $srcs
prep -top aimc_post_final_check
flatten
sat -prove ok_o 1 -show-inputs -show-outputs
YS
t0=$(date +%s.%N)
yosys -l "$work/yosys.log" -s "$work/prove.ys" >/dev/null 2>&1
rc=$?
t1=$(date +%s.%N)
if grep -q "SAT proof finished - no model found: SUCCESS" "$work/yosys.log"; then
	proved=1
elif grep -q "SAT proof finished - model found: FAIL" "$work/yosys.log"; then
	proved=0
else
	echo "post_final: yosys gave no proof result (exit $rc, log $work/yosys.log):" >&2
	tail -20 "$work/yosys.log" >&2
	exit 2
fi
if [ $bug -eq 1 ]; then expect=0; else expect=1; fi
ok=$([ $proved -eq $expect ] && echo 1 || echo 0)
secs=$(python3 -c "print(round($t1 - $t0, 1))")
if [ $proved -eq 1 ]; then what="proved equal to the reference"; else what="counterexample found"; fi
echo "post_final$([ $bug -eq 1 ] && echo ' (injected bug)'): $what in $secs s (log $work/yosys.log)"

NAME=$name BUG=$bug PROVED=$proved OK=$ok SECS=$secs YVER=$(yosys -V | head -1) \
flock "$build/reports/.formal.lock" python3 - "$build/reports/formal.json" <<'PY'
import json, os, sys
path = sys.argv[1]
try:
    rep = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError):
    rep = {}
e = os.environ
rep.setdefault("proofs", {})[e["NAME"]] = {
    "block": "post_final", "module": "aimc_post_final", "depth": 0,
    "method": "yosys sat -prove (combinational, every input)",
    "injected_bug": e["BUG"] == "1", "proved": e["PROVED"] == "1",
    "expected": "fail" if e["BUG"] == "1" else "pass", "ok": e["OK"] == "1",
    "seconds": round(float(e["SECS"]), 2)}
with open(path, "w", encoding="utf-8") as f:
    json.dump(rep, f, indent=2, sort_keys=True)
    f.write("\n")
PY
echo "rerun: tests/formal/post_final.sh$([ $bug -eq 1 ] && echo ' --bug')"
[ "$ok" -eq 1 ] && exit 0 || exit 1
