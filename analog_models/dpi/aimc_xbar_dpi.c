/* SPDX-License-Identifier: Apache-2.0 */
/* Verilator DPI-C shim of the crossbar macro (rtl/tile/aimc_xbar_macro.sv imports these as
 * $aimc_xbar_*): converts arguments and calls the one model of aimc_sim_model.h. The C++ harness
 * calls aimc_sim_model_init() before the first eval. Errors are printed here and returned; the
 * macro stops the simulation with $fatal. Verilator compiles this file as C++. */
#include <stdint.h>
#include <stdio.h>

#include "svdpi.h"

#include "aimc_sim_model.h"

#ifdef __cplusplus
extern "C" {
#endif

int aimc_xbar_dpi_bind(int tile, int rows, int cols, int dac_bits, int adc_bits, int cols_per_adc,
		       int adc_kind);
int aimc_xbar_dpi_program_row(int tile, int row, const svBitVecVal *w, int prog_idx);
int aimc_xbar_dpi_apply(int tile, const svBitVecVal *d);
int aimc_xbar_dpi_pulse_row(int tile, int row, const svBitVecVal *w, const svBitVecVal *mask,
			    int pulse_idx);
int aimc_xbar_dpi_verify_row(int tile, int row, const svBitVecVal *w, int tol_code, int verify_idx);
int aimc_xbar_dpi_verify_bits(int tile, int chunk);
int aimc_xbar_dpi_convert(int tile, int col, int conv_idx, int adc_shift);
int aimc_xbar_dpi_sar_sample(int tile, int col, int conv_idx, int adc_shift);
int aimc_xbar_dpi_sar_compare(int tile, int adc, int trial, int bit);

static int report(const char *what, int rc)
{
	if (rc != 0)
		fprintf(stderr, "aimc_xbar_dpi: %s: %s\n", what, aimc_sim_model_error());
	return rc;
}

int aimc_xbar_dpi_bind(int tile, int rows, int cols, int dac_bits, int adc_bits, int cols_per_adc,
		       int adc_kind)
{
	return report("$aimc_xbar_bind",
		      aimc_sim_model_bind((uint32_t)tile, (uint32_t)rows, (uint32_t)cols,
					  (uint32_t)dac_bits, (uint32_t)adc_bits, (uint32_t)cols_per_adc,
					  (uint32_t)adc_kind));
}

int aimc_xbar_dpi_program_row(int tile, int row, const svBitVecVal *w, int prog_idx)
{
	return report("$aimc_xbar_program_row",
		      aimc_sim_model_program_row((uint32_t)tile, (uint32_t)row, (const uint32_t *)w,
						 (uint32_t)prog_idx));
}

int aimc_xbar_dpi_apply(int tile, const svBitVecVal *d)
{
	return report("$aimc_xbar_apply", aimc_sim_model_apply((uint32_t)tile, (const uint32_t *)d));
}

int aimc_xbar_dpi_pulse_row(int tile, int row, const svBitVecVal *w, const svBitVecVal *mask,
			    int pulse_idx)
{
	return report("$aimc_xbar_pulse_row",
		      aimc_sim_model_pulse_row((uint32_t)tile, (uint32_t)row, (const uint32_t *)w,
					       (const uint32_t *)mask, (uint32_t)pulse_idx));
}

int aimc_xbar_dpi_verify_row(int tile, int row, const svBitVecVal *w, int tol_code, int verify_idx)
{
	int n = aimc_sim_model_verify_row((uint32_t)tile, (uint32_t)row, (const uint32_t *)w,
					  (uint32_t)tol_code, (uint32_t)verify_idx);

	if (n < 0)
		report("$aimc_xbar_verify_row", -1);
	return n;
}

int aimc_xbar_dpi_verify_bits(int tile, int chunk)
{
	int32_t v = aimc_sim_model_verify_bits((uint32_t)tile, (uint32_t)chunk);

	if (v < 0)
		report("$aimc_xbar_verify_bits", -1);
	return v;
}

int aimc_xbar_dpi_convert(int tile, int col, int conv_idx, int adc_shift)
{
	int32_t code = aimc_sim_model_convert((uint32_t)tile, (uint32_t)col, (uint32_t)conv_idx,
					      (uint32_t)adc_shift);

	if (code == AIMC_SIM_CODE_ERROR)
		report("$aimc_xbar_convert", -1);
	return code;
}

int aimc_xbar_dpi_sar_sample(int tile, int col, int conv_idx, int adc_shift)
{
	return report("$aimc_xbar_sar_sample",
		      aimc_sim_model_sar_sample((uint32_t)tile, (uint32_t)col, (uint32_t)conv_idx,
						(uint32_t)adc_shift));
}

int aimc_xbar_dpi_sar_compare(int tile, int adc, int trial, int bit)
{
	int rc = aimc_sim_model_sar_compare((uint32_t)tile, (uint32_t)adc, (int32_t)trial, (uint32_t)bit);

	if (rc < 0)
		report("$aimc_xbar_sar_compare", -1);
	return rc;
}

#ifdef __cplusplus
}
#endif
