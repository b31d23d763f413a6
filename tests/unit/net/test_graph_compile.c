/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the graph compiler (sw/src/graph_compile.c, decision 0007 section 4): the chip
 * nodes of the four MLPerf Tiny models, built here from their shapes with seeded random weights,
 * placed on configs/edge.cfg. Checked from the plan and the images alone: no two sub-blocks share
 * a cell, every weight is in its tile image exactly once (and every other cell is zero), the row
 * blocks of a column group sit at one column offset on distinct tiles, the folded biases and
 * parameter words, the programs' instructions and the totals; a graph that cannot fit is
 * AIMC_EFIT naming the node. The order of tile_overlap (docs/configs.md): with 1 the same
 * instructions as with 0, each tile's MVM of a vector before the POST of the one before it. Then
 * two chip-only graphs run through the executor on the C model of configs/edge_ideal.cfg (and
 * with tile_overlap 1) and equal aimc_graph_forward bit for bit (inputs include -128). */
#include "aimc_test.h"

#include "aimc.h"

#define MAX_NODES 64
#define MAX_TENSORS 80

typedef struct builder {
	aimc_graph g;
	aimc_tensor t[MAX_TENSORS];
	aimc_node n[MAX_NODES];
	uint64_t rng;
} builder;

static uint32_t rnd(builder *b)
{
	b->rng = b->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(b->rng >> 33);
}

static void b_init(builder *b, uint32_t h, uint32_t w, uint32_t c, int32_t zp)
{
	memset(b, 0, sizeof(*b));
	b->rng = seed;
	b->g.tensors = b->t;
	b->g.nodes = b->n;
	b->t[0].h = h;
	b->t[0].w = w;
	b->t[0].c = c;
	b->t[0].zero_point = zp;
	b->t[0].scale = 1.0f;
	b->g.n_tensors = 1;
}

static uint32_t cur(const builder *b)
{
	return b->g.n_tensors - 1u;
}

/* A node reading tensor in0 (the current tensor if AIMC_NO_TENSOR), writing a new h x w x c
 * tensor. Chip nodes get random weights, biases, multipliers and shifts. */
static aimc_node *add_node(builder *b, uint32_t op, uint32_t h, uint32_t w, uint32_t c,
			   uint32_t k, uint32_t kh, uint32_t kw, uint32_t stride)
{
	aimc_node *nd = &b->n[b->g.n_nodes++];
	aimc_tensor *o = &b->t[b->g.n_tensors];
	uint32_t i;

	memset(nd, 0, sizeof(*nd));
	nd->op = op;
	nd->in0 = cur(b);
	nd->in1 = AIMC_NO_TENSOR;
	nd->out = b->g.n_tensors++;
	o->h = h;
	o->w = w;
	o->c = c;
	o->zero_point = (int32_t)(rnd(b) % 256u) - 128;
	o->scale = 1.0f;
	nd->kh = kh;
	nd->kw = kw;
	nd->stride_h = nd->stride_w = stride;
	nd->act_min = -128;
	nd->act_max = 127;
	if (!aimc_gop_on_chip(op))
		return nd;
	nd->k = k;
	nd->n = c;
	nd->w = malloc((size_t)k * c);
	nd->bias = malloc(c * sizeof(int32_t));
	nd->mult = malloc(c * sizeof(int32_t));
	nd->shift = malloc(c * sizeof(int32_t));
	for (i = 0; i < k * c; i++)
		nd->w[i] = (int8_t)((int32_t)(rnd(b) % 255u) - 127);
	if (op == AIMC_GOP_FC) {
		/* TFLite's FC output scale (binary64 bits of 2^-10): the final tiles post raw sums */
		nd->eff_scale = malloc(c * sizeof(uint64_t));
		for (i = 0; i < c; i++)
			nd->eff_scale[i] = 0x3F50000000000000ull;
	}
	for (i = 0; i < c; i++) {
		nd->bias[i] = (int32_t)(rnd(b) % 20001u) - 10000;
		nd->mult[i] = (int32_t)(0x40000000u + rnd(b) % 0x3FFFFFFFu);
		nd->shift[i] = (int32_t)(rnd(b) % 20u) - 15;
	}
	return nd;
}

static void b_free(builder *b)
{
	uint32_t i;

	for (i = 0; i < b->g.n_nodes; i++) {
		free(b->n[i].w);
		free(b->n[i].bias);
		free(b->n[i].mult);
		free(b->n[i].shift);
		free(b->n[i].eff_scale);
	}
}

static void fc(builder *b, uint32_t n)
{
	add_node(b, AIMC_GOP_FC, 1, 1, n, aimc_tensor_len(&b->t[cur(b)]), 0, 0, 0);
}

/* A convolution of the current tensor, or (in0 != AIMC_NO_TENSOR) of an earlier one. */
static void conv_of(builder *b, uint32_t in0, uint32_t cout, uint32_t kh, uint32_t kw,
		    uint32_t stride, uint32_t oh, uint32_t ow)
{
	uint32_t src = in0 == AIMC_NO_TENSOR ? cur(b) : in0;
	aimc_node *nd = add_node(b, AIMC_GOP_CONV, oh, ow, cout, kh * kw * b->t[src].c, kh, kw,
				 stride);

	nd->in0 = src;
}

