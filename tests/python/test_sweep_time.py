#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The time axis of `make sweep` (docs/analog-model.md "Devices", "Sweeps"), quick form on the C
model (sweep.py --time-only --quick, seed 1, flash and PCM):
- accuracy_vs_time.csv and .png are written, and no temporary file is left beside them;
- one row per device, time and compensation, with the times 1 s, 1 d, 1 y;
- flash (base) is time-independent: the same accuracy and accumulator error at every time;
- PCM drift grows the first layer's accumulator error with time, and the driver's global drift
  compensation (aimc calibrate --fit global) removes most of it at 1 year (error at least 3x
  smaller), while at 1 s it changes little.
The expectations follow from the physics (a common drift scale is what a global gain corrects),
not from a run of the tool under test.

  BUILD=build .venv/bin/python -m pytest tests/python/test_sweep_time.py   (PASS/FAIL lines; exit 1 on a failure)
"""

import csv
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(ROOT, "build")))
fails = 0


def check(ok, name, msg=""):
    global fails
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {msg}"))
    fails += 0 if ok else 1


def _main():
    aimc = os.path.join(BUILD, "sw", "aimc")
    if not os.path.exists(aimc):
        print(f"test_sweep_time: {aimc} is missing (make sw)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([sys.executable, os.path.join(ROOT, "sw", "python", "sweep.py"),
                            "--config", "base", "--build", d, "--aimc", aimc, "--seeds", "1",
                            "--quick", "--time-only", "--devices", "base,pcm", "--model", ""],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, "sweep_time_runs", p.stderr[-800:])
        if p.returncode != 0:
            return 1
        out = os.path.join(d, "sweep")
        csv_path = os.path.join(out, "accuracy_vs_time.csv")
        png = os.path.join(out, "accuracy_vs_time.png")
        check(os.path.getsize(png) > 1000, "png_written")
        left = [f for f in os.listdir(out) if ".tmp" in f]
        check(not left, "no_temporary_files", str(left))
        rows = list(csv.DictReader(open(csv_path)))
        check(len(rows) == 2 * 3 * 2, "csv_rows", f"{len(rows)} rows, expected 12")
        by = {(r["config"], r["time"], r["compensation"]): r for r in rows}
        flash_acc = {r["accuracy"] for r in rows if r["config"] == "base"}
        flash_err = {r["acc_rms_error_rel_layer0"] for r in rows
                     if r["config"] == "base" and r["compensation"] == "none"}
        check(len(flash_acc) == 1 and len(flash_err) == 1, "flash_time_independent",
              f"accuracies {flash_acc}, errors {flash_err}")
        e = lambda t, c: float(by[("pcm", t, c)]["acc_rms_error_rel_layer0"])  # noqa: E731
        check(e("1y", "none") > 2 * e("1s", "none"), "pcm_drift_grows_error",
              f"layer-0 error {e('1s', 'none'):.3f} at 1 s, {e('1y', 'none'):.3f} at 1 y")
        check(e("1y", "global") * 3 < e("1y", "none"), "pcm_global_compensation",
              f"1 y: {e('1y', 'none'):.3f} without, {e('1y', 'global'):.3f} with compensation")
        check(abs(e("1s", "global") - e("1s", "none")) < 0.2 * e("1s", "none"), "pcm_1s_little_to_correct",
              f"1 s: {e('1s', 'none'):.3f} without, {e('1s', 'global'):.3f} with compensation")
        acc = float(by[("pcm", "1y", "global")]["accuracy"])
        check(acc > 0.9, "pcm_1y_accuracy", f"{acc:.3f}")
    return 1 if fails else 0


def test_sweep_time():
    """make sweep's time axis: drift compensation"""
    assert _main() == 0

