# SPDX-License-Identifier: Apache-2.0
"""Network file version 3 (docs/network-format.md, "Version 3"): a graph of TFLite int8 operators.
Writer and strict reader. The C loader aimc_graph_load (sw/src/graph_file.c) is the one the chip
tools use; the reader here exists for round-trip tests and for inspecting files from Python.

Layout: a 32-byte header (as versions 1 and 2, version = 3), the tensor table (n_tensors, 0, then
24-byte records h, w, c, zero_point, scale, 0), the nodes (96-byte records, then for FC / CONV /
DWCONV the weights n x k int8, zero padding to 4 bytes, bias, mult and shift as int32[n], and for
FC only eff_scale as float64[n]), and the CRC-32 (zlib.crc32) of every byte before it.

eff_scale (FC only): the reference FULLY_CONNECTED kernel of the pinned LiteRT (ai-edge-litert
2.3.0) requantizes with (int32)round((double)acc * eff_scale[c]), eff_scale = (double)s_in *
(double)s_w[c] / (double)s_out, not with mult and shift (found by the C graph helper, h/graph;
measured here: the double rounding of mult/shift differs from the interpreter in 40 of 6,688 FC
outputs of ad01, the eff_scale rule in none).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np

MAGIC = b"KHNF"
VERSION = 3
HEADER_SIZE = 32
MAX_NODES = 1024
MAX_TENSORS = 2048
MAX_ELEMS = 1 << 24
NO_TENSOR = 0xFFFFFFFF
ADC_SHIFT_MAX = 15

OP_FC, OP_CONV, OP_DWCONV, OP_ADD, OP_AVGPOOL, OP_MAXPOOL, OP_RESHAPE, OP_SOFTMAX = range(1, 9)
OP_NAMES = {OP_FC: "FC", OP_CONV: "CONV", OP_DWCONV: "DWCONV", OP_ADD: "ADD",
            OP_AVGPOOL: "AVGPOOL", OP_MAXPOOL: "MAXPOOL", OP_RESHAPE: "RESHAPE",
            OP_SOFTMAX: "SOFTMAX"}
CHIP_OPS = (OP_FC, OP_CONV, OP_DWCONV)
WINDOW_OPS = (OP_CONV, OP_DWCONV, OP_AVGPOOL, OP_MAXPOOL)
CLAMP_OPS = (OP_FC, OP_CONV, OP_DWCONV, OP_ADD, OP_AVGPOOL, OP_MAXPOOL)

_HDR = struct.Struct("<4sHHIIIfII")         # 32 bytes
_TTAB = struct.Struct("<II")                # n_tensors, reserved
_TENSOR = struct.Struct("<IIIifI")          # 24 bytes
_NODE = struct.Struct("<10I2i3I7i2I")       # 96 bytes
assert _HDR.size == 32 and _TENSOR.size == 24 and _NODE.size == 96

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


class GraphFormatError(ValueError):
    """A graph that cannot be written, or a file that breaks the format."""


@dataclass
class Tensor:
    h: int
    w: int
    c: int
    zero_point: int
    scale: float

    @property
    def size(self) -> int:
        return self.h * self.w * self.c

    @property
    def shape(self) -> tuple:
        return (self.h, self.w, self.c)


@dataclass
class Node:
    op: int
    in0: int
    out: int
    in1: int = NO_TENSOR
    kh: int = 0
    kw: int = 0
    stride_h: int = 0
    stride_w: int = 0
    pad_top: int = 0
    pad_left: int = 0
    act_min: int = 0
    act_max: int = 0
    k: int = 0
    n: int = 0
    adc_shift: int = 0
    p: list = field(default_factory=lambda: [0] * 7)
    w: np.ndarray | None = None        # int8 n x k (chip ops)
    bias: np.ndarray | None = None     # int32[n]
    mult: np.ndarray | None = None     # int32[n]
    shift: np.ndarray | None = None    # int32[n], TFLite sign (> 0: left)
    eff_scale: np.ndarray | None = None  # FC only: float64[n], s_in * s_w[c] / s_out in double
    src_index: int = -1                # index of the TFLite operator (not stored in the file)

    @property
    def name(self) -> str:
        return OP_NAMES.get(self.op, "?")


@dataclass
class Graph:
    tensors: list
    nodes: list

    @property
    def n_inputs(self) -> int:
        return self.tensors[0].size

    @property
    def n_outputs(self) -> int:
        return self.tensors[self.nodes[-1].out].size

    @property
    def output(self) -> int:
        return self.nodes[-1].out


def _pad4(n: int) -> int:
    return (-n) % 4


def window_out(in_size: int, k: int, stride: int, pad: int) -> int:
    """Largest output size a window op may have on this axis (pad on both sides, plus one extra
    bottom/right row for SAME's odd total): the format's bound."""
    return (in_size + 2 * pad + 1 - k) // stride + 1


def check_graph(g: Graph, fail: Callable[..., NoReturn]) -> None:
    """Apply every rule of the format to g; fail(message, where) raises."""
    nt = len(g.tensors)
    if not 2 <= nt <= MAX_TENSORS:
        fail(f"n_tensors {nt} outside [2, {MAX_TENSORS}]", "tensor table")
    if not 1 <= len(g.nodes) <= MAX_NODES:
        fail(f"n_nodes {len(g.nodes)} outside [1, {MAX_NODES}]", "header")
    for i, t in enumerate(g.tensors):
        for name in ("h", "w", "c"):
            if getattr(t, name) < 1:
                fail(f"tensor {i}: {name} = {getattr(t, name)} must be >= 1", f"tensor {i}")
        if t.size > MAX_ELEMS:
            fail(f"tensor {i}: {t.size} elements, more than {MAX_ELEMS}", f"tensor {i}")
        if not -128 <= t.zero_point <= 127:
            fail(f"tensor {i}: zero_point {t.zero_point} outside [-128, 127]", f"tensor {i}")
        s = float(np.float32(t.scale))
        if not (math.isfinite(s) and s > 0):
            fail(f"tensor {i}: scale {t.scale} must be finite and > 0 as float32", f"tensor {i}")
    written = {0}
    for j, nd in enumerate(g.nodes):
        where = f"node {j} ({nd.name})"
        if nd.op not in OP_NAMES:
            fail(f"{where}: unknown op {nd.op}", where)
        ins = [nd.in0] + ([nd.in1] if nd.op == OP_ADD else [])
        if nd.op != OP_ADD and nd.in1 != NO_TENSOR:
            fail(f"{where}: in1 must be 0xFFFFFFFF", where)
        for t in ins + [nd.out]:
            if not 0 <= t < nt:
                fail(f"{where}: tensor id {t} outside [0, {nt})", where)
        for t in ins:
            if t not in written:
                fail(f"{where}: reads tensor {t} before any node writes it", where)
        if nd.out in written:
            fail(f"{where}: writes tensor {nd.out}, already written", where)
        written.add(nd.out)
        ti, to = g.tensors[nd.in0], g.tensors[nd.out]
        if nd.op in WINDOW_OPS:
            if nd.kh < 1 or nd.kw < 1 or nd.stride_h < 1 or nd.stride_w < 1:
                fail(f"{where}: window {nd.kh}x{nd.kw} stride {nd.stride_h}x{nd.stride_w} "
                     "must be >= 1", where)
            if nd.pad_top > nd.kh - 1 or nd.pad_left > nd.kw - 1:
                fail(f"{where}: padding {nd.pad_top},{nd.pad_left} larger than the window "
                     f"{nd.kh}x{nd.kw} minus 1", where)
            if to.h > window_out(ti.h, nd.kh, nd.stride_h, nd.pad_top) or \
               to.w > window_out(ti.w, nd.kw, nd.stride_w, nd.pad_left):
                fail(f"{where}: output {to.h}x{to.w} too large for input {ti.h}x{ti.w}, window "
                     f"{nd.kh}x{nd.kw}, stride {nd.stride_h}x{nd.stride_w}, pad "
                     f"{nd.pad_top},{nd.pad_left}", where)
        else:
            if any((nd.kh, nd.kw, nd.stride_h, nd.stride_w, nd.pad_top, nd.pad_left)):
                fail(f"{where}: window fields must be 0", where)
        if nd.op in CLAMP_OPS:
            if not -128 <= nd.act_min <= nd.act_max <= 127:
                fail(f"{where}: act_min {nd.act_min} / act_max {nd.act_max} not "
                     "-128 <= min <= max <= 127", where)
        elif nd.act_min or nd.act_max:
            fail(f"{where}: act_min / act_max must be 0", where)
        if nd.op in CHIP_OPS:
            if nd.k < 1 or nd.n < 1:
                fail(f"{where}: k = {nd.k}, n = {nd.n} must be >= 1", where)
            if not 0 <= nd.adc_shift <= ADC_SHIFT_MAX:
                fail(f"{where}: adc_shift {nd.adc_shift} outside [0, {ADC_SHIFT_MAX}]", where)
            if nd.op == OP_FC:
                if ti.size != nd.k or to.shape != (1, 1, nd.n):
                    fail(f"{where}: input has {ti.size} values (k = {nd.k}), output "
                         f"{to.shape} must be 1 x 1 x {nd.n}", where)
            elif nd.op == OP_CONV:
                if nd.k != nd.kh * nd.kw * ti.c or to.c != nd.n:
                    fail(f"{where}: k = {nd.k} must be kh*kw*in_c = {nd.kh * nd.kw * ti.c} and "
                         f"n = {nd.n} the output channels {to.c}", where)
            else:
                if nd.k != nd.kh * nd.kw or not nd.n == ti.c == to.c:
                    fail(f"{where}: k = {nd.k} must be kh*kw and n = {nd.n} = in_c = out_c "
                         f"({ti.c}, {to.c})", where)
            w = np.asarray(nd.w)
            if w.shape != (nd.n, nd.k):
                fail(f"{where}: weights shape {w.shape}, expected {(nd.n, nd.k)}", where)
            if np.any(w < -127) or np.any(w > 127):
                fail(f"{where}: a weight outside [-127, 127]", where)
            for name in ("bias", "mult", "shift"):
                v = np.asarray(getattr(nd, name), dtype=np.int64).reshape(-1)
                if v.shape != (nd.n,):
                    fail(f"{where}: {name} has {v.size} values, expected n = {nd.n}", where)
                if np.any(v < INT32_MIN) or np.any(v > INT32_MAX):
                    fail(f"{where}: {name} outside int32", where)
            m = np.asarray(nd.mult, dtype=np.int64)
            if np.any((m != 0) & (m < (1 << 30))):
                fail(f"{where}: mult must be 0 or in [2^30, 2^31 - 1]", where)
            s = np.asarray(nd.shift, dtype=np.int64)
            if np.any(s < -31) or np.any(s > 30):
                fail(f"{where}: shift outside [-31, 30]", where)
            if nd.op == OP_FC:
                e = np.asarray(nd.eff_scale if nd.eff_scale is not None else [], np.float64)
                if e.shape != (nd.n,) or not np.all(np.isfinite(e)) or np.any(e <= 0):
                    fail(f"{where}: eff_scale must be n = {nd.n} finite float64 values > 0",
                         where)
            elif nd.eff_scale is not None:
                fail(f"{where}: eff_scale is for FC nodes only", where)
        else:
            if nd.k or nd.n or nd.adc_shift:
                fail(f"{where}: k, n, adc_shift must be 0", where)
        if nd.op == OP_ADD:
            t1 = g.tensors[nd.in1]
            if not ti.shape == t1.shape == to.shape:
                fail(f"{where}: shapes {ti.shape}, {t1.shape} -> {to.shape} must be equal", where)
        elif nd.op in (OP_AVGPOOL, OP_MAXPOOL, OP_DWCONV):
            if ti.c != to.c:
                fail(f"{where}: channels {ti.c} -> {to.c} must be equal", where)
        elif nd.op == OP_RESHAPE:
            if ti.size != to.size or ti.zero_point != to.zero_point or \
               np.float32(ti.scale) != np.float32(to.scale):
                fail(f"{where}: input and output must have the same element count, zero point "
                     "and scale", where)
        elif nd.op == OP_SOFTMAX:
            if to.zero_point != -128 or ti.shape != to.shape:
                fail(f"{where}: output zero point {to.zero_point} must be -128 and the shape "
                     "equal to the input's", where)
        if nd.op != OP_SOFTMAX and nd.op != OP_ADD and any(nd.p):
            fail(f"{where}: p[] must be 0", where)
        if nd.op == OP_SOFTMAX and any(nd.p[3:]):
            fail(f"{where}: p[3..6] must be 0", where)


def graph_to_bytes(g: Graph) -> bytes:
    """Serialize g; raises GraphFormatError if any value breaks the format's rules."""
    def fail(msg, where):
        raise GraphFormatError(msg)

    check_graph(g, fail)
    body = bytearray(_TTAB.pack(len(g.tensors), 0))
    for t in g.tensors:
        body += _TENSOR.pack(t.h, t.w, t.c, int(t.zero_point), float(np.float32(t.scale)), 0)
    for nd in g.nodes:
        body += _NODE.pack(nd.op, nd.in0, nd.in1, nd.out, nd.kh, nd.kw, nd.stride_h, nd.stride_w,
                           nd.pad_top, nd.pad_left, int(nd.act_min), int(nd.act_max), nd.k, nd.n,
                           nd.adc_shift, *[int(v) for v in nd.p], 0, 0)
        if nd.op in CHIP_OPS:
            body += np.asarray(nd.w).astype(np.int8).tobytes(order="C")
            body += b"\0" * _pad4(nd.n * nd.k)
            for name in ("bias", "mult", "shift"):
                body += np.asarray(getattr(nd, name), dtype=np.int64).astype("<i4").tobytes()
            if nd.op == OP_FC:
                body += np.asarray(nd.eff_scale, dtype="<f8").tobytes()
    file_size = HEADER_SIZE + len(body) + 4
    hdr = _HDR.pack(MAGIC, VERSION, HEADER_SIZE, len(g.nodes), g.n_inputs, g.n_outputs,
                    float(np.float32(g.tensors[0].scale)), 0, file_size)
    data = hdr + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def write_atomic(path: str, data: bytes, src: str | None = None) -> None:
    """Write data to path through a temporary file in the same folder, renamed into place.
    Refuses to overwrite src (the input file): GraphFormatError (kirchhoff.atomic)."""
    from . import atomic
    try:
        atomic.write_bytes(path, data, inputs=[src] if src is not None else [])
    except atomic.SameFileError as e:
        raise GraphFormatError(str(e)) from None


def write_graph(path: str, g: Graph, src: str | None = None) -> int:
    """Validate g, write it to path atomically (nothing is written on an error). Returns bytes."""
    data = graph_to_bytes(g)
    write_atomic(path, data, src)
    return len(data)


def graph_from_bytes(buf: bytes, origin: str = "<bytes>") -> Graph:
    """Parse and validate a version-3 image; raises GraphFormatError naming field and offset."""
    buf = bytes(buf)

    def fail(msg, off):
        raise GraphFormatError(f"{origin}: {msg} (byte offset {off})")

    if len(buf) < HEADER_SIZE + _TTAB.size + 4:
        fail(f"short file: {len(buf)} bytes", 0)
    magic, ver, hsz, n_nodes, n_inputs, n_classes, in_scale, flags, fsize = \
        _HDR.unpack_from(buf, 0)
    if magic != MAGIC:
        fail(f"magic is {magic!r}, expected {MAGIC!r}", 0)
    if ver != VERSION:
        fail(f"version {ver}: this reader reads version {VERSION} (graphs); versions 1 and 2 "
             "are read by kirchhoff.export.read_net", 4)
    if hsz != HEADER_SIZE:
        fail(f"header_size {hsz}, expected {HEADER_SIZE}", 6)
    if fsize != len(buf):
        fail(f"file_size field {fsize} but the file has {len(buf)} bytes", 28)
    crc = struct.unpack_from("<I", buf, len(buf) - 4)[0]
    if crc != zlib.crc32(buf[:-4]) & 0xFFFFFFFF:
        fail(f"CRC mismatch: stored {crc:#010x}, computed {zlib.crc32(buf[:-4]):#010x}",
             len(buf) - 4)
    if not 1 <= n_nodes <= MAX_NODES:
        fail(f"n_layers (nodes) {n_nodes} outside [1, {MAX_NODES}]", 8)
    if flags != 0:
        fail(f"flags {flags:#x} must be 0", 24)
    end = len(buf) - 4
    off = HEADER_SIZE
    n_tensors, res = _TTAB.unpack_from(buf, off)
    if not 2 <= n_tensors <= MAX_TENSORS:
        fail(f"n_tensors {n_tensors} outside [2, {MAX_TENSORS}]", off)
    if res != 0:
        fail("tensor table reserved field must be 0", off + 4)
    off += _TTAB.size
    if off + n_tensors * _TENSOR.size > end:
        fail("tensor table runs past the end of the data", off)
    tensors = []
    for i in range(n_tensors):
        h, w, c, zp, sc, r = _TENSOR.unpack_from(buf, off)
        if r != 0:
            fail(f"tensor {i}: reserved field must be 0", off + 20)
        if not (math.isfinite(sc) and sc > 0):
            fail(f"tensor {i}: scale {sc} must be finite and > 0", off + 16)
        tensors.append(Tensor(h, w, c, zp, sc))
        off += _TENSOR.size
    nodes = []
    for j in range(n_nodes):
        if off + _NODE.size > end:
            fail(f"node {j}: record runs past the end of the data", off)
        v = _NODE.unpack_from(buf, off)
        nd = Node(op=v[0], in0=v[1], in1=v[2], out=v[3], kh=v[4], kw=v[5], stride_h=v[6],
                  stride_w=v[7], pad_top=v[8], pad_left=v[9], act_min=v[10], act_max=v[11],
                  k=v[12], n=v[13], adc_shift=v[14], p=list(v[15:22]))
        if v[22] or v[23]:
            fail(f"node {j}: reserved fields must be 0", off + 88)
        rec = off
        off += _NODE.size
        if nd.op in CHIP_OPS:
            if not (1 <= nd.k <= MAX_ELEMS and 1 <= nd.n <= MAX_ELEMS):
                fail(f"node {j}: k = {nd.k}, n = {nd.n} out of range", rec + 48)
            need = nd.n * nd.k + _pad4(nd.n * nd.k) + (20 if nd.op == OP_FC else 12) * nd.n
            if off + need > end:
                fail(f"node {j}: weights and parameters ({need} bytes) run past the end", off)
            w = np.frombuffer(buf, np.int8, nd.n * nd.k, off).reshape(nd.n, nd.k).copy()
            bad = np.flatnonzero(w.reshape(-1) == -128)
            if bad.size:
                fail(f"node {j}: weight [{bad[0] // nd.k}][{bad[0] % nd.k}] is -128",
                     off + int(bad[0]))
            off += nd.n * nd.k
            if any(buf[off:off + _pad4(nd.n * nd.k)]):
                fail(f"node {j}: padding bytes are not zero", off)
            off += _pad4(nd.n * nd.k)
            nd.w = w
            nd.bias = np.frombuffer(buf, "<i4", nd.n, off).astype(np.int32)
            nd.mult = np.frombuffer(buf, "<i4", nd.n, off + 4 * nd.n).astype(np.int32)
            nd.shift = np.frombuffer(buf, "<i4", nd.n, off + 8 * nd.n).astype(np.int32)
            off += 12 * nd.n
            if nd.op == OP_FC:
                nd.eff_scale = np.frombuffer(buf, "<f8", nd.n, off).astype(np.float64)
                off += 8 * nd.n
        nodes.append(nd)
    if off != end:
        fail(f"{end - off} bytes after the last node, before the CRC", off)
    g = Graph(tensors, nodes)

    def fail2(msg, where):
        raise GraphFormatError(f"{origin}: {msg}")

    check_graph(g, fail2)
    if n_inputs != g.n_inputs:
        fail(f"n_inputs {n_inputs} but tensor 0 has {g.n_inputs} elements", 12)
    if n_classes != g.n_outputs:
        fail(f"n_classes {n_classes} but the last node's output has {g.n_outputs} elements", 16)
    if np.float32(in_scale) != np.float32(tensors[0].scale):
        fail(f"in_scale {in_scale} differs from tensor 0's scale {tensors[0].scale}", 20)
    return g


def read_graph(path: str) -> Graph:
    """Read and validate a version-3 file; raises GraphFormatError (or OSError)."""
    with open(path, "rb") as f:
        return graph_from_bytes(f.read(), origin=path)
