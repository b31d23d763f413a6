/* SPDX-License-Identifier: Apache-2.0 */
/* libaimc: the Kirchhoff driver. One public header. Every function returns an aimc_err
 * (0 = AIMC_OK, negative on error; aimc_strerror() names it) and validates its arguments before
 * touching the hardware. Nothing in the library prints or reads the environment; the error table,
 * the export macro and aimc_version() are in aimc_api.h. */
#ifndef AIMC_H
#define AIMC_H

#include <stddef.h>
#include <stdint.h>

#include "aimc_api.h"
#include "aimc_config.h"
#include "aimc_isa.h"
#include "aimc_limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- MMIO shim ----------------------------------------------------------------------------- */
/* AXI4-Lite responses as back-ends report them through read32/write32 return values:
 * AIMC_OK, or AIMC_EBUS for SLVERR/DECERR (the value read is then 0). */
typedef struct aimc_mmio_ops {
	const char *name;
	int (*read32)(void *ctx, uint32_t addr, uint32_t *val);
	int (*write32)(void *ctx, uint32_t addr, uint32_t val);
	/* Optional (NULL: the driver loops on read32). Read addr until (val & mask) == value, at most
	 * max_polls reads; *last gets the final value. AIMC_ETIMEOUT if it never matched. */
	int (*poll32)(void *ctx, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
		      uint32_t *last);
	void (*close)(void *ctx);
	/* Optional (NULL: none). Diagnostics of the model behind the back-end (the library prints
	 * nothing): their number, and a message on the first in buf. aimc_mmio_diag calls it. */
	uint32_t (*diag)(void *ctx, char *buf, size_t len);
} aimc_mmio_ops;

typedef struct aimc_mmio {
	const aimc_mmio_ops *ops;
	void *ctx;
} aimc_mmio;

AIMC_API int aimc_mmio_read32(aimc_mmio *m, uint32_t addr, uint32_t *val);
AIMC_API int aimc_mmio_write32(aimc_mmio *m, uint32_t addr, uint32_t val);
AIMC_API int aimc_mmio_poll32(aimc_mmio *m, uint32_t addr, uint32_t mask, uint32_t value, uint32_t max_polls,
			      uint32_t *last);
AIMC_API void aimc_mmio_close(aimc_mmio *m);
/* Diagnostics of the simulated model behind m since it was opened, e.g. IR-drop solves that did not
 * converge (aimc_xbar_diag): their number (0: none, or a back-end without a model) and, if buf is
 * not NULL, a message on the first in buf ("" if none). The CLI prints it when it closes m. */
AIMC_API uint32_t aimc_mmio_diag(const aimc_mmio *m, char *buf, size_t len);

/* Back-ends. Each fills *m. */
/* C reference model of the chip (sw/src/refmodel.c) with the analog library. */
AIMC_API int aimc_mmio_open_cmodel(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed);
/* Live Verilator model (tb/verilator); AIMC_EUNSUPPORTED in builds without Verilator.
 * wave_path: FST file to write, or NULL. AIMC_EMISMATCH with m open for reads only: the model
 * was built for another crossbar geometry than cfg's (read the readback, then close m). */
AIMC_API int aimc_mmio_open_verilator(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed, const char *wave_path);
/* Mock for unit tests: a plain 2 MiB register/memory array; every access is logged in memory. */
AIMC_API int aimc_mmio_open_mock(aimc_mmio *m);
/* Trace recorder (docs/trace-format.md): forwards to inner and writes every op to trace_path.
 * Takes ownership of inner (closes it on close). */
AIMC_API int aimc_mmio_open_recorder(aimc_mmio *m, aimc_mmio *inner, const char *trace_path,
				     const aimc_cfg *cfg, uint64_t seed);
/* Replay: answers reads from the result log of a trace player run (Icarus), checking that the
 * driver issues the same ops in the same order (AIMC_EMISMATCH otherwise). */
AIMC_API int aimc_mmio_open_replay(aimc_mmio *m, const char *log_path);
/* Replay only: after the driver's last op, check that only the final `C` line is left in the log
 * and return its clock-cycle count. AIMC_EMISMATCH if ops are left, the C line is missing or
 * malformed, or an earlier op mismatched; AIMC_EINVAL if m is not a replay back-end. */
AIMC_API int aimc_mmio_replay_cycles(aimc_mmio *m, uint64_t *cycles);
/* Replay only: the first mismatch, naming the log file, line and what the driver issued
 * ("" while there is none; NULL if m is not a replay back-end). */
AIMC_API const char *aimc_mmio_replay_error(const aimc_mmio *m);

/* Serial bridge (docs/uart-bridge.md) on an open file descriptor: a tty, or one end of a socket
 * pair to the simulated board. Takes ownership of fd (closed on close). timeout_ms (1..600000)
 * bounds the wait for each response byte. A frame the bridge rejects or a response with a bad
 * CRC is AIMC_EIO; SLVERR/DECERR are AIMC_EBUS; no answer is AIMC_ETIMEOUT. */
