#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make sweep`: accuracy of the digits MLP on the C model across ADC bits, DAC bits, programming
error, read noise and drift time (docs/analog-model.md, "Sweeps"). Each point is the base config
with one knob changed; every point is calibrated (adc_shift per layer) and run with `aimc run
--backend cmodel`. Writes BUILD/sweep/sweep.csv, one PNG per knob (accuracy vs the knob with the
float32 and int8-ideal accuracies as horizontal lines) and BUILD/sweep/summary.json.

The time axis (issue 18): accuracy against the time since programming (`aimc --time`) for each
device config of --devices (default flash = the base config, pcm, reram), without and with the
driver's global drift compensation (`aimc calibrate --fit global` at that time, 64 reference
vectors): BUILD/sweep/accuracy_vs_time.png with accuracy_vs_time.csv beside it.

  sweep.py --config CFG --build DIR [--seeds 1,2] [--quick] [--devices base,pcm,reram] [--time-only]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import json
import shlex
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from kirchhoff import atomic
from kirchhoff import export as kexport
from kirchhoff import pipeline as kpipe
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain

# knob -> (values, axis label, log x axis). The base config's own value is added to each list.
KNOBS = {
    "adc_bits": ([3, 4, 5, 6, 7, 8, 10, 12], "ADC resolution (bit)", False),
    "dac_bits": ([1, 2, 4, 8], "DAC resolution (bit)", False),
    "prog_sigma": ([0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16], "programming error sigma (of range)", False),
    "read_sigma": ([0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08], "read noise sigma (of range)", False),
    "drift_time": ([0, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8], "time since programming (s)", True),
}
QUICK = {"adc_bits": [4, 6, 8], "dac_bits": [1, 8], "prog_sigma": [0.0, 0.04],
         "read_sigma": [0.0, 0.04], "drift_time": [0, 1e6]}

# Time axis: the inference times (aimc --time) and their labels; a Julian year is 365.25 days.
TIMES = [("1s", 1.0), ("1min", 60.0), ("1h", 3600.0), ("1d", 86400.0), ("30d", 30 * 86400.0),
         ("1y", 31557600.0), ("10y", 315576000.0)]
QUICK_TIMES = [("1s", 1.0), ("1d", 86400.0), ("1y", 31557600.0)]
DEVICES = "base,pcm,reram"
REF_VECTORS = 64  # reference inputs of the global drift compensation (training vectors)


class SweepError(Exception):
    pass


def run(cmd, timeout=600):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        tail = "\n".join((p.stderr.strip() or p.stdout.strip()).splitlines()[-10:])
        raise SweepError(f"exit {p.returncode}: {shlex.join(cmd)}\n{tail}")
    return p.stdout


def cfg_text(base_text, overrides, name):
    """The base config text with keys replaced or appended, renamed."""
    out, seen = [], set()
    for line in base_text.splitlines():
        key = line.split("#", 1)[0].split("=", 1)[0].strip()
        if key == "name":
            out.append(f"name = {name}")
            continue
        if key in overrides:
            out.append(f"{key} = {overrides[key]}")
            seen.add(key)
            continue
        out.append(line)
    out += [f"{k} = {v}" for k, v in overrides.items() if k not in seen]
    return "\n".join(out) + "\n"


def write_atomic(path, text):
    """Write text to a temporary file in path's folder, then rename it over path (kirchhoff.atomic)."""
    try:
        atomic.write_text(path, text)
    except OSError as e:
        raise SweepError(f"cannot write {path}: {e.strerror}") from None


def csv_text(rows):
    import io
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def save_png(fig, path):
    """fig.savefig to a temporary PNG in path's folder, renamed over path (kirchhoff.atomic)."""
    try:
        with atomic.open_atomic(path, "wb") as f:
            fig.savefig(f, dpi=110, format="png")
    except OSError as e:
        raise SweepError(f"cannot write {path}: {e.strerror}") from None


