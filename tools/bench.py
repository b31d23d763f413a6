#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make bench`: every row of issue 17's performance table in one run, each with its goal and
whether it is met, plus per MLPerf Tiny model the chip and simulation figures (docs/sim.md,
"make bench"). Writes build/reports/bench.json (a temporary file renamed into place). Never
fails on a missed goal (exit 0); exit 1 only when a tool it needs fails, 2 for a usage error.

  tools/bench.py --build DIR [--bench-bin BIN] [--bench-args "..."] [--models all|none|a,b]
                 [--samples N] [--rtl] [--rtl-models all|none|a,b] [--out FILE]

Rows (`rows`, each {value, goal, met, source}):
  c_model_noisy_vs_sgemv / c_model_ideal_vs_dgemv   bench/aimc_bench.c (worst ratio over sizes
      and DAC widths, and per DAC width; OpenBLAS on the CPU's own kernel, named in the report)
  tile_utilization_1024_large_b2, tile_utilization_1024_large_b2_layer, tops_per_tile_1024,
      tops_per_w_full_tile_1024: the analytical cycle model (kirchhoff.perf, checked against the
      RTL by make dse) for the RTL of this tree on configs/large.cfg; with --rtl also the RTL
      layer-test of that layer (needs build/large/vl/aimc-test-vl, backdoor loads): the
      layer-test program (MVM, RAW POST, int8 POST per vector) and the layer as a network runs it
      (--raw 0: MVM and int8 POST), and its frontdoor wall time (host-side loading row)
  verilator_mcycles_per_s_base / _edge: a layer-test on base (build/base/vl) and the edge model
      run(s) of the MLPerf models (their RTL run's simulated cycles per wall second)
  icarus_vs_verilator (--rtl): the same tiny layer (120x40, batch 4) on both
  per model (`models`): chip cycles (RTL run of one inference on edge, every model by default:
      with the backdoor's loads and reads a few seconds each; --rtl-models to choose),
      modeled latency and energy per inference (host transfers and leakage included), TOPS/W,
      array utilization, C-model wall per inference (ideal and noisy), RTL wall per inference,
      LiteRT's own time (default resolver, one thread), and the goals: energy <= 1/10 of GAP9,
      >= 10 TOPS/W.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
import sim_model as sm
from kirchhoff import graphcal as kcal
from kirchhoff import graphfile as gf
from kirchhoff import perf as kperf
from kirchhoff import tflite_import as ti
from sim import SimError, door_flags, load_cfg, resolve_cfg

MODELS = {  # name: file, GAP9 (MLPerf Tiny v1.0) energy per inference in uJ; goal = 1/10
    "resnet8": ("pretrainedResnet_quant.tflite", 27.7),
    "kws": ("kws_ref_model.tflite", 18.6),
    "vww": ("vww_96_int8.tflite", 40.8),
    "ad01": ("ad01_int8.tflite", 5.25),
}
GOALS = {"tile_utilization": 0.85, "tops_per_tile_1024": 0.34, "tops_per_w_full_tile": 20.0,
         "tops_per_w_model": 10.0, "verilator_base_mcps": 2.0, "verilator_edge_mcps": 1.0,
         "icarus_vs_verilator": 1.0 / 500, "noisy_vs_sgemv": 3.0, "ideal_vs_dgemv": 1.5}
# The RTL of this tree (docs/isa.md timing): POST Cols / post_lanes + 4 (per_col None: the
# config's post_lanes), raw POST Cols / max(1, post_lanes / 4) + 2; the layer-test's signed
# program (one MVM, one raw and one int8 POST per vector), and with --raw 0 the layer as a network
# runs it (MVM + int8 POST).
POST_PER_COL, POST_FIXED = None, 4


def log(msg=""):
    print(msg, flush=True)


def row(value, goal, cmp, source, **kw):
    """A table row: met is None when the value was not measured."""
    met = None if value is None else (value >= goal if cmp == ">=" else value <= goal)
    return dict(value=value, goal=goal, goal_is=cmp, met=met, source=source, **kw)


def run(cmd, timeout, what):
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise SimError(f"{what} failed (exit {p.returncode}): {(p.stdout + p.stderr)[-800:]}\n"
                       f"  command: {shlex.join(cmd)}")
    return p, time.monotonic() - t0


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-" + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# ---- C model vs OpenBLAS --------------------------------------------------------------------------

def c_bench(a):
    out = os.path.join(a.build, "bench", "aimc_bench.json")
    cmd = [a.bench_bin, "--out", out] + shlex.split(a.bench_args)
    log("[1] C-model MVM vs OpenBLAS: $ " + shlex.join(cmd))
    p, _ = run(cmd, 3600, "aimc_bench")
    log("\n".join("    " + ln for ln in p.stdout.strip().splitlines()[1:]))
    with open(out) as f:
        b = json.load(f)
    rows = {}
    for path, ref, goal in (("noisy", "sgemv", GOALS["noisy_vs_sgemv"]),
                            ("ideal", "dgemv", GOALS["ideal_vs_dgemv"])):
        rs = [r for r in b["results"] if r["path"] == path]
        per = {f"dac{r['dac_bits']}_n{r['n']}": r["ratio"] for r in rs}
        rows[f"c_model_{path}_vs_{ref}"] = row(
            max(r["ratio"] for r in rs), goal, "<=", "bench/aimc_bench.c (worst over sizes and "
            f"DAC widths; OpenBLAS core {b['openblas_core']})", per_point=per)
    return b, rows


# ---- one full 1024 x 1024 tile ----------------------------------------------------------------------

def tile_rows(a, aimc):
    cfg = load_cfg(aimc, "configs/large.cfg", 120)
    tv = kperf.tile_vector(cfg, "s8", POST_PER_COL, POST_FIXED, isa=3)
    # the layer-test program at batch 2: per vector one MVM, a raw POST (Cols / max(1,
    # post_lanes / 4) + 2) and an int8 POST; a network's layer (layer-test --raw 0): the MVM and
    # the int8 POST (kperf.batch_busy: with tile_overlap the second MVM loads under the first's
    # conversions and the first vector's POSTs run beside the second MVM)
    raw = kperf.post_cycles(cfg["cols"], kperf.rtl_raw_per_col(cfg), 2)
    busy = kperf.batch_busy(cfg, tv["mvm"], [tv["post"], raw], 2)
    util_model = 2 * tv["converting"] / busy
    busy_layer = kperf.batch_busy(cfg, tv["mvm"], [tv["post"]], 2)
    util_layer_model = 2 * tv["converting"] / busy_layer
    ft = kperf.full_tile(cfg, mode="u8", post_per_col=POST_PER_COL, post_fixed=POST_FIXED,
                         isa=3, host=False)
    rows = {
        "tile_utilization_1024_large_b2": row(
            util_model, GOALS["tile_utilization"], ">=",
            "model: kirchhoff.perf.batch_busy, signed dense inputs, layer-test program at batch 2 "
            "(MVM + raw + int8 POST), RTL timing of this tree",
            converting_cycles=2 * tv["converting"], busy_cycles=busy),
        "tile_utilization_1024_large_b2_layer": row(
            util_layer_model, GOALS["tile_utilization"], ">=",
            "model: kirchhoff.perf.batch_busy, signed dense inputs, batch 2, the layer as a "
            f"network runs it (MVM + int8 POST, no RAW POST), post_lanes {kperf.post_lanes(cfg)}"
            f", tile_overlap {int(kperf.tile_overlap(cfg))}",
            converting_cycles=2 * tv["converting"], busy_cycles=busy_layer),
        "tops_per_tile_1024": row(
            ft["tops"], GOALS["tops_per_tile_1024"], ">=",
            "model: perf.full_tile on configs/large.cfg (u8 inputs, one MVM + one tfl POST per "
            f"vector, {cfg['clock_mhz']:g} MHz)", anchor="Mythic M1076: 26 TOPS / 76 tiles"),
        "tops_per_w_full_tile_1024": row(
            ft["tops_per_w"], GOALS["tops_per_w_full_tile"], ">=",
            "model: perf.full_tile (counter energy + leakage, host excluded)",
            anchor="Mythic 6.5-8.7, HERMES 9.76 TOPS/W"),
    }
    # the other shipped 1024 tile: large8, large with the edge front end (8-bit DAC, one u8 phase)
    cfg8 = load_cfg(aimc, "configs/large8.cfg", 120)
    ft8 = kperf.full_tile(cfg8, mode="u8", post_per_col=POST_PER_COL, post_fixed=POST_FIXED,
                          isa=3, host=False)
    tv8 = kperf.tile_vector(cfg8, "s8", POST_PER_COL, POST_FIXED, isa=3)
    busy8 = kperf.batch_busy(cfg8, tv8["mvm"], [tv8["post"]], 2)
    rows["tile_utilization_1024_large8_b2_layer"] = row(
        2 * tv8["converting"] / busy8, GOALS["tile_utilization"], ">=",
        "model: kirchhoff.perf.batch_busy on configs/large8.cfg, signed dense inputs, batch 2, "
        "MVM + int8 POST (the load and the POST are as long as on large, the conversions 8x "
        "shorter: at batch 2 the first load and the last POST weigh)",
        converting_cycles=2 * tv8["converting"], busy_cycles=busy8,
        steady_state=tv8["converting"] / tv8["vector"])
    rows["tops_per_tile_1024_large8"] = row(
        ft8["tops"], GOALS["tops_per_tile_1024"], ">=",
        "model: perf.full_tile on configs/large8.cfg (u8 inputs, one MVM + one tfl POST per "
        f"vector, {cfg8['clock_mhz']:g} MHz)", utilization=ft8["utilization"])
    rows["tops_per_w_full_tile_1024_large8"] = row(
        ft8["tops_per_w"], GOALS["tops_per_w_full_tile"], ">=",
        "model: perf.full_tile on configs/large8.cfg (counter energy + leakage, host excluded)",
        anchor="Mythic 6.5-8.7, HERMES 9.76 TOPS/W", utilization=ft8["utilization"])
    vl = os.path.join(a.build, "large", "vl", "aimc-test-vl")
    if a.rtl and os.path.exists(vl):
        res = {}
        for door in ("back", "front", "layer"):
            rep = os.path.join(a.build, "bench", f"large-{door}.json")
            cmd = [vl, "layer-test", "--config", "configs/large.cfg", "--rows", "1024", "--cols",
                   "1024", "--batch", "2", "--seed", "1", "--backend", "verilator", "--report",
                   rep] + (["--backdoor"] if door != "front" else []) + (
                       ["--raw", "0"] if door == "layer" else [])
            log(f"    RTL large 1024x1024 batch 2 ({door}): $ {shlex.join(cmd)}")
            _, wall = run(cmd, 3600, f"layer-test large ({door})")
            with open(rep) as f:
                res[door] = (json.load(f), wall)
        for door, key, model, what in (
                ("back", "tile_utilization_1024_large_b2", util_model, "layer-test program"),
                ("layer", "tile_utilization_1024_large_b2_layer", util_layer_model,
                 "layer-test --raw 0: MVM + int8 POST per vector")):
            c = res[door][0]["counters"]
            busy_rtl = max(int(t["busy"]) for t in c["tiles"].values())
            conv = int(c["reads"]) * int(cfg["cols_per_adc"]) * int(cfg["adc_cycles"])
            rows[key].update(
                value=conv / busy_rtl, met=conv / busy_rtl >= GOALS["tile_utilization"],
                source=f"RTL layer-test on large (Verilator, backdoor; {what}): converting cycles "
                "(reads x cols/ADC x ADC cycles) / busy cycles of the tile", model_value=model,
                converting_cycles=conv, busy_cycles=busy_rtl)
        rows["host_side_loading_large_1024"] = row(
            res["back"][1], res["front"][1], "<=",
            "wall seconds of the 1024x1024 layer-test on large: backdoor (value) vs frontdoor "
            "(goal: faster than the bus)", frontdoor_s=res["front"][1], backdoor_s=res["back"][1])
    elif a.rtl:
        for key in ("tile_utilization_1024_large_b2", "tile_utilization_1024_large_b2_layer"):
            rows[key]["rtl_note"] = f"{vl} missing (make vl CONFIG=large)"
    return rows


# ---- simulators -------------------------------------------------------------------------------------

def child_cpu_s():
    """CPU seconds (user + system) of the finished child processes so far."""
    import resource  # here, not at the top: keeps this block apart from the import list
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def layer_speed(vl, cfg, k, n, batch, extra=()):
    rep = tempfile.mktemp(suffix=".json", dir=os.path.dirname(vl))
    cmd = [vl, "layer-test", "--config", cfg, "--rows", str(k), "--cols", str(n), "--batch",
           str(batch), "--seed", "1", "--backend", "verilator", "--report", rep] + list(extra)
    cpu0 = child_cpu_s()
    _, wall = run(cmd, 1800, f"layer-test {cfg}")
    # the command's own CPU time: on a shared machine its wall time also counts other jobs
    r_cpu = child_cpu_s() - cpu0
    with open(rep) as f:
        r = json.load(f)
    os.remove(rep)
    r["_cpu_s"] = r_cpu
    return r, wall, cmd


def sim_rows(a):
    rows = {}
    vl = os.path.join(a.build, "base", "vl", "aimc-test-vl")
    if os.path.exists(vl):
        r, wall, cmd = layer_speed(vl, "configs/base.cfg", 64, 32, 64)
        cps = r.get("sim_cycles_per_s") or (r["sim_cycles"] / wall if r.get("sim_cycles") else None)
        cpu = r.get("_cpu_s")
        rows["verilator_mcycles_per_s_base"] = row(
            cps / 1e6 if cps else None, GOALS["verilator_base_mcps"], ">=",
            "layer-test 64x32 batch 64 on base (sim_cycles_per_s of the report)",
            command=shlex.join(cmd), wall_s=wall, cpu_s=cpu,
            mcycles_per_cpu_s=(r["sim_cycles"] / cpu / 1e6 if r.get("sim_cycles") and cpu
                               else None))
    else:
        rows["verilator_mcycles_per_s_base"] = row(None, GOALS["verilator_base_mcps"], ">=",
                                                   f"not measured: {vl} missing (make vl)")
    tiny_vl = os.path.join(a.build, "tiny", "vl", "aimc-test-vl")
    ic = os.path.join(a.build, "tiny", "icarus", "sim.vvp")
    if a.rtl and os.path.exists(tiny_vl) and os.path.exists(ic):
        _, wv, _ = layer_speed(tiny_vl, "configs/tiny.cfg", 120, 40, 4)
        t0 = time.monotonic()
        run(["tools/layer_test.sh", "--sim", "icarus", "--config", "configs/tiny.cfg", "--rows",
             "120", "--cols", "40", "--batch", "4", "--seed", "1", "--build", a.build], 3600,
            "layer_test.sh icarus")
        wi = time.monotonic() - t0
        rows["icarus_vs_verilator"] = row(wv / wi, GOALS["icarus_vs_verilator"], ">=",
                                          "tiny 120x40 batch 4: Verilator wall / Icarus wall "
                                          "(the Icarus flow includes its trace recording)",
                                          verilator_s=wv, icarus_s=wi)
    elif a.rtl:
        rows["icarus_vs_verilator"] = row(None, GOALS["icarus_vs_verilator"], ">=",
                                          "not measured: make vl icarus CONFIG=tiny")
    return rows


# ---- MLPerf Tiny models -------------------------------------------------------------------------------

def litert_time(model, x):
    """LiteRT's own time per inference: the default op resolver (optimized kernels), 1 thread."""
    from ai_edge_litert.interpreter import Interpreter
    it = Interpreter(model_path=model, num_threads=1)
    it.allocate_tensors()
    i = it.get_input_details()[0]
    it.set_tensor(i["index"], x[0].reshape(i["shape"]))
    it.invoke()                                   # warm-up
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < 0.5:
        it.set_tensor(i["index"], x[n % len(x)].reshape(i["shape"]))
        it.invoke()
        n += 1
    return (time.perf_counter() - t0) / n


def largest_layer(rep_rtl, cfg):
    """The tile utilization of a model's largest on-chip layer (most MACs: K x N x vectors) in an
    RTL run report's per-node stats: tile cycles converting (array reads x cols_per_adc x
    adc_cycles x weight_slices) over the node's chip cycles x the tiles it occupies (a tile idle
    while its node runs counts as not converting: a lower bound of the busy-cycle ratio)."""
    nodes = [v for v in (rep_rtl.get("node") or {}).values()
             if v.get("on_chip") and v.get("cycles") and v.get("tiles_used")]
    if not nodes:
        return None
    big = max(nodes, key=lambda v: int(v["k"]) * int(v["n"]) * int(v["vectors"]))
    per_read = int(cfg["cols_per_adc"]) * int(cfg["adc_cycles"]) * int(cfg.get("weight_slices", 1))
    conv = int(big["reads"]) * per_read
    span = int(big["cycles"]) * int(big["tiles_used"])
    return {"op": big["op"], "shape": big["shape"], "k": big["k"], "n": big["n"],
            "vectors": big["vectors"], "reads": big["reads"], "tiles_used": big["tiles_used"],
            "node_cycles": big["cycles"], "converting_tile_cycles": conv,
            "utilization": conv / span}


def model_figures(a, aimc, name, with_rtl):
    fname, gap9 = MODELS[name]
    model = os.path.join(ROOT, "models", "mlperf-tiny", fname)
    work = os.path.join(a.build, "bench", "models", name)
    os.makedirs(work, exist_ok=True)
    cfg_path, ref_path = resolve_cfg(a.config), resolve_cfg(a.ref_config)
    cfg = load_cfg(aimc, cfg_path, 120)
    net_ref = os.path.join(work, "net_ref.khnf")
    ti.import_to_file(model, net_ref)
    g = gf.read_graph(net_ref)
    rng = np.random.default_rng(a.seed)
    x = rng.integers(-128, 128, size=(a.samples, g.n_inputs), dtype=np.int8)
    inputs = os.path.join(work, "inputs.i8")
    sm.write_atomic(inputs, x.tobytes())
    net_cfg = os.path.join(work, "net_cfg.khnf")
    kcal.calibrate(model, net_ref, net_cfg, cfg, x[:min(len(x), 4)])
    n, out_len = len(x), g.n_outputs
    _, rep_id, _ = sm.run_chip(aimc, "cmodel", ref_path, a.seed, net_ref, inputs,
                               os.path.join(work, "y_id.i8"), os.path.join(work, "r_id.json"),
                               n, out_len, 3600)
    _, rep_cm, _ = sm.run_chip(aimc, "cmodel", cfg_path, a.seed, net_cfg, inputs,
                               os.path.join(work, "y_cm.i8"), os.path.join(work, "r_cm.json"),
                               n, out_len, 3600)
    r = {"model": fname, "macs_per_inference": kcal.macs(g), "samples": n,
         "config": cfg["name"], "tiles_used": rep_cm.get("tiles_used"),
         "array_utilization": rep_cm.get("utilization"),
         "cmodel_ideal_wall_s_per_inference": sm.per_inf(rep_id, n),
         "cmodel_noisy_wall_s_per_inference": sm.per_inf(rep_cm, n),
         "litert_s_per_inference": litert_time(model, x)}
    rep_perf, n_perf = rep_cm, n
    if with_rtl:
        vl = os.path.join(a.build, os.path.splitext(os.path.basename(cfg_path))[0], "vl",
                          "aimc-vl")
        if not os.path.exists(vl):
            r["rtl_note"] = f"{vl} missing (make vl CONFIG={cfg['name']})"
        else:
            rin = os.path.join(work, "inputs_rtl.i8")
            sm.write_atomic(rin, x[:1].tobytes())
            _, rep_rtl, _ = sm.run_chip(vl, "verilator", cfg_path, a.seed, net_cfg, rin,
                                        os.path.join(work, "y_rtl.i8"),
                                        os.path.join(work, "r_rtl.json"), 1, out_len, 7200,
                                        door_flags(cfg, False))
            r["rtl_wall_s_per_inference"] = sm.per_inf(rep_rtl, 1)
            # the simulator's speed: every simulated clock (idle ones while the driver works on
            # the host included) over the command's wall time (report sim_cycles, wall_s)
            r["rtl_sim_cycles_per_s"] = (rep_rtl["sim_cycles"] / rep_rtl["wall_s"]
                                         if rep_rtl.get("sim_cycles") and rep_rtl.get("wall_s")
                                         else None)
            r["rtl_busy_cycles_per_s"] = rep_rtl.get("sim_cycles_per_s")
            r["largest_layer"] = largest_layer(rep_rtl, cfg)
            rep_perf, n_perf = rep_rtl, 1
    else:
        r["rtl_note"] = "RTL not run (--rtl-models): no chip cycles, latency or leakage"
    p = sm.perf_model(g, cfg, rep_perf, n_perf)
    x_ = p["extended"]
    r.update({
        "chip_cycles_per_inference": p["cycles_per_inference"] if p["cycles_per_inference"]
        else None,
        "latency_us": p["latency_us"] if p["cycles_per_inference"] else None,
        "energy_per_inference_uj": x_["energy_per_inference_uj"],
        "energy_counted_uj": p["energy_per_inference_uj"],
        "energy_breakdown_pj": dict(p["energy_breakdown_pj_per_inference"],
                                    host_transfer=x_["per_inference_pj"]["host_transfer_pj"],
                                    leakage=x_["per_inference_pj"]["leakage_pj"]),
        "programming_once_uj": (x_.get("programming_once") or {}).get("energy_uj"),
        "tops_per_w": x_["tops_per_w"],
        "digital_baseline_uj": p["digital"]["energy_per_inference_uj"],
        "digital_over_analog_energy": p["digital"]["ratio"]["energy_digital_over_analog"],
        "goals": {
            "energy_uj": row(x_["energy_per_inference_uj"], gap9 / 10, "<=",
                             f"1/10 of GAP9's {gap9} uJ (MLPerf Tiny v1.0)"),
            "tops_per_w": row(x_["tops_per_w"], GOALS["tops_per_w_model"], ">=",
                              "issue 17: >= 10 TOPS/W per model"),
        }})
    if r.get("largest_layer"):
        ll = r["largest_layer"]
        r["goals"]["largest_layer_utilization"] = row(
            ll["utilization"], GOALS["tile_utilization"], ">=",
            f"RTL run (1 inference): {ll['op']} {ll['shape']}, the largest layer, tile cycles "
            f"converting / (node cycles x its {ll['tiles_used']} tiles)")
    for k in ("energy_uj", "tops_per_w"):
        gr = r["goals"][k]
        gr["missed_by"] = (None if gr["met"] else
                           gr["value"] / gr["goal"] if k == "energy_uj" else gr["goal"] / gr["value"])
    return r


def pick(spec, default):
    if spec is None:
        return list(default)
    if spec in ("none", ""):
        return []
    if spec == "all":
        return list(MODELS)
    names = spec.split(",")
    bad = [m for m in names if m not in MODELS]
    if bad:
        raise ValueError(f"unknown model(s) {', '.join(bad)}; known: {', '.join(MODELS)}")
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--bench-bin", help="bench/aimc_bench.c binary (default BUILD/bench/aimc_bench)")
    ap.add_argument("--bench-args", default="", help="arguments for aimc_bench")
    ap.add_argument("--out", help="report (default BUILD/reports/bench.json)")
    ap.add_argument("--config", default="edge")
    ap.add_argument("--ref-config", default="edge_ideal")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=int, default=2, help="inputs per model C-model run")
    ap.add_argument("--models", help="all (default), none, or a comma list of "
                    + ", ".join(MODELS))
    ap.add_argument("--rtl", action="store_true",
                    help="also the slow RTL rows: the 1024 tile on large and Icarus vs Verilator "
                    "(minutes each)")
    ap.add_argument("--rtl-models", help="models run on the RTL (one inference each; default "
                    "all)")
    ap.add_argument("--no-c-bench", action="store_true", help="skip aimc_bench (for tests)")
    a = ap.parse_args(argv)
    a.build = os.path.abspath(a.build)
    a.bench_bin = a.bench_bin or os.path.join(a.build, "bench", "aimc_bench")
    out = a.out or os.path.join(a.build, "reports", "bench.json")
    try:
        models = pick(a.models, MODELS)
        rtl_models = pick(a.rtl_models, MODELS)
    except ValueError as e:
        ap.error(str(e))
    if not 1 <= a.samples <= 64:
        ap.error("--samples must be in 1..64")
    aimc = os.path.join(a.build, "sw", "aimc")
    os.makedirs(os.path.join(a.build, "bench"), exist_ok=True)
    t0 = time.monotonic()
    rep = {"what": "issue 17's performance table, each row with its goal (docs/sim.md, make bench)",
           "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "host": platform.node(), "machine": platform.machine(), "rtl": a.rtl,
           "goals_never_fail": True, "rows": {}, "models": {}}
    try:
        if not a.no_c_bench:
            b, rows = c_bench(a)
            rep["c_model_bench"] = b
            rep["openblas_core"] = b["openblas_core"]
            rep["rows"].update(rows)
        log("[2] one 1024 x 1024 tile (large)")
        rep["rows"].update(tile_rows(a, aimc))
        log("[3] simulator speed")
        rep["rows"].update(sim_rows(a))
        for i, m in enumerate(models):
            log(f"[4.{i + 1}] {m}: C model ideal + noisy ({a.samples} inputs), LiteRT"
                + (", RTL (1 inference)" if m in rtl_models else ""))
            rep["models"][m] = model_figures(a, aimc, m, m in rtl_models)
    except (SimError, OSError, subprocess.TimeoutExpired) as e:
        log(f"bench: FAIL: {e}")
        return 1
    edge_cps = [v["rtl_sim_cycles_per_s"] for v in rep["models"].values()
                if v.get("rtl_sim_cycles_per_s")]
    rep["rows"]["verilator_mcycles_per_s_edge"] = row(
        max(edge_cps) / 1e6 if edge_cps else None, GOALS["verilator_edge_mcps"], ">=",
        "the MLPerf model runs on the RTL of the edge config: simulated clock cycles (idle ones "
        "included) per wall second of the run command (setup and host-side driver work included)")
    for m, v in rep["models"].items():
        rep["rows"][f"energy_uj_{m}"] = v["goals"]["energy_uj"]
        rep["rows"][f"tops_per_w_{m}"] = v["goals"]["tops_per_w"]
        if "largest_layer_utilization" in v["goals"]:
            rep["rows"][f"largest_layer_utilization_{m}"] = v["goals"]["largest_layer_utilization"]
    rep["wall_s"] = time.monotonic() - t0
    write_atomic(out, json.dumps(rep, indent=2) + "\n")
    print_table(rep)
    log(f"bench: wrote {out} (goals are reported, never enforced)")
    return 0


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def print_table(rep):
    log("")
    log(f"  {'row':<36} {'value':>10} {'goal':>12}  met")
    for k, r in rep["rows"].items():
        met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
        log(f"  {k:<36} {fmt(r['value']):>10} {r['goal_is'] + ' ' + fmt(r['goal']):>12}  {met}")
    if rep["models"]:
        log("")
        log(f"  {'model':<9}{'cycles':>11}{'lat. us':>10}{'uJ':>9}{'TOPS/W':>8}{'util':>7}"
            f"{'C id ms':>9}{'C nz ms':>9}{'RTL s':>8}{'LiteRT ms':>10}{'digital uJ':>11}")
        for m, v in rep["models"].items():
            log(f"  {m:<9}{fmt(v['chip_cycles_per_inference']):>11}{fmt(v['latency_us']):>10}"
                f"{v['energy_per_inference_uj']:>9.3f}{v['tops_per_w']:>8.3f}"
                f"{100 * (v['array_utilization'] or 0):>6.1f}%"
                f"{1e3 * v['cmodel_ideal_wall_s_per_inference']:>9.2f}"
                f"{1e3 * v['cmodel_noisy_wall_s_per_inference']:>9.2f}"
                f"{fmt(v.get('rtl_wall_s_per_inference')):>8}"
                f"{1e3 * v['litert_s_per_inference']:>10.3f}{v['digital_baseline_uj']:>11.3f}")


if __name__ == "__main__":
    sys.exit(main())
