/* SPDX-License-Identifier: Apache-2.0 */
/* aimc-test layer-test: one random int8 fully connected layer from the seed, compiled with RAW results,
 * run on a back-end and checked against OpenBLAS (L1, ideal configs) and the in-process C model
 * (L0, every back-end but the C model itself). With --tfl 1 the program is built here instead of
 * by the compiler, with the instructions of ISA 3 (docs/decisions/0007): u8 inputs x + 128 with
 * the zero point folded into the bias (even vectors), signed inputs with -128 (odd vectors), K
 * split into row blocks on the tiles whose partial sums a raw POST stores and ACCADD adds on the
 * last one, and a tfl POST (TFLite requantization) checked against a statement written here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chip_test.h"
#include "golden.h"

#define CMD "layer-test"
#define MAX_SHOWN 8
#define STIM_SALT 0x4c41594552544553ull /* "LAYERTES": stimulus stream apart from analog draws */
#define ZERO_PCT 10u
#define SPARSE_ZERO_PCT 70u
#define OUT_TARGET 48.0 /* typical |output| the random M/S aim for, in int8 LSB */
#define ADC_SIGMAS 3.0  /* auto adc_shift keeps this many sigma of a column code inside the ADC */

typedef struct lt_opts {
	cli_backend_opts be;
	uint32_t rows, cols, batch;
	int have_rows, have_cols, have_batch;
	const char *report;
	const char *sim_label;
	int relu;      /* -1: from the seed */
	int adc_shift; /* -1: automatic */
	int tfl;       /* 1: the hand-built ISA 3 program (u8, ACCADD, tfl POST) */
	int no_raw;    /* --raw 0: the layer as a network runs it, no RAW POST (timing runs) */
} lt_opts;

/* What one chip produced. */
typedef struct chip_out {
	int8_t *y;             /* batch x n */
	int32_t *raw;          /* batch x n; NULL with --raw 0 */
	aimc_counters delta;   /* counter increase over the run */
	uint32_t pv_pulses, pv_unconv; /* program-and-verify counters, summed over the tiles */
	uint64_t sim_cycles;   /* replay: the log's final cycle count */
	int ok;
} chip_out;

/* Everything the report needs. */
typedef struct lt_result {
	const lt_opts *o;
	const aimc_cfg *cfg;
	const char *sim;
	uint32_t relu, adc_shift;
	int ideal, l1_done, l1_pass, l0_done;
	uint64_t l1_mismatches, l0_mismatches, compared;
	double rms_err_lsb;
	uint64_t golden_saturated, golden_zero; /* stimulus spread: golden outputs at +-127 and 0 */
	aimc_counters counters;
	uint32_t pv_pulses, pv_unconv;
	uint64_t sim_cycles;
	double wall_s;
	int pass;
	char rerun[1024];
} lt_result;

static void help(void)
{
	printf("usage: aimc-test layer-test --config CFG --rows K --cols N --batch B [options]\n\n"
	       "A random int8 FC layer (N x K weights, B input vectors, bias, M, S, ReLU) from the\n"
	       "seed, compiled with RAW results and run on the back-end. Checks:\n"
	       "  L1 (ideal configs): RAW int32 == OpenBLAS dgemm + bias (at adc_shift > 0 with each\n"
	       "     conversion rounded as docs/numbers.md says), int8 outputs == the post formula of\n"
	       "     docs/numbers.md, event counters == their expected counts;\n"
	       "  L0 (back-ends other than cmodel): outputs, RAW words and event counters == the C model\n"
	       "     run in this process with the same config and seed.\n\n"
	       "  --rows K              layer inputs (1..65535)\n"
	       "  --cols N              layer outputs (1..65535)\n"
	       "  --batch B             input vectors per batch (1..acc_slots)\n"
	       "  --report FILE         write the JSON report (docs/reports.md)\n"
	       "  --relu 0|1            override the seed's ReLU choice\n"
	       "  --adc-shift S         override the automatic ADC shift (0..15; 0 in ideal configs)\n"
	       "  --sim-label NAME      name of the simulator in the report (default: the back-end)\n"
	       "  --tfl 0|1             1: a program built here with ISA 3 instructions instead of\n"
	       "                        the compiler's: u8 MVMs (x + 128, zero point folded into the\n"
	       "                        bias) on even vectors, signed MVMs with -128 on odd ones, row\n"
	       "                        blocks joined by raw POSTs and ACCADD, tfl POSTs (int8 outputs\n"
	       "                        checked against TFLite's arithmetic, docs/numbers.md)\n"
	       "  --raw 0|1             0: compile the layer as a network runs it, one int8 POST per\n"
	       "                        vector and no RAW POST (tile utilization runs); L0 then\n"
	       "                        compares outputs and counters only. Not with --tfl 1 or on an\n"
	       "                        ideal config (L1 checks the RAW words). Default 1\n"
	       CLI_BACKEND_HELP
	       "\nExit: 0 pass, 1 fail, 2 usage or input error.\n");
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 bits. */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* int8 in [-127, 127], zero with probability zero_pct %. */
static int8_t rng_i8(uint64_t *s, unsigned zero_pct)
{
	uint64_t r = rng_next(s);

	if (r % 100u < zero_pct)
		return 0;
	return (int8_t)((int)((r >> 8) % 255u) - 127);
}

static double rms_i8(const int8_t *v, size_t n)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (double)v[i] * v[i];
	return n > 0 ? sqrt(s / (double)n) : 0.0;
}

/* ADC shift that keeps ADC_SIGMAS sigma of one phase's column code inside the ADC range: the code
 * of a phase is sum_r d[r] w[r][c], d uniform over the slice values on about half the rows. */
static uint32_t auto_adc_shift(const aimc_cfg *cfg, double w_rms)
{
	double mask = (double)((1u << cfg->dac_bits) - 1u);
	double d2 = 0.5 * mask * (2.0 * mask + 1.0) / 6.0;
	double sigma = sqrt((double)cfg->rows * d2) * w_rms;
	double top = (double)((1u << (cfg->adc_bits - 1u)) - 1u);
	uint32_t s = 0;

	while (s < 15u && ADC_SIGMAS * sigma / (double)(1u << s) > top)
		s++;
	return s;
}

