/* SPDX-License-Identifier: Apache-2.0 */
/* Chip configuration: the one parser of configs/<name>.cfg (docs/configs.md). */
#ifndef AIMC_CONFIG_H
#define AIMC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "aimc_api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aimc_cfg {
	char name[64];
	char path[512];              /* file it was loaded from (aimc_cfg_load); empty if parsed from text */
	/* digital geometry (RTL parameters) */
	uint32_t num_tiles, rows, cols, dac_bits, adc_bits, cols_per_adc, adc_cycles, settle_cycles;
	uint32_t instr_depth, act_depth, par_depth, wgt_depth, acc_slots;
	uint32_t weight_slices;      /* cell pairs per weight (bit-sliced weights), 1 = one pair of 127 levels */
	uint32_t slice_bits;         /* magnitude bits per slice (7 with one slice) */
	uint32_t xbar_impl;          /* 0: analog model (behavioural macro), 1: digital twin */
	uint32_t conflict_check;     /* 1: TILE_CONFLICT check; 0 (num_tiles 1 only): COPY waits for idle */
	uint32_t counter_bits;       /* event counter width, 16..32 (wrap at 2^counter_bits) */
	uint32_t isa_tfl;            /* 1: tfl POST and ACCADD built; 0: both ILLEGAL (cfg5.no_tfl) */
	uint32_t post_lanes;         /* POST columns per cycle: 1, 4, 8 or 16 (timing only, no bits) */
	uint32_t load_words;         /* MVM input words read per cycle: 1 or 4 (timing only) */
	uint32_t tile_overlap;       /* 1: a POST and the next MVM's load overlap an MVM (timing) */
	uint32_t adc_kind;           /* AIMC_ADC_MODEL (0) or AIMC_ADC_SAR (1); config text: model|sar */
	double clock_mhz;
	/* analog, physical units */
	double vread;                /* V */
	double gmax, gmin;           /* S */
	double prog_sigma, prog_knee;
	double read_sigma, read_knee;
	/* program-and-verify (written to the pv_* CSRs by the driver; docs/analog-model.md) */
	uint32_t pv_enable, pv_budget, pv_stop;
	double pv_tol, pv_step, pv_pulse_sigma;
	/* further non-idealities (docs/analog-model.md); the key-table defaults switch each one off */
	double drift_time, drift_t0, drift_nu, drift_nu_sigma;  /* s, s, -, - */
	double stuck_gmin_frac, stuck_gmax_frac;                /* fraction of cells */
	double dac_inl, dac_rout;                               /* DAC LSB, ohm */
	double adc_gain_err, adc_gain_sigma;                    /* fraction */
	double adc_offset, adc_offset_sigma, adc_inl, adc_noise; /* ADC LSB */
	double i_clip;                                          /* A, 0 = no clipping */
	double temp, temp_ref, tc_g;                            /* K, K, 1/K */
	/* placed faults of one part (docs/robustness.md "Fault injection"); defaults: off */
	uint32_t fault_tile, fault_adc_dead, fault_adc, fault_dac_dead, fault_dac_row, fault_col;
	double fault_adc_code;                                  /* code of the dead ADC */
	double fault_col_gain;                                  /* 1: no drifted column */
	/* wire resistance and IR drop (docs/analog-model.md "IR drop"); ohms */
	uint32_t ir_mode;            /* 0 off, 1 first-order, 2 full solve (config text: off|first|full) */
	double r_wire_row, r_wire_col, r_drv, r_sense;
	/* ---- device presets and the time axis (issue 18 items 1-2; docs/analog-model.md "Devices") ---- */
	uint32_t device;             /* 0 flash (the model above), 1 pcm, 2 reram (config text: flash|pcm|reram) */
	uint32_t cell_levels;        /* distinct conductance levels per cell, 2..128 (128: every cell level) */
	double pcm_prog_scale, pcm_drift_scale, pcm_read_scale; /* multipliers of the P2, P3, P4 fits */
	double pcm_t_read;           /* s, t_r of the 1/f read noise (P4) */
	double reram_prog_scale, reram_relax_scale;             /* multipliers of the R1 fits */
	double reram_relax_mean;     /* of gmax per ln(t / 1 s): mean relaxation (R4) */
	/* ---- end of device presets ---- */
	/* energy table, pJ */
	double e_adc_pj, e_dac_pj, e_sram_pj_bit, e_acc_pj, e_post_pj;
	/* ---- charge-domain crossbar (issue 18; docs/analog-model.md "Charge-domain crossbar") ---- */
	uint32_t xbar_kind;          /* 0 flash (conductances), 1 charge (capacitors; config text flash|charge) */
	double chg_cu;               /* F, unit capacitor */
	double chg_cap_sigma;        /* relative sigma of one unit capacitor (Pelgrom) */
	double chg_cpar_cell;        /* F, column-line parasitic per row */
	double chg_qinj, chg_qinj_sigma; /* C, charge injection per share switch: mean, sigma */
	uint32_t chg_ktc;            /* 1: kT/C noise per conversion */
	double chg_t_hold, chg_tau_leak; /* s, s: hold before the first conversion, leakage time constant */
	double chg_activity;         /* fraction of the array's C V^2 switched per read (energy model) */
	/* ---- end charge-domain ---- */
	/* Run-time option, not a key of the file (the parser leaves it empty): the vector kernels of
	 * the C model, "" or "auto" (the widest this CPU runs), "baseline", "avx2" or "avx512"
	 * (aimc_kern.h; every choice gives the same bits). The aimc tools set it from $AIMC_SIMD. */
	char simd[16];
} aimc_cfg;

