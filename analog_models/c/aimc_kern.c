/* SPDX-License-Identifier: Apache-2.0 */
/* The vector kernels of aimc_kern_impl.h compiled once per instruction set, and the choice between
 * them (aimc_kern.h). */
#include "aimc_kern.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aimc_api.h"

/* the constants of aimc_rng.c the READ kernel repeats */
#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ull
static const float LN2_HI_F = 0x1.62e300p-1f;
static const float LN2_LO_F = 0x1.2fefa2p-17f;
static const float SQRT1_2_F = 0x1.6a09e6p-1f;

typedef float aimc_v4f __attribute__((vector_size(16)));
typedef float aimc_v16f __attribute__((vector_size(64)));
typedef uint64_t aimc_v8u __attribute__((vector_size(64)));
typedef int64_t aimc_v8i __attribute__((vector_size(64)));
typedef double aimc_v8d __attribute__((vector_size(64)));
typedef int32_t aimc_v8si __attribute__((vector_size(32)));
typedef uint32_t aimc_v8su __attribute__((vector_size(32)));
typedef float aimc_v8f __attribute__((vector_size(32)));
typedef int32_t aimc_v4si __attribute__((vector_size(16)));
typedef uint32_t aimc_v4su __attribute__((vector_size(16)));
typedef uint32_t aimc_v16su __attribute__((vector_size(64)));
typedef int32_t aimc_v16si __attribute__((vector_size(64)));

/* dst = mask ? a : b per lane (mask: a comparison of two aimc_v8d, -1 where true) */
#define V_SEL(dst, mask, a, b)                                                                             \
	do {                                                                                               \
		aimc_v8i m_ = (mask), a_, b_;                                                              \
		aimc_v8d av_ = (a), bv_ = (b);                                                             \
		memcpy(&a_, &av_, sizeof(a_));                                                             \
		memcpy(&b_, &bv_, sizeof(b_));                                                             \
		a_ = (a_ & m_) | (b_ & ~m_);                                                               \
		memcpy(&(dst), &a_, sizeof(a_));                                                           \
	} while (0)

/* dst = mask ? a : b per lane (mask: a comparison of two aimc_v8f, -1 where true) */
#define V_SELF(dst, mask, a, b)                                                                            \
	do {                                                                                               \
		aimc_v8si m_ = (mask), a_, b_;                                                             \
		aimc_v8f av_ = (a), bv_ = (b);                                                             \
		memcpy(&a_, &av_, sizeof(a_));                                                             \
		memcpy(&b_, &bv_, sizeof(b_));                                                             \
		a_ = (a_ & m_) | (b_ & ~m_);                                                               \
		memcpy(&(dst), &a_, sizeof(a_));                                                           \
	} while (0)

/* unaligned load of one vector (a macro, not a function: a vector-valued function would take its
 * ABI from the ISA of the including copy) */
#define LDV(dst, p) memcpy(&(dst), (p), sizeof(dst))

#define V_MIX64(z)                                                                                         \
	do {                                                                                               \
		(z) = ((z) ^ ((z) >> 30)) * 0xbf58476d1ce4e5b9ull;                                         \
		(z) = ((z) ^ ((z) >> 27)) * 0x94d049bb133111ebull;                                         \
		(z) = (z) ^ ((z) >> 31);                                                                   \
	} while (0)

/* prototypes of every copy (static: internal to this file; reached through aimc_kern_select) */
#define KERN_PROTOS(sfx)                                                                                                \
	static void read_attempt_##sfx(const uint64_t *prefix, uint32_t index, uint32_t att, uint32_t n,                \
				float *s_out, float *n1_out, float *n2_out, uint64_t *rej);                             \
	static void read_multi_##sfx(const uint64_t *prefix, const uint64_t *tk, uint32_t n, float *s_out,              \
				     float *n1_out, float *n2_out, uint64_t *rej);                                      \
	static void finish_adc_##sfx(int32_t *codes, const double *sum, const float *n2, const double *gain,            \
			      const double *off, uint32_t n, const aimc_fin_par *p);                                    \
	static void finish_adcf_##sfx(int32_t *codes, const float *sum, const float *var, const float *n1,              \
			       const float *n2, const float *gain, const float *off, uint32_t n,                        \
			       const aimc_fin_parf *p);                                                                 \
	static void acc_batch_##sfx(float *sum, float *var, uint32_t ss, const float *gd, const float *rv,              \
			     uint32_t rows, uint32_t c0, uint32_t c1, uint32_t nk, const uint32_t *act,                 \
			     const uint32_t *nact, uint32_t as, const float *v, const float *v2);                       \
	static void acc_pass_##sfx(float *sum, float *var, uint32_t ss, const float *gd, const float *rv,               \
			     uint32_t rows, uint32_t c0, uint32_t c1, uint32_t nk, const uint32_t *act,                 \
			     const uint32_t *nact, uint32_t as, const float *v, const float *v2,                        \
			     const uint32_t *rmask);                                                                    \
	static void acc_int_##sfx(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c0,           \
			   uint32_t c1, uint32_t nk, const uint32_t *dq, uint32_t r4n);                                 \
	static void exact_fin_##sfx(int32_t *codes, const int32_t *s, uint32_t n, int32_t half, int32_t sh, int32_t lo, \
			     int32_t hi);
