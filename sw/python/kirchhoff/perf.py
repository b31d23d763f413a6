# SPDX-License-Identifier: Apache-2.0
"""The chip performance model (docs/sim.md): energy from a run's event counters and the config's
energy table, an analytical cycle model of one tile (the RTL latency contract of
rtl/tile/aimc_tile.sv, checked against RTL runs by `make dse`), and the costs the counters do not
cover: host transfers, weight programming (once, reported apart from the inference) and leakage.

Entry points:
  perf_fc(counters, cfg, cycles, macs, samples, posts, vectors)   sim.py's figures (digits flow)
  perf_graph(counters, cfg, macs, samples, extra)                   sim_model.py's figures (graphs)
  extended(cfg, cycles, samples, ...)                               the costs the counters omit
  mvm_cycles / post_cycles / prog_cycles / tile_vector(...)         the analytical cycle model
  full_tile(cfg, ...)                                               a full-tile layer: TOPS, TOPS/W

Every constant of the extended model below names its source row in
docs/sources.md (the terms are in docs/sim.md) or says that it is an assumption.
"""

from __future__ import annotations

import math

# ---- extended-model constants ------------------------------------------------------------------

# Host transfer, on-die host (an MCU next to the accelerator): per bit moved over the bus, the
# host's SRAM read (E11: 10 pJ per 64-bit read of an 8 KB SRAM = 0.16 pJ/bit) plus the bus wire
# (W3: 0.2 fF/um; assumed 2 mm of wire at 0.9 V (the supply of E10/E11) with activity 0.5:
# 0.2e-15 * 2000 * 0.81 * 0.5 = 0.16 pJ/bit) plus the chip-side buffer write (E11, 0.16 pJ/bit).
E_HOST_READ_PJ_BIT = 0.16     # E11
E_BUS_PJ_BIT = 0.2e-3 * 2000 * 0.9 ** 2 * 0.5   # W3 in pF/um x 2 mm x V^2 x activity = 0.162 pJ
E_CHIP_WRITE_PJ_BIT = 0.16    # E11
# Off-die host for comparison (sensitivity only): DRAM 1.3-2.6 nJ per 64 bit (E11), low end.
E_HOST_DRAM_PJ_BIT = 1300.0 / 64
# Driver-side operators of a graph (sim_model.py): one int32 multiply per element (E10: 3.1 pJ).
E_HOST_OP_PJ = 3.1
# Weight programming: energy of one program pulse on one flash cell. docs/sources.md "Not found"
# lists pulse count, width and energy for analog flash; ASSUMPTION: channel-hot-electron NOR
# programming, 4.5 V x 200 uA x 1 us = 0.9 nJ, rounded to 1 nJ per cell pulse. One-shot programming
# is one pulse per cell; program-and-verify adds the run's counted pulses and one array read (a
# conversion per column) per verify.
E_PROG_PJ_CELL_PULSE = 1000.0
# Leakage: ASSUMPTION (no row in docs/sources.md): 5 pW per SRAM bit (order of a 40 nm
# low-power 6T cell at room temperature; about 10x more at 85 C). The flash array itself holds its
# state without power and its rows are grounded between reads; the SAR ADCs (A3-A5) and DACs draw
# dynamic power only. Counted: every tile's accumulator slots and the shared buffers.
LEAK_PW_PER_BIT = 5.0
# Weight programming is reported once and, for a per-inference figure, amortized over this many
# inferences (ASSUMPTION: an edge device reprogrammed at most once per million inferences, e.g.
# a firmware update a month at one inference every 3 s).
AMORTIZE_INFERENCES = 1_000_000

# ---- digital int8 baseline (issue 18 item 6) -----------------------------------------------------
# A digital int8 accelerator running the same MACs: E10 (45 nm, 0.9 V) int8 multiply 0.2 pJ +
# int8 add 0.03 pJ = 0.23 pJ per MAC (the operator only; docs/sources.md "Digital baseline"
# row), SRAM traffic at E11's 0.16 pJ/bit (64-bit read of an 8 KB SRAM). The array: DIG_ARRAY x
# DIG_ARRAY MAC units, weight-stationary-free output-stationary systolic array (a TPU-like design
# at edge scale), at the analog config's clock: each weight byte read from SRAM feeds DIG_ARRAY
# MACs (the array's rows share it), each activation byte DIG_ARRAY MACs (the columns share it),
# each output written once as int8 after its int32 accumulate in a register. Utilization 100 %
# (an upper bound for the digital design's throughput: a lower bound of its latency).
DIG_MAC_PJ = 0.2 + 0.03       # E10
DIG_SRAM_PJ_BIT = 0.16        # E11
DIG_ARRAY = 16                # ASSUMPTION: 16 x 16 = 256 MAC units
DIG_NO_REUSE_BITS = 16        # an operand pair from SRAM per MAC (the bound without reuse)


