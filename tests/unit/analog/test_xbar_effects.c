/* SPDX-License-Identifier: Apache-2.0 */
/* Unit and statistical tests of the non-idealities of docs/analog-model.md beyond programming
 * error and read noise: drift (exponent recovered by a log-log fit), stuck cells (binomial
 * bounds), comparator noise (redrawn per conversion, same key = same code), ADC gain/offset/INL,
 * DAC INL and output resistance, temperature, clipping, and convert_all == convert bit for bit.
 * Expected values are computed here with libm from the documented equations, never by the model.
 * Usage: test_xbar_effects [--seed N]. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_irdrop.h"
#include "aimc_test.h"

/* two-sided 99.99 % normal quantile: the confidence of every binomial / mean bound below */
#define Z4 3.891

static aimc_cfg make_cfg(uint32_t rows, uint32_t cols, uint32_t dac, uint32_t adc)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "effects");
	c.rows = rows;
	c.cols = cols;
	c.cols_per_adc = 4;
	c.dac_bits = dac;
	c.adc_bits = adc;
	c.adc_cycles = adc;
	c.prog_sigma = 0.0;
	c.read_sigma = 0.0;
	return c;
}

static double level_g(const aimc_cfg *c, int l)
{
	return c->gmin + l * ((c->gmax - c->gmin) / 127.0);
}

static void program_all(aimc_xbar *xb, const aimc_cfg *c, int8_t w, uint32_t prog_idx)
{
	int8_t *row = malloc(c->cols);

	memset(row, w, c->cols);
	for (uint32_t r = 0; r < c->rows; r++)
		aimc_xbar_program_row(xb, 0, r, row, prog_idx + r);
	free(row);
}

/* Drift: G(t) = G0 (t/t0)^-nu with nu per cell. Fit ln G against ln t over five times per cell;
 * the fitted slopes must have mean drift_nu and sigma drift_nu_sigma. */
static void test_drift_fit(void)
{
	enum { R = 128, C = 64, NT = 5 };
	const double ts[NT] = {200, 2000, 2e4, 2e5, 2e6};
	const size_t n = (size_t)R * C * 2;
	aimc_cfg c = make_cfg(R, C, 1, 8);
	double *lg = malloc(n * NT * sizeof(double));
	double s = 0, s2 = 0, worst_res = 0, lt[NT], mt = 0, stt = 0;
	int exact_before_t0 = 1;

	c.drift_nu = 0.05;
	c.drift_nu_sigma = 0.008;
	c.drift_t0 = 20;
	for (int k = 0; k < NT; k++) {
		aimc_xbar *xb;

		c.drift_time = ts[k];
		xb = aimc_xbar_create(&c, seed);
		if (xb == NULL || lg == NULL) {
			report(0, "drift_fit", "expected a crossbar, got NULL");
			free(lg);
			aimc_xbar_destroy(xb);
			return;
		}
		program_all(xb, &c, 100, 0);
		for (size_t i = 0; i < n; i++) {
			uint32_t r = (uint32_t)(i / (2 * C)), cell = (uint32_t)(i % (2 * C));

			lg[i * NT + k] = log(aimc_xbar_read_conductance(xb, 0, r, cell));
		}
		aimc_xbar_destroy(xb);
		lt[k] = log(ts[k]);
		mt += lt[k] / NT;
	}
	for (int k = 0; k < NT; k++)
		stt += (lt[k] - mt) * (lt[k] - mt);
	for (size_t i = 0; i < n; i++) {
		double my = 0, sty = 0, slope, icpt;

		for (int k = 0; k < NT; k++)
			my += lg[i * NT + k] / NT;
		for (int k = 0; k < NT; k++)
			sty += (lt[k] - mt) * (lg[i * NT + k] - my);
		slope = sty / stt;
		icpt = my - slope * mt;
		for (int k = 0; k < NT; k++) {
			double res = fabs(lg[i * NT + k] - (icpt + slope * lt[k]));

			worst_res = res > worst_res ? res : worst_res;
		}
		s += -slope;
		s2 += slope * slope;
	}
	{
		double mean = s / n, sd = sqrt(s2 / n - mean * mean);
		double se = c.drift_nu_sigma / sqrt((double)n);

		printf("# drift fit over %zu cells: nu mean %.6f (set %.3f), sigma %.6f (set %.4f), worst "
		       "residual %.2e\n", n, mean, c.drift_nu, sd, c.drift_nu_sigma, worst_res);
		report(fabs(mean - c.drift_nu) < Z4 * se, "drift_nu_mean_recovered_by_fit",
		       "expected %.4f +- %.2e, got %.6f", c.drift_nu, Z4 * se, mean);
		report(fabs(sd / c.drift_nu_sigma - 1.0) < 0.05, "drift_nu_sigma_recovered_by_fit",
		       "expected %.4f +- 5%%, got %.6f", c.drift_nu_sigma, sd);
		report(worst_res < 1e-9, "drift_is_a_power_law", "expected log-log residual < 1e-9, got %.3g",
		       worst_res);
	}
	/* at or before t0: no drift at all, the read conductance is the programmed one */
	c.drift_time = c.drift_t0;
	{
		aimc_xbar *xb = aimc_xbar_create(&c, seed);

		program_all(xb, &c, -77, 0);
		for (uint32_t r = 0; r < 8; r++)
			for (uint32_t k = 0; k < 2 * C; k++)
				exact_before_t0 &= aimc_xbar_read_conductance(xb, 0, r, k) ==
						   aimc_xbar_conductance(xb, 0, r, k);
		aimc_xbar_destroy(xb);
	}
	report(exact_before_t0, "no_drift_at_t0", "expected read conductance == programmed at t = t0");
	free(lg);
}

