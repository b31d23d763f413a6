#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# aimc compile and aimc info: placement summaries (FC and convolution networks), chip images,
# JSON reports, a network that does not fit (exit 1, message naming the layer and the shortfall),
# bad input (exit 2), and aimc calibrate on the C model and on Verilator giving the same file.
# Network files come from tests/fuzz/make_seeds.py (the exporter).
set -u
aimc=${BUILD:-build}/sw/aimc
py=${PYTHON:-.venv/bin/python}
dir=${BUILD:-build}/tests/compile_test; rm -rf "$dir"; mkdir -p "$dir/img"
pass=0; fail=0
expect() { # name, expected exit, message regex, command...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: expected exit $want and /$re/, got exit $rc: $(head -5 <<<"$out")"; fail=$((fail + 1))
  fi
}
"$py" tests/fuzz/make_seeds.py "$dir" >/dev/null || { echo "FAIL make_seeds"; exit 1; }
# seed2: FC 9 -> 8 -> 8 -> 2; seed_conv: conv 5x5x2 (3x3, stride 2, 4 channels) -> FC 16 -> 3.
expect "compile FC: one segment, three layers, blocks and buffers" 0 \
  'layer 2: fc K=8 N=2 -> 1 row x 1 column blocks.*' \
  "$aimc" compile --config tiny --net "$dir/seed2.khnf" --report "$dir/fc.json" --out-dir "$dir/img"
expect "compile conv: im2col segment with 4 patch vectors per sample" 0 \
  'segment 0: layer 0\.\.0, convolution as im2col MVMs, [0-9]+ chip vectors per run \(4 per sample\)' \
  "$aimc" compile --config tiny --net "$dir/seed_conv.khnf"
# base has 2 tiles: seed1 (5 -> 4 -> 3) is resident, one tile per layer; seed2 (3 layers) is not.
expect "compile: two layers resident on two tiles" 0 \
  'layer 1: fc K=4 N=3 .* on tile 1, adc_shift' \
  "$aimc" compile --config base --net "$dir/seed1.khnf"
expect "compile: three layers on two tiles run serially" 0 'serial on tile 0, blocks reprogrammed' \
  "$aimc" compile --config base --net "$dir/seed2.khnf"
expect "compile writes the chip images" 0 '^[0-9a-f]{16}$' head -1 "$dir/img/seg0.prog.hex"
expect "compile report: segments and per-layer blocks" 0 'ok' "$py" -c "
import json, sys
r = json.load(open('$dir/fc.json'))
L = r['segment']['0']['layer']
assert r['segments'] == 1 and r['config'] == 'tiny' and set(L) == {'0', '1', '2'}, r
assert L['0']['k'] == 9 and L['0']['row_blocks'] == 1 and r['segment']['0']['instructions'] > 0
n = sum(1 for _ in open('$dir/img/seg0.prog.hex'))
assert n == r['segment']['0']['instructions'], (n, r)
print('ok')"
# A config whose weight buffer holds 16 words (one 16x8 block is 32): does not fit.
sed -e 's/^wgt_depth.*//' -e 's/^name.*/name = tinywgt/' configs/tiny.cfg > "$dir/tinywgt.cfg"
echo "wgt_depth = 16" >> "$dir/tinywgt.cfg"
expect "does not fit: exit 1 naming the layer and the shortfall" 1 \
  'layer 0 \(K=9, N=8\): weights need [0-9]+ words .*weight buffer has 16' \
  "$aimc" compile --config "$dir/tinywgt.cfg" --net "$dir/seed2.khnf" --batch 1
expect "compile: missing --net" 2 'required' "$aimc" compile --config tiny
expect "compile: --batch 0" 2 'batch' "$aimc" compile --config tiny --net "$dir/seed2.khnf" --batch 0
expect "compile: unknown option" 2 "unknown option '--frob'" "$aimc" compile --frob 1
expect "compile: corrupt network file" 2 'crc32|magic|short' \
  "$aimc" compile --config tiny --net "$dir/../compile_test/img/seg0.par.hex"
expect "info: chip identity, counters and placement on the C model" 0 \
  'info: chip on cmodel answers as config tiny.*' \
  "$aimc" info --config tiny --net "$dir/seed_conv.khnf" --report "$dir/info.json"
expect "info report" 0 'ok' "$py" -c "
import json; r = json.load(open('$dir/info.json')); assert r['counters']['instrs'] == 0 and r['pass']; print('ok')"
expect "info: unknown option" 2 "unknown option" "$aimc" info --config tiny --nett x
# Calibration on the live Verilator model gives the same file as on the C model (L0 contract).
vl=${BUILD:-build}/small/vl/aimc-vl
"$py" -c "
import numpy as np; np.random.default_rng(5).integers(-127, 128, size=(40, 5), dtype=np.int8).tofile('$dir/cal.i8')"
expect "calibrate on the C model (small)" 0 'wrote' "$aimc" calibrate --config small --seed 4 \
  --net "$dir/seed1.khnf" --inputs "$dir/cal.i8" --out "$dir/cal_cm.khnf" --shifts keep
expect "calibrate on Verilator (small)" 0 'wrote' "$vl" calibrate --backend verilator \
  --config small --seed 4 --net "$dir/seed1.khnf" --inputs "$dir/cal.i8" --out "$dir/cal_vl.khnf" \
  --shifts keep
expect "calibrated files identical: C model and Verilator" 0 '' cmp "$dir/cal_cm.khnf" "$dir/cal_vl.khnf"
echo "compile_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
