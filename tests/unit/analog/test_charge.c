/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the charge-domain crossbar (analog_models/c/aimc_charge.c, docs/analog-model.md
 * "Charge-domain crossbar"): charge sharing against a hand-computed case, Pelgrom mismatch
 * statistics, kT/C noise sigma against sqrt(kT/C), charge injection, leakage decay over the hold
 * time, the C V^2 read energy, the ideal form against the integer sums, and the aimc_xbar entry
 * points (single, whole-array and batched conversions give the same bits).
 * Usage: test_charge [--seed N]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_charge.h"
#include "aimc_test.h"

static uint64_t stim_state;

static uint64_t stim_u64(void)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int stim_range(int lo, int hi)
{
	return lo + (int)(stim_u64() % (uint64_t)(hi - lo + 1));
}

/* A charge config with every charge effect off. */
static aimc_cfg make_cfg(uint32_t rows, uint32_t cols, uint32_t dac, uint32_t adc)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "charge_test");
	c.xbar_kind = 1;
	c.prog_sigma = 0.0;
	c.read_sigma = 0.0;
	c.rows = rows;
	c.cols = cols;
	c.cols_per_adc = 4;
	c.dac_bits = dac;
	c.adc_bits = adc;
	c.adc_cycles = adc;
	c.vread = 0.9;
	c.chg_cu = 1e-15;
	return c;
}

static int close_rel(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fabs(b);
}

/* 4 rows, column 0: weights 5, -3, 127, 0; DAC codes 3, 1, 2, 0 of a 2-bit DAC at 0.9 V, so
 * V_r = 0.9, 0.3, 0.6, 0 V; C_u = 1 fF, parasitic 0.5 fF per row. By hand:
 *   positive line: 5 fF 0.9 V + 127 fF 0.6 V = 80.7 fC, C_line = 4 127 fF + 4 0.5 fF = 510 fF
 *   negative line: 3 fF 0.3 V = 0.9 fC on 510 fF
 *   V+ - V- = 79.8 / 510 V = 0.156470588 V; V_lsb = 0.9 / (3 4 127) V = 0.000590551 V
 *   code = round(0.156470588 / 0.000590551) = round(264.957) = 265 (the integer sum d w is 266,
 *   attenuated by 508/510); without parasitic 266 exactly. Energy: 5 fF 0.81 V^2 + 127 fF 0.36 V^2
 *   + 3 fF 0.09 V^2 = 50.04 fJ. */
static void test_hand_case(void)
{
	aimc_cfg c = make_cfg(4, 4, 2, 14);
	const int8_t w[4][4] = {{5, 0, 0, 0}, {-3, 0, 0, 0}, {127, 0, 0, 0}, {0, 0, 0, 0}};
	const uint8_t d[4] = {3, 1, 2, 0};
	aimc_chg *ch;
	double dv, vp_only;

	c.chg_cpar_cell = 0.5e-15;
	ch = aimc_chg_create(&c, seed);
	if (ch == NULL) {
		report(0, "hand_create", "aimc_chg_create failed");
		return;
	}
	for (uint32_t r = 0; r < 4; r++)
		aimc_chg_program_row(ch, 0, r, w[r], 0);
	aimc_chg_apply(ch, 0, d);
	dv = aimc_chg_voltage(ch, 0, 0, 0);
	report(close_rel(aimc_chg_line_cap(ch, 0, 0), 510e-15, 1e-12), "hand_line_cap", "C_line %.6g F, expected 510 fF",
	       aimc_chg_line_cap(ch, 0, 0));
	report(close_rel(dv, 0.156470588235294, 1e-9), "hand_charge_sharing", "V+ - V- = %.12g V, expected 0.156470588235 V",
	       dv);
	vp_only = dv + 0.9e-15 / 510e-15; /* add back the negative line */
	report(close_rel(vp_only, 80.7 / 510.0, 1e-9), "hand_positive_line", "V+ = %.12g V, expected %.12g V", vp_only,
	       80.7 / 510.0);
	report(close_rel(aimc_chg_vlsb(ch, 0), 0.9 / 1524.0, 1e-12), "hand_vlsb", "V_lsb %.9g", aimc_chg_vlsb(ch, 0));
	report(aimc_chg_convert(ch, 0, 0, 0, 0) == 265, "hand_code_attenuated", "code %d, expected 265",
	       aimc_chg_convert(ch, 0, 0, 0, 0));
	report(close_rel(aimc_chg_read_energy(ch, 0), 50.04e-15, 1e-9), "hand_energy_cv2", "E %.6g J, expected 50.04 fJ",
	       aimc_chg_read_energy(ch, 0));
	aimc_chg_destroy(ch);

	c.chg_cpar_cell = 0.0;
	ch = aimc_chg_create(&c, seed);
	for (uint32_t r = 0; r < 4 && ch != NULL; r++)
		aimc_chg_program_row(ch, 0, r, w[r], 0);
	if (ch != NULL)
		aimc_chg_apply(ch, 0, d);
	report(ch != NULL && aimc_chg_convert(ch, 0, 0, 0, 0) == 266 && aimc_chg_convert(ch, 0, 0, 0, 2) == 67,
	       "hand_code_ideal", "codes %d (adc_shift 0, expected 266) and %d (adc_shift 2: 66.5 -> 67)",
	       ch ? aimc_chg_convert(ch, 0, 0, 0, 0) : -1, ch ? aimc_chg_convert(ch, 0, 0, 0, 2) : -1);
	aimc_chg_destroy(ch);
}

