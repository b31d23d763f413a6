/* SPDX-License-Identifier: Apache-2.0 */
/* Compiler: the exact program, weight blocks and parameters of a small layer against the layout
 * written out by hand from the spec; every fit limit with its message; and multi-layer networks
 * run on the C model (ideal tiny config) against the golden int8 forward pass and the conversion
 * count implied by zero-padded inputs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_regs.h"
#include "golden.h"

#define WIN(w) ((uint32_t)offsetof(aimc_map_t, w))

static int failures;

static void result(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(" (seed none)");
		failures++;
	}
	printf("\n");
}

/* A layer with deterministic contents: w = ((o*31 + i*17 + salt) % 255) - 127. */
static int make_layer(aimc_layer *l, uint32_t k, uint32_t n, uint32_t salt, uint32_t relu)
{
	uint32_t o, i;

	memset(l, 0, sizeof(*l));
	l->k = k;
	l->n = n;
	l->relu = relu;
	l->w = malloc((size_t)k * n);
	l->bias = malloc(n * sizeof(*l->bias));
	l->mult = malloc(n * sizeof(*l->mult));
	l->shift = malloc(n);
	if (l->w == NULL || l->bias == NULL || l->mult == NULL || l->shift == NULL)
		return -1;
	for (o = 0; o < n; o++) {
		for (i = 0; i < k; i++)
			l->w[o * k + i] = (int8_t)((int)((o * 31u + i * 17u + salt) % 255u) - 127);
		l->bias[o] = (int32_t)((o * 977u + salt) % 4001u) - 2000;
		l->mult[o] = (int32_t)(3u + (o + salt) % 5u);
		l->shift[o] = (uint8_t)(9u + (o + salt) % 4u);
	}
	return 0;
}

static void free_layer(aimc_layer *l)
{
	free(l->w);
	free(l->bias);
	free(l->mult);
	free(l->shift);
}

static int8_t wbyte(const aimc_image *img, uint32_t word, uint32_t byte)
{
	return (int8_t)(uint8_t)(img->wgt[word + byte / 4] >> (8 * (byte % 4)));
}

