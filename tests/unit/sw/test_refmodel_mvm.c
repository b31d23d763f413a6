/* SPDX-License-Identifier: Apache-2.0 */
/* C reference model, datapath: on the ideal configs/tiny.cfg (16x8, dac_bits 2) random layers
 * run through the driver must give accumulators equal to the exact integer W·x (computed here
 * with plain integer loops), RAW and int8 post-processing equal to the formula of
 * docs/numbers.md (written here independently, by floor division), and exact event counters.
 * Also: accumulator saturation and its counter, and seed determinism of the noisy small.cfg.
 * ISA 3: -128 inputs (8 magnitude bits) and unsigned u8 inputs for DacBits 1..8, against exact
 * integer sums and phase counts worked out here; the tfl POST on hand-computed cases (SRDHM and
 * RDBPOT ties, e = -31 and 30, the INT32_MIN·INT32_MIN saturation, zero point and clamps). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "aimc.h"
#include "aimc_regs.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define WIN(w) ((uint32_t)offsetof(aimc_map_t, w))
#define I(op, flags, a, b, c)                                                         \
	(((uint64_t)(op) << 60) | ((uint64_t)(flags) << 48) | ((uint64_t)(a) << 32) | \
	 ((uint64_t)(b) << 16) | (uint64_t)(c))
#define OP_PROG 1
#define OP_MVM 2
#define OP_POST 3
#define OP_HALT 5
#define OP_ACCADD 10
#define F_U8 0x4
#define F_TFL 0x8
#define F_ACC 0x1
#define F_SRC_OUT 0x2
#define F_RELU 0x1
#define F_DST_OUT 0x2
#define F_RAW 0x4

#define ROWS 16
#define COLS 8
#define DAC_BITS 2
#define MAX_POLLS 10

static int failures;
static uint64_t cur_seed;

static void check(const char *name, long long exp, long long got)
{
	if (exp == got) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: expected %lld, got %lld (seed %" PRIu64 ")\n", name, exp, got,
		       cur_seed);
		failures++;
	}
}

/* Check a whole vector, reporting its first difference as one line. */
static void check_vec(const char *name, const int64_t *exp, const int64_t *got, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (exp[i] != got[i]) {
			printf("FAIL %s: element %d expected %" PRId64 ", got %" PRId64 " (seed %" PRIu64
			       ")\n", name, i, exp[i], got[i], cur_seed);
			failures++;
			return;
		}
	}
	printf("PASS %s\n", name);
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform integer in [lo, hi]. */
static int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* int8 in [-127, 127] with about one in six values zero. */
static int rng_int8(void)
{
	return rng_next() % 6 == 0 ? 0 : (int)rng_range(-127, 127);
}

static void pack_bytes(const int *v, int n, uint32_t *words)
{
	int i;

	memset(words, 0, sizeof(uint32_t) * (size_t)((n + 3) / 4));
	for (i = 0; i < n; i++)
		words[i / 4] |= (uint32_t)(v[i] & 0xff) << (8 * (i % 4));
}

/* ---- the independent statement of docs/numbers.md used for expectations -------------------- */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* floor(v / 2^s) with C's truncating division corrected for negative remainders. */
static int64_t floor_div_pow2(int64_t v, int s)
{
	int64_t d = (int64_t)1 << s;
	int64_t q = v / d;

	if (v % d != 0 && v < 0)
		q--;
	return q;
}

static int64_t post_int8(int64_t t, int64_t m, int s, int relu)
{
	int64_t q = floor_div_pow2(t * m + ((int64_t)1 << (s - 1)), s);

	if (relu && q < 0)
		q = 0;
	return clamp64(q, -127, 127);
}

/* Array reads of one MVM: phases (slice, sign) with at least one non-zero DAC code. */
static int mvm_phases(const int *x)
{
	int s, r, n = 0;

	for (s = 0; s * DAC_BITS < 7; s++) {
		int pos = 0, neg = 0;

		for (r = 0; r < ROWS; r++) {
			int mag = x[r] < 0 ? -x[r] : x[r];
			int d = (mag >> (s * DAC_BITS)) & ((1 << DAC_BITS) - 1);

			pos |= x[r] > 0 && d != 0;
			neg |= x[r] < 0 && d != 0;
		}
		n += pos + neg;
	}
	return n;
}

