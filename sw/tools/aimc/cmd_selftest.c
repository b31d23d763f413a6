/* SPDX-License-Identifier: Apache-2.0 */
/* aimc selftest: the bring-up self-test of docs/fpga-bringup.md. The same steps on any back-end
 * (Verilator model, simulated board through the UART bridge, a board over serial or mmap): CSR
 * walk, SRAM march of every buffer window, a known-answer MVM on each tile, an end-to-end digits
 * inference. One PASS/FAIL/SKIP line per step; exit 0 only if no step failed. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_regs.h"
#include "cli.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define RST(reg, field) \
	((uint32_t)AIMC_CSR__##reg##__##field##_reset << AIMC_CSR__##reg##__##field##_bp)
#define MAX_DETAIL 200

typedef struct st {
	const char *cmd;
	aimc_mmio *m;
	const aimc_cfg *cfg;
	uint64_t seed;
	int ideal;      /* the design's config (faults cleared) is ideal: exact known answers */
	int32_t diag_tol; /* fault diagnosis: largest |chip - expected| of a healthy cell; -1: none */
	char diag_why[96]; /* why there is no diagnosis (diag_tol -1) */
	unsigned pass, fail, skip;
} st;

static void step(st *s, int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void step(st *s, int ok, const char *name, const char *fmt, ...)
{
	char detail[MAX_DETAIL] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (ok < 0) {
		s->skip++;
		printf("selftest: SKIP %-28s %s\n", name, detail);
	} else if (ok) {
		s->pass++;
		printf("selftest: PASS %-28s %s\n", name, detail);
	} else {
		s->fail++;
		printf("selftest: FAIL %-28s %s\n", name, detail);
	}
	fflush(stdout);
}

/* xorshift64*: the test's own stimulus, from the seed. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1Dull;
}

/* ---- 1. link and ID ------------------------------------------------------------------------ */
static int step_id(st *s)
{
	uint32_t v = 0;
	int rc = aimc_mmio_read32(s->m, CSR(id), &v);

	if (rc != AIMC_OK) {
		step(s, 0, "link: read id", "bus: %s (check cable, port, baud, bitstream)",
		     aimc_strerror(rc));
		return -1;
	}
	step(s, v == RST(ID, MAGIC), "link: read id", "id 0x%08x, expected 0x%08x", v,
	     RST(ID, MAGIC));
	return v == RST(ID, MAGIC) ? 0 : -1;
}

/* ---- 2. CSR walk --------------------------------------------------------------------------- */
static void step_csr_reset(st *s)
{
	static const struct {
		const char *name;
		uint32_t addr, value;
	} regs[] = {
		{ "version", CSR(version), RST(VERSION, MINOR) | RST(VERSION, MAJOR) |
						   (AIMC_ISA_VERSION << AIMC_CSR__VERSION__ISA_bp) },
		{ "ctrl", CSR(ctrl), RST(CTRL, START) | RST(CTRL, IRQ_EN_DONE) |
					     RST(CTRL, IRQ_EN_ERROR) | RST(CTRL, IRQ_EN_PROG) },
		{ "irq", CSR(irq), RST(IRQ, DONE) | RST(IRQ, ERROR) | RST(IRQ, PROG) },
		{ "start_pc", CSR(start_pc), RST(START_PC, PC) },
		{ "settle", CSR(settle), RST(SETTLE, CYCLES) },
		{ "scratch", CSR(scratch), RST(SCRATCH, VALUE) },
		{ "sat_mode", CSR(sat_mode), RST(SAT_MODE, STOP) },
		{ "watchdog", CSR(watchdog), RST(WATCHDOG, CYCLES) },
		{ "pv_ctrl", CSR(pv_ctrl), RST(PV_CTRL, ENABLE) | RST(PV_CTRL, STOP) |
					       RST(PV_CTRL, BUDGET) },
		{ "pv_tol", CSR(pv_tol), RST(PV_TOL, TOL) },
		{ "pv_sel", CSR(pv_sel), RST(PV_SEL, TILE) },
	};
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint32_t v = 0;
		int rc = aimc_mmio_read32(s->m, regs[i].addr, &v);
		/* the digital twin has no program-and-verify engine: pv_ctrl, pv_tol, pv_sel read 0 */
		uint32_t exp = (s->cfg->xbar_impl == 1 && regs[i].addr >= CSR(pv_ctrl) &&
				regs[i].addr <= CSR(pv_sel)) ? 0u : regs[i].value;

		if (rc != AIMC_OK || v != exp) {
			step(s, 0, "csr: reset values",
			     "%s (0x%03x): read 0x%08x (%s), reset value 0x%08x (after power-on "
			     "or the reset button only)", regs[i].name, regs[i].addr, v,
			     aimc_strerror(rc), exp);
			return;
		}
	}
	step(s, 1, "csr: reset values", "%zu registers", i);
}

