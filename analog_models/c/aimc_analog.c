/* SPDX-License-Identifier: Apache-2.0 */
/* Behavioural model of the crossbar tiles: programmed conductances with level-dependent
 * programming error, keyed read noise, and the ADC transfer of docs/numbers.md. */
#define _POSIX_C_SOURCE 200809L
#include "aimc_analog.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_charge.h" /* xbar_kind charge (issue 18) */
#include "aimc_config_internal.h"
#include "aimc_detmath.h"
#include "aimc_irdrop.h"
#include "aimc_kern.h"
#include "aimc_rng.h"

#define LEVELS 128 /* levels 0..127 */
/* Full IR-drop solve: stop when no node moves more than AIMC_IR_TOL_REL * vread in a sweep. */
#define AIMC_IR_TOL_REL 1e-10
#define AIMC_IR_MAX_ITER 20000u

/* Per-tile arrays:
 *   g[tile][c][r][2]  programmed conductance of cell 2c (pos) and 2c+1 (neg), siemens, as the
 *                     verify reads see it (stuck cells included; column-major)
 *   gd[tile][r][c]    read conductance difference Ge+ - Ge- (drift and temperature applied), S
 *                     (binary64 without read noise; binary32 in gdf with it, gd NULL)
 *   rvar[tile][r][c]  s(Ge+)^2 + s(Ge-)^2, read-noise variance of the pair, S^2, binary32
 *                     (NULL if no read noise)
 *   rowfac[tile][r]   1 / (1 + dac_rout sum_k Ge[r][k]): DAC output resistance (NULL if 0 ohm)
 *   v[tile][r]        applied row voltage (vf, v2f: it and its square in binary32, read noise
 *                     on); act[tile][] active rows, ascending
 * gd and rvar are row-major so that a whole-array conversion (aimc_xbar_convert_all) is a
 * sequence of row updates over contiguous memory; every column still sums its rows in
 * ascending order, so one column converted alone gives the same bits. */
struct aimc_xbar {
	aimc_cfg cfg;
	uint64_t seed;
	uint32_t rows, cols, mask, nadc;
	int top;                  /* top level of a cell: 127, or 2^slice_bits - 1 (aimc_cfg_cell_top) */
	double dg;                /* (gmax - gmin) / top */
	double i_lsb0;            /* vread * dg / mask: ADC LSB at adc_shift 0, amperes */
	double g_clamp;           /* 1.2 * gmax: upper limit of a programmed conductance */
	double level_g[LEVELS];   /* target conductance of each level */
	double level_sd[LEVELS];  /* programming-error sigma at each level (0 without error) */
	double pulse_sd[LEVELS];  /* program-and-verify: step error sigma of one pulse at each level */
	double dac_v[256];        /* row voltage of each DAC code (DAC INL included) */
	double read_amp;          /* read_sigma * (gmax - gmin) / (1 - exp(-1/read_knee)) */
	double read_kg;           /* read_knee * gmax */
	int drift_on, stuck_on, temp_on, adc_on;
	int exact;                /* no effect on: every code is the integer formula (adc_code) */
	double drift_lt;          /* ln(drift_time / drift_t0) */
	double tfac;              /* 1 + tc_g (temp - temp_ref) */
	double adc_half;          /* 2^(adc_bits - 1) */
	double adc_inv_half;      /* 2^-(adc_bits - 1): x * inv_half is exactly x / half */
	uint32_t *adc_of;         /* [col] ADC converting the column: col / cols_per_adc */
	double *g;
	double *gd;               /* read conductance differences, binary64 (no read noise; else NULL) */
	/* Read noise on (read_sigma > 0): binary32 from the sums to the code (decisions 0005, 0006):
	 * gdf and rvar hold the read arrays, vf and v2f the row voltages, sumf and
	 * varf the scratch of convert_all, cgainf and cofff the ADC gain and offset of each column, fp
	 * the constants of the finish and the ADC transfer (lsb set per conversion). */
	float *gdf;
	float *rvar;
	float *vf, *v2f;
	float *sumf, *varf;
	float *cgainf, *cofff;
	aimc_fin_parf fp;
	aimc_kern kern;           /* vector kernels (cfg simd) */
	uint32_t cpad;            /* cols rounded up to a multiple of 8 (vector kernels' scratch) */
	uint32_t rstride;         /* row stride of gd: cols rounded up to a multiple of 16,
				   * so that every row starts on a 64-byte boundary */
	uint32_t cpan;            /* cols rounded up to a multiple of AIMC_PANEL (gdf, rvar: pm_index) */
	double *cgain, *coff;     /* [tile][cpad] ADC gain and offset of each column (adc_on) */
	int32_t *codes_s;         /* scratch of aimc_xbar_convert_all, cpad */
	float *nrm1, *nrm2;       /* scratch of aimc_xbar_convert_all: the READ normal pairs, cpad each */
	double *rowfac;
	double *adc_gain, *adc_off; /* [tile][adc] (NULL unless adc_on) */
	double *v;
	double *sum_s;            /* scratch of aimc_xbar_convert_all, cpad */
	uint64_t *pre_read;       /* [tile][col] key prefixes of the READ draws */
	uint32_t *act;
	uint32_t *n_act;
	/* IR drop (ir_mode != off only): per tile, the cell-column currents of the present voltages and
	 * conductances, solved once per read and reused by the conversions of that read */
	aimc_ir_params ir;
	aimc_ir_ws *ir_ws;
	double *ir_i;      /* [tile][2 cols] */
	uint8_t *ir_valid; /* [tile]: 0 after apply / program / pulse */
	double *gr;        /* read conductances (drift, temperature) in the layout of g, for the solve */
	/* IR-drop solves that stopped at AIMC_IR_MAX_ITER (aimc_xbar_diag): how many, and the first */
	uint32_t ir_unconv, ir_unconv_tile, ir_unconv_iters;
	double ir_unconv_dv;
	/* Speed only, the same bits (decision 0008): */
	int prod1;         /* 1-bit DAC with read noise: gdf and rvar hold the products vf gd and v2f rvar of
			    * the row's one voltage, and vf, v2f are 1 on active rows (1 x = x exactly) */
	int8_t *wq;        /* every effect off (exact): the programmed weights for the integer sums, four
			    * rows to a 32-bit word: [tile][row / 4][cst4][row % 4] (wq_index) */
	uint32_t r4n, cst4; /* rows / 4 rounded up; cols rounded up to 64 */
	uint8_t *dcur;     /* exact: the applied DAC codes [tile][row] */
	uint32_t *dq_s;    /* exact: scratch of aimc_xbar_convert_all, the codes packed as wq (r4n) */
	uint32_t threads;  /* workers of aimc_xbar_convert_batch (aimc_xbar_set_threads), default 1 */
	char *bscr;        /* scratch of aimc_xbar_convert_batch, bscr_n bytes (kept between calls) */
	size_t bscr_n;
	/* ---- device presets (issue 18; docs/analog-model.md "Devices"): pcm and reram only ---- */
	uint8_t *lvl;             /* target level of every cell, layout of g (NULL for flash) */
	int pcm_drift_on;         /* pcm and drift_time > drift_t0: level-dependent power-law drift */
	int dev_rn_on;            /* pcm: 1/f read noise at drift_time (P4) */
	int relax_on;             /* reram and drift_time > 1 s: relaxation */
	int rnoise;               /* read noise of any kind: the binary32 read arrays (gdf, rvar) */
	double nu_mu[LEVELS];     /* pcm: mean drift exponent of each level (P3), times pcm_drift_scale */
	double nu_sd[LEVELS];     /* pcm: its spread (P3), times pcm_drift_scale */
	double rn_rel[LEVELS];    /* pcm: 1/f read-noise sigma / G of each level at drift_time (P4) */
	double relax_sd[LEVELS];  /* reram: relaxation spread of each level at drift_time (R1), S */
	double relax_shift;       /* reram: mean relaxation at drift_time (R4), S */
	/* ---- charge-domain (issue 18): xbar_kind charge; every entry point hands over to it ---- */
	aimc_chg *chg;
};

static size_t cell_base(const aimc_xbar *xb, uint32_t tile, uint32_t col)
{
	return ((size_t)tile * xb->cols + col) * xb->rows;
}

/* Index of (row, col) in the row-major per-tile array gd. */
static size_t rm_index(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t col)
{
	return ((size_t)tile * xb->rows + row) * xb->rstride + col;
}

/* Index of (row, col) in the binary32 read arrays gdf and rvar: per tile, panels of AIMC_PANEL
 * columns, each panel row-major (decision 0008): a read of a column block then streams through
 * contiguous memory instead of touching one page per row. */
static size_t pm_index(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t col)
{
	return (size_t)tile * xb->rows * xb->cpan + ((size_t)(col / AIMC_PANEL) * xb->rows + row) * AIMC_PANEL +
	       col % AIMC_PANEL;
}

/* Index of (row, col) in wq. */
static size_t wq_index(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t col)
{
	return (((size_t)tile * xb->r4n + row / 4u) * xb->cst4 + col) * 4u + row % 4u;
}

/* The DAC codes d[0 .. rows) four to a word as wq packs the rows (zeros past the last row). */
static void pack_codes(const aimc_xbar *xb, const uint8_t *d, uint32_t *dq)
{
	const uint32_t full = xb->rows / 4u;

	for (uint32_t g = 0; g < full; g++)
		dq[g] = (uint32_t)d[4 * g] | (uint32_t)d[4 * g + 1] << 8 | (uint32_t)d[4 * g + 2] << 16 |
			(uint32_t)d[4 * g + 3] << 24;
	if (full < xb->r4n) {
		uint32_t v = 0;

		for (uint32_t i = 0; 4 * full + i < xb->rows; i++)
			v |= (uint32_t)d[4 * full + i] << (8 * i);
		dq[full] = v;
	}
}

/* n bytes, zeroed, starting on a 64-byte boundary (the vector kernels' loads then never split a
 * cache line); release with free. */
static void *zalloc64(size_t n)
{
	size_t sz = (n + 63u) & ~(size_t)63u;
	void *p = sz != 0 ? aligned_alloc(64, sz) : NULL;

	if (p != NULL)
		memset(p, 0, sz);
	return p;
}

/* Stuck-at state of a cell: 0 none, 1 stuck at gmin, 2 stuck at gmax. One uniform draw keyed by
 * (seed, tile, row, cell, AIMC_EV_STUCK, 0): a property of the cell, the same in every run. */
