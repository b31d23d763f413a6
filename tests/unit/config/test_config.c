/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the config parser (analog_models/c/aimc_config.c, docs/configs.md): defaults, every
 * kind of bad input, every config file in configs/, name lookup, RTL parameters and JSON output.
 * Run from the repository root or with $AIMC_ROOT set. Usage: test_config [--seed N] (the seed is
 * accepted for uniformity; this test has no random choices). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aimc_config.h"
#include "aimc_test.h"

/* Defaults as written in the docs/configs.md key table. */
static void test_defaults(void)
{
	aimc_cfg c;
	char err[256] = "";
	int rc = aimc_cfg_parse(&c, "name = t\n", "defaults", err, sizeof(err));
	int ok = rc == 0 && strcmp(c.name, "t") == 0 && c.num_tiles == 1 && c.rows == 64 && c.cols == 32 &&
		 c.dac_bits == 1 && c.adc_bits == 8 && c.cols_per_adc == 4 && c.adc_cycles == 8 &&
		 c.settle_cycles == 4 && c.instr_depth == 1024 && c.act_depth == 4096 && c.par_depth == 1024 &&
		 c.wgt_depth == 8192 && c.acc_slots == 64 && c.clock_mhz == 200 && c.vread == 0.1 &&
		 c.gmax == 16e-6 && c.gmin == 16e-9 && c.prog_sigma == 0.01 && c.prog_knee == 0.11 &&
		 c.read_sigma == 0.005 && c.read_knee == 0.134 && c.e_adc_pj == 2.0 && c.e_dac_pj == 0.054 &&
		 c.e_sram_pj_bit == 0.16 && c.e_acc_pj == 0.1 && c.e_post_pj == 3.3 && c.path[0] == '\0';

	report(ok, "defaults_match_docs", "expected the docs/configs.md defaults, got rc %d (%s)", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nadc_bits = 11\n", "t", err, sizeof(err));
	report(rc == 0 && c.adc_cycles == 11, "adc_cycles_defaults_to_adc_bits", "expected 11, got %u (rc %d)",
	       c.adc_cycles, rc);
	rc = aimc_cfg_parse(&c, "name = t\nadc_bits = 11\nadc_cycles = 20\n", "t", err, sizeof(err));
	report(rc == 0 && c.adc_cycles == 20, "adc_cycles_explicit", "expected 20, got %u", c.adc_cycles);
}

static void test_syntax_ok(void)
{
	aimc_cfg c;
	char err[256] = "";
	const char *text = "# comment line\n"
			   "\n"
			   "   name=my_cfg2   # trailing comment\r\n"
			   "\trows\t=\t128\r\n"
			   "gmax = 2.5E-5\n"
			   "gmin = .5e-7\n"
			   "vread = +0.2\n"
			   "clock_mhz = 1000"; /* no final newline */
	int rc = aimc_cfg_parse(&c, text, "syntax", err, sizeof(err));

	report(rc == 0 && strcmp(c.name, "my_cfg2") == 0 && c.rows == 128 && c.gmax == 2.5e-5 &&
		       c.gmin == 0.5e-7 && c.vread == 0.2 && c.clock_mhz == 1000.0,
	       "syntax_comments_whitespace_crlf", "expected all values parsed, got rc %d (%s)", rc, err);
}

/* Each bad input: -1, and the message names origin:line and the key. */
static void test_bad_inputs(void)
{
	static const struct {
		const char *name, *text, *line, *key;
	} cases[] = {
		{"unknown_key", "name = t\nrowz = 4\n", "bad:2:", "rowz"},
		{"duplicate_key", "name = t\nrows = 8\n\nrows = 16\n", "bad:4:", "rows"},
		{"duplicate_name", "name = t\nname = u\n", "bad:2:", "name"},
		{"int_parse_error", "name = t\nrows = 6x4\n", "bad:2:", "rows"},
		{"int_given_float", "name = t\ncols = 64.0\n", "bad:2:", "cols"},
		{"int_negative", "name = t\nrows = -4\n", "bad:2:", "rows"},
		{"int_overflow", "name = t\nrows = 99999999999999999999\n", "bad:2:", "rows"},
		{"int_two_values", "name = t\nrows = 64 32\n", "bad:2:", "rows"},
		{"float_parse_error", "name = t\ngmax = 1.6e\n", "bad:2:", "gmax"},
		{"float_hex", "name = t\nvread = 0x1p-3\n", "bad:2:", "vread"},
		{"float_nan", "name = t\nvread = nan\n", "bad:2:", "vread"},
		{"float_inf", "name = t\nvread = inf\n", "bad:2:", "vread"},
		{"float_overflow", "name = t\ngmax = 1e999\n", "bad:2:", "gmax"},
		{"float_underflow", "name = t\ngmin = 1e-400\n", "bad:2:", "gmin"},
		{"float_units_suffix", "name = t\nvread = 0.1V\n", "bad:2:", "vread"},
		{"range_rows_high", "name = t\nrows = 2048\n", "bad:2:", "rows"},
		{"range_rows_zero", "name = t\nrows = 0\n", "bad:2:", "rows"},
		{"range_num_tiles", "name = t\nnum_tiles = 17\n", "bad:2:", "num_tiles"},
		{"range_adc_bits", "name = t\nadc_bits = 17\nadc_cycles = 20\n", "bad:2:", "adc_bits"},
		{"range_dac_bits", "name = t\ndac_bits = 0\n", "bad:2:", "dac_bits"},
		{"range_cols_per_adc", "name = t\ncols_per_adc = 32\n", "bad:2:", "cols_per_adc"},
		{"range_vread", "name = t\nvread = 5\n", "bad:2:", "vread"},
		{"range_prog_sigma", "name = t\nprog_sigma = -0.1\n", "bad:2:", "prog_sigma"},
		{"range_read_knee", "name = t\nread_knee = 0\n", "bad:2:", "read_knee"},
		{"range_gmax", "name = t\ngmax = 1\n", "bad:2:", "gmax"},
		{"rows_not_multiple_of_4", "name = t\nrows = 66\n", "bad:2:", "rows"},
		{"cols_not_multiple_of_4", "name = t\ncols = 10\n", "bad:2:", "cols"},
		{"missing_value", "name = t\nrows =\n", "bad:2:", "rows"},
		{"missing_equals", "name = t\nrows 64\n", "bad:2:", "rows"},
		{"missing_key", "name = t\n = 64\n", "bad:2:", "key"},
		{"bad_name_digit", "name = 1abc\n", "bad:1:", "name"},
		{"bad_name_space", "name = a b\n", "bad:1:", "name"},
		{"cross_cols_per_adc", "name = t\ncols = 8\ncols_per_adc = 3\n", "bad:3:", "cols_per_adc"},
		{"cross_cols_after_cpa", "name = t\ncols_per_adc = 8\ncols = 12\n", "bad:3:", "cols"},
		{"cross_adc_cycles", "name = t\nadc_bits = 10\nadc_cycles = 9\n", "bad:3:", "adc_cycles"},
		{"cross_adc_bits_vs_cycles", "name = t\nadc_cycles = 9\nadc_bits = 10\n", "bad:3:", "adc_bits"},
		{"cross_gmin_ge_gmax", "name = t\ngmin = 2e-5\n", "bad:2:", "gmin"},
		{"cross_gmax_le_gmin", "name = t\ngmax = 1e-8\n", "bad:2:", "gmax"},
		{"cross_gmin_eq_gmax", "name = t\ngmax = 1e-6\ngmin = 1e-6\n", "bad:3:", "gmin"},
		{"cross_twin_prog_sigma", "name = t\nread_sigma = 0\nxbar_impl = 1\n", "bad:3:", "xbar_impl"},
		{"cross_twin_read_sigma", "name = t\nxbar_impl = 1\nprog_sigma = 0\nread_sigma = 0.1\n",
		 "bad:4:", "read_sigma"},
		{"twin_out_of_range", "name = t\nxbar_impl = 2\n", "bad:2:", "xbar_impl"},
		/* bit-sliced weights: the slices cover 7 bits with none always zero; one slice is 7 bits */
		{"cross_slices_short", "name = t\nweight_slices = 2\nslice_bits = 3\n", "bad:3:", "slice_bits"},
		{"cross_slices_idle", "name = t\nslice_bits = 2\nweight_slices = 5\n", "bad:3:", "weight_slices"},
		{"cross_one_slice_bits", "name = t\nslice_bits = 4\n", "bad:2:", "slice_bits"},
		{"cross_slices_array", "name = t\ncols = 512\nweight_slices = 3\nslice_bits = 3\n", "bad:3:",
		 "weight_slices"},
		{"cross_slices_charge", "name = t\nprog_sigma = 0\nread_sigma = 0\nweight_slices = 2\n"
					"slice_bits = 4\nxbar_kind = charge\n", "bad:6:", "xbar_kind"},
		/* the SAR ADC: adc_bits + 1 cycles per conversion, the analog model's comparator */
		{"sar_cycles", "name = t\nadc_bits = 8\nadc_cycles = 8\nadc_kind = sar\n", "bad:4:", "adc_kind"},
		{"sar_cycles_after_kind", "name = t\nadc_kind = sar\nadc_bits = 8\nadc_cycles = 10\n", "bad:4:",
		 "adc_cycles"},
		{"sar_twin", "name = t\nadc_bits = 8\nadc_cycles = 9\nprog_sigma = 0\nread_sigma = 0\n"
			     "adc_kind = sar\nxbar_impl = 1\n", "bad:7:", "xbar_impl"},
		{"sar_kind_name", "name = t\nadc_kind = flash\n", "bad:2:", "adc_kind"},
		{"sar_charge", "name = t\nadc_bits = 8\nadc_cycles = 9\nprog_sigma = 0\nread_sigma = 0\n"
			       "xbar_kind = charge\nadc_kind = sar\n", "bad:7:", "adc_kind"},
		/* the two iCE40 cuts (configs/ice40.cfg) */
		{"conflict_check_range", "name = t\nconflict_check = 2\n", "bad:2:", "conflict_check"},
		{"isa_tfl_range", "name = t\nisa_tfl = 2\n", "bad:2:", "isa_tfl"},
		{"isa_tfl_text", "name = t\nisa_tfl = off\n", "bad:2:", "isa_tfl"},
		{"conflict_check_text", "name = t\nconflict_check = no\n", "bad:2:", "conflict_check"},
		{"cross_conflict_tiles", "name = t\nnum_tiles = 2\nconflict_check = 0\n", "bad:3:",
		 "conflict_check"},
		{"cross_tiles_conflict", "name = t\nconflict_check = 0\nnum_tiles = 4\n", "bad:3:",
		 "num_tiles"},
		{"counter_bits_low", "name = t\ncounter_bits = 8\n", "bad:2:", "counter_bits"},
		{"counter_bits_high", "name = t\ncounter_bits = 64\n", "bad:2:", "counter_bits"},
		{"counter_bits_odd", "name = t\ncounter_bits = 24\n", "bad:2:", "counter_bits"},
		{"counter_bits_neg", "name = t\ncounter_bits = -16\n", "bad:2:", "counter_bits"},
		/* post_lanes: 1, 4, 8 or 16, a parameter buffer its 4 x post_lanes banks split evenly; 8 and
		 * 16 need load_words 4 (their output words go to the four activation banks) and cols a
		 * multiple of post_lanes */
		{"post_lanes_two", "name = t\npost_lanes = 2\n", "bad:2:", "post_lanes"},
		{"post_lanes_twelve", "name = t\nload_words = 4\npost_lanes = 12\n", "bad:3:", "post_lanes"},
		{"post_lanes_high", "name = t\npost_lanes = 32\n", "bad:2:", "post_lanes"},
		{"post_lanes_zero", "name = t\npost_lanes = 0\n", "bad:2:", "post_lanes"},
		{"post_lanes_par_depth", "name = t\npost_lanes = 4\npar_depth = 1032\n", "bad:3:", "par_depth"},
		{"post_lanes_par_depth16", "name = t\nload_words = 4\npost_lanes = 16\npar_depth = 1056\n",
		 "bad:4:", "par_depth"},
		{"post_lanes_16_load1", "name = t\npost_lanes = 16\n", "bad:2:", "post_lanes"},
		{"post_lanes_8_load1", "name = t\npost_lanes = 8\nload_words = 1\n", "bad:3:", "load_words"},
		{"post_lanes_cols", "name = t\nload_words = 4\npost_lanes = 16\ncols = 40\n", "bad:4:", "cols"},
		{"post_lanes_cols8", "name = t\ncols = 36\nload_words = 4\npost_lanes = 8\n", "bad:4:",
		 "post_lanes"},
		/* load_words: 1 or 4, and activation buffers its banks split evenly */
		{"load_words_two", "name = t\nload_words = 2\n", "bad:2:", "load_words"},
		{"load_words_high", "name = t\nload_words = 5\n", "bad:2:", "load_words"},
		{"load_words_act_depth", "name = t\nload_words = 4\nact_depth = 1026\n", "bad:3:", "act_depth"},
		/* tile_overlap: 0 or 1 */
		{"tile_overlap_two", "name = t\ntile_overlap = 2\n", "bad:2:", "tile_overlap"},
		{"tile_overlap_neg", "name = t\ntile_overlap = -1\n", "bad:2:", "tile_overlap"},
		{"tile_overlap_text", "name = t\ntile_overlap = on\n", "bad:2:", "tile_overlap"},
		/* non-idealities (docs/analog-model.md) */
		{"range_drift_time", "name = t\ndrift_time = -1\n", "bad:2:", "drift_time"},
		{"range_drift_time_high", "name = t\ndrift_time = 2e9\n", "bad:2:", "drift_time"},
		{"range_drift_t0_zero", "name = t\ndrift_t0 = 0\n", "bad:2:", "drift_t0"},
		{"range_drift_nu", "name = t\ndrift_nu = 1.5\n", "bad:2:", "drift_nu"},
		{"range_drift_nu_neg", "name = t\ndrift_nu = -0.01\n", "bad:2:", "drift_nu"},
		{"range_drift_nu_sigma", "name = t\ndrift_nu_sigma = 0.6\n", "bad:2:", "drift_nu_sigma"},
		{"parse_drift_time", "name = t\ndrift_time = 1day\n", "bad:2:", "drift_time"},
		{"range_stuck_gmin", "name = t\nstuck_gmin_frac = -0.1\n", "bad:2:", "stuck_gmin_frac"},
		{"range_stuck_gmax", "name = t\nstuck_gmax_frac = 1.1\n", "bad:2:", "stuck_gmax_frac"},
		{"cross_stuck_sum", "name = t\nstuck_gmin_frac = 0.6\nstuck_gmax_frac = 0.5\n", "bad:3:",
		 "stuck_gmax_frac"},
		{"range_dac_inl", "name = t\ndac_inl = 9\n", "bad:2:", "dac_inl"},
		{"range_dac_rout", "name = t\ndac_rout = -5\n", "bad:2:", "dac_rout"},
		{"range_adc_gain_err", "name = t\nadc_gain_err = 0.6\n", "bad:2:", "adc_gain_err"},
		{"range_adc_gain_sigma", "name = t\nadc_gain_sigma = -0.1\n", "bad:2:", "adc_gain_sigma"},
		{"range_adc_offset", "name = t\nadc_offset = -65\n", "bad:2:", "adc_offset"},
		{"range_adc_offset_sigma", "name = t\nadc_offset_sigma = 70\n", "bad:2:", "adc_offset_sigma"},
		{"range_adc_inl", "name = t\nadc_inl = -1\n", "bad:2:", "adc_inl"},
		{"range_adc_noise", "name = t\nadc_noise = 17\n", "bad:2:", "adc_noise"},
		{"range_i_clip", "name = t\ni_clip = -1e-6\n", "bad:2:", "i_clip"},
		{"range_temp", "name = t\ntemp = 100\n", "bad:2:", "temp"},
		{"range_temp_ref", "name = t\ntemp_ref = 500\n", "bad:2:", "temp_ref"},
		{"range_tc_g", "name = t\ntc_g = 0.1\n", "bad:2:", "tc_g"},
		{"cross_tc_sign", "name = t\ntemp = 450\ntemp_ref = 200\ntc_g = -0.01\n", "bad:4:", "tc_g"},
		{"cross_twin_adc_noise", "name = t\nprog_sigma = 0\nread_sigma = 0\nxbar_impl = 1\nadc_noise = 0.5\n",
		 "bad:5:", "adc_noise"},
		{"cross_twin_drift", "name = t\nprog_sigma = 0\nread_sigma = 0\ndrift_time = 1000\nxbar_impl = 1\n",
		 "bad:5:", "xbar_impl"},
		{"cross_ir_dac_rout", "name = t\nir_mode = full\ndac_rout = 10\n", "bad:3:", "dac_rout"},
		{"ir_mode_unknown_name", "name = t\nir_mode = fast\n", "bad:2:", "ir_mode"},
		{"ir_mode_number", "name = t\nir_mode = 2\n", "bad:2:", "ir_mode"},
		{"ir_mode_case", "name = t\nir_mode = Full\n", "bad:2:", "ir_mode"},
		{"ir_mode_prefix", "name = t\nir_mode = fir\n", "bad:2:", "ir_mode"},
		{"r_wire_row_negative", "name = t\nr_wire_row = -1.2\n", "bad:2:", "r_wire_row"},
		{"r_wire_col_not_number", "name = t\nir_mode = full\nr_wire_col = abc\n", "bad:3:", "r_wire_col"},
		{"r_wire_col_unit_suffix", "name = t\nr_wire_col = 1.2ohm\n", "bad:2:", "r_wire_col"},
		{"r_drv_negative", "name = t\nr_drv = -0.001\n", "bad:2:", "r_drv"},
		{"r_drv_too_large", "name = t\nr_drv = 2e4\n", "bad:2:", "r_drv"},
		{"r_wire_row_too_large", "name = t\nr_wire_row = 101\n", "bad:2:", "r_wire_row"},
		{"r_sense_nan", "name = t\nr_sense = nan\n", "bad:2:", "r_sense"},
		{"r_sense_negative", "name = t\nr_sense = -5\n", "bad:2:", "r_sense"},
		{"cross_twin_ir_mode", "name = t\nprog_sigma = 0\nread_sigma = 0\nir_mode = first\nxbar_impl = 1\n",
		 "bad:5:", "xbar_impl"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aimc_cfg c;
		char err[512] = "", name[96], quoted[64];
		int rc = aimc_cfg_parse(&c, cases[i].text, "bad", err, sizeof(err));

		snprintf(name, sizeof(name), "reject_%s", cases[i].name);
		snprintf(quoted, sizeof(quoted), "'%s'", cases[i].key);
		report(rc == AIMC_ECONFIG && strstr(err, cases[i].line) != NULL &&
			       (strstr(err, quoted) != NULL || strcmp(cases[i].key, "key") == 0) &&
			       strstr(err, "key") != NULL,
		       name, "expected AIMC_ECONFIG and a message with \"%s\" and %s, got rc %d \"%s\"", cases[i].line,
		       quoted, rc, err);
	}
	{
		aimc_cfg c;
		char err[256] = "";
		int rc = aimc_cfg_parse(&c, "rows = 64\n# no name\n", "noname", err, sizeof(err));

		report(rc == AIMC_ECONFIG && strstr(err, "noname") && strstr(err, "'name'"), "reject_missing_name",
		       "expected AIMC_ECONFIG naming 'name', got rc %d \"%s\"", rc, err);
		rc = aimc_cfg_parse(&c, "", "empty", err, sizeof(err));
		report(rc == AIMC_ECONFIG && strstr(err, "'name'"), "reject_empty_text", "expected AIMC_ECONFIG, got rc %d \"%s\"", rc,
		       err);
	}
}

/* Issue 16: messages that say what is wrong. A negative integer is named as such (not "not a decimal
 * integer"), a UTF-8 byte-order mark at the start is accepted (editors on Windows write one), one
 * anywhere else is refused naming it, and a directory given as the config file says so. */
static void test_clear_messages(void)
{
	aimc_cfg c;
	char err[512] = "", tmpl[] = "/tmp/aimc_cfgdir_XXXXXX";
	char *dir;
	int rc;

	rc = aimc_cfg_parse(&c, "name = t\nrows = -64\n", "neg", err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "neg:2:") && strstr(err, "'rows'") &&
		       strstr(err, "must be a positive integer") && !strstr(err, "not a decimal"),
	       "negative_int_says_positive", "expected 'rows' ... must be a positive integer, got rc %d \"%s\"",
	       rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nxbar_impl = -1\n", "neg", err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "'xbar_impl'") && strstr(err, "must be a non-negative integer"),
	       "negative_int_min0_says_non_negative", "expected a non-negative message, got rc %d \"%s\"", rc,
	       err);
	rc = aimc_cfg_parse(&c, "\xEF\xBB\xBFname = t\nrows = 128\n", "bom", err, sizeof(err));
	report(rc == 0 && strcmp(c.name, "t") == 0 && c.rows == 128, "utf8_bom_at_start_accepted",
	       "expected the config parsed, got rc %d \"%s\"", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\n\xEF\xBB\xBFrows = 128\n", "bom", err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "bom:2:") && strstr(err, "byte-order mark"), "utf8_bom_inside_named",
	       "expected bom:2: ... byte-order mark, got rc %d \"%s\"", rc, err);
	rc = aimc_cfg_parse(&c, "name = t\nrows = 1\xC2\xA0\n", "nb", err, sizeof(err));
	report(rc == AIMC_ECONFIG && strstr(err, "nb:2:") && strstr(err, "non-ASCII"), "non_ascii_byte_named",
	       "expected nb:2: ... non-ASCII, got rc %d \"%s\"", rc, err);
	dir = mkdtemp(tmpl);
	if (dir == NULL) {
		report(0, "directory_as_config", "expected a temporary directory, got none");
		return;
	}
	rc = aimc_cfg_load(&c, dir, err, sizeof(err));
	report(rc == AIMC_EIO && strstr(err, dir) && strstr(err, "is a directory"), "directory_as_config",
	       "expected \"%s: is a directory\", got rc %d \"%s\"", dir, rc, err);
	rmdir(dir);
}

static int find_root(char *root, size_t len)
{
	const char *env = getenv("AIMC_ROOT");
	struct stat st;
	char cwd[PATH_MAX];

	if (stat("configs/tiny.cfg", &st) == 0 && getcwd(cwd, sizeof(cwd)) != NULL) {
		snprintf(root, len, "%s", cwd);
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		snprintf(root, len, "%s", env);
		return 0;
	}
	return -1;
}

static void test_repo_configs(const char *root)
{
	char dir[PATH_MAX + 16];
	DIR *dp;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/configs", root);
	dp = opendir(dir);
	if (dp == NULL) {
		report(0, "load_every_config", "expected directory %s, got none", dir);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[PATH_MAX + 300], name[300], err[512] = "";
		aimc_cfg c;
		int rc;

		if (l < 5 || strcmp(de->d_name + l - 4, ".cfg") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(name, sizeof(name), "load_config_%.*s", (int)(l - 4), de->d_name);
		rc = aimc_cfg_load(&c, path, err, sizeof(err));
		report(rc == 0 && strncmp(c.name, de->d_name, l - 4) == 0 && c.name[l - 4] == '\0' &&
			       strcmp(c.path, path) == 0,
		       name, "expected to load with name = file name and path set, got rc %d \"%s\" name '%s'", rc,
		       err, c.name);
		n++;
	}
	closedir(dp);
	report(n >= 4, "load_every_config_found_all", "expected >= 4 configs in %s, got %d", dir, n);

	/* the ideal / realistic split of docs/configs.md */
	{
		static const struct {
			const char *name;
			int ideal;
		} want[] = {{"tiny", 1}, {"ideal64", 1}, {"small", 0}, {"base", 0}, {"noisy", 0}};
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			char path[PATH_MAX + 64], tn[64], err[512] = "";
			aimc_cfg c;
			int rc;

			snprintf(path, sizeof(path), "%s/configs/%s.cfg", root, want[i].name);
			snprintf(tn, sizeof(tn), "is_ideal_%s", want[i].name);
			rc = aimc_cfg_load(&c, path, err, sizeof(err));
			report(rc == 0 && aimc_cfg_is_ideal(&c) == want[i].ideal, tn, "expected %d, got %d (rc %d %s)",
			       want[i].ideal, rc == 0 ? aimc_cfg_is_ideal(&c) : -1, rc, err);
		}
	}
}

static void test_lookup(const char *root)
{
	aimc_cfg c;
	char err[1024] = "", cwd[PATH_MAX], expect[PATH_MAX + 64], tmpl[] = "/tmp/aimc_cfgtest_XXXXXX";
	char *old_root = getenv("AIMC_ROOT") ? strdup(getenv("AIMC_ROOT")) : NULL;
	char *tmp = NULL;
	int rc;

	if (getcwd(cwd, sizeof(cwd)) == NULL || (tmp = mkdtemp(tmpl)) == NULL) {
		report(0, "lookup", "expected a temporary directory, got none");
		free(old_root);
		return;
	}
	if (chdir(root) == 0) {
		rc = aimc_cfg_load(&c, "tiny", err, sizeof(err));
		report(rc == 0 && strcmp(c.path, "configs/tiny.cfg") == 0 && c.rows == 16 && c.cols == 8,
		       "lookup_bare_name_in_cwd", "expected configs/tiny.cfg (16x8), got rc %d path '%s' %s", rc,
		       c.path, err);
	}
	if (chdir(tmp) != 0) {
		report(0, "lookup", "expected chdir to %s", tmp);
		goto out;
	}
	rc = aimc_cfg_load_in(&c, "small", root, err, sizeof(err));
	snprintf(expect, sizeof(expect), "%s/configs/small.cfg", root);
	report(rc == 0 && strcmp(c.path, expect) == 0 && c.rows == 64, "lookup_bare_name_in_root",
	       "expected %s, got rc %d path '%s' %s", expect, rc, c.path, err);
	rc = aimc_cfg_load_in(&c, "no_such_config", root, err, sizeof(err));
	report(rc == AIMC_EIO && strstr(err, "no_such_config") && strstr(err, root), "lookup_missing_name",
	       "expected AIMC_EIO naming the config and both places, got rc %d \"%s\"", rc, err);
	/* the library reads no environment: $AIMC_ROOT set changes nothing without a root given */
	setenv("AIMC_ROOT", root, 1);
	rc = aimc_cfg_load(&c, "small", err, sizeof(err));
	report(rc == AIMC_EIO && strstr(err, "small") && strstr(err, "AIMC_ROOT"), "lookup_without_root",
	       "expected AIMC_EIO mentioning AIMC_ROOT (the library ignores the variable), got rc %d \"%s\"",
	       rc, err);
	unsetenv("AIMC_ROOT");
	rc = aimc_cfg_load(&c, "bad name!", err, sizeof(err));
	report(rc == AIMC_EINVAL && strstr(err, "bad name!"), "lookup_rejects_non_identifier",
	       "expected AIMC_EINVAL, got rc %d \"%s\"", rc, err);

	/* a file with an error: message names the file and line; NUL bytes are refused */
	{
		FILE *f = fopen("broken.cfg", "w");

		if (f != NULL) {
			fputs("name = broken\nrows = 64\nrows = 32\n", f);
			fclose(f);
		}
		rc = aimc_cfg_load(&c, "broken.cfg", err, sizeof(err));
		report(rc == AIMC_ECONFIG && strstr(err, "broken.cfg:3:") && strstr(err, "'rows'"), "load_error_names_file_line",
		       "expected \"broken.cfg:3: ... 'rows'\", got rc %d \"%s\"", rc, err);
		f = fopen("nul.cfg", "wb");
		if (f != NULL) {
			fwrite("name = a\0b\n", 1, 11, f);
			fclose(f);
		}
		rc = aimc_cfg_load(&c, "./nul.cfg", err, sizeof(err));
		report(rc == AIMC_EIO && strstr(err, "NUL"), "load_rejects_nul_byte", "expected AIMC_EIO, got rc %d \"%s\"", rc,
		       err);
		rc = aimc_cfg_load(&c, "/nonexistent/dir/x.cfg", err, sizeof(err));
		report(rc == AIMC_EIO && strstr(err, "/nonexistent/dir/x.cfg"), "load_missing_path",
		       "expected AIMC_EIO naming the path, got rc %d \"%s\"", rc, err);
		f = fopen("ok.cfg", "w");
		if (f != NULL) {
			fputs("name = ok\n", f);
			fclose(f);
		}
		rc = aimc_cfg_load(&c, "ok.cfg", err, sizeof(err));
		report(rc == 0 && strcmp(c.path, "ok.cfg") == 0 && strcmp(c.name, "ok") == 0, "load_relative_path",
		       "expected ok.cfg, got rc %d path '%s' %s", rc, c.path, err);
		remove("broken.cfg");
		remove("nul.cfg");
		remove("ok.cfg");
	}
out:
	if (chdir(cwd) != 0)
		report(0, "lookup", "expected to return to %s", cwd);
	rmdir(tmp);
	if (old_root != NULL)
		setenv("AIMC_ROOT", old_root, 1);
	free(old_root);
}

static void test_rtl_params(const char *root)
{
	aimc_cfg c;
	char path[PATH_MAX + 64], err[512] = "", buf[1024], small[40];
	const char *vl = "-GNumTiles=1 -GRows=16 -GCols=8 -GDacBits=2 -GAdcBits=14 -GColsPerAdc=2 "
			 "-GAdcCycles=14 -GAdcKind=0 -GInstrDepth=2048 -GActDepth=2048 -GParDepth=512 -GWgtDepth=8192 "
			 "-GAccSlots=16 -GWeightSlices=1 -GSliceBits=7 -GXbarImpl=0 -GConflictCheck=1 -GCounterBits=32 "
			 "-GIsaTfl=1 -GPostLanes=1 -GLoadWords=1 -GTileOverlap=0";
	const char *iv = "-Paimc_tb_trace.NumTiles=1 -Paimc_tb_trace.Rows=16 -Paimc_tb_trace.Cols=8 "
			 "-Paimc_tb_trace.DacBits=2 -Paimc_tb_trace.AdcBits=14 -Paimc_tb_trace.ColsPerAdc=2 "
			 "-Paimc_tb_trace.AdcCycles=14 -Paimc_tb_trace.AdcKind=0 -Paimc_tb_trace.InstrDepth=2048 "
			 "-Paimc_tb_trace.ActDepth=2048 -Paimc_tb_trace.ParDepth=512 "
			 "-Paimc_tb_trace.WgtDepth=8192 -Paimc_tb_trace.AccSlots=16 "
			 "-Paimc_tb_trace.WeightSlices=1 -Paimc_tb_trace.SliceBits=7 -Paimc_tb_trace.XbarImpl=0 "
			 "-Paimc_tb_trace.ConflictCheck=1 -Paimc_tb_trace.CounterBits=32 "
			 "-Paimc_tb_trace.IsaTfl=1 -Paimc_tb_trace.PostLanes=1 "
			 "-Paimc_tb_trace.LoadWords=1 -Paimc_tb_trace.TileOverlap=0";
	int rc;

	snprintf(path, sizeof(path), "%s/configs/tiny.cfg", root);
	if (aimc_cfg_load(&c, path, err, sizeof(err)) != 0) {
		report(0, "rtl_params_tiny", "expected tiny.cfg to load, got \"%s\"", err);
		return;
	}
	rc = aimc_cfg_rtl_params(&c, "verilator", NULL, buf, sizeof(buf));
	report(rc == 0 && strcmp(buf, vl) == 0, "rtl_params_tiny_verilator", "expected \"%s\", got \"%s\"", vl,
	       buf);
	rc = aimc_cfg_rtl_params(&c, "icarus", "aimc_tb_trace", buf, sizeof(buf));
	report(rc == 0 && strcmp(buf, iv) == 0, "rtl_params_tiny_icarus", "expected \"%s\", got \"%s\"", iv, buf);
	report(aimc_cfg_rtl_params(&c, "verilator", NULL, small, sizeof(small)) == AIMC_ERANGE &&
		       aimc_cfg_rtl_params(&c, "verilator", NULL, buf, strlen(vl)) == AIMC_ERANGE &&
		       aimc_cfg_rtl_params(&c, "verilator", NULL, buf, strlen(vl) + 1) == 0,
	       "rtl_params_buffer_size", "expected AIMC_ERANGE when one byte short, 0 when it fits");
	report(aimc_cfg_rtl_params(&c, "vcs", "top", buf, sizeof(buf)) == AIMC_EINVAL &&
		       aimc_cfg_rtl_params(&c, "icarus", NULL, buf, sizeof(buf)) == AIMC_EINVAL &&
		       aimc_cfg_rtl_params(&c, "icarus", "a b", buf, sizeof(buf)) == AIMC_EINVAL,
	       "rtl_params_rejects_bad_style_or_top", "expected AIMC_EINVAL for style vcs / no top / bad top");
	/* isa_tfl: 1 by default (tiny above), 0 in ice40 (the iCE40 UP5K prototype) */
	snprintf(path, sizeof(path), "%s/configs/ice40.cfg", root);
	rc = aimc_cfg_load(&c, path, err, sizeof(err));
	if (rc == 0)
		rc = aimc_cfg_rtl_params(&c, "verilator", NULL, buf, sizeof(buf));
	report(rc == 0 && c.isa_tfl == 0 && strstr(buf, " -GIsaTfl=0") != NULL, "rtl_params_ice40_isa_tfl",
	       "expected ice40 to load with isa_tfl 0 and -GIsaTfl=0, got rc %d isa_tfl %u \"%s\" %s", rc,
	       c.isa_tfl, buf, err);
}

/* tile_overlap: 0 by default, 1 accepted and passed on as TileOverlap, set in edge, large and
 * large8 only; the out-of-range cases are in test_bad_inputs. */
static void test_tile_overlap(const char *root)
{
	static const struct {
		const char *name;
		uint32_t want;
	} want[] = {{"edge", 1}, {"large", 1}, {"large8", 1},
		    {"base", 0}, {"small", 0}, {"tiny", 0}};
	aimc_cfg c;
	char path[PATH_MAX + 64], err[512] = "", buf[1024], tn[64];
	int rc;

	rc = aimc_cfg_parse(&c, "name = t\n", "t", err, sizeof(err));
	report(rc == 0 && c.tile_overlap == 0, "tile_overlap_default",
	       "expected 0, got %u (rc %d %s)", c.tile_overlap, rc, err);
	rc = aimc_cfg_parse(&c, "name = t\ntile_overlap = 1\n", "t", err, sizeof(err));
	if (rc == 0)
		rc = aimc_cfg_rtl_params(&c, "verilator", NULL, buf, sizeof(buf));
	report(rc == 0 && c.tile_overlap == 1 && strstr(buf, " -GTileOverlap=1") != NULL,
	       "tile_overlap_one",
	       "expected tile_overlap 1 and -GTileOverlap=1, got rc %d %u \"%s\" %s", rc,
	       c.tile_overlap, buf, err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "%s/configs/%s.cfg", root, want[i].name);
		snprintf(tn, sizeof(tn), "tile_overlap_%s", want[i].name);
		rc = aimc_cfg_load(&c, path, err, sizeof(err));
		report(rc == 0 && c.tile_overlap == want[i].want, tn,
		       "expected %u, got %u (rc %d %s)", want[i].want,
		       rc == 0 ? c.tile_overlap : 0, rc, err);
	}
}

