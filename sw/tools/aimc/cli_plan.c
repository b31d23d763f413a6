/* SPDX-License-Identifier: Apache-2.0 */
/* Running an execution plan (aimc_plan, aimc.h) on a chip: segment after segment over the whole
 * input set, each segment's image loaded once; convolution segments get their im2col patches
 * from the host. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One step of the counting on a chip with cut counters: the delta since *last, added to st. A
 * delta with fewer busy cycles than instructions can only come from a wrap within one chip run
 * (2^counter_bits cycles): that is refused, never turned into a figure. */
static int count_step(aimc_mmio *m, const aimc_cfg *cfg, aimc_counters *last, cli_plan_stats *st)
{
	aimc_counters now, d;
	int rc = aimc_counters_read(m, &now);

	if (rc != AIMC_OK)
		return rc;
	now.bits = cfg->counter_bits;
	aimc_counters_delta(last, &now, &d);
	if (d.cycles != 0 && d.cycles < d.instrs) {
		cli_errorf("run", "the %u-bit counters of config %s wrapped within one chip run (%llu "
			   "cycles for %u instructions): no counts reported; use a smaller --batch",
			   cfg->counter_bits, cfg->name, (unsigned long long)d.cycles, d.instrs);
		return AIMC_ERANGE;
	}
	aimc_counters_add(&st->counters, &d);
	*last = now;
	return AIMC_OK;
}

int cli_plan_run(aimc_mmio *m, const aimc_cfg *cfg, const aimc_net *net, const aimc_plan *plan,
		 const int8_t *x, uint64_t samples, int8_t *y, int32_t *raw, uint32_t max_polls,
		 cli_plan_stats *st, uint32_t *chip_err, uint32_t *chip_pc)
{
	int8_t *cur = NULL, *next = NULL, *vin = NULL, *xb = NULL, *yb = NULL;
	int32_t *rb = NULL;
	aimc_counters seen; /* the last reading of the cut counters */
	uint32_t s;
	int rc = AIMC_OK, cut = st != NULL && cfg != NULL && cfg->counter_bits < 32;

	if (m == NULL || cfg == NULL || net == NULL || plan == NULL || x == NULL || y == NULL ||
	    samples == 0 || plan->n_segments == 0)
		return AIMC_EINVAL;
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (cut) {
		rc = aimc_counters_read(m, &seen);
		if (rc != AIMC_OK)
			return rc;
		seen.bits = cfg->counter_bits;
		st->counted = 1;
	}
	cur = malloc((size_t)samples * aimc_layer_in_len(&net->layers[0]));
	if (cur == NULL)
		return AIMC_ENOMEM;
	memcpy(cur, x, (size_t)samples * aimc_layer_in_len(&net->layers[0]));
	for (s = 0; s < plan->n_segments && rc == AIMC_OK; s++) {
		const aimc_segment *g = &plan->seg[s];
		const aimc_image *img = &g->img;
		uint64_t vectors = samples * g->vectors_per_sample, v0, i;
		uint32_t k = g->in_len, n = g->out_len, polls;
		int last = s + 1 == plan->n_segments;

		if (g->conv) {
			const aimc_layer *l = &net->layers[g->first_layer];

			vin = malloc((size_t)vectors * k);
			if (vin == NULL) {
				rc = AIMC_ENOMEM;
				break;
			}
			for (i = 0; i < samples; i++)
				aimc_im2col(&l->conv, cur + i * aimc_layer_in_len(l),
					    vin + i * g->vectors_per_sample * k);
		} else {
			vin = cur;
			cur = NULL;
		}
		next = malloc((size_t)vectors * n);
		xb = calloc((size_t)img->batch * k, 1);
		yb = malloc((size_t)img->batch * n);
		rb = malloc((size_t)img->batch * n * sizeof(*rb));
		if (next == NULL || xb == NULL || yb == NULL || rb == NULL) {
			rc = AIMC_ENOMEM;
			break;
		}
		rc = cli_image_load(m, cfg, img);
		if (rc == AIMC_OK && cut)
			rc = count_step(m, cfg, &seen, st);
		if (rc != AIMC_OK)
			break;
		polls = max_polls != 0 ? max_polls : cli_max_polls(cfg, img);
		for (v0 = 0; v0 < vectors; v0 += img->batch) {
			uint64_t nb = vectors - v0 < img->batch ? vectors - v0 : img->batch;

			memset(xb, 0, (size_t)img->batch * k);
			memcpy(xb, vin + v0 * k, (size_t)nb * k);
			rc = cli_image_run(m, img, xb, k, yb, n, last && raw != NULL ? rb : NULL,
					   polls, chip_err, chip_pc);
			if (rc == AIMC_OK && cut)
				rc = count_step(m, cfg, &seen, st);
			if (rc != AIMC_OK)
				break;
			memcpy(next + v0 * n, yb, (size_t)nb * n);
			if (last && raw != NULL)
				memcpy(raw + v0 * n, rb, (size_t)nb * n * sizeof(*rb));
			if (st != NULL && s < CLI_PLAN_MAX_SEG) {
				st->runs[s]++;
				st->vectors_run[s] += img->batch;
			}
		}
		free(vin);
		vin = NULL;
		free(cur);
		cur = next;
		next = NULL;
		free(xb);
		free(yb);
		free(rb);
		xb = yb = NULL;
		rb = NULL;
	}
	if (rc == AIMC_OK) {
		const aimc_segment *g = &plan->seg[plan->n_segments - 1];

		memcpy(y, cur, (size_t)samples * g->vectors_per_sample * g->out_len);
	}
	free(cur);
	free(next);
	free(vin);
	free(xb);
	free(yb);
	free(rb);
	return rc;
}

