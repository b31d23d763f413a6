// SPDX-License-Identifier: Apache-2.0
// The Verilator harness of aimc_top: one model in its own context, clock, reset and FST trace.
#ifndef AIMC_HARNESS_H
#define AIMC_HARNESS_H

#include <cstdint>
#include <memory>

class VerilatedContext;
class VerilatedFstC;
class Vaimc_top;

// Bus timing shared with the Icarus trace player (tb/icarus/aimc_tb_trace.sv): change both or
// neither, or the two simulators stop reporting the same cycle counts.
constexpr int kAimcResetCycles = 4;          // cycles with rst_ni low before the first bus cycle
constexpr uint64_t kAimcWaitMax = 100000;    // bound of every handshake and response wait, cycles

class AimcHarness {
public:
	AimcHarness();
	~AimcHarness();
	AimcHarness(const AimcHarness &) = delete;
	AimcHarness &operator=(const AimcHarness &) = delete;

	// True in the trace build (make vl WAVES=1: Verilator's --trace-fst, VM_TRACE); the default
	// build has no trace code, which keeps it fast, and cannot write waveforms.
	static bool traces_compiled();
	// Start writing an FST waveform to path (before reset()). False if the file cannot be opened
	// or traces are not compiled in.
	bool trace_open(const char *path);
	// kAimcResetCycles cycles with rst_ni low and every master pin idle, then rst_ni high. The
	// next tick() is the first rising edge after reset release.
	void reset();
	// Settle combinational logic after the pins changed (before sampling outputs).
	void eval();
	// One clock cycle: rising edge, then falling edge; the clock is low again on return (without a
	// waveform its eval is left to the next eval() or tick(): sample outputs after eval()).
	void tick();
	// Rising edges since reset release.
	uint64_t cycles() const { return cycles_; }
	// True if a $fatal / $stop fired in the initial blocks (the first reset()): the crossbar
	// macros' $aimc_xbar_bind refused a crossbar model of another geometry. The model is then
	// usable for bus reads only (the driver reads the config readback to say what differs).
	bool init_failed() const { return init_failed_; }
	// Run final blocks and close the waveform; the model accepts no more ticks.
	void final();

	Vaimc_top &top() { return *top_; }

private:
	void dump();

	std::unique_ptr<VerilatedContext> ctx_;
	std::unique_ptr<Vaimc_top> top_;
	VerilatedFstC *fst_ = nullptr;  // owned; only the trace build creates one
	uint64_t cycles_ = 0;
	bool final_ = false;
	bool started_ = false;
	bool init_failed_ = false;
	bool fall_pending_ = false;  // the clock went low and the model has not been evaluated since
};

#endif // AIMC_HARNESS_H
