/* SPDX-License-Identifier: Apache-2.0 */
/* C API of the live Verilator model of aimc_top (tb/verilator), for libaimc's MMIO back-end and
 * any C tool linked into the aimc-vl binary. One model per process: the crossbar model behind
 * the tiles (aimc_sim_model.h) is a single global. */
#ifndef AIMC_VL_H
#define AIMC_VL_H

#include <stdint.h>

#include "aimc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_vl aimc_vl;

/* Create the crossbar model from cfg->path with seed, build the RTL model, open the FST waveform
 * wave_path (NULL or "" for none) and reset the chip. The RTL parameters are compiled in; the
 * driver's aimc_chip_init() checks them against cfg over the bus. Returns NULL on failure; with
 * aimc_vl_open_rc, *rc (if not NULL) says why: AIMC_EINVAL (NULL cfg or empty cfg->path),
 * AIMC_ECONFIG (the crossbar model rejected the config, see aimc_sim_model_error()),
 * AIMC_EIO (the waveform file cannot be written), AIMC_ENOMEM. AIMC_EMISMATCH comes with a
 * model (not NULL): the RTL was built for another crossbar geometry than cfg's (its initial blocks
 * refused the crossbar model) or with other RTL parameters than cfg's (aimc_vl_rtl_params against
 * aimc_cfg_rtl_params: post_lanes, load_words, tile_overlap... change no readback field); only
 * bus reads may follow (the config readback says what differs), then aimc_vl_close. */
aimc_vl *aimc_vl_open(const aimc_cfg *cfg, uint64_t seed, const char *wave_path);
/* The RTL parameters this model was built with, as `aimc config --rtl-params verilator` prints
 * them (the Makefile's aimc_vl_params.h); NULL for a model built without that header. */
const char *aimc_vl_rtl_params(void);
aimc_vl *aimc_vl_open_rc(const aimc_cfg *cfg, uint64_t seed, const char *wave_path, int *rc);

/* One AXI4-Lite transaction. Returns the AXI response (0 OKAY, 2 SLVERR, 3 DECERR), or a
 * negative aimc_err: AIMC_EINVAL (NULL argument), AIMC_ETIMEOUT (a handshake or response did not
 * come within kAimcWaitMax cycles; the model should be closed). *val is 0 unless OKAY. */
int aimc_vl_read32(aimc_vl *vl, uint32_t addr, uint32_t *val);
int aimc_vl_write32(aimc_vl *vl, uint32_t addr, uint32_t val);
/* A write with byte strobes strb (bits [3:0]); aimc_vl_write32 is strb 0xF. For the bus fuzzer:
 * the slave answers SLVERR to a partial strobe and writes nothing. */
int aimc_vl_write32_strb(aimc_vl *vl, uint32_t addr, uint32_t val, uint32_t strb);

/* Simulation-only backdoor (docs/trace-format.md, "Backdoor loads"). aimc_vl_backdoor turns it on or
 * off (AIMC_EUNSUPPORTED if the model's buffers cannot be reached, as aimc_vl_backdoor_ready
 * says). While on, aimc_vl_backdoor_write puts val straight into the buffer word at bus address
 * addr (instruction, activation, parameter and weight windows) in zero simulated cycles and
 * returns 1, and aimc_vl_backdoor_read reads that word into *val the same way; both return 0
 * (nothing done: use the bus) when off, for any other address, a misaligned one or a word past
 * the config's depth. */
int aimc_vl_backdoor_ready(aimc_vl *vl);
int aimc_vl_backdoor(aimc_vl *vl, int on);
int aimc_vl_backdoor_write(aimc_vl *vl, uint32_t addr, uint32_t val);
int aimc_vl_backdoor_read(aimc_vl *vl, uint32_t addr, uint32_t *val);

/* Rising clock edges since reset release (the cycle count of the trace player's C line). */
uint64_t aimc_vl_cycles(aimc_vl *vl);

/* Hard reset: the harness's reset pin (rst_ni) low for kAimcResetCycles cycles with every AXI
 * master pin idle, as at power-on, then released; call it between bus transactions (any cycle
 * of a running program). Every reset register returns to its reset value; aimc_vl_cycles counts
 * again from the release. For the fuzzer (tests/system/bus_fuzz.c). AIMC_EINVAL for NULL. */
int aimc_vl_hard_reset(aimc_vl *vl);

/* Finish the model (final blocks, waveform closed) and free it. NULL is ignored. */
void aimc_vl_close(aimc_vl *vl);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_VL_H */
