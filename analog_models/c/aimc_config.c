/* SPDX-License-Identifier: Apache-2.0 */
/* The one parser of configs/<name>.cfg (docs/configs.md): a single key table drives defaults,
 * parsing, range checks, JSON output and the RTL parameter flags. */
#define _POSIX_C_SOURCE 200809L /* fstat, fileno: a directory given as the config file */
#include "aimc_config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aimc_config_internal.h"

#define MAX_FILE_BYTES (1u << 20)
#define MAX_VALUE_CHARS 127

enum key_type {
	KT_NAME, /* identifier string, required */
	KT_U32,  /* decimal integer */
	KT_F64,  /* decimal floating point with optional exponent */
	KT_ENUM, /* one of the names listed in `unit` ("a|b|c"), stored as its index (uint32_t) */
};

struct cfg_key {
	const char *key;
	enum key_type type;
	size_t offset;
	double def;           /* default (KT_NAME: none, the key is required) */
	double min, max;      /* inclusive range */
	uint32_t multiple;    /* KT_U32: value must be a multiple of this (0: no constraint) */
	const char *def_from; /* default is the value of this key instead of def */
	const char *unit;
	const char *rtl;      /* RTL parameter name, NULL if not a parameter */
	const char *doc;
};

#define OFF(m) offsetof(aimc_cfg, m)

/* Adding a knob means adding one row here (and the member in aimc_cfg); nothing else lists keys.
 * Sources of the defaults: docs/configs.md and the parameter rows of docs/sources.md. */
