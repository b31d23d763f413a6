/* SPDX-License-Identifier: Apache-2.0 */
/* aimc CLI helpers: strict flag parsing, back-end selection, JSON report writer, clock, and the
 * writer of every output file (temporary file, fsync, rename: issue 16, nothing lost). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "aimc_analog.h"
#include "aimc_regs.h"
#include "cli.h"

#define REPLAY_PREFIX "replay:"
#define SERIAL_PREFIX "serial:"
#define DEVMEM_PREFIX "devmem:"
#define SERIAL_BAUD_DEFAULT 115200u
#define SERIAL_TIMEOUT_MS 2000u

const char *cli_prog = "aimc";

void cli_errorf(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", cli_prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", cli_prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see '%s %s --help')\n", cli_prog, cmd);
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

	if (strcmp(a, "--backdoor") == 0) {
		o->backdoor = 1;
		return 1;
	}
	if (strcmp(a, "--config") != 0 && strcmp(a, "--seed") != 0 && strcmp(a, "--backend") != 0 &&
	    strcmp(a, "--record") != 0 && strcmp(a, "--waves") != 0 && strcmp(a, "--max-polls") != 0)
		return 0;
	v = cli_value(cmd, argc, argv, i);
	if (v == NULL)
		return -1;
	if (strcmp(a, "--config") == 0) {
		if (o->config != NULL) {
			cli_usage_error(cmd, "--config given twice ('%s' and '%s'): give one config",
					o->config, v);
			return -1;
		}
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
	if (o->backdoor && strcmp(kind, "verilator") != 0) {
		cli_usage_error(cmd, "--backdoor works only with --backend verilator");
		return -1;
	}

	return 0;
}

/* The name to give make for cfg: its name when it is configs/<name>.cfg, else its path. */
static const char *make_config_arg(const aimc_cfg *cfg, char *buf, size_t len)
{
	char tail[sizeof(cfg->name) + 16];
	size_t n = strlen(cfg->path), t;

	snprintf(tail, sizeof(tail), "configs/%s.cfg", cfg->name);
	t = strlen(tail);
	if (n >= t && strcmp(cfg->path + n - t, tail) == 0 && (n == t || cfg->path[n - t - 1] == '/'))
		snprintf(buf, len, "%s", cfg->name);
	else
		snprintf(buf, len, "%s", cfg->path[0] ? cfg->path : cfg->name);
	return buf;
}

/* The configs/<name>.cfg files (here, else under $AIMC_ROOT) whose readback the chip on m gives,
 * in name order: "configs/a.cfg" or, when configs share the chip's identity (same geometry and
 * features, e.g. base and pcm), "configs/a.cfg (or configs/b.cfg: the same identity registers)". */
static int find_chip_config(aimc_mmio *m, char *buf, size_t len)
{
	const char *root = getenv("AIMC_ROOT");
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2], diff[16];
	int found = 0;
	size_t pos = 0;

	buf[0] = '\0';
	for (int pass = 0; pass < 2 && !found; pass++) {
		struct dirent **list;
		int n;

		if (pass == 0)
			snprintf(dir, sizeof(dir), "configs");
		else if (root != NULL && root[0] != '\0')
			snprintf(dir, sizeof(dir), "%s/configs", root);
		else
			break;
		n = scandir(dir, &list, NULL, alphasort);
		if (n < 0)
			continue;
		for (int i = 0; i < n; i++) {
			aimc_cfg c;
			char err[512];
			const char *name = list[i]->d_name;
			size_t k = strlen(name);

			if (k >= 5 && strcmp(name + k - 4, ".cfg") == 0) {
				snprintf(path, sizeof(path), "%s/%s", dir, name);
				if (aimc_cfg_load(&c, path, err, sizeof(err)) == 0 &&
				    aimc_chip_config_diff(m, &c, diff, sizeof(diff)) == 0 && pos < len) {
					int w = snprintf(buf + pos, len - pos, "%s%s", found == 0 ? "" :
							 found == 1 ? " (or " : ", ", path);
					pos += w > 0 ? (size_t)w : 0;
					found++;
				}
			}
			free(list[i]);
		}
		free(list);
	}
	if (found > 1 && pos < len)
		snprintf(buf + pos, len - pos, ": the same identity registers)");
	return found > 0;
}

