#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make sanitize`: the C library, the CLI, the unit tests and the benchmark built with
# AddressSanitizer + UndefinedBehaviorSanitizer in their own build folder, then every registry test
# that needs no simulator build run on those binaries.
#   tools/sanitize.sh [--build DIR] [--filter SUBSTRINGS] [--skip SUBSTRINGS] [-j N]
# The sanitized tree is DIR/sanitize (DIR/sanitize/sw/aimc, ...; normal builds are untouched).
# Tests chosen from tests/registry.txt: commands that run $BUILD/sw/aimc, $BUILD/tests/aimc-test,
# $BUILD/tests/unit/* or a tests/system/*.sh script, with no simulator model (/vl/, /uart/, xcheck,
# layer_test.sh) in the command or the scripts it runs, and no make or $PYTHON in the command; and the Python tests
# (tests/python/*.py) that run the CLI from $BUILD/sw/aimc and no model; --skip leaves out tests
# whose name contains one of its comma-separated substrings (the registry's bounded run skips the
# ngspice-bound irdrop_spice). Any sanitizer report is fatal (halt_on_error, abort) and is written
# to DIR/sanitize/san-logs/. Writes DIR/reports/sanitize.json (tests run, passed, findings).
# Exit 0 only with every test passing and no finding; 1 otherwise; 2 on usage errors.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=build
FILTER=
SKIP=
JOBS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --filter) FILTER=$2; shift 2 ;;
    --skip) SKIP=$2; shift 2 ;;
    -j) JOBS=$2; shift 2 ;;
    -h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sanitize.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "sanitize.sh: -j must be a positive integer, got '$JOBS'" >&2; exit 2; }
PYTHON=${PYTHON:-$top/.venv/bin/python}
san=$BUILD/sanitize
logs=$san/san-logs
mkdir -p "$san" "$BUILD/reports"
report=$BUILD/reports/sanitize.json
tmp_report=$(mktemp "$BUILD/reports/.sanitize.json.XXXXXX")
trap 'rm -f "$tmp_report"' EXIT

# float-cast-overflow is UB in C but not part of GCC's -fsanitize=undefined: added.
SAN_FLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer"
echo "sanitize.sh: building the sanitized tree in $san ($SAN_FLAGS)"
if ! nice make -s -j "$JOBS" BUILD="$san" EXTRA_CFLAGS="$SAN_FLAGS" \
     LDLIBS="$SAN_FLAGS -lopenblas -lm" sw "$san/bench/aimc_bench"; then
  echo "sanitize.sh: FAIL: the sanitized build failed"
  exit 1
fi

# The tests: chosen from the registry by what they run (see the header).
reg=$san/registry.txt
"$PYTHON" - tests/registry.txt "$reg" "$SKIP" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
skip = [x.strip() for x in sys.argv[3].split(",") if x.strip()]
sim = re.compile(r"/vl/|/uart/|xcheck|layer_test\.sh|\bmake\b|\$PYTHON|fpga\.py|prove\.sh|synth\.sh")
# inside a script only a simulator model counts (bench_args.sh builds the benchmark with make,
# selftest_fails.sh checks tools/fpga.py's argument errors: neither needs a simulator)
sim_script = re.compile(r"/vl/|/uart/|xcheck|layer_test\.sh")
out = []
for line in open(src, encoding="utf-8"):
    s = line.strip()
    if not s or s.startswith("#"):
        continue
    name, tmo, cmd = (p.strip() for p in s.split("|", 2))
    words = cmd.split()
    first = words[0]
    if any(x in name for x in skip):
        continue
    # a Python test that runs the CLI from $BUILD/sw/aimc and no simulator model
    # ($PYTHON -m pytest tests/python/X.py[::test] ...)
    pyfile = words[3].split("::")[0] if words[:3] == ["$PYTHON", "-m", "pytest"] and len(words) > 3 else ""
    if re.match(r"tests/python/[\w.-]+\.py$", pyfile):
        body = open(pyfile, encoding="utf-8").read()
        if (('"sw", "aimc"' in body or "sw/aimc" in body) and "&&" not in cmd
                and not re.search(r"aimc-vl|/vl/|\"vl\"|xcheck|icarus", body)):
            out.append(f"{name} | {float(tmo) * 3:g} | {cmd}")
        continue
    if not (first.startswith("$BUILD/sw/aimc") or first.startswith("$BUILD/tests/unit/")
            or first == "$BUILD/tests/aimc-test"
            or re.match(r"tests/system/[\w.-]+\.sh$", first)):
        continue
    scripts = re.findall(r"tests/system/[\w.-]+\.sh", cmd)
    if sim.search(cmd) or any(sim_script.search(open(f, encoding="utf-8").read()) for f in scripts):
        continue
    # ASan makes the code 2-3x slower: a larger budget than the registry's.
    out.append(f"{name} | {float(tmo) * 3:g} | {cmd}")
open(dst, "w", encoding="utf-8").write("\n".join(out) + "\n")
print(f"sanitize.sh: {len(out)} registry tests need no simulator build")
PY
[ $? -eq 0 ] || { echo "sanitize.sh: FAIL: cannot select the tests from tests/registry.txt"; exit 1; }

rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1:log_path=$top/$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$top/$logs/ubsan"
export LSAN_OPTIONS="print_suppressions=0"
export PYTHON
"$PYTHON" tools/run_tests.py --registry "$reg" --build "$san" -j "$JOBS" ${FILTER:+--filter "$FILTER"}
rc=$?
# A finding is one sanitizer report file (one per process that reported).
findings=$(find "$logs" -type f | wc -l)
read -r run passed < <("$PYTHON" - "$san/reports/test.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))
    tests = d.get("tests", [])
    print(len(tests), sum(1 for t in tests if t.get("status") == "pass"))
except (OSError, ValueError):
    print(0, 0)
PY
)
for f in $(find "$logs" -type f | sort); do
  echo "sanitize.sh: FINDING in $f:"
  head -30 "$f" | sed 's/^/  /'
done
cat > "$tmp_report" <<JSON
{"flags": "$SAN_FLAGS", "build": "$san", "tests_run": $run, "tests_passed": $passed, "findings": $findings, "runner_exit": $rc, "logs": "$logs"}
JSON
mv "$tmp_report" "$report"
echo "sanitize.sh: $passed of $run tests passed, $findings sanitizer findings (report $report)"
[ "$rc" -eq 0 ] && [ "$findings" -eq 0 ] && [ "$run" -gt 0 ] && [ "$passed" -eq "$run" ]
