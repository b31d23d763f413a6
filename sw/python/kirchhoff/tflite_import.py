# SPDX-License-Identifier: Apache-2.0
"""TFLite int8 importer: a .tflite flatbuffer (read with the PyPI `tflite` package) to a network
file of version 3 (kirchhoff.graphfile, docs/network-format.md).

Every integer parameter is computed as TFLite's Prepare functions compute it (the interpreter
built with the reference kernels, OpResolverType.BUILTIN_REF), float32 where TFLite uses float and
double where it uses double:

  FC, per-tensor weights (fully_connected.cc -> GetQuantizedConvolutionMultipler):
      real = (double)(float32(s_in * s_w)) / (double)s_out     (the product is float32)
  FC per-channel, CONV, DWCONV (PopulateConvolutionQuantizationParams, per-tensor broadcast):
      real = (double)s_in * (double)s_w[c] / (double)s_out      (all double)
  then QuantizeMultiplier(real): q = frexp(real) -> (m, e); M = TfLiteRound(m * 2^31); if M == 2^31
      then M /= 2, e += 1; if e < -31 then M = 0, e = 0.  Stored: mult = M, shift = e.
  ADD (add.cc Prepare, 8-bit general path): left_shift = 20;
      twice = (double)float32(2 * max(s1, s2));  r1 = s1 / twice;  r2 = s2 / twice;
      ro = twice / (double)float32(2^20 * s_out); each through QuantizeMultiplierSmallerThanOneExp.
  SOFTMAX (activations.cc SoftmaxPrepare<kReference>, int8 -> int8: gemmlowp fixed point path):
      PreprocessSoftmaxScaling(beta, s_in, 5): real = min((double)beta * (double)s_in * 2^26,
      2^31 - 1) -> QuantizeMultiplierGreaterThanOne -> input_mult, input_left_shift;
      diff_min = -floor(31 * 2^26 / 2^input_left_shift)  (CalculateInputRadius(5, shift, 31)).
  FC eff_scale (the pinned LiteRT's reference FULLY_CONNECTED requantizes in double:
      (int32)round((double)acc * eff_scale) + zp_out, clamped): eff_scale[c] = (double)s_in *
      (double)s_w[c] / (double)s_out (per-tensor weights: s_w[0] for every c); written after
      shift (graphfile.py). mult / shift of FC stay TFLite's Prepare values.
  act_min / act_max (CalculateActivationRangeQuantized): q(f) = zp + (int)roundf(f / s) in float32;
      NONE: [-128, 127]; RELU: [max(-128, q(0)), 127]; RELU6: [max(-128, q(0)), min(127, q(6))].
  Padding (ComputePaddingHeightWidth): SAME out = ceil(in / stride), VALID out =
      (in - k) / stride + 1; total = max((out - 1) * stride + k - in, 0), pad_top = total / 2.

The interpreter is used only by tflite_ref.py and the tests; nothing here runs it.
"""

from __future__ import annotations

import math
import os
import struct

import numpy as np
import tflite
from tflite.utils import BUILTIN_OPCODE2NAME

from . import graphfile as gf

# tflite schema enums (tflite.TensorType, tflite.BuiltinOperator, ...)
T_FLOAT32, T_INT32, T_INT8, T_INT16 = (tflite.TensorType.FLOAT32, tflite.TensorType.INT32,
                                       tflite.TensorType.INT8, tflite.TensorType.INT16)
TYPE_NAMES = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
BOP = tflite.BuiltinOperator
ACT_NAMES = {v: k for k, v in vars(tflite.ActivationFunctionType).items() if not k.startswith("_")}
SUPPORTED = {BOP.FULLY_CONNECTED: gf.OP_FC, BOP.CONV_2D: gf.OP_CONV,
             BOP.DEPTHWISE_CONV_2D: gf.OP_DWCONV, BOP.ADD: gf.OP_ADD,
             BOP.AVERAGE_POOL_2D: gf.OP_AVGPOOL, BOP.MAX_POOL_2D: gf.OP_MAXPOOL,
             BOP.RESHAPE: gf.OP_RESHAPE, BOP.SOFTMAX: gf.OP_SOFTMAX}


