#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of tools/run_tests.py (the `make test` runner) on tiny registries in a temp directory:
pass, fail, timeout (whole process group killed), malformed lines, filters, parallelism, the
reports (test.json, JUnit XML) and the final summary line.

  .venv/bin/python -m pytest tests/python/test_run_tests.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

RUNNER = os.path.join(ROOT, "tools", "run_tests.py")
TMP = tempfile.mkdtemp(prefix="kh_test_runner_")



def run(registry_text, *extra, tag="r"):
    """Write a registry, run the runner on it; return (exit code, stdout, build dir)."""
    d = os.path.join(TMP, tag)
    os.makedirs(d, exist_ok=True)
    reg = os.path.join(d, "registry.txt")
    with open(reg, "w") as f:
        f.write(registry_text)
    build = os.path.join(d, "build")
    p = subprocess.run([sys.executable, RUNNER, "--registry", reg, "--build", build, *extra],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    return p.returncode, p.stdout, build


def last_line(out):
    return out.rstrip("\n").splitlines()[-1]


def test_pass_fail_and_timeout_statuses_summary_line_exit_code_reports():
    """pass, fail and timeout: statuses, summary line, exit code, reports, logs"""
    pidfile = os.path.join(TMP, "child.pid")
    reg = (
        "# comment line\n\n"
        "good | 20 | echo hello-from-good; test -f tools/run_tests.py\n"
        "bad | 20 | for i in $(seq 1 50); do echo line$i; done; exit 3\n"
        f"hang | 1 | (sleep 60 & echo $! > {pidfile}; wait) ; echo never\n"
        "piped | 20 | echo 'a|b' | grep -c 'a|b'\n"
    )
    rc, out, build = run(reg, "-j", "2", tag="mix")
    assert rc == 1, f"exit code {rc}"
    assert last_line(out) == "2 passed, 2 failed", f"last line: {last_line(out)!r}"
    for word, name in (("PASS", "good"), ("FAIL", "bad"), ("FAIL", "hang"), ("PASS", "piped")):
        assert any(ln.startswith(f"{word} {name} ") for ln in out.splitlines()), f"{word} {name}"
    assert "make test TEST=bad" in out and "make test TEST=hang" in out
    assert "line50" in out and "line20" not in out, "failure tail must be the last 30 lines"
    assert "timeout" in out
    with open(os.path.join(build, "tests", "logs", "good.log")) as f:
        assert "hello-from-good" in f.read()
    rep = json.load(open(os.path.join(build, "reports", "test.json")))
    assert rep["summary"]["passed"] == 2 and rep["summary"]["failed"] == 2
    st = {t["name"]: t for t in rep["tests"]}
    assert st["good"]["status"] == "pass" and st["bad"]["status"] == "fail"
    assert st["bad"]["exit_code"] == 3 and "timeout" in st["hang"]["reason"]
    assert 0.9 < st["hang"]["seconds"] < 5, st["hang"]["seconds"]
    for t in rep["tests"]:
        assert {"name", "status", "seconds", "command", "log"} <= set(t)
        assert os.path.isfile(t["log"])
    # the timed-out test's background child must be gone (killed with its process group)
    pid = int(open(pidfile).read())
    time.sleep(0.2)
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        assert state in ("Z", "X"), f"child {pid} of the timed-out test still runs ({state})"
    except FileNotFoundError:
        pass
    root = ET.parse(os.path.join(build, "reports", "junit.xml")).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite.get("tests") == "4" and suite.get("failures") == "2"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"good", "bad", "hang", "piped"}
    assert cases["good"].find("failure") is None
    fl = cases["bad"].find("failure")
    assert fl is not None and "exit code 3" in fl.get("message") and "line50" in fl.text
    for c in cases.values():
        float(c.get("time"))


def test_malformed_registry_lines_are_rejected_with_their_line_number():
    """malformed registry lines are rejected with their line number"""
    cases = [
        ("ok | 5 | true\nno pipes here\n", ":2:", "expected"),
        ("ok | 5 | true\n\n# c\nx | soon | true\n", ":4:", "timeout"),
        ("a | 5 | true\na | 5 | true\n", ":2:", "already defined on line 1"),
        ("a | 0 | true\n", ":1:", "> 0"),
        ("a | 5 |   \n", ":1:", "empty command"),
        ("bad name | 5 | true\n", ":1:", "bad test name"),
    ]
    for i, (text, where, words) in enumerate(cases):
        rc, out, _ = run(text, tag=f"mal{i}")
        assert rc == 1, f"case {i}: exit {rc}"
        assert where in out and words in out, f"case {i}: {out!r}"
        assert last_line(out) == "0 passed, 0 failed"


def test_filter_comma_separated_substrings_and_no_test_ran():
    """--filter (comma-separated substrings) and 'no test ran'"""
    reg = "alpha.one | 5 | true\nbeta.two | 5 | true\ngamma | 5 | false\n"
    rc, out, build = run(reg, "--filter", "alpha,two", tag="filt")
    assert rc == 0 and last_line(out) == "2 passed, 0 failed", out
    names = [t["name"] for t in json.load(open(os.path.join(build, "reports", "test.json")))
             ["tests"]]
    assert names == ["alpha.one", "beta.two"], names
    rc, out, _ = run(reg, "--filter", "zeta", tag="none")
    assert rc == 1 and "no test ran" in out and last_line(out) == "0 passed, 0 failed", out
    rc, out, _ = run("# nothing\n", tag="empty")
    assert rc == 1 and "no test ran" in out, out


def test_j_2_runs_tests_in_parallel_j_1_serially():
    """-j 2 runs tests in parallel; -j 1 serially"""
    reg = "s1 | 10 | sleep 1\ns2 | 10 | sleep 1\n"
    t0 = time.monotonic()
    rc, out, _ = run(reg, "-j", "2", tag="par")
    par = time.monotonic() - t0
    assert rc == 0, out
    t0 = time.monotonic()
    rc, out, _ = run(reg, "-j", "1", tag="ser")
    ser = time.monotonic() - t0
    assert rc == 0, out
    assert par < 1.8 and ser > 2.0, f"parallel {par:.2f} s, serial {ser:.2f} s"


def test_junit_stays_valid_xml_with_control_characters_in_the_log():
    """junit stays valid XML with control characters in the log"""
    rc, out, build = run("ctl | 5 | printf 'a\\001b\\033[31mred\\n'; exit 1\n", tag="ctl")
    assert rc == 1
    root = ET.parse(os.path.join(build, "reports", "junit.xml")).getroot()
    assert "red" in root.find("testsuite").find("testcase").find("failure").text




def test_report_dir_and_make_target_of_the_long_tests():
    """--report-dir puts test.json and junit.xml there (the default folder untouched);
    --make-target test-long names make test-long in the rerun line; other targets are refused"""
    d = os.path.join(TMP, "longrep")
    rc, out, build = run("ok | 5 | true\nno | 5 | exit 4\n", "--report-dir", d,
                         "--make-target", "test-long", tag="long")
    assert rc == 1, out
    assert "rerun: make test-long TEST=no" in out and "make test TEST=" not in out, out
    rep = json.load(open(os.path.join(d, "test.json")))
    assert rep["summary"]["passed"] == 1 and rep["summary"]["failed"] == 1, rep["summary"]
    assert os.path.isfile(os.path.join(d, "junit.xml"))
    assert not os.path.exists(os.path.join(build, "reports", "test.json")), "default report written"
    rc, out, _ = run("ok | 5 | true\n", "--make-target", "sim", tag="long2")
    assert rc == 2 and "invalid choice" in out, (rc, out)
