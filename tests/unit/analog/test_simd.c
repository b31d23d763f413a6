/* SPDX-License-Identifier: Apache-2.0 */
/* The vector kernels of the C model (analog_models/c/aimc_kern.h) give the same bits on every
 * instruction set: for each of baseline, avx2 and avx512 that this CPU runs, the batched READ
 * normal pairs equal the scalar polar draw of every key, and a noisy crossbar with every effect on
 * (and again with read noise off: the binary64 path) converts every column to the code of the
 * per-column scalar path (aimc_xbar_convert) and of the baseline kernels. Sizes leave tails: 100 columns (6 vectors of 16 + 4) and active-row counts not a multiple of 4.
 * The one-pass sums (kern.accp) equal a scalar reference and kern.accb bit for bit on every
 * instruction set. An unknown AIMC_SIMD value is rejected. Usage: test_simd [--seed N]. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_detmath.h"
#include "aimc_kern.h"
#include "aimc_rng.h"
#include "aimc_test.h"

enum { R = 68, C = 100, NMVM = 16, NKEYS = 1003 };

static const char *const isa[] = {"baseline", "avx2", "avx512"};

static void test_pairs(const aimc_kern *k)
{
	static uint64_t pre[NKEYS];
	static float f[NKEYS], s[NKEYS];
	char name[64];
	int same = 1;
	uint32_t bad = 0;

	for (uint32_t i = 0; i < NKEYS; i++) {
		aimc_key key = {seed, i % 3, 0, i, AIMC_EV_READ, 0};

		pre[i] = aimc_rng_key_prefix(&key);
	}
	for (uint32_t index = 0; index < 40; index++) {
		aimc_rng_read_pairs(k->read, pre, index, NKEYS, f, s);
		for (uint32_t i = 0; i < NKEYS; i++) {
			float f_ref, s_ref;

			aimc_rng_read_pair(pre[i], index, &f_ref, &s_ref);
			if (memcmp(&f_ref, &f[i], sizeof(f_ref)) != 0 || memcmp(&s_ref, &s[i], sizeof(s_ref)) != 0) {
				if (same)
					printf("# %s: key %u index %u: got %a %a, scalar %a %a\n", k->name, i, index,
					       (double)f[i], (double)s[i], (double)f_ref, (double)s_ref);
				same = 0;
				bad++;
			}
		}
	}
	snprintf(name, sizeof(name), "read_pairs_equal_scalar_%s", k->name);
	report(same, name, "expected the scalar draw of every key, %u of %u differ", bad, 40u * NKEYS);
}

static aimc_cfg noisy_cfg(void)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "simd");
	c.rows = R;
	c.cols = C;
	c.cols_per_adc = 4;
	c.dac_bits = 3;
	c.adc_bits = 8;
	c.adc_cycles = 8;
	c.prog_sigma = 0.01;
	c.read_sigma = 0.005;
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
	return c;
}

/* Codes of NMVM conversions of every column of a programmed noisy crossbar on kernels `name`;
 * per-column scalar codes in `scalar`. read_noise 0 turns read noise off (the binary64 path with
 * comparator noise). Returns 0, or -1 if the crossbar cannot be made. */
static int run_xbar(const char *name, int read_noise, int32_t *codes, int32_t *scalar)
{
	aimc_cfg c = noisy_cfg();

	if (!read_noise)
		c.read_sigma = 0.0;
	aimc_xbar *xb;
	int8_t w[C];
	uint8_t d[R];
	uint64_t st = seed * 0x9e3779b97f4a7c15ull + 7;

	snprintf(c.simd, sizeof(c.simd), "%s", name);
	xb = aimc_xbar_create(&c, seed);
	if (xb == NULL)
		return -1;
	for (uint32_t r = 0; r < R; r++) {
		for (int i = 0; i < C; i++) {
			st = st * 6364136223846793005ull + 1442695040888963407ull;
			w[i] = (int8_t)((int)(st >> 56) % 127);
		}
		aimc_xbar_program_row(xb, 0, r, w, r);
	}
	for (uint32_t k = 0; k < NMVM; k++) {
		for (uint32_t r = 0; r < R; r++) /* 0..7, many zero rows: active counts vary */
			d[r] = (uint8_t)((r * 5 + k * 3) % (k + 2) % 8);
		aimc_xbar_apply(xb, 0, d);
		aimc_xbar_convert_all(xb, 0, k, k % 3, codes + (size_t)k * C);
		for (uint32_t col = 0; col < C; col++)
			scalar[(size_t)k * C + col] = aimc_xbar_convert(xb, 0, col, k, k % 3);
	}
	aimc_xbar_destroy(xb);
	return 0;
}

