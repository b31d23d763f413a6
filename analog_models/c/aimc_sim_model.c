/* SPDX-License-Identifier: Apache-2.0 */
/* The one crossbar model instance of a simulation (aimc_sim_model.h). */
#include "aimc_sim_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_config.h"

#define ADC_SHIFT_MAX 15u /* MVM instruction field C[3:0] */

static struct {
	aimc_cfg cfg;
	aimc_xbar *xb;
	int8_t *w;  /* one row of weights, cfg.cols */
	uint8_t *d; /* one DAC code per row, cfg.rows */
	uint8_t *cells;   /* one flag per cell of a row, 2·cfg.cols (pulse mask, verify result) */
	uint32_t *vmask;  /* per tile, the last verify result: vwords words */
	uint32_t vwords;  /* ceil(2·cols / 32) */
	/* SAR ADCs (adc_kind sar): per tile and ADC, the held sample and the conversion it belongs to */
	double *sar_x;
	uint32_t *sar_col, *sar_idx;
	uint8_t *sar_held;
	char err[640];
} g_sim;

static void set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g_sim.err, sizeof(g_sim.err), fmt, ap);
	va_end(ap);
}

/* `width` (1..8) bits at bit `lsb` of a packed vector stored as 32-bit words. */
static uint32_t get_bits(const uint32_t *words, uint32_t lsb, uint32_t width)
{
	uint32_t wi = lsb / 32u, sh = lsb % 32u;
	uint64_t v = words[wi] >> sh;

	if (sh + width > 32u)
		v |= (uint64_t)words[wi + 1u] << (32u - sh);
	return (uint32_t)v & ((1u << width) - 1u);
}

void aimc_sim_model_shutdown(void)
{
	aimc_xbar_destroy(g_sim.xb);
	free(g_sim.w);
	free(g_sim.d);
	free(g_sim.cells);
	free(g_sim.vmask);
	free(g_sim.sar_x);
	free(g_sim.sar_col);
	free(g_sim.sar_idx);
	free(g_sim.sar_held);
	g_sim.sar_x = NULL;
	g_sim.sar_col = NULL;
	g_sim.sar_idx = NULL;
	g_sim.sar_held = NULL;
	g_sim.xb = NULL;
	g_sim.w = NULL;
	g_sim.d = NULL;
	g_sim.cells = NULL;
	g_sim.vmask = NULL;
}

static double g_time = -1.0; /* aimc_sim_model_set_time; < 0: the config file's drift_time */
static char g_root[512];     /* aimc_sim_model_set_root: where bare config names are looked up */
static char g_simd[16];      /* aimc_sim_model_set_simd: the C model's vector kernels */

void aimc_sim_model_set_time(double t)
{
	g_time = t;
}

void aimc_sim_model_set_root(const char *root)
{
	snprintf(g_root, sizeof(g_root), "%s", root != NULL ? root : "");
}

void aimc_sim_model_set_simd(const char *simd)
{
	snprintf(g_simd, sizeof(g_simd), "%s", simd != NULL ? simd : "");
}

/* The per-tile state of the shims beside the crossbars: one row of weights and DAC codes, the
 * pulse / verify flags and results, the SAR samples. */
