/* SPDX-License-Identifier: Apache-2.0 */
/* Statistical tests of the device presets of docs/analog-model.md "Devices" (issue 18): PCM drift
 * exponent per level (P3, recovered from two times), PCM programming noise (P2) and 1/f read noise
 * (P4), ReRAM programming spread (R1, 1 s) and relaxation (R1 growth to 1 day, R4 mean), the
 * few-levels mapping (cell_levels) and the time units of the config keys and aimc --time.
 * Expected values are computed here with libm from the published fits, never by the model.
 * Usage: test_devices [--seed N]. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_test.h"

#define Z4 3.891 /* two-sided 99.99 % normal quantile */
#define R 64
#define C 64

static aimc_cfg make_cfg(uint32_t device, double t)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "devices");
	c.rows = R;
	c.cols = C;
	c.dac_bits = 1;
	c.adc_bits = 8;
	c.adc_cycles = 8;
	c.prog_sigma = 0.0;
	c.read_sigma = 0.0;
	c.tc_g = 0.0;
	c.device = device;
	c.drift_time = t;
	if (device == 1) {
		c.gmax = 25e-6; /* P1 */
		c.gmin = 0.0;
	} else if (device == 2) {
		c.gmax = 40e-6; /* R1 */
		c.gmin = 2.36e-6;
	}
	return c;
}

static aimc_xbar *programmed(const aimc_cfg *c, int8_t w)
{
	aimc_xbar *xb = aimc_xbar_create(c, seed);
	int8_t row[C];

	if (xb == NULL) {
		fprintf(stderr, "cannot create the model\n");
		exit(2);
	}
	memset(row, w, sizeof(row));
	for (uint32_t r = 0; r < R; r++)
		aimc_xbar_program_row(xb, 0, r, row, r);
	return xb;
}

static double clipd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* mean and standard deviation of x[0..n) */
static void moments(const double *x, size_t n, double *mean, double *sd)
{
	double s = 0.0, ss = 0.0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*sd = sqrt(ss / (double)(n - 1));
}