/* Pelgrom: bit b (2^b unit capacitors) has relative sigma chg_cap_sigma / sqrt(2^b), mean 0; a
 * level's capacitance is the sum of its bits; the draw is a property of the cell (the same in a
 * second model with the same seed, another one with another seed). */
static void test_mismatch(void)
{
	aimc_cfg c = make_cfg(64, 64, 1, 8);
	const double sig = 0.02;
	aimc_chg *ch, *ch2, *ch3;
	int ok = 1, sum_ok = 1, same = 1, differ = 0;
	char why[200] = "";

	c.chg_cap_sigma = sig;
	ch = aimc_chg_create(&c, seed);
	ch2 = aimc_chg_create(&c, seed);
	ch3 = aimc_chg_create(&c, seed + 1);
	if (ch == NULL || ch2 == NULL || ch3 == NULL) {
		report(0, "mismatch_create", "create failed");
		goto out;
	}
	for (uint32_t b = 0; b < AIMC_CHG_BITS; b++) {
		double s = 0.0, s2 = 0.0, n = 0.0, want = sig / sqrt(ldexp(1.0, (int)b)), sd, mean;

		for (uint32_t r = 0; r < c.rows; r++)
			for (uint32_t k = 0; k < 2 * c.cols; k++) {
				double e = aimc_chg_bit_cap(ch, 0, r, k, b) / (ldexp(1.0, (int)b) * c.chg_cu) - 1.0;

				s += e;
				s2 += e * e;
				n += 1.0;
				same &= aimc_chg_bit_cap(ch2, 0, r, k, b) == aimc_chg_bit_cap(ch, 0, r, k, b);
				differ += aimc_chg_bit_cap(ch3, 0, r, k, b) != aimc_chg_bit_cap(ch, 0, r, k, b);
			}
		mean = s / n;
		sd = sqrt(s2 / n - mean * mean);
		/* 8192 draws: the sample sigma is within 4 % of sigma (5 standard errors), the mean within 5 se */
		if (fabs(sd - want) > 0.04 * want || fabs(mean) > 5.0 * want / sqrt(n)) {
			ok = 0;
			snprintf(why, sizeof(why), "bit %u: sd %.5g (want %.5g), mean %.3g", b, sd, want, mean);
		}
	}
	report(ok, "mismatch_pelgrom_sigma", "%s", why);
	{
		const int8_t w[64] = {77, -45, 1, -127, 0};
		int8_t row[64] = {0};

		memcpy(row, w, 5);
		aimc_chg_program_row(ch, 0, 9, row, 0);
		/* 77 = 1+4+8+64 on the positive cell of column 0; 45 = 1+4+8+32 on the negative of column 1 */
		sum_ok &= aimc_chg_cap(ch, 0, 9, 0) == aimc_chg_bit_cap(ch, 0, 9, 0, 0) + aimc_chg_bit_cap(ch, 0, 9, 0, 2) +
							  aimc_chg_bit_cap(ch, 0, 9, 0, 3) + aimc_chg_bit_cap(ch, 0, 9, 0, 6);
		sum_ok &= aimc_chg_cap(ch, 0, 9, 1) == 0.0;
		sum_ok &= aimc_chg_cap(ch, 0, 9, 3) == aimc_chg_bit_cap(ch, 0, 9, 3, 0) + aimc_chg_bit_cap(ch, 0, 9, 3, 2) +
							  aimc_chg_bit_cap(ch, 0, 9, 3, 3) + aimc_chg_bit_cap(ch, 0, 9, 3, 5);
		report(sum_ok, "mismatch_level_is_sum_of_bits", "a level's capacitance is not the sum of its bits");
	}
	report(same && differ > 57000, "mismatch_keyed", "same seed equal: %d, other seed differs in %d of 57344",
	       same, differ);
out:
	aimc_chg_destroy(ch);
	aimc_chg_destroy(ch2);
	aimc_chg_destroy(ch3);
}

