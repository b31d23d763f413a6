#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make sweep`: accuracy of the digits MLP on the C model across ADC bits, DAC bits, programming
error, read noise and drift time (docs/analog-model.md, "Sweeps"). Each point is the base config
with one knob changed; every point is calibrated (adc_shift per layer) and run with `aimc run
--backend cmodel`. Writes BUILD/sweep/sweep.csv, one PNG per knob (accuracy vs the knob with the
float32 and int8-ideal accuracies as horizontal lines) and BUILD/sweep/summary.json.

  sweep.py --config CFG --build DIR [--seeds 1,2] [--quick]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from kirchhoff import atomic               # noqa: E402
from kirchhoff import export as kexport    # noqa: E402
from kirchhoff import pipeline as kpipe     # noqa: E402
from kirchhoff import quantize as kq       # noqa: E402
from kirchhoff import train as ktrain      # noqa: E402

# knob -> (values, axis label, log x axis). The base config's own value is added to each list.
KNOBS = {
    "adc_bits": ([3, 4, 5, 6, 7, 8, 10, 12], "ADC resolution (bit)", False),
    "dac_bits": ([1, 2, 4, 8], "DAC resolution (bit)", False),
    "prog_sigma": ([0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16], "programming error sigma (of range)", False),
    "read_sigma": ([0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08], "read noise sigma (of range)", False),
    "drift_time": ([0, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8], "time since programming (s)", True),
}
QUICK = {"adc_bits": [4, 6, 8], "dac_bits": [1, 8], "prog_sigma": [0.0, 0.04],
         "read_sigma": [0.0, 0.04], "drift_time": [0, 1e6]}


class SweepError(Exception):
    pass


def run(cmd, timeout=600):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        tail = "\n".join((p.stderr.strip() or p.stdout.strip()).splitlines()[-10:])
        raise SweepError(f"exit {p.returncode}: {shlex.join(cmd)}\n{tail}")
    return p.stdout


def cfg_text(base_text, overrides, name):
    """The base config text with keys replaced or appended, renamed."""
    out, seen = [], set()
    for line in base_text.splitlines():
        key = line.split("#", 1)[0].split("=", 1)[0].strip()
        if key == "name":
            out.append(f"name = {name}")
            continue
        if key in overrides:
            out.append(f"{key} = {overrides[key]}")
            seen.add(key)
            continue
        out.append(line)
    out += [f"{k} = {v}" for k, v in overrides.items() if k not in seen]
    return "\n".join(out) + "\n"