AIMC_API int aimc_mmio_open_serial_fd(aimc_mmio *m, int fd, uint32_t timeout_ms);
/* Open a serial device (e.g. /dev/ttyUSB1) raw 8N1 at baud (9600 .. 3000000, a standard rate;
 * AIMC_EINVAL otherwise) and use it as above. AIMC_EIO if it cannot be opened or configured. */
AIMC_API int aimc_mmio_open_serial(aimc_mmio *m, const char *dev, uint32_t baud, uint32_t timeout_ms);
/* Serial only: one bridge frame of n words (1..255) at word-aligned addr, consecutive addresses;
 * words are written from / read into words[]. *n_ok (if not NULL) gets the words accessed with
 * OKAY, *status the response status byte. Returns like the back-end's read32/write32. */
AIMC_API int aimc_serial_xfer(aimc_mmio *m, int is_write, uint32_t addr, uint32_t *words, uint32_t n,
			      uint32_t *n_ok, uint8_t *status);
/* Serial only: send ntx raw bytes, then read exactly nrx bytes (bridge tests of malformed frames). */
AIMC_API int aimc_serial_raw(aimc_mmio *m, const uint8_t *tx, size_t ntx, uint8_t *rx, size_t nrx);
/* CRC-8 of the bridge protocol (polynomial 0x07, no reflection), continuing from crc. */
AIMC_API uint8_t aimc_serial_crc8(uint8_t crc, const uint8_t *p, size_t n);
/* The simulated board (tb/uart: the FPGA core with its UART bridge in Verilator) behind the serial
 * back-end; AIMC_EUNSUPPORTED in builds without it (only aimc-uart-vl has it). */
AIMC_API int aimc_mmio_open_uart_sim(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed, const char *wave_path);
/* Memory-mapped device file (/dev/uioN, /dev/mem): size bytes (multiple of 4) mapped at offset
 * (a multiple of the page size). Addresses past size are AIMC_ERANGE. A bus error on the mapping
 * is a SIGBUS, not a return value. AIMC_EIO if the file cannot be opened or mapped. */
AIMC_API int aimc_mmio_open_devmem(aimc_mmio *m, const char *path, uint64_t offset, uint32_t size);

/* Mock only (unit tests). Every access is logged: kind 'R' (data = value returned) or 'W' (data =
 * value written), rc = what the access returned. The mock has no poll32: a poll shows as reads. */
typedef struct aimc_mock_op {
	char kind;
	uint32_t addr, data;
	int rc;
} aimc_mock_op;
/* Log since open or the last clear; 0 (and *ops NULL) if m is not a mock. */
AIMC_API size_t aimc_mmio_mock_log(const aimc_mmio *m, const aimc_mock_op **ops);
AIMC_API void aimc_mmio_mock_log_clear(aimc_mmio *m);
/* Set / get a word without logging; AIMC_EINVAL if m is not a mock or addr is misaligned or
 * past the 2 MiB array. */
AIMC_API int aimc_mmio_mock_poke(aimc_mmio *m, uint32_t addr, uint32_t val);
AIMC_API int aimc_mmio_mock_peek(const aimc_mmio *m, uint32_t addr, uint32_t *val);
/* From now on every access to addr answers a bus error (AIMC_EBUS, data 0) like SLVERR. */
AIMC_API int aimc_mmio_mock_fail(aimc_mmio *m, uint32_t addr);

/* ---- chip control ------------------------------------------------------------------------- */
/* Per-tile counters since power-on (a soft reset keeps them). busy: cycles the tile runs a
 * command; idle: cycles the sequencer runs a program while the tile is idle; stalls: cycles it
 * waits for its row DACs to settle; the rest are events. The C model has no timing: its busy,
 * idle and stall counters read 0. AIMC_MAX_TILES: aimc_limits.h (docs/limits.md). */
typedef struct aimc_tile_counters {
	uint32_t busy, idle, mvms, reads, adc_convs, sats, stalls;
} aimc_tile_counters;
typedef struct aimc_counters {
	uint64_t cycles;
	uint32_t instrs, mvms, convs, adc_convs, sats, prog_rows;
	uint32_t reads, stalls;               /* chip totals over the tiles */
	uint32_t n_tiles;                     /* tiles in tile[] (cfg0.num_tiles, <= AIMC_MAX_TILES) */
	/* Width of the event counters (instrs, mvms, adc_convs, sats, reads, stalls, tile[]): they
	 * wrap at 2^bits. The chip shows it in cfg5.counter_cut (config key counter_bits), which
	 * aimc_chip_init checks against the config; aimc_counters_read sets 32 (it reads no extra
	 * register): set cfg->counter_bits before taking a delta on a cut chip. */
	uint32_t bits;
	aimc_tile_counters tile[AIMC_MAX_TILES];
} aimc_counters;
/* The sticky bus-error record (docs/errors.md). */
typedef struct aimc_bus_err {
	uint32_t valid, write, resp, count; /* resp: 2 SLVERR, 3 DECERR */
	uint32_t addr;
} aimc_bus_err;

/* Check the ID register and that the configuration readback CSRs equal cfg (AIMC_EMISMATCH
 * otherwise); write the settle CSR from cfg. */