static void conv(builder *b, uint32_t cout, uint32_t kh, uint32_t kw, uint32_t stride,
		 uint32_t oh, uint32_t ow)
{
	conv_of(b, AIMC_NO_TENSOR, cout, kh, kw, stride, oh, ow);
}

static void dw(builder *b, uint32_t stride, uint32_t oh, uint32_t ow)
{
	add_node(b, AIMC_GOP_DWCONV, oh, ow, b->t[cur(b)].c, 9, 3, 3, stride);
}

/* A CONV (cout > 0) or DWCONV (cout == 0) of the current tensor with TFLite's SAME or VALID
 * padding; multipliers and shifts scaled so that outputs spread over int8. */
static void win(builder *b, uint32_t cout, uint32_t kh, uint32_t kw, uint32_t stride, int same)
{
	const aimc_tensor *in = &b->t[cur(b)];
	uint32_t ih = in->h, iw = in->w, ic = in->c, oh, ow, ph = 0, pw = 0, k, i;
	int32_t sh;
	aimc_node *nd;

	if (same) {
		uint32_t th, tw;

		oh = (ih + stride - 1) / stride;
		ow = (iw + stride - 1) / stride;
		th = (oh - 1) * stride + kh > ih ? (oh - 1) * stride + kh - ih : 0;
		tw = (ow - 1) * stride + kw > iw ? (ow - 1) * stride + kw - iw : 0;
		ph = th / 2;
		pw = tw / 2;
	} else {
		oh = (ih - kh) / stride + 1;
		ow = (iw - kw) / stride + 1;
	}
	k = cout ? kh * kw * ic : kh * kw;
	nd = add_node(b, cout ? AIMC_GOP_CONV : AIMC_GOP_DWCONV, oh, ow, cout ? cout : ic, k, kh, kw,
		      stride);
	nd->pad_top = ph;
	nd->pad_left = pw;
	/* |acc| ~ sqrt(k) * 127 * 128: scale it to ~ +-64 */
	for (sh = 0; (1u << sh) * 8u < k; sh++)
		;
	for (i = 0; i < nd->n; i++)
		nd->shift[i] = -(8 + sh / 2) + (int32_t)(rnd(b) % 3u);
}

static void fc_scaled(builder *b, uint32_t n)
{
	uint32_t k = aimc_tensor_len(&b->t[cur(b)]), i;
	aimc_node *nd = add_node(b, AIMC_GOP_FC, 1, 1, n, k, 0, 0, 0);
	int32_t sh;

	for (sh = 0; (1u << sh) * 8u < k; sh++)
		;
	for (i = 0; i < n; i++) {
		/* 2^-(8 + sh/2) with a per-channel mantissa in [1, 2) */
		nd->eff_scale[i] = ((uint64_t)(1023 - 8 - sh / 2) << 52) |
				   ((uint64_t)rnd(b) << 20);
		nd->shift[i] = -(8 + sh / 2);
	}
}

static void host(builder *b, uint32_t op, uint32_t h, uint32_t w, uint32_t c)
{
	add_node(b, op, h, w, c, 0, 0, 0, 0);
}

static void build_ad01(builder *b)
{
	static const uint32_t n[] = {128, 128, 128, 128, 8, 128, 128, 128, 128, 640};
	uint32_t i;

	b_init(b, 1, 1, 640, 89);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		fc(b, n[i]);
}

static void build_kws(builder *b)
{
	uint32_t i;

	b_init(b, 49, 10, 1, 83);
	conv(b, 64, 10, 4, 2, 25, 5);
	for (i = 0; i < 4; i++) {
		dw(b, 1, 25, 5);
		conv(b, 64, 1, 1, 1, 25, 5);
	}
	host(b, AIMC_GOP_AVGPOOL, 1, 1, 64);
	host(b, AIMC_GOP_RESHAPE, 1, 1, 64);
	fc(b, 12);
	host(b, AIMC_GOP_SOFTMAX, 1, 1, 12);
}

/* ResNet-8's chip nodes in order (the adds are driver nodes; shapes as in the model). */
static void build_resnet(builder *b)
{
	b_init(b, 32, 32, 3, -128);
	uint32_t skip;

	conv(b, 16, 3, 3, 1, 32, 32);
	conv(b, 16, 3, 3, 1, 32, 32);
	conv(b, 16, 3, 3, 1, 32, 32);
	host(b, AIMC_GOP_ADD, 32, 32, 16);
	skip = cur(b);
	conv(b, 32, 3, 3, 2, 16, 16);
	conv(b, 32, 3, 3, 1, 16, 16);
	conv_of(b, skip, 32, 1, 1, 2, 16, 16); /* the 1x1 shortcut */
	host(b, AIMC_GOP_ADD, 16, 16, 32);
	skip = cur(b);
	conv(b, 64, 3, 3, 2, 8, 8);
	conv(b, 64, 3, 3, 1, 8, 8);
	conv_of(b, skip, 64, 1, 1, 2, 8, 8);
	host(b, AIMC_GOP_ADD, 8, 8, 64);
	host(b, AIMC_GOP_AVGPOOL, 1, 1, 64);
	host(b, AIMC_GOP_RESHAPE, 1, 1, 64);
	fc(b, 10);
	host(b, AIMC_GOP_SOFTMAX, 1, 1, 10);
}

