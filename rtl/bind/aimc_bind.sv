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

// Functional cover points (make cov): rtl/bind/aimc_cover.sv.
`ifdef VERILATOR
bind aimc_top aimc_cover #(
  .NumTiles      (NumTiles),
  .DacBits       (DacBits),
  .AdcKind       (AdcKind),
  .XbarImpl      (XbarImpl),
  .WeightSlices  (WeightSlices),
  .ConflictCheck (ConflictCheck),
  .CounterBits   (CounterBits),
  .IsaTfl        (IsaTfl)
) u_cover (
  .clk_i         (clk_i),
  .rst_ni        (rst_n),
  .instr_req_i   (instr_req),
  .instr_rdata_i (instr_rdata),
  .cmd_valid_i   (cmd_valid),
  .cmd_ready_i   (cmd_ready),
  .cmd_op_i      (cmd_op),
  .cmd_flags_i   (cmd_flags),
  .cmd_tile_i    (cmd_tile),
  .tile_busy_i   (t_busy),
  .tile_sat_i    (t_done & t_dsat),
  .seq_busy_i    (seq_busy),
  .seq_error_i   (seq_error),
  .err_code_i    (err_code),
  .irq_done_i    (set_irq_done),
  .irq_error_i   (set_irq_error),
  .irq_prog_i    (set_irq_prog),
  .seq_dat_req_i (seq_dat_req),
  .seq_dat_gnt_i (dat_port_gnt[NumTiles]),
  .seq_act_req_i (seq_act_req),
  .seq_act_we_i  (seq_act_we),
  .wdog_stop_i   (wdog_stop),
  .sat_stop_i    (sat_stop),
  .soft_reset_i  (soft_reset),
  .bvalid_i      (s_axil_bvalid_o),
  .bresp_i       (s_axil_bresp_o),
  .rvalid_i      (s_axil_rvalid_o),
  .rresp_i       (s_axil_rresp_o)
);
`endif
