# SPDX-License-Identifier: Apache-2.0
"""The common front half of every flow: load data, split, train, quantize, quantize the inputs."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import cnn as kcnn
from . import data as kdata
from . import quantize as kq
from . import train as ktrain

TEST_SIZE = 0.2           # digits: 360 of 1797 images
SPLIT_SEED = 0
TRAIN_SEED = 0
HIDDEN = (32,)


@dataclass
class Prepared:
    ds: kdata.Dataset
    name: str             # network name, e.g. "digits-mlp"
    Xtr: np.ndarray
    Xte: np.ndarray
    ytr: np.ndarray
    yte: np.ndarray
    trained: ktrain.TrainResult
    qnet: kq.QNet         # all adc_shift 0
    xtr: np.ndarray       # int8 training (calibration) inputs
    xte: np.ndarray       # int8 test inputs
    acc_float: float      # float32 accuracy on the test split

    @property
    def dims(self) -> list[int]:
        return [self.trained.net.n_inputs] + [L.out_len for L in self.trained.net.layers]

    @property
    def arch(self) -> str:
        """'conv3x3x8-fc10' style summary of the layers."""
        parts = []
        for L in self.trained.net.layers:
            g = L.conv
            parts.append(f"conv{g.kh}x{g.kw}x{L.W.shape[0]}" if g is not None
                         else f"fc{L.W.shape[0]}")
        return "-".join(parts)


NETS = ("mlp", "cnn")
CNN_CHANNELS = 8


def prepare(data_path: str | None = None, test_size: float = TEST_SIZE, split_seed: int = SPLIT_SEED,
            train_seed: int = TRAIN_SEED, hidden: tuple[int, ...] = HIDDEN, net: str = "mlp") -> Prepared:
    """Digits (data_path None) or a CSV: split, train the MLP (net "mlp") or the CNN (net "cnn",
    digits only: 8x8 images), quantize with the training split as calibration set. Raises
    kdata.DataError or kq.QuantError."""
    if net not in NETS:
        raise kdata.DataError(f"network '{net}' is not one of {', '.join(NETS)}")
    if net == "cnn" and data_path is not None:
        raise kdata.DataError("the CNN needs image data: only the digits set (8x8 images, no "
                              "DATA=) is supported")
    ds = kdata.load(data_path)
    Xtr, Xte, ytr, yte = kdata.split(ds, test_size, seed=split_seed)
    if net == "cnn":
        tr = kcnn.train_cnn(Xtr, ytr, image=(8, 8, 1), channels=CNN_CHANNELS, seed=train_seed)
    else:
        tr = ktrain.train_mlp(Xtr, ytr, hidden=hidden, seed=train_seed)
    qnet = kq.quantize_net(tr.net, Xtr)
    xtr = kq.quantize_inputs(tr.net.standardize(Xtr), qnet.in_scale)
    xte = kq.quantize_inputs(tr.net.standardize(Xte), qnet.in_scale)
    acc_float = float(np.mean(ktrain.predict(ktrain.forward(tr.net, Xte, np.float32)) == yte))
    if data_path is None:
        name = f"digits-{net}"
    else:
        name = os.path.splitext(os.path.basename(data_path))[0] + f"-{net}"
    return Prepared(ds=ds, name=name, Xtr=Xtr, Xte=Xte, ytr=ytr, yte=yte, trained=tr,
                    qnet=qnet, xtr=xtr, xte=xte, acc_float=acc_float)
