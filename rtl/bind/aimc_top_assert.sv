// SPDX-License-Identifier: Apache-2.0
// Known-value (X) checks on every output of aimc_top, bound from outside the design
// (rtl/bind/aimc_bind.sv for Verilator; Icarus has no `bind`: tb/icarus instantiates it).
// Simulation only (rtl/dv.f), never synthesized. The AXI payloads are checked while their valid
// is set (the protocol leaves them undefined otherwise); every other output in every cycle.

`include "aimc_assert.svh"

module aimc_top_assert (
  input logic        clk_i,
  input logic        rst_ni,            // aimc_top's synchronized reset
  input logic        s_axil_awready_o,
  input logic        s_axil_wready_o,
  input logic        s_axil_bvalid_o,
  input logic [1:0]  s_axil_bresp_o,
  input logic        s_axil_arready_o,
  input logic        s_axil_rvalid_o,
  input logic [31:0] s_axil_rdata_o,
  input logic [1:0]  s_axil_rresp_o,
  input logic        irq_o
);

  `ASSERT_KNOWN(AwreadyKnown_A, s_axil_awready_o)
  `ASSERT_KNOWN(WreadyKnown_A, s_axil_wready_o)
  `ASSERT_KNOWN(BvalidKnown_A, s_axil_bvalid_o)
  `ASSERT_KNOWN_IF(BrespKnown_A, s_axil_bresp_o, s_axil_bvalid_o)
  `ASSERT_KNOWN(ArreadyKnown_A, s_axil_arready_o)
  `ASSERT_KNOWN(RvalidKnown_A, s_axil_rvalid_o)
  `ASSERT_KNOWN_IF(RdataKnown_A, s_axil_rdata_o, s_axil_rvalid_o)
  `ASSERT_KNOWN_IF(RrespKnown_A, s_axil_rresp_o, s_axil_rvalid_o)
  `ASSERT_KNOWN(IrqKnown_A, irq_o)

endmodule
