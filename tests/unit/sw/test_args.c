/* SPDX-License-Identifier: Apache-2.0 */
/* Every public driver function validates its arguments (issue 6 item 1): NULL pointers, a tile
 * past 15, a zero batch, a back-end of the wrong kind give AIMC_EINVAL (or the documented code)
 * without touching the chip; the mock back-end's log proves no bus access happened. Also: the
 * error table has a distinct, non-empty text per code and a fallback for unknown values. */
#include "aimc.h"
#include "aimc_test.h"

#define EXPECT(call, code)                                                                   \
	do {                                                                                 \
		int rc_ = (call);                                                            \
		report(rc_ == (code), #call, "returned %d, expected %d (%s)", rc_, (code), #code); \
	} while (0)

static void test_strerror(void)
{
	static const int codes[] = {
#define X_CODE(name, val, text) AIMC_##name,
		AIMC_ERRORS(X_CODE)
#undef X_CODE
	};
	size_t i, j, n = sizeof(codes) / sizeof(codes[0]);
	int ok = 1;

	for (i = 0; i < n; i++) {
		const char *t = aimc_strerror(codes[i]);

		if (t == NULL || t[0] == '\0' || strcmp(t, "unknown error") == 0)
			ok = 0;
		for (j = 0; j < i; j++)
			if (strcmp(t, aimc_strerror(codes[j])) == 0)
				ok = 0;
	}
	report(ok, "aimc_strerror: a distinct non-empty text for every code", "");
	report(strcmp(aimc_strerror(12345), "unknown error") == 0 &&
	       strcmp(aimc_strerror(-999), "unknown error") == 0,
	       "aimc_strerror: unknown values give 'unknown error'", "");
}

int main(int argc, char **argv)
{
	aimc_mmio m, m2 = { NULL, NULL }, none = { NULL, NULL };
	aimc_cfg cfg;
	aimc_counters c;
	aimc_bus_err be;
	aimc_net net;
	aimc_image img;
	const aimc_mock_op *ops;
	uint32_t v = 0, w[4] = { 0 }, pu, un;
	uint64_t prog[2] = { 0, 0 }, cyc;
	uint8_t *buf;
	size_t len;
	char err[256];

	parse_args(argc, argv);
	test_strerror();
	aimc_cfg_defaults(&cfg);
	memset(&net, 0, sizeof(net));
	memset(&img, 0, sizeof(img));
	if (aimc_mmio_open_mock(&m) != AIMC_OK) {
		report(0, "open the mock", "");
		return 1;
	}

	/* MMIO shim */
	EXPECT(aimc_mmio_read32(NULL, 0, &v), AIMC_EINVAL);
	EXPECT(aimc_mmio_read32(&m, 0, NULL), AIMC_EINVAL);
	EXPECT(aimc_mmio_read32(&none, 0, &v), AIMC_EINVAL);
	EXPECT(aimc_mmio_write32(NULL, 0, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_write32(&none, 0, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_poll32(NULL, 0, 1, 1, 1, &v), AIMC_EINVAL);
	aimc_mmio_close(NULL);
	aimc_mmio_close(&none);
	report(1, "aimc_mmio_close(NULL) and of an empty handle are harmless", "");

	/* back-ends */
	EXPECT(aimc_mmio_open_mock(NULL), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_cmodel(NULL, &cfg, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_cmodel(&m2, NULL, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_verilator(NULL, &cfg, 1, NULL), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_recorder(NULL, &m, "x", &cfg, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_recorder(&m2, NULL, "x", &cfg, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_recorder(&m2, &m, NULL, &cfg, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_recorder(&m2, &m, "x", NULL, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_replay(NULL, "x"), AIMC_EINVAL);
	EXPECT(aimc_mmio_open_replay(&m2, NULL), AIMC_EINVAL);
	EXPECT(aimc_mmio_replay_cycles(&m, &cyc), AIMC_EINVAL);
	EXPECT(aimc_mmio_replay_cycles(NULL, &cyc), AIMC_EINVAL);
	report(aimc_mmio_replay_error(&m) == NULL && aimc_mmio_replay_error(NULL) == NULL,
	       "aimc_mmio_replay_error: NULL for a non-replay handle", "");
	report(aimc_mmio_mock_log(NULL, &ops) == 0 && ops == NULL,
	       "aimc_mmio_mock_log(NULL) is empty", "");
	EXPECT(aimc_mmio_mock_poke(NULL, 0, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_mock_poke(&m, 2, 1), AIMC_EINVAL);
	EXPECT(aimc_mmio_mock_peek(&m, 0, NULL), AIMC_EINVAL);
	EXPECT(aimc_mmio_mock_fail(NULL, 0), AIMC_EINVAL);

	/* chip control: none of these may touch the bus */
	aimc_mmio_mock_log_clear(&m);
	EXPECT(aimc_chip_init(NULL, &cfg), AIMC_EINVAL);
	EXPECT(aimc_chip_init(&m, NULL), AIMC_EINVAL);
	EXPECT(aimc_chip_pv_setup(NULL, &cfg), AIMC_EINVAL);
	EXPECT(aimc_chip_pv_setup(&m, NULL), AIMC_EINVAL);
	EXPECT(aimc_pv_counters_read(&m, 16, &pu, &un), AIMC_EINVAL);
	EXPECT(aimc_pv_counters_read(&m, 0, NULL, &un), AIMC_EINVAL);
	EXPECT(aimc_pv_counters_read(&m, 0, &pu, NULL), AIMC_EINVAL);
	EXPECT(aimc_mem_write(NULL, 0, 0, w, 1), AIMC_EINVAL);
	EXPECT(aimc_mem_write(&m, 0, 0, NULL, 1), AIMC_EINVAL);
	EXPECT(aimc_mem_read(&m, 0, 0, NULL, 1), AIMC_EINVAL);
	EXPECT(aimc_prog_load(NULL, &cfg, prog, 1), AIMC_EINVAL);
	EXPECT(aimc_prog_load(&m, NULL, prog, 1), AIMC_EINVAL);
	EXPECT(aimc_prog_load(&m, &cfg, NULL, 1), AIMC_EINVAL);
	EXPECT(aimc_run(NULL, 0, 10, NULL, NULL), AIMC_EINVAL);
	EXPECT(aimc_counters_read(NULL, &c), AIMC_EINVAL);
	EXPECT(aimc_counters_read(&m, NULL), AIMC_EINVAL);
	EXPECT(aimc_soft_reset(NULL), AIMC_EINVAL);
	EXPECT(aimc_bus_err_read(NULL, &be, 0), AIMC_EINVAL);
	EXPECT(aimc_bus_err_read(&m, NULL, 0), AIMC_EINVAL);
	aimc_counters_delta(NULL, &c, &c);
	aimc_counters_delta(&c, NULL, &c);
	aimc_counters_delta(&c, &c, NULL);
	report(aimc_mmio_mock_log(&m, &ops) == 0, "no bus access from any rejected call",
	       "%zu accesses logged", aimc_mmio_mock_log(&m, &ops));

	/* network file and compiler */
	EXPECT(aimc_net_load(NULL, "x", err, sizeof(err)), AIMC_EINVAL);
	EXPECT(aimc_net_load(&net, NULL, err, sizeof(err)), AIMC_EINVAL);
	EXPECT(aimc_net_load_mem(&net, NULL, 5, NULL, 0), AIMC_EINVAL);
	EXPECT(aimc_net_to_mem(&net, &buf, &len, err, sizeof(err)), AIMC_EINVAL);
	aimc_net_free(NULL);
	EXPECT(aimc_compile(NULL, &cfg, 1, &img, err, sizeof(err)), AIMC_EINVAL);
	EXPECT(aimc_compile(&net, &cfg, 1, &img, err, sizeof(err)), AIMC_EINVAL);
	aimc_image_free(NULL);
	report(1, "aimc_net_free(NULL), aimc_image_free(NULL) are harmless", "");
	{
		aimc_plan plan;

		EXPECT(aimc_plan_compile(NULL, &cfg, 1, 0, &plan, err, sizeof(err)), AIMC_EINVAL);
		EXPECT(aimc_plan_compile(&net, &cfg, 1, 0, &plan, err, sizeof(err)), AIMC_EINVAL);
		EXPECT(aimc_plan_compile(&net, NULL, 1, 0, &plan, err, sizeof(err)), AIMC_EINVAL);
		EXPECT(aimc_plan_compile(&net, &cfg, 1, 0, NULL, err, sizeof(err)), AIMC_EINVAL);
		aimc_plan_free(NULL);
		aimc_im2col(NULL, NULL, NULL);
		EXPECT(aimc_net_forward(NULL, NULL, 0, NULL), AIMC_EINVAL);
		report(aimc_layer_in_len(NULL) == 0 && aimc_layer_out_len(NULL) == 0 &&
		       aimc_layer_is_conv(NULL) == 0, "layer helpers: NULL gives 0", "");
	}

	aimc_mmio_close(&m);
	return failures ? 1 : 0;
}
