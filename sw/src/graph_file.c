/* SPDX-License-Identifier: Apache-2.0 */
/* Network file version 3 (a graph of TFLite int8 operators): reader, validator and writer
 * (docs/network-format.md, "Version 3"). The loader is the one definition of a valid graph:
 * aimc_graph_to_mem and aimc_graph_forward check through it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_priv.h"
#include "khnf_io.h"

#define G_MAGIC "KHNF"
#define G_VERSION 3u
#define G_HEADER_SIZE 32u
#define G_CRC_SIZE 4u
#define G_TTAB_HEAD 8u          /* n_tensors, reserved */
#define G_TENSOR_SIZE 24u
#define G_NODE_SIZE 96u
#define G_MAX_LEN (1u << 24)    /* elements of one tensor */
#define G_MAX_DIM 65535u        /* k, n, kh, kw, strides, pads */
#define G_MAX_ADC_SHIFT 15u
#define G_MULT_MIN (1 << 30)    /* a non-zero multiplier is in [2^30, 2^31 - 1] */
#define G_SHIFT_MIN (-31)
#define G_SHIFT_MAX 30
#define G_ADD_MAX_LEFT_SHIFT 22 /* (|x| <= 255) << 22, summed twice, stays inside int32 */
#define G_SOFTMAX_MAX_DEPTH 4095u /* 4095 exps of at most 2^19 (Q12) sum inside int32 */
#define G_MAX_FILE_BYTES (1ull << 32)

/* Header field offsets (as versions 1 and 2). */
enum {
	HDR_VERSION = 4,
	HDR_HEADER_SIZE = 6,
	HDR_N_NODES = 8,
	HDR_N_INPUTS = 12,
	HDR_N_CLASSES = 16,
	HDR_IN_SCALE = 20,
	HDR_FLAGS = 24,
	HDR_FILE_SIZE = 28
};

/* Node record field offsets, relative to the record. */
enum {
	ND_OP = 0,
	ND_IN0 = 4,
	ND_IN1 = 8,
	ND_OUT = 12,
	ND_KH = 16,
	ND_KW = 20,
	ND_STRIDE_H = 24,
	ND_STRIDE_W = 28,
	ND_PAD_TOP = 32,
	ND_PAD_LEFT = 36,
	ND_ACT_MIN = 40,
	ND_ACT_MAX = 44,
	ND_K = 48,
	ND_N = 52,
	ND_ADC_SHIFT = 56,
	ND_P = 60,
	ND_RESERVED = 88
};

static const char *const window_names[6] = { "kh", "kw", "stride_h", "stride_w", "pad_top",
					     "pad_left" };

int aimc_gop_on_chip(uint32_t op)
{
	return op == AIMC_GOP_FC || op == AIMC_GOP_CONV || op == AIMC_GOP_DWCONV;
}

const char *aimc_gop_name(uint32_t op)
{
	switch (op) {
	case AIMC_GOP_FC:
		return "FC";
	case AIMC_GOP_CONV:
		return "CONV";
	case AIMC_GOP_DWCONV:
		return "DWCONV";
	case AIMC_GOP_ADD:
		return "ADD";
	case AIMC_GOP_AVGPOOL:
		return "AVGPOOL";
	case AIMC_GOP_MAXPOOL:
		return "MAXPOOL";
	case AIMC_GOP_RESHAPE:
		return "RESHAPE";
	case AIMC_GOP_SOFTMAX:
		return "SOFTMAX";
	default:
		return "?";
	}
}

uint32_t aimc_tensor_len(const aimc_tensor *t)
{
	uint64_t n;

	if (t == NULL)
		return 0;
	n = (uint64_t)t->h * t->w * t->c;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static int is_window_op(uint32_t op)
{
	return op == AIMC_GOP_CONV || op == AIMC_GOP_DWCONV || op == AIMC_GOP_AVGPOOL ||
	       op == AIMC_GOP_MAXPOOL;
}

static int has_act(uint32_t op)
{
	return op != AIMC_GOP_RESHAPE && op != AIMC_GOP_SOFTMAX;
}

/* ---- bytes ---------------------------------------------------------------------------------- */

static uint64_t pad4(uint64_t n)
{
	return (4u - (n & 3u)) & 3u;
}

/* Bytes of a node record and its arrays. */
static uint64_t node_bytes(uint32_t op, uint32_t k, uint32_t n)
{
	uint64_t wb = (uint64_t)k * n;

	if (!aimc_gop_on_chip(op))
		return G_NODE_SIZE;
	return G_NODE_SIZE + wb + pad4(wb) + 12ull * n + (op == AIMC_GOP_FC ? 8ull * n : 0u);
}

/* ---- version ------------------------------------------------------------------------------ */

static int header_version(const uint8_t *buf, size_t len, uint32_t *version, char *err,
			  size_t errlen)
{
	uint32_t v;

	if (len < G_HEADER_SIZE + G_CRC_SIZE)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "short file: %zu bytes, a network file has at least %u (header + CRC)",
			       len, G_HEADER_SIZE + G_CRC_SIZE);
	if (memcmp(buf, G_MAGIC, 4) != 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'magic' at byte 0: %02x %02x %02x %02x, expected 'KHNF'",
			       buf[0], buf[1], buf[2], buf[3]);
	v = (uint32_t)buf[HDR_VERSION] | ((uint32_t)buf[HDR_VERSION + 1] << 8);
	if (v < 1 || v > 3)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'version' at byte %d: %u, known versions are 1, 2 "
			       "(chains of layers) and 3 (graphs)", HDR_VERSION, v);
	*version = v;
	return AIMC_OK;
}

