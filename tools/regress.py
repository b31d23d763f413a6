#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The nightly regression (docs/regression.md): expands a named regression of
tests/regressions/regressions.toml into tests x configs x simulators x seeds, one shell command per
case, runs them in parallel with per-case timeouts, writes one run folder with a log per case,
merged JUnit, regress.json and summary.html, and checks every case's bit-accurate signature
against tests/regressions/signatures/<regression>.json.

  regress.py list   -r NAME [--shard i/N] [--filter RE]      the case commands, one per line
  regress.py build  -r NAME [--filter RE]                   build what its cases need, once
  regress.py run    -r NAME [--shard i/N] [--filter RE] [-j J] [--resume DIR|latest] [--no-build]
  regress.py merge  --out DIR RUN_DIR...                    shards -> one result
  regress.py update -r NAME [--filter RE] [--run DIR]       signatures from a run (default: run it)

--filter RE (default: the environment's FILTER, so `make regress FILTER=RE` works) keeps the cases
whose name matches the Python regular expression RE (re.search); update --filter rewrites only
those cases' signatures and keeps every other entry of the file.

Exit codes of run / merge: 0 all passed and no signature changed, 1 a case failed, 3 all passed but
signatures changed, 2 bad input.
"""

import argparse
import datetime
import html
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
import regress_case
from kirchhoff import atomic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTS = "tests/regressions/regressions.toml"
SIG_DIR = "tests/regressions/signatures"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SUBS = ("layer-test", "csr-test", "illegal-test", "bus-fuzz", "model-run")
TEST_KEYS = {"name", "sub", "args", "configs", "sims", "reseed", "seed_base", "timeout"}
REG_KEYS = {"name", "tests", "reseed", "configs", "sims"}
WAVE_SIMS = ("verilator", "xcheck")
POLL_S = 0.05
KILL_GRACE_S = 2.0
EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_SIGCHANGE = 0, 1, 2, 3
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ListError(Exception):
    pass


# ---- test lists ---------------------------------------------------------------------------------
def _need(d, key, typ, where):
    if key not in d:
        raise ListError(f"{where}: missing key '{key}'")
    if not isinstance(d[key], typ) or isinstance(d[key], bool):
        raise ListError(f"{where}: '{key}' must be {typ.__name__ if isinstance(typ, type) else typ}")
    return d[key]


def _strlist(d, key, where, allowed=None):
    v = d.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        raise ListError(f"{where}: '{key}' must be a non-empty list of strings")
    if len(set(v)) != len(v):
        raise ListError(f"{where}: '{key}' lists a name twice")
    for x in v:
        if allowed is not None and x not in allowed:
            raise ListError(f"{where}: '{key}' has '{x}', expected one of {', '.join(allowed)}")
    return v


def _posint(d, key, where, default, lo=1, hi=10**6):
    v = d.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ListError(f"{where}: '{key}' must be an integer in [{lo}, {hi}], not {v!r}")
    return v


def load_lists(path):
    """(tests by name, regressions by name) of a list file; ListError naming the entry."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise ListError(f"{path}: cannot read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise ListError(f"{path}: not valid TOML: {e}") from None
    extra = set(doc) - {"test", "regression"}
    if extra:
        raise ListError(f"{path}: unknown top-level key(s) {', '.join(sorted(extra))}")
    tests, regs = {}, {}
    for i, t in enumerate(doc.get("test", [])):
        where = f"{path}: test #{i + 1}"
        name = _need(t, "name", str, where)
        where = f"{path}: test '{name}'"
        if not NAME_RE.match(name):
            raise ListError(f"{where}: bad name (letters, digits, _ . - only)")
        if name in tests:
            raise ListError(f"{where}: defined twice")
        bad = set(t) - TEST_KEYS
        if bad:
            raise ListError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        sub = _need(t, "sub", str, where)
        if sub not in SUBS:
            raise ListError(f"{where}: sub '{sub}' is not one of {', '.join(SUBS)}")
        args = t.get("args", "")
        if not isinstance(args, str):
            raise ListError(f"{where}: 'args' must be a string")
        try:
            argv = shlex.split(args)
        except ValueError as e:
            raise ListError(f"{where}: 'args': {e}") from None
        bad = [x for x in argv if x in ("--config", "--seed", "--backend", "--record", "--waves",
                                        "--report")]
        if bad:
            raise ListError(f"{where}: 'args' must not set {bad[0]} (the case sets it)")
        configs = _strlist(t, "configs", where)
        for c in configs:
            if not os.path.isfile(os.path.join(ROOT, "configs", c + ".cfg")):
                raise ListError(f"{where}: config '{c}': no file configs/{c}.cfg")
        sims = _strlist(t, "sims", where, regress_case.SIMS)
        if sub == "model-run":
            try:
                m = regress_case.model_args(argv)
            except regress_case.CaseError as e:
                raise ListError(f"{where}: 'args': {e}") from None
            if not os.path.isfile(m["model"]):
                raise ListError(f"{where}: 'args': --model {rel(m['model'])}: no such file")
            bad = [x for x in sims if x not in regress_case.MODEL_SIMS]
            if bad:
                raise ListError(f"{where}: sim {bad[0]}: model-run runs on "
                                f"{', '.join(regress_case.MODEL_SIMS)} only")
        if sub == "bus-fuzz" and set(sims) - {"verilator", "cmodel"}:
            raise ListError(f"{where}: sub bus-fuzz (tests/system/bus_fuzz.c) runs on verilator "
                            "or cmodel only")
        if "icarus" in sims:
            if sub != "layer-test":
                raise ListError(f"{where}: sim icarus runs layer-test only; use xcheck for {sub}")
            flags = argv[0::2]
            if len(argv) % 2 or any(f not in regress_case.LAYER_SH_FLAGS for f in flags):
                raise ListError(f"{where}: sim icarus (tools/layer_test.sh) takes only "
                                f"{', '.join(regress_case.LAYER_SH_FLAGS)} in 'args'")
        tests[name] = {
            "name": name, "sub": sub, "args": argv, "configs": configs, "sims": sims,
            "reseed": _posint(t, "reseed", where, 1, 1, 1000),
            "seed_base": _posint(t, "seed_base", where, 1, 0, 2**62),
            "timeout": _posint(t, "timeout", where, 120, 1, 86400),
        }
    for i, r in enumerate(doc.get("regression", [])):
        where = f"{path}: regression #{i + 1}"
        name = _need(r, "name", str, where)
        where = f"{path}: regression '{name}'"
        if not NAME_RE.match(name):
            raise ListError(f"{where}: bad name (letters, digits, _ . - only)")
        if name in regs:
            raise ListError(f"{where}: defined twice")
        bad = set(r) - REG_KEYS
        if bad:
            raise ListError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        names = _strlist(r, "tests", where)
        for n in names:
            if n not in tests:
                raise ListError(f"{where}: unknown test '{n}'")
        regs[name] = {
            "name": name, "tests": names,
            "reseed": _posint(r, "reseed", where, 0, 0, 1000) or None,
            "configs": _strlist(r, "configs", where) if "configs" in r else None,
            "sims": _strlist(r, "sims", where, regress_case.SIMS) if "sims" in r else None,
        }
    return tests, regs


def expand(tests, reg):
    """Cases of a regression in a fixed order: tests as listed, then configs, sims, seeds."""
    cases = []
    for tn in reg["tests"]:
        t = tests[tn]
        n = reg["reseed"] or t["reseed"]
        for cfg in t["configs"]:
            if reg["configs"] is not None and cfg not in reg["configs"]:
                continue
            for sim in t["sims"]:
                if reg["sims"] is not None and sim not in reg["sims"]:
                    continue
                for seed in range(t["seed_base"], t["seed_base"] + n):
                    cases.append({"name": f"{tn}.{cfg}.{sim}.s{seed}", "test": tn, "config": cfg,
                                  "sim": sim, "seed": seed, "sub": t["sub"], "args": t["args"],
                                  "timeout": t["timeout"]})
    if not cases:
        raise ListError(f"regression '{reg['name']}' expands to no case")
    return cases


def parse_shard(s):
    """(i, N) of 'i/N' with 0 <= i < N; ListError otherwise."""
    m = re.fullmatch(r"(\d+)/(\d+)", s or "")
    if not m:
        raise ListError(f"SHARD '{s}': expected i/N, for example 0/4 (i counts from 0)")
    i, n = int(m.group(1)), int(m.group(2))
    if n < 1 or i >= n:
        raise ListError(f"SHARD {s}: need N >= 1 and 0 <= i < N")
    return i, n


def shard(cases, i, n):
    """Round-robin slice: case k belongs to shard k mod N. The N slices partition the list."""
    return [c for k, c in enumerate(cases) if k % n == i]


def case_argv(c, build, out, waves=False):
    argv = ["python3", "tools/regress_case.py", "--build", build, "--out", out,
            "--config", c["config"], "--sim", c["sim"], "--seed", str(c["seed"])]
    if waves:
        argv.append("--waves")
    return argv + ["--", c["sub"]] + c["args"]


def case_command(c, build, out, waves=False):
    return " ".join(shlex.quote(a) for a in case_argv(c, build, out, waves))


# ---- running ----------------------------------------------------------------------------------
def rel(p):
    r = os.path.relpath(p, ROOT)
    return p if r.startswith("..") else r


def write_json_atomic(path, obj, indent=2):
    atomic.write_json(path, obj, indent=indent)


def xml_bytes(root):
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Running:
    def __init__(self, case, cmd, log_path, timeout, waves):
        self.case, self.cmd, self.log_path, self.timeout, self.waves = case, cmd, log_path, timeout, waves
        self.logf = open(log_path, "ab")
        self.logf.write(f"# case {case['name']}{' (waves re-run)' if waves else ''}, timeout "
                        f"{timeout} s\n$ {cmd}\n".encode())
        self.logf.flush()
        self.start = time.monotonic()
        self.proc = subprocess.Popen(["bash", "-c", cmd], cwd=ROOT, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def stop(self, grace):
        if grace > 0:
            killpg(self.proc.pid, signal.SIGTERM)
            end = time.monotonic() + grace
            while self.proc.poll() is None and time.monotonic() < end:
                time.sleep(POLL_S)
        killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.logf.close()


def junit_case(res):
    tc = ET.Element("testcase", name=res["name"], classname="regress." + res["test"],
                    time=f"{res['seconds']:.3f}")
    if res["status"] != "pass":
        fl = ET.SubElement(tc, "failure", message=_XML_BAD.sub("?", res["reason"]), type="failure")
        fl.text = _XML_BAD.sub("?", tail(res["log"]) + f"\nrerun: {res['rerun']}")
    so = ET.SubElement(tc, "system-out")
    so.text = _XML_BAD.sub("?", f"command: {res['command']}\nlog: {res['log']}\n"
                                f"signature: {res.get('sig')}")
    return tc


def tail(path, n=30):
    try:
        with open(os.path.join(ROOT, path), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
    except OSError as e:
        return f"(cannot read {path}: {e.strerror})"


def finish_case(r, timed_out, run_dir):
    """Result of a finished (or timed-out) case, written to its folder and the run journal."""
    c = r.case
    seconds = time.monotonic() - r.start
    r.stop(KILL_GRACE_S if timed_out else 0)
    rc = r.proc.returncode
    if timed_out:
        status, reason = "fail", f"timeout after {r.timeout} s (process group killed)"
        with open(r.log_path, "ab") as f:
            f.write(f"\n# KILLED: {reason}\n".encode())
    elif rc == 0:
        status, reason = "pass", ""
    else:
        status = "fail"
        reason = f"killed by signal {-rc}" if rc < 0 else f"exit code {rc}"
    out = os.path.dirname(r.log_path)
    sig = None
    try:
        with open(os.path.join(out, "sig.json")) as f:
            sig = json.load(f)
    except (OSError, ValueError):
        pass
    return {"name": c["name"], "test": c["test"], "config": c["config"], "sim": c["sim"],
            "seed": c["seed"], "status": status, "reason": reason, "exit_code": rc,
            "seconds": round(seconds, 3), "command": r.cmd, "rerun": r.cmd,
            "log": rel(r.log_path), "sig": sig["sig"] if sig else None,
            "sig_n": sig["n"] if sig else None, "waves": None}


def record(run_dir, res):
    """A case's result: result.json and junit.xml in its folder, a line in the journal (fsynced),
    so nothing finished is lost if the runner dies."""
    out = os.path.join(run_dir, "cases", res["name"])
    atomic.write_many({os.path.join(out, "junit.xml"): xml_bytes(junit_case(res)),
                       os.path.join(out, "result.json"): json.dumps(res, indent=2) + "\n"})
    with open(os.path.join(run_dir, "journal.jsonl"), "a") as f:
        f.write(json.dumps({"name": res["name"], "status": res["status"]}) + "\n")
        f.flush()
        os.fsync(f.fileno())


def fmt_s(s):
    s = int(round(s))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    def __init__(self, total, done0):
        self.total, self.done0 = total, done0
        self.tty = sys.stdout.isatty()
        self.last = 0.0
        self.t0 = time.monotonic()

    def show(self, done, failed, running, force=False):
        now = time.monotonic()
        if not force and now - self.last < (0.5 if self.tty else 10.0):
            return
        self.last = now
        ran = done - self.done0
        el = now - self.t0
        eta = "?" if ran == 0 else fmt_s(el / ran * (self.total - done))
        line = (f"regress: {done}/{self.total} done, {failed} failed, {running} running, "
                f"{fmt_s(el)} elapsed, ~{eta} left")
        if self.tty:
            sys.stdout.write("\r\033[K" + line)
        else:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def end(self):
        if self.tty:
            sys.stdout.write("\n")


class Interrupted(Exception):
    pass


def run_cases(cases, run_dir, build, jobs, done_names):
    """Run every case not in done_names; returns nothing (results are on disk)."""
    todo = [c for c in cases if c["name"] not in done_names]
    prog = Progress(len(cases), len(cases) - len(todo))
    failed = sum(1 for c in cases if c["name"] in done_names and done_names[c["name"]] != "pass")
    done = len(cases) - len(todo)
    running = []
    stop = {"sig": None}

    def on_signal(signum, _frame):
        stop["sig"] = signum

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while (todo or running) and stop["sig"] is None:
            while todo and len(running) < jobs:
                c = todo.pop(0)
                out = os.path.join(run_dir, "cases", c["name"])
                if os.path.isdir(out):  # a case cut short by an earlier interruption
                    subprocess.call(["rm", "-rf", out])
                os.makedirs(out)
                cmd = case_command(c, build, rel(out))
                running.append(Running(c, cmd, os.path.join(out, "log.txt"), c["timeout"], False))
            time.sleep(POLL_S)
            now = time.monotonic()
            for r in list(running):
                timed_out = now - r.start > r.timeout
                if r.proc.poll() is None and not timed_out:
                    continue
                running.remove(r)
                if r.waves:
                    r.stop(KILL_GRACE_S if timed_out else 0)
                    res = r.result
                    fst = os.path.join(os.path.dirname(r.log_path), "waves.fst")
                    res["waves"] = rel(fst) if os.path.exists(fst) else None
                else:
                    res = finish_case(r, timed_out, run_dir)
                    if res["status"] != "pass" and r.case["sim"] in WAVE_SIMS:
                        out = os.path.dirname(r.log_path)
                        w = Running(r.case, case_command(r.case, build, rel(out), waves=True),
                                    os.path.join(out, "waves-log.txt"), r.timeout, True)
                        w.result = res
                        running.append(w)
                        continue
                record(run_dir, res)
                done += 1
                failed += res["status"] != "pass"
                if res["status"] != "pass":
                    if prog.tty:
                        sys.stdout.write("\r\033[K")
                    print(f"FAIL {res['name']} ({res['reason']})", flush=True)
                prog.show(done, failed, len(running))
            prog.show(done, failed, len(running))
        prog.show(done, failed, len(running), force=True)
        prog.end()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if stop["sig"] is not None or sys.exc_info()[0] is not None:
            for r in running:
                r.stop(0)
    if stop["sig"] is not None:
        raise Interrupted(f"signal {stop['sig']}")


# ---- signatures ------------------------------------------------------------------------------
_REG_CACHE = {}


def addr_names():
    """(windows, csr offsets -> names) from the generated docs/registers.md."""
    if _REG_CACHE:
        return _REG_CACHE["w"], _REG_CACHE["c"]
    wins, csrs = [], {}
    try:
        with open(os.path.join(ROOT, "docs", "registers.md")) as f:
            for line in f:
                m = re.match(r"\|\s*(\w+)\s*\|\s*0x([0-9a-f]+)\s*\|\s*0x([0-9a-f]+)\s*\|", line)
                if m:
                    wins.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16)))
                m = re.match(r"\|\s*0x([0-9a-f]+)\s*\|\s*(\w+)\s*\|", line)
                if m:
                    csrs.setdefault(int(m.group(1), 16), m.group(2))
    except OSError:
        pass
    _REG_CACHE["w"], _REG_CACHE["c"] = wins, csrs
    return wins, csrs


