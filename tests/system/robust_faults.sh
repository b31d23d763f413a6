#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16 item 5: faults injected in the C analog model (docs/robustness.md "Fault injection")
# are found by `aimc selftest` and named by tile, row and column in its --faults report.
# C model (cmodel back-end) on tests/system/tiny3.cfg (3 tiles of 16x8, 4 ADCs of 2 columns):
# no fault (exit 0, nothing found), a dead ADC, a dead DAC row, a drifted column (each on a tile
# other than 0), stuck cells (program-and-verify count and the wrong cells), all at once; then
# configs/base.cfg (noisy: the diagnosis with a tolerance) without and with faults.
# With VL=path/to/aimc-vl (a build of configs/tiny.cfg) the same on the RTL for tiny plus a
# dead ADC, a dead DAC row and a drifted column at once: the RTL's report equals the C model's.
# Usage: tests/system/robust_faults.sh [BUILD]
set -u
build=${1:-${BUILD:-build}}
py=${PYTHON:-.venv/bin/python}
aimc=$build/sw/aimc
dir=$build/tests/robust_faults
rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"; else fail=$((fail + 1)); echo "FAIL $1: $3"; fi; }
mkcfg() { # base, name, fault lines...
  local base=$1 name=$2; shift 2
  { grep -v '^name' "$base"; echo "name = $name"; printf '%s\n' "$@"; } > "$dir/$name.cfg"
}
# selftest on a back-end; checks its exit code and the report with a Python expression over r
# (the report) and t (its tiles)
st() { # label, exe, backend, cfg, expected exit, python condition
  local out rc
  "$2" selftest --config "$dir/$4.cfg" --backend "$3" --faults "$dir/$4.$3.json" > "$dir/$4.$3.log" 2>&1
  rc=$?
  out=$("$py" - "$dir/$4.$3.json" "$6" <<'PY' 2>&1
import json, sys
r = json.load(open(sys.argv[1])); t = r["tiles"]
print("" if eval(sys.argv[2]) else json.dumps(r)[:600])
PY
)
  [ "$rc" = "$5" ] && [ -z "$out" ]
  check "$1" $? "exit $rc (expected $5); $(grep -E 'FAIL|SKIP' "$dir/$4.$3.log" | head -3) $out"
}
# the fault keys are checked like every key: an index out of range, a code outside the ADC's
# range, a fault on the digital twin: exit 2 naming the key
cfgcheck() { # label, expected text, config lines...
  local label=$1 want=$2 out rc; shift 2
  { grep -v '^name' tests/system/tiny3.cfg; echo "name = c"; printf '%s\n' "$@"; } > "$dir/c.cfg"
  out=$("$aimc" config --check "$dir/c.cfg" 2>&1); rc=$?
  [ "$rc" = 2 ] && printf '%s' "$out" | grep -q -- "$want"
  check "config: $label" $? "exit $rc: $out"
}
cfgcheck "fault_tile beyond num_tiles" "fault_tile (3) must be < num_tiles (3)" fault_tile=3
cfgcheck "fault_adc beyond the ADCs" "fault_adc (4) must be < cols / cols_per_adc (4)" fault_adc=4
cfgcheck "fault_adc_code outside the ADC range" "fault_adc_code (8192) must be an integer" fault_adc_code=8192
cfgcheck "fault_dac_row beyond rows" "fault_dac_row (16) must be < rows (16)" fault_dac_row=16
cfgcheck "fault_col beyond cols" "fault_col (8) must be < cols (8)" fault_col=8
cfgcheck "a fault on the digital twin" "but fault_adc_dead is on" xbar_impl=1 fault_adc_dead=1
base=tests/system/tiny3.cfg
mkcfg $base f_none
mkcfg $base f_adc fault_tile=1 fault_adc_dead=1 fault_adc=2 fault_adc_code=-3
mkcfg $base f_dac fault_tile=2 fault_dac_dead=1 fault_dac_row=11
mkcfg $base f_col fault_tile=1 fault_col=6 fault_col_gain=0.9
mkcfg $base f_stuck stuck_gmin_frac=0.01 stuck_gmax_frac=0.01
mkcfg $base f_all stuck_gmax_frac=0.005 fault_tile=2 fault_adc_dead=1 fault_adc=0 fault_dac_dead=1 \
  fault_dac_row=3 fault_col=5 fault_col_gain=1.1
