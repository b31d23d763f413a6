/* SPDX-License-Identifier: Apache-2.0 */
/* Wire resistance and IR drop of one crossbar tile (docs/analog-model.md "IR drop").
 *
 * The network: Rows row wires and 2·Cols column wires (one per cell, the differential pairs of
 * docs/analog-model.md "Mapping": cell k = 2c is the positive, 2c+1 the negative cell of logical
 * column c). Cell (r, k) is a conductance G[r][k] between row node x[r][k] and column node y[r][k].
 *   row r:    V[r] --(r_drv + r_row)-- x[r][0] --r_row-- x[r][1] -- ... --r_row-- x[r][K-1]
 *   column k: y[0][k] --r_col-- y[1][k] -- ... -- y[R-1][k] --(r_col + r_sense)-- sense node, 0 V
 * Every cell has one row and one column wire segment; the DAC sits at column 0 of each row, the
 * sense amplifier (a virtual ground at 0 V) at the bottom of each column.
 *
 * Modes: AIMC_IR_OFF is not handled here (the caller keeps its ideal sum); AIMC_IR_FIRST is the
 * one-step estimate from the ideal currents; AIMC_IR_FULL solves the network (block Gauss-Seidel
 * with exact line solves, stopped when no node voltage moves more than tol volts in a sweep).
 * Pure C, fixed operation order: the same inputs give the same bits on any IEEE-754 machine. */
#ifndef AIMC_IRDROP_H
#define AIMC_IRDROP_H

#include <stdint.h>
#include <stdio.h>

#include "aimc_api.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { AIMC_IR_OFF = 0, AIMC_IR_FIRST = 1, AIMC_IR_FULL = 2 };

typedef struct aimc_ir_params {
	uint32_t mode;       /* AIMC_IR_FIRST or AIMC_IR_FULL */
	double r_row;        /* ohm, row wire segment per cell, >= 0 */
	double r_col;        /* ohm, column wire segment per cell, >= 0 */
	double r_drv;        /* ohm, output resistance of the row driver (DAC), >= 0 */
	double r_sense;      /* ohm, input resistance of the column sense node, >= 0 */
	double tol;          /* full: stop when max |dV| of a sweep <= tol, volts (> 0) */
	uint32_t max_iter;   /* full: sweeps at most (>= 1) */
} aimc_ir_params;

typedef struct aimc_ir_stats {
	uint32_t iters;      /* full: sweeps done (0 for first-order) */
	double last_dv;      /* full: max |dV| of the last sweep, volts */
	int converged;       /* 1 if last_dv <= tol (first-order: always 1) */
} aimc_ir_stats;

typedef struct aimc_ir_ws aimc_ir_ws;

/* Workspace for tiles of up to rows x 2·cols cells (node voltages and line-solve scratch). */
AIMC_API aimc_ir_ws *aimc_ir_ws_create(uint32_t rows, uint32_t cols);
AIMC_API void aimc_ir_ws_destroy(aimc_ir_ws *ws);

/* Node voltages of the last solve: x (row wire) or y (column wire) of cell (r, k), volts. */
AIMC_API double aimc_ir_ws_node(const aimc_ir_ws *ws, int column_side, uint32_t r, uint32_t k);

/* Column currents of one read. g: conductances in the layout of aimc_analog.c, cell (r, k) at
 * g[2 (k/2 · rows + r) + (k & 1)], siemens; v[r]: row input voltages, volts. Writes i_cell[k] for
 * k in [0, 2·cols): the current leaving cell column k into its sense node, amperes (the caller
 * subtracts i_cell[2c+1] from i_cell[2c]). Returns 0; AIMC_EINVAL on a bad argument; 1 if the full solve
 * stopped at max_iter without converging (i_cell then holds the last iterate). */
AIMC_API int aimc_ir_solve(const aimc_ir_params *p, uint32_t rows, uint32_t cols, const double *g,
			   const double *v, double *i_cell, aimc_ir_ws *ws, aimc_ir_stats *st);

/* Write the same network as a SPICE netlist (ngspice syntax, DC operating point) to f: sources
 * vin<r> (row inputs), resistors for every wire segment and cell (1/G; a cell with G = 0 is left
 * open), a zero-volt source in place of a zero resistance, and a zero-volt source vs<k> at the
 * bottom of cell column k whose current i(vs<k>) is i_cell[k] of aimc_ir_solve. Values are
 * printed with 17 significant digits. p->mode and p->tol are not used. The library writes to f
 * only (the caller's stream). Returns AIMC_OK, AIMC_EINVAL on a bad argument (a negative or
 * non-finite conductance included), or AIMC_EIO on a write error. */
AIMC_API int aimc_ir_write_spice(FILE *f, const aimc_ir_params *p, uint32_t rows, uint32_t cols,
				 const double *g, const double *v, const char *title);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_IRDROP_H */
