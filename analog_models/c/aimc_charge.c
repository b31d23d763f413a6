/* SPDX-License-Identifier: Apache-2.0 */
/* Charge-domain crossbar model (aimc_charge.h; equations in docs/analog-model.md "Charge-domain
 * crossbar"): binary-weighted capacitor cells with keyed Pelgrom mismatch, charge sharing on the
 * column lines with their parasitic, switch charge injection, leakage over the hold time and kT/C
 * noise per conversion, then the ADC transfer of docs/numbers.md. */
#include "aimc_charge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_config_internal.h"
#include "aimc_detmath.h"
#include "aimc_rng.h"

#define LEVEL_MAX 127

/* Per tile: csel[tile][col][row][2] the selected capacitance of cell 2c (+) and 2c+1 (-) of a row
 * (column-major: a column sums its rows over contiguous memory), F; cline[tile][cell] the total
 * capacitance of a column line, F; qline[tile][cell] the charge its share switches inject, C;
 * ktc_sd[tile][cell] sqrt(k T / C_line), V; v[tile][row] the applied row voltage, V. */
struct aimc_chg {
	aimc_cfg cfg;
	uint64_t seed;
	uint32_t rows, cols, mask;
	double lsb0;            /* vread / (mask rows 127): one unit of sum d w at adc_shift 0, V */
	double adc_half;        /* 2^(adc_bits - 1) */
	int exact;              /* every effect off: codes round back to the integer sums */
	double *decay;          /* [cols_per_adc] leakage factor of mux position g (1 without leakage) */
	double *csel;
	double *cline, *qline, *ktc_sd;
	double *v;
	uint8_t *d;             /* [tile][row] applied codes */
};

static size_t sel_index(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell)
{
	return (((size_t)tile * ch->cols + cell / 2u) * ch->rows + row) * 2u + (cell & 1u);
}

/* Capacitor bit b of a cell: 2^b C_u (1 + sigma_u / sqrt(2^b) N), N keyed by
 * (seed, tile, row, cell, AIMC_EV_CAP, b): Pelgrom's law, sigma(dC/C) proportional to
 * 1/sqrt(area), for a bit built from 2^b unit capacitors. */
static double bit_cap(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell, uint32_t b)
{
	const double units = ldexp(1.0, (int)b);
	double c = units * ch->cfg.chg_cu;

	if (ch->cfg.chg_cap_sigma > 0.0) {
		aimc_key k = {ch->seed, tile, row, cell, AIMC_EV_CAP, b};

		c = c * (1.0 + ch->cfg.chg_cap_sigma / sqrt(units) * aimc_rng_normal(&k));
		if (c < 0.0) /* a capacitance cannot be negative (only for absurd sigmas) */
			c = 0.0;
	}
	return c;
}

/* Selected capacitance of a cell at `level`: the sum of its bits of the level, bit 0 first. */
static double level_cap(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell, int level)
{
	double c = 0.0;

	for (uint32_t b = 0; b < AIMC_CHG_BITS; b++)
		if ((level >> b) & 1)
			c += bit_cap(ch, tile, row, cell, b);
	return c;
}

/* Charge injected by the share switch of a cell: chg_qinj + chg_qinj_sigma N, N keyed by
 * (seed, tile, row, cell, AIMC_EV_QINJ, 0). */
static double switch_qinj(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell)
{
	double q = ch->cfg.chg_qinj;

	if (ch->cfg.chg_qinj_sigma > 0.0) {
		aimc_key k = {ch->seed, tile, row, cell, AIMC_EV_QINJ, 0};

		q = q + ch->cfg.chg_qinj_sigma * aimc_rng_normal(&k);
	}
	return q;
}

void aimc_chg_destroy(aimc_chg *ch)
{
	if (ch == NULL)
		return;
	free(ch->decay);
	free(ch->csel);
	free(ch->cline);
	free(ch->qline);
	free(ch->ktc_sd);
	free(ch->v);
	free(ch->d);
	free(ch);
}

