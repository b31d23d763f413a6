#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of the regression tool (tools/regress.py, tools/regress_case.py): list validation with
clear errors, expansion counts of the committed lists, deterministic shards that partition the
list, signature encoding and first-difference reports, timeout / crash / interrupt-and-resume on
fake case commands, and on the real smoke regression (needs BUILD with the tiny and small models):
shards merged == one run, kill and resume == one run, signature change detected and updated.

  BUILD=build .venv/bin/python -m pytest tests/python/test_regress.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import kirchhoff.regress as kreg
import regress
import regress_case
from kirchhoff.regress import casefmt, lists, runner, signatures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TMP = tempfile.mkdtemp(prefix="kh_test_regress_")
BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(ROOT, "build")))



def write(name, text):
    p = os.path.join(TMP, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def expect_error(text, needle):
    p = write("bad.toml", text)
    try:
        lists.load_lists(p)
    except kreg.ListError as e:
        assert needle in str(e), f"error '{e}' does not mention '{needle}'"
        return
    raise AssertionError(f"list accepted, expected an error about '{needle}'")


GOOD = '''
[[test]]
name = "a"
sub = "layer-test"
args = "--rows 16 --cols 8 --batch 1"
configs = ["tiny", "small"]
sims = ["verilator", "icarus"]
reseed = 3
'''


def test_lists_malformed_entries_are_rejected_naming_the_entry():
    """lists: malformed entries are rejected naming the entry"""
    expect_error(GOOD + '[[regression]]\nname = "r"\ntests = ["b"]\n', "unknown test 'b'")
    expect_error(GOOD.replace('sub = "layer-test"', 'sub = "csr-test"'), "icarus runs layer-test only")
    expect_error(GOOD.replace("reseed = 3", "reseed = 0"), "'reseed' must be an integer")
    expect_error(GOOD.replace('"tiny"', '"nosuch"'), "no file configs/nosuch.cfg")
    expect_error(GOOD.replace('"icarus"', '"modelsim"'), "expected one of")
    expect_error(GOOD + "colour = 1\n", "unknown key(s) colour")
    expect_error(GOOD.replace("--batch 1", "--batch 1 --seed 3"), "must not set --seed")
    expect_error(GOOD.replace("--rows 16", "--relu 1 --rows 16"), "takes only --rows")
    expect_error(GOOD + GOOD, "defined twice")
    expect_error("[[test]\n", "not valid TOML")
    for bad in ("", "4", "4/4", "-1/4", "1/0", "a/b"):
        try:
            lists.parse_shard(bad)
        except kreg.ListError:
            continue
        raise AssertionError(f"SHARD '{bad}' accepted")


def test_lists_model_run_entries_are_checked_simulators_flags_model_file():
    """lists: model-run entries are checked (simulators, flags, model file)"""
    m = GOOD.replace('sub = "layer-test"', 'sub = "model-run"').replace(
        'args = "--rows 16 --cols 8 --batch 1"',
        'args = "--model models/mlperf-tiny/kws_ref_model.tflite"')
    expect_error(m, "model-run runs on verilator, cmodel only")
    m = m.replace('"verilator", "icarus"', '"verilator", "cmodel"')
    tests, _ = lists.load_lists(write("ok.toml", m))
    assert tests["a"]["args"] == ["--model", "models/mlperf-tiny/kws_ref_model.tflite"]
    expect_error(m.replace("kws_ref_model", "nosuch"), "nosuch.tflite: no such file")
    expect_error(m.replace('tflite"', 'tflite --rows 3"'), "model-run takes only --model, --samples")
    expect_error(m.replace('tflite"', 'tflite --samples 0"'), "must be an integer in [1, 64]")
    expect_error(m.replace('args = "--model models/mlperf-tiny/kws_ref_model.tflite"', 'args = ""'),
                 "model-run needs --model")


def fake_report(path, cycles=1000, mvms=7, tile_mvms=(4, 3), stalls=0):
    r = {"setup_cycles": 50, "counters": {
        "cycles": cycles, "instrs": 20, "mvms": mvms, "convs": 11, "adc_convs": 300, "sats": 1,
        "prog_rows": 16, "reads": 9, "stalls": stalls,
        "tiles": {str(t): {"busy": 10 * t, "idle": 5, "mvms": m, "reads": 4, "adc_convs": 150,
                           "sats": t, "stalls": 0} for t, m in enumerate(tile_mvms)}}}
    with open(path, "w") as f:
        json.dump(r, f)
    return path


def test_model_run_signature_of_outputs_counters_bus_read_digest_first():
    """model-run: signature of outputs, counters, bus-read digest; first change named"""
    trace = write("mtrace.txt", "# kirchhoff-trace v1\nW 00000008 00000001\nR 00030000 0000007f\n"
                                "R 00000084 00000000\nE\n")
    rep_a = fake_report(os.path.join(TMP, "ra.json"))
    vals = regress_case.model_values(bytes([0x05, 0xfb, 0x80]), rep_a, trace)
    k3, k4, k5 = casefmt.K_OUT, casefmt.K_COUNTER, casefmt.K_READS
    assert vals[:3] == [(k3, 0, 5), (k3, 1, 0xfb), (k3, 2, 0x80)], vals[:3]
    assert vals[3] == (k4, 0, 50) and vals[4] == (k4, 1, 1000), vals[3:5]
    assert (k4, 64 + 16 + 2, 3) in vals, "tile 1 mvms missing"
    assert vals[-1][:2] == (k5, 2), vals[-1]
    h, blob = casefmt.encode(vals)
    assert casefmt.decode(blob) == vals
    new = list(vals)
    new[1] = (k3, 1, 0xfa)
    d = signatures.first_difference(vals, new)
    assert d == "value #1: output byte #1: was -5 (0xfb), now -6 (0xfa)", d
    rep_b = fake_report(os.path.join(TMP, "rb.json"), tile_mvms=(4, 2))
    d = signatures.first_difference(vals, regress_case.model_values(bytes([0x05, 0xfb, 0x80]),
                                                                 rep_b, trace))
    assert "counter tiles.1.mvms: was 3, now 2" in d, d
    trace2 = write("mtrace2.txt", "R 00030000 0000007e\nR 00000084 00000000\n")
    d = signatures.first_difference(vals, regress_case.model_values(bytes([0x05, 0xfb, 0x80]),
                                                                 rep_a, trace2))
    assert d.startswith(f"value #{len(vals) - 1}: digest of the 2 bus reads: was 0x"), d
    try:
        regress_case.report_counters(write("rbad.json", '{"counters": {"cycles": 1}}'))
        raise AssertionError("report without counters accepted")
    except casefmt.CaseError as e:
        assert "counter 'setup_cycles'" in str(e) or "counter 'instrs'" in str(e), e


def test_model_run_rtl_vs_c_model_output_and_event_counter_differences():
    """model-run: RTL vs C model: output and event-counter differences named, cycles ignored"""
    a = fake_report(os.path.join(TMP, "rtl.json"), cycles=1000, stalls=3)
    b = fake_report(os.path.join(TMP, "cm.json"), cycles=0)   # the C model counts no cycles
    y = bytes([1, 2, 3, 4])
    assert regress_case.compare_runs(y, y, a, b, 2) == []
    d = regress_case.compare_runs(y, bytes([1, 2, 0xff, 4]), a, b, 2)
    assert d == ["outputs: 1 of 4 bytes differ; first: input 1 output 0: RTL 3, C model -1"], d
    c = fake_report(os.path.join(TMP, "cm2.json"), cycles=0, mvms=8, tile_mvms=(5, 3))
    d = regress_case.compare_runs(y, y, a, c, 2)
    assert d == ["counter mvms: RTL 7, C model 8", "counter tiles.0.mvms: RTL 4, C model 5"], d


def test_filter_filter_keeps_matching_cases_update_filter_rewrites_only():
    """filter: --filter keeps matching cases; update --filter rewrites only their signatures"""
    tests, regs = lists.load_lists(os.path.join(ROOT, kreg.LISTS))
    ns = __import__("argparse").Namespace(lists=kreg.LISTS, regression="nightly", shard=None,
                                          filter=r"^model\.kws\.")
    cases, _ = regress.get_regression(ns)
    assert [c["name"] for c in cases] == ["model.kws.edge.verilator.s1",
                                          "model.kws.edge.verilator.s2"], cases
    ns.filter = "nomatch$"
    try:
        regress.get_regression(ns)
        raise AssertionError("empty filter accepted")
    except kreg.ListError as e:
        assert "no case" in str(e)
    sd = os.path.join(TMP, "fsigs")
    run = os.path.join(TMP, "frun")
    old_env = os.environ.get("KH_REGRESS_SIG_DIR")
    os.environ["KH_REGRESS_SIG_DIR"] = sd
    try:
        def put(name, vals):
            os.makedirs(os.path.join(run, "cases", name), exist_ok=True)
            h, blob = casefmt.encode(vals)
            with open(os.path.join(run, "cases", name, "sig.json"), "w") as f:
                json.dump({"sig": h, "n": len(vals), "values": blob}, f)
            return {"name": name, "status": "pass"}
        res = [put(n, [(0, 0x84, i)]) for i, n in enumerate(("a.s1", "b.s1", "m.s1", "m.s2"))]
        signatures.write_sigs("t", res, [run])
        before = json.load(open(os.path.join(sd, "t.json")))
        res2 = [put("m.s1", [(3, 0, 9)])]
        lines = signatures.write_sigs("t", res2, [run], r"^m\.")
        after = json.load(open(os.path.join(sd, "t.json")))
        assert set(after["cases"]) == {"a.s1", "b.s1", "m.s1"}, after["cases"]
        for n in ("a.s1", "b.s1"):
            assert after["cases"][n] == before["cases"][n]
        assert after["cases"]["m.s1"] != before["cases"]["m.s1"]
        assert any(ln.startswith("  removed  m.s2") for ln in lines), lines
        assert any("changed  m.s1" in ln and "output byte #0" in ln for ln in lines), lines
    finally:
        if old_env is None:
            os.environ.pop("KH_REGRESS_SIG_DIR")
        else:
            os.environ["KH_REGRESS_SIG_DIR"] = old_env


def test_lists_committed_nightly_200_cases_3_seeds_per_test_models_2():
    """lists: committed nightly >= 200 cases, >= 3 seeds per test (models 2), every config, both simulators"""
    tests, regs = lists.load_lists(os.path.join(ROOT, kreg.LISTS))
    cases = lists.expand(tests, regs["nightly"])
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    assert len(cases) >= 200, f"nightly has {len(cases)} cases"
    cfgs = {os.path.basename(f)[:-4] for f in os.listdir(os.path.join(ROOT, "configs"))
            if f.endswith(".cfg")}
    assert {c["config"] for c in cases} == cfgs, "nightly does not cover every config"
    assert {"verilator", "icarus"} <= {c["sim"] for c in cases}
    for t in regs["nightly"]["tests"]:
        for cfg in tests[t]["configs"]:
            for sim in tests[t]["sims"]:
                seeds = {c["seed"] for c in cases if (c["test"], c["config"], c["sim"]) == (t, cfg, sim)}
                want = 2 if tests[t]["sub"] == "model-run" else 3   # issue 15: 2 seeds per model
                assert len(seeds) >= want, f"{t} {cfg} {sim}: {len(seeds)} seeds"
    models = {os.path.splitext(f)[0] for f in os.listdir(os.path.join(ROOT, "models", "mlperf-tiny"))
              if f.endswith(".tflite")}
    ran = {os.path.splitext(os.path.basename(tests[t]["args"][1]))[0]
           for t in regs["nightly"]["tests"] if tests[t]["sub"] == "model-run"
           and "verilator" in tests[t]["sims"]}
    assert ran == models, f"nightly runs {sorted(ran)} of the models {sorted(models)} on the RTL"
    smoke = lists.expand(tests, regs["smoke"])
    assert 0 < len(smoke) <= 40, f"smoke has {len(smoke)} cases"


def test_shards_deterministic_disjoint_together_exactly_the_list():
    """shards: deterministic, disjoint, together exactly the list"""
    tests, regs = lists.load_lists(os.path.join(ROOT, kreg.LISTS))
    cases = lists.expand(tests, regs["nightly"])
    for n in (1, 2, 4, 7):
        parts = [lists.shard(cases, i, n) for i in range(n)]
        got = [c["name"] for p in parts for c in p]
        assert sorted(got) == sorted(c["name"] for c in cases), f"N={n}: not a partition"
        assert len(got) == len(set(got)), f"N={n}: overlap"
        assert max(map(len, parts)) - min(map(len, parts)) <= 1, f"N={n}: unbalanced"
        again = [c["name"] for c in lists.shard(cases, n - 1, n)]
        assert again == [c["name"] for c in parts[n - 1]], "not deterministic"


def test_signatures_encode_decode_round_trip_first_difference_named_with():
    """signatures: encode/decode round trip; first difference named with old and new value"""
    vals = [(0, 0x30000, 0x7f81ff02), (0, 0x84, 0), (1, 0x99999, 2), (2, 0, 12345)]
    h, blob = casefmt.encode(vals)
    assert casefmt.decode(blob) == vals
    h2, _ = casefmt.encode(vals[:1] + [(0, 0x84, 1)] + vals[2:])
    assert h != h2 and len(h) == 16
    new = list(vals)
    new[0] = (0, 0x30000, 0x7f81ff03)
    d = signatures.first_difference(vals, new)
    assert d == "value #0: read act_out+0x0: was 0x7f81ff02, now 0x7f81ff03", d
    d = signatures.first_difference(vals, vals[:3])
    assert "3 values, was 4" in d and "missing value #3: player cycles = 12345" in d, d
    d = signatures.first_difference(vals, vals[:1] + [(0, 0x84, 0x10)] + vals[2:])
    assert "csr.cycles_hi: was 0x00000000, now 0x00000010" in d, d
    p = write("trace.txt", "# kirchhoff-trace v1 config=tiny seed=1\nW 00000008 00000001\n"
                           "R 00030000 0000007f\nP 0000000c 00000001 00000000 5\nE\n")
    assert regress_case.parse_reads(p, False) == [(0, 0x30000, 0x7f)]
    p = write("result.txt", "W 00000008 0\nW 00099999 3\nR 00030000 0000007f 0\n"
                            "P 0000000c 00000000 3 1\nC 4242\n")
    assert regress_case.parse_reads(p, True) == [(1, 0x99999, 3), (0, 0x30000, 0x7f), (2, 0, 4242)]
    p = write("broken.txt", "R 0003zz00\n")
    try:
        regress_case.parse_reads(p, False)
        raise AssertionError("malformed trace accepted")
    except casefmt.CaseError as e:
        assert "broken.txt:1" in str(e)


def fake_cases(cmds):
    return [{"name": f"f{i}", "test": "fake", "config": "tiny", "sim": "cmodel", "seed": i,
             "sub": "csr-test", "args": [], "timeout": 2} for i in range(len(cmds))]


def run_fake(cmds, run_dir, done=None, jobs=2):
    orig = runner.case_command
    runner.case_command = lambda c, build, out, waves=False: cmds[c["seed"]]
    try:
        os.makedirs(os.path.join(run_dir, "cases"), exist_ok=True)
        runner.run_cases(fake_cases(cmds), run_dir, BUILD, jobs, done or {})
    finally:
        runner.case_command = orig
    out = {}
    for i in range(len(cmds)):
        p = os.path.join(run_dir, "cases", f"f{i}", "result.json")
        if os.path.exists(p):
            with open(p) as f:
                out[f"f{i}"] = json.load(f)
    return out


def test_runner_hang_killed_by_the_timeout_crash_and_failure_recorded():
    """runner: hang killed by the timeout, crash and failure recorded, pass kept"""
    t0 = time.monotonic()
    res = run_fake(["true", "sleep 30 & sleep 30", "kill -SEGV $$", "exit 3", "echo hi"],
                   os.path.join(TMP, "fake1"))
    assert time.monotonic() - t0 < 10, "the hang was not cut by its timeout"
    assert res["f0"]["status"] == "pass" and res["f4"]["status"] == "pass"
    assert res["f1"]["status"] == "fail" and "timeout after 2 s" in res["f1"]["reason"], res["f1"]
    assert res["f2"]["status"] == "fail" and "signal 11" in res["f2"]["reason"], res["f2"]
    assert res["f3"]["reason"] == "exit code 3", res["f3"]
    with open(os.path.join(TMP, "fake1", "journal.jsonl")) as f:
        assert len(f.read().splitlines()) == 5


def test_runner_an_interrupt_keeps_finished_cases_resume_runs_only_the():
    """runner: an interrupt keeps finished cases; resume runs only the rest"""
    d = os.path.join(TMP, "fake2")
    marks = os.path.join(TMP, "marks")
    os.makedirs(marks, exist_ok=True)
    cmds = [f"echo x >> {marks}/c{i}; sleep 0.3" for i in range(6)]
    cmds[3] = f"echo x >> {marks}/c3; kill -TERM {os.getpid()}; sleep 0.3"
    try:
        run_fake(cmds, d, jobs=1)
        raise AssertionError("no interrupt")
    except runner.Interrupted:
        pass
    first = {n: r["status"] for n, r in
             ((n, json.load(open(os.path.join(d, "cases", n, "result.json"))))
              for n in os.listdir(os.path.join(d, "cases"))
              if os.path.exists(os.path.join(d, "cases", n, "result.json")))}
    assert set(first) == {"f0", "f1", "f2"}, first
    res = run_fake(cmds[:3] + [f"echo x >> {marks}/c3"] + cmds[4:], d, done=first, jobs=1)
    assert all(r["status"] == "pass" for r in res.values()) and len(res) == 6
    runs = {f: len(open(os.path.join(marks, f)).read().split()) for f in os.listdir(marks)}
    assert runs == {"c0": 1, "c1": 1, "c2": 1, "c3": 2, "c4": 1, "c5": 1}, runs


def test_build_failure_fails_only_the_cases_of_the_broken_target():
    """runner: a target that fails to build fails only its cases, naming it; the others still run"""
    calls = []

    def fake_call(argv, **kw):
        calls.append(argv)
        if "-k" in argv:
            return 2  # make -k: some target failed
        return 1 if "-q" in argv and "/large/" in argv[-1] else 0

    cases = [dict(c, config=cfg, sim=sim, name=f"{cfg}.{sim}", seed=1)
             for c in fake_cases(["true"]) for cfg, sim in
             (("tiny", "verilator"), ("large", "verilator"), ("large", "cmodel"), ("tiny", "icarus"))]
    orig = runner.subprocess.call
    runner.subprocess.call = fake_call
    try:
        failed = runner.build_configs(cases, BUILD)
    finally:
        runner.subprocess.call = orig
    assert failed == [f"{BUILD}/large/vl/aimc-vl", f"{BUILD}/large/vl/aimc-test-vl"], failed
    assert calls[0][:3] == ["make", "-s", "-k"] and f"{BUILD}/tiny/icarus/sim.vvp" in calls[0]
    d = os.path.join(TMP, "buildfail")
    os.makedirs(os.path.join(d, "cases"), exist_ok=True)
    done = {}
    assert runner.record_build_failures(cases, d, BUILD, failed, done) == 1
    assert done == {"large.verilator": "fail"}, done
    with open(os.path.join(d, "cases", "large.verilator", "result.json")) as f:
        r = json.load(f)
    assert r["status"] == "fail" and f"{BUILD}/large/vl/aimc-vl" in r["reason"], r
    assert r["rerun"].startswith(f"make BUILD={BUILD} {BUILD}/large/vl/aimc-vl"), r["rerun"]
    assert not os.path.exists(os.path.join(d, "cases", "tiny.verilator"))
    assert not os.path.exists(os.path.join(d, "cases", "large.cmodel"))


SIGDIR = os.path.join(TMP, "sigs")
ENV = dict(os.environ, KH_REGRESS_SIG_DIR=SIGDIR)
ENV.pop("FILTER", None)   # regress.py reads FILTER (make regress FILTER=...)


def cli(*args, timeout=600):
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "regress.py"), *args],
                       cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=ENV)
    return p.returncode, p.stdout + p.stderr


