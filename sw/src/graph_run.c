/* SPDX-License-Identifier: Apache-2.0 */
/* Graph executor (network format 3) on any aimc_mmio back-end: the plan of graph_compile.c is
 * set up once (every used tile programmed from its image, staged through the weight buffer; the
 * parameter blocks; the node programs when they all fit the instruction buffer), then each
 * sample runs node after node: driver nodes with aimc_graph_host_node, chip nodes as their im2col
 * vectors (x + 128, u8) in batches through the node's program, the int8 outputs of each
 * sub-block's columns read back. Tiles are never reprogrammed after setup. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_regs.h"

#define MAP_OFF(member) ((uint32_t)offsetof(aimc_map_t, member))
#define BYTES_PER_WORD 4u
#define PROG_A_MAX 0xFFFFu
/* Poll bound per program (generous: it only has to stop a hung chip; a poll takes >= 1 clock). */
#define POLL_BASE 10000u
#define POLL_PER_INSTR 64u
#define POLL_PROG_PER_CELL 64u
#define POLL_MVM_PER_PHASE 64u
#define POLL_POST_PER_COL 16u
#define POLL_MARGIN 4u

static uint32_t polls_for(const aimc_cfg *cfg, const uint64_t *prog, size_t n)
{
	uint64_t est = POLL_BASE, phase, slices = (8u + cfg->dac_bits - 1u) / cfg->dac_bits;
	size_t i;

	phase = cfg->settle_cycles + (uint64_t)cfg->cols_per_adc * cfg->weight_slices * (cfg->adc_cycles + 4u) +
		cfg->rows / 4u + POLL_MVM_PER_PHASE;
	for (i = 0; i < n; i++) {
		unsigned op = (unsigned)((prog[i] >> AIMC_INSTR_OP_LSB) & AIMC_INSTR_OP_MASK);

		est += POLL_PER_INSTR;
		if (op == AIMC_OP_PROG)
			est += (uint64_t)cfg->rows * aimc_cfg_array_cols(cfg) * POLL_PROG_PER_CELL;
		else if (op == AIMC_OP_MVM)
			est += 2u * slices * phase;
		else if (op == AIMC_OP_POST || op == AIMC_OP_ACCADD)
			est += (uint64_t)cfg->cols * POLL_POST_PER_COL;
	}
	est *= POLL_MARGIN;
	return est > UINT32_MAX ? UINT32_MAX : (uint32_t)est;
}

static void stats_add(aimc_gnode_stats *s, const aimc_counters *d)
{
	s->cycles += d->cycles;
	s->instrs += d->instrs;
	s->mvms += d->mvms;
	s->convs += d->convs;
	s->adc_convs += d->adc_convs;
	s->sats += d->sats;
	s->reads += d->reads;
}

/* Driver-side counts of a program run (s may be NULL: setup): every instruction up to and with
 * HALT runs once (the graph programs have no JUMP or LOOP). */
static void prog_count(aimc_gnode_stats *s, const uint64_t *prog, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		unsigned op = (unsigned)((prog[i] >> AIMC_INSTR_OP_LSB) & AIMC_INSTR_OP_MASK);

		s->issued++;
		if (op == AIMC_OP_POST)
			s->posts++;
		else if (op == AIMC_OP_ACCADD)
			s->accadds++;
		else if (op == AIMC_OP_HALT)
			break;
	}
}

static int run_prog(aimc_grun *r, uint32_t pc, const uint64_t *prog, size_t n,
		    aimc_gnode_stats *s)
{
	uint32_t polls = r->max_polls ? r->max_polls : polls_for(r->cfg, prog, n);
	int rc = aimc_run(r->m, pc, polls, &r->chip_err, &r->chip_pc);

	if (rc == AIMC_OK)
		prog_count(s, prog, n);
	return rc;
}

void aimc_graph_run_close(aimc_grun *r)
{
	if (r == NULL)
		return;
	free(r->st.node);
	memset(r, 0, sizeof(*r));
}

/* Program every used tile: images staged through the weight buffer, as many per run of a
 * PROG ... HALT program as the buffer and the 16-bit PROG address hold. */