int aimc_netfile_version(const char *path, uint32_t *version, char *err, size_t errlen)
{
	uint8_t head[G_HEADER_SIZE + G_CRC_SIZE];
	FILE *f;
	size_t got;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || version == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_netfile_version: NULL argument");
	*version = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return aimc_set_err(err, errlen, AIMC_EIO, "%s: cannot open: %s", path, strerror(errno));
	got = fread(head, 1, sizeof(head), f);
	if (ferror(f)) {
		fclose(f);
		return aimc_set_err(err, errlen, AIMC_EIO, "%s: read error", path);
	}
	fclose(f);
	rc = header_version(head, got, version, err, errlen);
	if (rc != AIMC_OK)
		aimc_khnf_prefix_path(path, err, errlen);
	return rc;
}

/* ---- loader ------------------------------------------------------------------------------- */

void aimc_graph_free(aimc_graph *g)
{
	uint32_t i;

	if (g == NULL)
		return;
	if (g->nodes != NULL) {
		for (i = 0; i < g->n_nodes; i++) {
			free(g->nodes[i].w);
			free(g->nodes[i].bias);
			free(g->nodes[i].mult);
			free(g->nodes[i].shift);
			free(g->nodes[i].eff_scale);
		}
		free(g->nodes);
	}
	free(g->tensors);
	memset(g, 0, sizeof(*g));
}

static int scale_ok(float s)
{
	return isfinite(s) && s > 0.0f;
}

static int load_tensors(aimc_graph *g, const uint8_t *buf, uint64_t avail, uint64_t *next,
			char *err, size_t errlen)
{
	uint64_t off = G_HEADER_SIZE;
	uint32_t n, rsvd, i;

	if (off + G_TTAB_HEAD > avail)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "tensor table: needs %u bytes at byte %llu (short file)", G_TTAB_HEAD,
			       (unsigned long long)off);
	n = rd32(buf + off);
	rsvd = rd32(buf + off + 4);
	if (n < 2 || n > AIMC_GRAPH_MAX_TENSORS)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "tensor table field 'n_tensors' at byte %llu: %u is outside 2..%u",
			       (unsigned long long)off, n, AIMC_GRAPH_MAX_TENSORS);
	if (rsvd != 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "tensor table field 'reserved' at byte %llu: 0x%08x, must be 0",
			       (unsigned long long)(off + 4), rsvd);
	off += G_TTAB_HEAD;
	if (off + (uint64_t)n * G_TENSOR_SIZE > avail)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "tensor table: %u records need %llu bytes at byte %llu, only %llu "
			       "before the CRC trailer (short file)", n,
			       (unsigned long long)n * G_TENSOR_SIZE, (unsigned long long)off,
			       (unsigned long long)(avail - off));
	g->tensors = calloc(n, sizeof(*g->tensors));
	if (g->tensors == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "out of memory for %u tensors", n);
	g->n_tensors = n;
	for (i = 0; i < n; i++, off += G_TENSOR_SIZE) {
		static const char *const dn[3] = { "h", "w", "c" };
		aimc_tensor *t = &g->tensors[i];
		uint32_t d[3], bits;
		int32_t zp;
		int j;

		for (j = 0; j < 3; j++) {
			d[j] = rd32(buf + off + 4u * (unsigned)j);
			if (d[j] < 1 || d[j] > G_MAX_LEN)
				return aimc_set_err(err, errlen, AIMC_EFORMAT,
					       "tensor %u field '%s' at byte %llu: %u is outside 1..%u",
					       i, dn[j], (unsigned long long)(off + 4u * (unsigned)j),
					       d[j], G_MAX_LEN);
		}
		if ((uint64_t)d[0] * d[1] * d[2] > G_MAX_LEN)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "tensor %u field 'c' at byte %llu: %ux%ux%u has more than %u "
				       "elements", i, (unsigned long long)(off + 8), d[0], d[1], d[2],
				       G_MAX_LEN);
		zp = (int32_t)rd32(buf + off + 12);
		if (zp < -128 || zp > 127)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "tensor %u field 'zero_point' at byte %llu: %d is outside "
				       "-128..127", i, (unsigned long long)(off + 12), zp);
		bits = rd32(buf + off + 16);
		memcpy(&t->scale, &bits, sizeof(t->scale));
		if (!scale_ok(t->scale))
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "tensor %u field 'scale' at byte %llu: %g (0x%08x) is not "
				       "finite and > 0", i, (unsigned long long)(off + 16),
				       (double)t->scale, bits);
		rsvd = rd32(buf + off + 20);
		if (rsvd != 0)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "tensor %u field 'reserved' at byte %llu: 0x%08x, must be 0", i,
				       (unsigned long long)(off + 20), rsvd);
		t->h = d[0];
		t->w = d[1];
		t->c = d[2];
		t->zero_point = zp;
	}
	*next = off;
	return AIMC_OK;
}

/* One spatial dimension as TFLite computes it (tensorflow/lite/kernels/padding.h, ComputeOutSize
 * and ComputePaddingHeightWidth): SAME out = ceil(in / s), pad = max(((out - 1)·s + k - in) / 2, 0)
 * (the odd remainder goes after); VALID out = (in - k) / s + 1 with k <= in, pad 0. */
static void dim_same(uint32_t in, uint32_t k, uint32_t s, uint32_t *out, uint32_t *pad)
{
	int64_t o = ((int64_t)in + s - 1) / s;
	int64_t total = (o - 1) * (int64_t)s + k - in;

	*out = (uint32_t)o;
	*pad = total > 0 ? (uint32_t)(total / 2) : 0u;
}

