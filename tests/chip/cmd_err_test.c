/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test err-test: the error handling of docs/errors.md on one chip. Saturation (count, then stop
 * with SATURATION), the watchdog (WATCHDOG; timed back-ends only), bus errors (sticky record, the
 * program goes on), the ISA errors, and soft reset (mid-program and after each error stop, then
 * a good program), with the chip and per-tile counters checked against values derived here from
 * the data and the config. The bus operations never depend on the values read, so a recorded
 * trace replays on Icarus (tools/xcheck.sh). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_regs.h"
#include "chip_test.h"
#include "golden.h"

#define CMD "err-test"
#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define IRQ_ALL (AIMC_CSR__IRQ__DONE_bm | AIMC_CSR__IRQ__ERROR_bm | AIMC_CSR__IRQ__PROG_bm)
#define RESP_SLVERR 2u
#define RESP_DECERR 3u
#define UNMAPPED_ADDR 0x00050000u /* between the param and weight windows: DECERR */
#define HOLE_ADDR (CSR(stalls_total) + 4u) /* no register between it and tile_busy */
#define MAX_PROG 16

typedef struct ck {
	aimc_mmio *m;
	const aimc_cfg *cfg;
	int timed;            /* the back-end has cycle timing (not the C model) */
	uint32_t max_polls;
	uint32_t tile;        /* tile the programs run on: the last one */
	cli_tally t;
	int8_t *w, *x;        /* golden layout: w[o*rows + r], x[r] */
} ck;

/* What a run left in the CSRs. */
typedef struct outcome {
	int rc;
	uint32_t status, err_code, err_pc, irq;
} outcome;

static void help(void)
{
	printf("usage: aimc-test err-test --config CFG [options]\n\n"
	       "Provokes each error of docs/errors.md on one chip and checks err_code, err_pc,\n"
	       "status and irq, recovery by soft reset (a good program runs after it), the bus-error\n"
	       "record, and the chip and per-tile counters against values derived from the data.\n"
	       "The watchdog needs a timed back-end (verilator or a replay); on cmodel it is skipped.\n\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 all checks pass, 1 a check failed, 2 usage or input error.\n");
}

static uint64_t ins(uint32_t op, uint32_t tile, uint32_t flags, uint32_t a, uint32_t b, uint32_t cc)
{
	return aimc_instr(op, tile, flags, a, b, cc);
}

static int wr(ck *c, uint32_t addr, uint32_t v)
{
	return aimc_mmio_write32(c->m, addr, v);
}

/* Start at 0 (program already loaded), wait for idle, read the outcome; irq flags not cleared. */
static void run(ck *c, outcome *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = wr(c, CSR(start_pc), 0);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(ctrl), AIMC_CSR__CTRL__START_bm | AIMC_CSR__CTRL__IRQ_EN_ERROR_bm |
					      AIMC_CSR__CTRL__IRQ_EN_DONE_bm);
	if (rc == AIMC_OK)
		rc = aimc_mmio_poll32(c->m, CSR(status), AIMC_CSR__STATUS__BUSY_bm, 0, c->max_polls,
				      &o->status);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(status), &o->status);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(err_code), &o->err_code);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(err_pc), &o->err_pc);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(irq), &o->irq);
	o->rc = rc;
}

/* Counters before, the run, counters after: the bus result of the two reads (the run's own
 * outcome is in *o). */
static int counted_run(ck *c, aimc_counters *before, outcome *o, aimc_counters *after)
{
	int rc = aimc_counters_read(c->m, before);

	if (rc == AIMC_OK)
		run(c, o);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(c->m, after);
	return rc;
}

static void expect_error(ck *c, const char *name, const outcome *o, uint32_t code, uint32_t pc)
{
	cli_check(&c->t, o->rc == AIMC_OK && o->status == AIMC_CSR__STATUS__ERROR_bm &&
			  o->err_code == code && o->err_pc == pc &&
			  (o->irq & IRQ_ALL) == AIMC_CSR__IRQ__ERROR_bm,
	       name,
	       "bus %s; status 0x%x (expected error only), err_code %u (expected %u), err_pc %u "
	       "(expected %u), irq 0x%x (expected error only)",
	       aimc_strerror(o->rc), o->status, o->err_code, code, o->err_pc, pc, o->irq);
}

static void expect_halt(ck *c, const char *name, const outcome *o)
{
	cli_check(&c->t, o->rc == AIMC_OK && o->status == AIMC_CSR__STATUS__HALTED_bm &&
			  o->err_code == 0 && (o->irq & IRQ_ALL) == AIMC_CSR__IRQ__DONE_bm,
	       name, "bus %s; status 0x%x (expected halted only), err_code %u, irq 0x%x (expected "
	       "done only)", aimc_strerror(o->rc), o->status, o->err_code, o->irq);
}

