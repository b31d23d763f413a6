#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The digits CNN (conv 3x3 x8 -> ReLU -> FC 10) from training to the C loader:
- trains, quantizes (per-channel symmetric int8) and keeps its accuracy in int8;
- the numpy int8 forward pass with im2col equals a direct convolution written out in this test;
- the exported file (format version 2) loads in C, and `aimc forward` (the C int8 forward pass)
  gives the same bytes as the numpy pass; an MLP still exports as version 1 and matches too;
- the Python reader rejects broken conv records.

  BUILD=build .venv/bin/python -m pytest tests/python/test_cnn.py   (PASS/FAIL lines; exit 1 on a failure)
"""

import os
import struct
import subprocess
import sys
import tempfile
import zlib

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from kirchhoff import export as kexport
from kirchhoff import pipeline as kpipe
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(ROOT, "build")))
AIMC = os.path.join(BUILD, "sw", "aimc")
TMP = tempfile.mkdtemp(prefix="kh_test_cnn_")
failures = 0


def result(ok, name, detail=""):
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {detail} (seed none; rerun: BUILD={BUILD} {sys.executable} "
              f"{os.path.relpath(__file__, ROOT)})")


def c_forward(net_path, x):
    xin, yout = os.path.join(TMP, "x.i8"), os.path.join(TMP, "y.i8")
    x.tofile(xin)
    p = subprocess.run([AIMC, "forward", "--net", net_path, "--inputs", xin, "--out", yout],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"aimc forward: exit {p.returncode}: {p.stdout}{p.stderr}")
    return np.fromfile(yout, dtype=np.int8).reshape(len(x), -1)


def direct_conv_forward(q, x):
    """The CNN's int8 pass with the convolution as explicit loops over (y, x, dy, dx)."""
    L0, L1 = q.layers
    g = L0.conv
    n = len(x)
    img = x.astype(np.int64).reshape(n, g.in_h, g.in_w, g.in_c)
    w = L0.w.astype(np.int64).reshape(L0.n, g.kh, g.kw, g.in_c)
    acc = np.zeros((n, g.out_h, g.out_w, L0.n), dtype=np.int64)
    for oy in range(g.out_h):
        for ox in range(g.out_w):
            for dy in range(g.kh):
                for dx in range(g.kw):
                    acc[:, oy, ox, :] += img[:, oy + dy, ox + dx, :] @ w[:, dy, dx, :].T
    h = kq.post(acc.reshape(-1, L0.n), L0).reshape(n, -1)
    return kq.post(h @ L1.w.astype(np.int64).T, L1).astype(np.int8)


def _main():
    pr = kpipe.prepare(net="cnn")
    q = pr.qnet
    acc_int8 = float(np.mean(ktrain.predict(kq.forward_int8(q, pr.xte)) == pr.yte))
    print(f"  CNN {pr.arch} {pr.dims}: float {pr.acc_float:.4f}, int8 {acc_int8:.4f}, "
          f"{q.macs()} MACs")
    result(pr.acc_float >= 0.93 and acc_int8 >= pr.acc_float - 0.02,
           "CNN trains (float >= 93 %) and keeps its accuracy in int8 (within 2 pp)",
           f"float {pr.acc_float}, int8 {acc_int8}")
    L0 = q.layers[0]
    per_ch = [int(np.max(np.abs(L0.w[c].astype(int)))) for c in range(L0.n)]
    result(all(m == 127 for m in per_ch), "per-channel symmetric int8: every conv channel uses "
           "the full range 127", f"{per_ch}")
    y_np = kq.forward_int8(q, pr.xte)
    result(np.array_equal(y_np, direct_conv_forward(q, pr.xte)),
           "numpy im2col int8 pass == direct convolution loops")

    net = os.path.join(TMP, "cnn.khnf")
    kexport.write_net(net, q)
    data = open(net, "rb").read()
    result(struct.unpack_from("<H", data, 4)[0] == 2, "CNN exports as format version 2")
    back = kexport.read_net(net)
    result(back.layers[0].conv == L0.conv and np.array_equal(back.layers[1].w, q.layers[1].w),
           "Python reader round trip of the conv record")
    y_c = c_forward(net, pr.xte)
    result(np.array_equal(y_c, y_np), "C int8 forward pass (aimc forward) == numpy, CNN",
           f"{int(np.count_nonzero(y_c != y_np))} of {y_np.size} bytes differ")

    pm = kpipe.prepare()
    mnet = os.path.join(TMP, "mlp.khnf")
    kexport.write_net(mnet, pm.qnet)
    result(open(mnet, "rb").read()[4] == 1, "MLP still exports as format version 1")
    y_c = c_forward(mnet, pm.xte)
    result(np.array_equal(y_c, kq.forward_int8(pm.qnet, pm.xte)),
           "C int8 forward pass (aimc forward) == numpy, MLP")

    def mutate(off, val):
        b = bytearray(data)
        struct.pack_into("<I", b, off, val)
        struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])) & 0xFFFFFFFF)
        return bytes(b)
    for name, off, val, want in (("stride 0", 56 + 20, 0, "conv stride"),
                                 ("kernel 9 > input 8", 56 + 12, 9, "larger than"),
                                 ("in_c 2 (K mismatch)", 56 + 8, 2, "conv patch")):
        try:
            kexport.net_from_bytes(mutate(off, val))
            result(False, f"Python reader rejects conv {name}", "accepted")
        except kexport.NetFormatError as e:
            result(want in str(e), f"Python reader rejects conv {name}", str(e))
    b = bytearray(data)
    struct.pack_into("<H", b, 4, 1)
    struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])) & 0xFFFFFFFF)
    try:
        kexport.net_from_bytes(bytes(b))
        result(False, "Python reader rejects a conv record in a version-1 file", "accepted")
    except kexport.NetFormatError as e:
        result("needs version 2" in str(e), "Python reader rejects a conv record in a version-1 "
               "file", str(e))


def test_cnn():
    """CNN: training, int8, export format 2, C forward == numpy"""
    _main()
    assert failures == 0, f"{failures} check(s) failed (FAIL lines above)"

