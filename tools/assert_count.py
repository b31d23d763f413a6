#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Assertion and property counts per module, and the formal depth per block (issue 19's closing note).

    tools/assert_count.py [--json] [--update DOC | --check DOC]

Counts, per module of rtl/ (one module per file):
  - the assertion layer's macro uses (rtl/prim/aimc_assert.svh): ASSERT, ASSERT_NEVER,
    ASSERT_KNOWN[_IF], ASSERT_INIT, ASSUME, COVER;
  - hand-written checks still outside the layer: `assert (` / `assert property` statements and
    `$error` / `$fatal` calls that are not inside the layer's macros;
and, per file tests/formal/props/<module>.svh (and a module's own `ifdef FORMAL` tail), its formal
properties: macro uses plus plain `assert (` / `assume (` / `cover (` statements. The formal
blocks, their top module, depth and injected bug come from the table in tests/formal/prove.sh
(and tests/formal/post_final.sh, a combinational proof over every input).

Prints a Markdown table (or JSON with --json). --update DOC rewrites the part of DOC between the
lines `<!-- assert_count begin -->` and `<!-- assert_count end -->` (written to a temporary file in
the same folder, then renamed); --check DOC exits 1 when that part differs from a fresh count.
Exit status 0 ok, 1 stale (--check), 2 on bad input.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- assert_count begin -->"
END = "<!-- assert_count end -->"
MACROS = ("ASSERT", "ASSERT_NEVER", "ASSERT_KNOWN", "ASSERT_KNOWN_IF", "ASSERT_INIT", "ASSUME",
          "COVER")
MACRO_RE = re.compile(r"`(" + "|".join(sorted(MACROS, key=len, reverse=True)) + r")\s*\(")
PLAIN_RE = re.compile(r"\b(assert|assume|cover)\s*(property\s*)?\(")
CALL_RE = re.compile(r"\$(error|fatal)\s*\(")


def die(msg):
    print(f"assert_count: {msg}", file=sys.stderr)
    sys.exit(2)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", text)


def formal_tail(text):
    """(text outside `ifdef FORMAL ... `endif, text inside) of one file (no nesting inside)."""
    inside, outside, depth, in_formal = [], [], 0, False
    for line in text.splitlines():
        s = line.strip()
        if not in_formal and s.startswith("`ifdef FORMAL"):
            in_formal, depth = True, 1
            continue
        if in_formal:
            if s.startswith(("`ifdef", "`ifndef")):
                depth += 1
            elif s.startswith("`endif"):
                depth -= 1
                if depth == 0:
                    in_formal = False
                    continue
            inside.append(line)
        else:
            outside.append(line)
    return "\n".join(outside), "\n".join(inside)


def count_text(text):
    """Per-kind macro counts, plain assertion statements and $error/$fatal calls of code."""
    kinds = {}
    for m in MACRO_RE.finditer(text):
        kinds[m.group(1)] = kinds.get(m.group(1), 0) + 1
    plain = len(PLAIN_RE.findall(text))
    calls = len(CALL_RE.findall(text))
    return kinds, plain, calls


def rtl_counts():
    rows = {}
    for dirpath, _, files in os.walk(os.path.join(ROOT, "rtl")):
        for name in sorted(files):
            if not name.endswith(".sv"):
                continue
            path = os.path.join(dirpath, name)
            text = strip_comments(read(path))
            m = re.search(r"^\s*module\s+(\w+)", text, re.MULTILINE)
            if not m:
                continue
            body, tail = formal_tail(text)
            kinds, plain, calls = count_text(body)
            tkinds, tplain, _ = count_text(tail)
            rows[m.group(1)] = {
                "file": os.path.relpath(path, ROOT),
                "macros": kinds,
                "macro_total": sum(kinds.values()),
                "hand_written": plain,
                "error_calls": calls,
                "formal_tail": sum(tkinds.values()) + tplain,
            }
    return rows


def props_counts():
    out = {}
    pdir = os.path.join(ROOT, "tests", "formal", "props")
    for name in sorted(os.listdir(pdir)):
        if not name.endswith(".svh"):
            continue
        text = strip_comments(read(os.path.join(pdir, name)))
        kinds, _, _ = count_text(text)
        asserts = sum(v for k, v in kinds.items() if k.startswith("ASSERT"))
        plain_as = len(re.findall(r"\bassert\s*\(", text))
        assumes = kinds.get("ASSUME", 0) + len(re.findall(r"\bassume\s*\(", text))
        covers = kinds.get("COVER", 0) + len(re.findall(r"\bcover\s*\(", text))
        out[name[:-4]] = {"asserts": asserts + plain_as, "assumes": assumes, "covers": covers}
    return out


def formal_blocks():
    """Blocks of tests/formal/prove.sh's table: name, module, depth, bug file."""
    text = read(os.path.join(ROOT, "tests", "formal", "prove.sh"))
    blocks = []
    for m in re.finditer(r"^(\w+)\)\s+mod=(\w+);\s*depth=(\d+)", text, re.MULTILINE):
        name = m.group(1)
        bug = os.path.join("tests", "formal", "bugs", name + ".bug")
        blocks.append({"block": name, "module": m.group(2), "depth": int(m.group(3)),
                       "bug": bug if os.path.exists(os.path.join(ROOT, bug)) else None,
                       "method": "bounded model check (yosys-smtbmc, z3)"})
    if not blocks:
        die("tests/formal/prove.sh: no 'BLOCK) mod=...; depth=N' lines")
    if os.path.exists(os.path.join(ROOT, "tests", "formal", "post_final.sh")):
        bug = "tests/formal/bugs/post_final.bug"
        blocks.append({"block": "post_final", "module": "aimc_post_final", "depth": None,
                       "bug": bug if os.path.exists(os.path.join(ROOT, bug)) else None,
                       "method": "equivalence, every input (yosys sat -prove)"})
    return blocks


def report():
    rtl = rtl_counts()
    props = props_counts()
    blocks = formal_blocks()
    for mod in props:
        if mod not in rtl:
            die(f"tests/formal/props/{mod}.svh names no module of rtl/")
    return {"modules": rtl, "props": props, "formal": blocks}


def markdown(rep):
    rtl, props = rep["modules"], rep["props"]
    lines = ["| module | file | layer macros (A/N/K/I/M/C) | hand-written checks "
             "| formal asserts / assumes / covers | formal block, depth |",
             "|---|---|---|---|---|---|"]
    by_mod = {}
    for b in rep["formal"]:
        by_mod.setdefault(b["module"], []).append(b)
    tot = {"macros": 0, "hand": 0, "fa": 0}
    for mod in sorted(rtl):
        r = rtl[mod]
        k = r["macros"]
        kinds = "{}/{}/{}/{}/{}/{}".format(
            k.get("ASSERT", 0), k.get("ASSERT_NEVER", 0),
            k.get("ASSERT_KNOWN", 0) + k.get("ASSERT_KNOWN_IF", 0), k.get("ASSERT_INIT", 0),
            k.get("ASSUME", 0), k.get("COVER", 0))
        hand = r["hand_written"]
        note = f"{hand}" + (f" (+{r['formal_tail']} in its `ifdef FORMAL` tail)" if r["formal_tail"] else "")
        if r["error_calls"] and not hand:
            note += f" ({r['error_calls']} model-error $fatal)"
        p = props.get(mod)
        fa = f"{p['asserts']} / {p['assumes']} / {p['covers']}" if p else "-"
        blocks = ", ".join(f"{b['block']}, " + (f"{b['depth']} cycles" if b["depth"] is not None
                                                else "all inputs")
                           for b in by_mod.get(mod, []))
        lines.append(f"| {mod} | {r['file']} | {r['macro_total']} ({kinds}) | {note} | {fa} | {blocks or '-'} |")
        tot["macros"] += r["macro_total"]
        tot["hand"] += hand + r["formal_tail"]
        tot["fa"] += p["asserts"] if p else 0
    lines.append(f"| **total** | {len(rtl)} modules | {tot['macros']} | {tot['hand']} | {tot['fa']} asserts | "
                 f"{len(rep['formal'])} blocks |")
    lines.append("")
    lines.append("A/N/K/I/M/C: ASSERT, ASSERT_NEVER, ASSERT_KNOWN(_IF), ASSERT_INIT, ASSUME, COVER. "
                 "Formal blocks and their injected bugs: " + "; ".join(
                     f"{b['block']} ({b['module']}, " + (f"depth {b['depth']}" if b["depth"] is not None
                                                          else b["method"])
                     + (f", bug {b['bug']}" if b["bug"] else ", no bug test") + ")"
                     for b in rep["formal"]) + ".")
    return "\n".join(lines) + "\n"


def splice(doc, table):
    try:
        text = read(doc)
    except OSError as e:
        die(f"{doc}: {e.strerror}")
    b, e = text.find(BEGIN), text.find(END)
    if b < 0 or e < b:
        die(f"{doc}: no '{BEGIN}' ... '{END}' block")
    return text, text[:b + len(BEGIN)] + "\n" + table + text[e:]


def main(argv: list[str]) -> int:
    args = list(argv)
    as_json = "--json" in args
    if as_json:
        args.remove("--json")
    mode, doc = None, None
    if args:
        if len(args) != 2 or args[0] not in ("--update", "--check"):
            die("usage: tools/assert_count.py [--json] [--update DOC | --check DOC]")
        mode, doc = args
    rep = report()
    if mode is None:
        sys.stdout.write(json.dumps(rep, indent=2, sort_keys=True) + "\n" if as_json else markdown(rep))
        return 0
    old, new = splice(doc, markdown(rep))
    if mode == "--check":
        if old != new:
            print(f"assert_count: the table in {doc} is out of date; run tools/assert_count.py --update {doc}")
            return 1
        print(f"assert_count: the table in {doc} matches the RTL, the props and the proof table")
        return 0
    tmp = doc + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, doc)
    print(f"assert_count: wrote the table into {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
