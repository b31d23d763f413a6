/* SPDX-License-Identifier: Apache-2.0 */
/* C reference model, bus level (configs/tiny.cfg): CSR reset values, RW / RO / W1C / pulse
 * behaviour as in the generated rtl/csr/aimc_csr.sv, bus errors, memory windows and depths.
 * Expected values come from docs/registers.md and configs/tiny.cfg, written out by hand. */
#include <stddef.h>
#include <stdio.h>

#include "aimc.h"
#include "aimc_regs.h"
#include "../../../sw/src/refmodel.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define WIN(w) ((uint32_t)offsetof(aimc_map_t, w))

static int failures;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld (0x%llx), got %lld (0x%llx) (seed 1)\n", name, exp,
		       (unsigned long long)exp, got, (unsigned long long)got);
		failures++;
	}
}

static uint32_t rd(aimc_mmio *m, uint32_t addr)
{
	uint32_t v = 0xbad0bad0u;

	if (aimc_mmio_read32(m, addr, &v) != AIMC_OK)
		return 0xbad0bad0u;
	return v;
}

static void test_reset_values(aimc_mmio *m)
{
	static const struct {
		const char *name;
		uint32_t addr, val;
	} regs[] = {
		{ "id", CSR(id), 0x41494d43u },
		{ "version", CSR(version), ((uint32_t)AIMC_ISA_VERSION << 16) | 1u }, /* isa, major 0, minor 1 */
		{ "ctrl", CSR(ctrl), 0 },
		{ "status", CSR(status), 0 },
		{ "irq", CSR(irq), 0 },
		{ "err_code", CSR(err_code), 0 },
		{ "err_pc", CSR(err_pc), 0 },
		{ "start_pc", CSR(start_pc), 0 },
		{ "settle", CSR(settle), 4 },
		{ "scratch", CSR(scratch), 0 },
		{ "cfg0", CSR(cfg0), 0x020e0201u }, /* cols_per_adc 2, adc_bits 14, dac_bits 2, tiles 1 */
		{ "cfg1", CSR(cfg1), 0x00080010u }, /* cols 8, rows 16 */
		{ "cfg2", CSR(cfg2), 0x00100800u }, /* acc_slots 16, instr_depth 2048 */
		{ "cfg3", CSR(cfg3), 0x02000800u }, /* par_depth 512, act_depth 2048 */
		{ "cfg4", CSR(cfg4), 0x00002000u }, /* wgt_depth 8192 */
		{ "cfg5", CSR(cfg5), 0x0000000eu }, /* adc_cycles 14 */
		{ "cycles_lo", CSR(cycles_lo), 0 },
		{ "cycles_hi", CSR(cycles_hi), 0 },
		{ "instrs", CSR(instrs), 0 },
		{ "mvms", CSR(mvms), 0 },
		{ "convs", CSR(convs), 0 },
		{ "adc_convs", CSR(adc_convs), 0 },
		{ "sats", CSR(sats), 0 },
		{ "prog_rows", CSR(prog_rows), 0 },
	};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		snprintf(name, sizeof(name), "reset_%s", regs[i].name);
		check(name, regs[i].val, rd(m, regs[i].addr));
	}
	/* aimc_version(): the library's version is the VERSION register the chip model reads */
	check("aimc_version", ((uint32_t)AIMC_ISA_VERSION << 16) | 1u, aimc_version());
}

static void test_rw(aimc_mmio *m)
{
	static const uint32_t pats[] = { 0xffffffffu, 0x00000000u, 0xa5a5a5a5u, 0x5a5a5a5au, 1u };
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		snprintf(name, sizeof(name), "scratch_pattern_%zu", i);
		aimc_mmio_write32(m, CSR(scratch), pats[i]);
		check(name, pats[i], rd(m, CSR(scratch)));
	}
	check("start_pc_write", AIMC_OK, aimc_mmio_write32(m, CSR(start_pc), 0xffffffffu));
	check("start_pc_16_bits", 0xffff, rd(m, CSR(start_pc)));
	aimc_mmio_write32(m, CSR(start_pc), 0);
	check("settle_write", AIMC_OK, aimc_mmio_write32(m, CSR(settle), 0x12345u));
	check("settle_8_bits", 0x45, rd(m, CSR(settle)));
	/* ctrl without start: only irq_en_* [10:8] are stored; start itself always reads 0 */
	check("ctrl_write", AIMC_OK, aimc_mmio_write32(m, CSR(ctrl), 0xfffffffeu));
	check("ctrl_irq_en_bits", 0x700, rd(m, CSR(ctrl)));
	check("ctrl_no_start_no_run", 0, rd(m, CSR(instrs)));
	aimc_mmio_write32(m, CSR(ctrl), 0);
	check("ctrl_cleared", 0, rd(m, CSR(ctrl)));
}

