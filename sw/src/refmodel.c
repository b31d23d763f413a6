/* SPDX-License-Identifier: Apache-2.0 */
/* C reference model of the chip: CSRs, memory windows, sequencer and tiles, executing
 * docs/isa.md with the arithmetic of docs/numbers.md (its executable form). See refmodel.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_analog.h"
#include "aimc_regs.h"
#include "refmodel.h"

#define MAP_OFF(member) ((uint32_t)offsetof(aimc_map_t, member))
#define CSR_ADDR(reg) MAP_OFF(csr.reg)
#define MAP_SIZE(member) ((uint32_t)sizeof(((aimc_map_t *)0)->member))
#define FIELD(v, F) (((uint32_t)(v) << F##_bp) & F##_bm)
#define FIELD_GET(v, F) (((v) & F##_bm) >> F##_bp)
#define INSTR_FIELD(in, F) ((uint32_t)(((in) >> AIMC_INSTR_##F##_LSB) & AIMC_INSTR_##F##_MASK))

enum { BUF_INSTR, BUF_ACT_IN, BUF_ACT_OUT, BUF_PARAM, BUF_WEIGHT, BUF_COUNT };
enum { PH_POS, PH_NEG };
#define MAX_TILES (AIMC_INSTR_TILE_MASK + 1u) /* per-tile counter arrays of the CSR block */

#define LOOP_COUNTERS 4u
/* A program that runs this many instructions without HALT is taken as hung (the RTL would run on
 * until a watchdog or a reset; a model call must return). */
#define MAX_STEPS (1ull << 28)

/* Activation words an instruction reads or writes, IN at 0.., OUT at act_depth.. (inclusive). */
typedef struct act_box {
	int valid;
	uint64_t lo, hi;
} act_box;

struct aimc_refmodel {
	aimc_cfg cfg;
	aimc_xbar *xb;

	/* memory windows: word arrays of the configured depth (instructions: two words each) */
	uint32_t *buf[BUF_COUNT];
	uint32_t depth[BUF_COUNT];

	/* CSR state */
	uint32_t ctrl;          /* irq_en_* bits as stored; start is a pulse and never stored */
	uint32_t status;        /* halted / error; busy is never visible */
	uint32_t irq;
	uint32_t err_code, err_pc;
	uint32_t start_pc, settle, scratch;
	uint32_t pv_ctrl, pv_tol;  /* program-and-verify settings, as stored */
	uint32_t pv_sel;           /* tile shown by pv_pulses / pv_unconv */
	uint32_t cfg_rb[6];     /* cfg0..cfg5 readback */

	/* event counters (32-bit, wrap like the RTL's) */
	uint32_t instrs, mvms, adc_convs, sats;
	/* per-tile event counters since power-on (soft_reset keeps them); busy, idle and stall
	 * cycles read 0: no timing */
	uint32_t t_mvms[MAX_TILES], t_reads[MAX_TILES], t_adc[MAX_TILES], t_sats[MAX_TILES];
	uint32_t cur_tile;      /* tile of the command being executed (saturation accounting) */

	/* errors: sat_mode, watchdog budget (stored only: no timing), bus-error record */
	uint32_t sat_mode, watchdog;
	uint32_t bus_err, bus_err_addr; /* as read: valid, write, resp, count */

	/* tiles */
	int32_t *acc;           /* [tile][slot][col] */
	uint32_t *conv_cnt;     /* per tile: array reads since reset (read-noise event index) */
	uint32_t *prog_cnt;     /* per tile: rows programmed since reset (programming event index) */
	uint32_t *pv_pulses;    /* per tile: row pulses since reset (pulse event index) */
	uint32_t *pv_verifies;  /* per tile: verify reads since reset (verify event index) */
	uint32_t *pv_unconv;    /* per tile: cells left unconverged since reset */

	/* scratch vectors of one tile operation */
	int32_t *x;             /* rows */
	uint8_t *d;             /* rows */
	int8_t *wrow;           /* cols */
	uint8_t *pv_done;       /* 2·cols: cell verified within tolerance (sticky for the row) */
	uint8_t *pv_ok;         /* 2·cols: result of the last verify read */

	/* sequencer state beyond the PC: loop counters and, per tile, the activation words its
	 * commands read and write since the last WAIT covering it (the TILE_CONFLICT check) */
	uint32_t lc[LOOP_COUNTERS];
	act_box *rd_box, *wr_box;
	int32_t *codes;         /* cols: ADC codes of one array read */
};

/* ---- helpers: portable two's-complement views and the rounding of docs/numbers.md ------------ */

static int32_t as_s32(uint32_t v)
{
	return v <= INT32_MAX ? (int32_t)v : (int32_t)(v - 0x80000000u) + INT32_MIN;
}

/* Signed byte k (0 = bits [7:0]) of a word. */
static int32_t byte_s8(uint32_t word, uint32_t k)
{
	int32_t b = (int32_t)((word >> (8u * k)) & 0xffu);

	return b >= 128 ? b - 256 : b;
}

/* An event counter as the CSR reads it: the RTL keeps only its low counter_bits bits (the model
 * counts in 32 bits; the low bits of the same count are the RTL's wrapped counter). */
static uint32_t counter_cut(const aimc_refmodel *rm, uint32_t v)
{
	return rm->cfg.counter_bits < 32 ? v & ((1u << rm->cfg.counter_bits) - 1u) : v;
}

/* Arithmetic right shift (floor division by 2^s), written out so it does not depend on how the
 * compiler shifts negative numbers. */
static int64_t asr64(int64_t v, uint32_t s)
{
	return v >= 0 ? v >> s : -((-(v + 1)) >> s) - 1;
}

static int32_t sat32(aimc_refmodel *rm, int64_t v)
{
	if (v > INT32_MAX) {
		rm->sats++;
		rm->t_sats[rm->cur_tile]++;
		return INT32_MAX;
	}
	if (v < INT32_MIN) {
		rm->sats++;
		rm->t_sats[rm->cur_tile]++;
		return INT32_MIN;
	}
	return (int32_t)v;
}

static int32_t *acc_slot(aimc_refmodel *rm, uint32_t tile, uint32_t slot)
{
	return &rm->acc[((size_t)tile * rm->cfg.acc_slots + slot) * rm->cfg.cols];
}

/* ---- tiles ----------------------------------------------------------------------------------- */

/* Program-and-verify of one row (the loop of rtl/tile/aimc_tile.sv, docs/analog-model.md): verify;
 * then, while some cell is not done and the budget allows, pulse the cells not done and verify
 * again. A cell is done once a verify read finds it within tolerance (then inhibited). Sets *failed
 * if the budget ran out with cells not done, which are added to the unconverged counter. */
static int pv_row(aimc_refmodel *rm, uint32_t tile, uint32_t row, int *failed)
{
	const uint32_t cells = 2 * aimc_cfg_array_cols(&rm->cfg);
	const uint32_t budget = FIELD_GET(rm->pv_ctrl, AIMC_CSR__PV_CTRL__BUDGET);
	const uint32_t tol = FIELD_GET(rm->pv_tol, AIMC_CSR__PV_TOL__TOL);
	uint32_t k, pulses = 0, left;

	*failed = 0;
	memset(rm->pv_done, 0, cells);
	for (;;) {
		if (aimc_xbar_verify_row(rm->xb, tile, row, rm->wrow, tol, rm->pv_verifies[tile]++,
					 rm->pv_ok) < 0)
			return AIMC_ECONFIG;
		left = 0;
		for (k = 0; k < cells; k++) {
			rm->pv_done[k] |= rm->pv_ok[k];
			left += !rm->pv_done[k];
		}
		if (left == 0)
			return AIMC_OK;
		if (pulses == budget) {
			rm->pv_unconv[tile] += left;
			*failed = 1;
			return AIMC_OK;
		}
		for (k = 0; k < cells; k++)
			rm->pv_ok[k] = !rm->pv_done[k]; /* the pulse mask */
		if (aimc_xbar_pulse_row(rm->xb, tile, row, rm->wrow, rm->pv_ok, rm->pv_pulses[tile]++) != 0)
			return AIMC_ECONFIG;
		pulses++;
	}
}

