/* SPDX-License-Identifier: Apache-2.0 */
/* bus-fuzz: seeded random bus and program fuzzing of the chip through the driver's MMIO back-end
 * (issue 16, item 6). A test executable linked like aimc-vl (make bus-fuzz CONFIG=tiny builds
 * build/<cfg>/busfuzz/bus-fuzz), not part of the aimc CLI.
 *
 * Each sequence is a seeded random mix of: CSR reads and writes anywhere in the CSR window and
 * past it, memory-window reads and writes (inside and past the configured depth), random 32-bit
 * addresses, misaligned addresses (sent straight to the back-end: the driver itself refuses them,
 * which is checked too), soft resets, random instruction words run as programs under a random
 * watchdog budget, and soft and hard resets at random cycles of a running random program (a
 * hard reset is the harness's reset pin rst_ni, aimc_vl_hard_reset, as at power-on). Then a
 * random fully connected layer is compiled (aimc_compile), run, and compared bit for bit with
 * aimc_net_forward; in two thirds of the sequences a soft or a hard reset first hits that
 * layer's program at a random cycle (setup or batch), and the run after it must still be exact.
 *
 * The expected bus responses come from the documentation, read at run time from
 * docs/registers.md (address map, CSR offsets, each field's access) and docs/errors.md's rules:
 * an address in no window answers DECERR; a misaligned address, a word past a window's configured
 * depth, an offset with no register, a read of a register without readable fields or a write to
 * one without writable fields answer SLVERR; the bus_err record keeps the first error since the
 * last clear or soft reset (write, resp, address) and counts all of them. Checked besides: rw
 * fields read back what was written (soft resets keep them), constant fields read their reset
 * value, bits outside every field read 0, a memory word reads back what was written; a program
 * ends (busy drops) within its watchdog budget: cycles <= B + 1, exactly B + 1 for a WATCHDOG
 * stop, HALT sets status.halted and irq.done, an error stop sets status.error, irq.error and a
 * documented err_code; after a soft reset status, err_code, irq and bus_err read 0; after a
 * hard reset besides every rw field reads its documented reset value and the cycle counter 0;
 * a write with a partial byte strobe answers SLVERR (DECERR outside every window) and writes
 * nothing
 * (counted since power-on); no AXI
 * handshake hangs and the simulator raises no assertion (an assertion aborts this process).
 *
 * After the sequences, --directed runs the directed corners (full-width LOOP counters, PCs and
 * watchdog; --long the long ones) and --tiles the per-tile corners on every tile of the config
 * (op_tiles: buffer operands at the top and in alternating bit patterns, tile commands from high
 * PCs, per-cycle saturation counts, BAD_PARAM, PV_FAIL and SATURATION; --long also 0x8000 MVMs on
 * every tile at once), each with its documented outcome checked.
 *
 * Before the layer the host recovers as a user would: aimc_soft_reset, aimc_chip_init, watchdog
 * and sat_mode back to 0. The rerun command is printed at the start and on failure. Exit 0 pass,
 * 1 an invariant failed, 2 usage or input error. The report (--report) is JSON, written to a
 * temporary file in the same folder and renamed into place. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aimc.h"
#include "aimc_regs.h"
#include "aimc_vl.h"

#define CSR(reg) ((uint32_t)offsetof(aimc_map_t, csr.reg))
#define MAX_REGS 512
#define MAX_WINS 16
#define MAX_FAIL_PRINT 20

/* ---- the documented register map (docs/registers.md) -------------------------------------- */
typedef struct reg_desc {
	char name[48];
	uint32_t off;
	uint32_t rd, wr;        /* some field readable / writable */
	uint32_t fields;        /* mask of every documented field */
	uint32_t rw_mask;       /* fields with sw = rw: storage that reads back what was written */
	int reads_zero;         /* built without storage on this chip (regmap_twin): reads 0 */
	uint32_t rw_reset;      /* their reset values */
	uint32_t const_mask;    /* sw = r fields with a reset value: constants */
	uint32_t const_val;
} reg_desc;

typedef struct win_desc {
	char name[32];
	uint32_t base, size;    /* bytes */
	uint32_t depth_words;   /* configured depth (from the config); csr: size / 4 */
} win_desc;

typedef struct regmap {
	reg_desc reg[MAX_REGS];
	uint32_t n_reg;
	win_desc win[MAX_WINS];
	uint32_t n_win;
	int csr_win;
} regmap;

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split a markdown table row "| a | b | ... |" into at most max cells; returns the count. */
static int cells(char *line, char **out, int max)
{
	int n = 0;
	char *p = strchr(line, '|');

	while (p != NULL && n < max) {
		char *q = strchr(p + 1, '|');

		if (q == NULL)
			break;
		*q = '\0';
		out[n++] = trim(p + 1);
		p = q;
	}
	return n;
}

static reg_desc *reg_get(regmap *rm, const char *name, uint32_t off)
{
	uint32_t i;

	for (i = 0; i < rm->n_reg; i++)
		if (rm->reg[i].off == off)
			return &rm->reg[i];
	if (rm->n_reg == MAX_REGS)
		return NULL;
	memset(&rm->reg[rm->n_reg], 0, sizeof(rm->reg[0]));
	snprintf(rm->reg[rm->n_reg].name, sizeof(rm->reg[0].name), "%s", name);
	rm->reg[rm->n_reg].off = off;
	return &rm->reg[rm->n_reg++];
}

static uint32_t win_depth(const aimc_cfg *cfg, const char *name, uint32_t size, int *known)
{
	*known = 1;
	if (strcmp(name, "csr") == 0)
		return size / 4u;
	if (strcmp(name, "instr") == 0)
		return 2u * cfg->instr_depth;
	if (strcmp(name, "act_in") == 0 || strcmp(name, "act_out") == 0)
		return cfg->act_depth;
	if (strcmp(name, "param") == 0)
		return cfg->par_depth;
	if (strcmp(name, "weight") == 0)
		return cfg->wgt_depth;
	*known = 0;
	return 0;
}

/* Parse docs/registers.md. Returns 0, or -1 with a message naming the file and line. */
/* A digital-twin chip (xbar_impl = 1) has no program-and-verify engine: its pv_ctrl, pv_tol and
 * pv_sel are built without storage and read 0 whatever was written (docs/analog-model.md,
 * docs/fpga-bringup.md). Writes still go to them (the same access stream on every chip); the
 * read check expects 0. */
static void regmap_twin(regmap *rm, const aimc_cfg *cfg)
{
	static const char *const no_store[] = { "pv_ctrl", "pv_tol", "pv_sel" };
	uint32_t i, k;

	if (cfg->xbar_impl != 1)
		return;
	for (i = 0; i < rm->n_reg; i++)
		for (k = 0; k < sizeof(no_store) / sizeof(no_store[0]); k++)
			if (strcmp(rm->reg[i].name, no_store[k]) == 0) {
				rm->reg[i].reads_zero = 1;
			}
}

static int regmap_load(regmap *rm, const char *path, const aimc_cfg *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;
	int section = 0; /* 1 address map, 2 CSR block */

	memset(rm, 0, sizeof(*rm));
	rm->csr_win = -1;
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c[8];
		int n;

		lineno++;
		if (strncmp(line, "## ", 3) == 0) {
			section = strstr(line, "Address map") ? 1 : strstr(line, "CSR block") ? 2 : 0;
			continue;
		}
		if (line[0] != '|')
			continue;
		n = cells(line, c, 8);
		if (section == 1 && n >= 3 && strncmp(c[1], "0x", 2) == 0) {
			win_desc *w;
			int known;

			if (rm->n_win == MAX_WINS)
				goto bad;
			w = &rm->win[rm->n_win];
			snprintf(w->name, sizeof(w->name), "%s", c[0]);
			w->base = (uint32_t)strtoul(c[1], NULL, 16);
			w->size = (uint32_t)strtoul(c[2], NULL, 16);
			w->depth_words = win_depth(cfg, w->name, w->size, &known);
			if (!known) {
				fclose(f);
				snprintf(err, errlen, "%s:%u: window '%s' has no known depth key", path,
					 lineno, w->name);
				return -1;
			}
			if (w->depth_words > w->size / 4u)
				w->depth_words = w->size / 4u;
			if (strcmp(w->name, "csr") == 0)
				rm->csr_win = (int)rm->n_win;
			rm->n_win++;
		} else if (section == 2 && n >= 6 && strncmp(c[0], "0x", 2) == 0) {
			uint32_t off = (uint32_t)strtoul(c[0], NULL, 16), count = 1, stride = 4, hi, lo, i;
			uint32_t mask;
			char name[48], *br;

			snprintf(name, sizeof(name), "%s", c[1]);
			br = strchr(name, '[');
			if (br != NULL) {
				count = (uint32_t)strtoul(br + 1, NULL, 10);
				*br = '\0';
				br = strstr(c[1], "stride ");
				if (br != NULL)
					stride = (uint32_t)strtoul(br + 7, NULL, 10);
			}
			if (sscanf(c[3], "[%u:%u]", &hi, &lo) != 2 || hi > 31 || lo > hi || count == 0 ||
			    count > 64)
				goto bad;
			mask = (hi - lo == 31) ? 0xFFFFFFFFu : (((1u << (hi - lo + 1)) - 1u) << lo);
			for (i = 0; i < count; i++) {
				reg_desc *r = reg_get(rm, name, off + i * stride);

				if (r == NULL)
					goto bad;
				r->fields |= mask;
				if (strchr(c[4], 'r') != NULL)
					r->rd = 1;
				if (strchr(c[4], 'w') != NULL)
					r->wr = 1;
				if (strcmp(c[4], "rw") == 0) {
					r->rw_mask |= mask;
					if (strncmp(c[5], "0x", 2) == 0)
						r->rw_reset |= ((uint32_t)strtoul(c[5], NULL, 16) << lo) & mask;
				}
				if (strcmp(c[4], "r") == 0 && strncmp(c[5], "0x", 2) == 0) {
					r->const_mask |= mask;
					r->const_val |= ((uint32_t)strtoul(c[5], NULL, 16) << lo) & mask;
				}
			}
		}
	}
	fclose(f);
	if (rm->csr_win < 0 || rm->n_reg < 8) {
		snprintf(err, errlen, "%s: no address map with a csr window, or fewer than 8 registers",
			 path);
		return -1;
	}
	return 0;
bad:
	fclose(f);
	snprintf(err, errlen, "%s:%u: cannot read this table row", path, lineno);
	return -1;
}

static const reg_desc *reg_at(const regmap *rm, uint32_t off)
{
	uint32_t i;

	for (i = 0; i < rm->n_reg; i++)
		if (rm->reg[i].off == off)
			return &rm->reg[i];
	return NULL;
}

static const reg_desc *reg_named(const regmap *rm, const char *name)
{
	uint32_t i;

	for (i = 0; i < rm->n_reg; i++)
		if (strcmp(rm->reg[i].name, name) == 0)
			return &rm->reg[i];
	return NULL;
}

/* The documented answer to an access: 0 OKAY, 2 SLVERR, 3 DECERR. */
static uint32_t expected_resp(const regmap *rm, uint32_t addr, int write)
{
	const win_desc *w = NULL;
	uint32_t i;

	for (i = 0; i < rm->n_win; i++)
		if (addr - rm->win[i].base < rm->win[i].size)
			w = &rm->win[i];
	if (w == NULL)
		return 3;
	if ((addr & 3u) != 0)
		return 2;
	if ((int)(w - rm->win) == rm->csr_win) {
		const reg_desc *r = reg_at(rm, addr - w->base);

		if (r == NULL || (write ? !r->wr : !r->rd))
			return 2;
		return 0;
	}
	return (addr - w->base) / 4u < w->depth_words ? 0 : 2;
}

/* ---- random numbers (splitmix64: the seed is printed and can be passed back) --------------- */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)(rng_next(s) % n);
}

/* Every access of the run, the driver's included, goes through this wrapper of the back-end:
 * FNV-1a over (kind, address, data, response) of each one, the run's signature (--digest). */
typedef struct digest_ctx {
	aimc_mmio inner;
	uint64_t h;
} digest_ctx;

static void digest_mix(digest_ctx *d, uint32_t kind, uint32_t addr, uint32_t data, int rc)
{
	uint32_t w[4] = { kind, addr, data, (uint32_t)rc };
	const uint8_t *p = (const uint8_t *)w;
	size_t i;

	for (i = 0; i < sizeof(w); i++) {
		d->h ^= p[i];
		d->h *= 0x100000001B3ull;
	}
}

static int digest_read32(void *ctx, uint32_t addr, uint32_t *val)
{
	digest_ctx *d = ctx;
	int rc = d->inner.ops->read32(d->inner.ctx, addr, val);

	digest_mix(d, 0, addr, *val, rc);
	return rc;
}

static int digest_write32(void *ctx, uint32_t addr, uint32_t val)
{
	digest_ctx *d = ctx;
	int rc = d->inner.ops->write32(d->inner.ctx, addr, val);

	digest_mix(d, 1, addr, val, rc);
	return rc;
}

static void digest_close(void *ctx)
{
	digest_ctx *d = ctx;

	aimc_mmio_close(&d->inner);
}

static const aimc_mmio_ops digest_ops = { "digest", digest_read32, digest_write32, NULL,
					  digest_close, NULL };

/* ---- the fuzzer state ---------------------------------------------------------------------- */
typedef struct fuzz {
	aimc_mmio m;                /* the digest wrapper around the back-end */
	digest_ctx dig;
	aimc_cfg cfg;
	regmap map;
	int vl;                     /* Verilator back-end: programs and cycle counts */
	uint32_t counter_mask;      /* the event and cycle counters wrap at 2^counter_bits */
	uint64_t rng;
	uint32_t shadow[MAX_REGS];  /* rw fields of each register as last written */
	/* the bus_err record as the documentation says it must read */
	uint32_t be_valid, be_write, be_resp, be_addr, be_count;
	/* statistics */
	uint64_t seq, seqs_done, accesses, err_accesses, decerr, slverr, driver_refusals, programs,
		 prog_halt, prog_error, watchdog_stops, soft_resets, inflight_resets, layers,
		 layer_resets, instr_words, failures, hard_resets, inflight_hard_resets,
		 layer_hard_resets, strobe_writes;
	uint64_t cycle_base;        /* cycles before the last hard reset (the harness restarts at 0) */
	uint64_t err_codes[16];
	char cmdline[1024];
} fuzz;

