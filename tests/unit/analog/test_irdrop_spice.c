/* SPDX-License-Identifier: Apache-2.0 */
/* IR drop against ngspice (docs/analog-model.md "IR drop"): random tiles of 8x8, 32x32 and 64x64
 * (rows x logical columns, 2 cells per column) programmed through the crossbar model with its
 * programming error, random DAC inputs; the netlist of aimc_ir_write_spice is simulated by ngspice
 * in batch mode (DC operating point) and every cell-column current is compared with the full
 * solve (must be within 0.1 % relative) and with the first-order estimate (reported). Also checks
 * that aimc_xbar_current with ir_mode = full returns exactly the solver's differential current.
 * Writes <out>/irdrop_spice.json. Usage: test_irdrop_spice [--seed N] [--out DIR] */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aimc_analog.h"
#include "aimc_irdrop.h"

static uint64_t seed = 1;
static int failures;
static const char *out_dir = "build/irdrop";
static const char *argv0;

static uint64_t stim_state;

static uint64_t stim_u64(void)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (seed %" PRIu64 "; rerun: %s --seed %" PRIu64 " --out %s)\n", seed, argv0, seed,
	       out_dir);
}

/* Read i(vs<k>) for k < K from an ngspice ASCII raw file of one operating point. */
static int read_raw(const char *path, uint32_t K, double *i_sp)
{
	FILE *f = fopen(path, "r");
	char line[512];
	long nvar = -1, *idx = NULL;
	int rc = -1, in_vars = 0, in_vals = 0;
	long vi = 0;
	uint32_t found = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "No. Variables:", 14) == 0) {
			nvar = strtol(line + 14, NULL, 10);
			if (nvar <= 0)
				goto out;
			idx = malloc((size_t)nvar * sizeof(*idx));
			if (idx == NULL)
				goto out;
			for (long j = 0; j < nvar; j++)
				idx[j] = -1;
		} else if (strncmp(line, "Variables:", 10) == 0) {
			in_vars = 1;
		} else if (strncmp(line, "Values:", 7) == 0) {
			in_vars = 0;
			in_vals = 1;
		} else if (in_vars && idx != NULL) {
			long j;
			char name[128];
			unsigned k;

			if (sscanf(line, "%ld %127s", &j, name) == 2 && j >= 0 && j < nvar &&
			    sscanf(name, "i(vs%u)", &k) == 1 && k < K && strchr(name, '_') == NULL) {
				idx[j] = k;
			}
		} else if (in_vals && idx != NULL) {
			char *p = line, *end;
			double val;

			if (vi == 0) { /* "0\t\t<value of variable 0>" */
				strtol(p, &end, 10);
				p = end;
			}
			val = strtod(p, &end);
			if (end == p)
				continue;
			if (vi < nvar && idx[vi] >= 0) {
				i_sp[idx[vi]] = val;
				found++;
			}
			vi++;
		}
	}
	rc = found == K ? 0 : -1;
out:
	free(idx);
	fclose(f);
	return rc;
}