static uint32_t dim_valid(uint32_t in, uint32_t k, uint32_t s)
{
	return k > in ? 0u : (in - k) / s + 1u;
}

static int check_mult(const char *field, uint32_t ni, int32_t m, uint64_t at, char *err,
		      size_t errlen)
{
	if (m != 0 && m < G_MULT_MIN)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field '%s' at byte %llu: %d is neither 0 nor in "
			       "[2^30, 2^31 - 1]", ni, field, (unsigned long long)at, m);
	return AIMC_OK;
}

static int check_range(const char *field, uint32_t ni, int32_t v, int32_t lo, int32_t hi,
		       uint64_t at, char *err, size_t errlen)
{
	if (v < lo || v > hi)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field '%s' at byte %llu: %d is outside %d..%d", ni, field,
			       (unsigned long long)at, v, lo, hi);
	return AIMC_OK;
}

/* p[] of one node: ADD and SOFTMAX parameters, zero for every other operator. */
static int check_params(const aimc_node *nd, uint32_t ni, uint64_t off, char *err, size_t errlen)
{
	static const char *const add_names[7] = { "p.left_shift", "p.in1_mult", "p.in1_shift",
						  "p.in2_mult", "p.in2_shift", "p.out_mult",
						  "p.out_shift" };
	uint64_t at = off + ND_P;
	int rc, i, used = 0;

	if (nd->op == AIMC_GOP_ADD) {
		used = 7;
		rc = check_range(add_names[0], ni, nd->p[0], 0, G_ADD_MAX_LEFT_SHIFT, at, err,
				 errlen);
		for (i = 1; rc == AIMC_OK && i < 7; i += 2) {
			rc = check_mult(add_names[i], ni, nd->p[i], at + 4u * (unsigned)i, err, errlen);
			if (rc == AIMC_OK)
				rc = check_range(add_names[i + 1], ni, nd->p[i + 1], G_SHIFT_MIN, 0,
						 at + 4u * (unsigned)(i + 1), err, errlen);
		}
		if (rc != AIMC_OK)
			return rc;
	} else if (nd->op == AIMC_GOP_SOFTMAX) {
		int64_t reach;

		used = 3;
		rc = check_mult("p.input_mult", ni, nd->p[0], at, err, errlen);
		if (rc == AIMC_OK)
			rc = check_range("p.input_left_shift", ni, nd->p[1], 0, 30, at + 4, err,
					 errlen);
		if (rc == AIMC_OK)
			rc = check_range("p.diff_min", ni, nd->p[2], INT32_MIN, 0, at + 8, err,
					 errlen);
		if (rc != AIMC_OK)
			return rc;
		/* diff_min is TFLite's CalculateInputRadius bound: every difference it admits (int8
		 * differences are >= -255), shifted left by input_left_shift, stays inside int32. */
		reach = -(int64_t)nd->p[2];
		if (reach > 255)
			reach = 255;
		reach *= (int64_t)1 << nd->p[1];
		if (reach > INT32_MAX)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field 'p.diff_min' at byte %llu: %d << %d leaves int32 "
				       "(TFLite's input radius keeps it inside)", ni,
				       (unsigned long long)(at + 8), nd->p[2], nd->p[1]);
	}
	for (i = used; i < 7; i++)
		if (nd->p[i] != 0)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field 'p[%d]' at byte %llu: %d, must be 0 for %s", ni, i,
				       (unsigned long long)(at + 4u * (unsigned)i), nd->p[i],
				       aimc_gop_name(nd->op));
	return AIMC_OK;
}

/* A tensor id field of node ni: in range and already written (inputs), or not yet written and
 * not the graph input (outputs). */
static int check_tensor_ref(const aimc_graph *g, const uint8_t *written, uint32_t ni,
			    const char *field, uint32_t id, int is_out, uint64_t at, char *err,
			    size_t errlen)
{
	if (id >= g->n_tensors)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field '%s' at byte %llu: tensor %u is outside 0..%u", ni,
			       field, (unsigned long long)at, id, g->n_tensors - 1);
	if (is_out && id == 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field '%s' at byte %llu: tensor 0 is the graph input, no node "
			       "writes it", ni, field, (unsigned long long)at);
	if (is_out && written[id])
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field '%s' at byte %llu: tensor %u is already written by an "
			       "earlier node (each tensor is written exactly once)", ni, field,
			       (unsigned long long)at, id);
	if (!is_out && !written[id])
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field '%s' at byte %llu: tensor %u is read before any node "
			       "writes it (nodes are in execution order)", ni, field,
			       (unsigned long long)at, id);
	return AIMC_OK;
}

static int same_shape(const aimc_tensor *a, const aimc_tensor *b)
{
	return a->h == b->h && a->w == b->w && a->c == b->c;
}

