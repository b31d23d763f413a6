// SPDX-License-Identifier: Apache-2.0
// AXI4-Lite master on the pins of the harness's aimc_top, one transaction at a time.
//
// Timing (identical in tb/icarus/aimc_tb_trace.sv, which must give the same cycle counts): each
// bus cycle sets the master's pins, settles the model, samples the slave's outputs, then clocks
// one rising and one falling edge and acts on the sample. Write: AW and W are offered together
// with bready low until both were taken, then bready high until bvalid. Read: arvalid until
// arready, then rready high until rvalid. No idle cycle between transactions.
#include "aimc_axil_driver.h"

#include "Vaimc_top.h"
#include "aimc_harness.h"

int AimcAxilDriver::write32(uint32_t addr, uint32_t data, uint8_t strb)
{
	Vaimc_top &t = h_.top();
	bool aw_done = false, w_done = false;
	uint64_t waited = 0;
	int resp = kTimeout;

	t.s_axil_awvalid_i = 1;
	t.s_axil_awaddr_i = addr;
	t.s_axil_awprot_i = 0;
	t.s_axil_wvalid_i = 1;
	t.s_axil_wdata_i = data;
	t.s_axil_wstrb_i = strb & 0xFu;
	t.s_axil_bready_i = 0;
	while (!(aw_done && w_done)) {
		if (waited++ == kAimcWaitMax)
			goto out;
		h_.eval();
		bool aw_hs = t.s_axil_awvalid_i && t.s_axil_awready_o;
		bool w_hs = t.s_axil_wvalid_i && t.s_axil_wready_o;
		h_.tick();
		if (aw_hs) {
			aw_done = true;
			t.s_axil_awvalid_i = 0;
		}
		if (w_hs) {
			w_done = true;
			t.s_axil_wvalid_i = 0;
		}
	}
	t.s_axil_bready_i = 1;
	waited = 0;
	for (;;) {
		if (waited++ == kAimcWaitMax)
			goto out;
		h_.eval();
		bool b_hs = t.s_axil_bvalid_o;
		int bresp = t.s_axil_bresp_o;
		h_.tick();
		if (b_hs) {
			resp = bresp;
			break;
		}
	}
out:
	t.s_axil_awvalid_i = 0;
	t.s_axil_wvalid_i = 0;
	t.s_axil_bready_i = 0;
	return resp;
}

int AimcAxilDriver::read32(uint32_t addr, uint32_t *data)
{
	Vaimc_top &t = h_.top();
	uint64_t waited = 0;
	int resp = kTimeout;

	*data = 0;
	t.s_axil_arvalid_i = 1;
	t.s_axil_araddr_i = addr;
	t.s_axil_arprot_i = 0;
	t.s_axil_rready_i = 0;
	for (;;) {
		if (waited++ == kAimcWaitMax)
			goto out;
		h_.eval();
		bool ar_hs = t.s_axil_arready_o;
		h_.tick();
		if (ar_hs)
			break;
	}
	t.s_axil_arvalid_i = 0;
	t.s_axil_rready_i = 1;
	waited = 0;
	for (;;) {
		if (waited++ == kAimcWaitMax)
			goto out;
		h_.eval();
		bool r_hs = t.s_axil_rvalid_o;
		uint32_t rdata = t.s_axil_rdata_o;
		int rresp = t.s_axil_rresp_o;
		h_.tick();
		if (r_hs) {
			resp = rresp;
			*data = resp == kOkay ? rdata : 0;
			break;
		}
	}
out:
	t.s_axil_arvalid_i = 0;
	t.s_axil_rready_i = 0;
	return resp;
}