AIMC_API int aimc_chip_init(aimc_mmio *m, const aimc_cfg *cfg);
/* Read the configuration readback CSRs (reads only) and write the fields that differ from cfg into
 * buf as "rows: chip 64, config 16; cols: ...". The number of differing fields (0: the chip is
 * the config's), or a negative aimc_err (a bus error; AIMC_ECONFIG if cfg does not fit the
 * fields). */
AIMC_API int aimc_chip_config_diff(aimc_mmio *m, const aimc_cfg *cfg, char *buf, size_t len);
/* What aimc_chip_init's AIMC_EMISMATCH was about, in buf (reads only): "the id register reads
 * 0x... (a Kirchhoff chip reads 0x41494d43)", a register map or ISA version, or the config
 * readback fields that differ from cfg (cfg may be NULL: identity only). AIMC_OK if the chip
 * is cfg's, AIMC_EMISMATCH if not, or a bus error. */
AIMC_API int aimc_chip_explain(aimc_mmio *m, const aimc_cfg *cfg, char *buf, size_t len);
/* Write the program-and-verify CSRs (pv_ctrl, pv_tol) from cfg's pv_* keys (aimc_chip_init does
 * this too). AIMC_ECONFIG if a value does not fit its field; AIMC_EINVAL for NULL arguments. */
AIMC_API int aimc_chip_pv_setup(aimc_mmio *m, const aimc_cfg *cfg);
/* Program-and-verify counters of one tile (0..15; 0 for tiles the chip does not have): row
 * pulses and unconverged cells since reset, through the pv_sel window (which it leaves at tile).
 * AIMC_EINVAL for NULL or tile > 15. */
AIMC_API int aimc_pv_counters_read(aimc_mmio *m, uint32_t tile, uint32_t *pulses, uint32_t *unconv);
/* Write n words to a memory window word offset (window base from aimc_regs.h). */
AIMC_API int aimc_mem_write(aimc_mmio *m, uint32_t base, uint32_t word_off, const uint32_t *w, size_t n);
AIMC_API int aimc_mem_read(aimc_mmio *m, uint32_t base, uint32_t word_off, uint32_t *w, size_t n);
/* Load a program (n instructions) at instruction index 0. */
AIMC_API int aimc_prog_load(aimc_mmio *m, const aimc_cfg *cfg, const uint64_t *prog, size_t n);
/* Start at pc, wait (poll status.busy == 0, at most max_polls) and check the outcome:
 * AIMC_OK on HALT, AIMC_ECHIP on an error stop (*chip_err / *chip_pc filled if not NULL). */
AIMC_API int aimc_run(aimc_mmio *m, uint32_t pc, uint32_t max_polls, uint32_t *chip_err, uint32_t *chip_pc);
/* Chip counters, then the per-tile counters of cfg0.num_tiles tiles (AIMC_EMISMATCH if that
 * reads 0 or above 16). */
AIMC_API int aimc_counters_read(aimc_mmio *m, aimc_counters *c);
/* d = b - a for every counter (wrapping, like the hardware's: the event counters modulo
 * 2^b->bits, 32 if bits is 0 or >= 32); n_tiles and bits from b. */
AIMC_API void aimc_counters_delta(const aimc_counters *a, const aimc_counters *b, aimc_counters *d);
/* sum += d for every counter (a delta of aimc_counters_delta): the way to count past 2^bits on a
 * chip with cut counters is to take a delta after every run and add them up. n_tiles from d;
 * sum->bits is set to 64 (the sum does not wrap at the chip's width). */
AIMC_API void aimc_counters_add(aimc_counters *sum, const aimc_counters *d);
/* Pulse soft_reset: the sequencer, tiles and status return to idle (docs/errors.md). */
AIMC_API int aimc_soft_reset(aimc_mmio *m);
/* Read the bus-error record; with clear != 0, clear it afterwards. */
AIMC_API int aimc_bus_err_read(aimc_mmio *m, aimc_bus_err *e, int clear);

/* ---- network file (docs/network-format.md) ------------------------------------------------ */
/* Geometry of a convolution layer (format version 2): valid (no padding), HWC activations;
 * kh == 0 marks a fully connected layer. The layer's w is N x K with K = kh*kw*in_c, one MVM per
 * output pixel (im2col), out_h = (in_h - kh) / stride + 1, out_w likewise. */
typedef struct aimc_conv {
	uint32_t in_h, in_w, in_c, kh, kw, stride, out_h, out_w;
} aimc_conv;

typedef struct aimc_layer {
	uint32_t k, n;   /* inputs, outputs */
	uint32_t relu;   /* 0/1 */
	uint32_t adc_shift;
	int8_t *w;       /* n x k, row-major: w[o*k + i] */
	int32_t *bias;   /* n */
	int32_t *mult;   /* n */
	uint8_t *shift;  /* n, each in [1, 62] */
	aimc_conv conv;  /* convolution geometry; all zero for a fully connected layer */
} aimc_layer;

