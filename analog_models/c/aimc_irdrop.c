/* SPDX-License-Identifier: Apache-2.0 */
/* Wire resistance and IR drop of one crossbar tile: first-order estimate and full network solve
 * (aimc_irdrop.h, docs/analog-model.md "IR drop"). */
#include "aimc_irdrop.h"

#include <math.h>
#include <stdlib.h>

struct aimc_ir_ws {
	uint32_t rows, cells;  /* capacity: rows x cells (cells = 2·cols) */
	uint32_t r_used, k_used; /* geometry of the last solve */
	double *x, *y;         /* node voltages [r * cells + k] */
	double *lg, *lu, *lx, *lc; /* one line: conductances, far-end voltages, solution, Thomas scratch */
	double *gr;            /* full: conductances, row-major [r * cells + k] */
	double *cp, *yn;       /* full: column sweep, all columns at once: Thomas factors, solution */
};

aimc_ir_ws *aimc_ir_ws_create(uint32_t rows, uint32_t cols)
{
	aimc_ir_ws *ws;
	size_t cells = (size_t)cols * 2, n = (size_t)rows * cells;
	size_t line = rows > cells ? rows : cells;

	if (rows == 0 || cols == 0)
		return NULL;
	ws = calloc(1, sizeof(*ws));
	if (ws == NULL)
		return NULL;
	ws->rows = rows;
	ws->cells = (uint32_t)cells;
	ws->x = calloc(n, sizeof(double));
	ws->y = calloc(n, sizeof(double));
	ws->lg = malloc(line * sizeof(double));
	ws->lu = malloc(line * sizeof(double));
	ws->lx = malloc(line * sizeof(double));
	ws->lc = malloc(line * sizeof(double));
	ws->gr = malloc(n * sizeof(double));
	ws->cp = malloc(n * sizeof(double));
	ws->yn = malloc(n * sizeof(double));
	if (ws->x == NULL || ws->y == NULL || ws->lg == NULL || ws->lu == NULL || ws->lx == NULL ||
	    ws->lc == NULL || ws->gr == NULL || ws->cp == NULL || ws->yn == NULL) {
		aimc_ir_ws_destroy(ws);
		return NULL;
	}
	return ws;
}

void aimc_ir_ws_destroy(aimc_ir_ws *ws)
{
	if (ws == NULL)
		return;
	free(ws->x);
	free(ws->y);
	free(ws->lg);
	free(ws->lu);
	free(ws->lx);
	free(ws->lc);
	free(ws->gr);
	free(ws->cp);
	free(ws->yn);
	free(ws);
}

double aimc_ir_ws_node(const aimc_ir_ws *ws, int column_side, uint32_t r, uint32_t k)
{
	if (ws == NULL || r >= ws->r_used || k >= ws->k_used)
		return NAN;
	return (column_side ? ws->y : ws->x)[(size_t)r * ws->k_used + k];
}

static double cell_g(const double *g, uint32_t rows, uint32_t r, uint32_t k)
{
	return g[2 * ((size_t)(k / 2) * rows + r) + (k & 1)];
}

/* One wire of n nodes: node j connects to voltage u[j] through G[j] (the cells), to node j+1
 * through rw (the wire segments), and node 0 to the source voltage vs through rs. Solves KCL for
 * x[0..n-1] exactly (Thomas algorithm; the matrix is symmetric and diagonally dominant). A zero
 * resistance is an ideal connection: rs = 0 fixes x[0] = vs, rw = 0 makes the wire one node. */
