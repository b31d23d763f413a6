#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make sweep` (bit-sliced weights, issue 18 item 4): digits MLP accuracy on the C model against
the array area spent per weight (2 x weight_slices cells), for cells of few programmable states.

Each point is the base config (default: base) turned ReRAM-like with keys of the config format:
programming error prog_sigma 0.04 of range (R2: 3-6 %), read noise 0.01 (R1: w_noise about 0.01),
and device_levels D states per cell (the few-level regime; 0 = continuous, as flash). For each D
the weights are stored in 1 pair of 127 levels (7 bits) or sliced into weight_slices pairs of
slice_bits bits (docs/decisions/0009-bit-sliced-weights.md). Every point is calibrated (adc_shift
per layer, slices included) and run with `aimc run --backend cmodel` for each seed. Writes
BUILD/sweep/slices.csv, BUILD/sweep/accuracy_vs_slices.png and BUILD/sweep/slices.json, each through
a temporary file in the same folder renamed into place.

  sweep_slices.py --config CFG --build DIR [--seeds 1,2] [--quick]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from kirchhoff import export as kexport    # noqa: E402
from kirchhoff import pipeline as kpipe     # noqa: E402
from kirchhoff import quantize as kq       # noqa: E402
from kirchhoff import train as ktrain      # noqa: E402
from sweep import SweepError, cfg_text, run  # noqa: E402

# (weight_slices, slice_bits): one pair of 127 levels, then the slicings of the 7 magnitude bits
SLICINGS = [(1, 7), (2, 4), (3, 3), (4, 2), (7, 1)]
DEVICE_LEVELS = [2, 4, 16, 0]          # states per cell; 0 = continuous (flash-like)
RERAM_LIKE = {"prog_sigma": "0.04", "read_sigma": "0.01"}
QUICK_SLICINGS = [(1, 7), (7, 1)]
QUICK_LEVELS = [2, 0]


