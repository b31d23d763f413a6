/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test csr-test: register and memory-window checks on a back-end: identity, reset values, config
 * readback, scratch patterns, read-only and unmapped addresses, depth limits, SRAM windows.
 * The sequence of bus operations never depends on the values read, so a recorded trace replays. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aimc_regs.h"
#include "chip_test.h"

#define CMD "csr-test"
#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define FIELD_GET(v, F) (((v) & F##_bm) >> F##_bp)
#define FIELD_SET(v, F) (((uint32_t)(v) << F##_bp) & F##_bm)

typedef struct ck {
	aimc_mmio *m;
	cli_tally t;
} ck;

static void help(void)
{
	printf("usage: aimc-test csr-test --config CFG [options]\n\n"
	       "Checks on a freshly reset chip, one line each: ID and version, reset values of the CSRs,\n"
	       "configuration readback, scratch patterns, writes to read-only registers (bus error, value\n"
	       "unchanged), unmapped CSR offsets and addresses in no window (bus error), a word past the\n"
	       "configured depth of each memory window (bus error), and write/read of each window.\n\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 all checks pass, 1 a check failed, 2 usage or input error.\n");
}

/* Read addr and expect exp (AIMC_OK). */
static void check_read(ck *c, const char *name, uint32_t addr, uint32_t exp)
{
	uint32_t v = 0;
	int rc = aimc_mmio_read32(c->m, addr, &v);

	cli_check(&c->t, rc == AIMC_OK && v == exp, name, "read 0x%08x: %s, 0x%08x, expected 0x%08x", addr,
	       aimc_strerror(rc), v, exp);
}

/* Write then read back. */
static void check_rw(ck *c, const char *name, uint32_t addr, uint32_t val, uint32_t exp)
{
	uint32_t v = 0;
	int wrc = aimc_mmio_write32(c->m, addr, val);
	int rrc = aimc_mmio_read32(c->m, addr, &v);

	cli_check(&c->t, wrc == AIMC_OK && rrc == AIMC_OK && v == exp, name,
	       "wrote 0x%08x to 0x%08x (%s), read back 0x%08x (%s), expected 0x%08x", val, addr,
	       aimc_strerror(wrc), v, aimc_strerror(rrc), exp);
}

/* A write to a read-only register answers a bus error and leaves the value unchanged. */
static void check_ro(ck *c, const char *reg, uint32_t addr)
{
	char name[64];
	uint32_t before = 0, after = 0;
	int r0 = aimc_mmio_read32(c->m, addr, &before);
	int wrc = aimc_mmio_write32(c->m, addr, ~before);
	int r1 = aimc_mmio_read32(c->m, addr, &after);

	snprintf(name, sizeof(name), "read-only %s", reg);
	cli_check(&c->t, r0 == AIMC_OK && wrc == AIMC_EBUS && r1 == AIMC_OK && after == before, name,
	       "write of 0x%08x answered %s (expected a bus error); value 0x%08x before, 0x%08x after",
	       ~before, aimc_strerror(wrc), before, after);
}

/* Both a read and a write of addr answer a bus error. */
static void check_buserr(ck *c, const char *what, uint32_t addr)
{
	char name[96];
	uint32_t v = 0;
	int rrc = aimc_mmio_read32(c->m, addr, &v);
	int wrc = aimc_mmio_write32(c->m, addr, 0x5a5a5a5au);

	snprintf(name, sizeof(name), "bus error %s 0x%08x", what, addr);
	cli_check(&c->t, rrc == AIMC_EBUS && wrc == AIMC_EBUS, name, "read answered %s, write %s",
	       aimc_strerror(rrc), aimc_strerror(wrc));
}

/* One word past a window's configured depth: a bus error, unless the depth fills the whole
 * window (large configs), where that address is the next window's first word. */
static void check_past_depth(ck *c, const char *what, uint32_t base, uint32_t words,
			     uint32_t win_bytes)
{
	if ((uint64_t)words * 4u >= win_bytes) {
		printf("note: %s: the depth fills the window, no hole past it to check\n", what);
		return;
	}
	check_buserr(c, what, base + 4u * words);
}

static uint32_t pattern(uint32_t addr)
{
	uint32_t x = addr * 0x9E3779B1u;

	return x ^ (x >> 15) ^ 0xA5000000u;
}

