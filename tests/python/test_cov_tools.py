#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of make cov's figures and floor: tools/cov_report.py (points of rtl/ by kind, the reviewed
exclusions applied to unhit points only and counted apart, cover points) and tools/cov_check.py
(the floor on toggle, line and cover points), on small coverage files written here in Verilator's
format. The expected figures are counted by hand from the points each test writes.

  .venv/bin/python tests/python/test_cov_tools.py      (PASS/FAIL lines; exit 1 on failure)
  pytest tests/python/test_cov_tools.py
"""

import json
import os
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = os.path.join(ROOT, "tools", "cov_report.py")
CHECK = os.path.join(ROOT, "tools", "cov_check.py")


def point(path, line, page, obj, count):
    kv = {"f": os.path.join(ROOT, path), "l": str(line), "page": page, "o": obj}
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in kv.items()) + f"' {count}\n"


def points():
    """10 toggle bits of rtl/ (6 hit, 4 not: 2 of them constant bits an exclusion names),
    4 lines (3 hit), 3 cover points (1 hit, 1 excluded, 1 not), and points outside the scope."""
    p = []
    for b in range(6):
        p.append(point("rtl/a.sv", 10, "v_toggle/a", f"data_q[{b}]", 2 + b))
    p.append(point("rtl/a.sv", 10, "v_toggle/a", "data_q[6]", 0))
    p.append(point("rtl/a.sv", 10, "v_toggle/a", "data_q[7]", 0))
    p.append(point("rtl/b.sv", 5, "v_toggle/b", "tied_i[0]", 0))
    p.append(point("rtl/b.sv", 5, "v_toggle/b", "tied_i[1]", 0))
    p.append(point("rtl/b.sv", 6, "v_toggle/b", "live_i", 1))   # matched by a rule, but hit
    for ln, c in ((1, 1), (2, 4), (3, 0), (4, 9)):
        p.append(point("rtl/a.sv", ln, "v_line/a", "block", c))
    p.append(point("rtl/bind/aimc_cover.sv", 20, "v_user/aimc_cover", "DecNop_C", 5))
    p.append(point("rtl/bind/aimc_cover.sv", 21, "v_user/aimc_cover", "CfgAdcSar_C", 0))
    p.append(point("rtl/bind/aimc_cover.sv", 22, "v_user/aimc_cover", "DecJump_C", 0))
    # outside rtl/ or in the checkers: not counted
    p.append(point("tb/verilator/x.sv", 1, "v_toggle/x", "q[0]", 0))
    p.append(point("rtl/bind/aimc_cover.sv", 30, "v_toggle/aimc_cover", "dec_q", 0))
    p.append(point("rtl/bind/aimc_cover.sv", 31, "v_line/aimc_cover", "block", 0))
    return p


EXCL = """# test exclusions
toggle | rtl/b.sv | tied_i\\[\\d+\\] | tied off at the top in this config
toggle | rtl/b.sv | live_i | (stale rule: the bit toggles)
cover | CfgAdcSar_C | no SAR config in this run
"""


def run_report(tmp, pts=None, excl=EXCL):
    dat = os.path.join(tmp, "merged.dat")
    with open(dat, "w", encoding="latin-1") as fh:
        fh.write("# SystemC::Coverage-3\n")
        fh.writelines(points() if pts is None else pts)
    ex = os.path.join(tmp, "excl.txt")
    with open(ex, "w", encoding="utf-8") as fh:
        fh.write(excl)
    out = os.path.join(tmp, "cov.json")
    r = subprocess.run([sys.executable, REPORT, "--merged", dat, "--line-dat", os.path.join(tmp, "line.dat"),
                        "--out", out, "--exclusions", ex, "--tests", "3", "--configs", "tiny small"],
                       capture_output=True, text=True, cwd=ROOT)
    return r, out


def run_check(report, *args):
    return subprocess.run([sys.executable, CHECK, "--report", report, *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_report_figures():
    with tempfile.TemporaryDirectory() as tmp:
        r, out = run_report(tmp)
        assert r.returncode == 0, r.stderr
        rep = json.load(open(out, encoding="utf-8"))
        # toggle: 11 bits, 7 hit (6 data_q + live_i), 2 excluded (tied_i) -> 7 / 9
        assert rep["toggle"]["hit"] == 7 and rep["toggle"]["total"] == 9, rep["toggle"]
        assert rep["toggle"]["excluded"] == 2
        assert rep["toggle"]["raw"] == {"hit": 7, "total": 11, "percent": round(700 / 11, 2)}
        assert rep["toggle"]["percent"] == round(700 / 9, 2)
        assert rep["line"] == {"hit": 3, "total": 4, "percent": 75.0}
        assert rep["cover"]["hit"] == 1 and rep["cover"]["total"] == 2 and rep["cover"]["excluded"] == 1
        assert rep["cover"]["unhit"] == ["DecJump_C"]
        rules = {r["line"]: r for r in rep["exclusions"]["rules"]}
        assert rules[2]["excluded"] == 2 and rules[2]["matched_hit"] == 0
        assert rules[3]["excluded"] == 0 and rules[3]["matched_hit"] == 1
        assert rules[4]["excluded"] == 1
        sigs = {(s["file"], s["signal"]): s["bits"] for s in rep["toggle_unhit_signals"]}
        assert sigs == {("rtl/a.sv", "data_q"): 2}, sigs
        assert "stale" in r.stdout


def test_bad_exclusion_line():
    with tempfile.TemporaryDirectory() as tmp:
        r, _ = run_report(tmp, excl="toggle | rtl/b.sv | tied_i\n")
        assert r.returncode == 2 and "excl.txt:1" in r.stderr, (r.returncode, r.stderr)
        r, _ = run_report(tmp, excl="toggle | rtl/b.sv | tied_i[ | reason\n")
        assert r.returncode == 2 and "bad signal regex" in r.stderr, r.stderr


def test_check_floors():
    with tempfile.TemporaryDirectory() as tmp:
        r, out = run_report(tmp)
        assert r.returncode == 0, r.stderr
        # 77.78 % toggle, 75 % line, one unhit cover point (DecJump_C): fails on the cover point
        c = run_check(out, "--toggle-floor", "70", "--line-floor", "70")
        assert c.returncode == 1 and "DecJump_C" in c.stdout, c.stdout
        # with that point excluded every floor holds
        r, out = run_report(tmp, excl=EXCL + "cover | DecJump_C | not reachable in this test\n")
        c = run_check(out, "--toggle-floor", "70", "--line-floor", "70")
        assert c.returncode == 0, c.stdout
        c = run_check(out, "--toggle-floor", "77.78", "--line-floor", "75")
        assert c.returncode == 0, c.stdout
        c = run_check(out, "--toggle-floor", "90", "--line-floor", "70")
        assert c.returncode == 1 and "toggle coverage 77.78% (7/9) is below the floor 90.0%" in c.stdout, c.stdout
        c = run_check(out, "--toggle-floor", "70", "--line-floor", "76")
        assert c.returncode == 1 and "line coverage 75.0%" in c.stdout, c.stdout
        c = run_check(out, "--toggle-floor", "70", "--line-floor", "70", "--configs", "tiny small sar")
        assert c.returncode == 1 and "left out configs sar" in c.stdout, c.stdout
        c = run_check(out, "--toggle-floor", "70", "--line-floor", "70", "--configs", "small tiny")
        assert c.returncode == 0, c.stdout


def test_check_bad_report():
    with tempfile.TemporaryDirectory() as tmp:
        c = run_check(os.path.join(tmp, "none.json"))
        assert c.returncode == 2 and "cannot read" in c.stderr, c.stderr
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w", encoding="utf-8") as fh:
            json.dump({"line": {"hit": 1, "total": 1, "percent": 100.0}}, fh)
        c = run_check(bad)
        assert c.returncode == 2 and "toggle" in c.stderr, c.stderr
        # a report with no cover point at all (model built without --coverage-user) fails
        r, out = run_report(tmp, pts=[p for p in points() if "v_user" not in p])
        c = run_check(out, "--toggle-floor", "0", "--line-floor", "0")
        assert c.returncode == 1 and "no cover point" in c.stdout, c.stdout


def main():
    fails = 0
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            try:
                fn()
                print(f"PASS {name}")
            except Exception:
                fails += 1
                print(f"FAIL {name}")
                traceback.print_exc()
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
