#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Line and toggle coverage of the RTL over the chip-level tests of the registry (make cov).
#   [COV_FUZZ_CFGS="cfg..."] tools/cov.sh BUILD CONFIG...
# Expects the coverage models BUILD/cov/<config>/vl/aimc-vl and aimc-test-vl (make cov builds them), and the bus
# fuzzer linked from the coverage model, BUILD/cov/<config>/vl/bus-fuzz, for each config of
# COV_FUZZ_CFGS. Runs every test of tests/registry.txt and of tests/cov/registry.txt (the directed
# runs only make cov needs, same format) whose command is one of those ($BUILD/<config>/vl/aimc-vl,
# aimc-test-vl or $BUILD/<config>/busfuzz/bus-fuzz ...) on its
# coverage build, each model writing its counts into BUILD/cov/dat/ when it closes; merges them
# with verilator_coverage; writes the lcov HTML report of the line coverage to BUILD/cov/html/
# and the figures to BUILD/reports/cov.json (linked from BUILD/reports/test.json when present).
# COV_APPEND=1 keeps the counts of the earlier calls (BUILD/cov/dat/) and adds this call's: a run
# over many configs split into parts (each part as soon as its models are built, on a loaded
# machine); the report then counts the union and names every config of every part.
# Exit 1 if a test fails, 2 on a usage or tool error.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: tools/cov.sh BUILD CONFIG..." >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1; shift
case $build in /*) ;; *) build=$PWD/$build ;; esac
py=${PYTHON:-python3}
for t in verilator_coverage genhtml; do
	command -v $t >/dev/null || { echo "cov: '$t' not found (make setup installs verilator and lcov)" >&2; exit 2; }
done
cd "$top"
cov=$build/cov
[ "${COV_APPEND:-0}" = 1 ] || rm -rf "$cov/dat"
rm -rf "$cov/html" "$cov/reports"
run=$cov/dat/run-$(date +%s)-$$   # this call's counts (one file per model)
mkdir -p "$run" "$build/reports"

# The chip-level tests: registry lines whose command runs a config's Verilator model.
reg=$cov/registry.txt
pat=$(printf '%s|' "$@"); pat=${pat%|}
# A test that first builds its model (`make -s vl [icarus] CONFIG=<cfg> BUILD=$BUILD && ...`, or
# `make -s bus-fuzz ...`) runs here without that step: make cov built the coverage model instead.
# The bus fuzzer's tests (tests/system/bus_fuzz.c) run for the configs in $COV_FUZZ_CFGS.
fpat=$(printf '%s|' ${COV_FUZZ_CFGS:-}); fpat=${fpat%|}
# The fuzzer's path $BUILD/<cfg>/busfuzz/bus-fuzz becomes the one linked from the coverage model.
# A test of tests/cov/registry.txt replaces the registry test of the same name (a run sized for
# the slower coverage model).
awk -F'|' 'FNR == NR { if ($1 !~ /^#/ && NF >= 3) { n = $1; gsub(/ /, "", n); own[n] = 1 }; next }
	{ n = $1; gsub(/ /, "", n); if (!(n in own)) print }' tests/cov/registry.txt tests/registry.txt |
	cat - tests/cov/registry.txt |
	sed -E 's,^([^#|]+\|[^|]+\| *)make -s (vl( icarus)?|bus-fuzz) CONFIG=[A-Za-z0-9_]+ BUILD=\$BUILD && ,\1,' |
	grep -E "^[^#|]+\|[^|]+\| *\\\$BUILD/(($pat)/vl/aimc-(test-)?vl|(${fpat:-.^})/busfuzz/bus-fuzz) " |
	sed -E 's,\$BUILD/([A-Za-z0-9_]+)/busfuzz/bus-fuzz ,$BUILD/\1/vl/bus-fuzz ,g' >"$reg"
n=$(grep -c . "$reg")
[ "$n" -gt 0 ] || { echo "cov: no registry test runs a model of: $*" >&2; exit 2; }
for c in "$@"; do
	for x in aimc-vl aimc-test-vl; do
		[ -x "$cov/$c/vl/$x" ] || { echo "cov: $cov/$c/vl/$x missing (make cov builds it)" >&2; exit 2; }
	done
done
for c in ${COV_FUZZ_CFGS:-}; do
	[ -x "$cov/$c/vl/bus-fuzz" ] || { echo "cov: $cov/$c/vl/bus-fuzz missing (make cov links it)" >&2; exit 2; }
done
echo "cov: $n chip-level tests on the coverage models of: $*"
printf '%s\n' "$@" >"$run/configs.txt"
echo "$n" >"$run/tests.txt"
AIMC_COV_DIR=$run PYTHON=$py "$py" tools/run_tests.py --registry "$reg" --build "$cov" -j 2
rc=$?
[ $rc -eq 0 ] || echo "cov: some tests failed; the coverage below counts the runs that finished" >&2

shopt -s nullglob
dats=("$cov"/dat/run-*/*.dat)
cfgs=$(cat "$cov"/dat/run-*/configs.txt | awk '!seen[$0]++' | tr '\n' ' ')
ntests=$(cat "$cov"/dat/run-*/tests.txt | awk '{ s += $1 } END { print s }')
[ ${#dats[@]} -gt 0 ] || { echo "cov: no coverage data written (was the model built with coverage?)" >&2; exit 2; }
verilator_coverage --write "$cov/merged.dat" "${dats[@]}" >"$cov/merge.log" 2>&1 ||
	{ cat "$cov/merge.log" >&2; exit 2; }

# Split the merged points by kind, apply the reviewed exclusions, write cov.json and the
# line-only file for the HTML.
"$py" tools/cov_report.py --merged "$cov/merged.dat" --line-dat "$cov/line.dat" \
	--out "$build/reports/cov.json" --test-json "$build/reports/test.json" \
	--exclusions tests/cov/exclusions.txt --tests "$ntests" --configs "$cfgs" || exit 2
verilator_coverage --write-info "$cov/line.info" "$cov/line.dat" >>"$cov/merge.log" 2>&1 ||
	{ cat "$cov/merge.log" >&2; exit 2; }
genhtml -q --output-directory "$cov/html" --title "Kirchhoff RTL line coverage" "$cov/line.info" \
	>"$cov/genhtml.log" 2>&1 || { cat "$cov/genhtml.log" >&2; exit 2; }
echo "cov: HTML $cov/html/index.html, figures $build/reports/cov.json"
[ $rc -eq 0 ] || exit 1
exit 0
