# SPDX-License-Identifier: Apache-2.0
"""Signatures: the reference file tests/regressions/signatures/<regression>.json (version 1: one
line per case, the values behind each distinct hash once), the comparison of a run against it
with the first differing value named (register names from docs/registers.md), and its update."""

from __future__ import annotations

import json
import os
import re

from kirchhoff import atomic

from . import ROOT, SIG_DIR, ListError, casefmt, rel

_REG_CACHE = {}


def addr_names() -> tuple[list[tuple[str, int, int]], dict[int, str]]:
    """(windows, csr offsets -> names) from the generated docs/registers.md."""
    if _REG_CACHE:
        return _REG_CACHE["w"], _REG_CACHE["c"]
    wins, csrs = [], {}
    try:
        with open(os.path.join(ROOT, "docs", "registers.md")) as f:
            for line in f:
                m = re.match(r"\|\s*(\w+)\s*\|\s*0x([0-9a-f]+)\s*\|\s*0x([0-9a-f]+)\s*\|", line)
                if m:
                    wins.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16)))
                m = re.match(r"\|\s*0x([0-9a-f]+)\s*\|\s*(\w+)\s*\|", line)
                if m:
                    csrs.setdefault(int(m.group(1), 16), m.group(2))
    except OSError:
        pass
    _REG_CACHE["w"], _REG_CACHE["c"] = wins, csrs
    return wins, csrs


def addr_name(a: int) -> str:
    wins, csrs = addr_names()
    for name, base, size in wins:
        if base <= a < base + size:
            if name == "csr" and a - base in csrs:
                return f"csr.{csrs[a - base]}"
            return f"{name}+0x{a - base:x}"
    return f"0x{a:08x}"


def what_name(k: int, a: int) -> str:
    """What a signature value (kind, address) stands for (kinds: kirchhoff.regress.casefmt)."""
    if k == 0:
        return "read " + addr_name(a)
    if k == 1:
        return "bus response at " + addr_name(a)
    if k == 2:
        return "player cycles"
    if k == casefmt.K_OUT:
        return f"output byte #{a}"
    if k == casefmt.K_COUNTER:
        return "counter " + casefmt.counter_name(a)
    if k == casefmt.K_READS:
        return f"digest of the {a} bus reads"
    return f"value kind {k} at 0x{a:x}"


def fmt_val(k: int, d: int) -> str:
    if k in (0, casefmt.K_READS):
        return f"0x{d:08x}"
    if k == casefmt.K_OUT:
        return f"{d - 256 if d > 127 else d} (0x{d:02x})"
    return str(d)


def describe(k: int, a: int, d: int) -> str:
    if k == 0:
        return f"read {addr_name(a)} = 0x{d:08x}"
    if k == 1:
        return f"bus response {d} at {addr_name(a)}"
    if k == 2:
        return f"player cycles = {d}"
    return f"{what_name(k, a)} = {fmt_val(k, d)}"


def first_difference(old: list[tuple[int, int, int]], new: list[tuple[int, int, int]]) -> str:
    """Text naming the first differing signature value of two value lists."""
    for i, (o, n) in enumerate(zip(old, new, strict=False)):
        if o != n:
            if o[:2] == n[:2]:
                return (f"value #{i}: {what_name(o[0], o[1])}: was {fmt_val(o[0], o[2])}, "
                        f"now {fmt_val(n[0], n[2])}")
            return f"value #{i}: was {describe(*o)}, now {describe(*n)}"
    if len(old) != len(new):
        i = min(len(old), len(new))
        more = new[i] if len(new) > i else old[i]
        return (f"{len(new)} values, was {len(old)}; first {'extra' if len(new) > i else 'missing'}"
                f" value #{i}: {describe(*more)}")
    return "identical values (hash collision?)"


def sig_path(regression: str) -> str:
    # KH_REGRESS_SIG_DIR: another signature folder (the tool's own tests use a temp one).
    return os.path.join(ROOT, os.environ.get("KH_REGRESS_SIG_DIR", SIG_DIR), regression + ".json")


