#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz the config parser (tests/fuzz/fuzz_config.c) with libFuzzer + ASan + UBSan.
#   tools/fuzz_config.sh [--build DIR] [--time SECONDS] [--seed N]
# Builds DIR/fuzz/fuzz_config with clang, seeds the corpus with configs/*.cfg and the test configs
# (tests/system/*.cfg, tests/unit/tile/*.cfg), grows it in DIR/fuzz/config-corpus, runs for SECONDS
# and writes DIR/reports/fuzz_config.json (executions, corpus size, findings). Exit 1 on a finding:
# the reproducer file and the rerun command are printed; 2 on usage errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
NAME=fuzz_config.sh
HELP_LINES=3,8p
# shellcheck source=tools/fuzz_common.sh
. tools/fuzz_common.sh
fuzz_args "$@"

out=$BUILD/fuzz
bin=$out/fuzz_config
mkdir -p "$out/config-corpus" "$out/config-crashes" "$BUILD/reports"
fuzz_build "$bin" "tests/fuzz/fuzz_config.c analog_models/c/aimc_config.c" "analog_models/c/aimc_config.h" \
  -Ianalog_models/c
seeds=$out/config-seeds
rm -rf "$seeds" && mkdir -p "$seeds"
cp configs/*.cfg "$seeds"/
for f in tests/system/*.cfg tests/unit/tile/*.cfg; do [ -e "$f" ] && cp "$f" "$seeds/test_$(basename "$f")"; done
log=$out/fuzz_config.log
echo "$NAME: $bin for ${TIME} s, seed $SEED, $(ls "$seeds" | wc -l) seed configs (log $log)"
fuzz_run "$bin" "$out/config-corpus" "$seeds" "$out/config-crashes" "$log" 8192
fuzz_finish config "$bin" "$out/config-corpus" "$out/config-crashes" "$log" "$BUILD/reports/fuzz_config.json" \
  "tools/fuzz_config.sh --build $BUILD --time $TIME --seed $SEED"