static int stuck_state(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell)
{
	aimc_key k = {xb->seed, tile, row, cell, AIMC_EV_STUCK, 0};
	double u;

	if (!xb->stuck_on)
		return 0;
	u = aimc_rng_uniform(&k, 0);
	if (u < xb->cfg.stuck_gmin_frac)
		return 1;
	if (u < xb->cfg.stuck_gmin_frac + xb->cfg.stuck_gmax_frac)
		return 2;
	return 0;
}

/* Drift exponent of a cell: nu = max(0, drift_nu + drift_nu_sigma N), N keyed by
 * (seed, tile, row, cell, AIMC_EV_DRIFT, 0). */
static double drift_nu(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell)
{
	double nu = xb->cfg.drift_nu;

	if (xb->cfg.drift_nu_sigma > 0.0) {
		aimc_key k = {xb->seed, tile, row, cell, AIMC_EV_DRIFT, 0};

		nu = nu + xb->cfg.drift_nu_sigma * aimc_rng_normal(&k);
	}
	return nu > 0.0 ? nu : 0.0;
}

/* Target level of a cell (pcm and reram keep it: their drift and relaxation depend on it). */
static int cell_lvl(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell)
{
	return xb->lvl[2 * (cell_base(xb, tile, cell / 2) + row) + (cell & 1u)];
}

/* Read conductance of a cell programmed to g: drift G0 (t/t0)^-nu = G0 e^(-nu ln(t/t0)) and the
 * temperature factor. Each factor is applied only when its effect is on (no bit changes else).
 * pcm: the same power law with nu = |mu(l) + sd(l) N| of the cell's level l (P3); reram: the
 * relaxation G + shift + sd(l) N_relax, clamped at 0 (R1, R4). */
