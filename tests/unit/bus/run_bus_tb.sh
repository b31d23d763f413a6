#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build and run the bus bench tests/unit/bus/aimc_bus_tb.sv on Icarus with the tiny config.
#   tests/unit/bus/run_bus_tb.sh [CONFIG]     (BUILD from the environment, default build)
# Needs $BUILD/sw/aimc and $BUILD/<config>/icarus/aimc_vpi.vpi (make sw icarus CONFIG=tiny).
set -euo pipefail
cd "$(dirname "$0")/../../.."
build=${BUILD:-build}
cfg=${1:-tiny}
cfgfile=configs/$cfg.cfg
aimc=$build/sw/aimc
vpidir=$build/$cfg/icarus
for f in "$cfgfile" "$aimc" "$vpidir/aimc_vpi.vpi"; do
  [ -e "$f" ] || { echo "run_bus_tb: $f is missing (make sw icarus CONFIG=$cfg)" >&2; exit 2; }
done
out=$build/tests/bus/$cfg
mkdir -p "$out"
# shellcheck disable=SC2046  # the parameter flags are separate words
iverilog -g2012 -Wall -o "$out/aimc_bus_tb.vvp" -s aimc_bus_tb \
  $("$aimc" config --rtl-params icarus --top aimc_bus_tb "$cfgfile") \
  -f rtl/aimc.f tests/unit/bus/aimc_bus_tb.sv
vvp -n -M "$vpidir" -m aimc_vpi "$out/aimc_bus_tb.vvp" +aimc_config="$cfgfile" +aimc_seed=1
