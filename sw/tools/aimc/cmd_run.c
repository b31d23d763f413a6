/* SPDX-License-Identifier: Apache-2.0 */
/* aimc run: a network file over a raw int8 input file, batch by batch, on a back-end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CMD "run"
#define DEFAULT_MAX_BATCH 64u

typedef struct run_opts {
	cli_backend_opts be;
	const char *net, *inputs, *out, *report;
	uint32_t batch; /* 0: the largest that fits, up to DEFAULT_MAX_BATCH */
} run_opts;

typedef struct run_result {
	const run_opts *o;
	const aimc_cfg *cfg;
	const aimc_net *net;
	uint64_t samples;
	uint32_t batch, batches;
	aimc_counters counters;
	const aimc_plan *plan;
	cli_plan_stats stats;
	uint64_t sim_cycles;
	double wall_s;
	int pass;
} run_result;

static void help(void)
{
	printf("usage: aimc run --config CFG --net F.khnf --inputs X.i8 --out Y.i8 [options]\n\n"
	       "Runs every input vector of X.i8 (raw int8, n x n_inputs, row-major) through the\n"
	       "network in batches (the last one zero-padded) and writes Y.i8 (raw int8, n x n_classes).\n"
	       "A version-3 graph (TFLite int8) runs with every weight resident: tiles programmed\n"
	       "once at setup, driver nodes on the host, chip nodes batched per node; the report\n"
	       "has per-node counters and cycles per inference.\n\n"
	       "  --net FILE            network file (docs/network-format.md)\n"
	       "  --inputs FILE         raw int8 inputs; the size must be a multiple of n_inputs\n"
	       "  --out FILE            raw int8 outputs\n"
	       "  --report FILE         write the JSON report (docs/reports.md)\n"
	       "  --batch B             vectors per batch (default: the largest that fits, up to %u)\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 done, 1 the run failed, 2 usage or input error.\n",
	       DEFAULT_MAX_BATCH);
}

static int parse_args(int argc, char **argv, run_opts *o)
{
	static const char *const valued[] = {"--net", "--inputs", "--out", "--report", "--batch", NULL};
	int i, r;

	memset(o, 0, sizeof(*o));
	cli_backend_defaults(&o->be);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		r = cli_option(CMD, &o->be, argc, argv, &i, valued, help, &v);
		if (r < 0)
			return -1;
		if (r == CLI_OPT_HELP)
			return 1;
		if (r == CLI_OPT_NEXT)
			continue;
		if (strcmp(a, "--net") == 0)
			o->net = v;
		else if (strcmp(a, "--inputs") == 0)
			o->inputs = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--report") == 0)
			o->report = v;
		else if (cli_parse_u32(CMD, a, v, 1, 65535, &o->batch) != 0)
			return -1;
	}
	if (o->net == NULL || o->inputs == NULL || o->out == NULL) {
		cli_usage_error(CMD, "--net, --inputs and --out are required");
		return -1;
	}
	return cli_backend_check(CMD, &o->be) != 0 ? -1 : 0;
}

