/* SPDX-License-Identifier: Apache-2.0 */
/* C reference model, sequencer (configs/tiny.cfg): every chip error code with its err_pc on small
 * hand-built programs, the order of the checks, boundaries of every address range, POST stopping
 * at a bad shift, the instruction counter, and restart after an error without reset.
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
#define F_RAW 0x4

enum { E_NONE, E_ILLEGAL, E_BAD_TILE, E_ADDR_RANGE, E_BAD_SLOT, E_BAD_PARAM };

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
	const uint64_t op10[] = { NOP, I(10, 0, 0, 0, 0, 0), HALT }; /* first undefined (ISA 2) */
	const uint64_t op15[] = { I(15, 0, 0, 0, 0, 0) };
	const uint64_t nop_tile[] = { NOP, NOP, I(0, 1, 0, 0, 0, 0) };
	const uint64_t nop_c[] = { I(0, 0, 0, 0, 0, 1) };
	const uint64_t halt_a[] = { I(5, 0, 0, 1, 0, 0) };
	const uint64_t irq_flag[] = { I(4, 0, 0x80, 0, 0, 0) };
	const uint64_t prog_b[] = { I(1, 0, 0, 0, 1, 0) };
	const uint64_t prog_c[] = { I(1, 0, 0, 0, 0, 0x8000) };
	const uint64_t prog_flag[] = { I(1, 0, 1, 0, 0, 0) };
	const uint64_t mvm_c_hi[] = { NOP, MVM(0, 0, 0, 0x10) };
	const uint64_t mvm_flag2[] = { MVM(0x4, 0, 0, 0) };
	const uint64_t post_flag3[] = { POST(0x8, 0, 0, 0) };
	/* reserved bits beat the tile check */
	const uint64_t tile_and_rsvd[] = { I(2, 3, 0x80, 0, 0, 0) };

	expect_error("illegal_opcode_10", op10, N(op10), 0, E_ILLEGAL, 1);
	expect_error("illegal_opcode_15", op15, N(op15), 0, E_ILLEGAL, 0);
	expect_error("illegal_nop_tile", nop_tile, N(nop_tile), 0, E_ILLEGAL, 2);
	expect_error("illegal_nop_c", nop_c, N(nop_c), 0, E_ILLEGAL, 0);
	expect_error("illegal_halt_a", halt_a, N(halt_a), 0, E_ILLEGAL, 0);
	expect_error("illegal_irq_flag", irq_flag, N(irq_flag), 0, E_ILLEGAL, 0);
	expect_error("illegal_prog_b", prog_b, N(prog_b), 0, E_ILLEGAL, 0);
	expect_error("illegal_prog_c", prog_c, N(prog_c), 0, E_ILLEGAL, 0);
	expect_error("illegal_prog_flag", prog_flag, N(prog_flag), 0, E_ILLEGAL, 0);
	expect_error("illegal_mvm_c_bit4", mvm_c_hi, N(mvm_c_hi), 0, E_ILLEGAL, 1);
	expect_error("illegal_mvm_flag2", mvm_flag2, N(mvm_flag2), 0, E_ILLEGAL, 0);
	expect_error("illegal_post_flag3", post_flag3, N(post_flag3), 0, E_ILLEGAL, 0);
	expect_error("illegal_before_bad_tile", tile_and_rsvd, N(tile_and_rsvd), 0, E_ILLEGAL, 0);
}

static void test_tile(void)
{
	const uint64_t prog_t1[] = { NOP, I(1, 1, 0, 0, 0, 0) };
	const uint64_t mvm_t15[] = { I(2, 15, 0, 0, 0, 0) };
	const uint64_t post_t2[] = { I(3, 2, 0, 0, 0, 0) };
	/* bad tile beats a bad address and a bad slot */
	const uint64_t tile_first[] = { I(2, 1, 0, 0xffff, 0xffff, 0) };

	expect_error("bad_tile_prog", prog_t1, N(prog_t1), 0, E_BAD_TILE, 1);
	expect_error("bad_tile_mvm", mvm_t15, N(mvm_t15), 0, E_BAD_TILE, 0);
	expect_error("bad_tile_post", post_t2, N(post_t2), 0, E_BAD_TILE, 0);
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

	expect_halt("slot_mvm_last_ok", mvm_ok, N(mvm_ok));
	expect_error("slot_mvm_past", mvm_bad, N(mvm_bad), 0, E_BAD_SLOT, 3);
	expect_error("slot_post_past", post_bad, N(post_bad), 0, E_BAD_SLOT, 0);
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
	test_restart();
	test_prog_rows();
	return failures ? 1 : 0;
}
