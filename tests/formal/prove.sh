#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One bounded proof of the `ifdef FORMAL` properties of an RTL block with yosys + yosys-smtbmc + z3
# (the tile: yosys + yosys-abc bmc3, bit-level).
#   tests/formal/prove.sh BLOCK [--bug] [--build DIR]
# BLOCK: axil (rtl/bus/aimc_axil_slave.sv), seq (rtl/ctrl/aimc_sequencer.sv and its aimc_seq_*), arb (rtl/mem/aimc_arb.sv),
# wdog (rtl/ctrl/aimc_watchdog.sv), acc (rtl/tile/aimc_acc.sv), bridge (rtl/fpga/aimc_uart_bridge.sv,
# UART stand-ins from tests/formal/stubs), pv (rtl/tile/aimc_pv.sv, program-and-verify),
# post (rtl/tile/aimc_post.sv with its final and tfl stages), tile (rtl/tile/aimc_tile.sv's control
# with aimc_pv and the DAC / ADC interfaces; crossbar, accumulator and post-processing replaced by
# stand-ins from tests/formal/stubs); see the table below for the depth and parameters of each.
# The properties of a module live in tests/formal/props/<module>.svh (inserted into a copy of the
# module by tests/formal/stage.py) or in its own `ifdef FORMAL` tail.
# --bug applies tests/formal/bugs/<block>.bug, the injected bug of that block, to the copy (the
# product RTL never contains it): then the test passes only when the proof FAILS (the properties
# catch the bug).
# Results: DIR/formal/<block>[-bug]/ (log, counterexample trace.vcd; with ABC the witness cex.aiw
# and the failed assertion's name) and one entry in
# DIR/reports/formal.json. Exit 0 = expected outcome, 1 = unexpected outcome, 2 = usage/tool error.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
usage() { echo "usage: tests/formal/prove.sh axil|seq|arb|wdog|acc|bridge|pv|post|tile [--bug] [--build DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
block=$1; shift
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

# block | top module | depth | RTL files after the packages | chparam settings (| flat: flatten first;
# only: the modules whose properties are inserted, default all)
flat=""
only=""
engine=smtbmc  # or abc: yosys-abc bmc3 on the bit-level design (the tile: z3 stalls past 10 steps)
case $block in
axil) mod=aimc_axil_slave; depth=18; files="rtl/bus/aimc_axil_slave.sv"
      params="-set InstrDepth 16 -set ActDepth 16 -set ParDepth 16 -set WgtDepth 16" ;;
seq)  mod=aimc_sequencer; depth=20; flat=flatten  # one module, as before its blocks were split out
      files="rtl/ctrl/aimc_seq_decode.sv rtl/ctrl/aimc_seq_conflict.sv rtl/ctrl/aimc_seq_tiles.sv rtl/ctrl/aimc_seq_loops.sv rtl/ctrl/aimc_seq_copy.sv rtl/ctrl/aimc_sequencer.sv"
      params="-set NumTiles 2 -set Rows 16 -set Cols 8 -set InstrDepth 16 -set ActDepth 64 -set ParDepth 64 -set WgtDepth 64 -set AccSlots 4" ;;
arb)  mod=aimc_arb; depth=16; files="rtl/mem/aimc_arb.sv"
      params="-set N 3" ;;
wdog) mod=aimc_watchdog; depth=24; files="rtl/ctrl/aimc_watchdog.sv"; params="" ;;
acc)  mod=aimc_acc; depth=4; files="rtl/tile/aimc_acc.sv"
      params="-set Cols 4 -set ColsPerAdc 2 -set AccSlots 2 -set AdcBits 8 -set ShiftW 5" ;;
bridge) mod=aimc_uart_bridge; depth=14
      files="rtl/fpga/aimc_uart_bridge.sv tests/formal/stubs/aimc_uart_rx.sv tests/formal/stubs/aimc_uart_tx.sv"
      params="-set ClkDiv 4 -set TimeoutCycles 6" ;;
pv)   mod=aimc_pv; depth=14; files="rtl/tile/aimc_pv.sv"
      params="-set Cells 4 -set PvEngine 1" ;;