def resolve_cfg(name):
    path = name
    if "/" not in path and not path.endswith(".cfg"):
        path = os.path.join(ROOT, "configs", path + ".cfg")
    if not os.path.isfile(path):
        raise SweepError(f"config {name}: no such file")
    return path


def time_axis(aimc, pr, devices, seeds, times, out_dir, work, acc_float, acc_int8):
    """Digits accuracy against the time since programming for each device config, without and
    with the driver's global drift compensation. Returns (rows, csv path, png path)."""
    n, nc = len(pr.yte), pr.qnet.n_classes
    inputs = os.path.join(work, "test_inputs.i8")
    ref = os.path.join(work, "ref_inputs.i8")
    atomic.write_bytes(ref, np.ascontiguousarray(pr.xtr[:REF_VECTORS], np.int8).tobytes())
    rows = []
    for dev in devices:
        path = resolve_cfg(dev)
        cfg = json.loads(run([aimc, "config", "--json", path]))
        cal = kq.calibrate_adc_shifts(pr.qnet, pr.xtr, cfg)
        net = os.path.join(work, f"time_{cfg['name']}.khnf")
        kexport.write_net(net, pr.qnet.with_adc_shifts(cal.shifts))
        for label, t in times:
            for s in seeds:
                acc = {}
                # the driver's global drift compensation at this time; its report gives the
                # first layer's accumulator error before (no compensation) and after
                comp_net = os.path.join(work, f"time_{cfg['name']}_{label}_s{s}_comp.khnf")
                rep_path = os.path.join(work, f"time_{cfg['name']}_{label}_s{s}_comp.json")
                run([aimc, "calibrate", "--config", path, "--seed", str(s), "--time", label,
                     "--backend", "cmodel", "--net", net, "--inputs", ref, "--out", comp_net,
                     "--fit", "global", "--report", rep_path])
                with open(rep_path) as f:
                    l0 = json.load(f)["layers"]["0"]
                err = {"none": l0["acc_rms_error_before"] / l0["acc_rms_ideal"],
                       "global": l0["acc_rms_error_after"] / l0["acc_rms_ideal"]}
                for comp in ("none", "global"):
                    use = net if comp == "none" else comp_net
                    out = os.path.join(work, f"time_{cfg['name']}_{label}_s{s}_{comp}.i8")
                    run([aimc, "run", "--config", path, "--seed", str(s), "--time", label,
                         "--backend", "cmodel", "--net", use, "--inputs", inputs, "--out", out])
                    y = np.fromfile(out, dtype=np.int8)
                    if y.size != n * nc:
                        raise SweepError(f"{out}: {y.size} bytes, expected {n * nc}")
                    acc[comp] = float(np.mean(ktrain.predict(y.reshape(n, nc)) == pr.yte))
                    rows.append({"device": cfg.get("device", "flash"), "config": cfg["name"],
                                 "time": label, "time_s": t, "seed": s, "compensation": comp,
                                 "accuracy": acc[comp], "acc_rms_error_rel_layer0": err[comp],
                                 "float": acc_float, "int8_ideal": acc_int8})
                print(f"  {cfg['name']:>6} t = {label:<5} seed {s}: {100 * acc['none']:6.2f} % "
                      f"uncompensated, {100 * acc['global']:6.2f} % with global drift compensation "
                      f"(layer-0 accumulator RMS error {100 * err['none']:.1f} % -> "
                      f"{100 * err['global']:.1f} % of the ideal RMS)", flush=True)
    csv_path = os.path.join(out_dir, "accuracy_vs_time.csv")
    write_atomic(csv_path, csv_text(rows))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, dev in enumerate(dict.fromkeys(r["config"] for r in rows)):
        for comp, ls, mk in (("none", "--", "o"), ("global", "-", "s")):
            pts, errs = {}, {}
            for r in rows:
                if r["config"] == dev and r["compensation"] == comp:
                    pts.setdefault(r["time_s"], []).append(r["accuracy"])
                    errs.setdefault(r["time_s"], []).append(r["acc_rms_error_rel_layer0"])
            xs = sorted(pts)
            dname = next(r["device"] for r in rows if r["config"] == dev)
            lbl = f"{dev} ({dname}), {'global drift comp.' if comp == 'global' else 'no comp.'}"
            ax.plot(xs, [100 * np.mean(pts[x]) for x in xs], ls, marker=mk, color=f"C{i}", label=lbl)
            ax2.plot(xs, [100 * np.mean(errs[x]) for x in xs], ls, marker=mk, color=f"C{i}", label=lbl)
            if len(seeds) > 1:
                ax.fill_between(xs, [100 * min(pts[x]) for x in xs], [100 * max(pts[x]) for x in xs],
                                color=f"C{i}", alpha=0.08)
    ax.axhline(100 * acc_float, color="k", ls=":", lw=1, label=f"float32 {100 * acc_float:.1f} %")
    lo = min(100 * r["accuracy"] for r in rows)
    ax.set_ylim(max(0.0, np.floor(lo) - 3), 100.5)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"digits MLP on the C model vs time ({len(seeds)} seeds: mean, min-max)", fontsize=9)
    ax2.set_ylabel("layer-0 accumulator RMS error (% of ideal RMS)")
    ax2.set_ylim(bottom=0)
    ax2.set_title("error the drift leaves in the accumulators (mean over seeds)", fontsize=9)
    ticks = [t for _, t in times]
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_xticks(ticks)
        a.set_xticklabels([lbl for lbl, _ in times])
        a.set_xlabel("time since programming")
        a.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="lower left")
    ax2.legend(fontsize=6.5, loc="upper left")
    fig.tight_layout()
    png = os.path.join(out_dir, "accuracy_vs_time.png")
    save_png(fig, png)
    plt.close(fig)
    return rows, csv_path, png


