/* SPDX-License-Identifier: Apache-2.0 */
/* Network file loader and writer: reads, validates and writes .khnf files
 * (docs/network-format.md). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_priv.h"
#include "khnf_io.h"

#define NET_MAGIC "KHNF"
#define NET_VERSION 1u
#define NET_VERSION_CONV 2u
#define NET_VERSION_GRAPH 3u  /* graph_file.c */
#define NET_CONV_SIZE 24u
#define NET_KIND_CONV 2u
#define NET_MAX_OUT_LEN (1u << 24)
#define NET_HEADER_SIZE 32u
#define NET_LAYER_HEADER_SIZE 24u
#define NET_CRC_SIZE 4u
#define NET_MAX_LAYERS 64u
#define NET_MAX_DIM 65535u
#define NET_KIND_FC 1u
#define NET_MAX_ADC_SHIFT 15u
#define NET_MIN_SHIFT 1u
#define NET_MAX_SHIFT 62u
/* Refuse to read anything larger: the biggest legal file (64 layers of 65535 x 65535) is far
 * beyond any chip this driver talks to. */
#define NET_MAX_FILE_BYTES (1ull << 32)

/* Header field offsets. */
enum {
	HDR_MAGIC = 0,
	HDR_VERSION = 4,
	HDR_HEADER_SIZE = 6,
	HDR_N_LAYERS = 8,
	HDR_N_INPUTS = 12,
	HDR_N_CLASSES = 16,
	HDR_IN_SCALE = 20,
	HDR_FLAGS = 24,
	HDR_FILE_SIZE = 28
};

/* Layer record field offsets, relative to the record. */
enum {
	LYR_KIND = 0,
	LYR_K = 4,
	LYR_N = 8,
	LYR_RELU = 12,
	LYR_ADC_SHIFT = 16,
	LYR_RESERVED = 20
};

void aimc_net_free(aimc_net *net)
{
	uint32_t i;

	if (net == NULL)
		return;
	if (net->layers != NULL) {
		for (i = 0; i < net->n_layers; i++) {
			free(net->layers[i].w);
			free(net->layers[i].bias);
			free(net->layers[i].mult);
			free(net->layers[i].shift);
		}
		free(net->layers);
	}
	memset(net, 0, sizeof(*net));
}

/* Bytes of one layer record with K inputs and N outputs, or 0 if it cannot be represented. */
static uint64_t layer_record_bytes(uint32_t k, uint32_t n)
{
	uint64_t wbytes = (uint64_t)k * n;
	uint64_t pad = (4u - (wbytes & 3u)) & 3u;

	return NET_LAYER_HEADER_SIZE + wbytes + pad + 12ull * n;
}

int aimc_layer_is_conv(const aimc_layer *l)
{
	return l != NULL && l->conv.kh != 0;
}

uint32_t aimc_layer_in_len(const aimc_layer *l)
{
	if (l == NULL)
		return 0;
	return aimc_layer_is_conv(l) ? l->conv.in_h * l->conv.in_w * l->conv.in_c : l->k;
}

uint32_t aimc_layer_out_len(const aimc_layer *l)
{
	if (l == NULL)
		return 0;
	return aimc_layer_is_conv(l) ? l->conv.out_h * l->conv.out_w * l->n : l->n;
}

/* The conv geometry block of layer li at buf[off] (version 2, kind 2): each field in 1..65535,
 * the kernel inside the input, K = kh*kw*in_c, at most NET_MAX_OUT_LEN outputs. */
static int load_conv(aimc_conv *c, uint32_t li, uint32_t k, uint32_t n, const uint8_t *buf,
		     uint64_t off, char *err, size_t errlen)
{
	static const char *const names[6] = { "in_h", "in_w", "in_c", "kh", "kw", "stride" };
	uint32_t v[6];
	int i;

	for (i = 0; i < 6; i++) {
		v[i] = rd32(buf + off + 4u * (unsigned)i);
		if (v[i] < 1 || v[i] > NET_MAX_DIM)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "layer %u field 'conv.%s' at byte %llu: %u is outside 1..%u",
				       li, names[i], (unsigned long long)(off + 4u * (unsigned)i), v[i],
				       NET_MAX_DIM);
	}
	if (v[3] > v[0] || v[4] > v[1])
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'conv.kh' at byte %llu: kernel %ux%u is larger than "
			       "the input %ux%u", li, (unsigned long long)(off + 12), v[3], v[4],
			       v[0], v[1]);
	if ((uint64_t)v[3] * v[4] * v[2] != k)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'K' : %u, but the conv patch is %ux%ux%u = %llu", li,
			       k, v[3], v[4], v[2], (unsigned long long)v[3] * v[4] * v[2]);
	c->in_h = v[0];
	c->in_w = v[1];
	c->in_c = v[2];
	c->kh = v[3];
	c->kw = v[4];
	c->stride = v[5];
	c->out_h = (v[0] - v[3]) / v[5] + 1;
	c->out_w = (v[1] - v[4]) / v[5] + 1;
	if ((uint64_t)c->out_h * c->out_w * n > NET_MAX_OUT_LEN ||
	    (uint64_t)c->in_h * c->in_w * c->in_c > NET_MAX_OUT_LEN)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u: conv input %ux%ux%u or output %ux%ux%u has more than %u "
			       "values", li, c->in_h, c->in_w, c->in_c, c->out_h, c->out_w, n,
			       NET_MAX_OUT_LEN);
	return AIMC_OK;
}

