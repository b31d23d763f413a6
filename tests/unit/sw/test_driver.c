/* SPDX-License-Identifier: Apache-2.0 */
/* Driver core on the mock back-end: argument checks, error table, and the exact bus accesses of
 * aimc_chip_init, aimc_mem_*, aimc_prog_load, aimc_run and aimc_counters_read. Register values
 * expected here are written from the bit tables of docs/registers.md, not computed by the driver. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aimc.h"
#include "aimc_regs.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define WIN(w) ((uint32_t)offsetof(aimc_map_t, w))
#define VERSION_OK (((uint32_t)AIMC_ISA_VERSION << 16) | 1u) /* this ISA, major 0, minor 1 */

static int failures;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld (0x%llx), got %lld (0x%llx) (seed none)\n", name, exp,
		       (unsigned long long)exp, got, (unsigned long long)got);
		failures++;
	}
}

/* Expected access: kind, address, data. */
typedef struct exp_op {
	char kind;
	uint32_t addr, data;
} exp_op;

/* Compare the mock's log with exp[0..n), reporting the first difference. */
static void check_log(const char *name, aimc_mmio *m, const exp_op *exp, size_t n)
{
	const aimc_mock_op *ops;
	size_t got = aimc_mmio_mock_log(m, &ops);
	size_t i;

	for (i = 0; i < n && i < got; i++) {
		if (ops[i].kind != exp[i].kind || ops[i].addr != exp[i].addr ||
		    ops[i].data != exp[i].data) {
			printf("FAIL %s: access %zu expected %c %08x %08x, got %c %08x %08x (seed none)\n",
			       name, i, exp[i].kind, exp[i].addr, exp[i].data, ops[i].kind, ops[i].addr,
			       ops[i].data);
			failures++;
			return;
		}
	}
	if (got != n) {
		printf("FAIL %s: expected %zu accesses, got %zu (seed none)\n", name, n, got);
		failures++;
		return;
	}
	printf("PASS %s\n", name);
}

static void test_strerror(void)
{
	check("strerror_ok", 0, strcmp(aimc_strerror(AIMC_OK), "success"));
	check("strerror_ebus", 0,
	      strcmp(aimc_strerror(AIMC_EBUS), "bus error response (SLVERR or DECERR)"));
	check("strerror_econfig", 0,
	      strcmp(aimc_strerror(AIMC_ECONFIG), "invalid chip configuration"));
	check("strerror_unknown", 0, strcmp(aimc_strerror(-999), "unknown error"));
	check("strerror_positive", 0, strcmp(aimc_strerror(1), "unknown error"));
}

