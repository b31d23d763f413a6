/* SPDX-License-Identifier: Apache-2.0 */
/* Behavioural model of the crossbar tiles: programmed conductances with level-dependent
 * programming error, keyed read noise, and the ADC transfer of docs/numbers.md. */
#include "aimc_analog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_config_internal.h"
#include "aimc_detmath.h"
#include "aimc_irdrop.h"
#include "aimc_rng.h"

#define LEVELS 128 /* levels 0..127 */
/* Full IR-drop solve: stop when no node moves more than AIMC_IR_TOL_REL * vread in a sweep. */
#define AIMC_IR_TOL_REL 1e-10
#define AIMC_IR_MAX_ITER 20000u

/* Per-tile arrays are column-major so that converting one column walks contiguous memory:
 *   g[tile][c][r][2]  programmed conductance of cell 2c (pos) and 2c+1 (neg), siemens
 *   rvar[tile][c][r]  s(G+)^2 + s(G-)^2, read-noise variance of the pair, S^2 (NULL if no noise)
 *   v, v2[tile][r]    applied row voltage and its square; act[tile][] active rows, ascending */
struct aimc_xbar {
	aimc_cfg cfg;
	uint64_t seed;
	uint32_t rows, cols, mask;
	double dg;                /* (gmax - gmin) / 127 */
	double i_lsb0;            /* vread * dg / mask: ADC LSB at adc_shift 0, amperes */
	double g_clamp;           /* 1.2 * gmax: upper limit of a programmed conductance */
	double level_g[LEVELS];   /* target conductance of each level */
	double level_sd[LEVELS];  /* programming-error sigma at each level (0 without error) */
	double pulse_sd[LEVELS];  /* program-and-verify: step error sigma of one pulse at each level */
	double read_amp;          /* read_sigma * (gmax - gmin) / (1 - exp(-1/read_knee)) */
	double read_kg;           /* read_knee * gmax */
	double *g;
	double *rvar;
	double *v, *v2;
	uint32_t *act;
	uint32_t *n_act;
	/* IR drop (ir_mode != off only): per tile, the cell-column currents of the present voltages and
	 * conductances, solved once per read and reused by the conversions of that read */
	aimc_ir_params ir;
	aimc_ir_ws *ir_ws;
	double *ir_i;      /* [tile][2 cols] */
	uint8_t *ir_valid; /* [tile]: 0 after apply / program / pulse */
	int ir_warned;     /* the non-convergence message was printed */
};

static size_t cell_base(const aimc_xbar *xb, uint32_t tile, uint32_t col)
{
	return ((size_t)tile * xb->cols + col) * xb->rows;
}

/* Level-dependent sigma shape of F10/F12: (1 - e^(-G/kg)) / (1 - e^(-1/knee)), written with
 * expm1 so that small G keeps its precision; deterministic (aimc_det_expm1). */
static double read_sd(const aimc_xbar *xb, double g)
{
	return xb->read_amp * -aimc_det_expm1(-g / xb->read_kg);
}

static double pair_var(const aimc_xbar *xb, double gp, double gn)
{
	double sp = read_sd(xb, gp), sn = read_sd(xb, gn);

	return sp * sp + sn * sn;
}