static void fail(fuzz *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(fuzz *z, const char *fmt, ...)
{
	va_list ap;

	z->failures++;
	if (z->failures > MAX_FAIL_PRINT)
		return;
	printf("FAIL sequence %" PRIu64 ": ", z->seq);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  rerun: %s\n", z->cmdline);
	fflush(stdout);
}

static uint64_t cycles_now(fuzz *z)
{
	return z->vl ? z->cycle_base + aimc_vl_cycles((aimc_vl *)z->dig.inner.ctx) : 0;
}

static int reg_index(const fuzz *z, const reg_desc *r)
{
	return (int)(r - z->map.reg);
}

static void shadow_reset(fuzz *z)
{
	uint32_t i;

	for (i = 0; i < z->map.n_reg; i++)
		z->shadow[i] = z->map.reg[i].reads_zero ? 0 : z->map.reg[i].rw_reset;
	z->be_valid = z->be_write = z->be_resp = z->be_addr = z->be_count = 0;
}

static void be_record(fuzz *z, uint32_t addr, int write, uint32_t resp)
{
	if (!z->be_valid) {
		z->be_valid = 1;
		z->be_write = (uint32_t)write;
		z->be_resp = resp;
		z->be_addr = addr;
	}
	if (z->be_count < 0xFFFFu)
		z->be_count++;
}

/* Soft reset side effects on what the host can see (docs/errors.md "Soft reset"). */
static void on_soft_reset(fuzz *z)
{
	z->be_valid = z->be_write = z->be_resp = z->be_addr = z->be_count = 0;
	z->soft_resets++;
}

/* One raw access straight to the back-end (no driver checks), checked against the documented
 * response; updates the shadows. Returns the back-end's rc. */
static int raw_access(fuzz *z, int write, uint32_t addr, uint32_t wval, uint32_t *rval)
{
	uint32_t exp = expected_resp(&z->map, addr, write), v = 0;
	int rc;

	if (write)
		rc = z->m.ops->write32(z->m.ctx, addr, wval);
	else
		rc = z->m.ops->read32(z->m.ctx, addr, &v);
	z->accesses++;
	if (rc != AIMC_OK && rc != AIMC_EBUS) {
		fail(z, "%s 0x%08x: back-end error %s (a hung or broken bus)", write ? "write" : "read",
		     addr, aimc_strerror(rc));
		return rc;
	}
	if ((rc == AIMC_EBUS) != (exp != 0)) {
		fail(z, "%s 0x%08x: answered %s, the documentation says %s", write ? "write" : "read",
		     addr, rc == AIMC_OK ? "OKAY" : "an error", exp == 0 ? "OKAY" :
		     exp == 2 ? "SLVERR" : "DECERR");
	}
	if (rc == AIMC_EBUS) {
		z->err_accesses++;
		if (exp == 3)
			z->decerr++;
		else
			z->slverr++;
		be_record(z, addr, write, exp ? exp : 2);
		if (!write && v != 0)
			fail(z, "read 0x%08x: an error response with data 0x%08x (must be 0)", addr, v);
	}
	if (rval != NULL)
		*rval = v;
	return rc;
}

static uint32_t csr_base(const fuzz *z)
{
	return z->map.win[z->map.csr_win].base;
}

/* Read a CSR and check what the documentation fixes about its value. */
static void csr_read_check(fuzz *z, const reg_desc *r)
{
	uint32_t v = 0;
	int i = reg_index(z, r);

	if (raw_access(z, 0, csr_base(z) + r->off, 0, &v) != AIMC_OK || !r->rd)
		return;
	if ((v & ~r->fields) != 0)
		fail(z, "read %s: bits 0x%08x outside every documented field are set", r->name,
		     v & ~r->fields);
	if ((v & r->rw_mask) != (z->shadow[i] & r->rw_mask))
		fail(z, "read %s: rw fields 0x%08x, last written 0x%08x", r->name, v & r->rw_mask,
		     z->shadow[i] & r->rw_mask);
	if ((v & r->const_mask) != r->const_val)
		fail(z, "read %s: constant fields 0x%08x, documented 0x%08x", r->name,
		     v & r->const_mask, r->const_val);
}

static int is_reg(const reg_desc *r, const char *name)
{
	return r != NULL && strcmp(r->name, name) == 0;
}

/* Write a CSR (ctrl.start never set here) and track its documented effects. */
static void csr_write(fuzz *z, const reg_desc *r, uint32_t val)
{
	int rc;

	if (is_reg(r, "ctrl"))
		val &= ~AIMC_CSR__CTRL__START_bm;
	rc = raw_access(z, 1, csr_base(z) + r->off, val, NULL);
	if (rc != AIMC_OK)
		return;
	z->shadow[reg_index(z, r)] = r->reads_zero ? 0 : val & r->rw_mask;
	if (is_reg(r, "soft_reset") && (val & AIMC_CSR__SOFT_RESET__GO_bm))
		on_soft_reset(z);
	if (is_reg(r, "bus_err") && (val & AIMC_CSR__BUS_ERR__CLEAR_bm))
		z->be_valid = z->be_write = z->be_resp = z->be_addr = z->be_count = 0;
}

static const reg_desc *need_reg(fuzz *z, const char *name)
{
	const reg_desc *r = reg_named(&z->map, name);

	if (r == NULL) {
		fprintf(stderr, "bus-fuzz: docs/registers.md has no register '%s'\n", name);
		exit(2);
	}
	return r;
}

static uint32_t rd(fuzz *z, const char *name)
{
	uint32_t v = 0;

	raw_access(z, 0, csr_base(z) + need_reg(z, name)->off, 0, &v);
	return v;
}

static void wr(fuzz *z, const char *name, uint32_t v)
{
	csr_write(z, need_reg(z, name), v);
}

/* The bus_err record must read as the documented rules built it; then clear it. */
static void check_bus_err(fuzz *z, const char *when)
{
	uint32_t v = rd(z, "bus_err"), a = rd(z, "bus_err_addr");
	uint32_t valid = (v & AIMC_CSR__BUS_ERR__VALID_bm) >> AIMC_CSR__BUS_ERR__VALID_bp;
	uint32_t write = (v & AIMC_CSR__BUS_ERR__WRITE_bm) >> AIMC_CSR__BUS_ERR__WRITE_bp;
	uint32_t resp = (v & AIMC_CSR__BUS_ERR__RESP_bm) >> AIMC_CSR__BUS_ERR__RESP_bp;
	uint32_t count = (v & AIMC_CSR__BUS_ERR__COUNT_bm) >> AIMC_CSR__BUS_ERR__COUNT_bp;

	if (valid != z->be_valid || count != z->be_count ||
	    (z->be_valid && (write != z->be_write || resp != z->be_resp || a != z->be_addr)))
		fail(z, "%s: bus_err valid %u write %u resp %u count %u addr 0x%08x; expected valid %u "
		     "write %u resp %u count %u addr 0x%08x", when, valid, write, resp, count, a,
		     z->be_valid, z->be_write, z->be_resp, z->be_count, z->be_addr);
	wr(z, "bus_err", AIMC_CSR__BUS_ERR__CLEAR_bm);
}

/* ---- random accesses ----------------------------------------------------------------------- */
static uint32_t random_addr(fuzz *z)
{
	const win_desc *w = &z->map.win[rng_below(&z->rng, z->map.n_win)];
	uint32_t a, r = rng_below(&z->rng, 100);

	if (r < 35) { /* the CSR window and a little past it */
		w = &z->map.win[z->map.csr_win];
		a = w->base + rng_below(&z->rng, w->size + 0x40u);
		a &= ~3u;
	} else if (r < 65) { /* a memory window: inside, at and past its depth */
		uint32_t words = w->depth_words + 16u < w->size / 4u ? w->depth_words + 16u : w->size / 4u;

		a = w->base + 4u * (rng_below(&z->rng, 2) ? rng_below(&z->rng, words)
					    : rng_below(&z->rng, w->size / 4u));
	} else if (r < 80) { /* window edges */
		static const int32_t d[] = { -4, 0, 4 };
		uint32_t edge = rng_below(&z->rng, 2) ? w->base : w->base + w->size;

		a = edge + (uint32_t)d[rng_below(&z->rng, 3)];
		if (rng_below(&z->rng, 2))
			a = w->base + 4u * w->depth_words + (uint32_t)d[rng_below(&z->rng, 3)];
	} else { /* anywhere */
		a = (uint32_t)rng_next(&z->rng);
		if (rng_below(&z->rng, 2))
			a &= 0x003FFFFCu;
	}
	if (rng_below(&z->rng, 10) == 0) /* misaligned */
		a = (a & ~3u) | (1u + rng_below(&z->rng, 3));
	return a;
}

static void op_random_access(fuzz *z)
{
	uint32_t a = random_addr(z), v = (uint32_t)rng_next(&z->rng);
	const win_desc *csrw = &z->map.win[z->map.csr_win];

	if (a - csrw->base < csrw->size && (a & 3u) == 0) {
		const reg_desc *r = reg_at(&z->map, a - csrw->base);

		if (r != NULL) {
			/* keep runs bounded: the watchdog is only ever set by the program ops */
			if (is_reg(r, "watchdog"))
				v = 0;
			if (rng_below(&z->rng, 2))
				csr_write(z, r, v);
			else
				csr_read_check(z, r);
			return;
		}
	}
	if (rng_below(&z->rng, 2)) {
		int rc = raw_access(z, 1, a, v, NULL);

		/* a memory word reads back what was just written */
		if (rc == AIMC_OK && !(a - csrw->base < csrw->size)) {
			uint32_t back = 0;

			if (raw_access(z, 0, a, 0, &back) == AIMC_OK && back != v)
				fail(z, "memory 0x%08x: wrote 0x%08x, read back 0x%08x", a, v, back);
		}
	} else {
		raw_access(z, 0, a, 0, NULL);
	}
}

/* A write with a partial byte strobe (wstrb != 0xF; Verilator only, the driver always writes
 * whole words): SLVERR where the address alone would be answered OKAY or SLVERR, DECERR outside
 * every window (rtl/bus/aimc_axil_slave.sv's order), recorded in bus_err, and nothing written: a
 * memory word or scratch reads what it held before; other CSRs keep their shadows (checked by
 * the next read). */
static void op_partial_strobe(fuzz *z)
{
	const win_desc *csrw = &z->map.win[z->map.csr_win];
	const reg_desc *scratch = need_reg(z, "scratch");
	uint32_t a = random_addr(z), v = (uint32_t)rng_next(&z->rng);
	uint32_t strb = rng_below(&z->rng, 15), exp = expected_resp(&z->map, a, 1), before = 0;
	uint32_t after = 0;
	int in_csr = a - csrw->base < csrw->size, rc, probe;

	if (rng_below(&z->rng, 4) == 0)
		a = csr_base(z) + scratch->off;
	exp = expected_resp(&z->map, a, 1);
	in_csr = a - csrw->base < csrw->size;
	probe = exp == 0 && (!in_csr || a == csr_base(z) + scratch->off);
	if (probe)
		raw_access(z, 0, a, 0, &before);
	rc = aimc_vl_write32_strb((aimc_vl *)z->dig.inner.ctx, a, v, strb);
	digest_mix(&z->dig, 2, a, v ^ strb << 28, rc);
	z->accesses++;
	z->strobe_writes++;
	if (exp == 0)
		exp = 2;
	if (rc != (int)exp) {
		fail(z, "write 0x%08x with wstrb 0x%x: response %d, the documentation says %s", a,
		     strb, rc, exp == 2 ? "SLVERR" : "DECERR");
		return;
	}
	z->err_accesses++;
	if (exp == 3)
		z->decerr++;
	else
		z->slverr++;
	be_record(z, a, 1, exp);
	if (probe && raw_access(z, 0, a, 0, &after) == AIMC_OK && after != before)
		fail(z, "write 0x%08x with wstrb 0x%x answered an error but changed the word: 0x%08x "
		     "-> 0x%08x", a, strb, before, after);
}

/* The driver refuses a misaligned address before touching the bus (nothing recorded). */
static void op_driver_misaligned(fuzz *z)
{
	uint32_t a = random_addr(z) | (1u + rng_below(&z->rng, 3)), v = 0;
	int rc = rng_below(&z->rng, 2) ? aimc_mmio_write32(&z->m, a, 0) : aimc_mmio_read32(&z->m, a, &v);

	if (rc != AIMC_EINVAL)
		fail(z, "driver access to misaligned 0x%08x returned %s, expected %s", a,
		     aimc_strerror(rc), aimc_strerror(AIMC_EINVAL));
	z->driver_refusals++;
}

/* Reserved bits of each defined opcode (aimc_isa.h): clearing them gives an instruction the
 * sequencer accepts far more often than a random word does. */
static const uint64_t rsvd[10] = {
	AIMC_RSVD_NOP, AIMC_RSVD_PROG, AIMC_RSVD_MVM, AIMC_RSVD_POST, AIMC_RSVD_IRQ,
	AIMC_RSVD_HALT, AIMC_RSVD_WAIT, AIMC_RSVD_COPY, AIMC_RSVD_JUMP, AIMC_RSVD_LOOP,
};

/* A random instruction: a random word (3 %), any opcode with random fields, or (structured) a
 * defined opcode with its reserved bits clear and operands mostly in range. pc0 / n: the
 * program's own span, the usual JUMP and LOOP target. */
static uint64_t random_instr(fuzz *z, int structured, uint32_t pc0, uint32_t n)
{
	uint32_t op = rng_below(&z->rng, 100) < 85 ? rng_below(&z->rng, 10) : rng_below(&z->rng, 16);
	uint32_t tile = rng_below(&z->rng, 8) ? rng_below(&z->rng, z->cfg.num_tiles) : rng_below(&z->rng, 16);
	uint32_t flags = rng_below(&z->rng, 2) ? rng_below(&z->rng, 4) : rng_below(&z->rng, 256);
	uint32_t f[3];
	uint64_t ins;
	int i;

	if (rng_below(&z->rng, 100) < 3)
		return rng_next(&z->rng);
	for (i = 0; i < 3; i++)
		f[i] = rng_below(&z->rng, 3) ? rng_below(&z->rng, 64) : rng_below(&z->rng, 65536);
	if (structured) {
		if (op == AIMC_OP_JUMP || op == AIMC_OP_LOOP)
			f[0] = pc0 + rng_below(&z->rng, n + 1u);
		if (op == AIMC_OP_MVM || op == AIMC_OP_POST)
			f[1] = rng_below(&z->rng, z->cfg.acc_slots + 1u);
		if (op == AIMC_OP_WAIT)
			f[2] = rng_below(&z->rng, 1u << (z->cfg.num_tiles < 4 ? z->cfg.num_tiles + 1u : 4u));
		if (op == AIMC_OP_COPY)
			f[2] = rng_below(&z->rng, 32);
	}
	ins = aimc_instr(op, tile, flags, f[0], f[1], f[2]);
	if (structured && op < 10)
		ins &= ~rsvd[op];
	return ins;
}

/* Write a random program of n instructions at pc0 (raw writes, checked). Kinds: 0 random words
 * and fields, 1 structured ending in HALT, 2 structured ending in a JUMP back to pc0 (runs until
 * an error or the watchdog stops it). */
static void write_program(fuzz *z, uint32_t pc0, uint32_t n, int kind)
{
	const win_desc *w = NULL;
	uint32_t i;

	for (i = 0; i < z->map.n_win; i++)
		if (strcmp(z->map.win[i].name, "instr") == 0)
			w = &z->map.win[i];
	if (w == NULL)
		return;
	for (i = 0; i < n && pc0 + i < z->cfg.instr_depth; i++) {
		uint64_t ins = random_instr(z, kind != 0, pc0, n);

		if (kind == 1 && i + 1 == n)
			ins = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		if (kind == 2 && i + 1 == n)
			ins = aimc_instr(AIMC_OP_JUMP, 0, 0, pc0, 0, 0);
		raw_access(z, 1, w->base + 8u * (pc0 + i), (uint32_t)ins, NULL);
		raw_access(z, 1, w->base + 8u * (pc0 + i) + 4u, (uint32_t)(ins >> 32), NULL);
		z->instr_words++;
	}
}

static void start(fuzz *z)
{
	const reg_desc *r = need_reg(z, "ctrl");

	raw_access(z, 1, csr_base(z) + r->off,
		   (z->shadow[reg_index(z, r)] & r->rw_mask) | AIMC_CSR__CTRL__START_bm, NULL);
}

/* Wait until busy drops, at most `budget` cycles after `since`; 1 if it did. */
static int wait_idle(fuzz *z, uint64_t since, uint64_t budget, uint32_t *status)
{
	for (;;) {
		uint32_t s = rd(z, "status");

		if (!(s & AIMC_CSR__STATUS__BUSY_bm)) {
			*status = s;
			return 1;
		}
		if (cycles_now(z) - since > budget || z->failures > MAX_FAIL_PRINT) {
			*status = s;
			return 0;
		}
	}
}

/* A random program under a random watchdog budget B: it ends within B + 1 busy cycles, with the
 * documented status, err_code and irq flags. */
static void op_program(fuzz *z)
{
	uint32_t B = 64u + rng_below(&z->rng, rng_below(&z->rng, 4) ? 2000u : 30000u);
	uint32_t pc0 = rng_below(&z->rng, 32), n = 1u + rng_below(&z->rng, 24);
	uint32_t c0, c1, status, code, irq, busy_cycles;
	uint64_t t0;

	write_program(z, pc0, n, (int)rng_below(&z->rng, 3));
	wr(z, "watchdog", B);
	wr(z, "sat_mode", rng_below(&z->rng, 2));
	wr(z, "start_pc", pc0);
	wr(z, "irq", 7u);
	c0 = rd(z, "cycles_lo");
	t0 = cycles_now(z);
	start(z);
	z->programs++;
	/* the bus latency of the status reads on top of B + 1 busy cycles */
	if (!wait_idle(z, t0, (uint64_t)B + 1u + 200u, &status)) {
		fail(z, "program at pc %u (%u random instructions, watchdog %u): still busy %" PRIu64
		     " cycles after the start", pc0, n, B, cycles_now(z) - t0);
		wr(z, "soft_reset", 1);
		return;
	}
	c1 = rd(z, "cycles_lo");
	code = rd(z, "err_code") & AIMC_CSR__ERR_CODE__CODE_bm;
	irq = rd(z, "irq");
	busy_cycles = (c1 - c0) & z->counter_mask; /* the counter wraps at 2^counter_bits */
	if (busy_cycles > B + 1u)
		fail(z, "program at pc %u: busy %u cycles, watchdog budget %u (at most B + 1)", pc0,
		     busy_cycles, B);
	if (((status >> AIMC_CSR__STATUS__HALTED_bp) & 1u) == ((status >> AIMC_CSR__STATUS__ERROR_bp) & 1u))
		fail(z, "program at pc %u ended with status 0x%x: exactly one of halted, error expected",
		     pc0, status);
	if (status & AIMC_CSR__STATUS__ERROR_bm) {
		z->prog_error++;
		z->err_codes[code < 16 ? code : 15]++;
		if (code < AIMC_CHIP_ERR_ILLEGAL || code > AIMC_CHIP_ERR_TILE_CONFLICT)
			fail(z, "program at pc %u stopped with err_code %u, not a documented code", pc0,
			     code);
		if (!(irq & AIMC_CSR__IRQ__ERROR_bm))
			fail(z, "program at pc %u stopped on an error without irq.error", pc0);
		if (code == AIMC_CHIP_ERR_WATCHDOG) {
			z->watchdog_stops++;
			if (busy_cycles != B + 1u)
				fail(z, "WATCHDOG stop after %u busy cycles, documented B + 1 = %u",
				     busy_cycles, B + 1u);
		}
	} else {
		z->prog_halt++;
		if (code != 0)
			fail(z, "program at pc %u halted with err_code %u (0 expected)", pc0, code);
		if (!(irq & AIMC_CSR__IRQ__DONE_bm))
			fail(z, "program at pc %u halted without irq.done", pc0);
	}
	wr(z, "irq", 7u);
}

/* The state a soft reset leaves (docs/errors.md): idle, no error, no irq, no bus error. */
static void check_after_reset(fuzz *z, const char *what)
{
	uint32_t s = rd(z, "status"), code = rd(z, "err_code"), irq = rd(z, "irq");

	if (s != 0 || code != 0 || irq != 0)
		fail(z, "%s: after the reset status 0x%x, err_code %u, irq 0x%x (all 0 expected)",
		     what, s, code, irq);
	check_bus_err(z, what);
}

static void soft_reset_now(fuzz *z)
{
	wr(z, "soft_reset", AIMC_CSR__SOFT_RESET__GO_bm);
}

/* Hard reset through the harness's reset pin (Verilator only): every register to its reset
 * value, as at power-on. The digest records it (kind 9), so the signature covers when it came. */
static void hard_reset_now(fuzz *z)
{
	aimc_vl *vl = (aimc_vl *)z->dig.inner.ctx;
	int rc;

	digest_mix(&z->dig, 9, 0, (uint32_t)(cycles_now(z) - z->cycle_base), 0);
	z->cycle_base += aimc_vl_cycles(vl);
	rc = aimc_vl_hard_reset(vl);
	if (rc != AIMC_OK)
		fail(z, "aimc_vl_hard_reset: %s", aimc_strerror(rc));
	shadow_reset(z);
	z->hard_resets++;
}

/* What a hard reset leaves: the soft reset's state, every rw field at its documented reset value
 * (csr_read_check against the reset shadows), constants as documented, the cycle counter 0. */
static void check_after_hard_reset(fuzz *z, const char *what)
{
	uint32_t i, c;

	check_after_reset(z, what);
	for (i = 0; i < z->map.n_reg; i++)
		if (z->map.reg[i].rd)
			csr_read_check(z, &z->map.reg[i]);
	c = rd(z, "cycles_lo");
	if (c != 0)
		fail(z, "%s: the cycle counter reads %u after a hard reset (counted since power-on: 0 "
		     "expected)", what, c);
}

/* A random program started with a generous watchdog, hit by a soft reset (hard = 0) or a hard
 * reset (hard = 1) after a random number of cycles. */
static void op_inflight_reset(fuzz *z, int hard)
{
	uint32_t pc0 = rng_below(&z->rng, 32), n = 4u + rng_below(&z->rng, 24);
	uint32_t wait = rng_below(&z->rng, 400);
	uint64_t t0;
	char what[160];

	write_program(z, pc0, n, 1 + (int)rng_below(&z->rng, 2));
	wr(z, "watchdog", 50000u);
	wr(z, "start_pc", pc0);
	t0 = cycles_now(z);
	start(z);
	while (cycles_now(z) - t0 < wait)
		rd(z, "scratch");
	snprintf(what, sizeof(what), "%s reset in flight (program of %u at pc %u, reset %" PRIu64
		 " cycles after the start)", hard ? "hard" : "soft", n, pc0, cycles_now(z) - t0);
	if (hard) {
		hard_reset_now(z);
		z->inflight_hard_resets++;
		check_after_hard_reset(z, what);
	} else {
		soft_reset_now(z);
		z->inflight_resets++;
		check_after_reset(z, what);
	}
}

/* ---- the layer after each sequence ---------------------------------------------------------- */
static int load_image(fuzz *z, const aimc_image *img)
{
	uint32_t *zero;
	int rc;

	rc = aimc_chip_init(&z->m, &z->cfg);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&z->m, (uint32_t)offsetof(aimc_map_t, weight), 0, img->wgt,
				    img->n_wgt);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&z->m, (uint32_t)offsetof(aimc_map_t, param), 0, img->par, img->n_par);
	if (rc == AIMC_OK)
		rc = aimc_prog_load(&z->m, &z->cfg, img->prog, img->n_prog);
	if (rc != AIMC_OK || img->act_words == 0)
		return rc;
	zero = calloc(img->act_words, sizeof(*zero));
	if (zero == NULL)
		return AIMC_ENOMEM;
	rc = aimc_mem_write(&z->m, (uint32_t)offsetof(aimc_map_t, act_in), 0, zero, img->act_words);
	if (rc == AIMC_OK)
		rc = aimc_mem_write(&z->m, (uint32_t)offsetof(aimc_map_t, act_out), 0, zero,
				    img->act_words);
	free(zero);
	return rc;
}