post) mod=aimc_post; depth=14; files="rtl/tile/aimc_post_final.sv rtl/tile/aimc_post_tfl.sv rtl/tile/aimc_post.sv"
      params="-set Cols 8 -set ColsPerAdc 2 -set AccSlots 2 -set ActAw 6 -set ParAw 6 -set IsaTfl 1" ;;
tile) mod=aimc_tile; depth=30; only=aimc_tile; engine=abc  # aimc_pv's own properties left out: asserted here
      files="rtl/tile/aimc_pv.sv rtl/afe/aimc_dac_if.sv rtl/afe/aimc_adc_if.sv rtl/tile/aimc_slice_map.sv tests/formal/stubs/aimc_xbar.sv tests/formal/stubs/aimc_acc.sv tests/formal/stubs/aimc_post.sv rtl/tile/aimc_tile.sv"
      params="-set Rows 4 -set Cols 4 -set DacBits 4 -set AdcBits 4 -set ColsPerAdc 2 -set AdcCycles 2 -set AccSlots 2 -set ActAw 6 -set WgtAw 6 -set ParAw 6" ;;
*) echo "prove: unknown block '$block' (axil, seq, arb, wdog, acc, bridge, pv, post, tile)" >&2; exit 2 ;;
esac
# FORMAL_DEPTH overrides the depth (exploring; the report records the depth used).
depth=${FORMAL_DEPTH:-$depth}
for t in yosys yosys-smtbmc z3 $([ "$engine" = abc ] && echo yosys-abc); do
	command -v $t >/dev/null || { echo "prove: '$t' not found (make setup installs yosys and z3)" >&2; exit 2; }
done

name=$block$([ $bug -eq 1 ] && echo -bug)
work=$build/formal/$name
rm -rf "$work" && mkdir -p "$work/src" "$work/stage" "$build/reports"
cd "$top"
pkgs="rtl/pkg/aimc_isa_pkg.sv rtl/pkg/aimc_map_pkg.sv rtl/pkg/aimc_pkg.sv"
bugarg=""
[ $bug -eq 1 ] && bugarg="--bug tests/formal/bugs/$block.bug"
[ -n "$only" ] && bugarg="--props $only $bugarg"
# shellcheck disable=SC2086
staged=$(python3 tests/formal/stage.py "$work/stage" $bugarg $files | tr '\n' ' ') || exit 2
# shellcheck disable=SC2086
srcs=$(python3 tools/yosys_src.py "$work/src" $pkgs $staged | tr '\n' ' ') || exit 2
# The yosys script of the ABC engine: SRCS, the file that lists the $assert cells in the order of
# the AIGER bad states, the output prefix (PREFIX.aig, PREFIX.ywb).
abc_ys() {
	cat <<YS
read_verilog -formal -sv -I$top/rtl/prim $1
chparam $params $mod
prep -top $mod
flatten
memory_map
async2sync
chformal -assume -early
chformal -cover -remove
opt_clean
setundef -anyseq
opt -keepdc -fast
setattr -unset keep
delete -output
opt -full
techmap
opt -fast
dffunmap
abc -g AND -fast
opt_clean
tee -q -o $2 select -list t:\$assert
write_aiger -I -B -zinit -ywmap $3.ywb $3.aig
YS
}
t0=$(date +%s.%N)
abc_out=""
if [ "$engine" = abc ]; then
	# Bit-level: the flattened design as an AIGER file (asserts = bad states, assumes =
	# constraints, covers removed; outputs deleted so that only the properties' cone stays),
	# then ABC's bmc3. The bad states are written in the order `select -list` prints the $assert
	# cells (asserts.txt): output K of ABC's answer is line K + 1.
	abc_ys "$srcs" "$work/asserts.txt" "$work/$mod" >"$work/prove.ys"
else
	cat >"$work/prove.ys" <<YS
read_verilog -formal -sv -I$top/rtl/prim $srcs
chparam $params $mod
prep -top $mod
$flat
async2sync
dffunmap
write_smt2 -wires $work/$mod.smt2
YS
fi
if ! yosys -q -l "$work/yosys.log" -s "$work/prove.ys" >/dev/null 2>&1; then
	echo "prove: yosys failed on $block (log $work/yosys.log):" >&2
	tail -20 "$work/yosys.log" >&2
	exit 2