static const struct cfg_key keys[] = {
	{"name", KT_NAME, OFF(name), 0, 0, 0, 0, NULL, "-", NULL, "config name, printed in every report"},
	{"num_tiles", KT_U32, OFF(num_tiles), 1, 1, 16, 0, NULL, "-", "NumTiles", "tiles"},
	{"rows", KT_U32, OFF(rows), 64, 4, 1024, 4, NULL, "-", "Rows", "crossbar rows (inputs) per tile"},
	{"cols", KT_U32, OFF(cols), 32, 4, 1024, 4, NULL, "-", "Cols",
	 "logical columns (outputs) per tile, 2 cells each"},
	{"dac_bits", KT_U32, OFF(dac_bits), 1, 1, 8, 0, NULL, "bit", "DacBits", "DAC resolution"},
	{"adc_bits", KT_U32, OFF(adc_bits), 8, 2, 16, 0, NULL, "bit", "AdcBits", "ADC resolution"},
	{"cols_per_adc", KT_U32, OFF(cols_per_adc), 4, 1, 16, 0, NULL, "-", "ColsPerAdc",
	 "columns sharing one ADC through a mux"},
	{"adc_cycles", KT_U32, OFF(adc_cycles), 8, 2, 255, 0, "adc_bits", "cycle", "AdcCycles",
	 "clock cycles of one column conversion (adc_kind sar: adc_bits + 1, what the SAR logic takes)"},
	{"adc_kind", KT_ENUM, OFF(adc_kind), 0, 0, 1, 0, NULL, "model|sar", "AdcKind",
	 "ADC: model (the analog model returns the code whole) or sar (the RTL SAR register decides one "
	 "bit per cycle against the model's comparator)"},
	{"settle_cycles", KT_U32, OFF(settle_cycles), 4, 1, 255, 0, NULL, "cycle", NULL,
	 "DAC settle time (a CSR written by the driver)"},
	{"instr_depth", KT_U32, OFF(instr_depth), 1024, 16, 8192, 0, NULL, "instr", "InstrDepth",
	 "instruction buffer depth"},
	{"act_depth", KT_U32, OFF(act_depth), 4096, 16, 16384, 0, NULL, "word", "ActDepth",
	 "depth of each activation buffer"},
	{"par_depth", KT_U32, OFF(par_depth), 1024, 16, 16384, 0, NULL, "word", "ParDepth",
	 "post-processing parameter buffer depth"},
	{"wgt_depth", KT_U32, OFF(wgt_depth), 8192, 16, 262144, 0, NULL, "word", "WgtDepth",
	 "weight staging buffer depth"},
	{"acc_slots", KT_U32, OFF(acc_slots), 64, 1, 1024, 0, NULL, "-", "AccSlots",
	 "accumulator slots per tile"},
	/* Bit-sliced weights (docs/decisions/0009-bit-sliced-weights.md): the defaults are the one
	 * pair of 127 levels of every config before them. */
	{"weight_slices", KT_U32, OFF(weight_slices), 1, 1, 7, 0, NULL, "-", "WeightSlices",
	 "cell pairs per weight (adjacent columns, one ADC); the array has cols*weight_slices pairs"},
	{"slice_bits", KT_U32, OFF(slice_bits), 7, 1, 7, 0, NULL, "bit", "SliceBits",
	 "magnitude bits per slice: each cell holds levels 0..2^slice_bits-1 (7 with one slice: 127)"},
	{"xbar_impl", KT_U32, OFF(xbar_impl), 0, 0, 1, 0, NULL, "-", "XbarImpl",
	 "crossbar of every tile: 0 analog model (behavioural macro), 1 digital twin (synthesizable)"},
	{"conflict_check", KT_U32, OFF(conflict_check), 1, 0, 1, 0, NULL, "-", "ConflictCheck",
	 "1: TILE_CONFLICT check of the sequencer; 0 (num_tiles 1 only, saves logic): no check, a COPY "
	 "waits until the tile is idle"},
	{"counter_bits", KT_U32, OFF(counter_bits), 32, 16, 32, 16, NULL, "bit", "CounterBits",
	 "width of the event counters (16 or 32; they wrap at 2^counter_bits; cfg5.counter_cut)"},
	{"isa_tfl", KT_U32, OFF(isa_tfl), 1, 0, 1, 0, NULL, "-", "IsaTfl",
	 "1: ISA 3's TFLite POST stage (POST flag tfl) and ACCADD are built; 0 (saves logic, ice40): "
	 "both are ILLEGAL, cfg5.no_tfl reads 1"},
	{"post_lanes", KT_U32, OFF(post_lanes), 1, 1, 16, 0, NULL, "-", "PostLanes",
	 "POST columns per cycle, 1, 4, 8 or 16 (one multiplier per lane; the parameter buffer in "
	 "4 x post_lanes banks; 8 and 16 write 2 and 4 output words per cycle, so need load_words 4); "
	 "a RAW POST retires max(1, post_lanes / 4) columns per cycle"},
	{"load_words", KT_U32, OFF(load_words), 1, 1, 4, 0, NULL, "-", "LoadWords",
	 "activation words an MVM reads per cycle while it loads its inputs, 1 or 4 (the activation "
	 "buffers in 4 banks)"},
	{"tile_overlap", KT_U32, OFF(tile_overlap), 0, 0, 1, 0, NULL, "-", "TileOverlap",
	 "1: a tile runs up to three commands at once, a POST beside an MVM's conversions (POST "
	 "slot != that MVM's slot) and the next MVM's input load (into a second input register) "
	 "under them (its slot != the current MVM's), still started and retired in program order; "
	 "0: one command at a time. Timing only: results never change"},
	{"clock_mhz", KT_F64, OFF(clock_mhz), 200, 1, 5000, 0, NULL, "MHz", NULL,
	 "clock for the performance model"},
	{"vread", KT_F64, OFF(vread), 0.1, 0.01, 2, 0, NULL, "V", NULL, "full-scale read voltage"},
	{"gmax", KT_F64, OFF(gmax), 16e-6, 0, 1e-3, 0, NULL, "S", NULL,
	 "conductance of level 127 (F9)"},
	{"gmin", KT_F64, OFF(gmin), 16e-9, 0, 1e-3, 0, NULL, "S", NULL,
	 "conductance of level 0 (F6)"},
	{"prog_sigma", KT_F64, OFF(prog_sigma), 0.01, 0, 0.5, 0, NULL, "of range", NULL,
	 "programming error sigma at full scale (F4, F5, F10)"},
	{"prog_knee", KT_F64, OFF(prog_knee), 0.11, 0.001, 10, 0, NULL, "of gmax", NULL,
	 "level dependence of programming error (F10)"},
	{"read_sigma", KT_F64, OFF(read_sigma), 0.005, 0, 0.5, 0, NULL, "of range", NULL,
	 "read noise sigma at full scale per array read (F12)"},
	{"read_knee", KT_F64, OFF(read_knee), 0.134, 0.001, 10, 0, NULL, "of gmax", NULL,
	 "level dependence of read noise (F12)"},
	{"pv_enable", KT_U32, OFF(pv_enable), 0, 0, 1, 0, NULL, "-", NULL,
	 "program-and-verify (1) or one-shot programming (0); pv_ctrl CSR, written by the driver"},
	{"pv_budget", KT_U32, OFF(pv_budget), 32, 0, 255, 0, NULL, "pulse", NULL,
	 "program pulses per row at most (0: verify only); pv_ctrl CSR"},
	{"pv_stop", KT_U32, OFF(pv_stop), 0, 0, 1, 0, NULL, "-", NULL,
	 "1: a row with unconverged cells stops the program with PV_FAIL; pv_ctrl CSR"},
	{"pv_tol", KT_F64, OFF(pv_tol), 0.01, 0, 0.99, 0, NULL, "of range", NULL,
	 "verify tolerance |G - G*| as a fraction of gmax-gmin (F4, F5); pv_tol CSR, Q0.16"},
	{"pv_step", KT_F64, OFF(pv_step), 0.5, 0.01, 1, 0, NULL, "-", NULL,
	 "fraction of the remaining distance to the target that one pulse moves a cell"},
	{"pv_pulse_sigma", KT_F64, OFF(pv_pulse_sigma), 0.005, 0, 0.5, 0, NULL, "of range", NULL,
	 "step error sigma of one pulse at full scale, level shape of prog_knee"},
	/* Non-idealities of docs/analog-model.md. Every default leaves the effect off (existing configs
	 * and their bit signatures are unchanged); the 40 nm values are in configs/noisy.cfg. */
	{"drift_time", KT_F64, OFF(drift_time), 0, 0, 1e9, 0, NULL, "s", NULL,
	 "time since programming for G(t) = G0 (t/t0)^-nu; no drift while drift_time <= drift_t0"},
	{"drift_t0", KT_F64, OFF(drift_t0), 20, 1e-6, 1e9, 0, NULL, "s", NULL,
	 "drift reference time t0 (P3)"},
	{"drift_nu", KT_F64, OFF(drift_nu), 0.05, 0, 1, 0, NULL, "-", NULL,
	 "mean drift exponent nu, drawn per cell (P3; flash has no power-law data: stress value)"},
	{"drift_nu_sigma", KT_F64, OFF(drift_nu_sigma), 0.008, 0, 0.5, 0, NULL, "-", NULL,
	 "sigma of the per-cell drift exponent (P3)"},
	{"stuck_gmin_frac", KT_F64, OFF(stuck_gmin_frac), 0, 0, 1, 0, NULL, "of cells", NULL,
	 "fraction of cells stuck at gmin (assumption; R6 gives ReRAM rates only)"},
	{"stuck_gmax_frac", KT_F64, OFF(stuck_gmax_frac), 0, 0, 1, 0, NULL, "of cells", NULL,
	 "fraction of cells stuck at gmax (assumption)"},
	{"dac_inl", KT_F64, OFF(dac_inl), 0, 0, 8, 0, NULL, "DAC LSB", NULL,
	 "peak DAC integral nonlinearity, parabolic bow (assumption)"},
	{"dac_rout", KT_F64, OFF(dac_rout), 0, 0, 1e6, 0, NULL, "ohm", NULL,
	 "DAC (row driver) output resistance (assumption)"},
	{"adc_gain_err", KT_F64, OFF(adc_gain_err), 0, -0.5, 0.5, 0, NULL, "-", NULL,
	 "ADC gain error common to all ADCs (fraction; assumption)"},
	{"adc_gain_sigma", KT_F64, OFF(adc_gain_sigma), 0, 0, 0.5, 0, NULL, "-", NULL,
	 "sigma of the per-ADC gain mismatch (fraction; assumption)"},
	{"adc_offset", KT_F64, OFF(adc_offset), 0, -64, 64, 0, NULL, "LSB", NULL,
	 "ADC offset common to all ADCs (assumption)"},
	{"adc_offset_sigma", KT_F64, OFF(adc_offset_sigma), 0, 0, 64, 0, NULL, "LSB", NULL,
	 "sigma of the per-ADC offset mismatch (assumption)"},
	{"adc_inl", KT_F64, OFF(adc_inl), 0, 0, 16, 0, NULL, "LSB", NULL,
	 "peak ADC integral nonlinearity, odd cubic bow, endpoint fit (assumption)"},
	{"adc_noise", KT_F64, OFF(adc_noise), 0, 0, 16, 0, NULL, "LSB", NULL,
	 "input-referred comparator noise, rms, redrawn every conversion (assumption)"},
	{"i_clip", KT_F64, OFF(i_clip), 0, 0, 1, 0, NULL, "A", NULL,
	 "column current clipping of the sense amplifier, |I| <= i_clip (0: none; assumption)"},
	{"temp", KT_F64, OFF(temp), 300, 200, 450, 0, NULL, "K", NULL, "array temperature"},
	{"temp_ref", KT_F64, OFF(temp_ref), 300, 200, 450, 0, NULL, "K", NULL,
	 "temperature at which the cells were programmed"},
	{"tc_g", KT_F64, OFF(tc_g), 5e-4, -0.05, 0.05, 0, NULL, "1/K", NULL,
	 "temperature coefficient of conductance (F13: < 3 % over 60 K, derived)"},
	/* Placed faults (docs/robustness.md "Fault injection"): defects of one part, for the detection
	 * tests of aimc selftest. Every default leaves the fault off. */
	{"fault_tile", KT_U32, OFF(fault_tile), 0, 0, 15, 0, NULL, "-", NULL,
	 "tile of the placed faults below (fault_adc_dead, fault_dac_dead, fault_col_gain)"},
	{"fault_adc_dead", KT_U32, OFF(fault_adc_dead), 0, 0, 1, 0, NULL, "-", NULL,
	 "1: ADC fault_adc of fault_tile is dead, every column it converts reads fault_adc_code"},
	{"fault_adc", KT_U32, OFF(fault_adc), 0, 0, 1023, 0, NULL, "-", NULL,
	 "index of the dead ADC (columns fault_adc*cols_per_adc ..)"},
	{"fault_adc_code", KT_F64, OFF(fault_adc_code), 0, -32768, 32767, 0, NULL, "code", NULL,
	 "the constant code of the dead ADC (an integer in the ADC's code range)"},
	{"fault_dac_dead", KT_U32, OFF(fault_dac_dead), 0, 0, 1, 0, NULL, "-", NULL,
	 "1: the DAC of row fault_dac_row of fault_tile is dead, the row stays at 0 V"},
	{"fault_dac_row", KT_U32, OFF(fault_dac_row), 0, 0, 1023, 0, NULL, "-", NULL,
	 "row of the dead DAC"},
	{"fault_col", KT_U32, OFF(fault_col), 0, 0, 1023, 0, NULL, "-", NULL,
	 "column of fault_tile whose read conductances (both cells) are scaled by fault_col_gain"},
	{"fault_col_gain", KT_F64, OFF(fault_col_gain), 1, 0, 10, 0, NULL, "-", NULL,
	 "drift factor of column fault_col (1: no fault)"},
	{"ir_mode", KT_ENUM, OFF(ir_mode), 0, 0, 2, 0, NULL, "off|first|full", NULL,
	 "wire resistance / IR drop: off (ideal sum), first (first-order estimate), full (network solve)"},
	{"r_wire_row", KT_F64, OFF(r_wire_row), 1.2, 0, 100, 0, NULL, "ohm", NULL,
	 "row wire resistance per cell segment (W6; used when ir_mode is not off)"},
	{"r_wire_col", KT_F64, OFF(r_wire_col), 1.2, 0, 100, 0, NULL, "ohm", NULL,
	 "column wire resistance per cell segment (W6; used when ir_mode is not off)"},
	{"r_drv", KT_F64, OFF(r_drv), 100, 0, 1e4, 0, NULL, "ohm", NULL,
	 "row driver (DAC) output resistance (assumption; used when ir_mode is not off)"},
	{"r_sense", KT_F64, OFF(r_sense), 100, 0, 1e4, 0, NULL, "ohm", NULL,
	 "column sense node input resistance to its 0 V virtual ground (assumption; ir_mode not off)"},
	/* ---- Device presets and the time axis (issue 18 items 1-2; docs/analog-model.md "Devices").
	 * device = flash keeps every bit of the flash model; the pcm_* and reram_* keys act only on their
	 * device. Sources: rows P1-P4 and R1, R4 of docs/sources.md. ---- */
	{"device", KT_ENUM, OFF(device), 0, 0, 2, 0, NULL, "flash|pcm|reram", NULL,
	 "cell technology: flash (prog/read noise, drift keys above), pcm (P2-P4), reram (R1, R4)"},
	{"cell_levels", KT_U32, OFF(cell_levels), 128, 2, 128, 0, NULL, "-", NULL,
	 "distinct conductance levels per cell: a cell level l of 0..top (top 127, or 2^slice_bits - 1 "
	 "with bit-sliced weights) is programmed to the nearest of cell_levels evenly spaced levels "
	 "(128: every cell level)"},
	{"pcm_prog_scale", KT_F64, OFF(pcm_prog_scale), 1, 0, 10, 0, NULL, "-", NULL,
	 "pcm: multiplier of the programming-noise fit (P2)"},
	{"pcm_drift_scale", KT_F64, OFF(pcm_drift_scale), 1, 0, 10, 0, NULL, "-", NULL,
	 "pcm: multiplier of the level-dependent drift exponent (P3)"},
	{"pcm_read_scale", KT_F64, OFF(pcm_read_scale), 1, 0, 10, 0, NULL, "-", NULL,
	 "pcm: multiplier of the 1/f read noise (P4)"},
	{"pcm_t_read", KT_F64, OFF(pcm_t_read), 250e-9, 1e-12, 1, 0, NULL, "s", NULL,
	 "pcm: read duration t_r of the 1/f read noise (P4: 250 ns)"},
	{"reram_prog_scale", KT_F64, OFF(reram_prog_scale), 1, 0, 10, 0, NULL, "-", NULL,
	 "reram: multiplier of the level-dependent programming spread (R1, 1 s fit)"},
	{"reram_relax_scale", KT_F64, OFF(reram_relax_scale), 1, 0, 10, 0, NULL, "-", NULL,
	 "reram: multiplier of the relaxation spread (R1: growth of the spread from 1 s to 1 and 2 days)"},
	{"reram_relax_mean", KT_F64, OFF(reram_relax_mean), -0.00223, -0.1, 0.1, 0, NULL, "of gmax", NULL,
	 "reram: mean relaxation per ln(t / 1 s), every cell (R4: -0.089 uS, over R1's 40 uS)"},
	/* ---- end of device presets ---- */
	{"e_adc_pj", KT_F64, OFF(e_adc_pj), 2.0, 0, 1000, 0, NULL, "pJ", NULL,
	 "energy per column conversion (A3-A5)"},
	{"e_dac_pj", KT_F64, OFF(e_dac_pj), 0.054, 0, 1000, 0, NULL, "pJ", NULL,
	 "energy per active row per array read (A10, A11)"},
	{"e_sram_pj_bit", KT_F64, OFF(e_sram_pj_bit), 0.16, 0, 1000, 0, NULL, "pJ", NULL,
	 "SRAM access energy per bit (E11)"},
	{"e_acc_pj", KT_F64, OFF(e_acc_pj), 0.1, 0, 1000, 0, NULL, "pJ", NULL, "int32 accumulate (E10)"},
	{"e_post_pj", KT_F64, OFF(e_post_pj), 3.3, 0, 1000, 0, NULL, "pJ", NULL,
	 "post-processing per output (E10)"},
	/* ---- charge-domain crossbar (issue 18; docs/analog-model.md "Charge-domain crossbar"). Every
	 * default leaves its effect off; the sourced values are in configs/charge.cfg. ---- */
	{"xbar_kind", KT_ENUM, OFF(xbar_kind), 0, 0, 1, 0, NULL, "flash|charge", NULL,
	 "crossbar physics of the analog model: flash (conductances, currents) or charge (capacitor "
	 "arrays, charge sharing); same macro ports and timing"},
	{"chg_cu", KT_F64, OFF(chg_cu), 1e-15, 1e-18, 1e-12, 0, NULL, "F", NULL,
	 "unit capacitor of the charge-domain cell (level l = l C_u as binary-weighted bits)"},
	{"chg_cap_sigma", KT_F64, OFF(chg_cap_sigma), 0, 0, 0.5, 0, NULL, "-", NULL,
	 "relative mismatch sigma of one unit capacitor; a bit of 2^b units has sigma/sqrt(2^b) (Pelgrom)"},
	{"chg_cpar_cell", KT_F64, OFF(chg_cpar_cell), 0, 0, 1e-12, 0, NULL, "F", NULL,
	 "column-line parasitic capacitance per row (W3, W4): attenuates the shared voltage"},
	{"chg_qinj", KT_F64, OFF(chg_qinj), 0, -1e-12, 1e-12, 0, NULL, "C", NULL,
	 "mean charge injected onto the column line by one share switch when it opens"},
	{"chg_qinj_sigma", KT_F64, OFF(chg_qinj_sigma), 0, 0, 1e-12, 0, NULL, "C", NULL,
	 "sigma of the per-switch charge injection (a property of the switch, keyed per row and cell)"},
	{"chg_ktc", KT_U32, OFF(chg_ktc), 0, 0, 1, 0, NULL, "-", NULL,
	 "1: kT/C noise on every column line, sigma sqrt(k T / C_line), redrawn every conversion"},
	{"chg_t_hold", KT_F64, OFF(chg_t_hold), 0, 0, 1, 0, NULL, "s", NULL,
	 "hold time from charge sharing to the first conversion; mux position g waits "
	 "g adc_cycles / clock more"},
	{"chg_tau_leak", KT_F64, OFF(chg_tau_leak), 0, 0, 1e6, 0, NULL, "s", NULL,
	 "leakage time constant of a held column line, V e^(-t/tau) (0: no leakage)"},
	{"chg_activity", KT_F64, OFF(chg_activity), 0.017, 0, 1, 0, NULL, "-", NULL,
	 "energy model: mean fraction of the array capacitance charged to vread per read "
	 "(measured on the make sim digits MLP, docs/analog-model.md)"},
	/* ---- end charge-domain ---- */
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int key_index(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].key, name) == 0)
			return (int)i;
	return -1;
}