static void build_vww(builder *b)
{
	static const struct { uint32_t stride, c, o; } l[] = {
		{1, 16, 48}, {2, 32, 24}, {1, 32, 24}, {2, 64, 12}, {1, 64, 12}, {2, 128, 6},
		{1, 128, 6}, {1, 128, 6}, {1, 128, 6}, {1, 128, 6}, {1, 128, 6}, {2, 256, 3},
		{1, 256, 3},
	};
	uint32_t i;

	b_init(b, 96, 96, 3, -128);
	conv(b, 8, 3, 3, 2, 48, 48);
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		dw(b, l[i].stride, l[i].o, l[i].o);
		conv(b, l[i].c, 1, 1, 1, l[i].o, l[i].o);
	}
	host(b, AIMC_GOP_AVGPOOL, 1, 1, 256);
	host(b, AIMC_GOP_RESHAPE, 1, 1, 256);
	fc(b, 2);
	host(b, AIMC_GOP_SOFTMAX, 1, 1, 2);
}

static int8_t img_byte(const aimc_gplan *p, uint32_t tile, uint32_t r, uint32_t c)
{
	uint32_t byte = r * p->cols + c;

	return (int8_t)(uint8_t)(p->wgt[(size_t)tile * p->blk_words + byte / 4u] >> (8u * (byte % 4u)));
}

