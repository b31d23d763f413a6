/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the libaimc sources; not part of the API (sw/include/aimc.h). */
#ifndef AIMC_PRIV_H
#define AIMC_PRIV_H

#include <stddef.h>

/* Writes the formatted message to err (when err != NULL and errlen > 0) and returns code: the
 * error path of the loaders and the compiler, `return aimc_set_err(err, errlen, AIMC_E..., ...)`. */
int aimc_set_err(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
