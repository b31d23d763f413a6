/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the crossbar model's noise (analog_models/c/aimc_analog.c): programming-error and
 * read-noise statistics against the formulas of docs/analog-model.md (computed here with libm),
 * and keyed determinism (results independent of call order). Usage: test_xbar_noise [--seed N]. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
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

static aimc_cfg make_cfg(uint32_t rows, uint32_t cols, uint32_t dac, uint32_t adc, double prog_sigma,
			 double read_sigma)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "noise");
	c.rows = rows;
	c.cols = cols;
	c.cols_per_adc = 4;
	c.dac_bits = dac;
	c.adc_bits = adc;
	c.adc_cycles = adc;
	c.prog_sigma = prog_sigma;
	c.read_sigma = read_sigma;
	return c;
}

/* The documented level-dependent sigma (F10/F12 shape), written independently with libm. */
static double sigma_formula(double frac, double knee, const aimc_cfg *c, double g)
{
	return frac * (c->gmax - c->gmin) * (1.0 - exp(-g / (knee * c->gmax))) / (1.0 - exp(-1.0 / knee));
}

static double target_g(const aimc_cfg *c, int level)
{
	return c->gmin + level * ((c->gmax - c->gmin) / 127.0);
}

/* Std and mean of (G - target) over all cells of the given parity after programming every
 * weight to w. */
static void prog_stats(const aimc_cfg *c, int w, uint32_t parity, double *mean, double *sd,
		       double *mn, double *mx)
{
	aimc_xbar *xb = aimc_xbar_create(c, seed);
	int8_t *row = malloc(c->cols);
	int level = parity == 0 ? (w > 0 ? w : 0) : (w < 0 ? -w : 0);
	double t = target_g(c, level), s = 0.0, s2 = 0.0;
	size_t n = 0;

	*mean = *sd = NAN;
	*mn = INFINITY;
	*mx = -INFINITY;
	if (xb == NULL || row == NULL)
		goto out;
	memset(row, w, c->cols);
	for (uint32_t r = 0; r < c->rows; r++)
		aimc_xbar_program_row(xb, 0, r, row, 1000u + r);
	for (uint32_t r = 0; r < c->rows; r++) {
		for (uint32_t col = 0; col < c->cols; col++) {
			double g = aimc_xbar_conductance(xb, 0, r, 2 * col + parity);

			s += g - t;
			s2 += (g - t) * (g - t);
			*mn = g < *mn ? g : *mn;
			*mx = g > *mx ? g : *mx;
			n++;
		}
	}
	*mean = s / n;
	*sd = sqrt(s2 / n - *mean * *mean);
out:
	free(row);
	aimc_xbar_destroy(xb);
}

static void test_prog_error(void)
{
	/* 256 x 64 = 16384 cells per level */
	aimc_cfg c = make_cfg(256, 64, 1, 8, 0.01, 0.0);
	static const struct {
		int w;
		uint32_t parity;
		const char *name;
	} cases[] = {
		{127, 0, "prog_sigma_full_scale_level127"},
		{-10, 1, "prog_sigma_level10"},
		{64, 0, "prog_sigma_level64"},
		{127, 1, "prog_sigma_level0"},
	};
	const double n = 256.0 * 64.0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int level = cases[i].parity == 0 ? (cases[i].w > 0 ? cases[i].w : 0)
						 : (cases[i].w < 0 ? -cases[i].w : 0);
		double expect = sigma_formula(c.prog_sigma, c.prog_knee, &c, target_g(&c, level));
		double mean, sd, mn, mx;
		char name[96];

		prog_stats(&c, cases[i].w, cases[i].parity, &mean, &sd, &mn, &mx);
		report(fabs(sd / expect - 1.0) < 0.05, cases[i].name, "expected sigma %.4g S +- 5%%, got %.4g S",
		       expect, sd);
		snprintf(name, sizeof(name), "%s_unbiased", cases[i].name);
		report(fabs(mean) < 4.0 * expect / sqrt(n), name, "expected mean error 0 +- %.3g S, got %.3g S",
		       4.0 * expect / sqrt(n), mean);
	}
	/* at full scale the sigma is exactly prog_sigma of the range (the formula's normalization) */
	{
		double expect = c.prog_sigma * (c.gmax - c.gmin);
		double mean, sd, mn, mx;

		prog_stats(&c, 127, 0, &mean, &sd, &mn, &mx);
		report(fabs(sd / expect - 1.0) < 0.05, "prog_sigma_is_fraction_of_range",
		       "expected %.4g S (1%% of gmax-gmin) +- 5%%, got %.4g S", expect, sd);
	}
}

