/* SPDX-License-Identifier: Apache-2.0 */
/* Network file loader (docs/network-format.md): a valid file built by this test's own writer
 * loads field for field; then one malformed variant per validation rule must fail with the right
 * code and a message naming the field, the layer and the byte offset. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "khnf_test.h"

#define MAX_FILE 4096

static int failures;

static void pass(const char *name)
{
	printf("PASS %s\n", name);
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (seed none)\n");
	failures++;
}

/* ---- the test's own writer ---------------------------------------------------------------- */

typedef struct wlayer {
	uint32_t kind, k, n, relu, adc_shift, rsvd;
	int8_t w[64];
	int32_t bias[8], mult[8];
	uint32_t shift[8];
} wlayer;

typedef struct wnet {
	uint8_t magic[4];
	uint16_t version, header_size;
	uint32_t n_layers, n_inputs, n_classes;
	float in_scale;
	uint32_t flags;
	uint32_t n_records; /* layer records actually written (may differ from n_layers) */
	wlayer l[2];
	uint8_t pad_fill;   /* value written into padding bytes */
} wnet;

/* Where things land, for messages and mutations. */
typedef struct layout {
	size_t rec[2], weights[2], pad[2], bias[2], mult[2], shift[2], end;
} layout;

static void put16(uint8_t *b, size_t *o, uint16_t v)
{
	b[(*o)++] = (uint8_t)v;
	b[(*o)++] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t *o, uint32_t v)
{
	le_put32(b, *o, v);
	*o += 4;
}

/* Serialise; file_size and CRC are computed from the real length. Returns the length. */
static size_t write_net(const wnet *n, uint8_t *b, layout *lo)
{
	size_t o = 0, i, size_at;
	uint32_t r, bits;

	memcpy(b, n->magic, 4);
	o = 4;
	put16(b, &o, n->version);
	put16(b, &o, n->header_size);
	put32(b, &o, n->n_layers);
	put32(b, &o, n->n_inputs);
	put32(b, &o, n->n_classes);
	memcpy(&bits, &n->in_scale, 4);
	put32(b, &o, bits);
	put32(b, &o, n->flags);
	size_at = o;
	put32(b, &o, 0);
	for (r = 0; r < n->n_records; r++) {
		const wlayer *l = &n->l[r];
		/* Mutated dimensions are rejected before the data is read: write at most the arrays. */
		size_t wb = (size_t)l->k * l->n > sizeof(l->w) ? sizeof(l->w) : (size_t)l->k * l->n;
		size_t np = l->n > 8 ? 8 : l->n;

		lo->rec[r] = o;
		put32(b, &o, l->kind);
		put32(b, &o, l->k);
		put32(b, &o, l->n);
		put32(b, &o, l->relu);
		put32(b, &o, l->adc_shift);
		put32(b, &o, l->rsvd);
		lo->weights[r] = o;
		for (i = 0; i < wb; i++)
			b[o++] = (uint8_t)l->w[i];
		lo->pad[r] = o;
		while (o % 4 != 0)
			b[o++] = n->pad_fill;
		lo->bias[r] = o;
		for (i = 0; i < np; i++)
			put32(b, &o, (uint32_t)l->bias[i]);
		lo->mult[r] = o;
		for (i = 0; i < np; i++)
			put32(b, &o, (uint32_t)l->mult[i]);
		lo->shift[r] = o;
		for (i = 0; i < np; i++)
			put32(b, &o, l->shift[i]);
	}
	lo->end = o;
	put32(b, &size_at, (uint32_t)(o + 4));
	put32(b, &o, ref_crc32(b, o));
	return o;
}