/* PROG: cell pair c of row r (c < Cols·WeightSlices) takes byte r·Cols·WeightSlices + c counted
 * from word a of the weight buffer, clamped to [-top, top] (top = 127, or 2^SliceBits - 1). With
 * program-and-verify and pv_ctrl.stop, the first row left with unconverged cells ends the
 * instruction with *chip_err = PV_FAIL (that row counts as programmed, later rows are untouched).
 * A chip with the digital-twin crossbar (xbar_impl 1) has no program-and-verify engine
 * (rtl/tile/aimc_pv.sv, PvEngine = 0): PROG is one-shot whatever pv_ctrl holds, and pv_pulses and
 * pv_unconv stay 0 (pv_ctrl, pv_tol and pv_sel read 0 there too, csr_read). */
static int tile_prog(aimc_refmodel *rm, uint32_t tile, uint32_t a, uint32_t *chip_err)
{
	const aimc_cfg *cfg = &rm->cfg;
	const uint32_t *wgt = rm->buf[BUF_WEIGHT];
	const int pv = cfg->xbar_impl != 1 && (rm->pv_ctrl & AIMC_CSR__PV_CTRL__ENABLE_bm) != 0;
	const uint32_t ac = aimc_cfg_array_cols(cfg);
	const int32_t top = (int32_t)aimc_cfg_cell_top(cfg);
	uint32_t r, c;
	int failed, rc;

	for (r = 0; r < cfg->rows; r++) {
		for (c = 0; c < ac; c++) {
			uint32_t i = r * ac + c;
			int32_t w = byte_s8(wgt[a + i / 4], i % 4);

			/* the hardware clamps (-128 to -127 with one slice) */
			rm->wrow[c] = (int8_t)(w < -top ? -top : w > top ? top : w);
		}
		if (pv) {
			rc = pv_row(rm, tile, r, &failed);
			if (rc != AIMC_OK)
				return rc;
			rm->prog_cnt[tile]++;
			if (failed && (rm->pv_ctrl & AIMC_CSR__PV_CTRL__STOP_bm)) {
				*chip_err = AIMC_CHIP_ERR_PV_FAIL;
				return AIMC_OK;
			}
			continue;
		}
		if (aimc_xbar_program_row(rm->xb, tile, r, rm->wrow, rm->prog_cnt[tile]) != 0)
			return AIMC_ECONFIG;
		rm->prog_cnt[tile]++;
	}
	return AIMC_OK;
}

/* MVM: the bit-sliced, two-phase matrix-vector multiply of docs/numbers.md. The slices cover 8
 * magnitude bits (-128 is magnitude 128); with the u8 flag the input bytes are unsigned, so every
 * active row is in the positive phase and the negative phase is skipped. With bit-sliced weights
 * each ADC converts WeightSlices·ColsPerAdc pair columns per read: mux position g holds slice
 * g % WeightSlices of logical column j·ColsPerAdc + g / WeightSlices, added shifted by its
 * slice weight (docs/numbers.md "Bit-sliced weights"). */
static int tile_mvm(aimc_refmodel *rm, uint32_t tile, uint32_t flags, uint32_t a, uint32_t slot,
		    uint32_t adc_shift)
{
	const aimc_cfg *cfg = &rm->cfg;
	const uint32_t *src = rm->buf[(flags & AIMC_FLAG_SRC_OUT) ? BUF_ACT_OUT : BUF_ACT_IN];
	const uint32_t ns = (8 + cfg->dac_bits - 1) / cfg->dac_bits; /* ceil(8 / DacBits) */
	const int u8 = (flags & AIMC_FLAG_U8) != 0;
	const uint32_t mask = (1u << cfg->dac_bits) - 1;
	const uint32_t na = cfg->cols / cfg->cols_per_adc;
	const uint32_t nw = cfg->weight_slices, wb = cfg->slice_bits;
	const uint32_t pg = cfg->cols_per_adc * nw; /* pair columns per ADC */
	int32_t *acc = acc_slot(rm, tile, slot);
	uint32_t r, c, s, ph, g, j;

	for (r = 0; r < cfg->rows; r++)
		rm->x[r] = u8 ? (int32_t)((src[a + r / 4] >> (8u * (r % 4))) & 0xffu)
			      : byte_s8(src[a + r / 4], r % 4);
	if (!(flags & AIMC_FLAG_ACC))
		for (c = 0; c < cfg->cols; c++)
			acc[c] = 0;

	for (s = 0; s < ns; s++) {
		for (ph = PH_POS; ph <= PH_NEG; ph++) {
			const uint32_t sh = s * cfg->dac_bits + adc_shift;
			int any = 0;

			for (r = 0; r < cfg->rows; r++) {
				int32_t x = rm->x[r];
				int on = (ph == PH_POS && x > 0) || (ph == PH_NEG && x < 0);
				uint32_t mag = (uint32_t)(x < 0 ? -x : x);

				rm->d[r] = (uint8_t)(on ? (mag >> (s * cfg->dac_bits)) & mask : 0);
				any |= rm->d[r] != 0;
			}
			if (!any)
				continue; /* skipped phase: no DAC update, no conversion, no count */
			if (aimc_xbar_apply(rm->xb, tile, rm->d) != 0)
				return AIMC_ECONFIG;
			/* all columns of this array read at once: the bits of one aimc_xbar_convert
			 * per column, which is what the RTL's ADCs call in their mux order */
			if (aimc_xbar_convert_all(rm->xb, tile, rm->conv_cnt[tile], adc_shift, rm->codes) != 0)
				return AIMC_ECONFIG;
			for (g = 0; g < pg; g++) {
				for (j = 0; j < na; j++) {
					const uint32_t ws = nw > 1 ? (g % nw) * wb : 0; /* slice weight */
					int64_t code, term;

					c = j * cfg->cols_per_adc + g / nw;
					code = rm->codes[j * pg + g];
					term = code * ((int64_t)1 << (sh + ws));
					acc[c] = sat32(rm, (int64_t)acc[c] + (ph == PH_POS ? term : -term));
					rm->adc_convs++;
					rm->t_adc[tile]++;
				}
			}
			rm->conv_cnt[tile]++;
			rm->t_reads[tile]++;
		}
	}
	rm->t_mvms[tile]++; /* the chip's mvms counts retired MVMs: seq_run */
	return AIMC_OK;
}

/* TFLite's SaturatingRoundingDoublingHighMul (docs/numbers.md, "POST with tfl"): the high word of
 * 2·a·b, rounded with the nudge 2^30 (1 - 2^30 below zero) and truncated toward zero; the one
 * overflow, INT32_MIN·INT32_MIN, saturates. */
static int32_t srdhm(int32_t a, int32_t b)
{
	int64_t ab, nudge;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	ab = (int64_t)a * b;
	nudge = ab >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
	return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* C division truncates toward zero */
}