static void step_csr_rw(st *s)
{
	uint32_t pats[40], v = 0;
	size_t n = 0, i;
	int rc;

	pats[n++] = 0x00000000u;
	pats[n++] = 0xFFFFFFFFu;
	pats[n++] = 0x55555555u;
	pats[n++] = 0xAAAAAAAAu;
	for (i = 0; i < 32; i++)
		pats[n++] = 1u << i;
	for (i = 0; i < n; i++) {
		rc = aimc_mmio_write32(s->m, CSR(scratch), pats[i]);
		if (rc == AIMC_OK)
			rc = aimc_mmio_read32(s->m, CSR(scratch), &v);
		if (rc != AIMC_OK || v != pats[i]) {
			step(s, 0, "csr: read/write", "scratch: wrote 0x%08x, read 0x%08x (%s)", pats[i],
			     v, aimc_strerror(rc));
			return;
		}
	}
	/* A field narrower than the register: start_pc keeps its 16 bits only. */
	rc = aimc_mmio_write32(s->m, CSR(start_pc), 0xFFFFFFFFu);
	if (rc == AIMC_OK)
		rc = aimc_mmio_read32(s->m, CSR(start_pc), &v);
	if (rc == AIMC_OK && v == AIMC_CSR__START_PC__PC_bm)
		rc = aimc_mmio_write32(s->m, CSR(start_pc), 0);
	step(s, rc == AIMC_OK && v == AIMC_CSR__START_PC__PC_bm, "csr: read/write",
	     "scratch %zu patterns, start_pc 0xffffffff -> 0x%08x (%s)", n, v, aimc_strerror(rc));
}

static void step_csr_ro(st *s)
{
	static const struct {
		const char *name;
		uint32_t addr;
	} regs[] = { { "id", CSR(id) }, { "version", CSR(version) }, { "status", CSR(status) },
		     { "cfg0", CSR(cfg0) }, { "cfg1", CSR(cfg1) } };
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint32_t before = 0, after = 0;
		int r0 = aimc_mmio_read32(s->m, regs[i].addr, &before);
		int rw = aimc_mmio_write32(s->m, regs[i].addr, ~before);
		int r1 = aimc_mmio_read32(s->m, regs[i].addr, &after);

		if (r0 != AIMC_OK || r1 != AIMC_OK || rw != AIMC_EBUS || after != before) {
			step(s, 0, "csr: read-only", "%s: write answered '%s' (expected a bus error), "
			     "value 0x%08x -> 0x%08x", regs[i].name, aimc_strerror(rw), before, after);
			return;
		}
	}
	/* Clear the bus-error record those writes left. */
	{
		aimc_bus_err e;

		(void)aimc_bus_err_read(s->m, &e, 1);
	}
	step(s, 1, "csr: read-only", "%zu registers answer SLVERR and keep their value", i);
}

static void step_csr_cfg(st *s)
{
	int rc = aimc_chip_init(s->m, s->cfg);

	step(s, rc == AIMC_OK, "csr: config readback",
	     rc == AIMC_OK ? "cfg0..cfg5 equal config %s" : "config %s: %s (bitstream built for "
							      "another config?)",
	     s->cfg->name, aimc_strerror(rc));
}

/* ---- 3. SRAM march C- on every buffer window ------------------------------------------------- */
/* Elements: up(w0) up(r0,w1) up(r1,w0) down(r0,w1) down(r1,w0) up(r0) with data background d, then
 * the same with ~d; then every word holds its own address (address decoder faults). */
static int march(st *s, uint32_t base, uint32_t words, uint32_t d, char *err, size_t errlen)
{
	static const struct {
		int down;
		int rd;     /* -1 none, else which background to expect (0: d, 1: ~d) */
		int wr;     /* -1 none, else which to write */
	} el[] = { { 0, -1, 0 }, { 0, 0, 1 }, { 0, 1, 0 }, { 1, 0, 1 }, { 1, 1, 0 }, { 0, 0, -1 } };
	size_t e;
	uint32_t i;
	int rc;

	for (e = 0; e < sizeof(el) / sizeof(el[0]); e++)
		for (i = 0; i < words; i++) {
			uint32_t w = el[e].down ? words - 1u - i : i, v = 0;
			uint32_t addr = base + 4u * w;

			if (el[e].rd >= 0) {
				uint32_t exp = el[e].rd ? ~d : d;

				rc = aimc_mmio_read32(s->m, addr, &v);
				if (rc != AIMC_OK || v != exp) {
					snprintf(err, errlen, "element %zu, word %u: read 0x%08x, "
						 "expected 0x%08x (%s)", e, w, v, exp, aimc_strerror(rc));
					return -1;
				}
			}
			if (el[e].wr >= 0) {
				rc = aimc_mmio_write32(s->m, addr, el[e].wr ? ~d : d);
				if (rc != AIMC_OK) {
					snprintf(err, errlen, "element %zu, word %u: write: %s", e, w,
						 aimc_strerror(rc));
					return -1;
				}
			}
		}
	return 0;
}

static int march_addr(st *s, uint32_t base, uint32_t words, char *err, size_t errlen)
{
	uint32_t i, v = 0;
	int rc;

	for (i = 0; i < words; i++) {
		rc = aimc_mmio_write32(s->m, base + 4u * i, 0xA5000000u ^ (i * 0x9E3779B1u));
		if (rc != AIMC_OK) {
			snprintf(err, errlen, "address pass, word %u: write: %s", i, aimc_strerror(rc));
			return -1;
		}
	}
	for (i = 0; i < words; i++) {
		uint32_t exp = 0xA5000000u ^ (i * 0x9E3779B1u);

		rc = aimc_mmio_read32(s->m, base + 4u * i, &v);
		if (rc != AIMC_OK || v != exp) {
			snprintf(err, errlen, "address pass, word %u: read 0x%08x, expected 0x%08x (%s)",
				 i, v, exp, aimc_strerror(rc));
			return -1;
		}
	}
	return 0;
}

