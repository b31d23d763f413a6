/* SPDX-License-Identifier: Apache-2.0 */
/* Charge-domain crossbar (xbar_kind = charge, docs/analog-model.md "Charge-domain crossbar"): each
 * weight level is a binary-weighted capacitor array, the inputs charge the selected capacitors and
 * each column line sums the charge by charge sharing. Pure C, no simulator headers. It sits behind
 * the entry points of aimc_analog.h (aimc_xbar_create delegates to it for this kind), so the
 * DPI-C and VPI shims, the C reference model and the driver reach it unchanged. Every random draw
 * is keyed (aimc_rng.h): the same config and seed give the same bits in every caller. */
#ifndef AIMC_CHARGE_H
#define AIMC_CHARGE_H

#include <stdint.h>

#include "aimc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Boltzmann constant, J/K (exact in the SI since 2019). */
#define AIMC_K_BOLTZMANN 1.380649e-23
/* Capacitor bits of one cell: levels 0..127 select sums of the caps 2^b C_u, b < AIMC_CHG_BITS. */
#define AIMC_CHG_BITS 7

typedef struct aimc_chg aimc_chg;

/* Create the charge-domain arrays of all cfg->num_tiles tiles (every weight 0, every row at 0 V).
 * Returns NULL on allocation failure, an invalid config or a config of another xbar_kind. */
aimc_chg *aimc_chg_create(const aimc_cfg *cfg, uint64_t seed);
void aimc_chg_destroy(aimc_chg *ch);

/* Set the weights of row `row`: cell 2c selects the capacitor bits of level max(w[c],0), cell
 * 2c+1 those of max(-w[c],0) (-128 as -127). The weight is stored digitally, so prog_idx draws
 * nothing (accepted for the interface). Returns AIMC_OK, or AIMC_EINVAL on a bad argument. */
int aimc_chg_program_row(aimc_chg *ch, uint32_t tile, uint32_t row, const int8_t *w, uint32_t prog_idx);

/* Program-and-verify on a digital weight store: a pulse sets every masked cell to its target
 * level exactly; a verify read finds every cell on its target. Return 0 / the number of cells,
 * or AIMC_EINVAL on a bad argument. */
int aimc_chg_pulse_row(aimc_chg *ch, uint32_t tile, uint32_t row, const int8_t *w, const uint8_t *mask);
int aimc_chg_verify_row(const aimc_chg *ch, uint32_t tile, uint32_t row, const int8_t *w, uint8_t *ok);

/* Apply DAC codes d[r] (0 .. 2^dac_bits-1): row r charges its selected capacitors to
 * V_r = vread d[r] / mask. Returns AIMC_OK, or AIMC_EINVAL on a bad tile or a code out of range. */
int aimc_chg_apply(aimc_chg *ch, uint32_t tile, const uint8_t *d);

/* Differential column voltage V+ - V- (volts) at the ADC's sampling instant for the applied
 * codes: charge sharing, charge injection, leakage over the hold time and the kT/C noise keyed by
 * (seed, tile, 0, cell, AIMC_EV_KTC, conv_idx). 0.0 on a bad argument. */
double aimc_chg_voltage(const aimc_chg *ch, uint32_t tile, uint32_t col, uint32_t conv_idx);

/* ADC code of column `col`: clamp(round_half_away((V+ - V-) / V_lsb)), V_lsb = aimc_chg_vlsb.
 * Returns the code; a bad tile/col returns 0. */
int32_t aimc_chg_convert(const aimc_chg *ch, uint32_t tile, uint32_t col, uint32_t conv_idx, uint32_t adc_shift);

/* The codes of all columns of `tile` for one read: codes[c] is bit for bit aimc_chg_convert.
 * Returns AIMC_OK, or AIMC_EINVAL on a bad argument. */
int aimc_chg_convert_all(const aimc_chg *ch, uint32_t tile, uint32_t conv_idx, uint32_t adc_shift, int32_t *codes);

/* ADC LSB in volts: vread / (mask rows 127) 2^adc_shift (the designed array capacitance,
 * rows 127 C_u per line, without parasitic: the parasitic attenuates the signal). */
double aimc_chg_vlsb(const aimc_chg *ch, uint32_t adc_shift);

/* For tests and plots (NAN on a bad argument): the selected capacitance of cell `cell` (2c or
 * 2c+1) of a row, farads; one capacitor bit of a cell (mismatch included); the total capacitance
 * of the line of `cell` (every capacitor of the column plus the parasitic); the charge injected
 * onto that line when the share switches open, coulombs. */
double aimc_chg_cap(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell);
double aimc_chg_bit_cap(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell, uint32_t bit);
double aimc_chg_line_cap(const aimc_chg *ch, uint32_t tile, uint32_t cell);
double aimc_chg_line_qinj(const aimc_chg *ch, uint32_t tile, uint32_t cell);

/* Energy drawn from the row drivers by the last applied codes of `tile`: sum over rows and cells
 * of C_sel V_r^2, joules (the C V^2 of charging the selected capacitors from 0 V). */
double aimc_chg_read_energy(const aimc_chg *ch, uint32_t tile);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_CHARGE_H */
