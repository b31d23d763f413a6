#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The assertion layer (rtl/prim/aimc_assert.svh) in its three forms:
#   Icarus: the top-level X checker passes known outputs and stops the run on an X or Z in each of
#     four cases (irq, read data while rvalid, a valid itself, bresp while bvalid); ASSERT_INIT
#     stops a run whose parameter breaks it;
#   Verilator: the same bench lints with --assert (concurrent forms);
#   yosys: the FORMAL form parses and yields assert/assume/cover cells; the SYNTHESIS form none.
#   tests/rtl/assert_layer.sh [--build DIR]
# Exit 0 pass, 1 fail, 2 tool missing.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[ "${1:-}" = --build ] && build=$2
case $build in /*) ;; *) build=$top/$build ;; esac
work=$build/tests/assert_layer
mkdir -p "$work"
cd "$top"
for t in iverilog vvp verilator yosys; do
	command -v $t >/dev/null || { echo "assert_layer: '$t' not found" >&2; exit 2; }
done
fail=0
srcs="rtl/bind/aimc_top_assert.sv tests/rtl/aimc_assert_demo.sv tests/rtl/aimc_assert_tb.sv"
iverilog -g2012 -Irtl/prim -o "$work/tb.vvp" -s aimc_assert_tb $srcs || { echo "assert_layer: FAIL: icarus build"; exit 1; }
for bad in 0 1 2 3 4; do
	vvp -n "$work/tb.vvp" +bad=$bad >"$work/run$bad.log" 2>&1
	rc=$?
	if [ $bad -eq 0 ]; then
		if [ $rc -ne 0 ] || ! grep -q "no assertion failed" "$work/run$bad.log"; then
			echo "assert_layer: FAIL: known outputs tripped a check (log $work/run$bad.log)"; fail=1
		fi
	elif [ $rc -eq 0 ] || ! grep -q "assertion failed" "$work/run$bad.log"; then
		echo "assert_layer: FAIL: X case $bad went unnoticed (log $work/run$bad.log)"; fail=1
	else
		echo "assert_layer: icarus X case $bad caught: $(grep -m1 'assertion failed' "$work/run$bad.log" | sed 's/^ *//')"
	fi
done
# ASSERT_INIT: a parameter outside its legal range stops the run at time 0.
iverilog -g2012 -Irtl/prim -Paimc_assert_demo.Width=5 -o "$work/init.vvp" -s aimc_assert_demo \
	tests/rtl/aimc_assert_demo.sv || { echo "assert_layer: FAIL: icarus build (ASSERT_INIT)"; exit 1; }
if vvp -n "$work/init.vvp" >"$work/init.log" 2>&1 || ! grep -q "assertion failed: Width == 4" "$work/init.log"; then
	echo "assert_layer: FAIL: ASSERT_INIT did not stop a bad parameter (log $work/init.log)"; fail=1
else
	echo "assert_layer: icarus ASSERT_INIT caught: $(grep -m1 'assertion failed' "$work/init.log" | sed 's/^ *//')"
fi
if ! verilator --lint-only -Wall -Wno-BLKSEQ --assert --timing -Irtl/prim --top-module aimc_assert_tb $srcs \
	>"$work/verilator.log" 2>&1; then
	echo "assert_layer: FAIL: verilator lint (log $work/verilator.log)"; tail -5 "$work/verilator.log"; fail=1
fi
yosys -q -p "read_verilog -formal -sv -Irtl/prim tests/rtl/aimc_assert_demo.sv; \
	hierarchy -top aimc_assert_demo; proc; select -assert-count 3 t:\$assert; \
	select -assert-count 1 t:\$assume; select -assert-count 1 t:\$cover" >"$work/yosys.log" 2>&1 \
	|| { echo "assert_layer: FAIL: yosys formal form (log $work/yosys.log)"; fail=1; }
yosys -q -p "read_verilog -DSYNTHESIS -sv -Irtl/prim tests/rtl/aimc_assert_demo.sv rtl/bind/aimc_top_assert.sv; \
	hierarchy -top aimc_assert_demo; proc; select -assert-none t:\$assert t:\$assume t:\$cover" \
	>"$work/yosys-synth.log" 2>&1 || { echo "assert_layer: FAIL: SYNTHESIS form not empty (log $work/yosys-synth.log)"; fail=1; }
[ $fail -eq 0 ] && echo "assert_layer: PASS (icarus 4 X cases caught, verilator --assert lint, yosys formal/synthesis forms)"
exit $fail
