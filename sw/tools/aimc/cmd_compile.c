/* SPDX-License-Identifier: Apache-2.0 */
/* aimc compile: map a network onto a chip config, print the placement summary, write the chip
 * images. aimc info: the chip on a back-end (identity, config readback, counters) and, with
 * --net, the placement of a network on it. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_regs.h"
#include "cli.h"

#define MAX_AUTO_BATCH 64u

typedef struct place_report {
	const char *net_path;
	const aimc_cfg *cfg;
	const aimc_net *net;
	const aimc_plan *plan;
	const char *out_dir;
} place_report;

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
	return (uint32_t)(((uint64_t)a + b - 1u) / b);
}

/* Largest batch (samples) that fits, or the asked one; the compiler's message on failure. */
static int plan_net(const char *cmd, const aimc_net *net, const aimc_cfg *cfg, uint32_t batch,
		    aimc_plan *plan)
{
	char err[512] = "";
	uint32_t b = batch;
	int rc = AIMC_EFIT;

	if (batch == 0)
		b = cfg->acc_slots < MAX_AUTO_BATCH ? cfg->acc_slots : MAX_AUTO_BATCH;
	for (; b >= 1; b--) {
		rc = aimc_plan_compile(net, cfg, b, 0, plan, err, sizeof(err));
		if (rc != AIMC_EFIT || batch != 0)
			break;
	}
	if (rc != AIMC_OK)
		cli_errorf(cmd, "config %s%s: %s (%s)", cfg->name, batch ? "" : " (every batch size)",
			   err, aimc_strerror(rc));
	return rc;
}

/* The summary: per layer its blocks on the tile array, per segment the chip image and how full
 * each buffer is. */
static void print_placement(const char *prefix, const place_report *r)
{
	const aimc_cfg *cfg = r->cfg;
	uint32_t s, li;

	printf("%s: %s on config %s (%u tile%s of %ux%u, %u-bit DAC, %u-bit ADC)\n", prefix,
	       r->net_path, cfg->name, cfg->num_tiles, cfg->num_tiles == 1 ? "" : "s", cfg->rows,
	       cfg->cols, cfg->dac_bits, cfg->adc_bits);
	for (s = 0; s < r->plan->n_segments; s++) {
		const aimc_segment *g = &r->plan->seg[s];
		const aimc_image *img = &g->img;

		uint32_t tile = 0;

		printf("%s: segment %u: layer%s %u..%u%s, %u chip vectors per run (%u per sample), "
		       "%s\n", prefix, s, g->n_layers == 1 ? "" : "s", g->first_layer,
		       g->first_layer + g->n_layers - 1,
		       g->conv ? ", convolution as im2col MVMs" : "", img->batch,
		       g->vectors_per_sample, img->resident ?
		       "weights resident, layers pipelined across tiles" :
		       "serial on tile 0, blocks reprogrammed every batch");
		for (li = g->first_layer; li < g->first_layer + g->n_layers; li++) {
			const aimc_layer *l = &r->net->layers[li];
			uint32_t rb = ceil_div(l->k, cfg->rows), cb = ceil_div(l->n, cfg->cols);
			char where[64];

			/* Resident placement: column block cb of a layer on its own tile, in layer
			 * order (sw/src/compiler.c). */
			if (img->resident && cb == 1)
				snprintf(where, sizeof(where), "tile %u", tile);
			else if (img->resident)
				snprintf(where, sizeof(where), "tiles %u..%u", tile, tile + cb - 1);
			else
				snprintf(where, sizeof(where), "tile 0");
			tile += cb;
			printf("%s:   layer %u: %s K=%u N=%u%s -> %u row x %u column blocks = %u "
			       "crossbar blocks (%.0f %% of their cells used) on %s, adc_shift %u\n",
			       prefix, li, aimc_layer_is_conv(l) ? "conv" : "fc", l->k, l->n,
			       l->relu ? " relu" : "", rb, cb, rb * cb,
			       100.0 * l->k * l->n / ((double)rb * cb * cfg->rows * cfg->cols), where,
			       l->adc_shift);
		}
		printf("%s:   image: %u of %u tiles, %zu instructions of %u, %zu weight words of "
		       "%u, %zu parameter words of %u, %u activation words of %u\n", prefix,
		       img->tiles_used, cfg->num_tiles, img->n_prog, cfg->instr_depth, img->n_wgt,
		       cfg->wgt_depth, img->n_par, cfg->par_depth, img->act_words, cfg->act_depth);
		if (img->stage_blocks > 0)
			printf("%s:   weights staged through the weight buffer at setup, %u "
			       "block%s at a time (each tile programmed once)\n", prefix,
			       img->stage_blocks, img->stage_blocks == 1 ? "" : "s");
	}
}

