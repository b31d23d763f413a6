#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make sweep` (bit-sliced weights, issue 18 item 4): digits MLP accuracy on the C model against
the array area spent per weight (2 x weight_slices cells), for cells of few programmable states.

Each point is the ReRAM preset configs/reram.cfg (--config, default reram: device reram with its
level-dependent programming spread and relaxation, R1, R4; read noise 0.01 of range, R1) with
cell_levels L states per cell (the few-level regime; reram.cfg itself has 16; 128 = every level).
For each L the weights are stored in 1 pair of 127 levels (7 bits) or sliced into weight_slices pairs of
slice_bits bits (docs/decisions/0009-bit-sliced-weights.md). Every point is calibrated (adc_shift
per layer, slices included) and run with `aimc run --backend cmodel` for each seed. Writes
BUILD/sweep/slices.csv, BUILD/sweep/accuracy_vs_slices.png and BUILD/sweep/slices.json, each through
a temporary file in the same folder renamed into place.

  sweep_slices.py --config CFG --build DIR [--seeds 1,2] [--quick]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import io
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from kirchhoff import atomic
from kirchhoff import export as kexport
from kirchhoff import pipeline as kpipe
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain
from sweep import SweepError, sweep_point, sweep_setup

# (weight_slices, slice_bits): one pair of 127 levels, then the slicings of the 7 magnitude bits
SLICINGS = [(1, 7), (2, 4), (3, 3), (4, 2), (7, 1)]
CELL_LEVELS = [2, 4, 16, 128]          # states per cell (config key cell_levels; 128: every level)
QUICK_SLICINGS = [(1, 7), (7, 1)]
QUICK_LEVELS = [2, 128]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--config", default="reram",
                    help="base config, name or .cfg path (default reram: the ReRAM preset)")
    ap.add_argument("--build", required=True, help="build directory (output in BUILD/sweep)")
    ap.add_argument("--seeds", default="1", help="chip seeds, comma separated (default 1)")
    ap.add_argument("--quick", action="store_true",
                    help="binary and 128-level cells, 1 x 7 and 7 x 1 bits only")
    ap.add_argument("--aimc", help="C CLI (default BUILD/sw/aimc)")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    setup = sweep_setup(args, "sweep_slices")
    if setup is None:
        return 2
    seeds, cfg_path, aimc, out_dir, work, base_text, base_cfg = setup

    print("sweep_slices: training and quantizing the digits MLP", flush=True)
    pr = kpipe.prepare(None)
    acc_float = pr.acc_float
    acc_int8 = float(np.mean(ktrain.predict(kq.forward_int8(pr.qnet, pr.xte)) == pr.yte))
    inputs = os.path.join(work, "slices_inputs.i8")
    atomic.write_bytes(inputs, pr.xte.tobytes())
    n = len(pr.yte)

    def point(name, overrides, seed):
        return sweep_point(aimc, work, base_text, pr, inputs, name, overrides, seed)

    slicings = QUICK_SLICINGS if args.quick else SLICINGS
    levels = QUICK_LEVELS if args.quick else CELL_LEVELS
    wgt0 = int(base_cfg["wgt_depth"])
    rows = []
    for dl in levels:
        for ns, sb in slicings:
            ov = {"cell_levels": dl, "weight_slices": ns, "slice_bits": sb,
                       # one tile image grows with the slices: the staging buffer with it
                  "wgt_depth": min(wgt0 * ns, 262144)}
            for s in seeds:
                acc, shifts = point(f"slices_d{dl}_{ns}x{sb}", ov, s)
                rows.append({"cell_levels": dl, "weight_slices": ns, "slice_bits": sb,
                             "cells_per_weight": 2 * ns, "seed": s, "accuracy": acc,
                             "adc_shifts": " ".join(map(str, shifts)),
                             "float": acc_float, "int8_ideal": acc_int8})
                print(f"  cell_levels {dl:>3} {ns} x {sb} bit ({2 * ns:>2} cells/weight) seed {s}:"
                      f" {100 * acc:6.2f} %  (adc_shift {shifts})", flush=True)

    csv_path = os.path.join(out_dir, "slices.csv")

    with atomic.open_atomic(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    mean = {}
    for r in rows:
        mean.setdefault((r["cell_levels"], r["weight_slices"]), []).append(r["accuracy"])
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    for dl in levels:
        xs = [2 * ns for ns, _ in slicings]
        ys = [100 * np.mean(mean[(dl, ns)]) for ns, _ in slicings]
        lab = f"{dl} states per cell" if dl < 128 else "128 states (every level)"
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
    ax.set_title(f"digits MLP, bit-sliced weights on few-level cells ({base_cfg['name']})",
                 fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    png = os.path.join(out_dir, "accuracy_vs_slices.png")
    buf = io.BytesIO()
    try:
        fig.savefig(buf, dpi=110, format="png")
    finally:
        plt.close(fig)
    atomic.write_bytes(png, buf.getvalue())

    summary = {"config": base_cfg["name"], "seeds": seeds, "samples": n,
               "accuracy_float": acc_float, "accuracy_int8_ideal": acc_int8,
               "mean_accuracy": {f"d{dl}_{ns}x{sb}": float(np.mean(mean[(dl, ns)]))
                                 for dl in levels for ns, sb in slicings},
               "csv": csv_path, "plot": png, "wall_s": time.monotonic() - t0}
    atomic.write_json(os.path.join(out_dir, "slices.json"), summary)
    for dl in levels:
        print(f"sweep_slices: {dl} states: " + ", ".join(
            f"{2 * ns} cells {100 * np.mean(mean[(dl, ns)]):.2f} %" for ns, _ in slicings))
    print(f"sweep_slices: wrote {csv_path}, {png}, slices.json ({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (SweepError, kq.QuantError, kexport.NetFormatError) as e:
        print(f"sweep_slices: {e}", file=sys.stderr)
        sys.exit(1)
