/* SPDX-License-Identifier: Apache-2.0 */
/* Replay back-end on hand-written result logs (docs/trace-format.md): answers and AXI response
 * semantics, a whole aimc_run, and every way a log can disagree with the driver. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc.h"
#include "aimc_regs.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))

static int failures;
static char log_path[128];

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld, got %lld (seed none)\n", name, exp, got);
		failures++;
	}
}

/* The replay error must mention `want` (line number, op). */
static void check_msg(const char *name, const aimc_mmio *m, const char *want)
{
	const char *msg = aimc_mmio_replay_error(m);

	if (msg != NULL && strstr(msg, want) != NULL) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected a message containing '%s', got '%s' (seed none)\n", name,
		       want, msg ? msg : "(null)");
		failures++;
	}
}

static int open_log(aimc_mmio *m, const char *text)
{
	FILE *f = fopen(log_path, "w");

	if (f == NULL || fputs(text, f) < 0) {
		printf("FAIL write_log: cannot write %s (seed none)\n", log_path);
		exit(1);
	}
	fclose(f);
	return aimc_mmio_open_replay(m, log_path);
}

static void test_answers(void)
{
	aimc_mmio m;
	uint32_t v;
	uint64_t cyc = 0;

	check("replay_open", AIMC_OK,
	      open_log(&m, "R 00000000 41494d43 0\n"
			   "# a comment line is skipped\n"
			   "R 00000028 12345678 2\n"
			   "R 00300000 12345678 3\n"
			   "W 00000024 0\n"
			   "W 00000004 2\n"
			   "P 0000000c 00000002 3 1\n"
			   "P 0000000c 00000001 5 0\n"
			   "C 123456789012\n"));
	check("replay_read", AIMC_OK, aimc_mmio_read32(&m, CSR(id), &v));
	check("replay_read_data", 0x41494d43ll, v);
	check("replay_read_slverr", AIMC_EBUS, aimc_mmio_read32(&m, 0x28, &v));
	check("replay_read_slverr_data0", 0, v);
	check("replay_read_decerr", AIMC_EBUS, aimc_mmio_read32(&m, 0x300000, &v));
	check("replay_write", AIMC_OK, aimc_mmio_write32(&m, CSR(scratch), 7));
	check("replay_write_slverr", AIMC_EBUS, aimc_mmio_write32(&m, CSR(version), 7));
	check("replay_poll_match", AIMC_OK, aimc_mmio_poll32(&m, CSR(status), 1, 0, 10, &v));
	check("replay_poll_match_last", 2, v);
	check("replay_poll_timeout", AIMC_ETIMEOUT, aimc_mmio_poll32(&m, CSR(status), 1, 0, 5, &v));
	check("replay_poll_timeout_last", 1, v);
	check("replay_error_empty", 0, strcmp(aimc_mmio_replay_error(&m), ""));
	check("replay_cycles", AIMC_OK, aimc_mmio_replay_cycles(&m, &cyc));
	check("replay_cycles_value", 123456789012ll, (long long)cyc);
	check("replay_cycles_again", AIMC_OK, aimc_mmio_replay_cycles(&m, &cyc));
	check("replay_op_after_end", AIMC_EMISMATCH, aimc_mmio_read32(&m, CSR(id), &v));
	check_msg("replay_op_after_end_msg", &m, "after the log's final C line");
	aimc_mmio_close(&m);
}

/* aimc_run against the log a player would write for it. */
static void test_run(void)
{
	aimc_mmio m;
	uint32_t e = 9, pc = 9;
	uint64_t cyc = 0;

	open_log(&m, "W 0000001c 0\n"
		     "R 00000008 00000200 0\n"
		     "W 00000008 0\n"
		     "P 0000000c 00000004 4 1\n"
		     "R 0000000c 00000004 0\n"
		     "R 00000014 00000003 0\n"
		     "R 00000018 00000005 0\n"
		     "R 00000010 00000002 0\n"
		     "W 00000010 0\n"
		     "C 77\n");
	check("replay_run_chip_error", AIMC_ECHIP, aimc_run(&m, 2, 100, &e, &pc));
	check("replay_run_err_code", 3, e);
	check("replay_run_err_pc", 5, pc);
	check("replay_run_fully_consumed", AIMC_OK, aimc_mmio_replay_cycles(&m, &cyc));
	check("replay_run_cycles", 77, (long long)cyc);
	aimc_mmio_close(&m);
}