/* Pulse soft reset; status, err_code, err_pc, irq and the tiles' event indices (tile 0's convs
 * and prog_rows) must read 0 afterwards. */
static void soft_reset_check(ck *c, const char *name)
{
	uint32_t st = ~0u, code = ~0u, pc = ~0u, irq = ~0u, convs = ~0u, prows = ~0u;
	int rc = aimc_soft_reset(c->m);

	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(status), &st);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(err_code), &code);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(err_pc), &pc);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(irq), &irq);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(convs), &convs);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(prog_rows), &prows);
	cli_check(&c->t, rc == AIMC_OK && st == 0 && code == 0 && pc == 0 && irq == 0 && convs == 0 &&
			  prows == 0,
	       name,
	       "bus %s; after soft reset status 0x%x, err_code %u, err_pc %u, irq 0x%x, convs %u, "
	       "prog_rows %u (all expected 0)",
	       aimc_strerror(rc), st, code, pc, irq, convs, prows);
}

static int load(ck *c, const char *name, const uint64_t *prog, size_t n)
{
	int rc = aimc_prog_load(c->m, c->cfg, prog, n);

	if (rc != AIMC_OK)
		cli_check(&c->t, 0, name, "loading the program: %s", aimc_strerror(rc));
	return rc;
}

/* Weights, inputs, parameters (bias b for every column, M = 1, S = 1) of the test layer. */
static int load_layer(ck *c, int32_t bias)
{
	const aimc_cfg *cfg = c->cfg;
	uint32_t rows = cfg->rows, cols = cfg->cols, r, o;
	uint32_t wgt_words = rows * cols / 4u;
	uint32_t *wgt = calloc(wgt_words, sizeof(*wgt)), *par = calloc(3u * cols, sizeof(*par));
	uint32_t *in = calloc(rows / 4u, sizeof(*in));
	int rc = AIMC_ENOMEM;

	if (wgt == NULL || par == NULL || in == NULL)
		goto out;
	for (r = 0; r < rows; r++) {
		in[r / 4u] |= (uint32_t)(uint8_t)c->x[r] << (8u * (r % 4u));
		for (o = 0; o < cols; o++) {
			uint32_t byte = r * cols + o;

			wgt[byte / 4u] |= (uint32_t)(uint8_t)c->w[(size_t)o * rows + r] << (8u * (byte % 4u));
		}
	}
	for (o = 0; o < cols; o++) {
		par[3 * o] = (uint32_t)bias;
		par[3 * o + 1] = 1;
		par[3 * o + 2] = 1;
	}
	rc = aimc_mem_write(c->m, cli_win_weight(), 0, wgt, wgt_words);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(c->m, cli_win_param(), 0, par, 3u * cols);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(c->m, cli_win_act_in(), 0, in, rows / 4u);
out:
	free(wgt);
	free(par);
	free(in);
	return rc;
}

#define SATS_SOME UINT32_MAX /* sats not derivable (noisy config): at least one */

/* Counter increases of one run, checked against what the data implies: `mvms` MVMs of the test
 * input on c->tile, `sats` saturations there (SATS_SOME: at least one), `instrs` retired instructions, nothing on the
 * other tiles; on timed back-ends busy + idle = chip busy cycles, and stalls between one settle per
 * MVM with a read (the first read's) and one per read (the later reads settle under the previous
 * read's conversions and wait only for the rest, issue 17). */