/* Stuck cells: counts within binomial bounds; the same cells in every programming, and pulses
 * do not move them. */
static void test_stuck(void)
{
	enum { R = 256, C = 128 };
	aimc_cfg c = make_cfg(R, C, 1, 8);
	const double n = (double)R * C; /* positive cells (and as many negative cells) */
	double n_min = 0, n_max = 0, n_neg_max = 0;
	aimc_xbar *xb;
	int same = 1, pulse_inert = 1;

	c.stuck_gmin_frac = 0.01;
	c.stuck_gmax_frac = 0.004;
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "stuck", "expected a crossbar, got NULL");
		return;
	}
	program_all(xb, &c, 64, 0); /* positive cells to level 64, negative cells to level 0 */
	for (uint32_t r = 0; r < R; r++)
		for (uint32_t col = 0; col < C; col++) {
			double gp = aimc_xbar_conductance(xb, 0, r, 2 * col);
			double gn = aimc_xbar_conductance(xb, 0, r, 2 * col + 1);

			n_min += gp == c.gmin;
			n_max += gp == c.gmax;
			n_neg_max += gn == c.gmax;
			if (gp != c.gmin && gp != c.gmax && gp != level_g(&c, 64))
				same = 0;
		}
	{
		double b_min = Z4 * sqrt(n * c.stuck_gmin_frac * (1 - c.stuck_gmin_frac));
		double b_max = Z4 * sqrt(n * c.stuck_gmax_frac * (1 - c.stuck_gmax_frac));

		printf("# stuck over %.0f cells: at gmin %.0f (expect %.0f +- %.0f), at gmax %.0f and %.0f "
		       "(expect %.0f +- %.0f), 99.99 %% two-sided bounds\n", n, n_min, n * c.stuck_gmin_frac,
		       b_min, n_max, n_neg_max, n * c.stuck_gmax_frac, b_max);
		report(fabs(n_min - n * c.stuck_gmin_frac) < b_min, "stuck_gmin_fraction_binomial",
		       "expected %.0f +- %.0f, got %.0f", n * c.stuck_gmin_frac, b_min, n_min);
		report(fabs(n_max - n * c.stuck_gmax_frac) < b_max, "stuck_gmax_fraction_binomial",
		       "expected %.0f +- %.0f, got %.0f", n * c.stuck_gmax_frac, b_max, n_max);
		report(fabs(n_neg_max - n * c.stuck_gmax_frac) < b_max, "stuck_gmax_fraction_binomial_neg",
		       "expected %.0f +- %.0f, got %.0f", n * c.stuck_gmax_frac, b_max, n_neg_max);
		report(same, "unstuck_cells_at_target", "expected every other cell at level 64");
	}
	/* reprogram with other weights and another prog_idx: the same cells are stuck */
	{
		double m2 = 0;

		program_all(xb, &c, 100, 5000);
		for (uint32_t r = 0; r < R; r++)
			for (uint32_t col = 0; col < C; col++)
				m2 += aimc_xbar_conductance(xb, 0, r, 2 * col) == c.gmin;
		report(m2 == n_min, "stuck_cells_are_a_cell_property", "expected %.0f stuck at gmin again, got %.0f",
		       n_min, m2);
	}
	/* pulses towards level 127 move every cell except the stuck ones */
	{
		int8_t row[C];
		uint8_t mask[2 * C];

		memset(row, 127, sizeof(row));
		memset(mask, 1, sizeof(mask));
		for (uint32_t r = 0; r < 16; r++) {
			double before[2 * C];

			for (uint32_t k = 0; k < 2 * C; k++)
				before[k] = aimc_xbar_conductance(xb, 0, r, k);
			aimc_xbar_pulse_row(xb, 0, r, row, mask, r);
			for (uint32_t k = 0; k < 2 * C; k += 2)
				if (before[k] == c.gmin || before[k] == c.gmax)
					pulse_inert &= aimc_xbar_conductance(xb, 0, r, k) == before[k];
		}
		report(pulse_inert, "stuck_cells_ignore_pulses", "expected stuck cells unchanged by pulses");
	}
	aimc_xbar_destroy(xb);
}