# geometry keys: a device preset's other keys are its device (time_axis_model moves them onto the
# geometry of the model's config)
GEOMETRY = {"name", "num_tiles", "rows", "cols", "dac_bits", "adc_bits", "cols_per_adc", "adc_cycles",
            "settle_cycles", "instr_depth", "act_depth", "par_depth", "wgt_depth", "acc_slots"}
MODEL_DEFAULT = os.path.join(ROOT, "models", "mlperf-tiny", "ad01_int8.tflite")


def device_keys(path):
    """The non-geometry keys of a device config, drift_time excluded (the axis)."""
    out = {}
    with open(path) as f:
        for line in f:
            body = line.split("#", 1)[0]
            if "=" not in body:
                continue
            k, v = (x.strip() for x in body.split("=", 1))
            if k not in GEOMETRY and k != "drift_time":
                out[k] = v
    return out


def time_axis_model(aimc, model, geometry_cfg, devices, seeds, times, out_dir, work):
    """MLPerf Tiny ad01 on the C model against time: each device's keys on the geometry of
    geometry_cfg (edge: 16 tiles of 256x256), adc_shift calibrated per device, the 196 windows of
    the shipped real sample run at every time; the score is the anomaly score's relative error
    against TFLite's (reference kernels) and the output SNR. No drift compensation: aimc
    calibrate works on layer networks (format 2), not on graphs. Returns (rows, csv, png)."""
    import sim_model as sm
    from kirchhoff import graphcal as kcal
    from kirchhoff import graphfile as gf
    from kirchhoff import tflite_import as ti
    from kirchhoff import tflite_ref as kref

    net_ref = os.path.join(work, "ad01_ref.khnf")
    ti.import_to_file(model, net_ref)
    g = gf.read_graph(net_ref)
    t_in, t_out = g.tensors[0], g.tensors[g.output]
    xf, xq = sm.ad_windows(os.path.join(sm.MODELS_DIR, sm.AD_SAMPLE), t_in.scale, t_in.zero_point)
    inputs = os.path.join(work, "ad01_inputs.i8")
    atomic.write_bytes(inputs, np.ascontiguousarray(xq, np.int8).tobytes())
    y_tfl = kref.run(model, xq)
    score_tfl = sm.anomaly_score(y_tfl, xf, t_out.scale, t_out.zero_point)
    with open(resolve_cfg(geometry_cfg)) as f:
        geo_text = f.read()
    rows = []
    for dev in devices:
        dev_path = resolve_cfg(dev)
        keys = device_keys(dev_path)
        if dev == "base":
            keys = {"drift_nu": "0", "drift_nu_sigma": "0"}  # flash: time-independent (F16)
        name = f"ad01_{os.path.splitext(os.path.basename(dev_path))[0]}"
        path = os.path.join(work, f"{name}.cfg")
        write_atomic(path, cfg_text(geo_text, keys, name))
        cfg = json.loads(run([aimc, "config", "--json", path]))
        net = os.path.join(work, f"{name}.khnf")
        kcal.calibrate(model, net_ref, net, cfg, xq[:16])
        for label, t in times:
            for s in seeds:
                out = os.path.join(work, f"{name}_{label}_s{s}.i8")
                run([aimc, "run", "--config", path, "--seed", str(s), "--time", label,
                     "--backend", "cmodel", "--net", net, "--inputs", inputs, "--out", out],
                    timeout=1800)
                y = np.fromfile(out, dtype=np.int8).reshape(y_tfl.shape)
                score = sm.anomaly_score(y, xf, t_out.scale, t_out.zero_point)
                cmp = sm.compare_noisy(y_tfl, y, t_out.zero_point, False)
                rows.append({"model": "ad01", "device": cfg.get("device", "flash"), "config": name,
                             "time": label, "time_s": t, "seed": s, "score": score,
                             "score_tflite": score_tfl, "score_rel_error": score / score_tfl - 1.0,
                             "snr_db": cmp["snr_db"]})
                print(f"  ad01 {name:>11} t = {label:<5} seed {s}: anomaly score {score:.4f} "
                      f"(TFLite {score_tfl:.4f}, {100 * (score / score_tfl - 1):+.1f} %), "
                      f"SNR {cmp['snr_db']:.1f} dB", flush=True)
    csv_path = os.path.join(out_dir, "ad01_vs_time.csv")
    write_atomic(csv_path, csv_text(rows))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, name in enumerate(dict.fromkeys(r["config"] for r in rows)):
        sn, sc = {}, {}
        for r in rows:
            if r["config"] == name:
                sn.setdefault(r["time_s"], []).append(r["snr_db"])
                sc.setdefault(r["time_s"], []).append(100 * r["score_rel_error"])
        xs = sorted(sn)
        ax.plot(xs, [np.mean(sn[x]) for x in xs], "-o", color=f"C{i}", label=name)
        ax2.plot(xs, [np.mean(sc[x]) for x in xs], "-o", color=f"C{i}", label=name)
    ax.set_ylabel("output SNR against TFLite (dB)")
    ax2.set_ylabel("anomaly score error against TFLite (%)")
    ax2.axhline(0, color="k", lw=0.8)
    ticks = [t for _, t in times]
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_xticks(ticks)
        a.set_xticklabels([lbl for lbl, _ in times])
        a.set_xlabel("time since programming")
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    ax.set_title(f"MLPerf Tiny ad01, 196 windows of the real sample, C model, {geometry_cfg} "
                 f"geometry ({len(seeds)} seeds, mean)", fontsize=8)
    ax2.set_title("no drift compensation (aimc calibrate takes layer networks only)", fontsize=8)
    fig.tight_layout()
    png = os.path.join(out_dir, "ad01_vs_time.png")
    save_png(fig, png)
    plt.close(fig)
    return rows, csv_path, png



