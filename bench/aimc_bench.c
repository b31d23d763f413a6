/* SPDX-License-Identifier: Apache-2.0 */
/* `make bench`: times, in one run, the noisy C-model MVM of an NxN tile (every non-ideality of
 * docs/analog-model.md except IR drop, values of configs/noisy.cfg) against OpenBLAS cblas_sgemv
 * of the same size, and writes the figures to a JSON report.
 * One MVM = the chip's int8 matrix-vector multiply: every input slice and sign phase applied
 * (aimc_xbar_apply) and every column converted (aimc_xbar_convert_all). With dac_bits 8 that is
 * one slice, two phases; with dac_bits 1 seven slices, fourteen phases. The DAC codes of the
 * slices and phases are made before the timing, as the float input of sgemv is.
 * Usage: aimc_bench [--out FILE] [--min-time S] [--sizes N,N,...] [--seed N] */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimc_analog.h"

#define TARGET_RATIO 3.0 /* issue 5, item 7 */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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

/* The noisy config of the benchmark: configs/noisy.cfg's analog knobs on an n x n tile. */
static void bench_cfg(aimc_cfg *c, uint32_t n, uint32_t dac_bits)
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

/* One int8 MVM on the model from the codes of dac_codes; returns a checksum of the codes so the
 * work cannot be elided. */
static int64_t model_mvm(aimc_xbar *xb, const aimc_cfg *c, const uint8_t *d, int32_t *codes, uint32_t *conv_idx)
{
	const uint32_t ns = (7 + c->dac_bits - 1) / c->dac_bits;
	int64_t sum = 0;

	for (uint32_t k = 0; k < 2 * ns; k++) {
		aimc_xbar_apply(xb, 0, d + (size_t)k * c->rows);
		aimc_xbar_convert_all(xb, 0, (*conv_idx)++, 2, codes);
		for (uint32_t col = 0; col < c->cols; col++)
			sum += codes[col];
	}
	return sum;
}

struct result {
	uint32_t n, dac_bits;
	double model_s, sgemv_s, prog_s;
	long reps_model, reps_sgemv;
};