aimc_xbar *aimc_xbar_create(const aimc_cfg *cfg, uint64_t seed)
{
	aimc_xbar *xb = NULL;
	size_t ncells, nrows;
	double range;

	if (cfg == NULL || aimc_cfg_check(cfg, NULL, 0) != 0)
		return NULL;
	xb = calloc(1, sizeof(*xb));
	if (xb == NULL)
		goto fail;
	xb->cfg = *cfg;
	xb->seed = seed;
	xb->rows = cfg->rows;
	xb->cols = cfg->cols;
	xb->mask = (1u << cfg->dac_bits) - 1u;
	range = cfg->gmax - cfg->gmin;
	xb->dg = range / 127.0;
	xb->i_lsb0 = cfg->vread * xb->dg / (double)xb->mask;
	xb->g_clamp = 1.2 * cfg->gmax;
	for (int l = 0; l < LEVELS; l++) {
		xb->level_g[l] = cfg->gmin + (double)l * xb->dg;
		xb->level_sd[l] = 0.0;
		if (cfg->prog_sigma > 0.0)
			xb->level_sd[l] = cfg->prog_sigma * range *
					  -aimc_det_expm1(-xb->level_g[l] / (cfg->prog_knee * cfg->gmax)) /
					  -aimc_det_expm1(-1.0 / cfg->prog_knee);
		xb->pulse_sd[l] = 0.0;
		if (cfg->pv_pulse_sigma > 0.0)
			xb->pulse_sd[l] = cfg->pv_pulse_sigma * range *
					  -aimc_det_expm1(-xb->level_g[l] / (cfg->prog_knee * cfg->gmax)) /
					  -aimc_det_expm1(-1.0 / cfg->prog_knee);
	}
	xb->read_kg = cfg->read_knee * cfg->gmax;
	xb->read_amp = cfg->read_sigma * range / -aimc_det_expm1(-1.0 / cfg->read_knee);

	nrows = (size_t)cfg->num_tiles * cfg->rows;
	ncells = nrows * cfg->cols;
	xb->g = malloc(ncells * 2 * sizeof(*xb->g));
	xb->v = calloc(nrows, sizeof(*xb->v));
	xb->v2 = calloc(nrows, sizeof(*xb->v2));
	xb->act = calloc(nrows, sizeof(*xb->act));
	xb->n_act = calloc(cfg->num_tiles, sizeof(*xb->n_act));
	if (xb->g == NULL || xb->v == NULL || xb->v2 == NULL || xb->act == NULL || xb->n_act == NULL)
		goto fail;
	for (size_t i = 0; i < ncells * 2; i++)
		xb->g[i] = cfg->gmin;
	if (cfg->read_sigma > 0.0) {
		double var0 = pair_var(xb, cfg->gmin, cfg->gmin);

		xb->rvar = malloc(ncells * sizeof(*xb->rvar));
		if (xb->rvar == NULL)
			goto fail;
		for (size_t i = 0; i < ncells; i++)
			xb->rvar[i] = var0;
	}
	if (cfg->ir_mode != AIMC_IR_OFF) {
		xb->ir.mode = cfg->ir_mode;
		xb->ir.r_row = cfg->r_wire_row;
		xb->ir.r_col = cfg->r_wire_col;
		xb->ir.r_drv = cfg->r_drv;
		xb->ir.r_sense = cfg->r_sense;
		xb->ir.tol = AIMC_IR_TOL_REL * cfg->vread;
		xb->ir.max_iter = AIMC_IR_MAX_ITER;
		xb->ir_ws = aimc_ir_ws_create(cfg->rows, cfg->cols);
		xb->ir_i = calloc((size_t)cfg->num_tiles * 2 * cfg->cols, sizeof(*xb->ir_i));
		xb->ir_valid = calloc(cfg->num_tiles, 1);
		if (xb->ir_ws == NULL || xb->ir_i == NULL || xb->ir_valid == NULL)
			goto fail;
	}
	return xb;
fail:
	aimc_xbar_destroy(xb);
	return NULL;
}

void aimc_xbar_destroy(aimc_xbar *xb)
{
	if (xb == NULL)
		return;
	free(xb->g);
	free(xb->rvar);
	free(xb->v);
	free(xb->v2);
	free(xb->act);
	free(xb->n_act);
	aimc_ir_ws_destroy(xb->ir_ws);
	free(xb->ir_i);
	free(xb->ir_valid);
	free(xb);
}

/* One programmed cell: target of its level plus the keyed programming error, clamped to
 * [0, 1.2 gmax] (a conductance cannot be negative; the top bound is where the cell saturates). */
static double program_cell(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell, int level,
			   uint32_t prog_idx)
{
	double g = xb->level_g[level];

	if (xb->level_sd[level] > 0.0) {
		aimc_key k = {xb->seed, tile, row, cell, AIMC_EV_PROG, prog_idx};

		g = g + xb->level_sd[level] * aimc_rng_normal(&k);
		if (g < 0.0)
			g = 0.0;
		if (g > xb->g_clamp)
			g = xb->g_clamp;
	}
	return g;
}

