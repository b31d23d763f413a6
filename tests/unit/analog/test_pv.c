/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the program-and-verify model (aimc_xbar_pulse_row / aimc_xbar_verify_row,
 * docs/analog-model.md): the pulse equation, its error statistics against the formula (libm here),
 * the mask, the statistics of converged cells (within tolerance; budget 1 leaves many
 * unconverged), keyed determinism and argument checks. Usage: test_pv [--seed N]. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"

#define TOL_1PCT 655u /* round(0.01 * 2^16) */

static uint64_t seed = 1;
static int failures;

static void report(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (rerun: test_pv --seed %" PRIu64 ")\n", seed);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			char *end;

			seed = strtoull(argv[++i], &end, 0);
			if (*end != '\0') {
				fprintf(stderr, "bad --seed '%s'\n", argv[i]);
				exit(2);
			}
		} else {
			fprintf(stderr, "usage: %s [--seed N]\n", argv[0]);
			exit(2);
		}
	}
	printf("# %s --seed %" PRIu64 "\n", argv[0], seed);
}

static uint64_t stim_state;

static uint64_t stim_u64(void)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static aimc_cfg make_cfg(uint32_t rows, uint32_t cols, double pulse_sigma, double read_sigma)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "pv");
	c.rows = rows;
	c.cols = cols;
	c.cols_per_adc = 4;
	c.pv_pulse_sigma = pulse_sigma;
	c.read_sigma = read_sigma;
	c.pv_enable = 1;
	return c;
}

static double target_g(const aimc_cfg *c, int level)
{
	return c->gmin + level * ((c->gmax - c->gmin) / 127.0);
}

/* sigma of the F10/F12 shape at conductance g, `frac` of the range at full scale (libm). */
static double shape_sd(const aimc_cfg *c, double frac, double knee, double g)
{
	return frac * (c->gmax - c->gmin) * (1.0 - exp(-g / (knee * c->gmax))) /
	       (1.0 - exp(-1.0 / knee));
}

static int cell_level(const int8_t *w, uint32_t k)
{
	int v = w[k / 2] < -127 ? -127 : w[k / 2];

	return (k & 1) ? (v < 0 ? -v : 0) : (v > 0 ? v : 0);
}

/* The loop of docs/analog-model.md, written here from the text: verify, then (pulse the cells not
 * done, verify) until all done or `budget` pulses. Event indices from *idx. Returns cells left. */
static uint32_t pv_loop(aimc_xbar *xb, uint32_t row, const int8_t *w, uint32_t cells,
			uint32_t budget, uint32_t tol, uint32_t *idx, uint8_t *done, uint8_t *ok,
			uint32_t *pulses)
{
	uint32_t left = 0;

	memset(done, 0, cells);
	for (uint32_t p = 0;; p++) {
		aimc_xbar_verify_row(xb, 0, row, w, tol, (*idx)++, ok);
		left = 0;
		for (uint32_t k = 0; k < cells; k++) {
			done[k] |= ok[k];
			left += !done[k];
		}
		if (left == 0 || p == budget)
			return left;
		for (uint32_t k = 0; k < cells; k++)
			ok[k] = !done[k];
		aimc_xbar_pulse_row(xb, 0, row, w, ok, (*idx)++);
		(*pulses)++;
	}
}

/* One pulse without error moves a masked cell exactly pv_step of the way; unmasked cells stay. */
static void test_pulse_exact(void)
{
	aimc_cfg c = make_cfg(4, 8, 0.0, 0.0);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[8] = {127, -127, 64, -1, 0, 10, -128, 33};
	uint8_t mask[16];
	int bad = 0;

	for (uint32_t k = 0; k < 16; k++)
		mask[k] = (uint8_t)(k % 3 != 0);
	if (xb == NULL || aimc_xbar_pulse_row(xb, 0, 2, w, mask, 7) != 0) {
		report(0, "pulse without error", "create/pulse failed");
		aimc_xbar_destroy(xb);
		return;
	}
	for (uint32_t k = 0; k < 16; k++) {
		double g = aimc_xbar_conductance(xb, 0, 2, k);
		double exp_g = mask[k] ? c.gmin + c.pv_step * (target_g(&c, cell_level(w, k)) - c.gmin)
				       : c.gmin;

		if (g != exp_g) {
			if (!bad)
				printf("  cell %u: %.17g, expected %.17g\n", k, g, exp_g);
			bad++;
		}
		/* other rows untouched */
		if (aimc_xbar_conductance(xb, 0, 1, k) != c.gmin)
			bad++;
	}
	report(bad == 0, "pulse without error: G += step*(G* - G) on masked cells only",
	       "%d cells differ", bad);
	aimc_xbar_destroy(xb);
}

