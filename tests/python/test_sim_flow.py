#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of sw/python/sim.py (`make sim`) against a stand-in `aimc` CLI written by this test:
the report keys and values, the performance formulas of docs/sim.md (recomputed by hand from the
stand-in's fixed counters), and that every kind of failure exits non-zero naming the command.
The real CLIs are exercised by `make sim` itself; this checks sim.py's own logic.

  .venv/bin/python -m pytest tests/python/test_sim_flow.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SIM = os.path.join(ROOT, "sw", "python", "sim.py")
TMP = tempfile.mkdtemp(prefix="kh_test_sim_")

# The stand-in CLI: configs base / ideal64 as fixed JSON; `run` computes the outputs with the
# kirchhoff numpy model and reports fixed per-sample counters. FAKE_MODE breaks it on purpose.
FAKE = r'''
import json, os, sys
sys.path.insert(0, os.path.join(@ROOT@, "sw", "python"))
import numpy as np
from kirchhoff import export, quantize as q
E = dict(clock_mhz=200.0, e_adc_pj=2.0, e_dac_pj=0.054, e_sram_pj_bit=0.16, e_acc_pj=0.1,
         e_post_pj=3.3, num_tiles=1, rows=64, cols=32, dac_bits=1)
CFG = {"base": dict(E, name="base", adc_bits=8, prog_sigma=0.01, read_sigma=0.005),
       "ideal64": dict(E, name="ideal64", adc_bits=14, prog_sigma=0.0, read_sigma=0.0)}
mode = os.environ.get("FAKE_MODE", "ok")
a = sys.argv[1:]
if a[:2] == ["config", "--json"]:
    print(json.dumps(CFG[os.path.basename(a[2])[:-4]]))
    sys.exit(0)
o = dict(zip(a[1::2], a[2::2]))
if a[0] == "calibrate":
    # Identity calibration: the network unchanged, one record per layer.
    if mode == "fail_cal":
        sys.exit("fake: simulated calibration failure")
    net = export.read_net(o["--net"])
    export.write_net(o["--out"], net)
    layers = {str(i): dict(adc_shift_before=L.adc_shift, adc_shift_after=L.adc_shift,
                           acc_rms_error_before=1.0, acc_rms_error_after=0.5,
                           acc_rms_ideal=100.0)
              for i, L in enumerate(net.layers)}
    json.dump(dict(test="calibrate", samples=len(np.fromfile(o["--inputs"], dtype=np.int8))
                   // net.n_inputs, layers=layers, wall_s=0.1), open(o["--report"], "w"))
    print("calibrate: layer 0 (fake)")
    sys.exit(0)
c = CFG[os.path.basename(o["--config"])[:-4]]
rtl = o["--backend"] == "verilator"
if mode == "fail_rtl" and rtl:
    sys.exit("fake: simulated RTL crash")
net = export.read_net(o["--net"])
x = np.fromfile(o["--inputs"], dtype=np.int8).reshape(-1, net.n_inputs)
# The sliced numpy pass is slow: identical (network, inputs, config) runs share one result.
import hashlib

key = hashlib.sha1(open(o["--net"], "rb").read() + x.tobytes() + c["name"].encode()).hexdigest()
cache = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache_" + key + ".npy")
if os.path.exists(cache):
    y = np.load(cache)
else:
    y = q.forward_int8_sliced(net, x, c["rows"], c["dac_bits"], c["adc_bits"])
    np.save(cache, y)
if ((mode == "flip_hwa_rtl" and rtl and os.path.basename(o["--net"]) == "net_hwa.khnf")
        or (mode == "flip_rtl" and rtl) or (mode == "flip_cal_rtl" and rtl and "calibrated" in o["--net"])
        or (mode == "flip_ref" and c["name"] == "ideal64")):
    y[5, 1] ^= 4
if mode == "short_out" and rtl:
    y = y[:-1]
y.tofile(o["--out"])
n = len(x)
cnt = dict(instrs=7 * n, mvms=2 * n, convs=28 * n, adc_convs=896 * n, sats=0, prog_rows=96 * n)
if mode == "counters_rtl" and rtl:
    cnt["sats"] = 1
json.dump(dict(backend=o["--backend"], config=c["name"], seed=int(o["--seed"]), samples=n,
               batch=64, batches=-(-n // 64), cycles=0 if mode == "zero_cycles" else 1000 * n,
               counters=cnt,
               wall_s=2.0, sim_cycles_per_s=500.0 * n), open(o["--report"], "w"))
'''



def fake_cli():
    p = os.path.join(TMP, "fake_aimc")
    with open(p, "w") as f:
        f.write(f"#!{sys.executable}\n" + FAKE.replace("@ROOT@", repr(ROOT)))
    os.chmod(p, 0o755)
    return p


def sim(mode="ok", extra=(), tag="ok"):
    fake = fake_cli()
    build = os.path.join(TMP, tag)
    cmd = [sys.executable, SIM, "--config", "configs/base.cfg", "--ref-config",
           "configs/ideal64.cfg", "--build", build, "--seed", "3", "--aimc", fake,
           "--aimc-vl", fake, *extra]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, FAKE_MODE=mode))
    return p.returncode, p.stdout + p.stderr, os.path.join(build, "reports", "sim.json")


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b))