static uint32_t *u32_field(aimc_cfg *cfg, const struct cfg_key *k)
{
	return (uint32_t *)(void *)((char *)cfg + k->offset);
}

static double *f64_field(aimc_cfg *cfg, const struct cfg_key *k)
{
	return (double *)(void *)((char *)cfg + k->offset);
}

static uint32_t u32_get(const aimc_cfg *cfg, const struct cfg_key *k)
{
	return *(const uint32_t *)(const void *)((const char *)cfg + k->offset);
}

static double f64_get(const aimc_cfg *cfg, const struct cfg_key *k)
{
	return *(const double *)(const void *)((const char *)cfg + k->offset);
}

static int is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident(const char *s)
{
	if (!is_ident_start(*s))
		return 0;
	for (s++; *s; s++)
		if (!is_ident_start(*s) && !is_digit(*s))
			return 0;
	return 1;
}

/* Shortest %g text that reads back as exactly v (JSON-safe for finite v). */
static void fmt_double(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15) { /* integral: plain digits, not 2e+02 */
		snprintf(buf, len, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

void aimc_cfg_defaults(aimc_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++) {
		const struct cfg_key *k = &keys[i];

		if (k->type == KT_U32 || k->type == KT_ENUM)
			*u32_field(cfg, k) = (uint32_t)k->def;
		else if (k->type == KT_F64)
			*f64_field(cfg, k) = k->def;
	}
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].def_from != NULL)
			*u32_field(cfg, &keys[i]) = u32_get(cfg, &keys[key_index(keys[i].def_from)]);
}

