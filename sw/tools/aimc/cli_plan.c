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
