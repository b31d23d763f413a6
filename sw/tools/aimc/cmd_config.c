/* SPDX-License-Identifier: Apache-2.0 */
/* aimc config: print a chip config as RTL parameter flags or JSON, or check it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CMD "config"
#define OUT_BUF_BYTES 8192

static void help(void)
{
	printf("usage: aimc config --rtl-params verilator|icarus [--top NAME] CFG\n"
	       "       aimc config --json CFG\n"
	       "       aimc config --check CFG\n\n"
	       "  --rtl-params STYLE  print the RTL parameters of CFG as Verilator -G or Icarus -P flags\n"
	       "  --top NAME          top module for Icarus -P<top>.<param> (default aimc_top)\n"
	       "  --json              print every key of CFG as one JSON object\n"
	       "  --check             load CFG and report whether it is valid and ideal\n\n"
	       "CFG is a name (configs/<name>.cfg) or a path. Exit: 0 valid config, 2 invalid or\n"
	       "unloadable config (the message names the file, line and key) or usage error.\n");
}

int cli_cmd_config(int argc, char **argv)
{
	const char *mode = NULL, *style = NULL, *top = "aimc_top", *path = NULL;
	char buf[OUT_BUF_BYTES];
	aimc_cfg cfg;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help();
			return CLI_EXIT_PASS;
		} else if (strcmp(a, "--rtl-params") == 0 || strcmp(a, "--json") == 0 ||
			   strcmp(a, "--check") == 0) {
			if (mode != NULL)
				return cli_usage_error(CMD, "%s and %s exclude each other", mode, a);
			mode = a;
			if (strcmp(a, "--rtl-params") == 0) {
				style = cli_value(CMD, argc, argv, &i);
				if (style == NULL)
					return CLI_EXIT_USAGE;
				if (strcmp(style, "verilator") != 0 && strcmp(style, "icarus") != 0)
					return cli_usage_error(CMD, "--rtl-params: unknown style '%s' "
							       "(verilator, icarus)", style);
			}
		} else if (strcmp(a, "--top") == 0) {
			top = cli_value(CMD, argc, argv, &i);
			if (top == NULL)
				return CLI_EXIT_USAGE;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error(CMD, "unknown option '%s'", a);
		} else {
			if (path != NULL)
				return cli_usage_error(CMD, "one config only ('%s' and '%s')", path, a);
			path = a;
		}
	}
	if (mode == NULL)
		return cli_usage_error(CMD, "one of --rtl-params, --json, --check is required");
	if (path == NULL)
		return cli_usage_error(CMD, "missing CFG");

	if (strcmp(mode, "--check") == 0) {
		char err[512];

		if (aimc_cfg_load_in(&cfg, path, getenv("AIMC_ROOT"), err, sizeof(err)) != AIMC_OK) {
			/* a bad config is an input error, the same 2 as for every other subcommand */
			printf("FAIL %s\n", err);
			return CLI_EXIT_USAGE;
		}
		printf("ok %s: config '%s', %u tile(s) of %ux%u, %s\n", path, cfg.name, cfg.num_tiles,
		       cfg.rows, cfg.cols, aimc_cfg_is_ideal(&cfg) ? "ideal" : "not ideal");
		return CLI_EXIT_PASS;
	}
	if (cli_load_config(CMD, path, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (strcmp(mode, "--json") == 0) {
		if (aimc_cfg_to_json(&cfg, buf, sizeof(buf)) != 0) {
			cli_errorf(CMD, "JSON of '%s' does not fit %d bytes", path, OUT_BUF_BYTES);
			return CLI_EXIT_FAIL;
		}
	} else if (aimc_cfg_rtl_params(&cfg, style, top, buf, sizeof(buf)) != 0) {
		cli_errorf(CMD, "cannot write %s parameters of '%s' (top module '%s' must be an "
			   "identifier)", style, path, top);
		return CLI_EXIT_USAGE;
	}
	printf("%s\n", buf);
	return CLI_EXIT_PASS;
}
