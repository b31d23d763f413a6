/* SPDX-License-Identifier: Apache-2.0 */
/* aimc_net_forward: the ideal int8 chip of docs/numbers.md in plain C (exact accumulators, then
 * the post-processing), convolutions as im2col MVMs over HWC activations. */
#include <stdlib.h>
#include <string.h>

#include "aimc.h"

static int32_t sat32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* y = sat8(relu?(rshift_round(sat32(acc + b) * M, S))) */
static int8_t post(int64_t acc, const aimc_layer *l, uint32_t c)
{
	int64_t t = sat32(sat32(acc) + (int64_t)l->bias[c]);
	int64_t p = t * (int64_t)l->mult[c];
	uint32_t s = l->shift[c];
	int64_t q = (p + ((int64_t)1 << (s - 1))) >> s;

	if (l->relu && q < 0)
		q = 0;
	return (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
}

/* One layer on one input vector x (in_len values) into y (out_len values). patch: K scratch. */
static void layer_forward(const aimc_layer *l, const int8_t *x, int8_t *y, int8_t *patch)
{
	uint32_t c, i;

	if (!aimc_layer_is_conv(l)) {
		for (c = 0; c < l->n; c++) {
			int64_t acc = 0;

			for (i = 0; i < l->k; i++)
				acc += (int64_t)l->w[(size_t)c * l->k + i] * x[i];
			y[c] = post(acc, l, c);
		}
		return;
	}
	{
		const aimc_conv *g = &l->conv;
		uint32_t oy, ox, dy, dx, ci, p = 0;

		for (oy = 0; oy < g->out_h; oy++)
			for (ox = 0; ox < g->out_w; ox++, p++) {
				uint32_t j = 0;

				for (dy = 0; dy < g->kh; dy++)
					for (dx = 0; dx < g->kw; dx++)
						for (ci = 0; ci < g->in_c; ci++)
							patch[j++] = x[((size_t)(oy * g->stride + dy) *
									g->in_w +
								(ox * g->stride + dx)) * g->in_c + ci];
				for (c = 0; c < l->n; c++) {
					int64_t acc = 0;

					for (i = 0; i < l->k; i++)
						acc += (int64_t)l->w[(size_t)c * l->k + i] * patch[i];
					y[(size_t)p * l->n + c] = post(acc, l, c);
				}
			}
	}
}

int aimc_net_forward(const aimc_net *net, const int8_t *x, size_t n, int8_t *y)
{
	uint32_t li, maxlen = 0, maxk = 0;
	int8_t *a = NULL, *b = NULL, *patch = NULL;
	size_t v;
	int rc = AIMC_ENOMEM;

	if (net == NULL || net->layers == NULL || net->n_layers == 0 || (n > 0 && (x == NULL ||
	    y == NULL)))
		return AIMC_EINVAL;
	for (li = 0; li < net->n_layers; li++) {
		const aimc_layer *l = &net->layers[li];

		if (l->w == NULL || l->bias == NULL || l->mult == NULL || l->shift == NULL)
			return AIMC_EINVAL;
		for (v = 0; v < l->n; v++)
			if (l->shift[v] < 1 || l->shift[v] > 62)
				return AIMC_EINVAL;
		if (aimc_layer_in_len(l) > maxlen)
			maxlen = aimc_layer_in_len(l);
		if (aimc_layer_out_len(l) > maxlen)
			maxlen = aimc_layer_out_len(l);
		if (l->k > maxk)
			maxk = l->k;
	}
	a = malloc(maxlen);
	b = malloc(maxlen);
	patch = malloc(maxk);
	if (a == NULL || b == NULL || patch == NULL)
		goto out;
	for (v = 0; v < n; v++) {
		const aimc_layer *first = &net->layers[0];
		const aimc_layer *last = &net->layers[net->n_layers - 1];

		memcpy(a, x + v * aimc_layer_in_len(first), aimc_layer_in_len(first));
		for (li = 0; li < net->n_layers; li++) {
			int8_t *t;

			layer_forward(&net->layers[li], a, b, patch);
			t = a;
			a = b;
			b = t;
		}
		memcpy(y + v * aimc_layer_out_len(last), a, aimc_layer_out_len(last));
	}
	rc = AIMC_OK;
out:
	free(a);
	free(b);
	free(patch);
	return rc;
}