/* The layer and its inputs from the seed. */
static int make_layer(const lt_opts *o, const aimc_cfg *cfg, aimc_layer *ly, int8_t **xp,
		      uint32_t *relu, uint32_t *adc_shift)
{
	uint32_t k = o->rows, n = o->cols, batch = o->batch, i, b, c;
	uint64_t s = o->be.seed ^ STIM_SALT;
	double w_rms, x_rms, acc_sigma;
	int8_t *x;

	memset(ly, 0, sizeof(*ly));
	ly->k = k;
	ly->n = n;
	ly->w = malloc((size_t)n * k);
	ly->bias = malloc((size_t)n * sizeof(*ly->bias));
	ly->mult = malloc((size_t)n * sizeof(*ly->mult));
	ly->shift = malloc(n);
	x = malloc((size_t)batch * k);
	*xp = x;
	if (ly->w == NULL || ly->bias == NULL || ly->mult == NULL || ly->shift == NULL || x == NULL)
		return -1;
	for (i = 0; i < n * k; i++)
		ly->w[i] = rng_i8(&s, ZERO_PCT);
	/* Vector 1 sparse, vector 2 all zero, vector 3 non-negative: phase skipping and corners. */
	for (b = 0; b < batch; b++)
		for (i = 0; i < k; i++) {
			int8_t v = rng_i8(&s, b == 1 ? SPARSE_ZERO_PCT : ZERO_PCT);

			if (b == 2)
				v = 0;
			else if (b == 3 && v < 0)
				v = (int8_t)-v;
			x[(size_t)b * k + i] = v;
		}
	ly->relu = (uint32_t)(rng_next(&s) & 1u);
	if (o->relu >= 0)
		ly->relu = (uint32_t)o->relu;
	w_rms = rms_i8(ly->w, (size_t)n * k);
	x_rms = rms_i8(x, (size_t)batch * k);
	ly->adc_shift = aimc_cfg_is_ideal(cfg) ? 0u : auto_adc_shift(cfg, w_rms);
	if (o->adc_shift >= 0)
		ly->adc_shift = (uint32_t)o->adc_shift;
	acc_sigma = sqrt((double)k) * (w_rms > 1.0 ? w_rms : 1.0) * (x_rms > 1.0 ? x_rms : 1.0);

	/* M / 2^S about OUT_TARGET / acc_sigma, spread by 4x, some negative; bias within one sigma. */
	for (c = 0; c < n; c++) {
		uint32_t sh = 8u + (uint32_t)(rng_next(&s) % 17u);
		double g = OUT_TARGET / acc_sigma * (0.5 + 1.5 * rng_unit(&s));
		double m = floor(g * (double)(1ull << sh) + 0.5);
		int neg = rng_next(&s) % 5u == 0;

		if (m < 1.0)
			m = 1.0;
		if (m > 1073741824.0)
			m = 1073741824.0;
		ly->shift[c] = (uint8_t)sh;
		ly->mult[c] = neg ? -(int32_t)m : (int32_t)m;
		ly->bias[c] = (int32_t)floor((2.0 * rng_unit(&s) - 1.0) * acc_sigma + 0.5);
	}
	/* Corner columns: the smallest shift, the largest shift with the most negative M on a
	 * saturated acc + b, a negative M, and acc + b saturating low. */
	if (n > 0) {
		ly->shift[0] = 1;
		ly->mult[0] = 1;
	}
	if (n > 1) {
		ly->shift[1] = 62;
		ly->mult[1] = INT32_MIN;
		ly->bias[1] = INT32_MAX - 7;
	}
	if (n > 2 && ly->mult[2] > 0)
		ly->mult[2] = -ly->mult[2];
	if (n > 3)
		ly->bias[3] = INT32_MIN + 7;
	*relu = ly->relu;
	*adc_shift = ly->adc_shift;
	return 0;
}

static void free_layer(aimc_layer *ly)
{
	free(ly->w);
	free(ly->bias);
	free(ly->mult);
	free(ly->shift);
	memset(ly, 0, sizeof(*ly));
}

/* ---- --tfl: the ISA 3 program built here ---------------------------------------------------- */

/* Requantization parameters of the tfl POST, per output column. */
typedef struct tfl_par {
	int32_t *m;     /* multiplier M */
	uint32_t *e;    /* packed E: e [7:0], zp [15:8], lo [23:16], hi [31:24] */
} tfl_par;

static uint32_t pack_e(int e, int zp, int lo, int hi)
{
	return (uint32_t)(uint8_t)e | (uint32_t)(uint8_t)zp << 8 | (uint32_t)(uint8_t)lo << 16 |
	       (uint32_t)(uint8_t)hi << 24;
}

static int e_byte(uint32_t w, unsigned k)
{
	return (int)(int8_t)(uint8_t)(w >> (8u * k));
}

/* floor(v / 2^s) for 0 <= s <= 62, by division (not a shift of a negative number). */
static int64_t floor_pow2(int64_t v, unsigned s)
{
	const int64_t d = (int64_t)1 << s;
	int64_t q = v / d;

	return (v % d != 0 && v < 0) ? q - 1 : q;
}

/* The tfl POST of docs/numbers.md on t = sat32(acc + b), written apart from the C model: TFLite's
 * SRDHM(u, M) equals floor((u·M + 2^30) / 2^31) except INT32_MIN·INT32_MIN (INT32_MAX), and its
 * RDBPOT(h, r) rounds h / 2^r to nearest with ties away from zero. */
static int8_t tfl_golden(int32_t t, int32_t m, uint32_t e_word)
{
	const int e = e_byte(e_word, 0), zp = e_byte(e_word, 1);
	const int lo = e_byte(e_word, 2), hi = e_byte(e_word, 3);
	const uint32_t l = e > 0 ? (uint32_t)e : 0u, r = e < 0 ? (uint32_t)-e : 0u;
	const uint32_t ubits = (uint32_t)t << l;
	const int64_t u = ubits >= 0x80000000u ? (int64_t)ubits - 4294967296ll : (int64_t)ubits;
	int64_t h, mag, q, y;

	if (u == INT32_MIN && m == INT32_MIN)
		h = INT32_MAX;
	else
		h = floor_pow2(u * m + ((int64_t)1 << 30), 31);
	mag = h < 0 ? -h : h;
	q = r == 0 ? mag : (mag + ((int64_t)1 << (r - 1))) >> r;
	q = h < 0 ? -q : q;
	y = q + zp;
	return (int8_t)(y < lo ? lo : y > hi ? hi : y);
}

/* Requantization from the seed, the way TFLite quantizes a real multiplier g (M in [2^30, 2^31),
 * g = M / 2^31 · 2^e), aiming the outputs at about OUT_TARGET; zero points and clamps vary (full
 * range, ReLU-like lo = zp, narrow), and the corners e = 30 (u wraps), e = -31 and M = INT32_MIN
 * are taken by columns 0..2; columns 3 and 4 divide by a power of two 2^j (outputs about 32) so
 * that rounding ties are frequent: column 3 in RDBPOT (M = 2^(32-j), e = -1: every odd h is a
 * tie), column 4 in SRDHM (M = 2^30: every odd u·M / 2^31 ends in a half, e = 1 - j). Biases are kept within a few sigma (no saturation: the u8 path's
 * folded bias must give the same t as the signed path). */