static int alloc_shim_state(void)
{
	size_t na = (size_t)g_sim.cfg.num_tiles * aimc_cfg_num_adcs(&g_sim.cfg);

	g_sim.w = malloc(g_sim.cfg.cols * sizeof(*g_sim.w));
	g_sim.d = malloc(g_sim.cfg.rows * sizeof(*g_sim.d));
	g_sim.cells = malloc(2 * g_sim.cfg.cols * sizeof(*g_sim.cells));
	g_sim.vwords = (2 * g_sim.cfg.cols + 31) / 32;
	g_sim.vmask = calloc((size_t)g_sim.vwords * g_sim.cfg.num_tiles, sizeof(*g_sim.vmask));
	g_sim.sar_x = calloc(na, sizeof(*g_sim.sar_x));
	g_sim.sar_col = calloc(na, sizeof(*g_sim.sar_col));
	g_sim.sar_idx = calloc(na, sizeof(*g_sim.sar_idx));
	g_sim.sar_held = calloc(na, sizeof(*g_sim.sar_held));
	if (g_sim.w == NULL || g_sim.d == NULL || g_sim.cells == NULL || g_sim.vmask == NULL ||
	    g_sim.sar_x == NULL || g_sim.sar_col == NULL || g_sim.sar_idx == NULL || g_sim.sar_held == NULL)
		return AIMC_ENOMEM;
	return AIMC_OK;
}

int aimc_sim_model_init(const char *cfg_path, uint64_t seed)
{
	char err[512];
	int rc;

	aimc_sim_model_shutdown();
	if (cfg_path == NULL || cfg_path[0] == '\0') {
		set_error("no config given");
		return AIMC_EINVAL;
	}
	rc = aimc_cfg_load_in(&g_sim.cfg, cfg_path, g_root, err, sizeof(err));
	if (rc != AIMC_OK) {
		set_error("%s", err);
		return rc;
	}
	if (g_time >= 0.0) {
		if (!(g_time <= 1e9)) {
			set_error("time since programming %g s out of range [0, 1e9] s", g_time);
			return AIMC_ERANGE;
		}
		g_sim.cfg.drift_time = g_time;
	}
	memcpy(g_sim.cfg.simd, g_simd, sizeof(g_sim.cfg.simd));
	err[0] = '\0';
	rc = aimc_xbar_create_ex(&g_sim.xb, &g_sim.cfg, seed, err, sizeof(err));
	if (rc != AIMC_OK) {
		set_error("cannot create the crossbar model of config '%s': %s", cfg_path, err);
		goto fail;
	}
	/* the macro's ports carry the array: pair columns (bit-sliced weights: cols x weight_slices) */
	aimc_cfg_array_view(&g_sim.cfg, &g_sim.cfg);
	rc = alloc_shim_state();
	if (rc != AIMC_OK) {
		set_error("cannot create the crossbar model of config '%s' (out of memory)", cfg_path);
		goto fail;
	}
	g_sim.err[0] = '\0';
	return AIMC_OK;
fail:
	aimc_sim_model_shutdown();
	return rc;
}

aimc_xbar *aimc_sim_model(void)
{
	return g_sim.xb;
}

const char *aimc_sim_model_error(void)
{
	return g_sim.err;
}

static int check_model(void)
{
	if (g_sim.xb == NULL) {
		set_error("the crossbar model is not initialized (aimc_sim_model_init: +aimc_config=...)");
		return AIMC_EINVAL;
	}
	return 0;
}

static int check_tile(uint32_t tile)
{
	if (check_model() != 0)
		return AIMC_EINVAL;
	if (tile >= g_sim.cfg.num_tiles) {
		set_error("tile %u out of range (config '%s' has %u tiles)", tile, g_sim.cfg.name,
			  g_sim.cfg.num_tiles);
		return AIMC_EINVAL;
	}
	return 0;
}

int aimc_sim_model_bind(uint32_t tile, uint32_t rows, uint32_t cols, uint32_t dac_bits,
			uint32_t adc_bits, uint32_t cols_per_adc, uint32_t adc_kind)
{
	const aimc_cfg *c = &g_sim.cfg;

	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	if (rows != c->rows || cols != c->cols || dac_bits != c->dac_bits || adc_bits != c->adc_bits ||
	    cols_per_adc != c->cols_per_adc) {
		set_error("tile %u RTL geometry rows=%u cols=%u dac_bits=%u adc_bits=%u cols_per_adc=%u "
			  "differs from config '%s' (%s): rows=%u cols=%u dac_bits=%u adc_bits=%u "
			  "cols_per_adc=%u",
			  tile, rows, cols, dac_bits, adc_bits, cols_per_adc, c->name, c->path, c->rows,
			  c->cols, c->dac_bits, c->adc_bits, c->cols_per_adc);
		return AIMC_EINVAL;
	}
	if (adc_kind != c->adc_kind) {
		set_error("tile %u RTL has AdcKind=%u, config '%s' (%s) has adc_kind %s (%u)", tile, adc_kind,
			  c->name, c->path, c->adc_kind == AIMC_ADC_SAR ? "sar" : "model", c->adc_kind);
		return AIMC_EINVAL;
	}
	return 0;
}