def addr_name(a):
    wins, csrs = addr_names()
    for name, base, size in wins:
        if base <= a < base + size:
            if name == "csr" and a - base in csrs:
                return f"csr.{csrs[a - base]}"
            return f"{name}+0x{a - base:x}"
    return f"0x{a:08x}"


def what_name(k, a):
    """What a signature value (kind, address) stands for (kinds: tools/regress_case.py)."""
    if k == 0:
        return "read " + addr_name(a)
    if k == 1:
        return "bus response at " + addr_name(a)
    if k == 2:
        return "player cycles"
    if k == regress_case.K_OUT:
        return f"output byte #{a}"
    if k == regress_case.K_COUNTER:
        return "counter " + regress_case.counter_name(a)
    if k == regress_case.K_READS:
        return f"digest of the {a} bus reads"
    return f"value kind {k} at 0x{a:x}"


def fmt_val(k, d):
    if k in (0, regress_case.K_READS):
        return f"0x{d:08x}"
    if k == regress_case.K_OUT:
        return f"{d - 256 if d > 127 else d} (0x{d:02x})"
    return str(d)


def describe(k, a, d):
    if k == 0:
        return f"read {addr_name(a)} = 0x{d:08x}"
    if k == 1:
        return f"bus response {d} at {addr_name(a)}"
    if k == 2:
        return f"player cycles = {d}"
    return f"{what_name(k, a)} = {fmt_val(k, d)}"