static double read_g(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell, double g)
{
	if (xb->drift_on)
		g = g * aimc_det_exp(-drift_nu(xb, tile, row, cell) * xb->drift_lt);
	if (xb->pcm_drift_on) {
		aimc_key k = {xb->seed, tile, row, cell, AIMC_EV_DRIFT, 0};
		int l = cell_lvl(xb, tile, row, cell);
		double nu = fabs(xb->nu_mu[l] + xb->nu_sd[l] * aimc_rng_normal(&k));

		g = g * aimc_det_exp(-nu * xb->drift_lt);
	}
	if (xb->relax_on) {
		aimc_key k = {xb->seed, tile, row, cell, AIMC_EV_RELAX, 0};

		g = g + xb->relax_shift + xb->relax_sd[cell_lvl(xb, tile, row, cell)] * aimc_rng_normal(&k);
		if (g < 0.0)
			g = 0.0;
	}
	if (xb->temp_on)
		g = g * xb->tfac;
	/* fault hook: the drifted column (fault_col_gain; docs/robustness.md "Fault injection") */
	if (xb->cfg.fault_col_gain != 1.0 && tile == xb->cfg.fault_tile && cell / 2 == xb->cfg.fault_col)
		g = g * xb->cfg.fault_col_gain;
	return g;
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

/* Recompute the read arrays of one row from the programmed conductances: gd, rvar and the DAC
 * output-resistance factor (row current I = V sum_k Ge[k] into virtual-ground columns, so the
 * row sees V_dac / (1 + R_out sum_k Ge[k])). */
static void row_refresh(aimc_xbar *xb, uint32_t tile, uint32_t row)
{
	double rowsum = 0.0;

	for (uint32_t c = 0; c < xb->cols; c++) {
		size_t i = cell_base(xb, tile, c) + row, j = xb->rvar != NULL ? pm_index(xb, tile, row, c)
									     : rm_index(xb, tile, row, c);
		double gp = read_g(xb, tile, row, 2 * c, xb->g[2 * i]);
		double gn = read_g(xb, tile, row, 2 * c + 1, xb->g[2 * i + 1]);

		if (xb->rvar != NULL)
			xb->gdf[j] = (float)(gp - gn);
		else
			xb->gd[j] = gp - gn;
		if (xb->gr != NULL) {
			xb->gr[2 * i] = gp;
			xb->gr[2 * i + 1] = gn;
		}
		if (xb->rvar != NULL) {
			double var = pair_var(xb, gp, gn);

			if (xb->dev_rn_on) { /* pcm 1/f read noise: sigma = rn_rel(l) |G(t)| per cell (P4) */
				double sp = xb->rn_rel[cell_lvl(xb, tile, row, 2 * c)] * gp;
				double sn = xb->rn_rel[cell_lvl(xb, tile, row, 2 * c + 1)] * gn;

				var = var + sp * sp + sn * sn;
			}
			xb->rvar[j] = (float)var;
		}
		rowsum = rowsum + gp + gn;
	}
	if (xb->rowfac != NULL)
		xb->rowfac[(size_t)tile * xb->rows + row] = 1.0 / (1.0 + xb->cfg.dac_rout * rowsum);
	if (xb->prod1) {
		/* the row's one nonzero voltage and its square, rounded as aimc_xbar_apply rounds them, times
		 * the read arrays: the binary32 products the sums would form (decision 0008) */
		const double x = xb->rowfac != NULL ? xb->dac_v[1] * xb->rowfac[(size_t)tile * xb->rows + row]
						    : xb->dac_v[1];
		const float a = (float)x, b = (float)(x * x);
		for (uint32_t c = 0; c < xb->cols; c++) {
			const size_t j = pm_index(xb, tile, row, c);

			xb->gdf[j] = a * xb->gdf[j];
			xb->rvar[j] = b * xb->rvar[j];
		}
	}
}

/* ---- Device presets (issue 18; docs/analog-model.md "Devices"). Fits as published, in uS at
 * their reference gmax, scaled to this config's gmax. ---- */
#define PCM_GMAX_REF_US 25.0   /* P1 */
#define RERAM_GMAX_REF_US 40.0 /* R1 */
#define RERAM_DAY_S 86400.0

/* sum_i c[i] x^i (Horner), c[0] the constant. */
static double poly(const double *c, int n, double x)
{
	double v = c[n - 1];

	for (int i = n - 2; i >= 0; i--)
		v = v * x + c[i];
	return v;
}

/* R1 (NeuRRAM, Wan 2022, via aihwkit ReRamWan2022NoiseModel): sigma of G about its target, uS at
 * gmax 40 uS, 4th-order fits in g = G/gmax after 1 s, 1 day and 2 days. */
static const double reram_fit[3][5] = {
	{0.348, 16.030, -43.853, 45.393, -16.815},
	{0.701, 22.086, -50.773, 47.095, -16.458},
	{0.782, 20.274, -43.507, 37.062, -11.934},
};

static double reram_sigma_us(int fit, double gn)
{
	double v = poly(reram_fit[fit], 5, gn);

	return v > 0.0 ? v : 0.0;
}

/* Programming sigma of a target conductance g, siemens: pcm P2 (0.2635 + 1.965 g - 1.1731 g^2 uS
 * at 25 uS), reram R1's 1 s fit. */
static double device_prog_sd(const aimc_cfg *cfg, double g)
{
	double gn = g / cfg->gmax, v;

	if (cfg->device == 1) {
		static const double p2[3] = {0.2635, 1.965, -1.1731};

		v = poly(p2, 3, gn);
		return v > 0.0 ? cfg->pcm_prog_scale * v * (cfg->gmax / PCM_GMAX_REF_US) : 0.0;
	}
	return cfg->reram_prog_scale * reram_sigma_us(0, gn) * (cfg->gmax / RERAM_GMAX_REF_US);
}

static double clip(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Per-level tables of the device at time t = drift_time (level_g set). */
static void device_tables(aimc_xbar *xb)
{
	const aimc_cfg *cfg = &xb->cfg;
	const double t = cfg->drift_time;

	if (cfg->device == 1) {
		/* P4: sigma/G = Q_s sqrt(ln((t + t_r) / (2 t_r))), Q_s = min(0.0088 g^-0.65, 0.2) */
		double lt = aimc_det_log((t + cfg->pcm_t_read) / (2.0 * cfg->pcm_t_read));

		xb->dev_rn_on = cfg->pcm_read_scale > 0.0 && lt > 0.0;
		for (int l = 0; l < LEVELS; l++) {
			double gn = xb->level_g[l] / cfg->gmax;
			double lg = gn > 0.0 ? aimc_det_log(gn) : -1e300;
			double q = gn > 0.0 ? 0.0088 * aimc_det_exp(-0.65 * lg) : 0.2;

			/* P3: mu = clip(-0.0155 ln g + 0.0244, 0.049, 0.1), sd = clip(-0.0125 ln g - 0.0059,
			 * 0.008, 0.045); g -> 0 takes the upper clips */
			xb->nu_mu[l] = cfg->pcm_drift_scale * clip(-0.0155 * lg + 0.0244, 0.049, 0.1);
			xb->nu_sd[l] = cfg->pcm_drift_scale * clip(-0.0125 * lg - 0.0059, 0.008, 0.045);
			xb->rn_rel[l] = xb->dev_rn_on ? cfg->pcm_read_scale * (q < 0.2 ? q : 0.2) * sqrt(lt) : 0.0;
		}
	}
	if (cfg->device == 2 && t > 1.0) {
		/* R1: sigma(g, t) linear in ln t between the 1 s, 1 day and 2 day fits, held after 2 days
		 * (no data beyond); the relaxation is the growth beyond the programming spread of 1 s */
		const double x = aimc_det_log(t), x1 = aimc_det_log(RERAM_DAY_S), x2 = aimc_det_log(2.0 * RERAM_DAY_S);
		int any = 0;

		for (int l = 0; l < LEVELS; l++) {
			double gn = xb->level_g[l] / cfg->gmax, s0 = reram_sigma_us(0, gn), st, ex;

			if (x <= x1)
				st = s0 + (reram_sigma_us(1, gn) - s0) * (x / x1);
			else if (x <= x2)
				st = reram_sigma_us(1, gn) + (reram_sigma_us(2, gn) - reram_sigma_us(1, gn)) * ((x - x1) / (x2 - x1));
			else
				st = reram_sigma_us(2, gn);
			ex = st * st - s0 * s0;
			xb->relax_sd[l] = ex > 0.0 ? cfg->reram_relax_scale * sqrt(ex) * (cfg->gmax / RERAM_GMAX_REF_US) : 0.0;
			any |= xb->relax_sd[l] > 0.0;
		}
		/* R4: mean relaxation -0.089 uS per ln(t / 1 s), as a fraction of gmax (reram_relax_mean) */
		xb->relax_shift = cfg->reram_relax_mean * cfg->gmax * x;
		xb->relax_on = any || xb->relax_shift != 0.0;
	}
}
/* ---- end of device presets ---- */

/* ---- aimc_xbar_create_ex, in its steps ----------------------------------------------------- */

/* The vector kernels cfg->simd names (aimc_kern.h). */
static int xbar_select_kernels(aimc_xbar *xb, const aimc_cfg *cfg, char *err, size_t errlen)
{
	char msg[160];
	int rc = aimc_kern_select(cfg->simd, &xb->kern, msg, sizeof(msg));

	if (rc != AIMC_OK && err != NULL && errlen > 0)
		snprintf(err, errlen, "aimc_analog: %s", msg);
	return rc;
}

/* The conductance of each cell level and the sigmas of programming, pulses and reads. */
static void xbar_init_levels(aimc_xbar *xb, const aimc_cfg *cfg)
{
	const uint32_t top = (uint32_t)xb->top;
	const double range = cfg->gmax - cfg->gmin;

	xb->dg = range / (double)top;
	xb->i_lsb0 = cfg->vread * xb->dg / (double)xb->mask;
	xb->g_clamp = 1.2 * cfg->gmax;
	for (int l = 0; l < LEVELS; l++) {
		xb->level_g[l] = cfg->gmin + (double)l * xb->dg;
		if (cfg->cell_levels != LEVELS && l <= (int)top) {
			/* few levels: the nearest of cell_levels even steps to the cell level l of 0..top
			 * (top 127; 2^slice_bits - 1 with bit-sliced weights, decision 0009) */
			double steps = (double)(cfg->cell_levels - 1u);
			double q = floor((double)l * steps / (double)top + 0.5);

			xb->level_g[l] = cfg->gmin + q * (range / steps);
		}
		xb->level_sd[l] = 0.0;
		if (cfg->device != 0)
			xb->level_sd[l] = device_prog_sd(cfg, xb->level_g[l]);
		else if (cfg->prog_sigma > 0.0)
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
}

/* The row voltage of every DAC code. */
static void xbar_init_dac(aimc_xbar *xb, const aimc_cfg *cfg)
{
	for (uint32_t d = 0; d <= xb->mask; d++) {
		double x = (double)d / (double)xb->mask;

		/* DAC INL: a parabolic bow of dac_inl LSB at mid-scale, zero at both ends */
		if (cfg->dac_inl > 0.0)
			xb->dac_v[d] = cfg->vread * ((double)d + cfg->dac_inl * 4.0 * x * (1.0 - x)) /
				       (double)xb->mask;
		else
			xb->dac_v[d] = cfg->vread * (double)d / (double)xb->mask;
	}
}

/* Which effects are on (drift, device tables, read noise, stuck cells, temperature, ADC), and
 * the ADC constants. */
static void xbar_init_effects(aimc_xbar *xb, const aimc_cfg *cfg)
{
	xb->drift_on = cfg->device == 0 && cfg->drift_time > cfg->drift_t0 &&
		       (cfg->drift_nu != 0.0 || cfg->drift_nu_sigma != 0.0);
	xb->pcm_drift_on = cfg->device == 1 && cfg->drift_time > cfg->drift_t0 && cfg->pcm_drift_scale > 0.0;
	if (xb->drift_on || xb->pcm_drift_on)
		xb->drift_lt = aimc_det_log(cfg->drift_time / cfg->drift_t0);
	device_tables(xb);
	xb->rnoise = cfg->read_sigma > 0.0 || xb->dev_rn_on;
	xb->stuck_on = cfg->stuck_gmin_frac > 0.0 || cfg->stuck_gmax_frac > 0.0;
	xb->temp_on = cfg->tc_g != 0.0 && cfg->temp != cfg->temp_ref;
	xb->tfac = 1.0 + cfg->tc_g * (cfg->temp - cfg->temp_ref);
	xb->adc_on = cfg->adc_gain_err != 0.0 || cfg->adc_gain_sigma != 0.0 || cfg->adc_offset != 0.0 ||
		     cfg->adc_offset_sigma != 0.0 || cfg->adc_inl != 0.0 || cfg->adc_noise != 0.0;
	/* the noise-free configs of docs/configs.md: every programmed cell sits exactly on its level */
	xb->exact = cfg->prog_sigma == 0.0 && cfg->read_sigma == 0.0 && cfg->pv_enable == 0 &&
		    aimc_cfg_effect_on(cfg) == NULL;
	xb->adc_half = ldexp(1.0, (int)cfg->adc_bits - 1);
	xb->adc_inv_half = ldexp(1.0, 1 - (int)cfg->adc_bits);
	xb->nadc = cfg->cols / cfg->cols_per_adc;
}

/* The arrays every config has: conductances, voltages, active rows, the ADC of each column and
 * the scratch of the conversions. */
static int xbar_alloc_core(aimc_xbar *xb, const aimc_cfg *cfg, size_t nrows, size_t ncells)
{
	xb->rstride = (cfg->cols + 15u) & ~15u;
	xb->g = malloc(ncells * 2 * sizeof(*xb->g));
	if (!xb->rnoise)
		xb->gd = zalloc64(nrows * xb->rstride * sizeof(*xb->gd));
	xb->v = calloc(nrows, sizeof(*xb->v));
	xb->act = calloc(nrows, sizeof(*xb->act));
	xb->n_act = calloc(cfg->num_tiles, sizeof(*xb->n_act));
	xb->adc_of = malloc(cfg->cols * sizeof(*xb->adc_of));
	xb->cpad = (cfg->cols + 7u) & ~7u;
	xb->sum_s = calloc(xb->cpad, sizeof(*xb->sum_s));
	xb->nrm1 = calloc(xb->cpad, sizeof(*xb->nrm1));
	xb->nrm2 = calloc(xb->cpad, sizeof(*xb->nrm2));
	xb->codes_s = calloc(xb->cpad, sizeof(*xb->codes_s));
	xb->cgain = calloc((size_t)cfg->num_tiles * xb->cpad, sizeof(*xb->cgain));
	xb->coff = calloc((size_t)cfg->num_tiles * xb->cpad, sizeof(*xb->coff));
	if (xb->g == NULL || (xb->gd == NULL && !xb->rnoise) || xb->v == NULL || xb->act == NULL ||
	    xb->n_act == NULL || xb->sum_s == NULL || xb->adc_of == NULL ||
	    xb->nrm1 == NULL || xb->nrm2 == NULL || xb->codes_s == NULL || xb->cgain == NULL ||
	    xb->coff == NULL)
		return AIMC_ENOMEM;
	for (uint32_t c = 0; c < cfg->cols; c++)
		xb->adc_of[c] = c / cfg->cols_per_adc;
	return AIMC_OK;
}

/* Read noise on: the binary32 read arrays and the constants of their finish (decisions 0005,
 * 0006). */
static int xbar_alloc_noise(aimc_xbar *xb, const aimc_cfg *cfg, size_t nrows)
{
	xb->cpan = (cfg->cols + AIMC_PANEL - 1u) / AIMC_PANEL * AIMC_PANEL;
	xb->rvar = zalloc64(nrows * xb->cpan * sizeof(*xb->rvar));
	xb->gdf = zalloc64(nrows * xb->cpan * sizeof(*xb->gdf));
	xb->vf = calloc(nrows, sizeof(*xb->vf));
	xb->v2f = calloc(nrows, sizeof(*xb->v2f));
	xb->sumf = zalloc64(xb->cpad * sizeof(*xb->sumf));
	xb->varf = zalloc64(xb->cpad * sizeof(*xb->varf));
	xb->cgainf = calloc((size_t)cfg->num_tiles * xb->cpad, sizeof(*xb->cgainf));
	xb->cofff = calloc((size_t)cfg->num_tiles * xb->cpad, sizeof(*xb->cofff));
	if (xb->rvar == NULL || xb->gdf == NULL || xb->vf == NULL || xb->v2f == NULL ||
	    xb->sumf == NULL || xb->varf == NULL || xb->cgainf == NULL || xb->cofff == NULL)
		return AIMC_ENOMEM;
	xb->fp.i_clip = (float)cfg->i_clip;
	xb->fp.inv_half = (float)xb->adc_inv_half;
	xb->fp.inl_k = (float)(cfg->adc_inl * (1.5 * sqrt(3.0)));
	xb->fp.adc_noise = (float)cfg->adc_noise;
	xb->fp.lo = (float)-xb->adc_half;
	xb->fp.hi = (float)(xb->adc_half - 1.0);
	xb->fp.adc_on = xb->adc_on;
	xb->fp.inl_on = cfg->adc_inl > 0.0;
	xb->fp.noise_on = cfg->adc_noise > 0.0;
	xb->prod1 = cfg->dac_bits == 1;
	return AIMC_OK;
}

/* The arrays of the optional paths: exact integer sums, IR drop, DAC output resistance. */
static int xbar_alloc_paths(aimc_xbar *xb, const aimc_cfg *cfg, size_t nrows, size_t ncells)
{
	if (xb->exact) {
		xb->r4n = (cfg->rows + 3u) / 4u;
		xb->cst4 = (cfg->cols + 63u) & ~63u;
		xb->wq = zalloc64((size_t)cfg->num_tiles * xb->r4n * xb->cst4 * 4u);
		xb->dcur = calloc(nrows, 1);
		xb->dq_s = calloc(xb->r4n, sizeof(*xb->dq_s));
		if (xb->wq == NULL || xb->dcur == NULL || xb->dq_s == NULL)
			return AIMC_ENOMEM;
	}
	if (cfg->ir_mode != AIMC_IR_OFF) {
		xb->gr = malloc(ncells * 2 * sizeof(*xb->gr));
		if (xb->gr == NULL)
			return AIMC_ENOMEM;
	}
	if (cfg->dac_rout > 0.0) {
		xb->rowfac = malloc(nrows * sizeof(*xb->rowfac));
		if (xb->rowfac == NULL)
			return AIMC_ENOMEM;
	}
	return AIMC_OK;
}

/* ADC effects on: the gain and offset of every ADC (keyed draws) and of every column. */
static int xbar_init_adcs(aimc_xbar *xb, const aimc_cfg *cfg, uint64_t seed)
{
	size_t n = (size_t)cfg->num_tiles * xb->nadc;

	xb->adc_gain = malloc(n * sizeof(*xb->adc_gain));
	xb->adc_off = malloc(n * sizeof(*xb->adc_off));
	if (xb->adc_gain == NULL || xb->adc_off == NULL)
		return AIMC_ENOMEM;
	for (uint32_t t = 0; t < cfg->num_tiles; t++) {
		for (uint32_t j = 0; j < xb->nadc; j++) {
			aimc_key kg = {seed, t, 0, j, AIMC_EV_ADC_GAIN, 0};
			aimc_key ko = {seed, t, 0, j, AIMC_EV_ADC_OFFSET, 0};
			double gain = 1.0 + cfg->adc_gain_err, off = cfg->adc_offset;

			if (cfg->adc_gain_sigma > 0.0)
				gain = gain + cfg->adc_gain_sigma * aimc_rng_normal(&kg);
			if (cfg->adc_offset_sigma > 0.0)
				off = off + cfg->adc_offset_sigma * aimc_rng_normal(&ko);
			xb->adc_gain[(size_t)t * xb->nadc + j] = gain;
			xb->adc_off[(size_t)t * xb->nadc + j] = off;
		}
		for (uint32_t c = 0; c < cfg->cols; c++) {
			xb->cgain[(size_t)t * xb->cpad + c] = xb->adc_gain[(size_t)t * xb->nadc + xb->adc_of[c]];
			xb->coff[(size_t)t * xb->cpad + c] = xb->adc_off[(size_t)t * xb->nadc + xb->adc_of[c]];
			if (xb->cgainf != NULL) {
				xb->cgainf[(size_t)t * xb->cpad + c] = (float)xb->cgain[(size_t)t * xb->cpad + c];
				xb->cofff[(size_t)t * xb->cpad + c] = (float)xb->coff[(size_t)t * xb->cpad + c];
			}
		}
	}
	return AIMC_OK;
}

/* Per-column key prefixes of the per-conversion draws (aimc_detmath.h): same bits, less work. */
static int xbar_init_read_keys(aimc_xbar *xb, const aimc_cfg *cfg, uint64_t seed)
{
	xb->pre_read = malloc((size_t)cfg->num_tiles * cfg->cols * sizeof(uint64_t));
	if (xb->pre_read == NULL)
		return AIMC_ENOMEM;
	for (uint32_t t = 0; t < cfg->num_tiles; t++) {
		for (uint32_t c = 0; c < cfg->cols; c++) {
			aimc_key kr = {seed, t, 0, c, AIMC_EV_READ, 0};

			xb->pre_read[(size_t)t * cfg->cols + c] = aimc_rng_key_prefix(&kr);
		}
	}
	return AIMC_OK;
}

/* Every cell at gmin (or its stuck value), every row refreshed. */
static int xbar_reset_cells(aimc_xbar *xb, const aimc_cfg *cfg, size_t ncells)
{
	if (cfg->device != 0) {
		xb->lvl = calloc(ncells * 2, 1);
		if (xb->lvl == NULL)
			return AIMC_ENOMEM;
	}
	for (uint32_t t = 0; t < cfg->num_tiles; t++) {
		for (uint32_t r = 0; r < cfg->rows; r++) {
			for (uint32_t k = 0; k < 2 * cfg->cols; k++) {
				int st = stuck_state(xb, t, r, k);

				xb->g[2 * (cell_base(xb, t, k / 2) + r) + (k & 1)] =
					st == 1 ? cfg->gmin : st == 2 ? cfg->gmax : cfg->gmin;
			}
			row_refresh(xb, t, r);
		}
	}
	return AIMC_OK;
}

/* IR drop on: the solver's parameters, workspace and per-tile current cache. */
static int xbar_init_irdrop(aimc_xbar *xb, const aimc_cfg *cfg)
{
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
		return AIMC_ENOMEM;
	return AIMC_OK;
}

/* The conductance-based crossbar (xbar_kind flash) after its kernels are chosen: tables, arrays,
 * keyed ADC and read draws, the reset state of the cells. */
static int xbar_build(aimc_xbar *xb, const aimc_cfg *cfg, uint64_t seed)
{
	const size_t nrows = (size_t)cfg->num_tiles * cfg->rows;
	const size_t ncells = nrows * cfg->cols;
	int rc;

	xb->rows = cfg->rows;
	xb->cols = cfg->cols;
	xb->mask = (1u << cfg->dac_bits) - 1u;
	xbar_init_levels(xb, cfg);
	xbar_init_dac(xb, cfg);
	xbar_init_effects(xb, cfg);
	rc = xbar_alloc_core(xb, cfg, nrows, ncells);
	if (rc == AIMC_OK && xb->rnoise)
		rc = xbar_alloc_noise(xb, cfg, nrows);
	xb->threads = 1;
	if (rc == AIMC_OK)
		rc = xbar_alloc_paths(xb, cfg, nrows, ncells);
	if (rc == AIMC_OK && xb->adc_on)
		rc = xbar_init_adcs(xb, cfg, seed);
	if (rc == AIMC_OK)
		rc = xbar_init_read_keys(xb, cfg, seed);
	if (rc == AIMC_OK)
		rc = xbar_reset_cells(xb, cfg, ncells);
	if (rc == AIMC_OK && cfg->ir_mode != AIMC_IR_OFF)
		rc = xbar_init_irdrop(xb, cfg);
	return rc;
}

int aimc_xbar_create_ex(aimc_xbar **out, const aimc_cfg *cfg, uint64_t seed, char *err, size_t errlen)
{
	aimc_xbar *xb = NULL;
	aimc_cfg arr;
	int rc;

	if (out == NULL || cfg == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "aimc_analog: no crossbar pointer or no config given");
		return AIMC_EINVAL;
	}
	*out = NULL;
	rc = aimc_cfg_check(cfg, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	/* The model works on the array: with bit-sliced weights every logical column is
	 * weight_slices adjacent pair columns on the same ADC (docs/numbers.md "Bit-sliced weights"). */
	aimc_cfg_array_view(cfg, &arr);
	cfg = &arr;
	xb = calloc(1, sizeof(*xb));
	if (xb == NULL) {
		rc = AIMC_ENOMEM;
		goto fail;
	}
	xb->cfg = *cfg;
	xb->top = (int)aimc_cfg_cell_top(cfg);
	xb->seed = seed;
	if (cfg->xbar_kind == 1) {
		/* charge-domain (issue 18): the capacitor model replaces everything of xbar_build */
		xb->chg = aimc_chg_create(cfg, seed);
		if (xb->chg == NULL) {
			rc = AIMC_ENOMEM;
			goto fail;
		}
		xb->rows = cfg->rows;
		xb->cols = cfg->cols;
		xb->mask = (1u << cfg->dac_bits) - 1u;
		xb->threads = 1;
		*out = xb;
		return AIMC_OK;
	}
	rc = xbar_select_kernels(xb, cfg, err, errlen);
	if (rc == AIMC_OK)
		rc = xbar_build(xb, cfg, seed);
	if (rc != AIMC_OK)
		goto fail;
	*out = xb;
	return AIMC_OK;
fail:
	if (rc == AIMC_ENOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "aimc_analog: out of memory for the crossbars of config '%s'", cfg->name);
	aimc_xbar_destroy(xb);
	return rc;
}

aimc_xbar *aimc_xbar_create(const aimc_cfg *cfg, uint64_t seed)
{
	aimc_xbar *xb = NULL;

	return aimc_xbar_create_ex(&xb, cfg, seed, NULL, 0) == AIMC_OK ? xb : NULL;
}

int aimc_xbar_simd_check(const char *simd, char *err, size_t errlen)
{
	aimc_kern k;
	char msg[160];
	int rc = aimc_kern_select(simd, &k, msg, sizeof(msg));

	if (rc != AIMC_OK && err != NULL && errlen > 0)
		snprintf(err, errlen, "aimc_analog: %s", msg);
	return rc;
}

uint32_t aimc_xbar_diag(const aimc_xbar *xb, char *buf, size_t len)
{
	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (xb == NULL || xb->ir_unconv == 0)
		return 0;
	if (buf != NULL && len > 0)
		snprintf(buf, len,
			 "aimc_analog: IR-drop solve of tile %u stopped after %u sweeps without converging "
			 "(last change %g V); using the last iterate (%u such solve%s)",
			 xb->ir_unconv_tile, xb->ir_unconv_iters, xb->ir_unconv_dv, xb->ir_unconv,
			 xb->ir_unconv == 1 ? "" : "s");
	return xb->ir_unconv;
}

void aimc_xbar_destroy(aimc_xbar *xb)
{
	if (xb == NULL)
		return;
	free(xb->g);
	free(xb->gd);
	free(xb->rvar);
	free(xb->gdf);
	free(xb->nrm1);
	free(xb->codes_s);
	free(xb->cgain);
	free(xb->coff);
	free(xb->nrm2);
	free(xb->vf);
	free(xb->v2f);
	free(xb->sumf);
	free(xb->varf);
	free(xb->cgainf);
	free(xb->cofff);
	free(xb->rowfac);
	free(xb->adc_gain);
	free(xb->adc_off);
	free(xb->sum_s);
	free(xb->adc_of);
	free(xb->pre_read);
	free(xb->v);
	free(xb->act);
	free(xb->n_act);
	aimc_ir_ws_destroy(xb->ir_ws);
	free(xb->ir_i);
	free(xb->ir_valid);
	free(xb->gr);
	free(xb->wq);
	free(xb->dcur);
	free(xb->dq_s);
	free(xb->bscr);
	free(xb->lvl);
	aimc_chg_destroy(xb->chg); /* charge-domain (issue 18) */
	free(xb);
}

/* One programmed cell: target of its level plus the keyed programming error, clamped to
 * [0, 1.2 gmax] (a conductance cannot be negative; the top bound is where the cell saturates). */
static double program_cell(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell, int level,
			   uint32_t prog_idx)
{
	double g = xb->level_g[level];
	int st = stuck_state(xb, tile, row, cell);

	if (st != 0)
		return st == 1 ? xb->cfg.gmin : xb->cfg.gmax;
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
	if (xb != NULL && xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_program_row(xb->chg, tile, row, w, prog_idx);
	if (xb == NULL || w == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows)
		return AIMC_EINVAL;
	for (uint32_t c = 0; c < xb->cols; c++) {
		int wc = w[c] < -xb->top ? -xb->top : w[c] > xb->top ? xb->top : w[c];
		size_t i = cell_base(xb, tile, c) + row;
		double gp = program_cell(xb, tile, row, 2 * c, wc > 0 ? wc : 0, prog_idx);
		double gn = program_cell(xb, tile, row, 2 * c + 1, wc < 0 ? -wc : 0, prog_idx);

		xb->g[2 * i] = gp;
		xb->g[2 * i + 1] = gn;
		if (xb->lvl != NULL) {
			xb->lvl[2 * i] = (uint8_t)(wc > 0 ? wc : 0);
			xb->lvl[2 * i + 1] = (uint8_t)(wc < 0 ? -wc : 0);
		}
		if (xb->wq != NULL)
			xb->wq[wq_index(xb, tile, row, c)] = (int8_t)wc;
	}
	row_refresh(xb, tile, row);
	if (xb->ir_valid != NULL)
		xb->ir_valid[tile] = 0;
	return 0;
}

/* Level of cell k (2c: positive, 2c+1: negative) for weight byte w[c], clamped to [-top, top]
 * (-128 is taken as -127). */
static int cell_level(const int8_t *w, uint32_t k, int top)
{
	int wc = w[k / 2] < -top ? -top : w[k / 2] > top ? top : w[k / 2];

	if (k & 1)
		return wc < 0 ? -wc : 0;
	return wc > 0 ? wc : 0;
}

int aimc_xbar_pulse_row(aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
			const uint8_t *mask, uint32_t pulse_idx)
{
	if (xb != NULL && xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_pulse_row(xb->chg, tile, row, w, mask);
	if (xb == NULL || w == NULL || mask == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows)
		return AIMC_EINVAL;
	for (uint32_t k = 0; k < 2 * xb->cols; k++) {
		size_t i = cell_base(xb, tile, k / 2) + row;
		int level = cell_level(w, k, xb->top);
		double g, tgt;

		if (xb->lvl != NULL)
			xb->lvl[2 * i + (k & 1)] = (uint8_t)level;
		if (mask[k] == 0 || stuck_state(xb, tile, row, k) != 0)
			continue; /* inhibited, or a stuck cell that no pulse moves */
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
	}
	row_refresh(xb, tile, row);
	if (xb->ir_valid != NULL)
		xb->ir_valid[tile] = 0;
	xb->exact = 0; /* a pulse leaves cells between levels: codes from the analog sum from now on */
	return 0;
}

int aimc_xbar_verify_row(const aimc_xbar *xb, uint32_t tile, uint32_t row, const int8_t *w,
			 uint32_t tol_code, uint32_t verify_idx, uint8_t *ok)
{
	double tol;
	int n = 0;

	if (xb == NULL || w == NULL || ok == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows ||
	    tol_code > 0xffffu)
		return AIMC_EINVAL;
	if (xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_verify_row(xb->chg, tile, row, w, ok);
	tol = ldexp((double)tol_code, -16) * (xb->cfg.gmax - xb->cfg.gmin);
	for (uint32_t k = 0; k < 2 * xb->cols; k++) {
		size_t i = cell_base(xb, tile, k / 2) + row;
		double g = xb->g[2 * i + (k & 1)];
		double err;

		if (xb->rvar != NULL) {
			aimc_key key = {xb->seed, tile, row, k, AIMC_EV_VERIFY, verify_idx};

			g = g + read_sd(xb, g) * aimc_rng_normal(&key);
		}
		err = fabs(g - xb->level_g[cell_level(w, k, xb->top)]);
		ok[k] = err <= tol;
		n += ok[k];
	}
	return n;
}

int aimc_xbar_apply(aimc_xbar *xb, uint32_t tile, const uint8_t *d)
{
	const double *rowfac;
	double *v;
	uint32_t *act, n = 0, r = 0;
	uint64_t hi, bad = 0;

	if (xb == NULL || d == NULL || tile >= xb->cfg.num_tiles)
		return AIMC_EINVAL;
	if (xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_apply(xb->chg, tile, d);
	/* every code checked before anything changes: a code above mask has a bit of hi in its byte */
	hi = 0x0101010101010101ull * (uint8_t)~xb->mask;
	for (; r + 8 <= xb->rows; r += 8) {
		uint64_t w;

		memcpy(&w, d + r, sizeof(w));
		bad |= w & hi;
	}
	for (; r < xb->rows; r++)
		bad |= d[r] & hi;
	if (bad != 0)
		return AIMC_EINVAL;
	rowfac = xb->rowfac != NULL ? xb->rowfac + (size_t)tile * xb->rows : NULL;
	v = xb->v + (size_t)tile * xb->rows;
	act = xb->act + (size_t)tile * xb->rows;
	/* Rows at 0 V add exactly +0.0 to every sum: leaving them out of act changes no bit (the list
	 * is written without a branch: the signs of the inputs are random) */
	if (xb->rvar != NULL) {
		float *vf = xb->vf + (size_t)tile * xb->rows, *v2f = xb->v2f + (size_t)tile * xb->rows;

		for (r = 0; r < xb->rows; r++) {
			double x = rowfac != NULL ? xb->dac_v[d[r]] * rowfac[r] : xb->dac_v[d[r]];

			v[r] = x;
			vf[r] = (float)x;
			v2f[r] = (float)(x * x);
			act[n] = r;
			n += d[r] != 0;
		}
		if (xb->prod1) /* the read arrays hold the products already (row_refresh) */
			for (r = 0; r < xb->rows; r++)
				vf[r] = v2f[r] = d[r] != 0 ? 1.0f : 0.0f;
	} else {
		for (r = 0; r < xb->rows; r++) {
			v[r] = rowfac != NULL ? xb->dac_v[d[r]] * rowfac[r] : xb->dac_v[d[r]];
			act[n] = r;
			n += d[r] != 0;
		}
	}
	/* fault hook: the dead DAC row stays at 0 V and leaves the active rows (fault_dac_dead;
	 * docs/robustness.md) */
	if (xb->cfg.fault_dac_dead && tile == xb->cfg.fault_tile) {
		uint32_t m = 0;

		r = xb->cfg.fault_dac_row;
		v[r] = 0.0;
		if (xb->rvar != NULL) {
			xb->vf[(size_t)tile * xb->rows + r] = 0.0f;
			xb->v2f[(size_t)tile * xb->rows + r] = 0.0f;
		}
		for (uint32_t i = 0; i < n; i++)
			if (act[i] != r)
				act[m++] = act[i];
		n = m;
	}
	xb->n_act[tile] = n;
	if (xb->dcur != NULL)
		memcpy(xb->dcur + (size_t)tile * xb->rows, d, xb->rows);
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
		 * is counted for aimc_xbar_diag; with realistic resistances it converges in a few to a
		 * few tens of sweeps (docs/analog-model.md "IR drop"). */
		if (aimc_ir_solve(&xb->ir, xb->rows, xb->cols, xb->gr + 2 * cell_base(xb, tile, 0),
				  xb->v + (size_t)tile * xb->rows, out, xb->ir_ws, &st) != 0) {
			if (xb->ir_unconv == 0) {
				xb->ir_unconv_tile = tile;
				xb->ir_unconv_iters = st.iters;
				xb->ir_unconv_dv = st.last_dv;
			}
			if (xb->ir_unconv < UINT32_MAX)
				xb->ir_unconv++;
		}
		xb->ir_valid[tile] = 1;
	}
	return out;
}

/* Clipping of one column current without read noise (the sense amplifier's output swing). */
static double clip_current(const aimc_xbar *xb, double sum)
{
	if (xb->cfg.i_clip > 0.0) {
		if (sum > xb->cfg.i_clip)
			sum = xb->cfg.i_clip;
		if (sum < -xb->cfg.i_clip)
			sum = -xb->cfg.i_clip;
	}
	return sum;
}

/* Without read noise: the binary64 sum of one column, clipped, and (cmp not NULL, comparator noise
 * on) the comparator normal of the conversion in *cmp: the second normal of the column's READ pair
 * (docs/analog-model.md). */
static double column_current(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
			     double *cmp)
{
	const double *gd = xb->gd + rm_index(xb, tile, 0, col), *v = xb->v + (size_t)tile * xb->rows;
	const uint32_t *act = xb->act + (size_t)tile * xb->rows;
	const uint32_t n = xb->n_act[tile];
	const size_t stride = xb->rstride;
	double sum = 0.0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = act[i];

		sum += v[r] * gd[r * stride];
	}
	/* IR drop (ir_mode first or full): the column current of the resistive network replaces the
	 * ideal sum. */
	if (xb->ir_valid != NULL) {
		const double *ic = ir_currents(xb, tile);

		sum = ic[2 * col] - ic[2 * col + 1];
	}
	if (cmp != NULL && xb->cfg.adc_noise > 0.0) {
		float n1, n2;

		aimc_rng_read_pair(xb->pre_read[(size_t)tile * xb->cols + col], conv_idx, &n1, &n2);
		*cmp = n2;
	}
	return clip_current(xb, sum);
}

/* Read noise and clipping of one column in binary32 (decision 0006). One draw per column
 * conversion carries the summed noise of all cells (equivalent in distribution to independent
 * per-cell draws, docs/analog-model.md). */
static float finish_f32(const aimc_xbar *xb, float sum, float var, float n)
{
	if (var > 0.0f)
		sum = sum + sqrtf(var) * n;
	if (xb->fp.i_clip > 0.0f) {
		if (sum > xb->fp.i_clip)
			sum = xb->fp.i_clip;
		if (sum < -xb->fp.i_clip)
			sum = -xb->fp.i_clip;
	}
	return sum;
}

/* Read noise on: the current of one column in binary32 (decisions 0005, 0006), the bits of
 * acc_batch, aimc_rng_read_pairs and finish_adcf for this column; the comparator normal in *cmp
 * (may be NULL). */
static float column_current_f32(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
				float *cmp)
{
	const float *gf = xb->gdf + pm_index(xb, tile, 0, col);
	const float *rv = xb->rvar + pm_index(xb, tile, 0, col);
	const float *vf = xb->vf + (size_t)tile * xb->rows, *v2f = xb->v2f + (size_t)tile * xb->rows;
	const uint32_t *act = xb->act + (size_t)tile * xb->rows;
	const uint32_t n = xb->n_act[tile];
	const size_t stride = AIMC_PANEL;
	float s = 0.0f, q = 0.0f, n1, n2;

	/* ascending active rows, one multiply and one add per term */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = act[i];

		s += vf[r] * gf[r * stride];
		q += v2f[r] * rv[r * stride];
	}
	/* IR drop: the network's column current replaces the sum; the read noise keeps its
	 * variance from the applied voltages */
	if (xb->ir_valid != NULL) {
		const double *ic = ir_currents(xb, tile);

		s = (float)(ic[2 * col] - ic[2 * col + 1]);
	}
	aimc_rng_read_pair(xb->pre_read[(size_t)tile * xb->cols + col], conv_idx, &n1, &n2);
	if (cmp != NULL)
		*cmp = n2;
	return finish_f32(xb, s, q, n1);
}

double aimc_xbar_current(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx)
{
	if (xb == NULL || tile >= xb->cfg.num_tiles || col >= xb->cols)
		return 0.0;
	if (xb->chg != NULL) /* charge-domain (issue 18): the differential line voltage, volts */
		return aimc_chg_voltage(xb->chg, tile, col, conv_idx);
	if (xb->rvar != NULL)
		return (double)column_current_f32(xb, tile, col, conv_idx, NULL);
	return column_current(xb, tile, col, conv_idx, NULL);
}

/* Round half away from zero, as floor(x + 0.5) and -floor(-x + 0.5) (same x + 0.5, then a
 * truncation of a positive double), without a libm call on the x86-64 baseline. NaN and
 * |x| >= 2^52 (already integers) come back unchanged. */
static double round_half_away(double x)
{
	if (!(x > -0x1p52 && x < 0x1p52))
		return x;
	return x >= 0.0 ? (double)(int64_t)(x + 0.5) : -(double)(int64_t)(-x + 0.5);
}

/* The ADC's front end in LSB of the ideal ADC, before the comparator: the exact-sum rounding of
 * an exact crossbar, per-ADC gain and offset and the INL bow (docs/analog-model.md). */
static double adc_front(const aimc_xbar *xb, uint32_t tile, uint32_t col, double x, uint32_t adc_shift)
{
	if (xb->exact) {
		/* Every effect off: x 2^adc_shift is the integer sum_r d[r] w[r][c] up to the binary64
		 * error of the analog sum (far below 0.5), so it is rounded back to that integer and
		 * x becomes exactly s / 2^adc_shift: a tie (x.5) then rounds away from zero as the
		 * integer formula of docs/numbers.md says, as the digital twin does. */
		int sh = adc_shift > 1024u ? 1024 : (int)adc_shift;
		double s = ldexp(x, sh);

		s = round_half_away(s);
		x = ldexp(s, -sh);
	}
	if (xb->adc_on) {
		size_t j = (size_t)tile * xb->nadc + xb->adc_of[col];

		x = x * xb->adc_gain[j] + xb->adc_off[j];
		if (xb->cfg.adc_inl > 0.0) {
			/* odd cubic bow, zero at 0 and at both ends of the range, peak adc_inl LSB at
			 * u = +-1/sqrt(3): (3 sqrt(3) / 2) u (1 - u^2) */
			double u = x * xb->adc_inv_half; /* exact: a power of two */

			u = u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
			x = x + xb->cfg.adc_inl * (1.5 * sqrt(3.0)) * u * (1.0 - u * u);
		}
	}
	return x;
}

/* ADC transfer of docs/numbers.md with the ADC non-idealities (docs/analog-model.md): x in LSB
 * of the ideal ADC; per-ADC gain and offset, the INL bow, comparator noise, then round and clamp. */
static int32_t adc_code(const aimc_xbar *xb, uint32_t tile, uint32_t col, double x, double n_cmp,
		       uint32_t adc_shift)
{
	double lo = -xb->adc_half, hi = xb->adc_half - 1.0, q;

	x = adc_front(xb, tile, col, x, adc_shift);
	if (xb->adc_on && xb->cfg.adc_noise > 0.0)
		x = x + xb->cfg.adc_noise * n_cmp;
	q = round_half_away(x);
	if (!(q >= lo)) /* NaN cannot occur for a valid config; it would read as the low rail */
		q = lo;
	if (q > hi)
		q = hi;
	return (int32_t)q;
}

/* adc_code of an exact crossbar (every effect off) from the integer sums s = sum_r d[r] w[r][c] (the
 * value its exact path rounds the analog sum back to, decision 0008): round_half_away(s 2^-sh),
 * clamped, in integers. |s| <= 1024 * 255 * 127 < 2^25 (rows <= 1024, aimc_config.c). */
static void exact_codes(const aimc_xbar *xb, const int32_t *s, uint32_t n, uint32_t adc_shift, int32_t *codes)
{
	const int32_t lo = -(int32_t)xb->adc_half, hi = (int32_t)xb->adc_half - 1;

	if (adc_shift > 25u) { /* |s| < 2^25: the quotient is below 0.5 */
		memset(codes, 0, n * sizeof(*codes));
		return;
	}
	xb->kern.exact_fin(codes, s, n, adc_shift == 0 ? 0 : (int32_t)1 << (adc_shift - 1u), (int32_t)adc_shift, lo, hi);
}

static double lsb_of(const aimc_xbar *xb, uint32_t adc_shift)
{
	return xb->i_lsb0 * ldexp(1.0, adc_shift > 1024u ? 1024 : (int)adc_shift);
}

/* adc_front in binary32 (read noise on, decision 0006): per-column gain and offset, INL bow. */
static float adc_front_f32(const aimc_xbar *xb, uint32_t tile, uint32_t col, float x)
{
	const aimc_fin_parf *p = &xb->fp;

	if (p->adc_on) {
		size_t j = (size_t)tile * xb->cpad + col;

		x = x * xb->cgainf[j] + xb->cofff[j];
		if (p->inl_on) {
			float u = x * p->inv_half;

			u = u < -1.0f ? -1.0f : u;
			u = u > 1.0f ? 1.0f : u;
			x = x + p->inl_k * u * (1.0f - u * u);
		}
	}
	return x;
}

/* adc_code in binary32 (read noise on, decision 0006): x in LSB; the clamp to the code range comes
 * before the rounding (the same code: the range ends are integers), a NaN reads as the low end. */
static int32_t adc_code_f32(const aimc_xbar *xb, uint32_t tile, uint32_t col, float x, float n_cmp)
{
	const aimc_fin_parf *p = &xb->fp;

	x = adc_front_f32(xb, tile, col, x);
	if (p->adc_on && p->noise_on)
		x = x + p->adc_noise * n_cmp;
	if (!(x >= p->lo))
		x = p->lo;
	if (x > p->hi)
		x = p->hi;
	return x >= 0.0f ? (int32_t)(x + 0.5f) : -(int32_t)(-x + 0.5f);
}

/* fault hook: 1 if (tile, col) is converted by the dead ADC (fault_adc_dead; docs/robustness.md) */
static int dead_adc(const aimc_xbar *xb, uint32_t tile, uint32_t col)
{
	return xb->cfg.fault_adc_dead && tile == xb->cfg.fault_tile && xb->adc_of[col] == xb->cfg.fault_adc;
}

int32_t aimc_xbar_convert(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
			  uint32_t adc_shift)
{
	double i, n_cmp = 0.0;

	if (xb == NULL || tile >= xb->cfg.num_tiles || col >= xb->cols)
		return 0;
	if (xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_convert(xb->chg, tile, col, conv_idx, adc_shift);
	if (xb->cfg.adc_kind == AIMC_ADC_SAR)
		return aimc_xbar_sar_code(xb, tile, col, aimc_xbar_sar_input(xb, tile, col, conv_idx, adc_shift),
					  conv_idx);
	if (dead_adc(xb, tile, col))
		return (int32_t)xb->cfg.fault_adc_code;
	if (xb->rvar != NULL) {
		float cmp = 0.0f, fi = column_current_f32(xb, tile, col, conv_idx, &cmp);

		return adc_code_f32(xb, tile, col, fi / (float)lsb_of(xb, adc_shift), cmp);
	}
	i = column_current(xb, tile, col, conv_idx, &n_cmp);
	return adc_code(xb, tile, col, i / lsb_of(xb, adc_shift), n_cmp, adc_shift);
}

/* ---- SAR ADC (adc_kind sar, docs/analog-model.md "SAR ADC") ------------------------------------ */

double aimc_xbar_sar_input(const aimc_xbar *xb, uint32_t tile, uint32_t col, uint32_t conv_idx,
			   uint32_t adc_shift)
{
	if (xb == NULL || tile >= xb->cfg.num_tiles || col >= xb->cols)
		return NAN;
	if (dead_adc(xb, tile, col))
		return xb->cfg.fault_adc_code;
	if (xb->rvar != NULL) {
		float fi = column_current_f32(xb, tile, col, conv_idx, NULL);

		return (double)adc_front_f32(xb, tile, col, fi / (float)lsb_of(xb, adc_shift));
	}
	return adc_front(xb, tile, col, column_current(xb, tile, col, conv_idx, NULL) / lsb_of(xb, adc_shift),
			 adc_shift);
}

int aimc_xbar_sar_compare(const aimc_xbar *xb, uint32_t tile, uint32_t col, double x, int32_t trial,
			  uint32_t bit, uint32_t conv_idx)
{
	double t = (double)trial - 0.5, v = x;

	if (xb == NULL || tile >= xb->cfg.num_tiles || col >= xb->cols)
		return AIMC_EINVAL;
	/* a dead ADC's comparator says what its constant code needs, without noise */
	if (dead_adc(xb, tile, col))
		return (int32_t)xb->cfg.fault_adc_code >= trial;
	if (xb->cfg.adc_noise > 0.0) {
		aimc_key k = {xb->seed, tile, bit, col, AIMC_EV_SAR_CMP, conv_idx};

		v = x + xb->cfg.adc_noise * aimc_rng_normal(&k);
	}
	/* the threshold k - 1/2 with a tie decided away from zero: without noise the search ends on
	 * round_half_away(x) clamped to the code range, today's ADC transfer (a NaN reads low) */
	return v > t || (v == t && t > 0.0);
}

int32_t aimc_xbar_sar_code(const aimc_xbar *xb, uint32_t tile, uint32_t col, double x, uint32_t conv_idx)
{
	const uint32_t bits = xb->cfg.adc_bits;
	const int32_t half = (int32_t)1 << (bits - 1u);
	uint32_t u = 0; /* offset binary: code = u - half */

	for (uint32_t b = bits; b-- > 0;) {
		uint32_t tu = u | (1u << b);

		if (aimc_xbar_sar_compare(xb, tile, col, x, (int32_t)tu - half, b, conv_idx) == 1)
			u = tu;
	}
	return (int32_t)u - half;
}

/* 2 doubles per vector (SSE2, the x86-64 baseline; other targets split it): element-wise
 * IEEE-754 multiply and add, so every lane gives the bits of the scalar code. */
typedef double aimc_v2d __attribute__((vector_size(16)));

static aimc_v2d ld2(const double *p)
{
	aimc_v2d x;

	memcpy(&x, p, sizeof(x));
	return x;
}

static void st2(double *p, aimc_v2d x)
{
	memcpy(p, &x, sizeof(x));
}

/* sum[c] += v * a[c] for c in [0, n): per column the same operation as the scalar loop. */
static void axpy_rows(double *sum, const double *a, double v, uint32_t n)
{
	aimc_v2d vv = {v, v};
	uint32_t c = 0;

	for (; c + 4 <= n; c += 4) {
		st2(sum + c, ld2(sum + c) + vv * ld2(a + c));
		st2(sum + c + 2, ld2(sum + c + 2) + vv * ld2(a + c + 2));
	}
	for (; c < n; c++)
		sum[c] += v * a[c];
}

static int convert_all(aimc_xbar *xb, uint32_t tile, uint32_t conv_idx, uint32_t adc_shift, int32_t *codes);

int aimc_xbar_convert_all(aimc_xbar *xb, uint32_t tile, uint32_t conv_idx, uint32_t adc_shift,
			  int32_t *codes)
{
	int rc;

	if (xb != NULL && xb->cfg.adc_kind == AIMC_ADC_SAR) {
		/* the SAR decides each column by its own comparator sequence, as the RTL does */
		if (tile >= xb->cfg.num_tiles || codes == NULL)
			return AIMC_EINVAL;
		for (uint32_t c = 0; c < xb->cols; c++)
			codes[c] = aimc_xbar_convert(xb, tile, c, conv_idx, adc_shift);
		return 0;
	}
	rc = convert_all(xb, tile, conv_idx, adc_shift, codes);

	/* fault hook: the dead ADC's columns read its constant code */
	if (rc == 0 && xb->cfg.fault_adc_dead && tile == xb->cfg.fault_tile)
		for (uint32_t c = 0; c < xb->cols; c++)
			if (dead_adc(xb, tile, c))
				codes[c] = (int32_t)xb->cfg.fault_adc_code;
	return rc;
}

static int convert_all(aimc_xbar *xb, uint32_t tile, uint32_t conv_idx, uint32_t adc_shift, int32_t *codes)
{
	const double *v;
	const uint32_t *act;
	uint32_t n, cols;
	double lsb;

	if (xb == NULL || codes == NULL || tile >= xb->cfg.num_tiles)
		return AIMC_EINVAL;
	if (xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_convert_all(xb->chg, tile, conv_idx, adc_shift, codes);
	cols = xb->cols;
	v = xb->v + (size_t)tile * xb->rows;
	act = xb->act + (size_t)tile * xb->rows;
	n = xb->n_act[tile];
	lsb = lsb_of(xb, adc_shift);
	if (xb->rvar != NULL) {
		/* read noise on: binary32 throughout, the bits of column_current_f32 and adc_code_f32
		 * for each column */
		aimc_fin_parf p = xb->fp;

		xb->kern.accb(xb->sumf, xb->varf, 0, xb->gdf + pm_index(xb, tile, 0, 0), xb->rvar + pm_index(xb, tile, 0, 0),
			      xb->rows, 0, cols, 1, act, &n, xb->rows, xb->prod1 ? NULL : xb->vf + (size_t)tile * xb->rows,
			      xb->v2f + (size_t)tile * xb->rows);
		if (xb->ir_valid != NULL) { /* IR drop: the network's column currents */
			const double *ic = ir_currents(xb, tile);

			for (uint32_t c = 0; c < cols; c++)
				xb->sumf[c] = (float)(ic[2 * c] - ic[2 * c + 1]);
		}
		aimc_rng_read_pairs(xb->kern.read, xb->pre_read + (size_t)tile * cols, conv_idx, cols, xb->nrm1,
				    xb->nrm2);
		p.lsb = (float)lsb;
		xb->kern.finishf(xb->codes_s, xb->sumf, xb->varf, xb->nrm1, xb->nrm2,
				 xb->cgainf + (size_t)tile * xb->cpad, xb->cofff + (size_t)tile * xb->cpad, xb->cpad,
				 &p);
		memcpy(codes, xb->codes_s, cols * sizeof(*codes));
		return 0;
	}
	if (xb->exact && xb->wq != NULL) {
		/* every effect off: the integer sums, the codes the analog sum rounds back to */
		int32_t *isum = xb->codes_s;

		pack_codes(xb, xb->dcur + (size_t)tile * xb->rows, xb->dq_s);
		xb->kern.acci(isum, 0, xb->wq + wq_index(xb, tile, 0, 0), xb->cst4, 0, cols, 1, xb->dq_s, xb->r4n);
		exact_codes(xb, isum, cols, adc_shift, codes);
		return 0;
	}
	/* row by row, every column accumulating its active rows in ascending order: the bits of
	 * aimc_xbar_current for each column */
	memset(xb->sum_s, 0, cols * sizeof(double));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = act[i];

		axpy_rows(xb->sum_s, xb->gd + rm_index(xb, tile, r, 0), v[r], cols);
	}
	if (xb->ir_valid != NULL) { /* IR drop: the network's column currents, as aimc_xbar_current */
		const double *ic = ir_currents(xb, tile);

		for (uint32_t c = 0; c < cols; c++)
			xb->sum_s[c] = ic[2 * c] - ic[2 * c + 1];
	}
	if (xb->cfg.adc_noise > 0.0) {
		/* comparator noise: every column's READ pair at once, the bits of column_current's draw */
		aimc_rng_read_pairs(xb->kern.read, xb->pre_read + (size_t)tile * cols, conv_idx, cols, xb->nrm1,
				    xb->nrm2);
		if (!xb->exact) { /* always, in fact: comparator noise is on */
			const aimc_fin_par p = {
				lsb,
				xb->cfg.i_clip,
				xb->adc_inv_half,
				xb->cfg.adc_inl * (1.5 * sqrt(3.0)),
				xb->cfg.adc_noise,
				-xb->adc_half,
				xb->adc_half - 1.0,
				xb->adc_on,
				xb->cfg.adc_inl > 0.0,
				xb->cfg.adc_noise > 0.0,
			};

			xb->kern.finish(xb->codes_s, xb->sum_s, xb->nrm2,
					xb->cgain + (size_t)tile * xb->cpad, xb->coff + (size_t)tile * xb->cpad,
					xb->cpad, &p);
			memcpy(codes, xb->codes_s, cols * sizeof(*codes));
			return 0;
		}
		for (uint32_t c = 0; c < cols; c++)
			codes[c] = adc_code(xb, tile, c, clip_current(xb, xb->sum_s[c]) / lsb, (double)xb->nrm2[c],
					    adc_shift);
		return 0;
	}
	for (uint32_t c = 0; c < cols; c++)
		codes[c] = adc_code(xb, tile, c, clip_current(xb, xb->sum_s[c]) / lsb, 0.0, adc_shift);
	return 0;
}

int aimc_xbar_set_threads(aimc_xbar *xb, uint32_t n)
{
	if (xb == NULL || n < 1 || n > AIMC_XBAR_MAX_THREADS)
		return AIMC_EINVAL;
	xb->threads = n;
	return 0;
}

#ifndef AIMC_PASS_MIN_ROWS
#define AIMC_PASS_MIN_ROWS 512u
#endif
/* Read noise on: whether aimc_xbar_convert_batch sums in one pass over each block's rows
 * (kern.accp) rather than block by block per read (kern.accb): the same bits either way (both
 * add each read's active rows in ascending order); measured faster from AIMC_PASS_MIN_ROWS rows
 * (the read arrays no longer fit in L2) with several reads (decision 0008, addendum). */
static int pass_rows(const aimc_xbar *xb, uint32_t nk)
{
	return xb->rvar != NULL && nk > 1 && xb->rows >= AIMC_PASS_MIN_ROWS;
}

/* One worker of aimc_xbar_convert_batch: the columns [c0, c1) of every read of the batch. */
struct batch_job {
	const aimc_xbar *xb;
	uint32_t tile, c0, c1, nk, adc_shift;
	const uint8_t *d;         /* the caller's codes, nk x rows */
	const uint32_t *conv_idx; /* nk */
	const uint32_t *act, *nact;
	const uint32_t *rmask;    /* read noise, one pass (pass_rows): kern.accp's row masks, else NULL */
	const uint32_t *dq;       /* exact: the codes packed as wq, nk x r4n */
	const float *vf, *v2f;    /* nk x rows, or NULL (1-bit DAC: the products are stored) */
	float *sum, *var, *n1, *n2; /* nk x w each: w = c1 - c0 rounded up to 8 */
	int32_t *isum, *cbuf;     /* nk x w (exact), w */
	int32_t *codes;           /* nk x cols */
};

static void *batch_work(void *arg)
{
	struct batch_job *j = arg;
	const aimc_xbar *xb = j->xb;
	const uint32_t w = (j->c1 - j->c0 + 7u) & ~7u, cols = xb->cols;

	if (xb->rvar != NULL) {
		aimc_fin_parf p = xb->fp;

		if (j->rmask != NULL)
			xb->kern.accp(j->sum, j->var, w, xb->gdf + pm_index(xb, j->tile, 0, 0),
				      xb->rvar + pm_index(xb, j->tile, 0, 0), xb->rows, j->c0, j->c1, j->nk, j->act, j->nact,
				      xb->rows, j->vf, j->v2f, j->rmask);
		else
			xb->kern.accb(j->sum, j->var, w, xb->gdf + pm_index(xb, j->tile, 0, 0),
				      xb->rvar + pm_index(xb, j->tile, 0, 0), xb->rows, j->c0, j->c1, j->nk, j->act, j->nact,
				      xb->rows, j->vf, j->v2f);
		p.lsb = (float)lsb_of(xb, j->adc_shift);
		/* the READ pairs of every read of the batch in one call (their retries together) */
		aimc_rng_read_pairs_multi(xb->kern.read, xb->kern.readm, xb->pre_read + (size_t)j->tile * cols + j->c0,
					  j->conv_idx, j->nk, j->c1 - j->c0, j->n1, j->n2, w);
		for (uint32_t k = 0; k < j->nk; k++) {
			xb->kern.finishf(j->cbuf, j->sum + (size_t)k * w, j->var + (size_t)k * w, j->n1 + (size_t)k * w,
					 j->n2 + (size_t)k * w,
					 xb->cgainf + (size_t)j->tile * xb->cpad + j->c0,
					 xb->cofff + (size_t)j->tile * xb->cpad + j->c0, w, &p);
			memcpy(j->codes + (size_t)k * cols + j->c0, j->cbuf, (j->c1 - j->c0) * sizeof(int32_t));
		}
		return NULL;
	}
	xb->kern.acci(j->isum, w, xb->wq + wq_index(xb, j->tile, 0, 0), xb->cst4, j->c0, j->c1, j->nk, j->dq, xb->r4n);
	for (uint32_t k = 0; k < j->nk; k++)
		exact_codes(xb, j->isum + (size_t)k * w, j->c1 - j->c0, j->adc_shift, j->codes + (size_t)k * cols + j->c0);
	return NULL;
}

/* The rows with a nonzero code, ascending, into a; returns their number (the list aimc_xbar_apply
 * makes). On little-endian hosts 64 codes at a time: the nonzero bytes of each 8-byte word as
 * eight bits of a 64-bit mask, whose set bits are then listed. */
static uint32_t active_rows(const uint8_t *d, uint32_t rows, uint32_t *a)
{
	uint32_t n = 0, r = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; r + 64 <= rows; r += 64) {
		uint64_t m = 0;

		for (uint32_t b = 0; b < 8; b++) {
			uint64_t w, t;

			memcpy(&w, d + r + 8 * b, sizeof(w));
			/* the high bit of each byte: set where the byte is not 0 (no carry between bytes) */
			t = (((w & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | w) & 0x8080808080808080ull;
			/* byte i's bit to bit 56 + i (the other products land on distinct bits outside the top
			 * byte, so nothing carries into it) */
			m |= (((t >> 7) * 0x0102040810204080ull) >> 56) << (8 * b);
		}
		for (; m != 0; m &= m - 1u)
			a[n++] = r + (uint32_t)__builtin_ctzll(m);
	}
#endif
	for (; r < rows; r++) {
		a[n] = r;
		n += d[r] != 0;
	}
	return n;
}

int aimc_xbar_convert_batch(aimc_xbar *xb, uint32_t tile, const uint8_t *d, uint32_t nk, const uint32_t *conv_idx,
			    uint32_t adc_shift, int32_t *codes)
{
	const uint64_t hi = 0x0101010101010101ull * (uint8_t)~(xb != NULL ? xb->mask : 0u);
	uint64_t bad = 0;
	size_t need, i = 0;
	uint32_t rows, nt, chunk, *act, *nact;
	struct batch_job job[AIMC_XBAR_MAX_THREADS];
	pthread_t th[AIMC_XBAR_MAX_THREADS];
	int started[AIMC_XBAR_MAX_THREADS] = {0};
	float *vf = NULL, *v2f = NULL;
	uint32_t *dq = NULL, *rmask = NULL;
	const uint32_t ng = (nk + 31u) / 32u; /* groups of 32 reads of rmask */
	size_t per = 0;
	char *mem;

	if (xb == NULL || d == NULL || conv_idx == NULL || codes == NULL || tile >= xb->cfg.num_tiles)
		return AIMC_EINVAL;
	rows = xb->rows;
	/* every code checked before anything changes: a code above mask has a bit of hi in its byte */
	for (; i + 8 <= (size_t)nk * rows; i += 8) {
		uint64_t wd;

		memcpy(&wd, d + i, sizeof(wd));
		bad |= wd & hi;
	}
	for (; i < (size_t)nk * rows; i++)
		bad |= d[i] & hi;
	if (bad != 0)
		return AIMC_EINVAL;
	if (nk == 0)
		return 0;
	if (xb->chg != NULL) { /* charge-domain (issue 18): read by read, the bits of apply + convert_all */
		for (uint32_t k = 0; k < nk; k++)
			if (aimc_chg_apply(xb->chg, tile, d + (size_t)k * rows) != 0 ||
			    aimc_chg_convert_all(xb->chg, tile, conv_idx[k], adc_shift, codes + (size_t)k * xb->cols) != 0)
				return AIMC_EINVAL;
		return 0;
	}
	if (xb->ir_valid != NULL || (xb->rvar == NULL && !(xb->exact && xb->wq != NULL)) || xb->cfg.fault_adc_dead ||
	    xb->cfg.fault_dac_dead || xb->cfg.adc_kind == AIMC_ADC_SAR) {
		/* IR drop, binary64 sums with some effect on, a dead ADC or DAC (their fault hooks are in
		 * aimc_xbar_apply and aimc_xbar_convert_all) or the SAR ADC: read by read */
		for (uint32_t k = 0; k < nk; k++)
			if (aimc_xbar_apply(xb, tile, d + (size_t)k * rows) != 0 ||
			    aimc_xbar_convert_all(xb, tile, conv_idx[k], adc_shift, codes + (size_t)k * xb->cols) != 0)
				return AIMC_EINVAL;
		return 0;
	}
	/* the workers' column ranges: multiples of 64 columns (the kernels' blocks), at most one per 64 */
	nt = xb->threads < (xb->cols + 63u) / 64u ? xb->threads : (xb->cols + 63u) / 64u;
	nt = nt < 1 ? 1 : nt;
	chunk = ((xb->cols + nt - 1u) / nt + 63u) & ~63u;
	{
		const uint32_t w = (chunk + 7u) & ~7u;

		per = (size_t)nk * w * (4 * sizeof(float) + sizeof(int32_t)) + (size_t)w * sizeof(int32_t);
	}
	need = (size_t)nk * rows * sizeof(uint32_t) + nk * sizeof(uint32_t) +
	       (xb->rvar == NULL ? (size_t)nk * xb->r4n * sizeof(uint32_t) : 0) +
	       (xb->rvar != NULL && !xb->prod1 ? 2 * (size_t)nk * rows * sizeof(float) : 0) + nt * per +
	       (pass_rows(xb, nk) ? (size_t)ng * rows * sizeof(uint32_t) : 0);
	if (need > xb->bscr_n) { /* grown, zeroed (the kernels' padding lanes read it), then kept */
		free(xb->bscr);
		xb->bscr = zalloc64(need);
		xb->bscr_n = xb->bscr != NULL ? need : 0;
		if (xb->bscr == NULL)
			return AIMC_ENOMEM;
	}
	mem = xb->bscr;
	act = (uint32_t *)(void *)mem;
	nact = act + (size_t)nk * rows;
	{
		char *p = (char *)(nact + nk);

		if (xb->rvar != NULL && !xb->prod1) {
			vf = (float *)(void *)p;
			v2f = vf + (size_t)nk * rows;
			p = (char *)(v2f + (size_t)nk * rows);
		}
		if (xb->rvar == NULL) {
			dq = (uint32_t *)(void *)p;
			p = (char *)(dq + (size_t)nk * xb->r4n);
		}
		if (pass_rows(xb, nk)) {
			rmask = (uint32_t *)(void *)p;
			p = (char *)(rmask + (size_t)ng * rows);
			memset(rmask, 0, (size_t)ng * rows * sizeof(uint32_t));
		}
		for (uint32_t t = 0; t < nt; t++) {
			const uint32_t c0 = t * chunk, c1 = c0 + chunk < xb->cols ? c0 + chunk : xb->cols;
			const uint32_t w = (chunk + 7u) & ~7u;
			struct batch_job *j = &job[t];

			j->xb = xb;
			j->tile = tile;
			j->c0 = c0 < xb->cols ? c0 : xb->cols;
			j->c1 = c1 > j->c0 ? c1 : j->c0;
			j->nk = nk;
			j->adc_shift = adc_shift;
			j->d = d;
			j->conv_idx = conv_idx;
			j->act = act;
			j->nact = nact;
			j->rmask = rmask;
			j->dq = dq;
			j->vf = vf;
			j->v2f = v2f;
			j->sum = (float *)(void *)(p + (size_t)t * per);
			j->var = j->sum + (size_t)nk * w;
			j->isum = (int32_t *)(void *)(j->var + (size_t)nk * w);
			j->n1 = (float *)(void *)(j->isum + (size_t)nk * w);
			j->n2 = j->n1 + (size_t)nk * w;
			j->cbuf = (int32_t *)(void *)(j->n2 + (size_t)nk * w);
			j->codes = codes;
		}
	}
	/* each read's active rows and (multi-bit DAC, read noise) voltages, as aimc_xbar_apply forms them */
	for (uint32_t k = 0; k < nk; k++) {
		const uint8_t *dk = d + (size_t)k * rows;
		const double *rowfac = xb->rowfac != NULL ? xb->rowfac + (size_t)tile * rows : NULL;
		uint32_t *a = act + (size_t)k * rows, n = 0;

		if (dq != NULL) { /* exact: the packed codes, no lists */
			pack_codes(xb, dk, dq + (size_t)k * xb->r4n);
			continue;
		}
		n = active_rows(dk, rows, a);
		nact[k] = n;
		if (rmask != NULL) /* the same rows as a bit of each row's mask */
			for (uint32_t j = 0; j < n; j++)
				rmask[(size_t)(k / 32u) * rows + a[j]] |= 1u << (k % 32u);
		if (vf != NULL) /* the kernels read the voltages of the active rows only */
			for (uint32_t j = 0; j < n; j++) {
				const uint32_t r = a[j];
				double x = rowfac != NULL ? xb->dac_v[dk[r]] * rowfac[r] : xb->dac_v[dk[r]];

				vf[(size_t)k * rows + r] = (float)x;
				v2f[(size_t)k * rows + r] = (float)(x * x);
			}
	}
	/* workers 1 .. nt-1 on their own threads, worker 0 here; a thread that cannot start runs here
	 * too: every column's codes are the same whoever computes them */
	for (uint32_t t = 1; t < nt; t++)
		started[t] = job[t].c0 < job[t].c1 && pthread_create(&th[t], NULL, batch_work, &job[t]) == 0;
	batch_work(&job[0]);
	for (uint32_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else if (job[t].c0 < job[t].c1)
			batch_work(&job[t]);
	}
	/* the tile as after the last of nk aimc_xbar_apply calls */
	return aimc_xbar_apply(xb, tile, d + (size_t)(nk - 1) * rows);
}

double aimc_xbar_conductance(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell)
{
	if (xb == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows || cell >= 2 * xb->cols)
		return NAN;
	if (xb->chg != NULL) /* charge-domain (issue 18): the selected capacitance, farads */
		return aimc_chg_cap(xb->chg, tile, row, cell);
	return xb->g[2 * (cell_base(xb, tile, cell / 2) + row) + (cell & 1)];
}

double aimc_xbar_read_conductance(const aimc_xbar *xb, uint32_t tile, uint32_t row, uint32_t cell)
{
	if (xb == NULL || tile >= xb->cfg.num_tiles || row >= xb->rows || cell >= 2 * xb->cols)
		return NAN;
	if (xb->chg != NULL) /* charge-domain (issue 18) */
		return aimc_chg_cap(xb->chg, tile, row, cell);
	return read_g(xb, tile, row, cell, xb->g[2 * (cell_base(xb, tile, cell / 2) + row) + (cell & 1)]);
}

const aimc_cfg *aimc_xbar_cfg(const aimc_xbar *xb)
{
	return xb == NULL ? NULL : &xb->cfg;
}
