#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One regression case: run an `aimc` subcommand on one simulator through the existing entry
points, then write the case's bit-accurate signature to OUT/sig.json (docs/regression.md).

  regress_case.py --build B --out DIR --config NAME --sim S --seed N [--waves] -- SUB [ARGS...]

Flows (S):
  verilator  B/<cfg>/vl/aimc-test-vl SUB --backend verilator --record DIR/trace.txt
  cmodel     B/tests/aimc-test SUB --backend cmodel --record DIR/trace.txt
  (SUB a chip test of tests/chip, run by the test runner aimc-test; a product subcommand runs on
  aimc-vl / aimc)
  icarus     tools/layer_test.sh --sim icarus (layer-test only): C model records the bus trace,
             Icarus replays it, the layer checks run on the Icarus results
  xcheck     tools/xcheck.sh: Verilator live, Icarus replays, every read and cycle count compared
SUB bus-fuzz is not an aimc subcommand: B/<cfg>/busfuzz/bus-fuzz (tests/system/bus_fuzz.c) on
verilator or cmodel; its signature is the digest of every access it made (--digest).
The model-run subcommand (an imported TFLite int8 model, `aimc run`) is its own flow, below.
The icarus and xcheck flows get a private build directory DIR/b whose binaries are symbolic links
into B, so parallel cases never share an output file.

The signature is the ordered list of (address, data) of every bus read the simulator answered
(outputs, RAW accumulators, event and cycle counters, status and error registers), plus any
non-OKAY bus response and the trace player's final cycle count. Its hash is the first 16 hex digits
of the SHA-256 of that list in text form. Exit: the flow's exit code; 1 if the flow passed but
left no signature source.

model-run --model M.tflite [--samples N] (sims verilator, cmodel):
  1. under the run folder's model-cache/ (RUN/model-cache for a case folder RUN/cases/<case>,
     else DIR/model-cache), once per run and locked against parallel cases: imports M
     (`python -m kirchhoff import`) and calibrates each chip node's ADC range for the config
     (kirchhoff.graphcal.calibrate on CAL_SAMPLES seeded random inputs of seed CAL_SEED, so every
     seed runs the same network file);
  2. DIR/inputs.i8: N (default 2) random int8 inputs of the case seed (numpy default_rng(seed));
  3. `aimc run` on the simulator (--record, the bus trace); with verilator also on the C model,
     and the case fails unless the outputs and event counters are equal (rerun commands printed);
  4. the signature: every output byte (kind 3), every counter of the run report (kind 4, names in
     COUNTER_GLOBAL / COUNTER_TILE), and the number and SHA-256 (first 32 bits) of the bus reads
     of the trace (kind 5). A trace of a large model holds millions of reads: only its digest is
     kept (the trace is deleted when the case passes).