static void test_mmio_args(void)
{
	aimc_mmio m, none = { NULL, NULL };
	uint32_t v = 0;

	check("mock_open_null", AIMC_EINVAL, aimc_mmio_open_mock(NULL));
	check("mock_open", AIMC_OK, aimc_mmio_open_mock(&m));
	check("read_null_mmio", AIMC_EINVAL, aimc_mmio_read32(NULL, 0, &v));
	check("read_closed_mmio", AIMC_EINVAL, aimc_mmio_read32(&none, 0, &v));
	check("read_null_val", AIMC_EINVAL, aimc_mmio_read32(&m, 0, NULL));
	check("read_misaligned", AIMC_EINVAL, aimc_mmio_read32(&m, 2, &v));
	check("write_misaligned", AIMC_EINVAL, aimc_mmio_write32(&m, 1, 0));
	check("write_null_mmio", AIMC_EINVAL, aimc_mmio_write32(NULL, 0, 0));
	check("poll_zero_budget", AIMC_EINVAL, aimc_mmio_poll32(&m, 0, 1, 0, 0, &v));
	check("poll_value_outside_mask", AIMC_EINVAL, aimc_mmio_poll32(&m, 0, 1, 2, 5, &v));
	check("poll_misaligned", AIMC_EINVAL, aimc_mmio_poll32(&m, 3, 1, 0, 5, &v));
	check("invalid_args_no_access", 0, (long long)aimc_mmio_mock_log(&m, NULL));

	/* the mock answers like the bus: past its 2 MiB array or at a failing address -> EBUS */
	v = 123;
	check("mock_read_past_map", AIMC_EBUS, aimc_mmio_read32(&m, (uint32_t)sizeof(aimc_map_t), &v));
	check("mock_read_past_map_data0", 0, v);
	check("mock_fail_set", AIMC_OK, aimc_mmio_mock_fail(&m, CSR(scratch)));
	check("mock_fail_write", AIMC_EBUS, aimc_mmio_write32(&m, CSR(scratch), 5));
	check("mock_not_a_mock", AIMC_EINVAL, aimc_mmio_mock_poke(&none, 0, 0));

	/* poll fallback: reads until the masked value matches, at most max_polls */
	aimc_mmio_mock_log_clear(&m);
	aimc_mmio_mock_poke(&m, CSR(status), 0x5);
	check("poll_fallback_match", AIMC_OK, aimc_mmio_poll32(&m, CSR(status), 0x4, 0x4, 3, &v));
	check("poll_fallback_last", 0x5, v);
	check("poll_fallback_one_read", 1, (long long)aimc_mmio_mock_log(&m, NULL));
	aimc_mmio_mock_log_clear(&m);
	check("poll_fallback_timeout", AIMC_ETIMEOUT,
	      aimc_mmio_poll32(&m, CSR(status), 0x1, 0x0, 7, &v));
	check("poll_fallback_timeout_reads", 7, (long long)aimc_mmio_mock_log(&m, NULL));
	check("poll_fallback_bus_error", AIMC_EBUS,
	      aimc_mmio_poll32(&m, CSR(scratch), 0x1, 0x0, 7, &v));

	aimc_mmio_close(&m);
	check("close_clears", 1, m.ops == NULL && m.ctx == NULL);
	aimc_mmio_close(&m); /* a second close is harmless */
	aimc_mmio_close(NULL);
}

/* cfg0..cfg5 of configs/tiny.cfg, from the bit tables of docs/registers.md:
 * num_tiles 1, dac_bits 2, adc_bits 14, cols_per_adc 2, rows 16, cols 8, instr_depth 2048,
 * acc_slots 16, act_depth 2048, par_depth 512, wgt_depth 8192, adc_cycles 14. */
static const uint32_t tiny_rb[6] = {
	0x020e0201u, 0x00080010u, 0x00100800u, 0x02000800u, 0x00002000u, 0x0000000eu,
};

static void preset_chip(aimc_mmio *m)
{
	int i;

	aimc_mmio_mock_poke(m, CSR(id), 0x41494d43u);
	aimc_mmio_mock_poke(m, CSR(version), VERSION_OK); /* this ISA, major 0, minor 1 */
	for (i = 0; i < 6; i++)
		aimc_mmio_mock_poke(m, CSR(cfg0) + 4u * (uint32_t)i, tiny_rb[i]);
	aimc_mmio_mock_log_clear(m);
}

