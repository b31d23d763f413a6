/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test pipeline-test: a random two-layer int8 network, run on one chip twice: resident and
 * pipelined across tiles (layer 1 on tile 0 for vector b while layer 2 on tile 1 handles vector
 * b-1), then layer after layer on tile 0 (AIMC_COMPILE_SERIAL, reprogramming between layers).
 * Checks: outputs of both == OpenBLAS dgemm + the post formula (L1, ideal configs); outputs and
 * event counters of both == the C model run in this process (L0, back-ends other than cmodel);
 * pipelined cycles (weight programming included) <= --max-ratio x serial cycles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chip_test.h"
#include "golden.h"

#define CMD "pipeline-test"
#define STIM_SALT 0x5049504554455354ull /* "PIPETEST" */
#define OUT_TARGET 48.0
#define POST_SHIFT 20u
#define N_LAYERS 2u
#define MAX_SHOWN 8

typedef struct pt_opts {
	cli_backend_opts be;
	uint32_t batch, k0, n0, n1, relu0;
	double max_ratio;
} pt_opts;

/* One placement's run: outputs and counter increase (setup included). */
typedef struct pt_run {
	int8_t *y;
	aimc_counters delta;
	uint32_t tiles;
	int resident;
} pt_run;

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int8_t rng_i8(uint64_t *s)
{
	return (int8_t)((int32_t)(rng_next(s) % 255u) - 127);
}

static void help(void)
{
	printf("usage: aimc-test pipeline-test --config CFG [--batch B] [options]\n\n"
	       "A random two-layer int8 network (K0 -> N0 -> N1) from the seed, run pipelined on two\n"
	       "tiles (weights resident) and layer after layer on tile 0. Fails if the outputs differ\n"
	       "from OpenBLAS + the post formula (ideal configs) or from the C model (L0), or if the\n"
	       "pipelined cycles exceed --max-ratio x the serial cycles.\n\n"
	       "  --batch B             vectors (1..acc_slots, default 32)\n"
	       "  --k0 K --n0 N --n1 N  layer sizes (default rows, cols, cols; N0 <= rows)\n"
	       "  --max-ratio R         pipelined / serial cycle bound (default 0.60; 0 = no bound)\n"
	       "  --relu0 0|1           ReLU after layer 1 (default 0: both layers see signed inputs and\n"
	       "                        cost the same; with 1, layer 2 skips its negative phases)\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 pass, 1 fail, 2 usage or input error.\n");
}

static int parse_args(int argc, char **argv, pt_opts *o)
{
	int i, have_k0 = 0, have_n0 = 0, have_n1 = 0, r;
	const char *v;

	memset(o, 0, sizeof(*o));
	cli_backend_defaults(&o->be);
	o->batch = 32;
	o->max_ratio = 0.60;
	for (i = 1; i < argc; i++) {
		r = cli_backend_flag(CMD, &o->be, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help();
			return 1;
		} else if (strcmp(argv[i], "--batch") == 0) {
			if ((v = cli_value(CMD, argc, argv, &i)) == NULL ||
			    cli_parse_u32(CMD, "--batch", v, 1, 65536, &o->batch) != 0)
				return -1;
		} else if (strcmp(argv[i], "--k0") == 0) {
			if ((v = cli_value(CMD, argc, argv, &i)) == NULL ||
			    cli_parse_u32(CMD, "--k0", v, 1, 65535, &o->k0) != 0)
				return -1;
			have_k0 = 1;
		} else if (strcmp(argv[i], "--n0") == 0) {
			if ((v = cli_value(CMD, argc, argv, &i)) == NULL ||
			    cli_parse_u32(CMD, "--n0", v, 1, 65535, &o->n0) != 0)
				return -1;
			have_n0 = 1;
		} else if (strcmp(argv[i], "--n1") == 0) {
			if ((v = cli_value(CMD, argc, argv, &i)) == NULL ||
			    cli_parse_u32(CMD, "--n1", v, 1, 65535, &o->n1) != 0)
				return -1;
			have_n1 = 1;
		} else if (strcmp(argv[i], "--relu0") == 0) {
			if ((v = cli_value(CMD, argc, argv, &i)) == NULL ||
			    cli_parse_u32(CMD, "--relu0", v, 0, 1, &o->relu0) != 0)
				return -1;
		} else if (strcmp(argv[i], "--max-ratio") == 0) {
			char *end;

			if ((v = cli_value(CMD, argc, argv, &i)) == NULL)
				return -1;
			o->max_ratio = strtod(v, &end);
			if (*v == '\0' || *end != '\0' || !(o->max_ratio >= 0.0 && o->max_ratio <= 10.0)) {
				cli_usage_error(CMD, "--max-ratio: '%s' is not a number in 0..10", v);
				return -1;
			}
		} else {
			cli_usage_error(CMD, "unknown argument '%s'", argv[i]);
			return -1;
		}
	}
	if (cli_backend_check(CMD, &o->be) != 0)
		return -1;
	/* 0 = from the config, filled in once it is loaded */
	if (!have_k0)
		o->k0 = 0;
	if (!have_n0)
		o->n0 = 0;
	if (!have_n1)
		o->n1 = 0;
	return 0;
}

