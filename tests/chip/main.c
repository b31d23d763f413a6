/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test: the chip tests of Kirchhoff, apart from the product CLI (issue 19). The same objects
 * link into build/tests/aimc-test (C model, replay, uart/serial, devmem back-ends), aimc-test-vl (with
 * the Verilator model of a config) and aimc-test-uart-vl (with the simulated board). */
#include <stdio.h>
#include <string.h>

#include "chip_test.h"

typedef struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} subcommand;

static const subcommand subcommands[] = {
	{ "layer-test", cli_cmd_layer_test,
	  "one random int8 FC layer on a back-end, checked vs OpenBLAS (L1) and the C model (L0)" },
	{ "csr-test", cli_cmd_csr_test, "register and memory-window checks on a back-end" },
	{ "illegal-test", cli_cmd_illegal_test,
	  "provoke every chip error, then run a good program without reset" },
	{ "pipeline-test", cli_cmd_pipeline_test,
	  "two layers pipelined on two tiles vs layer after layer on one: outputs, L0, cycle ratio" },
	{ "seq-test", cli_cmd_seq_test,
	  "multi-tile sequencer programs: WAIT, COPY, JUMP, LOOP, TILE_CONFLICT, concurrency" },
	{ "pv-test", cli_cmd_pv_test,
	  "program-and-verify: convergence, budget, PV_FAIL stop and recovery, counters" },
	{ "err-test", cli_cmd_err_test,
	  "saturation, watchdog, bus errors, soft reset and the per-tile counters" },
	{ "bridge-test", cli_cmd_bridge_test,
	  "UART bridge protocol: good and malformed frames (back-end uart-sim or serial)" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: aimc-test <test> [options]   ('aimc-test <test> --help' for its options)\n\n"
		   "the chip tests (tests/chip; the product CLI is aimc):\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nbuilds: build/tests/aimc-test (no simulator), build/<config>/vl/aimc-test-vl (Verilator\n"
		   "model, make vl), build/<config>/uart/aimc-test-uart-vl (simulated board, make uart-vl)\n");
	fprintf(f, "\nevery test takes --time T: the time since programming (config key drift_time;\n"
		   "units s, min, h, d, y)\n");
	fprintf(f, "\nexit status: 0 pass, 1 fail, 2 usage or input error\n");
}

int main(int argc, char **argv)
{
	size_t i;

	cli_prog = "aimc-test";
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
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
	fprintf(stderr, "aimc-test: unknown test '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
