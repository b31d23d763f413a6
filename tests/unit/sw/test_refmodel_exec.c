/* SPDX-License-Identifier: Apache-2.0 */
/* C reference model, sequencer (configs/tiny.cfg): every chip error code with its err_pc on small
 * hand-built programs, the order of the checks, boundaries of every address range, POST stopping
 * at a bad shift, the instruction counter, and restart after an error without reset. ISA 3: the new
 * ILLEGAL encodings (tfl with relu or raw, reserved bits of ACCADD), ACCADD's ranges, slot, tile,
 * saturation and conflict window, and the tfl POST's BAD_PARAM cases (e, lo > hi).
 * tiny: 1 tile, 16x8, instr_depth 2048, act_depth 2048, par_depth 512, wgt_depth 8192, 16 slots. */
#include <stddef.h>
#include <stdio.h>

#include "aimc.h"
#include "aimc_regs.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define WIN(w) ((uint32_t)offsetof(aimc_map_t, w))

/* Raw encodings, written from docs/isa.md: op [63:60], tile [59:56], flags [55:48], a [47:32],
 * b [31:16], c [15:0]. */
#define I(op, tile, flags, a, b, c)                                                 \
	(((uint64_t)(op) << 60) | ((uint64_t)(tile) << 56) | ((uint64_t)(flags) << 48) | \
	 ((uint64_t)(a) << 32) | ((uint64_t)(b) << 16) | (uint64_t)(c))
#define NOP I(0, 0, 0, 0, 0, 0)
#define HALT I(5, 0, 0, 0, 0, 0)
#define IRQ I(4, 0, 0, 0, 0, 0)
#define PROG(a) I(1, 0, 0, (a), 0, 0)
#define MVM(flags, a, slot, shift) I(2, 0, (flags), (a), (slot), (shift))
#define POST(flags, a, slot, p) I(3, 0, (flags), (a), (slot), (p))
#define ACCADD(flags, a, slot) I(10, 0, (flags), (a), (slot), 0)
#define COPY(flags, a, b, c) I(7, 0, (flags), (a), (b), (c))
#define WAIT(mask) I(6, 0, 0, 0, 0, (mask))
#define F_RAW 0x4
#define F_TFL 0x8
#define F_RELU 0x1
#define F_FROM_OUT 0x1
#define F_TO_OUT 0x2

enum { E_NONE, E_ILLEGAL, E_BAD_TILE, E_ADDR_RANGE, E_BAD_SLOT, E_BAD_PARAM, E_PV_FAIL,
       E_SATURATION, E_WATCHDOG, E_TILE_CONFLICT };

static int failures;
static aimc_cfg cfg;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld (0x%llx), got %lld (0x%llx) (seed 1)\n", name, exp,
		       (unsigned long long)exp, got, (unsigned long long)got);
		failures++;
	}
}

static uint32_t rd(aimc_mmio *m, uint32_t addr)
{
	uint32_t v = 0xbad0bad0u;

	aimc_mmio_read32(m, addr, &v);
	return v;
}

typedef struct outcome {
	uint32_t status, irq, code, pc, instrs;
} outcome;

/* Load prog at 0, start at start_pc with a raw ctrl.start write, and read the outcome. */
static outcome run_raw(aimc_mmio *m, const uint64_t *prog, size_t n, uint32_t start_pc)
{
	outcome o;
	uint32_t before = rd(m, CSR(instrs));

	if (n > 0 && aimc_prog_load(m, &cfg, prog, n) != AIMC_OK) {
		printf("FAIL prog_load: could not load %zu instructions (seed 1)\n", n);
		failures++;
	}
	aimc_mmio_write32(m, CSR(irq), 0x7);
	aimc_mmio_write32(m, CSR(start_pc), start_pc);
	aimc_mmio_write32(m, CSR(ctrl), 1);
	o.status = rd(m, CSR(status));
	o.irq = rd(m, CSR(irq));
	o.code = rd(m, CSR(err_code));
	o.pc = rd(m, CSR(err_pc));
	o.instrs = rd(m, CSR(instrs)) - before;
	return o;
}