/* Comparator noise: sigma of codes at a fixed input, new draw per conv_idx, same code per key. */
static void test_comparator_noise(void)
{
	enum { R = 16, C = 8, N = 20000 };
	aimc_cfg c = make_cfg(R, C, 1, 12);
	aimc_xbar *xb;
	uint8_t d[R];
	double s = 0, s2 = 0, clean;
	int same = 1, changes = 0, all_same = 1;
	int32_t codes[C];

	c.adc_noise = 2.0;
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "comparator_noise", "expected a crossbar, got NULL");
		return;
	}
	program_all(xb, &c, 37, 0);
	memset(d, 1, sizeof(d));
	aimc_xbar_apply(xb, 0, d);
	clean = aimc_xbar_current(xb, 0, 3, 0) / (c.vread * (c.gmax - c.gmin) / 127.0); /* 16 x 37 */
	for (uint32_t k = 0; k < N; k++) {
		double code = aimc_xbar_convert(xb, 0, 3, k, 0) - clean;

		s += code;
		s2 += code * code;
		same &= aimc_xbar_convert(xb, 0, 3, k, 0) == aimc_xbar_convert(xb, 0, 3, k, 0);
		changes += k > 0 && aimc_xbar_convert(xb, 0, 3, k, 0) != aimc_xbar_convert(xb, 0, 3, k - 1, 0);
	}
	{
		double mean = s / N, sd = sqrt(s2 / N - mean * mean);
		double expect = sqrt(c.adc_noise * c.adc_noise + 1.0 / 12.0); /* + rounding (Sheppard) */

		printf("# comparator noise: code sigma %.4f LSB (expect %.4f), mean %.4f, %d of %d "
		       "consecutive conversions differ\n", sd, expect, mean, changes, N - 1);
		report(fabs(sd / expect - 1.0) < 0.03, "comparator_noise_sigma", "expected %.4f +- 3%%, got %.4f",
		       expect, sd);
		report(fabs(mean) < Z4 * expect / sqrt(N), "comparator_noise_zero_mean",
		       "expected |mean| < %.4f, got %.4f", Z4 * expect / sqrt(N), mean);
		report(same, "comparator_noise_same_key_same_code", "expected identical codes for one conv_idx");
		report(changes > N / 2, "comparator_noise_redrawn_per_conversion",
		       "expected most consecutive conversions to differ, got %d of %d", changes, N - 1);
	}
	/* convert_all gives every column's convert bits, for any conv_idx order */
	for (uint32_t k = 50; k-- > 40;) {
		aimc_xbar_convert_all(xb, 0, k, 0, codes);
		for (uint32_t col = 0; col < C; col++)
			all_same &= codes[col] == aimc_xbar_convert(xb, 0, col, k, 0);
	}
	report(all_same, "comparator_noise_convert_all_equals_convert", "expected identical codes");
	aimc_xbar_destroy(xb);
}

