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

/* ---- cli_cmd_spice, in its steps ------------------------------------------------------------ */

typedef struct spice_opts {
	const char *config, *netlist, *json, *mode_s;
	uint64_t seed;
	uint32_t rows, cols, adc_shift;
} spice_opts;

/* One tile and what is computed on it: the model, the solver workspace, conductances (solver
 * layout) and levels, the row voltages and DAC codes, the column currents and codes. */
typedef struct spice_tile {
	aimc_cfg cfg;
	uint32_t mode, K, mask;
	aimc_xbar *xb;
	aimc_ir_ws *ws;
	aimc_ir_params p;
	aimc_ir_stats st;
	double *g, *lv, *v, *i_full, *i_first, *i_ideal, *i_model, *codes;
	double t_full, t_first;
	int8_t *w;
	uint8_t *d;
} spice_tile;

/* The options; -1 to go on, else the exit status (--help, a usage error). */
static int spice_parse_args(int argc, char **argv, spice_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
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
			o->config = val;
		else if (strcmp(a, "--netlist") == 0)
			o->netlist = val;
		else if (strcmp(a, "--json") == 0)
			o->json = val;
		else if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64(CMD, a, val, 0, UINT64_MAX, &o->seed) != 0)
				return CLI_EXIT_USAGE;
		} else if (strcmp(a, "--rows") == 0) {
			if (cli_parse_u32(CMD, a, val, 4, 1024, &o->rows) != 0)
				return CLI_EXIT_USAGE;
		} else if (strcmp(a, "--cols") == 0) {
			if (cli_parse_u32(CMD, a, val, 4, 1024, &o->cols) != 0)
				return CLI_EXIT_USAGE;
		} else if (strcmp(a, "--adc-shift") == 0) {
			if (cli_parse_u32(CMD, a, val, 0, 31, &o->adc_shift) != 0)
				return CLI_EXIT_USAGE;
		} else {
			o->mode_s = val;
		}
	}
	if (o->config == NULL)
		return cli_usage_error(CMD, "--config is required");
	if (o->netlist == NULL)
		return cli_usage_error(CMD, "--netlist is required");
	if ((o->rows != 0 && o->rows % 4 != 0) || (o->cols != 0 && o->cols % 4 != 0))
		return cli_usage_error(CMD, "--rows and --cols must be multiples of 4");
	return -1;
}

/* The config of the one tile: the file's, with the options' geometry and IR-drop mode, one tile,
 * no read noise. 0, or the exit status of a usage or input error. */