/* P3: nu per cell from ln(G(t1) / G(t2)) / ln(t2 / t1); mean |N(mu, sd)| and its sd. */
static void test_pcm_drift(int level)
{
	const double t1 = 200.0, t2 = 2e6, g = level / 127.0;
	aimc_cfg c1 = make_cfg(1, t1), c2 = make_cfg(1, t2);
	aimc_xbar *a = programmed(&c1, (int8_t)level), *b = programmed(&c2, (int8_t)level);
	double nu[R * C], mean, sd, mu, sg, em, ev, a0;
	char name[64];
	size_t n = 0;

	for (uint32_t r = 0; r < R; r++)
		for (uint32_t k = 0; k < C; k++) {
			double ga = aimc_xbar_read_conductance(a, 0, r, 2 * k);
			double gb = aimc_xbar_read_conductance(b, 0, r, 2 * k);

			nu[n++] = log(ga / gb) / log(t2 / t1);
		}
	moments(nu, n, &mean, &sd);
	mu = clipd(-0.0155 * log(g) + 0.0244, 0.049, 0.1);
	sg = clipd(-0.0125 * log(g) - 0.0059, 0.008, 0.045);
	/* folded normal |N(mu, sg)| */
	a0 = mu / sg;
	em = sg * sqrt(2.0 / 3.14159265358979323846) * exp(-a0 * a0 / 2.0) + mu * erf(a0 / sqrt(2.0));
	ev = mu * mu + sg * sg - em * em;
	snprintf(name, sizeof(name), "pcm_drift_nu_level%d", level);
	report(fabs(mean - em) <= Z4 * sqrt(ev) / sqrt((double)n) && fabs(sd - sqrt(ev)) <= 0.05 * sqrt(ev),
	       name, "nu mean %.6f sd %.6f, expected %.6f sd %.6f (P3, n %zu)", mean, sd, em, sqrt(ev), n);
	printf("  level %d: nu mean %.5f (P3 %.5f), sd %.5f (P3 %.5f)\n", level, mean, em, sd, sqrt(ev));
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

/* P2: programming error of level l: sd of G - G*(l) = (0.2635 + 1.965 g - 1.1731 g^2) uS x gmax / 25 uS */
static void test_pcm_prog(int level)
{
	aimc_cfg c = make_cfg(1, 0.0);
	aimc_xbar *xb = programmed(&c, (int8_t)level);
	const double g = level / 127.0, tgt = level * (c.gmax / 127.0);
	double e[R * C], mean, sd, want = (0.2635 + 1.965 * g - 1.1731 * g * g) * 1e-6 * (c.gmax / 25e-6);
	char name[64];
	size_t n = 0;

	for (uint32_t r = 0; r < R; r++)
		for (uint32_t k = 0; k < C; k++)
			e[n++] = aimc_xbar_conductance(xb, 0, r, 2 * k) - tgt;
	moments(e, n, &mean, &sd);
	snprintf(name, sizeof(name), "pcm_prog_sigma_level%d", level);
	report(fabs(sd - want) <= 0.05 * want && fabs(mean) <= Z4 * want / sqrt((double)n), name,
	       "sd %.4g S mean %.3g S, expected sd %.4g S (P2)", sd, mean, want);
	aimc_xbar_destroy(xb);
}

/* P4: one active row, 20000 conversions of one column: the current's sd is vread sqrt(s+^2 + s-^2),
 * s = Q_s(g) sqrt(ln((t + t_r) / (2 t_r))) G(t), Q_s = min(0.0088 g^-0.65, 0.2), g of the level. */
static void test_pcm_read(int level, double t)
{
	enum { N = 20000 };
	aimc_cfg c = make_cfg(1, t);
	aimc_xbar *xb = programmed(&c, (int8_t)level);
	uint8_t d[R] = {0};
	double *x = malloc(N * sizeof(*x)), mean, sd, lt, qp, sp, sn, want, gp, gn, g = level / 127.0;
	char name[64];

	d[5] = 1;
	aimc_xbar_apply(xb, 0, d);
	for (uint32_t i = 0; i < N; i++)
		x[i] = aimc_xbar_current(xb, 0, 3, i);
	moments(x, N, &mean, &sd);
	lt = sqrt(log((t + c.pcm_t_read) / (2.0 * c.pcm_t_read)));
	qp = fmin(0.0088 * pow(g, -0.65), 0.2);
	gp = aimc_xbar_read_conductance(xb, 0, 5, 6);
	gn = aimc_xbar_read_conductance(xb, 0, 5, 7);
	sp = qp * lt * gp;
	sn = 0.2 * lt * gn; /* level 0: g = 0, Q_s at its clip */
	want = c.vread * sqrt(sp * sp + sn * sn);
	snprintf(name, sizeof(name), "pcm_read_noise_level%d_t%.0f", level, t);
	report(fabs(sd - want) <= 0.03 * want && fabs(mean - c.vread * (gp - gn)) <= Z4 * want / sqrt((double)N),
	       name, "sd %.4g A, expected %.4g A (P4); mean %.6g A, expected %.6g A", sd, want, mean,
	       c.vread * (gp - gn));
	printf("  level %d at %.0f s: read sigma / G = %.2f %% (P4 form)\n", level, t, 100.0 * qp * lt);
	free(x);
	aimc_xbar_destroy(xb);
}

/* R1 fits (uS at 40 uS): 1 s and 1 day */
static double reram_fit(int which, double g)
{
	static const double f[2][5] = {{0.348, 16.030, -43.853, 45.393, -16.815},
				       {0.701, 22.086, -50.773, 47.095, -16.458}};
	double v = 0.0;

	for (int i = 4; i >= 0; i--)
		v = v * g + f[which][i];
	return v > 0.0 ? v : 0.0;
}

/* R1: programming spread at 1 s; relaxation from 1 s to 1 day: G(1 d) - G(1 s) has mean
 * reram_relax_mean gmax ln(86400) (R4) and sd sqrt(sigma_1d^2 - sigma_1s^2) (R1). */
static void test_reram(int level)
{
	aimc_cfg c1 = make_cfg(2, 1.0), c2 = make_cfg(2, 86400.0);
	aimc_xbar *a = programmed(&c1, (int8_t)level), *b = programmed(&c2, (int8_t)level);
	const double range = c1.gmax - c1.gmin, tgt = c1.gmin + level * (range / 127.0), g = tgt / c1.gmax;
	double e[R * C], dlt[R * C], mean, sd, want, s0 = reram_fit(0, g), s1 = reram_fit(1, g);
	char name[64];
	size_t n = 0;

	for (uint32_t r = 0; r < R; r++)
		for (uint32_t k = 0; k < C; k++) {
			e[n] = aimc_xbar_read_conductance(a, 0, r, 2 * k) - tgt;
			dlt[n] = aimc_xbar_read_conductance(b, 0, r, 2 * k) - aimc_xbar_read_conductance(a, 0, r, 2 * k);
			n++;
		}
	moments(e, n, &mean, &sd);
	want = s0 * 1e-6 * (c1.gmax / 40e-6);
	snprintf(name, sizeof(name), "reram_prog_sigma_level%d", level);
	report(fabs(sd - want) <= 0.05 * want && fabs(mean) <= Z4 * want / sqrt((double)n), name,
	       "sd %.4g S mean %.3g S, expected sd %.4g S (R1 1 s fit)", sd, mean, want);
	moments(dlt, n, &mean, &sd);
	want = sqrt(s1 * s1 - s0 * s0) * 1e-6 * (c1.gmax / 40e-6);
	{
		double wm = c1.reram_relax_mean * c1.gmax * log(86400.0);

		snprintf(name, sizeof(name), "reram_relaxation_level%d", level);
		report(fabs(sd - want) <= 0.05 * want && fabs(mean - wm) <= Z4 * want / sqrt((double)n), name,
		       "sd %.4g S mean %.4g S, expected sd %.4g S (R1) mean %.4g S (R4)", sd, mean, want, wm);
		printf("  level %d: relaxation to 1 day sd %.3f uS (R1 %.3f), mean %.3f uS (R4 %.3f)\n", level,
		       sd * 1e6, want * 1e6, mean * 1e6, wm * 1e6);
	}
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
}

/* cell_levels: a noise-free flash cell of weight level l reads gmin + round(l (L-1) / 127) range / (L-1). */
static void test_levels(void)
{
	aimc_cfg c = make_cfg(0, 0.0);
	int bad = 0, worst = -1;

	c.cell_levels = 16;
	for (int l = 0; l <= 127; l += 3) {
		aimc_xbar *xb = programmed(&c, (int8_t)l);
		double want = c.gmin + floor(l * 15.0 / 127.0 + 0.5) * ((c.gmax - c.gmin) / 15.0);
		double got = aimc_xbar_read_conductance(xb, 0, 1, 2);

		if (fabs(got - want) > 1e-12 * c.gmax) {
			bad++;
			worst = l;
		}
		aimc_xbar_destroy(xb);
	}
	report(bad == 0, "cell_levels_16", "%d levels off the 16-level grid (last %d)", bad, worst);
	report(aimc_cfg_effect_on(&c) != NULL && !aimc_cfg_is_ideal(&c), "cell_levels_is_an_effect",
	       "cell_levels 16 must switch the exact path off");
}

/* cell_levels with bit-sliced weights (decision 0009): the cell level l of 0..top (top = 2^slice_bits
 * - 1 = 15 for 2 x 4 bits) reads gmin + round(l (L-1) / top) range / (L-1); L = 16 holds every level
 * (exact, no effect), L = 4 rounds (an effect), L = 128 is every level (exact). */
static void test_levels_sliced(void)
{
	static const uint32_t ls[] = {16, 4, 128};
	aimc_cfg c = make_cfg(0, 0.0);

	c.cols = C / 2; /* 2 pair columns per logical column: the array is C pair columns */
	c.cols_per_adc = 4;
	c.weight_slices = 2;
	c.slice_bits = 4;
	c.adc_bits = 12; /* 2^11 - 1 >= 64 rows x 1 x 15: no ADC code clips (ideal unless rounding) */
	c.adc_cycles = 12;
	for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++) {
		int bad = 0, worst = -1;
		char name[40];

		c.cell_levels = ls[i];
		for (int l = 0; l <= 15; l++) {
			aimc_xbar *xb = programmed(&c, (int8_t)l);
			double steps = ls[i] == 128 ? 15.0 : (double)(ls[i] - 1);
			double want = c.gmin + floor(l * steps / 15.0 + 0.5) * ((c.gmax - c.gmin) / steps);
			double got = aimc_xbar_read_conductance(xb, 0, 1, 2);

			if (ls[i] == 128)
				want = c.gmin + l * ((c.gmax - c.gmin) / 15.0);
			if (fabs(got - want) > 1e-12 * c.gmax) {
				bad++;
				worst = l;
			}
			aimc_xbar_destroy(xb);
		}
		snprintf(name, sizeof(name), "cell_levels_%u_sliced", ls[i]);
		report(bad == 0, name, "%d of the 16 slice levels off the %u-level grid (last %d)", bad, ls[i],
		       worst);
		snprintf(name, sizeof(name), "cell_levels_%u_sliced_effect", ls[i]);
		report((aimc_cfg_effect_on(&c) != NULL) == (ls[i] == 4) && aimc_cfg_is_ideal(&c) == (ls[i] != 4),
		       name, "cell_levels %u with 4-bit slices: effect %s, ideal %d", ls[i],
		       aimc_cfg_effect_on(&c) ? aimc_cfg_effect_on(&c) : "none", aimc_cfg_is_ideal(&c));
	}
}