def atomic_write(path, write):
    """write(f) into a temporary file beside path, then rename it into place."""
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=d)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--config", required=True, help="base config (name or .cfg path)")
    ap.add_argument("--build", required=True, help="build directory (output in BUILD/sweep)")
    ap.add_argument("--seeds", default="1", help="chip seeds, comma separated (default 1)")
    ap.add_argument("--quick", action="store_true",
                    help="binary and continuous cells, 1 x 7 and 7 x 1 bits only")
    ap.add_argument("--aimc", help="C CLI (default BUILD/sw/aimc)")
    args = ap.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
        if not seeds or any(s < 0 for s in seeds):
            raise ValueError
    except ValueError:
        print(f"sweep_slices: --seeds wants non-negative integers separated by commas, got "
              f"'{args.seeds}'", file=sys.stderr)
        return 2
    cfg_path = args.config
    if "/" not in cfg_path and not cfg_path.endswith(".cfg"):
        cfg_path = os.path.join(ROOT, "configs", cfg_path + ".cfg")
    if not os.path.isfile(cfg_path):
        print(f"sweep_slices: config {args.config}: no such file", file=sys.stderr)
        return 2
    aimc = os.path.abspath(args.aimc or os.path.join(args.build, "sw", "aimc"))
    if not os.path.exists(aimc):
        print(f"sweep_slices: {aimc} does not exist (run 'make sw')", file=sys.stderr)
        return 2
    out_dir = os.path.abspath(os.path.join(args.build, "sweep"))
    work = os.path.join(out_dir, "work")
    os.makedirs(work, exist_ok=True)
    t0 = time.monotonic()
    with open(cfg_path) as f:
        base_text = f.read()
    base_cfg = json.loads(run([aimc, "config", "--json", cfg_path]))

    print("sweep_slices: training and quantizing the digits MLP", flush=True)
    pr = kpipe.prepare(None)
    acc_float = pr.acc_float
    acc_int8 = float(np.mean(ktrain.predict(kq.forward_int8(pr.qnet, pr.xte)) == pr.yte))
    inputs = os.path.join(work, "slices_inputs.i8")
    pr.xte.tofile(inputs)
    n, nc = len(pr.yte), pr.qnet.n_classes

    def point(name, overrides, seed):
        path = os.path.join(work, f"{name}.cfg")
        with open(path, "w") as f:
            f.write(cfg_text(base_text, overrides, name))
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

    slicings = QUICK_SLICINGS if args.quick else SLICINGS
    levels = QUICK_LEVELS if args.quick else DEVICE_LEVELS
    wgt0 = int(base_cfg["wgt_depth"])
    rows = []
    for dl in levels:
        for ns, sb in slicings:
            ov = dict(RERAM_LIKE)
            ov.update({"device_levels": dl, "weight_slices": ns, "slice_bits": sb,
                       # one tile image grows with the slices: the staging buffer with it
                       "wgt_depth": min(wgt0 * ns, 262144)})
            for s in seeds:
                acc, shifts = point(f"slices_d{dl}_{ns}x{sb}", ov, s)
                rows.append({"device_levels": dl, "weight_slices": ns, "slice_bits": sb,
                             "cells_per_weight": 2 * ns, "seed": s, "accuracy": acc,
                             "adc_shifts": " ".join(map(str, shifts)),
                             "float": acc_float, "int8_ideal": acc_int8})
                print(f"  device_levels {dl:>3} {ns} x {sb} bit ({2 * ns:>2} cells/weight) seed {s}:"
                      f" {100 * acc:6.2f} %  (adc_shift {shifts})", flush=True)

    csv_path = os.path.join(out_dir, "slices.csv")

    def write_csv(f):
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    atomic_write(csv_path, write_csv)

    mean = {}
    for r in rows:
        mean.setdefault((r["device_levels"], r["weight_slices"]), []).append(r["accuracy"])
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    for dl in levels:
        xs = [2 * ns for ns, _ in slicings]
        ys = [100 * np.mean(mean[(dl, ns)]) for ns, _ in slicings]
        lab = f"{dl} states per cell" if dl else "continuous (flash-like)"
        ax.plot(xs, ys, "o-", label=lab)
        if len(seeds) > 1:
            ax.fill_between(xs, [100 * min(mean[(dl, ns)]) for ns, _ in slicings],
                            [100 * max(mean[(dl, ns)]) for ns, _ in slicings], alpha=0.15)
    ax.axhline(100 * acc_float, color="k", ls="--", lw=1, label=f"float32 {100 * acc_float:.1f} %")
    ax.axhline(100 * acc_int8, color="g", ls=":", lw=1.5, label=f"int8 ideal {100 * acc_int8:.1f} %")
    ax.set_xticks([2 * ns for ns, _ in slicings])
    ax.set_xticklabels([f"{2 * ns}\n{ns}x{sb}b" for ns, sb in slicings], fontsize=7)
    ax.set_xlabel("array area: cells per weight (slices x bits)")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 102)
    ax.set_title(f"digits MLP, bit-sliced weights on ReRAM-like cells "
                 f"(prog 4 %, read 1 %; {base_cfg['name']})", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    png = os.path.join(out_dir, "accuracy_vs_slices.png")
    fd, tmp = tempfile.mkstemp(prefix=".accuracy_vs_slices.png.", dir=out_dir)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110, format="png")
        os.replace(tmp, png)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        plt.close(fig)

    summary = {"config": base_cfg["name"], "overrides": RERAM_LIKE, "seeds": seeds, "samples": n,
               "accuracy_float": acc_float, "accuracy_int8_ideal": acc_int8,
               "mean_accuracy": {f"d{dl}_{ns}x{sb}": float(np.mean(mean[(dl, ns)]))
                                 for dl in levels for ns, sb in slicings},
               "csv": csv_path, "plot": png, "wall_s": time.monotonic() - t0}
    atomic_write(os.path.join(out_dir, "slices.json"),
                 lambda f: (json.dump(summary, f, indent=2), f.write("\n")))
    for dl in levels:
        print(f"sweep_slices: {dl or 'continuous'} states: " + ", ".join(
            f"{2 * ns} cells {100 * np.mean(mean[(dl, ns)]):.2f} %" for ns, _ in slicings))
    print(f"sweep_slices: wrote {csv_path}, {png}, slices.json ({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (SweepError, kq.QuantError, kexport.NetFormatError) as e:
        print(f"sweep_slices: {e}", file=sys.stderr)
        sys.exit(1)
