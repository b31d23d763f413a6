# SPDX-License-Identifier: Apache-2.0
"""Running the cases of a run folder: a pool of at most J case processes (each in its own process
group, killed on timeout), a waves re-run of a failing Verilator case, one result per case
written with a line in the run journal (fsynced) so an interrupted run resumes where it stopped;
the builds a regression needs, coverage (COV=1) and the bench recorded with nightly runs."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

from kirchhoff import atomic

from . import ROOT, rel
from .lists import case_command
from .reports import junit_case, xml_bytes

WAVE_SIMS = ("verilator", "xcheck")
POLL_S = 0.05
KILL_GRACE_S = 2.0


def write_json_atomic(path: str, obj: object, indent: int | None = 2) -> None:
    atomic.write_json(path, obj, indent=indent)


def killpg(pgid: int, sig: int) -> None:
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

    def stop(self, grace: float) -> None:
        if grace > 0:
            killpg(self.proc.pid, signal.SIGTERM)
            end = time.monotonic() + grace
            while self.proc.poll() is None and time.monotonic() < end:
                time.sleep(POLL_S)
        killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.logf.close()


def finish_case(r: Running, timed_out: bool, run_dir: str) -> dict:
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


def record(run_dir: str, res: dict) -> None:
    """A case's result: result.json and junit.xml in its folder, a line in the journal (fsynced),
    so nothing finished is lost if the runner dies."""
    out = os.path.join(run_dir, "cases", res["name"])
    atomic.write_many({os.path.join(out, "junit.xml"): xml_bytes(junit_case(res)),
                       os.path.join(out, "result.json"): json.dumps(res, indent=2) + "\n"})
    with open(os.path.join(run_dir, "journal.jsonl"), "a") as f:
        f.write(json.dumps({"name": res["name"], "status": res["status"]}) + "\n")
        f.flush()
        os.fsync(f.fileno())


def fmt_s(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    def __init__(self, total, done0):
        self.total, self.done0 = total, done0
        self.tty = sys.stdout.isatty()
        self.last = 0.0
        self.t0 = time.monotonic()

    def show(self, done: int, failed: int, running: int, force: bool = False) -> None:
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

    def end(self) -> None:
        if self.tty:
            sys.stdout.write("\n")


class Interrupted(Exception):
    pass


def run_cases(cases: list[dict], run_dir: str, build: str, jobs: int, done_names: dict[str, str]) -> None:
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


def load_run(run_dir: str) -> tuple[dict, list[dict]]:
    with open(os.path.join(run_dir, "manifest.json")) as f:
        man = json.load(f)
    results = []
    for c in man["cases"]:
        p = os.path.join(run_dir, "cases", c["name"], "result.json")
        if os.path.exists(p):
            with open(p) as f:
                results.append(json.load(f))
    return man, results


def latest_run(build: str, regression: str, shard_txt: str | None) -> str | None:
    base = os.path.join(ROOT, build, "regress")
    tag = regression + (f"-shard{shard_txt.replace('/', 'of')}" if shard_txt else "")
    cands = sorted(d for d in os.listdir(base) if d.startswith(tag + "-")) if os.path.isdir(base) else []
    cands = [d for d in cands if re.fullmatch(re.escape(tag) + r"-\d{8}-\d{6}(-\d+)?", d)]
    return os.path.join(base, cands[-1]) if cands else None


def case_targets(c: dict, build: str) -> list[str]:
    """The build targets a case runs: the C tools and its config's model (or bus fuzzer)."""
    t = [f"{build}/sw/aimc", f"{build}/tests/aimc-test"]
    cfg = c["config"]
    if c["sub"] == "bus-fuzz":
        return t + [f"{build}/{cfg}/busfuzz/bus-fuzz"]
    if c["sim"] in ("verilator", "xcheck"):
        t += [f"{build}/{cfg}/vl/aimc-vl", f"{build}/{cfg}/vl/aimc-test-vl"]
    if c["sim"] in ("icarus", "xcheck"):
        t += [f"{build}/{cfg}/icarus/sim.vvp", f"{build}/{cfg}/icarus/aimc_vpi.vpi"]
    return t


def build_configs(cases: list[dict], build: str) -> list[str]:
    """Build the C tools and each config's models once, before any case runs. `make -k` goes on
    past a failed target; returns the targets still out of date afterwards (`make -q`), so that
    only the cases needing them fail and every other case runs."""
    targets = list(dict.fromkeys(t for c in cases for t in case_targets(c, build)))
    print(f"regress: building {len(targets)} targets (C tools, models of "
          f"{len({c['config'] for c in cases})} configs)", flush=True)
    if subprocess.call(["make", "-s", "-k", f"BUILD={build}"] + targets, cwd=ROOT) == 0:
        return []
    return [t for t in targets
            if subprocess.call(["make", "-s", "-q", f"BUILD={build}", t], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) != 0]