/* Large programming error: cells clamp to [0, 1.2 gmax], and both rails are reached. */
static void test_prog_clamp(void)
{
	aimc_cfg c = make_cfg(64, 64, 1, 8, 0.5, 0.0);
	double mean, sd, mn_hi, mx_hi, mn_lo, mx_lo;

	prog_stats(&c, 127, 0, &mean, &sd, &mn_hi, &mx_hi);
	prog_stats(&c, 127, 1, &mean, &sd, &mn_lo, &mx_lo);
	report(mx_hi == 1.2 * c.gmax && mn_lo == 0.0 && mn_hi >= 0.0 && mx_lo <= 1.2 * c.gmax,
	       "prog_clamped_to_0_and_1.2gmax", "expected max %.4g and min 0, got max %.4g min %.4g",
	       1.2 * c.gmax, mx_hi, mn_lo);
}

static void test_read_noise(void)
{
	enum { R = 64, C = 8, N = 20000 };
	aimc_cfg c = make_cfg(R, C, 1, 12, 0.0, 0.005); /* default read noise, exact levels */
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[R * C];
	uint8_t d[R];
	double lsb = c.vread * ((c.gmax - c.gmin) / 127.0);
	int ok_i = 1, ok_code = 1, ok_mean = 1, ok_g = 1;
	double worst_i = 0, worst_code = 0, worst_mean = 0;

	if (xb == NULL) {
		report(0, "read_noise", "expected a crossbar, got NULL");
		return;
	}
	for (int i = 0; i < R * C; i++)
		w[i] = (int8_t)stim_range(-127, 127);
	for (uint32_t r = 0; r < R; r++)
		aimc_xbar_program_row(xb, 0, r, w + r * C, r);
	for (int r = 0; r < R; r++)
		d[r] = (uint8_t)(r % 5 != 0); /* some rows off: they must add no noise */
	aimc_xbar_apply(xb, 0, d);
	for (uint32_t col = 0; col < C; col++) {
		double var = 0.0, clean = 0.0, si = 0, si2 = 0, sc = 0, sc2 = 0;

		for (int r = 0; r < R; r++) {
			int wv = w[r * C + (int)col];
			double gp = target_g(&c, wv > 0 ? wv : 0), gn = target_g(&c, wv < 0 ? -wv : 0);
			double sp = sigma_formula(c.read_sigma, c.read_knee, &c, gp);
			double sn = sigma_formula(c.read_sigma, c.read_knee, &c, gn);
			double v = c.vread * d[r];

			if (fabs(aimc_xbar_conductance(xb, 0, (uint32_t)r, 2 * col) / gp - 1.0) > 1e-14)
				ok_g = 0;
			var += v * v * (sp * sp + sn * sn);
			clean += v * (gp - gn);
		}
		for (uint32_t k = 0; k < N; k++) {
			double i = aimc_xbar_current(xb, 0, col, k) - clean;
			double code = aimc_xbar_convert(xb, 0, col, k, 0) - clean / lsb;

			si += i;
			si2 += i * i;
			sc += code;
			sc2 += code * code;
		}
		{
			double sd_i = sqrt(si2 / N - (si / N) * (si / N));
			double sd_c = sqrt(sc2 / N - (sc / N) * (sc / N));
			double exp_i = sqrt(var);
			/* quantization adds 1/12 LSB^2 to the code variance */
			double exp_c = sqrt(var / (lsb * lsb) + 1.0 / 12.0);
			double m = fabs(si / N) / (exp_i / sqrt(N));

			if (fabs(sd_i / exp_i - 1.0) > worst_i)
				worst_i = fabs(sd_i / exp_i - 1.0);
			if (fabs(sd_c / exp_c - 1.0) > worst_code)
				worst_code = fabs(sd_c / exp_c - 1.0);
			worst_mean = m > worst_mean ? m : worst_mean;
			ok_i &= fabs(sd_i / exp_i - 1.0) < 0.04;
			ok_code &= fabs(sd_c / exp_c - 1.0) < 0.05;
			ok_mean &= m < 4.5;
		}
	}
	report(ok_g, "read_noise_config_has_exact_levels", "expected G at the level targets, got other values");
	report(ok_i, "read_noise_current_std", "expected std within 4%% of formula, got worst rel err %.4f",
	       worst_i);
	report(ok_code, "read_noise_code_std", "expected std within 5%% of formula, got worst rel err %.4f",
	       worst_code);
	report(ok_mean, "read_noise_zero_mean", "expected |mean| < 4.5 standard errors, got %.2f", worst_mean);
	aimc_xbar_destroy(xb);
}

