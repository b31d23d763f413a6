# SPDX-License-Identifier: Apache-2.0
"""Quantize a FloatNet to the chip's int8 arithmetic and run it bit-exactly in numpy.

Quantization (symmetric int8, the range [-127, 127], never -128):
- inputs: one scale per tensor, s_in = max|x| / 127 over the standardized calibration (training)
  set, stored as float32 in the network file; x_q = clamp(round_half_away(x / s_in), -127, 127).
- weights: one scale per output channel, s_w[n] = max|W[n, :]| / 127, w_q = round_half_away(W/s_w);
  s_w[n] is raised to |b[n]| / (s_x * 2^30) if that is larger (a unit whose weights are ~0 but
  whose bias is not), so that the bias fits.
- bias: b_q[n] = round_half_away(b[n] / (s_w[n] * s_x)), |b_q| <= 2^30.
- output scale per tensor from the calibration activations: ReLU layers s_y = max(a) / 127, the
  last layer s_y = max|z| / 127; the next layer's s_x is this s_y.
- post-processing: M[n] / 2^S[n] ~= s_w[n] * s_x / s_y with M in [2^30, 2^31) (31 significant
  bits) and S in [1, 62]; a ratio that needs S > 62 keeps S = 62 if M still has >= 15 bits.
- adc_shift per layer: 0 for an ideal config; otherwise the smallest shift at which at most
  clip_target (0.1 %) of the ADC codes of the calibration set clip (calibrate_adc_shifts).

The forward passes implement docs/numbers.md with int64 numpy integers: forward_int8 is the ideal
chip (acc = W.x exactly), forward_int8_sliced the bit-sliced, row-blocked MVM with ADC codes
computed from the exact integer column sums (the ideal-arithmetic digital twin).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from . import conv as _conv
from . import train as _train

INT8_MAX = 127
INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
ADC_SHIFT_MAX = 15
BIAS_Q_MAX = float(1 << 30)     # |b_q| bound: keeps acc + b clear of int32 saturation


class QuantError(ValueError):
    """A network or setting that cannot be quantized or run in int8."""


# ---- the rounding and saturation helpers of docs/numbers.md ------------------------------------

def round_half_away(v: np.ndarray) -> np.ndarray:
    """round_half_away(v) = v >= 0 ? floor(v + 0.5) : -floor(-v + 0.5), elementwise (float)."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v >= 0, np.floor(v + 0.5), -np.floor(-v + 0.5))


def rshift_round(v: np.ndarray, s: int | np.ndarray) -> np.ndarray:
    """(v + (1 << (s-1))) >> s, arithmetic, int64; s >= 1 (scalar or broadcastable array)."""
    v = np.asarray(v, dtype=np.int64)
    s = np.asarray(s, dtype=np.int64)
    if np.any(s < 1) or np.any(s > 62):
        raise QuantError("rshift_round: shift outside [1, 62]")
    return (v + (np.int64(1) << (s - 1))) >> s


def sat32(v: ArrayLike) -> np.ndarray:
    return np.clip(np.asarray(v, dtype=np.int64), INT32_MIN, INT32_MAX)


def sat8(v: ArrayLike) -> np.ndarray:
    return np.clip(np.asarray(v, dtype=np.int64), -INT8_MAX, INT8_MAX)


def div_round_half_away_pow2(v: np.ndarray, sh: int) -> np.ndarray:
    """round_half_away(v / 2^sh) for int64 v, exact (sh >= 0)."""
    v = np.asarray(v, dtype=np.int64)
    if sh == 0:
        return v
    half = np.int64(1) << (sh - 1)
    mag = (np.abs(v) + half) >> sh
    return np.where(v >= 0, mag, -mag)


# ---- the quantized network -------------------------------------------------------------------