def sweep_setup(args, tool):
    """The start both sweeps share (sweep.py, sweep_slices.py): the seeds, the config path, the
    CLI, the output and work folders, the config's text and its `aimc config --json`. Returns
    them as a tuple, or None after printing the reason (the caller exits 2)."""
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
        if not seeds or any(s < 0 for s in seeds):
            raise ValueError
    except ValueError:
        print(f"{tool}: --seeds wants non-negative integers separated by commas, got "
              f"'{args.seeds}'", file=sys.stderr)
        return None
    cfg_path = args.config
    if "/" not in cfg_path and not cfg_path.endswith(".cfg"):
        cfg_path = os.path.join(ROOT, "configs", cfg_path + ".cfg")
    if not os.path.isfile(cfg_path):
        print(f"{tool}: config {args.config}: no such file", file=sys.stderr)
        return None
    aimc = os.path.abspath(args.aimc or os.path.join(args.build, "sw", "aimc"))
    if not os.path.exists(aimc):
        print(f"{tool}: {aimc} does not exist (run 'make sw')", file=sys.stderr)
        return None
    out_dir = os.path.abspath(os.path.join(args.build, "sweep"))
    work = os.path.join(out_dir, "work")
    os.makedirs(work, exist_ok=True)
    with open(cfg_path) as f:
        base_text = f.read()
    base_cfg = json.loads(run([aimc, "config", "--json", cfg_path]))
    return seeds, cfg_path, aimc, out_dir, work, base_text, base_cfg