/* The model on m was built from another config than cfg: say which fields differ, what it was
 * built from, and the command that builds cfg's model (issue 16: instead of a simulator abort). */
/* The value of -G<name>= in a parameter list of `aimc config --rtl-params verilator` ("-GRows=64
 * -GCols=32 ..."), copied into val; 0, or -1 when the list has no such parameter. */
static int rtl_param(const char *list, const char *name, size_t nlen, char *val, size_t len)
{
	for (const char *p = list; (p = strstr(p, "-G")) != NULL; p += 2) {
		size_t n;

		if ((p != list && p[-1] != ' ') || strncmp(p + 2, name, nlen) != 0 || p[2 + nlen] != '=')
			continue;
		p += 3 + nlen;
		n = strcspn(p, " ");
		snprintf(val, len, "%.*s", (int)(n < len ? n : len - 1), p);
		return 0;
	}
	return -1;
}

/* The RTL parameters in which the linked Verilator model (built) and cfg differ, as "Name: model
 * V, config W" joined by "; " into out; their number (0 when the model recorded none). */
static int rtl_params_diff(const char *built, const aimc_cfg *cfg, char *out, size_t len)
{
	char want[1024], a[32], b[32];
	size_t used = 0;
	int n = 0;

	out[0] = '\0';
	if (built == NULL || aimc_cfg_rtl_params(cfg, "verilator", NULL, want, sizeof(want)) != 0)
		return 0;
	for (const char *p = want; (p = strstr(p, "-G")) != NULL; p += 2) {
		size_t nlen = strcspn(p + 2, "=");

		if (rtl_param(want, p + 2, nlen, b, sizeof(b)) != 0)
			continue;
		if (rtl_param(built, p + 2, nlen, a, sizeof(a)) != 0)
			snprintf(a, sizeof(a), "(none)");
		if (strcmp(a, b) == 0)
			continue;
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%.*s: model %s, config %s",
						 n ? "; " : "", (int)nlen, p + 2, a, b);
		n++;
	}
	return n;
}

/* The RTL parameters the linked Verilator model was built with (tb/verilator/mmio_verilator.cpp;
 * NULL without a model, sw/src/nosim/mmio_verilator_none.c). */
const char *aimc_mmio_verilator_rtl_params(void);

static void report_model_mismatch(const char *cmd, aimc_mmio *m, const aimc_cfg *cfg)
{
	char diff[1024], match[PATH_MAX + NAME_MAX + 2], built[sizeof(match) + 32] = "";
	char arg[PATH_MAX], dir[sizeof(cfg->path)];
	const char *base = strrchr(cfg->path, '/');
	int n = aimc_chip_config_diff(m, cfg, diff, sizeof(diff));
	char pdiff[1024];
	int np = rtl_params_diff(aimc_mmio_verilator_rtl_params(), cfg, pdiff, sizeof(pdiff));

	if (find_chip_config(m, match, sizeof(match)))
		snprintf(built, sizeof(built), "; it was built from %s", match);
	make_config_arg(cfg, arg, sizeof(arg));
	/* the Makefile's build folder: the config file's name without .cfg (CFG_NAME) */
	snprintf(dir, sizeof(dir), "%s", base != NULL ? base + 1 : cfg->path[0] ? cfg->path : cfg->name);
	if (strlen(dir) > 4 && strcmp(dir + strlen(dir) - 4, ".cfg") == 0)
		dir[strlen(dir) - 4] = '\0';
	if (n > 0)
		cli_errorf(cmd, "this Verilator model differs from config %s in %d field%s: %s%s. Build "
			   "the model of this config with 'make vl CONFIG=%s' and run build/%s/vl/%s-vl",
			   cfg->name, n, n == 1 ? "" : "s", diff, built, arg, dir, cli_prog);
	else if (np > 0)
		cli_errorf(cmd, "this Verilator model was built with other RTL parameters than config %s "
			   "(%d: %s). Build the model of this config with 'make vl CONFIG=%s' and run "
			   "build/%s/vl/%s-vl", cfg->name, np, pdiff, arg, dir, cli_prog);
	else if (n == 0)
		cli_errorf(cmd, "the Verilator model stopped in its initial blocks (messages above) "
			   "although its config readback agrees with config %s: an RTL or crossbar "
			   "model error, not a config mismatch", cfg->name);
	else
		cli_errorf(cmd, "the Verilator model refused config %s in its initial blocks (messages "
			   "above) and its config readback cannot be read (%s). Build the model of this "
			   "config with 'make vl CONFIG=%s'", cfg->name, aimc_strerror(n), arg);
}

