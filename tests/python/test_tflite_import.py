#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of the TFLite importer (sw/python/kirchhoff/tflite_import.py, graphfile.py, tflite_ref.py)
against the TFLite interpreter's reference kernels (ai-edge-litert, OpResolverType.BUILTIN_REF).

An independent check of the imported parameters: a small numpy integer forward pass over the
imported graph (this file's test oracle, written from TFLite's reference kernels: integer_ops
conv / depthwise_conv / fully_connected / add / pooling, reference_ops::Softmax with gemmlowp's
fixed point) is compared bit for bit with the interpreter, at every operator's output, on seeded
random int8 inputs (-128 and 127 included). If they disagree, the parameters or this forward are
wrong.

  .venv/bin/python -m pytest tests/python/test_tflite_import.py::test_mlperf     the 4 MLPerf Tiny models (sha256
                                                                 checked), 8 inputs each, + CLI
  .venv/bin/python -m pytest tests/python/test_tflite_import.py::test_synth      random synthetic models (tools/
                                                                 tflite_synth.py) never seen
  .venv/bin/python -m pytest tests/python/test_tflite_import.py::test_errors     every importer error: exit 2,
                                                                 operator and index named, no file
  .venv/bin/python -m pytest tests/python/test_tflite_import.py::test_units      parameter arithmetic edge cases
  .venv/bin/python -m pytest tests/python/test_tflite_import.py::test_fcround    FC requantization rule, probed
                                                                 where candidate rules disagree
  (no argument: all). Options: --inputs N (default 8), --seeds A:B (synth, default 1:41).
