#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make dse`: design-space exploration of the tile with the chip performance model
(kirchhoff/perf.py, docs/sim.md "Design-space exploration").

Sweeps DAC bits, columns per ADC and tile size; for every point: TOPS/W and TOPS of one full tile
at the config's clock (analytical cycle model + counter energy model, three design variants), and
the digits MLP accuracy on the C model (configs generated from configs/base.cfg into build/dse/).
Checks the analytical cycle model against RTL layer-test runs (Verilator). Writes
build/dse/dse.csv, build/dse/dse.png and build/reports/dse.json.

  dse.py --build DIR [--seed N] [--samples N] [--no-rtl] [--post-lanes L] [--timeout S]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # trained weights independent of the machine

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
from kirchhoff import perf as kperf
from kirchhoff import pipeline as kpipe
from kirchhoff import quantize as kq
from kirchhoff import train as ktrain

DAC_BITS = (1, 2, 4, 8)
COLS_PER_ADC = (1, 2, 4, 8, 16)
TILES = (64, 128, 256, 512, 1024)
GRID_TILE = 256            # the full DAC x ADC-sharing grid is run at this tile size
BASE_CFG = "configs/base.cfg"

# Row energy per array read as a function of DAC bits (the swept configs' e_dac_pj): the row wire
# C*V^2 (A11, 50 fJ for 1 mm at 0.5 V) plus the DAC itself. A10 gives 4 fJ per conversion for a
# 1-bit DAC and no energy for wider ones; ASSUMPTION: a b-bit DAC is 2^b - 1 unit cells (unary,
# an upper bound), 4 fJ each. 1 bit: 0.054 pJ (the config default), 8 bits: 1.07 pJ.
E_ROW_PJ = 0.050
E_DAC_UNIT_PJ = 0.004

# Anchors (docs/sources.md rows E2, E4, and the per-tile figure): TOPS/W, TOPS per tile.
ANCHORS = {
    "Mythic M1076 (~1024x1024 tile)": {"tops_per_w": (6.5, 8.7), "tops_per_tile": 26.0 / 76,
                                       "source": "E2: 26 TOPS, 3-4 W, 76 tiles"},
    "HERMES 1-phase (256x256 core, 1 GHz)": {
        "tops_per_w": (9.76, 9.76), "tops_per_tile": 63.1 / 64,
        "source": "E4: 63.1 TOPS at 9.76 TOPS/W, 64 cores of 256x256"},
}
GOALS = {
    "tops_per_w_full_tile": 20.0,       # issue 17: >= 20 TOPS/W on a full tile
    "tops_per_tile_1024": 0.34,         # >= 0.34 TOPS per 1024x1024 tile at 200 MHz
    "tops_per_w_network": 10.0,         # >= 10 TOPS/W on each network (here: the digits MLP)
}

# POST latency of the RTL of this tree (docs/isa.md "Timing of the tile commands", issue 17):
# int8 and tfl POST Cols / post_lanes + 4 cycles (post_lanes columns per cycle, config key
# post_lanes: kperf.rtl_post_per_col), raw POST Cols / max(1, post_lanes / 4) + 2 (kperf.
# rtl_raw_per_col; was 3·Cols + 3). POST_PER_COL is one
# lane: the unit the isa3_opt variant divides by its --post-lanes.
POST_PER_COL, POST_FIXED, RAW_FIXED = 1.0, 4, 2

# Design variants of the tile evaluated at every point (perf.full_tile arguments).
#   rtl:      the RTL of this tree: signed inputs (ISA 2), POST after the MVM on the point's
#             post_lanes (1 / post_lanes cycles per column),
#             accumulator slots read-modify-written in SRAM at every conversion
#   isa3:     ISA 3 u8 inputs (one applied phase per slice), otherwise as rtl
#   isa3_opt: isa3 + POST on `lanes` parallel lanes overlapped with the next MVM + a register
#             accumulator per column (the slot SRAM written once per MVM) + the POST parameters
#             (bias, M, S) held in registers per column, loaded once per layer
def variants(post_lanes):
    return {
        "rtl": dict(mode="s8", post_per_col=None, post_fixed=POST_FIXED, overlap=False,
                    acc_storage="sram"),
        "isa3": dict(mode="u8", post_per_col=None, post_fixed=POST_FIXED, overlap=False,
                     acc_storage="sram"),
        "isa3_opt": dict(mode="u8", post_per_col=POST_PER_COL / post_lanes, post_fixed=POST_FIXED,
                         overlap=True,
                         acc_storage="reg", post_params="reg"),
    }


class DseError(Exception):
    pass


def log(msg=""):
    print(msg, flush=True)


def run(cmd, what, timeout):
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DseError(f"{what}: timed out after {timeout} s\n  command: {shlex.join(cmd)}") \
            from None
    except OSError as e:
        raise DseError(f"{what}: cannot run: {e}\n  command: {shlex.join(cmd)}") from None
    if p.returncode != 0:
        tail = "\n".join((p.stderr.strip() or p.stdout.strip()).splitlines()[-15:])
        raise DseError(f"{what}: exit code {p.returncode}\n  command: {shlex.join(cmd)}\n{tail}")
    return p.stdout


def write_atomic(path, text, mode="w"):
    with atomic.open_atomic(path, "wb" if "b" in mode else "w") as f:
        f.write(text)


# ---- configs ------------------------------------------------------------------------------------

def e_dac_pj(dac_bits):
    return round(E_ROW_PJ + E_DAC_UNIT_PJ * (2 ** dac_bits - 1), 6)


def point_name(tile, dac, cpa, adc=8):
    return f"dse_t{tile}_d{dac}_c{cpa}" + (f"_a{adc}" if adc != 8 else "")


# ADC bits beyond 8 (the ADC sweep at the grid tile): adc_cycles = bits and an energy that
# doubles per bit from base's 2 pJ at 8 bits (a constant Walden figure of merit, A1; A6's 10-bit
# 40 nm SAR is 14 pJ, above this 8 pJ).
ADC_SWEEP = (9, 10)


def e_adc_pj(adc_bits):
    return 2.0 * 2 ** (adc_bits - 8)


