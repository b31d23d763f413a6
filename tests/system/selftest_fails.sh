#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The self-test and the FPGA flow reject what they must: a fake chip (a plain file behind the mmap
# back-end: the ID is right, but nothing behind it computes or answers bus errors) fails the steps
# that need a chip; malformed back-end specs, options and board names are usage errors (exit 2).
#   tests/system/selftest_fails.sh AIMC [AIMC_TEST]   (AIMC_TEST, the chip tests: default beside
#   AIMC, ../../tests/aimc-test of build/sw/aimc)
set -uo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: tests/system/selftest_fails.sh AIMC [AIMC_TEST]" >&2; exit 2; }
aimc=$1
aimc_test=${2:-$(dirname "$aimc")/../tests/aimc-test}
py=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect NAME WANT_EXIT GREP_PATTERN CMD...
	local name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$tmp/out" 2>&1
	local rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$pat" "$tmp/out"; then
		echo "FAIL $name: exit $rc (want $want), output must match '$pat':"
		sed 's/^/  /' "$tmp/out" | tail -15
		fail=1
	else
		echo "PASS $name"
	fi
}

# 2 MiB of zeros with the ID magic (0x41494d43, little endian) at offset 0; the self-test writes
# through the mapping, so each run gets a fresh file.
mkfake() {
	head -c 2097152 /dev/zero >"$tmp/fake"
	printf 'CMIA' | dd of="$tmp/fake" conv=notrunc status=none
}
mkfake
expect "fake chip: read-only CSRs fail" 1 "FAIL csr: read-only" \
	"$aimc" selftest --config configs/ice40.cfg --backend "devmem:$tmp/fake"
mkfake
expect "fake chip: known-answer MVM fails" 1 "FAIL mvm: tile 0" \
	"$aimc" selftest --config configs/ice40.cfg --backend "devmem:$tmp/fake"
head -c 2097152 /dev/zero >"$tmp/zero"
expect "no chip: link step fails, nothing else runs" 1 "0 passed, 1 failed" \
	"$aimc" selftest --config configs/ice40.cfg --backend "devmem:$tmp/zero"
expect "serial device missing" 1 "cannot open back-end" \
	"$aimc" selftest --config configs/ice40.cfg --backend serial:/nonexistent/ttyUSB9
expect "serial spec without device" 2 "expected serial:<device>" \
	"$aimc" selftest --config configs/ice40.cfg --backend serial:
expect "serial spec with a bad baud" 2 "standard" \
	"$aimc" selftest --config configs/ice40.cfg --backend serial:/dev/ttyUSB1@12345
expect "devmem offset not page aligned" 2 "multiple of 4096" \
	"$aimc" selftest --config configs/ice40.cfg --backend "devmem:$tmp/fake@100"
expect "unknown back-end" 2 "unknown back-end" \
	"$aimc" selftest --config configs/ice40.cfg --backend uart
expect "--images not a number" 2 "images" \
	"$aimc" selftest --config configs/ice40.cfg --images many
expect "uart-sim in a build without the board" 1 "no simulated board" \
	"$aimc" selftest --config configs/ice40.cfg --backend uart-sim
expect "bridge-test needs a serial back-end" 2 "uart-sim or serial" \
	"$aimc_test" bridge-test --config configs/ice40.cfg --backend cmodel
expect "fpga: unknown board" 2 "no board 'nosuch'" \
	"$py" tools/fpga.py --board nosuch --aimc "$aimc" --build "$tmp/b"
expect "fpga: bad board name" 2 "expected a name" \
	"$py" tools/fpga.py --board '../x' --aimc "$aimc" --build "$tmp/b"
mkdir -p "$tmp/b"
expect "fpga: config without the twin" 2 "digital-twin crossbar" \
	"$py" tools/fpga.py --board icebreaker --config configs/tiny.cfg --aimc "$aimc" --build "$tmp/b"
exit $fail