/* ---- one random layer ------------------------------------------------------------------------- */

typedef struct layer {
	int w[ROWS][COLS];
	int x1[ROWS], x2[ROWS];
	int32_t b[COLS], m[COLS];
	int s[COLS];
} layer;

static void make_layer(layer *L)
{
	int r, c;

	for (r = 0; r < ROWS; r++) {
		for (c = 0; c < COLS; c++)
			L->w[r][c] = rng_int8();
		L->x1[r] = rng_int8();
		L->x2[r] = rng_int8();
	}
	/* skipped phases: some layers have no positive input at all, or only small inputs
	 * (high slices all zero) */
	if (cur_seed % 2 == 0)
		for (r = 0; r < ROWS; r++)
			L->x1[r] = L->x1[r] > 0 ? -L->x1[r] : L->x1[r];
	if (cur_seed % 3 == 0)
		for (r = 0; r < ROWS; r++)
			L->x2[r] = (int)rng_range(0, 15);
	/* extremes of the ranges somewhere in every layer */
	L->w[0][0] = 127;
	L->w[1][0] = -127;
	L->x1[2] = -127;
	for (c = 0; c < COLS; c++) {
		L->b[c] = (int32_t)rng_range(-300000, 300000);
		L->m[c] = (int32_t)rng_range(-(1 << 20), 1 << 20);
		L->s[c] = (int)rng_range(12, 30);
	}
	L->s[0] = 1;                 /* smallest shift */
	L->s[1] = 62;                /* largest shift: the output is 0 or -1 before clamping */
	L->m[2] = INT32_MIN;         /* most negative multiplier */
	L->b[3] = INT32_MAX;         /* saturates acc + b whenever acc > 0 */
	L->b[4] = INT32_MIN;         /* saturates acc + b whenever acc < 0 */
}

static void layer_acc(const layer *L, const int *x, int64_t *acc)
{
	int r, c;

	for (c = 0; c < COLS; c++) {
		acc[c] = 0;
		for (r = 0; r < ROWS; r++)
			acc[c] += (int64_t)L->w[r][c] * x[r];
	}
}

