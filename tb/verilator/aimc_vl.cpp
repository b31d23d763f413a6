// SPDX-License-Identifier: Apache-2.0
// C API of the live Verilator model of aimc_top: harness + AXI4-Lite driver behind a C handle.
#include "aimc_vl.h"

#include <new>

#include "aimc.h"
#include "aimc_axil_driver.h"
#include "aimc_harness.h"
#include "aimc_sim_model.h"

struct aimc_vl {
	AimcHarness harness;
	AimcAxilDriver bus;

	aimc_vl() : bus(harness) {}
};

extern "C" aimc_vl *aimc_vl_open_rc(const aimc_cfg *cfg, uint64_t seed, const char *wave_path,
				     int *rc)
{
	aimc_vl *vl = nullptr;
	int err = AIMC_OK;

	if (cfg == nullptr || cfg->path[0] == '\0') {
		err = AIMC_EINVAL;
		goto out;
	}
	// The tiles bind to the crossbar model in their initial blocks, at the model's first eval.
	if (aimc_sim_model_init(cfg->path, seed) != 0) {
		err = AIMC_ECONFIG;
		goto out;
	}
	vl = new (std::nothrow) aimc_vl;
	if (vl == nullptr) {
		err = AIMC_ENOMEM;
		goto fail_model;
	}
	if (wave_path != nullptr && wave_path[0] != '\0' && !vl->harness.trace_open(wave_path)) {
		err = AIMC_EIO;
		goto fail_vl;
	}
	vl->harness.reset();
	if (vl->harness.init_failed())
		err = AIMC_EMISMATCH;
	goto out;

fail_vl:
	delete vl;
	vl = nullptr;
fail_model:
	aimc_sim_model_shutdown();
out:
	if (rc != nullptr)
		*rc = err;
	return vl;
}

extern "C" aimc_vl *aimc_vl_open(const aimc_cfg *cfg, uint64_t seed, const char *wave_path)
{
	return aimc_vl_open_rc(cfg, seed, wave_path, nullptr);
}

static int axi_rc(int resp)
{
	return resp == AimcAxilDriver::kTimeout ? AIMC_ETIMEOUT : resp;
}

extern "C" int aimc_vl_read32(aimc_vl *vl, uint32_t addr, uint32_t *val)
{
	if (vl == nullptr || val == nullptr)
		return AIMC_EINVAL;
	return axi_rc(vl->bus.read32(addr, val));
}

extern "C" int aimc_vl_write32(aimc_vl *vl, uint32_t addr, uint32_t val)
{
	if (vl == nullptr)
		return AIMC_EINVAL;
	return axi_rc(vl->bus.write32(addr, val));
}

extern "C" uint64_t aimc_vl_cycles(aimc_vl *vl)
{
	return vl == nullptr ? 0 : vl->harness.cycles();
}

extern "C" void aimc_vl_close(aimc_vl *vl)
{
	if (vl == nullptr)
		return;
	vl->harness.final();
	delete vl;
	aimc_sim_model_shutdown();
}