static void check_counters(ck *c, const char *name, const aimc_counters *a, const aimc_counters *b,
			   uint32_t instrs, uint32_t mvms_retired, uint32_t mvms, uint32_t sats)
{
	const aimc_cfg *cfg = c->cfg;
	const uint32_t phases = aimc_golden_mvm_phases(c->x, cfg->rows, cfg->dac_bits);
	const uint64_t settle = cfg->settle_cycles == 0 ? 1 : cfg->settle_cycles;
	const uint64_t cyc = b->cycles - a->cycles;
	char what[160];
	uint32_t t;
	int ok = b->n_tiles == cfg->num_tiles;

	snprintf(what, sizeof(what), "%s: counters", name);
	ok = ok && b->instrs - a->instrs == instrs && b->mvms - a->mvms == mvms_retired &&
	     b->adc_convs - a->adc_convs == mvms * phases * cfg->cols &&
	     (sats == SATS_SOME ? b->sats != a->sats : b->sats - a->sats == sats) &&
	     b->reads - a->reads == mvms * phases;
	for (t = 0; ok && t < cfg->num_tiles; t++) {
		const aimc_tile_counters *ta = &a->tile[t], *tb = &b->tile[t];
		uint32_t on = t == c->tile;
		uint32_t reads = tb->reads - ta->reads, stalls = tb->stalls - ta->stalls;

		ok = tb->mvms - ta->mvms == on * mvms && reads == on * mvms * phases &&
		     tb->adc_convs - ta->adc_convs == on * mvms * phases * cfg->cols &&
		     (sats == SATS_SOME ? (tb->sats != ta->sats) == on
					: tb->sats - ta->sats == on * sats);
		if (c->timed)
			ok = ok && (uint64_t)(tb->busy - ta->busy) + (tb->idle - ta->idle) == cyc &&
			     stalls <= reads * settle &&
			     stalls >= (phases > 0 ? on * mvms : 0) * settle &&
			     (on || tb->busy == ta->busy);
		else
			ok = ok && tb->busy == 0 && tb->idle == 0 && tb->stalls == 0;
	}
	if (c->timed)
		ok = ok && cyc > 0;
	t = c->tile;
	cli_check(&c->t, ok, what,
	       "expected instrs +%u, mvms +%u, tile %u: mvms +%u, reads +%u, adc +%u, sats +%u; got "
	       "instrs +%u, mvms +%u, reads_total +%u, tile %u: mvms +%u, reads +%u, adc +%u, sats "
	       "+%u, busy +%u, idle +%u, stalls +%u (chip busy +%llu, settle %llu), %u tiles",
	       instrs, mvms_retired, t, mvms, mvms * phases, mvms * phases * cfg->cols, sats,
	       b->instrs - a->instrs, b->mvms - a->mvms, b->reads - a->reads, t,
	       b->tile[t].mvms - a->tile[t].mvms, b->tile[t].reads - a->tile[t].reads,
	       b->tile[t].adc_convs - a->tile[t].adc_convs, b->tile[t].sats - a->tile[t].sats,
	       b->tile[t].busy - a->tile[t].busy, b->tile[t].idle - a->tile[t].idle,
	       b->tile[t].stalls - a->tile[t].stalls, (unsigned long long)cyc,
	       (unsigned long long)settle, b->n_tiles);
}

/* PROG, MVM, POST raw (bias 0) to act_out, HALT on c->tile; RAW results vs the golden model in
 * ideal configs; counters. */
static void good_program(ck *c, const char *name)
{
	const aimc_cfg *cfg = c->cfg;
	uint32_t cols = cfg->cols, o;
	uint64_t prog[4];
	aimc_counters c0, c1;
	int32_t *gold = malloc(cols * sizeof(*gold)), *zero = calloc(cols, sizeof(*zero));
	uint32_t *raw = calloc(cols, sizeof(*raw)), gsat = 0;
	char what[160];
	outcome oc;
	int rc;

	if (gold == NULL || zero == NULL || raw == NULL) {
		cli_check(&c->t, 0, name, "out of memory");
		goto out;
	}
	prog[0] = ins(AIMC_OP_PROG, c->tile, 0, 0, 0, 0);
	prog[1] = ins(AIMC_OP_MVM, c->tile, 0, 0, 0, 0);
	prog[2] = ins(AIMC_OP_POST, c->tile, AIMC_FLAG_DST_OUT | AIMC_FLAG_RAW, 0, 0, 0);
	prog[3] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = load_layer(c, 0);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, name, "loading the layer: %s", aimc_strerror(rc));
		goto out;
	}
	if (load(c, name, prog, 4) != AIMC_OK)
		goto out;
	rc = counted_run(c, &c0, &oc, &c1);
	if (rc == AIMC_OK)
		rc = aimc_mem_read(c->m, cli_win_act_out(), 0, raw, cols);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(irq), IRQ_ALL);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, name, "bus: %s", aimc_strerror(rc));
		goto out;
	}
	snprintf(what, sizeof(what), "%s: halts cleanly", name);
	expect_halt(c, what, &oc);
	if (aimc_golden_fc_acc(c->w, zero, cols, cfg->rows, c->x, 1, gold, &gsat) != 0) {
		cli_check(&c->t, 0, name, "golden model failed");
		goto out;
	}
	check_counters(c, name, &c0, &c1, 4, 1, 1, gsat);
	snprintf(what, sizeof(what), "%s: RAW results vs golden", name);
	if (!aimc_cfg_is_ideal(cfg)) {
		cli_skip(&c->t, what, "config is not ideal");
		goto out;
	}
	for (o = 0; o < cols && (int32_t)raw[o] == gold[o]; o++)
		;
	cli_check(&c->t, o == cols, what, "column %u: RAW %d, golden %d", o, o < cols ? (int32_t)raw[o] : 0,
	       o < cols ? gold[o] : 0);
out:
	free(gold);
	free(zero);
	free(raw);
}