static void test_time_units(void)
{
	static const struct {
		const char *s;
		double v;
		int ok;
	} cases[] = {{"1y", 31557600.0, 1}, {"1 h", 3600.0, 1}, {"2.5e3 s", 2500.0, 1}, {"1e3", 1000.0, 1},
		     {"30d", 2592000.0, 1}, {"5min", 300.0, 1}, {"250ns", 250e-9, 1}, {"1q", 0, 0},
		     {"h", 0, 0}, {"", 0, 0}, {"1e", 0, 0}, {"1 y y", 0, 0}, {"-", 0, 0}};
	aimc_cfg c;
	char err[512];
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -1.0;
		int rc = aimc_cfg_parse_seconds(cases[i].s, &v);

		if ((rc == 0) != cases[i].ok || (rc == 0 && fabs(v - cases[i].v) > 1e-12 * cases[i].v)) {
			printf("  '%s': rc %d value %g, expected %s %g\n", cases[i].s, rc, v,
			       cases[i].ok ? "ok" : "error", cases[i].v);
			bad++;
		}
	}
	report(bad == 0, "time_units", "%d of the unit cases wrong", bad);
	report(aimc_cfg_parse(&c, "name = t\ndevice = pcm\ndrift_time = 1d\n", "t.cfg", err, sizeof(err)) == 0 &&
		       c.drift_time == 86400.0 && c.device == 1,
	       "config_time_key", "drift_time = 1d: %s", err);
	report(aimc_cfg_parse(&c, "name = t\ndrift_time = 2w\n", "t.cfg", err, sizeof(err)) != 0 &&
		       strstr(err, "drift_time") != NULL && strstr(err, "t.cfg:2") != NULL,
	       "config_time_bad_unit", "error message '%s'", err);
	report(aimc_cfg_parse(&c, "name = t\ndrift_time = 40y\n", "t.cfg", err, sizeof(err)) != 0 &&
		       strstr(err, "out of range") != NULL,
	       "config_time_range", "error message '%s'", err);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	test_pcm_drift(127);
	test_pcm_drift(13);
	test_pcm_prog(127);
	test_pcm_prog(40);
	test_pcm_read(127, 3600.0);
	test_pcm_read(13, 31557600.0);
	test_reram(127);
	test_reram(64);
	test_levels();
	test_levels_sliced();
	test_time_units();
	return failures ? 1 : 0;
}