static void tfl_params(const lt_opts *o, aimc_layer *ly, double acc_sigma, tfl_par *tp)
{
	uint64_t s = o->be.seed ^ STIM_SALT ^ 0x54464cull;
	uint32_t c;

	for (c = 0; c < ly->n; c++) {
		double g = OUT_TARGET / acc_sigma * (0.5 + 1.5 * rng_unit(&s)), f;
		int ex, zp = (int)(rng_next(&s) % 81u) - 40, lo = -128, hi = 127;
		uint64_t kind = rng_next(&s) % 20u;
		double mm;

		f = frexp(g, &ex); /* g = f·2^ex, f in [0.5, 1) */
		mm = floor(f * 2147483648.0 + 0.5);
		if (mm > 2147483647.0)
			mm = 2147483647.0;
		if (ex > 30)
			ex = 30;
		if (ex < -31)
			ex = -31;
		if (kind < 3) {          /* ReLU-like */
			lo = zp;
		} else if (kind < 6) {   /* narrow */
			lo = (int)(rng_next(&s) % 129u) - 128;
			hi = lo + (int)(rng_next(&s) % (uint64_t)(128 - lo));
		} else if (kind == 6) {
			zp = -128;
			lo = -128;
		}
		tp->m[c] = (int32_t)mm;
		tp->e[c] = pack_e(ex, zp, lo, hi);
		ly->bias[c] = (int32_t)floor((2.0 * rng_unit(&s) - 1.0) * acc_sigma + 0.5);
	}
	if (ly->n > 0) {
		tp->m[0] = (int32_t)(rng_next(&s) % 64u) + 1;
		tp->e[0] = pack_e(30, 3, -128, 127);
	}
	if (ly->n > 1) {
		tp->m[1] = INT32_MAX;
		tp->e[1] = pack_e(-31, -5, -128, 127);
	}
	if (ly->n > 2) {
		tp->m[2] = INT32_MIN;
		tp->e[2] = pack_e(-20, 0, -128, 127);
	}
	if (ly->n > 4) {
		int j = 2;

		while (j < 31 && acc_sigma / (double)(1u << (j < 31 ? j : 30)) > 32.0)
			j++;
		tp->m[3] = (int32_t)(1u << (32 - j)); /* j >= 2: at most 2^30 */
		tp->e[3] = pack_e(-1, 0, -128, 127);
		tp->m[4] = 1 << 30;
		tp->e[4] = pack_e(1 - j, 0, -128, 127);
	}
}

/* The program of --tfl (one batch, weights reprogrammed every batch): per column block, row
 * block rb on tile rb % num_tiles (a WAIT before a tile is used again); vector v into slot v, u8
 * for even v (input bytes x + 128, bias b - 128·sum_k w), signed for odd v; every row block but
 * the last stores its partial sum (raw POST, zero biases) in OUT; after a WAIT the last one's
 * tile adds them (ACCADD) and writes the tfl int8 outputs and the raw int32 (for L1). *xc gets
 * the input bytes the chip reads. AIMC_EFIT with a message if the layer does not fit. */
