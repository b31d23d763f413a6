#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what Kirchhoff needs: Debian packages and a pinned Python venv. Idempotent.
#   tools/setup.sh          install what is missing
#   tools/setup.sh --check  exit 0 if everything is present, 1 otherwise (installs nothing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
VENV=${VENV:-$top/.venv}
REQ=$here/requirements.txt
DEB_PKGS="verilator iverilog libopenblas-dev pkg-config make gcc g++ python3 python3-venv yosys z3 lcov ngspice nextpnr-ice40 fpga-icestorm clang-14 libclang-rt-14-dev"

missing_debs() {
  local p out=""
  for p in $DEB_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out="$out $p"
  done
  # python3-venv may be absent while a working venv module exists (pyenv, other installs).
  if [[ " $out " == *" python3-venv "* ]] && python3 -c 'import venv, ensurepip' 2>/dev/null; then
    out=${out/ python3-venv/}
  fi
  if [[ " $out " == *" python3 "* ]] && command -v python3 >/dev/null; then out=${out/ python3/}; fi
  echo "$out"
}

venv_ok() {
  [ -x "$VENV/bin/python" ] && [ -f "$VENV/.req" ] && cmp -s "$VENV/.req" "$REQ"
}

debs=$(missing_debs)
if [ "${1:-}" = "--check" ]; then
  [ -z "$debs" ] && venv_ok && exit 0
  [ -n "$debs" ] && echo "setup: missing Debian packages:$debs" >&2
  venv_ok || echo "setup: Python venv $VENV missing or out of date" >&2
  exit 1
fi

if [ -n "$debs" ]; then
  echo "setup: installing Debian packages:$debs"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: not root; run:  sudo apt-get update && sudo apt-get install -y$debs" >&2
    exit 1
  fi
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $debs; }; then
    echo "setup: apt-get failed; run:  apt-get update && apt-get install -y$debs" >&2
    exit 1
  fi
fi

if ! venv_ok; then
  echo "setup: creating Python venv $VENV with $(basename "$REQ")"
  # An existing venv (or a link to one, as in a git worktree) only gets the missing packages.
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" || { echo "setup: run: apt-get install -y python3-venv" >&2; exit 1; }
  fi
  if ! "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"; then
    echo "setup: pip failed; run:  $VENV/bin/pip install -r $REQ" >&2
    exit 1
  fi
  cp "$REQ" "$VENV/.req"
fi
# The kirchhoff package (pyproject.toml) editable in the venv, as a .pth file naming sw/python (what
# `pip install -e .` does, without a build backend or the network): `python -m kirchhoff` from any
# folder. Only into a venv this checkout owns: a git worktree's .venv links to another checkout's
# venv, and the file there would point that checkout at this one (the tools and tests find their
# own checkout's package without it: tools/_repo.py, pyproject.toml's pytest pythonpath).
if [ ! -L "$VENV" ]; then
  pth=$("$VENV/bin/python" -I -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/kirchhoff.pth
  if [ "$(cat "$pth" 2>/dev/null)" != "$top/sw/python" ]; then
    echo "setup: kirchhoff package (editable): $pth -> $top/sw/python"
    printf '%s\n' "$top/sw/python" >"$pth.tmp" && mv "$pth.tmp" "$pth" ||
      { echo "setup: cannot write $pth" >&2; exit 1; }
  fi
fi
echo "setup: ok (verilator $(verilator --version | cut -d' ' -f2), $(iverilog -V 2>/dev/null | head -1 | cut -d' ' -f4), python $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])'))"