/* Shapes and quantization of node ni's tensors for its operator. */
static int check_shapes(const aimc_graph *g, const aimc_node *nd, uint32_t ni, uint64_t off,
			char *err, size_t errlen)
{
	const aimc_tensor *in = &g->tensors[nd->in0], *out = &g->tensors[nd->out];
	const char *name = aimc_gop_name(nd->op);

	if (is_window_op(nd->op)) {
		uint32_t sh, ph, sw, pw, vh, vw;
		int same_ok, valid_ok;

		dim_same(in->h, nd->kh, nd->stride_h, &sh, &ph);
		dim_same(in->w, nd->kw, nd->stride_w, &sw, &pw);
		vh = dim_valid(in->h, nd->kh, nd->stride_h);
		vw = dim_valid(in->w, nd->kw, nd->stride_w);
		same_ok = out->h == sh && out->w == sw && nd->pad_top == ph && nd->pad_left == pw;
		valid_ok = out->h == vh && out->w == vw && nd->pad_top == 0 && nd->pad_left == 0;
		if (!same_ok && !valid_ok)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (%s) field 'pad_top' at byte %llu: input %ux%u, kernel "
				       "%ux%u, strides %u,%u: output tensor %u is %ux%u with pad_top %u, "
				       "pad_left %u; TFLite's SAME gives %ux%u with pads %u,%u, VALID "
				       "gives %ux%u with pads 0,0", ni, name,
				       (unsigned long long)(off + ND_PAD_TOP), in->h, in->w, nd->kh,
				       nd->kw, nd->stride_h, nd->stride_w, nd->out, out->h, out->w,
				       nd->pad_top, nd->pad_left, sh, sw, ph, pw, vh, vw);
	}
	switch (nd->op) {
	case AIMC_GOP_FC:
		if (aimc_tensor_len(in) != nd->k)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (FC) field 'k' at byte %llu: %u, but input tensor %u has "
				       "%u elements", ni, (unsigned long long)(off + ND_K), nd->k,
				       nd->in0, aimc_tensor_len(in));
		if (out->h != 1 || out->w != 1 || out->c != nd->n)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (FC) field 'out' at byte %llu: tensor %u is %ux%ux%u, "
				       "expected 1x1x%u (n)", ni, (unsigned long long)(off + ND_OUT),
				       nd->out, out->h, out->w, out->c, nd->n);
		break;
	case AIMC_GOP_CONV:
		if ((uint64_t)nd->kh * nd->kw * in->c != nd->k)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (CONV) field 'k' at byte %llu: %u, but kh*kw*in_c = "
				       "%ux%ux%u = %llu", ni, (unsigned long long)(off + ND_K), nd->k,
				       nd->kh, nd->kw, in->c,
				       (unsigned long long)nd->kh * nd->kw * in->c);
		if (out->c != nd->n)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (CONV) field 'n' at byte %llu: %u, but output tensor %u "
				       "has %u channels", ni, (unsigned long long)(off + ND_N), nd->n,
				       nd->out, out->c);
		break;
	case AIMC_GOP_DWCONV:
		if ((uint64_t)nd->kh * nd->kw != nd->k)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (DWCONV) field 'k' at byte %llu: %u, but kh*kw = %ux%u",
				       ni, (unsigned long long)(off + ND_K), nd->k, nd->kh, nd->kw);
		if (in->c != nd->n || out->c != nd->n)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (DWCONV) field 'n' at byte %llu: %u, but the input has "
				       "%u and the output %u channels (depth multiplier 1: all equal)",
				       ni, (unsigned long long)(off + ND_N), nd->n, in->c, out->c);
		break;
	case AIMC_GOP_AVGPOOL:
	case AIMC_GOP_MAXPOOL:
		if (out->c != in->c)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (%s) field 'out' at byte %llu: tensor %u has %u "
				       "channels, the input %u", ni, name,
				       (unsigned long long)(off + ND_OUT), nd->out, out->c, in->c);
		break;
	case AIMC_GOP_ADD: {
		const aimc_tensor *in1 = &g->tensors[nd->in1];

		if (!same_shape(in, in1) || !same_shape(in, out))
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (ADD) field 'out' at byte %llu: shapes %ux%ux%u + "
				       "%ux%ux%u -> %ux%ux%u are not all equal (no broadcasting)", ni,
				       (unsigned long long)(off + ND_OUT), in->h, in->w, in->c,
				       in1->h, in1->w, in1->c, out->h, out->w, out->c);
		break;
	}
	case AIMC_GOP_RESHAPE:
		if (aimc_tensor_len(in) != aimc_tensor_len(out))
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (RESHAPE) field 'out' at byte %llu: tensor %u has %u "
				       "elements, the input %u", ni, (unsigned long long)(off + ND_OUT),
				       nd->out, aimc_tensor_len(out), aimc_tensor_len(in));
		break;
	case AIMC_GOP_SOFTMAX:
		if (!same_shape(in, out))
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (SOFTMAX) field 'out' at byte %llu: tensor %u is "
				       "%ux%ux%u, the input %ux%ux%u", ni,
				       (unsigned long long)(off + ND_OUT), nd->out, out->h, out->w,
				       out->c, in->h, in->w, in->c);
		if (in->c > G_SOFTMAX_MAX_DEPTH)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (SOFTMAX) field 'in0' at byte %llu: softmax over %u "
				       "channels, at most %u (the Q12 sum of exponentials stays in "
				       "int32)", ni, (unsigned long long)(off + ND_IN0), in->c,
				       G_SOFTMAX_MAX_DEPTH);
		if (out->zero_point != -128)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u (SOFTMAX) field 'out' at byte %llu: tensor %u has zero "
				       "point %d, TFLite's int8 softmax writes -128", ni,
				       (unsigned long long)(off + ND_OUT), nd->out, out->zero_point);
		break;
	default:
		break;
	}
	/* Pools and RESHAPE move int8 values without requantizing; their reference kernels read no
	 * scale or zero point (TFLite's pooling Prepare only DCHECKs that they are equal), so the
	 * loader does not require it either. */
	return AIMC_OK;
}