static int tfl_build(const aimc_cfg *cfg, const aimc_layer *ly, const int8_t *x, uint32_t batch,
		     uint32_t adc_shift,
		     const tfl_par *tp, aimc_image *img, int8_t **xc, char *err, size_t errlen)
{
	const uint32_t R = cfg->rows, C = cfg->cols, nt = cfg->num_tiles, k = ly->k, n = ly->n;
	const uint32_t n_rb = (k + R - 1) / R, n_cb = (n + C - 1) / C, blk = aimc_wgt_blk_words(cfg);
	const uint32_t t_last = (n_rb - 1) % nt, all = (uint32_t)((1ull << nt) - 1u);
	const uint32_t in_stride = n_rb * R / 4u, out_stride = n_cb * C / 4u;
	const uint32_t raw_base = batch * out_stride, raw_stride = n_cb * C;
	const uint32_t p_base = raw_base + batch * raw_stride;
	/* parameter blocks (3·Cols words): zeros for the partial sums (only with row blocks to join),
	 * then per column block the u8 one (folded bias) and the signed one (only with 2+ vectors) */
	const uint32_t pblk = 3u * C, has_z = n_rb > 1, per_cb = batch > 1 ? 2u : 1u;
	const uint64_t n_par = (uint64_t)pblk * (has_z + per_cb * n_cb);
	const uint64_t act_end = p_base + (uint64_t)(n_rb - 1) * batch * C;
	/* per column block: PROGs, WAITs before reused tiles, 3·n_rb - 1 + 1 commands per vector
	 * (MVMs, partial POSTs, ACCADDs, tfl and raw POST), two WAITs; then HALT */
	const uint64_t n_instr = (uint64_t)n_cb * (n_rb + (n_rb - 1) / nt + 3ull * n_rb * batch + 2u) +
				 1u;
	uint32_t cb, rb, v, i, o, pc = 0;
	int8_t *xb;

	memset(img, 0, sizeof(*img));
	*xc = NULL;
	if (batch > cfg->acc_slots || act_end > cfg->act_depth ||
	    (uint64_t)batch * in_stride > cfg->act_depth || n_instr > cfg->instr_depth ||
	    n_par > cfg->par_depth ||
	    (uint64_t)n_cb * n_rb * blk > cfg->wgt_depth) {
		snprintf(err, errlen, "--tfl: K=%u N=%u batch %u needs %u slots, %llu activation "
			 "words, %llu instructions, %u parameter and %u weight words; the config has "
			 "%u, %u, %u, %u and %u", k, n, batch, batch, (unsigned long long)act_end,
			 (unsigned long long)n_instr, (uint32_t)n_par, n_cb * n_rb * blk,
			 cfg->acc_slots, cfg->act_depth, cfg->instr_depth, cfg->par_depth,
			 cfg->wgt_depth);
		return AIMC_EFIT;
	}
	img->prog = calloc(n_instr, sizeof(*img->prog));
	img->n_wgt = (size_t)n_cb * n_rb * blk;
	img->wgt = calloc(img->n_wgt, sizeof(*img->wgt));
	img->n_par = (size_t)n_par;
	img->par = calloc(img->n_par, sizeof(*img->par));
	xb = malloc((size_t)batch * k);
	if (img->prog == NULL || img->wgt == NULL || img->par == NULL || xb == NULL) {
		free(xb);
		aimc_image_free(img);
		return AIMC_ENOMEM;
	}
	/* weights: block (cb, rb), row r, column c = w[cb·C + c][rb·R + r] (its slices, aimc_wgt_put),
	 * zero outside */
	for (cb = 0; cb < n_cb; cb++)
		for (rb = 0; rb < n_rb; rb++)
			for (i = 0; i < R * C; i++) {
				uint32_t kk = rb * R + i / C, oo = cb * C + i % C;
				int8_t w = kk < k && oo < n ? ly->w[(size_t)oo * k + kk] : 0;

				aimc_wgt_put(cfg, img->wgt + (size_t)(cb * n_rb + rb) * blk, i / C, i % C, w);
			}
	/* parameters: the zero block stays zero */
	for (o = 0; o < n; o++) {
		uint32_t cb_o = o / C, c = o % C;
		uint32_t pu = pblk * (has_z + per_cb * cb_o) + 3u * c, ps = pu + pblk * (per_cb - 1u);
		int64_t sw = 0, bf;

		for (i = 0; i < k; i++)
			sw += ly->w[(size_t)o * k + i];
		bf = (int64_t)ly->bias[o] - 128 * sw; /* |b| and 128·K·127 stay far inside int32 */
		/* the signed block only exists with 2+ vectors: at batch 1 ps == pu, and writing it
		 * overwrote the folded bias of the u8 block (L1 failed at --tfl 1 --batch 1) */
		if (per_cb > 1) {
			img->par[ps] = (uint32_t)ly->bias[o];
			img->par[ps + 1] = (uint32_t)tp->m[o];
			img->par[ps + 2] = tp->e[o];
		}
		img->par[pu] = (uint32_t)(int32_t)bf;
		img->par[pu + 1] = (uint32_t)tp->m[o];
		img->par[pu + 2] = tp->e[o];
	}
	/* columns past N keep E = 0: e = 0, lo = hi = 0, a legal word */
	/* the chip's input bytes */
	for (v = 0; v < batch; v++)
		for (i = 0; i < k; i++)
			xb[(size_t)v * k + i] = v % 2u == 0 ? (int8_t)(uint8_t)(x[(size_t)v * k + i] + 128)
							 : x[(size_t)v * k + i];
#define EMIT(op, t, f, a, b, c) (img->prog[pc++] = aimc_instr((op), (t), (f), (a), (b), (c)))
	for (cb = 0; cb < n_cb; cb++) {
		const uint32_t pz = 0, pu = pblk * (has_z + per_cb * cb), ps = pu + pblk * (per_cb - 1u);

		for (rb = 0; rb < n_rb; rb++) {
			const uint32_t t = rb % nt;

			if (rb > 0 && t == 0)
				EMIT(AIMC_OP_WAIT, 0, 0, 0, 0, all); /* a tile's boxes before its reuse */
			EMIT(AIMC_OP_PROG, t, 0, (cb * n_rb + rb) * blk, 0, 0);
			for (v = 0; v < batch; v++) {
				EMIT(AIMC_OP_MVM, t, v % 2u == 0 ? AIMC_FLAG_U8 : 0,
				     v * in_stride + rb * R / 4u, v, adc_shift);
				if (rb + 1 < n_rb)
					EMIT(AIMC_OP_POST, t, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT,
					     p_base + (rb * batch + v) * C, v, pz);
			}
		}
		EMIT(AIMC_OP_WAIT, 0, 0, 0, 0, all);
		for (v = 0; v < batch; v++) {
			const uint32_t par = v % 2u == 0 ? pu : ps;

			for (rb = 0; rb + 1 < n_rb; rb++)
				EMIT(AIMC_OP_ACCADD, t_last, AIMC_FLAG_FROM_OUT,
				     p_base + (rb * batch + v) * C, v, 0);
			EMIT(AIMC_OP_POST, t_last, AIMC_FLAG_TFL | AIMC_FLAG_DST_OUT,
			     v * out_stride + cb * C / 4u, v, par);
			EMIT(AIMC_OP_POST, t_last, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT,
			     raw_base + v * raw_stride + cb * C, v, par);
		}
		EMIT(AIMC_OP_WAIT, 0, 0, 0, 0, all);
	}
	EMIT(AIMC_OP_HALT, 0, 0, 0, 0, 0);
#undef EMIT
	img->n_prog = pc;
	img->batch = batch;
	img->in_base = 0;
	img->in_stride = in_stride;
	img->out_sel = 1;
	img->out_base = 0;
	img->out_stride = out_stride;
	img->raw_base = raw_base;
	img->raw_stride = raw_stride;
	img->act_words = (uint32_t)act_end;
	img->tiles_used = n_rb < nt ? n_rb : nt;
	*xc = xb;
	return AIMC_OK;
}

/* Load, run one batch, read the results and the counter increase. */
static int run_on_chip(const cli_backend_opts *be, const char *label, const aimc_cfg *cfg,
		       const aimc_image *img, const int8_t *x, uint32_t k, uint32_t n,
		       uint32_t max_polls, chip_out *out)
{
	aimc_mmio m = { NULL, NULL };
	aimc_counters c0, c1;
	uint32_t chip_err = 0, chip_pc = 0, t;
	int rc, rc2;

	rc = cli_backend_open(CMD, be, cfg, &m);
	if (rc != AIMC_OK)
		return rc;
	rc = cli_image_load(&m, cfg, img);
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "loading the image", rc);
		goto out;
	}
	rc = aimc_counters_read(&m, &c0);
	if (rc == AIMC_OK)
		rc = cli_image_run(&m, img, x, k, out->y, n, out->raw, max_polls, &chip_err, &chip_pc);
	if (rc == AIMC_ECHIP) {
		cli_errorf(CMD, "%s: the chip stopped with error code %u at instruction %u", label,
			   chip_err, chip_pc);
		goto out;
	}
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, label, rc);
		goto out;
	}
	rc = aimc_counters_read(&m, &c1);
	if (rc != AIMC_OK) {
		cli_report_rc(CMD, &m, "reading the counters", rc);
		goto out;
	}
	c1.bits = cfg->counter_bits; /* cfg5.counter_cut, checked by aimc_chip_init */
	aimc_counters_delta(&c0, &c1, &out->delta);
	/* Placement spreads the layer over the tiles: every tile's PV counters count. */
	out->pv_pulses = 0;
	out->pv_unconv = 0;
	for (t = 0; rc == AIMC_OK && t < cfg->num_tiles; t++) {
		uint32_t p = 0, u = 0;

		rc = aimc_pv_counters_read(&m, t, &p, &u);
		out->pv_pulses += p;
		out->pv_unconv += u;
	}
	if (rc != AIMC_OK)
		cli_report_rc(CMD, &m, "reading the program-and-verify counters", rc);
out:
	rc2 = cli_backend_close(CMD, be, &m, &out->sim_cycles);
	if (rc == AIMC_OK)
		rc = rc2;
	out->ok = rc == AIMC_OK;
	return rc;
}

/* Element i of an int8 (esize 1) or int32 (esize 4) array. */
static int32_t elem_at(const void *p, size_t esize, size_t i)
{
	return esize == 1 ? ((const int8_t *)p)[i] : ((const int32_t *)p)[i];
}