def sweep_point(aimc, work, base_text, pr, inputs, name, overrides, seed):
    """One point of a sweep: the config with overrides (work/<name>.cfg), the digits MLP's ADC
    shifts calibrated for it, one C-model run of the test inputs at seed. Returns (accuracy,
    shifts); a short output raises SweepError."""
    n, nc = len(pr.yte), pr.qnet.n_classes
    path = os.path.join(work, f"{name}.cfg")
    atomic.write_text(path, cfg_text(base_text, overrides, name))
    cfg = json.loads(run([aimc, "config", "--json", path]))
    cal = kq.calibrate_adc_shifts(pr.qnet, pr.xtr, cfg)
    net = os.path.join(work, f"{name}.khnf")
    kexport.write_net(net, pr.qnet.with_adc_shifts(cal.shifts))
    out = os.path.join(work, f"{name}_s{seed}.i8")
    run([aimc, "run", "--config", path, "--seed", str(seed), "--backend", "cmodel",
         "--net", net, "--inputs", inputs, "--out", out])
    y = np.fromfile(out, dtype=np.int8)
    if y.size != n * nc:
        raise SweepError(f"{out}: {y.size} bytes, expected {n * nc}")
    return float(np.mean(ktrain.predict(y.reshape(n, nc)) == pr.yte)), cal.shifts

