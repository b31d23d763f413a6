/* SPDX-License-Identifier: Apache-2.0 */
/* The one crossbar model instance of a simulation, shared by the DPI-C shim (Verilator) and the
 * VPI shim (Icarus). The shims only convert simulator arguments to the plain types below; tile-wide
 * data arrives as the 32-bit words of an SV packed vector (word 0 = bits [31:0]).
 * Pure C, no simulator headers. Not thread-safe: simulators call it from one thread. */
#ifndef AIMC_SIM_MODEL_H
#define AIMC_SIM_MODEL_H

#include <stdint.h>

#include "aimc_analog.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned by aimc_sim_model_convert on any error: outside every ADC code range. */
#define AIMC_SIM_CODE_ERROR INT32_MIN

/* Load the config (a path or a bare name, as aimc_cfg_load) and create the model with `seed`.
 * Calling it again replaces the previous model. Returns AIMC_OK, or an aimc_err (that of
 * aimc_cfg_load_in or aimc_xbar_create_ex; AIMC_ERANGE for a time out of range) with
 * aimc_sim_model_error() saying why (no model exists after a failure). */
AIMC_API int aimc_sim_model_init(const char *cfg_path, uint64_t seed);

/* Time since programming (config key drift_time, seconds) that the next aimc_sim_model_init sets
 * in the loaded config instead of the file's; t < 0 (the start value) keeps the file's. What the
 * harness calls when the process's config carries `aimc --time` (issue 18). */
AIMC_API void aimc_sim_model_set_time(double t);

/* The folder where the next aimc_sim_model_init looks up a bare config name after the current
 * directory (aimc_cfg_load_in's root; NULL or "": none). The library reads no environment: the
 * shims pass $AIMC_ROOT. */
AIMC_API void aimc_sim_model_set_root(const char *root);

/* The vector kernels of the next aimc_sim_model_init's model (config option simd; NULL or "":
 * auto). The Icarus shim passes $AIMC_SIMD, the Verilator harness the CLI's config. */
AIMC_API void aimc_sim_model_set_simd(const char *simd);

/* The model, or NULL before a successful init. */
AIMC_API aimc_xbar *aimc_sim_model(void);

/* Destroy the model (safe to call without a model). */
AIMC_API void aimc_sim_model_shutdown(void);

/* Text of the last error of any aimc_sim_model_* call ("" if none yet). */
AIMC_API const char *aimc_sim_model_error(void);

/* Check that the RTL instance of tile `tile` was built with the model's geometry and ADC kind
 * (adc_kind: 0 model, 1 sar). Returns AIMC_OK, or AIMC_EINVAL (no model, tile >= num_tiles, or a mismatch named in
 * aimc_sim_model_error()). */
AIMC_API int aimc_sim_model_bind(uint32_t tile, uint32_t rows, uint32_t cols, uint32_t dac_bits,
				 uint32_t adc_bits, uint32_t cols_per_adc, uint32_t adc_kind);

/* Program row `row` of `tile` from cols int8 bytes (byte c at bits [8c+7:8c] of w_words).
 * Returns AIMC_OK, or AIMC_EINVAL (no model, bad tile/row). */
AIMC_API int aimc_sim_model_program_row(uint32_t tile, uint32_t row, const uint32_t *w_words,
					uint32_t prog_idx);

/* Program-and-verify (aimc_analog.h). The weights arrive as in program_row; the pulse mask as
 * 2·cols bits (cell k at bit k of mask_words, 1 = pulse). Return AIMC_OK, or AIMC_EINVAL (no model, bad tile/row). */
AIMC_API int aimc_sim_model_pulse_row(uint32_t tile, uint32_t row, const uint32_t *w_words,
				      const uint32_t *mask_words, uint32_t pulse_idx);

/* One verify read; its result (cell k at bit k, 1 = within tolerance) is latched per tile, like the
 * macro's verify sense latches, and read with verify_word. Returns the number of cells within
 * tolerance, or AIMC_EINVAL (no model, bad tile/row, tol_code > 0xffff). */
AIMC_API int aimc_sim_model_verify_row(uint32_t tile, uint32_t row, const uint32_t *w_words, uint32_t tol_code,
				       uint32_t verify_idx);

/* Bits [16·chunk+15 : 16·chunk] of the last verify result of `tile` (0 before any verify): a
 * value in 0..65535 (so that it fits a simulator int with room for the error), or AIMC_EINVAL (no model,
 * bad tile, chunk >= ceil(2·cols / 16)). */
AIMC_API int32_t aimc_sim_model_verify_bits(uint32_t tile, uint32_t chunk);

/* Apply rows DAC codes of dac_bits each (row r at bits [r*dac_bits +: dac_bits] of d_words).
 * Returns AIMC_OK, or AIMC_EINVAL (no model, bad tile). */
AIMC_API int aimc_sim_model_apply(uint32_t tile, const uint32_t *d_words);

/* ADC code of column `col`, or AIMC_SIM_CODE_ERROR (no model, bad tile/col, adc_shift > 15). */
AIMC_API int32_t aimc_sim_model_convert(uint32_t tile, uint32_t col, uint32_t conv_idx, uint32_t adc_shift);

/* SAR ADC (adc_kind sar; aimc_analog.h): the sample-and-hold of column col's ADC (col / cols_per_adc)
 * takes aimc_xbar_sar_input for read conv_idx. Returns AIMC_OK, or AIMC_EINVAL (no model, no SAR config, bad
 * tile/col, adc_shift > 15). */
AIMC_API int aimc_sim_model_sar_sample(uint32_t tile, uint32_t col, uint32_t conv_idx, uint32_t adc_shift);

/* One comparator decision of ADC `adc` of `tile` on its held sample against trial code `trial`
 * (in the ADC's code range) for bit `bit` (< adc_bits): 1 or 0, or AIMC_EINVAL (no model, bad argument, or
 * no sample held yet). */
AIMC_API int aimc_sim_model_sar_compare(uint32_t tile, uint32_t adc, int32_t trial, uint32_t bit);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_SIM_MODEL_H */
