/* SPDX-License-Identifier: Apache-2.0 */
/* Counter-based random numbers and deterministic log/exp: every draw is a pure function of its
 * key, bit-identical on any IEEE-754 machine (docs/analog-model.md, "Random draws"). */
#include "aimc_rng.h"

#include <float.h>
#include <stddef.h>
#include <string.h>
#include <math.h>

#include "aimc_detmath.h"
#include "aimc_kern.h"

/* Bit-exactness needs plain binary64 evaluation (no x87 excess precision). */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "aimc_rng.c needs FLT_EVAL_METHOD == 0 (SSE2 or equivalent binary64 arithmetic)"
#endif

/* Normal draws: attempt i of the polar method uses uniform draws 2i and 2i+1. The chance that
 * all attempts are rejected is (1 - pi/4)^64 < 1e-42; then the draw is 0.0 (documented). */
#define NORMAL_ATTEMPTS 64u

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ull

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^11 (fdlibm's constants). */
static const double LN2_HI = 0x1.62e42feep-1;
static const double LN2_LO = 0x1.a39ef35793c76p-33;
static const double INV_LN2 = 0x1.71547652b82fep0;
static const double SQRT1_2 = 0x1.6a09e667f3bcdp-1;
static const double HALF_LN2 = 0x1.62e42fefa39efp-2;

uint64_t aimc_rng_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Absorb one 64-bit word: the word is mixed on its own first, so neighbouring keys (index i and
 * i+1) land on unrelated states before they meet the chain. */
static uint64_t absorb(uint64_t h, uint64_t w)
{
	return aimc_rng_mix64(h ^ aimc_rng_mix64(w + GOLDEN_GAMMA));
}

/* The chain state after seed, (tile, row) and (col, kind): shared by every draw of one key. */
uint64_t aimc_rng_key_prefix(const aimc_key *k)
{
	uint64_t h = aimc_rng_mix64(k->seed + GOLDEN_GAMMA);

	h = absorb(h, ((uint64_t)k->tile << 32) | k->row);
	return absorb(h, ((uint64_t)k->col << 32) | k->kind);
}

static double uniform_from(uint64_t prefix, const aimc_key *k, uint32_t draw)
{
	return (double)(absorb(prefix, ((uint64_t)k->index << 32) | draw) >> 11) * 0x1.0p-53;
}

uint64_t aimc_rng_u64(const aimc_key *k, uint32_t draw)
{
	return absorb(aimc_rng_key_prefix(k), ((uint64_t)k->index << 32) | draw);
}

double aimc_rng_uniform(const aimc_key *k, uint32_t draw)
{
	return (double)(aimc_rng_u64(k, draw) >> 11) * 0x1.0p-53;
}

double aimc_rng_normal(const aimc_key *k)
{
	/* the same chain as aimc_rng_u64, computed once */
	return aimc_rng_normal_prefixed(aimc_rng_key_prefix(k), k);
}

double aimc_rng_normal_prefixed(uint64_t h, const aimc_key *k)
{
	for (uint32_t i = 0; i < NORMAL_ATTEMPTS; i++) {
		/* 2u - 1 is exact for a 53-bit u, so u and v are exact multiples of 2^-52. */
		double u = 2.0 * uniform_from(h, k, 2u * i) - 1.0;
		double v = 2.0 * uniform_from(h, k, 2u * i + 1u) - 1.0;
		double s = u * u + v * v;

		if (s > 0.0 && s < 1.0)
			return u * sqrt(-2.0 * aimc_det_log(s) / s);
	}
	return 0.0;
}

/* READ draws (decision 0006): a binary32 polar pair per conversion of a column. Attempt i takes
 * one 64-bit word absorb(prefix, index << 32 | i) and cuts two 24-bit integers from it, bits 63..40
 * and 39..16; u, v = (integer - 2^23) 2^-23 (exact in binary32: multiples of 2^-23 in [-1, 1)). */
static const float LN2_HI_F = 0x1.62e300p-1f; /* 17 significant bits: e * LN2_HI_F is exact for |e| < 128 */
static const float LN2_LO_F = 0x1.2fefa2p-17f;
static const float SQRT1_2_F = 0x1.6a09e6p-1f;

/* ln s for a normal binary32 s in (0, 1): s = m 2^e, m in [sqrt(1/2), sqrt(2)), 2 atanh(f) with
 * f = (m-1)/(m+1), |f| <= 0.1716, four terms after the first (remainder below 2^-28 relative). */
static float read_log(float s)
{
	uint32_t b;
	int e;
	float m, f, f2, p;

	memcpy(&b, &s, sizeof(b));
	e = (int)((b >> 23) & 0xffu) - 126;
	b = (b & ~(0xffu << 23)) | (126u << 23);
	memcpy(&m, &b, sizeof(m));
	if (m < SQRT1_2_F) {
		m = m * 2.0f;
		e = e - 1;
	}
	f = (m - 1.0f) / (m + 1.0f);
	f2 = f * f;
	p = 1.0f / 9;
	p = p * f2 + 1.0f / 7;
	p = p * f2 + 1.0f / 5;
	p = p * f2 + 1.0f / 3;
	return (float)e * LN2_HI_F + ((float)e * LN2_LO_F + (2.0f * f + (2.0f * f) * (f2 * p)));
}

void aimc_rng_read_pair(uint64_t prefix, uint32_t index, float *n1, float *n2)
{
	for (uint32_t i = 0; i < NORMAL_ATTEMPTS; i++) {
		uint64_t h = absorb(prefix, ((uint64_t)index << 32) | i);
		float u = (float)((int32_t)(h >> 40) - 0x800000) * 0x1p-23f;
		float v = (float)((int32_t)((h >> 16) & 0xffffffu) - 0x800000) * 0x1p-23f;
		float s = u * u + v * v;

		if (s > 0.0f && s < 1.0f) {
			float f = sqrtf(-2.0f * read_log(s) / s);

			*n1 = u * f;
			*n2 = v * f;
			return;
		}
	}
	*n1 = 0.0f;
	*n2 = 0.0f;
}

/* Keys per round of aimc_rng_read_pairs (stack scratch). */
#define PAIRS_CHUNK 256u

void aimc_rng_read_pairs(aimc_read_fn attempt, const uint64_t *prefix, uint32_t index, uint32_t n, float *first,
			 float *second)
{
	uint64_t pre[PAIRS_CHUNK + 8], rej[PAIRS_CHUNK / 64];
	uint32_t idx[PAIRS_CHUNK + 8];
	float s[PAIRS_CHUNK + 8], a[PAIRS_CHUNK + 8], b[PAIRS_CHUNK + 8];

	for (uint32_t base = 0; base < n; base += PAIRS_CHUNK) {
		uint32_t cnt = n - base < PAIRS_CHUNK ? n - base : PAIRS_CHUNK, c8 = cnt & ~7u, left = 0;

		/* attempt 0 of the keys in whole vectors straight into first and second; the rejected
		 * ones (a fifth) listed from the attempt's bit masks */
		attempt(prefix + base, index, 0, c8, s, first + base, second + base, rej);
		for (uint32_t w = 0; w < (c8 + 63u) / 64u; w++)
			for (uint64_t m = rej[w]; m != 0; m &= m - 1u) {
				idx[left] = base + 64u * w + (uint32_t)__builtin_ctzll(m);
				pre[left] = prefix[idx[left]];
				left++;
			}
		for (uint32_t i = c8; i < cnt; i++) /* fewer than 8 keys left over: one by one */
			aimc_rng_read_pair(prefix[base + i], index, &first[base + i], &second[base + i]);
		/* attempt att for the keys still pending, compacted likewise: every key takes the pair
		 * of this attempt, a rejected one is overwritten by a later attempt; the lanes past cnt
		 * repeat a key and are ignored (their bits are cleared) */
		cnt = left;
		for (uint32_t att = 1; att < NORMAL_ATTEMPTS && cnt > 0; att++) {
			uint32_t n8 = (cnt + 7u) & ~7u;

			left = 0;
			for (uint32_t i = cnt; i < n8; i++)
				pre[i] = pre[0];
			attempt(pre, index, att, n8, s, a, b, rej);
			for (uint32_t i = 0; i < cnt; i++) {
				first[idx[i]] = a[i];
				second[idx[i]] = b[i];
			}
			for (uint32_t w = 0; w < (cnt + 63u) / 64u; w++) {
				uint64_t m = rej[w];

				if (cnt - 64u * w < 64u)
					m &= (1ull << (cnt - 64u * w)) - 1u;
				for (; m != 0; m &= m - 1u) { /* in place: left <= the key's position */
					const uint32_t i = 64u * w + (uint32_t)__builtin_ctzll(m);

					idx[left] = idx[i];
					pre[left] = pre[i];
					left++;
				}
			}
			cnt = left;
		}
		for (uint32_t i = 0; i < cnt; i++) { /* every attempt rejected: as the scalar function */
			first[idx[i]] = 0.0f;
			second[idx[i]] = 0.0f;
		}
	}
}

/* aimc_rng_read_pairs_multi: keys pending a retry at once, and indices per round of the mixed
 * words (stack scratch). */
#define MULTI_CAP 1024u
#define MULTI_READS 64u

/* The retries of the cnt pending keys of aimc_rng_read_pairs_multi, every attempt round for all of
 * them in one call of `multi`: key i has prefix pre[i], read kk[i] (index[kk[i]]) and output
 * position dst[i]. */
struct multi_pending {
	uint64_t pre[MULTI_CAP + 8], tk[MULTI_CAP + 8], rej[(MULTI_CAP + 8 + 63) / 64];
	uint32_t kk[MULTI_CAP + 8];
	size_t dst[MULTI_CAP + 8];
	float s[MULTI_CAP + 8], a[MULTI_CAP + 8], b[MULTI_CAP + 8];
};

static void multi_retry(aimc_readm_fn multi, struct multi_pending *p, uint32_t cnt, const uint32_t *index, uint32_t nk,
			float *first, float *second)
{
	uint64_t tt[MULTI_READS];

	for (uint32_t att = 1; att < NORMAL_ATTEMPTS && cnt > 0; att++) {
		const uint32_t n8 = (cnt + 7u) & ~7u;
		uint32_t left = 0;

		for (uint32_t k = 0; k < nk; k++) /* the absorbed word of (index, att), as absorb mixes it */
			tt[k] = aimc_rng_mix64((((uint64_t)index[k] << 32) | att) + GOLDEN_GAMMA);
		for (uint32_t i = 0; i < cnt; i++)
			p->tk[i] = tt[p->kk[i]];
		for (uint32_t i = cnt; i < n8; i++) { /* padding lanes: any key, ignored */
			p->pre[i] = p->pre[0];
			p->tk[i] = p->tk[0];
		}
		multi(p->pre, p->tk, n8, p->s, p->a, p->b, p->rej);
		for (uint32_t i = 0; i < cnt; i++) {
			first[p->dst[i]] = p->a[i];
			second[p->dst[i]] = p->b[i];
		}
		for (uint32_t w = 0; w < (cnt + 63u) / 64u; w++) {
			uint64_t m = p->rej[w];

			if (cnt - 64u * w < 64u)
				m &= (1ull << (cnt - 64u * w)) - 1u;
			for (; m != 0; m &= m - 1u) { /* in place: left <= the key's position */
				const uint32_t i = 64u * w + (uint32_t)__builtin_ctzll(m);

				p->pre[left] = p->pre[i];
				p->kk[left] = p->kk[i];
				p->dst[left] = p->dst[i];
				left++;
			}
		}
		cnt = left;
	}
	for (uint32_t i = 0; i < cnt; i++) { /* every attempt rejected: as the scalar function */
		first[p->dst[i]] = 0.0f;
		second[p->dst[i]] = 0.0f;
	}
}

void aimc_rng_read_pairs_multi(aimc_read_fn attempt, aimc_readm_fn multi, const uint64_t *prefix, const uint32_t *index,
			       uint32_t nk, uint32_t n, float *first, float *second, size_t stride)
{
	struct multi_pending p;
	uint64_t rej[PAIRS_CHUNK / 64];
	float s[PAIRS_CHUNK + 8];

	for (uint32_t k0 = 0; k0 < nk; k0 += MULTI_READS) {
		const uint32_t g = nk - k0 < MULTI_READS ? nk - k0 : MULTI_READS;
		uint32_t cnt = 0;

		for (uint32_t k = 0; k < g; k++) {
			float *f = first + (size_t)(k0 + k) * stride, *sc = second + (size_t)(k0 + k) * stride;

			for (uint32_t base = 0; base < n; base += PAIRS_CHUNK) {
				const uint32_t len = n - base < PAIRS_CHUNK ? n - base : PAIRS_CHUNK, c8 = len & ~7u;

				if (cnt + c8 > MULTI_CAP) { /* room for every key of this chunk */
					multi_retry(multi, &p, cnt, index + k0, g, first + (size_t)k0 * stride,
						    second + (size_t)k0 * stride);
					cnt = 0;
				}
				/* attempt 0 in whole vectors straight into the outputs; the rejected keys
				 * listed from the attempt's bit masks */
				attempt(prefix + base, index[k0 + k], 0, c8, s, f + base, sc + base, rej);
				for (uint32_t w = 0; w < (c8 + 63u) / 64u; w++)
					for (uint64_t m = rej[w]; m != 0; m &= m - 1u) {
						const uint32_t i = base + 64u * w + (uint32_t)__builtin_ctzll(m);

						p.pre[cnt] = prefix[i];
						p.kk[cnt] = k;
						p.dst[cnt] = (size_t)k * stride + i;
						cnt++;
					}
				for (uint32_t i = base + c8; i < base + len; i++) /* fewer than 8 left: one by one */
					aimc_rng_read_pair(prefix[i], index[k0 + k], &f[i], &sc[i]);
			}
		}
		multi_retry(multi, &p, cnt, index + k0, g, first + (size_t)k0 * stride, second + (size_t)k0 * stride);
	}
}

/* log(m) for m in [sqrt(1/2), sqrt(2)): 2 atanh(f), f = (m-1)/(m+1), |f| <= 0.1716, so
 * f^2 <= 0.0295 and 15 terms of the series leave a remainder below 2^-70. */
static double log_reduced(double m)
{
	static const double c[] = {
		1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13, 1.0 / 15,
		1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27, 1.0 / 29,
	};
	const int n = (int)(sizeof(c) / sizeof(c[0]));
	double f = (m - 1.0) / (m + 1.0);
	double s = f * f;
	double p = c[n - 1];

	for (int i = n - 2; i >= 0; i--)
		p = p * s + c[i];
	/* 2f + 2f*s*p: the small correction is added last to keep the leading term exact. */
	return 2.0 * f + (2.0 * f) * (s * p);
}

/* frexp for a positive finite x, inline for normal numbers (the same m and e: the exponent field
 * is replaced by that of [0.5, 1)), libm's frexp for subnormals. */
static double split_pow2(double x, int *e)
{
	uint64_t b;
	unsigned ex;

	memcpy(&b, &x, sizeof(b));
	ex = (unsigned)(b >> 52) & 0x7ffu;
	if (ex == 0)
		return frexp(x, e);
	*e = (int)ex - 1022;
	b = (b & ~(0x7ffull << 52)) | (1022ull << 52);
	memcpy(&x, &b, sizeof(x));
	return x;
}

double aimc_det_log(double x)
{
	int e;
	double m;

	if (isnan(x))
		return x;
	if (x < 0.0)
		return NAN;
	if (x == 0.0)
		return -INFINITY;
	if (isinf(x))
		return x;
	m = split_pow2(x, &e); /* exact: x = m * 2^e, m in [0.5, 1) */
	if (m < SQRT1_2) {
		m *= 2.0;
		e -= 1;
	}
	return (double)e * LN2_HI + ((double)e * LN2_LO + log_reduced(m));
}

/* e^r - 1 for |r| <= ln(2)/2 + tiny: Taylor series to r^17/17! (remainder below 2^-80 r). */
static double expm1_reduced(double r)
{
	static const double c[] = {
		1.0,
		1.0 / 2.0,
		1.0 / 6.0,
		1.0 / 24.0,
		1.0 / 120.0,
		1.0 / 720.0,
		1.0 / 5040.0,
		1.0 / 40320.0,
		1.0 / 362880.0,
		1.0 / 3628800.0,
		1.0 / 39916800.0,
		1.0 / 479001600.0,
		1.0 / 6227020800.0,
		1.0 / 87178291200.0,
		1.0 / 1307674368000.0,
		1.0 / 20922789888000.0,
		1.0 / 355687428096000.0,
	};
	const int n = (int)(sizeof(c) / sizeof(c[0]));
	double p = c[n - 1];

	for (int i = n - 2; i >= 0; i--)
		p = p * r + c[i];
	return p * r;
}

/* x = k ln2 + r with |r| <= ln(2)/2 (plus rounding); k * LN2_HI is exact for |k| < 2^11. */
static double reduce(double x, int *k)
{
	double kd = floor(x * INV_LN2 + 0.5);

	*k = (int)kd;
	return (x - kd * LN2_HI) - kd * LN2_LO;
}

double aimc_det_exp(double x)
{
	int k;
	double r;

	if (isnan(x))
		return x;
	if (x > 709.79)
		return INFINITY;
	if (x < -745.2)
		return 0.0;
	r = reduce(x, &k);
	return ldexp(1.0 + expm1_reduced(r), k);
}

double aimc_det_expm1(double x)
{
	int k;
	double r;

	if (isnan(x))
		return x;
	if (fabs(x) <= HALF_LN2)
		return expm1_reduced(x);
	if (x < -40.0)
		return -1.0; /* e^-40 < 2^-57: -1 + e^x rounds to -1 */
	if (x > 709.79)
		return INFINITY;
	r = reduce(x, &k);
	if (k > 53)
		return ldexp(1.0 + expm1_reduced(r), k) - 1.0;
	/* 2^k (e^r - 1) + (2^k - 1): both parts exact scalings / exact differences for |k| <= 53,
	 * so the only cancellation-prone step is one correctly rounded addition. */
	return ldexp(expm1_reduced(r), k) + (ldexp(1.0, k) - 1.0);
}
