/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the simulators' model instance (analog_models/c/aimc_sim_model.c): errors before
 * and after init, config and geometry checks, and the unpacking of SV packed vectors (weights 8
 * bits per column, DAC codes of 3 bits that straddle 32-bit words) checked through the programmed
 * levels and exact ideal ADC codes. Usage: test_sim_model [--seed N]. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc_sim_model.h"
#include "aimc_test.h"

#define ROWS 12
#define COLS 12
#define DAC_BITS 3
#define ADC_BITS 16
#define CPA 3

/* Stimulus generator, independent of the library under test (SplitMix64). */
static uint64_t stim_state;

static uint32_t stim_u32(uint32_t n)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) % n);
}

static int contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Pack `n` fields of `bits` bits, field i at bit i*bits, as the words of an SV packed vector. */
static void pack(uint32_t *words, size_t nwords, const uint32_t *vals, int n, int bits)
{
	memset(words, 0, nwords * sizeof(*words));
	for (int i = 0; i < n; i++)
		for (int b = 0; b < bits; b++)
			if ((vals[i] >> b) & 1u)
				words[(i * bits + b) / 32] |= 1u << ((i * bits + b) % 32);
}

static int write_cfg(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	fputs(text, f);
	return fclose(f);
}

static void test_before_init(void)
{
	uint32_t words[4] = {0};

	aimc_sim_model_shutdown();
	report(aimc_sim_model() == NULL, "no_model", "aimc_sim_model() is not NULL before init");
	report(aimc_sim_model_bind(0, ROWS, COLS, DAC_BITS, ADC_BITS, CPA, 0) == -1 &&
		       contains(aimc_sim_model_error(), "not initialized"),
	       "bind_before_init", "got '%s'", aimc_sim_model_error());
	report(aimc_sim_model_program_row(0, 0, words, 0) == -1, "program_before_init",
	       "expected -1");
	report(aimc_sim_model_apply(0, words) == -1, "apply_before_init", "expected -1");
	report(aimc_sim_model_convert(0, 0, 0, 0) == AIMC_SIM_CODE_ERROR, "convert_before_init",
	       "expected AIMC_SIM_CODE_ERROR");
	report(aimc_sim_model_init(NULL, 1) == -1 && aimc_sim_model_init("", 1) == -1, "init_no_path",
	       "expected -1");
	report(aimc_sim_model_init("/nonexistent/aimc.cfg", 1) == AIMC_EIO &&
		       contains(aimc_sim_model_error(), "/nonexistent/aimc.cfg") &&
		       aimc_sim_model() == NULL,
	       "init_missing_file", "got '%s'", aimc_sim_model_error());
}

static void test_bind(void)
{
	report(aimc_sim_model_bind(0, ROWS, COLS, DAC_BITS, ADC_BITS, CPA, 0) == 0, "bind_ok", "%s",
	       aimc_sim_model_error());
	report(aimc_sim_model_bind(1, ROWS, COLS, DAC_BITS, ADC_BITS, CPA, 0) == -1 &&
		       contains(aimc_sim_model_error(), "tile 1 out of range"),
	       "bind_bad_tile", "got '%s'", aimc_sim_model_error());
	report(aimc_sim_model_bind(0, ROWS + 4, COLS, DAC_BITS, ADC_BITS, CPA, 0) == -1 &&
		       contains(aimc_sim_model_error(), "rows=16") &&
		       contains(aimc_sim_model_error(), "differs from config 'simtest'"),
	       "bind_rows", "got '%s'", aimc_sim_model_error());
	report(aimc_sim_model_bind(0, ROWS, COLS, DAC_BITS + 1, ADC_BITS, CPA, 0) == -1,
	       "bind_dac_bits", "expected -1");
	report(aimc_sim_model_bind(0, ROWS, COLS, DAC_BITS, ADC_BITS - 1, CPA, 0) == -1,
	       "bind_adc_bits", "expected -1");
	report(aimc_sim_model_bind(0, ROWS, COLS, DAC_BITS, ADC_BITS, CPA + 1, 0) == -1,
	       "bind_cols_per_adc", "expected -1");
}