@dataclass
class QLayer:
    w: np.ndarray        # int8, N x K, in [-127, 127]
    bias: np.ndarray     # int64 values in int32 range, N
    mult: np.ndarray     # int64 values in int32 range, N
    shift: np.ndarray    # int64 values in [1, 62], N
    relu: bool
    adc_shift: int = 0
    # float scales the layer was quantized with (not stored in the network file)
    s_w: np.ndarray = field(default=None, repr=False)
    s_x: float = 0.0
    s_y: float = 0.0
    conv: object = None  # conv.Conv for a convolution layer (im2col MVMs), None: fully connected

    @property
    def in_len(self) -> int:
        return self.conv.in_len if self.conv is not None else self.k

    @property
    def out_len(self) -> int:
        return self.n * (self.conv.pixels if self.conv is not None else 1)

    @property
    def mvms(self) -> int:
        """Matrix-vector products per inference (output pixels of a conv, 1 for FC)."""
        return self.conv.pixels if self.conv is not None else 1

    def rows_of(self, x: np.ndarray) -> np.ndarray:
        """The layer's MVM input vectors for layer inputs x (n x in_len): x itself for FC, the
        im2col patches ((n*P) x K) for a convolution."""
        return _conv.im2col(x, self.conv) if self.conv is not None else x

    def outs_of(self, z: np.ndarray, n: int) -> np.ndarray:
        """Per-MVM outputs back to n x out_len (HWC for a convolution)."""
        return _conv.col2out(z, n, self.conv) if self.conv is not None else z

    @property
    def k(self) -> int:
        return self.w.shape[1]

    @property
    def n(self) -> int:
        return self.w.shape[0]


@dataclass
class QNet:
    layers: list         # QLayer
    in_scale: float      # a float32 value

    @property
    def n_inputs(self) -> int:
        return self.layers[0].in_len

    @property
    def n_classes(self) -> int:
        return self.layers[-1].out_len

    def macs(self) -> int:
        """Multiply-accumulates per inference: sum of K*N (times the output pixels of a conv)."""
        return sum(L.k * L.n * L.mvms for L in self.layers)

    def with_adc_shifts(self, shifts: list[int]) -> QNet:
        """A copy of the net with the given per-layer adc_shift values."""
        shifts = [int(s) for s in shifts]
        if len(shifts) != len(self.layers):
            raise QuantError(f"{len(shifts)} adc shifts for {len(self.layers)} layers")
        for i, s in enumerate(shifts):
            if not 0 <= s <= ADC_SHIFT_MAX:
                raise QuantError(f"layer {i}: adc_shift {s} outside [0, {ADC_SHIFT_MAX}]")
        q = copy.deepcopy(self)
        for L, s in zip(q.layers, shifts, strict=True):
            L.adc_shift = s
        return q


def mult_shift(r: float) -> tuple[int, int]:
    """(M, S) with M / 2^S ~= r: M in [2^30, 2^31) when S <= 62 allows it, S in [1, 62]."""
    r = float(r)
    if not (math.isfinite(r) and r > 0):
        raise QuantError(f"post-processing ratio {r} must be finite and > 0")
    m, e = math.frexp(r)                   # r = m * 2^e, m in [0.5, 1)
    M = int(round_half_away(m * (1 << 31)))
    if M == 1 << 31:
        M, e = 1 << 30, e + 1
    S = 31 - e
    if S > 62:
        S = 62
        M = int(round_half_away(r * 2.0 ** 62))
        if M < (1 << 15):
            raise QuantError(f"post-processing ratio {r:.3e} is too small for S <= 62 "
                             "(M would have fewer than 15 significant bits)")
    if S < 1:
        raise QuantError(f"post-processing ratio {r:.3e} is too large (needs S < 1)")
    return M, S


def input_scale(Xs: np.ndarray) -> float:
    """Per-tensor input scale max|x| / 127 of standardized inputs, as a float32 value."""
    amax = float(np.max(np.abs(Xs)))
    if not (math.isfinite(amax) and amax > 0):
        raise QuantError("calibration inputs are all zero (or not finite): no input scale")
    s = float(np.float32(amax / INT8_MAX))
    if s <= 0:
        raise QuantError("input scale underflows float32")
    return s


def quantize_inputs(Xs: np.ndarray, in_scale: float) -> np.ndarray:
    """x_q = clamp(round_half_away(x / in_scale), -127, 127) as int8 (float64 division)."""
    in_scale = float(np.float32(in_scale))
    q = round_half_away(np.asarray(Xs, dtype=np.float64) / in_scale)
    return np.clip(q, -INT8_MAX, INT8_MAX).astype(np.int8)


