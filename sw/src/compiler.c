/* SPDX-License-Identifier: Apache-2.0 */
/* Network compiler: places fully connected layers on tiles and emits the chip program, the weight
 * buffer image and the post-processing parameters (docs/isa.md, docs/numbers.md).
 *
 * Placement:
 * - Resident and pipelined (when every layer has one row block, K <= Rows, and the column blocks
 *   of all layers together fit the tiles, unless AIMC_COMPILE_SERIAL): column block cb of layer li
 *   is block number i = sum of the earlier layers' blocks + cb, on tile i. A setup program at
 *   instruction 0 programs every tile once and halts; when the blocks do not all fit the weight
 *   buffer (or the 16-bit PROG address) at once, the setup is staged: stage s programs the
 *   stage_blocks blocks the host has written at word 0 of the buffer, then halts (aimc_image).
 *   The batch program (from run_pc) runs in stages ending with a WAIT on all used tiles (the
 *   pipeline stages below). In stage s, even layer li runs MVM and POST of
 *   vector s - off(li); odd layers first POST the vector they computed in the previous stage,
 *   then run the MVM of the next, so the two halves of a pair of tiles store at opposite ends of
 *   a stage instead of queueing for the data port together. Layer li+1 reads only vectors that
 *   earlier stages wrote, and each vector has its own region (below), so no stage has a
 *   TILE_CONFLICT. Accumulator slot b for vector b.
 *   With RAW, after the stages, each last-layer tile stores its RAW words, then WAITs.
 *   With tile_overlap (docs/decisions/0014) a stage takes two vectors per layer: both MVMs, then
 *   both POSTs (with RAW each vector's RAW POST right after its output POST, none after the
 *   stages), so the second MVM loads under the first one's conversions and the first vector's
 *   POSTs run beside the second MVM.
 * - Serial (otherwise): every block on tile 0, layer after layer, reprogrammed each batch (below).
 *
 * Layout, per layer in order:
 * - Weights: the layer is cut into Rows x Cols blocks, column block cb (outputs cb*Cols ..) major,
 *   row block rb (inputs rb*Rows ..) minor; each block is Rows*Cols/4 words, byte r*Cols + c =
 *   W[cb*Cols + c][rb*Rows + r], zero outside the matrix. Blocks follow each other in the weight
 *   buffer in program order.
 * - Parameters: 3*Cols words per (layer, cb): b, M, S per column; padded columns b 0, M 0, S 1
 *   (they store 0). One shared zero block (all columns 0, 0, 1) at the end if needed, see below.
 * - Activations ping-pong: layer 0 reads act_in and writes act_out, layer 1 the reverse, ...
 *   Vector b of a batch sits at word b*stride in both buffers; stride is the largest padded input
 *   (K rounded up to Rows) or written output (N rounded up to Cols) of any layer.
 * - Program: for cb { for rb { PROG block; for b: MVM(vector b + rb*Rows/4, slot b, acc = rb > 0,
 *   adc_shift) } for b: [POST raw of the last layer] POST(slot b, params of cb, vector b +
 *   cb*Cols/4, relu) } ... HALT.
 * - Zero padding: a layer reads whole row blocks, so the bytes between what the previous layer
 *   wrote and the padded K must be zero. The host zeroes both buffers once (act_words) and writes
 *   whole input vectors; if another writer of the same buffer (the host's inputs or another
 *   layer, in this batch or the last) may leave non-zero bytes there, the layer writing that
 *   input also stores zero blocks (POST with the zero parameters) up to the reader's padded K.
 * - RAW (AIMC_COMPILE_RAW): the last layer's sat32(acc + b) for vector b, output o, at act_out
 *   word raw_base + b*raw_stride + o, after the activations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_priv.h"

#define FIELD16_MAX 0xFFFFu
#define MAX_ADC_SHIFT 15u
#define MIN_SHIFT 1u
#define MAX_SHIFT 62u
#define BYTES_PER_WORD 4u
#define PARAM_WORDS_PER_COL 3u
#define COMPILE_TILE 0u

/* Where one layer lives: block counts, buffers and the base addresses of its images. */
typedef struct layer_plan {
	uint32_t n_rb;      /* row blocks: ceil(K / Rows) */
	uint32_t n_cb;      /* column blocks: ceil(N / Cols) */
	uint32_t n_zero_cb; /* extra all-zero column blocks written for the next layer's padded rows */
	uint32_t src_out;   /* 1: reads act_out, 0: act_in */
	uint32_t dst_out;   /* 1: writes act_out, 0: act_in */
	uint64_t wgt_base;  /* word address of the first block in the weight buffer */
	uint64_t par_base;  /* word address of the parameters of column block 0 */
} layer_plan;

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
	return (uint32_t)(((uint64_t)a + b - 1u) / b);
}

