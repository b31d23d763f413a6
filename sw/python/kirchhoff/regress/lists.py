# SPDX-License-Identifier: Apache-2.0
"""Test lists (tests/regressions/regressions.toml): loading and validation with errors naming the
entry, expansion of a regression into cases (tests x configs x sims x seeds), the filter, shards,
and the shell command of a case (tools/regress_case.py)."""

from __future__ import annotations

import os
import re
import shlex
import tomllib

from . import ROOT, ListError, casefmt, rel

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SUBS = ("layer-test", "csr-test", "illegal-test", "bus-fuzz", "model-run")
TEST_KEYS = {"name", "sub", "args", "configs", "sims", "reseed", "seed_base", "timeout"}
REG_KEYS = {"name", "tests", "reseed", "configs", "sims"}


def _need(d, key, typ, where):
    if key not in d:
        raise ListError(f"{where}: missing key '{key}'")
    if not isinstance(d[key], typ) or isinstance(d[key], bool):
        raise ListError(f"{where}: '{key}' must be {typ.__name__ if isinstance(typ, type) else typ}")
    return d[key]


def _strlist(d, key, where, allowed=None):
    v = d.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        raise ListError(f"{where}: '{key}' must be a non-empty list of strings")
    if len(set(v)) != len(v):
        raise ListError(f"{where}: '{key}' lists a name twice")
    for x in v:
        if allowed is not None and x not in allowed:
            raise ListError(f"{where}: '{key}' has '{x}', expected one of {', '.join(allowed)}")
    return v


def _posint(d, key, where, default, lo=1, hi=10**6):
    v = d.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ListError(f"{where}: '{key}' must be an integer in [{lo}, {hi}], not {v!r}")
    return v


