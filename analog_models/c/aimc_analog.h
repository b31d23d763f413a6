/* SPDX-License-Identifier: Apache-2.0 */
/* Behavioural model of the analog crossbar tiles, in physical units (docs/analog-model.md).
 * Pure C, no simulator headers: used by the DPI-C shim (Verilator), the VPI shim (Icarus), the C
 * reference model and the benchmarks. Every random draw is keyed, never sequential
 * (aimc_rng.h), so results do not depend on call order. */
#ifndef AIMC_ANALOG_H
#define AIMC_ANALOG_H

#include <stdint.h>

#include "aimc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_xbar aimc_xbar;

/* Create the crossbars of all cfg->num_tiles tiles, every cell at Gmin and every row at 0 V, with
 * the vector kernels cfg->simd names (aimc_config.h). Returns AIMC_OK and the model in *out, or
 * (*out NULL, a message in err) AIMC_EINVAL (NULL arguments, an unknown cfg->simd),
 * AIMC_ECONFIG (an invalid config), AIMC_EUNSUPPORTED (cfg->simd names an instruction set this
 * CPU or build lacks) or AIMC_ENOMEM. */
AIMC_API int aimc_xbar_create_ex(aimc_xbar **out, const aimc_cfg *cfg, uint64_t seed, char *err,
				 size_t errlen);
/* aimc_xbar_create_ex without the code: the model, or NULL on any of its errors. */
AIMC_API aimc_xbar *aimc_xbar_create(const aimc_cfg *cfg, uint64_t seed);
AIMC_API void aimc_xbar_destroy(aimc_xbar *xb);

/* Program row `row` of `tile`: w[c] for c in [0, cols) in [-127, 127] (-128 is taken as -127).
 * Cell 2c gets level max(w,0), cell 2c+1 level max(-w,0), with the programming error drawn with
 * key (seed, tile, row, cell, AIMC_EV_PROG, prog_idx). Returns AIMC_OK, or AIMC_EINVAL on a bad tile/row. */
AIMC_API int aimc_xbar_program_row(aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
				   uint32_t prog_idx);

/* Program-and-verify, one row-parallel step per call (docs/analog-model.md "Program-and-verify").
 * The target of cell 2c is level max(w[c],0), of cell 2c+1 level max(-w[c],0) (-128 as -127).
 *
 * aimc_xbar_pulse_row: one program pulse on every cell k of the row with mask[k] != 0
 * (k in [0, 2·cols)): G += pv_step·(G* - G) + sigma_pulse(G*)·N, clamped to [0, 1.2 gmax], N keyed
 * by (seed, tile, row, k, AIMC_EV_PULSE, pulse_idx). Returns AIMC_OK, or AIMC_EINVAL on a bad argument. */
AIMC_API int aimc_xbar_pulse_row(aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
				 const uint8_t *mask, uint32_t pulse_idx);

/* aimc_xbar_verify_row: one verify read of every cell of the row: ok[k] = 1 if
 * |G + s(G)·N - G*| <= tol_code·2^-16·(gmax - gmin), else 0, N keyed by
 * (seed, tile, row, k, AIMC_EV_VERIFY, verify_idx) (no draw without read noise). Returns the number
 * of cells within tolerance, or AIMC_EINVAL on a bad argument. */
AIMC_API int aimc_xbar_verify_row(const aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
				  uint32_t tol_code, uint32_t verify_idx, uint8_t *ok);

/* Apply DAC codes d[r] (0 .. 2^dac_bits-1) to all rows of `tile`: V[r] = vread·d[r]/mask.
 * Returns AIMC_OK, or AIMC_EINVAL on a bad tile or a code out of range. */
AIMC_API int aimc_xbar_apply(aimc_xbar *xb, uint32_t tile, const uint8_t *d);

/* Differential column current I+ - I- of logical column `col` (amperes) for the applied row
 * voltages, including read noise keyed by (seed, tile, 0, col, AIMC_EV_READ, conv_idx). */
AIMC_API double aimc_xbar_current(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx);

/* ADC code of column `col` (docs/numbers.md): clamp(round_half_away(I / I_lsb)) with
 * I_lsb = vread·dG/mask·2^adc_shift. Returns the code; out-of-range tile/col returns 0. */
AIMC_API int32_t aimc_xbar_convert(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
				   uint32_t adc_shift);