void aimc_image_free(aimc_image *img)
{
	if (img == NULL)
		return;
	free(img->prog);
	free(img->wgt);
	free(img->par);
	memset(img, 0, sizeof(*img));
}

/* Reject nets that the loader would have rejected: aimc_compile also takes nets built in memory. */
static int check_net(const aimc_net *net, char *err, size_t errlen)
{
	uint32_t li, i;

	if (net->n_layers < 1 || net->layers == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "the network has no layers");
	for (li = 0; li < net->n_layers; li++) {
		const aimc_layer *ly = &net->layers[li];

		if (aimc_layer_is_conv(ly))
			return aimc_set_err(err, errlen, AIMC_EUNSUPPORTED,
				       "layer %u is a convolution: compile the network with "
				       "aimc_plan_compile (im2col segments), not aimc_compile", li);
		if (ly->k < 1 || ly->k > FIELD16_MAX || ly->n < 1 || ly->n > FIELD16_MAX)
			return aimc_set_err(err, errlen, AIMC_EINVAL,
				       "layer %u: K=%u, N=%u, each must be in 1..%u", li, ly->k, ly->n,
				       FIELD16_MAX);
		if (li > 0 && ly->k != net->layers[li - 1].n)
			return aimc_set_err(err, errlen, AIMC_EINVAL,
				       "layer %u: K=%u differs from N=%u of layer %u", li, ly->k,
				       net->layers[li - 1].n, li - 1);
		if (ly->relu > 1 || ly->adc_shift > MAX_ADC_SHIFT)
			return aimc_set_err(err, errlen, AIMC_EINVAL,
				       "layer %u: relu=%u (0/1), adc_shift=%u (0..%u)", li, ly->relu,
				       ly->adc_shift, MAX_ADC_SHIFT);
		if (ly->w == NULL || ly->bias == NULL || ly->mult == NULL || ly->shift == NULL)
			return aimc_set_err(err, errlen, AIMC_EINVAL, "layer %u: missing weights or parameters",
				       li);
		for (i = 0; i < ly->n; i++)
			if (ly->shift[i] < MIN_SHIFT || ly->shift[i] > MAX_SHIFT)
				return aimc_set_err(err, errlen, AIMC_ERANGE,
					       "layer %u: shift[%u] = %u is outside %u..%u", li, i,
					       ly->shift[i], MIN_SHIFT, MAX_SHIFT);
		for (i = 0; i < ly->k * ly->n; i++)
			if (ly->w[i] == -128)
				return aimc_set_err(err, errlen, AIMC_ERANGE,
					       "layer %u: W[%u][%u] is -128, outside -127..127", li,
					       i / ly->k, i % ly->k);
	}
	if (net->n_classes != net->layers[net->n_layers - 1].n)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "n_classes=%u but the last layer has N=%u",
			       net->n_classes, net->layers[net->n_layers - 1].n);
	return AIMC_OK;
}

/* Largest byte extent of non-zero data that anything other than layer `self` may leave in the
 * activation buffer `buf_out` (1 = act_out) of a vector: the host's inputs (act_in, K of layer 0)
 * and the real outputs of every other layer that writes the same buffer, in any batch. */
static uint32_t stale_extent(const aimc_net *net, const layer_plan *pl, uint32_t self,
			     uint32_t buf_out)
{
	uint32_t li, ext = 0;

	if (buf_out == 0)
		ext = net->layers[0].k;
	for (li = 0; li < net->n_layers; li++)
		if (li != self && pl[li].dst_out == buf_out && net->layers[li].n > ext)
			ext = net->layers[li].n;
	return ext;
}

uint32_t aimc_wgt_blk_words(const aimc_cfg *cfg)
{
	return cfg->rows * aimc_cfg_array_cols(cfg) / BYTES_PER_WORD;
}

void aimc_wgt_put(const aimc_cfg *cfg, uint32_t *img, uint32_t r, uint32_t c, int w)
{
	const uint32_t ns = cfg->weight_slices ? cfg->weight_slices : 1;
	uint32_t s;

	for (s = 0; s < ns; s++) {
		uint32_t byte = (r * cfg->cols + c) * ns + s;
		uint8_t v = (uint8_t)(ns == 1 ? w : aimc_cfg_weight_slice(cfg, w, s));

		img[byte / BYTES_PER_WORD] |= (uint32_t)v << (8u * (byte % BYTES_PER_WORD));
	}
}

