#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of the chip limits (rtl/pkg/aimc_limits.json, tools/gen_limits.py) and the CSR struct
interface (tools/gen_csr_if.py): that every generated copy of a limit says the same number, that
a limit which does not fit its instruction or CSR field is refused (exit 2, the field named),
that the config schema of the aimc CLI accepts each limit and refuses one more, and that the
generated structs (or, for a counter, the wrapper's own port) carry every hwif port of the CSR
block once, at its width.
(The drift check that the committed files are what the generators write is regs.drift.)

  .venv/bin/python -m pytest tests/python/test_limits.py --build BUILD   (PASS/FAIL lines printed)
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import khtest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "tools", "gen_limits.py")
LIMITS = os.path.join(ROOT, "rtl", "pkg", "aimc_limits.json")
ISA = os.path.join(ROOT, "rtl", "pkg", "aimc_isa.json")
RDL = os.path.join(ROOT, "rtl", "csr", "aimc_csr.rdl")
FAILS = []


def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))
    if not cond:
        FAILS.append(name)


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def gen(*args):
    p = subprocess.run([sys.executable, GEN, *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def run_checks(build: str) -> int:
    aimc = os.path.join(build, "sw", "aimc")
    with open(LIMITS, encoding="utf-8") as f:
        src = json.load(f)
    lims = {lim["name"]: lim["value"] for lim in src["limits"]}

    # Every copy of every limit: SV package, C header.
    sv = {m.group(1): int(m.group(2)) for m in
          re.finditer(r"localparam int (\w+) = (\d+);", read("rtl/pkg/aimc_limits_pkg.sv"))}
    h = {m.group(1): int(m.group(2)) for m in
         re.finditer(r"#define AIMC_(\w+) (\d+)", read("sw/include/aimc_limits.h"))}
    for name, val in lims.items():
        n = name.upper()
        check(f"limits.copies.{name}", sv.get(n) == val and h.get(n) == val,
              f"json {val}, aimc_limits_pkg {sv.get(n)}, aimc_limits.h {h.get(n)}")
    tiles = lims["max_tiles"]
    check("limits.tile_sel_w", sv.get("TILE_SEL_W") == h.get("TILE_SEL_W") and
          2 ** sv.get("TILE_SEL_W", 0) >= tiles > 2 ** (sv.get("TILE_SEL_W", 1) - 1),
          f"TILE_SEL_W {sv.get('TILE_SEL_W')} for {tiles} tiles")

    # The register map (peakrdl-cheader output) sized from the same limits.
    regs = read("sw/include/aimc_regs.h")
    arrays = re.findall(r"uint32_t tile_\w+\[(\d+)\];", regs)
    check("limits.regs.tile_arrays", len(arrays) == 7 and all(int(a) == tiles for a in arrays),
          f"per-tile arrays {arrays}, max_tiles {tiles}")
    bw = re.search(r"#define AIMC_CSR__PV_SEL__TILE_bw (\d+)", regs)
    check("limits.regs.pv_sel", bw is not None and int(bw.group(1)) == sv.get("TILE_SEL_W"),
          f"pv_sel.tile width {bw and bw.group(1)}")
    for win, key, mul in (("instr", "max_instr_depth", 2), ("act_in", "max_act_depth", 1),
                          ("act_out", "max_act_depth", 1), ("param", "max_par_depth", 1),
                          ("weight", "max_wgt_depth", 1)):
        m = re.search(r"uint32_t mem\[(\d+)\];\n\} aimc_map__" + win + r"_t;", regs)
        check(f"limits.regs.window.{win}", m is not None and int(m.group(1)) == lims[key] * mul,
              f"window {m and m.group(1)} words, {key} {lims[key]} x {mul}")

    # Refused: a limit that does not fit its instruction field or its CSR field.
    with tempfile.TemporaryDirectory() as tmp:
        def variant(name, value):
            d = json.loads(json.dumps(src))
            next(lim for lim in d["limits"] if lim["name"] == name)["value"] = value
            path = os.path.join(tmp, f"{name}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(d, f)
            return path
        outs = [os.path.join(tmp, n) for n in ("p.sv", "l.h", "l.md")]
        rc, _, err = gen(variant("max_tiles", 32), ISA, *outs)
        check("limits.refuse.isa_tile", rc == 2 and "tile" in err and "aimc_isa.json" in err
              and not any(os.path.exists(o) for o in outs), f"exit {rc}: {err.strip()}")
        rc, _, err = gen("--check-rdl", variant("max_rows", 70000), ISA, RDL)
        check("limits.refuse.csr_field", rc == 2 and "cfg1.rows" in err, f"exit {rc}: {err.strip()}")
        rc, _, err = gen("--check-rdl", LIMITS, ISA, RDL)
        check("limits.check_rdl", rc == 0, f"exit {rc}: {err.strip()}")
        rc, out, _ = gen("--rdl-defines", LIMITS, ISA)
        check("limits.rdl_defines", rc == 0 and f"-D AIMC_MAX_TILES={tiles}" in out, out.strip())

        # The config schema (analog_models/c/aimc_config.c, its own table) agrees with the limits.
        base = read("configs/tiny.cfg")
        for lim in src["limits"]:
            key = lim.get("config")
            if key is None:
                continue
            res = []
            for v in (lim["value"], lim["value"] + 1):
                text, n = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {v}", base)
                if n == 0:
                    text = base + f"{key} = {v}\n"
                path = os.path.join(tmp, f"{key}_{v}.cfg")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text.replace("name = tiny", f"name = lim_{key}_{v}"))
                p = subprocess.run([aimc, "config", "--check", path], capture_output=True, text=True, check=False)
                res.append((p.returncode, p.stdout + p.stderr))
            # At the limit the key itself is accepted (another key may still object to the value,
            # with a message that names only itself); one more is refused, naming the key.
            at_ok = res[0][0] == 0 or not re.search(rf"\b{key}\b[^\n]*(range|max|<=|at most)", res[0][1])
            check(f"limits.config.{key}", at_ok and res[1][0] == 2 and key in res[1][1],
                  f"{key} = {lim['value']}: exit {res[0][0]} {res[0][1].strip()}; "
                  f"{key} = {lim['value'] + 1}: exit {res[1][0]} {res[1][1].strip()}")

    # The struct interface: every hwif port of aimc_csr once in its struct, at its width.
    csr = read("rtl/csr/aimc_csr.sv")
    head = csr[csr.index("module aimc_csr"):csr.index(");")]
    pkg = read("rtl/csr/aimc_csr_pkg.sv")
    wrap = read("rtl/csr/aimc_csr_reg_top.sv")
    members = {}
    for kind in ("in", "out"):
        body = re.search(r"typedef struct packed \{([^}]*)\} aimc_csr_hwif_" + kind + "_t;", pkg)
        for m in re.finditer(r"logic (?:\[(\d+):0\] )?(\w+);", body.group(1) if body else ""):
            members[(kind, m.group(2))] = int(m.group(1)) + 1 if m.group(1) else 1
    # A register array is a packed [N-1:0][W-1:0] port (tools/csr_readback.py), never unpacked:
    # Icarus runs an always block reading an unpacked array on every change of any word.
    ports = re.findall(r"(input|output) (?:wire|logic) (?:\[(\d+):0\])?(?:\[(\d+):0\])? ?hwif_(in|out)_(\w+)", head)
    bad = [f"unpacked array port: {m}" for m in re.findall(r"hwif_\w+ \[\d+:0\]", head)]
    # The counters (hardware-written fields `value`) are the wrapper's own ports cnt_<reg>_i, not
    # struct members (a struct is one net in Icarus, tools/gen_csr_if.py).
    cnt_ports = {m.group(2): int(m.group(1)) + 1
                 for m in re.finditer(r"input  logic \[(\d+):0\] (cnt_\w+_i)\b", wrap)}
    counters = 0
    for _, a, b, kind, name in ports:
        n, w = (a, b) if b else (None, a)
        width = (int(w) + 1 if w else 1) * (int(n) + 1 if n else 1)
        if kind == "in" and name.endswith("_value"):
            counters += 1
            cnt = f"cnt_{name.removesuffix('_value')}_i"
            if cnt_ports.get(cnt) != width or wrap.count(f".hwif_in_{name} ({cnt})") != 1:
                bad.append(f"counter hwif_in_{name} ({width} bits): port {cnt} {cnt_ports.get(cnt)}")
            continue
        if members.get((kind, name)) != width:
            bad.append(f"hwif_{kind}_{name} ({width} bits): member {members.get((kind, name))}")
        if wrap.count(f".hwif_{kind}_{name} (") != 1:
            bad.append(f"hwif_{kind}_{name} not connected once in aimc_csr_reg_top")
    check("csr_if.ports", ports and not bad and counters and len(cnt_ports) == counters
          and len(members) + counters == len(ports),
          f"{len(ports)} ports, {len(members)} members, {counters} counters; " + "; ".join(bad[:5]))

    print(f"test_limits: {'FAIL' if FAILS else 'PASS'} ({len(FAILS)} failed)")
    return 1 if FAILS else 0


def test_limits() -> None:
    """Every check above; the failing ones are named."""
    rc = run_checks(khtest.OPTS.build)
    assert rc == 0, f"failed: {', '.join(FAILS)}"