static void check_plan(const char *name, const aimc_graph *g, const aimc_cfg *cfg,
		       const aimc_gplan *p)
{
	char tn[128];
	uint8_t *owner = calloc((size_t)p->n_tiles * p->cols, 1);
	uint64_t weights = 0, placed = 0, bad_img = 0, bad_par = 0, bad_grp = 0, overlap = 0;
	uint32_t i, ni, t, c, r, tiles_used = 0;

	/* Columns owned at most once; owned columns beyond kr and unowned columns are zero. */
	for (i = 0; i < p->n_blocks; i++) {
		const aimc_gblock *b = &p->blocks[i];

		if (b->tile >= p->n_tiles || b->c0 + b->w > p->cols || b->kr > p->rows) {
			overlap++;
			continue;
		}
		for (c = b->c0; c < b->c0 + b->w; c++) {
			if (owner[(size_t)b->tile * p->cols + c])
				overlap++;
			owner[(size_t)b->tile * p->cols + c] = 1;
			for (r = b->kr; r < p->rows; r++)
				bad_img += img_byte(p, b->tile, r, c) != 0;
		}
	}
	for (t = 0; t < p->n_tiles; t++)
		for (c = 0; c < p->cols; c++)
			if (!owner[(size_t)t * p->cols + c])
				for (r = 0; r < p->rows; r++)
					bad_img += img_byte(p, t, r, c) != 0;
	snprintf(tn, sizeof(tn), "%s.no_overlap", name);
	report(overlap == 0, tn, "%llu columns owned twice or blocks outside the tile",
	       (unsigned long long)overlap);

	/* Every weight once: each (channel, input) is found in exactly one block, with its value. */
	for (ni = 0; ni < g->n_nodes; ni++) {
		const aimc_node *nd = &g->nodes[ni];
		const aimc_gnode_plan *np = &p->nodes[ni];
		uint32_t *seen;

		if (!aimc_gop_on_chip(nd->op))
			continue;
		weights += (uint64_t)nd->n * nd->k;
		seen = calloc((size_t)nd->n * nd->k, sizeof(*seen));
		for (i = np->first_block; i < np->first_block + np->n_blocks; i++) {
			const aimc_gblock *b = &p->blocks[i];
			uint32_t j;

			if (b->node != ni)
				bad_grp++;
			for (j = 0; j < b->w; j++) {
				uint32_t ch = b->n0 + j;

				for (r = 0; r < b->kr; r++) {
					uint32_t k;
					int8_t v = img_byte(p, b->tile, r, b->c0 + j);

					if (nd->op == AIMC_GOP_DWCONV) {
						if (r / nd->k != j) {
							bad_img += v != 0;
							continue;
						}
						k = r % nd->k;
					} else {
						k = b->k0 + r;
					}
					seen[(size_t)ch * nd->k + k]++;
					placed++;
					bad_img += v != nd->w[(size_t)ch * nd->k + k];
				}
				/* parameters of the column */
				{
					const uint32_t *pw = &p->par[(size_t)b->tile * 3u * p->cols + 3u * (b->c0 + j)];

					if (b->final) {
						int64_t s = 0;
						uint32_t k;
						int32_t zp = g->tensors[nd->in0].zero_point;
						uint32_t e = (uint32_t)(uint8_t)(int8_t)nd->shift[ch] |
							     (uint32_t)(uint8_t)(int8_t)g->tensors[nd->out].zero_point << 8 |
							     (uint32_t)(uint8_t)(int8_t)nd->act_min << 16 |
							     (uint32_t)(uint8_t)(int8_t)nd->act_max << 24;

						for (k = 0; k < nd->k; k++)
							s += nd->w[(size_t)ch * nd->k + k];
						bad_par += (int32_t)pw[0] != (int32_t)(nd->bias[ch] - (int64_t)(zp + 128) * s);
						bad_par += (int32_t)pw[1] != nd->mult[ch];
						bad_par += pw[2] != e;
					} else {
						bad_par += pw[0] != 0;
					}
				}
				/* row blocks of the group: same columns, distinct tiles, one final */
				if (b->final && nd->op != AIMC_GOP_DWCONV) {
					uint32_t q, n_rb = 0, tiles = 0;

					for (q = np->first_block; q < np->first_block + np->n_blocks; q++) {
						const aimc_gblock *o = &p->blocks[q];

						if (o->n0 != b->n0 || o->copy != b->copy)
							continue;
						n_rb++;
						if (o->c0 != b->c0 || o->w != b->w || (tiles >> o->tile & 1u))
							bad_grp++;
						tiles |= 1u << o->tile;
					}
					if (n_rb != (nd->k + p->rows - 1u) / p->rows)
						bad_grp++;
				}
			}
		}
		/* once per copy of the node's weights */
		for (i = 0; i < nd->n * nd->k; i++)
			if (seen[i] != np->n_copies)
				bad_img++;
		placed -= (uint64_t)nd->n * nd->k * (np->n_copies - 1u);
		free(seen);
	}
	snprintf(tn, sizeof(tn), "%s.every_weight_once", name);
	report(bad_img == 0 && placed == weights, tn,
	       "%llu image cells wrong or weights not placed exactly once; %llu placed of %llu",
	       (unsigned long long)bad_img, (unsigned long long)placed, (unsigned long long)weights);
	snprintf(tn, sizeof(tn), "%s.row_blocks_aligned", name);
	report(bad_grp == 0, tn, "%llu row-block groups not at one offset on distinct tiles",
	       (unsigned long long)bad_grp);
	snprintf(tn, sizeof(tn), "%s.params", name);
	report(bad_par == 0, tn, "%llu parameter words differ from b', M, E",
	       (unsigned long long)bad_par);

	/* Totals. */
	for (t = 0; t < p->n_tiles; t++)
		tiles_used += (p->tile_mask >> t) & 1u;
	snprintf(tn, sizeof(tn), "%s.totals", name);
	report(p->weights == weights && p->tile_cells == (uint64_t)tiles_used * p->rows * p->cols &&
		       tiles_used <= cfg->num_tiles,
	       tn, "weights %llu (want %llu), tile cells %llu for %u tiles",
	       (unsigned long long)p->weights, (unsigned long long)weights,
	       (unsigned long long)p->tile_cells, tiles_used);

	/* Programs: per node, the full batch program has batch*(units) MVMs, each u8, on the node's
	 * tiles, slots below acc_slots, addresses inside the buffers; ends with HALT. */
	{
		uint64_t bad = 0;

		for (ni = 0; ni < g->n_nodes; ni++) {
			const aimc_gnode_plan *np = &p->nodes[ni];
			uint32_t k, mvms = 0, which;

			if (!np->on_chip)
				continue;
			for (which = 0; which < 2; which++) {
				uint32_t bv = which ? np->rem : np->batch;

				if (bv == 0) {
					bad += np->prog[which] != NULL;
					continue;
				}
				mvms = 0;
				for (k = 0; k < np->n_prog[which]; k++) {
					uint64_t in = np->prog[which][k];
					uint32_t op = (uint32_t)(in >> AIMC_INSTR_OP_LSB & AIMC_INSTR_OP_MASK);
					uint32_t tile = (uint32_t)(in >> AIMC_INSTR_TILE_LSB & AIMC_INSTR_TILE_MASK);
					uint32_t fl = (uint32_t)(in >> AIMC_INSTR_FLAGS_LSB & AIMC_INSTR_FLAGS_MASK);
					uint32_t a = (uint32_t)(in >> AIMC_INSTR_A_LSB & AIMC_INSTR_A_MASK);
					uint32_t bs = (uint32_t)(in >> AIMC_INSTR_B_LSB & AIMC_INSTR_B_MASK);

					if (op == AIMC_OP_MVM) {
						mvms++;
						bad += !(fl & AIMC_FLAG_U8) || !(np->tile_mask >> tile & 1u) ||
						       bs >= cfg->acc_slots ||
						       a + p->rows / 4u > cfg->act_depth;
					} else if (op == AIMC_OP_POST) {
						/* tfl, or raw (partial sums; FC finals: host_out) */
						bad += !(fl & (AIMC_FLAG_RAW | AIMC_FLAG_TFL)) ||
						       (np->host_out && !(fl & AIMC_FLAG_RAW));
						bad += bs >= cfg->acc_slots ||
						       a + ((fl & AIMC_FLAG_RAW) ? p->cols : p->cols / 4u) >
							       cfg->act_depth;
					} else if (op == AIMC_OP_ACCADD) {
						bad += bs >= cfg->acc_slots || a + p->cols > cfg->act_depth;
					}
				}
				/* vector b runs on the units of copy b % n_copies */
				{
					uint32_t want = 0, bb, uu;

					for (bb = 0; bb < bv; bb++)
						for (uu = np->first_unit; uu < np->first_unit + np->n_units; uu++)
							want += p->units[uu].copy == bb % np->n_copies;
					bad += mvms != want;
				}
				bad += np->n_prog[which] > cfg->instr_depth;
				bad += np->prog[which][np->n_prog[which] - 1] !=
				       aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
			}
			bad += np->batch == 0 || np->batch > np->vectors ||
			       np->rem != np->vectors % np->batch;
		}
		snprintf(tn, sizeof(tn), "%s.programs", name);
		report(bad == 0, tn, "%llu program defects", (unsigned long long)bad);
	}
	{
		uint32_t copied = 0;

		for (ni = 0; ni < g->n_nodes; ni++)
			copied += p->nodes[ni].n_copies > 1;
		printf("# %s: %u tiles, %llu weights (%llu cells with copies of %u nodes), "
		       "utilization %.1f %%, programs %u instructions (%s)\n",
		       name, tiles_used, (unsigned long long)weights, (unsigned long long)p->cells,
		       copied, 100.0 * (double)p->cells / (double)(p->tile_cells ? p->tile_cells : 1),
		       p->prog_words, p->progs_resident ? "resident" : "loaded per node");
	}
	free(owner);
}