static void test_json(const char *root)
{
	static const char *const all_keys[] = {
		"name", "num_tiles", "rows", "cols", "dac_bits", "adc_bits", "cols_per_adc", "adc_cycles",
		"adc_kind", "settle_cycles", "instr_depth", "act_depth", "par_depth", "wgt_depth", "acc_slots",
		"xbar_impl", "conflict_check", "counter_bits", "isa_tfl", "post_lanes", "load_words", "tile_overlap", "clock_mhz", "vread", "gmax", "gmin", "prog_sigma", "prog_knee", "read_sigma", "read_knee",
		"ir_mode", "r_wire_row", "r_wire_col", "r_drv", "r_sense",
		"e_adc_pj", "e_dac_pj", "e_sram_pj_bit", "e_acc_pj", "e_post_pj"};
	aimc_cfg c;
	char path[PATH_MAX + 64], err[512] = "", buf[4096], small[64], needle[64];
	const char *p;
	int ok = 1;
	const char *missing = "";

	snprintf(path, sizeof(path), "%s/configs/small.cfg", root);
	if (aimc_cfg_load(&c, path, err, sizeof(err)) != 0 || aimc_cfg_to_json(&c, buf, sizeof(buf)) != 0) {
		report(0, "json_all_keys", "expected small.cfg to load and print, got \"%s\"", err);
		return;
	}
	for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++) {
		snprintf(needle, sizeof(needle), "\"%s\": ", all_keys[i]);
		if (strstr(buf, needle) == NULL) {
			ok = 0;
			missing = all_keys[i];
		}
	}
	report(ok && buf[0] == '{' && buf[strlen(buf) - 1] == '}', "json_all_keys",
	       "expected an object with every key, missing '%s' in %s", missing, buf);
	report(strstr(buf, "\"name\": \"small\"") && strstr(buf, "\"rows\": 64,") &&
		       strstr(buf, "\"adc_cycles\": 7,"),
	       "json_values", "expected name small, rows 64, adc_cycles 7, got %s", buf);
	p = strstr(buf, "\"gmax\": ");
	report(p && strtod(p + 8, NULL) == c.gmax && strstr(buf, "\"vread\": 0.1,"), "json_doubles_round_trip",
	       "expected gmax to read back as %.17g and vread as 0.1, got %s", c.gmax, buf);
	report(aimc_cfg_to_json(&c, small, sizeof(small)) == AIMC_ERANGE, "json_buffer_too_small",
	       "expected AIMC_ERANGE");
}

