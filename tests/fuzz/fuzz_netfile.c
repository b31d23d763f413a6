/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the network file loader (docs/network-format.md, sw/src/netfile.c).
 * Each input is loaded twice: as it is, and as a copy whose file_size field and CRC trailer are
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

static void load_one(const uint8_t *buf, size_t len)
{
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