static int run_layer(const aimc_cfg *cfg, uint64_t seed)
{
	aimc_mmio m;
	layer L;
	uint32_t wgt[ROWS * COLS / 4], xin[ROWS / 4], par[3 * COLS], raw[COLS], out[COLS / 4];
	int64_t acc1[COLS], acc2[COLS], exp[COLS], got[COLS];
	uint32_t code = 0, pc = 0;
	aimc_counters cnt;
	int64_t sats = 0;
	int c, relu;
	char nm[64];
	const uint64_t prog[] = {
		I(OP_PROG, 0, 0, 0, 0),
		I(OP_MVM, 0, 0, 2, 0),                          /* x1 from IN word 0 into slot 2 */
		I(OP_POST, F_RAW | F_DST_OUT, 0, 2, 0),         /* RAW -> OUT words 0..7 */
		I(OP_POST, F_DST_OUT, 8, 2, 0),                 /* int8 -> OUT words 8..9 */
		I(OP_MVM, F_ACC | F_SRC_OUT, 20, 2, 0),         /* + W·x2, x2 from OUT word 20 */
		I(OP_POST, F_RAW, 100, 2, 0),                   /* RAW -> IN words 100..107 */
		I(OP_POST, F_RELU, 120, 2, 0),                  /* int8 + ReLU -> IN words 120..121 */
		I(OP_HALT, 0, 0, 0, 0),
	};

	cur_seed = seed;
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	make_layer(&L);
	pack_bytes(&L.w[0][0], ROWS * COLS, wgt); /* byte r*Cols + c = w[r][c] */
	for (c = 0; c < COLS; c++) {
		par[3 * c] = (uint32_t)L.b[c];
		par[3 * c + 1] = (uint32_t)L.m[c];
		par[3 * c + 2] = (uint32_t)L.s[c];
	}

	if (aimc_mmio_open_cmodel(&m, cfg, seed) != AIMC_OK) {
		check("open_cmodel", AIMC_OK, -1);
		return 1;
	}
	check("mvm_init", AIMC_OK, aimc_chip_init(&m, cfg));
	check("mvm_write_w", AIMC_OK, aimc_mem_write(&m, WIN(weight), 0, wgt, ROWS * COLS / 4));
	pack_bytes(L.x1, ROWS, xin);
	check("mvm_write_x1", AIMC_OK, aimc_mem_write(&m, WIN(act_in), 0, xin, ROWS / 4));
	pack_bytes(L.x2, ROWS, xin);
	check("mvm_write_x2", AIMC_OK, aimc_mem_write(&m, WIN(act_out), 20, xin, ROWS / 4));
	check("mvm_write_par", AIMC_OK, aimc_mem_write(&m, WIN(param), 0, par, 3 * COLS));
	check("mvm_load", AIMC_OK, aimc_prog_load(&m, cfg, prog, sizeof(prog) / sizeof(prog[0])));
	check("mvm_run", AIMC_OK, aimc_run(&m, 0, MAX_POLLS, &code, &pc));

	layer_acc(&L, L.x1, acc1);
	layer_acc(&L, L.x2, acc2);
	for (relu = 0; relu <= 1; relu++) {
		const int64_t *acc = acc1;
		uint32_t raw_base = WIN(act_out), raw_off = 0, out_base = WIN(act_out), out_off = 8;

		if (relu) {
			for (c = 0; c < COLS; c++)
				acc2[c] += acc1[c]; /* the accumulate MVM */
			acc = acc2;
			raw_base = WIN(act_in);
			raw_off = 100;
			out_base = WIN(act_in);
			out_off = 120;
		}
		aimc_mem_read(&m, raw_base, raw_off, raw, COLS);
		aimc_mem_read(&m, out_base, out_off, out, COLS / 4);
		for (c = 0; c < COLS; c++) {
			int64_t t = acc[c] + L.b[c];
			int64_t ts = clamp64(t, INT32_MIN, INT32_MAX);

			sats += 2 * (ts != t); /* the RAW and the int8 POST each count it */
			exp[c] = ts;
			got[c] = (int32_t)raw[c];
		}
		snprintf(nm, sizeof(nm), "mvm_raw_sat32_acc_plus_b%s", relu ? "_accumulated" : "");
		check_vec(nm, exp, got, COLS);
		for (c = 0; c < COLS; c++) {
			int32_t y8 = (int32_t)((out[c / 4] >> (8 * (c % 4))) & 0xff);

			exp[c] = post_int8(clamp64(acc[c] + L.b[c], INT32_MIN, INT32_MAX), L.m[c],
					   L.s[c], relu);
			got[c] = y8 >= 128 ? y8 - 256 : y8;
		}
		snprintf(nm, sizeof(nm), "mvm_post_int8%s", relu ? "_relu" : "");
		check_vec(nm, exp, got, COLS);
	}

	check("mvm_counters_read", AIMC_OK, aimc_counters_read(&m, &cnt));
	check("mvm_cnt_instrs", 8, cnt.instrs);
	check("mvm_cnt_mvms", 2, cnt.mvms);
	check("mvm_cnt_convs", mvm_phases(L.x1) + mvm_phases(L.x2), cnt.convs);
	check("mvm_cnt_adc_convs", (long long)(mvm_phases(L.x1) + mvm_phases(L.x2)) * COLS,
	      cnt.adc_convs);
	check("mvm_cnt_prog_rows", ROWS, cnt.prog_rows);
	check("mvm_cnt_sats", sats, cnt.sats);
	check("mvm_cnt_cycles", 0, (long long)cnt.cycles);
	aimc_mmio_close(&m);
	return 0;
}

/* All weights and inputs 127: every MVM adds 16·127·127 through four positive phases
 * (dac_bits 2: slices 3, 3, 3, 1 of 127) until the int32 accumulator saturates. */
