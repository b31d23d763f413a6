/* SPDX-License-Identifier: Apache-2.0 */
/* Unit test of the IR-drop model (analog_models/c/aimc_irdrop.c, docs/analog-model.md "IR drop"):
 * the full solve against an independent dense nodal analysis (Gaussian elimination written here),
 * zero resistances, the first-order formula, determinism and order independence through the
 * crossbar model, argument checks. The comparison with ngspice is test_irdrop_spice.
 * Usage: test_irdrop [--seed N]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_analog.h"
#include "aimc_irdrop.h"
#include "aimc_test.h"

static uint64_t stim_state;

static uint64_t stim_u64(void)
{
	uint64_t z = (stim_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t gi(uint32_t rows, uint32_t r, uint32_t k)
{
	return 2 * ((size_t)(k / 2) * rows + r) + (k & 1);
}

/* Reference: nodal analysis of the same network (all resistances > 0) as one dense system
 * A u = b over the 2 R K node voltages, solved by Gaussian elimination with partial pivoting;
 * returns the current into each sense node, (y[R-1][k] - 0) / (r_col + r_sense). */
static void dense_ref(const aimc_ir_params *p, uint32_t R, uint32_t C, const double *g, const double *v,
		      double *i_ref)
{
	uint32_t K = 2 * C, n = 2 * R * K;
	double *A = calloc((size_t)n * n, sizeof(double)), *b = calloc(n, sizeof(double));
	double gin = 1.0 / (p->r_drv + p->r_row), gw = 1.0 / p->r_row, gc = 1.0 / p->r_col;
	double gout = 1.0 / (p->r_col + p->r_sense);
#define X(r, k) ((r) * K + (k))
#define Y(r, k) (R * K + (r) * K + (k))
#define STAMP(a, bb, gg)                                                                          \
	do {                                                                                       \
		A[(size_t)(a) * n + (a)] += (gg);                                                  \
		A[(size_t)(bb) * n + (bb)] += (gg);                                                \
		A[(size_t)(a) * n + (bb)] -= (gg);                                                 \
		A[(size_t)(bb) * n + (a)] -= (gg);                                                 \
	} while (0)

	for (uint32_t r = 0; r < R; r++) {
		A[(size_t)X(r, 0) * n + X(r, 0)] += gin;
		b[X(r, 0)] += gin * v[r];
		for (uint32_t k = 1; k < K; k++)
			STAMP(X(r, k - 1), X(r, k), gw);
		for (uint32_t k = 0; k < K; k++)
			STAMP(X(r, k), Y(r, k), g[gi(R, r, k)]);
	}
	for (uint32_t k = 0; k < K; k++) {
		for (uint32_t r = 0; r + 1 < R; r++)
			STAMP(Y(r, k), Y(r + 1, k), gc);
		A[(size_t)Y(R - 1, k) * n + Y(R - 1, k)] += gout;
	}
	for (uint32_t c = 0; c < n; c++) {
		uint32_t piv = c;

		for (uint32_t r = c + 1; r < n; r++)
			if (fabs(A[(size_t)r * n + c]) > fabs(A[(size_t)piv * n + c]))
				piv = r;
		if (piv != c) {
			for (uint32_t j = 0; j < n; j++) {
				double t = A[(size_t)c * n + j];

				A[(size_t)c * n + j] = A[(size_t)piv * n + j];
				A[(size_t)piv * n + j] = t;
			}
			double t = b[c];
			b[c] = b[piv];
			b[piv] = t;
		}
		for (uint32_t r = c + 1; r < n; r++) {
			double f = A[(size_t)r * n + c] / A[(size_t)c * n + c];

			if (f == 0.0)
				continue;
			for (uint32_t j = c; j < n; j++)
				A[(size_t)r * n + j] -= f * A[(size_t)c * n + j];
			b[r] -= f * b[c];
		}
	}
	for (uint32_t c = n; c-- > 0;) {
		double s = b[c];

		for (uint32_t j = c + 1; j < n; j++)
			s -= A[(size_t)c * n + j] * b[j];
		b[c] = s / A[(size_t)c * n + c];
	}
	for (uint32_t k = 0; k < K; k++)
		i_ref[k] = b[Y(R - 1, k)] * gout;
	free(A);
	free(b);
#undef X
#undef Y
#undef STAMP
}

static void random_tile(uint32_t R, uint32_t C, double *g, double *v)
{
	for (uint32_t r = 0; r < R; r++) {
		v[r] = 0.1 * (double)(stim_u64() % 16u) / 15.0;
		for (uint32_t k = 0; k < 2 * C; k++)
			g[gi(R, r, k)] = 16e-9 + (double)(stim_u64() % 128u) * (16e-6 - 16e-9) / 127.0;
	}
}