struct result {
	uint32_t rows, cols, iters;
	double err_full, err_first, err_ideal, err_full_diff, err_first_diff, max_drop;
	double t_full_s;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int run_case(uint32_t n, const aimc_ir_params *base, const char *tag, struct result *res)
{
	aimc_cfg cfg;
	aimc_xbar *xb;
	uint32_t K = 2 * n;
	double *g = malloc((size_t)n * K * sizeof(double)), *v = malloc(n * sizeof(double));
	double *i_full = malloc(K * sizeof(double)), *i_first = malloc(K * sizeof(double));
	double *i_sp = malloc(K * sizeof(double));
	int8_t *w = malloc(n);
	uint8_t *d = malloc(n);
	aimc_ir_ws *ws = aimc_ir_ws_create(n, n);
	aimc_ir_params p = *base;
	aimc_ir_stats st;
	char name[64], cir[512], raw[512], log[512], cmd[2048];
	FILE *f;
	int rc = -1;
	double t0, imax = 0.0;

	snprintf(name, sizeof(name), "irdrop.spice.%s.%ux%u", tag, n, n);
	memset(res, 0, sizeof(*res));
	res->rows = n;
	res->cols = n;
	if (g == NULL || v == NULL || i_full == NULL || i_first == NULL || i_sp == NULL || w == NULL ||
	    d == NULL || ws == NULL) {
		fail(name, "out of memory");
		goto out;
	}
	aimc_cfg_defaults(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "ir%u", n);
	cfg.rows = n;
	cfg.cols = n;
	cfg.cols_per_adc = 4;
	cfg.dac_bits = 4;
	cfg.read_sigma = 0.0; /* the comparison is of the noiseless current */
	cfg.ir_mode = AIMC_IR_FULL;
	cfg.r_wire_row = p.r_row;
	cfg.r_wire_col = p.r_col;
	cfg.r_drv = p.r_drv;
	cfg.r_sense = p.r_sense;
	xb = aimc_xbar_create(&cfg, seed);
	if (xb == NULL) {
		fail(name, "aimc_xbar_create failed");
		goto out;
	}
	for (uint32_t r = 0; r < n; r++) {
		for (uint32_t c = 0; c < n; c++)
			w[c] = (int8_t)((int)(stim_u64() % 255u) - 127);
		aimc_xbar_program_row(xb, 0, r, w, 0);
		d[r] = (uint8_t)(stim_u64() % 16u);
		v[r] = cfg.vread * (double)d[r] / 15.0;
	}
	aimc_xbar_apply(xb, 0, d);
	for (uint32_t r = 0; r < n; r++)
		for (uint32_t k = 0; k < K; k++)
			g[2 * ((size_t)(k / 2) * n + r) + (k & 1)] = aimc_xbar_conductance(xb, 0, r, k);

	p.mode = AIMC_IR_FULL;
	t0 = now_s();
	if (aimc_ir_solve(&p, n, n, g, v, i_full, ws, &st) != 0) {
		fail(name, "full solve did not converge (%u sweeps, last dV %g V)", st.iters, st.last_dv);
		aimc_xbar_destroy(xb);
		goto out;
	}
	res->t_full_s = now_s() - t0;
	res->iters = st.iters;
	for (uint32_t r = 0; r < n; r++)
		for (uint32_t k = 0; k < K; k++) {
			double dx = v[r] - aimc_ir_ws_node(ws, 0, r, k), dy = aimc_ir_ws_node(ws, 1, r, k);

			if (dx + dy > res->max_drop)
				res->max_drop = dx + dy;
		}
	/* the model's hook returns exactly the solver's differential current */
	for (uint32_t c = 0; c < n; c++) {
		double ix = aimc_xbar_current(xb, 0, c, 0), is = i_full[2 * c] - i_full[2 * c + 1];

		if (memcmp(&ix, &is, sizeof(ix)) != 0) {
			fail(name, "aimc_xbar_current col %u = %.17g, solver gives %.17g", c, ix, is);
			aimc_xbar_destroy(xb);
			goto out;
		}
	}
	aimc_xbar_destroy(xb);
	p.mode = AIMC_IR_FIRST;
	if (aimc_ir_solve(&p, n, n, g, v, i_first, ws, NULL) != 0) {
		fail(name, "first-order estimate failed");
		goto out;
	}

	snprintf(cir, sizeof(cir), "%s/%s_%ux%u.cir", out_dir, tag, n, n);
	snprintf(raw, sizeof(raw), "%s/%s_%ux%u.raw", out_dir, tag, n, n);
	snprintf(log, sizeof(log), "%s/%s_%ux%u.log", out_dir, tag, n, n);
	f = fopen(cir, "w");
	if (f == NULL || aimc_ir_write_spice(f, &p, n, n, g, v, name) != 0) {
		fail(name, "cannot write %s: %s", cir, strerror(errno));
		if (f != NULL)
			fclose(f);
		goto out;
	}
	fclose(f);
	remove(raw);
	snprintf(cmd, sizeof(cmd), "ngspice -b -r '%s' '%s' > '%s' 2>&1", raw, cir, log);
	if (system(cmd) != 0) {
		fail(name, "ngspice failed (is ngspice installed? tools/setup.sh installs it): %s, see %s",
		     cmd, log);
		goto out;
	}
	if (read_raw(raw, K, i_sp) != 0) {
		fail(name, "could not read the %u column currents from %s", K, raw);
		goto out;
	}
	for (uint32_t k = 0; k < K; k++)
		if (fabs(i_sp[k]) > imax)
			imax = fabs(i_sp[k]);
	for (uint32_t k = 0; k < K; k++) {
		double ef = fabs(i_full[k] - i_sp[k]) / fabs(i_sp[k]);
		double e1 = fabs(i_first[k] - i_sp[k]) / fabs(i_sp[k]);

		if (!(ef <= res->err_full)) /* also catches NaN */
			res->err_full = ef;
		double e0 = 0.0;

		if (e1 > res->err_first)
			res->err_first = e1;
		for (uint32_t r = 0; r < n; r++) /* the ideal sum, without any wire */
			e0 += g[2 * ((size_t)(k / 2) * n + r) + (k & 1)] * v[r];
		e0 = fabs(e0 - i_sp[k]) / fabs(i_sp[k]);
		if (e0 > res->err_ideal)
			res->err_ideal = e0;
	}
	for (uint32_t c = 0; c < n; c++) {
		double ds = i_sp[2 * c] - i_sp[2 * c + 1];
		double ef = fabs(i_full[2 * c] - i_full[2 * c + 1] - ds) / imax;
		double e1 = fabs(i_first[2 * c] - i_first[2 * c + 1] - ds) / imax;

		if (!(ef <= res->err_full_diff))
			res->err_full_diff = ef;
		if (e1 > res->err_first_diff)
			res->err_first_diff = e1;
	}
	printf("# %s: full solve %u sweeps %.3f ms, max IR drop %.3f mV; max rel. error of cell-column "
	       "currents vs ngspice: full %.3g, first-order %.3g, ideal sum (off) %.3g; differential "
	       "error / max current: full %.3g, first-order %.3g\n",
	       name, res->iters, 1e3 * res->t_full_s, 1e3 * res->max_drop, res->err_full,
	       res->err_first, res->err_ideal, res->err_full_diff, res->err_first_diff);
	if (!(res->err_full <= 1e-3)) {
		fail(name, "full solve differs from ngspice by %.3g relative (limit 1e-3); netlist %s",
		     res->err_full, cir);
		goto out;
	}
	printf("PASS %s\n", name);
	rc = 0;
out:
	free(g);
	free(v);
	free(i_full);
	free(i_first);
	free(i_sp);
	free(w);
	free(d);
	aimc_ir_ws_destroy(ws);
	return rc;
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = {8, 32, 64};
	/* defaults of the config keys (W6 wire segments, assumed driver / sense resistance) and a
	 * case with ideal driver and sense node (zero resistances become ideal shorts) */
	aimc_ir_params dflt = {AIMC_IR_FULL, 1.2, 1.2, 100.0, 100.0, 1e-11, 20000};
	aimc_ir_params ideal_ends = {AIMC_IR_FULL, 2.8, 2.8, 0.0, 0.0, 1e-11, 20000};
	struct result res[4];
	char path[512];
	FILE *f;

	argv0 = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines reach the test log as they happen */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			char *end;

			seed = strtoull(argv[++i], &end, 0);
			if (*end != '\0') {
				fprintf(stderr, "bad --seed '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out_dir = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--seed N] [--out DIR]\n", argv[0]);
			return 2;
		}
	}
	printf("# %s --seed %" PRIu64 " --out %s\n", argv[0], seed, out_dir);
	stim_state = seed;
	if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "cannot create %s: %s\n", out_dir, strerror(errno));
		return 2;
	}
	for (int i = 0; i < 3; i++)
		run_case(sizes[i], &dflt, "default", &res[i]);
	run_case(8, &ideal_ends, "ideal_ends", &res[3]);

	snprintf(path, sizeof(path), "%s/irdrop_spice.json", out_dir);
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "cannot write %s\n", path);
		return 1;
	}
	fprintf(f, "{\"seed\": %" PRIu64 ", \"limit_full\": 0.001, \"cases\": [", seed);
	for (int i = 0; i < 4; i++)
		fprintf(f,
			"%s\n  {\"name\": \"%s\", \"rows\": %u, \"cols\": %u, \"cells_per_row\": %u, "
			"\"full_sweeps\": %u, \"full_solve_s\": %.6g, \"max_ir_drop_v\": %.6g, "
			"\"max_rel_err_full\": %.6g, \"max_rel_err_first\": %.6g, \"max_rel_err_off\": %.6g, "
			"\"max_diff_err_full\": %.6g, \"max_diff_err_first\": %.6g}",
			i ? "," : "", i < 3 ? "default" : "ideal_ends", res[i].rows, res[i].cols,
			2 * res[i].cols, res[i].iters, res[i].t_full_s, res[i].max_drop, res[i].err_full,
			res[i].err_first, res[i].err_ideal, res[i].err_full_diff, res[i].err_first_diff);
	fprintf(f, "\n], \"failures\": %d}\n", failures);
	fclose(f);
	printf("# wrote %s\n", path);
	printf("%s\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
