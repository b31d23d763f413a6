/* SPDX-License-Identifier: Apache-2.0 */
/* C reference model of the Kirchhoff chip (private to libaimc): the L0 reference the RTL must
 * equal bit for bit in outputs, SRAM contents and event counters. The driver reaches it through
 * aimc_mmio_open_cmodel(); this header is for the back-end and white-box tests.
 *
 * What it models: the whole AXI4-Lite address map (docs/registers.md) with the access rules of
 * the generated CSR block, the memory windows with their configured depths, and the sequencer
 * and tiles of docs/isa.md and docs/numbers.md, the crossbars through analog_models/c.
 *
 * Choices the contract leaves open, made here (the RTL must make the same):
 * - A write of ctrl.start runs the program to its end before the write returns, so status.busy
 *   always reads 0 and cycles_lo / cycles_hi stay 0: the model has no timing. It executes tile
 *   commands in program order, one after the other; the TILE_CONFLICT rule of docs/isa.md (checked
 *   on program order, here as in the RTL) is what makes that equal to the concurrent RTL. A
 *   program that runs 2^28 instructions without stopping makes the write return AIMC_ETIMEOUT.
 * - A start clears status.halted, status.error, err_code and err_pc; err_code stays 0 on HALT.
 * - POST stopping with BAD_PARAM at column c: column c does nothing (no bias add, no saturation
 *   counted); in int8 mode the output words holding only columns before c are written, the word
 *   that would hold column c is not (its earlier columns included).
 * - An activation byte of 0x80 (-128) enters the MVM as magnitude 128, negative, in the slices of
 *   8 magnitude bits of docs/numbers.md (with u8 it is 128, positive); a weight byte 0x80 is
 *   programmed as -127.
 * - PROG with program-and-verify (pv_ctrl.enable) runs the per-row loop of docs/analog-model.md
 *   with the tile's pulse and verify counters as event indices; with pv_ctrl.stop the first row left
 *   with unconverged cells ends the PROG with PV_FAIL (that row counted in prog_rows and pv_unconv).
 * - pv_pulses / pv_unconv show the tile selected by pv_sel, 0 for a tile >= num_tiles.
 * - The watchdog CSR is stored but never fires (no timing); busy, idle and stall counters read 0.
 * - sat_mode.stop: an instruction whose tile saturated stops with SATURATION after completing.
 * - soft_reset clears status, err_code, err_pc, irq, the bus-error record and the tiles' event
 *   indices (docs/errors.md), as the RTL does.
 * - Memories, accumulators, counters read 0 after reset.
 */
#ifndef AIMC_REFMODEL_H
#define AIMC_REFMODEL_H

#include <stdint.h>

#include "aimc.h"

typedef struct aimc_refmodel aimc_refmodel;

/* Create a chip in its reset state. AIMC_EINVAL for NULL arguments; AIMC_ECONFIG if cfg does not
 * fit the address map or its readback fields, or the analog model rejects it; AIMC_ENOMEM. */
int aimc_refmodel_create(aimc_refmodel **out, const aimc_cfg *cfg, uint64_t seed);
void aimc_refmodel_destroy(aimc_refmodel *rm);
/* The crossbar model's diagnostics (aimc_xbar_diag). */
uint32_t aimc_refmodel_diag(const aimc_refmodel *rm, char *buf, size_t len);

/* One bus access at a byte address: AIMC_OK, or AIMC_EBUS where the chip answers SLVERR or
 * DECERR (read data then 0). A write of ctrl.start executes the program before returning. */
int aimc_refmodel_read32(aimc_refmodel *rm, uint32_t addr, uint32_t *val);
int aimc_refmodel_write32(aimc_refmodel *rm, uint32_t addr, uint32_t val);

/* Level of the chip's interrupt line irq_o: any irq flag whose ctrl.irq_en_* is set. */
int aimc_refmodel_irq_line(const aimc_refmodel *rm);

#endif /* AIMC_REFMODEL_H */