/* Mismatches of batch x n values (int8 or int32 by esize), the first MAX_SHOWN printed. */
static uint64_t cmp_vals(const char *what, const void *exp, const void *got, size_t esize, uint32_t batch,
			 uint32_t n, uint64_t *compared)
{
	uint64_t bad = 0;
	uint32_t b, c;

	for (b = 0; b < batch; b++)
		for (c = 0; c < n; c++) {
			size_t i = (size_t)b * n + c;
			int32_t e = elem_at(exp, esize, i), g = elem_at(got, esize, i);

			if (e == g)
				continue;
			if (bad < MAX_SHOWN)
				printf("  MISMATCH %s: vector %u, column %u: expected %d, got %d\n",
				       what, b, c, e, g);
			bad++;
		}
	*compared += (uint64_t)batch * n;
	return bad;
}

static uint64_t cmp_i8(const char *what, const int8_t *exp, const int8_t *got, uint32_t batch,
		       uint32_t n, uint64_t *compared)
{
	return cmp_vals(what, exp, got, 1, batch, n, compared);
}

static uint64_t cmp_i32(const char *what, const int32_t *exp, const int32_t *got, uint32_t batch,
			uint32_t n, uint64_t *compared)
{
	return cmp_vals(what, exp, got, 4, batch, n, compared);
}

static uint64_t cmp_counters(const char *what, const aimc_counters *exp, const aimc_counters *got,
			     int with_cycles, uint64_t *compared)
{
	const char *names[] = { "instrs", "mvms", "convs", "adc_convs", "sats", "prog_rows", "cycles" };
	uint64_t e[7] = { exp->instrs, exp->mvms, exp->convs, exp->adc_convs, exp->sats,
			  exp->prog_rows, exp->cycles };
	uint64_t g[7] = { got->instrs, got->mvms, got->convs, got->adc_convs, got->sats,
			  got->prog_rows, got->cycles };
	uint64_t bad = 0;
	int i, n = with_cycles ? 7 : 6;

	for (i = 0; i < n; i++) {
		if (e[i] != g[i]) {
			printf("  MISMATCH %s: counter %s: expected %llu, got %llu\n", what, names[i],
			       (unsigned long long)e[i], (unsigned long long)g[i]);
			bad++;
		}
	}
	*compared += (uint64_t)n;
	return bad;
}

static uint64_t cmp_one(const char *what, const char *name, uint32_t t, uint64_t e, uint64_t g,
			uint64_t *compared)
{
	++*compared;
	if (e == g)
		return 0;
	printf("  MISMATCH %s: %s (tile %u): expected %llu, got %llu\n", what, name, t,
	       (unsigned long long)e, (unsigned long long)g);
	return 1;
}

/* Per-tile event counters: equal tile by tile (L0), or their sums equal the chip-wide expected
 * events (L1: exp has no tiles). */
static uint64_t cmp_tile_events(const char *what, const aimc_counters *exp,
				const aimc_counters *got, uint64_t *compared)
{
	uint64_t bad = 0, s_mvms = 0, s_reads = 0, s_adc = 0, s_sats = 0;
	uint32_t t;

	for (t = 0; t < got->n_tiles && t < AIMC_MAX_TILES; t++) {
		const aimc_tile_counters *g = &got->tile[t], *e = &exp->tile[t];

		s_mvms += g->mvms;
		s_reads += g->reads;
		s_adc += g->adc_convs;
		s_sats += g->sats;
		if (exp->n_tiles == 0)
			continue;
		bad += cmp_one(what, "tile mvms", t, e->mvms, g->mvms, compared);
		bad += cmp_one(what, "tile reads", t, e->reads, g->reads, compared);
		bad += cmp_one(what, "tile adc_convs", t, e->adc_convs, g->adc_convs, compared);
		bad += cmp_one(what, "tile sats", t, e->sats, g->sats, compared);
	}
	if (exp->n_tiles != 0)
		bad += cmp_one(what, "tiles reported", 0, exp->n_tiles, got->n_tiles, compared);
	bad += cmp_one(what, "sum of tile mvms", 0, exp->mvms, s_mvms, compared);
	bad += cmp_one(what, "sum of tile reads", 0, exp->reads, s_reads, compared);
	bad += cmp_one(what, "reads_total", 0, exp->reads, got->reads, compared);
	bad += cmp_one(what, "sum of tile adc_convs", 0, exp->adc_convs, s_adc, compared);
	bad += cmp_one(what, "sum of tile sats", 0, exp->sats, s_sats, compared);
	return bad;
}

/* Cycle counters of a timed back-end: each tile is busy or idle in every busy cycle of the
 * sequencer (tiles run concurrently, but only while the sequencer is busy: HALT waits for them).
 * It waits max(settle, 1) cycles before the first array read of an MVM; the later reads settle
 * under the previous read's conversions (issue 17) and wait only for what does not fit there:
 * at most max(settle, 1) per read, at least one settle for a tile that read at all. */
static uint64_t check_tile_cycles(const aimc_cfg *cfg, const aimc_counters *got,
				  uint64_t *compared)
{
	const uint64_t settle = cfg->settle_cycles == 0 ? 1 : cfg->settle_cycles;
	uint64_t bad = 0, s_stalls = 0;
	uint32_t t;

	for (t = 0; t < got->n_tiles && t < AIMC_MAX_TILES; t++) {
		const aimc_tile_counters *g = &got->tile[t];

		bad += cmp_one("tile cycles", "busy + idle vs chip busy cycles", t, got->cycles,
			       (uint64_t)g->busy + g->idle, compared);
		if (g->stalls > g->reads * settle || (g->reads > 0 && g->stalls < settle))
			bad += cmp_one("tile cycles", "stalls within [settle, reads x settle]", t,
				       g->stalls > g->reads * settle ? g->reads * settle : settle,
				       g->stalls, compared);
		else
			(*compared)++;
		s_stalls += g->stalls;
	}
	bad += cmp_one("tile cycles", "stalls_total", 0, s_stalls, got->stalls, compared);
	return bad;
}

/* Counters an ideal chip must show for this layer (docs/numbers.md), independent of any model. */
static void expected_counters(const aimc_cfg *cfg, const aimc_image *img, const int8_t *x,
			      uint32_t k, uint32_t n, uint32_t batch, uint32_t golden_sats,
			      aimc_counters *e)
{
	uint32_t n_rb = (k + cfg->rows - 1) / cfg->rows, n_cb = (n + cfg->cols - 1) / cfg->cols;
	int8_t *seg = calloc(cfg->rows, 1);
	uint32_t rb, b, i;
	uint64_t phases = 0;

	memset(e, 0, sizeof(*e));
	/* The counters are read around the batch run; a setup program (resident weights, run once
	 * at load time) is not part of it. */
	e->instrs = (uint32_t)(img->n_prog - img->run_pc);
	e->mvms = n_cb * n_rb * batch;
	e->prog_rows = img->run_pc > 0 ? 0u : n_cb * n_rb * cfg->rows;
	/* Every POST computes sat32(acc + b) once per column: the RAW one and the int8 one. */
	e->sats = 2u * golden_sats;
	if (seg != NULL) {
		for (b = 0; b < batch; b++)
			for (rb = 0; rb < n_rb; rb++) {
				memset(seg, 0, cfg->rows);
				for (i = 0; i < cfg->rows && rb * cfg->rows + i < k; i++)
					seg[i] = x[(size_t)b * k + rb * cfg->rows + i];
				phases += aimc_golden_mvm_phases(seg, cfg->rows, cfg->dac_bits);
			}
		free(seg);
	}
	/* convs is tile 0's count: every column block there (serial), or only block 0 (resident:
	 * block i on tile i, docs/isa.md placement). */
	e->convs = (uint32_t)(phases * (img->resident ? 1u : n_cb));
	/* array reads on all tiles together (reads_total) */
	e->reads = (uint32_t)(phases * n_cb);
	e->adc_convs = (uint32_t)(phases * n_cb * aimc_cfg_array_cols(cfg)); /* pair columns */
}

