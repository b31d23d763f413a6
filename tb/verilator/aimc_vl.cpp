// SPDX-License-Identifier: Apache-2.0
// C API of the live Verilator model of aimc_top: harness + AXI4-Lite driver behind a C handle.
#include "aimc_vl.h"

#include <cstdio>
#include <new>

#include "aimc.h"
#include "aimc_axil_driver.h"
#include "aimc_harness.h"
#include "aimc_sim_model.h"
#include "Vaimc_top__Dpi.h"
#include "svdpi.h"

#include <cstring>

// The RTL parameters this model is built with: the Makefile writes aimc_vl_params.h beside the
// model's objects (BUILD/<cfg>/vl/obj) from `aimc config --rtl-params verilator`. A model built
// another way has no such header and no check.
#if __has_include("aimc_vl_params.h")
#include "aimc_vl_params.h"
#endif

// Backdoor targets: the aimc_sram instances behind the buffer windows (aimc_top), by scope. The
// activation buffers have load_words banks (aimc_buf: one SRAM, or bank word % 4, row word / 4),
// the parameter buffer 4 x post_lanes (aimc_par_buf: bank word % banks, row word / banks).
enum BdMem { BD_INSTR_LO, BD_INSTR_HI, BD_WEIGHT, BD_ACT_IN0, BD_ACT_OUT0 = BD_ACT_IN0 + 4,
	     BD_PARAM0 = BD_ACT_OUT0 + 4, BD_N = BD_PARAM0 + 64 };  // up to 4 x 16 parameter banks
static const char *const kBdScope[BD_ACT_IN0] = {
	"TOP.aimc_top.u_instr_lo.g_one.u_sram", "TOP.aimc_top.u_instr_hi.g_one.u_sram",
	"TOP.aimc_top.u_weight.g_one.u_sram",
};

struct aimc_vl {
	AimcHarness harness;
	AimcAxilDriver bus;
	svScope bd_scope[BD_N] = {};
	uint32_t instr_depth = 0, act_depth = 0, par_depth = 0, wgt_depth = 0;
	uint32_t par_banks = 0;      // 4 x the config's post_lanes
	uint32_t act_banks = 0;      // the config's load_words
	bool par_banks_match = false; // the model has exactly par_banks parameter banks
	bool backdoor = false;

	aimc_vl() : bus(harness) {}
};

extern "C" const char *aimc_vl_rtl_params(void)
{
#ifdef AIMC_VL_RTL_PARAMS
	return AIMC_VL_RTL_PARAMS;
#else
	return nullptr;
#endif
}

// The config's RTL parameters are the model's (true too when the build recorded none).
static bool aimc_vl_params_match(const aimc_cfg *cfg)
{
	const char *built = aimc_vl_rtl_params();
	char want[1024];

	if (built == nullptr)
		return true;
	return aimc_cfg_rtl_params(cfg, "verilator", nullptr, want, sizeof(want)) == 0 &&
	       std::strcmp(want, built) == 0;
}

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
	aimc_sim_model_set_time(cfg->drift_time); // the process's time (aimc --time), not the file's
	aimc_sim_model_set_simd(cfg->simd);        // the process's kernels ($AIMC_SIMD, read by the CLI)
	if (aimc_sim_model_init(cfg->path, seed) != 0) {
		err = AIMC_ECONFIG;
		goto out;
	}
	vl = new (std::nothrow) aimc_vl;
	if (vl == nullptr) {
		err = AIMC_ENOMEM;
		goto fail_model;
	}
	if (wave_path != nullptr && wave_path[0] != '\0') {
		// Waveforms need the trace build (make vl WAVES=1): AIMC_EUNSUPPORTED without it.
		if (!AimcHarness::traces_compiled()) {
			err = AIMC_EUNSUPPORTED;
			goto fail_vl;
		}
		if (!vl->harness.trace_open(wave_path)) {
			err = AIMC_EIO;
			goto fail_vl;
		}
	}
	vl->harness.reset();
	if (vl->harness.init_failed() || !aimc_vl_params_match(cfg))
		err = AIMC_EMISMATCH;
	vl->instr_depth = cfg->instr_depth;
	vl->act_depth = cfg->act_depth;
	vl->par_depth = cfg->par_depth;
	vl->wgt_depth = cfg->wgt_depth;
	for (int i = 0; i < BD_ACT_IN0; i++)
		vl->bd_scope[i] = svGetScopeFromName(kBdScope[i]);
	// A model built with another load_words than the config's has none of these scopes.
	vl->act_banks = cfg->load_words == 4 ? 4u : 1u;
	for (uint32_t k = 0; k < vl->act_banks; k++) {
		char name[80];

		for (int out = 0; out < 2; out++) {
			if (vl->act_banks == 1)
				snprintf(name, sizeof(name), "TOP.aimc_top.%s.g_one.u_sram",
					 out ? "u_act_out" : "u_act_in");
			else
				snprintf(name, sizeof(name), "TOP.aimc_top.%s.g_banked.u_banks.g_bank[%u].u_sram",
					 out ? "u_act_out" : "u_act_in", k);
			vl->bd_scope[(out ? BD_ACT_OUT0 : BD_ACT_IN0) + k] = svGetScopeFromName(name);
		}
	}
	vl->par_banks = 4u * cfg->post_lanes;
	if (vl->par_banks > BD_N - BD_PARAM0)
		vl->par_banks = 0;
	for (uint32_t k = 0; k <= vl->par_banks; k++) {  // bank par_banks: the model must not have it
		char name[64];

		snprintf(name, sizeof(name), "TOP.aimc_top.u_param.u_banks.g_bank[%u].u_sram", k);
		svScope s = svGetScopeFromName(name);
		if (k < vl->par_banks)
			vl->bd_scope[BD_PARAM0 + k] = s;
		else if (s != nullptr)
			vl->par_banks = 0;   // more banks in the model than the config says
	}
	vl->par_banks_match = vl->par_banks != 0;
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