int aimc_xbar_program_row(aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
			  uint32_t prog_idx)
{
	if (xb == NULL || w == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows)
		return -1;
	for (uint32_t c = 0; c < xb->cols; c++) {
		int wc = w[c] < -127 ? -127 : w[c];
		size_t i = cell_base(xb, tile, c) + row;
		double gp = program_cell(xb, tile, row, 2 * c, wc > 0 ? wc : 0, prog_idx);
		double gn = program_cell(xb, tile, row, 2 * c + 1, wc < 0 ? -wc : 0, prog_idx);

		xb->g[2 * i] = gp;
		xb->g[2 * i + 1] = gn;
		if (xb->rvar != NULL)
			xb->rvar[i] = pair_var(xb, gp, gn);
	}
	if (xb->ir_valid != NULL)
		xb->ir_valid[tile] = 0;
	return 0;
}

/* Level of cell k (2c: positive, 2c+1: negative) for weight byte w[c]; -128 is taken as -127. */
static int cell_level(const int8_t *w, uint32_t k)
{
	int wc = w[k / 2] < -127 ? -127 : w[k / 2];

	if (k & 1)
		return wc < 0 ? -wc : 0;
	return wc > 0 ? wc : 0;
}

int aimc_xbar_pulse_row(aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
			const uint8_t *mask, uint32_t pulse_idx)
{
	if (xb == NULL || w == NULL || mask == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows)
		return -1;
	for (uint32_t k = 0; k < 2 * xb->cols; k++) {
		size_t i = cell_base(xb, tile, k / 2) + row;
		int level = cell_level(w, k);
		double g, tgt;

		if (mask[k] == 0)
			continue;
		g = xb->g[2 * i + (k & 1)];
		tgt = xb->level_g[level];
		g = g + xb->cfg.pv_step * (tgt - g);
		if (xb->pulse_sd[level] > 0.0) {
			aimc_key key = {xb->seed, tile, row, k, AIMC_EV_PULSE, pulse_idx};

			g = g + xb->pulse_sd[level] * aimc_rng_normal(&key);
		}
		if (g < 0.0)
			g = 0.0;
		if (g > xb->g_clamp)
			g = xb->g_clamp;
		xb->g[2 * i + (k & 1)] = g;
		if (xb->rvar != NULL)
			xb->rvar[i] = pair_var(xb, xb->g[2 * i], xb->g[2 * i + 1]);
	}
	if (xb->ir_valid != NULL)
		xb->ir_valid[tile] = 0;
	return 0;
}

int aimc_xbar_verify_row(const aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
			 uint32_t tol_code, uint32_t verify_idx, uint8_t *ok)
{
	double tol;
	int n = 0;

	if (xb == NULL || w == NULL || ok == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows ||
	    tol_code > 0xffffu)
		return -1;
	tol = ldexp((double)tol_code, -16) * (xb->cfg.gmax - xb->cfg.gmin);
	for (uint32_t k = 0; k < 2 * xb->cols; k++) {
		size_t i = cell_base(xb, tile, k / 2) + row;
		double g = xb->g[2 * i + (k & 1)];
		double err;

		if (xb->rvar != NULL) {
			aimc_key key = {xb->seed, tile, row, k, AIMC_EV_VERIFY, verify_idx};

			g = g + read_sd(xb, g) * aimc_rng_normal(&key);
		}
		err = fabs(g - xb->level_g[cell_level(w, k)]);
		ok[k] = err <= tol;
		n += ok[k];
	}
	return n;
}

int aimc_xbar_apply(aimc_xbar *xb, uint32_t tile, const uint8_t *d)
{
	size_t base;
	uint32_t n = 0;

	if (xb == NULL || d == NULL || tile >= xb->cfg.num_tiles)
		return -1;
	for (uint32_t r = 0; r < xb->rows; r++)
		if (d[r] > xb->mask)
			return -1;
	base = (size_t)tile * xb->rows;
	for (uint32_t r = 0; r < xb->rows; r++) {
		double v = xb->cfg.vread * (double)d[r] / (double)xb->mask;

		xb->v[base + r] = v;
		xb->v2[base + r] = v * v;
		/* Rows at 0 V add exactly +0.0 to every sum: leaving them out changes no bit. */
		if (d[r] != 0)
			xb->act[base + n++] = r;
	}
	xb->n_act[tile] = n;
	if (xb->ir_valid != NULL)
		xb->ir_valid[tile] = 0;
	return 0;
}

/* Cell-column currents of `tile` with IR drop for the present voltages and conductances, solved
 * on the first conversion after an apply / program / pulse and reused until the next one. The
 * cache is a pure function of that state (every solve starts from the same initial guess), so the
 * order of conversions changes no bit. Writes through a non-const pointer: every aimc_xbar is
 * allocated by aimc_xbar_create, never defined const. */