/* Validate and convert one layer record at buf[off]; `avail` is the number of bytes before the CRC
 * trailer; prev_out is the previous layer's output length (0 for layer 0). On success *next is
 * the offset just past the record. */
static int load_layer(aimc_layer *ly, uint32_t li, uint32_t version, uint32_t prev_out,
		      const uint8_t *buf, uint64_t off, uint64_t avail, uint64_t *next, char *err,
		      size_t errlen)
{
	const uint8_t *r;
	uint32_t kind, k, n, relu, adc_shift, rsvd, in_len;
	uint64_t wbytes, pad, pos, i, geo = 0;
	int rc;

	if (off + NET_LAYER_HEADER_SIZE > avail)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u: record header needs %u bytes at byte %llu, only %llu "
			       "before the CRC trailer (short file)",
			       li, NET_LAYER_HEADER_SIZE, (unsigned long long)off,
			       (unsigned long long)(avail - off));
	r = buf + off;
	kind = rd32(r + LYR_KIND);
	k = rd32(r + LYR_K);
	n = rd32(r + LYR_N);
	relu = rd32(r + LYR_RELU);
	adc_shift = rd32(r + LYR_ADC_SHIFT);
	rsvd = rd32(r + LYR_RESERVED);
	if (kind == NET_KIND_CONV && version < NET_VERSION_CONV)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'kind' at byte %llu: 2 (convolution) needs file "
			       "version 2, this file is version %u",
			       li, (unsigned long long)(off + LYR_KIND), version);
	if (kind != NET_KIND_FC && kind != NET_KIND_CONV)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'kind' at byte %llu: %u is not a known layer kind "
			       "(1 = fully connected, 2 = convolution)",
			       li, (unsigned long long)(off + LYR_KIND), kind);
	if (k < 1 || k > NET_MAX_DIM)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'K' at byte %llu: %u is outside 1..%u", li,
			       (unsigned long long)(off + LYR_K), k, NET_MAX_DIM);
	if (n < 1 || n > NET_MAX_DIM)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'N' at byte %llu: %u is outside 1..%u", li,
			       (unsigned long long)(off + LYR_N), n, NET_MAX_DIM);
	memset(&ly->conv, 0, sizeof(ly->conv));
	ly->k = k;
	ly->n = n;
	if (kind == NET_KIND_CONV) {
		geo = NET_CONV_SIZE;
		if (off + NET_LAYER_HEADER_SIZE + geo > avail)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "layer %u: conv geometry needs %u bytes at byte %llu (short "
				       "file)", li, NET_CONV_SIZE,
				       (unsigned long long)(off + NET_LAYER_HEADER_SIZE));
		rc = load_conv(&ly->conv, li, k, n, buf, off + NET_LAYER_HEADER_SIZE, err, errlen);
		if (rc != AIMC_OK)
			return rc;
	}
	in_len = aimc_layer_in_len(ly);
	if (li > 0 && in_len != prev_out) {
		if (kind == NET_KIND_FC)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "layer %u field 'K' at byte %llu: %u differs from the %u outputs of "
				       "layer %u", li, (unsigned long long)(off + LYR_K), k, prev_out,
				       li - 1);
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'conv.in_h' at byte %llu: the conv input %ux%ux%u = "
			       "%u values differs from the %u outputs of layer %u",
			       li, (unsigned long long)(off + NET_LAYER_HEADER_SIZE), ly->conv.in_h,
			       ly->conv.in_w, ly->conv.in_c, in_len, prev_out, li - 1);
	}
	if (relu > 1)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'relu' at byte %llu: %u is not 0 or 1", li,
			       (unsigned long long)(off + LYR_RELU), relu);
	if (adc_shift > NET_MAX_ADC_SHIFT)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'adc_shift' at byte %llu: %u is outside 0..%u", li,
			       (unsigned long long)(off + LYR_ADC_SHIFT), adc_shift,
			       NET_MAX_ADC_SHIFT);
	if (rsvd != 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u field 'reserved' at byte %llu: 0x%08x, must be 0", li,
			       (unsigned long long)(off + LYR_RESERVED), rsvd);
	if (off + geo + layer_record_bytes(k, n) > avail)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "layer %u (K=%u, N=%u): record needs %llu bytes at byte %llu, only %llu "
			       "before the CRC trailer (short file)",
			       li, k, n, (unsigned long long)(geo + layer_record_bytes(k, n)),
			       (unsigned long long)off, (unsigned long long)(avail - off));

	ly->k = k;
	ly->n = n;
	ly->relu = relu;
	ly->adc_shift = adc_shift;
	wbytes = (uint64_t)k * n;
	ly->w = malloc((size_t)wbytes);
	ly->bias = malloc((size_t)n * sizeof(*ly->bias));
	ly->mult = malloc((size_t)n * sizeof(*ly->mult));
	ly->shift = malloc((size_t)n);
	if (ly->w == NULL || ly->bias == NULL || ly->mult == NULL || ly->shift == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "layer %u (K=%u, N=%u): out of memory", li,
			       k, n);

	pos = off + NET_LAYER_HEADER_SIZE + geo;
	for (i = 0; i < wbytes; i++) {
		int8_t w = (int8_t)buf[pos + i];

		if (w == -128)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "layer %u field 'weights' at byte %llu: W[%llu][%llu] is -128, "
				       "outside -127..127",
				       li, (unsigned long long)(pos + i), (unsigned long long)(i / k),
				       (unsigned long long)(i % k));
		ly->w[i] = w;
	}
	pos += wbytes;
	pad = (4u - (wbytes & 3u)) & 3u;
	for (i = 0; i < pad; i++)
		if (buf[pos + i] != 0)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "layer %u field 'padding' at byte %llu: 0x%02x, must be 0", li,
				       (unsigned long long)(pos + i), buf[pos + i]);
	pos += pad;
	for (i = 0; i < n; i++)
		ly->bias[i] = (int32_t)rd32(buf + pos + 4 * i);
	pos += 4ull * n;
	for (i = 0; i < n; i++)
		ly->mult[i] = (int32_t)rd32(buf + pos + 4 * i);
	pos += 4ull * n;
	for (i = 0; i < n; i++) {
		uint32_t s = rd32(buf + pos + 4 * i);

		if (s < NET_MIN_SHIFT || s > NET_MAX_SHIFT)
			return aimc_set_err(err, errlen, AIMC_EFORMAT,
				       "layer %u field 'shift' at byte %llu: shift[%llu] = %u is outside "
				       "%u..%u",
				       li, (unsigned long long)(pos + 4 * i), (unsigned long long)i, s,
				       NET_MIN_SHIFT, NET_MAX_SHIFT);
		ly->shift[i] = (uint8_t)s;
	}
	pos += 4ull * n;
	*next = pos;
	return AIMC_OK;
}