static int write_inputs(fuzz *z, const aimc_image *img, const int8_t *x, uint32_t k)
{
	size_t words = (size_t)img->batch * img->in_stride, i;
	uint32_t *buf = calloc(words ? words : 1, sizeof(*buf)), b;
	int rc;

	if (buf == NULL)
		return AIMC_ENOMEM;
	for (b = 0; b < img->batch; b++)
		for (i = 0; i < k; i++) {
			size_t byte = (size_t)b * img->in_stride * 4u + i;

			buf[byte / 4u] |= (uint32_t)(uint8_t)x[(size_t)b * k + i] << (8u * (byte % 4u));
		}
	rc = aimc_mem_write(&z->m, (uint32_t)offsetof(aimc_map_t, act_in), img->in_base, buf, words);
	free(buf);
	return rc;
}

static int read_outputs(fuzz *z, const aimc_image *img, uint32_t n, int8_t *y)
{
	uint32_t win = (uint32_t)(img->out_sel ? offsetof(aimc_map_t, act_out)
					       : offsetof(aimc_map_t, act_in));
	uint32_t words = (n + 3u) / 4u, b, i;
	uint32_t *buf = calloc(words, sizeof(*buf));
	int rc = AIMC_OK;

	if (buf == NULL)
		return AIMC_ENOMEM;
	for (b = 0; b < img->batch && rc == AIMC_OK; b++) {
		rc = aimc_mem_read(&z->m, win, img->out_base + b * img->out_stride, buf, words);
		for (i = 0; i < n && rc == AIMC_OK; i++)
			y[(size_t)b * n + i] = (int8_t)(uint8_t)(buf[i / 4u] >> (8u * (i % 4u)));
	}
	free(buf);
	return rc;
}

/* Start the program at pc and reset it (soft, or hard through the reset pin) after a random
 * number of cycles below `span`. */
static void reset_during(fuzz *z, uint32_t pc, uint32_t span, int hard)
{
	uint32_t wait = rng_below(&z->rng, span ? span : 1);
	uint64_t t0;

	wr(z, "start_pc", pc);
	t0 = cycles_now(z);
	start(z);
	while (cycles_now(z) - t0 < wait)
		rd(z, "scratch");
	if (hard) {
		hard_reset_now(z);
		z->layer_hard_resets++;
		check_after_hard_reset(z, "hard reset during the layer's program");
	} else {
		soft_reset_now(z);
		z->layer_resets++;
		check_after_reset(z, "soft reset during the layer's program");
	}
}

static void op_layer(fuzz *z)
{
	const uint32_t polls = 2000000u;
	uint32_t k = 1u + rng_below(&z->rng, 3u * z->cfg.rows);
	uint32_t n = 1u + rng_below(&z->rng, 2u * z->cfg.cols);
	uint32_t batch = 1u + rng_below(&z->rng, z->cfg.acc_slots < 4u ? z->cfg.acc_slots : 4u);
	int8_t *w = malloc((size_t)k * n), *x = malloc((size_t)k * batch);
	int8_t *y_chip = malloc((size_t)n * batch), *y_ref = malloc((size_t)n * batch);
	int32_t *bias = malloc(n * sizeof(int32_t)), *mult = malloc(n * sizeof(int32_t));
	uint8_t *shift = malloc(n);
	aimc_layer ly;
	aimc_net net;
	aimc_image img;
	char err[512];
	/* 0 none; soft reset during 1 the setup, 2-3 the batch; hard reset during 4 the setup,
	 * 5 the batch program */
	uint32_t chip_err = 0, chip_pc = 0, i, reset_mode = rng_below(&z->rng, 6);
	int rc;

	if (!z->vl) /* no cycles to count on the C model: no reset in flight */
		reset_mode = 0;

	memset(&img, 0, sizeof(img));
	if (!w || !x || !y_chip || !y_ref || !bias || !mult || !shift) {
		fail(z, "out of memory");
		goto out;
	}
	for (i = 0; i < k * n; i++)
		w[i] = (int8_t)((int)rng_below(&z->rng, 255) - 127);
	for (i = 0; i < k * batch; i++)
		x[i] = (int8_t)((int)rng_below(&z->rng, 255) - 127);
	for (i = 0; i < n; i++) {
		bias[i] = (int32_t)rng_below(&z->rng, 20001) - 10000;
		mult[i] = (int32_t)(1u + rng_below(&z->rng, 1u << 16));
		if (rng_below(&z->rng, 5) == 0)
			mult[i] = -mult[i];
		shift[i] = (uint8_t)(10u + rng_below(&z->rng, 14));
	}
	memset(&ly, 0, sizeof(ly));
	ly.k = k;
	ly.n = n;
	ly.relu = rng_below(&z->rng, 2);
	ly.w = w;
	ly.bias = bias;
	ly.mult = mult;
	ly.shift = shift;
	net.n_layers = 1;
	net.n_classes = n;
	net.in_scale = 1.0f;
	net.layers = &ly;
	rc = aimc_net_forward(&net, x, batch, y_ref);
	if (rc != AIMC_OK) {
		fail(z, "aimc_net_forward: %s", aimc_strerror(rc));
		goto out;
	}
	rc = aimc_compile(&net, &z->cfg, batch, &img, err, sizeof(err));
	if (rc != AIMC_OK) {
		fail(z, "aimc_compile of a %ux%u layer, batch %u: %s", k, n, batch, err);
		goto out;
	}
	/* the recovery a user makes after an unknown state */
	rc = aimc_soft_reset(&z->m);
	on_soft_reset(z);
	wr(z, "watchdog", 0);
	wr(z, "sat_mode", 0);
	if (rc == AIMC_OK)
		rc = load_image(z, &img);
	if (rc == AIMC_OK && img.run_pc > 0 && (reset_mode == 1 || reset_mode == 4)) {
		/* a soft or hard reset during the setup program (PROG of every tile): weights
		 * partial, so the whole image is loaded again (aimc_chip_init first, as after power-on) */
		reset_during(z, 0, 400u + 2u * z->cfg.rows * z->cfg.cols, reset_mode == 4);
		rc = load_image(z, &img);
	}
	if (rc == AIMC_OK && img.run_pc > 0)
		rc = aimc_run(&z->m, 0, polls, &chip_err, &chip_pc);
	if (rc == AIMC_OK)
		rc = write_inputs(z, &img, x, k);
	if (rc == AIMC_OK && (reset_mode == 2 || reset_mode == 3)) {
		/* a soft reset during the batch program: memories and crossbar weights are kept, the
		 * same batch runs again */
		reset_during(z, img.run_pc, 200u + 60u * (uint32_t)img.n_prog, 0);
		if (img.run_pc == 0)
			rc = load_image(z, &img);
		if (rc == AIMC_OK)
			rc = write_inputs(z, &img, x, k);
	}
	if (rc == AIMC_OK && reset_mode == 5) {
		/* a hard reset during the batch program: the host recovers as after power-on (nothing
		 * of the chip's state is assumed kept): the image again, the setup program, the inputs */
		reset_during(z, img.run_pc, 200u + 60u * (uint32_t)img.n_prog, 1);
		rc = load_image(z, &img);
		if (rc == AIMC_OK && img.run_pc > 0)
			rc = aimc_run(&z->m, 0, polls, &chip_err, &chip_pc);
		if (rc == AIMC_OK)
			rc = write_inputs(z, &img, x, k);
	}
	if (rc == AIMC_OK)
		rc = aimc_run(&z->m, img.run_pc, polls, &chip_err, &chip_pc);
	if (rc == AIMC_OK)
		rc = read_outputs(z, &img, n, y_chip);
	z->layers++;
	if (rc != AIMC_OK) {
		fail(z, "layer %ux%u batch %u: %s (chip err_code %u at pc %u)", k, n, batch,
		     aimc_strerror(rc), chip_err, chip_pc);
		goto out;
	}
	for (i = 0; i < n * batch; i++)
		if (y_chip[i] != y_ref[i]) {
			fail(z, "layer %ux%u batch %u (reset mode %u): output %u (vector %u, column %u) is "
			     "%d, aimc_net_forward gives %d", k, n, batch, reset_mode, i, i / n, i % n,
			     y_chip[i], y_ref[i]);
			break;
		}
	/* the driver's writes went through: no bus error may be recorded */
	check_bus_err(z, "after the layer");
out:
	aimc_image_free(&img);
	free(w);
	free(x);
	free(y_chip);
	free(y_ref);
	free(bias);
	free(mult);
	free(shift);
}

/* Every rw field gets a random value (the layer's driver calls wrote some of them). */
static void randomize_rw(fuzz *z)
{
	uint32_t i;

	for (i = 0; i < z->map.n_reg; i++) {
		const reg_desc *r = &z->map.reg[i];

		if (r->rw_mask == 0 || is_reg(r, "watchdog") || is_reg(r, "ctrl"))
			continue;
		csr_write(z, r, (uint32_t)rng_next(&z->rng));
	}
}

static void run_sequence(fuzz *z, uint32_t ops)
{
	uint32_t i;

	randomize_rw(z);
	check_bus_err(z, "sequence start");
	for (i = 0; i < ops && z->failures <= MAX_FAIL_PRINT; i++) {
		uint32_t r = rng_below(&z->rng, 1000);

		if (r < 800 || (r < 820 && !z->vl))
			op_random_access(z);
		else if (r < 820)
			op_partial_strobe(z);
		else if (r < 850)
			op_driver_misaligned(z);
		else if (r < 870) {
			soft_reset_now(z);
			check_after_reset(z, "soft reset");
		} else if (r < 880) {
			check_bus_err(z, "during the sequence");
		} else if (z->vl && r < 960) {
			op_program(z);
		} else if (z->vl && r < 985) {
			op_inflight_reset(z, 0);
		} else if (z->vl) {
			op_inflight_reset(z, 1);
		} else {
			op_random_access(z);
		}
	}
	check_bus_err(z, "sequence end");
	op_layer(z);
}

/* ---- directed corners (--directed, Verilator; make cov) -------------------------------------
 * Full-width values that random programs rarely reach, each checked against docs/isa.md and
 * docs/registers.md: every LOOP counter counted up to 0xFFFF (instrs grows by C + 2: the LOOP runs
 * C + 1 times, then HALT), the PC and err_pc at high addresses (a JUMP or a start past the
 * instruction buffer stops with ADDR_RANGE at that PC), the watchdog budget with all bits set and
 * in both alternating patterns, a COPY of the whole activation buffer (OUT must then read what
 * was written to IN); with --long also a program of 2^21 busy cycles (two nested LOOPs: the instruction, cycle
 * and watchdog counts carry past bit 20), 0x4000 saturating ACCADDs (the saturation
 * counts carry past bit 15) and the bus error count held at 0xFFFF after 0x10002 error responses
 * (docs/registers.md bus_err: it saturates). */
static uint32_t win_base(fuzz *z, const char *name)
{
	uint32_t i;

	for (i = 0; i < z->map.n_win; i++)
		if (strcmp(z->map.win[i].name, name) == 0)
			return z->map.win[i].base;
	fprintf(stderr, "bus-fuzz: docs/registers.md has no window '%s'\n", name);
	exit(2);
}

static void put_instr(fuzz *z, uint32_t pc, uint64_t ins)
{
	uint32_t b = win_base(z, "instr");

	raw_access(z, 1, b + 8u * pc, (uint32_t)ins, NULL);
	raw_access(z, 1, b + 8u * pc + 4u, (uint32_t)(ins >> 32), NULL);
	z->instr_words++;
}

/* Start at pc0 under watchdog budget wdog and sat_mode sat and wait for the end; status,
 * err_code, err_pc out. */
static int run_directed_sat(fuzz *z, const char *what, uint32_t pc0, uint32_t wdog, uint32_t sat,
			    uint64_t budget, uint32_t *status, uint32_t *code, uint32_t *pc)
{
	uint64_t t0;

	wr(z, "watchdog", wdog);
	wr(z, "sat_mode", sat);
	wr(z, "start_pc", pc0);
	wr(z, "irq", 7u);
	t0 = cycles_now(z);
	start(z);
	z->programs++;
	if (!wait_idle(z, t0, budget, status)) {
		fail(z, "directed %s: still busy %" PRIu64 " cycles after the start", what, cycles_now(z) - t0);
		wr(z, "soft_reset", 1);
		return -1;
	}
	*code = rd(z, "err_code") & AIMC_CSR__ERR_CODE__CODE_bm;
	*pc = rd(z, "err_pc");
	wr(z, "irq", 7u);
	return 0;
}