static void test_chip_init(const aimc_cfg *cfg)
{
	aimc_mmio m;
	aimc_cfg bad;
	const exp_op seq[] = {
		{ 'R', CSR(id), 0x41494d43u },   { 'R', CSR(version), VERSION_OK },
		{ 'R', CSR(cfg0), tiny_rb[0] },  { 'R', CSR(cfg1), tiny_rb[1] },
		{ 'R', CSR(cfg2), tiny_rb[2] },  { 'R', CSR(cfg3), tiny_rb[3] },
		{ 'R', CSR(cfg4), tiny_rb[4] },  { 'R', CSR(cfg5), tiny_rb[5] },
		{ 'W', CSR(settle), 2 },
		/* tiny: pv_tol 0.01 -> round(655.36) = 655; pv_ctrl enable 0, stop 0, budget 32 */
		{ 'W', CSR(pv_tol), 655 },       { 'W', CSR(pv_ctrl), 32u << 8 },
	};

	aimc_mmio_open_mock(&m);
	check("init_null_cfg", AIMC_EINVAL, aimc_chip_init(&m, NULL));
	check("init_null_mmio", AIMC_EINVAL, aimc_chip_init(NULL, cfg));
	preset_chip(&m);
	check("init_ok", AIMC_OK, aimc_chip_init(&m, cfg));
	check_log("init_sequence", &m, seq, sizeof(seq) / sizeof(seq[0]));

	preset_chip(&m);
	aimc_mmio_mock_poke(&m, CSR(id), 0x41494d44u);
	check("init_bad_magic", AIMC_EMISMATCH, aimc_chip_init(&m, cfg));
	check("init_bad_magic_stops", 1, (long long)aimc_mmio_mock_log(&m, NULL));

	preset_chip(&m);
	aimc_mmio_mock_poke(&m, CSR(version), VERSION_OK + 0x10000u); /* another ISA */
	check("init_bad_isa", AIMC_EMISMATCH, aimc_chip_init(&m, cfg));

	preset_chip(&m);
	aimc_mmio_mock_poke(&m, CSR(cfg3), tiny_rb[3] + 1);
	check("init_cfg3_mismatch", AIMC_EMISMATCH, aimc_chip_init(&m, cfg));
	check("init_cfg3_mismatch_no_write", 6, (long long)aimc_mmio_mock_log(&m, NULL));

	preset_chip(&m);
	bad = *cfg;
	bad.rows = 70000; /* does not fit cfg1.rows[15:0] */
	check("init_cfg_unencodable", AIMC_ECONFIG, aimc_chip_init(&m, &bad));
	bad = *cfg;
	bad.settle_cycles = 0;
	check("init_settle_zero", AIMC_ECONFIG, aimc_chip_init(&m, &bad));
	bad = *cfg;
	bad.pv_budget = 256; /* does not fit pv_ctrl.budget[15:8] */
	check("init_pv_budget_unencodable", AIMC_ECONFIG, aimc_chip_init(&m, &bad));
	bad = *cfg;
	bad.pv_stop = 2;
	check("init_pv_stop_unencodable", AIMC_ECONFIG, aimc_chip_init(&m, &bad));
	check("init_econfig_no_access", 0, (long long)aimc_mmio_mock_log(&m, NULL));

	preset_chip(&m);
	aimc_mmio_mock_fail(&m, CSR(cfg5));
	check("init_bus_error", AIMC_EBUS, aimc_chip_init(&m, cfg));
	aimc_mmio_close(&m);
}