def test_passing_run_report_keys_accuracies_bit_exact_verdict_performance():
    """passing run: report keys, accuracies, bit-exact verdict, performance formulas"""
    rc, out, rep_path = sim()
    assert rc == 0, f"exit {rc}\n{out[-3000:]}"
    assert "sim: PASS" in out and "make sim CONFIG=base SEED=3" in out
    r = json.load(open(rep_path))
    for k in ("network", "config", "simulator", "seed", "samples", "accuracy", "rtl_vs_cmodel",
              "cycles", "wall_s", "sim_cycles_per_s", "clock_mhz", "tops", "tops_per_w",
              "energy_per_inference_uj", "tools"):
        assert k in r, f"sim.json lacks {k}"
    assert r["samples"] == 360 and r["seed"] == 3 and r["config"] == "base"
    assert r["network"]["layers"] == [64, 32, 10]
    assert r["rtl_vs_cmodel"] == dict(r["rtl_vs_cmodel"], bit_exact=True, mismatches=0,
                                      compared=3600)
    acc = r["accuracy"]
    assert set(acc) == {"float", "int8_reference", "cmodel", "rtl", "cmodel_calibrated",
                        "rtl_calibrated"}
    cal = r["calibration"]
    assert cal["samples"] == 500 and set(cal["layers"]) == {"0", "1"}, cal
    assert acc["rtl_calibrated"] == acc["rtl"], "identity calibration changes nothing"
    assert cal["rtl_within_1pp_of_int8_ideal"] == (acc["rtl"] >= acc["int8_reference"] - 0.01)
    assert cal["rtl_vs_cmodel_mismatches"] == 0
    assert acc["float"] > 0.93 and acc["int8_reference"] > 0.93 and acc["rtl"] == acc["cmodel"]
    assert r["network"]["adc_shifts"] != [0, 0], "base (8-bit ADC) needs an adc_shift"
    assert r["cycles"] == 360_000 and r["wall_s"] == 2.0
    # docs/sim.md by hand, per sample: adc_convs 896, reads 896/32 = 28, MACs 64*32 + 32*10 =
    # 2368; 6 batches of 64 run 384 vectors with 1 + 1 POSTs each: 2 * 384 / 360 per sample
    posts = 2 * 384 / 360
    e_adc, e_dac, e_acc, e_post = 2.0 * 896, 0.054 * 64 * 28, 0.1 * 896, 3.3 * 32 * posts
    bits = 64 * 7 + 8 * 64 * 2 + 64 * 896 + 8 * 32 * 96 + (32 + 96 + 8) * 32 * posts
    e = e_adc + e_dac + e_acc + e_post + 0.16 * bits          # 17031.85 pJ
    t = 1000 / 200e6
    assert close(r["energy_per_inference_uj"], e * 1e-6), (r["energy_per_inference_uj"], e)
    assert close(r["tops"], 2 * 2368 / t / 1e12), r["tops"]
    assert close(r["tops_per_w"], 2 * 2368 / e), r["tops_per_w"]
    assert r["clock_mhz"] == 200.0
    png = os.path.join(TMP, "ok", "reports", "sim.png")
    assert r["plot"] == png and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "no sim.png"
    assert len(r["per_layer_quant_error"]) == 2 and 0 < r["per_layer_quant_error"][0] < 0.2
    for f in ("net_ref.khnf", "net_base.khnf", "test_inputs.i8", "out_rtl.i8"):
        assert os.path.isfile(os.path.join(TMP, "ok", "sim", "base-seed3", f)), f


