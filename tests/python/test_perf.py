#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of sw/python/kirchhoff/perf.py (the chip performance model, docs/sim.md): the counter
energy model against figures computed by hand for small counter sets, sim.py's perf_model
(unchanged by the move to perf.py) for a fixed counter dict, perf_graph and the extended model
(host transfers, leakage, programming once), and the analytical cycle model against cycle counts
measured on the RTL (Verilator).

  .venv/bin/python -m pytest tests/python/test_perf.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import os
from types import SimpleNamespace

import dse
import sim
from kirchhoff import perf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def close(a, b, rel=1e-9):
    assert abs(a - b) <= rel * max(abs(a), abs(b)), (a, b)


CFG = dict(name="t", rows=16, cols=8, num_tiles=1, dac_bits=2, cols_per_adc=2, adc_cycles=14,
           settle_cycles=2, clock_mhz=100.0, e_adc_pj=2.0, e_dac_pj=0.05, e_sram_pj_bit=0.1,
           e_acc_pj=0.1, e_post_pj=3.0, acc_slots=4, instr_depth=16, act_depth=16,
           par_depth=16, wgt_depth=16)
COUNTERS = dict(instrs=10, mvms=4, adc_convs=256, prog_rows=8)
SIM_KEYS = {"clock_mhz", "cycles_per_inference", "latency_us", "macs_per_inference", "tops",
            "tops_per_w", "energy_per_inference_uj", "energy_breakdown_pj_per_inference",
            "sram_bits_per_inference", "array_reads", "vectors_run", "posts", "extended",
            "digital"}


def test_perf_fc_a_small_counter_set_against_the_hand_computed_energy():
    """perf_fc: a small counter set against the hand-computed energy, time and TOPS"""
    p = perf.perf_fc(COUNTERS, CFG, cycles=1000, macs=128, samples=2, posts=4, vectors=4)
    # reads 256/8 = 32; SRAM bits 640 + 512 + 16384 + 512 + 4352 = 22400 (2240 pJ)
    # energy: adc 512 + dac 0.05*16*32 = 25.6 + sram 2240 + acc 25.6 + post 3*8*4 = 96
    assert p["array_reads"] == 32
    assert p["sram_bits_per_inference"] == {"instr_fetch": 320, "act_read_mvm": 256,
                                            "acc_rmw": 8192, "weight_read_prog": 256,
                                            "post_acc_param_act": 2176}
    e = p["energy_breakdown_pj_per_inference"]
    for k, v in {"adc": 256, "dac": 12.8, "sram": 1120, "acc": 12.8, "post": 48}.items():
        close(e[k], v)
    close(p["energy_per_inference_uj"], 1449.6e-6)
    close(p["tops_per_w"], 256 / 1449.6)
    close(p["latency_us"], 5.0)
    close(p["tops"], 5.12e-5)
    assert p["cycles_per_inference"] == 500 and p["macs_per_inference"] == 128


def test_sim_py_perf_model_unchanged_figures_and_keys_for_a_fixed_counter():
    """sim.py perf_model: unchanged figures and keys for a fixed counter dict (batches, segments)"""
    qnet = SimpleNamespace(layers=[SimpleNamespace(n=32), SimpleNamespace(n=10)],
                           macs=lambda: 2368)
    rep = {"counters": COUNTERS, "cycles": 1000, "batch": 4, "batches": 1}
    p = sim.perf_model(qnet, CFG, rep, 2)
    assert set(p) == SIM_KEYS, set(p) ^ SIM_KEYS
    # posts = 4 vectors x (ceil(32/8) + ceil(10/8)) = 24: post 576 pJ, POST SRAM 136*8*24 = 26112
    # bits; SRAM 640 + 512 + 16384 + 512 + 26112 = 44160 bits = 4416 pJ; total 5555.2 pJ
    assert p["posts"] == 24 and p["vectors_run"] == 4
    close(p["energy_per_inference_uj"], 2777.6e-6)
    close(p["tops_per_w"], 2 * 2368 / 2777.6)
    close(p["tops"], 2 * 2368 / 5e-6 / 1e12)
    seg = {"0": {"vectors_run": 3, "first_layer": 0, "layers": 1},
           "1": {"vectors_run": 5, "first_layer": 1, "layers": 1}}
    p = sim.perf_model(qnet, CFG, dict(rep, segment=seg), 2)
    # posts 3*4 + 5*2 = 22: post 528, SRAM 640 + 512 + 16384 + 512 + 23936 = 41984 bits
    assert p["posts"] == 22 and p["vectors_run"] == 8
    close(p["energy_per_inference_uj"], (512 + 25.6 + 4198.4 + 25.6 + 528) / 2 * 1e-6)


