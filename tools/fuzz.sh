#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz the network-file loader (tests/fuzz/fuzz_netfile.c) with libFuzzer + ASan + UBSan.
#   tools/fuzz.sh [--build DIR] [--time SECONDS] [--seed N]
# Builds DIR/fuzz/fuzz_netfile with clang, writes the seed corpus (valid files of versions 1-3 from
# the Python exporter) to DIR/fuzz/seeds, grows the corpus in DIR/fuzz/corpus, runs for SECONDS, and
# writes DIR/reports/fuzz.json (executions, corpus size, findings). Exit 1 on a finding: the
# reproducer file and the rerun command are printed; 2 on usage errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
NAME=fuzz.sh
HELP_LINES=3,9p
# shellcheck source=tools/fuzz_common.sh
. tools/fuzz_common.sh
fuzz_args "$@"
PYTHON=${PYTHON:-$top/.venv/bin/python}

out=$BUILD/fuzz
bin=$out/fuzz_netfile
mkdir -p "$out/corpus" "$out/crashes" "$BUILD/reports"
fuzz_build "$bin" "tests/fuzz/fuzz_netfile.c sw/src/netfile.c sw/src/graph_file.c sw/src/graph_ref.c sw/src/khnf_io.c sw/src/aimc_err.c" \
  "sw/include/aimc.h sw/src/aimc_priv.h sw/src/khnf_io.h" -Isw/include -Ianalog_models/c
rm -rf "$out/seeds" && "$PYTHON" tests/fuzz/make_seeds.py "$out/seeds" >/dev/null
log=$out/fuzz.log
echo "$NAME: $bin for ${TIME} s, seed $SEED (log $log)"
fuzz_run "$bin" "$out/corpus" "$out/seeds" "$out/crashes" "$log" 4096
fuzz_finish netfile "$bin" "$out/corpus" "$out/crashes" "$log" "$BUILD/reports/fuzz.json" \
  "tools/fuzz.sh --build $BUILD --time $TIME --seed $SEED"
