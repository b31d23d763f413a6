/* SPDX-License-Identifier: Apache-2.0 */
/* aimc CLI helpers: strict flag parsing, back-end selection, JSON report writer, clock. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimc_regs.h"
#include "cli.h"

#define REPLAY_PREFIX "replay:"
#define SERIAL_PREFIX "serial:"
#define DEVMEM_PREFIX "devmem:"
#define SERIAL_BAUD_DEFAULT 115200u
#define SERIAL_TIMEOUT_MS 2000u

void cli_errorf(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "aimc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "aimc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'aimc %s --help')\n", cmd);
	return CLI_EXIT_USAGE;
}

const char *cli_value(const char *cmd, int argc, char **argv, int *i)
{
	const char *flag = argv[*i];

	if (*i + 1 >= argc) {
		cli_usage_error(cmd, "%s needs a value", flag);
		return NULL;
	}
	(*i)++;
	return argv[*i];
}

int cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0') {
		cli_usage_error(cmd, "%s: empty value, expected a number in %" PRIu64 "..%" PRIu64,
				flag, min, max);
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9') {
			cli_usage_error(cmd, "%s: '%s' is not a decimal number", flag, s);
			return -1;
		}
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10) {
			cli_usage_error(cmd, "%s: '%s' is out of range %" PRIu64 "..%" PRIu64, flag, s,
					min, max);
			return -1;
		}
		v = v * 10 + d;
	}
	if (v < min || v > max) {
		cli_usage_error(cmd, "%s: %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64, flag, v,
				min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_u32(const char *cmd, const char *flag, const char *s, uint32_t min, uint32_t max,
		  uint32_t *out)
{
	uint64_t v;

	if (cli_parse_u64(cmd, flag, s, min, max, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* serial:<device>[@baud]: 0 and the parts, -1 if malformed. */
int cli_serial_spec(const char *spec, char *dev, size_t devlen, uint32_t *baud)
{
	static const uint32_t rates[] = { 9600,   19200,  38400,   57600,   115200,  230400,
					  460800, 921600, 1000000, 2000000, 3000000 };
	const char *p = spec + strlen(SERIAL_PREFIX);
	const char *at = strrchr(p, '@');
	size_t n = at != NULL ? (size_t)(at - p) : strlen(p);
	size_t i;

	if (strncmp(spec, SERIAL_PREFIX, strlen(SERIAL_PREFIX)) != 0 || n == 0 || n >= devlen)
		return -1;
	memcpy(dev, p, n);
	dev[n] = '\0';
	*baud = SERIAL_BAUD_DEFAULT;
	if (at == NULL)
		return 0;
	{
		char *end = NULL;
		unsigned long v;

		if (at[1] < '0' || at[1] > '9')
			return -1;
		errno = 0;
		v = strtoul(at + 1, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
			if (rates[i] == v) {
				*baud = (uint32_t)v;
				return 0;
			}
	}
	return -1;
}

/* devmem:<file>[@offset]: 0 and the parts, -1 if malformed. */
int cli_devmem_spec(const char *spec, char *dev, size_t devlen, uint64_t *off)
{
	const char *p = spec + strlen(DEVMEM_PREFIX);
	const char *at = strrchr(p, '@');
	size_t n = at != NULL ? (size_t)(at - p) : strlen(p);
	char *end = NULL;
	unsigned long long v;

	if (strncmp(spec, DEVMEM_PREFIX, strlen(DEVMEM_PREFIX)) != 0 || n == 0 || n >= devlen)
		return -1;
	memcpy(dev, p, n);
	dev[n] = '\0';
	*off = 0;
	if (at == NULL)
		return 0;
	if (at[1] < '0' || at[1] > '9')
		return -1;
	errno = 0;
	v = strtoull(at + 1, &end, 0);
	if (errno != 0 || *end != '\0' || v % 4096u != 0)
		return -1;
	*off = v;
	return 0;
}

void cli_backend_defaults(cli_backend_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->backend = "cmodel";
}

int cli_backend_flag(const char *cmd, cli_backend_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *v;

	if (strcmp(a, "--config") != 0 && strcmp(a, "--seed") != 0 && strcmp(a, "--backend") != 0 &&
	    strcmp(a, "--record") != 0 && strcmp(a, "--waves") != 0 && strcmp(a, "--max-polls") != 0)
		return 0;
	v = cli_value(cmd, argc, argv, i);
	if (v == NULL)
		return -1;
	if (strcmp(a, "--config") == 0) {
		o->config = v;
	} else if (strcmp(a, "--seed") == 0) {
		if (cli_parse_u64(cmd, a, v, 0, UINT64_MAX, &o->seed) != 0)
			return -1;
	} else if (strcmp(a, "--backend") == 0) {
		o->backend = v;
	} else if (strcmp(a, "--record") == 0) {
		o->record = v;
	} else if (strcmp(a, "--waves") == 0) {
		o->waves = v;
	} else {
		if (cli_parse_u32(cmd, a, v, 1, UINT32_MAX, &o->max_polls) != 0)
			return -1;
	}
	return 1;
}

const char *cli_backend_kind(const cli_backend_opts *o)
{
	if (strncmp(o->backend, REPLAY_PREFIX, strlen(REPLAY_PREFIX)) == 0)
		return "replay";
	if (strncmp(o->backend, SERIAL_PREFIX, strlen(SERIAL_PREFIX)) == 0)
		return "serial";
	if (strncmp(o->backend, DEVMEM_PREFIX, strlen(DEVMEM_PREFIX)) == 0)
		return "devmem";
	return o->backend;
}

int cli_option(const char *cmd, cli_backend_opts *be, int argc, char **argv, int *i,
	       const char *const *valued, void (*help)(void), const char **v)
{
	const char *a = argv[*i];
	int r = cli_backend_flag(cmd, be, argc, argv, i);

	if (r != 0)
		return r < 0 ? -1 : CLI_OPT_NEXT;
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		help();
		return CLI_OPT_HELP;
	}
	for (; *valued != NULL; valued++) {
		if (strcmp(a, *valued) == 0) {
			*v = cli_value(cmd, argc, argv, i);
			return *v == NULL ? -1 : CLI_OPT_VALUE;
		}
	}
	cli_usage_error(cmd, "unknown option '%s'", a);
	return -1;
}