static void line_solve(uint32_t n, const double *G, const double *u, double vs, double rs, double rw,
		       double *x, double *cp)
{
	uint32_t s;
	double gw, prev;

	if (rw == 0.0) {
		double num, den;

		if (rs == 0.0) {
			for (uint32_t j = 0; j < n; j++)
				x[j] = vs;
			return;
		}
		num = vs / rs;
		den = 1.0 / rs;
		for (uint32_t j = 0; j < n; j++) {
			num += G[j] * u[j];
			den += G[j];
		}
		for (uint32_t j = 0; j < n; j++)
			x[j] = num / den;
		return;
	}
	gw = 1.0 / rw;
	/* Unknowns s..n-1; with rs = 0, node 0 is fixed at vs and feeds node 1 through gw. */
	s = rs == 0.0 ? 1u : 0u;
	if (s == 1)
		x[0] = vs;
	if (s >= n)
		return;
	prev = 0.0; /* c'_{j-1}: super-diagonal after elimination */
	for (uint32_t j = s; j < n; j++) {
		double diag = G[j] + (j + 1 < n ? gw : 0.0);
		double rhs = G[j] * u[j];
		double m;

		if (j == 0) {
			diag += 1.0 / rs;
			rhs += vs / rs;
		} else {
			diag += gw;
			if (j == s) /* j == 1, node 0 fixed */
				rhs += gw * vs;
		}
		if (j > s) {
			/* eliminate the sub-diagonal -gw: diag' = diag - gw c'_{j-1}, rhs' = rhs + gw x'_{j-1} */
			diag -= gw * prev;
			rhs += gw * x[j - 1];
		}
		m = 1.0 / diag;
		prev = gw * m; /* c'_j = -(-gw) / diag' */
		cp[j] = prev;
		x[j] = rhs * m;
	}
	for (uint32_t j = n - 1; j > s; j--)
		x[j - 1] += cp[j - 1] * x[j];
}

/* First-order estimate: the ideal cell currents I0 = G v flow through the wires; each row node
 * drops by the sum of (segment resistance x current through that segment) between it and the
 * driver, each column node rises by the same sum between it and the sense node; one more cell
 * evaluation I1 = G (x - y) with those node voltages. */
static void first_order(const aimc_ir_params *p, uint32_t rows, uint32_t K, const double *g,
			const double *v, double *i_cell, aimc_ir_ws *ws)
{
	double *x = ws->x, *y = ws->y;

	for (uint32_t r = 0; r < rows; r++) {
		double *xr = x + (size_t)r * K;
		double s = 0.0, drop;

		/* suffix sums: current through segment k = sum of I0 of cells k..K-1 */
		for (uint32_t k = K; k-- > 0;) {
			s += cell_g(g, rows, r, k) * v[r];
			xr[k] = s;
		}
		drop = (p->r_drv + p->r_row) * xr[0];
		xr[0] = v[r] - drop;
		for (uint32_t k = 1; k < K; k++) {
			drop += p->r_row * xr[k];
			xr[k] = v[r] - drop;
		}
	}
	for (uint32_t k = 0; k < K; k++) {
		double t = 0.0;

		/* prefix sums: current through the segment below node r = sum of I0 of cells 0..r */
		for (uint32_t r = 0; r < rows; r++) {
			t += cell_g(g, rows, r, k) * v[r];
			y[(size_t)r * K + k] = t;
		}
	}
	for (uint32_t k = 0; k < K; k++) {
		double rise = (p->r_col + p->r_sense) * y[(size_t)(rows - 1) * K + k];

		y[(size_t)(rows - 1) * K + k] = rise;
		for (uint32_t r = rows - 1; r-- > 0;) {
			rise += p->r_col * y[(size_t)r * K + k];
			y[(size_t)r * K + k] = rise;
		}
	}
	for (uint32_t k = 0; k < K; k++)
		i_cell[k] = 0.0;
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t k = 0; k < K; k++)
			i_cell[k] += cell_g(g, rows, r, k) * (x[(size_t)r * K + k] - y[(size_t)r * K + k]);
}

/* Column sweep with r_col > 0, all K columns at once (the same Thomas recurrences as line_solve,
 * node j = row rows-1-j, sense end at j = 0, source at 0 V; the inner loops run over k, so memory
 * is walked contiguously). Writes the new column voltages to yn, returns max |yn - y|. */
