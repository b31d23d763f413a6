#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16 for `make sim` (sw/python/sim.py): a CSV with huge finite values (1e308) is an input
error (a message naming the column, exit 2, no traceback), and a run that fails half-way leaves the
previous run's folder as it was (the new network and outputs are not mixed into it).

Uses the real BUILD/sw/aimc for `config --json` and a stand-in that fails `run`, so no chip runs.
  .venv/bin/python -m pytest tests/python/test_robust_sim.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import os
import subprocess
import sys
import tempfile

from kirchhoff import data as kdata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SIM = os.path.join(ROOT, "sw", "python", "sim.py")
BUILD = os.path.abspath(os.path.join(ROOT, os.environ.get("BUILD", "build")))
AIMC = os.path.join(BUILD, "sw", "aimc")
TMP = tempfile.mkdtemp(prefix="kh_test_robust_sim_")
FAILS = []


def check(ok, name, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        FAILS.append(name)


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("a,b,c,label\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")


def small_rows(big=None):
    """40 rows, 2 classes, separable; with big, one cell of column b is that value."""
    rows = []
    for i in range(40):
        k = i % 2
        rows.append([k * 4 + (i % 5) * 0.1, 1.0 - k + (i % 3) * 0.05, (i % 7) * 0.2, f"c{k}"])
    if big is not None:
        rows[7][1] = big
    return rows


def sim(build, data, aimc):
    return subprocess.run([sys.executable, SIM, "--config", "tiny", "--ref-config", "ideal64",
                           "--build", build, "--seed", "1", "--data", data, "--aimc", aimc,
                           "--aimc-vl", aimc], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def _main():
    if not os.path.exists(AIMC):
        check(False, "aimc built", f"{AIMC} missing: run 'make sw' first")
        return 1
    # 1. the loader: huge finite values name the column, the line and the limit
    huge = os.path.join(TMP, "huge.csv")
    write_csv(huge, small_rows(big="1e308"))
    try:
        kdata.load_csv(huge)
        check(False, "load_csv rejects 1e308", "no DataError raised")
    except kdata.DataError as e:
        msg = str(e)
        check("huge.csv:9" in msg and "'b'" in msg and "1e308" in msg, "load_csv rejects 1e308",
              f"message {msg!r} lacks the line (huge.csv:9), column 'b' or the value")
    for v in ("-1e200", "3e160"):
        write_csv(huge, small_rows(big=v))
        try:
            kdata.load_csv(huge)
            check(False, f"load_csv rejects {v}", "no DataError raised")
        except kdata.DataError:
            check(True, f"load_csv rejects {v}")
    write_csv(huge, small_rows(big="1e12"))
    try:
        ds = kdata.load_csv(huge)
        check(ds.X.shape == (40, 3), "load_csv accepts 1e12", f"shape {ds.X.shape}")
    except kdata.DataError as e:
        check(False, "load_csv accepts 1e12", str(e))
    # 2. sim.py: exit 2 with the message, no traceback
    write_csv(huge, small_rows(big="1e308"))
    r = sim(os.path.join(TMP, "b1"), huge, AIMC)
    out = r.stdout + r.stderr
    check(r.returncode == 2 and "Traceback" not in out and "data:" in out and "'b'" in out,
          "sim.py DATA with 1e308: exit 2, message, no traceback",
          f"exit {r.returncode}, output tail {out[-600:]!r}")
    # 2b. DATA a directory: said so (was "no such file"), exit 2
    r = sim(os.path.join(TMP, "b0"), TMP, AIMC)
    out = r.stdout + r.stderr
    check(r.returncode == 2 and "is a directory" in out, "sim.py DATA a directory",
          f"exit {r.returncode}, output tail {out[-300:]!r}")
    # 3. a run that fails after writing its network: the previous run's folder is unchanged
    stub = os.path.join(TMP, "aimc_stub")
    with open(stub, "w") as f:
        f.write(f'#!/bin/sh\n[ "$1" = config ] && exec "{AIMC}" "$@"\n'
                'echo "stub: simulated failure of $1" >&2; exit 1\n')
    os.chmod(stub, 0o755)
    build = os.path.join(TMP, "b2")
    prev = os.path.join(build, "sim", "tiny-seed1")
    os.makedirs(prev)
    old = {"net_ref.khnf": b"previous network", "out_ref.i8": b"previous outputs"}
    for name, body in old.items():
        with open(os.path.join(prev, name), "wb") as f:
            f.write(body)
    good = os.path.join(TMP, "good.csv")
    write_csv(good, small_rows())
    r = sim(build, good, stub)
    out = r.stdout + r.stderr
    check(r.returncode == 1 and "simulated failure" in out, "sim.py with a failing run exits 1",
          f"exit {r.returncode}, output tail {out[-400:]!r}")
    same = sorted(os.listdir(prev)) == sorted(old) and all(
        open(os.path.join(prev, n), "rb").read() == b for n, b in old.items())
    check(same, "failed sim leaves the previous run's folder unchanged",
          f"{prev} now holds {sorted(os.listdir(prev))}")
    check("unchanged" in out, "failed sim says where its files are",
          f"output tail {out[-400:]!r}")
    print(f"test_robust_sim: {len(FAILS)} failed")
    return 1 if FAILS else 0


def test_robust_sim():
    """a failed make sim keeps the previous run and says where"""
    assert _main() == 0

