/* SPDX-License-Identifier: Apache-2.0 */
/* `make bench` (issue 17, items 5 and 6): times, in one run and one process, side by side, the
 * C-model int8 MVM of an NxN tile against OpenBLAS of the same size, for every DAC width (8, 4, 2,
 * 1 bits) and writes the figures, each with its goal and whether it is met, to a JSON report:
 * - noisy: every non-ideality of docs/analog-model.md except IR drop (configs/noisy.cfg's values)
 *   against cblas_sgemv; goal: within NOISY_GOAL x;
 * - ideal: every effect off (the exact path: codes are the integer formula) against cblas_dgemv;
 *   goal: within IDEAL_GOAL x.
 * One MVM = the chip's int8 matrix-vector multiply: every input slice and sign phase read and every
 * column converted; with dac_bits 8 one slice, two phases; with dac_bits 1 seven slices, fourteen
 * phases. `model` is one aimc_xbar_convert_batch call for all of them (decision 0008), `phases`
 * one aimc_xbar_apply + aimc_xbar_convert_all per phase (what sw/src/refmodel.c calls). The DAC
 * codes are made before the timing, as the float input of sgemv is.
 * OpenBLAS reference kernel: this machine's environment may force one (OPENBLAS_CORETYPE,
 * OPENBLAS_L2_SIZE); OpenBLAS reads them when it is loaded, before main. Unless --keep-openblas-env
 * is given, the program re-executes itself once with both removed, so that sgemv and dgemv run
 * the CPU's own kernel; the model reads no environment (ARCHITECTURE), so its run is the same
 * either way. The report names the core OpenBLAS measured (openblas_get_corename) and what was
 * removed. Goals are reported, never enforced: the exit status is 0 whether they are met or not.
 * --vectors B times B input vectors per aimc_xbar_convert_batch call (B x the slices and phases of
 * one MVM; `model` is then the time per MVM, the call's time / B); --threads N runs that call on N
 * workers (wall time instead of CPU time).
 * Usage: aimc_bench [--out FILE] [--min-time S] [--sizes N,N,...] [--seed N] [--threads N]
 *                   [--vectors B] [--dacs D,D,...] [--keep-openblas-env] */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aimc_analog.h"
#include "aimc_kern.h"
#include "aimc_rng.h"

#define NOISY_GOAL 3.0 /* issue 17: noisy MVM within 3x of sgemv at every DAC width */
#define IDEAL_GOAL 1.5 /* issue 17: ideal MVM within 1.5x of dgemv */
#define ENV_NOTE "AIMC_BENCH_OPENBLAS_UNSET" /* private: what the first process removed */

/* OpenBLAS's own declarations (cblas.h of 0.3.x) */
char *openblas_get_corename(void);
char *openblas_get_config(void);
void openblas_set_num_threads(int num_threads);

/* The clock of the timings: the calling thread's CPU time with one model thread (time other jobs
 * of a shared machine take is not counted; caches and memory bandwidth stay shared), wall time
 * with several (the workers' time is then what the caller waits for). */
static clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng_state;

static uint64_t next_u64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int8_t rand_i8(void)
{
	return (int8_t)((int)(next_u64() % 255u) - 127);
}

/* The noisy config of the benchmark: configs/noisy.cfg's analog knobs on an n x n tile; ideal:
 * every effect off (no programming error, no read noise: the exact path). */
static void bench_cfg(aimc_cfg *c, uint32_t n, uint32_t dac_bits, int ideal)
{
	aimc_cfg_defaults(c);
	snprintf(c->name, sizeof(c->name), "bench%u", n);
	c->rows = n;
	c->cols = n;
	c->dac_bits = dac_bits;
	c->adc_bits = 8;
	c->adc_cycles = 8;
	c->cols_per_adc = 4;
	c->drift_time = 86400;
	c->stuck_gmin_frac = 0.002;
	c->stuck_gmax_frac = 0.001;
	c->dac_inl = 0.1;
	c->dac_rout = 100;
	c->adc_gain_err = 0.01;
	c->adc_gain_sigma = 0.005;
	c->adc_offset = 0.2;
	c->adc_offset_sigma = 0.3;
	c->adc_inl = 0.5;
	c->adc_noise = 0.3;
	c->i_clip = 1e-4;
	c->temp = 358.15;
	c->temp_ref = 300.15;
	if (ideal) {
		aimc_cfg_defaults(c);
		snprintf(c->name, sizeof(c->name), "bench%u_ideal", n);
		c->rows = n;
		c->cols = n;
		c->dac_bits = dac_bits;
		c->adc_bits = 8;
		c->adc_cycles = 8;
		c->cols_per_adc = 4;
		c->prog_sigma = 0.0;
		c->read_sigma = 0.0;
	}
}

