/* SPDX-License-Identifier: Apache-2.0 */
/* Trace recorder back-end: forwards every op to an inner back-end and writes it to a bus trace
 * (docs/trace-format.md, version 1) for the Icarus trace player. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "aimc.h"

typedef struct recorder {
	aimc_mmio inner;
	FILE *f;
} recorder;

/* Only ops that reached the bus (OKAY or an error response, or a poll that ran out) are traced. */
static int on_bus(int rc)
{
	return rc == AIMC_OK || rc == AIMC_EBUS;
}

static int rec_line(recorder *r, int n)
{
	return n < 0 || ferror(r->f) ? AIMC_EIO : AIMC_OK;
}

static int rec_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	recorder *r = ctx;
	int rc = aimc_mmio_read32(&r->inner, addr, val);
	int wr;

	if (!on_bus(rc))
		return rc;
	wr = rec_line(r, fprintf(r->f, "R %08" PRIx32 " %08" PRIx32 "\n", addr, *val));
	return wr != AIMC_OK ? wr : rc;
}

static int rec_write32(void *ctx, uint32_t addr, uint32_t val)
{
	recorder *r = ctx;
	int rc = aimc_mmio_write32(&r->inner, addr, val);
	int wr;

	if (!on_bus(rc))
		return rc;
	wr = rec_line(r, fprintf(r->f, "W %08" PRIx32 " %08" PRIx32 "\n", addr, val));
	return wr != AIMC_OK ? wr : rc;
}

static int rec_poll32(void *ctx, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		      uint32_t *last)
{
	recorder *r = ctx;
	int rc = aimc_mmio_poll32(&r->inner, addr, mask, value, max_polls, last);
	int wr;

	if (!on_bus(rc) && rc != AIMC_ETIMEOUT)
		return rc;
	wr = rec_line(r, fprintf(r->f, "P %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %" PRIu32 "\n",
				 addr, mask, value, max_polls));
	return wr != AIMC_OK ? wr : rc;
}

static void rec_close(void *ctx)
{
	recorder *r = ctx;

	if (r == NULL)
		return;
	fputs("E\n", r->f);
	fclose(r->f);
	aimc_mmio_close(&r->inner);
	free(r);
}

static uint32_t rec_diag(void *ctx, char *buf, size_t len)
{
	recorder *r = ctx;

	return aimc_mmio_diag(&r->inner, buf, len);
}

static const aimc_mmio_ops recorder_ops = {
	.name = "recorder",
	.read32 = rec_read32,
	.write32 = rec_write32,
	.poll32 = rec_poll32,
	.close = rec_close,
	.diag = rec_diag,
};

/* The config name goes into a space-separated header: it must be one non-empty token. */
static int name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return 0;
	return 1;
}

int aimc_mmio_open_recorder(aimc_mmio *m, aimc_mmio *inner, const char *trace_path,
			    const aimc_cfg *cfg, uint64_t seed)
{
	recorder *r;

	if (m == NULL || inner == NULL || inner->ops == NULL || trace_path == NULL || cfg == NULL ||
	    !name_ok(cfg->name) || inner == m)
		return AIMC_EINVAL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return AIMC_ENOMEM;
	r->f = fopen(trace_path, "w");
	if (r->f == NULL)
		goto err_free;
	if (fprintf(r->f, "# kirchhoff-trace v1 config=%s seed=%" PRIu64 "\n", cfg->name, seed) < 0)
		goto err_close;
	/* Ownership of the inner back-end moves to the recorder. */
	r->inner = *inner;
	inner->ops = NULL;
	inner->ctx = NULL;
	m->ops = &recorder_ops;
	m->ctx = r;
	return AIMC_OK;

err_close:
	fclose(r->f);
err_free:
	free(r);
	return AIMC_EIO;
}