class TFLiteImportError(ValueError):
    """A model the importer does not accept (message names the operator, its index and why)."""


# ---- TFLite's parameter arithmetic (quantization_util.cc, kernel_util.cc) ---------------------

def tflite_round(x: float) -> int:
    """TfLiteRound / std::round: round half away from zero (exact for any double)."""
    if x < 0:
        return -tflite_round(-x)
    f = math.floor(x)
    return int(f) + (1 if x - f >= 0.5 else 0)


def quantize_multiplier(real: float) -> tuple:
    """QuantizeMultiplier (double rounding build, TFLITE_SINGLE_ROUNDING = 0): (mult, shift)."""
    if real == 0.0:
        return 0, 0
    m, e = math.frexp(real)
    q = tflite_round(m * float(1 << 31))
    if q > (1 << 31):
        raise ValueError(f"multiplier {real!r} is not representable")
    if q == (1 << 31):
        q //= 2
        e += 1
    if q > (1 << 31) - 1:
        raise ValueError(f"multiplier {real!r} is not representable")
    if e < -31:
        e, q = 0, 0
    return q, e


def quantize_multiplier_smaller_than_one_exp(real: float) -> tuple:
    """QuantizeMultiplierSmallerThanOneExp: 0 < real < 1, shift <= 0."""
    if not 0.0 < real < 1.0:
        raise ValueError(f"multiplier {real!r} must be in (0, 1)")
    q, e = quantize_multiplier(real)
    if e > 0:
        raise ValueError(f"multiplier {real!r} gives shift {e} > 0")
    return q, e


def quantize_multiplier_greater_than_one(real: float) -> tuple:
    """QuantizeMultiplierGreaterThanOne: real > 1, shift >= 0."""
    if not real > 1.0:
        raise ValueError(f"multiplier {real!r} must be > 1")
    q, e = quantize_multiplier(real)
    if e < 0:
        raise ValueError(f"multiplier {real!r} gives shift {e} < 0")
    return q, e


def f32(x: float) -> np.float32:
    return np.float32(x)


def fc_per_tensor_real(s_in: float, s_w: float, s_out: float) -> float:
    """GetQuantizedConvolutionMultipler: input->params.scale * filter->params.scale is a float32
    product, converted to double, divided by the output scale as double."""
    prod = f32(s_in) * f32(s_w)                  # float32 * float32 -> float32
    return float(prod) / float(f32(s_out))


def conv_channel_real(s_in: float, s_w: float, s_out: float) -> float:
    """PopulateConvolutionQuantizationParams / per-channel FC: all double."""
    return float(f32(s_in)) * float(f32(s_w)) / float(f32(s_out))


def add_params(s1: float, s2: float, s_out: float) -> list:
    """add.cc Prepare (int8): [left_shift, in1_mult, in1_shift, in2_mult, in2_shift, out_mult,
    out_shift]."""
    left_shift = 20
    twice = float(f32(2) * max(f32(s1), f32(s2)))         # 2 * std::max(float, float): float
    r1 = float(f32(s1)) / twice
    r2 = float(f32(s2)) / twice
    ro = twice / float(f32(1 << left_shift) * f32(s_out))  # (1 << 20) * float: float
    m1, e1 = quantize_multiplier_smaller_than_one_exp(r1)
    m2, e2 = quantize_multiplier_smaller_than_one_exp(r2)
    mo, eo = quantize_multiplier_smaller_than_one_exp(ro)
    return [left_shift, m1, e1, m2, e2, mo, eo]


def softmax_params(beta: float, s_in: float) -> list:
    """SoftmaxPrepare<kReference> for int8: [input_mult, input_left_shift, diff_min]."""
    k_bits = 5
    max_real = float((1 << 31) - 1)
    real = min(float(f32(beta)) * float(f32(s_in)) * float(1 << (31 - k_bits)), max_real)
    mult, shift = quantize_multiplier_greater_than_one(real)
    radius = math.floor(1.0 * ((1 << k_bits) - 1) * float(1 << (31 - k_bits)) / float(1 << shift))
    return [mult, shift, -int(radius)]