static int run_directed(fuzz *z, const char *what, uint32_t pc0, uint32_t wdog, uint64_t budget,
			uint32_t *status, uint32_t *code, uint32_t *pc)
{
	return run_directed_sat(z, what, pc0, wdog, 0, budget, status, code, pc);
}

/* ---- carry corners (--carry K, Verilator; make cov) -----------------------------------------
 * Counter bits that only long runs reach, and ADC lanes saturating together, on tiles 0 and 1
 * (tile 0 alone on a one-tile chip), each checked against docs/isa.md, docs/numbers.md and
 * docs/registers.md:
 *   lanes (isa_tfl): an MVM with the acc flag into a slot preloaded by ACCADD with INT32_MAX words
 *   (on the negative side INT32_MIN), weights +1 (-1) on the column at mux position 0 of ADC lanes
 *   0..k-1 and -1 (+1) on every other column, all inputs 1 (one applied phase): exactly k lanes
 *   saturate in one conversion cycle, k = 1, 2, 3, each power of two up to NumAdc and NumAdc - 1.
 *   Checked: sats and the tile's tile_sats grow by k, the other tile's counters and both tiles'
 *   pv counts do not move, a raw POST reads INT32_MAX (MIN) on those k columns and
 *   INT32_MAX - Rows (MIN + Rows) on the others;
 *   counts, N = 2^K per tile: ceil(N / Rows) one-shot PROGs (LOOP); a slot filled with INT32_MAX,
 *   then N accumulating MVMs of inputs 1 into it (one applied phase, every column saturating);
 *   program-and-verify PROGs alternating image M (every weight -127) and P (+127), budget 255,
 *   tolerance 0, until 2N pulses; verify-only PROGs (budget 0) of M until 2N unconverged cells;
 *   verify-only PROGs of P with row 0 changed in d = 1, 2, 4, 8, 16 cells (pv_unconv's low
 *   bits); one program-and-verify PROG at tolerance 0xFFFF (every cell verifies at once).
 *   On a config that is not ideal (main runs no sequence then: --carry alone, e.g. on small, the
 *   only test config with 16 ADC lanes) the codes are noisy and clip: the raw POST checks only
 *   the saturated columns exactly, and the two corners that need cells exactly on their levels
 *   (row 0 off in d cells, tolerance 0xFFFF) are left out; every count stays exact.
 *   Checked: the exact deltas of instrs, mvms, convs, adc_convs, sats, prog_rows, reads_total,
 *   stalls_total and of each tile's tile_busy, tile_mvms, tile_reads, tile_adc, tile_sats,
 *   tile_stalls, pv_pulses and pv_unconv, derived from the config, the latency table and the
 *   event definitions (tile_busy not with program-and-verify on two tiles: their rows wait for
 *   the shared weight port). Tolerance 0 asks for an exact hit and a pulse closes a fraction
 *   eta < 1 of the distance to the target (docs/analog-model.md), so a cell that starts at the
 *   other extreme never verifies: every row takes its 255 pulses and leaves its 2·Cols cells of
 *   slice 0 unconverged (the other slices are 0 in both images). With K = 15 every event counter
 *   of both tiles carries into bit 15, pv_pulses and pv_unconv into bit 16. The pulses leave the
 *   cells off their levels: a one-shot PROG puts them back. */
#define CY_CHIP 8
#define CY_TILE 6
#define CY_N (CY_CHIP + 2 * CY_TILE + 4)

static const char *const cy_chip_name[CY_CHIP] = {
	"instrs", "mvms", "convs", "adc_convs", "sats", "prog_rows", "reads_total", "stalls_total",
};
static const char *const cy_tile_name[CY_TILE] = {
	"tile_busy", "tile_mvms", "tile_reads", "tile_adc", "tile_sats", "tile_stalls",
};

enum { CY_INSTRS, CY_MVMS, CY_CONVS, CY_ADC_CONVS, CY_SATS, CY_PROG_ROWS, CY_READS, CY_STALLS };
enum { CY_T_BUSY, CY_T_MVMS, CY_T_READS, CY_T_ADC, CY_T_SATS, CY_T_STALLS };

/* Index of tile t's counter k (CY_T_*), and of its pv_pulses (pv = 0) / pv_unconv (pv = 1). */
#define CY_T(t, k) (CY_CHIP + CY_TILE * (t) + (k))
#define CY_PV(t, pv) (CY_CHIP + 2 * CY_TILE + 2 * (t) + (pv))

typedef struct cy_snap {
	uint32_t v[CY_N];
} cy_snap;

static uint32_t cy_tiles(const fuzz *z)
{
	return z->cfg.num_tiles < 2 ? z->cfg.num_tiles : 2u;
}

static void cy_name(uint32_t i, char *buf, size_t len)
{
	if (i < CY_CHIP)
		snprintf(buf, len, "%s", cy_chip_name[i]);
	else if (i < CY_CHIP + 2 * CY_TILE)
		snprintf(buf, len, "%s[%u]", cy_tile_name[(i - CY_CHIP) % CY_TILE],
			 (i - CY_CHIP) / CY_TILE);
	else
		snprintf(buf, len, "%s of tile %u", (i - CY_CHIP) % 2 ? "pv_unconv" : "pv_pulses",
			 (i - CY_CHIP - 2 * CY_TILE) / 2);
}

/* Every counter the corners check: the chip's, tiles 0 and 1's arrays (docs/registers.md: stride
 * 4), each tile's pv_pulses / pv_unconv through pv_sel (0 without a program-and-verify engine). */
static void cy_read(fuzz *z, cy_snap *s)
{
	uint32_t i, t, k;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < CY_CHIP; i++)
		s->v[i] = rd(z, cy_chip_name[i]);
	for (t = 0; t < cy_tiles(z); t++) {
		for (k = 0; k < CY_TILE; k++)
			raw_access(z, 0, csr_base(z) + need_reg(z, cy_tile_name[k])->off + 4u * t, 0,
				   &s->v[CY_T(t, k)]);
		wr(z, "pv_sel", t);
		s->v[CY_PV(t, 0)] = rd(z, "pv_pulses");
		s->v[CY_PV(t, 1)] = rd(z, "pv_unconv");
	}
}

/* Each counter's delta from a to b must be want (mod 2^counter_bits), except those in skip. */
static void cy_check(fuzz *z, const char *what, const cy_snap *a, const cy_snap *b,
		     const cy_snap *want, uint32_t skip)
{
	uint32_t i;

	for (i = 0; i < CY_N; i++) {
		uint32_t d = (b->v[i] - a->v[i]) & z->counter_mask;
		char name[48];

		if ((skip >> i) & 1u || d == (want->v[i] & z->counter_mask))
			continue;
		cy_name(i, name, sizeof(name));
		fail(z, "carry %s: %s grew by %u, expected %u", what, name, d,
		     want->v[i] & z->counter_mask);
	}
}

/* Run the program at pc 0 (no watchdog); 0 if it halted with err_code 0. */
static int cy_run(fuzz *z, const char *what, uint64_t budget)
{
	uint32_t status, code, pc;

	if (run_directed(z, what, 0, 0, budget, &status, &code, &pc))
		return -1;
	if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0) {
		fail(z, "carry %s: status 0x%x err_code %u err_pc %u (expected halted, 0)", what,
		     status, code, pc);
		return -1;
	}
	return 0;
}

/* Weight image at word `word`: column c of row 0 gets w0[c] (w0 NULL: w[c]), of every other row
 * w[c]; slice 0 of a bit-sliced weight, the other slices 0 (docs/numbers.md "Bit-sliced weights":
 * byte (r·Cols + c)·S + s; the hardware clamps a slice to its top level). */
static void cy_weights(fuzz *z, uint32_t word, const int8_t *w, const int8_t *w0)
{
	uint32_t S = z->cfg.weight_slices ? z->cfg.weight_slices : 1u, r, c, s, i;
	uint32_t bytes = z->cfg.rows * z->cfg.cols * S, base = win_base(z, "weight") + 4u * word;
	uint32_t acc = 0;

	for (i = 0; i < bytes; i++) {
		c = (i / S) % z->cfg.cols;
		s = i % S;
		r = (uint32_t)(uint8_t)(s != 0 ? 0 : i / S < z->cfg.cols && w0 != NULL ? w0[c] : w[c]);
		acc |= r << (8u * (i % 4u));
		if (i % 4u == 3u) {
			raw_access(z, 1, base + (i / 4u) * 4u, acc, NULL);
			acc = 0;
		}
	}
}

/* MVM latency with one applied phase, the first (slice 0, positive), and 2·NS - 1 skipped phases
 * after it: the table of rtl/tile/aimc_tile.sv (docs/isa.md "Timing of the tile commands"). A
 * command's latency counts from the accept edge to the cycle of done_o, in which the tile is idle
 * again (aimc_tile busy_o: "low again with done_o"): it is busy latency - 1 cycles. */
static uint32_t cy_mvm_cycles(const fuzz *z, uint32_t settle)
{
	uint32_t S = z->cfg.weight_slices ? z->cfg.weight_slices : 1u;
	uint32_t L = z->cfg.rows / 4u + 1u > z->cfg.cols_per_adc ? z->cfg.rows / 4u + 1u
								 : z->cfg.cols_per_adc;
	uint32_t st = settle ? settle : 1u, cc = z->cfg.cols_per_adc * S * z->cfg.adc_cycles;
	uint32_t r = 2u * ((8u + z->cfg.dac_bits - 1u) / z->cfg.dac_bits) - 1u;
	uint32_t a1 = L + 1u + st, d = a1 + cc + 1u, e = d > a1 + 2u + r ? d : a1 + 2u + r;

	return e + 2u;
}

/* The bits of tile t's six counters in a skip mask of cy_check. */
static uint32_t cy_tile_bits(uint32_t t)
{
	return ((1u << CY_TILE) - 1u) << (CY_CHIP + CY_TILE * t);
}

