/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the crossbar model without noise (analog_models/c/aimc_analog.c): every ADC code
 * equals the exact integer sum_r d[r]*w[r][c] computed here with integer arithmetic, clamped to the
 * ADC range, for dac_bits 1..8 and several geometries. Usage: test_xbar_ideal [--seed N]. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_test.h"

/* Stimulus generator, independent of the library under test (SplitMix64). */
static uint64_t stim_state;

static uint64_t stim_u64(void)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int stim_range(int lo, int hi) /* inclusive */
{
	return lo + (int)(stim_u64() % (uint64_t)(hi - lo + 1));
}

static aimc_cfg noiseless_cfg(uint32_t tiles, uint32_t rows, uint32_t cols, uint32_t cpa, uint32_t dac,
			      uint32_t adc)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "t%ux%u", rows, cols);
	c.num_tiles = tiles;
	c.rows = rows;
	c.cols = cols;
	c.cols_per_adc = cpa;
	c.dac_bits = dac;
	c.adc_bits = adc;
	c.adc_cycles = adc;
	c.prog_sigma = 0.0;
	c.read_sigma = 0.0;
	return c;
}

static int64_t clamp64(int64_t v, uint32_t adc_bits)
{
	int64_t lo = -((int64_t)1 << (adc_bits - 1)), hi = ((int64_t)1 << (adc_bits - 1)) - 1;

	return v < lo ? lo : v > hi ? hi : v;
}

struct tally {
	uint64_t checked, clipped;
	int mismatch;
	int64_t exp, got;
	uint32_t col;
};

/* Apply d on tile, convert every column and compare with the integer sum (w is rows x cols). */
static void check_vector(aimc_xbar *xb, const aimc_cfg *c, uint32_t tile, const int8_t *w,
			 const uint8_t *d, uint32_t conv_idx, struct tally *t)
{
	if (aimc_xbar_apply(xb, tile, d) != 0) {
		if (!t->mismatch) {
			t->mismatch = 1;
			t->exp = 0;
			t->got = -1;
		}
		return;
	}
	for (uint32_t col = 0; col < c->cols; col++) {
		int64_t s = 0, e;
		int32_t code;

		for (uint32_t r = 0; r < c->rows; r++) {
			int wv = w[r * c->cols + col] == -128 ? -127 : w[r * c->cols + col];

			s += (int64_t)d[r] * wv;
		}
		e = clamp64(s, c->adc_bits);
		code = aimc_xbar_convert(xb, tile, col, conv_idx, 0);
		t->checked++;
		t->clipped += e != s;
		if (code != e && !t->mismatch) {
			t->mismatch = 1;
			t->exp = e;
			t->got = code;
			t->col = col;
		}
	}
}

/* Program random weights and run int8 inputs through the slices and phases of docs/numbers.md,
 * plus fully random DAC codes. */