static void test_read_only(aimc_mmio *m)
{
	static const struct {
		const char *name;
		uint32_t addr;
	} ro[] = {
		{ "id", CSR(id) },         { "version", CSR(version) },   { "status", CSR(status) },
		{ "err_code", CSR(err_code) }, { "err_pc", CSR(err_pc) }, { "cfg0", CSR(cfg0) },
		{ "cfg1", CSR(cfg1) },     { "cfg2", CSR(cfg2) },         { "cfg3", CSR(cfg3) },
		{ "cfg4", CSR(cfg4) },     { "cfg5", CSR(cfg5) },         { "cycles_lo", CSR(cycles_lo) },
		{ "cycles_hi", CSR(cycles_hi) }, { "instrs", CSR(instrs) }, { "mvms", CSR(mvms) },
		{ "convs", CSR(convs) },   { "adc_convs", CSR(adc_convs) }, { "sats", CSR(sats) },
		{ "prog_rows", CSR(prog_rows) },
	};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t before = rd(m, ro[i].addr);

		snprintf(name, sizeof(name), "ro_write_%s_bus_error", ro[i].name);
		check(name, AIMC_EBUS, aimc_mmio_write32(m, ro[i].addr, ~before));
		snprintf(name, sizeof(name), "ro_write_%s_unchanged", ro[i].name);
		check(name, before, rd(m, ro[i].addr));
	}
}

static void test_bus_errors(aimc_mmio *m)
{
	/* unmapped CSR offsets (SLVERR), and addresses in no window (DECERR) */
	static const uint32_t bad[] = {
		0x28, 0x2c, 0x48, 0x7c, 0xbc, 0xfc, /* holes of the CSR block */
		0x2c0, 0xfffc,                      /* after the CSR block, before instr */
		0x50000, 0xffffc,                   /* between param and weight */
		0x200000, 0x10000000u, 0xfffffffcu, /* past the 2 MiB map */
	};
	char name[64];
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 0x1234;
		snprintf(name, sizeof(name), "bus_error_read_%08x", bad[i]);
		check(name, AIMC_EBUS, aimc_mmio_read32(m, bad[i], &v));
		snprintf(name, sizeof(name), "bus_error_read_%08x_data0", bad[i]);
		check(name, 0, v);
		snprintf(name, sizeof(name), "bus_error_write_%08x", bad[i]);
		check(name, AIMC_EBUS, aimc_mmio_write32(m, bad[i], 0xffffffffu));
	}
	check("misaligned_via_shim", AIMC_EINVAL, aimc_mmio_read32(m, CSR(scratch) + 2, &v));
}

static void test_memories(aimc_mmio *m)
{
	static const struct {
		const char *name;
		uint32_t base, depth_words, window_words;
	} win[] = {
		{ "instr", WIN(instr), 2 * 2048, 16384 },
		{ "act_in", WIN(act_in), 2048, 16384 },
		{ "act_out", WIN(act_out), 2048, 16384 },
		{ "param", WIN(param), 512, 16384 },
		{ "weight", WIN(weight), 8192, 262144 },
	};
	char name[80];
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(win) / sizeof(win[0]); i++) {
		const uint32_t first = win[i].base, last = win[i].base + 4 * (win[i].depth_words - 1);
		const uint32_t past = win[i].base + 4 * win[i].depth_words;
		const uint32_t end = win[i].base + 4 * (win[i].window_words - 1);

		snprintf(name, sizeof(name), "mem_%s_reset_zero", win[i].name);
		check(name, 0, rd(m, last));
		aimc_mmio_write32(m, first, 0x01020304u + (uint32_t)i);
		aimc_mmio_write32(m, last, 0xf0e0d0c0u + (uint32_t)i);
		snprintf(name, sizeof(name), "mem_%s_first_word", win[i].name);
		check(name, 0x01020304u + i, rd(m, first));
		snprintf(name, sizeof(name), "mem_%s_last_word", win[i].name);
		check(name, 0xf0e0d0c0u + i, rd(m, last));
		snprintf(name, sizeof(name), "mem_%s_past_depth_read", win[i].name);
		check(name, AIMC_EBUS, aimc_mmio_read32(m, past, &v));
		snprintf(name, sizeof(name), "mem_%s_past_depth_write", win[i].name);
		check(name, AIMC_EBUS, aimc_mmio_write32(m, past, 1));
		snprintf(name, sizeof(name), "mem_%s_window_end", win[i].name);
		check(name, AIMC_EBUS, aimc_mmio_read32(m, end, &v));
		snprintf(name, sizeof(name), "mem_%s_past_depth_not_aliased", win[i].name);
		check(name, 0x01020304u + i, rd(m, first));
	}
	/* act_in and act_out are distinct buffers */
	aimc_mmio_write32(m, WIN(act_in) + 8, 0x11);
	aimc_mmio_write32(m, WIN(act_out) + 8, 0x22);
	check("mem_act_in_out_distinct", 0x11, rd(m, WIN(act_in) + 8));
}