/* The --record trace goes to a temporary beside it (the recorder writes it as the run goes); the
 * wrapper renames it into place when the back-end is closed, or at exit if the command never
 * closes it. A write error seen by an op, or a trace without its final "E" line (the last flush
 * failed), leaves the previous trace in place instead. A crash leaves it too. */
typedef struct record_wrap {
	aimc_mmio rec;   /* the recorder, which owns the back-end */
	cli_out out;     /* its temporary and destination */
	const char *cmd;
	int failed;
} record_wrap;

static record_wrap *record_pending; /* the one trace of a process, for the exit hook */
static void pending_set(const char *tmp, int add);

static int trace_complete(const char *path)
{
	char tail[2] = "";
	FILE *f = fopen(path, "rb");
	int ok = f != NULL && fseek(f, -2, SEEK_END) == 0 && fread(tail, 1, 2, f) == 2 &&
		 tail[0] == 'E' && tail[1] == '\n';

	if (f != NULL)
		fclose(f);
	return ok;
}

static void record_finish(record_wrap *w)
{
	if (w->failed || !trace_complete(w->out.tmp)) {
		cli_errorf(w->cmd, "--record: the trace could not be written whole; '%s' is unchanged",
			   w->out.path);
		cli_out_abort(&w->out);
	} else {
		cli_out_commit(w->cmd, &w->out);
	}
}

static void record_exit(void)
{
	/* exit flushes the recorder's stream after the atexit hooks: rename now, the data follows the
	 * inode (no "E" line yet: the recorder was never closed, as before this wrapper) */
	if (record_pending != NULL && !record_pending->failed) {
		if (rename(record_pending->out.tmp, record_pending->out.path) == 0)
			pending_set(record_pending->out.tmp, 0);
	}
}

static int rw_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	record_wrap *w = ctx;
	int rc = aimc_mmio_read32(&w->rec, addr, val);

	w->failed |= rc == AIMC_EIO;
	return rc;
}

static int rw_write32(void *ctx, uint32_t addr, uint32_t val)
{
	record_wrap *w = ctx;
	int rc = aimc_mmio_write32(&w->rec, addr, val);

	w->failed |= rc == AIMC_EIO;
	return rc;
}

static int rw_poll32(void *ctx, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		     uint32_t *last)
{
	record_wrap *w = ctx;
	int rc = aimc_mmio_poll32(&w->rec, addr, mask, value, max_polls, last);

	w->failed |= rc == AIMC_EIO;
	return rc;
}

static void rw_close(void *ctx)
{
	record_wrap *w = ctx;

	aimc_mmio_close(&w->rec); /* writes the final E line and closes the trace */
	record_finish(w);
	if (record_pending == w)
		record_pending = NULL;
	free(w);
}

static uint32_t rw_diag(void *ctx, char *buf, size_t len)
{
	record_wrap *w = ctx;

	return aimc_mmio_diag(&w->rec, buf, len);
}

static const aimc_mmio_ops record_wrap_ops = {
	"recorder", rw_read32, rw_write32, rw_poll32, rw_close, rw_diag,
};

static int open_recorder(const char *cmd, const cli_backend_opts *o, const aimc_cfg *cfg,
			 aimc_mmio *inner, aimc_mmio *m)
{
	record_wrap *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return AIMC_ENOMEM;
	w->cmd = cmd;
	if (cli_out_open(cmd, "--record", o->record, &w->out) != 0) {
		free(w);
		return AIMC_EIO;
	}
	fclose(w->out.f); /* the recorder writes the temporary by name */
	w->out.f = NULL;
	rc = aimc_mmio_open_recorder(&w->rec, inner, w->out.tmp[0] ? w->out.tmp : w->out.path, cfg,
				     o->seed);
	if (rc != AIMC_OK) {
		cli_out_abort(&w->out);
		free(w);
		return rc;
	}
	if (w->out.tmp[0] != '\0') {
		static int hooked;

		if (!hooked)
			hooked = atexit(record_exit) == 0;
		record_pending = w;
	}
	m->ops = &record_wrap_ops;
	m->ctx = w;
	return AIMC_OK;
}