/* IR-drop keys: names of ir_mode, ohm values, default off, JSON prints the mode name. */
static void test_ir_keys(void)
{
	static const char *const modes[] = {"off", "first", "full"};
	aimc_cfg c;
	char err[512] = "", text[160], buf[4096], needle[40], name[40];

	aimc_cfg_defaults(&c);
	report(c.ir_mode == 0 && c.r_wire_row == 1.2 && c.r_wire_col == 1.2 && c.r_drv == 100.0 &&
		       c.r_sense == 100.0,
	       "ir_defaults", "expected ir_mode off, 1.2/1.2/100/100 ohm, got %u %g %g %g %g", c.ir_mode,
	       c.r_wire_row, c.r_wire_col, c.r_drv, c.r_sense);
	for (uint32_t m = 0; m < 3; m++) {
		int rc;

		snprintf(text, sizeof(text),
			 "name = t\nir_mode = %s\nr_wire_row = 2.5\nr_wire_col = 0\nr_drv = 0\nr_sense = 1e3\n",
			 modes[m]);
		rc = aimc_cfg_parse(&c, text, "ir", err, sizeof(err));
		snprintf(needle, sizeof(needle), "\"ir_mode\": \"%s\"", modes[m]);
		snprintf(name, sizeof(name), "ir_mode_%s", modes[m]);
		report(rc == 0 && c.ir_mode == m && c.r_wire_row == 2.5 && c.r_wire_col == 0.0 &&
			       c.r_drv == 0.0 && c.r_sense == 1e3 && aimc_cfg_to_json(&c, buf, sizeof(buf)) == 0 &&
			       strstr(buf, needle) != NULL,
		       name, "expected ir_mode %u and the four resistances parsed, got rc %d \"%s\"", m, rc,
		       err);
	}
	report(aimc_cfg_parse(&c, "name = t\nir_mode = full\n", "ir", err, sizeof(err)) == 0 &&
		       aimc_cfg_is_ideal(&c) == 0,
	       "ir_not_ideal", "a config with ir_mode full must not count as ideal");
}