fi
if [ "$engine" = abc ]; then
	yosys-abc -c "read_aiger $work/$mod.aig; fold; strash; bmc3 -F $depth; write_cex -a $work/cex.aiw" \
		>"$work/abc.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	if grep -q "No output asserted in $depth frames" "$work/abc.log"; then
		proved=1
	elif k=$(sed -n 's/^Output \([0-9]*\) of miter .* was asserted in frame \([0-9]*\).*/\1 \2/p' "$work/abc.log") && [ -n "$k" ]; then
		proved=0
		set -- $k
		abc_out="$(sed -n "$(($1 + 1))p" "$work/asserts.txt" | sed 's|/|: |') (frame $2)"
		# the counterexample as a VCD, where yosys-witness and sim can make one
		if yosys-witness aiw2yw "$work/cex.aiw" "$work/$mod.ywb" "$work/trace.yw" >/dev/null 2>&1; then
			yosys -q -p "read_verilog -formal -sv -I$top/rtl/prim $srcs; chparam $params $mod; prep -top $mod; flatten; memory_map; async2sync; dffunmap; sim -clock clk_i -r $work/trace.yw -vcd $work/trace.vcd" \
				>"$work/sim.log" 2>&1 || rm -f "$work/trace.vcd"
		fi
	else
		echo "prove: yosys-abc gave no result (exit $rc, log $work/abc.log):" >&2; tail -20 "$work/abc.log" >&2; exit 2
	fi
else
	yosys-smtbmc -s z3 --unroll -t "$depth" --dump-vcd "$work/trace.vcd" "$work/$mod.smt2" >"$work/smtbmc.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	status=$(grep -o 'Status: [A-Z]*' "$work/smtbmc.log" | tail -1 | cut -d' ' -f2)
	case $status in
	PASSED) proved=1 ;;
	FAILED) proved=0 ;;
	*) echo "prove: yosys-smtbmc gave no status (exit $rc, log $work/smtbmc.log):" >&2; tail -20 "$work/smtbmc.log" >&2; exit 2 ;;
	esac
fi
# ABC engine: every COVER of the block's properties must be reachable within the depth (the
# properties are not vacuous). Each cover becomes an assertion that it never holds, in a second
# copy; ABC's bmc3 on that output alone finds the frame that reaches it.
covers=""
covers_ok=1
if [ "$engine" = abc ] && [ $bug -eq 0 ] && [ $proved -eq 1 ]; then
	mkdir -p "$work/cover/stage"
	cstaged=""
	for f in $staged; do
		sed 's/`COVER(/`ASSERT_NEVER(/' "$f" >"$work/cover/stage/$(basename "$f")"
		cstaged="$cstaged $work/cover/stage/$(basename "$f")"
	done
	# shellcheck disable=SC2086
	csrcs=$(python3 tools/yosys_src.py "$work/cover/src" $pkgs $cstaged | tr '\n' ' ') || exit 2
	abc_ys "$csrcs" "$work/cover/asserts.txt" "$work/cover/$mod" >"$work/cover/cover.ys"
	if ! yosys -q -l "$work/cover/yosys.log" -s "$work/cover/cover.ys" >/dev/null 2>&1; then
		echo "prove: yosys failed on the covers of $block (log $work/cover/yosys.log)" >&2; exit 2
	fi
	k=0
	: >"$work/cover/abc.log"
	while read -r c; do
		case $c in
		*_C)
			fr=$(yosys-abc -c "read_aiger $work/cover/$mod.aig; fold; strash; cone -s -O $k; strash; bmc3 -F $depth" 2>&1 |
				tee -a "$work/cover/abc.log" | sed -n 's/^Output 0 of miter .* was asserted in frame \([0-9]*\).*/\1/p')
			covers="$covers ${c#*/}=${fr:-unreached}"
			[ -n "$fr" ] || covers_ok=0
			;;
		esac
		k=$((k + 1))
	done <"$work/cover/asserts.txt"
	t1=$(date +%s.%N)
	case $covers in *=unreached*) abc_out="an unreached cover:$covers" ;; esac
