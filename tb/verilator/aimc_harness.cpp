// SPDX-License-Identifier: Apache-2.0
// The Verilator harness of aimc_top: one model in its own context, clock, reset and FST trace.
#include "aimc_harness.h"

#include "Vaimc_top.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include "verilated_cov.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#endif

// Half a clock period in the waveform's time unit.
static constexpr uint64_t kHalfPeriod = 5;

AimcHarness::AimcHarness() : ctx_(new VerilatedContext)
{
#if VM_TRACE
	ctx_->traceEverOn(true);
#endif
	top_.reset(new Vaimc_top(ctx_.get(), "TOP"));
	top_->clk_i = 0;
	top_->rst_ni = 0;
}

AimcHarness::~AimcHarness()
{
	final();
}

bool AimcHarness::traces_compiled()
{
	return VM_TRACE != 0;
}

bool AimcHarness::trace_open(const char *path)
{
#if VM_TRACE
	delete fst_;
	fst_ = new VerilatedFstC;
	top_->trace(fst_, 99);
	fst_->open(path);
	if (!fst_->isOpen()) {
		delete fst_;
		fst_ = nullptr;
		return false;
	}
	return true;
#else
	(void)path;
	return false;
#endif
}

void AimcHarness::dump()
{
#if VM_TRACE
	if (fst_)
		fst_->dump(ctx_->time());
#endif
}

void AimcHarness::eval()
{
	top_->eval();
	fall_pending_ = false;
}

// Without a waveform the falling edge's eval is deferred to the next eval() (the driver's settle
// after it changes the pins) or tick(): no logic of aimc_top is sensitive to the falling clock
// (only the asynchronous resets' falling edges, which the model raises itself), so one eval
// with the clock low and the new pins gives the same state as the two; it saves one of the
// three evals per bus cycle (issue 17). With a waveform the falling edge is evaluated and
// dumped at its own time, as before.
void AimcHarness::tick()
{
	if (fall_pending_)
		top_->eval();
	top_->clk_i = 1;
	top_->eval();
	if (top_->rst_ni)
		cycles_++;
	dump();
	ctx_->timeInc(kHalfPeriod);
	top_->clk_i = 0;
	fall_pending_ = fst_ == nullptr;
	if (!fall_pending_) {
		top_->eval();
		dump();
	}
	ctx_->timeInc(kHalfPeriod);
}

void AimcHarness::reset()
{
	Vaimc_top &t = *top_;

	t.rst_ni = 0;
	t.s_axil_awvalid_i = 0;
	t.s_axil_awaddr_i = 0;
	t.s_axil_awprot_i = 0;
	t.s_axil_wvalid_i = 0;
	t.s_axil_wdata_i = 0;
	t.s_axil_wstrb_i = 0;
	t.s_axil_bready_i = 0;
	t.s_axil_arvalid_i = 0;
	t.s_axil_araddr_i = 0;
	t.s_axil_arprot_i = 0;
	t.s_axil_rready_i = 0;
	t.clk_i = 0;
	// The initial blocks run at the first eval. A config of another geometry than the build's is
	// a user's mistake, not an RTL bug: its $fatal is recorded (init_failed) instead of aborting,
	// and every later $fatal or assertion aborts as before.
	if (!started_)
		ctx_->fatalOnError(false);
	t.eval();
	if (!started_) {
		started_ = true;
		init_failed_ = ctx_->gotError();
		ctx_->gotError(false);
		ctx_->gotFinish(false);
		ctx_->fatalOnError(true);
	}
	dump();
	ctx_->timeInc(kHalfPeriod);
	for (int i = 0; i < kAimcResetCycles; i++)
		tick();
	t.rst_ni = 1;
	cycles_ = 0;
}

void AimcHarness::final()
{
	if (final_)
		return;
	final_ = true;
	if (fall_pending_)
		top_->eval();
	fall_pending_ = false;
	top_->final();
#if VM_TRACE
	if (fst_ != nullptr) {
		fst_->close();
		delete fst_;
		fst_ = nullptr;
	}
#endif
#if VM_COVERAGE
	// Coverage builds (make cov) write one file per model into $AIMC_COV_DIR; tools/cov.sh
	// merges them. The name holds the pid and a per-process count: models never share a file.
	static std::atomic<unsigned> n_written{0};
	if (const char *dir = std::getenv("AIMC_COV_DIR")) {
		std::string path = std::string(dir) + "/cov-" + std::to_string(getpid()) + "-" +
				   std::to_string(n_written++) + ".dat";
		ctx_->coveragep()->write(path.c_str());
	}
#endif
}