static int spice_tile_cfg(const spice_opts *o, spice_tile *t)
{
	aimc_cfg *cfg = &t->cfg;

	if (cli_load_config(CMD, o->config, cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cfg->xbar_kind != 0) /* charge-domain (issue 18): no resistive network to write */
		return cli_usage_error(CMD, "config '%s' is xbar_kind charge: the netlist is of a resistive "
				       "(flash) array", o->config);
	t->mode = cfg->ir_mode;
	if (o->mode_s != NULL) {
		if (strcmp(o->mode_s, "off") == 0)
			t->mode = AIMC_IR_OFF;
		else if (strcmp(o->mode_s, "first") == 0)
			t->mode = AIMC_IR_FIRST;
		else if (strcmp(o->mode_s, "full") == 0)
			t->mode = AIMC_IR_FULL;
		else
			return cli_usage_error(CMD, "--ir-mode: '%s' is not off, first or full", o->mode_s);
	}
	if (o->rows != 0)
		cfg->rows = o->rows;
	if (o->cols != 0)
		cfg->cols = o->cols;
	if (cfg->cols % cfg->cols_per_adc != 0)
		cfg->cols_per_adc = 4;
	cfg->num_tiles = 1;
	cfg->read_sigma = 0.0;
	cfg->ir_mode = t->mode;
	cfg->xbar_impl = 0;
	cfg->pv_enable = 0;
	t->K = 2 * cfg->cols;
	t->mask = (1u << cfg->dac_bits) - 1u;
	return 0;
}

static int spice_alloc(spice_tile *t, uint64_t seed)
{
	const aimc_cfg *cfg = &t->cfg;

	t->xb = aimc_xbar_create(cfg, seed);
	t->ws = aimc_ir_ws_create(cfg->rows, cfg->cols);
	t->g = malloc((size_t)cfg->rows * t->K * sizeof(double));
	t->lv = malloc((size_t)cfg->rows * t->K * sizeof(double));
	t->v = malloc(cfg->rows * sizeof(double));
	t->i_full = malloc(t->K * sizeof(double));
	t->i_first = malloc(t->K * sizeof(double));
	t->i_ideal = malloc(t->K * sizeof(double));
	t->i_model = malloc(cfg->cols * sizeof(double));
	t->codes = malloc(cfg->cols * sizeof(double));
	t->w = malloc(cfg->cols);
	t->d = malloc(cfg->rows);
	if (t->xb == NULL || t->ws == NULL || t->g == NULL || t->lv == NULL || t->v == NULL ||
	    t->i_full == NULL || t->i_first == NULL || t->i_ideal == NULL || t->i_model == NULL ||
	    t->codes == NULL || t->w == NULL || t->d == NULL) {
		cli_errorf(CMD, "out of memory or invalid geometry %ux%u", cfg->rows, cfg->cols);
		return -1;
	}
	return 0;
}

static void spice_free(spice_tile *t)
{
	aimc_xbar_destroy(t->xb);
	aimc_ir_ws_destroy(t->ws);
	free(t->g);
	free(t->lv);
	free(t->v);
	free(t->i_full);
	free(t->i_first);
	free(t->i_ideal);
	free(t->i_model);
	free(t->codes);
	free(t->w);
	free(t->d);
}

/* Random weights and DAC codes from the seed, programmed and applied; the conductances read back
 * in the solver's layout and the ideal (no IR drop) cell-column currents. */
static int spice_program(spice_tile *t, uint64_t seed)
{
	const aimc_cfg *cfg = &t->cfg;
	const uint32_t K = t->K;

	stim_state = seed;
	for (uint32_t r = 0; r < cfg->rows; r++) {
		for (uint32_t c = 0; c < cfg->cols; c++) {
			t->w[c] = (int8_t)((int)(stim_u64() % 255u) - 127);
			t->lv[(size_t)r * K + 2 * c] = t->w[c] > 0 ? t->w[c] : 0;
			t->lv[(size_t)r * K + 2 * c + 1] = t->w[c] < 0 ? -t->w[c] : 0;
		}
		aimc_xbar_program_row(t->xb, 0, r, t->w, 0);
		t->d[r] = (uint8_t)(stim_u64() % (t->mask + 1u));
		t->v[r] = cfg->vread * (double)t->d[r] / (double)t->mask;
	}
	if (aimc_xbar_apply(t->xb, 0, t->d) != 0) {
		cli_errorf(CMD, "apply failed");
		return -1;
	}
	for (uint32_t r = 0; r < cfg->rows; r++)
		for (uint32_t k = 0; k < K; k++)
			t->g[2 * ((size_t)(k / 2) * cfg->rows + r) + (k & 1)] = aimc_xbar_conductance(t->xb, 0, r, k);
	for (uint32_t k = 0; k < K; k++) {
		t->i_ideal[k] = 0.0;
		for (uint32_t r = 0; r < cfg->rows; r++)
			t->i_ideal[k] += t->g[2 * ((size_t)(k / 2) * cfg->rows + r) + (k & 1)] * t->v[r];
	}
	return 0;
}

/* The full IR-drop solve (tight tolerance) and the first-order estimate, timed; then the model's
 * own currents and codes in its configured mode. */
static int spice_solve(spice_tile *t, uint32_t adc_shift)
{
	const aimc_cfg *cfg = &t->cfg;
	double t0;

	t->p.r_row = cfg->r_wire_row;
	t->p.r_col = cfg->r_wire_col;
	t->p.r_drv = cfg->r_drv;
	t->p.r_sense = cfg->r_sense;
	t->p.tol = 1e-10 * cfg->vread;
	t->p.max_iter = 20000;
	t->p.mode = AIMC_IR_FULL;
	t0 = cli_now();
	if (aimc_ir_solve(&t->p, cfg->rows, cfg->cols, t->g, t->v, t->i_full, t->ws, &t->st) != 0) {
		cli_errorf(CMD, "full IR-drop solve did not converge in %u sweeps", t->st.iters);
		return -1;
	}
	t->t_full = cli_now() - t0;
	t->p.mode = AIMC_IR_FIRST;
	t0 = cli_now();
	aimc_ir_solve(&t->p, cfg->rows, cfg->cols, t->g, t->v, t->i_first, t->ws, NULL);
	t->t_first = cli_now() - t0;
	printf("aimc spice: tile %ux%u (%u cells), full solve %u sweeps in %.3f ms, first-order %.3f ms\n",
	       cfg->rows, cfg->cols, cfg->rows * t->K, t->st.iters, 1e3 * t->t_full, 1e3 * t->t_first);
	for (uint32_t c = 0; c < cfg->cols; c++) {
		t->i_model[c] = aimc_xbar_current(t->xb, 0, c, 0);
		t->codes[c] = (double)aimc_xbar_convert(t->xb, 0, c, 0, adc_shift);
	}
	return 0;
}

/* The ngspice netlist (aimc_ir_write_spice on the output file, renamed into place). */
static int spice_write_netlist(const spice_opts *o, const spice_tile *t)
{
	cli_out wo;
	char title[512];

	if (cli_out_open(CMD, "--netlist", o->netlist, &wo) != 0)
		return -1;
	snprintf(title, sizeof(title), "aimc spice --config %s --seed %llu: tile %ux%u", t->cfg.name,
		 (unsigned long long)o->seed, t->cfg.rows, t->cfg.cols);
	if (aimc_ir_write_spice(wo.f, &t->p, t->cfg.rows, t->cfg.cols, t->g, t->v, title) != 0 &&
	    !ferror(wo.f)) {
		cli_errorf(CMD, "write error on %s", o->netlist);
		cli_out_abort(&wo);
		return -1;
	}
	return cli_out_commit(CMD, &wo) != 0 ? -1 : 0;
}

/* The C model's view of the same tile as JSON (levels, conductances, currents, codes). Overwrites
 * t->lv with the conductances in row-major order. */
static int spice_write_json(const spice_opts *o, spice_tile *t)
{
	static const char *const names[] = {"off", "first", "full"};
	const aimc_cfg *cfg = &t->cfg;
	const uint32_t K = t->K;
	cli_out wo;
	FILE *f;

	if (cli_out_open(CMD, "--json", o->json, &wo) != 0)
		return -1;
	f = wo.f;
	fprintf(f, "{\n  \"config\": \"%s\",\n  \"seed\": %llu,\n  \"rows\": %u,\n  \"cols\": %u,\n",
		cfg->name, (unsigned long long)o->seed, cfg->rows, cfg->cols);
	fprintf(f, "  \"dac_bits\": %u,\n  \"adc_bits\": %u,\n  \"adc_shift\": %u,\n", cfg->dac_bits,
		cfg->adc_bits, o->adc_shift);
	fprintf(f, "  \"vread\": %.17g,\n  \"gmin\": %.17g,\n  \"gmax\": %.17g,\n", cfg->vread, cfg->gmin,
		cfg->gmax);
	fprintf(f, "  \"r_wire_row\": %.17g,\n  \"r_wire_col\": %.17g,\n  \"r_drv\": %.17g,\n"
		   "  \"r_sense\": %.17g,\n  \"ir_mode\": \"%s\",\n",
		cfg->r_wire_row, cfg->r_wire_col, cfg->r_drv, cfg->r_sense, names[t->mode]);
	fprintf(f, "  \"dac_codes\": [");
	for (uint32_t r = 0; r < cfg->rows; r++)
		fprintf(f, "%s%u", r ? ", " : "", t->d[r]);
	fprintf(f, "],\n");
	json_array(f, "v", t->v, cfg->rows, 0);
	fprintf(f, "  \"note\": \"g and level are row-major [r][k], k = 2c (positive) or 2c+1 "
		   "(negative cell of column c)\",\n");
	json_array(f, "level", t->lv, (size_t)cfg->rows * K, 0);
	for (uint32_t r = 0; r < cfg->rows; r++)
		for (uint32_t k = 0; k < K; k++)
			t->lv[(size_t)r * K + k] = t->g[2 * ((size_t)(k / 2) * cfg->rows + r) + (k & 1)];
	json_array(f, "g", t->lv, (size_t)cfg->rows * K, 0);
	fprintf(f, "  \"full_sweeps\": %u,\n  \"full_solve_s\": %.6g,\n  \"first_order_s\": %.6g,\n",
		t->st.iters, t->t_full, t->t_first);
	json_array(f, "i_ideal", t->i_ideal, K, 0);
	json_array(f, "i_first", t->i_first, K, 0);
	json_array(f, "i_full", t->i_full, K, 0);
	json_array(f, "i_model", t->i_model, cfg->cols, 0);
	json_array(f, "codes", t->codes, cfg->cols, 1);
	fprintf(f, "}\n");
	return cli_out_commit(CMD, &wo) != 0 ? -1 : 0;
}

int cli_cmd_spice(int argc, char **argv)
{
	spice_opts o;
	spice_tile t;
	int rc = spice_parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	memset(&t, 0, sizeof(t));
	rc = spice_tile_cfg(&o, &t);
	if (rc != 0)
		return rc;
	rc = CLI_EXIT_FAIL;
	if (spice_alloc(&t, o.seed) == 0 && spice_program(&t, o.seed) == 0 && spice_solve(&t, o.adc_shift) == 0 &&
	    spice_write_netlist(&o, &t) == 0 && (o.json == NULL || spice_write_json(&o, &t) == 0))
		rc = CLI_EXIT_PASS;
	spice_free(&t);
	return rc;
}