KERN_PROTOS(base)

#define KERN(name) name##_base
#define KVU aimc_v4su
#define KVI aimc_v4si
#define KVF aimc_v4f
#define VW 4u
#include "aimc_kern_impl.h"
#undef KERN
#undef KVF
#undef KVI
#undef KVU
#undef VW

#if defined(__x86_64__) && defined(__GNUC__) && !defined(AIMC_BASELINE_ONLY)
#define AIMC_X86_KERNELS 1
KERN_PROTOS(avx2)
KERN_PROTOS(avx512)

#pragma GCC push_options
#pragma GCC target("avx2")
#define KERN(name) name##_avx2
#define KVU aimc_v8su
#define KVI aimc_v8si
#define KVF aimc_v8f
#define VW 8u
#include "aimc_kern_impl.h"
#undef KERN
#undef KVF
#undef KVI
#undef KVU
#undef VW
/* The integer sums with AVX2's byte multiply-add (vpmaddubsw: per 16-bit lane, two u8 x s8
 * products added, saturating to int16; then vpmaddwd with ones: the two lanes of each 32-bit lane
 * added): per 32-bit lane the four products of one weight word, as VNNI's vpdpbusd. With every
 * DAC code at most 127 the two products of a 16-bit lane sum to at most 2 x 127 x 128 = 32512 in
 * magnitude, so nothing saturates and the sums are acc_int's exactly (integer arithmetic, any
 * order); a call with a code of 128 or more (an 8-bit DAC) takes acc_int_avx2. With m the largest
 * code of the call, the 16-bit pair sums of 32767 / (256 m) row words (127 for a 1-bit DAC) are
 * added in 16-bit lanes before one vpmaddwd widens them (|sum| <= run x 2 x m x 128 < 2^15). 16
 * columns (one 64-byte line of weights per row word) in two vectors, G reads at a time in
 * registers; one read alone skips its all-zero code words. */
#include <immintrin.h>
#define MADD_GROUP(G)                                                                                      \
	static void madd_group##G(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c,   \
				  uint32_t c0, const uint32_t *dq, uint32_t r4n, uint32_t run)             \
	{                                                                                                  \
		const __m256i ones = _mm256_set1_epi16(1);                                                 \
		__m256i a0[G], a1[G], h0[G], h1[G];                                                        \
		_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) a0[j] = a1[j] = _mm256_setzero_si256(); \
		for (uint32_t g = 0; run == 1 && g < r4n; g++) { /* codes up to 127: widen every word */  \
			const int8_t *p = w4 + ((size_t)g * cstride + c) * 4;                              \
			const __m256i x0 = _mm256_loadu_si256((const void *)p);                            \
			const __m256i x1 = _mm256_loadu_si256((const void *)(p + 32));                     \
			_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) {                              \
				const __m256i d = _mm256_set1_epi32((int)dq[(size_t)j * r4n + g]);         \
				a0[j] = _mm256_add_epi32(a0[j], _mm256_madd_epi16(_mm256_maddubs_epi16(d, x0), ones)); \
				a1[j] = _mm256_add_epi32(a1[j], _mm256_madd_epi16(_mm256_maddubs_epi16(d, x1), ones)); \
			}                                                                                  \
		}                                                                                          \
		for (uint32_t g0 = 0; run > 1 && g0 < r4n; g0 += run) {                                    \
			const uint32_t g1 = g0 + run < r4n ? g0 + run : r4n;                               \
			_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) h0[j] = h1[j] = _mm256_setzero_si256(); \
			for (uint32_t g = g0; g < g1; g++) {                                               \
				const int8_t *p = w4 + ((size_t)g * cstride + c) * 4;                      \
				if (G == 1 && dq[g] == 0)                                                  \
					continue;                                                          \
				const __m256i x0 = _mm256_loadu_si256((const void *)p);                    \
				const __m256i x1 = _mm256_loadu_si256((const void *)(p + 32));             \
				_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) {                      \
					const __m256i d = _mm256_set1_epi32((int)dq[(size_t)j * r4n + g]); \
					h0[j] = _mm256_add_epi16(h0[j], _mm256_maddubs_epi16(d, x0));      \
					h1[j] = _mm256_add_epi16(h1[j], _mm256_maddubs_epi16(d, x1));      \
				}                                                                          \
			}                                                                                  \
			_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) {                              \
				a0[j] = _mm256_add_epi32(a0[j], _mm256_madd_epi16(h0[j], ones));           \
				a1[j] = _mm256_add_epi32(a1[j], _mm256_madd_epi16(h1[j], ones));           \
			}                                                                                  \
		}                                                                                          \
		_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) {                                      \
			_mm256_storeu_si256((void *)(sum + (size_t)j * ss + (c - c0)), a0[j]);             \
			_mm256_storeu_si256((void *)(sum + (size_t)j * ss + (c - c0) + 8), a1[j]);         \
		}                                                                                          \
	}
