#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Lint all RTL with both simulators, once per chip config (make lint).
#   tools/lint.sh BUILD AIMC
# BUILD: build directory (the report goes to BUILD/reports/lint.json); AIMC: the aimc CLI, which
# turns each configs/*.cfg into RTL parameters. For every config:
#   verilator --lint-only -Wall on aimc_top (rtl/aimc.f, the simulation checkers of rtl/dv.f and the
#     waivers of the generated CSR block)
#   iverilog -g2012 -Wall on the trace player tb/icarus/aimc_tb_trace.sv (+ rtl/dv.f), which elaborates
#     aimc_top with the same parameters; every line it prints on stderr is a warning
# and once: tools/synth.sh synthesizes aimc_top with the digital-twin crossbar (SYNTH_CONFIG,
# default configs/tiny_twin.cfg) and fails on a latch or a combinational loop; its cell counts go
# into lint.json under "synth"
# and first: ruff check over all Python code (rules in pyproject.toml); its finding count goes into
# lint.json under "ruff". `tools/lint.sh --python` runs that part alone.
# Prints every warning and exits 1 if there is any (2 on a usage error or a tool that fails
# without a warning).
set -uo pipefail

usage() { echo "usage: tools/lint.sh BUILD AIMC | tools/lint.sh --python" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}

