/* SPDX-License-Identifier: Apache-2.0 */
/* Golden checks (golden.h): OpenBLAS for the sums, the post formula spelled out from
 * docs/numbers.md. Shares no code with the reference model or the RTL. */
#include <cblas.h>
#include <stdlib.h>

#include "golden.h"

#define GOLDEN_MAX_K 65535u

static int32_t sat32_i64(int64_t v, uint32_t *n_sat)
{
	if (v > INT32_MAX) {
		(*n_sat)++;
		return INT32_MAX;
	}
	if (v < INT32_MIN) {
		(*n_sat)++;
		return INT32_MIN;
	}
	return (int32_t)v;
}

int aimc_golden_fc_acc(const int8_t *w, const int32_t *bias, uint32_t n, uint32_t k,
		       const int8_t *x, uint32_t batch, int32_t *acc, uint32_t *n_sat)
{
	double *wd = NULL, *xd = NULL, *yd = NULL;
	uint64_t i;
	uint32_t b, o, sats = 0;
	int rc = -1;

	if (w == NULL || bias == NULL || x == NULL || acc == NULL || n == 0 || k == 0 ||
	    k > GOLDEN_MAX_K || batch == 0)
		return -1;
	wd = malloc((size_t)n * k * sizeof(*wd));
	xd = malloc((size_t)batch * k * sizeof(*xd));
	yd = malloc((size_t)batch * n * sizeof(*yd));
	if (wd == NULL || xd == NULL || yd == NULL)
		goto out;
	for (i = 0; i < (uint64_t)n * k; i++)
		wd[i] = (double)w[i];
	for (i = 0; i < (uint64_t)batch * k; i++)
		xd[i] = (double)x[i];
	/* Y (batch x n) = X (batch x k) * W^T (k x n), row-major. */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, (int)n, (int)k, 1.0, xd,
		    (int)k, wd, (int)k, 0.0, yd, (int)n);
	for (b = 0; b < batch; b++)
		for (o = 0; o < n; o++) {
			/* Integer-valued and below 2^31 in magnitude: the conversion is exact. */
			int64_t s = (int64_t)yd[(size_t)b * n + o];

			acc[(size_t)b * n + o] = sat32_i64(s + bias[o], &sats);
		}
	if (n_sat != NULL)
		*n_sat = sats;
	rc = 0;
out:
	free(wd);
	free(xd);
	free(yd);
	return rc;
}

int aimc_golden_fc_acc_conv(const int8_t *w, const int32_t *bias, uint32_t n, uint32_t k,
			    const int8_t *x, uint32_t batch, uint32_t rows_blk, uint32_t dac_bits,
			    uint32_t adc_bits, uint32_t adc_shift, int32_t *acc, uint32_t *n_sat)
{
	return aimc_golden_fc_acc_conv_ws(w, bias, n, k, x, batch, rows_blk, dac_bits, adc_bits,
					  adc_shift, 1, 7, acc, n_sat);
}