static int run_size(uint32_t n, uint32_t dac_bits, double min_time, struct result *res)
{
	aimc_cfg c;
	aimc_xbar *xb;
	int8_t *w = malloc((size_t)n * n), *x = malloc(n);
	float *a = malloc((size_t)n * n * sizeof(float)), *xf = malloc(n * sizeof(float)),
	      *y = malloc(n * sizeof(float));
	uint8_t *d = malloc((size_t)14 * n); /* at most 7 slices x 2 phases */
	int32_t *codes = malloc(n * sizeof(int32_t));
	uint32_t conv_idx = 0;
	volatile int64_t sink = 0;
	volatile float fsink = 0;
	double t0, best_m = 1e30, best_s = 1e30;

	bench_cfg(&c, n, dac_bits);
	xb = aimc_xbar_create(&c, 1);
	if (xb == NULL || w == NULL || x == NULL || a == NULL || xf == NULL || y == NULL || d == NULL ||
	    codes == NULL) {
		fprintf(stderr, "aimc_bench: out of memory or bad config for %u x %u\n", n, n);
		return -1;
	}
	for (size_t i = 0; i < (size_t)n * n; i++)
		w[i] = rand_i8();
	for (uint32_t i = 0; i < n; i++) {
		x[i] = rand_i8();
		xf[i] = (float)x[i];
	}
	dac_codes(&c, x, d);
	/* y = W x with W row r = output r: the tile stores W^T (rows = inputs), same matrix */
	for (uint32_t r = 0; r < n; r++)
		for (uint32_t col = 0; col < n; col++)
			a[(size_t)col * n + r] = (float)w[(size_t)r * n + col];
	t0 = now_s();
	for (uint32_t r = 0; r < n; r++)
		aimc_xbar_program_row(xb, 0, r, w + (size_t)r * n, r);
	res->prog_s = now_s() - t0;
	/* three rounds, alternating, best time of each: both see the same machine state */
	for (int round = 0; round < 3; round++) {
		long k = 0;

		t0 = now_s();
		do {
			sink += model_mvm(xb, &c, d, codes, &conv_idx);
			k++;
		} while (now_s() - t0 < min_time);
		if ((now_s() - t0) / k < best_m)
			best_m = (now_s() - t0) / k;
		res->reps_model = k;
		k = 0;
		t0 = now_s();
		do {
			cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0f, a, (int)n, xf, 1, 0.0f, y, 1);
			fsink += y[k % n];
			k++;
		} while (now_s() - t0 < min_time);
		if ((now_s() - t0) / k < best_s)
			best_s = (now_s() - t0) / k;
		res->reps_sgemv = k;
	}
	res->n = n;
	res->dac_bits = dac_bits;
	res->model_s = best_m;
	res->sgemv_s = best_s;
	aimc_xbar_destroy(xb);
	free(w);
	free(x);
	free(a);
	free(xf);
	free(y);
	free(d);
	free(codes);
	(void)sink;
	(void)fsink;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = "build/reports/bench.json";
	double min_time = 0.5;
	uint32_t sizes[8] = {256, 1024}, nsizes = 2;
	struct result res[16];
	int nres = 0;
	double worst8 = 0.0;
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
		} else {
			fprintf(stderr, "usage: aimc_bench [--out FILE] [--min-time S] [--sizes N,N,...] [--seed N]\n");
			return 2;
		}
	}
	printf("aimc_bench: noisy C-model MVM (all non-idealities of configs/noisy.cfg, no IR drop) vs "
	       "OpenBLAS cblas_sgemv, 1 thread, best of 3 rounds of >= %.2f s each\n", min_time);
	printf("%6s %4s %14s %14s %8s %12s\n", "N", "dac", "model us/MVM", "sgemv us", "ratio", "program ms");
	for (uint32_t s = 0; s < nsizes; s++) {
		for (int k = 0; k < 2; k++) {
			struct result *r = &res[nres];

			if (run_size(sizes[s], k == 0 ? 8u : 1u, min_time, r) != 0)
				return 1;
			printf("%6u %4u %14.1f %14.1f %8.2f %12.1f\n", r->n, r->dac_bits, r->model_s * 1e6,
			       r->sgemv_s * 1e6, r->model_s / r->sgemv_s, r->prog_s * 1e3);
			fflush(stdout);
			nres++;
		}
	}
	/* issue 5's target: the noisy MVM (8-bit DAC, the chip's int8 path in one slice) within
	 * TARGET_RATIO x sgemv at every size; reported, not enforced (the machine may be shared) */
	for (int i = 0; i < nres; i++)
		if (res[i].dac_bits == 8 && res[i].model_s / res[i].sgemv_s > worst8)
			worst8 = res[i].model_s / res[i].sgemv_s;
	printf("aimc_bench: target: 8-bit DAC within %.0fx of sgemv at every size: %s (worst %.2fx)\n", TARGET_RATIO,
	       worst8 <= TARGET_RATIO ? "met" : "NOT met", worst8);
	f = fopen(out, "w");
	if (f == NULL) {
		fprintf(stderr, "aimc_bench: cannot write %s\n", out);
		return 1;
	}
	fprintf(f, "{\n  \"what\": \"noisy C-model int8 MVM (aimc_xbar_apply + aimc_xbar_convert_all per slice and "
		   "phase; configs/noisy.cfg non-idealities, no IR drop) vs OpenBLAS cblas_sgemv, single thread\",\n"
		   "  \"openblas_config\": \"%s\",\n  \"min_time_s\": %g,\n  \"target_ratio\": %g,\n"
		   "  \"worst_ratio_dac8\": %.3f,\n  \"target_met\": %s,\n  \"results\": [\n",
		openblas_get_config(), min_time, TARGET_RATIO, worst8, worst8 <= TARGET_RATIO ? "true" : "false");
	for (int i = 0; i < nres; i++)
		fprintf(f, "    {\"n\": %u, \"dac_bits\": %u, \"model_us_per_mvm\": %.3f, \"sgemv_us\": %.3f, "
			   "\"ratio\": %.3f, \"program_ms\": %.3f}%s\n",
			res[i].n, res[i].dac_bits, res[i].model_s * 1e6, res[i].sgemv_s * 1e6,
			res[i].model_s / res[i].sgemv_s, res[i].prog_s * 1e3, i + 1 < nres ? "," : "");
	fprintf(f, "  ]\n}\n");
	fclose(f);
	printf("aimc_bench: wrote %s\n", out);
	return 0;
}