static void put_weight_block(const aimc_cfg *cfg, uint32_t *wgt, uint64_t base, const aimc_layer *ly,
			     uint32_t rows, uint32_t cols, uint32_t rb, uint32_t cb)
{
	uint32_t r, c;

	for (r = 0; r < rows; r++) {
		uint64_t i = (uint64_t)rb * rows + r; /* input index  (row of the crossbar) */

		if (i >= ly->k)
			break;
		for (c = 0; c < cols; c++) {
			uint64_t o = (uint64_t)cb * cols + c; /* output index (column) */

			if (o >= ly->n)
				break;
			aimc_wgt_put(cfg, wgt + base, r, c, ly->w[o * ly->k + i]);
		}
	}
}

static void put_params(uint32_t *par, uint64_t base, const aimc_layer *ly, uint32_t cols,
		       uint32_t cb)
{
	uint32_t c;

	for (c = 0; c < cols; c++) {
		uint64_t o = (uint64_t)cb * cols + c;
		uint32_t *p = &par[base + (uint64_t)PARAM_WORDS_PER_COL * c];

		if (o < ly->n) {
			p[0] = (uint32_t)ly->bias[o];
			p[1] = (uint32_t)ly->mult[o];
			p[2] = ly->shift[o];
		} else {
			/* Padded columns: b = 0, M = 0, S = 1 store 0. */
			p[0] = 0;
			p[1] = 0;
			p[2] = 1;
		}
	}
}

static void emit(uint64_t *prog, uint64_t *pc, uint64_t in)
{
	if (prog != NULL)
		prog[*pc] = in;
	(*pc)++;
}

/* Where the resident emitter finds things. */
typedef struct res_plan {
	uint32_t first_tile[AIMC_MAX_TILES + 1]; /* per layer: tile of its column block 0 */
	uint32_t tiles;                     /* tiles used */
	uint32_t stage_blocks;              /* blocks per setup stage, 0: one stage */
	uint32_t stride, zero_par, raw;
	uint64_t act_words, raw_stride;
} res_plan;

static void emit_mvms(const aimc_net *net, const aimc_cfg *cfg, const layer_plan *pl,
		      const res_plan *rp, uint32_t li, uint32_t b, uint64_t *prog, uint64_t *pc)
{
	uint32_t cb;

	(void)cfg;
	for (cb = 0; cb < pl[li].n_cb; cb++)
		emit(prog, pc, aimc_instr(AIMC_OP_MVM, rp->first_tile[li] + cb,
					  pl[li].src_out ? AIMC_FLAG_SRC_OUT : 0u, b * rp->stride, b,
					  net->layers[li].adc_shift));
}

static void emit_posts(const aimc_net *net, const aimc_cfg *cfg, const layer_plan *pl,
		       const res_plan *rp, uint32_t li, uint32_t b, uint64_t *prog, uint64_t *pc)
{
	const uint32_t cols = cfg->cols;
	unsigned dst = pl[li].dst_out ? AIMC_FLAG_DST_OUT : 0u;
	unsigned relu = net->layers[li].relu ? AIMC_FLAG_RELU : 0u;
	uint32_t t_last = rp->first_tile[li] + pl[li].n_cb - 1u, cb;

	for (cb = 0; cb < pl[li].n_cb; cb++)
		emit(prog, pc, aimc_instr(AIMC_OP_POST, rp->first_tile[li] + cb, relu | dst,
					  b * rp->stride + cb * cols / BYTES_PER_WORD, b,
					  (unsigned)(pl[li].par_base +
						     (uint64_t)cb * PARAM_WORDS_PER_COL * cols)));
	for (cb = pl[li].n_cb; cb < pl[li].n_cb + pl[li].n_zero_cb; cb++)
		emit(prog, pc, aimc_instr(AIMC_OP_POST, t_last, dst,
					  b * rp->stride + cb * cols / BYTES_PER_WORD, b, rp->zero_par));
}

/* tile_overlap with RAW: the RAW POSTs of vector b of the last layer, each tile's right after
 * its output POST of b (it reads the same slot, while the next MVM converts). */
static void emit_raws(const aimc_cfg *cfg, const layer_plan *pl, const res_plan *rp, uint32_t last,
		      uint32_t b, uint64_t *prog, uint64_t *pc)
{
	const uint32_t cols = cfg->cols;
	uint32_t cb;

	for (cb = 0; cb < pl[last].n_cb; cb++)
		emit(prog, pc, aimc_instr(AIMC_OP_POST, rp->first_tile[last] + cb,
					  AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT,
					  (unsigned)(rp->act_words + b * rp->raw_stride + (uint64_t)cb * cols),
					  b, (unsigned)(pl[last].par_base +
							(uint64_t)cb * PARAM_WORDS_PER_COL * cols)));
}

