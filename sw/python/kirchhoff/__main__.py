# SPDX-License-Identifier: Apache-2.0
"""Command line of the Kirchhoff Python tooling.

  python -m kirchhoff export --out DIR [--data CSV] [--config-json CFG.json]
      train and quantize the MLP (digits or CSV), write DIR/net.khnf, DIR/test_inputs.i8 (int8,
      n x n_inputs), DIR/test_labels.txt, DIR/expected_int8.i8 (the ideal chip's outputs, numpy)
      and DIR/meta.json. With --config-json (the output of `aimc config --json CFG`) the
      adc_shift of each layer is calibrated for that config.
  python -m kirchhoff info NET.khnf
      validate a network file and print its layers (versions 1 and 2) or its nodes (version 3,
      a graph: kirchhoff.graphfile).
  python -m kirchhoff import MODEL.tflite -o NET.khnf
      import an int8 TFLite model (docs/network-format.md, version 3). Errors (an unsupported
      operator, a float model, ...) name the operator and its index; exit 2, nothing written.
  python -m kirchhoff tflite-ref MODEL.tflite --inputs X.i8 --out Y.i8
      the TFLite interpreter's reference kernels (BUILTIN_REF) on raw int8 inputs (n x input
      length, row-major): raw int8 outputs (n x output length).

Run with sw/python on PYTHONPATH (or from sw/python). Exit 0 ok, 1 error, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from . import atomic
from . import data as kdata
from . import export as kexport
from . import pipeline as kpipe
from . import quantize as kq


def cmd_export(a: argparse.Namespace) -> int:
    cfg = None
    if a.config_json:
        try:
            with open(a.config_json) as f:
                cfg = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            raise SystemExit(f"kirchhoff export: --config-json {a.config_json}: {e}") from None
        missing = [k for k in ("name", "rows", "dac_bits", "adc_bits", "prog_sigma", "read_sigma")
                   if k not in cfg]
        if missing:
            raise SystemExit(f"kirchhoff export: {a.config_json} lacks {', '.join(missing)}")
    pr = kpipe.prepare(a.data)
    cal = kq.calibrate_adc_shifts(pr.qnet, pr.xtr, cfg) if cfg else None
    qnet = pr.qnet.with_adc_shifts(cal.shifts) if cal else pr.qnet
    os.makedirs(a.out, exist_ok=True)
    inputs = [p for p in (a.data, a.config_json) if p]
    net_bytes = kexport.net_to_bytes(qnet)
    expected = kq.forward_int8(qnet, pr.xte)
    meta = {"network": pr.name, "source": pr.ds.source, "layers": pr.dims,
            "classes": pr.ds.classes, "test_samples": int(len(pr.yte)),
            "in_scale": qnet.in_scale, "adc_shifts": [L.adc_shift for L in qnet.layers],
            "config": cfg["name"] if cfg else None, "accuracy_float": pr.acc_float,
            "expected_int8_is_exact_for": "ideal configs (adc_shift 0)" if not cal else
            "ideal configs only; the calibrated shifts apply to " + cfg["name"]}
    # every file through a temporary; none replaced unless all were written (kirchhoff.atomic)
    atomic.write_many({
        os.path.join(a.out, "net.khnf"): net_bytes,
        os.path.join(a.out, "test_inputs.i8"): np.ascontiguousarray(pr.xte, np.int8).tobytes(),
        os.path.join(a.out, "test_labels.txt"): "".join(f"{int(v)}\n" for v in pr.yte),
        os.path.join(a.out, "expected_int8.i8"): np.ascontiguousarray(expected, np.int8).tobytes(),
        os.path.join(a.out, "meta.json"): json.dumps(meta, indent=2) + "\n"}, inputs=inputs)
    print(f"{pr.name} {'-'.join(map(str, pr.dims))}: float accuracy {100 * pr.acc_float:.2f} %, "
          f"adc_shifts {meta['adc_shifts']}; wrote {a.out}/net.khnf, test_inputs.i8 "
          f"({len(pr.yte)} x {qnet.n_inputs}), test_labels.txt, expected_int8.i8, meta.json")
    return 0


def _file_version(path):
    """The version field of a network file's header (bytes 4-5), or None if it is too short."""
    with open(path, "rb") as f:
        head = f.read(6)
    return int.from_bytes(head[4:6], "little") if len(head) == 6 else None