/* Read noise and comparator noise together: the comparator draw is the second normal of the
 * read-noise key's polar pair, so the two must be independent (variances add) and switching the
 * comparator noise on must leave the read-noise current bits unchanged. */
static void test_read_and_comparator(void)
{
	enum { R = 64, C = 8, N = 20000 };
	aimc_cfg c = make_cfg(R, C, 1, 14); /* 64 x 90 = 5760 LSB fits a 14-bit ADC */
	aimc_xbar *a, *b;
	uint8_t d[R];
	double lsb = c.vread * (c.gmax - c.gmin) / 127.0, s = 0, s2 = 0, var = 0, clean = 0;
	int same_i = 1;

	c.read_sigma = 0.005;
	a = aimc_xbar_create(&c, seed);
	c.adc_noise = 1.5;
	b = aimc_xbar_create(&c, seed);
	if (a == NULL || b == NULL) {
		report(0, "read_and_comparator", "expected crossbars, got NULL");
		goto out;
	}
	program_all(a, &c, 90, 0);
	program_all(b, &c, 90, 0);
	memset(d, 1, sizeof(d));
	aimc_xbar_apply(a, 0, d);
	aimc_xbar_apply(b, 0, d);
	for (int r = 0; r < R; r++) { /* pair variance of levels 90 / 0, formula with libm */
		double gp = level_g(&c, 90), gn = level_g(&c, 0), k = c.read_knee * c.gmax;
		double amp = c.read_sigma * (c.gmax - c.gmin) / (1.0 - exp(-1.0 / c.read_knee));
		double sp = amp * (1.0 - exp(-gp / k)), sn = amp * (1.0 - exp(-gn / k));

		var += c.vread * c.vread * (sp * sp + sn * sn);
		clean += c.vread * (gp - gn);
	}
	for (uint32_t k = 0; k < N; k++) {
		double code = aimc_xbar_convert(b, 0, 2, k, 0) - clean / lsb;

		same_i &= aimc_xbar_current(a, 0, 2, k) == aimc_xbar_current(b, 0, 2, k);
		s += code;
		s2 += code * code;
	}
	{
		double mean = s / N, sd = sqrt(s2 / N - mean * mean);
		double expect = sqrt(var / (lsb * lsb) + c.adc_noise * c.adc_noise + 1.0 / 12.0);

		printf("# read + comparator noise: code sigma %.4f LSB (expect %.4f: read %.4f, comparator "
		       "%.2f, rounding)\n", sd, expect, sqrt(var) / lsb, c.adc_noise);
		report(fabs(sd / expect - 1.0) < 0.03, "read_and_comparator_noise_independent",
		       "expected %.4f +- 3%%, got %.4f", expect, sd);
		report(same_i, "comparator_noise_leaves_read_noise_bits", "expected identical currents");
	}
out:
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

/* ADC gain, offset and INL against the documented transfer (noiseless, so codes are exact). */
static void test_adc_transfer(void)
{
	enum { R = 64, C = 8 };
	aimc_cfg c = make_cfg(R, C, 1, 10);
	aimc_xbar *xb;
	uint8_t d[R];
	int ok = 1, n = 0, moved = 0;
	double lsb = c.vread * (c.gmax - c.gmin) / 127.0, half = 512.0;

	c.adc_gain_err = 0.03;
	c.adc_offset = -0.7;
	c.adc_inl = 1.5;
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "adc_transfer", "expected a crossbar, got NULL");
		return;
	}
	for (int w = -127; w <= 127; w += 3) {
		program_all(xb, &c, (int8_t)w, 0);
		for (int rows_on = 1; rows_on <= R; rows_on += 7) {
			for (int r = 0; r < R; r++)
				d[r] = r < rows_on;
			aimc_xbar_apply(xb, 0, d);
			{
				double x = aimc_xbar_current(xb, 0, 1, 0) / lsb, y, u, q;
				int32_t code = aimc_xbar_convert(xb, 0, 1, 0, 0);

				y = x * (1.0 + c.adc_gain_err) + c.adc_offset;
				u = fmin(1.0, fmax(-1.0, y / half));
				y += c.adc_inl * 1.5 * sqrt(3.0) * u * (1.0 - u * u);
				q = fmin(half - 1, fmax(-half, y >= 0 ? floor(y + 0.5) : -floor(-y + 0.5)));
				if (fabs(fabs(y - floor(y)) - 0.5) > 1e-9) { /* not within 1e-9 of a tie */
					ok &= code == (int32_t)q;
					n++;
				}
				moved += code != (int32_t)(x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5));
			}
		}
	}
	report(ok && n > 500, "adc_gain_offset_inl_transfer", "expected codes of the documented transfer over %d inputs", n);
	report(moved > n / 4, "adc_errors_change_codes", "expected many codes moved, got %d of %d", moved, n);
	aimc_xbar_destroy(xb);
}