/* "cannot open back-end": with the OS reason when the back-end is a file or device that cannot be
 * opened (the library returns AIMC_EIO without it). */
static void open_failed(const char *cmd, const cli_backend_opts *o, const aimc_cfg *cfg, int rc)
{
	const char *kind = cli_backend_kind(o);
	char dev[256] = "";
	uint32_t baud;
	uint64_t off;
	int fd;

	if (strcmp(kind, "replay") == 0)
		snprintf(dev, sizeof(dev), "%s", o->backend + strlen(REPLAY_PREFIX));
	else if (strcmp(kind, "serial") == 0 && cli_serial_spec(o->backend, dev, sizeof(dev), &baud) != 0)
		dev[0] = '\0';
	else if (strcmp(kind, "devmem") == 0 && cli_devmem_spec(o->backend, dev, sizeof(dev), &off) != 0)
		dev[0] = '\0';
	if (rc == AIMC_ECONFIG && strcmp(kind, "uart-sim") == 0) {
		cli_errorf(cmd, "cannot open back-end 'uart-sim': the simulated board has the digital-twin "
			   "crossbar, config %s has xbar_impl 0 (give a config with xbar_impl = 1, as "
			   "the one the board was built from)", cfg->name);
		return;
	}
	if (dev[0] != '\0') {
		fd = open(dev, strcmp(kind, "replay") == 0 ? O_RDONLY : O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			cli_errorf(cmd, "cannot open back-end '%s': %s: %s", o->backend, dev,
				   strerror(errno));
			return;
		}
		close(fd);
	}
	cli_errorf(cmd, "cannot open back-end '%s': %s", o->backend, aimc_strerror(rc));
}

/* 1: the Verilator model linked in has trace code (make vl WAVES=1), 0: it has none, -1: no
 * model (tb/verilator/mmio_verilator.cpp, sw/src/nosim/mmio_verilator_none.c). */
int aimc_mmio_verilator_waves(void);
/* Clock cycles the live Verilator model behind m has run (AIMC_EINVAL for another back-end). */
int aimc_mmio_verilator_cycles(const aimc_mmio *m, uint64_t *cycles);
/* Backdoor loads of the Verilator model behind m on or off (tb/verilator/mmio_verilator.cpp). */
int aimc_mmio_verilator_backdoor(aimc_mmio *m, int on);