def first_difference(old, new):
    """Text naming the first differing signature value of two value lists."""
    for i, (o, n) in enumerate(zip(old, new, strict=False)):
        if o != n:
            if o[:2] == n[:2]:
                return (f"value #{i}: {what_name(o[0], o[1])}: was {fmt_val(o[0], o[2])}, "
                        f"now {fmt_val(n[0], n[2])}")
            return f"value #{i}: was {describe(*o)}, now {describe(*n)}"
    if len(old) != len(new):
        i = min(len(old), len(new))
        more = new[i] if len(new) > i else old[i]
        return (f"{len(new)} values, was {len(old)}; first {'extra' if len(new) > i else 'missing'}"
                f" value #{i}: {describe(*more)}")
    return "identical values (hash collision?)"


def sig_path(regression):
    # KH_REGRESS_SIG_DIR: another signature folder (the tool's own tests use a temp one).
    return os.path.join(ROOT, os.environ.get("KH_REGRESS_SIG_DIR", SIG_DIR), regression + ".json")


def load_sigs(regression):
    p = sig_path(regression)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        doc = json.load(f)
    if (doc.get("version") != 1 or not isinstance(doc.get("cases"), dict)
            or not isinstance(doc.get("values"), dict)):
        raise ListError(f"{rel(p)}: not a version-1 signature file")
    cases = {}
    for n, c in doc["cases"].items():
        if c.get("sig") not in doc["values"]:
            raise ListError(f"{rel(p)}: case {n}: no values for signature {c.get('sig')}")
        cases[n] = dict(c, values=doc["values"][c["sig"]])
    return cases