/* acc + b saturates in every column with acc > 0: bias INT32_MAX, POST (int8) after the MVM. */
static void case_saturation(ck *c)
{
	const aimc_cfg *cfg = c->cfg;
	int32_t *bias = malloc(cfg->cols * sizeof(*bias)), *gold = malloc(cfg->cols * sizeof(*gold));
	uint64_t prog[4];
	aimc_counters c0, c1;
	uint32_t gsat = 0, o;
	outcome oc;
	int rc;

	if (bias == NULL || gold == NULL) {
		cli_check(&c->t, 0, "saturation", "out of memory");
		goto out;
	}
	for (o = 0; o < cfg->cols; o++)
		bias[o] = INT32_MAX;
	if (aimc_golden_fc_acc(c->w, bias, cfg->cols, cfg->rows, c->x, 1, gold, &gsat) != 0 ||
	    gsat == 0) {
		cli_check(&c->t, 0, "saturation", "golden model failed or predicts no saturation (%u)", gsat);
		goto out;
	}
	/* With noise and ADC clipping the sign of acc is not the ideal one's: at least one. */
	if (!aimc_cfg_is_ideal(cfg))
		gsat = SATS_SOME;
	prog[0] = ins(AIMC_OP_PROG, c->tile, 0, 0, 0, 0);
	prog[1] = ins(AIMC_OP_MVM, c->tile, 0, 0, 0, 0);
	prog[2] = ins(AIMC_OP_POST, c->tile, AIMC_FLAG_DST_OUT, 0, 0, 0);
	prog[3] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = load_layer(c, INT32_MAX);
	if (rc == AIMC_OK)
		rc = load(c, "saturation", prog, 4);
	if (rc != AIMC_OK)
		goto out;

	/* count (the reset value of sat_mode): the program halts, the saturations are counted */
	rc = counted_run(c, &c0, &oc, &c1);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(irq), IRQ_ALL);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "saturation, count mode", "bus: %s", aimc_strerror(rc));
		goto out;
	}
	expect_halt(c, "saturation, count mode: halts", &oc);
	check_counters(c, "saturation, count mode", &c0, &c1, 4, 1, 1, gsat);

	/* stop: SATURATION at the POST (PC 2), which completed but does not retire */
	rc = wr(c, CSR(sat_mode), AIMC_CSR__SAT_MODE__STOP_bm);
	if (rc == AIMC_OK)
		rc = counted_run(c, &c0, &oc, &c1);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "saturation, stop mode", "bus: %s", aimc_strerror(rc));
		goto out;
	}
	expect_error(c, "saturation, stop mode: SATURATION at the POST", &oc,
		     AIMC_CHIP_ERR_SATURATION, 2);
	check_counters(c, "saturation, stop mode", &c0, &c1, 2, 1, 1, gsat);
	soft_reset_check(c, "saturation, stop mode: soft reset clears the error");
	/* sat_mode is configuration: the soft reset keeps it; a program without saturation runs */
	good_program(c, "after SATURATION + soft reset, sat_mode still stop: good program");
	rc = wr(c, CSR(sat_mode), 0);
	cli_check(&c->t, rc == AIMC_OK, "sat_mode back to count", "%s", aimc_strerror(rc));
out:
	free(bias);
	free(gold);
}

/* ACCADD saturates: INT32_MAX added to every column of the slot (acc > 0 saturates, as acc + b
 * with b = INT32_MAX does). Count mode: halts, saturations counted on the tile; stop mode:
 * SATURATION at the ACCADD (PC 2), which completed but does not retire. */
