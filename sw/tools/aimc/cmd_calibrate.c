/* SPDX-License-Identifier: Apache-2.0 */
/* aimc calibrate: fit the ADC range (adc_shift) of every layer and a per-column digital gain and
 * offset from a calibration set run on the chip, fold them into the post-processing parameters
 * and write the calibrated network file (docs/calibration.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CMD "calibrate"
#define MAX_BATCH 64u
#define GAIN_MIN 0.25
#define GAIN_MAX 4.0
#define BIAS_MAX 1073741824.0 /* |b'| <= 2^30, as the quantizer keeps it */

typedef struct cal_opts {
	cli_backend_opts be;
	const char *net, *inputs, *out, *report;
	uint32_t max_samples; /* 0: all */
	int keep_shifts;      /* --shifts keep: fit only gain/offset */
	int global;           /* --fit global: one gain per layer, no offset (drift compensation) */
} cal_opts;

typedef struct layer_fit {
	uint32_t shift_before, shift_after;
	double rms_before, rms_after; /* accumulator error vs W.x of the chip's own inputs */
	double range;                 /* RMS of the ideal accumulators (scale for the errors) */
	uint32_t cols_unfit;          /* columns whose gain fell outside [GAIN_MIN, GAIN_MAX] */
	uint32_t cols_unrepresentable;/* columns whose folded M/S did not fit (kept uncorrected) */
} layer_fit;

typedef struct cal_result {
	const cal_opts *o;
	const aimc_cfg *cfg;
	uint64_t samples;
	uint32_t n_layers, runs;
	layer_fit fit[64];
	double wall_s;
} cal_result;

static void help(void)
{
	printf("usage: aimc calibrate --config CFG --net F.khnf --inputs X.i8 --out CAL.khnf "
	       "[options]\n\n"
	       "Runs the calibration inputs through the network on the chip layer by layer. For each\n"
	       "layer it measures the accumulators (POST raw) for every adc_shift 0..15, picks the\n"
	       "shift with the smallest error against the exact W.x of the layer's own chip inputs\n"
	       "after a per-column least-squares gain and offset, folds gain and offset into the\n"
	       "layer's bias, M and S, and writes the calibrated network (docs/calibration.md).\n"
	       "Use the --config and --seed of the runs the calibrated network is meant for.\n\n"
	       "  --net FILE            network file (docs/network-format.md)\n"
	       "  --inputs FILE         raw int8 calibration inputs (n x n_inputs)\n"
	       "  --out FILE            calibrated network file to write\n"
	       "  --report FILE         write the JSON report (docs/reports.md)\n"
	       "  --shifts auto|keep    fit adc_shift per layer (auto, default) or keep the file's\n"
	       "  --max-samples N       use the first N calibration vectors only\n"
	       "  --fit columns|global  per-column gain and offset (columns, default), or global drift\n"
	       "                        compensation: one gain per layer through zero, from the chip's\n"
	       "                        accumulators against the exact W.x of the reference inputs,\n"
	       "                        folded into every column's M and S; adc_shift kept\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 done, 1 a chip run failed, 2 usage or input error.\n");
}

static int parse_args(int argc, char **argv, cal_opts *o)
{
	static const char *const valued[] = {"--net", "--inputs", "--out", "--report", "--shifts", "--max-samples",
					     "--fit", NULL};
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
		if (strcmp(a, "--net") == 0) {
			o->net = v;
		} else if (strcmp(a, "--inputs") == 0) {
			o->inputs = v;
		} else if (strcmp(a, "--out") == 0) {
			o->out = v;
		} else if (strcmp(a, "--report") == 0) {
			o->report = v;
		} else if (strcmp(a, "--shifts") == 0) {
			if (strcmp(v, "auto") == 0) {
				o->keep_shifts = 0;
			} else if (strcmp(v, "keep") == 0) {
				o->keep_shifts = 1;
			} else {
				cli_usage_error(CMD, "--shifts: '%s' is neither 'auto' nor 'keep'", v);
				return -1;
			}
		} else if (strcmp(a, "--fit") == 0) {
			if (strcmp(v, "columns") == 0) {
				o->global = 0;
			} else if (strcmp(v, "global") == 0) {
				o->global = 1;
			} else {
				cli_usage_error(CMD, "--fit: '%s' is neither 'columns' nor 'global'", v);
				return -1;
			}
		} else if (cli_parse_u32(CMD, a, v, 1, 1u << 24, &o->max_samples) != 0) {
			return -1;
		}
	}
	if (o->net == NULL || o->inputs == NULL || o->out == NULL) {
		cli_usage_error(CMD, "--net, --inputs and --out are required");
		return -1;
	}
	if (o->be.record != NULL || o->be.waves != NULL) {
		cli_usage_error(CMD, "--record and --waves are not supported (calibration opens the "
				     "back-end once per run)");
		return -1;
	}
	if (strcmp(cli_backend_kind(&o->be), "replay") == 0) {
		cli_usage_error(CMD, "the replay back-end cannot calibrate (it answers one recorded run)");
		return -1;
	}
	return cli_backend_check(CMD, &o->be) != 0 ? -1 : 0;
}