def case_sig(run_dirs, name):
    for d in run_dirs:
        p = os.path.join(d, "cases", name, "sig.json")
        if os.path.exists(p):
            with open(p) as f:
                return json.load(f)
    return None


def compare_sigs(results, ref, run_dirs):
    """Signature check of every case of a run against the reference: list of change dicts."""
    changes = []
    for r in results:
        if r["name"] not in ref:
            changes.append({"name": r["name"], "kind": "new",
                            "detail": "no reference signature for this case"})
            continue
        want = ref[r["name"]]
        if r["sig"] is None:
            changes.append({"name": r["name"], "kind": "missing",
                            "detail": f"the case left no signature (status {r['status']})"})
        elif r["sig"] != want["sig"]:
            got = case_sig(run_dirs, r["name"])
            detail = first_difference(regress_case.decode(want["values"]),
                                      regress_case.decode(got["values"]))
            changes.append({"name": r["name"], "kind": "changed",
                            "detail": f"{want['sig']} -> {r['sig']}: {detail}"})
    return changes


def write_sigs(regression, results, run_dirs, flt=None):
    """Write the signature file from a run; print and return what changed. With flt (a regular
    expression), the entries of cases whose names do not match it are kept as they are."""
    p = sig_path(regression)
    old = load_sigs(regression) or {}
    new = {}
    if flt:
        pat = re.compile(flt)
        new = {n: old[n] for n in old if not pat.search(n)}
    for r in results:
        s = case_sig(run_dirs, r["name"])
        if s is None:
            raise ListError(f"case {r['name']} has no signature (status {r['status']}); "
                            "fix it or drop it from the list before updating")
        new[r["name"]] = {"sig": s["sig"], "n": s["n"], "values": s["values"]}
    lines = []
    for n in sorted(set(old) | set(new)):
        if n not in new:
            lines.append(f"  removed  {n}")
        elif n not in old:
            lines.append(f"  new      {n} {new[n]['sig']}")
        elif old[n]["sig"] != new[n]["sig"]:
            d = first_difference(regress_case.decode(old[n]["values"]),
                                 regress_case.decode(new[n]["values"]))
            lines.append(f"  changed  {n} {old[n]['sig']} -> {new[n]['sig']}: {d}")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    # One line per case (readable diffs); the values behind each distinct hash once. Written
    # through a temporary: a full disk leaves the previous signature file as it was.
    blobs = {new[n]["sig"]: new[n]["values"] for n in new}
    text = ('{"version": 1, "regression": %s,\n"cases": {\n' % json.dumps(regression) +
            ",\n".join(f"{json.dumps(n)}: {json.dumps({'sig': new[n]['sig'], 'n': new[n]['n']})}"
                       for n in sorted(new)) +
            '\n},\n"values": {\n' +
            ",\n".join(f"{json.dumps(h)}: {json.dumps(blobs[h])}" for h in sorted(blobs)) +
            "\n}}\n")
    try:
        atomic.write_text(p, text, inputs=[os.path.join(d, "cases", r["name"], "sig.json")
                                           for d in run_dirs for r in results])
    except (OSError, atomic.SameFileError) as e:
        raise ListError(f"regress-update: {rel(p)} not written ({e}); the previous signature "
                        "file is unchanged") from None
    print(f"regress-update: {rel(p)}: {len(new)} cases; {len(lines)} changed, new or removed")
    for ln in lines:
        print(ln)
    return lines