MADD_GROUP(1)
MADD_GROUP(2)
MADD_GROUP(4)
#undef MADD_GROUP

static void acc_int_avx2m(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c0, uint32_t c1,
			  uint32_t nk, const uint32_t *dq, uint32_t r4n)
{
	uint32_t c = c0, m = 0, run;

	for (size_t i = 0; i < (size_t)nk * r4n; i++) { /* the largest code m */
		const uint32_t v = dq[i];
		const uint32_t a = v & 0xffu, b = (v >> 8) & 0xffu, e = (v >> 16) & 0xffu, f = v >> 24;
		const uint32_t ab = a > b ? a : b, ef = e > f ? e : f;

		m = m > ab ? m : ab;
		m = m > ef ? m : ef;
	}
	if (m >= 128) { /* a code of 128 or more: a 16-bit lane could saturate */
		acc_int_avx2(sum, ss, w4, cstride, c0, c1, nk, dq, r4n);
		return;
	}
	/* a 16-bit lane gains at most 2 x m x 128 per row word: run words add up in it below 2^15 */
	run = m == 0 ? r4n : 32767u / (256u * m);
	run = run < 1 ? 1 : run;
	for (; c + 16 <= c1; c += 16) {
		for (uint32_t k = 0; k < nk;) {
			const uint32_t left = nk - k;
			int32_t *sk = sum + (size_t)k * ss;
			const uint32_t *dk = dq + (size_t)k * r4n;

			if (left >= 4) {
				madd_group4(sk, ss, w4, cstride, c, c0, dk, r4n, run);
				k += 4;
			} else if (left >= 2) {
				madd_group2(sk, ss, w4, cstride, c, c0, dk, r4n, run);
				k += 2;
			} else {
				madd_group1(sk, ss, w4, cstride, c, c0, dk, r4n, run);
				k += 1;
			}
		}
	}
	if (c < c1) /* the last columns: the generic copy */
		acc_int_avx2(sum + (c - c0), ss, w4, cstride, c, c1, nk, dq, r4n);
}

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq")
#define KERN(name) name##_avx512
#define KVU aimc_v16su
#define KVI aimc_v16si
#define KVF aimc_v16f
#define VW 16u
#include "aimc_kern_impl.h"
#undef KERN
#undef KVF
#undef KVI
#undef KVU
#undef VW
#pragma GCC pop_options

/* The integer sums with AVX-512 VNNI (vpdpbusd: per 32-bit lane, four u8 x s8 products added to
 * an int32, no saturation): the sums of acc_int exactly (integer arithmetic), 16 columns a vector,
 * G reads at a time in registers. */
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vnni")
#include <immintrin.h>
static void acc_int_vnni(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c0, uint32_t c1,
		  uint32_t nk, const uint32_t *dq, uint32_t r4n);

