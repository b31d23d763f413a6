#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Seed corpus for the network-file fuzz target: valid files (docs/network-format.md) of a few
shapes, written by the project's exporter. Usage: make_seeds.py OUT_DIR"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sw", "python"))
from kirchhoff.conv import Conv  # noqa: E402
from kirchhoff.export import write_net  # noqa: E402
from kirchhoff.quantize import QLayer, QNet  # noqa: E402

SHAPES = [[(3, 2)], [(5, 4), (4, 3)], [(9, 8), (8, 8), (8, 2)], [(1, 1)], [(7, 1), (1, 6)]]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1)
    for i, shape in enumerate(SHAPES):
        layers = []
        for j, (k, n) in enumerate(shape):
            layers.append(QLayer(w=rng.integers(-127, 128, size=(n, k)),
                                 bias=rng.integers(-1000, 1000, size=n),
                                 mult=rng.integers(1 << 30, 1 << 31, size=n),
                                 shift=rng.integers(1, 63, size=n),
                                 relu=j + 1 < len(shape), adc_shift=int(rng.integers(0, 16))))
        write_net(os.path.join(out, f"seed{i}.khnf"), QNet(layers=layers, in_scale=0.05))
    # Version 2: conv 5x5x2 input, 3x3 kernel, stride 2 -> 2x2x4, then FC 16 -> 3.
    g = Conv(5, 5, 2, 3, 3, 2)
    conv = QLayer(w=rng.integers(-127, 128, size=(4, g.k)), bias=rng.integers(-99, 99, size=4),
                  mult=np.full(4, 1 << 30), shift=np.full(4, 33), relu=True, adc_shift=1, conv=g)
    fc = QLayer(w=rng.integers(-127, 128, size=(3, 16)), bias=np.zeros(3, dtype=np.int64),
                mult=np.full(3, 1 << 30), shift=np.full(3, 40), relu=False)
    write_net(os.path.join(out, "seed_conv.khnf"), QNet(layers=[conv, fc], in_scale=0.1))
    print(f"make_seeds: {len(SHAPES) + 1} files in {out}")


if __name__ == "__main__":
    main()
