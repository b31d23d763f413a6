#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of sw/python/kirchhoff: network-file round trip and validation, the int8 arithmetic
against hand-computed values, the numpy int8 forward pass against the C model (build/sw/aimc,
ideal config tiny), quantization properties, and CSV loading errors.

  .venv/bin/python -m pytest tests/python/test_quant_export.py [--aimc PATH] [--seed N]

Prints one PASS/FAIL line per check; exits 1 if any failed. Needs build/sw/aimc ('make sw').
"""

import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

from khtest import OPTS
from kirchhoff import data as kdata
from kirchhoff import export as kexport
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TMP = tempfile.mkdtemp(prefix="kh_test_quant_")



def expect_raises(exc, fn, *words):
    """fn() must raise exc whose message contains every word (case-insensitive)."""
    try:
        fn()
    except exc as e:
        msg = str(e).lower()
        missing = [w for w in words if w.lower() not in msg]
        assert not missing, f"message '{e}' lacks {missing}"
        return str(e)
    raise AssertionError(f"expected {exc.__name__} mentioning {words}, nothing raised")


def random_qnet(rng, dims, relu_last=False):
    """A random quantized net with post parameters that keep outputs mostly unsaturated."""
    layers = []
    for i, (k, n) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
        w = rng.integers(-127, 128, size=(n, k), dtype=np.int64).astype(np.int8)
        # typical |acc| ~ 127*64*sqrt(k): scale it to ~ +-60
        typ = 127 * 64 * np.sqrt(k)
        bias = rng.integers(-int(typ), int(typ) + 1, size=n)
        s = int(31 + np.ceil(np.log2(typ / 60)))
        mult = rng.integers(1 << 29, 1 << 31, size=n)
        shift = np.full(n, s) + rng.integers(-1, 2, size=n)
        last = i == len(dims) - 2
        layers.append(kq.QLayer(w=w, bias=bias.astype(np.int64), mult=mult.astype(np.int64),
                                shift=shift.astype(np.int64), relu=(not last) or relu_last,
                                adc_shift=int(rng.integers(0, 16))))
    return kq.QNet(layers=layers, in_scale=0.0625)


def nets_equal(a, b):
    assert len(a.layers) == len(b.layers), "layer count"
    assert np.float32(a.in_scale) == np.float32(b.in_scale), "in_scale"
    for i, (x, y) in enumerate(zip(a.layers, b.layers, strict=True)):
        for f in ("w", "bias", "mult", "shift"):
            assert np.array_equal(np.asarray(getattr(x, f), np.int64),
                                  np.asarray(getattr(y, f), np.int64)), f"layer {i} {f}"
        assert x.relu == y.relu and x.adc_shift == y.adc_shift, f"layer {i} relu/adc_shift"


def with_crc(buf):
    """Recompute the CRC so that a test corrupts exactly one field."""
    buf = bytearray(buf)
    buf[-4:] = struct.pack("<I", zlib.crc32(bytes(buf[:-4])) & 0xFFFFFFFF)
    return bytes(buf)


# ---- network file ------------------------------------------------------------------------------

def test_netfile_round_trip_odd_sizes_padding_3_layers():
    """netfile: round trip (odd sizes, padding, 3 layers)"""
    rng = np.random.default_rng(1)
    net = random_qnet(rng, [13, 7, 5, 3])
    p = os.path.join(TMP, "rt.khnf")
    n = kexport.write_net(p, net)
    assert n == os.path.getsize(p)
    # header fields at the documented offsets
    with open(p, "rb") as f:
        buf = f.read()
    assert buf[:4] == b"KHNF"
    assert struct.unpack_from("<HHIIIfII", buf, 4) == (1, 32, 3, 13, 3, np.float32(0.0625), 0, n)
    # layer 0 record: kind, K, N, relu, adc_shift, reserved then 91 weights + 1 pad byte
    assert struct.unpack_from("<6I", buf, 32) == (1, 13, 7, 1, net.layers[0].adc_shift, 0)
    assert buf[56:56 + 91] == net.layers[0].w.tobytes()
    assert buf[147] == 0
    assert struct.unpack("<I", buf[-4:])[0] == zlib.crc32(buf[:-4])
    back = kexport.read_net(p)
    nets_equal(net, back)
    assert kexport.net_to_bytes(back) == buf


def _good_bytes():
    return kexport.net_to_bytes(random_qnet(np.random.default_rng(2), [6, 5, 2]))


def test_netfile_reader_rejects_each_broken_field():
    """netfile: reader rejects each broken field"""
    good = _good_bytes()
    rd = kexport.net_from_bytes
    E = kexport.NetFormatError
    expect_raises(E, lambda: rd(good[:20]), "short")
    expect_raises(E, lambda: rd(with_crc(b"KHNX" + good[4:])), "magic")
    expect_raises(E, lambda: rd(with_crc(good[:4] + struct.pack("<H", 3) + good[6:])), "version")
    bad = bytearray(good)
    bad[40] ^= 1
    expect_raises(E, lambda: rd(bytes(bad)), "crc")
    expect_raises(E, lambda: rd(good + b"\0"), "file_size")
    # weight -128 (layer 0, first weight at byte 56)
    b2 = bytearray(good)
    b2[56] = 0x80
    expect_raises(E, lambda: rd(with_crc(b2)), "-128", "layer 0", "offset 56")
    # padding: layer 0 has 30 weights -> 2 padding bytes at 86, 87
    b3 = bytearray(good)
    b3[87] = 1
    expect_raises(E, lambda: rd(with_crc(b3)), "padding", "layer 0")
    # shift 0 of layer 0 column 0 at 88 + 4*5*2
    b4 = bytearray(good)
    b4[128:132] = struct.pack("<I", 0)
    expect_raises(E, lambda: rd(with_crc(b4)), "shift", "layer 0")
    b5 = bytearray(good)
    b5[32 + 12:32 + 16] = struct.pack("<I", 2)
    expect_raises(E, lambda: rd(with_crc(b5)), "relu", "layer 0")
    b6 = bytearray(good)
    b6[32 + 16:32 + 20] = struct.pack("<I", 16)
    expect_raises(E, lambda: rd(with_crc(b6)), "adc_shift")
    b7 = bytearray(good)
    b7[16:20] = struct.pack("<I", 3)
    expect_raises(E, lambda: rd(with_crc(b7)), "n_classes")
    b8 = bytearray(good)
    b8[24:28] = struct.pack("<I", 1)
    expect_raises(E, lambda: rd(with_crc(b8)), "flags")


def test_netfile_writer_rejects_values_outside_the_format():
    """netfile: writer rejects values outside the format"""
    rng = np.random.default_rng(3)
    E = kexport.NetFormatError
    net = random_qnet(rng, [4, 3, 2])
    net.layers[0].w[0, 0] = -128
    expect_raises(E, lambda: kexport.net_to_bytes(net), "weights", "layer 0")
    net = random_qnet(rng, [4, 3, 2])
    net.layers[1].shift[0] = 63
    expect_raises(E, lambda: kexport.net_to_bytes(net), "shift", "layer 1")
    net = random_qnet(rng, [4, 3, 2])
    net.layers[1].adc_shift = 16
    expect_raises(E, lambda: kexport.net_to_bytes(net), "adc_shift")
    net = random_qnet(rng, [4, 3, 2])
    net.layers[1].w = np.zeros((2, 4), dtype=np.int8)
    expect_raises(E, lambda: kexport.net_to_bytes(net), "previous layer")
    net = random_qnet(rng, [4, 3, 2])
    net.in_scale = float("nan")
    expect_raises(E, lambda: kexport.net_to_bytes(net), "in_scale")


# ---- arithmetic against hand-computed values --------------------------------------------------

def test_arith_rounding_helpers_hand_values():
    """arith: rounding helpers (hand values)"""
    assert list(kq.round_half_away([2.5, -2.5, 0.5, -0.5, 1.49, -1.5])) == [3, -3, 1, -1, 1, -2]
    assert list(kq.rshift_round([-5, 5, -6, 7, -1], 1)) == [-2, 3, -3, 4, 0]
    assert list(kq.div_round_half_away_pow2(np.array([5, -5, 6, -6, 7]), 1)) == [3, -3, 3, -3, 4]
    assert kq.mult_shift(0.75) == (3 << 29, 31)
    assert kq.mult_shift(1.0) == (1 << 30, 30)
    m, s = kq.mult_shift(1e-3)
    assert (1 << 30) <= m < (1 << 31) and abs(m / 2 ** s - 1e-3) < 1e-12
    expect_raises(kq.QuantError, lambda: kq.mult_shift(2.0 ** 31), "too large")
    expect_raises(kq.QuantError, lambda: kq.mult_shift(2.0 ** -60), "too small")


def _hand_net():
    L = kq.QLayer(w=np.array([[1, 2], [3, -4]], dtype=np.int8), bias=np.array([5, -7]),
                  mult=np.array([1 << 30, 3 << 29]), shift=np.array([31, 33]), relu=False)
    return kq.QNet(layers=[L], in_scale=1.0)


def test_arith_forward_int8_on_a_hand_computed_layer():
    """arith: forward_int8 on a hand-computed layer"""
    net = _hand_net()
    x = np.array([[10, -20]], dtype=np.int8)
    # acc = (-30, 110); t = (-25, 103); q0 = (-25*2^30 + 2^30) >> 31 = -12;
    # q1 = (103*3*2^29 + 2^32) >> 33 = floor(317/16) = 19
    assert kq.forward_int8(net, x).tolist() == [[-12, 19]]
    net.layers[0].relu = True
    assert kq.forward_int8(net, x).tolist() == [[0, 19]]
    # saturation: sat8 clamps to [-127, 127], never -128
    big = kq.QNet(layers=[kq.QLayer(w=np.array([[127], [-127]], dtype=np.int8),
                                    bias=np.array([0, 0]), mult=np.array([1 << 30] * 2),
                                    shift=np.array([30, 30]), relu=False)], in_scale=1.0)
    assert kq.forward_int8(big, np.array([[127]], dtype=np.int8)).tolist() == [[127, -127]]
    # acc + b saturates to int32 before the multiply (docs/decisions/0001): with acc = 100,
    # b = 2^31 - 1, M = 1, S = 32: saturated t gives (2^31 - 1 + 2^31) >> 32 = 0, an
    # unsaturated one would give (2^31 + 99 + 2^31) >> 32 = 1
    sat = kq.QNet(layers=[kq.QLayer(w=np.array([[1]], dtype=np.int8),
                                    bias=np.array([kq.INT32_MAX]), mult=np.array([1]),
                                    shift=np.array([32]), relu=False)], in_scale=1.0)
    assert kq.forward_int8(sat, np.array([[100]], dtype=np.int8)).tolist() == [[0]]
    expect_raises(kq.QuantError, lambda: kq.forward_int8(net, np.array([[-128, 0]], np.int8)),
                  "-128")


def test_arith_bit_sliced_mvm_with_adc_clipping_and_adc_shift_hand_values():
    """arith: bit-sliced MVM with ADC clipping and adc_shift (hand values)"""
    identity = dict(bias=np.array([0]), mult=np.array([1 << 30]), shift=np.array([30]))
    L = kq.QLayer(w=np.array([[5]], dtype=np.int8), relu=False, **identity)
    net = kq.QNet(layers=[L], in_scale=1.0)
    x = np.array([[3], [-3]], dtype=np.int8)
    # dac_bits 1, adc_bits 3 (codes -4..3): slices 0 and 1 have d = 1, sum 5 clips to 3:
    # acc = 3 + (3 << 1) = 9; negative input: acc = -(3 + 6) = -9
    assert kq.forward_int8_sliced(net, x, 4, 1, 3).tolist() == [[9], [-9]]
    # adc_shift 1: code = clamp(round_half_away(5 / 2)) = 3, acc = (3 << 1) + (3 << 2) = 18
    L.adc_shift = 1
    assert kq.forward_int8_sliced(net, x, 4, 1, 3).tolist() == [[18], [-18]]
    # wide ADC, shift 0: exact 15
    L.adc_shift = 0
    assert kq.forward_int8_sliced(net, x, 4, 1, 8).tolist() == [[15], [-15]]
    # dac_bits 2, x = 7 = 0b000111: slice 0 d = 3 (sum 15 -> clamp 3), slice 1 d = 1 (sum 5 ->
    # 3): acc = 3 + (3 << 2) = 15 (true 35)
    assert kq.forward_int8_sliced(net, np.array([[7]], np.int8), 4, 2, 3).tolist() == [[15]]


def test_arith_bit_sliced_mvm_equals_exact_w_x_in_ideal_geometries_random():
    """arith: bit-sliced MVM equals exact W.x in ideal geometries (random nets)"""
    rng = np.random.default_rng(4)
    for rows, dac, adc in ((16, 2, 14), (64, 1, 14), (8, 3, 16), (4, 4, 16), (2, 7, 16)):
        net = random_qnet(rng, [37, 19, 6]).with_adc_shifts([0, 0])
        assert kq.cfg_is_ideal(dict(rows=rows, dac_bits=dac, adc_bits=adc, prog_sigma=0,
                                    read_sigma=0)), f"test geometry {rows}/{dac}/{adc} not ideal"
        x = rng.integers(-127, 128, size=(23, 37)).astype(np.int8)
        a = kq.forward_int8(net, x, all_layers=True)
        b = kq.forward_int8_sliced(net, x, rows, dac, adc, all_layers=True)
        for la, lb in zip(a, b, strict=True):
            assert np.array_equal(la, lb), f"rows={rows} dac={dac} adc={adc}"


# ---- quantization -------------------------------------------------------------------------------

def test_quantize_digits_mlp_keeps_its_accuracy_weights_never_128_adc():
    """quantize: digits MLP keeps its accuracy; weights never -128; adc shifts calibrate"""
    ds = kdata.load_digits()
    Xtr, Xte, ytr, yte = kdata.split(ds, 0.2, seed=0)
    assert len(yte) == 360
    tr = ktrain.train_mlp(Xtr, ytr, seed=0)
    qn = kq.quantize_net(tr.net, Xtr)
    for L in qn.layers:
        assert L.w.dtype == np.int8 and L.w.min() >= -127
        # per output channel: the largest |w| of every non-zero row is 127
        assert np.all(np.max(np.abs(L.w.astype(int)), axis=1) == 127)
        assert np.all((L.mult >= 1 << 30) & (L.mult < 1 << 31))
        assert np.all((L.shift >= 1) & (L.shift <= 62))
        r = L.s_w * L.s_x / L.s_y
        assert np.allclose(L.mult / 2.0 ** L.shift, r, rtol=1e-8)
    xte = kq.quantize_inputs(tr.net.standardize(Xte), qn.in_scale)
    acc_f = np.mean(ktrain.predict(ktrain.forward(tr.net, Xte)) == yte)
    acc_q = np.mean(ktrain.predict(kq.forward_int8(qn, xte)) == yte)
    assert acc_f > 0.93, f"float accuracy {acc_f}"
    assert acc_q >= acc_f - 0.02, f"int8 {acc_q} vs float {acc_f}"
    xtr = kq.quantize_inputs(tr.net.standardize(Xtr), qn.in_scale)
    base = dict(rows=64, dac_bits=1, adc_bits=8, prog_sigma=0.01, read_sigma=0.005)
    cal = kq.calibrate_adc_shifts(qn, xtr, base)
    assert all(f <= 1e-3 for f in cal.clip_fraction)
    for i, sh in enumerate(cal.shifts):
        if sh > 0:    # the next smaller shift must clip more than the target
            frac, _ = kq.adc_clip_fractions(qn.layers[i].w, [xtr, *kq.forward_int8(
                qn, xtr, all_layers=True)][i], 64, 1, 8)
            assert frac[sh - 1] > 1e-3
    ideal = dict(base, adc_bits=14, prog_sigma=0, read_sigma=0)
    assert kq.calibrate_adc_shifts(qn, xtr, ideal).shifts == [0, 0]
    q2 = qn.with_adc_shifts(cal.shifts)
    acc_s = np.mean(ktrain.predict(kq.forward_int8_sliced(q2, xte, 64, 1, 8)) == yte)
    assert acc_s >= acc_q - 0.03, f"calibrated 8-bit ADC accuracy {acc_s} vs int8 {acc_q}"
    # deterministic: the same seed gives the same bits
    tr2 = ktrain.train_mlp(Xtr, ytr, seed=0)
    assert kexport.net_to_bytes(kq.quantize_net(tr2.net, Xtr)) == kexport.net_to_bytes(qn)


def test_quantize_a_dead_unit_weights_0_bias_not_keeps_a_representable():
    """quantize: a dead unit (weights ~0, bias not) keeps a representable bias"""
    W1 = np.array([[1.0, -2.0], [1e-19, -3e-19], [0.0, 0.0]])
    fn = ktrain.FloatNet(mean=np.zeros(2), scale=np.ones(2), layers=[
        ktrain.FloatLayer(W=W1, b=np.array([0.1, 0.5, 0.0]), relu=True),
        ktrain.FloatLayer(W=np.array([[1.0, 1.0, 1.0]]), b=np.array([0.0]), relu=False)])
    X = np.array([[1.0, 0.0], [0.0, -1.0], [0.5, 0.5]])
    qn = kq.quantize_net(fn, X)
    L = qn.layers[0]
    assert np.all(np.abs(L.bias) <= 1 << 30) and L.w[1].tolist() == [0, 0]
    y = kq.forward_int8(qn, kq.quantize_inputs(X, qn.in_scale), all_layers=True)[0]
    # the dead unit outputs its bias: 0.5 / s_y in int8 units, for every input
    want = round(0.5 / L.s_y)
    assert y[:, 1].tolist() == [want] * 3 and y[:, 2].tolist() == [0, 0, 0], y


def test_quantize_input_quantization_rounds_half_away_and_clamps_to_127():
    """quantize: input quantization rounds half away and clamps to [-127, 127]"""
    x = np.array([[0.25, -0.25, 0.75, 100.0, -100.0, 0.0]])
    assert kq.quantize_inputs(x, 0.5).tolist() == [[1, -1, 2, 127, -127, 0]]


def test_python_m_kirchhoff_export_info_bad_files_exit_1_with_a_message():
    """python -m kirchhoff export / info; bad files exit 1 with a message"""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sw", "python"))
    out = os.path.join(TMP, "cli")
    csvp = _csv("cli.csv", "a,b,c\n" + "".join(f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}\n"
                                                 for i in range(40)))
    p = subprocess.run([sys.executable, "-m", "kirchhoff", "export", "--out", out, "--data", csvp],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    net = kexport.read_net(os.path.join(out, "net.khnf"))
    x = np.fromfile(os.path.join(out, "test_inputs.i8"), dtype=np.int8)
    assert net.n_inputs == 2 and net.n_classes == 2 and x.size == 8 * 2
    p = subprocess.run([sys.executable, "-m", "kirchhoff", "info", os.path.join(out, "net.khnf")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "2 -> 32 relu" in p.stdout, p.stdout + p.stderr
    p = subprocess.run([sys.executable, "-m", "kirchhoff", "info", csvp],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 1 and "magic" in p.stderr, p.stderr


# ---- the C model ------------------------------------------------------------------------------

def test_c_model_configs_tiny_cfg_equals_the_numpy_int8_forward_pass_byte():
    """C model (configs/tiny.cfg) equals the numpy int8 forward pass byte for byte"""
    aimc = OPTS.aimc
    if not os.path.isfile(aimc):
        raise AssertionError(f"{aimc} not found: run 'make sw' first")
    rng = np.random.default_rng(OPTS.seed)
    net = random_qnet(rng, [40, 21, 9, 5]).with_adc_shifts([0, 0, 0])
    x = rng.integers(-127, 128, size=(37, 40)).astype(np.int8)
    x[0, :] = 127             # extremes: saturating outputs
    x[1, :] = -127
    x[2, :] = 0
    netp, inp = os.path.join(TMP, "c.khnf"), os.path.join(TMP, "c_in.i8")
    kexport.write_net(netp, net)
    x.tofile(inp)
    expect = kq.forward_int8(net, x)
    sat = np.mean(np.abs(expect.astype(int)) == 127)
    assert sat < 0.5, f"test net saturates {sat:.0%} of outputs; fix the test's scales"
    for batch in (None, 4):
        out, rep = os.path.join(TMP, "c_out.i8"), os.path.join(TMP, "c_rep.json")
        cmd = [aimc, "run", "--backend", "cmodel", "--config", "configs/tiny.cfg", "--seed",
               str(OPTS.seed), "--net", netp, "--inputs", inp, "--out", out, "--report", rep]
        if batch:
            cmd += ["--batch", str(batch)]
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, f"exit {p.returncode}: {' '.join(cmd)}\n{p.stderr[-2000:]}"
        got = np.fromfile(out, dtype=np.int8)
        assert got.size == expect.size, f"{got.size} output bytes, expected {expect.size}"
        got = got.reshape(expect.shape)
        if not np.array_equal(got, expect):
            i, j = np.argwhere(got != expect)[0]
            raise AssertionError(f"{np.count_nonzero(got != expect)} bytes differ (first: sample "
                                 f"{i} class {j}: C {got[i, j]}, numpy {expect[i, j]}); "
                                 f"command: {' '.join(cmd)}")


# ---- CSV data sets -----------------------------------------------------------------------------

def _csv(name, text):
    p = os.path.join(TMP, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def test_csv_good_file_labels_mapped_to_0_c_1_in_sorted_order():
    """csv: good file; labels mapped to 0..C-1 in sorted order"""
    ds = kdata.load_csv(_csv("ok.csv", "a,b,label\n1,2,dog\n3,4.5,cat\n\n5,6e1,dog\n0,0,emu\n"))
    assert ds.X.tolist() == [[1, 2], [3, 4.5], [5, 60], [0, 0]]
    assert ds.classes == ["cat", "dog", "emu"] and ds.y.tolist() == [1, 0, 1, 2]
    ds = kdata.load_csv(_csv("num.csv", "x,y\n1,10\n2,9\n3,10\n4,-1\n"))
    assert ds.classes == ["-1", "9", "10"] and ds.y.tolist() == [2, 1, 2, 0]


def test_csv_bad_files_rejected_with_clear_errors():
    """csv: bad files rejected with clear errors"""
    E = kdata.DataError
    expect_raises(E, lambda: kdata.load_csv(os.path.join(TMP, "nope.csv")), "no such file")
    expect_raises(E, lambda: kdata.load_csv(_csv("e.csv", "")), "empty")
    expect_raises(E, lambda: kdata.load_csv(_csv("h.csv", "a,b,c\n")), "no data rows")
    expect_raises(E, lambda: kdata.load_csv(_csv("nn.csv", "a,b,c\n1,2,x\n1,zz,y\n")),
                  "nn.csv:3", "column 2", "'b'", "'zz' is not a number")
    expect_raises(E, lambda: kdata.load_csv(_csv("nan.csv", "a,c\n1,x\nnan,y\n")),
                  "nan.csv:3", "not a finite number")
    expect_raises(E, lambda: kdata.load_csv(_csv("one.csv", "a,c\n1,x\n2,x\n")),
                  "only one class", "at least 2")
    expect_raises(E, lambda: kdata.load_csv(_csv("rag.csv", "a,b,c\n1,2,x\n1,2\n")),
                  "rag.csv:3", "2 cells", "ragged")
    expect_raises(E, lambda: kdata.load_csv(_csv("lab.csv", "a,c\n1,x\n2, \n")),
                  "lab.csv:3", "empty class label")
    expect_raises(E, lambda: kdata.load_csv(_csv("dup.csv", "a,c\n1,1\n2,1.0\n3,2\n")),
                  "same number")
    expect_raises(E, lambda: kdata.load_csv(_csv("col.csv", "label\n1\n2\n")), "header")
    expect_raises(E, lambda: kdata.load_csv(TMP), "directory")
    ds = kdata.load_csv(_csv("few.csv", "a,c\n1,x\n2,y\n3,y\n4,y\n"))
    expect_raises(E, lambda: kdata.split(ds, 0.2), "class 'x'", "at least 2")