/* read_sigma == 0: no noise at all, any conv_idx gives the same bits. */
static void test_no_read_noise(void)
{
	aimc_cfg c = make_cfg(16, 8, 2, 10, 0.01, 0.0);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[8];
	uint8_t d[16];
	int same = 1;

	if (xb == NULL) {
		report(0, "no_read_noise_when_read_sigma_0", "expected a crossbar, got NULL");
		return;
	}
	for (uint32_t r = 0; r < 16; r++) {
		for (int i = 0; i < 8; i++)
			w[i] = (int8_t)stim_range(-127, 127);
		aimc_xbar_program_row(xb, 0, r, w, r);
	}
	for (int r = 0; r < 16; r++)
		d[r] = (uint8_t)stim_range(0, 3);
	aimc_xbar_apply(xb, 0, d);
	for (uint32_t col = 0; col < 8; col++)
		for (uint32_t k = 1; k < 100; k++)
			same &= aimc_xbar_current(xb, 0, col, k) == aimc_xbar_current(xb, 0, col, 0);
	report(same, "no_read_noise_when_read_sigma_0", "expected identical currents, got differences");
	aimc_xbar_destroy(xb);
}

/* Program the same rows in two orders (same prog_idx per row) and convert the same (column,
 * conv_idx) pairs in two orders: every bit must match. */
