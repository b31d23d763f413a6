// SPDX-License-Identifier: Apache-2.0
// Formal stand-in for aimc_xbar, the tile's crossbar (tests/formal/prove.sh tile): the ports and
// the latency contract of aimc_xbar_macro's header, with free analog results. pv_ok_o takes any
// value at each pv_verify_i and holds it until the next; code_o takes any codes at each conv_i
// and holds them until the next; cmp_o any decisions at each cmp_i. What the cells hold and what
// a pulse does are not modelled (the verify results are free), so the tile's control is explored
// for every outcome of the analog array.
module aimc_xbar import aimc_pkg::*; #(
  parameter int XbarImpl   = XBAR_MODEL,
  parameter int TileIdx    = 0,
  parameter int Rows       = 64,
  parameter int Cols       = 32,
  parameter int DacBits    = 1,
  parameter int AdcBits    = 8,
  parameter int ColsPerAdc = 4,
  parameter int AdcKind    = ADC_MODEL,
  localparam int Cells     = 2 * Cols,
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int RowW      = aimc_aw(Rows),
  localparam int GrpW      = aimc_aw(ColsPerAdc),
  localparam int BitW      = aimc_aw(AdcBits)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      prog_i,
  input  logic [RowW-1:0]           prog_row_i,
  input  logic [Cols*8-1:0]         prog_w_i,
  input  logic [31:0]               prog_idx_i,
  input  logic                      pv_pulse_i,
  input  logic [Cells-1:0]          pv_mask_i,
  input  logic                      pv_verify_i,
  input  logic [15:0]               pv_tol_i,
  input  logic [31:0]               pv_idx_i,
  output logic [Cells-1:0]          pv_ok_o,
  input  logic                      apply_i,
  input  logic [Rows*DacBits-1:0]   apply_d_i,
  input  logic                      conv_i,
  input  logic [GrpW-1:0]           conv_group_i,
  input  logic [31:0]               conv_idx_i,
  input  logic [3:0]                adc_shift_i,
  output logic [NumAdc*AdcBits-1:0] code_o,
  input  logic                      sample_i,
  input  logic                      cmp_i,
  input  logic [BitW-1:0]           cmp_bit_i,
  input  logic [NumAdc*AdcBits-1:0] trial_i,
  output logic [NumAdc-1:0]         cmp_o
);
  (* anyseq *) logic [Cells-1:0]          f_ok;
  (* anyseq *) logic [NumAdc*AdcBits-1:0] f_code;
  (* anyseq *) logic [NumAdc-1:0]         f_cmp;
  logic [Cells-1:0]          ok_q;
  logic [NumAdc*AdcBits-1:0] code_q;
  logic [NumAdc-1:0]         cmp_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ok_q   <= '0;
      code_q <= '0;
      cmp_q  <= '0;
    end else begin
      if (pv_verify_i) ok_q <= f_ok;
      if (conv_i) code_q <= f_code;
      if (cmp_i) cmp_q <= f_cmp;
    end
  end
  assign pv_ok_o = ok_q;
  assign code_o  = code_q;
  assign cmp_o   = cmp_q;
endmodule