int aimc_sim_model_program_row(uint32_t tile, uint32_t row, const uint32_t *w_words,
			       uint32_t prog_idx)
{
	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	if (row >= g_sim.cfg.rows) {
		set_error("program_row: row %u out of range (%u rows)", row, g_sim.cfg.rows);
		return AIMC_EINVAL;
	}
	for (uint32_t c = 0; c < g_sim.cfg.cols; c++)
		g_sim.w[c] = (int8_t)get_bits(w_words, 8u * c, 8u);
	if (aimc_xbar_program_row(g_sim.xb, tile, row, g_sim.w, prog_idx) != 0) {
		set_error("program_row: the model rejected tile %u row %u", tile, row);
		return AIMC_EINVAL;
	}
	return 0;
}

static int check_row(const char *what, uint32_t tile, uint32_t row, const uint32_t *w_words)
{
	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	if (row >= g_sim.cfg.rows) {
		set_error("%s: row %u out of range (%u rows)", what, row, g_sim.cfg.rows);
		return AIMC_EINVAL;
	}
	for (uint32_t c = 0; c < g_sim.cfg.cols; c++)
		g_sim.w[c] = (int8_t)get_bits(w_words, 8u * c, 8u);
	return 0;
}

int aimc_sim_model_pulse_row(uint32_t tile, uint32_t row, const uint32_t *w_words,
			     const uint32_t *mask_words, uint32_t pulse_idx)
{
	if (check_row("pulse_row", tile, row, w_words) != 0)
		return AIMC_EINVAL;
	for (uint32_t k = 0; k < 2 * g_sim.cfg.cols; k++)
		g_sim.cells[k] = (uint8_t)get_bits(mask_words, k, 1u);
	if (aimc_xbar_pulse_row(g_sim.xb, tile, row, g_sim.w, g_sim.cells, pulse_idx) != 0) {
		set_error("pulse_row: the model rejected tile %u row %u", tile, row);
		return AIMC_EINVAL;
	}
	return 0;
}

int aimc_sim_model_verify_row(uint32_t tile, uint32_t row, const uint32_t *w_words, uint32_t tol_code,
			      uint32_t verify_idx)
{
	uint32_t *vm;
	int n;

	if (check_row("verify_row", tile, row, w_words) != 0)
		return AIMC_EINVAL;
	n = aimc_xbar_verify_row(g_sim.xb, tile, row, g_sim.w, tol_code, verify_idx, g_sim.cells);
	if (n < 0) {
		set_error("verify_row: the model rejected tile %u row %u tol_code %u", tile, row, tol_code);
		return AIMC_EINVAL;
	}
	vm = g_sim.vmask + (size_t)tile * g_sim.vwords;
	for (uint32_t i = 0; i < g_sim.vwords; i++)
		vm[i] = 0;
	for (uint32_t k = 0; k < 2 * g_sim.cfg.cols; k++)
		vm[k / 32] |= (uint32_t)g_sim.cells[k] << (k % 32);
	return n;
}