/* A fresh chip runs prog (n instructions) and must stop with code at pc. */
static void expect_error(const char *name, const uint64_t *prog, size_t n, uint32_t start,
			 uint32_t code, uint32_t pc)
{
	char nm[96];
	aimc_mmio m;
	outcome o;

	aimc_mmio_open_cmodel(&m, &cfg, 1);
	o = run_raw(&m, prog, n, start);
	snprintf(nm, sizeof(nm), "%s_err_code", name);
	check(nm, code, o.code);
	snprintf(nm, sizeof(nm), "%s_err_pc", name);
	check(nm, pc, o.pc);
	snprintf(nm, sizeof(nm), "%s_status_error", name);
	check(nm, 0x4, o.status);
	snprintf(nm, sizeof(nm), "%s_irq_error", name);
	check(nm, 0x2, o.irq);
	snprintf(nm, sizeof(nm), "%s_instrs", name);
	check(nm, pc - start, o.instrs); /* every instruction before the faulting one completed */
	aimc_mmio_close(&m);
}

/* A fresh chip runs prog to HALT. */
static void expect_halt(const char *name, const uint64_t *prog, size_t n)
{
	char nm[96];
	aimc_mmio m;
	outcome o;

	aimc_mmio_open_cmodel(&m, &cfg, 1);
	o = run_raw(&m, prog, n, 0);
	snprintf(nm, sizeof(nm), "%s_halted", name);
	check(nm, 0x2, o.status);
	snprintf(nm, sizeof(nm), "%s_err_code_0", name);
	check(nm, 0, o.code);
	snprintf(nm, sizeof(nm), "%s_instrs", name);
	check(nm, (long long)n, o.instrs);
	aimc_mmio_close(&m);
}

#define N(p) (sizeof(p) / sizeof((p)[0]))

static void test_pc(void)
{
	const uint64_t two_nops[] = { NOP, NOP };

	expect_error("pc_start_at_depth", NULL, 0, 2048, E_ADDR_RANGE, 2048);
	expect_error("pc_start_past_depth", NULL, 0, 0xffff, E_ADDR_RANGE, 0xffff);
	/* no HALT: NOPs (and the zeroed rest of the buffer) run to the end of the buffer */
	expect_error("pc_runs_off_end", two_nops, N(two_nops), 0, E_ADDR_RANGE, 2048);
	expect_error("pc_runs_off_end_from_2040", NULL, 0, 2040, E_ADDR_RANGE, 2048);
}

static void test_illegal(void)
{
	const uint64_t op11[] = { NOP, I(11, 0, 0, 0, 0, 0), HALT }; /* first undefined (ISA 3) */
	const uint64_t op15[] = { I(15, 0, 0, 0, 0, 0) };
	const uint64_t nop_tile[] = { NOP, NOP, I(0, 1, 0, 0, 0, 0) };
	const uint64_t nop_c[] = { I(0, 0, 0, 0, 0, 1) };
	const uint64_t halt_a[] = { I(5, 0, 0, 1, 0, 0) };
	const uint64_t irq_flag[] = { I(4, 0, 0x80, 0, 0, 0) };
	const uint64_t prog_b[] = { I(1, 0, 0, 0, 1, 0) };
	const uint64_t prog_c[] = { I(1, 0, 0, 0, 0, 0x8000) };
	const uint64_t prog_flag[] = { I(1, 0, 1, 0, 0, 0) };
	const uint64_t mvm_c_hi[] = { NOP, MVM(0, 0, 0, 0x10) };
	const uint64_t mvm_flag3[] = { MVM(0x8, 0, 0, 0) };
	const uint64_t post_flag4[] = { POST(0x10, 0, 0, 0) };
	const uint64_t tfl_relu[] = { NOP, POST(F_TFL | F_RELU, 0, 0, 0) };
	const uint64_t tfl_raw[] = { POST(F_TFL | F_RAW, 0, 0, 0) };
	/* tfl with relu is ILLEGAL before the bad tile and the bad address */
	const uint64_t tfl_relu_first[] = { I(3, 1, F_TFL | F_RELU, 0xffff, 0, 0) };
	const uint64_t accadd_c[] = { I(10, 0, 0, 0, 0, 1) };
	const uint64_t accadd_flag1[] = { ACCADD(0x2, 0, 0) };
	/* reserved bits beat the tile check */
	const uint64_t tile_and_rsvd[] = { I(2, 3, 0x80, 0, 0, 0) };

	expect_error("illegal_opcode_11", op11, N(op11), 0, E_ILLEGAL, 1);
	expect_error("illegal_opcode_15", op15, N(op15), 0, E_ILLEGAL, 0);
	expect_error("illegal_nop_tile", nop_tile, N(nop_tile), 0, E_ILLEGAL, 2);
	expect_error("illegal_nop_c", nop_c, N(nop_c), 0, E_ILLEGAL, 0);
	expect_error("illegal_halt_a", halt_a, N(halt_a), 0, E_ILLEGAL, 0);
	expect_error("illegal_irq_flag", irq_flag, N(irq_flag), 0, E_ILLEGAL, 0);
	expect_error("illegal_prog_b", prog_b, N(prog_b), 0, E_ILLEGAL, 0);
	expect_error("illegal_prog_c", prog_c, N(prog_c), 0, E_ILLEGAL, 0);
	expect_error("illegal_prog_flag", prog_flag, N(prog_flag), 0, E_ILLEGAL, 0);
	expect_error("illegal_mvm_c_bit4", mvm_c_hi, N(mvm_c_hi), 0, E_ILLEGAL, 1);
	expect_error("illegal_mvm_flag3", mvm_flag3, N(mvm_flag3), 0, E_ILLEGAL, 0);
	expect_error("illegal_post_flag4", post_flag4, N(post_flag4), 0, E_ILLEGAL, 0);
	expect_error("illegal_post_tfl_relu", tfl_relu, N(tfl_relu), 0, E_ILLEGAL, 1);
	expect_error("illegal_post_tfl_raw", tfl_raw, N(tfl_raw), 0, E_ILLEGAL, 0);
	expect_error("illegal_tfl_relu_before_bad_tile", tfl_relu_first, N(tfl_relu_first), 0,
		     E_ILLEGAL, 0);
	expect_error("illegal_accadd_c", accadd_c, N(accadd_c), 0, E_ILLEGAL, 0);
	expect_error("illegal_accadd_flag1", accadd_flag1, N(accadd_flag1), 0, E_ILLEGAL, 0);
	expect_error("illegal_before_bad_tile", tile_and_rsvd, N(tile_and_rsvd), 0, E_ILLEGAL, 0);
}