def overrides_for(knob, value):
    if knob == "adc_bits":
        return {"adc_bits": int(value), "adc_cycles": int(value)}
    if knob == "dac_bits":
        return {"dac_bits": int(value)}
    if knob == "drift_time":
        # the flash stress exponent (nu = 0.05, P3's PCM value): the base config itself does not
        # drift (docs/analog-model.md "Devices", flash)
        return {"drift_time": repr(float(value)), "drift_nu": "0.05", "drift_nu_sigma": "0.008"}
    return {knob: repr(float(value))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--config", required=True, help="base config (name or .cfg path)")
    ap.add_argument("--build", required=True, help="build directory (output in BUILD/sweep)")
    ap.add_argument("--seeds", default="1", help="chip seeds, comma separated (default 1)")
    ap.add_argument("--quick", action="store_true", help="three or fewer points per knob")
    ap.add_argument("--aimc", help="C CLI (default BUILD/sw/aimc)")
    ap.add_argument("--devices", default=DEVICES,
                    help=f"device configs of the time axis, comma separated (default {DEVICES})")
    ap.add_argument("--time-only", action="store_true", help="only the time axis, not the knobs")
    ap.add_argument("--model", default=MODEL_DEFAULT if os.path.isfile(MODEL_DEFAULT) else "",
                    help="MLPerf Tiny ad01 model for the time axis on the C model ('' to skip; "
                         "default models/mlperf-tiny/ad01_int8.tflite when present)")
    ap.add_argument("--model-config", default="edge", help="geometry of the model's runs (default edge)")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    setup = sweep_setup(args, "sweep")
    if setup is None:
        return 2
    seeds, cfg_path, aimc, out_dir, work, base_text, base_cfg = setup

    print("sweep: training and quantizing the digits MLP", flush=True)
    pr = kpipe.prepare(None)
    y_int8 = kq.forward_int8(pr.qnet, pr.xte)
    acc_float = pr.acc_float
    acc_int8 = float(np.mean(ktrain.predict(y_int8) == pr.yte))
    inputs = os.path.join(work, "test_inputs.i8")
    atomic.write_bytes(inputs, np.ascontiguousarray(pr.xte, np.int8).tobytes())
    n = len(pr.yte)
    print(f"sweep: float32 {100 * acc_float:.2f} %, int8 ideal {100 * acc_int8:.2f} %, "
          f"{n} test images, base config {base_cfg['name']}", flush=True)

    def point(name, overrides, seed):
        return sweep_point(aimc, work, base_text, pr, inputs, name, overrides, seed)

    devices = [d for d in args.devices.split(",") if d]
    t_rows, t_csv, t_png = time_axis(aimc, pr, devices, seeds, QUICK_TIMES if args.quick else TIMES,
                                     out_dir, work, acc_float, acc_int8)
    m_csv = m_png = None
    if args.model:
        print(f"sweep: {args.model} against time on the C model", flush=True)
        _, m_csv, m_png = time_axis_model(aimc, args.model, args.model_config, devices, seeds,
                                          QUICK_TIMES if args.quick else TIMES, out_dir, work)
    time_summary = {}
    for r in t_rows:
        time_summary.setdefault(r["config"], {}).setdefault(r["time"], {}).setdefault(
            r["compensation"], []).append(r["accuracy"])
    if args.time_only:
        summary = {"seeds": seeds, "samples": n, "accuracy_float": acc_float,
                   "accuracy_int8_ideal": acc_int8, "time_axis": time_summary,
                   "time_csv": t_csv, "time_plot": t_png, "model_csv": m_csv, "model_plot": m_png,
                   "wall_s": time.monotonic() - t0}
        write_atomic(os.path.join(out_dir, "summary_time.json"), json.dumps(summary, indent=2) + "\n")
        print(f"sweep: wrote {t_csv}, {t_png}" + (f", {m_csv}, {m_png}" if m_csv else "")
              + f" ({time.monotonic() - t0:.0f} s)")
        return 0

    rows = []
    base_acc = [point("base_point", {}, s)[0] for s in seeds]
    print(f"sweep: base config {base_cfg['name']}: accuracy "
          + ", ".join(f"{100 * a:.2f} %" for a in base_acc) + f" (seeds {args.seeds})", flush=True)
    for knob, (values, _, _) in KNOBS.items():
        vals = QUICK[knob] if args.quick else values
        for i, v in enumerate(vals):
            for s in seeds:
                acc, shifts = point(f"{knob}_{i}", overrides_for(knob, v), s)
                rows.append({"knob": knob, "value": v, "seed": s, "accuracy": acc,
                             "adc_shifts": " ".join(map(str, shifts)),
                             "float": acc_float, "int8_ideal": acc_int8})
                print(f"  {knob:>11} = {v:<8g} seed {s}: {100 * acc:6.2f} %  (adc_shift {shifts})",
                      flush=True)
    with atomic.open_atomic(os.path.join(out_dir, "sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    # ADC-bits knee: the fewest bits whose mean accuracy is within 1 point of the int8 ideal
    adc = {}
    for r in rows:
        if r["knob"] == "adc_bits":
            adc.setdefault(r["value"], []).append(r["accuracy"])
    knee = next((b for b in sorted(adc) if np.mean(adc[b]) >= acc_int8 - 0.01), None)
    # and relative to the sweep's own plateau (the most ADC bits): where other effects dominate
    plateau = float(np.mean(adc[max(adc)])) if adc else None
    knee_plateau = next((b for b in sorted(adc) if np.mean(adc[b]) >= plateau - 0.01), None) \
        if adc else None

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    pngs = []
    for knob, (_, label, logx) in KNOBS.items():
        pts = {}
        for r in rows:
            if r["knob"] == knob:
                pts.setdefault(r["value"], []).append(r["accuracy"])
        xs = sorted(pts)
        xplot = [x if not (logx and x == 0) else min(v for v in xs if v > 0) / 10 for x in xs]
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        ax.plot(xplot, [100 * np.mean(pts[x]) for x in xs], "o-", label=f"C model ({base_cfg['name']})")
        if len(seeds) > 1:
            ax.fill_between(xplot, [100 * min(pts[x]) for x in xs], [100 * max(pts[x]) for x in xs],
                            alpha=0.2, label=f"min-max over {len(seeds)} seeds")
        ax.axhline(100 * acc_float, color="k", ls="--", lw=1, label=f"float32 {100 * acc_float:.1f} %")
        ax.axhline(100 * acc_int8, color="g", ls=":", lw=1.5, label=f"int8 ideal {100 * acc_int8:.1f} %")
        if logx:
            ax.set_xscale("log")
            if xs and xs[0] == 0:
                ax.annotate("no drift", (xplot[0], 100 * np.mean(pts[xs[0]])), fontsize=7)
        ax.set_xlabel(label)
        ax.set_ylabel("accuracy (%)")
        ax.set_ylim(0, 102)
        ax.set_title(f"digits MLP, {knob} (other knobs as {base_cfg['name']})", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
        fig.tight_layout()
        png = os.path.join(out_dir, f"accuracy_vs_{knob}.png")
        with atomic.open_atomic(png, "wb") as f:
            fig.savefig(f, dpi=110, format="png")
        plt.close(fig)
        pngs.append(png)
    summary = {"config": base_cfg["name"], "seeds": seeds, "samples": n,
               "accuracy_float": acc_float, "accuracy_int8_ideal": acc_int8,
               "accuracy_base_config": base_acc, "adc_bits_knee": knee,
               "adc_bits_knee_rule": "fewest ADC bits with mean accuracy >= int8 ideal - 1 point",
               "adc_bits_knee_vs_plateau": knee_plateau, "adc_bits_plateau_accuracy": plateau,
               "adc_bits_knee_vs_plateau_rule": "fewest ADC bits with mean accuracy >= the mean at "
                                                "the most ADC bits - 1 point",
               "csv": os.path.join(out_dir, "sweep.csv"), "plots": pngs + [t_png],
               "time_axis": time_summary, "time_csv": t_csv, "model_csv": m_csv, "model_plot": m_png,
               "wall_s": time.monotonic() - t0}
    atomic.write_json(os.path.join(out_dir, "summary.json"), summary)
    print(f"sweep: accuracy at the base config {base_cfg['name']}: "
          + ", ".join(f"{100 * a:.2f} %" for a in base_acc)
          + f"; float32 {100 * acc_float:.2f} %, int8 ideal {100 * acc_int8:.2f} %")
    print(f"sweep: ADC-bits knee (fewest bits within 1 point of int8 ideal): {knee}; "
          f"within 1 point of the {max(adc)}-bit plateau ({100 * plateau:.2f} %): {knee_plateau}")
    print(f"sweep: wrote {out_dir}/sweep.csv, {len(pngs)} plots, summary.json "
          f"({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (SweepError, kq.QuantError, kexport.NetFormatError) as e:
        print(f"sweep: {e}", file=sys.stderr)
        sys.exit(1)
