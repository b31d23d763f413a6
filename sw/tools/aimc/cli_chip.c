/* SPDX-License-Identifier: Apache-2.0 */
/* aimc CLI: put a compiled image on a chip and run batches through it (any back-end). */
#include <stddef.h>
#include <stdlib.h>

#include "aimc_regs.h"
#include "cli.h"

#define MAP_OFF(member) ((uint32_t)offsetof(aimc_map_t, member))

/* Timing bounds for cli_max_polls, deliberately generous: a poll read takes at least one clock,
 * and the bound only has to stop a hung chip, not predict the cycle count. */
#define POLL_BASE 10000u
#define POLL_PER_INSTR 64u
#define POLL_PROG_PER_CELL 64u
#define POLL_MVM_PER_PHASE 64u
#define POLL_POST_PER_COL 16u
#define POLL_MARGIN 4u

uint32_t cli_win_instr(void)
{
	return MAP_OFF(instr);
}

uint32_t cli_win_act_in(void)
{
	return MAP_OFF(act_in);
}

uint32_t cli_win_act_out(void)
{
	return MAP_OFF(act_out);
}

uint32_t cli_win_param(void)
{
	return MAP_OFF(param);
}

uint32_t cli_win_weight(void)
{
	return MAP_OFF(weight);
}

uint32_t cli_max_polls(const aimc_cfg *cfg, const aimc_image *img)
{
	uint64_t est = POLL_BASE, phase;
	size_t i;

	phase = cfg->settle_cycles + (uint64_t)cfg->cols_per_adc * cfg->weight_slices * (cfg->adc_cycles + 4u) +
		cfg->rows / 4u + POLL_MVM_PER_PHASE;
	for (i = 0; i < img->n_prog; i++) {
		unsigned op = (unsigned)((img->prog[i] >> AIMC_INSTR_OP_LSB) & AIMC_INSTR_OP_MASK);

		est += POLL_PER_INSTR;
		if (op == AIMC_OP_PROG)
			est += (uint64_t)cfg->rows * aimc_cfg_array_cols(cfg) * POLL_PROG_PER_CELL;
		else if (op == AIMC_OP_MVM)
			est += 2u * aimc_cfg_slices(cfg) * phase;
		else if (op == AIMC_OP_POST)
			est += (uint64_t)cfg->cols * POLL_POST_PER_COL;
	}
	est *= POLL_MARGIN;
	return est > UINT32_MAX ? UINT32_MAX : (uint32_t)est;
}

static int zero_fill(aimc_mmio *m, uint32_t base, uint32_t words)
{
	uint32_t *z;
	int rc;

	if (words == 0)
		return AIMC_OK;
	z = calloc(words, sizeof(*z));
	if (z == NULL)
		return AIMC_ENOMEM;
	rc = aimc_mem_write(m, base, 0, z, words);
	free(z);
	return rc;
}

/* A resident image whose blocks do not fit the weight buffer at once (aimc_image.stage_blocks):
 * stage s writes its blocks at word 0 and runs its PROGs (instruction s*(stage_blocks + 1)). */
static int image_load_staged(aimc_mmio *m, const aimc_cfg *cfg, const aimc_image *img)
{
	size_t blk = aimc_wgt_blk_words(cfg), per = img->stage_blocks, s, n_blk;
	uint32_t polls = cli_max_polls(cfg, img);
	int rc;

	n_blk = img->n_wgt / blk;
	rc = aimc_mem_write(m, MAP_OFF(param), 0, img->par, img->n_par);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(m, cfg, img->prog, img->n_prog);
	if (rc == AIMC_OK)
		rc = zero_fill(m, MAP_OFF(act_in), img->act_words);
	if (rc == AIMC_OK)
		rc = zero_fill(m, MAP_OFF(act_out), img->act_words);
	for (s = 0; rc == AIMC_OK && s * per < n_blk; s++) {
		size_t nb = n_blk - s * per < per ? n_blk - s * per : per;

		rc = aimc_mem_write(m, MAP_OFF(weight), 0, &img->wgt[s * per * blk], nb * blk);
		if (rc == AIMC_OK)
			rc = aimc_run(m, (uint32_t)(s * (per + 1u)), polls, NULL, NULL);
	}
	return rc;
}

