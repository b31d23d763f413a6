/* SPDX-License-Identifier: Apache-2.0 */
/* Error table of libaimc (aimc_strerror() generated from the AIMC_ERRORS X-macro in aimc_api.h)
 * and its version (aimc_version(), from the generated register map and ISA headers). */
#include <stdarg.h>
#include <stdio.h>

#include "aimc.h"
#include "aimc_isa.h"
#include "aimc_priv.h"
#include "aimc_regs.h"

const char *aimc_strerror(int err)
{
	switch (err) {
#define AIMC_ERR_TEXT(name, val, text) \
	case (val):                    \
		return (text);
		AIMC_ERRORS(AIMC_ERR_TEXT)
#undef AIMC_ERR_TEXT
	default:
		return "unknown error";
	}
}

int aimc_set_err(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

uint32_t aimc_version(void)
{
	return ((uint32_t)AIMC_ISA_VERSION << AIMC_CSR__VERSION__ISA_bp) |
	       ((uint32_t)AIMC_CSR__VERSION__MAJOR_reset << AIMC_CSR__VERSION__MAJOR_bp) |
	       ((uint32_t)AIMC_CSR__VERSION__MINOR_reset << AIMC_CSR__VERSION__MINOR_bp);
}
