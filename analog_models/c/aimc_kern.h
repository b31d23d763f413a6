/* SPDX-License-Identifier: Apache-2.0 */
/* Private to analog_models/c: the vector kernels of the C model (aimc_kern_impl.h) and the choice of
 * instruction set. Every choice gives the same bits; only the speed differs. */
#ifndef AIMC_KERN_H
#define AIMC_KERN_H

#include <stddef.h>
#include <stdint.h>

/* sum[c] = sum_i v[act[i]] gd[act[i] cols + c], var[c] likewise with v2 and rv, in binary32,
 * each column adding the n active rows in ascending order. */
typedef void (*aimc_acc_fn)(float *sum, float *var, const float *gd, const float *rv, uint32_t cols,
			    const uint32_t *act, uint32_t n, const float *v, const float *v2);
/* Polar attempt att of the READ keys with the given prefixes and index: s, ln s, u and v per key
 * (n a multiple of 8; see aimc_rng_normal_pairs). */
typedef void (*aimc_pairs_fn)(const uint64_t *prefix, uint32_t index, uint32_t att, uint32_t n, double *s,
			      double *lg, double *u, double *v);

/* The constants of the column finish and ADC transfer (aimc_analog.c's finish_with and adc_code). */
typedef struct aimc_fin_par {
	double lsb;       /* current of one LSB at this adc_shift, A */
	double i_clip;    /* 0: no clipping */
	double inv_half;  /* 2^-(adc_bits - 1) */
	double inl_k;     /* adc_inl * (1.5 sqrt(3)) */
	double adc_noise; /* comparator noise, LSB */
	double lo, hi;    /* code range */
	int adc_on, inl_on, noise_on;
} aimc_fin_par;

/* codes[c] for c < n (a multiple of 8) from the column sums, variances, READ normal pairs and the
 * per-column ADC gain and offset. */
typedef void (*aimc_fin_fn)(int32_t *codes, const double *sum, const double *var, const double *n1,
			    const double *n2, const double *gain, const double *off, uint32_t n,
			    const aimc_fin_par *p);

typedef struct aimc_kern {
	aimc_acc_fn acc;
	aimc_pairs_fn pairs;
	aimc_fin_fn finish;
	const char *name; /* "baseline", "avx2" or "avx512" */
} aimc_kern;

/* The kernels for `simd`: NULL, "" or "auto" = the widest this CPU runs; "baseline" (SSE2 on
 * x86-64, the compiler's default elsewhere), "avx2" or "avx512" (AVX-512 F and DQ). Returns 0, or
 * -1 with a message in err for an unknown name or an instruction set this CPU lacks. The
 * environment variable AIMC_SIMD is passed here by aimc_xbar_create. */
int aimc_kern_select(const char *simd, aimc_kern *out, char *err, size_t errlen);

/* For i < n: first[i] = aimc_rng_normal_pair_prefixed(prefix[i], k, &second[i]) with k->index =
 * index (the other key fields live in the prefix), bit for bit; the polar attempts 8 keys at a
 * time with `pairs`. */
void aimc_rng_normal_pairs(aimc_pairs_fn pairs, const uint64_t *prefix, uint32_t index, uint32_t n,
			   double *first, double *second);

#endif /* AIMC_KERN_H */
