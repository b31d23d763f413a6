#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bad input at the CLI: each case must exit 2 (input error) with a message naming what is wrong,
# and must not write its output file.
set -u
aimc=${BUILD:-build}/sw/aimc
aimc_test=${BUILD:-build}/tests/aimc-test   # the chip tests (tests/chip)
dir=${BUILD:-build}/tests/bad_input; rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
expect() { # name, expected exit, message regex, command...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: expected exit $want and /$re/, got exit $rc: $(head -3 <<<"$out")"; fail=$((fail + 1))
  fi
}
# A valid 1-layer network file (K=4, N=2) written byte by byte here, independent of the exporter.
py=${PYTHON:-.venv/bin/python}
"$py" - "$dir" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
def net(k=4, n=2, relu=1, shift=3, magic=b"KHNF", weights=None):
    w = bytes(v & 0xFF for v in (weights if weights is not None else [(i * 37) % 255 - 127 for i in range(n * k)]))
    layer = struct.pack("<6I", 1, k, n, relu, 0, 0) + w + b"\0" * (-len(w) % 4)
    layer += struct.pack(f"<{n}i", *([5] * n)) + struct.pack(f"<{n}i", *([300] * n)) + struct.pack(f"<{n}I", *([shift] * n))
    size = 32 + len(layer) + 4
    hdr = magic + struct.pack("<HHIIIfII", 1, 32, 1, k, n, 0.05, 0, size)
    body = hdr + layer
    return body + struct.pack("<I", zlib.crc32(body))
open(f"{d}/good.khnf", "wb").write(net())
open(f"{d}/magic.khnf", "wb").write(net(magic=b"XXXX"))
b = bytearray(net()); b[40] ^= 1; open(f"{d}/crc.khnf", "wb").write(bytes(b))
open(f"{d}/short.khnf", "wb").write(net()[:20])
open(f"{d}/wm128.khnf", "wb").write(net(weights=[0x80] + [1] * 7))
open(f"{d}/shift0.khnf", "wb").write(net(shift=0))
open(f"{d}/x.i8", "wb").write(bytes(8))
open(f"{d}/x_ragged.i8", "wb").write(bytes(7))
PY
cfg=configs/tiny.cfg
run() { "$aimc" run --config $cfg --inputs "$dir/x.i8" --out "$dir/y.i8" "$@"; }
expect "good network runs" 0 "" run --net "$dir/good.khnf"
rm -f "$dir/y.i8"
expect "network: bad magic" 2 "magic" run --net "$dir/magic.khnf"
expect "network: CRC mismatch" 2 "CRC|crc" run --net "$dir/crc.khnf"
expect "network: truncated" 2 "short|truncat|size" run --net "$dir/short.khnf"
expect "network: weight -128" 2 "-128|weight" run --net "$dir/wm128.khnf"
expect "network: shift 0" 2 "shift" run --net "$dir/shift0.khnf"
expect "network: missing file" 2 "nonexistent" run --net "$dir/nonexistent.khnf"
expect "inputs: size not a multiple of n_inputs" 2 "whole number|multiple" \
  "$aimc" run --config $cfg --net "$dir/good.khnf" --inputs "$dir/x_ragged.i8" --out "$dir/y.i8"