/* Validate and convert node record ni at buf[off]; `avail` is the number of bytes before the CRC
 * trailer. On success *next is the offset just past the record and its arrays. */
static int load_node(aimc_graph *g, uint8_t *written, uint32_t ni, const uint8_t *buf,
		     uint64_t off, uint64_t avail, uint64_t *next, char *err, size_t errlen)
{
	aimc_node *nd = &g->nodes[ni];
	const uint8_t *r;
	uint32_t win[6], rsvd, i;
	uint64_t wbytes, pos, bytes;
	int rc, j;

	if (off + G_NODE_SIZE > avail)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u: record needs %u bytes at byte %llu, only %llu before the CRC "
			       "trailer (short file)", ni, G_NODE_SIZE, (unsigned long long)off,
			       (unsigned long long)(avail - off));
	r = buf + off;
	nd->op = rd32(r + ND_OP);
	if (nd->op < AIMC_GOP_FC || nd->op > AIMC_GOP_SOFTMAX)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field 'op' at byte %llu: %u is not a known operator (1 FC, "
			       "2 CONV, 3 DWCONV, 4 ADD, 5 AVGPOOL, 6 MAXPOOL, 7 RESHAPE, 8 SOFTMAX)",
			       ni, (unsigned long long)(off + ND_OP), nd->op);
	nd->in0 = rd32(r + ND_IN0);
	nd->in1 = rd32(r + ND_IN1);
	nd->out = rd32(r + ND_OUT);
	rc = check_tensor_ref(g, written, ni, "in0", nd->in0, 0, off + ND_IN0, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	if (nd->op == AIMC_GOP_ADD) {
		rc = check_tensor_ref(g, written, ni, "in1", nd->in1, 0, off + ND_IN1, err, errlen);
		if (rc != AIMC_OK)
			return rc;
	} else if (nd->in1 != AIMC_NO_TENSOR) {
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field 'in1' at byte %llu: %u, must be 0xFFFFFFFF for %s", ni,
			       (unsigned long long)(off + ND_IN1), nd->in1, aimc_gop_name(nd->op));
	}
	rc = check_tensor_ref(g, written, ni, "out", nd->out, 1, off + ND_OUT, err, errlen);
	if (rc != AIMC_OK)
		return rc;

	for (j = 0; j < 6; j++) {
		uint64_t at = off + ND_KH + 4u * (unsigned)j;

		win[j] = rd32(buf + at);
		if (!is_window_op(nd->op) && win[j] != 0)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field '%s' at byte %llu: %u, must be 0 for %s", ni,
				       window_names[j], (unsigned long long)at, win[j],
				       aimc_gop_name(nd->op));
		if (is_window_op(nd->op) && j < 4 && (win[j] < 1 || win[j] > G_MAX_DIM))
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field '%s' at byte %llu: %u is outside 1..%u", ni,
				       window_names[j], (unsigned long long)at, win[j], G_MAX_DIM);
		if (is_window_op(nd->op) && j >= 4 && win[j] >= win[j - 4])
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field '%s' at byte %llu: %u, must be below the kernel's "
				       "%u", ni, window_names[j], (unsigned long long)at, win[j],
				       win[j - 4]);
	}
	nd->kh = win[0];
	nd->kw = win[1];
	nd->stride_h = win[2];
	nd->stride_w = win[3];
	nd->pad_top = win[4];
	nd->pad_left = win[5];

	nd->act_min = (int32_t)rd32(r + ND_ACT_MIN);
	nd->act_max = (int32_t)rd32(r + ND_ACT_MAX);
	if (has_act(nd->op)) {
		rc = check_range("act_min", ni, nd->act_min, -128, 127, off + ND_ACT_MIN, err, errlen);
		if (rc == AIMC_OK)
			rc = check_range("act_max", ni, nd->act_max, nd->act_min, 127, off + ND_ACT_MAX,
					 err, errlen);
		if (rc != AIMC_OK)
			return rc;
	} else if (nd->act_min != 0 || nd->act_max != 0) {
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field 'act_min' at byte %llu: %d, %d, both must be 0 for %s",
			       ni, (unsigned long long)(off + ND_ACT_MIN), nd->act_min, nd->act_max,
			       aimc_gop_name(nd->op));
	}

	nd->k = rd32(r + ND_K);
	nd->n = rd32(r + ND_N);
	nd->adc_shift = rd32(r + ND_ADC_SHIFT);
	if (aimc_gop_on_chip(nd->op)) {
		if (nd->k < 1 || nd->k > G_MAX_DIM)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field 'k' at byte %llu: %u is outside 1..%u", ni,
				       (unsigned long long)(off + ND_K), nd->k, G_MAX_DIM);
		if (nd->n < 1 || nd->n > G_MAX_DIM)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field 'n' at byte %llu: %u is outside 1..%u", ni,
				       (unsigned long long)(off + ND_N), nd->n, G_MAX_DIM);
		if (nd->adc_shift > G_MAX_ADC_SHIFT)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field 'adc_shift' at byte %llu: %u is outside 0..%u",
				       ni, (unsigned long long)(off + ND_ADC_SHIFT), nd->adc_shift,
				       G_MAX_ADC_SHIFT);
	} else if (nd->k != 0 || nd->n != 0 || nd->adc_shift != 0) {
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u field 'k' at byte %llu: k, n, adc_shift are %u, %u, %u, all "
			       "must be 0 for %s", ni, (unsigned long long)(off + ND_K), nd->k, nd->n,
			       nd->adc_shift, aimc_gop_name(nd->op));
	}
	for (j = 0; j < 7; j++)
		nd->p[j] = (int32_t)rd32(r + ND_P + 4u * (unsigned)j);
	rc = check_params(nd, ni, off, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	for (j = 0; j < 2; j++) {
		rsvd = rd32(r + ND_RESERVED + 4u * (unsigned)j);
		if (rsvd != 0)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "node %u field 'reserved[%d]' at byte %llu: 0x%08x, must be 0",
				       ni, j, (unsigned long long)(off + ND_RESERVED + 4u * (unsigned)j),
				       rsvd);
	}
	rc = check_shapes(g, nd, ni, off, err, errlen);
	if (rc != AIMC_OK)
		return rc;

	bytes = node_bytes(nd->op, nd->k, nd->n);
	if (off + bytes > avail)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "node %u (%s, k=%u, n=%u): record needs %llu bytes at byte %llu, only "
			       "%llu before the CRC trailer (short file)", ni, aimc_gop_name(nd->op),
			       nd->k, nd->n, (unsigned long long)bytes, (unsigned long long)off,
			       (unsigned long long)(avail - off));
	pos = off + G_NODE_SIZE;
	if (aimc_gop_on_chip(nd->op)) {
		wbytes = (uint64_t)nd->k * nd->n;
		nd->w = malloc((size_t)wbytes);
		nd->bias = malloc((size_t)nd->n * sizeof(*nd->bias));
		nd->mult = malloc((size_t)nd->n * sizeof(*nd->mult));
		nd->shift = malloc((size_t)nd->n * sizeof(*nd->shift));
		if (nd->w == NULL || nd->bias == NULL || nd->mult == NULL || nd->shift == NULL)
			return aimc_set_err(err, errlen, AIMC_ENOMEM,
				       "node %u (k=%u, n=%u): out of memory", ni, nd->k, nd->n);
		for (i = 0; i < wbytes; i++) {
			int8_t w = (int8_t)buf[pos + i];

			if (w == -128)
				return aimc_set_err(err, errlen, AIMC_EFORMAT,
					       "node %u field 'weights' at byte %llu: W[%u][%u] is -128, "
					       "outside -127..127", ni, (unsigned long long)(pos + i),
					       i / nd->k, i % nd->k);
			nd->w[i] = w;
		}
		pos += wbytes;
		for (i = 0; i < pad4(wbytes); i++)
			if (buf[pos + i] != 0)
				return aimc_set_err(err, errlen, AIMC_EFORMAT,
					       "node %u field 'padding' at byte %llu: 0x%02x, must be 0",
					       ni, (unsigned long long)(pos + i), buf[pos + i]);
		pos += pad4(wbytes);
		for (i = 0; i < nd->n; i++)
			nd->bias[i] = (int32_t)rd32(buf + pos + 4ull * i);
		pos += 4ull * nd->n;
		for (i = 0; i < nd->n; i++) {
			nd->mult[i] = (int32_t)rd32(buf + pos + 4ull * i);
			if (nd->mult[i] != 0 && nd->mult[i] < G_MULT_MIN)
				return aimc_set_err(err, errlen, AIMC_EFORMAT,
					       "node %u field 'mult' at byte %llu: mult[%u] = %d is "
					       "neither 0 nor in [2^30, 2^31 - 1]", ni,
					       (unsigned long long)(pos + 4ull * i), i, nd->mult[i]);
		}
		pos += 4ull * nd->n;
		for (i = 0; i < nd->n; i++) {
			nd->shift[i] = (int32_t)rd32(buf + pos + 4ull * i);
			if (nd->shift[i] < G_SHIFT_MIN || nd->shift[i] > G_SHIFT_MAX)
				return aimc_set_err(err, errlen, AIMC_EFORMAT,
					       "node %u field 'shift' at byte %llu: shift[%u] = %d is "
					       "outside %d..%d", ni, (unsigned long long)(pos + 4ull * i),
					       i, nd->shift[i], G_SHIFT_MIN, G_SHIFT_MAX);
		}
		pos += 4ull * nd->n;
	}
	if (nd->op == AIMC_GOP_FC) {
		nd->eff_scale = malloc((size_t)nd->n * sizeof(*nd->eff_scale));
		if (nd->eff_scale == NULL)
			return aimc_set_err(err, errlen, AIMC_ENOMEM, "node %u (n=%u): out of memory", ni,
				       nd->n);
		for (i = 0; i < nd->n; i++) {
			uint64_t bits = rd32(buf + pos + 8ull * i) |
					((uint64_t)rd32(buf + pos + 8ull * i + 4) << 32);

			/* a finite binary64 > 0: sign clear, exponent not all ones, not zero */
			if ((bits >> 63) != 0 || ((bits >> 52) & 0x7FFu) == 0x7FFu || bits == 0)
				return aimc_set_err(err, errlen, AIMC_EFORMAT,
					       "node %u field 'eff_scale' at byte %llu: eff_scale[%u] = "
					       "0x%016llx is not a finite binary64 > 0", ni,
					       (unsigned long long)(pos + 8ull * i), i,
					       (unsigned long long)bits);
			nd->eff_scale[i] = bits;
		}
		pos += 8ull * nd->n;
	}
	written[nd->out] = 1;
	*next = pos;
	return AIMC_OK;
}