/* 1 for a convolution layer (conv.kh != 0). */
AIMC_API int aimc_layer_is_conv(const aimc_layer *l);
/* Input values the layer reads per inference (K, or in_h*in_w*in_c) and output values it writes
 * (N, or out_h*out_w*N). 0 for NULL. */
AIMC_API uint32_t aimc_layer_in_len(const aimc_layer *l);
AIMC_API uint32_t aimc_layer_out_len(const aimc_layer *l);

typedef struct aimc_net {
	uint32_t n_layers;
	uint32_t n_classes;
	float in_scale;  /* x_q = clamp(round(x / in_scale), -127, 127) */
	aimc_layer *layers;
} aimc_net;

/* Load and validate a network file. On error returns AIMC_EFORMAT/EIO/ENOMEM/ERANGE and writes
 * a message naming what is wrong (field, layer, byte offset) into err. */
AIMC_API int aimc_net_load(aimc_net *net, const char *path, char *err, size_t errlen);
AIMC_API int aimc_net_load_mem(aimc_net *net, const uint8_t *buf, size_t len, char *err, size_t errlen);
AIMC_API void aimc_net_free(aimc_net *net);
/* The ideal int8 chip in plain C (docs/numbers.md with exact accumulators, no analog model): n
 * input vectors x (n x in_len of layer 0) to y (n x n_classes). Convolutions run as im2col. The
 * golden reference for exported networks. AIMC_EINVAL for NULL or an empty network,
 * AIMC_ENOMEM. */
AIMC_API int aimc_net_forward(const aimc_net *net, const int8_t *x, size_t n, int8_t *y);
/* Serialize a network to the file format (malloc'd *buf, *len bytes; free() it). The result is
 * checked with aimc_net_load_mem: a network that breaks a rule of the format gives AIMC_EINVAL
 * with the loader's message in err, and nothing is returned. */
AIMC_API int aimc_net_to_mem(const aimc_net *net, uint8_t **buf, size_t *len, char *err, size_t errlen);
/* aimc_net_to_mem, then write the bytes to path (AIMC_EIO on a write error). */
AIMC_API int aimc_net_save(const aimc_net *net, const char *path, char *err, size_t errlen);


/* ---- network graphs (format version 3): TFLite int8 operators (docs/models.md) -------------- */
#define AIMC_GRAPH_MAX_NODES 1024u
#define AIMC_GRAPH_MAX_TENSORS 2048u
#define AIMC_NO_TENSOR 0xFFFFFFFFu
typedef enum aimc_gop {
	AIMC_GOP_FC = 1,       /* chip: fully connected */
	AIMC_GOP_CONV = 2,     /* chip: convolution, im2col by the driver */
	AIMC_GOP_DWCONV = 3,   /* chip: depthwise convolution (depth multiplier 1), block diagonal */
	AIMC_GOP_ADD = 4,      /* driver: TFLite int8 ADD */
	AIMC_GOP_AVGPOOL = 5,  /* driver */
	AIMC_GOP_MAXPOOL = 6,  /* driver */
	AIMC_GOP_RESHAPE = 7,  /* driver: a copy */
	AIMC_GOP_SOFTMAX = 8   /* driver: TFLite int8 softmax */
} aimc_gop;

typedef struct aimc_tensor {
	uint32_t h, w, c;     /* HWC; a vector is 1 x 1 x n */
	int32_t zero_point;   /* -128..127 */
	float scale;          /* > 0; reports only */
} aimc_tensor;

typedef struct aimc_node {
	uint32_t op;                    /* aimc_gop */
	uint32_t in0, in1, out;         /* tensor ids; in1 AIMC_NO_TENSOR unless ADD */
	uint32_t kh, kw, stride_h, stride_w, pad_top, pad_left; /* window ops, else 0 */
	int32_t act_min, act_max;       /* output clamp */
	uint32_t k, n, adc_shift;       /* chip ops */
	int32_t p[7];                   /* ADD: left_shift, in1_mult, in1_shift, in2_mult, in2_shift,
					 * out_mult, out_shift; SOFTMAX: input_mult,
					 * input_left_shift, diff_min */
	int8_t *w;                      /* chip ops: n x k */
	int32_t *bias, *mult, *shift;   /* chip ops: n each; shift in [-31, 30] (TFLite sign) */
	uint64_t *eff_scale;            /* FC only, n: IEEE binary64 bit patterns of TFLite's
					 * effective output scale s_in * s_w[c] / s_out (in double):
					 * the reference FC kernel requantizes with round(acc * scale),
					 * not with mult/shift (docs/models.md); NULL for other ops */
} aimc_node;

typedef struct aimc_graph {
	uint32_t n_tensors, n_nodes;
	aimc_tensor *tensors;           /* tensor 0 is the graph input */
	aimc_node *nodes;               /* execution order; the last node's out is the output */
} aimc_graph;

/* 1 if the node runs on tiles (FC, CONV, DWCONV). */
AIMC_API int aimc_gop_on_chip(uint32_t op);
/* Name of an operator ("FC", "CONV", ...; "?" for an unknown value). */
AIMC_API const char *aimc_gop_name(uint32_t op);
/* Elements of a tensor (h*w*c). */
AIMC_API uint32_t aimc_tensor_len(const aimc_tensor *t);
/* Version of a network file or buffer (1, 2, 3) from its header; AIMC_EFORMAT / AIMC_EIO with a
 * message if it is not one. Lets a tool choose aimc_net_load or aimc_graph_load. */
