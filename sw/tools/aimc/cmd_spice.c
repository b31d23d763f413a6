/* SPDX-License-Identifier: Apache-2.0 */
/* aimc spice: one random tile of the analog model as a SPICE netlist (ngspice) plus a JSON file
 * with the C model's view of the same array: conductances, inputs, cell-column currents of the
 * ideal sum, the first-order estimate and the full IR-drop solve, the model's differential currents
 * and ADC codes (docs/analog-model.md "IR drop", "Verilog-A models"). Read noise is switched off
 * so that the currents can be compared with a circuit simulator. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_irdrop.h"
#include "cli.h"

#define CMD "spice"

static void help(void)
{
	printf("usage: aimc spice --config CFG --netlist FILE [--json FILE] [--seed N] [--rows R]\n"
	       "                  [--cols C] [--ir-mode off|first|full] [--adc-shift S]\n\n"
	       "  --config CFG      chip config: a name (configs/<name>.cfg) or a path (required); its\n"
	       "                    vread, gmin, gmax, prog_sigma, r_wire_row, r_wire_col, r_drv, r_sense\n"
	       "  --netlist FILE    write the ngspice netlist of tile 0 here (required)\n"
	       "  --json FILE       write the C model's arrays and currents here\n"
	       "  --seed N          seed of the weights, inputs and programming error (default 1)\n"
	       "  --rows R          rows of the tile (4..1024, multiple of 4; default: the config's)\n"
	       "  --cols C          logical columns (4..1024, multiple of 4; default: the config's)\n"
	       "  --ir-mode M       IR-drop mode of the model's currents and codes (default: the config's)\n"
	       "  --adc-shift S     ADC shift of the codes in the JSON (0..31, default 0)\n\n"
	       "Weights are uniform in [-127, 127], DAC codes uniform in [0, 2^dac_bits - 1], both drawn\n"
	       "from the seed. Exit: 0 written, 1 write or solve error, 2 usage or input error.\n");
}

static uint64_t stim_state;

static uint64_t stim_u64(void)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void json_array(FILE *f, const char *key, const double *a, size_t n, int last)
{
	fprintf(f, "  \"%s\": [", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%.17g", i ? ", " : "", a[i]);
	fprintf(f, "]%s\n", last ? "" : ",");
}

int cli_cmd_spice(int argc, char **argv)
{
	const char *config = NULL, *netlist = NULL, *json = NULL, *mode_s = NULL;
	uint64_t seed = 1;
	uint32_t rows = 0, cols = 0, adc_shift = 0, mode = 0;
	aimc_cfg cfg;
	aimc_xbar *xb = NULL;
	aimc_ir_ws *ws = NULL;
	aimc_ir_params p;
	double *g = NULL, *v = NULL, *i_full = NULL, *i_first = NULL, *i_ideal = NULL, *i_model = NULL;
	double *codes = NULL, *lv = NULL;
	int8_t *w = NULL;
	uint8_t *d = NULL;
	uint32_t K, mask;
	aimc_ir_stats st;
	double t0, t_full, t_first;
	FILE *f = NULL;
	cli_out wo;
	char err[512];
	int rc = CLI_EXIT_FAIL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help();
			return CLI_EXIT_PASS;
		}
		if (strcmp(a, "--config") == 0 || strcmp(a, "--netlist") == 0 || strcmp(a, "--json") == 0 ||
		    strcmp(a, "--seed") == 0 || strcmp(a, "--rows") == 0 || strcmp(a, "--cols") == 0 ||
		    strcmp(a, "--ir-mode") == 0 || strcmp(a, "--adc-shift") == 0) {
			val = cli_value(CMD, argc, argv, &i);
			if (val == NULL)
				return CLI_EXIT_USAGE;
		} else {
			return cli_usage_error(CMD, "unknown option '%s'", a);
		}
		if (strcmp(a, "--config") == 0)
			config = val;
		else if (strcmp(a, "--netlist") == 0)
			netlist = val;
		else if (strcmp(a, "--json") == 0)
			json = val;
		else if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64(CMD, a, val, 0, UINT64_MAX, &seed) != 0)
				return CLI_EXIT_USAGE;
		} else if (strcmp(a, "--rows") == 0) {
			if (cli_parse_u32(CMD, a, val, 4, 1024, &rows) != 0)
				return CLI_EXIT_USAGE;
		} else if (strcmp(a, "--cols") == 0) {
			if (cli_parse_u32(CMD, a, val, 4, 1024, &cols) != 0)
				return CLI_EXIT_USAGE;
		} else if (strcmp(a, "--adc-shift") == 0) {
			if (cli_parse_u32(CMD, a, val, 0, 31, &adc_shift) != 0)
				return CLI_EXIT_USAGE;
		} else {
			mode_s = val;
		}
	}
	if (config == NULL)
		return cli_usage_error(CMD, "--config is required");
	if (netlist == NULL)
		return cli_usage_error(CMD, "--netlist is required");
	if ((rows != 0 && rows % 4 != 0) || (cols != 0 && cols % 4 != 0))
		return cli_usage_error(CMD, "--rows and --cols must be multiples of 4");
	if (cli_load_config(CMD, config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cfg.xbar_kind != 0) /* charge-domain (issue 18): no resistive network to write */
		return cli_usage_error(CMD, "config '%s' is xbar_kind charge: the netlist is of a resistive "
				       "(flash) array", config);
	mode = cfg.ir_mode;
	if (mode_s != NULL) {
		if (strcmp(mode_s, "off") == 0)
			mode = AIMC_IR_OFF;
		else if (strcmp(mode_s, "first") == 0)
			mode = AIMC_IR_FIRST;
		else if (strcmp(mode_s, "full") == 0)
			mode = AIMC_IR_FULL;
		else
			return cli_usage_error(CMD, "--ir-mode: '%s' is not off, first or full", mode_s);
	}
	if (rows != 0)
		cfg.rows = rows;
	if (cols != 0)
		cfg.cols = cols;
	if (cfg.cols % cfg.cols_per_adc != 0)
		cfg.cols_per_adc = 4;
	cfg.num_tiles = 1;
	cfg.read_sigma = 0.0;
	cfg.ir_mode = mode;
	cfg.xbar_impl = 0;
	cfg.pv_enable = 0;
	K = 2 * cfg.cols;
	mask = (1u << cfg.dac_bits) - 1u;
	xb = aimc_xbar_create(&cfg, seed);
	ws = aimc_ir_ws_create(cfg.rows, cfg.cols);
	g = malloc((size_t)cfg.rows * K * sizeof(double));
	lv = malloc((size_t)cfg.rows * K * sizeof(double));
	v = malloc(cfg.rows * sizeof(double));
	i_full = malloc(K * sizeof(double));
	i_first = malloc(K * sizeof(double));
	i_ideal = malloc(K * sizeof(double));
	i_model = malloc(cfg.cols * sizeof(double));
	codes = malloc(cfg.cols * sizeof(double));
	w = malloc(cfg.cols);
	d = malloc(cfg.rows);
	if (xb == NULL || ws == NULL || g == NULL || lv == NULL || v == NULL || i_full == NULL ||
	    i_first == NULL || i_ideal == NULL || i_model == NULL || codes == NULL || w == NULL ||
	    d == NULL) {
		cli_errorf(CMD, "out of memory or invalid geometry %ux%u", cfg.rows, cfg.cols);
		goto out;
	}
	stim_state = seed;
	for (uint32_t r = 0; r < cfg.rows; r++) {
		for (uint32_t c = 0; c < cfg.cols; c++) {
			w[c] = (int8_t)((int)(stim_u64() % 255u) - 127);
			lv[(size_t)r * K + 2 * c] = w[c] > 0 ? w[c] : 0;
			lv[(size_t)r * K + 2 * c + 1] = w[c] < 0 ? -w[c] : 0;
		}
		aimc_xbar_program_row(xb, 0, r, w, 0);
		d[r] = (uint8_t)(stim_u64() % (mask + 1u));
		v[r] = cfg.vread * (double)d[r] / (double)mask;
	}
	if (aimc_xbar_apply(xb, 0, d) != 0) {
		cli_errorf(CMD, "apply failed");
		goto out;
	}
	for (uint32_t r = 0; r < cfg.rows; r++)
		for (uint32_t k = 0; k < K; k++)
			g[2 * ((size_t)(k / 2) * cfg.rows + r) + (k & 1)] = aimc_xbar_conductance(xb, 0, r, k);
	for (uint32_t k = 0; k < K; k++) {
		i_ideal[k] = 0.0;
		for (uint32_t r = 0; r < cfg.rows; r++)
			i_ideal[k] += g[2 * ((size_t)(k / 2) * cfg.rows + r) + (k & 1)] * v[r];
	}
	p.r_row = cfg.r_wire_row;
	p.r_col = cfg.r_wire_col;
	p.r_drv = cfg.r_drv;
	p.r_sense = cfg.r_sense;
	p.tol = 1e-10 * cfg.vread;
	p.max_iter = 20000;
	p.mode = AIMC_IR_FULL;
	t0 = cli_now();
	if (aimc_ir_solve(&p, cfg.rows, cfg.cols, g, v, i_full, ws, &st) != 0) {
		cli_errorf(CMD, "full IR-drop solve did not converge in %u sweeps", st.iters);
		goto out;
	}
	t_full = cli_now() - t0;
	p.mode = AIMC_IR_FIRST;
	t0 = cli_now();
	aimc_ir_solve(&p, cfg.rows, cfg.cols, g, v, i_first, ws, NULL);
	t_first = cli_now() - t0;
	printf("aimc spice: tile %ux%u (%u cells), full solve %u sweeps in %.3f ms, first-order %.3f ms\n",
	       cfg.rows, cfg.cols, cfg.rows * K, st.iters, 1e3 * t_full, 1e3 * t_first);
	for (uint32_t c = 0; c < cfg.cols; c++) {
		i_model[c] = aimc_xbar_current(xb, 0, c, 0);
		codes[c] = (double)aimc_xbar_convert(xb, 0, c, 0, adc_shift);
	}

	if (cli_out_open(CMD, "--netlist", netlist, &wo) != 0)
		goto out;
	snprintf(err, sizeof(err), "aimc spice --config %s --seed %llu: tile %ux%u", cfg.name,
		 (unsigned long long)seed, cfg.rows, cfg.cols);
	if (aimc_ir_write_spice(wo.f, &p, cfg.rows, cfg.cols, g, v, err) != 0 && !ferror(wo.f)) {
		cli_errorf(CMD, "write error on %s", netlist);
		cli_out_abort(&wo);
		goto out;
	}
	if (cli_out_commit(CMD, &wo) != 0)
		goto out;
	if (json != NULL) {
		static const char *const names[] = {"off", "first", "full"};

		if (cli_out_open(CMD, "--json", json, &wo) != 0)
			goto out;
		f = wo.f;
		fprintf(f, "{\n  \"config\": \"%s\",\n  \"seed\": %llu,\n  \"rows\": %u,\n  \"cols\": %u,\n",
			cfg.name, (unsigned long long)seed, cfg.rows, cfg.cols);
		fprintf(f, "  \"dac_bits\": %u,\n  \"adc_bits\": %u,\n  \"adc_shift\": %u,\n", cfg.dac_bits,
			cfg.adc_bits, adc_shift);
		fprintf(f, "  \"vread\": %.17g,\n  \"gmin\": %.17g,\n  \"gmax\": %.17g,\n", cfg.vread, cfg.gmin,
			cfg.gmax);
		fprintf(f, "  \"r_wire_row\": %.17g,\n  \"r_wire_col\": %.17g,\n  \"r_drv\": %.17g,\n"
			   "  \"r_sense\": %.17g,\n  \"ir_mode\": \"%s\",\n",
			cfg.r_wire_row, cfg.r_wire_col, cfg.r_drv, cfg.r_sense, names[mode]);
		fprintf(f, "  \"dac_codes\": [");
		for (uint32_t r = 0; r < cfg.rows; r++)
			fprintf(f, "%s%u", r ? ", " : "", d[r]);
		fprintf(f, "],\n");
		json_array(f, "v", v, cfg.rows, 0);
		fprintf(f, "  \"note\": \"g and level are row-major [r][k], k = 2c (positive) or 2c+1 "
			   "(negative cell of column c)\",\n");
		json_array(f, "level", lv, (size_t)cfg.rows * K, 0);
		for (uint32_t r = 0; r < cfg.rows; r++)
			for (uint32_t k = 0; k < K; k++)
				lv[(size_t)r * K + k] = g[2 * ((size_t)(k / 2) * cfg.rows + r) + (k & 1)];
		json_array(f, "g", lv, (size_t)cfg.rows * K, 0);
		fprintf(f, "  \"full_sweeps\": %u,\n  \"full_solve_s\": %.6g,\n  \"first_order_s\": %.6g,\n",
			st.iters, t_full, t_first);
		json_array(f, "i_ideal", i_ideal, K, 0);
		json_array(f, "i_first", i_first, K, 0);
		json_array(f, "i_full", i_full, K, 0);
		json_array(f, "i_model", i_model, cfg.cols, 0);
		json_array(f, "codes", codes, cfg.cols, 1);
		fprintf(f, "}\n");
		f = NULL;
		if (cli_out_commit(CMD, &wo) != 0)
			goto out;
	}
	rc = CLI_EXIT_PASS;
out:
	if (f != NULL)
		fclose(f);
	aimc_xbar_destroy(xb);
	aimc_ir_ws_destroy(ws);
	free(g);
	free(lv);
	free(v);
	free(i_full);
	free(i_first);
	free(i_ideal);
	free(i_model);
	free(codes);
	free(w);
	free(d);
	return rc;
}
