#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Accuracy cost of each injected fault (docs/robustness.md "Fault table") on the digits MLP
# (64-32-10, the network of `make sim`, exported for configs/base.cfg: layer 1 on tile 0, layer 2
# on tile 1) run by `aimc run` on the C model (base's programming error and read noise on), 360
# test images, seeds 1..3. Prints one line per fault: accuracy per seed and the mean, and the
# cost against the fault-free chip. Checks that a dead ADC of the output layer (4 of the 10
# logits constant) costs at least 20 points: the table is measured, the check keeps it honest.
# Usage: tests/system/fault_accuracy.sh [BUILD]   (FAULT_SEEDS="1 2 3" to change the seeds)
set -u
build=${1:-${BUILD:-build}}
py=${PYTHON:-.venv/bin/python}
case $py in /*) ;; */*) py=$PWD/$py ;; esac
aimc=$build/sw/aimc
dir=$build/tests/fault_accuracy
seeds=${FAULT_SEEDS:-1 2 3}
mkdir -p "$dir"
PYTHON=$py tests/system/selftest_net.sh "$aimc" configs/base.cfg "$dir/net" > /dev/null ||
  { echo "FAIL setup: the digits network was not exported"; exit 1; }
faults=(
  "none|"
  "stuck 0.1 % (half gmin, half gmax)|stuck_gmin_frac=0.0005 stuck_gmax_frac=0.0005"
  "stuck 1 %|stuck_gmin_frac=0.005 stuck_gmax_frac=0.005"
  "stuck 5 %|stuck_gmin_frac=0.025 stuck_gmax_frac=0.025"
  "stuck at gmin 1 %|stuck_gmin_frac=0.01"
  "stuck at gmax 1 %|stuck_gmax_frac=0.01"
  "dead ADC, hidden layer (tile 0 ADC 0, 4 of 32 units)|fault_tile=0 fault_adc_dead=1 fault_adc=0"
  "dead ADC, output layer (tile 1 ADC 0, logits 0-3)|fault_tile=1 fault_adc_dead=1 fault_adc=0"
  "dead DAC row, hidden layer (tile 0 row 20, 1 of 64 pixels)|fault_tile=0 fault_dac_dead=1 fault_dac_row=20"
  "dead DAC row, output layer (tile 1 row 5, 1 of 32 units)|fault_tile=1 fault_dac_dead=1 fault_dac_row=5"
  "drifted column 0.8, hidden layer (tile 0 col 7)|fault_tile=0 fault_col=7 fault_col_gain=0.8"
  "drifted column 0.8, output layer (tile 1 col 3)|fault_tile=1 fault_col=3 fault_col_gain=0.8"
  "drifted column 1.2, output layer (tile 1 col 3)|fault_tile=1 fault_col=3 fault_col_gain=1.2"
)
fail=0
for i in "${!faults[@]}"; do
  label=${faults[$i]%%|*}; keys=${faults[$i]#*|}
  { cat configs/base.cfg; for k in $keys; do echo "${k%%=*} = ${k#*=}"; done; } > "$dir/f$i.cfg"
  accs=()
  for s in $seeds; do
    if ! "$aimc" run --config "$dir/f$i.cfg" --backend cmodel --seed "$s" --net "$dir/net/net.khnf" \
         --inputs "$dir/net/test_inputs.i8" --out "$dir/f$i.s$s.i8" > "$dir/f$i.s$s.log" 2>&1; then
      echo "FAIL $label seed $s: $(tail -2 "$dir/f$i.s$s.log")"; fail=1; continue
    fi
    accs+=("$("$py" -c 'import sys, numpy as np
y = np.fromfile(sys.argv[1], np.int8).reshape(-1, 10)
lab = np.loadtxt(sys.argv[2], dtype=int)
print(f"{100 * np.mean(y.argmax(1) == lab):.2f}")' "$dir/f$i.s$s.i8" "$dir/net/test_labels.txt")")
  done
  mean=$(printf '%s\n' "${accs[@]}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')
  [ "$i" = 0 ] && base=$mean
  cost=$(awk -v a="$base" -v b="$mean" 'BEGIN { printf "%+.2f", b - a }')
  printf '%-62s %s  mean %6s %%  cost %6s\n' "$label" "${accs[*]}" "$mean" "$cost"
  case $label in "dead ADC, output layer"*)
    awk -v c="$cost" 'BEGIN { exit !(c <= -20) }' || { echo "FAIL: a dead output ADC costs only $cost points"; fail=1; } ;;
  esac
done
[ "$fail" = 0 ] && echo "fault_accuracy: done" || { echo "fault_accuracy: FAIL"; exit 1; }