static void test_saturation(const aimc_cfg *cfg)
{
	enum { FIRST = 2000, MORE = 2047, RUNS = 4 };
	static uint64_t prog[MORE + 1];
	int all[ROWS * COLS];
	uint32_t wgt[ROWS * COLS / 4], xin[ROWS / 4], raw[COLS];
	int64_t acc = 0, sats = 0, exp_raw;
	long long mvms = 0;
	aimc_counters cnt;
	aimc_mmio m;
	uint32_t one = 1;
	int i, s, c, run;

	cur_seed = 1;
	for (i = 0; i < ROWS * COLS; i++)
		all[i] = 127;
	pack_bytes(all, ROWS * COLS, wgt);
	pack_bytes(all, ROWS, xin);
	aimc_mmio_open_cmodel(&m, cfg, 1);
	aimc_mem_write(&m, WIN(weight), 0, wgt, ROWS * COLS / 4);
	aimc_mem_write(&m, WIN(act_in), 0, xin, ROWS / 4);
	aimc_mem_write(&m, WIN(param), 0, &one, 1); /* b of column 0 = 1: one more saturation */

	prog[0] = I(OP_PROG, 0, 0, 0, 0);
	for (i = 1; i <= FIRST; i++)
		prog[i] = I(OP_MVM, i == 1 ? 0 : F_ACC, 0, 5, 0);
	prog[FIRST + 1] = I(OP_HALT, 0, 0, 0, 0);
	aimc_prog_load(&m, cfg, prog, FIRST + 2);
	check("sat_first_run", AIMC_OK, aimc_run(&m, 0, MAX_POLLS, NULL, NULL));
	for (i = 0; i < MORE; i++)
		prog[i] = I(OP_MVM, F_ACC, 0, 5, 0);
	prog[MORE] = I(OP_HALT, 0, 0, 0, 0);
	aimc_prog_load(&m, cfg, prog, MORE + 1);
	for (run = 0; run < RUNS; run++)
		check("sat_more_runs", AIMC_OK, aimc_run(&m, 0, MAX_POLLS, NULL, NULL));
	prog[0] = I(OP_POST, F_RAW | F_DST_OUT, 0, 5, 0);
	prog[1] = I(OP_HALT, 0, 0, 0, 0);
	aimc_prog_load(&m, cfg, prog, 2);
	check("sat_post_run", AIMC_OK, aimc_run(&m, 0, MAX_POLLS, NULL, NULL));

	/* expectation, phase by phase, for one column (all columns are alike) */
	for (i = 0; i < FIRST + RUNS * MORE; i++, mvms++) {
		for (s = 0; s * DAC_BITS < 7; s++) {
			int64_t d = (127 >> (s * DAC_BITS)) & ((1 << DAC_BITS) - 1);

			acc += ROWS * 127 * d * ((int64_t)1 << (s * DAC_BITS));
			if (acc > INT32_MAX) {
				acc = INT32_MAX;
				sats++;
			}
		}
	}
	sats *= COLS;
	exp_raw = acc;             /* + b: b = 1 on column 0 saturates once more */
	aimc_mem_read(&m, WIN(act_out), 0, raw, COLS);
	aimc_counters_read(&m, &cnt);
	check("sat_reached", 1, acc == INT32_MAX);
	for (c = 0; c < COLS; c++)
		if ((int64_t)(int32_t)raw[c] != exp_raw)
			break;
	check("sat_raw_int32_max_all_columns", COLS, c);
	check("sat_counter", sats + 1, cnt.sats);
	check("sat_mvms", mvms, cnt.mvms);
	check("sat_convs_positive_phases_only", mvms * 4, cnt.convs);
	aimc_mmio_close(&m);
}

/* Noisy config: the same seed gives the same bits in two chips; another seed or a second read
 * (new conversion-counter values) gives different noise. */
