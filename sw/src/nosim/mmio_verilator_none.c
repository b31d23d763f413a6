/* SPDX-License-Identifier: Apache-2.0 */
/* aimc_mmio_open_verilator() for builds without a Verilator model: always AIMC_EUNSUPPORTED.
 * Builds that link tb/verilator/mmio_verilator.cpp use that file instead of this one. */
#include "aimc.h"

int aimc_mmio_open_verilator(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed, const char *wave_path)
{
	(void)cfg;
	(void)seed;
	(void)wave_path;
	if (m == NULL)
		return AIMC_EINVAL;
	m->ops = NULL;
	m->ctx = NULL;
	return AIMC_EUNSUPPORTED;
}