static void test_tile(void)
{
	const uint64_t prog_t1[] = { NOP, I(1, 1, 0, 0, 0, 0) };
	const uint64_t mvm_t15[] = { I(2, 15, 0, 0, 0, 0) };
	const uint64_t post_t2[] = { I(3, 2, 0, 0, 0, 0) };
	const uint64_t accadd_t1[] = { NOP, I(10, 1, 0, 0xffff, 0xffff, 0) };
	/* bad tile beats a bad address and a bad slot */
	const uint64_t tile_first[] = { I(2, 1, 0, 0xffff, 0xffff, 0) };

	expect_error("bad_tile_prog", prog_t1, N(prog_t1), 0, E_BAD_TILE, 1);
	expect_error("bad_tile_mvm", mvm_t15, N(mvm_t15), 0, E_BAD_TILE, 0);
	expect_error("bad_tile_post", post_t2, N(post_t2), 0, E_BAD_TILE, 0);
	expect_error("bad_tile_accadd_before_range", accadd_t1, N(accadd_t1), 0, E_BAD_TILE, 1);
	expect_error("bad_tile_before_range", tile_first, N(tile_first), 0, E_BAD_TILE, 0);
}

static void test_ranges(void)
{
	/* PROG reads 16*8/4 = 32 words: last legal A = 8192 - 32 */
	const uint64_t prog_ok[] = { PROG(8160), HALT };
	const uint64_t prog_bad[] = { PROG(8161), HALT };
	/* MVM reads 16/4 = 4 words: last legal A = 2044 */
	const uint64_t mvm_ok[] = { MVM(0, 2044, 0, 0), HALT };
	const uint64_t mvm_bad[] = { NOP, MVM(0, 2045, 0, 0), HALT };
	const uint64_t mvm_range_first[] = { MVM(0, 2045, 16, 0), HALT };
	/* POST int8 writes 8/4 = 2 words, raw writes 8 words, params 3*8 = 24 words */
	const uint64_t post_ok[] = { POST(0, 2046, 0, 488), HALT };
	const uint64_t post_a_bad[] = { POST(0, 2047, 0, 0), HALT };
	const uint64_t raw_ok[] = { POST(F_RAW, 2040, 0, 0), HALT };
	const uint64_t raw_a_bad[] = { POST(F_RAW, 2041, 0, 0), HALT };
	const uint64_t post_c_bad[] = { POST(0, 0, 0, 489), HALT };
	const uint64_t post_range_first[] = { POST(0, 0, 16, 489), HALT };
	/* ACCADD reads Cols = 8 int32 words: last legal A = 2040, in IN and in OUT */
	const uint64_t accadd_ok[] = { ACCADD(0, 2040, 0), ACCADD(F_FROM_OUT, 2040, 15), HALT };
	const uint64_t accadd_bad[] = { ACCADD(0, 2041, 0), HALT };
	const uint64_t accadd_out_bad[] = { NOP, ACCADD(F_FROM_OUT, 2041, 0), HALT };
	const uint64_t accadd_range_first[] = { ACCADD(0, 0xffff, 16), HALT };
	/* the parameters of post_ok: S must be legal (a fresh chip's params read 0) */
	aimc_mmio m;
	outcome o;
	uint32_t c;

	expect_halt("range_prog_last_ok", prog_ok, N(prog_ok));
	expect_error("range_prog_past", prog_bad, N(prog_bad), 0, E_ADDR_RANGE, 0);
	expect_halt("range_mvm_last_ok", mvm_ok, N(mvm_ok));
	expect_error("range_mvm_past", mvm_bad, N(mvm_bad), 0, E_ADDR_RANGE, 1);
	expect_error("range_before_slot", mvm_range_first, N(mvm_range_first), 0, E_ADDR_RANGE, 0);
	expect_error("range_post_a_past", post_a_bad, N(post_a_bad), 0, E_ADDR_RANGE, 0);
	expect_halt("range_post_raw_last_ok", raw_ok, N(raw_ok));
	expect_error("range_post_raw_a_past", raw_a_bad, N(raw_a_bad), 0, E_ADDR_RANGE, 0);
	expect_error("range_post_c_past", post_c_bad, N(post_c_bad), 0, E_ADDR_RANGE, 0);
	expect_error("range_post_before_slot", post_range_first, N(post_range_first), 0,
		     E_ADDR_RANGE, 0);
	expect_halt("range_accadd_last_ok", accadd_ok, N(accadd_ok));
	expect_error("range_accadd_past", accadd_bad, N(accadd_bad), 0, E_ADDR_RANGE, 0);
	expect_error("range_accadd_out_past", accadd_out_bad, N(accadd_out_bad), 0, E_ADDR_RANGE, 1);
	expect_error("range_accadd_before_slot", accadd_range_first, N(accadd_range_first), 0,
		     E_ADDR_RANGE, 0);

	aimc_mmio_open_cmodel(&m, &cfg, 1);
	for (c = 0; c < 8; c++)
		aimc_mmio_write32(&m, WIN(param) + 4 * (488 + 3 * c + 2), 1);
	o = run_raw(&m, post_ok, N(post_ok), 0);
	check("range_post_last_ok_halted", 0x2, o.status);
	aimc_mmio_close(&m);
}