static void step_march(st *s)
{
	const aimc_cfg *cfg = s->cfg;
	const struct {
		const char *name;
		uint32_t base, words;
	} win[] = {
		{ "instr", cli_win_instr(), 2u * cfg->instr_depth },
		{ "act_in", cli_win_act_in(), cfg->act_depth },
		{ "act_out", cli_win_act_out(), cfg->act_depth },
		{ "param", cli_win_param(), cfg->par_depth },
		{ "weight", cli_win_weight(), cfg->wgt_depth },
	};
	size_t i;

	for (i = 0; i < sizeof(win) / sizeof(win[0]); i++) {
		char name[64], err[MAX_DETAIL] = "";
		int ok;

		snprintf(name, sizeof(name), "sram: march %s", win[i].name);
		ok = march(s, win[i].base, win[i].words, 0x00000000u, err, sizeof(err)) == 0 &&
		     march(s, win[i].base, win[i].words, 0x5A5A5A5Au, err, sizeof(err)) == 0 &&
		     march_addr(s, win[i].base, win[i].words, err, sizeof(err)) == 0;
		if (ok)
			snprintf(err, sizeof(err), "%u words, march C- x2 + address pass",
				 win[i].words);
		step(s, ok, name, "%s", err);
	}
}

/* ---- 4. known-answer MVM on each tile --------------------------------------------------------- */
/* The exact answer of one int8 layer without bias, acc[o] = sum_i w[o*k + i] * x[i], in plain
 * integer arithmetic (|acc| <= k * 127 * 127 fits 32 bits for any k the chip has); the product
 * carries no test library, so this is written out here rather than taken from tb/golden. */
static void known_answer(const int8_t *w, uint32_t n, uint32_t k, const int8_t *x, int32_t *acc)
{
	for (uint32_t o = 0; o < n; o++) {
		int64_t sum = 0;

		for (uint32_t i = 0; i < k; i++)
			sum += (int64_t)w[(size_t)o * k + i] * x[i];
		acc[o] = (int32_t)sum;
	}
}

static void step_mvm(st *s, uint32_t tile, uint64_t *rs)
{
	const aimc_cfg *cfg = s->cfg;
	uint32_t rows = cfg->rows, cols = cfg->cols, r, c, o;
	uint32_t wwords = rows * cols / 4u, xwords = rows / 4u, v;
	uint32_t *wbuf = calloc(wwords, 4), *xbuf = calloc(xwords, 4), *par = calloc(3u * cols, 4);
	uint32_t *raw = calloc(cols, 4), err = 0, pc = 0;
	int8_t *wg = malloc((size_t)rows * cols), *x = malloc(rows);
	int32_t *gold = calloc(cols, 4);
	uint64_t prog[4];
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "mvm: tile %u", tile);
	if (!wbuf || !xbuf || !par || !raw || !wg || !x || !gold) {
		step(s, 0, name, "out of memory");
		goto out;
	}
	if (!s->ideal) {
		step(s, -1, name, "config %s is not ideal: no exact known answer", cfg->name);
		goto out;
	}
	/* Chip layout: byte r*Cols + c is row (input) r, column (output) c; the golden model takes
	 * w[o*K + i]. Full-range int8 in both. */
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			int8_t w = (int8_t)(uint8_t)rnd(rs);
			uint32_t b = r * cols + c;

			if (w == -128)
				w = -127;
			wbuf[b / 4u] |= (uint32_t)(uint8_t)w << (8u * (b % 4u));
			wg[(size_t)c * rows + r] = w;
		}
	for (r = 0; r < rows; r++) {
		x[r] = (int8_t)(uint8_t)rnd(rs);
		if (x[r] == -128)
			x[r] = -127;
		xbuf[r / 4u] |= (uint32_t)(uint8_t)x[r] << (8u * (r % 4u));
	}
	for (c = 0; c < cols; c++) {
		par[3u * c] = 0;      /* b */
		par[3u * c + 1] = 1;  /* M */
		par[3u * c + 2] = 1;  /* S */
	}
	prog[0] = aimc_instr(AIMC_OP_PROG, tile, 0, 0, 0, 0);
	prog[1] = aimc_instr(AIMC_OP_MVM, tile, 0, 0, 0, 0);
	prog[2] = aimc_instr(AIMC_OP_POST, tile, AIMC_FLAG_DST_OUT | AIMC_FLAG_RAW, 0, 0, 0);
	prog[3] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = aimc_mem_write(s->m, cli_win_weight(), 0, wbuf, wwords);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(s->m, cli_win_param(), 0, par, 3u * cols);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(s->m, cli_win_act_in(), 0, xbuf, xwords);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(s->m, cfg, prog, 4);
	if (rc == AIMC_OK)
		rc = aimc_run(s->m, 0, 100000, &err, &pc);
	if (rc == AIMC_OK)
		rc = aimc_mem_read(s->m, cli_win_act_out(), 0, raw, cols);
	if (rc != AIMC_OK) {
		step(s, 0, name, "%s (chip err_code %u, pc %u)", aimc_strerror(rc), err, pc);
		goto out;
	}
	known_answer(wg, cols, rows, x, gold);
	for (o = 0; o < cols && (int32_t)raw[o] == gold[o]; o++)
		;
	v = o < cols ? raw[o] : 0;
	if (o < cols)
		step(s, 0, name, "%ux%u: column %u: chip %d, golden %d", rows, cols, o, (int32_t)v,
		     gold[o]);
	else
		step(s, 1, name, "%ux%u random int8 layer, %u columns equal the golden model", rows,
		     cols, cols);
out:
	free(wbuf);
	free(xbuf);
	free(par);
	free(raw);
	free(wg);
	free(x);
	free(gold);
}

