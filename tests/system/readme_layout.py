#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The README's layout section matches the repository, so that it cannot drift.

    tests/system/readme_layout.py [ROOT]

Checks the fenced block under `## Layout` in README.md: every top-level folder the repository
tracks (git ls-files; build/ is output) has an entry `name/` at the start of a line, every entry
names a folder that exists, every config configs/*.cfg is named in the configs/ entry, and every
sub-folder of rtl/ and tests/ is named in its entry. Prints each mismatch. Exit 0 pass, 1 drift,
2 when README.md or its layout section is missing.
"""
import os
import re
import subprocess
import sys


def entries(block):
    """{folder: text of its entry (its line and the indented lines under it)}."""
    out, cur = {}, None
    for line in block.splitlines():
        m = re.match(r"([A-Za-z0-9_.-]+)/\s", line + " ")
        if m and not line.startswith(" "):
            cur = m.group(1)
            out[cur] = line[m.end():]
        elif cur and line.startswith(" "):
            out[cur] += " " + line.strip()
    return out


def main(argv):
    root = argv[0] if argv else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "README.md")
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        print(f"readme_layout: {path}: {e.strerror}", file=sys.stderr)
        return 2
    m = re.search(r"^## Layout\s*\n+```[^\n]*\n(.*?)^```", text, re.M | re.S)
    if not m:
        print(f"readme_layout: {path}: no '## Layout' section with a fenced block", file=sys.stderr)
        return 2
    listed = entries(m.group(1))
    try:
        files = subprocess.run(["git", "-C", root, "ls-files"], check=True, capture_output=True,
                               text=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"readme_layout: git ls-files failed: {e}", file=sys.stderr)
        return 2
    tops = sorted({f.split("/", 1)[0] for f in files if "/" in f and not f.startswith(".")} - {"build"})
    errs = []
    for d in tops:
        if d not in listed:
            errs.append(f"folder {d}/ is not in the README layout")
    for d in listed:
        if not os.path.isdir(os.path.join(root, d)):
            errs.append(f"README layout lists {d}/, which does not exist")

    def words(s):
        return set(re.findall(r"[A-Za-z0-9_.-]+", s))

    cfgs = sorted(f[len("configs/"):-4] for f in files if re.fullmatch(r"configs/[^/]+\.cfg", f))
    for c in cfgs:
        if c not in words(listed.get("configs", "")):
            errs.append(f"config {c} (configs/{c}.cfg) is not named in the README layout's configs/ entry")
    for d in ("rtl", "tests"):
        subs = sorted({f.split("/")[1] for f in files if f.startswith(d + "/") and f.count("/") >= 2})
        for s in subs:
            if s + "/" not in listed.get(d, "") and s not in words(listed.get(d, "")):
                errs.append(f"{d}/{s}/ is not named in the README layout's {d}/ entry")
    for e in errs:
        print(f"readme_layout: {e}")
    if errs:
        print(f"readme_layout: FAIL ({len(errs)} mismatches; edit the Layout section of README.md)")
        return 1
    print(f"readme_layout: PASS ({len(tops)} folders, {len(cfgs)} configs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
