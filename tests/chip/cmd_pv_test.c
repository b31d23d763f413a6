/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test pv-test: program-and-verify on tile 0 (docs/analog-model.md): a PROG that converges, a pulse
 * budget of 1 that leaves cells unconverged (counted), the same with pv_ctrl.stop (PV_FAIL with
 * err_code, err_pc, status and irq), recovery without a reset, and a verify-only PROG (budget 0).
 * On a digital-twin chip (xbar_impl 1, no PV engine) PROG must ignore pv_ctrl instead.
 * On back-ends other than cmodel the same sequence runs on the C reference model too and every
 * value read must be equal (L0). The bus operations never depend on the values read, so a
 * recorded trace replays. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_regs.h"
#include "chip_test.h"

#define CMD "pv-test"
#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define IRQ_ALL (AIMC_CSR__IRQ__DONE_bm | AIMC_CSR__IRQ__ERROR_bm | AIMC_CSR__IRQ__PROG_bm)
#define PROG_PC 1u  /* every program is NOP, PROG tile 0, HALT */
#define MAX_OBS 64

typedef struct ck {
	cli_tally t;
} ck;

/* Everything one run of the sequence read from the chip, in order. */
typedef struct obs {
	uint32_t v[MAX_OBS];
	const char *name[MAX_OBS];
	unsigned n;
	int rc; /* first bus/driver error */
} obs;

/* The outcome of one PROG program and the counter increases over it. */
typedef struct run_out {
	uint32_t status, err_code, err_pc, irq, irq_after_clear;
	uint32_t d_pulses, d_unconv, d_rows;
	uint32_t d_cycles; /* busy cycles of the run (0 on the C model, which has no timing) */
} run_out;

static void help(void)
{
	printf("usage: aimc-test pv-test --config CFG [options]\n\n"
	       "Program-and-verify on tile 0 with seeded random weights: converge with the config's\n"
	       "budget (no unconverged cell), budget 1 (unconverged cells counted, no error), budget 1\n"
	       "with pv_ctrl.stop (PV_FAIL at the PROG: err_code, err_pc, status, irq), a good PROG\n"
	       "after it without reset, and a verify-only PROG (budget 0: no pulse). Pulse and row\n"
	       "counters are checked against their bounds; on verilator/replay back-ends every value\n"
	       "read must equal the C reference model's (L0).\n\n" CLI_BACKEND_HELP
	       "\nExit: 0 all checks pass, 1 a check failed, 2 usage or input error.\n");
}

static void rd(aimc_mmio *m, obs *o, const char *name, uint32_t addr, uint32_t *val)
{
	*val = 0;
	if (o->rc != AIMC_OK)
		return;
	o->rc = aimc_mmio_read32(m, addr, val);
	if (o->n < MAX_OBS) {
		o->name[o->n] = name;
		o->v[o->n++] = *val;
	}
}

static void wr(aimc_mmio *m, obs *o, uint32_t addr, uint32_t val)
{
	if (o->rc == AIMC_OK)
		o->rc = aimc_mmio_write32(m, addr, val);
}

/* Weights of block `blk` (0 or 1) from the seed: SplitMix64, bytes in [-127, 127]. */
static void make_weights(uint64_t seed, uint32_t blk, uint32_t *wgt, uint32_t words)
{
	uint64_t s = seed * 2u + blk + 0x9e3779b97f4a7c15ull;

	for (uint32_t i = 0; i < words; i++) {
		uint32_t word = 0;

		for (uint32_t b = 0; b < 4; b++) {
			uint64_t z = (s += 0x9e3779b97f4a7c15ull);

			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			z ^= z >> 31;
			word |= (uint32_t)(uint8_t)(int8_t)((int)(z % 255u) - 127) << (8u * b);
		}
		wgt[i] = word;
	}
}

