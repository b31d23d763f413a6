#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# isa_tfl = 0 (configs/ice40.cfg, docs/configs.md): a TFLite graph (the MLPerf Tiny keyword-spotting
# model, imported) is refused by aimc compile, info and run with a message naming the node and
# isa_tfl (exit 1, nothing written), before any fit check; layer-test --tfl 1 is a usage error
# (exit 2). The same graph still compiles on edge (isa_tfl = 1).
set -u
aimc=${BUILD:-build}/sw/aimc
aimc_test=${BUILD:-build}/tests/aimc-test   # the chip tests (tests/chip)
py=${PYTHON:-.venv/bin/python}
dir=${BUILD:-build}/tests/notfl_refusal; rm -rf "$dir"; mkdir -p "$dir"
. tests/system/expect_lib.sh
kws_graph "$dir" || { echo "FAIL import"; exit 1; }
msg='config ice40 has isa_tfl = 0 \(built without the tfl POST stage and ACCADD\): node 0 \(CONV, K=[0-9]+, N=[0-9]+\) needs the tfl POST'
expect "compile kws on ice40: refused, names node and isa_tfl, exit 1" 1 "NOT SUPPORTED BY config ice40: $msg" \
  "$aimc" compile --config ice40 --net "$dir/kws.khnf" --report "$dir/compile.json"
expect "compile report: fits false, the message" 0 ok "$py" -c "
import json
r = json.load(open('$dir/compile.json'))
assert r['fits'] is False and 'isa_tfl = 0' in r['error'], r
print('ok')"
expect "info --net on ice40: refused, exit 1" 1 "not supported: $msg" \
  "$aimc" info --config ice40 --net "$dir/kws.khnf"
expect "run on ice40 (C model): refused, exit 1" 1 "not supported: $msg" \
  "$aimc" run --config ice40 --net "$dir/kws.khnf" --inputs "$dir/x.i8" --out "$dir/none.i8"
expect "run on ice40: nothing written" 0 '' test ! -e "$dir/none.i8"
expect "info on ice40: the chip reports no tfl POST and ACCADD" 0 'info: ISA 3, without the tfl POST and ACCADD \(cfg5.no_tfl' \
  "$aimc" info --config ice40
expect "info on tiny: the chip has them" 0 'info: ISA 3, with the tfl POST and ACCADD' \
  "$aimc" info --config tiny
expect "compile kws on edge (isa_tfl = 1): fits" 0 'total: 10 chip nodes' \
  "$aimc" compile --config edge --net "$dir/kws.khnf"
expect "layer-test --tfl 1 on ice40: usage error naming isa_tfl" 2 'config ice40 has isa_tfl = 0' \
  "$aimc_test" layer-test --config ice40 --backend cmodel --rows 10 --cols 6 --batch 2 --tfl 1
echo "notfl_refusal: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
