/* SPDX-License-Identifier: Apache-2.0 */
/* Replay back-end: answers the driver from the result log of a trace player run
 * (docs/trace-format.md) and checks that the driver issues the same ops in the same order. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"

#define REPLAY_LINE_MAX 128
#define REPLAY_ERR_MAX 512

/* AXI responses in the log. */
enum { RESP_OKAY = 0, RESP_SLVERR = 2, RESP_DECERR = 3 };

typedef struct replay {
	FILE *f;
	unsigned long line;           /* number of the line last read */
	char buf[REPLAY_LINE_MAX + 2];
	int failed;                   /* sticky: every later op answers AIMC_EMISMATCH */
	int ended;                    /* the C line has been read */
	uint64_t cycles;
	char path[256];
	char err[REPLAY_ERR_MAX];
} replay;

static int fail(replay *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->failed) {
		n = snprintf(r->err, sizeof(r->err), "replay %s:%lu: ", r->path, r->line);
		if (n > 0 && (size_t)n < sizeof(r->err)) {
			va_start(ap, fmt);
			vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
			va_end(ap);
		}
		r->failed = 1;
	}
	return AIMC_EMISMATCH;
}

/* Next non-comment line into r->buf without its newline. 1 at end of file, -1 if too long. */
static int next_line(replay *r)
{
	size_t n;

	for (;;) {
		if (fgets(r->buf, sizeof(r->buf), r->f) == NULL)
			return 1;
		r->line++;
		n = strlen(r->buf);
		if (n > 0 && r->buf[n - 1] == '\n')
			r->buf[--n] = '\0';
		else if (!feof(r->f))
			return -1;
		if (r->buf[0] != '#')
			return 0;
	}
}

/* Strict field parsers: each consumes one field and the single space or end after it. */
static int sep(const char **p)
{
	if (**p == ' ') {
		(*p)++;
		return **p != '\0' && **p != ' ';
	}
	return **p == '\0';
}

static int parse_hex8(const char **p, uint32_t *v)
{
	uint32_t x = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = (*p)[i];

		if (c >= '0' && c <= '9')
			x = x << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = x << 4 | (uint32_t)(c - 'a' + 10);
		else
			return 0;
	}
	*p += 8;
	*v = x;
	return sep(p);
}

static int parse_dec(const char **p, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return 0;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return 0; /* no leading zeros */
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t digit = (uint64_t)(*s - '0');

		if (digit > max || x > (max - digit) / 10)
			return 0;
		x = x * 10 + digit;
	}
	*p = s;
	*v = x;
	return sep(p);
}

static int parse_resp(const char **p, uint32_t *resp)
{
	uint64_t v;

	if (!parse_dec(p, 3, &v) || (v != RESP_OKAY && v != RESP_SLVERR && v != RESP_DECERR))
		return 0;
	*resp = (uint32_t)v;
	return 1;
}

/* Read the next op line, which must be of kind `kind` for address addr; *p is left after the
 * address. `what` describes the driver's op for messages. */
static int expect_op(replay *r, char kind, uint32_t addr, const char *what, const char **p)
{
	uint32_t a;
	int rc;

	if (r->failed)
		return AIMC_EMISMATCH;
	if (r->ended)
		return fail(r, "driver issued %s after the log's final C line", what);
	rc = next_line(r);
	if (rc > 0)
		return fail(r, "log ended early: driver issued %s", what);
	if (rc < 0)
		return fail(r, "malformed line (longer than %d characters)", REPLAY_LINE_MAX);
	if (r->buf[0] == 'C')
		return fail(r, "log reached its final C line: driver issued %s", what);
	if ((r->buf[0] != 'R' && r->buf[0] != 'W' && r->buf[0] != 'P') || r->buf[1] != ' ')
		return fail(r, "malformed line '%s'", r->buf);
	*p = r->buf + 2;
	if (!parse_hex8(p, &a))
		return fail(r, "malformed line '%s'", r->buf);
	if (r->buf[0] != kind || a != addr)
		return fail(r, "log has '%s', driver issued %s", r->buf, what);
	return AIMC_OK;
}

static int resp_rc(uint32_t resp)
{
	return resp == RESP_OKAY ? AIMC_OK : AIMC_EBUS;
}

static int rep_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	replay *r = ctx;
	char what[32];
	const char *p;
	uint32_t d, resp;
	int rc;

	*val = 0;
	snprintf(what, sizeof(what), "R %08" PRIx32, addr);
	rc = expect_op(r, 'R', addr, what, &p);
	if (rc != AIMC_OK)
		return rc;
	if (!parse_hex8(&p, &d) || !parse_resp(&p, &resp) || *p != '\0')
		return fail(r, "malformed line '%s' (want R aaaaaaaa dddddddd r)", r->buf);
	if (resp == RESP_OKAY)
		*val = d;
	return resp_rc(resp);
}

