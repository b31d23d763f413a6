/* SPDX-License-Identifier: Apache-2.0 */
/* aimc_xbar_convert_batch (decision 0008) gives the bits of one aimc_xbar_apply + aimc_xbar_convert_all
 * per read, and of aimc_xbar_convert per column, for 1, 2 and 3 worker threads and on every
 * instruction set this CPU runs: configs with read noise (every effect on; 1-, 2-, 3- and 8-bit
 * DACs), every effect off (the integer sums; 1-, 4- and 8-bit DACs), and the read-by-read
 * fallbacks (binary64 sums with comparator noise, IR drop). 300 columns: three worker ranges of
 * 128, 128 and 44 columns (tails in the kernels' 64-column blocks and 8-column finish); 68 rows;
 * one read with no active row; two tiles, the checks on tile 1 (tile 0 programmed differently).
 * From 512 rows (a 520-row tile) the one-pass sums. After a batch the tile holds the last read's voltages; a code
 * above the DAC's mask fails the whole batch and changes nothing; bad thread counts are refused.
 * Usage: test_batch [--seed N]. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_test.h"

enum { R = 68, C = 300, NK = 14, T = 1 };

/* the ADC shift of read k is shifts[k % 3]: none (many codes clamp), a rounding one, and one past
 * every sum's magnitude (every code 0) */
static const uint32_t shifts[3] = {0, 3, 30};

static const char *const isa[] = {"baseline", "avx2", "avx512"};

enum kind { NOISY, IDEAL, CMP_ONLY, IRDROP };

static aimc_cfg make_cfg(enum kind kind, uint32_t dac_bits)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "batch");
	c.rows = R;
	c.cols = C;
	c.cols_per_adc = 4;
	c.dac_bits = dac_bits;
	c.adc_bits = 8;
	c.adc_cycles = 8;
	c.num_tiles = 2;
	if (kind == NOISY) {
		c.drift_time = 86400;
		c.stuck_gmin_frac = 0.02;
		c.stuck_gmax_frac = 0.01;
		c.dac_inl = 0.1;
		c.dac_rout = 100;
		c.adc_gain_err = 0.01;
		c.adc_gain_sigma = 0.005;
		c.adc_offset = 0.2;
		c.adc_offset_sigma = 0.3;
		c.adc_inl = 0.5;
		c.adc_noise = 0.3;
		c.i_clip = 3e-6;
		c.temp = 358;
	} else if (kind == IDEAL) {
		c.prog_sigma = 0.0;
		c.read_sigma = 0.0;
	} else if (kind == CMP_ONLY) {
		c.read_sigma = 0.0;
		c.adc_noise = 0.3;
	} else {
		c.ir_mode = 1;
	}
	return c;
}

static uint64_t st;

static uint32_t next(void)
{
	st = st * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(st >> 33);
}

/* A programmed crossbar on kernels `simd`, or NULL. */
static aimc_xbar *make_xbar(const aimc_cfg *c, const char *simd)
{
	aimc_cfg cs = *c;
	aimc_xbar *xb;
	int8_t w[C];

	snprintf(cs.simd, sizeof(cs.simd), "%s", simd);
	xb = aimc_xbar_create(&cs, seed);
	if (xb == NULL)
		return NULL;
	st = seed * 0x9e3779b97f4a7c15ull + 11;
	for (uint32_t t = 0; t < 2; t++)
		for (uint32_t r = 0; r < R; r++) {
			for (uint32_t i = 0; i < C; i++)
				w[i] = (int8_t)(next() & 0xff); /* -128 included: programmed as -127 */
			aimc_xbar_program_row(xb, t, r, w, r);
		}
	return xb;
}