/* The setup and batch programs of the resident placement (header comment). With prog == NULL
 * only counts. Returns the instruction count; *run_pc gets the batch program's start. */
static uint64_t emit_resident(const aimc_net *net, const aimc_cfg *cfg, const layer_plan *pl,
			      const res_plan *rp, uint32_t batch, uint64_t *prog, uint32_t *run_pc)
{
	const uint32_t cols = cfg->cols, last = net->n_layers - 1;
	const unsigned all = (unsigned)((1u << rp->tiles) - 1u);
	uint64_t pc = 0;
	uint32_t li, cb, s, b, ph, n_stages, off[AIMC_MAX_TILES], j;
	/* tile_overlap: two vectors per stage, the second MVM loaded under the first's conversions
	 * and the first's POSTs (with RAW, its RAW POST after each) beside the second's */
	const uint32_t per = cfg->tile_overlap ? 2u : 1u;

	for (li = 0; li < net->n_layers; li++)
		for (cb = 0; cb < pl[li].n_cb; cb++) {
			uint64_t a = pl[li].wgt_base + (uint64_t)cb * cfg->rows * cols / BYTES_PER_WORD;
			uint32_t blk = rp->first_tile[li] + cb; /* block i is on tile i */

			/* Staged: the block sits at its place in its stage's part of the buffer. */
			if (rp->stage_blocks > 0)
				a = (uint64_t)(blk % rp->stage_blocks) * cfg->rows * cols /
				    BYTES_PER_WORD;
			emit(prog, &pc, aimc_instr(AIMC_OP_PROG, blk, 0, (unsigned)a, 0, 0));
			if (rp->stage_blocks > 0 && (blk + 1u) % rp->stage_blocks == 0 &&
			    blk + 1u < rp->tiles)
				emit(prog, &pc, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
		}
	emit(prog, &pc, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	*run_pc = (uint32_t)pc;

	/* Stage of vector 0 per layer: odd layers store each vector one stage after its MVM (at the
	 * start of the next stage, while the even layers compute), so the next layer starts two
	 * stages after them, one stage after even layers. */
	off[0] = 0;
	for (li = 1; li < net->n_layers; li++)
		off[li] = off[li - 1] + 1u + ((li - 1u) & 1u);
	n_stages = ceil_div(batch, per) + off[last] + (last & 1u);
	for (s = 0; s < n_stages; s++) {
		/* 1: MVMs of even layers, 2: deferred POSTs of odd layers, 3: MVMs of odd layers,
		 * 4: POSTs of even layers, then WAIT. The tiles take commands in this order, so a
		 * POST and an MVM load rarely want the data port at once. */
		for (ph = 0; ph < 4; ph++) {
			for (li = 0; li < net->n_layers; li++) {
				uint32_t odd = li & 1u, is_mvm = (ph == 0 || ph == 2);
				uint64_t vb;

				if (odd != (uint32_t)(ph == 1 || ph == 2))
					continue;
				if (s < off[li] + (!is_mvm && odd))
					continue;
				vb = ((uint64_t)s - off[li] - (!is_mvm && odd)) * per;
				for (j = 0; j < per; j++) {
					if (vb + j >= batch)
						break;
					b = (uint32_t)(vb + j);
					if (is_mvm) {
						emit_mvms(net, cfg, pl, rp, li, b, prog, &pc);
						continue;
					}
					emit_posts(net, cfg, pl, rp, li, b, prog, &pc);
					if (rp->raw && per > 1u && li == last)
						emit_raws(cfg, pl, rp, last, b, prog, &pc);
				}
			}
		}
		emit(prog, &pc, aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, all));
	}
	if (rp->raw && per == 1u) {
		for (cb = 0; cb < pl[last].n_cb; cb++) {
			uint32_t t = rp->first_tile[last] + cb;

			for (b = 0; b < batch; b++)
				emit(prog, &pc, aimc_instr(AIMC_OP_POST, t,
							   AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT,
							   (unsigned)(rp->act_words + b * rp->raw_stride +
								      (uint64_t)cb * cols),
							   b, (unsigned)(pl[last].par_base + (uint64_t)cb *
									 PARAM_WORDS_PER_COL * cols)));
			emit(prog, &pc, aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t));
		}
	}
	emit(prog, &pc, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	return pc;
}

int aimc_compile(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, aimc_image *img,
		 char *err, size_t errlen)
{
	return aimc_compile_ex(net, cfg, batch, 0, img, err, errlen);
}

/* ---- aimc_compile_ex, in its steps ---------------------------------------------------------- */

/* What the steps of one compilation share: the inputs, the per-layer plan and the sizes. */
typedef struct compile_ctx {
	const aimc_net *net;
	const aimc_cfg *cfg;
	uint32_t batch, rows, cols, last, raw;
	layer_plan *pl;
	int resident, any_zero;
	uint32_t total_cb, stride, stride_layer, zero_par, run_pc;
	uint64_t blk_words, wgt_words, par_words, n_instr, act_words, raw_stride;
	res_plan rp;
	char *err;
	size_t errlen;
} compile_ctx;

/* Arguments, flags, geometry, the network and the batch against the accumulator slots. */
static int compile_check_args(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, uint32_t flags,
			      const aimc_image *img, char *err, size_t errlen)
{
	int rc;

	if (net == NULL || cfg == NULL || img == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_compile: NULL argument");
	if (batch < 1)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "batch must be at least 1");
	if ((flags & ~(AIMC_COMPILE_RAW | AIMC_COMPILE_SERIAL)) != 0)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "unknown compile flags 0x%x", flags);
	if (cfg->rows < BYTES_PER_WORD || cfg->cols < BYTES_PER_WORD || cfg->rows % BYTES_PER_WORD != 0 ||
	    cfg->cols % BYTES_PER_WORD != 0 || cfg->num_tiles < 1)
		return aimc_set_err(err, errlen, AIMC_ECONFIG,
			       "config %s: rows=%u, cols=%u must be multiples of 4, num_tiles=%u >= 1",
			       cfg->name, cfg->rows, cfg->cols, cfg->num_tiles);
	rc = check_net(net, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	if (batch > cfg->acc_slots || batch - 1u > FIELD16_MAX)
		return aimc_set_err(err, errlen, AIMC_EFIT,
			       "batch %u needs %u accumulator slots, the tile has %u", batch, batch,
			       cfg->acc_slots);
	return AIMC_OK;
}

/* Blocks of every layer, the placement (resident and pipelined, or serial) and the zero blocks a
 * layer writes for the next one's padded rows. */
static int compile_plan_layers(compile_ctx *c, uint32_t flags)
{
	const aimc_net *net = c->net;
	uint32_t li;

	c->pl = calloc(net->n_layers, sizeof(*c->pl));
	if (c->pl == NULL)
		return aimc_set_err(c->err, c->errlen, AIMC_ENOMEM, "out of memory");
	for (li = 0; li < net->n_layers; li++) {
		c->pl[li].n_rb = ceil_div(net->layers[li].k, c->rows);
		c->pl[li].n_cb = ceil_div(net->layers[li].n, c->cols);
		/* Activations ping-pong: IN -> OUT -> IN ... */
		c->pl[li].src_out = li & 1u;
		c->pl[li].dst_out = (li & 1u) ^ 1u;
	}
	/* Resident when every layer is one row block wide and all column blocks fit the tiles. */
	c->resident = (flags & AIMC_COMPILE_SERIAL) == 0 && c->cfg->num_tiles <= AIMC_MAX_TILES &&
		      net->n_layers <= AIMC_MAX_TILES;
	memset(&c->rp, 0, sizeof(c->rp));
	for (li = 0; li < net->n_layers && c->resident; li++) {
		c->rp.first_tile[li] = c->total_cb;
		c->total_cb += c->pl[li].n_cb;
		if (c->pl[li].n_rb != 1 || c->total_cb > c->cfg->num_tiles)
			c->resident = 0;
	}

	/* The next layer reads its input padded to whole row blocks. Bytes past the written column
	 * blocks must be zero; when another writer of the same buffer may have left non-zero data
	 * there, write explicit zero blocks (POST with b = 0, M = 0, S = 1 stores 0). */
	for (li = 0; li < c->last; li++) {
		uint32_t written = c->pl[li].n_cb * c->cols;
		uint32_t read_next = c->pl[li + 1].n_rb * c->rows;

		if (read_next > written &&
		    stale_extent(net, c->pl, li, c->pl[li].dst_out) > written) {
			c->pl[li].n_zero_cb = ceil_div(read_next, c->cols) - c->pl[li].n_cb;
			c->any_zero = 1;
		}
	}
	return AIMC_OK;
}

/* One stride for every vector in both buffers (the largest padded input or output) and the
 * activation words of the batch, RAW results included, against the activation buffer. */
static int compile_plan_activations(compile_ctx *c)
{
	const aimc_net *net = c->net;
	const aimc_cfg *cfg = c->cfg;
	uint64_t raw_end;

	for (uint32_t li = 0; li < net->n_layers; li++) {
		uint32_t in_words = c->pl[li].n_rb * c->rows / BYTES_PER_WORD;
		uint32_t out_words = (c->pl[li].n_cb + c->pl[li].n_zero_cb) * c->cols / BYTES_PER_WORD;
		uint32_t w = in_words > out_words ? in_words : out_words;

		if (w > c->stride) {
			c->stride = w;
			c->stride_layer = li;
		}
	}
	c->act_words = (uint64_t)c->batch * c->stride;
	if (c->act_words > cfg->act_depth || c->act_words > FIELD16_MAX + 1ull) {
		const aimc_layer *ly = &net->layers[c->stride_layer];

		return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
			     "layer %u (K=%u, N=%u): activations need %llu words per buffer (batch %u "
			     "x %u words), activation buffer has %u",
			     c->stride_layer, ly->k, ly->n, (unsigned long long)c->act_words, c->batch,
			     c->stride, cfg->act_depth);
	}
	if (c->raw) {
		c->raw_stride = (uint64_t)c->pl[c->last].n_cb * c->cols;
		raw_end = c->act_words + c->batch * c->raw_stride;
		if (raw_end > cfg->act_depth || raw_end > FIELD16_MAX + 1ull) {
			const aimc_layer *ly = &net->layers[c->last];

			return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
				     "layer %u (K=%u, N=%u): activations and RAW results need %llu "
				     "words of act_out (%llu + batch %u x %llu), activation buffer "
				     "has %u",
				     c->last, ly->k, ly->n, (unsigned long long)raw_end,
				     (unsigned long long)c->act_words, c->batch,
				     (unsigned long long)c->raw_stride, cfg->act_depth);
		}
	}
	return AIMC_OK;
}

