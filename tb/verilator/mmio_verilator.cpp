// SPDX-License-Identifier: Apache-2.0
// libaimc MMIO back-end on the live Verilator model (aimc_mmio_open_verilator of aimc.h). Linked
// into aimc-vl instead of sw/src/nosim/mmio_verilator_none.c.
#include "aimc.h"
#include "aimc_vl.h"

// AXI response -> aimc_err: OKAY is AIMC_OK, SLVERR and DECERR are AIMC_EBUS.
static int vl_rc(int rc)
{
	if (rc < 0)
		return rc;
	return rc == 0 ? AIMC_OK : AIMC_EBUS;
}

static int vl_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	int rc = vl_rc(aimc_vl_read32(static_cast<aimc_vl *>(ctx), addr, val));

	if (rc != AIMC_OK)
		*val = 0;
	return rc;
}

static int vl_write32(void *ctx, uint32_t addr, uint32_t val)
{
	return vl_rc(aimc_vl_write32(static_cast<aimc_vl *>(ctx), addr, val));
}

// Repeated reads, exactly like the trace player's P line: stop at the first match, the first error
// response, or after max_polls reads.
static int vl_poll32(void *ctx, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		     uint32_t *last)
{
	uint32_t v = 0;
	int rc = AIMC_ETIMEOUT;

	for (uint32_t i = 0; i < max_polls; i++) {
		int r = vl_read32(ctx, addr, &v);

		if (r != AIMC_OK) {
			rc = r;
			break;
		}
		if ((v & mask) == value) {
			rc = AIMC_OK;
			break;
		}
	}
	*last = v;
	return rc;
}

static void vl_close(void *ctx)
{
	aimc_vl_close(static_cast<aimc_vl *>(ctx));
}

static const aimc_mmio_ops verilator_ops = {
	"verilator", vl_read32, vl_write32, vl_poll32, vl_close,
};

// A model whose crossbar model did not bind (another geometry): a write could start a tile on the
// wrong model and abort in an assertion, so only reads are served.
static int vl_write32_refused(void *ctx, uint32_t addr, uint32_t val)
{
	(void)ctx;
	(void)addr;
	(void)val;
	return AIMC_EMISMATCH;
}

static const aimc_mmio_ops verilator_readonly_ops = {
	"verilator", vl_read32, vl_write32_refused, vl_poll32, vl_close,
};

extern "C" int aimc_mmio_open_verilator(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed,
					const char *wave_path)
{
	aimc_vl *vl;
	int rc;

	if (m == nullptr)
		return AIMC_EINVAL;
	m->ops = nullptr;
	m->ctx = nullptr;
	vl = aimc_vl_open_rc(cfg, seed, wave_path, &rc);
	if (vl == nullptr)
		return rc;
	// AIMC_EMISMATCH: open for reads only (the caller reads the config readback, then closes)
	m->ops = rc == AIMC_EMISMATCH ? &verilator_readonly_ops : &verilator_ops;
	m->ctx = vl;
	return rc;
}