static void check_config(enum kind kind, uint32_t dac_bits, const char *simd)
{
	static const char *const kname[] = {"noisy", "ideal", "cmp_only", "irdrop"};
	static uint8_t d[NK * R];
	static int32_t ref[NK * C], col[NK * C], got[NK * C], after_ref[C], after_got[C];
	uint32_t idx[NK], mask = (1u << dac_bits) - 1u;
	aimc_cfg c = make_cfg(kind, dac_bits);
	aimc_xbar *xb = make_xbar(&c, simd);
	char name[96];
	int ok = 1;

	snprintf(name, sizeof(name), "%s_dac%u_%s", kname[kind], dac_bits, simd);
	if (xb == NULL) {
		report(0, name, "expected a crossbar, got NULL");
		return;
	}
	st = seed * 0x2545f4914f6cdd1dull + dac_bits;
	for (uint32_t k = 0; k < NK; k++) {
		idx[k] = 1000u + 7u * k + (k == 5 ? 0u : k % 3); /* arbitrary event indices */
		for (uint32_t r = 0; r < R; r++) {
			uint32_t x = next();

			d[k * R + r] = k == 3 ? 0 : (uint8_t)(x % 3 == 0 ? 0 : (x >> 8) & mask); /* read 3: no row */
		}
	}
	/* the reference: read by read, the whole-array and the per-column paths */
	for (uint32_t k = 0; k < NK; k++) {
		aimc_xbar_apply(xb, T, d + k * R);
		aimc_xbar_convert_all(xb, T, idx[k], shifts[k % 3], ref + k * C);
		for (uint32_t j = 0; j < C; j++)
			col[k * C + j] = aimc_xbar_convert(xb, T, j, idx[k], shifts[k % 3]);
	}
	ok = memcmp(ref, col, sizeof(ref)) == 0;
	report(ok, name, "expected convert_all to equal the per-column convert");
	aimc_xbar_convert_all(xb, T, 77, 1, after_ref);
	aimc_xbar_destroy(xb);
	for (uint32_t t = 1; t <= 3; t++) {
		char tn[128];
		int same_codes, same_after;

		xb = make_xbar(&c, simd);
		if (xb == NULL || aimc_xbar_set_threads(xb, t) != 0) {
			report(0, name, "expected a crossbar with %u threads", t);
			aimc_xbar_destroy(xb);
			return;
		}
		/* the ADC shift differs per read in the reference: one batch per shift */
		memset(got, 0x55, sizeof(got));
		for (uint32_t sh = 0; sh < 3; sh++) {
			uint8_t dd[NK * R];
			uint32_t ii[NK], n = 0;
			int32_t cc[NK * C];

			for (uint32_t k = sh; k < NK; k += 3) {
				memcpy(dd + n * R, d + k * R, R);
				ii[n++] = idx[k];
			}
			if (aimc_xbar_convert_batch(xb, T, dd, n, ii, shifts[sh], cc) != 0) {
				report(0, name, "convert_batch returned an error with %u threads", t);
				aimc_xbar_destroy(xb);
				return;
			}
			n = 0;
			for (uint32_t k = sh; k < NK; k += 3, n++)
				memcpy(got + k * C, cc + n * C, C * sizeof(int32_t));
		}
		same_codes = memcmp(got, ref, sizeof(ref)) == 0;
		/* the last batch ended with read 13 (13 % 3 == 1): re-apply the reference's last read */
		aimc_xbar_apply(xb, T, d + (NK - 1) * R);
		aimc_xbar_convert_all(xb, T, 77, 1, after_got);
		same_after = memcmp(after_got, after_ref, sizeof(after_ref)) == 0;
		snprintf(tn, sizeof(tn), "batch_equals_reads_%s_threads%u", name, t);
		report(same_codes && same_after, tn, "expected the read-by-read codes (%s)",
		       same_codes ? "codes equal; the tile's state after differs" : "codes differ");
		if (t == 3) {
			/* the tile holds the last read of a batch: a convert_all now is that read's */
			uint32_t one = 4242;

			aimc_xbar_convert_batch(xb, T, d + 2 * R, 1, &one, 2, got);
			aimc_xbar_convert_all(xb, T, one, 2, after_got);
			snprintf(tn, sizeof(tn), "batch_leaves_last_read_%s", name);
			report(memcmp(got, after_got, C * sizeof(int32_t)) == 0, tn,
			       "expected convert_all after the batch to repeat its last read");
		}
		aimc_xbar_destroy(xb);
	}
}

/* From 512 rows with read noise the batch sums in one pass over each block's rows (kern.accp):
 * a 520 x 132 noisy tile, 14 and 40 reads (40: two groups of 32), 1 and 2 workers, codes equal to
 * read-by-read conversion (test_simd checks the sums themselves bit for bit). */
