/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the config parser (docs/configs.md, aimc_cfg_parse of
 * analog_models/c/aimc_config.h). The input is config text (cut at its first NUL byte, as a file
 * with a NUL is rejected before parsing). The target aborts (a finding) when the parser returns a
 * code other than 0 / -1, leaves its message unterminated, rejects without a message or without
 * naming the origin, accepts a config that breaks a documented range or cross-check of
 * docs/configs.md (checked here from the documentation, not from the parser's table), or gives a
 * different result on a second parse of the same text. AddressSanitizer and UBSan catch memory
 * and arithmetic errors. Built and run by tools/fuzz_config.sh (seeds: the files in configs/). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_config.h"

#define ORIGIN "fuzz.cfg"

static void finding(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_config: %s (parser message: '%s')\n", what, err ? err : "");
	abort();
}

/* The double-valued keys of aimc_cfg: all must be finite once accepted. */
static const size_t f64_fields[] = {
	offsetof(aimc_cfg, clock_mhz), offsetof(aimc_cfg, vread), offsetof(aimc_cfg, gmax),
	offsetof(aimc_cfg, gmin), offsetof(aimc_cfg, prog_sigma), offsetof(aimc_cfg, prog_knee),
	offsetof(aimc_cfg, read_sigma), offsetof(aimc_cfg, read_knee), offsetof(aimc_cfg, pv_tol),
	offsetof(aimc_cfg, pv_step), offsetof(aimc_cfg, pv_pulse_sigma),
	offsetof(aimc_cfg, drift_time), offsetof(aimc_cfg, drift_t0), offsetof(aimc_cfg, drift_nu),
	offsetof(aimc_cfg, drift_nu_sigma), offsetof(aimc_cfg, stuck_gmin_frac),
	offsetof(aimc_cfg, stuck_gmax_frac), offsetof(aimc_cfg, dac_inl), offsetof(aimc_cfg, dac_rout),
	offsetof(aimc_cfg, adc_gain_err), offsetof(aimc_cfg, adc_gain_sigma),
	offsetof(aimc_cfg, adc_offset), offsetof(aimc_cfg, adc_offset_sigma),
	offsetof(aimc_cfg, adc_inl), offsetof(aimc_cfg, adc_noise), offsetof(aimc_cfg, i_clip),
	offsetof(aimc_cfg, temp), offsetof(aimc_cfg, temp_ref), offsetof(aimc_cfg, tc_g),
	offsetof(aimc_cfg, r_wire_row), offsetof(aimc_cfg, r_wire_col), offsetof(aimc_cfg, r_drv),
	offsetof(aimc_cfg, r_sense), offsetof(aimc_cfg, e_adc_pj), offsetof(aimc_cfg, e_dac_pj),
	offsetof(aimc_cfg, e_sram_pj_bit), offsetof(aimc_cfg, e_acc_pj), offsetof(aimc_cfg, e_post_pj),
};

static int in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi;
}