static void fill_report(cli_json *j, void *arg)
{
	const lt_result *r = arg;

	cli_json_str(j, "test", "layer-test");
	cli_json_str(j, "config", r->cfg->name);
	cli_json_str(j, "config_path", r->o->be.config);
	cli_json_u64(j, "rows", r->o->rows);
	cli_json_u64(j, "cols", r->o->cols);
	cli_json_u64(j, "batch", r->o->batch);
	cli_json_u64(j, "seed", r->o->be.seed);
	cli_json_str(j, "sim", r->sim);
	cli_json_str(j, "backend", r->o->be.backend);
	cli_json_bool(j, "ideal", r->ideal);
	cli_json_u64(j, "relu", r->relu);
	cli_json_u64(j, "adc_shift", r->adc_shift);
	if (r->l1_done)
		cli_json_bool(j, "bit_exact_vs_openblas", r->l1_pass);
	else
		cli_json_null(j, "bit_exact_vs_openblas");
	if (r->l1_done)
		cli_json_u64(j, "mismatches_vs_openblas", r->l1_mismatches);
	else
		cli_json_null(j, "mismatches_vs_openblas");
	if (r->l0_done)
		cli_json_u64(j, "mismatches_vs_cmodel", r->l0_mismatches);
	else
		cli_json_null(j, "mismatches_vs_cmodel");
	cli_json_u64(j, "compared", r->compared);
	cli_json_f64(j, "rms_err_lsb_vs_golden", r->rms_err_lsb);
	cli_json_u64(j, "golden_outputs_saturated", r->golden_saturated);
	cli_json_u64(j, "golden_outputs_zero", r->golden_zero);
	cli_json_u64(j, "cycles", r->counters.cycles);
	if (r->sim_cycles > 0)
		cli_json_u64(j, "sim_cycles", r->sim_cycles);
	cli_json_counters(j, "counters", &r->counters);
	cli_json_u64(j, "pv_pulses", r->pv_pulses);
	cli_json_u64(j, "pv_unconverged_cells", r->pv_unconv);
	cli_json_f64(j, "wall_s", r->wall_s);
	cli_json_str(j, "rerun", r->rerun);
	cli_json_bool(j, "pass", r->pass);
}

static int parse_args(int argc, char **argv, lt_opts *o)
{
	static const char *const valued[] = {"--rows", "--cols", "--batch", "--report", "--relu", "--adc-shift", "--sim-label", "--tfl", "--raw", NULL};
	int i, r;

	memset(o, 0, sizeof(*o));
	cli_backend_defaults(&o->be);
	o->relu = -1;
	o->adc_shift = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		uint32_t u;

		r = cli_option(CMD, &o->be, argc, argv, &i, valued, help, &v);
		if (r < 0)
			return -1;
		if (r == CLI_OPT_HELP)
			return 1;
		if (r == CLI_OPT_NEXT)
			continue;
		if (strcmp(a, "--rows") == 0) {
			if (cli_parse_u32(CMD, a, v, 1, 65535, &o->rows) != 0)
				return -1;
			o->have_rows = 1;
		} else if (strcmp(a, "--cols") == 0) {
			if (cli_parse_u32(CMD, a, v, 1, 65535, &o->cols) != 0)
				return -1;
			o->have_cols = 1;
		} else if (strcmp(a, "--batch") == 0) {
			if (cli_parse_u32(CMD, a, v, 1, 65535, &o->batch) != 0)
				return -1;
			o->have_batch = 1;
		} else if (strcmp(a, "--report") == 0) {
			o->report = v;
		} else if (strcmp(a, "--sim-label") == 0) {
			if (v[0] == '\0') {
				cli_usage_error(CMD, "--sim-label: empty name");
				return -1;
			}
			o->sim_label = v;
		} else if (strcmp(a, "--relu") == 0) {
			if (cli_parse_u32(CMD, a, v, 0, 1, &u) != 0)
				return -1;
			o->relu = (int)u;
		} else if (strcmp(a, "--tfl") == 0) {
			if (cli_parse_u32(CMD, a, v, 0, 1, &u) != 0)
				return -1;
			o->tfl = (int)u;
		} else if (strcmp(a, "--raw") == 0) {
			if (cli_parse_u32(CMD, a, v, 0, 1, &u) != 0)
				return -1;
			o->no_raw = u == 0;
		} else {
			if (cli_parse_u32(CMD, a, v, 0, 15, &u) != 0)
				return -1;
			o->adc_shift = (int)u;
		}
	}
	if (!o->have_rows || !o->have_cols || !o->have_batch) {
		cli_usage_error(CMD, "--rows, --cols and --batch are required");
		return -1;
	}
	if (cli_backend_check(CMD, &o->be) != 0)
		return -1;
	return 0;
}

static void make_rerun(const lt_opts *o, const char *sim, int argc, char **argv, char *buf,
		       size_t len)
{
	size_t pos = 0;
	int i, n;

	buf[0] = '\0';
	if (o->relu < 0 && o->adc_shift < 0 && !o->tfl && !o->no_raw &&
	    (strcmp(sim, "cmodel") == 0 || strcmp(sim, "verilator") == 0 ||
	     strcmp(sim, "icarus") == 0)) {
		snprintf(buf, len,
			 "make layer-test CONFIG=%s ROWS=%u COLS=%u BATCH=%u SEED=%llu SIM=%s",
			 o->be.config, o->rows, o->cols, o->batch, (unsigned long long)o->be.seed,
			 sim);
		return;
	}
	n = snprintf(buf, len, "aimc-test");
	if (n < 0 || (size_t)n >= len)
		return;
	pos = (size_t)n;
	for (i = 0; i < argc; i++) { /* argv[0] is the subcommand, layer-test */
		n = snprintf(buf + pos, len - pos, " %s", argv[i]);
		if (n < 0 || (size_t)n >= len - pos)
			return;
		pos += (size_t)n;
	}
}