/* Two layers: 5 -> 3 (15 weight bytes, 1 pad byte) -> 2 (6 weight bytes, 2 pad bytes). */
static void valid_net(wnet *n)
{
	static const int8_t w0[15] = { 127, -127, 0, 1, -1, 64, -64, 5, 100, -100, 0, 0, 33, -2, 9 };
	static const int8_t w1[6] = { -127, 126, 3, 0, -7, 127 };

	memset(n, 0, sizeof(*n));
	memcpy(n->magic, "KHNF", 4);
	n->version = 1;
	n->header_size = 32;
	n->n_layers = 2;
	n->n_inputs = 5;
	n->n_classes = 2;
	n->in_scale = 0.03125f;
	n->n_records = 2;
	n->l[0].kind = 1;
	n->l[0].k = 5;
	n->l[0].n = 3;
	n->l[0].relu = 1;
	n->l[0].adc_shift = 3;
	memcpy(n->l[0].w, w0, sizeof(w0));
	n->l[0].bias[0] = -2147483647 - 1;
	n->l[0].bias[1] = 17;
	n->l[0].bias[2] = 2147483647;
	n->l[0].mult[0] = -5;
	n->l[0].mult[1] = 1 << 20;
	n->l[0].mult[2] = -2147483647 - 1;
	n->l[0].shift[0] = 1;
	n->l[0].shift[1] = 62;
	n->l[0].shift[2] = 20;
	n->l[1].kind = 1;
	n->l[1].k = 3;
	n->l[1].n = 2;
	n->l[1].relu = 0;
	n->l[1].adc_shift = 15;
	memcpy(n->l[1].w, w1, sizeof(w1));
	n->l[1].bias[0] = -300;
	n->l[1].bias[1] = 0;
	n->l[1].mult[0] = 77;
	n->l[1].mult[1] = 2147483647;
	n->l[1].shift[0] = 9;
	n->l[1].shift[1] = 31;
}

/* ---- checks -------------------------------------------------------------------------------- */

static void test_crc_reference(void)
{
	/* The standard check value of CRC-32/ISO-HDLC (zlib's crc32). */
	uint32_t c = ref_crc32((const uint8_t *)"123456789", 9);

	if (c == 0xCBF43926u)
		pass("test writer's CRC-32 check value");
	else
		fail("test writer's CRC-32 check value", "0x%08x, expected 0xcbf43926", c);
}

static void test_valid(void)
{
	uint8_t buf[MAX_FILE];
	wnet wn;
	layout lo;
	aimc_net net;
	char err[256];
	size_t len;
	uint32_t li, i;
	int rc, ok = 1;

	valid_net(&wn);
	len = write_net(&wn, buf, &lo);
	rc = aimc_net_load_mem(&net, buf, len, err, sizeof(err));
	if (rc != AIMC_OK) {
		fail("valid file loads", "%s (rc %d)", err, rc);
		return;
	}
	pass("valid file loads");
	ok = net.n_layers == 2 && net.n_classes == 2 && net.in_scale == 0.03125f;
	for (li = 0; li < 2 && ok; li++) {
		const aimc_layer *l = &net.layers[li];
		const wlayer *w = &wn.l[li];

		ok = l->k == w->k && l->n == w->n && l->relu == w->relu && l->adc_shift == w->adc_shift;
		for (i = 0; ok && i < w->k * w->n; i++)
			ok = l->w[i] == w->w[i];
		for (i = 0; ok && i < w->n; i++)
			ok = l->bias[i] == w->bias[i] && l->mult[i] == w->mult[i] &&
			     l->shift[i] == w->shift[i];
	}
	if (ok)
		pass("valid file: every field as written");
	else
		fail("valid file: every field as written", "layer %u differs (n_layers %u)", li,
		     net.n_layers);
	aimc_net_free(&net);
	if (net.n_layers == 0 && net.layers == NULL)
		pass("aimc_net_free clears the struct");
	else
		fail("aimc_net_free clears the struct", "n_layers %u", net.n_layers);
	aimc_net_free(&net); /* twice is harmless */
}