static void test_mem(void)
{
	aimc_mmio m;
	uint32_t w[3] = { 0x11111111u, 0x22222222u, 0x33333333u };
	uint32_t r[3] = { 0, 0, 0 };
	const uint32_t act_in = WIN(act_in), wgt = WIN(weight), instr = WIN(instr);
	const exp_op wseq[] = {
		{ 'R', CSR(cfg3), tiny_rb[3] },
		{ 'W', act_in + 4 * 10, w[0] }, { 'W', act_in + 4 * 11, w[1] },
		{ 'W', act_in + 4 * 12, w[2] },
	};
	const exp_op rseq[] = {
		{ 'R', CSR(cfg3), tiny_rb[3] },
		{ 'R', act_in + 4 * 10, w[0] }, { 'R', act_in + 4 * 11, w[1] },
	};

	aimc_mmio_open_mock(&m);
	preset_chip(&m);
	check("mem_write_ok", AIMC_OK, aimc_mem_write(&m, act_in, 10, w, 3));
	check_log("mem_write_sequence", &m, wseq, 4);
	aimc_mmio_mock_log_clear(&m);
	check("mem_read_ok", AIMC_OK, aimc_mem_read(&m, act_in, 10, r, 2));
	check_log("mem_read_sequence", &m, rseq, 3);
	check("mem_read_data", 1, r[0] == w[0] && r[1] == w[1] && r[2] == 0);

	aimc_mmio_mock_log_clear(&m);
	check("mem_bad_base", AIMC_EINVAL, aimc_mem_write(&m, act_in + 4, 0, w, 1));
	check("mem_csr_base", AIMC_EINVAL, aimc_mem_read(&m, WIN(csr), 0, r, 1));
	check("mem_null_buf", AIMC_EINVAL, aimc_mem_write(&m, act_in, 0, NULL, 1));
	check("mem_null_mmio", AIMC_EINVAL, aimc_mem_read(NULL, act_in, 0, r, 1));
	/* past the window size (16384 words): no access at all */
	check("mem_past_window", AIMC_ERANGE, aimc_mem_write(&m, act_in, 16383, w, 2));
	check("mem_past_window_huge", AIMC_ERANGE, aimc_mem_read(&m, wgt, 0xffffffffu, r, 2));
	check("mem_range_no_access", 0, (long long)aimc_mmio_mock_log(&m, NULL));
	/* inside the window but past the configured depth (act 2048): only the depth readback */
	check("mem_past_depth", AIMC_ERANGE, aimc_mem_write(&m, act_in, 2047, w, 2));
	check("mem_past_depth_only_cfg_read", 1, (long long)aimc_mmio_mock_log(&m, NULL));
	check("mem_last_word_ok", AIMC_OK, aimc_mem_write(&m, act_in, 2047, w, 1));
	/* instructions: depth 2048 entries = 4096 words */
	check("mem_instr_last_word", AIMC_OK, aimc_mem_write(&m, instr, 4095, w, 1));
	check("mem_instr_past_depth", AIMC_ERANGE, aimc_mem_write(&m, instr, 4096, w, 1));
	check("mem_wgt_past_depth", AIMC_ERANGE, aimc_mem_read(&m, wgt, 8192, r, 1));
	check("mem_zero_words", AIMC_OK, aimc_mem_write(&m, act_in, 0, NULL, 0));
	aimc_mmio_mock_fail(&m, act_in + 4 * 11);
	check("mem_bus_error", AIMC_EBUS, aimc_mem_write(&m, act_in, 10, w, 3));
	aimc_mmio_close(&m);
}

static void test_prog_load(const aimc_cfg *cfg)
{
	aimc_mmio m;
	const uint64_t prog[2] = { 0x2000000400050006ull, 0x5000000000000000ull };
	const uint32_t instr = WIN(instr);
	const exp_op seq[] = {
		{ 'W', instr + 0, 0x00050006u }, { 'W', instr + 4, 0x20000004u },
		{ 'W', instr + 8, 0x00000000u }, { 'W', instr + 12, 0x50000000u },
	};
	aimc_cfg small = *cfg;

	aimc_mmio_open_mock(&m);
	check("prog_load_ok", AIMC_OK, aimc_prog_load(&m, cfg, prog, 2));
	check_log("prog_load_low_then_high", &m, seq, 4);
	aimc_mmio_mock_log_clear(&m);
	check("prog_load_empty", AIMC_EINVAL, aimc_prog_load(&m, cfg, prog, 0));
	check("prog_load_null", AIMC_EINVAL, aimc_prog_load(&m, cfg, NULL, 1));
	small.instr_depth = 1;
	check("prog_load_too_long", AIMC_ERANGE, aimc_prog_load(&m, &small, prog, 2));
	check("prog_load_errors_no_access", 0, (long long)aimc_mmio_mock_log(&m, NULL));
	aimc_mmio_close(&m);
}