static void test_mismatch(void)
{
	aimc_mmio m;
	uint32_t v;
	uint64_t cyc;

	open_log(&m, "R 00000000 41494d43 0\nR 00000004 00010001 0\nC 5\n");
	check("mm_first_ok", AIMC_OK, aimc_mmio_read32(&m, CSR(id), &v));
	check("mm_wrong_addr", AIMC_EMISMATCH, aimc_mmio_read32(&m, CSR(scratch), &v));
	check_msg("mm_wrong_addr_line", &m, ":2:");
	check_msg("mm_wrong_addr_op", &m, "driver issued R 00000024");
	check("mm_sticky", AIMC_EMISMATCH, aimc_mmio_read32(&m, CSR(version), &v));
	check_msg("mm_sticky_keeps_first", &m, ":2:");
	check("mm_sticky_cycles", AIMC_EMISMATCH, aimc_mmio_replay_cycles(&m, &cyc));
	aimc_mmio_close(&m);

	open_log(&m, "W 00000024 0\nC 5\n");
	check("mm_wrong_kind", AIMC_EMISMATCH, aimc_mmio_read32(&m, CSR(scratch), &v));
	check_msg("mm_wrong_kind_msg", &m, "log has 'W 00000024 0'");
	aimc_mmio_close(&m);

	open_log(&m, "R 00000000 41494d43 0\n");
	aimc_mmio_read32(&m, CSR(id), &v);
	check("mm_log_ends_early", AIMC_EMISMATCH, aimc_mmio_write32(&m, CSR(scratch), 1));
	check_msg("mm_log_ends_early_msg", &m, "ended early");
	aimc_mmio_close(&m);

	open_log(&m, "C 5\n");
	check("mm_op_at_c_line", AIMC_EMISMATCH, aimc_mmio_write32(&m, CSR(scratch), 1));
	check_msg("mm_op_at_c_line_msg", &m, "final C line");
	aimc_mmio_close(&m);

	open_log(&m, "R 00000000 41494d43 0\nW 00000024 0\nC 5\n");
	aimc_mmio_read32(&m, CSR(id), &v);
	check("mm_ops_left", AIMC_EMISMATCH, aimc_mmio_replay_cycles(&m, &cyc));
	check_msg("mm_ops_left_msg", &m, "left");
	aimc_mmio_close(&m);

	open_log(&m, "R 00000000 41494d43 0\n");
	aimc_mmio_read32(&m, CSR(id), &v);
	check("mm_no_c_line", AIMC_EMISMATCH, aimc_mmio_replay_cycles(&m, &cyc));
	check_msg("mm_no_c_line_msg", &m, "without its final C line");
	aimc_mmio_close(&m);

	open_log(&m, "C 5\nR 00000000 41494d43 0\n");
	check("mm_data_after_c", AIMC_EMISMATCH, aimc_mmio_replay_cycles(&m, &cyc));
	aimc_mmio_close(&m);

	/* polls: the log must be consistent with the driver's mask, value and budget */
	open_log(&m, "P 0000000c 00000001 1 1\n");
	check("mm_poll_wrong_match", AIMC_EMISMATCH,
	      aimc_mmio_poll32(&m, CSR(status), 1, 0, 10, &v));
	aimc_mmio_close(&m);
	open_log(&m, "P 0000000c 00000001 3 0\n");
	check("mm_poll_timeout_early", AIMC_EMISMATCH,
	      aimc_mmio_poll32(&m, CSR(status), 1, 0, 10, &v));
	aimc_mmio_close(&m);
	open_log(&m, "P 0000000c 00000000 11 1\n");
	check("mm_poll_over_budget", AIMC_EMISMATCH,
	      aimc_mmio_poll32(&m, CSR(status), 1, 0, 10, &v));
	aimc_mmio_close(&m);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"R 0000000 41494d43 0\n",     /* 7 hex digits */
		"R 0000000g 41494d43 0\n",    /* not hex */
		"R 00000000 41494D43 0\n",    /* upper case */
		"R 00000000 41494d43 1\n",    /* EXOKAY is not an AXI4-Lite response */
		"R 00000000 41494d43\n",      /* response missing */
		"R 00000000 41494d43 0 \n",   /* trailing space */
		"R  00000000 41494d43 0\n",   /* two spaces */
		"R 00000000 41494d43 00\n",   /* leading zero */
		"r 00000000 41494d43 0\n",    /* lower-case op */
		"\n",                         /* blank line */
		"R 00000000 41494d43 0\r\n",  /* CR */
		"R 00000000 41494d43 0 9\n",  /* extra field */
	};
	char name[64];
	aimc_mmio m;
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		open_log(&m, bad[i]);
		snprintf(name, sizeof(name), "malformed_%zu", i);
		check(name, AIMC_EMISMATCH, aimc_mmio_read32(&m, CSR(id), &v));
		snprintf(name, sizeof(name), "malformed_%zu_msg", i);
		check_msg(name, &m, "malformed");
		aimc_mmio_close(&m);
	}
	open_log(&m, "W 00000024\n");
	check("malformed_write", AIMC_EMISMATCH, aimc_mmio_write32(&m, CSR(scratch), 0));
	check_msg("malformed_write_msg", &m, "malformed");
	aimc_mmio_close(&m);
	open_log(&m, "P 0000000c 00000000 1 2\n");
	check("malformed_poll_flag", AIMC_EMISMATCH, aimc_mmio_poll32(&m, CSR(status), 1, 0, 5, &v));
	aimc_mmio_close(&m);
	open_log(&m, "C 12a\n");
	{
		uint64_t cyc;

		check("malformed_c_line", AIMC_EMISMATCH, aimc_mmio_replay_cycles(&m, &cyc));
	}
	aimc_mmio_close(&m);
	open_log(&m, "C 18446744073709551616\n");
	{
		uint64_t cyc;

		check("malformed_c_line_overflow", AIMC_EMISMATCH, aimc_mmio_replay_cycles(&m, &cyc));
	}
	aimc_mmio_close(&m);
}

static void test_args(void)
{
	aimc_mmio m;
	uint64_t cyc;

	check("replay_open_null", AIMC_EINVAL, aimc_mmio_open_replay(&m, NULL));
	check("replay_open_missing", AIMC_EIO, aimc_mmio_open_replay(&m, "/nonexistent/log"));
	aimc_mmio_open_mock(&m);
	check("replay_cycles_not_replay", AIMC_EINVAL, aimc_mmio_replay_cycles(&m, &cyc));
	check("replay_error_not_replay", 1, aimc_mmio_replay_error(&m) == NULL);
	aimc_mmio_close(&m);
}

int main(void)
{
	snprintf(log_path, sizeof(log_path), "/tmp/aimc_test_replay_%ld.log", (long)getpid());
	test_answers();
	test_run();
	test_mismatch();
	test_malformed();
	test_args();
	remove(log_path);
	return failures ? 1 : 0;
}