/* Load buf and expect `code` and every substring of want (NULL-terminated list) in the message. */
static void expect(const char *name, const uint8_t *buf, size_t len, int code, const char **want)
{
	aimc_net net;
	char err[512];
	const char *miss;
	int rc;

	memset(&net, 0xA5, sizeof(net)); /* the loader must clear it even on error */
	err[0] = '\0';
	rc = aimc_net_load_mem(&net, buf, len, err, sizeof(err));
	if (rc != code) {
		fail(name, "%s: rc %d, expected %d", err, rc, code);
		if (rc == AIMC_OK)
			aimc_net_free(&net);
		return;
	}
	if ((miss = khnf_missing(err, want)) != NULL) {
		fail(name, "message '%s' lacks '%s'", err, miss);
		return;
	}
	if (net.n_layers != 0 || net.layers != NULL) {
		fail(name, "struct not cleared on error (n_layers %u)", net.n_layers);
		return;
	}
	printf("PASS %s (%s)\n", name, err);
}

/* A mutation of the valid file: mutate() edits it, then file_size and CRC are refreshed. */
#define MUTANT(name, code, stmt, ...)                                                  \
	do {                                                                           \
		const char *w_[] = { __VA_ARGS__, NULL };                              \
		uint8_t b_[MAX_FILE];                                                  \
		wnet n_;                                                               \
		layout l_;                                                             \
		size_t len_;                                                           \
		valid_net(&n_);                                                        \
		stmt;                                                                  \
		len_ = write_net(&n_, b_, &l_);                                        \
		expect(name, b_, len_, code, w_);                                      \
	} while (0)

static void test_header_rules(void)
{
	uint8_t buf[MAX_FILE], big[MAX_FILE + 8];
	wnet wn;
	layout lo;
	size_t len;
	char off[32];

	valid_net(&wn);
	len = write_net(&wn, buf, &lo);

	{
		const char *w[] = { "short file", "20 bytes", NULL };
		expect("short file (20 bytes)", buf, 20, AIMC_EFORMAT, w);
	}
	{
		const char *w[] = { "short file", "0 bytes", NULL };
		expect("empty file", buf, 0, AIMC_EFORMAT, w);
	}
	MUTANT("wrong magic", AIMC_EFORMAT, memcpy(n_.magic, "KHNG", 4), "'magic'", "byte 0");
	MUTANT("unknown version", AIMC_EFORMAT, n_.version = 3, "'version'", "byte 4", "3");
	MUTANT("wrong header_size", AIMC_EFORMAT, n_.header_size = 36, "'header_size'", "byte 6",
	       "36");
	MUTANT("n_layers 0", AIMC_EFORMAT, n_.n_layers = 0, "'n_layers'", "byte 8");
	MUTANT("n_layers 65", AIMC_EFORMAT, n_.n_layers = 65, "'n_layers'", "byte 8", "65");
	MUTANT("n_inputs inconsistent", AIMC_EFORMAT, n_.n_inputs = 6, "'n_inputs'", "byte 12",
	       "K = 5");
	MUTANT("n_classes inconsistent", AIMC_EFORMAT, n_.n_classes = 3, "'n_classes'", "byte 16",
	       "layer 1");
	MUTANT("in_scale 0", AIMC_EFORMAT, n_.in_scale = 0.0f, "'in_scale'", "byte 20");
	MUTANT("in_scale negative", AIMC_EFORMAT, n_.in_scale = -1.0f, "'in_scale'", "byte 20");
	MUTANT("in_scale NaN", AIMC_EFORMAT, n_.in_scale = NAN, "'in_scale'", "byte 20");
	MUTANT("in_scale infinite", AIMC_EFORMAT, n_.in_scale = INFINITY, "'in_scale'", "byte 20");
	MUTANT("flags non-zero", AIMC_EFORMAT, n_.flags = 4, "'flags'", "byte 24");
	MUTANT("n_layers larger than the records", AIMC_EFORMAT, n_.n_layers = 3, "layer 2",
	       "short file");

	/* file_size field disagreeing with the real size (CRC made valid again). */
	memcpy(big, buf, len);
	{
		size_t o = 28;
		const char *w[] = { "'file_size'", "byte 28", NULL };

		put32(big, &o, (uint32_t)len + 4);
		o = len - 4;
		put32(big, &o, ref_crc32(big, len - 4));
		expect("file_size differs from the real size", big, len, AIMC_EFORMAT, w);
	}
	/* CRC mismatch: one weight bit flipped, CRC not refreshed. */
	memcpy(big, buf, len);
	big[lo.weights[1] + 2] ^= 0x10;
	snprintf(off, sizeof(off), "byte %zu", len - 4);
	{
		const char *w[] = { "'crc32'", off, NULL };
		expect("CRC mismatch", big, len, AIMC_EFORMAT, w);
	}
	/* Bytes after the trailer, file_size not updated. */
	memcpy(big, buf, len);
	memset(big + len, 0, 4);
	{
		const char *w[] = { "'file_size'", NULL };
		expect("bytes after the trailer", big, len + 4, AIMC_EFORMAT, w);
	}
	/* Bytes after the last record, file_size and CRC updated to include them. */
	memcpy(big, buf, len - 4);
	memset(big + len - 4, 0, 8);
	khnf_refresh(big, len + 4);
	snprintf(off, sizeof(off), "byte %zu", lo.end);
	{
		const char *w[] = { "4 unexpected bytes", off, NULL };
		expect("bytes between the last record and the CRC", big, len + 4, AIMC_EFORMAT, w);
	}
	/* Truncated inside layer 1 with consistent file_size and CRC. */
	memcpy(big, buf, lo.mult[1]);
	khnf_refresh(big, lo.mult[1] + 4);
	{
		const char *w[] = { "layer 1", "short file", NULL };
		expect("truncated inside a layer", big, lo.mult[1] + 4, AIMC_EFORMAT, w);
	}
}