static void fill_report(cli_json *j, void *arg)
{
	const run_result *r = arg;

	cli_json_str(j, "test", "run");
	cli_json_str(j, "network", r->o->net);
	cli_json_str(j, "config", r->cfg->name);
	cli_json_str(j, "config_path", r->o->be.config);
	cli_json_str(j, "backend", r->o->be.backend);
	cli_json_u64(j, "seed", r->o->be.seed);
	cli_json_u64(j, "samples", r->samples);
	cli_json_u64(j, "n_inputs", aimc_layer_in_len(&r->net->layers[0]));
	cli_json_u64(j, "n_classes", r->net->n_classes);
	cli_json_u64(j, "batch", r->batch);
	cli_json_u64(j, "batches", r->batches);
	cli_json_u64(j, "segments", r->plan->n_segments);
	{
		uint32_t s;
		char key[32];

		cli_json_obj(j, "segment");
		for (s = 0; s < r->plan->n_segments && s < CLI_PLAN_MAX_SEG; s++) {
			const aimc_segment *g = &r->plan->seg[s];

			snprintf(key, sizeof(key), "%u", s);
			cli_json_obj(j, key);
			cli_json_u64(j, "first_layer", g->first_layer);
			cli_json_u64(j, "layers", g->n_layers);
			cli_json_bool(j, "conv", (int)g->conv);
			cli_json_u64(j, "vectors_per_sample", g->vectors_per_sample);
			cli_json_u64(j, "batch", g->img.batch);
			cli_json_u64(j, "runs", r->stats.runs[s]);
			cli_json_u64(j, "vectors_run", r->stats.vectors_run[s]);
			cli_json_obj_end(j);
		}
		cli_json_obj_end(j);
	}
	cli_json_u64(j, "cycles", r->counters.cycles);
	if (r->sim_cycles > 0)
		cli_json_u64(j, "sim_cycles", r->sim_cycles);
	cli_json_counters(j, "counters", &r->counters);
	cli_json_f64(j, "wall_s", r->wall_s);
	cli_json_f64(j, "sim_cycles_per_s",
		     r->wall_s > 0.0 ? (double)r->counters.cycles / r->wall_s : 0.0);
	cli_json_bool(j, "pass", r->pass);
}

/* Compile at o->batch, or find the largest batch that fits. */
static int compile_net(const run_opts *o, const aimc_net *net, const aimc_cfg *cfg,
		       uint64_t samples, aimc_plan *img)
{
	char err[512] = "";
	uint32_t b;
	int rc = AIMC_EFIT;

	if (o->batch != 0) {
		rc = aimc_plan_compile(net, cfg, o->batch, 0, img, err, sizeof(err));
		if (rc != AIMC_OK)
			cli_errorf(CMD, "config %s, batch %u: %s (%s)", cfg->name, o->batch, err,
				   aimc_strerror(rc));
		return rc;
	}
	b = cfg->acc_slots < DEFAULT_MAX_BATCH ? cfg->acc_slots : DEFAULT_MAX_BATCH;
	if (samples < b)
		b = (uint32_t)samples;
	for (; b >= 1; b--) {
		rc = aimc_plan_compile(net, cfg, b, 0, img, err, sizeof(err));
		if (rc != AIMC_EFIT)
			break;
	}
	if (rc != AIMC_OK)
		cli_errorf(CMD, "config %s: %s (%s)", cfg->name, err, aimc_strerror(rc));
	return rc;
}

/* ---- version-3 graphs ---------------------------------------------------------------------- */
typedef struct grun_result {
	const run_opts *o;
	const aimc_cfg *cfg;
	const aimc_graph *g;
	const aimc_gplan *p;
	const aimc_grun_stats *st;
	uint64_t samples;
	aimc_counters counters;
	uint64_t sim_cycles;
	double wall_s, run_wall_s;
	int pass;
} grun_result;