int cli_backend_open(const char *cmd, const cli_backend_opts *o, const aimc_cfg *cfg, aimc_mmio *m)
{
	aimc_mmio inner = { NULL, NULL };
	int rc;

	if (strcmp(o->backend, "cmodel") == 0) {
		rc = aimc_mmio_open_cmodel(&inner, cfg, o->seed);
	} else if (strcmp(o->backend, "verilator") == 0) {
		rc = aimc_mmio_open_verilator(&inner, cfg, o->seed, o->waves);
		if (rc == AIMC_EUNSUPPORTED && o->waves != NULL && aimc_mmio_verilator_waves() == 0) {
			cli_errorf(cmd, "--waves needs the trace build of the Verilator model: this one "
				   "has no trace code (make vl CONFIG=%s WAVES=1 builds "
				   "build/<cfg>/vl-waves/%s-vl)", cfg->name, cli_prog);
			return rc;
		}
		if (rc == AIMC_EUNSUPPORTED) {
			cli_errorf(cmd, "this build has no Verilator model: use build/<cfg>/vl/%s-vl "
				   "(make vl CONFIG=%s)", cli_prog, cfg->name);
			return rc;
		}
		if (rc == AIMC_OK && o->backdoor) {
			rc = aimc_mmio_verilator_backdoor(&inner, 1);
			if (rc != AIMC_OK) {
				cli_errorf(cmd, "--backdoor: the Verilator model's buffers cannot be "
					   "reached: %s", aimc_strerror(rc));
				aimc_mmio_close(&inner);
				return rc;
			}
		}
		if (rc == AIMC_EMISMATCH && inner.ops != NULL) {
			/* open for reads only: the readback says what differs */
			report_model_mismatch(cmd, &inner, cfg);
			aimc_mmio_close(&inner);
			return rc;
		}
	} else if (strcmp(o->backend, "uart-sim") == 0) {
		rc = aimc_mmio_open_uart_sim(&inner, cfg, o->seed, o->waves);
		if (rc == AIMC_EUNSUPPORTED) {
			cli_errorf(cmd, "this build has no simulated board: use "
				   "build/<cfg>/uart/%s-uart-vl (make uart-vl CONFIG=%s)", cli_prog, cfg->name);
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
		open_failed(cmd, o, cfg, rc);
		return rc;
	}
	if (o->record == NULL) {
		*m = inner;
		return AIMC_OK;
	}
	rc = open_recorder(cmd, o, cfg, &inner, m);
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
	} else if (strcmp(cli_backend_kind(o), "verilator") == 0 && o->record == NULL &&
		   sim_cycles != NULL && aimc_mmio_verilator_cycles(m, &cycles) == AIMC_OK) {
		*sim_cycles = cycles; /* every simulated cycle, bus transactions included */
	}
	{
		char diag[512];

		/* the model's diagnostics (the library prints nothing), e.g. an IR-drop solve that
		 * did not converge */
		if (aimc_mmio_diag(m, diag, sizeof(diag)) > 0)
			fprintf(stderr, "%s\n", diag);
	}
	aimc_mmio_close(m);
	return rc;
}

/* The config of the command (the last one loaded), for the explanation of a mismatch. */
static aimc_cfg loaded_cfg;
static int have_loaded_cfg;

void cli_report_rc(const char *cmd, const aimc_mmio *m, const char *what, int rc)
{
	const char *detail = aimc_mmio_replay_error(m);
	char why[1024];

	if (detail != NULL && detail[0] != '\0') {
		cli_errorf(cmd, "%s: %s (%s)", what, aimc_strerror(rc), detail);
		return;
	}
	/* "config mismatch" alone does not say which: ask the chip (reads only) */
	if (rc == AIMC_EMISMATCH && m != NULL && m->ops != NULL &&
	    aimc_chip_explain((aimc_mmio *)m, have_loaded_cfg ? &loaded_cfg : NULL, why,
			      sizeof(why)) == AIMC_EMISMATCH) {
		char match[PATH_MAX + NAME_MAX + 2];

		if (strncmp(why, "the chip differs", 16) == 0 &&
		    find_chip_config((aimc_mmio *)m, match, sizeof(match)))
			cli_errorf(cmd, "%s: %s: %s; the chip answers as %s", what, aimc_strerror(rc), why,
				   match);
		else
			cli_errorf(cmd, "%s: %s: %s", what, aimc_strerror(rc), why);
		return;
	}
	cli_errorf(cmd, "%s: %s", what, aimc_strerror(rc));
}

/* --time of the command line (cli_take_time); < 0: not given */
static double time_override = -1.0;

