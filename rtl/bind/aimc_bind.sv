// SPDX-License-Identifier: Apache-2.0
// The checkers bound into the design for Verilator builds (rtl/dv.f). Icarus 11 does not parse
// `bind`: its testbench instantiates the same checkers beside the design.

`ifdef VERILATOR
bind aimc_top aimc_top_assert u_top_assert (
  .clk_i            (clk_i),
  .rst_ni           (rst_n),
  .s_axil_awready_o (s_axil_awready_o),
  .s_axil_wready_o  (s_axil_wready_o),
  .s_axil_bvalid_o  (s_axil_bvalid_o),
  .s_axil_bresp_o   (s_axil_bresp_o),
  .s_axil_arready_o (s_axil_arready_o),
  .s_axil_rvalid_o  (s_axil_rvalid_o),
  .s_axil_rdata_o   (s_axil_rdata_o),
  .s_axil_rresp_o   (s_axil_rresp_o),
  .irq_o            (irq_o)
);
`endif
