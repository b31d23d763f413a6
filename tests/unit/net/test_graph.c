/* SPDX-License-Identifier: Apache-2.0 */
/* Network file version 3 (graphs of TFLite int8 operators) and the reference graph pass:
 * a graph with every operator, built in memory, loads and round-trips; one mutation per format
 * rule is rejected with a message naming the field, the node or tensor and the byte offset;
 * TFLite's requantization, the FC double rounding and every host operator against values worked
 * out by hand; the im2col path of the chip nodes against the direct reference loops. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_test.h"
#include "khnf_test.h"

#define NT 9
#define NN 8

/* ---- the test graph ---------------------------------------------------------------------- */

static uint64_t dbits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

/* Storage of the test graph (static: the graph points into it). */
static aimc_tensor tg_t[NT];
static aimc_node tg_n[NN];
static int8_t w_conv[3 * 18], w_dw[3 * 9], w_fc[4 * 3];
static int32_t b_conv[3], m_conv[3], s_conv[3], b_dw[3], m_dw[3], s_dw[3], b_fc[4], m_fc[4],
	s_fc[4];
static uint64_t e_fc[4];

static uint32_t lcg_state;

static int8_t lcg_w(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return (int8_t)((int)((lcg_state >> 16) % 255u) - 127);
}

static void set_tensor(uint32_t i, uint32_t h, uint32_t w, uint32_t c, int32_t zp, float s)
{
	tg_t[i].h = h;
	tg_t[i].w = w;
	tg_t[i].c = c;
	tg_t[i].zero_point = zp;
	tg_t[i].scale = s;
}

static void set_window(aimc_node *nd, uint32_t k, uint32_t s, uint32_t pad)
{
	nd->kh = nd->kw = k;
	nd->stride_h = nd->stride_w = s;
	nd->pad_top = nd->pad_left = pad;
}

/* t0 4x4x2 -CONV 3x3 s1 SAME-> t1 4x4x3 -DWCONV 3x3 s2 SAME-> t2 2x2x3; t1 -MAXPOOL 2x2 s2 VALID->
 * t3 2x2x3; t2 + t3 -ADD-> t4 -AVGPOOL 2x2 VALID-> t5 1x1x3 -RESHAPE-> t6 3x1x1 -FC-> t7 1x1x4
 * -SOFTMAX-> t8. Every operator, SAME padding with and without a leading pad. */
static aimc_graph test_graph(void)
{
	aimc_graph g;
	uint32_t i;

	memset(tg_n, 0, sizeof(tg_n));
	lcg_state = 12345u;
	for (i = 0; i < sizeof(w_conv); i++)
		w_conv[i] = lcg_w();
	for (i = 0; i < sizeof(w_dw); i++)
		w_dw[i] = lcg_w();
	for (i = 0; i < sizeof(w_fc); i++)
		w_fc[i] = lcg_w();
	for (i = 0; i < 3; i++) {
		b_conv[i] = 100 * (int32_t)i - 77;
		m_conv[i] = 1518500250 + (int32_t)i * 1000;
		s_conv[i] = -9 - (int32_t)i;
		b_dw[i] = -50 + 40 * (int32_t)i;
		m_dw[i] = 1 << 30;
		s_dw[i] = -7;
	}
	for (i = 0; i < 4; i++) {
		b_fc[i] = 31 * (int32_t)i - 40;
		m_fc[i] = 1395864371;
		s_fc[i] = -6;
		e_fc[i] = dbits(0.0203125 + 0.001 * i);
	}
	set_tensor(0, 4, 4, 2, -3, 0.5f);
	set_tensor(1, 4, 4, 3, 5, 0.25f);
	set_tensor(2, 2, 2, 3, 0, 0.125f);
	set_tensor(3, 2, 2, 3, 5, 0.25f);
	set_tensor(4, 2, 2, 3, -1, 0.3f);
	set_tensor(5, 1, 1, 3, -1, 0.3f);
	set_tensor(6, 3, 1, 1, -1, 0.3f);
	set_tensor(7, 1, 1, 4, 2, 0.1f);
	set_tensor(8, 1, 1, 4, -128, 1.0f / 256);
	for (i = 0; i < NN; i++) {
		tg_n[i].in1 = AIMC_NO_TENSOR;
		tg_n[i].act_min = -128;
		tg_n[i].act_max = 127;
	}
	tg_n[0].op = AIMC_GOP_CONV;
	tg_n[0].in0 = 0;
	tg_n[0].out = 1;
	set_window(&tg_n[0], 3, 1, 1);
	tg_n[0].k = 18;
	tg_n[0].n = 3;
	tg_n[0].act_min = 5; /* a fused ReLU: max(zp_out, -128) */
	tg_n[0].adc_shift = 2;
	tg_n[0].w = w_conv;
	tg_n[0].bias = b_conv;
	tg_n[0].mult = m_conv;
	tg_n[0].shift = s_conv;
	tg_n[1].op = AIMC_GOP_DWCONV;
	tg_n[1].in0 = 1;
	tg_n[1].out = 2;
	set_window(&tg_n[1], 3, 2, 0); /* SAME: total pad 1, all of it after */
	tg_n[1].k = 9;
	tg_n[1].n = 3;
	tg_n[1].w = w_dw;
	tg_n[1].bias = b_dw;
	tg_n[1].mult = m_dw;
	tg_n[1].shift = s_dw;
	tg_n[2].op = AIMC_GOP_MAXPOOL;
	tg_n[2].in0 = 1;
	tg_n[2].out = 3;
	set_window(&tg_n[2], 2, 2, 0);
	tg_n[3].op = AIMC_GOP_ADD;
	tg_n[3].in0 = 2;
	tg_n[3].in1 = 3;
	tg_n[3].out = 4;
	{
		const int32_t p[7] = { 20, 1073741824, -1, 2147483647, -1, 1789569707, -20 };

		memcpy(tg_n[3].p, p, sizeof(p));
	}
	tg_n[4].op = AIMC_GOP_AVGPOOL;
	tg_n[4].in0 = 4;
	tg_n[4].out = 5;
	set_window(&tg_n[4], 2, 2, 0);
	tg_n[5].op = AIMC_GOP_RESHAPE;
	tg_n[5].in0 = 5;
	tg_n[5].out = 6;
	tg_n[5].act_min = tg_n[5].act_max = 0;
	tg_n[6].op = AIMC_GOP_FC;
	tg_n[6].in0 = 6;
	tg_n[6].out = 7;
	tg_n[6].k = 3;
	tg_n[6].n = 4;
	tg_n[6].w = w_fc;
	tg_n[6].bias = b_fc;
	tg_n[6].mult = m_fc;
	tg_n[6].shift = s_fc;
	tg_n[6].eff_scale = e_fc;
	tg_n[7].op = AIMC_GOP_SOFTMAX;
	tg_n[7].in0 = 7;
	tg_n[7].out = 8;
	tg_n[7].act_min = tg_n[7].act_max = 0;
	tg_n[7].p[0] = 1 << 30; /* input_mult 0.5, left shift 27: a difference of 1 is -1.0 (Q5.26) */
	tg_n[7].p[1] = 27;
	tg_n[7].p[2] = -15;     /* CalculateInputRadius(5, 27) = floor(31 * 2^26 / 2^27) = 15 */
	g.n_tensors = NT;
	g.n_nodes = NN;
	g.tensors = tg_t;
	g.nodes = tg_n;
	return g;
}

