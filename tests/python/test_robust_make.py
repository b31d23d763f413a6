#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16, shell-safe make: user variables reach recipes quoted, and a config that does not exist
is named. `make sim` runs with a stand-in PYTHON that records its argument vector (its build
prerequisites marked old with -o, so nothing is built); `make -n` shows the other recipes.

  .venv/bin/python -m pytest tests/python/test_robust_make.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import os
import shlex
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TMP = tempfile.mkdtemp(prefix="kh_test_make_")
FAILS = []


def check(ok, name, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        FAILS.append(name)


def make(*args, env=None):
    env = dict(env if env is not None else os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # run from `make test`: a make of its own
        env.pop(k, None)
    r = subprocess.run(["make", "--no-print-directory", "-C", ROOT, *args], capture_output=True,
                       text=True, timeout=120, env=env)
    r.stdout = r.stdout.replace("\\\n", " ")  # a recipe continued over lines, as one line
    return r


# The stand-in interpreter: writes its argv, one per line, to $ARGV_OUT.
STUB = os.path.join(TMP, "stub_python")  # PYTHON is a tool variable: a plain path
with open(STUB, "w") as f:
    f.write('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$ARGV_OUT"\n')
os.chmod(STUB, 0o755)
BUILD = os.path.join(TMP, "build")


def sim_argv(*var_args):
    """Run `make sim` with the stand-in; the argv it got (None if it did not run) and the result."""
    out = os.path.join(TMP, "argv.txt")
    if os.path.exists(out):
        os.remove(out)
    env = dict(os.environ, ARGV_OUT=out)
    r = make("sim", f"BUILD={BUILD}", f"PYTHON={STUB}", "-o", "vl", "-o", f"{BUILD}/sw/aimc",
             "-o", f"{BUILD}/.setup-ok", *var_args, env=env)
    argv = open(out).read().splitlines() if os.path.exists(out) else None
    return argv, r


def words_of(line):
    try:
        return shlex.split(line)
    except ValueError:  # an unbalanced quote: not one shell word per value
        return []


def after(argv, flag):
    return argv[argv.index(flag) + 1] if argv is not None and flag in argv else None


def _main():
    pwned = os.path.join(TMP, "pwned1")
    # 1. a ';' in DATA: the command after it must not run; the whole text is one argument
    data = os.path.join(TMP, "x.csv") + "; touch " + pwned
    argv, r = sim_argv(f"DATA={data}")
    check(not os.path.exists(pwned), "make sim DATA with ';' runs no command",
          f"{pwned} was created: the recipe ran 'touch'")
    check(after(argv, "--data") == data, "make sim DATA with ';' is one argument",
          f"expected --data {data!r}, got argv {argv} (exit {r.returncode}, {r.stderr[-300:]})")
    # 2. a DATA path with a space and a quote
    data = os.path.join(TMP, "my data's.csv")
    argv, r = sim_argv(f"DATA={data}")
    check(after(argv, "--data") == data, "make sim DATA with a space and a quote",
          f"expected --data {data!r}, got argv {argv} (exit {r.returncode}, {r.stderr[-300:]})")
    pwned = os.path.join(TMP, "pwned3")
    # 3. SEED and NET are quoted too (a backquote is not run by the shell)
    argv, r = sim_argv("SEED=1`touch " + pwned + "`", "NET=mlp `touch " + pwned + "`")
    check(not os.path.exists(pwned) and after(argv, "--seed") == "1`touch " + pwned + "`" and
          after(argv, "--net") == "mlp `touch " + pwned + "`", "make sim SEED / NET quoted",
          f"argv {argv}, pwned exists: {os.path.exists(pwned)} ({r.stderr[-300:]})")
    pwned = os.path.join(TMP, "pwned3m")
    # 3b. make sim MODEL= INPUTS= (a TFLite model through sim_model.py): both quoted
    model = os.path.join(TMP, "my model.tflite; touch ") + pwned
    inputs = os.path.join(TMP, "in's.npy`touch ") + pwned + "`"
    argv, r = sim_argv(f"MODEL={model}", f"INPUTS={inputs}", "CONFIG=tiny")
    check(not os.path.exists(pwned) and after(argv, "--model") == model and
          after(argv, "--inputs") == inputs, "make sim MODEL / INPUTS quoted",
          f"argv {argv}, pwned exists: {os.path.exists(pwned)} ({r.stderr[-300:]})")
    pwned = os.path.join(TMP, "pwned4")
    # 4. layer-test and test recipes as printed by make -n: each value one shell word
    r = make("-n", "layer-test", f"BUILD={BUILD}", "SEED=2; touch " + pwned, "ROWS=8 9")
    line = next((ln for ln in r.stdout.splitlines() if "tools/layer_test.sh" in ln), "")
    words = words_of(line)
    check(after(words, "--seed") == "2; touch " + pwned and after(words, "--rows") == "8 9",
          "make -n layer-test SEED / ROWS quoted", f"printed: {line!r} ({r.stderr[-300:]})")
    r = make("-n", "test", f"BUILD={BUILD}", "TEST=a'b; touch " + pwned)
    line = next((ln for ln in r.stdout.splitlines() if "run_tests.py" in ln), "")
    words = words_of(line)
    check(after(words, "--filter") == "a'b; touch " + pwned, "make -n test TEST with a quote",
          f"printed: {line!r} ({r.stderr[-300:]})")
    # 5. a config that does not exist: named, with the list of configs, no make jargon
    for goal in ("sim", "vl", "layer-test"):
        r = make("-n", goal, "CONFIG=nonexistent", f"BUILD={BUILD}")
        err = r.stderr
        check(r.returncode != 0 and "no config named 'nonexistent'" in err and "tiny" in err and
              "No rule to make target" not in err, f"make {goal} CONFIG=nonexistent",
              f"exit {r.returncode}, stderr {err[-400:]!r}")
    r = make("-n", "sim", "CONFIG=tiny; touch " + pwned, f"BUILD={BUILD}")
    check(r.returncode != 0 and "no config named" in r.stderr and not os.path.exists(pwned),
          "make sim CONFIG with ';'", f"exit {r.returncode}, stderr {r.stderr[-300:]!r}")
    # 6. switches are 0 or 1: another value is an error naming it, not a silent "off"
    for var, val in (("WAVES", "yes"), ("COV", "2"), ("FORCE", "true"), ("NOBUILD", "on")):
        r = make("-n", "help", f"{var}={val}", f"BUILD={BUILD}")
        check(r.returncode != 0 and f"{var}='{val}': must be 0 or 1" in r.stderr,
              f"make {var}={val}", f"exit {r.returncode}, stderr {r.stderr[-300:]!r}")
    # the good case still works: an existing config path is accepted by the check
    r = make("-n", "layer-test", "CONFIG=configs/tiny.cfg", f"BUILD={BUILD}")
    check(r.returncode == 0 and "configs/tiny.cfg" in r.stdout, "make -n layer-test CONFIG=path",
          f"exit {r.returncode}, {r.stderr[-300:]}")
    # 6. a BUILD folder with a space: make cannot name targets after it; said so
    r = make("-n", "sim", "BUILD=my build")
    check(r.returncode != 0 and "BUILD" in r.stderr and "space" in r.stderr,
          "make sim BUILD with a space", f"exit {r.returncode}, stderr {r.stderr[-300:]!r}")
    left = [p for p in os.listdir(TMP) if p.startswith("pwned")]
    check(not left, "no injected command ran", f"{left} exist in {TMP}")
    print(f"test_robust_make: {len(FAILS)} failed")
    return 1 if FAILS else 0


def test_robust_make():
    """make rejects unsafe variable values; no injected command runs"""
    assert _main() == 0

