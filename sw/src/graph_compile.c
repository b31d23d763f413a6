/* SPDX-License-Identifier: Apache-2.0 */
/* Graph compiler (network format 3): the column-packed resident placement of decision 0007
 * section 4, the per-tile weight images and parameter blocks, and per chip node the programs of
 * a full batch and of the remainder batch (docs/isa.md, ISA 3).
 *
 * Placement, node after node in execution order (tiles keep a fill pointer: columns [0, fill) are
 * owned):
 * - FC / CONV (K x N, R = ceil(K / Rows) row blocks): the output columns are cut into column
 *   groups. Each group takes R tiles (choose_tiles: best fit), starts at c0 = the largest fill
 *   among them (the gap below c0 on the others is wasted) and is as wide as the remaining outputs
 *   or the free columns allow. Row block r of the group is on the r-th of those tiles (by index)
 *   at columns [c0, c0 + w), rows 0 .. kr-1 (inputs r*Rows ..); the last row block's tile is
 *   final.
 * - DWCONV: channel groups of g = min(floor(Rows / (kh*kw)), Cols) channels; group j is the block
 *   diagonal (kh*kw*w) x w matrix (row cc*kh*kw + t, column cc: weight t of channel j*g + cc), one
 *   row block, on a tile with w free columns, preferably one the node does not use yet; where no
 *   tile has w free columns, a narrower group takes the largest free range.
 * Units (one MVM per vector): FC / CONV partial row block r on tile t is unit (t, r, partial);
 * the final row block on tile t with its partial tiles (t_0 .. t_{R-2}) is unit (t, R-1, final,
 * partners); column groups with equal keys share the unit. A partial unit's raw POST stores all
 * Cols columns; the final unit adds them all with ACCADD, which is right for every column of
 * every group sharing it because their row blocks sit at the same columns of the same partner
 * tiles (the other columns of the slot are not read). DWCONV groups are one unit each.
 *
 * Per node, a batch of Bv <= batch vectors (slots and buffers are laid out for `batch`):
 * - act_in: vector b at word b*in_stride, n_seg segments of Rows bytes (x + 128, zero past K).
 * - act_out: first the partial units' raw sums (Cols words per vector), then the final units'
 *   int8 outputs (Cols/4 words per vector; host_out: raw sums, Cols words), each per tile in
 *   ascending order. MVMs read only act_in; before the WAIT a tile writes only its own raw range
 *   (or, in a node without partial units, its own output range); after it the ACCADDs read only
 *   raw ranges and each tile's POSTs write only its output range, so no instruction meets
 *   another tile's bounding box of the TILE_CONFLICT check (docs/isa.md).
 * - slots: unit u of tile t (its i-th unit on t) puts vector b in slot i*batch + b.
 * - program: for b, for u: POST raw of b-1 (partial units; a node without partial units: the
 *   output POST of b-1), MVM u8 of b; WAIT (node tiles); for b, for final u, for
 *   partner p: ACCADD from_out; for b, for final u: POST tfl (host_out: raw); HALT. "for u" visits
 *   the units round-robin over the tiles (the first unit of every tile, then the second, ...) so
 *   consecutive commands go to different tiles and run at the same time; a POST holds the data
 *   port while it reads its 3*Cols parameter words, so the POSTs of different tiles are spread
 *   between the MVMs rather than issued together.
 *   With config key tile_overlap 1 the first loop is instead: for b: for u: MVM u8 of b; then
 *   for u: the POST of b-1 (same units, same order, same operands). A tile then takes the MVM of
 *   b before the POST of b-1: it loads b's inputs under b-1's conversions, and the POST of b-1
 *   runs beside b's conversions (different slots). In the order above the POST of b-1 would hold
 *   the tile until the MVM of b-1 is done, and the MVM of b would wait behind it. Same
 *   instructions either way, only their order (and the cycles) differ.
 * Parameters: one block per tile at word t*3*Cols: per column b', M, E of the sub-block owning it
 * (partial and unused columns: 0, 0, E(0, 0, -128, 127)). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_priv.h"

#define BYTES_PER_WORD 4u
#define PAR_WORDS_PER_COL 3u
#define FIELD16_MAX 0xFFFFu
#define MAX_ADC_SHIFT 15u
#define TFL_E_MIN (-31)
#define TFL_E_MAX 30

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
	return (uint32_t)(((uint64_t)a + b - 1u) / b);
}

static uint32_t popcount32(uint32_t v)
{
	uint32_t n = 0;

	for (; v != 0; v &= v - 1u)
		n++;
	return n;
}

uint32_t aimc_tfl_eword(int32_t e, int32_t zp, int32_t lo, int32_t hi)
{
	return (uint32_t)(uint8_t)(int8_t)e | (uint32_t)(uint8_t)(int8_t)zp << 8 |
	       (uint32_t)(uint8_t)(int8_t)lo << 16 | (uint32_t)(uint8_t)(int8_t)hi << 24;
}

void aimc_gplan_free(aimc_gplan *p)
{
	uint32_t i;

	if (p == NULL)
		return;
	if (p->nodes != NULL)
		for (i = 0; i < p->n_nodes; i++) {
			free(p->nodes[i].prog[0]);
			free(p->nodes[i].prog[1]);
		}
	free(p->nodes);
	free(p->blocks);
	free(p->units);
	free(p->partners);
	free(p->wgt);
	free(p->par);
	memset(p, 0, sizeof(*p));
}

/* Growable arrays of the plan. */
static int push_block(aimc_gplan *p, uint32_t *cap, const aimc_gblock *b)
{
	if (p->n_blocks == *cap) {
		uint32_t nc = *cap ? *cap * 2u : 64u;
		aimc_gblock *nb = realloc(p->blocks, nc * sizeof(*nb));

		if (nb == NULL)
			return AIMC_ENOMEM;
		p->blocks = nb;
		*cap = nc;
	}
	p->blocks[p->n_blocks++] = *b;
	return AIMC_OK;
}