/* adc_kind: who decides the bits of a column conversion (docs/analog-model.md "SAR ADC") */
enum aimc_adc_kind {
	AIMC_ADC_MODEL = 0, /* the analog model returns each code whole; the RTL times the conversion */
	AIMC_ADC_SAR = 1,   /* the RTL's SAR register, one comparator decision per cycle, MSB first */
};

/* Fill cfg with the defaults of every key (name empty). */
AIMC_API void aimc_cfg_defaults(aimc_cfg *cfg);

/* Load a config file. A bare name (no '/' and no ".cfg") is looked up as configs/<name>.cfg
 * relative to the current directory and then, if root is not NULL or empty, to root (the
 * repository; the aimc tools pass $AIMC_ROOT). Returns AIMC_OK, or with a message naming file,
 * line and key in err: AIMC_EINVAL (no cfg or name, a name that is no identifier, a path too
 * long), AIMC_EIO (not found, not readable, not a text file), AIMC_ENOMEM, AIMC_ECONFIG (unknown
 * key, duplicate, parse error, range, cross-check). */
AIMC_API int aimc_cfg_load_in(aimc_cfg *cfg, const char *path_or_name, const char *root, char *err,
			      size_t errlen);
/* aimc_cfg_load_in without a root: bare names are looked up under the current directory only. */
AIMC_API int aimc_cfg_load(aimc_cfg *cfg, const char *path_or_name, char *err, size_t errlen);

/* Parse config text (same rules as a file; origin names it in messages). AIMC_OK, AIMC_EINVAL
 * (no cfg or text) or AIMC_ECONFIG with the message in err. */
AIMC_API int aimc_cfg_parse(aimc_cfg *cfg, const char *text, const char *origin, char *err, size_t errlen);

/* 1 if the config is ideal (docs/configs.md): no noise and no ADC code can clip at adc_shift 0. */
AIMC_API int aimc_cfg_is_ideal(const aimc_cfg *cfg);

/* Name of the key of the first non-ideality beyond programming error and read noise that the
 * config switches on (drift, stuck cells, DAC, ADC, clipping, temperature), or NULL if none. */
AIMC_API const char *aimc_cfg_effect_on(const aimc_cfg *cfg);

/* Switch off every fault of a part (stuck cells, placed faults): what remains is the config of
 * the design, the one a self-test checks against (aimc selftest). */
AIMC_API void aimc_cfg_clear_faults(aimc_cfg *cfg);

/* Parse a time: a decimal number with an optional unit s, ms, us, ns, min, h, d or y (a Julian year
 * of 365.25 days), with or without a space ("1y", "3600", "1 h", "2.5e3 s"). Returns 0 and the
 * seconds in *out, or AIMC_EINVAL if the text is not such a time. The config keys in seconds take the same
 * text. */
AIMC_API int aimc_cfg_parse_seconds(const char *s, double *out);

/* Derived values. */
AIMC_API uint32_t aimc_cfg_slices(const aimc_cfg *cfg);   /* ceil(7 / dac_bits) */
AIMC_API uint32_t aimc_cfg_num_adcs(const aimc_cfg *cfg); /* cols / cols_per_adc */
/* Bit-sliced weights (docs/numbers.md "Bit-sliced weights"). */
AIMC_API uint32_t aimc_cfg_cell_top(const aimc_cfg *cfg); /* top level of a cell: 127, or 2^slice_bits - 1 */
AIMC_API uint32_t aimc_cfg_array_cols(const aimc_cfg *cfg);  /* pair columns of the array: cols * weight_slices */
/* The array as the crossbar model sees it: a copy of cfg with cols and cols_per_adc counting pair
 * columns (times weight_slices); every other key as in cfg. For the model and its shims only. */
AIMC_API void aimc_cfg_array_view(const aimc_cfg *cfg, aimc_cfg *out);
/* Slice s (0 = least significant) of weight w: sign(w)·((|w| >> s·slice_bits) & (2^slice_bits - 1)),
 * |w| capped at 127; with one slice, w itself (-128 as -127). 0 for s >= weight_slices. */
AIMC_API int aimc_cfg_weight_slice(const aimc_cfg *cfg, int w, uint32_t s);

/* Write RTL parameter flags for the geometry keys, space separated, into buf:
 * style "verilator" gives -GRows=64 ..., style "icarus" gives -P<top>.Rows=64 ... with top as the
 * module name. Returns AIMC_OK, AIMC_ERANGE if buf is too small, or AIMC_EINVAL (unknown style,
 * no top module name for icarus, NULL arguments). */
AIMC_API int aimc_cfg_rtl_params(const aimc_cfg *cfg, const char *style, const char *top, char *buf, size_t len);

/* Write the config as one JSON object (all keys) into buf. Returns AIMC_OK, AIMC_ERANGE if buf is
 * too small, or AIMC_EINVAL (NULL arguments). */
AIMC_API int aimc_cfg_to_json(const aimc_cfg *cfg, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_CONFIG_H */