/* Byte offsets of the documented layout, computed here from the format description. */
typedef struct layout {
	size_t tensor[NT], node[NN], arrays[NN], end;
} layout;

static void make_layout(const aimc_graph *g, layout *lo)
{
	size_t off = 40;
	uint32_t i;

	for (i = 0; i < NT; i++, off += 24)
		lo->tensor[i] = off;
	for (i = 0; i < NN; i++) {
		const aimc_node *nd = &g->nodes[i];

		lo->node[i] = off;
		off += 96;
		lo->arrays[i] = off;
		if (aimc_gop_on_chip(nd->op)) {
			size_t wb = (size_t)nd->k * nd->n;

			off += wb + (4 - wb % 4) % 4 + 12u * nd->n;
			if (nd->op == AIMC_GOP_FC)
				off += 8u * nd->n;
		}
	}
	lo->end = off;
}

static uint8_t *valid_image(size_t *len, layout *lo)
{
	aimc_graph g = test_graph();
	uint8_t *buf = NULL;
	char err[512];
	int rc = aimc_graph_to_mem(&g, &buf, len, err, sizeof(err));

	if (rc != AIMC_OK) {
		printf("FAIL the test graph serializes: %s (rc %d)\n", err, rc);
		exit(1);
	}
	make_layout(&g, lo);
	return buf;
}

/* ---- loader ------------------------------------------------------------------------------ */

static void expect(const char *name, const uint8_t *buf, size_t len, int code, const char **want)
{
	aimc_graph g;
	char err[512];
	const char *miss;
	int rc;

	memset(&g, 0xA5, sizeof(g)); /* the loader must clear it even on error */
	err[0] = '\0';
	rc = aimc_graph_load_mem(&g, buf, len, err, sizeof(err));
	if (rc != code) {
		report(0, name, "%s: rc %d, expected %d", err, rc, code);
		if (rc == AIMC_OK)
			aimc_graph_free(&g);
		return;
	}
	if ((miss = khnf_missing(err, want)) != NULL) {
		report(0, name, "message '%s' lacks '%s'", err, miss);
		return;
	}
	if (g.n_nodes != 0 || g.nodes != NULL || g.tensors != NULL) {
		report(0, name, "graph not cleared on error");
		return;
	}
	printf("PASS %s (%s)\n", name, err);
}

/* One mutation: the nbytes-byte little-endian value v at byte off of the valid image, file_size
 * and CRC refreshed; the message must contain "byte <at>" and each further string (NULL ends). */
static void mut(const char *name, size_t off, uint64_t v, int nbytes, size_t at, ...)
{
	const char *want[12];
	char at_s[48];
	layout lo;
	size_t len;
	uint8_t *b = valid_image(&len, &lo);
	va_list ap;
	int i = 0;

	for (i = 0; i < nbytes; i++)
		b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
	khnf_refresh(b, len);
	snprintf(at_s, sizeof(at_s), "byte %zu", at);
	va_start(ap, at);
	for (i = 0; i < 10; i++) {
		want[i] = va_arg(ap, const char *);
		if (want[i] == NULL)
			break;
	}
	va_end(ap);
	want[i++] = at_s;
	want[i] = NULL;
	expect(name, b, len, AIMC_EFORMAT, want);
	free(b);
}

/* The usual case: a 32-bit field whose own offset the message names. */
#define MUT32(name, off, v, ...) mut(name, (off), (uint64_t)(uint32_t)(v), 4, (off), __VA_ARGS__, NULL)
/* A 32-bit change reported at another field's offset. */
#define MUT32AT(name, off, v, at, ...) \
	mut(name, (off), (uint64_t)(uint32_t)(v), 4, (at), __VA_ARGS__, NULL)

static void test_valid_and_round_trip(void)
{
	aimc_graph g = test_graph(), h;
	layout lo;
	uint8_t *buf, *buf2 = NULL;
	size_t len, len2 = 0;
	char err[512];
	uint32_t i, j;
	int rc, ok;

	buf = valid_image(&len, &lo);
	report(len == lo.end + 4 && memcmp(buf, "KHNF", 4) == 0 && buf[4] == 3 && buf[5] == 0 &&
	       le_get32(buf, 28) == len && le_get32(buf, len - 4) == ref_crc32(buf, len - 4) &&
	       le_get32(buf, 8) == NN && le_get32(buf, 12) == 32 && le_get32(buf, 16) == 4 &&
	       le_get32(buf, 32) == NT, "writer: layout, header and CRC as documented",
	       "len %zu, expected %zu", len, lo.end + 4);
	rc = aimc_graph_load_mem(&h, buf, len, err, sizeof(err));
	report(rc == AIMC_OK, "valid graph with every operator loads", "%s (rc %d)", err, rc);
	if (rc != AIMC_OK) {
		free(buf);
		return;
	}
	ok = h.n_tensors == NT && h.n_nodes == NN;
	for (i = 0; ok && i < NT; i++)
		ok = h.tensors[i].h == g.tensors[i].h && h.tensors[i].w == g.tensors[i].w &&
		     h.tensors[i].c == g.tensors[i].c &&
		     h.tensors[i].zero_point == g.tensors[i].zero_point &&
		     h.tensors[i].scale == g.tensors[i].scale;
	for (i = 0; ok && i < NN; i++) {
		const aimc_node *a = &g.nodes[i], *b = &h.nodes[i];

		ok = a->op == b->op && a->in0 == b->in0 && a->in1 == b->in1 && a->out == b->out &&
		     a->kh == b->kh && a->kw == b->kw && a->stride_h == b->stride_h &&
		     a->stride_w == b->stride_w && a->pad_top == b->pad_top &&
		     a->pad_left == b->pad_left && a->act_min == b->act_min &&
		     a->act_max == b->act_max && a->k == b->k && a->n == b->n &&
		     a->adc_shift == b->adc_shift && memcmp(a->p, b->p, sizeof(a->p)) == 0;
		if (ok && aimc_gop_on_chip(a->op)) {
			ok = memcmp(a->w, b->w, (size_t)a->k * a->n) == 0;
			for (j = 0; ok && j < a->n; j++)
				ok = a->bias[j] == b->bias[j] && a->mult[j] == b->mult[j] &&
				     a->shift[j] == b->shift[j] &&
				     (a->op != AIMC_GOP_FC || a->eff_scale[j] == b->eff_scale[j]);
		}
		if (ok && !aimc_gop_on_chip(a->op))
			ok = b->w == NULL && b->bias == NULL && b->eff_scale == NULL;
		if (ok && a->op != AIMC_GOP_FC)
			ok = b->eff_scale == NULL;
	}
	report(ok, "load: every field as written", "differs at tensor/node %u", i);
	rc = aimc_graph_to_mem(&h, &buf2, &len2, err, sizeof(err));
	report(rc == AIMC_OK && len2 == len && memcmp(buf, buf2, len) == 0,
	       "round trip to_mem(load_mem(image)) == image", "%s (rc %d, %zu vs %zu bytes)", err,
	       rc, len2, len);
	free(buf2);
	aimc_graph_free(&h);
	report(h.n_nodes == 0 && h.nodes == NULL && h.tensors == NULL, "aimc_graph_free clears",
	       "n_nodes %u", h.n_nodes);
	aimc_graph_free(&h);

	/* to_mem refuses what the loader refuses, with its message */
	tg_n[6].adc_shift = 16; /* (array sizes unchanged: to_mem reads k x n weights) */
	buf2 = (uint8_t *)1;
	rc = aimc_graph_to_mem(&g, &buf2, &len2, err, sizeof(err));
	report(rc == AIMC_EINVAL && buf2 == NULL && strstr(err, "node 6") != NULL,
	       "to_mem refuses an invalid graph with the loader's message", "rc %d, '%s'", rc, err);
	free(buf);
}