static int push_unit(aimc_gplan *p, uint32_t *cap, const aimc_gunit *u)
{
	if (p->n_units == *cap) {
		uint32_t nc = *cap ? *cap * 2u : 64u;
		aimc_gunit *nu = realloc(p->units, nc * sizeof(*nu));

		if (nu == NULL)
			return AIMC_ENOMEM;
		p->units = nu;
		*cap = nc;
	}
	p->units[p->n_units++] = *u;
	return AIMC_OK;
}

static int push_partner(aimc_gplan *p, uint32_t *cap, uint32_t v)
{
	if (p->n_partners == *cap) {
		uint32_t nc = *cap ? *cap * 2u : 64u;
		uint32_t *np = realloc(p->partners, nc * sizeof(*np));

		if (np == NULL)
			return AIMC_ENOMEM;
		p->partners = np;
		*cap = nc;
	}
	p->partners[p->n_partners++] = v;
	return AIMC_OK;
}

/* Choose R tiles for a column group of `need` columns: among windows of R consecutive tiles in
 * the order of decreasing fill (ties by index), c0 = the window's largest fill, free = Cols - c0.
 * Preferred: a window without tiles in `avoid` (tiles this node already uses, for DWCONV: groups
 * on distinct tiles run in parallel), then one where the whole group fits with the least wasted
 * alignment columns and the least free space left (best fit, so tiles fill up and the array
 * utilization of the used tiles is high), else the most free space. Returns free (0: no room),
 * with the tiles in out[0..R-1] and *c0. */
static uint32_t choose_tiles(const uint32_t *fill, uint32_t nt, uint32_t cols, uint32_t R,
			     uint32_t need, uint32_t avoid, uint32_t *out, uint32_t *c0)
{
	uint32_t order[AIMC_MAX_TILES], i, j, s, best_s = UINT32_MAX;
	uint64_t best_key = UINT64_MAX;

	for (i = 0; i < nt; i++)
		order[i] = i;
	for (i = 1; i < nt; i++) {
		uint32_t v = order[i];

		for (j = i; j > 0 && fill[order[j - 1]] < fill[v]; j--)
			order[j] = order[j - 1];
		order[j] = v;
	}
	for (s = 0; s + R <= nt; s++) {
		uint32_t top = fill[order[s]], fr = cols - top, waste = 0, hit = 0;
		uint64_t key;

		if (top >= cols)
			continue;
		for (j = s; j < s + R; j++) {
			waste += top - fill[order[j]];
			hit |= (avoid >> order[j]) & 1u;
		}
		if (fr >= need)
			key = ((uint64_t)hit << 62) | ((uint64_t)waste << 32) | (fr - need);
		else
			key = ((uint64_t)hit << 62) | (1ull << 61) | ((uint64_t)(cols - fr) << 32) |
			      waste;
		if (key < best_key) {
			best_key = key;
			best_s = s;
		}
	}
	if (best_s == UINT32_MAX)
		return 0;
	/* Tiles of the window in index order: the last one (final) is the highest index. */
	for (j = 0; j < R; j++)
		out[j] = order[best_s + j];
	for (i = 1; i < R; i++) {
		uint32_t v = out[i];

		for (j = i; j > 0 && out[j - 1] > v; j--)
			out[j] = out[j - 1];
		out[j] = v;
	}
	*c0 = fill[order[best_s]];
	return cols - *c0;
}

/* A temporary unit during placement of one node (blocks refer to it by index). */
typedef struct tmp_unit {
	uint32_t tile, seg, final;
	uint32_t partner_tiles[AIMC_MAX_TILES]; /* final: tiles of row blocks 0 .. R-2 */
	uint32_t n_partners;
} tmp_unit;

static int find_unit(tmp_unit *tu, uint32_t *n_tu, uint32_t cap, const tmp_unit *key)
{
	uint32_t i;

	for (i = 0; i < *n_tu; i++)
		if (tu[i].tile == key->tile && tu[i].seg == key->seg && tu[i].final == key->final &&
		    tu[i].n_partners == key->n_partners &&
		    memcmp(tu[i].partner_tiles, key->partner_tiles,
			   key->n_partners * sizeof(key->partner_tiles[0])) == 0)
			return (int)i;
	if (*n_tu >= cap)
		return -1;
	tu[*n_tu] = *key;
	return (int)(*n_tu)++;
}

static const char *node_desc(const aimc_graph *g, uint32_t ni, char *buf, size_t len)
{
	const aimc_node *nd = &g->nodes[ni];

	snprintf(buf, len, "node %u (%s, K=%u, N=%u)", ni, aimc_gop_name(nd->op), nd->k, nd->n);
	return buf;
}

/* An FC node whose reference requantizes in binary64 (eff_scale): its final tiles post raw sums
 * and the driver applies the output stage (decision 0007 section 5). */
static int node_host_out(const aimc_node *nd)
{
	return nd->op == AIMC_GOP_FC && nd->eff_scale != NULL;
}

/* isa_tfl = 0 (docs/configs.md): the chip has neither the tfl POST stage nor ACCADD, so a graph
 * is refused before placement if a chip node would need one: the tfl POST unless the driver
 * applies the node's output stage (node_host_out), ACCADD when K spans more than one row block
 * (FC, CONV; a DWCONV's channel groups each fit the rows). */
