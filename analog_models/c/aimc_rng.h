/* SPDX-License-Identifier: Apache-2.0 */
/* Counter-based random numbers: every draw is a pure function of its key
 * (seed, tile, row, col, event kind, event index). Bit-identical on any IEEE-754 machine: the
 * normal draw uses only +, -, *, /, sqrt and an arithmetic log, no libm transcendental. */
#ifndef AIMC_RNG_H
#define AIMC_RNG_H

#include <stdint.h>

#include "aimc_api.h"

#ifdef __cplusplus
extern "C" {
#endif

enum aimc_event {
	AIMC_EV_PROG = 1, /* programming error of a cell */
	AIMC_EV_READ = 2, /* read noise of a column conversion */
	AIMC_EV_PULSE = 3, /* step error of one program pulse on a cell (program-and-verify) */
	AIMC_EV_VERIFY = 4, /* read noise of a cell's verify read (program-and-verify) */
	AIMC_EV_DRIFT = 5, /* drift exponent nu of a cell (index 0: a property of the cell) */
	AIMC_EV_STUCK = 6, /* stuck-at draw of a cell (index 0) */
	AIMC_EV_ADC_GAIN = 7, /* gain mismatch of one ADC (col = ADC index, index 0) */
	AIMC_EV_ADC_OFFSET = 8, /* offset mismatch of one ADC (col = ADC index, index 0) */
	/* 9: unused (comparator noise is the second normal of the AIMC_EV_READ key's polar pair) */
	AIMC_EV_RELAX = 10, /* ReRAM relaxation of a cell (index 0: a property of the cell; issue 18) */
	AIMC_EV_SAR_CMP = 13, /* SAR comparator noise of one decision (row = bit, col = column, index = conv_idx) */
	AIMC_EV_TEST = 15, /* reserved for tests */
	/* charge-domain crossbar (aimc_charge.h); numbered apart from the flash kinds */
	AIMC_EV_CAP = 20,  /* mismatch of capacitor bit `index` of a cell (a property of the cell) */
	AIMC_EV_QINJ = 21, /* charge injection of a cell's share switch (index 0) */
	AIMC_EV_KTC = 22   /* kT/C noise of a column line (col = cell 2c or 2c+1) in one conversion */
};

typedef struct aimc_key {
	uint64_t seed;
	uint32_t tile, row, col, kind, index;
} aimc_key;

AIMC_API uint64_t aimc_rng_u64(const aimc_key *k, uint32_t draw);  /* draw = sub-stream index */
AIMC_API double aimc_rng_uniform(const aimc_key *k, uint32_t draw); /* [0, 1), 53 bits */
AIMC_API double aimc_rng_normal(const aimc_key *k);                 /* N(0, 1) */
AIMC_API double aimc_det_log(double x);                             /* natural log, x > 0, deterministic */

#ifdef __cplusplus
}
#endif
#endif /* AIMC_RNG_H */
