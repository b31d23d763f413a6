/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test illegal-test: programs that provoke every chip error of docs/isa.md, each checked in
 * err_code, err_pc, status and irq; then a good program on the same chip without a reset.
 * The sequence of bus operations never depends on the values read, so a recorded trace replays. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_regs.h"
#include "chip_test.h"
#include "golden.h"

#define CMD "illegal-test"
#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define BAD_PC 2u /* every error program is NOP, NOP, <bad>, HALT */
#define IRQ_ALL (AIMC_CSR__IRQ__DONE_bm | AIMC_CSR__IRQ__ERROR_bm | AIMC_CSR__IRQ__PROG_bm)

typedef struct ck {
	aimc_mmio *m;
	const aimc_cfg *cfg;
	uint32_t max_polls;
	cli_tally t;
} ck;

/* What one run left in the CSRs. */
typedef struct outcome {
	int poll_rc, rc;
	uint32_t status, err_code, err_pc, irq, irq_after_clear;
} outcome;

static void help(void)
{
	printf("usage: aimc-test illegal-test --config CFG [options]\n\n"
	       "Runs programs that stop the sequencer with each error of docs/isa.md (undefined opcode,\n"
	       "reserved bits, bad tile, addresses out of range, PC past the buffer, bad slot, bad post\n"
	       "shift) and checks err_code, err_pc, status.error and irq.error for each, clearing the\n"
	       "interrupt in between; on a chip with isa_tfl = 0 also ACCADD and POST tfl (ILLEGAL)\n"
	       "and cfg5.no_tfl; then a good program runs on the same chip without a reset.\n\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 all checks pass, 1 a check failed, 2 usage or input error.\n");
}

/* Start at pc, wait for idle, read the outcome, clear the interrupt flags and read them again. */
static void start_and_wait(ck *c, uint32_t pc, outcome *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = aimc_mmio_write32(c->m, CSR(start_pc), pc);
	if (rc == AIMC_OK)
		rc = aimc_mmio_write32(c->m, CSR(ctrl), AIMC_CSR__CTRL__START_bm);
	if (rc == AIMC_OK) {
		o->poll_rc = aimc_mmio_poll32(c->m, CSR(status), AIMC_CSR__STATUS__BUSY_bm, 0, c->max_polls,
					      &o->status);
		rc = o->poll_rc;
	}
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(status), &o->status);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(err_code), &o->err_code);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(err_pc), &o->err_pc);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(irq), &o->irq);
	if (rc == AIMC_OK)
		rc = aimc_mmio_write32(c->m, CSR(irq), IRQ_ALL);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(c->m, CSR(irq), &o->irq_after_clear);
	o->rc = rc;
}

/* Check an error stop. */
static void expect_error(ck *c, const char *name, const outcome *o, uint32_t code, uint32_t pc)
{
	cli_check(&c->t, o->rc == AIMC_OK && o->status == AIMC_CSR__STATUS__ERROR_bm &&
			  o->err_code == code && o->err_pc == pc &&
			  (o->irq & IRQ_ALL) == AIMC_CSR__IRQ__ERROR_bm && o->irq_after_clear == 0,
	       name,
	       "bus %s; status 0x%x (expected error only, 0x%x), err_code %u (expected %u), "
	       "err_pc %u (expected %u), irq 0x%x (expected error only, 0x%x), irq after clear "
	       "0x%x",
	       aimc_strerror(o->rc), o->status, AIMC_CSR__STATUS__ERROR_bm, o->err_code, code,
	       o->err_pc, pc, o->irq, AIMC_CSR__IRQ__ERROR_bm, o->irq_after_clear);
}