static int check_isa_tfl(const aimc_graph *g, const aimc_cfg *cfg, char *err, size_t errlen)
{
	char d[96];
	uint32_t ni;

	if (cfg->isa_tfl)
		return AIMC_OK;
	for (ni = 0; ni < g->n_nodes; ni++) {
		const aimc_node *nd = &g->nodes[ni];

		if (!aimc_gop_on_chip(nd->op))
			continue;
		node_desc(g, ni, d, sizeof(d));
		if (!node_host_out(nd))
			return aimc_set_err(err, errlen, AIMC_EUNSUPPORTED,
					    "config %s has isa_tfl = 0 (built without the tfl POST "
					    "stage and ACCADD): %s needs the tfl POST (TFLite "
					    "requantization on the chip)", cfg->name, d);
		if (nd->op != AIMC_GOP_DWCONV && nd->k > cfg->rows)
			return aimc_set_err(err, errlen, AIMC_EUNSUPPORTED,
					    "config %s has isa_tfl = 0 (built without the tfl POST "
					    "stage and ACCADD): %s needs ACCADD to join its %u row "
					    "blocks (K > %u rows)", cfg->name, d,
					    (nd->k + cfg->rows - 1u) / cfg->rows, cfg->rows);
	}
	return AIMC_OK;
}

int aimc_gplan_needs_tfl(const aimc_gplan *p, uint32_t *node)
{
	uint32_t ni, w, i;

	if (p == NULL || p->nodes == NULL)
		return 0;
	for (ni = 0; ni < p->n_nodes; ni++) {
		const aimc_gnode_plan *np = &p->nodes[ni];

		for (w = 0; w < 2; w++) {
			for (i = 0; np->prog[w] != NULL && i < np->n_prog[w]; i++) {
				uint64_t in = np->prog[w][i];
				uint32_t op = (uint32_t)((in >> AIMC_INSTR_OP_LSB) & AIMC_INSTR_OP_MASK);
				uint32_t fl = (uint32_t)((in >> AIMC_INSTR_FLAGS_LSB) &
							 AIMC_INSTR_FLAGS_MASK);

				if (op == AIMC_OP_ACCADD || (op == AIMC_OP_POST && (fl & AIMC_FLAG_TFL))) {
					if (node != NULL)
						*node = ni;
					return 1;
				}
			}
		}
	}
	return 0;
}

/* Checks of one chip node the loader also makes, for graphs built in memory. */
static int check_chip_node(const aimc_graph *g, uint32_t ni, const aimc_cfg *cfg, char *err,
			   size_t errlen)
{
	const aimc_node *nd = &g->nodes[ni];
	char d[96];
	uint32_t i;

	node_desc(g, ni, d, sizeof(d));
	if (nd->k < 1 || nd->n < 1 || nd->w == NULL || nd->bias == NULL || nd->mult == NULL ||
	    nd->shift == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "%s: empty or missing weights", d);
	if (nd->in0 >= g->n_tensors || nd->out >= g->n_tensors)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "%s: tensor id out of range", d);
	if (nd->adc_shift > MAX_ADC_SHIFT)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "%s: adc_shift %u > %u", d,
				    nd->adc_shift, MAX_ADC_SHIFT);
	if (nd->act_min < -128 || nd->act_max > 127 || nd->act_min > nd->act_max)
		return aimc_set_err(err, errlen, AIMC_ERANGE, "%s: clamp [%d, %d] outside int8", d,
				    nd->act_min, nd->act_max);
	if (nd->op == AIMC_GOP_DWCONV && nd->kh * nd->kw != nd->k)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "%s: DWCONV k=%u != kh*kw=%u", d, nd->k,
				    nd->kh * nd->kw);
	if (nd->op == AIMC_GOP_DWCONV && nd->k > cfg->rows)
		return aimc_set_err(err, errlen, AIMC_EFIT,
				    "%s: a depthwise window of %u taps needs %u rows, the tile has %u",
				    d, nd->k, nd->k, cfg->rows);
	for (i = 0; i < nd->n; i++)
		if (nd->shift[i] < TFL_E_MIN || nd->shift[i] > TFL_E_MAX)
			return aimc_set_err(err, errlen, AIMC_ERANGE,
					    "%s: shift[%u] = %d outside [%d, %d]", d, i, nd->shift[i],
					    TFL_E_MIN, TFL_E_MAX);
	if (g->tensors[nd->in0].zero_point < -128 || g->tensors[nd->in0].zero_point > 127 ||
	    g->tensors[nd->out].zero_point < -128 || g->tensors[nd->out].zero_point > 127)
		return aimc_set_err(err, errlen, AIMC_ERANGE, "%s: zero point outside int8", d);
	return AIMC_OK;
}

/* Vectors per sample: one per output pixel (FC: 1). */
static uint32_t node_vectors(const aimc_graph *g, const aimc_node *nd)
{
	const aimc_tensor *o = &g->tensors[nd->out];

	if (nd->op == AIMC_GOP_FC)
		return 1;
	return o->h * o->w;
}

/* Place one chip node: blocks and units appended to p. */
/* Place copy `copy` of one chip node: blocks and units appended to p (copy 0 starts the node's
 * ranges). avoid: tiles the copy should not use (those of the earlier copies). */