/* ---- version-3 graphs ------------------------------------------------------------------------ */
static uint32_t popcount32(uint32_t v)
{
	uint32_t n = 0;

	for (; v != 0; v &= v - 1u)
		n++;
	return n;
}

static void tile_list(uint32_t mask, char *buf, size_t len)
{
	size_t o = 0;
	uint32_t t;

	buf[0] = '\0';
	for (t = 0; t < AIMC_MAX_TILES && o + 4 < len; t++)
		if ((mask >> t) & 1u)
			o += (size_t)snprintf(buf + o, len - o, "%s%u", o ? "," : "", t);
}

static void node_shape(const aimc_graph *g, const aimc_node *nd, char *buf, size_t len)
{
	const aimc_tensor *i = &g->tensors[nd->in0], *o = &g->tensors[nd->out];

	if (nd->op == AIMC_GOP_CONV || nd->op == AIMC_GOP_DWCONV || nd->op == AIMC_GOP_AVGPOOL ||
	    nd->op == AIMC_GOP_MAXPOOL)
		snprintf(buf, len, "%ux%ux%u -> %ux%ux%u, %ux%u/%u", i->h, i->w, i->c, o->h, o->w,
			 o->c, nd->kh, nd->kw, nd->stride_h);
	else
		snprintf(buf, len, "%ux%ux%u -> %ux%ux%u", i->h, i->w, i->c, o->h, o->w, o->c);
}

int cli_graph_load(const char *cmd, const char *path, aimc_graph *g)
{
	char err[512];
	int rc = aimc_graph_load(g, path, err, sizeof(err));

	if (rc != AIMC_OK) {
		cli_errorf(cmd, "--net: %s (%s)", err, aimc_strerror(rc));
		return -1;
	}
	return 0;
}

int cli_net_version(const char *cmd, const char *path, uint32_t *version)
{
	char err[512];
	int rc = aimc_netfile_version(path, version, err, sizeof(err));

	if (rc != AIMC_OK) {
		cli_errorf(cmd, "--net: %s (%s)", err, aimc_strerror(rc));
		return -1;
	}
	return 0;
}

void cli_graph_print(const char *prefix, const aimc_graph *g, const aimc_cfg *cfg,
		     const aimc_gplan *p, const aimc_grun_stats *st)
{
	uint32_t ni, chip = 0;
	uint64_t samples = st != NULL && st->samples > 0 ? st->samples : 1;
	char shape[96], tiles[64];

	for (ni = 0; ni < g->n_nodes; ni++) {
		const aimc_node *nd = &g->nodes[ni];
		const aimc_gnode_plan *np = &p->nodes[ni];

		node_shape(g, nd, shape, sizeof(shape));
		if (!np->on_chip) {
			printf("%s: node %2u %-7s %-34s driver\n", prefix, ni, aimc_gop_name(nd->op),
			       shape);
			continue;
		}
		chip++;
		tile_list(np->tile_mask, tiles, sizeof(tiles));
		printf("%s: node %2u %-7s %-34s K=%u N=%u: %u tile%s (%s), %u sub-block%s%s, "
		       "utilization %.1f %% (%llu of %llu cells), %u vectors/sample in batches of %u",
		       prefix, ni, aimc_gop_name(nd->op), shape, nd->k, nd->n,
		       popcount32(np->tile_mask), popcount32(np->tile_mask) == 1 ? "" : "s", tiles,
		       np->n_blocks, np->n_blocks == 1 ? "" : "s",
		       np->n_copies > 1 ? " (2 copies, alternate vectors)" : "",
		       100.0 * (double)np->cells / (double)np->tile_cells,
		       (unsigned long long)np->cells, (unsigned long long)np->tile_cells,
		       np->vectors, np->batch);
		if (st != NULL && st->samples > 0)
			printf(", %llu cycles/inference",
			       (unsigned long long)(st->node[ni].cycles / samples));
		printf("\n");
	}
	tile_list(p->tile_mask, tiles, sizeof(tiles));
	printf("%s: total: %u chip nodes, every weight resident on %u of %u tiles (%s): %llu "
	       "weights in %llu cells (copies included), utilization %.1f %% of the used tiles' "
	       "cells (%.1f %% of the chip); programs %u instructions (%s %u)\n",
	       prefix, chip, popcount32(p->tile_mask), cfg->num_tiles, tiles,
	       (unsigned long long)p->weights, (unsigned long long)p->cells,
	       p->tile_cells ? 100.0 * (double)p->cells / (double)p->tile_cells : 0.0,
	       100.0 * (double)p->cells / ((double)cfg->num_tiles * cfg->rows * aimc_cfg_array_cols(cfg)),
	       p->prog_words, p->progs_resident ? "all loaded at once, instruction buffer" :
	       "loaded per node, instruction buffer", cfg->instr_depth);
}