static void test_run(void)
{
	aimc_mmio m;
	uint32_t e = 99, pc = 99;
	/* irq_en_done (bit 8) set: it must survive the start write */
	const exp_op seq[] = {
		{ 'W', CSR(start_pc), 3 },      { 'R', CSR(ctrl), 0x100 },
		{ 'W', CSR(ctrl), 0x101 },      { 'R', CSR(status), 0x2 },
		{ 'R', CSR(status), 0x2 },      { 'R', CSR(err_code), 0 },
		{ 'R', CSR(err_pc), 0 },        { 'R', CSR(irq), 0x5 },
		{ 'W', CSR(irq), 0x5 },
	};
	const exp_op seq_err[] = {
		{ 'W', CSR(start_pc), 0 },      { 'R', CSR(ctrl), 0 },
		{ 'W', CSR(ctrl), 0x1 },        { 'R', CSR(status), 0x4 },
		{ 'R', CSR(status), 0x4 },      { 'R', CSR(err_code), 3 },
		{ 'R', CSR(err_pc), 7 },        { 'R', CSR(irq), 0 },
	};

	aimc_mmio_open_mock(&m);
	check("run_null", AIMC_EINVAL, aimc_run(NULL, 0, 10, &e, &pc));
	check("run_null_clears_err", 1, e == 0 && pc == 0);
	check("run_zero_polls", AIMC_EINVAL, aimc_run(&m, 0, 0, NULL, NULL));
	check("run_pc_too_big", AIMC_ERANGE, aimc_run(&m, 0x10000, 10, NULL, NULL));
	check("run_invalid_no_access", 0, (long long)aimc_mmio_mock_log(&m, NULL));

	aimc_mmio_mock_poke(&m, CSR(ctrl), 0x100);
	aimc_mmio_mock_poke(&m, CSR(status), 0x2);
	aimc_mmio_mock_poke(&m, CSR(irq), 0x5);
	check("run_halt_ok", AIMC_OK, aimc_run(&m, 3, 10, &e, &pc));
	check_log("run_sequence", &m, seq, sizeof(seq) / sizeof(seq[0]));

	aimc_mmio_mock_log_clear(&m);
	aimc_mmio_mock_poke(&m, CSR(ctrl), 0);
	aimc_mmio_mock_poke(&m, CSR(status), 0x4);
	aimc_mmio_mock_poke(&m, CSR(irq), 0);
	aimc_mmio_mock_poke(&m, CSR(err_code), 3);
	aimc_mmio_mock_poke(&m, CSR(err_pc), 7);
	check("run_chip_error", AIMC_ECHIP, aimc_run(&m, 0, 10, &e, &pc));
	check("run_chip_error_code", 3, e);
	check("run_chip_error_pc", 7, pc);
	check_log("run_error_sequence_no_irq_write", &m, seq_err,
		  sizeof(seq_err) / sizeof(seq_err[0]));

	aimc_mmio_mock_log_clear(&m);
	aimc_mmio_mock_poke(&m, CSR(status), 0x1);
	check("run_timeout", AIMC_ETIMEOUT, aimc_run(&m, 0, 5, NULL, NULL));
	check("run_timeout_polls", 3 + 5, (long long)aimc_mmio_mock_log(&m, NULL));

	aimc_mmio_mock_poke(&m, CSR(status), 0);
	check("run_not_started", AIMC_ECHIP, aimc_run(&m, 0, 5, NULL, NULL));

	aimc_mmio_mock_fail(&m, CSR(ctrl));
	check("run_bus_error", AIMC_EBUS, aimc_run(&m, 0, 5, NULL, NULL));
	aimc_mmio_close(&m);
}

