# SPDX-License-Identifier: Apache-2.0
"""The common front half of every flow: load data, split, train, quantize, quantize the inputs."""

import os
from dataclasses import dataclass

import numpy as np

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
    def dims(self):
        return [self.trained.net.n_inputs] + [L.W.shape[0] for L in self.trained.net.layers]


def prepare(data_path=None, test_size=TEST_SIZE, split_seed=SPLIT_SEED, train_seed=TRAIN_SEED,
            hidden=HIDDEN):
    """Digits (data_path None) or a CSV: split, train the MLP, quantize with the training split
    as calibration set. Raises kdata.DataError or kq.QuantError."""
    ds = kdata.load(data_path)
    Xtr, Xte, ytr, yte = kdata.split(ds, test_size, seed=split_seed)
    tr = ktrain.train_mlp(Xtr, ytr, hidden=hidden, seed=train_seed)
    qnet = kq.quantize_net(tr.net, Xtr)
    xtr = kq.quantize_inputs(tr.net.standardize(Xtr), qnet.in_scale)
    xte = kq.quantize_inputs(tr.net.standardize(Xte), qnet.in_scale)
    acc_float = float(np.mean(ktrain.predict(ktrain.forward(tr.net, Xte, np.float32)) == yte))
    if data_path is None:
        name = "digits-mlp"
    else:
        name = os.path.splitext(os.path.basename(data_path))[0] + "-mlp"
    return Prepared(ds=ds, name=name, Xtr=Xtr, Xte=Xte, ytr=ytr, yte=yte, trained=tr,
                    qnet=qnet, xtr=xtr, xte=xte, acc_float=acc_float)