int aimc_golden_fc_acc_conv_ws(const int8_t *w, const int32_t *bias, uint32_t n, uint32_t k,
			       const int8_t *x, uint32_t batch, uint32_t rows_blk, uint32_t dac_bits,
			       uint32_t adc_bits, uint32_t adc_shift, uint32_t weight_slices,
			       uint32_t slice_bits, int32_t *acc, uint32_t *n_sat)
{
	const uint32_t slices = dac_bits == 0 ? 0 : (8u + dac_bits - 1u) / dac_bits /* 8 magnitude bits: -128 */;
	const uint32_t mask = dac_bits > 8 ? 0 : (1u << dac_bits) - 1u;
	const int64_t hi = adc_bits < 2 || adc_bits > 32 ? 0 : ((int64_t)1 << (adc_bits - 1)) - 1, lo = -hi - 1;
	const int64_t d = (int64_t)1 << (adc_shift > 30 ? 30 : adc_shift);
	double *wd = NULL, *xd = NULL, *yd = NULL;
	int64_t *sum = NULL;
	uint64_t i;
	uint32_t b, o, s, r0, ws, sats = 0;
	int ph, rc = -1;

	if (w == NULL || bias == NULL || x == NULL || acc == NULL || n == 0 || k == 0 ||
	    k > GOLDEN_MAX_K || batch == 0 || rows_blk == 0 || dac_bits < 1 || dac_bits > 8 || hi == 0 ||
	    adc_shift > 30 || weight_slices < 1 || weight_slices > 7 || slice_bits < 1 || slice_bits > 7 ||
	    (weight_slices == 1 && slice_bits != 7))
		return -1;
	wd = malloc((size_t)n * k * sizeof(*wd));
	xd = malloc((size_t)batch * k * sizeof(*xd));
	yd = malloc((size_t)batch * n * sizeof(*yd));
	sum = calloc((size_t)batch * n, sizeof(*sum));
	if (wd == NULL || xd == NULL || yd == NULL || sum == NULL)
		goto out;
	for (ws = 0; ws < weight_slices; ws++) {
	const uint32_t wsh = ws * slice_bits; /* slice weight of the weight slice */

	for (i = 0; i < (uint64_t)n * k; i++) {
		int v = w[i], m = v < 0 ? -v : v;

		m = m > 127 ? 127 : m;
		wd[i] = weight_slices == 1 ? (double)v
					   : (double)((v < 0 ? -1 : 1) * ((m >> wsh) & ((1 << slice_bits) - 1)));
	}
	for (s = 0; s < slices; s++)
		for (ph = 0; ph < 2; ph++) {
			/* the DAC codes of this slice and sign phase: |x| bits s*dac_bits.., rows of the sign */
			for (i = 0; i < (uint64_t)batch * k; i++) {
				int v = x[i];
				uint32_t mag = (uint32_t)(v < 0 ? -v : v);

				xd[i] = (ph == 0 ? v > 0 : v < 0) ? (double)((mag >> (s * dac_bits)) & mask) : 0.0;
			}
			for (r0 = 0; r0 < k; r0 += rows_blk) {
				uint32_t kb = k - r0 < rows_blk ? k - r0 : rows_blk;

				/* one conversion per column of each row block: exact integer sums */
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, (int)n, (int)kb,
					    1.0, xd + r0, (int)k, wd + r0, (int)k, 0.0, yd, (int)n);
				for (i = 0; i < (uint64_t)batch * n; i++) {
					int64_t y = (int64_t)yd[i], m = y < 0 ? -y : y, q;

					/* round_half_away(y / 2^adc_shift), then the ADC range */
					q = (m + d / 2) / d;
					q = y < 0 ? -q : q;
					q = q > hi ? hi : q < lo ? lo : q;
					sum[i] += (ph == 0 ? q : -q) *
						  ((int64_t)1 << (s * dac_bits + adc_shift + wsh));
				}
			}
		}
	}
	for (b = 0; b < batch; b++)
		for (o = 0; o < n; o++)
			acc[(size_t)b * n + o] = sat32_i64(sum[(size_t)b * n + o] + bias[o], &sats);
	if (n_sat != NULL)
		*n_sat = sats;
	rc = 0;
out:
	free(wd);
	free(xd);
	free(yd);
	free(sum);
	return rc;
}

int8_t aimc_golden_post(int32_t t, int32_t mult, uint32_t shift, int relu)
{
	int64_t p, v, d, q;

	if (shift < 1 || shift > 62)
		return 0;
	p = (int64_t)t * (int64_t)mult; /* |p| <= 2^62: exact */
	/* rshift_round(p, S) = floor((p + 2^(S-1)) / 2^S), written as a floor division rather than
	 * a shift so it does not rely on how the compiler shifts negative numbers. */
	d = (int64_t)1 << shift;
	v = p + d / 2;
	q = v / d;
	if (v % d != 0 && v < 0)
		q -= 1;
	if (relu && q < 0)
		q = 0;
	if (q > 127)
		q = 127;
	if (q < -127)
		q = -127;
	return (int8_t)q;
}

uint32_t aimc_golden_mvm_phases(const int8_t *x, uint32_t rows, uint32_t dac_bits)
{
	uint32_t slices, s, r, phases = 0, mask;
	int ph;

	if (x == NULL || dac_bits < 1 || dac_bits > 8)
		return 0;
	slices = (8u + dac_bits - 1u) / dac_bits /* 8 magnitude bits: -128 */;
	mask = (1u << dac_bits) - 1u;
	for (s = 0; s < slices; s++)
		for (ph = 0; ph < 2; ph++)
			for (r = 0; r < rows; r++) {
				int v = x[r];
				int active = ph == 0 ? v > 0 : v < 0;
				uint32_t mag = (uint32_t)(v < 0 ? -v : v);

				if (active && ((mag >> (s * dac_bits)) & mask) != 0) {
					phases++;
					break;
				}
			}
	return phases;
}

int aimc_golden_fc_f32(const float *w, const float *bias, uint32_t n, uint32_t k, const float *x,
		       uint32_t batch, int relu, float *y)
{
	uint32_t b, o;

	if (w == NULL || x == NULL || y == NULL || n == 0 || k == 0 || batch == 0)
		return -1;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, (int)n, (int)k, 1.0f, x,
		    (int)k, w, (int)k, 0.0f, y, (int)n);
	for (b = 0; b < batch; b++)
		for (o = 0; o < n; o++) {
			float *v = &y[(size_t)b * n + o];

			if (bias != NULL)
				*v += bias[o];
			if (relu && *v < 0.0f)
				*v = 0.0f;
		}
	return 0;
}
