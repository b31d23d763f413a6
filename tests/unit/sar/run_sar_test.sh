#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Unit test of the SAR logic (rtl/afe/aimc_sar.sv): tests/unit/sar/aimc_sar_tb.sv on Icarus and on
# Verilator (--binary --timing: the bench drives its own clock), each must pass and both must print
# the same result line.   tests/unit/sar/run_sar_test.sh [--build DIR]
set -euo pipefail
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=${2:?--build needs a value}; shift 2 ;;
    *) echo "run_sar_test: unknown option '$1'" >&2; exit 2 ;;
  esac
done
dir=$build/unit-sar
mkdir -p "$dir"
srcs=(-Irtl/prim rtl/pkg/aimc_pkg.sv rtl/afe/aimc_sar.sv tests/unit/sar/aimc_sar_tb.sv)
iverilog -g2012 -Wall -o "$dir/tb.vvp" -s aimc_sar_tb "${srcs[@]}"
ic=$(vvp -n "$dir/tb.vvp" | grep '^aimc_sar_tb:' || true)
echo "icarus:    ${ic:-no result line}"
verilator --binary --timing -Wno-fatal -Wno-UNUSEDPARAM --top-module aimc_sar_tb --Mdir "$dir/vl" -o tb \
  "${srcs[@]}" >"$dir/verilator.log" 2>&1 || { tail -20 "$dir/verilator.log"; exit 1; }
vl=$("$dir/vl/tb" | grep '^aimc_sar_tb:' || true)
echo "verilator: ${vl:-no result line}"
case "$ic" in *PASS*) ;; *) echo "run_sar_test: FAIL on icarus (rerun: $0 --build $build)"; exit 1 ;; esac
case "$vl" in *PASS*) ;; *) echo "run_sar_test: FAIL on verilator (rerun: $0 --build $build)"; exit 1 ;; esac
[ "$ic" = "$vl" ] || { echo "run_sar_test: FAIL: icarus and verilator differ"; exit 1; }
echo "run_sar_test: PASS"