/* PROG tile 0 from weight word `a` with pv_ctrl = ctrl; read the outcome and counter deltas. */
static void run_prog(aimc_mmio *m, const aimc_cfg *cfg, obs *o, uint32_t a, uint32_t ctrl,
		     uint32_t max_polls, run_out *r)
{
	uint64_t prog[3];
	uint32_t p0, u0, r0, p1, u1, r1, st, c0 = 0, c1 = 0;

	memset(r, 0, sizeof(*r));
	prog[0] = aimc_instr(AIMC_OP_NOP, 0, 0, 0, 0, 0);
	prog[1] = aimc_instr(AIMC_OP_PROG, 0, 0, a, 0, 0);
	prog[2] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	if (o->rc == AIMC_OK)
		o->rc = aimc_prog_load(m, cfg, prog, 3);
	wr(m, o, CSR(pv_ctrl), ctrl);
	wr(m, o, CSR(pv_sel), 0);
	rd(m, o, "pulses before", CSR(pv_pulses), &p0);
	rd(m, o, "unconverged before", CSR(pv_unconv), &u0);
	rd(m, o, "rows before", CSR(prog_rows), &r0);
	/* cycles are read but not compared with the C model (it has no timing) */
	if (o->rc == AIMC_OK)
		o->rc = aimc_mmio_read32(m, CSR(cycles_lo), &c0);
	wr(m, o, CSR(start_pc), 0);
	wr(m, o, CSR(ctrl), AIMC_CSR__CTRL__START_bm);
	if (o->rc == AIMC_OK)
		o->rc = aimc_mmio_poll32(m, CSR(status), AIMC_CSR__STATUS__BUSY_bm, 0, max_polls, &st);
	rd(m, o, "status", CSR(status), &r->status);
	rd(m, o, "err_code", CSR(err_code), &r->err_code);
	rd(m, o, "err_pc", CSR(err_pc), &r->err_pc);
	rd(m, o, "irq", CSR(irq), &r->irq);
	wr(m, o, CSR(irq), IRQ_ALL);
	rd(m, o, "irq after clear", CSR(irq), &r->irq_after_clear);
	rd(m, o, "pulses after", CSR(pv_pulses), &p1);
	rd(m, o, "unconverged after", CSR(pv_unconv), &u1);
	rd(m, o, "rows after", CSR(prog_rows), &r1);
	if (o->rc == AIMC_OK)
		o->rc = aimc_mmio_read32(m, CSR(cycles_lo), &c1);
	r->d_cycles = c1 - c0;
	r->d_pulses = p1 - p0;
	r->d_unconv = u1 - u0;
	r->d_rows = r1 - r0;
}

static uint32_t pv_ctrl(uint32_t enable, uint32_t stop, uint32_t budget)
{
	return (enable << AIMC_CSR__PV_CTRL__ENABLE_bp) | (stop << AIMC_CSR__PV_CTRL__STOP_bp) |
	       (budget << AIMC_CSR__PV_CTRL__BUDGET_bp);
}

static int halted_clean(const run_out *r)
{
	return r->status == AIMC_CSR__STATUS__HALTED_bm && r->err_code == 0 &&
	       (r->irq & IRQ_ALL) == AIMC_CSR__IRQ__DONE_bm && r->irq_after_clear == 0;
}

#define RUN_FMT "status 0x%x, err_code %u, err_pc %u, irq 0x%x, irq after clear 0x%x, " \
		"pulses +%u, unconverged +%u, rows +%u"
#define RUN_ARGS(r) (r).status, (r).err_code, (r).err_pc, (r).irq, (r).irq_after_clear, \
		    (r).d_pulses, (r).d_unconv, (r).d_rows

/* The digital-twin crossbar (xbar_impl 1) has no program-and-verify engine (rtl/tile/aimc_pv.sv,
 * PvEngine = 0): PROG is one-shot whatever pv_ctrl holds (enable, stop and a budget of 1 that an
 * analog row would not meet), no pulse and no unconverged cell is counted, and (timed back-ends)
 * the PROG takes exactly the cycles of a PROG with pv_ctrl.enable 0. */