/* TFLite's RoundingDivideByPOT: x / 2^r rounded to nearest, ties away from zero; r in [0, 31]. */
static int32_t rdbpot(int32_t x, uint32_t r)
{
	const uint32_t mask = (uint32_t)(((uint64_t)1 << r) - 1);
	const uint32_t rem = (uint32_t)x & mask;  /* two's-complement low bits */
	const uint32_t thr = (mask >> 1) + (x < 0);

	return (int32_t)asr64(x, r) + (rem > thr);
}

/* The tfl POST of one column after the bias (docs/numbers.md): E packs e, zp, lo, hi (int8 each,
 * checked by the caller). Returns the int8 output. */
static int32_t tfl_requant(int32_t t, int32_t m, uint32_t e_word)
{
	const int32_t e = byte_s8(e_word, 0), zp = byte_s8(e_word, 1);
	const int32_t lo = byte_s8(e_word, 2), hi = byte_s8(e_word, 3);
	const uint32_t l = e > 0 ? (uint32_t)e : 0, r = e < 0 ? (uint32_t)-e : 0;
	const int32_t u = as_s32((uint32_t)t << l); /* wraps, as TFLite's int32 multiply by 2^l */
	int64_t y = (int64_t)rdbpot(srdhm(u, m), r) + zp;

	return (int32_t)(y < lo ? lo : y > hi ? hi : y);
}

/* BAD_PARAM check of a tfl POST's packed word E: e in [-31, 30], lo <= hi. */
static int tfl_e_ok(uint32_t e_word)
{
	const int32_t e = byte_s8(e_word, 0);

	return e >= -31 && e <= 30 && byte_s8(e_word, 2) <= byte_s8(e_word, 3);
}

/* POST: per column, parameters b, M, S (tfl: b, M, E) at word p + 3c. Returns a chip error code. */
static uint32_t tile_post(aimc_refmodel *rm, uint32_t tile, uint32_t flags, uint32_t a,
			  uint32_t slot, uint32_t p)
{
	const aimc_cfg *cfg = &rm->cfg;
	uint32_t *dst = rm->buf[(flags & AIMC_FLAG_DST_OUT) ? BUF_ACT_OUT : BUF_ACT_IN];
	const uint32_t *par = rm->buf[BUF_PARAM];
	const int32_t *acc = acc_slot(rm, tile, slot);
	uint32_t word = 0;
	uint32_t c;

	for (c = 0; c < cfg->cols; c++) {
		const int32_t b = as_s32(par[p + 3 * c]);
		int32_t t;
		int64_t q;
		uint32_t sh;

		if (flags & AIMC_FLAG_RAW) {
			dst[a + c] = (uint32_t)sat32(rm, (int64_t)acc[c] + b);
			continue;
		}
		sh = par[p + 3 * c + 2];
		if (flags & AIMC_FLAG_TFL) {
			if (!tfl_e_ok(sh))
				return AIMC_CHIP_ERR_BAD_PARAM;
			t = sat32(rm, (int64_t)acc[c] + b);
			q = tfl_requant(t, as_s32(par[p + 3 * c + 1]), sh);
		} else {
			if (sh < 1 || sh > 62) /* also catches any bit above [5:0] */
				return AIMC_CHIP_ERR_BAD_PARAM;
			t = sat32(rm, (int64_t)acc[c] + b);
			q = (int64_t)t * as_s32(par[p + 3 * c + 1]);    /* |t·M| <= 2^62: exact */
			q = asr64(q + ((int64_t)1 << (sh - 1)), sh);    /* rshift_round */
			if ((flags & AIMC_FLAG_RELU) && q < 0)
				q = 0;
			if (q > 127)
				q = 127;
			if (q < -127)
				q = -127;
		}
		word |= ((uint32_t)q & 0xffu) << (8u * (c % 4));
		if (c % 4 == 3) {
			dst[a + c / 4] = word;
			word = 0;
		}
	}
	return AIMC_CHIP_ERR_NONE;
}

/* ACCADD: acc[slot][c] = sat32(acc[slot][c] + word[a + c]), the words read as int32. */
static void tile_accadd(aimc_refmodel *rm, uint32_t tile, uint32_t flags, uint32_t a,
			uint32_t slot)
{
	const uint32_t *src = rm->buf[(flags & AIMC_FLAG_FROM_OUT) ? BUF_ACT_OUT : BUF_ACT_IN];
	int32_t *acc = acc_slot(rm, tile, slot);
	uint32_t c;

	for (c = 0; c < rm->cfg.cols; c++)
		acc[c] = sat32(rm, (int64_t)acc[c] + as_s32(src[a + c]));
}

/* ---- sequencer ------------------------------------------------------------------------------- */

/* Reserved-bit mask of a defined opcode; 0 and *ok = 0 for an undefined one. */
static uint64_t op_reserved(uint32_t op, int *ok)
{
	*ok = 1;
	switch (op) {
	case AIMC_OP_NOP:
		return AIMC_RSVD_NOP;
	case AIMC_OP_PROG:
		return AIMC_RSVD_PROG;
	case AIMC_OP_MVM:
		return AIMC_RSVD_MVM;
	case AIMC_OP_POST:
		return AIMC_RSVD_POST;
	case AIMC_OP_IRQ:
		return AIMC_RSVD_IRQ;
	case AIMC_OP_HALT:
		return AIMC_RSVD_HALT;
	case AIMC_OP_WAIT:
		return AIMC_RSVD_WAIT;
	case AIMC_OP_COPY:
		return AIMC_RSVD_COPY;
	case AIMC_OP_JUMP:
		return AIMC_RSVD_JUMP;
	case AIMC_OP_LOOP:
		return AIMC_RSVD_LOOP;
	case AIMC_OP_ACCADD:
		return AIMC_RSVD_ACCADD;
	default:
		*ok = 0;
		return 0;
	}
}

static act_box box_of(const aimc_refmodel *rm, int out, uint64_t addr, uint64_t words)
{
	act_box b = {words != 0, 0, 0};
	uint64_t base = out ? rm->cfg.act_depth : 0;

	b.lo = base + addr;
	b.hi = base + addr + (words ? words - 1 : 0);
	return b;
}

static int box_overlap(act_box x, act_box y)
{
	return x.valid && y.valid && x.lo <= y.hi && y.lo <= x.hi;
}

static void box_merge(act_box *into, act_box b)
{
	if (!b.valid)
		return;
	if (!into->valid) {
		*into = b;
		return;
	}
	if (b.lo < into->lo)
		into->lo = b.lo;
	if (b.hi > into->hi)
		into->hi = b.hi;
}

/* The activation windows an instruction reads (*r) and writes (*w); both invalid if none. */
static void act_windows(const aimc_refmodel *rm, uint64_t in, act_box *r, act_box *w)
{
	const aimc_cfg *cfg = &rm->cfg;
	const uint32_t op = INSTR_FIELD(in, OP);
	const uint32_t flags = INSTR_FIELD(in, FLAGS);
	const uint64_t a = INSTR_FIELD(in, A), b = INSTR_FIELD(in, B), c = INSTR_FIELD(in, C);

	memset(r, 0, sizeof(*r));
	memset(w, 0, sizeof(*w));
	switch (op) {
	case AIMC_OP_MVM:
		*r = box_of(rm, (flags & AIMC_FLAG_SRC_OUT) != 0, a, cfg->rows / 4);
		break;
	case AIMC_OP_POST:
		*w = box_of(rm, (flags & AIMC_FLAG_DST_OUT) != 0, a,
			    (flags & AIMC_FLAG_RAW) ? cfg->cols : cfg->cols / 4);
		break;
	case AIMC_OP_ACCADD:
		*r = box_of(rm, (flags & AIMC_FLAG_FROM_OUT) != 0, a, cfg->cols);
		break;
	case AIMC_OP_COPY:
		*r = box_of(rm, (flags & AIMC_FLAG_FROM_OUT) != 0, b, c);
		*w = box_of(rm, (flags & AIMC_FLAG_TO_OUT) != 0, a, c);
		break;
	default:
		break;
	}
}