static void test_header_rules(void)
{
	size_t len;
	layout lo;
	uint8_t *b = valid_image(&len, &lo);

	{
		const char *w[] = { "short file", "20 bytes", NULL };

		expect("short file (20 bytes)", b, 20, AIMC_EFORMAT, w);
	}
	{
		const char *w[] = { "'crc32'", NULL };
		uint8_t *c = malloc(len);

		memcpy(c, b, len);
		c[lo.arrays[0] + 3] ^= 0x40;
		expect("CRC mismatch", c, len, AIMC_EFORMAT, w);
		memcpy(c, b, len);
		le_put32(c, 28, (uint32_t)len + 1);
		le_put32(c, len - 4, ref_crc32(c, len - 4));
		{
			const char *w2[] = { "'file_size'", "byte 28", NULL };

			expect("file_size differs from the real size", c, len, AIMC_EFORMAT, w2);
		}
		/* truncated inside node 6's arrays, file_size and CRC consistent */
		memcpy(c, b, lo.arrays[6] + 8);
		khnf_refresh(c, lo.arrays[6] + 12);
		{
			const char *w3[] = { "node 6", "short file", NULL };

			expect("truncated inside a node's arrays", c, lo.arrays[6] + 12, AIMC_EFORMAT,
			       w3);
		}
		free(c);
	}
	{
		uint8_t *c = malloc(len + 4);
		const char *w[] = { "4 unexpected bytes", NULL };

		memcpy(c, b, len - 4);
		memset(c + len - 4, 0, 8);
		khnf_refresh(c, len + 4);
		expect("bytes between the last node and the CRC", c, len + 4, AIMC_EFORMAT, w);
		free(c);
	}
	free(b);
	MUT32("wrong magic", 0, 0x474E484B, "'magic'");
	MUT32("version 1 is for aimc_net_load", 4, 0x00200001, "'version'", "aimc_net_load");
	MUT32("version 2 is for aimc_net_load", 4, 0x00200002, "'version'", "aimc_net_load");
	MUT32("unknown version 4", 4, 0x00200004, "'version'", "4");
	MUT32AT("wrong header_size", 4, 0x00240003, 6, "'header_size'", "36");
	MUT32("n_layers 0", 8, 0, "'n_layers'");
	MUT32("n_layers 1025", 8, 1025, "'n_layers'", "1025");
	MUT32AT("n_layers larger than the records", 8, NN + 1, lo.end, "node 8", "short file");
	MUT32("n_inputs inconsistent", 12, 31, "'n_inputs'", "tensor 0");
	MUT32("n_classes inconsistent", 16, 5, "'n_classes'", "node 7");
	MUT32("in_scale NaN", 20, 0x7FC00000, "'in_scale'");
	MUT32("in_scale 0", 20, 0, "'in_scale'");
	MUT32("in_scale differs from tensor 0's", 20, 0x3F000001, "'in_scale'", "tensor 0");
	MUT32("flags non-zero", 24, 1, "'flags'");
}

static void test_tensor_rules(void)
{
	layout lo;
	size_t len;
	uint8_t *b = valid_image(&len, &lo);

	free(b);
	MUT32("n_tensors 1", 32, 1, "'n_tensors'");
	MUT32("n_tensors 2049", 32, 2049, "'n_tensors'", "2049");
	MUT32("tensor table reserved", 36, 7, "tensor table", "'reserved'");
	MUT32("tensor h 0", lo.tensor[3], 0, "tensor 3", "'h'");
	MUT32("tensor w above 2^24", lo.tensor[3] + 4, (1u << 24) + 1, "tensor 3", "'w'");
	MUT32AT("tensor with more than 2^24 elements", lo.tensor[3] + 4, 1u << 23, lo.tensor[3] + 8,
		"tensor 3", "'c'", "elements");
	MUT32("zero point 128", lo.tensor[2] + 12, 128, "tensor 2", "'zero_point'");
	MUT32("zero point -129", lo.tensor[2] + 12, (uint32_t)-129, "tensor 2", "'zero_point'");
	MUT32("scale negative", lo.tensor[5] + 16, 0xBF800000u, "tensor 5", "'scale'");
	MUT32("scale infinite", lo.tensor[5] + 16, 0x7F800000u, "tensor 5", "'scale'");
	MUT32("tensor reserved", lo.tensor[1] + 20, 1, "tensor 1", "'reserved'");
	/* one more tensor that no node writes: n_tensors 10 and a tenth record */
	{
		uint8_t *c;
		size_t l2;
		layout l;
		const char *w[] = { "tensor 9", "not the output of any node", NULL };

		b = valid_image(&len, &l);
		l2 = len + 24;
		c = calloc(l2, 1);
		memcpy(c, b, l.node[0]);
		memcpy(c + l.node[0] + 24, b + l.node[0], len - l.node[0]);
		le_put32(c, 32, NT + 1);
		le_put32(c, l.node[0], 1);
		le_put32(c, l.node[0] + 4, 1);
		le_put32(c, l.node[0] + 8, 1);
		memcpy(c + l.node[0] + 16, c + l.tensor[0] + 16, 4);
		khnf_refresh(c, l2);
		expect("a tensor no node writes", c, l2, AIMC_EFORMAT, w);
		free(c);
		free(b);
	}
}

