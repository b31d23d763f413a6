#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# layer-test --raw 0 (the layer as a network runs it: one int8 POST per vector, no RAW POST), on
# small (four-lane POST, not ideal): L0 passes, the program has fewer instructions, the tile
# is busy fewer cycles than with --raw 1 by exactly the RAW POSTs' latency (Cols + 2 each, minus
# one per command: docs/isa.md), and the bad combinations exit 2 with their message.
#   tests/system/layer_noraw.sh BUILD      (needs BUILD/small/vl/aimc-test-vl and BUILD/tests/aimc-test)
set -u
[ $# -eq 1 ] || { echo "usage: tests/system/layer_noraw.sh BUILD" >&2; exit 2; }
cd "$(dirname "$0")/../.."
vl=$1/small/vl/aimc-test-vl
at=$1/tests/aimc-test
for b in "$vl" "$at"; do
	[ -x "$b" ] || { echo "layer_noraw: $b missing (make test builds it)" >&2; exit 2; }
done
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
args=(layer-test --config configs/small.cfg --backend verilator --seed 3 --rows 64 --cols 64 --batch 3)
busy() { # busy RAW: tile 0's busy cycles and the instruction count of a run
	local out
	out=$("$vl" "${args[@]}" --raw "$1" 2>&1) || { fail "--raw $1: $(printf '%s' "$out" | tail -3)"; return; }
	printf '%s\n' "$out" | grep -q '^layer-test: PASS' || fail "--raw $1: no PASS"
	b=$(printf '%s\n' "$out" | sed -n 's/^layer-test:   tile 0: busy \([0-9]*\) .*/\1/p')
	i=$(printf '%s\n' "$out" | sed -n 's/.* busy cycles, \([0-9]*\) instructions.*/\1/p')
	echo "$b $i"
}
read -r b1 i1 < <(busy 1)
read -r b0 i0 < <(busy 0)
# three vectors: three RAW POSTs of Cols + 2 = 66 cycles, busy = latency - 1 each
if [ -z "${b1:-}" ] || [ -z "${b0:-}" ] || [ $((b1 - b0)) -ne $((3 * 65)) ]; then
	fail "tile 0 busy --raw 1 ${b1:-?}, --raw 0 ${b0:-?}: expected a difference of 3 x 65"
fi
if [ -z "${i1:-}" ] || [ -z "${i0:-}" ] || [ "$i0" -ge "$i1" ]; then
	fail "instructions --raw 1 ${i1:-?}, --raw 0 ${i0:-?}: expected fewer without the RAW POSTs"
fi
expect() { # expect MESSAGE ARGS...: exit 2 and MESSAGE on stderr
	local msg=$1 out rc
	shift
	out=$("$at" layer-test "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ] || [[ $out != *"$msg"* ]]; then
		fail "aimc-test layer-test $*: exit $rc, '$out' (expected exit 2 and '$msg')"
	fi
}
expect "drops the RAW words that L1 checks on an ideal config (tiny)" --config configs/tiny.cfg --rows 8 --cols 8 --batch 1 --raw 0
expect "--raw 0 and --tfl 1" --config configs/small.cfg --rows 8 --cols 8 --batch 1 --raw 0 --tfl 1
expect "--raw: 2 is out of range 0..1" --config configs/small.cfg --rows 8 --cols 8 --batch 1 --raw 2
[ $fails -eq 0 ] && { echo "layer_noraw: PASS (tile busy $b1 -> $b0 cycles)"; exit 0; }
echo "layer_noraw: $fails failure(s)"
exit 1
