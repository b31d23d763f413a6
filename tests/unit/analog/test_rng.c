/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the counter-based RNG and the deterministic log/exp (analog_models/c/aimc_rng.c).
 * Usage: test_rng [--seed N]. Prints PASS/FAIL per check, exits 1 on any failure. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_detmath.h"
#include "aimc_rng.h"
#include "aimc_test.h"

/* Published SplitMix64 reference: the generator seeded with 0 outputs mix(0x9e37...7c15 * n). */
static void test_mix64_reference(void)
{
	static const uint64_t expect[3] = {0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull,
					   0x06c45d188009454full};
	uint64_t state = 0;
	int ok = 1;
	uint64_t got = 0, exp = 0;

	for (int i = 0; i < 3 && ok; i++) {
		state += 0x9e3779b97f4a7c15ull;
		got = aimc_rng_mix64(state);
		exp = expect[i];
		ok = got == exp;
	}
	report(ok, "mix64_splitmix_reference", "expected %016" PRIx64 ", got %016" PRIx64, exp, got);
}

static void test_log_accuracy(void)
{
	double worst = 0.0, worst_x = 0.0;
	uint64_t n = 0;

	/* every binary exponent (subnormals included) with mantissas around the reduction
	 * boundary sqrt(2), then the neighbourhood of 1 */
	static const double mant[] = {1.0, 1.0000001, 1.1, 1.25, 1.4142135623730949,
				      1.4142135623730951, 1.4142135623730954, 1.5, 1.75, 1.9999999999999998};
	for (int e = -1074; e <= 1023; e++) {
		for (size_t j = 0; j < sizeof(mant) / sizeof(mant[0]); j++, n++) {
			double x = ldexp(mant[j], e);
			double ref = log(x), got = aimc_det_log(x);
			double err = ref == 0.0 ? fabs(got) : fabs(got - ref) / fabs(ref);

			if (x == 0.0 || isinf(x))
				continue;
			if (err > worst) {
				worst = err;
				worst_x = x;
			}
		}
	}
	for (double x = 1e-300; x < 1e300; x *= 1.0137, n++) {
		double ref = log(x), got = aimc_det_log(x);
		double err = ref == 0.0 ? fabs(got) : fabs(got - ref) / fabs(ref);

		if (err > worst) {
			worst = err;
			worst_x = x;
		}
	}
	for (int i = -200000; i <= 200000; i++, n++) {
		double x = 1.0 + i * 1.3e-6;
		double ref = log(x), got = aimc_det_log(x);
		double err = ref == 0.0 ? fabs(got) : fabs(got - ref) / fabs(ref);

		if (err > worst) {
			worst = err;
			worst_x = x;
		}
	}
	/* the polar method's arguments: s in (0, 1) */
	for (uint32_t i = 0; i < 200000; i++, n++) {
		aimc_key k = {seed, 0, 0, 0, AIMC_EV_TEST, 1};
		double x = aimc_rng_uniform(&k, i);

		if (x > 0.0) {
			double ref = log(x), got = aimc_det_log(x);
			double err = fabs(got - ref) / fabs(ref);

			if (err > worst) {
				worst = err;
				worst_x = x;
			}
		}
	}
	report(worst < 1e-15, "det_log_rel_err_below_1e-15",
	       "expected < 1e-15 over %" PRIu64 " points, got %.3g at x=%.17g", n, worst, worst_x);
	report(aimc_det_log(1.0) == 0.0 && aimc_det_log(0.0) == -INFINITY &&
		       isnan(aimc_det_log(-1.0)) && aimc_det_log(INFINITY) == INFINITY &&
		       isnan(aimc_det_log(NAN)),
	       "det_log_special_values", "expected log(1)=0, log(0)=-inf, log(-1)=nan, got %g %g %g",
	       aimc_det_log(1.0), aimc_det_log(0.0), aimc_det_log(-1.0));
}

