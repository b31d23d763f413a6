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
BUILD=build
TIME=60
SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --time) TIME=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    -h|--help) sed -n '3,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz_config.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$TIME" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz_config.sh: --time must be a positive integer of seconds, got '$TIME'" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "fuzz_config.sh: --seed must be a non-negative integer, got '$SEED'" >&2; exit 2; }
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "fuzz_config.sh: clang not found (Debian: apt-get install clang-14 libclang-rt-14-dev; tools/setup.sh does this)" >&2; exit 2; }

out=$BUILD/fuzz
bin=$out/fuzz_config
srcs="tests/fuzz/fuzz_config.c analog_models/c/aimc_config.c"
mkdir -p "$out/config-corpus" "$out/config-crashes" "$BUILD/reports"
stale=0
[ -x "$bin" ] || stale=1
for f in $srcs analog_models/c/aimc_config.h; do [ "$f" -nt "$bin" ] && stale=1; done
if [ $stale = 1 ]; then
  "$CLANG" -std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -Wall -Wextra -Werror \
    -fno-sanitize-recover=undefined -ffp-contract=off -Ianalog_models/c $srcs -lm -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
fi
seeds=$out/config-seeds
rm -rf "$seeds" && mkdir -p "$seeds"
cp configs/*.cfg "$seeds"/
for f in tests/system/*.cfg tests/unit/tile/*.cfg; do [ -e "$f" ] && cp "$f" "$seeds/test_$(basename "$f")"; done
rm -f "$out/config-crashes"/*
log=$out/fuzz_config.log
echo "fuzz_config.sh: $bin for ${TIME} s, seed $SEED, $(ls "$seeds" | wc -l) seed configs (log $log)"
set +e
"$bin" -max_total_time="$TIME" -seed="$SEED" -rss_limit_mb=1024 -max_len=8192 \
  -artifact_prefix="$out/config-crashes/" -print_final_stats=1 "$out/config-corpus" "$seeds" >"$log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
corpus=$(ls "$out/config-corpus" | wc -l)
crashes=$(ls "$out/config-crashes" | wc -l)
tmp=$(mktemp "$BUILD/reports/.fuzz_config.json.XXXXXX")
cat > "$tmp" <<JSON
{"target": "config", "seconds": $TIME, "seed": $SEED, "executions": ${execs:-0}, "corpus_files": $corpus, "findings": $crashes, "exit_code": $rc}
JSON
mv "$tmp" "$BUILD/reports/fuzz_config.json"
if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
  tail -40 "$log"
  for c in "$out/config-crashes"/*; do
    [ -e "$c" ] && echo "fuzz_config.sh: FINDING, reproducer $c; rerun: $bin $c"
  done
  echo "fuzz_config.sh: FAIL (exit $rc, seed $SEED; rerun: tools/fuzz_config.sh --build $BUILD --time $TIME --seed $SEED)"
  exit 1
fi
echo "fuzz_config.sh: PASS, ${execs:-0} executions in ${TIME} s, corpus $corpus files, 0 findings"
