// SPDX-License-Identifier: Apache-2.0
// Crossbar digital twin: the ports and latency contract of aimc_xbar_macro, synthesizable, with the
// weights in registers and ideal integer arithmetic (FPGA prototypes, synthesis checks).
//
// Per conversion, column c = j*ColsPerAdc + conv_group_i of ADC j:
//   s    = sum_r d[r] * w[r][c]                 (exact, d = DAC code of row r, w = int8 weight)
//   code = clamp(round_half_away(s / 2^adc_shift), -2^(AdcBits-1), 2^(AdcBits-1) - 1)
// which is what the analog model computes for an ideal config (docs/numbers.md, "The ADC
// conversion", no noise, exact levels). Event indices carry no meaning without noise.

module aimc_xbar_twin import aimc_pkg::*; #(
  parameter int Rows       = 64,
  parameter int Cols       = 32,
  parameter int DacBits    = 1,
  parameter int AdcBits    = 8,
  parameter int ColsPerAdc = 4,
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int Cells     = 2 * Cols,
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
  // Program-and-verify ports of the macro's contract. Ideal cells need no pulses: a pulse writes
  // the row's targets exactly and every verify reports all cells converged. (The config parser
  // rejects pv_enable with the twin: PROG uses the one-shot path.)
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
  // SAR comparator ports of the macro's contract: the twin has no SAR ADC (the config parser
  // rejects adc_kind sar with the twin); its comparators answer 0.
  input  logic                      sample_i,
  input  logic                      cmp_i,
  input  logic [BitW-1:0]           cmp_bit_i,
  input  logic [NumAdc*AdcBits-1:0] trial_i,
  output logic [NumAdc-1:0]         cmp_o
);

  assign cmp_o = '0;
  logic unused_sar;
  assign unused_sar = ^{sample_i, cmp_i, cmp_bit_i, trial_i};

  // |s| <= Rows * (2^DacBits - 1) * 127 < 2^(RowW + DacBits + 7); one sign bit and one spare bit,
  // and always wider than a code so that the clamp sees the sign.
  localparam int SumW = (RowW + DacBits + 9 > AdcBits + 1) ? RowW + DacBits + 9 : AdcBits + 1;
  localparam logic signed [SumW-1:0] CodeMax = SumW'((1 << (AdcBits - 1)) - 1);
  localparam logic signed [SumW-1:0] CodeMin = -(SumW'(1 << (AdcBits - 1)));
  localparam int RowBits = Cols * 8;

  // Weights (row r in bits [r*RowBits +: RowBits]) and row codes: data registers without reset,
  // as the analog array has no reset state. One flat vector keeps Icarus' sensitivity exact.
  logic [Rows*RowBits-1:0] w_q;
  logic [Rows*DacBits-1:0] d_q;

  always_ff @(posedge clk_i) begin
    if (prog_i || pv_pulse_i) begin
      w_q[int'(prog_row_i)*RowBits +: RowBits] <= prog_w_i;
    end
    if (apply_i) begin
      d_q <= apply_d_i;
    end
  end

  for (genvar j = 0; j < NumAdc; j++) begin : g_adc
    logic signed [SumW-1:0] sum;
    logic signed [SumW-1:0] mag, half, q, code;

    // Column j*ColsPerAdc + conv_group_i; the sum of its products over the rows, as shifts and
    // adds of the weight (d has DacBits bits): no multipliers.
    logic signed [SumW-1:0] w;
    always_comb begin
      sum = '0;
      w   = '0;
      for (int r = 0; r < Rows; r++) begin
        w = SumW'($signed(w_q[r*RowBits + (j*ColsPerAdc + int'(conv_group_i))*8 +: 8]));
        for (int b = 0; b < DacBits; b++) begin
          if (d_q[r*DacBits + b]) begin
            sum = sum + (w <<< b);
          end
        end
      end
    end

    // round_half_away(sum / 2^shift): round the magnitude half up, then restore the sign.
    assign mag  = sum[SumW-1] ? -sum : sum;
    assign half = (adc_shift_i == 4'd0) ? '0 : SumW'(1) <<< (adc_shift_i - 4'd1);
    assign q    = sum[SumW-1] ? -((mag + half) >>> adc_shift_i) : (mag + half) >>> adc_shift_i;
    assign code = (q > CodeMax) ? CodeMax : (q < CodeMin) ? CodeMin : q;
    // After the clamp the bits above the code only repeat its sign.
    logic unused_code_hi;
    assign unused_code_hi = ^code[SumW-1:AdcBits];

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        code_o[j*AdcBits +: AdcBits] <= '0;
      end else if (conv_i) begin
        code_o[j*AdcBits +: AdcBits] <= code[AdcBits-1:0];
      end
    end
  end

  // The event indices drive the noise of the analog model; the twin has none.
  logic unused_idx;
  assign unused_idx = ^{prog_idx_i, conv_idx_i, pv_mask_i, pv_tol_i, pv_idx_i};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_ok_o <= '0;
    end else if (pv_verify_i) begin
      pv_ok_o <= '1;
    end
  end

endmodule