/* "origin:line: " or "origin: " when the value did not come from a line. */
static void where(char *buf, size_t len, const char *origin, uint32_t line)
{
	if (line > 0)
		snprintf(buf, len, "%s:%u: ", origin, line);
	else
		snprintf(buf, len, "%s: ", origin);
}

/* Range and multiple-of check of key i as stored in cfg. */
static int check_key(const aimc_cfg *cfg, size_t i, const char *origin, uint32_t line, char *err,
		     size_t errlen)
{
	const struct cfg_key *k = &keys[i];
	char at[600], lo[32], hi[32], val[32];
	double v;

	if (k->type == KT_NAME)
		return 0;
	where(at, sizeof(at), origin, line);
	fmt_double(lo, sizeof(lo), k->min);
	fmt_double(hi, sizeof(hi), k->max);
	if (k->type == KT_ENUM) {
		if (u32_get(cfg, k) > k->max) {
			set_err(err, errlen, "%skey '%s': value %u is not one of %s", at, k->key,
				u32_get(cfg, k), k->unit);
			return -1;
		}
		return 0;
	}
	if (k->type == KT_U32) {
		uint32_t u = u32_get(cfg, k);

		if (u < k->min || u > k->max) {
			set_err(err, errlen, "%skey '%s': value %u out of range [%s, %s]", at, k->key, u, lo,
				hi);
			return -1;
		}
		if (k->multiple != 0 && u % k->multiple != 0) {
			set_err(err, errlen, "%skey '%s': value %u is not a multiple of %u", at, k->key, u,
				k->multiple);
			return -1;
		}
		return 0;
	}
	v = f64_get(cfg, k);
	if (!(v >= k->min && v <= k->max)) {
		fmt_double(val, sizeof(val), v);
		set_err(err, errlen, "%skey '%s': value %s out of range [%s, %s] %s", at, k->key, val, lo,
			hi, k->unit);
		return -1;
	}
	return 0;
}

const char *aimc_cfg_effect_on(const aimc_cfg *cfg)
{
	/* device presets (issue 18): another cell than flash, or fewer levels than weights */
	if (cfg->device != 0)
		return "device";
	/* fewer states than 128 round the targets, unless every level of the cell (0 .. top,
	 * aimc_cfg_cell_top: 127, or 2^slice_bits - 1 sliced) is one of them (decision 0009) */
	if (cfg->cell_levels != 128 && (cfg->cell_levels - 1) % aimc_cfg_cell_top(cfg) != 0)
		return "cell_levels";
	if (cfg->ir_mode != 0)
		return "ir_mode";
	if (cfg->drift_time > cfg->drift_t0 && (cfg->drift_nu != 0.0 || cfg->drift_nu_sigma != 0.0))
		return "drift_time";
	if (cfg->stuck_gmin_frac != 0.0)
		return "stuck_gmin_frac";
	if (cfg->stuck_gmax_frac != 0.0)
		return "stuck_gmax_frac";
	if (cfg->dac_inl != 0.0)
		return "dac_inl";
	if (cfg->dac_rout != 0.0)
		return "dac_rout";
	if (cfg->adc_gain_err != 0.0)
		return "adc_gain_err";
	if (cfg->adc_gain_sigma != 0.0)
		return "adc_gain_sigma";
	if (cfg->adc_offset != 0.0)
		return "adc_offset";
	if (cfg->adc_offset_sigma != 0.0)
		return "adc_offset_sigma";
	if (cfg->adc_inl != 0.0)
		return "adc_inl";
	if (cfg->adc_noise != 0.0)
		return "adc_noise";
	if (cfg->i_clip != 0.0)
		return "i_clip";
	/* (charge kind: temp only sets the kT/C noise; tc_g is the flash conductance coefficient) */
	if (cfg->xbar_kind == 0 && cfg->tc_g != 0.0 && cfg->temp != cfg->temp_ref)
		return "temp";
	if (cfg->fault_adc_dead != 0)
		return "fault_adc_dead";
	if (cfg->fault_dac_dead != 0)
		return "fault_dac_dead";
	if (cfg->fault_col_gain != 1.0)
		return "fault_col_gain";
	/* ---- charge-domain effects (only read by xbar_kind charge) ---- */
	if (cfg->xbar_kind == 1) {
		if (cfg->chg_cap_sigma != 0.0)
			return "chg_cap_sigma";
		if (cfg->chg_cpar_cell != 0.0)
			return "chg_cpar_cell";
		if (cfg->chg_qinj != 0.0)
			return "chg_qinj";
		if (cfg->chg_qinj_sigma != 0.0)
			return "chg_qinj_sigma";
		if (cfg->chg_ktc != 0)
			return "chg_ktc";
		if (cfg->chg_tau_leak != 0.0)
			return "chg_tau_leak";
	}
	/* ---- end charge-domain ---- */
	return NULL;
}

void aimc_cfg_clear_faults(aimc_cfg *cfg)
{
	cfg->stuck_gmin_frac = 0.0;
	cfg->stuck_gmax_frac = 0.0;
	cfg->fault_adc_dead = 0;
	cfg->fault_dac_dead = 0;
	cfg->fault_col_gain = 1.0;
}

/* Cross-checks of docs/configs.md. lines[] (NULL for a hand-built cfg) gives the line of each key;
 * a violation is reported at the later of the two lines, naming that key. */