static int place_node(const aimc_graph *g, const aimc_cfg *cfg, uint32_t ni, aimc_gplan *p,
		      uint32_t *fill, uint32_t *cap_b, uint32_t *cap_u, uint32_t *cap_p,
		      uint32_t copy, uint32_t avoid, char *err, size_t errlen)
{
	const aimc_node *nd = &g->nodes[ni];
	aimc_gnode_plan *np = &p->nodes[ni];
	const uint32_t rows = cfg->rows, cols = cfg->cols, nt = cfg->num_tiles;
	uint32_t order[AIMC_MAX_TILES], first_block = p->n_blocks, i, j, n_tu = 0, used = avoid;
	tmp_unit *tu = NULL;
	uint32_t tu_cap;
	char d[96];
	int rc = AIMC_OK;

	node_desc(g, ni, d, sizeof(d));
	np->on_chip = 1;
	if (copy == 0) {
		np->first_block = p->n_blocks;
		np->first_unit = p->n_units;
	}
	np->vectors = node_vectors(g, nd);
	if (nd->op == AIMC_GOP_DWCONV) {
		/* A copy's groups get segments of their own after the earlier copies' (its
		 * channel groups may be cut differently). */
		uint32_t kk = nd->k, gsz = rows / kk, ch = 0, seg0 = copy ? np->n_seg : 0u;

		if (gsz > cols)
			gsz = cols;
		/* At most one piece per channel; usually ceil(n / gsz). */
		tu_cap = nd->n;
		tu = calloc(tu_cap, sizeof(*tu));
		if (tu == NULL)
			return AIMC_ENOMEM;
		for (j = 0; ch < nd->n; j++) {
			uint32_t w = nd->n - ch < gsz ? nd->n - ch : gsz, t, c0 = 0, fr;
			aimc_gblock b;
			tmp_unit key;
			int ui;

			/* A whole group where one fits, else the largest free range (a narrower
			 * group: more MVMs, same weights). */
			fr = choose_tiles(fill, nt, cols, 1, w, used, order, &c0);
			if (fr == 0) {
				rc = aimc_set_err(err, errlen, AIMC_EFIT,
						  "%s: %u of %u channels (%u columns) do not fit: the "
						  "%u tiles of %ux%u are full",
						  d, nd->n - ch, nd->n, nd->n - ch, nt, rows, cols);
				goto out;
			}
			if (fr < w)
				w = fr;
			t = order[0];
			memset(&key, 0, sizeof(key));
			key.tile = t;
			key.seg = seg0 + j;
			key.final = 1;
			ui = find_unit(tu, &n_tu, tu_cap, &key);
			memset(&b, 0, sizeof(b));
			b.node = ni;
			b.tile = t;
			b.c0 = c0;
			b.w = w;
			b.n0 = ch;
			b.seg = seg0 + j;
			b.k0 = 0;
			b.kr = kk * w;
			b.final = 1;
			b.unit = (uint32_t)ui;
			b.copy = copy;
			fill[t] = c0 + w;
			used |= 1u << t;
			ch += w;
			rc = push_block(p, cap_b, &b);
			if (rc != AIMC_OK)
				goto out;
		}
		np->n_seg = seg0 + j;
	} else {
		uint32_t R = ceil_div(nd->k, rows), n_rem = nd->n, n0 = 0;

		if (R > nt) {
			rc = aimc_set_err(err, errlen, AIMC_EFIT,
					  "%s: K=%u needs %u row blocks of %u on distinct tiles, the "
					  "chip has %u tiles",
					  d, nd->k, R, rows, nt);
			goto out;
		}
		np->n_seg = R;
		tu_cap = 2u * nt * R + 2u;
		tu = calloc(tu_cap, sizeof(*tu));
		if (tu == NULL)
			return AIMC_ENOMEM;
		while (n_rem > 0) {
			uint32_t c0 = 0, w, r;

			if (choose_tiles(fill, nt, cols, R, n_rem, avoid, order, &c0) == 0) {
				if (R == 1)
					rc = aimc_set_err(err, errlen, AIMC_EFIT,
							  "%s: %u of %u output columns do not fit: "
							  "the %u tiles of %ux%u are full (short by "
							  "%u columns of %u rows)",
							  d, n_rem, nd->n, nt, rows, cols, n_rem,
							  nd->k);
				else
					rc = aimc_set_err(err, errlen, AIMC_EFIT,
							  "%s: %u of %u output columns do not fit: "
							  "each needs %u tiles (its row blocks) with "
							  "free columns at one offset, the %u tiles "
							  "of %ux%u have none (short by %u columns on "
							  "each of %u tiles)",
							  d, n_rem, nd->n, R, nt, rows, cols, n_rem, R);
				goto out;
			}
			w = cols - c0 < n_rem ? cols - c0 : n_rem;
			for (r = 0; r < R; r++) {
				uint32_t t = order[r], q;
				aimc_gblock b;
				tmp_unit key;
				int ui;

				memset(&key, 0, sizeof(key));
				key.tile = t;
				key.seg = r;
				key.final = r + 1u == R;
				if (key.final) {
					key.n_partners = R - 1u;
					for (q = 0; q + 1u < R; q++)
						key.partner_tiles[q] = order[q];
				}
				ui = find_unit(tu, &n_tu, tu_cap, &key);
				if (ui < 0) {
					rc = aimc_set_err(err, errlen, AIMC_EINVAL,
							  "%s: internal: too many units", d);
					goto out;
				}
				memset(&b, 0, sizeof(b));
				b.node = ni;
				b.tile = t;
				b.c0 = c0;
				b.w = w;
				b.n0 = n0;
				b.seg = r;
				b.k0 = r * rows;
				b.kr = nd->k - r * rows < rows ? nd->k - r * rows : rows;
				b.final = key.final;
				b.unit = (uint32_t)ui;
				b.copy = copy;
				fill[t] = c0 + w;
				rc = push_block(p, cap_b, &b);
				if (rc != AIMC_OK)
					goto out;
			}
			n0 += w;
			n_rem -= w;
		}
	}

	/* Units in (tile, creation) order so that each tile's act_out regions are contiguous;
	 * blocks sorted by unit. */
	{
		uint32_t *map = calloc(n_tu, sizeof(*map)), first_unit = p->n_units, t, k, nb;
		aimc_gblock *sorted;

		if (map == NULL) {
			rc = AIMC_ENOMEM;
			goto out;
		}
		for (t = 0; t < nt; t++)
			for (k = 0; k < n_tu; k++)
				if (tu[k].tile == t) {
					aimc_gunit u;

					memset(&u, 0, sizeof(u));
					u.tile = t;
					u.seg = tu[k].seg;
					u.final = tu[k].final;
					u.copy = copy;
					map[k] = p->n_units;
					rc = push_unit(p, cap_u, &u);
					if (rc != AIMC_OK) {
						free(map);
						goto out;
					}
				}
		/* Partners: the partial unit (tile t_q, seg q) of every final unit. */
		for (k = 0; k < n_tu; k++) {
			aimc_gunit *u = &p->units[map[k]];
			uint32_t q;

			u->first_partner = p->n_partners;
			u->n_partners = tu[k].n_partners;
			for (q = 0; q < tu[k].n_partners; q++) {
				uint32_t m2, found = UINT32_MAX;

				for (m2 = 0; m2 < n_tu; m2++)
					if (!tu[m2].final && tu[m2].tile == tu[k].partner_tiles[q] &&
					    tu[m2].seg == q)
						found = map[m2];
				if (found == UINT32_MAX) {
					free(map);
					rc = aimc_set_err(err, errlen, AIMC_EINVAL,
							  "%s: internal: partner unit missing", d);
					goto out;
				}
				rc = push_partner(p, cap_p, found);
				if (rc != AIMC_OK) {
					free(map);
					goto out;
				}
			}
		}
		nb = p->n_blocks - first_block;
		sorted = malloc((size_t)nb * sizeof(*sorted));
		if (sorted == NULL) {
			free(map);
			rc = AIMC_ENOMEM;
			goto out;
		}
		k = 0;
		for (t = first_unit; t < p->n_units; t++) {
			p->units[t].first_block = first_block + k;
			for (i = first_block; i < p->n_blocks; i++)
				if (map[p->blocks[i].unit] == t) {
					sorted[k] = p->blocks[i];
					sorted[k].unit = t;
					k++;
				}
			p->units[t].n_blocks = first_block + k - p->units[t].first_block;
		}
		memcpy(&p->blocks[first_block], sorted, (size_t)nb * sizeof(*sorted));
		free(sorted);
		free(map);
		np->n_units = p->n_units - np->first_unit;
		np->n_blocks = p->n_blocks - np->first_block;
		np->n_copies = copy + 1u;
	}
out:
	free(tu);
	return rc;
}