void cli_graph_json(cli_json *j, const aimc_graph *g, const aimc_cfg *cfg, const aimc_gplan *p,
		    const aimc_grun_stats *st)
{
	uint32_t ni;
	char key[32], shape[96];

	cli_json_u64(j, "format_version", 3);
	cli_json_u64(j, "nodes", g->n_nodes);
	cli_json_u64(j, "tiles_used", popcount32(p->tile_mask));
	cli_json_u64(j, "num_tiles", cfg->num_tiles);
	cli_json_u64(j, "weights", p->weights);
	cli_json_u64(j, "cells", p->cells);
	cli_json_u64(j, "tile_cells", p->tile_cells);
	cli_json_f64(j, "utilization", p->tile_cells ? (double)p->cells / (double)p->tile_cells : 0.0);
	cli_json_f64(j, "chip_utilization",
		     (double)p->cells / ((double)cfg->num_tiles * cfg->rows * aimc_cfg_array_cols(cfg)));
	cli_json_u64(j, "instructions", p->prog_words);
	cli_json_bool(j, "programs_resident", (int)p->progs_resident);
	cli_json_obj(j, "node");
	for (ni = 0; ni < g->n_nodes; ni++) {
		const aimc_node *nd = &g->nodes[ni];
		const aimc_gnode_plan *np = &p->nodes[ni];

		snprintf(key, sizeof(key), "%u", ni);
		node_shape(g, nd, shape, sizeof(shape));
		cli_json_obj(j, key);
		cli_json_str(j, "op", aimc_gop_name(nd->op));
		cli_json_str(j, "shape", shape);
		cli_json_bool(j, "on_chip", (int)np->on_chip);
		if (st != NULL)
			cli_json_u64(j, "host_ops", st->node[ni].host_ops);
		if (np->on_chip) {
			cli_json_u64(j, "k", nd->k);
			cli_json_u64(j, "n", nd->n);
			cli_json_u64(j, "tiles_used", popcount32(np->tile_mask));
			cli_json_u64(j, "tile_mask", np->tile_mask);
			cli_json_u64(j, "sub_blocks", np->n_blocks);
			cli_json_u64(j, "units", np->n_units);
			cli_json_u64(j, "weights", np->weights);
			cli_json_u64(j, "copies", np->n_copies);
			cli_json_u64(j, "cells", np->cells);
			cli_json_u64(j, "tile_cells", np->tile_cells);
			cli_json_f64(j, "utilization", (double)np->cells / (double)np->tile_cells);
			cli_json_u64(j, "vectors_per_sample", np->vectors);
			cli_json_u64(j, "batch", np->batch);
			cli_json_u64(j, "remainder", np->rem);
			cli_json_u64(j, "mvms_per_sample", np->mvms_per_sample);
			if (st != NULL) {
				const aimc_gnode_stats *s = &st->node[ni];

				cli_json_u64(j, "runs", s->runs);
				cli_json_u64(j, "vectors", s->vectors);
				cli_json_u64(j, "cycles", s->cycles);
				cli_json_u64(j, "instrs", s->instrs);
				cli_json_u64(j, "mvms", s->mvms);
				cli_json_u64(j, "convs", s->convs);
				cli_json_u64(j, "adc_convs", s->adc_convs);
				cli_json_u64(j, "sats", s->sats);
				cli_json_u64(j, "reads", s->reads);
				cli_json_u64(j, "issued_instrs", s->issued);
				cli_json_u64(j, "posts", s->posts);
				cli_json_u64(j, "accadds", s->accadds);
				cli_json_u64(j, "host_bytes_in", s->host_bytes_in);
				cli_json_u64(j, "host_bytes_out", s->host_bytes_out);
			}
		}
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
}
