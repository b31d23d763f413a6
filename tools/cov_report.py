#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The figures of make cov: reads the merged Verilator coverage file, keeps the points of rtl/,
applies the reviewed exclusions (tests/cov/exclusions.txt) and writes cov.json.

    tools/cov_report.py --merged M.dat --line-dat L.dat --out cov.json --exclusions FILE
                        [--test-json test.json] [--tests N] [--configs "a b"] [--list-unhit N]

Points of rtl/ outside the simulation-only checkers (rtl/bind, rtl/prim), each merged over the
instances of a module and over the configs of the run:
  line    one source line or branch (v_line / v_branch);
  toggle  one bit of one signal (v_toggle), key (file, line, signal bit);
  cover   one cover point of the assertion layer's COVER (v_user), key its name.

Exclusions apply only to points nobody hit: a listed bit that some test toggles counts as hit
(the rule is then reported as matching hit points, a sign it is stale). The toggle and cover
figures leave the excluded points out of the total; cov.json also carries the raw figure and,
per rule, how many points it removed, so nothing is dropped silently.

Exclusion lines (`#` comments; fields separated by ' | ', so a regex may use '|' without spaces):
  toggle | <file glob> | <signal regex> | <reason>
                                 cover  | <point name regex> | <reason>
The signal regex is matched whole against the bit's name as Verilator writes it (for example
`instr_rdata_i[63]`, `lc_q[2][15]`). Exit 0, or 2 on a malformed exclusion line or unreadable input.
"""

import argparse
import fnmatch
import json
import os
import re
import sys

# Simulation-only checkers (rtl/dv.f): their cover points count, their lines and bits do not.
DV_DIRS = ("rtl/bind/", "rtl/prim/")
C_RE = re.compile(r"C '(.*)' (\d+)\s*$")


class ExclusionError(Exception):
    pass


def parse_exclusions(path):
    rules = []
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise ExclusionError(f"{path}: cannot read: {e.strerror}") from None
    for n, raw in enumerate(lines, 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        f = [x.strip() for x in raw.split(" | ")]  # a regex may hold '|', never ' | '
        f[0] = f[0].strip()
        kind = f[0]
        if kind == "toggle" and len(f) == 4 and all(f):
            pat = f[2]
            try:
                rx = re.compile(pat)
            except re.error as e:
                raise ExclusionError(f"{path}:{n}: bad signal regex '{pat}': {e}") from None
            rules.append({"line": n, "kind": kind, "file": f[1], "signal": pat, "rx": rx,
                          "reason": f[3]})
        elif kind == "cover" and len(f) == 3 and all(f):
            try:
                rx = re.compile(f[1])
            except re.error as e:
                raise ExclusionError(f"{path}:{n}: bad cover name regex '{f[1]}': {e}") from None
            rules.append({"line": n, "kind": kind, "name": f[1], "rx": rx, "reason": f[2]})
        else:
            raise ExclusionError(f"{path}:{n}: expected 'toggle | file glob | signal regex | reason' "
                                 f"or 'cover | name regex | reason', got: {raw.strip()}")
    return rules


def read_points(merged, root):
    hdr, line_lines = [], []
    pts = {"line": {}, "toggle": {}, "cover": {}}
    with open(merged, encoding="latin-1") as fh:
        for raw in fh:
            m = C_RE.match(raw)
            if not m:
                hdr.append(raw)
                continue
            kv = dict(f.split("\x02", 1) for f in m.group(1).split("\x01") if "\x02" in f)
            count = int(m.group(2))
            path = kv.get("f", "")
            rel = os.path.relpath(os.path.abspath(path), root) if path else ""
            if not rel.startswith("rtl/"):
                continue
            page = kv.get("page", "")
            if rel.startswith(DV_DIRS) and not page.startswith("v_user"):
                continue  # the checkers' own signals and lines are not design coverage
            if page.startswith("v_toggle"):
                kind, key = "toggle", (rel, kv.get("l"), kv.get("o"))
            elif page.startswith(("v_line", "v_branch")):
                kind, key = "line", (rel, kv.get("l"))
                line_lines.append(raw)
            elif page.startswith("v_user"):
                # The point's name: Verilator puts the property's label in the comment ("o").
                name = kv.get("o", "")
                name = name.split(".")[-1] if name else f"{rel}:{kv.get('l')}"
                kind, key = "cover", (name,)
            else:
                continue
            pts[kind][key] = pts[kind].get(key, 0) + count
    return hdr, line_lines, pts


def fig(hit, total):
    return {"hit": hit, "total": total, "percent": round(100.0 * hit / total, 2) if total else None}


def apply(pts, rules):
    """Figures with the exclusions applied to unhit points, and the per-rule accounting."""
    acct = []
    out = {}
    for kind in ("toggle", "cover"):
        d = pts[kind]
        kr = [r for r in rules if r["kind"] == kind]
        excluded = set()
        for r in kr:
            matched_unhit = matched_hit = 0
            for key, cnt in d.items():
                if kind == "toggle":
                    ok = fnmatch.fnmatch(key[0], r["file"]) and r["rx"].fullmatch(key[2] or "")
                else:
                    ok = r["rx"].fullmatch(key[0])
                if not ok:
                    continue
                if cnt > 0:
                    matched_hit += 1
                else:
                    matched_unhit += 1
                    excluded.add(key)
            e = {"line": r["line"], "kind": kind, "reason": r["reason"],
                 "excluded": matched_unhit, "matched_hit": matched_hit}
            if kind == "toggle":
                e.update(file=r["file"], signal=r["signal"])
            else:
                e.update(name=r["name"])
            acct.append(e)
        hit = sum(1 for v in d.values() if v > 0)
        out[kind] = {**fig(hit, len(d) - len(excluded)), "excluded": len(excluded),
                     "raw": fig(hit, len(d))}
        out[kind + "_unhit"] = sorted(k for k, v in d.items() if v == 0 and k not in excluded)
    return out, acct


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merged", required=True)
    ap.add_argument("--line-dat", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--exclusions", required=True)
    ap.add_argument("--test-json")
    ap.add_argument("--tests", type=int, default=0)
    ap.add_argument("--configs", default="")
    ap.add_argument("--list-unhit", type=int, default=40, help="unhit toggle signals to print")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        rules = parse_exclusions(a.exclusions)
        hdr, line_lines, pts = read_points(a.merged, root)
    except (ExclusionError, OSError) as e:
        print(f"cov: {e}", file=sys.stderr)
        return 2
    with open(a.line_dat, "w", encoding="latin-1") as fh:
        fh.writelines(hdr + line_lines)

    figs, acct = apply(pts, rules)
    line_hit = sum(1 for v in pts["line"].values() if v > 0)
    files = {}
    for kind in ("line", "toggle"):
        for key, cnt in pts[kind].items():
            f = files.setdefault(key[0], {"line": [0, 0], "toggle": [0, 0]})
            f[kind][1] += 1
            f[kind][0] += cnt > 0
    unhit_sig = {}
    for rel, _l, o in figs["toggle_unhit"]:
        sig = re.sub(r"(\[\d+\])+$", "", o or "")
        unhit_sig[(rel, sig)] = unhit_sig.get((rel, sig), 0) + 1
    rep = {
        "scope": "rtl/", "tests": a.tests, "configs": a.configs.split(),
        "line": fig(line_hit, len(pts["line"])),
        "toggle": figs["toggle"],
        "cover": {**figs["cover"],
                  "points": {k[0]: v for k, v in sorted(pts["cover"].items())},
                  "unhit": [k[0] for k in figs["cover_unhit"]]},
        "exclusions": {"file": os.path.relpath(os.path.abspath(a.exclusions), root),
                       "toggle_excluded": figs["toggle"]["excluded"],
                       "cover_excluded": figs["cover"]["excluded"], "rules": acct},
        "toggle_unhit_signals": [{"file": k[0], "signal": k[1], "bits": v}
                                 for k, v in sorted(unhit_sig.items(), key=lambda kv: -kv[1])],
        "files": {k: {"line": fig(*v["line"])["percent"], "toggle": fig(*v["toggle"])["percent"]}
                  for k, v in sorted(files.items())},
        "html": "cov/html/index.html",
    }
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(rep, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, a.out)
    if a.test_json and os.path.exists(a.test_json):
        with open(a.test_json, encoding="utf-8") as fh:
            t = json.load(fh)
        t["coverage"] = {"report": "cov.json", "line_percent": rep["line"]["percent"],
                         "toggle_percent": rep["toggle"]["percent"],
                         "cover_hit": rep["cover"]["hit"], "cover_total": rep["cover"]["total"]}
        tmp = a.test_json + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(t, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, a.test_json)

    tg, cv, ln = rep["toggle"], rep["cover"], rep["line"]
    print(f"cov: rtl/ line {ln['percent']}% ({ln['hit']}/{ln['total']}), "
          f"toggle {tg['percent']}% ({tg['hit']}/{tg['total']}; {tg['excluded']} excluded bits, "
          f"raw {tg['raw']['percent']}% of {tg['raw']['total']}), "
          f"cover points {cv['hit']}/{cv['total']} ({cv['excluded']} excluded)")
    for k, v in rep["files"].items():
        print(f"  {k:36s} line {v['line'] if v['line'] is not None else '-':>6}%  "
              f"toggle {v['toggle'] if v['toggle'] is not None else '-':>6}%")
    if rep["cover"]["unhit"]:
        print("cov: cover points never hit (and not excluded): " + " ".join(rep["cover"]["unhit"]))
    if rep["toggle_unhit_signals"] and a.list_unhit > 0:
        print(f"cov: signals with the most untoggled bits (first {a.list_unhit}; all in cov.json):")
        for s in rep["toggle_unhit_signals"][:a.list_unhit]:
            print(f"  {s['bits']:5d}  {s['file']}  {s['signal']}")
    for r in acct:
        if r["matched_hit"] and not r["excluded"]:
            print(f"cov: exclusion line {r['line']} matches only hit points (stale?)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
