/* SPDX-License-Identifier: Apache-2.0 */
/* The SAR ADC of the analog model (adc_kind sar, docs/analog-model.md "SAR ADC"): the comparator's
 * threshold and tie rule on hand-worked cases, the MSB-first decision sequence of one conversion
 * (worked by hand), SAR == the whole-code ADC for every column with the comparator noise off
 * (exact sums with ties and clipping, and the binary64 path with gain, offset and INL), the keyed
 * comparator noise of each decision (the key stated here, the decision recomputed here), and the
 * simulator path (sample + per-decision compares, what the RTL calls) == aimc_xbar_convert.
 * Usage: test_sar [--seed N]. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_rng.h"
#include "aimc_sim_model.h"
#include "aimc_test.h"

static aimc_cfg make_cfg(uint32_t rows, uint32_t cols, uint32_t dac, uint32_t adc, uint32_t kind)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "sar");
	c.rows = rows;
	c.cols = cols;
	c.cols_per_adc = 4;
	c.dac_bits = dac;
	c.adc_bits = adc;
	c.adc_cycles = adc + (kind == AIMC_ADC_SAR);
	c.adc_kind = kind;
	c.prog_sigma = 0.0;
	c.read_sigma = 0.0;
	return c;
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Random weights and DAC codes on both models (same seed, same programming), then every column
 * of nreads reads converted by both: the codes must be equal. */
static void same_codes(const char *name, aimc_cfg *c, uint32_t adc_shift)
{
	aimc_cfg cm = *c, cs = *c;
	aimc_xbar *xm, *xs;
	int8_t *w = malloc(c->cols);
	uint8_t *d = malloc(c->rows);
	uint64_t s = seed * 7919u + adc_shift;
	uint32_t mask = (1u << c->dac_bits) - 1u, bad = 0, n = 0, clipped = 0;
	int32_t half = (int32_t)1 << (c->adc_bits - 1u), first_m = 0, first_s = 0;

	cm.adc_kind = AIMC_ADC_MODEL;
	cm.adc_cycles = c->adc_bits;
	cs.adc_kind = AIMC_ADC_SAR;
	cs.adc_cycles = c->adc_bits + 1u;
	xm = aimc_xbar_create(&cm, seed);
	xs = aimc_xbar_create(&cs, seed);
	if (xm == NULL || xs == NULL || w == NULL || d == NULL) {
		report(0, name, "cannot create the models");
		goto out;
	}
	for (uint32_t r = 0; r < c->rows; r++) {
		for (uint32_t k = 0; k < c->cols; k++)
			w[k] = (int8_t)((int)(lcg(&s) % 255u) - 127);
		aimc_xbar_program_row(xm, 0, r, w, r);
		aimc_xbar_program_row(xs, 0, r, w, r);
	}
	for (uint32_t read = 0; read < 40; read++) {
		for (uint32_t r = 0; r < c->rows; r++)
			d[r] = (uint8_t)(lcg(&s) % 3u == 0 ? 0u : lcg(&s) & mask);
		aimc_xbar_apply(xm, 0, d);
		aimc_xbar_apply(xs, 0, d);
		for (uint32_t k = 0; k < c->cols; k++) {
			int32_t a = aimc_xbar_convert(xm, 0, k, read, adc_shift);
			int32_t b = aimc_xbar_convert(xs, 0, k, read, adc_shift);

			n++;
			clipped += a == -half || a == half - 1;
			if (a != b && bad++ == 0) {
				first_m = a;
				first_s = b;
			}
		}
	}
	report(bad == 0 && clipped > 0 && clipped < n, name,
	       "%u of %u codes differ (first: model %d, sar %d); %u clipped (want some, not all)", bad, n,
	       first_m, first_s, clipped);
out:
	aimc_xbar_destroy(xm);
	aimc_xbar_destroy(xs);
	free(w);
	free(d);
}

/* The comparator on hand-worked values (noise off): threshold trial - 1/2, a tie away from zero. */
static void test_threshold(void)
{
	aimc_cfg c = make_cfg(8, 8, 1, 8, AIMC_ADC_SAR);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	static const struct {
		double x;
		int32_t trial;
		int want;
	} cases[] = {
		{2.5, 3, 1},   {2.4999, 3, 0}, {-2.5, -2, 0}, {-2.5, -3, 1}, {-2.4999, -2, 1},
		{0.49, 0, 1},  {-0.5, 0, 0},   {0.5, 1, 1},   {-0.51, 0, 0}, {127.0, 127, 1},
		{-128.0, -127, 0}, {NAN, -128, 0},
	};
	int ok = xb != NULL;

	for (size_t i = 0; ok && i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = aimc_xbar_sar_compare(xb, 0, 0, cases[i].x, cases[i].trial, 7, 0);

		if (got != cases[i].want) {
			report(0, "threshold", "x %g trial %d: got %d, want %d", cases[i].x, cases[i].trial, got,
			       cases[i].want);
			ok = 0;
		}
	}
	if (ok)
		report(1, "threshold", "");
	/* the code at the rails and ties: round half away from zero, clamped; NaN reads low */
	ok = xb != NULL && aimc_xbar_sar_code(xb, 0, 0, 2.5, 0) == 3 && aimc_xbar_sar_code(xb, 0, 0, -2.5, 0) == -3 &&
	     aimc_xbar_sar_code(xb, 0, 0, 1e9, 0) == 127 && aimc_xbar_sar_code(xb, 0, 0, -1e9, 0) == -128 &&
	     aimc_xbar_sar_code(xb, 0, 0, NAN, 0) == -128 && aimc_xbar_sar_code(xb, 0, 0, -0.4, 0) == 0;
	report(ok, "code_rails_ties", "round-half-away / clamp / NaN cases differ");
	report(xb != NULL && aimc_xbar_sar_compare(xb, 1, 0, 0.0, 0, 0, 0) == -1 &&
		       aimc_xbar_sar_compare(xb, 0, 8, 0.0, 0, 0, 0) == -1,
	       "compare_bad_args", "a bad tile or column must return -1");
	aimc_xbar_destroy(xb);
}