static void free_net(aimc_net *net)
{
	uint32_t li;

	for (li = 0; li < net->n_layers; li++) {
		free(net->layers[li].w);
		free(net->layers[li].bias);
		free(net->layers[li].mult);
		free(net->layers[li].shift);
	}
	free(net->layers);
	memset(net, 0, sizeof(*net));
}

/* Random weights, inputs and biases from the seed; M from the golden accumulators so that the
 * outputs spread over the int8 range. Fills the golden outputs of both layers (y1 the final). */
static int make_net(const pt_opts *o, const aimc_cfg *cfg, aimc_net *net, int8_t **xp,
		    int8_t **goldp)
{
	const uint32_t k[N_LAYERS] = { o->k0, o->n0 }, n[N_LAYERS] = { o->n0, o->n1 };
	uint64_t s = o->be.seed ^ STIM_SALT;
	int8_t *in, *x;
	int32_t *acc = NULL;
	uint32_t li, i, b;
	int rc = -1;

	net->n_layers = N_LAYERS;
	net->n_classes = o->n1;
	net->in_scale = 1.0f;
	net->layers = calloc(N_LAYERS, sizeof(*net->layers));
	x = malloc((size_t)o->batch * o->k0);
	*xp = x;
	*goldp = NULL;
	if (net->layers == NULL || x == NULL)
		return -1;
	for (i = 0; i < o->batch * o->k0; i++)
		x[i] = rng_i8(&s);
	in = x;
	for (li = 0; li < N_LAYERS; li++) {
		aimc_layer *ly = &net->layers[li];
		int8_t *y = malloc((size_t)o->batch * n[li]);
		double ss = 0.0, m;

		ly->k = k[li];
		ly->n = n[li];
		ly->relu = li == 0 ? o->relu0 : 1u;
		ly->w = malloc((size_t)n[li] * k[li]);
		ly->bias = malloc((size_t)n[li] * sizeof(*ly->bias));
		ly->mult = malloc((size_t)n[li] * sizeof(*ly->mult));
		ly->shift = malloc(n[li]);
		acc = malloc((size_t)o->batch * n[li] * sizeof(*acc));
		if (y == NULL || ly->w == NULL || ly->bias == NULL || ly->mult == NULL ||
		    ly->shift == NULL || acc == NULL) {
			free(y);
			goto out;
		}
		for (i = 0; i < n[li] * k[li]; i++)
			ly->w[i] = rng_i8(&s);
		for (i = 0; i < n[li]; i++)
			ly->bias[i] = (int32_t)(rng_next(&s) % 2001u) - 1000;
		/* ADC shift: 0 in ideal configs; otherwise keep ~3 sigma of a column code in range. */
		if (!aimc_cfg_is_ideal(cfg)) {
			double mask = (double)((1u << cfg->dac_bits) - 1u);
			double sigma = sqrt((double)cfg->rows * 0.5 * mask * (2.0 * mask + 1.0) / 6.0) * 73.0;
			double top = (double)((1u << (cfg->adc_bits - 1u)) - 1u);

			while (ly->adc_shift < 15u && 3.0 * sigma / (double)(1u << ly->adc_shift) > top)
				ly->adc_shift++;
		}
		if (aimc_golden_fc_acc(ly->w, ly->bias, n[li], k[li], in, o->batch, acc, NULL) != 0) {
			free(y);
			goto out;
		}
		for (i = 0; i < o->batch * n[li]; i++)
			ss += (double)acc[i] * acc[i];
		m = floor(OUT_TARGET / sqrt(ss / (o->batch * n[li]) + 1.0) * (double)(1u << POST_SHIFT) +
			  0.5);
		if (m < 1.0)
			m = 1.0;
		for (i = 0; i < n[li]; i++) {
			ly->mult[i] = (int32_t)m;
			ly->shift[i] = (uint8_t)POST_SHIFT;
		}
		for (b = 0; b < o->batch; b++)
			for (i = 0; i < n[li]; i++)
				y[(size_t)b * n[li] + i] =
					aimc_golden_post(acc[(size_t)b * n[li] + i], ly->mult[i],
							 ly->shift[i], (int)ly->relu);
		free(acc);
		acc = NULL;
		if (in != x)
			free(in);
		in = y;
	}
	*goldp = in;
	rc = 0;
out:
	free(acc);
	if (rc != 0 && in != x)
		free(in);
	return rc;
}

