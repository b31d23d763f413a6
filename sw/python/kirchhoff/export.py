# SPDX-License-Identifier: Apache-2.0
"""Network file (docs/network-format.md, versions 1 and 2): writer and strict reader. A network
with a convolution layer is written as version 2, any other as version 1.

The reader applies every validation rule of the format (the C loader aimc_net_load is the one the
chip tools use); it exists for round-trip tests and for inspecting files from Python.
"""

from __future__ import annotations

import math
import struct
import zlib

import numpy as np

from .conv import Conv
from .quantize import ADC_SHIFT_MAX, INT32_MAX, INT32_MIN, QLayer, QNet

MAGIC = b"KHNF"
VERSION = 1
VERSION_CONV = 2
VERSIONS = (1, 2)
KIND_CONV = 2
MAX_OUT_LEN = 1 << 24
_CONV = struct.Struct("<IIIIII")        # 24 bytes: in_h, in_w, in_c, kh, kw, stride
HEADER_SIZE = 32
KIND_FC = 1
MAX_LAYERS = 64
MAX_DIM = 65535
_HDR = struct.Struct("<4sHHIIIfII")     # 32 bytes
_LAYER = struct.Struct("<IIIIII")       # 24 bytes


class NetFormatError(ValueError):
    """A network that cannot be written, or a file that breaks the format."""


def _pad4(n):
    return (-n) % 4


def net_to_bytes(qnet: QNet) -> bytes:
    """Serialize a QNet; raises NetFormatError if any value breaks the format's rules."""
    layers = qnet.layers
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise NetFormatError(f"n_layers {len(layers)} outside [1, {MAX_LAYERS}]")
    in_scale = np.float32(qnet.in_scale)
    if not (math.isfinite(float(in_scale)) and in_scale > 0):
        raise NetFormatError(f"in_scale {qnet.in_scale} must be finite and > 0 as float32")
    body = bytearray()
    prev_n = None
    has_conv = any(getattr(L, "conv", None) is not None for L in layers)
    for i, L in enumerate(layers):
        w = np.asarray(L.w)
        if w.ndim != 2:
            raise NetFormatError(f"layer {i}: weights must be a 2-D N x K array")
        N, K = w.shape
        for name, v in (("K", K), ("N", N)):
            if not 1 <= v <= MAX_DIM:
                raise NetFormatError(f"layer {i}: {name} = {v} outside [1, {MAX_DIM}]")
        g = getattr(L, "conv", None)
        in_len = g.in_len if g is not None else K
        if g is not None and g.k != K:
            raise NetFormatError(f"layer {i}: conv patch {g.kh}x{g.kw}x{g.in_c} = {g.k} but "
                                 f"K = {K}")
        if prev_n is not None and in_len != prev_n:
            raise NetFormatError(f"layer {i}: takes {in_len} inputs but the previous layer has "
                                 f"{prev_n} outputs")
        prev_n = N * (g.pixels if g is not None else 1)
        if prev_n > MAX_OUT_LEN:
            raise NetFormatError(f"layer {i}: {prev_n} outputs, more than {MAX_OUT_LEN}")
        if np.any(w < -127) or np.any(w > 127):
            raise NetFormatError(f"layer {i}: weights outside [-127, 127]")
        if not 0 <= int(L.adc_shift) <= ADC_SHIFT_MAX:
            raise NetFormatError(f"layer {i}: adc_shift {L.adc_shift} outside [0, {ADC_SHIFT_MAX}]")
        cols = {}
        for name in ("bias", "mult", "shift"):
            v = np.asarray(getattr(L, name), dtype=np.int64).reshape(-1)
            if v.shape != (N,):
                raise NetFormatError(f"layer {i}: {name} has {v.size} values, expected N = {N}")
            cols[name] = v
        for name in ("bias", "mult"):
            if np.any(cols[name] < INT32_MIN) or np.any(cols[name] > INT32_MAX):
                raise NetFormatError(f"layer {i}: {name} outside int32")
        if np.any(cols["shift"] < 1) or np.any(cols["shift"] > 62):
            raise NetFormatError(f"layer {i}: shift outside [1, 62]")
        body += _LAYER.pack(KIND_CONV if g is not None else KIND_FC, K, N, 1 if L.relu else 0,
                            int(L.adc_shift), 0)
        if g is not None:
            for name, v in zip(("in_h", "in_w", "in_c", "kh", "kw", "stride"), g.as_tuple(), strict=False):
                if not 1 <= v <= MAX_DIM:
                    raise NetFormatError(f"layer {i}: conv {name} = {v} outside [1, {MAX_DIM}]")
            body += _CONV.pack(*g.as_tuple())
        body += w.astype(np.int8).tobytes(order="C")
        body += b"\0" * _pad4(N * K)
        body += cols["bias"].astype("<i4").tobytes()
        body += cols["mult"].astype("<i4").tobytes()
        body += cols["shift"].astype("<u4").tobytes()
    file_size = HEADER_SIZE + len(body) + 4
    first = layers[0]
    n_inputs = first.conv.in_len if getattr(first, "conv", None) is not None else first.w.shape[1]
    hdr = _HDR.pack(MAGIC, VERSION_CONV if has_conv else VERSION, HEADER_SIZE, len(layers),
                    n_inputs, prev_n,
                    float(in_scale), 0, file_size)
    data = hdr + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def write_net(path: str, qnet: QNet) -> int:
    """Write qnet to path (docs/network-format.md v1). Returns the number of bytes."""
    from . import atomic
    data = net_to_bytes(qnet)
    atomic.write_bytes(path, data)
    return len(data)


