#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""python.graph.forward_vs_tflite: the C reference graph pass (`aimc forward` on a version-3 file,
sw/src/graph_ref.c) against the TFLite interpreter with its reference kernels (ai-edge-litert,
OpResolverType.BUILTIN_REF), bit for bit.

Models: the four MLPerf Tiny models (models/mlperf-tiny/), 8 seeded random int8 inputs each (and
8 windows of the shipped real anomaly-detection sample for ad01); random synthetic models and two coverage
models of every operator and feature (tools/tflite_synth.py); an FC with power-of-two scales, where exact ties of
acc * scale are frequent and any integer shortcut for the FC kernel's double-precision
requantization shows; and a SOFTMAX over 511 values.

Each model is imported with the real command line (`python -m kirchhoff import MODEL -o NET`) and
the file is used as written. Its FC eff_scale arrays (binary64 s_in * s_w / s_out, what LiteRT's
reference FC requantizes with) are also checked bit for bit against the scales the interpreter
itself reports (docs/network-format.md, "Version 3").

  test_graph_forward.py [--build DIR] [--seed N] [--keep DIR]
Exit 0 pass, 1 fail (each failure prints the rerun command), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from khtest import OPTS
from kirchhoff import graphfile as gf
from kirchhoff import tflite_import as ti
from kirchhoff import tflite_ref as tr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"]
SYNTH_SEEDS = [1, 2, 3, 4, 5, 6]
N_INPUTS = 8

failures = 0


def report(ok: bool, name: str, detail: str, rerun: str) -> None:
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {detail}\n  rerun: {rerun}")


def eff_scales(model: str, g: gf.Graph) -> dict:
    """{node index: float64[n]} for the FC nodes: float(s_in) * float(s_w[c]) / float(s_out) with
    the float32 scales the interpreter reports (LiteRT's reference FC, per tensor or channel)."""
    from ai_edge_litert.interpreter import Interpreter
    it = Interpreter(model_path=model)
    ops = it._get_ops_details()
    det = {d["index"]: d for d in it.get_tensor_details()}
    out = {}
    for i, nd in enumerate(g.nodes):
        if nd.op != gf.OP_FC:
            continue
        op = ops[nd.src_index]

        def sc(ti_):
            return np.asarray(det[ti_]["quantization_parameters"]["scales"], np.float32)
        s_in, s_w, s_out = sc(op["inputs"][0]), sc(op["inputs"][1]), sc(op["outputs"][0])
        out[i] = np.array([float(s_in[0]) * float(s_w[c if s_w.size > 1 else 0]) / float(s_out[0])
                           for c in range(nd.n)], np.float64)
    return out


def file_eff_scales(data: bytes, g: gf.Graph) -> dict:
    """{node index: float64[n]} read from the FC nodes' arrays of a version-3 image, walking the
    documented layout (None if the image does not have them)."""
    off = 32 + 8 + 24 * len(g.tensors)
    out = {}
    for i, nd in enumerate(g.nodes):
        off += 96
        if nd.op in gf.CHIP_OPS:
            wb = nd.n * nd.k
            off += wb + (-wb) % 4 + 12 * nd.n
            if nd.op == gf.OP_FC:
                out[i] = np.frombuffer(data, "<f8", nd.n, off) if off + 8 * nd.n <= len(data) \
                    else None
                off += 8 * nd.n
    return out if off == len(data) - 4 else None


def with_eff_scale(data: bytes, g: gf.Graph, eff: dict) -> bytes:
    """A version-3 image with eff_scale[n] after each FC node's shift array: data as it is when it
    has them (the importer writes them), else spliced in with file_size and CRC recomputed (files
    of an importer from before eff_scale). Kept for tests/python/test_graph_run.py."""
    import struct
    import zlib
    if file_eff_scales(data, g) is not None:
        return data
    off = 32 + 8 + 24 * len(g.tensors)
    pos, parts = 0, []
    for i, nd in enumerate(g.nodes):
        off += 96
        if nd.op in gf.CHIP_OPS:
            wb = nd.n * nd.k
            off += wb + (-wb) % 4 + 12 * nd.n
            if nd.op == gf.OP_FC:
                parts.append(data[pos:off])
                parts.append(np.asarray(eff[i], "<f8").tobytes())
                pos = off
    parts.append(data[pos:-4])
    body = bytearray(b"".join(parts))
    struct.pack_into("<I", body, 28, len(body) + 4)
    return bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)


