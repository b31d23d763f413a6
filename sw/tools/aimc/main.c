/* SPDX-License-Identifier: Apache-2.0 */
/* aimc: command-line front end of the Kirchhoff driver (config, run, compile, info, forward,
 * calibrate, selftest, trace-compare, spice). The same objects link into build/sw/aimc and aimc-vl.
 * The chip tests are apart, in aimc-test (tests/chip). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} subcommand;

static const subcommand subcommands[] = {
	{ "config", cli_cmd_config, "print or check a chip config (RTL parameters, JSON)" },
	{ "run", cli_cmd_run, "run a network file over an input file, write the outputs" },
	{ "compile", cli_cmd_compile,
	  "map a network onto a config: placement summary, chip images, 'does not fit' errors" },
	{ "info", cli_cmd_info, "the chip on a back-end: identity, counters; placement of a network" },
	{ "forward", cli_cmd_forward,
	  "the ideal int8 forward pass of a network file in plain C (no chip)" },
	{ "calibrate", cli_cmd_calibrate,
	  "fit adc_shift per layer and per-column gain/offset on the chip, write the network" },
	{ "selftest", cli_cmd_selftest,
	  "bring-up self-test: CSRs, SRAM march, known-answer MVM per tile, digits end to end" },
	{ "trace-compare", cli_cmd_trace_compare,
	  "compare the reads of a recorded trace with a trace player's result log" },
	{ "spice", cli_cmd_spice,
	  "one random tile as an ngspice netlist, and the C model's IR-drop currents as JSON" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

/* The chip tests that were subcommands here until issue 19: named so that an old command line
 * gets told where they went. */
static const char *const moved_tests[] = {
	"layer-test", "csr-test", "illegal-test", "pipeline-test", "seq-test", "pv-test", "err-test",
	"bridge-test",
};

#define N_MOVED_TESTS (sizeof(moved_tests) / sizeof(moved_tests[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: aimc <command> [options]   ('aimc <command> --help' for its options)\n\n"
		   "       aimc --version\n\ncommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nevery command that loads a config also takes --time T: the time since programming\n"
		   "(config key drift_time; units s, min, h, d, y: 1s, 1h, 1d, 1y)\n");
	fprintf(f, "\nexit status: 0 pass, 1 fail, 2 usage or input error\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_PASS;
	}
	if (strcmp(argv[1], "--version") == 0) {
		uint32_t v = aimc_version();

		printf("aimc %u.%u (ISA %u)\n", (unsigned)(v >> 8 & 0xffu), (unsigned)(v & 0xffu),
		       (unsigned)(v >> 16 & 0xffu));
		return CLI_EXIT_PASS;
	}
	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (strcmp(argv[1], subcommands[i].name) == 0) {
			int rc = cli_take_time(argv[1], &argc, argv);

			if (rc != 0)
				return rc;
			rc = cli_precheck(argc - 1, argv + 1);

			return rc != 0 ? rc : subcommands[i].fn(argc - 1, argv + 1);
		}
	for (i = 0; i < N_MOVED_TESTS; i++)
		if (strcmp(argv[1], moved_tests[i]) == 0) {
			fprintf(stderr,
				"aimc: '%s' is a chip test, not a command of the product CLI: run it with\n"
				"aimc-test (build/tests/aimc-test %s ..., or build/<config>/vl/aimc-test-vl with the\n"
				"Verilator model; 'aimc-test --help' lists the tests)\n",
				argv[1], argv[1]);
			return CLI_EXIT_USAGE;
		}
	fprintf(stderr, "aimc: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