static void twin_sequence(aimc_mmio *m, const aimc_cfg *cfg, ck *c, obs *o, uint32_t max_polls,
			  int timed)
{
	const uint32_t rows = cfg->rows;
	run_out r, off;

	uint32_t v[3];

	run_prog(m, cfg, o, 0, pv_ctrl(1, 1, 1), max_polls, &r);
	run_prog(m, cfg, o, 0, pv_ctrl(0, 0, 0), max_polls, &off);
	/* written, read back 0 */
	wr(m, o, CSR(pv_ctrl), pv_ctrl(1, 1, 7));
	wr(m, o, CSR(pv_tol), 0x1234u);
	wr(m, o, CSR(pv_sel), 3u);
	rd(m, o, "pv_ctrl written", CSR(pv_ctrl), &v[0]);
	rd(m, o, "pv_tol written", CSR(pv_tol), &v[1]);
	rd(m, o, "pv_sel written", CSR(pv_sel), &v[2]);
	if (c == NULL)
		return;
	cli_check(&c->t, o->rc == AIMC_OK && v[0] == 0 && v[1] == 0 && v[2] == 0,
		  "twin: pv_ctrl, pv_tol, pv_sel read 0 after a write",
		  "read 0x%x, 0x%x, 0x%x", v[0], v[1], v[2]);
	cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&r) && r.d_rows == rows &&
			  r.d_pulses == 0 && r.d_unconv == 0,
		  "twin, pv_ctrl enable + stop + budget 1: one-shot PROG, every row, no pulse, no count",
		  RUN_FMT, RUN_ARGS(r));
	cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&off) && off.d_rows == rows &&
			  off.d_pulses == 0 && off.d_unconv == 0,
		  "twin, pv_ctrl.enable 0: one-shot PROG, every row, no pulse, no count", RUN_FMT,
		  RUN_ARGS(off));
	if (timed)
		cli_check(&c->t, r.d_cycles == off.d_cycles,
			  "twin: pv_ctrl.enable changes nothing (same PROG cycles)",
			  "enable 1: %u cycles, enable 0: %u cycles", r.d_cycles, off.d_cycles);
}