AIMC_API int aimc_netfile_version(const char *path, uint32_t *version, char *err, size_t errlen);
/* Load and validate a version-3 file (docs/network-format.md): errors as aimc_net_load. */
AIMC_API int aimc_graph_load(aimc_graph *g, const char *path, char *err, size_t errlen);
AIMC_API int aimc_graph_load_mem(aimc_graph *g, const uint8_t *buf, size_t len, char *err, size_t errlen);
AIMC_API int aimc_graph_to_mem(const aimc_graph *g, uint8_t **buf, size_t *len, char *err, size_t errlen);
AIMC_API void aimc_graph_free(aimc_graph *g);
/* TFLite's reference-kernel integer arithmetic in plain C, every node in order: n inputs (n x
 * len(tensor 0), int8) to n outputs (n x len(output tensor)). The golden reference of imported
 * models (docs/models.md, "Arithmetic of the graph pass"). AIMC_EINVAL for NULL, an empty graph
 * or one the loader refuses (checked through aimc_graph_to_mem), AIMC_ENOMEM, AIMC_ERANGE for a
 * softmax row TFLite's kernel cannot compute (aimc_graph_host_node). */
AIMC_API int aimc_graph_forward(const aimc_graph *g, const int8_t *x, size_t n, int8_t *y);

/* Driver-side pieces of the graph pass, shared by aimc_graph_forward and the chip executor. */
/* TFLite's MultiplyByQuantizedMultiplier (docs/models.md, "Building blocks": MBQM): shift in
 * [-31, 30] (values outside are clamped into it). */
AIMC_API int32_t aimc_tfl_requant(int32_t x, int32_t mult, int32_t shift);
/* (int32_t)round((double)x * scale) as TFLite's reference FC kernel computes it on x86-64, in
 * integer arithmetic only: scale_bits is the IEEE binary64 pattern of a finite scale >= 0; the
 * product is rounded to nearest-even binary64, then half away from zero to an integer; a result
 * outside int32 gives INT32_MIN (what cvttsd2si returns). */
AIMC_API int32_t aimc_tfl_fc_round(int32_t x, uint64_t scale_bits);
/* Run a driver node (ADD, AVGPOOL, MAXPOOL, RESHAPE, SOFTMAX) on one sample: in1 only for ADD.
 * AIMC_EINVAL for a chip node or NULL; AIMC_ERANGE for a softmax row where TFLite's kernel fails
 * its own exponent check (a sum of exponentials of 512 or more, e.g. 512 values equal to the
 * row maximum). nd must belong to a graph the loader accepted. */
AIMC_API int aimc_graph_host_node(const aimc_graph *g, const aimc_node *nd, const int8_t *in0,
				  const int8_t *in1, int8_t *out);
/* The chip vectors of one sample of a chip node: FC one row (k values); CONV out_h*out_w rows of
 * k values, column (dy*kw + dx)*in_c + ci, positions outside the input filled with the input
 * zero point; DWCONV out_h*out_w*n rows of kh*kw values (row p*n + c: channel c of pixel p), the
 * same padding. Rows are written to `rows` (vectors(nd) x k). */
AIMC_API void aimc_graph_im2col(const aimc_graph *g, const aimc_node *nd, const int8_t *in, int8_t *rows);
/* Chip vectors per sample of a chip node: 1 (FC), out_h*out_w (CONV), out_h*out_w*n (DWCONV). */
AIMC_API uint32_t aimc_graph_vectors(const aimc_graph *g, const aimc_node *nd);
/* TFLite's output stage for channel ch of a chip node, with acc the exact sum of w * (x - zp_in):
 * CONV, DWCONV y = clamp(requant(sat32(acc + bias), mult, shift) + zp_out, act_min, act_max);
 * FC y = clamp(round(sat32(acc + bias) * eff_scale) + zp_out, ...) with the double product and
 * round() of TFLite's reference FC kernel emulated exactly in integers (docs/models.md). */
AIMC_API int8_t aimc_graph_out_stage(const aimc_graph *g, const aimc_node *nd, uint32_t ch, int64_t acc);