# ---- reports ----------------------------------------------------------------------------------
def load_run(run_dir):
    with open(os.path.join(run_dir, "manifest.json")) as f:
        man = json.load(f)
    results = []
    for c in man["cases"]:
        p = os.path.join(run_dir, "cases", c["name"], "result.json")
        if os.path.exists(p):
            with open(p) as f:
                results.append(json.load(f))
    return man, results


def summarize(out_dir, regression, cases, results, wall, run_dirs, shard_txt, check_sigs):
    """Write regress.json, junit.xml, failures.txt, summary.html; print the closing lines;
    return the exit code."""
    by = {r["name"]: r for r in results}
    missing = [c["name"] for c in cases if c["name"] not in by]
    ordered = [by[c["name"]] for c in cases if c["name"] in by]
    failed = [r for r in ordered if r["status"] != "pass"]
    passed = len(ordered) - len(failed)
    ref = None
    changes = []
    if check_sigs:
        ref = load_sigs(regression)
        if ref is not None:
            changes = compare_sigs(ordered, ref, run_dirs)
    changed = [c for c in changes if c["kind"] in ("changed", "missing")]
    cph = len(ordered) / wall * 3600.0 if wall > 0 else 0.0
    rep = {
        "regression": regression, "shard": shard_txt,
        "summary": {"total": len(cases), "passed": passed, "failed": len(failed),
                    "not_run": len(missing)},
        "wall_s": round(wall, 3), "cases_per_hour": round(cph, 1),
        "cpu_s": round(sum(r["seconds"] for r in ordered), 3),
        "signatures": {"file": rel(sig_path(regression)) if ref is not None else None,
                       "checked": len(ordered) if ref is not None else 0,
                       "changed": len(changed),
                       "new": sum(c["kind"] == "new" for c in changes),
                       "changes": changes},
        "failures": [{"name": r["name"], "reason": r["reason"], "log": r["log"],
                      "waves": r.get("waves"), "rerun": r["rerun"]} for r in failed],
        "not_run": missing,
        "run_dirs": [rel(d) for d in run_dirs],
        "cases": [{k: r[k] for k in ("name", "status", "seconds", "sig")} for r in ordered],
    }
    suite = ET.Element("testsuite", name=f"regress.{regression}", tests=str(len(ordered)),
                       failures=str(len(failed)), errors="0", skipped="0", time=f"{wall:.3f}")
    for r in ordered:
        suite.append(junit_case(r))
    root = ET.Element("testsuites", tests=str(len(ordered)), failures=str(len(failed)),
                      time=f"{wall:.3f}")
    root.append(suite)
    ET.indent(root)
    # The four reports go together: written through temporaries and renamed only when all are
    # complete, so a full disk leaves the previous ones as they were (kirchhoff.atomic).
    html_path = os.path.join(out_dir, "summary.html")
    try:
        atomic.write_many({
            os.path.join(out_dir, "regress.json"): json.dumps(rep, indent=2) + "\n",
            os.path.join(out_dir, "junit.xml"): xml_bytes(root),
            os.path.join(out_dir, "failures.txt"):
                "".join(f"# {r['name']}: {r['reason']} (log {r['log']})\n{r['rerun']}\n"
                        for r in failed),
            html_path: html_text(html_path, rep, ordered)})
    except OSError as e:
        print(f"regress: the reports in {rel(out_dir)} could not be written ({e}); the previous "
              "ones are unchanged", file=sys.stderr)
        print(f"{passed} passed, {len(failed)} failed")
        return EXIT_FAIL

    for r in failed:
        print(f"FAIL {r['name']}: {r['reason']}\n  log:   {r['log']}" +
              (f"\n  waves: {r['waves']}" if r.get("waves") else "") + f"\n  rerun: {r['rerun']}")
    if ref is None and check_sigs:
        print(f"signatures: no {rel(sig_path(regression))}; nothing compared")
    elif ref is not None:
        for c in changed:
            print(f"SIGNATURE {c['kind'].upper()} {c['name']}: {c['detail']}")
        nnew = sum(c["kind"] == "new" for c in changes)
        print(f"signatures: {len(ordered) - len(changed) - nnew} unchanged, {len(changed)} changed"
              f", {nnew} without reference ({rel(sig_path(regression))})")
        if changed:
            print(f"signatures: accept the new bits with: make regress-update "
                  f"REGRESSION={regression} RUN={rel(out_dir)}")
    if missing:
        print(f"regress: {len(missing)} cases not run; resume with RESUME={rel(out_dir)}")
    print(f"regress: {rel(out_dir)}: regress.json junit.xml summary.html; wall {wall:.1f} s, "
          f"{cph:.0f} cases/hour")
    print(f"{passed} passed, {len(failed)} failed")
    if failed or missing:
        return EXIT_FAIL
    return EXIT_SIGCHANGE if changed else EXIT_PASS