/* Write distinct patterns at the first, second, middle and last configured word, then read all. */
static void check_window(ck *c, const char *win, uint32_t base, uint32_t depth_words)
{
	uint32_t offs[4] = { 0, 1, depth_words / 2, depth_words - 1 };
	uint32_t v[4] = { 0, 0, 0, 0 };
	int wrc[4], rrc[4], ok = 1, i;
	char name[64], detail[256] = "";

	for (i = 0; i < 4; i++)
		wrc[i] = aimc_mmio_write32(c->m, base + 4u * offs[i], pattern(base + 4u * offs[i]));
	for (i = 0; i < 4; i++)
		rrc[i] = aimc_mmio_read32(c->m, base + 4u * offs[i], &v[i]);
	for (i = 0; i < 4; i++) {
		uint32_t exp = pattern(base + 4u * offs[i]);

		if (wrc[i] != AIMC_OK || rrc[i] != AIMC_OK || v[i] != exp) {
			if (ok)
				snprintf(detail, sizeof(detail),
					 "word %u: write %s, read %s, 0x%08x, expected 0x%08x",
					 offs[i], aimc_strerror(wrc[i]), aimc_strerror(rrc[i]), v[i],
					 exp);
			ok = 0;
		}
	}
	snprintf(name, sizeof(name), "sram %s (words 0, 1, %u, %u)", win, offs[2], offs[3]);
	cli_check(&c->t, ok, name, "%s", detail);
}