static void test_slot(void)
{
	const uint64_t mvm_ok[] = { MVM(0, 0, 15, 0), HALT };
	const uint64_t mvm_bad[] = { NOP, NOP, NOP, MVM(1, 0, 16, 0), HALT };
	const uint64_t post_bad[] = { POST(F_RAW, 0, 0xffff, 0), HALT };
	const uint64_t accadd_bad[] = { NOP, ACCADD(F_FROM_OUT, 0, 16), HALT };

	expect_halt("slot_mvm_last_ok", mvm_ok, N(mvm_ok));
	expect_error("slot_mvm_past", mvm_bad, N(mvm_bad), 0, E_BAD_SLOT, 3);
	expect_error("slot_post_past", post_bad, N(post_bad), 0, E_BAD_SLOT, 0);
	expect_error("slot_accadd_past", accadd_bad, N(accadd_bad), 0, E_BAD_SLOT, 1);
}

/* POST with parameters b = 10, M = 1, S = 1 on a zero accumulator gives (10 + 1) >> 1 = 5. */
static void test_bad_param(void)
{
	static const uint32_t bad_s[] = { 0, 63, 0x41, 0x80000001u };
	const uint64_t prog[] = { NOP, POST(0x2, 100, 3, 0), HALT };
	const uint64_t raw[] = { POST(F_RAW | 0x2, 100, 3, 0), HALT };
	char nm[64];
	aimc_mmio m;
	outcome o;
	uint32_t c;
	size_t k;

	for (k = 0; k < N(bad_s); k++) {
		aimc_mmio_open_cmodel(&m, &cfg, 1);
		for (c = 0; c < 8; c++) {
			aimc_mmio_write32(&m, WIN(param) + 4 * (3 * c), 10);
			aimc_mmio_write32(&m, WIN(param) + 4 * (3 * c + 1), 1);
			aimc_mmio_write32(&m, WIN(param) + 4 * (3 * c + 2), c == 5 ? bad_s[k] : 1);
		}
		aimc_mmio_write32(&m, WIN(act_out) + 4 * 100, 0xdeadbeefu);
		aimc_mmio_write32(&m, WIN(act_out) + 4 * 101, 0xdeadbeefu);
		o = run_raw(&m, prog, N(prog), 0);
		snprintf(nm, sizeof(nm), "bad_param_s%zu_code", k);
		check(nm, E_BAD_PARAM, o.code);
		snprintf(nm, sizeof(nm), "bad_param_s%zu_pc", k);
		check(nm, 1, o.pc);
		snprintf(nm, sizeof(nm), "bad_param_s%zu_instrs", k);
		check(nm, 1, o.instrs);
		snprintf(nm, sizeof(nm), "bad_param_s%zu_cols_0_3_written", k);
		check(nm, 0x05050505, rd(&m, WIN(act_out) + 4 * 100));
		snprintf(nm, sizeof(nm), "bad_param_s%zu_word_of_col5_untouched", k);
		check(nm, 0xdeadbeefu, rd(&m, WIN(act_out) + 4 * 101));

		/* RAW does not read S: the same parameters run to HALT and write b for each column */
		o = run_raw(&m, raw, N(raw), 0);
		snprintf(nm, sizeof(nm), "bad_param_s%zu_raw_ignores_s", k);
		check(nm, 0x2, o.status);
		snprintf(nm, sizeof(nm), "bad_param_s%zu_raw_col7", k);
		check(nm, 10, rd(&m, WIN(act_out) + 4 * 107));
		aimc_mmio_close(&m);
	}
}

