#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The coverage floor (issue 19, item 7): reads the cov.json that make cov wrote and fails when
toggle or line coverage of rtl/ is below its floor or a cover point was never hit without a
reason in tests/cov/exclusions.txt (cov.json's cover.unhit lists exactly those).

    tools/cov_check.py --report build/reports/cov.json [--toggle-floor 90] [--line-floor 95]
                       [--configs "tiny small ..."]

--configs: the configs the floor is defined on; a report of a run over fewer configs (a partial
tools/cov.sh run) is refused, since its figures are not the ones the floor speaks of.
Exit 0 at or above every floor, 1 below one (each shortfall named), 2 on a missing or malformed
report or bad arguments.
"""

import argparse
import json
import sys


def check(rep, toggle_floor, line_floor, configs):
    """The shortfalls of report `rep` (a list of messages; empty when every floor holds)."""
    fails = []
    missing = [c for c in configs if c not in rep.get("configs", [])]
    if missing:
        fails.append(f"the run left out configs {' '.join(missing)} (ran: {' '.join(rep.get('configs', []))})")
    for kind, floor in (("toggle", toggle_floor), ("line", line_floor)):
        f = rep[kind]
        pct = f["percent"]
        if pct is None or pct < floor:
            fails.append(f"{kind} coverage {pct}% ({f['hit']}/{f['total']}) is below the floor {floor}%")
    cv = rep["cover"]
    if cv["total"] == 0:
        fails.append("no cover point in the report (model built without --coverage-user?)")
    if cv["unhit"]:
        fails.append(f"{len(cv['unhit'])} cover point(s) never hit and not excluded: {' '.join(cv['unhit'])}")
    return fails


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", required=True)
    ap.add_argument("--toggle-floor", type=float, default=90.0)
    ap.add_argument("--line-floor", type=float, default=95.0)
    ap.add_argument("--configs", default="")
    a = ap.parse_args()
    try:
        with open(a.report, encoding="utf-8") as fh:
            rep = json.load(fh)
        for k in ("toggle", "line"):
            if not isinstance(rep.get(k), dict) or not {"hit", "total", "percent"} <= rep[k].keys():
                raise ValueError(f"no '{k}' figure with hit, total, percent")
        if not isinstance(rep.get("cover"), dict) or not {"total", "unhit"} <= rep["cover"].keys():
            raise ValueError("no 'cover' figure with total and unhit")
    except OSError as e:
        print(f"cov-check: {a.report}: cannot read: {e.strerror} (make cov writes it)", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"cov-check: {a.report}: not a make cov report: {e}", file=sys.stderr)
        return 2
    fails = check(rep, a.toggle_floor, a.line_floor, a.configs.split())
    t, ln, cv = rep["toggle"], rep["line"], rep["cover"]
    print(f"cov-check: toggle {t['percent']}% ({t['hit']}/{t['total']}, {t.get('excluded', 0)} bits "
          f"excluded) floor {a.toggle_floor}%; line {ln['percent']}% floor {a.line_floor}%; "
          f"cover points {cv.get('hit')}/{cv['total']} ({cv.get('excluded', 0)} excluded)")
    for f in fails:
        print(f"cov-check: FAIL: {f}")
    if fails:
        print(f"cov-check: rerun: make cov (report {a.report})")
        return 1
    print("cov-check: pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