int cli_cmd_csr_test(int argc, char **argv)
{
	static const uint32_t walk[] = { 0xFFFFFFFFu, 0x00000000u, 0xA5A5A5A5u, 0x5A5A5A5Au,
					 0x00000001u, 0x80000000u, 0x12345678u };
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL };
	ck c = { .m = &m };
	uint32_t exp_cfg[6], settle_max, instr_words;
	size_t i;
	char name[64];
	int rc;

	rc = cli_backend_only_args(CMD, argc, argv, &be, help);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cli_backend_open(CMD, &be, &cfg, &m) != AIMC_OK)
		return CLI_EXIT_FAIL;
	printf("csr-test: config %s, back-end %s, seed %llu\n", cfg.name, be.backend,
	       (unsigned long long)be.seed);

	/* Identity. */
	check_read(&c, "id", CSR(id), AIMC_CSR__ID__MAGIC_reset);
	check_read(&c, "version (minor, major, isa)", CSR(version),
		   FIELD_SET(AIMC_CSR__VERSION__MINOR_reset, AIMC_CSR__VERSION__MINOR) |
		   FIELD_SET(AIMC_CSR__VERSION__MAJOR_reset, AIMC_CSR__VERSION__MAJOR) |
		   FIELD_SET(AIMC_ISA_VERSION, AIMC_CSR__VERSION__ISA));

	/* Reset values, before the driver writes anything. */
	check_read(&c, "reset ctrl", CSR(ctrl), 0);
	check_read(&c, "reset status (idle)", CSR(status), 0);
	check_read(&c, "reset irq", CSR(irq), 0);
	check_read(&c, "reset err_code", CSR(err_code), 0);
	check_read(&c, "reset err_pc", CSR(err_pc), 0);
	check_read(&c, "reset start_pc", CSR(start_pc), AIMC_CSR__START_PC__PC_reset);
	check_read(&c, "reset settle", CSR(settle), AIMC_CSR__SETTLE__CYCLES_reset);
	check_read(&c, "reset scratch", CSR(scratch), AIMC_CSR__SCRATCH__VALUE_reset);

	/* Configuration readback. */
	exp_cfg[0] = FIELD_SET(cfg.num_tiles, AIMC_CSR__CFG0__NUM_TILES) |
		     FIELD_SET(cfg.dac_bits, AIMC_CSR__CFG0__DAC_BITS) |
		     FIELD_SET(cfg.adc_bits, AIMC_CSR__CFG0__ADC_BITS) |
		     FIELD_SET(cfg.cols_per_adc, AIMC_CSR__CFG0__COLS_PER_ADC);
	exp_cfg[1] = FIELD_SET(cfg.rows, AIMC_CSR__CFG1__ROWS) | FIELD_SET(cfg.cols, AIMC_CSR__CFG1__COLS);
	exp_cfg[2] = FIELD_SET(cfg.instr_depth, AIMC_CSR__CFG2__INSTR_DEPTH) |
		     FIELD_SET(cfg.acc_slots, AIMC_CSR__CFG2__ACC_SLOTS);
	exp_cfg[3] = FIELD_SET(cfg.act_depth, AIMC_CSR__CFG3__ACT_DEPTH) |
		     FIELD_SET(cfg.par_depth, AIMC_CSR__CFG3__PAR_DEPTH);
	exp_cfg[4] = FIELD_SET(cfg.wgt_depth, AIMC_CSR__CFG4__WGT_DEPTH);
	exp_cfg[5] = FIELD_SET(cfg.adc_cycles, AIMC_CSR__CFG5__ADC_CYCLES) |
		     FIELD_SET(cfg.weight_slices - 1u, AIMC_CSR__CFG5__SLICES_M1) |
		     FIELD_SET(cfg.weight_slices > 1 ? cfg.slice_bits : 0u, AIMC_CSR__CFG5__SLICE_BITS);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "config readback cfg%zu", i);
		check_read(&c, name, CSR(cfg0) + 4u * (uint32_t)i, exp_cfg[i]);
	}
	rc = aimc_chip_init(&m, &cfg);
	cli_check(&c.t, rc == AIMC_OK, "aimc_chip_init", "%s", aimc_strerror(rc));

	/* Read/write registers. */
	for (i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		snprintf(name, sizeof(name), "scratch 0x%08x", walk[i]);
		check_rw(&c, name, CSR(scratch), walk[i], walk[i]);
	}
	for (i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "scratch walking one bit %zu", i);
		check_rw(&c, name, CSR(scratch), 1u << i, 1u << i);
	}
	check_rw(&c, "start_pc 0xffff", CSR(start_pc), 0xFFFFu, AIMC_CSR__START_PC__PC_bm);
	check_rw(&c, "start_pc 0", CSR(start_pc), 0, 0);
	settle_max = AIMC_CSR__SETTLE__CYCLES_bm >> AIMC_CSR__SETTLE__CYCLES_bp;
	check_rw(&c, "settle max", CSR(settle), settle_max, settle_max);
	check_rw(&c, "settle from config", CSR(settle), cfg.settle_cycles, cfg.settle_cycles);
	check_rw(&c, "ctrl interrupt enables", CSR(ctrl),
		 AIMC_CSR__CTRL__IRQ_EN_DONE_bm | AIMC_CSR__CTRL__IRQ_EN_ERROR_bm |
		 AIMC_CSR__CTRL__IRQ_EN_PROG_bm,
		 AIMC_CSR__CTRL__IRQ_EN_DONE_bm | AIMC_CSR__CTRL__IRQ_EN_ERROR_bm |
		 AIMC_CSR__CTRL__IRQ_EN_PROG_bm);
	check_rw(&c, "ctrl cleared", CSR(ctrl), 0, 0);

	/* Read-only registers. */
	check_ro(&c, "id", CSR(id));
	check_ro(&c, "version", CSR(version));
	check_ro(&c, "status", CSR(status));
	check_ro(&c, "err_code", CSR(err_code));
	check_ro(&c, "err_pc", CSR(err_pc));
	check_ro(&c, "cfg1", CSR(cfg1));
	check_ro(&c, "cfg4", CSR(cfg4));
	check_ro(&c, "cycles_lo", CSR(cycles_lo));
	check_ro(&c, "instrs", CSR(instrs));
	check_ro(&c, "prog_rows", CSR(prog_rows));

	/* Unmapped CSR offsets and addresses in no window. */
	check_buserr(&c, "unmapped CSR offset", 0x28u);
	check_buserr(&c, "unmapped CSR offset", 0x48u);
	check_buserr(&c, "unmapped CSR offset", 0x7cu);
	check_buserr(&c, "in no window", (uint32_t)sizeof(aimc_csr_t));
	check_buserr(&c, "in no window", cli_win_instr() - 4u);
	check_buserr(&c, "in no window", cli_win_param() + (uint32_t)sizeof(aimc_map__param_t));
	check_buserr(&c, "in no window", cli_win_weight() - 4u);
	check_buserr(&c, "in no window", (uint32_t)sizeof(aimc_map_t));
	check_buserr(&c, "in no window", 0xFFFFFFFCu);

	/* One word past the configured depth of each window. */
	instr_words = 2u * cfg.instr_depth;
	check_past_depth(&c, "past instr depth", cli_win_instr(), instr_words,
			 (uint32_t)sizeof(aimc_map__instr_t));
	check_past_depth(&c, "past act_in depth", cli_win_act_in(), cfg.act_depth,
			 (uint32_t)sizeof(aimc_map__act_in_t));
	check_past_depth(&c, "past act_out depth", cli_win_act_out(), cfg.act_depth,
			 (uint32_t)sizeof(aimc_map__act_out_t));
	/* past the param and weight windows there is a hole or the end of the map: always checked */
	check_buserr(&c, "past param depth", cli_win_param() + 4u * cfg.par_depth);
	check_buserr(&c, "past weight depth", cli_win_weight() + 4u * cfg.wgt_depth);

	/* SRAM windows. */
	check_window(&c, "instr", cli_win_instr(), instr_words);
	check_window(&c, "act_in", cli_win_act_in(), cfg.act_depth);
	check_window(&c, "act_out", cli_win_act_out(), cfg.act_depth);
	check_window(&c, "param", cli_win_param(), cfg.par_depth);
	check_window(&c, "weight", cli_win_weight(), cfg.wgt_depth);

	if (cli_backend_close(CMD, &be, &m, NULL) != AIMC_OK)
		cli_check(&c.t, 0, "replay log fully consumed", NULL);
	printf("csr-test: %u passed, %u failed\n", c.t.pass, c.t.fail);
	return c.t.fail == 0 ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
}