/* ---- compiler ------------------------------------------------------------------------------ */
typedef struct aimc_image {
	uint64_t *prog;   size_t n_prog;      /* chip program for one batch */
	uint32_t *wgt;    size_t n_wgt;       /* weight buffer image (words) */
	uint32_t *par;    size_t n_par;       /* parameter buffer image (words) */
	uint32_t batch;                       /* vectors per batch */
	uint32_t in_base, in_stride;          /* input vector b at act_in word in_base + b*in_stride */
	uint32_t out_sel;                     /* 0: results in act_in, 1: act_out */
	uint32_t out_base, out_stride;        /* result vector b at word out_base + b*out_stride */
	uint32_t raw_base;                    /* RAW int32 results (layer tests), act_out word offset */
	uint32_t raw_stride;                  /* AIMC_COMPILE_RAW: last layer, vector b, output o at
					       * act_out word raw_base + b*raw_stride + o (else 0) */
	uint32_t act_words;                   /* zero words [0, act_words) of act_in and act_out once
					       * before the first run */
	uint32_t run_pc;                      /* a batch runs from instruction run_pc; when > 0,
					       * instructions [0, run_pc) are the setup (program
					       * every tile once, HALT), run once after loading */
	uint32_t resident;                    /* 1: weights resident, block i of the placement on
					       * tile i, layers pipelined across tiles; 0: every
					       * block on tile 0, reprogrammed each batch */
	uint32_t tiles_used;                  /* tiles the program uses */
	uint32_t stage_blocks;                /* resident, when the blocks do not all fit the weight
					       * buffer (or the 16-bit PROG address) at once: the
					       * setup is staged, stage s programs blocks
					       * [s*stage_blocks, (s+1)*stage_blocks) from the buffer:
					       * the host writes those blocks of wgt at word 0 and runs
					       * from instruction s*(stage_blocks + 1) (PROGs, HALT).
					       * 0: one setup stage with the whole wgt image */
} aimc_image;

/* Map net onto the chip of cfg for batches of `batch` vectors. AIMC_EFIT with a message naming
 * the layer and the shortfall if it does not fit; AIMC_EUNSUPPORTED for a convolution layer
 * (use aimc_plan_compile). */
AIMC_API int aimc_compile(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, aimc_image *img,
			  char *err, size_t errlen);
/* aimc_compile with flags: AIMC_COMPILE_RAW also stores sat32(acc + b) of the last layer for every
 * vector (POST raw) at raw_base / raw_stride, for layer tests and calibration. */
#define AIMC_COMPILE_RAW (1u << 0)
/* AIMC_COMPILE_SERIAL: the layer-after-layer program on tile 0 even when the network would be
 * resident (the baseline the pipelined placement is measured against). */
#define AIMC_COMPILE_SERIAL (1u << 1)
AIMC_API int aimc_compile_ex(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, uint32_t flags,
			     aimc_image *img, char *err, size_t errlen);
AIMC_API void aimc_image_free(aimc_image *img);
/* Tile weight images (PROG): Rows x Cols x WeightSlices bytes, row-major; aimc_wgt_blk_words gives
 * its size in words. aimc_wgt_put ORs weight w of crossbar row r, logical column c into a zeroed
 * image: byte (r·Cols + c)·WeightSlices + s holds slice s (aimc_cfg_weight_slice; w itself with
 * one slice). No range checks: the caller keeps r < Rows, c < Cols. */
AIMC_API uint32_t aimc_wgt_blk_words(const aimc_cfg *cfg);
AIMC_API void aimc_wgt_put(const aimc_cfg *cfg, uint32_t *img, uint32_t r, uint32_t c, int w);

/* ---- execution plans: networks with convolution layers ------------------------------------- */
/* A network cut into segments compiled one at a time: each maximal run of fully connected layers
 * is one segment; each convolution layer is a segment of its own, run as im2col: its chip vectors
 * are the patches of every output pixel (vectors_per_sample = out_h*out_w), gathered by the host
 * from the previous segment's outputs (aimc_im2col), and its outputs, P x N per sample, are the
 * next layer's HWC input. A network without convolutions is one segment, compiled exactly as by
 * aimc_compile_ex. */
typedef struct aimc_segment {
	uint32_t first_layer, n_layers;
	uint32_t conv;               /* 1: one convolution layer, im2col vectors */
	uint32_t vectors_per_sample; /* output pixels of the convolution, else 1 */
	uint32_t in_len, out_len;    /* values per chip vector in and out (K of the first layer,
				      * N of the last) */
	aimc_net net;                /* the segment's layers (a view into the network; for a
				      * convolution, of fc_view) */
	aimc_layer fc_view;          /* convolution: the layer without its geometry, the FC layer
				      * (K = patch, N = channels) the compiler maps */
	aimc_image img;              /* compiled; img.batch chip vectors per run */
} aimc_segment;
typedef struct aimc_plan {
	uint32_t n_segments;
	aimc_segment *seg;
	uint32_t batch;              /* samples per batch asked for */
} aimc_plan;
/* Compile every segment for `batch` samples (a convolution segment for batch*P patch vectors, or
 * the largest number of vectors below that fits); flags (AIMC_COMPILE_RAW) apply to the last
 * segment. On error the message names the segment's layers; the plan is left empty. The plan
 * points into net: keep net alive while it is used. */
AIMC_API int aimc_plan_compile(const aimc_net *net, const aimc_cfg *cfg, uint32_t batch, uint32_t flags,
			       aimc_plan *plan, char *err, size_t errlen);
AIMC_API void aimc_plan_free(aimc_plan *plan);
/* The im2col patches of one HWC input (in_h*in_w*in_c values) of convolution g: out_h*out_w rows
 * of kh*kw*in_c values, patch row p = oy*out_w + ox, column (dy*kw + dx)*in_c + ci. Does
 * nothing if an argument is NULL. */