def test_perf_graph_sim_model_s_figures_by_hand_plus_host_transfer():
    """perf_graph: sim_model's figures by hand, plus host transfer, leakage and programming"""
    c = dict(instrs=10, mvms=4, adc_convs=256, reads=30)
    extra = dict(cycles=2000, posts=4, accadds=2, host_bytes=100, host_ops=50, prog_rows=16)
    p = perf.perf_graph(c, CFG, macs=128, samples=2, extra=extra)
    # SRAM bits 640 + 512 + 16384 + 4352 + 96*8*2 = 1536 + 800 = 24224 (2422.4 pJ); dac uses
    # reads: 0.05*16*30 = 24; post 3*8*(4+2) = 144; host ops 3.1*50*2 = 310
    e = p["energy_breakdown_pj_per_inference"]
    for k, v in {"adc": 256, "dac": 12, "sram": 1211.2, "acc": 12.8, "post": 72,
                 "host_ops": 155}.items():
        close(e[k], v)
    close(p["tops_per_w"], 256 / 1719.0)
    close(p["latency_us"], 10.0)
    assert p["host_ops_per_inference"] == 50
    x = p["extended"]
    # host: 100 bytes x 8 x (0.16 host read + 0.162 bus), the chip-side write already counted
    close(x["per_inference_pj"]["host_transfer_pj"], 800 * 0.322 / 2)
    # leakage: 4*8*32 + 64*16 + 32*(2*16 + 16 + 16) = 4096 bits x 5 pW x 20 us = 0.4096 pJ
    close(x["leakage_w"], 4096 * 5e-12)
    close(x["per_inference_pj"]["leakage_pj"], 0.2048)
    total = 1719.0 + 128.8 + 0.2048
    close(x["energy_per_inference_uj"], total * 1e-6)
    close(x["tops_per_w"], 256 / total)
    # programming once: 2*8*16 = 256 cell pulses x 1 nJ; 128 weight bytes over the bus with the
    # chip-side write (0.482 pJ/bit) and read back from the weight buffer (0.1 pJ/bit)
    pr = x["programming_once"]
    close(pr["energy_uj"], (256000 + 1024 * 0.482 + 102.4) * 1e-6)
    assert pr["inferences_to_1pct"] == 13886, pr        # 100 * 256595.968 / 1848.0048 = 13885.03