static void run_noisy(const aimc_cfg *cfg, uint64_t seed, uint32_t *raw, int n_raw, uint32_t *cnts)
{
	enum { R = 32, C = 16 };
	int w[R * C], x[R];
	uint32_t wgt[R * C / 4], xin[R / 4];
	aimc_counters cnt;
	aimc_mmio m;
	int i;
	const uint64_t prog[] = {
		I(OP_PROG, 0, 0, 0, 0),
		I(OP_MVM, 0, 0, 0, 0),
		I(OP_POST, F_RAW | F_DST_OUT, 0, 0, 0),
		I(OP_MVM, 0, 0, 1, 0),                  /* the same vector again */
		I(OP_POST, F_RAW | F_DST_OUT, C, 1, 0),
		I(OP_HALT, 0, 0, 0, 0),
	};

	rng_state = 12345; /* the same layer for every seed */
	for (i = 0; i < R * C; i++)
		w[i] = (int)rng_range(-3, 3);
	for (i = 0; i < R; i++)
		x[i] = (int)rng_range(-3, 3);
	pack_bytes(w, R * C, wgt);
	pack_bytes(x, R, xin);
	aimc_mmio_open_cmodel(&m, cfg, seed);
	aimc_mem_write(&m, WIN(weight), 0, wgt, R * C / 4);
	aimc_mem_write(&m, WIN(act_in), 0, xin, R / 4);
	aimc_prog_load(&m, cfg, prog, sizeof(prog) / sizeof(prog[0]));
	aimc_run(&m, 0, MAX_POLLS, NULL, NULL);
	aimc_mem_read(&m, WIN(act_out), 0, raw, (size_t)n_raw);
	aimc_counters_read(&m, &cnt);
	cnts[0] = cnt.convs;
	cnts[1] = cnt.adc_convs;
	cnts[2] = cnt.instrs;
	aimc_mmio_close(&m);
}

static void test_noise_determinism(void)
{
	aimc_cfg cfg;
	char err[256];
	uint32_t a[32], b[32], d[32], ca[3], cb[3], cd[3];

	cur_seed = 5;
	if (aimc_cfg_load(&cfg, "configs/small.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load_small_cfg: %s (seed 5)\n", err);
		failures++;
		return;
	}
	run_noisy(&cfg, 5, a, 32, ca);
	run_noisy(&cfg, 5, b, 32, cb);
	run_noisy(&cfg, 6, d, 32, cd);
	check("noise_same_seed_same_bits", 0, memcmp(a, b, sizeof(a)));
	check("noise_same_seed_same_counters", 0, memcmp(ca, cb, sizeof(ca)));
	check("noise_other_seed_differs", 1, memcmp(a, d, sizeof(a)) != 0);
	check("noise_second_read_differs", 1, memcmp(a, a + 16, 16 * sizeof(uint32_t)) != 0);
}

/* ---- ISA 3: 8-bit magnitude slices, u8 inputs ------------------------------------------------ */

/* Phases (slice, sign) with a non-zero DAC code, slices over `bits` magnitude bits; u8: the bytes
 * are unsigned magnitudes, all in the positive phase. */
static int phases_n(const int *x, int rows, int dac, int bits, int u8)
{
	int s, r, n = 0;

	for (s = 0; s * dac < bits; s++) {
		int pos = 0, neg = 0;

		for (r = 0; r < rows; r++) {
			int mag = u8 ? x[r] : x[r] < 0 ? -x[r] : x[r];
			int d = (mag >> (s * dac)) & ((1 << dac) - 1);

			pos |= (u8 || x[r] > 0) && d != 0;
			neg |= !u8 && x[r] < 0 && d != 0;
		}
		n += pos + neg;
	}
	return n;
}

/* For DacBits 1, 2, 3, 7, 8 (16-bit ADC; weights small enough for DacBits 7 and 8 that no code
 * clips, so the noise-free model converts exactly): a signed vector with -128 entries, an
 * unsigned one with 255, 128 and 0, and a [-127, 127] vector. RAW outputs must be the exact
 * W·x (x = -128 counts as -128; u8 bytes as 0..255), array reads the phases of 8-bit slices; the
 * [-127, 127] vector must need no more reads than with the 7-bit slices of ISA 2. */