static void counters_delta(const aimc_counters *a, const aimc_counters *b, aimc_counters *d)
{
	d->cycles = b->cycles - a->cycles;
	d->instrs = b->instrs - a->instrs;
	d->mvms = b->mvms - a->mvms;
	d->convs = b->convs - a->convs;
	d->adc_convs = b->adc_convs - a->adc_convs;
	d->sats = b->sats - a->sats;
	d->prog_rows = b->prog_rows - a->prog_rows;
}

/* Load and run both images on one chip, in order: pipelined, then serial. */
static int run_both(const cli_backend_opts *be, const aimc_cfg *cfg, aimc_image img[2],
		    const int8_t *x, uint32_t k, uint32_t n, pt_run out[2], uint64_t *sim_cycles)
{
	aimc_mmio m = { NULL, NULL };
	aimc_counters c0, c1;
	uint32_t chip_err = 0, chip_pc = 0, i;
	int rc, rc2;

	rc = cli_backend_open(CMD, be, cfg, &m);
	if (rc != AIMC_OK)
		return rc;
	for (i = 0; i < 2 && rc == AIMC_OK; i++) {
		rc = aimc_counters_read(&m, &c0);
		if (rc == AIMC_OK)
			rc = cli_image_load(&m, cfg, &img[i]);
		if (rc == AIMC_OK)
			rc = cli_image_run(&m, &img[i], x, k, out[i].y, n, NULL,
					   be->max_polls ? be->max_polls : cli_max_polls(cfg, &img[i]),
					   &chip_err, &chip_pc);
		if (rc == AIMC_ECHIP) {
			cli_errorf(CMD, "%s: the chip stopped with error code %u at instruction %u",
				   i == 0 ? "pipelined" : "serial", chip_err, chip_pc);
			break;
		}
		if (rc == AIMC_OK)
			rc = aimc_counters_read(&m, &c1);
		if (rc != AIMC_OK) {
			cli_report_rc(CMD, &m, i == 0 ? "pipelined run" : "serial run", rc);
			break;
		}
		counters_delta(&c0, &c1, &out[i].delta);
	}
	rc2 = cli_backend_close(CMD, be, &m, sim_cycles);
	return rc != AIMC_OK ? rc : rc2;
}