def test_cycle_model_mvm_and_post_latencies_measured_on_the_rtl_issue_17():
    """cycle model: MVM and POST latencies measured on the RTL (issue 17, large) and tiny runs"""
    # large (1024x1024, 1-bit DAC, 16 columns per ADC, 8-cycle ADC, settle 4): the issue's
    # measured MVM 2,135 cycles before the settle moved under the conversions (issue 17); now
    # load 257, first conversion starts at 257 + 1 + 4 = 262, then 14 conversions of 128 + 1
    # cycles back to back: 262 + 14 * 129 = 2068, done 2 cycles later
    a, s = perf.phases(1, "s8", isa=2)
    assert (a, s) == (14, 0)
    assert perf.mvm_cycles(1024, 16, 8, 4, a, s) == 2070
    # ISA 3 (8 magnitude bits): the slice of bit 7 is skipped on inputs without -128; the two
    # skipped phases are searched under the last conversion: no extra cycle
    assert perf.phases(1, "s8") == (14, 2) and perf.phases(2, "s8") == (8, 0)
    assert perf.mvm_cycles(1024, 16, 8, 4, *perf.phases(1, "s8")) == 2070
    # base (64 rows, 4 columns per ADC, 8-cycle ADC, settle 4), dense s8: measured on the RTL,
    # tile busy 1106 for two MVMs + two int8 POSTs (36) + two RAW POSTs (34) minus one per command
    assert 2 * perf.mvm_cycles(64, 4, 8, 4, 14, 2) + 2 * (36 + 34) - 6 == 1106
    # a settle longer than a conversion: the next start waits for it (A + 2 + k + S)
    assert perf.mvm_cycles(16, 1, 2, 5, 2, 0) == (5 + 1 + 5) + (2 + 5) + 3 + 2
    assert perf.post_cycles(1024) == 3075
    assert perf.post_cycles(8, 1, 2) == 10
    # four POST lanes (post_lanes 4, decision 0012): Cols/4 + 4. large 1024x1024, layer-test
    # --batch 2 --seed 1 --backdoor, measured on the RTL (Verilator, 2026-12-07): tile 0 busy 6706
    # (per vector MVM, RAW POST, int8 POST; busy = latencies - 1 per command) and 4656 with
    # --raw 0 (MVM, int8 POST); with load_words 4 as well (the MVM reads 4 input words per cycle:
    # load 65 cycles instead of 257) 6322 and 4272
    large4 = dict(rows=1024, cols=1024, dac_bits=1, cols_per_adc=16, adc_cycles=8, settle_cycles=4,
                  post_lanes=4)
    tv4 = perf.tile_vector(large4, "s8", None, 4, isa=3)
    assert tv4["post"] == 260 and perf.rtl_post_per_col(large4) == 0.25
    assert 2 * (tv4["mvm"] + tv4["post"]) - 4 == 4656
    assert 2 * (tv4["mvm"] + tv4["post"] + perf.post_cycles(1024, 1, 2)) - 6 == 6706
    assert perf.post_lanes({}) == 1 and perf.load_words({}) == 1
    tv44 = perf.tile_vector(dict(large4, load_words=4), "s8", None, 4, isa=3)
    assert tv44["mvm"] == tv4["mvm"] - (257 - 65)
    assert 2 * (tv44["mvm"] + tv44["post"]) - 4 == 4272
    assert 2 * (tv44["mvm"] + tv44["post"] + perf.post_cycles(1024, 1, 2)) - 6 == 6322
    # sixteen POST lanes (post_lanes 16, large since session 12): Cols/16 + 4 = 68; measured on
    # the RTL as above (Verilator, 2026-12-07): tile 0 busy 5938 (layer-test program, RAW POST
    # Cols + 2) and 3888 with --raw 0: 3584 / 3888 = 92.2 % converting
    large16 = dict(large4, load_words=4, post_lanes=16)
    tv16 = perf.tile_vector(large16, "s8", None, 4, isa=3)
    assert tv16["post"] == 68 and tv16["mvm"] == tv44["mvm"]
    assert 2 * (tv16["mvm"] + tv16["post"]) - 4 == 3888
    assert 2 * (tv16["mvm"] + tv16["post"] + perf.post_cycles(1024, 1, 2)) - 6 == 5938
    # and the RAW POST writing the four words of four columns per cycle (Cols/4 + 2 = 258):
    # measured on the RTL (Verilator, 2026-12-07, same command): tile 0 busy 4402, 3584 / 4402 = 81.4 %
    assert perf.rtl_raw_per_col(large16) == 0.25 and perf.rtl_raw_per_col(large4) == 1.0
    assert perf.rtl_raw_per_col(dict(large4, post_lanes=8)) == 0.5
    raw16 = perf.post_cycles(1024, perf.rtl_raw_per_col(large16), 2)
    assert raw16 == 258 and 2 * (tv16["mvm"] + tv16["post"] + raw16) - 6 == 4402
    # large8 (large with an 8-bit DAC and a 9-bit ADC: 2 applied phases per signed vector, 16 x 9
    # cycles each), same command on its RTL (Verilator, 2026-12-07): tile 0 busy 1370 (layer-test
    # program) and 856 with --raw 0 (4 reads x 144 = 576 converting: 67.3 %)
    large8 = dict(large16, dac_bits=8, adc_cycles=9)
    tv8 = perf.tile_vector(large8, "s8", None, 4, isa=3)
    assert tv8["converting"] == 2 * 144
    assert 2 * (tv8["mvm"] + tv8["post"]) - 4 == 856
    assert 2 * (tv8["mvm"] + tv8["post"] + raw16) - 6 == 1370
    # the same through batch_busy (one command at a time: less one cycle per command)
    assert perf.batch_busy(large16, tv16["mvm"], [tv16["post"]], 2) == 3888
    assert perf.batch_busy(large16, tv16["mvm"], [tv16["post"], raw16], 2) == 4402
    assert perf.batch_busy(large8, tv8["mvm"], [tv8["post"], raw16], 2) == 1370
    # tile_overlap (decision 0014: a POST and the next MVM's load beside the conversions; large,
    # large8 and edge since session 14), same commands on the RTL (Verilator, 2026-12-07): large
    # tile 0 busy 4015 (layer-test program: MVM, MVM, POST, RAW, POST, RAW; 3584 / 4015 = 89.3 %)
    # and 3757 with --raw 0 (95.4 %); the array part of an MVM is the MVM less its load (65)
    ov16 = dict(large16, tile_overlap=1)
    tvo = perf.tile_vector(ov16, "s8", None, 4, isa=3)
    assert tvo["load"] == 65 and tvo["array"] == tv16["mvm"] - 65 and tvo["vector"] == tvo["array"]
    assert perf.batch_busy(ov16, tvo["mvm"], [tvo["post"]], 2) == 3757
    assert perf.batch_busy(ov16, tvo["mvm"], [tvo["post"], raw16], 2) == 4015
    # large8, same commands: 1012 (was 1370) and 725 with --raw 0 (was 856; 576 / 725 = 79.4 %:
    # at batch 2 the first load and the last POST are not hidden); in the steady state 288 / 297
    ov8 = dict(large8, tile_overlap=1)
    tvo8 = perf.tile_vector(ov8, "s8", None, 4, isa=3)
    assert perf.batch_busy(ov8, tvo8["mvm"], [tvo8["post"]], 2) == 725
    assert perf.batch_busy(ov8, tvo8["mvm"], [tvo8["post"], raw16], 2) == 1012
    assert tvo8["vector"] == tvo8["array"] == 297
    # without the key (or 0) nothing changes
    assert perf.tile_vector(dict(large16, tile_overlap=0), "s8", None, 4, isa=3) == \
        dict(tv16)
    # a partial last read: 12 rows = 3 words in one read of 4
    assert perf.mvm_cycles(12, 1, 2, 1, 0, 0, load_words=4) == 1 + 1 + 2 + 0
    assert perf.phases(2, "u8") == (4, 4) and perf.phases(8, "s8") == (2, 0)
    # layer-test on tiny (K=16, N=8, seed 1), Verilator, the RTL of 2026-12-07 (POST Cols + 4,
    # the next phase settling under the conversions): batch 1 273 cycles (8 reads), batch 4 673
    # (18 reads), batch 8 1741 (50 reads); tile 0 busy 261 / 643 / 1687. The model is exact at
    # batch 1 and 5 cycles short at 4 and 8: phases without an active row before an MVM's first
    # applied one cost a cycle each, which the stimulus decides (dse._mvms). (Before the settle
    # moved under the conversions the RTL took 294 / 724 / 1876, busy 282 / 694 / 1822.)
    tiny = dict(rows=16, cols=8, dac_bits=2, cols_per_adc=2, adc_cycles=14, settle_cycles=2)
    for b, reads, cyc, busy in ((1, 8, 273, 261), (4, 18, 673, 643), (8, 50, 1741, 1687)):
        for isa in (2, 3):   # 2-bit DAC: the same 4 slices
            m, _ = dse.layer_test_model(tiny, b, reads, isa=isa)
            assert 0 <= cyc - m["cycles"] <= 5 and cyc - m["cycles"] == busy - m["tile_busy"], (b, m)
            assert (m["cycles"] == cyc) == (b == 1), (b, m)
    # base (K=64, N=32, batch 2, 28 reads: dense) and the --tfl program on tiny (batch 2 and 4,
    # 12 and 24 reads), same RTL: tile busy 1106, 440, 846, exact (dse --rtl-check, 2026-12-07)
    base = dict(rows=64, cols=32, dac_bits=1, cols_per_adc=4, adc_cycles=8, settle_cycles=4)
    assert dse.layer_test_model(base, 2, 28, isa=3)[0] == {"cycles": 1124, "tile_busy": 1106}
    assert dse.tfl_model(tiny, 2, 12)["tile_busy"] == 440 and dse.tfl_model(tiny, 4, 24)["tile_busy"] == 846
    assert perf.prog_cycles(16, 8) == 35 and perf.prog_cycles(16, 8, 5) == 1 + 16 * 5 + 10
    # bit-sliced weights (decision 0009): ideal_slice2 (16 rows, 8 logical columns of 2 slices of
    # 4 bits, 2-bit DAC, 2 columns per ADC, 11-cycle ADC, settle 2): an applied phase converts
    # 2 x 2 pair columns. Measured on Verilator after the merge with main's overlapped timing
    # (layer-test --seed 1 --rows 16 --cols 8 --batch 2): tile 0 busy 688, 14 reads (7 applied and
    # 1 skipped phase per MVM) = 2 MVMs + 2 int8 POSTs (12) + 2 RAW POSTs (10) - 6 commands
    assert 2 * perf.mvm_cycles(16, 2, 11, 2, 7, 1, weight_slices=2) + 2 * (12 + 10) - 6 == 688
    assert perf.mvm_cycles(16, 2, 11, 2, 7, 1, weight_slices=2) == 5 + 1 + 2 + 7 * 45 + 2
    assert perf.prog_cycles(16, 8, weight_slices=2) == 16 * 16 // 4 + 3
    sl = dict(rows=16, cols=8, dac_bits=2, cols_per_adc=2, adc_cycles=11, settle_cycles=2,
              weight_slices=2)
    assert perf.tile_vector(sl)["converting"] == perf.phases(2, "s8")[0] * 2 * 2 * 11