static void test_u8_minus128(const aimc_cfg *tiny)
{
	static const int dacs[] = { 1, 2, 3, 7, 8 };
	size_t k;

	for (k = 0; k < sizeof(dacs) / sizeof(dacs[0]); k++) {
		aimc_cfg cfg = *tiny;
		int w[ROWS][COLS], xs[ROWS], xu[ROWS], xv[ROWS], r, c, v;
		uint32_t wgt[ROWS * COLS / 4], xin[3 * ROWS / 4], raw[3 * COLS];
		int64_t exp[3 * COLS], got[3 * COLS];
		aimc_counters cnt;
		aimc_mmio m;
		char nm[80];
		const int dac = dacs[k];
		const uint64_t prog[] = {
			I(OP_PROG, 0, 0, 0, 0),
			I(OP_MVM, 0, 0, 0, 0),                     /* signed, with -128 */
			I(OP_POST, F_RAW | F_DST_OUT, 0, 0, 0),
			I(OP_MVM, F_U8, ROWS / 4, 1, 0),           /* unsigned bytes */
			I(OP_POST, F_RAW | F_DST_OUT, COLS, 1, 0),
			I(OP_MVM, 0, 2 * ROWS / 4, 2, 0),          /* [-127, 127] */
			I(OP_POST, F_RAW | F_DST_OUT, 2 * COLS, 2, 0),
			I(OP_HALT, 0, 0, 0, 0),
		};

		cur_seed = 100 + (uint64_t)dac;
		rng_state = cur_seed * 0x9e3779b97f4a7c15ull + 1;
		cfg.dac_bits = (uint32_t)dac;
		cfg.adc_bits = 16; /* |code| <= 16·15·127 (DacBits <= 4) or 16·255·8 < 2^15 */
		cfg.adc_cycles = 16;
		for (r = 0; r < ROWS; r++) {
			for (c = 0; c < COLS; c++)
				w[r][c] = dac <= 4 ? rng_int8() : (int)rng_range(-8, 8);
			xs[r] = (int)rng_range(-128, 127);
			xu[r] = (int)rng_range(0, 255);
			xv[r] = rng_int8();
		}
		xs[0] = -128;
		xs[5] = -128;
		xs[9] = 127;
		xu[0] = 255;
		xu[1] = 128;
		xu[2] = 0;
		w[0][0] = dac <= 4 ? 127 : 8;
		w[5][0] = dac <= 4 ? -127 : -8;
		pack_bytes(&w[0][0], ROWS * COLS, wgt);
		pack_bytes(xs, ROWS, xin);
		pack_bytes(xu, ROWS, xin + ROWS / 4);
		pack_bytes(xv, ROWS, xin + 2 * ROWS / 4);
		if (aimc_mmio_open_cmodel(&m, &cfg, cur_seed) != AIMC_OK) {
			snprintf(nm, sizeof(nm), "u8_dac%d_open_cmodel", dac);
			check(nm, AIMC_OK, -1);
			continue;
		}
		aimc_mem_write(&m, WIN(weight), 0, wgt, ROWS * COLS / 4);
		aimc_mem_write(&m, WIN(act_in), 0, xin, 3 * ROWS / 4);
		aimc_prog_load(&m, &cfg, prog, sizeof(prog) / sizeof(prog[0]));
		snprintf(nm, sizeof(nm), "u8_dac%d_run", dac);
		check(nm, AIMC_OK, aimc_run(&m, 0, MAX_POLLS, NULL, NULL));
		aimc_mem_read(&m, WIN(act_out), 0, raw, 3 * COLS);
		for (c = 0; c < COLS; c++) {
			exp[c] = exp[COLS + c] = exp[2 * COLS + c] = 0;
			for (r = 0; r < ROWS; r++) {
				exp[c] += (int64_t)w[r][c] * xs[r];
				exp[COLS + c] += (int64_t)w[r][c] * xu[r];
				exp[2 * COLS + c] += (int64_t)w[r][c] * xv[r];
			}
		}
		for (c = 0; c < 3 * COLS; c++)
			got[c] = (int32_t)raw[c];
		snprintf(nm, sizeof(nm), "u8_dac%d_signed_minus128_exact", dac);
		check_vec(nm, exp, got, COLS);
		snprintf(nm, sizeof(nm), "u8_dac%d_unsigned_exact", dac);
		check_vec(nm, exp + COLS, got + COLS, COLS);
		snprintf(nm, sizeof(nm), "u8_dac%d_v2_range_exact", dac);
		check_vec(nm, exp + 2 * COLS, got + 2 * COLS, COLS);
		aimc_counters_read(&m, &cnt);
		v = phases_n(xs, ROWS, dac, 8, 0) + phases_n(xu, ROWS, dac, 8, 1) +
		    phases_n(xv, ROWS, dac, 8, 0);
		snprintf(nm, sizeof(nm), "u8_dac%d_array_reads", dac);
		check(nm, v, cnt.convs);
		snprintf(nm, sizeof(nm), "u8_dac%d_v2_range_reads_as_isa2", dac);
		check(nm, phases_n(xv, ROWS, dac, 7, 0), phases_n(xv, ROWS, dac, 8, 0));
		/* the -128 rows need the slice of bit 7 when DacBits divides 7 (1 and 7) */
		if (dac == 1 || dac == 7) {
			snprintf(nm, sizeof(nm), "u8_dac%d_minus128_uses_bit7_slice", dac);
			check(nm, 1, phases_n(xs, ROWS, dac, 8, 0) > phases_n(xs, ROWS, dac, 7, 0));
		}
		aimc_mmio_close(&m);
	}
}

