/* SPDX-License-Identifier: Apache-2.0 */
/* aimc trace-compare: check a trace player's result log against the recorded bus trace
 * (docs/trace-format.md): same ops in the same order, every recorded read value equal, every
 * poll matched; print the log's cycle count. Used for the cross-simulator (X) check. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CMD "trace-compare"
#define LINE_MAX_CHARS 256
#define MAX_FIELDS 8

typedef struct src {
	const char *path;
	FILE *f;
	unsigned long line;
	char buf[LINE_MAX_CHARS + 2];
	char *fld[MAX_FIELDS];
	int nf;
} src;

static void help(void)
{
	printf("usage: aimc trace-compare TRACE LOG\n\n"
	       "TRACE is a bus trace written by the recorder (--record), LOG the result log of the\n"
	       "Icarus trace player run on it. Checks that LOG has the same ops in the same order,\n"
	       "that every read returned the value recorded in TRACE and the same response (a trace\n"
	       "line may carry the response as a last field; without it, a non-zero recorded value\n"
	       "implies OKAY), that every poll matched, and that LOG ends with its cycle count,\n"
	       "which is printed. The first difference is printed with both line numbers.\n\n"
	       "Exit: 0 equal, 1 different, 2 usage error, unreadable or malformed file.\n");
}

/* Next non-comment, non-empty line split at single spaces. 0 ok, 1 end of file, -1 malformed. */
static int next_line(src *s)
{
	size_t n;
	char *p;

	for (;;) {
		if (fgets(s->buf, sizeof(s->buf), s->f) == NULL)
			return 1;
		s->line++;
		n = strlen(s->buf);
		if (n > 0 && s->buf[n - 1] == '\n')
			s->buf[--n] = '\0';
		else if (!feof(s->f))
			return -1;
		if (n > 0 && s->buf[n - 1] == '\r')
			s->buf[--n] = '\0';
		if (s->buf[0] != '#' && s->buf[0] != '\0')
			break;
	}
	s->nf = 0;
	p = s->buf;
	for (;;) {
		if (s->nf == MAX_FIELDS)
			return -1;
		s->fld[s->nf++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return 0;
}

static int hex8(const char *t, uint32_t *v)
{
	char *end;
	unsigned long x;
	int i;

	if (strlen(t) != 8)
		return 0;
	for (i = 0; i < 8; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	errno = 0;
	x = strtoul(t, &end, 16);
	*v = (uint32_t)x;
	return errno == 0 && *end == '\0';
}

static int dec(const char *t, uint64_t *v)
{
	uint64_t x = 0;

	if (*t == '\0')
		return 0;
	for (; *t != '\0'; t++) {
		if (*t < '0' || *t > '9' || x > (UINT64_MAX - (uint64_t)(*t - '0')) / 10)
			return 0;
		x = x * 10 + (uint64_t)(*t - '0');
	}
	*v = x;
	return 1;
}

/* Rebuild the (split) line for messages. */
static const char *joined(const src *s, char *out, size_t len)
{
	size_t pos = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < s->nf && pos < len; i++) {
		int n = snprintf(out + pos, len - pos, "%s%s", i ? " " : "", s->fld[i]);

		if (n < 0)
			break;
		pos += (size_t)n;
	}
	return out;
}

static int differ(const src *t, const src *l, const char *why)
{
	char a[LINE_MAX_CHARS + 2], b[LINE_MAX_CHARS + 2];

	printf("trace-compare: FIRST DIFFERENCE at %s:%lu and %s:%lu: %s\n", t->path, t->line, l->path,
	       l->line, why);
	printf("  trace: %s\n", t->nf > 0 ? joined(t, a, sizeof(a)) : "(end of file)");
	printf("  log:   %s\n", l->nf > 0 ? joined(l, b, sizeof(b)) : "(end of file)");
	return CLI_EXIT_FAIL;
}

/* A file this tool cannot read is an input error (exit 2), as for every subcommand. */
static int malformed(const src *s, const char *want)
{
	printf("trace-compare: %s:%lu: malformed line (want %s)\n", s->path, s->line, want);
	return CLI_EXIT_USAGE;
}

static int compare(src *t, src *l)
{
	uint64_t reads = 0, polls = 0, writes = 0, cycles;
	int rt, rl;

	for (;;) {
		uint32_t ta, la, td, ld, mask, val;
		uint64_t resp, k, matched, n;

		rt = next_line(t);
		if (rt < 0)
			return malformed(t, "a line of at most 256 characters");
		if (rt > 0) {
			printf("trace-compare: %s:%lu: the trace ends without its E line\n", t->path,
			       t->line);
			return CLI_EXIT_FAIL;
		}
		rl = next_line(l);
		if (rl < 0)
			return malformed(l, "a line of at most 256 characters");
		if (rl > 0)
			l->nf = 0;
		if (strcmp(t->fld[0], "E") == 0) {
			if (t->nf != 1)
				return malformed(t, "E");
			if (rl > 0 || strcmp(l->fld[0], "C") != 0)
				return differ(t, l, "the trace ends here, the log does not end with "
						    "its C line");
			if (l->nf != 2 || !dec(l->fld[1], &cycles))
				return malformed(l, "C cycles");
			break;
		}
		if (rl > 0)
			return differ(t, l, "the log ends early");
		if (strcmp(t->fld[0], l->fld[0]) != 0)
			return differ(t, l, "different operations");
		if (t->nf < 2 || !hex8(t->fld[1], &ta))
			return malformed(t, "an op with an 8-digit hex address");
		if (l->nf < 2 || !hex8(l->fld[1], &la))
			return malformed(l, "an op with an 8-digit hex address");
		if (ta != la)
			return differ(t, l, "different addresses");
		if (strcmp(t->fld[0], "W") == 0) {
			/* W a d [r]: the log has W a r. */
			if ((t->nf != 3 && t->nf != 4) || !hex8(t->fld[2], &td))
				return malformed(t, "W aaaaaaaa dddddddd");
			if (l->nf != 3 || !dec(l->fld[2], &resp) || resp > 3)
				return malformed(l, "W aaaaaaaa r");
			if (t->nf == 4 && strcmp(t->fld[3], l->fld[2]) != 0)
				return differ(t, l, "different write responses");
			writes++;
		} else if (strcmp(t->fld[0], "R") == 0) {
			/* R a d [r]: the log has R a d r. */
			if ((t->nf != 3 && t->nf != 4) || !hex8(t->fld[2], &td))
				return malformed(t, "R aaaaaaaa dddddddd");
			if (l->nf != 4 || !hex8(l->fld[2], &ld) || !dec(l->fld[3], &resp) || resp > 3)
				return malformed(l, "R aaaaaaaa dddddddd r");
			if (td != ld)
				return differ(t, l, "different read data");
			if (t->nf == 4 && strcmp(t->fld[3], l->fld[3]) != 0)
				return differ(t, l, "different read responses");
			/* Without a recorded response: the recorder stores 0 for a read that got a
			 * bus error, so non-zero recorded data means the recording read was OKAY. */
			if (t->nf == 3 && td != 0 && resp != 0)
				return differ(t, l, "the recorded read was OKAY (non-zero data), the "
						    "log's answered a bus error");
			reads++;
		} else if (strcmp(t->fld[0], "P") == 0) {
			/* P a m v n: the log has P a d k m. */
			if (t->nf != 5 || !hex8(t->fld[2], &mask) || !hex8(t->fld[3], &val) ||
			    !dec(t->fld[4], &n))
				return malformed(t, "P aaaaaaaa mmmmmmmm vvvvvvvv n");
			if (l->nf != 5 || !hex8(l->fld[2], &ld) || !dec(l->fld[3], &k) ||
			    !dec(l->fld[4], &matched) || matched > 1)
				return malformed(l, "P aaaaaaaa dddddddd k m");
			if (!matched)
				return differ(t, l, "the poll timed out in the log");
			if ((ld & mask) != val)
				return differ(t, l, "the log's poll matched on data that does not "
						    "satisfy the trace's mask and value");
			if (k < 1 || k > n)
				return differ(t, l, "the log's poll count is outside 1..n");
			polls++;
		} else {
			return malformed(t, "W, R, P or E");
		}
	}
	rl = next_line(l);
	if (rl == 0)
		return differ(t, l, "the log continues after its C line");
	if (rl < 0)
		return malformed(l, "nothing after the C line");
	printf("trace-compare: equal: %" PRIu64 " reads, %" PRIu64 " polls, %" PRIu64
	       " writes; cycles %" PRIu64 "\n", reads, polls, writes, cycles);
	return CLI_EXIT_PASS;
}

int cli_cmd_trace_compare(int argc, char **argv)
{
	src t, l;
	const char *paths[2] = { NULL, NULL };
	int i, np = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help();
			return CLI_EXIT_PASS;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
		if (np == 2)
			return cli_usage_error(CMD, "too many arguments ('%s')", argv[i]);
		paths[np++] = argv[i];
	}
	if (np != 2)
		return cli_usage_error(CMD, "needs TRACE and LOG");
	memset(&t, 0, sizeof(t));
	memset(&l, 0, sizeof(l));
	t.path = paths[0];
	l.path = paths[1];
	t.f = fopen(t.path, "r");
	if (t.f == NULL) {
		cli_errorf(CMD, "cannot open '%s': %s", t.path, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	l.f = fopen(l.path, "r");
	if (l.f == NULL) {
		cli_errorf(CMD, "cannot open '%s': %s", l.path, strerror(errno));
		fclose(t.f);
		return CLI_EXIT_USAGE;
	}
	rc = compare(&t, &l);
	fclose(t.f);
	fclose(l.f);
	return rc;
}
