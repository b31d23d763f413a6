#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""python.graph.forward_vs_tflite: the C reference graph pass (`aimc forward` on a version-3 file,
sw/src/graph_ref.c) against the TFLite interpreter with its reference kernels (ai-edge-litert,
OpResolverType.BUILTIN_REF), bit for bit.

Models: the four MLPerf Tiny models (models/mlperf-tiny/), 8 seeded random int8 inputs each (and
8 windows of the shipped real anomaly-detection sample for ad01); random synthetic models of every
operator (tools/tflite_synth.py); and an FC with power-of-two scales, where exact ties of
acc * scale are frequent and any integer shortcut for the FC kernel's double-precision
requantization shows.

Each model goes through the importer's parser and writer (kirchhoff.tflite_import,
kirchhoff.graphfile). The FC nodes' eff_scale arrays (binary64 s_in * s_w / s_out, as LiteRT's
reference FC computes it) are taken from the interpreter's own tensor details and spliced in here
when the importer's file has none (docs/network-format.md, "Version 3").

  test_graph_forward.py [--build DIR] [--seed N] [--keep DIR]
Exit 0 pass, 1 fail (each failure prints the rerun command), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import shutil
import tempfile
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "sw", "python"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from kirchhoff import graphfile as gf  # noqa: E402
from kirchhoff import tflite_import as ti  # noqa: E402
from kirchhoff import tflite_ref as tr  # noqa: E402

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


def with_eff_scale(data: bytes, g: gf.Graph, eff: dict) -> bytes:
    """The importer's version-3 image with eff_scale[n] after each FC node's shift array (if the
    importer did not write them), file_size and CRC recomputed."""
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
    if off == len(data) - 4:              # the importer wrote no eff_scale: splice them in
        parts.append(data[pos:-4])
        body = bytearray(b"".join(parts))
        struct.pack_into("<I", body, 28, len(body) + 4)
        return bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)
    return data                            # already there: the file is used as written


def run_case(name: str, model: str, x: np.ndarray, aimc: str, work: str, rerun: str) -> None:
    try:
        g = ti.import_model(model)
        data = with_eff_scale(gf.graph_to_bytes(g), g, eff_scales(model, g))
    except Exception as e:  # noqa: BLE001 - any importer error is a failure of this case
        report(False, name, f"import: {e}", rerun)
        return
    net = os.path.join(work, name + ".khnf")
    xin = os.path.join(work, name + ".x.i8")
    yout = os.path.join(work, name + ".y.i8")
    with open(net, "wb") as f:
        f.write(data)
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


def main(argv=None) -> int:
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
    model = os.path.join(work, "fc_pot.tflite")
    pot_fc_model(model)
    x = np.random.default_rng([a.seed, 200]).integers(-128, 128, size=(400, 16)).astype(np.int8)
    run_case("fc_pow2_scales", model, x, aimc, work, rerun)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'PASS' if failures == 0 else 'FAIL'}: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
