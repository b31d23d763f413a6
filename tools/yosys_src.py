#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rewrite the RTL into the SystemVerilog subset that yosys 0.23 reads (formal and synthesis).

    tools/yosys_src.py OUTDIR FILE...

Writes OUTDIR/<basename> for every FILE and prints the written paths in order. The RTL itself stays
in the style both simulators want; yosys 0.23 lacks three constructs it uses, rewritten here:
  - `module m import p::*; #(`: the header import is removed and every use of a member of p
    (localparam, typedef, enum constant, function) in that file is qualified as `p::NAME`;
  - `return EXPR;` as the last statement of a package function: becomes `FNAME = EXPR;`;
  - `int'(X)` becomes `$signed(32'(X))`; `-N'(X)` becomes `-(N'(X))`;
  - `logic [A:B][C:D] x`: one flat vector, `x[e]` the slice of element e (single indices only);
  - an unpacked array `hwif_*` (the register-array ports of the generated CSR block,
    rtl/csr/aimc_csr.sv, and their wires in aimc_csr_reg_top): packed, then flattened as above;
  - the action block of an immediate assertion (`assert (c) else $fatal(...);`): dropped, so that
    under -formal the condition is a plain assertion.
Anything else yosys cannot read is left for yosys to report. Exit status 2 on bad input.
"""
import os
import re
import sys

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
from kirchhoff import atomic

IDENT = r"[A-Za-z_]\w*"


def die(msg):
    print(f"yosys_src: {msg}", file=sys.stderr)
    sys.exit(2)


def split_comment(line):
    """(code, comment) of one line; a `//` inside a string stays code."""
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_str = not in_str
        elif not in_str and line.startswith("//", i):
            return line[:i], line[i:]
    return line, ""


def package_members(text):
    """Names a package declares: localparams, typedefs (struct ones too), enum constants, functions."""
    names = set()
    for m in re.finditer(rf"\blocalparam\b[^=;]*?\b({IDENT})\s*=", text):
        names.add(m.group(1))
    for m in re.finditer(rf"\bfunction\s+(?:automatic\s+)?[^;(]*?\b({IDENT})\s*\(", text):
        names.add(m.group(1))
    for m in re.finditer(r"\btypedef\s+enum\b[^{]*\{([^}]*)\}\s*(\w+)\s*;", text):
        names.add(m.group(2))
        for item in m.group(1).split(","):
            item = item.strip()
            if item:
                names.add(re.match(IDENT, item).group(0))
    for m in re.finditer(rf"\btypedef\b[^;{{]*\b({IDENT})\s*;", text):
        names.add(m.group(1))
    for m in re.finditer(rf"\btypedef\s+struct\b[^{{]*\{{[^{{}}]*\}}\s*({IDENT})\s*;", text):
        names.add(m.group(1))
    return names


def fix_returns(text):
    """`return X;` ending a function becomes an assignment to the function name."""
    out = []
    pos = 0
    for m in re.finditer(rf"\bfunction\s+(?:automatic\s+)?[^;(]*?\b({IDENT})\s*\((.*?)\bendfunction\b",
                         text, re.S):
        body = m.group(0)
        rets = re.findall(r"\breturn\b", body)
        if len(rets) > 1:
            die(f"function {m.group(1)} has {len(rets)} return statements; yosys 0.23 needs one")
        body = re.sub(r"\breturn\s+", f"{m.group(1)} = ", body)
        out.append(text[pos:m.start()])
        out.append(body)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


ACTION_RE = re.compile(r"(\bassert\s*\((?:[^;]*?)\))\s*else\s+\$(?:fatal|error|warning|info)\s*\((?:.|\n)*?\)\s*;")


def close_paren(text, i):
    """Index of the parenthesis closing the one at text[i]."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    die("unbalanced parenthesis in a cast")
    return -1


CAST_RE = re.compile(r"(?<![\w$])(int|-\s*\d+)'\(")


def fix_casts(text):
    """`int'(X)` becomes `$signed(32'(X))` (yosys 0.23 knows only size casts) and `-N'(X)` becomes
    `-(N'(X))` (yosys 0.23 reads the minus as part of the size)."""
    out = []
    pos = 0
    while True:
        m = CAST_RE.search(text, pos)
        if not m:
            out.append(text[pos:])
            return "".join(out)
        j = close_paren(text, m.end() - 1)
        inner = fix_casts(text[m.end():j])
        out.append(text[pos:m.start()])
        if m.group(1) == "int":
            out.append(f"$signed(32'({inner}))")
        else:
            out.append(f"-({m.group(1).lstrip('-').strip()}'({inner}))")
        pos = j + 1