def activation_range(act: int, s_out: float, zp_out: int) -> tuple:
    """CalculateActivationRangeQuantized for an int8 output (float32 arithmetic)."""
    def q(f):
        return int(zp_out) + tflite_round(float(f32(f) / f32(s_out)))
    if act == tflite.ActivationFunctionType.NONE:
        return -128, 127
    if act == tflite.ActivationFunctionType.RELU:
        return max(-128, q(0.0)), 127
    if act == tflite.ActivationFunctionType.RELU6:
        return max(-128, q(0.0)), min(127, q(6.0))
    raise ValueError(f"fused activation {ACT_NAMES.get(act, act)}")


def out_size(padding: int, in_size: int, k: int, stride: int) -> int:
    """ComputeOutSize (dilation 1)."""
    if padding == tflite.Padding.SAME:
        return (in_size + stride - 1) // stride
    return (in_size + stride - k) // stride


def pad_before(in_size: int, k: int, stride: int, out: int) -> int:
    """ComputePaddingWithOffset (dilation 1): the padding before row / column 0."""
    total = (out - 1) * stride + k - in_size
    return max(total, 0) // 2


# ---- the model -----------------------------------------------------------------------------

class _Model:
    def __init__(self, buf: bytes, path: str):
        self.buf = buf
        self.path = path
        try:
            if not tflite.Model.ModelBufferHasIdentifier(buf, 0):
                raise TFLiteImportError(f"{path}: not a TFLite flatbuffer (file identifier is not "
                                   "TFL3)")
            self.m = tflite.Model.GetRootAsModel(buf, 0)
            self.n_sub = self.m.SubgraphsLength()
        except TFLiteImportError:
            raise
        except Exception as e:  # the flatbuffer runtime raises assorted errors on garbage
            raise TFLiteImportError(f"{path}: not a readable TFLite flatbuffer ({e})") from None

    def opname(self, code: int) -> str:
        return BUILTIN_OPCODE2NAME.get(code, f"builtin {code}")


def _code(m, op) -> int:
    oc = m.OperatorCodes(op.OpcodeIndex())
    return max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())


def _shape(t) -> list:
    return [int(v) for v in t.ShapeAsNumpy()] if t.ShapeLength() else []


def _quant(t):
    q = t.Quantization()
    if q is None or q.ScaleLength() == 0:
        return None, None, 0
    sc = q.ScaleAsNumpy().astype(np.float32)
    zp = q.ZeroPointAsNumpy().astype(np.int64) if q.ZeroPointLength() else np.zeros(1, np.int64)
    return sc, zp, q.QuantizedDimension()


def import_model(path: str) -> gf.Graph:
    """Read the TFLite model at path; returns the graph. Raises TFLiteImportError."""
    with open(path, "rb") as f:
        buf = f.read()
    return import_bytes(buf, path)


def import_bytes(buf: bytes, path: str = "<model>") -> gf.Graph:
    """Import a TFLite flatbuffer image; raises TFLiteImportError (a malformed flatbuffer too)."""
    try:
        return _import(buf, path)
    except TFLiteImportError:
        raise
    except (struct.error, ValueError, TypeError, IndexError, KeyError, AttributeError,
            ZeroDivisionError, OverflowError, UnicodeDecodeError) as e:
        raise TFLiteImportError(f"{path}: malformed TFLite flatbuffer ({type(e).__name__}: "
                                f"{e})") from None


