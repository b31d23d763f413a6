#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Nothing lost (issue 16, item 2): kirchhoff.atomic, the one file writer of the Python tools, and
the tools that write through it (tools/run_tests.py, tools/regress.py, tools/regress_case.py,
python -m kirchhoff). A full disk is a 64 KiB tmpfs (mount needs root: without it those checks
print SKIP with the reason); the checks show the previous report / signature byte for byte after
a failed write, no temporary left, and outputs equal to inputs refused. Also `python -m
kirchhoff info` on a version-3 network file (it said "version 3, only 1 and 2 are known").

  .venv/bin/python -m pytest tests/python/test_atomic.py      (PASS/FAIL/SKIP lines; exit 1 on a failure)
"""

import contextlib
import errno
import json
import os
import subprocess
import sys
import tempfile

import pytest

import kirchhoff.regress as kreg
from kirchhoff import atomic
from kirchhoff.regress import casefmt, reports, signatures

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TMP = tempfile.mkdtemp(prefix="kh_test_atomic_")
ENV = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sw", "python"))





def read(p):
    with open(p, "rb") as f:
        return f.read()


def temporaries(d):
    return [n for n in os.listdir(d) if ".tmp" in n]


@contextlib.contextmanager
def full_disk(d, keep=None):
    """Mount a 64 KiB tmpfs on d, run keep(d) (the good files to keep), fill the rest, yield;
    unmount at the end. Skip (with the reason) where mount fails (not root, no tmpfs)."""
    os.makedirs(d, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a 64 KiB tmpfs on {d} (root needed to simulate a full disk): "
                   f"{(p.stderr or p.stdout).strip()}")
    try:
        if keep:
            keep(d)
        try:
            with open(os.path.join(d, "filler"), "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
        yield d
    finally:
        subprocess.run(["umount", d], check=False)


# ---- the helper ------------------------------------------------------------------------------

def test_write_bytes_write_json_replace_a_file_whole_keep_no_temporary():
    """write_bytes / write_json replace a file whole, keep no temporary, keep the mode"""
    d = os.path.join(TMP, "basic")
    os.makedirs(d)
    p = os.path.join(d, "r.json")
    atomic.write_json(p, {"a": 1})
    atomic.write_json(p, {"a": 2})
    assert json.loads(read(p)) == {"a": 2}
    assert temporaries(d) == [], temporaries(d)
    assert os.stat(p).st_mode & 0o777 == 0o666 & ~atomic._umask()
    atomic.write_bytes("/dev/null", b"x")  # a device is written, not replaced
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_an_output_that_is_an_input_is_refused_before_anything_is_written():
    """an output that is an input is refused before anything is written: path, hard link, symlink, the same output
    twice"""
    d = os.path.join(TMP, "same")
    os.makedirs(d)
    src = os.path.join(d, "in.bin")
    with open(src, "wb") as f:
        f.write(b"precious")
    os.link(src, os.path.join(d, "hard.bin"))
    os.symlink("in.bin", os.path.join(d, "sym.bin"))
    for out in (src, os.path.join(d, ".", "in.bin"), os.path.join(d, "hard.bin"),
                os.path.join(d, "sym.bin")):
        try:
            atomic.write_bytes(out, b"clobbered", inputs=[src])
        except atomic.SameFileError as e:
            assert "same file as the input" in str(e), e
        else:
            raise AssertionError(f"{out} accepted as an output of input {src}")
    assert read(src) == b"precious" and temporaries(d) == []
    o = os.path.join(d, "o.txt")
    try:
        atomic.write_many({o: "a", os.path.join(d, ".", "o.txt"): "b"})
    except atomic.SameFileError:
        pass
    else:
        raise AssertionError("the same output twice accepted")
    assert not os.path.exists(o)


def test_write_many_a_failure_in_the_second_file_replaces_neither():
    """write_many: a failure in the second file replaces neither"""
    d = os.path.join(TMP, "many")
    os.makedirs(d)
    a, b = os.path.join(d, "a.json"), os.path.join(d, "sub", "b.json")
    atomic.write_text(a, "old a\n")
    try:
        atomic.write_many({a: "new a\n", b: "new b\n"})  # b's folder does not exist
    except OSError:
        pass
    else:
        raise AssertionError("no error for a missing folder")
    assert read(a) == b"old a\n" and temporaries(d) == []


def test_full_disk_write_json_fails_with_enospc_the_old_file_intact_no():
    """full disk: write_json fails with ENOSPC, the old file intact, no temporary"""
    d = os.path.join(TMP, "disk_helper")
    good = json.dumps({"good": list(range(200))}).encode()

    def keep(dd):
        atomic.write_bytes(os.path.join(dd, "report.json"), good)
    with full_disk(d, keep):
        try:
            atomic.write_json(os.path.join(d, "report.json"), {"new": list(range(5000))})
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
        else:
            raise AssertionError("a write to a full disk succeeded")
        assert read(os.path.join(d, "report.json")) == good
        assert temporaries(d) == [], temporaries(d)


# ---- the tools -------------------------------------------------------------------------------

def run_tests(reg_text, build, *extra):
    reg = os.path.join(os.path.dirname(build), "registry.txt")
    os.makedirs(os.path.dirname(build), exist_ok=True)
    with open(reg, "w") as f:
        f.write(reg_text)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "run_tests.py"),
                        "--registry", reg, "--build", build, *extra],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def test_run_tests_a_full_disk_under_build_reports_keeps_the_previous():
    """run_tests: a full disk under BUILD/reports keeps the previous test.json and junit.xml byte for byte (was: written
    in place, a partial or empty report)"""
    base = os.path.join(TMP, "rt")
    build = os.path.join(base, "build")
    rc, out = run_tests("ok | 20 | true\n", build)
    assert rc == 0, out
    rep = os.path.join(build, "reports")
    old = {n: read(os.path.join(rep, n)) for n in ("test.json", "junit.xml")}
    os.rename(rep, rep + ".saved")

    def keep(dd):
        for n, data in old.items():
            atomic.write_bytes(os.path.join(dd, n), data)
    with full_disk(rep, keep):
        rc, out = run_tests("".join(f"t{i} | 20 | true\n" for i in range(20)), build)
        assert rc == 1, (rc, out)
        assert "could not be written" in out and "unchanged" in out, out
        assert "No space left on device" in out, out
        for n, data in old.items():
            assert read(os.path.join(rep, n)) == data, f"{n} changed"
        assert temporaries(rep) == [], temporaries(rep)
        assert "\n20 passed, 0 failed\n" in out, out


def test_run_tests_a_registry_that_is_one_of_its_reports_is_refused_exit():
    """run_tests: a registry that is one of its reports is refused (exit 2), nothing written"""
    build = os.path.join(TMP, "rt_same", "build")
    rep = os.path.join(build, "reports")
    os.makedirs(rep)
    reg = os.path.join(rep, "test.json")
    with open(reg, "w") as f:
        f.write("x | 5 | true\n")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "run_tests.py"),
                        "--registry", reg, "--build", build], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "refusing to overwrite" in p.stderr, p.stdout + p.stderr
    assert read(reg) == b"x | 5 | true\n"


def fake_case(run_dir, name, vals):
    d = os.path.join(run_dir, "cases", name)
    os.makedirs(d, exist_ok=True)
    digest, blob = casefmt.encode(vals)
    atomic.write_json(os.path.join(d, "sig.json"), {"sig": digest, "n": len(vals),
                                                     "values": blob})
    return {"name": name, "test": "t", "status": "pass", "seconds": 0.1, "sig": digest,
            "reason": "", "log": "x.log", "rerun": "true", "command": "true"}


def test_regress_a_full_disk_keeps_the_previous_signature_file_regress():
    """regress: a full disk keeps the previous signature file (regress-update) and the previous regress.json / junit.xml
    / failures.txt / summary.html of a run folder"""
    base = os.path.join(TMP, "reg")
    run_dir = os.path.join(base, "run")
    sigdir = os.path.join(base, "sigs")
    os.environ["KH_REGRESS_SIG_DIR"] = sigdir
    try:
        r_old = fake_case(run_dir, "c1", [(0, 0x10, 1), (0, 0x14, 2)])
        cases = [{"name": "c1"}]

        def keep_sig(dd):
            signatures.write_sigs("demo", [r_old], [run_dir])
        with full_disk(sigdir, keep_sig):
            p = os.path.join(sigdir, "demo.json")
            good = read(p)
            r_new = fake_case(run_dir, "c1", [(0, 0x10, 1)] + [(0, 4 * i, i) for i in
                                                                 range(3000)])
            try:
                signatures.write_sigs("demo", [r_new], [run_dir])
            except kreg.ListError as e:
                assert "unchanged" in str(e) and "No space left" in str(e), e
            else:
                raise AssertionError("write_sigs on a full disk succeeded")
            assert read(p) == good and temporaries(sigdir) == []
        out_dir = os.path.join(base, "out")
        names = ("regress.json", "junit.xml", "failures.txt", "summary.html")

        def keep_out(dd):
            rc = reports.summarize(dd, "demo", cases, [r_old], 1.0, [run_dir], None, False)
            assert rc == kreg.EXIT_PASS, rc
        with full_disk(out_dir, keep_out):
            old = {n: read(os.path.join(out_dir, n)) for n in names}
            many = [dict(r_old, name=f"c{i}", status="fail", reason="x" * 200)
                    for i in range(400)]
            rc = reports.summarize(out_dir, "demo", [{"name": r["name"]} for r in many], many,
                                   1.0, [run_dir], None, False)
            assert rc == kreg.EXIT_FAIL, rc
            for n in names:
                assert read(os.path.join(out_dir, n)) == old[n], f"{n} changed"
            assert temporaries(out_dir) == [], temporaries(out_dir)
    finally:
        os.environ.pop("KH_REGRESS_SIG_DIR", None)


def test_regress_case_a_full_disk_keeps_the_previous_sig_json_of_a_case():
    """regress_case: a full disk keeps the previous sig.json of a case"""
    import regress_case
    d = os.path.join(TMP, "case")
    src = os.path.join(TMP, "case_src.txt")
    with open(src, "w") as f:
        f.write("trace\n")

    def keep(dd):
        regress_case.write_sig(dd, [(0, 0x10, 1)], src, os.path.join(dd, "none.json"))
    with full_disk(d, keep):
        good = read(os.path.join(d, "sig.json"))
        try:
            regress_case.write_sig(d, [(0, 4 * i, i * 7919) for i in range(20000)], src,
                                   os.path.join(d, "none.json"))
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
        else:
            raise AssertionError("write_sig on a full disk succeeded")
        assert read(os.path.join(d, "sig.json")) == good and temporaries(d) == []


# ---- python -m kirchhoff info on format version 3 -----------------------------------------------

def small_graph():
    import numpy as np

    from kirchhoff import graphfile as gf
    rng = np.random.default_rng(1)
    t = [gf.Tensor(1, 1, 8, -3, 0.05), gf.Tensor(1, 1, 4, 2, 0.1)]
    nd = gf.Node(op=gf.OP_FC, in0=0, out=1, act_min=-128, act_max=127, k=8, n=4,
                 w=rng.integers(-127, 128, size=(4, 8)).astype(np.int8),
                 bias=np.arange(4, dtype=np.int32), mult=np.full(4, 1 << 30, np.int32),
                 shift=np.full(4, -5, np.int32), eff_scale=np.full(4, 0.0125))
    return gf.Graph(t, [nd])


def test_kirchhoff_info_reads_a_version_3_file_was_version_3_only_1_and_2():
    """kirchhoff info reads a version-3 file (was: 'version 3, only 1 and 2 are known', exit 1) and names the CRC of a
    corrupt one (exit 1)"""
    from kirchhoff import graphfile as gf
    p = os.path.join(TMP, "g3.khnf")
    gf.write_graph(p, small_graph())
    r = subprocess.run([sys.executable, "-m", "kirchhoff", "info", p], capture_output=True,
                       text=True, env=ENV, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "version 3 graph, 1 nodes (1 on the chip)" in r.stdout, r.stdout
    assert "node 0: FC 1x1x8 -> 1x1x4, k 8 n 4" in r.stdout, r.stdout
    data = bytearray(read(p))
    data[40] ^= 1
    bad = os.path.join(TMP, "g3bad.khnf")
    with open(bad, "wb") as f:
        f.write(bytes(data))
    r = subprocess.run([sys.executable, "-m", "kirchhoff", "info", bad], capture_output=True,
                       text=True, env=ENV, timeout=60)
    assert r.returncode == 1 and "CRC mismatch" in r.stderr and "g3bad.khnf" in r.stderr, r.stderr


def test_kirchhoff_export_out_over_the_data_file_is_refused_the_csv_kept():
    """kirchhoff export: --out over the --data file is refused, the CSV kept"""
    d = os.path.join(TMP, "exp")
    os.makedirs(d)
    csv = os.path.join(d, "meta.json")  # the CSV named like an output of export
    text = "a,b,c\n" + "".join(f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}\n" for i in range(40))
    with open(csv, "w") as f:
        f.write(text)
    r = subprocess.run([sys.executable, "-m", "kirchhoff", "export", "--out", d, "--data", csv],
                       capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 1 and "refusing to overwrite" in r.stderr, r.stdout + r.stderr
    assert read(csv) == text.encode() and not os.path.exists(os.path.join(d, "net.khnf"))