extern "C" int aimc_vl_write32_strb(aimc_vl *vl, uint32_t addr, uint32_t val, uint32_t strb)
{
	if (vl == nullptr)
		return AIMC_EINVAL;
	return axi_rc(vl->bus.write32(addr, val, static_cast<uint8_t>(strb & 0xFu)));
}

extern "C" int aimc_vl_backdoor_ready(aimc_vl *vl)
{
	if (vl == nullptr)
		return AIMC_EINVAL;
	// A model built with another post_lanes than the config's has another bank count.
	if (!vl->par_banks_match)
		return AIMC_EUNSUPPORTED;
	for (uint32_t i = 0; i < BD_PARAM0 + vl->par_banks; i++) {
		bool act_bank = (i >= BD_ACT_IN0 && i < BD_ACT_OUT0) || (i >= BD_ACT_OUT0 && i < BD_PARAM0);
		uint32_t k = i < BD_ACT_OUT0 ? i - BD_ACT_IN0 : i - BD_ACT_OUT0;

		if (act_bank && k >= vl->act_banks)
			continue;
		if (vl->bd_scope[i] == nullptr)
			return AIMC_EUNSUPPORTED;
	}
	return AIMC_OK;
}

extern "C" int aimc_vl_backdoor(aimc_vl *vl, int on)
{
	int rc = aimc_vl_backdoor_ready(vl);

	if (rc == AIMC_OK)
		vl->backdoor = on != 0;
	return rc;
}

// The array word behind bus address addr: its aimc_sram (mem) and row (word). Window offsets of
// docs/memory-map.md (rtl/pkg/aimc_map_pkg.sv); false for an address outside the buffer windows
// or a word past the buffer's depth (the config's, checked against the RTL by aimc_chip_init),
// which the caller leaves to the bus (it answers with an error).
static bool bd_locate(const aimc_vl *vl, uint32_t addr, int *mem, uint32_t *word)
{
	static const uint32_t kInstr = 0x00010000u, kActIn = 0x00020000u, kActOut = 0x00030000u,
			      kParam = 0x00040000u, kWeight = 0x00100000u;
	uint32_t w;

	if ((addr & 3u) != 0)
		return false;
	if (addr >= kWeight && addr < kWeight + 0x00100000u) {
		w = (addr - kWeight) >> 2;
		if (w >= vl->wgt_depth)
			return false;
		*mem = BD_WEIGHT;
	} else if (addr >= kParam && addr < kParam + 0x00010000u) {
		w = (addr - kParam) >> 2;
		if (w >= vl->par_depth)
			return false;
		*mem = BD_PARAM0 + (int)(w % vl->par_banks);  // aimc_par_buf: bank, row
		w /= vl->par_banks;
	} else if (addr >= kActOut && addr < kActOut + 0x00010000u) {
		w = (addr - kActOut) >> 2;
		if (w >= vl->act_depth)
			return false;
		*mem = BD_ACT_OUT0 + (int)(w % vl->act_banks);
		w /= vl->act_banks;
	} else if (addr >= kActIn && addr < kActIn + 0x00010000u) {
		w = (addr - kActIn) >> 2;
		if (w >= vl->act_depth)
			return false;
		*mem = BD_ACT_IN0 + (int)(w % vl->act_banks);
		w /= vl->act_banks;
	} else if (addr >= kInstr && addr < kInstr + 0x00010000u) {
		w = (addr - kInstr) >> 3;  // 64-bit entries: the low word, then the high word
		if (w >= vl->instr_depth)
			return false;
		*mem = (addr & 4u) != 0 ? BD_INSTR_HI : BD_INSTR_LO;
	} else {
		return false;
	}
	*word = w;
	return true;
}

extern "C" int aimc_vl_backdoor_write(aimc_vl *vl, uint32_t addr, uint32_t val)
{
	uint32_t word;
	int mem;

	if (vl == nullptr || !vl->backdoor || !bd_locate(vl, addr, &mem, &word))
		return 0;
	svSetScope(vl->bd_scope[mem]);
	aimc_sram_bd_write(word, val);
	return 1;
}

extern "C" int aimc_vl_backdoor_read(aimc_vl *vl, uint32_t addr, uint32_t *val)
{
	uint32_t word;
	int mem;

	if (vl == nullptr || val == nullptr || !vl->backdoor || !bd_locate(vl, addr, &mem, &word))
		return 0;
	svSetScope(vl->bd_scope[mem]);
	*val = aimc_sram_bd_read(word);
	return 1;
}

extern "C" uint64_t aimc_vl_cycles(aimc_vl *vl)
{
	return vl == nullptr ? 0 : vl->harness.cycles();
}

extern "C" int aimc_vl_hard_reset(aimc_vl *vl)
{
	if (vl == nullptr)
		return AIMC_EINVAL;
	vl->harness.reset();
	return AIMC_OK;
}

extern "C" void aimc_vl_close(aimc_vl *vl)
{
	if (vl == nullptr)
		return;
	vl->harness.final();
	delete vl;
	aimc_sim_model_shutdown();
}