[ -e "$dir/y.i8" ] && { echo "FAIL no output written on bad input"; fail=$((fail + 1)); } || { echo "PASS no output written on bad input"; pass=$((pass + 1)); }
expect "layer shape: rows 0" 2 "rows" "$aimc_test" layer-test --config $cfg --rows 0 --cols 8 --batch 1
expect "layer shape: rows 70000" 2 "rows" "$aimc_test" layer-test --config $cfg --rows 70000 --cols 8 --batch 1
expect "layer shape: batch > acc_slots" 2 "batch" "$aimc_test" layer-test --config $cfg --rows 16 --cols 8 --batch 17
expect "layer does not fit the chip" 2 "layer 1|fit|weight" "$aimc_test" layer-test --config $cfg --rows 4000 --cols 200 --batch 1
expect "unknown flag" 2 "unknown|--bogus" "$aimc_test" layer-test --config $cfg --bogus 1
expect "non-numeric seed" 2 "seed" "$aimc_test" layer-test --config $cfg --rows 4 --cols 4 --batch 1 --seed abc
expect "config: unknown key" 2 "nonsense" "$aimc" config --check <(printf 'name = x\nnonsense = 1\n')
# time since programming (issue 18): aimc --time and the config keys in seconds take units
expect "time: 1y runs" 0 "PASS" "$aimc_test" layer-test --config configs/pcm.cfg --rows 8 --cols 4 --batch 1 --time 1y
expect "time: unknown unit" 2 "--time '1q' is not a time" "$aimc_test" layer-test --config $cfg --rows 4 --cols 4 --batch 1 --time 1q
expect "time: negative" 2 "is not a time" "$aimc_test" layer-test --config $cfg --rows 4 --cols 4 --batch 1 --time -1s
expect "time: over 1e9 s" 2 "is not a time" "$aimc_test" layer-test --config $cfg --rows 4 --cols 4 --batch 1 --time 40y
expect "time: missing value" 2 "needs a value" "$aimc_test" layer-test --config $cfg --rows 4 --cols 4 --batch 1 --time
expect "time: given twice" 2 "twice" "$aimc_test" layer-test --config $cfg --rows 4 --cols 4 --batch 1 --time 1s --time 1h
expect "config: drift_time unit" 2 "drift_time" "$aimc" config --check <(printf 'name = x\ndrift_time = 2w\n')
expect "config: device" 2 "device" "$aimc" config --check <(printf 'name = x\ndevice = sram\n')
expect "config: cell_levels 1" 2 "cell_levels" "$aimc" config --check <(printf 'name = x\ncell_levels = 1\n')
expect "calibrate: bad --fit" 2 "--fit" "$aimc" calibrate --config $cfg --net "$dir/good.khnf" --inputs "$dir/x.i8" --out "$dir/c.khnf" --fit perrow
# aimc spice (IR-drop netlist writer)
sp() { "$aimc" spice --config $cfg --netlist "$dir/sp.cir" "$@"; }
expect "spice: good" 0 "full solve" sp --rows 8 --cols 4
rm -f "$dir/sp.cir"
expect "spice: rows not a multiple of 4" 2 "multiples of 4" sp --rows 6
expect "spice: rows 0" 2 "rows" sp --rows 0
expect "spice: cols 2000" 2 "cols" sp --cols 2000
expect "spice: bad ir-mode" 2 "ir-mode" sp --ir-mode fast
expect "spice: adc-shift 32" 2 "adc-shift" sp --adc-shift 32
expect "spice: non-numeric seed" 2 "seed" sp --seed x1
expect "spice: missing netlist" 2 "netlist" "$aimc" spice --config $cfg
expect "spice: unknown flag" 2 "unknown|--bogus" sp --bogus
expect "spice: bad config key" 2 "r_wire_row" "$aimc" spice --netlist "$dir/sp.cir" --config <(printf 'name = x\nr_wire_row = -1\n')
[ -e "$dir/sp.cir" ] && { echo "FAIL spice: no netlist written on bad input"; fail=$((fail + 1)); } || { echo "PASS spice: no netlist written on bad input"; pass=$((pass + 1)); }
expect "pipeline-test: one tile" 2 "2 tiles" "$aimc_test" pipeline-test --config configs/tiny.cfg
expect "pipeline-test: N0 > rows" 2 "N0" "$aimc_test" pipeline-test --config configs/ideal2.cfg --n0 40
expect "pipeline-test: bad ratio" 2 "max-ratio" "$aimc_test" pipeline-test --config configs/ideal2.cfg --max-ratio x
expect "seq-test: noisy config" 2 "ideal" "$aimc_test" seq-test --config configs/small.cfg
expect "seq-test: unknown flag" 2 "unknown|--bogus" "$aimc_test" seq-test --config configs/ideal2.cfg --bogus
# trace-compare TRACE LOG: operands, unreadable (2, naming the file) and malformed files (2, naming file
# and line), a differing read (1), equal files (0)
tcd=$dir/trace_compare; mkdir -p "$tcd"
printf 'garbage\n' > "$tcd/bad.txt"
printf '# kirchhoff-trace v1 config=tiny seed=1\nW 00000024 00000005\nR 00000024 00000005\nE\n' > "$tcd/trace.txt"
printf 'W 00000024 0\nR 00000024 00000005 0\nC 10\n' > "$tcd/log.txt"
printf 'W 00000024 0\nR 00000024 00000006 0\nC 10\n' > "$tcd/log_diff.txt"
expect "trace-compare: no operands" 2 "needs TRACE and LOG" "$aimc" trace-compare
expect "trace-compare: missing trace file" 2 "cannot open '$tcd/none.txt'" "$aimc" trace-compare "$tcd/none.txt" "$tcd/log.txt"
expect "trace-compare: malformed line names file and line" 2 "bad.txt:1: malformed line" "$aimc" trace-compare "$tcd/bad.txt" "$tcd/bad.txt"
expect "trace-compare: a different read is named" 1 "different read data" "$aimc" trace-compare "$tcd/trace.txt" "$tcd/log_diff.txt"
expect "trace-compare: equal trace and log" 0 "" "$aimc" trace-compare "$tcd/trace.txt" "$tcd/log.txt"
echo "bad_input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
