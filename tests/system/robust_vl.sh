#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16: a Verilator model asked to run a config other than the one it was built from must
# answer with the differing fields (readback fields, or the RTL parameters the readback does not
# show) and the command that builds the right model, exit 1, and never abort in a simulator
# assertion. Needs build/base/vl/aimc-vl and aimc-test-vl (make vl CONFIG=base); the board
# cases need build/ice40/uart/aimc-uart-vl (make uart-vl CONFIG=ice40).
# Usage: tests/system/robust_vl.sh [BUILD]
set -u
build=${1:-${BUILD:-build}}
vl=$build/base/vl/aimc-vl
vlt=$build/base/vl/aimc-test-vl   # the chip tests on the same model (tests/chip)
pass=0; fail=0
[ -x "$vl" ] && [ -x "$vlt" ] || { echo "FAIL setup: $vl or $vlt missing (make vl CONFIG=base)"; exit 1; }
expect() { # name, expected exit, regex that must match, regex that must not match, command...
  local name=$1 want=$2 re=$3 bad=$4; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out" && ! grep -Eq -- "$bad" <<<"$out"; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: expected exit $want, /$re/ and not /$bad/; got exit $rc: $(tail -4 <<<"$out" | tr '\n' ' ')"
    fail=$((fail + 1))
  fi
}
# the crossbar macro's own check still prints its error (it is how the mismatch is found); what
# must not happen is the abort (exit 134) it used to end in
abort='Aborting|core dumped'
# tiny (1 tile of 16x8, 2-bit DAC, 14-bit ADC) on the base model (64x32, 1-bit DAC, 8-bit ADC)
expect "info: tiny on the base model" 1 "rows: chip 64, config 16.*make vl CONFIG=tiny" "$abort" \
  "$vl" info --config configs/tiny.cfg --backend verilator
expect "info names every differing field" 1 "cols: chip 32, config 8" "$abort" \
  "$vl" info --config configs/tiny.cfg --backend verilator
expect "layer-test: tiny on the base model" 1 "differs from config tiny.*make vl CONFIG=tiny" "$abort" \
  "$vlt" layer-test --config configs/tiny.cfg --backend verilator --rows 8 --cols 8 --batch 1
expect "csr-test: tiny on the base model" 1 "built from configs/base.cfg" "$abort" \
  "$vlt" csr-test --config configs/tiny.cfg --backend verilator
# base's geometry and readback with tile_overlap = 1: only the RTL parameters differ (the model
# records its own; aimc_vl_rtl_params), the run is refused naming TileOverlap
tmpcfg=$(mktemp "${TMPDIR:-/tmp}/robust_vl.XXXXXX.cfg") || exit 1
trap 'rm -f "$tmpcfg"' EXIT
{ cat configs/base.cfg; echo "tile_overlap = 1"; } > "$tmpcfg"
expect "info: base + tile_overlap on the base model" 1 \
  "built with other RTL parameters than config base \(1: TileOverlap: model 0, config 1\).*make vl CONFIG=" \
  "$abort" "$vl" info --config "$tmpcfg" --backend verilator
expect "layer-test: base + tile_overlap on the base model" 1 "TileOverlap: model 0, config 1" "$abort" \
  "$vlt" layer-test --config "$tmpcfg" --backend verilator --rows 8 --cols 8 --batch 1
# the right config still works on the same binary
expect "info: base on the base model" 0 "answers as config base" "$abort" \
  "$vl" info --config configs/base.cfg --backend verilator
# the simulated board (aimc-uart-vl, digital twin) of ice40, when built (make uart-vl CONFIG=ice40)
uart=$build/ice40/uart/aimc-uart-vl
if [ -x "$uart" ]; then
  expect "uart-sim: a config with the analog crossbar" 1 "digital-twin crossbar, config tiny has xbar_impl 0" "$abort" \
    timeout 120 "$uart" info --config configs/tiny.cfg --backend uart-sim
  expect "uart-sim: another twin config names the fields and the board's config" 1 \
    "rows: chip 4, config 16.*the chip answers as configs/ice40.cfg" "$abort" \
    timeout 120 "$uart" info --config configs/tiny_twin.cfg --backend uart-sim
else
  echo "SKIP uart-sim cases: $uart not built"
fi
echo "robust_vl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