AIMC_API void aimc_im2col(const aimc_conv *g, const int8_t *x, int8_t *patches);

/* ---- graph compiler and executor (format version 3; decision 0007 sections 3 and 4) ---------- */
/* Column-packed resident placement: every chip node's N x K matrix (a DWCONV cut into channel
 * groups of min(floor(Rows / (kh*kw)), Cols) channels, each a block-diagonal (kh*kw*g) x g block)
 * is cut into sub-blocks of at most Rows x Cols. A sub-block starts at row 0 of its tile and owns
 * the columns [c0, c0 + w); sub-blocks of any nodes share a tile side by side. The R = ceil(K /
 * Rows) row blocks of one column group sit at the same c0 on R distinct tiles; the last one's tile
 * is final: the others store their partial sums with a raw POST (zero biases) and the final tile
 * adds them (ACCADD) before its tfl POST (an FC node whose reference requantizes in double,
 * eff_scale, posts raw int32 and the driver finishes it). Inputs are fed as x + 128 (u8 MVM) with the input zero
 * point folded into the bias: b' = b - (zp_in + 128) * sum_k w. */
typedef struct aimc_gblock {
	uint32_t node;        /* graph node index */
	uint32_t tile, c0, w; /* tile, first column, columns */
	uint32_t n0;          /* first output channel */
	uint32_t seg;         /* input segment: row block (FC, CONV) or channel group (DWCONV) */
	uint32_t k0, kr;      /* FC, CONV: inputs k0 .. k0+kr-1 on rows 0 .. kr-1; DWCONV: kr rows */
	uint32_t final;       /* 1: its tile posts the outputs; 0: a partial row block */
	uint32_t unit;        /* index into aimc_gplan.units */
	uint32_t copy;        /* which copy of the node's weights (aimc_gnode_plan.n_copies) */
} aimc_gblock;

/* One MVM per vector: a tile reading one input segment into its own accumulator slot. A final
 * unit adds the raw partial sums of its partner units (ACCADD) and posts int8 outputs; a partial
 * unit posts raw int32 sums. Vector b of a batch runs on the units of copy b % n_copies, as their
 * local vector l = b / n_copies: slot slot0 + l, act_out words region + l*stride. */
typedef struct aimc_gunit {
	uint32_t tile, seg, final, copy;
	uint32_t slot0, region, stride;
	uint32_t first_partner, n_partners; /* into aimc_gplan.partners (unit indices) */
	uint32_t first_block, n_blocks;     /* its sub-blocks (consecutive in aimc_gplan.blocks) */
} aimc_gunit;

typedef struct aimc_gnode_plan {
	uint32_t on_chip;               /* 0: a driver node, everything below is 0 */
	uint32_t host_out;              /* 1 (FC with eff_scale): the final units store raw
					 * sat32(acc + b') (Cols int32 words per vector) and the
					 * driver applies TFLite's FC output stage
					 * (aimc_graph_out_stage); 0: tfl POST on the chip */
	uint32_t first_block, n_blocks, first_unit, n_units;
	uint32_t tile_mask;             /* tiles holding its sub-blocks */
	uint32_t n_copies;              /* copies of the weights on other tiles (1, or 2 for a
					 * node of one MVM per vector where space was left: the
					 * copies take alternate vectors and run in parallel) */
	uint32_t n_seg;                 /* input segments per vector (Rows bytes each, u8) */
	uint32_t vectors;               /* chip vectors per sample: 1 (FC) or out_h*out_w */
	uint32_t batch, rem;            /* vectors of a full batch and of the remainder (0: none) */
	uint32_t per_copy;              /* slots per unit: ceil(batch / n_copies) */
	uint32_t in_stride;             /* act_in words per vector: n_seg * Rows / 4 */
	uint32_t out_words;             /* act_out words the node's regions span */
	uint64_t *prog[2];              /* full batch, remainder batch (NULL if rem == 0) */
	uint32_t n_prog[2];
	uint32_t pc[2];                 /* load address when aimc_gplan.progs_resident */
	uint64_t weights;               /* weights of the node: n*k (DWCONV n*kh*kw) */
	uint64_t cells;                 /* cell pairs programmed: weights * n_copies * WeightSlices */
	uint64_t tile_cells;            /* Rows*Cols*WeightSlices*tiles used by the node */
	uint64_t mvms_per_sample;       /* MVM instructions per sample */
} aimc_gnode_plan;

typedef struct aimc_gplan {
	uint32_t n_nodes;               /* = graph n_nodes */
	aimc_gnode_plan *nodes;
	uint32_t n_blocks, n_units, n_partners;
	aimc_gblock *blocks;
	aimc_gunit *units;
	uint32_t *partners;
	uint32_t rows, cols, n_tiles;   /* geometry of the config */
	uint32_t tile_mask;             /* tiles holding any sub-block */
	uint32_t cols_used[AIMC_MAX_TILES]; /* columns owned per tile (wasted alignment included) */
	uint32_t *wgt;                  /* n_tiles images (aimc_wgt_put; row-major int8 slices) */
	uint32_t blk_words;             /* Rows*Cols*WeightSlices/4 */
	uint32_t *par;                  /* n_tiles parameter blocks of 3*Cols words (b', M, E) */
	uint32_t n_par;
	uint32_t progs_resident;        /* 1: every node program fits the instruction buffer at once */
	uint32_t prog_words;            /* instructions of all node programs */
	uint64_t weights, cells;        /* totals: weights, cell pairs programmed (copies and weight slices included) */
	uint64_t tile_cells;            /* Rows*Cols*WeightSlices*tiles used */
} aimc_gplan;

