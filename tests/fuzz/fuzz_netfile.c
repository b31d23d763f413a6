/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the network file loaders (docs/network-format.md): aimc_net_load_mem
 * (versions 1 and 2, sw/src/netfile.c) and aimc_graph_load_mem (version 3, sw/src/graph_file.c,
 * whose accepted small graphs also run through aimc_graph_forward). Each input is loaded twice: as it is, and as a copy whose file_size field and CRC trailer are
 * patched to match (otherwise nearly every mutation dies at the CRC check and the layer parser
 * is never reached). The target aborts (a finding) when the loader accepts a network that breaks
 * the format's rules, rejects without a message, or returns a code outside the documented set;
 * AddressSanitizer and UBSan catch memory and arithmetic errors. Built and run by tools/fuzz.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"

static uint32_t crc_table[256];

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;

	if (crc_table[1] == 0) {
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t r = v;
			for (int b = 0; b < 8; b++)
				r = (r >> 1) ^ (0xEDB88320u & (0u - (r & 1u)));
			crc_table[v] = r;
		}
	}
	for (i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
	return ~c;
}

static void finding(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_netfile: %s (loader message: '%s')\n", what, err ? err : "");
	abort();
}

/* A network the loader accepted must satisfy every rule of the format. */
static void check_accepted(const aimc_net *net, size_t len)
{
	uint32_t li, i;
	uint64_t bytes = 32 + 4;

	if (net->n_layers < 1 || net->n_layers > 64 || net->layers == NULL)
		finding("accepted a layer count outside 1..64", NULL);
	if (!(net->in_scale > 0.0f))
		finding("accepted in_scale <= 0 or NaN", NULL);
	for (li = 0; li < net->n_layers; li++) {
		const aimc_layer *l = &net->layers[li];
		if (l->k < 1 || l->k > 65535 || l->n < 1 || l->n > 65535)
			finding("accepted a dimension outside 1..65535", NULL);
		if (li > 0 && aimc_layer_in_len(l) != aimc_layer_out_len(&net->layers[li - 1]))
			finding("accepted an input length != the previous output length", NULL);
		if (aimc_layer_is_conv(l)) {
			const aimc_conv *g = &l->conv;

			if (g->kh > g->in_h || g->kw > g->in_w || g->stride < 1 || g->in_c < 1 ||
			    g->kh * g->kw * g->in_c != l->k ||
			    g->out_h != (g->in_h - g->kh) / g->stride + 1 ||
			    g->out_w != (g->in_w - g->kw) / g->stride + 1)
				finding("accepted a broken conv geometry", NULL);
			bytes += 24;
		}
		if (l->relu > 1 || l->adc_shift > 15)
			finding("accepted relu > 1 or adc_shift > 15", NULL);
		for (i = 0; i < l->k * l->n; i++)
			if (l->w[i] == -128)
				finding("accepted a weight of -128", NULL);
		for (i = 0; i < l->n; i++)
			if (l->shift[i] < 1 || l->shift[i] > 62)
				finding("accepted a shift outside 1..62", NULL);
		bytes += 24 + (((uint64_t)l->k * l->n + 3u) & ~(uint64_t)3) + 12ull * l->n;
	}
	if (net->n_classes != aimc_layer_out_len(&net->layers[net->n_layers - 1]))
		finding("accepted n_classes != the last layer's output length", NULL);
	if (bytes != len)
		finding("accepted a file whose size is not the sum of its records", NULL);
}

/* ---- version 3 (graphs) ------------------------------------------------------------------ */

static uint32_t same_out(uint32_t in, uint32_t s)
{
	return (uint32_t)(((uint64_t)in + s - 1) / s);
}

static uint32_t same_pad(uint32_t in, uint32_t k, uint32_t s)
{
	int64_t total = ((int64_t)same_out(in, s) - 1) * s + k - in;

	return total > 0 ? (uint32_t)(total / 2) : 0u;
}