static uint64_t cmp_i8(const char *what, const int8_t *exp, const int8_t *got, size_t count,
		       uint32_t n)
{
	uint64_t bad = 0;
	size_t i;

	for (i = 0; i < count; i++) {
		if (exp[i] == got[i])
			continue;
		if (bad < MAX_SHOWN)
			printf("  MISMATCH %s: vector %zu output %zu: expected %d, got %d\n", what, i / n,
			       i % n, exp[i], got[i]);
		bad++;
	}
	return bad;
}

static uint64_t cmp_counters(const char *what, const aimc_counters *e, const aimc_counters *g)
{
	const uint64_t ev[] = { e->instrs, e->mvms, e->convs, e->adc_convs, e->sats, e->prog_rows };
	const uint64_t gv[] = { g->instrs, g->mvms, g->convs, g->adc_convs, g->sats, g->prog_rows };
	static const char *const names[] = { "instrs", "mvms", "convs", "adc_convs", "sats",
					     "prog_rows" };
	uint64_t bad = 0;
	size_t i;

	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		if (ev[i] != gv[i]) {
			printf("  MISMATCH %s: counter %s: expected %llu, got %llu\n", what, names[i],
			       (unsigned long long)ev[i], (unsigned long long)gv[i]);
			bad++;
		}
	return bad;
}