int cli_take_time(const char *cmd, int *argc, char **argv)
{
	int n = 2, seen = 0;

	for (int i = 2; i < *argc; i++) {
		if (strcmp(argv[i], "--time") != 0) {
			argv[n++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc)
			return cli_usage_error(cmd, "--time needs a value (a time since programming: 1s, 1h, 1d, 1y)");
		if (seen)
			return cli_usage_error(cmd, "--time given twice: give it once");
		if (aimc_cfg_parse_seconds(argv[i + 1], &time_override) != 0 || !(time_override >= 0.0) ||
		    time_override > 1e9)
			return cli_usage_error(cmd, "--time '%s' is not a time in [0, 1e9] s (a number with an "
					       "optional unit s, ms, us, ns, min, h, d, y: 1s, 1h, 1d, 1y)", argv[i + 1]);
		seen = 1;
		i++;
	}
	argv[n] = NULL;
	*argc = n;
	return 0;
}

int cli_load_config(const char *cmd, const char *path, aimc_cfg *cfg)
{
	const char *simd = getenv("AIMC_SIMD");
	char err[512];

	/* the library reads no environment: the CLI hands over $AIMC_ROOT and $AIMC_SIMD */
	if (aimc_cfg_load_in(cfg, path, getenv("AIMC_ROOT"), err, sizeof(err)) != AIMC_OK) {
		cli_errorf(cmd, "%s", err);
		return -1;
	}
	if (simd != NULL && simd[0] != '\0') {
		if (aimc_xbar_simd_check(simd, err, sizeof(err)) != AIMC_OK) {
			cli_errorf(cmd, "%s", err);
			return -1;
		}
		snprintf(cfg->simd, sizeof(cfg->simd), "%s", simd);
	}
	if (time_override >= 0.0)
		cfg->drift_time = time_override;
	loaded_cfg = *cfg;
	have_loaded_cfg = 1;
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
	cli_out o;

	if (cli_out_open(cmd, "report", path, &o) != 0)
		return -1;
	cli_json_begin(&j, o.f);
	fill(&j, arg);
	cli_json_end(&j);
	return cli_out_commit(cmd, &o);
}

/* ---- output files: never in place (issue 16) --------------------------------------------- */
/* Temporaries not yet renamed into place, removed at exit (a command that fails half-way returns
 * without committing: its temporary goes, the previous file stays). */
#define MAX_PENDING 8
static char pending[MAX_PENDING][PATH_MAX];
static int pending_hooked;

static void pending_cleanup(void)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i][0] != '\0') {
			unlink(pending[i]);
			pending[i][0] = '\0';
		}
}

static void pending_set(const char *tmp, int add)
{
	for (int i = 0; i < MAX_PENDING; i++) {
		if (add && pending[i][0] == '\0') {
			snprintf(pending[i], sizeof(pending[i]), "%s", tmp);
			break;
		}
		if (!add && strcmp(pending[i], tmp) == 0) {
			pending[i][0] = '\0';
			break;
		}
	}
	if (add && !pending_hooked)
		pending_hooked = atexit(pending_cleanup) == 0;
}

/* "<dir of path>/" into dir (with the slash), the last component into base. */
static int split_path(const char *path, char *dir, size_t dlen, char *base, size_t blen)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash != NULL ? (size_t)(slash - path) + 1u : 0u;

	if (n >= dlen || strlen(path + n) >= blen || path[n] == '\0')
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	snprintf(base, blen, "%s", path + n);
	return 0;
}

int cli_out_open(const char *cmd, const char *what, const char *path, cli_out *o)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];
	struct stat st;
	mode_t mask;
	int fd;

	memset(o, 0, sizeof(*o));
	o->what = what;
	if (path == NULL || split_path(path, dir, sizeof(dir), base, sizeof(base)) != 0 ||
	    strlen(path) >= sizeof(o->path)) {
		cli_errorf(cmd, "%s: '%s' is not a file path", what, path ? path : "");
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_errorf(cmd, "%s: '%s' is a directory", what, path);
		return -1;
	}
	snprintf(o->path, sizeof(o->path), "%s", path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* /dev/null, /dev/stdout, a FIFO: written directly, never replaced by a file */
		o->f = fopen(path, "wb");
		if (o->f == NULL) {
			cli_errorf(cmd, "%s: cannot open '%s': %s", what, path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.%s.tmp.XXXXXX", dir, base) >= sizeof(o->tmp)) {
		cli_errorf(cmd, "%s: path '%s' too long", what, path);
		return -1;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		cli_errorf(cmd, "%s: cannot create a temporary file beside '%s': %s", what, path,
			   strerror(errno));
		return -1;
	}
	pending_set(o->tmp, 1);
	/* the file gets the mode an fopen would give it (or keeps the one it has), not mkstemp's 0600 */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mask)) != 0) {
		/* not fatal: the data is what matters */
	}
	o->f = fdopen(fd, "wb");
	if (o->f == NULL) {
		cli_errorf(cmd, "%s: cannot open a temporary file beside '%s': %s", what, path,
			   strerror(errno));
		close(fd);
		cli_out_abort(o);
		return -1;
	}
	return 0;
}