static void test_exp_accuracy(void)
{
	double worst = 0.0, worst_x = 0.0, worst1 = 0.0, worst1_x = 0.0;

	for (double x = -708.0; x <= 709.0; x += 0.0123) {
		double ref = exp(x), got = aimc_det_exp(x);
		double err = fabs(got - ref) / ref;

		if (err > worst) {
			worst = err;
			worst_x = x;
		}
	}
	for (double x = -40.0; x <= 40.0; x += 0.0007) {
		double ref = expm1(x), got = aimc_det_expm1(x);
		double err = ref == 0.0 ? fabs(got) : fabs(got - ref) / fabs(ref);

		if (err > worst1) {
			worst1 = err;
			worst1_x = x;
		}
	}
	for (double x = 1e-300; x < 1.0; x *= 1.9) {
		for (int s = -1; s <= 1; s += 2) {
			double ref = expm1(s * x), got = aimc_det_expm1(s * x);
			double err = fabs(got - ref) / fabs(ref);

			if (err > worst1) {
				worst1 = err;
				worst1_x = s * x;
			}
		}
	}
	report(worst < 1e-15, "det_exp_rel_err_below_1e-15", "expected < 1e-15, got %.3g at x=%.17g",
	       worst, worst_x);
	report(worst1 < 1e-15, "det_expm1_rel_err_below_1e-15", "expected < 1e-15, got %.3g at x=%.17g",
	       worst1, worst1_x);
	report(aimc_det_exp(0.0) == 1.0 && aimc_det_expm1(0.0) == 0.0 && aimc_det_exp(800.0) == INFINITY &&
		       aimc_det_exp(-800.0) == 0.0 && aimc_det_expm1(-800.0) == -1.0,
	       "det_exp_special_values", "expected exp(0)=1 expm1(0)=0 exp(800)=inf exp(-800)=0, got %g %g %g %g",
	       aimc_det_exp(0.0), aimc_det_expm1(0.0), aimc_det_exp(800.0), aimc_det_exp(-800.0));
}

/* Changing any one key field, or the draw index, changes the output; repeating gives the same. */
static void test_key_fields(void)
{
	aimc_key base = {seed, 3, 17, 29, AIMC_EV_READ, 1000};
	uint64_t h0 = aimc_rng_u64(&base, 5);
	const char *field[7] = {"seed", "tile", "row", "col", "kind", "index", "draw"};
	int ok = 1, bad = -1;

	for (int f = 0; f < 7; f++) {
		for (uint32_t delta = 1; delta <= 64; delta++) {
			aimc_key k = base;
			uint32_t draw = 5;

			switch (f) {
			case 0: k.seed ^= (uint64_t)delta << 40; break;
			case 1: k.tile += delta; break;
			case 2: k.row += delta; break;
			case 3: k.col += delta; break;
			case 4: k.kind += delta; break;
			case 5: k.index += delta; break;
			default: draw += delta; break;
			}
			if (aimc_rng_u64(&k, draw) == h0) {
				ok = 0;
				bad = f;
			}
		}
	}
	report(ok, "key_every_field_matters", "expected a different draw, got the same when changing %s",
	       bad >= 0 ? field[bad] : "-");
	report(aimc_rng_u64(&base, 5) == h0, "key_same_key_same_draw", "expected %016" PRIx64
	       ", got a different value", h0);

	/* fields must not alias: (row=1, col=0) vs (row=0, col=1) etc. */
	{
		aimc_key a = {seed, 0, 1, 0, 0, 0}, b = {seed, 0, 0, 1, 0, 0};
		aimc_key c = {seed, 1, 0, 0, 0, 0}, d = {seed, 0, 0, 0, 0, 1};
		uint64_t v[5] = {aimc_rng_u64(&a, 0), aimc_rng_u64(&b, 0), aimc_rng_u64(&c, 0),
				 aimc_rng_u64(&d, 0), aimc_rng_u64(&(aimc_key){seed, 0, 0, 0, 0, 0}, 1)};
		int distinct = 1;

		for (int i = 0; i < 5; i++)
			for (int j = i + 1; j < 5; j++)
				distinct &= v[i] != v[j];
		report(distinct, "key_fields_do_not_alias", "expected 5 distinct draws, got a repeat");
	}
	/* packed neighbours: field X = 1 must never equal field Y = 2^b (any packing overlap) */
	{
		int distinct = 1;

		for (uint32_t b = 0; b < 32; b++) {
			aimc_key tile1 = {seed, 1, 0, 0, 0, 0}, rowb = {seed, 0, 1u << b, 0, 0, 0};
			aimc_key col1 = {seed, 0, 0, 1, 0, 0}, kindb = {seed, 0, 0, 0, 1u << b, 0};
			aimc_key idx1 = {seed, 0, 0, 0, 0, 1}, zero = {seed, 0, 0, 0, 0, 0};
			aimc_key rowb2 = {seed, 0, 1u << b, 0, 0, 0}, colb = {seed, 0, 0, 1u << b, 0, 0};

			distinct &= aimc_rng_u64(&tile1, 0) != aimc_rng_u64(&rowb, 0);
			distinct &= aimc_rng_u64(&col1, 0) != aimc_rng_u64(&kindb, 0);
			distinct &= aimc_rng_u64(&idx1, 0) != aimc_rng_u64(&zero, 1u << b);
			distinct &= aimc_rng_u64(&rowb2, 0) != aimc_rng_u64(&colb, 0);
		}
		report(distinct, "key_packed_fields_do_not_overlap",
		       "expected distinct draws for every bit of neighbouring fields, got a repeat");
	}
}