/* TILE_CONFLICT (docs/isa.md): the instruction reads words another tile's unsynchronized
 * commands write, or writes words they read or write. `self` is the instruction's tile (its own
 * commands run in order), or num_tiles for COPY. */
static int tile_conflict(const aimc_refmodel *rm, uint64_t in, uint32_t self)
{
	act_box r, w;
	uint32_t u;

	act_windows(rm, in, &r, &w);
	for (u = 0; u < rm->cfg.num_tiles; u++) {
		if (u == self)
			continue;
		if (box_overlap(r, rm->wr_box[u]) || box_overlap(w, rm->wr_box[u]) ||
		    box_overlap(w, rm->rd_box[u]))
			return 1;
	}
	return 0;
}

/* The commands the sequencer dispatches to a tile. */
static int is_tile_op(uint32_t op)
{
	return op == AIMC_OP_PROG || op == AIMC_OP_MVM || op == AIMC_OP_POST || op == AIMC_OP_ACCADD;
}

/* The checks of docs/isa.md "Errors", in their order, before an instruction runs. */
static uint32_t seq_check(const aimc_refmodel *rm, uint64_t in)
{
	const aimc_cfg *cfg = &rm->cfg;
	const uint32_t op = INSTR_FIELD(in, OP);
	const uint32_t tile = INSTR_FIELD(in, TILE);
	const uint32_t flags = INSTR_FIELD(in, FLAGS);
	const uint64_t a = INSTR_FIELD(in, A);
	const uint32_t b = INSTR_FIELD(in, B);
	const uint64_t c = INSTR_FIELD(in, C);
	int defined;
	uint64_t rsvd = op_reserved(op, &defined);

	/* isa_tfl 0: ACCADD is an undefined opcode and POST's tfl a reserved bit, as in the RTL */
	if (op == AIMC_OP_ACCADD && !cfg->isa_tfl)
		defined = 0;
	if (!defined || (in & rsvd) != 0)
		return AIMC_CHIP_ERR_ILLEGAL;
	if (op == AIMC_OP_POST && (flags & AIMC_FLAG_TFL) &&
	    (!cfg->isa_tfl || (flags & (AIMC_FLAG_RELU | AIMC_FLAG_RAW)) != 0))
		return AIMC_CHIP_ERR_ILLEGAL;
	if (op == AIMC_OP_WAIT)
		return (c >> cfg->num_tiles) != 0 ? AIMC_CHIP_ERR_BAD_TILE : AIMC_CHIP_ERR_NONE;
	if (op == AIMC_OP_COPY) {
		if (a + c > cfg->act_depth || b + c > cfg->act_depth)
			return AIMC_CHIP_ERR_ADDR_RANGE;
		/* conflict_check 0: the RTL's COPY waits for the tile instead (program order anyway) */
		return cfg->conflict_check && tile_conflict(rm, in, cfg->num_tiles)
			       ? AIMC_CHIP_ERR_TILE_CONFLICT
			       : AIMC_CHIP_ERR_NONE;
	}
	if (!is_tile_op(op))
		return AIMC_CHIP_ERR_NONE;
	if (tile >= cfg->num_tiles)
		return AIMC_CHIP_ERR_BAD_TILE;
	switch (op) {
	case AIMC_OP_PROG:
		if (a + (uint64_t)cfg->rows * aimc_cfg_array_cols(cfg) / 4 > cfg->wgt_depth)
			return AIMC_CHIP_ERR_ADDR_RANGE;
		return AIMC_CHIP_ERR_NONE;
	case AIMC_OP_MVM:
		if (a + cfg->rows / 4 > cfg->act_depth)
			return AIMC_CHIP_ERR_ADDR_RANGE;
		break;
	case AIMC_OP_ACCADD:
		if (a + cfg->cols > cfg->act_depth)
			return AIMC_CHIP_ERR_ADDR_RANGE;
		break;
	default: /* POST */
		if (a + ((flags & AIMC_FLAG_RAW) ? cfg->cols : cfg->cols / 4) > cfg->act_depth ||
		    c + 3ull * cfg->cols > cfg->par_depth)
			return AIMC_CHIP_ERR_ADDR_RANGE;
		break;
	}
	if (b >= cfg->acc_slots)
		return AIMC_CHIP_ERR_BAD_SLOT;
	if (cfg->conflict_check && tile_conflict(rm, in, tile))
		return AIMC_CHIP_ERR_TILE_CONFLICT;
	return AIMC_CHIP_ERR_NONE;
}

/* WAIT on `mask` (HALT: every tile): those tiles' commands are synchronized. */
static void seq_sync(aimc_refmodel *rm, uint64_t mask)
{
	uint32_t t;

	for (t = 0; t < rm->cfg.num_tiles; t++) {
		if ((mask >> t) & 1u) {
			rm->rd_box[t].valid = 0;
			rm->wr_box[t].valid = 0;
		}
	}
}

/* Soft reset (soft_reset.go): sequencer, tiles and status back to idle. Clears status, err_code,
 * err_pc, the irq flags, the bus-error record and the tiles' event indices (conv_cnt, prog_cnt:
 * the RTL resets the tiles' control state, which holds them). Keeps memories, accumulators,
 * configuration CSRs and every counter register except convs and prog_rows (tile 0's indices). */
static void soft_reset(aimc_refmodel *rm)
{
	rm->status = 0;
	rm->err_code = AIMC_CHIP_ERR_NONE;
	rm->err_pc = 0;
	rm->irq = 0;
	rm->bus_err = 0;
	rm->bus_err_addr = 0;
	memset(rm->conv_cnt, 0, rm->cfg.num_tiles * sizeof(*rm->conv_cnt));
	memset(rm->prog_cnt, 0, rm->cfg.num_tiles * sizeof(*rm->prog_cnt));
	seq_sync(rm, ~0ull);
	memset(rm->lc, 0, sizeof(rm->lc));
}

static void seq_stop_error(aimc_refmodel *rm, uint32_t code, uint32_t pc)
{
	rm->status = AIMC_CSR__STATUS__ERROR_bm;
	rm->err_code = code;
	rm->err_pc = pc;
	rm->irq |= AIMC_CSR__IRQ__ERROR_bm;
}

/* Run from start_pc until HALT or an error, in program order: the model has no timing, and the
 * conflict check (docs/isa.md) guarantees that program order gives the RTL's results. Returns
 * AIMC_OK; AIMC_ECONFIG if the analog model refused a call (an inconsistency between this model
 * and the analog library, never a program error); AIMC_ETIMEOUT after MAX_STEPS instructions
 * without HALT (a program that loops forever; the chip is left running-and-stopped as is). */