static void test_layer_rules(void)
{
	char o_k0[32], o_n1[32], o_k1[32], o_relu[32], o_sh[32], o_rsvd[32], o_kind[32], o_w[32],
		o_pad[32], o_s[32];
	uint8_t buf[MAX_FILE];
	wnet wn;
	layout lo;

	valid_net(&wn);
	write_net(&wn, buf, &lo);
	snprintf(o_kind, sizeof(o_kind), "byte %zu", lo.rec[0]);
	snprintf(o_k0, sizeof(o_k0), "byte %zu", lo.rec[0] + 4);
	snprintf(o_k1, sizeof(o_k1), "byte %zu", lo.rec[1] + 4);
	snprintf(o_n1, sizeof(o_n1), "byte %zu", lo.rec[1] + 8);
	snprintf(o_relu, sizeof(o_relu), "byte %zu", lo.rec[0] + 12);
	snprintf(o_sh, sizeof(o_sh), "byte %zu", lo.rec[1] + 16);
	snprintf(o_rsvd, sizeof(o_rsvd), "byte %zu", lo.rec[0] + 20);
	snprintf(o_w, sizeof(o_w), "byte %zu", lo.weights[0] + 7);
	snprintf(o_pad, sizeof(o_pad), "byte %zu", lo.pad[0]);
	snprintf(o_s, sizeof(o_s), "byte %zu", lo.shift[0] + 8);

	MUTANT("layer kind 2", AIMC_EFORMAT, n_.l[0].kind = 2, "layer 0", "'kind'", o_kind);
	MUTANT("K = 0", AIMC_EFORMAT, (n_.l[0].k = 0, n_.n_inputs = 0), "layer 0", "'K'", o_k0);
	MUTANT("N = 65536", AIMC_EFORMAT, n_.l[1].n = 65536, "layer 1", "'N'", o_n1, "65536");
	MUTANT("N = 0", AIMC_EFORMAT, n_.l[1].n = 0, "layer 1", "'N'", o_n1);
	MUTANT("K differs from the previous N", AIMC_EFORMAT, n_.l[1].k = 2, "layer 1", "'K'", o_k1,
	       "the 3 outputs");
	MUTANT("relu 2", AIMC_EFORMAT, n_.l[0].relu = 2, "layer 0", "'relu'", o_relu);
	MUTANT("adc_shift 16", AIMC_EFORMAT, n_.l[1].adc_shift = 16, "layer 1", "'adc_shift'", o_sh);
	MUTANT("reserved non-zero", AIMC_EFORMAT, n_.l[0].rsvd = 1, "layer 0", "'reserved'", o_rsvd);
	MUTANT("weight -128", AIMC_EFORMAT, n_.l[0].w[7] = -128, "layer 0", "'weights'", o_w,
	       "W[1][2]");
	MUTANT("non-zero padding", AIMC_EFORMAT, n_.pad_fill = 0xFF, "layer 0", "'padding'", o_pad);
	MUTANT("shift 0", AIMC_EFORMAT, n_.l[0].shift[2] = 0, "layer 0", "'shift'", o_s, "shift[2]");
	MUTANT("shift 63", AIMC_EFORMAT, n_.l[0].shift[2] = 63, "layer 0", "'shift'", o_s);
}

