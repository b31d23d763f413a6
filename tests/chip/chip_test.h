/* SPDX-License-Identifier: Apache-2.0 */
/* The chip tests of aimc-test (tests/chip): their subcommands and the helpers only they use. They
 * link the product CLI's helpers (sw/tools/aimc/cli.h) and the test support library
 * (libaimc_test.a: these helpers and the OpenBLAS golden checks of tb/golden). */
#ifndef AIMC_CHIP_TEST_H
#define AIMC_CHIP_TEST_H

#include <stdint.h>

#include "cli.h"

/* The check lines of the test subcommands: "PASS name" or "FAIL name: detail", and "SKIP name: why";
 * counts kept. rerun, when set, is printed under every FAIL line. */
typedef struct cli_tally {
	unsigned pass, fail, skipped;
	const char *rerun;
} cli_tally;

void cli_check(cli_tally *t, int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cli_skip(cli_tally *t, const char *name, const char *why);

/* Arguments of a command that takes only the back-end flags and --help: 0 to run, 1 after --help
 * (help() printed), -1 on a usage error (already reported). */
int cli_backend_only_args(const char *cmd, int argc, char **argv, cli_backend_opts *o, void (*help)(void));

/* 0 if a k x n FC layer's weight blocks fit cfg's weight buffer, else -1 with "does not fit"
 * printed (the compiler has the final word; this only refuses before allocating k x n bytes). */
int cli_layer_fits(const char *cmd, const aimc_cfg *cfg, uint32_t k, uint32_t n);

/* Subcommands of aimc-test: argc/argv start at the subcommand's name. */
int cli_cmd_layer_test(int argc, char **argv);
int cli_cmd_csr_test(int argc, char **argv);
int cli_cmd_bridge_test(int argc, char **argv);
int cli_cmd_illegal_test(int argc, char **argv);
int cli_cmd_pv_test(int argc, char **argv);
int cli_cmd_err_test(int argc, char **argv);
int cli_cmd_pipeline_test(int argc, char **argv);
int cli_cmd_seq_test(int argc, char **argv);

#endif /* AIMC_CHIP_TEST_H */