static void test_derived(void)
{
	static const uint32_t slices[9] = {0, 7, 4, 3, 2, 2, 2, 1, 1};
	aimc_cfg c;
	int ok = 1;
	uint32_t bad = 0;

	aimc_cfg_defaults(&c);
	for (uint32_t d = 1; d <= 8; d++) {
		c.dac_bits = d;
		if (aimc_cfg_slices(&c) != slices[d]) {
			ok = 0;
			bad = d;
		}
	}
	report(ok, "slices_ceil_7_over_dac_bits", "expected %u slices for dac_bits %u, got another", slices[bad],
	       bad);
	c.cols = 32;
	c.cols_per_adc = 4;
	report(aimc_cfg_num_adcs(&c) == 8, "num_adcs", "expected 8, got %u", aimc_cfg_num_adcs(&c));

	/* ideal boundary: 16 rows, dac_bits 2: need 2^(b-1)-1 >= 16*3*127 = 6096 -> b = 14 */
	aimc_cfg_defaults(&c);
	c.rows = 16;
	c.dac_bits = 2;
	c.prog_sigma = c.read_sigma = 0.0;
	c.adc_bits = 14;
	ok = aimc_cfg_is_ideal(&c) == 1;
	c.adc_bits = 13;
	ok &= aimc_cfg_is_ideal(&c) == 0;
	c.adc_bits = 14;
	c.read_sigma = 1e-9;
	ok &= aimc_cfg_is_ideal(&c) == 0;
	c.read_sigma = 0.0;
	c.prog_sigma = 1e-9;
	ok &= aimc_cfg_is_ideal(&c) == 0;
	report(ok, "is_ideal_boundary", "expected ideal only at adc_bits >= 14 and no noise");
}

