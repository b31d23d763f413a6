#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz the network-file loader (tests/fuzz/fuzz_netfile.c) with libFuzzer + ASan + UBSan.
#   tools/fuzz.sh [--build DIR] [--time SECONDS] [--seed N]
# Builds DIR/fuzz/fuzz_netfile with clang, writes the seed corpus (valid files from the Python
# exporter) to DIR/fuzz/seeds, grows the corpus in DIR/fuzz/corpus, runs for SECONDS, and writes
# DIR/reports/fuzz.json (executions, corpus size, findings). Exit 1 on a finding: the reproducer
# file and the rerun command are printed.
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
    -h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$TIME" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --time must be a positive integer of seconds, got '$TIME'" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seed must be a non-negative integer, got '$SEED'" >&2; exit 2; }
PYTHON=${PYTHON:-$top/.venv/bin/python}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "fuzz.sh: clang not found (Debian: apt-get install clang-14 libclang-rt-14-dev; tools/setup.sh does this)" >&2; exit 2; }

out=$BUILD/fuzz
bin=$out/fuzz_netfile
srcs="tests/fuzz/fuzz_netfile.c sw/src/netfile.c sw/src/graph_file.c sw/src/graph_ref.c sw/src/aimc_err.c"
mkdir -p "$out/corpus" "$out/crashes" "$BUILD/reports"
stale=0
[ -x "$bin" ] || stale=1
for f in $srcs sw/include/aimc.h; do [ "$f" -nt "$bin" ] && stale=1; done
if [ $stale = 1 ]; then
  "$CLANG" -std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -Isw/include -Ianalog_models/c $srcs -lm -o "$bin"
fi
rm -rf "$out/seeds" && "$PYTHON" tests/fuzz/make_seeds.py "$out/seeds" >/dev/null
rm -f "$out/crashes"/*
log=$out/fuzz.log
echo "fuzz.sh: $bin for ${TIME} s, seed $SEED (log $log)"
set +e
"$bin" -max_total_time="$TIME" -seed="$SEED" -rss_limit_mb=1024 -max_len=4096 \
  -artifact_prefix="$out/crashes/" -print_final_stats=1 "$out/corpus" "$out/seeds" >"$log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
corpus=$(ls "$out/corpus" | wc -l)
crashes=$(ls "$out/crashes" | wc -l)
cat > "$BUILD/reports/fuzz.json" <<JSON
{"target": "netfile", "seconds": $TIME, "seed": $SEED, "executions": ${execs:-0}, "corpus_files": $corpus, "findings": $crashes, "exit_code": $rc}
JSON
if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
  tail -40 "$log"
  for c in "$out/crashes"/*; do
    [ -e "$c" ] && echo "fuzz.sh: FINDING, reproducer $c; rerun: $bin $c"
  done
  echo "fuzz.sh: FAIL (exit $rc, seed $SEED; rerun: tools/fuzz.sh --build $BUILD --time $TIME --seed $SEED)"
  exit 1
fi
echo "fuzz.sh: PASS, ${execs:-0} executions in ${TIME} s, corpus $corpus files, 0 findings"
