/* SPDX-License-Identifier: Apache-2.0 */
/* Icarus VPI shim of the crossbar macro: the system functions $aimc_xbar_bind, _program_row,
 * _pulse_row, _verify_row, _verify_bits, _apply, _convert, _sar_sample and _sar_compare (same names and arguments as the DPI-C imports of aimc_xbar_macro.sv),
 * converting arguments for the one model of aimc_sim_model.h. At the start of simulation it reads
 * +aimc_config=<file or name> and +aimc_seed=<decimal> and creates the model; a missing or bad
 * value stops the simulation. Build: iverilog-vpi --name=aimc_vpi; run: vvp -M dir -m aimc_vpi. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vpi_user.h>

#include "aimc_sim_model.h"

#define CONFIG_ARG "+aimc_config="
#define SEED_ARG "+aimc_seed="
#define TIME_ARG "+aimc_time=" /* optional: time since programming (aimc --time), e.g. 1y */

enum shim_fn {
	FN_BIND, FN_PROGRAM_ROW, FN_APPLY, FN_CONVERT, FN_PULSE_ROW, FN_VERIFY_ROW, FN_VERIFY_BITS,
	FN_SAR_SAMPLE, FN_SAR_COMPARE, FN_COUNT
};

/* Packed-vector arguments and their widths. */
enum vec_kind { V_NONE, V_WEIGHTS /* 8·cols */, V_DAC /* rows·dac_bits */, V_CELLS /* 2·cols */ };

#define MAX_ARGS 7

static const struct {
	const char *name;
	int nargs;
	unsigned char vec[MAX_ARGS]; /* enum vec_kind of each argument */
} fns[FN_COUNT] = {
	[FN_BIND] = {"$aimc_xbar_bind", 7, {0}},
	[FN_PROGRAM_ROW] = {"$aimc_xbar_program_row", 4, {[2] = V_WEIGHTS}},
	[FN_APPLY] = {"$aimc_xbar_apply", 2, {[1] = V_DAC}},
	[FN_CONVERT] = {"$aimc_xbar_convert", 4, {0}},
	[FN_PULSE_ROW] = {"$aimc_xbar_pulse_row", 5, {[2] = V_WEIGHTS, [3] = V_CELLS}},
	[FN_VERIFY_ROW] = {"$aimc_xbar_verify_row", 5, {[2] = V_WEIGHTS}},
	[FN_VERIFY_BITS] = {"$aimc_xbar_verify_bits", 2, {0}},
	[FN_SAR_SAMPLE] = {"$aimc_xbar_sar_sample", 4, {0}},
	[FN_SAR_COMPARE] = {"$aimc_xbar_sar_compare", 4, {0}},
};

static int g_call_sites; /* calls of our functions in the design (counted at compile time) */
/* scratch for the packed vectors of one call: g_vec[0] the weights or DAC codes, g_vec[1] cells */
static uint32_t *g_vec[2];
static size_t g_nvec[2];

/* End the simulation with a failing exit status of vvp (vpip_set_return_value is the Icarus
 * call behind $fatal's exit code). */
static void stop(void)
{
	vpip_set_return_value(1);
	vpi_control(vpiFinish, 1);
}

/* A call-site problem found while loading the design. */
static PLI_INT32 compiletf(PLI_BYTE8 *user)
{
	int fn = (int)(intptr_t)user;
	vpiHandle call = vpi_handle(vpiSysTfCall, NULL);
	vpiHandle it = vpi_iterate(vpiArgument, call);
	int n = 0;

	if (it != NULL)
		while (vpi_scan(it) != NULL)
			n++;
	if (n != fns[fn].nargs) {
		vpi_printf("aimc_vpi: ERROR: %s at %s:%d takes %d arguments, got %d\n", fns[fn].name,
			   vpi_get_str(vpiFile, call), (int)vpi_get(vpiLineNo, call), fns[fn].nargs, n);
		stop();
	}
	g_call_sites++;
	return 0;
}

static PLI_INT32 sizetf(PLI_BYTE8 *user)
{
	(void)user;
	return 32;
}

/* Argument as 32 bits; -1 on X/Z bits or a vector wider than 32 bits. */
static int arg_u32(vpiHandle h, const char *fn, int idx, uint32_t *out)
{
	s_vpi_value v;
	int size = vpi_get(vpiSize, h);

	v.format = vpiVectorVal;
	vpi_get_value(h, &v);
	if (size > 32 || v.value.vector[0].bval != 0) {
		vpi_printf("aimc_vpi: ERROR: %s argument %d is %s\n", fn, idx + 1,
			   size > 32 ? "wider than 32 bits" : "X or Z");
		return -1;
	}
	*out = (uint32_t)v.value.vector[0].aval;
	if (size < 32)
		*out &= (1u << size) - 1u;
	return 0;
}

