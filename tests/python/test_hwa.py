#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Hardware-aware training (sw/python/kirchhoff/hwa.py, issue 18 item 7):
- noise_from_cfg against the formulas of its docstring, evaluated by hand here;
- training is deterministic for a seed and the seed matters;
- on the digits MLP with strong weight noise (float forward, 30 weight draws not used in
  training): noise injection keeps more accuracy than the same fine-tuning without noise, and the
  full recipe (noise + weight clipping) more than the network it started from, within 3 pp of its
  noise-free accuracy;
- the digits CNN (convolution first) trains too; bad networks and labels are rejected.

  .venv/bin/python -m pytest tests/python/test_hwa.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import math
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from kirchhoff import hwa
from kirchhoff import pipeline as kpipe
from kirchhoff import train as ktrain

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

failures = 0


def result(ok, name, detail=""):
    global failures
    print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"))
    failures += not ok


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(b))


def test_hwa():
    """hardware-aware training: noise model, noise injection, rejects bad input"""
    # noise_from_cfg, by hand
    n = hwa.noise_from_cfg(dict(prog_sigma=0.02, read_sigma=0.0, pv_enable=0, adc_bits=8, dac_bits=8))
    result(close(n.w_add, 0.028284271247461901) and n.w_mul == 0 and n.out_rel == 0,
           "noise: programming sigma 0.02 -> 0.02 * sqrt(2)", n)
    n = hwa.noise_from_cfg(dict(prog_sigma=0.5, read_sigma=0.0, pv_enable=1, pv_tol=0.03,
                                drift_time=2000, drift_t0=20, drift_nu_sigma=0.01, adc_bits=8,
                                dac_bits=8, adc_noise=0.3, adc_offset_sigma=0.4))
    result(close(n.w_add, 0.024494897427831780) and close(n.w_mul, 0.046051701859880914)
           and close(n.out_rel, 0.00390625),
           "noise: program-and-verify tolerance, drift spread ln(100)*0.01, ADC 0.5 LSB of 128", n)
    n = hwa.noise_from_cfg(dict(adc_bits=6, dac_bits=4, adc_noise=1.0))
    result(close(n.out_rel, math.sqrt(1 + 2 ** -8) / 32), "noise: two DAC phases weighted 1, 1/16", n)
    n = hwa.noise_from_cfg(dict(device="pcm", drift_time=20 * math.e ** 5, drift_t0=20,
                                pcm_t_read=1e-6, pcm_read_scale=0.0))
    result(close(n.w_add, math.sqrt(2) * 1.0554 / 25) and close(n.w_mul, 0.04),
           "noise: PCM programming 1.0554 uS of 25 uS, drift spread 0.008 * ln(e^5)", n)
    n = hwa.noise_from_cfg(dict(device="reram", drift_time=86400, read_sigma=0.01, cell_levels=16))
    want = math.sqrt(2) * math.hypot(math.hypot(3.9 / 40, 0.01), 1 / 15 / math.sqrt(12))
    result(close(n.w_add, want) and n.w_mul == 0,
           "noise: ReRAM spread 3.9 uS of 40 uS after 1 day, read 0.01, 16 levels", n)

    pr = kpipe.prepare()
    net = pr.trained.net
    noise = hwa.HwaNoise(w_add=0.15, w_mul=0.0, out_rel=0.0)
    a = hwa.train_hwa(net, pr.Xtr, pr.ytr, noise, seed=0, epochs=5, lr=1e-3)
    b = hwa.train_hwa(net, pr.Xtr, pr.ytr, noise, seed=0, epochs=5, lr=1e-3)
    c = hwa.train_hwa(net, pr.Xtr, pr.ytr, noise, seed=1, epochs=5, lr=1e-3)
    same = all(np.array_equal(x.W, y.W) for x, y in zip(a.net.layers, b.net.layers, strict=True))
    diff = any(not np.array_equal(x.W, y.W) for x, y in zip(a.net.layers, c.net.layers, strict=True))
    start = kpipe.prepare().trained.net
    unchanged = all(np.array_equal(x.W, y.W) for x, y in zip(net.layers, start.layers, strict=True))
    result(same and diff and unchanged,
           "deterministic for a seed, another seed gives other weights, the input net untouched")


    def noisy_accuracy(fnet, sigma, draws=30, seed=1234):
        rng = np.random.default_rng(seed)
        accs = []
        for _ in range(draws):
            layers = [ktrain.FloatLayer(W=L.W + rng.normal(0, sigma * np.max(np.abs(L.W)), L.W.shape),
                                        b=L.b, relu=L.relu, conv=L.conv) for L in fnet.layers]
            noisy = ktrain.FloatNet(mean=fnet.mean, scale=fnet.scale, layers=layers)
            accs.append(np.mean(ktrain.predict(ktrain.forward(noisy, pr.Xte, np.float64)) == pr.yte))
        return float(np.mean(accs))


    # noise injection alone (no clipping): trained at twice the evaluation noise against the same
    # fine-tuning without noise (measured 0.948 vs 0.937 when written)
    plain = hwa.train_hwa(net, pr.Xtr, pr.ytr, hwa.HwaNoise(0, 0, 0), seed=0, epochs=30, lr=1e-3)
    inj = hwa.train_hwa(net, pr.Xtr, pr.ytr, noise.scaled(2), seed=0, epochs=30, lr=1e-3)
    p_acc, i_acc = noisy_accuracy(plain.net, 0.15), noisy_accuracy(inj.net, 0.15)
    result(i_acc > p_acc + 0.005, f"noise injection: under weight noise 0.15 {p_acc:.3f} (fine-tuned "
           f"without noise) -> {i_acc:.3f}", "no gain")
    # the full recipe (noise and weights clipped at 2.5 sigma) against the network it started from
    h = hwa.train_hwa(net, pr.Xtr, pr.ytr, noise, seed=0, epochs=30, lr=1e-3, clip_sigma=2.5)
    before, after = noisy_accuracy(net, 0.15), noisy_accuracy(h.net, 0.15)
    clean = float(np.mean(ktrain.predict(ktrain.forward(h.net, pr.Xte)) == pr.yte))
    result(after > before + 0.01 and clean >= pr.acc_float - 0.03,
           f"noise and clipping: under weight noise 0.15 {before:.3f} -> {after:.3f} (noise-free "
           f"{pr.acc_float:.3f} -> {clean:.3f})", "no gain")

    cp = kpipe.prepare(net="cnn")
    hc = hwa.train_hwa(cp.trained.net, cp.Xtr, cp.ytr, hwa.HwaNoise(0.05, 0.02, 0.01), epochs=3,
                       lr=1e-4)
    acc = float(np.mean(ktrain.predict(ktrain.forward(hc.net, cp.Xte)) == cp.yte))
    result(acc > 0.9 and hc.net.layers[0].conv is not None, f"CNN fine-tunes ({acc:.3f})", acc)

    for what, fn in (
            ("labels out of range", lambda: hwa.train_hwa(net, pr.Xtr, pr.ytr + 10, noise)),
            ("epochs 0", lambda: hwa.train_hwa(net, pr.Xtr, pr.ytr, noise, epochs=0)),
            ("convolution after the first layer", lambda: hwa.train_hwa(
                ktrain.FloatNet(cp.trained.net.mean, cp.trained.net.scale,
                                [net.layers[0], cp.trained.net.layers[0]]), pr.Xtr, pr.ytr, noise))):
        try:
            fn()
            result(False, f"rejects {what}", "accepted")
        except hwa.HwaError as e:
            result(True, f"rejects {what}: {e}")
    assert not failures, f"failed: {failures}"