static void run_model(const char *name, void (*build)(builder *), const aimc_cfg *cfg)
{
	builder *b = calloc(1, sizeof(*b));
	aimc_gplan p;
	char err[512], tn[128];
	int rc;

	build(b);
	rc = aimc_graph_compile(&b->g, cfg, &p, err, sizeof(err));
	snprintf(tn, sizeof(tn), "%s.compile_%s", name, cfg->name);
	report(rc == AIMC_OK, tn, "rc %d: %s", rc, err);
	if (rc == AIMC_OK) {
		check_plan(name, &b->g, cfg, &p);
		aimc_gplan_free(&p);
	}
	b_free(b);
	free(b);
}

/* Chip-only graphs exercising every program path, run on the C model of an ideal config and
 * compared with aimc_graph_forward bit for bit: ad01's FC chain (K = 640 across 3 tiles, raw
 * posts for the FC output stage), a convolution net with SAME and VALID padding, a 1x1 CONV of
 * 300 outputs (two column groups), a DWCONV of 300 channels (11 groups on many tiles), a 3x3
 * CONV with K = 2700 (11 row blocks summed with ACCADD) and an FC. */
static void build_fc_chain(builder *b)
{
	static const uint32_t n[] = {128, 128, 8, 128, 640};
	uint32_t i;

	b_init(b, 1, 1, 640, 89);
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		fc_scaled(b, n[i]);
}

static void build_conv_net(builder *b)
{
	b_init(b, 12, 10, 3, 17);
	win(b, 16, 3, 3, 1, 1);
	win(b, 0, 3, 3, 2, 1);
	win(b, 300, 1, 1, 1, 0);
	win(b, 0, 3, 3, 1, 1);
	win(b, 8, 3, 3, 1, 0);
	fc_scaled(b, 10);
}