def overrides_for(knob, value):
    if knob == "adc_bits":
        return {"adc_bits": int(value), "adc_cycles": int(value)}
    if knob == "dac_bits":
        return {"dac_bits": int(value)}
    if knob == "drift_time":
        return {"drift_time": repr(float(value))}
    return {knob: repr(float(value))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--config", required=True, help="base config (name or .cfg path)")
    ap.add_argument("--build", required=True, help="build directory (output in BUILD/sweep)")
    ap.add_argument("--seeds", default="1", help="chip seeds, comma separated (default 1)")
    ap.add_argument("--quick", action="store_true", help="three or fewer points per knob")
    ap.add_argument("--aimc", help="C CLI (default BUILD/sw/aimc)")
    args = ap.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
        if not seeds or any(s < 0 for s in seeds):
            raise ValueError
    except ValueError:
        print(f"sweep: --seeds wants non-negative integers separated by commas, got "
              f"'{args.seeds}'", file=sys.stderr)
        return 2
    cfg_path = args.config
    if "/" not in cfg_path and not cfg_path.endswith(".cfg"):
        cfg_path = os.path.join(ROOT, "configs", cfg_path + ".cfg")
    if not os.path.isfile(cfg_path):
        print(f"sweep: config {args.config}: no such file", file=sys.stderr)
        return 2
    aimc = os.path.abspath(args.aimc or os.path.join(args.build, "sw", "aimc"))
    if not os.path.exists(aimc):
        print(f"sweep: {aimc} does not exist (run 'make sw')", file=sys.stderr)
        return 2
    out_dir = os.path.abspath(os.path.join(args.build, "sweep"))
    work = os.path.join(out_dir, "work")
    os.makedirs(work, exist_ok=True)
    t0 = time.monotonic()
    with open(cfg_path) as f:
        base_text = f.read()
    base_cfg = json.loads(run([aimc, "config", "--json", cfg_path]))

    print("sweep: training and quantizing the digits MLP", flush=True)
    pr = kpipe.prepare(None)
    y_int8 = kq.forward_int8(pr.qnet, pr.xte)
    acc_float = pr.acc_float
    acc_int8 = float(np.mean(ktrain.predict(y_int8) == pr.yte))
    inputs = os.path.join(work, "test_inputs.i8")
    atomic.write_bytes(inputs, np.ascontiguousarray(pr.xte, np.int8).tobytes())
    n, nc = len(pr.yte), pr.qnet.n_classes
    print(f"sweep: float32 {100 * acc_float:.2f} %, int8 ideal {100 * acc_int8:.2f} %, "
          f"{n} test images, base config {base_cfg['name']}", flush=True)

    def point(name, overrides, seed):
        path = os.path.join(work, f"{name}.cfg")
        atomic.write_text(path, cfg_text(base_text, overrides, name))
        cfg = json.loads(run([aimc, "config", "--json", path]))
        cal = kq.calibrate_adc_shifts(pr.qnet, pr.xtr, cfg)
        net = os.path.join(work, f"{name}.khnf")
        kexport.write_net(net, pr.qnet.with_adc_shifts(cal.shifts))
        out = os.path.join(work, f"{name}_s{seed}.i8")
        run([aimc, "run", "--config", path, "--seed", str(seed), "--backend", "cmodel",
             "--net", net, "--inputs", inputs, "--out", out])
        y = np.fromfile(out, dtype=np.int8)
        if y.size != n * nc:
            raise SweepError(f"{out}: {y.size} bytes, expected {n * nc}")
        return float(np.mean(ktrain.predict(y.reshape(n, nc)) == pr.yte)), cal.shifts

    rows = []
    base_acc = [point("base_point", {}, s)[0] for s in seeds]
    print(f"sweep: base config {base_cfg['name']}: accuracy "
          + ", ".join(f"{100 * a:.2f} %" for a in base_acc) + f" (seeds {args.seeds})", flush=True)
    for knob, (values, _, _) in KNOBS.items():
        vals = QUICK[knob] if args.quick else values
        for i, v in enumerate(vals):
            for s in seeds:
                acc, shifts = point(f"{knob}_{i}", overrides_for(knob, v), s)
                rows.append({"knob": knob, "value": v, "seed": s, "accuracy": acc,
                             "adc_shifts": " ".join(map(str, shifts)),
                             "float": acc_float, "int8_ideal": acc_int8})
                print(f"  {knob:>11} = {v:<8g} seed {s}: {100 * acc:6.2f} %  (adc_shift {shifts})",
                      flush=True)
    with atomic.open_atomic(os.path.join(out_dir, "sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    # ADC-bits knee: the fewest bits whose mean accuracy is within 1 point of the int8 ideal
    adc = {}
    for r in rows:
        if r["knob"] == "adc_bits":
            adc.setdefault(r["value"], []).append(r["accuracy"])
    knee = next((b for b in sorted(adc) if np.mean(adc[b]) >= acc_int8 - 0.01), None)
    # and relative to the sweep's own plateau (the most ADC bits): where other effects dominate
    plateau = float(np.mean(adc[max(adc)])) if adc else None
    knee_plateau = next((b for b in sorted(adc) if np.mean(adc[b]) >= plateau - 0.01), None) \
        if adc else None

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    pngs = []
    for knob, (_, label, logx) in KNOBS.items():
        pts = {}
        for r in rows:
            if r["knob"] == knob:
                pts.setdefault(r["value"], []).append(r["accuracy"])
        xs = sorted(pts)
        xplot = [x if not (logx and x == 0) else min(v for v in xs if v > 0) / 10 for x in xs]
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        ax.plot(xplot, [100 * np.mean(pts[x]) for x in xs], "o-", label=f"C model ({base_cfg['name']})")
        if len(seeds) > 1:
            ax.fill_between(xplot, [100 * min(pts[x]) for x in xs], [100 * max(pts[x]) for x in xs],
                            alpha=0.2, label=f"min-max over {len(seeds)} seeds")
        ax.axhline(100 * acc_float, color="k", ls="--", lw=1, label=f"float32 {100 * acc_float:.1f} %")
        ax.axhline(100 * acc_int8, color="g", ls=":", lw=1.5, label=f"int8 ideal {100 * acc_int8:.1f} %")
        if logx:
            ax.set_xscale("log")
            if xs and xs[0] == 0:
                ax.annotate("no drift", (xplot[0], 100 * np.mean(pts[xs[0]])), fontsize=7)
        ax.set_xlabel(label)
        ax.set_ylabel("accuracy (%)")
        ax.set_ylim(0, 102)
        ax.set_title(f"digits MLP, {knob} (other knobs as {base_cfg['name']})", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
        fig.tight_layout()
        png = os.path.join(out_dir, f"accuracy_vs_{knob}.png")
        with atomic.open_atomic(png, "wb") as f:
            fig.savefig(f, dpi=110, format="png")
        plt.close(fig)
        pngs.append(png)
    summary = {"config": base_cfg["name"], "seeds": seeds, "samples": n,
               "accuracy_float": acc_float, "accuracy_int8_ideal": acc_int8,
               "accuracy_base_config": base_acc, "adc_bits_knee": knee,
               "adc_bits_knee_rule": "fewest ADC bits with mean accuracy >= int8 ideal - 1 point",
               "adc_bits_knee_vs_plateau": knee_plateau, "adc_bits_plateau_accuracy": plateau,
               "adc_bits_knee_vs_plateau_rule": "fewest ADC bits with mean accuracy >= the mean at "
                                                "the most ADC bits - 1 point",
               "csv": os.path.join(out_dir, "sweep.csv"), "plots": pngs,
               "wall_s": time.monotonic() - t0}
    atomic.write_json(os.path.join(out_dir, "summary.json"), summary)
    print(f"sweep: accuracy at the base config {base_cfg['name']}: "
          + ", ".join(f"{100 * a:.2f} %" for a in base_acc)
          + f"; float32 {100 * acc_float:.2f} %, int8 ideal {100 * acc_int8:.2f} %")
    print(f"sweep: ADC-bits knee (fewest bits within 1 point of int8 ideal): {knee}; "
          f"within 1 point of the {max(adc)}-bit plateau ({100 * plateau:.2f} %): {knee_plateau}")
    print(f"sweep: wrote {out_dir}/sweep.csv, {len(pngs)} plots, summary.json "
          f"({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (SweepError, kq.QuantError, kexport.NetFormatError) as e:
        print(f"sweep: {e}", file=sys.stderr)
        sys.exit(1)