static int seq_run(aimc_refmodel *rm)
{
	const uint32_t *im = rm->buf[BUF_INSTR];
	uint32_t pc = rm->start_pc;
	uint64_t steps;
	int rc = AIMC_OK;

	rm->status = 0;
	rm->err_code = AIMC_CHIP_ERR_NONE;
	rm->err_pc = 0;
	memset(rm->lc, 0, sizeof(rm->lc));
	seq_sync(rm, ~0ull);
	for (steps = 0; steps < MAX_STEPS; steps++) {
		uint64_t in;
		uint32_t op, code, sats0, next = pc + 1;

		if (pc >= rm->cfg.instr_depth) {
			seq_stop_error(rm, AIMC_CHIP_ERR_ADDR_RANGE, pc);
			return AIMC_OK;
		}
		in = (uint64_t)im[2 * pc + 1] << 32 | im[2 * pc];
		code = seq_check(rm, in);
		if (code != AIMC_CHIP_ERR_NONE) {
			seq_stop_error(rm, code, pc);
			return AIMC_OK;
		}
		op = INSTR_FIELD(in, OP);
		if (is_tile_op(op)) {
			act_box r, w;
			uint32_t t = INSTR_FIELD(in, TILE);

			act_windows(rm, in, &r, &w);
			box_merge(&rm->rd_box[t], r);
			box_merge(&rm->wr_box[t], w);
		}
		rm->cur_tile = INSTR_FIELD(in, TILE);
		sats0 = rm->sats;
		switch (op) {
		case AIMC_OP_PROG:
			code = AIMC_CHIP_ERR_NONE;
			rc = tile_prog(rm, INSTR_FIELD(in, TILE), INSTR_FIELD(in, A), &code);
			if (rc == AIMC_OK && code != AIMC_CHIP_ERR_NONE) {
				seq_stop_error(rm, code, pc);
				return AIMC_OK;
			}
			break;
		case AIMC_OP_MVM:
			rc = tile_mvm(rm, INSTR_FIELD(in, TILE), INSTR_FIELD(in, FLAGS), INSTR_FIELD(in, A),
				      INSTR_FIELD(in, B), INSTR_FIELD(in, C));
			break;
		case AIMC_OP_POST:
			code = tile_post(rm, INSTR_FIELD(in, TILE), INSTR_FIELD(in, FLAGS),
					 INSTR_FIELD(in, A), INSTR_FIELD(in, B), INSTR_FIELD(in, C));
			if (code != AIMC_CHIP_ERR_NONE) {
				seq_stop_error(rm, code, pc);
				return AIMC_OK;
			}
			break;
		case AIMC_OP_ACCADD:
			tile_accadd(rm, INSTR_FIELD(in, TILE), INSTR_FIELD(in, FLAGS), INSTR_FIELD(in, A),
				    INSTR_FIELD(in, B));
			break;
		case AIMC_OP_IRQ:
			rm->irq |= AIMC_CSR__IRQ__PROG_bm;
			break;
		case AIMC_OP_WAIT:
			seq_sync(rm, INSTR_FIELD(in, C));
			break;
		case AIMC_OP_COPY: {
			const uint32_t flags = INSTR_FIELD(in, FLAGS);
			const uint32_t *src = rm->buf[(flags & AIMC_FLAG_FROM_OUT) ? BUF_ACT_OUT : BUF_ACT_IN];
			uint32_t *dst = rm->buf[(flags & AIMC_FLAG_TO_OUT) ? BUF_ACT_OUT : BUF_ACT_IN];
			uint32_t i, n = INSTR_FIELD(in, C), a = INSTR_FIELD(in, A), b = INSTR_FIELD(in, B);

			for (i = 0; i < n; i++) /* ascending, one word at a time, like the RTL */
				dst[a + i] = src[b + i];
			break;
		}
		case AIMC_OP_JUMP:
			next = INSTR_FIELD(in, A);
			break;
		case AIMC_OP_LOOP: {
			uint32_t k = INSTR_FIELD(in, B);

			if (rm->lc[k] < INSTR_FIELD(in, C)) {
				rm->lc[k]++;
				next = INSTR_FIELD(in, A);
			} else {
				rm->lc[k] = 0;
			}
			break;
		}
		case AIMC_OP_HALT:
			seq_sync(rm, ~0ull);
			rm->instrs++;
			rm->status = AIMC_CSR__STATUS__HALTED_bm;
			rm->irq |= AIMC_CSR__IRQ__DONE_bm;
			return AIMC_OK;
		default: /* NOP */
			break;
		}
		if (rc != AIMC_OK)
			return rc;
		/* sat_mode.stop: the instruction completed, saturated, and does not retire */
		if ((rm->sat_mode & AIMC_CSR__SAT_MODE__STOP_bm) && rm->sats != sats0) {
			seq_stop_error(rm, AIMC_CHIP_ERR_SATURATION, pc);
			return AIMC_OK;
		}
		if (op == AIMC_OP_MVM)
			rm->mvms++;
		rm->instrs++;
		pc = next;
	}
	return AIMC_ETIMEOUT;
}

/* ---- bus: CSR block (rules of the generated rtl/csr/aimc_csr.sv) -------------------------------- */