void cli_out_abort(cli_out *o)
{
	if (o->f != NULL)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp[0] != '\0') {
		unlink(o->tmp);
		pending_set(o->tmp, 0);
		o->tmp[0] = '\0';
	}
}

int cli_out_commit(const char *cmd, cli_out *o)
{
	int e = 0, fd;

	if (o->f != NULL) {
		if (ferror(o->f))
			e = errno != 0 ? errno : EIO;
		if (e == 0 && fflush(o->f) != 0)
			e = errno;
		if (e == 0 && o->tmp[0] != '\0' && fsync(fileno(o->f)) != 0)
			e = errno;
		if (fclose(o->f) != 0 && e == 0)
			e = errno;
		o->f = NULL;
	} else if (o->tmp[0] != '\0') {
		/* written by a library function to o->tmp: make it durable the same way */
		fd = open(o->tmp, O_RDONLY);
		if (fd < 0 || fsync(fd) != 0)
			e = errno;
		if (fd >= 0)
			close(fd);
	}
	if (e == 0 && o->tmp[0] != '\0' && rename(o->tmp, o->path) != 0)
		e = errno;
	if (e != 0) {
		cli_errorf(cmd, "%s: cannot write '%s': %s (the previous file, if any, is unchanged)",
			   o->what, o->path, strerror(e));
		cli_out_abort(o);
		return -1;
	}
	pending_set(o->tmp, 0);
	o->tmp[0] = '\0';
	return 0;
}

int cli_write_file(const char *cmd, const char *what, const char *path, const void *buf, size_t n)
{
	cli_out o;

	if (cli_out_open(cmd, what, path, &o) != 0)
		return -1;
	if (n > 0 && fwrite(buf, 1, n, o.f) != n && !ferror(o.f)) {
		cli_errorf(cmd, "%s: short write to '%s'", what, path);
		cli_out_abort(&o);
		return -1;
	}
	return cli_out_commit(cmd, &o);
}

/* path made absolute through its folder (the file itself need not exist); -1 if the folder does
 * not resolve. */
static int canon_path(const char *path, char *out, size_t len)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], real[PATH_MAX];

	if (split_path(path, dir, sizeof(dir), base, sizeof(base)) != 0)
		return -1;
	if (realpath(dir[0] != '\0' ? dir : ".", real) == NULL)
		return -1;
	return (size_t)snprintf(out, len, "%s/%s", real, base) < len ? 0 : -1;
}

int cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char ca[PATH_MAX + NAME_MAX + 2], cb[PATH_MAX + NAME_MAX + 2];

	if (strcmp(a, b) == 0)
		return 1;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return canon_path(a, ca, sizeof(ca)) == 0 && canon_path(b, cb, sizeof(cb)) == 0 &&
	       strcmp(ca, cb) == 0;
}

/* ---- checks of the whole command line before a subcommand runs --------------------------- */
enum { ARG_IN = 1, ARG_OUT = 2, ARG_VAL = 3 };

static int arg_kind(const char *sub, const char *flag)
{
	static const char *const ins[] = {"--net", "--inputs", "--config", NULL};
	static const char *const outs[] = {"--out", "--report", "--record", "--waves", "--netlist", NULL};
	static const char *const vals[] = {"--seed", "--backend", "--batch", "--rows", "--cols",
					   "--max-polls", "--out-dir", NULL};

	for (int i = 0; ins[i] != NULL; i++)
		if (strcmp(flag, ins[i]) == 0)
			return ARG_IN;
	for (int i = 0; outs[i] != NULL; i++)
		if (strcmp(flag, outs[i]) == 0)
			return ARG_OUT;
	if (strcmp(flag, "--json") == 0 && strcmp(sub, "spice") == 0)
		return ARG_OUT;
	for (int i = 0; vals[i] != NULL; i++)
		if (strcmp(flag, vals[i]) == 0)
			return ARG_VAL;
	return 0;
}

#define MAX_FILE_ARGS 16

