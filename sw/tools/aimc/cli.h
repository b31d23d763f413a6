/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the subcommands of the `aimc` CLI (and linked by the chip-test runner
 * aimc-test, tests/chip): strict flag parsing, back-end opening, loading a compiled image onto a
 * chip, and a small JSON writer for reports. */
#ifndef AIMC_CLI_H
#define AIMC_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "aimc.h"

/* Exit codes of every subcommand. */
#define CLI_EXIT_PASS 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* ---- flag parsing: every helper prints its message (naming the subcommand and the flag) ---- */
/* The value of flag argv[*i]: advances *i; NULL (message printed) if it is missing. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i);
/* Decimal unsigned integer in [min, max]; 0, or -1 with a message. */
int cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out);
int cli_parse_u32(const char *cmd, const char *flag, const char *s, uint32_t min, uint32_t max,
		  uint32_t *out);
/* The program named in messages: "aimc" (the product), "aimc-test" (the chip tests, tests/chip);
 * its Verilator builds are named after it (<prog>-vl, <prog>-uart-vl). */
extern const char *cli_prog;
/* Message "aimc CMD: ..." on stderr. */
void cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message, "see 'aimc CMD --help'", returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- back-ends -------------------------------------------------------------------------- */
typedef struct cli_backend_opts {
	const char *config;   /* --config CFG (required) */
	uint64_t seed;        /* --seed N (default 1) */
	const char *backend;  /* --backend cmodel|verilator|replay:<log> (default cmodel) */
	const char *record;   /* --record <trace> or NULL */
	const char *waves;    /* --waves <fst> or NULL */
	uint32_t max_polls;   /* --max-polls N; 0 = derived from the program */
	int backdoor;         /* --backdoor: buffer loads straight into the Verilator model's SRAMs */
} cli_backend_opts;

#define CLI_BACKEND_HELP                                                                        \
	"  --config CFG          chip config: a name (configs/<name>.cfg) or a path (required)\n" \
	"  --seed N              seed of the analog model and of any generated stimulus (default 1)\n" \
	"  --backend B           cmodel | verilator | replay:<result log> | uart-sim (simulated\n" \
	"                        board, aimc-uart-vl) | serial:<tty>[@baud] (board, default\n"   \
	"                        115200) | devmem:<file>[@offset] (mmap) (default cmodel)\n"     \
	"  --record TRACE        also record every bus op to TRACE (docs/trace-format.md)\n"     \
	"  --waves FST           write an FST waveform (verilator and uart-sim back-ends; the\n"  \
	"                        Verilator model must be the trace build: make vl WAVES=1)\n"     \
	"  --backdoor            load buffers (program, inputs, parameters, weights) straight\n"  \
	"                        into the Verilator model's SRAMs, no bus cycles (simulation only;\n" \
	"                        --record still records them as bus writes)\n"                     \
	"  --max-polls N         status polls before a run times out (default: from the program)\n"

void cli_backend_defaults(cli_backend_opts *o);
/* If argv[*i] is a back-end flag, consume it (and its value): 1; not one: 0; bad value: -1. */
int cli_backend_flag(const char *cmd, cli_backend_opts *o, int argc, char **argv, int *i);
/* Check the options together (config given, waves only with verilator, back-end name known). */
int cli_backend_check(const char *cmd, const cli_backend_opts *o);
/* Kind of the back-end: "cmodel", "verilator", "replay", "uart-sim", "serial" or "devmem". */
/* One step of a subcommand's option loop over argv[*i]: a back-end flag (consumed with its value:
 * CLI_OPT_NEXT), --help or -h (help() printed: CLI_OPT_HELP), one of the NULL-terminated `valued`
 * options (its value in *v, *i advanced: CLI_OPT_VALUE); anything else is a usage error (-1). */
enum { CLI_OPT_VALUE = 0, CLI_OPT_NEXT = 1, CLI_OPT_HELP = 2 };
int cli_option(const char *cmd, cli_backend_opts *be, int argc, char **argv, int *i,
	       const char *const *valued, void (*help)(void), const char **v);
const char *cli_backend_kind(const cli_backend_opts *o);
/* Open the chosen back-end (wrapped in the recorder with --record). AIMC_OK or an error code,
 * with a message printed. */
