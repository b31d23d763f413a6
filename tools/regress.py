#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The nightly regression (docs/regression.md): expands a named regression of
tests/regressions/regressions.toml into tests x configs x simulators x seeds, one shell command per
case, runs them in parallel with per-case timeouts, writes one run folder with a log per case,
merged JUnit, regress.json and summary.html, and checks every case's bit-accurate signature
against tests/regressions/signatures/<regression>.json.

  regress.py list   -r NAME [--shard i/N] [--filter RE]      the case commands, one per line
  regress.py build  -r NAME [--filter RE]                   build what its cases need, once
  regress.py run    -r NAME [--shard i/N] [--filter RE] [-j J] [--resume DIR|latest] [--no-build]
  regress.py merge  --out DIR RUN_DIR...                    shards -> one result
  regress.py update -r NAME [--filter RE] [--run DIR]       signatures from a run (default: run it)

--filter RE (default: the environment's FILTER, so `make regress FILTER=RE` works) keeps the cases
whose name matches the Python regular expression RE (re.search); update --filter rewrites only
those cases' signatures and keeps every other entry of the file.

Exit codes of run / merge: 0 all passed and no signature changed, 1 a case failed, 3 all passed but
signatures changed, 2 bad input.

An unsharded, unfiltered nightly or full run also runs the long tests of tests/registry-long.txt
(`make test-long`) after its cases (--no-long skips them); a failed one fails the run.
"""

import argparse
import datetime
import json
import os
import sys
import time

import _repo  # noqa: F401  (this checkout's sw/python first on sys.path)
from kirchhoff.regress import EXIT_FAIL, EXIT_PASS, EXIT_SIGCHANGE, EXIT_USAGE, LISTS, ROOT, ListError, rel
from kirchhoff.regress.lists import case_command, select_cases
from kirchhoff.regress.reports import summarize
from kirchhoff.regress.runner import (
    Interrupted,
    build_configs,
    cov_build,
    cov_report,
    latest_run,
    load_run,
    record_bench,
    record_build_failures,
    run_cases,
    run_long_tests,
    write_json_atomic,
)
from kirchhoff.regress.signatures import write_sigs


def get_regression(args: argparse.Namespace) -> tuple[list[dict], str | None]:
    """(cases, shard text or None) of the regression, filter and shard the arguments name."""
    return select_cases(args.lists, args.regression, getattr(args, "filter", None), args.shard)


def cmd_build(args: argparse.Namespace) -> int:
    cases, _ = get_regression(args)
    failed = build_configs(cases, args.build)
    if failed:
        print(f"regress: {len(failed)} target(s) failed to build: {' '.join(failed)}", file=sys.stderr)
    return EXIT_FAIL if failed else EXIT_PASS


def cmd_list(args: argparse.Namespace) -> int:
    cases, _ = get_regression(args)
    for c in cases:
        print(case_command(c, args.build, f"{args.build}/regress/<run>/cases/{c['name']}"))
    return EXIT_PASS


def cmd_run(args: argparse.Namespace) -> int:
    cases, shard_txt = get_regression(args)
    build = args.build
    if args.resume:
        run_dir = (latest_run(build, args.regression, shard_txt) if args.resume in ("1", "latest")
                   else os.path.abspath(args.resume))
        if run_dir is None or not os.path.isfile(os.path.join(run_dir, "manifest.json")):
            raise ListError(f"RESUME={args.resume}: no run folder to resume "
                            f"(want {build}/regress/{args.regression}-...)")
        with open(os.path.join(run_dir, "manifest.json")) as f:
            man = json.load(f)
        if [c["name"] for c in man["cases"]] != [c["name"] for c in cases]:
            raise ListError(f"RESUME: {rel(run_dir)} holds a different case list (regression "
                            f"{man['regression']}, shard {man['shard']}); not resuming")
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        tag = args.regression + (f"-shard{shard_txt.replace('/', 'of')}" if shard_txt else "")
        run_dir = os.path.join(ROOT, build, "regress", f"{tag}-{stamp}")
        k = 1
        while os.path.exists(run_dir):
            k += 1
            run_dir = os.path.join(ROOT, build, "regress", f"{tag}-{stamp}-{k}")
        os.makedirs(os.path.join(run_dir, "cases"))
        man = {"regression": args.regression, "shard": shard_txt, "build": build,
               "filter": getattr(args, "filter", None) or None, "created": stamp, "sessions": [],
               "cases": [dict(c, command=case_command(c, build, rel(os.path.join(
                   run_dir, "cases", c["name"])))) for c in cases]}
        write_json_atomic(os.path.join(run_dir, "manifest.json"), man)
    done = {}
    _, prev = load_run(run_dir)
    for r in prev:
        done[r["name"]] = r["status"]
    failed = build_configs(cases, build) if not args.no_build and len(done) < len(cases) else []
    if failed:
        n = record_build_failures(cases, run_dir, build, failed, done)
        print(f"regress: {len(failed)} target(s) failed to build ({' '.join(failed)}): their {n} "
              f"case(s) fail, the others run", file=sys.stderr)
    if args.cov:
        # Cases take their Verilator model from BUILD/cov (regress_case.py reads AIMC_VL_BUILD);
        # each model writes its counts into RUN/cov/dat when it closes (tb/verilator harness).
        if cov_build(cases, build) not in (None, 0):
            print("regress: COV=1: coverage model build failed", file=sys.stderr)
            print(f"0 passed, {len(cases)} failed")
            return EXIT_FAIL
        os.makedirs(os.path.join(run_dir, "cov", "dat"), exist_ok=True)
        os.environ["AIMC_VL_BUILD"] = os.path.join(build, "cov")
        os.environ["AIMC_COV_DIR"] = os.path.abspath(os.path.join(run_dir, "cov", "dat"))
    print(f"regress: {args.regression}{' shard ' + shard_txt if shard_txt else ''}: {len(cases)} "
          f"cases ({len(done)} already done), -j {args.jobs}, run folder {rel(run_dir)}", flush=True)
    t0 = time.monotonic()
    interrupted = None
    try:
        run_cases(cases, run_dir, build, args.jobs, done)
    except Interrupted as e:
        interrupted = e
    man["sessions"].append({"wall_s": round(time.monotonic() - t0, 3),
                            "resumed_with": len(done)})
    write_json_atomic(os.path.join(run_dir, "manifest.json"), man)
    link = os.path.join(ROOT, build, "regress", "latest-" + args.regression)
    if os.path.islink(link) or not os.path.exists(link):
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(os.path.basename(run_dir), link)
    if interrupted:
        _, res = load_run(run_dir)
        print(f"\nregress: interrupted ({interrupted}); {len(res)} of {len(cases)} cases kept. "
              f"Resume: make regress REGRESSION={args.regression}"
              f"{' SHARD=' + shard_txt if shard_txt else ''} RESUME={rel(run_dir)}")
        return 130
    _, res = load_run(run_dir)
    wall = sum(s["wall_s"] for s in man["sessions"])
    if args.cov and cov_report(run_dir) is None:
        print("regress: COV=1: no coverage report", file=sys.stderr)
    full_run = args.regression != "smoke" and not shard_txt
    long_tests = None
    if full_run and not getattr(args, "filter", None) and not args.no_long:
        long_tests = run_long_tests(run_dir, build, args.jobs)
    if full_run and not getattr(args, "no_bench", False):
        record_bench(run_dir, build)
    return summarize(run_dir, args.regression, cases, res, wall, [run_dir], shard_txt,
                     not args.no_sigcheck, long_tests)


def cmd_merge(args: argparse.Namespace) -> int:
    if not args.runs:
        raise ListError("merge: give the run folders of the shards")
    mans, results, seen, wall = [], [], {}, 0.0
    dirs = [os.path.abspath(d) for d in args.runs]
    for d in dirs:
        if not os.path.isfile(os.path.join(d, "manifest.json")):
            raise ListError(f"merge: {d} is not a run folder (no manifest.json)")
        man, res = load_run(d)
        mans.append(man)
        for r in res:
            if r["name"] in seen:
                raise ListError(f"merge: case {r['name']} is in {rel(seen[r['name']])} and "
                                f"{rel(d)}")
            seen[r["name"]] = d
        results += res
        wall = max(wall, sum(s["wall_s"] for s in man["sessions"]))
    regs = {m["regression"] for m in mans}
    if len(regs) != 1:
        raise ListError(f"merge: the runs are of different regressions: {', '.join(sorted(regs))}")
    reg = regs.pop()
    shards = sorted({m["shard"] for m in mans if m["shard"]})
    ns = {s.split("/")[1] for s in shards}
    cases = [c for m in mans for c in m["cases"]]
    if ns and len(ns) == 1 and len(shards) == int(ns.pop()):
        # All shards of one list: report in the order of the full list.
        args.shard = None
        args.regression = reg
        full, _ = get_regression(args)
        if sorted(c["name"] for c in full) == sorted(c["name"] for c in cases):
            cases = full
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    # wall time of a merged run: the slowest shard (they run side by side).
    return summarize(out, reg, cases, results, wall, dirs, "merged " + ",".join(shards) if shards
                     else None, not args.no_sigcheck)


def cmd_update(args: argparse.Namespace) -> int:
    if args.run:
        run_dirs = [os.path.abspath(d) for d in args.run]
    else:
        args.resume = None
        args.shard = None
        args.cov = False
        args.no_long = True  # signatures come from the cases; the long tests sign nothing
        rc = cmd_run(args)
        if rc not in (EXIT_PASS, EXIT_SIGCHANGE):
            print("regress-update: the run did not pass; signatures not updated", file=sys.stderr)
            return rc
        run_dirs = [os.path.realpath(os.path.join(ROOT, args.build, "regress",
                                                  "latest-" + args.regression))]
    results, reg = [], None
    for d in run_dirs:
        man, res = load_run(d)
        reg = man["regression"]
        # With a filter, a run may be cut short: the coverage check below wants every filtered
        # case (and each from one run only).
        if len(res) != len(man["cases"]) and not args.filter:
            raise ListError(f"regress-update: {rel(d)} is incomplete ({len(res)} of "
                            f"{len(man['cases'])} cases); resume it first")
        results += res
    if reg != args.regression:
        raise ListError(f"regress-update: {rel(run_dirs[0])} is a run of '{reg}', not "
                        f"'{args.regression}'")
    full, _ = get_regression(argparse.Namespace(lists=args.lists, regression=args.regression,
                                                shard=None, filter=args.filter))
    if args.filter:
        # Only the filtered cases are rewritten; the runs may hold more (an unfiltered run).
        names = {c["name"] for c in full}
        results = [r for r in results if r["name"] in names]
        seen = set()
        for r in results:
            if r["name"] in seen:
                raise ListError(f"regress-update: case {r['name']} is in more than one run")
            seen.add(r["name"])
    if sorted(r["name"] for r in results) != sorted(c["name"] for c in full):
        raise ListError("regress-update: the runs do not cover the whole regression"
                        f"{' (cases matching FILTER ' + args.filter + ')' if args.filter else ''}"
                        " (merge all shards, or rerun); signatures not updated")
    bad = [r["name"] for r in results if r["status"] != "pass"]
    if bad and not args.force:
        raise ListError(f"regress-update: {len(bad)} cases failed (first {bad[0]}); signatures "
                        "of failing runs are not accepted (FORCE=1 to override)")
    write_sigs(args.regression, results, run_dirs, args.filter)
    return EXIT_PASS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Kirchhoff nightly regression (docs/regression.md)")
    sp = ap.add_subparsers(dest="cmd", required=True)

    def common(p, reg=True):
        p.add_argument("--lists", default=LISTS)
        p.add_argument("--build", default="build")
        if reg:
            p.add_argument("-r", "--regression", required=True)
            p.add_argument("--shard", default=None, help="i/N: the i-th of N slices (i from 0)")
            p.add_argument("--filter", default=os.environ.get("FILTER") or None,
                           help="regular expression: only the cases whose name matches "
                                "(default: $FILTER)")

    p = sp.add_parser("list")
    common(p)
    p = sp.add_parser("build")
    common(p)
    for name in ("run", "update"):
        p = sp.add_parser(name)
        common(p)
        p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
        p.add_argument("--resume", default=None)
        p.add_argument("--no-build", action="store_true")
        p.add_argument("--no-sigcheck", action="store_true")
        p.add_argument("--cov", action="store_true")
        p.add_argument("--no-bench", action="store_true",
                       help="do not record bench.json in the run folder (nightly and full do)")
        p.add_argument("--no-long", action="store_true",
                       help="do not run the long tests (tests/registry-long.txt) after the cases "
                       "(unsharded, unfiltered nightly and full runs do)")
        if name == "update":
            p.add_argument("--run", nargs="*", help="run folders to take the signatures from")
            p.add_argument("--force", action="store_true")
    p = sp.add_parser("merge")
    common(p, reg=False)
    p.add_argument("--out", required=True)
    p.add_argument("--no-sigcheck", action="store_true")
    p.add_argument("runs", nargs="*")
    args = ap.parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        ap.error(f"-j {args.jobs}: must be >= 1")
    try:
        return {"list": cmd_list, "build": cmd_build, "run": cmd_run, "merge": cmd_merge, "update": cmd_update}[
            args.cmd](args)
    except ListError as e:
        print(f"regress: {e}", file=sys.stderr)
        return EXIT_USAGE

if __name__ == "__main__":
    sys.exit(main())