def record_build_failures(cases: list[dict], run_dir: str, build: str, failed: list[str],
                          done: dict[str, str]) -> int:
    """A failed result, naming the target and how to rebuild it, for every case not yet done that
    needs a target in `failed`; returns how many."""
    n = 0
    for c in cases:
        missing = [t for t in case_targets(c, build) if t in failed]
        if c["name"] in done or not missing:
            continue
        out = os.path.join(run_dir, "cases", c["name"])
        os.makedirs(out, exist_ok=True)
        cmd = case_command(c, build, rel(out))
        make = "make " + " ".join(shlex.quote(a) for a in [f"BUILD={build}"] + missing)
        reason = f"build failed: {', '.join(missing)} (rebuild: {make})"
        log = os.path.join(out, "log.txt")
        atomic.write_bytes(log, f"# case {c['name']}: not run, {reason}\n".encode())
        record(run_dir, {"name": c["name"], "test": c["test"], "config": c["config"],
                         "sim": c["sim"], "seed": c["seed"], "status": "fail", "reason": reason,
                         "exit_code": None, "seconds": 0.0, "command": cmd,
                         "rerun": f"{make} && {cmd}", "log": rel(log), "sig": None,
                         "sig_n": None, "waves": None})
        done[c["name"]] = "fail"
        n += 1
    return n


def cov_build(cases: list[dict], build: str) -> int | None:
    """Coverage models (make cov's rules) of every config a Verilator-model case uses."""
    cfgs = sorted({c["config"] for c in cases if c["sim"] == "verilator"})
    if not cfgs:
        return None
    targets = [f"{build}/cov/{cfg}/vl/{exe}" for cfg in cfgs for exe in ("aimc-vl", "aimc-test-vl")]
    return subprocess.call(["make", "-s", f"BUILD={build}"] + targets, cwd=ROOT)


def cov_report(run_dir: str) -> dict | None:
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


def record_bench(run_dir: str, build: str) -> None:
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


LONG_REGISTRY = "tests/registry-long.txt"


def run_long_tests(run_dir: str, build: str, jobs: int, registry: str = LONG_REGISTRY) -> dict:
    """The long tests (`make test-long`, tests/registry-long.txt) after the cases of an unsharded,
    unfiltered nightly or full run: tools/run_tests.py with its reports in RUN/long-tests/ and its
    output in RUN/long-tests.log. Returns {registry, passed, failed, report, log, failures: [{name,
    reason, log, rerun}]}; a runner that cannot run or writes no report counts as one failure."""
    rep_dir = os.path.join(run_dir, "long-tests")
    log_path = os.path.join(run_dir, "long-tests.log")
    report = os.path.join(rep_dir, "test.json")
    cmd = [sys.executable, os.path.join(ROOT, "tools", "run_tests.py"), "--registry", registry,
           "--build", build, "--report-dir", rep_dir, "--make-target", "test-long", "-j", str(jobs)]
    out = {"registry": registry, "passed": 0, "failed": 0, "report": rel(report),
           "log": rel(log_path), "failures": []}
    print(f"regress: the long tests of {registry} ($ make test-long; {rel(log_path)})", flush=True)
    try:
        os.remove(report)  # a resumed run folder: never read the report of an earlier session
    except FileNotFoundError:
        pass
    # the output into a temporary beside the log, renamed into place when the runner ends: an
    # interrupted run leaves an earlier session's log as it was
    tmp_log = log_path + ".tmp"
    try:
        with open(tmp_log, "w") as f:
            rc = subprocess.call(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        os.replace(tmp_log, log_path)
    except OSError as e:
        rc = f"cannot run: {e}"
    rerun = f"make test-long BUILD={shlex.quote(build)}"
    try:
        with open(report) as f:
            rep = json.load(f)
        tests = rep["tests"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        out["failed"] = 1
        out["failures"].append({"name": "long-tests", "reason": f"no report (runner exit {rc}: {e})",
                                "log": rel(log_path), "rerun": rerun})
        return out
    for t in tests:
        if t.get("status") == "pass":
            out["passed"] += 1
        else:
            out["failed"] += 1
            out["failures"].append({"name": t.get("name", "?"), "reason": t.get("reason", "?"),
                                    "log": t.get("log", rel(log_path)),
                                    "rerun": f"{rerun} TEST={shlex.quote(str(t.get('name', '')))}"})
    if rc != 0 and not out["failures"]:
        out["failed"] = 1
        out["failures"].append({"name": "long-tests", "reason": f"runner exit {rc}",
                                "log": rel(log_path), "rerun": rerun})
    return out