static void fill_placement(cli_json *j, void *arg)
{
	const place_report *r = arg;
	uint32_t s, li, tile;
	char key[32];

	cli_json_str(j, "test", "compile");
	cli_json_str(j, "network", r->net_path);
	cli_json_str(j, "config", r->cfg->name);
	cli_json_u64(j, "layers", r->net->n_layers);
	cli_json_u64(j, "batch", r->plan->batch);
	cli_json_u64(j, "segments", r->plan->n_segments);
	cli_json_obj(j, "segment");
	for (s = 0; s < r->plan->n_segments; s++) {
		const aimc_segment *g = &r->plan->seg[s];

		snprintf(key, sizeof(key), "%u", s);
		cli_json_obj(j, key);
		cli_json_u64(j, "first_layer", g->first_layer);
		cli_json_u64(j, "layers", g->n_layers);
		cli_json_bool(j, "conv", (int)g->conv);
		cli_json_u64(j, "vectors_per_sample", g->vectors_per_sample);
		cli_json_u64(j, "chip_batch", g->img.batch);
		cli_json_bool(j, "resident", (int)g->img.resident);
		cli_json_u64(j, "tiles_used", g->img.tiles_used);
		cli_json_u64(j, "instructions", g->img.n_prog);
		cli_json_u64(j, "weight_words", g->img.n_wgt);
		cli_json_u64(j, "stage_blocks", g->img.stage_blocks);
		cli_json_u64(j, "param_words", g->img.n_par);
		cli_json_u64(j, "act_words", g->img.act_words);
		cli_json_obj(j, "layer");
		tile = 0;
		for (li = g->first_layer; li < g->first_layer + g->n_layers; li++) {
			const aimc_layer *l = &r->net->layers[li];
			uint32_t cb = ceil_div(l->n, r->cfg->cols);

			snprintf(key, sizeof(key), "%u", li);
			cli_json_obj(j, key);
			cli_json_str(j, "kind", aimc_layer_is_conv(l) ? "conv" : "fc");
			cli_json_u64(j, "k", l->k);
			cli_json_u64(j, "n", l->n);
			cli_json_u64(j, "row_blocks", ceil_div(l->k, r->cfg->rows));
			cli_json_u64(j, "col_blocks", ceil_div(l->n, r->cfg->cols));
			cli_json_u64(j, "adc_shift", l->adc_shift);
			cli_json_u64(j, "first_tile", g->img.resident ? tile : 0u);
			cli_json_u64(j, "tiles", g->img.resident ? cb : 1u);
			tile += cb;
			cli_json_obj_end(j);
		}
		cli_json_obj_end(j);
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
	cli_json_obj(j, "capacity");
	cli_json_u64(j, "num_tiles", r->cfg->num_tiles);
	cli_json_u64(j, "instr_depth", r->cfg->instr_depth);
	cli_json_u64(j, "wgt_depth", r->cfg->wgt_depth);
	cli_json_u64(j, "par_depth", r->cfg->par_depth);
	cli_json_u64(j, "act_depth", r->cfg->act_depth);
	cli_json_u64(j, "acc_slots", r->cfg->acc_slots);
	cli_json_obj_end(j);
	if (r->out_dir != NULL)
		cli_json_str(j, "out_dir", r->out_dir);
	cli_json_bool(j, "pass", 1);
}

/* DIR/seg<i>.{prog,wgt,par}.hex: one word per line, hexadecimal (instructions 16 digits). */
static int write_images(const char *cmd, const char *dir, const aimc_plan *plan)
{
	uint32_t s;
	size_t i;
	char path[1024];

	for (s = 0; s < plan->n_segments; s++) {
		const aimc_image *img = &plan->seg[s].img;
		const char *kinds[3] = { "prog", "wgt", "par" };
		int kd;

		for (kd = 0; kd < 3; kd++) {
			cli_out w;
			FILE *f;
			int ok;

			snprintf(path, sizeof(path), "%s/seg%u.%s.hex", dir, s, kinds[kd]);
			if (cli_out_open(cmd, "--out-dir", path, &w) != 0)
				return -1;
			f = w.f;
			ok = 1;
			if (kd == 0)
				for (i = 0; i < img->n_prog && ok; i++)
					ok = fprintf(f, "%016llx\n", (unsigned long long)img->prog[i]) > 0;
			else
				for (i = 0; i < (kd == 1 ? img->n_wgt : img->n_par) && ok; i++)
					ok = fprintf(f, "%08x\n", kd == 1 ? img->wgt[i] : img->par[i]) > 0;
			if (!ok && !ferror(f)) {
				cli_errorf(cmd, "--out-dir: error writing '%s'", path);
				cli_out_abort(&w);
				return -1;
			}
			if (cli_out_commit(cmd, &w) != 0)
				return -1;
		}
	}
	return 0;
}

typedef struct graph_report {
	const char *net_path;
	const aimc_cfg *cfg;
	const aimc_graph *g;
	const aimc_gplan *p;
	const char *error; /* "does not fit" message, or NULL */
} graph_report;

static void fill_graph(cli_json *j, void *arg)
{
	const graph_report *r = arg;

	cli_json_str(j, "test", "compile");
	cli_json_str(j, "network", r->net_path);
	cli_json_str(j, "config", r->cfg->name);
	if (r->error != NULL) {
		cli_json_bool(j, "fits", 0);
		cli_json_str(j, "error", r->error);
	} else {
		cli_json_bool(j, "fits", 1);
		cli_graph_json(j, r->g, r->cfg, r->p, NULL);
	}
	cli_json_bool(j, "pass", r->error == NULL);
}

/* A version-3 graph: the column-packed resident placement (aimc_graph_compile). */
static int compile_graph(const char *cmd, const char *netp, const aimc_cfg *cfg,
			 const char *report)
{
	aimc_graph g;
	aimc_gplan p;
	graph_report gr;
	char err[512];
	int rc, exit_code;

	memset(&g, 0, sizeof(g));
	if (cli_graph_load(cmd, netp, &g) != 0)
		return CLI_EXIT_USAGE;
	rc = aimc_graph_compile(&g, cfg, &p, err, sizeof(err));
	memset(&gr, 0, sizeof(gr));
	gr.net_path = netp;
	gr.cfg = cfg;
	gr.g = &g;
	gr.p = &p;
	printf("compile: %s on config %s (%u tile%s of %ux%u, %u-bit DAC, %u-bit ADC)\n", netp,
	       cfg->name, cfg->num_tiles, cfg->num_tiles == 1 ? "" : "s", cfg->rows, cfg->cols,
	       cfg->dac_bits, cfg->adc_bits);
	if (rc == AIMC_OK) {
		cli_graph_print("compile", &g, cfg, &p, NULL);
		exit_code = CLI_EXIT_PASS;
	} else {
		/* isa_tfl = 0 and a node needs the tfl POST or ACCADD: refused like a misfit */
		printf("compile: %s config %s: %s (%s)\n",
		       rc == AIMC_EUNSUPPORTED ? "NOT SUPPORTED BY" : "DOES NOT FIT", cfg->name, err,
		       aimc_strerror(rc));
		gr.error = err;
		exit_code = rc == AIMC_EFIT || rc == AIMC_EUNSUPPORTED ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
	}
	if (report != NULL && cli_json_write_file(cmd, report, fill_graph, &gr) != 0)
		exit_code = CLI_EXIT_FAIL;
	aimc_gplan_free(&p);
	aimc_graph_free(&g);
	return exit_code;
}

int cli_cmd_compile(int argc, char **argv)
{
	const char *cmd = "compile", *cfgp = NULL, *netp = NULL, *report = NULL, *out_dir = NULL;
	uint32_t batch = 0, version = 0;
	aimc_cfg cfg;
	aimc_net net;
	aimc_plan plan;
	place_report pr;
	char err[512];
	int i, rc, exit_code = CLI_EXIT_USAGE;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("usage: aimc compile --config CFG --net F.khnf [--batch B] [--report R.json]"
			       " [--out-dir DIR]\n\n"
			       "Maps the network onto the chip of CFG and prints the placement: per\n"
			       "layer its crossbar blocks, per segment the chip image against each\n"
			       "buffer's depth. A network that does not fit is an error naming the layer\n"
			       "and the shortfall. --out-dir writes DIR/seg<i>.{prog,wgt,par}.hex.\n"
			       "A version-3 graph (TFLite int8, docs/models.md) is placed with every\n"
			       "weight resident: per node op, shape, tiles used and array utilization,\n"
			       "then the totals (--batch and --out-dir do not apply).\n\n"
			       "  --batch B   samples per batch (default: the largest that fits, <= %u)\n"
			       "\nExit: 0 fits, 1 does not fit, 2 usage or input error.\n",
			       MAX_AUTO_BATCH);
			return CLI_EXIT_PASS;
		}
		if (strcmp(a, "--config") != 0 && strcmp(a, "--net") != 0 && strcmp(a, "--batch") != 0 &&
		    strcmp(a, "--report") != 0 && strcmp(a, "--out-dir") != 0)
			return cli_usage_error(cmd, "unknown option '%s'", a);
		v = cli_value(cmd, argc, argv, &i);
		if (v == NULL)
			return CLI_EXIT_USAGE;
		if (strcmp(a, "--config") == 0)
			cfgp = v;
		else if (strcmp(a, "--net") == 0)
			netp = v;
		else if (strcmp(a, "--report") == 0)
			report = v;
		else if (strcmp(a, "--out-dir") == 0)
			out_dir = v;
		else if (cli_parse_u32(cmd, a, v, 1, 65535, &batch) != 0)
			return CLI_EXIT_USAGE;
	}
	if (cfgp == NULL || netp == NULL)
		return cli_usage_error(cmd, "--config and --net are required");
	if (cli_load_config(cmd, cfgp, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cli_net_version(cmd, netp, &version) != 0)
		return CLI_EXIT_USAGE;
	if (version == 3) {
		if (batch != 0 || out_dir != NULL)
			return cli_usage_error(cmd, "--batch and --out-dir apply to version 1/2 "
					       "networks; a version-3 graph is batched per node");
		return compile_graph(cmd, netp, &cfg, report);
	}
	rc = aimc_net_load(&net, netp, err, sizeof(err));
	if (rc != AIMC_OK) {
		cli_errorf(cmd, "--net: %s (%s)", err, aimc_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	memset(&plan, 0, sizeof(plan));
	rc = plan_net(cmd, &net, &cfg, batch, &plan);
	if (rc != AIMC_OK) {
		exit_code = rc == AIMC_EFIT ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
		goto out;
	}
	pr.net_path = netp;
	pr.cfg = &cfg;
	pr.net = &net;
	pr.plan = &plan;
	pr.out_dir = out_dir;
	print_placement("compile", &pr);
	if (out_dir != NULL && write_images(cmd, out_dir, &plan) != 0)
		goto out;
	if (report != NULL && cli_json_write_file(cmd, report, fill_placement, &pr) != 0)
		goto out;
	exit_code = CLI_EXIT_PASS;
out:
	aimc_plan_free(&plan);
	aimc_net_free(&net);
	return exit_code;
}

typedef struct info_report {
	const cli_backend_opts *be;
	const aimc_cfg *cfg;
	aimc_counters c;
	aimc_bus_err be_rec;
	int isa_tfl;                    /* the chip has the tfl POST and ACCADD (cfg5.no_tfl clear) */
} info_report;

static void fill_info(cli_json *j, void *arg)
{
	const info_report *r = arg;

	cli_json_str(j, "test", "info");
	cli_json_str(j, "config", r->cfg->name);
	cli_json_str(j, "backend", r->be->backend);
	cli_json_u64(j, "seed", r->be->seed);
	cli_json_u64(j, "num_tiles", r->cfg->num_tiles);
	cli_json_u64(j, "rows", r->cfg->rows);
	cli_json_u64(j, "cols", r->cfg->cols);
	cli_json_bool(j, "isa_tfl", r->isa_tfl);
	cli_json_counters(j, "counters", &r->c);
	cli_json_obj(j, "bus_err");
	cli_json_bool(j, "valid", (int)r->be_rec.valid);
	cli_json_u64(j, "count", r->be_rec.count);
	cli_json_u64(j, "addr", r->be_rec.addr);
	cli_json_obj_end(j);
	cli_json_bool(j, "pass", 1);
}

int cli_cmd_info(int argc, char **argv)
{
	const char *cmd = "info", *netp = NULL, *report = NULL;
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL };
	info_report ir;
	int i, r, rc, exit_code = CLI_EXIT_USAGE;

	cli_backend_defaults(&be);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		r = cli_backend_flag(cmd, &be, argc, argv, &i);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("usage: aimc info --config CFG [--backend B] [--net F.khnf] "
			       "[--report R.json]\n\n"
			       "Opens the chip, checks its identity and configuration readback against\n"
			       "CFG, prints the per-tile counters and the bus-error record; with --net\n"
			       "also the placement of that network (as aimc compile).\n\n"
			       CLI_BACKEND_HELP
			       "\nExit: 0 ok, 1 the chip does not answer as CFG says, 2 usage error.\n");
			return CLI_EXIT_PASS;
		}
		if (strcmp(a, "--net") != 0 && strcmp(a, "--report") != 0)
			return cli_usage_error(cmd, "unknown option '%s'", a);
		v = cli_value(cmd, argc, argv, &i);
		if (v == NULL)
			return CLI_EXIT_USAGE;
		if (strcmp(a, "--net") == 0)
			netp = v;
		else
			report = v;
	}
	if (cli_backend_check(cmd, &be) != 0)
		return CLI_EXIT_USAGE;
	if (cli_load_config(cmd, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	memset(&ir, 0, sizeof(ir));
	ir.be = &be;
	ir.cfg = &cfg;
	if (netp != NULL) {
		aimc_net net;
		aimc_plan plan;
		place_report pr;
		char err[512];
		uint32_t version = 0;

		if (cli_net_version(cmd, netp, &version) != 0)
			return CLI_EXIT_USAGE;
		if (version == 3) {
			aimc_graph g;
			aimc_gplan gp;

			memset(&g, 0, sizeof(g));
			if (cli_graph_load(cmd, netp, &g) != 0)
				return CLI_EXIT_USAGE;
			rc = aimc_graph_compile(&g, &cfg, &gp, err, sizeof(err));
			if (rc == AIMC_OK) {
				cli_graph_print("info", &g, &cfg, &gp, NULL);
				aimc_gplan_free(&gp);
			} else {
				cli_errorf(cmd, "config %s: %s: %s (%s)", cfg.name,
					   rc == AIMC_EUNSUPPORTED ? "not supported" : "does not fit",
					   err, aimc_strerror(rc));
			}
			aimc_graph_free(&g);
			if (rc != AIMC_OK)
				return rc == AIMC_EFIT || rc == AIMC_EUNSUPPORTED ? CLI_EXIT_FAIL
										  : CLI_EXIT_USAGE;
			goto chip;
		}
		rc = aimc_net_load(&net, netp, err, sizeof(err));
		if (rc != AIMC_OK) {
			cli_errorf(cmd, "--net: %s (%s)", err, aimc_strerror(rc));
			return CLI_EXIT_USAGE;
		}
		memset(&plan, 0, sizeof(plan));
		rc = plan_net(cmd, &net, &cfg, 0, &plan);
		if (rc == AIMC_OK) {
			pr.net_path = netp;
			pr.cfg = &cfg;
			pr.net = &net;
			pr.plan = &plan;
			pr.out_dir = NULL;
			print_placement("info", &pr);
		}
		aimc_plan_free(&plan);
		aimc_net_free(&net);
		if (rc != AIMC_OK)
			return rc == AIMC_EFIT ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
	}
chip:
	exit_code = CLI_EXIT_FAIL;
	if (cli_backend_open(cmd, &be, &cfg, &m) != AIMC_OK)
		return exit_code;
	rc = aimc_chip_init(&m, &cfg);
	if (rc != AIMC_OK) {
		cli_report_rc(cmd, &m, "checking the chip's identity and config readback", rc);
		goto out;
	}
	rc = aimc_counters_read(&m, &ir.c);
	if (rc == AIMC_OK)
		rc = aimc_bus_err_read(&m, &ir.be_rec, 0);
	if (rc == AIMC_OK) {
		uint32_t cfg5 = 0;

		rc = aimc_mmio_read32(&m, (uint32_t)offsetof(aimc_map_t, csr.cfg5), &cfg5);
		ir.isa_tfl = (cfg5 & AIMC_CSR__CFG5__NO_TFL_bm) == 0;
	}
	if (rc != AIMC_OK) {
		cli_report_rc(cmd, &m, "reading the counters", rc);
		goto out;
	}
	printf("info: chip on %s answers as config %s: %u tile%s of %ux%u, instr %u, act %u, "
	       "param %u, weight %u words, %u accumulator slots\n", be.backend, cfg.name,
	       cfg.num_tiles, cfg.num_tiles == 1 ? "" : "s", cfg.rows, cfg.cols, cfg.instr_depth,
	       cfg.act_depth, cfg.par_depth, cfg.wgt_depth, cfg.acc_slots);
	printf("info: ISA %u, %s\n", (unsigned)AIMC_ISA_VERSION,
	       ir.isa_tfl ? "with the tfl POST and ACCADD (TFLite graphs run)"
			  : "without the tfl POST and ACCADD (cfg5.no_tfl, isa_tfl = 0: version 1/2 "
			    "networks only, a TFLite graph is refused)");
	printf("info: counters since reset: cycles %llu, instrs %u, mvms %u, adc conversions %u, "
	       "saturations %u, programmed rows %u\n", (unsigned long long)ir.c.cycles,
	       ir.c.instrs, ir.c.mvms, ir.c.adc_convs, ir.c.sats, ir.c.prog_rows);
	cli_print_tile_counters("info", &ir.c);
	printf("info: bus-error record: %s (count %u)\n", ir.be_rec.valid ? "set" : "clear",
	       ir.be_rec.count);
	if (report != NULL && cli_json_write_file(cmd, report, fill_info, &ir) != 0)
		goto out;
	exit_code = CLI_EXIT_PASS;
out:
	aimc_mmio_close(&m);
	return exit_code;
}