st "no fault: exit 0, nothing found" "$aimc" cmodel f_none 0 \
  'r["faults_found"] == 0 and all(x["checked"] for x in t)'
st "dead ADC: tile 1 ADC 2 (columns 4..5) only" "$aimc" cmodel f_adc 1 \
  '[x["faults_found"] for x in t] == [0, 1, 0] and t[1]["dead_adcs"][0]["adc"] == 2 and t[1]["dead_adcs"][0]["first_col"] == 4'
st "dead DAC row: tile 2 row 11 only" "$aimc" cmodel f_dac 1 \
  '[x["faults_found"] for x in t] == [0, 0, 1] and t[2]["dead_dac_rows"] == [11]'
st "drifted column: tile 1 column 6, gain 0.9" "$aimc" cmodel f_col 1 \
  '[x["faults_found"] for x in t] == [0, 1, 0] and t[1]["drifted_cols"][0]["col"] == 6 and abs(t[1]["drifted_cols"][0]["gain"] - 0.9) < 0.01'
st "stuck cells: program-and-verify counts them, the wrong cells are listed" "$aimc" cmodel f_stuck 1 \
  'sum(x["pv_unconverged"] for x in t) > 0 and sum(x["wrong_cells"] for x in t) == sum(x["pv_unconverged"] for x in t) and not any(x["dead_adcs"] or x["dead_dac_rows"] or x["drifted_cols"] for x in t)'
st "all at once: tile 2 ADC 0, row 3, column 5 (gain 1.1)" "$aimc" cmodel f_all 1 \
  't[2]["dead_adcs"][0]["adc"] == 0 and t[2]["dead_dac_rows"] == [3] and [c["col"] for c in t[2]["drifted_cols"]] == [5] and abs(t[2]["drifted_cols"][0]["gain"] - 1.1) < 0.01'
# configs/base.cfg (the config of `make sim`): programming error and read noise on, the diagnosis
# with a tolerance
mkcfg configs/base.cfg b_none
mkcfg configs/base.cfg b_all stuck_gmin_frac=0.005 stuck_gmax_frac=0.005 fault_tile=1 fault_adc_dead=1 \
  fault_adc=1 fault_dac_dead=1 fault_dac_row=20 fault_col=3 fault_col_gain=0.9
st "base (noisy), no fault: exit 0, nothing found" "$aimc" cmodel b_none 0 \
  'r["faults_found"] == 0 and all(x["checked"] for x in t)'
st "base (noisy), all at once: tile 1 ADC 1, row 20, column 3 (gain 0.9), stuck cells on both tiles" \
  "$aimc" cmodel b_all 1 \
  '[a["adc"] for a in t[1]["dead_adcs"]] == [1] and t[1]["dead_dac_rows"] == [20] and [c["col"] for c in t[1]["drifted_cols"]] == [3] and abs(t[1]["drifted_cols"][0]["gain"] - 0.9) < 0.01 and not t[0]["dead_adcs"] and not t[0]["dead_dac_rows"] and not t[0]["drifted_cols"] and all(x["pv_unconverged"] > 0 and x["wrong_cells"] > 0 for x in t)'
if [ -n "${VL:-}" ]; then
  mkcfg configs/tiny.cfg v_all stuck_gmin_frac=0.01 fault_adc_dead=1 fault_adc=3 fault_adc_code=7 \
    fault_dac_dead=1 fault_dac_row=9 fault_col=1 fault_col_gain=0.85
  st "RTL (Verilator): dead ADC 3, row 9, column 1 found" "$VL" verilator v_all 1 \
    't[0]["dead_adcs"][0]["adc"] == 3 and t[0]["dead_dac_rows"] == [9] and [c["col"] for c in t[0]["drifted_cols"]] == [1]'
  st "C model, same config" "$aimc" cmodel v_all 1 'True'
  cmp -s "$dir/v_all.verilator.json" "$dir/v_all.cmodel.json"
  check "RTL report == C model report" $? "$(diff "$dir/v_all.verilator.json" "$dir/v_all.cmodel.json" | head -5)"
fi
echo "robust_faults: $pass passed, $fail failed"
[ "$fail" = 0 ]
