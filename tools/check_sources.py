#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Citation check (make test: docs.sources): every source tag the repository cites is defined in
docs/sources.md, and nothing points at a file outside the repository.

  tools/check_sources.py [--root DIR] [--list]

Scans every text file of the repository (docs, README, configs, code and its comments; not build/,
.venv/, .git/, the signature data). Fails (exit 1), naming file and line, on:
- a parameter-row tag (F9, W6, A3-A5, F10/F12: letter F, P, R, W, A or E and a number; a range
  stands for every row in it) that is not a row of the tables in docs/sources.md;
- a bracketed reference ([C1], [W1]) that is not in its reference lists;
- a path or document outside the repository: an absolute /work/ path, ../shared, the shared
  folder's documents by name, or a relative Markdown link that leaves the repository.
--list prints the tags cited and where. Exit 0 clean, 1 findings, 2 usage or a missing sources.md.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join("docs", "sources.md")
SKIP_DIRS = {".git", ".venv", "build", "node_modules", "__pycache__"}
SKIP_FILES = {os.path.join("tests", "regressions", "signatures")}  # bit signatures: data
SKIP_EXT = (".lpf", ".pcf")  # FPGA pin constraints: site names like E2 are not citations
# this checker and its test hold the patterns and bad examples on purpose
SELF = (os.path.join("tools", "check_sources.py"), os.path.join("tests", "python", "test_check_sources.py"))
MAX_BYTES = 4 << 20

ROW = re.compile(r"(?<![A-Za-z0-9_])([FPRWAE])(\d{1,2})"
                 r"(?:\s*[-–]\s*([FPRWAE])(\d{1,2}))?(?![A-Za-z0-9_])")
REF = re.compile(r"\[([A-Z]\d{1,2})\]")
OUTSIDE = [
    (re.compile(r"/work/"), "an absolute /work/ path"),
    (re.compile(r"\.\./shared\b"), "a ../shared path"),
    (re.compile(r"\bshared folder\b"), "the shared folder"),
    (re.compile(r"\bANALOG-PARAMETERS\b"), "the shared ANALOG-PARAMETERS document (use docs/sources.md)"),
    (re.compile(r"\bTOOLING-NOTES\b"), "the shared TOOLING-NOTES document"),
    (re.compile(r"\bARCHITECTURE(\.md\b| section\b)"), "the shared ARCHITECTURE document"),
    (re.compile(r"\bSTYLE\.md\b"), "the shared STYLE document"),
]
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def text_files(root):
    for d, dirs, files in os.walk(root):
        rel_d = os.path.relpath(d, root)
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS
                         and os.path.normpath(os.path.join(rel_d, x)) not in SKIP_FILES)
        for f in sorted(files):
            rel = os.path.normpath(os.path.join(rel_d, f))
            if rel == SOURCES or rel in SELF or f in SKIP_DIRS or f.endswith(SKIP_EXT):
                continue
            p = os.path.join(root, rel)
            try:
                if os.path.getsize(p) > MAX_BYTES:
                    continue
                with open(p, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            if b"\0" in data:
                continue
            yield rel, data.decode("utf-8", "replace")


def defined_tags(root):
    """(row IDs, reference keys) of docs/sources.md."""
    path = os.path.join(root, SOURCES)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    rows, refs = set(), set()
    in_refs = False
    for ln in lines:
        if ln.startswith("## "):
            in_refs = ln.startswith("## References") or ln.startswith("## Design and coding guides")
            continue
        m = re.match(r"^\| ([A-Z]\d{1,2}) \|", ln)
        if m:
            rows.add(m.group(1))
        if in_refs:
            refs.update(re.findall(r"\[([A-Z]\d{1,2})\]", ln))
    return rows, refs


def rows_of(m):
    a, i = m.group(1), int(m.group(2))
    if m.group(3) is None:
        return [f"{a}{i}"]
    b, j = m.group(3), int(m.group(4))
    if a != b or j < i or j - i > 20:
        return [f"{a}{i}", f"{b}{j}"]
    return [f"{a}{k}" for k in range(i, j + 1)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    try:
        rows, refs = defined_tags(a.root)
    except OSError as e:
        print(f"check_sources: {SOURCES}: cannot read: {e.strerror}", file=sys.stderr)
        return 2
    if not rows or not refs:
        print(f"check_sources: {SOURCES}: no parameter rows or no references found", file=sys.stderr)
        return 2
    root_abs = os.path.realpath(a.root)
    findings, cited_rows, cited_refs, files = [], {}, {}, 0
    for rel, text in text_files(a.root):
        files += 1
        for no, line in enumerate(text.splitlines(), 1):
            where = f"{rel}:{no}"
            for m in ROW.finditer(line):
                for t in rows_of(m):
                    cited_rows.setdefault(t, []).append(where)
                    if t not in rows:
                        findings.append(f"{where}: row {t} is not in {SOURCES}: {line.strip()[:120]}")
            for m in REF.finditer(line):
                t = m.group(1)
                cited_refs.setdefault(t, []).append(where)
                if t not in refs:
                    findings.append(f"{where}: reference [{t}] is not in {SOURCES}: {line.strip()[:120]}")
            for rx, what in OUTSIDE:
                if rx.search(line):
                    findings.append(f"{where}: cites {what}: {line.strip()[:120]}")
            if rel.endswith(".md"):
                for m in MD_LINK.finditer(line):
                    tgt = m.group(1).split("#", 1)[0]
                    if not tgt or re.match(r"^[a-z][a-z0-9+.-]*:", tgt):
                        continue  # an anchor or a URL
                    dest = os.path.realpath(os.path.join(a.root, os.path.dirname(rel), tgt))
                    if not (dest == root_abs or dest.startswith(root_abs + os.sep)):
                        findings.append(f"{where}: link '{m.group(1)}' leaves the repository")
    if a.list:
        for t in sorted(cited_rows, key=lambda x: (x[0], int(x[1:]))):
            print(f"row {t}: {len(cited_rows[t])} citations, first {cited_rows[t][0]}")
        for t in sorted(cited_refs):
            print(f"reference [{t}]: {len(cited_refs[t])} citations, first {cited_refs[t][0]}")
    for f in findings:
        print(f"FAIL {f}")
    print(f"check_sources: {files} files, {len(cited_rows)} distinct rows and {len(cited_refs)} "
          f"references cited ({len(rows)} rows, {len(refs)} references defined in {SOURCES}); "
          f"{len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