def html_text(path, rep, results):
    s = rep["summary"]
    e = html.escape
    rows = []
    for r in results:
        if r["status"] != "pass":
            rows.append(f"<tr class=fail><td>{e(r['name'])}</td><td>{e(r['reason'])}</td>"
                        f"<td><a href='{e(os.path.relpath(os.path.join(ROOT, r['log']), os.path.dirname(path)))}'>log</a></td>"
                        f"<td><code>{e(r['rerun'])}</code></td></tr>")
    sigrows = [f"<tr><td>{e(c['name'])}</td><td>{e(c['kind'])}</td><td>{e(c['detail'])}</td></tr>"
               for c in rep["signatures"]["changes"] if c["kind"] != "new"]
    return (f"""<!doctype html><html><head><meta charset=utf-8>
<title>regress {e(rep['regression'])}</title>
<style>body{{font-family:sans-serif}} td,th{{padding:2px 8px;text-align:left}}
.fail{{background:#fdd}} code{{font-size:90%}}</style></head><body>
<h1>Regression {e(rep['regression'])}{' shard ' + e(rep['shard']) if rep['shard'] else ''}</h1>
<p><b>{s['passed']} passed, {s['failed']} failed</b>, {s['not_run']} not run, of {s['total']};
wall {rep['wall_s']:.1f} s, {rep['cases_per_hour']:.0f} cases/hour.</p>
<p>Signatures: {rep['signatures']['checked']} checked against {e(str(rep['signatures']['file']))},
{rep['signatures']['changed']} changed, {rep['signatures']['new']} without reference.</p>
<h2>Failures</h2><table><tr><th>case</th><th>reason</th><th>log</th><th>rerun</th></tr>
{''.join(rows) or '<tr><td>none</td></tr>'}</table>
<h2>Changed signatures</h2><table><tr><th>case</th><th>kind</th><th>first difference</th></tr>
{''.join(sigrows) or '<tr><td>none</td></tr>'}</table>
</body></html>
""")


# ---- commands ---------------------------------------------------------------------------------
def get_regression(args):
    tests, regs = load_lists(os.path.join(ROOT, args.lists))
    if args.regression not in regs:
        raise ListError(f"no regression '{args.regression}' in {args.lists} (have: "
                        f"{', '.join(regs)})")
    cases = expand(tests, regs[args.regression])
    flt = getattr(args, "filter", None)
    if flt:
        try:
            pat = re.compile(flt)
        except re.error as e:
            raise ListError(f"FILTER '{flt}': not a regular expression: {e}") from None
        cases = [c for c in cases if pat.search(c["name"])]
        if not cases:
            raise ListError(f"FILTER '{flt}': no case of regression '{args.regression}' matches")
    shard_txt = None
    if args.shard:
        i, n = parse_shard(args.shard)
        cases = shard(cases, i, n)
        shard_txt = f"{i}/{n}"
    return cases, shard_txt


def build_configs(cases, build):
    """Build the C tools and each config's models once, before any case runs."""
    targets = [f"{build}/sw/aimc"]
    for cfg in sorted({c["config"] for c in cases}):
        sims = {c["sim"] for c in cases if c["config"] == cfg and c["sub"] != "bus-fuzz"}
        if any(c["config"] == cfg and c["sub"] == "bus-fuzz" for c in cases):
            targets.append(f"{build}/{cfg}/busfuzz/bus-fuzz")
        if sims & {"verilator", "xcheck"}:
            targets.append(f"{build}/{cfg}/vl/aimc-vl")
        if sims & {"icarus", "xcheck"}:
            targets += [f"{build}/{cfg}/icarus/sim.vvp", f"{build}/{cfg}/icarus/aimc_vpi.vpi"]
    print(f"regress: building {len(targets)} targets (C tools, models of "
          f"{len({c['config'] for c in cases})} configs)", flush=True)
    return subprocess.call(["make", "-s", f"BUILD={build}"] + targets, cwd=ROOT)


def cmd_build(args):
    cases, _ = get_regression(args)
    return EXIT_PASS if build_configs(cases, args.build) == 0 else EXIT_FAIL


def cmd_list(args):
    cases, _ = get_regression(args)
    for c in cases:
        print(case_command(c, args.build, f"{args.build}/regress/<run>/cases/{c['name']}"))
    return EXIT_PASS


def latest_run(build, regression, shard_txt):
    base = os.path.join(ROOT, build, "regress")
    tag = regression + (f"-shard{shard_txt.replace('/', 'of')}" if shard_txt else "")
    cands = sorted(d for d in os.listdir(base) if d.startswith(tag + "-")) if os.path.isdir(base) else []
    cands = [d for d in cands if re.fullmatch(re.escape(tag) + r"-\d{8}-\d{6}(-\d+)?", d)]
    return os.path.join(base, cands[-1]) if cands else None


def cov_build(cases, build):
    """Coverage models (make cov's rules) of every config a Verilator-model case uses."""
    cfgs = sorted({c["config"] for c in cases if c["sim"] == "verilator"})
    if not cfgs:
        return None
    targets = [f"{build}/cov/{cfg}/vl/aimc-vl" for cfg in cfgs]
    return subprocess.call(["make", "-s", f"BUILD={build}"] + targets, cwd=ROOT)


def cov_report(run_dir):
    """Merge the coverage every case wrote into RUN/cov/dat; lcov HTML in RUN/cov/html."""
    cov = os.path.join(run_dir, "cov")
    dats = sorted(os.path.join(cov, "dat", f) for f in os.listdir(os.path.join(cov, "dat"))
                  if f.endswith(".dat")) if os.path.isdir(os.path.join(cov, "dat")) else []
    if not dats:
        print("regress: COV=1: no coverage data was written (no case ran a Verilator model)",
              file=sys.stderr)
        return None
    merged, info = os.path.join(cov, "merged.dat"), os.path.join(cov, "coverage.info")
    steps = [["verilator_coverage", "--write", merged] + dats,
             ["verilator_coverage", "--write-info", info, merged],
             ["genhtml", "-q", "-o", os.path.join(cov, "html"), info]]
    out = ""
    for cmd in steps:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        out += p.stdout + p.stderr
        if p.returncode != 0:
            print(f"regress: COV=1: {' '.join(cmd[:2])} failed:\n{out[-2000:]}", file=sys.stderr)
            return None
    hit = found = 0  # DA:<line>,<count> entries of the RTL sources (rtl/), as in the HTML
    in_rtl = False
    for line in open(info, encoding="latin-1"):
        if line.startswith("SF:"):
            in_rtl = line[3:].startswith("rtl/") or "/rtl/" in line
        elif line.startswith("DA:") and in_rtl:
            found += 1
            hit += int(line.split(",")[1]) > 0
    res = {"runs": len(dats), "lines_hit": hit, "lines_found": found,
           "line_pct": round(100.0 * hit / found, 2) if found else None,
           "html": rel(os.path.join(cov, "html", "index.html"))}
    write_json_atomic(os.path.join(cov, "coverage.json"), res)
    print(f"regress: coverage over {len(dats)} model runs: {hit}/{found} lines "
          f"({res['line_pct']} %), report {res['html']}")
    return res