/* SAR ADC (cfg adc_kind sar; docs/analog-model.md "SAR ADC"). The RTL's SAR register decides the
 * bits; the model is its comparator and capacitive DAC.
 * aimc_xbar_sar_input: the value the sample-and-hold of column `col`'s ADC takes for read conv_idx,
 * in LSB of the ideal ADC: the column current over I_lsb with the ADC's gain, offset (the
 * comparator offset of that ADC) and INL bow, before the comparator noise. NAN on a bad argument.
 * aimc_xbar_sar_compare: one comparator decision of that ADC against the CDAC's trial code
 * `trial` (a code in the ADC range) for bit `bit`: 1 if x + adc_noise·N >= trial - 1/2 (a tie decided
 * away from zero), N keyed by (seed, tile, row = bit, col, AIMC_EV_SAR_CMP, conv_idx) (col names
 * the ADC and its mux position); 0 otherwise; AIMC_EINVAL on a bad argument.
 * aimc_xbar_sar_code: the code of the SAR search, MSB first, with these decisions (what
 * aimc_xbar_convert returns with adc_kind sar). */
AIMC_API double aimc_xbar_sar_input(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
				    uint32_t adc_shift);
AIMC_API int aimc_xbar_sar_compare(const aimc_xbar *xb, uint32_t tile, uint32_t col, double x, int32_t trial,
				   uint32_t bit, uint32_t conv_idx);
AIMC_API int32_t aimc_xbar_sar_code(const aimc_xbar *xb, uint32_t tile, uint32_t col, double x, uint32_t conv_idx);

/* ADC codes of all columns of `tile` for one array read (one conv_idx): codes[c] is bit for bit
 * aimc_xbar_convert(xb, tile, c, conv_idx, adc_shift), computed for all columns at once (the fast
 * path of the C reference model; every effect off: from exact integer sums, decision 0008). Uses
 * scratch memory inside xb: one caller at a time.
 * Returns AIMC_OK, or AIMC_EINVAL on a bad argument. */
AIMC_API int aimc_xbar_convert_all(aimc_xbar *xb, uint32_t tile, uint32_t conv_idx, uint32_t adc_shift,
				   int32_t *codes);

/* Several array reads of `tile` in one call (decision 0008): for k < nk, codes + k cols is bit for
 * bit what aimc_xbar_apply(xb, tile, d + k rows) followed by aimc_xbar_convert_all(xb, tile,
 * conv_idx[k], adc_shift, codes + k cols) writes, and afterwards the tile holds the voltages of the
 * last read. The reads may be the slices and phases of one MVM or of many input vectors; conv_idx
 * is each read's event index (the caller's conversion counter). With read noise on, or every effect
 * off, the reads share one pass over the tile's arrays and run on aimc_xbar_set_threads workers
 * (column ranges); the codes do not depend on the worker count. Every code is checked first: a
 * code above the DAC's mask returns AIMC_EINVAL and changes nothing. Returns AIMC_OK, AIMC_EINVAL
 * on a bad argument, or AIMC_ENOMEM. One caller at a time per aimc_xbar. */
AIMC_API int aimc_xbar_convert_batch(aimc_xbar *xb, uint32_t tile, const uint8_t *d, uint32_t nk, const uint32_t *conv_idx,
				     uint32_t adc_shift, int32_t *codes);

/* Workers (threads, the caller's included) of aimc_xbar_convert_batch: 1 (the default) to
 * AIMC_XBAR_MAX_THREADS. Returns AIMC_OK, or AIMC_EINVAL for another count. */
#define AIMC_XBAR_MAX_THREADS 64
AIMC_API int aimc_xbar_set_threads(aimc_xbar *xb, uint32_t n);

/* Programmed conductance of one cell (cell = 2c or 2c+1), siemens, as a verify read sees it
 * (stuck cells at their rail); for tests and plots. NAN on a bad argument. */
AIMC_API double aimc_xbar_conductance(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell);

/* Conductance of one cell in a read: the programmed one with drift (drift_time) and the
 * temperature coefficient applied, siemens. NAN on a bad argument. */
AIMC_API double aimc_xbar_read_conductance(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell);

AIMC_API const aimc_cfg *aimc_xbar_cfg(const aimc_xbar *xb);

/* Whether cfg simd = `simd` would be accepted on this CPU and build (what the tools check when
 * they read $AIMC_SIMD): AIMC_OK, or as aimc_xbar_create_ex with a message in err. */
AIMC_API int aimc_xbar_simd_check(const char *simd, char *err, size_t errlen);

/* Diagnostics of the model since it was created (the library prints nothing): the IR-drop solves
 * that stopped at AIMC_IR_MAX_ITER sweeps without converging (each keeps its last iterate, the
 * same bits on every run). Returns their number, 0 if none (or xb NULL); if buf is not NULL,
 * writes a message on the first of them there ("" if none). */
AIMC_API uint32_t aimc_xbar_diag(const aimc_xbar *xb, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_ANALOG_H */
