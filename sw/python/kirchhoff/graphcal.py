# SPDX-License-Identifier: Apache-2.0
"""ADC ranges of an imported graph for a noisy chip config, and the figures `make sim MODEL=`
reports about a graph (MACs, driver-side operations).

A chip node's MVM converts, per DAC slice, the column sums `sum_r d[r]·w[r][c]` of one
sub-block (at most Rows rows; a depthwise channel's kh·kw rows), with `d` the slice of the
unsigned input `x + 128` (docs/decisions/0007). The node's adc_shift is the smallest shift whose
fraction of clipped codes on calibration inputs is at most `clip_target`, as
`quantize.calibrate_adc_shifts` does for the digits networks; 0 in an ideal config. The
calibration inputs of each node are the TFLite reference kernels' own tensors.
"""

from __future__ import annotations

import numpy as np

from . import graphfile as gf
from . import quantize as kq
from . import tflite_import as ti
from . import tflite_ref as kref

MAX_VECTORS = 4096      # calibration vectors per node (a seeded subset of the pixels)


def chip_nodes(g: gf.Graph) -> int:
    return sum(1 for nd in g.nodes if nd.op in gf.CHIP_OPS)


def vectors(g: gf.Graph, nd: gf.Node) -> int:
    """Chip vectors per inference of a chip node (pixels, times channels for DWCONV)."""
    t = g.tensors[nd.out]
    if nd.op == gf.OP_FC:
        return 1
    if nd.op == gf.OP_CONV:
        return t.h * t.w
    return t.h * t.w * t.c


def macs(g: gf.Graph) -> int:
    """Multiply-accumulates per inference of the chip nodes (TFLite's count: no padding MACs
    removed, as the MLPerf Tiny figures count them)."""
    return sum(vectors(g, nd) * nd.k * (1 if nd.op == gf.OP_DWCONV else nd.n)
               for nd in g.nodes if nd.op in gf.CHIP_OPS)


def host_ops(g: gf.Graph) -> int:
    """Driver-side element operations per inference: one per output element of ADD, RESHAPE and
    SOFTMAX, one per input element read by a pool (window size times output)."""
    n = 0
    for nd in g.nodes:
        out = g.tensors[nd.out].size
        if nd.op in (gf.OP_ADD, gf.OP_RESHAPE, gf.OP_SOFTMAX):
            n += out
        elif nd.op in (gf.OP_AVGPOOL, gf.OP_MAXPOOL):
            n += out * nd.kh * nd.kw
    return n


def _padded(x: np.ndarray, t, nd) -> np.ndarray:
    """One HWC int8 tensor inside a frame of its zero point wide enough for any window."""
    big = np.full((t.h + 2 * nd.kh, t.w + 2 * nd.kw, t.c), t.zero_point, dtype=np.int16)
    big[nd.pad_top:nd.pad_top + t.h, nd.pad_left:nd.pad_left + t.w] = x.reshape(t.h, t.w, t.c)
    return big


def _node_rows(g: gf.Graph, nd, x: np.ndarray) -> np.ndarray:
    """Chip input vectors (x + 128, uint8) of one sample for a node: FC (1, k); CONV (pixels, k);
    DWCONV (pixels * C, kh*kw), row p*C + c."""
    t_in, t_out = g.tensors[nd.in0], g.tensors[nd.out]
    if nd.op == gf.OP_FC:
        return (x.reshape(1, -1).astype(np.int16) + 128).astype(np.uint8)
    big = _padded(x, t_in, nd)
    rows = []
    for oy in range(t_out.h):
        for ox in range(t_out.w):
            y0, x0 = oy * nd.stride_h, ox * nd.stride_w
            rows.append(big[y0:y0 + nd.kh, x0:x0 + nd.kw, :])
    p = np.stack(rows)                                   # (P, kh, kw, C)
    if nd.op == gf.OP_CONV:
        v = p.reshape(len(rows), -1)
    else:
        v = p.reshape(len(rows), nd.kh * nd.kw, t_in.c).transpose(0, 2, 1).reshape(-1,
                                                                                   nd.kh * nd.kw)
    return (v + 128).astype(np.uint8)