def _ceil_div(a, b):
    return -(-int(a) // int(b))


def _f(cfg, key):
    try:
        return float(cfg[key])
    except KeyError:
        raise KeyError(f"config lacks key '{key}'") from None


# ---- the analytical cycle model (rtl/tile/aimc_tile.sv latency contract) -------------------------

MODES = ("s8", "u8")   # s8: ISA 2 signed inputs (POS and NEG phases of 7-bit magnitudes);
                       # u8: ISA 3 unsigned inputs (8-bit magnitudes, the NEG phase always skipped)


def slices(dac_bits: int, mode: str = "s8") -> int:
    """Bit slices of one input: ceil(7/DacBits) (s8) or ceil(8/DacBits) (u8)."""
    if mode not in MODES:
        raise ValueError(f"mode '{mode}' is not one of {', '.join(MODES)}")
    return _ceil_div(7 if mode == "s8" else 8, dac_bits)


ISA = 3   # the RTL's MVM: 2 * ceil(8 / DacBits) phases in either mode (ISA 3); 2: ceil(7 / ...)


def phases(dac_bits: int, mode: str = "s8", isa: int = ISA) -> tuple[int, int]:
    """(applied, skipped) phases of an MVM on dense inputs: s8 applies both phases of the slices
    of magnitude bits 0..6 (positive and negative inputs present; under ISA 3 the slices cover 8
    bits and the one of bit 7 is applied for -128 only: skipped), u8 applies the positive phase of
    every slice and skips the negative one."""
    if isa not in (2, 3):
        raise ValueError(f"isa {isa} is not one of 2, 3")
    ns = slices(dac_bits, mode)
    if mode == "u8":
        return ns, ns
    extra = _ceil_div(8, dac_bits) - ns if isa == 3 else 0
    return 2 * ns, 2 * extra


def mvm_cycles(rows: int, cols_per_adc: int, adc_cycles: int, settle_cycles: int, applied: int, skipped: int,
               gaps: list[int] | None = None, weight_slices: int = 1, load_words: int = 1) -> int:
    """MVM latency of rtl/tile/aimc_tile.sv (issue 17: the next applied phase is found and its
    row DACs settle under the current conversions). gaps: the phases skipped before each applied
    phase, then the trailing ones (len = applied + 1); by default the layouts of phases(): u8
    (skipped == applied: every positive phase applied, every negative one skipped) or s8 (the
    applied phases first, the skipped ones trailing). weight_slices (decision 0009): an ADC converts
    cols_per_adc * weight_slices pair columns per applied phase. load_words (config key, 1 or 4):
    input words the MVM reads per cycle (the load takes ceil(rows / (4 load_words)) + 1 cycles)."""
    load = max(_ceil_div(int(rows) // 4, int(load_words)) + 1, int(cols_per_adc))
    settle = max(int(settle_cycles), 1)
    conv = int(cols_per_adc) * int(weight_slices) * int(adc_cycles)
    applied, skipped = int(applied), int(skipped)
    if gaps is None:
        if applied > 0 and skipped == applied:
            gaps = [0] + [1] * (applied - 1) + [1]
        else:
            gaps = [0] * applied + [skipped]
    if len(gaps) != applied + 1 or sum(gaps) != skipped:
        raise ValueError(f"gaps {gaps} do not describe {applied} applied and {skipped} skipped phases")
    if applied == 0:
        return load + 2 + skipped
    a = load + 1 + gaps[0] + settle           # the cycle the first conversion starts
    for k in gaps[1:-1]:
        a = max(a + conv + 1, a + 2 + k + settle)
    end = a + conv + 1
    if gaps[-1]:
        end = max(end, a + 2 + gaps[-1])
    return end + 2


def batch_busy(cfg: dict, mvm: int, posts: list, batch: int) -> float:
    """Busy cycles of one tile running `batch` vectors of a layer that fills it (the RTL, as
    measured: layer-test on large and large8, tests/python/test_perf.py): each vector an MVM of
    `mvm` cycles and the POSTs `posts` (their cycles), in the compilers' order. One command at a
    time: batch x (MVM + POSTs) less one cycle per command (a command is taken in the cycle the
    one before reports done). tile_overlap: the first MVM, then each later one's array part (its
    load under the conversions before it) or, where longer, the POSTs of the vector before it
    and its own load, then the last vector's POSTs, less 2."""
    p = float(sum(posts))
    if not tile_overlap(cfg):
        return batch * (mvm + p) - batch * (1 + len(posts))
    if batch < 2:
        return mvm + p - (1 + len(posts))
    load = load_cycles(cfg)
    # the second to the last MVM: its array part, or the POSTs before it (and the load of the
    # one after it, but for the last) on the data port where they take longer
    mid = (batch - 2) * max(mvm - load, load + p)
    return mvm + mid + max(mvm - load, p) + p - 2


def post_cycles(cols: int, per_col: float = 3.0, fixed: int = 3) -> float:
    """POST latency: per_col * Cols + fixed. The RTL: int8/tfl Cols / post_lanes + 4 (per_col
    rtl_post_per_col(cfg), fixed 4; before issue 17 3 * Cols + 3), RAW Cols / W + 2 (per_col
    rtl_raw_per_col(cfg): W = max(1, post_lanes / 4) int32 words per cycle)."""
    return float(per_col) * int(cols) + int(fixed)


def post_lanes(cfg: dict) -> int:
    """POST columns per cycle of a config (key post_lanes, 1, 4, 8 or 16; 1 where the key is absent)."""
    return int(cfg.get("post_lanes", 1))


def rtl_raw_per_col(cfg: dict) -> float:
    """Cycles per column of the RTL's RAW POST on this config: one int32 word per column, the
    words of max(1, post_lanes / 4) columns written per cycle (the output words of a POST cycle)."""
    return 1.0 / max(1, post_lanes(cfg) // 4)


def load_words(cfg: dict) -> int:
    """MVM input words read per cycle of a config (key load_words, 1 or 4; 1 where absent)."""
    return int(cfg.get("load_words", 1))


def rtl_post_per_col(cfg: dict) -> float:
    """Cycles per column of the RTL's int8/tfl POST on this config: 1 / post_lanes."""
    return 1.0 / post_lanes(cfg)


def prog_cycles(rows: int, cols: int, pv_pulses: int | None = None, weight_slices: int = 1) -> int:
    """PROG latency: one-shot Rows*Cols/4 + 3; program-and-verify 1 + Rows*(Cols/4 + 3) +
    2 * pulses (pv_pulses: the pulses the run took, from the report). With bit-sliced weights a
    row is Cols*weight_slices bytes (decision 0009)."""
    cols = int(cols) * int(weight_slices)
    if pv_pulses is None:
        return int(rows) * int(cols) // 4 + 3
    return 1 + int(rows) * (int(cols) // 4 + 3) + 2 * int(pv_pulses)


def tile_overlap(cfg: dict) -> bool:
    """Whether a config's tiles run a POST and the next MVM's load beside the conversions (key
    tile_overlap, docs/decisions/0014; 0 where absent)."""
    return bool(int(cfg.get("tile_overlap", 0)))


def load_cycles(cfg: dict) -> int:
    """Cycles of an MVM's input load (with its slot clear): max(ceil(Rows / (4 load_words)) + 1,
    cols_per_adc); with tile_overlap the next MVM's load runs under the current conversions."""
    return max(_ceil_div(int(cfg["rows"]) // 4, load_words(cfg)) + 1, int(cfg["cols_per_adc"]))


def tile_vector(cfg: dict, mode: str = "s8", post_per_col: float | None = 3.0, post_fixed: int = 3,
                overlap: bool = False, applied: int | None = None, skipped: int | None = None,
                isa: int = ISA) -> dict:
    """Cycles one tile spends per input vector on a layer that fills it (one MVM, one POST):
    MVM + POST; on a config with tile_overlap (the RTL, decision 0014) the steady state of the
    compiler's order (the MVM of b + 1 before the POST of b): max(MVM array part, load + POST),
    the array part the MVM less its load, the load and the POST sharing the data port under the
    conversions; or max(MVM, POST) when POST overlaps the whole next MVM (overlap=True, a design
    option of make dse). post_per_col None: the RTL's, 1 / post_lanes of the config."""
    if post_per_col is None:
        post_per_col = rtl_post_per_col(cfg)
    a, s = phases(int(cfg["dac_bits"]), mode, isa)
    a = a if applied is None else applied
    s = s if skipped is None else skipped
    ws = int(cfg.get("weight_slices", 1))
    mvm = mvm_cycles(cfg["rows"], cfg["cols_per_adc"], cfg["adc_cycles"], cfg["settle_cycles"],
                     a, s, weight_slices=ws, load_words=load_words(cfg))
    post = post_cycles(cfg["cols"], post_per_col, post_fixed)
    load = load_cycles(cfg)
    if overlap:
        vector = max(mvm, post)
    elif tile_overlap(cfg):
        vector = max(mvm - load, load + post)
    else:
        vector = mvm + post
    return {"mvm": mvm, "post": post, "applied_phases": a, "skipped_phases": s,
            "load": load, "array": mvm - load, "vector": vector,
            "converting": a * int(cfg["cols_per_adc"]) * ws * int(cfg["adc_cycles"])}


# ---- energy from counters ------------------------------------------------------------------------

# ---- charge-domain crossbar (issue 18) ------------------------------------------------------------

def charge_read_pj(cfg: dict) -> float:
    """Energy of one array read of a charge-domain tile (xbar_kind charge; docs/analog-model.md
    "Charge-domain crossbar", energy): the row drivers charge the selected capacitors from 0 V, so
    E = sum_r sum_cells C_sel V_r^2. The counters do not see weights or inputs: the sum is
    chg_activity x the whole array's capacitance (two cells of 127 C_u per weight) x vread^2."""
    rows, cols = int(cfg["rows"]), int(cfg["cols"])
    c_array = 2 * rows * cols * 127 * _f(cfg, "chg_cu")
    return _f(cfg, "chg_activity") * c_array * _f(cfg, "vread") ** 2 * 1e12


def is_charge(cfg: dict) -> bool:
    return cfg.get("xbar_kind") in ("charge", 1)

# ---- end charge-domain ---------------------------------------------------------------------------


def _energy(c, cfg, reads, posts, sram_bits, post_outputs, extra_energy=None):
    rows, cols = int(cfg["rows"]), int(cfg["cols"])
    energy = {
        "adc": _f(cfg, "e_adc_pj") * c["adc_convs"],
        "dac": _f(cfg, "e_dac_pj") * rows * reads,
        "sram": _f(cfg, "e_sram_pj_bit") * sum(sram_bits.values()),
        "acc": _f(cfg, "e_acc_pj") * c["adc_convs"],
        "post": _f(cfg, "e_post_pj") * cols * post_outputs,
    }
    if is_charge(cfg):  # charge-domain (issue 18): C V^2 of the capacitor array per read
        energy["array_cv2"] = charge_read_pj(cfg) * reads
    energy.update(extra_energy or {})
    return energy


def _summary(cfg, cycles, macs, samples, energy, sram_bits):
    clock_hz = _f(cfg, "clock_mhz") * 1e6
    e_inf_pj = sum(energy.values()) / samples
    t_inf = cycles / samples / clock_hz if cycles else 0.0
    ops = 2 * macs
    return {
        "clock_mhz": _f(cfg, "clock_mhz"),
        "cycles_per_inference": cycles / samples,
        "latency_us": t_inf * 1e6,
        "macs_per_inference": macs,
        "tops": ops / t_inf / 1e12 if t_inf > 0 else 0.0,
        "tops_per_w": ops / e_inf_pj if e_inf_pj > 0 else 0.0,
        "energy_per_inference_uj": e_inf_pj * 1e-6,
        "energy_breakdown_pj_per_inference": {k: v / samples for k, v in energy.items()},
        "sram_bits_per_inference": {k: v / samples for k, v in sram_bits.items()},
    }


def perf_fc(counters: dict, cfg: dict, cycles: int, macs: int, samples: int, posts: int, vectors: int,
            out_elems: int = 0) -> dict:
    """sim.py's model (docs/sim.md "Chip performance model"): counters of the whole run (instrs,
    mvms, adc_convs, prog_rows), cycles of the run, MACs of one inference, samples, POSTs and
    vectors the chip ran. Returns the per-inference figures; the array reads are adc_convs/cols."""
    c = counters
    rows, cols = int(cfg["rows"]), int(cfg["cols"])
    array_reads = c["adc_convs"] / cols                           # each read converts Cols columns
    sram_bits = {
        "instr_fetch": 64 * c["instrs"],
        "act_read_mvm": 8 * rows * c["mvms"],
        "acc_rmw": 64 * c["adc_convs"],
        "weight_read_prog": 8 * cols * c["prog_rows"],
        "post_acc_param_act": (32 + 96 + 8) * cols * posts,
    }
    energy = _energy(c, cfg, array_reads, posts, sram_bits, posts)
    r = _summary(cfg, int(cycles), macs, samples, energy, sram_bits)
    r.update({"array_reads": array_reads, "vectors_run": vectors, "posts": posts})
    counted = sum(energy.values())
    r["extended"] = extended(cfg, int(cycles), samples, counted, macs)
    r["digital"] = digital_baseline(macs, _f(cfg, "clock_mhz"), out_bytes=out_elems)
    r["digital"]["ratio"] = compare_digital(r["extended"]["energy_per_inference_uj"],
                                            r["latency_us"], r["digital"])
    return r


def perf_graph(counters: dict, cfg: dict, macs: int, samples: int, extra: dict) -> dict:
    """sim_model.py's model for a format-3 graph run (docs/sim.md "graph runs").

    counters: the run report's counters: instrs, mvms, adc_convs, reads (array reads, all tiles).
    cfg:      the config dict of `aimc config --json` (rows, cols, clock_mhz, the e_* table).
    macs:     MACs of one inference (logical, kirchhoff.graphcal.macs(g)).
    samples:  inferences the counters cover (> 0).
    extra:    the report's other figures: cycles (RTL busy cycles, 0 or absent: no timing),
              posts, accadds (commands run), host_bytes (bytes the driver moved over the bus for
              these samples: inputs, outputs, intermediate tensors), host_ops (driver-side
              operator elements per inference, kirchhoff.graphcal.host_ops(g)); optional for the
              extended figures: prog_rows (rows programmed), pv_pulses, weight_bytes (weights
              moved to the weight buffer once), programs_once (True when the counters cover no
              programming; default True).
    Returns the per-inference figures of sim_model.py's own perf_model (same keys and values)
    plus "extended": the costs the counters omit (function extended()).
    """
    c = counters
    rows, cols = int(cfg["rows"]), int(cfg["cols"])
    cycles = int(extra.get("cycles") or 0)
    posts = int(extra.get("posts", 0))
    accadds = int(extra.get("accadds", 0))
    host_bytes = int(extra.get("host_bytes", 0))
    host_ops = extra.get("host_ops", 0)
    if extra.get("host_ops_run") is not None:   # the run report's count (all samples)
        host_ops = int(extra["host_ops_run"]) / samples
    reads = int(c.get("reads", 0))
    sram_bits = {
        "instr_fetch": 64 * c["instrs"],
        "act_read_mvm": 8 * rows * c["mvms"],
        "acc_rmw": 64 * c["adc_convs"],
        "post_acc_param_act": (32 + 96 + 8) * cols * posts,
        "accadd": (32 + 64) * cols * accadds,
        "host_transfers": 8 * host_bytes,
    }
    energy = _energy(c, cfg, reads, posts, sram_bits, posts + accadds,
                     {"host_ops": E_HOST_OP_PJ * host_ops * samples})
    r = _summary(cfg, cycles, macs, samples, energy, sram_bits)
    r["host_ops_per_inference"] = host_ops
    r["posts_per_inference"] = posts / samples
    r["accadds_per_inference"] = accadds / samples
    r["host_bytes_per_inference"] = host_bytes / samples
    r["extended"] = extended(cfg, cycles, samples, sum(energy.values()), macs,
                             host_bytes=host_bytes, chip_write_counted=True,
                             prog_rows=extra.get("prog_rows"), pv_pulses=extra.get("pv_pulses"),
                             weight_bytes=extra.get("weight_bytes"))
    r["digital"] = digital_baseline(macs, _f(cfg, "clock_mhz"),
                                    out_bytes=extra.get("out_elems", 0),
                                    host_pj=E_HOST_OP_PJ * host_ops)
    r["digital"]["ratio"] = compare_digital(r["extended"]["energy_per_inference_uj"],
                                            r["latency_us"], r["digital"])
    return r


def digital_baseline(macs: int, clock_mhz: float, out_bytes: int = 0, host_pj: float = 0.0,
                     array: int = DIG_ARRAY) -> dict:
    """The same inference on the digital int8 accelerator of DIG_* above: energy per inference
    (MACs x (E10 MAC + operand SRAM bits per MAC x E11) + int8 outputs written + the same
    driver-side operator energy host_pj as the analog run) and latency (MACs / array^2 cycles at
    clock_mhz). Also the bound without operand reuse (every MAC reads its weight and activation
    byte from SRAM). Returns pJ and uJ figures, TOPS, TOPS/W."""
    units = array * array
    bits_per_mac = 8.0 / array + 8.0 / array      # weight + activation, shared along the array
    mac_pj = macs * DIG_MAC_PJ
    sram_pj = macs * bits_per_mac * DIG_SRAM_PJ_BIT + 8.0 * out_bytes * DIG_SRAM_PJ_BIT
    total = mac_pj + sram_pj + host_pj
    nore = macs * (DIG_MAC_PJ + DIG_NO_REUSE_BITS * DIG_SRAM_PJ_BIT) + host_pj
    cycles = _ceil_div(macs, units) if macs else 0
    t = cycles / (float(clock_mhz) * 1e6)
    return {"mac_units": units, "clock_mhz": float(clock_mhz), "macs_per_inference": macs,
            "sram_bits_per_mac": bits_per_mac,
            "breakdown_pj": {"mac": mac_pj, "sram": sram_pj, "host_ops": host_pj},
            "energy_per_inference_uj": total * 1e-6,
            "energy_no_reuse_uj": nore * 1e-6,
            "cycles_per_inference": cycles, "latency_us": t * 1e6,
            "tops_per_w": 2 * macs / total if total > 0 else 0.0,
            "tops_per_w_no_reuse": 2 * macs / nore if nore > 0 else 0.0,
            "tops": 2 * units * float(clock_mhz) * 1e6 / 1e12,
            "sources": "E10 int8 mult 0.2 + add 0.03 pJ; E11 0.16 pJ/bit (8 KB SRAM); "
                       f"{units} MAC units (assumption) at {float(clock_mhz):g} MHz"}


def compare_digital(analog_uj: float, analog_latency_us: float, dig: dict) -> dict:
    """Digital / analog ratios: energy (> 1: the analog design uses less) and latency."""
    e = dig["energy_per_inference_uj"]
    return {"energy_digital_over_analog": e / analog_uj if analog_uj > 0 else None,
            "latency_digital_over_analog": (dig["latency_us"] / analog_latency_us
                                            if analog_latency_us > 0 else None)}


# ---- what the counters omit ----------------------------------------------------------------------

def chip_sram_bits(cfg: dict) -> int:
    """SRAM bits of the chip: every tile's accumulator slots (acc_slots x cols int32) and the
    shared buffers (instructions 64 bit, IN and OUT activations, parameters, weights: 32-bit
    words)."""
    tiles = int(cfg.get("num_tiles", 1))
    acc = tiles * int(cfg.get("acc_slots", 64)) * int(cfg["cols"]) * 32
    bufs = (64 * int(cfg.get("instr_depth", 1024)) + 32 * (2 * int(cfg.get("act_depth", 4096)) +
            int(cfg.get("par_depth", 1024)) + int(cfg.get("wgt_depth", 8192))))
    return acc + bufs


def leakage_w(cfg: dict) -> float:
    """Leakage power of the chip (W): LEAK_PW_PER_BIT (assumption) x chip_sram_bits."""
    return LEAK_PW_PER_BIT * 1e-12 * chip_sram_bits(cfg)


def host_transfer_pj(bytes_: float, chip_write_counted: bool, off_die: bool = False) -> float:
    """Energy (pJ) of moving bytes_ over the host bus: host read + bus wire (+ the chip-side write
    unless the counters already charged it as SRAM traffic). off_die: the host's side is DRAM."""
    host = E_HOST_DRAM_PJ_BIT if off_die else E_HOST_READ_PJ_BIT
    per_bit = host + E_BUS_PJ_BIT + (0.0 if chip_write_counted else E_CHIP_WRITE_PJ_BIT)
    return 8.0 * bytes_ * per_bit


def programming_pj(cfg: dict, prog_rows: int, pv_pulses: int | None = None, weight_bytes: int | None = None) -> dict:
    """Energy (pJ) of programming prog_rows rows of a tile once: 2 cells per weight (the pair),
    one pulse each (one-shot) plus the counted program-and-verify pulses and their verify reads
    (one conversion per column per verify: 1 + pulses / cols verifies per row, a lower bound),
    the weights moved over the host bus (weight_bytes, default rows x cols per programmed row)
    and their weight-buffer write and read (E11)."""
    cols = int(cfg["cols"])
    rows_p = int(prog_rows or 0)
    cells = 2 * cols * rows_p
    pulses = cells + int(pv_pulses or 0)
    wbytes = cols * rows_p if weight_bytes is None else int(weight_bytes)
    verify = 0.0
    if pv_pulses is not None:
        verify_reads = rows_p + int(pv_pulses) / max(cols, 1)
        verify = verify_reads * cols * _f(cfg, "e_adc_pj")
    if is_charge(cfg):  # charge-domain (issue 18): a weight is 2 x 7 capacitor-select bits of SRAM
        return {"pulses_pj": 14.0 * cols * rows_p * _f(cfg, "e_sram_pj_bit"), "verify_pj": 0.0,
                "bus_pj": host_transfer_pj(wbytes, chip_write_counted=False),
                "weight_buffer_read_pj": 8.0 * wbytes * _f(cfg, "e_sram_pj_bit")}
    return {"pulses_pj": E_PROG_PJ_CELL_PULSE * pulses, "verify_pj": verify,
            "bus_pj": host_transfer_pj(wbytes, chip_write_counted=False),
            "weight_buffer_read_pj": 8.0 * wbytes * _f(cfg, "e_sram_pj_bit")}


def extended(cfg: dict, cycles: int, samples: int, counted_pj: float, macs: int, host_bytes: int = 0,
             chip_write_counted: bool = False, prog_rows: int | None = None, pv_pulses: int | None = None,
             weight_bytes: int | None = None) -> dict:
    """The costs the counters omit, for a run of `samples` inferences that took `cycles` busy
    cycles and counted_pj of counter-based energy (all samples together):
      host transfers: host_bytes over the bus for all samples (per inference in the result)
      leakage: leakage_w(cfg) x the busy time (idle time between inferences is the system's)
      programming: once, reported apart (not per inference), and the inferences after which its
        amortized share falls below 1 % of an inference.
    Returns per-inference pJ figures and the totals with and without them."""
    t_s = cycles / (_f(cfg, "clock_mhz") * 1e6) if cycles else 0.0
    host = host_transfer_pj(host_bytes, chip_write_counted)
    leak = leakage_w(cfg) * t_s * 1e12
    per_inf = {"counted_pj": counted_pj / samples, "host_transfer_pj": host / samples,
               "leakage_pj": leak / samples}
    total = sum(per_inf.values())
    r = {"per_inference_pj": per_inf,
         "energy_per_inference_uj": total * 1e-6,
         "tops_per_w": 2 * macs / total if total > 0 else 0.0,
         "host_bytes_per_inference": host_bytes / samples,
         "host_transfer_off_die_pj": host_transfer_pj(host_bytes, chip_write_counted,
                                                      off_die=True) / samples,
         "leakage_w": leakage_w(cfg)}
    if prog_rows:
        p = programming_pj(cfg, prog_rows, pv_pulses, weight_bytes)
        once = sum(p.values())
        r["programming_once"] = {"rows": int(prog_rows), "breakdown_pj": p,
                                 "energy_uj": once * 1e-6,
                                 "inferences_to_1pct": math.ceil(100 * once / total)
                                 if total > 0 else None,
                                 "amortized_over": AMORTIZE_INFERENCES,
                                 "amortized_pj_per_inference": once / AMORTIZE_INFERENCES}
        r["energy_per_inference_amortized_uj"] = (total + once / AMORTIZE_INFERENCES) * 1e-6
    return r


# ---- tile area (for the ADC-sharing trade-off; not an energy term) -------------------------------

CELL_UM2 = 0.33        # F8: 55 nm modified NOR cell (an upper bound for 40 nm)
ADC_UM2 = 1650.0       # A5: 8-bit two-step SAR, 40 nm
DAC1_UM2 = 0.166       # A10: 1-bit DAC
DAC8_UM2 = 21.2        # A10: 8-bit DAC; ASSUMPTION: area linear in levels between the two


def tile_area_mm2(cfg: dict) -> float:
    """Array (2 cells per weight) + ADCs (cols / cols_per_adc) + one DAC per row, mm^2.
    Accumulators, post-processing and buffers are not counted."""
    rows, cols, cpa = int(cfg["rows"]), int(cfg["cols"]), int(cfg["cols_per_adc"])
    b = int(cfg["dac_bits"])
    dac = max(DAC1_UM2, DAC8_UM2 * (2 ** b - 1) / 255)
    return (2 * rows * cols * CELL_UM2 + cols // cpa * ADC_UM2 + rows * dac) * 1e-6


# ---- one full-tile layer (the DSE's unit) --------------------------------------------------------

ACC_STORAGE = ("sram", "reg")   # sram: slot read-modify-write per conversion (rtl/tile/aimc_acc.sv)
                                # reg: a register per column accumulates the phases, the slot is
                                #      read and written once per MVM (a design option, not the RTL)


def full_tile(cfg: dict, mode: str = "s8", post_per_col: float | None = 3.0, post_fixed: int = 3,
              overlap: bool = False,
              acc_storage: str = "sram", post_params: str = "sram", host: bool = True, isa: int = ISA) -> dict:
    """One vector through a layer that fills one tile (K = rows, N = cols), dense inputs: the
    cycles of tile_vector and the energy of the counter model for the events it implies (one MVM,
    one POST, 2 instructions, every phase of phases() applied) plus the tile's leakage (a chip of
    one tile: leakage_w with num_tiles 1) over the vector's time. post_params "reg": the POST's
    bias/M/S words are held in registers per column (loaded once per layer, a design option)
    instead of read from the parameter SRAM per vector. host: also the host transfer of the
    vector's rows + cols bytes (a standalone layer; inside a network only its ends cross the bus).
    Returns cycles, TOPS of the tile at clock_mhz, TOPS/W (counted + leakage; _counted: without
    leakage; _host: with the host transfer), energy breakdown (pJ), area and utilization."""
    if acc_storage not in ACC_STORAGE:
        raise ValueError(f"acc_storage '{acc_storage}' is not one of {', '.join(ACC_STORAGE)}")
    if post_params not in ("sram", "reg"):
        raise ValueError(f"post_params '{post_params}' is not one of sram, reg")
    rows, cols = int(cfg["rows"]), int(cfg["cols"])
    tv = tile_vector(cfg, mode, post_per_col, post_fixed, overlap, isa=isa)
    reads = tv["applied_phases"]
    convs = reads * cols
    c = {"instrs": 2, "mvms": 1, "adc_convs": convs, "prog_rows": 0}
    # sram: 64 bits (32 read + 32 write) per conversion; reg: the slot written once per MVM
    # (32 bits per column; an accumulating MVM would also read it: not the case for a full tile)
    acc_bits = 64 * convs if acc_storage == "sram" else 32 * cols
    post_bits = (32 + (96 if post_params == "sram" else 0) + 8) * cols
    sram_bits = {"instr_fetch": 64 * 2, "act_read_mvm": 8 * rows, "acc_rmw": acc_bits,
                 "post_acc_param_act": post_bits}
    energy = _energy(c, cfg, reads, 1, sram_bits, 1)
    macs = rows * cols
    clock_hz = _f(cfg, "clock_mhz") * 1e6
    t = tv["vector"] / clock_hz
    counted = sum(energy.values())
    energy["leakage"] = leakage_w(dict(cfg, num_tiles=1)) * t * 1e12
    tile = counted + energy["leakage"]
    hostp = host_transfer_pj(rows + cols, chip_write_counted=False)
    if host:
        energy["host_transfer"] = hostp
    area = tile_area_mm2(cfg)
    return {"cycles": tv, "macs": macs, "tops": 2 * macs / t / 1e12,
            "tops_per_w": 2 * macs / tile, "tops_per_w_counted": 2 * macs / counted,
            "tops_per_w_host": 2 * macs / (tile + hostp), "energy_pj": energy,
            "sram_bits": sram_bits, "utilization": tv["converting"] / tv["vector"],
            "area_mm2": area, "tops_per_mm2": 2 * macs / t / 1e12 / area}


def post_lanes_needed(cfg: dict, tops_goal: float, max_lanes: int = 64, per_col: float = 3.0,
                      **kw: object) -> int | None:
    """The fewest parallel POST lanes (POST per_col/L cycles per column; per_col 3 the RTL before
    issue 17, 1 after) for which one full tile reaches tops_goal TOPS (full_tile arguments in kw,
    post_per_col excluded); None if max_lanes lanes do not."""
    for lanes in range(1, max_lanes + 1):
        if full_tile(cfg, post_per_col=per_col / lanes, host=False, **kw)["tops"] >= tops_goal:
            return lanes
    return None