/* Weight, parameter and (serial placement) instruction budgets, checked layer by layer so the
 * message names the first layer that does not fit. */
static int compile_plan_buffers(compile_ctx *c)
{
	const aimc_net *net = c->net;
	const aimc_cfg *cfg = c->cfg;
	const uint32_t rows = c->rows, cols = c->cols;

	c->blk_words = aimc_wgt_blk_words(cfg); /* Rows x Cols x WeightSlices bytes */
	for (uint32_t li = 0; li < net->n_layers; li++) {
		const aimc_layer *ly = &net->layers[li];
		uint64_t blocks = (uint64_t)c->pl[li].n_rb * c->pl[li].n_cb;
		uint64_t instr;

		c->pl[li].wgt_base = c->wgt_words;
		c->wgt_words += blocks * c->blk_words;
		/* Resident: the setup stages the blocks through the buffer (compile_plan_resident). */
		if (!c->resident && c->wgt_words > cfg->wgt_depth)
			return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
				     "layer %u (K=%u, N=%u): weights need %llu words (%llu blocks of "
				     "%ux%u through this layer), weight buffer has %u",
				     li, ly->k, ly->n, (unsigned long long)c->wgt_words,
				     (unsigned long long)(c->wgt_words / c->blk_words), rows, cols,
				     cfg->wgt_depth);
		if (!c->resident && c->wgt_words - c->blk_words > FIELD16_MAX)
			return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
				     "layer %u (K=%u, N=%u): a weight block starts at word %llu, past "
				     "the 16-bit PROG address (max %u)",
				     li, ly->k, ly->n, (unsigned long long)(c->wgt_words - c->blk_words),
				     FIELD16_MAX);
		c->pl[li].par_base = c->par_words;
		c->par_words += (uint64_t)c->pl[li].n_cb * PARAM_WORDS_PER_COL * cols;
		if (li == c->last && c->any_zero) {
			c->zero_par = (uint32_t)c->par_words;
			c->par_words += (uint64_t)PARAM_WORDS_PER_COL * cols;
		}
		if (c->par_words > cfg->par_depth || c->par_words - (uint64_t)PARAM_WORDS_PER_COL * cols >
							    FIELD16_MAX)
			return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
				     "layer %u (K=%u, N=%u): parameters need %llu words (through this "
				     "layer%s), parameter buffer has %u",
				     li, ly->k, ly->n, (unsigned long long)c->par_words,
				     (li == c->last && c->any_zero) ? ", plus one zero block" : "",
				     cfg->par_depth);
		if (c->resident)
			continue; /* counted by compile_plan_resident, once the buffers are laid out */
		instr = (uint64_t)c->pl[li].n_cb * ((uint64_t)c->pl[li].n_rb * (1u + c->batch) +
						    (uint64_t)c->batch * (1u + (c->raw && li == c->last)));
		instr += (uint64_t)c->pl[li].n_zero_cb * c->batch;
		c->n_instr += instr;
		if (c->n_instr > cfg->instr_depth)
			return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
				     "layer %u (K=%u, N=%u): the program needs %llu instructions "
				     "(through this layer, with HALT) at batch %u, instruction buffer "
				     "has %u",
				     li, ly->k, ly->n, (unsigned long long)c->n_instr, c->batch,
				     cfg->instr_depth);
	}
	return AIMC_OK;
}

