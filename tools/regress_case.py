#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One regression case: run an `aimc` subcommand on one simulator through the existing entry
points, then write the case's bit-accurate signature to OUT/sig.json (docs/regression.md).

  regress_case.py --build B --out DIR --config NAME --sim S --seed N [--waves] -- SUB [ARGS...]

Flows (S):
  verilator  B/<cfg>/vl/aimc-vl SUB --backend verilator --record DIR/trace.txt
  cmodel     B/sw/aimc SUB --backend cmodel --record DIR/trace.txt
  icarus     tools/layer_test.sh --sim icarus (layer-test only): C model records the bus trace,
             Icarus replays it, the layer checks run on the Icarus results
  xcheck     tools/xcheck.sh: Verilator live, Icarus replays, every read and cycle count compared
SUB bus-fuzz is not an aimc subcommand: B/<cfg>/busfuzz/bus-fuzz (tests/system/bus_fuzz.c) on
verilator or cmodel; its signature is the digest of every access it made (--digest).
The icarus and xcheck flows get a private build directory DIR/b whose binaries are symbolic links
into B, so parallel cases never share an output file.

The signature is the ordered list of (address, data) of every bus read the simulator answered
(outputs, RAW accumulators, event and cycle counters, status and error registers), plus any
non-OKAY bus response and the trace player's final cycle count. Its hash is the first 16 hex digits
of the SHA-256 of that list in text form. Exit: the flow's exit code; 1 if the flow passed but
left no signature source.
"""

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIMS = ("verilator", "cmodel", "icarus", "xcheck")
# Flags tools/layer_test.sh accepts besides --config/--seed/--sim/--build.
LAYER_SH_FLAGS = ("--rows", "--cols", "--batch")


class CaseError(Exception):
    pass


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


def encode(vals):
    """(hash, compressed values) of a signature value list."""
    text = "".join(f"{k} {a:08x} {d:x}\n" for k, a, d in vals).encode()
    digest = hashlib.sha256(text).hexdigest()[:16]
    blob = base64.b64encode(zlib.compress(text, 9)).decode()
    return digest, blob


def decode(blob):
    """Inverse of encode's second result: the value list."""
    out = []
    for line in zlib.decompress(base64.b64decode(blob)).decode().splitlines():
        k, a, d = line.split()
        out.append((int(k), int(a, 16), int(d, 16)))
    return out


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(dst):
        os.unlink(dst)
    os.symlink(os.path.abspath(src), dst)


def private_build(build, out, cfg):
    """DIR/b with links to the shared binaries: the flows write their files below it."""
    b = os.path.join(out, "b")
    link(os.path.join(build, "sw"), os.path.join(b, "sw"))
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--sim", required=True, choices=SIMS)
    ap.add_argument("--seed", required=True, type=int)
    ap.add_argument("--waves", action="store_true",
                    help="verilator / xcheck: also write DIR/waves.fst (Verilator run only)")
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
        exe = (os.path.join(vl_build, a.config, "vl", "aimc-vl") if a.sim == "verilator"
               else os.path.join(build, "sw", "aimc"))
        trace = os.path.join(out, "trace.txt")
        waves = ["--waves", os.path.join(out, "waves.fst")] if a.waves and a.sim == "verilator" else []
        rc = run([exe, name] + common + ["--backend", a.sim, "--record", trace] + rep + waves + args)
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
            exe = os.path.join(vl_build, a.config, "vl", "aimc-vl")
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
    digest, blob = encode(vals)
    sig = {"sig": digest, "n": len(vals), "source": os.path.relpath(source, out), "values": blob}
    if os.path.exists(report):
        with open(report) as f:
            r = json.load(f)
        sig["counters"] = r.get("counters")
    tmp = os.path.join(out, "sig.json.tmp")
    with open(tmp, "w") as f:
        json.dump(sig, f)
    os.replace(tmp, os.path.join(out, "sig.json"))
    print(f"regress_case: signature {digest} ({len(vals)} values from {sig['source']}), "
          f"exit {rc}", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
