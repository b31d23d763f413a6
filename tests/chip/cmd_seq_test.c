/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test seq-test: directed chip programs for the multi-tile sequencer (docs/isa.md): COPY, JUMP,
 * nested LOOPs, two tiles computing at once, a producer/consumer hand-over through WAIT, the
 * TILE_CONFLICT cases (and the same-tile order that is not one), and the new checks (WAIT mask,
 * COPY range, LOOP counter); ISA 3: ACCADD's read window (Cols words at A) in the conflict rule. Expected values come from this file and OpenBLAS (tb/golden), never
 * from the C model, so running it on the cmodel and the verilator back-ends checks both. Every
 * error case is followed by a good program without reset. Needs an ideal config; with one tile the
 * two-tile programs are replaced by a COPY of a running POST (TILE_CONFLICT, or with
 * conflict_check = 0 a COPY that waits for the tile). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_regs.h"
#include "chip_test.h"
#include "golden.h"

#define CMD "seq-test"
#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define STIM_SALT 0x5345515445535421ull /* "SEQTEST!" */
#define POST_SHIFT 12u
#define POST_MULT 3
#define MAX_PROG 32

typedef struct st_ctx {
	aimc_mmio m;
	const aimc_cfg *cfg;
	uint32_t max_polls;
	int fails, checks;
	uint64_t rng;
} st_ctx;