/* Instructions of a batch of bv vectors. */
static uint64_t prog_len(const aimc_gplan *p, const aimc_gnode_plan *np, uint32_t bv)
{
	uint64_t per[2] = { 0, 0 }, n = 1; /* HALT */
	uint32_t u, c, partial = 0;

	for (u = np->first_unit; u < np->first_unit + np->n_units; u++) {
		const aimc_gunit *un = &p->units[u];
		uint64_t *q = &per[un->copy & 1u];

		*q += 1u; /* MVM */
		*q += 1u; /* raw or tfl POST */
		if (un->final)
			*q += un->n_partners;
		else
			partial = 1;
	}
	/* vector b runs on copy b % n_copies (at most 2) */
	for (c = 0; c < np->n_copies; c++)
		n += per[c] * ((bv + np->n_copies - 1u - c) / np->n_copies);
	return n + partial; /* one WAIT */
}

static void emit(uint64_t *prog, uint32_t *pc, uint64_t in)
{
	prog[(*pc)++] = in;
}

/* The POST of unit un for vector b: raw partial sums, or the node's outputs (tfl; host_out raw). */
static void emit_post(uint64_t *prog, uint32_t *pc, const aimc_gnode_plan *np,
		      const aimc_gunit *un, uint32_t b, uint32_t cols)
{
	unsigned fl = !un->final || np->host_out ? AIMC_FLAG_RAW : AIMC_FLAG_TFL;

	emit(prog, pc, aimc_instr(AIMC_OP_POST, un->tile, fl | AIMC_FLAG_DST_OUT,
				  un->region + b * un->stride, un->slot0 + b,
				  un->tile * PAR_WORDS_PER_COL * cols));
}

/* The program of bv vectors (bv <= np->batch). */
static int emit_node(const aimc_graph *g, const aimc_cfg *cfg, const aimc_gplan *p,
		     const aimc_gnode_plan *np, uint32_t bv, uint64_t **out, uint32_t *n_out)
{
	const aimc_node *nd = &g->nodes[(np - p->nodes)];
	const uint32_t rows = p->rows, cols = p->cols;
	uint64_t len = prog_len(p, np, bv);
	uint64_t *prog = calloc(len, sizeof(*prog));
	uint32_t pc = 0, b, u, q, i, any_partial = 0, *ord, nc = np->n_copies;

	if (prog == NULL)
		return AIMC_ENOMEM;
	ord = malloc((size_t)np->n_units * sizeof(*ord));
	if (ord == NULL) {
		free(prog);
		return AIMC_ENOMEM;
	}
	/* Round-robin over the tiles: unit index on its tile (slot0 / batch), then tile. */
	{
		uint32_t k = 0, round, t;

		for (round = 0; k < np->n_units; round++)
			for (t = 0; t < AIMC_MAX_TILES; t++)
				for (u = np->first_unit; u < np->first_unit + np->n_units; u++)
					if (p->units[u].tile == t &&
					    p->units[u].slot0 / np->per_copy == round)
						ord[k++] = u;
	}
	for (i = 0; i < np->n_units; i++)
		any_partial |= !p->units[ord[i]].final;
	/* Per unit, the POST of vector b-1 (raw of a partial unit, or the output when the node has
	 * no partial units), then the MVM of vector b. The sequencer waits for each tile in turn,
	 * so the tiles' POSTs (which hold the data port) follow each other while the other tiles
	 * compute, instead of all tiles finishing their MVMs together and then queueing their
	 * POSTs. With tile_overlap, every unit's MVM of b and then every unit's POST of b-1: a tile
	 * loads b's inputs under the conversions of b-1 and posts b-1 beside those of b, where the
	 * POST first would hold the tile until the MVM of b-1 is done.
	 * Vector b runs on copy c = b % nc as its local vector b / nc; a copy's previous vector is
	 * b - nc. */
	for (b = 0; b < bv + nc; b++) {
		for (i = 0; i < np->n_units; i++) {
			const aimc_gunit *un = &p->units[ord[i]];

			if (un->copy != b % nc)
				continue;
			if (!cfg->tile_overlap && b >= nc && b - nc < bv &&
			    un->final == !any_partial)
				emit_post(prog, &pc, np, un, (b - nc) / nc, cols);
			if (b < bv)
				emit(prog, &pc, aimc_instr(AIMC_OP_MVM, un->tile, AIMC_FLAG_U8,
							   b * np->in_stride +
								   un->seg * rows / BYTES_PER_WORD,
							   un->slot0 + b / nc, nd->adc_shift));
		}
		if (!cfg->tile_overlap)
			continue;
		for (i = 0; i < np->n_units; i++) {
			const aimc_gunit *un = &p->units[ord[i]];

			if (un->copy == b % nc && b >= nc && b - nc < bv &&
			    un->final == !any_partial)
				emit_post(prog, &pc, np, un, (b - nc) / nc, cols);
		}
	}
	if (any_partial) {
		emit(prog, &pc, aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, np->tile_mask));
		for (b = 0; b < bv; b++)
			for (i = 0; i < np->n_units; i++) {
				const aimc_gunit *un = &p->units[ord[i]];

				if (!un->final || un->copy != b % nc)
					continue;
				for (q = 0; q < un->n_partners; q++) {
					const aimc_gunit *pu =
						&p->units[p->partners[un->first_partner + q]];

					emit(prog, &pc, aimc_instr(AIMC_OP_ACCADD, un->tile,
								   AIMC_FLAG_FROM_OUT,
								   pu->region + b / nc * pu->stride,
								   un->slot0 + b / nc, 0));
				}
			}
		for (b = 0; b < bv; b++)
			for (i = 0; i < np->n_units; i++)
				if (p->units[ord[i]].final && p->units[ord[i]].copy == b % nc)
					emit_post(prog, &pc, np, &p->units[ord[i]], b / nc, cols);
	}
	emit(prog, &pc, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	free(ord);
	if (pc != len) {
		free(prog);
		return AIMC_EINVAL;
	}
	*out = prog;
	*n_out = pc;
	return AIMC_OK;
}

