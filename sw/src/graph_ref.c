/* SPDX-License-Identifier: Apache-2.0 */
/* The graph pass of version-3 networks in plain integer C: TFLite's reference kernels
 * (tensorflow/lite/kernels/internal/reference/integer_ops/{conv,depthwise_conv,fully_connected,
 * add,pooling}.h, reference/softmax.h with gemmlowp's fixedpoint.h) rewritten step for step, and
 * the driver-side pieces the chip executor shares (im2col, output stage, host nodes).
 * docs/models.md, "Arithmetic of the graph pass", lists every step. No floating point. */
#include <stdlib.h>
#include <string.h>

#include "aimc.h"

/* ---- TFLite / gemmlowp fixed-point primitives ------------------------------------------------ */

/* int32 addition and subtraction that wrap like the two's-complement machine TFLite runs on
 * (gemmlowp's Add/Sub on int32 raws never overflow for the values used here; wrapping keeps C
 * defined if a caller feeds something else). */
static int32_t add32(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a + (uint32_t)b);
}

static int32_t sub32(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* x * 2^s in int32 with wrap-around (TFLite's `x * (1 << left_shift)`), s in 0..31. */
static int32_t shl32(int32_t x, int s)
{
	return (int32_t)((uint32_t)x << s);
}

static int32_t sat32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* gemmlowp SaturatingRoundingDoublingHighMul (int32): round(a·b / 2^31) with ties away from
 * zero, INT32_MIN · INT32_MIN saturating to INT32_MAX. */
static int32_t srdhm(int32_t a, int32_t b)
{
	int64_t ab, nudge;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	ab = (int64_t)a * b;
	nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
	return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* C division truncates, as C++ */
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero; e in 0..31. */
static int32_t rdbpot(int32_t x, int e)
{
	int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
	int32_t rem = x & mask;
	int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);

	return (x >> e) + (rem > thr ? 1 : 0); /* >> of a negative int32: arithmetic (gcc, clang) */
}

/* gemmlowp SaturatingRoundingMultiplyByPOT<e> for e > 0: x·2^e saturated to int32. */
static int32_t sat_shl(int32_t x, int e)
{
	int32_t thr = (int32_t)(((int64_t)1 << (31 - e)) - 1);

	if (x > thr)
		return INT32_MAX;
	if (x < -thr)
		return INT32_MIN;
	return shl32(x, e);
}

/* gemmlowp RoundingHalfSum (int32): (a + b) / 2 rounded half away from zero. */
static int32_t rounding_half_sum(int32_t a, int32_t b)
{
	int64_t sum = (int64_t)a + b;

	return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

int32_t aimc_tfl_requant(int32_t x, int32_t mult, int32_t shift)
{
	int l, r;

	if (shift > 30)
		shift = 30;
	if (shift < -31)
		shift = -31;
	l = shift > 0 ? (int)shift : 0;
	r = shift > 0 ? 0 : (int)-shift;
	return rdbpot(srdhm(shl32(x, l), mult), r);
}

/* ---- FC: TFLite's reference FC requantizes in double --------------------------------------- */

/* Bit length of the 128-bit value (hi, lo). */
static int bitlen128(uint64_t hi, uint64_t lo)
{
	int n = 128;
	uint64_t top = hi != 0 ? hi : lo;

	if (hi == 0)
		n = 64;
	if (top == 0)
		return 0;
	while (!(top & 0x8000000000000000ull)) {
		top <<= 1;
		n--;
	}
	return n;
}

/* (hi, lo) >> d for d in 0..127. */
static uint64_t shr128_lo(uint64_t hi, uint64_t lo, int d)
{
	if (d == 0)
		return lo;
	if (d >= 64)
		return hi >> (d - 64);
	return (lo >> d) | (hi << (64 - d));
}

/* Whether the low d bits of (hi, lo) compare to 2^(d-1): -1 below, 0 equal, 1 above. d >= 1. */
static int cmp_half128(uint64_t hi, uint64_t lo, int d)
{
	uint64_t rhi, rlo, hhi, hlo;

	if (d >= 64) {
		rhi = d >= 128 ? hi : hi & (((uint64_t)1 << (d - 64)) - 1);
		rlo = lo;
		hhi = d == 64 ? 0 : (uint64_t)1 << (d - 65);
		hlo = d == 64 ? (uint64_t)1 << 63 : 0;
	} else {
		rhi = 0;
		rlo = lo & (((uint64_t)1 << d) - 1);
		hhi = 0;
		hlo = (uint64_t)1 << (d - 1);
	}
	if (rhi != hhi)
		return rhi < hhi ? -1 : 1;
	return rlo < hlo ? -1 : rlo > hlo ? 1 : 0;
}

/* tflite::reference_integer_ops::FullyConnected (and FullyConnectedPerChannel) of the pinned
 * LiteRT: static_cast<int32_t>(round(static_cast<double>(acc) * effective_output_scale)). The
 * binary64 multiply (round to nearest, ties to even, 53 significant bits) and round() (half away
 * from zero) are done on the exact integer product acc * mantissa. */
int32_t aimc_tfl_fc_round(int32_t x, uint64_t scale_bits)
{
	uint64_t frac = scale_bits & ((((uint64_t)1) << 52) - 1);
	int ef = (int)((scale_bits >> 52) & 0x7FFu);
	uint64_t m = ef == 0 ? frac : frac | ((uint64_t)1 << 52);
	int e2 = ef == 0 ? -1074 : ef - 1075;
	uint64_t a = x < 0 ? (uint64_t)0 - (uint64_t)(int64_t)x : (uint64_t)x;
	uint64_t plo, phi, lo, hi, q, mag;
	int len, d, f;

	if ((scale_bits >> 63) != 0 || ef == 0x7FF || a == 0 || m == 0)
		return 0; /* the loader admits only finite scales > 0; 0 * anything is 0 */
	/* P = a * m < 2^32 * 2^53: 128 bits as (hi, lo) */
	plo = (m & 0xFFFFFFFFull) * a;
	phi = (m >> 32) * a;
	lo = plo + (phi << 32);
	hi = (phi >> 32) + (lo < plo ? 1u : 0u);
	/* round P to 53 significant bits, ties to even: the double product q * 2^f */
	len = bitlen128(hi, lo);
	d = len > 53 ? len - 53 : 0;
	q = shr128_lo(hi, lo, d);
	if (d > 0) {
		int c = cmp_half128(hi, lo, d);

		if (c > 0 || (c == 0 && (q & 1u)))
			q++;
	}
	f = e2 + d;
	/* round() half away from zero of q * 2^f, on the magnitude */
	if (f >= 0) {
		if (f > 31 || q > ((uint64_t)1 << 31) >> f)
			return INT32_MIN; /* outside int32: cvttsd2si's "integer indefinite" */
		mag = q << f;
	} else if (-f > 54) {
		mag = 0; /* q * 2^f < 2^53 * 2^-55 < 1/2 */
	} else {
		int sh = -f;

		mag = q >> sh;
		if ((q >> (sh - 1)) & 1u) /* fraction >= 1/2 */
			mag++;
	}
	if (mag > ((uint64_t)1 << 31) || (mag == ((uint64_t)1 << 31) && x > 0))
		return INT32_MIN;
	return x < 0 ? (int32_t)(0 - (int64_t)mag) : (int32_t)mag;
}

/* ---- softmax: gemmlowp exp_on_negative_values and one_over_one_plus_x_for_x_in_0_1 ------------ */

/* exp(a) for a in [-1/4, 0), a and the result in Q0.31 (gemmlowp
 * exp_on_interval_between_negative_one_quarter_and_0_excl: Taylor series around -1/8). */
static int32_t exp_quarter(int32_t a)
{
	const int32_t exp_m1_8 = 1895147668;  /* exp(-1/8) in Q0.31 */
	const int32_t one_third = 715827883;  /* 1/3 in Q0.31 */
	int32_t x = add32(a, 1 << 28);        /* a + 1/8 */
	int32_t x2 = srdhm(x, x);
	int32_t x3 = srdhm(x2, x);
	int32_t x4 = srdhm(x2, x2);
	int32_t x4_4 = rdbpot(x4, 2);
	int32_t poly = rdbpot(add32(srdhm(add32(x4_4, x3), one_third), x2), 1);

	return add32(exp_m1_8, srdhm(exp_m1_8, add32(x, poly)));
}

/* exp(a) for a <= 0: a in Q5.26 (5 integer bits, TFLite softmax's kScaledDiffIntegerBits), the
 * result in Q0.31 (gemmlowp exp_on_negative_values<int32_t, 5>). */
static int32_t exp_neg_q5(int32_t a)
{
	/* exp(-2^j) in Q0.31 for j = -2..4, applied per set bit 26 + j of the remainder. */
	static const int32_t barrel[7] = { 1672461947, 1302514674, 790015084, 290630308,
					   39332535,   720401,     242 };
	const int32_t quarter = 1 << 24; /* 1/4 in Q5.26 */
	int32_t amq = sub32(a & (quarter - 1), quarter);
	int32_t result = exp_quarter(sat_shl(amq, 5)); /* Rescale<0>: Q5.26 -> Q0.31 */
	int32_t remainder = sub32(amq, a);
	int j;

	for (j = 0; j < 7; j++)
		if (remainder & (int32_t)(1u << (24 + j)))
			result = srdhm(result, barrel[j]);
	return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1) in Q0.31 (gemmlowp one_over_one_plus_x_for_x_in_0_1: three
 * Newton-Raphson steps in Q2.29). */
static int32_t one_over_one_plus_x(int32_t a)
{
	const int32_t c48_17 = 1515870810;      /* 48/17 in Q2.29 */
	const int32_t cm32_17 = -1010580540;    /* -32/17 in Q2.29 */
	const int32_t one_q2 = 1 << 29;
	int32_t half_den = rounding_half_sum(a, INT32_MAX);
	int32_t x = add32(c48_17, srdhm(half_den, cm32_17));
	int i;

	for (i = 0; i < 3; i++) {
		int32_t hdx = srdhm(half_den, x);
		int32_t one_minus = sub32(one_q2, hdx);

		x = add32(x, sat_shl(srdhm(x, one_minus), 2)); /* Q4.27 -> Q2.29 */
	}
	return sat_shl(x, 1); /* ExactMulByPot<-1> (Q1.30), then Rescale<0> */
}

static int clz32(uint32_t x)
{
	int n = 0;

	if (x == 0)
		return 32;
	while (!(x & 0x80000000u)) {
		x <<= 1;
		n++;
	}
	return n;
}

/* tflite::GetReciprocal for a Q12.19 sum: 1 / x as a Q0.31 scale and the bits of x above one. */
static int32_t reciprocal_q12(int32_t x, int *bits_over_unit)
{
	int hp1 = clz32((uint32_t)x);
	int32_t shifted_minus_one;

	*bits_over_unit = 12 - hp1;
	shifted_minus_one = (int32_t)(((uint32_t)x << hp1) - (1u << 31));
	return one_over_one_plus_x(shifted_minus_one);
}

/* tflite::reference_ops::Softmax<int8_t, int8_t> over the last dimension (depth c) of rows
 * rows. AIMC_ERANGE where TFLite's kernel would fail its exponent check (a sum of at least 2^28
 * in Q12.19, e.g. 512 values equal to the row maximum). */
static int softmax_i8(const aimc_node *nd, const int8_t *in, int8_t *out, uint32_t rows,
		      uint32_t depth)
{
	const int32_t mult = nd->p[0], lshift = nd->p[1], diff_min = nd->p[2];
	uint32_t r, c;

	for (r = 0; r < rows; r++) {
		const int8_t *x = in + (size_t)r * depth;
		int8_t *y = out + (size_t)r * depth;
		int32_t maxv = -128, sum = 0, scale;
		int bits_over_unit, e;

		for (c = 0; c < depth; c++)
			if (x[c] > maxv)
				maxv = x[c];
		for (c = 0; c < depth; c++) {
			int32_t diff = (int32_t)x[c] - maxv;

			if (diff >= diff_min) {
				/* MultiplyByQuantizedMultiplierGreaterThanOne, then exp in Q0.31,
				 * Rescale<12> into the Q12.19 sum. */
				int32_t scaled = srdhm(shl32(diff, lshift), mult);

				sum = add32(sum, rdbpot(exp_neg_q5(scaled), 12));
			}
		}
		scale = reciprocal_q12(sum, &bits_over_unit);
		e = bits_over_unit + 31 - 8;
		if (e < 0 || e > 31)
			return AIMC_ERANGE;
		for (c = 0; c < depth; c++) {
			int32_t diff = (int32_t)x[c] - maxv;

			if (diff >= diff_min) {
				int32_t scaled = srdhm(shl32(diff, lshift), mult);
				int32_t v = rdbpot(srdhm(scale, exp_neg_q5(scaled)), e) - 128;

				y[c] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
			} else {
				y[c] = -128;
			}
		}
	}
	return AIMC_OK;
}

/* ---- driver nodes ------------------------------------------------------------------------- */

static int32_t clamp_act(int32_t v, const aimc_node *nd)
{
	return v < nd->act_min ? nd->act_min : v > nd->act_max ? nd->act_max : v;
}

/* tflite::reference_integer_ops::Add (AddElementwise) for int8, equal shapes. */
static void add_i8(const aimc_graph *g, const aimc_node *nd, const int8_t *a, const int8_t *b,
		   int8_t *y)
{
	const int32_t off1 = -g->tensors[nd->in0].zero_point;
	const int32_t off2 = -g->tensors[nd->in1].zero_point;
	const int32_t zo = g->tensors[nd->out].zero_point;
	uint32_t i, n = aimc_tensor_len(&g->tensors[nd->out]);

	for (i = 0; i < n; i++) {
		int32_t s1 = shl32(off1 + a[i], nd->p[0]);
		int32_t s2 = shl32(off2 + b[i], nd->p[0]);
		/* MultiplyByQuantizedMultiplierSmallerThanOneExp = requant with a shift <= 0 */
		int32_t r1 = aimc_tfl_requant(s1, nd->p[1], nd->p[2]);
		int32_t r2 = aimc_tfl_requant(s2, nd->p[3], nd->p[4]);
		int32_t o = add32(aimc_tfl_requant(add32(r1, r2), nd->p[5], nd->p[6]), zo);

		y[i] = (int8_t)clamp_act(o, nd);
	}
}

/* tflite::reference_integer_ops::AveragePool / MaxPool (int8): the window clipped to the input
 * (padding positions are not counted), average rounded half away from zero. */
static void pool_i8(const aimc_graph *g, const aimc_node *nd, const int8_t *x, int8_t *y)
{
	const aimc_tensor *in = &g->tensors[nd->in0], *out = &g->tensors[nd->out];
	const int64_t ih = in->h, iw = in->w;
	uint32_t oy, ox, ch, C = in->c;

	for (oy = 0; oy < out->h; oy++)
		for (ox = 0; ox < out->w; ox++) {
			int64_t y0 = (int64_t)oy * nd->stride_h - nd->pad_top;
			int64_t x0 = (int64_t)ox * nd->stride_w - nd->pad_left;
			int64_t fy0 = y0 < 0 ? -y0 : 0, fx0 = x0 < 0 ? -x0 : 0;
			int64_t fy1 = ih - y0 < nd->kh ? ih - y0 : nd->kh;
			int64_t fx1 = iw - x0 < nd->kw ? iw - x0 : nd->kw;

			for (ch = 0; ch < C; ch++) {
				int32_t acc = 0, cnt = 0, maxv = -128, v;
				int64_t fy, fx;

				for (fy = fy0; fy < fy1; fy++)
					for (fx = fx0; fx < fx1; fx++) {
						int32_t e = x[((size_t)(y0 + fy) * iw + (size_t)(x0 + fx)) *
							      C + ch];

						acc += e;
						cnt++;
						if (e > maxv)
							maxv = e;
					}
				if (nd->op == AIMC_GOP_MAXPOOL) {
					v = maxv;
				} else {
					/* the loader's SAME/VALID rule leaves every window >= 1 element */
					if (cnt == 0)
						cnt = 1;
					v = acc > 0 ? (acc + cnt / 2) / cnt : (acc - cnt / 2) / cnt;
				}
				y[((size_t)oy * out->w + ox) * C + ch] = (int8_t)clamp_act(v, nd);
			}
		}
}

int aimc_graph_host_node(const aimc_graph *g, const aimc_node *nd, const int8_t *in0,
			 const int8_t *in1, int8_t *out)
{
	const aimc_tensor *t;

	if (g == NULL || nd == NULL || in0 == NULL || out == NULL || g->tensors == NULL ||
	    aimc_gop_on_chip(nd->op) || nd->in0 >= g->n_tensors || nd->out >= g->n_tensors)
		return AIMC_EINVAL;
	t = &g->tensors[nd->in0];
	switch (nd->op) {
	case AIMC_GOP_ADD:
		if (in1 == NULL || nd->in1 >= g->n_tensors)
			return AIMC_EINVAL;
		add_i8(g, nd, in0, in1, out);
		return AIMC_OK;
	case AIMC_GOP_AVGPOOL:
	case AIMC_GOP_MAXPOOL:
		pool_i8(g, nd, in0, out);
		return AIMC_OK;
	case AIMC_GOP_RESHAPE:
		memmove(out, in0, aimc_tensor_len(t));
		return AIMC_OK;
	case AIMC_GOP_SOFTMAX:
		return softmax_i8(nd, in0, out, t->h * t->w, t->c);
	default:
		return AIMC_EINVAL;
	}
}

/* ---- chip nodes ------------------------------------------------------------------------------ */

int8_t aimc_graph_out_stage(const aimc_graph *g, const aimc_node *nd, uint32_t ch, int64_t acc)
{
	int32_t t = sat32(acc + nd->bias[ch]);
	int32_t q = nd->op == AIMC_GOP_FC ? aimc_tfl_fc_round(t, nd->eff_scale[ch]) :
					    aimc_tfl_requant(t, nd->mult[ch], nd->shift[ch]);
	/* int32 addition as TFLite's (it wraps only for the INT32_MIN of an out-of-range FC) */
	int64_t v = add32(q, g->tensors[nd->out].zero_point);

	if (v < nd->act_min)
		v = nd->act_min;
	if (v > nd->act_max)
		v = nd->act_max;
	return (int8_t)v;
}

uint32_t aimc_graph_vectors(const aimc_graph *g, const aimc_node *nd)
{
	const aimc_tensor *o;

	if (g == NULL || nd == NULL || g->tensors == NULL || nd->out >= g->n_tensors)
		return 0;
	o = &g->tensors[nd->out];
	switch (nd->op) {
	case AIMC_GOP_FC:
		return 1;
	case AIMC_GOP_CONV:
		return o->h * o->w;
	case AIMC_GOP_DWCONV:
		return o->h * o->w * nd->n;
	default:
		return 0;
	}
}

void aimc_graph_im2col(const aimc_graph *g, const aimc_node *nd, const int8_t *in, int8_t *rows)
{
	const aimc_tensor *it, *ot;
	uint32_t oy, ox, dy, dx, ci, C;
	int8_t zp;
	size_t r = 0;

	if (g == NULL || nd == NULL || in == NULL || rows == NULL || !aimc_gop_on_chip(nd->op))
		return;
	it = &g->tensors[nd->in0];
	ot = &g->tensors[nd->out];
	if (nd->op == AIMC_GOP_FC) {
		memcpy(rows, in, nd->k);
		return;
	}
	C = it->c;
	zp = (int8_t)it->zero_point;
	for (oy = 0; oy < ot->h; oy++)
		for (ox = 0; ox < ot->w; ox++) {
			int64_t y0 = (int64_t)oy * nd->stride_h - nd->pad_top;
			int64_t x0 = (int64_t)ox * nd->stride_w - nd->pad_left;

			if (nd->op == AIMC_GOP_CONV) {
				int8_t *row = rows + r * nd->k;

				for (dy = 0; dy < nd->kh; dy++)
					for (dx = 0; dx < nd->kw; dx++) {
						int64_t iy = y0 + dy, ix = x0 + dx;
						int8_t *dst = row + ((size_t)dy * nd->kw + dx) * C;
						int inside = iy >= 0 && iy < it->h && ix >= 0 && ix < it->w;

						for (ci = 0; ci < C; ci++)
							dst[ci] = inside ? in[((size_t)iy * it->w +
									       (size_t)ix) * C + ci] : zp;
					}
				r++;
				continue;
			}
			/* DWCONV: one row of kh*kw values per channel of this pixel */
			for (ci = 0; ci < C; ci++, r++) {
				int8_t *row = rows + r * nd->k;

				for (dy = 0; dy < nd->kh; dy++)
					for (dx = 0; dx < nd->kw; dx++) {
						int64_t iy = y0 + dy, ix = x0 + dx;
						int inside = iy >= 0 && iy < it->h && ix >= 0 && ix < it->w;

						row[dy * nd->kw + dx] = inside ?
							in[((size_t)iy * it->w + (size_t)ix) * C + ci] : zp;
					}
			}
		}
}

/* tflite::reference_integer_ops::FullyConnected / ConvPerChannel / DepthwiseConvPerChannel:
 * acc = sum of w·(x - zp_in) over the window positions inside the input (padding contributes
 * nothing), then the per-channel output stage. */
static void chip_node_ref(const aimc_graph *g, const aimc_node *nd, const int8_t *x, int8_t *y)
{
	const aimc_tensor *it = &g->tensors[nd->in0], *ot = &g->tensors[nd->out];
	const int32_t zp = it->zero_point;
	uint32_t oy, ox, o, i, dy, dx, ci;

	if (nd->op == AIMC_GOP_FC) {
		for (o = 0; o < nd->n; o++) {
			const int8_t *w = nd->w + (size_t)o * nd->k;
			int64_t acc = 0;

			for (i = 0; i < nd->k; i++)
				acc += (int64_t)w[i] * (x[i] - zp);
			y[o] = aimc_graph_out_stage(g, nd, o, acc);
		}
		return;
	}
	for (oy = 0; oy < ot->h; oy++)
		for (ox = 0; ox < ot->w; ox++) {
			int64_t y0 = (int64_t)oy * nd->stride_h - nd->pad_top;
			int64_t x0 = (int64_t)ox * nd->stride_w - nd->pad_left;
			int8_t *yp = y + ((size_t)oy * ot->w + ox) * nd->n;

			for (o = 0; o < nd->n; o++) {
				int64_t acc = 0;

				for (dy = 0; dy < nd->kh; dy++) {
					int64_t iy = y0 + dy;

					if (iy < 0 || iy >= it->h)
						continue;
					for (dx = 0; dx < nd->kw; dx++) {
						int64_t ix = x0 + dx;
						const int8_t *xp;

						if (ix < 0 || ix >= it->w)
							continue;
						xp = x + ((size_t)iy * it->w + (size_t)ix) * it->c;
						if (nd->op == AIMC_GOP_DWCONV) {
							acc += (int64_t)nd->w[(size_t)o * nd->k +
									     dy * nd->kw + dx] *
							       (xp[o] - zp);
							continue;
						}
						for (ci = 0; ci < it->c; ci++)
							acc += (int64_t)nd->w[(size_t)o * nd->k +
									     ((size_t)dy * nd->kw +
									      dx) * it->c + ci] *
							       (xp[ci] - zp);
					}
				}
				yp[o] = aimc_graph_out_stage(g, nd, o, acc);
			}
		}
}

int aimc_graph_forward(const aimc_graph *g, const int8_t *x, size_t n, int8_t *y)
{
	uint8_t *file = NULL;
	size_t flen = 0, *off = NULL, total = 0, v;
	int8_t *arena = NULL;
	uint32_t i, in_len, out_len, last;
	char err[256];
	int rc;

	if (g == NULL || g->n_nodes == 0 || g->nodes == NULL || g->tensors == NULL ||
	    (n > 0 && (x == NULL || y == NULL)))
		return AIMC_EINVAL;
	/* The loader is the one definition of a valid graph: check through it. */
	rc = aimc_graph_to_mem(g, &file, &flen, err, sizeof(err));
	free(file);
	if (rc != AIMC_OK)
		return rc == AIMC_ENOMEM ? AIMC_ENOMEM : AIMC_EINVAL;
	off = malloc(g->n_tensors * sizeof(*off));
	if (off == NULL)
		return AIMC_ENOMEM;
	for (i = 0; i < g->n_tensors; i++) {
		off[i] = total;
		total += aimc_tensor_len(&g->tensors[i]);
	}
	arena = malloc(total);
	if (arena == NULL) {
		free(off);
		return AIMC_ENOMEM;
	}
	last = g->nodes[g->n_nodes - 1].out;
	in_len = aimc_tensor_len(&g->tensors[0]);
	out_len = aimc_tensor_len(&g->tensors[last]);
	rc = AIMC_OK;
	for (v = 0; v < n && rc == AIMC_OK; v++) {
		memcpy(arena, x + v * in_len, in_len);
		for (i = 0; i < g->n_nodes && rc == AIMC_OK; i++) {
			const aimc_node *nd = &g->nodes[i];

			if (aimc_gop_on_chip(nd->op))
				chip_node_ref(g, nd, arena + off[nd->in0], arena + off[nd->out]);
			else
				rc = aimc_graph_host_node(g, nd, arena + off[nd->in0],
							  nd->op == AIMC_GOP_ADD ?
							  arena + off[nd->in1] : NULL,
							  arena + off[nd->out]);
		}
		if (rc == AIMC_OK)
			memcpy(y + v * out_len, arena + off[last], out_len);
	}
	free(arena);
	free(off);
	return rc;
}