static void help(void)
{
	printf("usage: aimc-test seq-test --config CFG [options]\n\n"
	       "Directed multi-tile sequencer programs (COPY, JUMP, LOOP, concurrent tiles, WAIT,\n"
	       "TILE_CONFLICT and the other checks) with independently computed expectations.\n"
	       "Needs an ideal config (one tile: a COPY of a running POST instead of two tiles).\n\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 pass, 1 fail, 2 usage or input error.\n");
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void check(st_ctx *c, int ok, const char *what, const char *fmt, uint64_t exp, uint64_t got)
{
	c->checks++;
	if (ok)
		return;
	c->fails++;
	printf("  FAIL %s: ", what);
	printf(fmt, (unsigned long long)exp, (unsigned long long)got);
	printf("\n");
}

static uint32_t rd(st_ctx *c, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	if (aimc_mmio_read32(&c->m, addr, &v) != AIMC_OK)
		check(c, 0, "bus read", "expected OKAY at 0x%llx, got an error %llu", addr, 0);
	return v;
}

/* Load prog at 0 and run it: returns the chip error code (0 on HALT), *pc the error PC. */
static uint32_t run_prog(st_ctx *c, const uint64_t *prog, size_t n, uint32_t *pc,
			 uint32_t *instrs)
{
	aimc_counters a, b, d;
	uint32_t code = 0, epc = 0;
	int rc;

	rc = aimc_prog_load(&c->m, c->cfg, prog, n);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(&c->m, &a);
	if (rc == AIMC_OK) {
		rc = aimc_run(&c->m, 0, c->max_polls, &code, &epc);
		if (rc == AIMC_ECHIP)
			rc = AIMC_OK;
	}
	if (rc == AIMC_OK)
		rc = aimc_counters_read(&c->m, &b);
	check(c, rc == AIMC_OK, "run", "expected the run to complete (%llu), got driver error %lld",
	      0, (uint64_t)(int64_t)rc);
	if (pc != NULL)
		*pc = epc;
	b.bits = c->cfg->counter_bits; /* cfg5.counter_cut, checked by aimc_chip_init */
	aimc_counters_delta(&a, &b, &d);
	if (instrs != NULL)
		*instrs = rc == AIMC_OK ? d.instrs : 0;
	return rc == AIMC_OK ? code : 0xFFu;
}

static void expect_stop(st_ctx *c, const char *what, const uint64_t *prog, size_t n, uint32_t code,
			uint32_t pc)
{
	uint32_t got_pc = 0, got = run_prog(c, prog, n, &got_pc, NULL), status;
	char w[160];

	snprintf(w, sizeof(w), "%s: err_code", what);
	check(c, got == code, w, "expected %llu, got %llu", code, got);
	if (code != AIMC_CHIP_ERR_NONE) {
		snprintf(w, sizeof(w), "%s: err_pc", what);
		check(c, got_pc == pc, w, "expected %llu, got %llu", pc, got_pc);
	}
	status = rd(c, CSR(status));
	snprintf(w, sizeof(w), "%s: status", what);
	check(c, status == (code ? AIMC_CSR__STATUS__ERROR_bm : AIMC_CSR__STATUS__HALTED_bm), w,
	      "expected 0x%llx, got 0x%llx",
	      code ? AIMC_CSR__STATUS__ERROR_bm : AIMC_CSR__STATUS__HALTED_bm, status);
}

static void wr_words(st_ctx *c, uint32_t win, uint32_t off, const uint32_t *w, size_t n)
{
	int rc = aimc_mem_write(&c->m, win, off, w, n);

	check(c, rc == AIMC_OK, "memory write", "expected %llu, got %lld", 0, (uint64_t)(int64_t)rc);
}

static void rd_words(st_ctx *c, uint32_t win, uint32_t off, uint32_t *w, size_t n)
{
	int rc = aimc_mem_read(&c->m, win, off, w, n);

	check(c, rc == AIMC_OK, "memory read", "expected %llu, got %lld", 0, (uint64_t)(int64_t)rc);
}

static uint32_t pack4(const int8_t *v)
{
	return (uint32_t)(uint8_t)v[0] | (uint32_t)(uint8_t)v[1] << 8 | (uint32_t)(uint8_t)v[2] << 16 |
	       (uint32_t)(uint8_t)v[3] << 24;
}

/* A random rows x cols block (w[o*rows + i], output o, input i) at weight word `base`, and its
 * parameters (b, M, S per column) at parameter word `pbase`. */
static void put_layer(st_ctx *c, int8_t *w, int32_t *bias, uint32_t base, uint32_t pbase)
{
	const uint32_t rows = c->cfg->rows, cols = c->cfg->cols;
	uint32_t *img = calloc((size_t)rows * cols / 4u, sizeof(*img));
	uint32_t *par = calloc(3u * cols, sizeof(*par));
	uint32_t r, o;

	if (img == NULL || par == NULL) {
		check(c, 0, "memory", "expected %llu, got %llu", 0, 1);
		goto out;
	}
	for (o = 0; o < cols; o++) {
		for (r = 0; r < rows; r++)
			w[o * rows + r] = (int8_t)((int32_t)(rng_next(&c->rng) % 255u) - 127);
		bias[o] = (int32_t)(rng_next(&c->rng) % 201u) - 100;
		par[3 * o] = (uint32_t)bias[o];
		par[3 * o + 1] = POST_MULT;
		par[3 * o + 2] = POST_SHIFT;
	}
	for (r = 0; r < rows; r++)
		for (o = 0; o < cols; o++) {
			uint32_t byte = r * cols + o;

			img[byte / 4u] |= (uint32_t)(uint8_t)w[o * rows + r] << (8u * (byte % 4u));
		}
	wr_words(c, cli_win_weight(), base, img, (size_t)rows * cols / 4u);
	wr_words(c, cli_win_param(), pbase, par, 3u * cols);
out:
	free(img);
	free(par);
}

static void zero_act(st_ctx *c)
{
	uint32_t *z = calloc(c->cfg->act_depth, sizeof(*z));

	if (z == NULL)
		return;
	wr_words(c, cli_win_act_in(), 0, z, c->cfg->act_depth);
	wr_words(c, cli_win_act_out(), 0, z, c->cfg->act_depth);
	free(z);
}

#define I aimc_instr
#define HALT I(AIMC_OP_HALT, 0, 0, 0, 0, 0)
#define NOP I(AIMC_OP_NOP, 0, 0, 0, 0, 0)
#define N(p) (sizeof(p) / sizeof((p)[0]))

static void test_copy(st_ctx *c)
{
	uint32_t src[8], got[8], i;
	const uint64_t prog[] = {
		I(AIMC_OP_COPY, 0, AIMC_FLAG_TO_OUT, 100, 0, 8),    /* OUT[100..107] = IN[0..7] */
		I(AIMC_OP_COPY, 0, AIMC_FLAG_FROM_OUT, 200, 102, 5), /* IN[200..204] = OUT[102..106] */
		I(AIMC_OP_COPY, 0, 0, c->cfg->act_depth >= 1024 ? 300 : c->cfg->act_depth - 1, 0, 0),
		/* zero words: nothing */
		HALT
	};

	for (i = 0; i < 8; i++)
		src[i] = (uint32_t)rng_next(&c->rng);
	wr_words(c, cli_win_act_in(), 0, src, 8);
	expect_stop(c, "copy", prog, N(prog), AIMC_CHIP_ERR_NONE, 0);
	rd_words(c, cli_win_act_out(), 100, got, 8);
	for (i = 0; i < 8; i++)
		check(c, got[i] == src[i], "copy IN -> OUT", "expected 0x%llx, got 0x%llx", src[i],
		      got[i]);
	rd_words(c, cli_win_act_in(), 200, got, 6);
	for (i = 0; i < 5; i++)
		check(c, got[i] == src[i + 2], "copy OUT -> IN", "expected 0x%llx, got 0x%llx",
		      src[i + 2], got[i]);
	check(c, got[5] == 0, "copy stops after C words", "expected 0x%llx, got 0x%llx", 0, got[5]);
}

static void test_jump_loop(st_ctx *c)
{
	const uint64_t prog[] = {
		NOP,                                  /* 0: runs 5 times */
		I(AIMC_OP_LOOP, 0, 0, 0, 0, 4),       /* 1: back to 0 while counter 0 < 4 */
		I(AIMC_OP_JUMP, 0, 0, 4, 0, 0),       /* 2 */
		I(15, 0, 0, 0, 0, 0),                 /* 3: skipped (would be ILLEGAL) */
		NOP,                                  /* 4: inner body */
		I(AIMC_OP_LOOP, 0, 0, 4, 1, 2),       /* 5: inner, 3 passes, counter 1 re-armed */
		I(AIMC_OP_LOOP, 0, 0, 4, 2, 1),       /* 6: outer, 2 passes */
		HALT                                  /* 7 */
	};
	uint32_t instrs = 0, pc = 0, code;

	code = run_prog(c, prog, N(prog), &pc, &instrs);
	check(c, code == 0, "jump/loop: halts", "expected err %llu, got %llu", 0, code);
	/* 5 x (NOP, LOOP) + JUMP + 2 x (3 x (NOP, LOOP) + LOOP) + HALT */
	check(c, instrs == 10 + 1 + 14 + 1, "jump/loop: instructions", "expected %llu, got %llu", 26,
	      instrs);
	/* A second run starts with cleared loop counters: the same count again. */
	code = run_prog(c, prog, N(prog), &pc, &instrs);
	check(c, code == 0 && instrs == 26, "jump/loop: counters cleared by start",
	      "expected %llu instructions, got %llu", 26, instrs);
}

/* Tiles 0 and 1 in parallel on the same input, then tile 1 consumes tile 0's int8 output after a
 * WAIT. Results vs OpenBLAS and the post formula. */
static void test_two_tiles(st_ctx *c)
{
	const uint32_t rows = c->cfg->rows, cols = c->cfg->cols, blk = rows * cols / 4u;
	const uint32_t in_w = rows / 4u, y_at = 64, raw0 = 0, raw1 = 256, raw2 = 512;
	int8_t *w0 = malloc((size_t)rows * cols), *w1 = malloc((size_t)rows * cols);
	int8_t *x = calloc(rows, 1), *x2 = calloc(rows, 1), y0[1024];
	int32_t b0[1024], b1[1024], acc[1024], acc2[1024];
	uint32_t *xw = calloc(in_w, sizeof(*xw)), got[1024], i;
	const uint64_t prog[] = {
		I(AIMC_OP_PROG, 0, 0, 0, 0, 0),
		I(AIMC_OP_PROG, 1, 0, blk, 0, 0),
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_MVM, 1, 0, 0, 0, 0), /* both tiles read IN[0..]: no conflict */
		I(AIMC_OP_POST, 0, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, raw0, 0, 0),
		I(AIMC_OP_POST, 1, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, raw1, 0, 3 * cols),
		I(AIMC_OP_POST, 0, 0, y_at, 0, 0), /* int8 y0 to IN[64..] */
		I(AIMC_OP_WAIT, 0, 0, 0, 0, 1),    /* tile 0 done: y0 is readable by tile 1 */
		I(AIMC_OP_MVM, 1, 0, y_at, 1, 0),
		I(AIMC_OP_POST, 1, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, raw2, 1, 3 * cols),
		HALT
	};

	if (w0 == NULL || w1 == NULL || x == NULL || x2 == NULL || xw == NULL || cols > 1024 ||
	    y_at + in_w > c->cfg->act_depth || raw2 + cols > c->cfg->act_depth) {
		check(c, 0, "two tiles: setup fits", "expected %llu, got %llu", 0, 1);
		goto out;
	}
	zero_act(c);
	put_layer(c, w0, b0, 0, 0);
	put_layer(c, w1, b1, blk, 3 * cols);
	for (i = 0; i < rows; i++)
		x[i] = (int8_t)((int32_t)(rng_next(&c->rng) % 255u) - 127);
	for (i = 0; i < in_w; i++)
		xw[i] = pack4(&x[4 * i]);
	wr_words(c, cli_win_act_in(), 0, xw, in_w);
	expect_stop(c, "two tiles", prog, N(prog), AIMC_CHIP_ERR_NONE, 0);

	aimc_golden_fc_acc(w0, b0, cols, rows, x, 1, acc, NULL);
	rd_words(c, cli_win_act_out(), raw0, got, cols);
	for (i = 0; i < cols; i++)
		check(c, (int32_t)got[i] == acc[i], "two tiles: tile 0 RAW", "expected %lld, got %lld",
		      (uint64_t)(int64_t)acc[i], (uint64_t)(int64_t)(int32_t)got[i]);
	for (i = 0; i < cols; i++)
		y0[i] = aimc_golden_post(acc[i], POST_MULT, POST_SHIFT, 0);
	aimc_golden_fc_acc(w1, b1, cols, rows, x, 1, acc2, NULL);
	rd_words(c, cli_win_act_out(), raw1, got, cols);
	for (i = 0; i < cols; i++)
		check(c, (int32_t)got[i] == acc2[i], "two tiles: tile 1 RAW", "expected %lld, got %lld",
		      (uint64_t)(int64_t)acc2[i], (uint64_t)(int64_t)(int32_t)got[i]);
	/* Tile 1 on y0: its first cols inputs, zero beyond (the host zeroed IN). */
	memcpy(x2, y0, cols < rows ? cols : rows);
	aimc_golden_fc_acc(w1, b1, cols, rows, x2, 1, acc2, NULL);
	rd_words(c, cli_win_act_out(), raw2, got, cols);
	for (i = 0; i < cols; i++)
		check(c, (int32_t)got[i] == acc2[i], "two tiles: tile 1 after WAIT on tile 0",
		      "expected %lld, got %lld", (uint64_t)(int64_t)acc2[i],
		      (uint64_t)(int64_t)(int32_t)got[i]);
out:
	free(w0);
	free(w1);
	free(x);
	free(x2);
	free(xw);
}