PASS/FAIL lines; exit 1 on any failure.
"""

import argparse
import hashlib
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

import tflite_synth
from khtest import OPTS
from kirchhoff import graphfile as gf
from kirchhoff import tflite_import as ti
from kirchhoff import tflite_ref as tr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODELS_DIR = os.path.join(ROOT, "models", "mlperf-tiny")
MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"]
FAILS = []


def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else f": {detail}"), flush=True)
    if not cond:
        FAILS.append(name)
    return cond


# ---- the numpy integer oracle (TFLite reference kernels, double-rounding build) ----------------

I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def wrap32(v):
    v = np.asarray(v, dtype=np.int64)
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def srdhm(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul on int32 values (int64 arrays)."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    ab = a * b
    s = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    q = np.where(s >= 0, s >> 31, -((-s) >> 31))          # division truncating toward zero
    return np.where((a == b) & (a == I32_MIN), I32_MAX, q)


def rdbpot(x, e):
    """gemmlowp RoundingDivideByPOT, 0 <= e <= 31."""
    x = np.asarray(x, np.int64)
    e = np.asarray(e, np.int64)
    mask = (np.int64(1) << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (x < 0)
    return (x >> e) + (rem > thr)


def mbqm(x, m, s):
    """MultiplyByQuantizedMultiplier (left shift, SRDHM, rounding right shift)."""
    s = np.asarray(s, np.int64)
    left = np.maximum(s, 0)
    right = np.maximum(-s, 0)
    return rdbpot(srdhm(wrap32(np.asarray(x, np.int64) << left), m), right)


def _windows(x, kh, kw, sh, sw, pt, pl, oh, ow, fill):
    """x: H x W x C -> oh x ow x kh x kw x C windows, out-of-image positions = fill."""
    h, w, c = x.shape
    pb = max(0, (oh - 1) * sh + kh - pt - h)
    pr = max(0, (ow - 1) * sw + kw - pl - w)
    xp = np.full((h + pt + pb, w + pl + pr, c), fill, dtype=x.dtype)
    xp[pt:pt + h, pl:pl + w] = x
    v = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(0, 1))
    v = v[::sh, ::sw][:oh, :ow]                  # oh x ow x C x kh x kw
    return np.moveaxis(v, 2, 4)                  # oh x ow x kh x kw x C


def mbqm_single(x, m, s):
    """Single rounding (TFLITE_SINGLE_ROUNDING's MultiplyByQuantizedMultiplier): (x * M +
    2^(30 - s)) >> (31 - s) in 64 bits. Not what any kernel here uses: a candidate the FC
    rounding probe (part fcround) rules out."""
    ts = 31 - np.asarray(s, np.int64)
    return (np.asarray(x, np.int64) * np.asarray(m, np.int64) + (np.int64(1) << (ts - 1))) >> ts


def fc_requant_double(acc, eff):
    """The pinned LiteRT's reference FULLY_CONNECTED: (int32)round((double)acc * eff_scale), the
    product in binary64 (round to nearest even), round() half away from zero."""
    v = np.asarray(acc, np.int64).astype(np.float64) * np.asarray(eff, np.float64)
    r = np.trunc(v)
    return (r + np.sign(v) * (np.abs(v - r) >= 0.5)).astype(np.int64)


def _out_stage(acc, nd, t_out):
    acc = wrap32(acc + nd.bias.astype(np.int64))
    if nd.op == gf.OP_FC:
        y = fc_requant_double(acc, nd.eff_scale)
    else:
        y = mbqm(acc, nd.mult.astype(np.int64), nd.shift.astype(np.int64))
    return np.clip(y + t_out.zero_point, nd.act_min, nd.act_max)


def softmax_row(x, p):
    """reference_ops::Softmax (int8 -> int8) on one row; gemmlowp fixed point, scalar ints."""
    mult, lshift, diff_min = p[0], p[1], p[2]

    def s32(v):
        return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)

    def mul(a, b):
        return int(srdhm(a, b))

    def rdiv(v, e):
        return int(rdbpot(v, e))

    def sat_shl(v, e):                            # SaturatingRoundingMultiplyByPOT<e>, e > 0
        thr = (1 << (31 - e)) - 1
        return I32_MAX if v > thr else I32_MIN if v < -thr else v << e

    def exp_interval(a):                          # exp on [-1/4, 0), FixedPoint<int32, 0>
        x = s32(a + (1 << 28))
        x2 = mul(x, x)
        x3 = mul(x2, x)
        x4 = mul(x2, x2)
        x4_4 = rdiv(x4, 2)
        t = rdiv(s32(mul(s32(x4_4 + x3), 715827883) + x2), 1)
        c = 1895147668
        return s32(c + mul(c, s32(x + t)))

    def exp_neg(a):                               # exp_on_negative_values, FixedPoint<int32, 5>
        frac = 26
        quarter = 1 << (frac - 2)
        amq = s32((a & (quarter - 1)) - quarter)
        r = exp_interval(sat_shl(amq, 5))
        rem = s32(amq - a)
        for e, m in ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
                     (2, 39332535), (3, 720401), (4, 242)):
            if rem & (1 << (frac + e)):
                r = mul(r, m)
        return I32_MAX if a == 0 else r

    def one_over_one_plus_x(a):                   # FixedPoint<int32, 0> in [0, 1)
        sm = a + I32_MAX                          # RoundingHalfSum(a, One): int64 sum
        sm += 1 if sm >= 0 else -1
        half = sm // 2 if sm >= 0 else -((-sm) // 2)     # division truncating toward zero
        x = s32(1515870810 + mul(half, -1010580540))
        for _ in range(3):
            one_minus = s32((1 << 29) - mul(half, x))
            x = s32(x + sat_shl(mul(x, one_minus), 2))
        return sat_shl(x, 1)

    xs = [int(v) for v in x]
    mx = max(xs)
    exps = []
    total = 0
    for v in xs:
        d = v - mx
        if d >= diff_min:
            e = exp_neg(mul(d * (1 << lshift), mult))
            exps.append(e)
            total = s32(total + rdiv(e, 12))
        else:
            exps.append(None)
    hp1 = 32 - int(total).bit_length() if total > 0 else 32   # CountLeadingZeros(uint32)
    nbo = 12 - hp1
    ssm1 = s32(((total << hp1) & 0xFFFFFFFF) - (1 << 31))
    scale = one_over_one_plus_x(ssm1)
    expo = nbo + 31 - 8
    out = []
    for e in exps:
        if e is None:
            out.append(-128)
        else:
            u = rdiv(mul(scale, e), expo)
            out.append(max(-128, min(127, u - 128)))
    return np.array(out, np.int64)


def forward(g, x):
    """All tensors of one sample: list indexed by graph tensor id (int64 arrays, HWC)."""
    T = g.tensors
    vals = [None] * len(T)
    vals[0] = np.asarray(x, np.int64).reshape(T[0].shape)
    for nd in g.nodes:
        ti_, to = T[nd.in0], T[nd.out]
        xin = vals[nd.in0]
        if nd.op == gf.OP_FC:
            xv = xin.reshape(-1) - ti_.zero_point
            acc = nd.w.astype(np.float64) @ xv.astype(np.float64)       # exact (< 2^53)
            y = _out_stage(acc.astype(np.int64), nd, to)
        elif nd.op in (gf.OP_CONV, gf.OP_DWCONV):
            win = _windows(xin - ti_.zero_point, nd.kh, nd.kw, nd.stride_h, nd.stride_w,
                           nd.pad_top, nd.pad_left, to.h, to.w, 0)
            if nd.op == gf.OP_CONV:
                pat = win.reshape(to.h * to.w, nd.k).astype(np.float64)
                acc = pat @ nd.w.astype(np.float64).T
            else:
                pat = win.reshape(to.h * to.w, nd.k, to.c).astype(np.float64)
                acc = np.einsum("pkc,ck->pc", pat, nd.w.astype(np.float64))
            y = _out_stage(acc.astype(np.int64), nd, to)
        elif nd.op == gf.OP_ADD:
            p = nd.p
            a = (xin - ti_.zero_point) << p[0]
            b = (vals[nd.in1] - T[nd.in1].zero_point) << p[0]
            s = wrap32(mbqm(a, p[1], p[2]) + mbqm(b, p[3], p[4]))
            y = np.clip(mbqm(s, p[5], p[6]) + to.zero_point, nd.act_min, nd.act_max)
        elif nd.op == gf.OP_AVGPOOL:
            win = _windows(xin, nd.kh, nd.kw, nd.stride_h, nd.stride_w, nd.pad_top,
                           nd.pad_left, to.h, to.w, 0)
            cnt = _windows(np.ones_like(xin), nd.kh, nd.kw, nd.stride_h, nd.stride_w,
                           nd.pad_top, nd.pad_left, to.h, to.w, 0)
            acc = win.sum(axis=(2, 3))
            n = cnt.sum(axis=(2, 3))
            pos = (acc + n // 2) // n
            neg = -((-(acc - n // 2)) // n)
            y = np.clip(np.where(acc > 0, pos, neg), nd.act_min, nd.act_max)
        elif nd.op == gf.OP_MAXPOOL:
            win = _windows(xin, nd.kh, nd.kw, nd.stride_h, nd.stride_w, nd.pad_top,
                           nd.pad_left, to.h, to.w, -1000)
            y = np.clip(win.max(axis=(2, 3)), nd.act_min, nd.act_max)
        elif nd.op == gf.OP_RESHAPE:
            y = xin.reshape(-1)
        elif nd.op == gf.OP_SOFTMAX:
            rows = xin.reshape(-1, ti_.c)
            y = np.stack([softmax_row(r, nd.p) for r in rows])
        else:
            raise AssertionError(f"op {nd.op}")
        vals[nd.out] = np.asarray(y, np.int64).reshape(to.shape)
    return vals


def compare_model(name, path, n_inputs, seed, per_op=True):
    """Import path, run the numpy forward and the interpreter on n_inputs seeded random int8
    inputs; compare every operator output (per_op) and the final output bit for bit."""
    g = ti.import_model(path)
    in_len = g.n_inputs
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, size=(n_inputs, in_len)).astype(np.int8)
    x[0, :min(in_len, 4)] = [-128, 127, -128, 127][:min(in_len, 4)]   # both extremes present
    y_ref = tr.run(path, x)
    all_ref = tr.run_all_tensors(path, x) if per_op else None
    bad_final = 0
    first_bad = None
    for s in range(n_inputs):
        vals = forward(g, x[s])
        out = vals[g.output].reshape(-1).astype(np.int8)
        if not np.array_equal(out, y_ref[s]):
            bad_final += 1
        if per_op and first_bad is None:
            for j, nd in enumerate(g.nodes):
                ref = all_ref[s][g.src_tensors[nd.out]].reshape(-1)
                mine = vals[nd.out].reshape(-1)
                if not np.array_equal(ref.astype(np.int64), mine):
                    k = int(np.flatnonzero(ref.astype(np.int64) != mine)[0])
                    first_bad = (f"sample {s} node {j} ({nd.name}, tflite op {nd.src_index}): "
                                 f"{int(np.sum(ref.astype(np.int64) != mine))} of {mine.size} "
                                 f"differ, first at {k}: interpreter {int(ref[k])}, numpy "
                                 f"{int(mine[k])}")
                    break
    ops = sorted({nd.name for nd in g.nodes})
    check(f"{name}: {n_inputs} inputs, numpy forward == interpreter (BUILTIN_REF) bit for bit "
          f"({len(g.nodes)} nodes: {', '.join(ops)})", bad_final == 0 and first_bad is None,
          f"{bad_final} outputs differ; {first_bad}")
    return g


# ---- parts ----------------------------------------------------------------------------------

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def readme_sums():
    sums = {}
    with open(os.path.join(MODELS_DIR, "README.md")) as f:
        for line in f:
            p = line.split()
            if len(p) == 2 and len(p[0]) == 64 and all(c in "0123456789abcdef" for c in p[0]):
                sums[p[1]] = p[0]
    return sums


def run_cli(args):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sw", "python"))
    return subprocess.run([sys.executable, "-m", "kirchhoff"] + args, capture_output=True,
                          text=True, env=env, cwd=ROOT)


def part_mlperf(n_inputs):
    sums = readme_sums()
    check("mlperf: README lists 5 sha256 sums", len(sums) == 5, sums)
    for fn, want in sorted(sums.items()):
        p = os.path.join(MODELS_DIR, fn)
        check(f"mlperf: sha256 {fn}", os.path.exists(p) and sha256(p) == want,
              f"{sha256(p) if os.path.exists(p) else 'missing'} != {want}")
    with tempfile.TemporaryDirectory() as d:
        for i, m in enumerate(MODELS):
            path = os.path.join(MODELS_DIR, m + ".tflite")
            g = compare_model(f"mlperf {m}", path, n_inputs, seed=100 + i)
            out = os.path.join(d, m + ".khnf")
            r = run_cli(["import", path, "-o", out])
            ok = r.returncode == 0 and os.path.exists(out)
            check(f"mlperf {m}: `python -m kirchhoff import` exit 0", ok, r.stderr)
            if ok:
                with open(out, "rb") as f:
                    data = f.read()
                check(f"mlperf {m}: the CLI's file equals the in-memory graph, reads back",
                      data == gf.graph_to_bytes(g) and
                      gf.graph_to_bytes(gf.read_graph(out)) == data)
        # tflite-ref CLI == the function
        path = os.path.join(MODELS_DIR, "kws_ref_model.tflite")
        x = np.random.default_rng(5).integers(-128, 128, (3, 490)).astype(np.int8)
        xi, yo = os.path.join(d, "x.i8"), os.path.join(d, "y.i8")
        x.tofile(xi)
        r = run_cli(["tflite-ref", path, "--inputs", xi, "--out", yo])
        check("tflite-ref CLI: exit 0, outputs equal tflite_ref.run",
              r.returncode == 0 and np.array_equal(np.fromfile(yo, np.int8).reshape(3, 12),
                                                   tr.run(path, x)), r.stderr)
        np.zeros(491, np.int8).tofile(xi)
        r = run_cli(["tflite-ref", path, "--inputs", xi, "--out", os.path.join(d, "z.i8")])
        check("tflite-ref CLI: 491 bytes for input length 490 -> exit 2, no output",
              r.returncode == 2 and not os.path.exists(os.path.join(d, "z.i8")), r.stderr)
        # the one real anomaly-detection sample: 196 windows of 5 frames, quantized
        spec = np.fromfile(os.path.join(MODELS_DIR, "ad01_sample_normal_id_01_00000000.bin"),
                           "<f4").reshape(200, 128)
        win = np.stack([spec[i:i + 5].reshape(-1) for i in range(0, 196, 49)])
        path = os.path.join(MODELS_DIR, "ad01_int8.tflite")
        g = ti.import_model(path)
        s, zp = g.tensors[0].scale, g.tensors[0].zero_point
        xq = np.clip(np.round(win / s) + zp, -128, 127).astype(np.int8)
        yr = tr.run(path, xq)
        ym = np.stack([forward(g, v)[g.output].reshape(-1) for v in xq]).astype(np.int8)
        check("mlperf ad01: real sample (4 windows) numpy forward == interpreter",
              np.array_equal(yr, ym))


def part_synth(seeds, n_inputs):
    with tempfile.TemporaryDirectory() as d:
        ops_seen = set()
        cases = [(f"synth coverage model seed {s}", tflite_synth.coverage_model(s), s)
                 for s in (1, 2)]
        cases += [(f"synth {a} seed 1", tflite_synth.arch_model(a, 1), 1)
                  for a in tflite_synth.ARCHS]
        cases += [(f"synth seed {s}", tflite_synth.random_model(s), s) for s in seeds]
        for name, data, seed in cases:
            path = os.path.join(d, name.replace(" ", "_") + ".tflite")
            with open(path, "wb") as f:
                f.write(data)
            try:
                g = compare_model(name, path, n_inputs, seed=seed)
                ops_seen |= {nd.name for nd in g.nodes}
                for nd in g.nodes:
                    if nd.op in gf.WINDOW_OPS:
                        t_i, t_o = g.tensors[nd.in0], g.tensors[nd.out]
                        padded = ((t_o.h - 1) * nd.stride_h + nd.kh > t_i.h or
                                  (t_o.w - 1) * nd.stride_w + nd.kw > t_i.w)
                        ops_seen.add(f"{nd.name}/s{max(nd.stride_h, nd.stride_w)}/"
                                     f"{'pad' if padded else 'nopad'}")
                    if nd.op in gf.CLAMP_OPS and (nd.act_min, nd.act_max) != (-128, 127):
                        ops_seen.add("clamp")
                    if nd.op == gf.OP_FC and len(set(nd.mult.tolist())) > 1:
                        ops_seen.add("FC/per-channel")
            except Exception as e:  # report, go on with the next model
                check(f"{name}: imports and runs", False, repr(e))
        want = {"CONV", "DWCONV", "ADD", "AVGPOOL", "MAXPOOL", "RESHAPE", "FC", "SOFTMAX",
                "clamp", "CONV/s2/pad", "CONV/s1/nopad", "CONV/s3/nopad", "DWCONV/s2/pad",
                "AVGPOOL/s2/pad", "MAXPOOL/s2/pad", "FC/per-channel"}
        print(f"     covered: {', '.join(sorted(ops_seen))}")
        check(f"synth: the models cover {', '.join(sorted(want))}", want <= ops_seen,
              f"missing {sorted(want - ops_seen)}")


def _round_away(v):
    r = math.trunc(v)
    return r + (1 if v - r >= 0.5 else -1 if v - r <= -0.5 else 0)


def part_fc_rounding():
    """Which requantization the reference FC uses, probed where the candidates disagree: the
    double rule round((double)acc * eff) with eff from the double product of the scales (the
    importer's eff_scale), the same with TFLite's float32 product s_in * s_w (Prepare's
    GetQuantizedConvolutionMultipler), mult/shift with double rounding
    (MultiplyByQuantizedMultiplier) and with single rounding. Accumulators are chosen (through
    the biases of a K = 1 FC) where the candidates give different outputs; the importer's rule
    must match every probe."""
    rng = np.random.default_rng(11)
    found = {"float-product": 0, "double-rounding": 0, "single-rounding": 0}
    probed = dict(found)
    probes = total = 0
    with tempfile.TemporaryDirectory() as d:
        for trial in range(300):
            s_in, s_w, s_out = (float(np.float32(v)) for v in
                                (rng.uniform(0.01, 0.1), rng.uniform(0.001, 0.01),
                                 rng.uniform(0.001, 0.01)))
            eff_d = ti.conv_channel_real(s_in, s_w, s_out)
            eff_f = ti.fc_per_tensor_real(s_in, s_w, s_out)
            m, e = ti.quantize_multiplier(eff_f)
            acc = np.arange(-int(120 / eff_d), int(120 / eff_d), dtype=np.int64)
            a = fc_requant_double(acc, eff_d)
            alts = {"float-product": fc_requant_double(acc, eff_f),
                    "double-rounding": mbqm(acc, m, e),
                    "single-rounding": mbqm_single(acc, m, e)}
            rare = np.zeros(acc.size, bool)
            for k, v in alts.items():
                found[k] += int(np.sum(v != a))
                if k != "double-rounding":
                    rare |= v != a
            common = (alts["double-rounding"] != a) & ~rare
            pick = np.concatenate([np.flatnonzero(rare), np.flatnonzero(common)])[:64]
            if pick.size == 0:
                continue
            for k, v in alts.items():
                probed[k] += int(np.sum(v[pick] != a[pick]))
            accs = acc[pick].tolist()
            path = os.path.join(d, f"probe{trial}.tflite")
            with open(path, "wb") as f:
                f.write(tflite_synth.fc_probe_model(s_in, s_w, s_out, accs))
            g = ti.import_model(path)
            y_ref = tr.run(path, np.zeros((1, 1), np.int8)).reshape(-1).astype(np.int64)
            y_me = forward(g, np.zeros(1, np.int8))[g.output].reshape(-1)
            probes += 1
            total += int(np.sum(y_ref != y_me))
    check(f"FC rounding probe: {probes} models, accumulators where another rule disagrees "
          f"(float32-product eff {probed['float-product']}, mult/shift double rounding "
          f"{probed['double-rounding']}, single rounding {probed['single-rounding']} probes): the "
          f"importer's eff_scale rule matches the interpreter on every probe",
          probes > 0 and total == 0 and min(probed.values()) > 0,
          f"{total} outputs differ; {probed}")


def part_errors():
    with tempfile.TemporaryDirectory() as d:
        for kind, (idx, word) in tflite_synth.INVALID_KINDS.items():
            path = os.path.join(d, f"bad_{kind}.tflite")
            with open(path, "wb") as f:
                f.write(tflite_synth.invalid_model(kind))
            out = os.path.join(d, f"bad_{kind}.khnf")
            r = run_cli(["import", path, "-o", out])
            msg = r.stderr.strip()
            named = idx is None or f"operator {idx} (" in msg
            check(f"error {kind}: exit 2, names {f'operator {idx}' if idx is not None else ''}"
                  f" '{word}', no output file", r.returncode == 2 and named and word in msg and
                  not os.path.exists(out) and
                  not any(n.startswith(f".bad_{kind}") for n in os.listdir(d)),
                  f"rc {r.returncode}, stderr {msg!r}")
            print(f"     {msg}")
        # malformed flatbuffers (truncated, bytes changed): an import error or a valid graph,
        # never another exception
        base = tflite_synth.coverage_model(1)
        rng = np.random.default_rng(0)
        other = []
        n_err = 0
        for t in range(400):
            b = bytearray(base)
            if t % 3 == 0:
                b = b[:int(rng.integers(8, len(b)))]
            else:
                for _ in range(int(rng.integers(1, 6))):
                    b[int(rng.integers(0, len(b)))] = int(rng.integers(0, 256))
            try:
                gf.graph_to_bytes(ti.import_bytes(bytes(b), "mutant"))
            except ti.TFLiteImportError:
                n_err += 1
            except Exception as e:  # noqa: BLE001 - what this check looks for
                other.append(f"{t}: {type(e).__name__}: {e}")
        check(f"error: 400 truncated / mutated models -> {n_err} import errors, the rest valid "
              "graphs, no other exception", not other, "; ".join(other[:3]))
        # an existing output is left untouched on an error
        out = os.path.join(d, "keep.khnf")
        with open(out, "wb") as f:
            f.write(b"previous")
        r = run_cli(["import", os.path.join(d, "bad_mul.tflite"), "-o", out])
        with open(out, "rb") as f:
            check("error: an existing output file is left as it was", r.returncode == 2 and
                  f.read() == b"previous")
        # not a flatbuffer, a missing file, output == input
        junk = os.path.join(d, "junk.tflite")
        with open(junk, "wb") as f:
            f.write(b"\x00" * 64)
        r = run_cli(["import", junk, "-o", os.path.join(d, "j.khnf")])
        check("error: a non-TFLite file -> exit 2, no output", r.returncode == 2 and
              not os.path.exists(os.path.join(d, "j.khnf")), r.stderr)
        r = run_cli(["import", os.path.join(d, "missing.tflite"), "-o", os.path.join(d, "m.khnf")])
        check("error: a missing model -> exit 2", r.returncode == 2, r.stderr)
        src = os.path.join(d, "same.tflite")
        with open(src, "wb") as f:
            f.write(tflite_synth.random_model(1))
        r = run_cli(["import", src, "-o", src])
        check("error: output == input -> exit 2, the model is not overwritten",
              r.returncode == 2 and open(src, "rb").read() == tflite_synth.random_model(1),
              r.stderr)


def part_units():
    qm = ti.quantize_multiplier
    check("QuantizeMultiplier(0.5) = (2^30, 0)", qm(0.5) == (1 << 30, 0), qm(0.5))
    check("QuantizeMultiplier(1.0) = (2^30, 1)", qm(1.0) == (1 << 30, 1), qm(1.0))
    # 1 - 2^-33 rounds up to 2^31 -> halved, shift + 1
    check("QuantizeMultiplier(1 - 2^-33) = (2^30, 1)", qm(1 - 2.0 ** -33) == (1 << 30, 1),
          qm(1 - 2.0 ** -33))
    check("QuantizeMultiplier(2^-40) flushes to (0, 0)", qm(2.0 ** -40) == (0, 0), qm(2.0 ** -40))
    check("QuantizeMultiplier(0) = (0, 0)", qm(0.0) == (0, 0))
    # round half away from zero: m * 2^31 = x.5 exactly
    r = (2 ** 30 + 0.5) / 2 ** 31
    check("QuantizeMultiplier: a half rounds away from zero", qm(r) == (2 ** 30 + 1, 0), qm(r))
    check("TfLiteRound(-2.5) = -3, (2.5) = 3, (0.49999999999999994) = 0",
          (ti.tflite_round(-2.5), ti.tflite_round(2.5), ti.tflite_round(0.49999999999999994))
          == (-3, 3, 0))
    # FC per-tensor: the float32 product differs from the double product for some scales
    diff = 0
    rng = np.random.default_rng(1)
    for _ in range(2000):
        a, b, c = (float(np.float32(v)) for v in rng.uniform(1e-3, 1, 3))
        if ti.fc_per_tensor_real(a, b, c) != ti.conv_channel_real(a, b, c):
            diff += 1
    check("FC per-tensor multiplier uses a float32 product (differs from double for some "
          f"scales: {diff} of 2000)", diff > 0)
    lo, hi = ti.activation_range(tflite_synth.ACT.RELU6, 6.0 / 255, -128)
    check("RELU6 clamp at scale 6/255, zp -128 = [-128, 127]", (lo, hi) == (-128, 127), (lo, hi))
    lo, hi = ti.activation_range(tflite_synth.ACT.RELU, 0.1, 5)
    check("RELU clamp at zp 5 = [5, 127]", (lo, hi) == (5, 127), (lo, hi))
    p = ti.softmax_params(1.0, 0.1)
    check(f"softmax params: shift >= 0, diff_min < 0 ({p})", p[1] >= 0 and p[2] < 0 and
          p[0] >= (1 << 30))
    check("SAME padding: in 49, k 10, s 2 -> out 25, pad 4",
          ti.out_size(0, 49, 10, 2) == 25 and ti.pad_before(49, 10, 2, 25) == 4)
    # graph file: a corrupted byte is caught by the CRC; a bad version is named
    data = bytearray(tflite_synth.random_model(2))
    with tempfile.TemporaryDirectory() as d:
        pth = os.path.join(d, "m.tflite")
        with open(pth, "wb") as f:
            f.write(data)
        img = bytearray(gf.graph_to_bytes(ti.import_model(pth)))
    bad = bytearray(img)
    bad[100] ^= 1
    for nm, buf, word in (("CRC", bad, "CRC"), ("version 2", img[:4] + b"\x02" + img[5:],
                                                "version")):
        try:
            gf.graph_from_bytes(bytes(buf))
            check(f"graph file: {nm} rejected", False, "accepted")
        except gf.GraphFormatError as e:
            check(f"graph file: {nm} rejected with a message", word in str(e), str(e))


def _main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("parts", nargs="*", default=["units", "fcround", "mlperf", "synth", "errors"])
    ap.add_argument("--inputs", type=int, default=8)
    ap.add_argument("--seeds", default="1:41")
    a = ap.parse_args(argv)
    FAILS.clear()
    a0, a1 = (int(v) for v in a.seeds.split(":"))
    for part in a.parts:
        if part == "units":
            part_units()
        elif part == "mlperf":
            part_mlperf(a.inputs)
        elif part == "synth":
            part_synth(range(a0, a1), a.inputs)
        elif part == "errors":
            part_errors()
        elif part == "fcround":
            part_fc_rounding()
        else:
            print(f"unknown part {part}", file=sys.stderr)
            return 2
    print(f"{'FAIL' if FAILS else 'PASS'}: {len(FAILS)} failure(s)")
    return 1 if FAILS else 0


def test_units():
    """unit checks of the integer oracle and the importer"""
    assert _main(["units", "--inputs", str(OPTS.inputs), "--seeds", OPTS.seeds]) == 0


def test_fcround():
    """fully connected rounding == TFLite"""
    assert _main(["fcround", "--inputs", str(OPTS.inputs), "--seeds", OPTS.seeds]) == 0


def test_mlperf():
    """MLPerf Tiny models: import == TFLite BUILTIN_REF bit for bit"""
    assert _main(["mlperf", "--inputs", str(OPTS.inputs), "--seeds", OPTS.seeds]) == 0


def test_synth():
    """synthetic models of many seeds == TFLite BUILTIN_REF"""
    assert _main(["synth", "--inputs", str(OPTS.inputs), "--seeds", OPTS.seeds]) == 0


def test_errors():
    """bad models and graph files are rejected with a message"""
    assert _main(["errors", "--inputs", str(OPTS.inputs), "--seeds", OPTS.seeds]) == 0