static int window_ok(const aimc_tensor *in, const aimc_tensor *out, const aimc_node *nd)
{
	int same = out->h == same_out(in->h, nd->stride_h) && out->w == same_out(in->w, nd->stride_w) &&
		   nd->pad_top == same_pad(in->h, nd->kh, nd->stride_h) &&
		   nd->pad_left == same_pad(in->w, nd->kw, nd->stride_w);
	int valid = nd->kh <= in->h && nd->kw <= in->w && nd->pad_top == 0 && nd->pad_left == 0 &&
		    out->h == (in->h - nd->kh) / nd->stride_h + 1 &&
		    out->w == (in->w - nd->kw) / nd->stride_w + 1;

	return same || valid;
}

/* A graph the loader accepted must satisfy every rule of the format; a small one is then run
 * through the reference pass (sanitizers watch its arithmetic). */
static void check_graph(const aimc_graph *g, size_t len)
{
	uint8_t written[2048];
	uint64_t bytes = 32 + 8 + 4 + 24ull * g->n_tensors, elems = 0, macs = 0;
	uint32_t i, j;

	if (g->n_nodes < 1 || g->n_nodes > AIMC_GRAPH_MAX_NODES || g->n_tensors < 2 ||
	    g->n_tensors > AIMC_GRAPH_MAX_TENSORS)
		finding("graph: accepted a node or tensor count out of range", NULL);
	for (i = 0; i < g->n_tensors; i++) {
		const aimc_tensor *t = &g->tensors[i];

		if (t->h < 1 || t->w < 1 || t->c < 1 || (uint64_t)t->h * t->w * t->c > (1u << 24) ||
		    t->zero_point < -128 || t->zero_point > 127 || !(t->scale > 0.0f))
			finding("graph: accepted a bad tensor", NULL);
		elems += aimc_tensor_len(t);
	}
	memset(written, 0, sizeof(written));
	written[0] = 1;
	for (i = 0; i < g->n_nodes; i++) {
		const aimc_node *nd = &g->nodes[i];
		const aimc_tensor *in, *out;

		if (nd->in0 >= g->n_tensors || nd->out >= g->n_tensors || !written[nd->in0] ||
		    written[nd->out] || (nd->op == AIMC_GOP_ADD && (nd->in1 >= g->n_tensors ||
		    !written[nd->in1])) || (nd->op != AIMC_GOP_ADD && nd->in1 != AIMC_NO_TENSOR))
			finding("graph: accepted a tensor read before written or written twice", NULL);
		written[nd->out] = 1;
		in = &g->tensors[nd->in0];
		out = &g->tensors[nd->out];
		if (nd->op < AIMC_GOP_FC || nd->op > AIMC_GOP_SOFTMAX)
			finding("graph: accepted an unknown operator", NULL);
		if ((nd->op == AIMC_GOP_CONV || nd->op == AIMC_GOP_DWCONV ||
		     nd->op == AIMC_GOP_AVGPOOL || nd->op == AIMC_GOP_MAXPOOL) &&
		    (nd->stride_h < 1 || nd->stride_w < 1 || nd->kh < 1 || nd->kw < 1 ||
		     !window_ok(in, out, nd)))
			finding("graph: accepted an output shape neither SAME nor VALID", NULL);
		if (nd->op != AIMC_GOP_RESHAPE && nd->op != AIMC_GOP_SOFTMAX &&
		    (nd->act_min < -128 || nd->act_max > 127 || nd->act_min > nd->act_max))
			finding("graph: accepted a bad activation clamp", NULL);
		bytes += 96;
		if (aimc_gop_on_chip(nd->op)) {
			uint64_t wb = (uint64_t)nd->k * nd->n;

			if ((nd->op == AIMC_GOP_FC && aimc_tensor_len(in) != nd->k) ||
			    (nd->op == AIMC_GOP_CONV && (nd->k != nd->kh * nd->kw * in->c ||
							 out->c != nd->n)) ||
			    (nd->op == AIMC_GOP_DWCONV && (nd->k != nd->kh * nd->kw || in->c != nd->n ||
							   out->c != nd->n)) || nd->adc_shift > 15)
				finding("graph: accepted inconsistent chip node dimensions", NULL);
			for (j = 0; j < wb; j++)
				if (nd->w[j] == -128)
					finding("graph: accepted a weight of -128", NULL);
			for (j = 0; j < nd->n; j++) {
				if (nd->shift[j] < -31 || nd->shift[j] > 30 ||
				    (nd->mult[j] != 0 && nd->mult[j] < (1 << 30)))
					finding("graph: accepted a bad multiplier or shift", NULL);
				if (nd->op == AIMC_GOP_FC &&
				    ((nd->eff_scale[j] >> 52) >= 0x7FFu || nd->eff_scale[j] == 0))
					finding("graph: accepted a bad eff_scale", NULL);
			}
			bytes += ((wb + 3u) & ~(uint64_t)3) + 12ull * nd->n +
				 (nd->op == AIMC_GOP_FC ? 8ull * nd->n : 0);
			macs += (uint64_t)aimc_graph_vectors(g, nd) * nd->k *
				(nd->op == AIMC_GOP_DWCONV ? 1u : nd->n);
		} else {
			macs += (uint64_t)aimc_tensor_len(out) * (nd->kh * nd->kw + 1u);
		}
	}
	for (i = 1; i < g->n_tensors; i++)
		if (!written[i])
			finding("graph: accepted a tensor no node writes", NULL);
	if (bytes != len)
		finding("graph: accepted a file whose size is not the sum of its records", NULL);
	if (elems <= (1u << 16) && macs <= (1u << 20)) {
		uint32_t in_len = aimc_tensor_len(&g->tensors[0]);
		uint32_t out_len = aimc_tensor_len(&g->tensors[g->nodes[g->n_nodes - 1].out]);
		int8_t *x = malloc(2u * in_len), *y = malloc(2u * out_len);
		int rc;

		if (x != NULL && y != NULL) {
			for (j = 0; j < 2u * in_len; j++)
				x[j] = (int8_t)(j * 37u + 11u);
			rc = aimc_graph_forward(g, x, 2, y);
			if (rc != AIMC_OK && rc != AIMC_ERANGE && rc != AIMC_ENOMEM)
				finding("graph: forward of an accepted graph failed", NULL);
		}
		free(x);
		free(y);
	}
}