/* Run the first n_layers layers of net over x (samples x n_inputs) on a freshly opened back-end
 * (an execution plan: convolutions as im2col); the last layer's int8 outputs go to y and, if
 * raw != NULL, its RAW int32 results (samples*P x N) to raw. */
static int chip_pass(const cal_opts *o, const aimc_cfg *cfg, const aimc_net *net,
		     uint32_t n_layers, const int8_t *x, uint64_t samples, int8_t *y, int32_t *raw)
{
	aimc_net sub = *net;
	aimc_plan plan;
	aimc_mmio m = { NULL, NULL };
	char err[512] = "";
	uint32_t b, chip_err = 0, chip_pc = 0;
	int rc = AIMC_EFIT;

	memset(&plan, 0, sizeof(plan));
	sub.n_layers = n_layers;
	sub.n_classes = aimc_layer_out_len(&net->layers[n_layers - 1]);
	b = cfg->acc_slots < MAX_BATCH ? cfg->acc_slots : MAX_BATCH;
	if (samples < b)
		b = (uint32_t)samples;
	for (; b >= 1; b--) {
		rc = aimc_plan_compile(&sub, cfg, b, raw != NULL ? AIMC_COMPILE_RAW : 0, &plan, err,
				       sizeof(err));
		if (rc != AIMC_EFIT)
			break;
	}
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "layers 0..%u on config %s: %s (%s)", n_layers - 1, cfg->name, err,
			   aimc_strerror(rc));
		return rc;
	}
	rc = cli_backend_open(CMD, &o->be, cfg, &m);
	if (rc != AIMC_OK)
		goto out;
	rc = cli_plan_run(&m, cfg, &sub, &plan, x, samples, y, raw, o->be.max_polls, NULL,
			  &chip_err, &chip_pc);
	if (rc == AIMC_ECHIP)
		cli_errorf(CMD, "the chip stopped with error code %u at instruction %u", chip_err,
			   chip_pc);
	else if (rc != AIMC_OK)
		cli_report_rc(CMD, &m, "running the network", rc);
	aimc_mmio_close(&m);
out:
	aimc_plan_free(&plan);
	return rc;
}

/* Least-squares ideal ~= g * meas + o per column; rms of the residual over all columns. */
static void fit_columns(const int64_t *ideal, const int64_t *meas, uint64_t samples, uint32_t n,
			double *g, double *off, double *rms_fit, double *rms_raw)
{
	uint64_t v;
	uint32_t c;
	double se_fit = 0.0, se_raw = 0.0;

	for (c = 0; c < n; c++) {
		double sa = 0, si = 0, saa = 0, sai = 0, ma, mi, va, cov;

		for (v = 0; v < samples; v++) {
			double a = (double)meas[v * n + c], id = (double)ideal[v * n + c];

			sa += a;
			si += id;
			saa += a * a;
			sai += a * id;
			se_raw += (a - id) * (a - id);
		}
		ma = sa / (double)samples;
		mi = si / (double)samples;
		va = saa / (double)samples - ma * ma;
		cov = sai / (double)samples - ma * mi;
		g[c] = va > 1e-9 ? cov / va : 1.0;
		off[c] = mi - g[c] * ma;
		for (v = 0; v < samples; v++) {
			double r = g[c] * (double)meas[v * n + c] + off[c] - (double)ideal[v * n + c];

			se_fit += r * r;
		}
	}
	*rms_fit = sqrt(se_fit / ((double)samples * n));
	*rms_raw = sqrt(se_raw / ((double)samples * n));
}

