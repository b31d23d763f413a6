# SPDX-License-Identifier: Apache-2.0
"""Plots of the `make sim` report (matplotlib, Agg back-end, PNG): the confusion matrix of the
RTL run, the accuracy of every run, and the per-layer error (int8 quantization against float,
chip accumulators against the exact ones before and after calibration)."""

from __future__ import annotations

import numpy as np

from . import quantize as kq
from . import train as ktrain


def quant_layer_errors(fnet: ktrain.FloatNet, qnet: kq.QNet, X: np.ndarray, xq: np.ndarray) -> list[float]:
    """Per layer: RMS of (dequantized int8 output - float output) / RMS of the float output, on
    inputs X (raw features) and their int8 form xq."""
    fl = ktrain.forward(fnet, X, dtype=np.float64, all_layers=True)
    ql = kq.forward_int8(qnet, xq, all_layers=True)
    errs = []
    for L, f, q in zip(qnet.layers, fl, ql, strict=True):
        f = np.maximum(f, 0) if L.relu else f
        deq = q.astype(np.float64) * L.s_y
        ref = float(np.sqrt(np.mean(f ** 2)))
        errs.append(float(np.sqrt(np.mean((deq - f) ** 2)) / ref) if ref > 0 else 0.0)
    return errs


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return m


def sim_png(path: str, title: str, y_true: np.ndarray, y_pred_rtl: np.ndarray, n_classes: int,
            accuracy: dict[str, float], quant_errs: dict, calib_layers: list | None) -> None:
    """Write the three-panel PNG. accuracy: {label: fraction}; calib_layers: the calibration
    report's layers (or None)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(16, 5))
    cm = confusion(y_true, y_pred_rtl, n_classes)
    ax[0].imshow(cm, cmap="Blues")
    for i in range(n_classes):
        for j in range(n_classes):
            if cm[i, j]:
                ax[0].text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                           color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax[0].set_xlabel("predicted (RTL)")
    ax[0].set_ylabel("true class")
    ax[0].set_title("confusion matrix, RTL")
    ax[0].set_xticks(range(n_classes))
    ax[0].set_yticks(range(n_classes))

    labels = list(accuracy)
    vals = [100 * accuracy[k] for k in labels]
    ax[1].barh(range(len(labels)), vals, color="tab:blue")
    for i, v in enumerate(vals):
        ax[1].text(v, i, f" {v:.2f} %", va="center", fontsize=8)
    ax[1].set_yticks(range(len(labels)))
    ax[1].set_yticklabels(labels, fontsize=8)
    ax[1].invert_yaxis()
    lo = max(0.0, min(vals) - 10)
    ax[1].set_xlim(lo, 102)
    ax[1].set_xlabel("accuracy (%)")
    ax[1].set_title("accuracy per run")

    x = np.arange(len(quant_errs))
    w = 0.27
    ax[2].bar(x - w, [100 * e for e in quant_errs], w, label="int8 vs float (outputs)")
    if calib_layers:
        ls = [calib_layers[str(i)] for i in range(len(quant_errs))]
        ax[2].bar(x, [100 * v["acc_rms_error_before"] / v["acc_rms_ideal"] for v in ls], w,
                  label="chip vs exact acc., before calibration")
        ax[2].bar(x + w, [100 * v["acc_rms_error_after"] / v["acc_rms_ideal"] for v in ls], w,
                  label="chip vs exact acc., calibrated")
    ax[2].set_xticks(x)
    ax[2].set_xticklabels([f"layer {i}" for i in x])
    ax[2].set_ylabel("relative RMS error (%)")
    ax[2].set_title("per-layer error")
    ax[2].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
