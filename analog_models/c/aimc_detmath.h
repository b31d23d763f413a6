/* SPDX-License-Identifier: Apache-2.0 */
/* Private to analog_models/c: deterministic elementary functions and the RNG mixer, exposed only
 * for the model's own sources and unit tests (not part of the public API). */
#ifndef AIMC_DETMATH_H
#define AIMC_DETMATH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SplitMix64 output function (Steele, Lea, Flood 2014; variant "Mix13" of Stafford's finalizers). */
uint64_t aimc_rng_mix64(uint64_t z);

/* aimc_rng_normal split in two: the chain state of the key's seed, tile, row, col and kind (the
 * same for every event index, so a caller may compute it once per column), and the normal draw
 * of the key from that state. aimc_rng_normal_prefixed(aimc_rng_key_prefix(k), k) is bit for bit
 * aimc_rng_normal(k). */
struct aimc_key;
uint64_t aimc_rng_key_prefix(const struct aimc_key *k);
double aimc_rng_normal_prefixed(uint64_t prefix, const struct aimc_key *k);
/* The READ draw of one column conversion (decision 0006, docs/analog-model.md "Random draws"): the
 * binary32 polar pair of the key with this prefix (seed, tile, 0, col, AIMC_EV_READ) and index;
 * n1 and n2 are independent N(0, 1), both 0 when every attempt is rejected. */
void aimc_rng_read_pair(uint64_t prefix, uint32_t index, float *n1, float *n2);

/* e^x and e^x - 1 computed with +, -, *, / and exact scaling only (frexp/ldexp/floor), so the
 * result is bit-identical on any IEEE-754 binary64 machine. Relative error below 1e-15 against
 * a correctly rounded libm over the normal range; exp overflows to +inf above 709.78 and
 * underflows to 0 below -745.2; NaN in gives NaN out. */
double aimc_det_exp(double x);
double aimc_det_expm1(double x);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_DETMATH_H */