def cmd_run(args):
    cases, shard_txt = get_regression(args)
    build = args.build
    if args.resume:
        run_dir = (latest_run(build, args.regression, shard_txt) if args.resume in ("1", "latest")
                   else os.path.abspath(args.resume))
        if run_dir is None or not os.path.isfile(os.path.join(run_dir, "manifest.json")):
            raise ListError(f"RESUME={args.resume}: no run folder to resume "
                            f"(want {build}/regress/{args.regression}-...)")
        with open(os.path.join(run_dir, "manifest.json")) as f:
            man = json.load(f)
        if [c["name"] for c in man["cases"]] != [c["name"] for c in cases]:
            raise ListError(f"RESUME: {rel(run_dir)} holds a different case list (regression "
                            f"{man['regression']}, shard {man['shard']}); not resuming")
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        tag = args.regression + (f"-shard{shard_txt.replace('/', 'of')}" if shard_txt else "")
        run_dir = os.path.join(ROOT, build, "regress", f"{tag}-{stamp}")
        k = 1
        while os.path.exists(run_dir):
            k += 1
            run_dir = os.path.join(ROOT, build, "regress", f"{tag}-{stamp}-{k}")
        os.makedirs(os.path.join(run_dir, "cases"))
        man = {"regression": args.regression, "shard": shard_txt, "build": build,
               "filter": getattr(args, "filter", None) or None, "created": stamp, "sessions": [],
               "cases": [dict(c, command=case_command(c, build, rel(os.path.join(
                   run_dir, "cases", c["name"])))) for c in cases]}
        write_json_atomic(os.path.join(run_dir, "manifest.json"), man)
    done = {}
    _, prev = load_run(run_dir)
    for r in prev:
        done[r["name"]] = r["status"]
    if not args.no_build and len(done) < len(cases) and build_configs(cases, build) != 0:
        print("regress: build failed", file=sys.stderr)
        print(f"0 passed, {len(cases)} failed")
        return EXIT_FAIL
    if args.cov:
        # Cases take their Verilator model from BUILD/cov (regress_case.py reads AIMC_VL_BUILD);
        # each model writes its counts into RUN/cov/dat when it closes (tb/verilator harness).
        if cov_build(cases, build) not in (None, 0):
            print("regress: COV=1: coverage model build failed", file=sys.stderr)
            print(f"0 passed, {len(cases)} failed")
            return EXIT_FAIL
        os.makedirs(os.path.join(run_dir, "cov", "dat"), exist_ok=True)
        os.environ["AIMC_VL_BUILD"] = os.path.join(build, "cov")
        os.environ["AIMC_COV_DIR"] = os.path.abspath(os.path.join(run_dir, "cov", "dat"))
    print(f"regress: {args.regression}{' shard ' + shard_txt if shard_txt else ''}: {len(cases)} "
          f"cases ({len(done)} already done), -j {args.jobs}, run folder {rel(run_dir)}", flush=True)
    t0 = time.monotonic()
    interrupted = None
    try:
        run_cases(cases, run_dir, build, args.jobs, done)
    except Interrupted as e:
        interrupted = e
    man["sessions"].append({"wall_s": round(time.monotonic() - t0, 3),
                            "resumed_with": len(done)})
    write_json_atomic(os.path.join(run_dir, "manifest.json"), man)
    link = os.path.join(ROOT, build, "regress", "latest-" + args.regression)
    if os.path.islink(link) or not os.path.exists(link):
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(os.path.basename(run_dir), link)
    if interrupted:
        _, res = load_run(run_dir)
        print(f"\nregress: interrupted ({interrupted}); {len(res)} of {len(cases)} cases kept. "
              f"Resume: make regress REGRESSION={args.regression}"
              f"{' SHARD=' + shard_txt if shard_txt else ''} RESUME={rel(run_dir)}")
        return 130
    _, res = load_run(run_dir)
    wall = sum(s["wall_s"] for s in man["sessions"])
    if args.cov and cov_report(run_dir) is None:
        print("regress: COV=1: no coverage report", file=sys.stderr)
    if args.regression != "smoke" and not shard_txt and not getattr(args, "no_bench", False):
        record_bench(run_dir, build)
    return summarize(run_dir, args.regression, cases, res, wall, [run_dir], shard_txt,
                     not args.no_sigcheck)