/* NOP, NOP, bad, HALT at index 0, run from 0, expect `code` at BAD_PC. */
static void case_instr(ck *c, const char *name, uint64_t bad, uint32_t code)
{
	uint64_t prog[4];
	outcome o;
	int rc;

	prog[0] = aimc_instr(AIMC_OP_NOP, 0, 0, 0, 0, 0);
	prog[1] = prog[0];
	prog[2] = bad;
	prog[3] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = aimc_prog_load(c->m, c->cfg, prog, 4);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, name, "loading the program: %s", aimc_strerror(rc));
		return;
	}
	start_and_wait(c, 0, &o);
	expect_error(c, name, &o, code, BAD_PC);
}

/* The code an ACCADD or tfl check gives: itself on a chip with isa_tfl, ILLEGAL without (the
 * instruction is undefined there, the flag reserved; ILLEGAL is checked first). */
static uint32_t tfl_code(const ck *c, uint32_t code)
{
	return c->cfg->isa_tfl ? code : AIMC_CHIP_ERR_ILLEGAL;
}

/* Parameters at word 0: every column b = 0, M = 0, S = 1, except column 0's S. */
static int write_params(ck *c, uint32_t s0)
{
	uint32_t n = 3u * c->cfg->cols, i;
	uint32_t *p = calloc(n, sizeof(*p));
	int rc;

	if (p == NULL)
		return AIMC_ENOMEM;
	for (i = 0; i < c->cfg->cols; i++)
		p[3 * i + 2] = 1;
	p[2] = s0;
	rc = aimc_mem_write(c->m, cli_win_param(), 0, p, n);
	free(p);
	return rc;
}

static void case_shift(ck *c, const char *name, uint32_t s0)
{
	int rc = write_params(c, s0);

	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, name, "writing the parameters: %s", aimc_strerror(rc));
		return;
	}
	case_instr(c, name, aimc_instr(AIMC_OP_POST, 0, 0, 0, 0, 0), AIMC_CHIP_ERR_BAD_PARAM);
}

/* A tfl POST whose column 0 has the packed word E = {hi, lo, zp, e} (the other columns' E = 1:
 * e = 1, zp 0, lo = hi = 0, a legal word). */
static void case_tfl(ck *c, const char *name, int e, int lo, int hi)
{
	uint32_t w = (uint32_t)(uint8_t)e | (uint32_t)(uint8_t)lo << 16 | (uint32_t)(uint8_t)hi << 24;
	int rc = write_params(c, w);

	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, name, "writing the parameters: %s", aimc_strerror(rc));
		return;
	}
	case_instr(c, name, aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_TFL, 0, 0, 0),
		   tfl_code(c, AIMC_CHIP_ERR_BAD_PARAM));
}

/* isa_tfl = 0 (docs/configs.md): cfg5.no_tfl reads 1, and every ACCADD and every tfl POST is
 * ILLEGAL, well-formed operands included. */