static void test_node_rules(void)
{
	layout lo;
	size_t len;
	uint8_t *b = valid_image(&len, &lo);
	size_t c0 = lo.node[0], dw = lo.node[1], mp = lo.node[2], ad = lo.node[3], ap = lo.node[4],
	       rs = lo.node[5], fc = lo.node[6], sm = lo.node[7];

	free(b);
	MUT32("op 0", c0, 0, "node 0", "'op'");
	MUT32("op 9", sm, 9, "node 7", "'op'");
	MUT32("in0 out of range", dw + 4, NT, "node 1", "'in0'", "outside");
	MUT32("in0 read before it is written", dw + 4, 5, "node 1", "'in0'", "before");
	MUT32("out is the graph input", c0 + 12, 0, "node 0", "'out'", "graph input");
	MUT32("out written twice", mp + 12, 2, "node 2", "'out'", "already written");
	MUT32("in1 set for a non-ADD", mp + 8, 1, "node 2", "'in1'");
	MUT32("ADD in1 not yet written", ad + 8, 4, "node 3", "'in1'", "before");
	MUT32("window field for FC", fc + 16, 1, "node 6", "'kh'");
	MUT32("window field for RESHAPE", rs + 32, 1, "node 5", "'pad_top'");
	MUT32("kh 0", c0 + 16, 0, "node 0", "'kh'");
	MUT32("stride 0", dw + 28, 0, "node 1", "'stride_w'");
	MUT32("pad_top >= kh", c0 + 32, 3, "node 0", "'pad_top'", "below");
	MUT32AT("pad neither SAME nor VALID", c0 + 36, 0, c0 + 32, "node 0", "'pad_top'", "SAME",
		"VALID");
	MUT32AT("output size neither SAME nor VALID", lo.tensor[3], 1, mp + 32, "node 2", "'pad_top'",
		"output tensor 3");
	MUT32("act_max < act_min", c0 + 44, 4, "node 0", "'act_max'", "5..127");
	MUT32("act_min -129", ad + 40, (uint32_t)-129, "node 3", "'act_min'");
	MUT32("act_max 128", ap + 44, 128, "node 4", "'act_max'");
	MUT32AT("act fields for SOFTMAX", sm + 44, 1, sm + 40, "node 7", "'act_min'");
	MUT32("k for a host node", mp + 48, 4, "node 2", "'k'");
	MUT32("adc_shift 16", fc + 56, 16, "node 6", "'adc_shift'");
	MUT32("CONV k != kh*kw*in_c", c0 + 48, 17, "node 0", "'k'", "kh*kw*in_c");
	MUT32("CONV n != out channels", c0 + 52, 2, "node 0", "'n'");
	MUT32("DWCONV k != kh*kw", dw + 48, 8, "node 1", "'k'");
	MUT32("DWCONV n != channels", dw + 52, 2, "node 1", "'n'", "depth multiplier");
	MUT32("FC k != input length", fc + 48, 2, "node 6", "'k'", "3 elements");
	MUT32AT("FC output not 1x1xn", lo.tensor[7], 2, fc + 12, "node 6", "'out'", "1x1x4");
	MUT32AT("ADD shapes differ", lo.tensor[4] + 8, 2, ad + 12, "node 3", "'out'",
		"not all equal");
	MUT32AT("RESHAPE changes the element count", lo.tensor[6], 4, rs + 12, "node 5", "'out'",
		"elements");
	MUT32AT("pool changes the channels", lo.tensor[5] + 8, 2, ap + 12, "node 4", "'out'",
		"channels");
	MUT32AT("SOFTMAX output zero point", lo.tensor[8] + 12, (uint32_t)-127, sm + 12, "node 7",
		"'out'", "-128");
	MUT32("reserved[1]", fc + 92, 1, "node 6", "'reserved[1]'");
	/* p[] */
	MUT32("ADD left_shift 23", ad + 60, 23, "node 3", "'p.left_shift'");
	MUT32("ADD mult below 2^30", ad + 64, 5, "node 3", "'p.in1_mult'");
	MUT32("ADD shift > 0", ad + 84, 1, "node 3", "'p.out_shift'");
	MUT32("SOFTMAX input_left_shift 31", sm + 64, 31, "node 7", "'p.input_left_shift'");
	MUT32("SOFTMAX diff_min > 0", sm + 68, 1, "node 7", "'p.diff_min'");
	MUT32("SOFTMAX diff_min << shift leaves int32", sm + 68, (uint32_t)-16, "node 7",
	      "'p.diff_min'", "int32");
	MUT32("SOFTMAX p[3] non-zero", sm + 72, 1, "node 7", "'p[3]'");
	MUT32("CONV p[0] non-zero", c0 + 60, 1, "node 0", "'p[0]'");
	/* arrays */
	MUT32("weight -128", lo.arrays[0] + 4, 0x01020380u, "node 0", "'weights'", "W[0][4]");
	/* DWCONV: 27 weight bytes, 1 padding byte, then bias, mult, shift (3 each) */
	mut("non-zero padding", lo.arrays[1] + 27, 0xFF, 1, lo.arrays[1] + 27, "node 1",
	    "'padding'", NULL);
	MUT32("mult below 2^30", lo.arrays[1] + 28 + 12 + 4, 12345, "node 1", "'mult'", "mult[1]");
	/* CONV: 54 weight bytes, 2 padding, bias at +56, mult at +68, shift at +80 */
	MUT32("shift 31", lo.arrays[0] + 80 + 8, 31, "node 0", "'shift'", "shift[2]");
	MUT32("shift -32", lo.arrays[0] + 80, (uint32_t)-32, "node 0", "'shift'", "shift[0]");
	{
		/* FC: 12 weight bytes, no padding, bias, mult, shift (4 each), eff_scale at +60 */
		size_t e = lo.arrays[6] + 60;

		mut("eff_scale 0", e + 8, 0, 8, e + 8, "node 6", "'eff_scale'", "eff_scale[1]", NULL);
		MUT32AT("eff_scale negative", e + 20, 0xBFF00000u, e + 16, "node 6", "'eff_scale'",
			"eff_scale[2]");
		MUT32AT("eff_scale not finite", e + 20, 0x7FF00000u, e + 16, "node 6",
			"'eff_scale'");
	}
}

/* SOFTMAX over more than 4095 values: its Q12 sum could leave int32. */
static void test_softmax_depth(void)
{
	aimc_tensor t[2] = { { 1, 1, 4095, 3, 0.5f }, { 1, 1, 4095, -128, 1.0f / 256 } };
	aimc_node n;
	aimc_graph g = { 2, 1, t, &n };
	uint8_t *b = NULL;
	size_t len = 0;
	char err[512];
	int rc;

	memset(&n, 0, sizeof(n));
	n.op = AIMC_GOP_SOFTMAX;
	n.in0 = 0;
	n.out = 1;
	n.in1 = AIMC_NO_TENSOR;
	n.p[0] = 1 << 30;
	n.p[1] = 27;
	n.p[2] = -15;
	rc = aimc_graph_to_mem(&g, &b, &len, err, sizeof(err));
	report(rc == AIMC_OK, "SOFTMAX over 4095 values is accepted", "%s", err);
	if (rc == AIMC_OK) {
		const char *w[] = { "node 0", "4096 channels", NULL };

		le_put32(b, 40 + 8, 4096);
		le_put32(b, 40 + 24 + 8, 4096);
		le_put32(b, 12, 4096);
		le_put32(b, 16, 4096);
		khnf_refresh(b, len);
		expect("SOFTMAX over 4096 values", b, len, AIMC_EFORMAT, w);
	}
	free(b);
}