static void run_geometry(uint32_t rows, uint32_t cols, uint32_t cpa, uint32_t dac)
{
	uint32_t adc = 2, mask = (1u << dac) - 1u, ns = (7 + dac - 1) / dac;
	aimc_cfg c;
	aimc_xbar *xb;
	int8_t *w = malloc((size_t)rows * cols);
	uint8_t *d = malloc(rows);
	int8_t *x = malloc(rows);
	struct tally t = {0};
	uint32_t conv = 0;
	int ideal;
	char name[128];

	c = noiseless_cfg(1, rows, cols, cpa, dac, 16);
	while (adc < 16) { /* smallest ADC that makes the config ideal, else 16 bits */
		c.adc_bits = c.adc_cycles = adc;
		if (aimc_cfg_is_ideal(&c))
			break;
		adc++;
	}
	c.adc_bits = c.adc_cycles = adc;
	ideal = aimc_cfg_is_ideal(&c);
	/* not ideal: even a 16-bit ADC can clip; the code must then be the clamped exact sum */
	snprintf(name, sizeof(name), "%s_exact_%ux%u_dac%u_adc%u", ideal ? "ideal" : "noiseless_clamped",
		 rows, cols, dac, adc);
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL || w == NULL || d == NULL || x == NULL) {
		report(0, name, "expected a crossbar, got NULL from aimc_xbar_create");
		goto out;
	}
	for (size_t i = 0; i < (size_t)rows * cols; i++)
		w[i] = (int8_t)stim_range(-128, 127); /* -128 must act as -127 */
	for (uint32_t r = 0; r < rows; r++)
		aimc_xbar_program_row(xb, 0, r, w + (size_t)r * cols, r);
	for (int trial = 0; trial < 12; trial++) {
		for (uint32_t r = 0; r < rows; r++)
			x[r] = (int8_t)stim_range(-127, 127);
		for (uint32_t s = 0; s < ns; s++) {
			for (int ph = 0; ph < 2; ph++) {
				for (uint32_t r = 0; r < rows; r++) {
					int a = x[r] < 0 ? -x[r] : x[r];
					int on = ph == 0 ? x[r] > 0 : x[r] < 0;

					d[r] = on ? (uint8_t)((a >> (s * dac)) & (int)mask) : 0;
				}
				check_vector(xb, &c, 0, w, d, conv++, &t);
			}
		}
		for (uint32_t r = 0; r < rows; r++) /* full DAC range, every row active or not */
			d[r] = (uint8_t)stim_range(0, (int)mask);
		check_vector(xb, &c, 0, w, d, conv++, &t);
	}
	for (uint32_t r = 0; r < rows; r++) /* worst case: all rows at full scale */
		d[r] = (uint8_t)mask;
	check_vector(xb, &c, 0, w, d, conv++, &t);
	if (t.mismatch)
		report(0, name, "expected code %" PRId64 ", got %" PRId64 " (column %u, %" PRIu64 " codes)",
		       t.exp, t.got, t.col, t.checked);
	else if (ideal && t.clipped)
		report(0, name, "expected no clipped code in an ideal config, got %" PRIu64, t.clipped);
	else if (!ideal && t.checked - t.clipped < 50)
		report(0, name, "expected >= 50 codes in range, got %" PRIu64 " of %" PRIu64,
		       t.checked - t.clipped, t.checked);
	else
		report(1, name, "");
out:
	aimc_xbar_destroy(xb);
	free(w);
	free(d);
	free(x);
}

/* adc_shift > 0: code = round_half_away(S / 2^shift). An exact tie (.5) in integer arithmetic is
 * not a tie in the analog domain (conductances are not exact multiples of dG), so either
 * neighbour is accepted there. */
static void test_adc_shift(void)
{
	aimc_cfg c = noiseless_cfg(1, 64, 32, 4, 2, 14);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[64 * 32];
	uint8_t d[64];
	int bad = 0;
	int64_t exp = 0, got = 0;
	uint32_t ties = 0, n = 0;

	if (xb == NULL) {
		report(0, "adc_shift_rounding", "expected a crossbar, got NULL");
		return;
	}
	for (int i = 0; i < 64 * 32; i++)
		w[i] = (int8_t)stim_range(-127, 127);
	for (uint32_t r = 0; r < 64; r++)
		aimc_xbar_program_row(xb, 0, r, w + r * 32, 0);
	for (int trial = 0; trial < 40 && !bad; trial++) {
		for (int r = 0; r < 64; r++)
			d[r] = (uint8_t)stim_range(0, 3);
		aimc_xbar_apply(xb, 0, d);
		for (uint32_t shift = 1; shift <= 15 && !bad; shift++) {
			for (uint32_t col = 0; col < 32; col++) {
				int64_t s = 0;
				double q, fl;
				int32_t code = aimc_xbar_convert(xb, 0, col, 0, shift);

				for (int r = 0; r < 64; r++)
					s += (int64_t)d[r] * w[r * 32 + (int)col];
				q = (double)s / (double)(1u << shift); /* exact */
				fl = floor(q);
				n++;
				if (q - fl == 0.5) {
					ties++;
					if (code != (int64_t)fl && code != (int64_t)fl + 1) {
						bad = 1;
						exp = (int64_t)fl;
						got = code;
					}
				} else {
					int64_t e = clamp64((int64_t)(q >= 0 ? floor(q + 0.5) : -floor(-q + 0.5)), 14);

					if (code != e) {
						bad = 1;
						exp = e;
						got = code;
					}
				}
			}
		}
	}
	report(!bad && ties > 0, "adc_shift_rounding",
	       "expected round_half_away(S/2^shift) on %u codes (%u ties), got %" PRId64 " for %" PRId64, n,
	       ties, got, exp);
	aimc_xbar_destroy(xb);
}

