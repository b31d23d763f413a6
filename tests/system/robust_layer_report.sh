#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16: a failed `make layer-test` leaves the previous report intact. tools/layer_test.sh runs
# in a scratch build folder (its tests/aimc-test the real test runner, or a stand-in that writes
# half a report and fails): a passing run writes the report, a failing run (the layer does not
# fit: exit 2; a run that fails after writing its report: exit 1) keeps it byte for byte and says so.
# Usage: tests/system/robust_layer_report.sh [BUILD]
set -u
build=${1:-${BUILD:-build}}
aimc=$(cd "$(dirname "$build/tests/aimc-test")" && pwd)/aimc-test
[ -x "$aimc" ] || { echo "FAIL setup: $aimc missing (make sw)"; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/robust_layer_report.XXXXXX")
trap 'rm -rf "$dir"' EXIT
pass=0; fail=0
check() { # name, condition result (0 ok), detail
  if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"; else fail=$((fail + 1)); echo "FAIL $1: $3"; fi
}
mkdir -p "$dir/b/tests" "$dir/fake/tests"
ln -s "$aimc" "$dir/b/tests/aimc-test"
report=$dir/b/reports/layer-test.json
run() { tools/layer_test.sh --build "$1" --config tiny --rows "$2" --cols 8 --batch 1 --seed 1 --sim cmodel \
  > "$dir/log" 2>&1; echo $?; }

rc=$(run "$dir/b" 16)
grep -q '"pass": true' "$report" 2>/dev/null
check "pass: report written" $(( rc != 0 || $? != 0 )) "exit $rc, report: $(head -c 200 "$report" 2>&1)"
cp "$report" "$dir/good.json" 2>/dev/null

rc=$(run "$dir/b" 65535)
cmp -s "$report" "$dir/good.json"
check "does not fit: exit 2, previous report intact" $(( rc != 2 || $? != 0 )) \
  "exit $rc, report now: $(head -c 200 "$report" 2>&1)"
grep -q "previous report .* is left as it was" "$dir/log"
check "does not fit: says the report is kept" $? "$(tail -3 "$dir/log")"

# a run that writes its report and then fails (a mismatch): exit 1, the old report stays, the
# failed one is kept beside it
mkdir -p "$dir/fake/reports"
cp "$dir/good.json" "$dir/fake/reports/layer-test.json"
cat > "$dir/fake/tests/aimc-test" <<'SH'
#!/usr/bin/env bash
while [ $# -gt 0 ]; do [ "$1" = --report ] && { printf '{\n  "pass": false, "half' > "$2"; }; shift; done
exit 1
SH
chmod +x "$dir/fake/tests/aimc-test"
rc=$(run "$dir/fake" 16)
cmp -s "$dir/fake/reports/layer-test.json" "$dir/good.json"
check "failed after writing: exit 1, previous report intact" $(( rc != 1 || $? != 0 )) \
  "exit $rc, report now: $(head -c 200 "$dir/fake/reports/layer-test.json" 2>&1)"
grep -q '"pass": false' "$dir/fake/reports/layer-test.failed.json" 2>/dev/null
check "failed after writing: its report in layer-test.failed.json" $? "$(ls "$dir/fake/reports")"
left=$(find "$dir/b/reports" "$dir/fake/reports" -name '.layer-test.json.tmp.*' | wc -l)
check "no temporary left behind" "$left" "$left temporaries"
echo "robust_layer_report: $pass passed, $fail failed"
[ "$fail" = 0 ]