/* ---- 4b. fault diagnosis of each tile (docs/robustness.md "Fault detection") ------------------ */
/* The self-test checks the chip against the design's config (its faults cleared): the faults of the
 * part are what it looks for. Per tile: the random int8 layer programmed with program-and-verify
 * (cells left unconverged: stuck cells), programmed again one-shot, then one MVM per row with a one-hot input (127 on that
 * row): output (r, c) is 127 w[r][c], one cell at a time. From the Rows x Cols answers: a dead ADC
 * (every column it converts reads one code while the expected values differ), a dead DAC row (a
 * row reading 0 in every column where w is not 0), a drifted column (wrong in most rows, gain
 * sum(y e) / sum(e e) off by more than 2 %), stuck cells (the single cells left wrong); the
 * tile's saturation counter over the diagnosis. */
#define DIAG_MAX_CELLS 64

typedef struct diag_tile {
	uint32_t tile, checked, pv_unconv, sats, n_found;
	uint32_t n_dead_adc, dead_adc[64];
	int32_t dead_code[64];
	uint32_t n_dead_row, dead_row[64];
	uint32_t n_drift, drift_col[64];
	double drift_gain[64];
	uint32_t n_cells, cell_row[DIAG_MAX_CELLS], cell_col[DIAG_MAX_CELLS];
	int32_t cell_chip[DIAG_MAX_CELLS], cell_exp[DIAG_MAX_CELLS];
	char why[MAX_DETAIL];
} diag_tile;

/* Run Rows one-hot MVMs on `tile` (weights already programmed) in chunks that fit the buffers;
 * y[r * cols + c] the raw accumulator of row r's MVM. AIMC_OK or an aimc_err (err, pc filled). */
static int diag_onehot(st *s, uint32_t tile, int32_t *y, uint32_t *err, uint32_t *pc)
{
	const aimc_cfg *cfg = s->cfg;
	uint32_t rows = cfg->rows, cols = cfg->cols, xw = rows / 4u, nb, r0;
	uint32_t *xbuf = NULL;
	uint64_t *prog = NULL;
	int rc = AIMC_OK;

	nb = rows;
	if (nb > cfg->act_depth / xw)
		nb = cfg->act_depth / xw;
	if (nb > cfg->act_depth / cols)
		nb = cfg->act_depth / cols;
	if (nb > (cfg->instr_depth - 1u) / 2u)
		nb = (cfg->instr_depth - 1u) / 2u;
	if (nb == 0)
		return AIMC_ECONFIG;
	xbuf = calloc((size_t)nb * xw, 4);
	prog = calloc(2u * nb + 1u, sizeof(*prog));
	if (xbuf == NULL || prog == NULL) {
		rc = AIMC_ENOMEM;
		goto out;
	}
	for (r0 = 0; r0 < rows && rc == AIMC_OK; r0 += nb) {
		uint32_t n = rows - r0 < nb ? rows - r0 : nb, i;

		memset(xbuf, 0, (size_t)nb * xw * 4u);
		for (i = 0; i < n; i++) {
			uint32_t r = r0 + i;

			xbuf[i * xw + r / 4u] = 127u << (8u * (r % 4u));
			prog[2u * i] = aimc_instr(AIMC_OP_MVM, tile, 0, i * xw, 0, 0);
			prog[2u * i + 1u] = aimc_instr(AIMC_OP_POST, tile, AIMC_FLAG_DST_OUT | AIMC_FLAG_RAW,
						       i * cols, 0, 0);
		}
		prog[2u * n] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		rc = aimc_mem_write(s->m, cli_win_act_in(), 0, xbuf, (size_t)n * xw);
		if (rc == AIMC_OK)
			rc = aimc_prog_load(s->m, cfg, prog, 2u * n + 1u);
		if (rc == AIMC_OK)
			rc = aimc_run(s->m, 0, 100000u + 20000u * n, err, pc);
		if (rc == AIMC_OK)
			rc = aimc_mem_read(s->m, cli_win_act_out(), 0, (uint32_t *)(void *)(y + (size_t)r0 * cols),
					   (size_t)n * cols);
	}
out:
	free(xbuf);
	free(prog);
	return rc;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Classify the answers y against the expected e (both rows x cols) into d; tol: the largest
 * difference |y - e| a healthy cell shows (0 on an ideal config). */
static void diag_classify(const aimc_cfg *cfg, const int32_t *y, const int32_t *e, int32_t tol, diag_tile *d)
{
	uint32_t rows = cfg->rows, cols = cfg->cols, cpa = cfg->cols_per_adc, nadc = cols / cpa;
	uint8_t *colx = calloc(cols, 1), *rowx = calloc(rows, 1);
	double *ratio = malloc(rows * sizeof(*ratio));
	uint32_t r, c, j;

	if (colx == NULL || rowx == NULL || ratio == NULL) {
		snprintf(d->why, sizeof(d->why), "out of memory");
		goto out;
	}
	/* dead ADC: one code in all of its columns and rows, expected values not all equal */
	for (j = 0; j < nadc; j++) {
		int32_t v = y[j * cpa];
		int same = 1, varies = 0;

		for (r = 0; r < rows; r++)
			for (c = j * cpa; c < (j + 1u) * cpa; c++) {
				same &= y[(size_t)r * cols + c] == v;
				varies |= e[(size_t)r * cols + c] != e[j * cpa];
			}
		if (same && varies && d->n_dead_adc < 64) {
			d->dead_adc[d->n_dead_adc] = j;
			d->dead_code[d->n_dead_adc++] = v;
			for (c = j * cpa; c < (j + 1u) * cpa; c++)
				colx[c] = 1;
		}
	}
	/* dead DAC row: within tol of 0 in every live column, some expected value beyond 2 tol */
	for (r = 0; r < rows; r++) {
		int zero = 1, nz = 0;

		for (c = 0; c < cols; c++) {
			int32_t ev = e[(size_t)r * cols + c], yv = y[(size_t)r * cols + c];

			if (colx[c])
				continue;
			nz |= ev > 2 * tol || ev < -2 * tol;
			zero &= yv <= tol && yv >= -tol;
		}
		if (zero && nz && d->n_dead_row < 64) {
			d->dead_row[d->n_dead_row++] = r;
			rowx[r] = 1;
		}
	}
	/* drifted column: the median of y / e over the rows expecting |e| >= 16 * 127 (a few stuck
	 * cells do not move it) off 1 by more than 2 % */
	for (c = 0; c < cols; c++) {
		uint32_t n = 0;
		double med;

		if (colx[c])
			continue;
		for (r = 0; r < rows; r++) {
			double yv = y[(size_t)r * cols + c], ev = e[(size_t)r * cols + c];

			if (!rowx[r] && (ev >= 16.0 * 127.0 || ev <= -16.0 * 127.0))
				ratio[n++] = yv / ev;
		}
		if (n < 3)
			continue;
		qsort(ratio, n, sizeof(*ratio), cmp_dbl);
		med = n % 2 ? ratio[n / 2] : 0.5 * (ratio[n / 2 - 1] + ratio[n / 2]);
		if ((med > 1.02 || med < 0.98) && d->n_drift < 64) {
			d->drift_col[d->n_drift] = c;
			d->drift_gain[d->n_drift++] = med;
			colx[c] = 1;
		}
	}
	/* stuck cells: what is left beyond tol, cell by cell */
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			size_t i = (size_t)r * cols + c;

			if (rowx[r] || colx[c] || (y[i] - e[i] <= tol && e[i] - y[i] <= tol))
				continue;
			if (d->n_cells < DIAG_MAX_CELLS) {
				d->cell_row[d->n_cells] = r;
				d->cell_col[d->n_cells] = c;
				d->cell_chip[d->n_cells] = y[i];
				d->cell_exp[d->n_cells] = e[i];
			}
			d->n_cells++;
		}
	d->n_found = d->n_dead_adc + d->n_dead_row + d->n_drift + d->n_cells;
out:
	free(colx);
	free(rowx);
	free(ratio);
}

