// SPDX-License-Identifier: Apache-2.0
// libaimc MMIO back-end on the live Verilator model (aimc_mmio_open_verilator of aimc.h). Linked
// into aimc-vl instead of sw/src/nosim/mmio_verilator_none.c.
#include "aimc.h"
#include "aimc_harness.h"
#include "aimc_sim_model.h"
#include "aimc_vl.h"

// AXI response -> aimc_err: OKAY is AIMC_OK, SLVERR and DECERR are AIMC_EBUS.
static int vl_rc(int rc)
{
	if (rc < 0)
		return rc;
	return rc == 0 ? AIMC_OK : AIMC_EBUS;
}

static int vl_bus_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	int rc = vl_rc(aimc_vl_read32(static_cast<aimc_vl *>(ctx), addr, val));

	if (rc != AIMC_OK)
		*val = 0;
	return rc;
}

// Buffer reads go through the backdoor when it is on, like the writes below; CSR reads (and every
// poll: a poll waits for the chip, so its reads must take clock cycles) stay on the bus.
static int vl_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	if (aimc_vl_backdoor_read(static_cast<aimc_vl *>(ctx), addr, val))
		return AIMC_OK;
	return vl_bus_read32(ctx, addr, val);
}

// Buffer writes go through the backdoor when it is on (aimc_mmio_verilator_backdoor).
static int vl_write32(void *ctx, uint32_t addr, uint32_t val)
{
	aimc_vl *vl = static_cast<aimc_vl *>(ctx);

	if (aimc_vl_backdoor_write(vl, addr, val))
		return AIMC_OK;
	return vl_rc(aimc_vl_write32(vl, addr, val));
}

// Repeated reads, exactly like the trace player's P line: stop at the first match, the first error
// response, or after max_polls reads.
static int vl_poll32(void *ctx, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		     uint32_t *last)
{
	uint32_t v = 0;
	int rc = AIMC_ETIMEOUT;

	for (uint32_t i = 0; i < max_polls; i++) {
		int r = vl_bus_read32(ctx, addr, &v);

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

// The crossbar model's diagnostics (aimc_xbar_diag): the one model of this process.
static uint32_t vl_diag(void *ctx, char *buf, size_t len)
{
	(void)ctx;
	return aimc_xbar_diag(aimc_sim_model(), buf, len);
}

static const aimc_mmio_ops verilator_ops = {
	"verilator", vl_read32, vl_write32, vl_poll32, vl_close, vl_diag,
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
	"verilator", vl_read32, vl_write32_refused, vl_poll32, vl_close, vl_diag,
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

// The RTL parameters the linked model was built with (aimc_vl_rtl_params), NULL if not recorded.
// sw/src/nosim/mmio_verilator_none.c answers NULL (no model).
extern "C" const char *aimc_mmio_verilator_rtl_params(void)
{
	return aimc_vl_rtl_params();
}

// 1 in the trace build (make vl WAVES=1), 0 in the default build (no trace code, --waves refused
// with AIMC_EUNSUPPORTED). sw/src/nosim/mmio_verilator_none.c answers -1 (no model at all).
extern "C" int aimc_mmio_verilator_waves(void)
{
	return AimcHarness::traces_compiled() ? 1 : 0;
}

// Rising clock edges since reset release of the model behind m (bus transactions included): the
// simulated cycles of a run, for cycles/s figures. AIMC_EINVAL if m is not a Verilator back-end.
extern "C" int aimc_mmio_verilator_cycles(const aimc_mmio *m, uint64_t *cycles)
{
	if (m == nullptr || cycles == nullptr ||
	    (m->ops != &verilator_ops && m->ops != &verilator_readonly_ops))
		return AIMC_EINVAL;
	*cycles = aimc_vl_cycles(static_cast<aimc_vl *>(m->ctx));
	return AIMC_OK;
}

// Backdoor loads on (on != 0) or off for the model behind m: buffer-window writes go straight
// into the SRAM arrays (aimc_vl_backdoor_write) and buffer-window reads come out of them
// (aimc_vl_backdoor_read); CSR writes and reads and every poll stay on the bus.
// AIMC_EINVAL if m is not a Verilator back-end, AIMC_EUNSUPPORTED if the buffers are not found.
extern "C" int aimc_mmio_verilator_backdoor(aimc_mmio *m, int on)
{
	if (m == nullptr || m->ops != &verilator_ops)
		return AIMC_EINVAL;
	return aimc_vl_backdoor(static_cast<aimc_vl *>(m->ctx), on);
}
