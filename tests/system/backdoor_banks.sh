#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Verilator backdoor writes into the banks of the parameter and activation buffers by the
# config's post_lanes and load_words (docs/decisions/0012). A model built with another bank count
# than the config says must refuse --backdoor (no write into the wrong bank): the tiny model (one
# bank each) run with tiny's config plus post_lanes = 4, and plus load_words = 4, stops with a
# failing exit before any write, naming the parameter (the open compares the model's RTL
# parameters with the config's: PostLanes, LoadWords; the backdoor's own bank check behind it
# refuses the same runs when the model records no parameters); with tiny's own config the same run
# passes.
#   tests/system/backdoor_banks.sh BUILD      (needs BUILD/tiny/vl/aimc-test-vl)
set -u
[ $# -eq 1 ] || { echo "usage: tests/system/backdoor_banks.sh BUILD" >&2; exit 2; }
cd "$(dirname "$0")/../.."
vl=$1/tiny/vl/aimc-test-vl
[ -x "$vl" ] || { echo "backdoor_banks: $vl missing (make vl CONFIG=tiny)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/backdoor_banks.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
fails=0
args=(layer-test --rows 8 --cols 8 --batch 1 --seed 1 --backend verilator --backdoor)
"$vl" "${args[@]}" --config configs/tiny.cfg > "$work/ok.log" 2>&1 ||
	{ echo "FAIL tiny's own config: $(tail -3 "$work/ok.log" | tr '\n' ' ')"; fails=$((fails + 1)); }
for case in "post_lanes = 4|PostLanes: model 1, config 4" "load_words = 4|LoadWords: model 1, config 4"; do
	key=${case%%|*} want=${case#*|}
	{ cat configs/tiny.cfg; echo "$key"; } > "$work/cfg.cfg"
	out=$("$vl" "${args[@]}" --config "$work/cfg.cfg" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] || [[ $out != *"built with other RTL parameters"*"$want"* ]]; then
		echo "FAIL tiny model with '$key': exit $rc, expected a failure naming '$want': $(printf '%s' "$out" | head -2)"
		fails=$((fails + 1))
	fi
done
[ $fails -eq 0 ] && { echo "backdoor_banks: PASS"; exit 0; }
exit 1