int cli_cmd_pipeline_test(int argc, char **argv)
{
	static const char *const label[2] = { "pipelined", "serial" };
	pt_opts o;
	aimc_cfg cfg;
	aimc_net net;
	aimc_image img[2];
	pt_run dut[2], ref[2];
	cli_backend_opts ref_be;
	int8_t *x = NULL, *gold = NULL;
	uint64_t sim_cycles = 0, ref_cycles = 0, bad = 0;
	char err[512];
	double ratio = 0.0;
	int rc, exit_code = CLI_EXIT_FAIL, i, ideal, do_l0;
	const char *kind;

	memset(&net, 0, sizeof(net));
	memset(img, 0, sizeof(img));
	memset(dut, 0, sizeof(dut));
	memset(ref, 0, sizeof(ref));
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, o.be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (o.k0 == 0)
		o.k0 = cfg.rows;
	if (o.n0 == 0)
		o.n0 = cfg.cols;
	if (o.n1 == 0)
		o.n1 = cfg.cols;
	if (cfg.num_tiles < 2 || o.k0 > cfg.rows || o.n0 > cfg.rows || o.n0 > cfg.cols ||
	    o.n1 > cfg.cols || o.batch > cfg.acc_slots)
		return cli_usage_error(CMD, "config %s (%u tiles of %ux%u, %u slots): needs 2 tiles, "
				       "K0, N0 <= rows, N0, N1 <= cols, batch <= acc_slots (K0 %u, "
				       "N0 %u, N1 %u, batch %u)", cfg.name, cfg.num_tiles, cfg.rows,
				       cfg.cols, cfg.acc_slots, o.k0, o.n0, o.n1, o.batch);
	ideal = aimc_cfg_is_ideal(&cfg);
	kind = cli_backend_kind(&o.be);
	do_l0 = strcmp(kind, "cmodel") != 0;
	printf("pipeline-test: config %s, %u-%u-%u (ReLU after layer 1: %u), batch %u, seed %llu, "
	       "back-end %s, %s config\n", cfg.name, o.k0, o.n0, o.n1, o.relu0, o.batch,
	       (unsigned long long)o.be.seed, o.be.backend, ideal ? "ideal" : "noisy");
	if (make_net(&o, &cfg, &net, &x, &gold) != 0) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}
	for (i = 0; i < 2; i++) {
		rc = aimc_compile_ex(&net, &cfg, o.batch, i == 0 ? 0u : AIMC_COMPILE_SERIAL, &img[i], err,
				     sizeof(err));
		if (rc != AIMC_OK) {
			cli_errorf(CMD, "%s: config %s: %s (%s)", label[i], cfg.name, err,
				   aimc_strerror(rc));
			exit_code = CLI_EXIT_USAGE;
			goto out;
		}
		dut[i].y = malloc((size_t)o.batch * o.n1);
		ref[i].y = malloc((size_t)o.batch * o.n1);
		if (dut[i].y == NULL || ref[i].y == NULL) {
			cli_errorf(CMD, "out of memory");
			goto out;
		}
	}
	if (!img[0].resident || img[0].tiles_used != 2) {
		printf("  FAIL: the compiler did not place the network on 2 resident tiles (resident "
		       "%u, tiles %u)\n", img[0].resident, img[0].tiles_used);
		bad++;
	}
	if (run_both(&o.be, &cfg, img, x, o.k0, o.n1, dut, &sim_cycles) != AIMC_OK) {
		printf("pipeline-test: FAIL (the runs did not complete)\n");
		goto out;
	}
	if (ideal)
		for (i = 0; i < 2; i++)
			bad += cmp_i8(label[i], gold, dut[i].y, (size_t)o.batch * o.n1, o.n1);
	if (do_l0) {
		ref_be = o.be;
		ref_be.backend = "cmodel";
		ref_be.record = NULL;
		ref_be.waves = NULL;
		if (run_both(&ref_be, &cfg, img, x, o.k0, o.n1, ref, &ref_cycles) != AIMC_OK) {
			printf("pipeline-test: FAIL (the C model runs did not complete)\n");
			goto out;
		}
		for (i = 0; i < 2; i++) {
			char what[64];

			snprintf(what, sizeof(what), "L0 %s", label[i]);
			bad += cmp_i8(what, ref[i].y, dut[i].y, (size_t)o.batch * o.n1, o.n1);
			bad += cmp_counters(what, &ref[i].delta, &dut[i].delta);
		}
	}
	if (dut[1].delta.cycles > 0)
		ratio = (double)dut[0].delta.cycles / (double)dut[1].delta.cycles;
	printf("  L1 vs OpenBLAS: %s\n", ideal ? "checked (both runs)" : "not applicable (noisy)");
	printf("  L0 vs cmodel: %s\n", do_l0 ? "checked (outputs and counters, both runs)"
					     : "not applicable (the back-end is the C model)");
	printf("  pipelined (%u tiles, resident, setup included): %llu cycles, %u instructions\n",
	       img[0].tiles_used, (unsigned long long)dut[0].delta.cycles, dut[0].delta.instrs);
	printf("  serial (tile 0, layer after layer):             %llu cycles, %u instructions\n",
	       (unsigned long long)dut[1].delta.cycles, dut[1].delta.instrs);
	if (dut[1].delta.cycles > 0) {
		printf("  ratio pipelined / serial: %.4f (bound %.2f)\n", ratio, o.max_ratio);
		if (o.max_ratio > 0.0 && ratio > o.max_ratio) {
			printf("  FAIL: ratio %.4f is above %.2f\n", ratio, o.max_ratio);
			bad++;
		}
	} else if (strcmp(kind, "cmodel") != 0) {
		printf("  FAIL: no cycles counted on a timed back-end\n");
		bad++;
	}
	exit_code = bad == 0 ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
	printf("pipeline-test: %s\n", bad == 0 ? "PASS" : "FAIL");
out:
	if (exit_code != CLI_EXIT_PASS)
		printf("rerun: aimc-test pipeline-test --config %s --seed %llu --backend %s --batch %u "
		       "--k0 %u --n0 %u --n1 %u --relu0 %u --max-ratio %.2f\n", o.be.config,
		       (unsigned long long)o.be.seed, o.be.backend, o.batch, o.k0, o.n0, o.n1,
		       o.relu0, o.max_ratio);
	for (i = 0; i < 2; i++) {
		free(dut[i].y);
		free(ref[i].y);
		aimc_image_free(&img[i]);
	}
	free(x);
	free(gold);
	free_net(&net);
	return exit_code;
}