/* Files go next to the test binary (under build/). */
static void test_files_and_args(const char *argv0)
{
	uint8_t buf[MAX_FILE];
	char path[1024], missing[1024];
	wnet wn;
	layout lo;
	aimc_net net;
	char err[512];
	size_t len;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s.khnf", argv0);
	snprintf(missing, sizeof(missing), "%s.no-such-file.khnf", argv0);
	valid_net(&wn);
	len = write_net(&wn, buf, &lo);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fail("write a file to load", "%s: cannot write", path);
		return;
	}
	rc = aimc_net_load(&net, path, err, sizeof(err));
	if (rc == AIMC_OK && net.n_layers == 2 && net.layers[1].w[5] == 127)
		pass("aimc_net_load from a file");
	else
		fail("aimc_net_load from a file", "%s: rc %d, n_layers %u", err, rc, net.n_layers);
	aimc_net_free(&net);
	rc = aimc_net_load(&net, missing, err, sizeof(err));
	if (rc == AIMC_EIO && strstr(err, missing) != NULL)
		printf("PASS missing file gives AIMC_EIO (%s)\n", err);
	else
		fail("missing file gives AIMC_EIO", "%s: rc %d", err, rc);
	rc = aimc_net_load_mem(NULL, buf, len, err, sizeof(err));
	if (rc == AIMC_EINVAL)
		pass("NULL net gives AIMC_EINVAL");
	else
		fail("NULL net gives AIMC_EINVAL", "rc %d", rc);
	rc = aimc_net_load_mem(&net, NULL, 10, err, sizeof(err));
	if (rc == AIMC_EINVAL)
		pass("NULL buffer gives AIMC_EINVAL");
	else
		fail("NULL buffer gives AIMC_EINVAL", "rc %d", rc);
	/* A file-level error names the file. */
	buf[0] = 'X';
	f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	rc = aimc_net_load(&net, path, err, sizeof(err));
	if (rc == AIMC_EFORMAT && strstr(err, path) != NULL && strstr(err, "'magic'") != NULL)
		printf("PASS file errors name the file (%s)\n", err);
	else
		fail("file errors name the file", "%s: rc %d", err, rc);
	remove(path);
}

/* aimc_net_to_mem / aimc_net_save: a loaded file written back is the same bytes (the test's own
 * writer made them); a network breaking a rule is refused with the loader's message. */