static void case_accadd_saturation(ck *c)
{
	const aimc_cfg *cfg = c->cfg;
	const uint32_t at = cfg->rows / 4u; /* the words to add, after the input vector */
	int32_t *bias = malloc(cfg->cols * sizeof(*bias)), *gold = malloc(cfg->cols * sizeof(*gold));
	uint32_t *words = malloc(cfg->cols * sizeof(*words)), gsat = 0, o;
	uint64_t prog[5];
	aimc_counters c0, c1;
	outcome oc;
	int rc;

	if (!cfg->isa_tfl) { /* no ACCADD: illegal-test checks that it is ILLEGAL */
		cli_skip(&c->t, "ACCADD saturation", "config has isa_tfl = 0 (no ACCADD)");
		goto out;
	}
	if (bias == NULL || gold == NULL || words == NULL || at + cfg->cols > cfg->act_depth) {
		cli_check(&c->t, 0, "ACCADD saturation", "out of memory or no room for %u words",
			  cfg->cols);
		goto out;
	}
	for (o = 0; o < cfg->cols; o++) {
		bias[o] = INT32_MAX;
		words[o] = (uint32_t)INT32_MAX;
	}
	if (aimc_golden_fc_acc(c->w, bias, cfg->cols, cfg->rows, c->x, 1, gold, &gsat) != 0 ||
	    gsat == 0) {
		cli_check(&c->t, 0, "ACCADD saturation", "golden model failed or predicts no saturation");
		goto out;
	}
	if (!aimc_cfg_is_ideal(cfg))
		gsat = SATS_SOME;
	prog[0] = ins(AIMC_OP_PROG, c->tile, 0, 0, 0, 0);
	prog[1] = ins(AIMC_OP_MVM, c->tile, 0, 0, 0, 0);
	prog[2] = ins(AIMC_OP_ACCADD, c->tile, 0, at, 0, 0);
	prog[3] = ins(AIMC_OP_POST, c->tile, AIMC_FLAG_DST_OUT | AIMC_FLAG_RAW, 0, 0, 0);
	prog[4] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = load_layer(c, 0);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(c->m, cli_win_act_in(), at, words, cfg->cols);
	if (rc == AIMC_OK)
		rc = load(c, "ACCADD saturation", prog, 5);
	if (rc != AIMC_OK)
		goto out;
	rc = counted_run(c, &c0, &oc, &c1);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(irq), IRQ_ALL);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "ACCADD saturation, count mode", "bus: %s", aimc_strerror(rc));
		goto out;
	}
	expect_halt(c, "ACCADD saturation, count mode: halts", &oc);
	check_counters(c, "ACCADD saturation, count mode", &c0, &c1, 5, 1, 1, gsat);

	rc = wr(c, CSR(sat_mode), AIMC_CSR__SAT_MODE__STOP_bm);
	if (rc == AIMC_OK)
		rc = counted_run(c, &c0, &oc, &c1);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "ACCADD saturation, stop mode", "bus: %s", aimc_strerror(rc));
		goto out;
	}
	expect_error(c, "ACCADD saturation, stop mode: SATURATION at the ACCADD", &oc,
		     AIMC_CHIP_ERR_SATURATION, 2);
	check_counters(c, "ACCADD saturation, stop mode", &c0, &c1, 2, 1, 1, gsat);
	soft_reset_check(c, "ACCADD saturation, stop mode: soft reset clears the error");
	rc = wr(c, CSR(sat_mode), 0);
	cli_check(&c->t, rc == AIMC_OK, "sat_mode back to count", "%s", aimc_strerror(rc));
out:
	free(bias);
	free(gold);
	free(words);
}

/* Watchdog: budget B stops NOP, PROG, HALT inside the PROG (PC 1), after exactly B + 1 busy
 * cycles, as long as the NOP takes fewer than B cycles and the PROG's Rows*Cols/4 weight reads
 * alone outlast the budget. */
static void case_watchdog(ck *c)
{
	const aimc_cfg *cfg = c->cfg;
	const uint32_t budget = 16, prog_reads = cfg->rows * cfg->cols / 4u;
	uint64_t prog[3];
	aimc_counters c0, c1;
	uint32_t wd = 0;
	outcome oc;
	int rc;

	if (!c->timed) {
		cli_skip(&c->t, "watchdog", "the C model has no timing (sw/src/refmodel.h)");
		return;
	}
	if (prog_reads < 2u * budget) {
		cli_skip(&c->t, "watchdog", "PROG is too short for the fixed budget");
		return;
	}
	prog[0] = ins(AIMC_OP_NOP, 0, 0, 0, 0, 0);
	prog[1] = ins(AIMC_OP_PROG, c->tile, 0, 0, 0, 0);
	prog[2] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	if (load(c, "watchdog", prog, 3) != AIMC_OK)
		return;
	rc = wr(c, CSR(watchdog), budget);
	if (rc == AIMC_OK)
		rc = counted_run(c, &c0, &oc, &c1);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "watchdog", "bus: %s", aimc_strerror(rc));
		return;
	}
	expect_error(c, "watchdog: WATCHDOG in the PROG", &oc, AIMC_CHIP_ERR_WATCHDOG, 1);
	cli_check(&c->t, c1.cycles - c0.cycles == budget + 1u && c1.instrs - c0.instrs == 1,
	       "watchdog: busy for budget + 1 cycles, only the NOP retired",
	       "busy cycles +%llu (expected %u), instrs +%u (expected 1)",
	       (unsigned long long)(c1.cycles - c0.cycles), budget + 1u, c1.instrs - c0.instrs);
	soft_reset_check(c, "watchdog: soft reset clears the error");
	rc = aimc_mmio_read32(c->m, CSR(watchdog), &wd);
	cli_check(&c->t, rc == AIMC_OK && wd == budget, "watchdog: the budget survives the soft reset",
	       "read %u (expected %u): %s", wd, budget, aimc_strerror(rc));
	/* the same program with the watchdog off, then with a budget it does not reach */
	rc = wr(c, CSR(watchdog), 0);
	if (rc == AIMC_OK)
		run(c, &oc);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(irq), IRQ_ALL);
	expect_halt(c, "watchdog off (0): the same program halts", &oc);
	rc = wr(c, CSR(watchdog), 1u << 20);
	if (rc == AIMC_OK)
		good_program(c, "watchdog 2^20 (not reached): good program");
	rc = wr(c, CSR(watchdog), 0);
	cli_check(&c->t, rc == AIMC_OK, "watchdog back to off", "%s", aimc_strerror(rc));
}

