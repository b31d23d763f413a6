#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make sim MODEL=net.tflite`: an int8 TFLite model on the chip, four ways, in one table.

  1. the TFLite reference kernels (ai-edge-litert, OpResolverType.BUILTIN_REF): the oracle;
  2. the C model in the ideal config (REF_CONFIG, default edge_ideal): must equal 1 bit for bit;
  3. the C model in the noisy config (CONFIG, default edge), ADC ranges calibrated per node;
  4. the RTL (Verilator) in CONFIG: must equal 3 bit for bit on the inputs it runs.
Then noisy vs reference (top-1 agreement for a classifier, mean and max absolute error in output
LSBs, output SNR) and the chip model (cycles, latency, energy, TOPS/W, array utilization). For the
anomaly-detection model the shipped real sample is scored too (docs/models.md).

  sim_model.py --model M.tflite --config CFG --ref-config REFCFG --build DIR --seed N
               [--inputs X.i8] [--samples N] [--rtl-samples N]

Exit 0 when every required comparison is bit-exact, 1 otherwise (with the rerun command), 2 for
a usage or input error.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import hashlib
import json
import shlex
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from kirchhoff import atomic
from kirchhoff import graphcal as kcal
from kirchhoff import graphfile as gf
from kirchhoff import perf as kperf
from kirchhoff import tflite_import as ti
from kirchhoff import tflite_ref as kref
from sim import BACKDOOR_CELLS, SimError, door_flags, load_cfg, log, print_digital, resolve_cfg, run_tool, tool_versions

AD_SAMPLE = "ad01_sample_normal_id_01_00000000.bin"
AD_FRAMES, AD_MELS, AD_WINDOW = 200, 128, 5
MODELS_DIR = os.path.join(ROOT, "models", "mlperf-tiny")
RTL_AUTO_MACS = 3_000_000  # --rtl-samples auto: 2 inferences up to this many MACs, else 1
COUNTER_KEYS = ("instrs", "mvms", "adc_convs", "sats", "reads")


class InputError(SimError):
    """The model or the inputs cannot be used (exit 2)."""


def write_atomic(path, data):
    """Write bytes or str to path through a temporary file in the same folder (kirchhoff.atomic)."""
    atomic.write_bytes(path, data.encode() if isinstance(data, str) else data)


def run_chip(exe, backend, cfg_path, seed, net, inputs, out, report, n, out_len, timeout,
             door=()):
    cmd = [exe, "run", "--config", cfg_path, "--seed", str(seed), "--backend", backend,
           "--net", net, "--inputs", inputs, "--out", out, "--report", report]
    if backend == "verilator":
        cmd += list(door)
    for f in (out, report):
        if os.path.exists(f):
            os.remove(f)
    t0 = time.monotonic()
    run_tool(cmd, f"{backend} run ({os.path.basename(cfg_path)})", timeout)
    wall = time.monotonic() - t0
    y = np.fromfile(out, dtype=np.int8)
    if y.size != n * out_len:
        raise SimError(f"{out}: {y.size} bytes, expected {n} x {out_len}\n"
                       f"  command: {shlex.join(cmd)}")
    try:
        with open(report) as f:
            rep = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SimError(f"{backend} run: report {report} unreadable: {e}\n"
                       f"  command: {shlex.join(cmd)}") from None
    rep["_wall_s_measured"] = wall
    return y.reshape(n, out_len), rep, cmd


def per_inf(rep, n):
    """Wall seconds per inference of a run report (setup excluded when the report has it)."""
    v = rep.get("wall_s_per_inference")
    return float(v) if v is not None else rep["_wall_s_measured"] / n