/* One 8-bit conversion of x = 37.3 by hand: trials 0, 64, 32, 48, 40, 36, 38, 37 (code = offset
 * binary - 128) give decisions 1 0 1 0 0 1 0 1 and the code 37; x = -37.3: trials 0, -64, -32,
 * -48, -40, -36, -38, -37 give 0 1 0 1 1 0 1 1 and the code -37. The search below follows aimc_sar.sv step by step. */
static void test_sequence(void)
{
	aimc_cfg c = make_cfg(8, 8, 1, 8, AIMC_ADC_SAR);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	static const int32_t trials_p[8] = {0, 64, 32, 48, 40, 36, 38, 37};
	static const int dec_p[8] = {1, 0, 1, 0, 0, 1, 0, 1};
	static const int32_t trials_n[8] = {0, -64, -32, -48, -40, -36, -38, -37};
	static const int dec_n[8] = {0, 1, 0, 1, 1, 0, 1, 1};
	int ok = xb != NULL;

	for (int pass = 0; ok && pass < 2; pass++) {
		const int32_t *tr = pass ? trials_n : trials_p;
		const int *dec = pass ? dec_n : dec_p;
		double x = pass ? -37.3 : 37.3;
		uint32_t u = 0;

		for (int b = 7; b >= 0; b--) {
			uint32_t tu = u | (1u << b);
			int32_t trial = (int32_t)tu - 128;
			int dd = aimc_xbar_sar_compare(xb, 0, 3, x, trial, (uint32_t)b, 5);

			if (trial != tr[7 - b] || dd != dec[7 - b]) {
				report(0, "sequence", "x %g bit %d: trial %d decision %d, want %d %d", x, b, trial, dd,
				       tr[7 - b], dec[7 - b]);
				ok = 0;
				break;
			}
			if (dd)
				u = tu;
		}
		if (ok && (int32_t)u - 128 != (pass ? -37 : 37)) {
			report(0, "sequence", "x %g ended on %d", x, (int32_t)u - 128);
			ok = 0;
		}
	}
	if (ok)
		report(aimc_xbar_sar_code(xb, 0, 3, 37.3, 5) == 37 && aimc_xbar_sar_code(xb, 0, 3, -37.3, 5) == -37,
		       "sequence", "aimc_xbar_sar_code differs from the hand search");
	aimc_xbar_destroy(xb);
}

/* Comparator noise: each decision draws N(0,1) with key (seed, tile, row = bit, col, 13, conv_idx);
 * the decision is x + adc_noise N >= trial - 1/2. Recomputed here from that statement for many
 * (x, trial, bit, col, idx); and the spread of the codes of one held value is about adc_noise. */
static void test_noise(void)
{
	aimc_cfg c = make_cfg(8, 16, 1, 8, AIMC_ADC_SAR);
	aimc_xbar *xb;
	uint64_t s = seed;
	uint32_t bad = 0, n = 4000;
	double sum = 0.0, sum2 = 0.0;

	c.adc_noise = 0.7;
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "noise_key", "cannot create the model");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		double x = (double)(int)(lcg(&s) % 256u) - 128.0 + (double)(lcg(&s) % 1000u) / 1000.0;
		int32_t trial = (int32_t)(lcg(&s) % 256u) - 128;
		uint32_t bit = (uint32_t)(lcg(&s) % 8u), col = (uint32_t)(lcg(&s) % 16u), idx = (uint32_t)lcg(&s);
		aimc_key k = {seed, 0, bit, col, AIMC_EV_SAR_CMP, idx};
		double v = x + 0.7 * aimc_rng_normal(&k), t = (double)trial - 0.5;
		int want = v > t || (v == t && t > 0.0);

		bad += aimc_xbar_sar_compare(xb, 0, col, x, trial, bit, idx) != want;
	}
	report(bad == 0, "noise_key", "%u of %u decisions differ from the keyed statement", bad, n);
	/* x = 10.25: codes over many conversion indices; mean near 10.25 (the search rounds), the
	 * standard deviation near the comparator's (decisions near the sample dominate): within 0.3..1.2 */
	for (uint32_t i = 0; i < n; i++) {
		double q = aimc_xbar_sar_code(xb, 0, 2, 10.25, i);

		sum += q;
		sum2 += q * q;
	}
	{
		double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);

		printf("# noise_spread: x 10.25, adc_noise 0.7 per decision, %u conversions: mean %.4f sd %.4f\n", n,
		       mean, sd);
		report(fabs(mean - 10.25) < 0.1 && sd > 0.5 && sd < 1.0, "noise_spread",
		       "mean %.3f (want 10.25 +- 0.1), sd %.3f (want 0.5 .. 1.0 for adc_noise 0.7)", mean, sd);
	}
	/* same key, same code; another conversion index, another draw */
	report(aimc_xbar_sar_code(xb, 0, 2, 10.5, 77) == aimc_xbar_sar_code(xb, 0, 2, 10.5, 77), "noise_repeat",
	       "the same conversion gave two codes");
	aimc_xbar_destroy(xb);
}