static int rep_write32(void *ctx, uint32_t addr, uint32_t val)
{
	replay *r = ctx;
	char what[48];
	const char *p;
	uint32_t resp;
	int rc;

	snprintf(what, sizeof(what), "W %08" PRIx32 " %08" PRIx32, addr, val);
	rc = expect_op(r, 'W', addr, what, &p);
	if (rc != AIMC_OK)
		return rc;
	if (!parse_resp(&p, &resp) || *p != '\0')
		return fail(r, "malformed line '%s' (want W aaaaaaaa r)", r->buf);
	return resp_rc(resp);
}

static int rep_poll32(void *ctx, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		      uint32_t *last)
{
	replay *r = ctx;
	char what[64];
	const char *p;
	uint32_t d;
	uint64_t k, matched;
	int rc;

	*last = 0;
	snprintf(what, sizeof(what), "P %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %" PRIu32, addr,
		 mask, value, max_polls);
	rc = expect_op(r, 'P', addr, what, &p);
	if (rc != AIMC_OK)
		return rc;
	if (!parse_hex8(&p, &d) || !parse_dec(&p, UINT32_MAX, &k) || !parse_dec(&p, 1, &matched) ||
	    *p != '\0')
		return fail(r, "malformed line '%s' (want P aaaaaaaa dddddddd k m)", r->buf);
	/* The log does not repeat mask, value and budget: check that they explain its outcome. */
	if (k == 0 || k > max_polls)
		return fail(r, "log has '%s': %" PRIu64 " reads, driver allowed %" PRIu32, r->buf, k,
			    max_polls);
	if (matched && (d & mask) != value)
		return fail(r, "log has '%s' (matched) but data & %08" PRIx32 " != %08" PRIx32
			    ": driver issued %s", r->buf, mask, value, what);
	if (!matched && ((d & mask) == value || k != max_polls))
		return fail(r, "log has '%s' (timed out), inconsistent with driver's %s", r->buf, what);
	*last = d;
	return matched ? AIMC_OK : AIMC_ETIMEOUT;
}

static void rep_close(void *ctx)
{
	replay *r = ctx;

	if (r == NULL)
		return;
	fclose(r->f);
	free(r);
}

static const aimc_mmio_ops replay_ops = {
	.name = "replay",
	.read32 = rep_read32,
	.write32 = rep_write32,
	.poll32 = rep_poll32,
	.close = rep_close,
};

int aimc_mmio_open_replay(aimc_mmio *m, const char *log_path)
{
	replay *r;

	if (m == NULL || log_path == NULL || log_path[0] == '\0')
		return AIMC_EINVAL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return AIMC_ENOMEM;
	r->f = fopen(log_path, "r");
	if (r->f == NULL) {
		free(r);
		return AIMC_EIO;
	}
	snprintf(r->path, sizeof(r->path), "%s", log_path);
	m->ops = &replay_ops;
	m->ctx = r;
	return AIMC_OK;
}

int aimc_mmio_replay_cycles(aimc_mmio *m, uint64_t *cycles)
{
	replay *r;
	const char *p;
	int rc;

	if (m == NULL || m->ops != &replay_ops || cycles == NULL)
		return AIMC_EINVAL;
	r = m->ctx;
	if (r->failed)
		return AIMC_EMISMATCH;
	if (!r->ended) {
		rc = next_line(r);
		if (rc > 0)
			return fail(r, "log ended without its final C line");
		if (rc < 0)
			return fail(r, "malformed line (longer than %d characters)", REPLAY_LINE_MAX);
		if (r->buf[0] == 'R' || r->buf[0] == 'W' || r->buf[0] == 'P')
			return fail(r, "log has '%s' left, the driver issued no more ops", r->buf);
		p = r->buf + 2;
		if (r->buf[0] != 'C' || r->buf[1] != ' ' || !parse_dec(&p, UINT64_MAX, &r->cycles) ||
		    *p != '\0')
			return fail(r, "malformed line '%s' (want C cycles)", r->buf);
		rc = next_line(r);
		if (rc == 0)
			return fail(r, "line '%s' after the final C line", r->buf);
		if (rc < 0)
			return fail(r, "malformed line after the final C line");
		r->ended = 1;
	}
	*cycles = r->cycles;
	return AIMC_OK;
}

const char *aimc_mmio_replay_error(const aimc_mmio *m)
{
	const replay *r;

	if (m == NULL || m->ops != &replay_ops)
		return NULL;
	r = m->ctx;
	return r->err;
}