/* Resident placement: the setup stages (blocks the weight buffer holds at once, within the 16-bit
 * PROG address) and the length of the pipelined program. */
static int compile_plan_resident(compile_ctx *c)
{
	const aimc_cfg *cfg = c->cfg;
	uint64_t per = cfg->wgt_depth / c->blk_words;

	if (per > FIELD16_MAX / c->blk_words + 1u)
		per = FIELD16_MAX / c->blk_words + 1u;
	if (per == 0)
		return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
			     "a %ux%u block needs %llu weight words, the weight buffer has %u",
			     c->rows, c->cols, (unsigned long long)c->blk_words, cfg->wgt_depth);
	c->rp.stage_blocks = per < c->total_cb ? (uint32_t)per : 0u;
	c->rp.tiles = c->total_cb;
	c->rp.stride = c->stride;
	c->rp.zero_par = c->zero_par;
	c->rp.raw = c->raw;
	c->rp.act_words = c->act_words;
	c->rp.raw_stride = c->raw_stride;
	c->n_instr = emit_resident(c->net, cfg, c->pl, &c->rp, c->batch, NULL, &c->run_pc);
	if (c->n_instr > cfg->instr_depth || c->n_instr > FIELD16_MAX)
		return aimc_set_err(c->err, c->errlen, AIMC_EFIT,
			     "the pipelined program on %u tiles needs %llu instructions at "
			     "batch %u, instruction buffer has %u",
			     c->total_cb, (unsigned long long)c->n_instr, c->batch, cfg->instr_depth);
	return AIMC_OK;
}