/* The RTL's path: aimc_sim_model_sar_sample + one aimc_sim_model_sar_compare per bit, MSB first, on
 * configs/sar.cfg (read noise, comparator offset and noise on) == aimc_xbar_convert. */
static void test_sim_path(void)
{
	aimc_xbar *xb;
	const aimc_cfg *c;
	uint32_t w_words[64] = {0}, d_words[64] = {0}, bad = 0, n = 0;
	uint64_t s = seed + 11u;

	if (aimc_sim_model_init("configs/sar.cfg", seed) != 0) {
		report(0, "sim_path", "aimc_sim_model_init(configs/sar.cfg): %s", aimc_sim_model_error());
		return;
	}
	xb = aimc_sim_model();
	c = aimc_xbar_cfg(xb);
	report(aimc_sim_model_bind(0, c->rows, c->cols, c->dac_bits, c->adc_bits, c->cols_per_adc, 0) == -1 &&
		       strstr(aimc_sim_model_error(), "AdcKind") != NULL &&
		       aimc_sim_model_bind(0, c->rows, c->cols, c->dac_bits, c->adc_bits, c->cols_per_adc, 1) == 0,
	       "sim_bind_kind", "bind must refuse AdcKind 0 on a sar config and accept 1: %s", aimc_sim_model_error());
	report(aimc_sim_model_sar_compare(0, 0, 0, 7) == -1, "sim_compare_before_sample",
	       "a decision before any sample must fail");
	for (uint32_t r = 0; r < c->rows; r++) {
		for (uint32_t k = 0; k < c->cols * 8u / 32u; k++)
			w_words[k] = (uint32_t)lcg(&s) ^ ((uint32_t)lcg(&s) << 16);
		aimc_sim_model_program_row(0, r, w_words, r);
	}
	for (uint32_t read = 0; read < 20; read++) {
		for (uint32_t k = 0; k < (c->rows * c->dac_bits + 31u) / 32u; k++)
			d_words[k] = (uint32_t)lcg(&s) ^ ((uint32_t)lcg(&s) << 16);
		aimc_sim_model_apply(0, d_words);
		for (uint32_t g = 0; g < c->cols_per_adc; g++) {
			for (uint32_t j = 0; j < c->cols / c->cols_per_adc; j++) {
				uint32_t col = j * c->cols_per_adc + g, u = 0;
				int32_t half = (int32_t)1 << (c->adc_bits - 1u);

				aimc_sim_model_sar_sample(0, col, 1000u + read, 1);
				for (uint32_t b = c->adc_bits; b-- > 0;) {
					uint32_t tu = u | (1u << b);

					if (aimc_sim_model_sar_compare(0, j, (int32_t)tu - half, b) == 1)
						u = tu;
				}
				n++;
				bad += (int32_t)u - half != aimc_xbar_convert(xb, 0, col, 1000u + read, 1);
			}
		}
	}
	report(bad == 0, "sim_path", "%u of %u codes of the sample+compare path differ from aimc_xbar_convert",
	       bad, n);
	aimc_sim_model_shutdown();
}

int main(int argc, char **argv)
{
	aimc_cfg c;

	parse_args(argc, argv);
	test_threshold();
	test_sequence();
	test_noise();
	/* exact sums (every effect off): ties at adc_shift 1, clipping with a 5-bit ADC */
	c = make_cfg(24, 16, 2, 5, AIMC_ADC_SAR);
	same_codes("same_as_model_exact_shift1", &c, 1);
	same_codes("same_as_model_exact_shift0", &c, 0);
	/* binary64 path with programming error, gain, offset and INL (no comparator noise) */
	c = make_cfg(24, 16, 2, 6, AIMC_ADC_SAR);
	c.prog_sigma = 0.01;
	c.adc_gain_err = 0.01;
	c.adc_gain_sigma = 0.005;
	c.adc_offset = 0.2;
	c.adc_offset_sigma = 0.3;
	c.adc_inl = 0.5;
	same_codes("same_as_model_f64_effects", &c, 0);
	test_sim_path();
	printf("%s\n", failures ? "FAIL" : "PASS");
	return failures != 0;
}