static void run_vs_forward(const char *name, void (*build)(builder *), const aimc_cfg *cfg,
			   size_t n)
{
	builder *b = calloc(1, sizeof(*b));
	aimc_gplan p;
	aimc_grun r;
	aimc_mmio m;
	char err[512], tn[128];
	uint32_t in_len, out_len, distinct = 0;
	int8_t *x, *y_ref, *y_chip;
	uint8_t seen[256];
	size_t i, diff = 0;
	int rc, rc_ref;

	build(b);
	in_len = aimc_tensor_len(&b->t[0]);
	out_len = aimc_tensor_len(&b->t[b->g.nodes[b->g.n_nodes - 1].out]);
	x = malloc(n * in_len);
	y_ref = malloc(n * out_len);
	y_chip = malloc(n * out_len);
	for (i = 0; i < n * in_len; i++)
		x[i] = (int8_t)(rnd(b) % 256u); /* -128 included */
	rc_ref = aimc_graph_forward(&b->g, x, n, y_ref);
	rc = aimc_graph_compile(&b->g, cfg, &p, err, sizeof(err));
	snprintf(tn, sizeof(tn), "%s.run.compile_%s", name, cfg->name);
	report(rc == AIMC_OK && rc_ref == AIMC_OK, tn, "compile rc %d (%s), forward rc %d", rc, err,
	       rc_ref);
	if (rc == AIMC_OK && rc_ref == AIMC_OK) {
		rc = aimc_mmio_open_cmodel(&m, cfg, seed);
		if (rc == AIMC_OK) {
			rc = aimc_graph_run_open(&r, &m, cfg, &b->g, &p, 0, 1);
			if (rc == AIMC_OK)
				rc = aimc_graph_run(&r, x, n, y_chip);
			memset(seen, 0, sizeof(seen));
			for (i = 0; rc == AIMC_OK && i < n * out_len; i++) {
				diff += y_chip[i] != y_ref[i];
				distinct += !seen[(uint8_t)y_ref[i]];
				seen[(uint8_t)y_ref[i]] = 1;
			}
			snprintf(tn, sizeof(tn), "%s.run.bit_exact", name);
			report(rc == AIMC_OK && diff == 0, tn,
			       "rc %d (chip error %u at %u, node %u), %zu of %zu outputs differ", rc,
			       r.chip_err, r.chip_pc, r.err_node, diff, n * out_len);
			/* the comparison means something only if the outputs vary */
			snprintf(tn, sizeof(tn), "%s.run.outputs_spread", name);
			report(distinct >= 8, tn, "only %u distinct output values", distinct);
			snprintf(tn, sizeof(tn), "%s.run.counters", name);
			report(rc == AIMC_OK && r.st.samples == n && r.st.total.mvms > 0 &&
				       r.st.total.runs > 0 &&
				       (p.progs_resident ? r.st.prog_loads == 0 : r.st.prog_loads > 0),
			       tn, "samples %llu, mvms %llu, runs %llu, program loads %llu (resident %u)",
			       (unsigned long long)r.st.samples, (unsigned long long)r.st.total.mvms,
			       (unsigned long long)r.st.total.runs,
			       (unsigned long long)r.st.prog_loads, p.progs_resident);
			aimc_graph_run_close(&r);
			aimc_mmio_close(&m);
		}
		aimc_gplan_free(&p);
	}
	free(x);
	free(y_ref);
	free(y_chip);
	b_free(b);
	free(b);
}

/* A 200-input FC of 10 outputs whose output stage the driver applies (eff_scale): one row block,
 * a raw POST, neither the tfl POST nor ACCADD. */
static void build_fc_host(builder *b)
{
	b_init(b, 1, 1, 200, -3);
	fc_scaled(b, 10);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 1 if some POST of prog comes before an MVM on its tile into the slot after the POST's slot
 * (the MVM of the next vector issued behind the POST of the one before it). */
static int mvm_after_post(const uint64_t *prog, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint64_t in = prog[k];
		uint32_t op = (uint32_t)(in >> AIMC_INSTR_OP_LSB & AIMC_INSTR_OP_MASK);
		uint32_t tile = (uint32_t)(in >> AIMC_INSTR_TILE_LSB & AIMC_INSTR_TILE_MASK);
		uint32_t slot = (uint32_t)(in >> AIMC_INSTR_B_LSB & AIMC_INSTR_B_MASK);

		if (op != AIMC_OP_POST)
			continue;
		for (uint32_t j = k + 1; j < n; j++) {
			uint64_t m = prog[j];

			uint32_t mop = (uint32_t)(m >> AIMC_INSTR_OP_LSB & AIMC_INSTR_OP_MASK);

			if (mop == AIMC_OP_MVM &&
			    (uint32_t)(m >> AIMC_INSTR_TILE_LSB & AIMC_INSTR_TILE_MASK) == tile &&
			    (uint32_t)(m >> AIMC_INSTR_B_LSB & AIMC_INSTR_B_MASK) == slot + 1u)
				return 1;
		}
	}
	return 0;
}

/* tile_overlap (docs/configs.md): the programs of cfg with tile_overlap 0 and 1 hold the same
 * instructions (same count, same multiset); with 1 no tile gets the MVM of a slot after the
 * POST of the slot before it (the MVM loads its inputs under the conversions the POST follows),
 * with 0 some does where a node runs more than one vector per copy. */