int cli_backend_open(const char *cmd, const cli_backend_opts *o, const aimc_cfg *cfg, aimc_mmio *m);
/* Close m; for the replay back-end first check that the whole log was consumed (and return its
 * final cycle count in *sim_cycles if not NULL). AIMC_OK or the replay's error, printed. */
int cli_backend_close(const char *cmd, const cli_backend_opts *o, aimc_mmio *m,
		      uint64_t *sim_cycles);
/* Print a driver error, with the replay back-end's mismatch detail when there is one. */
void cli_report_rc(const char *cmd, const aimc_mmio *m, const char *what, int rc);

/* Parse "serial:<device>[@baud]" / "devmem:<file>[@offset]": 0, or -1 if malformed. */
int cli_serial_spec(const char *spec, char *dev, size_t devlen, uint32_t *baud);
int cli_devmem_spec(const char *spec, char *dev, size_t devlen, uint64_t *off);

/* Load a chip config; 0, or -1 with the parser's message printed. */
int cli_load_config(const char *cmd, const char *path, aimc_cfg *cfg);

/* --time T (issue 18): removes every "--time T" pair from argv[2..] (argv[1] is the command) and
 * keeps T (aimc_cfg_parse_seconds) for cli_load_config, which sets drift_time to it. Returns 0, or
 * CLI_EXIT_USAGE after a message for a value that is not a time or a second --time. */
int cli_take_time(const char *cmd, int *argc, char **argv);

/* ---- images on a chip ------------------------------------------------------------------- */
/* Window base addresses and CSR addresses, from the generated map. */
uint32_t cli_win_instr(void);
uint32_t cli_win_act_in(void);
uint32_t cli_win_act_out(void);
uint32_t cli_win_param(void);
uint32_t cli_win_weight(void);

/* A generous bound on the status polls of one run of img (at least one clock per poll). */
uint32_t cli_max_polls(const aimc_cfg *cfg, const aimc_image *img);

/* aimc_chip_init, then write the weights, parameters and program and zero the activation
 * buffers [0, act_words); with a setup program (img->run_pc > 0) run it once (AIMC_ECHIP if the
 * chip stops on an error). */
int cli_image_load(aimc_mmio *m, const aimc_cfg *cfg, const aimc_image *img);
/* One batch: write img->batch input vectors x (batch x k int8, row-major), run, read the outputs
 * y (batch x n int8) and, if raw is not NULL, the RAW int32 results (batch x n). *chip_err and
 * *chip_pc are filled on AIMC_ECHIP. */
int cli_image_run(aimc_mmio *m, const aimc_image *img, const int8_t *x, uint32_t k, int8_t *y,
		  uint32_t n, int32_t *raw, uint32_t max_polls, uint32_t *chip_err,
		  uint32_t *chip_pc);

/* ---- execution plans (networks with convolutions, aimc_plan) --------------------------- */
#define CLI_PLAN_MAX_SEG 64
typedef struct cli_plan_stats {
	uint64_t runs[CLI_PLAN_MAX_SEG];        /* chip runs (batches) per segment */
	uint64_t vectors_run[CLI_PLAN_MAX_SEG]; /* vectors the chip ran, padding included */
	/* On a chip with cut counters (config counter_bits < 32) they would wrap over a long run:
	 * they are read after every chip run (image setup, batch) and the deltas summed here;
	 * counted is then 1 (0: read the counters around the whole run as before). */
	aimc_counters counters;
	int counted;
} cli_plan_stats;
/* Run samples input vectors x (samples x n_inputs) through every segment of plan on m: each
 * segment's image is loaded once and runs every vector (im2col patches for a convolution) in
 * batches; y gets samples x n_classes. raw (if not NULL, with a plan compiled with
 * AIMC_COMPILE_RAW) gets the last segment's RAW int32 results, samples*P x N. max_polls 0: from
 * each image. st (optional) counts runs. */
int cli_plan_run(aimc_mmio *m, const aimc_cfg *cfg, const aimc_net *net, const aimc_plan *plan,
		 const int8_t *x, uint64_t samples, int8_t *y, int32_t *raw, uint32_t max_polls,
		 cli_plan_stats *st, uint32_t *chip_err, uint32_t *chip_pc);

/* ---- version-3 graphs (aimc_graph, aimc_gplan) -------------------------------------------- */
/* The file's format version (1, 2, 3); 0, or -1 with a message. */
int cli_net_version(const char *cmd, const char *path, uint32_t *version);
/* aimc_graph_load; 0, or -1 with a message. */
int cli_graph_load(const char *cmd, const char *path, aimc_graph *g);