int cli_precheck(int argc, char **argv)
{
	const char *sub = argv[0], *flag[MAX_FILE_ARGS], *val[MAX_FILE_ARGS];
	const char *batch = NULL, *config = NULL;
	int kind[MAX_FILE_ARGS], n = 0;
	char cfgpath[PATH_MAX];

	/* config takes its file as an operand and writes nothing; its loader names a directory */
	if (strcmp(sub, "config") == 0)
		return 0;
	for (int i = 1; i + 1 < argc; i++) {
		int k = arg_kind(sub, argv[i]);

		if (k == 0)
			continue;
		for (int j = 0; j < n; j++)
			if (strcmp(flag[j], argv[i]) == 0)
				return cli_usage_error(sub, "%s given twice ('%s' and '%s'): give it once",
						       argv[i], val[j], argv[i + 1]);
		if (n == MAX_FILE_ARGS)
			break;
		flag[n] = argv[i];
		val[n] = argv[i + 1];
		/* the replay back-end reads its result log: an input like --net */
		if (strcmp(argv[i], "--backend") == 0 &&
		    strncmp(val[n], REPLAY_PREFIX, strlen(REPLAY_PREFIX)) == 0 &&
		    val[n][strlen(REPLAY_PREFIX)] != '\0') {
			val[n] += strlen(REPLAY_PREFIX);
			k = ARG_IN;
		}
		kind[n++] = k;
		if (strcmp(argv[i], "--batch") == 0)
			batch = argv[i + 1];
		if (strcmp(argv[i], "--config") == 0)
			config = argv[i + 1];
		i++;
	}
	for (int j = 0; j < n; j++) {
		struct stat st;

		if (kind[j] == ARG_VAL)
			continue;
		/* a bare config name is looked up under configs/: compare that file */
		if (strcmp(flag[j], "--config") == 0 && strchr(val[j], '/') == NULL &&
		    (strlen(val[j]) < 4 || strcmp(val[j] + strlen(val[j]) - 4, ".cfg") != 0)) {
			snprintf(cfgpath, sizeof(cfgpath), "configs/%s.cfg", val[j]);
			val[j] = cfgpath;
			continue; /* a name is not a directory given by mistake */
		}
		/* selftest --net names the folder of its digits network files */
		if (kind[j] == ARG_IN && strcmp(sub, "selftest") == 0 && strcmp(flag[j], "--net") == 0)
			continue;
		if (stat(val[j], &st) == 0 && S_ISDIR(st.st_mode))
			return cli_usage_error(sub, "%s: '%s' is a directory, not a file", flag[j], val[j]);
	}
	/* an output that is an input (or another output) would be overwritten: refuse before
	 * anything is opened for writing */
	for (int j = 0; j < n; j++) {
		struct stat st;

		/* /dev/null twice, or a FIFO, is fine: only regular files are replaced */
		if (kind[j] != ARG_OUT || (stat(val[j], &st) == 0 && !S_ISREG(st.st_mode)))
			continue;
		for (int i = 0; i < n; i++) {
			if (i == j || kind[i] == ARG_VAL || (kind[i] == ARG_OUT && i > j))
				continue;
			if (cli_same_file(val[j], val[i]))
				return cli_usage_error(sub, "%s '%s' is the same file as %s '%s': refusing "
						       "to overwrite it", flag[j], val[j], flag[i], val[i]);
		}
	}
	/* --batch above acc_slots used to be clamped without a word (aimc_plan_compile) */
	if (batch != NULL && config != NULL && (strcmp(sub, "run") == 0 || strcmp(sub, "compile") == 0)) {
		aimc_cfg cfg;
		char err[512];
		char *end;
		unsigned long b;

		errno = 0;
		b = strtoul(batch, &end, 10);
		if (errno == 0 && *end == '\0' && batch[0] >= '0' && batch[0] <= '9' &&
		    aimc_cfg_load_in(&cfg, config, getenv("AIMC_ROOT"), err, sizeof(err)) == AIMC_OK &&
		    b > cfg.acc_slots)
			return cli_usage_error(sub, "--batch %lu is above the config's acc_slots (%u, config "
					       "%s): each vector of a batch needs an accumulator slot",
					       b, cfg.acc_slots, cfg.name);
	}
	return 0;
}