/* The documented ranges and cross-checks (docs/configs.md, key table and "Cross-checks"). */
static void check_accepted(const aimc_cfg *c)
{
	size_t i;

	if (memchr(c->name, '\0', sizeof(c->name)) == NULL || c->name[0] == '\0')
		finding("accepted a config without a terminated, non-empty name", NULL);
	for (i = 0; i < sizeof(f64_fields) / sizeof(f64_fields[0]); i++) {
		double v;

		memcpy(&v, (const char *)c + f64_fields[i], sizeof(v));
		if (!isfinite(v))
			finding("accepted a non-finite number", NULL);
	}
	if (!in(c->num_tiles, 1, 16))
		finding("accepted num_tiles outside 1..16", NULL);
	if (!in(c->rows, 4, 1024) || c->rows % 4 != 0 || !in(c->cols, 4, 1024) || c->cols % 4 != 0)
		finding("accepted rows or cols outside 4..1024 or not a multiple of 4", NULL);
	if (!in(c->dac_bits, 1, 8) || !in(c->adc_bits, 2, 16))
		finding("accepted dac_bits outside 1..8 or adc_bits outside 2..16", NULL);
	if (!in(c->cols_per_adc, 1, 16) || c->cols % c->cols_per_adc != 0)
		finding("accepted cols_per_adc outside 1..16 or not dividing cols", NULL);
	if (c->adc_cycles < c->adc_bits || c->adc_cycles > 255)
		finding("accepted adc_cycles < adc_bits or > 255", NULL);
	if (c->counter_bits != 16 && c->counter_bits != 32)
		finding("accepted counter_bits other than 16 or 32", NULL);
	if (c->conflict_check > 1 || (c->conflict_check == 0 && c->num_tiles != 1))
		finding("accepted conflict_check 0 with more than one tile", NULL);
	if (c->xbar_impl > 1 || c->ir_mode > 2 || c->pv_enable > 1 || c->pv_stop > 1)
		finding("accepted a flag or enum out of range", NULL);
	if (!(c->gmin >= 0.0 && c->gmin < c->gmax && c->gmax <= 1e-3))
		finding("accepted gmin/gmax outside 0 <= gmin < gmax <= 1e-3", NULL);
	if (c->xbar_impl == 1 && (c->prog_sigma != 0.0 || c->read_sigma != 0.0))
		finding("accepted a noisy digital twin (xbar_impl 1)", NULL);
	if (!(c->stuck_gmin_frac + c->stuck_gmax_frac <= 1.0))
		finding("accepted stuck_gmin_frac + stuck_gmax_frac > 1", NULL);
	if (!(1.0 + c->tc_g * (c->temp - c->temp_ref) > 0.0))
		finding("accepted 1 + tc_g (temp - temp_ref) <= 0", NULL);
}

static int parse_once(const char *text, aimc_cfg *cfg, char *err, size_t errlen)
{
	int rc;

	memset(err, 'x', errlen);
	rc = aimc_cfg_parse(cfg, text, ORIGIN, err, errlen);
	if (rc != AIMC_OK && rc != AIMC_ECONFIG)
		finding("return code other than AIMC_OK or AIMC_ECONFIG", NULL);
	/* The message buffer is only written on an error. */
	if (rc != 0 && memchr(err, '\0', errlen) == NULL)
		finding("error message not terminated", NULL);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char json_a[65536], json_b[65536];
	char *text = malloc(size + 1);
	aimc_cfg a, b;
	char err[512], err2[512];
	int rc, rc2;

	if (text == NULL)
		return 0;
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	rc = parse_once(text, &a, err, sizeof(err));
	if (rc != 0) {
		if (err[0] == '\0')
			finding("rejected without a message", err);
		if (strncmp(err, ORIGIN, strlen(ORIGIN)) != 0)
			finding("rejection message does not start with the origin", err);
	} else {
		check_accepted(&a);
		if (aimc_cfg_to_json(&a, json_a, sizeof(json_a)) != 0)
			finding("accepted config does not fit 64 KiB of JSON", NULL);
		{
			char params[8192];

			if (aimc_cfg_rtl_params(&a, "verilator", "aimc_top", params, sizeof(params)) != 0)
				finding("accepted config gives no RTL parameters", NULL);
		}
	}
	/* Determinism: the same text, the same outcome, the same message or the same config. */
	rc2 = parse_once(text, &b, err2, sizeof(err2));
	if (rc2 != rc)
		finding("a second parse of the same text gave another return code", err2);
	if (rc != 0 && strcmp(err, err2) != 0)
		finding("a second parse of the same text gave another message", err2);
	if (rc == 0 && (aimc_cfg_to_json(&b, json_b, sizeof(json_b)) != 0 || strcmp(json_a, json_b) != 0))
		finding("a second parse of the same text gave another config", NULL);
	free(text);
	return 0;
}
