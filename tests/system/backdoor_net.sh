#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 17, item 4, on a network run: a version-3 graph (a synthetic TFLite int8 model of
# tools/tflite_synth.py: CONV, pools, FC, ...) through `aimc run` on the Verilator model of CONFIG
# twice, every buffer loaded over the bus (frontdoor) and with --backdoor. Both must give the same
# output bytes, the same report counters (chip and per tile, cycles included), the same per-node
# counters and driver counts (POSTs, ACCADDs, host bytes), outputs equal to `aimc forward`, and the
# backdoor run fewer simulated cycles (else its loads went over the bus after all).
# Usage: tests/system/backdoor_net.sh BUILD CONFIG SEED
set -u
[ $# -eq 3 ] || { echo "usage: tests/system/backdoor_net.sh BUILD CONFIG SEED" >&2; exit 2; }
build=$1 cfg=$2 seed=$3
case $cfg in */*|*.cfg) cfgfile=$cfg ;; *) cfgfile=configs/$cfg.cfg ;; esac
name=$(basename "$cfgfile" .cfg)
vl=$build/$name/vl/aimc-vl
py=${PYTHON:-.venv/bin/python}
[ -x "$vl" ] || { echo "FAIL setup: $vl missing (make vl CONFIG=$cfgfile)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/backdoor_net.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
"$py" - "$work" "$seed" <<'PY' || { echo "FAIL make model"; exit 1; }
import os, sys
import numpy as np
root = os.getcwd()
for p in ("sw/python", "tools", "tests/python"):
    sys.path.insert(0, os.path.join(root, p))
import tflite_synth as ts
import test_graph_forward as tgf
from kirchhoff import graphfile as gf, tflite_import as ti
d, seed = sys.argv[1], int(sys.argv[2])
m = os.path.join(d, "net.tflite")
open(m, "wb").write(ts.random_model(1))
g = ti.import_model(m)
open(os.path.join(d, "net.khnf"), "wb").write(
    tgf.with_eff_scale(gf.graph_to_bytes(g), g, tgf.eff_scales(m, g)))
np.random.default_rng(seed).integers(-128, 128, size=(2, g.tensors[0].size),
                                     dtype=np.int8).tofile(os.path.join(d, "x.i8"))
PY
"$build/sw/aimc" forward --net "$work/net.khnf" --inputs "$work/x.i8" --out "$work/ref.i8" >/dev/null \
  || { echo "FAIL aimc forward"; exit 1; }
fail=0
for door in front back; do
  extra=(); [ $door = back ] && extra=(--backdoor)
  if ! "$vl" run --config "$cfgfile" --seed "$seed" --backend verilator --net "$work/net.khnf" \
       --inputs "$work/x.i8" --out "$work/$door.i8" --report "$work/$door.json" "${extra[@]}" \
       > "$work/$door.log" 2>&1; then
    echo "FAIL ${door}door run: $(tail -5 "$work/$door.log" | tr '\n' ' ')"; fail=1
  fi
done
[ $fail = 0 ] || exit 1
if ! cmp -s "$work/front.i8" "$work/back.i8"; then echo "FAIL outputs differ between the doors"; fail=1; fi
# the config may be noisy: aimc forward is the reference only for an ideal config
if grep -q '^read_sigma *= *0' "$cfgfile" && ! cmp -s "$work/ref.i8" "$work/front.i8"; then
  echo "FAIL outputs differ from aimc forward"; fail=1
fi
"$py" - "$work/front.json" "$work/back.json" <<'PY' || fail=1
import json, sys
f, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ("pass", "counters", "cycles", "samples", "chip_runs", "setup_cycles", "setup_prog_rows",
        "issued_instrs", "posts", "accadds", "host_bytes", "host_bytes_in", "host_bytes_out",
        "host_ops", "setup_host_bytes", "node")
bad = [f"{k}: frontdoor {f.get(k)!r}, backdoor {b.get(k)!r}" for k in keys if f.get(k) != b.get(k)]
if f.get("pass") is not True or not f.get("posts") or not f.get("cycles"):
    bad.append(f"frontdoor: pass {f.get('pass')}, posts {f.get('posts')}, cycles {f.get('cycles')}")
# the driver's counts against the chip's: per chip node, the instructions the driver issued equal
# the chip's instrs counter (straight-line programs), and the POSTs are among them
for k, nd in (f.get("node") or {}).items():
    if nd.get("on_chip") and (nd.get("issued_instrs") != nd.get("instrs") or
                              not 0 < nd.get("posts", 0) < nd.get("instrs", 0)):
        bad.append(f"node {k}: issued {nd.get('issued_instrs')}, chip instrs {nd.get('instrs')}, "
                   f"posts {nd.get('posts')}")
fs, bs = f.get("sim_cycles"), b.get("sim_cycles")
if not isinstance(fs, int) or not isinstance(bs, int) or not bs < fs:
    bad.append(f"sim_cycles: frontdoor {fs}, backdoor {bs} (the backdoor must skip the bus cycles)")
for line in bad:
    print("FAIL", line[:400])
if not bad:
    print(f"PASS network run: same outputs, counters, per-node stats and driver counts (cycles "
          f"{f['cycles']}, {f['posts']} POSTs, {f['accadds']} ACCADDs, {f['host_bytes']} host "
          f"bytes); simulated cycles frontdoor {fs}, backdoor {bs}")
sys.exit(1 if bad else 0)
PY
exit $fail