/* One tile: a COPY of what the tile's POST is still writing. With the conflict check it stops with
 * TILE_CONFLICT; without it (conflict_check = 0) the COPY waits until the tile is idle and copies the
 * finished RAW results. After a WAIT both configs copy them. */
static void test_one_tile(st_ctx *c)
{
	const uint32_t rows = c->cfg->rows, cols = c->cfg->cols, in_w = rows / 4u;
	const uint32_t raw0 = 16, cp_at = 16 + in_w;
	int8_t *w0 = malloc((size_t)rows * cols), *x = calloc(rows, 1);
	int32_t b0[1024], acc[1024];
	uint32_t *xw = calloc(in_w, sizeof(*xw)), got[1024], i, pass;
	const uint64_t nowait[] = {
		I(AIMC_OP_PROG, 0, 0, 0, 0, 0),
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_POST, 0, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, raw0, 0, 0),
		I(AIMC_OP_COPY, 0, AIMC_FLAG_FROM_OUT, cp_at, raw0, cols), /* OUT[raw0..] -> IN[cp_at..] */
		HALT
	};
	const uint64_t waited[] = {
		I(AIMC_OP_PROG, 0, 0, 0, 0, 0),
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_POST, 0, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, raw0, 0, 0),
		I(AIMC_OP_WAIT, 0, 0, 0, 0, 1),
		I(AIMC_OP_COPY, 0, AIMC_FLAG_FROM_OUT, cp_at, raw0, cols),
		HALT
	};

	if (w0 == NULL || x == NULL || xw == NULL || cols > 1024 || raw0 + cols > c->cfg->act_depth ||
	    cp_at + cols > c->cfg->act_depth) {
		check(c, 0, "one tile: setup fits", "expected %llu, got %llu", 0, 1);
		goto out;
	}
	put_layer(c, w0, b0, 0, 0);
	for (i = 0; i < rows; i++)
		x[i] = (int8_t)((int32_t)(rng_next(&c->rng) % 255u) - 127);
	for (i = 0; i < in_w; i++)
		xw[i] = pack4(&x[4 * i]);
	aimc_golden_fc_acc(w0, b0, cols, rows, x, 1, acc, NULL);
	for (pass = 0; pass < 2; pass++) {
		const int conflict = pass == 0 && c->cfg->conflict_check;

		zero_act(c);
		wr_words(c, cli_win_act_in(), 0, xw, in_w);
		if (pass == 0)
			expect_stop(c, conflict ? "COPY of a running POST (TILE_CONFLICT)"
						: "COPY of a running POST (waits for the tile)",
				    nowait, N(nowait), conflict ? AIMC_CHIP_ERR_TILE_CONFLICT : 0, 3);
		else
			expect_stop(c, "COPY after WAIT", waited, N(waited), AIMC_CHIP_ERR_NONE, 0);
		if (conflict)
			continue;
		rd_words(c, cli_win_act_in(), cp_at, got, cols);
		for (i = 0; i < cols; i++)
			check(c, (int32_t)got[i] == acc[i],
			      pass == 0 ? "one tile: COPY sees the finished POST" : "one tile: COPY after WAIT",
			      "expected %lld, got %lld", (uint64_t)(int64_t)acc[i],
			      (uint64_t)(int64_t)(int32_t)got[i]);
	}