static void test_overlap_order(const char *name, void (*build)(builder *), const aimc_cfg *cfg)
{
	aimc_cfg c0 = *cfg, c1 = *cfg;
	builder *b = calloc(1, sizeof(*b));
	aimc_gplan p0, p1;
	char err[512], tn[128];
	uint64_t same = 0, late0 = 0, late1 = 0, progs = 0;
	int rc0, rc1;

	c0.tile_overlap = 0;
	c1.tile_overlap = 1;
	build(b);
	rc0 = aimc_graph_compile(&b->g, &c0, &p0, err, sizeof(err));
	rc1 = rc0 == AIMC_OK ? aimc_graph_compile(&b->g, &c1, &p1, err, sizeof(err)) : rc0;
	snprintf(tn, sizeof(tn), "%s.overlap.compile", name);
	report(rc0 == AIMC_OK && rc1 == AIMC_OK, tn, "rc %d / %d: %s", rc0, rc1, err);
	if (rc0 != AIMC_OK || rc1 != AIMC_OK) {
		if (rc0 == AIMC_OK)
			aimc_gplan_free(&p0);
		goto out;
	}
	for (uint32_t ni = 0; ni < b->g.n_nodes; ni++)
		for (uint32_t w = 0; w < 2; w++) {
			const aimc_gnode_plan *n0 = &p0.nodes[ni], *n1 = &p1.nodes[ni];
			uint32_t n = n0->n_prog[w];
			uint64_t *s0, *s1;

			if (!n0->on_chip || n == 0)
				continue;
			progs++;
			if (n1->n_prog[w] != n)
				continue;
			s0 = malloc(n * sizeof(*s0));
			s1 = malloc(n * sizeof(*s1));
			if (s0 == NULL || s1 == NULL) {
				free(s0);
				free(s1);
				continue;
			}
			memcpy(s0, n0->prog[w], n * sizeof(*s0));
			memcpy(s1, n1->prog[w], n * sizeof(*s1));
			qsort(s0, n, sizeof(*s0), cmp_u64);
			qsort(s1, n, sizeof(*s1), cmp_u64);
			same += memcmp(s0, s1, n * sizeof(*s0)) == 0;
			late0 += mvm_after_post(n0->prog[w], n);
			late1 += mvm_after_post(n1->prog[w], n);
			free(s0);
			free(s1);
		}
	snprintf(tn, sizeof(tn), "%s.overlap.same_instructions", name);
	report(same == progs && p0.prog_words == p1.prog_words, tn,
	       "%llu of %llu programs hold the same instructions, %u vs %u words",
	       (unsigned long long)same, (unsigned long long)progs, p0.prog_words, p1.prog_words);
	snprintf(tn, sizeof(tn), "%s.overlap.mvm_before_post", name);
	report(late1 == 0 && late0 > 0, tn,
	       "programs with an MVM after the POST of the slot before: %llu with tile_overlap 1 "
	       "(want 0), %llu with 0 (want > 0)", (unsigned long long)late1,
	       (unsigned long long)late0);
	aimc_gplan_free(&p0);
	aimc_gplan_free(&p1);
out:
	b_free(b);
	free(b);
}

/* isa_tfl = 0 (docs/configs.md): the compiler refuses a node that needs the tfl POST or ACCADD
 * (AIMC_EUNSUPPORTED naming the node, before placement: even where it would not fit), accepts
 * one that needs neither (and it runs bit-exact on the C model of such a chip, which answers
 * ACCADD and tfl ILLEGAL); the driver refuses a plan that needs them on a chip whose cfg5.no_tfl
 * is set, before it writes anything. */
static void test_no_tfl(const aimc_cfg *ideal, const aimc_cfg *tiny)
{
	aimc_cfg notfl = *ideal, tiny_notfl = *tiny;
	builder *b = calloc(1, sizeof(*b));
	aimc_gplan p;
	aimc_grun r;
	aimc_mmio m;
	aimc_counters c;
	char err[512];
	uint32_t node = 99;
	int rc;

	notfl.isa_tfl = 0;
	tiny_notfl.isa_tfl = 0;
	snprintf(notfl.name, sizeof(notfl.name), "edge_ideal_notfl");
	snprintf(tiny_notfl.name, sizeof(tiny_notfl.name), "tiny_notfl");

	/* a CONV (tfl POST) */
	build_conv_net(b);
	rc = aimc_graph_compile(&b->g, &notfl, &p, err, sizeof(err));
	report(rc == AIMC_EUNSUPPORTED && strstr(err, "isa_tfl = 0") != NULL &&
		       strstr(err, "node 0 (CONV") != NULL && strstr(err, "tfl POST") != NULL,
	       "notfl.compile_conv", "rc %d (want %d), message '%s'", rc, AIMC_EUNSUPPORTED, err);
	printf("# notfl message: %s\n", err);
	b_free(b);
	/* an FC with K = 640 > 256 rows (ACCADD), even one whose output stage the driver applies */
	build_fc_chain(b);
	rc = aimc_graph_compile(&b->g, &notfl, &p, err, sizeof(err));
	report(rc == AIMC_EUNSUPPORTED && strstr(err, "node 0 (FC, K=640") != NULL &&
		       strstr(err, "ACCADD") != NULL && strstr(err, "3 row blocks") != NULL,
	       "notfl.compile_fc_accadd", "rc %d, message '%s'", rc, err);
	printf("# notfl message: %s\n", err);
	b_free(b);
	/* refused before placement: ad01 does not fit tiny either, the refusal says why it cannot run */
	build_ad01(b);
	rc = aimc_graph_compile(&b->g, &tiny_notfl, &p, err, sizeof(err));
	report(rc == AIMC_EUNSUPPORTED && strstr(err, "isa_tfl") != NULL, "notfl.before_fit",
	       "rc %d (want %d, not EFIT %d), message '%s'", rc, AIMC_EUNSUPPORTED, AIMC_EFIT, err);
	b_free(b);
	free(b);

	/* a graph that needs neither compiles and runs on a chip without them */
	run_vs_forward("notfl_fc_host", build_fc_host, &notfl, 3);

	/* The driver: a plan for a chip with isa_tfl on a chip without (the C model of notfl). */
	b = calloc(1, sizeof(*b));
	build_conv_net(b);
	rc = aimc_graph_compile(&b->g, ideal, &p, err, sizeof(err));
	report(rc == AIMC_OK && aimc_gplan_needs_tfl(&p, &node) == 1 && node == 0,
	       "notfl.plan_needs_tfl", "rc %d (%s), node %u", rc, err, node);
	if (rc == AIMC_OK) {
		rc = aimc_mmio_open_cmodel(&m, &notfl, seed);
		if (rc == AIMC_OK) {
			rc = aimc_graph_run_open(&r, &m, ideal, &b->g, &p, 0, 1);
			report(rc == AIMC_EUNSUPPORTED && r.err_node == 0, "notfl.driver_refuses",
			       "rc %d (want %d), node %u", rc, AIMC_EUNSUPPORTED, r.err_node);
			aimc_graph_run_close(&r);
			/* nothing was programmed or run */
			rc = aimc_counters_read(&m, &c);
			report(rc == AIMC_OK && c.prog_rows == 0 && c.instrs == 0 && c.cycles == 0,
			       "notfl.driver_wrote_nothing", "rc %d, prog_rows %u, instrs %u, cycles %llu",
			       rc, c.prog_rows, c.instrs, (unsigned long long)c.cycles);
			aimc_mmio_close(&m);
		}
		aimc_gplan_free(&p);
	}
	b_free(b);
	build_fc_host(b);
	rc = aimc_graph_compile(&b->g, ideal, &p, err, sizeof(err));
	report(rc == AIMC_OK && aimc_gplan_needs_tfl(&p, NULL) == 0, "notfl.plan_fc_host_plain",
	       "rc %d (%s)", rc, err);
	if (rc == AIMC_OK)
		aimc_gplan_free(&p);
	b_free(b);
	free(b);
}