#define E_WORD(e, zp, lo, hi)                                                      \
	((uint32_t)((e) & 0xff) | (uint32_t)((zp) & 0xff) << 8 | (uint32_t)((lo) & 0xff) << 16 | \
	 (uint32_t)((hi) & 0xff) << 24)

/* tfl POST with b = 10, M = 2^30 (a·M/2^31 = 5 exactly, rounded 5), e = 0, zp 0, clamps
 * [-128, 127] on a zero accumulator: 5 per column. A bad E at column 5 stops as a bad S does. */
static void test_tfl_bad_param(void)
{
	static const uint32_t bad_e[] = {
		E_WORD(31, 0, -128, 127),  /* e one past 30 */
		E_WORD(-32, 0, -128, 127), /* e one below -31 */
		E_WORD(127, 0, -128, 127),
		E_WORD(-128, 0, -128, 127),
		E_WORD(0, 0, 1, 0),        /* lo > hi */
		E_WORD(0, 0, 127, -128),
	};
	/* the boundaries that are legal: e = 30 and -31, lo = hi */
	static const uint32_t ok_e[] = { E_WORD(30, 0, -128, 127), E_WORD(-31, 0, -128, 127),
					 E_WORD(0, 0, 5, 5) };
	const uint64_t prog[] = { NOP, POST(F_TFL | 0x2, 100, 3, 0), HALT };
	char nm[64];
	aimc_mmio m;
	outcome o;
	uint32_t c;
	size_t k;

	for (k = 0; k < N(bad_e) + N(ok_e); k++) {
		const int bad = k < N(bad_e);
		const uint32_t e5 = bad ? bad_e[k] : ok_e[k - N(bad_e)];

		aimc_mmio_open_cmodel(&m, &cfg, 1);
		for (c = 0; c < 8; c++) {
			aimc_mmio_write32(&m, WIN(param) + 4 * (3 * c), 10);
			aimc_mmio_write32(&m, WIN(param) + 4 * (3 * c + 1), 1u << 30);
			aimc_mmio_write32(&m, WIN(param) + 4 * (3 * c + 2),
					  c == 5 ? e5 : E_WORD(0, 0, -128, 127));
		}
		aimc_mmio_write32(&m, WIN(act_out) + 4 * 100, 0xdeadbeefu);
		aimc_mmio_write32(&m, WIN(act_out) + 4 * 101, 0xdeadbeefu);
		o = run_raw(&m, prog, N(prog), 0);
		if (bad) {
			snprintf(nm, sizeof(nm), "tfl_bad_e%zu_code", k);
			check(nm, E_BAD_PARAM, o.code);
			snprintf(nm, sizeof(nm), "tfl_bad_e%zu_pc", k);
			check(nm, 1, o.pc);
			snprintf(nm, sizeof(nm), "tfl_bad_e%zu_cols_0_3_written", k);
			check(nm, 0x05050505, rd(&m, WIN(act_out) + 4 * 100));
			snprintf(nm, sizeof(nm), "tfl_bad_e%zu_word_of_col5_untouched", k);
			check(nm, 0xdeadbeefu, rd(&m, WIN(act_out) + 4 * 101));
		} else {
			/* column 5: e = 30: 10 << 30 wraps to -2^31, SRDHM = -2^30 -> clamp -128;
			 * e = -31: 5 / 2^31 rounds to 0; lo = hi = 5: 5 */
			static const uint32_t col5[] = { 0x80, 0x00, 0x05 };

			snprintf(nm, sizeof(nm), "tfl_ok_e%zu_halted", k - N(bad_e));
			check(nm, 0x2, o.status);
			snprintf(nm, sizeof(nm), "tfl_ok_e%zu_cols_4_7", k - N(bad_e));
			check(nm, 0x05050005u | col5[k - N(bad_e)] << 8, rd(&m, WIN(act_out) + 4 * 101));
		}
		aimc_mmio_close(&m);
	}
}

