# SPDX-License-Identifier: Apache-2.0
"""A small CNN for image data sets (the 8x8 digits): conv 3x3 x C (valid, stride 1) -> ReLU ->
fully connected -> classes. No pooling: every layer maps onto the chip as MVMs (the conv as one
MVM per output pixel, im2col). Trained in numpy (float64, Adam, softmax cross-entropy),
deterministic for a seed. Returns a train.TrainResult whose FloatNet the int8 quantizer and the
exporter take like the MLP's (the conv layer carries its conv.Conv geometry)."""

from __future__ import annotations

import numpy as np

from . import conv as _conv
from . import train as _train


def train_cnn(X: np.ndarray, y: np.ndarray, image: tuple[int, int, int] = (8, 8, 1), channels: int = 8, kernel: int = 3,
              seed: int = 0, epochs: int = 60, lr: float = 3e-3, batch: int = 32,
              l2: float = 1e-4) -> _train.TrainResult:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    h, w, c = (int(v) for v in image)
    if X.ndim != 2 or X.shape[1] != h * w * c:
        raise ValueError(f"the CNN needs images of {h}x{w}x{c} = {h * w * c} features, the data "
                         f"has {X.shape[1] if X.ndim == 2 else X.shape}")
    classes = int(y.max()) + 1
    if classes < 2:
        raise ValueError("training labels hold fewer than 2 classes")
    # One mean and scale for every pixel: standardization must not break translation symmetry.
    mean, scale = float(X.mean()), float(X.std())
    if not scale > 0:
        raise ValueError("training images are constant")
    Xs = (X - mean) / scale
    g = _conv.Conv(h, w, c, kernel, kernel, 1)
    rng = np.random.default_rng(seed)
    feat = g.pixels * channels
    params = {
        "Wc": rng.normal(0.0, np.sqrt(2.0 / g.k), (channels, g.k)),
        "bc": np.zeros(channels),
        "Wf": rng.normal(0.0, np.sqrt(1.0 / feat), (classes, feat)),
        "bf": np.zeros(classes),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    onehot = np.eye(classes)[y]
    idx = _conv.patch_index(g)
    for _ in range(epochs):
        perm = rng.permutation(len(Xs))
        for s0 in range(0, len(perm), batch):
            sel = perm[s0:s0 + batch]
            n = len(sel)
            cols = Xs[sel][:, idx].reshape(-1, g.k)
            z1 = cols @ params["Wc"].T + params["bc"]
            a1 = np.maximum(z1, 0.0)
            hid = a1.reshape(n, feat)
            z2 = hid @ params["Wf"].T + params["bf"]
            z2 -= z2.max(axis=1, keepdims=True)
            p = np.exp(z2)
            p /= p.sum(axis=1, keepdims=True)
            d2 = (p - onehot[sel]) / n
            dh = (d2 @ params["Wf"]).reshape(n * g.pixels, channels) * (z1 > 0)
            grads = {
                "Wf": d2.T @ hid + l2 * params["Wf"],
                "bf": d2.sum(axis=0),
                "Wc": dh.T @ cols + l2 * params["Wc"],
                "bc": dh.sum(axis=0),
            }
            t += 1
            for k in params:
                m[k] = b1 * m[k] + (1 - b1) * grads[k]
                v2[k] = b2 * v2[k] + (1 - b2) * grads[k] ** 2
                mh = m[k] / (1 - b1 ** t)
                vh = v2[k] / (1 - b2 ** t)
                params[k] -= lr * mh / (np.sqrt(vh) + eps)
    net = _train.FloatNet(
        mean=np.full(X.shape[1], mean), scale=np.full(X.shape[1], scale),
        layers=[_train.FloatLayer(W=params["Wc"], b=params["bc"], relu=True, conv=g),
                _train.FloatLayer(W=params["Wf"], b=params["bf"], relu=False)])
    return _train.TrainResult(net=net, n_iter=epochs, converged=True)