/* K = 20, N = 10 on tiny (16 x 8), batch 2: 2 row blocks, 2 column blocks, stride 8 words. */
static void test_layout(const aimc_cfg *cfg)
{
	aimc_layer l;
	aimc_net net = { 1, 10, 1.0f, &l };
	aimc_image img;
	char err[256];
	uint64_t exp[25];
	size_t n = 0, i;
	int rc, ok;

	if (make_layer(&l, 20, 10, 0, 1) != 0)
		return;
	l.adc_shift = 5;
	rc = aimc_compile_ex(&net, cfg, 2, AIMC_COMPILE_RAW, &img, err, sizeof(err));
	result(rc == AIMC_OK, "compile K=20 N=10 batch 2 with RAW", "%s", err);
	if (rc != AIMC_OK)
		goto out;

	/* The program of the spec, written out: block (cb, rb) at word 32 * (2 cb + rb);
	 * params of cb at 24 cb; vector b at 8 b; RAW at 16 + 16 b + 8 cb. */
#define I(op, fl, a, b, c) (exp[n++] = aimc_instr(AIMC_OP_##op, 0, (fl), (a), (b), (c)))
	I(PROG, 0, 0, 0, 0);
	I(MVM, 0, 0, 0, 5);
	I(MVM, 0, 8, 1, 5);
	I(PROG, 0, 32, 0, 0);
	I(MVM, AIMC_FLAG_ACC, 4, 0, 5);
	I(MVM, AIMC_FLAG_ACC, 12, 1, 5);
	I(POST, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 16, 0, 0);
	I(POST, AIMC_FLAG_RELU | AIMC_FLAG_DST_OUT, 0, 0, 0);
	I(POST, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 32, 1, 0);
	I(POST, AIMC_FLAG_RELU | AIMC_FLAG_DST_OUT, 8, 1, 0);
	I(PROG, 0, 64, 0, 0);
	I(MVM, 0, 0, 0, 5);
	I(MVM, 0, 8, 1, 5);
	I(PROG, 0, 96, 0, 0);
	I(MVM, AIMC_FLAG_ACC, 4, 0, 5);
	I(MVM, AIMC_FLAG_ACC, 12, 1, 5);
	I(POST, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 24, 0, 24);
	I(POST, AIMC_FLAG_RELU | AIMC_FLAG_DST_OUT, 2, 0, 24);
	I(POST, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, 40, 1, 24);
	I(POST, AIMC_FLAG_RELU | AIMC_FLAG_DST_OUT, 10, 1, 24);
	I(HALT, 0, 0, 0, 0);
#undef I
	for (i = 0; i < n && i < img.n_prog && img.prog[i] == exp[i]; i++)
		;
	result(img.n_prog == n && i == n, "program equals the spec's layout",
	       "%zu instructions (expected %zu), first difference at %zu: 0x%016llx, expected "
	       "0x%016llx", img.n_prog, n, i, (unsigned long long)(i < img.n_prog ? img.prog[i] : 0),
	       (unsigned long long)(i < n ? exp[i] : 0));
	result(img.n_wgt == 128 && img.n_par == 48, "image sizes: 4 blocks of 32 words, 2 x 24 params",
	       "n_wgt %zu, n_par %zu", img.n_wgt, img.n_par);
	result(img.batch == 2 && img.in_base == 0 && img.in_stride == 8 && img.out_sel == 1 &&
		       img.out_base == 0 && img.out_stride == 8 && img.raw_base == 16 &&
		       img.raw_stride == 16 && img.act_words == 16,
	       "image addresses", "batch %u in %u/%u out_sel %u out %u/%u raw %u/%u act_words %u",
	       img.batch, img.in_base, img.in_stride, img.out_sel, img.out_base, img.out_stride,
	       img.raw_base, img.raw_stride, img.act_words);
	/* Byte r*8 + c of block (cb, rb) is W[8 cb + c][16 rb + r], zero outside 10 x 20. */
	result(wbyte(&img, 0, 0) == l.w[0] && wbyte(&img, 0, 8 * 3 + 5) == l.w[5 * 20 + 3] &&
		       wbyte(&img, 32, 8 * 2 + 7) == l.w[7 * 20 + 18] &&
		       wbyte(&img, 96, 8 * 3 + 1) == l.w[9 * 20 + 19] && wbyte(&img, 96, 8 * 4 + 1) == 0 &&
		       wbyte(&img, 96, 8 * 3 + 2) == 0 && wbyte(&img, 64, 8 * 15 + 7) == 0 &&
		       wbyte(&img, 64, 8 * 0 + 1) == l.w[9 * 20 + 0],
	       "weight blocks: row-major Rows x Cols, zero outside the matrix", "byte mismatch");
	ok = 1;
	for (i = 2; i < 8; i++) /* padded columns 10..15 of cb 1: b 0, M 0, S 1 */
		ok = ok && img.par[24 + 3 * i] == 0 && img.par[24 + 3 * i + 1] == 0 &&
		     img.par[24 + 3 * i + 2] == 1;
	result(ok && img.par[3 * 4] == (uint32_t)l.bias[4] && img.par[3 * 4 + 1] == (uint32_t)l.mult[4] &&
		       img.par[3 * 4 + 2] == l.shift[4] && img.par[24 + 3] == (uint32_t)l.bias[9],
	       "parameters: b, M, S per column, padded columns 0, 0, 1", "parameter mismatch");
	aimc_image_free(&img);
	result(img.prog == NULL && img.n_prog == 0, "aimc_image_free clears the image", "not cleared");
out:
	free_layer(&l);
}

/* Compile and expect code with every substring of want in the message. */
static void expect_fail(const char *name, const aimc_net *net, const aimc_cfg *cfg, uint32_t batch,
			int code, const char *w1, const char *w2)
{
	aimc_image img;
	char err[512] = "";
	int rc = aimc_compile(net, cfg, batch, &img, err, sizeof(err));

	if (rc == AIMC_OK)
		aimc_image_free(&img);
	result(rc == code && strstr(err, w1) != NULL && (w2 == NULL || strstr(err, w2) != NULL) &&
		       img.prog == NULL,
	       name, "rc %d (expected %d), message '%s' (wanted '%s', '%s')", rc, code, err, w1,
	       w2 != NULL ? w2 : "");
	if (rc == code)
		printf("     (%s)\n", err);
}