static int program_tiles(aimc_grun *r)
{
	const aimc_cfg *cfg = r->cfg;
	const aimc_gplan *p = r->p;
	uint32_t per = cfg->wgt_depth / p->blk_words, t = 0;
	uint64_t *prog;
	int rc = AIMC_OK;

	if (per > PROG_A_MAX / p->blk_words + 1u)
		per = PROG_A_MAX / p->blk_words + 1u;
	if (per > cfg->instr_depth - 1u)
		per = cfg->instr_depth - 1u;
	if (per == 0)
		return AIMC_EFIT;
	prog = calloc(per + 1u, sizeof(*prog));
	if (prog == NULL)
		return AIMC_ENOMEM;
	while (t < p->n_tiles && rc == AIMC_OK) {
		uint32_t n = 0;

		for (; t < p->n_tiles && n < per; t++) {
			if (!((p->tile_mask >> t) & 1u))
				continue;
			rc = aimc_mem_write(r->m, MAP_OFF(weight), n * p->blk_words,
					    &p->wgt[(size_t)t * p->blk_words], p->blk_words);
			if (rc != AIMC_OK)
				break;
			r->st.setup_host_bytes += (uint64_t)p->blk_words * BYTES_PER_WORD;
			prog[n] = aimc_instr(AIMC_OP_PROG, t, 0, n * p->blk_words, 0, 0);
			n++;
		}
		if (rc != AIMC_OK || n == 0)
			break;
		prog[n] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		rc = aimc_prog_load(r->m, cfg, prog, n + 1u);
		r->st.setup_host_bytes += (uint64_t)(n + 1u) * sizeof(*prog);
		if (rc == AIMC_OK)
			rc = run_prog(r, 0, prog, n + 1u, NULL);
	}
	free(prog);
	return rc;
}

/* All node programs at their pc (aimc_gplan.progs_resident). */
static int load_all_programs(aimc_grun *r)
{
	const aimc_gplan *p = r->p;
	uint64_t *all;
	uint32_t ni, w;
	int rc;

	if (p->prog_words == 0)
		return AIMC_OK;
	all = calloc(p->prog_words, sizeof(*all));
	if (all == NULL)
		return AIMC_ENOMEM;
	for (ni = 0; ni < p->n_nodes; ni++)
		for (w = 0; w < 2; w++)
			if (p->nodes[ni].n_prog[w] > 0)
				memcpy(&all[p->nodes[ni].pc[w]], p->nodes[ni].prog[w],
				       p->nodes[ni].n_prog[w] * sizeof(*all));
	rc = aimc_prog_load(r->m, r->cfg, all, p->prog_words);
	r->st.setup_host_bytes += (uint64_t)p->prog_words * sizeof(*all);
	free(all);
	return rc;
}

/* The chip's feature bit (cfg5.no_tfl, read before anything is written) against the plan: a chip
 * built with isa_tfl = 0 would stop every program that uses the tfl POST or ACCADD with ILLEGAL. */
static int chip_has_tfl(aimc_grun *r)
{
	uint32_t v, ni = 0;
	int rc;

	if (!aimc_gplan_needs_tfl(r->p, &ni))
		return AIMC_OK;
	rc = aimc_mmio_read32(r->m, MAP_OFF(csr.cfg5), &v);
	if (rc != AIMC_OK)
		return rc;
	if ((v & AIMC_CSR__CFG5__NO_TFL_bm) != 0) {
		r->err_node = ni;
		return AIMC_EUNSUPPORTED;
	}
	return AIMC_OK;
}