static int cross_check(const aimc_cfg *cfg, const uint32_t *lines, const char *origin, char *err,
		       size_t errlen)
{
	static const struct {
		const char *a, *b;
	} pairs[] = {{"cols", "cols_per_adc"}, {"adc_bits", "adc_cycles"}, {"gmin", "gmax"},
		     {"xbar_impl", "prog_sigma"}, {"xbar_impl", "read_sigma"}, {"xbar_impl", "pv_enable"},
		     {"stuck_gmin_frac", "stuck_gmax_frac"}, {"temp", "tc_g"}, {"ir_mode", "dac_rout"},
		     {"conflict_check", "num_tiles"}, {"num_tiles", "fault_tile"}, {"cols_per_adc", "fault_adc"},
		     {"adc_bits", "fault_adc_code"}, {"rows", "fault_dac_row"}, {"cols", "fault_col"},
		     {"xbar_impl", "xbar_impl"}, {"xbar_kind", "xbar_impl"}, /* 15: the default case below */
		     {"adc_kind", "adc_cycles"}, {"adc_kind", "xbar_impl"}, {"adc_kind", "xbar_kind"},
		     {"weight_slices", "slice_bits"}, {"cols", "weight_slices"}, {"xbar_kind", "weight_slices"},
		     {"post_lanes", "post_lanes"}, {"post_lanes", "par_depth"}, {"load_words", "load_words"},
		     {"load_words", "act_depth"}, {"post_lanes", "load_words"}, {"post_lanes", "cols"}};
	char at[600];

	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		int ia = key_index(pairs[p].a), ib = key_index(pairs[p].b);
		uint32_t la = lines ? lines[ia] : 0, lb = lines ? lines[ib] : 0;
		const char *name = la > lb ? pairs[p].a : pairs[p].b;
		int bad;
		char msg[200];

		switch (p) {
		case 0:
			bad = cfg->cols_per_adc == 0 || cfg->cols % cfg->cols_per_adc != 0;
			snprintf(msg, sizeof(msg), "cols (%u) is not a multiple of cols_per_adc (%u)", cfg->cols,
				 cfg->cols_per_adc);
			break;
		case 1:
			bad = cfg->adc_cycles < cfg->adc_bits;
			snprintf(msg, sizeof(msg), "adc_cycles (%u) must be >= adc_bits (%u)", cfg->adc_cycles,
				 cfg->adc_bits);
			break;
		case 2:
			bad = !(cfg->gmin < cfg->gmax);
			snprintf(msg, sizeof(msg), "gmin (%g S) must be < gmax (%g S)", cfg->gmin, cfg->gmax);
			break;
		case 3:
			/* The digital twin computes without noise: a noisy config would disagree with it. */
			bad = cfg->xbar_impl == 1 && cfg->prog_sigma != 0.0;
			snprintf(msg, sizeof(msg), "xbar_impl 1 (digital twin) needs prog_sigma 0, not %g",
				 cfg->prog_sigma);
			break;
		case 4:
			bad = cfg->xbar_impl == 1 && cfg->read_sigma != 0.0;
			snprintf(msg, sizeof(msg), "xbar_impl 1 (digital twin) needs read_sigma 0, not %g",
				 cfg->read_sigma);
			break;
		case 5:
			/* Ideal cells verify as converged before any pulse: program-and-verify would never
			 * program them. The twin takes the one-shot PROG path only. */
			bad = cfg->xbar_impl == 1 && cfg->pv_enable != 0;
			snprintf(msg, sizeof(msg), "xbar_impl 1 (digital twin) needs pv_enable 0");
			break;
		case 6:
			bad = !(cfg->stuck_gmin_frac + cfg->stuck_gmax_frac <= 1.0);
			snprintf(msg, sizeof(msg), "stuck_gmin_frac + stuck_gmax_frac (%g) must be <= 1",
				 cfg->stuck_gmin_frac + cfg->stuck_gmax_frac);
			break;
		case 7:
			/* a conductance cannot change sign with temperature */
			bad = !(1.0 + cfg->tc_g * (cfg->temp - cfg->temp_ref) > 0.0);
			snprintf(msg, sizeof(msg), "1 + tc_g (temp - temp_ref) = %g must be > 0",
				 1.0 + cfg->tc_g * (cfg->temp - cfg->temp_ref));
			break;
		case 9:
			/* without the conflict check the tiles could overtake each other's words */
			bad = cfg->conflict_check == 0 && cfg->num_tiles != 1;
			snprintf(msg, sizeof(msg), "conflict_check 0 needs num_tiles 1, not %u", cfg->num_tiles);
			break;
		case 8:
			/* with the network solve the row driver is r_drv; dac_rout is the closed-form sag */
			bad = cfg->ir_mode != 0 && cfg->dac_rout != 0.0;
			snprintf(msg, sizeof(msg), "ir_mode %s needs dac_rout 0 (the solve's driver resistance is r_drv)",
				 cfg->ir_mode == 1 ? "first" : "full");
			break;
		case 10:
			bad = cfg->fault_tile >= cfg->num_tiles;
			snprintf(msg, sizeof(msg), "fault_tile (%u) must be < num_tiles (%u)", cfg->fault_tile,
				 cfg->num_tiles);
			break;
		case 11:
			bad = cfg->cols_per_adc != 0 && cfg->fault_adc >= cfg->cols / cfg->cols_per_adc;
			snprintf(msg, sizeof(msg), "fault_adc (%u) must be < cols / cols_per_adc (%u)",
				 cfg->fault_adc, cfg->cols_per_adc ? cfg->cols / cfg->cols_per_adc : 0);
			break;
		case 12: {
			double half = ldexp(1.0, (int)cfg->adc_bits - 1);

			bad = cfg->fault_adc_code != floor(cfg->fault_adc_code) || cfg->fault_adc_code < -half ||
			      cfg->fault_adc_code > half - 1.0;
			snprintf(msg, sizeof(msg), "fault_adc_code (%g) must be an integer in [%g, %g] (adc_bits %u)",
				 cfg->fault_adc_code, -half, half - 1.0, cfg->adc_bits);
			break;
		}
		case 13:
			bad = cfg->fault_dac_row >= cfg->rows;
			snprintf(msg, sizeof(msg), "fault_dac_row (%u) must be < rows (%u)", cfg->fault_dac_row,
				 cfg->rows);
			break;
		case 14:
			/* a pair column of the array (cols x weight_slices of them) */
			bad = cfg->fault_col >= aimc_cfg_array_cols(cfg);
			if (cfg->weight_slices > 1)
				snprintf(msg, sizeof(msg), "fault_col (%u) must be < cols x weight_slices (%u)",
					 cfg->fault_col, aimc_cfg_array_cols(cfg));
			else
				snprintf(msg, sizeof(msg), "fault_col (%u) must be < cols (%u)", cfg->fault_col,
					 cfg->cols);
			break;
		case 16: {
			/* ---- charge-domain: its own non-idealities only (the flash model's effects act on
			 * conductances; none of them applies to a capacitor array) ---- */
			const char *on = cfg->prog_sigma != 0.0 ? "prog_sigma" : cfg->read_sigma != 0.0 ? "read_sigma"
					 : cfg->pv_enable != 0 ? "pv_enable" : NULL;
			aimc_cfg flash = *cfg;

			flash.xbar_kind = 0;
			flash.temp = flash.temp_ref; /* temp only sets the charge kind's kT/C */
			if (on == NULL)
				on = aimc_cfg_effect_on(&flash);
			bad = cfg->xbar_kind == 1 && (cfg->xbar_impl != 0 || on != NULL);
			if (cfg->xbar_impl != 0)
				snprintf(msg, sizeof(msg), "xbar_kind charge needs xbar_impl 0 (the behavioural macro)");
			else
				snprintf(msg, sizeof(msg), "xbar_kind charge models its own effects (chg_*); "
					 "%s of the flash model must be off", on ? on : "-");
			if (bad && on != NULL && lines != NULL && lines[key_index(on)] > la) {
				la = lines[key_index(on)];
				name = on;
			}
			break;
		}
		case 17:
			/* the conversion time is what the SAR logic takes: one sample cycle, one per bit */
			bad = cfg->adc_kind == AIMC_ADC_SAR && cfg->adc_cycles != cfg->adc_bits + 1;
			snprintf(msg, sizeof(msg), "adc_kind sar takes adc_bits + 1 (%u) cycles per conversion, "
				 "so adc_cycles must be %u, not %u", cfg->adc_bits + 1, cfg->adc_bits + 1,
				 cfg->adc_cycles);
			break;
		case 18:
			bad = cfg->adc_kind == AIMC_ADC_SAR && cfg->xbar_impl != 0;
			snprintf(msg, sizeof(msg), "adc_kind sar needs the analog model's comparator (xbar_impl 0), "
				 "not xbar_impl %u", cfg->xbar_impl);
			break;
		case 19:
			bad = cfg->adc_kind == AIMC_ADC_SAR && cfg->xbar_kind != 0;
			snprintf(msg, sizeof(msg), "adc_kind sar needs the flash crossbar's comparator model "
				 "(xbar_kind flash), not the charge-domain kind");
			break;
		case 20:
			/* the slices cover the 7 magnitude bits, and no slice is always zero */
			bad = cfg->weight_slices * cfg->slice_bits < 7 ||
			      (cfg->weight_slices - 1) * cfg->slice_bits >= 7 ||
			      (cfg->weight_slices == 1 && cfg->slice_bits != 7);
			snprintf(msg, sizeof(msg), "weight_slices (%u) x slice_bits (%u) must cover the 7 weight "
				 "magnitude bits with no slice left always zero ((slices-1) x bits < 7 <= slices x "
				 "bits; one slice: slice_bits 7)", cfg->weight_slices, cfg->slice_bits);
			break;
		case 21:
			bad = cfg->cols * cfg->weight_slices > 1024;
			snprintf(msg, sizeof(msg), "cols x weight_slices (%u pair columns in the array) must be "
				 "<= 1024", cfg->cols * cfg->weight_slices);
			break;
		case 22:
			/* the capacitor model holds one binary-weighted cell per logical column */
			bad = cfg->xbar_kind == 1 && cfg->weight_slices > 1;
			snprintf(msg, sizeof(msg), "xbar_kind charge does not model bit-sliced weights "
				 "(weight_slices must be 1, not %u)", cfg->weight_slices);
			break;
		case 23:
			bad = cfg->post_lanes != 1 && cfg->post_lanes != 4 && cfg->post_lanes != 8 &&
			      cfg->post_lanes != 16;
			snprintf(msg, sizeof(msg), "post_lanes must be 1, 4, 8 or 16, not %u", cfg->post_lanes);
			break;
		case 24:
			/* the parameter buffer's 4 x post_lanes banks split it evenly */
			bad = cfg->post_lanes == 0 || cfg->par_depth % (4 * cfg->post_lanes) != 0;
			snprintf(msg, sizeof(msg), "par_depth (%u) must be a multiple of 4 x post_lanes (%u)",
				 cfg->par_depth, 4 * cfg->post_lanes);
			break;
		case 25:
			bad = cfg->load_words != 1 && cfg->load_words != 4;
			snprintf(msg, sizeof(msg), "load_words must be 1 or 4, not %u", cfg->load_words);
			break;
		case 26:
			/* the activation buffers' load_words banks split them evenly */
			bad = cfg->load_words == 0 || cfg->act_depth % cfg->load_words != 0;
			snprintf(msg, sizeof(msg), "act_depth (%u) must be a multiple of load_words (%u)",
				 cfg->act_depth, cfg->load_words);
			break;
		case 27:
			/* 8 or 16 lanes write post_lanes / 4 output words per cycle, one per activation bank */
			bad = cfg->post_lanes > 4 && cfg->load_words < cfg->post_lanes / 4;
			snprintf(msg, sizeof(msg), "post_lanes %u writes %u output words per cycle: it needs "
				 "load_words 4 (the activation buffers in 4 banks), not %u", cfg->post_lanes,
				 cfg->post_lanes / 4, cfg->load_words);
			break;
		case 28:
			/* every POST cycle retires a whole group of post_lanes columns */
			bad = cfg->post_lanes == 0 || cfg->cols % cfg->post_lanes != 0;
			snprintf(msg, sizeof(msg), "cols (%u) must be a multiple of post_lanes (%u)", cfg->cols,
				 cfg->post_lanes);
			break;
		default: {
			/* The twin computes without any analog effect: name the first one switched on. */
			const char *on = aimc_cfg_effect_on(cfg);

			bad = cfg->xbar_impl == 1 && on != NULL;
			snprintf(msg, sizeof(msg), "xbar_impl 1 (digital twin) needs every analog effect off, "
				 "but %s is on", on ? on : "-");
			if (bad && lines != NULL && lines[key_index(on)] > la) {
				la = lines[key_index(on)];
				name = on;
			}
			break;
		}
		}
		if (bad) {
			where(at, sizeof(at), origin, la > lb ? la : lb);
			set_err(err, errlen, "%skey '%s': %s", at, name, msg);
			return -1;
		}
	}
	return 0;
}