static void test_files_and_versions(const char *argv0)
{
	char path[1024], err[512];
	layout lo;
	size_t len;
	uint8_t *b = valid_image(&len, &lo);
	uint8_t v1[36];
	aimc_graph g;
	aimc_net net;
	uint32_t ver = 0;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s.khnf", argv0);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		report(0, "write a file", "%s", path);
		free(b);
		return;
	}
	rc = aimc_netfile_version(path, &ver, err, sizeof(err));
	report(rc == AIMC_OK && ver == 3, "aimc_netfile_version: 3", "rc %d, version %u, %s", rc,
	       ver, err);
	rc = aimc_graph_load(&g, path, err, sizeof(err));
	report(rc == AIMC_OK && g.n_nodes == NN, "aimc_graph_load from a file", "%s", err);
	aimc_graph_free(&g);
	rc = aimc_net_load(&net, path, err, sizeof(err));
	report(rc == AIMC_EFORMAT && strstr(err, "aimc_graph_load") != NULL &&
	       strstr(err, path) != NULL, "aimc_net_load points a version-3 file to aimc_graph_load",
	       "rc %d, '%s'", rc, err);
	remove(path);
	rc = aimc_graph_load(&g, path, err, sizeof(err));
	report(rc == AIMC_EIO && strstr(err, path) != NULL, "missing file gives AIMC_EIO",
	       "rc %d, '%s'", rc, err);
	rc = aimc_netfile_version(path, &ver, err, sizeof(err));
	report(rc == AIMC_EIO, "aimc_netfile_version: missing file gives AIMC_EIO", "rc %d", rc);
	/* a version-1 header */
	memset(v1, 0, sizeof(v1));
	memcpy(v1, "KHNF\x01\x00\x20\x00", 8);
	f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(v1, 1, sizeof(v1), f);
		fclose(f);
	}
	rc = aimc_netfile_version(path, &ver, err, sizeof(err));
	report(rc == AIMC_OK && ver == 1, "aimc_netfile_version: 1", "rc %d, %u", rc, ver);
	v1[4] = 9;
	f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(v1, 1, sizeof(v1), f);
		fclose(f);
	}
	rc = aimc_netfile_version(path, &ver, err, sizeof(err));
	report(rc == AIMC_EFORMAT && strstr(err, "'version'") != NULL && strstr(err, path) != NULL,
	       "aimc_netfile_version: unknown version 9", "rc %d, '%s'", rc, err);
	remove(path);
	rc = aimc_graph_load_mem(NULL, b, len, err, sizeof(err));
	report(rc == AIMC_EINVAL, "NULL graph gives AIMC_EINVAL", "rc %d", rc);
	free(b);
}

/* ---- arithmetic -------------------------------------------------------------------------- */

static void check_rq(const char *name, int32_t x, int32_t m, int32_t s, int32_t want)
{
	int32_t got = aimc_tfl_requant(x, m, s);

	report(got == want, name, "requant(%d, %d, %d) = %d, expected %d", x, m, s, got, want);
}

static void test_requant(void)
{
	/* SRDHM(INT32_MIN, INT32_MIN) is the one product that saturates: INT32_MAX. */
	check_rq("requant: INT32_MIN * INT32_MIN saturates", INT32_MIN, INT32_MIN, 0, INT32_MAX);
	/* M = 2^31 - 1 is 1 - 2^-31: SRDHM(x, M) = x for small x ((x*2^31 - x + nudge) / 2^31
	 * truncates back to x), so these isolate RoundingDivideByPOT: -6 / 4 = -1.5 -> -2 (ties away
	 * from zero), -5 / 4 = -1.25 -> -1, 6 / 4 = 1.5 -> 2, -3 / 2 = -1.5 -> -2, 5 / 4 -> 1. */
	check_rq("requant: -1.5 rounds to -2", -6, INT32_MAX, -2, -2);
	check_rq("requant: -1.25 rounds to -1", -5, INT32_MAX, -2, -1);
	check_rq("requant: 1.5 rounds to 2", 6, INT32_MAX, -2, 2);
	check_rq("requant: -3/2 rounds to -2", -3, INT32_MAX, -1, -2);
	check_rq("requant: 5/4 rounds to 1", 5, INT32_MAX, -2, 1);
	/* SRDHM ties: 3 * 0.5 = 1.5: (3*2^30 + 2^30) / 2^31 = 2; -3 * 0.5 = -1.5: (-3*2^30 + 1 -
	 * 2^30) / 2^31 = -1.99.. truncates to -1 (gemmlowp rounds a negative tie up). */
	check_rq("requant: SRDHM(3, 0.5) = 2", 3, 1 << 30, 0, 2);
	check_rq("requant: SRDHM(-3, 0.5) = -1", -3, 1 << 30, 0, -1);
	/* shift -31: SRDHM(2^31-1, 2^31-1) = (2^62 - 2^32 + 1 + 2^30) / 2^31 -> 2^31 - 2, then
	 * / 2^31 = 0.99.. -> 1. SRDHM(INT32_MIN, 2^30) = -2^30, / 2^31 = -0.5 -> -1 (away).
	 * SRDHM(-2^30, 2^30) = -2^29, / 2^31 = -0.25 -> 0. */
	check_rq("requant: shift -31, 0.99.. -> 1", INT32_MAX, INT32_MAX, -31, 1);
	check_rq("requant: shift -31, -0.5 -> -1", INT32_MIN, 1 << 30, -31, -1);
	check_rq("requant: shift -31, -0.25 -> 0", -(1 << 30), 1 << 30, -31, 0);
	/* shift 30: 1 << 30 = 2^30, SRDHM(2^30, 2^30) = (2^60 + 2^30) / 2^31 -> 2^29;
	 * 2 << 30 wraps to INT32_MIN: SRDHM(INT32_MIN, 2^30) = -2^30;
	 * 3 << 30 wraps to -2^30: SRDHM(-2^30, 2^31-1) = (-2^61 + 2^30 + 1 - 2^30) / 2^31
	 * = -2^30 + 2^-31 -> truncates to -(2^30 - 1). */
	check_rq("requant: shift 30", 1, 1 << 30, 30, 1 << 29);
	check_rq("requant: shift 30 wraps to INT32_MIN", 2, 1 << 30, 30, -(1 << 30));
	check_rq("requant: shift 30 wraps to -2^30", 3, INT32_MAX, 30, -1073741823);
	check_rq("requant: mult 0", 123456, 0, 5, 0);
}

static void check_fc(const char *name, int32_t x, uint64_t bits, int32_t want)
{
	int32_t got = aimc_tfl_fc_round(x, bits);

	report(got == want, name, "fc_round(%d, 0x%016llx) = %d, expected %d", x,
	       (unsigned long long)bits, got, want);
}