def _import(buf: bytes, path: str) -> gf.Graph:
    M = _Model(buf, path)
    m = M.m
    if M.n_sub != 1:
        raise TFLiteImportError(f"{path}: {M.n_sub} subgraphs; only models with one subgraph are "
                           "supported")
    sg = m.Subgraphs(0)
    ins = [int(v) for v in sg.InputsAsNumpy()] if sg.InputsLength() else []
    outs = [int(v) for v in sg.OutputsAsNumpy()] if sg.OutputsLength() else []
    if len(ins) != 1 or len(outs) != 1:
        raise TFLiteImportError(f"{path}: {len(ins)} inputs and {len(outs)} outputs; exactly one "
                           "of each is supported")
    n_ops = sg.OperatorsLength()
    if n_ops == 0:
        raise TFLiteImportError(f"{path}: the subgraph has no operators")

    def tname(ti):
        t = sg.Tensors(ti)
        nm = t.Name()
        return nm.decode(errors="replace") if nm else f"#{ti}"

    def const(ti):
        """Data of a constant tensor, or None."""
        t = sg.Tensors(ti)
        b = m.Buffers(t.Buffer())
        if b is None or b.DataLength() == 0:
            return None
        return b.DataAsNumpy().tobytes()

    # Pass 1: check every operator is supported, collect activation inputs and outputs.
    ops = []
    for i in range(n_ops):
        op = sg.Operators(i)
        code = _code(m, op)
        name = M.opname(code)

        def fail(why, i=i, name=name):
            raise TFLiteImportError(f"{path}: operator {i} ({name}): {why}")

        if code == BOP.CUSTOM or code not in SUPPORTED:
            if code == BOP.CUSTOM:
                oc = m.OperatorCodes(op.OpcodeIndex())
                cn = oc.CustomCode().decode(errors="replace") if oc.CustomCode() else "?"
                fail(f"custom operator '{cn}' is not supported")
            fail("unsupported operator (supported: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, "
                 "ADD, AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE, SOFTMAX)")
        oins = [int(v) for v in op.InputsAsNumpy()] if op.InputsLength() else []
        oouts = [int(v) for v in op.OutputsAsNumpy()] if op.OutputsLength() else []
        if len(oouts) != 1:
            fail(f"{len(oouts)} outputs, expected 1")
        n_act = 2 if code == BOP.ADD else 1
        if len(oins) < n_act or any(t < 0 for t in oins[:n_act]):
            fail(f"needs {n_act} input tensor(s)")
        acts = oins[:n_act]
        for t in acts + oouts:
            ty = sg.Tensors(t).Type()
            if ty != T_INT8:
                fail(f"tensor '{tname(t)}' is {TYPE_NAMES.get(ty, ty)}; only int8 models "
                     "(int8 activations, int8 weights, int32 biases) are supported")
        ops.append((i, op, code, name, fail, acts, oouts[0], oins))

    # Pass 2: execution order (stable topological sort on activation tensors).
    writer = {}
    for (i, _op, _opcode, _name, fail, _acts, out, _oins) in ops:
        if out in writer:
            fail(f"writes tensor '{tname(out)}', which operator {writer[out]} also writes")
        if out == ins[0]:
            fail(f"writes the graph input '{tname(out)}'")
        writer[out] = i
    for (_i, _op, _opcode, _name, fail, acts, _out, _oins) in ops:
        for t in acts:
            if t != ins[0] and t not in writer:
                if const(t) is not None:
                    fail(f"activation input '{tname(t)}' is a constant tensor; only the graph "
                         "input and operator outputs may be activations")
                fail(f"reads tensor '{tname(t)}' before any operator writes it (no operator "
                     "writes it and it is not the graph input)")
    done = {ins[0]}
    order = []
    pending = list(ops)
    while pending:
        for j, o in enumerate(pending):
            if all(t in done for t in o[5]):
                order.append(o)
                done.add(o[6])
                del pending[j]
                break
        else:
            o = pending[0]
            o[4]("the graph's operators cannot be put in an execution order (a cycle through "
                 f"tensor(s) {', '.join(repr(tname(t)) for t in o[5] if t not in done)})")
    if order[-1][6] != outs[0]:
        o = order[-1]
        o[4](f"is the last operator in execution order but writes '{tname(o[6])}', not the "
             f"graph output '{tname(outs[0])}' (a graph whose output is not written last is not "
             "supported)")

    # Pass 3: tensors and nodes.
    tid = {}
    tensors = []

    def tensor_for(ti, fail):
        if ti in tid:
            return tid[ti]
        t = sg.Tensors(ti)
        shp = _shape(t)
        if len(shp) == 0 or len(shp) > 4:
            fail(f"tensor '{tname(ti)}' has rank {len(shp)}; ranks 1 to 4 are supported")
        if len(shp) >= 2 and shp[0] != 1:
            fail(f"tensor '{tname(ti)}' has batch {shp[0]}; only batch 1 is supported")
        if any(d < 1 for d in shp):
            fail(f"tensor '{tname(ti)}' has shape {shp}")
        dims = shp[1:] if len(shp) >= 2 else shp
        dims = [1] * (3 - len(dims)) + dims
        sc, zp, _ = _quant(t)
        if sc is None:
            fail(f"tensor '{tname(ti)}' has no quantization parameters")
        if sc.size != 1 or zp.size != 1:
            fail(f"activation tensor '{tname(ti)}' is quantized per channel; only per-tensor "
                 "activations are supported")
        s = float(sc[0])
        if not (math.isfinite(s) and s > 0):
            fail(f"tensor '{tname(ti)}' has scale {s}")
        if not -128 <= int(zp[0]) <= 127:
            fail(f"tensor '{tname(ti)}' has zero point {int(zp[0])}")
        tid[ti] = len(tensors)
        tensors.append(gf.Tensor(dims[0], dims[1], dims[2], int(zp[0]), s))
        return tid[ti]

    def input_fail(why):
        raise TFLiteImportError(f"{path}: graph input: {why}")

    tensor_for(ins[0], input_fail)

    nodes = []
    for (i, op, code, _name, fail, acts, out, oins) in order:
        a = [tensor_for(t, fail) for t in acts]
        o = tensor_for(out, fail)
        nd = gf.Node(op=SUPPORTED[code], in0=a[0], out=o, src_index=i)
        if code == BOP.ADD:
            nd.in1 = a[1]
        ti, to = tensors[a[0]], tensors[o]
        try:
            _fill(nd, code, op, oins, sg, m, const, tname, ti, to, tensors, a, fail)
        except ValueError as e:
            if isinstance(e, TFLiteImportError):
                raise
            fail(str(e))
        nodes.append(nd)
    g = gf.Graph(tensors, nodes)
    g.src_tensors = {v: k for k, v in tid.items()}   # graph tensor id -> TFLite tensor index
    def check_fail(msg, where):
        if where.startswith("node "):
            j = int(where.split()[1])
            nd = nodes[j]
            code = next(o[2] for o in order if o[0] == nd.src_index)
            raise TFLiteImportError(f"{path}: operator {nd.src_index} ({M.opname(code)}): {msg}")
        raise TFLiteImportError(f"{path}: {msg}")

    gf.check_graph(g, check_fail)
    return g


