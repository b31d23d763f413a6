/* SPDX-License-Identifier: Apache-2.0 */
/* Shared check helpers of the C unit tests: one PASS/FAIL line per check with the seed, and the
 * common command line (--seed N). Each test program includes this once. */
#ifndef AIMC_TEST_H
#define AIMC_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t seed = 1;
static int failures;

static void report(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (seed %" PRIu64 ")\n", seed);
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			char *end;

			seed = strtoull(argv[++i], &end, 0);
			if (*end != '\0') {
				fprintf(stderr, "bad --seed '%s'\n", argv[i]);
				exit(2);
			}
		} else {
			fprintf(stderr, "usage: %s [--seed N]\n", argv[0]);
			exit(2);
		}
	}
	printf("# %s --seed %" PRIu64 "\n", argv[0], seed);
}

#endif /* AIMC_TEST_H */