#define VNNI_GROUP(G)                                                                                      \
	static void vnni_group##G(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c,   \
				  uint32_t c0, const uint32_t *dq, uint32_t r4n)                           \
	{                                                                                                  \
		__m512i acc[G];                                                                            \
		_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) acc[j] = _mm512_setzero_si512();       \
		for (uint32_t g = 0; g < r4n; g++) {                                                       \
			const __m512i x = _mm512_loadu_si512((const void *)(w4 + ((size_t)g * cstride + c) * 4)); \
			_Pragma("GCC unroll 8") for (int j = 0; j < G; j++) acc[j] =                       \
				_mm512_dpbusd_epi32(acc[j], _mm512_set1_epi32((int)dq[(size_t)j * r4n + g]), x); \
		}                                                                                          \
		_Pragma("GCC unroll 8") for (int j = 0; j < G; j++)                                        \
			_mm512_storeu_si512((void *)(sum + (size_t)j * ss + (c - c0)), acc[j]);            \
	}
VNNI_GROUP(1)
VNNI_GROUP(2)
VNNI_GROUP(4)
VNNI_GROUP(8)
#undef VNNI_GROUP

static void acc_int_vnni(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c0, uint32_t c1,
		  uint32_t nk, const uint32_t *dq, uint32_t r4n)
{
	uint32_t c = c0;

	for (; c + 16 <= c1; c += 16) {
		for (uint32_t k = 0; k < nk;) {
			const uint32_t left = nk - k;
			int32_t *sk = sum + (size_t)k * ss;
			const uint32_t *dk = dq + (size_t)k * r4n;

			if (left >= 8) {
				vnni_group8(sk, ss, w4, cstride, c, c0, dk, r4n);
				k += 8;
			} else if (left >= 4) {
				vnni_group4(sk, ss, w4, cstride, c, c0, dk, r4n);
				k += 4;
			} else if (left >= 2) {
				vnni_group2(sk, ss, w4, cstride, c, c0, dk, r4n);
				k += 2;
			} else {
				vnni_group1(sk, ss, w4, cstride, c, c0, dk, r4n);
				k += 1;
			}
		}
	}
	if (c < c1) /* the last columns: the generic copy */
		acc_int_avx512(sum + (c - c0), ss, w4, cstride, c, c1, nk, dq, r4n);
}
#pragma GCC pop_options
#endif

int aimc_kern_select(const char *simd, aimc_kern *out, char *err, size_t errlen)
{
	const int is_auto = simd == NULL || simd[0] == '\0' || strcmp(simd, "auto") == 0;
	static const aimc_kern base = {read_attempt_base, read_multi_base, finish_adc_base, finish_adcf_base,
					 acc_batch_base, acc_pass_base, acc_int_base, exact_fin_base, "baseline", "baseline"};

	if (!is_auto && strcmp(simd, "baseline") != 0 && strcmp(simd, "avx2") != 0 && strcmp(simd, "avx512") != 0) {
		snprintf(err, errlen, "AIMC_SIMD='%s': expected auto, baseline, avx2 or avx512", simd);
		return AIMC_EINVAL;
	}
#ifdef AIMC_X86_KERNELS
	{
		static const aimc_kern k2 = {read_attempt_avx2, read_multi_avx2, finish_adc_avx2, finish_adcf_avx2,
						 acc_batch_avx2, acc_pass_avx2, acc_int_avx2m, exact_fin_avx2, "avx2", "avx2"};
		static const aimc_kern k5 = {read_attempt_avx512, read_multi_avx512, finish_adc_avx512,
						 finish_adcf_avx512, acc_batch_avx512, acc_pass_avx512, acc_int_avx512, exact_fin_avx512, "avx512", "avx512"};
		const int has5 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
		const int has2 = __builtin_cpu_supports("avx2");

		if (is_auto) {
			*out = has5 ? k5 : has2 ? k2 : base;
		} else {
			if ((strcmp(simd, "avx512") == 0 && !has5) || (strcmp(simd, "avx2") == 0 && !has2)) {
				snprintf(err, errlen, "AIMC_SIMD=%s: this CPU does not run %s", simd, simd);
				return AIMC_EUNSUPPORTED;
			}
			*out = strcmp(simd, "avx512") == 0 ? k5 : strcmp(simd, "avx2") == 0 ? k2 : base;
		}
		if (out->read == read_attempt_avx512 && __builtin_cpu_supports("avx512vnni")) {
			out->acci = acc_int_vnni; /* exact integer sums: the same values */
			out->int_name = "avx512vnni";
		}
		return AIMC_OK;
	}
#else
	if (!is_auto && strcmp(simd, "baseline") != 0) {
		snprintf(err, errlen, "AIMC_SIMD=%s: only baseline kernels are built for this target", simd);
		return AIMC_EUNSUPPORTED;
	}
	*out = base;
	return AIMC_OK;
#endif
}