def totals(run_dir):
    with open(os.path.join(run_dir, "regress.json")) as f:
        r = json.load(f)
    return r["summary"], {c["name"]: (c["status"], c["sig"]) for c in r["cases"]}


def run_dir_of(out):
    for line in out.splitlines():
        if "run folder" in line:
            return os.path.join(ROOT, line.split("run folder ")[1].strip())
    raise AssertionError("no run folder in output:\n" + out)


def test_smoke_real_shards_0_2_1_2_merged_one_run_kill_resume_one_run():
    """smoke (real): shards 0/2 + 1/2 merged == one run; kill + resume == one run; signatures"""
    build = os.path.join(TMP, "b")
    os.makedirs(build)
    for part in ("sw", "tests", "tiny", "small"):
        os.symlink(os.path.join(BUILD, part), os.path.join(build, part))
    common = ["-r", "smoke", "--build", build, "--no-build", "-j", "2"]
    rc, out = cli("run", *common)
    assert rc == 0 and "20 passed, 0 failed" in out, out
    one = run_dir_of(out)
    s1, c1 = totals(one)
    dirs = []
    for i in range(2):
        rc, out = cli("run", *common, "--shard", f"{i}/2")
        assert rc == 0, out
        dirs.append(run_dir_of(out))
    rc, out = cli("merge", "--build", build, "--out", os.path.join(TMP, "merged"), *dirs)
    assert rc == 0, out
    sm, cm = totals(os.path.join(TMP, "merged"))
    assert (sm, cm) == (s1, c1), f"merged {sm} != one run {s1}"
    rc, out = cli("merge", "--build", build, "--out", os.path.join(TMP, "m2"), dirs[0], dirs[0])
    assert rc == 2 and "is in" in out, out

    # Kill midway (SIGTERM to the runner), then resume.
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tools", "regress.py"), "run",
                          *common[:-2], "-j", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=ENV)
    rd = None
    while rd is None:
        line = p.stdout.readline()
        assert line, "runner ended before printing its run folder"
        if "run folder" in line:
            rd = run_dir_of(line)
    while True:
        with open(os.path.join(rd, "journal.jsonl")) if os.path.exists(
                os.path.join(rd, "journal.jsonl")) else open(os.devnull) as f:
            if len(f.read().splitlines()) >= 5:
                break
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    rest = p.communicate(timeout=60)[0]
    assert p.returncode == 130 and "Resume:" in rest, rest
    kept = len(open(os.path.join(rd, "journal.jsonl")).read().splitlines())
    assert 5 <= kept < 20, kept
    rc, out = cli("run", *common, "--resume", rd)
    assert rc == 0 and f"({kept} already done)" in out, out
    sr, cr = totals(rd)
    assert (sr, cr) == (s1, c1), f"resumed {sr} != one run {s1}"
    lines = open(os.path.join(rd, "journal.jsonl")).read().splitlines()
    assert len(lines) == 20, f"{len(lines)} journal lines: a finished case was repeated"

    # Signatures: accept one run, then alter one reference value: the check names that case.
    sigfile = os.path.join(SIGDIR, "smoke.json")
    if True:
        rc, out = cli("update", *common, "--run", one)
        assert rc == 0 and "20 cases; 20 changed, new or removed" in out, out
        rc, out = cli("merge", "--build", build, "--out", os.path.join(TMP, "m3"), one)
        assert rc == 0 and "20 unchanged, 0 changed" in out, out
        doc = json.load(open(sigfile))
        name = "layer.odd.small.verilator.s1"
        h = doc["cases"][name]["sig"]
        vals = casefmt.decode(doc["values"][h])
        k = next(i for i, v in enumerate(vals) if v[1] >= 0x30000 and v[1] < 0x40000)
        vals[k] = (vals[k][0], vals[k][1], vals[k][2] ^ 1)
        h2, blob = casefmt.encode(vals)
        doc["values"][h2] = blob
        doc["cases"][name]["sig"] = h2
        json.dump(doc, open(sigfile, "w"))
        rc, out = cli("merge", "--build", build, "--out", os.path.join(TMP, "m4"), one)
        assert rc == 3, out
        assert f"SIGNATURE CHANGED {name}: {h2} -> {h}: value #{k}: read act_out+" in out, out
        assert "19 unchanged, 1 changed" in out and "20 passed, 0 failed" in out, out
        rc, out = cli("update", *common, "--run", one)
        assert rc == 0 and f"changed  {name} {h2} -> {h}" in out and "1 changed" in out, out




