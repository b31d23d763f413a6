/* SPDX-License-Identifier: Apache-2.0 */
/* aimc forward: the reference forward pass of a network file in plain C, no chip and no analog
 * model: aimc_net_forward for versions 1 and 2 (the ideal int8 chip), aimc_graph_forward for
 * version 3 (TFLite's reference-kernel integer arithmetic). The reference an exported or imported
 * network is checked against. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CMD "forward"

static void help(void)
{
	printf("usage: aimc forward --net F.khnf --inputs X.i8 --out Y.i8\n\n"
	       "The reference forward pass in plain C over every input vector of X.i8 (raw int8,\n"
	       "n x n_inputs); writes Y.i8 (raw int8, n x n_classes). Versions 1 and 2: the ideal\n"
	       "int8 chip of docs/numbers.md (exact accumulators, post-processing, convolutions as\n"
	       "im2col). Version 3 (imported TFLite graphs): TFLite's reference kernels in integer\n"
	       "arithmetic (docs/models.md).\n\n"
	       "Exit: 0 done, 1 the forward pass failed, 2 usage or input error.\n");
}

/* The network in either form. */
typedef struct fwd_net {
	uint32_t version;
	aimc_net net;
	aimc_graph graph;
	uint32_t in_len, out_len, n_parts;
} fwd_net;

static int load_any(const char *path, fwd_net *f)
{
	char err[512];
	int rc;

	memset(f, 0, sizeof(*f));
	rc = aimc_netfile_version(path, &f->version, err, sizeof(err));
	if (rc == AIMC_OK && f->version == 3) {
		rc = aimc_graph_load(&f->graph, path, err, sizeof(err));
		if (rc == AIMC_OK) {
			f->in_len = aimc_tensor_len(&f->graph.tensors[0]);
			f->out_len = aimc_tensor_len(
				&f->graph.tensors[f->graph.nodes[f->graph.n_nodes - 1].out]);
			f->n_parts = f->graph.n_nodes;
		}
	} else if (rc == AIMC_OK) {
		rc = aimc_net_load(&f->net, path, err, sizeof(err));
		if (rc == AIMC_OK) {
			f->in_len = aimc_layer_in_len(&f->net.layers[0]);
			f->out_len = f->net.n_classes;
			f->n_parts = f->net.n_layers;
		}
	}
	if (rc != AIMC_OK)
		cli_errorf(CMD, "--net: %s (%s)", err, aimc_strerror(rc));
	return rc;
}

static void free_any(fwd_net *f)
{
	aimc_net_free(&f->net);
	aimc_graph_free(&f->graph);
}

int cli_cmd_forward(int argc, char **argv)
{
	const char *netp = NULL, *inp = NULL, *outp = NULL;
	fwd_net fn;
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
	if (load_any(netp, &fn) != AIMC_OK)
		return CLI_EXIT_USAGE;
	k = fn.in_len;
	n = fn.out_len;
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
	if (fn.version == 3)
		rc = aimc_graph_forward(&fn.graph, x, samples, y);
	else
		rc = aimc_net_forward(&fn.net, x, samples, y);
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "forward pass: %s", aimc_strerror(rc));
		exit_code = CLI_EXIT_FAIL;
		goto out;
	}
	if (cli_write_file(CMD, "--out", outp, y, samples * n) != 0) {
		exit_code = CLI_EXIT_FAIL;
		goto out;
	}
	printf("forward: %zu samples of %s (version %u, %u %s), wrote %s\n", samples, netp,
	       fn.version, fn.n_parts, fn.version == 3 ? "nodes" : "layers", outp);
	exit_code = CLI_EXIT_PASS;
out:
	if (f != NULL)
		fclose(f);
	free(x);
	free(y);
	free_any(&fn);
	return exit_code;
}