def test_full_tile_the_1024x1024_layer_of_issue_17_10_2_tops_w_counted():
    """full_tile: the 1024x1024 layer of issue 17 (10.2 TOPS/W counted) and the variants"""
    large = dict(CFG, rows=1024, cols=1024, dac_bits=1, cols_per_adc=16, adc_cycles=8,
                 settle_cycles=4, clock_mhz=200.0, e_dac_pj=0.054, e_sram_pj_bit=0.16,
                 e_post_pj=3.3)
    f = perf.full_tile(large, host=False, isa=2)
    # ISA 2: MVM 2070 (settle under the conversions, issue 17; was 2135) + POST 3075 (the model's
    # default 3 * Cols + 3) = 5145 cycles; 14 reads x 1024 = 14336 conversions: adc 28672, acc 1433.6,
    # dac 0.054*1024*14 = 774.144,
    # SRAM (128 + 8192 + 64*14336 + 136*1024) * 0.16 = 170414.08, post 3.3*1024 = 3379.2
    close(f["tops_per_w_counted"], 2 * 1024 * 1024 / 204673.024)
    # leakage of a one-tile chip: (4*1024*32 + 64*16 + 32*64) bits x 5 pW x 5145 cycles / 200 MHz
    close(f["energy_pj"]["leakage"], 134144 * 5e-12 * 25.725e-6 * 1e12)
    close(f["tops_per_w"], 2 * 1024 * 1024 / (204673.024 + 134144 * 5e-12 * 25.725e-6 * 1e12))
    close(f["tops"], 2 * 1024 * 1024 / (5145 / 200e6) / 1e12)
    close(f["utilization"], 14 * 16 * 8 / 5145)
    # ISA 3: two skipped phases more (bit 7), searched under the last conversion; same energy
    f3 = perf.full_tile(large, host=False)
    assert f3["cycles"]["vector"] == 5145
    close(f3["tops_per_w_counted"], f["tops_per_w_counted"])
    g = perf.full_tile(large, mode="u8", overlap=True, post_per_col=0.75, acc_storage="reg",
                       host=False)
    # u8: 8 applied + 8 skipped phases: first conversion at 257 + 1 + 4 = 262, 8 x 129 cycles
    # of conversions back to back (each skipped negative phase found under them): 262 + 1032 + 2
    # = 1296 cycles (was 1339), POST 771 hidden;
    # slot written once: 32*1024 bits instead of 64 per conversion
    assert g["cycles"]["vector"] == 1296
    e = 8 * 1024 * (2.0 + 0.1) + 0.054 * 1024 * 8 + 0.16 * (128 + 8192 + 32 * 1024 +
                                                               136 * 1024) + 3.3 * 1024
    close(g["tops_per_w_counted"], 2 * 1024 * 1024 / e)
    # POST parameters in registers: 96 bits per column fewer
    r = perf.full_tile(large, mode="u8", overlap=True, post_per_col=0.75, acc_storage="reg",
                       post_params="reg", host=False)
    close(r["tops_per_w_counted"], 2 * 1024 * 1024 / (e - 0.16 * 96 * 1024))
    h = perf.full_tile(large)
    assert "host_transfer" in h["energy_pj"] and h["tops_per_w"] == f3["tops_per_w"]
    close(h["energy_pj"]["host_transfer"], 2048 * 8 * 0.482)
    close(h["tops_per_w_host"], 2 * 1024 * 1024 / (2 * 1024 * 1024 / f3["tops_per_w"] +
                                                   2048 * 8 * 0.482))
    # POST lanes for 0.34 TOPS: u8, 1-bit DAC, 16 columns per ADC: MVM 1296 cycles; overlapped
    # POST 3*1024/L + 3 <= 1296: L = 3 gives 1027 -> 2^21 / (1296 / 200 MHz) = 0.324 TOPS < 0.34:
    # never with this MVM; with 4 columns per ADC (MVM 262 + 8*33 + 2 = 528) L = 3 (1027
    # cycles): 0.408 TOPS, L = 2 (1539): 0.273
    assert perf.post_lanes_needed(large, 0.34, mode="u8", overlap=True) is None
    assert perf.post_lanes_needed(dict(large, cols_per_adc=4), 0.34, mode="u8",
                                  overlap=True) == 3


