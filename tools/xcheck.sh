#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cross-simulator check (verification level X, docs/architecture.md): run an `aimc` subcommand or an
# `aimc-test` chip test live on Verilator while recording the bus trace, replay the trace on Icarus,
# require identical read data, responses and cycle counters, then run the same subcommand's own
# checks on the Icarus results (replay back-end).
#   tools/xcheck.sh --config CFG --seed N [--build DIR] [--name NAME] -- SUBCOMMAND [ARGS...]
set -euo pipefail
build=build; cfg=; seed=; name=
while [ $# -gt 0 ]; do
  case "$1" in
    --config) cfg=${2:?--config needs a value}; shift 2 ;;
    --seed) seed=${2:?--seed needs a value}; shift 2 ;;
    --build) build=${2:?--build needs a value}; shift 2 ;;
    --name) name=${2:?--name needs a value}; shift 2 ;;
    --) shift; break ;;
    *) echo "xcheck: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$cfg" ] && [ -n "$seed" ] && [ $# -ge 1 ] || {
  echo "usage: xcheck.sh --config CFG --seed N [--build DIR] [--name NAME] -- SUBCOMMAND [ARGS...]" >&2; exit 2; }
case "$cfg" in */*|*.cfg) cfgfile=$cfg ;; *) cfgfile=configs/$cfg.cfg ;; esac
[ -f "$cfgfile" ] || { echo "xcheck: no config file '$cfgfile'" >&2; exit 2; }
cname=$(basename "$cfgfile" .cfg)
sub=$1; shift
name=${name:-$sub-$cname-$seed}
dir=$build/xcheck/$name
mkdir -p "$dir"
# The chip tests run from the test runner (tests/chip, issue 19), the product's subcommands from aimc.
case "$sub" in
  csr-test|illegal-test|err-test|seq-test|pv-test|pipeline-test|bridge-test|layer-test)
    vl=$build/$cname/vl/aimc-test-vl; host=$build/tests/aimc-test ;;
  *) vl=$build/$cname/vl/aimc-vl; host=$build/sw/aimc ;;
esac
vvpdir=$build/$cname/icarus
for f in "$vl" "$vvpdir/sim.vvp" "$vvpdir/aimc_vpi.vpi" "$build/sw/aimc" "$host"; do
  [ -e "$f" ] || { echo "xcheck: $f is missing; run 'make vl icarus sw CONFIG=$cname'" >&2; exit 2; }
done
rerun="tools/xcheck.sh --config $cfgfile --seed $seed --build $build --name $name -- $sub $*"
fail() { echo "xcheck: FAIL ($1)"; echo "xcheck: rerun: $rerun"; exit 1; }

# aimc --time (issue 18) reaches the Icarus crossbar model as +aimc_time
timearg=(); prev=
for a in "$@"; do [ "$prev" = --time ] && timearg=(+aimc_time="$a"); prev=$a; done
echo "xcheck: [1/4] verilator live, recording $dir/trace.txt"
"$vl" "$sub" --config "$cfgfile" --seed "$seed" --backend verilator --record "$dir/trace.txt" "$@" \
  > "$dir/verilator.log" 2>&1 || { tail -20 "$dir/verilator.log"; fail "verilator run"; }
echo "xcheck: [2/4] icarus replay"
vvp -n -M "$vvpdir" -m aimc_vpi "$vvpdir/sim.vvp" +trace="$dir/trace.txt" +log="$dir/icarus-result.txt" \
  +aimc_config="$cfgfile" +aimc_seed="$seed" "${timearg[@]}" > "$dir/icarus.log" 2>&1 || { tail -20 "$dir/icarus.log"; fail "icarus run"; }
grep -q '^C ' "$dir/icarus-result.txt" 2>/dev/null || { tail -20 "$dir/icarus.log"; fail "icarus did not finish the trace"; }
echo "xcheck: [3/4] compare every read, response and cycle count"
"$build/sw/aimc" trace-compare "$dir/trace.txt" "$dir/icarus-result.txt" || fail "verilator and icarus differ"
echo "xcheck: [4/4] the same checks on the icarus results"
"$host" "$sub" --config "$cfgfile" --seed "$seed" --backend "replay:$dir/icarus-result.txt" "$@" \
  > "$dir/replay.log" 2>&1 || { tail -20 "$dir/replay.log"; fail "checks on icarus results"; }
echo "xcheck: PASS $name (verilator == icarus, $(grep -c '^[RP] ' "$dir/trace.txt") reads compared)"