int32_t aimc_sim_model_verify_bits(uint32_t tile, uint32_t chunk)
{
	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	if (chunk >= (2 * g_sim.cfg.cols + 15) / 16) {
		set_error("verify_bits: chunk %u out of range (%u chunks of 16 cells)", chunk,
			  (2 * g_sim.cfg.cols + 15) / 16);
		return AIMC_EINVAL;
	}
	return (int32_t)((g_sim.vmask[(size_t)tile * g_sim.vwords + chunk / 2] >> (16 * (chunk % 2))) &
			 0xffffu);
}

int aimc_sim_model_apply(uint32_t tile, const uint32_t *d_words)
{
	uint32_t bits;

	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	bits = g_sim.cfg.dac_bits;
	for (uint32_t r = 0; r < g_sim.cfg.rows; r++)
		g_sim.d[r] = (uint8_t)get_bits(d_words, r * bits, bits);
	if (aimc_xbar_apply(g_sim.xb, tile, g_sim.d) != 0) {
		set_error("apply: the model rejected the DAC codes of tile %u", tile);
		return AIMC_EINVAL;
	}
	return 0;
}

int32_t aimc_sim_model_convert(uint32_t tile, uint32_t col, uint32_t conv_idx, uint32_t adc_shift)
{
	if (check_tile(tile) != 0)
		return AIMC_SIM_CODE_ERROR;
	if (col >= g_sim.cfg.cols || adc_shift > ADC_SHIFT_MAX) {
		set_error("convert: column %u (of %u) or adc_shift %u (max %u) out of range", col,
			  g_sim.cfg.cols, adc_shift, ADC_SHIFT_MAX);
		return AIMC_SIM_CODE_ERROR;
	}
	return aimc_xbar_convert(g_sim.xb, tile, col, conv_idx, adc_shift);
}

int aimc_sim_model_sar_sample(uint32_t tile, uint32_t col, uint32_t conv_idx, uint32_t adc_shift)
{
	size_t j;

	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	if (g_sim.cfg.adc_kind != AIMC_ADC_SAR || col >= g_sim.cfg.cols || adc_shift > ADC_SHIFT_MAX) {
		set_error("sar_sample: config '%s' has no SAR ADC, or column %u (of %u) or adc_shift %u (max %u) "
			  "out of range", g_sim.cfg.name, col, g_sim.cfg.cols, adc_shift, ADC_SHIFT_MAX);
		return AIMC_EINVAL;
	}
	j = (size_t)tile * aimc_cfg_num_adcs(&g_sim.cfg) + col / g_sim.cfg.cols_per_adc;
	g_sim.sar_x[j] = aimc_xbar_sar_input(g_sim.xb, tile, col, conv_idx, adc_shift);
	g_sim.sar_col[j] = col;
	g_sim.sar_idx[j] = conv_idx;
	g_sim.sar_held[j] = 1;
	return 0;
}

int aimc_sim_model_sar_compare(uint32_t tile, uint32_t adc, int32_t trial, uint32_t bit)
{
	const int32_t half = (int32_t)1 << (g_sim.cfg.adc_bits - 1u);
	size_t j;

	if (check_tile(tile) != 0)
		return AIMC_EINVAL;
	if (adc >= aimc_cfg_num_adcs(&g_sim.cfg) || bit >= g_sim.cfg.adc_bits || trial < -half ||
	    trial >= half) {
		set_error("sar_compare: ADC %u (of %u), bit %u (of %u) or trial code %d out of range", adc,
			  aimc_cfg_num_adcs(&g_sim.cfg), bit, g_sim.cfg.adc_bits, trial);
		return AIMC_EINVAL;
	}
	j = (size_t)tile * aimc_cfg_num_adcs(&g_sim.cfg) + adc;
	if (!g_sim.sar_held[j]) {
		set_error("sar_compare: ADC %u of tile %u decides before any sample", adc, tile);
		return AIMC_EINVAL;
	}
	return aimc_xbar_sar_compare(g_sim.xb, tile, g_sim.sar_col[j], g_sim.sar_x[j], trial, bit,
				     g_sim.sar_idx[j]);
}