static void test_writer(const char *argv0)
{
	uint8_t buf[MAX_FILE], *out = NULL;
	char path[1024], err[512];
	wnet wn;
	layout lo;
	aimc_net net, back;
	size_t len, olen = 0;
	int rc;

	valid_net(&wn);
	len = write_net(&wn, buf, &lo);
	if (aimc_net_load_mem(&net, buf, len, err, sizeof(err)) != AIMC_OK) {
		fail("writer: load the valid file", "%s", err);
		return;
	}
	rc = aimc_net_to_mem(&net, &out, &olen, err, sizeof(err));
	if (rc == AIMC_OK && olen == len && memcmp(out, buf, len) == 0)
		pass("writer: load + aimc_net_to_mem gives the same bytes");
	else
		fail("writer: load + aimc_net_to_mem gives the same bytes", "rc %d (%s), %zu vs %zu "
		     "bytes", rc, err, olen, len);
	free(out);
	out = NULL;
	snprintf(path, sizeof(path), "%s.save.khnf", argv0);
	rc = aimc_net_save(&net, path, err, sizeof(err));
	if (rc == AIMC_OK && aimc_net_load(&back, path, err, sizeof(err)) == AIMC_OK &&
	    back.layers[1].bias[1] == net.layers[1].bias[1]) {
		pass("writer: aimc_net_save writes a file aimc_net_load reads");
		aimc_net_free(&back);
	} else {
		fail("writer: aimc_net_save writes a file aimc_net_load reads", "rc %d (%s)", rc, err);
	}
	remove(path);
	net.layers[1].shift[0] = 63;
	rc = aimc_net_to_mem(&net, &out, &olen, err, sizeof(err));
	if (rc == AIMC_EINVAL && out == NULL && olen == 0 && strstr(err, "'shift'") != NULL)
		printf("PASS writer: shift 63 refused (%s)\n", err);
	else
		fail("writer: shift 63 refused", "rc %d (%s)", rc, err);
	net.layers[1].shift[0] = 5;
	net.layers[0].w[3] = -128;
	rc = aimc_net_save(&net, path, err, sizeof(err));
	if (rc == AIMC_EINVAL && strstr(err, "-128") != NULL && fopen(path, "rb") == NULL)
		printf("PASS writer: weight -128 refused, no file written (%s)\n", err);
	else
		fail("writer: weight -128 refused, no file written", "rc %d (%s)", rc, err);
	net.layers[0].w[3] = 0;
	{
		/* K no longer equals the previous N; w gets K x N weights so that the layer itself
		 * is well formed (the writer may read all of them before it checks the chain). */
		int8_t *w3 = net.layers[1].w;
		int8_t *w4 = calloc(4u * net.layers[1].n, 1);

		net.layers[1].k = 4;
		net.layers[1].w = w4;
		rc = w4 != NULL ? aimc_net_to_mem(&net, &out, &olen, err, sizeof(err)) : AIMC_ENOMEM;
		if (rc == AIMC_EINVAL && out == NULL)
			printf("PASS writer: K != previous N refused (%s)\n", err);
		else
			fail("writer: K != previous N refused", "rc %d (%s)", rc, err);
		net.layers[1].k = 3;
		net.layers[1].w = w3;
		free(w4);
	}
	if (aimc_net_to_mem(NULL, &out, &olen, err, sizeof(err)) == AIMC_EINVAL &&
	    aimc_net_to_mem(&net, NULL, &olen, err, sizeof(err)) == AIMC_EINVAL &&
	    aimc_net_save(&net, NULL, err, sizeof(err)) == AIMC_EINVAL)
		pass("writer: NULL arguments give AIMC_EINVAL");
	else
		fail("writer: NULL arguments give AIMC_EINVAL", "%s", err);
	aimc_net_free(&net);
}

/* Version 2: a conv layer (4x4x1 input, 3x3 kernel, stride 1 -> 2x2x4) then FC 16 -> 3, built
 * in memory, written by aimc_net_to_mem, loaded back; then one mutation per conv rule. */
static int8_t cw0[4 * 9], cw1[3 * 16];
static int32_t cb0[4], cm0[4], cb1[3], cm1[3];
static uint8_t cs0[4], cs1[3];