/* ---- JSON reports ------------------------------------------------------------------------ */
typedef struct cli_json {
	FILE *f;
	int depth;
	int need_comma[16];
} cli_json;

void cli_json_begin(cli_json *j, FILE *f); /* opens the top-level object */
int cli_json_end(cli_json *j);             /* closes it; 0, or -1 on a write error */
void cli_json_obj(cli_json *j, const char *key);
void cli_json_obj_end(cli_json *j);
void cli_json_str(cli_json *j, const char *key, const char *v);
void cli_json_u64(cli_json *j, const char *key, uint64_t v);
void cli_json_i64(cli_json *j, const char *key, int64_t v);
void cli_json_f64(cli_json *j, const char *key, double v);
void cli_json_bool(cli_json *j, const char *key, int v);
void cli_json_null(cli_json *j, const char *key);
void cli_json_counters(cli_json *j, const char *key, const aimc_counters *c);
/* One line per tile: "<prefix>:   tile t: busy .. idle .. mvms .. reads .. adc .. sats .. stalls". */
void cli_print_tile_counters(const char *prefix, const aimc_counters *c);
/* Write a report file; 0, or -1 with a message printed. The writer fills the object. */
int cli_json_write_file(const char *cmd, const char *path, void (*fill)(cli_json *, void *),
			void *arg);

/* Per node: op, shape, tiles used, array utilization, batching (and with st its cycles per
 * inference); then the totals. */
void cli_graph_print(const char *prefix, const aimc_graph *g, const aimc_cfg *cfg,
		     const aimc_gplan *p, const aimc_grun_stats *st);
/* The placement (and with st the counters per node) into the current JSON object. */
void cli_graph_json(cli_json *j, const aimc_graph *g, const aimc_cfg *cfg, const aimc_gplan *p,
		    const aimc_grun_stats *st);

/* ---- output files (issue 16: nothing lost) --------------------------------------------------
 * Every file the CLI writes goes to a temporary file in the destination's folder, is flushed and
 * fsync'ed, then renamed over the destination: a failed or interrupted command leaves the previous
 * file as it was (temporaries not committed are removed at exit). */
typedef struct cli_out {
	FILE *f;           /* write here (NULL after commit/abort, or if the caller closed it to let
			    * a library function write tmp by name) */
	const char *what;  /* "--out", "report", ...: names the file in messages */
	char path[4096];   /* destination */
	char tmp[4096];    /* the temporary beside it */
} cli_out;
/* Create the temporary beside path; 0, or -1 with a message (path a directory, folder missing). */
int cli_out_open(const char *cmd, const char *what, const char *path, cli_out *o);
/* Flush, fsync, close, rename into place; 0, or -1 with the OS reason printed (the temporary is
 * removed, the destination untouched). */
int cli_out_commit(const char *cmd, cli_out *o);
/* Drop the temporary; the destination is untouched. */
void cli_out_abort(cli_out *o);
/* The three at once for a buffer of n bytes; 0 or -1 (printed). */
int cli_write_file(const char *cmd, const char *what, const char *path, const void *buf, size_t n);
/* 1 if a and b are the same file: the same path, the same device and inode, or (not existing yet)
 * the same name in the same folder. */
int cli_same_file(const char *a, const char *b);
/* Checks of a subcommand's whole command line before it runs (argv[0] is the subcommand): a file
 * flag given twice, an input or output that is a directory, an output that is the same file as
 * an input or another output, --batch above the config's acc_slots. 0, or CLI_EXIT_USAGE with the
 * message printed. */
int cli_precheck(int argc, char **argv);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* The --inputs file of run and calibrate, read whole: a whole number (>= 1) of vectors of k bytes.
 * 0 with *x (malloc'd) and *samples set, or -1 after an error message. */
int cli_read_inputs(const char *cmd, const char *path, uint32_t k, int8_t **x, uint64_t *samples);


/* Subcommands: argc/argv start at the subcommand's name. */
int cli_cmd_config(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_calibrate(int argc, char **argv);
int cli_cmd_forward(int argc, char **argv);
int cli_cmd_compile(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_selftest(int argc, char **argv);
int cli_cmd_trace_compare(int argc, char **argv);
int cli_cmd_spice(int argc, char **argv);

#endif /* AIMC_CLI_H */
