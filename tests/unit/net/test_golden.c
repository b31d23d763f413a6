/* SPDX-License-Identifier: Apache-2.0 */
/* Golden checks (tb/golden) against values worked out by hand from docs/numbers.md: the post
 * formula's rounding, ReLU, saturation and shift extremes; exact integer sums with bias
 * saturation; applied-phase counts; and the float layer. */
#include <stdint.h>
#include <stdio.h>

#include "golden.h"

static int failures;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld, got %lld (seed none)\n", name, exp, got);
		failures++;
	}
}

static void test_post(void)
{
	/* rshift_round(300, 4) = (300 + 8) >> 4 = 19 (18.75 rounds up). */
	check("post 100*3 >> 4", 19, aimc_golden_post(100, 3, 4, 0));
	/* (-300 + 8) >> 4 = floor(-18.25) = -19 (-18.75 rounds to -19). */
	check("post -100*3 >> 4", -19, aimc_golden_post(-100, 3, 4, 0));
	/* Halves round up: 0.5 -> 1, -0.5 -> 0, -1.5 -> -1. */
	check("post 8 >> 4 (0.5)", 1, aimc_golden_post(8, 1, 4, 0));
	check("post -8 >> 4 (-0.5)", 0, aimc_golden_post(-8, 1, 4, 0));
	check("post -24 >> 4 (-1.5)", -1, aimc_golden_post(-24, 1, 4, 0));
	check("post S=1: 5 >> 1 (2.5)", 3, aimc_golden_post(5, 1, 1, 0));
	check("post S=1: -5 >> 1 (-2.5)", -2, aimc_golden_post(-5, 1, 1, 0));
	check("post relu of negative", 0, aimc_golden_post(-100, 3, 4, 1));
	check("post relu of positive", 19, aimc_golden_post(100, 3, 4, 1));
	check("post sat8 high", 127, aimc_golden_post(100000, 1, 1, 0));
	check("post sat8 low is -127, never -128", -127, aimc_golden_post(-100000, 1, 1, 0));
	check("post negative M", -19, aimc_golden_post(100, -3, 4, 0));
	check("post M = 0", 0, aimc_golden_post(-2147483647 - 1, 0, 1, 0));
	/* S = 62, t = 2^31 - 1, M = -2^31: p = -2^62 + 2^31; (p + 2^61) / 2^62 = -0.4999... -> -1. */
	check("post S=62, extreme product", -1,
	      aimc_golden_post(2147483647, -2147483647 - 1, 62, 0));
	/* t = M = -2^31: p = 2^62; (2^62 + 2^61) >> 62 = 1. */
	check("post S=62, largest product", 1,
	      aimc_golden_post(-2147483647 - 1, -2147483647 - 1, 62, 0));
	check("post S=62, small product rounds to 0", 0, aimc_golden_post(12345, 67890, 62, 0));
}

static void test_fc_acc(void)
{
	/* W (2 x 3) and two vectors; bias 2 saturates vector 0 high and vector 1 low. */
	const int8_t w[6] = { 127, -127, 3, 0, 1, -2 };
	const int8_t x[6] = { 127, -127, 1, -5, 0, 127 };
	const int32_t bias[2] = { 10, 0 };
	int32_t acc[4] = { 0, 0, 0, 0 };
	const int32_t bias_sat[2] = { 2147483647 - 100, -2147483647 - 1 };
	uint32_t sats = 99;

	check("fc_acc returns 0", 0, aimc_golden_fc_acc(w, bias, 2, 3, x, 2, acc, &sats));
	/* v0: 127*127 + 127*127 + 3 + 10 = 32271; 0 - 127 - 2 + 0 = -129.
	 * v1: -635 + 0 + 381 + 10 = -244; 0 + 0 - 254 + 0 = -254. */
	check("fc_acc v0 o0", 32271, acc[0]);
	check("fc_acc v0 o1", -129, acc[1]);
	check("fc_acc v1 o0", -244, acc[2]);
	check("fc_acc v1 o1", -254, acc[3]);
	check("fc_acc no saturation", 0, sats);
	check("fc_acc with saturating bias", 0, aimc_golden_fc_acc(w, bias_sat, 2, 3, x, 2, acc, &sats));
	check("fc_acc saturates high", 2147483647, acc[0]);
	check("fc_acc saturates low", -2147483647 - 1, acc[1]);
	check("fc_acc below the limit", 2147483647 - 100 - 254, acc[2]);
	check("fc_acc saturation count", 3, sats);
	check("fc_acc rejects K = 0", -1, aimc_golden_fc_acc(w, bias, 2, 0, x, 2, acc, NULL));
	check("fc_acc rejects NULL", -1, aimc_golden_fc_acc(NULL, bias, 2, 3, x, 2, acc, NULL));
}

static void test_phases(void)
{
	const int8_t a[4] = { 3, -1, 0, 0 };
	const int8_t z[4] = { 0, 0, 0, 0 };
	const int8_t m[2] = { -127, 0 };
	const int8_t p[2] = { 64, 0 };

	/* dac_bits 1, 7 slices: slice 0 pos (3) and neg (1); slice 1 pos (3 >> 1); none later. */
	check("phases {3,-1} dac 1", 3, aimc_golden_mvm_phases(a, 4, 1));
	/* dac_bits 2, 4 slices: slice 0 pos (3) and neg (1) only. */
	check("phases {3,-1} dac 2", 2, aimc_golden_mvm_phases(a, 4, 2));
	check("phases all zero", 0, aimc_golden_mvm_phases(z, 4, 2));
	/* -127 = 0b1111111: dac 2 has 4 slices (11, 11, 11, 01), all negative. */
	check("phases -127 dac 2", 4, aimc_golden_mvm_phases(m, 2, 2));
	check("phases -127 dac 7", 1, aimc_golden_mvm_phases(m, 2, 7));
	/* 64 = 0b1000000: dac 3 slices 000, 000, 1 -> one phase. */
	check("phases 64 dac 3", 1, aimc_golden_mvm_phases(p, 2, 3));
}

static void test_f32(void)
{
	const float w[4] = { 0.5f, -1.0f, 2.0f, 0.25f };
	const float x[2] = { 2.0f, 4.0f };
	const float b[2] = { 1.0f, -10.0f };
	float y[2] = { 0, 0 };

	check("fc_f32 returns 0", 0, aimc_golden_fc_f32(w, b, 2, 2, x, 1, 0, y));
	/* 0.5*2 - 1*4 + 1 = -2; 2*2 + 0.25*4 - 10 = -5. */
	check("fc_f32 o0 = -2", -2000, (long long)(y[0] * 1000.0f));
	check("fc_f32 o1 = -5", -5000, (long long)(y[1] * 1000.0f));
	check("fc_f32 relu", 0, (aimc_golden_fc_f32(w, b, 2, 2, x, 1, 1, y), (long long)(y[0] + y[1])));
}

int main(void)
{
	test_post();
	test_fc_acc();
	test_phases();
	test_f32();
	return failures ? 1 : 0;
}
