# SPDX-License-Identifier: Apache-2.0
"""Reports of a run folder (or of merged shards): regress.json, junit.xml, failures.txt and
summary.html written together (kirchhoff.atomic.write_many), the JUnit entry of one case, and the
closing lines and exit code of a run."""

from __future__ import annotations

import html
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

from kirchhoff import atomic

from . import EXIT_FAIL, EXIT_PASS, EXIT_SIGCHANGE, ROOT, rel
from .signatures import compare_sigs, load_sigs, sig_path

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def junit_case(res: dict) -> ET.Element:
    tc = ET.Element("testcase", name=res["name"], classname="regress." + res["test"],
                    time=f"{res['seconds']:.3f}")
    if res["status"] != "pass":
        fl = ET.SubElement(tc, "failure", message=_XML_BAD.sub("?", res["reason"]), type="failure")
        fl.text = _XML_BAD.sub("?", tail(res["log"]) + f"\nrerun: {res['rerun']}")
    so = ET.SubElement(tc, "system-out")
    so.text = _XML_BAD.sub("?", f"command: {res['command']}\nlog: {res['log']}\n"
                                f"signature: {res.get('sig')}")
    return tc


def tail(path: str, n: int = 30) -> str:
    try:
        with open(os.path.join(ROOT, path), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
    except OSError as e:
        return f"(cannot read {path}: {e.strerror})"


def summarize(out_dir: str, regression: str, cases: list[dict], results: list[dict], wall: float, run_dirs: list[str],
              shard_txt: str | None, check_sigs: bool, long_tests: dict | None = None) -> int:
    """Write regress.json, junit.xml, failures.txt, summary.html; print the closing lines;
    return the exit code. long_tests: runner.run_long_tests' result (in regress.json; a failed
    long test fails the run like a case)."""
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
        "long_tests": long_tests,
    }
    long_failed = long_tests["failures"] if long_tests else []
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
                        for r in failed + long_failed),
            html_path: html_text(html_path, rep, ordered)})
    except OSError as e:
        print(f"regress: the reports in {rel(out_dir)} could not be written ({e}); the previous "
              "ones are unchanged", file=sys.stderr)
        print(f"{passed} passed, {len(failed)} failed")
        return EXIT_FAIL

    for r in failed:
        print(f"FAIL {r['name']}: {r['reason']}\n  log:   {r['log']}" +
              (f"\n  waves: {r['waves']}" if r.get("waves") else "") + f"\n  rerun: {r['rerun']}")
    for r in long_failed:
        print(f"FAIL long test {r['name']}: {r['reason']}\n  log:   {r['log']}\n  rerun: {r['rerun']}")
    if long_tests:
        print(f"long tests: {long_tests['passed']} passed, {long_tests['failed']} failed "
              f"({long_tests['report']})")
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
    if failed or missing or long_failed:
        return EXIT_FAIL
    return EXIT_SIGCHANGE if changed else EXIT_PASS


def html_text(path: str, rep: dict, results: list[dict]) -> str:
    s = rep["summary"]
    e = html.escape
    rows = []
    for r in results:
        if r["status"] != "pass":
            log = os.path.relpath(os.path.join(ROOT, r["log"]), os.path.dirname(path))
            rows.append(f"<tr class=fail><td>{e(r['name'])}</td><td>{e(r['reason'])}</td>"
                        f"<td><a href='{e(log)}'>log</a></td>"
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