/* Global drift compensation (docs/analog-model.md "Drift compensation"): one gain for all columns,
 * ideal ~= g * meas through zero (least squares), every column set to it, offsets 0. */
static void fit_global(const int64_t *ideal, const int64_t *meas, uint64_t samples, uint32_t n,
		       double *g, double *off, double *rms_fit)
{
	double sai = 0.0, saa = 0.0, se = 0.0, gg;
	uint64_t v;

	for (v = 0; v < samples * n; v++) {
		sai += (double)meas[v] * (double)ideal[v];
		saa += (double)meas[v] * (double)meas[v];
	}
	gg = saa > 0.0 ? sai / saa : 1.0;
	for (v = 0; v < samples * n; v++) {
		double r = gg * (double)meas[v] - (double)ideal[v];

		se += r * r;
	}
	for (uint32_t c = 0; c < n; c++) {
		g[c] = gg;
		off[c] = 0.0;
	}
	*rms_fit = sqrt(se / ((double)samples * n));
}

/* M'/2^S' = g * M/2^S and b' = round((b + o) / g); 0, or -1 if the result does not fit (the
 * column is then left as it was). */
static int fold(double g, double o, int32_t *bias, int32_t *mult, uint8_t *shift)
{
	double r = g * fabs((double)*mult) / ldexp(1.0, *shift), m, nb;
	int e, s;
	long long mm;

	nb = round(((double)*bias + o) / g);
	if (!(r > 0.0) || !isfinite(r) || fabs(nb) > BIAS_MAX)
		return -1;
	m = frexp(r, &e); /* r = m * 2^e, m in [0.5, 1) */
	mm = llround(m * 2147483648.0);
	s = 31 - e;
	if (mm == 2147483648LL) {
		mm = 1073741824LL;
		s--;
	}
	while (s > 62 && mm > 1) {
		mm = (mm + 1) >> 1;
		s--;
	}
	if (s < 1 || s > 62 || mm < (1LL << 15))
		return -1;
	*mult = (int32_t)(*mult < 0 ? -mm : mm);
	*shift = (uint8_t)s;
	*bias = (int32_t)nb;
	return 0;
}

