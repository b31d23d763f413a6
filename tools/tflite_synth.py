#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic int8 TFLite models for the importer's generality and error tests.

Builds TFLite flatbuffers with the `flatbuffers` builder and the generated builder functions of
the PyPI `tflite` package (schema v3, file identifier TFL3): random seeded graphs of CONV (SAME
and VALID, strides 1 to 3), DEPTHWISE_CONV (depth multiplier 1), ADD residuals, average and max
pooling, RESHAPE, FULLY_CONNECTED and SOFTMAX, with fused NONE / RELU / RELU6, per-channel int8
weights, int32 biases and asymmetric int8 activations; and invalid models, one per importer error.

  tools/tflite_synth.py --seed 3 -o m.tflite                 a random valid model
  tools/tflite_synth.py --arch resnet --seed 1 -o r.tflite   a larger ResNet / MobileNet / DS-CNN
  tools/tflite_synth.py --invalid mul -o bad.tflite          an invalid model (--list: the kinds)

Exit 0 ok, 2 usage error.
"""

from __future__ import annotations

import argparse
import math
import sys

import flatbuffers
import numpy as np
import tflite

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
from kirchhoff import atomic

BOP = tflite.BuiltinOperator
OPT = tflite.BuiltinOptions
ACT = tflite.ActivationFunctionType
PAD = tflite.Padding
TT = tflite.TensorType


class ModelBuilder:
    """Collects tensors, buffers and operators of one subgraph (or more) and serializes them."""

    def __init__(self):
        self.buffers = [b""]           # buffer 0: the empty buffer, by convention
        self.tensors = []              # dicts: name, shape, type, buffer, scale, zp, qdim
        self.opcodes = []              # builtin codes
        self.ops = []                  # (opcode index, inputs, outputs, options type, options fn)
        self.extra_subgraphs = 0

    # tensors
    def tensor(self, shape, ttype=TT.INT8, scale=None, zp=None, qdim=0, data=None, name=None):
        buf = 0
        if data is not None:
            self.buffers.append(bytes(data))
            buf = len(self.buffers) - 1
        self.tensors.append(dict(name=name or f"t{len(self.tensors)}", shape=list(shape),
                                 type=ttype, buffer=buf, scale=scale, zp=zp, qdim=qdim))
        return len(self.tensors) - 1

    def act(self, shape, scale, zp, name=None):
        return self.tensor(shape, TT.INT8, [float(scale)], [int(zp)], name=name)

    def op(self, code, inputs, outputs, opt_type=OPT.NONE, opt_fn=None):
        if code not in self.opcodes:
            self.opcodes.append(code)
        self.ops.append((self.opcodes.index(code), list(inputs), list(outputs), opt_type, opt_fn))

    # serialization
    def build(self, inputs, outputs) -> bytes:
        b = flatbuffers.Builder(1024)

        def ivec(start_fn, vals, dtype=np.int32):
            return b.CreateNumpyVector(np.asarray(vals, dtype=dtype))

        # buffers (data 16-byte aligned)
        buf_offs = []
        for data in self.buffers:
            if data:
                b.StartVector(1, len(data), 16)
                b.head = b.Head() - len(data)
                b.Bytes[b.Head():b.Head() + len(data)] = data
                b.vectorNumElems = len(data)
                dv = b.EndVector()
                tflite.BufferStart(b)
                tflite.BufferAddData(b, dv)
            else:
                tflite.BufferStart(b)
            buf_offs.append(tflite.BufferEnd(b))
        # tensors
        t_offs = []
        for t in self.tensors:
            name = b.CreateString(t["name"])
            shape = ivec(None, t["shape"])
            q = None
            if t["scale"] is not None:
                sc = b.CreateNumpyVector(np.asarray(t["scale"], np.float32))
                zp = b.CreateNumpyVector(np.asarray(t["zp"], np.int64))
                tflite.QuantizationParametersStart(b)
                tflite.QuantizationParametersAddScale(b, sc)
                tflite.QuantizationParametersAddZeroPoint(b, zp)
                tflite.QuantizationParametersAddQuantizedDimension(b, t["qdim"])
                q = tflite.QuantizationParametersEnd(b)
            tflite.TensorStart(b)
            tflite.TensorAddShape(b, shape)
            tflite.TensorAddType(b, t["type"])
            tflite.TensorAddBuffer(b, t["buffer"])
            tflite.TensorAddName(b, name)
            if q is not None:
                tflite.TensorAddQuantization(b, q)
            t_offs.append(tflite.TensorEnd(b))
        # operators
        op_offs = []
        for (oc, ins, outs, opt_type, opt_fn) in self.ops:
            opt = opt_fn(b) if opt_fn else None
            iv = ivec(None, ins)
            ov = ivec(None, outs)
            tflite.OperatorStart(b)
            tflite.OperatorAddOpcodeIndex(b, oc)
            tflite.OperatorAddInputs(b, iv)
            tflite.OperatorAddOutputs(b, ov)
            if opt is not None:
                tflite.OperatorAddBuiltinOptionsType(b, opt_type)
                tflite.OperatorAddBuiltinOptions(b, opt)
            op_offs.append(tflite.OperatorEnd(b))

        def vec_of(offs, start_fn):
            start_fn(b, len(offs))
            for o in reversed(offs):
                b.PrependUOffsetTRelative(o)
            return b.EndVector()

        sgs = []
        for _ in range(1 + self.extra_subgraphs):
            tv = vec_of(t_offs, tflite.SubGraphStartTensorsVector)
            iv = ivec(None, inputs)
            ov = ivec(None, outputs)
            opv = vec_of(op_offs, tflite.SubGraphStartOperatorsVector)
            nm = b.CreateString("main")
            tflite.SubGraphStart(b)
            tflite.SubGraphAddTensors(b, tv)
            tflite.SubGraphAddInputs(b, iv)
            tflite.SubGraphAddOutputs(b, ov)
            tflite.SubGraphAddOperators(b, opv)
            tflite.SubGraphAddName(b, nm)
            sgs.append(tflite.SubGraphEnd(b))
        oc_offs = []
        for code in self.opcodes:
            tflite.OperatorCodeStart(b)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
            tflite.OperatorCodeAddBuiltinCode(b, code)
            tflite.OperatorCodeAddVersion(b, 1)
            oc_offs.append(tflite.OperatorCodeEnd(b))
        ocv = vec_of(oc_offs, tflite.ModelStartOperatorCodesVector)
        sgv = vec_of(sgs, tflite.ModelStartSubgraphsVector)
        bv = vec_of(buf_offs, tflite.ModelStartBuffersVector)
        desc = b.CreateString("kirchhoff tools/tflite_synth.py")
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, 3)
        tflite.ModelAddOperatorCodes(b, ocv)
        tflite.ModelAddSubgraphs(b, sgv)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, bv)
        m = tflite.ModelEnd(b)
        b.Finish(m, file_identifier=b"TFL3")
        return bytes(b.Output())


# ---- options ---------------------------------------------------------------------------------

def conv_opts(padding, sh, sw, act, dil=1):
    def f(b):
        tflite.Conv2DOptionsStart(b)
        tflite.Conv2DOptionsAddPadding(b, padding)
        tflite.Conv2DOptionsAddStrideH(b, sh)
        tflite.Conv2DOptionsAddStrideW(b, sw)
        tflite.Conv2DOptionsAddFusedActivationFunction(b, act)
        tflite.Conv2DOptionsAddDilationHFactor(b, dil)
        tflite.Conv2DOptionsAddDilationWFactor(b, dil)
        return tflite.Conv2DOptionsEnd(b)
    return f


def dw_opts(padding, sh, sw, act, mult=1):
    def f(b):
        tflite.DepthwiseConv2DOptionsStart(b)
        tflite.DepthwiseConv2DOptionsAddPadding(b, padding)
        tflite.DepthwiseConv2DOptionsAddStrideH(b, sh)
        tflite.DepthwiseConv2DOptionsAddStrideW(b, sw)
        tflite.DepthwiseConv2DOptionsAddDepthMultiplier(b, mult)
        tflite.DepthwiseConv2DOptionsAddFusedActivationFunction(b, act)
        tflite.DepthwiseConv2DOptionsAddDilationHFactor(b, 1)
        tflite.DepthwiseConv2DOptionsAddDilationWFactor(b, 1)
        return tflite.DepthwiseConv2DOptionsEnd(b)
    return f


def pool_opts(padding, sh, sw, kh, kw, act):
    def f(b):
        tflite.Pool2DOptionsStart(b)
        tflite.Pool2DOptionsAddPadding(b, padding)
        tflite.Pool2DOptionsAddStrideH(b, sh)
        tflite.Pool2DOptionsAddStrideW(b, sw)
        tflite.Pool2DOptionsAddFilterHeight(b, kh)
        tflite.Pool2DOptionsAddFilterWidth(b, kw)
        tflite.Pool2DOptionsAddFusedActivationFunction(b, act)
        return tflite.Pool2DOptionsEnd(b)
    return f


def fc_opts(act):
    def f(b):
        tflite.FullyConnectedOptionsStart(b)
        tflite.FullyConnectedOptionsAddFusedActivationFunction(b, act)
        return tflite.FullyConnectedOptionsEnd(b)
    return f


def add_opts(act):
    def f(b):
        tflite.AddOptionsStart(b)
        tflite.AddOptionsAddFusedActivationFunction(b, act)
        return tflite.AddOptionsEnd(b)
    return f


def mul_opts(act):
    def f(b):
        tflite.MulOptionsStart(b)
        tflite.MulOptionsAddFusedActivationFunction(b, act)
        return tflite.MulOptionsEnd(b)
    return f


def concat_opts(axis):
    def f(b):
        tflite.ConcatenationOptionsStart(b)
        tflite.ConcatenationOptionsAddAxis(b, axis)
        return tflite.ConcatenationOptionsEnd(b)
    return f


def softmax_opts(beta):
    def f(b):
        tflite.SoftmaxOptionsStart(b)
        tflite.SoftmaxOptionsAddBeta(b, beta)
        return tflite.SoftmaxOptionsEnd(b)
    return f


def reshape_opts(shape):
    def f(b):
        v = b.CreateNumpyVector(np.asarray(shape, np.int32))
        tflite.ReshapeOptionsStart(b)
        tflite.ReshapeOptionsAddNewShape(b, v)
        return tflite.ReshapeOptionsEnd(b)
    return f


# ---- a random network ------------------------------------------------------------------------

def out_size(padding, n, k, s):
    return (n + s - 1) // s if padding == PAD.SAME else (n + s - k) // s


class Net:
    """Layer helpers on a ModelBuilder: each returns the output (tensor index, shape, scale, zp).
    Output scales are set from the expected spread of the accumulator so that outputs use a good
    part of the int8 range (a model that saturates everywhere tests little)."""

    def __init__(self, rng, mb: ModelBuilder):
        self.rng = rng
        self.mb = mb

    def _zp(self, act):
        r = self.rng
        if act != ACT.NONE and r.random() < 0.5:
            return -128
        return int(r.integers(-40, 41))

    def _relu6_scale(self, act, s_out, zp):
        """RELU6 outputs as the converters write them: scale about 6/255, zero point -128."""
        if act == ACT.RELU6:
            return float(np.float32(6.0 / 255 * self.rng.uniform(0.8, 1.3))), -128
        return s_out, zp

    def _act(self):
        return [ACT.NONE, ACT.RELU, ACT.RELU6][int(self.rng.integers(0, 3))]

    def _weights(self, shape, n_out, qdim, w_min=-127):
        r = self.rng
        w = r.integers(w_min, 128, size=shape).astype(np.int8)
        if w_min == -128:
            w.reshape(-1)[w.size // 2] = -128          # at least one
        sw = (r.uniform(0.5, 1.5, n_out) * 0.01).astype(np.float32)
        return w, sw

    def _bias(self, n, s_acc_std):
        return self.rng.integers(-int(s_acc_std), int(s_acc_std) + 1, n).astype("<i4")

    def _out_scale(self, s_in, sw, k):
        # |x - zp| ~ 74 (uniform int8), |w| ~ 73: acc std ~ sqrt(k) * 74 * 73 / 3
        spread = math.sqrt(k) * 74 * 73 / 3.0
        return float(np.float32(s_in * float(np.mean(sw)) * spread / 45.0))

    def conv(self, x, kh, kw, sh, sw, padding, cout, act=None, dil=1, w_min=-127, w_zp=None):
        t, (h, w, c), s_in, zp_in = x
        act = self._act() if act is None else act
        wq, wsc = self._weights((cout, kh, kw, c), cout, 0, w_min)
        k = kh * kw * c
        s_out, zp = self._relu6_scale(act, self._out_scale(s_in, wsc, k), self._zp(act))
        mb = self.mb
        wt = mb.tensor([cout, kh, kw, c], TT.INT8, wsc.tolist(),
                       w_zp if w_zp is not None else [0] * cout, 0, wq.tobytes())
        bt = mb.tensor([cout], TT.INT32, (wsc * np.float32(s_in)).tolist(), [0] * cout, 0,
                       self._bias(cout, math.sqrt(k) * 74 * 73 / 3).tobytes())
        oh, ow = out_size(padding, h, (kh - 1) * dil + 1, sh), out_size(padding, w,
                                                                     (kw - 1) * dil + 1, sw)
        o = mb.act([1, oh, ow, cout], s_out, zp)
        mb.op(BOP.CONV_2D, [t, wt, bt], [o], OPT.Conv2DOptions, conv_opts(padding, sh, sw, act,
                                                                          dil))
        return o, (oh, ow, cout), s_out, zp

    def dwconv(self, x, kh, kw, sh, sw, padding, act=None, mult=1):
        t, (h, w, c), s_in, zp_in = x
        act = self._act() if act is None else act
        cout = c * mult
        wq, wsc = self._weights((1, kh, kw, cout), cout, 3)
        s_out, zp = self._relu6_scale(act, self._out_scale(s_in, wsc, kh * kw), self._zp(act))
        mb = self.mb
        wt = mb.tensor([1, kh, kw, cout], TT.INT8, wsc.tolist(), [0] * cout, 3, wq.tobytes())
        bt = mb.tensor([cout], TT.INT32, (wsc * np.float32(s_in)).tolist(), [0] * cout, 0,
                       self._bias(cout, math.sqrt(kh * kw) * 74 * 73 / 3).tobytes())
        oh, ow = out_size(padding, h, kh, sh), out_size(padding, w, kw, sw)
        o = mb.act([1, oh, ow, cout], s_out, zp)
        mb.op(BOP.DEPTHWISE_CONV_2D, [t, wt, bt], [o], OPT.DepthwiseConv2DOptions,
              dw_opts(padding, sh, sw, act, mult))
        return o, (oh, ow, cout), s_out, zp

    def add(self, a, b, act=None):
        act = self._act() if act is None else act
        s_out = float(np.float32(max(a[2], b[2]) * self.rng.uniform(1.0, 2.0)))
        s_out, zp = self._relu6_scale(act, s_out, self._zp(act))
        o = self.mb.act([1, *a[1]], s_out, zp)
        self.mb.op(BOP.ADD, [a[0], b[0]], [o], OPT.AddOptions, add_opts(act))
        return o, a[1], s_out, zp

    def pool(self, x, kind, kh, kw, sh, sw, padding, act=None):
        t, (h, w, c), s, zp = x
        act = self._act() if act is None else act
        oh, ow = out_size(padding, h, kh, sh), out_size(padding, w, kw, sw)
        o = self.mb.act([1, oh, ow, c], s, zp)
        self.mb.op(kind, [t], [o], OPT.Pool2DOptions, pool_opts(padding, sh, sw, kh, kw, act))
        return o, (oh, ow, c), s, zp

    def reshape(self, x):
        t, (h, w, c), s, zp = x
        n = h * w * c
        st = self.mb.tensor([2], TT.INT32, data=np.array([1, n], "<i4").tobytes())
        o = self.mb.act([1, n], s, zp)
        self.mb.op(BOP.RESHAPE, [t, st], [o], OPT.ReshapeOptions, reshape_opts([1, n]))
        return o, (1, 1, n), s, zp

    def fc(self, x, n, act=None, per_channel=False, s_out=None):
        """s_out: force the output scale (weights scaled to keep the int8 spread), e.g. logits
        of a softmax in a range where its arithmetic is exercised, not saturated."""
        t, shp, s_in, zp_in = x
        act = self._act() if act is None else act
        k = shp[0] * shp[1] * shp[2]
        wq, wsc = self._weights((n, k), n, 0)
        if s_out is not None:
            spread = math.sqrt(k) * 74 * 73 / 3.0
            wsc = (wsc / np.float32(0.01) * np.float32(s_out * 45.0 / (s_in * spread)))
            wsc = wsc.astype(np.float32)
        if not per_channel:
            wsc = wsc[:1]
        if s_out is None:
            s_out = self._out_scale(s_in, wsc, k)
            s_out, zp = self._relu6_scale(act, s_out, self._zp(act))
        else:
            s_out, zp = float(np.float32(s_out)), self._zp(act)
        mb = self.mb
        wt = mb.tensor([n, k], TT.INT8, wsc.tolist(), [0] * wsc.size, 0, wq.tobytes())
        bs = np.float32(s_in) * wsc
        bt = mb.tensor([n], TT.INT32, bs.tolist(), [0] * bs.size, 0,
                       self._bias(n, math.sqrt(k) * 74 * 73 / 3).tobytes())
        o = mb.act([1, n], s_out, zp)
        mb.op(BOP.FULLY_CONNECTED, [t, wt, bt], [o], OPT.FullyConnectedOptions, fc_opts(act))
        return o, (1, 1, n), s_out, zp

    def softmax(self, x, beta=1.0):
        t, shp, s, zp = x
        o = self.mb.act([1, shp[2]], 1.0 / 256, -128)
        self.mb.op(BOP.SOFTMAX, [t], [o], OPT.SoftmaxOptions, softmax_opts(beta))
        return o, shp, 1.0 / 256, -128


def random_model(seed: int) -> bytes:
    """A random valid int8 CNN: stem conv, 1..3 blocks (conv, depthwise, residual add, pool),
    reshape, 1..2 FC, softmax (or not)."""
    r = np.random.default_rng(seed)
    mb = ModelBuilder()
    net = Net(r, mb)
    h, w, c = int(r.integers(6, 17)), int(r.integers(6, 17)), int(r.integers(1, 5))
    s_in = float(np.float32(r.uniform(0.01, 1.0)))
    zp_in = int(r.integers(-128, 128))
    x0 = mb.act([1, h, w, c], s_in, zp_in, name="input")
    x = (x0, (h, w, c), s_in, zp_in)
    pads = [PAD.SAME, PAD.VALID]
    k = int(r.integers(1, 4))
    x = net.conv(x, k, int(r.integers(1, 4)), int(r.integers(1, 3)), int(r.integers(1, 3)),
                 pads[int(r.integers(0, 2))], int(r.integers(4, 13)))
    for _ in range(int(r.integers(1, 4))):
        kind = int(r.integers(0, 4))
        _, (hh, ww, cc), _, _ = x
        if kind == 0 and min(hh, ww) >= 3:
            x = net.conv(x, int(r.integers(1, 4)), int(r.integers(1, 4)), int(r.integers(1, 4)),
                         int(r.integers(1, 3)), pads[int(r.integers(0, 2))],
                         int(r.integers(4, 17)))
        elif kind == 1 and min(hh, ww) >= 3:
            x = net.dwconv(x, 3, 3, int(r.integers(1, 3)), int(r.integers(1, 3)),
                           pads[int(r.integers(0, 2))])
        elif kind == 2:
            y = net.conv(x, 3, 3, 1, 1, PAD.SAME, cc)
            y = net.conv(y, 1, 1, 1, 1, PAD.SAME, cc, act=ACT.NONE)
            x = net.add(x, y) if r.random() < 0.5 else net.add(y, x)
        elif min(hh, ww) >= 2:
            kp = int(r.integers(2, 4))
            x = net.pool(x, BOP.AVERAGE_POOL_2D if r.random() < 0.5 else BOP.MAX_POOL_2D,
                         min(kp, hh), min(kp, ww), int(r.integers(1, 3)), int(r.integers(1, 3)),
                         pads[int(r.integers(0, 2))])
    x = net.reshape(x)
    if r.random() < 0.5:
        x = net.fc(x, int(r.integers(8, 33)), per_channel=bool(r.random() < 0.5))
    soft = r.random() < 0.75
    x = net.fc(x, int(r.integers(2, 11)), act=ACT.NONE, per_channel=bool(r.random() < 0.5),
               s_out=float(r.uniform(0.02, 0.12)) if soft else None)
    if soft:
        x = net.softmax(x, beta=float(np.float32(r.uniform(0.5, 2.0))))
    return mb.build([x0], [x[0]])


def coverage_model(seed: int) -> bytes:
    """A fixed layer sequence with every supported feature (random weights and scales): CONV
    SAME stride 2, CONV VALID stride 3, DWCONV SAME stride 2, an ADD residual with RELU6, average
    and max pooling SAME stride 2 (windows cut by the border), per-channel FC with RELU, FC,
    SOFTMAX."""
    r = np.random.default_rng(seed)
    mb = ModelBuilder()
    net = Net(r, mb)
    x0 = mb.act([1, 23, 19, 3], 0.02, -128, name="input")
    x = (x0, (23, 19, 3), 0.02, -128)
    x = net.conv(x, 3, 3, 2, 2, PAD.SAME, 8, act=ACT.RELU)          # 12 x 10
    x = net.conv(x, 2, 3, 1, 3, PAD.VALID, 12, act=ACT.NONE)        # 11 x 3 (stride 3 in w)
    x = net.dwconv(x, 3, 3, 2, 2, PAD.SAME, act=ACT.RELU6)          # 6 x 2
    y = net.conv(x, 3, 3, 1, 1, PAD.SAME, 12, act=ACT.RELU)
    x = net.add(x, y, act=ACT.RELU6)
    x = net.pool(x, BOP.MAX_POOL_2D, 3, 2, 2, 2, PAD.SAME, act=ACT.NONE)       # 3 x 1
    x = net.pool(x, BOP.AVERAGE_POOL_2D, 2, 1, 2, 1, PAD.SAME, act=ACT.NONE)   # 2 x 1
    x = net.reshape(x)
    x = net.fc(x, 16, act=ACT.RELU, per_channel=True)
    x = net.fc(x, 6, act=ACT.NONE, s_out=0.05)
    x = net.softmax(x)
    return mb.build([x0], [x[0]])


def arch_model(arch: str, seed: int) -> bytes:
    """Larger networks of the MLPerf Tiny families with random weights, for "a model the tests
    never saw" (issue 15 acceptance): 'resnet' (ResNet-14 style, 32x32x3, 3 stages of 2 residual
    blocks, 1x1 projection shortcuts), 'mobilenet' (MobileNetV1 style, 64x64x3, 10 depthwise
    separable blocks, RELU6), 'dscnn' (DS-CNN style, 49x10x1, 5 depthwise separable blocks)."""
    r = np.random.default_rng(seed)
    mb = ModelBuilder()
    net = Net(r, mb)
    if arch == "resnet":
        x0 = mb.act([1, 32, 32, 3], 1.0, -128, name="input")
        x = net.conv((x0, (32, 32, 3), 1.0, -128), 3, 3, 1, 1, PAD.SAME, 16, act=ACT.RELU)
        for stage, ch in enumerate((16, 32, 64)):
            for blk in range(2):
                s = 2 if (stage > 0 and blk == 0) else 1
                y = net.conv(x, 3, 3, s, s, PAD.SAME, ch, act=ACT.RELU)
                y = net.conv(y, 3, 3, 1, 1, PAD.SAME, ch, act=ACT.NONE)
                sc = x if s == 1 and x[1][2] == ch else \
                    net.conv(x, 1, 1, s, s, PAD.SAME, ch, act=ACT.NONE)
                x = net.add(sc, y, act=ACT.RELU)
        h, w, _ = x[1]
        x = net.pool(x, BOP.AVERAGE_POOL_2D, h, w, 1, 1, PAD.VALID, act=ACT.NONE)
        x = net.reshape(x)
        x = net.fc(x, 10, act=ACT.NONE, s_out=0.08)
    elif arch == "mobilenet":
        x0 = mb.act([1, 64, 64, 3], 1.0 / 255, -128, name="input")
        x = net.conv((x0, (64, 64, 3), 1.0 / 255, -128), 3, 3, 2, 2, PAD.SAME, 8,
                     act=ACT.RELU6)
        for ch, s in ((16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1),
                      (128, 1), (256, 2), (256, 1)):
            x = net.dwconv(x, 3, 3, s, s, PAD.SAME, act=ACT.RELU6)
            x = net.conv(x, 1, 1, 1, 1, PAD.SAME, ch, act=ACT.RELU6)
        h, w, _ = x[1]
        x = net.pool(x, BOP.AVERAGE_POOL_2D, h, w, 1, 1, PAD.VALID, act=ACT.NONE)
        x = net.reshape(x)
        x = net.fc(x, 2, act=ACT.NONE, s_out=0.06)
    elif arch == "dscnn":
        x0 = mb.act([1, 49, 10, 1], 0.58, 83, name="input")
        x = net.conv((x0, (49, 10, 1), 0.58, 83), 10, 4, 2, 2, PAD.SAME, 64, act=ACT.RELU)
        for _ in range(5):
            x = net.dwconv(x, 3, 3, 1, 1, PAD.SAME, act=ACT.RELU)
            x = net.conv(x, 1, 1, 1, 1, PAD.SAME, 64, act=ACT.RELU)
        h, w, _ = x[1]
        x = net.pool(x, BOP.AVERAGE_POOL_2D, h, w, 1, 1, PAD.VALID, act=ACT.NONE)
        x = net.reshape(x)
        x = net.fc(x, 12, act=ACT.NONE, s_out=0.1)
    else:
        raise ValueError(f"unknown arch {arch!r} (resnet, mobilenet, dscnn)")
    x = net.softmax(x)
    return mb.build([x0], [x[0]])


ARCHS = ("resnet", "mobilenet", "dscnn")


def fc_probe_model(s_in, s_w, s_out, biases, zp_in=0, zp_out=0, weights=None) -> bytes:
    """One FULLY_CONNECTED, K = 1, per-tensor weight scale s_w, channel c = w[c] * (x - zp_in) +
    biases[c] (weights all 1 unless given): an input x then puts chosen accumulators in front of
    the requantization, to probe its rounding."""
    mb = ModelBuilder()
    n = len(biases)
    x0 = mb.act([1, 1], s_in, zp_in, name="input")
    w = np.ones((n, 1), np.int8) if weights is None else np.asarray(weights, np.int8).reshape(n, 1)
    wt = mb.tensor([n, 1], TT.INT8, [float(s_w)], [0], 0, w.tobytes())
    bt = mb.tensor([n], TT.INT32, [float(np.float32(s_in) * np.float32(s_w))], [0], 0,
                   np.asarray(biases, "<i4").tobytes())
    o = mb.act([1, n], s_out, zp_out)
    mb.op(BOP.FULLY_CONNECTED, [x0, wt, bt], [o], OPT.FullyConnectedOptions, fc_opts(ACT.NONE))
    return mb.build([x0], [o])


# ---- invalid models ---------------------------------------------------------------------------

def _base(seed=1, c=4, h=8, w=8):
    r = np.random.default_rng(seed)
    mb = ModelBuilder()
    net = Net(r, mb)
    x0 = mb.act([1, h, w, c], 0.05, -3, name="input")
    return mb, net, (x0, (h, w, c), 0.05, -3)


def invalid_model(kind: str) -> bytes:
    """A model the importer must reject; kind names the error (INVALID_KINDS)."""
    mb, net, x = _base()
    x0 = x[0]
    if kind == "mul":                  # unsupported operator (operator 1)
        y = net.conv(x, 3, 3, 1, 1, PAD.SAME, 4)
        o = mb.act([1, 8, 8, 4], 0.1, 0)
        mb.op(BOP.MUL, [x[0], y[0]], [o], OPT.MulOptions, mul_opts(ACT.NONE))
        return mb.build([x0], [o])
    if kind == "concat":               # unsupported operator (operator 1)
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        o = mb.act([1, 8, 8, 8], 0.1, 0)
        mb.op(BOP.CONCATENATION, [x[0], y[0]], [o], OPT.ConcatenationOptions, concat_opts(3))
        return mb.build([x0], [o])
    if kind == "float32":              # a float model: FC on float32 tensors (operator 0)
        mb2 = ModelBuilder()
        xi = mb2.tensor([1, 16], TT.FLOAT32, name="input")
        wt = mb2.tensor([4, 16], TT.FLOAT32, data=np.ones((4, 16), "<f4").tobytes())
        bt = mb2.tensor([4], TT.FLOAT32, data=np.zeros(4, "<f4").tobytes())
        o = mb2.tensor([1, 4], TT.FLOAT32)
        mb2.op(BOP.FULLY_CONNECTED, [xi, wt, bt], [o], OPT.FullyConnectedOptions,
               fc_opts(ACT.NONE))
        return mb2.build([xi], [o])
    if kind == "int16":                # int16 activations (operator 0)
        mb2 = ModelBuilder()
        xi = mb2.tensor([1, 16], TT.INT16, [0.01], [0], name="input")
        wt = mb2.tensor([4, 16], TT.INT8, [0.01], [0], 0, np.ones((4, 16), np.int8).tobytes())
        bt = mb2.tensor([4], TT.INT64, [0.0001], [0], 0, np.zeros(4, "<i8").tobytes())
        o = mb2.tensor([1, 4], TT.INT16, [0.01], [0])
        mb2.op(BOP.FULLY_CONNECTED, [xi, wt, bt], [o], OPT.FullyConnectedOptions,
               fc_opts(ACT.NONE))
        return mb2.build([xi], [o])
    if kind == "dilation":             # CONV with dilation 2 (operator 1)
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        y = net.conv(y, 3, 3, 1, 1, PAD.SAME, 4, dil=2)
        return mb.build([x0], [y[0]])
    if kind == "depth_multiplier":     # DEPTHWISE_CONV with depth multiplier 2 (operator 1)
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        y = net.dwconv(y, 3, 3, 1, 1, PAD.SAME, mult=2)
        return mb.build([x0], [y[0]])
    if kind == "weight_zero_point":    # per-channel weight zero points != 0 (operator 1)
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        y = net.conv(y, 3, 3, 1, 1, PAD.SAME, 4, w_zp=[0, 3, 0, 0])
        return mb.build([x0], [y[0]])
    if kind == "weight_-128":          # a weight of -128 (operator 1)
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        y = net.conv(y, 3, 3, 1, 1, PAD.SAME, 4, w_min=-128)
        return mb.build([x0], [y[0]])
    if kind == "two_subgraphs":
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        mb.extra_subgraphs = 1
        return mb.build([x0], [y[0]])
    if kind == "two_inputs":
        x1 = mb.act([1, 8, 8, 4], 0.05, 1, name="input2")
        y = net.add(x, (x1, (8, 8, 4), 0.05, 1))
        return mb.build([x0, x1], [y[0]])
    if kind == "two_outputs":
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        z = net.conv(y, 1, 1, 1, 1, PAD.SAME, 4)
        return mb.build([x0], [y[0], z[0]])
    if kind == "cycle":                # op 0 reads op 1's output, op 1 reads op 0's (operator 0)
        ta = mb.act([1, 8, 8, 4], 0.1, 0)
        tb = mb.act([1, 8, 8, 4], 0.1, 0)
        to = mb.act([1, 8, 8, 4], 0.1, 0)
        mb.op(BOP.ADD, [x0, tb], [ta], OPT.AddOptions, add_opts(ACT.NONE))
        mb.op(BOP.ADD, [x0, ta], [tb], OPT.AddOptions, add_opts(ACT.NONE))
        mb.op(BOP.ADD, [ta, tb], [to], OPT.AddOptions, add_opts(ACT.NONE))
        return mb.build([x0], [to])
    if kind == "read_before_write":    # operator 1 reads a tensor nobody writes
        y = net.conv(x, 1, 1, 1, 1, PAD.SAME, 4)
        ghost = mb.act([1, 8, 8, 4], 0.1, 0, name="ghost")
        o = mb.act([1, 8, 8, 4], 0.1, 0)
        mb.op(BOP.ADD, [y[0], ghost], [o], OPT.AddOptions, add_opts(ACT.NONE))
        return mb.build([x0], [o])
    if kind == "batch2":               # a graph input of batch 2
        mb2 = ModelBuilder()
        xi = mb2.act([2, 16], 0.05, 0, name="input")
        o = mb2.act([2, 16], 0.05, 0)
        mb2.op(BOP.RESHAPE, [xi], [o], OPT.ReshapeOptions, reshape_opts([2, 16]))
        return mb2.build([xi], [o])
    raise ValueError(f"unknown invalid kind {kind!r}; kinds: {', '.join(INVALID_KINDS)}")


# kind -> (operator index named in the error or None, words the message must contain)
INVALID_KINDS = {
    "mul": (1, "MUL"), "concat": (1, "CONCATENATION"), "float32": (0, "FLOAT32"),
    "int16": (0, "INT16"), "dilation": (1, "dilation"), "depth_multiplier": (1, "depth multiplier"),
    "weight_zero_point": (1, "zero point"), "weight_-128": (1, "-128"),
    "two_subgraphs": (None, "subgraph"), "two_inputs": (None, "inputs"),
    "two_outputs": (None, "outputs"), "cycle": (0, "execution order"),
    "read_before_write": (1, "before any operator writes it"),
    "batch2": (None, "batch 2"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--invalid", help="build an invalid model of this kind")
    ap.add_argument("--arch", choices=ARCHS, help="a larger network of this family")
    ap.add_argument("--list", action="store_true", help="list the invalid kinds")
    ap.add_argument("-o", "--out")
    a = ap.parse_args(argv)
    if a.list:
        print("\n".join(INVALID_KINDS))
        return 0
    if not a.out:
        print("tflite_synth: -o OUT is required", file=sys.stderr)
        return 2
    if a.invalid and a.invalid not in INVALID_KINDS:
        print(f"tflite_synth: unknown --invalid {a.invalid}", file=sys.stderr)
        return 2
    if a.invalid:
        data = invalid_model(a.invalid)
    elif a.arch:
        data = arch_model(a.arch, a.seed)
    else:
        data = random_model(a.seed)
    atomic.write_bytes(a.out, data)
    print(f"wrote {a.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
