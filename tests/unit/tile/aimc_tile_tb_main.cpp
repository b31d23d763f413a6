// SPDX-License-Identifier: Apache-2.0
// Verilator main of the tile bench: creates the crossbar model from +aimc_config / +aimc_seed
// (the VPI shim reads the same plusargs under Icarus), then drives clock and reset.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "Vaimc_tile_tb.h"
#include "verilated.h"

#include "aimc_sim_model.h"

static const char *plusarg(int argc, char **argv, const char *prefix)
{
	size_t n = std::strlen(prefix);

	for (int i = 1; i < argc; i++)
		if (std::strncmp(argv[i], prefix, n) == 0)
			return argv[i] + n;
	return nullptr;
}

int main(int argc, char **argv)
{
	const char *cfg = plusarg(argc, argv, "+aimc_config=");
	const char *seed_s = plusarg(argc, argv, "+aimc_seed=");
	char *end = nullptr;
	unsigned long long seed;

	if (cfg == nullptr || seed_s == nullptr || *seed_s < '0' || *seed_s > '9') {
		std::fprintf(stderr, "aimc_tile_tb: need +aimc_config=<cfg> and +aimc_seed=<decimal>\n");
		return 2;
	}
	errno = 0;
	seed = std::strtoull(seed_s, &end, 10);
	if (errno != 0 || *end != '\0') {
		std::fprintf(stderr, "aimc_tile_tb: bad +aimc_seed '%s'\n", seed_s);
		return 2;
	}
	if (aimc_sim_model_init(cfg, seed) != 0) {
		std::fprintf(stderr, "aimc_tile_tb: %s\n", aimc_sim_model_error());
		return 2;
	}

	auto ctx = std::make_unique<VerilatedContext>();
	ctx->commandArgs(argc, argv);
	auto top = std::make_unique<Vaimc_tile_tb>(ctx.get());
	top->clk_i = 0;
	top->rst_ni = 0;
	for (int i = 0; i < 6 && !ctx->gotFinish(); i++) {
		top->clk_i = !top->clk_i;
		top->eval();
	}
	top->rst_ni = 1;
	while (!ctx->gotFinish()) {
		top->clk_i = !top->clk_i;
		top->eval();
		ctx->timeInc(5);
	}
	top->final();
	aimc_sim_model_shutdown();
	return 0;
}