static uint32_t rm_rd(aimc_refmodel *rm, uint32_t addr)
{
	uint32_t v = 0xbad0bad0u;

	if (aimc_refmodel_read32(rm, addr, &v) != AIMC_OK)
		return 0xbad0bad0u;
	return v;
}

/* W1C irq flags, set by a program (IRQ then HALT), and the interrupt line (model API). */
static void test_irq(aimc_refmodel *rm)
{
	aimc_refmodel_write32(rm, WIN(instr) + 0, 0);
	aimc_refmodel_write32(rm, WIN(instr) + 4, 0x40000000u); /* IRQ */
	aimc_refmodel_write32(rm, WIN(instr) + 8, 0);
	aimc_refmodel_write32(rm, WIN(instr) + 12, 0x50000000u); /* HALT */
	aimc_refmodel_write32(rm, CSR(start_pc), 0);
	check("irq_start", AIMC_OK, aimc_refmodel_write32(rm, CSR(ctrl), 1));
	check("irq_status_halted", 0x2, rm_rd(rm, CSR(status)));
	check("irq_flags_done_prog", 0x5, rm_rd(rm, CSR(irq)));
	check("irq_ctrl_start_reads_0", 0, rm_rd(rm, CSR(ctrl)));
	check("irq_line_disabled", 0, aimc_refmodel_irq_line(rm));
	aimc_refmodel_write32(rm, CSR(ctrl), 0x400); /* irq_en_prog */
	check("irq_line_prog", 1, aimc_refmodel_irq_line(rm));
	aimc_refmodel_write32(rm, CSR(irq), 0);
	check("irq_w0_no_effect", 0x5, rm_rd(rm, CSR(irq)));
	aimc_refmodel_write32(rm, CSR(irq), 0xfffffffbu); /* clears done, not prog */
	check("irq_w1c_done", 0x4, rm_rd(rm, CSR(irq)));
	check("irq_line_still_prog", 1, aimc_refmodel_irq_line(rm));
	aimc_refmodel_write32(rm, CSR(irq), 0x4);
	check("irq_w1c_prog", 0, rm_rd(rm, CSR(irq)));
	check("irq_line_cleared", 0, aimc_refmodel_irq_line(rm));
	check("irq_counted_instrs", 2, rm_rd(rm, CSR(instrs)));
	aimc_refmodel_write32(rm, CSR(ctrl), 0x100); /* irq_en_done: a new run raises the line */
	aimc_refmodel_write32(rm, CSR(start_pc), 1);
	aimc_refmodel_write32(rm, CSR(ctrl), 0x101);
	check("irq_line_done", 1, aimc_refmodel_irq_line(rm));
	check("irq_ctrl_keeps_enable", 0x100, rm_rd(rm, CSR(ctrl)));
}

int main(void)
{
	aimc_cfg cfg;
	aimc_mmio m;
	aimc_refmodel *rm = NULL;
	char err[256];
	uint32_t v;

	if (aimc_cfg_load(&cfg, "configs/tiny.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load_tiny_cfg: %s (seed 1)\n", err);
		return 1;
	}
	check("open_cmodel_null_cfg", AIMC_EINVAL, aimc_mmio_open_cmodel(&m, NULL, 1));
	check("open_cmodel", AIMC_OK, aimc_mmio_open_cmodel(&m, &cfg, 1));
	test_reset_values(&m);
	test_rw(&m);
	test_read_only(&m);
	test_bus_errors(&m);
	test_memories(&m);
	aimc_mmio_close(&m);

	/* the white-box interface: irq line, misaligned access at the model itself */
	check("refmodel_create", AIMC_OK, aimc_refmodel_create(&rm, &cfg, 1));
	check("refmodel_misaligned_is_bus_error", AIMC_EBUS,
	      aimc_refmodel_read32(rm, CSR(scratch) + 1, &v));
	test_irq(rm);
	aimc_refmodel_destroy(rm);

	{
		aimc_cfg bad = cfg;

		bad.wgt_depth = 262145; /* larger than the weight window */
		check("open_cmodel_depth_past_window", AIMC_ECONFIG, aimc_mmio_open_cmodel(&m, &bad, 1));
		bad = cfg;
		bad.cols = 10; /* not a multiple of 4 */
		check("open_cmodel_bad_cols", AIMC_ECONFIG, aimc_mmio_open_cmodel(&m, &bad, 1));
		bad = cfg;
		bad.num_tiles = 17; /* the tile field has 4 bits */
		check("open_cmodel_too_many_tiles", AIMC_ECONFIG, aimc_mmio_open_cmodel(&m, &bad, 1));
	}
	return failures ? 1 : 0;
}
