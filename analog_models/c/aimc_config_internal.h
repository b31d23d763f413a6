/* SPDX-License-Identifier: Apache-2.0 */
/* Private to analog_models/c: validation of a filled-in aimc_cfg against the key table. */
#ifndef AIMC_CONFIG_INTERNAL_H
#define AIMC_CONFIG_INTERNAL_H

#include <stddef.h>

#include "aimc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Check every key's range and every cross-check of docs/configs.md on cfg (built by the parser
 * or by hand; the name is not checked). Returns AIMC_OK, or AIMC_ECONFIG with a message naming the
 * key in err. */
int aimc_cfg_check(const aimc_cfg *cfg, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_CONFIG_INTERNAL_H */