/* ---- ISA 3: the tfl POST -------------------------------------------------------------------- */

#define E_WORD(e, zp, lo, hi)                                                      	((uint32_t)((e) & 0xff) | (uint32_t)((zp) & 0xff) << 8 | (uint32_t)((lo) & 0xff) << 16 | 	 (uint32_t)((hi) & 0xff) << 24)

/* One column: the accumulator (set by ACCADD), b, M, E and the expected int8, each worked out
 * by hand from the formulas of docs/numbers.md (SRDHM(a, M) is a·M / 2^31 with the nudge, then
 * truncated toward zero; RDBPOT rounds to nearest, ties away from zero). */
typedef struct tfl_case {
	int32_t acc, b, m;
	uint32_t e;
	int y;
} tfl_case;

static const tfl_case tfl_cases[] = {
	/* a·M/2^31 = 5 exactly: (5 + 0.5) truncated */
	{ 10, 0, 1 << 30, E_WORD(0, 0, -128, 127), 5 },
	/* -5: (-5 - 0.5 + 2^-31) truncated toward zero */
	{ -10, 0, 1 << 30, E_WORD(0, 0, -128, 127), -5 },
	/* SRDHM ties: 1.5 -> 2, -1.5 -> (-2 + 2^-31) truncated = -1 */
	{ 3, 0, 1 << 30, E_WORD(0, 0, -128, 127), 2 },
	{ -3, 0, 1 << 30, E_WORD(0, 0, -128, 127), -1 },
	/* INT32_MIN·INT32_MIN saturates to INT32_MAX, then the clamp hi */
	{ INT32_MIN, 0, INT32_MIN, E_WORD(0, 0, -128, 127), 127 },
	/* e = 30: u = 3 << 30 wraps to -2^30; -2^30·64/2^31 = -32; + zp 5 (no wrap would be 101) */
	{ 3, 0, 64, E_WORD(30, 5, -128, 127), -27 },
	/* e = 30 without wrap: 2^30·16/2^31 = 8 */
	{ 1, 0, 16, E_WORD(30, 0, -128, 127), 8 },
	/* e = -31: h = 2^30, 2^30/2^31 = 0.5 -> 1 (tie away) */
	{ 1 << 30, 0, INT32_MAX, E_WORD(-31, 0, -128, 127), 1 },
	/* e = -31: h = SRDHM(-2^31, 2^30) = -2^30; -0.5 -> -1 (tie away); + zp 3 */
	{ INT32_MIN, 0, 1 << 30, E_WORD(-31, 3, -128, 127), 2 },
	/* e = -1: h = 5, 2.5 -> 3; h = -5, -2.5 -> -3 */
	{ 10, 0, 1 << 30, E_WORD(-1, 0, -128, 127), 3 },
	{ -10, 0, 1 << 30, E_WORD(-1, 0, -128, 127), -3 },
	/* e = -2: h = 7, 1.75 -> 2 (bias 4 + acc 10) */
	{ 10, 4, 1 << 30, E_WORD(-2, 0, -128, 127), 2 },
	/* zero point and clamps: 50 - 20 = 30 -> hi 20; -50 - 20 = -70 -> lo -60 */
	{ 100, 0, 1 << 30, E_WORD(0, -20, -10, 20), 20 },
	{ -100, 0, 1 << 30, E_WORD(0, -20, -60, 20), -60 },
	/* -128 is a legal output; lo = hi pins the output */
	{ -1000, 0, 1 << 30, E_WORD(0, 0, -128, 127), -128 },
	/* acc + b saturates (counted): t = INT32_MAX, h = 2^30, e = -31: 0.5 -> 1; lo = hi = 1 */
	{ INT32_MAX, 1, 1 << 30, E_WORD(-31, 0, 1, 1), 1 },
};