def load_sigs(regression: str) -> dict[str, dict] | None:
    p = sig_path(regression)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        doc = json.load(f)
    if (doc.get("version") != 1 or not isinstance(doc.get("cases"), dict)
            or not isinstance(doc.get("values"), dict)):
        raise ListError(f"{rel(p)}: not a version-1 signature file")
    cases = {}
    for n, c in doc["cases"].items():
        if c.get("sig") not in doc["values"]:
            raise ListError(f"{rel(p)}: case {n}: no values for signature {c.get('sig')}")
        cases[n] = dict(c, values=doc["values"][c["sig"]])
    return cases


def case_sig(run_dirs: list[str], name: str) -> dict | None:
    for d in run_dirs:
        p = os.path.join(d, "cases", name, "sig.json")
        if os.path.exists(p):
            with open(p) as f:
                return json.load(f)
    return None


def compare_sigs(results: list[dict], ref: dict[str, dict], run_dirs: list[str]) -> list[dict]:
    """Signature check of every case of a run against the reference: list of change dicts."""
    changes = []
    for r in results:
        if r["name"] not in ref:
            changes.append({"name": r["name"], "kind": "new",
                            "detail": "no reference signature for this case"})
            continue
        want = ref[r["name"]]
        if r["sig"] is None:
            changes.append({"name": r["name"], "kind": "missing",
                            "detail": f"the case left no signature (status {r['status']})"})
        elif r["sig"] != want["sig"]:
            got = case_sig(run_dirs, r["name"])
            detail = first_difference(casefmt.decode(want["values"]),
                                      casefmt.decode(got["values"]))
            changes.append({"name": r["name"], "kind": "changed",
                            "detail": f"{want['sig']} -> {r['sig']}: {detail}"})
    return changes


def write_sigs(regression: str, results: list[dict], run_dirs: list[str], flt: str | None = None) -> list[str]:
    """Write the signature file from a run; print and return what changed. With flt (a regular
    expression), the entries of cases whose names do not match it are kept as they are."""
    p = sig_path(regression)
    old = load_sigs(regression) or {}
    new = {}
    if flt:
        pat = re.compile(flt)
        new = {n: old[n] for n in old if not pat.search(n)}
    for r in results:
        s = case_sig(run_dirs, r["name"])
        if s is None:
            raise ListError(f"case {r['name']} has no signature (status {r['status']}); "
                            "fix it or drop it from the list before updating")
        new[r["name"]] = {"sig": s["sig"], "n": s["n"], "values": s["values"]}
    lines = []
    for n in sorted(set(old) | set(new)):
        if n not in new:
            lines.append(f"  removed  {n}")
        elif n not in old:
            lines.append(f"  new      {n} {new[n]['sig']}")
        elif old[n]["sig"] != new[n]["sig"]:
            d = first_difference(casefmt.decode(old[n]["values"]),
                                 casefmt.decode(new[n]["values"]))
            lines.append(f"  changed  {n} {old[n]['sig']} -> {new[n]['sig']}: {d}")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    # One line per case (readable diffs); the values behind each distinct hash once. Written
    # through a temporary: a full disk leaves the previous signature file as it was.
    blobs = {new[n]["sig"]: new[n]["values"] for n in new}
    text = (f'{{"version": 1, "regression": {json.dumps(regression)},\n"cases": {{\n' +
            ",\n".join(f"{json.dumps(n)}: {json.dumps({'sig': new[n]['sig'], 'n': new[n]['n']})}"
                       for n in sorted(new)) +
            '\n},\n"values": {\n' +
            ",\n".join(f"{json.dumps(h)}: {json.dumps(blobs[h])}" for h in sorted(blobs)) +
            "\n}}\n")
    try:
        atomic.write_text(p, text, inputs=[os.path.join(d, "cases", r["name"], "sig.json")
                                           for d in run_dirs for r in results])
    except (OSError, atomic.SameFileError) as e:
        raise ListError(f"regress-update: {rel(p)} not written ({e}); the previous signature "
                        "file is unchanged") from None
    print(f"regress-update: {rel(p)}: {len(new)} cases; {len(lines)} changed, new or removed")
    for ln in lines:
        print(ln)
    return lines
