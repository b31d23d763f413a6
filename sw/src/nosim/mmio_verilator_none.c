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

/* No Verilator model at all: -1 (aimc_mmio_verilator_waves of tb/verilator/mmio_verilator.cpp says
 * 1 in the trace build, 0 in the default one). Declared by the CLI (sw/tools/aimc/cli_util.c). */
int aimc_mmio_verilator_waves(void);
int aimc_mmio_verilator_waves(void)
{
	return -1;
}

/* Clock cycles the Verilator model has run: no model here (AIMC_EUNSUPPORTED). */
int aimc_mmio_verilator_cycles(const aimc_mmio *m, uint64_t *cycles);
int aimc_mmio_verilator_cycles(const aimc_mmio *m, uint64_t *cycles)
{
	(void)m;
	if (cycles != NULL)
		*cycles = 0;
	return AIMC_EUNSUPPORTED;
}

/* Backdoor loads of the Verilator model: no model here (AIMC_EUNSUPPORTED). */
int aimc_mmio_verilator_backdoor(aimc_mmio *m, int on);
int aimc_mmio_verilator_backdoor(aimc_mmio *m, int on)
{
	(void)m;
	(void)on;
	return AIMC_EUNSUPPORTED;
}

/* The RTL parameters of the Verilator model: no model here (NULL). */
const char *aimc_mmio_verilator_rtl_params(void);
const char *aimc_mmio_verilator_rtl_params(void)
{
	return NULL;
}