static double column_sweep(const aimc_ir_params *p, uint32_t rows, uint32_t K, aimc_ir_ws *ws)
{
	const double *G = ws->gr, *x = ws->x, *y = ws->y;
	double *P = ws->cp, *D = ws->yn;
	/* rs >= r_col > 0: the sense end is never an ideal connection here */
	double gw = 1.0 / p->r_col, rs = p->r_col + p->r_sense, dv = 0.0;

	for (uint32_t j = 0; j < rows; j++) {
		size_t o = (size_t)(rows - 1 - j) * K, op = (size_t)(rows - j) * K; /* row of node j, j-1 */
		double right = j + 1 < rows ? gw : 0.0;
		double left = j == 0 ? 1.0 / rs : gw;

		for (uint32_t k = 0; k < K; k++) {
			double diag = G[o + k] + right + left;
			double rhs = G[o + k] * x[o + k];
			double m;

			if (j > 0) {
				diag -= gw * P[op + k];
				rhs += gw * D[op + k];
			}
			m = 1.0 / diag;
			P[o + k] = gw * m;
			D[o + k] = rhs * m;
		}
	}
	for (uint32_t j = rows - 1; j > 0; j--) {
		size_t o = (size_t)(rows - 1 - j) * K, op = (size_t)(rows - j) * K;

		for (uint32_t k = 0; k < K; k++)
			D[op + k] += P[op + k] * D[o + k];
	}
	for (size_t i = 0; i < (size_t)rows * K; i++) {
		double d = fabs(D[i] - y[i]);

		if (d > dv)
			dv = d;
	}
	return dv;
}

/* Full solve: block Gauss-Seidel over lines. A sweep solves every row wire exactly for fixed
 * column voltages, then every column wire exactly for the new row voltages. The matrix of the
 * network is symmetric positive definite, so the sweeps converge; they stop when the largest
 * change of any node voltage in a sweep is <= tol. */
static int full_solve(const aimc_ir_params *p, uint32_t rows, uint32_t K, const double *g,
		      const double *v, double *i_cell, aimc_ir_ws *ws, aimc_ir_stats *st)
{
	double *x = ws->x, *y = ws->y, *G = ws->gr;
	double dv = 0.0;
	uint32_t it;

	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t k = 0; k < K; k++) {
			G[(size_t)r * K + k] = cell_g(g, rows, r, k);
			x[(size_t)r * K + k] = v[r];
			y[(size_t)r * K + k] = 0.0;
		}
	for (it = 1; it <= p->max_iter; it++) {
		dv = 0.0;
		for (uint32_t r = 0; r < rows; r++) {
			double *xr = x + (size_t)r * K;

			line_solve(K, G + (size_t)r * K, y + (size_t)r * K, v[r], p->r_drv + p->r_row, p->r_row,
				   ws->lx, ws->lc);
			for (uint32_t k = 0; k < K; k++) {
				double d = fabs(ws->lx[k] - xr[k]);

				if (d > dv)
					dv = d;
				xr[k] = ws->lx[k];
			}
		}
		if (p->r_col > 0.0) {
			double d = column_sweep(p, rows, K, ws);
			double *t = ws->y;

			if (d > dv)
				dv = d;
			ws->y = ws->yn; /* the new column voltages become y */
			ws->yn = t;
			y = ws->y;
		} else {
			for (uint32_t k = 0; k < K; k++) {
				/* ideal column wire: one node per column (line_solve's rw = 0 case) */
				for (uint32_t r = 0; r < rows; r++) {
					ws->lg[r] = G[(size_t)r * K + k];
					ws->lu[r] = x[(size_t)r * K + k];
				}
				line_solve(rows, ws->lg, ws->lu, 0.0, p->r_sense, 0.0, ws->lx, ws->lc);
				for (uint32_t r = 0; r < rows; r++) {
					double *yn = &y[(size_t)r * K + k];
					double d = fabs(ws->lx[r] - *yn);

					if (d > dv)
						dv = d;
					*yn = ws->lx[r];
				}
			}
		}
		if (dv <= p->tol)
			break;
	}
	for (uint32_t k = 0; k < K; k++)
		i_cell[k] = 0.0;
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t k = 0; k < K; k++)
			i_cell[k] += G[(size_t)r * K + k] * (x[(size_t)r * K + k] - y[(size_t)r * K + k]);
	st->iters = it > p->max_iter ? p->max_iter : it;
	st->last_dv = dv;
	st->converged = dv <= p->tol;
	return st->converged ? 0 : 1;
}

static int bad_r(double r)
{
	return !(r >= 0.0) || !isfinite(r);
}