/* DAC INL, DAC output resistance and temperature on one row: I = V(d) / (1 + Rout sum G) * dG. */
static void test_dac_and_temperature(void)
{
	enum { R = 8, C = 16 };
	aimc_cfg c = make_cfg(R, C, 3, 16);
	aimc_xbar *xb;
	int8_t w[C];
	uint8_t dv[R];
	int ok = 1;
	double worst = 0;

	c.dac_inl = 0.4;
	c.dac_rout = 2000;
	c.temp = 350;
	c.temp_ref = 300;
	c.tc_g = -2e-3;
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL) {
		report(0, "dac_temperature", "expected a crossbar, got NULL");
		return;
	}
	for (int i = 0; i < C; i++)
		w[i] = (int8_t)(i * 16 - 120);
	aimc_xbar_program_row(xb, 0, 2, w, 0);
	for (uint32_t code = 1; code <= 7; code++) {
		double tf = 1.0 + c.tc_g * (c.temp - c.temp_ref), gsum = 0, x = code / 7.0;
		double v = c.vread * (code + c.dac_inl * 4 * x * (1 - x)) / 7.0;

		for (int i = 0; i < C; i++)
			gsum += tf * (level_g(&c, w[i] > 0 ? w[i] : 0) + level_g(&c, w[i] < 0 ? -w[i] : 0));
		memset(dv, 0, sizeof(dv));
		dv[2] = (uint8_t)code;
		aimc_xbar_apply(xb, 0, dv);
		for (uint32_t col = 0; col < C; col++) {
			double gd = tf * (level_g(&c, w[col] > 0 ? w[col] : 0) - level_g(&c, w[col] < 0 ? -w[col] : 0));
			double expect = v / (1.0 + c.dac_rout * gsum) * gd;
			double got = aimc_xbar_current(xb, 0, col, 0);
			double rel = fabs(got - expect) / fmax(fabs(expect), 1e-30);

			worst = rel > worst ? rel : worst;
			ok &= rel < 1e-12;
		}
	}
	report(ok, "dac_inl_rout_temperature_current", "expected the documented current within 1e-12, worst %.3g",
	       worst);
	report(fabs(aimc_xbar_read_conductance(xb, 0, 2, 0) / aimc_xbar_conductance(xb, 0, 2, 0) -
		    (1.0 + c.tc_g * 50)) < 1e-14,
	       "temperature_scales_read_conductance", "expected factor %.4f", 1.0 + c.tc_g * 50);
	aimc_xbar_destroy(xb);
}

