#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make sim`: train an MLP, quantize it and run it four ways (float, int8 C reference, C model,
RTL), check bit-exactness and print accuracy, speed and the chip performance model (docs/sim.md).
For a noisy config the network is also calibrated on the chip (`aimc calibrate`, C model, same
seed; docs/calibration.md) and the C model and RTL runs are repeated with the calibrated file.

  sim.py --config CFG --ref-config REFCFG --build DIR --seed N [--data CSV] [--batch B]
"""

import os

# One BLAS thread: the trained weights (and so every bit downstream) must not depend on the
# machine's core count. Set before numpy loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import shlex
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from kirchhoff import atomic
from kirchhoff import data as kdata
from kirchhoff import export as kexport
from kirchhoff import hwa as khwa
from kirchhoff import perf as kperf
from kirchhoff import pipeline as kpipe
from kirchhoff import plots as kplots
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain

CALIB_SAMPLES = {"mlp": 500, "cnn": 200}   # training vectors used by `aimc calibrate`
# hardware-aware training (TRAIN=hwa, docs/sim.md): measured on noisy and a prog_sigma 0.06
# variant of it, digits MLP, seeds 1-3: lr 1e-3 lost accuracy (weights grew), lr 1e-4 with
# weights clipped at 2.5 sigma gained up to 1 pp
HWA_NOISE_SCALE = 1.0
HWA_EPOCHS = 30
HWA_LR = 1e-4
HWA_CLIP_SIGMA = 2.5
COUNTER_KEYS = ("instrs", "mvms", "convs", "adc_convs", "sats", "prog_rows")
CFG_KEYS = ("name", "rows", "cols", "num_tiles", "dac_bits", "adc_bits", "prog_sigma",
            "read_sigma", "clock_mhz", "e_adc_pj", "e_dac_pj", "e_sram_pj_bit", "e_acc_pj",
            "e_post_pj")


class SimError(Exception):
    """A step failed; the message says which and, for a tool, the exact command."""


class InputError(SimError):
    """The user's input (the DATA file) cannot be used: exit 2, as every tool's input error."""


def log(msg=""):
    print(msg, flush=True)


# ---- running the tools ----------------------------------------------------------------------

def run_tool(cmd, what, timeout):
    """Run cmd from the repo root; return stdout. Any failure raises SimError with the command."""
    log(f"  $ {shlex.join(cmd)}")
    if not os.path.exists(cmd[0]):
        raise SimError(f"{what}: {cmd[0]} does not exist (build it first: 'make sw', 'make vl')\n"
                       f"  command: {shlex.join(cmd)}")
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SimError(f"{what}: timed out after {timeout} s\n  command: {shlex.join(cmd)}") \
            from None
    except OSError as e:
        raise SimError(f"{what}: cannot run: {e}\n  command: {shlex.join(cmd)}") from None
    if p.returncode != 0:
        tail = "\n".join((p.stderr.strip() or p.stdout.strip()).splitlines()[-20:])
        raise SimError(f"{what}: exit code {p.returncode}\n  command: {shlex.join(cmd)}\n"
                       f"  output (last lines):\n{tail}")
    return p.stdout


def resolve_cfg(path_or_name):
    """configs/<name>.cfg for a bare name (no '/', no .cfg), else the path (relative to the current
    directory). Returned relative to the repo root when inside it (tools run from there)."""
    if "/" not in path_or_name and not path_or_name.endswith(".cfg"):
        p = os.path.join(ROOT, "configs", path_or_name + ".cfg")
    else:
        p = os.path.abspath(path_or_name)
    if not os.path.isfile(p):
        raise SimError(f"config {path_or_name}: no such file ({p})")
    rel = os.path.relpath(p, ROOT)
    return p if rel.startswith("..") else rel


def load_cfg(aimc, cfg_path, timeout):
    out = run_tool([aimc, "config", "--json", cfg_path], f"reading config {cfg_path}", timeout)
    try:
        cfg = json.loads(out)
    except json.JSONDecodeError as e:
        raise SimError(f"'aimc config --json {cfg_path}' printed invalid JSON: {e}") from None
    missing = [k for k in CFG_KEYS if k not in cfg]
    if missing:
        raise SimError(f"'aimc config --json {cfg_path}' lacks keys: {', '.join(missing)}")
    return cfg


# Backdoor loads (issue 17 item 4; docs/sim.md): the RTL runs of a config of at least
# BACKDOOR_CELLS array cells (rows x cols x num_tiles: edge 2^20, large 2^23) load weights,
# programs and inputs, and read the outputs, through the Verilator model's backdoor (same bits and
# counters as the bus: tests/system/backdoor*.sh), smaller configs over the bus; --frontdoor
# (make sim FRONTDOOR=1) forces the bus everywhere.
BACKDOOR_CELLS = 1 << 20


def door_flags(cfg, frontdoor):
    """['--backdoor'] for the RTL runs of a large config unless frontdoor."""
    cells = int(cfg["rows"]) * int(cfg["cols"]) * int(cfg.get("num_tiles", 1))
    return [] if frontdoor or cells < BACKDOOR_CELLS else ["--backdoor"]


def run_backend(exe, backend, cfg_path, seed, net, inputs, out, report, batch, n, n_classes,
                timeout, door=()):
    cmd = [exe, "run", "--config", cfg_path, "--seed", str(seed), "--backend", backend,
           "--net", net, "--inputs", inputs, "--out", out, "--report", report]
    if backend == "verilator":
        cmd += list(door)
    if batch:
        cmd += ["--batch", str(batch)]
    for f in (out, report):
        if os.path.exists(f):
            os.remove(f)
    run_tool(cmd, f"{backend} run ({os.path.basename(cfg_path)})", timeout)
    if not os.path.exists(out):
        raise SimError(f"{backend} run wrote no output file {out}\n  command: {shlex.join(cmd)}")
    y = np.fromfile(out, dtype=np.int8)
    if y.size != n * n_classes:
        raise SimError(f"{out}: {y.size} bytes, expected {n} x {n_classes} = {n * n_classes}\n"
                       f"  command: {shlex.join(cmd)}")
    try:
        with open(report) as f:
            rep = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SimError(f"{backend} run: report {report} unreadable: {e}\n"
                       f"  command: {shlex.join(cmd)}") from None
    missing = [k for k in ("cycles", "counters", "wall_s", "samples") if k not in rep]
    missing += [f"counters.{k}" for k in COUNTER_KEYS if k not in rep.get("counters", {})]
    if missing:
        raise SimError(f"{report} lacks keys: {', '.join(missing)}")
    if rep["samples"] != n:
        raise SimError(f"{report}: samples = {rep['samples']}, expected {n}")
    return y.reshape(n, n_classes), rep, cmd


def tool_version(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        line = (p.stdout or p.stderr).strip().splitlines()
        return line[0] if p.returncode == 0 and line else f"unavailable (exit {p.returncode})"
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e.__class__.__name__})"


def tool_versions():
    import sklearn
    v = {"python": platform.python_version(), "numpy": np.__version__,
         "scikit-learn": sklearn.__version__,
         "verilator": tool_version(["verilator", "--version"]),
         "gcc": tool_version(["gcc", "--version"])}
    commit = tool_version(["git", "-C", ROOT, "rev-parse", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    v["kirchhoff_commit"] = commit + (" (modified)" if dirty else "")
    return v


# ---- the performance model (docs/sim.md) ---------------------------------------------------------

def perf_model(qnet, cfg, rep, samples):
    """Chip time, throughput and energy from the RTL report's counters and the config's table
    (kirchhoff/perf.py perf_fc; the POSTs and vectors the chip ran come from the network here)."""
    cols = int(cfg["cols"])
    # The chip runs whole batches (the last one zero-padded): count the vectors it really ran.
    # One POST per column block and vector; with execution segments (convolutions) per segment.
    segs = rep.get("segment")
    if segs:
        vectors = sum(int(g["vectors_run"]) for g in segs.values())
        posts = sum(int(g["vectors_run"]) * sum(
            -(-qnet.layers[i].n // cols)
            for i in range(int(g["first_layer"]), int(g["first_layer"]) + int(g["layers"])))
            for g in segs.values())
    else:
        vectors = int(rep.get("batch") or 0) * int(rep.get("batches") or 0) or samples
        posts = vectors * sum(-(-L.n // cols) for L in qnet.layers)
    return kperf.perf_fc(rep["counters"], cfg, int(rep["cycles"]), qnet.macs(), samples, posts,
                         vectors, out_elems=sum(L.n for L in qnet.layers))


# ---- files: nothing lost (issue 16) ------------------------------------------------------------

def write_atomic(path, text):
    """Write text to a temporary file beside path, fsync, rename over path (kirchhoff.atomic)."""
    try:
        atomic.write_text(path, text)
    except OSError as e:
        raise SimError(f"cannot write {path}: {e.strerror or e}") from None


def commit_dir(new, final):
    """Replace folder final by folder new (the previous one is removed only once new is there)."""
    old = final + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(final):
        os.replace(final, old)
    os.replace(new, final)
    shutil.rmtree(old, ignore_errors=True)


def moved(v, src, dst):
    """v (a path, a command list or a dict of them) with the folder src renamed to dst."""
    if isinstance(v, str):
        return dst + v[len(src):] if v == src or v.startswith(src + os.sep) else v
    if isinstance(v, list):
        return [moved(x, src, dst) for x in v]
    if isinstance(v, dict):
        return {k: moved(x, src, dst) for k, x in v.items()}
    return v


# ---- main flow ---------------------------------------------------------------------------------

def rerun_command(args):
    cfg = args.config
    if os.path.normpath(os.path.dirname(cfg)) == "configs" and cfg.endswith(".cfg"):
        cfg = os.path.basename(cfg)[:-4]
    make = f"make sim CONFIG={cfg} SEED={args.seed}"
    if args.net != "mlp":
        make += f" NET={args.net}"
    ref = os.path.splitext(os.path.basename(args.ref_config))[0]
    if ref != "ideal64":
        make += f" SIM_REF_CFG={ref}"
    if os.path.normpath(args.build) != "build":
        make += f" BUILD={args.build}"
    if args.data:
        make += f" DATA={args.data}"
    if args.train != "ptq":
        make += f" TRAIN={args.train}"
    raw = shlex.join([sys.executable, os.path.relpath(__file__, ROOT)] + sys.argv[1:])
    return make, raw


def simulate(args):
    t_start = time.monotonic()
    build = os.path.abspath(args.build)
    aimc = args.aimc or os.path.join(build, "sw", "aimc")
    cfg_path = resolve_cfg(args.config)
    ref_path = resolve_cfg(args.ref_config)
    cfg_base = os.path.splitext(os.path.basename(cfg_path))[0]
    aimc_vl = args.aimc_vl or os.path.join(build, cfg_base, "vl", "aimc-vl")
    tag = cfg_base if args.net == "mlp" else f"{cfg_base}-{args.net}"
    # This run writes into <work>.partial; only a run whose tools all ran replaces <work> (issue 16:
    # a failed run must not mix its new network into the previous run's outputs).
    final_work = os.path.join(build, "sim", f"{tag}-seed{args.seed}")
    work = final_work + ".partial"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    args.partial = (work, final_work)
    os.makedirs(os.path.join(build, "reports"), exist_ok=True)

    log("[1/8] configs")
    cfg = load_cfg(aimc, cfg_path, args.timeout)
    ref = load_cfg(aimc, ref_path, args.timeout)
    if not kq.cfg_is_ideal(ref):
        raise SimError(f"reference config {ref_path} is not ideal (docs/configs.md): the int8 "
                       "reference must have no noise and an ADC that cannot clip")

    args.door = door_flags(cfg, getattr(args, "frontdoor", False))
    log(f"  RTL loads: {'backdoor' if args.door else 'frontdoor (bus)'} "
        f"({cfg['rows']} x {cfg['cols']} x {cfg.get('num_tiles', 1)} cells; backdoor from "
        f"{BACKDOOR_CELLS}{', forced frontdoor' if getattr(args, 'frontdoor', False) else ''})")

    log("[2/8] data, training, quantization")
    try:
        pr = kpipe.prepare(args.data, net=args.net)
        cal = kq.calibrate_adc_shifts(pr.qnet, pr.xtr, cfg)
        qnet, qcfg = pr.qnet, pr.qnet.with_adc_shifts(cal.shifts)
    except kdata.DataError as e:
        raise InputError(f"data: {e}") from None
    except kq.QuantError as e:
        raise SimError(f"quantization: {e}") from None
    tr, ds, yte, xte, dims, net_name = pr.trained, pr.ds, pr.yte, pr.xte, pr.dims, pr.name
    log(f"  {ds.source}: {len(pr.ytr)} training / {len(yte)} test samples, {ds.n_classes} "
        f"classes; {args.net.upper()} {pr.arch} {'-'.join(map(str, dims))}, {tr.n_iter} epochs"
        + ("" if tr.converged else " (did not converge)"))

    log("[3/8] export")
    net_ref = os.path.join(work, "net_ref.khnf")
    net_cfg = os.path.join(work, f"net_{cfg_base}.khnf")
    try:
        kexport.write_net(net_ref, qnet)
        kexport.write_net(net_cfg, qcfg)
    except kexport.NetFormatError as e:
        raise SimError(f"export: {e}") from None
    log(f"  in_scale {qnet.in_scale:.6g}; adc_shift per layer for {cfg['name']}: {cal.shifts}"
        + ("" if kq.cfg_is_ideal(cfg) else
           " (clip fraction " + ", ".join(f"{f:.2e}" for f in cal.clip_fraction) + ")"))
    inputs = os.path.join(work, "test_inputs.i8")
    xte.tofile(inputs)
    np.savetxt(os.path.join(work, "test_labels.txt"), yte, fmt="%d")
    y_np = kq.forward_int8(qnet, xte)
    n, nc = len(yte), qnet.n_classes

    log("[4/8] int8 reference: C model in the ideal config vs numpy")
    y_ref, _, cmd_ref = run_backend(
        aimc, "cmodel", ref_path, args.seed, net_ref, inputs, os.path.join(work, "out_ref.i8"),
        os.path.join(work, "report_ref.json"), args.batch, n, nc, args.timeout)
    ref_mism = int(np.count_nonzero(y_ref != y_np))
    if ref_mism:
        bad = np.argwhere(y_ref != y_np)[0]
        raise SimError(
            f"the C model in the ideal config {ref['name']} and the numpy int8 forward pass "
            f"disagree in {ref_mism} of {y_np.size} output bytes (first: sample {bad[0]}, class "
            f"{bad[1]}: C {y_ref[tuple(bad)]}, numpy {y_np[tuple(bad)]}). Python and C disagree on "
            f"docs/numbers.md.\n  command: {shlex.join(cmd_ref)}")
    log(f"  bit-exact: {y_np.size} output bytes equal")

    log(f"[5/8] C model in {cfg['name']} (seed {args.seed})")
    y_cm, rep_cm, _ = run_backend(
        aimc, "cmodel", cfg_path, args.seed, net_cfg, inputs, os.path.join(work, "out_cmodel.i8"),
        os.path.join(work, "report_cmodel.json"), args.batch, n, nc, args.timeout)

    log(f"[6/8] RTL (Verilator) in {cfg['name']} (seed {args.seed})")
    y_rtl, rep_rtl, cmd_rtl = run_backend(
        aimc_vl, "verilator", cfg_path, args.seed, net_cfg, inputs,
        os.path.join(work, "out_rtl.i8"), os.path.join(work, "report_rtl.json"), args.batch, n,
        nc, args.timeout, args.door)

    calib = None
    if not kq.cfg_is_ideal(cfg):
        calib = calibrate_and_rerun(args, aimc, aimc_vl, cfg_path, work, net_cfg, pr.xtr, inputs,
                                    n, nc, yte, CALIB_SAMPLES[args.net])
    else:
        log("[7/8] calibration: skipped (ideal config: nothing to calibrate)")
        log("[8/8] calibrated runs: skipped")

    hwa = None
    if args.train == "hwa":
        hwa = hwa_runs(args, aimc, aimc_vl, cfg, cfg_path, work, pr, n, nc)
    if int(rep_rtl["cycles"]) <= 0:
        raise SimError(f"the RTL report says cycles = {rep_rtl['cycles']}: the busy-cycle counter "
                       f"did not count\n  command: {shlex.join(cmd_rtl)}")
    # every tool ran: this run's folder replaces the previous one, and paths name the final place
    commit_dir(work, final_work)
    args.partial = None
    net_ref, net_cfg, cmd_rtl, calib, hwa = (moved(v, work, final_work)
                                             for v in (net_ref, net_cfg, cmd_rtl, calib, hwa))
    mism = int(np.count_nonzero(y_rtl != y_cm))
    bad_samples = np.flatnonzero(np.any(y_rtl != y_cm, axis=1))
    cnt_diff = {k: (rep_cm["counters"][k], rep_rtl["counters"][k]) for k in COUNTER_KEYS
                if rep_cm["counters"][k] != rep_rtl["counters"][k]}
    acc = {
        "float": pr.acc_float,
        "int8_reference": float(np.mean(ktrain.predict(y_ref) == yte)),
        "cmodel": float(np.mean(ktrain.predict(y_cm) == yte)),
        "rtl": float(np.mean(ktrain.predict(y_rtl) == yte)),
    }
    if calib is not None:
        acc["cmodel_calibrated"] = calib["accuracy_cmodel"]
        acc["rtl_calibrated"] = calib["accuracy_rtl"]
        calib["rtl_within_1pp_of_int8_ideal"] = bool(
            acc["rtl_calibrated"] >= acc["int8_reference"] - 0.01)
    if hwa is not None:
        acc.update({f"hwa_{k}": v for k, v in hwa["accuracy"].items()})
    perf = perf_model(qcfg, cfg, rep_rtl, n)
    rtl_wall = float(rep_rtl["wall_s"])
    sim_cps = float(rep_rtl.get("sim_cycles_per_s") or
                    (rep_rtl["cycles"] / rtl_wall if rtl_wall > 0 else 0.0))
    report = {
        "network": {"name": net_name, "kind": args.net, "architecture": pr.arch,
                    "source": ds.source, "layers": dims,
                    "macs_per_inference": qnet.macs(), "in_scale": qnet.in_scale,
                    "adc_shifts": cal.shifts, "adc_clip_fraction": cal.clip_fraction,
                    "files": {"reference": net_ref, "config": net_cfg},
                    "training": {"epochs": tr.n_iter, "converged": tr.converged,
                                 "train_samples": len(pr.ytr), "seed": kpipe.TRAIN_SEED}},
        "config": cfg["name"],
        "config_file": cfg_path,
        "reference_config": ref["name"],
        "simulator": "verilator",
        "rtl_loads": "backdoor" if args.door else "frontdoor",
        "seed": args.seed,
        "samples": n,
        "batch": rep_rtl.get("batch"),
        "accuracy": acc,
        "int8_reference_vs_numpy": {"bit_exact": True, "compared": int(y_np.size)},
        "cmodel_vs_int8_reference": {"equal_bytes": int(np.count_nonzero(y_cm == y_ref)),
                                     "compared": int(y_ref.size)},
        "rtl_vs_cmodel": {"bit_exact": mism == 0 and not cnt_diff, "mismatches": mism,
                          "compared": int(y_cm.size),
                          "mismatched_samples": [int(i) for i in bad_samples[:20]],
                          "counter_mismatches": {k: list(v) for k, v in cnt_diff.items()}},
        "calibration": calib,
        "training": args.train,
        "hwa": hwa,
        "cycles": int(rep_rtl["cycles"]),
        "counters": rep_rtl["counters"],
        "wall_s": rtl_wall,
        "sim_cycles_per_s": sim_cps,
        "images_per_s": n / rtl_wall if rtl_wall > 0 else 0.0,
        "cmodel_wall_s": float(rep_cm["wall_s"]),
        **{k: perf[k] for k in ("clock_mhz", "tops", "tops_per_w", "energy_per_inference_uj")},
        "performance": perf,
        "digital_baseline": perf["digital"],
        "tools": tool_versions(),
        "total_wall_s": time.monotonic() - t_start,
    }
    png = os.path.join(build, "reports", "sim.png")
    acc_labels = {"float32": acc["float"], "int8 ideal": acc["int8_reference"],
                  f"C model {cfg['name']}": acc["cmodel"], f"RTL {cfg['name']}": acc["rtl"]}
    if calib is not None:
        acc_labels[f"C model {cfg['name']} calibrated"] = acc["cmodel_calibrated"]
        acc_labels[f"RTL {cfg['name']} calibrated"] = acc["rtl_calibrated"]
    quant_errs = kplots.quant_layer_errors(pr.trained.net, qnet, pr.Xte, xte)
    report["per_layer_quant_error"] = quant_errs
    try:
        with atomic.open_atomic(png, "wb") as pngf:  # PNG: matplotlib's default format
            kplots.sim_png(pngf, f"{net_name} on {cfg['name']} (seed {args.seed})", yte,
                           ktrain.predict(y_rtl), nc, acc_labels, quant_errs,
                           calib["layers"] if calib else None)
    except ImportError as e:
        raise SimError(f"plots: matplotlib missing ({e}); run tools/setup.sh") from None
    report["plot"] = png
    out = os.path.join(build, "reports", "sim.json")
    write_atomic(out, json.dumps(report, indent=2) + "\n")
    print_table(report)
    rel = os.path.relpath(out, os.getcwd())
    log(f"report: {out if rel.startswith('..') else rel}")
    if mism or cnt_diff:
        detail = []
        if mism:
            detail.append(f"{mism} of {y_cm.size} output bytes differ "
                          f"(samples {', '.join(map(str, bad_samples[:10]))}"
                          f"{' ...' if len(bad_samples) > 10 else ''})")
        if cnt_diff:
            detail.append("counters differ (C model, RTL): " + ", ".join(
                f"{k} {a} vs {b}" for k, (a, b) in cnt_diff.items()))
        raise SimError("RTL and C model differ: " + "; ".join(detail) +
                       f"\n  command: {shlex.join(cmd_rtl)}")
    if hwa is not None and hwa["rtl_vs_cmodel_mismatches"]:
        raise SimError(f"hardware-aware network: RTL and C model differ in "
                       f"{hwa['rtl_vs_cmodel_mismatches']} output bytes\n"
                       f"  command: {shlex.join(hwa['rtl_command'])}")
    if calib is not None and calib["rtl_vs_cmodel_mismatches"]:
        raise SimError(f"calibrated network: RTL and C model differ in "
                       f"{calib['rtl_vs_cmodel_mismatches']} output bytes\n"
                       f"  command: {shlex.join(calib['rtl_command'])}")
    return 0


def calibrate_and_rerun(args, aimc, aimc_vl, cfg_path, work, net_cfg, xtr, inputs, n, nc, yte,
                        calib_samples, tag=""):
    """aimc calibrate on the C model (same config and seed) with the training inputs, then the C
    model and RTL runs with the calibrated network. Returns the calibration record."""
    log(f"[{'hwa' if tag else '7/8'}] calibration on the C model (seed {args.seed}, "
        f"{min(len(xtr), calib_samples)} training vectors)")
    calib_in = os.path.join(work, f"calib_inputs{tag}.i8")
    xtr[:calib_samples].tofile(calib_in)
    net_cal = os.path.join(work, f"net_calibrated{tag}.khnf")
    rep_path = os.path.join(work, f"report_calibrate{tag}.json")
    for f in (net_cal, rep_path):
        if os.path.exists(f):
            os.remove(f)
    cmd = [aimc, "calibrate", "--config", cfg_path, "--seed", str(args.seed), "--backend",
           "cmodel", "--net", net_cfg, "--inputs", calib_in, "--out", net_cal, "--report",
           rep_path]
    out = run_tool(cmd, "calibration", args.timeout)
    for line in out.splitlines():
        if line.startswith("calibrate: layer"):
            log("  " + line)
    try:
        with open(rep_path) as f:
            rep_cal = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SimError(f"calibration report {rep_path} unreadable: {e}\n"
                       f"  command: {shlex.join(cmd)}") from None
    if "layers" not in rep_cal:
        raise SimError(f"{rep_path} lacks 'layers'\n  command: {shlex.join(cmd)}")
    log(f"[{'hwa' if tag else '8/8'}] C model and RTL with the calibrated network")
    y_cm, _, _ = run_backend(
        aimc, "cmodel", cfg_path, args.seed, net_cal, inputs,
        os.path.join(work, f"out_cmodel_cal{tag}.i8"), os.path.join(work, f"report_cmodel_cal{tag}.json"),
        args.batch, n, nc, args.timeout)
    y_rtl, rep_rtl, cmd_rtl = run_backend(
        aimc_vl, "verilator", cfg_path, args.seed, net_cal, inputs,
        os.path.join(work, f"out_rtl_cal{tag}.i8"), os.path.join(work, f"report_rtl_cal{tag}.json"),
        args.batch, n, nc, args.timeout, args.door)
    return {
        "backend": "cmodel",
        "samples": int(rep_cal.get("samples", 0)),
        "network": net_cal,
        "command": cmd,
        "layers": rep_cal["layers"],
        "accuracy_cmodel": float(np.mean(ktrain.predict(y_cm) == yte)),
        "accuracy_rtl": float(np.mean(ktrain.predict(y_rtl) == yte)),
        "rtl_vs_cmodel_mismatches": int(np.count_nonzero(y_rtl != y_cm)),
        "rtl_command": cmd_rtl,
        "wall_s": float(rep_cal.get("wall_s", 0.0)),
    }


def hwa_runs(args, aimc, aimc_vl, cfg, cfg_path, work, pr, n, nc):
    """TRAIN=hwa: fine-tune the trained float network with noise matched to the config
    (kirchhoff/hwa.py), then quantize, export and run it as the post-training-quantized one: C
    model and RTL, and on a noisy config calibrated too. Returns the record for sim.json."""
    noise = khwa.noise_from_cfg(cfg)
    log(f"[hwa] hardware-aware training: weight noise {noise.w_add:.4f} of max|W| + "
        f"{noise.w_mul:.4f} relative, output noise {noise.out_rel:.4f} of max|z| (from "
        f"{cfg['name']}), x{HWA_NOISE_SCALE:g}, {HWA_EPOCHS} epochs")
    t0 = time.monotonic()
    try:
        tr = khwa.train_hwa(pr.trained.net, pr.Xtr, pr.ytr, noise.scaled(HWA_NOISE_SCALE),
                            seed=kpipe.TRAIN_SEED, epochs=HWA_EPOCHS, lr=HWA_LR,
                            clip_sigma=HWA_CLIP_SIGMA)
        qnet = kq.quantize_net(tr.net, pr.Xtr)
        xtr = kq.quantize_inputs(tr.net.standardize(pr.Xtr), qnet.in_scale)
        xte = kq.quantize_inputs(tr.net.standardize(pr.Xte), qnet.in_scale)
        cal = kq.calibrate_adc_shifts(qnet, xtr, cfg)
        qcfg = qnet.with_adc_shifts(cal.shifts)
    except (khwa.HwaError, kq.QuantError) as e:
        raise SimError(f"hardware-aware training: {e}") from None
    train_s = time.monotonic() - t0
    net = os.path.join(work, "net_hwa.khnf")
    try:
        kexport.write_net(net, qcfg)
    except kexport.NetFormatError as e:
        raise SimError(f"export (hwa): {e}") from None
    inputs = os.path.join(work, "test_inputs_hwa.i8")
    xte.tofile(inputs)
    y_int8 = kq.forward_int8(qnet, xte)
    y_cm, _, _ = run_backend(aimc, "cmodel", cfg_path, args.seed, net, inputs,
                             os.path.join(work, "out_cmodel_hwa.i8"),
                             os.path.join(work, "report_cmodel_hwa.json"), args.batch, n, nc,
                             args.timeout)
    y_rtl, _, cmd_rtl = run_backend(aimc_vl, "verilator", cfg_path, args.seed, net, inputs,
                                    os.path.join(work, "out_rtl_hwa.i8"),
                                    os.path.join(work, "report_rtl_hwa.json"), args.batch, n,
                                    nc, args.timeout, args.door)
    acc = {"float": float(np.mean(ktrain.predict(ktrain.forward(tr.net, pr.Xte)) == pr.yte)),
           "int8_reference": float(np.mean(ktrain.predict(y_int8) == pr.yte)),
           "cmodel": float(np.mean(ktrain.predict(y_cm) == pr.yte)),
           "rtl": float(np.mean(ktrain.predict(y_rtl) == pr.yte))}
    mism = int(np.count_nonzero(y_rtl != y_cm))
    calib = None
    if not kq.cfg_is_ideal(cfg):
        calib = calibrate_and_rerun(args, aimc, aimc_vl, cfg_path, work, net, xtr, inputs, n, nc,
                                    pr.yte, CALIB_SAMPLES[args.net], tag="_hwa")
        acc["cmodel_calibrated"] = calib["accuracy_cmodel"]
        acc["rtl_calibrated"] = calib["accuracy_rtl"]
        mism += calib["rtl_vs_cmodel_mismatches"]
    return {"noise": {"w_add": noise.w_add, "w_mul": noise.w_mul, "out_rel": noise.out_rel,
                      "scale": HWA_NOISE_SCALE},
            "epochs": HWA_EPOCHS, "lr": HWA_LR, "clip_sigma": HWA_CLIP_SIGMA,
            "train_wall_s": train_s, "network": net, "adc_shifts": cal.shifts,
            "accuracy": acc, "rtl_vs_cmodel_mismatches": mism, "rtl_command": cmd_rtl,
            "calibration": calib}


def pct(v):
    return f"{100 * v:6.2f} %"


def print_table(r):
    acc, rv, p = r["accuracy"], r["rtl_vs_cmodel"], r["performance"]
    net = r["network"]
    log("")
    log(f"Kirchhoff sim: {net['name']} {'-'.join(map(str, net['layers']))} on config "
        f"{r['config']} (seed {r['seed']}), {r['samples']} test samples")
    log(f"  {'run':<34}{'accuracy':>10}   check")
    log(f"  {'float32 forward (OpenBLAS sgemm)':<34}{pct(acc['float']):>10}")
    log(f"  {'int8 ideal (C model, ' + r['reference_config'] + ')':<34}"
        f"{pct(acc['int8_reference']):>10}   == numpy int8: bit-exact")
    same = r["cmodel_vs_int8_reference"]
    log(f"  {'C model (' + r['config'] + ')':<34}{pct(acc['cmodel']):>10}   "
        f"{same['equal_bytes']}/{same['compared']} bytes equal to int8 ideal")
    verdict = "bit-exact" if rv["bit_exact"] else \
        f"MISMATCH: {rv['mismatches']} bytes, counters {rv['counter_mismatches'] or 'equal'}"
    log(f"  {'RTL (Verilator, ' + r['config'] + ')':<34}{pct(acc['rtl']):>10}   "
        f"vs C model: {verdict} ({rv['compared']} bytes compared)")
    cal = r.get("calibration")
    if cal is not None:
        log(f"  {'C model, calibrated':<34}{pct(acc['cmodel_calibrated']):>10}   "
            f"adc_shift " + ", ".join(f"{v['adc_shift_before']}->{v['adc_shift_after']}"
                                      for v in cal["layers"].values()))
        ok = cal["rtl_vs_cmodel_mismatches"] == 0
        log(f"  {'RTL, calibrated':<34}{pct(acc['rtl_calibrated']):>10}   "
            f"vs C model: {'bit-exact' if ok else 'MISMATCH'}; within 1 pp of int8 ideal: "
            f"{'yes' if cal['rtl_within_1pp_of_int8_ideal'] else 'NO'}")
    hw = r.get("hwa")
    if hw is not None:
        ha = hw["accuracy"]
        log(f"  {'hardware-aware training (TRAIN=hwa)':<34}{pct(ha['float']):>10}   "
            f"float32; int8 ideal {pct(ha['int8_reference']).strip()}")
        log(f"  {'  C model / RTL (' + r['config'] + ')':<34}{pct(ha['rtl']):>10}   "
            f"vs post-training quantization {pct(acc['rtl']).strip()}"
            + ("" if hw["rtl_vs_cmodel_mismatches"] else "; RTL == C model: bit-exact"))
        if "rtl_calibrated" in ha:
            log(f"  {'  calibrated':<34}{pct(ha['rtl_calibrated']):>10}   "
                f"vs post-training quantization {pct(acc['rtl_calibrated']).strip()}")
    log("  simulation:")
    log(f"    cycles {r['cycles']} ({p['cycles_per_inference']:.0f} per inference), RTL wall "
        f"{r['wall_s']:.2f} s, {r['sim_cycles_per_s'] / 1e6:.3f} M simulated cycles/s, "
        f"{r['images_per_s']:.1f} images/s")
    log(f"  chip model at {p['clock_mhz']:g} MHz (docs/sim.md):")
    log(f"    latency {p['latency_us']:.3f} us/inference, {p['macs_per_inference']} MACs, "
        f"{p['tops'] * 1e3:.3f} GOPS ({p['tops']:.6f} TOPS)")
    eb = p["energy_breakdown_pj_per_inference"]
    log(f"    energy {p['energy_per_inference_uj'] * 1e3:.3f} nJ/inference ("
        + ", ".join(f"{k} {v / 1e3:.3f}" for k, v in eb.items()) + f" nJ), "
        f"{p['tops_per_w']:.3f} TOPS/W")
    print_digital(p)


def print_digital(p):
    """The digital int8 baseline beside the analog figures (perf.digital_baseline)."""
    d, r = p["digital"], p["digital"]["ratio"]
    log(f"  digital int8 baseline ({d['mac_units']} MAC units at {d['clock_mhz']:g} MHz, E10/E11, "
        f"docs/sim.md): energy {d['energy_per_inference_uj'] * 1e3:.3f} nJ/inference "
        f"({d['tops_per_w']:.3f} TOPS/W; every operand from SRAM "
        f"{d['energy_no_reuse_uj'] * 1e3:.3f} nJ), latency {d['latency_us']:.3f} us")
    an = p["extended"]["energy_per_inference_uj"] if "extended" in p else \
        p["energy_per_inference_uj"]
    what = ("host transfer and leakage included"
            if p.get("extended", {}).get("per_inference_pj", {}).get("host_transfer_pj")
            else "leakage included; this flow counts no host bytes")
    e, t = r["energy_digital_over_analog"], r["latency_digital_over_analog"]
    log(f"    analog {an * 1e3:.3f} nJ ({what}), {p['latency_us']:.3f} us: "
        f"digital / analog energy {e:.3g}x, latency {t:.3g}x" if e and t else
        f"    analog {an * 1e3:.3f} nJ: no ratio (no cycles)")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="chip config name or .cfg path")
    ap.add_argument("--ref-config", required=True, help="ideal config for the int8 reference")
    ap.add_argument("--build", required=True, help="build directory (reports go to BUILD/reports)")
    ap.add_argument("--seed", required=True, type=int, help="chip seed (noise), >= 0")
    ap.add_argument("--data", help="CSV data set (header row, last column the label); "
                    "default: the scikit-learn digits")
    ap.add_argument("--net", default="mlp", choices=kpipe.NETS,
                    help="network: mlp (default) or cnn (conv 3x3 x8 -> FC, digits only)")
    ap.add_argument("--train", default="ptq", choices=("ptq", "hwa"),
                    help="ptq (default): post-training quantization only; hwa: also "
                    "hardware-aware training (noise matched to the config), both in the report")
    ap.add_argument("--batch", type=int, help="vectors per chip batch (default: the CLI's)")
    ap.add_argument("--aimc", help="C CLI (default BUILD/sw/aimc)")
    ap.add_argument("--aimc-vl", help="Verilator CLI (default BUILD/<config>/vl/aimc-vl)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per tool run")
    ap.add_argument("--frontdoor", action="store_true",
                    help="RTL runs load every buffer over the bus (default: the backdoor from "
                    f"{BACKDOOR_CELLS} array cells)")
    a = ap.parse_args(argv)
    if a.seed < 0 or a.seed >= 1 << 64:
        ap.error(f"--seed {a.seed}: must be in [0, 2^64)")
    if a.batch is not None and a.batch < 1:
        ap.error(f"--batch {a.batch}: must be >= 1")
    if a.timeout <= 0:
        ap.error("--timeout must be > 0")
    if a.data is not None and os.path.isdir(a.data):
        ap.error(f"--data {a.data}: is a directory, not a CSV file")
    if a.data is not None and not os.path.isfile(a.data):
        ap.error(f"--data {a.data}: no such file")
    return a


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    make, raw = rerun_command(args)
    try:
        rc = simulate(args)
        log(f"sim: PASS. Rerun: {make}")
        return rc
    except SimError as e:
        log("")
        log(f"sim: FAIL: {e}")
        partial = getattr(args, "partial", None)
        if partial:
            log(f"this run's files: {partial[0]}; the previous run's {partial[1]} is unchanged")
        log(f"rerun: {make}\n   or: {raw}")
        return 2 if isinstance(e, InputError) else 1


if __name__ == "__main__":
    sys.exit(main())