DAC_INL = (0.5, 1.0)    # peak DAC INL (config dac_inl, DAC LSB; an assumption key) at the best point


def gen_config(outdir, tile, dac, cpa, adc=8, extra=None):
    """configs/base.cfg with the swept keys changed (and buffers large enough for the tile);
    extra: further keys (their values in the name)."""
    name = point_name(tile, dac, cpa, adc) + "".join(
        f"_{k.replace('_', '')}{v}".replace(".", "p") for k, v in (extra or {}).items())
    keys = {"name": name, "rows": tile, "cols": tile, "dac_bits": dac, "cols_per_adc": cpa,
            "e_dac_pj": e_dac_pj(dac)}
    if adc != 8:
        keys.update(adc_bits=adc, adc_cycles=adc, e_adc_pj=e_adc_pj(adc))
    keys.update(extra or {})
    if tile * tile // 4 > 8192:                     # one tile's weight block (one layer per run)
        keys["wgt_depth"] = tile * tile // 4
    if tile > 64:                                   # IN/OUT and parameters for a batch of vectors
        keys.update(act_depth=16384, par_depth=max(1024, 3 * tile), instr_depth=2048)
    lines, seen = [], set()
    with open(os.path.join(ROOT, BASE_CFG)) as f:
        for line in f:
            k = line.split("#", 1)[0].split("=", 1)[0].strip()
            if k in keys:
                lines.append(f"{k} = {keys[k]}\n")
                seen.add(k)
            elif line.startswith("#"):
                continue
            else:
                lines.append(line)
    lines += [f"{k} = {v}\n" for k, v in keys.items() if k not in seen]
    path = os.path.join(outdir, name + ".cfg")
    write_atomic(path, f"# generated by sw/python/dse.py from {BASE_CFG}: tile {tile}x{tile}, "
                       f"{dac}-bit DAC, {cpa} columns per ADC, {adc}-bit ADC\n" +
                 "".join(lines))
    return path


def load_cfg(aimc, path, timeout):
    out = run([aimc, "config", "--json", path], f"reading config {path}", timeout)
    return json.loads(out)


# ---- the digits MLP on the C model ---------------------------------------------------------------

