#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Stage the RTL of one formal proof: copies of the product files, never the files themselves.

    tests/formal/stage.py OUTDIR [--props MODULE[,MODULE...]] [--bug BUGFILE] FILE...

Writes OUTDIR/<basename> for every FILE and prints the written paths in order. Into the copy of a
module file of rtl/ that has a property file tests/formal/props/<module>.svh, that file's text is
inserted before the module's last `endmodule` (a textual bind: the properties see the module's
internal signals, which yosys 0.23's `bind` does not offer). With --props, only the named modules
get their properties: a proof of a module with its sub-blocks leaves out the sub-blocks'
environment assumptions (the parent's properties assert them instead). The formal stand-ins
(tests/formal/stubs/) never get properties. With --bug, the injected bug described by
BUGFILE (tests/formal/bugs/<block>.bug) is applied to the copy of the file it names:

    # why this bug, and which property should catch it
    file: rtl/mem/aimc_arb.sv
    - old line, exact, leading blanks included
    + new line

The `-` lines must occur exactly once, consecutive, in that file: a bug that no longer applies
(the RTL moved on) is an error, never a silent pass. Exit status 0 ok, 2 on bad input.
"""
import os
import re
import sys

PROPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "props")


def die(msg):
    print(f"stage: {msg}", file=sys.stderr)
    sys.exit(2)


def read_bug(path):
    """(file, old text, new text) of a bug file."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        die(f"{path}: {e.strerror}")
    target, old, new = None, [], []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("file: "):
            target = line[6:].strip()
        elif line.startswith("- ") or line == "-":
            old.append(line[2:])
        elif line.startswith("+ ") or line == "+":
            new.append(line[2:])
        else:
            die(f"{path}:{n}: expected 'file:', '- old' or '+ new', got '{line}'")
    if target is None or not old:
        die(f"{path}: needs a 'file:' line and at least one '- old' line")
    return target, "\n".join(old) + "\n", "\n".join(new) + ("\n" if new else "")


def main(argv):
    if len(argv) < 2:
        die("usage: tests/formal/stage.py OUTDIR [--props MODULE[,MODULE...]] [--bug BUGFILE] FILE...")
    out = argv[0]
    args = argv[1:]
    bug = None
    only = None
    while args and args[0] in ("--bug", "--props"):
        if len(args) < 2:
            die(f"{args[0]} needs an argument")
        if args[0] == "--bug":
            bug = read_bug(args[1])
        else:
            only = set(m for m in args[1].split(",") if m)
        args = args[2:]
    os.makedirs(out, exist_ok=True)
    applied = False
    for path in args:
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as e:
            die(f"{path}: {e.strerror}")
        m = re.search(r"^\s*module\s+(\w+)", text, re.M)
        stub = os.path.normpath(path).startswith(os.path.join("tests", "formal", "stubs") + os.sep)
        if m and not stub and (only is None or m.group(1) in only):
            props = os.path.join(PROPS, m.group(1) + ".svh")
            if os.path.exists(props):
                end = text.rfind("endmodule")
                if end < 0:
                    die(f"{path}: no endmodule")
                body = open(props, encoding="utf-8").read()
                text = (text[:end] + f"// ---- properties from tests/formal/props/{m.group(1)}.svh\n"
                        + body + text[end:])
        if bug and os.path.normpath(bug[0]) == os.path.normpath(path):
            n = text.count(bug[1])
            if n != 1:
                die(f"bug for {bug[0]}: its '-' lines occur {n} times (expected once); "
                    "update the bug file to the RTL")
            text = text.replace(bug[1], bug[2])
            applied = True
        dst = os.path.join(out, os.path.basename(path))
        with open(dst, "w", encoding="utf-8") as f:
            f.write(text)
        print(dst)
    if bug and not applied:
        die(f"bug file names {bug[0]}, which is not among the staged files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