/* Batch size, slots and act_out regions of a placed node. */
static int layout_node(const aimc_graph *g, const aimc_cfg *cfg, uint32_t ni, aimc_gplan *p,
		       char *err, size_t errlen)
{
	aimc_gnode_plan *np = &p->nodes[ni];
	const uint32_t cols = cfg->cols;
	uint32_t per_tile[AIMC_MAX_TILES], u, t, smax = 0, out_per_vec = 0, bmax, nc;
	char d[96];

	node_desc(g, ni, d, sizeof(d));
	memset(per_tile, 0, sizeof(per_tile));
	np->tile_mask = 0;
	for (u = np->first_unit; u < np->first_unit + np->n_units; u++) {
		aimc_gunit *un = &p->units[u];

		un->slot0 = per_tile[un->tile]++; /* index on the tile; times batch below */
		un->stride = un->final && !np->host_out ? cols / BYTES_PER_WORD : cols;
		out_per_vec += un->stride;
		np->tile_mask |= 1u << un->tile;
	}
	for (t = 0; t < AIMC_MAX_TILES; t++)
		if (per_tile[t] > smax)
			smax = per_tile[t];
	np->in_stride = np->n_seg * cfg->rows / BYTES_PER_WORD;
	/* A batch of B vectors gives each unit ceil(B / n_copies) of them. */
	nc = np->n_copies;
	bmax = cfg->acc_slots / smax * nc;
	if (bmax == 0)
		return aimc_set_err(err, errlen, AIMC_EFIT,
				    "%s: a tile needs %u accumulator slots per vector, it has %u", d,
				    smax, cfg->acc_slots);
	if (bmax > np->vectors)
		bmax = np->vectors;
	if (bmax > cfg->act_depth / np->in_stride)
		bmax = cfg->act_depth / np->in_stride;
	if (bmax > cfg->act_depth / out_per_vec * nc)
		bmax = cfg->act_depth / out_per_vec * nc;
	if (bmax == 0)
		return aimc_set_err(err, errlen, AIMC_EFIT,
				    "%s: one vector needs %u words of act_in and %u of act_out, the "
				    "activation buffers have %u",
				    d, np->in_stride, out_per_vec, cfg->act_depth);
	while (bmax > 0 && prog_len(p, np, bmax) > cfg->instr_depth)
		bmax--;
	if (bmax == 0)
		return aimc_set_err(err, errlen, AIMC_EFIT,
				    "%s: the program of one vector needs %llu instructions, the "
				    "instruction buffer has %u",
				    d, (unsigned long long)prog_len(p, np, 1), cfg->instr_depth);
	np->batch = bmax;
	np->rem = np->vectors % bmax;
	np->per_copy = ceil_div(bmax, nc);
	/* act_out: the raw sums of the partial units, then the outputs of the final units, each
	 * per tile in ascending order (one contiguous range per tile and phase). */
	{
		uint32_t off = 0, fin;

		for (fin = 0; fin < 2; fin++)
			for (t = 0; t < AIMC_MAX_TILES; t++)
				for (u = np->first_unit; u < np->first_unit + np->n_units; u++) {
					aimc_gunit *un = &p->units[u];

					if (un->tile != t || un->final != fin)
						continue;
					un->region = off;
					off += un->stride * np->per_copy;
				}
		np->out_words = off;
	}
	for (u = np->first_unit; u < np->first_unit + np->n_units; u++)
		p->units[u].slot0 *= np->per_copy;
	return AIMC_OK;
}

