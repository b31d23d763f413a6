#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`aimc calibrate` on the C model (docs/calibration.md):
- on the ideal config the fit is the identity: the written file is byte-identical to the input;
- on the noisy base config, a digits MLP exported with every adc_shift 0 (the 8-bit ADCs clip) is
  far below the int8 ideal accuracy; after calibration it is within 1 percentage point of it;
- bad flags and bad files exit 2 with a message naming the flag.
Expected accuracies come from the numpy int8 forward pass, never from the tool under test.

  BUILD=build .venv/bin/python -m pytest tests/python/test_calibrate.py   (PASS/FAIL lines; exit 1 on a failure)
"""

import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from kirchhoff import export as kexport
from kirchhoff import pipeline as kpipe
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(ROOT, "build")))
AIMC = os.path.join(BUILD, "sw", "aimc")
TMP = tempfile.mkdtemp(prefix="kh_test_cal_")
SEED = 3
failures = 0


def result(ok, name, detail=""):
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {detail} (seed {SEED}; rerun: BUILD={BUILD} {sys.executable} "
              f"{os.path.relpath(__file__, ROOT)})")


def aimc(*args):
    p = subprocess.run([AIMC, *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout + p.stderr


def run_acc(cfg, net, inputs, labels):
    out = os.path.join(TMP, "out.i8")
    rc, msg = aimc("run", "--config", cfg, "--seed", str(SEED), "--net", net, "--inputs", inputs,
                   "--out", out)
    if rc != 0:
        raise RuntimeError(f"aimc run failed: {msg}")
    y = np.fromfile(out, dtype=np.int8).reshape(len(labels), -1)
    return float(np.mean(ktrain.predict(y) == labels))


def _main():
    pr = kpipe.prepare()
    xte, yte = pr.xte, pr.yte
    inputs = os.path.join(TMP, "test.i8")
    calib = os.path.join(TMP, "calib.i8")
    xte.tofile(inputs)
    pr.xtr[:300].tofile(calib)
    acc_int8 = float(np.mean(ktrain.predict(kq.forward_int8(pr.qnet, xte)) == yte))

    # 1. Ideal config: identity.
    net0 = os.path.join(TMP, "net_shift0.khnf")
    kexport.write_net(net0, pr.qnet)              # every adc_shift 0
    out = os.path.join(TMP, "ideal_cal.khnf")
    rc, msg = aimc("calibrate", "--config", "ideal64", "--seed", str(SEED), "--net", net0,
                   "--inputs", calib, "--out", out)
    same = rc == 0 and open(out, "rb").read() == open(net0, "rb").read()
    result(same, "ideal64: calibration is the identity (byte-identical file)", msg[-800:])

    # 2. Noisy base config, adc_shift 0 everywhere (clipping): calibration recovers the accuracy.
    acc_before = run_acc("base", net0, inputs, yte)
    cal = os.path.join(TMP, "base_cal.khnf")
    rep = os.path.join(TMP, "base_cal.json")
    rc, msg = aimc("calibrate", "--config", "base", "--seed", str(SEED), "--net", net0,
                   "--inputs", calib, "--out", cal, "--report", rep)
    if rc != 0:
        result(False, "base: calibrate runs", msg[-1500:])
        return
    r = json.load(open(rep))
    shifts = [r["layers"][str(i)]["adc_shift_after"] for i in range(len(pr.qnet.layers))]
    qcal = kexport.read_net(cal)
    result(shifts == [L.adc_shift for L in qcal.layers] and all(s > 0 for s in shifts),
           "base: fitted adc_shifts are > 0 and written to the file", f"{shifts}")
    errs = [(v["acc_rms_error_before"], v["acc_rms_error_after"]) for v in r["layers"].values()]
    result(all(a < b for b, a in errs), "base: accumulator RMS error drops in every layer",
           f"{errs}")
    acc_after = run_acc("base", cal, inputs, yte)
    print(f"  int8 ideal {acc_int8:.4f}; base C model adc_shift 0: {acc_before:.4f}, "
          f"calibrated {acc_after:.4f} (shifts {shifts})")
    result(acc_before < acc_int8 - 0.05, "base: the uncalibrated network (adc_shift 0) is "
           "clearly worse", f"{acc_before} vs int8 {acc_int8}")
    result(acc_after >= acc_int8 - 0.01, "base: calibrated accuracy within 1 pp of int8 ideal",
           f"{acc_after} vs int8 {acc_int8}")

    # 3. --shifts keep keeps the file's shifts.
    keep = os.path.join(TMP, "keep.khnf")
    rc, msg = aimc("calibrate", "--config", "base", "--seed", str(SEED), "--net", net0,
                   "--inputs", calib, "--out", keep, "--shifts", "keep", "--max-samples", "50")
    result(rc == 0 and all(L.adc_shift == 0 for L in kexport.read_net(keep).layers),
           "--shifts keep leaves adc_shift as in the file", msg[-800:])

    # 4. Bad input: exit 2, message naming the problem.
    bad_in = os.path.join(TMP, "bad.i8")
    with open(bad_in, "wb") as f:
        f.write(b"\1" * 65)
    bad_net = os.path.join(TMP, "bad.khnf")
    with open(bad_net, "wb") as f:
        f.write(open(net0, "rb").read()[:-1] + b"\0")
    common = ["--config", "base", "--out", os.path.join(TMP, "x.khnf")]
    cases = [
        ("--shifts bogus", ["--net", net0, "--inputs", calib, "--shifts", "bogus"], "--shifts"),
        ("missing --inputs", ["--net", net0], "required"),
        ("replay back-end", ["--net", net0, "--inputs", calib, "--backend", "replay:x.log"],
         "replay"),
        ("inputs not a whole number of vectors", ["--net", net0, "--inputs", bad_in],
         "n_inputs = 64"),
        ("corrupt network file", ["--net", bad_net, "--inputs", calib], "crc32"),
        ("--max-samples 0", ["--net", net0, "--inputs", calib, "--max-samples", "0"],
         "--max-samples"),
        ("unknown option", ["--net", net0, "--inputs", calib, "--frobnicate", "1"],
         "--frobnicate"),
    ]
    for name, args, want in cases:
        rc, msg = aimc("calibrate", *common, *args)
        result(rc == 2 and want in msg, f"bad input: {name} -> exit 2", f"exit {rc}: {msg}")


def test_calibrate():
    """ADC calibration keeps the accuracy"""
    _main()
    assert failures == 0, f"{failures} check(s) failed (FAIL lines above)"

