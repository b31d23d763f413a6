/* SPDX-License-Identifier: Apache-2.0 */
/* Private to analog_models/c: the vector kernels of the C model (aimc_kern_impl.h) and the choice of
 * instruction set. Every choice gives the same bits; only the speed differs. */
#ifndef AIMC_KERN_H
#define AIMC_KERN_H

#include <stddef.h>
#include <stdint.h>

/* Columns per panel of the binary32 read arrays (aimc_analog.c pm_index): a multiple of every
 * copy's four-vector block (64, 32, 16 floats). */
#define AIMC_PANEL 64u

/* Attempt att of the READ pairs of the keys with the given prefixes and index (aimc_rng_read_pair):
 * s, u f and v f per key, f = sqrt(-2 ln s / s) (meaningless where s is not in (0, 1)); n a
 * multiple of 8; bit i % 64 of rej[i / 64] set where key i's s is not in (0, 1) (the attempt is
 * rejected), clear elsewhere ((n + 63) / 64 words). */
typedef void (*aimc_read_fn)(const uint64_t *prefix, uint32_t index, uint32_t att, uint32_t n, float *s,
			     float *n1, float *n2, uint64_t *rej);

/* The same attempt for keys of several event indices or attempt numbers: key i absorbs the word
 * tk[i] = mix64((index << 32 | att) + 0x9e3779b97f4a7c15) (aimc_rng.c absorb), otherwise as
 * aimc_read_fn. */
typedef void (*aimc_readm_fn)(const uint64_t *prefix, const uint64_t *tk, uint32_t n, float *s, float *n1, float *n2,
			      uint64_t *rej);

/* The constants of the column finish and ADC transfer (aimc_analog.c's clip_current and adc_code). */
typedef struct aimc_fin_par {
	double lsb;       /* current of one LSB at this adc_shift, A */
	double i_clip;    /* 0: no clipping */
	double inv_half;  /* 2^-(adc_bits - 1) */
	double inl_k;     /* adc_inl * (1.5 sqrt(3)) */
	double adc_noise; /* comparator noise, LSB */
	double lo, hi;    /* code range */
	int adc_on, inl_on, noise_on;
} aimc_fin_par;

/* The binary32 constants of the read-noise path (decision 0006): the same quantities as
 * aimc_fin_par, rounded to binary32 once. */
typedef struct aimc_fin_parf {
	float lsb, i_clip, inv_half, inl_k, adc_noise, lo, hi;
	int adc_on, inl_on, noise_on;
} aimc_fin_parf;

/* codes[c] for c < n (a multiple of 8): without read noise, from the binary64 column sums, the
 * comparator normals (the second of each READ pair) and the per-column ADC gain and offset ... */
typedef void (*aimc_fin_fn)(int32_t *codes, const double *sum, const float *n2, const double *gain,
			    const double *off, uint32_t n, const aimc_fin_par *p);
/* ... and with read noise on, in binary32 from the sums, variances and both normals of each pair. */
typedef void (*aimc_finf_fn)(int32_t *codes, const float *sum, const float *var, const float *n1,
			     const float *n2, const float *gain, const float *off, uint32_t n,
			     const aimc_fin_parf *p);

/* Read noise on, one or several reads at once (decision 0008), columns [c0, c1): the binary32 sums
 * and variances of every column for each read k < nk, each column adding its active rows in
 * ascending order (aimc_analog.c column_current_f32), into sum + k ss and var + k ss (act + k as:
 * its nact[k] active rows, ascending; v + k as, v2 + k as: its voltages by row, read at the
 * active rows only, or v NULL: every voltage 1); gd and rv in panels of AIMC_PANEL columns by `rows`
 * rows (pm_index) ... */
typedef void (*aimc_accb_fn)(float *sum, float *var, uint32_t ss, const float *gd, const float *rv, uint32_t rows,
			     uint32_t c0, uint32_t c1, uint32_t nk, const uint32_t *act, const uint32_t *nact,
			     uint32_t as, const float *v, const float *v2);
/* ... the same sums, bit for bit, in one pass over each block's rows (aimc_kern_impl.h acc_pass): bit j of
 * rmask[g rows + r] set when row r is active in read 32 g + j ... */
typedef void (*aimc_accp_fn)(float *sum, float *var, uint32_t ss, const float *gd, const float *rv, uint32_t rows,
			     uint32_t c0, uint32_t c1, uint32_t nk, const uint32_t *act, const uint32_t *nact,
			     uint32_t as, const float *v, const float *v2, const uint32_t *rmask);
/* ... and, every effect off, the exact integer sums of the DAC codes times the int8 weights, both
 * packed four rows to a 32-bit word (aimc_kern_impl.h acc_int). */
typedef void (*aimc_acci_fn)(int32_t *sum, uint32_t ss, const int8_t *w4, uint32_t cstride, uint32_t c0, uint32_t c1,
			     uint32_t nk, const uint32_t *dq, uint32_t r4n);

typedef struct aimc_kern {
	aimc_read_fn read;
	aimc_readm_fn readm;
	aimc_fin_fn finish;
	aimc_finf_fn finishf;
	aimc_accb_fn accb;
	aimc_accp_fn accp;
	aimc_acci_fn acci;
	/* codes from exact integer sums (aimc_kern_impl.h exact_fin) */
	void (*exact_fin)(int32_t *codes, const int32_t *s, uint32_t n, int32_t half, int32_t sh, int32_t lo, int32_t hi);
	const char *name; /* "baseline", "avx2" or "avx512" */
	const char *int_name; /* the integer sums: as name, or "avx512vnni" */
} aimc_kern;

/* The kernels for `simd`: NULL, "" or "auto" = the widest this CPU runs; "baseline" (SSE2 on
 * x86-64, the compiler's default elsewhere), "avx2" or "avx512" (AVX-512 F and DQ). Returns
 * AIMC_OK, or with a message in err AIMC_EINVAL for an unknown name and AIMC_EUNSUPPORTED for an
 * instruction set this CPU or build lacks. aimc_xbar_create passes cfg->simd here (the tools set
 * it from $AIMC_SIMD; the message names that variable for their users). */
int aimc_kern_select(const char *simd, aimc_kern *out, char *err, size_t errlen);

/* For i < n: aimc_rng_read_pair(prefix[i], index, &first[i], &second[i]) bit for bit, the polar
 * attempts 8 keys at a time with `attempt`. */
void aimc_rng_read_pairs(aimc_read_fn attempt, const uint64_t *prefix, uint32_t index, uint32_t n, float *first,
			 float *second);
/* For k < nk and i < n: aimc_rng_read_pair(prefix[i], index[k], &first[k stride + i],
 * &second[k stride + i]) bit for bit: attempt 0 of each index with `attempt`, the rejected keys of
 * all the indices together with `multi` (fewer short rounds than nk calls of aimc_rng_read_pairs). */
void aimc_rng_read_pairs_multi(aimc_read_fn attempt, aimc_readm_fn multi, const uint64_t *prefix, const uint32_t *index,
			       uint32_t nk, uint32_t n, float *first, float *second, size_t stride);

#endif /* AIMC_KERN_H */