def net_from_bytes(buf: bytes, origin: str = "<bytes>") -> QNet:
    """Parse and validate a network file image; returns a QNet (float scales unset)."""
    buf = bytes(buf)

    def fail(msg, off):
        raise NetFormatError(f"{origin}: {msg} (byte offset {off})")

    if len(buf) < HEADER_SIZE + 4:
        fail(f"short file: {len(buf)} bytes, a header and CRC need {HEADER_SIZE + 4}", 0)
    magic, ver, hsz, n_layers, n_inputs, n_classes, in_scale, flags, fsize = \
        _HDR.unpack_from(buf, 0)
    if magic != MAGIC:
        fail(f"magic is {magic!r}, expected {MAGIC!r}", 0)
    if ver not in VERSIONS:
        fail(f"version {ver}, only {' and '.join(map(str, VERSIONS))} are known", 4)
    if hsz != HEADER_SIZE:
        fail(f"header_size {hsz}, expected {HEADER_SIZE}", 6)
    if fsize != len(buf):
        fail(f"file_size field {fsize} but the file has {len(buf)} bytes", 28)
    crc = struct.unpack_from("<I", buf, len(buf) - 4)[0]
    if crc != zlib.crc32(buf[:-4]) & 0xFFFFFFFF:
        fail(f"CRC mismatch: stored {crc:#010x}, computed {zlib.crc32(buf[:-4]):#010x}",
             len(buf) - 4)
    if not 1 <= n_layers <= MAX_LAYERS:
        fail(f"n_layers {n_layers} outside [1, {MAX_LAYERS}]", 8)
    if not (math.isfinite(in_scale) and in_scale > 0):
        fail(f"in_scale {in_scale} must be finite and > 0", 20)
    if flags != 0:
        fail(f"flags {flags:#x} must be 0", 24)
    off = HEADER_SIZE
    end = len(buf) - 4
    layers = []
    prev_n = None
    for i in range(n_layers):
        if off + _LAYER.size > end:
            fail(f"layer {i}: record header runs past the end of the data", off)
        kind, K, N, relu, adc_shift, res = _LAYER.unpack_from(buf, off)
        if kind == KIND_CONV and ver < VERSION_CONV:
            fail(f"layer {i}: kind {kind} (convolution) needs version {VERSION_CONV}", off)
        if kind not in (KIND_FC, KIND_CONV):
            fail(f"layer {i}: kind {kind}, only {KIND_FC} (fully connected) and {KIND_CONV} "
                 "(convolution) are known", off)
        for name, v, o in (("K", K, 4), ("N", N, 8)):
            if not 1 <= v <= MAX_DIM:
                fail(f"layer {i}: {name} = {v} outside [1, {MAX_DIM}]", off + o)
        g = None
        if kind == KIND_CONV:
            if off + _LAYER.size + _CONV.size > end:
                fail(f"layer {i}: conv geometry runs past the end of the data", off + _LAYER.size)
            geo = _CONV.unpack_from(buf, off + _LAYER.size)
            for j, (name, v) in enumerate(zip(("in_h", "in_w", "in_c", "kh", "kw", "stride"),
                                              geo, strict=False)):
                if not 1 <= v <= MAX_DIM:
                    fail(f"layer {i}: conv {name} = {v} outside [1, {MAX_DIM}]",
                         off + _LAYER.size + 4 * j)
            if geo[3] > geo[0] or geo[4] > geo[1]:
                fail(f"layer {i}: conv kernel {geo[3]}x{geo[4]} larger than the input "
                     f"{geo[0]}x{geo[1]}", off + _LAYER.size + 12)
            g = Conv(*geo)
            if g.k != K:
                fail(f"layer {i}: K = {K} but the conv patch is {g.kh}x{g.kw}x{g.in_c} = {g.k}",
                     off + 4)
            if N * g.pixels > MAX_OUT_LEN:
                fail(f"layer {i}: {N * g.pixels} outputs, more than {MAX_OUT_LEN}", off + 8)
        in_len = g.in_len if g is not None else K
        if i == 0 and in_len != n_inputs:
            fail(f"layer 0: takes {in_len} inputs but n_inputs = {n_inputs}", off + 4)
        if prev_n is not None and in_len != prev_n:
            fail(f"layer {i}: takes {in_len} inputs but the previous layer has {prev_n} "
                 "outputs", off + 4)
        if relu not in (0, 1):
            fail(f"layer {i}: relu = {relu}, must be 0 or 1", off + 12)
        if adc_shift > ADC_SHIFT_MAX:
            fail(f"layer {i}: adc_shift {adc_shift} > {ADC_SHIFT_MAX}", off + 16)
        if res != 0:
            fail(f"layer {i}: reserved field is {res:#x}, must be 0", off + 20)
        off += _LAYER.size + (_CONV.size if g is not None else 0)
        need = N * K + _pad4(N * K) + 12 * N
        if off + need > end:
            fail(f"layer {i}: weights and parameters ({need} bytes) run past the end of the data",
                 off)
        w = np.frombuffer(buf, dtype=np.int8, count=N * K, offset=off).reshape(N, K).copy()
        bad = np.flatnonzero(w.reshape(-1) == -128)
        if bad.size:
            fail(f"layer {i}: weight [{bad[0] // K}][{bad[0] % K}] is -128", off + int(bad[0]))
        off += N * K
        pad = buf[off:off + _pad4(N * K)]
        if any(pad):
            fail(f"layer {i}: padding bytes are not zero", off)
        off += len(pad)
        bias = np.frombuffer(buf, dtype="<i4", count=N, offset=off).astype(np.int64)
        mult = np.frombuffer(buf, dtype="<i4", count=N, offset=off + 4 * N).astype(np.int64)
        shift = np.frombuffer(buf, dtype="<u4", count=N, offset=off + 8 * N).astype(np.int64)
        bads = np.flatnonzero((shift < 1) | (shift > 62))
        if bads.size:
            fail(f"layer {i}: shift[{bads[0]}] = {shift[bads[0]]} outside [1, 62]",
                 off + 8 * N + 4 * int(bads[0]))
        off += 12 * N
        layers.append(QLayer(w=w, bias=bias, mult=mult, shift=shift, relu=bool(relu),
                             adc_shift=int(adc_shift), conv=g))
        prev_n = N * (g.pixels if g is not None else 1)
    if prev_n != n_classes:
        fail(f"n_classes {n_classes} but the last layer has {prev_n} outputs", 16)
    if off != end:
        fail(f"{end - off} bytes after the last layer, before the CRC", off)
    return QNet(layers=layers, in_scale=float(in_scale))


def read_net(path: str) -> QNet:
    """Read and validate a network file; raises NetFormatError (or OSError) on any problem."""
    with open(path, "rb") as f:
        return net_from_bytes(f.read(), origin=path)