int aimc_graph_run_open(aimc_grun *r, aimc_mmio *m, const aimc_cfg *cfg, const aimc_graph *g,
			const aimc_gplan *p, uint32_t max_polls, int count)
{
	aimc_counters c0, c1, d;
	int rc;

	if (r == NULL)
		return AIMC_EINVAL;
	memset(r, 0, sizeof(*r));
	if (m == NULL || cfg == NULL || g == NULL || p == NULL || p->n_nodes != g->n_nodes ||
	    p->rows != cfg->rows || p->cols != cfg->cols || p->n_tiles != cfg->num_tiles)
		return AIMC_EINVAL;
	r->m = m;
	r->cfg = cfg;
	r->g = g;
	r->p = p;
	r->max_polls = max_polls;
	r->loaded = -1;
	r->count = count != 0;
	r->st.n_nodes = g->n_nodes;
	r->st.node = calloc(g->n_nodes, sizeof(*r->st.node));
	if (r->st.node == NULL)
		return AIMC_ENOMEM;
	rc = chip_has_tfl(r);
	if (rc == AIMC_OK)
		rc = aimc_chip_init(m, cfg);
	if (rc == AIMC_OK && r->count)
		rc = aimc_counters_read(m, &c0);
	if (rc == AIMC_OK)
		rc = program_tiles(r);
	if (rc == AIMC_OK && r->count) {
		rc = aimc_counters_read(m, &c1);
		c1.bits = cfg->counter_bits;
		aimc_counters_delta(&c0, &c1, &d);
		r->st.setup_cycles = d.cycles;
		r->st.setup_prog_rows = d.prog_rows;
	}
	if (rc == AIMC_OK && p->n_par > 0) {
		rc = aimc_mem_write(m, MAP_OFF(param), 0, p->par, p->n_par);
		r->st.setup_host_bytes += (uint64_t)p->n_par * BYTES_PER_WORD;
	}
	if (rc == AIMC_OK && p->progs_resident)
		rc = load_all_programs(r);
	return rc;
}

/* Make the node's program `which` runnable; its start pc in *pc. */
static int node_program(aimc_grun *r, uint32_t ni, uint32_t which, uint32_t *pc)
{
	const aimc_gnode_plan *np = &r->p->nodes[ni];
	int32_t key = (int32_t)(ni * 2u + which);
	int rc;

	if (r->p->progs_resident) {
		*pc = np->pc[which];
		return AIMC_OK;
	}
	*pc = 0;
	if (r->loaded == key)
		return AIMC_OK;
	rc = aimc_prog_load(r->m, r->cfg, np->prog[which], np->n_prog[which]);
	if (rc != AIMC_OK)
		return rc;
	r->st.node[ni].host_bytes_in += (uint64_t)np->n_prog[which] * sizeof(*np->prog[which]);
	r->loaded = key;
	r->st.prog_loads++;
	return AIMC_OK;
}