/* One pulse from Gmin toward level 127 and toward level 10: mean and sigma vs the formula. */
static void test_pulse_stats(void)
{
	const uint32_t rows = 256, cols = 64;
	aimc_cfg c = make_cfg(rows, cols, 0.01, 0.0);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[64];
	uint8_t mask[128];
	const int levels[2] = {127, 10};

	if (xb == NULL) {
		report(0, "pulse statistics", "create failed");
		return;
	}
	memset(mask, 1, sizeof(mask));
	for (int li = 0; li < 2; li++) {
		double s = 0, s2 = 0, tgt = target_g(&c, levels[li]);
		double mean_exp = c.gmin + c.pv_step * (tgt - c.gmin);
		double sd_exp = shape_sd(&c, c.pv_pulse_sigma, c.prog_knee, tgt);
		uint32_t n = 0;
		double mean, sd;

		for (uint32_t i = 0; i < cols; i++)
			w[i] = (int8_t)levels[li]; /* positive cells at the level, negative at 0 */
		for (uint32_t r = 0; r < rows; r++) {
			aimc_xbar_pulse_row(xb, 0, r, w, mask, 1000u * (uint32_t)li + r);
			for (uint32_t col = 0; col < cols; col++) {
				double g = aimc_xbar_conductance(xb, 0, r, 2 * col);

				s += g;
				s2 += g * g;
				n++;
			}
		}
		mean = s / n;
		sd = sqrt(s2 / n - mean * mean);
		/* n = 16384: the mean is within 4 sigma/sqrt(n), the sigma within 5 % */
		report(fabs(mean - mean_exp) < 4 * sd_exp / sqrt(n) && fabs(sd / sd_exp - 1) < 0.05,
		       levels[li] == 127 ? "pulse statistics at level 127" : "pulse statistics at level 10",
		       "mean %.6g (expected %.6g), sigma %.6g (expected %.6g)", mean, mean_exp, sd, sd_exp);
		/* reset for the next level: back to Gmin exactly */
		aimc_xbar_destroy(xb);
		xb = aimc_xbar_create(&c, seed);
		if (xb == NULL)
			return;
	}
	aimc_xbar_destroy(xb);
}

/* Converged cells: with no read noise |G - G*| <= tol exactly; with read noise the verified
 * conductance can be off by the read error, so the bound is tol + 5 s(G). Budget 1 leaves most
 * cells with a non-zero level unconverged. */
static void test_converge(double read_sigma, uint32_t budget)
{
	const uint32_t rows = 64, cols = 64, cells = 2 * cols;
	aimc_cfg c = make_cfg(rows, cols, 0.005, read_sigma);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	const double range = c.gmax - c.gmin, tol = TOL_1PCT / 65536.0 * range;
	int8_t w[64];
	uint8_t done[128], ok[128];
	uint32_t idx = 0, pulses = 0, left = 0, conv = 0, outside = 0, far_levels = 0, far_left = 0;
	double worst = 0, sq = 0;
	char name[160];

	if (xb == NULL) {
		report(0, "convergence", "create failed");
		return;
	}
	stim_state = seed * 977u + budget;
	for (uint32_t r = 0; r < rows; r++) {
		for (uint32_t i = 0; i < cols; i++)
			w[i] = (int8_t)((int)(stim_u64() % 255u) - 127);
		left += pv_loop(xb, r, w, cells, budget, TOL_1PCT, &idx, done, ok, &pulses);
		for (uint32_t k = 0; k < cells; k++) {
			int level = cell_level(w, k);
			double tgt = target_g(&c, level);
			double e = fabs(aimc_xbar_conductance(xb, 0, r, k) - tgt);
			double bound = tol + 5 * shape_sd(&c, read_sigma, c.read_knee, tgt);

			if (level >= 16) {
				far_levels++;
				far_left += !done[k];
			}
			if (!done[k])
				continue;
			conv++;
			sq += e * e;
			if (e > worst)
				worst = e;
			if (e > (read_sigma > 0 ? bound : tol))
				outside++;
		}
	}
	printf("  read_sigma %g budget %u: %u pulses, %u of %u cells converged, rms error %.4f %% "
	       "of range, worst %.4f %%\n",
	       read_sigma, budget, pulses, conv, rows * cells, 100 * sqrt(sq / (conv ? conv : 1)) / range,
	       100 * worst / range);
	snprintf(name, sizeof(name), "read_sigma %g, budget %u: converged cells within %s", read_sigma,
		 budget, read_sigma > 0 ? "tol + 5 s(G)" : "tol");
	report(conv > 0 && outside == 0, name, "%u of %u converged cells outside", outside, conv);
	if (budget >= 16) {
		snprintf(name, sizeof(name), "read_sigma %g, budget %u: every cell converges", read_sigma,
			 budget);
		report(left == 0 && pulses <= rows * budget, name, "%u cells left, %u pulses", left,
		       pulses);
	} else {
		/* one pulse moves half the way: a cell 16+ levels from Gmin is still >= 8 levels off */
		snprintf(name, sizeof(name), "budget %u: cells far from their start stay unconverged",
			 budget);
		report(far_left == far_levels && far_levels > 0 && left >= far_left, name,
		       "%u of %u far cells unconverged (total left %u)", far_left, far_levels, left);
	}
	aimc_xbar_destroy(xb);
}