int aimc_cfg_check(const aimc_cfg *cfg, char *err, size_t errlen)
{
	const char *origin = cfg->name[0] ? cfg->name : "config";

	for (size_t i = 0; i < NKEYS; i++)
		if (check_key(cfg, i, origin, 0, err, errlen) != 0)
			return AIMC_ECONFIG;
	return cross_check(cfg, NULL, origin, err, errlen) != 0 ? AIMC_ECONFIG : AIMC_OK;
}

/* 0, -1 not an integer, -2 too large, -3 negative (a minus sign before digits). */
static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (s[0] == '-' && is_digit(s[1])) {
		for (s++; is_digit(*s); s++)
			;
		return *s == '\0' ? -3 : -1;
	}
	if (!is_digit(*s))
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > UINT32_MAX)
			return -2;
	}
	*out = (uint32_t)v;
	return 0;
}

/* [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? ; no hex, inf or nan. */
static int parse_f64(const char *s, double *out)
{
	const char *p = s;
	int mant = 0;
	char *end;

	if (*p == '+' || *p == '-')
		p++;
	while (is_digit(*p)) {
		p++;
		mant = 1;
	}
	if (*p == '.') {
		p++;
		while (is_digit(*p)) {
			p++;
			mant = 1;
		}
	}
	if (!mant)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return -1;
		while (is_digit(*p))
			p++;
	}
	if (*p != '\0')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (*end != '\0')
		return -1;
	if (!isfinite(*out) || errno == ERANGE) /* overflow, or underflow to 0 / subnormal */
		return -2;
	return 0;
}

int aimc_cfg_parse_seconds(const char *s, double *out)
{
	static const struct {
		const char *name;
		double sec;
	} units[] = {{"s", 1.0}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"min", 60.0},
		     {"h", 3600.0}, {"d", 86400.0}, {"y", 31557600.0}};
	char num[MAX_VALUE_CHARS + 1];
	const char *u;
	size_t n;
	double v;

	if (s == NULL)
		return AIMC_EINVAL;
	/* the unit is the trailing run of letters ("1e3" has none: its e is followed by a digit; "1e" is
	 * the unknown unit e) */
	n = strlen(s);
	u = s + n;
	while (u > s && ((u[-1] >= 'a' && u[-1] <= 'z') || (u[-1] >= 'A' && u[-1] <= 'Z')))
		u--;
	n = (size_t)(u - s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0 || n > MAX_VALUE_CHARS)
		return AIMC_EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_f64(num, &v) != 0)
		return AIMC_EINVAL;
	if (*u != '\0') {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(u, units[i].name) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return AIMC_EINVAL;
		v = v * units[i].sec;
	}
	*out = v;
	return AIMC_OK;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *trim_end(const char *b, const char *e)
{
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return e;
}

/* Index of name val in the '|'-separated list k->unit of a KT_ENUM key; -1 if absent. */
static int enum_index(const struct cfg_key *k, const char *val, uint32_t *out)
{
	const char *p = k->unit;
	size_t n = strlen(val);

	for (uint32_t i = 0; *p != '\0'; i++) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, val, n) == 0) {
			*out = i;
			return 0;
		}
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return -1;
}