def ad_windows(sample_path, in_scale, in_zp):
    """The shipped anomaly-detection sample as the benchmark reads it: 200 frames of 128 log-mel
    values, windows of 5 frames with a stride of one frame (196 windows of 640 values), float and
    quantized with the model's input scale and zero point (round half away from zero, clamp)."""
    raw = np.fromfile(sample_path, dtype="<f4")
    if raw.size != AD_FRAMES * AD_MELS:
        raise SimError(f"{sample_path}: {raw.size} float32 values, expected {AD_FRAMES} x "
                       f"{AD_MELS}")
    frames = raw.reshape(AD_FRAMES, AD_MELS).astype(np.float64)
    n_win = AD_FRAMES - AD_WINDOW + 1
    xf = np.stack([frames[i:i + AD_WINDOW].ravel() for i in range(n_win)])
    v = xf / in_scale
    q = np.sign(v) * np.floor(np.abs(v) + 0.5) + in_zp
    return xf, np.clip(q, -128, 127).astype(np.int8)


def anomaly_score(y, xf, scale, zp):
    """Mean over windows of the mean squared reconstruction error, in dequantized units."""
    yd = (y.astype(np.float64) - zp) * scale
    return float(np.mean(np.mean((yd - xf) ** 2, axis=1)))


def compare_noisy(y_ref, y_noisy, out_zp, classifier):
    d = y_noisy.astype(np.int64) - y_ref.astype(np.int64)
    sig = (y_ref.astype(np.float64) - out_zp)
    err_pow = float(np.sum(d.astype(np.float64) ** 2))
    sig_pow = float(np.sum(sig ** 2))
    r = {"mean_abs_error_lsb": float(np.mean(np.abs(d))),
         "max_abs_error_lsb": int(np.max(np.abs(d))) if d.size else 0,
         "equal_bytes": int(np.count_nonzero(d == 0)), "compared": int(d.size),
         "snr_db": (10 * np.log10(sig_pow / err_pow)) if err_pow > 0 else None}
    if classifier:
        r["top1_agreement"] = float(np.mean(np.argmax(y_ref, axis=1) ==
                                            np.argmax(y_noisy, axis=1)))
    return r


def out_elems(g):
    """int8 outputs of the chip nodes per inference (the digital baseline writes each once)."""
    return sum(g.tensors[nd.out].size for nd in g.nodes
               if nd.op in (gf.OP_FC, gf.OP_CONV, gf.OP_DWCONV))


DRIVER_KEYS = ("posts", "accadds", "host_bytes", "host_ops", "issued_instrs")


def issued_check(rep):
    """Per node, the instructions the driver issued against the chip's instrs counter (equal:
    the node programs are straight-line). Returns the nodes that differ."""
    bad = {}
    for k, nd in (rep.get("node") or {}).items():
        if nd.get("on_chip") and nd.get("issued_instrs") != nd.get("instrs"):
            bad[k] = (nd.get("issued_instrs"), nd.get("instrs"))
    return bad


def perf_model(g, cfg, rep, samples):
    """Chip time and energy of a graph run (docs/sim.md, "graph runs"): kirchhoff.perf."""
    for k in ("posts", "accadds", "host_bytes", "host_ops"):
        if k not in rep:
            raise SimError(f"run report lacks '{k}' (an aimc older than the driver counts: "
                           "rebuild with make sw)")
    extra = {"cycles": rep.get("cycles", 0), "posts": rep["posts"],
             "accadds": rep["accadds"], "host_bytes": rep["host_bytes"],
             "host_ops": kcal.host_ops(g), "host_ops_run": rep["host_ops"],
             # every used tile is programmed once, all its rows (the prog_rows counter is tile
             # 0's: docs/sim.md), its image moved whole over the bus
             "prog_rows": (int(cfg["rows"]) * int(rep["tiles_used"]) if rep.get("tiles_used")
                           else rep.get("setup_prog_rows")),
             "weight_bytes": (int(cfg["rows"]) * int(cfg["cols"]) * int(rep["tiles_used"])
                              if rep.get("tiles_used") else rep.get("weights")),
             "out_elems": out_elems(g)}
    return kperf.perf_graph(rep["counters"], cfg, kcal.macs(g), samples, extra)


