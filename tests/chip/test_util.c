/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the chip tests only (chip_test.h): check lines and tallies, the argument loop of the
 * tests that take only back-end flags, and the fit check of layer-test. Moved out of the product
 * CLI (sw/tools/aimc/cli_util.c) unchanged. */
#include <stdarg.h>
#include <stdio.h>

#include "chip_test.h"

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

int cli_layer_fits(const char *cmd, const aimc_cfg *cfg, uint32_t k, uint32_t n)
{
	uint64_t blocks, words;

	if (cfg->rows == 0 || cfg->cols == 0)
		return 0;
	blocks = (uint64_t)((k + cfg->rows - 1) / cfg->rows) * ((n + cfg->cols - 1) / cfg->cols);
	words = blocks * aimc_wgt_blk_words(cfg);
	if (words <= cfg->wgt_depth)
		return 0;
	cli_errorf(cmd, "config %s: a %u x %u layer does not fit: its weights need %llu words (%llu "
		   "blocks of %ux%u), the weight buffer has %u", cfg->name, k, n,
		   (unsigned long long)words, (unsigned long long)blocks, cfg->rows, cfg->cols,
		   cfg->wgt_depth);
	return -1;
}