/* The DAC codes of every input slice and sign phase of x (ns slices x 2 phases x rows), made once
 * before the timing as the float input of sgemv is. */
static void dac_codes(const aimc_cfg *c, const int8_t *x, uint8_t *d)
{
	const uint32_t mask = (1u << c->dac_bits) - 1u, ns = (7 + c->dac_bits - 1) / c->dac_bits;

	for (uint32_t s = 0; s < ns; s++)
		for (int ph = 0; ph < 2; ph++)
			for (uint32_t r = 0; r < c->rows; r++) {
				int on = ph == 0 ? x[r] > 0 : x[r] < 0;
				uint32_t mag = (uint32_t)(x[r] < 0 ? -x[r] : x[r]);

				d[(size_t)(2 * s + (uint32_t)ph) * c->rows + r] =
					(uint8_t)(on ? (mag >> (s * c->dac_bits)) & mask : 0);
			}
}

/* One int8 MVM on the model, phase by phase (apply + convert_all); returns a checksum of the codes
 * so the work cannot be elided. */
static int64_t model_phases(aimc_xbar *xb, uint32_t nk, uint32_t rows, uint32_t cols, const uint8_t *d,
			    int32_t *codes, uint32_t *conv_idx)
{
	int64_t sum = 0;

	for (uint32_t k = 0; k < nk; k++) {
		aimc_xbar_apply(xb, 0, d + (size_t)k * rows);
		aimc_xbar_convert_all(xb, 0, (*conv_idx)++, 2, codes + (size_t)k * cols);
	}
	for (size_t i = 0; i < (size_t)nk * cols; i += 61)
		sum += codes[i];
	return sum;
}

/* The same MVM in one aimc_xbar_convert_batch call; with vectors > 1, that many MVMs (the codes
 * repeated) in one call. */
static int64_t model_batch(aimc_xbar *xb, uint32_t nk, uint32_t cols, const uint8_t *d, int32_t *codes,
			   uint32_t *idx, uint32_t *conv_idx)
{
	int64_t sum = 0;

	for (uint32_t k = 0; k < nk; k++)
		idx[k] = (*conv_idx)++;
	aimc_xbar_convert_batch(xb, 0, d, nk, idx, 2, codes);
	for (size_t i = 0; i < (size_t)nk * cols; i += 61)
		sum += codes[i];
	return sum;
}

static uint32_t vectors = 1; /* --vectors */

struct result {
	uint32_t n, dac_bits;
	int ideal;
	double model_s, phases_s, ref_s, prog_s;
	double rng_s; /* noisy: the keyed read-noise and comparator draws of one MVM alone */
	long reps_model, reps_ref;
};

/* What the noisy model cannot skip (issue 17 item 5): one READ pair (read noise, comparator noise)
 * per column and conversion, keyed by the conversion index (the bits of the model), nk
 * conversions of n columns, drawn as aimc_xbar_convert_batch draws them (one
 * aimc_rng_read_pairs_multi call): the time of those draws alone, best of three rounds of min_time. */