/* Weight images and parameter blocks of every sub-block. */
static int fill_images(const aimc_graph *g, const aimc_cfg *cfg, aimc_gplan *p, char *err,
		       size_t errlen)
{
	const uint32_t cols = p->cols;
	uint32_t i, t, c;
	char d[96];

	for (t = 0; t < p->n_tiles; t++)
		for (c = 0; c < cols; c++) {
			uint32_t *pw = &p->par[(size_t)t * PAR_WORDS_PER_COL * cols + PAR_WORDS_PER_COL * c];

			pw[0] = 0;
			pw[1] = 0;
			pw[2] = aimc_tfl_eword(0, 0, -128, 127);
		}
	for (i = 0; i < p->n_blocks; i++) {
		const aimc_gblock *b = &p->blocks[i];
		const aimc_node *nd = &g->nodes[b->node];
		uint32_t *img = &p->wgt[(size_t)b->tile * p->blk_words];
		int32_t zp_in = g->tensors[nd->in0].zero_point, zp_out = g->tensors[nd->out].zero_point;
		uint32_t r, j;

		node_desc(g, b->node, d, sizeof(d));
		for (j = 0; j < b->w; j++) {
			uint32_t ch = b->n0 + j, col = b->c0 + j;

			for (r = 0; r < b->kr; r++) {
				int8_t w;

				if (nd->op == AIMC_GOP_DWCONV) {
					/* rows cc*kk .. cc*kk+kk-1 belong to channel n0+cc only */
					if (r / nd->k != j)
						continue;
					w = nd->w[(size_t)ch * nd->k + r % nd->k];
				} else {
					w = nd->w[(size_t)ch * nd->k + b->k0 + r];
				}
				aimc_wgt_put(cfg, img, r, col, w); /* its slices (docs/numbers.md) */
			}
			if (b->final) {
				uint32_t *pw = &p->par[(size_t)b->tile * PAR_WORDS_PER_COL * cols +
						       PAR_WORDS_PER_COL * col];
				int64_t sum = 0, bp;
				uint32_t k;

				for (k = 0; k < nd->k; k++)
					sum += nd->w[(size_t)ch * nd->k + k];
				bp = (int64_t)nd->bias[ch] - (int64_t)(zp_in + 128) * sum;
				if (bp < INT32_MIN || bp > INT32_MAX)
					return aimc_set_err(err, errlen, AIMC_ERANGE,
							    "%s: channel %u: folded bias %lld (b %d - "
							    "(zp_in %d + 128) * sum_w %lld) leaves int32",
							    d, ch, (long long)bp, nd->bias[ch], zp_in,
							    (long long)sum);
				pw[0] = (uint32_t)(int32_t)bp;
				pw[1] = (uint32_t)nd->mult[ch];
				pw[2] = aimc_tfl_eword(nd->shift[ch], zp_out, nd->act_min, nd->act_max);
			}
		}
	}
	return AIMC_OK;
}

/* Try a second copy of node ni (one MVM per vector, so a copy on another tile halves its time)
 * if the free columns left still cover `reserve` (what the later nodes took in the first pass);
 * on any failure the node is left as it was. */
static void try_copy(const aimc_graph *g, const aimc_cfg *cfg, uint32_t ni, aimc_gplan *p,
		     uint32_t *fill, uint32_t *cap_b, uint32_t *cap_u, uint32_t *cap_p,
		     uint64_t reserve)
{
	aimc_gnode_plan *np = &p->nodes[ni], saved = *np;
	uint32_t fill0[AIMC_MAX_TILES], nb = p->n_blocks, nu = p->n_units, npart = p->n_partners;
	uint32_t t, i, mask0 = 0, width = 0;
	uint64_t free_cols = 0;
	char err[8];
	int rc;

	if (np->n_units != 1 || np->vectors < 2)
		return;
	for (i = np->first_block; i < np->first_block + np->n_blocks; i++) {
		mask0 |= 1u << p->blocks[i].tile;
		width += p->blocks[i].w;
	}
	for (t = 0; t < cfg->num_tiles; t++)
		free_cols += cfg->cols - fill[t];
	if (free_cols < reserve + width)
		return;
	memcpy(fill0, fill, sizeof(fill0));
	rc = place_node(g, cfg, ni, p, fill, cap_b, cap_u, cap_p, 1, mask0, err, sizeof(err));
	if (rc == AIMC_OK && (np->n_units != 2 || (mask0 >> p->units[np->first_unit + 1].tile & 1u) ||
			      (mask0 >> p->units[np->first_unit].tile & 1u) == 0))
		rc = AIMC_EFIT; /* the copy shares a tile with the original: no gain */
	if (rc == AIMC_OK)
		rc = layout_node(g, cfg, ni, p, err, sizeof(err));
	if (rc == AIMC_OK)
		return;
	memcpy(fill, fill0, sizeof(fill0));
	p->n_blocks = nb;
	p->n_units = nu;
	p->n_partners = npart;
	*np = saved;
	(void)layout_node(g, cfg, ni, p, err, sizeof(err)); /* as before: it succeeded then */
}

/* One placement of the whole graph; with reserve != NULL, single-MVM nodes get a second copy
 * where the columns left over allow (reserve[ni]: columns the nodes after ni need). */
