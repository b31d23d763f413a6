#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The digits network of the self-test's end-to-end step: train, quantize and export it (seeded,
# so the same files every time) for config CFG into DIR, unless DIR already has it.
#   tests/system/selftest_net.sh AIMC CFG DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: tests/system/selftest_net.sh AIMC CFG DIR" >&2; exit 2; }
aimc=$1 cfg=$2 dir=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-python3}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
case $aimc in /*) ;; *) aimc=$PWD/$aimc ;; esac
case $cfg in /*) ;; *) cfg=$PWD/$cfg ;; esac
[ -f "$dir/expected_int8.i8" ] && [ "$dir/expected_int8.i8" -nt "$cfg" ] && exit 0
mkdir -p "$dir"
"$aimc" config --json "$cfg" >"$dir/cfg.json"
cd "$top/sw/python" && "$py" -m kirchhoff export --out "$dir" --config-json "$dir/cfg.json"
