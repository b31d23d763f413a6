#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tools/check_sources.py catches what it must: a tree with the real docs/sources.md and files that
cite an unknown row (F99), a row range reaching past the table (A12-A15), an unknown bracketed
reference ([Q7]), an absolute /work/ path, the shared ANALOG-PARAMETERS document by name and a
Markdown link leaving the repository fails with one finding each; the same tree with only good
citations passes. PASS/FAIL lines; exit 1 on failure."""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CHECK = os.path.join(ROOT, "tools", "check_sources.py")


def run(root):
    p = subprocess.run([sys.executable, CHECK, "--root", root], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout + p.stderr


def _main():
    fail = 0
    tmp = tempfile.mkdtemp(prefix="kh_check_sources_")
    try:
        os.makedirs(os.path.join(tmp, "docs"))
        shutil.copy(os.path.join(ROOT, "docs", "sources.md"), os.path.join(tmp, "docs", "sources.md"))
        good = os.path.join(tmp, "docs", "good.md")
        with open(good, "w") as f:
            f.write("Read noise (F12), wires W1-W6, ADC A3-A5 and [C1]; see [sources](sources.md).\n")
        rc, out = run(tmp)
        ok = rc == 0 and "0 findings" in out
        print(("PASS" if ok else "FAIL") + f" good citations pass (exit {rc})")
        fail += not ok
        bad = {
            "docs/bad_row.md": ("Program error (F99).\n", "row F99"),
            "docs/bad_range.md": ("ADC energy A12-A15.\n", "row A14"),
            "src/bad_ref.c": ("/* from [Q7] */\n", "reference [Q7]"),
            "configs/bad_path.cfg": ("# see /work/shared/notes.md\n", "/work/"),
            "docs/bad_doc.md": ("Rows of ANALOG-PARAMETERS.md.\n", "ANALOG-PARAMETERS"),
            "docs/bad_link.md": ("[x](../../outside.md)\n", "leaves the repository"),
        }
        for rel, (text, want) in bad.items():
            p = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
            rc, out = run(tmp)
            ok = rc == 1 and any(rel in ln and want in ln for ln in out.splitlines())
            print(("PASS" if ok else "FAIL") + f" {rel} is found ({want}; exit {rc})")
            if not ok:
                print("  " + out.replace("\n", "\n  "))
            fail += not ok
            os.unlink(p)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"test_check_sources: {'FAIL' if fail else 'PASS'}")
    return 1 if fail else 0


def test_check_sources():
    """tools/check_sources.py finds a path outside the repository"""
    assert _main() == 0

