#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 17, item 3: the default Verilator model (build/<cfg>/vl) is built without trace code; asked
# for a waveform it must say that --waves needs the trace build (make vl WAVES=1), fail (exit 1, no
# run, no file), and the same command without --waves must pass.
# Usage: tests/system/waves_build.sh [BUILD]
set -u
build=${1:-${BUILD:-build}}
vl=$build/tiny/vl/aimc-test-vl   # layer-test: the chip-test runner on the model
[ -x "$vl" ] || { echo "FAIL setup: $vl missing (make vl CONFIG=tiny)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/waves.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
args=(layer-test --config configs/tiny.cfg --backend verilator --rows 16 --cols 8 --batch 1 --seed 1)
fail=0
out=$("$vl" "${args[@]}" --waves "$work/w.fst" 2>&1); rc=$?
if [ $rc -ne 1 ] || ! grep -q "needs the trace build.*make vl CONFIG=tiny WAVES=1" <<<"$out" || [ -e "$work/w.fst" ]; then
  echo "FAIL --waves on the default model: exit $rc: $(tail -3 <<<"$out" | tr '\n' ' ')"; fail=1
else
  echo "PASS --waves on the default model names the trace build"
fi
if ! "$vl" "${args[@]}" > "$work/ok.log" 2>&1; then
  echo "FAIL the same run without --waves: $(tail -3 "$work/ok.log" | tr '\n' ' ')"; fail=1
else
  echo "PASS the same run without --waves"
fi
exit $fail