/* The whole sequence on one chip; checks go to c (NULL: only observe). */
static void sequence(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed, uint32_t max_polls, ck *c,
		     obs *o, int timed)
{
	/* the array's cells: with bit-sliced weights cols x weight_slices pairs a row */
	const uint32_t rows = cfg->rows, cells = 2u * cfg->rows * aimc_cfg_array_cols(cfg);
	const uint32_t words = aimc_wgt_blk_words(cfg);
	const uint32_t budget = cfg->pv_budget == 0 ? 32u : cfg->pv_budget;
	uint32_t *wgt = malloc(2u * words * sizeof(*wgt));
	uint32_t v, tol_exp, ctrl_exp, cyc_conv = 0, pulses_conv = 0, cyc_verify = 0;
	run_out r;

	memset(o, 0, sizeof(*o));
	if (wgt == NULL) {
		o->rc = AIMC_ENOMEM;
		return;
	}
	o->rc = aimc_chip_init(m, cfg);
	/* the driver wrote pv_tol = round(pv_tol * 2^16) and pv_ctrl from the config; a digital-twin
	 * chip (no program-and-verify) reads both 0 */
	tol_exp = cfg->xbar_impl == 1 ? 0u : (uint32_t)(cfg->pv_tol * 65536.0 + 0.5);
	ctrl_exp = cfg->xbar_impl == 1 ? 0u : pv_ctrl(cfg->pv_enable, cfg->pv_stop, cfg->pv_budget);
	rd(m, o, "pv_tol", CSR(pv_tol), &v);
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK && v == tol_exp, "pv_tol CSR from the config",
		       "read 0x%x, expected 0x%x (%s)", v, tol_exp, aimc_strerror(o->rc));
	rd(m, o, "pv_ctrl", CSR(pv_ctrl), &v);
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK &&
				  v == ctrl_exp,
		       "pv_ctrl CSR from the config", "read 0x%x, expected 0x%x", v, ctrl_exp);
	make_weights(seed, 0, wgt, words);
	make_weights(seed, 1, wgt + words, words);
	if (o->rc == AIMC_OK && 2u * words > cfg->wgt_depth)
		o->rc = AIMC_ECONFIG;
	if (o->rc == AIMC_OK)
		o->rc = aimc_mem_write(m, cli_win_weight(), 0, wgt, 2u * words);
	free(wgt);
	if (cfg->xbar_impl == 1) {
		twin_sequence(m, cfg, c, o, max_polls, timed);
		if (c != NULL)
			cli_check(&c->t, o->rc == AIMC_OK, "every bus access answered", "%s",
				  aimc_strerror(o->rc));
		return;
	}

	/* 1: converge: at most `budget` pulses per row, every row programmed */
	run_prog(m, cfg, o, 0, pv_ctrl(1, 0, budget), max_polls, &r);
	cyc_conv = r.d_cycles;
	pulses_conv = r.d_pulses;
	if (c != NULL) {
		cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&r) && r.d_rows == rows &&
				  r.d_pulses >= 1 && r.d_pulses <= rows * budget,
		       "PV with budget converges: halts, every row, 1..rows*budget pulses", RUN_FMT,
		       RUN_ARGS(r));
		printf("  converge: %u pulses over %u rows, %u of %u cells unconverged, %u cycles\n",
		       r.d_pulses, rows, r.d_unconv, cells, r.d_cycles);
		cli_check(&c->t, r.d_unconv * 100u <= cells, "PV with budget: at most 1 % cells unconverged",
		       "%u of %u", r.d_unconv, cells);
	}

	/* 2: budget 1, other weights: unconverged cells are counted, the program still halts */
	run_prog(m, cfg, o, words, pv_ctrl(1, 0, 1), max_polls, &r);
	if (c != NULL) {
		cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&r) && r.d_rows == rows &&
				  r.d_pulses <= rows && r.d_unconv > 0 && r.d_unconv <= cells,
		       "budget 1: halts, at most one pulse per row, unconverged cells counted",
		       RUN_FMT, RUN_ARGS(r));
		printf("  budget 1: %u pulses, %u of %u cells unconverged\n", r.d_pulses, r.d_unconv,
		       cells);
	}

	/* 3: budget 1 with stop, back to the first weights: PV_FAIL at the PROG */
	run_prog(m, cfg, o, 0, pv_ctrl(1, 1, 1), max_polls, &r);
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK && r.status == AIMC_CSR__STATUS__ERROR_bm &&
				  r.err_code == AIMC_CHIP_ERR_PV_FAIL && r.err_pc == PROG_PC &&
				  (r.irq & IRQ_ALL) == AIMC_CSR__IRQ__ERROR_bm &&
				  r.irq_after_clear == 0 && r.d_rows >= 1 && r.d_rows <= rows &&
				  r.d_pulses <= r.d_rows && r.d_unconv > 0,
		       "budget 1 + stop: PV_FAIL, err_pc at the PROG, irq.error, stops at the first "
		       "failing row", RUN_FMT " (expected err_code %u at pc %u)", RUN_ARGS(r),
		       AIMC_CHIP_ERR_PV_FAIL, PROG_PC);

	/* 4: recovery without reset */
	run_prog(m, cfg, o, 0, pv_ctrl(1, 0, budget), max_polls, &r);
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&r) && r.d_rows == rows &&
				  r.d_pulses <= rows * budget,
		       "after PV_FAIL, no reset: PV program halts cleanly", RUN_FMT, RUN_ARGS(r));

	/* 5: verify only: no pulse, every row counted */
	run_prog(m, cfg, o, 0, pv_ctrl(1, 0, 0), max_polls, &r);
	cyc_verify = r.d_cycles;
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&r) && r.d_rows == rows &&
				  r.d_pulses == 0 && r.d_unconv <= cells,
		       "budget 0 (verify only): no pulse, every row", RUN_FMT, RUN_ARGS(r));

	/* 6: PV off again: one-shot programming, no pulse, nothing counted */
	run_prog(m, cfg, o, 0, pv_ctrl(0, 1, 0), max_polls, &r);
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK && halted_clean(&r) && r.d_rows == rows &&
				  r.d_pulses == 0 && r.d_unconv == 0,
		       "pv_ctrl.enable 0: one-shot programming, no pulse, no count", RUN_FMT,
		       RUN_ARGS(r));
	/* Tile latency (aimc_tile.sv): one-shot PROG Rows*Cols/4 + 3; PV PROG 1 + the sum over rows
	 * of Cols/4 + 3 + 2 p_row. The same NOP/PROG/HALT program around it, so the differences are
	 * 3 Rows - 2 + 2 pulses. */
	if (c != NULL && timed) {
		uint32_t exp_conv = 3u * rows - 2u + 2u * pulses_conv, exp_verify = 3u * rows - 2u;

		cli_check(&c->t, cyc_conv - r.d_cycles == exp_conv && cyc_verify - r.d_cycles == exp_verify,
		       "PV latency: 3 cycles per row + 2 per pulse over one-shot PROG",
		       "PV %u, verify-only %u, one-shot %u cycles: differences %u and %u, expected %u "
		       "and %u", cyc_conv, cyc_verify, r.d_cycles, cyc_conv - r.d_cycles,
		       cyc_verify - r.d_cycles, exp_conv, exp_verify);
	}
	if (c != NULL)
		cli_check(&c->t, o->rc == AIMC_OK, "every bus access answered", "%s", aimc_strerror(o->rc));
}