/* Name of value u of a KT_ENUM key into buf (empty if out of range). */
static void enum_name(const struct cfg_key *k, uint32_t u, char *buf, size_t len)
{
	const char *p = k->unit;

	buf[0] = '\0';
	for (uint32_t i = 0; i < u && p != NULL; i++) {
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	if (p != NULL) {
		size_t n = strcspn(p, "|");

		snprintf(buf, len, "%.*s", (int)n, p);
	}
}

/* Out-of-range message for a value too large to even store (integer overflow, float overflow). */
static void range_err(const struct cfg_key *k, const char *origin, uint32_t lineno, const char *val,
		      char *err, size_t errlen)
{
	char lo[32], hi[32];

	fmt_double(lo, sizeof(lo), k->min);
	fmt_double(hi, sizeof(hi), k->max);
	set_err(err, errlen, "%s:%u: key '%s': value %s out of range [%s, %s]", origin, lineno, k->key,
		val, lo, hi);
}

/* Parse one non-empty "key = value" line [b, e) into cfg. */
static int parse_line(aimc_cfg *cfg, uint32_t *lines, const char *b, const char *e,
		      const char *origin, uint32_t lineno, char *err, size_t errlen)
{
	const char *eq = memchr(b, '=', (size_t)(e - b));
	const char *ke, *vb, *ve;
	char key[40], val[MAX_VALUE_CHARS + 1];
	const struct cfg_key *k;
	int idx, rc;

	if (eq == NULL) {
		const char *te = b;

		while (te < e && *te != ' ' && *te != '\t')
			te++;
		if ((size_t)(te - b) < sizeof(key)) {
			memcpy(key, b, (size_t)(te - b));
			key[te - b] = '\0';
			if (key_index(key) >= 0) {
				set_err(err, errlen, "%s:%u: key '%s': expected '=' after the key", origin, lineno,
					key);
				return -1;
			}
		}
		set_err(err, errlen, "%s:%u: expected 'key = value', got '%.*s'", origin, lineno,
			(int)(e - b > 60 ? 60 : e - b), b);
		return -1;
	}
	ke = trim_end(b, eq);
	if (ke == b) {
		set_err(err, errlen, "%s:%u: missing key before '='", origin, lineno);
		return -1;
	}
	if ((size_t)(ke - b) >= sizeof(key)) {
		set_err(err, errlen, "%s:%u: unknown key '%.*s...'", origin, lineno, 40, b);
		return -1;
	}
	memcpy(key, b, (size_t)(ke - b));
	key[ke - b] = '\0';
	idx = key_index(key);
	if (idx < 0) {
		set_err(err, errlen, "%s:%u: unknown key '%s'", origin, lineno, key);
		return -1;
	}
	k = &keys[idx];
	if (lines[idx] != 0) {
		set_err(err, errlen, "%s:%u: duplicate key '%s' (first set on line %u)", origin, lineno,
			key, lines[idx]);
		return -1;
	}
	vb = skip_space(eq + 1, e);
	ve = trim_end(vb, e);
	if (ve == vb) {
		set_err(err, errlen, "%s:%u: key '%s': missing value", origin, lineno, key);
		return -1;
	}
	if ((size_t)(ve - vb) > MAX_VALUE_CHARS) {
		set_err(err, errlen, "%s:%u: key '%s': value longer than %d characters", origin, lineno,
			key, MAX_VALUE_CHARS);
		return -1;
	}
	memcpy(val, vb, (size_t)(ve - vb));
	val[ve - vb] = '\0';

	switch (k->type) {
	case KT_NAME:
		if (!is_ident(val) || strlen(val) >= sizeof(cfg->name)) {
			set_err(err, errlen,
				"%s:%u: key '%s': '%s' is not an identifier ([A-Za-z_][A-Za-z0-9_]*, at most %zu "
				"characters)",
				origin, lineno, key, val, sizeof(cfg->name) - 1);
			return -1;
		}
		memcpy(cfg->name, val, strlen(val) + 1);
		break;
	case KT_U32:
		rc = parse_u32(val, u32_field(cfg, k));
		if (rc == -2) {
			range_err(k, origin, lineno, val, err, errlen);
			return -1;
		}
		if (rc == -3) {
			char lo[32], hi[32];

			fmt_double(lo, sizeof(lo), k->min);
			fmt_double(hi, sizeof(hi), k->max);
			set_err(err, errlen, "%s:%u: key '%s': '%s' is negative: must be a %s integer in [%s, %s]",
				origin, lineno, key, val, k->min >= 1 ? "positive" : "non-negative", lo, hi);
			return -1;
		}
		if (rc != 0) {
			set_err(err, errlen, "%s:%u: key '%s': '%s' is not a decimal integer", origin, lineno,
				key, val);
			return -1;
		}
		break;
	case KT_ENUM:
		if (enum_index(k, val, u32_field(cfg, k)) != 0) {
			set_err(err, errlen, "%s:%u: key '%s': '%s' is not one of %s", origin, lineno, key,
				val, k->unit);
			return -1;
		}
		break;
	default:
		/* keys in seconds also take a unit (aimc_cfg_parse_seconds: "1h", "1 y") */
		if (strcmp(k->unit, "s") == 0 && aimc_cfg_parse_seconds(val, f64_field(cfg, k)) == 0)
			break;
		rc = parse_f64(val, f64_field(cfg, k));
		if (rc == -2) {
			range_err(k, origin, lineno, val, err, errlen);
			return -1;
		}
		if (rc != 0) {
			set_err(err, errlen, "%s:%u: key '%s': '%s' is not a number", origin, lineno, key, val);
			return -1;
		}
		break;
	}
	lines[idx] = lineno;
	return check_key(cfg, (size_t)idx, origin, lineno, err, errlen);
}

#define UTF8_BOM "\xEF\xBB\xBF"

/* Keys and values are ASCII (comments may hold any UTF-8): name a stray byte-order mark or a
 * non-ASCII byte (a no-break space pasted from a document) instead of "unknown key". */
static int check_ascii(const char *b, const char *e, const char *origin, uint32_t lineno, char *err,
		       size_t errlen)
{
	for (const char *q = b; q < e; q++) {
		if ((unsigned char)*q < 0x80)
			continue;
		if (e - q >= 3 && strncmp(q, UTF8_BOM, 3) == 0)
			set_err(err, errlen, "%s:%u: UTF-8 byte-order mark (U+FEFF) at column %d: allowed only "
				"at the start of the file", origin, lineno, (int)(q - b) + 1);
		else
			set_err(err, errlen, "%s:%u: non-ASCII byte 0x%02X at column %d: keys and values are "
				"ASCII (only comments may hold other text)", origin, lineno,
				(unsigned char)*q, (int)(q - b) + 1);
		return -1;
	}
	return 0;
}

int aimc_cfg_parse(aimc_cfg *cfg, const char *text, const char *origin, char *err, size_t errlen)
{
	uint32_t lines[NKEYS] = {0};
	const char *p = text;
	uint32_t lineno = 0;

	if (origin == NULL)
		origin = "<config>";
	if (cfg == NULL || text == NULL) {
		set_err(err, errlen, "%s: no config or no text given", origin);
		return AIMC_EINVAL;
	}
	aimc_cfg_defaults(cfg);
	/* A UTF-8 byte-order mark is what some editors put first: it is not part of the first key. */
	if (strncmp(p, UTF8_BOM, 3) == 0)
		p += 3;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		const char *e = nl ? nl : p + strlen(p);
		const char *hash = memchr(p, '#', (size_t)(e - p));
		const char *b = skip_space(p, e);
		const char *ce = trim_end(b, hash ? hash : e);

		lineno++;
		if (check_ascii(b, ce, origin, lineno, err, errlen) != 0)
			return AIMC_ECONFIG;
		if (ce > b && parse_line(cfg, lines, b, ce, origin, lineno, err, errlen) != 0)
			return AIMC_ECONFIG;
		p = nl ? nl + 1 : e;
	}
	if (lines[key_index("name")] == 0) {
		set_err(err, errlen, "%s: missing required key 'name'", origin);
		return AIMC_ECONFIG;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].def_from != NULL && lines[i] == 0) {
			*u32_field(cfg, &keys[i]) = u32_get(cfg, &keys[key_index(keys[i].def_from)]);
			if (check_key(cfg, i, origin, 0, err, errlen) != 0)
				return AIMC_ECONFIG;
		}
	}
	return cross_check(cfg, lines, origin, err, errlen) != 0 ? AIMC_ECONFIG : AIMC_OK;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Read a whole text file (at most MAX_FILE_BYTES, no NUL bytes) into a malloc'd string. */
static int read_text(FILE *f, const char *path, char **out, char *err, size_t errlen)
{
	char *buf = NULL;
	struct stat st;
	size_t n;
	int rc = AIMC_EIO;

	/* fopen succeeds on a directory on Linux and the read fails with a bare "read error" */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s: is a directory, not a config file", path);
		goto out;
	}
	buf = malloc(MAX_FILE_BYTES + 1);
	if (buf == NULL) {
		set_err(err, errlen, "%s: out of memory", path);
		rc = AIMC_ENOMEM;
		goto out;
	}
	n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f)) {
		set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto out;
	}
	if (n > MAX_FILE_BYTES) {
		set_err(err, errlen, "%s: larger than %u bytes, not a config file", path, MAX_FILE_BYTES);
		goto out;
	}
	if (memchr(buf, '\0', n) != NULL) {
		set_err(err, errlen, "%s: contains a NUL byte, not a text config file", path);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	rc = AIMC_OK;
out:
	free(buf);
	return rc;
}