def record_bench(run_dir, build):
    """The nightly and full regressions record `make bench`'s report (tools/bench.py, default
    rows: no slow RTL rows) as RUN/bench.json, so that trends can be plotted run after run. A
    bench that cannot run is noted in RUN/bench.log; it never fails the regression (goals are
    reported, not enforced)."""
    out = os.path.join(run_dir, "bench.json")
    log_path = os.path.join(run_dir, "bench.log")
    b = os.path.join(ROOT, build)
    cmd = ["make", "-s", "bench", f"BUILD={build}",
           f"BENCH_PY_ARGS=--out {os.path.abspath(out)}"]
    print(f"regress: recording the bench into {rel(out)} ($ {' '.join(cmd)})", flush=True)
    try:
        with open(log_path, "w") as f:
            rc = subprocess.call(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT,
                                 env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    except OSError as e:
        rc = f"cannot run: {e}"
    if rc != 0 or not os.path.isfile(out):
        print(f"regress: bench not recorded (exit {rc}; {rel(log_path)}); {b} kept as it was",
              flush=True)


def cmd_merge(args):
    if not args.runs:
        raise ListError("merge: give the run folders of the shards")
    mans, results, seen, wall = [], [], {}, 0.0
    dirs = [os.path.abspath(d) for d in args.runs]
    for d in dirs:
        if not os.path.isfile(os.path.join(d, "manifest.json")):
            raise ListError(f"merge: {d} is not a run folder (no manifest.json)")
        man, res = load_run(d)
        mans.append(man)
        for r in res:
            if r["name"] in seen:
                raise ListError(f"merge: case {r['name']} is in {rel(seen[r['name']])} and "
                                f"{rel(d)}")
            seen[r["name"]] = d
        results += res
        wall = max(wall, sum(s["wall_s"] for s in man["sessions"]))
    regs = {m["regression"] for m in mans}
    if len(regs) != 1:
        raise ListError(f"merge: the runs are of different regressions: {', '.join(sorted(regs))}")
    reg = regs.pop()
    shards = sorted({m["shard"] for m in mans if m["shard"]})
    ns = {s.split("/")[1] for s in shards}
    cases = [c for m in mans for c in m["cases"]]
    if ns and len(ns) == 1 and len(shards) == int(ns.pop()):
        # All shards of one list: report in the order of the full list.
        args.shard = None
        args.regression = reg
        full, _ = get_regression(args)
        if sorted(c["name"] for c in full) == sorted(c["name"] for c in cases):
            cases = full
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    # wall time of a merged run: the slowest shard (they run side by side).
    return summarize(out, reg, cases, results, wall, dirs, "merged " + ",".join(shards) if shards
                     else None, not args.no_sigcheck)


def cmd_update(args):
    if args.run:
        run_dirs = [os.path.abspath(d) for d in args.run]
    else:
        args.resume = None
        args.shard = None
        args.cov = False
        rc = cmd_run(args)
        if rc not in (EXIT_PASS, EXIT_SIGCHANGE):
            print("regress-update: the run did not pass; signatures not updated", file=sys.stderr)
            return rc
        run_dirs = [os.path.realpath(os.path.join(ROOT, args.build, "regress",
                                                  "latest-" + args.regression))]
    results, reg = [], None
    for d in run_dirs:
        man, res = load_run(d)
        reg = man["regression"]
        # With a filter, a run may be cut short: the coverage check below wants every filtered
        # case (and each from one run only).
        if len(res) != len(man["cases"]) and not args.filter:
            raise ListError(f"regress-update: {rel(d)} is incomplete ({len(res)} of "
                            f"{len(man['cases'])} cases); resume it first")
        results += res
    if reg != args.regression:
        raise ListError(f"regress-update: {rel(run_dirs[0])} is a run of '{reg}', not "
                        f"'{args.regression}'")
    full, _ = get_regression(argparse.Namespace(lists=args.lists, regression=args.regression,
                                                shard=None, filter=args.filter))
    if args.filter:
        # Only the filtered cases are rewritten; the runs may hold more (an unfiltered run).
        names = {c["name"] for c in full}
        results = [r for r in results if r["name"] in names]
        seen = set()
        for r in results:
            if r["name"] in seen:
                raise ListError(f"regress-update: case {r['name']} is in more than one run")
            seen.add(r["name"])
    if sorted(r["name"] for r in results) != sorted(c["name"] for c in full):
        raise ListError("regress-update: the runs do not cover the whole regression"
                        f"{' (cases matching FILTER ' + args.filter + ')' if args.filter else ''}"
                        " (merge all shards, or rerun); signatures not updated")
    bad = [r["name"] for r in results if r["status"] != "pass"]
    if bad and not args.force:
        raise ListError(f"regress-update: {len(bad)} cases failed (first {bad[0]}); signatures "
                        "of failing runs are not accepted (FORCE=1 to override)")
    write_sigs(args.regression, results, run_dirs, args.filter)
    return EXIT_PASS


def main(argv=None):
    ap = argparse.ArgumentParser(description="Kirchhoff nightly regression (docs/regression.md)")
    sp = ap.add_subparsers(dest="cmd", required=True)

    def common(p, reg=True):
        p.add_argument("--lists", default=LISTS)
        p.add_argument("--build", default="build")
        if reg:
            p.add_argument("-r", "--regression", required=True)
            p.add_argument("--shard", default=None, help="i/N: the i-th of N slices (i from 0)")
            p.add_argument("--filter", default=os.environ.get("FILTER") or None,
                           help="regular expression: only the cases whose name matches "
                                "(default: $FILTER)")

    p = sp.add_parser("list")
    common(p)
    p = sp.add_parser("build")
    common(p)
    for name in ("run", "update"):
        p = sp.add_parser(name)
        common(p)
        p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
        p.add_argument("--resume", default=None)
        p.add_argument("--no-build", action="store_true")
        p.add_argument("--no-sigcheck", action="store_true")
        p.add_argument("--cov", action="store_true")
        p.add_argument("--no-bench", action="store_true",
                       help="do not record bench.json in the run folder (nightly and full do)")
        if name == "update":
            p.add_argument("--run", nargs="*", help="run folders to take the signatures from")
            p.add_argument("--force", action="store_true")
    p = sp.add_parser("merge")
    common(p, reg=False)
    p.add_argument("--out", required=True)
    p.add_argument("--no-sigcheck", action="store_true")
    p.add_argument("runs", nargs="*")
    args = ap.parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        ap.error(f"-j {args.jobs}: must be >= 1")
    try:
        return {"list": cmd_list, "build": cmd_build, "run": cmd_run, "merge": cmd_merge, "update": cmd_update}[
            args.cmd](args)
    except ListError as e:
        print(f"regress: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
