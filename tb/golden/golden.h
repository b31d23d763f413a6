/* SPDX-License-Identifier: Apache-2.0 */
/* Golden checks, written independently of the code under test: exact int32 layer results from
 * OpenBLAS dgemm, the post-processing formula of docs/numbers.md, the chip's expected event counts
 * for an ideal config, and a float forward pass (sgemm) for statistical checks. */
#ifndef AIMC_GOLDEN_H
#define AIMC_GOLDEN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* acc[b*n + o] = sat32(sum_i w[o*k + i] * x[b*k + i] + bias[o]) for b < batch, o < n, with the sum
 * from cblas_dgemm on the integer values (exact: |sum| <= 65535 * 127 * 127 < 2^53). *n_sat (if not
 * NULL) counts the results that saturated. Returns 0, or -1 on a bad argument or out of memory. */
int aimc_golden_fc_acc(const int8_t *w, const int32_t *bias, uint32_t n, uint32_t k,
		       const int8_t *x, uint32_t batch, int32_t *acc, uint32_t *n_sat);

/* The same layer as the chip converts it (docs/numbers.md), for a noise-free config at any adc_shift:
 * K split into blocks of rows_blk inputs, each block x slice (dac_bits bits of |x|) x sign phase one
 * conversion per column, code = clamp(round_half_away(s / 2^adc_shift), ADC range), accumulated as
 * +-code 2^(slice dac_bits + adc_shift); then acc = sat32(sum + bias[o]). With adc_shift 0 and no
 * clipped code it equals aimc_golden_fc_acc. adc_shift <= 30, dac_bits 1..8, adc_bits 2..32. */
int aimc_golden_fc_acc_conv(const int8_t *w, const int32_t *bias, uint32_t n, uint32_t k,
			    const int8_t *x, uint32_t batch, uint32_t rows_blk, uint32_t dac_bits,
			    uint32_t adc_bits, uint32_t adc_shift, int32_t *acc, uint32_t *n_sat);
/* aimc_golden_fc_acc_conv with bit-sliced weights (docs/numbers.md "Bit-sliced weights"): every
 * weight slice s (sign(w)·((|w| >> s·slice_bits) & (2^slice_bits - 1))) is a conversion of its own,
 * accumulated with the extra shift s·slice_bits. weight_slices 1 is aimc_golden_fc_acc_conv. */
int aimc_golden_fc_acc_conv_ws(const int8_t *w, const int32_t *bias, uint32_t n, uint32_t k,
			       const int8_t *x, uint32_t batch, uint32_t rows_blk, uint32_t dac_bits,
			       uint32_t adc_bits, uint32_t adc_shift, uint32_t weight_slices,
			       uint32_t slice_bits, int32_t *acc, uint32_t *n_sat);

/* Post-processing of one column (docs/numbers.md) given t = sat32(acc + b):
 * clamp(relu?((t * mult + 2^(shift-1)) >> shift), -127, 127). shift must be in [1, 62]. */
int8_t aimc_golden_post(int32_t t, int32_t mult, uint32_t shift, int relu);

/* Number of applied input phases (array reads) of one MVM over the `rows` inputs x[0..rows):
 * slices of dac_bits bits, positive then negative rows, a phase with no active row skipped. */
uint32_t aimc_golden_mvm_phases(const int8_t *x, uint32_t rows, uint32_t dac_bits);

/* Float layer: y[b*n + o] = relu?(sum_i w[o*k + i] * x[b*k + i] + bias[o]) with cblas_sgemm.
 * bias may be NULL. Returns 0, or -1 on a bad argument. */
int aimc_golden_fc_f32(const float *w, const float *bias, uint32_t n, uint32_t k, const float *x,
		       uint32_t batch, int relu, float *y);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_GOLDEN_H */