/* kT/C: with no signal the differential voltage is the noise of two lines, sigma
 * sqrt(kT/C+ + kT/C-) = sqrt(2 k T / C) with C = rows 127 C_u; redrawn per conversion, keyed by
 * the conversion index (the same index gives the same value in any order). */
static void test_ktc(void)
{
	aimc_cfg c = make_cfg(8, 16, 1, 8);
	const uint32_t n = 40000;
	const double kb = 1.380649e-23, cl = 8 * 127 * 1e-15, want = sqrt(2.0 * kb * 350.0 / cl);
	double s = 0.0, s2 = 0.0, first, again;
	aimc_chg *ch;

	c.chg_ktc = 1;
	c.temp = 350.0; /* temp_ref stays 300 K: for the charge kind temp only sets kT/C */
	ch = aimc_chg_create(&c, seed);
	if (ch == NULL) {
		report(0, "ktc_create", "create failed");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		double v = aimc_chg_voltage(ch, 0, i % c.cols, i / c.cols);

		s += v;
		s2 += v * v;
	}
	{
		double mean = s / n, sd = sqrt(s2 / n - mean * mean);

		/* 40000 draws: standard error of the sigma 0.35 %; 2 % is about 5.7 se */
		report(fabs(sd - want) <= 0.02 * want && fabs(mean) <= 5.0 * want / sqrt((double)n), "ktc_sigma",
		       "sigma %.6g V, expected sqrt(2 k T / C) = %.6g V, mean %.3g", sd, want, mean);
	}
	report(close_rel(sqrt(kb * 350.0 / aimc_chg_line_cap(ch, 0, 0)), want / sqrt(2.0), 1e-12), "ktc_line_cap",
	       "line capacitance %.6g F, expected %.6g F", aimc_chg_line_cap(ch, 0, 0), cl);
	first = aimc_chg_voltage(ch, 0, 3, 12345);
	(void)aimc_chg_voltage(ch, 0, 3, 7);
	again = aimc_chg_voltage(ch, 0, 3, 12345);
	report(first == again && first != aimc_chg_voltage(ch, 0, 3, 12346), "ktc_keyed_per_conversion",
	       "conversion 12345 gave %.9g then %.9g", first, again);
	aimc_chg_destroy(ch);
}

/* Charge injection: every share switch adds chg_qinj + sigma N to its line; the common part
 * cancels in V+ - V-, the mismatch is a fixed offset (V+ - V- = (Q+ - Q-) / C_line at zero input). */
static void test_qinj(void)
{
	aimc_cfg c = make_cfg(16, 8, 1, 8);
	const uint8_t d[16] = {0};
	aimc_chg *ch;
	int ok = 1;

	c.chg_qinj = 5e-17;
	ch = aimc_chg_create(&c, seed);
	if (ch == NULL) {
		report(0, "qinj_create", "create failed");
		return;
	}
	aimc_chg_apply(ch, 0, d);
	report(close_rel(aimc_chg_line_qinj(ch, 0, 5), 16 * 5e-17, 1e-12) && aimc_chg_voltage(ch, 0, 2, 0) == 0.0,
	       "qinj_common_cancels", "line charge %.6g C (expected 8e-16), V+ - V- %.3g V",
	       aimc_chg_line_qinj(ch, 0, 5), aimc_chg_voltage(ch, 0, 2, 0));
	aimc_chg_destroy(ch);
	c.chg_qinj_sigma = 1e-17;
	ch = aimc_chg_create(&c, seed);
	aimc_chg_apply(ch, 0, d);
	for (uint32_t col = 0; col < c.cols; col++) {
		double want = (aimc_chg_line_qinj(ch, 0, 2 * col) - aimc_chg_line_qinj(ch, 0, 2 * col + 1)) /
			      aimc_chg_line_cap(ch, 0, 0);

		ok &= close_rel(aimc_chg_voltage(ch, 0, col, 0), want, 1e-12) && want != 0.0;
	}
	report(ok, "qinj_offset", "V+ - V- at zero input is not (Q+ - Q-) / C_line");
	aimc_chg_destroy(ch);
}