static void check_tall(uint32_t dac_bits, uint32_t nk, const char *simd)
{
	enum { TR = 520, TC = 132, TK = 40 };
	static uint8_t d[TK * TR];
	static int32_t ref[TK * TC], got[TK * TC];
	static int8_t w[TC];
	uint32_t idx[TK], mask = (1u << dac_bits) - 1u;
	aimc_cfg c = make_cfg(NOISY, dac_bits);
	char name[96];

	c.rows = TR;
	c.cols = TC;
	c.num_tiles = 1;
	snprintf(c.simd, sizeof(c.simd), "%s", simd);
	st = seed * 0x2545f4914f6cdd1dull + 97u * dac_bits + nk;
	for (uint32_t k = 0; k < nk; k++) {
		idx[k] = 500u + 3u * k;
		for (uint32_t r = 0; r < TR; r++) {
			uint32_t x = next();

			d[k * TR + r] = (uint8_t)(x % 3 == 0 ? 0 : (x >> 8) & mask);
		}
	}
	for (uint32_t t = 1; t <= 2; t++) {
		aimc_xbar *xb = aimc_xbar_create(&c, seed);
		int ok = xb != NULL && aimc_xbar_set_threads(xb, t) == 0;

		snprintf(name, sizeof(name), "batch_tall_equals_reads_dac%u_k%u_%s_threads%u", dac_bits, nk, simd, t);
		st = seed * 0x9e3779b97f4a7c15ull + 5;
		for (uint32_t r = 0; ok && r < TR; r++) {
			for (uint32_t i = 0; i < TC; i++)
				w[i] = (int8_t)(next() & 0xff);
			aimc_xbar_program_row(xb, 0, r, w, r);
		}
		for (uint32_t k = 0; ok && k < nk; k++)
			ok = aimc_xbar_apply(xb, 0, d + k * TR) == 0 &&
			     aimc_xbar_convert_all(xb, 0, idx[k], 2, ref + k * TC) == 0;
		ok = ok && aimc_xbar_convert_batch(xb, 0, d, nk, idx, 2, got) == 0;
		report(ok && memcmp(got, ref, (size_t)nk * TC * sizeof(int32_t)) == 0, name,
		       "expected the read-by-read codes");
		aimc_xbar_destroy(xb);
	}
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	for (size_t i = 0; i < sizeof(isa) / sizeof(isa[0]); i++) {
		static const uint32_t noisy_bits[] = {1, 2, 3, 8}, ideal_bits[] = {1, 4, 8};
		aimc_cfg c = make_cfg(IDEAL, 1);
		aimc_xbar *probe;

		snprintf(c.simd, sizeof(c.simd), "%s", isa[i]);
		probe = aimc_xbar_create(&c, seed);
		c.simd[0] = '\0';
		if (probe == NULL) {
			printf("SKIP %s: not run by this CPU\n", isa[i]);
			continue;
		}
		aimc_xbar_destroy(probe);
		for (size_t b = 0; b < 4; b++)
			check_config(NOISY, noisy_bits[b], isa[i]);
		for (size_t b = 0; b < 3; b++)
			check_config(IDEAL, ideal_bits[b], isa[i]);
		check_tall(1, 14, isa[i]);
		check_tall(2, 40, isa[i]);
		if (i == 0) {
			check_config(CMP_ONLY, 2, isa[i]);
			check_config(IRDROP, 1, isa[i]);
		}
	}
	{
		aimc_cfg c = make_cfg(NOISY, 2);
		aimc_xbar *xb = make_xbar(&c, "auto");
		uint8_t d[2 * R] = {0};
		uint32_t idx[2] = {1, 2};
		int32_t before[C], after[C], codes[2 * C];
		int ok = xb != NULL;

		if (xb != NULL) {
			d[5] = 3;
			aimc_xbar_apply(xb, T, d);
			aimc_xbar_convert_all(xb, T, 9, 0, before);
			d[R + 60] = 4; /* above the 2-bit mask, in the second read */
			ok &= aimc_xbar_convert_batch(xb, T, d, 2, idx, 0, codes) == -1;
			aimc_xbar_convert_all(xb, T, 9, 0, after);
			ok &= memcmp(before, after, sizeof(before)) == 0;
			ok &= aimc_xbar_set_threads(xb, 0) == -1 && aimc_xbar_set_threads(xb, AIMC_XBAR_MAX_THREADS + 1) == -1;
			ok &= aimc_xbar_set_threads(xb, AIMC_XBAR_MAX_THREADS) == 0;
			ok &= aimc_xbar_convert_batch(xb, 2, d, 1, idx, 0, codes) == -1; /* two tiles only */
			ok &= aimc_xbar_convert_batch(xb, T, d, 0, idx, 0, codes) == 0;
		}
		report(ok, "batch_rejects_bad_codes_tile_threads",
		       "expected -1 and no change for a code of 4 (mask 3), -1 for 0 or 65 threads and tile 2");
		aimc_xbar_destroy(xb);
	}
	return failures ? 1 : 0;
}