def quantize_net(fnet: _train.FloatNet, X_calib: np.ndarray) -> QNet:
    """Quantize FloatNet fnet with calibration inputs X_calib (raw features, before the scaler).

    All adc_shift values are 0 (use calibrate_adc_shifts + QNet.with_adc_shifts for a config).
    """
    Xs = fnet.standardize(X_calib)
    in_scale = input_scale(Xs)
    acts = _train.forward(fnet, X_calib, dtype=np.float64, all_layers=True)
    layers = []
    s_x = in_scale
    for i, (L, a) in enumerate(zip(fnet.layers, acts, strict=True)):
        W = np.asarray(L.W, dtype=np.float64)
        amax = np.max(np.abs(W), axis=1)
        # A (nearly) dead unit, weights ~0 and a real bias, would need a bias beyond int32: its
        # scale is raised until |b_q| <= 2^30 (its tiny weights then round to 0, as they should).
        s_w = np.maximum(amax / INT8_MAX, np.abs(L.b) / (s_x * BIAS_Q_MAX))
        s_w = np.where(s_w > 0, s_w, 1.0)       # an all-zero row with zero bias: any scale
        w_q = np.clip(round_half_away(W / s_w[:, None]), -INT8_MAX, INT8_MAX).astype(np.int8)
        ymax = float(np.max(a)) if L.relu else float(np.max(np.abs(a)))
        if not (math.isfinite(ymax) and ymax > 0):
            raise QuantError(f"layer {i}: calibration activations are all "
                             f"{'<= 0 (dead ReLU layer)' if L.relu else 'zero'}; no output scale")
        s_y = ymax / INT8_MAX
        b_q = round_half_away(L.b / (s_w * s_x))
        if np.any(b_q < INT32_MIN) or np.any(b_q > INT32_MAX):
            n = int(np.argmax(np.abs(b_q)))
            raise QuantError(f"layer {i} output {n}: quantized bias {b_q[n]:.0f} overflows int32")
        ms = [mult_shift(s_w[n] * s_x / s_y) for n in range(W.shape[0])]
        layers.append(QLayer(
            w=w_q, bias=b_q.astype(np.int64),
            mult=np.array([m for m, _ in ms], dtype=np.int64),
            shift=np.array([s for _, s in ms], dtype=np.int64),
            relu=bool(L.relu), adc_shift=0, s_w=s_w, s_x=s_x, s_y=s_y,
            conv=getattr(L, "conv", None)))
        s_x = s_y
    return QNet(layers=layers, in_scale=in_scale)


# ---- int8 forward passes (docs/numbers.md) ------------------------------------------------------

def _check_inputs(qnet, xq):
    xq = np.asarray(xq)
    if xq.ndim != 2 or xq.shape[1] != qnet.n_inputs:
        raise QuantError(f"inputs must be n x {qnet.n_inputs}, got shape {xq.shape}")
    if xq.dtype != np.int8:
        raise QuantError(f"inputs must be int8, got {xq.dtype}")
    if np.any(xq == -128):
        raise QuantError("inputs hold -128; the chip's range is [-127, 127]")
    return xq.astype(np.int64)


def post(acc: np.ndarray, L: QLayer) -> np.ndarray:
    """y = sat8(relu?(rshift_round(sat32(acc + b) * M, S))) per column; acc int64 n x N."""
    t = sat32(np.asarray(acc, dtype=np.int64) + L.bias)
    q = rshift_round(t * L.mult, L.shift)
    if L.relu:
        q = np.maximum(q, 0)
    return sat8(q)


def forward_int8(qnet: QNet, xq: np.ndarray, all_layers: bool = False) -> np.ndarray | list[np.ndarray]:
    """The ideal chip: acc = sat32(W.x) exactly, then post. Returns int8 outputs of the last
    layer (n x n_classes), or the list of every layer's int8 outputs."""
    x = _check_inputs(qnet, xq)
    outs = []
    for L in qnet.layers:
        n = x.shape[0]
        acc = sat32(L.rows_of(x) @ L.w.astype(np.int64).T)
        x = L.outs_of(post(acc, L), n)
        outs.append(x.astype(np.int8))
    return outs if all_layers else outs[-1]