def test_long_tests_after_the_cases_failures_fail_the_run_with_rerun_lines():
    """runner.run_long_tests on a registry with a pass and a fail: counts, the failure's rerun line
    names make test-long; summarize puts them in regress.json and failures.txt and exits 1 (0
    without the failure); a registry the runner rejects counts as a failure"""
    reg = write("long.txt", "lp | 10 | true\nlf | 10 | echo broke; exit 5\n")
    run_dir = os.path.join(TMP, "longrun")
    os.makedirs(run_dir, exist_ok=True)
    lt = runner.run_long_tests(run_dir, os.path.join(TMP, "longbuild"), 2, registry=reg)
    assert lt["passed"] == 1 and lt["failed"] == 1, lt
    (f,) = lt["failures"]
    assert f["name"] == "lf" and "exit code 5" in f["reason"] and "make test-long" in f["rerun"] \
        and f["rerun"].endswith("TEST=lf"), f
    from kirchhoff.regress.reports import summarize
    rc = summarize(run_dir, "nightly", [], [], 1.0, [run_dir], None, False, lt)
    assert rc == kreg.EXIT_FAIL, rc
    rep = json.load(open(os.path.join(run_dir, "regress.json")))
    assert rep["long_tests"]["failed"] == 1, rep["long_tests"]
    assert "TEST=lf" in open(os.path.join(run_dir, "failures.txt")).read()
    ok = dict(lt, failed=0, failures=[])
    assert summarize(run_dir, "nightly", [], [], 1.0, [run_dir], None, False, ok) == kreg.EXIT_PASS
    bad = runner.run_long_tests(run_dir, os.path.join(TMP, "longbuild"), 2,
                                registry=write("long-bad.txt", "no separator here\n"))
    assert bad["failed"] == 1 and bad["failures"][0]["name"] == "long-tests", bad