static void test_order_independence(void)
{
	enum { R = 32, C = 16 };
	aimc_cfg c = make_cfg(R, C, 2, 8, 0.01, 0.005);
	aimc_xbar *a = aimc_xbar_create(&c, seed), *b = aimc_xbar_create(&c, seed);
	int8_t w[R * C];
	uint8_t d[R];
	double ia[4][C], ib[4][C];
	int32_t ca[4][C], cb[4][C];
	int g_same = 1, i_same = 1, c_same = 1, differs = 1, idem = 1;

	if (a == NULL || b == NULL) {
		report(0, "order_independence", "expected crossbars, got NULL");
		goto out;
	}
	for (int i = 0; i < R * C; i++)
		w[i] = (int8_t)stim_range(-127, 127);
	for (uint32_t r = 0; r < R; r++)
		aimc_xbar_program_row(a, 0, r, w + r * C, 7u * r + 3u);
	for (uint32_t r = R; r-- > 0;)
		aimc_xbar_program_row(b, 0, r, w + r * C, 7u * r + 3u);
	for (uint32_t r = 0; r < R; r++)
		for (uint32_t cell = 0; cell < 2 * C; cell++)
			g_same &= aimc_xbar_conductance(a, 0, r, cell) == aimc_xbar_conductance(b, 0, r, cell);
	report(g_same, "program_order_independent", "expected identical conductances, got differences");

	/* reprogramming a row with the same prog_idx reproduces it; a new prog_idx draws anew */
	{
		double g0 = aimc_xbar_conductance(a, 0, 5, 4);

		aimc_xbar_program_row(a, 0, 5, w + 5 * C, 7u * 5 + 3u);
		idem = aimc_xbar_conductance(a, 0, 5, 4) == g0;
		aimc_xbar_program_row(b, 0, 5, w + 5 * C, 999u);
		differs = aimc_xbar_conductance(b, 0, 5, 4) != g0;
		aimc_xbar_program_row(b, 0, 5, w + 5 * C, 7u * 5 + 3u);
		report(idem && differs, "prog_idx_keys_programming_error",
		       "expected same G for same prog_idx and new G for a new one, got same=%d new=%d", idem,
		       differs);
	}

	for (int r = 0; r < R; r++)
		d[r] = (uint8_t)stim_range(0, 3);
	aimc_xbar_apply(a, 0, d);
	aimc_xbar_apply(b, 0, d);
	for (uint32_t k = 0; k < 4; k++) /* a: conv_idx ascending, columns ascending */
		for (uint32_t col = 0; col < C; col++) {
			ia[k][col] = aimc_xbar_current(a, 0, col, 100 + k);
			ca[k][col] = aimc_xbar_convert(a, 0, col, 100 + k, 0);
		}
	for (uint32_t col = C; col-- > 0;) /* b: columns descending, conv_idx descending, twice */
		for (uint32_t k = 4; k-- > 0;) {
			cb[k][col] = aimc_xbar_convert(b, 0, col, 100 + k, 0);
			ib[k][col] = aimc_xbar_current(b, 0, col, 100 + k);
			cb[k][col] = aimc_xbar_convert(b, 0, col, 100 + k, 0);
		}
	for (uint32_t k = 0; k < 4; k++)
		for (uint32_t col = 0; col < C; col++) {
			i_same &= memcmp(&ia[k][col], &ib[k][col], sizeof(double)) == 0;
			c_same &= ca[k][col] == cb[k][col];
		}
	report(i_same, "convert_order_independent_current", "expected identical currents, got differences");
	report(c_same, "convert_order_independent_code", "expected identical codes, got differences");

	/* different conv_idx: fresh noise in every column */
	differs = 1;
	for (uint32_t col = 0; col < C; col++)
		differs &= ia[0][col] != ia[1][col] && ia[1][col] != ia[2][col];
	report(differs, "conv_idx_gives_new_noise", "expected different currents for conv_idx 100/101/102");

	/* read noise is keyed by (tile, col, conv_idx) only: applying other voltages in between and
	 * re-applying restores the same bits */
	{
		uint8_t z[R];
		int restore = 1;

		memset(z, 3, sizeof(z));
		aimc_xbar_apply(a, 0, z);
		aimc_xbar_apply(a, 0, d);
		for (uint32_t col = 0; col < C; col++)
			restore &= aimc_xbar_current(a, 0, col, 101) == ia[1][col];
		report(restore, "apply_is_stateless_between_reads", "expected identical current after re-apply");
	}
out:
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

static void test_seeds(void)
{
	aimc_cfg c = make_cfg(16, 8, 1, 8, 0.01, 0.005);
	aimc_xbar *a = aimc_xbar_create(&c, seed), *b = aimc_xbar_create(&c, seed + 1);
	int8_t w[8] = {127, -127, 64, -64, 1, -1, 0, 30};
	uint8_t d[16];
	int diff_g = 1, diff_i = 1;

	if (a == NULL || b == NULL) {
		report(0, "seed_changes_draws", "expected crossbars, got NULL");
		goto out;
	}
	memset(d, 1, sizeof(d));
	for (uint32_t r = 0; r < 16; r++) {
		aimc_xbar_program_row(a, 0, r, w, r);
		aimc_xbar_program_row(b, 0, r, w, r);
	}
	for (uint32_t cell = 0; cell < 16; cell++)
		diff_g &= aimc_xbar_conductance(a, 0, 3, cell) != aimc_xbar_conductance(b, 0, 3, cell);
	aimc_xbar_apply(a, 0, d);
	aimc_xbar_apply(b, 0, d);
	for (uint32_t col = 0; col < 8; col++)
		diff_i &= aimc_xbar_current(a, 0, col, 0) != aimc_xbar_current(b, 0, col, 0);
	report(diff_g && diff_i, "seed_changes_draws", "expected different G and currents for seeds %" PRIu64
	       " and %" PRIu64, seed, seed + 1);
out:
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	stim_state = seed ^ 0x5eed;
	test_prog_error();
	test_prog_clamp();
	test_read_noise();
	test_no_read_noise();
	test_order_independence();
	test_seeds();
	return failures ? 1 : 0;
}