static void load_graph(const uint8_t *buf, size_t len)
{
	aimc_graph g;
	char err[512];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = aimc_graph_load_mem(&g, buf, len, err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		finding("graph: error message not terminated", NULL);
	if (rc == AIMC_OK) {
		check_graph(&g, len);
		aimc_graph_free(&g);
		return;
	}
	if (rc != AIMC_EFORMAT && rc != AIMC_ENOMEM)
		finding("graph: unexpected return code", err);
	if (err[0] == '\0')
		finding("graph: rejected without a message", err);
	if (g.nodes != NULL || g.tensors != NULL || g.n_nodes != 0)
		finding("graph: not cleared after a rejection", err);
}

static void load_one(const uint8_t *buf, size_t len)
{
	load_graph(buf, len);
	aimc_net net;
	char err[512];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = aimc_net_load_mem(&net, buf, len, err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		finding("error message not terminated", NULL);
	if (rc == AIMC_OK) {
		check_accepted(&net, len);
		aimc_net_free(&net);
		return;
	}
	if (rc != AIMC_EFORMAT && rc != AIMC_ENOMEM)
		finding("unexpected return code", err);
	if (err[0] == '\0')
		finding("rejected without a message", err);
	if (net.layers != NULL || net.n_layers != 0)
		finding("net not cleared after a rejection", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	load_one(size ? data : NULL, size);
	if (size < 36 || size > (1u << 24))
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[28] = (uint8_t)size;
	copy[29] = (uint8_t)(size >> 8);
	copy[30] = (uint8_t)(size >> 16);
	copy[31] = (uint8_t)(size >> 24);
	{
		uint32_t c = crc32_ieee(copy, size - 4);
		copy[size - 4] = (uint8_t)c;
		copy[size - 3] = (uint8_t)(c >> 8);
		copy[size - 2] = (uint8_t)(c >> 16);
		copy[size - 1] = (uint8_t)(c >> 24);
	}
	load_one(copy, size);
	free(copy);
	return 0;
}