static void fill_graph_report(cli_json *j, void *arg)
{
	const grun_result *r = arg;
	uint64_t n = r->samples ? r->samples : 1;

	cli_json_str(j, "test", "run");
	cli_json_str(j, "network", r->o->net);
	cli_json_str(j, "config", r->cfg->name);
	cli_json_str(j, "config_path", r->o->be.config);
	cli_json_str(j, "backend", r->o->be.backend);
	cli_json_u64(j, "seed", r->o->be.seed);
	cli_json_u64(j, "samples", r->samples);
	cli_json_u64(j, "n_inputs", aimc_tensor_len(&r->g->tensors[0]));
	cli_json_u64(j, "n_classes",
		     aimc_tensor_len(&r->g->tensors[r->g->nodes[r->g->n_nodes - 1].out]));
	cli_graph_json(j, r->g, r->cfg, r->p, r->st);
	cli_json_u64(j, "setup_cycles", r->st->setup_cycles);
	cli_json_u64(j, "setup_prog_rows", r->st->setup_prog_rows);
	cli_json_u64(j, "prog_loads", r->st->prog_loads);
	cli_json_u64(j, "chip_runs", r->st->total.runs);
	cli_json_u64(j, "cycles", r->st->total.cycles);
	cli_json_u64(j, "cycles_per_inference", r->st->total.cycles / n);
	cli_json_u64(j, "mvms_per_inference", r->st->total.mvms / n);
	cli_json_u64(j, "adc_convs_per_inference", r->st->total.adc_convs / n);
	/* driver-side counts (docs/reports.md): the same on every back-end */
	cli_json_u64(j, "issued_instrs", r->st->total.issued);
	cli_json_u64(j, "posts", r->st->total.posts);
	cli_json_u64(j, "accadds", r->st->total.accadds);
	cli_json_u64(j, "host_bytes", r->st->total.host_bytes_in + r->st->total.host_bytes_out);
	cli_json_u64(j, "host_bytes_in", r->st->total.host_bytes_in);
	cli_json_u64(j, "host_bytes_out", r->st->total.host_bytes_out);
	cli_json_u64(j, "host_ops", r->st->total.host_ops);
	cli_json_u64(j, "setup_host_bytes", r->st->setup_host_bytes);
	if (r->sim_cycles > 0)
		cli_json_u64(j, "sim_cycles", r->sim_cycles);
	cli_json_counters(j, "counters", &r->counters);
	cli_json_f64(j, "wall_s", r->wall_s);
	cli_json_f64(j, "wall_s_per_inference", r->run_wall_s / (double)n);
	cli_json_f64(j, "sim_cycles_per_s",
		     r->run_wall_s > 0.0 ? (double)r->st->total.cycles / r->run_wall_s : 0.0);
	cli_json_bool(j, "pass", r->pass);
}

/* The counters since *last added to sum (the v1/v2 path's count_step in cli_plan.c, for the
 * graph runner): read after the setup and after every sample, so that cut counters (counter_bits
 * < 32) are summed run by run and never wrap; a delta with fewer busy cycles than instructions
 * can only come from a wrap within one chip run and is refused, never turned into a figure. */
static int graph_count(aimc_mmio *m, const aimc_cfg *cfg, aimc_counters *last, aimc_counters *sum)
{
	aimc_counters now, d;
	int rc = aimc_counters_read(m, &now);

	if (rc != AIMC_OK) {
		cli_report_rc(CMD, m, "reading the counters", rc);
		return rc;
	}
	now.bits = cfg->counter_bits;
	aimc_counters_delta(last, &now, &d);
	if (d.cycles != 0 && d.cycles < d.instrs) {
		cli_errorf(CMD, "the %u-bit counters of config %s wrapped within one sample (%llu cycles "
			   "for %u instructions): no counts reported", cfg->counter_bits, cfg->name,
			   (unsigned long long)d.cycles, d.instrs);
		return AIMC_ERANGE;
	}
	aimc_counters_add(sum, &d);
	*last = now;
	return AIMC_OK;
}