aimc_chg *aimc_chg_create(const aimc_cfg *cfg, uint64_t seed)
{
	aimc_chg *ch;
	size_t ncell, nrow;

	if (cfg == NULL || cfg->xbar_kind != 1 || aimc_cfg_check(cfg, NULL, 0) != 0)
		return NULL;
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return NULL;
	ch->cfg = *cfg;
	ch->seed = seed;
	ch->rows = cfg->rows;
	ch->cols = cfg->cols;
	ch->mask = (1u << cfg->dac_bits) - 1u;
	ch->lsb0 = cfg->vread / ((double)ch->mask * (double)cfg->rows * (double)LEVEL_MAX);
	ch->adc_half = ldexp(1.0, (int)cfg->adc_bits - 1);
	ch->exact = aimc_cfg_effect_on(cfg) == NULL;
	ncell = (size_t)cfg->num_tiles * 2u * cfg->cols;
	nrow = (size_t)cfg->num_tiles * cfg->rows;
	ch->decay = malloc(cfg->cols_per_adc * sizeof(*ch->decay));
	ch->csel = calloc(ncell * cfg->rows, sizeof(*ch->csel));
	ch->cline = calloc(ncell, sizeof(*ch->cline));
	ch->qline = calloc(ncell, sizeof(*ch->qline));
	ch->ktc_sd = calloc(ncell, sizeof(*ch->ktc_sd));
	ch->v = calloc(nrow, sizeof(*ch->v));
	ch->d = calloc(nrow, 1);
	if (ch->decay == NULL || ch->csel == NULL || ch->cline == NULL || ch->qline == NULL || ch->ktc_sd == NULL ||
	    ch->v == NULL || ch->d == NULL)
		goto fail;
	/* mux position g is converted g conversions after position 0: it holds its charge longer */
	for (uint32_t g = 0; g < cfg->cols_per_adc; g++) {
		double t = cfg->chg_t_hold + (double)g * (double)cfg->adc_cycles / (cfg->clock_mhz * 1e6);

		ch->decay[g] = cfg->chg_tau_leak > 0.0 ? aimc_det_exp(-t / cfg->chg_tau_leak) : 1.0;
	}
	/* every line: all capacitor bits of its column (selected or not, they all share) plus the
	 * parasitic; the injected charge of its switches, row 0 first */
	for (uint32_t t = 0; t < cfg->num_tiles; t++) {
		for (uint32_t k = 0; k < 2u * cfg->cols; k++) {
			const size_t i = (size_t)t * 2u * cfg->cols + k;
			double c = 0.0, q = 0.0;

			for (uint32_t r = 0; r < cfg->rows; r++) {
				c += level_cap(ch, t, r, k, LEVEL_MAX);
				q += switch_qinj(ch, t, r, k);
			}
			c += (double)cfg->rows * cfg->chg_cpar_cell;
			ch->cline[i] = c;
			ch->qline[i] = q;
			ch->ktc_sd[i] = cfg->chg_ktc ? sqrt(AIMC_K_BOLTZMANN * cfg->temp / c) : 0.0;
		}
	}
	return ch;
fail:
	aimc_chg_destroy(ch);
	return NULL;
}

static int clamp_w(int8_t w)
{
	return w < -LEVEL_MAX ? -LEVEL_MAX : w;
}

int aimc_chg_program_row(aimc_chg *ch, uint32_t tile, uint32_t row, const int8_t *w, uint32_t prog_idx)
{
	(void)prog_idx;
	if (ch == NULL || w == NULL || tile >= ch->cfg.num_tiles || row >= ch->rows)
		return AIMC_EINVAL;
	for (uint32_t c = 0; c < ch->cols; c++) {
		int wc = clamp_w(w[c]);

		ch->csel[sel_index(ch, tile, row, 2 * c)] = level_cap(ch, tile, row, 2 * c, wc > 0 ? wc : 0);
		ch->csel[sel_index(ch, tile, row, 2 * c + 1)] = level_cap(ch, tile, row, 2 * c + 1, wc < 0 ? -wc : 0);
	}
	return 0;
}

