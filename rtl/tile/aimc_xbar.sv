// SPDX-License-Identifier: Apache-2.0
// The tile's crossbar: one set of ports and one latency contract (aimc_xbar_macro's header), the
// implementation chosen by XbarImpl (config key xbar_impl): XBAR_MODEL, the behavioural macro
// whose array and ADCs the analog C model computes; XBAR_TWIN, the synthesizable digital twin
// (aimc_xbar_twin: ideal cells, no SAR comparators, no program-and-verify pulses).

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

  if (XbarImpl == XBAR_TWIN) begin : g_twin
    // Ideal cells, the same for every tile (no model instance) and no SAR ADC (the config parser
    // rejects adc_kind sar with xbar_impl = 1): TileIdx and AdcKind do not apply.
    aimc_xbar_twin #(
      .Rows       (Rows),
      .Cols       (Cols),
      .DacBits    (DacBits),
      .AdcBits    (AdcBits),
      .ColsPerAdc (ColsPerAdc)
    ) u_impl (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .prog_i       (prog_i),
      .prog_row_i   (prog_row_i),
      .prog_w_i     (prog_w_i),
      .prog_idx_i   (prog_idx_i),
      .pv_pulse_i   (pv_pulse_i),
      .pv_mask_i    (pv_mask_i),
      .pv_verify_i  (pv_verify_i),
      .pv_tol_i     (pv_tol_i),
      .pv_idx_i     (pv_idx_i),
      .pv_ok_o      (pv_ok_o),
      .apply_i      (apply_i),
      .apply_d_i    (apply_d_i),
      .conv_i       (conv_i),
      .conv_group_i (conv_group_i),
      .conv_idx_i   (conv_idx_i),
      .adc_shift_i  (adc_shift_i),
      .code_o       (code_o),
      .sample_i     (sample_i),
      .cmp_i        (cmp_i),
      .cmp_bit_i    (cmp_bit_i),
      .trial_i      (trial_i),
      .cmp_o        (cmp_o)
    );
  end else begin : g_model
    aimc_xbar_macro #(
      .TileIdx    (TileIdx),
      .Rows       (Rows),
      .Cols       (Cols),
      .DacBits    (DacBits),
      .AdcBits    (AdcBits),
      .ColsPerAdc (ColsPerAdc),
      .AdcKind    (AdcKind)
    ) u_impl (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .prog_i       (prog_i),
      .prog_row_i   (prog_row_i),
      .prog_w_i     (prog_w_i),
      .prog_idx_i   (prog_idx_i),
      .pv_pulse_i   (pv_pulse_i),
      .pv_mask_i    (pv_mask_i),
      .pv_verify_i  (pv_verify_i),
      .pv_tol_i     (pv_tol_i),
      .pv_idx_i     (pv_idx_i),
      .pv_ok_o      (pv_ok_o),
      .apply_i      (apply_i),
      .apply_d_i    (apply_d_i),
      .conv_i       (conv_i),
      .conv_group_i (conv_group_i),
      .conv_idx_i   (conv_idx_i),
      .adc_shift_i  (adc_shift_i),
      .code_o       (code_o),
      .sample_i     (sample_i),
      .cmp_i        (cmp_i),
      .cmp_bit_i    (cmp_bit_i),
      .trial_i      (trial_i),
      .cmp_o        (cmp_o)
    );
  end

endmodule