def test_dse_generated_configs_base_cfg_swept_keys_replaced_once_and_the():
    """dse: generated configs (base.cfg, swept keys replaced once) and the selection rule"""
    import tempfile
    d = tempfile.mkdtemp(prefix="kh_test_perf_")
    path = dse.gen_config(d, 1024, 2, 8)
    kv = {}
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            k, v = (x.strip() for x in line.split("=", 1))
            assert k not in kv, f"{k} twice in {path}"
            kv[k] = v
    assert kv["name"] == "dse_t1024_d2_c8" and kv["rows"] == kv["cols"] == "1024"
    assert kv["dac_bits"] == "2" and kv["cols_per_adc"] == "8" and kv["adc_bits"] == "8"
    assert kv["e_dac_pj"] == "0.062" and kv["wgt_depth"] == str(1024 * 1024 // 4)
    assert kv["num_tiles"] == "2", "other keys come from configs/base.cfg"
    kv = dict(x.split(" = ") for x in open(dse.gen_config(d, 256, 2, 4, adc=10)).read().split(
        "\n") if " = " in x)
    assert kv["name"] == "dse_t256_d2_c4_a10" and kv["adc_bits"] == kv["adc_cycles"] == "10"
    assert kv["e_adc_pj"] == "8.0" and "wgt_depth" in kv

    def pt(dac, cpa, acc, err, tpw, tpm):
        return {"tile": 256, "dac_bits": dac, "cols_per_adc": cpa, "adc_bits": 8, "accuracy": acc,
                "tile_rms_err_lsb": err,
                "fig": {"isa3_opt": {"tops_per_w": tpw, "tops_per_mm2": tpm}}}
    rows = [pt(1, 1, 0.97, 1.0, 15.0, 0.3), pt(1, 4, 0.97, 1.0, 14.8, 0.5),
            pt(1, 8, 0.97, 1.0, 14.0, 0.9),       # more than 2 % below the best TOPS/W
            pt(2, 4, 0.97, 1.6, 20.0, 0.8),       # full-tile error 60 % above the lowest
            pt(8, 16, 0.90, 1.0, 26.0, 1.7),      # accuracy below the floor
            dict(pt(2, 4, 0.97, 0.5, 30.0, 2.0), adc_bits=10)]   # ADC sweep: not in the grid
    b = dse.select_best(rows, 0.96, 0.25)
    assert (b["dac_bits"], b["cols_per_adc"]) == (1, 4), b
    b = dse.select_best(rows, 0.96, 0.7)
    assert (b["dac_bits"], b["cols_per_adc"], b["adc_bits"]) == (2, 4, 8), b
    b = dse.select_best(rows, 0.96, 0.25, adc=True)
    assert (b["dac_bits"], b["adc_bits"]) == (2, 10), b


def test_digital_baseline_e10_e11_energy_latency_and_ratio_by_hand():
    """digital baseline (E10/E11): energy, latency and ratio by hand; amortized programming"""
    d = perf.digital_baseline(2560, 200.0, out_bytes=10, host_pj=31.0)
    # MAC 0.23 * 2560 = 588.8; SRAM (8/16 + 8/16) bits x 2560 x 0.16 = 409.6, outputs 80 bits x
    # 0.16 = 12.8; host 31: 1042.2 pJ; 2560 / 256 = 10 cycles at 200 MHz = 0.05 us
    close(d["breakdown_pj"]["mac"], 588.8)
    close(d["breakdown_pj"]["sram"], 422.4)
    close(d["energy_per_inference_uj"], 1042.2e-6)
    close(d["energy_no_reuse_uj"], (2560 * (0.23 + 16 * 0.16) + 31) * 1e-6)
    assert d["cycles_per_inference"] == 10 and d["mac_units"] == 256
    close(d["latency_us"], 0.05)
    close(d["tops"], 2 * 256 * 200e6 / 1e12)
    r = perf.compare_digital(0.5e-3, 0.1, d)
    close(r["energy_digital_over_analog"], 1042.2e-6 / 0.5e-3)
    close(r["latency_digital_over_analog"], 0.5)
    c = dict(instrs=10, mvms=4, adc_convs=256, reads=30)
    extra = dict(cycles=2000, posts=4, accadds=2, host_bytes=100, host_ops=50, prog_rows=16,
                 host_ops_run=60, out_elems=10)
    p = perf.perf_graph(c, CFG, macs=128, samples=2, extra=extra)
    assert p["host_ops_per_inference"] == 30      # the run's count wins over the estimate
    assert p["digital"]["ratio"]["energy_digital_over_analog"] > 0
    po = p["extended"]["programming_once"]
    close(po["amortized_pj_per_inference"], po["energy_uj"] * 1e6 / perf.AMORTIZE_INFERENCES)
    close(p["extended"]["energy_per_inference_amortized_uj"],
          p["extended"]["energy_per_inference_uj"] + po["amortized_pj_per_inference"] * 1e-6)


def test_bad_arguments_unknown_mode_or_accumulator_storage_a_config():
    """bad arguments: unknown mode or accumulator storage, a config without a key"""
    for fn in (lambda: perf.phases(2, "s7"), lambda: perf.full_tile(CFG, acc_storage="dram")):
        try:
            fn()
            raise AssertionError("no error")
        except ValueError as e:
            assert "is not one of" in str(e), e
    try:
        perf.perf_fc(COUNTERS, {k: v for k, v in CFG.items() if k != "e_adc_pj"}, 1, 1, 1, 1, 1)
        raise AssertionError("no error")
    except KeyError as e:
        assert "e_adc_pj" in str(e), e


# ---- charge-domain crossbar (issue 18) ----------------------------------------------------------
def test_perf_fc_the_charge_domain_c_v_2_term_against_a_hand_computed():
    """perf_fc: the charge-domain C V^2 term against a hand-computed read energy"""
    cfg = dict(CFG, xbar_kind="charge", chg_cu=2e-15, chg_activity=0.05, vread=0.9)
    p = perf.perf_fc(COUNTERS, cfg, cycles=1000, macs=128, samples=2, posts=4, vectors=4)
    # one read: 0.05 x (2 x 16 x 8 x 127 x 2 fF = 65.024 pF) x 0.81 V^2 = 2.633472 pJ;
    # 32 reads over 2 samples: 42.135552 pJ per inference on top of the flash figures (1449.6)
    e = p["energy_breakdown_pj_per_inference"]
    close(e["array_cv2"], 42.135552)
    close(p["energy_per_inference_uj"], 1491.735552e-6)
    flash = perf.perf_fc(COUNTERS, CFG, cycles=1000, macs=128, samples=2, posts=4, vectors=4)
    assert "array_cv2" not in flash["energy_breakdown_pj_per_inference"]
    # programming a capacitor weight is an SRAM write of 2 x 7 select bits, not flash pulses
    pr = perf.programming_pj(cfg, prog_rows=16)
    close(pr["pulses_pj"], 14 * 8 * 16 * 0.1)
# ---- end charge-domain --------------------------------------------------------------------------