static int csr_read(aimc_refmodel *rm, uint32_t off, uint32_t *val)
{
	switch (off) {
	case CSR_ADDR(id):
		*val = FIELD(AIMC_CSR__ID__MAGIC_reset, AIMC_CSR__ID__MAGIC);
		return AIMC_OK;
	case CSR_ADDR(version):
		*val = FIELD(AIMC_CSR__VERSION__MINOR_reset, AIMC_CSR__VERSION__MINOR) |
		       FIELD(AIMC_CSR__VERSION__MAJOR_reset, AIMC_CSR__VERSION__MAJOR) |
		       FIELD(AIMC_ISA_VERSION, AIMC_CSR__VERSION__ISA);
		return AIMC_OK;
	case CSR_ADDR(ctrl):
		*val = rm->ctrl;
		return AIMC_OK;
	case CSR_ADDR(status):
		*val = rm->status;
		return AIMC_OK;
	case CSR_ADDR(irq):
		*val = rm->irq;
		return AIMC_OK;
	case CSR_ADDR(err_code):
		*val = FIELD(rm->err_code, AIMC_CSR__ERR_CODE__CODE);
		return AIMC_OK;
	case CSR_ADDR(err_pc):
		*val = FIELD(rm->err_pc, AIMC_CSR__ERR_PC__PC);
		return AIMC_OK;
	case CSR_ADDR(start_pc):
		*val = rm->start_pc;
		return AIMC_OK;
	case CSR_ADDR(settle):
		*val = rm->settle;
		return AIMC_OK;
	case CSR_ADDR(scratch):
		*val = rm->scratch;
		return AIMC_OK;
	case CSR_ADDR(cfg0):
	case CSR_ADDR(cfg1):
	case CSR_ADDR(cfg2):
	case CSR_ADDR(cfg3):
	case CSR_ADDR(cfg4):
	case CSR_ADDR(cfg5):
		*val = rm->cfg_rb[(off - CSR_ADDR(cfg0)) / sizeof(uint32_t)];
		return AIMC_OK;
	case CSR_ADDR(cycles_lo):
	case CSR_ADDR(cycles_hi):
		*val = 0; /* no timing in the C model */
		return AIMC_OK;
	case CSR_ADDR(instrs):
		*val = counter_cut(rm, rm->instrs);
		return AIMC_OK;
	case CSR_ADDR(mvms):
		*val = counter_cut(rm, rm->mvms);
		return AIMC_OK;
	case CSR_ADDR(convs):
		*val = counter_cut(rm, rm->conv_cnt[0]);
		return AIMC_OK;
	case CSR_ADDR(adc_convs):
		*val = counter_cut(rm, rm->adc_convs);
		return AIMC_OK;
	case CSR_ADDR(sats):
		*val = counter_cut(rm, rm->sats);
		return AIMC_OK;
	case CSR_ADDR(prog_rows):
		*val = counter_cut(rm, rm->prog_cnt[0]);
		return AIMC_OK;
	/* the digital twin (xbar_impl 1) has no program-and-verify engine: these read 0 (aimc_csr
	 * PvRegs = 0; a write is answered and has no effect on what PROG does, tile_prog) */
	case CSR_ADDR(pv_ctrl):
		*val = rm->cfg.xbar_impl != 1 ? rm->pv_ctrl : 0;
		return AIMC_OK;
	case CSR_ADDR(pv_tol):
		*val = rm->cfg.xbar_impl != 1 ? rm->pv_tol : 0;
		return AIMC_OK;
	case CSR_ADDR(pv_sel):
		*val = rm->cfg.xbar_impl != 1 ? rm->pv_sel : 0;
		return AIMC_OK;
	case CSR_ADDR(pv_pulses): /* 0 for a tile the config does not have */
		*val = rm->pv_sel < rm->cfg.num_tiles ? rm->pv_pulses[rm->pv_sel] : 0;
		return AIMC_OK;
	case CSR_ADDR(pv_unconv):
		*val = rm->pv_sel < rm->cfg.num_tiles ? rm->pv_unconv[rm->pv_sel] : 0;
		return AIMC_OK;
	case CSR_ADDR(sat_mode):
		*val = rm->sat_mode;
		return AIMC_OK;
	case CSR_ADDR(watchdog):
		*val = rm->watchdog;
		return AIMC_OK;
	case CSR_ADDR(bus_err):
		*val = rm->bus_err;
		return AIMC_OK;
	case CSR_ADDR(bus_err_addr):
		*val = rm->bus_err_addr;
		return AIMC_OK;
	case CSR_ADDR(reads_total): {
		uint32_t t, sum = 0;

		for (t = 0; t < rm->cfg.num_tiles; t++)
			sum += rm->t_reads[t];
		*val = counter_cut(rm, sum);
		return AIMC_OK;
	}
	case CSR_ADDR(stalls_total):
		*val = 0; /* a cycle counter: no timing in the C model */
		return AIMC_OK;
	default:
		break;
	}
	/* per-tile counter arrays: tiles past num_tiles read 0 (the arrays are zero there) */
	if (off >= CSR_ADDR(tile_busy[0]) && off < CSR_ADDR(tile_stalls[0]) + 4u * MAX_TILES) {
		uint32_t arr = (off - CSR_ADDR(tile_busy[0])) / (4u * MAX_TILES);
		uint32_t t = (off - CSR_ADDR(tile_busy[0])) / 4u % MAX_TILES;
		const uint32_t *src[7] = { NULL, NULL, rm->t_mvms, rm->t_reads, rm->t_adc, rm->t_sats,
					   NULL }; /* busy, idle, stalls: cycles, 0 here */

		*val = src[arr] != NULL ? counter_cut(rm, src[arr][t]) : 0;
		return AIMC_OK;
	}
	return AIMC_EBUS; /* unmapped offset inside the CSR window, or a write-only register */
}

static int csr_write(aimc_refmodel *rm, uint32_t off, uint32_t val)
{
	const uint32_t irq_en = AIMC_CSR__CTRL__IRQ_EN_DONE_bm | AIMC_CSR__CTRL__IRQ_EN_ERROR_bm |
				AIMC_CSR__CTRL__IRQ_EN_PROG_bm;
	const uint32_t irq_all = AIMC_CSR__IRQ__DONE_bm | AIMC_CSR__IRQ__ERROR_bm |
				 AIMC_CSR__IRQ__PROG_bm;

	switch (off) {
	case CSR_ADDR(ctrl):
		rm->ctrl = val & irq_en;
		if (val & AIMC_CSR__CTRL__START_bm)
			return seq_run(rm);
		return AIMC_OK;
	case CSR_ADDR(irq):
		rm->irq &= ~(val & irq_all); /* write 1 to clear */
		return AIMC_OK;
	case CSR_ADDR(start_pc):
		rm->start_pc = val & AIMC_CSR__START_PC__PC_bm;
		return AIMC_OK;
	case CSR_ADDR(settle):
		rm->settle = val & AIMC_CSR__SETTLE__CYCLES_bm; /* timing only: unused by the model */
		return AIMC_OK;
	case CSR_ADDR(scratch):
		rm->scratch = val & AIMC_CSR__SCRATCH__VALUE_bm;
		return AIMC_OK;
	case CSR_ADDR(pv_ctrl):
		rm->pv_ctrl = val & (AIMC_CSR__PV_CTRL__ENABLE_bm | AIMC_CSR__PV_CTRL__STOP_bm |
				     AIMC_CSR__PV_CTRL__BUDGET_bm);
		return AIMC_OK;
	case CSR_ADDR(pv_tol):
		rm->pv_tol = val & AIMC_CSR__PV_TOL__TOL_bm;
		return AIMC_OK;
	case CSR_ADDR(pv_sel):
		rm->pv_sel = val & AIMC_CSR__PV_SEL__TILE_bm;
		return AIMC_OK;
	case CSR_ADDR(soft_reset):
		if (val & AIMC_CSR__SOFT_RESET__GO_bm)
			soft_reset(rm);
		return AIMC_OK;
	case CSR_ADDR(sat_mode):
		rm->sat_mode = val & AIMC_CSR__SAT_MODE__STOP_bm;
		return AIMC_OK;
	case CSR_ADDR(watchdog):
		rm->watchdog = val & AIMC_CSR__WATCHDOG__CYCLES_bm; /* timing only: never fires here */
		return AIMC_OK;
	case CSR_ADDR(bus_err):
		if (val & AIMC_CSR__BUS_ERR__CLEAR_bm) {
			rm->bus_err = 0;
			rm->bus_err_addr = 0;
		}
		return AIMC_OK;
	default: /* no writable field (read-only register) or unmapped offset */
		return AIMC_EBUS;
	}
}

/* ---- bus: address decode ----------------------------------------------------------------------- */

static const struct {
	uint32_t base, size;
} mem_windows[BUF_COUNT] = {
	[BUF_INSTR] = { MAP_OFF(instr), MAP_SIZE(instr) },
	[BUF_ACT_IN] = { MAP_OFF(act_in), MAP_SIZE(act_in) },
	[BUF_ACT_OUT] = { MAP_OFF(act_out), MAP_SIZE(act_out) },
	[BUF_PARAM] = { MAP_OFF(param), MAP_SIZE(param) },
	[BUF_WEIGHT] = { MAP_OFF(weight), MAP_SIZE(weight) },
};

/* The word an address selects in a memory window: 1 and *word set; 0 if the address is in no
 * memory window; -1 if it is in one but at or past its configured depth (SLVERR). */
static int mem_decode(aimc_refmodel *rm, uint32_t addr, uint32_t **word)
{
	int i;

	for (i = 0; i < BUF_COUNT; i++) {
		uint32_t off = addr - mem_windows[i].base; /* wraps high below the base */

		if (off >= mem_windows[i].size)
			continue;
		off /= sizeof(uint32_t);
		if (off >= rm->depth[i])
			return -1;
		*word = &rm->buf[i][off];
		return 1;
	}
	return 0;
}