static int cell_level(const int8_t *w, uint32_t k)
{
	int wc = clamp_w(w[k / 2]);

	if (k & 1u)
		return wc < 0 ? -wc : 0;
	return wc > 0 ? wc : 0;
}

int aimc_chg_pulse_row(aimc_chg *ch, uint32_t tile, uint32_t row, const int8_t *w, const uint8_t *mask)
{
	if (ch == NULL || w == NULL || mask == NULL || tile >= ch->cfg.num_tiles || row >= ch->rows)
		return AIMC_EINVAL;
	for (uint32_t k = 0; k < 2u * ch->cols; k++)
		if (mask[k] != 0)
			ch->csel[sel_index(ch, tile, row, k)] = level_cap(ch, tile, row, k, cell_level(w, k));
	return 0;
}

int aimc_chg_verify_row(const aimc_chg *ch, uint32_t tile, uint32_t row, const int8_t *w, uint8_t *ok)
{
	int n = 0;

	if (ch == NULL || w == NULL || ok == NULL || tile >= ch->cfg.num_tiles || row >= ch->rows)
		return AIMC_EINVAL;
	for (uint32_t k = 0; k < 2u * ch->cols; k++) {
		ok[k] = ch->csel[sel_index(ch, tile, row, k)] == level_cap(ch, tile, row, k, cell_level(w, k));
		n += ok[k];
	}
	return n;
}

int aimc_chg_apply(aimc_chg *ch, uint32_t tile, const uint8_t *d)
{
	double *v;

	if (ch == NULL || d == NULL || tile >= ch->cfg.num_tiles)
		return AIMC_EINVAL;
	for (uint32_t r = 0; r < ch->rows; r++)
		if (d[r] > ch->mask)
			return AIMC_EINVAL; /* checked before anything changes */
	v = ch->v + (size_t)tile * ch->rows;
	for (uint32_t r = 0; r < ch->rows; r++)
		v[r] = ch->cfg.vread * (double)d[r] / (double)ch->mask;
	memcpy(ch->d + (size_t)tile * ch->rows, d, ch->rows);
	return 0;
}

/* Voltage of the line of cell k (2c or 2c+1) when the ADC samples it:
 * V = (sum_r C_sel[r] V_r + Q_inj) / C_line, times e^(-t_hold(g) / tau), plus sqrt(kT/C_line) N. */
static double line_voltage(const aimc_chg *ch, uint32_t tile, uint32_t k, uint32_t conv_idx)
{
	const double *cs = ch->csel + sel_index(ch, tile, 0, k);
	const double *v = ch->v + (size_t)tile * ch->rows;
	const uint8_t *d = ch->d + (size_t)tile * ch->rows;
	const size_t i = (size_t)tile * 2u * ch->cols + k;
	double q = 0.0, vl;

	/* rows in ascending order; a row at 0 V adds no charge (its capacitors still share) */
	for (uint32_t r = 0; r < ch->rows; r++)
		if (d[r] != 0)
			q += cs[2u * r] * v[r];
	q += ch->qline[i];
	vl = q / ch->cline[i] * ch->decay[(k / 2u) % ch->cfg.cols_per_adc];
	if (ch->ktc_sd[i] > 0.0) {
		aimc_key key = {ch->seed, tile, 0, k, AIMC_EV_KTC, conv_idx};

		vl = vl + ch->ktc_sd[i] * aimc_rng_normal(&key);
	}
	return vl;
}

double aimc_chg_voltage(const aimc_chg *ch, uint32_t tile, uint32_t col, uint32_t conv_idx)
{
	if (ch == NULL || tile >= ch->cfg.num_tiles || col >= ch->cols)
		return 0.0;
	return line_voltage(ch, tile, 2u * col, conv_idx) - line_voltage(ch, tile, 2u * col + 1u, conv_idx);
}