def _block_phases(x, rows, dac_bits):
    """Yield (row_block, slice, sign, d) in execution order: row blocks ascending, slices least
    significant first, positive rows then negative rows. d is the n x rows DAC code matrix."""
    n, K = x.shape
    nblk = -(-K // rows)
    mask = (1 << dac_bits) - 1
    nslices = -(-7 // dac_bits)
    for rb in range(nblk):
        xb = np.zeros((n, rows), dtype=np.int64)
        part = x[:, rb * rows:(rb + 1) * rows]
        xb[:, :part.shape[1]] = part
        mag = np.abs(xb)
        for s in range(nslices):
            sl = (mag >> (s * dac_bits)) & mask
            for sign, sel in ((1, xb > 0), (-1, xb < 0)):
                yield rb, s, sign, np.where(sel, sl, 0)


def _block_weights(w, rows, rb):
    """Rows x N block rb of W^T (zero-padded past K)."""
    N, K = w.shape
    wb = np.zeros((rows, N), dtype=np.int64)
    part = w[:, rb * rows:(rb + 1) * rows].astype(np.int64).T
    wb[:part.shape[0], :] = part
    return wb


def _check_geometry(rows, dac_bits, adc_bits):
    if rows < 1 or not 1 <= dac_bits <= 8 or not 2 <= adc_bits <= 16:
        raise QuantError(f"bad geometry rows={rows} dac_bits={dac_bits} adc_bits={adc_bits}")


def forward_int8_sliced(qnet: QNet, xq: np.ndarray, rows: int, dac_bits: int, adc_bits: int,
                        all_layers: bool = False) -> np.ndarray | list[np.ndarray]:
    """Bit-sliced MVM of docs/numbers.md with ideal analog arithmetic: each applied phase's code
    is clamp(round_half_away(sum_r d[r]*w[r][c] / 2^adc_shift)) and acc accumulates with sat32
    at every step, row blocks of `rows` ascending. Equals forward_int8 in an ideal config."""
    _check_geometry(rows, dac_bits, adc_bits)
    x = _check_inputs(qnet, xq)
    lo, hi = -(1 << (adc_bits - 1)), (1 << (adc_bits - 1)) - 1
    outs = []
    for L in qnet.layers:
        n_in = x.shape[0]
        x = L.rows_of(x)
        acc = np.zeros((x.shape[0], L.n), dtype=np.int64)
        wbs = {}
        for rb, s, sign, d in _block_phases(x, rows, dac_bits):
            if rb not in wbs:
                wbs = {rb: _block_weights(L.w, rows, rb)}
            col = d @ wbs[rb]
            code = np.clip(div_round_half_away_pow2(col, L.adc_shift), lo, hi)
            # A skipped phase (all d zero) has col == 0, code == 0: acc is unchanged, as skipped.
            acc = sat32(acc + sign * (code << (s * dac_bits + L.adc_shift)))
        x = L.outs_of(post(acc, L), n_in)
        outs.append(x.astype(np.int8))
    return outs if all_layers else outs[-1]


# ---- ADC range calibration ----------------------------------------------------------------------

# Keys of the further non-idealities (docs/analog-model.md) that are off at 0.
_EFFECT_KEYS = ("stuck_gmin_frac", "stuck_gmax_frac", "dac_inl", "dac_rout", "adc_gain_err",
                "adc_gain_sigma", "adc_offset", "adc_offset_sigma", "adc_inl", "adc_noise",
                "i_clip")


def cfg_effect_on(cfg: dict) -> str | None:
    """Name of the first further non-ideality switched on (aimc_cfg_effect_on in C), or None.
    Keys absent from cfg count as off (their defaults are off)."""
    g = lambda k, d=0.0: float(cfg.get(k, d))  # noqa: E731
    if cfg.get("device", "flash") not in ("flash", 0):  # device presets (issue 18)
        return "device"
    cl = int(cfg.get("cell_levels", 128))  # 128: every level; fewer: rounded unless they hold every level
    if cl != 128 and (cl - 1) % cell_top(cfg) != 0:
        return "cell_levels"
    if g("drift_time") > g("drift_t0", 20.0) and (g("drift_nu", 0.05) != 0
                                                   or g("drift_nu_sigma", 0.008) != 0):
        return "drift_time"
    for k in _EFFECT_KEYS:
        if g(k) != 0:
            return k
    if g("tc_g", 5e-4) != 0 and g("temp", 300.0) != g("temp_ref", 300.0):
        return "temp"
    return None


def cell_top(cfg: dict) -> int:
    """Top level of a cell (aimc_cfg_cell_top in C): 127, or 2^slice_bits - 1 when sliced."""
    if int(cfg.get("weight_slices", 1)) <= 1:
        return INT8_MAX
    return (1 << int(cfg["slice_bits"])) - 1


def weight_slice(w: np.ndarray, s: int, weight_slices: int, slice_bits: int) -> np.ndarray:
    """Slice s of int weights w (aimc_cfg_weight_slice in C): sign(w) ((|w| >> s b) & (2^b - 1)),
    |w| capped at 127; with one slice, w itself (-128 as -127)."""
    w = np.asarray(w, dtype=np.int64)
    mag = np.minimum(np.abs(w), INT8_MAX)
    if weight_slices <= 1:
        return np.where(s == 0, np.sign(w) * mag, 0)
    v = (mag >> (s * slice_bits)) & ((1 << slice_bits) - 1)
    return np.sign(w) * v


def cfg_is_ideal(cfg: dict) -> bool:
    """docs/configs.md: no noise, no other non-ideality, and no ADC code can clip at adc_shift 0."""
    rows, dac, adc = int(cfg["rows"]), int(cfg["dac_bits"]), int(cfg["adc_bits"])
    return (float(cfg["prog_sigma"]) == 0 and float(cfg["read_sigma"]) == 0
            and int(cfg.get("pv_enable", 0)) == 0 and cfg_effect_on(cfg) is None
            and (1 << (adc - 1)) - 1 >= rows * ((1 << dac) - 1) * cell_top(cfg))


def adc_clip_fractions(w: np.ndarray, xq_layer: np.ndarray, rows: int, dac_bits: int, adc_bits: int,
                       weight_slices: int = 1, slice_bits: int = 7) -> tuple[list[float], int] | tuple[float, int]:
    """Fraction of clipped ADC codes for adc_shift = 0..15, over every applied phase (row block,
    slice, sign with a non-zero DAC code) and every real output column, for layer weights w
    (N x K int8) and layer inputs xq_layer (n x K int8). Returns (fractions[16], conversions).
    With bit-sliced weights every weight slice's column is a conversion of its own."""
    if weight_slices > 1:
        fr, cv = np.zeros(ADC_SHIFT_MAX + 1), 0
        for s in range(weight_slices):
            f, c = adc_clip_fractions(weight_slice(w, s, weight_slices, slice_bits), xq_layer, rows,
                                      dac_bits, adc_bits)
            fr, cv = fr + f * c, cv + c
        return (fr / cv if cv else fr), cv
    _check_geometry(rows, dac_bits, adc_bits)
    x = np.asarray(xq_layer, dtype=np.int64)
    lo, hi = -(1 << (adc_bits - 1)), (1 << (adc_bits - 1)) - 1
    clipped = np.zeros(ADC_SHIFT_MAX + 1, dtype=np.int64)
    convs = 0
    wbs = {}
    for rb, _s, _sign, d in _block_phases(x, rows, dac_bits):
        if rb not in wbs:
            wbs = {rb: _block_weights(w, rows, rb)}
        applied = np.any(d != 0, axis=1)
        if not np.any(applied):
            continue
        col = d[applied] @ wbs[rb]
        convs += col.size
        for sh in range(ADC_SHIFT_MAX + 1):
            code = div_round_half_away_pow2(col, sh)
            clipped[sh] += int(np.count_nonzero((code < lo) | (code > hi)))
    frac = clipped / convs if convs else np.zeros(ADC_SHIFT_MAX + 1)
    return frac, convs


@dataclass
class AdcCalibration:
    shifts: list           # per layer
    clip_fraction: list    # per layer, at the chosen shift
    conversions: list      # per layer, codes counted


def calibrate_adc_shifts(qnet: QNet, xq_calib: np.ndarray, cfg: dict, clip_target: float = 1e-3) -> AdcCalibration:
    """Per-layer adc_shift for chip config cfg (a dict with rows, dac_bits, adc_bits, prog_sigma,
    read_sigma): all 0 for an ideal config, else the smallest shift whose clip fraction on the
    calibration set is <= clip_target (15 if none is). Layer inputs are the ideal int8 ones."""
    if not 0 <= clip_target < 1:
        raise QuantError(f"clip_target {clip_target} outside [0, 1)")
    n = len(qnet.layers)
    if cfg_is_ideal(cfg):
        return AdcCalibration(shifts=[0] * n, clip_fraction=[0.0] * n, conversions=[0] * n)
    rows, dac, adc = int(cfg["rows"]), int(cfg["dac_bits"]), int(cfg["adc_bits"])
    ins = [np.asarray(xq_calib)] + forward_int8(qnet, xq_calib, all_layers=True)[:-1]
    cal = AdcCalibration(shifts=[], clip_fraction=[], conversions=[])
    for L, xl in zip(qnet.layers, ins, strict=True):
        frac, convs = adc_clip_fractions(L.w, L.rows_of(np.asarray(xl)), rows, dac, adc,
                                         int(cfg.get("weight_slices", 1)),
                                         int(cfg.get("slice_bits", 7)))
        ok = [sh for sh in range(ADC_SHIFT_MAX + 1) if frac[sh] <= clip_target]
        sh = ok[0] if ok else ADC_SHIFT_MAX
        cal.shifts.append(sh)
        cal.clip_fraction.append(float(frac[sh]))
        cal.conversions.append(int(convs))
    return cal
