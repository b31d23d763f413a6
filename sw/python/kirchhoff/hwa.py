# SPDX-License-Identifier: Apache-2.0
"""Hardware-aware training (issue 18 item 7): fine-tune a trained FloatNet with noise injected in
its forward passes, noise matched to a chip config's weight and output noise, so that the network
learns weights whose decisions survive the analog array. The post-training-quantization flow
(train.py, quantize.py) is unchanged: the fine-tuned FloatNet goes through the same quantizer and
exporter.

Noise model (docs/sim.md "Hardware-aware training"), per forward pass of a minibatch:
- weights: W + N(0, (w_add * max|W|)^2) + W * N(0, w_mul^2), a fresh draw per element; w_add from
  the cell's programming and read noise (a differential pair: sqrt(2) cells per weight), w_mul from
  the spread of the drift exponent at the config's drift time;
- outputs: each pre-activation + N(0, (out_rel * max|pre|)^2), out_rel from the ADC's noise and
  offset spread relative to half its range, summed over the input slices (phases) of a DAC.
Gradients are taken at the noisy weights and applied to the clean ones (the usual straight-through
form of noise injection of Joshi et al., Nat. Commun. 2020, as IBM aihwkit trains: docs/sources.md
[A1]).

Deterministic for a seed (numpy's PCG64 through default_rng; one BLAS thread set by the caller).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import conv as _conv
from . import train as _train


class HwaError(ValueError):
    """The network or config cannot be trained this way (the message says why)."""


@dataclass(frozen=True)
class HwaNoise:
    w_add: float    # additive weight noise sigma, fraction of the layer's max |W|
    w_mul: float    # multiplicative weight noise sigma (relative to each weight)
    out_rel: float  # output noise sigma, fraction of the layer's max |pre-activation|

    def scaled(self, k: float) -> HwaNoise:
        return HwaNoise(self.w_add * k, self.w_mul * k, self.out_rel * k)

    @property
    def is_zero(self) -> bool:
        return self.w_add == 0 and self.w_mul == 0 and self.out_rel == 0


def noise_from_cfg(cfg: dict) -> HwaNoise:
    """HwaNoise of a chip config (the dict `aimc config --json` prints; docs/configs.md keys).

    Cell noise: program-and-verify leaves an error within +-pv_tol (uniform: pv_tol/sqrt(3)),
    without it the programming sigma prog_sigma; read noise read_sigma; both at full scale,
    fractions of the conductance range, which is the range of one weight sign: a weight is the
    difference of two cells, so its sigma is sqrt(2) times the cell's.
    Drift: G(t) = G0 (t/t0)^-nu with nu ~ N(nu0, nu_sigma): the spread of ln G is
    nu_sigma * ln(t/t0), a multiplicative error (the mean is the global drift that the ADC shift
    calibration and drift compensation take out).
    PCM and ReRAM (`device`): their own forms of docs/analog-model.md "Devices" at full scale
    (PCM: programming, drift exponent and 1/f read noise; ReRAM: programming spread grown by
    relaxation at the config's time); `cell_levels` below 128 adds the rounding to few levels.
    ADC: noise and offset spread in LSB against half the code range (the calibrated full scale),
    over ceil(8 / dac_bits) phases weighted by their shifts: the weights 2^(dac_bits * p) make
    the MSB phase dominate, so the sum of squares is taken of weights normalized to the MSB.
    """
    def g(k, d=0.0):
        v = cfg.get(k, d)
        return float(v) if v is not None else d

    device = cfg.get("device", "flash")
    t, t0 = g("drift_time"), g("drift_t0", 20.0)
    if device == "pcm":
        # docs/analog-model.md "PCM": sigma at full scale (g = 1) of the programming (P2, 1.06 uS
        # of 25 uS), the drift exponent (P3, 0.008) and the 1/f read noise (P4, 0.0088 G)
        cell = g("pcm_prog_scale", 1.0) * 1.0554 / 25.0
        drift = g("pcm_drift_scale", 1.0) * 0.008 * math.log(t / t0) if t > t0 > 0 else 0.0
        tr = g("pcm_t_read", 2.5e-7)
        lg = math.log((t + tr) / (2.0 * tr)) if t > tr else 0.0
        w_mul = math.hypot(drift, g("pcm_read_scale", 1.0) * 0.0088 * math.sqrt(lg))
        w_add = math.sqrt(2.0) * cell
    elif device == "reram":
        # docs/analog-model.md "ReRAM": the spread peaks mid-range, 2.0 uS of 40 uS at 1 s (R7)
        # growing by relaxation to 3.9 uS at 1 day (ln-t interpolation, none after 2 days)
        s1, s1d = 2.0 / 40.0, 3.9 / 40.0
        frac = min(max(math.log(t) / math.log(86400.0), 0.0), 1.0) if t > 1 else 0.0
        prog = g("reram_prog_scale", 1.0) * s1
        relax = g("reram_relax_scale", 1.0) * math.sqrt(max(s1d ** 2 - s1 ** 2, 0.0)) * frac
        w_add = math.sqrt(2.0) * math.hypot(math.hypot(prog, relax), g("read_sigma"))
        w_mul = 0.0
    else:
        prog = g("pv_tol") / math.sqrt(3.0) if int(g("pv_enable")) else g("prog_sigma")
        cell = math.hypot(prog, g("read_sigma"))
        w_add = math.sqrt(2.0) * cell
        w_mul = g("drift_nu_sigma") * math.log(t / t0) if t > t0 > 0 else 0.0
    levels = int(g("cell_levels", 128))
    top = 127 if int(g("weight_slices", 1)) <= 1 else (1 << int(g("slice_bits", 7))) - 1
    if 1 < levels < 128 and (levels - 1) % top != 0:
        # few levels per cell: the rounding to the nearest level, uniform over one step (with
        # bit-sliced weights none when every slice level is a state: decision 0009; otherwise the
        # top slice's step, about one step of the range, as without slicing)
        w_add = math.hypot(w_add, math.sqrt(2.0) / (levels - 1) / math.sqrt(12.0))
    adc_bits = int(g("adc_bits", 8))
    dac_bits = max(1, int(g("dac_bits", 8)))
    lsb = math.hypot(g("adc_noise"), g("adc_offset_sigma"))
    phases = -(-8 // dac_bits)
    weight_sq = sum((2.0 ** (-dac_bits * p)) ** 2 for p in range(phases))
    out_rel = lsb / 2.0 ** (adc_bits - 1) * math.sqrt(weight_sq) if adc_bits > 1 else 0.0
    return HwaNoise(w_add=w_add, w_mul=w_mul, out_rel=out_rel)


def _check_net(net):
    for i, L in enumerate(net.layers):
        if L.conv is not None and i != 0:
            raise HwaError(f"layer {i} is a convolution: hardware-aware training takes fully "
                           "connected layers and a convolution as the first layer only")


def _noisy(rng, W, noise):
    Wn = W
    if noise.w_add:
        Wn = Wn + rng.normal(0.0, noise.w_add * float(np.max(np.abs(W))), W.shape)
    if noise.w_mul:
        Wn = Wn + W * rng.normal(0.0, noise.w_mul, W.shape)
    return Wn


def train_hwa(net: _train.FloatNet, X: np.ndarray, y: np.ndarray, noise: HwaNoise, seed: int = 0, epochs: int = 30,
              lr: float = 1e-3, batch: int = 32, l2: float = 1e-4, clip_sigma: float = 0.0) -> _train.TrainResult:
    """Fine-tune a copy of FloatNet `net` on (X, y) with noise injection (HwaNoise). X is the raw
    data (the net's standardization applies), y class indices < net.n_classes. Adam, softmax
    cross-entropy. Returns a train.TrainResult (n_iter = epochs); `net` is not changed."""
    _check_net(net)
    if epochs < 1 or batch < 1 or not lr > 0:
        raise HwaError(f"epochs {epochs}, batch {batch}, lr {lr}: must be positive")
    X = net.standardize(X)
    y = np.asarray(y)
    classes = net.layers[-1].W.shape[0]
    if y.size != len(X) or y.min() < 0 or y.max() >= classes:
        raise HwaError(f"labels must be {len(X)} class indices in [0, {classes})")
    W = [np.array(L.W, dtype=np.float64) for L in net.layers]
    b = [np.array(L.b, dtype=np.float64) for L in net.layers]
    relu = [L.relu for L in net.layers]
    conv0 = net.layers[0].conv
    idx = _conv.patch_index(conv0) if conv0 is not None else None
    params = W + b
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    onehot = np.eye(classes)[y]
    rng = np.random.default_rng(seed)
    nl = len(W)
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        for s0 in range(0, len(perm), batch):
            sel = perm[s0:s0 + batch]
            n = len(sel)
            # forward with noise; keep each layer's input, noisy weights and pre-activation
            a = X[sel][:, idx].reshape(-1, conv0.k) if conv0 is not None else X[sel]
            ins, Wns, pres = [], [], []
            for i in range(nl):
                if i == 1 and conv0 is not None:
                    a = a.reshape(n, -1)
                Wn = _noisy(rng, W[i], noise)
                z = a @ Wn.T + b[i]
                if noise.out_rel:
                    z = z + rng.normal(0.0, noise.out_rel * float(np.max(np.abs(z))), z.shape)
                ins.append(a)
                Wns.append(Wn)
                pres.append(z)
                a = np.maximum(z, 0.0) if relu[i] else z
            z = a - a.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            d = (p - onehot[sel]) / n
            gW, gb = [None] * nl, [None] * nl
            for i in reversed(range(nl)):
                if relu[i]:
                    d = d * (pres[i] > 0)
                gW[i] = d.T @ ins[i] + l2 * W[i]
                gb[i] = d.sum(axis=0)
                if i:
                    d = d @ Wns[i]
                    if i == 1 and conv0 is not None:
                        d = d.reshape(-1, W[0].shape[0])
            t += 1
            for k, gk in enumerate(gW + gb):
                m[k] = b1 * m[k] + (1 - b1) * gk
                v[k] = b2 * v[k] + (1 - b2) * gk ** 2
                params[k] -= lr * (m[k] / (1 - b1 ** t)) / (np.sqrt(v[k] / (1 - b2 ** t)) + eps)
            if clip_sigma:
                for Wi in W:
                    c = clip_sigma * float(np.std(Wi))
                    np.clip(Wi, -c, c, out=Wi)
    layers = [_train.FloatLayer(W=W[i], b=b[i], relu=relu[i], conv=L.conv)
              for i, L in enumerate(net.layers)]
    out = _train.FloatNet(mean=net.mean.copy(), scale=net.scale.copy(), layers=layers)
    return _train.TrainResult(net=out, n_iter=epochs, converged=True)
