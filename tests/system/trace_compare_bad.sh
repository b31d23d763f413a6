#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bad input to `aimc trace-compare TRACE LOG` (docs/robustness.md): operands missing or a file that
# cannot be opened (exit 2, naming the file), a malformed line (exit 1, naming file and line), two
# logs that differ (exit 1, naming the first difference), and equal ones (exit 0).
set -u
aimc=${BUILD:-build}/sw/aimc
dir=${BUILD:-build}/tests/trace_compare_bad; rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
expect() { # name, expected exit, message regex, command...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: expected exit $want and /$re/, got exit $rc: $(head -3 <<<"$out")"; fail=$((fail + 1))
  fi
}
printf 'garbage\n' > "$dir/bad.txt"
printf '# kirchhoff-trace v1 config=tiny seed=1\nW 00000024 00000005\nR 00000024 00000005\nE\n' > "$dir/trace.txt"
printf 'W 00000024 0\nR 00000024 00000005 0\nC 10\n' > "$dir/log.txt"
printf 'W 00000024 0\nR 00000024 00000006 0\nC 10\n' > "$dir/log_diff.txt"
expect "no operands" 2 "needs TRACE and LOG" "$aimc" trace-compare
expect "missing trace file" 2 "cannot open '$dir/none.txt'" "$aimc" trace-compare "$dir/none.txt" "$dir/log.txt"
expect "malformed line names file and line" 1 "bad.txt:1: malformed line" "$aimc" trace-compare "$dir/bad.txt" "$dir/bad.txt"
expect "a different read is named" 1 "different read data" "$aimc" trace-compare "$dir/trace.txt" "$dir/log_diff.txt"
expect "equal trace and log" 0 "" "$aimc" trace-compare "$dir/trace.txt" "$dir/log.txt"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
