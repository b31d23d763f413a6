#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Synthesis check with yosys (generic `synth` flow, memories kept as macros): fails on any latch,
# combinational loop or other netlist problem `check` reports, and writes the cell counts.
#   tools/synth.sh --out JSON --aimc AIMC --config CFG     the chip: aimc_top of rtl/aimc.f with the
#                                                         parameters of CFG (needs xbar_impl = 1)
#   tools/synth.sh --out JSON --top MODULE FILE...        any module (tests/synth checks the checker)
# Exit 0 clean, 1 latch/loop/check failure (printed), 2 usage or tool error.
set -uo pipefail
top_dir=$(cd "$(dirname "$0")/.." && pwd)
usage() { echo "usage: tools/synth.sh --out JSON (--aimc AIMC --config CFG | --top MODULE FILE...)" >&2; exit 2; }
out="" aimc="" cfg="" mod=""
files=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) [ $# -ge 2 ] || usage; out=$2; shift ;;
	--aimc) [ $# -ge 2 ] || usage; aimc=$2; shift ;;
	--config) [ $# -ge 2 ] || usage; cfg=$2; shift ;;
	--top) [ $# -ge 2 ] || usage; mod=$2; shift ;;
	-*) usage ;;
	*) files+=("$1") ;;
	esac
	shift
done
[ -n "$out" ] || usage
command -v yosys >/dev/null || { echo "synth: yosys not found (make setup installs it)" >&2; exit 2; }
py=${PYTHON:-python3}
case $out in /*) ;; *) out=$PWD/$out ;; esac
work=$(dirname "$out")/synth-work
rm -rf "$work" && mkdir -p "$work/src"

chparam=""
if [ -n "$cfg" ]; then
	[ -n "$aimc" ] && [ -z "$mod" ] && [ ${#files[@]} -eq 0 ] || usage
	params=$("$aimc" config --rtl-params verilator "$cfg") || { echo "synth: cannot read $cfg" >&2; exit 2; }
	case " $params " in
	*" -GXbarImpl=1 "*) ;;
	*) echo "synth: $cfg has no digital-twin crossbar (xbar_impl = 1); the analog model does not synthesize" >&2; exit 2 ;;
	esac
	# ClkGate 0: the tile clock gate (rtl/prim/aimc_clk_gate.sv) is a library cell in a chip
	# netlist; its behavioural latch is not synthesized here (docs/decisions/0011).
	chparam="chparam $(echo "$params" | sed 's/-G\([A-Za-z0-9_]*\)=\([0-9]*\)/-set \1 \2/g') -set ClkGate 0 aimc_top"
	mod=aimc_top
	cd "$top_dir"
	# The behavioural macro calls the C model; the twin replaces it (XbarImpl), so it is left out.
	mapfile -t files < <(sed -e 's/#.*//' -e '/^+/d' rtl/aimc.f | grep -v '^[[:space:]]*$' | grep -v 'aimc_xbar_macro.sv')
else
	[ -n "$mod" ] && [ ${#files[@]} -gt 0 ] || usage
fi
srcs=$("$py" "$top_dir/tools/yosys_src.py" "$work/src" "${files[@]}" | tr '\n' ' ') || exit 2

# Latches are looked for right after proc (where yosys infers them) and again in the netlist.
cat >"$work/synth.ys" <<EOF
read_verilog -sv -I$top_dir/rtl/prim $srcs
$chparam
hierarchy -top $mod
hierarchy -check -top $mod
proc
tee -o $work/latches.txt select -list t:\$dlatch t:\$adlatch t:\$dlatchsr
select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr
flatten
chformal -remove
synth -top $mod -run coarse:fine
opt -fast -full
techmap
opt -fast
abc -fast
opt -fast
select -assert-none t:\$_DLATCH_* t:\$_DLATCHSR_* t:\$_SR_*
tee -o $work/check.txt check -assert
tee -q -o $work/stat.json stat -json
EOF
t0=$(date +%s)
yosys -q -l "$work/yosys.log" -s "$work/synth.ys" >/dev/null 2>&1
rc=$?
secs=$(( $(date +%s) - t0 ))
if [ $rc -ne 0 ]; then
	if grep -q 'Assertion failed: selection is not empty' "$work/yosys.log"; then
		echo "synth: $mod infers a latch:"
		sed 's/^/  /' "$work/latches.txt"
		exit 1
	fi
	if grep -q 'Found and reported [0-9]* problems' "$work/yosys.log"; then
		echo "synth: yosys check reports problems in $mod:"
		grep -E 'found logic loop|Warning|cell|wire' "$work/check.txt" | head -30 | sed 's/^/  /'
		exit 1
	fi
	echo "synth: yosys failed on $mod (log $work/yosys.log):" >&2
	grep -E 'ERROR' "$work/yosys.log" | head -5 >&2
	exit 2
fi
"$py" - "$work/stat.json" "$out" "$mod" "${cfg:-}" "$secs" "$(yosys -V | head -1)" <<'PY' || exit 2
import json, sys
stat, out, mod, cfg, secs, ver = sys.argv[1:]
raw = open(stat, encoding="utf-8").read()
data = json.loads(raw[raw.index("{"):])
m = data["modules"].get("\\" + mod) or next(iter(data["modules"].values()))
cells = dict(sorted(m.get("num_cells_by_type", {}).items()))
rep = {"top": mod, "config": cfg or None, "flow": "yosys generic synth, memories kept as macros",
       "cells": m.get("num_cells"), "cell_types": cells, "memories": cells.get("$mem_v2", 0),
       "flip_flops": sum(v for k, v in cells.items() if "DFF" in k), "latches": 0,
       "comb_loops": 0, "seconds": int(secs), "yosys": ver}
with open(out, "w", encoding="utf-8") as f:
    json.dump(rep, f, indent=2)
    f.write("\n")
print(f"synth: {mod}{' (' + cfg + ')' if cfg else ''}: {rep['cells']} cells, {rep['flip_flops']} flip-flops, "
      f"{rep['memories']} memory macros, no latch, no combinational loop ({secs} s)")
PY
exit 0