/* Explicit saturation: a 4-bit ADC on 64 rows clips; clipped codes sit on the rails. */
static void test_clipping(void)
{
	aimc_cfg c = noiseless_cfg(1, 64, 8, 4, 1, 4);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[64 * 8];
	uint8_t d[64];
	struct tally t = {0};

	if (xb == NULL) {
		report(0, "adc_clips_to_rails", "expected a crossbar, got NULL");
		return;
	}
	for (int i = 0; i < 64 * 8; i++)
		w[i] = (int8_t)(i % 8 < 4 ? 100 : -100);
	for (uint32_t r = 0; r < 64; r++)
		aimc_xbar_program_row(xb, 0, r, w + r * 8, r);
	for (int r = 0; r < 64; r++)
		d[r] = 1;
	check_vector(xb, &c, 0, w, d, 0, &t);
	report(!t.mismatch && t.clipped == 8 && aimc_xbar_convert(xb, 0, 0, 0, 0) == 7 &&
		       aimc_xbar_convert(xb, 0, 7, 0, 0) == -8,
	       "adc_clips_to_rails", "expected codes 7 / -8 on all 8 columns, got %d / %d (%" PRIu64
	       " clipped)", aimc_xbar_convert(xb, 0, 0, 0, 0), aimc_xbar_convert(xb, 0, 7, 0, 0), t.clipped);
	aimc_xbar_destroy(xb);
}

/* Tiles are independent: different weights and inputs per tile, each exact. Also checks the
 * current in amperes against vread*dG/mask * S. */
static void test_tiles(void)
{
	enum { T = 3, R = 16, C = 8 };
	aimc_cfg c = noiseless_cfg(T, R, C, 2, 3, 16);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[T][R * C];
	uint8_t d[T][R];
	struct tally t = {0};
	double worst = 0.0;

	if (xb == NULL) {
		report(0, "tiles_independent", "expected a crossbar, got NULL");
		return;
	}
	for (int k = 0; k < T; k++) {
		for (int i = 0; i < R * C; i++)
			w[k][i] = (int8_t)stim_range(-127, 127);
		for (uint32_t r = 0; r < R; r++)
			aimc_xbar_program_row(xb, (uint32_t)k, r, w[k] + r * C, r);
		for (int r = 0; r < R; r++)
			d[k][r] = (uint8_t)stim_range(0, 7);
		aimc_xbar_apply(xb, (uint32_t)k, d[k]);
	}
	for (int k = 0; k < T; k++) { /* all applied first: each tile keeps its own voltages */
		for (uint32_t col = 0; col < C; col++) {
			int64_t s = 0;
			double lsb = c.vread * ((c.gmax - c.gmin) / 127.0) / 7.0, i;

			for (int r = 0; r < R; r++)
				s += (int64_t)d[k][r] * w[k][r * C + (int)col];
			i = aimc_xbar_current(xb, (uint32_t)k, col, 0);
			if (s != 0 && fabs(i / (lsb * (double)s) - 1.0) > worst)
				worst = fabs(i / (lsb * (double)s) - 1.0);
			t.checked++;
			if (aimc_xbar_convert(xb, (uint32_t)k, col, 0, 0) != s && !t.mismatch) {
				t.mismatch = 1;
				t.exp = s;
				t.got = aimc_xbar_convert(xb, (uint32_t)k, col, 0, 0);
				t.col = col;
			}
		}
	}
	report(!t.mismatch, "tiles_independent", "expected %" PRId64 ", got %" PRId64 " (column %u)", t.exp,
	       t.got, t.col);
	report(worst < 1e-12, "current_in_amperes", "expected I = vread*dG/mask*S within 1e-12, got rel err %.3g",
	       worst);
	aimc_xbar_destroy(xb);
}