def run_case(name: str, model: str, x: np.ndarray, aimc: str, work: str, rerun: str) -> None:
    net = os.path.join(work, name + ".khnf")
    xin = os.path.join(work, name + ".x.i8")
    yout = os.path.join(work, name + ".y.i8")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sw", "python"))
    p = subprocess.run([sys.executable, "-m", "kirchhoff", "import", model, "-o", net],
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        report(False, name, f"import exit {p.returncode}: {p.stderr.strip()}", rerun)
        return
    with open(net, "rb") as f:
        data = f.read()
    g = gf.graph_from_bytes(data, net)
    # the TFLite operator of each node (src_index) is known to the parser, not stored in the file
    gm = ti.import_model(model)
    got, want = file_eff_scales(data, g), eff_scales(model, gm)
    ok = got is not None and all(np.array_equal(got[i].view(np.uint64), want[i].view(np.uint64))
                                 for i in want)
    if want:
        report(ok, f"{name}: FC eff_scale bits == s_in*s_w/s_out from the interpreter's scales",
               "missing or different", rerun)
    x.astype(np.int8).tofile(xin)
    p = subprocess.run([aimc, "forward", "--net", net, "--inputs", xin, "--out", yout],
                       capture_output=True, text=True)
    if p.returncode != 0:
        report(False, name, f"aimc forward exit {p.returncode}: {p.stderr.strip()}", rerun)
        return
    y = np.fromfile(yout, np.int8).reshape(x.shape[0], -1)
    ref = tr.run(model, x)
    if y.shape != ref.shape:
        report(False, name, f"output shape {y.shape}, TFLite {ref.shape}", rerun)
        return
    bad = np.argwhere(y != ref)
    detail = ""
    if bad.size:
        s, j = bad[0]
        detail = (f"{len(bad)} of {ref.size} outputs differ; first: input {s}, output {j}: "
                  f"C {int(y[s, j])}, TFLite {int(ref[s, j])}")
    report(bad.size == 0, f"{name}: {x.shape[0]} inputs, {ref.size} outputs bit-exact with "
           "BUILTIN_REF", detail, rerun)


def run_per_node(name: str, model: str, x1: np.ndarray, aimc: str, work: str, rerun: str) -> None:
    """Every node's output tensor, not only the graph's: the graph cut after node i (tensors
    renumbered) through aimc forward, against the interpreter's intermediate tensor."""
    import copy
    g = ti.import_model(model)
    ref = tr.run_all_tensors(model, x1)[0]
    net = os.path.join(work, name + ".cut.khnf")
    xin = os.path.join(work, name + ".cut.x.i8")
    yout = os.path.join(work, name + ".cut.y.i8")
    x1.astype(np.int8).tofile(xin)
    bad = []
    for i in range(len(g.nodes)):
        h = copy.deepcopy(g)
        h.nodes = h.nodes[:i + 1]
        used = sorted({0} | {nd.out for nd in h.nodes})
        new_id = {old: j for j, old in enumerate(used)}
        h.tensors = [g.tensors[t] for t in used]
        for nd in h.nodes:
            nd.in0, nd.out = new_id[nd.in0], new_id[nd.out]
            if nd.in1 != gf.NO_TENSOR:
                nd.in1 = new_id[nd.in1]
        with open(net, "wb") as f:
            f.write(gf.graph_to_bytes(h))
        p = subprocess.run([aimc, "forward", "--net", net, "--inputs", xin, "--out", yout],
                           capture_output=True, text=True)
        y = np.fromfile(yout, np.int8) if p.returncode == 0 else None
        want = ref[g.src_tensors[g.nodes[i].out]].reshape(-1)
        if y is None or y.shape != want.shape or np.any(y != want):
            bad.append(f"node {i} ({g.nodes[i].name}): " +
                       (p.stderr.strip() if y is None else
                        f"{int(np.sum(y != want))} of {want.size} values differ"))
    report(not bad, f"{name}: every node's output tensor ({len(g.nodes)} nodes) bit-exact",
           "; ".join(bad[:3]), rerun)


def pot_fc_model(path: str) -> None:
    """FC 16 -> 8 with power-of-two scales (input 1/16, weights 1/64, output 1/2: scale 2^-9), so
    that acc * scale is often exactly a half."""
    import tflite_synth as ts
    r = np.random.default_rng(5)
    mb = ts.ModelBuilder()
    x = mb.act([1, 16], 1.0 / 16, -3, name="input")
    w = r.integers(-127, 128, size=(8, 16)).astype(np.int8)
    wt = mb.tensor([8, 16], ts.TT.INT8, [1.0 / 64], [0], data=w.tobytes())
    b = r.integers(-600, 600, size=8).astype(np.int32)
    bt = mb.tensor([8], ts.TT.INT32, [1.0 / 1024], [0], data=b.tobytes())
    y = mb.act([1, 8], 0.5, 5, name="out")
    mb.op(ts.BOP.FULLY_CONNECTED, [x, wt, bt], [y], ts.OPT.FullyConnectedOptions,
          ts.fc_opts(ts.ACT.NONE))
    with open(path, "wb") as f:
        f.write(mb.build([x], [y]))


def softmax_model(path: str, depth: int) -> None:
    """SOFTMAX alone over depth values (input scale 0.1, beta 1)."""
    import tflite_synth as ts
    mb = ts.ModelBuilder()
    x = mb.act([1, depth], 0.1, 0, name="input")
    y = mb.act([1, depth], 1.0 / 256, -128, name="out")
    mb.op(ts.BOP.SOFTMAX, [x], [y], ts.OPT.SoftmaxOptions, ts.softmax_opts(1.0))
    with open(path, "wb") as f:
        f.write(mb.build([x], [y]))


def cli_errors(aimc: str, work: str, rerun: str) -> None:
    """aimc forward on a broken version-3 file or inputs: exit 2, a message naming the problem,
    no output file."""
    net = os.path.join(work, "softmax511.khnf")          # written by the softmax511 case
    with open(net, "rb") as f:
        data = bytearray(f.read())
    bad = os.path.join(work, "broken.khnf")
    data[48] ^= 1                                         # tensor 0's c, CRC left stale
    with open(bad, "wb") as f:
        f.write(data)
    xin = os.path.join(work, "cli.x.i8")
    np.zeros(511, np.int8).tofile(xin)
    for what, netp, xlen, want in (("corrupt file", bad, 511, "'crc32'"),
                                   ("inputs not a multiple of n_inputs", net, 510, "n_inputs")):
        np.zeros(xlen, np.int8).tofile(xin)
        out = os.path.join(work, "cli.y.i8")
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run([aimc, "forward", "--net", netp, "--inputs", xin, "--out", out],
                           capture_output=True, text=True)
        report(p.returncode == 2 and want in p.stderr and not os.path.exists(out),
               f"aimc forward, version 3, {what}: exit 2, message, nothing written",
               f"exit {p.returncode}, stderr '{p.stderr.strip()}'", rerun)


def _main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="keep the files in this folder")
    a = ap.parse_args(argv)
    aimc = os.path.join(a.build, "sw", "aimc")
    if not os.access(aimc, os.X_OK):
        print(f"test_graph_forward: {aimc} not built (make sw)", file=sys.stderr)
        return 2
    rerun = f"{sys.executable} {os.path.relpath(__file__, ROOT)} --build {a.build} --seed {a.seed}"
    print(f"# {rerun}")
    work = a.keep or tempfile.mkdtemp(prefix="graph_fwd.")
    os.makedirs(work, exist_ok=True)
    mdir = os.path.join(ROOT, "models", "mlperf-tiny")
    for i, m in enumerate(MODELS):
        model = os.path.join(mdir, m + ".tflite")
        n_in, _ = tr.io_lengths(model)
        r = np.random.default_rng([a.seed, i])
        x = r.integers(-128, 128, size=(N_INPUTS, n_in)).astype(np.int8)
        run_case(m, model, x, aimc, work, rerun)
    # intermediate tensors (the softmax at the end of three models could hide a one-LSB error)
    for i, m in enumerate(MODELS):
        model = os.path.join(mdir, m + ".tflite")
        n_in, _ = tr.io_lengths(model)
        x1 = np.random.default_rng([a.seed, 50 + i]).integers(-128, 128, size=n_in)
        run_per_node(m, model, x1.astype(np.int8), aimc, work, rerun)
    # the real anomaly-detection sample: windows of 5 frames x 128 mel bins, quantized with the
    # model's input scale and zero point
    model = os.path.join(mdir, "ad01_int8.tflite")
    from ai_edge_litert.interpreter import Interpreter
    q = Interpreter(model_path=model).get_input_details()[0]["quantization"]
    spec = np.fromfile(os.path.join(mdir, "ad01_sample_normal_id_01_00000000.bin"),
                       "<f4").reshape(200, 128)
    win = np.stack([spec[s:s + 5].reshape(-1) for s in range(0, 196, 24)])
    xq = np.clip(np.round(win / q[0]) + q[1], -128, 127).astype(np.int8)
    run_case("ad01_int8_real_sample", model, xq, aimc, work, rerun)
    # synthetic models of every operator (CONV SAME/VALID strides 1..3, DWCONV, ADD, pools,
    # RESHAPE, FC, SOFTMAX, fused activations)
    import tflite_synth as ts
    for s in SYNTH_SEEDS:
        model = os.path.join(work, f"synth{s}.tflite")
        with open(model, "wb") as f:
            f.write(ts.random_model(s))
        n_in, _ = tr.io_lengths(model)
        x = np.random.default_rng([a.seed, 100 + s]).integers(-128, 128, size=(N_INPUTS, n_in))
        run_case(f"synth{s}", model, x.astype(np.int8), aimc, work, rerun)
    for s in (1, 2):
        model = os.path.join(work, f"coverage{s}.tflite")
        with open(model, "wb") as f:
            f.write(ts.coverage_model(s))   # every operator and feature, MAXPOOL included
        n_in, _ = tr.io_lengths(model)
        x = np.random.default_rng([a.seed, 150 + s]).integers(-128, 128, size=(N_INPUTS, n_in))
        run_case(f"coverage{s}", model, x.astype(np.int8), aimc, work, rerun)
        run_per_node(f"coverage{s}", model, x[0].astype(np.int8), aimc, work, rerun)
    model = os.path.join(work, "fc_pot.tflite")
    pot_fc_model(model)
    x = np.random.default_rng([a.seed, 200]).integers(-128, 128, size=(400, 16)).astype(np.int8)
    run_case("fc_pow2_scales", model, x, aimc, work, rerun)
    # softmax over 511 values, the most TFLite's kernel computes for a row of equal values (512
    # make it abort); rows: all equal, random, all near the top
    model = os.path.join(work, "softmax511.tflite")
    softmax_model(model, 511)
    r = np.random.default_rng([a.seed, 300])
    x = np.stack([np.zeros(511), r.integers(-128, 128, 511), r.integers(100, 128, 511)])
    run_case("softmax511", model, x.astype(np.int8), aimc, work, rerun)
    cli_errors(aimc, work, rerun)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'PASS' if failures == 0 else 'FAIL'}: {failures} failures")
    return 1 if failures else 0


def test_graph_forward_vs_tflite():
    """imported graphs: numpy forward == TFLite BUILTIN_REF == C model, bit for bit"""
    assert _main(["--build", OPTS.build, "--seed", str(OPTS.seed)] + (["--keep", OPTS.keep] if OPTS.keep else [])) == 0