int cli_backend_only_args(const char *cmd, int argc, char **argv, cli_backend_opts *o, void (*help)(void))
{
	static const char *const none[] = {NULL};
	const char *v;
	int i, r;

	cli_backend_defaults(o);
	for (i = 1; i < argc; i++) {
		r = cli_option(cmd, o, argc, argv, &i, none, help, &v);
		if (r < 0)
			return -1;
		if (r == CLI_OPT_HELP)
			return 1;
	}
	return cli_backend_check(cmd, o) != 0 ? -1 : 0;
}

int cli_backend_check(const char *cmd, const cli_backend_opts *o)
{
	if (o->config == NULL) {
		cli_usage_error(cmd, "--config CFG is required");
		return -1;
	}
	const char *kind = cli_backend_kind(o);
	char dev[256];
	uint32_t baud;
	uint64_t off;

	if (strcmp(kind, "cmodel") != 0 && strcmp(kind, "verilator") != 0 &&
	    strcmp(kind, "replay") != 0 && strcmp(kind, "uart-sim") != 0 &&
	    strcmp(kind, "serial") != 0 && strcmp(kind, "devmem") != 0) {
		cli_usage_error(cmd, "--backend: unknown back-end '%s' (cmodel, verilator, "
				"replay:<log>, uart-sim, serial:<tty>[@baud], devmem:<file>[@offset])",
				o->backend);
		return -1;
	}
	if (strcmp(o->backend, REPLAY_PREFIX) == 0) {
		cli_usage_error(cmd, "--backend replay: needs a log file (replay:<log>)");
		return -1;
	}
	if (strcmp(kind, "serial") == 0 && cli_serial_spec(o->backend, dev, sizeof(dev), &baud) != 0) {
		cli_usage_error(cmd, "--backend %s: expected serial:<device>[@baud] with a standard "
				"baud rate (9600 .. 3000000)", o->backend);
		return -1;
	}
	if (strcmp(kind, "devmem") == 0 && cli_devmem_spec(o->backend, dev, sizeof(dev), &off) != 0) {
		cli_usage_error(cmd, "--backend %s: expected devmem:<file>[@offset] (offset decimal or "
				"0x hex, a multiple of 4096)", o->backend);
		return -1;
	}
	if (o->waves != NULL && strcmp(kind, "verilator") != 0 && strcmp(kind, "uart-sim") != 0) {
		cli_usage_error(cmd, "--waves works only with --backend verilator or uart-sim");
		return -1;
	}
	return 0;
}