static double max_rel(const double *a, const double *b, uint32_t n)
{
	double m = 0.0;

	for (uint32_t i = 0; i < n; i++) {
		double e = fabs(a[i] - b[i]) / fabs(b[i]);

		if (!(e <= m))
			m = e;
	}
	return m;
}

static void test_vs_dense(void)
{
	static const struct {
		uint32_t R, C;
		double rr, rc, rd, rs;
	} cases[] = {
		{4, 3, 1.2, 1.2, 100, 100}, {6, 5, 2.8, 0.7, 10, 50}, {3, 8, 50, 50, 1, 1},
		{8, 2, 500, 500, 1e3, 1e3}, /* IR drop of tens of percent */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t R = cases[i].R, C = cases[i].C, K = 2 * C;
		double g[2 * 8 * 8], v[8], i_full[16], i_ref[16];
		aimc_ir_params p = {AIMC_IR_FULL, cases[i].rr, cases[i].rc, cases[i].rd, cases[i].rs, 1e-14, 20000};
		aimc_ir_ws *ws = aimc_ir_ws_create(R, C);
		aimc_ir_stats st;
		char name[64];
		int rc;
		double e;

		random_tile(R, C, g, v);
		v[0] = 0.1; /* at least one driven row */
		rc = aimc_ir_solve(&p, R, C, g, v, i_full, ws, &st);
		dense_ref(&p, R, C, g, v, i_ref);
		e = max_rel(i_full, i_ref, K);
		snprintf(name, sizeof(name), "full_vs_dense_%ux%u_r%g", R, C, cases[i].rr);
		report(rc == 0 && st.converged && e < 1e-9, name,
		       "rc %d, %u sweeps, max relative error %.3g vs the dense nodal solve (limit 1e-9)", rc,
		       st.iters, e);
		aimc_ir_ws_destroy(ws);
	}
}

/* Zero resistances are ideal connections: all zero gives the ideal sum; zero driver / sense
 * resistance matches the dense solve with 1e-9 ohm there, a zero row wire with 1e-6 ohm (the dense
 * reference loses digits to conductances of 1e9 S between nodes). */
static void test_zero_resistance(void)
{
	uint32_t R = 5, C = 4, K = 8;
	double g[2 * 5 * 4], v[5], i_full[8], i_ref[8], ideal[8];
	aimc_ir_ws *ws = aimc_ir_ws_create(R, C);
	aimc_ir_params p = {AIMC_IR_FULL, 0, 0, 0, 0, 1e-14, 1000};
	aimc_ir_params q = {AIMC_IR_FULL, 3, 2, 0, 0, 1e-14, 1000};
	aimc_ir_params q_ref = {AIMC_IR_FULL, 3, 2, 1e-9, 1e-9, 1e-14, 1000};
	aimc_ir_params rows_ideal = {AIMC_IR_FULL, 0, 5, 20, 20, 1e-14, 1000};
	aimc_ir_params rows_ideal_ref = {AIMC_IR_FULL, 1e-6, 5, 20, 20, 1e-14, 1000};
	aimc_ir_params cols_ideal = {AIMC_IR_FULL, 4, 0, 10, 30, 1e-14, 1000};
	aimc_ir_params cols_ideal_ref = {AIMC_IR_FULL, 4, 1e-6, 10, 30, 1e-14, 1000};
	double e;

	random_tile(R, C, g, v);
	for (uint32_t k = 0; k < K; k++) {
		ideal[k] = 0.0;
		for (uint32_t r = 0; r < R; r++)
			ideal[k] += g[gi(R, r, k)] * v[r];
	}
	report(aimc_ir_solve(&p, R, C, g, v, i_full, ws, NULL) == 0 && max_rel(i_full, ideal, K) < 1e-14,
	       "zero_r_is_ideal_sum", "max relative error %.3g", max_rel(i_full, ideal, K));
	p.mode = AIMC_IR_FIRST;
	report(aimc_ir_solve(&p, R, C, g, v, i_full, ws, NULL) == 0 && max_rel(i_full, ideal, K) < 1e-14,
	       "zero_r_first_is_ideal_sum", "max relative error %.3g", max_rel(i_full, ideal, K));
	aimc_ir_solve(&q, R, C, g, v, i_full, ws, NULL);
	dense_ref(&q_ref, R, C, g, v, i_ref);
	e = max_rel(i_full, i_ref, K);
	report(e < 1e-8, "zero_drv_sense_vs_dense", "max relative error %.3g", e);
	aimc_ir_solve(&rows_ideal, R, C, g, v, i_full, ws, NULL);
	dense_ref(&rows_ideal_ref, R, C, g, v, i_ref);
	e = max_rel(i_full, i_ref, K);
	report(e < 1e-7, "zero_row_wire_vs_dense", "max relative error %.3g", e);
	aimc_ir_solve(&cols_ideal, R, C, g, v, i_full, ws, NULL);
	dense_ref(&cols_ideal_ref, R, C, g, v, i_ref);
	e = max_rel(i_full, i_ref, K);
	report(e < 1e-7, "zero_col_wire_vs_dense", "max relative error %.3g", e);
	aimc_ir_ws_destroy(ws);
}