def _options(op, cls):
    o = cls()
    tab = op.BuiltinOptions()
    if tab is None:
        return None
    o.Init(tab.Bytes, tab.Pos)
    return o


def _fill(nd, code, op, oins, sg, m, const, tname, ti, to, tensors, a, fail):
    if code in (BOP.FULLY_CONNECTED, BOP.CONV_2D, BOP.DEPTHWISE_CONV_2D):
        _fill_chip(nd, code, op, oins, sg, const, tname, ti, to, fail)
    elif code == BOP.ADD:
        opt = _options(op, tflite.AddOptions)
        act = opt.FusedActivationFunction() if opt else 0
        t1 = tensors[a[1]]
        if not ti.shape == t1.shape == to.shape:
            fail(f"input shapes {ti.shape} and {t1.shape} -> {to.shape}: broadcasting is not "
                 "supported, the inputs and the output must have the same shape")
        nd.act_min, nd.act_max = _act(act, to, fail)
        nd.p = add_params(ti.scale, t1.scale, to.scale)
    elif code in (BOP.AVERAGE_POOL_2D, BOP.MAX_POOL_2D):
        opt = _options(op, tflite.Pool2DOptions)
        if opt is None:
            fail("missing Pool2DOptions")
        kh, kw = opt.FilterHeight(), opt.FilterWidth()
        sh, sw = opt.StrideH(), opt.StrideW()
        if min(kh, kw, sh, sw) < 1:
            fail(f"window {kh}x{kw}, stride {sh}x{sw} must be >= 1")
        if ti.zero_point != to.zero_point:
            fail(f"input zero point {ti.zero_point} differs from the output's {to.zero_point} "
                 "(int8 pooling does not requantize)")
        if ti.c != to.c:
            fail(f"channels {ti.c} -> {to.c}")
        _window(nd, opt.Padding(), ti, to, kh, kw, sh, sw, fail)
        nd.act_min, nd.act_max = _act(opt.FusedActivationFunction(), to, fail)
    elif code == BOP.RESHAPE:
        if ti.size != to.size:
            fail(f"{ti.size} elements -> {to.size}")
        if ti.zero_point != to.zero_point or np.float32(ti.scale) != np.float32(to.scale):
            fail(f"input (zero point {ti.zero_point}, scale {ti.scale}) and output (zero point "
                 f"{to.zero_point}, scale {to.scale}) quantization differ; TFLite's RESHAPE "
                 "copies bytes, so they must be equal")
    elif code == BOP.SOFTMAX:
        opt = _options(op, tflite.SoftmaxOptions)
        beta = opt.Beta() if opt else 1.0
        if ti.shape != to.shape:
            fail(f"shape {ti.shape} -> {to.shape}")
        if to.zero_point != -128 or abs(to.scale - 1.0 / 256) > 0.001 / 256:
            fail(f"output zero point {to.zero_point} and scale {to.scale}: TFLite requires -128 "
                 "and 1/256")
        if not (math.isfinite(beta) and beta > 0):
            fail(f"beta {beta} must be finite and > 0")
        nd.p = softmax_params(beta, ti.scale) + [0, 0, 0, 0]


