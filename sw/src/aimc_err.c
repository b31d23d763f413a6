/* SPDX-License-Identifier: Apache-2.0 */
/* Error table of libaimc: aimc_strerror() generated from the AIMC_ERRORS X-macro in aimc.h. */
#include "aimc.h"

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