/* One chip node on one sample: in (tensor in0) to out (tensor out). */
static int run_chip_node(aimc_grun *r, uint32_t ni, const int8_t *in, int8_t *out,
			 int8_t *rows, uint32_t *words)
{
	const aimc_graph *g = r->g;
	const aimc_node *nd = &g->nodes[ni];
	const aimc_gplan *p = r->p;
	const aimc_gnode_plan *np = &p->nodes[ni];
	const uint32_t cols = p->cols;
	aimc_gnode_stats *st = &r->st.node[ni];
	uint32_t v0, b, u, i, k;
	int rc = AIMC_OK;

	aimc_graph_im2col(g, nd, in, rows);
	for (v0 = 0; v0 < np->vectors && rc == AIMC_OK; v0 += np->batch) {
		uint32_t bv = np->vectors - v0 < np->batch ? np->vectors - v0 : np->batch;
		uint32_t which = bv == np->batch ? 0u : 1u, pc;
		uint8_t *bytes = (uint8_t *)words;

		/* Inputs: x + 128, zero past each segment's rows. Words are little-endian bytes. */
		memset(words, 0, (size_t)bv * np->in_stride * sizeof(*words));
		for (b = 0; b < bv; b++) {
			size_t base = (size_t)b * np->in_stride * BYTES_PER_WORD;
			uint32_t v = v0 + b;

			if (nd->op != AIMC_GOP_DWCONV) {
				const int8_t *x = &rows[(size_t)v * nd->k];

				for (k = 0; k < nd->k; k++)
					bytes[base + k] = (uint8_t)(x[k] + 128);
				continue;
			}
			for (i = np->first_block; i < np->first_block + np->n_blocks; i++) {
				const aimc_gblock *blk = &p->blocks[i];
				uint32_t cc;

				if (blk->copy != b % np->n_copies)
					continue; /* another copy's segments: not read */

				for (cc = 0; cc < blk->w; cc++) {
					const int8_t *x = &rows[((size_t)v * nd->n + blk->n0 + cc) * nd->k];

					for (k = 0; k < nd->k; k++)
						bytes[base + (size_t)blk->seg * p->rows + cc * nd->k + k] =
							(uint8_t)(x[k] + 128);
				}
			}
		}
		/* The bytes were written in host order: make each word little-endian. */
		for (i = 0; i < bv * np->in_stride; i++) {
			const uint8_t *q = &bytes[(size_t)i * BYTES_PER_WORD];

			words[i] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
				   (uint32_t)q[3] << 24;
		}
		rc = aimc_mem_write(r->m, MAP_OFF(act_in), 0, words, (size_t)bv * np->in_stride);
		st->host_bytes_in += (uint64_t)bv * np->in_stride * BYTES_PER_WORD;
		if (rc == AIMC_OK)
			rc = node_program(r, ni, which, &pc);
		if (rc == AIMC_OK)
			rc = run_prog(r, pc, np->prog[which], np->n_prog[which], st);
		if (rc != AIMC_OK)
			break;
		r->st.node[ni].runs++;
		r->st.node[ni].vectors += bv;
		/* Outputs: each final unit's region, its sub-blocks' columns. */
		for (u = np->first_unit; u < np->first_unit + np->n_units && rc == AIMC_OK; u++) {
			const aimc_gunit *un = &p->units[u];
			/* this unit's copy runs vectors b = l*n_copies + copy, l = 0, 1, ... */
			uint32_t nc = np->n_copies, nl = bv > un->copy ?
				(bv - un->copy + nc - 1u) / nc : 0u, l;

			if (!un->final || nl == 0)
				continue;
			rc = aimc_mem_read(r->m, MAP_OFF(act_out), un->region, words,
					   (size_t)nl * un->stride);
			if (rc != AIMC_OK)
				break;
			st->host_bytes_out += (uint64_t)nl * un->stride * BYTES_PER_WORD;
			for (i = un->first_block; i < un->first_block + un->n_blocks; i++) {
				const aimc_gblock *blk = &p->blocks[i];
				uint32_t j;

				for (l = 0; l < nl; l++)
					for (j = 0; j < blk->w; j++) {
						uint32_t byte = l * cols + blk->c0 + j, ch = blk->n0 + j;
						int8_t *y = &out[(size_t)(v0 + l * nc + un->copy) *
								 nd->n + ch];

						if (np->host_out) {
							/* t = sat32(acc_u8 + b') is the
							 * reference's sat32(acc + bias); the
							 * output stage adds the bias back to
							 * t - bias: sat32(t) = t. */
							int32_t t = (int32_t)words[(size_t)l * cols +
										   blk->c0 + j];

							*y = aimc_graph_out_stage(
								g, nd, ch, (int64_t)t - nd->bias[ch]);
							st->host_ops++;
							continue;
						}
						*y = (int8_t)(uint8_t)(words[byte / BYTES_PER_WORD] >>
								       (8u * (byte % BYTES_PER_WORD)));
					}
			}
		}
	}
	return rc;
}

/* Element operations of a driver node (kirchhoff.graphcal.host_ops): one per output element of
 * ADD, RESHAPE and SOFTMAX, one per input element a pool reads (window x outputs). */
static uint64_t host_node_ops(const aimc_graph *g, const aimc_node *nd)
{
	uint64_t out = aimc_tensor_len(&g->tensors[nd->out]);

	if (nd->op == AIMC_GOP_AVGPOOL || nd->op == AIMC_GOP_MAXPOOL)
		return out * nd->kh * nd->kw;
	return out;
}

