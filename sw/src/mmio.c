/* SPDX-License-Identifier: Apache-2.0 */
/* The MMIO shim: argument checks in front of every back-end, and the poll fallback. */
#include "aimc.h"

/* All accesses are 32-bit and word aligned (docs/registers.md). */
#define AIMC_ADDR_ALIGN_MASK 0x3u

static int mmio_valid(const aimc_mmio *m)
{
	return m != NULL && m->ops != NULL && m->ops->read32 != NULL && m->ops->write32 != NULL;
}

int aimc_mmio_read32(aimc_mmio *m, uint32_t addr, uint32_t *val)
{
	int rc;

	if (!mmio_valid(m) || val == NULL || (addr & AIMC_ADDR_ALIGN_MASK) != 0)
		return AIMC_EINVAL;
	rc = m->ops->read32(m->ctx, addr, val);
	if (rc != AIMC_OK)
		*val = 0;
	return rc;
}

int aimc_mmio_write32(aimc_mmio *m, uint32_t addr, uint32_t val)
{
	if (!mmio_valid(m) || (addr & AIMC_ADDR_ALIGN_MASK) != 0)
		return AIMC_EINVAL;
	return m->ops->write32(m->ctx, addr, val);
}

int aimc_mmio_poll32(aimc_mmio *m, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		     uint32_t *last)
{
	uint32_t v = 0;
	uint32_t i;
	int rc;

	if (!mmio_valid(m) || (addr & AIMC_ADDR_ALIGN_MASK) != 0 || max_polls == 0 ||
	    (value & ~mask) != 0)
		return AIMC_EINVAL;
	if (m->ops->poll32 != NULL) {
		rc = m->ops->poll32(m->ctx, addr, mask, value, max_polls, &v);
		goto out;
	}
	rc = AIMC_ETIMEOUT;
	for (i = 0; i < max_polls; i++) {
		int r = m->ops->read32(m->ctx, addr, &v);

		if (r != AIMC_OK) {
			v = 0;
			rc = r;
			break;
		}
		if ((v & mask) == value) {
			rc = AIMC_OK;
			break;
		}
	}
out:
	if (last != NULL)
		*last = v;
	return rc;
}

uint32_t aimc_mmio_diag(const aimc_mmio *m, char *buf, size_t len)
{
	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (m == NULL || m->ops == NULL || m->ops->diag == NULL)
		return 0;
	return m->ops->diag(m->ctx, buf, len);
}

void aimc_mmio_close(aimc_mmio *m)
{
	if (m == NULL)
		return;
	if (m->ops != NULL && m->ops->close != NULL)
		m->ops->close(m->ctx);
	m->ops = NULL;
	m->ctx = NULL;
}