static int run_graph(run_opts *o, const aimc_cfg *cfg, double t0)
{
	aimc_graph g;
	aimc_gplan p;
	aimc_grun gr;
	grun_result res;
	aimc_mmio m = { NULL, NULL };
	aimc_counters last;
	int8_t *x = NULL, *y = NULL;
	char err[512];
	uint64_t samples = 0, si;
	uint32_t k, n;
	double t1;
	int rc, exit_code = CLI_EXIT_USAGE, opened = 0, ran = 0;

	memset(&g, 0, sizeof(g));
	memset(&p, 0, sizeof(p));
	memset(&gr, 0, sizeof(gr));
	memset(&res, 0, sizeof(res));
	if (o->batch != 0)
		return cli_usage_error(CMD, "--batch applies to version 1/2 networks; a version-3 "
				       "graph is batched per node by the compiler");
	if (cli_graph_load(CMD, o->net, &g) != 0)
		return CLI_EXIT_USAGE;
	k = aimc_tensor_len(&g.tensors[0]);
	n = aimc_tensor_len(&g.tensors[g.nodes[g.n_nodes - 1].out]);
	if (cli_read_inputs(CMD, o->inputs, k, &x, &samples) != 0)
		goto out;
	exit_code = CLI_EXIT_FAIL;
	rc = aimc_graph_compile(&g, cfg, &p, err, sizeof(err));
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "config %s: %s: %s (%s)", cfg->name,
			   rc == AIMC_EUNSUPPORTED ? "not supported" : "does not fit", err,
			   aimc_strerror(rc));
		goto out;
	}
	y = malloc((size_t)samples * n);
	if (y == NULL) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}
	rc = cli_backend_open(CMD, &o->be, cfg, &m);
	if (rc != AIMC_OK)
		goto out;
	opened = 1;
	rc = aimc_counters_read(&m, &last);
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "reading the counters", rc);
		goto out;
	}
	last.bits = cfg->counter_bits;
	rc = aimc_graph_run_open(&gr, &m, cfg, &g, &p, o->be.max_polls, 1);
	ran = 1;
	if (rc != AIMC_OK) {
		if (rc == AIMC_ECHIP)
			cli_errorf(CMD, "setup: the chip stopped with error code %u at instruction %u",
				   gr.chip_err, gr.chip_pc);
		else if (rc == AIMC_EUNSUPPORTED)
			cli_errorf(CMD, "the chip on %s reports cfg5.no_tfl = 1 (built with isa_tfl = "
				   "0: no tfl POST stage, no ACCADD), node %u of this TFLite graph "
				   "needs them; nothing was run (use a chip and config with isa_tfl = 1)",
				   o->be.backend, gr.err_node);
		else
			cli_report_rc(CMD, &m, "setting up the chip (programming the tiles)", rc);
		goto out;
	}
	if (graph_count(&m, cfg, &last, &res.counters) != AIMC_OK)
		goto out;
	/* sample by sample (aimc_graph_run runs one sample at a time anyway): the counters are
	 * summed after each */
	t1 = cli_now();
	rc = AIMC_OK;
	for (si = 0; si < samples && rc == AIMC_OK; si++) {
		rc = aimc_graph_run(&gr, x + si * k, 1, y + si * n);
		if (rc == AIMC_OK && graph_count(&m, cfg, &last, &res.counters) != AIMC_OK) {
			res.run_wall_s = cli_now() - t1;
			goto out;
		}
	}
	res.run_wall_s = cli_now() - t1;
	if (rc == AIMC_ECHIP) {
		cli_errorf(CMD, "node %u: the chip stopped with error code %u at instruction %u",
			   gr.err_node, gr.chip_err, gr.chip_pc);
		goto out;
	}
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "running the graph", rc);
		goto out;
	}
	opened = 0;
	if (cli_backend_close(CMD, &o->be, &m, &res.sim_cycles) != AIMC_OK)
		goto out;
	if (cli_write_file(CMD, "--out", o->out, y, (size_t)samples * n) != 0)
		goto out;
	res.o = o;
	res.cfg = cfg;
	res.g = &g;
	res.p = &p;
	res.st = &gr.st;
	res.samples = samples;
	res.wall_s = cli_now() - t0;
	res.pass = 1;
	cli_graph_print("run", &g, cfg, &p, &gr.st);
	printf("run: %llu samples of %s on %s (config %s), graph of %u nodes, %llu chip runs, "
	       "%llu cycles per inference, setup %llu cycles, %.3f s (%.4f s per inference)\n",
	       (unsigned long long)samples, o->net, o->be.backend, cfg->name, g.n_nodes,
	       (unsigned long long)gr.st.total.runs,
	       (unsigned long long)(gr.st.total.cycles / samples),
	       (unsigned long long)gr.st.setup_cycles, res.wall_s, res.run_wall_s / (double)samples);
	cli_print_tile_counters("run", &res.counters);
	if (o->report != NULL && cli_json_write_file(CMD, o->report, fill_graph_report, &res) != 0)
		goto out;
	exit_code = CLI_EXIT_PASS;
out:
	if (opened)
		aimc_mmio_close(&m);
	if (ran)
		aimc_graph_run_close(&gr);
	free(x);
	free(y);
	aimc_gplan_free(&p);
	aimc_graph_free(&g);
	return exit_code;
}