class Digits:
    def __init__(self, samples):
        self.pr = kpipe.prepare(None, net="mlp")
        n = min(samples, len(self.pr.yte)) if samples > 0 else len(self.pr.yte)
        self.x = self.pr.xte[:n]
        self.y = self.pr.yte[:n]
        self.n = n
        self.acc_int8 = float(np.mean(
            ktrain.predict(kq.forward_int8(self.pr.qnet, self.x)) == self.y))

    def run(self, aimc, cfg_path, cfg, workdir, seed, timeout):
        """The MLP on the C model, one layer per `aimc run` (a network file per layer, the int8
        outputs of one the inputs of the next): from 512x512 tiles on, the weight buffer (and
        the 16-bit PROG address) holds one tile's block only, so the layers cannot be staged
        together. Energy from the runs' counters (perf.perf_fc; the C model has no cycles)."""
        os.makedirs(workdir, exist_ok=True)
        cal = kq.calibrate_adc_shifts(self.pr.qnet, self.pr.xtr, cfg)
        q = self.pr.qnet.with_adc_shifts(cal.shifts)
        x = self.x
        cols = int(cfg["cols"])
        energy_pj, wall, cmds = 0.0, 0.0, []
        for i, L in enumerate(q.layers):
            net = os.path.join(workdir, f"layer{i}.khnf")
            kexport.write_net(net, kq.QNet(layers=[L], in_scale=q.in_scale))
            inputs = os.path.join(workdir, f"in{i}.i8")
            atomic.write_bytes(inputs, np.ascontiguousarray(x, dtype=np.int8).tobytes())
            out, rep = os.path.join(workdir, f"out{i}.i8"), os.path.join(workdir, f"rep{i}.json")
            for f in (out, rep):
                if os.path.exists(f):
                    os.remove(f)
            cmd = [aimc, "run", "--backend", "cmodel", "--config", cfg_path, "--seed",
                   str(seed + i), "--net", net, "--inputs", inputs, "--out", out,
                   "--report", rep]
            t0 = time.monotonic()
            run(cmd, f"C model run ({os.path.basename(cfg_path)}, layer {i})", timeout)
            wall += time.monotonic() - t0
            cmds.append(shlex.join(cmd))
            x = np.fromfile(out, dtype=np.int8)
            if x.size != self.n * L.out_len:
                raise DseError(f"{out}: {x.size} bytes, expected {self.n} x {L.out_len}\n"
                               f"  command: {cmds[-1]}")
            x = x.reshape(self.n, L.out_len)
            with open(rep) as f:
                r = json.load(f)
            vectors = int(r.get("batch") or 0) * int(r.get("batches") or 0) or self.n
            p = kperf.perf_fc(r["counters"], cfg, 0, L.k * L.n, self.n,
                              vectors * -(-L.n // cols), vectors)
            energy_pj += p["energy_per_inference_uj"] * 1e6
        acc = float(np.mean(ktrain.predict(x) == self.y))
        return {"accuracy": acc, "adc_shifts": cal.shifts, "wall_s": wall,
                "tops_per_w": 2 * q.macs() / energy_pj,
                "energy_per_inference_uj": energy_pj * 1e-6, "commands": cmds}


def tile_error(aimc, cfg_path, tile, seed, workdir, timeout):
    """A random layer that fills the tile (K = N = tile, batch 4) on the C model: rms error of the
    int8 outputs against the exact (golden) ones, in LSB, at the automatic adc_shift
    (`aimc-test layer-test`). Unlike the digits MLP (64 inputs), every row of the tile drives the
    column sums here, so it shows what DAC bits do to the ADC's range at full scale."""
    os.makedirs(workdir, exist_ok=True)
    rep = os.path.join(workdir, "layer-test.json")
    if os.path.exists(rep):
        os.remove(rep)
    cmd = [aimc, "layer-test", "--config", cfg_path, "--rows", str(tile), "--cols", str(tile),
           "--batch", "4", "--seed", str(seed), "--backend", "cmodel", "--report", rep]
    run(cmd, f"layer-test ({os.path.basename(cfg_path)})", timeout)
    with open(rep) as f:
        r = json.load(f)
    return {"rms_err_lsb": float(r["rms_err_lsb_vs_golden"]), "adc_shift": int(r["adc_shift"]),
            "command": shlex.join(cmd)}


# ---- RTL check of the cycle model ----------------------------------------------------------------

RTL_CHECKS = (  # config, K, N, batch: each a layer that fills one tile of a 1-tile-used config
    ("configs/tiny.cfg", 16, 8, 4),
    ("configs/base.cfg", 64, 32, 2),
    ("build/dse/dse_chk.cfg", 32, 16, 2),
    ("build/dse/dse_chk2.cfg", 32, 32, 3),
)
CHK_CFGS = {  # generated check configs: other DAC widths, ADC sharing and settle times
    "dse_chk.cfg": """# generated by sw/python/dse.py: RTL check point of the analytical cycle model
name = dse_chk
num_tiles = 1
rows = 32
cols = 16
dac_bits = 4
adc_bits = 10
cols_per_adc = 1
adc_cycles = 10
settle_cycles = 3
""",
    # cols_per_adc 16 > rows/4 + 1: the other branch of the MVM's load term; 8-bit DAC; settle 1
    "dse_chk2.cfg": """# generated by sw/python/dse.py: RTL check point of the analytical cycle model
name = dse_chk2
num_tiles = 1
rows = 32
cols = 32
dac_bits = 8
adc_bits = 8
cols_per_adc = 16
adc_cycles = 9
settle_cycles = 1
""",
}
# The sequencer around a layer-test program, fitted once on tiny (batch 1, 4, 8: 6 idle cycles per
# vector + 6 per run) and then checked, not refitted, on the other points: every tile command
# costs its latency plus 1 dispatch cycle, and a run adds 6 (start, WAIT, HALT).
DISPATCH = 1
RUN_FIXED = 6


def _mvms(cfg, batch_by_mode, reads, isa=kperf.ISA):
    """Tile latency of the MVMs of a run: batch_by_mode {mode: MVMs}, reads = the run's applied
    phases (its `reads` counter, data dependent). Each MVM is perf.mvm_cycles with every phase
    of perf.phases applied, less CC + 1 cycles (one conversion) for each of those phases the run
    did not apply: with the next phase found and settled under the current conversions (issue
    17) a phase without an active row costs nothing once CC >= k + S + 1, except before the first
    applied one (1 cycle each: not modelled, the stimulus decides). Returns (latency, phases of
    the dense prediction)."""
    ws = int(cfg.get("weight_slices", 1))
    conv1 = int(cfg["cols_per_adc"]) * ws * int(cfg["adc_cycles"]) + 1
    lat, dense = 0, 0
    for mode, n in batch_by_mode.items():
        a, s = kperf.phases(int(cfg["dac_bits"]), mode, isa)
        lat += n * kperf.mvm_cycles(cfg["rows"], cfg["cols_per_adc"], cfg["adc_cycles"],
                                    cfg["settle_cycles"], a, s, weight_slices=ws,
                                    load_words=kperf.load_words(cfg))
        dense += n * a
    return lat - (dense - reads) * conv1, dense


def _posts(cfg, batch):
    """An int8 (or tfl) POST and a RAW POST per vector: the RTL's latencies."""
    return batch * (kperf.post_cycles(cfg["cols"], kperf.rtl_post_per_col(cfg), POST_FIXED) +
                    kperf.post_cycles(cfg["cols"], kperf.rtl_raw_per_col(cfg), RAW_FIXED))


def layer_test_model(cfg, batch, reads, isa=kperf.ISA):
    """Cycles of a layer-test run on a layer that fills one tile: per vector one MVM, one RAW
    POST and one int8 POST (cmd_layer_test.c); applied phases = the run's array reads (data
    dependent, _mvms); and the dense prediction (every phase of perf.phases applied). isa: the
    RTL's phase count (2: 2*ceil(7/DacBits), 3: 2*ceil(8/...)). Tile busy = the latencies minus
    one per command; total cycles add the dispatch model (DISPATCH per command, RUN_FIXED)."""
    def cyc(applied):
        mvm, _ = _mvms(cfg, {"s8": batch}, applied, isa)
        lat = mvm + _posts(cfg, batch)
        cmds = 3 * batch
        return {"tile_busy": int(lat - cmds), "cycles": int(lat + DISPATCH * cmds + RUN_FIXED)}
    _, dense = _mvms(cfg, {"s8": batch}, 0, isa)
    return cyc(reads), cyc(dense)


def tfl_model(cfg, batch, reads):
    """Cycles of an ISA 3 `layer-test --tfl 1` run on a layer that fills one tile
    (cmd_layer_test.c tfl_build): PROG, per vector one MVM (u8 for even vectors, signed for odd),
    then per vector a tfl POST and a RAW POST, two WAITs and HALT. Tile busy = the latencies minus
    one per command; total cycles with the dispatch model fitted on ISA 2 (not refitted here)."""
    mvm, _ = _mvms(cfg, {"u8": (batch + 1) // 2, "s8": batch // 2}, reads, 3)
    lat = kperf.prog_cycles(cfg["rows"], cfg["cols"]) + mvm + _posts(cfg, batch)
    cmds = 1 + 3 * batch
    return {"tile_busy": int(lat - cmds), "cycles": int(lat + DISPATCH * cmds + RUN_FIXED)}


def isa3_checks(args, aimc):
    """The u8 (ISA 3) MVM timing on the RTL: `layer-test --tfl 1` on configs/tiny.cfg with an
    aimc-test-vl that has it (--isa3-vl, or this tree's own once ISA 3 is in). [] with a note if
    none."""
    vl = args.isa3_vl or os.path.join(args.build, "tiny", "vl", "aimc-test-vl")
    if not os.path.exists(vl):
        return [], f"no ISA 3 aimc-test-vl ({vl})"
    try:
        p = subprocess.run([vl, "layer-test", "--help"], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return [], f"{vl}: {e}"
    if "--tfl" not in p.stdout + p.stderr:
        return [], f"{vl} has no layer-test --tfl (ISA 3 not in this build)"
    cfg = load_cfg(aimc, "configs/tiny.cfg", args.timeout)
    out = []
    for b in (2, 4):
        rep = os.path.join(args.build, "dse", f"layer-test-tfl-b{b}.json")
        cmd = [vl, "layer-test", "--config", "configs/tiny.cfg", "--rows", "16", "--cols", "8",
               "--batch", str(b), "--seed", str(args.seed), "--tfl", "1", "--backend",
               "verilator", "--report", rep]
        run(cmd, f"layer-test --tfl 1 batch {b}", args.timeout)
        with open(rep) as f:
            r = json.load(f)
        c = r["counters"]
        busy = sum(int(t["busy"]) for t in c["tiles"].values())
        m = tfl_model(cfg, b, int(c["reads"]))
        out.append({"config": "tiny", "isa": 3, "program": "u8+signed --tfl",
                    "rows": 16, "cols": 8, "batch": b,
                    "rtl_cycles": int(r["cycles"]), "rtl_tile_busy": busy,
                    "rtl_reads": int(c["reads"]), "model_tile_busy": m["tile_busy"],
                    "model_cycles": m["cycles"],
                    "error_pct": 100.0 * (m["cycles"] - int(r["cycles"])) / int(r["cycles"]),
                    "tile_busy_exact": m["tile_busy"] == busy, "pass": bool(r.get("pass")),
                    "command": shlex.join(cmd)})
        log(f"  ISA 3 tiny K=16 N=8 B={b} (--tfl 1): RTL {r['cycles']} cycles (tile busy {busy}),"
            f" model {m['cycles']} ({out[-1]['error_pct']:+.2f} %), tile busy {m['tile_busy']}")
    return out, vl


def rtl_checks(args, aimc):
    out = []
    for fname, text in CHK_CFGS.items():
        chk = os.path.join(ROOT, "build", "dse", fname)
        if not os.path.exists(chk) or open(chk).read() != text:   # keep its vl build current
            os.makedirs(os.path.dirname(chk), exist_ok=True)
            write_atomic(chk, text)
    for cfg_path, k, n, b in RTL_CHECKS:
        cfg = load_cfg(aimc, cfg_path, args.timeout)
        name = cfg["name"]
        vl = os.path.join(args.build, name, "vl", "aimc-test-vl")
        if not os.path.exists(vl):
            log(f"  building the Verilator model of {name} (make vl CONFIG={cfg_path})")
            run(["make", "vl", f"CONFIG={cfg_path}", f"BUILD={args.build}"],
                f"make vl CONFIG={cfg_path}", 3600)
        rep = os.path.join(args.build, "dse", f"layer-test-{name}.json")
        cmd = [vl, "layer-test", "--config", cfg_path, "--rows", str(k), "--cols", str(n),
               "--batch", str(b), "--seed", str(args.seed), "--backend", "verilator",
               "--report", rep]
        run(cmd, f"layer-test {name}", args.timeout)
        with open(rep) as f:
            r = json.load(f)
        c = r["counters"]
        busy = sum(int(t["busy"]) for t in c["tiles"].values())
        exact, dense = layer_test_model(cfg, b, int(c["reads"]))
        out.append({
            "config": name, "config_file": cfg_path, "rows": k, "cols": n, "batch": b,
            "program": "signed", "isa": kperf.ISA,
            "dac_bits": cfg["dac_bits"], "cols_per_adc": cfg["cols_per_adc"],
            "adc_cycles": cfg["adc_cycles"], "settle_cycles": cfg["settle_cycles"],
            "rtl_cycles": int(r["cycles"]), "rtl_tile_busy": busy, "rtl_reads": int(c["reads"]),
            "model_cycles": exact["cycles"], "model_tile_busy": exact["tile_busy"],
            "model_dense_cycles": dense["cycles"],
            "error_pct": 100.0 * (exact["cycles"] - int(r["cycles"])) / int(r["cycles"]),
            "pass": bool(r.get("pass")), "command": shlex.join(cmd)})
        log(f"  {name:8s} K={k} N={n} B={b}: RTL {r['cycles']} cycles (tile busy {busy}), model "
            f"{exact['cycles']} ({out[-1]['error_pct']:+.2f} %), dense-input model "
            f"{dense['cycles']}")
    return out


# ---- the sweep -----------------------------------------------------------------------------------

def points():
    """The full DAC x ADC-sharing grid at GRID_TILE; the tile sweeps are added after it."""
    return [(GRID_TILE, d, c) for d in DAC_BITS for c in COLS_PER_ADC]


def evaluate(cfg, var):
    r = {}
    for vname, kw in var.items():
        ft = kperf.full_tile(cfg, **kw)
        r[vname] = {"tops": ft["tops"], "tops_per_w": ft["tops_per_w"],
                    "tops_per_w_counted": ft["tops_per_w_counted"],
                    "tops_per_w_host": ft["tops_per_w_host"],
                    "utilization": ft["utilization"], "vector_cycles": ft["cycles"]["vector"],
                    "tops_per_mm2": ft["tops_per_mm2"], "area_mm2": ft["area_mm2"],
                    "mvm_cycles": ft["cycles"]["mvm"], "post_cycles": ft["cycles"]["post"],
                    "energy_pj": ft["energy_pj"]}
    return r


SELECT_VARIANT = "isa3_opt"


def select_best(rows, floor, err_margin, tile=GRID_TILE, variant=SELECT_VARIANT, adc=False):
    """The best DAC / ADC-sharing point of the grid (adc: and of the ADC sweep): digits accuracy
    within the floor, full-tile output error within err_margin (relative) of the lowest of the
    8-bit-ADC grid, TOPS/W within 2 % of the best of those; among them the most TOPS per mm^2
    (ADC sharing saves area at no energy)."""
    grid = [r for r in rows if r["tile"] == tile and r["adc_bits"] == 8]
    lo = min(r["tile_rms_err_lsb"] for r in grid)
    cand = [r for r in rows if r["tile"] == tile and (adc or r["adc_bits"] == 8)]
    ok = [r for r in cand if r["accuracy"] >= floor and r["tile_rms_err_lsb"] <= lo *
          (1 + err_margin)] or grid
    top = max(r["fig"][variant]["tops_per_w"] for r in ok)
    near = [r for r in ok if r["fig"][variant]["tops_per_w"] >= 0.98 * top]
    return max(near, key=lambda r: r["fig"][variant]["tops_per_mm2"])


def best(rows, variant, key, acc_floor):
    ok = [r for r in rows if r["accuracy"] >= acc_floor]
    return max(ok, key=lambda r: (r["fig"][variant][key], r["fig"][variant]["tops"])) \
        if ok else None


def plot(path, rows, anchors, var_names, grid_tile):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(18, 5.5))
    grid = [r for r in rows if r["tile"] == grid_tile and r["adc_bits"] == 8]
    marks = {"rtl": "o", "isa3": "s", "isa3_opt": "^"}
    for v in var_names:
        for d in DAC_BITS:
            pts = sorted((r for r in grid if r["dac_bits"] == d), key=lambda r: r["cols_per_adc"])
            ax[0].plot([r["fig"][v]["tops"] for r in pts],
                       [r["fig"][v]["tops_per_w"] for r in pts], marker=marks[v],
                       label=f"{v}, {d}-bit DAC", alpha=0.8)
    for r in grid:
        if r["cols_per_adc"] == 1:
            ax[0].annotate(f"{100 * r['accuracy']:.1f}% / {r['tile_rms_err_lsb']:.2f} LSB",
                           (r["fig"]["isa3_opt"]["tops"], r["fig"]["isa3_opt"]["tops_per_w"]),
                           fontsize=7)
    ax[0].set_xscale("log")
    ax[0].set_xlabel(f"TOPS per {grid_tile}x{grid_tile} tile (points: 1..16 columns per ADC)")
    ax[0].set_ylabel("TOPS/W (full tile, leakage included)")
    ax[0].axhline(GOALS["tops_per_w_full_tile"], ls="--", color="red")
    ax[0].axhline(GOALS["tops_per_w_network"], ls=":", color="red")
    ax[0].set_title(f"DAC bits x columns per ADC, tile {grid_tile}, 8-bit ADC (star: selected)\n"
                    "(digits accuracy / full-tile output error, at 1 col/ADC)", fontsize=10)
    ax[0].legend(fontsize=6, ncol=2)

    tiles = sorted({r["tile"] for r in rows})
    sweep = [r for r in rows if r.get("tile_sweep")]
    for v in var_names:
        pts = sorted(sweep, key=lambda r: r["tile"])
        ax[1].plot([r["tile"] for r in pts], [r["fig"][v]["tops_per_w"] for r in pts],
                   marker=marks[v], label=v)
        ax[2].plot([r["tile"] for r in pts], [r["fig"][v]["tops"] for r in pts],
                   marker=marks[v], label=v)
    for r in sorted(sweep, key=lambda r: r["tile"]):
        ax[1].annotate(f"{100 * r['accuracy']:.1f}% / {r['tile_rms_err_lsb']:.2f} LSB", (r["tile"],
                       r["fig"]["isa3_opt"]["tops_per_w"]), fontsize=7)
    for name, a in anchors.items():
        lo, hi = a["tops_per_w"]
        ax[0].axhspan(lo, hi, alpha=0.15, color="gray")
        ax[0].text(ax[0].get_xlim()[0], hi, f" {name}", fontsize=7, va="bottom")
        ax[1].axhspan(lo, hi, alpha=0.15, color="gray")
        ax[1].text(tiles[0], hi, name, fontsize=7, va="bottom")
        ax[2].axhline(a["tops_per_tile"], ls=":", color="gray")
        ax[2].text(tiles[0], a["tops_per_tile"], name, fontsize=7, va="bottom")
    ax[1].axhline(GOALS["tops_per_w_full_tile"], ls="--", color="red")
    ax[1].text(tiles[0], GOALS["tops_per_w_full_tile"], "goal 20 TOPS/W", color="red", fontsize=7)
    ax[2].axhline(GOALS["tops_per_tile_1024"], ls="--", color="red")
    ax[2].text(tiles[0], GOALS["tops_per_tile_1024"], "goal 0.34 TOPS (1024 tile)", color="red",
               fontsize=7, va="top")
    for a in ax[1:]:
        a.set_xscale("log", base=2)
        a.set_xticks(tiles, [str(t) for t in tiles])
        a.set_xlabel("tile size (square)")
        a.legend(fontsize=7)
    if sweep:
        d, c, a = sweep[0]["dac_bits"], sweep[0]["cols_per_adc"], sweep[0]["adc_bits"]
        ax[1].set_title(f"tile sweep at {d}-bit DAC, {c} col/ADC, {a}-bit ADC\n(digits accuracy / "
                        "full-tile output error)", fontsize=10)
        sel = [r for r in rows if r.get("tile_sweep") and r["tile"] == grid_tile]
        for r in sel:
            f = r["fig"]["isa3_opt"]
            ax[0].plot([f["tops"]], [f["tops_per_w"]], marker="*", ms=14, color="black", ls="")
            ax[0].annotate(f"selected: {d}-bit DAC, {c} col/ADC, {a}-bit ADC, "
                           f"{r['tile_rms_err_lsb']:.2f} LSB", (f["tops"], f["tops_per_w"]),
                           fontsize=7, xytext=(-150, -12), textcoords="offset points")
        ax[2].set_title("TOPS per tile at 200 MHz")
    ax[1].set_ylabel("TOPS/W")
    ax[2].set_ylabel("TOPS per tile")
    ax[2].set_yscale("log")
    fig.tight_layout()
    with atomic.open_atomic(path, "wb") as f:
        fig.savefig(f, dpi=110, format="png")
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--aimc")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=int, default=360,
                    help="test images per C-model run (0: all 360)")
    ap.add_argument("--post-lanes", type=int, default=4,
                    help="parallel POST lanes of the isa3_opt variant (POST 3/L cycles/column)")
    ap.add_argument("--acc-floor", type=float, default=0.01,
                    help="a best point must be within this of the int8 accuracy (fraction)")
    ap.add_argument("--err-margin", type=float, default=0.25,
                    help="a best point's full-tile output error is within this (relative) of "
                         "the grid's lowest")
    ap.add_argument("--no-rtl", action="store_true", help="skip the RTL check of the cycle model")
    ap.add_argument("--isa3-vl", help="an aimc-test-vl of configs/tiny.cfg with ISA 3 (layer-test "
                    "--tfl) for the u8 timing check; default: BUILD/tiny/vl/aimc-test-vl if it has it")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    if args.post_lanes < 1:
        print("dse: --post-lanes must be >= 1", file=sys.stderr)
        return 2
    args.build = os.path.abspath(args.build)
    aimc = args.aimc or os.path.join(args.build, "sw", "aimc")
    args.aimc_path = aimc
    # layer-test is a chip test: the test runner beside the product CLI (tests/chip, issue 19)
    args.aimc_test = os.path.join(args.build, "tests", "aimc-test")
    if not os.path.exists(aimc):
        print(f"dse: {aimc} does not exist (make sw)", file=sys.stderr)
        return 2
    outdir = os.path.join(args.build, "dse")
    os.makedirs(outdir, exist_ok=True)
    os.makedirs(os.path.join(args.build, "reports"), exist_ok=True)
    var = variants(args.post_lanes)
    t_start = time.monotonic()

    try:
        log(f"[1/4] digits MLP: training and quantization ({args.samples} test images per run)")
        dig = Digits(args.samples)
        log(f"  int8 ideal accuracy on the subset: {dig.acc_int8:.4f} ({dig.n} images)")

        rows = []

        def do_point(tile, dac, cpa, tile_sweep=False, adc=8):
            for r in rows:
                if (r["tile"], r["dac_bits"], r["cols_per_adc"], r["adc_bits"]) == \
                        (tile, dac, cpa, adc):
                    r["tile_sweep"] = r.get("tile_sweep") or tile_sweep
                    return r
            path = gen_config(outdir, tile, dac, cpa, adc)
            cfg = load_cfg(aimc, path, args.timeout)
            wd = os.path.join(outdir, "run", cfg["name"])
            d = dig.run(aimc, path, cfg, wd, args.seed, args.timeout)
            te = tile_error(args.aimc_test, path, tile, args.seed, wd, args.timeout)
            r = {"name": cfg["name"], "config_file": os.path.relpath(path, ROOT), "tile": tile,
                 "dac_bits": dac, "cols_per_adc": cpa, "adc_bits": int(cfg["adc_bits"]),
                 "adc_cycles": int(cfg["adc_cycles"]), "e_dac_pj": float(cfg["e_dac_pj"]),
                 "e_adc_pj": float(cfg["e_adc_pj"]),
                 "clock_mhz": float(cfg["clock_mhz"]), "accuracy": d["accuracy"],
                 "adc_shifts": d["adc_shifts"], "mlp_tops_per_w": d["tops_per_w"],
                 "mlp_energy_uj": d["energy_per_inference_uj"], "cmodel_wall_s": d["wall_s"],
                 "tile_rms_err_lsb": te["rms_err_lsb"], "tile_adc_shift": te["adc_shift"],
                 "fig": evaluate(cfg, var), "tile_sweep": tile_sweep}
            rows.append(r)
            f = r["fig"]
            log(f"  {r['name']:18s} acc {r['accuracy']:.3f} tile err {te['rms_err_lsb']:.2f} LSB  "
                + "  ".join(f"{v}: {f[v]['tops_per_w']:6.2f} TOPS/W {f[v]['tops']:.4f} TOPS"
                            for v in var) + f"  ({d['wall_s']:.1f} s)")
            return r

        log(f"[2/4] grid: DAC bits {DAC_BITS} x columns per ADC {COLS_PER_ADC} at tile "
            f"{GRID_TILE}")
        for t, d, c in points():
            do_point(t, d, c)
        floor = dig.acc_int8 - args.acc_floor
        g = select_best(rows, floor, args.err_margin)
        log(f"  best of the grid: {g['dac_bits']}-bit DAC, {g['cols_per_adc']} columns per ADC; "
            f"ADC bits {ADC_SWEEP} for the wider DACs")
        for d in DAC_BITS[1:]:
            for a in ADC_SWEEP:
                for c in COLS_PER_ADC:
                    do_point(GRID_TILE, d, c, adc=a)
        b = select_best(rows, floor, args.err_margin, adc=True)
        a = b["adc_bits"]
        log(f"[3/4] tile sweep {TILES} at the best point: {b['dac_bits']}-bit DAC, "
            f"{b['cols_per_adc']} columns per ADC, {a}-bit ADC; then DAC bits and ADC sharing "
            f"at 1024")
        for t in TILES:
            do_point(t, b["dac_bits"], b["cols_per_adc"], tile_sweep=True, adc=a)
        for d in DAC_BITS:
            do_point(1024, d, b["cols_per_adc"], adc=a)
        for c in COLS_PER_ADC:
            do_point(1024, b["dac_bits"], c, adc=a)

        inl = []
        if b["dac_bits"] > 1:
            for v in DAC_INL:
                path = gen_config(outdir, GRID_TILE, b["dac_bits"], b["cols_per_adc"], a,
                                  extra={"dac_inl": v})
                te = tile_error(args.aimc_test, path, GRID_TILE, args.seed,
                                os.path.join(outdir, "run", os.path.basename(path)[:-4]),
                                args.timeout)
                inl.append({"dac_inl_lsb": v, "config_file": os.path.relpath(path, ROOT),
                            "tile_rms_err_lsb": te["rms_err_lsb"]})
                log(f"  DAC INL {v} LSB at the best point, tile {GRID_TILE}: full-tile error "
                    f"{te['rms_err_lsb']:.2f} LSB")

        log("[4/4] the analytical cycle model against RTL layer-test runs")
        checks = [] if args.no_rtl else rtl_checks(args, aimc)
        isa3, isa3_note = ([], "--no-rtl") if args.no_rtl else isa3_checks(args, aimc)
    except DseError as e:
        print(f"dse: FAIL: {e}", file=sys.stderr)
        return 1

    report = summarize(args, rows, checks, dig, var, floor)
    report["dac_inl_sensitivity"] = inl
    report["rtl_check"]["isa3_points"] = isa3
    report["rtl_check"]["isa3_binary"] = isa3_note
    report["rtl_check"]["max_abs_error_pct"] = max(
        (abs(c["error_pct"]) for c in checks + isa3), default=None)
    report["rtl_check"]["tile_busy_exact"] = all(
        c["model_tile_busy"] == c["rtl_tile_busy"] for c in checks + isa3)
    report["total_wall_s"] = time.monotonic() - t_start
    write_csv(os.path.join(outdir, "dse.csv"), rows, var)
    png = os.path.join(outdir, "dse.png")
    plot(png, rows, ANCHORS, list(var), GRID_TILE)
    report["plot"] = png
    report["csv"] = os.path.join(outdir, "dse.csv")
    out = os.path.join(args.build, "reports", "dse.json")
    write_atomic(out, json.dumps(report, indent=2) + "\n")
    print_summary(report)
    log(f"report: {out}")
    return 0


def find(rows, tile, dac, cpa, adc=8):
    for r in rows:
        if (r["tile"], r["dac_bits"], r["cols_per_adc"], r["adc_bits"]) == (tile, dac, cpa, adc):
            return r
    return None


def summarize(args, rows, checks, dig, var, floor):
    grid_best = select_best(rows, floor, args.err_margin)
    sel = select_best(rows, floor, args.err_margin, adc=True)
    d, c, a = sel["dac_bits"], sel["cols_per_adc"], sel["adc_bits"]
    s256, s1024 = find(rows, GRID_TILE, d, c, a), find(rows, 1024, d, c, a)
    goals = {}
    for v in var:
        goals[v] = {
            f"tops_per_w_full_tile_{GRID_TILE}>=20": {
                "value": s256["fig"][v]["tops_per_w"],
                "met": s256["fig"][v]["tops_per_w"] >= GOALS["tops_per_w_full_tile"]},
            "tops_per_w_full_tile_1024>=20": {
                "value": s1024["fig"][v]["tops_per_w"],
                "met": s1024["fig"][v]["tops_per_w"] >= GOALS["tops_per_w_full_tile"]},
            "tops_per_tile_1024>=0.34": {
                "value": s1024["fig"][v]["tops"],
                "met": s1024["fig"][v]["tops"] >= GOALS["tops_per_tile_1024"]},
            f"tops_per_w_full_tile_{GRID_TILE}>=10": {
                "value": s256["fig"][v]["tops_per_w"],
                "met": s256["fig"][v]["tops_per_w"] >= GOALS["tops_per_w_network"]},
        }
    cfg1024 = load_cfg(args.aimc_path, s1024["config_file"], args.timeout)
    lanes = {}
    for name, kw in (("isa3_overlap", dict(mode="u8", overlap=True)),
                     ("isa3_serial", dict(mode="u8", overlap=False)),
                     ("rtl_serial", dict(mode="s8", overlap=False))):
        lanes[name] = kperf.post_lanes_needed(cfg1024, GOALS["tops_per_tile_1024"],
                                              per_col=POST_PER_COL, post_fixed=POST_FIXED, **kw)
    mlp = max(rows, key=lambda r: r["mlp_tops_per_w"])
    goals["digits_mlp"] = {"tops_per_w>=10": {
        "value": mlp["mlp_tops_per_w"], "point": mlp["name"],
        "met": mlp["mlp_tops_per_w"] >= GOALS["tops_per_w_network"],
        "note": "the digits MLP (64-32-10) from the C model's counters: every row of the tile is "
                "driven and every column converted, so a network this small uses a fraction of "
                "what it pays for (the MLPerf Tiny models are the real test: sim_model.py)"}}
    best_pts = {}
    for v in var:
        ok = [r for r in rows if r["accuracy"] >= floor]
        best_pts[v] = {"tops_per_w": brief(max(ok, key=lambda r: r["fig"][v]["tops_per_w"]), v),
                       "tops": brief(max(ok, key=lambda r: r["fig"][v]["tops"]), v)}
    return {
        "grid_tile": GRID_TILE, "dac_bits": list(DAC_BITS), "cols_per_adc": list(COLS_PER_ADC),
        "tiles": list(TILES), "seed": args.seed, "samples": dig.n,
        "int8_ideal_accuracy": dig.acc_int8, "accuracy_floor": floor,
        "variants": {k: dict(v) for k, v in var.items()}, "post_lanes": args.post_lanes,
        "selection_rule": f"grid tile {GRID_TILE} and its ADC sweep, variant {SELECT_VARIANT}: "
                          "digits accuracy >= "
                          f"int8 - {args.acc_floor}, full-tile output error within "
                          f"{100 * args.err_margin:.0f} % of the 8-bit-ADC grid's lowest, TOPS/W "
                          "within 2 % "
                          "of the best of those; then the most TOPS per mm^2",
        "adc_sweep": [brief_all(r, var) for r in rows
                      if r["adc_bits"] != 8 and r["tile"] == GRID_TILE],
        "grid_best_8bit_adc": brief_all(grid_best, var),
        "selected": {"dac_bits": d, "cols_per_adc": c, "adc_bits": a,
                     "at_grid_tile": brief_all(s256, var),
                     "at_1024": brief_all(s1024, var),
                     "post_lanes_for_0.34_tops_at_1024": lanes,
                     "edge_config_values": {"dac_bits": d, "cols_per_adc": c, "adc_bits": a,
                                            "adc_cycles": a, "e_dac_pj": e_dac_pj(d),
                                            "e_adc_pj": e_adc_pj(a)}},
        "assumptions": {
            "e_dac_pj": f"{E_ROW_PJ} + {E_DAC_UNIT_PJ} * (2^dac_bits - 1) (A10, A11; unary DAC "
                        "assumed)",
            "e_host_pj_bit": kperf.E_HOST_READ_PJ_BIT + kperf.E_BUS_PJ_BIT +
            kperf.E_CHIP_WRITE_PJ_BIT,
            "leak_pw_per_bit": kperf.LEAK_PW_PER_BIT,
            "e_prog_pj_cell_pulse": kperf.E_PROG_PJ_CELL_PULSE,
            "area": f"cell {kperf.CELL_UM2} um^2 (F8), ADC {kperf.ADC_UM2} um^2 (A5), DAC "
                    f"{kperf.DAC1_UM2}..{kperf.DAC8_UM2} um^2 (A10)",
            "adc": "adc_bits 8, adc_cycles 8, e_adc_pj 2.0 (base.cfg) except the ADC sweep: "
                   "adc_cycles = adc_bits, e_adc_pj = 2 * 2^(adc_bits - 8) (constant Walden FOM, "
                   "A1)",
            "inputs": "dense: every phase of an MVM applied (s8) / every positive phase (u8)"},
        "anchors": ANCHORS, "goals_thresholds": GOALS, "goals": goals, "best": best_pts,
        "rtl_check": {"dispatch_cycles_per_command": DISPATCH, "run_fixed_cycles": RUN_FIXED,
                      "points": checks,
                      "max_abs_error_pct": max((abs(c["error_pct"]) for c in checks),
                                               default=None)},
        "points": rows,
    }


def brief_all(r, var):
    return {"point": r["name"], "accuracy": r["accuracy"], "adc_bits": r["adc_bits"],
            "tile_rms_err_lsb": r["tile_rms_err_lsb"],
            **{v: {k: r["fig"][v][k] for k in ("tops_per_w", "tops", "tops_per_mm2",
                                               "utilization", "vector_cycles", "mvm_cycles",
                                               "post_cycles")} for v in var}}


def brief(r, v):
    if r is None:
        return None
    f = r["fig"][v]
    return {"point": r["name"], "tile": r["tile"], "dac_bits": r["dac_bits"],
            "cols_per_adc": r["cols_per_adc"], "accuracy": r["accuracy"],
            "tops_per_w": f["tops_per_w"], "tops": f["tops"], "utilization": f["utilization"]}


def write_csv(path, rows, var):
    cols = ["name", "tile", "dac_bits", "cols_per_adc", "adc_bits", "e_adc_pj", "e_dac_pj",
            "clock_mhz",
            "accuracy", "adc_shifts", "mlp_tops_per_w", "mlp_energy_uj", "tile_rms_err_lsb",
            "tile_adc_shift"]
    head = list(cols)
    for v in var:
        head += [f"{v}_tops_per_w", f"{v}_tops_per_w_host", f"{v}_tops", f"{v}_tops_per_mm2",
                 f"{v}_utilization", f"{v}_vector_cycles"]
    with atomic.open_atomic(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        for r in sorted(rows, key=lambda r: (r["tile"], r["adc_bits"], r["dac_bits"],
                                             r["cols_per_adc"])):
            line = [r[k] if k != "adc_shifts" else " ".join(map(str, r[k])) for k in cols]
            for v in var:
                fv = r["fig"][v]
                line += [f"{fv['tops_per_w']:.4f}", f"{fv['tops_per_w_host']:.4f}",
                         f"{fv['tops']:.5f}", f"{fv['tops_per_mm2']:.4f}",
                         f"{fv['utilization']:.4f}", fv["vector_cycles"]]
            w.writerow(line)


def print_summary(rep):
    log("")
    log(f"DSE: int8 ideal accuracy {rep['int8_ideal_accuracy']:.3f} on {rep['samples']} images")
    sel = rep["selected"]
    g = rep["grid_best_8bit_adc"]
    log(f"  best of the 8-bit-ADC grid: {g['point']} ({g['isa3_opt']['tops_per_w']:.2f} TOPS/W, "
        f"{g['isa3_opt']['tops']:.4f} TOPS, error {g['tile_rms_err_lsb']:.2f} LSB)")
    log(f"  selected: {sel['dac_bits']}-bit DAC, {sel['cols_per_adc']} columns per ADC, "
        f"{sel['adc_bits']}-bit ADC ({rep['selection_rule']})")
    for where in ("at_grid_tile", "at_1024"):
        p = sel[where]
        log(f"    {p['point']:18s} acc {p['accuracy']:.3f}, full-tile error "
            f"{p['tile_rms_err_lsb']:.2f} LSB")
        for v in rep["variants"]:
            f = p[v]
            log(f"      {v:9s} {f['tops_per_w']:6.2f} TOPS/W  {f['tops']:.4f} TOPS/tile  "
                f"{f['tops_per_mm2']:.3f} TOPS/mm2  util {100 * f['utilization']:.0f} %  "
                f"(MVM {f['mvm_cycles']}, POST {f['post_cycles']:.0f} cycles)")
    log(f"    POST lanes for 0.34 TOPS at 1024: {sel['post_lanes_for_0.34_tops_at_1024']}")
    for p in rep["adc_sweep"]:
        f = p["isa3_opt"]
        log(f"  ADC sweep {p['point']:22s} acc {p['accuracy']:.3f}, full-tile error "
            f"{p['tile_rms_err_lsb']:.2f} LSB, isa3_opt {f['tops_per_w']:6.2f} TOPS/W "
            f"{f['tops']:.4f} TOPS")
    for v, g in rep["goals"].items():
        for k, x in g.items():
            log(f"  goal {v:10s} {k:30s} {x['value']:8.3f}  {'met' if x['met'] else 'NOT met'}")
    for c in rep["rtl_check"]["points"] + rep["rtl_check"].get("isa3_points", []):
        log(f"  RTL check {c['config']:8s} {c['program']:14s} B={c['batch']}: RTL "
            f"{c['rtl_cycles']} cycles (tile busy {c['rtl_tile_busy']}), model "
            f"{c['model_cycles']} ({c['error_pct']:+.2f} %, tile busy {c['model_tile_busy']})")


if __name__ == "__main__":
    sys.exit(main())