def test_rtl_output_mismatch_exit_1_mismatch_counted_rtl_command_printed():
    """RTL output mismatch: exit 1, mismatch counted, RTL command printed"""
    rc, out, rep_path = sim("flip_rtl", tag="flip")
    assert rc == 1, f"exit {rc}"
    assert "RTL and C model differ" in out and "--backend verilator" in out
    assert "rerun: make sim" in out
    rv = json.load(open(rep_path))["rtl_vs_cmodel"]
    assert rv["bit_exact"] is False and rv["mismatches"] == 1 and rv["mismatched_samples"] == [5]


def test_calibration_a_failing_calibrate_or_a_calibrated_rtl_mismatch():
    """calibration: a failing calibrate or a calibrated RTL mismatch exits 1 with the command"""
    rc, out, _ = sim("fail_cal", tag="failcal")
    assert rc == 1 and "simulated calibration failure" in out and " calibrate " in out, \
        out[-2000:]
    rc, out, _ = sim("flip_cal_rtl", tag="flipcal")
    assert rc == 1 and "calibrated network: RTL and C model differ in 1" in out, out[-2000:]


def test_rtl_counter_mismatch_or_no_cycle_count_exit_1():
    """RTL counter mismatch or no cycle count: exit 1"""
    rc, out, _ = sim("counters_rtl", tag="cnt")
    assert rc == 1 and "counters differ" in out and "sats 0 vs 1" in out, out[-2000:]
    rc, out, _ = sim("zero_cycles", tag="cyc")
    assert rc == 1 and "cycles = 0" in out, out[-2000:]


def test_c_ideal_vs_numpy_int8_mismatch_exit_1_says_python_and_c_disagree():
    """C ideal vs numpy int8 mismatch: exit 1, says Python and C disagree"""
    rc, out, _ = sim("flip_ref", tag="ref")
    assert rc == 1 and "Python and C disagree" in out and "ideal64" in out, out[-2000:]


def test_tool_failure_and_short_output_exit_1_with_the_command():
    """tool failure and short output: exit 1 with the command"""
    rc, out, _ = sim("fail_rtl", tag="fail")
    assert rc == 1 and "exit code 1" in out and "simulated RTL crash" in out, out[-2000:]
    assert "command:" in out and "run --config configs/base.cfg" in out
    rc, out, _ = sim("short_out", tag="short")
    assert rc == 1 and "expected 360 x 10" in out, out[-2000:]


