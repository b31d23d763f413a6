/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test bridge-test: the UART bridge protocol (docs/uart-bridge.md) byte by byte, on the simulated
 * board (uart-sim) or a board (serial:<tty>): good frames, bursts, and every malformed frame
 * answered with its error response. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aimc_regs.h"
#include "chip_test.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))

typedef struct bt {
	aimc_mmio *m;
	unsigned pass, fail;
} bt;

static void check(bt *b, int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(bt *b, int ok, const char *name, const char *fmt, ...)
{
	char d[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	if (ok)
		b->pass++;
	else
		b->fail++;
	printf("bridge-test: %s %-34s %s\n", ok ? "PASS" : "FAIL", name, d);
	fflush(stdout);
}

/* Header bytes of a request: sync, cmd, address (LE), len, header CRC. */
static size_t hdr(uint8_t *p, uint8_t cmd, uint32_t addr, uint8_t len)
{
	p[0] = 0xA5;
	p[1] = cmd;
	p[2] = (uint8_t)addr;
	p[3] = (uint8_t)(addr >> 8);
	p[4] = (uint8_t)(addr >> 16);
	p[5] = (uint8_t)(addr >> 24);
	p[6] = len;
	p[7] = aimc_serial_crc8(0, p + 1, 6);
	return 8;
}

static size_t word(uint8_t *p, uint32_t w, int bad_crc)
{
	p[0] = (uint8_t)w;
	p[1] = (uint8_t)(w >> 8);
	p[2] = (uint8_t)(w >> 16);
	p[3] = (uint8_t)(w >> 24);
	p[4] = (uint8_t)(aimc_serial_crc8(0, p, 4) ^ (bad_crc ? 0x01u : 0x00u));
	return 5;
}

/* Send tx, expect exactly the response exp (n bytes). */
static void expect_rsp(bt *b, const char *name, const uint8_t *tx, size_t ntx, const uint8_t *exp,
		       size_t n)
{
	uint8_t rx[64];
	char got[200] = "", want[200] = "";
	size_t i;
	int rc = aimc_serial_raw(b->m, tx, ntx, rx, n);

	for (i = 0; i < n && i < 16; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), " %02x", rc == 0 ? rx[i] : 0);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " %02x", exp[i]);
	}
	check(b, rc == AIMC_OK && memcmp(rx, exp, n) == 0, name, "response%s, expected%s (%s)", got,
	      want, aimc_strerror(rc));
}

/* The short rejection response: sync, ack, CRC of the ack. */
static void expect_reject(bt *b, const char *name, const uint8_t *tx, size_t ntx, uint8_t ack)
{
	uint8_t exp[3] = { 0x5A, ack, aimc_serial_crc8(0, &ack, 1) };

	expect_rsp(b, name, tx, ntx, exp, 3);
}

static uint32_t rd(bt *b, uint32_t addr)
{
	uint32_t v = 0;

	(void)aimc_mmio_read32(b->m, addr, &v);
	return v;
}