/* Lanes: k lanes of one tile saturate in one conversion cycle (see the block comment). */
static void cy_lanes(fuzz *z)
{
	uint32_t R = z->cfg.rows, C = z->cfg.cols, cpa = z->cfg.cols_per_adc, na = C / cpa;
	uint32_t S = z->cfg.weight_slices ? z->cfg.weight_slices : 1u;
	uint32_t a_one = 0, a_zero = R / 4u, a_pre = 2u * (R / 4u), slot = 1u % z->cfg.acc_slots;
	uint32_t in = win_base(z, "act_in"), out = win_base(z, "act_out"), par = win_base(z, "param");
	uint32_t ks[24], nk = 0, side, ki, t, c, i;
	int ideal = aimc_cfg_is_ideal(&z->cfg);
	int8_t w[1024];

	/* k = 1, 2, 3, every power of two up to NumAdc and NumAdc - 1: every bit of the per-cycle
	 * count (up to log2(NumAdc)) set in some conversion cycle */
	for (i = 1; i <= na && nk < 20; i = i < 4 ? i + 1 : 2 * i)
		ks[nk++] = i;
	if (na > 4)
		ks[nk++] = na - 1;

	if (!z->cfg.isa_tfl || C > sizeof(w) || a_pre + C > z->cfg.act_depth ||
	    3u * C > z->cfg.par_depth || R * C * S / 4u > z->cfg.wgt_depth) {
		printf("  carry lanes: skipped (%s)\n", !z->cfg.isa_tfl ? "no ACCADD: isa_tfl = 0"
		       : "buffers too small for the operands");
		return;
	}
	for (i = 0; i < R / 4u; i++) {
		raw_access(z, 1, in + 4u * (a_one + i), 0x01010101u, NULL);
		raw_access(z, 1, in + 4u * (a_zero + i), 0, NULL);
	}
	for (c = 0; c < C; c++) { /* b = 0, M = 1, S = 1 (a raw POST stores sat32(acc + b)) */
		raw_access(z, 1, par + 4u * (3u * c), 0, NULL);
		raw_access(z, 1, par + 4u * (3u * c + 1u), 1, NULL);
		raw_access(z, 1, par + 4u * (3u * c + 2u), 1, NULL);
	}
	for (side = 0; side < 2; side++) {
		int32_t sgn = side ? -1 : 1;
		uint32_t pre = side ? 0x80000000u : 0x7FFFFFFFu;

		for (c = 0; c < C; c++)
			raw_access(z, 1, in + 4u * (a_pre + c), pre, NULL);
		for (ki = 0; ki < nk; ki++) {
			uint32_t k = ks[ki];

			/* ADC lane j converts columns j·cpa .. j·cpa + cpa - 1, column c at mux position
			 * c % cpa (docs/numbers.md): the k columns at position 0 of lanes 0..k-1 */
			for (c = 0; c < C; c++)
				w[c] = (int8_t)((c % cpa == 0 && c / cpa < k) ? sgn : -sgn);
			cy_weights(z, 0, w, NULL);
			for (t = 0; t < cy_tiles(z) && z->failures <= MAX_FAIL_PRINT; t++) {
				cy_snap a, b, want;
				char what[96];

				snprintf(what, sizeof(what), "lanes (tile %u, %u of %u lanes, %s side)", t, k,
					 na, side ? "negative" : "positive");
				/* PROG; an MVM of zeros clears the slot (no applied phase); ACCADD fills it
				 * with INT32_MAX (MIN) without saturating; the accumulating MVM of ones */
				put_instr(z, 0, aimc_instr(AIMC_OP_PROG, t, 0, 0, 0, 0));
				put_instr(z, 1, aimc_instr(AIMC_OP_MVM, t, 0, a_zero, slot, 0));
				put_instr(z, 2, aimc_instr(AIMC_OP_ACCADD, t, 0, a_pre, slot, 0));
				put_instr(z, 3, aimc_instr(AIMC_OP_MVM, t, AIMC_FLAG_ACC, a_one, slot, 0));
				put_instr(z, 4, aimc_instr(AIMC_OP_POST, t, AIMC_FLAG_RAW | AIMC_FLAG_DST_OUT,
							   0, slot, 0));
				put_instr(z, 5, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
				cy_read(z, &a);
				if (cy_run(z, what, 20000u + 40u * R * C * S))
					return;
				cy_read(z, &b);
				/* sats and tile t's tile_sats grow by k; the other tile and both tiles'
				 * program-and-verify counts do not move */
				memset(&want, 0, sizeof(want));
				want.v[CY_SATS] = k;
				want.v[CY_T(t, CY_T_SATS)] = k;
				cy_check(z, what, &a, &b, &want, (((1u << CY_CHIP) - 1u) & ~(1u << CY_SATS)) |
					 (cy_tile_bits(t) & ~(1u << CY_T(t, CY_T_SATS))));
				/* a config that is not ideal: the codes are noisy and may clip, only the
				 * saturated columns' value is exact (the others must differ from it) */
				for (c = 0; c < C && z->failures <= MAX_FAIL_PRINT; c++) {
					int sat = c % cpa == 0 && c / cpa < k;
					uint32_t v = 0, e = sat ? pre : (uint32_t)((int32_t)pre - sgn * (int32_t)R);

					raw_access(z, 0, out + 4u * c, 0, &v);
					if (sat || ideal ? v != e : v == pre)
						fail(z, "carry %s: raw POST column %u reads 0x%08x, expected "
						     "%s0x%08x", what, c, v, sat || ideal ? "" : "not ",
						     sat || ideal ? e : pre);
				}
			}
		}
	}
}

/* The counts: one-shot PROGs, saturating MVMs, program-and-verify PROGs with pulses, verify-only
 * PROGs; K: N = 2^K events of each kind per tile (see the block comment). */
static void cy_counts(fuzz *z, uint32_t K)
{
	const uint32_t settle = 2, budget = 255, slot = 2u % z->cfg.acc_slots;
	uint32_t T = cy_tiles(z), R = z->cfg.rows, C = z->cfg.cols;
	uint32_t S = z->cfg.weight_slices ? z->cfg.weight_slices : 1u;
	uint32_t NS = (8u + z->cfg.dac_bits - 1u) / z->cfg.dac_bits, acc = z->cfg.isa_tfl != 0;
	uint32_t N = 1u << K, cells = 2u * C, row_words = C * S / 4u, prog_words = R * row_words;
	uint32_t lat = cy_mvm_cycles(z, settle), in = win_base(z, "act_in"), n, t, i, pc;
	uint32_t a_one = 0, a_zero = R / 4u, a_pre = 2u * (R / 4u);
	uint32_t lat0 = (R / 4u + 1u > z->cfg.cols_per_adc ? R / 4u + 1u : z->cfg.cols_per_adc) + 2u +
			2u * NS;
	int pv = z->cfg.xbar_impl != 1 && z->cfg.pv_step < 1.0, ideal = aimc_cfg_is_ideal(&z->cfg);
	/* cells: those of a row the images P and M set to different levels, both cells of the pair
	 * of slice 0 of every column (the other slices are 0 in both) */
	cy_snap a, b, want;
	int8_t w[1024];

	if (C > sizeof(w) || a_pre + C > z->cfg.act_depth || 2u * prog_words > z->cfg.wgt_depth) {
		printf("  carry counts: skipped (buffers too small for the operands)\n");
		return;
	}
	wr(z, "settle", settle);
	wr(z, "pv_ctrl", 0);
	for (i = 0; i < R / 4u; i++) {
		raw_access(z, 1, in + 4u * (a_one + i), 0x01010101u, NULL);
		raw_access(z, 1, in + 4u * (a_zero + i), 0, NULL);
	}
	for (i = 0; i < C; i++)
		raw_access(z, 1, in + 4u * (a_pre + i), 0x7FFFFFFFu, NULL);
	/* image P (every weight +127) at word 0, M (every weight -127) at word prog_words */
	memset(w, 127, C);
	cy_weights(z, 0, w, NULL);
	memset(w, -127, C);
	cy_weights(z, prog_words, w, NULL);

	/* one-shot PROGs of image P: Rows rows each, latency Rows·Cols·S/4 + 3 */
	n = (N + R - 1u) / R;
	for (t = 0; t < T; t++)
		put_instr(z, t, aimc_instr(AIMC_OP_PROG, t, 0, 0, 0, 0));
	put_instr(z, T, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, 0, n - 1u));
	put_instr(z, T + 1u, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	cy_read(z, &a);
	if (cy_run(z, "PROG loop", (uint64_t)n * T * (prog_words + 64u) + 10000u))
		return;
	cy_read(z, &b);
	memset(&want, 0, sizeof(want));
	want.v[CY_INSTRS] = n * (T + 1u) + 1u;
	want.v[CY_PROG_ROWS] = n * R;
	for (t = 0; t < T; t++)
		want.v[CY_T(t, CY_T_BUSY)] = n * (prog_words + 3u - 1u);
	cy_check(z, "PROG loop", &a, &b, &want, 0);

	/* each tile's slot filled with INT32_MAX (an MVM of zeros clears it: no applied phase, latency
	 * L + 2 + 2·NS; an ACCADD of INT32_MAX words, Cols + 2, no saturation), then N passes of one
	 * accumulating MVM per tile, inputs 1: one applied phase (slice 0, positive; docs/numbers.md:
	 * one array read, Cols·S ADC conversions, the settle a stall), every column saturating once
	 * (positive code at its slice-0 position, 0 at the others). isa_tfl = 0: no ACCADD, MVMs
	 * without the acc flag, no saturation */
	pc = 0;
	for (t = 0; acc && t < T; t++) {
		put_instr(z, pc++, aimc_instr(AIMC_OP_MVM, t, 0, a_zero, slot, 0));
		put_instr(z, pc++, aimc_instr(AIMC_OP_ACCADD, t, 0, a_pre, slot, 0));
	}
	for (t = 0; t < T; t++)
		put_instr(z, pc + t, aimc_instr(AIMC_OP_MVM, t, acc ? AIMC_FLAG_ACC : 0, a_one, slot, 0));
	put_instr(z, pc + T, aimc_instr(AIMC_OP_LOOP, 0, 0, pc, 0, N - 1u));
	put_instr(z, pc + T + 1u, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	cy_read(z, &a);
	if (cy_run(z, "MVM loop", (uint64_t)N * (2u * lat + 64u) + 10000u))
		return;
	cy_read(z, &b);
	memset(&want, 0, sizeof(want));
	want.v[CY_INSTRS] = pc + N * (T + 1u) + 1u;
	want.v[CY_MVMS] = (N + acc) * T;
	want.v[CY_CONVS] = N;
	want.v[CY_ADC_CONVS] = N * T * C * S;
	want.v[CY_SATS] = acc * N * T * C;
	want.v[CY_READS] = N * T;
	want.v[CY_STALLS] = N * T * settle;
	for (t = 0; t < T; t++) {
		want.v[CY_T(t, CY_T_BUSY)] = N * (lat - 1u) + acc * (lat0 - 1u + C + 2u - 1u);
		want.v[CY_T(t, CY_T_MVMS)] = N + acc;
		want.v[CY_T(t, CY_T_READS)] = N;
		want.v[CY_T(t, CY_T_ADC)] = N * C * S;
		want.v[CY_T(t, CY_T_SATS)] = acc * N * C;
		want.v[CY_T(t, CY_T_STALLS)] = N * settle;
	}
	cy_check(z, "MVM loop", &a, &b, &want, 0);

	if (!pv) {
		printf("  carry program-and-verify: skipped (%s)\n", z->cfg.xbar_impl == 1 ?
		       "digital twin: no engine" : "pv_step 1: a pulse can hit its target");
		return;
	}
	/* program-and-verify, budget 255, tolerance 0: images M and P in turn, n pairs of PROGs per
	 * tile; every row takes 255 pulses and leaves its cells unconverged; busy (one tile only:
	 * with two the rows wait for the weight port): latency 1 + Rows·(Cols·S/4 + 3) + 2·pulses */
	n = 2u * N / (2u * R * budget) + 1u;
	wr(z, "pv_tol", 0);
	wr(z, "pv_ctrl", AIMC_CSR__PV_CTRL__ENABLE_bm | budget << 8);
	pc = 0;
	for (i = 0; i < 2; i++)
		for (t = 0; t < T; t++)
			put_instr(z, pc++, aimc_instr(AIMC_OP_PROG, t, 0, i ? 0 : prog_words, 0, 0));
	put_instr(z, pc, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, 0, n - 1u));
	put_instr(z, pc + 1u, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	cy_read(z, &a);
	if (cy_run(z, "program-and-verify loop",
		   (uint64_t)2u * n * T * R * (row_words + 8u + 2u * budget) + 10000u))
		return;
	cy_read(z, &b);
	memset(&want, 0, sizeof(want));
	want.v[CY_INSTRS] = n * (2u * T + 1u) + 1u;
	want.v[CY_PROG_ROWS] = 2u * n * R;
	for (t = 0; t < T; t++) {
		want.v[CY_T(t, CY_T_BUSY)] = 2u * n * (R * (row_words + 3u) + 2u * R * budget);
		want.v[CY_PV(t, 0)] = 2u * n * R * budget;
		want.v[CY_PV(t, 1)] = 2u * n * R * cells;
	}
	cy_check(z, "program-and-verify loop", &a, &b, &want, T > 1 ?
		 (1u << CY_T(0, CY_T_BUSY)) | (1u << CY_T(1, CY_T_BUSY)) : 0);

	/* verify only (budget 0) of image M, which every cell is far from (the last PROGs were of P):
	 * no pulse, every cell unconverged; latency 1 + Rows·(Cols·S/4 + 3) per PROG (one tile) */
	n = 2u * N / (R * cells) + 1u;
	wr(z, "pv_ctrl", AIMC_CSR__PV_CTRL__ENABLE_bm);
	for (t = 0; t < T; t++)
		put_instr(z, t, aimc_instr(AIMC_OP_PROG, t, 0, prog_words, 0, 0));
	put_instr(z, T, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, 0, n - 1u));
	put_instr(z, T + 1u, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	cy_read(z, &a);
	if (cy_run(z, "verify-only loop", (uint64_t)n * T * R * (row_words + 16u) + 10000u))
		return;
	cy_read(z, &b);
	memset(&want, 0, sizeof(want));
	want.v[CY_INSTRS] = n * (T + 1u) + 1u;
	want.v[CY_PROG_ROWS] = n * R;
	for (t = 0; t < T; t++) {
		want.v[CY_T(t, CY_T_BUSY)] = n * R * (row_words + 3u);
		want.v[CY_PV(t, 1)] = n * R * cells;
	}
	cy_check(z, "verify-only loop", &a, &b, &want, T > 1 ?
		 (1u << CY_T(0, CY_T_BUSY)) | (1u << CY_T(1, CY_T_BUSY)) : 0);

	/* one-shot P puts the cells back on their levels; then verify only, tolerance 0, of P with
	 * row 0 changed in d cells (a weight +127 -> +1 moves its positive cell only, -> -1 both),
	 * d = 1, 2, 4, 8, 16: pv_unconv grows by d (its bits 0..4 set in turn), no pulse */
	wr(z, "pv_ctrl", 0);
	for (t = 0; t < T; t++)
		put_instr(z, t, aimc_instr(AIMC_OP_PROG, t, 0, 0, 0, 0));
	put_instr(z, T, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	if (cy_run(z, "one-shot PROG after program-and-verify", (uint64_t)T * (prog_words + 64u) + 10000u) ||
	    !ideal) /* programming and read noise: no cell is exactly on its level */
		return;
	wr(z, "pv_tol", 0);
	wr(z, "pv_ctrl", AIMC_CSR__PV_CTRL__ENABLE_bm);
	for (i = 1; i <= 16 && i / 2u + i % 2u <= C && 3u * prog_words <= z->cfg.wgt_depth; i *= 2) {
		int8_t w0[1024];
		char what[64];

		memset(w, 127, C);
		memset(w0, 127, C);
		memset(w0, -1, i / 2u);
		if (i % 2u)
			w0[i / 2u] = 1;
		cy_weights(z, 2u * prog_words, w, w0);
		for (t = 0; t < T; t++)
			put_instr(z, t, aimc_instr(AIMC_OP_PROG, t, 0, 2u * prog_words, 0, 0));
		put_instr(z, T, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
		snprintf(what, sizeof(what), "verify only, %u cells off", i);
		cy_read(z, &a);
		if (cy_run(z, what, (uint64_t)T * R * (row_words + 16u) + 10000u))
			return;
		cy_read(z, &b);
		memset(&want, 0, sizeof(want));
		want.v[CY_INSTRS] = T + 1u;
		want.v[CY_PROG_ROWS] = R;
		for (t = 0; t < T; t++) {
			want.v[CY_T(t, CY_T_BUSY)] = R * (row_words + 3u);
			want.v[CY_PV(t, 1)] = i;
		}
		cy_check(z, what, &a, &b, &want, T > 1 ?
			 (1u << CY_T(0, CY_T_BUSY)) | (1u << CY_T(1, CY_T_BUSY)) : 0);
	}

	/* image P with the widest tolerance (0xFFFF: within the whole conductance range): every cell
	 * verifies at once, no pulse, nothing unconverged */
	wr(z, "pv_tol", 0xFFFFu);
	wr(z, "pv_ctrl", AIMC_CSR__PV_CTRL__ENABLE_bm | budget << 8);
	for (t = 0; t < T; t++)
		put_instr(z, t, aimc_instr(AIMC_OP_PROG, t, 0, 0, 0, 0));
	put_instr(z, T, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	cy_read(z, &a);
	if (cy_run(z, "program-and-verify at tolerance 0xFFFF", (uint64_t)T * R * (row_words + 16u) + 10000u))
		return;
	cy_read(z, &b);
	memset(&want, 0, sizeof(want));
	want.v[CY_INSTRS] = T + 1u;
	want.v[CY_PROG_ROWS] = R;
	for (t = 0; t < T; t++)
		want.v[CY_T(t, CY_T_BUSY)] = R * (row_words + 3u);
	cy_check(z, "program-and-verify at tolerance 0xFFFF", &a, &b, &want, T > 1 ?
		 (1u << CY_T(0, CY_T_BUSY)) | (1u << CY_T(1, CY_T_BUSY)) : 0);
	wr(z, "pv_ctrl", 0);
}

static void op_carry(fuzz *z, uint32_t K)
{
	uint64_t c0 = cycles_now(z);
	size_t len = strlen(z->cmdline);
	uint32_t pv_ctrl = rd(z, "pv_ctrl"), pv_tol = rd(z, "pv_tol"), settle = rd(z, "settle");

	snprintf(z->cmdline + len, sizeof(z->cmdline) - len, " --carry %u", K);
	soft_reset_now(z);
	wr(z, "pv_ctrl", 0);
	cy_lanes(z);
	if (z->failures <= MAX_FAIL_PRINT)
		cy_counts(z, K);
	wr(z, "pv_ctrl", pv_ctrl);
	wr(z, "pv_tol", pv_tol);
	wr(z, "settle", settle);
	wr(z, "watchdog", 0);
	check_bus_err(z, "carry corners");
	printf("  carry corners (K = %u, %u tile%s): %" PRIu64 " cycles, %" PRIu64 " failures\n", K,
	       cy_tiles(z), cy_tiles(z) > 1 ? "s" : "", cycles_now(z) - c0, z->failures);
}

static void op_directed(fuzz *z, int long_corners)
{
	static const uint32_t wdogs[3] = { 0xFFFFFFFFu, 0xAAAAAAAAu, 0x55555555u };
	static const uint32_t pcs[4] = { 0xFFFFu, 0xAAAAu, 0x5555u, 0x8000u };
	uint32_t status, code, pc, k, i0, i1, want, act = z->cfg.act_depth;
	uint32_t in = win_base(z, "act_in"), out = win_base(z, "act_out");
	uint64_t rng = 0x5EEDC0DEull, n_words;

	soft_reset_now(z);
	/* every LOOP counter from 0 to 0xFFFF and back (C = 0xFFFF: the LOOP runs 0x10000 times) */
	for (k = 0; k < 4; k++) {
		put_instr(z, 0, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, k, 0xFFFFu));
		put_instr(z, 1, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
		i0 = rd(z, "instrs");
		if (run_directed(z, "loop", 0, wdogs[k % 3], 0x10000ull * 8u + 400u, &status, &code, &pc))
			return;
		i1 = rd(z, "instrs");
		want = (0xFFFFu + 2u) & z->counter_mask;
		if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0 || ((i1 - i0) & z->counter_mask) != want)
			fail(z, "directed loop on counter %u (C 0xFFFF): status 0x%x err_code %u, instrs +%u "
			     "(expected halted, 0, +%u)", k, status, code, (i1 - i0) & z->counter_mask, want);
	}
	/* --long: nested LOOPs: counter 0 at pc 0 runs 0x10000 times per pass and counter 1 at pc 1
	 * brings it back 15 times; instrs grows by 16 * 0x10000 + 16 + 1 (about 2^21 busy cycles) */
	if (long_corners) {
		put_instr(z, 0, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, 0, 0xFFFFu));
		put_instr(z, 1, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, 1, 15u));
		put_instr(z, 2, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
		i0 = rd(z, "instrs");
		if (run_directed(z, "nested loop", 0, 0, 16ull * 0x10000u * 4u + 4000u, &status, &code, &pc))
			return;
		i1 = rd(z, "instrs");
		want = (16u * 0x10001u + 1u) & z->counter_mask;
		if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0 || ((i1 - i0) & z->counter_mask) != want)
			fail(z, "directed nested LOOP (0x10000 x 16): status 0x%x err_code %u, instrs +%u "
			     "(expected halted, 0, +%u)", status, code, (i1 - i0) & z->counter_mask, want);
	}
	/* saturations in bulk (isa_tfl): ACCADD of Cols words 0x7FFFFFFF into slot 0, 0x4000 times;
	 * from the second add on every lane saturates (the slot's start value is whatever it held),
	 * so sats grows by between (0x4000 - 2) * Cols and 0x4000 * Cols (docs/isa.md ACCADD); --long */
	if (long_corners && z->cfg.isa_tfl) {
		uint32_t s0, s1, lo = (0x4000u - 2u) * z->cfg.cols, hi = 0x4000u * z->cfg.cols;

		for (k = 0; k < z->cfg.cols; k++)
			raw_access(z, 1, in + 4u * k, 0x7FFFFFFFu, NULL);
		put_instr(z, 0, aimc_instr(AIMC_OP_ACCADD, 0, 0, 0, 0, 0));
		put_instr(z, 1, aimc_instr(AIMC_OP_LOOP, 0, 0, 0, 0, 0x3FFFu));
		put_instr(z, 2, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
		s0 = rd(z, "sats");
		if (run_directed(z, "accadd", 0, 0, 0x4000ull * (8u * z->cfg.cols + 64u), &status, &code, &pc))
			return;
		s1 = (rd(z, "sats") - s0) & z->counter_mask;
		if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0 || s1 < (lo & z->counter_mask) ||
		    s1 > (hi & z->counter_mask))
			fail(z, "directed ACCADD x 0x4000 of 0x7FFFFFFF: status 0x%x err_code %u, sats +%u "
			     "(expected halted, 0, +%u..%u)", status, code, s1, lo, hi);
	}
	/* the PC at high addresses: a JUMP there, and a start there, stop with ADDR_RANGE at it */
	for (k = 0; k < 4; k++) {
		uint32_t t = pcs[k] >= z->cfg.instr_depth ? pcs[k] : z->cfg.instr_depth;

		put_instr(z, 0, aimc_instr(AIMC_OP_JUMP, 0, 0, t, 0, 0));
		if (run_directed(z, "jump", 0, 0, 400u, &status, &code, &pc))
			return;
		if (!(status & AIMC_CSR__STATUS__ERROR_bm) || code != AIMC_CHIP_ERR_ADDR_RANGE || pc != t)
			fail(z, "directed JUMP to 0x%x: status 0x%x err_code %u err_pc 0x%x (expected "
			     "ADDR_RANGE at 0x%x)", t, status, code, pc, t);
		if (run_directed(z, "start", t, 0, 400u, &status, &code, &pc))
			return;
		if (!(status & AIMC_CSR__STATUS__ERROR_bm) || code != AIMC_CHIP_ERR_ADDR_RANGE || pc != t)
			fail(z, "directed start at 0x%x: status 0x%x err_code %u err_pc 0x%x (expected "
			     "ADDR_RANGE at 0x%x)", t, status, code, pc, t);
	}
	/* a COPY of the whole activation buffer, IN to OUT */
	n_words = act;
	for (k = 0; k < n_words; k++)
		raw_access(z, 1, in + 4u * k, (uint32_t)rng_next(&rng), NULL);
	put_instr(z, 0, aimc_instr(AIMC_OP_COPY, 0, AIMC_FLAG_TO_OUT, 0, 0, act & 0xFFFFu));
	put_instr(z, 1, aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0));
	if (run_directed(z, "copy", 0, 0, 8ull * act + 400u, &status, &code, &pc))
		return;
	if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0)
		fail(z, "directed COPY of %u words: status 0x%x err_code %u (expected halted, 0)", act,
		     status, code);
	rng = 0x5EEDC0DEull;
	for (k = 0; k < n_words && z->failures <= MAX_FAIL_PRINT; k++) {
		uint32_t v = 0, e = (uint32_t)rng_next(&rng);

		raw_access(z, 0, out + 4u * k, 0, &v);
		if (v != e)
			fail(z, "directed COPY: act_out word %u reads 0x%08x, act_in had 0x%08x", k, v, e);
	}
	check_bus_err(z, "directed corners");
	/* --long: the bus error count saturates: 0x10002 DECERR accesses past the map, reads and writes */
	for (k = 0; long_corners && k < 0x10002u && z->failures <= MAX_FAIL_PRINT; k++)
		raw_access(z, (int)(k & 1u), 0x00400000u + 4u * (k & 0xFFu), k, NULL);
	if (long_corners)
		check_bus_err(z, "directed bus_err after 0x10002 errors (count held at 0xFFFF)");
	wr(z, "watchdog", 0);
}