/* Avalanche: flipping one input bit of the index flips about half of the 64 output bits. */
static void test_avalanche(void)
{
	double total = 0.0;
	int n = 0;

	for (uint32_t i = 0; i < 2000; i++) {
		aimc_key k = {seed, 0, i, i * 7u, AIMC_EV_TEST, i};
		uint64_t h = aimc_rng_u64(&k, 0);

		for (int b = 0; b < 32; b++) {
			aimc_key k2 = k;

			k2.index ^= 1u << b;
			total += __builtin_popcountll(h ^ aimc_rng_u64(&k2, 0));
			n++;
		}
	}
	total /= n;
	report(fabs(total - 32.0) < 0.2, "avalanche_index_bits", "expected 32 +- 0.2 bits flipped, got %.3f",
	       total);
}

static void test_uniform(void)
{
	const uint32_t n = 400000;
	double sum = 0.0, sum2 = 0.0, mn = 1.0, mx = 0.0;
	uint32_t bins[16] = {0};
	double chi2 = 0.0;

	for (uint32_t i = 0; i < n; i++) {
		aimc_key k = {seed, 1, i % 97, i / 97, AIMC_EV_TEST, 7};
		double u = aimc_rng_uniform(&k, 3);

		sum += u;
		sum2 += u * u;
		mn = u < mn ? u : mn;
		mx = u > mx ? u : mx;
		bins[(int)(u * 16)]++;
	}
	for (int b = 0; b < 16; b++) {
		double e = n / 16.0;

		chi2 += (bins[b] - e) * (bins[b] - e) / e;
	}
	report(mn >= 0.0 && mx < 1.0, "uniform_in_unit_interval", "expected [0, 1), got min %.17g max %.17g",
	       mn, mx);
	report(fabs(sum / n - 0.5) < 5.0 * sqrt(1.0 / 12 / n), "uniform_mean",
	       "expected 0.5 +- %.2g, got %.6f", 5.0 * sqrt(1.0 / 12 / n), sum / n);
	report(fabs(sum2 / n - sum * sum / n / n - 1.0 / 12) < 0.002, "uniform_variance",
	       "expected 1/12 +- 0.002, got %.6f", sum2 / n - sum * sum / n / n);
	/* 15 degrees of freedom: P(chi2 > 37.7) = 0.001 */
	report(chi2 < 37.7, "uniform_chi2_16_bins", "expected chi2 < 37.7 (p=0.001), got %.2f", chi2);
	{
		aimc_key k = {seed, 0, 0, 0, AIMC_EV_TEST, 0};
		double expect = 0.0, got = 0.0;
		int ok = 1;

		for (uint32_t i = 0; i < 1000 && ok; i++) {
			expect = (double)(aimc_rng_u64(&k, i) >> 11) / 9007199254740992.0;
			got = aimc_rng_uniform(&k, i);
			ok = got == expect;
		}
		report(ok, "uniform_is_top_53_bits", "expected %.17g, got %.17g", expect, got);
	}
}

/* Independent re-computation of the polar method from the uniform draws, with libm log. */
static double polar_reference(const aimc_key *k)
{
	for (uint32_t i = 0; i < 64; i++) {
		double u = 2.0 * aimc_rng_uniform(k, 2 * i) - 1.0;
		double v = 2.0 * aimc_rng_uniform(k, 2 * i + 1) - 1.0;
		double s = u * u + v * v;

		if (s > 0.0 && s < 1.0)
			return u * sqrt(-2.0 * log(s) / s);
	}
	return 0.0;
}