# ---- Python: ruff check (pyproject.toml [tool.ruff]) ----------------------------------------------
# Sets ruff_findings (-1 when ruff cannot run); prints the findings.
lint_python() {
	local out rc
	if ! "$py" -m ruff --version >/dev/null 2>&1; then
		ruff_findings=-1
		echo "lint: no ruff in $py (pinned in tools/requirements.txt: make setup)" >&2
		return
	fi
	out=$(cd "$top" && "$py" -m ruff check --no-cache --output-format concise . 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ruff_findings=0
	elif [ $rc -eq 1 ]; then
		ruff_findings=$(printf '%s\n' "$out" | grep -c '^[^ ].*:[0-9]*:[0-9]*: ')
		echo "== ruff: $ruff_findings finding(s)"
		printf '%s\n' "$out"
	else
		ruff_findings=-1
		echo "lint: ruff failed (exit $rc; $py -m ruff, pinned in tools/requirements.txt):" >&2
		printf '%s\n' "$out" >&2
	fi
}
if [ "${1:-}" = "--python" ]; then
	[ $# -eq 1 ] || usage
	lint_python
	echo "lint: ruff $ruff_findings finding(s)"
	[ "$ruff_findings" -eq 0 ] && exit 0
	[ "$ruff_findings" -lt 0 ] && exit 2
	exit 1
fi
[ $# -eq 2 ] || usage
build=$1
aimc=$2
case $build in /*) ;; *) build=$PWD/$build ;; esac
case $aimc in /*) ;; *) aimc=$PWD/$aimc ;; esac
verilator=${VERILATOR:-verilator}
iverilog=${IVERILOG:-iverilog}

[ -x "$aimc" ] || { echo "lint: aimc CLI '$aimc' not found or not executable (make sw builds it)" >&2; exit 2; }
command -v "$verilator" >/dev/null || { echo "lint: '$verilator' not found (make setup)" >&2; exit 2; }
command -v "$iverilog" >/dev/null || { echo "lint: '$iverilog' not found (make setup)" >&2; exit 2; }

cd "$top"
# Icarus has no waiver file: the warnings of the generated CSR block listed in
# rtl/csr/aimc_csr.icarus-waivers are dropped from its logs before they are counted.
ic_waivers=$(grep -v '^#' rtl/csr/aimc_csr.icarus-waivers | grep .)
ic_waive() { grep -v -E -e "$ic_waivers" "$1" >"$1.w"; mv "$1.w" "$1"; }
out=$build/reports
work=$build/lint
mkdir -p "$out" "$work"
rm -f "$work"/*.log

lint_python

cfgs=(configs/*.cfg)
[ -e "${cfgs[0]}" ] || { echo "lint: no configs/*.cfg" >&2; exit 2; }

vl_warn=0
ic_warn=0
vl_err=0
ic_err=0
tool_fail=0
names=()
for cfg in "${cfgs[@]}"; do
	name=$(basename "$cfg" .cfg)
	names+=("$name")
	if ! vl_params=$("$aimc" config --rtl-params verilator "$cfg") ||
	   ! ic_params=$("$aimc" config --rtl-params icarus --top aimc_tb_trace "$cfg"); then
		echo "lint: $aimc cannot read $cfg" >&2
		tool_fail=1
		continue
	fi

	# Verilator: every %Warning line starts one warning; %Error lines other than the final
	# "Exiting due to N warning(s)" are errors.
	vlog=$work/$name.verilator.log
	# shellcheck disable=SC2086  # the parameter flags are separate words
	"$verilator" --lint-only -Wall --top-module aimc_top $vl_params -f rtl/aimc.f -f rtl/dv.f \
		rtl/csr/aimc_csr.vlt >"$vlog" 2>&1
	rc=$?
	n=$(grep -c '^%Warning' "$vlog")
	e=$(grep '^%Error' "$vlog" | grep -vc 'Exiting due to')
	vl_warn=$((vl_warn + n))
	vl_err=$((vl_err + e))
	if [ "$n" -gt 0 ] || [ "$e" -gt 0 ]; then
		echo "== verilator, config $name: $n warning(s), $e error(s)"
		cat "$vlog"
	fi
	if [ $rc -ne 0 ] && [ "$n" -eq 0 ]; then
		echo "lint: verilator failed on config $name without a warning (exit $rc)" >&2
		tool_fail=1
	fi

	# Icarus: full elaboration and code generation (the build's own steps), output discarded.
	ilog=$work/$name.icarus.log
	# shellcheck disable=SC2086
	"$iverilog" -g2012 -Wall -o /dev/null -s aimc_tb_trace $ic_params -f rtl/aimc.f -f rtl/dv.f \
		tb/icarus/aimc_tb_trace.sv >"$ilog" 2>&1
	rc=$?
	ic_waive "$ilog"
	# A warning is one line plus indented continuation lines (": ...").
	n=$(grep -v '^[[:space:]]*:' "$ilog" | grep -c .)
	ic_warn=$((ic_warn + n))
	[ $rc -eq 0 ] || ic_err=$((ic_err + 1))
	if [ "$n" -gt 0 ]; then
		echo "== icarus, config $name: $n warning(s)"
		cat "$ilog"
	fi
	if [ $rc -ne 0 ] && [ "$n" -eq 0 ]; then
		echo "lint: iverilog failed on config $name without a message (exit $rc)" >&2
		tool_fail=1
	fi
done

# Synthesis check (yosys): the chip with the digital-twin crossbar, no latch, no combinational loop.
# FPGA board tops (fpga/<board>/board.cfg): the UART bridge, the FPGA core and the wrapper, with the
# board's config; vendor primitives (.v files) are replaced by their models in fpga/<board>/sim/.
for bcfg in fpga/*/board.cfg; do
	[ -e "$bcfg" ] || continue
	bdir=$(dirname "$bcfg")
	board=$(basename "$bdir")
	btop=$(sed -n 's/^top[[:space:]]*=[[:space:]]*//p' "$bcfg")
	bconf=$(sed -n 's/^config[[:space:]]*=[[:space:]]*//p' "$bcfg")
	bsrcs=$(sed -n 's/^sources[[:space:]]*=[[:space:]]*//p' "$bcfg" | tr ' ' '\n' | grep '\.sv$')
	bsims=$(ls "$bdir"/sim/*.sv 2>/dev/null)
	names+=("fpga:$board")
	if ! vl_params=$("$aimc" config --rtl-params verilator "$bconf") ||
	   ! ic_params=$("$aimc" config --rtl-params icarus --top "$btop" "$bconf"); then
		echo "lint: $aimc cannot read $bconf (board $board)" >&2
		tool_fail=1
		continue
	fi
	vlog=$work/fpga-$board.verilator.log
	# shellcheck disable=SC2086
	"$verilator" --lint-only -Wall --top-module "$btop" $vl_params -f rtl/aimc.f -f rtl/fpga.f \
		$bsims $bsrcs rtl/csr/aimc_csr.vlt >"$vlog" 2>&1
	n=$(grep -c '^%Warning' "$vlog")
	e=$(grep '^%Error' "$vlog" | grep -vc 'Exiting due to')
	vl_warn=$((vl_warn + n))
	vl_err=$((vl_err + e))
	if [ "$n" -gt 0 ] || [ "$e" -gt 0 ]; then
		echo "== verilator, board $board: $n warning(s), $e error(s)"
		cat "$vlog"
	fi
	ilog=$work/fpga-$board.icarus.log
	# shellcheck disable=SC2086
	"$iverilog" -g2012 -Wall -o /dev/null -s "$btop" $ic_params -f rtl/aimc.f -f rtl/fpga.f \
		$bsims $bsrcs >"$ilog" 2>&1
	rc=$?
	ic_waive "$ilog"
	n=$(grep -v '^[[:space:]]*:' "$ilog" | grep -c .)
	ic_warn=$((ic_warn + n))
	[ $rc -eq 0 ] || ic_err=$((ic_err + 1))
	if [ "$n" -gt 0 ]; then
		echo "== icarus, board $board: $n warning(s)"
		cat "$ilog"
	fi
done

synth_cfg=${SYNTH_CONFIG:-configs/tiny_twin.cfg}
synth_fail=0
rm -f "$work/synth.json"
PYTHON=$py tools/synth.sh --out "$work/synth.json" --aimc "$aimc" --config "$synth_cfg"
case $? in
0) ;;
1) synth_fail=1 ;;
*) synth_fail=1; tool_fail=1 ;;
esac

vl_ver=$("$verilator" --version 2>&1 | head -n1)
ic_ver=$("$iverilog" -V 2>&1 | head -n1)
VL_WARN=$vl_warn IC_WARN=$ic_warn VL_ERR=$vl_err IC_ERR=$ic_err VL_VER=$vl_ver IC_VER=$ic_ver TOOL_FAIL=$tool_fail \
RUFF=$ruff_findings CONFIGS="${names[*]}" SYNTH_JSON="$work/synth.json" SYNTH_FAIL=$synth_fail "$py" - "$out/lint.json" <<'EOF'
import json, os, sys
synth = {"failed": os.environ["SYNTH_FAIL"] == "1"}
if os.path.exists(os.environ["SYNTH_JSON"]):
    synth.update(json.load(open(os.environ["SYNTH_JSON"], encoding="utf-8")))
rep = {
    "synth": synth,
    "ruff": {"findings": int(os.environ["RUFF"])},
    "verilator": {"warnings": int(os.environ["VL_WARN"]), "errors": int(os.environ["VL_ERR"])},
    "icarus": {"warnings": int(os.environ["IC_WARN"]), "failed_configs": int(os.environ["IC_ERR"])},
    "configs": os.environ["CONFIGS"].split(),
    "tool_errors": int(os.environ["TOOL_FAIL"]),
    "tools": {"verilator": os.environ["VL_VER"], "iverilog": os.environ["IC_VER"]},
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(rep, f, indent=2)
    f.write("\n")
EOF
[ $? -eq 0 ] || { echo "lint: cannot write $out/lint.json" >&2; exit 2; }

echo "lint: ${#names[@]} configs (${names[*]}): verilator $vl_warn warning(s) $vl_err error(s)," \
     "icarus $ic_warn warning(s); ruff $ruff_findings finding(s); report $out/lint.json"
[ $tool_fail -eq 0 ] && [ "$ruff_findings" -ge 0 ] || exit 2
[ "$ruff_findings" -eq 0 ] && [ $vl_warn -eq 0 ] && [ $vl_err -eq 0 ] && [ $ic_warn -eq 0 ] && [ $ic_err -eq 0 ] && [ $synth_fail -eq 0 ] || exit 1
exit 0
