/* SPDX-License-Identifier: Apache-2.0 */
/* Chip control on top of the MMIO shim: init, memory windows, program load, run, counters.
 * Every address and field comes from the generated aimc_regs.h; none is written here by hand. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aimc.h"
#include "aimc_regs.h"

#define MAP_OFF(member) ((uint32_t)offsetof(aimc_map_t, member))
#define CSR_ADDR(reg) MAP_OFF(csr.reg)
#define WIN_WORDS(member) ((uint32_t)(sizeof(((aimc_map_t *)0)->member) / sizeof(uint32_t)))
#define FIELD_GET(v, F) (((v) & F##_bm) >> F##_bp)
#define FIELD_MAX(F) (F##_bm >> F##_bp)

/* The memory windows the driver may access, and where their configured depth is read back. */
typedef struct window {
	uint32_t base;
	uint32_t size_words;  /* window size in the address map */
	uint32_t depth_csr;   /* readback CSR holding the configured depth */
	uint32_t depth_bm, depth_bp;
	uint32_t words_per_entry; /* the instruction buffer holds 64-bit entries */
} window;

static const window windows[] = {
	{ MAP_OFF(instr), WIN_WORDS(instr), CSR_ADDR(cfg2), AIMC_CSR__CFG2__INSTR_DEPTH_bm,
	  AIMC_CSR__CFG2__INSTR_DEPTH_bp, 2 },
	{ MAP_OFF(act_in), WIN_WORDS(act_in), CSR_ADDR(cfg3), AIMC_CSR__CFG3__ACT_DEPTH_bm,
	  AIMC_CSR__CFG3__ACT_DEPTH_bp, 1 },
	{ MAP_OFF(act_out), WIN_WORDS(act_out), CSR_ADDR(cfg3), AIMC_CSR__CFG3__ACT_DEPTH_bm,
	  AIMC_CSR__CFG3__ACT_DEPTH_bp, 1 },
	{ MAP_OFF(param), WIN_WORDS(param), CSR_ADDR(cfg3), AIMC_CSR__CFG3__PAR_DEPTH_bm,
	  AIMC_CSR__CFG3__PAR_DEPTH_bp, 1 },
	{ MAP_OFF(weight), WIN_WORDS(weight), CSR_ADDR(cfg4), AIMC_CSR__CFG4__WGT_DEPTH_bm,
	  AIMC_CSR__CFG4__WGT_DEPTH_bp, 1 },
};

static const window *window_find(uint32_t base)
{
	size_t i;

	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++)
		if (windows[i].base == base)
			return &windows[i];
	return NULL;
}

/* Place v in a field; AIMC_ECONFIG if it does not fit. */
static int field_put(uint32_t *reg, uint32_t v, uint32_t bm, uint32_t bp)
{
	if (v > (bm >> bp))
		return AIMC_ECONFIG;
	*reg |= v << bp;
	return AIMC_OK;
}