def _act(act, to, fail):
    try:
        return activation_range(act, to.scale, to.zero_point)
    except ValueError:
        fail(f"fused activation {ACT_NAMES.get(act, act)} is not supported (NONE, RELU, RELU6 "
             "are)")


def _window(nd, padding, ti, to, kh, kw, sh, sw, fail):
    if min(kh, kw, sh, sw) < 1:
        fail(f"window {kh}x{kw}, stride {sh}x{sw} must be >= 1")
    if padding not in (tflite.Padding.SAME, tflite.Padding.VALID):
        fail(f"padding {padding} is neither SAME nor VALID")
    oh, ow = out_size(padding, ti.h, kh, sh), out_size(padding, ti.w, kw, sw)
    if (oh, ow) != (to.h, to.w):
        fail(f"output is {to.h}x{to.w} but TFLite's {'SAME' if padding == 0 else 'VALID'} rule "
             f"gives {oh}x{ow} for input {ti.h}x{ti.w}, window {kh}x{kw}, stride {sh}x{sw}")
    if oh < 1 or ow < 1:
        fail(f"window {kh}x{kw} larger than the input {ti.h}x{ti.w}")
    nd.kh, nd.kw, nd.stride_h, nd.stride_w = kh, kw, sh, sw
    nd.pad_top = pad_before(ti.h, kh, sh, oh)
    nd.pad_left = pad_before(ti.w, kw, sw, ow)