int aimc_graph_load_mem(aimc_graph *g, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint32_t version, header_size, n_nodes, n_inputs, n_classes, flags, file_size, bits;
	uint32_t crc_file, crc_calc, i, out_len;
	uint64_t off = 0, avail;
	uint8_t *written = NULL;
	float in_scale;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (g == NULL || (buf == NULL && len > 0))
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_graph_load_mem: NULL argument");
	memset(g, 0, sizeof(*g));
	rc = header_version(buf, len, &version, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	if (version != G_VERSION)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'version' at byte %d: %u is a chain of layers; read it "
			       "with aimc_net_load (aimc_graph_load reads version 3, graphs)",
			       HDR_VERSION, version);
	header_size = (uint32_t)buf[HDR_HEADER_SIZE] | ((uint32_t)buf[HDR_HEADER_SIZE + 1] << 8);
	if (header_size != G_HEADER_SIZE)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'header_size' at byte %d: %u, expected %u",
			       HDR_HEADER_SIZE, header_size, G_HEADER_SIZE);
	file_size = rd32(buf + HDR_FILE_SIZE);
	if ((uint64_t)file_size != (uint64_t)len)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'file_size' at byte %d: %u, but the file has %zu bytes",
			       HDR_FILE_SIZE, file_size, len);
	crc_file = rd32(buf + len - G_CRC_SIZE);
	crc_calc = aimc_khnf_crc32(buf, len - G_CRC_SIZE);
	if (crc_file != crc_calc)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "trailer field 'crc32' at byte %zu: 0x%08x, but the bytes before it give "
			       "0x%08x (corrupt file)", len - G_CRC_SIZE, crc_file, crc_calc);
	n_nodes = rd32(buf + HDR_N_NODES);
	if (n_nodes < 1 || n_nodes > AIMC_GRAPH_MAX_NODES)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'n_layers' at byte %d: %u nodes is outside 1..%u",
			       HDR_N_NODES, n_nodes, AIMC_GRAPH_MAX_NODES);
	n_inputs = rd32(buf + HDR_N_INPUTS);
	n_classes = rd32(buf + HDR_N_CLASSES);
	bits = rd32(buf + HDR_IN_SCALE);
	memcpy(&in_scale, &bits, sizeof(in_scale));
	if (!scale_ok(in_scale))
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'in_scale' at byte %d: %g (0x%08x) is not finite and > 0",
			       HDR_IN_SCALE, (double)in_scale, bits);
	flags = rd32(buf + HDR_FLAGS);
	if (flags != 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'flags' at byte %d: 0x%08x, must be 0 (reserved)",
			       HDR_FLAGS, flags);

	avail = len - G_CRC_SIZE;
	rc = load_tensors(g, buf, avail, &off, err, errlen);
	if (rc != AIMC_OK)
		goto fail;
	if (n_inputs != aimc_tensor_len(&g->tensors[0])) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "header field 'n_inputs' at byte %d: %u, but tensor 0 (the input) has %u "
			     "elements", HDR_N_INPUTS, n_inputs, aimc_tensor_len(&g->tensors[0]));
		goto fail;
	}
	if (memcmp(&in_scale, &g->tensors[0].scale, sizeof(float)) != 0) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "header field 'in_scale' at byte %d: %g, but tensor 0 has scale %g",
			     HDR_IN_SCALE, (double)in_scale, (double)g->tensors[0].scale);
		goto fail;
	}
	written = calloc(g->n_tensors, 1);
	g->nodes = calloc(n_nodes, sizeof(*g->nodes));
	if (written == NULL || g->nodes == NULL) {
		rc = aimc_set_err(err, errlen, AIMC_ENOMEM, "out of memory for %u nodes", n_nodes);
		goto fail;
	}
	g->n_nodes = n_nodes;
	written[0] = 1;
	for (i = 0; i < n_nodes; i++) {
		uint64_t next = 0;

		rc = load_node(g, written, i, buf, off, avail, &next, err, errlen);
		if (rc != AIMC_OK)
			goto fail;
		off = next;
	}
	for (i = 1; i < g->n_tensors; i++)
		if (!written[i]) {
			rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
				     "tensor %u (record at byte %llu) is not the output of any node", i,
				     (unsigned long long)(G_HEADER_SIZE + G_TTAB_HEAD +
							  (uint64_t)i * G_TENSOR_SIZE));
			goto fail;
		}
	out_len = aimc_tensor_len(&g->tensors[g->nodes[n_nodes - 1].out]);
	if (n_classes != out_len) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "header field 'n_classes' at byte %d: %u, but the output of node %u "
			     "(tensor %u) has %u elements", HDR_N_CLASSES, n_classes, n_nodes - 1,
			     g->nodes[n_nodes - 1].out, out_len);
		goto fail;
	}
	if (off != avail) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "%llu unexpected bytes at byte %llu after the last node record (the CRC "
			     "trailer must follow it directly)", (unsigned long long)(avail - off),
			     (unsigned long long)off);
		goto fail;
	}
	free(written);
	return AIMC_OK;