static int in_csr_window(uint32_t addr)
{
	/* unsigned difference: an address below the base wraps to a large value */
	return addr - MAP_OFF(csr) < MAP_SIZE(csr);
}

/* Record an access answered with an error (bus_err, bus_err_addr): the first since the last
 * clear sticks, every one counts (saturating). DECERR when the address is in no window (the RTL
 * checks that first, even for a misaligned address), SLVERR otherwise. */
static int bus_error(aimc_refmodel *rm, uint32_t addr, int write)
{
	uint32_t *w, count = FIELD_GET(rm->bus_err, AIMC_CSR__BUS_ERR__COUNT);
	uint32_t resp = (in_csr_window(addr) || mem_decode(rm, addr, &w) != 0) ? 2u : 3u;

	if (!(rm->bus_err & AIMC_CSR__BUS_ERR__VALID_bm)) {
		rm->bus_err = AIMC_CSR__BUS_ERR__VALID_bm | FIELD(write, AIMC_CSR__BUS_ERR__WRITE) |
			      FIELD(resp, AIMC_CSR__BUS_ERR__RESP);
		rm->bus_err_addr = addr;
	}
	if (count < 0xffffu)
		count++;
	rm->bus_err = (rm->bus_err & ~AIMC_CSR__BUS_ERR__COUNT_bm) |
		      FIELD(count, AIMC_CSR__BUS_ERR__COUNT);
	return AIMC_EBUS;
}

static int access_read32(aimc_refmodel *rm, uint32_t addr, uint32_t *val);
static int access_write32(aimc_refmodel *rm, uint32_t addr, uint32_t val);

int aimc_refmodel_read32(aimc_refmodel *rm, uint32_t addr, uint32_t *val)
{
	int rc;

	if (rm == NULL || val == NULL)
		return AIMC_EINVAL;
	rc = access_read32(rm, addr, val);
	return rc == AIMC_EBUS ? bus_error(rm, addr, 0) : rc;
}

int aimc_refmodel_write32(aimc_refmodel *rm, uint32_t addr, uint32_t val)
{
	int rc;

	if (rm == NULL)
		return AIMC_EINVAL;
	rc = access_write32(rm, addr, val);
	return rc == AIMC_EBUS ? bus_error(rm, addr, 1) : rc;
}

static int access_read32(aimc_refmodel *rm, uint32_t addr, uint32_t *val)
{
	uint32_t *w;
	int rc;

	*val = 0;
	if ((addr & 3u) != 0)
		return AIMC_EBUS;
	if (in_csr_window(addr)) {
		rc = csr_read(rm, addr - MAP_OFF(csr), val);
		if (rc != AIMC_OK)
			*val = 0;
		return rc;
	}
	if (mem_decode(rm, addr, &w) != 1)
		return AIMC_EBUS;
	*val = *w;
	return AIMC_OK;
}

static int access_write32(aimc_refmodel *rm, uint32_t addr, uint32_t val)
{
	uint32_t *w;

	if ((addr & 3u) != 0)
		return AIMC_EBUS;
	if (in_csr_window(addr))
		return csr_write(rm, addr - MAP_OFF(csr), val);
	if (mem_decode(rm, addr, &w) != 1)
		return AIMC_EBUS;
	*w = val;
	return AIMC_OK;
}

int aimc_refmodel_irq_line(const aimc_refmodel *rm)
{
	if (rm == NULL)
		return 0;
	return ((rm->irq & AIMC_CSR__IRQ__DONE_bm) && (rm->ctrl & AIMC_CSR__CTRL__IRQ_EN_DONE_bm)) ||
	       ((rm->irq & AIMC_CSR__IRQ__ERROR_bm) && (rm->ctrl & AIMC_CSR__CTRL__IRQ_EN_ERROR_bm)) ||
	       ((rm->irq & AIMC_CSR__IRQ__PROG_bm) && (rm->ctrl & AIMC_CSR__CTRL__IRQ_EN_PROG_bm));
}

/* ---- create / destroy -------------------------------------------------------------------------- */