The kirchhoff steps run on the project's venv python (KH_PYTHON, else .venv/bin/python, else
this interpreter): numpy and ai-edge-litert live there.
"""

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
from kirchhoff import atomic
from kirchhoff.regress.casefmt import (  # the case contract, shared with tools/regress.py
    CAL_SAMPLES,
    CAL_SEED,
    COUNTER_GLOBAL,
    COUNTER_TILE,
    K_COUNTER,
    K_OUT,
    K_READS,
    LAYER_SH_FLAGS,
    MODEL_SIMS,
    SIMS,
    CaseError,
    counter_name,
    encode,
    model_args,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The chip tests: subcommands of the test runner aimc-test (tests/chip, issue 19), not of aimc.
CHIP_TESTS = ("layer-test", "csr-test", "illegal-test", "err-test", "seq-test", "pv-test",
              "pipeline-test", "bridge-test")


def exe_of(build: str, vl_build: str, cfg: str, sim: str, sub: str) -> str:
    """The executable that runs subcommand sub on sim (verilator or cmodel)."""
    test = sub in CHIP_TESTS
    if sim == "verilator":
        return os.path.join(vl_build, cfg, "vl", "aimc-test-vl" if test else "aimc-vl")
    return os.path.join(build, "tests", "aimc-test") if test else os.path.join(build, "sw", "aimc")


# Event counters the RTL and the C model must agree on (the C model counts no cycles).
EVENT_GLOBAL = ("instrs", "mvms", "convs", "adc_convs", "sats", "prog_rows", "reads")
EVENT_TILE = ("mvms", "reads", "adc_convs", "sats")


# Backdoor loads (docs/trace-format.md, "Backdoor loads"): a Verilator run of a config of at
# least BACKDOOR_CELLS array cells (rows x cols x num_tiles: edge 2^20, large 2^23) loads the
# buffers through the backdoor, which skips the bus cycles of weights, programs and inputs and of
# the output reads, and records the same trace (tests/system/backdoor*.sh). Smaller configs (tiny,
# small, base, ...) keep the frontdoor, so the bus path stays covered; --frontdoor or
# AIMC_FRONTDOOR=1 forces it.
BACKDOOR_CELLS = 1 << 20


def config_cells(cfgfile):
    """rows x cols x num_tiles of a config file (a key it lacks counts as 1: small)."""
    v = {"rows": 1, "cols": 1, "num_tiles": 1}
    with open(os.path.join(ROOT, cfgfile)) as f:
        for line in f:
            k, _, val = line.split("#", 1)[0].partition("=")
            if k.strip() in v and val.strip().isdigit():
                v[k.strip()] = int(val.strip())
    return v["rows"] * v["cols"] * v["num_tiles"]


def door_flags(cfgfile, sim, frontdoor):
    """['--backdoor'] for a Verilator run of a large config unless the frontdoor is forced."""
    if sim != "verilator" or frontdoor or os.environ.get("AIMC_FRONTDOOR", "") not in ("", "0"):
        return []
    return ["--backdoor"] if config_cells(cfgfile) >= BACKDOOR_CELLS else []


def parse_reads(path, result_log):
    """Signature values from a recorded trace (`R a d`; writes and polls carry no answer) or,
    with result_log, a trace player's log (`R a d r`, `W a r`, `C c`): a list of
    (kind, address, data) integer tuples, kind 0 read data, 1 non-OKAY response, 2 cycles."""
    vals = []
    with open(path, encoding="ascii", errors="replace") as f:
        for no, line in enumerate(f, 1):
            p = line.split()
            if not p or p[0].startswith("#"):
                continue
            try:
                if p[0] == "R":
                    vals.append((0, int(p[1], 16), int(p[2], 16)))
                    if result_log and int(p[3]) != 0:
                        vals.append((1, int(p[1], 16), int(p[3])))
                elif p[0] == "W" and result_log and int(p[2]) != 0:
                    vals.append((1, int(p[1], 16), int(p[2])))
                elif p[0] == "C" and result_log:
                    vals.append((2, 0, int(p[1])))
            except (IndexError, ValueError):
                raise CaseError(f"{path}:{no}: malformed line: {line.strip()}") from None
    return vals


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(dst):
        os.unlink(dst)
    os.symlink(os.path.abspath(src), dst)


def private_build(build, out, cfg):
    """DIR/b with links to the shared binaries: the flows write their files below it."""
    b = os.path.join(out, "b")
    link(os.path.join(build, "sw"), os.path.join(b, "sw"))
    link(os.path.join(build, "tests"), os.path.join(b, "tests"))
    for part in ("vl", "icarus"):
        link(os.path.join(build, cfg, part), os.path.join(b, cfg, part))
    return b


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    if os.path.isabs(cmd[0]) and not os.access(cmd[0], os.X_OK):
        print(f"regress_case: {cmd[0]} is missing; build it first (make regress builds every "
              "config of the list; by hand: make sw vl icarus CONFIG=<name>)", flush=True)
        return 2
    return subprocess.call(cmd, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--sim", required=True, choices=SIMS)
    ap.add_argument("--seed", required=True, type=int)
    ap.add_argument("--waves", action="store_true",
                    help="verilator / xcheck: also write DIR/waves.fst (Verilator run only)")
    ap.add_argument("--frontdoor", action="store_true",
                    help="load every buffer over the bus even on a large config (default: "
                    f"--backdoor on Verilator from {BACKDOOR_CELLS} array cells)")
    ap.add_argument("sub", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    sub = [s for s in a.sub if s != "--"] if a.sub[:1] == ["--"] else a.sub
    if not sub:
        ap.error("no subcommand after --")
    if a.seed < 0:
        ap.error(f"--seed {a.seed}: must be >= 0")
    build, out = os.path.abspath(a.build), os.path.abspath(a.out)
    cfgfile = f"configs/{a.config}.cfg"
    if not os.path.isfile(os.path.join(ROOT, cfgfile)):
        ap.error(f"--config {a.config}: no file {cfgfile}")
    os.makedirs(out, exist_ok=True)
    name, args = sub[0], sub[1:]
    common = ["--config", cfgfile, "--seed", str(a.seed)]
    report = os.path.join(out, "report.json")
    rep = ["--report", report] if name == "layer-test" else []
    for stale in ("sig.json", "report.json", "trace.txt"):
        if os.path.exists(os.path.join(out, stale)):
            os.unlink(os.path.join(out, stale))

    # AIMC_VL_BUILD: where the Verilator models are (regress COV=1 points it at BUILD/cov).
    vl_build = os.environ.get("AIMC_VL_BUILD", build)
    if name == "model-run":
        return model_run(a, build, vl_build, out, cfgfile, args)
    if name == "bus-fuzz":
        # the fuzzer of tests/system/bus_fuzz.c: no aimc subcommand; its signature is the digest
        # of every access it made (and the cycle count), in trace-format read lines
        if a.sim not in ("verilator", "cmodel"):
            ap.error(f"--sim {a.sim}: bus-fuzz runs on verilator or cmodel only")
        exe = os.path.join(build, a.config, "busfuzz", "bus-fuzz")
        trace = os.path.join(out, "trace.txt")
        rc = run([exe] + common + ["--backend", a.sim, "--report", report, "--digest", trace] + args)
        source = trace
    elif a.sim in ("verilator", "cmodel"):
        exe = exe_of(build, vl_build, a.config, a.sim, name)
        trace = os.path.join(out, "trace.txt")
        waves = ["--waves", os.path.join(out, "waves.fst")] if a.waves and a.sim == "verilator" else []
        door = door_flags(cfgfile, a.sim, a.frontdoor)
        rc = run([exe, name] + common + ["--backend", a.sim, "--record", trace] + rep + waves + door
                 + args)
        source = trace
    elif a.sim == "icarus":
        if name != "layer-test":
            ap.error(f"--sim icarus runs layer-test only (tools/layer_test.sh), not '{name}'; "
                     "use --sim xcheck")
        for i in range(0, len(args), 2):
            if args[i] not in LAYER_SH_FLAGS or i + 1 >= len(args):
                ap.error(f"--sim icarus: tools/layer_test.sh takes only {', '.join(LAYER_SH_FLAGS)}"
                         f" with a value, not '{' '.join(args[i:i + 2])}'")
        b = private_build(build, out, a.config)
        rc = run(["tools/layer_test.sh", "--sim", "icarus", "--build", b, "--config", cfgfile,
                  "--seed", str(a.seed)] + args)
        source = os.path.join(b, a.config, "layer-test", "icarus-result.txt")
        lt = os.path.join(b, "reports", "layer-test.json")
        if os.path.exists(lt):
            os.replace(lt, report)
    else:
        b = private_build(build, out, a.config)
        if a.waves:
            exe = exe_of(build, vl_build, a.config, "verilator", name)
            run([exe, name] + common + ["--backend", "verilator", "--waves",
                                        os.path.join(out, "waves.fst")] + args)
        rc = run(["tools/xcheck.sh", "--build", b, "--config", cfgfile, "--seed", str(a.seed),
                  "--name", "x", "--", name] + args)
        source = os.path.join(b, "xcheck", "x", "icarus-result.txt")

    if not os.path.exists(source):
        print(f"regress_case: no signature: {source} was not written", flush=True)
        return rc if rc != 0 else 1
    try:
        vals = parse_reads(source, a.sim in ("icarus", "xcheck"))
    except CaseError as e:
        print(f"regress_case: {e}", flush=True)
        return 1
    write_sig(out, vals, source, report)
    print(f"regress_case: exit {rc}", flush=True)
    return rc


def write_sig(out, vals, source, report):
    """OUT/sig.json (through a temporary file) of a value list; with a run report, its counters."""
    digest, blob = encode(vals)
    sig = {"sig": digest, "n": len(vals), "source": os.path.relpath(source, out), "values": blob}
    if os.path.exists(report):
        with open(report) as f:
            r = json.load(f)
        sig["counters"] = r.get("counters")
    atomic.write_json(os.path.join(out, "sig.json"), sig, inputs=[source, report], indent=None)
    print(f"regress_case: signature {digest} ({len(vals)} values from {sig['source']})",
          flush=True)


# ---- model-run ----------------------------------------------------------------------------------
def report_counters(report):
    """[(kind-4 address, value)] of a run report's counters, in signature order; CaseError naming
    a missing or malformed key."""
    try:
        with open(report) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        raise CaseError(f"{report}: unreadable run report: {e}") from None
    c = r.get("counters")
    if not isinstance(c, dict):
        raise CaseError(f"{report}: no 'counters' object")
    src = dict(c, setup_cycles=r.get("setup_cycles"))
    vals = []
    for i, k in enumerate(COUNTER_GLOBAL):
        if not isinstance(src.get(k), int):
            raise CaseError(f"{report}: counter '{k}' missing or not an integer")
        vals.append((i, src[k]))
    tiles = c.get("tiles")
    if not isinstance(tiles, dict):
        raise CaseError(f"{report}: no 'counters.tiles' object")
    for t in sorted(tiles, key=int):
        for j, k in enumerate(COUNTER_TILE):
            v = tiles[t].get(k)
            if not isinstance(v, int):
                raise CaseError(f"{report}: counter 'tiles.{t}.{k}' missing or not an integer")
            vals.append((64 + 16 * int(t) + j, v))
    return vals


def reads_digest(trace):
    """(number of bus reads, first 32 bits of the SHA-256 of their lines) of a recorded trace."""
    h, n = hashlib.sha256(), 0
    with open(trace, "rb") as f:
        for line in f:
            if line.startswith(b"R "):
                h.update(line)
                n += 1
    return n, int(h.hexdigest()[:8], 16)


def model_values(outputs, report, trace):
    """The signature values of a model run: output bytes, counters, bus-read digest."""
    vals = [(K_OUT, i, b) for i, b in enumerate(outputs)]
    vals += [(K_COUNTER, a, v) for a, v in report_counters(report)]
    vals.append((K_READS,) + reads_digest(trace))
    return vals


def compare_runs(y_rtl, y_cm, rep_rtl, rep_cm, out_len):
    """Differences of an RTL and a C-model run (outputs, event counters): list of lines."""
    diffs = []
    if len(y_rtl) != len(y_cm):
        diffs.append(f"outputs: {len(y_rtl)} bytes on the RTL, {len(y_cm)} on the C model")
    else:
        bad = [i for i in range(len(y_rtl)) if y_rtl[i] != y_cm[i]]
        if bad:
            i = bad[0]
            sb = lambda b: b - 256 if b > 127 else b  # noqa: E731
            diffs.append(f"outputs: {len(bad)} of {len(y_rtl)} bytes differ; first: input "
                         f"{i // out_len} output {i % out_len}: RTL {sb(y_rtl[i])}, C model "
                         f"{sb(y_cm[i])}")
    rc, cc = dict(report_counters(rep_rtl)), dict(report_counters(rep_cm))
    for a in sorted(set(rc) | set(cc)):
        name = counter_name(a)
        event = name.rsplit(".", 1)[-1] in (EVENT_TILE if a >= 64 else EVENT_GLOBAL)
        if event and rc.get(a) != cc.get(a):
            diffs.append(f"counter {name}: RTL {rc.get(a)}, C model {cc.get(a)}")
    return diffs


def kirchhoff_python():
    env = os.environ.get("KH_PYTHON")
    if env:
        return env
    venv = os.path.join(ROOT, ".venv", "bin", "python")
    return venv if os.access(venv, os.X_OK) else sys.executable


def prepare_model(argv):
    """(venv python) Import and calibrate a model once per cache folder; write the case inputs."""
    ap = argparse.ArgumentParser(prog="regress_case.py prepare-model")
    for k in ("--model", "--config", "--aimc", "--cache", "--inputs"):
        ap.add_argument(k, required=True)
    ap.add_argument("--seed", required=True, type=int)
    ap.add_argument("--samples", required=True, type=int)
    a = ap.parse_args(argv)
    import numpy as np

    from kirchhoff import graphcal, graphfile

    stem = os.path.splitext(os.path.basename(a.model))[0]
    cfg_name = os.path.splitext(os.path.basename(a.config))[0]
    os.makedirs(a.cache, exist_ok=True)
    net_ref = os.path.join(a.cache, stem + ".khnf")
    net = os.path.join(a.cache, f"{stem}-{cfg_name}.khnf")
    with open(os.path.join(a.cache, stem + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel cases of one model: one import, one calibration
        if not os.path.exists(net_ref):
            tmp = os.path.join(a.cache, f".tmp-{stem}.khnf")
            cmd = [sys.executable, "-m", "kirchhoff", "import", a.model, "-o", tmp]
            print("$ " + " ".join(cmd), flush=True)
            if subprocess.call(cmd, cwd=os.path.join(ROOT, "sw", "python")) != 0:
                print(f"regress_case: import of {a.model} failed", flush=True)
                return 2
            os.replace(tmp, net_ref)
        else:
            print(f"regress_case: cached import {net_ref}", flush=True)
        if not os.path.exists(net):
            p = subprocess.run([a.aimc, "config", "--json", a.config], cwd=ROOT,
                               capture_output=True, text=True)
            if p.returncode != 0:
                print(f"regress_case: {a.aimc} config --json {a.config}: {p.stderr.strip()}",
                      flush=True)
                return 2
            cfg = json.loads(p.stdout)
            g = graphfile.read_graph(net_ref)
            xc = np.random.default_rng(CAL_SEED).integers(-128, 128, size=(CAL_SAMPLES, g.n_inputs),
                                                          dtype=np.int8)
            tmp = os.path.join(a.cache, f".tmp-{stem}-{cfg_name}.khnf")
            shifts = graphcal.calibrate(a.model, net_ref, tmp, cfg, xc)
            os.replace(tmp, net)
            print(f"regress_case: calibrated {net} for {cfg_name} on {CAL_SAMPLES} inputs of "
                  f"seed {CAL_SEED}: adc_shift per chip node {shifts}", flush=True)
        else:
            print(f"regress_case: cached calibration {net}", flush=True)
    g = graphfile.read_graph(net)
    x = np.random.default_rng(a.seed).integers(-128, 128, size=(a.samples, g.n_inputs),
                                               dtype=np.int8)
    atomic.write_bytes(a.inputs, x.tobytes(), inputs=[a.model, net])
    print(f"regress_case: {a.samples} random int8 inputs of {g.n_inputs} values (seed {a.seed}) "
          f"-> {a.inputs}; network {net}", flush=True)
    return 0


def model_run(a, build, vl_build, out, cfgfile, args):
    """The model-run flow (module docstring); returns the exit code."""
    try:
        m = model_args(args)
    except CaseError as e:
        print(f"regress_case: {e}", flush=True)
        return 2
    if a.sim not in MODEL_SIMS:
        print(f"regress_case: model-run runs on {', '.join(MODEL_SIMS)}, not {a.sim}", flush=True)
        return 2
    if not os.path.isfile(m["model"]):
        print(f"regress_case: model-run --model {m['model']}: no such file", flush=True)
        return 2
    parent = os.path.dirname(out)
    cache = (os.path.join(os.path.dirname(parent), "model-cache")
             if os.path.basename(parent) == "cases" else os.path.join(out, "model-cache"))
    aimc = os.path.join(build, "sw", "aimc")
    inputs = os.path.join(out, "inputs.i8")
    for stale in ("inputs.i8", "out.i8", "out_cmodel.i8", "report_cmodel.json"):
        if os.path.exists(os.path.join(out, stale)):
            os.unlink(os.path.join(out, stale))
    rc = run([kirchhoff_python(), os.path.abspath(__file__), "prepare-model", "--model",
              m["model"], "--config", cfgfile, "--aimc", aimc, "--cache", cache, "--inputs",
              inputs, "--seed", str(a.seed), "--samples", str(m["samples"])])
    if rc != 0:
        return rc
    stem = os.path.splitext(os.path.basename(m["model"]))[0]
    net = os.path.join(cache, f"{stem}-{a.config}.khnf")
    exe = os.path.join(vl_build, a.config, "vl", "aimc-vl") if a.sim == "verilator" else aimc
    trace, report = os.path.join(out, "trace.txt"), os.path.join(out, "report.json")
    y_path = os.path.join(out, "out.i8")
    waves = ["--waves", os.path.join(out, "waves.fst")] if a.waves and a.sim == "verilator" else []
    base = ["run", "--config", cfgfile, "--seed", str(a.seed), "--net", net, "--inputs", inputs]
    cmd = [exe] + base + ["--backend", a.sim, "--out", y_path, "--report", report, "--record",
                          trace] + waves + door_flags(cfgfile, a.sim, a.frontdoor)
    rc = run(cmd)
    if rc != 0:
        return rc
    fail = 0
    with open(y_path, "rb") as f:
        y = f.read()
    if a.sim == "verilator":
        y_cm_path, rep_cm = os.path.join(out, "out_cmodel.i8"), os.path.join(out, "report_cmodel.json")
        cmd_cm = [aimc] + base + ["--backend", "cmodel", "--out", y_cm_path, "--report", rep_cm]
        rc = run(cmd_cm)
        if rc != 0:
            return rc
        with open(y_cm_path, "rb") as f:
            y_cm = f.read()
        try:
            diffs = compare_runs(y, y_cm, report, rep_cm, len(y) // m["samples"])
        except CaseError as e:
            print(f"regress_case: {e}", flush=True)
            return 1
        if diffs:
            print("regress_case: RTL != C model:\n  " + "\n  ".join(diffs), flush=True)
            print("regress_case: rerun\n  RTL:     " + " ".join(cmd) + "\n  C model: "
                  + " ".join(cmd_cm), flush=True)
            fail = 1
        else:
            print(f"regress_case: RTL == C model: {len(y)} output bytes and the event counters "
                  f"({', '.join(EVENT_GLOBAL)}, per tile {', '.join(EVENT_TILE)})", flush=True)
    try:
        vals = model_values(y, report, trace)
    except CaseError as e:
        print(f"regress_case: {e}", flush=True)
        return 1
    write_sig(out, vals, trace, report)
    print(f"regress_case: {vals[-1][1]} bus reads in the trace, digest {vals[-1][2]:08x}",
          flush=True)
    if not fail:
        os.unlink(trace)  # millions of reads: the digest stands for them
    return fail


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare-model"]:
        sys.exit(prepare_model(sys.argv[2:]))
    sys.exit(main())