def _fill_chip(nd, code, op, oins, sg, const, tname, ti, to, fail):
    if len(oins) < 2 or oins[1] < 0:
        fail("no weight tensor")
    wi = oins[1]
    wt = sg.Tensors(wi)
    wdata = const(wi)
    if wdata is None:
        fail(f"weights '{tname(wi)}' are not a constant tensor")
    if wt.Type() != T_INT8:
        fail(f"weights '{tname(wi)}' are {TYPE_NAMES.get(wt.Type(), wt.Type())}; int8 required")
    wshape = _shape(wt)
    w = np.frombuffer(wdata, np.int8)
    if w.size != int(np.prod(wshape)):
        fail(f"weights '{tname(wi)}' have {w.size} bytes for shape {wshape}")
    w = w.reshape(wshape)
    wsc, wzp, qdim = _quant(wt)
    if wsc is None:
        fail(f"weights '{tname(wi)}' have no quantization parameters")
    if np.any(wzp != 0):
        fail(f"weights '{tname(wi)}' have a non-zero zero point ({int(wzp[wzp != 0][0])}); "
             "TFLite int8 weights are symmetric")
    if np.any(w == -128):
        idx = np.unravel_index(int(np.flatnonzero(w.reshape(-1) == -128)[0]), w.shape)
        fail(f"weights '{tname(wi)}' contain -128 at {list(map(int, idx))}; the chip's weights "
             "are in [-127, 127] (TFLite's int8 weight range)")
    if not np.all(np.isfinite(wsc)) or np.any(wsc <= 0):
        fail(f"weights '{tname(wi)}' have a non-positive or non-finite scale")

    if code == BOP.FULLY_CONNECTED:
        opt = _options(op, tflite.FullyConnectedOptions)
        act = opt.FusedActivationFunction() if opt else 0
        if opt and opt.WeightsFormat() != 0:
            fail("shuffled weights format is not supported")
        if len(wshape) != 2:
            fail(f"weights shape {wshape}, expected [N, K]")
        n, k = wshape
        if ti.size != k:
            fail(f"input has {ti.size} values but the weights have K = {k} (batch 1 only)")
        if to.size != n:
            fail(f"output has {to.size} values but the weights have N = {n}")
        to.h, to.w, to.c = 1, 1, n          # FC output as a vector
        per_channel = wsc.size > 1
        if per_channel and (wsc.size != n or qdim != 0):
            fail(f"weights have {wsc.size} scales on dimension {qdim}; expected 1 or {n} on 0")
        wmat = w
        nd.k, nd.n = k, n
    elif code == BOP.CONV_2D:
        opt = _options(op, tflite.Conv2DOptions)
        if opt is None:
            fail("missing Conv2DOptions")
        act = opt.FusedActivationFunction()
        if opt.DilationHFactor() != 1 or opt.DilationWFactor() != 1:
            fail(f"dilation {opt.DilationHFactor()}x{opt.DilationWFactor()} is not supported "
                 "(only 1)")
        if len(wshape) != 4:
            fail(f"weights shape {wshape}, expected [O, KH, KW, I]")
        n, kh, kw, cin = wshape
        if cin != ti.c:
            fail(f"weights have {cin} input channels but the input has {ti.c} (grouped "
                 "convolution is not supported)")
        if to.c != n:
            fail(f"output has {to.c} channels but the weights {n}")
        _window(nd, opt.Padding(), ti, to, kh, kw, opt.StrideH(), opt.StrideW(), fail)
        per_channel = wsc.size > 1
        if per_channel and (wsc.size != n or qdim != 0):
            fail(f"weights have {wsc.size} scales on dimension {qdim}; expected 1 or {n} on 0")
        wmat = w.reshape(n, kh * kw * cin)            # W[n][(dy*kw + dx)*in_c + ci]
        nd.k, nd.n = kh * kw * cin, n
        per_channel = True                            # Populate... is used either way
    else:
        opt = _options(op, tflite.DepthwiseConv2DOptions)
        if opt is None:
            fail("missing DepthwiseConv2DOptions")
        act = opt.FusedActivationFunction()
        if opt.DilationHFactor() != 1 or opt.DilationWFactor() != 1:
            fail(f"dilation {opt.DilationHFactor()}x{opt.DilationWFactor()} is not supported "
                 "(only 1)")
        if len(wshape) != 4 or wshape[0] != 1:
            fail(f"weights shape {wshape}, expected [1, KH, KW, C]")
        _, kh, kw, cout = wshape
        dm = opt.DepthMultiplier()
        if cout != ti.c or dm not in (0, 1):
            mult = cout // ti.c if ti.c and cout % ti.c == 0 else f"{cout}/{ti.c}"
            fail(f"depth multiplier {dm if dm not in (0, 1) else mult} is not supported (only 1: "
                 f"{ti.c} input channels, {cout} output channels)")
        if to.c != cout:
            fail(f"output has {to.c} channels, weights {cout}")
        _window(nd, opt.Padding(), ti, to, kh, kw, opt.StrideH(), opt.StrideW(), fail)
        if wsc.size > 1 and (wsc.size != cout or qdim != 3):
            fail(f"weights have {wsc.size} scales on dimension {qdim}; expected 1 or {cout} on 3")
        wmat = w.reshape(kh * kw, cout).T             # W[c][dy*kw + dx]
        nd.k, nd.n = kh * kw, cout
        per_channel = True
    n = nd.n

    # bias
    bias = np.zeros(n, np.int64)
    if len(oins) > 2 and oins[2] >= 0:
        bt = sg.Tensors(oins[2])
        if bt.Type() != T_INT32:
            fail(f"bias '{tname(oins[2])}' is {TYPE_NAMES.get(bt.Type(), bt.Type())}; int32 "
                 "required")
        bd = const(oins[2])
        if bd is None:
            fail(f"bias '{tname(oins[2])}' is not a constant tensor")
        b = np.frombuffer(bd, "<i4")
        if b.size != n:
            fail(f"bias has {b.size} values, expected {n}")
        bias = b.astype(np.int64)

    scales = wsc if wsc.size > 1 else np.repeat(wsc, n)
    mult = np.zeros(n, np.int64)
    shift = np.zeros(n, np.int64)
    for c in range(n):
        if per_channel:
            real = conv_channel_real(ti.scale, scales[c], to.scale)
        else:
            real = fc_per_tensor_real(ti.scale, scales[c], to.scale)
        try:
            mult[c], shift[c] = quantize_multiplier(real)
        except ValueError as e:
            fail(f"channel {c}: {e}")
        if shift[c] > 30:
            fail(f"channel {c}: requantization multiplier {real} needs shift {shift[c]} > 30")
    nd.w = np.ascontiguousarray(wmat).astype(np.int8)
    nd.bias, nd.mult, nd.shift = bias, mult, shift
    if code == BOP.FULLY_CONNECTED:
        nd.eff_scale = np.array([conv_channel_real(ti.scale, scales[c], to.scale)
                                 for c in range(n)], np.float64)
    nd.act_min, nd.act_max = _act(act, to, fail)
    nd.adc_shift = 0