/* Program every row from packed bytes; read the levels back from the conductances. */
static void test_program(int w[ROWS][COLS])
{
	const aimc_xbar *xb = aimc_sim_model();
	const aimc_cfg *cfg = aimc_xbar_cfg(xb);
	double dg = (cfg->gmax - cfg->gmin) / 127.0;
	uint32_t bytes[COLS], words[(COLS * 8 + 31) / 32];
	int bad = 0, rc = 0;

	for (int r = 0; r < ROWS; r++) {
		for (int c = 0; c < COLS; c++) {
			w[r][c] = (int)stim_u32(256) - 128;
			bytes[c] = (uint32_t)w[r][c] & 0xffu;
		}
		pack(words, sizeof(words) / sizeof(words[0]), bytes, COLS, 8);
		rc |= aimc_sim_model_program_row(0, (uint32_t)r, words, (uint32_t)r);
		for (int c = 0; c < COLS && !bad; c++) {
			int wc = w[r][c] == -128 ? -127 : w[r][c];
			double lp = (aimc_xbar_conductance(xb, 0, (uint32_t)r, 2u * c) - cfg->gmin) / dg;
			double ln = (aimc_xbar_conductance(xb, 0, (uint32_t)r, 2u * c + 1) - cfg->gmin) / dg;

			if (fabs(lp - (wc > 0 ? wc : 0)) > 1e-6 || fabs(ln - (wc < 0 ? -wc : 0)) > 1e-6) {
				bad = 1;
				report(0, "program_unpack", "row %d col %d: w %d gave levels %.3f / %.3f", r,
				       c, w[r][c], lp, ln);
			}
			w[r][c] = wc;
		}
	}
	report(rc == 0, "program_rc", "%s", aimc_sim_model_error());
	if (!bad)
		report(1, "program_unpack", "");
	report(aimc_sim_model_program_row(0, ROWS, words, 0) == -1 &&
		       contains(aimc_sim_model_error(), "row 12 out of range"),
	       "program_bad_row", "got '%s'", aimc_sim_model_error());
	report(aimc_sim_model_program_row(1, 0, words, 0) == -1, "program_bad_tile", "expected -1");
}

/* Apply packed 3-bit codes (rows 10 and 21 straddle word boundaries) and compare every code with
 * the exact integer sum. */
static void test_apply_convert(int w[ROWS][COLS])
{
	uint32_t d[ROWS], words[(ROWS * DAC_BITS + 31) / 32 + 1];
	int bad = 0;

	for (int round = 0; round < 20 && !bad; round++) {
		for (int r = 0; r < ROWS; r++)
			d[r] = round == 0 ? 7u : stim_u32(8);
		pack(words, sizeof(words) / sizeof(words[0]), d, ROWS, DAC_BITS);
		if (aimc_sim_model_apply(0, words) != 0) {
			report(0, "apply", "%s", aimc_sim_model_error());
			return;
		}
		for (int c = 0; c < COLS && !bad; c++) {
			int64_t want = 0;
			int32_t got = aimc_sim_model_convert(0, (uint32_t)c, (uint32_t)round, 0);

			for (int r = 0; r < ROWS; r++)
				want += (int64_t)d[r] * w[r][c];
			if (got != want) {
				bad = 1;
				report(0, "apply_unpack", "round %d col %d: code %" PRId32 ", expected %" PRId64,
				       round, c, got, want);
			}
		}
	}
	if (!bad)
		report(1, "apply_unpack", "");
	report(aimc_sim_model_apply(1, words) == -1, "apply_bad_tile", "expected -1");
	report(aimc_sim_model_convert(0, COLS, 0, 0) == AIMC_SIM_CODE_ERROR &&
		       contains(aimc_sim_model_error(), "column 12"),
	       "convert_bad_col", "got '%s'", aimc_sim_model_error());
	report(aimc_sim_model_convert(0, 0, 0, 16) == AIMC_SIM_CODE_ERROR, "convert_bad_shift",
	       "expected AIMC_SIM_CODE_ERROR");
	report(aimc_sim_model_convert(0, 0, 0, 15) != AIMC_SIM_CODE_ERROR, "convert_shift_15",
	       "%s", aimc_sim_model_error());
	report(aimc_sim_model_convert(1, 0, 0, 0) == AIMC_SIM_CODE_ERROR, "convert_bad_tile",
	       "expected AIMC_SIM_CODE_ERROR");
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/aimc_simtest_XXXXXX";
	int w[ROWS][COLS];
	uint32_t words[4] = {0};

	parse_args(argc, argv);
	stim_state = seed;
	test_before_init();
	if (write_cfg(path, "name = simtest\nnum_tiles = 1\nrows = 12\ncols = 12\ndac_bits = 3\n"
			    "adc_bits = 16\ncols_per_adc = 3\nadc_cycles = 16\n"
			    "prog_sigma = 0\nread_sigma = 0\n") != 0) {
		report(0, "config_file", "cannot write %s", path);
		return 1;
	}
	report(aimc_sim_model_init(path, seed) == 0 && aimc_sim_model() != NULL, "init", "%s",
	       aimc_sim_model_error());
	if (aimc_sim_model() != NULL) {
		test_bind();
		test_program(w);
		test_apply_convert(w);
		/* a second init replaces the model: every cell back at Gmin, so codes are 0 */
		report(aimc_sim_model_init(path, seed + 1) == 0 &&
			       aimc_sim_model_convert(0, 0, 0, 0) == 0,
		       "reinit", "%s", aimc_sim_model_error());
	}
	aimc_sim_model_shutdown();
	aimc_sim_model_shutdown();
	report(aimc_sim_model() == NULL && aimc_sim_model_apply(0, words) == -1, "shutdown",
	       "model still usable after shutdown");
	unlink(path);
	printf("%s: %d failure(s)\n", argv[0], failures);
	return failures ? 1 : 0;
}