static int compile_pass(const aimc_graph *g, const aimc_cfg *cfg, aimc_gplan *p,
			const uint64_t *reserve, char *err, size_t errlen)
{
	uint32_t fill[AIMC_MAX_TILES], cap_b = 0, cap_u = 0, cap_p = 0, ni, t, total_prog = 0;
	int rc;

	p->rows = cfg->rows;
	p->cols = cfg->cols;
	p->n_tiles = cfg->num_tiles;
	p->blk_words = aimc_wgt_blk_words(cfg);
	p->n_par = cfg->num_tiles * PAR_WORDS_PER_COL * cfg->cols;
	if (p->n_par > cfg->par_depth ||
	    (uint64_t)(cfg->num_tiles - 1u) * PAR_WORDS_PER_COL * cfg->cols > FIELD16_MAX)
		return aimc_set_err(err, errlen, AIMC_EFIT,
				    "config %s: one parameter block per tile needs %u words (%u tiles x "
				    "3 x %u columns), the parameter buffer has %u",
				    cfg->name, p->n_par, cfg->num_tiles, cfg->cols, cfg->par_depth);
	if (cfg->wgt_depth < p->blk_words)
		return aimc_set_err(err, errlen, AIMC_EFIT,
				    "config %s: the weight buffer (%u words) holds less than one tile "
				    "image (%u x %u / 4 = %u words)",
				    cfg->name, cfg->wgt_depth, cfg->rows, cfg->cols, p->blk_words);
	p->n_nodes = g->n_nodes;
	p->nodes = calloc(g->n_nodes, sizeof(*p->nodes));
	p->wgt = calloc((size_t)cfg->num_tiles * p->blk_words, sizeof(*p->wgt));
	p->par = calloc(p->n_par, sizeof(*p->par));
	if (p->nodes == NULL || p->wgt == NULL || p->par == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "out of memory");
	memset(fill, 0, sizeof(fill));
	for (ni = 0; ni < g->n_nodes; ni++) {
		const aimc_node *nd = &g->nodes[ni];
		aimc_gnode_plan *np = &p->nodes[ni];
		uint32_t i, mask = 0;

		if (!aimc_gop_on_chip(nd->op))
			continue;
		rc = check_chip_node(g, ni, cfg, err, errlen);
		np->host_out = node_host_out(nd);
		if (rc == AIMC_OK)
			rc = place_node(g, cfg, ni, p, fill, &cap_b, &cap_u, &cap_p, 0, 0, err,
					errlen);
		if (rc == AIMC_OK)
			rc = layout_node(g, cfg, ni, p, err, errlen);
		if (rc != AIMC_OK)
			return rc;
		if (reserve != NULL)
			try_copy(g, cfg, ni, p, fill, &cap_b, &cap_u, &cap_p, reserve[ni]);
		for (i = np->first_block; i < np->first_block + np->n_blocks; i++)
			mask |= 1u << p->blocks[i].tile;
		np->tile_mask = mask;
		np->weights = (uint64_t)nd->n * nd->k;
		np->cells = np->weights * np->n_copies * cfg->weight_slices;
		np->tile_cells = (uint64_t)popcount32(mask) * cfg->rows * aimc_cfg_array_cols(cfg);
		np->mvms_per_sample = (uint64_t)np->vectors * np->n_units / np->n_copies;
		p->tile_mask |= mask;
		p->weights += np->weights;
		p->cells += np->cells;
		rc = emit_node(g, cfg, p, np, np->batch, &np->prog[0], &np->n_prog[0]);
		if (rc == AIMC_OK && np->rem > 0)
			rc = emit_node(g, cfg, p, np, np->rem, &np->prog[1], &np->n_prog[1]);
		if (rc != AIMC_OK)
			return aimc_set_err(err, errlen, rc, "node %u: program emission failed", ni);
		np->pc[0] = total_prog;
		total_prog += np->n_prog[0];
		np->pc[1] = total_prog;
		total_prog += np->n_prog[1];
	}
	for (t = 0; t < cfg->num_tiles; t++)
		p->cols_used[t] = fill[t];
	p->tile_cells = (uint64_t)popcount32(p->tile_mask) * cfg->rows * aimc_cfg_array_cols(cfg);
	p->prog_words = total_prog;
	p->progs_resident = total_prog <= cfg->instr_depth;
	return fill_images(g, cfg, p, err, errlen);
}

int aimc_graph_compile(const aimc_graph *g, const aimc_cfg *cfg, aimc_gplan *p, char *err,
		       size_t errlen)
{
	aimc_gplan p2;
	uint64_t *reserve = NULL;
	uint32_t i, ni;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p != NULL)
		memset(p, 0, sizeof(*p));
	if (g == NULL || cfg == NULL || p == NULL || g->nodes == NULL || g->tensors == NULL ||
	    g->n_nodes == 0)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_graph_compile: NULL argument or an "
				    "empty graph");
	if (cfg->rows < BYTES_PER_WORD || cfg->cols < BYTES_PER_WORD ||
	    cfg->rows % BYTES_PER_WORD != 0 || cfg->cols % BYTES_PER_WORD != 0 ||
	    cfg->num_tiles < 1 || cfg->num_tiles > AIMC_MAX_TILES)
		return aimc_set_err(err, errlen, AIMC_ECONFIG,
				    "config %s: rows=%u, cols=%u must be multiples of 4, num_tiles=%u "
				    "in 1..%u",
				    cfg->name, cfg->rows, cfg->cols, cfg->num_tiles, AIMC_MAX_TILES);
	rc = check_isa_tfl(g, cfg, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	/* First pass: one copy of everything (whether it fits is decided here). */
	rc = compile_pass(g, cfg, p, NULL, err, errlen);
	if (rc != AIMC_OK) {
		aimc_gplan_free(p);
		return rc;
	}
	/* Second pass: copies of single-MVM nodes in the columns the first pass left free, each
	 * only if the columns the later nodes took stay free; the first pass stands if anything
	 * fails. */
	reserve = calloc(g->n_nodes, sizeof(*reserve));
	if (reserve == NULL)
		return AIMC_OK;
	for (ni = g->n_nodes; ni-- > 1;) {
		const aimc_gnode_plan *np = &p->nodes[ni];
		uint64_t w = 0;

		for (i = np->first_block; i < np->first_block + np->n_blocks; i++)
			w += p->blocks[i].w;
		reserve[ni - 1] = reserve[ni] + w;
	}
	memset(&p2, 0, sizeof(p2));
	if (compile_pass(g, cfg, &p2, reserve, NULL, 0) == AIMC_OK) {
		aimc_gplan_free(p);
		*p = p2;
	} else {
		aimc_gplan_free(&p2);
	}
	free(reserve);
	return AIMC_OK;
}