int cli_backend_open(const char *cmd, const cli_backend_opts *o, const aimc_cfg *cfg, aimc_mmio *m)
{
	aimc_mmio inner = { NULL, NULL };
	int rc;

	if (strcmp(o->backend, "cmodel") == 0) {
		rc = aimc_mmio_open_cmodel(&inner, cfg, o->seed);
	} else if (strcmp(o->backend, "verilator") == 0) {
		rc = aimc_mmio_open_verilator(&inner, cfg, o->seed, o->waves);
		if (rc == AIMC_EUNSUPPORTED) {
			cli_errorf(cmd, "this build has no Verilator model: use build/<cfg>/vl/aimc-vl "
				   "(make vl CONFIG=%s)", cfg->name);
			return rc;
		}
	} else if (strcmp(o->backend, "uart-sim") == 0) {
		rc = aimc_mmio_open_uart_sim(&inner, cfg, o->seed, o->waves);
		if (rc == AIMC_EUNSUPPORTED) {
			cli_errorf(cmd, "this build has no simulated board: use "
				   "build/<cfg>/uart/aimc-uart-vl (make uart-vl CONFIG=%s)", cfg->name);
			return rc;
		}
	} else if (strcmp(cli_backend_kind(o), "serial") == 0) {
		char dev[256];
		uint32_t baud = 0;

		rc = cli_serial_spec(o->backend, dev, sizeof(dev), &baud) != 0
			     ? AIMC_EINVAL
			     : aimc_mmio_open_serial(&inner, dev, baud, SERIAL_TIMEOUT_MS);
	} else if (strcmp(cli_backend_kind(o), "devmem") == 0) {
		char dev[256];
		uint64_t off = 0;

		rc = cli_devmem_spec(o->backend, dev, sizeof(dev), &off) != 0
			     ? AIMC_EINVAL
			     : aimc_mmio_open_devmem(&inner, dev, off, (uint32_t)sizeof(aimc_map_t));
	} else {
		rc = aimc_mmio_open_replay(&inner, o->backend + strlen(REPLAY_PREFIX));
	}
	if (rc != AIMC_OK) {
		cli_errorf(cmd, "cannot open back-end '%s': %s", o->backend, aimc_strerror(rc));
		return rc;
	}
	if (o->record == NULL) {
		*m = inner;
		return AIMC_OK;
	}
	rc = aimc_mmio_open_recorder(m, &inner, o->record, cfg, o->seed);
	if (rc != AIMC_OK) {
		cli_errorf(cmd, "cannot record to '%s': %s", o->record, aimc_strerror(rc));
		aimc_mmio_close(&inner);
		return rc;
	}
	return AIMC_OK;
}

int cli_backend_close(const char *cmd, const cli_backend_opts *o, aimc_mmio *m,
		      uint64_t *sim_cycles)
{
	uint64_t cycles = 0;
	int rc = AIMC_OK;

	if (strcmp(cli_backend_kind(o), "replay") == 0 && o->record == NULL) {
		rc = aimc_mmio_replay_cycles(m, &cycles);
		if (rc != AIMC_OK)
			cli_report_rc(cmd, m, "replay log", rc);
		else if (sim_cycles != NULL)
			*sim_cycles = cycles;
	}
	aimc_mmio_close(m);
	return rc;
}

void cli_report_rc(const char *cmd, const aimc_mmio *m, const char *what, int rc)
{
	const char *detail = aimc_mmio_replay_error(m);

	if (detail != NULL && detail[0] != '\0')
		cli_errorf(cmd, "%s: %s (%s)", what, aimc_strerror(rc), detail);
	else
		cli_errorf(cmd, "%s: %s", what, aimc_strerror(rc));
}