/* The one-pass sums (kern.accp, issue 17 item 5) against a scalar reference and kern.accb, bit for
 * bit on the binary32 sums and variances themselves (the codes hide most last-bit differences):
 * random panels of values over many binades (so a different order of additions changes bits),
 * random active rows per read (the same lists as act and row masks), with and without voltages,
 * a column range that starts at a worker's panel boundary (64) and ends in a tail, and nk = 1, 14, 40 (two groups
 * of 32 reads). */
static uint64_t pst;

static uint32_t pnext(void)
{
	pst = pst * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(pst >> 33);
}

static float pval(void)
{
	const uint32_t x = pnext();
	float f = (float)(x & 0xffffu) / 65536.0f + 0.5f;

	for (uint32_t e = (x >> 16) % 24u; e > 0; e--) /* 2^-12 .. 2^11 */
		f = e % 2 ? f * 2.0f : f;
	f = f * 0x1p-12f;
	return (x >> 31) ? -f : f;
}

static void test_pass(const aimc_kern *k, uint32_t rows, uint32_t cols, uint32_t nk, int with_v)
{
	const uint32_t cp = (cols + AIMC_PANEL - 1) / AIMC_PANEL * AIMC_PANEL, c0 = cols > 128 ? 64 : 0, c1 = cols,
		       w = (c1 - c0 + 7u) & ~7u, ng = (nk + 31) / 32;
	float *gd = calloc((size_t)rows * cp, sizeof(float)), *rv = calloc((size_t)rows * cp, sizeof(float));
	float *v = calloc((size_t)nk * rows, sizeof(float)), *v2 = calloc((size_t)nk * rows, sizeof(float));
	float *s1 = calloc((size_t)nk * w, sizeof(float)), *q1 = calloc((size_t)nk * w, sizeof(float));
	float *s2 = calloc((size_t)nk * w, sizeof(float)), *q2 = calloc((size_t)nk * w, sizeof(float));
	uint32_t *act = calloc((size_t)nk * rows, sizeof(uint32_t)), *nact = calloc(nk, sizeof(uint32_t));
	uint32_t *rmask = calloc((size_t)ng * rows, sizeof(uint32_t));
	char name[96];
	int same_ref = 1, same_b = 1;

	snprintf(name, sizeof(name), "pass_sums_%s_r%u_c%u_k%u%s", k->name, rows, cols, nk, with_v ? "_v" : "");
	if (gd == NULL || rv == NULL || v == NULL || v2 == NULL || s1 == NULL || q1 == NULL || s2 == NULL ||
	    q2 == NULL || act == NULL || nact == NULL || rmask == NULL) {
		report(0, name, "out of memory");
		goto done;
	}
	pst = seed * 0x9e3779b97f4a7c15ull + rows * 131u + cols * 7u + nk + (uint32_t)with_v;
	for (size_t i = 0; i < (size_t)rows * cp; i++) {
		gd[i] = pval();
		rv[i] = pval();
		rv[i] = rv[i] < 0 ? -rv[i] : rv[i];
	}
	for (uint32_t j = 0; j < nk; j++) {
		const uint32_t dens = pnext() % 5u; /* 0: no row; else about dens / 4 of the rows */

		for (uint32_t r = 0; r < rows; r++) {
			v[(size_t)j * rows + r] = pval();
			v2[(size_t)j * rows + r] = v[(size_t)j * rows + r] * v[(size_t)j * rows + r];
			if (dens != 0 && pnext() % 4u < dens) {
				act[(size_t)j * rows + nact[j]++] = r;
				rmask[(size_t)(j / 32) * rows + r] |= 1u << (j % 32);
			}
		}
	}
	k->accp(s1, q1, w, gd, rv, rows, c0, c1, nk, act, nact, rows, with_v ? v : NULL, with_v ? v2 : NULL, rmask);
	k->accb(s2, q2, w, gd, rv, rows, c0, c1, nk, act, nact, rows, with_v ? v : NULL, with_v ? v2 : NULL);
	for (uint32_t j = 0; j < nk; j++)
		for (uint32_t c = c0; c < c1; c++) {
			float s = 0.0f, q = 0.0f; /* the scalar reference: active rows ascending */

			for (uint32_t i = 0; i < nact[j]; i++) {
				const uint32_t r = act[(size_t)j * rows + i];
				const size_t o = ((size_t)(c / AIMC_PANEL) * rows + r) * AIMC_PANEL + c % AIMC_PANEL;

				s = s + (with_v ? v[(size_t)j * rows + r] * gd[o] : gd[o]);
				q = q + (with_v ? v2[(size_t)j * rows + r] * rv[o] : rv[o]);
			}
			same_ref &= memcmp(&s, &s1[(size_t)j * w + c - c0], sizeof(s)) == 0 &&
				    memcmp(&q, &q1[(size_t)j * w + c - c0], sizeof(q)) == 0;
			same_b &= memcmp(&s2[(size_t)j * w + c - c0], &s1[(size_t)j * w + c - c0], sizeof(s)) == 0 &&
				  memcmp(&q2[(size_t)j * w + c - c0], &q1[(size_t)j * w + c - c0], sizeof(q)) == 0;
		}
	report(same_ref && same_b, name, "expected the scalar reference's sums (%s) and accb's (%s) bit for bit",
	       same_ref ? "equal" : "differ", same_b ? "equal" : "differ");
done:
	free(gd);
	free(rv);
	free(v);
	free(v2);
	free(s1);
	free(q1);
	free(s2);
	free(q2);
	free(act);
	free(nact);
	free(rmask);
}