/* v placed in field F of readback register r; 0 if it does not fit. */
#define RB_PUT(r, v, F)                                  \
	do {                                             \
		if ((uint64_t)(v) > (F##_bm >> F##_bp)) \
			return 0;                        \
		rm->cfg_rb[r] |= FIELD((v), F);          \
	} while (0)

static int cfg_readback_init(aimc_refmodel *rm)
{
	const aimc_cfg *cfg = &rm->cfg;

	RB_PUT(0, cfg->num_tiles, AIMC_CSR__CFG0__NUM_TILES);
	RB_PUT(0, cfg->dac_bits, AIMC_CSR__CFG0__DAC_BITS);
	RB_PUT(0, cfg->adc_bits, AIMC_CSR__CFG0__ADC_BITS);
	RB_PUT(0, cfg->cols_per_adc, AIMC_CSR__CFG0__COLS_PER_ADC);
	RB_PUT(1, cfg->rows, AIMC_CSR__CFG1__ROWS);
	RB_PUT(1, cfg->cols, AIMC_CSR__CFG1__COLS);
	RB_PUT(2, cfg->instr_depth, AIMC_CSR__CFG2__INSTR_DEPTH);
	RB_PUT(2, cfg->acc_slots, AIMC_CSR__CFG2__ACC_SLOTS);
	RB_PUT(3, cfg->act_depth, AIMC_CSR__CFG3__ACT_DEPTH);
	RB_PUT(3, cfg->par_depth, AIMC_CSR__CFG3__PAR_DEPTH);
	RB_PUT(4, cfg->wgt_depth, AIMC_CSR__CFG4__WGT_DEPTH);
	RB_PUT(5, cfg->adc_cycles, AIMC_CSR__CFG5__ADC_CYCLES);
	RB_PUT(5, cfg->counter_bits < 32 ? cfg->counter_bits : 0, AIMC_CSR__CFG5__COUNTER_CUT);
	RB_PUT(5, cfg->conflict_check ? 0 : 1, AIMC_CSR__CFG5__NO_CONFLICT);
	RB_PUT(5, cfg->isa_tfl ? 0 : 1, AIMC_CSR__CFG5__NO_TFL);
	RB_PUT(5, cfg->weight_slices - 1u, AIMC_CSR__CFG5__SLICES_M1);
	RB_PUT(5, cfg->weight_slices > 1 ? cfg->slice_bits : 0u, AIMC_CSR__CFG5__SLICE_BITS);
	return 1;
}
#undef RB_PUT

/* The geometry the model relies on (aimc_cfg_load checks the same; a hand-made cfg may not). */
static int cfg_usable(const aimc_cfg *cfg)
{
	return cfg->num_tiles >= 1 && cfg->num_tiles - 1 <= AIMC_INSTR_TILE_MASK &&
	       cfg->rows >= 4 && cfg->rows % 4 == 0 && cfg->cols >= 4 && cfg->cols % 4 == 0 &&
	       cfg->dac_bits >= 1 && cfg->dac_bits <= 8 && cfg->cols_per_adc >= 1 &&
	       cfg->cols % cfg->cols_per_adc == 0 && cfg->acc_slots >= 1 && cfg->instr_depth >= 1 &&
	       cfg->act_depth >= 1 && cfg->par_depth >= 1 && cfg->wgt_depth >= 1;
}

int aimc_refmodel_create(aimc_refmodel **out, const aimc_cfg *cfg, uint64_t seed)
{
	aimc_refmodel *rm;
	int i;

	if (out == NULL || cfg == NULL)
		return AIMC_EINVAL;
	*out = NULL;
	if (!cfg_usable(cfg))
		return AIMC_ECONFIG;
	rm = calloc(1, sizeof(*rm));
	if (rm == NULL)
		return AIMC_ENOMEM;
	rm->cfg = *cfg;
	if (!cfg_readback_init(rm))
		goto err_config;

	rm->depth[BUF_INSTR] = 2 * cfg->instr_depth;
	rm->depth[BUF_ACT_IN] = cfg->act_depth;
	rm->depth[BUF_ACT_OUT] = cfg->act_depth;
	rm->depth[BUF_PARAM] = cfg->par_depth;
	rm->depth[BUF_WEIGHT] = cfg->wgt_depth;
	for (i = 0; i < BUF_COUNT; i++) {
		if ((uint64_t)rm->depth[i] * sizeof(uint32_t) > mem_windows[i].size)
			goto err_config;
		rm->buf[i] = calloc(rm->depth[i], sizeof(uint32_t));
		if (rm->buf[i] == NULL)
			goto err_nomem;
	}
	rm->acc = calloc((size_t)cfg->num_tiles * cfg->acc_slots * cfg->cols, sizeof(int32_t));
	rm->conv_cnt = calloc(cfg->num_tiles, sizeof(uint32_t));
	rm->prog_cnt = calloc(cfg->num_tiles, sizeof(uint32_t));
	rm->x = calloc(cfg->rows, sizeof(int32_t));
	rm->d = calloc(cfg->rows, sizeof(uint8_t));
	rm->wrow = calloc(aimc_cfg_array_cols(cfg), sizeof(int8_t));
	rm->rd_box = calloc(cfg->num_tiles, sizeof(act_box));
	rm->wr_box = calloc(cfg->num_tiles, sizeof(act_box));
	rm->pv_pulses = calloc(cfg->num_tiles, sizeof(uint32_t));
	rm->pv_verifies = calloc(cfg->num_tiles, sizeof(uint32_t));
	rm->pv_unconv = calloc(cfg->num_tiles, sizeof(uint32_t));
	rm->pv_done = calloc(2 * (size_t)aimc_cfg_array_cols(cfg), 1);
	rm->pv_ok = calloc(2 * (size_t)aimc_cfg_array_cols(cfg), 1);
	rm->codes = calloc(aimc_cfg_array_cols(cfg), sizeof(int32_t));
	if (rm->codes == NULL || rm->rd_box == NULL || rm->wr_box == NULL || rm->acc == NULL ||
	    rm->conv_cnt == NULL || rm->prog_cnt == NULL || rm->x == NULL || rm->d == NULL ||
	    rm->wrow == NULL || rm->pv_pulses == NULL || rm->pv_verifies == NULL ||
	    rm->pv_unconv == NULL || rm->pv_done == NULL || rm->pv_ok == NULL)
		goto err_nomem;
	rm->xb = aimc_xbar_create(cfg, seed);
	if (rm->xb == NULL)
		goto err_config;

	/* reset values of the RW fields, from the register description */
	rm->ctrl = FIELD(AIMC_CSR__CTRL__IRQ_EN_DONE_reset, AIMC_CSR__CTRL__IRQ_EN_DONE) |
		   FIELD(AIMC_CSR__CTRL__IRQ_EN_ERROR_reset, AIMC_CSR__CTRL__IRQ_EN_ERROR) |
		   FIELD(AIMC_CSR__CTRL__IRQ_EN_PROG_reset, AIMC_CSR__CTRL__IRQ_EN_PROG);
	rm->irq = FIELD(AIMC_CSR__IRQ__DONE_reset, AIMC_CSR__IRQ__DONE) |
		  FIELD(AIMC_CSR__IRQ__ERROR_reset, AIMC_CSR__IRQ__ERROR) |
		  FIELD(AIMC_CSR__IRQ__PROG_reset, AIMC_CSR__IRQ__PROG);
	rm->start_pc = FIELD(AIMC_CSR__START_PC__PC_reset, AIMC_CSR__START_PC__PC);
	rm->settle = FIELD(AIMC_CSR__SETTLE__CYCLES_reset, AIMC_CSR__SETTLE__CYCLES);
	rm->scratch = FIELD(AIMC_CSR__SCRATCH__VALUE_reset, AIMC_CSR__SCRATCH__VALUE);
	rm->pv_ctrl = FIELD(AIMC_CSR__PV_CTRL__ENABLE_reset, AIMC_CSR__PV_CTRL__ENABLE) |
		      FIELD(AIMC_CSR__PV_CTRL__STOP_reset, AIMC_CSR__PV_CTRL__STOP) |
		      FIELD(AIMC_CSR__PV_CTRL__BUDGET_reset, AIMC_CSR__PV_CTRL__BUDGET);
	rm->pv_tol = FIELD(AIMC_CSR__PV_TOL__TOL_reset, AIMC_CSR__PV_TOL__TOL);
	rm->pv_sel = FIELD(AIMC_CSR__PV_SEL__TILE_reset, AIMC_CSR__PV_SEL__TILE);
	*out = rm;
	return AIMC_OK;

err_config:
	aimc_refmodel_destroy(rm);
	return AIMC_ECONFIG;
err_nomem:
	aimc_refmodel_destroy(rm);
	return AIMC_ENOMEM;
}

uint32_t aimc_refmodel_diag(const aimc_refmodel *rm, char *buf, size_t len)
{
	if (rm == NULL) {
		if (buf != NULL && len > 0)
			buf[0] = '\0';
		return 0;
	}
	return aimc_xbar_diag(rm->xb, buf, len);
}

void aimc_refmodel_destroy(aimc_refmodel *rm)
{
	int i;

	if (rm == NULL)
		return;
	aimc_xbar_destroy(rm->xb);
	for (i = 0; i < BUF_COUNT; i++)
		free(rm->buf[i]);
	free(rm->acc);
	free(rm->conv_cnt);
	free(rm->prog_cnt);
	free(rm->x);
	free(rm->d);
	free(rm->wrow);
	free(rm->rd_box);
	free(rm->wr_box);
	free(rm->pv_pulses);
	free(rm->pv_verifies);
	free(rm->pv_unconv);
	free(rm->pv_done);
	free(rm->pv_ok);
	free(rm->codes);
	free(rm);
}

/* ---- MMIO back-end ------------------------------------------------------------------------------ */

static int cm_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	return aimc_refmodel_read32(ctx, addr, val);
}

static int cm_write32(void *ctx, uint32_t addr, uint32_t val)
{
	return aimc_refmodel_write32(ctx, addr, val);
}

static void cm_close(void *ctx)
{
	aimc_refmodel_destroy(ctx);
}

static uint32_t cm_diag(void *ctx, char *buf, size_t len)
{
	return aimc_refmodel_diag(ctx, buf, len);
}

static const aimc_mmio_ops cmodel_ops = {
	.name = "cmodel",
	.read32 = cm_read32,
	.write32 = cm_write32,
	.poll32 = NULL, /* status.busy already reads 0: the driver's one read matches */
	.close = cm_close,
	.diag = cm_diag,
};

int aimc_mmio_open_cmodel(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed)
{
	aimc_refmodel *rm;
	int rc;

	if (m == NULL)
		return AIMC_EINVAL;
	m->ops = NULL;
	m->ctx = NULL;
	rc = aimc_refmodel_create(&rm, cfg, seed);
	if (rc != AIMC_OK)
		return rc;
	m->ops = &cmodel_ops;
	m->ctx = rm;
	return AIMC_OK;
}