def load_lists(path: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """(tests by name, regressions by name) of a list file; ListError naming the entry."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise ListError(f"{path}: cannot read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise ListError(f"{path}: not valid TOML: {e}") from None
    extra = set(doc) - {"test", "regression"}
    if extra:
        raise ListError(f"{path}: unknown top-level key(s) {', '.join(sorted(extra))}")
    tests, regs = {}, {}
    for i, t in enumerate(doc.get("test", [])):
        where = f"{path}: test #{i + 1}"
        name = _need(t, "name", str, where)
        where = f"{path}: test '{name}'"
        if not NAME_RE.match(name):
            raise ListError(f"{where}: bad name (letters, digits, _ . - only)")
        if name in tests:
            raise ListError(f"{where}: defined twice")
        bad = set(t) - TEST_KEYS
        if bad:
            raise ListError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        sub = _need(t, "sub", str, where)
        if sub not in SUBS:
            raise ListError(f"{where}: sub '{sub}' is not one of {', '.join(SUBS)}")
        args = t.get("args", "")
        if not isinstance(args, str):
            raise ListError(f"{where}: 'args' must be a string")
        try:
            argv = shlex.split(args)
        except ValueError as e:
            raise ListError(f"{where}: 'args': {e}") from None
        bad = [x for x in argv if x in ("--config", "--seed", "--backend", "--record", "--waves",
                                        "--report")]
        if bad:
            raise ListError(f"{where}: 'args' must not set {bad[0]} (the case sets it)")
        configs = _strlist(t, "configs", where)
        for c in configs:
            if not os.path.isfile(os.path.join(ROOT, "configs", c + ".cfg")):
                raise ListError(f"{where}: config '{c}': no file configs/{c}.cfg")
        sims = _strlist(t, "sims", where, casefmt.SIMS)
        if sub == "model-run":
            try:
                m = casefmt.model_args(argv)
            except casefmt.CaseError as e:
                raise ListError(f"{where}: 'args': {e}") from None
            if not os.path.isfile(m["model"]):
                raise ListError(f"{where}: 'args': --model {rel(m['model'])}: no such file")
            bad = [x for x in sims if x not in casefmt.MODEL_SIMS]
            if bad:
                raise ListError(f"{where}: sim {bad[0]}: model-run runs on "
                                f"{', '.join(casefmt.MODEL_SIMS)} only")
        if sub == "bus-fuzz" and set(sims) - {"verilator", "cmodel"}:
            raise ListError(f"{where}: sub bus-fuzz (tests/system/bus_fuzz.c) runs on verilator "
                            "or cmodel only")
        if "icarus" in sims:
            if sub != "layer-test":
                raise ListError(f"{where}: sim icarus runs layer-test only; use xcheck for {sub}")
            flags = argv[0::2]
            if len(argv) % 2 or any(f not in casefmt.LAYER_SH_FLAGS for f in flags):
                raise ListError(f"{where}: sim icarus (tools/layer_test.sh) takes only "
                                f"{', '.join(casefmt.LAYER_SH_FLAGS)} in 'args'")
        tests[name] = {
            "name": name, "sub": sub, "args": argv, "configs": configs, "sims": sims,
            "reseed": _posint(t, "reseed", where, 1, 1, 1000),
            "seed_base": _posint(t, "seed_base", where, 1, 0, 2**62),
            "timeout": _posint(t, "timeout", where, 120, 1, 86400),
        }
    for i, r in enumerate(doc.get("regression", [])):
        where = f"{path}: regression #{i + 1}"
        name = _need(r, "name", str, where)
        where = f"{path}: regression '{name}'"
        if not NAME_RE.match(name):
            raise ListError(f"{where}: bad name (letters, digits, _ . - only)")
        if name in regs:
            raise ListError(f"{where}: defined twice")
        bad = set(r) - REG_KEYS
        if bad:
            raise ListError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        names = _strlist(r, "tests", where)
        for n in names:
            if n not in tests:
                raise ListError(f"{where}: unknown test '{n}'")
        regs[name] = {
            "name": name, "tests": names,
            "reseed": _posint(r, "reseed", where, 0, 0, 1000) or None,
            "configs": _strlist(r, "configs", where) if "configs" in r else None,
            "sims": _strlist(r, "sims", where, casefmt.SIMS) if "sims" in r else None,
        }
    return tests, regs


def expand(tests: dict[str, dict], reg: dict) -> list[dict]:
    """Cases of a regression in a fixed order: tests as listed, then configs, sims, seeds."""
    cases = []
    for tn in reg["tests"]:
        t = tests[tn]
        n = reg["reseed"] or t["reseed"]
        for cfg in t["configs"]:
            if reg["configs"] is not None and cfg not in reg["configs"]:
                continue
            for sim in t["sims"]:
                if reg["sims"] is not None and sim not in reg["sims"]:
                    continue
                for seed in range(t["seed_base"], t["seed_base"] + n):
                    cases.append({"name": f"{tn}.{cfg}.{sim}.s{seed}", "test": tn, "config": cfg,
                                  "sim": sim, "seed": seed, "sub": t["sub"], "args": t["args"],
                                  "timeout": t["timeout"]})
    if not cases:
        raise ListError(f"regression '{reg['name']}' expands to no case")
    return cases


def parse_shard(s: str | None) -> tuple[int, int]:
    """(i, N) of 'i/N' with 0 <= i < N; ListError otherwise."""
    m = re.fullmatch(r"(\d+)/(\d+)", s or "")
    if not m:
        raise ListError(f"SHARD '{s}': expected i/N, for example 0/4 (i counts from 0)")
    i, n = int(m.group(1)), int(m.group(2))
    if n < 1 or i >= n:
        raise ListError(f"SHARD {s}: need N >= 1 and 0 <= i < N")
    return i, n


def shard(cases: list[dict], i: int, n: int) -> list[dict]:
    """Round-robin slice: case k belongs to shard k mod N. The N slices partition the list."""
    return [c for k, c in enumerate(cases) if k % n == i]


def case_argv(c: dict, build: str, out: str, waves: bool = False) -> list[str]:
    argv = ["python3", "tools/regress_case.py", "--build", build, "--out", out,
            "--config", c["config"], "--sim", c["sim"], "--seed", str(c["seed"])]
    if waves:
        argv.append("--waves")
    return argv + ["--", c["sub"]] + c["args"]


def case_command(c: dict, build: str, out: str, waves: bool = False) -> str:
    return " ".join(shlex.quote(a) for a in case_argv(c, build, out, waves))


def select_cases(lists: str, regression: str, flt: str | None = None,
                 shard_spec: str | None = None) -> tuple[list[dict], str | None]:
    """(cases, shard text or None): the cases of a regression of the list file lists (relative to
    the checkout), those whose name matches the regular expression flt, the shard i/N of
    shard_spec; ListError naming the bad input."""
    tests, regs = load_lists(os.path.join(ROOT, lists))
    if regression not in regs:
        raise ListError(f"no regression '{regression}' in {lists} (have: "
                        f"{', '.join(regs)})")
    cases = expand(tests, regs[regression])
    if flt:
        try:
            pat = re.compile(flt)
        except re.error as e:
            raise ListError(f"FILTER '{flt}': not a regular expression: {e}") from None
        cases = [c for c in cases if pat.search(c["name"])]
        if not cases:
            raise ListError(f"FILTER '{flt}': no case of regression '{regression}' matches")
    shard_txt = None
    if shard_spec:
        i, n = parse_shard(shard_spec)
        cases = shard(cases, i, n)
        shard_txt = f"{i}/{n}"
    return cases, shard_txt