fi
if [ $bug -eq 1 ]; then expect=0; else expect=1; fi
ok=$([ $proved -eq $expect ] && [ $covers_ok -eq 1 ] && echo 1 || echo 0)
secs=$(echo "$t1 - $t0" | bc 2>/dev/null || python3 -c "print($t1 - $t0)")

NAME=$name BLOCK=$block MOD=$mod DEPTH=$depth BUG=$bug PROVED=$proved OK=$ok SECS=$secs ENGINE=$engine COVERS="$covers" \
YVER=$(yosys -V | head -1) ZVER=$(z3 --version | head -1) \
flock "$build/reports/.formal.lock" python3 - "$build/reports/formal.json" <<'PY'
import json, os, sys
path = sys.argv[1]
try:
    rep = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError):
    rep = {}
e = os.environ
rep.setdefault("proofs", {})[e["NAME"]] = {
    "block": e["BLOCK"], "module": e["MOD"], "depth": int(e["DEPTH"]),
    "injected_bug": e["BUG"] == "1", "proved": e["PROVED"] == "1",
    "expected": "fail" if e["BUG"] == "1" else "pass", "ok": e["OK"] == "1",
    "seconds": round(float(e["SECS"]), 2),
    "engine": "yosys-abc bmc3 (bit-level bounded model check)" if e["ENGINE"] == "abc"
              else "yosys-smtbmc -s z3 --unroll (bounded model check)"}
if e["COVERS"].strip():
    rep["proofs"][e["NAME"]]["covers"] = {
        c.split("=")[0]: (int(c.split("=")[1]) if c.split("=")[1].isdigit() else None)
        for c in e["COVERS"].split()}
rep["tools"] = {"yosys": e["YVER"], "z3": e["ZVER"], "engine": "yosys-smtbmc -s z3 --unroll (bounded model check)"}
with open(path, "w", encoding="utf-8") as f:
    json.dump(rep, f, indent=2, sort_keys=True)
    f.write("\n")
PY

what="$mod, $depth cycles"
cex=$work/trace.vcd
[ -f "$cex" ] || [ "$engine" != abc ] || cex="$work/cex.aiw (ABC witness)"
# The failed assertion, as a line of the proof's copy of the RTL (with its properties inserted).
failed=""
[ "$engine" = abc ] || failed=$(grep -m1 -o 'Assert failed in [^(]*' "$work/smtbmc.log" | sed -n 's/.*src\/\([^:]*\):\([0-9]*\)\..*/\1 \2/p')
if [ "$engine" = abc ]; then
	failed=$abc_out
elif [ -n "$failed" ]; then
	set -- $failed
	failed="$work/src/$1:$2: $(sed -n "$2p" "$work/src/$1" | sed 's/^ *//')"
else
	# A named assertion (the assertion layer's macros): smtbmc reports its name.
	failed=$(grep -m1 -o 'Assert failed in [^ ]*: [A-Za-z_0-9.]*' "$work/smtbmc.log" | sed 's/Assert failed in //')
fi
if [ $bug -eq 1 ]; then
	if [ $ok -eq 1 ]; then
		echo "formal $name: PASS (the injected bug is caught by $failed; counterexample $cex)"
	else
		echo "formal $name: FAIL (the injected bug tests/formal/bugs/$block.bug went unnoticed in $what)"
	fi
else
	if [ $ok -eq 1 ]; then
		echo "formal $name: PASS (properties hold for $what, $(printf "%.0f" "$secs")s)"
		[ -z "$covers" ] || echo "covers reached (name=frame):$covers"
	else
		if [ $covers_ok -eq 0 ]; then
			echo "formal $name: FAIL: the properties hold for $what, but $failed"
		else
			echo "formal $name: FAIL at $failed (counterexample $cex)"
		fi
	fi
fi
echo "rerun: tests/formal/prove.sh $block$([ $bug -eq 1 ] && echo ' --bug')"
[ $ok -eq 1 ] && exit 0 || exit 1