int cli_cmd_run(int argc, char **argv)
{
	run_opts o;
	run_result res;
	aimc_cfg cfg;
	aimc_net net;
	aimc_plan plan;
	aimc_mmio m = { NULL, NULL };
	aimc_counters c0, c1;
	int8_t *x = NULL, *y = NULL;
	char err[512];
	uint64_t samples = 0;
	uint32_t k, n, chip_err = 0, chip_pc = 0, version = 0;
	FILE *f = NULL;
	double t0 = cli_now();
	int rc, exit_code = CLI_EXIT_USAGE, opened = 0;

	memset(&net, 0, sizeof(net));
	memset(&plan, 0, sizeof(plan));
	memset(&res, 0, sizeof(res));
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, o.be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cli_net_version(CMD, o.net, &version) != 0)
		return CLI_EXIT_USAGE;
	if (version == 3)
		return run_graph(&o, &cfg, t0);
	rc = aimc_net_load(&net, o.net, err, sizeof(err));
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "--net: %s (%s)", err, aimc_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	k = aimc_layer_in_len(&net.layers[0]);
	n = net.n_classes;
	if (cli_read_inputs(CMD, o.inputs, k, &x, &samples) != 0)
		goto out;
	exit_code = CLI_EXIT_FAIL;
	if (compile_net(&o, &net, &cfg, samples, &plan) != AIMC_OK)
		goto out;
	y = malloc((size_t)samples * n);
	if (y == NULL) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}

	rc = cli_backend_open(CMD, &o.be, &cfg, &m);
	if (rc != AIMC_OK)
		goto out;
	opened = 1;
	rc = aimc_counters_read(&m, &c0);
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "reading the counters", rc);
		goto out;
	}
	rc = cli_plan_run(&m, &cfg, &net, &plan, x, samples, y, NULL, o.be.max_polls, &res.stats,
			  &chip_err, &chip_pc);
	if (rc == AIMC_ECHIP) {
		cli_errorf(CMD, "the chip stopped with error code %u at instruction %u", chip_err,
			   chip_pc);
		goto out;
	}
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "running the network", rc);
		goto out;
	}
	res.batches = (uint32_t)res.stats.runs[plan.n_segments - 1];
	rc = aimc_counters_read(&m, &c1);
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "reading the counters", rc);
		goto out;
	}
	opened = 0;
	if (cli_backend_close(CMD, &o.be, &m, &res.sim_cycles) != AIMC_OK)
		goto out;
	c1.bits = cfg.counter_bits; /* cfg5.counter_cut, checked by aimc_chip_init */
	aimc_counters_delta(&c0, &c1, &res.counters);
	if (res.stats.counted) /* cut counters: summed run by run (cli_plan_run), they do not wrap */
		res.counters = res.stats.counters;

	if (cli_write_file(CMD, "--out", o.out, y, (size_t)samples * n) != 0)
		goto out;
	res.o = &o;
	res.cfg = &cfg;
	res.net = &net;
	res.samples = samples;
	res.batch = plan.seg[plan.n_segments - 1].img.batch;
	res.plan = &plan;
	res.wall_s = cli_now() - t0;
	res.pass = 1;
	printf("run: %llu samples of %s on %s (config %s), %u segment%s, last batch %u x %u, %llu "
	       "busy cycles, %.3f s\n", (unsigned long long)samples, o.net, o.be.backend, cfg.name,
	       plan.n_segments, plan.n_segments == 1 ? "" : "s", res.batch, res.batches,
	       (unsigned long long)res.counters.cycles, res.wall_s);
	cli_print_tile_counters("run", &res.counters);
	if (o.report != NULL && cli_json_write_file(CMD, o.report, fill_report, &res) != 0)
		goto out;
	exit_code = CLI_EXIT_PASS;
out:
	if (f != NULL)
		fclose(f);
	if (opened)
		aimc_mmio_close(&m);
	free(x);
	free(y);
	aimc_plan_free(&plan);
	aimc_net_free(&net);
	return exit_code;
}