/* The tolerance of the one-hot diagnosis on the design's config: 0 when ideal; with programming
 * error and read noise only (no other effect), 8 sigma of a cell pair's error in weight levels
 * (sqrt(2) 127 (prog_sigma + read_sigma), at least 2 levels), times the input 127. One-hot inputs
 * put at most 127 (2^dac_bits - 1) LSB on a column per slice: the ADC must hold that. */
static void diag_setup(st *s, const aimc_cfg *design)
{
	double half = ldexp(1.0, (int)design->adc_bits - 1), lv;
	const char *on = aimc_cfg_effect_on(design);

	s->diag_tol = -1;
	if (s->ideal) {
		s->diag_tol = 0;
		return;
	}
	if (on != NULL) {
		snprintf(s->diag_why, sizeof(s->diag_why), "%s is on: no known answer to compare with", on);
		return;
	}
	if (half - 1.0 < 127.0 * (double)((1u << design->dac_bits) - 1u)) {
		snprintf(s->diag_why, sizeof(s->diag_why), "a one-hot input clips the %u-bit ADC",
			 design->adc_bits);
		return;
	}
	lv = 8.0 * 1.4142135623730951 * 127.0 * (design->prog_sigma + design->read_sigma);
	if (lv < 2.0)
		lv = 2.0;
	s->diag_tol = (int32_t)(lv * 127.0 + 0.5);
}