/* Packed vector argument of exactly `bits` bits into g_vec[slot]; -1 on a size mismatch or X/Z. */
static int arg_vec(vpiHandle h, const char *fn, int idx, uint32_t bits, int slot)
{
	s_vpi_value v;
	int size = vpi_get(vpiSize, h);
	size_t n = ((size_t)bits + 31u) / 32u;

	if (size != (int)bits) {
		vpi_printf("aimc_vpi: ERROR: %s argument %d has %d bits, the model expects %u\n", fn,
			   idx + 1, size, bits);
		return -1;
	}
	if (n > g_nvec[slot]) {
		uint32_t *p = realloc(g_vec[slot], n * sizeof(*p));

		if (p == NULL) {
			vpi_printf("aimc_vpi: ERROR: out of memory\n");
			return -1;
		}
		g_vec[slot] = p;
		g_nvec[slot] = n;
	}
	v.format = vpiVectorVal;
	vpi_get_value(h, &v);
	for (size_t i = 0; i < n; i++) {
		if (v.value.vector[i].bval != 0) {
			vpi_printf("aimc_vpi: ERROR: %s argument %d has X or Z bits\n", fn, idx + 1);
			return -1;
		}
		g_vec[slot][i] = (uint32_t)v.value.vector[i].aval;
	}
	return 0;
}

static void put_int(vpiHandle call, int32_t value)
{
	s_vpi_value v;

	v.format = vpiIntVal;
	v.value.integer = value;
	vpi_put_value(call, &v, NULL, vpiNoDelay);
}

static PLI_INT32 calltf(PLI_BYTE8 *user)
{
	int fn = (int)(intptr_t)user;
	vpiHandle call = vpi_handle(vpiSysTfCall, NULL);
	vpiHandle it = vpi_iterate(vpiArgument, call);
	const aimc_cfg *cfg = aimc_xbar_cfg(aimc_sim_model());
	uint32_t a[MAX_ARGS] = {0};
	int bad = 0, rc;
	int32_t ret;

	for (int i = 0; i < fns[fn].nargs; i++) {
		vpiHandle h = vpi_scan(it);

		if (fns[fn].vec[i] != V_NONE) {
			uint32_t bits;

			if (cfg == NULL)
				continue; /* reported by the model call below */
			bits = fns[fn].vec[i] == V_WEIGHTS ? 8u * cfg->cols :
			       fns[fn].vec[i] == V_CELLS   ? 2u * cfg->cols :
							     cfg->rows * cfg->dac_bits;
			bad |= arg_vec(h, fns[fn].name, i, bits, fns[fn].vec[i] == V_CELLS);
		} else {
			bad |= arg_u32(h, fns[fn].name, i, &a[i]);
		}
	}
	vpi_free_object(it);
	if (bad) {
		put_int(call, fn == FN_CONVERT ? AIMC_SIM_CODE_ERROR : -1);
		return 0;
	}
	switch (fn) {
	case FN_BIND:
		rc = aimc_sim_model_bind(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
		ret = rc;
		break;
	case FN_PROGRAM_ROW:
		rc = aimc_sim_model_program_row(a[0], a[1], g_vec[0], a[3]);
		ret = rc;
		break;
	case FN_APPLY:
		rc = aimc_sim_model_apply(a[0], g_vec[0]);
		ret = rc;
		break;
	case FN_PULSE_ROW:
		rc = aimc_sim_model_pulse_row(a[0], a[1], g_vec[0], g_vec[1], a[4]);
		ret = rc;
		break;
	case FN_VERIFY_ROW:
		ret = aimc_sim_model_verify_row(a[0], a[1], g_vec[0], a[3], a[4]);
		rc = ret < 0 ? -1 : 0;
		break;
	case FN_VERIFY_BITS:
		ret = aimc_sim_model_verify_bits(a[0], a[1]);
		rc = ret < 0 ? -1 : 0;
		break;
	case FN_SAR_SAMPLE:
		rc = aimc_sim_model_sar_sample(a[0], a[1], a[2], a[3]);
		ret = rc;
		break;
	case FN_SAR_COMPARE:
		/* the trial code arrives as a 32-bit int: its bits are the signed value */
		ret = aimc_sim_model_sar_compare(a[0], a[1], (int32_t)a[2], a[3]);
		rc = ret < 0 ? -1 : 0;
		break;
	default:
		ret = aimc_sim_model_convert(a[0], a[1], a[2], a[3]);
		rc = ret == AIMC_SIM_CODE_ERROR ? -1 : 0;
		break;
	}
	if (rc != 0)
		vpi_printf("aimc_vpi: ERROR: %s: %s\n", fns[fn].name, aimc_sim_model_error());
	put_int(call, ret);
	return 0;
}

/* Value of a plusarg "+name=value", or NULL. */
static const char *plusarg(const char *prefix)
{
	s_vpi_vlog_info info;
	size_t n = strlen(prefix);

	if (!vpi_get_vlog_info(&info))
		return NULL;
	for (int i = 0; i < info.argc; i++)
		if (info.argv[i] != NULL && strncmp(info.argv[i], prefix, n) == 0)
			return info.argv[i] + n;
	return NULL;
}

static int parse_seed(const char *s, uint64_t *seed)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*seed = (uint64_t)v;
	return 0;
}