/* Leakage: mux position g holds its line chg_t_hold + g adc_cycles / clock before the ADC samples
 * it; the voltage decays by e^(-t / tau) against the leak-free model. */
static void test_leakage(void)
{
	aimc_cfg c = make_cfg(16, 8, 1, 8);
	int8_t w[8];
	uint8_t d[16];
	aimc_chg *a, *b;
	int ok = 1;
	char why[160] = "";

	c.clock_mhz = 200.0;
	c.adc_cycles = 8;
	a = aimc_chg_create(&c, seed);
	c.chg_t_hold = 1e-7;
	c.chg_tau_leak = 1e-6;
	b = aimc_chg_create(&c, seed);
	if (a == NULL || b == NULL) {
		report(0, "leak_create", "create failed");
		goto out;
	}
	stim_state = seed;
	for (uint32_t r = 0; r < c.rows; r++) {
		for (uint32_t k = 0; k < c.cols; k++)
			w[k] = (int8_t)stim_range(1, 127);
		aimc_chg_program_row(a, 0, r, w, 0);
		aimc_chg_program_row(b, 0, r, w, 0);
		d[r] = 1;
	}
	aimc_chg_apply(a, 0, d);
	aimc_chg_apply(b, 0, d);
	for (uint32_t col = 0; col < c.cols; col++) {
		double t = 1e-7 + (double)(col % 4) * 8.0 / 200e6, want = exp(-t / 1e-6);
		double got = aimc_chg_voltage(b, 0, col, 0) / aimc_chg_voltage(a, 0, col, 0);

		if (!close_rel(got, want, 1e-12)) {
			ok = 0;
			snprintf(why, sizeof(why), "column %u: ratio %.15g, expected e^(-%.3g/1e-6) = %.15g", col, got, t, want);
		}
	}
	report(ok, "leak_decay_over_hold", "%s", why);
out:
	aimc_chg_destroy(a);
	aimc_chg_destroy(b);
}

/* The ideal form (every effect off) gives the integer formula of docs/numbers.md for random
 * weights and codes, with ties away from zero; the aimc_xbar entry points reach the charge model
 * and their single, whole-array and batched conversions agree bit for bit (noisy config). */
static void test_ideal_and_entry_points(void)
{
	aimc_cfg c = make_cfg(16, 8, 2, 14);
	aimc_xbar *xb;
	int8_t w[16][8];
	uint8_t d[3][16];
	int32_t all[8], batch[3 * 8];
	const uint32_t idx[3] = {5, 6, 9};
	int ok = 1, same = 1;
	char why[160] = "";

	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "ideal_create", "aimc_xbar_create failed");
		return;
	}
	stim_state = seed * 7 + 1;
	for (uint32_t r = 0; r < 16; r++) {
		for (uint32_t k = 0; k < 8; k++)
			w[r][k] = (int8_t)stim_range(-128, 127);
		aimc_xbar_program_row(xb, 0, r, w[r], 0);
	}
	for (int t = 0; t < 50; t++) {
		for (uint32_t r = 0; r < 16; r++)
			d[0][r] = (uint8_t)stim_range(0, 3);
		aimc_xbar_apply(xb, 0, d[0]);
		for (uint32_t col = 0; col < 8; col++) {
			int64_t s = 0;

			for (uint32_t r = 0; r < 16; r++)
				s += (int64_t)d[0][r] * (w[r][col] < -127 ? -127 : w[r][col]);
			for (uint32_t sh = 0; sh < 4; sh++) {
				int64_t half = sh ? (int64_t)1 << (sh - 1) : 0;
				int64_t want = s >= 0 ? (s + half) >> sh : -((-s + half) >> sh);
				int32_t got = aimc_xbar_convert(xb, 0, col, (uint32_t)t, sh);

				if (got != want) {
					ok = 0;
					snprintf(why, sizeof(why), "read %d col %u shift %u: code %d, integer formula %lld", t, col,
						 sh, got, (long long)want);
				}
			}
		}
	}
	report(ok, "ideal_integer_formula", "%s", why);
	aimc_xbar_destroy(xb);

	c.chg_cap_sigma = 0.01;
	c.chg_ktc = 1;
	c.chg_cpar_cell = 1e-15;
	c.chg_qinj = 2e-17;
	c.chg_qinj_sigma = 2e-18;
	c.chg_t_hold = 2e-8;
	c.chg_tau_leak = 1e-5;
	c.adc_bits = 10;
	c.adc_cycles = 10;
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "entry_create", "aimc_xbar_create failed (noisy charge config)");
		return;
	}
	for (uint32_t r = 0; r < 16; r++)
		aimc_xbar_program_row(xb, 0, r, w[r], 0);
	for (int k = 0; k < 3; k++)
		for (uint32_t r = 0; r < 16; r++)
			d[k][r] = (uint8_t)stim_range(0, 3);
	if (aimc_xbar_convert_batch(xb, 0, &d[0][0], 3, idx, 1, batch) != 0) {
		report(0, "entry_batch", "convert_batch failed");
		aimc_xbar_destroy(xb);
		return;
	}
	for (int k = 0; k < 3; k++) {
		aimc_xbar_apply(xb, 0, d[k]);
		aimc_xbar_convert_all(xb, 0, idx[k], 1, all);
		for (uint32_t col = 0; col < 8; col++)
			same &= all[col] == batch[k * 8 + col] && all[col] == aimc_xbar_convert(xb, 0, col, idx[k], 1);
	}
	report(same, "entry_single_all_batch_same_bits", "single, whole-array and batched codes differ");
	report(aimc_xbar_conductance(xb, 0, 0, 0) == aimc_xbar_read_conductance(xb, 0, 0, 0) &&
		       aimc_xbar_conductance(xb, 0, 0, 0) >= 0.0,
	       "entry_capacitance", "cell capacitance %.6g F", aimc_xbar_conductance(xb, 0, 0, 0));
	{
		uint8_t bad[16] = {4};

		report(aimc_xbar_apply(xb, 0, bad) == -1, "entry_bad_code", "a DAC code above the mask was accepted");
	}
	aimc_xbar_destroy(xb);
}

