#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`make test` runner: runs the tests of a registry in parallel, one log per test, per-test
timeouts, and writes BUILD/reports/test.json and BUILD/reports/junit.xml (--report-dir: another
folder; `make test-long` writes BUILD/reports/long/).

Registry lines: `name | timeout_seconds | shell command` ('#' comments and blank lines ignored;
the command is everything after the second '|', so it may hold pipes). Commands run with
`bash -c` from the repository root, stdin closed, in their own process group; a test that runs
past its timeout has its whole process group killed and fails. The environment gets BUILD (the
absolute build directory), TEST_NAME, and PYTHON (this interpreter, unless already set).
"""

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
from kirchhoff import atomic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/+-]*$")
TAIL_LINES = 30
KILL_GRACE_S = 2.0
POLL_S = 0.05
# Characters XML 1.0 cannot carry, even escaped.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class RegistryError(Exception):
    pass


class Test:
    def __init__(self, name, timeout, command, line):
        self.name, self.timeout, self.command, self.line = name, timeout, command, line
        self.proc = None
        self.logf = None
        self.log_path = None
        self.start = 0.0
        self.seconds = 0.0
        self.status = "not run"
        self.reason = ""
        self.exit_code = None
        self.timed_out = False


def parse_registry(path):
    """Tests of a registry file; RegistryError naming file and line for any malformed line."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise RegistryError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise RegistryError(f"{path}: not UTF-8 text: {e}") from None
    tests, seen = [], {}
    for no, raw in enumerate(lines, 1):
        s = raw.strip()
        if not s or s.startswith("#"):
            continue
        where = f"{path}:{no}"
        parts = s.split("|", 2)
        if len(parts) != 3:
            raise RegistryError(f"{where}: expected 'name | timeout_seconds | command', got: {s}")
        name, tmo, cmd = (p.strip() for p in parts)
        if not NAME_RE.match(name):
            raise RegistryError(f"{where}: bad test name '{name}' (letters, digits and _ . : / + - "
                                "only, starting with a letter or digit)")
        if name in seen:
            raise RegistryError(f"{where}: test '{name}' already defined on line {seen[name]}")
        try:
            timeout = float(tmo)
        except ValueError:
            raise RegistryError(f"{where}: timeout '{tmo}' is not a number of seconds") from None
        if not (timeout > 0 and timeout < 1e6):
            raise RegistryError(f"{where}: timeout {tmo} must be > 0 and < 1e6 seconds")
        if not cmd:
            raise RegistryError(f"{where}: empty command for test '{name}'")
        seen[name] = no
        tests.append(Test(name, timeout, cmd, no))
    return tests


def select(tests, filt):
    if not filt:
        return tests
    subs = [f.strip() for f in filt.split(",") if f.strip()]
    return [t for t in tests if any(s in t.name for s in subs)]