static void test_normal(void)
{
	const uint32_t n = 300000;
	double sum = 0.0, sum2 = 0.0, sum4 = 0.0, worst = 0.0;
	uint32_t over2 = 0, over3 = 0;

	for (uint32_t i = 0; i < n; i++) {
		aimc_key k = {seed, 0, 0, i & 255, AIMC_EV_READ, i >> 8};
		double z = aimc_rng_normal(&k);
		double ref = polar_reference(&k);
		double err = fabs(z - ref) / (fabs(ref) > 1e-3 ? fabs(ref) : 1e-3);

		worst = err > worst ? err : worst;
		sum += z;
		sum2 += z * z;
		sum4 += z * z * z * z;
		over2 += fabs(z) > 2.0;
		over3 += fabs(z) > 3.0;
	}
	{
		double mean = sum / n, var = sum2 / n - mean * mean, kurt = sum4 / n / (var * var);
		double p2 = (double)over2 / n, p3 = (double)over3 / n;

		report(worst < 1e-14, "normal_equals_polar_method", "expected rel diff < 1e-14 vs libm, got %.3g",
		       worst);
		report(fabs(mean) < 5.0 / sqrt(n), "normal_mean", "expected 0 +- %.4f, got %.5f", 5.0 / sqrt(n),
		       mean);
		report(fabs(var - 1.0) < 5.0 * sqrt(2.0 / n), "normal_variance", "expected 1 +- %.4f, got %.5f",
		       5.0 * sqrt(2.0 / n), var);
		report(fabs(kurt - 3.0) < 0.06, "normal_kurtosis", "expected 3 +- 0.06, got %.4f", kurt);
		report(fabs(p2 - 0.0455003) < 0.0025, "normal_tail_2sigma", "expected 0.0455 +- 0.0025, got %.5f",
		       p2);
		report(fabs(p3 - 0.0026998) < 0.0006, "normal_tail_3sigma", "expected 0.0027 +- 0.0006, got %.5f",
		       p3);
	}
}

/* Neighbouring keys are uncorrelated: lag-1 correlation over the index and over the column. */
static void test_independence(void)
{
	const uint32_t n = 100000;
	double sxy_i = 0.0, sxy_c = 0.0;

	for (uint32_t i = 0; i < n; i++) {
		aimc_key a = {seed, 0, 0, 5, AIMC_EV_READ, i}, b = a, c = a;

		b.index = i + 1;
		c.col = 6;
		sxy_i += aimc_rng_normal(&a) * aimc_rng_normal(&b);
		sxy_c += aimc_rng_normal(&a) * aimc_rng_normal(&c);
	}
	report(fabs(sxy_i / n) < 5.0 / sqrt(n), "normal_uncorrelated_index_neighbours",
	       "expected |corr| < %.4f, got %.5f", 5.0 / sqrt(n), sxy_i / n);
	report(fabs(sxy_c / n) < 5.0 / sqrt(n), "normal_uncorrelated_col_neighbours",
	       "expected |corr| < %.4f, got %.5f", 5.0 / sqrt(n), sxy_c / n);
}

/* The READ pair (decision 0006) recomputed independently in binary64 with libm: attempt i of the
 * key takes aimc_rng_u64(key, i), u and v from bits 63..40 and 39..16 as (k - 2^23) 2^-23. Returns
 * the attempt used (64: none). */
static uint32_t read_pair_reference(const aimc_key *k, double *n1, double *n2)
{
	for (uint32_t i = 0; i < 64; i++) {
		uint64_t h = aimc_rng_u64(k, i);
		double u = ((double)(h >> 40) - 8388608.0) / 8388608.0;
		double v = ((double)((h >> 16) & 0xffffffu) - 8388608.0) / 8388608.0;
		double s = u * u + v * v;

		if (s > 0.0 && s < 1.0) {
			double f = sqrt(-2.0 * log(s) / s);

			*n1 = u * f;
			*n2 = v * f;
			return i;
		}
	}
	*n1 = *n2 = 0.0;
	return 64;
}

/* The binary32 READ pair: the polar method of the reference to binary32 accuracy (the absolute
 * error of u sqrt(-2 ln s / s) grows as s nears 1, where the rounding of s in binary32 is 2^-25 of
 * a small 1 - s: bound 1e-3, that is 0.1 % of a standard deviation, in the worst case), two
 * independent N(0, 1): moments, tails, no correlation between the two normals of a pair or between
 * neighbouring keys. */