/* ---- per-tile corners (--tiles, Verilator; make cov) ----------------------------------------
 * The same directed runs on every tile t of the config, one tile at a time, each result checked
 * against docs/isa.md, docs/numbers.md and docs/registers.md. Operands at the top of each buffer
 * and in the alternating patterns 0x5555 / 0x2AAA masked into range, so that every bit of tile
 * t's buffer addresses, of the boxes the conflict tracker keeps for it and of the PC of its
 * issued command toggles:
 *   run A (program at the end of the instruction buffer: tile commands at PCs up to
 *   instr_depth - 1): three PROGs (weight words 0x5555 and 0x2AAA masked, and the top,
 *   wgt_depth - Rows*Cols/4) each followed by an MVM (IN at 0x2AAA masked, OUT at 0x5555 masked,
 *   IN at the top, act_depth - Rows/4) and a POST (raw into IN, int8 into the top of OUT with the
 *   parameters at the top of the parameter buffer, int8 + relu into IN), a WAIT on the tile after
 *   each, so the tracker's boxes restart; then the saturation corner: an MVM of zeros clears a
 *   slot, an ACCADD of 0x7FFFFFFF words fills it (no saturation), a second one saturates every
 *   column (one per cycle), an accumulating MVM of positive inputs saturates, in each of its
 *   conversion cycles, every ADC lane whose column has positive weights (all lanes at mux
 *   position 0, all but the last at 1: per-cycle saturation counts NumAdc and NumAdc - 1, which
 *   with the ACCADD's 1 set every bit of the count up to log2(NumAdc)), and a raw
 *   POST with b = 1 saturates every column once more. Checked: halted with err_code 0, the POST
 *   outputs (computed here from the weights and inputs written: the ideal config's MVM is the exact
 *   W.x, docs/numbers.md), and the deltas of mvms, sats and of tile t's tile_mvms, tile_reads,
 *   tile_adc, tile_sats (exact), tile_stalls (at least one per MVM with an applied phase),
 *   tile_busy (> 0), with every other tile's counters unchanged;
 *   run B: a POST whose column Cols-1 has the shift S = 0 stops with BAD_PARAM at that POST's PC,
 *   the words before that column's word written, that word not (docs/numbers.md edge cases);
 *   run C (analog crossbar only): PROG with pv_ctrl.enable + stop, budget 0 (verify only) and
 *   tolerance 0 of weights whose row 0 is the negation of the programmed row 0 stops with PV_FAIL
 *   at that PROG's PC, pv_unconv of the tile grows by the cells of row 0 whose level differs
 *   (two per nonzero weight), pv_pulses not at all;
 *   run D: with sat_mode.stop an ACCADD of 0x7FFFFFFF words into that INT32_MAX slot saturates
 *   every column, completes and stops with SATURATION at its PC (sats and tile_sats + Cols).
 * With --long, then all tiles at once: a LOOP of 0x8000 / Rows PROGs per tile (0x8000 programmed
 * rows each), then a LOOP of 0x8000 passes of one accumulating, saturating MVM (one applied phase)
 * per tile, so every tile's row-program, mvms, reads, ADC, saturation, stall and busy counters
 * carry up to bit 15 (checked: prog_rows of tile 0 and the exact deltas of each tile's counters);
 * 0x8000 MVMs per tile, so sized for few tiles (ideal2: 1.8 M cycles; tiny16: 4.9 M). */
#define TL_MAX_COLS 256
#define TL_MAX_ROWS 256

typedef struct tl_cnt {
	uint32_t mvms, sats, t_mvms[16], t_reads[16], t_adc[16], t_sats[16], t_stalls[16], t_busy[16];
} tl_cnt;

/* Read instance t of a per-tile register array (docs/registers.md: stride 4). */
static uint32_t rd_tile(fuzz *z, const char *name, uint32_t t)
{
	uint32_t v = 0;

	raw_access(z, 0, csr_base(z) + need_reg(z, name)->off + 4u * t, 0, &v);
	return v;
}

static void tl_snap(fuzz *z, tl_cnt *c)
{
	uint32_t t;

	c->mvms = rd(z, "mvms");
	c->sats = rd(z, "sats");
	for (t = 0; t < z->cfg.num_tiles && t < 16; t++) {
		c->t_mvms[t] = rd_tile(z, "tile_mvms", t);
		c->t_reads[t] = rd_tile(z, "tile_reads", t);
		c->t_adc[t] = rd_tile(z, "tile_adc", t);
		c->t_sats[t] = rd_tile(z, "tile_sats", t);
		c->t_stalls[t] = rd_tile(z, "tile_stalls", t);
		c->t_busy[t] = rd_tile(z, "tile_busy", t);
	}
}

/* The counters expected to move on tile t (every other tile must stay where it was). */
typedef struct tl_want {
	uint32_t mvms, reads, sats, stalls_min;
} tl_want;

static void tl_check_cnt(fuzz *z, const char *what, const tl_cnt *a, const tl_cnt *b,
			 uint32_t tile_lo, uint32_t tile_hi, const tl_want *w)
{
	uint32_t m = z->counter_mask, t, n = tile_hi - tile_lo + 1u, adc = w->reads * z->cfg.cols;

	if (((b->mvms - a->mvms) & m) != ((n * w->mvms) & m) ||
	    ((b->sats - a->sats) & m) != ((n * w->sats) & m))
		fail(z, "%s: mvms +%u, sats +%u (expected +%u, +%u)", what, (b->mvms - a->mvms) & m,
		     (b->sats - a->sats) & m, (n * w->mvms) & m, (n * w->sats) & m);
	for (t = 0; t < z->cfg.num_tiles && t < 16; t++) {
		uint32_t dm = (b->t_mvms[t] - a->t_mvms[t]) & m, dr = (b->t_reads[t] - a->t_reads[t]) & m;
		uint32_t da = (b->t_adc[t] - a->t_adc[t]) & m, ds = (b->t_sats[t] - a->t_sats[t]) & m;
		uint32_t dst = (b->t_stalls[t] - a->t_stalls[t]) & m, db = (b->t_busy[t] - a->t_busy[t]) & m;

		if (t >= tile_lo && t <= tile_hi) {
			if (dm != (w->mvms & m) || dr != (w->reads & m) || da != (adc & m) ||
			    ds != (w->sats & m) || dst < w->stalls_min || db == 0)
				fail(z, "%s: tile %u counters +%u mvms, +%u reads, +%u adc, +%u sats, +%u "
				     "stalls, +%u busy (expected +%u, +%u, +%u, +%u, >= %u, > 0)", what, t,
				     dm, dr, da, ds, dst, db, w->mvms & m, w->reads & m, adc & m,
				     w->sats & m, w->stalls_min);
		} else if (dm || dr || da || ds || dst || db) {
			fail(z, "%s: tile %u, which had no command, counted +%u mvms, +%u reads, +%u adc, "
			     "+%u sats, +%u stalls, +%u busy", what, t, dm, dr, da, ds, dst, db);
		}
	}
}

/* An address with the bits of `pattern` in the range of `depth` words, moved down so that
 * `span` words fit. */
static uint32_t tl_pat(uint32_t pattern, uint32_t depth, uint32_t span)
{
	uint32_t mask = 1, a;

	while (mask < depth)
		mask <<= 1;
	a = pattern & (mask - 1u);
	return a + span > depth ? depth - span : a;
}

static void tl_put(fuzz *z, uint32_t base, uint32_t word, uint32_t v)
{
	raw_access(z, 1, base + 4u * word, v, NULL);
}

static uint32_t tl_get(fuzz *z, uint32_t base, uint32_t word)
{
	uint32_t v = 0;

	raw_access(z, 0, base + 4u * word, 0, &v);
	return v;
}

/* int8 bytes, 4 per word, byte i in bits [8(i%4)+7 : 8(i%4)] of word i/4 (docs/isa.md). */
static void tl_put_bytes(fuzz *z, uint32_t base, uint32_t word, const int8_t *v, uint32_t n)
{
	uint32_t i, w = 0;

	for (i = 0; i < n; i++) {
		w |= (uint32_t)(uint8_t)v[i] << (8u * (i % 4u));
		if (i % 4u == 3u || i + 1u == n) {
			tl_put(z, base, word + i / 4u, w);
			w = 0;
		}
	}
}

static int32_t tl_sat32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Arithmetic shift right of a signed value (floor division by 2^s), written without relying on
 * the implementation-defined >> of negative values. */
static int64_t tl_asr(int64_t v, unsigned s)
{
	return v >= 0 ? v >> s : -(int64_t)(((uint64_t)(-(v + 1)) >> s)) - 1;
}

/* The int8 POST of docs/numbers.md ("Post-processing"), written here from that text. */
static int8_t tl_post8(int32_t acc, int32_t b, int32_t mult, uint32_t s, int relu)
{
	int64_t t = tl_sat32((int64_t)acc + b), q = tl_asr(t * (int64_t)mult + ((int64_t)1 << (s - 1u)), s);

	if (relu && q < 0)
		q = 0;
	return (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
}

/* acc[c] = sum_r w[r][c] x[r]: the ideal config's MVM with adc_shift 0 (docs/numbers.md: exact). */
static void tl_mvm(const aimc_cfg *cfg, const int8_t *w, const int8_t *x, int64_t *acc)
{
	uint32_t r, c;

	for (c = 0; c < cfg->cols; c++) {
		acc[c] = 0;
		for (r = 0; r < cfg->rows; r++)
			acc[c] += (int64_t)w[r * cfg->cols + c] * x[r];
	}
}

/* Applied phases of an MVM of x (docs/numbers.md "One MVM"): (slice, sign) with an active row. */
static uint32_t tl_phases(const aimc_cfg *cfg, const int8_t *x)
{
	uint32_t ns = (8u + cfg->dac_bits - 1u) / cfg->dac_bits, mask = (1u << cfg->dac_bits) - 1u;
	uint32_t s, ph, r, n = 0;

	for (s = 0; s < ns; s++)
		for (ph = 0; ph < 2; ph++)
			for (r = 0; r < cfg->rows; r++) {
				int v = x[r];
				uint32_t mag = (uint32_t)(v < 0 ? -v : v);

				if (((ph == 0 && v > 0) || (ph == 1 && v < 0)) &&
				    ((mag >> (s * cfg->dac_bits)) & mask) != 0) {
					n++;
					break;
				}
			}
	return n;
}

/* The layout of one tile's runs: word addresses in each buffer (checked apart and in range). */
typedef struct tl_map {
	uint32_t wa[3], wpv;                       /* weight words of the three PROGs and the PV one */
	uint32_t x[3], xs, xz, xl, acc1, d1, d3, ds, db; /* IN words */
	uint32_t x2out, d2out, acc2out;            /* OUT words */
	uint32_t p[3], ps, pb;                     /* parameter words */
} tl_map;

typedef struct tl_span {
	int space;                                 /* 0 weight, 1 IN, 2 OUT, 3 param */
	uint32_t lo, n;
	const char *name;
} tl_span;

/* 0, or -1 with a message naming the two spans when the layout does not fit this config (a
 * usage error: the corners are written for configs like tiny16). */
static int tl_layout(const aimc_cfg *cfg, tl_map *m, char *err, size_t errlen)
{
	static const char *const space[4] = { "weight", "act_in", "act_out", "param" };
	uint32_t R = cfg->rows, C = cfg->cols, pw = R * C / 4u, xw = R / 4u, pp = 3u * C, i, j;
	uint32_t ad = cfg->act_depth, pd = cfg->par_depth, wd = cfg->wgt_depth;

	if (R % 4u || C % 4u || R > TL_MAX_ROWS || C > TL_MAX_COLS || cfg->weight_slices != 1 ||
	    !cfg->isa_tfl || cfg->num_tiles > 16) {
		snprintf(err, errlen, "--tiles: config %s needs rows and cols multiples of 4 (at most %u), "
			 "weight_slices 1, isa_tfl 1", cfg->name, TL_MAX_ROWS);
		return -1;
	}
	m->wa[0] = tl_pat(0x5555u, wd, pw);
	m->wa[1] = tl_pat(0x2AAAu, wd, pw);
	m->wa[2] = wd - pw;
	m->wpv = 2u * pw;
	m->x[0] = tl_pat(0x2AAAu, ad, xw);
	m->x[2] = ad - xw;
	m->acc1 = ad - xw - C;
	m->d1 = tl_pat(0x5555u, ad, C);
	m->xs = 0x40u;
	m->xz = m->xs + xw;
	m->xl = m->xz + xw;
	m->d3 = m->xl + xw;
	m->ds = m->d3 + C / 4u;
	m->db = m->ds + C;
	m->x2out = tl_pat(0x5555u, ad, xw);
	m->d2out = ad - C / 4u;
	m->acc2out = tl_pat(0x2AAAu, ad, C);
	m->p[0] = tl_pat(0x5555u, pd, pp);
	m->p[1] = pd - pp;
	m->p[2] = tl_pat(0x2AAAu, pd, pp);
	m->ps = 0;
	m->pb = pp;
	{
		const tl_span s[] = {
			{ 0, m->wa[0], pw, "PROG 1 weights" }, { 0, m->wa[1], pw, "PROG 2 weights" },
			{ 0, m->wa[2], pw, "PROG 3 weights" }, { 0, m->wpv, pw, "PV weights" },
			{ 1, m->x[0], xw, "MVM 1 input" }, { 1, m->x[2], xw, "MVM 3 input" },
			{ 1, m->acc1, C, "ACCADD 1 words" }, { 1, m->d1, C, "raw POST output" },
			{ 1, m->xs, xw, "saturating MVM input" }, { 1, m->xz, xw, "zero input" },
			{ 1, m->xl, xw, "--long MVM input" }, { 1, m->d3, C / 4u, "relu POST output" },
			{ 1, m->ds, C, "saturated slot output" }, { 1, m->db, C / 4u, "BAD_PARAM output" },
			{ 2, m->x2out, xw, "MVM 2 input" }, { 2, m->d2out, C / 4u, "POST 2 output" },
			{ 2, m->acc2out, C, "ACCADD 2 words" }, { 3, m->p[0], pp, "POST 1 parameters" },
			{ 3, m->p[1], pp, "POST 2 parameters" }, { 3, m->p[2], pp, "POST 3 parameters" },
			{ 3, m->ps, pp, "b = 1 parameters" }, { 3, m->pb, pp, "BAD_PARAM parameters" },
		};
		const uint32_t n = (uint32_t)(sizeof(s) / sizeof(s[0]));

		for (i = 0; i < n; i++) {
			uint32_t depth = s[i].space == 0 ? wd : s[i].space == 3 ? pd : ad;

			if (s[i].lo + s[i].n > depth) {
				snprintf(err, errlen, "--tiles: config %s: the %s (%s words %u..%u) do not fit "
					 "its depth %u", cfg->name, s[i].name, space[s[i].space], s[i].lo,
					 s[i].lo + s[i].n - 1u, depth);
				return -1;
			}
			for (j = 0; j < i; j++)
				if (s[j].space == s[i].space && s[i].lo < s[j].lo + s[j].n &&
				    s[j].lo < s[i].lo + s[i].n) {
					snprintf(err, errlen, "--tiles: config %s: the %s and the %s overlap "
						 "(%s words %u and %u); written for configs like tiny16", cfg->name,
						 s[j].name, s[i].name, space[s[i].space], s[j].lo, s[i].lo);
					return -1;
				}
		}
	}
	return 0;
}

/* Write program p[0..n) at pc0 and run it with sat_mode sat; 0 with status, err_code and
 * err_pc, or -1. */
static int tl_run(fuzz *z, const char *what, uint32_t pc0, const uint64_t *p, uint32_t n,
		  uint32_t sat, uint64_t budget, uint32_t *status, uint32_t *code, uint32_t *pc)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		put_instr(z, pc0 + i, p[i]);
	return run_directed_sat(z, what, pc0, 0, sat, budget, status, code, pc);
}