static void test_limits(const aimc_cfg *tiny)
{
	aimc_layer l[2];
	aimc_net net = { 2, 30, 1.0f, l };
	aimc_net one = { 1, 40, 1.0f, l };
	aimc_cfg c;

	if (make_layer(&l[0], 50, 40, 1, 1) != 0 || make_layer(&l[1], 40, 30, 2, 0) != 0)
		return;
	/* Weights: layer 0 has 4 x 5 blocks, layer 1 3 x 4 blocks, 32 words each: 640 + 384. */
	c = *tiny;
	c.wgt_depth = 1000;
	expect_fail("weights do not fit", &net, &c, 1, AIMC_EFIT, "layer 1 (K=40, N=30)",
		    "weights need 1024 words");
	c = *tiny;
	c.acc_slots = 3;
	expect_fail("batch above acc_slots", &net, &c, 4, AIMC_EFIT, "batch 4 needs 4 accumulator",
		    "has 3");
	/* Parameters: 3 x 8 words per column block: layer 0 5 blocks = 120, layer 1 4 = 96. */
	c = *tiny;
	c.par_depth = 200;
	expect_fail("parameters do not fit", &net, &c, 1, AIMC_EFIT, "layer 1 (K=40, N=30)",
		    "parameters need 216 words");
	/* Instructions at batch 2: layer 0 5 x (4 x 3 + 2) = 70, layer 1 4 x (3 x 3 + 2) = 44, + HALT. */
	c = *tiny;
	c.instr_depth = 100;
	expect_fail("program does not fit", &net, &c, 2, AIMC_EFIT, "layer 1 (K=40, N=30)",
		    "needs 115 instructions");
	/* Activations: stride = max(64, 40 padded) bytes = 16 words; batch 16 x 16 = 256. */
	c = *tiny;
	c.act_depth = 200;
	expect_fail("activations do not fit", &net, &c, 16, AIMC_EFIT, "activations need 256 words",
		    "activation buffer has 200");
	expect_fail("batch 0", &net, tiny, 0, AIMC_EINVAL, "batch", NULL);
	l[0].w[7] = -128;
	expect_fail("weight -128", &one, tiny, 1, AIMC_ERANGE, "layer 0", "-128");
	l[0].w[7] = 1;
	l[1].shift[3] = 63;
	expect_fail("shift 63", &net, tiny, 1, AIMC_ERANGE, "layer 1", "shift[3]");
	l[1].shift[3] = 10;
	l[1].k = 39;
	expect_fail("K differs from the previous N", &net, tiny, 1, AIMC_EINVAL, "layer 1", "K=39");
	l[1].k = 40;
	expect_fail("NULL net", NULL, tiny, 1, AIMC_EINVAL, "NULL", NULL);
	free_layer(&l[0]);
	free_layer(&l[1]);
}

/* Compile net, check its POST count (expect_posts in all, expect_zero of them zero blocks), run
 * two batches on the C model and compare the second with the golden int8 chain. */