/* ACCADD adds Cols int32 words to a slot, saturating (counted), from IN or OUT; with
 * sat_mode.stop the saturating ACCADD stops the program with SATURATION at its PC. */
static void test_accadd(void)
{
	static const int32_t in[8] = { 1, -1, INT32_MAX, INT32_MIN, 1000, -1000, 1 << 30, -(1 << 30) };
	static const int32_t out[8] = { 2, 3, INT32_MAX, INT32_MIN, 5, 6, 1 << 30, -(1 << 30) - 1 };
	/* by hand: 1+2, -1+3, MAX+MAX sat, MIN+MIN sat, 1005, -994, 2^31 sat, -2^31-1 sat */
	static const int32_t sum[8] = { 3, 2, INT32_MAX, INT32_MIN, 1005, -994, INT32_MAX, INT32_MIN };
	const uint64_t prog[] = {
		MVM(0, 0, 3, 0),             /* all-zero input: clears slot 3 */
		ACCADD(0, 100, 3),
		ACCADD(F_FROM_OUT, 200, 3),
		POST(F_RAW | 0x2, 300, 3, 0), /* zero biases: the slot itself */
		HALT,
	};
	char nm[64];
	aimc_mmio m;
	outcome o;
	uint32_t c;

	aimc_mmio_open_cmodel(&m, &cfg, 1);
	for (c = 0; c < 8; c++) {
		aimc_mmio_write32(&m, WIN(act_in) + 4 * (100 + c), (uint32_t)in[c]);
		aimc_mmio_write32(&m, WIN(act_out) + 4 * (200 + c), (uint32_t)out[c]);
	}
	o = run_raw(&m, prog, N(prog), 0);
	check("accadd_halted", 0x2, o.status);
	check("accadd_instrs", 5, o.instrs);
	for (c = 0; c < 8; c++) {
		snprintf(nm, sizeof(nm), "accadd_col%u", c);
		check(nm, sum[c], (int32_t)rd(&m, WIN(act_out) + 4 * (300 + c)));
	}
	check("accadd_sats", 4, rd(&m, CSR(sats)));
	check("accadd_not_an_mvm", 1, rd(&m, CSR(mvms)));
	check("accadd_no_array_reads", 0, rd(&m, CSR(convs)));

	aimc_mmio_write32(&m, CSR(sat_mode), 1);
	o = run_raw(&m, prog, N(prog), 0);
	check("accadd_sat_stop_code", E_SATURATION, o.code);
	check("accadd_sat_stop_pc", 2, o.pc);
	check("accadd_sat_stop_sats", 8, rd(&m, CSR(sats)));
	aimc_mmio_close(&m);
}