static PLI_INT32 start_of_sim(p_cb_data cb)
{
	const char *cfg = plusarg(CONFIG_ARG), *seed_s = plusarg(SEED_ARG);
	const aimc_cfg *c;
	uint64_t seed;

	(void)cb;
	if (g_call_sites == 0)
		return 0; /* the design does not use the crossbar model */
	if (cfg == NULL || cfg[0] == '\0') {
		vpi_printf("aimc_vpi: ERROR: no crossbar model config: pass %s<file.cfg or name>\n",
			   CONFIG_ARG);
		stop();
		return 0;
	}
	if (parse_seed(seed_s, &seed) != 0) {
		vpi_printf("aimc_vpi: ERROR: %s needs a decimal seed (0 .. 2^64-1), got '%s'\n", SEED_ARG,
			   seed_s == NULL ? "(missing)" : seed_s);
		stop();
		return 0;
	}
	{
		const char *t_s = plusarg(TIME_ARG);
		double t = -1.0;

		if (t_s != NULL && (aimc_cfg_parse_seconds(t_s, &t) != 0 || t < 0.0)) {
			vpi_printf("aimc_vpi: ERROR: %s needs a time (1s, 1h, 1d, 1y, seconds), got '%s'\n",
				   TIME_ARG, t_s);
			stop();
			return 0;
		}
		aimc_sim_model_set_time(t);
	}
	/* the model reads no environment: the shim hands over the tools' variables */
	aimc_sim_model_set_root(getenv("AIMC_ROOT"));
	aimc_sim_model_set_simd(getenv("AIMC_SIMD"));
	if (aimc_sim_model_init(cfg, seed) != 0) {
		vpi_printf("aimc_vpi: ERROR: %s\n", aimc_sim_model_error());
		stop();
		return 0;
	}
	c = aimc_xbar_cfg(aimc_sim_model());
	vpi_printf("aimc_vpi: crossbar model of config '%s' (%s), seed %llu\n", c->name, c->path,
		   (unsigned long long)seed);
	return 0;
}

static PLI_INT32 end_of_sim(p_cb_data cb)
{
	(void)cb;
	aimc_sim_model_shutdown();
	for (int i = 0; i < 2; i++) {
		free(g_vec[i]);
		g_vec[i] = NULL;
		g_nvec[i] = 0;
	}
	return 0;
}

static void register_all(void)
{
	s_cb_data cb;

	for (int i = 0; i < FN_COUNT; i++) {
		s_vpi_systf_data tf;

		memset(&tf, 0, sizeof(tf));
		tf.type = vpiSysFunc;
		tf.sysfunctype = vpiIntFunc;
		tf.tfname = (PLI_BYTE8 *)fns[i].name;
		tf.calltf = calltf;
		tf.compiletf = compiletf;
		tf.sizetf = sizetf;
		tf.user_data = (PLI_BYTE8 *)(intptr_t)i;
		vpi_register_systf(&tf);
	}
	memset(&cb, 0, sizeof(cb));
	cb.reason = cbStartOfSimulation;
	cb.cb_rtn = start_of_sim;
	vpi_register_cb(&cb);
	memset(&cb, 0, sizeof(cb));
	cb.reason = cbEndOfSimulation;
	cb.cb_rtn = end_of_sim;
	vpi_register_cb(&cb);
}

void (*vlog_startup_routines[])(void) = {register_all, NULL};