static void run_net(const char *name, const aimc_net *net, const aimc_cfg *cfg, uint32_t batch,
		    uint32_t expect_posts, uint32_t expect_zero)
{
	aimc_image img;
	aimc_mmio m = { NULL, NULL };
	aimc_counters c0, c1;
	char err[256];
	uint32_t k0 = net->layers[0].k, nc = net->n_classes, li, b, i, r, posts = 0, zero_posts = 0;
	uint32_t stride_bytes, max_k = 0;
	uint64_t phases = 0, par_words = 0;
	int8_t *x = NULL, *cur = NULL, *nxt = NULL, *seg = NULL;
	int32_t *acc = NULL;
	uint32_t *words = NULL;
	int rc, ok = 1;

	rc = aimc_compile(net, cfg, batch, &img, err, sizeof(err));
	if (rc != AIMC_OK) {
		result(0, name, "compile: %s", err);
		return;
	}
	for (li = 0; li < net->n_layers; li++)
		par_words += 3ull * cfg->cols * ((net->layers[li].n + cfg->cols - 1) / cfg->cols);
	/* A zero block is one more set of Cols parameters at the end: b 0, M 0, S 1. */
	if (expect_zero > 0)
		par_words += 3ull * cfg->cols;
	result(img.n_par == par_words, "parameter words (with a zero block only if needed)",
	       "%s: %zu, expected %llu", name, img.n_par, (unsigned long long)par_words);
	for (i = 0; i < img.n_prog; i++) {
		uint64_t in = img.prog[i];

		if (((in >> AIMC_INSTR_OP_LSB) & AIMC_INSTR_OP_MASK) != AIMC_OP_POST)
			continue;
		posts++;
		if (expect_zero > 0 && (in & AIMC_INSTR_C_MASK) == img.n_par - 3u * cfg->cols)
			zero_posts++;
	}
	result(posts == expect_posts && zero_posts == expect_zero,
	       "POSTs, with zero blocks where stale data is possible", "%s: %u POSTs, %u zero "
	       "(expected %u, %u)", name, posts, zero_posts, expect_posts, expect_zero);
	for (li = 0; li < net->n_layers; li++)
		if (net->layers[li].k > max_k)
			max_k = net->layers[li].k;
	stride_bytes = img.in_stride * 4u;
	x = malloc((size_t)batch * k0);
	cur = calloc((size_t)batch * (max_k + nc), 1);
	nxt = calloc((size_t)batch * (max_k + nc + 64), 1);
	acc = malloc((size_t)batch * (max_k + nc + 64) * sizeof(*acc));
	words = calloc((size_t)batch * img.in_stride + 64, sizeof(*words));
	seg = calloc(cfg->rows, 1);
	if (x == NULL || cur == NULL || nxt == NULL || acc == NULL || words == NULL || seg == NULL)
		goto out;
	for (i = 0; i < batch * k0; i++)
		x[i] = (int8_t)((int)((i * 53u + 11u) % 255u) - 127);

	rc = aimc_mmio_open_cmodel(&m, cfg, 7);
	if (rc == AIMC_OK)
		rc = aimc_chip_init(&m, cfg);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&m, WIN(weight), 0, img.wgt, img.n_wgt);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&m, WIN(param), 0, img.par, img.n_par);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(&m, cfg, img.prog, img.n_prog);
	for (b = 0; b < batch; b++)
		for (i = 0; i < k0; i++)
			words[(b * stride_bytes + i) / 4] |= (uint32_t)(uint8_t)x[b * k0 + i]
							     << (8 * ((b * stride_bytes + i) % 4));
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&m, WIN(act_in), 0, words, (size_t)batch * img.in_stride);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(&m, &c0);
	/* Run twice: the second batch sees whatever the first left in the buffers. */
	if (rc == AIMC_OK)
		rc = aimc_run(&m, 0, 10, NULL, NULL);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&m, WIN(act_in), 0, words, (size_t)batch * img.in_stride);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(&m, &c0);
	if (rc == AIMC_OK)
		rc = aimc_run(&m, 0, 10, NULL, NULL);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(&m, &c1);
	if (rc == AIMC_OK)
		rc = aimc_mem_read(&m, img.out_sel ? WIN(act_out) : WIN(act_in), 0, words,
				   (size_t)batch * img.out_stride);
	if (rc != AIMC_OK) {
		result(0, name, "driver: %s", aimc_strerror(rc));
		goto out;
	}

	/* Golden chain, and the conversions of zero-padded inputs. */
	memcpy(cur, x, (size_t)batch * k0);
	for (li = 0; li < net->n_layers; li++) {
		const aimc_layer *l = &net->layers[li];
		uint32_t n_cb = (l->n + cfg->cols - 1) / cfg->cols, rb;

		for (b = 0; b < batch; b++)
			for (rb = 0; rb * cfg->rows < l->k; rb++) {
				memset(seg, 0, cfg->rows);
				for (r = 0; r < cfg->rows && rb * cfg->rows + r < l->k; r++)
					seg[r] = cur[b * l->k + rb * cfg->rows + r];
				phases += (uint64_t)n_cb *
					  aimc_golden_mvm_phases(seg, cfg->rows, cfg->dac_bits);
			}
		if (aimc_golden_fc_acc(l->w, l->bias, l->n, l->k, cur, batch, acc, NULL) != 0) {
			result(0, name, "golden failed");
			goto out;
		}
		for (i = 0; i < batch * l->n; i++)
			nxt[i] = aimc_golden_post(acc[i], l->mult[i % l->n], l->shift[i % l->n],
						  (int)l->relu);
		memcpy(cur, nxt, (size_t)batch * l->n);
	}
	for (b = 0; ok && b < batch; b++)
		for (i = 0; ok && i < nc; i++) {
			int8_t got = (int8_t)(uint8_t)(words[b * img.out_stride + i / 4] >> (8 * (i % 4)));

			if (got != cur[b * nc + i]) {
				result(0, name, "vector %u, output %u: got %d, golden %d", b, i, got,
				       cur[b * nc + i]);
				ok = 0;
			}
		}
	if (ok)
		result(1, name, " ");
	result(c1.convs - c0.convs == phases, "conversions equal those of zero-padded inputs",
	       "%s: %u, expected %llu", name, c1.convs - c0.convs, (unsigned long long)phases);
