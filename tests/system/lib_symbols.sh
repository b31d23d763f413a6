#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The C library's contract at the symbol level (issue 19, analog_models/c/aimc_api.h): every global
# symbol libaimc.a defines carries the aimc_ prefix, and no object of it reads the environment,
# prints to stdout / stderr or ends the process (getenv, stdout, stderr, printf, puts, exit, abort, ...).
# Writing to a FILE* the caller hands in (fprintf: trace recorder, SPICE netlist) is allowed.
# The check runs first on a small archive with one violation of each kind and must reject it.
# Usage: tests/system/lib_symbols.sh [--build DIR]
set -eu
BUILD=build
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD="$2"; shift 2 ;;
	*) echo "usage: $0 [--build DIR]" >&2; exit 2 ;;
	esac
done
NM=${NM:-nm}
CC=${CC:-cc}
LIB="$BUILD/sw/libaimc.a"
FORBIDDEN='getenv secure_getenv stdout stderr printf vprintf puts putchar perror exit _exit abort'

# check ARCHIVE: prints every violation, returns 1 if there is one
check() {
	bad=0
	unprefixed=$("$NM" -g --defined-only "$1" | awk 'NF == 3 && $3 !~ /^aimc_/ {print $3}' | sort -u)
	if [ -n "$unprefixed" ]; then
		for s in $unprefixed; do echo "  global symbol without the aimc_ prefix: $s"; done
		bad=1
	fi
	undef=$("$NM" -u "$1" | awk 'NF == 2 {print $2}' | sort -u)
	for f in $FORBIDDEN; do
		if printf '%s\n' "$undef" | grep -qx "$f"; then
			echo "  the library uses $f (no environment, no printing, no exit: aimc_api.h)"
			bad=1
		fi
	done
	return $bad
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aimc_libsym.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/leak.c" <<'SRC'
#include <stdio.h>
#include <stdlib.h>
int leaked_counter;
int aimc_leak(void) { fprintf(stderr, "x\n"); return getenv("X") != NULL || leaked_counter; }
SRC
"$CC" -c -O2 -o "$tmp/leak.o" "$tmp/leak.c"
ar rcs "$tmp/libleak.a" "$tmp/leak.o"
if check "$tmp/libleak.a" > "$tmp/self.txt"; then
	echo "FAIL lib_symbols_selftest: the check accepted an archive with leaked_counter, getenv and stderr"
	exit 1
fi
if ! grep -q leaked_counter "$tmp/self.txt" || ! grep -q getenv "$tmp/self.txt" || ! grep -q stderr "$tmp/self.txt"; then
	echo "FAIL lib_symbols_selftest: expected leaked_counter, getenv and stderr named, got:"
	cat "$tmp/self.txt"
	exit 1
fi
echo "PASS lib_symbols_selftest (a bad archive is rejected)"

make -s BUILD="$BUILD" "$LIB"
n=$("$NM" -g --defined-only "$LIB" | awk 'NF == 3' | wc -l)
if check "$LIB"; then
	echo "PASS lib_symbols: $LIB defines $n global symbols, all aimc_*; no getenv, stdout, stderr, printf, puts, exit, abort"
else
	echo "FAIL lib_symbols: $LIB breaks the C contract (above)"
	exit 1
fi