static uint64_t rng_state;

static uint64_t rng64(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void test_fc_round(void)
{
	uint32_t i, bad = 0;

	check_fc("fc_round: 3 * 0.5 = 1.5 -> 2", 3, dbits(0.5), 2);
	check_fc("fc_round: -3 * 0.5 = -1.5 -> -2 (half away from zero)", -3, dbits(0.5), -2);
	check_fc("fc_round: 7 * 0.25 = 1.75 -> 2", 7, dbits(0.25), 2);
	check_fc("fc_round: -5 * 0.25 = -1.25 -> -1", -5, dbits(0.25), -1);
	/* double(1/6) = (2^54 - 2) / 3 * 2^-55 = 0x3FC5555555555555; times 3 the exact product is
	 * 0.5 - 2^-55, halfway between 0.5 - 2^-54 (odd mantissa) and 0.5: the binary64 multiply
	 * rounds it to 0.5 (even), and round(0.5) = 1, where exact arithmetic would give 0. */
	check_fc("fc_round: the binary64 product's rounding is kept", 3, 0x3FC5555555555555ull, 1);
	check_fc("fc_round: INT32_MAX * 2 leaves int32 -> INT32_MIN", INT32_MAX, dbits(2.0),
		 INT32_MIN);
	check_fc("fc_round: INT32_MIN * 1 = INT32_MIN", INT32_MIN, dbits(1.0), INT32_MIN);
	check_fc("fc_round: 2^31 - 1 * 1", INT32_MAX, dbits(1.0), INT32_MAX);
	check_fc("fc_round: tiny subnormal scale", -5, 1ull, 0);
	check_fc("fc_round: zero input", 0, dbits(0.37), 0);
	/* against the machine's own double arithmetic (x86-64, binary64, round()) */
	rng_state = seed;
	for (i = 0; i < 200000; i++) {
		int32_t x = (int32_t)(uint32_t)rng64();
		double s = ldexp((double)(rng64() >> 11) / 9007199254740992.0 + 0.5,
				 -(int)(rng64() % 40));
		double r;
		int32_t want, got;

		if (i % 3 == 0)
			x >>= (int)(rng64() % 31); /* small accumulators too */
		r = round((double)x * s);
		want = (r >= 2147483648.0 || r < -2147483648.0) ? INT32_MIN : (int32_t)r;
		got = aimc_tfl_fc_round(x, dbits(s));
		if (got != want && bad++ < 5)
			printf("  x %d scale %.17g: got %d, double arithmetic %d\n", x, s, got, want);
	}
	report(bad == 0, "fc_round equals round((double)x * scale) on 200000 random cases",
	       "%u differ", bad);
}

/* A one-node graph: input tensor t[0], output t[1] (and t[2] for ADD). */
static int run_host(aimc_tensor *t, uint32_t nt, aimc_node *nd, const int8_t *a, const int8_t *b,
		    int8_t *y)
{
	aimc_graph g;

	g.n_tensors = nt;
	g.n_nodes = 1;
	g.tensors = t;
	g.nodes = nd;
	return aimc_graph_host_node(&g, nd, a, b, y);
}

static void check_bytes(const char *name, const int8_t *got, const int8_t *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (got[i] != want[i]) {
			report(0, name, "element %zu: %d, expected %d", i, got[i], want[i]);
			return;
		}
	report(1, name, "");
}

static void test_host_ops(void)
{
	aimc_node nd;
	int8_t y[8];
	int rc;

	/* ADD: zp 2 and -1, out zp 3; left_shift 20, both inputs x 0.5 (M 2^30, shift 0), output
	 * x 0.5 / 2^19 (M 2^30, shift -19): out = round_away((a - 2 + b + 1) / 2) + 3, since
	 * SRDHM(v*2^20, 2^30) = v*2^19 exactly. a - 2 = [8, -130, 125, 3], b + 1 = [-19, -127, 128,
	 * 1]: sums [-11, -257, 253, 4] / 2 = [-5.5, -128.5, 126.5, 2] -> [-6, -129, 127, 2] (RDBPOT
	 * ties away) + 3 = [-3, -126, 130, 5]; clamp to [-128, 100]: [-3, -126, 100, 5]. */
	{
		aimc_tensor t[3] = { { 1, 1, 4, 2, 1.0f }, { 1, 1, 4, -1, 1.0f }, { 1, 1, 4, 3, 1.0f } };
		const int8_t a[4] = { 10, -128, 127, 5 }, b[4] = { -20, -128, 127, 0 };
		const int8_t want[4] = { -3, -126, 100, 5 };
		const int32_t p[7] = { 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, -19 };

		memset(&nd, 0, sizeof(nd));
		nd.op = AIMC_GOP_ADD;
		nd.in0 = 0;
		nd.in1 = 1;
		nd.out = 2;
		nd.act_min = -128;
		nd.act_max = 100;
		memcpy(nd.p, p, sizeof(p));
		rc = run_host(t, 3, &nd, a, b, y);
		report(rc == AIMC_OK, "ADD runs", "rc %d", rc);
		check_bytes("ADD: zero points, rounding, clamp (hand values)", y, want, 4);
		rc = run_host(t, 3, &nd, a, NULL, y);
		report(rc == AIMC_EINVAL, "ADD without its second input: AIMC_EINVAL", "rc %d", rc);
	}
	/* Pools on 3x3x1 [[1,2,3],[4,6,-6],[-7,-8,9]], 2x2 stride 2 SAME: out 2x2, total padding 1,
	 * all after, so the windows are {1,2,4,6}, {3,-6}, {-7,-8}, {9} (padding not counted).
	 * AVG: 13/4 = 3.25 -> (13 + 2) / 4 = 3; -3/2 -> (-3 - 1) / 2 = -2; -15/2 -> (-15 - 1) / 2 =
	 * -8; 9. MAX: 6, 3, -7, 9; with act_max 4: 4, 3, -7, 4. */
	{
		aimc_tensor t[2] = { { 3, 3, 1, 0, 1.0f }, { 2, 2, 1, 0, 1.0f } };
		const int8_t x[9] = { 1, 2, 3, 4, 6, -6, -7, -8, 9 };
		const int8_t want_avg[4] = { 3, -2, -8, 9 }, want_max[4] = { 4, 3, -7, 4 };

		memset(&nd, 0, sizeof(nd));
		nd.op = AIMC_GOP_AVGPOOL;
		nd.in0 = 0;
		nd.out = 1;
		nd.in1 = AIMC_NO_TENSOR;
		set_window(&nd, 2, 2, 0);
		nd.act_min = -128;
		nd.act_max = 127;
		rc = run_host(t, 2, &nd, x, NULL, y);
		report(rc == AIMC_OK, "AVGPOOL runs", "rc %d", rc);
		check_bytes("AVGPOOL: clipped windows, rounding half away (hand values)", y, want_avg,
			    4);
		nd.op = AIMC_GOP_MAXPOOL;
		nd.act_max = 4;
		rc = run_host(t, 2, &nd, x, NULL, y);
		check_bytes("MAXPOOL: clipped windows and clamp (hand values)", y, want_max, 4);
	}
	/* AVGPOOL with a leading pad: 2x2 input [[4,5],[-6,7]], 3x3 stride 1 SAME: out 2x2, total
	 * padding 2, pad_top = pad_left = 1: every window covers the whole input: 10/4 = 2.5 -> 3. */
	{
		aimc_tensor t[2] = { { 2, 2, 1, 0, 1.0f }, { 2, 2, 1, 0, 1.0f } };
		const int8_t x[4] = { 4, 5, -6, 7 }, want[4] = { 3, 3, 3, 3 };

		memset(&nd, 0, sizeof(nd));
		nd.op = AIMC_GOP_AVGPOOL;
		nd.in0 = 0;
		nd.out = 1;
		nd.in1 = AIMC_NO_TENSOR;
		set_window(&nd, 3, 1, 1);
		nd.act_min = -128;
		nd.act_max = 127;
		rc = run_host(t, 2, &nd, x, NULL, y);
		check_bytes("AVGPOOL: leading padding (hand values)", y, want, 4);
	}
	/* SOFTMAX: input_mult 2^30 with left shift 27 maps a difference of -1 to exactly -1.0 in
	 * Q5.26 (SRDHM(-2^27, 2^30) = -2^26). Row [5, 4, -128]: differences 0, -1, -133; -133 <
	 * diff_min -15 gives -128. 1 / (1 + e^-1) = 0.731059: 256 * it = 187.15 -> 187 - 128 = 59;
	 * e^-1 / (1 + e^-1) = 0.268941: 68.85 -> 69 - 128 = -59 (both far from a rounding edge, so
	 * the fixed-point exp's ~1e-9 error cannot move them). Row of four equal values: 64 - 128 =
	 * -64 each. Row [127, -128]: 256 -> clamped 127, and -128. */
	{
		aimc_tensor t[2] = { { 3, 1, 4, 0, 1.0f }, { 3, 1, 4, -128, 1.0f / 256 } };
		const int8_t x[12] = { 5, 4, -128, -128, 9, 9, 9, 9, 127, -128, -128, -128 };
		const int8_t want[12] = { 59, -59, -128, -128, -64, -64, -64, -64, 127, -128, -128,
					  -128 };
		int8_t z[12];

		memset(&nd, 0, sizeof(nd));
		nd.op = AIMC_GOP_SOFTMAX;
		nd.in0 = 0;
		nd.out = 1;
		nd.in1 = AIMC_NO_TENSOR;
		nd.p[0] = 1 << 30;
		nd.p[1] = 27;
		nd.p[2] = -15;
		rc = run_host(t, 2, &nd, x, NULL, z);
		report(rc == AIMC_OK, "SOFTMAX runs", "rc %d", rc);
		check_bytes("SOFTMAX: per row over c (hand values)", z, want, 12);
	}
	/* SOFTMAX rows of 511 and 512 equal values: each exp is 1.0, 2^19 in Q12.19. 511 * 2^19 has 4
	 * leading zeros: exponent 12 - 4 + 23 = 31, each output 256 / 511 = 0.50098 -> 1 - 128 =
	 * -127. 512 * 2^19 = 2^28 has 3: exponent 32, where TFLite's kernel fails its check. */
	{
		aimc_tensor t[2] = { { 1, 1, 511, 0, 1.0f }, { 1, 1, 511, -128, 1.0f / 256 } };
		int8_t *x = calloc(512, 1), *z = malloc(512), want[511];

		memset(&nd, 0, sizeof(nd));
		nd.op = AIMC_GOP_SOFTMAX;
		nd.in0 = 0;
		nd.out = 1;
		nd.in1 = AIMC_NO_TENSOR;
		nd.p[0] = 1 << 30;
		nd.p[1] = 27;
		nd.p[2] = -15;
		memset(want, -127, sizeof(want));
		rc = run_host(t, 2, &nd, x, NULL, z);
		report(rc == AIMC_OK, "SOFTMAX over 511 equal values runs", "rc %d", rc);
		check_bytes("SOFTMAX: 511 equal values give 1/511 each (hand value)", z, want, 511);
		t[0].c = t[1].c = 512;
		rc = run_host(t, 2, &nd, x, NULL, z);
		report(rc == AIMC_ERANGE, "SOFTMAX over 512 equal values: AIMC_ERANGE (TFLite's check)",
		       "rc %d", rc);
		free(x);
		free(z);
	}
	/* RESHAPE copies. */
	{
		aimc_tensor t[2] = { { 2, 2, 1, 7, 1.0f }, { 1, 1, 4, 7, 1.0f } };
		const int8_t x[4] = { -128, 0, 1, 127 };

		memset(&nd, 0, sizeof(nd));
		nd.op = AIMC_GOP_RESHAPE;
		nd.in0 = 0;
		nd.out = 1;
		nd.in1 = AIMC_NO_TENSOR;
		rc = run_host(t, 2, &nd, x, NULL, y);
		check_bytes("RESHAPE copies", y, x, 4);
		nd.op = AIMC_GOP_FC;
		rc = run_host(t, 2, &nd, x, NULL, y);
		report(rc == AIMC_EINVAL, "host_node refuses a chip node", "rc %d", rc);
	}
}

/* CONV with padding by hand: 2x2x1 input [[2,3],[4,5]], zp 1 (so x - zp = [[1,2],[3,4]]),
 * 3x3 weights 1..9 row-major, stride 1 SAME (pad 1): out(0,0) = 5*1 + 6*2 + 8*3 + 9*4 = 77,
 * out(0,1) = 4 + 10 + 21 + 32 = 67, out(1,0) = 2 + 6 + 15 + 24 = 47, out(1,1) = 1 + 4 + 12 + 20
 * = 37. Bias 3, M 2^30 (x 0.5), shift 0: 40, 35, 25, 20; zp_out -10: 30, 25, 15, 10.
 * FC by hand: x - zp = [1, 2, 3, 4] . w [1, -1, 2, 0] = 5, + bias 2 = 7, x 0.25 = 1.75 -> 2,
 * zp_out -10: -8; w [127, 0, 0, 127] = 5 * 127 = 635 + 2 = 637 * 0.25 = 159.25 -> 159 - 10 =
 * 149 -> clamp 127. */
static void test_chip_nodes_by_hand(void)
{
	aimc_tensor t[4] = { { 2, 2, 1, 1, 1.0f }, { 2, 2, 1, -10, 1.0f }, { 1, 1, 4, 1, 1.0f },
			     { 1, 1, 2, -10, 1.0f } };
	int8_t w[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, wf[8] = { 1, -1, 2, 0, 127, 0, 0, 127 };
	int32_t bias = 3, mult = 1 << 30, shift = 0, fb[2] = { 2, 2 }, fm[2] = { 0, 0 },
		fs[2] = { 0, 0 };
	uint64_t fe[2] = { dbits(0.25), dbits(0.25) };
	aimc_node nd[2];
	aimc_graph g;
	const int8_t x[4] = { 2, 3, 4, 5 }, want[4] = { 30, 25, 15, 10 }, want_fc[2] = { -8, 127 };
	int8_t y[4], rows[4 * 9];
	const int8_t want_row0[9] = { 1, 1, 1, 1, 2, 3, 1, 4, 5 };
	int rc;

	memset(nd, 0, sizeof(nd));
	nd[0].op = AIMC_GOP_CONV;
	nd[0].in0 = 0;
	nd[0].out = 1;
	nd[0].in1 = AIMC_NO_TENSOR;
	set_window(&nd[0], 3, 1, 1);
	nd[0].k = 9;
	nd[0].n = 1;
	nd[0].act_min = -128;
	nd[0].act_max = 127;
	nd[0].w = w;
	nd[0].bias = &bias;
	nd[0].mult = &mult;
	nd[0].shift = &shift;
	g.n_tensors = 2;
	g.n_nodes = 1;
	g.tensors = t;
	g.nodes = nd;
	rc = aimc_graph_forward(&g, x, 1, y);
	report(rc == AIMC_OK, "forward of a one-CONV graph", "rc %d", rc);
	check_bytes("CONV with SAME padding (hand values)", y, want, 4);
	report(aimc_graph_vectors(&g, &nd[0]) == 4, "vectors(CONV) = out_h*out_w", "%u",
	       aimc_graph_vectors(&g, &nd[0]));
	aimc_graph_im2col(&g, &nd[0], x, rows);
	/* row of pixel (0,0): window rows -1..1, cols -1..1: padding is the zero point 1 */
	check_bytes("im2col CONV: padding filled with the input zero point", rows, want_row0, 9);

	nd[1].op = AIMC_GOP_FC;
	nd[1].in0 = 2;
	nd[1].out = 3;
	nd[1].in1 = AIMC_NO_TENSOR;
	nd[1].k = 4;
	nd[1].n = 2;
	nd[1].act_min = -128;
	nd[1].act_max = 127;
	nd[1].w = wf;
	nd[1].bias = fb;
	nd[1].mult = fm;
	nd[1].shift = fs;
	nd[1].eff_scale = fe;
	g.tensors = t + 2;
	g.nodes = &nd[1];
	nd[1].in0 = 0;
	nd[1].out = 1;
	rc = aimc_graph_forward(&g, x, 1, y);
	report(rc == AIMC_OK, "forward of a one-FC graph", "rc %d", rc);
	check_bytes("FC: double requant, clamp (hand values)", y, want_fc, 2);
}

/* The chip path (im2col rows . W with the zero point taken out, then out_stage) equals the
 * reference loops of aimc_graph_forward on every chip node of the test graph, and the whole
 * graph equals chaining host_node and that path node by node. */
static void test_im2col_path(void)
{
	aimc_graph g = test_graph();
	int8_t *buf[NT], *y, *yref, *rows;
	size_t total = 0;
	uint32_t i, s, v, c, kk, samples = 16;
	int ok = 1, rc;

	for (i = 0; i < NT; i++) {
		buf[i] = malloc(aimc_tensor_len(&g.tensors[i]));
		total += aimc_tensor_len(&g.tensors[i]);
	}
	(void)total;
	rows = malloc(16 * 18 * 3 * 9);
	y = malloc(samples * 4);
	yref = malloc(samples * 4);
	{
		int8_t *x = malloc(samples * 32);

		rng_state = seed ^ 0x5EEDull;
		for (i = 0; i < samples * 32; i++)
			x[i] = (int8_t)(rng64() & 0xFF);
		rc = aimc_graph_forward(&g, x, samples, yref);
		report(rc == AIMC_OK, "forward of the test graph", "rc %d", rc);
		for (s = 0; s < samples && ok; s++) {
			memcpy(buf[0], x + (size_t)s * 32, 32);
			for (i = 0; i < NN && ok; i++) {
				const aimc_node *nd = &g.nodes[i];

				if (!aimc_gop_on_chip(nd->op)) {
					ok = aimc_graph_host_node(&g, nd, buf[nd->in0],
								  nd->in1 == AIMC_NO_TENSOR ? NULL :
								  buf[nd->in1], buf[nd->out]) == AIMC_OK;
					continue;
				}
				aimc_graph_im2col(&g, nd, buf[nd->in0], rows);
				for (v = 0; v < aimc_graph_vectors(&g, nd); v++) {
					/* CONV / FC: row v is pixel v, all n channels; DWCONV: row
					 * v is channel v % n of pixel v / n */
					uint32_t c0 = nd->op == AIMC_GOP_DWCONV ? v % nd->n : 0;
					uint32_t c1 = nd->op == AIMC_GOP_DWCONV ? c0 + 1 : nd->n;
					int32_t zp = g.tensors[nd->in0].zero_point;

					for (c = c0; c < c1; c++) {
						int64_t acc = 0;

						for (kk = 0; kk < nd->k; kk++)
							acc += (int64_t)nd->w[(size_t)c * nd->k + kk] *
							       (rows[(size_t)v * nd->k + kk] - zp);
						buf[nd->out][nd->op == AIMC_GOP_DWCONV ? v :
							     (size_t)v * nd->n + c] =
							aimc_graph_out_stage(&g, nd, c, acc);
					}
				}
			}
			memcpy(y + (size_t)s * 4, buf[8], 4);
		}
		free(x);
	}
	report(ok && memcmp(y, yref, samples * 4) == 0,
	       "im2col + out_stage + host nodes == aimc_graph_forward (16 random inputs)",
	       "outputs differ");
	{
		/* the softmax outputs must be a distribution: 4 values summing to about 256 - 512 */
		int sum = 0;

		for (c = 0; c < 4; c++)
			sum += yref[c] + 128;
		report(sum >= 252 && sum <= 260, "test graph output is a softmax distribution",
		       "sum %d", sum);
	}
	for (i = 0; i < NT; i++)
		free(buf[i]);
	free(rows);
	free(y);
	free(yref);
	/* forward checks through the loader */
	tg_n[2].stride_h = 1; /* 4x4 -> 2x2 with a 2x2 kernel is neither SAME nor VALID at stride 1 */
	{
		int8_t x[32] = { 0 }, o[4];

		rc = aimc_graph_forward(&g, x, 1, o);
		report(rc == AIMC_EINVAL, "forward refuses a graph the loader refuses", "rc %d", rc);
		rc = aimc_graph_forward(NULL, x, 1, o);
		report(rc == AIMC_EINVAL, "forward refuses NULL", "rc %d", rc);
	}
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	test_valid_and_round_trip();
	test_header_rules();
	test_tensor_rules();
	test_node_rules();
	test_softmax_depth();
	test_files_and_versions(argv[0]);
	test_requant();
	test_fc_round();
	test_host_ops();
	test_chip_nodes_by_hand();
	test_im2col_path();
	printf("%s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