/* Expected values of cfg0..cfg5 for cfg. */
static int cfg_readback_expected(const aimc_cfg *cfg, uint32_t exp[6])
{
	int rc = AIMC_OK;
	int i;

	for (i = 0; i < 6; i++)
		exp[i] = 0;
#define PUT(idx, v, F) \
	if (rc == AIMC_OK) \
		rc = field_put(&exp[idx], (v), F##_bm, F##_bp)
	PUT(0, cfg->num_tiles, AIMC_CSR__CFG0__NUM_TILES);
	PUT(0, cfg->dac_bits, AIMC_CSR__CFG0__DAC_BITS);
	PUT(0, cfg->adc_bits, AIMC_CSR__CFG0__ADC_BITS);
	PUT(0, cfg->cols_per_adc, AIMC_CSR__CFG0__COLS_PER_ADC);
	PUT(1, cfg->rows, AIMC_CSR__CFG1__ROWS);
	PUT(1, cfg->cols, AIMC_CSR__CFG1__COLS);
	PUT(2, cfg->instr_depth, AIMC_CSR__CFG2__INSTR_DEPTH);
	PUT(2, cfg->acc_slots, AIMC_CSR__CFG2__ACC_SLOTS);
	PUT(3, cfg->act_depth, AIMC_CSR__CFG3__ACT_DEPTH);
	PUT(3, cfg->par_depth, AIMC_CSR__CFG3__PAR_DEPTH);
	PUT(4, cfg->wgt_depth, AIMC_CSR__CFG4__WGT_DEPTH);
	PUT(5, cfg->adc_cycles, AIMC_CSR__CFG5__ADC_CYCLES);
	PUT(5, cfg->counter_bits < 32 ? cfg->counter_bits : 0, AIMC_CSR__CFG5__COUNTER_CUT);
	PUT(5, cfg->conflict_check ? 0u : 1u, AIMC_CSR__CFG5__NO_CONFLICT);
	PUT(5, cfg->isa_tfl ? 0u : 1u, AIMC_CSR__CFG5__NO_TFL);
	PUT(5, cfg->weight_slices - 1u, AIMC_CSR__CFG5__SLICES_M1);
	PUT(5, cfg->weight_slices > 1 ? cfg->slice_bits : 0u, AIMC_CSR__CFG5__SLICE_BITS);
#undef PUT
	return rc;
}

/* pv_ctrl and pv_tol from the config's pv_* keys; AIMC_ECONFIG if one does not fit. */
static int pv_regs(const aimc_cfg *cfg, uint32_t *ctrl, uint32_t *tol)
{
	int rc;

	*ctrl = 0;
	*tol = 0;
	if (!(cfg->pv_tol >= 0.0 && cfg->pv_tol < 1.0))
		return AIMC_ECONFIG;
	rc = field_put(ctrl, cfg->pv_enable, AIMC_CSR__PV_CTRL__ENABLE_bm, AIMC_CSR__PV_CTRL__ENABLE_bp);
	if (rc == AIMC_OK)
		rc = field_put(ctrl, cfg->pv_stop, AIMC_CSR__PV_CTRL__STOP_bm, AIMC_CSR__PV_CTRL__STOP_bp);
	if (rc == AIMC_OK)
		rc = field_put(ctrl, cfg->pv_budget, AIMC_CSR__PV_CTRL__BUDGET_bm,
			       AIMC_CSR__PV_CTRL__BUDGET_bp);
	/* Q0.16 fraction of the conductance range, rounded to nearest */
	if (rc == AIMC_OK)
		rc = field_put(tol, (uint32_t)(cfg->pv_tol * 65536.0 + 0.5), AIMC_CSR__PV_TOL__TOL_bm,
			       AIMC_CSR__PV_TOL__TOL_bp);
	return rc;
}

int aimc_chip_pv_setup(aimc_mmio *m, const aimc_cfg *cfg)
{
	uint32_t ctrl, tol;
	int rc;

	if (m == NULL || cfg == NULL)
		return AIMC_EINVAL;
	rc = pv_regs(cfg, &ctrl, &tol);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_write32(m, CSR_ADDR(pv_tol), tol);
	if (rc != AIMC_OK)
		return rc;
	return aimc_mmio_write32(m, CSR_ADDR(pv_ctrl), ctrl);
}

int aimc_pv_counters_read(aimc_mmio *m, uint32_t tile, uint32_t *pulses, uint32_t *unconv)
{
	int rc;

	if (m == NULL || pulses == NULL || unconv == NULL ||
	    tile > (AIMC_CSR__PV_SEL__TILE_bm >> AIMC_CSR__PV_SEL__TILE_bp))
		return AIMC_EINVAL;
	rc = aimc_mmio_write32(m, CSR_ADDR(pv_sel), tile << AIMC_CSR__PV_SEL__TILE_bp);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(m, CSR_ADDR(pv_pulses), pulses);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(m, CSR_ADDR(pv_unconv), unconv);
	return rc;
}

int aimc_chip_init(aimc_mmio *m, const aimc_cfg *cfg)
{
	static const uint32_t cfg_regs[6] = {
		CSR_ADDR(cfg0), CSR_ADDR(cfg1), CSR_ADDR(cfg2),
		CSR_ADDR(cfg3), CSR_ADDR(cfg4), CSR_ADDR(cfg5),
	};
	uint32_t exp[6];
	uint32_t settle = 0, pv_ctrl, pv_tol;
	uint32_t v;
	int rc;
	int i;

	if (m == NULL || cfg == NULL)
		return AIMC_EINVAL;
	rc = cfg_readback_expected(cfg, exp);
	if (rc != AIMC_OK)
		return rc;
	if (cfg->settle_cycles == 0)
		return AIMC_ECONFIG;
	rc = field_put(&settle, cfg->settle_cycles, AIMC_CSR__SETTLE__CYCLES_bm,
		       AIMC_CSR__SETTLE__CYCLES_bp);
	if (rc == AIMC_OK)
		rc = pv_regs(cfg, &pv_ctrl, &pv_tol); /* checked before any access */
	if (rc != AIMC_OK)
		return rc;

	rc = aimc_mmio_read32(m, CSR_ADDR(id), &v);
	if (rc != AIMC_OK)
		return rc;
	if (FIELD_GET(v, AIMC_CSR__ID__MAGIC) != AIMC_CSR__ID__MAGIC_reset)
		return AIMC_EMISMATCH;
	rc = aimc_mmio_read32(m, CSR_ADDR(version), &v);
	if (rc != AIMC_OK)
		return rc;
	if (FIELD_GET(v, AIMC_CSR__VERSION__MAJOR) != AIMC_CSR__VERSION__MAJOR_reset ||
	    FIELD_GET(v, AIMC_CSR__VERSION__ISA) != AIMC_ISA_VERSION)
		return AIMC_EMISMATCH;
	for (i = 0; i < 6; i++) {
		rc = aimc_mmio_read32(m, cfg_regs[i], &v);
		if (rc != AIMC_OK)
			return rc;
		if (v != exp[i])
			return AIMC_EMISMATCH;
	}
	rc = aimc_mmio_write32(m, CSR_ADDR(settle), settle);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_write32(m, CSR_ADDR(pv_tol), pv_tol);
	if (rc != AIMC_OK)
		return rc;
	return aimc_mmio_write32(m, CSR_ADDR(pv_ctrl), pv_ctrl);
}

/* The readback fields one by one, for a message that names each field that differs. */
typedef struct readback_field {
	const char *name;
	uint32_t reg, bm, bp;
} readback_field;

static const readback_field readback_fields[] = {
	{ "num_tiles", 0, AIMC_CSR__CFG0__NUM_TILES_bm, AIMC_CSR__CFG0__NUM_TILES_bp },
	{ "dac_bits", 0, AIMC_CSR__CFG0__DAC_BITS_bm, AIMC_CSR__CFG0__DAC_BITS_bp },
	{ "adc_bits", 0, AIMC_CSR__CFG0__ADC_BITS_bm, AIMC_CSR__CFG0__ADC_BITS_bp },
	{ "cols_per_adc", 0, AIMC_CSR__CFG0__COLS_PER_ADC_bm, AIMC_CSR__CFG0__COLS_PER_ADC_bp },
	{ "rows", 1, AIMC_CSR__CFG1__ROWS_bm, AIMC_CSR__CFG1__ROWS_bp },
	{ "cols", 1, AIMC_CSR__CFG1__COLS_bm, AIMC_CSR__CFG1__COLS_bp },
	{ "instr_depth", 2, AIMC_CSR__CFG2__INSTR_DEPTH_bm, AIMC_CSR__CFG2__INSTR_DEPTH_bp },
	{ "acc_slots", 2, AIMC_CSR__CFG2__ACC_SLOTS_bm, AIMC_CSR__CFG2__ACC_SLOTS_bp },
	{ "act_depth", 3, AIMC_CSR__CFG3__ACT_DEPTH_bm, AIMC_CSR__CFG3__ACT_DEPTH_bp },
	{ "par_depth", 3, AIMC_CSR__CFG3__PAR_DEPTH_bm, AIMC_CSR__CFG3__PAR_DEPTH_bp },
	{ "wgt_depth", 4, AIMC_CSR__CFG4__WGT_DEPTH_bm, AIMC_CSR__CFG4__WGT_DEPTH_bp },
	{ "adc_cycles", 5, AIMC_CSR__CFG5__ADC_CYCLES_bm, AIMC_CSR__CFG5__ADC_CYCLES_bp },
	{ "counter_bits (cfg5.counter_cut, 0 = 32)", 5, AIMC_CSR__CFG5__COUNTER_CUT_bm,
	  AIMC_CSR__CFG5__COUNTER_CUT_bp },
	{ "conflict_check (cfg5.no_conflict, inverted)", 5, AIMC_CSR__CFG5__NO_CONFLICT_bm,
	  AIMC_CSR__CFG5__NO_CONFLICT_bp },
	{ "isa_tfl (cfg5.no_tfl, inverted)", 5, AIMC_CSR__CFG5__NO_TFL_bm, AIMC_CSR__CFG5__NO_TFL_bp },
	{ "weight_slices (cfg5.slices_m1, minus 1)", 5, AIMC_CSR__CFG5__SLICES_M1_bm,
	  AIMC_CSR__CFG5__SLICES_M1_bp },
	{ "slice_bits (cfg5.slice_bits, 0 with one slice)", 5, AIMC_CSR__CFG5__SLICE_BITS_bm,
	  AIMC_CSR__CFG5__SLICE_BITS_bp },
};

int aimc_chip_config_diff(aimc_mmio *m, const aimc_cfg *cfg, char *buf, size_t len)
{
	static const uint32_t cfg_regs[6] = {
		CSR_ADDR(cfg0), CSR_ADDR(cfg1), CSR_ADDR(cfg2),
		CSR_ADDR(cfg3), CSR_ADDR(cfg4), CSR_ADDR(cfg5),
	};
	uint32_t exp[6], got[6];
	size_t i, pos = 0;
	int rc, n = 0;

	if (m == NULL || cfg == NULL || buf == NULL || len == 0)
		return AIMC_EINVAL;
	buf[0] = '\0';
	rc = cfg_readback_expected(cfg, exp);
	if (rc != AIMC_OK)
		return rc;
	for (i = 0; i < 6; i++) {
		rc = aimc_mmio_read32(m, cfg_regs[i], &got[i]);
		if (rc != AIMC_OK)
			return rc;
	}
	for (i = 0; i < sizeof(readback_fields) / sizeof(readback_fields[0]); i++) {
		const readback_field *f = &readback_fields[i];
		uint32_t a = (got[f->reg] & f->bm) >> f->bp, b = (exp[f->reg] & f->bm) >> f->bp;
		int w;

		if (a == b)
			continue;
		n++;
		if (pos >= len)
			continue;
		w = snprintf(buf + pos, len - pos, "%s%s: chip %u, config %u", pos ? "; " : "", f->name,
			     a, b);
		pos = w < 0 ? len : pos + (size_t)w;
	}
	return n;
}

int aimc_chip_explain(aimc_mmio *m, const aimc_cfg *cfg, char *buf, size_t len)
{
	char diff[768];
	uint32_t v;
	int rc, n;

	if (m == NULL || buf == NULL || len == 0)
		return AIMC_EINVAL;
	buf[0] = '\0';
	rc = aimc_mmio_read32(m, CSR_ADDR(id), &v);
	if (rc != AIMC_OK)
		return rc;
	if (FIELD_GET(v, AIMC_CSR__ID__MAGIC) != AIMC_CSR__ID__MAGIC_reset) {
		snprintf(buf, len, "the id register reads 0x%08x: no Kirchhoff chip answers (a Kirchhoff "
			 "chip reads 0x%08x)", v, (unsigned)AIMC_CSR__ID__MAGIC_reset);
		return AIMC_EMISMATCH;
	}
	rc = aimc_mmio_read32(m, CSR_ADDR(version), &v);
	if (rc != AIMC_OK)
		return rc;
	if (FIELD_GET(v, AIMC_CSR__VERSION__MAJOR) != AIMC_CSR__VERSION__MAJOR_reset ||
	    FIELD_GET(v, AIMC_CSR__VERSION__ISA) != AIMC_ISA_VERSION) {
		snprintf(buf, len, "the chip has register map version %u and ISA %u, this driver %u and %u",
			 (unsigned)FIELD_GET(v, AIMC_CSR__VERSION__MAJOR),
			 (unsigned)FIELD_GET(v, AIMC_CSR__VERSION__ISA),
			 (unsigned)AIMC_CSR__VERSION__MAJOR_reset, (unsigned)AIMC_ISA_VERSION);
		return AIMC_EMISMATCH;
	}
	if (cfg == NULL)
		return AIMC_OK;
	n = aimc_chip_config_diff(m, cfg, diff, sizeof(diff));
	if (n < 0)
		return n;
	if (n == 0)
		return AIMC_OK;
	snprintf(buf, len, "the chip differs from config %s in %d field%s: %s", cfg->name, n,
		 n == 1 ? "" : "s", diff);
	return AIMC_EMISMATCH;
}

/* Check [word_off, word_off + n) against the window size (no access) and then against the
 * configured depth read back from the chip (one CSR read, before any memory access). */
static int mem_check(aimc_mmio *m, const window *win, uint32_t word_off, size_t n)
{
	uint32_t v;
	uint64_t depth;
	int rc;

	if ((uint64_t)word_off + n > win->size_words)
		return AIMC_ERANGE;
	rc = aimc_mmio_read32(m, win->depth_csr, &v);
	if (rc != AIMC_OK)
		return rc;
	depth = (uint64_t)((v & win->depth_bm) >> win->depth_bp) * win->words_per_entry;
	if ((uint64_t)word_off + n > depth)
		return AIMC_ERANGE;
	return AIMC_OK;
}

/* The checks shared by aimc_mem_write and aimc_mem_read, before any data access. */
static int mem_begin(aimc_mmio *m, uint32_t base, uint32_t word_off, const void *w, size_t n)
{
	const window *win = window_find(base);

	if (m == NULL || win == NULL || (n > 0 && w == NULL))
		return AIMC_EINVAL;
	if (n == 0)
		return (uint64_t)word_off <= win->size_words ? AIMC_OK : AIMC_ERANGE;
	return mem_check(m, win, word_off, n);
}

int aimc_mem_write(aimc_mmio *m, uint32_t base, uint32_t word_off, const uint32_t *w, size_t n)
{
	size_t i;
	int rc = mem_begin(m, base, word_off, w, n);

	if (rc != AIMC_OK)
		return rc;
	for (i = 0; i < n; i++) {
		rc = aimc_mmio_write32(m, base + (uint32_t)((word_off + i) * sizeof(uint32_t)), w[i]);
		if (rc != AIMC_OK)
			return rc;
	}
	return AIMC_OK;
}

int aimc_mem_read(aimc_mmio *m, uint32_t base, uint32_t word_off, uint32_t *w, size_t n)
{
	size_t i;
	int rc = mem_begin(m, base, word_off, w, n);

	if (rc != AIMC_OK)
		return rc;
	for (i = 0; i < n; i++) {
		rc = aimc_mmio_read32(m, base + (uint32_t)((word_off + i) * sizeof(uint32_t)), &w[i]);
		if (rc != AIMC_OK)
			return rc;
	}
	return AIMC_OK;
}

int aimc_prog_load(aimc_mmio *m, const aimc_cfg *cfg, const uint64_t *prog, size_t n)
{
	const uint32_t base = MAP_OFF(instr);
	size_t i;
	int rc;

	if (m == NULL || cfg == NULL || prog == NULL || n == 0)
		return AIMC_EINVAL;
	if ((uint64_t)cfg->instr_depth * 2 > WIN_WORDS(instr))
		return AIMC_ECONFIG;
	if (n > cfg->instr_depth)
		return AIMC_ERANGE;
	for (i = 0; i < n; i++) {
		uint32_t addr = base + (uint32_t)(i * 2 * sizeof(uint32_t));

		rc = aimc_mmio_write32(m, addr, (uint32_t)prog[i]);
		if (rc != AIMC_OK)
			return rc;
		rc = aimc_mmio_write32(m, addr + sizeof(uint32_t), (uint32_t)(prog[i] >> 32));
		if (rc != AIMC_OK)
			return rc;
	}
	return AIMC_OK;
}

int aimc_run(aimc_mmio *m, uint32_t pc, uint32_t max_polls, uint32_t *chip_err, uint32_t *chip_pc)
{
	const uint32_t irq_en = AIMC_CSR__CTRL__IRQ_EN_DONE_bm | AIMC_CSR__CTRL__IRQ_EN_ERROR_bm |
				AIMC_CSR__CTRL__IRQ_EN_PROG_bm;
	const uint32_t irq_all = AIMC_CSR__IRQ__DONE_bm | AIMC_CSR__IRQ__ERROR_bm |
				 AIMC_CSR__IRQ__PROG_bm;
	uint32_t ctrl, status, code, epc, irq;
	int rc;

	if (chip_err != NULL)
		*chip_err = 0;
	if (chip_pc != NULL)
		*chip_pc = 0;
	if (m == NULL || max_polls == 0)
		return AIMC_EINVAL;
	if (pc > FIELD_MAX(AIMC_CSR__START_PC__PC))
		return AIMC_ERANGE;

	rc = aimc_mmio_write32(m, CSR_ADDR(start_pc), pc << AIMC_CSR__START_PC__PC_bp);
	if (rc != AIMC_OK)
		return rc;
	/* Keep the interrupt enables: ctrl is written whole. */
	rc = aimc_mmio_read32(m, CSR_ADDR(ctrl), &ctrl);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_write32(m, CSR_ADDR(ctrl), (ctrl & irq_en) | AIMC_CSR__CTRL__START_bm);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_poll32(m, CSR_ADDR(status), AIMC_CSR__STATUS__BUSY_bm, 0, max_polls, &status);
	if (rc != AIMC_OK)
		return rc;

	rc = aimc_mmio_read32(m, CSR_ADDR(status), &status);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_read32(m, CSR_ADDR(err_code), &code);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_read32(m, CSR_ADDR(err_pc), &epc);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_read32(m, CSR_ADDR(irq), &irq);
	if (rc != AIMC_OK)
		return rc;
	if ((irq & irq_all) != 0) {
		rc = aimc_mmio_write32(m, CSR_ADDR(irq), irq & irq_all);
		if (rc != AIMC_OK)
			return rc;
	}
	if (chip_err != NULL)
		*chip_err = FIELD_GET(code, AIMC_CSR__ERR_CODE__CODE);
	if (chip_pc != NULL)
		*chip_pc = FIELD_GET(epc, AIMC_CSR__ERR_PC__PC);
	if (status & AIMC_CSR__STATUS__ERROR_bm)
		return AIMC_ECHIP;
	if (status & AIMC_CSR__STATUS__HALTED_bm)
		return AIMC_OK;
	/* Idle but neither halted nor stopped on an error: the start was not taken. */
	return AIMC_ECHIP;
}

/* Chip totals and the counters of each configured tile. */
static int tile_counters_read(aimc_mmio *m, aimc_counters *c)
{
	uint32_t cfg0, t;
	int rc;

	rc = aimc_mmio_read32(m, CSR_ADDR(cfg0), &cfg0);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(m, CSR_ADDR(reads_total), &c->reads);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(m, CSR_ADDR(stalls_total), &c->stalls);
	if (rc != AIMC_OK)
		return rc;
	c->n_tiles = FIELD_GET(cfg0, AIMC_CSR__CFG0__NUM_TILES);
	if (c->n_tiles == 0 || c->n_tiles > AIMC_MAX_TILES)
		return AIMC_EMISMATCH;
	for (t = 0; t < c->n_tiles && rc == AIMC_OK; t++) {
		aimc_tile_counters *tc = &c->tile[t];

		rc = aimc_mmio_read32(m, CSR_ADDR(tile_busy[0]) + 4u * t, &tc->busy);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(m, CSR_ADDR(tile_idle[0]) + 4u * t, &tc->idle);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(m, CSR_ADDR(tile_mvms[0]) + 4u * t, &tc->mvms);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(m, CSR_ADDR(tile_reads[0]) + 4u * t, &tc->reads);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(m, CSR_ADDR(tile_adc[0]) + 4u * t, &tc->adc_convs);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(m, CSR_ADDR(tile_sats[0]) + 4u * t, &tc->sats);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(m, CSR_ADDR(tile_stalls[0]) + 4u * t, &tc->stalls);
	}
	return rc;
}

int aimc_counters_read(aimc_mmio *m, aimc_counters *c)
{
	uint32_t hi, lo, hi2;
	uint32_t *dst[6];
	size_t i;
	int rc;
	static const uint32_t regs[6] = {
		CSR_ADDR(instrs), CSR_ADDR(mvms), CSR_ADDR(convs),
		CSR_ADDR(adc_convs), CSR_ADDR(sats), CSR_ADDR(prog_rows),
	};

	if (m == NULL || c == NULL)
		return AIMC_EINVAL;
	memset(c, 0, sizeof(*c));
	c->bits = 32;
	dst[0] = &c->instrs;
	dst[1] = &c->mvms;
	dst[2] = &c->convs;
	dst[3] = &c->adc_convs;
	dst[4] = &c->sats;
	dst[5] = &c->prog_rows;

	/* hi, lo, hi: a carry between the halves shows as a changed hi; then lo is read again. */
	rc = aimc_mmio_read32(m, CSR_ADDR(cycles_hi), &hi);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_read32(m, CSR_ADDR(cycles_lo), &lo);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_mmio_read32(m, CSR_ADDR(cycles_hi), &hi2);
	if (rc != AIMC_OK)
		return rc;
	if (hi2 != hi) {
		rc = aimc_mmio_read32(m, CSR_ADDR(cycles_lo), &lo);
		if (rc != AIMC_OK)
			return rc;
	}
	c->cycles = (uint64_t)hi2 << 32 | lo;
	for (i = 0; i < 6; i++) {
		rc = aimc_mmio_read32(m, regs[i], dst[i]);
		if (rc != AIMC_OK)
			return rc;
	}
	return tile_counters_read(m, c);
}

void aimc_counters_delta(const aimc_counters *a, const aimc_counters *b, aimc_counters *d)
{
	uint32_t t, mask;

	if (a == NULL || b == NULL || d == NULL)
		return;
	memset(d, 0, sizeof(*d));
	/* every counter cut to b->bits wraps there (cfg5.counter_cut), the busy cycles included */
	mask = b->bits != 0 && b->bits < 32 ? (1u << b->bits) - 1u : 0xffffffffu;
	d->cycles = (b->cycles - a->cycles) & (mask == 0xffffffffu ? ~0ull : mask);
	d->instrs = (b->instrs - a->instrs) & mask;
	d->mvms = (b->mvms - a->mvms) & mask;
	d->convs = (b->convs - a->convs) & mask;
	d->adc_convs = (b->adc_convs - a->adc_convs) & mask;
	d->sats = (b->sats - a->sats) & mask;
	d->prog_rows = (b->prog_rows - a->prog_rows) & mask;
	d->reads = (b->reads - a->reads) & mask;
	d->stalls = (b->stalls - a->stalls) & mask;
	d->n_tiles = b->n_tiles;
	d->bits = b->bits;
	for (t = 0; t < b->n_tiles && t < AIMC_MAX_TILES; t++) {
		const aimc_tile_counters *ta = &a->tile[t], *tb = &b->tile[t];
		aimc_tile_counters *td = &d->tile[t];

		td->busy = (tb->busy - ta->busy) & mask;
		td->idle = (tb->idle - ta->idle) & mask;
		td->mvms = (tb->mvms - ta->mvms) & mask;
		td->reads = (tb->reads - ta->reads) & mask;
		td->adc_convs = (tb->adc_convs - ta->adc_convs) & mask;
		td->sats = (tb->sats - ta->sats) & mask;
		td->stalls = (tb->stalls - ta->stalls) & mask;
	}
}

void aimc_counters_add(aimc_counters *sum, const aimc_counters *d)
{
	uint32_t t;

	if (sum == NULL || d == NULL)
		return;
	sum->cycles += d->cycles;
	sum->instrs += d->instrs;
	sum->mvms += d->mvms;
	sum->convs += d->convs;
	sum->adc_convs += d->adc_convs;
	sum->sats += d->sats;
	sum->prog_rows += d->prog_rows;
	sum->reads += d->reads;
	sum->stalls += d->stalls;
	sum->n_tiles = d->n_tiles;
	sum->bits = 64;
	for (t = 0; t < d->n_tiles && t < AIMC_MAX_TILES; t++) {
		aimc_tile_counters *ts = &sum->tile[t];
		const aimc_tile_counters *td = &d->tile[t];

		ts->busy += td->busy;
		ts->idle += td->idle;
		ts->mvms += td->mvms;
		ts->reads += td->reads;
		ts->adc_convs += td->adc_convs;
		ts->sats += td->sats;
		ts->stalls += td->stalls;
	}
}

int aimc_soft_reset(aimc_mmio *m)
{
	if (m == NULL)
		return AIMC_EINVAL;
	return aimc_mmio_write32(m, CSR_ADDR(soft_reset), AIMC_CSR__SOFT_RESET__GO_bm);
}

int aimc_bus_err_read(aimc_mmio *m, aimc_bus_err *e, int clear)
{
	uint32_t v;
	int rc;

	if (m == NULL || e == NULL)
		return AIMC_EINVAL;
	rc = aimc_mmio_read32(m, CSR_ADDR(bus_err), &v);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(m, CSR_ADDR(bus_err_addr), &e->addr);
	if (rc != AIMC_OK)
		return rc;
	e->valid = FIELD_GET(v, AIMC_CSR__BUS_ERR__VALID);
	e->write = FIELD_GET(v, AIMC_CSR__BUS_ERR__WRITE);
	e->resp = FIELD_GET(v, AIMC_CSR__BUS_ERR__RESP);
	e->count = FIELD_GET(v, AIMC_CSR__BUS_ERR__COUNT);
	if (clear)
		rc = aimc_mmio_write32(m, CSR_ADDR(bus_err), AIMC_CSR__BUS_ERR__CLEAR_bm);
	return rc;
}