def test_train_hwa_the_hardware_aware_network_runs_beside_the_post():
    """TRAIN=hwa: the hardware-aware network runs beside the post-training one; a mismatch fails"""
    rc, out, rep_path = sim(extra=("--train", "hwa"), tag="hwa")
    assert rc == 0, f"exit {rc}\n{out[-3000:]}"
    rerun = next((ln for ln in out.splitlines() if ln.startswith("sim: PASS. Rerun: ")), "")
    assert rerun.startswith("sim: PASS. Rerun: make sim CONFIG=base SEED=3") and \
        rerun.endswith(" TRAIN=hwa"), rerun
    assert "hardware-aware training" in out, out[-2000:]
    r = json.load(open(rep_path))
    assert r["training"] == "hwa"
    h = r["hwa"]
    assert set(h["accuracy"]) == {"float", "int8_reference", "cmodel", "rtl", "cmodel_calibrated",
                                  "rtl_calibrated"}, h["accuracy"]
    # base: programming sigma 0.01, read sigma 0.005 (fake config, pv off): sqrt(2) * hypot
    assert close(h["noise"]["w_add"], 2 ** 0.5 * (0.01 ** 2 + 0.005 ** 2) ** 0.5), h["noise"]
    assert h["accuracy"]["float"] > 0.9 and h["rtl_vs_cmodel_mismatches"] == 0
    assert r["accuracy"]["hwa_rtl"] == h["accuracy"]["rtl"]
    assert os.path.isfile(os.path.join(TMP, "hwa", "sim", "base-seed3", "net_hwa.khnf"))
    rc, out, _ = sim("flip_hwa_rtl", extra=("--train", "hwa"), tag="hwaflip")
    assert rc == 1 and "hardware-aware network: RTL and C model differ in 1" in out, out[-2000:]


def test_net_cnn_the_digits_cnn_through_the_flow_v2_file_64_288_10_a_csv():
    """NET=cnn: the digits CNN through the flow (v2 file, 64-288-10); a CSV with the CNN stops"""
    rc, out, rep_path = sim(extra=["--net", "cnn"], tag="cnn")
    assert rc == 0, out[-3000:]
    r = json.load(open(rep_path))
    assert r["network"]["kind"] == "cnn" and r["network"]["layers"] == [64, 288, 10], r["network"]
    assert r["network"]["architecture"] == "conv3x3x8-fc10"
    assert r["network"]["macs_per_inference"] == 36 * 9 * 8 + 288 * 10
    assert r["accuracy"]["int8_reference"] > 0.93 and r["rtl_vs_cmodel"]["bit_exact"]
    assert "make sim CONFIG=base SEED=3 NET=cnn" in out
    net = os.path.join(TMP, "cnn", "sim", "base-cnn-seed3", "net_base.khnf")
    assert open(net, "rb").read()[4] == 2, "CNN file is not version 2"
    p = os.path.join(TMP, "blobs_cnn.csv")
    with open(p, "w") as f:
        f.write("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    rc, out, _ = sim(extra=["--net", "cnn", "--data", p], tag="cnncsv")
    assert rc == 2 and "only the digits" in out, out[-2000:]


def test_csv_data_set_through_the_flow_a_bad_csv_stops_with_a_clear_error():
    """CSV data set through the flow; a bad CSV stops with a clear error"""
    import numpy as np
    rng = np.random.default_rng(0)
    p = os.path.join(TMP, "blobs.csv")
    with open(p, "w") as f:
        f.write(",".join(f"f{i}" for i in range(6)) + ",kind\n")
        for i in range(300):
            k = i % 3
            v = rng.normal(loc=3.0 * k, scale=1.0, size=6)
            f.write(",".join(f"{x:.4f}" for x in v) + f",{'abc'[k]}\n")
    rc, out, rep_path = sim(extra=["--data", p], tag="csv")
    assert rc == 0, out[-3000:]
    r = json.load(open(rep_path))
    assert r["samples"] == 60 and r["network"]["layers"] == [6, 32, 3]
    assert r["accuracy"]["float"] > 0.9 and r["network"]["name"] == "blobs-mlp"
    bad = os.path.join(TMP, "bad.csv")
    with open(bad, "w") as f:
        f.write("a,b\n1,x\nfoo,y\n")
    rc, out, _ = sim(extra=["--data", bad], tag="badcsv")
    assert rc == 2 and "bad.csv:3" in out and "not a number" in out, out[-2000:]