/* First-order formula on one driven cell: I1 = G v (1 - G (r_drv + r_row + r_col + r_sense)),
 * and on a tile its error against the full solve shrinks as (G R)^2 (about 100x per 10x in R). */
static void test_first_order(void)
{
	double g[2] = {10e-6, 0.0}, v[1] = {0.08}, i1[2];
	aimc_ir_params p = {AIMC_IR_FIRST, 1.5, 2.5, 40, 60, 0, 0};
	aimc_ir_ws *ws = aimc_ir_ws_create(1, 1);
	double want = g[0] * v[0] * (1.0 - g[0] * (40 + 1.5 + 2.5 + 60));
	uint32_t R = 16, C = 16, K = 32;
	double *gt = malloc(2 * R * C * sizeof(double)), vt[16], f1[32], full[32];
	double err[2];
	aimc_ir_ws *wt = aimc_ir_ws_create(R, C);

	report(aimc_ir_solve(&p, 1, 1, g, v, i1, ws, NULL) == 0 && fabs(i1[0] - want) <= 1e-15 * want &&
		       i1[1] == 0.0,
	       "first_order_one_cell", "got %.17g, want %.17g", i1[0], want);
	random_tile(R, C, gt, vt);
	for (int s = 0; s < 2; s++) {
		double r = s == 0 ? 1.0 : 10.0;
		aimc_ir_params a = {AIMC_IR_FIRST, r, r, 10 * r, 10 * r, 1e-14, 20000};

		aimc_ir_solve(&a, R, C, gt, vt, f1, wt, NULL);
		a.mode = AIMC_IR_FULL;
		aimc_ir_solve(&a, R, C, gt, vt, full, wt, NULL);
		err[s] = max_rel(f1, full, K);
	}
	report(err[1] / err[0] > 50.0 && err[1] / err[0] < 200.0, "first_order_error_quadratic",
	       "error vs full at R and 10 R: %.3g, %.3g (ratio %.1f, expected about 100)", err[0], err[1],
	       err[1] / err[0]);
	free(gt);
	aimc_ir_ws_destroy(ws);
	aimc_ir_ws_destroy(wt);
}

static aimc_cfg ir_cfg(uint32_t mode, double read_sigma)
{
	aimc_cfg c;

	aimc_cfg_defaults(&c);
	snprintf(c.name, sizeof(c.name), "ir");
	c.rows = 32;
	c.cols = 16;
	c.num_tiles = 2;
	c.dac_bits = 2;
	c.read_sigma = read_sigma;
	c.ir_mode = mode;
	c.r_wire_row = 5.0; /* large enough that the IR drop moves ADC codes */
	c.r_wire_col = 5.0;
	return c;
}

static void program_random(aimc_xbar *xb, const aimc_cfg *c, int reverse, uint64_t wseed)
{
	int8_t w[64];

	for (uint32_t t = 0; t < c->num_tiles; t++)
		for (uint32_t i = 0; i < c->rows; i++) {
			uint32_t r = reverse ? c->rows - 1 - i : i;

			stim_state = wseed ^ ((uint64_t)t << 40) ^ r;
			for (uint32_t col = 0; col < c->cols; col++)
				w[col] = (int8_t)((int)(stim_u64() % 255u) - 127);
			aimc_xbar_program_row(xb, t, r, w, 0);
		}
}

/* Through the crossbar model: the same state gives the same bits in any conversion order, a
 * program after an apply is seen by the next conversion, and off mode is the ideal sum. */
