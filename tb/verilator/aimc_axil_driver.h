// SPDX-License-Identifier: Apache-2.0
// AXI4-Lite master on the pins of the harness's aimc_top, one transaction at a time.
#ifndef AIMC_AXIL_DRIVER_H
#define AIMC_AXIL_DRIVER_H

#include <cstdint>

class AimcHarness;

class AimcAxilDriver {
public:
	// AXI responses as returned by write32/read32.
	static constexpr int kOkay = 0;
	static constexpr int kSlvErr = 2;
	static constexpr int kDecErr = 3;
	// A handshake or response that did not come within kAimcWaitMax cycles.
	static constexpr int kTimeout = -1;

	explicit AimcAxilDriver(AimcHarness &h) : h_(h) {}

	// Write data at addr with byte strobes strb (0xF: the whole word; the slave answers SLVERR
	// to anything else): the AXI response, or kTimeout.
	int write32(uint32_t addr, uint32_t data, uint8_t strb = 0xF);
	// Read addr: the AXI response, or kTimeout; *data is 0 unless the response is OKAY.
	int read32(uint32_t addr, uint32_t *data);

private:
	AimcHarness &h_;
};

#endif // AIMC_AXIL_DRIVER_H