/* The weight and parameter images (the same layout for both placements) and room for the
 * program. */
static int compile_fill_images(const compile_ctx *c, aimc_image *img)
{
	const aimc_net *net = c->net;

	img->wgt = calloc(c->wgt_words, sizeof(*img->wgt));
	img->par = calloc(c->par_words, sizeof(*img->par));
	img->prog = calloc(c->n_instr, sizeof(*img->prog));
	if (img->wgt == NULL || img->par == NULL || img->prog == NULL)
		return aimc_set_err(c->err, c->errlen, AIMC_ENOMEM, "out of memory for the chip image");
	img->n_wgt = c->wgt_words;
	img->n_par = c->par_words;
	img->n_prog = c->n_instr;
	if (c->any_zero) {
		for (uint32_t col = 0; col < c->cols; col++)
			img->par[c->zero_par + PARAM_WORDS_PER_COL * col + 2] = 1;
	}
	for (uint32_t li = 0; li < net->n_layers; li++) {
		uint64_t blk = c->pl[li].wgt_base;

		for (uint32_t cb = 0; cb < c->pl[li].n_cb; cb++) {
			put_params(img->par, c->pl[li].par_base + (uint64_t)cb * PARAM_WORDS_PER_COL * c->cols,
				   &net->layers[li], c->cols, cb);
			for (uint32_t rb = 0; rb < c->pl[li].n_rb; rb++) {
				put_weight_block(c->cfg, img->wgt, blk, &net->layers[li], c->rows, c->cols, rb, cb);
				blk += c->blk_words;
			}
		}
	}
	return AIMC_OK;
}

/* The serial program: every block on tile 0, layer after layer (layout at the top of the file).
 * Returns the instructions written. */