int aimc_graph_run(aimc_grun *r, const int8_t *x, size_t n, int8_t *y)
{
	const aimc_graph *g;
	const aimc_gplan *p;
	size_t *off = NULL, total = 0, rows_len = 0, words_len = 0, s;
	int8_t *arena = NULL, *rows = NULL;
	uint32_t *words = NULL, ti, ni, in_len, out_len;
	int rc = AIMC_OK;

	if (r == NULL || r->g == NULL || x == NULL || y == NULL || n == 0)
		return AIMC_EINVAL;
	g = r->g;
	p = r->p;
	off = calloc(g->n_tensors, sizeof(*off));
	if (off == NULL)
		return AIMC_ENOMEM;
	for (ti = 0; ti < g->n_tensors; ti++) {
		off[ti] = total;
		total += aimc_tensor_len(&g->tensors[ti]);
	}
	for (ni = 0; ni < g->n_nodes; ni++) {
		const aimc_node *nd = &g->nodes[ni];
		const aimc_gnode_plan *np = &p->nodes[ni];
		size_t l, wl, u;

		if (!np->on_chip)
			continue;
		l = (size_t)aimc_graph_vectors(g, nd) * nd->k;
		if (l > rows_len)
			rows_len = l;
		wl = (size_t)np->batch * np->in_stride;
		for (u = np->first_unit; u < np->first_unit + np->n_units; u++)
			if (p->units[u].final && (size_t)np->batch * p->units[u].stride > wl)
				wl = (size_t)np->batch * p->units[u].stride;
		if (wl > words_len)
			words_len = wl;
	}
	arena = malloc(total > 0 ? total : 1);
	rows = malloc(rows_len > 0 ? rows_len : 1);
	words = malloc((words_len > 0 ? words_len : 1) * sizeof(*words));
	if (arena == NULL || rows == NULL || words == NULL) {
		rc = AIMC_ENOMEM;
		goto out;
	}
	in_len = aimc_tensor_len(&g->tensors[0]);
	out_len = aimc_tensor_len(&g->tensors[g->nodes[g->n_nodes - 1].out]);
	for (s = 0; s < n && rc == AIMC_OK; s++) {
		memcpy(arena, x + s * in_len, in_len);
		for (ni = 0; ni < g->n_nodes && rc == AIMC_OK; ni++) {
			const aimc_node *nd = &g->nodes[ni];
			aimc_counters c0, c1, d;

			r->err_node = ni;
			if (!p->nodes[ni].on_chip) {
				rc = aimc_graph_host_node(g, nd, arena + off[nd->in0],
							  nd->in1 == AIMC_NO_TENSOR ? NULL :
							  arena + off[nd->in1], arena + off[nd->out]);
				if (rc == AIMC_OK)
					r->st.node[ni].host_ops += host_node_ops(g, nd);
				continue;
			}
			if (r->count) {
				rc = aimc_counters_read(r->m, &c0);
				if (rc != AIMC_OK)
					break;
			}
			rc = run_chip_node(r, ni, arena + off[nd->in0], arena + off[nd->out], rows,
					   words);
			if (rc == AIMC_OK && r->count) {
				rc = aimc_counters_read(r->m, &c1);
				c1.bits = r->cfg->counter_bits;
				aimc_counters_delta(&c0, &c1, &d);
				stats_add(&r->st.node[ni], &d);
				stats_add(&r->st.total, &d);
			}
		}
		if (rc == AIMC_OK) {
			memcpy(y + s * out_len, arena + off[g->nodes[g->n_nodes - 1].out], out_len);
			r->st.samples++;
		}
	}
	if (rc == AIMC_OK) {
		aimc_gnode_stats *t = &r->st.total;

		t->runs = t->vectors = t->issued = t->posts = t->accadds = 0;
		t->host_bytes_in = t->host_bytes_out = t->host_ops = 0;
		for (ni = 0; ni < g->n_nodes; ni++) {
			const aimc_gnode_stats *s = &r->st.node[ni];

			t->runs += s->runs;
			t->vectors += s->vectors;
			t->issued += s->issued;
			t->posts += s->posts;
			t->accadds += s->accadds;
			t->host_bytes_in += s->host_bytes_in;
			t->host_bytes_out += s->host_bytes_out;
			t->host_ops += s->host_ops;
		}
	}
out:
	free(off);
	free(arena);
	free(rows);
	free(words);
	return rc;
}