static void step_faults(st *s, uint32_t tile, uint64_t *rs, diag_tile *d)
{
	const aimc_cfg *cfg = s->cfg;
	uint32_t rows = cfg->rows, cols = cfg->cols, wwords = rows * cols / 4u, r, c, err = 0, pc = 0;
	uint32_t pulses0 = 0, unconv0 = 0, pulses1 = 0, unconv1 = 0, ctrl;
	uint32_t *wbuf = calloc(wwords, 4), *par = calloc(3u * cols, 4);
	int32_t *y = calloc((size_t)rows * cols, 4), *e = calloc((size_t)rows * cols, 4);
	aimc_counters c0, c1, dc;
	uint64_t prog[2];
	char name[64], msg[MAX_DETAIL];
	size_t n = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	d->tile = tile;
	snprintf(name, sizeof(name), "faults: tile %u", tile);
	if (!wbuf || !par || !y || !e) {
		step(s, 0, name, "out of memory");
		goto out;
	}
	if (s->diag_tol < 0) {
		snprintf(d->why, sizeof(d->why), "config %s: %s", cfg->name, s->diag_why);
		step(s, -1, name, "%s", d->why);
		goto out;
	}
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			int8_t w = (int8_t)(uint8_t)rnd(rs);
			uint32_t b = r * cols + c;

			if (w == -128)
				w = -127;
			wbuf[b / 4u] |= (uint32_t)(uint8_t)w << (8u * (b % 4u));
			e[b] = 127 * (int32_t)w;
		}
	for (c = 0; c < cols; c++) {
		par[3u * c + 1] = 1; /* b 0, M 1, S 1 */
		par[3u * c + 2] = 1;
	}
	/* program-and-verify on for this PROG: 32 pulses per row, tolerance 1 % of the range */
	ctrl = AIMC_CSR__PV_CTRL__ENABLE_bm | (32u << AIMC_CSR__PV_CTRL__BUDGET_bp);
	prog[0] = aimc_instr(AIMC_OP_PROG, tile, 0, 0, 0, 0);
	prog[1] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	rc = aimc_pv_counters_read(s->m, tile, &pulses0, &unconv0);
	if (rc == AIMC_OK)
		rc = aimc_mmio_write32(s->m, CSR(pv_tol), RST(PV_TOL, TOL));
	if (rc == AIMC_OK)
		rc = aimc_mmio_write32(s->m, CSR(pv_ctrl), ctrl);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(s->m, cli_win_weight(), 0, wbuf, wwords);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(s->m, cli_win_param(), 0, par, 3u * cols);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(s->m, cfg, prog, 2);
	if (rc == AIMC_OK)
		rc = aimc_run(s->m, 0, 100000, &err, &pc);
	if (rc == AIMC_OK)
		rc = aimc_pv_counters_read(s->m, tile, &pulses1, &unconv1);
	/* back to one-shot programming (the reset value) whatever happened */
	if (aimc_mmio_write32(s->m, CSR(pv_ctrl), RST(PV_CTRL, ENABLE) | RST(PV_CTRL, STOP) |
						  RST(PV_CTRL, BUDGET)) != AIMC_OK && rc == AIMC_OK)
		rc = AIMC_EIO;
	/* program-and-verify leaves each cell within the tolerance, not on its level: program again
	 * one-shot for exact answers */
	if (rc == AIMC_OK)
		rc = aimc_run(s->m, 0, 100000, &err, &pc);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(s->m, &c0);
	if (rc == AIMC_OK)
		rc = diag_onehot(s, tile, y, &err, &pc);
	if (rc == AIMC_OK)
		rc = aimc_counters_read(s->m, &c1);
	if (rc != AIMC_OK) {
		snprintf(d->why, sizeof(d->why), "%s (chip err_code %u, pc %u)", aimc_strerror(rc), err, pc);
		step(s, 0, name, "%s", d->why);
		goto out;
	}
	c1.bits = cfg->counter_bits;
	aimc_counters_delta(&c0, &c1, &dc);
	d->checked = 1;
	d->pv_unconv = unconv1 - unconv0;
	d->sats = tile < dc.n_tiles ? dc.tile[tile].sats : 0;
	diag_classify(cfg, y, e, s->diag_tol, d);
	msg[0] = '\0';
	for (uint32_t i = 0; i < d->n_dead_adc && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "dead ADC %u (columns %u..%u all read accumulator %d); ",
				      d->dead_adc[i], d->dead_adc[i] * cfg->cols_per_adc,
				      (d->dead_adc[i] + 1u) * cfg->cols_per_adc - 1u, d->dead_code[i]);
	for (uint32_t i = 0; i < d->n_dead_row && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "dead DAC row %u; ", d->dead_row[i]);
	for (uint32_t i = 0; i < d->n_drift && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "column %u gain %.3f; ", d->drift_col[i],
				      d->drift_gain[i]);
	if (d->n_cells > 0 && n < sizeof(msg))
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%u wrong cells (first row %u column %u: "
				      "%d, expected %d); ", d->n_cells, d->cell_row[0], d->cell_col[0],
				      d->cell_chip[0], d->cell_exp[0]);
	if (d->pv_unconv > 0 && n < sizeof(msg))
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "program-and-verify: %u cells unconverged; ",
				      d->pv_unconv);
	if (d->pv_unconv > 0)
		d->n_found++;
	if (d->n_found == 0)
		step(s, 1, name, "%u one-hot MVMs and program-and-verify: no fault (saturations %u)", rows,
		     d->sats);
	else
		step(s, 0, name, "%ssaturations %u", msg, d->sats);
out:
	free(wbuf);
	free(par);
	free(y);
	free(e);
}

/* The --faults report: what the diagnosis found, by tile, row and column. */
static int faults_json(const char *cmd, const char *path, const st *s, const diag_tile *d, uint32_t nt)
{
	size_t cap = 4096u + (size_t)nt * (4096u + 160u * DIAG_MAX_CELLS), n = 0;
	char *b = malloc(cap);
	uint32_t total = 0, t, i;
	int rc;

	if (b == NULL) {
		fprintf(stderr, "aimc %s: out of memory\n", cmd);
		return -1;
	}
#define PUT(...) (n += (size_t)snprintf(b + n, n < cap ? cap - n : 0, __VA_ARGS__))
	for (t = 0; t < nt; t++)
		total += d[t].n_found;
	PUT("{\n  \"config\": \"%s\",\n  \"seed\": %llu,\n  \"faults_found\": %u,\n  \"tiles\": [", s->cfg->name,
	    (unsigned long long)s->seed, total);
	for (t = 0; t < nt; t++) {
		const diag_tile *x = &d[t];

		PUT("%s\n    {\"tile\": %u, \"checked\": %s, \"faults_found\": %u, \"pv_unconverged\": %u, "
		    "\"saturations\": %u,", t ? "," : "", x->tile, x->checked ? "true" : "false", x->n_found,
		    x->pv_unconv, x->sats);
		PUT("\n     \"dead_adcs\": [");
		for (i = 0; i < x->n_dead_adc; i++)
			PUT("%s{\"adc\": %u, \"first_col\": %u, \"cols\": %u, \"acc\": %d}", i ? ", " : "",
			    x->dead_adc[i], x->dead_adc[i] * s->cfg->cols_per_adc, s->cfg->cols_per_adc,
			    x->dead_code[i]);
		PUT("],\n     \"dead_dac_rows\": [");
		for (i = 0; i < x->n_dead_row; i++)
			PUT("%s%u", i ? ", " : "", x->dead_row[i]);
		PUT("],\n     \"drifted_cols\": [");
		for (i = 0; i < x->n_drift; i++)
			PUT("%s{\"col\": %u, \"gain\": %.6f}", i ? ", " : "", x->drift_col[i], x->drift_gain[i]);
		PUT("],\n     \"wrong_cells\": %u, \"cells\": [", x->n_cells);
		for (i = 0; i < x->n_cells && i < DIAG_MAX_CELLS; i++)
			PUT("%s{\"row\": %u, \"col\": %u, \"chip\": %d, \"expected\": %d}", i ? ", " : "",
			    x->cell_row[i], x->cell_col[i], x->cell_chip[i], x->cell_exp[i]);
		PUT("]");
		if (!x->checked)
			PUT(", \"why\": \"%s\"", x->why);
		PUT("}");
	}
	PUT("\n  ]\n}\n");
#undef PUT
	rc = n < cap ? cli_write_file(cmd, "--faults", path, b, n) : -1;
	if (n >= cap)
		fprintf(stderr, "aimc %s: --faults report too large\n", cmd);
	free(b);
	return rc;
}