int aimc_net_load_mem(aimc_net *net, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint32_t version, header_size, n_layers, n_inputs, n_classes, flags, file_size;
	uint32_t crc_file, crc_calc, scale_bits, li, prev_n = 0;
	uint64_t off, avail;
	float in_scale;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (net == NULL || (buf == NULL && len > 0))
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_net_load_mem: NULL argument");
	memset(net, 0, sizeof(*net));

	if (len < NET_HEADER_SIZE + NET_CRC_SIZE)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "short file: %zu bytes, a network file has at least %u (header + CRC)",
			       len, NET_HEADER_SIZE + NET_CRC_SIZE);
	if (memcmp(buf + HDR_MAGIC, NET_MAGIC, 4) != 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'magic' at byte 0: %02x %02x %02x %02x, expected 'KHNF'",
			       buf[0], buf[1], buf[2], buf[3]);
	version = rd16(buf + HDR_VERSION);
	if (version == NET_VERSION_GRAPH)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'version' at byte %d: %u is a graph of TFLite operators; "
			       "read it with aimc_graph_load (aimc_net_load reads versions %u and %u)",
			       HDR_VERSION, version, NET_VERSION, NET_VERSION_CONV);
	if (version != NET_VERSION && version != NET_VERSION_CONV)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'version' at byte %d: %u, this loader reads versions %u "
			       "and %u", HDR_VERSION, version, NET_VERSION, NET_VERSION_CONV);
	header_size = rd16(buf + HDR_HEADER_SIZE);
	if (header_size != NET_HEADER_SIZE)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'header_size' at byte %d: %u, expected %u",
			       HDR_HEADER_SIZE, header_size, NET_HEADER_SIZE);
	file_size = rd32(buf + HDR_FILE_SIZE);
	if ((uint64_t)file_size != (uint64_t)len)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'file_size' at byte %d: %u, but the file has %zu bytes",
			       HDR_FILE_SIZE, file_size, len);
	crc_file = rd32(buf + len - NET_CRC_SIZE);
	crc_calc = aimc_khnf_crc32(buf, len - NET_CRC_SIZE);
	if (crc_file != crc_calc)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "trailer field 'crc32' at byte %zu: 0x%08x, but the bytes before it give "
			       "0x%08x (corrupt file)",
			       len - NET_CRC_SIZE, crc_file, crc_calc);
	n_layers = rd32(buf + HDR_N_LAYERS);
	if (n_layers < 1 || n_layers > NET_MAX_LAYERS)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'n_layers' at byte %d: %u is outside 1..%u", HDR_N_LAYERS,
			       n_layers, NET_MAX_LAYERS);
	n_inputs = rd32(buf + HDR_N_INPUTS);
	n_classes = rd32(buf + HDR_N_CLASSES);
	scale_bits = rd32(buf + HDR_IN_SCALE);
	memcpy(&in_scale, &scale_bits, sizeof(in_scale));
	if (!isfinite(in_scale) || !(in_scale > 0.0f))
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'in_scale' at byte %d: %g (0x%08x) is not finite and > 0",
			       HDR_IN_SCALE, (double)in_scale, scale_bits);
	flags = rd32(buf + HDR_FLAGS);
	if (flags != 0)
		return aimc_set_err(err, errlen, AIMC_EFORMAT,
			       "header field 'flags' at byte %d: 0x%08x, must be 0 (reserved)",
			       HDR_FLAGS, flags);

	net->layers = calloc(n_layers, sizeof(*net->layers));
	if (net->layers == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "out of memory for %u layers", n_layers);
	net->n_layers = n_layers;
	net->in_scale = in_scale;

	avail = len - NET_CRC_SIZE;
	off = NET_HEADER_SIZE;
	for (li = 0; li < n_layers; li++) {
		uint64_t next = 0;

		rc = load_layer(&net->layers[li], li, version, prev_n, buf, off, avail, &next, err,
				errlen);
		if (rc != AIMC_OK)
			goto fail;
		if (li == 0 && aimc_layer_in_len(&net->layers[0]) != n_inputs) {
			rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
				     "header field 'n_inputs' at byte %d: %u, but layer 0 takes %u "
				     "inputs (K = %u)", HDR_N_INPUTS, n_inputs,
				     aimc_layer_in_len(&net->layers[0]), net->layers[0].k);
			goto fail;
		}
		prev_n = aimc_layer_out_len(&net->layers[li]);
		off = next;
	}
	if (prev_n != n_classes) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "header field 'n_classes' at byte %d: %u, but layer %u has %u outputs",
			     HDR_N_CLASSES, n_classes, n_layers - 1, prev_n);
		goto fail;
	}
	if (off != avail) {
		rc = aimc_set_err(err, errlen, AIMC_EFORMAT,
			     "%llu unexpected bytes at byte %llu after the last layer record (the CRC "
			     "trailer must follow it directly)",
			     (unsigned long long)(avail - off), (unsigned long long)off);
		goto fail;
	}
	net->n_classes = n_classes;
	return AIMC_OK;