/* L1 (ideal configs): the chip's RAW results and int8 outputs against the golden (gold_acc,
 * gold_y: batch x n) and the counts that follow from the data alone. Adds to res. */
static void check_l1(lt_result *res, const aimc_image *img, const int8_t *x,
		     const int32_t *gold_acc, const int8_t *gold_y, uint32_t golden_sats,
		     const chip_out *dut)
{
	const lt_opts *o = res->o;
	const uint32_t k = o->rows, n = o->cols, batch = o->batch;
	aimc_counters exp;

	res->l1_done = 1;
	res->l1_mismatches += cmp_i32("L1 raw acc+b vs OpenBLAS", gold_acc, dut->raw, batch, n,
				      &res->compared);
	res->l1_mismatches += cmp_i8("L1 output vs golden post", gold_y, dut->y, batch, n,
				     &res->compared);
	/* the expected counts follow the compiler's program; --tfl builds its own */
	if (!o->tfl) {
		expected_counters(res->cfg, img, x, k, n, batch, golden_sats, &exp);
		res->l1_mismatches += cmp_counters("L1 counters", &exp, &dut->delta, 0,
						   &res->compared);
		res->l1_mismatches += cmp_tile_events("L1 tile counters", &exp, &dut->delta,
						      &res->compared);
	}
	if (strcmp(cli_backend_kind(&o->be), "cmodel") != 0)
		res->l1_mismatches += check_tile_cycles(res->cfg, &dut->delta, &res->compared);
	res->l1_pass = res->l1_mismatches == 0;
}

/* L0: the same image and inputs xin on the C model in this process (into ref), every output,
 * RAW word and event counter compared with the chip's. 0, or -1 if the C model run did not
 * complete (printed). Adds to res. */
static int check_l0(lt_result *res, const aimc_image *img, const int8_t *xin, uint32_t max_polls,
		    const chip_out *dut, chip_out *ref)
{
	const uint32_t k = res->o->rows, n = res->o->cols, batch = res->o->batch;
	cli_backend_opts ref_be = res->o->be;

	ref_be.backend = "cmodel";
	ref_be.record = NULL;
	ref_be.waves = NULL;
	run_on_chip(&ref_be, "cmodel", res->cfg, img, xin, k, n, max_polls, ref);
	if (!ref->ok) {
		printf("layer-test: FAIL (the reference C model run did not complete)\n");
		return -1;
	}
	res->l0_done = 1;
	res->l0_mismatches += cmp_i8("L0 output vs cmodel", ref->y, dut->y, batch, n,
				     &res->compared);
	if (ref->raw != NULL && dut->raw != NULL)
		res->l0_mismatches += cmp_i32("L0 raw vs cmodel", ref->raw, dut->raw, batch, n,
					      &res->compared);
	/* The C model has no timing (cycles stay 0): compare the event counters. */
	res->l0_mismatches += cmp_counters("L0 counters vs cmodel", &ref->delta, &dut->delta, 0,
					   &res->compared);
	if (ref->pv_pulses != dut->pv_pulses || ref->pv_unconv != dut->pv_unconv) {
		printf("  MISMATCH L0 program-and-verify counters vs cmodel: expected pulses %u "
		       "unconverged %u, got pulses %u unconverged %u\n", ref->pv_pulses,
		       ref->pv_unconv, dut->pv_pulses, dut->pv_unconv);
		res->l0_mismatches++;
	}
	res->compared += 2;
	res->l0_mismatches += cmp_tile_events("L0 tile counters vs cmodel", &ref->delta,
					      &dut->delta, &res->compared);
	res->l0_mismatches += check_tile_cycles(res->cfg, &dut->delta, &res->compared);
	return 0;
}

/* The verdict lines: L1, L0, the golden's spread, what was compared, counters, PASS/FAIL. */
static void print_summary(const lt_result *res)
{
	if (res->l1_done)
		printf("  L1 vs OpenBLAS: %s (%llu mismatches)\n", res->l1_pass ? "bit-exact" : "DIFFERS",
		       (unsigned long long)res->l1_mismatches);
	else
		printf("  L1 vs OpenBLAS: not applicable (config is not ideal)\n");
	if (res->l0_done)
		printf("  L0 vs cmodel: %llu mismatches\n", (unsigned long long)res->l0_mismatches);
	else
		printf("  L0 vs cmodel: not applicable (the back-end is the C model)\n");
	printf("  golden outputs: %llu of %u saturated, %llu zero\n",
	       (unsigned long long)res->golden_saturated, res->o->batch * res->o->cols,
	       (unsigned long long)res->golden_zero);
	printf("  compared %llu values, rms error vs golden %.3f LSB, %llu busy cycles, "
	       "%u instructions, %u MVMs, %u conversions, %.3f s\n",
	       (unsigned long long)res->compared, res->rms_err_lsb,
	       (unsigned long long)res->counters.cycles, res->counters.instrs, res->counters.mvms,
	       res->counters.convs, res->wall_s);
	if (res->cfg->pv_enable)
		printf("  program-and-verify (all tiles): %u row pulses, %u unconverged cells\n",
		       res->pv_pulses, res->pv_unconv);
	cli_print_tile_counters("layer-test", &res->counters);
	printf("layer-test: %s\n", res->pass ? "PASS" : "FAIL");
	if (!res->pass)
		printf("rerun: %s\n", res->rerun);
}

