#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 17, item 4: backdoor loads (docs/trace-format.md, "Backdoor loads") give the same bits and
# counters as the frontdoor. For each case the same layer-test runs twice on the Verilator model of
# CONFIG, once with every buffer loaded over the bus and once with --backdoor; both must pass L0
# (every output byte and raw accumulator equal to the C model's, event counters too), their
# reports must agree on every counter (chip and per tile, cycles included) and on what was
# compared, and the backdoor run must spend fewer simulated cycles (sim_cycles: else the loads
# went over the bus after all). Recorded with --record, the two runs give the same trace, byte for
# byte (backdoor writes are recorded as bus writes: the Icarus player replays them over the bus and
# reads the same values). --backdoor with the C model is a usage error.
# Usage: tests/system/backdoor.sh BUILD CONFIG ROWS COLS BATCH SEED [layer-test flags...]
set -u
[ $# -ge 6 ] || { echo "usage: tests/system/backdoor.sh BUILD CONFIG ROWS COLS BATCH SEED [flags...]" >&2; exit 2; }
build=$1 cfg=$2 rows=$3 cols=$4 batch=$5 seed=$6; shift 6
case $cfg in */*|*.cfg) cfgfile=$cfg ;; *) cfgfile=configs/$cfg.cfg ;; esac
name=$(basename "$cfgfile" .cfg)
vl=$build/$name/vl/aimc-test-vl   # layer-test: the chip-test runner on the model
py=${PYTHON:-python3}
[ -x "$vl" ] || { echo "FAIL setup: $vl missing (make vl CONFIG=$cfgfile)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/backdoor.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail=0
args=(layer-test --config "$cfgfile" --backend verilator --rows "$rows" --cols "$cols" --batch "$batch" --seed "$seed" "$@")
for door in front back; do
  extra=(); [ $door = back ] && extra=(--backdoor)
  if ! "$vl" "${args[@]}" "${extra[@]}" --report "$work/$door.json" > "$work/$door.log" 2>&1; then
    echo "FAIL ${door}door run: $(tail -5 "$work/$door.log" | tr '\n' ' ')"; fail=1
  fi
done
if [ $fail = 0 ]; then
  "$py" - "$work/front.json" "$work/back.json" <<'PY' || fail=1
import json, sys
f, b = (json.load(open(p)) for p in sys.argv[1:3])
bad = []
for k in ("pass", "counters", "cycles", "compared", "mismatches_vs_cmodel", "mismatches_vs_openblas",
          "bit_exact_vs_openblas", "rms_err_lsb_vs_golden", "golden_outputs_saturated", "pv_pulses",
          "pv_unconverged_cells"):
    if f.get(k) != b.get(k):
        bad.append(f"{k}: frontdoor {f.get(k)!r}, backdoor {b.get(k)!r}")
for r, door in ((f, "frontdoor"), (b, "backdoor")):
    if r.get("pass") is not True or r.get("mismatches_vs_cmodel") != 0 or not r.get("compared"):
        bad.append(f"{door}: pass {r.get('pass')}, L0 mismatches {r.get('mismatches_vs_cmodel')}")
fs, bs = f.get("sim_cycles"), b.get("sim_cycles")
if not isinstance(fs, int) or not isinstance(bs, int) or not bs < fs:
    bad.append(f"sim_cycles: frontdoor {fs}, backdoor {bs} (the backdoor must skip the bus cycles)")
for line in bad:
    print("FAIL", line)
if not bad:
    print(f"PASS same outputs and counters (cycles {f['cycles']}, {f['compared']} values compared); "
          f"simulated cycles frontdoor {fs}, backdoor {bs}")
sys.exit(1 if bad else 0)
PY
fi
# the traces of the two doors are the same file
for door in front back; do
  extra=(); [ $door = back ] && extra=(--backdoor)
  "$vl" "${args[@]}" "${extra[@]}" --record "$work/$door.trace" > "$work/$door.rec.log" 2>&1 ||
    { echo "FAIL ${door}door run with --record: $(tail -3 "$work/$door.rec.log" | tr '\n' ' ')"; fail=1; }
done
if [ -s "$work/front.trace" ] && cmp -s "$work/front.trace" "$work/back.trace"; then
  echo "PASS the recorded traces are identical ($(grep -c '^[WRP] ' "$work/front.trace") bus ops)"
else
  echo "FAIL the recorded traces differ: $(diff "$work/front.trace" "$work/back.trace" 2>&1 | head -3 | tr '\n' ' ')"; fail=1
fi
# usage error: exit 2, nothing run
"$vl" layer-test --config "$cfgfile" --backend cmodel --rows "$rows" --cols "$cols" --batch "$batch" --backdoor > "$work/u2.log" 2>&1; rc=$?
if [ $rc -ne 2 ] || ! grep -q -- "--backdoor works only with --backend verilator" "$work/u2.log"; then
  echo "FAIL --backdoor on the C model: exit $rc: $(tail -2 "$work/u2.log" | tr '\n' ' ')"; fail=1
else echo "PASS --backdoor with the C model is a usage error"; fi
exit $fail