static uint64_t compile_emit_serial(const compile_ctx *c, uint64_t *prog)
{
	const aimc_net *net = c->net;
	const uint32_t rows = c->rows, cols = c->cols, stride = c->stride, batch = c->batch;
	uint64_t pc = 0;

	for (uint32_t li = 0; li < net->n_layers; li++) {
		const aimc_layer *ly = &net->layers[li];
		const layer_plan *p = &c->pl[li];
		unsigned mvm_src = p->src_out ? AIMC_FLAG_SRC_OUT : 0u;
		unsigned post_dst = p->dst_out ? AIMC_FLAG_DST_OUT : 0u;
		unsigned relu = ly->relu ? AIMC_FLAG_RELU : 0u;
		uint64_t blk = p->wgt_base;
		uint32_t cb, rb, b;

		for (cb = 0; cb < p->n_cb; cb++) {
			uint32_t par = (uint32_t)(p->par_base + (uint64_t)cb * PARAM_WORDS_PER_COL * cols);

			for (rb = 0; rb < p->n_rb; rb++) {
				prog[pc++] = aimc_instr(AIMC_OP_PROG, COMPILE_TILE, 0, (unsigned)blk, 0, 0);
				for (b = 0; b < batch; b++) {
					unsigned a = b * stride + rb * rows / BYTES_PER_WORD;
					unsigned fl = mvm_src | (rb > 0 ? AIMC_FLAG_ACC : 0u);

					prog[pc++] = aimc_instr(AIMC_OP_MVM, COMPILE_TILE, fl, a, b, ly->adc_shift);
				}
				blk += c->blk_words;
			}
			for (b = 0; b < batch; b++) {
				if (c->raw && li == c->last) {
					unsigned a = (unsigned)(c->act_words + b * c->raw_stride + (uint64_t)cb * cols);

					prog[pc++] = aimc_instr(AIMC_OP_POST, COMPILE_TILE,
								AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT, a, b, par);
				}
				prog[pc++] = aimc_instr(AIMC_OP_POST, COMPILE_TILE, relu | post_dst,
							b * stride + cb * cols / BYTES_PER_WORD, b, par);
			}
		}
		for (cb = p->n_cb; cb < p->n_cb + p->n_zero_cb; cb++)
			for (b = 0; b < batch; b++)
				prog[pc++] = aimc_instr(AIMC_OP_POST, COMPILE_TILE, post_dst,
							b * stride + cb * cols / BYTES_PER_WORD, b, c->zero_par);
	}
	prog[pc++] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
	return pc;
}

/* Where the host finds inputs, outputs and RAW results, and how the program runs. */
static void compile_describe(const compile_ctx *c, aimc_image *img)
{
	img->batch = c->batch;
	img->in_base = 0;
	img->in_stride = c->stride;
	img->out_sel = c->pl[c->last].dst_out;
	img->out_base = 0;
	img->out_stride = c->stride;
	img->raw_base = c->raw ? (uint32_t)c->act_words : 0;
	img->raw_stride = (uint32_t)c->raw_stride;
	img->act_words = (uint32_t)c->act_words;
	img->run_pc = c->run_pc;
	img->resident = (uint32_t)c->resident;
	img->tiles_used = c->resident ? c->total_cb : 1u;
	img->stage_blocks = c->resident ? c->rp.stage_blocks : 0u;
}

int aimc_compile_ex(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, uint32_t flags,
		    aimc_image *img, char *err, size_t errlen)
{
	compile_ctx c;
	uint64_t pc;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (img != NULL)
		memset(img, 0, sizeof(*img));
	rc = compile_check_args(net, cfg, batch, flags, img, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.net = net;
	c.cfg = cfg;
	c.batch = batch;
	c.rows = cfg->rows;
	c.cols = cfg->cols;
	c.last = net->n_layers - 1;
	c.raw = (flags & AIMC_COMPILE_RAW) != 0;
	c.n_instr = 1; /* HALT */
	c.err = err;
	c.errlen = errlen;

	rc = compile_plan_layers(&c, flags);
	if (rc == AIMC_OK)
		rc = compile_plan_activations(&c);
	if (rc == AIMC_OK)
		rc = compile_plan_buffers(&c);
	if (rc == AIMC_OK && c.resident)
		rc = compile_plan_resident(&c);
	if (rc == AIMC_OK)
		rc = compile_fill_images(&c, img);
	if (rc != AIMC_OK)
		goto fail;
	if (c.resident)
		pc = emit_resident(net, cfg, c.pl, &c.rp, batch, img->prog, &c.run_pc);
	else
		pc = compile_emit_serial(&c, img->prog);
	if (pc != c.n_instr) {
		rc = aimc_set_err(err, errlen, AIMC_EINVAL, "internal: emitted %llu of %llu instructions",
				  (unsigned long long)pc, (unsigned long long)c.n_instr);
		goto fail;
	}
	compile_describe(&c, img);
	free(c.pl);
	return AIMC_OK;

fail:
	free(c.pl);
	aimc_image_free(img);
	return rc;
}