static void conv_net(aimc_net *net, aimc_layer *l)
{
	int i;

	for (i = 0; i < 36; i++)
		cw0[i] = (int8_t)(i * 7 % 255 - 127);
	for (i = 0; i < 48; i++)
		cw1[i] = (int8_t)(i * 5 % 200 - 100);
	for (i = 0; i < 4; i++) {
		cb0[i] = i * 10 - 15;
		cm0[i] = 1 << 30;
		cs0[i] = 37;
	}
	for (i = 0; i < 3; i++) {
		cb1[i] = 5 - i;
		cm1[i] = (1 << 30) + i;
		cs1[i] = 40;
	}
	memset(l, 0, 2 * sizeof(*l));
	l[0].k = 9;
	l[0].n = 4;
	l[0].relu = 1;
	l[0].adc_shift = 2;
	l[0].w = cw0;
	l[0].bias = cb0;
	l[0].mult = cm0;
	l[0].shift = cs0;
	l[0].conv = (aimc_conv){ 4, 4, 1, 3, 3, 1, 2, 2 };
	l[1].k = 16;
	l[1].n = 3;
	l[1].w = cw1;
	l[1].bias = cb1;
	l[1].mult = cm1;
	l[1].shift = cs1;
	memset(net, 0, sizeof(*net));
	net->n_layers = 2;
	net->n_classes = 3;
	net->in_scale = 0.5f;
	net->layers = l;
}

static void conv_mutant(const char *name, const uint8_t *good, size_t len, size_t off,
			uint32_t val, int version_field, const char *want)
{
	uint8_t b[1024];
	aimc_net net;
	char err[512];
	size_t o = off;
	int rc;

	memcpy(b, good, len);
	if (version_field)
		put16(b, &o, (uint16_t)val);
	else
		put32(b, &o, val);
	khnf_refresh(b, len);
	rc = aimc_net_load_mem(&net, b, len, err, sizeof(err));
	if (rc == AIMC_EFORMAT && strstr(err, want) != NULL)
		printf("PASS conv rule: %s (%s)\n", name, err);
	else
		fail(name, "rc %d, message '%s' lacks '%s'", rc, err, want);
	if (rc == AIMC_OK)
		aimc_net_free(&net);
}

