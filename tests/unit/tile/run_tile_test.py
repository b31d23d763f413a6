#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Unit test of aimc_tile: a seeded command sequence (PROG, MVM signed and u8, POST in every mode
including tfl, ACCADD, the error paths) run on the tile bench in Icarus and/or Verilator, checked
against an independent Python statement of docs/numbers.md (outputs, error codes, counters) and of
the tile's documented latency (aimc_tile.sv), and (with --sim both) the two simulators against each other.

The reference is exact for configs without programming or read noise: every ADC code is then
round_half_away(S / 2^adc_shift) clamped to the ADC range, S the exact integer sum_r d[r]*w[r][c].
The generator avoids sums that fall exactly on a half (where float rounding of the model may go
either way), so a mismatch is a bug, never an artifact of the reference.

  run_tile_test.py --config CFG [--seed N] [--sim icarus|verilator|both] [--build DIR] [--isa3]

--isa3 runs the ISA 3 scenario (u8 MVM, tfl POST, ACCADD) instead of the base one.
"""
import argparse
import fcntl
import json
import os
import random
import shutil
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

OP_PROG, OP_MVM, OP_POST, OP_NOP, OP_HALT, OP_ACCADD = 1, 2, 3, 0, 5, 10
F_ACC, F_SRC_OUT, F_U8 = 1, 2, 4
F_RELU, F_DST_OUT, F_RAW, F_TFL = 1, 2, 4, 8
F_FROM_OUT = 1
ERR_NONE, ERR_ILLEGAL, ERR_BAD_PARAM = 0, 1, 5
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
SAT_MVMS = 200  # most MVMs spent on reaching accumulator saturation

RTL = ["-Irtl/prim", "rtl/pkg/aimc_pkg.sv", "rtl/pkg/aimc_isa_pkg.sv", "rtl/afe/aimc_dac_if.sv",
       "rtl/afe/aimc_sar.sv", "rtl/afe/aimc_adc_if.sv", "rtl/tile/aimc_xbar_macro.sv", "rtl/tile/aimc_xbar_twin.sv",
       "rtl/tile/aimc_xbar.sv",
       "rtl/tile/aimc_slice_map.sv", "rtl/tile/aimc_acc.sv",
       "rtl/tile/aimc_post_final.sv", "rtl/tile/aimc_post_tfl.sv", "rtl/tile/aimc_post.sv", "rtl/tile/aimc_pv.sv",
       "rtl/tile/aimc_tile.sv",
       "tests/unit/tile/aimc_tile_tb.sv"]


class Ambiguous(Exception):
    """A column sum lies exactly on a rounding half: the test data must be drawn again."""


def s8(b):
    return b - 256 if b >= 128 else b


def u32(v):
    return v & 0xFFFFFFFF


class Ref:
    """docs/numbers.md for one tile, noise-free crossbar."""

    def __init__(self, cfg, mem):
        self.rows, self.cols = cfg["rows"], cfg["cols"]
        self.dac_bits, self.adc_bits = cfg["dac_bits"], cfg["adc_bits"]
        self.cpa = cfg["cols_per_adc"]
        self.lanes = cfg.get("post_lanes", 1)   # POST columns per cycle (RAW: one)
        self.lwords = cfg.get("load_words", 1)  # MVM input words read per cycle
        # bit-sliced weights (docs/numbers.md): cols logical columns of ns adjacent pair columns
        self.ns, self.sb = cfg.get("weight_slices", 1), cfg.get("slice_bits", 7)
        self.top = 127 if self.ns == 1 else (1 << self.sb) - 1
        self.pcols = self.cols * self.ns
        self.mem = mem
        self.w = [[0] * self.pcols for _ in range(self.rows)]
        self.acc = [[0] * self.cols for _ in range(cfg["acc_slots"])]
        self.conv_cnt = self.prog_cnt = self.n_adc = self.n_sat = self.n_mvm = 0
        self.adc_cycles, self.settle = cfg["adc_cycles"], max(1, cfg["settle_cycles"])
        self.cycles = 0  # latency of the last command (aimc_tile.sv header)

    def sat32(self, v):
        if v > INT32_MAX or v < INT32_MIN:
            self.n_sat += 1
            return INT32_MAX if v > INT32_MAX else INT32_MIN
        return v

    def byte(self, buf, word0, i):
        return (self.mem[buf][word0 + i // 4] >> (8 * (i % 4))) & 0xFF

    def prog(self, a):
        for r in range(self.rows):
            for p in range(self.pcols):
                w = s8(self.byte("wgt", a, r * self.pcols + p))
                self.w[r][p] = min(max(w, -self.top), self.top)  # the hardware clamps
            self.prog_cnt += 1
        self.cycles = self.rows * self.pcols // 4 + 3
        return ERR_NONE

    def code(self, s, shift):
        if shift > 0 and abs(s) % (1 << shift) == 1 << (shift - 1):
            raise Ambiguous()
        q = (abs(s) + ((1 << shift) >> 1)) >> shift
        q = q if s >= 0 else -q
        lo, hi = -(1 << (self.adc_bits - 1)), (1 << (self.adc_bits - 1)) - 1
        return min(max(q, lo), hi)

    def mvm(self, flags, a, slot, shift, dry=False):
        u8 = flags & F_U8
        x = [self.byte("act_out" if flags & F_SRC_OUT else "act_in", a, r)
             for r in range(self.rows)]
        if not u8:
            x = [s8(v) for v in x]
        mask = (1 << self.dac_bits) - 1
        acc = list(self.acc[slot]) if flags & F_ACC else [0] * self.cols
        nslices = (8 + self.dac_bits - 1) // self.dac_bits  # 8 magnitude bits (ISA 3)
        # Latency (aimc_tile.sv header, issue 17): the next applied phase is searched for and
        # settles under the current conversions. applied: (skipped phases before it) per phase.
        load = max(-(-(self.rows // 4) // self.lwords) + 1, self.cpa)
        conv = self.cpa * self.ns * self.adc_cycles  # every pair column of an ADC is a conversion
        gaps, skipped = [], 0
        for s in range(nslices):
            for neg in (False, True):
                d = [((abs(v) >> (s * self.dac_bits)) & mask) if (v < 0) == neg and v != 0 else 0
                     for v in x]
                if not any(d):
                    skipped += 1
                    continue
                gaps.append(skipped)
                skipped = 0
        if not gaps:
            cycles = load + 2 + skipped
        else:
            a_i = load + 1 + gaps[0] + self.settle
            for k in gaps[1:]:
                a_i = max(a_i + conv + 1, a_i + 2 + k + self.settle)
            end = a_i + conv + 1
            if skipped:
                end = max(end, a_i + 2 + skipped)
            cycles = end + 2
        for s in range(nslices):
            for neg in (False, True):
                d = [((abs(v) >> (s * self.dac_bits)) & mask) if (v < 0) == neg and v != 0 else 0
                     for v in x]
                if not any(d):
                    continue
                # mux position g of ADC j: pair column p = j*cpa*ns + g, slice p % ns of
                # logical column p // ns, all ADCs of one position, then the next position
                pg = self.cpa * self.ns
                for g in range(pg):
                    for j in range(self.cols // self.cpa):
                        p = j * pg + g
                        c = p // self.ns
                        code = self.code(sum(d[r] * self.w[r][p] for r in range(self.rows)), shift)
                        if not dry:
                            term = code << (s * self.dac_bits + shift + (p % self.ns) * self.sb)
                            acc[c] = self.sat32(acc[c] + (-term if neg else term))
                if not dry:
                    self.conv_cnt += 1
                    self.n_adc += self.pcols
        if not dry:
            self.acc[slot] = acc
            self.n_mvm += 1
            self.cycles = cycles
        return ERR_NONE

    def post(self, flags, a, slot, c0):
        dst = "act_out" if flags & F_DST_OUT else "act_in"
        par = self.mem["par"]
        word = 0
        # RAW: max(1, lanes / 4) columns (one int32 word each) per cycle
        self.cycles = (self.cols // max(1, self.lanes // 4) + 2 if flags & F_RAW
                       else self.cols // self.lanes + 4)
        for c in range(self.cols):
            if flags & F_RAW:
                self.mem[dst][a + c] = u32(self.sat32(self.acc[slot][c] + s32(par[c0 + 3 * c])))
                continue
            sh = par[c0 + 3 * c + 2]
            if flags & F_TFL:
                e, zp, lo, hi = (s8((sh >> (8 * k)) & 0xFF) for k in range(4))
                if not -31 <= e <= 30 or lo > hi:
                    self.cycles = c // self.lanes + 4 + (self.lanes > 4)  # 8, 16: the group of c drains
                    return ERR_BAD_PARAM
                t = self.sat32(self.acc[slot][c] + s32(par[c0 + 3 * c]))
                y = tfl_requant(t, s32(par[c0 + 3 * c + 1]), e, zp, lo, hi)
                word |= (y & 0xFF) << (8 * (c % 4))
                if c % 4 == 3:
                    self.mem[dst][a + c // 4] = word
                    word = 0
                continue
            if sh >> 6 or not 1 <= sh <= 62:
                self.cycles = c // self.lanes + 4 + (self.lanes > 4)  # 8, 16: the group of c drains
                return ERR_BAD_PARAM
            t = self.sat32(self.acc[slot][c] + s32(par[c0 + 3 * c]))
            q = (t * s32(par[c0 + 3 * c + 1]) + (1 << (sh - 1))) >> sh
            if flags & F_RELU:
                q = max(q, 0)
            y = min(max(q, -127), 127)
            word |= (y & 0xFF) << (8 * (c % 4))
            if c % 4 == 3:
                self.mem[dst][a + c // 4] = word
                word = 0
        return ERR_NONE


    def accadd(self, flags, a, slot):
        src = "act_out" if flags & F_FROM_OUT else "act_in"
        for c in range(self.cols):
            self.acc[slot][c] = self.sat32(self.acc[slot][c] + s32(self.mem[src][a + c]))
        self.cycles = self.cols + 2
        return ERR_NONE


def s32(v):
    return v - (1 << 32) if v & 0x80000000 else v


def wslice(w, s, ns, sb):
    """Slice s of weight w (docs/numbers.md "Bit-sliced weights"), |w| capped at 127."""
    m = min(abs(w), 127)
    v = (m >> (s * sb)) & ((1 << sb) - 1)
    return -v if w < 0 else v


def tfl_requant(t, m, e, zp, lo, hi):
    """TFLite's MultiplyByQuantizedMultiplier as docs/numbers.md states it, in Python integers:
    u = t << max(e, 0) wrapped to int32, SRDHM (nudge, truncation toward zero), RDBPOT (ties away
    from zero), + zp, clamp [lo, hi]."""
    u = s32(u32(t << max(e, 0)))
    if u == INT32_MIN and m == INT32_MIN:
        h = INT32_MAX
    else:
        ab = u * m
        v = ab + ((1 << 30) if ab >= 0 else 1 - (1 << 30))
        h = abs(v) >> 31
        h = h if v >= 0 else -h  # truncation toward zero
    r = max(-e, 0)
    mask = (1 << r) - 1
    rem = h & mask
    thr = (mask >> 1) + (1 if h < 0 else 0)
    q = (h >> r) + (1 if rem > thr else 0)
    return min(max(q + zp, lo), hi)


def instr(op, flags=0, a=0, b=0, c=0):
    return (op << 60) | (flags << 48) | (a << 32) | (b << 16) | c


class Scenario:
    """Builds the memories and the command list, running the reference alongside. Every input
    and output region is allocated once (no overlaps), so the initial images the bench loads hold
    the inputs of every command."""

    def __init__(self, cfg, seed):
        self.cfg, self.rng = cfg, random.Random(seed)
        r = self.rng
        self.depth = {"wgt": cfg["wgt_depth"], "par": cfg["par_depth"],
                      "act_in": cfg["act_depth"], "act_out": cfg["act_depth"]}
        self.initial = {b: [r.getrandbits(32) for _ in range(d)] for b, d in self.depth.items()}
        self.mem = {b: list(w) for b, w in self.initial.items()}
        self.next = {b: r.randrange(0, d // 8) for b, d in self.depth.items()}
        self.ref = Ref(cfg, self.mem)
        self.cmds, self.expect = [], []
        self.rows, self.cols = cfg["rows"], cfg["cols"]
        self.pipelined = False  # --pipelined: the pipeline() commands before the final NOP

    # -- memory helpers --
    def put(self, buf, i, word):
        self.initial[buf][i] = self.mem[buf][i] = word

    def put_bytes(self, buf, word0, vals):
        for i in range(0, len(vals), 4):
            self.put(buf, word0 + i // 4, sum((vals[i + k] & 0xFF) << (8 * k) for k in range(4)))

    def alloc(self, buf, words):
        a = self.next[buf] + self.rng.randrange(0, 4)
        if a + words > self.depth[buf]:
            raise RuntimeError("the %s buffer (%d words) is too small for this test"
                               % (buf, self.depth[buf]))
        self.next[buf] = a + words
        return a

    # -- commands --
    def run(self, op, flags=0, a=0, b=0, c=0):
        ref = self.ref
        if op == OP_PROG:
            e = ref.prog(a)
        elif op == OP_MVM:
            e = ref.mvm(flags, a, b, c)
        elif op == OP_POST:
            e = ref.post(flags, a, b, c)
        elif op == OP_ACCADD:
            e = ref.accadd(flags, a, b)
        else:
            e = ERR_ILLEGAL
            ref.cycles = 1
        self.cmds.append(instr(op, flags, a, b, c))
        self.expect.append((e, ref.cycles))

    def prog(self, weights):
        """weights: Rows x Cols int8; with bit-sliced weights each one is written as its slices."""
        ref = self.ref
        if ref.ns > 1:
            weights = [[wslice(v, s, ref.ns, ref.sb) for v in row for s in range(ref.ns)]
                       for row in weights]
        self.prog_raw(weights)

    def prog_raw(self, pair_bytes):
        """Rows x Cols*weight_slices bytes as PROG reads them (the hardware clamps each)."""
        a = self.alloc("wgt", self.rows * self.ref.pcols // 4)
        self.put_bytes("wgt", a, [v for row in pair_bytes for v in row])
        self.run(OP_PROG, a=a)

    def mvm(self, gen, flags, slot, shift, a=None):
        """MVM of a vector drawn by gen() (drawn again while a sum falls on a rounding half);
        with `a`, of the vector already at word a. Returns the vector's address."""
        buf = "act_out" if flags & F_SRC_OUT else "act_in"
        if a is None:
            a = self.alloc(buf, self.rows // 4)
            for _ in range(200):
                self.put_bytes(buf, a, gen())
                try:
                    self.ref.mvm(flags, a, slot, shift, dry=True)
                    break
                except Ambiguous:
                    continue
            else:
                raise RuntimeError("no vector without rounding ties in 200 draws")
        self.run(OP_MVM, flags, a, slot, shift)
        return a

    def post(self, flags, slot, params):
        """params: (b, M, S) per column; the destination starts with random words."""
        dst = "act_out" if flags & F_DST_OUT else "act_in"
        words = self.cols if flags & F_RAW else self.cols // 4
        a = self.alloc(dst, words)
        c0 = self.alloc("par", 3 * self.cols)
        for i, (b, m, s) in enumerate(params):
            self.put("par", c0 + 3 * i, u32(b))
            self.put("par", c0 + 3 * i + 1, u32(m))
            self.put("par", c0 + 3 * i + 2, u32(s))
        self.run(OP_POST, flags, a, slot, c0)

    def post_tfl(self, slot, params):
        """params: (b, M, e, zp, lo, hi) per column; int8 outputs to OUT."""
        a = self.alloc("act_out", self.cols // 4)
        c0 = self.alloc("par", 3 * self.cols)
        for i, (b, m, e, zp, lo, hi) in enumerate(params):
            self.put("par", c0 + 3 * i, u32(b))
            self.put("par", c0 + 3 * i + 1, u32(m))
            self.put("par", c0 + 3 * i + 2, (e & 0xFF) | (zp & 0xFF) << 8 | (lo & 0xFF) << 16
                     | (hi & 0xFF) << 24)
        self.run(OP_POST, F_TFL | F_DST_OUT, a, slot, c0)

    def accadd(self, flags, slot, words):
        buf = "act_out" if flags & F_FROM_OUT else "act_in"
        a = self.alloc(buf, self.cols)
        for i, w in enumerate(words):
            self.put(buf, a + i, u32(w))
        self.run(OP_ACCADD, flags, a, slot)

    def tfl_params(self, slot, e_lo=-31, e_hi=30):
        """Per column a random b, a multiplier in [2^30, 2^31) (TFLite's normalized form, or any
        int32 sometimes), e, zp and clamps; M and e chosen so that q lands near the int8 range."""
        r = self.rng
        out = []
        for c in range(self.cols):
            b = r.randint(-(1 << 12), 1 << 12)
            t = max(1, abs(self.ref.acc[slot][c] + b))
            m = r.randint(1 << 30, INT32_MAX) if r.random() < 0.8 else r.randint(INT32_MIN, INT32_MAX)
            # t*M/2^31 ~ t*2^-0.5; pick e so that it lands near 2^6 .. 2^8
            e = max(e_lo, min(e_hi, 7 - t.bit_length() + r.randint(-2, 2)))
            zp = r.randint(-128, 127)
            lo = r.randint(-128, 0) if r.random() < 0.5 else -128
            hi = r.randint(lo, 127) if r.random() < 0.5 else 127
            out.append((b, m, e, zp, lo, hi))
        return out

    # -- vector and parameter generators --
    def pipeline(self, u8):
        """tile_overlap: commands on two slots in the graph compiler's order (the MVM of vector
        b before the POST of b - 1), each MVM loaded beside the other slot's conversions and each
        POST run beside the next MVM, then two POSTs back to back (the second waits for the
        first to retire)."""
        if self.cfg["acc_slots"] < 2:
            return
        r = self.rng
        sa, sb = 0, 1
        fl = F_U8 if u8 else 0
        gen = (lambda: [r.randint(0, 255) if r.random() > 0.1 else 0 for _ in range(self.rows)]) \
            if u8 else self.vec()
        self.mvm(gen, fl, sa, 0)
        self.mvm(gen, fl, sb, 0)
        self.post(F_DST_OUT, sa, self.params(sa))
        self.mvm(gen, fl, sa, 0)
        self.post(F_RAW | F_DST_OUT, sb, self.params(sb))
        self.mvm(gen, fl | F_ACC, sb, 0)
        self.post(F_RELU | F_DST_OUT, sa, self.params(sa))
        self.post(F_DST_OUT, sb, self.params(sb))
        # two POSTs beside one MVM (both wait to retire), the second stopped by a bad S
        self.mvm(gen, fl, sa, 0)
        self.mvm(gen, fl, sb, 0)
        self.post(F_RAW | F_DST_OUT, sa, self.params(sa))
        bad = self.params(sa)
        k = r.randrange(self.cols)
        bad[k] = (bad[k][0], bad[k][1], 0)
        self.post(F_DST_OUT, sa, bad)
        self.post(F_DST_OUT, sb, self.params(sb))

    def vec(self, lo=-127, hi=127, zeros=0.1, specials=True):
        r = self.rng

        def gen():
            x = [0 if r.random() < zeros else r.randint(lo, hi) for _ in range(self.rows)]
            if specials:
                x[r.randrange(self.rows)] = -128  # sliced as magnitude 128 (docs/numbers.md)
                x[r.randrange(self.rows)] = 127
                x[r.randrange(self.rows)] = -127
            return x
        return gen

    def params(self, slot, s_lo=1, s_hi=62, b_bits=12, q_max=300):
        """Per column a random b and S, and M chosen from the slot's current accumulators so
        that q lands near a target in [-q_max, q_max] (exactly on it when 2^(S-1) > |t|): in
        range and clamped outputs both occur."""
        r = self.rng
        out = []
        for c in range(self.cols):
            b = r.randint(-(1 << b_bits), 1 << b_bits)
            t = max(1, abs(self.ref.acc[slot][c] + b))
            # S small enough that M = target * 2^S / t fits int32
            hi = max(1, min(s_hi, t.bit_length() + 29 - q_max.bit_length()))
            s = r.randint(max(1, min(s_lo, hi)), hi)
            target = r.randint(-3, 3) if r.random() < 0.3 else r.randint(-q_max, q_max)
            m = (target << s) // t
            out.append((b, min(max(m, INT32_MIN), INT32_MAX), s))
        return out

    def build(self):
        r, rows, cols = self.rng, self.rows, self.cols
        slots = self.cfg["acc_slots"]
        s1, s2, s3 = r.randrange(slots), r.randrange(slots), r.randrange(slots)
        rnd_w = [[r.randint(-127, 127) for _ in range(cols)] for _ in range(rows)]
        for _ in range(max(1, rows * cols // 16)):
            rnd_w[r.randrange(rows)][r.randrange(cols)] = -128  # programmed as -127
        raw = F_RAW

        self.prog(rnd_w)
        # full-range inputs, then accumulate small positive inputs read from OUT (skipped phases)
        self.mvm(self.vec(), 0, s1, 0)
        self.post(raw | F_DST_OUT, s1, self.params(s1, b_bits=20))
        self.mvm(self.vec(0, 3, zeros=0.3, specials=False), F_ACC | F_SRC_OUT, s1, 0)
        self.post(F_RELU | F_DST_OUT, s1, self.params(s1))
        self.post(0, s1, self.params(s1, s_lo=1, s_hi=4))
        self.post(F_RELU, s1, self.params(s1, s_lo=40, s_hi=62))
        self.post(F_RELU | F_DST_OUT, s1, self.params(s1, s_lo=30, s_hi=62, q_max=2))
        # an all-zero vector clears the slot without a single array read
        self.mvm(self.vec(), 0, s2, 0)
        self.mvm(lambda: [0] * rows, 0, s2, 0)
        self.post(raw, s2, self.params(s2))
        # ADC shifts: weights are multiples of 16 except for a residue of -1, 0 or 1 in row 0, so
        # at shifts 2 and 4 the codes round up and down but rarely tie (ties are redrawn)
        shifts = (2, 4, 15)
        if self.ref.ns == 1:
            self.prog([[16 * r.randint(-7, 7) + (r.choice((-1, 0, 1)) if i == 0 else 0)
                        for _ in range(cols)] for i in range(rows)])
        else:
            # bit-sliced: every pair column converts on its own, so its bytes are multiples of 4
            # (slices of 3 bits or more) with the residue in row 0; shift 4 would tie too often
            k = 2 if self.ref.sb >= 3 else 0
            lim = self.ref.top >> k
            shifts = (2, 15) if k else (15,)
            self.prog_raw([[(r.randint(-lim, lim) << k) + (r.choice((-1, 0, 1)) if i == 0 and k else 0)
                            for _ in range(self.ref.pcols)] for i in range(rows)])
        for shift in shifts:
            self.mvm(self.vec(-127, 0, zeros=0.2, specials=False), 0, s3, shift)
            self.post(raw | F_DST_OUT, s3, self.params(s3))
        # saturation of acc + b in both modes; extreme multipliers and shifts
        self.mvm(self.vec(), 0, s1, 0)
        self.post(raw, s1, [(r.choice([INT32_MAX, INT32_MIN, INT32_MAX - 5]), 0, 0)
                            for _ in range(cols)])
        self.post(F_DST_OUT, s1, [(r.choice([INT32_MAX, INT32_MIN]), r.choice([INT32_MIN, INT32_MAX]),
                                   r.choice([1, 31, 62])) for _ in range(cols)])
        # accumulator saturation: +-127 weights (sign by column), inputs 127, accumulated until
        # every column has saturated if that takes at most SAT_MVMS instructions (large Rows)
        self.prog([[127 if j % 2 == 0 else -127 for j in range(cols)] for _ in range(rows)])
        mask = (1 << self.cfg["dac_bits"]) - 1
        s_max = max(rows * ((127 >> (k * self.cfg["dac_bits"])) & mask) * 127
                    for k in range((6 + self.cfg["dac_bits"]) // self.cfg["dac_bits"]))
        shift = min(15, max(0, s_max.bit_length() - (self.cfg["adc_bits"] - 1)))
        a = self.mvm(lambda: [127] * rows, 0, s2, shift)
        per_mvm = abs(self.ref.acc[s2][0])
        n = (1 << 31) // max(1, per_mvm) + 2
        for _ in range(n if n <= SAT_MVMS else 3):
            self.mvm(None, F_ACC, s2, shift, a=a)
        self.post(raw, s2, self.params(s2))
        # bad shifts stop POST at column k: S = 0, S = 63, reserved bits set
        self.prog(rnd_w)
        self.mvm(self.vec(), 0, s1, 0)
        # (the third inside the first group of 8 or 16 lanes, past its first complete output
        # words: with post_lanes 8 or 16 those words are written, the rest of the group is not)
        for i, bad in enumerate((0, 63, 0x40 | 5, 0x80000000 | 7)):
            p = self.params(s1)
            k = min(cols - 1, 9) if i == 2 else r.randrange(cols)
            p[k] = (p[k][0], p[k][1], bad)
            self.post(F_RELU | F_DST_OUT, s1, p)
        self.post(F_DST_OUT, s1, self.params(s1))
        # bit-sliced weights: raw pair-column bytes over the whole int8 range, clamped by PROG to
        # the cell's top level
        if self.ref.ns > 1:
            self.prog_raw([[r.randint(-128, 127) for _ in range(self.ref.pcols)] for _ in range(rows)])
            self.mvm(self.vec(), 0, s1, 0)
            self.post(raw | F_DST_OUT, s1, self.params(s1, b_bits=20))
        if self.pipelined:
            self.pipeline(False)
        # an opcode that is not a tile command is answered, not hung
        self.run(OP_NOP)
        self.cmds.append(instr(OP_HALT))


    def build_isa3(self):
        """ISA 3 (a scenario of its own: the parameter buffer has no room left after build()):
        u8 inputs (255, 128, 0 included), -128 in signed inputs, tfl POSTs (random, e = -31,
        extreme multipliers, bad E words), ACCADD from IN and OUT saturating both ways."""
        r, rows, cols = self.rng, self.rows, self.cols
        slots = self.cfg["acc_slots"]
        s1, s2 = r.randrange(slots), r.randrange(slots)
        raw = F_RAW
        rnd_w = [[r.randint(-127, 127) for _ in range(cols)] for _ in range(rows)]
        self.prog(rnd_w)

        def u8gen():
            x = [r.randint(0, 255) if r.random() > 0.1 else 0 for _ in range(rows)]
            x[r.randrange(rows)] = 255
            x[r.randrange(rows)] = 128
            return x
        self.mvm(u8gen, F_U8, s1, 0)
        self.post(raw | F_DST_OUT, s1, self.params(s1))
        self.post_tfl(s1, self.tfl_params(s1))
        self.mvm(u8gen, F_U8 | F_ACC, s1, 0)
        self.post_tfl(s1, self.tfl_params(s1))
        self.mvm(self.vec(-128, 127), 0, s2, 0)
        self.post(raw, s2, self.params(s2))
        self.post_tfl(s2, self.tfl_params(s2))
        self.post_tfl(s2, self.tfl_params(s2, e_lo=-31, e_hi=-31))
        self.post_tfl(s2, [(r.randint(-100, 100), r.choice([INT32_MIN, INT32_MAX, 1 << 30]),
                            r.choice([30, 0, -31]), r.randint(-128, 127), -128, 127)
                           for _ in range(cols)])
        # ACCADD from IN and OUT: partial sums, then extremes that saturate both ways
        self.accadd(0, s2, [r.randint(-(1 << 20), 1 << 20) for _ in range(cols)])
        self.post(raw | F_DST_OUT, s2, [(0, 0, 0)] * cols)
        self.post_tfl(s2, self.tfl_params(s2))
        self.accadd(F_FROM_OUT, s2, [r.choice([INT32_MAX, INT32_MIN, 1 << 30]) for _ in range(cols)])
        self.accadd(0, s2, [r.choice([INT32_MAX, INT32_MIN]) for _ in range(cols)])
        self.post(raw, s2, [(0, 0, 0)] * cols)
        self.post_tfl(s2, self.tfl_params(s2))
        # bad E stops a tfl POST at column k: e = 31, e = -32, lo > hi
        for i, bad in enumerate(((31, 0, -128, 127), (-32, 0, -128, 127), (0, 0, 5, 4))):
            p = self.tfl_params(s1)
            k = min(cols - 1, 6) if i == 1 else r.randrange(cols)
            p[k] = (p[k][0], p[k][1]) + bad
            self.post_tfl(s1, p)
        self.post_tfl(s1, self.tfl_params(s1))
        if self.pipelined:
            self.pipeline(True)
        self.run(OP_NOP)
        self.cmds.append(instr(OP_HALT))


def write_hex(path, words, width):
    with open(path, "w") as f:
        for w in words:
            f.write("%0*x\n" % (width // 4, w))


def read_hex(path):
    """$writememh output: one word per line, // comments; @addr lines are not expected."""
    words = []
    with open(path) as f:
        for ln in f:
            ln = ln.split("//")[0].strip()
            if ln.startswith("@"):
                raise ValueError("%s: unexpected address line '%s'" % (path, ln))
            if ln:
                try:
                    words.append(int(ln, 16))
                except ValueError:
                    words.append(None)  # X or Z bits
    return words


def sh(cmd, log, cwd=ROOT):
    with open(log, "w") as f:
        rc = subprocess.call(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT)
    if rc != 0:
        with open(log) as f:
            tail = f.read().splitlines()[-30:]
        sys.exit("run_tile_test: FAIL: %s (exit %d, %s):\n%s" % (cmd[0], rc, log, "\n".join(tail)))


def rtl_params(cfg):
    return {"Rows": cfg["rows"], "Cols": cfg["cols"], "DacBits": cfg["dac_bits"],
            "AdcBits": cfg["adc_bits"], "ColsPerAdc": cfg["cols_per_adc"],
            "AdcCycles": cfg["adc_cycles"], "AccSlots": cfg["acc_slots"],
            "ActDepth": cfg["act_depth"], "ParDepth": cfg["par_depth"],
            "WgtDepth": cfg["wgt_depth"], "SettleCycles": cfg["settle_cycles"],
            "WeightSlices": cfg.get("weight_slices", 1), "SliceBits": cfg.get("slice_bits", 7),
            "AdcKind": {"model": 0, "sar": 1}[cfg.get("adc_kind", "model")],
            "PostLanes": cfg.get("post_lanes", 1), "LoadWords": cfg.get("load_words", 1),
            "TileOverlap": cfg.get("tile_overlap", 0)}


def build_icarus(cfg, bdir):
    """The VPI module as the Makefile builds it (bit-exact flags), then the bench."""
    os.makedirs(bdir, exist_ok=True)
    cdir = os.path.join(ROOT, "analog_models/c")
    srcs = [os.path.join(ROOT, "analog_models/dpi/aimc_xbar_vpi.c")] + sorted(
        os.path.join(cdir, f) for f in os.listdir(cdir) if f.endswith(".c"))

    def vpi_flags(what):
        return subprocess.check_output(["iverilog-vpi", what], text=True).split()
    sh(["cc", "-o", os.path.join(bdir, "aimc_vpi.vpi")] + vpi_flags("--cflags")
       + ["-ffp-contract=off", "-fno-fast-math", "-I" + cdir] + srcs + vpi_flags("--ldflags")
       + vpi_flags("--ldlibs") + ["-lm"], os.path.join(bdir, "vpi.log"), cwd=bdir)
    params = ["-Paimc_tile_tb_icarus.%s=%d" % kv for kv in rtl_params(cfg).items()]
    sh(["iverilog", "-g2012", "-Wall", "-o", os.path.join(bdir, "tb.vvp"), "-s", "aimc_tile_tb_icarus"]
       + params + RTL + ["tests/unit/tile/aimc_tile_tb_icarus.sv"], os.path.join(bdir, "iverilog.log"))


def build_verilator(cfg, bdir, lib):
    os.makedirs(bdir, exist_ok=True)
    params = ["-G%s=%d" % kv for kv in rtl_params(cfg).items()]
    inc = "-I%s/analog_models/c" % ROOT
    sh(["verilator", "--cc", "--exe", "--build", "-j", "2", "-O2", "--assert", "--x-assign", "fast",
        "--x-initial", "fast", "-Wno-fatal", "--top-module", "aimc_tile_tb", "--Mdir",
        os.path.join(bdir, "obj"), "-o", "../tb"] + params + RTL
       + [os.path.join(ROOT, "tests/unit/tile/aimc_tile_tb_main.cpp"),
          os.path.join(ROOT, "analog_models/dpi/aimc_xbar_dpi.c"),
          "-CFLAGS", "-O2 -std=c++17 -ffp-contract=off " + inc,
          "-LDFLAGS", os.path.abspath(lib) + " -lm"], os.path.join(bdir, "verilator.log"))


def run_sim(sim, cfg_path, seed, bdir, tdir, ncmds, pipelined=False):
    plus = ["+dir=" + tdir, "+ncmds=%d" % ncmds, "+aimc_config=" + cfg_path, "+aimc_seed=%d" % seed,
            "+pipelined=%d" % int(pipelined)]
    if sim == "icarus":
        cmd = ["vvp", "-n", "-M", bdir, "-m", "aimc_vpi", os.path.join(bdir, "tb.vvp")] + plus
    else:
        cmd = [os.path.join(bdir, "tb")] + plus
    sh(cmd, os.path.join(tdir, "sim.log"))


def check_model_errors(sim, cfg, bdir, tdir):
    """The simulation must stop with a clear message and a failing exit status when the model
    has no config, a bad seed, or a config whose geometry differs from the RTL's."""
    other = dict((k, cfg[k]) for k in ("cols", "dac_bits", "adc_bits", "cols_per_adc",
                                       "adc_cycles", "acc_slots"))
    other["rows"] = cfg["rows"] + 4 if cfg["rows"] <= 1020 else cfg["rows"] - 4
    # bit-sliced weights: the array geometry includes the slices (decision 0009)
    other["weight_slices"] = cfg.get("weight_slices", 1)
    other["slice_bits"] = cfg.get("slice_bits", 7)
    os.makedirs(tdir, exist_ok=True)
    mismatch = os.path.join(tdir, "mismatch.cfg")
    with open(mismatch, "w") as f:
        f.write("name = mismatch\n" + "".join("%s = %d\n" % kv for kv in other.items())
                + "prog_sigma = 0\nread_sigma = 0\n")
    # the same geometry with the other ADC kind: the bind names AdcKind
    kind = dict(other, rows=cfg["rows"], adc_cycles=cfg["adc_bits"] + 1)
    sar = cfg.get("adc_kind", "model") == "sar"
    kind_cfg = os.path.join(tdir, "kind.cfg")
    with open(kind_cfg, "w") as f:
        f.write("name = kind\n" + "".join("%s = %d\n" % kv for kv in kind.items())
                + "prog_sigma = 0\nread_sigma = 0\nadc_kind = %s\n" % ("model" if sar else "sar"))
    cases = [([], "aimc_config"),
             (["+aimc_config=" + cfg["path"], "+aimc_seed=12x"], "aimc_seed"),
             (["+aimc_config=" + mismatch, "+aimc_seed=1"], "differs from config 'mismatch'"),
             (["+aimc_config=" + kind_cfg, "+aimc_seed=1"], "AdcKind=%d" % int(sar))]
    errs = []
    for plus, want in cases:
        if sim == "icarus":
            cmd = ["vvp", "-n", "-M", bdir, "-m", "aimc_vpi", os.path.join(bdir, "tb.vvp")]
        else:
            cmd = [os.path.join(bdir, "tb")]
        out = subprocess.run(cmd + ["+dir=" + tdir, "+ncmds=1"] + plus, capture_output=True, text=True,
                             cwd=ROOT)
        text = out.stdout + out.stderr
        if out.returncode == 0 or want not in text:
            errs.append("%s: %s: expected a failing exit and a message with '%s', got exit %d: %s"
                        % (sim, " ".join(plus) or "no plusargs", want, out.returncode,
                           text.strip()[-300:]))
    return errs


def check(sim, sc, tdir, depth, pipelined=False):
    """Compare one simulator's results with the reference; returns (errors, result lines).
    pipelined: each command's latency (accept to done) is at least its own (it may wait for the
    command before it), and the whole run is shorter than the sum of the latencies alone."""
    errs = []
    try:
        with open(os.path.join(tdir, "result.txt")) as f:
            lines = f.read().splitlines()
    except OSError as e:
        return ["%s: no result file (%s)" % (sim, e)], []
    got = [ln.split() for ln in lines if ln.startswith("cmd ")]
    if len(got) != len(sc.expect):
        errs.append("%s: %d commands finished, expected %d" % (sim, len(got), len(sc.expect)))
    for i, (g, (e, cyc)) in enumerate(zip(got, sc.expect, strict=False)):
        code, cycles = int(g[7]), int(g[9])
        if code != e:
            errs.append("%s: command %d (%016x): error code %d, expected %d"
                        % (sim, i, sc.cmds[i], code, e))
        if (cycles < cyc) if pipelined else (cycles != cyc):
            errs.append("%s: command %d (%016x): %d cycles, expected %s%d"
                        % (sim, i, sc.cmds[i], cycles, "at least " if pipelined else "", cyc))
    if pipelined:
        tot = [int(ln.split()[1]) for ln in lines if ln.startswith("pipelined_cycles ")]
        alone = sum(cyc for _, cyc in sc.expect)
        if not tot:
            errs.append("%s: no pipelined_cycles line" % sim)
        elif tot[0] >= alone:
            errs.append("%s: pipelined run took %d cycles, the commands alone %d: nothing overlapped"
                        % (sim, tot[0], alone))
    ref = sc.ref
    want = {"conv_cnt": ref.conv_cnt, "prog_cnt": ref.prog_cnt, "ev_read": ref.conv_cnt,
            "ev_adc": ref.n_adc, "ev_sat": ref.n_sat, "ev_prog_row": ref.prog_cnt,
            "ev_mvm": ref.n_mvm}
    cnt = [ln.split() for ln in lines if ln.startswith("counters ")]
    if not cnt:
        errs.append("%s: no counters line" % sim)
    else:
        kv = dict(zip(cnt[0][1::2], (int(v) for v in cnt[0][2::2]), strict=False))
        for k, v in want.items():
            if kv.get(k) != v:
                errs.append("%s: counter %s = %s, expected %d" % (sim, k, kv.get(k), v))
    for ln in lines:
        if ln.startswith("protocol_error "):
            errs.append("%s: %s" % (sim, ln))
    for buf in ("act_in", "act_out"):
        path = os.path.join(tdir, buf + ".out.hex")
        try:
            mem = read_hex(path)
        except OSError as e:
            errs.append("%s: %s" % (sim, e))
            continue
        bad = [i for i in range(depth) if i >= len(mem) or mem[i] != sc.mem[buf][i]]
        for i in bad[:8]:
            got = "missing" if i >= len(mem) else "X/Z" if mem[i] is None else "%08x" % mem[i]
            errs.append("%s: %s[%d] = %s, expected %08x" % (sim, buf, i, got, sc.mem[buf][i]))
        if len(bad) > 8:
            errs.append("%s: %s: %d more words differ" % (sim, buf, len(bad) - 8))
    return errs, lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="config name or .cfg path (noise-free)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--isa3", action="store_true", help="the ISA 3 scenario (u8, tfl, ACCADD)")
    ap.add_argument("--sim", choices=("icarus", "verilator", "both"), default="both")
    ap.add_argument("--pipelined", action="store_true",
                    help="offer each command once the one before is accepted (tile_overlap "
                    "configs), with the two-slot pipeline commands added before the end")
    ap.add_argument("--build", default=os.environ.get("BUILD", os.path.join(ROOT, "build")),
                    help="build directory (default $BUILD or build)")
    ap.add_argument("--aimc", default=None, help="aimc CLI (default BUILD/sw/aimc)")
    ap.add_argument("--lib", default=None, help="libaimc.a for Verilator (default BUILD/sw/libaimc.a)")
    args = ap.parse_args()
    if args.seed < 0:
        ap.error("--seed must be >= 0")
    aimc = args.aimc or os.path.join(args.build, "sw", "aimc")
    lib = args.lib or os.path.join(args.build, "sw", "libaimc.a")
    need = [aimc] + ([lib] if args.sim != "icarus" else [])
    for f in need:
        if not os.path.exists(f):
            sys.exit("run_tile_test: %s is missing; run 'make sw'" % f)

    cfg_path = args.config
    if "/" not in cfg_path and not cfg_path.endswith(".cfg"):
        cfg_path = os.path.join(ROOT, "configs", cfg_path + ".cfg")
    cfg_path = os.path.abspath(cfg_path)
    out = subprocess.run([aimc, "config", "--json", cfg_path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("run_tile_test: %s: %s" % (cfg_path, (out.stdout + out.stderr).strip()))
    cfg = json.loads(out.stdout)
    if cfg["prog_sigma"] != 0 or cfg["read_sigma"] != 0:
        sys.exit("run_tile_test: config '%s' has programming or read noise; the reference of this "
                 "test is exact only without noise (the chip-level L0 tests cover noise)" % cfg["name"])
    if cfg["num_tiles"] < 1:
        sys.exit("run_tile_test: config '%s' has no tile" % cfg["name"])

    if args.pipelined and not cfg.get("tile_overlap", 0):
        sys.exit("run_tile_test: --pipelined needs a config with tile_overlap = 1")
    sc = Scenario(cfg, args.seed)
    sc.pipelined = args.pipelined
    try:
        if args.isa3:
            sc.build_isa3()
        else:
            sc.build()
    except RuntimeError as e:
        sys.exit("run_tile_test: cannot build the test for config '%s': %s" % (cfg["name"], e))
    name = "%s-%d%s%s" % (cfg["name"], args.seed, "-isa3" if args.isa3 else "",
                          "-pipe" if args.pipelined else "")
    rerun = "tests/unit/tile/run_tile_test.py --config %s --seed %d --sim %s%s%s" % (
        args.config, args.seed, args.sim, " --isa3" if args.isa3 else "",
        " --pipelined" if args.pipelined else "")
    sims = ["icarus", "verilator"] if args.sim == "both" else [args.sim]
    results, errs = {}, []
    for sim in sims:
        bdir = os.path.join(os.path.abspath(args.build), "tile-tb", cfg["name"], sim)
        tdir = os.path.join(os.path.abspath(args.build), "tile-tb", "runs", name, sim)
        shutil.rmtree(tdir, ignore_errors=True)
        os.makedirs(tdir)
        write_hex(os.path.join(tdir, "cmds.hex"), sc.cmds, 64)
        for buf, words in sc.initial.items():
            write_hex(os.path.join(tdir, buf + ".hex"), words, 32)
        os.makedirs(bdir, exist_ok=True)
        with open(os.path.join(bdir, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # runs of other seeds share this build
            if sim == "icarus":
                build_icarus(cfg, bdir)
            else:
                build_verilator(cfg, bdir, lib)
            run_sim(sim, cfg_path, args.seed, bdir, tdir, len(sc.cmds), args.pipelined)
            errs += check_model_errors(sim, dict(cfg, path=cfg_path), bdir,
                                       os.path.join(tdir, "errors"))
        e, lines = check(sim, sc, tdir, cfg["act_depth"], args.pipelined)
        errs += e
        results[sim] = lines
    if len(results) == 2 and results["icarus"] != results["verilator"]:
        diff = [(a, b) for a, b in zip(results["icarus"], results["verilator"], strict=False) if a != b]
        errs.append("icarus and verilator differ (commands, cycles or counters): first %s / %s"
                    % diff[0] if diff else "icarus and verilator results differ in length")
    ncmd = len(sc.expect)
    if errs:
        for e in errs[:40]:
            print("run_tile_test: " + e)
        print("run_tile_test: FAIL %s (%d commands); rerun: %s" % (name, ncmd, rerun))
        return 1
    cycles = sum(int(ln.split()[9]) for ln in results[sims[0]] if ln.startswith("cmd "))
    print("run_tile_test: PASS %s on %s: %d commands, %d array reads, %d saturations, %d cycles"
          % (name, "+".join(sims), ncmd, sc.ref.conv_cnt, sc.ref.n_sat, cycles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