def show(path):
    """path relative to the current directory when below it, else absolute."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def log_tail(path, n=TAIL_LINES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            text = f.read().decode("utf-8", errors="replace")
    except OSError as e:
        return f"(cannot read log {path}: {e.strerror})"
    return "\n".join(text.splitlines()[-n:])


def killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_group(t, grace):
    """SIGTERM the test's process group, give the shell `grace` seconds to exit, then SIGKILL
    the whole group (children that outlived the shell included) and reap the shell."""
    if grace > 0:
        killpg(t.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while t.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(POLL_S)
    killpg(t.proc.pid, signal.SIGKILL)
    t.proc.wait()


def start(t, build, log_dir):
    t.log_path = os.path.join(log_dir, t.name.replace("/", "_") + ".log")
    t.logf = open(t.log_path, "wb")
    t.logf.write(f"# test {t.name} (registry line {t.line}), timeout {t.timeout:g} s\n"
                 f"$ {t.command}\n".encode())
    t.logf.flush()
    env = dict(os.environ, BUILD=build, TEST_NAME=t.name)
    env.setdefault("PYTHON", sys.executable)
    t.start = time.monotonic()
    t.proc = subprocess.Popen(["bash", "-c", t.command], cwd=ROOT, stdin=subprocess.DEVNULL,
                              stdout=t.logf, stderr=subprocess.STDOUT, env=env,
                              start_new_session=True)


def finish(t, timed_out):
    t.seconds = time.monotonic() - t.start
    if timed_out:
        kill_group(t, KILL_GRACE_S)
        t.timed_out = True
    else:
        # The shell has exited: kill any background children it left behind in its group.
        kill_group(t, 0)
    t.exit_code = t.proc.returncode
    t.logf.close()
    if timed_out:
        t.status, t.reason = "fail", f"timeout after {t.timeout:g} s (process group killed)"
        with open(t.log_path, "ab") as f:
            f.write(f"\n# KILLED: {t.reason}\n".encode())
    elif t.exit_code == 0:
        t.status, t.reason = "pass", ""
    else:
        t.status = "fail"
        t.reason = (f"killed by signal {-t.exit_code}" if t.exit_code < 0
                    else f"exit code {t.exit_code}")
    word = "PASS" if t.status == "pass" else "FAIL"
    extra = f"  ({t.reason})" if t.reason else ""
    print(f"{word} {t.name} {t.seconds:.2f}s{extra}", flush=True)


def run_all(tests, jobs, build, log_dir):
    pending = list(tests)
    running = []
    try:
        while pending or running:
            while pending and len(running) < jobs:
                t = pending.pop(0)
                start(t, build, log_dir)
                running.append(t)
            time.sleep(POLL_S)
            now = time.monotonic()
            for t in list(running):
                if t.proc.poll() is not None:
                    finish(t, timed_out=False)
                    running.remove(t)
                elif now - t.start > t.timeout:
                    finish(t, timed_out=True)
                    running.remove(t)
    except KeyboardInterrupt:
        for t in running:
            kill_group(t, 0)
            t.logf.close()
            t.status, t.reason = "fail", "interrupted"
        raise


def xml_text(s):
    return _XML_BAD.sub("?", s)


def junit_bytes(tests, wall):
    failures = sum(t.status != "pass" for t in tests)
    suite = ET.Element("testsuite", name="kirchhoff", tests=str(len(tests)),
                       failures=str(failures), errors="0", skipped="0", time=f"{wall:.3f}")
    for t in tests:
        cls = "kirchhoff." + t.name.split("/")[0].split(".")[0]
        tc = ET.SubElement(suite, "testcase", name=t.name, classname=cls, time=f"{t.seconds:.3f}")
        if t.status != "pass":
            fl = ET.SubElement(tc, "failure", message=xml_text(t.reason), type="failure")
            fl.text = xml_text(log_tail(t.log_path))
        so = ET.SubElement(tc, "system-out")
        so.text = xml_text(f"command: {t.command}\nlog: {t.log_path}")
    root = ET.Element("testsuites", tests=str(len(tests)), failures=str(failures),
                      time=f"{wall:.3f}")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def json_text(tests, wall, args, selected_total):
    rep = {
        "registry": args.registry,
        "filter": args.filter or "",
        "jobs": args.jobs,
        "summary": {"total": len(tests), "passed": sum(t.status == "pass" for t in tests),
                    "failed": sum(t.status != "pass" for t in tests),
                    "registered": selected_total},
        "wall_s": round(wall, 3),
        "tests": [{"name": t.name, "status": t.status, "seconds": round(t.seconds, 3),
                   "reason": t.reason, "exit_code": t.exit_code, "timeout_s": t.timeout,
                   "command": t.command, "log": t.log_path} for t in tests],
    }
    return json.dumps(rep, indent=2) + "\n"


def write_reports(rep_dir, tests, wall, args, selected_total):
    """test.json and junit.xml together through temporaries (kirchhoff.atomic.write_many): a
    full disk or a failed write leaves both previous reports as they were. Returns an error
    message or None."""
    try:
        atomic.write_many({os.path.join(rep_dir, "test.json"):
                           json_text(tests, wall, args, selected_total),
                           os.path.join(rep_dir, "junit.xml"): junit_bytes(tests, wall)},
                          inputs=[args.registry])
    except (OSError, atomic.SameFileError) as e:
        return str(e)
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the Kirchhoff test registry (make test).")
    ap.add_argument("--registry", default="tests/registry.txt")
    ap.add_argument("--build", default="build")
    ap.add_argument("--filter", help="run only tests whose name contains one of these "
                    "comma-separated substrings")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="list the selected tests and exit")
    ap.add_argument("--report-dir", help="where test.json and junit.xml go (default BUILD/reports)")
    ap.add_argument("--make-target", default="test", choices=("test", "test-long"),
                    help="the make target named in each failure's rerun line (default test)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error(f"-j {args.jobs}: must be >= 1")
    try:
        tests = parse_registry(args.registry)
    except RegistryError as e:
        print(f"run_tests: {e}", file=sys.stderr, flush=True)
        print("0 passed, 0 failed")
        return 1
    chosen = select(tests, args.filter)
    if args.list:
        for t in chosen:
            print(f"{t.name} | {t.timeout:g} | {t.command}")
        return 0

    build = os.path.abspath(args.build)
    log_dir = os.path.join(build, "tests", "logs")
    rep_dir = os.path.abspath(args.report_dir) if args.report_dir else os.path.join(build, "reports")
    try:
        atomic.check_outputs([os.path.join(rep_dir, "test.json"),
                              os.path.join(rep_dir, "junit.xml")], [args.registry])
    except atomic.SameFileError as e:
        print(f"run_tests: --registry {args.registry}: {e}", file=sys.stderr, flush=True)
        print("0 passed, 0 failed")
        return 2
    os.makedirs(log_dir, exist_ok=True)
    os.makedirs(rep_dir, exist_ok=True)
    t0 = time.monotonic()
    if not chosen:
        why = (f"no test name contains any of '{args.filter}'" if args.filter
               else f"{args.registry} lists no tests")
        print(f"run_tests: no test ran: {why}")
    else:
        print(f"run_tests: {len(chosen)} of {len(tests)} tests, -j {args.jobs}, logs in "
              f"{show(log_dir)}", flush=True)
        try:
            run_all(chosen, args.jobs, build, log_dir)
        except KeyboardInterrupt:
            print("run_tests: interrupted; running tests killed", file=sys.stderr, flush=True)
            return 130
    wall = time.monotonic() - t0

    failed = [t for t in chosen if t.status != "pass"]
    for t in failed:
        print(f"\n---- FAIL {t.name}: {t.reason}; last {TAIL_LINES} lines of {t.log_path}:")
        print(log_tail(t.log_path))
        print(f"---- rerun: make {args.make_target} TEST={t.name}")
        print(f"       or:  (cd {ROOT} && bash -c {shlex.quote(t.command)})")
    werr = write_reports(rep_dir, chosen, wall, args, len(tests))
    passed = len(chosen) - len(failed)
    if werr:
        print(f"\nrun_tests: the reports could not be written ({werr}); the previous "
              f"{show(rep_dir)}/test.json and junit.xml are unchanged", file=sys.stderr, flush=True)
    else:
        print(f"\nreports: {show(rep_dir)}/test.json, junit.xml ({wall:.1f} s)")
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed or not chosen or werr else 0


if __name__ == "__main__":
    sys.exit(main())