/* Clipping: |I| <= i_clip, and a large current reads exactly +-i_clip. */
static void test_clipping(void)
{
	enum { R = 32, C = 8 };
	aimc_cfg c = make_cfg(R, C, 1, 16);
	aimc_xbar *xb;
	int8_t w[C] = {127, -127, 2, -5, 60, -60, 0, 127};
	uint8_t d[R];
	int ok = 1;
	double clip;

	c.i_clip = 2e-6;
	c.read_sigma = 0.005;
	clip = (double)(float)c.i_clip; /* read noise on: the current is binary32 (decision 0006) */
	xb = aimc_xbar_create(&c, seed);
	for (uint32_t r = 0; r < R; r++)
		aimc_xbar_program_row(xb, 0, r, w, r);
	memset(d, 1, sizeof(d));
	aimc_xbar_apply(xb, 0, d);
	for (uint32_t k = 0; k < 50; k++) {
		ok &= aimc_xbar_current(xb, 0, 0, k) == clip && aimc_xbar_current(xb, 0, 1, k) == -clip;
		ok &= fabs(aimc_xbar_current(xb, 0, 2, k)) < clip; /* 32 x 2 levels: 0.8 uA */
	}
	report(ok, "column_current_clipped", "expected +-%.3g A at full scale and unclipped small currents",
	       c.i_clip);
	aimc_xbar_destroy(xb);
}

/* Everything on at once (the noisy config's knobs): convert_all == convert for every column and
 * conversion index, in any order, and the same seed gives the same bits in a second model. */