def simulate(args):
    build = os.path.abspath(args.build)
    aimc = os.path.join(build, "sw", "aimc")
    cfg_path = resolve_cfg(args.config)
    ref_path = resolve_cfg(args.ref_config)
    cfg_base = os.path.splitext(os.path.basename(cfg_path))[0]
    aimc_vl = os.path.join(build, cfg_base, "vl", "aimc-vl")
    model = os.path.abspath(args.model)
    name = os.path.splitext(os.path.basename(model))[0]
    work = os.path.join(build, "sim", f"model-{name}-{cfg_base}-seed{args.seed}")
    os.makedirs(work, exist_ok=True)
    os.makedirs(os.path.join(build, "reports"), exist_ok=True)
    with open(model, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    log(f"[1/7] configs and import of {model}")
    cfg = load_cfg(aimc, cfg_path, args.timeout)
    ref = load_cfg(aimc, ref_path, args.timeout)
    net_ref = os.path.join(work, "net_ref.khnf")
    log(f"  $ (cd sw/python && {shlex.join([sys.executable, '-m', 'kirchhoff', 'import', model, '-o', net_ref])})")
    try:
        ti.import_to_file(model, net_ref)
    except (ti.TFLiteImportError, gf.GraphFormatError, OSError) as e:
        raise InputError(f"import of {model}: {e}") from None
    g = gf.read_graph(net_ref)
    in_len, out_len = g.n_inputs, g.n_outputs
    out_t = g.tensors[g.output]
    classifier = out_len > 1 and g.nodes[-1].op == gf.OP_SOFTMAX

    log("[2/7] inputs")
    rng = np.random.default_rng(args.seed)
    if args.inputs:
        x = np.fromfile(args.inputs, dtype=np.int8)
        if x.size == 0 or x.size % in_len:
            raise InputError(f"--inputs {args.inputs}: {x.size} bytes is not a multiple of the "
                           f"input length {in_len}")
        x = x.reshape(-1, in_len)
        source = args.inputs
    else:
        x = rng.integers(-128, 128, size=(args.samples, in_len), dtype=np.int8)
        source = f"seeded random int8 (seed {args.seed})"
    ad = None
    sample = os.path.join(MODELS_DIR, AD_SAMPLE)
    if name.startswith("ad01") and os.path.isfile(sample) and not args.inputs:
        t0 = g.tensors[0]
        xf, xq = ad_windows(sample, t0.scale, t0.zero_point)
        ad = {"file": sample, "windows": len(xq), "xf": xf, "first": len(x)}
        x = np.concatenate([x, xq])
    n = len(x)
    inputs = os.path.join(work, "inputs.i8")
    write_atomic(inputs, x.tobytes())
    log(f"  {n} inputs of {in_len} int8 values ({source}"
        + (f" + {ad['windows']} windows of the real anomaly sample" if ad else "") + ")")

    log("[3/7] TFLite reference kernels (ai-edge-litert, BUILTIN_REF)")
    t0 = time.monotonic()
    y_tfl = kref.run(model, x)
    tfl_wall = time.monotonic() - t0

    log(f"[4/7] C model, ideal config {ref['name']}")
    y_id, rep_id, cmd_id = run_chip(aimc, "cmodel", ref_path, args.seed, net_ref, inputs,
                                    os.path.join(work, "out_ideal.i8"),
                                    os.path.join(work, "report_ideal.json"), n, out_len,
                                    args.timeout)
    mism_id = int(np.count_nonzero(y_id != y_tfl))
    log(f"  vs TFLite: {'bit-exact' if not mism_id else f'{mism_id} bytes DIFFER'} "
        f"({y_id.size} bytes)")

    log(f"[5/7] C model, noisy config {cfg['name']} (seed {args.seed}), ADC ranges calibrated")
    net_cfg = os.path.join(work, f"net_{cfg_base}.khnf")
    shifts = kcal.calibrate(model, net_ref, net_cfg, cfg, x[:min(n, 16)])
    log(f"  adc_shift per chip node: {shifts}")
    y_cm, rep_cm, cmd_cm = run_chip(aimc, "cmodel", cfg_path, args.seed, net_cfg, inputs,
                                    os.path.join(work, "out_cmodel.i8"),
                                    os.path.join(work, "report_cmodel.json"), n, out_len,
                                    args.timeout)

    # the RTL runs every input only for small models: a Verilator inference of the larger ones
    # takes minutes (docs/models.md, "Measured")
    rtl_samples = args.rtl_samples or (2 if kcal.macs(g) <= RTL_AUTO_MACS else 1)
    n_rtl = min(n, rtl_samples)
    door = door_flags(cfg, args.frontdoor)
    log(f"[6/7] RTL (Verilator), {cfg['name']}, first {n_rtl} inputs, loads "
        f"{'backdoor' if door else 'frontdoor (bus)'} (backdoor from {BACKDOOR_CELLS} cells)")
    rtl_in = os.path.join(work, "inputs_rtl.i8")
    write_atomic(rtl_in, x[:n_rtl].tobytes())
    y_rtl, rep_rtl, cmd_rtl = run_chip(aimc_vl, "verilator", cfg_path, args.seed, net_cfg,
                                       rtl_in, os.path.join(work, "out_rtl.i8"),
                                       os.path.join(work, "report_rtl.json"), n_rtl, out_len,
                                       args.timeout, door)
    # the C model's outputs for the same inputs: a run of the same first inputs (the conversion
    # counters, and so the noise, depend on what ran before)
    y_cm_r, rep_cm_r, _ = run_chip(aimc, "cmodel", cfg_path, args.seed, net_cfg, rtl_in,
                                   os.path.join(work, "out_cmodel_rtl.i8"),
                                   os.path.join(work, "report_cmodel_rtl.json"), n_rtl, out_len,
                                   args.timeout)
    mism_rtl = int(np.count_nonzero(y_rtl != y_cm_r))
    cnt_diff = {k: (rep_cm_r["counters"].get(k), rep_rtl["counters"].get(k))
                for k in COUNTER_KEYS
                if rep_cm_r["counters"].get(k) != rep_rtl["counters"].get(k)}
    cnt_diff.update({k: (rep_cm_r.get(k), rep_rtl.get(k)) for k in DRIVER_KEYS
                     if rep_cm_r.get(k) != rep_rtl.get(k)})
    for which, rp in (("rtl", rep_rtl), ("cmodel", rep_cm_r)):
        bad = issued_check(rp)
        if bad:
            cnt_diff[f"{which}_issued_vs_instrs"] = bad

    log("[7/7] comparison and chip model")
    n_rand = ad["first"] if ad else n
    noisy = compare_noisy(y_tfl[:n_rand], y_cm[:n_rand], out_t.zero_point, classifier)
    perf = perf_model(g, cfg, rep_rtl, n_rtl)
    report = {
        "network": {"name": name, "kind": "tflite", "file": model, "sha256": sha,
                    "nodes": len(g.nodes), "chip_nodes": kcal.chip_nodes(g),
                    "macs_per_inference": kcal.macs(g), "adc_shifts": shifts,
                    "files": {"reference": net_ref, "config": net_cfg}},
        "config": cfg["name"], "config_file": cfg_path, "reference_config": ref["name"],
        "simulator": "verilator", "rtl_loads": "backdoor" if door else "frontdoor",
        "seed": args.seed, "samples": n, "rtl_samples": n_rtl,
        "inputs": source,
        "tflite_vs_ideal": {"bit_exact": mism_id == 0, "mismatches": mism_id,
                            "compared": int(y_id.size), "command": cmd_id},
        "rtl_vs_cmodel": {"bit_exact": mism_rtl == 0 and not cnt_diff, "mismatches": mism_rtl,
                          "compared": int(y_rtl.size), "counter_mismatches": cnt_diff,
                          "command": cmd_rtl},
        "noisy_vs_tflite": noisy,
        "placement": {k: rep_id.get(k) for k in ("tiles_used", "num_tiles", "weights",
                                                  "tile_cells", "utilization",
                                                  "chip_utilization", "instructions",
                                                  "programs_resident")},
        "nodes": rep_id.get("node"),
        "cycles": int(rep_rtl.get("cycles", 0)),
        "counters": rep_rtl["counters"],
        # per inference: the tool's own time for the inferences (setup: programming every
        # weight once, loading programs, excluded), then the whole command for context
        "wall_s": {"tflite_per_inference": tfl_wall / n,
                   "cmodel_ideal_per_inference": per_inf(rep_id, n),
                   "cmodel_noisy_per_inference": per_inf(rep_cm, n),
                   "rtl_per_inference": per_inf(rep_rtl, n_rtl),
                   "rtl_command_total": rep_rtl["_wall_s_measured"],
                   "cmodel_noisy_command_total": rep_cm["_wall_s_measured"]},
        "performance": perf,
        "digital_baseline": perf["digital"],
        **{k: perf[k] for k in ("clock_mhz", "tops", "tops_per_w", "energy_per_inference_uj")},
        "tools": tool_versions(),
    }
    if ad:
        a = ad["first"]
        sc, zp = out_t.scale, out_t.zero_point
        s_ref = anomaly_score(y_tfl[a:], ad["xf"], sc, zp)
        s_id = anomaly_score(y_id[a:], ad["xf"], sc, zp)
        s_cm = anomaly_score(y_cm[a:], ad["xf"], sc, zp)
        report["anomaly_sample"] = {
            "file": ad["file"], "windows": ad["windows"], "score_tflite": s_ref,
            "score_ideal": s_id, "score_noisy": s_cm, "ideal_equal": s_id == s_ref,
            "noisy_relative_difference": (s_cm - s_ref) / s_ref if s_ref else None}
    print_table(report)
    write_atomic(os.path.join(build, "reports", "sim.json"), json.dumps(report, indent=2) + "\n")
    write_atomic(os.path.join(work, "sim.json"), json.dumps(report, indent=2) + "\n")
    if mism_id or mism_rtl or cnt_diff:
        raise SimError("a required comparison is not bit-exact (table above)")
    return 0


def print_table(r):
    net, p, nz = r["network"], r["performance"], r["noisy_vs_tflite"]
    ti, rv = r["tflite_vs_ideal"], r["rtl_vs_cmodel"]
    log("")
    log(f"Kirchhoff sim: {net['name']} ({net['nodes']} operators, {net['chip_nodes']} on tiles, "
        f"{net['macs_per_inference']} MACs) on {r['config']} (seed {r['seed']}), "
        f"{r['samples']} inputs")
    log(f"  {'comparison':<40} result")
    log(f"  {'C model ' + r['reference_config'] + ' vs TFLite reference':<40} "
        + ("bit-exact" if ti["bit_exact"] else f"MISMATCH: {ti['mismatches']} bytes")
        + f" ({ti['compared']} bytes)")
    log(f"  {'RTL vs C model (' + r['config'] + ')':<40} "
        + ("bit-exact" if rv["bit_exact"] else
           f"MISMATCH: {rv['mismatches']} bytes, counters {rv['counter_mismatches'] or 'equal'}")
        + f" ({rv['compared']} bytes, {r['rtl_samples']} inferences)")
    snr = "inf" if nz["snr_db"] is None else f"{nz['snr_db']:.1f} dB"
    line = (f"mean |err| {nz['mean_abs_error_lsb']:.3f} LSB, max {nz['max_abs_error_lsb']} LSB, "
            f"SNR {snr}")
    if "top1_agreement" in nz:
        line = f"top-1 agreement {100 * nz['top1_agreement']:.1f} %, " + line
    log(f"  {'noisy C model (' + r['config'] + ') vs TFLite':<40} {line}")
    a = r.get("anomaly_sample")
    if a:
        log(f"  {'anomaly score of the real sample':<40} TFLite {a['score_tflite']:.4f}, ideal "
            f"{a['score_ideal']:.4f} ({'equal' if a['ideal_equal'] else 'DIFFERENT'}), noisy "
            f"{a['score_noisy']:.4f} ({100 * a['noisy_relative_difference']:+.2f} %)")
    pl = r.get("placement") or {}
    if pl:
        log(f"  placement: {pl.get('weights')} weights resident on {pl.get('tiles_used')} of "
            f"{pl.get('num_tiles')} tiles, array utilization "
            f"{100 * float(pl.get('utilization') or 0):.1f} % of the used tiles "
            f"({100 * float(pl.get('chip_utilization') or 0):.1f} % of the chip)")
    w = r["wall_s"]
    log(f"  wall per inference: TFLite {w['tflite_per_inference'] * 1e3:.2f} ms, C model ideal "
        f"{w['cmodel_ideal_per_inference'] * 1e3:.1f} ms, noisy "
        f"{w['cmodel_noisy_per_inference'] * 1e3:.1f} ms, RTL {w['rtl_per_inference']:.2f} s")
    log(f"  chip model at {p['clock_mhz']:g} MHz: {p['cycles_per_inference']:.0f} cycles, "
        f"latency {p['latency_us']:.1f} us, energy {p['energy_per_inference_uj']:.3f} uJ per "
        f"inference, {p['tops_per_w']:.2f} TOPS/W, {p['tops']:.4f} TOPS")
    x = p["extended"]
    log("  energy per inference by term (pJ): " + ", ".join(
        f"{k} {v:.0f}" for k, v in p["energy_breakdown_pj_per_inference"].items()))
    log(f"    + host transfer {x['per_inference_pj']['host_transfer_pj']:.0f} (bus + host read; "
        f"{p['host_bytes_per_inference']:.0f} bytes), leakage {x['per_inference_pj']['leakage_pj']:.0f}"
        f" = {x['energy_per_inference_uj']:.3f} uJ, {x['tops_per_w']:.3f} TOPS/W")
    po = x.get("programming_once")
    if po:
        log(f"    programming once {po['energy_uj']:.1f} uJ ({po['rows']} rows), amortized over "
            f"{po['amortized_over']} inferences {po['amortized_pj_per_inference']:.1f} pJ each")
    print_digital(p)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="int8 TFLite model")
    ap.add_argument("--config", required=True, help="noisy chip config (name or .cfg path)")
    ap.add_argument("--ref-config", required=True, help="ideal config for the bit-exact check")
    ap.add_argument("--build", required=True, help="build directory")
    ap.add_argument("--seed", required=True, type=int, help="seed (inputs and noise), >= 0")
    ap.add_argument("--inputs", help="raw int8 inputs, n x input length (default: random)")
    ap.add_argument("--samples", type=int, default=8, help="random inputs (default 8)")
    ap.add_argument("--rtl-samples", type=int, default=0,
                    help="inputs run on the RTL (default: 2 for models of at most "
                    f"{RTL_AUTO_MACS} MACs, else 1)")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds per tool run")
    ap.add_argument("--frontdoor", action="store_true",
                    help="the RTL run loads every buffer over the bus (default: the backdoor "
                    f"from {BACKDOOR_CELLS} array cells)")
    a = ap.parse_args(argv)
    if not 0 <= a.seed < 1 << 64:
        ap.error(f"--seed {a.seed}: must be in [0, 2^64)")
    if not 1 <= a.samples <= 100000 or not 0 <= a.rtl_samples <= 100000:
        ap.error("--samples must be in 1..100000, --rtl-samples in 0..100000 (0: auto)")
    if not os.path.isfile(a.model):
        ap.error(f"--model {a.model}: no such file" +
                 (" (it is a directory)" if os.path.isdir(a.model) else ""))
    if a.inputs is not None and not os.path.isfile(a.inputs):
        ap.error(f"--inputs {a.inputs}: no such file" +
                 (" (it is a directory)" if os.path.isdir(a.inputs) else ""))
    return a


def rerun_command(a):
    cfg = a.config[:-4] if a.config.startswith("configs/") and a.config.endswith(".cfg") else \
        a.config
    cmd = ["make", "sim", f"MODEL={a.model}", f"CONFIG={os.path.basename(cfg)}",
           f"SEED={a.seed}"]
    if a.inputs:
        cmd.append(f"INPUTS={a.inputs}")
    return shlex.join(cmd)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    rerun = rerun_command(a)
    try:
        rc = simulate(a)
        log(f"sim: PASS. Rerun: {rerun}")
        return rc
    except SimError as e:
        log("")
        log(f"sim: FAIL: {e}")
        log(f"rerun: {rerun}")
        return 2 if isinstance(e, InputError) else 1


if __name__ == "__main__":
    sys.exit(main())
