#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 19, item 1: product and test apart. The product CLI (aimc) lists no chip test and answers
# an old test command line with a usage error naming aimc-test; the test runner (aimc-test) has
# every chip test; the library libaimc.a and the product executable hold no test code (no golden
# checker, no test subcommand or test helper: nm).
#   tests/system/product_apart.sh BUILD
set -u
[ $# -eq 1 ] || { echo "usage: tests/system/product_apart.sh BUILD" >&2; exit 2; }
build=$1
aimc=$build/sw/aimc
aimc_test=$build/tests/aimc-test
lib=$build/sw/libaimc.a
tests=(layer-test csr-test illegal-test err-test seq-test pv-test pipeline-test bridge-test)
# symbols of test code: the golden checker, the test subcommands, the test-only helpers
test_syms='aimc_golden_|cli_cmd_[a-z]+_test|cli_check|cli_skip|cli_backend_only_args|cli_layer_fits'
pass=0; fail=0
check() { if [ "$2" = 0 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1: $3"; fail=$((fail + 1)); fi; }
for f in "$aimc" "$aimc_test" "$lib"; do
  [ -e "$f" ] || { echo "FAIL setup: $f missing (make sw)"; exit 1; }
done

help=$("$aimc" --help 2>&1); rc=$?
listed=$(for t in "${tests[@]}"; do grep -qE "^ +$t( |$)" <<<"$help" && echo "$t"; done)
[ $rc -eq 0 ] && [ -z "$listed" ] && [ -n "$(grep -E '^ +selftest ' <<<"$help")" ]
check "aimc --help lists selftest and no chip test" $? "exit $rc, tests listed: $(echo $listed)"

# the product linked with a Verilator model (any config built: make vl), when there is one
vl=$(ls "$build"/*/vl/aimc-vl 2>/dev/null | head -1)
if [ -n "$vl" ]; then
  help=$("$vl" --help 2>&1); rc=$?
  listed=$(for t in "${tests[@]}"; do grep -qE "^ +$t( |$)" <<<"$help" && echo "$t"; done)
  [ $rc -eq 0 ] && [ -z "$listed" ]
  check "$vl --help lists no chip test" $? "exit $rc, tests listed: $(echo $listed)"
else
  echo "SKIP aimc-vl --help: no Verilator model built"
fi

for t in "${tests[@]}"; do
  out=$("$aimc" "$t" --config configs/tiny.cfg 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q "aimc-test" <<<"$out"
  check "aimc $t: usage error naming aimc-test" $? "exit $rc: $(head -2 <<<"$out" | tr '\n' ' ')"
done

help=$("$aimc_test" --help 2>&1); rc=$?
missing=$(for t in "${tests[@]}"; do grep -qE "^ +$t " <<<"$help" || echo "$t"; done)
[ $rc -eq 0 ] && [ -z "$missing" ]
check "aimc-test --help lists every chip test" $? "exit $rc, missing: $(echo $missing)"
out=$("$aimc_test" run --config configs/tiny.cfg 2>&1); rc=$?
[ $rc -eq 2 ]
check "aimc-test run (a product command): usage error" $? "exit $rc: $(head -1 <<<"$out")"

members=$(ar t "$lib" | grep -E '^(golden|test_util|cmd_.*_test|main)\.o$')
[ -z "$members" ]
check "libaimc.a has no test object" $? "members: $(echo $members)"
syms=$(nm -g --defined-only "$lib" 2>/dev/null | grep -E " [A-Za-z] ($test_syms)" | awk '{print $3}' | sort -u)
[ -z "$syms" ] && [ -n "$(nm -g --defined-only "$lib" 2>/dev/null | grep -E ' T aimc_')" ]
check "nm libaimc.a: no test symbol (and the library's own are there)" $? "$(echo $syms | head -c 300)"
syms=$(nm "$aimc" 2>/dev/null | grep -E " [A-Za-z] ($test_syms)" | awk '{print $3}' | sort -u)
[ -z "$syms" ] && [ -n "$(nm "$aimc" 2>/dev/null | grep -E ' T cli_cmd_selftest$')" ]
check "nm aimc: no test symbol, selftest there" $? "$(echo $syms | head -c 300)"
syms=$(nm "$aimc_test" 2>/dev/null | grep -cE " [Tt] (aimc_golden_fc_acc|cli_cmd_layer_test|cli_check)$")
[ "$syms" -eq 3 ]
check "nm aimc-test: golden checker, layer-test and the check helper linked" $? "$syms of 3 found"

echo "product_apart: $pass passed, $fail failed"
[ $fail -eq 0 ]