/* Place every chip node of g on the chip of cfg and emit the images and programs. AIMC_EFIT with
 * a message naming the node and the shortfall if it does not fit; AIMC_EUNSUPPORTED naming the
 * node, before placement, if cfg has isa_tfl = 0 and a node needs the tfl POST or ACCADD; AIMC_ERANGE if a folded bias
 * leaves int32 or a parameter is outside its field; AIMC_EINVAL for NULL or a malformed graph. */
AIMC_API int aimc_graph_compile(const aimc_graph *g, const aimc_cfg *cfg, aimc_gplan *p, char *err,
				size_t errlen);
AIMC_API void aimc_gplan_free(aimc_gplan *p);
/* 1 if a program of p uses ISA 3's tfl POST or ACCADD (which a chip built with isa_tfl = 0,
 * cfg5.no_tfl, lacks; aimc_graph_compile refuses such a graph for such a config with
 * AIMC_EUNSUPPORTED), with the first such node in *node (may be NULL); 0 otherwise. */
AIMC_API int aimc_gplan_needs_tfl(const aimc_gplan *p, uint32_t *node);
/* The packed E word of a tfl POST: e, zp, lo, hi (int8 each). */
AIMC_API uint32_t aimc_tfl_eword(int32_t e, int32_t zp, int32_t lo, int32_t hi);

/* Counters of a graph run: per node and in total, summed over every sample run. */
typedef struct aimc_gnode_stats {
	uint64_t runs, vectors;         /* chip runs (batches) and vectors */
	uint64_t cycles, instrs, mvms, convs, adc_convs, sats, reads;
	/* Driver-side counts (the same on every back-end; the node programs are straight-line, so
	 * what the driver issued is what the chip ran: issued equals the chip's instrs counter). */
	uint64_t issued, posts, accadds; /* instructions, POST and ACCADD commands of the runs */
	uint64_t host_bytes_in;         /* bytes written over the bus: inputs, programs loaded */
	uint64_t host_bytes_out;        /* bytes read back over the bus: outputs */
	uint64_t host_ops;              /* driver-side element operations: ADD, RESHAPE, SOFTMAX
					 * outputs, pool inputs read, FC output stages */
} aimc_gnode_stats;
typedef struct aimc_grun_stats {
	uint32_t n_nodes;
	aimc_gnode_stats *node;         /* n_nodes entries (malloc'd by aimc_graph_run_open) */
	aimc_gnode_stats total;
	uint64_t samples;
	uint64_t setup_cycles;          /* programming at setup (counted when count != 0) */
	uint64_t setup_prog_rows;       /* rows programmed at setup */
	uint64_t setup_host_bytes;      /* bytes written over the bus at setup: weight images,
					 * parameter blocks, resident programs, PROG programs */
	uint64_t prog_loads;            /* program loads into the instruction buffer after setup */
} aimc_grun_stats;

typedef struct aimc_grun {
	aimc_mmio *m;
	const aimc_cfg *cfg;
	const aimc_graph *g;
	const aimc_gplan *p;
	uint32_t max_polls;             /* 0: derived per program */
	int32_t loaded;                 /* node whose programs are loaded (not resident), -1 none */
	int count;                      /* 1: read the counters around every node (stats) */
	aimc_grun_stats st;
	uint32_t chip_err, chip_pc;     /* after AIMC_ECHIP */
	uint32_t err_node;              /* node that failed */
} aimc_grun;

/* Setup on an open back-end: chip init, every used tile programmed once from its image (staged
 * through the weight buffer), the parameter blocks and (if they fit) every node program loaded.
 * count != 0: per-node counters. AIMC_ECHIP with r->chip_err / chip_pc on a chip error.
 * AIMC_EUNSUPPORTED, before anything is written, if the plan needs the tfl POST or ACCADD
 * (aimc_gplan_needs_tfl; the node in r->err_node) and the chip reports cfg5.no_tfl. */
AIMC_API int aimc_graph_run_open(aimc_grun *r, aimc_mmio *m, const aimc_cfg *cfg, const aimc_graph *g,
				 const aimc_gplan *p, uint32_t max_polls, int count);
/* n samples x (n x len(tensor 0) int8) through the graph: driver nodes on the host, chip nodes
 * in batches on the chip. y gets n x len(output tensor). */
AIMC_API int aimc_graph_run(aimc_grun *r, const int8_t *x, size_t n, int8_t *y);
AIMC_API void aimc_graph_run_close(aimc_grun *r);

#ifdef __cplusplus
}
#endif
#endif /* AIMC_H */