static void test_counters(void)
{
	aimc_mmio m;
	aimc_counters c;
	const exp_op seq[] = {
		{ 'R', CSR(cycles_hi), 2 },  { 'R', CSR(cycles_lo), 0x80000001u },
		{ 'R', CSR(cycles_hi), 2 },  { 'R', CSR(instrs), 10 },
		{ 'R', CSR(mvms), 11 },      { 'R', CSR(convs), 12 },
		{ 'R', CSR(adc_convs), 13 }, { 'R', CSR(sats), 14 },
		{ 'R', CSR(prog_rows), 15 },
		/* then the tiles: cfg0.num_tiles (2 here), the totals and 7 counters per tile */
		{ 'R', CSR(cfg0), 2 },         { 'R', CSR(reads_total), 16 },
		{ 'R', CSR(stalls_total), 17 }, { 'R', 0x100, 100 }, { 'R', 0x140, 101 },
		{ 'R', 0x180, 102 },           { 'R', 0x1c0, 103 }, { 'R', 0x200, 104 },
		{ 'R', 0x240, 105 },           { 'R', 0x280, 106 }, { 'R', 0x104, 200 },
		{ 'R', 0x144, 201 },           { 'R', 0x184, 202 }, { 'R', 0x1c4, 203 },
		{ 'R', 0x204, 204 },           { 'R', 0x244, 205 }, { 'R', 0x284, 206 },
	};
	size_t i;

	aimc_mmio_open_mock(&m);
	aimc_mmio_mock_poke(&m, CSR(cycles_hi), 2);
	aimc_mmio_mock_poke(&m, CSR(cycles_lo), 0x80000001u);
	aimc_mmio_mock_poke(&m, CSR(instrs), 10);
	aimc_mmio_mock_poke(&m, CSR(mvms), 11);
	aimc_mmio_mock_poke(&m, CSR(convs), 12);
	aimc_mmio_mock_poke(&m, CSR(adc_convs), 13);
	aimc_mmio_mock_poke(&m, CSR(sats), 14);
	aimc_mmio_mock_poke(&m, CSR(prog_rows), 15);
	for (i = 9; i < sizeof(seq) / sizeof(seq[0]); i++)
		aimc_mmio_mock_poke(&m, seq[i].addr, seq[i].data);
	check("counters_null", AIMC_EINVAL, aimc_counters_read(&m, NULL));
	check("counters_ok", AIMC_OK, aimc_counters_read(&m, &c));
	check_log("counters_sequence", &m, seq, sizeof(seq) / sizeof(seq[0]));
	check("counters_cycles", 0x280000001ll, (long long)c.cycles);
	check("counters_values", 1,
	      c.instrs == 10 && c.mvms == 11 && c.convs == 12 && c.adc_convs == 13 && c.sats == 14 &&
		      c.prog_rows == 15);
	check("counters_tiles", 1,
	      c.n_tiles == 2 && c.reads == 16 && c.stalls == 17 && c.tile[0].busy == 100 &&
		      c.tile[0].idle == 101 && c.tile[0].mvms == 102 && c.tile[0].reads == 103 &&
		      c.tile[0].adc_convs == 104 && c.tile[0].sats == 105 && c.tile[0].stalls == 106 &&
		      c.tile[1].busy == 200 && c.tile[1].stalls == 206 && c.tile[2].busy == 0);
	/* cfg0.num_tiles out of range: 0 and 17 */
	aimc_mmio_mock_poke(&m, CSR(cfg0), 0);
	check("counters_no_tiles", AIMC_EMISMATCH, aimc_counters_read(&m, &c));
	aimc_mmio_mock_poke(&m, CSR(cfg0), 17);
	check("counters_17_tiles", AIMC_EMISMATCH, aimc_counters_read(&m, &c));
	aimc_mmio_close(&m);
}

int main(void)
{
	aimc_cfg cfg;
	char err[256];

	if (aimc_cfg_load(&cfg, "configs/tiny.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load_tiny_cfg: %s (seed none)\n", err);
		return 1;
	}
	test_strerror();
	test_mmio_args();
	test_chip_init(&cfg);
	test_mem();
	test_prog_load(&cfg);
	test_run();
	test_counters();
	return failures ? 1 : 0;
}