static void op_tiles(fuzz *z, int long_corners)
{
	const aimc_cfg *cfg = &z->cfg;
	uint32_t R = cfg->rows, C = cfg->cols, NT = cfg->num_tiles, cpa = cfg->cols_per_adc;
	uint32_t na = C / cpa, npos = 0, pw = R * C / 4u, slots = cfg->acc_slots;
	uint32_t s1 = slots - 1u, s2 = 0xAu % slots, s3 = 0x5u % slots, ss = 0, sb = 0x3u % slots;
	uint32_t wb = win_base(z, "weight"), pb = win_base(z, "param"), in = win_base(z, "act_in");
	uint32_t out = win_base(z, "act_out"), status, code, pc, t, i, c, k;
	static int8_t w[4][TL_MAX_ROWS * TL_MAX_COLS];
	int8_t x[3][TL_MAX_ROWS], xs[TL_MAX_ROWS], xz[TL_MAX_ROWS], xl[TL_MAX_ROWS], y[TL_MAX_COLS];
	int32_t b[3][TL_MAX_COLS], mult[3][TL_MAX_COLS];
	uint32_t sh[3][TL_MAX_COLS];
	int pos[TL_MAX_COLS];
	int64_t acc[TL_MAX_COLS];
	uint64_t rng = z->rng ^ 0x7115C0DEull, prog[64];
	uint32_t sent = 0xA5A5A5A5u, cb = C - 1u;
	tl_map m;
	char what[160];

	soft_reset_now(z);
	/* the settings the runs assume: one-shot PROG, the config's settle time */
	wr(z, "pv_ctrl", 0x20u << AIMC_CSR__PV_CTRL__BUDGET_bp);
	wr(z, "pv_tol", 0x28Fu);
	wr(z, "settle", cfg->settle_cycles);
	if (tl_layout(cfg, &m, what, sizeof(what)) != 0) { /* main checked it: not reached */
		fail(z, "%s", what);
		return;
	}
	/* weights: w[0] and w[1] random; w[2] (the top) positive in the columns of the saturation corner
	 * (mux position 0 of every ADC lane, position 1 of all lanes but the last), zero in the
	 * others; the PV weights are w[2] with row 0 negated */
	for (c = 0; c < C; c++) {
		uint32_t g = c % cpa, lane = c / cpa;

		pos[c] = g == 0 || (g == 1 && lane + 1u < na);
		npos += (uint32_t)pos[c];
	}
	for (i = 0; i < R * C; i++) {
		w[0][i] = (int8_t)((int)rng_below(&rng, 255) - 127);
		w[1][i] = (int8_t)((int)rng_below(&rng, 255) - 127);
		w[2][i] = pos[i % C] ? (int8_t)(1 + rng_below(&rng, 127)) : 0;
		w[3][i] = i < C ? (int8_t)-w[2][i] : w[2][i];
	}
	for (k = 0; k < 3; k++)
		tl_put_bytes(z, wb, m.wa[k], w[k], R * C);
	tl_put_bytes(z, wb, m.wpv, w[3], R * C);
	for (i = 0; i < R; i++) {
		for (k = 0; k < 3; k++)
			x[k][i] = (int8_t)((int)rng_below(&rng, 255) - 127);
		xs[i] = (int8_t)(1 + rng_below(&rng, 127));
		xz[i] = 0;
		xl[i] = i == 1 ? 1 : 0;
	}
	tl_put_bytes(z, in, m.x[0], x[0], R);
	tl_put_bytes(z, out, m.x2out, x[1], R);
	tl_put_bytes(z, in, m.x[2], x[2], R);
	tl_put_bytes(z, in, m.xs, xs, R);
	tl_put_bytes(z, in, m.xz, xz, R);
	tl_put_bytes(z, in, m.xl, xl, R);
	for (c = 0; c < C; c++) {
		tl_put(z, in, m.acc1 + c, 0x7FFFFFFFu);
		tl_put(z, out, m.acc2out + c, 0x7FFFFFFFu);
	}
	/* parameters (b, M, S per column): random, S in [18, 23]; ps: b = 1; pb: the set of p[2]
	 * with S = 0 in column cb */
	for (k = 0; k < 3; k++)
		for (c = 0; c < C; c++) {
			b[k][c] = (int32_t)rng_below(&rng, 20001) - 10000;
			mult[k][c] = (int32_t)(1u + rng_below(&rng, 1024));
			if (rng_below(&rng, 4) == 0)
				mult[k][c] = -mult[k][c];
			sh[k][c] = 18u + rng_below(&rng, 6);
			tl_put(z, pb, m.p[k] + 3u * c, (uint32_t)b[k][c]);
			tl_put(z, pb, m.p[k] + 3u * c + 1u, (uint32_t)mult[k][c]);
			tl_put(z, pb, m.p[k] + 3u * c + 2u, sh[k][c]);
		}
	for (c = 0; c < C; c++) {
		tl_put(z, pb, m.ps + 3u * c, 1u);
		tl_put(z, pb, m.ps + 3u * c + 1u, 1u);
		tl_put(z, pb, m.ps + 3u * c + 2u, 1u);
		tl_put(z, pb, m.pb + 3u * c, (uint32_t)b[2][c]);
		tl_put(z, pb, m.pb + 3u * c + 1u, (uint32_t)mult[2][c]);
		tl_put(z, pb, m.pb + 3u * c + 2u, c == cb ? 0u : sh[2][c]);
	}

	for (t = 0; t < NT && z->failures <= MAX_FAIL_PRINT; t++) {
		uint32_t n = 0, pc0, p_xs = tl_phases(cfg, xs), reads;
		tl_cnt c0, c1;
		tl_want want;

		/* ---- run A: the buffers' corners and the saturation counts ---- */
		for (i = 0; i < C; i++) {
			tl_put(z, in, m.d1 + i, sent);
			tl_put(z, in, m.ds + i, sent);
		}
		for (i = 0; i < C / 4u; i++) {
			tl_put(z, out, m.d2out + i, sent);
			tl_put(z, in, m.d3 + i, sent);
			tl_put(z, in, m.db + i, sent);
		}
		prog[n++] = aimc_instr(AIMC_OP_PROG, t, 0, m.wa[0], 0, 0);
		prog[n++] = aimc_instr(AIMC_OP_MVM, t, 0, m.x[0], s1, 0);
		prog[n++] = aimc_instr(AIMC_OP_POST, t, AIMC_FLAG_RAW, m.d1, s1, m.p[0]);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_PROG, t, 0, m.wa[1], 0, 0);
		prog[n++] = aimc_instr(AIMC_OP_MVM, t, AIMC_FLAG_SRC_OUT, m.x2out, s2, 0);
		prog[n++] = aimc_instr(AIMC_OP_POST, t, AIMC_FLAG_DST_OUT, m.d2out, s2, m.p[1]);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_PROG, t, 0, m.wa[2], 0, 0);
		prog[n++] = aimc_instr(AIMC_OP_MVM, t, 0, m.x[2], s3, 0);
		prog[n++] = aimc_instr(AIMC_OP_POST, t, AIMC_FLAG_RELU, m.d3, s3, m.p[2]);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_MVM, t, 0, m.xz, ss, 0);
		prog[n++] = aimc_instr(AIMC_OP_ACCADD, t, 0, m.acc1, ss, 0);
		prog[n++] = aimc_instr(AIMC_OP_ACCADD, t, AIMC_FLAG_FROM_OUT, m.acc2out, ss, 0);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_MVM, t, AIMC_FLAG_ACC, m.xs, ss, 0);
		prog[n++] = aimc_instr(AIMC_OP_POST, t, AIMC_FLAG_RAW, m.ds, ss, m.ps);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		pc0 = cfg->instr_depth - n;
		tl_snap(z, &c0);
		snprintf(what, sizeof(what), "tiles: tile %u run A (PROG/MVM/POST/ACCADD at pc 0x%x)", t, pc0);
		if (tl_run(z, what, pc0, prog, n, 0, 20000u + 40u * pw, &status, &code, &pc))
			return;
		tl_snap(z, &c1);
		if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0)
			fail(z, "%s: status 0x%x err_code %u err_pc 0x%x (expected halted, 0)", what, status,
			     code, pc);
		reads = tl_phases(cfg, x[0]) + tl_phases(cfg, x[1]) + tl_phases(cfg, x[2]) + p_xs;
		want.mvms = 5;
		want.reads = reads;
		want.sats = C + p_xs * npos + C;
		want.stalls_min = (tl_phases(cfg, x[0]) != 0) + (tl_phases(cfg, x[1]) != 0) +
				  (tl_phases(cfg, x[2]) != 0) + (p_xs != 0);
		tl_check_cnt(z, what, &c0, &c1, t, t, &want);
		/* the raw POST of w[0].x[0] (b of p[0]) */
		tl_mvm(cfg, w[0], x[0], acc);
		for (c = 0; c < C; c++) {
			uint32_t v = tl_get(z, in, m.d1 + c), e = (uint32_t)tl_sat32(acc[c] + b[0][c]);

			if (v != e) {
				fail(z, "%s: raw POST column %u (IN word 0x%x) reads 0x%08x, expected 0x%08x",
				     what, c, m.d1 + c, v, e);
				break;
			}
		}
		/* the int8 POSTs: w[1].x[1] into the top of OUT, w[2].x[2] with relu into IN */
		for (k = 1; k < 3; k++) {
			uint32_t base = k == 1 ? out : in, wd0 = k == 1 ? m.d2out : m.d3;

			tl_mvm(cfg, w[k], x[k], acc);
			for (c = 0; c < C; c++)
				y[c] = tl_post8(tl_sat32(acc[c]), b[k][c], mult[k][c], sh[k][c], k == 2);
			for (i = 0; i < C / 4u; i++) {
				uint32_t v = tl_get(z, base, wd0 + i), e = 0;

				for (c = 0; c < 4u; c++)
					e |= (uint32_t)(uint8_t)y[4u * i + c] << (8u * c);
				if (v != e) {
					fail(z, "%s: int8 POST %u word %u (%s word 0x%x) reads 0x%08x, expected "
					     "0x%08x", what, k, i, k == 1 ? "OUT" : "IN", wd0 + i, v, e);
					break;
				}
			}
		}
		/* the saturated slot: every column INT32_MAX */
		for (c = 0; c < C; c++) {
			uint32_t v = tl_get(z, in, m.ds + c);

			if (v != 0x7FFFFFFFu) {
				fail(z, "%s: saturated slot, raw POST column %u reads 0x%08x, expected "
				     "0x7fffffff", what, c, v);
				break;
			}
		}

		/* ---- run B: BAD_PARAM (S = 0 in column cb) ---- */
		n = 0;
		prog[n++] = aimc_instr(AIMC_OP_MVM, t, 0, m.x[2], sb, 0);
		prog[n++] = aimc_instr(AIMC_OP_POST, t, 0, m.db, sb, m.pb);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		pc0 = tl_pat(0x5555u, cfg->instr_depth, n + 1u) - 1u;
		snprintf(what, sizeof(what), "tiles: tile %u run B (POST with S = 0 at pc 0x%x)", t, pc0 + 1u);
		if (tl_run(z, what, pc0, prog, n, 0, 4000u, &status, &code, &pc))
			return;
		if (!(status & AIMC_CSR__STATUS__ERROR_bm) || code != AIMC_CHIP_ERR_BAD_PARAM || pc != pc0 + 1u)
			fail(z, "%s: status 0x%x err_code %u err_pc 0x%x (expected BAD_PARAM at 0x%x)", what,
			     status, code, pc, pc0 + 1u);
		tl_mvm(cfg, w[2], x[2], acc);
		for (i = 0; i < C / 4u; i++) {
			uint32_t v = tl_get(z, in, m.db + i), e = 0;

			for (c = 0; c < 4u; c++)
				e |= (uint32_t)(uint8_t)tl_post8(tl_sat32(acc[4u * i + c]), b[2][4u * i + c],
								 mult[2][4u * i + c], sh[2][4u * i + c], 0)
				     << (8u * c);
			if (i >= cb / 4u)
				e = sent;
			if (v != e)
				fail(z, "%s: output word %u reads 0x%08x, expected 0x%08x (%s)", what, i, v, e,
				     i >= cb / 4u ? "not written: it holds the bad column or follows it"
						  : "written before the bad column");
		}

		/* ---- run C: PV_FAIL (verify only, tolerance 0, row 0 negated) ---- */
		if (cfg->xbar_impl != 1) {
			uint32_t u0, u1, q0, q1, nz = 0;

			for (c = 0; c < C; c++)
				nz += w[2][c] != 0;
			n = 0;
			prog[n++] = aimc_instr(AIMC_OP_PROG, t, 0, m.wpv, 0, 0);
			prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
			prog[n++] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
			pc0 = tl_pat(0x2AAAu, cfg->instr_depth, n) | (cfg->instr_depth / 2u);
			if (pc0 + n > cfg->instr_depth)
				pc0 = cfg->instr_depth - n;
			wr(z, "pv_sel", t);
			u0 = rd(z, "pv_unconv");
			q0 = rd(z, "pv_pulses");
			wr(z, "pv_ctrl", AIMC_CSR__PV_CTRL__ENABLE_bm | AIMC_CSR__PV_CTRL__STOP_bm);
			wr(z, "pv_tol", 0);
			snprintf(what, sizeof(what), "tiles: tile %u run C (PROG with PV, budget 0, at pc 0x%x)",
				 t, pc0);
			if (tl_run(z, what, pc0, prog, n, 0, 4000u + 8u * pw, &status, &code, &pc))
				return;
			wr(z, "pv_ctrl", 0x20u << AIMC_CSR__PV_CTRL__BUDGET_bp);
			wr(z, "pv_tol", 0x28Fu);
			u1 = rd(z, "pv_unconv");
			q1 = rd(z, "pv_pulses");
			if (!(status & AIMC_CSR__STATUS__ERROR_bm) || code != AIMC_CHIP_ERR_PV_FAIL || pc != pc0 ||
			    ((u1 - u0) & z->counter_mask) != 2u * nz || q1 != q0)
				fail(z, "%s: status 0x%x err_code %u err_pc 0x%x, pv_unconv +%u, pv_pulses +%u "
				     "(expected PV_FAIL at 0x%x, +%u, +0)", what, status, code, pc,
				     (u1 - u0) & z->counter_mask, q1 - q0, pc0, 2u * nz);
		}

		/* ---- run D: SATURATION (sat_mode.stop; an ACCADD of 0x7FFFFFFF words into the slot
		 * run A left at INT32_MAX saturates every column and completes, then stops) ---- */
		n = 0;
		prog[n++] = aimc_instr(AIMC_OP_ACCADD, t, 0, m.acc1, ss, 0);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, 1u << t);
		prog[n++] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		pc0 = cfg->instr_depth / 2u;
		snprintf(what, sizeof(what), "tiles: tile %u run D (ACCADD with sat_mode.stop at pc 0x%x)",
			 t, pc0);
		tl_snap(z, &c0);
		if (tl_run(z, what, pc0, prog, n, AIMC_CSR__SAT_MODE__STOP_bm, 4000u, &status, &code, &pc))
			return;
		wr(z, "sat_mode", 0);
		tl_snap(z, &c1);
		if (!(status & AIMC_CSR__STATUS__ERROR_bm) || code != AIMC_CHIP_ERR_SATURATION || pc != pc0)
			fail(z, "%s: status 0x%x err_code %u err_pc 0x%x (expected SATURATION at 0x%x)", what,
			     status, code, pc, pc0);
		want.mvms = 0;
		want.reads = 0;
		want.sats = C;
		want.stalls_min = 0;
		tl_check_cnt(z, what, &c0, &c1, t, t, &want);
	}

	/* ---- --long: every tile at once, 0x8000 programmed rows and 0x8000 saturating MVMs each ---- */
	if (long_corners && z->failures <= MAX_FAIL_PRINT) {
		const uint32_t passes = 0x8000u, pprog = (0x8000u + R - 1u) / R;
		uint32_t n = 0, pc0 = cfg->instr_depth - (2u * NT + 4u), pc1 = pc0 + NT + 1u, r0, r1;
		tl_cnt c0, c1;
		tl_want want;

		for (t = 0; t < NT; t++)
			prog[n++] = aimc_instr(AIMC_OP_PROG, t, 0, m.wa[2], 0, 0);
		prog[n++] = aimc_instr(AIMC_OP_LOOP, 0, 0, pc0, 1, pprog - 1u);
		for (t = 0; t < NT; t++)
			prog[n++] = aimc_instr(AIMC_OP_MVM, t, AIMC_FLAG_ACC, m.xl, ss, 0);
		prog[n++] = aimc_instr(AIMC_OP_LOOP, 0, 0, pc1, 0, passes - 1u);
		prog[n++] = aimc_instr(AIMC_OP_WAIT, 0, 0, 0, 0, (1u << NT) - 1u);
		prog[n++] = aimc_instr(AIMC_OP_HALT, 0, 0, 0, 0, 0);
		tl_snap(z, &c0);
		r0 = rd(z, "prog_rows");
		snprintf(what, sizeof(what), "tiles --long: 0x%x PROGs and 0x%x MVMs on each of %u tiles",
			 pprog, passes, NT);
		if (tl_run(z, what, pc0, prog, n, 0, (uint64_t)passes * (NT * 16u + 200u) +
			   (uint64_t)pprog * NT * (pw + 16u), &status, &code, &pc))
			return;
		tl_snap(z, &c1);
		r1 = rd(z, "prog_rows");
		if (!(status & AIMC_CSR__STATUS__HALTED_bm) || code != 0 ||
		    ((r1 - r0) & z->counter_mask) != ((pprog * R) & z->counter_mask))
			fail(z, "%s: status 0x%x err_code %u err_pc 0x%x, prog_rows (tile 0) +%u (expected "
			     "halted, 0, +%u)", what, status, code, pc, (r1 - r0) & z->counter_mask,
			     (pprog * R) & z->counter_mask);
		want.mvms = passes;
		want.reads = passes * tl_phases(cfg, xl);
		want.sats = want.reads * npos;
		want.stalls_min = passes;
		tl_check_cnt(z, what, &c0, &c1, 0, NT - 1u, &want);
	}
	check_bus_err(z, "per-tile corners");
}