DECL2_RE = re.compile(r"\b(logic|wire|bit)\s*\[([^\]:]+):([^\]]+)\]\s*\[([^\]:]+):([^\]]+)\]\s*"
                      rf"({IDENT}(?:\s*,\s*{IDENT})*)")


def close_bracket(text, i):
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "[":
            depth += 1
        elif text[j] == "]":
            depth -= 1
            if depth == 0:
                return j
    die("unbalanced bracket in an index")
    return -1


HWIF_RE = re.compile(r"\b(logic|wire)\s*\[([^\]:]+):([^\]]+)\]\s*(hwif_\w+)\s*\[\s*(?:(\d+)\s*:\s*0|(\d+))\s*\]")


def pack_hwif_arrays(text):
    """`wire [H:L] hwif_x [N-1:0]` (or `[N]`) becomes `wire [N-1:0][H:L] hwif_x`: yosys 0.23
    reads no unpacked-array port; PeakRDL-etana writes register arrays so (tools/gen_regs.sh)."""
    def sub(m):
        kind, h, lo, name, top, count = m.groups()
        n = int(top) if top is not None else int(count) - 1
        return f"{kind} [{n}:0][{h}:{lo}] {name}"
    return HWIF_RE.sub(sub, text)


def flatten_packed_2d(text):
    """`logic [A:B][C:D] x` becomes one flat vector and `x[e]` the slice of element e."""
    elems = {}

    def decl(m):
        kind, oh, ol, ih, il, names = m.groups()
        w = f"(({ih})-({il})+1)"
        for n in re.split(r"\s*,\s*", names):
            elems[n] = (ol.strip(), w)
        return f"{kind} [(({oh})-({ol})+1)*{w}-1:0] {names}"

    text = DECL2_RE.sub(decl, text)
    if not elems:
        return text
    pat = re.compile(r"(?<![\w.$])(" + "|".join(sorted(elems, key=len, reverse=True)) + r")\s*\[")
    out = []
    pos = 0
    while True:
        m = pat.search(text, pos)
        if not m:
            out.append(text[pos:])
            return "".join(out)
        j = close_bracket(text, m.end() - 1)
        idx = text[m.end():j]
        if ":" in idx:
            die(f"a part select of the packed array {m.group(1)} (only single elements are rewritten)")
        lo, w = elems[m.group(1)]
        out.append(text[pos:m.start()])
        out.append(f"{m.group(1)}[(({idx})-({lo}))*{w} +: {w}]")
        pos = j + 1


def drop_assert_actions(text):
    return ACTION_RE.sub(r"\1;", text)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        die("usage: tools/yosys_src.py OUTDIR FILE...")
    outdir, files = argv[1], argv[2:]
    os.makedirs(outdir, exist_ok=True)
    texts = {}
    for f in files:
        try:
            with open(f, encoding="utf-8") as fh:
                texts[f] = fh.read()
        except OSError as e:
            die(f"cannot read {f}: {e.strerror}")
    pkgs = {}
    for text in texts.values():
        for m in re.finditer(rf"^\s*package\s+({IDENT})\s*;(.*?)^\s*endpackage", text, re.S | re.M):
            pkgs[m.group(1)] = package_members(m.group(2))

    for f in files:
        text = fix_returns(texts[f])
        text = drop_assert_actions(text)
        text = fix_casts(text)
        text = flatten_packed_2d(pack_hwif_arrays(text))
        m = re.search(rf"^(\s*module\s+{IDENT})\s+((?:import\s+{IDENT}::\*\s*;\s*)+)", text, re.M)
        if m:
            imported = re.findall(rf"import\s+({IDENT})::\*", m.group(2))
            for p in imported:
                if p not in pkgs:
                    die(f"{f}: imports package {p}, which is not in the file list (list it first)")
            text = text[:m.start()] + m.group(1) + " " + text[m.end():]
            qual = {}
            for p in imported:
                for n in pkgs[p]:
                    if n in qual:
                        die(f"{f}: {n} is declared by both {qual[n]} and {p}")
                    qual[n] = p
            if qual:
                pat = re.compile(r"(?<![\w:.$'`])(" + "|".join(sorted(qual, key=len, reverse=True)) + r")\b")
                lines = []
                for line in text.split("\n"):
                    code, comment = split_comment(line)
                    code = pat.sub(lambda mm, qual=qual: f"{qual[mm.group(1)]}::{mm.group(1)}", code)
                    lines.append(code + comment)
                text = "\n".join(lines)
        dst = os.path.join(outdir, os.path.basename(f))
        atomic.write_text(dst, f"// rewritten for yosys 0.23 by tools/yosys_src.py from {f}; "
                          f"do not edit\n" + text, inputs=[f])
        print(dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