static void test_read_pair(void)
{
	const uint32_t n = 300000;
	double sum[2] = {0, 0}, sum2[2] = {0, 0}, sum4[2] = {0, 0}, s12 = 0.0, snb = 0.0, worst = 0.0, typical = 0.0;
	uint32_t over2 = 0, over3 = 0, over4 = 0, first_try = 0;
	float prev = 0.0f;

	for (uint32_t i = 0; i < n; i++) {
		aimc_key k = {seed, i % 5, 0, i & 255, AIMC_EV_READ, i >> 8};
		float a, b;
		double r1, r2, err;
		double z[2];

		aimc_rng_read_pair(aimc_rng_key_prefix(&k), k.index, &a, &b);
		first_try += read_pair_reference(&k, &r1, &r2) == 0;
		err = fmax(fabs(a - r1), fabs(b - r2));
		worst = fmax(worst, err);
		typical += err;
		z[0] = a;
		z[1] = b;
		for (int j = 0; j < 2; j++) {
			sum[j] += z[j];
			sum2[j] += z[j] * z[j];
			sum4[j] += z[j] * z[j] * z[j] * z[j];
			over2 += fabs(z[j]) > 2.0;
			over3 += fabs(z[j]) > 3.0;
			over4 += fabs(z[j]) > 4.0;
		}
		s12 += z[0] * z[1];
		snb += (double)prev * z[0];
		prev = a;
	}
	report(worst < 1e-3, "read_pair_equals_polar_reference", "expected abs diff < 1e-3 vs libm binary64, got %.3g",
	       worst);
	report(typical / n < 1e-6, "read_pair_typical_error", "expected mean abs diff < 1e-6, got %.3g", typical / n);
	report(fabs((double)first_try / n - 0.785398) < 0.005, "read_pair_acceptance_pi_over_4",
	       "expected 0.7854 +- 0.005 accepted at the first attempt, got %.5f", (double)first_try / n);
	for (int j = 0; j < 2; j++) {
		double mean = sum[j] / n, var = sum2[j] / n - mean * mean, kurt = sum4[j] / n / (var * var);
		char name[48];

		snprintf(name, sizeof(name), "read_pair_n%d_mean", j + 1);
		report(fabs(mean) < 5.0 / sqrt(n), name, "expected 0 +- %.4f, got %.5f", 5.0 / sqrt(n), mean);
		snprintf(name, sizeof(name), "read_pair_n%d_variance", j + 1);
		report(fabs(var - 1.0) < 5.0 * sqrt(2.0 / n), name, "expected 1 +- %.4f, got %.5f",
		       5.0 * sqrt(2.0 / n), var);
		snprintf(name, sizeof(name), "read_pair_n%d_kurtosis", j + 1);
		report(fabs(kurt - 3.0) < 0.06, name, "expected 3 +- 0.06, got %.4f", kurt);
	}
	{
		double p2 = over2 / (2.0 * n), p3 = over3 / (2.0 * n), p4 = over4 / (2.0 * n);

		report(fabs(p2 - 0.0455003) < 0.0018, "read_pair_tail_2sigma", "expected 0.0455 +- 0.0018, got %.5f", p2);
		report(fabs(p3 - 0.0026998) < 0.0005, "read_pair_tail_3sigma", "expected 0.0027 +- 0.0005, got %.5f", p3);
		/* 6.334e-5 of 600,000 draws: 38 expected, Poisson 99.99 % range 16 .. 66 */
		report(over4 >= 16 && over4 <= 66, "read_pair_tail_4sigma", "expected 16 .. 66 beyond 4 sigma, got %u (%.2e)",
		       over4, p4);
	}
	report(fabs(s12 / n) < 5.0 / sqrt(n), "read_pair_normals_uncorrelated", "expected |corr| < %.4f, got %.5f",
	       5.0 / sqrt(n), s12 / n);
	report(fabs(snb / n) < 5.0 / sqrt(n), "read_pair_neighbour_keys_uncorrelated", "expected |corr| < %.4f, got %.5f",
	       5.0 / sqrt(n), snb / n);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	test_mix64_reference();
	test_log_accuracy();
	test_exp_accuracy();
	test_key_fields();
	test_avalanche();
	test_uniform();
	test_normal();
	test_independence();
	test_read_pair();
	return failures ? 1 : 0;
}