/* Same keys, same bits, in any order of rows; a different seed gives different bits. */
static void test_keying(void)
{
	const uint32_t rows = 8, cols = 16, cells = 2 * cols;
	aimc_cfg c = make_cfg(rows, cols, 0.005, 0.005);
	aimc_xbar *a = aimc_xbar_create(&c, seed), *b = aimc_xbar_create(&c, seed);
	aimc_xbar *d = aimc_xbar_create(&c, seed + 1);
	int8_t w[rows][16];
	uint8_t done[32], ok[32];
	uint32_t pulses = 0, same = 1, diff = 0, moved = 0;

	if (a == NULL || b == NULL || d == NULL) {
		report(0, "keying", "create failed");
		goto out;
	}
	stim_state = seed;
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t i = 0; i < cols; i++)
			w[r][i] = (int8_t)((int)(stim_u64() % 255u) - 127);
	for (uint32_t r = 0; r < rows; r++) {
		uint32_t ia = 100 * r, id = 100 * r;

		pv_loop(a, r, w[r], cells, 20, TOL_1PCT, &ia, done, ok, &pulses);
		pv_loop(d, r, w[r], cells, 20, TOL_1PCT, &id, done, ok, &pulses);
	}
	for (uint32_t r = rows; r-- > 0;) {
		uint32_t ib = 100 * r;

		pv_loop(b, r, w[r], cells, 20, TOL_1PCT, &ib, done, ok, &pulses);
	}
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t k = 0; k < cells; k++) {
			double ga = aimc_xbar_conductance(a, 0, r, k);

			same &= memcmp(&ga, &(double){aimc_xbar_conductance(b, 0, r, k)}, sizeof(ga)) == 0;
			/* cells within tolerance of Gmin (levels 0, 1) may never be pulsed */
			if (cell_level(w[r], k) < 8)
				continue;
			moved++;
			diff += ga != aimc_xbar_conductance(d, 0, r, k);
		}
	report(same, "rows tuned in reverse order give the same bits", "conductances differ");
	report(moved > 0 && diff == moved, "another seed gives other conductances (cells at level >= 8)",
	       "only %u of %u pulsed cells differ", diff, moved);
out:
	aimc_xbar_destroy(a);
	aimc_xbar_destroy(b);
	aimc_xbar_destroy(d);
}

static void test_args(void)
{
	aimc_cfg c = make_cfg(4, 8, 0.005, 0.005);
	aimc_xbar *xb = aimc_xbar_create(&c, seed);
	int8_t w[8] = {0};
	uint8_t m[16] = {0}, ok[16];
	int n;

	report(xb != NULL && aimc_xbar_pulse_row(xb, 1, 0, w, m, 0) == -1 &&
		       aimc_xbar_pulse_row(xb, 0, 4, w, m, 0) == -1 &&
		       aimc_xbar_pulse_row(xb, 0, 0, NULL, m, 0) == -1 &&
		       aimc_xbar_pulse_row(xb, 0, 0, w, NULL, 0) == -1 &&
		       aimc_xbar_pulse_row(NULL, 0, 0, w, m, 0) == -1,
	       "pulse_row rejects bad tile, row and NULL", "accepted");
	report(xb != NULL && aimc_xbar_verify_row(xb, 1, 0, w, 1, 0, ok) == -1 &&
		       aimc_xbar_verify_row(xb, 0, 4, w, 1, 0, ok) == -1 &&
		       aimc_xbar_verify_row(xb, 0, 0, w, 0x10000u, 0, ok) == -1 &&
		       aimc_xbar_verify_row(xb, 0, 0, w, 1, 0, NULL) == -1,
	       "verify_row rejects bad tile, row, tol_code > 0xffff and NULL", "accepted");
	/* Fresh cells sit at Gmin = the level-0 target: a wide tolerance passes them all, tol 0 with
	 * read noise passes none (a continuous read error is never exactly 0). */
	n = xb ? aimc_xbar_verify_row(xb, 0, 0, w, 0xffffu, 3, ok) : -1;
	report(n == 16, "verify_row counts cells within tolerance", "%d of 16", n);
	n = xb ? aimc_xbar_verify_row(xb, 0, 0, w, 0, 3, ok) : -1;
	report(n == 0, "verify_row with tol 0 and read noise passes no cell", "%d of 16", n);
	aimc_xbar_destroy(xb);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	test_pulse_exact();
	test_pulse_stats();
	test_converge(0.0, 32);
	test_converge(0.005, 32);
	test_converge(0.005, 1);
	test_keying();
	test_args();
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
