/* SPDX-License-Identifier: Apache-2.0 */
/* aimc forward: the ideal int8 forward pass of a network file in plain C (aimc_net_forward), no
 * chip and no analog model: the reference an exported network is checked against. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CMD "forward"

static void help(void)
{
	printf("usage: aimc forward --net F.khnf --inputs X.i8 --out Y.i8\n\n"
	       "The ideal int8 chip of docs/numbers.md (exact accumulators, post-processing,\n"
	       "convolutions as im2col) in plain C over every input vector of X.i8 (raw int8,\n"
	       "n x n_inputs); writes Y.i8 (raw int8, n x n_classes).\n\n"
	       "Exit: 0 done, 2 usage or input error.\n");
}

int cli_cmd_forward(int argc, char **argv)
{
	const char *netp = NULL, *inp = NULL, *outp = NULL;
	aimc_net net;
	char err[512];
	int8_t *x = NULL, *y = NULL;
	FILE *f = NULL;
	long sz;
	uint32_t k, n;
	size_t samples;
	int i, rc, exit_code = CLI_EXIT_USAGE;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help();
			return CLI_EXIT_PASS;
		}
		if (strcmp(a, "--net") != 0 && strcmp(a, "--inputs") != 0 && strcmp(a, "--out") != 0)
			return cli_usage_error(CMD, "unknown option '%s'", a);
		v = cli_value(CMD, argc, argv, &i);
		if (v == NULL)
			return CLI_EXIT_USAGE;
		if (strcmp(a, "--net") == 0)
			netp = v;
		else if (strcmp(a, "--inputs") == 0)
			inp = v;
		else
			outp = v;
	}
	if (netp == NULL || inp == NULL || outp == NULL)
		return cli_usage_error(CMD, "--net, --inputs and --out are required");
	rc = aimc_net_load(&net, netp, err, sizeof(err));
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "--net: %s (%s)", err, aimc_strerror(rc));
		return CLI_EXIT_USAGE;
	}
	k = aimc_layer_in_len(&net.layers[0]);
	n = net.n_classes;
	f = fopen(inp, "rb");
	if (f == NULL) {
		cli_errorf(CMD, "--inputs: cannot open '%s': %s", inp, strerror(errno));
		goto out;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    sz == 0 || (uint64_t)sz % k != 0) {
		cli_errorf(CMD, "--inputs: '%s' is not a whole number (>= 1) of vectors of n_inputs "
			   "= %u bytes", inp, k);
		goto out;
	}
	samples = (size_t)sz / k;
	x = malloc((size_t)sz);
	y = malloc(samples * n);
	if (x == NULL || y == NULL || fread(x, 1, (size_t)sz, f) != (size_t)sz) {
		cli_errorf(CMD, "--inputs: cannot read '%s'", inp);
		goto out;
	}
	fclose(f);
	f = NULL;
	rc = aimc_net_forward(&net, x, samples, y);
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "forward pass: %s", aimc_strerror(rc));
		exit_code = CLI_EXIT_FAIL;
		goto out;
	}
	if (cli_write_file(CMD, "--out", outp, y, samples * n) != 0) {
		exit_code = CLI_EXIT_FAIL;
		goto out;
	}
	printf("forward: %zu samples of %s (%u layers), wrote %s\n", samples, netp, net.n_layers,
	       outp);
	exit_code = CLI_EXIT_PASS;
out:
	if (f != NULL)
		fclose(f);
	free(x);
	free(y);
	aimc_net_free(&net);
	return exit_code;
}