out:
	free(w0);
	free(x);
	free(xw);
}

static void test_errors(st_ctx *c)
{
	const uint32_t cols = c->cfg->cols, nt = c->cfg->num_tiles;
	/* RAW: tile 1 reads what tile 0 writes, no WAIT between. */
	const uint64_t raw_hz[] = {
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_POST, 0, AIMC_FLAG_DST_OUT, 8, 0, 0),
		NOP,
		I(AIMC_OP_MVM, 1, AIMC_FLAG_SRC_OUT, 8 - c->cfg->rows / 4u + 1u, 0, 0),
		HALT
	};
	/* WAR: tile 1 writes words tile 0 reads. */
	const uint64_t war_hz[] = {
		I(AIMC_OP_MVM, 0, 0, 16, 0, 0),
		I(AIMC_OP_POST, 1, 0, 16 + c->cfg->rows / 4u - 1u, 0, 0),
		HALT
	};
	/* WAW through COPY into a POST's destination. */
	const uint64_t waw_hz[] = {
		I(AIMC_OP_MVM, 1, 0, 0, 0, 0),
		I(AIMC_OP_POST, 1, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 40, 0, 0),
		I(AIMC_OP_COPY, 0, AIMC_FLAG_TO_OUT, 40 + cols - 1, 0, 1),
		HALT
	};
	/* The same hazards with the WAIT they need, and on one tile (in order): all fine. */
	const uint64_t synced[] = {
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_POST, 0, AIMC_FLAG_DST_OUT, 8, 0, 0),
		I(AIMC_OP_MVM, 0, AIMC_FLAG_SRC_OUT, 8, 1, 0), /* same tile: no conflict */
		I(AIMC_OP_WAIT, 0, 0, 0, 0, 1),
		I(AIMC_OP_MVM, 1, AIMC_FLAG_SRC_OUT, 8, 0, 0),
		I(AIMC_OP_POST, 1, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 40, 0, 0),
		I(AIMC_OP_WAIT, 0, 0, 0, 0, 2),
		I(AIMC_OP_COPY, 0, AIMC_FLAG_TO_OUT, 40 + cols - 1, 0, 1),
		HALT
	};
	/* ACCADD reads Cols words: tile 1 adds what tile 0's raw POST is still writing (its last
	 * word), tile 1 writes into what tile 0's ACCADD reads, and both with the WAIT they need */
	const uint64_t acc_raw_hz[] = {
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_POST, 0, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 40, 0, 0),
		I(AIMC_OP_ACCADD, 1, AIMC_FLAG_FROM_OUT, 40 + cols - 1, 0, 0),
		HALT
	};
	const uint64_t acc_war_hz[] = {
		I(AIMC_OP_ACCADD, 0, AIMC_FLAG_FROM_OUT, 100, 0, 0),
		I(AIMC_OP_MVM, 1, 0, 0, 0, 0),
		I(AIMC_OP_POST, 1, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 100 + cols - 1, 0, 0),
		HALT
	};
	const uint64_t acc_synced[] = {
		I(AIMC_OP_MVM, 0, 0, 0, 0, 0),
		I(AIMC_OP_POST, 0, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 40, 0, 0),
		I(AIMC_OP_ACCADD, 0, AIMC_FLAG_FROM_OUT, 40, 0, 0), /* same tile: in order */
		I(AIMC_OP_WAIT, 0, 0, 0, 0, 1),
		I(AIMC_OP_ACCADD, 1, AIMC_FLAG_FROM_OUT, 40, 0, 0),
		I(AIMC_OP_ACCADD, 1, AIMC_FLAG_FROM_OUT, 40 + cols, 1, 0), /* past the POST's words */
		HALT
	};
	/* COPY (another tile for every tile) into the words an ACCADD is reading */
	const uint64_t acc_copy_hz[] = {
		I(AIMC_OP_ACCADD, nt - 1, 0, 200, 0, 0),
		I(AIMC_OP_COPY, 0, 0, 200 + cols - 1, 0, 1),
		HALT
	};
	const uint64_t wait_bad[] = { NOP, I(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << nt), HALT };
	const uint64_t copy_range[] = { I(AIMC_OP_COPY, 0, 0, c->cfg->act_depth - 3u, 0, 4), HALT };
	const uint64_t loop_bad[] = { NOP, NOP, I(AIMC_OP_LOOP, 0, 0, 0, 4, 1), HALT };
	const uint64_t wait_flag[] = { I(AIMC_OP_WAIT, 0, 1, 0, 0, 1), HALT };
	const uint64_t jump_far[] = { I(AIMC_OP_JUMP, 0, 0, c->cfg->instr_depth, 0, 0), HALT };
	const uint64_t good[] = { NOP, HALT };

	if (nt >= 2) { /* hazards across tiles */
		expect_stop(c, "RAW hazard across tiles", raw_hz, N(raw_hz),
			    AIMC_CHIP_ERR_TILE_CONFLICT, 3);
		expect_stop(c, "good program after TILE_CONFLICT", good, N(good), AIMC_CHIP_ERR_NONE, 0);
		expect_stop(c, "WAR hazard across tiles", war_hz, N(war_hz),
			    AIMC_CHIP_ERR_TILE_CONFLICT, 1);
		expect_stop(c, "COPY into a POST destination", waw_hz, N(waw_hz),
			    AIMC_CHIP_ERR_TILE_CONFLICT, 2);
		expect_stop(c, "hazards with WAIT / on one tile", synced, N(synced), AIMC_CHIP_ERR_NONE,
			    0);
	}
	if (nt >= 2 && c->cfg->isa_tfl) {
		expect_stop(c, "ACCADD of words another tile's POST writes", acc_raw_hz,
			    N(acc_raw_hz), AIMC_CHIP_ERR_TILE_CONFLICT, 2);
		expect_stop(c, "POST into words another tile's ACCADD reads", acc_war_hz,
			    N(acc_war_hz), AIMC_CHIP_ERR_TILE_CONFLICT, 2);
		expect_stop(c, "ACCADD hazards with WAIT / on one tile", acc_synced, N(acc_synced),
			    AIMC_CHIP_ERR_NONE, 0);
	}
	if (!c->cfg->isa_tfl) /* no ACCADD (isa_tfl = 0): the program stops at it */
		expect_stop(c, "ACCADD without isa_tfl (ILLEGAL)", acc_copy_hz, N(acc_copy_hz),
			    AIMC_CHIP_ERR_ILLEGAL, 0);
	else
		expect_stop(c, c->cfg->conflict_check ? "COPY into an ACCADD's words (TILE_CONFLICT)"
						      : "COPY into an ACCADD's words (waits for the tile)",
			    acc_copy_hz, N(acc_copy_hz),
			    c->cfg->conflict_check ? AIMC_CHIP_ERR_TILE_CONFLICT : AIMC_CHIP_ERR_NONE, 1);
	if (nt < 16)
		expect_stop(c, "WAIT on a tile past num_tiles", wait_bad, N(wait_bad),
			    AIMC_CHIP_ERR_BAD_TILE, 1);
	expect_stop(c, "COPY past the activation buffer", copy_range, N(copy_range),
		    AIMC_CHIP_ERR_ADDR_RANGE, 0);
	expect_stop(c, "LOOP counter 4", loop_bad, N(loop_bad), AIMC_CHIP_ERR_ILLEGAL, 2);
	expect_stop(c, "WAIT with a flag", wait_flag, N(wait_flag), AIMC_CHIP_ERR_ILLEGAL, 0);
	if (c->cfg->instr_depth <= 0xFFFFu)
		expect_stop(c, "JUMP past the program", jump_far, N(jump_far),
			    AIMC_CHIP_ERR_ADDR_RANGE, c->cfg->instr_depth);
	expect_stop(c, "good program at the end", good, N(good), AIMC_CHIP_ERR_NONE, 0);
}