static void expect_bus_err(ck *c, const char *name, const aimc_bus_err *e, uint32_t valid,
			   uint32_t write, uint32_t resp, uint32_t addr, uint32_t count)
{
	cli_check(&c->t, e->valid == valid && e->write == write && e->resp == resp && e->addr == addr &&
			  e->count == count,
	       name, "valid %u write %u resp %u addr 0x%x count %u (expected %u %u %u 0x%x %u)",
	       e->valid, e->write, e->resp, e->addr, e->count, valid, write, resp, addr, count);
}

/* Bus errors are recorded and never stop a program: bad accesses while a program runs. */
static void case_bus_errors(ck *c)
{
	const aimc_cfg *cfg = c->cfg;
	uint64_t prog[3];
	aimc_bus_err e;
	/* past the configured depth of act_in (SLVERR); a hole in the CSR block (SLVERR too) if
	 * act_in fills its window, where the next word would be act_out's */
	uint32_t v, depth_addr = 4u * cfg->act_depth < cli_win_act_out() - cli_win_act_in()
					 ? cli_win_act_in() + 4u * cfg->act_depth
					 : HOLE_ADDR + 4u;
	outcome oc;
	int rc, r1, r2, r3;

	memset(&e, 0, sizeof(e));
	rc = aimc_bus_err_read(c->m, &e, 0);
	cli_check(&c->t, rc == AIMC_OK, "bus errors: read the record", "%s", aimc_strerror(rc));
	expect_bus_err(c, "bus errors: no record yet", &e, 0, 0, 0, 0, 0);

	prog[0] = ins(AIMC_OP_PROG, c->tile, 0, 0, 0, 0);
	prog[1] = ins(AIMC_OP_MVM, c->tile, 0, 0, 0, 0);
	prog[2] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	if (load(c, "bus errors", prog, 3) != AIMC_OK)
		return;
	rc = wr(c, CSR(start_pc), 0);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(ctrl), AIMC_CSR__CTRL__START_bm);
	r1 = aimc_mmio_read32(c->m, UNMAPPED_ADDR, &v);      /* DECERR, recorded */
	r2 = aimc_mmio_write32(c->m, CSR(cfg0), 0x12345678); /* SLVERR (read-only), counted */
	r3 = aimc_mmio_read32(c->m, depth_addr, &v);         /* SLVERR (past depth), counted */
	if (rc == AIMC_OK)
		rc = aimc_mmio_poll32(c->m, CSR(status), AIMC_CSR__STATUS__BUSY_bm, 0, c->max_polls, &v);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(status), &oc.status);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(irq), IRQ_ALL);
	cli_check(&c->t, r1 == AIMC_EBUS && r2 == AIMC_EBUS && r3 == AIMC_EBUS,
	       "bus errors: the three bad accesses are answered with errors", "%s, %s, %s",
	       aimc_strerror(r1), aimc_strerror(r2), aimc_strerror(r3));
	cli_check(&c->t, rc == AIMC_OK && oc.status == AIMC_CSR__STATUS__HALTED_bm,
	       "bus errors: the program runs on and halts", "bus %s, status 0x%x",
	       aimc_strerror(rc), rc == AIMC_OK ? oc.status : 0);
	rc = aimc_bus_err_read(c->m, &e, 1);
	cli_check(&c->t, rc == AIMC_OK, "bus errors: read and clear the record", "%s", aimc_strerror(rc));
	expect_bus_err(c, "bus errors: first one sticks (DECERR read), three counted", &e, 1, 0,
		       RESP_DECERR, UNMAPPED_ADDR, 3);
	rc = aimc_bus_err_read(c->m, &e, 0);
	expect_bus_err(c, "bus errors: clear empties the record", &e, 0, 0, 0, 0, 0);

	/* a write to a hole in the CSR block, then the record survives until a soft reset */
	r1 = aimc_mmio_write32(c->m, HOLE_ADDR, 1);
	rc = aimc_bus_err_read(c->m, &e, 0);
	cli_check(&c->t, r1 == AIMC_EBUS && rc == AIMC_OK, "bus errors: write to a CSR hole answered an error",
	       "%s, record read %s", aimc_strerror(r1), aimc_strerror(rc));
	expect_bus_err(c, "bus errors: write to a CSR hole recorded (SLVERR)", &e, 1, 1, RESP_SLVERR,
		       HOLE_ADDR, 1);
	rc = aimc_soft_reset(c->m);
	if (rc == AIMC_OK)
		rc = aimc_bus_err_read(c->m, &e, 0);
	cli_check(&c->t, rc == AIMC_OK, "bus errors: soft reset", "%s", aimc_strerror(rc));
	expect_bus_err(c, "bus errors: soft reset clears the record", &e, 0, 0, 0, 0, 0);
}