int aimc_ir_solve(const aimc_ir_params *p, uint32_t rows, uint32_t cols, const double *g,
		  const double *v, double *i_cell, aimc_ir_ws *ws, aimc_ir_stats *st)
{
	aimc_ir_stats dummy;
	uint32_t K = 2 * cols;

	if (st == NULL)
		st = &dummy;
	st->iters = 0;
	st->last_dv = 0.0;
	st->converged = 1;
	if (p == NULL || g == NULL || v == NULL || i_cell == NULL || ws == NULL || rows == 0 ||
	    cols == 0 || rows > ws->rows || K > ws->cells || bad_r(p->r_row) || bad_r(p->r_col) ||
	    bad_r(p->r_drv) || bad_r(p->r_sense))
		return AIMC_EINVAL;
	ws->r_used = rows;
	ws->k_used = K;
	if (p->mode == AIMC_IR_FIRST) {
		first_order(p, rows, K, g, v, i_cell, ws);
		return 0;
	}
	if (p->mode != AIMC_IR_FULL || !(p->tol > 0.0) || p->max_iter == 0)
		return AIMC_EINVAL;
	return full_solve(p, rows, K, g, v, i_cell, ws, st);
}

/* A resistor of r ohms between a and b, or a zero-volt source (an ideal short) when r = 0. */
static void spice_r(FILE *f, const char *name, const char *a, const char *b, double r)
{
	if (r == 0.0)
		fprintf(f, "V%s %s %s DC 0\n", name, a, b);
	else
		fprintf(f, "R%s %s %s %.17g\n", name, a, b, r);
}

int aimc_ir_write_spice(FILE *f, const aimc_ir_params *p, uint32_t rows, uint32_t cols,
			const double *g, const double *v, const char *title)
{
	uint32_t K = 2 * cols;
	char a[48], b[48], name[48];

	if (f == NULL || p == NULL || g == NULL || v == NULL || rows == 0 || cols == 0 ||
	    bad_r(p->r_row) || bad_r(p->r_col) || bad_r(p->r_drv) || bad_r(p->r_sense))
		return AIMC_EINVAL;
	fprintf(f, "* %s\n", title != NULL ? title : "aimc crossbar tile, IR drop");
	fprintf(f, "* %u rows x %u cell columns; r_row %.17g r_col %.17g r_drv %.17g r_sense %.17g ohm\n",
		rows, K, p->r_row, p->r_col, p->r_drv, p->r_sense);
	for (uint32_t r = 0; r < rows; r++) {
		fprintf(f, "Vin%u in%u 0 DC %.17g\n", r, r, v[r]);
		snprintf(a, sizeof(a), "in%u", r);
		snprintf(b, sizeof(b), "x%u_0", r);
		snprintf(name, sizeof(name), "d%u", r);
		spice_r(f, name, a, b, p->r_drv + p->r_row);
		for (uint32_t k = 1; k < K; k++) {
			snprintf(a, sizeof(a), "x%u_%u", r, k - 1);
			snprintf(b, sizeof(b), "x%u_%u", r, k);
			snprintf(name, sizeof(name), "r%u_%u", r, k);
			spice_r(f, name, a, b, p->r_row);
		}
	}
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t k = 0; k < K; k++) {
			double gc = cell_g(g, rows, r, k);

			if (!(gc >= 0.0) || !isfinite(gc))
				return AIMC_EINVAL;
			if (gc > 0.0)
				fprintf(f, "Rc%u_%u x%u_%u y%u_%u %.17g\n", r, k, r, k, r, k, 1.0 / gc);
		}
	for (uint32_t k = 0; k < K; k++) {
		for (uint32_t r = 0; r + 1 < rows; r++) {
			snprintf(a, sizeof(a), "y%u_%u", r, k);
			snprintf(b, sizeof(b), "y%u_%u", r + 1, k);
			snprintf(name, sizeof(name), "v%u_%u", r, k);
			spice_r(f, name, a, b, p->r_col);
		}
		snprintf(a, sizeof(a), "y%u_%u", rows - 1, k);
		snprintf(b, sizeof(b), "s%u", k);
		snprintf(name, sizeof(name), "b%u", k);
		spice_r(f, name, a, b, p->r_col + p->r_sense);
		fprintf(f, "Vs%u s%u 0 DC 0\n", k, k);
	}
	fprintf(f, ".options filetype=ascii\n.op\n.end\n");
	return ferror(f) ? AIMC_EIO : AIMC_OK;
}