def describe(g: gf.Graph) -> str:
    lines = [f"{len(g.nodes)} nodes, {len(g.tensors)} tensors, input {g.tensors[0].shape} "
             f"(zero point {g.tensors[0].zero_point}, scale {g.tensors[0].scale:.6g}), output "
             f"{g.tensors[g.output].shape}"]
    for j, nd in enumerate(g.nodes):
        t_in, t_out = g.tensors[nd.in0], g.tensors[nd.out]
        s = f"  node {j:3d} {nd.name:8s} {t_in.shape} -> {t_out.shape}"
        if nd.op in gf.WINDOW_OPS:
            s += f" k {nd.kh}x{nd.kw} s {nd.stride_h}x{nd.stride_w} pad {nd.pad_top},{nd.pad_left}"
        if nd.op in gf.CHIP_OPS:
            s += f" k={nd.k} n={nd.n} shift {int(nd.shift.min())}..{int(nd.shift.max())}"
        if nd.op in gf.CLAMP_OPS:
            s += f" clamp [{nd.act_min}, {nd.act_max}]"
        lines.append(s)
    return "\n".join(lines)


def import_to_file(model: str, out: str) -> gf.Graph:
    """Import model and write out (atomically; nothing is written on an error)."""
    if os.path.exists(out) and os.path.exists(model) and os.path.samefile(model, out):
        raise TFLiteImportError(f"output {out} is the input model")
    g = import_model(model)
    gf.write_graph(out, g, src=model)
    return g