/* Soft reset of a running program: PROG repeated, reset at once; then what it keeps. */
static void case_soft_reset_running(ck *c)
{
	const aimc_cfg *cfg = c->cfg;
	uint64_t prog[MAX_PROG];
	uint32_t st_run = 0, st = ~0u, irq = ~0u, scratch = 0, settle = 0, word = 0, i;
	uint32_t marker = 0x5a5aa5a5u;
	aimc_counters c0, c1;
	int rc;

	for (i = 0; i + 1 < MAX_PROG; i++)
		prog[i] = ins(AIMC_OP_PROG, c->tile, 0, 0, 0, 0);
	prog[MAX_PROG - 1] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	if (load(c, "soft reset while running", prog, MAX_PROG) != AIMC_OK)
		return;
	rc = wr(c, CSR(scratch), marker);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(c->m, cli_win_act_out(), cfg->act_depth - 1u, &marker, 1);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(c->m, &c0);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(start_pc), 0);
	if (rc == AIMC_OK)
		rc = wr(c, CSR(ctrl), AIMC_CSR__CTRL__START_bm);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(status), &st_run);
	if (rc == AIMC_OK)
		rc = aimc_soft_reset(c->m);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(status), &st);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(irq), &irq);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(scratch), &scratch);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(settle), &settle);
	if (rc == AIMC_OK)
		rc = aimc_mem_read(c->m, cli_win_act_out(), cfg->act_depth - 1u, &word, 1);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(c->m, &c1);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "soft reset while running", "bus: %s", aimc_strerror(rc));
		return;
	}
	/* On the C model the program has already halted when the start write returns. */
	cli_check(&c->t, c->timed ? st_run == AIMC_CSR__STATUS__BUSY_bm
			   : st_run == AIMC_CSR__STATUS__HALTED_bm,
	       "soft reset while running: the program was running", "status 0x%x", st_run);
	cli_check(&c->t, st == 0 && irq == 0, "soft reset while running: idle, no status, no irq",
	       "status 0x%x, irq 0x%x", st, irq);
	cli_check(&c->t, scratch == marker && word == marker &&
			  settle == (cfg->settle_cycles == 0 ? 1u : cfg->settle_cycles) &&
			  c1.instrs >= c0.instrs && c1.cycles >= c0.cycles,
	       "soft reset keeps CSRs, memories and counters",
	       "scratch 0x%x, act_out word 0x%x (expected 0x%x), settle %u, instrs %u -> %u", scratch,
	       word, marker, settle, c0.instrs, c1.instrs);
	good_program(c, "after soft reset of a running program: good program");
}