static void run_tests(bt *b, const aimc_cfg *cfg)
{
	uint8_t tx[16 + 255 * 5], exp[16];
	uint32_t w[255], r[255], n_ok = 0, i, n;
	uint8_t status = 0;
	size_t k;
	int rc;

	/* CRC-8 (poly 0x07, init 0) check value of "123456789": 0xF4 (CRC-8/SMBUS). */
	check(b, aimc_serial_crc8(0, (const uint8_t *)"123456789", 9) == 0xF4, "crc8 check value",
	      "crc8(\"123456789\") = 0x%02x", aimc_serial_crc8(0, (const uint8_t *)"123456789", 9));

	/* A good read, after stray bytes on the line (dropped while hunting for the sync byte). */
	tx[0] = 0x00;
	tx[1] = 0xFF;
	tx[2] = 0x5A;
	k = 3 + hdr(tx + 3, 0x02, CSR(id), 1);
	exp[0] = 0x5A;
	exp[1] = 0x02;
	exp[2] = (uint8_t)AIMC_CSR__ID__MAGIC_reset;
	exp[3] = (uint8_t)(AIMC_CSR__ID__MAGIC_reset >> 8);
	exp[4] = (uint8_t)(AIMC_CSR__ID__MAGIC_reset >> 16);
	exp[5] = (uint8_t)(AIMC_CSR__ID__MAGIC_reset >> 24);
	exp[6] = 0x00;
	exp[7] = 0x01;
	exp[8] = aimc_serial_crc8(0, exp + 1, 7);
	expect_rsp(b, "read id after stray bytes", tx, k, exp, 9);

	/* A good write and its response. */
	k = hdr(tx, 0x01, CSR(scratch), 1);
	k += word(tx + k, 0x12345678u, 0);
	exp[0] = 0x5A;
	exp[1] = 0x01;
	exp[2] = 0x00;
	exp[3] = 0x01;
	exp[4] = aimc_serial_crc8(0, exp + 1, 3);
	expect_rsp(b, "write scratch", tx, k, exp, 5);
	check(b, rd(b, CSR(scratch)) == 0x12345678u, "write scratch: read back", "0x%08x",
	      rd(b, CSR(scratch)));

	/* Malformed frames. */
	tx[0] = 0xA5;
	tx[1] = 0x07;
	expect_reject(b, "unknown command -> 0x81", tx, 2, 0x81);

	k = hdr(tx, 0x01, CSR(scratch), 1);
	tx[7] ^= 0x01;
	k += word(tx + k, 0x01020304u, 0); /* the data bytes are dropped (no 0xA5 among them) */
	expect_reject(b, "bad header CRC -> 0x82", tx, k, 0x82);
	check(b, rd(b, CSR(scratch)) == 0x12345678u, "bad header CRC: nothing written",
	      "scratch 0x%08x", rd(b, CSR(scratch)));

	k = hdr(tx, 0x02, CSR(id), 0);
	expect_reject(b, "length 0 -> 0x83", tx, k, 0x83);

	/* A cut header times out; so does cut write data. */
	expect_reject(b, "cut header -> timeout 0x85", tx, 3, 0x85);
	k = hdr(tx, 0x01, CSR(scratch), 1);
	exp[0] = 0x5A;
	exp[1] = 0x01;
	exp[2] = 0x12;
	exp[3] = 0x00;
	exp[4] = aimc_serial_crc8(0, exp + 1, 3);
	expect_rsp(b, "cut write data -> status 0x12", tx, k + 2, exp, 5);
	check(b, rd(b, CSR(scratch)) == 0x12345678u, "cut write data: nothing written",
	      "scratch 0x%08x", rd(b, CSR(scratch)));

	/* A bad word CRC: the words before it are written, it and the rest are not. */
	for (i = 0; i < 3; i++)
		w[i] = 0;
	rc = aimc_serial_xfer(b->m, 1, cli_win_act_in(), w, 3, &n_ok, &status);
	k = hdr(tx, 0x01, cli_win_act_in(), 3);
	k += word(tx + k, 0x11111111u, 0);
	k += word(tx + k, 0x22222222u, 1);
	k += word(tx + k, 0x33333333u, 0);
	exp[0] = 0x5A;
	exp[1] = 0x01;
	exp[2] = 0x10;
	exp[3] = 0x01;
	exp[4] = aimc_serial_crc8(0, exp + 1, 3);
	expect_rsp(b, "bad word CRC -> status 0x10", tx, k, exp, 5);
	n = 3;
	rc = rc == AIMC_OK ? aimc_serial_xfer(b->m, 0, cli_win_act_in(), r, n, &n_ok, &status) : rc;
	check(b, rc == AIMC_OK && r[0] == 0x11111111u && r[1] == 0 && r[2] == 0,
	      "bad word CRC: only word 0 written", "words 0x%08x 0x%08x 0x%08x (%s)", r[0], r[1],
	      r[2], aimc_strerror(rc));

	/* Bus errors come back in the status byte with the count of good words. */
	w[0] = 0;
	rc = aimc_serial_xfer(b->m, 1, CSR(id), w, 1, &n_ok, &status);
	check(b, rc == AIMC_EBUS && status == 0x02 && n_ok == 0, "write read-only id -> SLVERR",
	      "status 0x%02x, %u ok (%s)", status, n_ok, aimc_strerror(rc));
	rc = aimc_serial_xfer(b->m, 0, CSR(settle), r, 3, &n_ok, &status);
	check(b, rc == AIMC_EBUS && (status == 0x02 || status == 0x03) && n_ok == 2 && r[2] == 0 &&
		      r[1] == 0x12345678u,
	      "read across a CSR hole", "status 0x%02x, %u ok, scratch 0x%08x, hole 0x%08x (%s)",
	      status, n_ok, r[1], r[2], aimc_strerror(rc));
	rc = aimc_serial_xfer(b->m, 0, (uint32_t)sizeof(aimc_map_t), r, 1, &n_ok, &status);
	check(b, rc == AIMC_EBUS && status == 0x03 && n_ok == 0,
	      "read outside the map -> DECERR", "status 0x%02x, %u ok (%s)", status, n_ok,
	      aimc_strerror(rc));
	{
		aimc_bus_err e;

		(void)aimc_bus_err_read(b->m, &e, 1);
	}

	/* Bursts of up to 255 words. */
	n = cfg->act_depth < 255u ? cfg->act_depth : 255u;
	for (i = 0; i < n; i++)
		w[i] = 0x9E3779B1u * (i + 1u);
	rc = aimc_serial_xfer(b->m, 1, cli_win_act_in(), w, n, &n_ok, &status);
	if (rc == AIMC_OK)
		rc = aimc_serial_xfer(b->m, 0, cli_win_act_in(), r, n, &n_ok, &status);
	for (i = 0; rc == AIMC_OK && i < n && r[i] == w[i]; i++)
		;
	check(b, rc == AIMC_OK && i == n, "burst write + read", "%u words, first difference at %u "
	      "(%s)", n, i, aimc_strerror(rc));
}