fail:
	aimc_net_free(net);
	return rc;
}

int aimc_net_load(aimc_net *net, const char *path, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (net == NULL || path == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_net_load: NULL argument");
	memset(net, 0, sizeof(*net));
	rc = aimc_khnf_read_file(path, NET_MAX_FILE_BYTES, &buf, &len, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	rc = aimc_net_load_mem(net, buf, len, err, errlen);
	if (rc != AIMC_OK)
		aimc_khnf_prefix_path(path, err, errlen); /* the message names the file and the field */
	free(buf);
	return rc;
}

int aimc_net_to_mem(const aimc_net *net, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	uint64_t total = NET_HEADER_SIZE + NET_CRC_SIZE, off;
	uint32_t li, i, bits, version = NET_VERSION;
	uint8_t *b;
	aimc_net check;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (buf == NULL || len == NULL)
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_net_to_mem: NULL argument");
	*buf = NULL;
	*len = 0;
	if (net == NULL || net->layers == NULL || net->n_layers < 1 ||
	    net->n_layers > NET_MAX_LAYERS)
		return aimc_set_err(err, errlen, AIMC_EINVAL,
			       "aimc_net_to_mem: NULL network or n_layers outside 1..%u",
			       NET_MAX_LAYERS);
	for (li = 0; li < net->n_layers; li++) {
		const aimc_layer *l = &net->layers[li];

		if (l->k < 1 || l->k > NET_MAX_DIM || l->n < 1 || l->n > NET_MAX_DIM ||
		    l->w == NULL || l->bias == NULL || l->mult == NULL || l->shift == NULL)
			return aimc_set_err(err, errlen, AIMC_EINVAL,
				       "aimc_net_to_mem: layer %u has a dimension outside 1..%u or "
				       "a NULL array", li, NET_MAX_DIM);
		total += layer_record_bytes(l->k, l->n);
		if (aimc_layer_is_conv(l)) {
			total += NET_CONV_SIZE;
			version = NET_VERSION_CONV;
		}
		if (total >= NET_MAX_FILE_BYTES)
			return aimc_set_err(err, errlen, AIMC_ERANGE,
				       "aimc_net_to_mem: the file would exceed 4 GiB");
	}
	b = calloc((size_t)total, 1);
	if (b == NULL)
		return aimc_set_err(err, errlen, AIMC_ENOMEM, "aimc_net_to_mem: out of memory");
	memcpy(b + HDR_MAGIC, NET_MAGIC, 4);
	b[HDR_VERSION] = (uint8_t)version;
	b[HDR_HEADER_SIZE] = (uint8_t)NET_HEADER_SIZE;
	wr32(b + HDR_N_LAYERS, net->n_layers);
	wr32(b + HDR_N_INPUTS, aimc_layer_in_len(&net->layers[0]));
	wr32(b + HDR_N_CLASSES, aimc_layer_out_len(&net->layers[net->n_layers - 1]));
	memcpy(&bits, &net->in_scale, sizeof(bits));
	wr32(b + HDR_IN_SCALE, bits);
	wr32(b + HDR_FILE_SIZE, (uint32_t)total);
	off = NET_HEADER_SIZE;
	for (li = 0; li < net->n_layers; li++) {
		const aimc_layer *l = &net->layers[li];
		uint64_t wb = (uint64_t)l->k * l->n;

		wr32(b + off + LYR_KIND, aimc_layer_is_conv(l) ? NET_KIND_CONV : NET_KIND_FC);
		wr32(b + off + LYR_K, l->k);
		wr32(b + off + LYR_N, l->n);
		wr32(b + off + LYR_RELU, l->relu);
		wr32(b + off + LYR_ADC_SHIFT, l->adc_shift);
		off += NET_LAYER_HEADER_SIZE;
		if (aimc_layer_is_conv(l)) {
			wr32(b + off, l->conv.in_h);
			wr32(b + off + 4, l->conv.in_w);
			wr32(b + off + 8, l->conv.in_c);
			wr32(b + off + 12, l->conv.kh);
			wr32(b + off + 16, l->conv.kw);
			wr32(b + off + 20, l->conv.stride);
			off += NET_CONV_SIZE;
		}
		memcpy(b + off, l->w, (size_t)wb);
		off += wb + ((4u - (wb & 3u)) & 3u);
		for (i = 0; i < l->n; i++) {
			wr32(b + off + 4ull * i, (uint32_t)l->bias[i]);
			wr32(b + off + 4ull * (l->n + i), (uint32_t)l->mult[i]);
			wr32(b + off + 4ull * (2u * l->n + i), l->shift[i]);
		}
		off += 12ull * l->n;
	}
	wr32(b + off, aimc_khnf_crc32(b, (size_t)off));
	/* The loader is the one definition of a valid file: anything it rejects is not written. */
	rc = aimc_net_load_mem(&check, b, (size_t)total, err, errlen);
	if (rc != AIMC_OK) {
		free(b);
		return rc == AIMC_EFORMAT ? AIMC_EINVAL : rc;
	}
	aimc_net_free(&check);
	*buf = b;
	*len = (size_t)total;
	return AIMC_OK;
}

int aimc_net_save(const aimc_net *net, const char *path, char *err, size_t errlen)
{
	uint8_t *b = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL) {
		if (err != NULL && errlen > 0)
			err[0] = '\0';
		return aimc_set_err(err, errlen, AIMC_EINVAL, "aimc_net_save: NULL path");
	}
	rc = aimc_net_to_mem(net, &b, &len, err, errlen);
	if (rc != AIMC_OK)
		return rc;
	/* through a temporary renamed into place: a failed write leaves the old file */
	rc = aimc_khnf_write_file(path, b, len, err, errlen);
	free(b);
	return rc;
}
