#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Seed corpus for the network-file fuzz target: valid files (docs/network-format.md) of a few
shapes, written by the project's exporter (versions 1 and 2) and by a small writer of version 3
below (graphs of every operator). Usage: make_seeds.py OUT_DIR"""

import os
import struct
import sys
import zlib

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
    n3 = write_graph_seeds(out, rng)
    print(f"make_seeds: {len(SHAPES) + 1 + n3} files in {out}")


# ---- version 3: graphs ------------------------------------------------------------------------
FC, CONV, DWCONV, ADD, AVGPOOL, MAXPOOL, RESHAPE, SOFTMAX = range(1, 9)
NO_TENSOR = 0xFFFFFFFF


def graph_bytes(tensors, nodes):
    """A version-3 image (docs/network-format.md, "Version 3"). tensors: (h, w, c, zp, scale);
    nodes: dicts with op, in0, in1, out, win (kh, kw, sh, sw, pt, pl), act, k, n, p, and for chip
    ops w (n x k int8), bias, mult, shift, and for FC eff (float64[n])."""
    body = bytearray(struct.pack("<II", len(tensors), 0))
    for (h, w, c, zp, sc) in tensors:
        body += struct.pack("<IIIifI", h, w, c, zp, sc, 0)
    for nd in nodes:
        p = list(nd.get("p", [])) + [0] * (7 - len(nd.get("p", [])))
        body += struct.pack("<4I6I2i3I7i2I", nd["op"], nd["in0"], nd.get("in1", NO_TENSOR),
                            nd["out"], *nd.get("win", (0,) * 6), *nd.get("act", (0, 0)),
                            nd.get("k", 0), nd.get("n", 0), nd.get("adc_shift", 0), *p, 0, 0)
        if nd["op"] in (FC, CONV, DWCONV):
            wb = np.asarray(nd["w"], np.int8).tobytes()
            body += wb + b"\0" * (-len(wb) % 4)
            for key in ("bias", "mult", "shift"):
                body += np.asarray(nd[key], "<i4").tobytes()
            if nd["op"] == FC:
                body += np.asarray(nd["eff"], "<f8").tobytes()
    size = 32 + len(body) + 4
    t0 = tensors[0]
    out_t = tensors[nodes[-1]["out"]]
    hdr = struct.pack("<4sHHIIIfII", b"KHNF", 3, 32, len(nodes), t0[0] * t0[1] * t0[2],
                      out_t[0] * out_t[1] * out_t[2], t0[4], 0, size)
    data = hdr + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def chip(rng, op, in0, out, k, n, win=(0,) * 6, act=(-128, 127), eff=None):
    nd = dict(op=op, in0=in0, out=out, k=k, n=n, win=win, act=act,
              adc_shift=int(rng.integers(0, 16)),
              w=rng.integers(-127, 128, size=(n, k)), bias=rng.integers(-999, 999, size=n),
              mult=rng.integers(1 << 30, 1 << 31, size=n), shift=rng.integers(-12, 2, size=n))
    if op == FC:
        nd["eff"] = eff if eff is not None else rng.uniform(0.001, 0.05, size=n)
    return nd


def write_graph_seeds(out, rng):
    """Three graphs: every operator (CONV SAME with a leading pad, DWCONV SAME stride 2, MAXPOOL,
    ADD, AVGPOOL, RESHAPE, FC, SOFTMAX); an FC chain; a VALID convolution stack."""
    seeds = []
    t = [(4, 4, 2, -3, 0.5), (4, 4, 3, 5, 0.25), (2, 2, 3, 0, 0.125), (2, 2, 3, 5, 0.25),
         (2, 2, 3, -1, 0.3), (1, 1, 3, -1, 0.3), (3, 1, 1, -1, 0.3), (1, 1, 4, 2, 0.1),
         (1, 1, 4, -128, 1 / 256)]
    nodes = [chip(rng, CONV, 0, 1, 18, 3, (3, 3, 1, 1, 1, 1), (5, 127)),
             chip(rng, DWCONV, 1, 2, 9, 3, (3, 3, 2, 2, 0, 0)),
             dict(op=MAXPOOL, in0=1, out=3, win=(2, 2, 2, 2, 0, 0), act=(-128, 127)),
             dict(op=ADD, in0=2, in1=3, out=4, act=(-128, 127),
                  p=[20, 1 << 30, -1, (1 << 31) - 1, -1, 1789569707, -20]),
             dict(op=AVGPOOL, in0=4, out=5, win=(2, 2, 2, 2, 0, 0), act=(-128, 127)),
             dict(op=RESHAPE, in0=5, out=6),
             chip(rng, FC, 6, 7, 3, 4),
             dict(op=SOFTMAX, in0=7, out=8, p=[1 << 30, 27, -15])]
    seeds.append(graph_bytes(t, nodes))
    t = [(1, 1, 12, 7, 0.2), (1, 1, 6, -128, 0.1), (1, 1, 5, 0, 0.1)]
    seeds.append(graph_bytes(t, [chip(rng, FC, 0, 1, 12, 6, act=(-128, 127)),
                                 chip(rng, FC, 1, 2, 6, 5, eff=np.full(5, 2.0 ** -9))]))
    t = [(5, 5, 1, -128, 1.0), (3, 3, 2, 3, 0.5), (1, 1, 2, 3, 0.5)]
    seeds.append(graph_bytes(t, [chip(rng, CONV, 0, 1, 9, 2, (3, 3, 1, 1, 0, 0)),
                                 dict(op=AVGPOOL, in0=1, out=2, win=(3, 3, 1, 1, 0, 0),
                                      act=(-128, 127))]))
    for i, data in enumerate(seeds):
        with open(os.path.join(out, f"seed_graph{i}.khnf"), "wb") as f:
            f.write(data)
    return len(seeds)


if __name__ == "__main__":
    main()