/* The config layer: the charge kind refuses the flash model's effects and the digital twin; its
 * effects make a config non-ideal; a flash config ignores the chg_* keys. */
static void test_config(void)
{
	aimc_cfg c;
	char err[400] = "";
	int rc;

	rc = aimc_cfg_parse(&c, "name = t\nxbar_kind = charge\n", "bad", err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "prog_sigma") != NULL, "cfg_charge_needs_flash_effects_off", "rc %d: %s", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nprog_sigma = 0\nread_sigma = 0\nxbar_kind = charge\nxbar_impl = 1\n", "bad",
			    err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "xbar_impl") != NULL, "cfg_charge_not_twin", "rc %d: %s", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nprog_sigma = 0\nread_sigma = 0\nxbar_kind = charge\nadc_bits = 14\n"
				"adc_cycles = 14\nrows = 16\n", "ok", err, sizeof(err));
	report(rc == 0 && aimc_cfg_is_ideal(&c) == 1, "cfg_charge_ideal", "rc %d ideal %d: %s", rc,
	       rc == 0 ? aimc_cfg_is_ideal(&c) : -1, err);
	rc = aimc_cfg_parse(&c, "name = t\nprog_sigma = 0\nread_sigma = 0\nxbar_kind = charge\nadc_bits = 14\n"
				"adc_cycles = 14\nrows = 16\nchg_ktc = 1\n", "ok", err, sizeof(err));
	report(rc == 0 && aimc_cfg_is_ideal(&c) == 0 && strcmp(aimc_cfg_effect_on(&c), "chg_ktc") == 0,
	       "cfg_charge_effect_not_ideal", "rc %d: %s", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nprog_sigma = 0\nread_sigma = 0\nadc_bits = 14\nadc_cycles = 14\nrows = 16\n"
				"chg_ktc = 1\n", "ok", err, sizeof(err));
	report(rc == 0 && aimc_cfg_is_ideal(&c) == 1, "cfg_flash_ignores_chg", "rc %d: %s", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nprog_sigma = 0\nread_sigma = 0\nxbar_kind = charge\nadc_bits = 14\n"
				"adc_cycles = 14\nrows = 16\ntemp = 350\n", "ok", err, sizeof(err));
	report(rc == 0 && aimc_cfg_is_ideal(&c) == 1, "cfg_charge_temp_without_ktc_ideal", "rc %d ideal %d: %s", rc,
	       rc == 0 ? aimc_cfg_is_ideal(&c) : -1, err);
	rc = aimc_cfg_parse(&c, "name = t\nxbar_kind = capacitor\n", "bad", err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "xbar_kind") != NULL, "cfg_kind_unknown", "rc %d: %s", rc, err);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	test_hand_case();
	test_mismatch();
	test_ktc();
	test_qinj();
	test_leakage();
	test_ideal_and_entry_points();
	test_config();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