double aimc_chg_vlsb(const aimc_chg *ch, uint32_t adc_shift)
{
	return ch == NULL ? NAN : ldexp(ch->lsb0, adc_shift > 1024u ? 1024 : (int)adc_shift);
}

/* Round half away from zero without libm (NaN and |x| >= 2^52 come back unchanged). */
static double round_half_away(double x)
{
	if (!(x > -0x1p52 && x < 0x1p52))
		return x;
	return x >= 0.0 ? (double)(int64_t)(x + 0.5) : -(double)(int64_t)(-x + 0.5);
}

int32_t aimc_chg_convert(const aimc_chg *ch, uint32_t tile, uint32_t col, uint32_t conv_idx, uint32_t adc_shift)
{
	const double lo = ch != NULL ? -ch->adc_half : 0.0, hi = ch != NULL ? ch->adc_half - 1.0 : 0.0;
	double x, q;

	if (ch == NULL || tile >= ch->cfg.num_tiles || col >= ch->cols)
		return 0;
	x = aimc_chg_voltage(ch, tile, col, conv_idx) / aimc_chg_vlsb(ch, adc_shift);
	if (ch->exact) {
		/* every effect off: x 2^adc_shift is the integer sum d w up to the binary64 error of the
		 * charge sums (far below 0.5); rounded back to it, a tie rounds away from zero as the
		 * integer formula of docs/numbers.md (the flash model's exact path does the same) */
		int sh = adc_shift > 1024u ? 1024 : (int)adc_shift;

		x = ldexp(round_half_away(ldexp(x, sh)), -sh);
	}
	q = round_half_away(x);
	if (!(q >= lo))
		q = lo;
	if (q > hi)
		q = hi;
	return (int32_t)q;
}

int aimc_chg_convert_all(const aimc_chg *ch, uint32_t tile, uint32_t conv_idx, uint32_t adc_shift, int32_t *codes)
{
	if (ch == NULL || codes == NULL || tile >= ch->cfg.num_tiles)
		return AIMC_EINVAL;
	for (uint32_t c = 0; c < ch->cols; c++)
		codes[c] = aimc_chg_convert(ch, tile, c, conv_idx, adc_shift);
	return 0;
}

double aimc_chg_cap(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell)
{
	if (ch == NULL || tile >= ch->cfg.num_tiles || row >= ch->rows || cell >= 2u * ch->cols)
		return NAN;
	return ch->csel[sel_index(ch, tile, row, cell)];
}

double aimc_chg_bit_cap(const aimc_chg *ch, uint32_t tile, uint32_t row, uint32_t cell, uint32_t bit)
{
	if (ch == NULL || tile >= ch->cfg.num_tiles || row >= ch->rows || cell >= 2u * ch->cols ||
	    bit >= AIMC_CHG_BITS)
		return NAN;
	return bit_cap(ch, tile, row, cell, bit);
}

double aimc_chg_line_cap(const aimc_chg *ch, uint32_t tile, uint32_t cell)
{
	if (ch == NULL || tile >= ch->cfg.num_tiles || cell >= 2u * ch->cols)
		return NAN;
	return ch->cline[(size_t)tile * 2u * ch->cols + cell];
}

double aimc_chg_line_qinj(const aimc_chg *ch, uint32_t tile, uint32_t cell)
{
	if (ch == NULL || tile >= ch->cfg.num_tiles || cell >= 2u * ch->cols)
		return NAN;
	return ch->qline[(size_t)tile * 2u * ch->cols + cell];
}

double aimc_chg_read_energy(const aimc_chg *ch, uint32_t tile)
{
	const double *v;
	double e = 0.0;

	if (ch == NULL || tile >= ch->cfg.num_tiles)
		return NAN;
	v = ch->v + (size_t)tile * ch->rows;
	for (uint32_t k = 0; k < 2u * ch->cols; k++) {
		const double *cs = ch->csel + sel_index(ch, tile, 0, k);

		for (uint32_t r = 0; r < ch->rows; r++)
			e += cs[2u * r] * v[r] * v[r];
	}
	return e;
}
