# SPDX-License-Identifier: Apache-2.0
# Shared steps of the libFuzzer drivers (tools/fuzz.sh: the network-file loader, tools/fuzz_config.sh:
# the config parser); sourced, not run. Each driver sets NAME (its file name, for messages) and
# HELP_LINES (the sed range of its usage comment), then calls the functions in order.

# fuzz_args "$@": --build DIR, --time SECONDS, --seed N into BUILD, TIME, SEED (exit 2 on a bad one).
fuzz_args() {
  BUILD=build
  TIME=60
  SEED=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --build) [ $# -ge 2 ] || { echo "$NAME: --build needs a value" >&2; exit 2; }; BUILD=$2; shift 2 ;;
      --time) [ $# -ge 2 ] || { echo "$NAME: --time needs a value" >&2; exit 2; }; TIME=$2; shift 2 ;;
      --seed) [ $# -ge 2 ] || { echo "$NAME: --seed needs a value" >&2; exit 2; }; SEED=$2; shift 2 ;;
      -h|--help) sed -n "$HELP_LINES" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "$NAME: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
  done
  [[ "$TIME" =~ ^[1-9][0-9]*$ ]] || { echo "$NAME: --time must be a positive integer of seconds, got '$TIME'" >&2; exit 2; }
  [[ "$SEED" =~ ^[0-9]+$ ]] || { echo "$NAME: --seed must be a non-negative integer, got '$SEED'" >&2; exit 2; }
  CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
  [ -n "$CLANG" ] || { echo "$NAME: clang not found (Debian: apt-get install clang-14 libclang-rt-14-dev; tools/setup.sh does this)" >&2; exit 2; }
}

# fuzz_build BIN "SOURCES" "HEADERS" [extra clang flags...]: (re)build BIN with libFuzzer + ASan +
# UBSan when it is missing or older than a source or header; through BIN.tmp, renamed into place.
fuzz_build() {
  local bin=$1 srcs=$2 hdrs=$3 stale=0 f
  shift 3
  [ -x "$bin" ] || stale=1
  for f in $srcs $hdrs; do [ "$f" -nt "$bin" ] && stale=1; done
  if [ $stale = 1 ]; then
    # shellcheck disable=SC2086
    "$CLANG" -std=c11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
      -fno-sanitize-recover=undefined -ffp-contract=off -Wall -Wextra -Werror "$@" $srcs -lm -o "$bin.tmp"
    mv "$bin.tmp" "$bin"
  fi
}

# fuzz_run BIN CORPUS SEEDS CRASHES LOG MAX_LEN: run for TIME seconds with SEED; sets FUZZ_RC.
fuzz_run() {
  local bin=$1 corpus=$2 seeds=$3 crashes=$4 log=$5 max_len=$6
  rm -f "$crashes"/*
  set +e
  "$bin" -max_total_time="$TIME" -seed="$SEED" -rss_limit_mb=1024 -max_len="$max_len" \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1
  FUZZ_RC=$?
  set -e
}

# fuzz_finish TARGET BIN CORPUS CRASHES LOG REPORT RERUN: REPORT (JSON, through a temporary renamed
# into place), then PASS (exit 0) or the findings with their reproducers and FAIL (exit 1).
fuzz_finish() {
  local target=$1 bin=$2 corpus=$3 crashes=$4 log=$5 report=$6 rerun=$7 execs ncorpus ncrash tmp c
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  ncorpus=$(ls "$corpus" | wc -l)
  ncrash=$(ls "$crashes" | wc -l)
  tmp=$(mktemp "$(dirname "$report")/.$(basename "$report").XXXXXX")
  cat > "$tmp" <<JSON
{"target": "$target", "seconds": $TIME, "seed": $SEED, "executions": ${execs:-0}, "corpus_files": $ncorpus, "findings": $ncrash, "exit_code": $FUZZ_RC}
JSON
  sync "$tmp" 2>/dev/null || true
  mv "$tmp" "$report"
  if [ "$FUZZ_RC" -ne 0 ] || [ "$ncrash" -ne 0 ]; then
    tail -40 "$log"
    for c in "$crashes"/*; do
      [ -e "$c" ] && echo "$NAME: FINDING, reproducer $c; rerun: $bin $c"
    done
    echo "$NAME: FAIL (exit $FUZZ_RC, seed $SEED; rerun: $rerun)"
    exit 1
  fi
  echo "$NAME: PASS, ${execs:-0} executions in ${TIME} s, corpus $ncorpus files, 0 findings"
}