static void case_no_tfl(ck *c)
{
	uint32_t v = 0;
	int rc = aimc_mmio_read32(c->m, CSR(cfg5), &v);

	cli_check(&c->t, rc == AIMC_OK && ((v & AIMC_CSR__CFG5__NO_TFL_bm) != 0) == !c->cfg->isa_tfl,
		  "cfg5.no_tfl reports isa_tfl", "bus %s; cfg5 0x%08x, no_tfl expected %d",
		  aimc_strerror(rc), v, !c->cfg->isa_tfl);
	if (c->cfg->isa_tfl) {
		cli_skip(&c->t, "ACCADD and tfl POST without isa_tfl", "the chip has isa_tfl = 1");
		return;
	}
	case_instr(c, "isa_tfl 0: ACCADD (valid operands)", aimc_instr(AIMC_OP_ACCADD, 0, 0, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(c, "isa_tfl 0: ACCADD from_out (valid operands)",
		   aimc_instr(AIMC_OP_ACCADD, 0, AIMC_FLAG_FROM_OUT, 0, 0, 0), AIMC_CHIP_ERR_ILLEGAL);
	case_instr(c, "isa_tfl 0: POST tfl (valid E)", aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_TFL, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(c, "isa_tfl 0: POST tfl dst_out (valid E)",
		   aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_TFL | AIMC_FLAG_DST_OUT, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	/* ILLEGAL comes before BAD_TILE, ADDR_RANGE and BAD_SLOT */
	case_instr(c, "isa_tfl 0: POST tfl with a bad slot",
		   aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_TFL, 0, c->cfg->acc_slots, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
}

/* A word address just past the end: depth - span + 1, or 0 if span alone is past it. */
static uint32_t past(uint32_t depth, uint32_t span)
{
	return depth >= span ? depth - span + 1u : 0u;
}

/* One PROG + MVM + POST (int8 and RAW) + HALT on tile 0 with deterministic data; in ideal configs
 * the results are checked against the golden model. */
static void good_program(ck *c)
{
	const aimc_cfg *cfg = c->cfg;
	uint32_t rows = cfg->rows, cols = cfg->cols, r, o, i;
	uint32_t wgt_words = rows * cols / 4u, raw_at = cols / 4u;
	uint32_t *wgt = calloc(wgt_words, sizeof(*wgt)), *par = calloc(3u * cols, sizeof(*par));
	uint32_t *in = calloc(rows / 4u, sizeof(*in)), *out = calloc(cols, sizeof(*out));
	int8_t *w = malloc((size_t)rows * cols), *x = malloc(rows), y;
	int32_t *bias = malloc(cols * sizeof(*bias)), *acc = malloc(cols * sizeof(*acc));
	uint32_t *raw = calloc(cols, sizeof(*raw));
	uint64_t prog[5];
	outcome oc;
	int rc = AIMC_ENOMEM, ok;
	uint32_t bad = 0;

	if (wgt == NULL || par == NULL || in == NULL || out == NULL || w == NULL || x == NULL ||
	    bias == NULL || acc == NULL || raw == NULL) {
		cli_check(&c->t, 0, "good program", "out of memory");
		goto out;
	}
	if (raw_at + cols > cfg->act_depth || rows / 4u > cfg->act_depth ||
	    wgt_words > cfg->wgt_depth || 3u * cols > cfg->par_depth) {
		cli_skip(&c->t, "good program", "one block does not fit the configured buffers");
		goto out;
	}
	/* w[o*K + r] (golden layout) = crossbar weight of row r, column o. */
	for (r = 0; r < rows; r++) {
		x[r] = (int8_t)((int)((r * 29u + 5u) % 255u) - 127);
		in[r / 4u] |= (uint32_t)(uint8_t)x[r] << (8u * (r % 4u));
		for (o = 0; o < cols; o++) {
			int8_t v = (int8_t)((int)((r * 7u + o * 13u) % 255u) - 127);
			uint32_t byte = r * cols + o;

			w[(size_t)o * rows + r] = v;
			wgt[byte / 4u] |= (uint32_t)(uint8_t)v << (8u * (byte % 4u));
		}
	}
	for (o = 0; o < cols; o++) {
		bias[o] = (int32_t)(o * 1000u) - 5000;
		par[3 * o] = (uint32_t)bias[o];
		par[3 * o + 1] = 3;
		par[3 * o + 2] = 12;
	}
	prog[0] = aimc_instr(AIMC_OP_PROG, 0, 0, 0, 0, 0);
	prog[1] = aimc_instr(AIMC_OP_MVM, 0, 0, 0, 0, 0);
	prog[2] = aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_DST_OUT, 0, 0, 0);
	prog[3] = aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_DST_OUT | AIMC_FLAG_RAW, raw_at, 0, 0);
	prog[4] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = aimc_mem_write(c->m, cli_win_weight(), 0, wgt, wgt_words);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(c->m, cli_win_param(), 0, par, 3u * cols);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(c->m, cli_win_act_in(), 0, in, rows / 4u);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(c->m, cfg, prog, 5);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "good program", "loading: %s", aimc_strerror(rc));
		goto out;
	}
	start_and_wait(c, 0, &oc);
	cli_check(&c->t, oc.rc == AIMC_OK && oc.status == AIMC_CSR__STATUS__HALTED_bm && oc.err_code == 0 &&
			  (oc.irq & IRQ_ALL) == AIMC_CSR__IRQ__DONE_bm && oc.irq_after_clear == 0,
	       "good program after the errors, no reset: halts cleanly",
	       "bus %s; status 0x%x (expected halted only, 0x%x), err_code %u, irq 0x%x (expected "
	       "done only), irq after clear 0x%x",
	       aimc_strerror(oc.rc), oc.status, AIMC_CSR__STATUS__HALTED_bm, oc.err_code, oc.irq,
	       oc.irq_after_clear);
	rc = aimc_mem_read(c->m, cli_win_act_out(), 0, out, cols / 4u);
	if (rc == AIMC_OK)
		rc = aimc_mem_read(c->m, cli_win_act_out(), raw_at, raw, cols);
	if (rc != AIMC_OK) {
		cli_check(&c->t, 0, "good program results", "reading: %s", aimc_strerror(rc));
		goto out;
	}
	if (!aimc_cfg_is_ideal(cfg)) {
		cli_skip(&c->t, "good program results vs golden", "config is not ideal");
		goto out;
	}
	if (aimc_golden_fc_acc(w, bias, cols, rows, x, 1, acc, NULL) != 0) {
		cli_check(&c->t, 0, "good program results vs golden", "golden model failed");
		goto out;
	}
	ok = 1;
	for (o = 0; o < cols; o++) {
		y = (int8_t)(uint8_t)(out[o / 4u] >> (8u * (o % 4u)));
		if ((int32_t)raw[o] != acc[o] || y != aimc_golden_post(acc[o], 3, 12, 0)) {
			if (ok)
				bad = o;
			ok = 0;
		}
	}
	i = bad;
	cli_check(&c->t, ok, "good program results vs golden (RAW and int8)",
	       "column %u: RAW %d (golden %d), int8 %d (golden %d)", i, (int32_t)raw[i], acc[i],
	       (int8_t)(uint8_t)(out[i / 4u] >> (8u * (i % 4u))), aimc_golden_post(acc[i], 3, 12, 0));
out:
	free(wgt);
	free(par);
	free(in);
	free(out);
	free(w);
	free(x);
	free(bias);
	free(acc);
	free(raw);
}

int cli_cmd_illegal_test(int argc, char **argv)
{
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL };
	ck c;
	uint32_t blk, last;
	uint64_t nop = aimc_instr(AIMC_OP_NOP, 0, 0, 0, 0, 0);
	uint32_t nop_words[2];
	outcome o;
	int rc;

	rc = cli_backend_only_args(CMD, argc, argv, &be, help);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cli_backend_open(CMD, &be, &cfg, &m) != AIMC_OK)
		return CLI_EXIT_FAIL;
	memset(&c, 0, sizeof(c));
	c.m = &m;
	c.cfg = &cfg;
	c.max_polls = be.max_polls;
	if (c.max_polls == 0) {
		/* Enough for the longest program here: the good one (PROG, MVM, 2 POST, HALT). */
		uint64_t good[5] = { aimc_instr(AIMC_OP_PROG, 0, 0, 0, 0, 0),
				     aimc_instr(AIMC_OP_MVM, 0, 0, 0, 0, 0),
				     aimc_instr(AIMC_OP_POST, 0, 0, 0, 0, 0),
				     aimc_instr(AIMC_OP_POST, 0, 0, 0, 0, 0),
				     aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0) };
		aimc_image img;

		memset(&img, 0, sizeof(img));
		img.prog = good;
		img.n_prog = 5;
		c.max_polls = cli_max_polls(&cfg, &img);
	}
	printf("illegal-test: config %s, back-end %s, seed %llu\n", cfg.name, be.backend,
	       (unsigned long long)be.seed);
	rc = aimc_chip_init(&m, &cfg);
	cli_check(&c.t, rc == AIMC_OK, "aimc_chip_init", "%s", aimc_strerror(rc));
	rc = write_params(&c, 1);
	cli_check(&c.t, rc == AIMC_OK, "valid parameters at word 0", "%s", aimc_strerror(rc));

	/* ILLEGAL */
	case_instr(&c, "undefined opcode 11", aimc_instr(11, 0, 0, 0, 0, 0), AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "undefined opcode 15", aimc_instr(15, 0, 0, 0, 0, 0), AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved bit set in NOP (C)", aimc_instr(AIMC_OP_NOP, 0, 0, 0, 0, 1),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved bit set in HALT (tile)", aimc_instr(AIMC_OP_HALT, 1, 0, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved field set in PROG (B)", aimc_instr(AIMC_OP_PROG, 0, 0, 0, 1, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved flag set in MVM (bit 3)", aimc_instr(AIMC_OP_MVM, 0, 1u << 3, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved bits set in MVM (C[15:4])",
		   aimc_instr(AIMC_OP_MVM, 0, 0, 0, 0, 1u << 4), AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved flag set in POST (bit 4)",
		   aimc_instr(AIMC_OP_POST, 0, 1u << 4, 0, 0, 0), AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "POST tfl with relu",
		   aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_TFL | AIMC_FLAG_RELU, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "POST tfl with raw",
		   aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_TFL | AIMC_FLAG_RAW, 0, 0, 0),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved field set in ACCADD (C)", aimc_instr(AIMC_OP_ACCADD, 0, 0, 0, 0, 1),
		   AIMC_CHIP_ERR_ILLEGAL);
	case_instr(&c, "reserved flag set in ACCADD (bit 1)",
		   aimc_instr(AIMC_OP_ACCADD, 0, 1u << 1, 0, 0, 0), AIMC_CHIP_ERR_ILLEGAL);

	/* BAD_TILE */
	if (cfg.num_tiles <= AIMC_INSTR_TILE_MASK) {
		case_instr(&c, "bad tile (MVM tile = num_tiles)",
			   aimc_instr(AIMC_OP_MVM, cfg.num_tiles, 0, 0, 0, 0), AIMC_CHIP_ERR_BAD_TILE);
		case_instr(&c, "bad tile (PROG tile = 15)", aimc_instr(AIMC_OP_PROG, 15, 0, 0, 0, 0),
			   AIMC_CHIP_ERR_BAD_TILE);
		case_instr(&c, "bad tile (ACCADD tile = num_tiles)",
			   aimc_instr(AIMC_OP_ACCADD, cfg.num_tiles, 0, 0, 0, 0),
			   tfl_code(&c, AIMC_CHIP_ERR_BAD_TILE));
	} else {
		cli_skip(&c.t, "bad tile", "every 4-bit tile number exists");
	}

	/* ADDR_RANGE */
	blk = cfg.rows * cfg.cols / 4u;
	if (past(cfg.wgt_depth, blk) <= AIMC_INSTR_A_MASK)
		case_instr(&c, "PROG weight address out of range",
			   aimc_instr(AIMC_OP_PROG, 0, 0, past(cfg.wgt_depth, blk), 0, 0),
			   AIMC_CHIP_ERR_ADDR_RANGE);
	else
		cli_skip(&c.t, "PROG weight address out of range", "the 16-bit address cannot reach it");
	case_instr(&c, "MVM input address out of range",
		   aimc_instr(AIMC_OP_MVM, 0, 0, past(cfg.act_depth, cfg.rows / 4u), 0, 0),
		   AIMC_CHIP_ERR_ADDR_RANGE);
	case_instr(&c, "POST output address out of range",
		   aimc_instr(AIMC_OP_POST, 0, 0, past(cfg.act_depth, cfg.cols / 4u), 0, 0),
		   AIMC_CHIP_ERR_ADDR_RANGE);
	case_instr(&c, "POST raw output address out of range",
		   aimc_instr(AIMC_OP_POST, 0, AIMC_FLAG_RAW, past(cfg.act_depth, cfg.cols), 0, 0),
		   AIMC_CHIP_ERR_ADDR_RANGE);
	case_instr(&c, "ACCADD address out of range (IN)",
		   aimc_instr(AIMC_OP_ACCADD, 0, 0, past(cfg.act_depth, cfg.cols), 0, 0),
		   tfl_code(&c, AIMC_CHIP_ERR_ADDR_RANGE));
	case_instr(&c, "ACCADD address out of range (OUT)",
		   aimc_instr(AIMC_OP_ACCADD, 0, AIMC_FLAG_FROM_OUT, past(cfg.act_depth, cfg.cols), 0, 0),
		   tfl_code(&c, AIMC_CHIP_ERR_ADDR_RANGE));
	case_instr(&c, "POST parameter address out of range",
		   aimc_instr(AIMC_OP_POST, 0, 0, 0, 0, past(cfg.par_depth, 3u * cfg.cols)),
		   AIMC_CHIP_ERR_ADDR_RANGE);
	/* The PC runs off the end: a NOP in the last entry, started there. */
	last = cfg.instr_depth - 1u;
	nop_words[0] = (uint32_t)nop;
	nop_words[1] = (uint32_t)(nop >> 32);
	rc = aimc_mem_write(&m, cli_win_instr(), 2u * last, nop_words, 2);
	if (rc == AIMC_OK) {
		start_and_wait(&c, last, &o);
		expect_error(&c, "PC runs past the instruction buffer", &o, AIMC_CHIP_ERR_ADDR_RANGE,
			     cfg.instr_depth);
	} else {
		cli_check(&c.t, 0, "PC runs past the instruction buffer", "writing the NOP: %s",
		       aimc_strerror(rc));
	}

	/* BAD_SLOT */
	case_instr(&c, "MVM bad slot (= acc_slots)",
		   aimc_instr(AIMC_OP_MVM, 0, 0, 0, cfg.acc_slots, 0), AIMC_CHIP_ERR_BAD_SLOT);
	case_instr(&c, "POST bad slot (= acc_slots)",
		   aimc_instr(AIMC_OP_POST, 0, 0, 0, cfg.acc_slots, 0), AIMC_CHIP_ERR_BAD_SLOT);
	case_instr(&c, "ACCADD bad slot (= acc_slots)",
		   aimc_instr(AIMC_OP_ACCADD, 0, 0, 0, cfg.acc_slots, 0),
		   tfl_code(&c, AIMC_CHIP_ERR_BAD_SLOT));

	/* BAD_PARAM */
	case_shift(&c, "POST shift 0", 0);
	case_shift(&c, "POST shift 63", 63);
	case_shift(&c, "POST shift with reserved bit 6 set", 0x41u);
	/* the highest reserved bit alone (isa_tfl = 0 reduces bits 31:6 to one flag per bank) */
	case_shift(&c, "POST shift with reserved bit 31 set", 0x80000001u);
	case_shift(&c, "POST shift with reserved bit 19 set", 0x00080001u);
	case_tfl(&c, "tfl POST e = 31", 31, -128, 127);
	case_tfl(&c, "tfl POST e = -32", -32, -128, 127);
	case_tfl(&c, "tfl POST lo > hi", 0, 1, 0);
	rc = write_params(&c, 1);
	cli_check(&c.t, rc == AIMC_OK, "valid parameters restored", "%s", aimc_strerror(rc));

	/* isa_tfl = 0: the feature bit and ACCADD / tfl POST with good operands */
	case_no_tfl(&c);

	good_program(&c);

	if (cli_backend_close(CMD, &be, &m, NULL) != AIMC_OK)
		cli_check(&c.t, 0, "replay log fully consumed", NULL);
	printf("illegal-test: %u passed, %u failed, %u skipped\n", c.t.pass, c.t.fail, c.t.skipped);
	return c.t.fail == 0 ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
}