static void test_all_on_convert_all(int ir)
{
	enum { R = 40, C = 24 };
	aimc_cfg c = make_cfg(R, C, 2, 7);
	aimc_xbar *a, *b;
	int8_t w[R][C];
	uint8_t d[R];
	int32_t codes[C];
	int same = 1, twin = 1;
	uint64_t st = seed * 0x9e3779b97f4a7c15ull + 1;

	c.prog_sigma = 0.01;
	c.read_sigma = 0.005;
	c.drift_time = 86400;
	c.stuck_gmin_frac = 0.02;
	c.stuck_gmax_frac = 0.01;
	c.dac_inl = 0.1;
	c.dac_rout = ir ? 0 : 100; /* with the IR-drop solve the driver resistance is r_drv */
	c.ir_mode = ir ? AIMC_IR_FULL : AIMC_IR_OFF;
	c.adc_gain_err = 0.01;
	c.adc_gain_sigma = 0.005;
	c.adc_offset = 0.2;
	c.adc_offset_sigma = 0.3;
	c.adc_inl = 0.5;
	c.adc_noise = 0.3;
	c.i_clip = 3e-6;
	c.temp = 358;
	a = aimc_xbar_create(&c, seed);
	b = aimc_xbar_create(&c, seed);
	if (a == NULL || b == NULL) {
		report(0, ir ? "all_effects_ir" : "all_effects", "expected crossbars, got NULL");
		goto out;
	}
	for (uint32_t r = 0; r < R; r++) {
		for (int i = 0; i < C; i++) {
			st = st * 6364136223846793005ull + 1442695040888963407ull;
			w[r][i] = (int8_t)((int)(st >> 56) % 127);
		}
		aimc_xbar_program_row(a, 0, r, w[r], r);
	}
	for (uint32_t r = R; r-- > 0;) /* the second model programs its rows in reverse order */
		aimc_xbar_program_row(b, 0, r, w[r], r);
	for (uint32_t k = 0; k < 20; k++) {
		for (uint32_t r = 0; r < R; r++)
			d[r] = (uint8_t)((r * 7 + k) % 4);
		aimc_xbar_apply(a, 0, d);
		aimc_xbar_apply(b, 0, d);
		aimc_xbar_convert_all(a, 0, k, k % 3, codes);
		for (uint32_t col = C; col-- > 0;) {
			same &= codes[col] == aimc_xbar_convert(a, 0, col, k, k % 3);
			twin &= codes[col] == aimc_xbar_convert(b, 0, col, k, k % 3);
		}
	}
	report(same, ir ? "all_effects_ir_convert_all_equals_convert" : "all_effects_convert_all_equals_convert",
	       "expected identical codes");
	report(twin, ir ? "all_effects_ir_same_seed_same_bits" : "all_effects_same_seed_same_bits",
	       "expected identical codes from a second model");
out:
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

/* The IR-drop solve sees the read conductances (drift and temperature applied), not the
 * programmed ones: with vanishing wire, driver and sense resistances it must give the ideal sum of
 * the drifted cells (drift over a day moves them by about 34 %, far above the tolerance). */
static void test_ir_uses_read_conductance(void)
{
	enum { R = 16, C = 8 };
	aimc_cfg c = make_cfg(R, C, 2, 12), ci;
	aimc_xbar *a, *b;
	int8_t w[C];
	uint8_t d[R];
	double worst = 0.0;

	c.prog_sigma = 0;
	c.read_sigma = 0;
	c.drift_time = 86400;
	c.temp = 358;
	ci = c;
	ci.ir_mode = AIMC_IR_FULL;
	ci.r_wire_row = ci.r_wire_col = 1e-9;
	ci.r_drv = ci.r_sense = 1e-9;
	a = aimc_xbar_create(&c, seed);
	b = aimc_xbar_create(&ci, seed);
	if (a == NULL || b == NULL) {
		report(0, "ir_read_conductance", "expected crossbars, got NULL");
		goto out;
	}
	for (uint32_t r = 0; r < R; r++) {
		for (int i = 0; i < C; i++)
			w[i] = (int8_t)(((int)(r * 37 + (uint32_t)i * 11) % 255) - 127);
		aimc_xbar_program_row(a, 0, r, w, r);
		aimc_xbar_program_row(b, 0, r, w, r);
		d[r] = (uint8_t)(1 + r % 3);
	}
	aimc_xbar_apply(a, 0, d);
	aimc_xbar_apply(b, 0, d);
	for (uint32_t col = 0; col < C; col++) {
		double ia = aimc_xbar_current(a, 0, col, 0), ib = aimc_xbar_current(b, 0, col, 0);
		double rel = fabs(ib - ia) / (fabs(ia) > 1e-12 ? fabs(ia) : 1e-12);

		worst = rel > worst ? rel : worst;
	}
	printf("ir_read_conductance: worst relative difference %.3g (limit 1e-6)\n", worst);
	report(worst < 1e-6, "ir_read_conductance",
	       "expected the near-zero-resistance IR solve to equal the ideal sum of the drifted cells");
out:
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	test_drift_fit();
	test_stuck();
	test_comparator_noise();
	test_read_and_comparator();
	test_adc_transfer();
	test_dac_and_temperature();
	test_clipping();
	test_all_on_convert_all(0);
	test_all_on_convert_all(1);
	test_ir_uses_read_conductance();
	return failures ? 1 : 0;
}
