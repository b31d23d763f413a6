#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bad input at the bus fuzzer's command line (tests/system/bus_fuzz.c): every case exits 2 with
# its message and runs nothing.
#   tests/system/bus_fuzz_usage.sh BUILD      (needs BUILD/tiny/busfuzz/bus-fuzz: make bus-fuzz CONFIG=tiny)
set -u
[ $# -eq 1 ] || { echo "usage: tests/system/bus_fuzz_usage.sh BUILD" >&2; exit 2; }
cd "$(dirname "$0")/../.."
fz=$1/tiny/busfuzz/bus-fuzz
[ -x "$fz" ] || { echo "bus_fuzz_usage: $fz missing (make bus-fuzz CONFIG=tiny)" >&2; exit 2; }
fails=0
expect() { # expect MESSAGE ARGS...: exit 2 and MESSAGE on stderr
	local msg=$1 out rc
	shift
	out=$("$fz" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ] || [[ $out != *"$msg"* ]]; then
		echo "FAIL: bus-fuzz $*: exit $rc, '$out' (expected exit 2 and '$msg')"
		fails=$((fails + 1))
	fi
}
expect "--carry must be 1..16" --config configs/tiny.cfg --carry 0
expect "--carry must be 1..16" --config configs/tiny.cfg --carry 17
expect "--carry must be 1..16" --config configs/tiny.cfg --carry x
expect "--tiles runs programs and needs --backend verilator" --config configs/tiny.cfg --tiles --backend cmodel
expect "config noisy is not ideal" --config configs/noisy.cfg --tiles
expect "config noisy is not ideal" --config configs/noisy.cfg --carry 2 --directed
expect "config ice40 needs rows and cols multiples of 4" --config configs/ice40.cfg --tiles
expect "--config is required" --carry 3
expect "needs a value" --config configs/tiny.cfg --bogus
[ $fails -eq 0 ] && echo "bus_fuzz_usage: 9 bad command lines refused (exit 2, each with its message)"
[ $fails -eq 0 ]