out:
	aimc_mmio_close(&m);
	aimc_image_free(&img);
	free(x);
	free(cur);
	free(nxt);
	free(acc);
	free(words);
	free(seg);
}

static void test_networks(const aimc_cfg *tiny)
{
	aimc_layer l[4];
	aimc_net net;
	int i;

	/* Tiny: Rows 16, Cols 8. 37 -> 20 -> 20 -> 5: layer 1 writes act_in, which held 37 input
	 * bytes; layer 2 reads 32 bytes, layer 1's 3 column blocks write 24, so bytes 24..31 need
	 * one zero block per vector. Layer 0 writes act_out, whose only other writer (layer 2)
	 * leaves 5 bytes: no zero block. With a fourth layer 5 -> 3, layer 2 (act_out, 8 bytes
	 * written, 16 read) sits beside layer 0's 20 bytes: one more zero block per vector. */
	if (make_layer(&l[0], 37, 20, 3, 1) || make_layer(&l[1], 20, 20, 4, 1) ||
	    make_layer(&l[2], 20, 5, 5, 0) || make_layer(&l[3], 5, 3, 6, 0))
		return;
	net.n_layers = 3;
	net.n_classes = 5;
	net.in_scale = 1.0f;
	net.layers = l;
	run_net("3 layers 37-20-20-5 on tiny, batch 3, vs golden", &net, tiny, 3, (3 + 3 + 1) * 3 + 3,
		3);
	net.n_layers = 4;
	net.n_classes = 3;
	run_net("4 layers 37-20-20-5-3 on tiny, batch 2, vs golden", &net, tiny, 2,
		(3 + 3 + 1 + 1) * 2 + 4, 4);
	net.n_layers = 1;
	net.n_classes = 20;
	run_net("1 layer 37-20 on tiny, batch 5, vs golden", &net, tiny, 5, 3 * 5, 0);
	for (i = 0; i < 4; i++)
		free_layer(&l[i]);
}

#define OPF(in) ((unsigned)(((in) >> AIMC_INSTR_OP_LSB) & AIMC_INSTR_OP_MASK))
#define TILEF(in) ((unsigned)(((in) >> AIMC_INSTR_TILE_LSB) & AIMC_INSTR_TILE_MASK))

/* Placement on ideal2 (2 tiles of 32x16): a 32-16-16 net is resident (setup PROGs tile 0 and 1,
 * then HALT; stages end in WAIT 0b11); AIMC_COMPILE_SERIAL and a net that needs two row blocks
 * stay on tile 0 without a setup program. Counts from the layout in compiler.c's header. */
