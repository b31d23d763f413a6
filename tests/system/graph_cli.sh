#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# aimc compile / info / run on version-3 graphs (the MLPerf Tiny keyword-spotting model, imported):
# the per-node placement and totals on edge, the JSON report, "does not fit" on base (exit 1,
# naming the node), usage errors (exit 2), and a run whose --out is written only on success.
set -u
aimc=${BUILD:-build}/sw/aimc
py=${PYTHON:-.venv/bin/python}
dir=${BUILD:-build}/tests/graph_cli; rm -rf "$dir"; mkdir -p "$dir"
. tests/system/expect_lib.sh
kws_graph "$dir" || { echo "FAIL import"; exit 1; }
expect "compile kws on edge: per node op, shape, tiles, utilization" 0 \
  'node  1 DWCONV  25x5x64 -> 25x5x64, 3x3/1 +K=9 N=64: [0-9]+ tiles? \([0-9,]+\), [0-9]+ sub-blocks?, utilization [0-9.]+ %' \
  "$aimc" compile --config edge --net "$dir/kws.khnf" --report "$dir/compile.json"
expect "compile kws on edge: totals" 0 \
  'total: 10 chip nodes, every weight resident on [0-9]+ of 16 tiles .*: 22016 weights in [0-9]+ cells' \
  "$aimc" compile --config edge --net "$dir/kws.khnf"
expect "compile report" 0 ok "$py" -c "
import json
r = json.load(open('$dir/compile.json'))
n = r['node']
assert r['fits'] and r['format_version'] == 3 and r['weights'] == 22016, r
assert sum(v['weights'] for v in n.values() if v['on_chip']) == 22016
assert n['1']['op'] == 'DWCONV' and n['9']['on_chip'] is False and 0 < n['0']['utilization'] <= 1
print('ok')"
expect "compile on base: does not fit, exit 1, names the node" 1 \
  'DOES NOT FIT config base: node [0-9]+ \((CONV|DWCONV|FC), K=[0-9]+, N=[0-9]+\)' \
  "$aimc" compile --config base --net "$dir/kws.khnf"
expect "compile v3: --batch is a usage error" 2 'version-3 graph' \
  "$aimc" compile --config edge --net "$dir/kws.khnf" --batch 4
expect "info --net v3: placement" 0 'info: total: 10 chip nodes' \
  "$aimc" info --config edge --net "$dir/kws.khnf"
expect "run v3: --batch is a usage error" 2 'version-3 graph' \
  "$aimc" run --config edge_ideal --net "$dir/kws.khnf" --inputs "$dir/x.i8" --out "$dir/y.i8" --batch 2
expect "run v3: inputs of the wrong length" 2 'n_inputs = 490' \
  "$aimc" run --config edge_ideal --net "$dir/kws.khnf" --inputs "$dir/compile.json" --out "$dir/y.i8"
expect "run v3 on base: does not fit, exit 1, no output" 1 'does not fit' \
  "$aimc" run --config base --net "$dir/kws.khnf" --inputs "$dir/x.i8" --out "$dir/none.i8"
expect "run v3 on base: nothing written" 0 '' test ! -e "$dir/none.i8"
expect "run v3 on edge_ideal: per-node cycles and totals" 0 'run: 1 samples of .* graph of 13 nodes' \
  "$aimc" run --config edge_ideal --net "$dir/kws.khnf" --inputs "$dir/x.i8" --out "$dir/y.i8"
expect "run v3: 12 output bytes" 0 '^12$' stat -c %s "$dir/y.i8"
echo "graph_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