int cli_cmd_layer_test(int argc, char **argv)
{
	lt_opts o;
	lt_result res;
	aimc_cfg cfg;
	aimc_layer ly;
	aimc_net net;
	aimc_image img;
	int8_t *x = NULL, *gold_y = NULL;
	int32_t *gold_acc = NULL;
	chip_out dut, ref;
	tfl_par tp = { NULL, NULL };
	int8_t *xc = NULL;
	uint32_t golden_sats = 0, max_polls, k, n, batch, i;
	char err[512];
	double t0 = cli_now(), se = 0.0;
	int rc, exit_code = CLI_EXIT_FAIL;

	memset(&ly, 0, sizeof(ly));
	memset(&img, 0, sizeof(img));
	memset(&dut, 0, sizeof(dut));
	memset(&ref, 0, sizeof(ref));
	memset(&res, 0, sizeof(res));
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	if (cli_load_config(CMD, o.be.config, &cfg) != 0)
		return CLI_EXIT_USAGE;
	if (o.no_raw && o.tfl)
		return cli_usage_error(CMD, "--raw 0 and --tfl 1: the --tfl program is built here with "
				       "its own RAW POST");
	if (o.no_raw && aimc_cfg_is_ideal(&cfg))
		return cli_usage_error(CMD, "--raw 0 drops the RAW words that L1 checks on an ideal "
				       "config (%s); use it on a config that is not ideal", cfg.name);
	if (o.tfl && !cfg.isa_tfl)
		return cli_usage_error(CMD, "--tfl 1 needs the tfl POST and ACCADD; config %s has "
				       "isa_tfl = 0 (built without them, docs/configs.md)", cfg.name);
	k = o.rows;
	n = o.cols;
	batch = o.batch;
	res.o = &o;
	res.cfg = &cfg;
	res.sim = o.sim_label != NULL ? o.sim_label : cli_backend_kind(&o.be);
	res.ideal = aimc_cfg_is_ideal(&cfg);
	make_rerun(&o, res.sim, argc, argv, res.rerun, sizeof(res.rerun));
	/* before make_layer allocates rows x cols weights (4 GB at 65535 x 65535) */
	if (cli_layer_fits(CMD, &cfg, k, n) != 0)
		return CLI_EXIT_USAGE;

	if (make_layer(&o, &cfg, &ly, &x, &res.relu, &res.adc_shift) != 0) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}
	net.n_layers = 1;
	net.n_classes = n;
	net.in_scale = 1.0f;
	net.layers = &ly;
	if (o.tfl) {
		/* full int8 inputs: -128 and 127 in every vector (0 and 255 on the u8 path) */
		uint64_t s = o.be.seed ^ STIM_SALT ^ 0x78ull;

		tp.m = malloc((size_t)n * sizeof(*tp.m));
		tp.e = malloc((size_t)n * sizeof(*tp.e));
		if (tp.m == NULL || tp.e == NULL) {
			cli_errorf(CMD, "out of memory");
			goto out;
		}
		for (i = 0; i < batch * k; i++)
			x[i] = (int8_t)((int)(rng_next(&s) % 256u) - 128);
		for (i = 0; i < batch; i++) {
			x[(size_t)i * k] = -128;
			x[(size_t)i * k + (k - 1) / 2] = 127;
		}
		ly.relu = 0;
		res.relu = 0;
		tfl_params(&o, &ly, sqrt((double)k) * 73.0 * 73.0, &tp);
		rc = tfl_build(&cfg, &ly, x, batch, ly.adc_shift, &tp, &img, &xc, err, sizeof(err));
	} else {
		rc = aimc_compile_ex(&net, &cfg, batch, o.no_raw ? 0u : AIMC_COMPILE_RAW, &img, err,
				     sizeof(err));
	}
	if (rc != AIMC_OK) {
		cli_errorf(CMD, "config %s: %s (%s)", cfg.name, err, aimc_strerror(rc));
		exit_code = CLI_EXIT_USAGE;
		goto out;
	}
	max_polls = o.be.max_polls != 0 ? o.be.max_polls : cli_max_polls(&cfg, &img);

	gold_acc = malloc((size_t)batch * n * sizeof(*gold_acc));
	gold_y = malloc((size_t)batch * n);
	dut.y = malloc((size_t)batch * n);
	ref.y = malloc((size_t)batch * n);
	if (!o.no_raw) {
		dut.raw = malloc((size_t)batch * n * sizeof(*dut.raw));
		ref.raw = malloc((size_t)batch * n * sizeof(*ref.raw));
	}
	if (gold_acc == NULL || gold_y == NULL || dut.y == NULL || ref.y == NULL ||
	    (!o.no_raw && (dut.raw == NULL || ref.raw == NULL))) {
		cli_errorf(CMD, "out of memory");
		goto out;
	}
	/* L1's golden: the exact layer; at adc_shift > 0 the per-conversion rounding of a noise-free
	 * chip (ties away from zero) spelled out in the golden too */
	if ((res.ideal && res.adc_shift > 0
		     ? aimc_golden_fc_acc_conv_ws(ly.w, ly.bias, n, k, x, batch, cfg.rows, cfg.dac_bits,
						  cfg.adc_bits, res.adc_shift, cfg.weight_slices,
						  cfg.slice_bits, gold_acc, &golden_sats)
		     : aimc_golden_fc_acc(ly.w, ly.bias, n, k, x, batch, gold_acc, &golden_sats)) != 0) {
		cli_errorf(CMD, "golden model failed");
		goto out;
	}
	for (i = 0; i < batch * n; i++) {
		gold_y[i] = o.tfl ? tfl_golden(gold_acc[i], tp.m[i % n], tp.e[i % n])
				  : aimc_golden_post(gold_acc[i], ly.mult[i % n], ly.shift[i % n],
						     (int)ly.relu);
		res.golden_saturated += gold_y[i] == 127 || gold_y[i] == -127;
		res.golden_zero += gold_y[i] == 0;
	}

	printf("layer-test: config %s, K=%u N=%u batch %u, seed %llu, sim %s (back-end %s), relu %u, "
	       "adc_shift %u, %s\n",
	       cfg.name, k, n, batch, (unsigned long long)o.be.seed, res.sim, o.be.backend, res.relu,
	       res.adc_shift, res.ideal ? "ideal config" : "noisy config");
	run_on_chip(&o.be, res.sim, &cfg, &img, o.tfl ? xc : x, k, n, max_polls, &dut);
	if (!dut.ok) {
		printf("layer-test: FAIL (the run on %s did not complete)\n", res.sim);
		goto report;
	}
	res.counters = dut.delta;
	res.pv_pulses = dut.pv_pulses;
	res.pv_unconv = dut.pv_unconv;
	res.sim_cycles = dut.sim_cycles;

	/* L1: exact against OpenBLAS and counts that follow from the data alone (--tfl: at adc_shift
	 * 0 only, the golden's per-conversion rounding follows signed slices) */
	if (res.ideal && !(o.tfl && res.adc_shift > 0))
		check_l1(&res, &img, x, gold_acc, gold_y, golden_sats, &dut);
	for (i = 0; i < batch * n; i++)
		se += ((double)dut.y[i] - gold_y[i]) * ((double)dut.y[i] - gold_y[i]);
	res.rms_err_lsb = sqrt(se / ((double)batch * n));

	/* L0: every bit against the C model in this process. */
	if (strcmp(cli_backend_kind(&o.be), "cmodel") != 0 &&
	    check_l0(&res, &img, o.tfl ? xc : x, max_polls, &dut, &ref) != 0)
		goto report;
	res.pass = (!res.l1_done || res.l1_pass) && (!res.l0_done || res.l0_mismatches == 0);
	exit_code = res.pass ? CLI_EXIT_PASS : CLI_EXIT_FAIL;

report:
	res.wall_s = cli_now() - t0;
	print_summary(&res);
	if (o.report != NULL && cli_json_write_file(CMD, o.report, fill_report, &res) != 0)
		exit_code = CLI_EXIT_FAIL;
out:
	free_layer(&ly);
	free(x);
	free(gold_acc);
	free(gold_y);
	free(xc);
	free(tp.m);
	free(tp.e);
	free(dut.y);
	free(dut.raw);
	free(ref.y);
	free(ref.raw);
	aimc_image_free(&img);
	return exit_code;
}