int main(int argc, char **argv)
{
	aimc_cfg edge, tiny, ideal;
	char err[512];

	parse_args(argc, argv);
	if (aimc_cfg_load(&edge, "configs/edge.cfg", err, sizeof(err)) != 0 ||
	    aimc_cfg_load(&tiny, "configs/tiny.cfg", err, sizeof(err)) != 0 ||
	    aimc_cfg_load(&ideal, "configs/edge_ideal.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load configs: %s (seed none)\n", err);
		return 1;
	}
	run_model("ad01", build_ad01, &edge);
	run_model("kws", build_kws, &edge);
	run_model("resnet8", build_resnet, &edge);
	run_model("vww", build_vww, &edge);
	test_overlap_order("kws", build_kws, &edge);
	test_overlap_order("resnet8", build_resnet, &edge);
	test_overlap_order("conv_net", build_conv_net, &ideal);
	run_vs_forward("fc_chain", build_fc_chain, &ideal, 4);
	run_vs_forward("conv_net", build_conv_net, &ideal, 2);
	/* the order of tile_overlap 1: the same results */
	{
		aimc_cfg ovl = ideal;

		snprintf(ovl.name, sizeof(ovl.name), "edge_ideal_overlap");
		ovl.tile_overlap = 1;
		run_vs_forward("fc_chain_overlap", build_fc_chain, &ovl, 4);
		run_vs_forward("conv_net_overlap", build_conv_net, &ovl, 2);
	}
	/* An instruction buffer too small for all node programs at once: each node's programs
	 * are loaded before it runs (and batches shrink to fit). */
	{
		aimc_cfg small = ideal;

		snprintf(small.name, sizeof(small.name), "edge_ideal_i256");
		small.instr_depth = 256;
		run_vs_forward("conv_net_reload", build_conv_net, &small, 2);
	}

	test_no_tfl(&ideal, &tiny);

	/* Too big: ad01's 640 x 640 weights need far more than the 16 x 8 cells of tiny. */
	{
		builder *b = calloc(1, sizeof(*b));
		aimc_gplan p;
		int rc;

		build_ad01(b);
		rc = aimc_graph_compile(&b->g, &tiny, &p, err, sizeof(err));
		report(rc == AIMC_EFIT && strstr(err, "node ") != NULL, "efit.tiny",
		       "rc %d (want %d), message '%s'", rc, AIMC_EFIT, err);
		printf("# efit message: %s\n", err);
		b_free(b);
		/* A 16-tile chip of 256 x 256 holds 1 M cells: a 2048 x 1024 FC layer does not fit. */
		b_init(b, 1, 1, 2048, 0);
		fc(b, 1024);
		rc = aimc_graph_compile(&b->g, &edge, &p, err, sizeof(err));
		report(rc == AIMC_EFIT && strstr(err, "node 0") != NULL &&
			       strstr(err, "do not fit") != NULL,
		       "efit.edge_big_fc", "rc %d, message '%s'", rc, err);
		printf("# efit message: %s\n", err);
		b_free(b);
		free(b);
	}
	return failures ? 1 : 0;
}