#define TFL_N ((int)(sizeof(tfl_cases) / sizeof(tfl_cases[0])))

static void test_tfl_post(const aimc_cfg *cfg)
{
	uint32_t accw[TFL_N], par[3 * TFL_N], out[TFL_N / 4], zero[ROWS / 4] = { 0 };
	uint64_t prog[4 * (TFL_N / COLS) + 1];
	int64_t exp[TFL_N], got[TFL_N];
	aimc_counters cnt;
	aimc_mmio m;
	int i, g, n = 0;

	cur_seed = 1;
	for (i = 0; i < TFL_N; i++) {
		accw[i] = (uint32_t)tfl_cases[i].acc;
		par[3 * i] = (uint32_t)tfl_cases[i].b;
		par[3 * i + 1] = (uint32_t)tfl_cases[i].m;
		par[3 * i + 2] = tfl_cases[i].e;
		exp[i] = tfl_cases[i].y;
	}
	for (g = 0; g < TFL_N / COLS; g++) {
		prog[n++] = I(OP_MVM, 0, 200, g, 0);              /* all-zero input: clears slot g */
		prog[n++] = I(OP_ACCADD, 0, 300 + COLS * g, g, 0); /* acc = the case's value */
		prog[n++] = I(OP_POST, F_TFL | F_DST_OUT, 40 + COLS / 4 * g, g, 3 * COLS * g);
		prog[n++] = I(OP_POST, F_RAW | F_DST_OUT, 60 + COLS * g, g, 3 * COLS * g);
	}
	prog[n++] = I(OP_HALT, 0, 0, 0, 0);
	aimc_mmio_open_cmodel(&m, cfg, 1);
	aimc_mem_write(&m, WIN(act_in), 200, zero, ROWS / 4);
	aimc_mem_write(&m, WIN(act_in), 300, accw, TFL_N);
	aimc_mem_write(&m, WIN(param), 0, par, 3 * TFL_N);
	aimc_prog_load(&m, cfg, prog, (size_t)n);
	check("tfl_run", AIMC_OK, aimc_run(&m, 0, MAX_POLLS, NULL, NULL));
	aimc_mem_read(&m, WIN(act_out), 40, out, TFL_N / 4);
	for (i = 0; i < TFL_N; i++) {
		int32_t y8 = (int32_t)((out[i / 4] >> (8 * (i % 4))) & 0xff);

		got[i] = y8 >= 128 ? y8 - 256 : y8;
	}
	check_vec("tfl_post_hand_cases", exp, got, TFL_N);
	aimc_counters_read(&m, &cnt);
	/* the last case saturates acc + b in the tfl POST and in the RAW POST after it */
	check("tfl_post_sats", 2, cnt.sats);
	check("tfl_post_no_array_reads", 0, cnt.convs);
	aimc_mmio_close(&m);
}

int main(void)
{
	aimc_cfg cfg;
	char err[256];
	uint64_t seed;

	if (aimc_cfg_load(&cfg, "configs/tiny.cfg", err, sizeof(err)) != 0) {
		printf("FAIL load_tiny_cfg: %s (seed none)\n", err);
		return 1;
	}
	if (cfg.rows != ROWS || cfg.cols != COLS || cfg.dac_bits != DAC_BITS ||
	    !aimc_cfg_is_ideal(&cfg)) {
		printf("FAIL tiny_geometry: this test expects an ideal 16x8 tile with dac_bits 2 "
		       "(seed none)\n");
		return 1;
	}
	for (seed = 1; seed <= 20; seed++)
		run_layer(&cfg, seed);
	test_saturation(&cfg);
	test_noise_determinism();
	test_u8_minus128(&cfg);
	test_tfl_post(&cfg);
	return failures ? 1 : 0;
}
