/* SPDX-License-Identifier: Apache-2.0 */
/* Execution plans: a network cut into segments the compiler maps one at a time (aimc.h). A run of
 * fully connected layers is one segment; a convolution layer is a segment of its own whose chip
 * vectors are its im2col patches (one MVM per output pixel), which the host gathers from the
 * previous segment's outputs (the chip has no gather instruction). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_priv.h"

void aimc_plan_free(aimc_plan *plan)
{
	uint32_t s;

	if (plan == NULL)
		return;
	if (plan->seg != NULL)
		for (s = 0; s < plan->n_segments; s++)
			aimc_image_free(&plan->seg[s].img);
	free(plan->seg);
	memset(plan, 0, sizeof(*plan));
}

int aimc_plan_compile(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, uint32_t flags,
		      aimc_plan *plan, char *err, size_t errlen)
{
	uint32_t li, s, n = 0, want, b;
	char sub_err[512];
	int rc = AIMC_OK;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (plan != NULL)
		memset(plan, 0, sizeof(*plan));
	if (net == NULL || cfg == NULL || plan == NULL || net->layers == NULL || net->n_layers == 0)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_plan_compile: NULL argument or an "
			       "empty network");
	if (batch < 1)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "batch must be at least 1");
	/* Count segments: each conv layer alone, each maximal run of FC layers. */
	for (li = 0; li < net->n_layers; li++)
		if (aimc_layer_is_conv(&net->layers[li]) || li == 0 ||
		    aimc_layer_is_conv(&net->layers[li - 1]))
			n++;
	plan->seg = calloc(n, sizeof(*plan->seg));
	if (plan->seg == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "out of memory");
	plan->n_segments = n;
	plan->batch = batch;
	s = 0;
	for (li = 0; li < net->n_layers; li++) {
		aimc_segment *g;

		if (!(aimc_layer_is_conv(&net->layers[li]) || li == 0 ||
		      aimc_layer_is_conv(&net->layers[li - 1]))) {
			plan->seg[s - 1].n_layers++;
			continue;
		}
		g = &plan->seg[s++];
		g->first_layer = li;
		g->n_layers = 1;
		g->conv = (uint32_t)aimc_layer_is_conv(&net->layers[li]);
		g->vectors_per_sample = g->conv ? net->layers[li].conv.out_h *
							  net->layers[li].conv.out_w : 1u;
	}
	for (s = 0; s < n; s++) {
		aimc_segment *g = &plan->seg[s];
		const aimc_layer *lastl = &net->layers[g->first_layer + g->n_layers - 1];
		uint64_t w64 = (uint64_t)batch * g->vectors_per_sample;

		g->net.n_layers = g->n_layers;
		g->net.layers = (aimc_layer *)&net->layers[g->first_layer];
		if (g->conv) {
			g->fc_view = net->layers[g->first_layer];
			memset(&g->fc_view.conv, 0, sizeof(g->fc_view.conv));
			g->net.layers = &g->fc_view;
		}
		g->net.n_classes = lastl->n;
		g->net.in_scale = net->in_scale;
		g->in_len = net->layers[g->first_layer].k;
		g->out_len = lastl->n;
		/* Compile at the asked vectors (samples x patches), or the largest below that fits. */
		want = w64 > cfg->acc_slots ? cfg->acc_slots : (uint32_t)w64;
		for (b = want; b >= 1; b--) {
			rc = aimc_compile_ex(&g->net, cfg, b, s + 1 == n ? flags : 0u, &g->img,
					     sub_err, sizeof(sub_err));
			if (rc != AIMC_EFIT || g->conv == 0)
				break;
		}
		if (rc != AIMC_OK) {
			rc = aimc_set_err(err, errlen, rc, "%s%s (layers %u..%u)", g->conv ?
				     "convolution segment: " : "", sub_err, g->first_layer,
				     g->first_layer + g->n_layers - 1);
			aimc_plan_free(plan);
			return rc;
		}
	}
	return AIMC_OK;
}

void aimc_im2col(const aimc_conv *g, const int8_t *x, int8_t *patches)
{
	uint32_t oy, ox, dy, dx, ci;
	size_t j = 0;

	if (g == NULL || x == NULL || patches == NULL)
		return;

	for (oy = 0; oy < g->out_h; oy++)
		for (ox = 0; ox < g->out_w; ox++)
			for (dy = 0; dy < g->kh; dy++)
				for (dx = 0; dx < g->kw; dx++)
					for (ci = 0; ci < g->in_c; ci++)
						patches[j++] = x[((size_t)(oy * g->stride + dy) *
								  g->in_w + (ox * g->stride + dx)) *
								 g->in_c + ci];
}