int cli_cmd_bridge_test(int argc, char **argv)
{
	const char *cmd = "bridge-test";
	cli_backend_opts be;
	aimc_cfg cfg;
	aimc_mmio m = { NULL, NULL };
	bt b;
	int i, r;

	cli_backend_defaults(&be);
	be.backend = "uart-sim";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: aimc-test bridge-test --config CFG [--backend uart-sim|serial:<tty>]\n\n"
			       "Good and malformed UART bridge frames (docs/uart-bridge.md), one line "
			       "per check.\n\n" CLI_BACKEND_HELP
			       "\nExit: 0 pass, 1 fail, 2 usage or input error.\n");
			return CLI_EXIT_PASS;
		}
		r = cli_backend_flag(cmd, &be, argc, argv, &i);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r == 0)
			return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
	}
	if (cli_backend_check(cmd, &be) != 0)
		return CLI_EXIT_USAGE;
	if (strcmp(cli_backend_kind(&be), "uart-sim") != 0 &&
	    strcmp(cli_backend_kind(&be), "serial") != 0)
		return cli_usage_error(cmd, "--backend must be uart-sim or serial:<tty>");
	if (be.record != NULL)
		return cli_usage_error(cmd, "--record does not work here (raw frames)");
	if (cli_load_config(cmd, be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (cli_backend_open(cmd, &be, &cfg, &m) != AIMC_OK)
		return CLI_EXIT_FAIL;
	memset(&b, 0, sizeof(b));
	b.m = &m;
	run_tests(&b, &cfg);
	cli_backend_close(cmd, &be, &m, NULL);
	printf("bridge-test: %u passed, %u failed\n", b.pass, b.fail);
	if (b.fail)
		printf("bridge-test: rerun: aimc-test bridge-test --config %s --backend %s\n", be.config,
		       be.backend);
	return b.fail ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
}
