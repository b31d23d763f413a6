/* SPDX-License-Identifier: Apache-2.0 */
/* Trace recorder: the exact text of docs/trace-format.md for reads, writes, polls (matched and
 * timed out), bus errors, the header and the final E line; ownership of the inner back-end. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc.h"
#include "aimc_regs.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))

static int failures;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld, got %lld (seed none)\n", name, exp, got);
		failures++;
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc((size_t)n + 1, 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(void)
{
	aimc_mmio inner, rec;
	aimc_cfg cfg;
	char path[128];
	char err[256];
	uint32_t v;
	char *text;
	/* written by hand from docs/trace-format.md */
	const char *expected =
		"# kirchhoff-trace v1 config=tiny seed=18446744073709551615\n"
		"R 00000000 41494d43\n"
		"W 00000024 deadbeef\n"
		"R 00000024 deadbeef\n"
		"P 0000000c 00000001 00000000 100\n"
		"P 0000000c 00000001 00000000 3\n"
		"R 00000028 00000000\n"
		"W 00000028 00000001\n"
		"E\n";

	if (aimc_cfg_load(&cfg, "configs/tiny.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load_tiny_cfg: %s (seed none)\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "/tmp/aimc_test_recorder_%ld.trace", (long)getpid());

	aimc_mmio_open_mock(&inner);
	check("rec_null_inner", AIMC_EINVAL, aimc_mmio_open_recorder(&rec, NULL, path, &cfg, 1));
	check("rec_null_path", AIMC_EINVAL, aimc_mmio_open_recorder(&rec, &inner, NULL, &cfg, 1));
	check("rec_null_cfg", AIMC_EINVAL, aimc_mmio_open_recorder(&rec, &inner, path, NULL, 1));
	check("rec_bad_path", AIMC_EIO,
	      aimc_mmio_open_recorder(&rec, &inner, "/nonexistent-dir/x.trace", &cfg, 1));
	check("rec_failed_open_keeps_inner", 1, inner.ops != NULL);

	aimc_mmio_mock_poke(&inner, CSR(id), 0x41494d43u);
	aimc_mmio_mock_poke(&inner, CSR(status), 0x2);
	aimc_mmio_mock_fail(&inner, 0x28);
	check("rec_open", AIMC_OK, aimc_mmio_open_recorder(&rec, &inner, path, &cfg, UINT64_MAX));
	check("rec_takes_inner", 1, inner.ops == NULL && inner.ctx == NULL);

	check("rec_read", AIMC_OK, aimc_mmio_read32(&rec, CSR(id), &v));
	check("rec_read_value", 0x41494d43ll, v);
	check("rec_write", AIMC_OK, aimc_mmio_write32(&rec, CSR(scratch), 0xdeadbeefu));
	check("rec_read_back", AIMC_OK, aimc_mmio_read32(&rec, CSR(scratch), &v));
	check("rec_poll_match", AIMC_OK, aimc_mmio_poll32(&rec, CSR(status), 1, 0, 100, &v));
	check("rec_mock_api_refused", AIMC_EINVAL, aimc_mmio_mock_poke(&rec, CSR(status), 1));
	check("rec_poll_budget_3", AIMC_OK, aimc_mmio_poll32(&rec, CSR(status), 1, 0, 3, &v));
	check("rec_read_bus_error", AIMC_EBUS, aimc_mmio_read32(&rec, 0x28, &v));
	check("rec_read_bus_error_data", 0, v);
	check("rec_write_bus_error", AIMC_EBUS, aimc_mmio_write32(&rec, 0x28, 1));
	check("rec_misaligned_not_recorded", AIMC_EINVAL, aimc_mmio_write32(&rec, 0x2a, 1));
	aimc_mmio_close(&rec);

	text = slurp(path);
	check("rec_file_readable", 1, text != NULL);
	if (text != NULL) {
		int same = strcmp(text, expected) == 0;

		if (!same)
			printf("--- got:\n%s--- expected:\n%s", text, expected);
		check("rec_exact_text", 1, same);
		free(text);
	}

	/* a poll that times out on the inner back-end is traced and returns AIMC_ETIMEOUT */
	aimc_mmio_open_mock(&inner);
	aimc_mmio_mock_poke(&inner, CSR(status), 0x1);
	check("rec_open2", AIMC_OK, aimc_mmio_open_recorder(&rec, &inner, path, &cfg, 7));
	check("rec_poll_timeout_rc", AIMC_ETIMEOUT,
	      aimc_mmio_poll32(&rec, CSR(status), 1, 0, 4, &v));
	check("rec_poll_timeout_last", 1, v);
	aimc_mmio_close(&rec);
	text = slurp(path);
	check("rec_timeout_text", 0,
	      text == NULL ? -1
			   : strcmp(text, "# kirchhoff-trace v1 config=tiny seed=7\n"
					  "P 0000000c 00000001 00000000 4\nE\n"));
	free(text);
	remove(path);
	return failures ? 1 : 0;
}