static void test_conv(void)
{
	aimc_layer l[2];
	aimc_net net, back;
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[512];
	int8_t x[2 * 16], y[2 * 3];
	int rc, i;

	conv_net(&net, l);
	rc = aimc_net_to_mem(&net, &buf, &len, err, sizeof(err));
	if (rc != AIMC_OK) {
		fail("conv: write a version-2 file", "%s", err);
		return;
	}
	rc = aimc_net_load_mem(&back, buf, len, err, sizeof(err));
	if (rc == AIMC_OK && buf[4] == 2 && back.layers[0].conv.out_h == 2 &&
	    back.layers[0].conv.out_w == 2 && back.layers[0].conv.kh == 3 &&
	    aimc_layer_out_len(&back.layers[0]) == 16 && aimc_layer_in_len(&back.layers[0]) == 16 &&
	    !aimc_layer_is_conv(&back.layers[1]) && back.layers[0].w[35] == cw0[35])
		pass("conv: version-2 file round trip, geometry and lengths");
	else
		fail("conv: version-2 file round trip", "rc %d (%s), version %u", rc, err, buf[4]);
	if (rc == AIMC_OK)
		aimc_net_free(&back);
	/* Layer 0 record at 32, its geometry at 56 (in_h, in_w, in_c, kh, kw, stride). */
	conv_mutant("conv in a version-1 file", buf, len, 4, 1, 1, "needs file version 2");
	conv_mutant("conv K != kh*kw*in_c", buf, len, 32 + 4, 8, 0, "conv patch");
	conv_mutant("conv kernel larger than the input", buf, len, 56 + 12, 5, 0, "larger than");
	conv_mutant("conv stride 0", buf, len, 56 + 20, 0, 0, "'conv.stride'");
	conv_mutant("conv in_c 0", buf, len, 56 + 8, 0, 0, "'conv.in_c'");
	conv_mutant("conv output length != next K (stride 2 -> 1x1x4)", buf, len, 56 + 20, 2, 0,
		    "differs from the 4 outputs");
	conv_mutant("conv input != n_inputs (in_h 5)", buf, len, 56, 5, 0, "'n_inputs'");
	free(buf);

	/* Golden forward pass, by hand for sample 0 = all ones, sample 1 = ramp. */
	for (i = 0; i < 16; i++) {
		x[i] = 1;
		x[16 + i] = (int8_t)(i - 8);
	}
	rc = aimc_net_forward(&net, x, 2, y);
	{
		int ok = rc == AIMC_OK, v, p, c, o, j;

		for (v = 0; v < 2 && ok; v++) {
			int8_t h[16];

			for (p = 0; p < 4; p++)
				for (c = 0; c < 4; c++) {
					long long acc = 0, t, q;

					for (j = 0; j < 9; j++) {
						int yy = p / 2 + j / 3, xx = p % 2 + j % 3;

						acc += cw0[c * 9 + j] * x[v * 16 + yy * 4 + xx];
					}
					t = acc + cb0[c];
					q = (t * cm0[c] + (1LL << 36)) >> 37;
					q = q < 0 ? 0 : q > 127 ? 127 : q;
					h[p * 4 + c] = (int8_t)q;
				}
			for (o = 0; o < 3; o++) {
				long long acc = cb1[o], q;

				for (j = 0; j < 16; j++)
					acc += cw1[o * 16 + j] * h[j];
				q = (acc * cm1[o] + (1LL << 39)) >> 40;
				q = q < -127 ? -127 : q > 127 ? 127 : q;
				ok = ok && y[v * 3 + o] == (int8_t)q;
			}
		}
		if (ok)
			pass("aimc_net_forward: conv + FC equal to the loops written out here");
		else
			fail("aimc_net_forward: conv + FC", "rc %d, y = %d %d %d / %d %d %d", rc, y[0],
			     y[1], y[2], y[3], y[4], y[5]);
	}
	{
		aimc_cfg cfg;
		aimc_image img;
		aimc_plan plan;

		aimc_cfg_defaults(&cfg);
		rc = aimc_compile(&net, &cfg, 1, &img, err, sizeof(err));
		if (rc == AIMC_EUNSUPPORTED && strstr(err, "aimc_plan_compile") != NULL)
			printf("PASS aimc_compile refuses a convolution (%s)\n", err);
		else
			fail("aimc_compile refuses a convolution", "rc %d (%s)", rc, err);
		rc = aimc_plan_compile(&net, &cfg, 2, 0, &plan, err, sizeof(err));
		if (rc == AIMC_OK && plan.n_segments == 2 && plan.seg[0].conv == 1 &&
		    plan.seg[0].vectors_per_sample == 4 && plan.seg[0].img.batch == 8 &&
		    plan.seg[1].conv == 0 && plan.seg[1].in_len == 16 && plan.seg[1].img.batch == 2 &&
		    net.layers[0].conv.kh == 3)
			pass("aimc_plan_compile: conv segment (2 samples x 4 patches) + FC segment");
		else
			fail("aimc_plan_compile", "rc %d (%s), %u segments", rc, err, plan.n_segments);
		aimc_plan_free(&plan);
	}
	if (aimc_net_forward(NULL, x, 1, y) == AIMC_EINVAL &&
	    aimc_net_forward(&net, NULL, 1, y) == AIMC_EINVAL &&
	    aimc_net_forward(&net, x, 1, NULL) == AIMC_EINVAL)
		pass("aimc_net_forward: NULL arguments give AIMC_EINVAL");
	else
		fail("aimc_net_forward: NULL arguments", "not rejected");
}

int main(int argc, char **argv)
{
	(void)argc;
	test_crc_reference();
	test_valid();
	test_header_rules();
	test_layer_rules();
	test_files_and_args(argv[0]);
	test_writer(argv[0]);
	test_conv();
	return failures ? 1 : 0;
}