int main(int argc, char **argv)
{
	static int32_t base[2 * NMVM * C], codes[NMVM * C], scalar[NMVM * C];
	char err[160], name[64];
	aimc_kern k;
	int have_base = 0;

	parse_args(argc, argv);
	for (size_t i = 0; i < sizeof(isa) / sizeof(isa[0]); i++) {
		if (aimc_kern_select(isa[i], &k, err, sizeof(err)) != 0) {
			printf("SKIP %s: %s\n", isa[i], err);
			continue;
		}
		test_pairs(&k);
		{
			static const uint32_t sz[][3] = {{1, 16, 1}, {37, 100, 14}, {68, 300, 40}, {600, 130, 14}};

			for (size_t z = 0; z < sizeof(sz) / sizeof(sz[0]); z++)
				for (int wv = 0; wv < 2; wv++)
					test_pass(&k, sz[z][0], sz[z][1], sz[z][2], wv);
		}
		for (int rn = 1; rn >= 0; rn--) {
			int32_t *ref = base + (size_t)(1 - rn) * NMVM * C;

			snprintf(name, sizeof(name), "convert_all_equals_convert_%s%s", isa[i], rn ? "" : "_no_read_noise");
			if (run_xbar(isa[i], rn, codes, scalar) != 0) {
				report(0, name, "expected a crossbar, got NULL");
				continue;
			}
			report(memcmp(codes, scalar, sizeof(codes)) == 0, name,
			       "expected the per-column scalar codes from the vector sums");
			if (i == 0) {
				memcpy(ref, codes, sizeof(codes));
				have_base = 1;
			} else if (have_base) {
				snprintf(name, sizeof(name), "codes_%s%s_equal_baseline", isa[i], rn ? "" : "_no_read_noise");
				report(memcmp(codes, ref, sizeof(codes)) == 0, name, "expected the baseline kernels' codes");
			}
		}
	}
	{
		/* 68 rows: eight words and a tail of four codes; a code above the mask (7) in the
		 * tail or in a word is rejected */
		aimc_cfg c = noisy_cfg();
		aimc_xbar *xb = aimc_xbar_create(&c, seed);
		uint8_t d[R] = {0};
		int ok = xb != NULL;

		if (xb != NULL) {
			d[R - 1] = 8;
			ok &= aimc_xbar_apply(xb, 0, d) == -1;
			d[R - 1] = 7;
			d[9] = 200;
			ok &= aimc_xbar_apply(xb, 0, d) == -1;
			d[9] = 7;
			ok &= aimc_xbar_apply(xb, 0, d) == 0;
		}
		report(ok, "apply_checks_word_and_tail_codes", "expected -1 for a code of 8 or 200 (mask 7), 0 for 7");
		aimc_xbar_destroy(xb);
	}
	report(aimc_kern_select("sse9", &k, err, sizeof(err)) == AIMC_EINVAL && strstr(err, "sse9") != NULL,
	       "unknown_simd_rejected", "expected AIMC_EINVAL and a message naming the value");
	{
		aimc_cfg c = noisy_cfg();
		aimc_xbar *xb = NULL;
		int rc;

		snprintf(c.simd, sizeof(c.simd), "sse9");
		err[0] = '\0';
		rc = aimc_xbar_create_ex(&xb, &c, seed, err, sizeof(err));
		report(rc == AIMC_EINVAL && xb == NULL && strstr(err, "sse9") != NULL, "unknown_simd_create_fails",
		       "expected AIMC_EINVAL from aimc_xbar_create_ex naming sse9, got %d \"%s\"", rc, err);
		report(aimc_xbar_simd_check("sse9", NULL, 0) == AIMC_EINVAL && aimc_xbar_simd_check("baseline", NULL, 0) == 0 &&
			       aimc_xbar_simd_check(NULL, NULL, 0) == 0,
		       "simd_check", "expected sse9 rejected, baseline and auto accepted");
		aimc_xbar_destroy(xb);
		/* the library reads no environment: $AIMC_SIMD set changes nothing */
		setenv("AIMC_SIMD", "sse9", 1);
		c.simd[0] = '\0';
		xb = aimc_xbar_create(&c, seed);
		unsetenv("AIMC_SIMD");
		report(xb != NULL, "simd_env_ignored", "expected the model created with AIMC_SIMD=sse9 in the environment");
		aimc_xbar_destroy(xb);
	}
	return failures ? 1 : 0;
}