static const double *ir_currents(const aimc_xbar *cxb, uint32_t tile)
{
	aimc_xbar *xb = (aimc_xbar *)(uintptr_t)cxb;
	double *out = xb->ir_i + (size_t)tile * 2 * xb->cols;

	if (!xb->ir_valid[tile]) {
		aimc_ir_stats st;

		/* A full solve that hits AIMC_IR_MAX_ITER keeps its last iterate (deterministic too) and
		 * says so once on stderr; with realistic resistances it converges in a few to a few tens
		 * of sweeps (docs/analog-model.md "IR drop"). */
		if (aimc_ir_solve(&xb->ir, xb->rows, xb->cols, xb->g + 2 * cell_base(xb, tile, 0),
				  xb->v + (size_t)tile * xb->rows, out, xb->ir_ws, &st) != 0 &&
		    !xb->ir_warned) {
			fprintf(stderr,
				"aimc_analog: IR-drop solve of tile %u stopped after %u sweeps without "
				"converging (last change %g V); using the last iterate\n",
				tile, st.iters, st.last_dv);
			xb->ir_warned = 1;
		}
		xb->ir_valid[tile] = 1;
	}
	return out;
}

double aimc_xbar_current(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx)
{
	const double *g, *v, *v2;
	const uint32_t *act;
	uint32_t n;
	double sum = 0.0, var = 0.0;

	if (xb == NULL || tile >= xb->cfg.num_tiles || col >= xb->cols)
		return 0.0;
	g = xb->g + 2 * cell_base(xb, tile, col);
	v = xb->v + (size_t)tile * xb->rows;
	v2 = xb->v2 + (size_t)tile * xb->rows;
	act = xb->act + (size_t)tile * xb->rows;
	n = xb->n_act[tile];
	if (xb->rvar == NULL) {
		for (uint32_t i = 0; i < n; i++) {
			uint32_t r = act[i];

			sum += v[r] * (g[2 * r] - g[2 * r + 1]);
		}
	} else {
		const double *rv = xb->rvar + cell_base(xb, tile, col);

		/* one pass, two independent accumulators: same bits as two separate loops */
		for (uint32_t i = 0; i < n; i++) {
			uint32_t r = act[i];

			sum += v[r] * (g[2 * r] - g[2 * r + 1]);
			var += v2[r] * rv[r];
		}
	}
	/* IR drop (ir_mode first or full): the column current of the resistive network replaces the
	 * ideal sum; the read noise below keeps its variance from the applied voltages. */
	if (xb->ir_valid != NULL) {
		const double *ic = ir_currents(xb, tile);

		sum = ic[2 * col] - ic[2 * col + 1];
	}
	/* One draw per column conversion carries the summed noise of all cells (equivalent in
	 * distribution to independent per-cell draws, docs/analog-model.md). */
	if (var > 0.0) {
		aimc_key k = {xb->seed, tile, 0, col, AIMC_EV_READ, conv_idx};

		sum += sqrt(var) * aimc_rng_normal(&k);
	}
	return sum;
}

int32_t aimc_xbar_convert(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
			  uint32_t adc_shift)
{
	double lo, hi, x, q;

	if (xb == NULL || tile >= xb->cfg.num_tiles || col >= xb->cols)
		return 0;
	lo = -ldexp(1.0, (int)xb->cfg.adc_bits - 1);
	hi = -lo - 1.0;
	x = aimc_xbar_current(xb, tile, col, conv_idx) /
	    (xb->i_lsb0 * ldexp(1.0, adc_shift > 1024u ? 1024 : (int)adc_shift));
	q = x >= 0.0 ? floor(x + 0.5) : -floor(-x + 0.5); /* round_half_away */
	if (!(q >= lo)) /* NaN cannot occur for a valid config; it would read as the low rail */
		q = lo;
	if (q > hi)
		q = hi;
	return (int32_t)q;
}

double aimc_xbar_conductance(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell)
{
	if (xb == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows || cell >= 2 * xb->cols)
		return NAN;
	return xb->g[2 * (cell_base(xb, tile, cell / 2) + row) + (cell & 1)];
}

const aimc_cfg *aimc_xbar_cfg(const aimc_xbar *xb)
{
	return xb == NULL ? NULL : &xb->cfg;
}