int aimc_cfg_load_in(aimc_cfg *cfg, const char *path_or_name, const char *root, char *err, size_t errlen)
{
	char path[sizeof(cfg->path)];
	char *text = NULL;
	FILE *f = NULL;
	int rc = AIMC_EIO;

	if (cfg == NULL || path_or_name == NULL || path_or_name[0] == '\0') {
		set_err(err, errlen, "config: no config name or path given");
		return AIMC_EINVAL;
	}
	if (strchr(path_or_name, '/') == NULL && !ends_with(path_or_name, ".cfg")) {
		char tried[sizeof(path)];

		if (!is_ident(path_or_name) || strlen(path_or_name) >= sizeof(cfg->name)) {
			set_err(err, errlen, "config '%s': not a config name (identifier) or a path",
				path_or_name);
			rc = AIMC_EINVAL;
			goto out;
		}
		snprintf(path, sizeof(path), "configs/%s.cfg", path_or_name);
		f = fopen(path, "rb");
		if (f == NULL && errno != ENOENT) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (f == NULL && (root == NULL || root[0] == '\0')) {
			/* the tools take the root from $AIMC_ROOT: the message names it for their users */
			set_err(err, errlen, "config '%s' not found: no %s and $AIMC_ROOT is not set",
				path_or_name, path);
			goto out;
		}
		if (f == NULL) {
			memcpy(tried, path, sizeof(path));
			if ((size_t)snprintf(path, sizeof(path), "%s/configs/%s.cfg", root, path_or_name) >=
			    sizeof(path)) {
				set_err(err, errlen, "config '%s': path under $AIMC_ROOT too long", path_or_name);
				rc = AIMC_EINVAL;
				goto out;
			}
			f = fopen(path, "rb");
			if (f == NULL) {
				set_err(err, errlen, "config '%s' not found: tried %s (%s) and %s (%s)",
					path_or_name, tried, strerror(ENOENT), path, strerror(errno));
				goto out;
			}
		}
	} else {
		if (strlen(path_or_name) >= sizeof(path)) {
			set_err(err, errlen, "config path longer than %zu characters", sizeof(path) - 1);
			rc = AIMC_EINVAL;
			goto out;
		}
		memcpy(path, path_or_name, strlen(path_or_name) + 1);
		f = fopen(path, "rb");
		if (f == NULL) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
	}
	rc = read_text(f, path, &text, err, errlen);
	if (rc != AIMC_OK)
		goto out;
	rc = aimc_cfg_parse(cfg, text, path, err, errlen);
	if (rc != AIMC_OK)
		goto out;
	memcpy(cfg->path, path, strlen(path) + 1);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}

int aimc_cfg_load(aimc_cfg *cfg, const char *path_or_name, char *err, size_t errlen)
{
	return aimc_cfg_load_in(cfg, path_or_name, NULL, err, errlen);
}

int aimc_cfg_is_ideal(const aimc_cfg *cfg)
{
	uint64_t need, have;

	if (cfg->adc_bits < 2 || cfg->adc_bits > 63 || cfg->dac_bits > 32)
		return 0;
	need = (uint64_t)cfg->rows * ((1ull << cfg->dac_bits) - 1) * aimc_cfg_cell_top(cfg);
	have = (1ull << (cfg->adc_bits - 1)) - 1;
	return cfg->prog_sigma == 0.0 && cfg->read_sigma == 0.0 && cfg->pv_enable == 0 &&
	       aimc_cfg_effect_on(cfg) == NULL && have >= need;
}

uint32_t aimc_cfg_slices(const aimc_cfg *cfg)
{
	return cfg->dac_bits == 0 ? 0 : (7 + cfg->dac_bits - 1) / cfg->dac_bits;
}

uint32_t aimc_cfg_num_adcs(const aimc_cfg *cfg)
{
	return cfg->cols_per_adc == 0 ? 0 : cfg->cols / cfg->cols_per_adc;
}

uint32_t aimc_cfg_cell_top(const aimc_cfg *cfg)
{
	if (cfg->weight_slices <= 1 || cfg->slice_bits < 1 || cfg->slice_bits > 7)
		return 127;
	return (1u << cfg->slice_bits) - 1;
}

uint32_t aimc_cfg_array_cols(const aimc_cfg *cfg)
{
	return cfg->cols * (cfg->weight_slices ? cfg->weight_slices : 1);
}

void aimc_cfg_array_view(const aimc_cfg *cfg, aimc_cfg *out)
{
	const uint32_t ns = cfg->weight_slices ? cfg->weight_slices : 1;

	*out = *cfg;
	out->cols = cfg->cols * ns;
	out->cols_per_adc = cfg->cols_per_adc * ns;
}

int aimc_cfg_weight_slice(const aimc_cfg *cfg, int w, uint32_t s)
{
	const uint32_t b = cfg->weight_slices <= 1 ? 7 : cfg->slice_bits;
	int mag = w < 0 ? -w : w;
	int v;

	if (mag > 127)
		mag = 127; /* -128 is programmed as -127 */
	if (cfg->weight_slices <= 1)
		return s == 0 ? (w < 0 ? -mag : mag) : 0;
	if (s >= cfg->weight_slices || s * b >= 31)
		return 0;
	v = (mag >> (s * b)) & (int)((1u << b) - 1);
	return w < 0 ? -v : v;
}

/* Append formatted text at *pos; -1 (and nothing more written) if it does not fit. */
static int append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos) {
		buf[*pos] = '\0';
		return -1;
	}
	*pos += (size_t)n;
	return 0;
}

int aimc_cfg_rtl_params(const aimc_cfg *cfg, const char *style, const char *top, char *buf, size_t len)
{
	int icarus;
	size_t pos = 0;

	if (cfg == NULL || style == NULL || buf == NULL || len == 0)
		return AIMC_EINVAL;
	buf[0] = '\0';
	if (strcmp(style, "verilator") == 0)
		icarus = 0;
	else if (strcmp(style, "icarus") == 0)
		icarus = 1;
	else
		return AIMC_EINVAL;
	if (icarus && (top == NULL || !is_ident(top)))
		return AIMC_EINVAL;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct cfg_key *k = &keys[i];
		const char *sep = pos ? " " : "";
		int rc;

		if (k->rtl == NULL)
			continue;
		if (icarus)
			rc = append(buf, len, &pos, "%s-P%s.%s=%u", sep, top, k->rtl, u32_get(cfg, k));
		else
			rc = append(buf, len, &pos, "%s-G%s=%u", sep, k->rtl, u32_get(cfg, k));
		if (rc != 0) {
			buf[0] = '\0';
			return AIMC_ERANGE;
		}
	}
	return AIMC_OK;
}

static int append_json_string(char *buf, size_t len, size_t *pos, const char *s)
{
	if (append(buf, len, pos, "\"") != 0)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;

		if (c == '"' || c == '\\')
			rc = append(buf, len, pos, "\\%c", c);
		else if (c < 0x20)
			rc = append(buf, len, pos, "\\u%04x", c);
		else
			rc = append(buf, len, pos, "%c", c);
		if (rc != 0)
			return -1;
	}
	return append(buf, len, pos, "\"");
}

int aimc_cfg_to_json(const aimc_cfg *cfg, char *buf, size_t len)
{
	size_t pos = 0;

	if (cfg == NULL || buf == NULL || len == 0)
		return AIMC_EINVAL;
	if (append(buf, len, &pos, "{") != 0)
		goto fail;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct cfg_key *k = &keys[i];
		char num[40];
		int rc;

		if (append(buf, len, &pos, "%s\"%s\": ", i ? ", " : "", k->key) != 0)
			goto fail;
		if (k->type == KT_NAME) {
			char name[sizeof(cfg->name)];

			/* the member may come from a hand-built cfg: never read past it */
			memcpy(name, cfg->name, sizeof(name));
			name[sizeof(name) - 1] = '\0';
			rc = append_json_string(buf, len, &pos, name);
		} else if (k->type == KT_U32) {
			rc = append(buf, len, &pos, "%u", u32_get(cfg, k));
		} else if (k->type == KT_ENUM) {
			char name[32];

			enum_name(k, u32_get(cfg, k), name, sizeof(name));
			rc = append_json_string(buf, len, &pos, name);
		} else if (isfinite(f64_get(cfg, k))) {
			fmt_double(num, sizeof(num), f64_get(cfg, k));
			rc = append(buf, len, &pos, "%s", num);
		} else {
			rc = append(buf, len, &pos, "null");
		}
		if (rc != 0)
			goto fail;
	}
	if (append(buf, len, &pos, "}") != 0)
		goto fail;
	return AIMC_OK;
fail:
	buf[0] = '\0';
	return AIMC_ERANGE;
}
