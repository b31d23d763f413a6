// SPDX-License-Identifier: Apache-2.0
// The simulated board behind libaimc's serial back-end (aimc_mmio_open_uart_sim of aimc.h): a
// child process runs the Verilator model of aimc_fpga_core and turns the bytes of a socket pair
// into UART bits on the bridge's RX pin, bit by bit at the baud divider, and the bits of its TX pin
// back into bytes. The parent talks to the socket with the same serial code as on a board.
#include "aimc.h"

#include "Vaimc_fpga_core.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#ifndef AIMC_UART_CLKDIV
#error "AIMC_UART_CLKDIV (the model's ClkDiv parameter) must be defined by the build"
#endif

namespace {

constexpr int kClkDiv = AIMC_UART_CLKDIV;
constexpr uint64_t kHalfPeriod = 5;
constexpr int kResetCycles = 8;
// Mid-frame, the harness looks for more host bytes every so many cycles (a frame arrives in one
// piece, so this only matters for deliberately cut frames, which must then time out).
constexpr int kPeekCycles = 256;

class UartBoard {
public:
	explicit UartBoard(const char *wave) : ctx_(new VerilatedContext)
	{
		ctx_->traceEverOn(true);
		top_.reset(new Vaimc_fpga_core(ctx_.get(), "TOP"));
		if (wave != nullptr && wave[0] != '\0') {
			fst_.reset(new VerilatedFstC);
			top_->trace(fst_.get(), 99);
			fst_->open(wave);
		}
		top_->clk_i = 0;
		top_->rst_ni = 0;
		top_->uart_rx_i = 1;
		top_->eval();
		for (int i = 0; i < kResetCycles; i++)
			tick();
		top_->rst_ni = 1;
		for (int i = 0; i < kResetCycles; i++)
			tick();
	}
	~UartBoard()
	{
		top_->final();
		if (fst_)
			fst_->close();
	}

	// Serve the socket until the host closes it.
	int serve(int fd)
	{
		std::vector<uint8_t> buf(4096);

		for (;;) {
			bool quiet = in_.empty() && tx_bit_ < 0 && rx_state_ == 0 && top_->idle_o;

			if (quiet || peek_ == 0) {
				if (flush(fd) != 0)
					return 1;
				struct pollfd p = { fd, POLLIN, 0 };
				int r = poll(&p, 1, quiet ? -1 : 0);

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0)
					return 1;
				if (r > 0) {
					ssize_t n = read(fd, buf.data(), buf.size());

					if (n == 0)
						return 0; // host closed: done
					if (n < 0)
						return errno == EINTR ? 0 : 1;
					in_.insert(in_.end(), buf.begin(), buf.begin() + n);
				} else if (quiet) {
					continue;
				}
				peek_ = kPeekCycles;
			}
			step();
			peek_--;
			if (out_.size() >= 256 && flush(fd) != 0)
				return 1;
		}
	}

private:
	void tick()
	{
		top_->clk_i = 1;
		top_->eval();
		if (fst_)
			fst_->dump(ctx_->time());
		ctx_->timeInc(kHalfPeriod);
		top_->clk_i = 0;
		top_->eval();
		if (fst_)
			fst_->dump(ctx_->time());
		ctx_->timeInc(kHalfPeriod);
	}

	// One clock: drive the RX pin from the host byte queue, sample the TX pin.
	void step()
	{
		if (tx_bit_ < 0 && !in_.empty()) {
			tx_frame_ = static_cast<uint16_t>(0x200u | (uint32_t)in_.front() << 1);
			in_.pop_front();
			tx_bit_ = 0;
			tx_cnt_ = kClkDiv;
		}
		top_->uart_rx_i = tx_bit_ < 0 ? 1 : (tx_frame_ >> tx_bit_) & 1u;
		tick();
		if (tx_bit_ >= 0 && --tx_cnt_ == 0) {
			tx_cnt_ = kClkDiv;
			if (++tx_bit_ == 10)
				tx_bit_ = -1;
		}
		sample(top_->uart_tx_o & 1u);
	}

	// UART receiver on the bridge's TX pin: the start edge, then every bit in its middle.
	void sample(unsigned line)
	{
		switch (rx_state_) {
		case 0:
			if (line == 0) {
				rx_state_ = 1;
				rx_cnt_ = kClkDiv / 2;
			}
			break;
		case 1: // middle of the start bit
			if (--rx_cnt_ == 0) {
				if (line != 0) {
					rx_state_ = 0; // glitch
				} else {
					rx_state_ = 2;
					rx_cnt_ = kClkDiv;
					rx_bit_ = 0;
					rx_byte_ = 0;
				}
			}
			break;
		case 2: // data bits, LSB first
			if (--rx_cnt_ == 0) {
				rx_byte_ |= static_cast<uint8_t>(line << rx_bit_);
				rx_cnt_ = kClkDiv;
				if (++rx_bit_ == 8)
					rx_state_ = 3;
			}
			break;
		default: // stop bit: a low one is a framing error, reported as a byte the host cannot
			 // mistake for the response sync (it then sees a bad CRC)
			if (--rx_cnt_ == 0) {
				out_.push_back(line ? rx_byte_ : static_cast<uint8_t>(~rx_byte_));
				rx_state_ = 0;
			}
			break;
		}
	}

	int flush(int fd)
	{
		size_t off = 0;

		while (off < out_.size()) {
			ssize_t w = write(fd, out_.data() + off, out_.size() - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return 1;
			off += static_cast<size_t>(w);
		}
		out_.clear();
		return 0;
	}

	std::unique_ptr<VerilatedContext> ctx_;
	std::unique_ptr<Vaimc_fpga_core> top_;
	std::unique_ptr<VerilatedFstC> fst_;
	std::deque<uint8_t> in_;
	std::vector<uint8_t> out_;
	uint16_t tx_frame_ = 0;
	int tx_bit_ = -1, tx_cnt_ = 0;
	int rx_state_ = 0, rx_cnt_ = 0, rx_bit_ = 0;
	uint8_t rx_byte_ = 0;
	int peek_ = 0;
};

} // namespace

// Responses can take long in simulated time on a loaded machine: a generous bound.
static constexpr uint32_t kSimTimeoutMs = 60000;

extern "C" int aimc_mmio_open_uart_sim(aimc_mmio *m, const aimc_cfg *cfg, uint64_t seed,
				       const char *wave_path)
{
	int sv[2];
	pid_t pid;
	int rc;

	(void)seed; // the twin crossbar has no noise
	if (m == nullptr)
		return AIMC_EINVAL;
	m->ops = nullptr;
	m->ctx = nullptr;
	if (cfg == nullptr)
		return AIMC_EINVAL;
	if (cfg->xbar_impl != 1)
		return AIMC_ECONFIG; // the board has the digital twin
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return AIMC_EIO;
	// The child ends when the host closes its end; nobody waits for it.
	signal(SIGCHLD, SIG_IGN);
	fflush(nullptr);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return AIMC_EIO;
	}
	if (pid == 0) {
		int status;

		close(sv[0]);
		{
			UartBoard board(wave_path);

			status = board.serve(sv[1]);
		}
		close(sv[1]);
		_exit(status);
	}
	close(sv[1]);
	rc = aimc_mmio_open_serial_fd(m, sv[0], kSimTimeoutMs);
	if (rc != AIMC_OK)
		close(sv[0]);
	return rc;
}