int cli_cmd_seq_test(int argc, char **argv)
{
	cli_backend_opts be;
	aimc_cfg cfg;
	st_ctx c;
	aimc_image img;
	uint64_t prog[MAX_PROG];
	int i, r, rc, exit_code = CLI_EXIT_FAIL;

	cli_backend_defaults(&be);
	for (i = 1; i < argc; i++) {
		r = cli_backend_flag(CMD, &be, argc, argv, &i);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help();
			return CLI_EXIT_PASS;
		}
		return cli_usage_error(CMD, "unknown argument '%s'", argv[i]);
	}
	if (cli_backend_check(CMD, &be) != 0)
		return CLI_EXIT_USAGE;
	if (cli_load_config(CMD, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (!aimc_cfg_is_ideal(&cfg) || cfg.act_depth < (cfg.num_tiles >= 2 ? 1024u : 256u) ||
	    cfg.acc_slots < 2 || cfg.par_depth < 6 * cfg.cols || cfg.wgt_depth < cfg.rows * cfg.cols / 2)
		return cli_usage_error(CMD, "config %s: needs an ideal config with 2+ slots, act_depth "
				       ">= 1024 (2+ tiles) or 256 (one tile) and room for two weight "
				       "blocks",
				       cfg.name);
	memset(&c, 0, sizeof(c));
	c.cfg = &cfg;
	c.rng = be.seed ^ STIM_SALT;
	/* Poll bound: a program of MAX_PROG MVMs and PROGs, generously. */
	for (i = 0; i < MAX_PROG; i++)
		prog[i] = aimc_instr(i % 2 ? AIMC_OP_MVM : AIMC_OP_PROG, 0, 0, 0, 0, 0);
	memset(&img, 0, sizeof(img));
	img.prog = prog;
	img.n_prog = MAX_PROG;
	c.max_polls = be.max_polls ? be.max_polls : cli_max_polls(&cfg, &img);
	printf("seq-test: config %s, back-end %s, seed %llu\n", cfg.name, be.backend,
	       (unsigned long long)be.seed);
	rc = cli_backend_open(CMD, &be, &cfg, &c.m);
	if (rc != AIMC_OK)
		return CLI_EXIT_FAIL;
	rc = aimc_chip_init(&c.m, &cfg);
	check(&c, rc == AIMC_OK, "aimc_chip_init", "expected %llu, got %lld", 0, (uint64_t)(int64_t)rc);
	if (rc == AIMC_OK) {
		test_copy(&c);
		test_jump_loop(&c);
		if (cfg.num_tiles >= 2)
			test_two_tiles(&c);
		else
			test_one_tile(&c);
		test_errors(&c);
	}
	rc = cli_backend_close(CMD, &be, &c.m, NULL);
	check(&c, rc == AIMC_OK, "back-end close (replay log consumed)", "expected %llu, got %lld", 0,
	      (uint64_t)(int64_t)rc);
	printf("seq-test: %d checks, %d failed: %s\n", c.checks, c.fails, c.fails ? "FAIL" : "PASS");
	if (c.fails)
		printf("rerun: aimc-test seq-test --config %s --seed %llu --backend %s\n", be.config,
		       (unsigned long long)be.seed, be.backend);
	exit_code = c.fails ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
	return exit_code;
}