int cli_cmd_pv_test(int argc, char **argv)
{
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL }, ref = { NULL, NULL };
	static obs dut_obs, ref_obs;
	uint32_t max_polls;
	ck c = { .t = { 0, 0, 0, NULL } };
	int rc;

	rc = cli_backend_only_args(CMD, argc, argv, &be, help);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	/* A PV row takes Cols/4 + 3 + 2*pulses cycles; budget <= 255; one clock per poll at least. */
	max_polls = be.max_polls != 0 ? be.max_polls :
					cfg.rows * (cfg.cols / 4u + 3u + 2u * 255u) + 1000u;
	printf("pv-test: config %s, back-end %s, seed %llu\n", cfg.name, be.backend,
	       (unsigned long long)be.seed);
	printf("rerun: aimc-test pv-test --config %s --backend %s --seed %llu\n", be.config, be.backend,
	       (unsigned long long)be.seed);
	if (cli_backend_open(CMD, &be, &cfg, &m) != AIMC_OK)
		return CLI_EXIT_FAIL;
	sequence(&m, &cfg, be.seed, max_polls, &c, &dut_obs,
		 strcmp(cli_backend_kind(&be), "cmodel") != 0);
	if (dut_obs.rc != AIMC_OK)
		cli_report_rc(CMD, &m, "the sequence", dut_obs.rc);
	rc = cli_backend_close(CMD, &be, &m, NULL);
	cli_check(&c.t, rc == AIMC_OK, "back-end closed cleanly", "%s", aimc_strerror(rc));

	if (strcmp(cli_backend_kind(&be), "cmodel") != 0) {
		unsigned i, bad = 0;

		rc = aimc_mmio_open_cmodel(&ref, &cfg, be.seed);
		if (rc == AIMC_OK) {
			sequence(&ref, &cfg, be.seed, max_polls, NULL, &ref_obs, 0);
			aimc_mmio_close(&ref);
		}
		for (i = 0; i < dut_obs.n && i < ref_obs.n; i++) {
			if (dut_obs.v[i] == ref_obs.v[i])
				continue;
			if (bad++ < 8)
				printf("  MISMATCH read %u (%s): cmodel 0x%x, %s 0x%x\n", i, dut_obs.name[i],
				       ref_obs.v[i], be.backend, dut_obs.v[i]);
		}
		cli_check(&c.t, rc == AIMC_OK && ref_obs.rc == AIMC_OK && dut_obs.n == ref_obs.n && bad == 0,
		       "L0: every value read equals the C reference model's",
		       "%u of %u reads differ (%u vs %u reads; cmodel %s)", bad, dut_obs.n, dut_obs.n,
		       ref_obs.n, aimc_strerror(rc != AIMC_OK ? rc : ref_obs.rc));
	}
	printf("pv-test: %u passed, %u failed\n", c.t.pass, c.t.fail);
	return c.t.fail == 0 ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
}