static void test_bad_args(void)
{
	aimc_cfg c = noiseless_cfg(2, 16, 8, 2, 2, 14);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t d[16] = {0}, dbad[16] = {0};
	int32_t before;

	if (xb == NULL) {
		report(0, "bad_args", "expected a crossbar, got NULL");
		return;
	}
	report(aimc_xbar_program_row(xb, 2, 0, w, 0) == -1 && aimc_xbar_program_row(xb, 0, 16, w, 0) == -1 &&
		       aimc_xbar_program_row(xb, 0, 0, NULL, 0) == -1,
	       "program_row_rejects_bad_tile_row", "expected -1 for tile 2 / row 16 / NULL, got 0");
	aimc_xbar_program_row(xb, 0, 0, w, 0);
	d[0] = 3;
	aimc_xbar_apply(xb, 0, d);
	before = aimc_xbar_convert(xb, 0, 7, 0, 0);
	{
		/* every row position, codes just above the mask (3) to 255: the check reads the codes
		 * eight at a time, so each byte of a word must count */
		static const uint8_t badv[] = {4, 8, 64, 128, 255};
		int all = 1;

		for (int r = 0; r < 16; r++)
			for (size_t k = 0; k < sizeof(badv); k++) {
				memset(dbad, 0, sizeof(dbad));
				dbad[r] = badv[k];
				all &= aimc_xbar_apply(xb, 0, dbad) == -1;
			}
		report(all, "apply_rejects_bad_code_in_every_row", "expected -1 for a code above 3 in any row");
	}
	memset(dbad, 0, sizeof(dbad));
	dbad[15] = 4; /* mask is 3 */
	report(aimc_xbar_apply(xb, 0, dbad) == -1 && aimc_xbar_apply(xb, 2, d) == -1 &&
		       aimc_xbar_convert(xb, 0, 7, 0, 0) == before && before == 24,
	       "apply_rejects_bad_code_and_keeps_state", "expected -1 and code 24 kept, got code %d",
	       aimc_xbar_convert(xb, 0, 7, 0, 0));
	report(aimc_xbar_convert(xb, 0, 8, 0, 0) == 0 && aimc_xbar_convert(xb, 2, 0, 0, 0) == 0 &&
		       aimc_xbar_current(xb, 0, 8, 0) == 0.0,
	       "convert_out_of_range_gives_0", "expected 0, got %d", aimc_xbar_convert(xb, 0, 8, 0, 0));
	report(isnan(aimc_xbar_conductance(xb, 0, 0, 16)) && isnan(aimc_xbar_conductance(xb, 2, 0, 0)) &&
		       aimc_xbar_conductance(xb, 1, 15, 15) == c.gmin,
	       "conductance_bounds_and_reset_value", "expected NaN out of range and gmin unprogrammed, got %g",
	       aimc_xbar_conductance(xb, 1, 15, 15));
	report(aimc_xbar_cfg(xb) != NULL && aimc_xbar_cfg(xb)->rows == 16, "xbar_cfg_copy",
	       "expected rows 16, got another config");
	aimc_xbar_destroy(xb);

	c.rows = 18; /* not a multiple of 4 */
	xb = aimc_xbar_create(&c, seed);
	report(xb == NULL, "create_rejects_invalid_config", "expected NULL for rows=18, got a crossbar");
	aimc_xbar_destroy(xb);
	c = noiseless_cfg(1, 16, 8, 2, 2, 14);
	c.gmin = c.gmax;
	xb = aimc_xbar_create(&c, seed);
	report(xb == NULL && aimc_xbar_create(NULL, 0) == NULL, "create_rejects_gmin_ge_gmax",
	       "expected NULL, got a crossbar");
	aimc_xbar_destroy(xb);
	aimc_xbar_destroy(NULL);
}

int main(int argc, char **argv)
{
	static const uint32_t geom[][3] = {{4, 4, 1}, {16, 8, 2}, {64, 32, 4}, {256, 12, 3}};

	parse_args(argc, argv);
	stim_state = seed;
	for (size_t g = 0; g < sizeof(geom) / sizeof(geom[0]); g++)
		for (uint32_t dac = 1; dac <= 8; dac++)
			run_geometry(geom[g][0], geom[g][1], geom[g][2], dac);
	test_adc_shift();
	test_clipping();
	test_tiles();
	test_bad_args();
	return failures ? 1 : 0;
}
