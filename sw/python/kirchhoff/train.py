# SPDX-License-Identifier: Apache-2.0
"""Train the float MLP (scikit-learn) and run its float forward pass.

The trained model is turned into a FloatNet: the StandardScaler's mean/scale and, per layer, the
weight matrix W (N x K, output-major like the chip), bias b and the ReLU flag. A binary
classifier (scikit-learn's single logistic output z) becomes two outputs (-z/2, +z/2), so that
the class is always the index of the largest output, as the network file defines it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from . import conv as _conv

if TYPE_CHECKING:  # scikit-learn loads on first use (train_mlp), not on import
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler


@dataclass
class FloatLayer:
    W: np.ndarray      # float64, N x K
    b: np.ndarray      # float64, N
    relu: bool
    conv: object = None  # conv.Conv for a convolution layer (W: out channels x patch), else FC

    @property
    def out_len(self) -> int:
        return self.W.shape[0] * (self.conv.pixels if self.conv is not None else 1)


@dataclass
class FloatNet:
    mean: np.ndarray   # StandardScaler mean_, per input feature
    scale: np.ndarray  # StandardScaler scale_, per input feature (never 0)
    layers: list       # FloatLayer

    @property
    def n_inputs(self) -> int:
        L = self.layers[0]
        return L.conv.in_len if L.conv is not None else L.W.shape[1]

    @property
    def n_classes(self) -> int:
        return self.layers[-1].out_len

    def standardize(self, X: ArrayLike) -> np.ndarray:
        """Inputs as the first layer sees them (float64)."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale


@dataclass
class TrainResult:
    net: FloatNet
    n_iter: int
    converged: bool


def train_mlp(X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...] = (32,), seed: int = 0, max_iter: int = 600,
              alpha: float = 1e-4) -> TrainResult:
    """Fit StandardScaler + MLPClassifier(hidden, relu, adam) on (X, y). Deterministic for a seed.

    Returns a TrainResult; converged is False if scikit-learn stopped at max_iter.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    hidden = tuple(int(h) for h in hidden)
    if not hidden or any(h < 1 for h in hidden):
        raise ValueError(f"hidden layer sizes must be positive integers, got {hidden}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        raise ValueError("training labels hold fewer than 2 classes")
    scaler = StandardScaler().fit(X)
    mlp = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                        alpha=alpha, max_iter=max_iter, random_state=seed,
                        tol=1e-5, n_iter_no_change=20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        mlp.fit(scaler.transform(X), y)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return TrainResult(net=to_float_net(mlp, scaler), n_iter=int(mlp.n_iter_),
                       converged=converged)


def to_float_net(mlp: MLPClassifier, scaler: StandardScaler) -> FloatNet:
    """FloatNet of a fitted MLPClassifier (relu hidden layers) and its StandardScaler."""
    if mlp.activation != "relu":
        raise ValueError(f"hidden activation must be relu, not {mlp.activation}")
    if mlp.out_activation_ not in ("softmax", "logistic"):
        raise ValueError(f"unsupported output activation {mlp.out_activation_}")
    if mlp.out_activation_ == "logistic" and mlp.coefs_[-1].shape[1] != 1:
        raise ValueError("multi-label classifiers are not supported")
    layers = []
    n = len(mlp.coefs_)
    for i, (c, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_, strict=True)):
        W = np.array(c, dtype=np.float64).T
        bb = np.array(b, dtype=np.float64)
        last = i == n - 1
        if last and mlp.out_activation_ == "logistic":
            W = np.vstack([-W / 2, W / 2])
            bb = np.concatenate([-bb / 2, bb / 2])
        layers.append(FloatLayer(W=W, b=bb, relu=not last))
    return FloatNet(mean=np.array(scaler.mean_, dtype=np.float64),
                    scale=np.array(scaler.scale_, dtype=np.float64), layers=layers)


def forward(net: FloatNet, X: ArrayLike, dtype: type = np.float32,
            all_layers: bool = False) -> np.ndarray | list[np.ndarray]:
    """Float forward pass in `dtype` (float32: numpy matmul = OpenBLAS sgemm).

    Returns the last layer's outputs (logits), or the list of every layer's outputs.
    """
    a = net.standardize(X).astype(dtype)
    outs = []
    for L in net.layers:
        if L.conv is not None:
            n = a.shape[0]
            a = _conv.col2out(_conv.im2col(a, L.conv) @ L.W.T.astype(dtype) + L.b.astype(dtype),
                              n, L.conv)
        else:
            a = a @ L.W.T.astype(dtype) + L.b.astype(dtype)
        if L.relu:
            a = np.maximum(a, dtype(0))
        outs.append(a)
    return outs if all_layers else outs[-1]


def predict(logits: ArrayLike) -> np.ndarray:
    """Class = index of the largest output, lowest index on a tie (np.argmax)."""
    return np.argmax(np.asarray(logits), axis=1)