fail:
	free(written);
	aimc_graph_free(g);
	return rc;
}

int aimc_graph_load(aimc_graph *g, const char *path, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (g == NULL || path == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_graph_load: NULL argument");
	memset(g, 0, sizeof(*g));
	rc = aimc_khnf_read_file(path, G_MAX_FILE_BYTES, &buf, &len, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_graph_load_mem(g, buf, len, err, errlen);
	if (rc != AIMC_OK)
		aimc_khnf_prefix_path(path, err, errlen);
	free(buf);
	return rc;
}

/* ---- writer ------------------------------------------------------------------------------- */

int aimc_graph_to_mem(const aimc_graph *g, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	uint64_t total = G_HEADER_SIZE + G_TTAB_HEAD + G_CRC_SIZE, off;
	uint32_t i, j, bits;
	uint8_t *b;
	aimc_graph check;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (buf == NULL || len == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_graph_to_mem: NULL argument");
	*buf = NULL;
	*len = 0;
	if (g == NULL || g->tensors == NULL || g->nodes == NULL || g->n_nodes < 1 ||
	    g->n_nodes > AIMC_GRAPH_MAX_NODES || g->n_tensors < 1 ||
	    g->n_tensors > AIMC_GRAPH_MAX_TENSORS)
		return aimc_set_err(err, errlen, AIMC_EINVAL,
			       "aimc_graph_to_mem: NULL graph, or n_nodes outside 1..%u, or "
			       "n_tensors outside 1..%u", AIMC_GRAPH_MAX_NODES,
			       AIMC_GRAPH_MAX_TENSORS);
	total += (uint64_t)g->n_tensors * G_TENSOR_SIZE;
	for (i = 0; i < g->n_nodes; i++) {
		const aimc_node *nd = &g->nodes[i];

		if (aimc_gop_on_chip(nd->op)) {
			if (nd->k > G_MAX_DIM || nd->n > G_MAX_DIM || nd->w == NULL ||
			    nd->bias == NULL || nd->mult == NULL || nd->shift == NULL ||
			    (nd->op == AIMC_GOP_FC && nd->eff_scale == NULL))
				return aimc_set_err(err, errlen, AIMC_EINVAL,
					       "aimc_graph_to_mem: node %u (%s) has k or n above %u or "
					       "a NULL array", i, aimc_gop_name(nd->op), G_MAX_DIM);
		}
		total += node_bytes(nd->op, nd->k, nd->n);
		if (total >= G_MAX_FILE_BYTES)
			return aimc_set_err(err, errlen, AIMC_ERANGE,
				       "aimc_graph_to_mem: the file would exceed 4 GiB");
	}
	b = calloc((size_t)total, 1);
	if (b == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "aimc_graph_to_mem: out of memory");
	memcpy(b, G_MAGIC, 4);
	b[HDR_VERSION] = (uint8_t)G_VERSION;
	b[HDR_HEADER_SIZE] = (uint8_t)G_HEADER_SIZE;
	wr32(b + HDR_N_NODES, g->n_nodes);
	wr32(b + HDR_N_INPUTS, aimc_tensor_len(&g->tensors[0]));
	{
		uint32_t last = g->nodes[g->n_nodes - 1].out;

		wr32(b + HDR_N_CLASSES, last < g->n_tensors ? aimc_tensor_len(&g->tensors[last]) : 0);
	}
	memcpy(&bits, &g->tensors[0].scale, sizeof(bits));
	wr32(b + HDR_IN_SCALE, bits);
	wr32(b + HDR_FILE_SIZE, (uint32_t)total);
	off = G_HEADER_SIZE;
	wr32(b + off, g->n_tensors);
	off += G_TTAB_HEAD;
	for (i = 0; i < g->n_tensors; i++, off += G_TENSOR_SIZE) {
		const aimc_tensor *t = &g->tensors[i];

		wr32(b + off, t->h);
		wr32(b + off + 4, t->w);
		wr32(b + off + 8, t->c);
		wr32(b + off + 12, (uint32_t)t->zero_point);
		memcpy(&bits, &t->scale, sizeof(bits));
		wr32(b + off + 16, bits);
	}
	for (i = 0; i < g->n_nodes; i++) {
		const aimc_node *nd = &g->nodes[i];
		const uint32_t hdr[15] = { nd->op, nd->in0, nd->in1, nd->out, nd->kh, nd->kw,
					   nd->stride_h, nd->stride_w, nd->pad_top, nd->pad_left,
					   (uint32_t)nd->act_min, (uint32_t)nd->act_max, nd->k, nd->n,
					   nd->adc_shift };

		for (j = 0; j < 15; j++)
			wr32(b + off + 4ull * j, hdr[j]);
		for (j = 0; j < 7; j++)
			wr32(b + off + ND_P + 4ull * j, (uint32_t)nd->p[j]);
		off += G_NODE_SIZE;
		if (aimc_gop_on_chip(nd->op)) {
			uint64_t wb = (uint64_t)nd->k * nd->n;

			memcpy(b + off, nd->w, (size_t)wb);
			off += wb + pad4(wb);
			for (j = 0; j < nd->n; j++) {
				wr32(b + off + 4ull * j, (uint32_t)nd->bias[j]);
				wr32(b + off + 4ull * (nd->n + j), (uint32_t)nd->mult[j]);
				wr32(b + off + 4ull * (2ull * nd->n + j), (uint32_t)nd->shift[j]);
			}
			off += 12ull * nd->n;
			if (nd->op == AIMC_GOP_FC) {
				for (j = 0; j < nd->n; j++) {
					wr32(b + off + 8ull * j, (uint32_t)nd->eff_scale[j]);
					wr32(b + off + 8ull * j + 4, (uint32_t)(nd->eff_scale[j] >> 32));
				}
				off += 8ull * nd->n;
			}
		}
	}
	wr32(b + off, aimc_khnf_crc32(b, (size_t)off));
	/* The loader is the one definition of a valid file: anything it rejects is not written. */
	rc = aimc_graph_load_mem(&check, b, (size_t)total, err, errlen);
	if (rc != AIMC_OK) {
		free(b);
		return rc == AIMC_EFORMAT ? AIMC_EINVAL : rc;
	}
	aimc_graph_free(&check);
	*buf = b;
	*len = (size_t)total;
	return AIMC_OK;
}