int cli_image_load(aimc_mmio *m, const aimc_cfg *cfg, const aimc_image *img)
{
	int rc;

	rc = aimc_chip_init(m, cfg);
	if (rc == AIMC_OK && img->stage_blocks > 0 && img->run_pc > 0)
		return image_load_staged(m, cfg, img);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(m, MAP_OFF(weight), 0, img->wgt, img->n_wgt);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(m, MAP_OFF(param), 0, img->par, img->n_par);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(m, cfg, img->prog, img->n_prog);
	if (rc == AIMC_OK)
		rc = zero_fill(m, MAP_OFF(act_in), img->act_words);
	if (rc == AIMC_OK)
		rc = zero_fill(m, MAP_OFF(act_out), img->act_words);
	/* Resident weights: the setup program programs every tile once, here, not per batch. */
	if (rc == AIMC_OK && img->run_pc > 0)
		rc = aimc_run(m, 0, cli_max_polls(cfg, img), NULL, NULL);
	return rc;
}

int cli_image_run(aimc_mmio *m, const aimc_image *img, const int8_t *x, uint32_t k, int8_t *y,
		  uint32_t n, int32_t *raw, uint32_t max_polls, uint32_t *chip_err,
		  uint32_t *chip_pc)
{
	uint32_t out_win = img->out_sel ? MAP_OFF(act_out) : MAP_OFF(act_in);
	uint32_t out_words = (n + 3u) / 4u;
	uint32_t *buf = NULL;
	size_t in_words = (size_t)img->batch * img->in_stride;
	size_t nbuf = in_words, i;
	uint32_t b;
	int rc;

	if (k > img->in_stride * 4u || out_words > img->out_stride ||
	    (raw != NULL && (img->raw_stride == 0 || n > img->raw_stride)))
		return AIMC_EINVAL;
	if (nbuf < out_words)
		nbuf = out_words;
	if (raw != NULL && nbuf < n)
		nbuf = n;
	buf = calloc(nbuf, sizeof(*buf));
	if (buf == NULL)
		return AIMC_ENOMEM;
	/* Whole vectors, zero past K: the chip reads whole row blocks. */
	for (b = 0; b < img->batch; b++)
		for (i = 0; i < k; i++) {
			size_t byte = (size_t)b * img->in_stride * 4u + i;

			buf[byte / 4u] |= (uint32_t)(uint8_t)x[(size_t)b * k + i] << (8u * (byte % 4u));
		}
	rc = aimc_mem_write(m, MAP_OFF(act_in), img->in_base, buf, in_words);
	if (rc != AIMC_OK)
		goto out;
	rc = aimc_run(m, img->run_pc, max_polls, chip_err, chip_pc);
	if (rc != AIMC_OK)
		goto out;
	for (b = 0; b < img->batch; b++) {
		rc = aimc_mem_read(m, out_win, img->out_base + b * img->out_stride, buf, out_words);
		if (rc != AIMC_OK)
			goto out;
		for (i = 0; i < n; i++)
			y[(size_t)b * n + i] = (int8_t)(uint8_t)(buf[i / 4u] >> (8u * (i % 4u)));
	}
	if (raw != NULL)
		for (b = 0; b < img->batch; b++) {
			rc = aimc_mem_read(m, MAP_OFF(act_out), img->raw_base + b * img->raw_stride,
					   buf, n);
			if (rc != AIMC_OK)
				goto out;
			for (i = 0; i < n; i++)
				raw[(size_t)b * n + i] = (int32_t)buf[i];
		}
out:
	free(buf);
	return rc;
}