static double rng_time(uint32_t n, uint32_t nk, double min_time)
{
	aimc_kern k;
	char err[128];
	uint64_t *pre = malloc(n * sizeof(*pre));
	float *n1 = malloc((size_t)nk * n * sizeof(*n1)), *n2 = malloc((size_t)nk * n * sizeof(*n2));
	uint32_t *ix = malloc(nk * sizeof(*ix));
	volatile float sink = 0.0f;
	double best = -1.0;
	uint32_t idx = 0;

	if (pre != NULL && n1 != NULL && n2 != NULL && ix != NULL && aimc_kern_select(NULL, &k, err, sizeof(err)) == 0) {
		for (uint32_t c = 0; c < n; c++)
			pre[c] = next_u64();
		best = 1e30;
		for (int round = 0; round < 3; round++) {
			double t0 = now_s(), t;
			long it = 0;

			do {
				for (uint32_t p = 0; p < nk; p++)
					ix[p] = idx++;
				aimc_rng_read_pairs_multi(k.read, k.readm, pre, ix, nk, n, n1, n2, n);
				sink += n1[it % n];
				it++;
			} while ((t = now_s() - t0) < min_time);
			if (t / it < best)
				best = t / it;
		}
	}
	free(pre);
	free(n1);
	free(n2);
	free(ix);
	(void)sink;
	return best;
}

/* Times the noisy (ideal = 0) or ideal model of an n x n tile against sgemv (dgemv), best of three
 * rounds of at least min_time each, the three timings alternating within every round. */
static int run_one(uint32_t n, uint32_t dac_bits, int ideal, double min_time, uint32_t threads, struct result *res)
{
	const uint32_t ns = (7 + dac_bits - 1) / dac_bits, nk = 2 * ns;
	aimc_cfg c;
	aimc_xbar *xb;
	int8_t *w = malloc((size_t)n * n), *x = malloc(n);
	float *a = malloc((size_t)n * n * sizeof(float)), *xf = malloc(n * sizeof(float)),
	      *y = malloc(n * sizeof(float));
	double *ad = malloc((size_t)n * n * sizeof(double)), *xd = malloc(n * sizeof(double)),
	       *yd = malloc(n * sizeof(double));
	uint8_t *d = malloc((size_t)nk * n * vectors);
	int32_t *codes = malloc((size_t)nk * n * vectors * sizeof(int32_t));
	uint32_t *idx = malloc((size_t)nk * vectors * sizeof(uint32_t)), conv_idx = 0;
	volatile int64_t sink = 0;
	volatile double fsink = 0;
	double t0, best_m = 1e30, best_p = 1e30, best_r = 1e30;
	int rc = -1;

	bench_cfg(&c, n, dac_bits, ideal);
	/* the model's vector kernels: $AIMC_SIMD as for the aimc tools (the library reads no environment) */
	snprintf(c.simd, sizeof(c.simd), "%s", getenv("AIMC_SIMD") != NULL ? getenv("AIMC_SIMD") : "");
	xb = aimc_xbar_create(&c, 1);
	if (xb == NULL || w == NULL || x == NULL || a == NULL || xf == NULL || y == NULL || ad == NULL ||
	    xd == NULL || yd == NULL || d == NULL || codes == NULL || idx == NULL ||
	    aimc_xbar_set_threads(xb, threads) != 0) {
		fprintf(stderr, "aimc_bench: out of memory or bad config for %u x %u\n", n, n);
		goto done;
	}
	for (size_t i = 0; i < (size_t)n * n; i++)
		w[i] = rand_i8();
	for (uint32_t i = 0; i < n; i++) {
		x[i] = rand_i8();
		xf[i] = (float)x[i];
		xd[i] = (double)x[i];
	}
	dac_codes(&c, x, d);
	for (uint32_t b = 1; b < vectors; b++)
		memcpy(d + (size_t)b * nk * n, d, (size_t)nk * n);
	/* y = W x with W row r = output r: the tile stores W^T (rows = inputs), same matrix */
	for (uint32_t r = 0; r < n; r++)
		for (uint32_t col = 0; col < n; col++) {
			a[(size_t)col * n + r] = (float)w[(size_t)r * n + col];
			ad[(size_t)col * n + r] = (double)w[(size_t)r * n + col];
		}
	t0 = now_s();
	for (uint32_t r = 0; r < n; r++)
		aimc_xbar_program_row(xb, 0, r, w + (size_t)r * n, r);
	res->prog_s = now_s() - t0;
	for (int round = 0; round < 3; round++) {
		long k = 0;

		t0 = now_s();
		do {
			sink += model_batch(xb, nk * vectors, n, d, codes, idx, &conv_idx);
			k++;
		} while (now_s() - t0 < min_time);
		if ((now_s() - t0) / k / vectors < best_m)
			best_m = (now_s() - t0) / k / vectors;
		res->reps_model = k;
		k = 0;
		t0 = now_s();
		do {
			sink += model_phases(xb, nk, n, n, d, codes, &conv_idx);
			k++;
		} while (now_s() - t0 < min_time);
		if ((now_s() - t0) / k < best_p)
			best_p = (now_s() - t0) / k;
		k = 0;
		t0 = now_s();
		do {
			if (ideal) {
				cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, ad, (int)n, xd, 1, 0.0, yd, 1);
				fsink += yd[k % n];
			} else {
				cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0f, a, (int)n, xf, 1, 0.0f, y, 1);
				fsink += y[k % n];
			}
			k++;
		} while (now_s() - t0 < min_time);
		if ((now_s() - t0) / k < best_r)
			best_r = (now_s() - t0) / k;
		res->reps_ref = k;
	}
	res->n = n;
	res->dac_bits = dac_bits;
	res->ideal = ideal;
	res->model_s = best_m;
	res->phases_s = best_p;
	res->ref_s = best_r;
	res->rng_s = ideal ? 0.0 : rng_time(n, nk, min_time);
	rc = 0;