def cmd_info_graph(a: argparse.Namespace) -> int:
    """info on a version-3 file (a graph of TFLite int8 operators, kirchhoff.graphfile)."""
    from . import graphfile as kgf
    g = kgf.read_graph(a.net)
    chip = [n for n in g.nodes if n.op in kgf.CHIP_OPS]
    macs = sum(int(n.k) * int(n.n) * (g.tensors[n.out].h * g.tensors[n.out].w
                                      if n.op != kgf.OP_FC else 1) for n in chip)
    print(f"{a.net}: version 3 graph, {len(g.nodes)} nodes ({len(chip)} on the chip), "
          f"{len(g.tensors)} tensors, {g.n_inputs} inputs, {g.n_outputs} outputs, "
          f"in_scale {g.tensors[0].scale:.6g}, {macs} chip MACs")
    for i, nd in enumerate(g.nodes):
        t_in, t_out = g.tensors[nd.in0], g.tensors[nd.out]
        line = (f"  node {i}: {nd.name} {'x'.join(map(str, t_in.shape))} -> "
                f"{'x'.join(map(str, t_out.shape))}")
        if nd.op in kgf.CHIP_OPS:
            line += (f", k {nd.k} n {nd.n}, adc_shift {nd.adc_shift}, |w| max "
                     f"{int(np.max(np.abs(nd.w.astype(int))))}")
        if nd.op in kgf.WINDOW_OPS:
            line += f", kernel {nd.kh}x{nd.kw} stride {nd.stride_h}x{nd.stride_w}"
        print(line)
    return 0


def cmd_info(a: argparse.Namespace) -> int:
    if _file_version(a.net) == 3:
        return cmd_info_graph(a)
    net = kexport.read_net(a.net)
    print(f"{a.net}: {len(net.layers)} layers, {net.n_inputs} inputs, {net.n_classes} classes, "
          f"in_scale {net.in_scale:.6g}, {net.macs()} MACs")
    for i, L in enumerate(net.layers):
        print(f"  layer {i}: {L.k} -> {L.n}{' relu' if L.relu else ''}, adc_shift {L.adc_shift}, "
              f"|w| max {int(np.max(np.abs(L.w.astype(int))))}, shift {int(L.shift.min())}.."
              f"{int(L.shift.max())}")
    return 0


def cmd_import(a: argparse.Namespace) -> int:
    from . import graphfile as kgf
    from . import tflite_import as kti
    try:
        g = kti.import_to_file(a.model, a.out)
    except (kti.TFLiteImportError, kgf.GraphFormatError) as err:
        print(f"kirchhoff import: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"kirchhoff import: {err}", file=sys.stderr)
        return 2 if not os.path.exists(a.model) else 1
    chip = sum(1 for n in g.nodes if n.op in kgf.CHIP_OPS)
    print(f"{a.model}: {len(g.nodes)} nodes ({chip} on the chip), {len(g.tensors)} tensors, "
          f"{g.n_inputs} inputs, {g.n_outputs} outputs; wrote {a.out}")
    if a.verbose:
        print(kti.describe(g))
    return 0


def cmd_tflite_ref(a: argparse.Namespace) -> int:
    from . import graphfile as kgf
    from . import tflite_ref as ktr
    try:
        in_len, _ = ktr.io_lengths(a.model)
        x = ktr.read_inputs(a.inputs, in_len)
        y = ktr.run(a.model, x)
        kgf.write_atomic(a.out, y.tobytes(), src=a.inputs)
    except (ktr.RefError, kgf.GraphFormatError) as err:
        print(f"kirchhoff tflite-ref: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"kirchhoff tflite-ref: {err}", file=sys.stderr)
        return 2
    print(f"{a.model}: {x.shape[0]} inputs of {in_len} -> {a.out} ({y.shape[0]} x {y.shape[1]} "
          "int8, reference kernels)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kirchhoff",
                                 description="Kirchhoff training, quantization and export.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="train, quantize and write a network file and test data")
    e.add_argument("--out", required=True, help="output directory")
    e.add_argument("--data", help="CSV data set (default: scikit-learn digits)")
    e.add_argument("--config-json", help="config as printed by `aimc config --json CFG`")
    i = sub.add_parser("info", help="validate a network file and print its layers")
    i.add_argument("net")
    m = sub.add_parser("import", help="import an int8 TFLite model to a network file (v3)")
    m.add_argument("model")
    m.add_argument("-o", "--out", required=True, help="output network file (.khnf)")
    m.add_argument("-v", "--verbose", action="store_true", help="print the nodes")
    r = sub.add_parser("tflite-ref", help="run the TFLite reference kernels on int8 inputs")
    r.add_argument("model")
    r.add_argument("--inputs", required=True, help="raw int8 inputs, n x input length")
    r.add_argument("--out", required=True, help="raw int8 outputs, n x output length")
    a = ap.parse_args(argv)
    if a.cmd == "import":
        return cmd_import(a)
    if a.cmd == "tflite-ref":
        return cmd_tflite_ref(a)
    try:
        return cmd_export(a) if a.cmd == "export" else cmd_info(a)
    except (kdata.DataError, kq.QuantError, kexport.NetFormatError, OSError,
            atomic.SameFileError) as err:
        print(f"kirchhoff {a.cmd}: {err}", file=sys.stderr)
        return 1
    except ValueError as err:  # kirchhoff.graphfile.GraphFormatError (info on a version-3 file)
        print(f"kirchhoff {a.cmd}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
