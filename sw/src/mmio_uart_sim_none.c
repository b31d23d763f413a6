/* SPDX-License-Identifier: Apache-2.0 */
/* aimc_mmio_open_uart_sim() for builds without the simulated board: always AIMC_EUNSUPPORTED.
 * The aimc-uart-vl binary links tb/uart/mmio_uart_sim.cpp instead of this file. */
#include "aimc.h"

int aimc_mmio_open_uart_sim(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed, const char *wave_path)
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