/* ACCADD's read window (Cols words at A) in the conflict rule: COPY counts as another tile. */
static void test_accadd_conflict(void)
{
	const uint64_t hit_last[] = { ACCADD(0, 100, 0), COPY(0, 107, 0, 1), HALT };
	const uint64_t hit_first[] = { ACCADD(0, 100, 0), NOP, COPY(0, 99, 0, 2), HALT };
	const uint64_t miss_after[] = { ACCADD(0, 100, 0), COPY(0, 108, 0, 4), HALT };
	const uint64_t miss_other_buf[] = { ACCADD(0, 100, 0), COPY(F_TO_OUT, 100, 0, 8), HALT };
	const uint64_t hit_out[] = { ACCADD(F_FROM_OUT, 100, 0), COPY(F_TO_OUT, 104, 0, 1), HALT };
	const uint64_t read_ok[] = { ACCADD(0, 100, 0), COPY(0, 0, 100, 8), HALT }; /* read/read */
	const uint64_t synced[] = { ACCADD(0, 100, 0), WAIT(1), COPY(0, 100, 0, 8), HALT };

	expect_error("accadd_conflict_last_word", hit_last, N(hit_last), 0, E_TILE_CONFLICT, 1);
	expect_error("accadd_conflict_first_word", hit_first, N(hit_first), 0, E_TILE_CONFLICT, 2);
	expect_halt("accadd_no_conflict_after_window", miss_after, N(miss_after));
	expect_halt("accadd_no_conflict_other_buffer", miss_other_buf, N(miss_other_buf));
	expect_error("accadd_conflict_out", hit_out, N(hit_out), 0, E_TILE_CONFLICT, 1);
	expect_halt("accadd_no_conflict_read_read", read_ok, N(read_ok));
	expect_halt("accadd_no_conflict_after_wait", synced, N(synced));
}

/* After an error the next start runs from start_pc without a reset; driver view via aimc_run. */
static void test_restart(void)
{
	const uint64_t prog[] = { IRQ, NOP, I(11, 0, 0, 0, 0, 0), IRQ, HALT };
	uint32_t code = 99, pc = 99;
	aimc_mmio m;

	aimc_mmio_open_cmodel(&m, &cfg, 1);
	check("restart_init", AIMC_OK, aimc_chip_init(&m, &cfg));
	check("restart_settle_written", 2, rd(&m, CSR(settle)));
	check("restart_load", AIMC_OK, aimc_prog_load(&m, &cfg, prog, N(prog)));
	check("restart_first_run_echip", AIMC_ECHIP, aimc_run(&m, 0, 10, &code, &pc));
	check("restart_first_run_code", E_ILLEGAL, code);
	check("restart_first_run_pc", 2, pc);
	check("restart_irq_cleared_by_driver", 0, rd(&m, CSR(irq)));
	check("restart_second_run_ok", AIMC_OK, aimc_run(&m, 3, 10, &code, &pc));
	check("restart_second_run_code_0", 0, code);
	check("restart_second_run_pc_0", 0, pc);
	check("restart_status_halted_only", 0x2, rd(&m, CSR(status)));
	check("restart_instrs_total", 2 + 2, rd(&m, CSR(instrs)));
	check("restart_no_mvm", 0, rd(&m, CSR(mvms)));
	check("restart_counters_cycles_0", 0, rd(&m, CSR(cycles_lo)));
	aimc_mmio_close(&m);
}

/* PROG counts 16 rows per instruction on tile 0; a faulting PROG programs nothing. */
static void test_prog_rows(void)
{
	const uint64_t prog[] = { PROG(0), PROG(32), PROG(8161) };
	aimc_mmio m;
	outcome o;

	aimc_mmio_open_cmodel(&m, &cfg, 1);
	o = run_raw(&m, prog, N(prog), 0);
	check("prog_rows_error_at_2", 2, o.pc);
	check("prog_rows_count", 32, rd(&m, CSR(prog_rows)));
	o = run_raw(&m, prog, 1, 0); /* PROG(0) again, then PROG(32), then the error */
	check("prog_rows_never_cleared", 64, rd(&m, CSR(prog_rows)));
	check("prog_rows_no_array_reads", 0, rd(&m, CSR(convs)));
	aimc_mmio_close(&m);
}

int main(void)
{
	char err[256];

	if (aimc_cfg_load(&cfg, "configs/tiny.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load_tiny_cfg: %s (seed 1)\n", err);
		return 1;
	}
	test_pc();
	test_illegal();
	test_tile();
	test_ranges();
	test_slot();
	test_bad_param();
	test_tfl_bad_param();
	test_accadd();
	test_accadd_conflict();
	test_restart();
	test_prog_rows();
	return failures ? 1 : 0;
}