static void test_placement(void)
{
	aimc_cfg c2;
	aimc_layer l[2];
	aimc_net net;
	aimc_image img;
	char err[256];
	size_t i, waits = 0, mvm_t[2] = { 0, 0 }, post_t[2] = { 0, 0 }, other_tile = 0;
	const uint32_t batch = 4;

	if (aimc_cfg_load(&c2, "configs/ideal2.cfg", err, sizeof(err)) != 0) {
		result(0, "placement: load ideal2", "expected the config to load: %s", err);
		return;
	}
	if (make_layer(&l[0], 32, 16, 1, 0) != 0 || make_layer(&l[1], 16, 16, 2, 1) != 0) {
		result(0, "placement: memory", "expected allocations to succeed");
		return;
	}
	memset(&net, 0, sizeof(net));
	net.n_layers = 2;
	net.n_classes = 16;
	net.in_scale = 1.0f;
	net.layers = l;
	result(aimc_compile(&net, &c2, batch, &img, err, sizeof(err)) == AIMC_OK, "placement: compile",
	       "expected OK, got %s", err);
	result(img.resident == 1 && img.tiles_used == 2 && img.run_pc == 3,
	       "placement: resident on 2 tiles, setup of 3", "got resident %u, tiles %u, run_pc %u",
	       img.resident, img.tiles_used, img.run_pc);
	result(img.n_prog > 3 && OPF(img.prog[0]) == AIMC_OP_PROG && TILEF(img.prog[0]) == 0 &&
		       OPF(img.prog[1]) == AIMC_OP_PROG && TILEF(img.prog[1]) == 1 &&
		       OPF(img.prog[2]) == AIMC_OP_HALT && OPF(img.prog[img.n_prog - 1]) == AIMC_OP_HALT,
	       "placement: setup PROG t0, PROG t1, HALT; program ends in HALT", "got other opcodes");
	for (i = img.run_pc; i < img.n_prog; i++) {
		unsigned op = OPF(img.prog[i]), t = TILEF(img.prog[i]);

		if (op == AIMC_OP_WAIT && (img.prog[i] & 0xFFFFu) == 3u)
			waits++;
		if ((op == AIMC_OP_MVM || op == AIMC_OP_POST) && t > 1)
			other_tile++;
		if (op == AIMC_OP_MVM && t <= 1)
			mvm_t[t]++;
		if (op == AIMC_OP_POST && t <= 1)
			post_t[t]++;
	}
	/* layer 0 offset 0, layer 1 offset 1 and odd (deferred POST): batch + 2 stages */
	result(waits == batch + 2 && mvm_t[0] == batch && mvm_t[1] == batch && post_t[0] == batch &&
		       post_t[1] == batch && other_tile == 0,
	       "placement: stages and commands per tile",
	       "expected %u WAITs and %u MVM + %u POST per tile, got %zu WAITs, MVM %zu/%zu, POST "
	       "%zu/%zu, %zu on other tiles", batch + 2, batch, batch, waits, mvm_t[0], mvm_t[1],
	       post_t[0], post_t[1], other_tile);
	aimc_image_free(&img);

	result(aimc_compile_ex(&net, &c2, batch, AIMC_COMPILE_SERIAL, &img, err, sizeof(err)) ==
			       AIMC_OK && img.run_pc == 0 && img.resident == 0,
	       "placement: AIMC_COMPILE_SERIAL stays on tile 0", "got run_pc %u resident %u (%s)",
	       img.run_pc, img.resident, err);
	for (i = 0, other_tile = 0; i < img.n_prog; i++)
		other_tile += TILEF(img.prog[i]) != 0;
	result(other_tile == 0, "placement: serial uses tile 0 only", "%zu commands elsewhere",
	       other_tile);
	aimc_image_free(&img);

	free_layer(&l[0]);
	make_layer(&l[0], 40, 16, 1, 0); /* two row blocks: accumulation stays on one tile */
	l[1].k = 16;
	result(aimc_compile(&net, &c2, batch, &img, err, sizeof(err)) == AIMC_OK && img.resident == 0 &&
		       img.run_pc == 0,
	       "placement: K > rows is not resident", "got resident %u run_pc %u (%s)", img.resident,
	       img.run_pc, err);
	aimc_image_free(&img);
	result(aimc_compile_ex(&net, &c2, batch, 1u << 7, &img, err, sizeof(err)) == AIMC_EINVAL,
	       "placement: unknown flag rejected", "expected AIMC_EINVAL (%s)", err);
	free_layer(&l[0]);
	free_layer(&l[1]);
}

int main(void)
{
	aimc_cfg tiny;
	char err[256];

	if (aimc_cfg_load(&tiny, "configs/tiny.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load configs/tiny.cfg: %s (seed none)\n", err);
		return 1;
	}
	test_layout(&tiny);
	test_limits(&tiny);
	test_networks(&tiny);
	test_placement();
	return failures ? 1 : 0;
}