/* An ISA error stop, then soft reset and a good program. */
static void case_isa_error(ck *c, const char *name, uint64_t bad, uint32_t code)
{
	uint64_t prog[3];
	outcome oc;
	char what[160];

	prog[0] = ins(AIMC_OP_NOP, 0, 0, 0, 0, 0);
	prog[1] = bad;
	prog[2] = ins(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	if (load(c, name, prog, 3) != AIMC_OK)
		return;
	run(c, &oc);
	expect_error(c, name, &oc, code, 1);
	snprintf(what, sizeof(what), "%s: soft reset clears the error", name);
	soft_reset_check(c, what);
}

int cli_cmd_err_test(int argc, char **argv)
{
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL };
	ck c;
	char rerun[512];
	uint64_t polls_prog[MAX_PROG];
	aimc_image img;
	uint32_t r, o, i;
	int rc;

	rc = cli_backend_only_args(CMD, argc, argv, &be, help);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cfg.rows * cfg.cols / 4u > cfg.wgt_depth || cfg.cols > cfg.act_depth ||
	    3u * cfg.cols > cfg.par_depth || cfg.instr_depth < MAX_PROG) {
		cli_errorf(CMD, "config %s: one tile block or the test programs do not fit its buffers",
			   cfg.name);
		return CLI_EXIT_USAGE;
	}
	memset(&c, 0, sizeof(c));
	c.w = malloc((size_t)cfg.rows * cfg.cols);
	c.x = malloc(cfg.rows);
	if (c.w == NULL || c.x == NULL) {
		cli_errorf(CMD, "out of memory");
		free(c.w);
		free(c.x);
		return CLI_EXIT_FAIL;
	}
	if (cli_backend_open(CMD, &be, &cfg, &m) != AIMC_OK) {
		free(c.w);
		free(c.x);
		return CLI_EXIT_FAIL;
	}
	snprintf(rerun, sizeof(rerun), "aimc-test err-test --config %s --seed %llu --backend %s",
		 be.config, (unsigned long long)be.seed, be.backend);
	c.m = &m;
	c.cfg = &cfg;
	c.t.rerun = rerun;
	c.timed = strcmp(cli_backend_kind(&be), "cmodel") != 0;
	c.tile = cfg.num_tiles - 1u;
	/* Positive, mixed-sign data: acc > 0 in most columns (the saturation case needs some). */
	for (r = 0; r < cfg.rows; r++) {
		c.x[r] = (int8_t)(int)(((r * 37u + 11u) % 200u) - 60);
		for (o = 0; o < cfg.cols; o++)
			c.w[(size_t)o * cfg.rows + r] = (int8_t)(int)(((r * 7u + o * 13u) % 180u) - 50);
	}
	/* Polls: enough for the longest program here (PROGs plus one MVM and POST). */
	for (i = 0; i < MAX_PROG; i++)
		polls_prog[i] = ins(AIMC_OP_PROG, 0, 0, 0, 0, 0);
	polls_prog[0] = ins(AIMC_OP_MVM, 0, 0, 0, 0, 0);
	polls_prog[1] = ins(AIMC_OP_POST, 0, 0, 0, 0, 0);
	memset(&img, 0, sizeof(img));
	img.prog = polls_prog;
	img.n_prog = MAX_PROG;
	c.max_polls = be.max_polls != 0 ? be.max_polls : cli_max_polls(&cfg, &img);

	printf("err-test: config %s, back-end %s, seed %llu, programs on tile %u\n", cfg.name,
	       be.backend, (unsigned long long)be.seed, c.tile);
	rc = aimc_chip_init(&m, &cfg);
	cli_check(&c.t, rc == AIMC_OK, "aimc_chip_init", "%s", aimc_strerror(rc));

	good_program(&c, "first good program");
	case_saturation(&c);
	case_accadd_saturation(&c);
	case_watchdog(&c);
	case_bus_errors(&c);
	case_soft_reset_running(&c);
	case_isa_error(&c, "ILLEGAL (undefined opcode 15)", ins(15, 0, 0, 0, 0, 0),
		       AIMC_CHIP_ERR_ILLEGAL);
	if (cfg.num_tiles <= AIMC_INSTR_TILE_MASK)
		case_isa_error(&c, "BAD_TILE", ins(AIMC_OP_MVM, cfg.num_tiles, 0, 0, 0, 0),
			       AIMC_CHIP_ERR_BAD_TILE);
	else
		cli_skip(&c.t, "BAD_TILE", "every 4-bit tile number exists");
	case_isa_error(&c, "ADDR_RANGE (MVM input)",
		       ins(AIMC_OP_MVM, c.tile, 0, cfg.act_depth - cfg.rows / 4u + 1u, 0, 0),
		       AIMC_CHIP_ERR_ADDR_RANGE);
	case_isa_error(&c, "BAD_SLOT", ins(AIMC_OP_MVM, c.tile, 0, 0, cfg.acc_slots, 0),
		       AIMC_CHIP_ERR_BAD_SLOT);
	case_isa_error(&c, "ILLEGAL (tfl POST with relu)",
		       ins(AIMC_OP_POST, c.tile, AIMC_FLAG_TFL | AIMC_FLAG_RELU, 0, 0, 0),
		       AIMC_CHIP_ERR_ILLEGAL);
	/* isa_tfl = 0: ACCADD is undefined, ILLEGAL comes first */
	case_isa_error(&c, cfg.isa_tfl ? "ADDR_RANGE (ACCADD words)" : "ILLEGAL (ACCADD, isa_tfl = 0)",
		       ins(AIMC_OP_ACCADD, c.tile, AIMC_FLAG_FROM_OUT, cfg.act_depth - cfg.cols + 1u, 0, 0),
		       cfg.isa_tfl ? AIMC_CHIP_ERR_ADDR_RANGE : AIMC_CHIP_ERR_ILLEGAL);
	good_program(&c, "last good program");

	if (cli_backend_close(CMD, &be, &m, NULL) != AIMC_OK)
		cli_check(&c.t, 0, "replay log fully consumed", NULL);
	printf("err-test: %u passed, %u failed, %u skipped\n", c.t.pass, c.t.fail, c.t.skipped);
	if (c.t.fail != 0)
		printf("err-test: rerun: %s\n", rerun);
	free(c.w);
	free(c.x);
	return c.t.fail == 0 ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
}