/* ---- main ---------------------------------------------------------------------------------- */
static void usage(void)
{
	printf("usage: bus-fuzz --config CFG [--seed N] [--sequences N] [--ops N] [--backend B]\n"
	       "                [--regs-doc FILE] [--report FILE] [--digest FILE] [--directed]\n"
	       "                [--tiles] [--long]\n\n"
	       "Seeded random CSR / memory / out-of-range / misaligned accesses, random programs\n"
	       "under the watchdog, soft resets (also in flight) and hard resets (the reset pin, in\n"
	       "flight; Verilator), and after each sequence a random FC\n"
	       "layer compared bit for bit with aimc_net_forward (tests/system/bus_fuzz.c).\n"
	       "  --backend verilator (default) | cmodel (bus checks only: no programs, no timing)\n"
	       "  --regs-doc docs/registers.md (default): the documented map the answers come from\n"
	       "  --report FILE: JSON counts; --digest FILE: the run's signature (trace-format lines)\n"
	       "  --carry K: after the sequences, the carry corners (Verilator; make cov: K = 15): k of\n"
	       "    NumAdc lanes saturating in one MVM cycle, then 2^K MVMs, PROG rows and 2^(K+1)\n"
	       "    program-and-verify pulses and unconverged cells per tile (tiles 0 and 1); alone\n"
	       "    (no --directed) also on a config that is not ideal, without the sequences\n"
	       "  --directed: after the sequences, the directed corners (Verilator: LOOP counters to\n"
	       "    0xFFFF, PC and err_pc at high addresses, full-width watchdog, whole-buffer COPY)\n"
	       "  --long: with --directed, the long corners too (make cov): nested LOOPs past 2^21\n"
	       "    busy cycles, 0x4000 saturating ACCADDs, the bus error count saturated at 0xFFFF\n"
	       "  --tiles: after those, the per-tile corners on every tile (Verilator): PROG, MVM,\n"
	       "    POST and ACCADD at the top of each buffer and in 0x5555 / 0x2AAA patterns, issued\n"
	       "    from high PCs; per-cycle saturation counts 1, NumAdc - 1 and NumAdc; BAD_PARAM,\n"
	       "    PV_FAIL and SATURATION on each tile; outputs, err_code, err_pc and counter deltas\n"
	       "    checked. With --long also 0x8000 programmed rows and 0x8000 saturating MVMs on\n"
	       "    every tile at once (per-tile counters past bit 15)\n"
	       "The config must be ideal (the layer is compared with aimc_net_forward).\n"
	       "Exit: 0 pass, 1 an invariant failed, 2 usage or input error.\n");
}

static int parse_u64(const char *flag, const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9') {
		fprintf(stderr, "bus-fuzz: %s needs a non-negative integer, got '%s'\n", flag,
			s ? s : "");
		return -1;
	}
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max) {
		fprintf(stderr, "bus-fuzz: %s: '%s' is not an integer in 0..%llu\n", flag, s,
			(unsigned long long)max);
		return -1;
	}
	*v = x;
	return 0;
}

static int write_report(const fuzz *z, const char *path, uint64_t seed, uint64_t cycles, double secs)
{
	char tmp[1200];
	FILE *f;
	int i, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "bus-fuzz: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "{\"config\": \"%s\", \"backend\": \"%s\", \"seed\": %" PRIu64 ", "
		"\"sequences\": %" PRIu64 ", \"cycles\": %" PRIu64 ", \"seconds\": %.1f, "
		"\"bus_accesses\": %" PRIu64 ", \"error_responses\": %" PRIu64 ", \"decerr\": %" PRIu64
		", \"slverr\": %" PRIu64 ", \"driver_refusals\": %" PRIu64 ", \"instr_words\": %" PRIu64
		", \"programs\": %" PRIu64 ", \"programs_halted\": %" PRIu64 ", \"programs_error\": %"
		PRIu64 ", \"watchdog_stops\": %" PRIu64 ", \"soft_resets\": %" PRIu64
		", \"inflight_resets\": %" PRIu64 ", \"layer_resets\": %" PRIu64 ", \"hard_resets\": %"
		PRIu64 ", \"inflight_hard_resets\": %" PRIu64 ", \"layer_hard_resets\": %" PRIu64
		", \"resets\": %" PRIu64 ", \"partial_strobe_writes\": %" PRIu64 ", \"layers\": %"
		PRIu64 ", \"err_codes\": [",
		z->cfg.name, z->vl ? "verilator" : "cmodel", seed, z->seqs_done, cycles, secs, z->accesses,
		z->err_accesses, z->decerr, z->slverr, z->driver_refusals, z->instr_words, z->programs,
		z->prog_halt, z->prog_error, z->watchdog_stops, z->soft_resets, z->inflight_resets,
		z->layer_resets, z->hard_resets, z->inflight_hard_resets, z->layer_hard_resets,
		z->soft_resets + z->hard_resets, z->strobe_writes, z->layers);
	for (i = 0; i < 16; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", z->err_codes[i]);
	fprintf(f, "], \"failures\": %" PRIu64 ", \"rerun\": \"%s\"}\n", z->failures, z->cmdline);
	ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "bus-fuzz: cannot write %s: %s\n", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

/* The run's signature in the trace format of docs/trace-format.md (read lines), for the nightly
 * regression's signature check: the access digest and the total cycle count. */
static int write_digest(const fuzz *z, const char *path, uint64_t cycles)
{
	char tmp[1200];
	FILE *f;
	int ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "bus-fuzz: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "# bus-fuzz signature: FNV-1a of every access (kind, address, data, response), "
		"then the cycles\nR 00000000 %08x\nR 00000004 %08x\nR 00000008 %08x\n"
		"R 0000000c %08x\n", (uint32_t)z->dig.h, (uint32_t)(z->dig.h >> 32), (uint32_t)cycles,
		(uint32_t)(cycles >> 32));
	ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "bus-fuzz: cannot write %s: %s\n", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static fuzz z;
	const char *config = NULL, *report = NULL, *digest = NULL, *regs_doc = "docs/registers.md",
		   *backend = "verilator";
	uint64_t seed = 1, sequences = 20, ops = 300, s, cycles;
	char err[512];
	uint64_t carry_k = 0; /* --carry K: 0 off */
	struct timespec t0, t1;
	int i, rc, directed = 0, long_corners = 0, tiles = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage();
			return 0;
		}
		if (strcmp(a, "--directed") == 0) {
			directed = 1;
			continue;
		}
		if (strcmp(a, "--long") == 0) {
			long_corners = 1;
			continue;
		}
		if (strcmp(a, "--tiles") == 0) {
			tiles = 1;
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "bus-fuzz: %s needs a value (see --help)\n", a);
			return 2;
		}
		if (strcmp(a, "--config") == 0)
			config = v;
		else if (strcmp(a, "--report") == 0)
			report = v;
		else if (strcmp(a, "--digest") == 0)
			digest = v;
		else if (strcmp(a, "--regs-doc") == 0)
			regs_doc = v;
		else if (strcmp(a, "--backend") == 0)
			backend = v;
		else if (strcmp(a, "--seed") == 0) {
			if (parse_u64(a, v, UINT64_MAX, &seed) != 0)
				return 2;
		} else if (strcmp(a, "--sequences") == 0) {
			if (parse_u64(a, v, 1000000, &sequences) != 0 || sequences == 0)
				return fprintf(stderr, "bus-fuzz: --sequences must be 1..1000000\n"), 2;
		} else if (strcmp(a, "--ops") == 0) {
			if (parse_u64(a, v, 1000000, &ops) != 0)
				return 2;
		} else if (strcmp(a, "--carry") == 0) {
			if (parse_u64(a, v, 16, &carry_k) != 0 || carry_k == 0)
				return fprintf(stderr, "bus-fuzz: --carry must be 1..16\n"), 2;
		} else {
			fprintf(stderr, "bus-fuzz: unknown flag '%s' (see --help)\n", a);
			return 2;
		}
		i++;
	}
	if (config == NULL) {
		fprintf(stderr, "bus-fuzz: --config is required (see --help)\n");
		return 2;
	}
	if (strcmp(backend, "verilator") != 0 && strcmp(backend, "cmodel") != 0) {
		fprintf(stderr, "bus-fuzz: --backend '%s': verilator or cmodel\n", backend);
		return 2;
	}
	if (aimc_cfg_load_in(&z.cfg, config, getenv("AIMC_ROOT"), err, sizeof(err)) != 0) {
		fprintf(stderr, "bus-fuzz: %s\n", err);
		return 2;
	}
	if (regmap_load(&z.map, regs_doc, &z.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "bus-fuzz: %s\n", err);
		return 2;
	}
	regmap_twin(&z.map, &z.cfg);
	snprintf(z.cmdline, sizeof(z.cmdline),
		 "%s --config %s --backend %s --seed %" PRIu64 " --sequences %" PRIu64 " --ops %" PRIu64 "%s%s%s",
		 argv[0], config, backend, seed, sequences, ops, directed ? " --directed" : "",
		 tiles ? " --tiles" : "", long_corners ? " --long" : "");
	z.vl = strcmp(backend, "verilator") == 0;
	if (tiles && !z.vl) {
		fprintf(stderr, "bus-fuzz: --tiles runs programs and needs --backend verilator\n");
		return 2;
	}
	if (tiles) {
		tl_map m;

		if (tl_layout(&z.cfg, &m, err, sizeof(err)) != 0) {
			fprintf(stderr, "bus-fuzz: %s\n", err);
			return 2;
		}
	}
	if (!aimc_cfg_is_ideal(&z.cfg)) {
		if (carry_k == 0 || directed || tiles || !z.vl) {
			fprintf(stderr, "bus-fuzz: config %s is not ideal: the layer check compares with "
				"aimc_net_forward bit for bit, which needs an ideal config (docs/configs.md); "
				"--carry alone runs on any config (Verilator)\n", z.cfg.name);
			return 2;
		}
		sequences = 0; /* --carry alone: no random sequence (each ends with the layer) */
	}
	z.counter_mask = z.cfg.counter_bits < 32 ? (1u << z.cfg.counter_bits) - 1u : 0xFFFFFFFFu;
	rc = z.vl ? aimc_mmio_open_verilator(&z.dig.inner, &z.cfg, seed, NULL)
		  : aimc_mmio_open_cmodel(&z.dig.inner, &z.cfg, seed);
	if (rc != AIMC_OK) {
		fprintf(stderr, "bus-fuzz: cannot open the %s back-end: %s\n", backend, aimc_strerror(rc));
		return 1;
	}
	z.dig.h = 0xCBF29CE484222325ull;
	z.m.ops = &digest_ops;
	z.m.ctx = &z.dig;
	printf("bus-fuzz: config %s, back-end %s, seed %" PRIu64 ", %" PRIu64 " sequences of %" PRIu64
	       " operations, %u registers and %u windows from %s\n  rerun: %s\n", z.cfg.name, backend,
	       seed, sequences, ops, z.map.n_reg, z.map.n_win, regs_doc, z.cmdline);
	fflush(stdout);
	shadow_reset(&z);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (s = 0; s < sequences && z.failures <= MAX_FAIL_PRINT; s++) {
		uint64_t c0 = cycles_now(&z);

		z.seq = s;
		z.rng = seed * 0x100000001B3ull ^ (s + 1) * 0x9E3779B97F4A7C15ull;
		run_sequence(&z, (uint32_t)ops);
		z.seqs_done++;
		if (sequences <= 100 || s % 50 == 0 || s + 1 == sequences)
			printf("  sequence %" PRIu64 ": %" PRIu64 " cycles; totals: %" PRIu64
			       " accesses, %" PRIu64 " programs, %" PRIu64 " layers, %" PRIu64
			       " failures\n", s, cycles_now(&z) - c0, z.accesses, z.programs, z.layers,
			       z.failures);
	}
	if (carry_k != 0 && z.vl && z.failures <= MAX_FAIL_PRINT)
		op_carry(&z, (uint32_t)carry_k);
	if (directed && z.vl && z.failures <= MAX_FAIL_PRINT) {
		uint64_t c0 = cycles_now(&z);

		op_directed(&z, long_corners);
		printf("  directed corners: %" PRIu64 " cycles, %" PRIu64 " failures\n",
		       cycles_now(&z) - c0, z.failures);
	}
	if (tiles && z.failures <= MAX_FAIL_PRINT) {
		uint64_t c0 = cycles_now(&z);

		op_tiles(&z, long_corners);
		printf("  per-tile corners (%u tiles%s): %" PRIu64 " cycles, %" PRIu64 " failures\n",
		       z.cfg.num_tiles, long_corners ? ", --long" : "", cycles_now(&z) - c0, z.failures);
	}
	cycles = cycles_now(&z);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	aimc_mmio_close(&z.m);
	if (digest != NULL && write_digest(&z, digest, cycles) != 0)
		return 1;
	printf("bus-fuzz: %" PRIu64 " sequences, %" PRIu64 " cycles, %" PRIu64 " bus accesses (%" PRIu64
	       " error responses: %" PRIu64 " DECERR, %" PRIu64 " SLVERR), %" PRIu64
	       " driver refusals, %" PRIu64 " programs (%" PRIu64 " HALT, %" PRIu64 " error stops, %"
	       PRIu64 " WATCHDOG), %" PRIu64 " soft resets (%" PRIu64 " in flight, %" PRIu64
	       " during a layer), %" PRIu64 " hard resets (%" PRIu64 " in flight, %" PRIu64
	       " during a layer), %" PRIu64 " partial-strobe writes, %" PRIu64
	       " layers bit-exact checked\n",
	       z.seqs_done, cycles, z.accesses, z.err_accesses, z.decerr, z.slverr, z.driver_refusals,
	       z.programs, z.prog_halt, z.prog_error, z.watchdog_stops, z.soft_resets,
	       z.inflight_resets, z.layer_resets, z.hard_resets, z.inflight_hard_resets,
	       z.layer_hard_resets, z.strobe_writes, z.layers);
	if (report != NULL &&
	    write_report(&z, report, seed, cycles,
			 (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec)) != 0)
		return 1;
	if (z.failures != 0) {
		printf("bus-fuzz: FAIL, %" PRIu64 " failed checks (seed %" PRIu64 "); rerun: %s\n",
		       z.failures, seed, z.cmdline);
		return 1;
	}
	printf("bus-fuzz: PASS\n");
	return 0;
}