/* ---- 5. end-to-end digits inference ----------------------------------------------------------- */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	*buf = NULL;
	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	*buf = malloc((size_t)n + 1u);
	if (*buf == NULL || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

static void step_digits(st *s, const char *dir, uint32_t n_img)
{
	char path[1024], err[MAX_DETAIL] = "";
	uint8_t *xin = NULL, *exp = NULL, *lab = NULL;
	size_t nx = 0, ne = 0, nl = 0, i;
	int8_t *y = NULL;
	aimc_net net;
	aimc_image img;
	uint32_t k, ncls, n_total, done = 0, correct = 0, mism = 0, first_bad = 0, chip_err = 0,
						   chip_pc = 0;
	int *labels = NULL;
	int rc, have_net = 0, have_img = 0;

	memset(&net, 0, sizeof(net));
	memset(&img, 0, sizeof(img));
	if (dir == NULL) {
		step(s, -1, "digits: end to end", "no --net DIR given");
		return;
	}
	snprintf(path, sizeof(path), "%s/net.khnf", dir);
	if (aimc_net_load(&net, path, err, sizeof(err)) != AIMC_OK) {
		step(s, 0, "digits: end to end", "%s: %s", path, err);
		return;
	}
	have_net = 1;
	k = net.layers[0].k;
	ncls = net.layers[net.n_layers - 1].n;
	snprintf(path, sizeof(path), "%s/test_inputs.i8", dir);
	if (read_file(path, &xin, &nx) != 0 || nx % k != 0) {
		step(s, 0, "digits: end to end", "%s: missing or not a multiple of %u bytes", path, k);
		goto out;
	}
	n_total = (uint32_t)(nx / k);
	snprintf(path, sizeof(path), "%s/expected_int8.i8", dir);
	if (read_file(path, &exp, &ne) != 0 || ne != (size_t)n_total * ncls) {
		step(s, 0, "digits: end to end", "%s: missing or not %u x %u bytes", path, n_total,
		     ncls);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/test_labels.txt", dir);
	labels = calloc(n_total, sizeof(*labels));
	if (labels == NULL || read_file(path, &lab, &nl) != 0) {
		step(s, 0, "digits: end to end", "%s: missing", path);
		goto out;
	}
	{
		char *p = (char *)lab, *end;

		lab[nl] = '\0';
		for (i = 0; i < n_total; i++) {
			long v = strtol(p, &end, 10);

			if (end == p || v < 0 || v >= (long)ncls) {
				step(s, 0, "digits: end to end", "%s: label %zu malformed", path, i);
				goto out;
			}
			labels[i] = (int)v;
			p = end;
		}
	}
	if (n_img == 0 || n_img > n_total)
		n_img = n_total;
	rc = aimc_compile(&net, s->cfg, 1, &img, err, sizeof(err));
	if (rc == AIMC_OK) {
		aimc_image_free(&img);
		memset(&img, 0, sizeof(img));
		/* The largest batch that fits, at most 8. */
		for (k = 8; k >= 1; k--)
			if (aimc_compile(&net, s->cfg, k, &img, err, sizeof(err)) == AIMC_OK)
				break;
		k = net.layers[0].k;
	}
	if (rc != AIMC_OK || img.batch == 0) {
		step(s, 0, "digits: end to end", "compile: %s", err);
		goto out;
	}
	have_img = 1;
	y = calloc((size_t)img.batch * ncls, 1);
	rc = y == NULL ? AIMC_ENOMEM : cli_image_load(s->m, s->cfg, &img);
	while (rc == AIMC_OK && done < n_img) {
		int8_t *xb = calloc((size_t)img.batch * k, 1);
		uint32_t nb = n_img - done < img.batch ? n_img - done : img.batch, b, c;

		if (xb == NULL) {
			rc = AIMC_ENOMEM;
			break;
		}
		memcpy(xb, xin + (size_t)done * k, (size_t)nb * k);
		rc = cli_image_run(s->m, &img, xb, k, y, ncls, NULL, cli_max_polls(s->cfg, &img),
				   &chip_err, &chip_pc);
		free(xb);
		for (b = 0; rc == AIMC_OK && b < nb; b++) {
			const int8_t *yy = y + (size_t)b * ncls;
			const int8_t *ee = (const int8_t *)exp + (size_t)(done + b) * ncls;
			uint32_t best = 0;

			if (memcmp(yy, ee, ncls) != 0 && mism++ == 0)
				first_bad = done + b;
			for (c = 1; c < ncls; c++)
				if (yy[c] > yy[best])
					best = c;
			correct += (int)best == labels[done + b];
		}
		done += nb;
	}
	if (rc != AIMC_OK)
		step(s, 0, "digits: end to end", "after %u images: %s (chip err_code %u, pc %u)", done,
		     aimc_strerror(rc), chip_err, chip_pc);
	else if (mism != 0)
		step(s, 0, "digits: end to end", "%u of %u images differ from the int8 reference "
		     "(first: image %u)", mism, n_img, first_bad);
	else
		step(s, 1, "digits: end to end", "%u images bit-exact with the int8 reference "
		     "(expected_int8.i8), accuracy %.2f %% (%u/%u), batch %u", n_img,
		     100.0 * correct / n_img, correct, n_img, img.batch);
out:
	if (have_img)
		aimc_image_free(&img);
	if (have_net)
		aimc_net_free(&net);
	free(xin);
	free(exp);
	free(lab);
	free(labels);
	free(y);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aimc selftest --config CFG [--backend B] [--net DIR] [--images N] [options]\n\n"
		"Bring-up self-test (docs/fpga-bringup.md), one PASS/FAIL/SKIP line per step:\n"
		"link (id), CSR reset values (right after power-on or reset), CSR read/write,\n"
		"read-only CSRs, config readback, SRAM march of every buffer window, a known-answer\n"
		"MVM on each tile (random int8 layer from the seed vs the golden model), and with\n"
		"--net an end-to-end digits inference checked bit for bit against DIR/expected_int8.i8.\n\n"
		"  --net DIR             directory written by 'python -m kirchhoff export' (net.khnf,\n"
		"                        test_inputs.i8, test_labels.txt, expected_int8.i8)\n"
		"  --images N            images of the digits step (default 20, 0 = all)\n"
		"  --faults FILE         write the fault diagnosis (by tile, row, column) as JSON\n"
		CLI_BACKEND_HELP
		"\nExit: 0 every step passed or was skipped, 1 a step failed, 2 usage or input error.\n");
}

int cli_cmd_selftest(int argc, char **argv)
{
	const char *cmd = "selftest", *net_dir = NULL, *faults = NULL;
	diag_tile *diag = NULL;
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL };
	uint32_t n_img = 20, t;
	uint64_t rs;
	st s;
	int i, r;

	cli_backend_defaults(&be);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_EXIT_PASS;
		}
		r = cli_backend_flag(cmd, &be, argc, argv, &i);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--net") == 0) {
			net_dir = cli_value(cmd, argc, argv, &i);
			if (net_dir == NULL)
				return CLI_EXIT_USAGE;
		} else if (strcmp(argv[i], "--faults") == 0) {
			faults = cli_value(cmd, argc, argv, &i);
			if (faults == NULL)
				return CLI_EXIT_USAGE;
		} else if (strcmp(argv[i], "--images") == 0) {
			const char *v = cli_value(cmd, argc, argv, &i);

			if (v == NULL || cli_parse_u32(cmd, "--images", v, 0, 1000000, &n_img) != 0)
				return CLI_EXIT_USAGE;
		} else {
			return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
		}
	}
	if (cli_backend_check(cmd, &be) != 0)
		return CLI_EXIT_USAGE;
	if (cli_load_config(cmd, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (faults != NULL && cfg.path[0] != '\0' && cli_same_file(faults, cfg.path))
		return cli_usage_error(cmd, "--faults '%s' is the config file: give another path", faults);
	diag = calloc(cfg.num_tiles, sizeof(*diag));
	if (diag == NULL) {
		fprintf(stderr, "aimc %s: out of memory\n", cmd);
		return CLI_EXIT_FAIL;
	}
	if (cli_backend_open(cmd, &be, &cfg, &m) != AIMC_OK) {
		free(diag);
		return CLI_EXIT_FAIL;
	}
	memset(&s, 0, sizeof(s));
	s.cmd = cmd;
	s.m = &m;
	s.cfg = &cfg;
	s.seed = be.seed;
	{
		aimc_cfg design = cfg;

		aimc_cfg_clear_faults(&design);
		s.ideal = aimc_cfg_is_ideal(&design);
		diag_setup(&s, &design);
	}
	rs = be.seed * 0x9E3779B97F4A7C15ull + 1u;
	printf("selftest: config %s, back-end %s, seed %llu\n", cfg.name, be.backend,
	       (unsigned long long)be.seed);
	if (step_id(&s) == 0) {
		step_csr_reset(&s);
		step_csr_rw(&s);
		step_csr_ro(&s);
		step_csr_cfg(&s);
		step_march(&s);
		for (t = 0; t < cfg.num_tiles; t++)
			step_mvm(&s, t, &rs);
		for (t = 0; t < cfg.num_tiles; t++)
			step_faults(&s, t, &rs, &diag[t]);
		step_digits(&s, net_dir, n_img);
	}
	cli_backend_close(cmd, &be, &m, NULL);
	if (faults != NULL && faults_json(cmd, faults, &s, diag, cfg.num_tiles) != 0) {
		free(diag);
		return CLI_EXIT_FAIL;
	}
	free(diag);
	printf("selftest: %u passed, %u failed, %u skipped%s\n", s.pass, s.fail, s.skip,
	       s.fail ? "" : " -- all good");
	if (s.fail)
		printf("selftest: rerun: aimc selftest --config %s --backend %s --seed %llu%s%s\n",
		       be.config, be.backend, (unsigned long long)be.seed, net_dir ? " --net " : "",
		       net_dir ? net_dir : "");
	return s.fail ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
}