done:
	aimc_xbar_destroy(xb);
	free(w);
	free(x);
	free(a);
	free(xf);
	free(y);
	free(ad);
	free(xd);
	free(yd);
	free(d);
	free(codes);
	free(idx);
	(void)sink;
	(void)fsink;
	return rc;
}

/* JSON string contents: the characters OpenBLAS and the environment may give, escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static double goal_of(const struct result *r)
{
	return r->ideal ? IDEAL_GOAL : NOISY_GOAL;
}

int main(int argc, char **argv)
{
	uint32_t dacs[4] = {8, 4, 2, 1}, ndacs = 4;
	const char *out = "build/reports/bench.json", *unset_note;
	double min_time = 0.5, worst[2] = {0.0, 0.0};
	uint32_t sizes[8] = {256, 1024}, nsizes = 2, threads = 1;
	int keep_env = 0, all_met = 1, nres = 0;
	struct result res[8 * 8];
	char tmp[4096];
	FILE *f;

	for (int i = 1; i < argc; i++) {
		char *end = NULL;

		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc) {
			min_time = strtod(argv[++i], &end);
			if (*end != '\0' || !(min_time > 0.0 && min_time <= 60.0)) {
				fprintf(stderr, "aimc_bench: --min-time must be in (0, 60] seconds, got '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
			char *p = argv[++i];

			nsizes = 0;
			while (*p != '\0' && nsizes < 8) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p || v < 4 || v > 1024 || v % 4 != 0 || (*end != ',' && *end != '\0')) {
					fprintf(stderr, "aimc_bench: --sizes wants N,N,... with N a multiple of 4 in "
							"[4, 1024], got '%s'\n", argv[i]);
					return 2;
				}
				sizes[nsizes++] = (uint32_t)v;
				p = *end == ',' ? end + 1 : end;
			}
			if (*p != '\0' || nsizes == 0) {
				fprintf(stderr, "aimc_bench: --sizes: at most 8 sizes\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			rng_state = strtoull(argv[++i], &end, 0);
			if (*end != '\0') {
				fprintf(stderr, "aimc_bench: bad --seed '%s'\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end != '\0' || v < 1 || v > AIMC_XBAR_MAX_THREADS) {
				fprintf(stderr, "aimc_bench: --threads must be in [1, %d], got '%s'\n", AIMC_XBAR_MAX_THREADS,
					argv[i]);
				return 2;
			}
			threads = (uint32_t)v;
		} else if (strcmp(argv[i], "--vectors") == 0 && i + 1 < argc) {
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end != '\0' || v < 1 || v > 64) {
				fprintf(stderr, "aimc_bench: --vectors must be in [1, 64], got '%s'\n", argv[i]);
				return 2;
			}
			vectors = (uint32_t)v;
		} else if (strcmp(argv[i], "--dacs") == 0 && i + 1 < argc) {
			/* a subset of the DAC widths, e.g. 1 (profiling one path) */
			char *p = argv[++i];

			ndacs = 0;
			while (*p != '\0' && ndacs < 4) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p || (v != 1 && v != 2 && v != 4 && v != 8) || (*end != ',' && *end != '\0')) {
					fprintf(stderr, "aimc_bench: --dacs wants widths of 1, 2, 4, 8 separated by commas, "
							"got '%s'\n", argv[i]);
					return 2;
				}
				dacs[ndacs++] = (uint32_t)v;
				p = *end == ',' ? end + 1 : end;
			}
			if (*p != '\0' || ndacs == 0) {
				fprintf(stderr, "aimc_bench: --dacs: at most 4 widths\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--keep-openblas-env") == 0) {
			keep_env = 1;
		} else {
			fprintf(stderr, "usage: aimc_bench [--out FILE] [--min-time S] [--sizes N,N,...] [--seed N] "
					"[--threads N] [--vectors B] [--dacs D,D,...] [--keep-openblas-env]\n");
			return 2;
		}
	}
	/* the reference runs on the CPU's own OpenBLAS kernel: re-execute once without the variables
	 * that force one (OpenBLAS read them when it was loaded) */
	if (!keep_env && (getenv("OPENBLAS_CORETYPE") != NULL || getenv("OPENBLAS_L2_SIZE") != NULL)) {
		const char *ct = getenv("OPENBLAS_CORETYPE"), *l2 = getenv("OPENBLAS_L2_SIZE");

		snprintf(tmp, sizeof(tmp), "%s%s%s%s%s", ct != NULL ? "OPENBLAS_CORETYPE=" : "", ct != NULL ? ct : "",
			 ct != NULL && l2 != NULL ? " " : "", l2 != NULL ? "OPENBLAS_L2_SIZE=" : "", l2 != NULL ? l2 : "");
		if (setenv(ENV_NOTE, tmp, 1) != 0 || unsetenv("OPENBLAS_CORETYPE") != 0 ||
		    unsetenv("OPENBLAS_L2_SIZE") != 0) {
			fprintf(stderr, "aimc_bench: cannot change the environment\n");
			return 1;
		}
		fflush(stdout);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "aimc_bench: cannot re-execute /proc/self/exe without OPENBLAS_CORETYPE and "
				"OPENBLAS_L2_SIZE; run it with both unset\n");
		return 1;
	}
	unset_note = getenv(ENV_NOTE);
	openblas_set_num_threads(1);
	if (threads > 1)
		bench_clock = CLOCK_MONOTONIC;
	printf("aimc_bench: C-model int8 MVM vs OpenBLAS, 1 OpenBLAS thread, %u model thread(s), %u vector(s) per "
	       "batch call, best of 3 rounds of >= %.2f s (%s time) each; OpenBLAS core %s%s%s%s\n",
	       threads, vectors, min_time, threads > 1 ? "wall" : "CPU", openblas_get_corename(), keep_env ? " (environment kept)" : "",
	       unset_note != NULL ? ", run without " : "", unset_note != NULL ? unset_note : "");
	printf("%-6s %5s %4s %11s %11s %9s %11s %7s %7s %5s %4s %s\n", "path", "N", "dac", "model us", "phases us",
	       "ref", "ref us", "ratio", "phases", "goal", "met", "noise draws alone (x ref)");
	for (uint32_t s = 0; s < nsizes; s++) {
		for (int ideal = 0; ideal < 2; ideal++) {
			for (uint32_t k = 0; k < ndacs; k++) {
				struct result *r = &res[nres];
				double ratio;

				if (run_one(sizes[s], dacs[k], ideal, min_time, threads, r) != 0)
					return 1;
				ratio = r->model_s / r->ref_s;
				printf("%-6s %5u %4u %11.1f %11.1f %9s %11.1f %7.2f %7.2f %5.1f %4s", ideal ? "ideal" : "noisy",
				       r->n, r->dac_bits, r->model_s * 1e6, r->phases_s * 1e6, ideal ? "dgemv" : "sgemv",
				       r->ref_s * 1e6, ratio, r->phases_s / r->ref_s, goal_of(r),
				       ratio <= goal_of(r) ? "yes" : "NO");
				if (!ideal)
					printf(" %.1f us (%.2fx)", r->rng_s * 1e6, r->rng_s / r->ref_s);
				printf("\n");
				fflush(stdout);
				if (ratio > worst[ideal])
					worst[ideal] = ratio;
				all_met &= ratio <= goal_of(r);
				nres++;
			}
		}
	}
	printf("aimc_bench: goals: noisy within %.1fx of sgemv at every size and DAC width: %s (worst %.2fx); "
	       "ideal within %.1fx of dgemv: %s (worst %.2fx)\n",
	       NOISY_GOAL, worst[0] <= NOISY_GOAL ? "met" : "NOT met", worst[0], IDEAL_GOAL,
	       worst[1] <= IDEAL_GOAL ? "met" : "NOT met", worst[1]);
	/* the report: a temporary file in the same folder, renamed into place */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= (int)sizeof(tmp) || (f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "aimc_bench: cannot write %s\n", out);
		return 1;
	}
	fprintf(f, "{\n  \"what\": \"C-model int8 MVM (all DAC slices and sign phases read, every column converted) vs "
		   "OpenBLAS, one OpenBLAS thread: noisy (configs/noisy.cfg non-idealities, no IR drop) vs cblas_sgemv, "
		   "ideal (every effect off) vs cblas_dgemv\",\n  \"openblas_core\": ");
	json_str(f, openblas_get_corename());
	fprintf(f, ",\n  \"openblas_config\": ");
	json_str(f, openblas_get_config());
	fprintf(f, ",\n  \"openblas_env_kept\": %s,\n  \"openblas_env_unset\": ", keep_env ? "true" : "false");
	if (unset_note != NULL)
		json_str(f, unset_note);
	else
		fprintf(f, "null");
	fprintf(f, ",\n  \"clock\": \"%s\"", threads > 1 ? "wall" : "thread_cpu");
	fprintf(f, ",\n  \"vectors_per_call\": %u", vectors);
	fprintf(f, ",\n  \"model_threads\": %u,\n  \"min_time_s\": %g,\n  \"noisy_goal_ratio\": %g,\n"
		   "  \"ideal_goal_ratio\": %g,\n  \"worst_noisy_ratio\": %.3f,\n  \"worst_ideal_ratio\": %.3f,\n"
		   "  \"noisy_goal_met\": %s,\n  \"ideal_goal_met\": %s,\n  \"all_goals_met\": %s,\n  \"results\": [\n",
		threads, min_time, NOISY_GOAL, IDEAL_GOAL, worst[0], worst[1], worst[0] <= NOISY_GOAL ? "true" : "false",
		worst[1] <= IDEAL_GOAL ? "true" : "false", all_met ? "true" : "false");
	for (int i = 0; i < nres; i++) {
		const struct result *r = &res[i];
		const double ratio = r->model_s / r->ref_s;

		fprintf(f, "    {\"path\": \"%s\", \"n\": %u, \"dac_bits\": %u, \"model_us_per_mvm\": %.3f, "
			   "\"phases_us_per_mvm\": %.3f, \"ref\": \"%s\", \"ref_us\": %.3f, \"ratio\": %.3f, "
			   "\"phases_ratio\": %.3f, \"goal_ratio\": %g, \"met\": %s, \"program_ms\": %.3f, "
			   "\"rng_us_per_mvm\": %.3f, \"rng_ratio\": %.3f}%s\n",
			r->ideal ? "ideal" : "noisy", r->n, r->dac_bits, r->model_s * 1e6, r->phases_s * 1e6,
			r->ideal ? "dgemv" : "sgemv", r->ref_s * 1e6, ratio, r->phases_s / r->ref_s, goal_of(r),
			ratio <= goal_of(r) ? "true" : "false", r->prog_s * 1e3, r->rng_s * 1e6, r->rng_s / r->ref_s,
			i + 1 < nres ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f) != 0 || rename(tmp, out) != 0) {
		remove(tmp);
		fprintf(stderr, "aimc_bench: cannot write %s\n", out);
		return 1;
	}
	printf("aimc_bench: wrote %s\n", out);
	return 0;
}
