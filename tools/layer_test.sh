#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make layer-test`: one random int8 FC layer on the C model, Verilator (live) or Icarus (the C
# model's bus trace replayed on the RTL, then the same checks on the Icarus results).
#   tools/layer_test.sh --config CFG --rows K --cols N --batch B --seed S
#                       --sim cmodel|verilator|icarus [--build DIR] [--waves]
set -euo pipefail

build=build; cfg=; rows=; cols=; batch=; seed=; sim=; waves=0
usage() {
  echo "usage: tools/layer_test.sh --config CFG --rows K --cols N --batch B --seed S" \
       "--sim cmodel|verilator|icarus [--build DIR] [--waves]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --config) cfg=${2:?--config needs a value}; shift 2 ;;
    --rows) rows=${2:?--rows needs a value}; shift 2 ;;
    --cols) cols=${2:?--cols needs a value}; shift 2 ;;
    --batch) batch=${2:?--batch needs a value}; shift 2 ;;
    --seed) seed=${2:?--seed needs a value}; shift 2 ;;
    --sim) sim=${2:?--sim needs a value}; shift 2 ;;
    --build) build=${2:?--build needs a value}; shift 2 ;;
    --waves) waves=1; shift ;;
    -h|--help) usage ;;
    *) echo "layer_test: unknown option '$1'" >&2; usage ;;
  esac
done
[ -n "$cfg" ] && [ -n "$rows" ] && [ -n "$cols" ] && [ -n "$batch" ] && [ -n "$seed" ] && [ -n "$sim" ] || usage
case "$sim" in cmodel|verilator|icarus) ;; *) echo "layer_test: SIM must be cmodel, verilator or icarus, not '$sim'" >&2; exit 2 ;; esac
case "$cfg" in */*|*.cfg) cfgfile=$cfg ;; *) cfgfile=configs/$cfg.cfg ;; esac
[ -f "$cfgfile" ] || { echo "layer_test: no config file '$cfgfile'" >&2; exit 2; }
cname=$(basename "$cfgfile" .cfg)
if [ "$waves" = 1 ] && [ "$sim" != verilator ]; then
  echo "layer_test: WAVES=1 needs SIM=verilator (the C model has no waves; the Icarus trace player" \
       "does not dump any)" >&2
  exit 2
fi

aimc=$build/tests/aimc-test   # the chip-test runner (tests/chip)
dir=$build/$cname/layer-test
report=$build/reports/layer-test.json
mkdir -p "$dir" "$build/reports"
# The run writes a temporary beside the report, renamed over it only when the layer passed: a
# failed or interrupted run leaves the previous report as it was (issue 16).
tmp=$build/reports/.layer-test.json.tmp.$$
failed=$build/reports/layer-test.failed.json
trap 'rm -f "$tmp"' EXIT
flags=(--config "$cfgfile" --rows "$rows" --cols "$cols" --batch "$batch" --seed "$seed")
rerun="make layer-test CONFIG=$cfgfile ROWS=$rows COLS=$cols BATCH=$batch SEED=$seed SIM=$sim"
need() { [ -e "$1" ] || { echo "layer_test: $1 is missing; run '$2'" >&2; exit 2; }; }
need "$aimc" "make $aimc"

summary() {
  local f=${1:-$report}
  if [ -f "$f" ]; then
    echo "layer_test: report $f:"
    grep -E '^  "(config|sim|rows|cols|batch|seed|bit_exact_vs_openblas|mismatches_vs_cmodel|compared|cycles|wall_s|pass)"' \
      "$f" | sed -e 's/^  /  /' -e 's/,$//'
  fi
  echo "layer_test: rerun: $rerun"
}
# The end of a run: the report into place on success; on a failure the previous report stays and
# the failed run's report (if any) goes to $failed.
finish() {
  if [ "$rc" = 0 ] && [ -f "$tmp" ]; then
    mv -f "$tmp" "$report"
    summary "$report"
  else
    [ "$rc" = 0 ] && rc=1
    if [ -f "$tmp" ]; then
      mv -f "$tmp" "$failed"
      summary "$failed"
    else
      summary /nonexistent
    fi
    [ -f "$report" ] && echo "layer_test: the previous report $report is left as it was"
  fi
  exit $rc
}

rc=0
case "$sim" in
  cmodel)
    "$aimc" layer-test "${flags[@]}" --backend cmodel --report "$tmp" || rc=$?
    ;;
  verilator)
    vl=$build/$cname/vl/aimc-test-vl
    [ "$waves" = 1 ] && vl=$build/$cname/vl-waves/aimc-test-vl   # the trace build (WAVES=1)
    need "$vl" "make vl CONFIG=$cname$([ "$waves" = 1 ] && echo " WAVES=1")"
    wflags=()
    [ "$waves" = 1 ] && wflags=(--waves "$dir/layer-test.fst") && echo "layer_test: waves in $dir/layer-test.fst"
    "$vl" layer-test "${flags[@]}" --backend verilator "${wflags[@]}" --report "$tmp" || rc=$?
    ;;
  icarus)
    vvpdir=$build/$cname/icarus
    need "$vvpdir/sim.vvp" "make icarus CONFIG=$cname"
    need "$vvpdir/aimc_vpi.vpi" "make icarus CONFIG=$cname"
    trace=$dir/trace.txt; log=$dir/icarus-result.txt
    rm -f "$trace" "$log"
    t0=$(date +%s.%N)
    echo "layer_test: [1/3] C model, recording the bus trace $trace"
    if ! "$aimc" layer-test "${flags[@]}" --backend cmodel --record "$trace" \
         --report "$dir/record.json" > "$dir/record.log" 2>&1; then
      tail -20 "$dir/record.log"; echo "layer_test: FAIL (the recording run failed)"; rc=1; finish
    fi
    echo "layer_test: [2/3] Icarus replays the trace ($(grep -c '^[WRP] ' "$trace") bus ops)"
    if ! vvp -n -M "$vvpdir" -m aimc_vpi "$vvpdir/sim.vvp" +trace="$trace" +log="$log" \
         +aimc_config="$cfgfile" +aimc_seed="$seed" > "$dir/icarus.log" 2>&1 \
       || ! grep -q '^C ' "$log" 2>/dev/null; then
      tail -20 "$dir/icarus.log"; echo "layer_test: FAIL (Icarus did not finish the trace)"; rc=1; finish
    fi
    echo "layer_test: [3/3] the layer checks on the Icarus results"
    "$aimc" layer-test "${flags[@]}" --backend "replay:$log" --sim-label icarus --report "$tmp" || rc=$?
    # The replay step alone takes milliseconds: report the wall time of the whole Icarus flow.
    if [ -f "$tmp" ]; then
      wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
      sed -i -e "s/^  \"wall_s\": [0-9.eE+-]*/  \"wall_s\": $wall/" "$tmp"
    fi
    ;;
esac
finish