/* Every non-ideality key is off by default; switching any one on makes the config non-ideal and
 * is named by aimc_cfg_effect_on. Drift needs drift_time > drift_t0, temperature temp != temp_ref. */
static void test_effect_switches(void)
{
	static const struct {
		const char *text, *key;
	} on[] = {
		{"drift_time = 1000\n", "drift_time"},       {"stuck_gmin_frac = 0.01\n", "stuck_gmin_frac"},
		{"stuck_gmax_frac = 0.01\n", "stuck_gmax_frac"}, {"dac_inl = 0.2\n", "dac_inl"},
		{"dac_rout = 50\n", "dac_rout"},             {"adc_gain_err = -0.01\n", "adc_gain_err"},
		{"adc_gain_sigma = 0.01\n", "adc_gain_sigma"}, {"adc_offset = 0.5\n", "adc_offset"},
		{"adc_offset_sigma = 0.5\n", "adc_offset_sigma"}, {"adc_inl = 0.5\n", "adc_inl"},
		{"adc_noise = 0.5\n", "adc_noise"},          {"i_clip = 1e-6\n", "i_clip"},
		{"temp = 350\n", "temp"},
	};
	static const char *base = "name = t\nrows = 16\ndac_bits = 2\nadc_bits = 14\nadc_cycles = 14\n"
				  "prog_sigma = 0\nread_sigma = 0\n";
	aimc_cfg c;
	char err[256] = "", text[512];
	int rc = aimc_cfg_parse(&c, base, "t", err, sizeof(err));

	report(rc == 0 && aimc_cfg_effect_on(&c) == NULL && aimc_cfg_is_ideal(&c) == 1, "effects_off_by_default",
	       "expected no effect on and an ideal config, got rc %d effect %s", rc,
	       rc == 0 && aimc_cfg_effect_on(&c) ? aimc_cfg_effect_on(&c) : "-");
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		char name[64];
		const char *got;

		snprintf(text, sizeof(text), "%s%s", base, on[i].text);
		rc = aimc_cfg_parse(&c, text, "t", err, sizeof(err));
		got = rc == 0 ? aimc_cfg_effect_on(&c) : NULL;
		snprintf(name, sizeof(name), "effect_on_%s", on[i].key);
		report(rc == 0 && got != NULL && strcmp(got, on[i].key) == 0 && aimc_cfg_is_ideal(&c) == 0, name,
		       "expected effect %s on and a non-ideal config, got rc %d (%s) effect %s", on[i].key, rc, err,
		       got ? got : "none");
	}
	/* drift_time at or below drift_t0, or temp at temp_ref, or tc_g 0: still off */
	snprintf(text, sizeof(text), "%sdrift_time = 20\ntemp = 300\ntc_g = 0.01\n", base);
	rc = aimc_cfg_parse(&c, text, "t", err, sizeof(err));
	report(rc == 0 && aimc_cfg_effect_on(&c) == NULL, "effects_off_at_their_reference",
	       "expected none on, got rc %d effect %s", rc, rc == 0 && aimc_cfg_effect_on(&c) ? aimc_cfg_effect_on(&c) : "-");
}

int main(int argc, char **argv)
{
	char root[PATH_MAX];

	parse_args(argc, argv);
	test_defaults();
	test_syntax_ok();
	test_bad_inputs();
	test_clear_messages();
	test_derived();
	test_effect_switches();
	test_ir_keys();
	if (find_root(root, sizeof(root)) != 0) {
		report(0, "find_repository", "expected configs/ in the current directory or $AIMC_ROOT, got neither");
		return 1;
	}
	test_repo_configs(root);
	test_lookup(root);
	test_rtl_params(root);
	test_tile_overlap(root);
	test_json(root);
	return failures ? 1 : 0;
}