int cli_load_config(const char *cmd, const char *path, aimc_cfg *cfg)
{
	char err[512];

	if (aimc_cfg_load(cfg, path, err, sizeof(err)) != 0) {
		cli_errorf(cmd, "%s", err);
		return -1;
	}
	return 0;
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Read the whole input file; it must hold a whole number (>= 1) of vectors of k bytes. */
int cli_read_inputs(const char *cmd, const char *path, uint32_t k, int8_t **x, uint64_t *samples)
{
	FILE *f = fopen(path, "rb");
	long sz;
	int rc = -1;

	*x = NULL;
	if (f == NULL) {
		cli_errorf(cmd, "--inputs: cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		cli_errorf(cmd, "--inputs: cannot size '%s'", path);
		goto out;
	}
	if (sz == 0 || (uint64_t)sz % k != 0) {
		cli_errorf(cmd, "--inputs: '%s' has %ld bytes, not a whole number (>= 1) of vectors "
			   "of n_inputs = %u bytes", path, sz, k);
		goto out;
	}
	*x = malloc((size_t)sz);
	if (*x == NULL) {
		cli_errorf(cmd, "--inputs: out of memory for %ld bytes", sz);
		goto out;
	}
	if (fread(*x, 1, (size_t)sz, f) != (size_t)sz) {
		cli_errorf(cmd, "--inputs: short read of '%s'", path);
		goto out;
	}
	*samples = (uint64_t)sz / k;
	rc = 0;
out:
	if (rc != 0) {
		free(*x);
		*x = NULL;
	}
	fclose(f);
	return rc;
}

void cli_check(cli_tally *t, int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s", ok ? "PASS" : "FAIL", name);
	if (!ok && fmt != NULL) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	if (ok) {
		t->pass++;
	} else {
		t->fail++;
		if (t->rerun != NULL)
			printf("  rerun: %s\n", t->rerun);
	}
}

void cli_skip(cli_tally *t, const char *name, const char *why)
{
	printf("SKIP %s: %s\n", name, why);
	t->skipped++;
}

/* ---- JSON ------------------------------------------------------------------------------- */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_key(cli_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = 1;
	fputc('\n', j->f);
	fprintf(j->f, "%*s", 2 * (j->depth + 1), "");
	if (key != NULL) {
		json_string(j->f, key);
		fputs(": ", j->f);
	}
}

void cli_json_begin(cli_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
}

int cli_json_end(cli_json *j)
{
	fputs("\n}\n", j->f);
	return ferror(j->f) ? -1 : 0;
}

void cli_json_obj(cli_json *j, const char *key)
{
	json_key(j, key);
	fputc('{', j->f);
	if (j->depth + 1 < (int)(sizeof(j->need_comma) / sizeof(j->need_comma[0])))
		j->depth++;
	j->need_comma[j->depth] = 0;
}

void cli_json_obj_end(cli_json *j)
{
	if (j->depth > 0)
		j->depth--;
	fputc('\n', j->f);
	fprintf(j->f, "%*s}", 2 * (j->depth + 1), "");
}

void cli_json_str(cli_json *j, const char *key, const char *v)
{
	json_key(j, key);
	if (v == NULL)
		fputs("null", j->f);
	else
		json_string(j->f, v);
}

void cli_json_u64(cli_json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void cli_json_i64(cli_json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void cli_json_f64(cli_json *j, const char *key, double v)
{
	json_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.9g", v);
	else
		fputs("null", j->f);
}

void cli_json_bool(cli_json *j, const char *key, int v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void cli_json_null(cli_json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void cli_json_counters(cli_json *j, const char *key, const aimc_counters *c)
{
	cli_json_obj(j, key);
	cli_json_u64(j, "cycles", c->cycles);
	cli_json_u64(j, "instrs", c->instrs);
	cli_json_u64(j, "mvms", c->mvms);
	cli_json_u64(j, "convs", c->convs);
	cli_json_u64(j, "adc_convs", c->adc_convs);
	cli_json_u64(j, "sats", c->sats);
	cli_json_u64(j, "prog_rows", c->prog_rows);
	cli_json_u64(j, "reads", c->reads);
	cli_json_u64(j, "stalls", c->stalls);
	if (c->n_tiles > 0) {
		uint32_t t;
		char key[16];

		cli_json_obj(j, "tiles");
		for (t = 0; t < c->n_tiles && t < AIMC_MAX_TILES; t++) {
			const aimc_tile_counters *tc = &c->tile[t];

			snprintf(key, sizeof(key), "%u", t);
			cli_json_obj(j, key);
			cli_json_u64(j, "busy", tc->busy);
			cli_json_u64(j, "idle", tc->idle);
			cli_json_u64(j, "mvms", tc->mvms);
			cli_json_u64(j, "reads", tc->reads);
			cli_json_u64(j, "adc_convs", tc->adc_convs);
			cli_json_u64(j, "sats", tc->sats);
			cli_json_u64(j, "stalls", tc->stalls);
			cli_json_obj_end(j);
		}
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
}

void cli_print_tile_counters(const char *prefix, const aimc_counters *c)
{
	uint32_t t;

	for (t = 0; t < c->n_tiles && t < AIMC_MAX_TILES; t++) {
		const aimc_tile_counters *tc = &c->tile[t];

		printf("%s:   tile %u: busy %u idle %u mvms %u reads %u adc %u sats %u stalls %u\n",
		       prefix, t, tc->busy, tc->idle, tc->mvms, tc->reads, tc->adc_convs, tc->sats,
		       tc->stalls);
	}
}

int cli_json_write_file(const char *cmd, const char *path, void (*fill)(cli_json *, void *),
			void *arg)
{
	cli_json j;
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL) {
		cli_errorf(cmd, "cannot write report '%s'", path);
		return -1;
	}
	cli_json_begin(&j, f);
	fill(&j, arg);
	rc = cli_json_end(&j);
	if (fclose(f) != 0 || rc != 0) {
		cli_errorf(cmd, "error writing report '%s'", path);
		return -1;
	}
	return 0;
}