def _clip_fractions(nd, v: np.ndarray, rows: int, dac: int, adc: int, weight_slices: int = 1,
                    slice_bits: int = 7) -> np.ndarray:
    """Fraction of clipped codes for each adc_shift 0..15 over every slice conversion; with
    bit-sliced weights every weight slice's column is a conversion of its own."""
    mask = (1 << dac) - 1
    n_sl = -(-8 // dac)
    lim = (1 << (adc - 1)) - 1
    w_all = nd.w.astype(np.int64)
    clipped = np.zeros(kq.ADC_SHIFT_MAX + 1)
    total = 0
    for ws in range(weight_slices):
        w = w_all if weight_slices == 1 else kq.weight_slice(w_all, ws, weight_slices, slice_bits)
        c, t = _clip_counts(nd, v, w, rows, dac, mask, n_sl, lim)
        clipped += c
        total += t
    return clipped / max(total, 1)


def _clip_counts(nd, v, w, rows, dac, mask, n_sl, lim):
    """Clipped codes per adc_shift and conversions of one weight matrix (see _clip_fractions)."""
    clipped = np.zeros(kq.ADC_SHIFT_MAX + 1)
    total = 0
    for s in range(n_sl):
        d = ((v.astype(np.int64) >> (s * dac)) & mask)
        if nd.op == gf.OP_DWCONV:
            c = np.arange(len(d)) % nd.n                 # row p*C + c is channel c
            sums = [np.einsum("ij,ij->i", d, w[c])]
        else:
            sums = [d[:, r0:r0 + rows] @ w[:, r0:r0 + rows].T for r0 in range(0, nd.k, rows)]
        for sm in sums:
            a = np.abs(sm)
            total += a.size
            for sh in range(kq.ADC_SHIFT_MAX + 1):
                code = (a + ((1 << sh) >> 1)) >> sh     # round half away, on the magnitude
                clipped[sh] += np.count_nonzero(code > lim)
    return clipped, total


def calibrate(model: str, net_in: str, net_out: str, cfg: dict, x: np.ndarray,
              clip_target: float = 1e-3, seed: int = 1) -> list:
    """Write net_out: net_in with each chip node's adc_shift chosen for cfg on inputs x (n x
    input length, int8). Returns the shifts of the chip nodes in order."""
    g = gf.read_graph(net_in)
    ideal = kq.cfg_is_ideal(cfg)
    shifts = []
    if not ideal:
        src = ti.import_model(model).src_tensors
        acts = []
        for xi in np.asarray(x, dtype=np.int8):
            a = kref.run_all_tensors(model, xi)
            acts.append(a[0] if isinstance(a, list) else a)
        rows, dac, adc = int(cfg["rows"]), int(cfg["dac_bits"]), int(cfg["adc_bits"])
        rng = np.random.default_rng(seed)
    for nd in g.nodes:
        if nd.op not in gf.CHIP_OPS:
            continue
        sh = 0
        if not ideal:
            v = np.concatenate([_node_rows(g, nd, a[src[nd.in0]].reshape(-1)) for a in acts])
            if len(v) > MAX_VECTORS:
                v = v[np.sort(rng.choice(len(v), MAX_VECTORS, replace=False))]
            frac = _clip_fractions(nd, v, rows, dac, adc, int(cfg.get("weight_slices", 1)),
                                   int(cfg.get("slice_bits", 7)))
            ok = [s for s in range(kq.ADC_SHIFT_MAX + 1) if frac[s] <= clip_target]
            sh = ok[0] if ok else kq.ADC_SHIFT_MAX
        nd.adc_shift = sh
        shifts.append(sh)
    gf.write_graph(net_out, g, src=net_in)
    return shifts