static void fill_report(cli_json *j, void *arg)
{
	const cal_result *r = arg;
	uint32_t li;
	char key[32];

	cli_json_str(j, "test", "calibrate");
	cli_json_str(j, "network", r->o->net);
	cli_json_str(j, "calibrated_network", r->o->out);
	cli_json_str(j, "config", r->cfg->name);
	cli_json_str(j, "config_path", r->o->be.config);
	cli_json_str(j, "backend", r->o->be.backend);
	cli_json_u64(j, "seed", r->o->be.seed);
	cli_json_u64(j, "samples", r->samples);
	cli_json_u64(j, "chip_runs", r->runs);
	cli_json_str(j, "shifts", r->o->keep_shifts ? "keep" : "auto");
	cli_json_str(j, "fit", r->o->global ? "global" : "columns");
	cli_json_obj(j, "layers");
	for (li = 0; li < r->n_layers; li++) {
		const layer_fit *f = &r->fit[li];

		snprintf(key, sizeof(key), "%u", li);
		cli_json_obj(j, key);
		cli_json_u64(j, "adc_shift_before", f->shift_before);
		cli_json_u64(j, "adc_shift_after", f->shift_after);
		cli_json_f64(j, "acc_rms_ideal", f->range);
		cli_json_f64(j, "acc_rms_error_before", f->rms_before);
		cli_json_f64(j, "acc_rms_error_after", f->rms_after);
		cli_json_u64(j, "columns_gain_out_of_range", f->cols_unfit);
		cli_json_u64(j, "columns_not_representable", f->cols_unrepresentable);
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
	cli_json_f64(j, "wall_s", r->wall_s);
	cli_json_bool(j, "pass", 1);
}

/* Deep copy of a network (the calibrated one is edited in place). */
static int net_copy(const aimc_net *src, aimc_net *dst)
{
	uint32_t li;

	memset(dst, 0, sizeof(*dst));
	dst->layers = calloc(src->n_layers, sizeof(*dst->layers));
	if (dst->layers == NULL)
		return -1;
	dst->n_layers = src->n_layers;
	dst->n_classes = src->n_classes;
	dst->in_scale = src->in_scale;
	for (li = 0; li < src->n_layers; li++) {
		const aimc_layer *s = &src->layers[li];
		aimc_layer *d = &dst->layers[li];
		size_t nw = (size_t)s->k * s->n;

		*d = *s;
		d->w = malloc(nw);
		d->bias = malloc(s->n * sizeof(*d->bias));
		d->mult = malloc(s->n * sizeof(*d->mult));
		d->shift = malloc(s->n);
		if (d->w == NULL || d->bias == NULL || d->mult == NULL || d->shift == NULL)
			return -1;
		memcpy(d->w, s->w, nw);
		memcpy(d->bias, s->bias, s->n * sizeof(*d->bias));
		memcpy(d->mult, s->mult, s->n * sizeof(*d->mult));
		memcpy(d->shift, s->shift, s->n);
	}
	return 0;
}

int cli_cmd_calibrate(int argc, char **argv)
{
	cal_opts o;
	cal_result res;
	aimc_cfg cfg;
	aimc_net net, cal;
	char err[512];
	int8_t *x = NULL, *xl = NULL, *y = NULL, *rows = NULL;
	int32_t *raw = NULL;
	int64_t *ideal = NULL, *meas = NULL;
	double *g = NULL, *off = NULL, *best_g = NULL, *best_off = NULL;
	uint64_t samples = 0, v;
	uint32_t li, c, i;
	uint64_t maxv = 0, maxrows = 0;
	double t0 = cli_now();
	int rc, exit_code = CLI_EXIT_USAGE;

	memset(&net, 0, sizeof(net));
	memset(&cal, 0, sizeof(cal));
	memset(&res, 0, sizeof(res));
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, o.be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	rc = aimc_net_load(&net, o.net, err, sizeof(err));
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "--net: %s (%s)", err, aimc_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	if (cli_read_inputs(CMD, o.inputs, aimc_layer_in_len(&net.layers[0]), &x, &samples) != 0)
		goto out;
	if (o.max_samples != 0 && samples > o.max_samples)
		samples = o.max_samples;
	if (net_copy(&net, &cal) != 0) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}
	/* Per layer: values in and out per sample, and the MVM input rows (im2col patches). */
	for (li = 0; li < net.n_layers; li++) {
		const aimc_layer *l = &net.layers[li];
		uint64_t p = aimc_layer_is_conv(l) ? (uint64_t)l->conv.out_h * l->conv.out_w : 1u;

		if (aimc_layer_in_len(l) > maxv)
			maxv = aimc_layer_in_len(l);
		if (aimc_layer_out_len(l) > maxv)
			maxv = aimc_layer_out_len(l);
		if (p * l->k > maxrows)
			maxrows = p * l->k;
	}
	xl = malloc((size_t)(samples * maxv));
	y = malloc((size_t)(samples * maxv));
	rows = malloc((size_t)(samples * maxrows));
	raw = malloc((size_t)(samples * maxv) * sizeof(*raw));
	ideal = malloc((size_t)(samples * maxv) * sizeof(*ideal));
	meas = malloc((size_t)(samples * maxv) * sizeof(*meas));
	g = malloc((size_t)maxv * sizeof(*g));
	off = malloc((size_t)maxv * sizeof(*off));
	best_g = malloc((size_t)maxv * sizeof(*best_g));
	best_off = malloc((size_t)maxv * sizeof(*best_off));
	if (xl == NULL || y == NULL || rows == NULL || raw == NULL || ideal == NULL || meas == NULL ||
	    g == NULL ||
	    off == NULL || best_g == NULL || best_off == NULL) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}
	memcpy(xl, x, (size_t)samples * aimc_layer_in_len(&net.layers[0]));
	exit_code = CLI_EXIT_FAIL;
	res.o = &o;
	res.cfg = &cfg;
	res.samples = samples;
	res.n_layers = net.n_layers;
	for (li = 0; li < net.n_layers; li++) {
		aimc_layer *l = &cal.layers[li];
		layer_fit *f = &res.fit[li];
		uint32_t s, s_lo = 0, s_hi = 15, n = l->n, k = l->k;
		uint64_t p = aimc_layer_is_conv(l) ? (uint64_t)l->conv.out_h * l->conv.out_w : 1u;
		uint64_t vecs = samples * p; /* MVM vectors: samples, or samples x output pixels */
		double best = INFINITY, sq = 0.0;

		/* The MVM inputs of this layer for the chip's own inputs xl (im2col for a conv). */
		if (aimc_layer_is_conv(l))
			for (v = 0; v < samples; v++)
				aimc_im2col(&l->conv, xl + v * aimc_layer_in_len(l), rows + v * p * k);
		else
			memcpy(rows, xl, (size_t)(samples * k));
		/* Their exact accumulators. */
		for (v = 0; v < vecs; v++)
			for (c = 0; c < n; c++) {
				int64_t a = 0;

				for (i = 0; i < k; i++)
					a += (int64_t)l->w[(size_t)c * k + i] * rows[v * k + i];
				ideal[v * n + c] = a;
				sq += (double)a * (double)a;
			}
		f->range = sqrt(sq / ((double)vecs * n));
		f->shift_before = l->adc_shift;
		if (o.keep_shifts || o.global)
			s_lo = s_hi = l->adc_shift;
		for (s = s_lo; s <= s_hi; s++) {
			double rms_fit, rms_raw;

			l->adc_shift = s;
			rc = chip_pass(&o, &cfg, &cal, li + 1, x, samples, y, raw);
			res.runs++;
			if (rc != AIMC_OK)
				goto out;
			for (v = 0; v < vecs * n; v++)
				meas[v] = (int64_t)raw[v] - l->bias[v % n];
			fit_columns(ideal, meas, vecs, n, g, off, &rms_fit, &rms_raw);
			if (o.global)
				fit_global(ideal, meas, vecs, n, g, off, &rms_fit);
			if (s == f->shift_before)
				f->rms_before = rms_raw;
			if (rms_fit < best) {
				best = rms_fit;
				f->shift_after = s;
				memcpy(best_g, g, n * sizeof(*g));
				memcpy(best_off, off, n * sizeof(*off));
			}
		}
		l->adc_shift = f->shift_after;
		f->rms_after = best;
		for (c = 0; c < n; c++) {
			if (best_g[c] < GAIN_MIN || best_g[c] > GAIN_MAX) {
				f->cols_unfit++;
				continue;
			}
			if (fold(best_g[c], best_off[c], &l->bias[c], &l->mult[c], &l->shift[c]) != 0)
				f->cols_unrepresentable++;
		}
		printf("calibrate: layer %u (%ux%u): adc_shift %u -> %u, accumulator RMS error %.2f -> "
		       "%.2f (ideal RMS %.1f), %u gains out of range, %u not representable",
		       li, k, n, f->shift_before, f->shift_after, f->rms_before, f->rms_after,
		       f->range, f->cols_unfit, f->cols_unrepresentable);
		if (o.global)
			printf(", global drift gain %.4f", best_g[0]);
		printf("\n");
		if (li + 1 < net.n_layers) {
			/* Inputs of the next layer: this layer's calibrated outputs on the chip. */
			rc = chip_pass(&o, &cfg, &cal, li + 1, x, samples, y, NULL);
			res.runs++;
			if (rc != AIMC_OK)
				goto out;
			memcpy(xl, y, (size_t)(samples * aimc_layer_out_len(l)));
		}
	}
	{
		cli_out w; /* the library writes the temporary by name; committed after */

		if (cli_out_open(CMD, "--out", o.out, &w) != 0)
			goto out;
		fclose(w.f);
		w.f = NULL;
		rc = aimc_net_save(&cal, w.tmp[0] != '\0' ? w.tmp : w.path, err, sizeof(err));
		if (rc != AIMC_OK) {
			cli_errorf(CMD, "--out: %s (%s)", err, aimc_strerror(rc));
			cli_out_abort(&w);
			goto out;
		}
		if (cli_out_commit(CMD, &w) != 0)
			goto out;
	}
	res.wall_s = cli_now() - t0;
	printf("calibrate: %llu samples, %u chip runs on %s (config %s, seed %llu), wrote %s, "
	       "%.2f s\n", (unsigned long long)samples, res.runs, o.be.backend, cfg.name,
	       (unsigned long long)o.be.seed, o.out, res.wall_s);
	if (o.report != NULL && cli_json_write_file(CMD, o.report, fill_report, &res) != 0)
		goto out;
	exit_code = CLI_EXIT_PASS;
out:
	free(x);
	free(xl);
	free(rows);
	free(y);
	free(raw);
	free(ideal);
	free(meas);
	free(g);
	free(off);
	free(best_g);
	free(best_off);
	aimc_net_free(&cal);
	aimc_net_free(&net);
	return exit_code;
}