static void test_xbar_hook(void)
{
	for (uint32_t mode = 1; mode <= 2; mode++) {
		aimc_cfg c = ir_cfg(mode, 0.005);
		aimc_xbar *a = aimc_xbar_create(&c, seed), *b = aimc_xbar_create(&c, seed);
		aimc_xbar *o = NULL;
		uint8_t d[32];
		double ia[16], ib[16];
		int same = 1, moved = 0;
		char name[64];

		program_random(a, &c, 0, seed);
		program_random(b, &c, 1, seed);
		for (uint32_t r = 0; r < c.rows; r++)
			d[r] = (uint8_t)(r % 4);
		aimc_xbar_apply(a, 1, d);
		aimc_xbar_apply(b, 1, d);
		for (uint32_t col = 0; col < c.cols; col++)
			ia[col] = aimc_xbar_current(a, 1, col, 7 + col);
		for (uint32_t col = c.cols; col-- > 0;) {
			ib[col] = aimc_xbar_current(b, 1, col, 7 + col);
			ib[col] = aimc_xbar_current(b, 1, col, 7 + col); /* repeated: same bits */
		}
		same = memcmp(ia, ib, sizeof(ia)) == 0;
		snprintf(name, sizeof(name), "xbar_order_independent_mode%u", mode);
		report(same, name, "currents differ between forward and reverse conversion order");
		{
			/* converged solves leave no diagnostic (aimc_xbar_diag: the library prints nothing) */
			char msg[256] = "x";

			snprintf(name, sizeof(name), "xbar_diag_none_mode%u", mode);
			report(aimc_xbar_diag(a, msg, sizeof(msg)) == 0 && msg[0] == '\0' &&
				       aimc_xbar_diag(NULL, NULL, 0) == 0,
			       name, "expected no diagnostic after converged solves, got \"%s\"", msg);
		}

		/* reprogram tile 1 of a after the apply: the next read must see the new weights */
		program_random(a, &c, 0, seed + 99);
		program_random(b, &c, 0, seed + 99);
		aimc_xbar_apply(b, 1, d);
		for (uint32_t col = 0; col < c.cols; col++) {
			double x = aimc_xbar_current(a, 1, col, 3), y = aimc_xbar_current(b, 1, col, 3);

			if (memcmp(&x, &y, sizeof(x)) != 0)
				same = 0;
			if (x != ia[col])
				moved = 1;
		}
		snprintf(name, sizeof(name), "xbar_program_invalidates_mode%u", mode);
		report(same && moved, name, "after reprogramming: same %d, moved %d", same, moved);

		/* the IR drop changes codes against the off mode, and only lowers |I| on average */
		c.ir_mode = 0;
		o = aimc_xbar_create(&c, seed);
		program_random(o, &c, 0, seed + 99);
		aimc_xbar_apply(o, 1, d);
		{
			double s_ir = 0.0, s_off = 0.0;

			for (uint32_t col = 0; col < c.cols; col++) {
				s_ir += fabs(aimc_xbar_current(a, 1, col, 3));
				s_off += fabs(aimc_xbar_current(o, 1, col, 3));
			}
			snprintf(name, sizeof(name), "xbar_ir_lowers_current_mode%u", mode);
			report(s_ir < s_off && s_ir > 0.5 * s_off, name, "sum |I| with IR %.6g, off %.6g", s_ir,
			       s_off);
		}
		aimc_xbar_destroy(a);
		aimc_xbar_destroy(b);
		aimc_xbar_destroy(o);
	}
}

static void test_args_and_convergence(void)
{
	double g[2 * 4 * 4], v[4], i[8];
	aimc_ir_ws *ws = aimc_ir_ws_create(4, 4);
	aimc_ir_params p = {AIMC_IR_FULL, 1, 1, 1, 1, 1e-12, 100};
	aimc_ir_params bad = p;
	aimc_ir_stats st;
	int ok = 1;

	random_tile(4, 4, g, v);
	v[0] = 0.1;
	bad.r_row = -1;
	ok &= aimc_ir_solve(&bad, 4, 4, g, v, i, ws, NULL) == AIMC_EINVAL;
	bad = p;
	bad.r_sense = NAN;
	ok &= aimc_ir_solve(&bad, 4, 4, g, v, i, ws, NULL) == AIMC_EINVAL;
	bad = p;
	bad.mode = AIMC_IR_OFF;
	ok &= aimc_ir_solve(&bad, 4, 4, g, v, i, ws, NULL) == AIMC_EINVAL;
	ok &= aimc_ir_solve(&p, 5, 4, g, v, i, ws, NULL) == AIMC_EINVAL; /* larger than the workspace */
	ok &= aimc_ir_solve(&p, 4, 4, NULL, v, i, ws, NULL) == AIMC_EINVAL;
	ok &= aimc_ir_ws_create(0, 4) == NULL;
	report(ok, "bad_arguments_rejected", "expected -1 / NULL for every bad argument");

	/* 1 sweep is not enough with a tight tolerance: return 1 and say so */
	bad = p;
	bad.r_row = bad.r_col = 1e4;
	bad.max_iter = 1;
	report(aimc_ir_solve(&bad, 4, 4, g, v, i, ws, &st) == 1 && st.converged == 0 && st.iters == 1,
	       "nonconvergence_reported", "expected rc 1, converged 0, 1 sweep; got %d %u", st.converged,
	       st.iters);
	aimc_ir_ws_destroy(ws);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	stim_state = seed;
	test_vs_dense();
	test_zero_resistance();
	test_first_order();
	test_xbar_hook();
	test_args_and_convergence();
	printf("%s\n", failures ? "FAILED" : "OK");
	return failures ? 1 : 0;
}
