// SPDX-License-Identifier: Apache-2.0
// Crossbar macro, behavioural: fixed ports, the analog array and its ADCs computed by the C model
// (analog_models/c) through system functions: DPI-C under Verilator, VPI under Icarus.
//
// Latency contract (every implementation of these ports, behavioural or digital twin):
//  - prog_i:  row prog_row_i takes the weights prog_w_i (byte c = column c, int8) at this edge;
//             prog_idx_i is the event index of its programming error.
//  - apply_i: the row DAC codes apply_d_i (row r in bits [r*DacBits +: DacBits]) drive the rows
//             from this edge until the next apply_i.
//  - pv_pulse_i: one program pulse on the cells of row prog_row_i whose bit in pv_mask_i is set
//             (cell 2c = positive, 2c+1 = negative cell of column c), toward the targets of the
//             weights prog_w_i, at this edge; pv_idx_i is the pulse's event index.
//  - pv_verify_i: a verify read of row prog_row_i against the targets of prog_w_i with tolerance
//             pv_tol_i (Q0.16 of Gmax - Gmin) and event index pv_idx_i, at this edge; pv_ok_o holds
//             the result (bit k = cell k within tolerance) from the next cycle until the next
//             pv_verify_i. prog_i, pv_pulse_i and pv_verify_i are never set together.
//  - conv_i:  the NumAdc ADCs sample the columns of mux position conv_group_i
//             (column j*ColsPerAdc + conv_group_i on ADC j) at this edge, with read-noise event
//             index conv_idx_i and ADC shift adc_shift_i; code_o holds the codes (ADC j in bits
//             [j*AdcBits +: AdcBits], two's complement) from the next cycle until the next conv_i.
//             With AdcKind ADC_SAR conv_i converts nothing (the SAR logic makes the codes, code_o
//             stays 0) and the comparator ports below serve:
//  - sample_i: the sample-and-hold of ADC j takes column j*ColsPerAdc + conv_group_i at this edge
//             (read conv_idx_i, adc_shift_i), before the decision of the same edge (sample_i
//             comes with cmp_i: the MSB is decided at the sample edge).
//  - cmp_i:   comparator j decides the trial code trial_i[j*AdcBits +: AdcBits] (two's complement)
//             for bit cmp_bit_i against its held sample at this edge (offset and keyed noise in the
//             model); cmp_o[j] holds the decision (1: at or above the threshold) from the next
//             cycle until the next cmp_i.
// The model is bound to this instance's geometry at time zero; any model error stops the run.

`include "aimc_assert.svh"

module aimc_xbar_macro import aimc_pkg::*; #(
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

`ifdef VERILATOR
  // Under Verilator the system functions are DPI-C imports (analog_models/dpi/aimc_xbar_dpi.c).
  // under Icarus, VPI system functions of the same names (analog_models/dpi/aimc_xbar_vpi.c).
  import "DPI-C" aimc_xbar_dpi_bind = function int \$aimc_xbar_bind (
      input int tile, input int rows, input int cols, input int dac_bits, input int adc_bits,
      input int cols_per_adc, input int adc_kind);
  import "DPI-C" aimc_xbar_dpi_program_row = function int \$aimc_xbar_program_row (
      input int tile, input int row, input bit [Cols*8-1:0] w, input int prog_idx);
  import "DPI-C" aimc_xbar_dpi_pulse_row = function int \$aimc_xbar_pulse_row (
      input int tile, input int row, input bit [Cols*8-1:0] w, input bit [Cells-1:0] mask,
      input int pulse_idx);
  import "DPI-C" aimc_xbar_dpi_verify_row = function int \$aimc_xbar_verify_row (
      input int tile, input int row, input bit [Cols*8-1:0] w, input int tol_code,
      input int verify_idx);
  import "DPI-C" aimc_xbar_dpi_verify_bits = function int \$aimc_xbar_verify_bits (
      input int tile, input int chunk);
  import "DPI-C" aimc_xbar_dpi_apply = function int \$aimc_xbar_apply (
      input int tile, input bit [Rows*DacBits-1:0] d);
  import "DPI-C" aimc_xbar_dpi_convert = function int \$aimc_xbar_convert (
      input int tile, input int col, input int conv_idx, input int adc_shift);
  import "DPI-C" aimc_xbar_dpi_sar_sample = function int \$aimc_xbar_sar_sample (
      input int tile, input int col, input int conv_idx, input int adc_shift);
  import "DPI-C" aimc_xbar_dpi_sar_compare = function int \$aimc_xbar_sar_compare (
      input int tile, input int adc, input int trial, input int bit_idx);
`endif

  localparam int CodeMax = (1 << (AdcBits - 1)) - 1;
  localparam int CodeMin = -(1 << (AdcBits - 1));

  initial begin
    if ($aimc_xbar_bind(TileIdx, Rows, Cols, DacBits, AdcBits, ColsPerAdc, AdcKind) != 0) begin
      $fatal(1, "aimc_xbar_macro tile %0d: the crossbar model does not match this RTL", TileIdx);
    end
  end

  // One column conversion; the model answers with a code in the ADC range, anything else
  // (INT32_MIN from the shims) is a model error.
  function automatic logic [AdcBits-1:0] convert_col(int col);
    int code;
    code = $aimc_xbar_convert(TileIdx, col, int'(conv_idx_i), int'(adc_shift_i));
    if (code < CodeMin || code > CodeMax) begin
      $fatal(1, "aimc_xbar_macro tile %0d: convert of column %0d returned %0d", TileIdx, col, code);
    end
    return code[AdcBits-1:0];
  endfunction

  // Plain always: these processes only call the model (nothing here is synthesized).
  always @(posedge clk_i) begin
    if (prog_i) begin
      if ($aimc_xbar_program_row(TileIdx, int'(prog_row_i), prog_w_i, int'(prog_idx_i)) != 0) begin
        $fatal(1, "aimc_xbar_macro tile %0d: program_row %0d failed", TileIdx, prog_row_i);
      end
    end
  end

  always @(posedge clk_i) begin
    if (pv_pulse_i) begin
      if ($aimc_xbar_pulse_row(TileIdx, int'(prog_row_i), prog_w_i, pv_mask_i, int'(pv_idx_i))
          != 0) begin
        $fatal(1, "aimc_xbar_macro tile %0d: pulse_row %0d failed", TileIdx, prog_row_i);
      end
    end
  end

  // The verify sense latches: the model returns the result 16 cells per call.
  localparam int Chunks = (Cells + 15) / 16;

  function automatic logic [Cells-1:0] verify_row();
    logic [Chunks*16-1:0] ok;
    int n, bits;
    n = $aimc_xbar_verify_row(TileIdx, int'(prog_row_i), prog_w_i, int'(pv_tol_i), int'(pv_idx_i));
    if (n < 0 || n > Cells) begin
      $fatal(1, "aimc_xbar_macro tile %0d: verify_row %0d returned %0d", TileIdx, prog_row_i, n);
    end
    ok = '0;
    for (int i = 0; i < Chunks; i++) begin
      bits = $aimc_xbar_verify_bits(TileIdx, i);
      if (bits < 0 || bits > 65535) begin
        $fatal(1, "aimc_xbar_macro tile %0d: verify_bits %0d returned %0d", TileIdx, i, bits);
      end
      ok[16*i +: 16] = bits[15:0];
    end
    return ok[Cells-1:0];
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_ok_o <= '0;
    end else if (pv_verify_i) begin
      pv_ok_o <= verify_row();
    end
  end

  always @(posedge clk_i) begin
    if (apply_i) begin
      if ($aimc_xbar_apply(TileIdx, apply_d_i) != 0) begin
        $fatal(1, "aimc_xbar_macro tile %0d: apply failed", TileIdx);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      code_o <= '0;
    end else if (conv_i && AdcKind == ADC_MODEL) begin
      for (int j = 0; j < NumAdc; j++) begin
        code_o[j*AdcBits +: AdcBits] <= convert_col(j * ColsPerAdc + int'(conv_group_i));
      end
    end
  end

  // ---- SAR ADC: sample-and-hold, capacitive DAC and comparator (AdcKind ADC_SAR) ----------------
  // One decision of comparator `adc`; at a sample edge its sample-and-hold takes column
  // adc*ColsPerAdc + conv_group_i first (the SAR logic decides the MSB at its sample edge).
  function automatic logic sar_decide(int adc);
    int d;
    if (sample_i) begin
      if ($aimc_xbar_sar_sample(TileIdx, adc * ColsPerAdc + int'(conv_group_i), int'(conv_idx_i),
                                int'(adc_shift_i)) != 0) begin
        $fatal(1, "aimc_xbar_macro tile %0d: sar_sample of ADC %0d failed", TileIdx, adc);
      end
    end
    d = $aimc_xbar_sar_compare(TileIdx, adc, int'($signed(trial_i[adc*AdcBits +: AdcBits])),
                               int'(cmp_bit_i));
    if (d != 0 && d != 1) begin
      $fatal(1, "aimc_xbar_macro tile %0d: sar_compare of ADC %0d returned %0d", TileIdx, adc, d);
    end
    return d[0];
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmp_o <= '0;
    end else if (cmp_i) begin
      for (int j = 0; j < NumAdc; j++) begin
        cmp_o[j] <= sar_decide(j);
      end
    end
  end

  `ASSERT_NEVER(SampleNoCmp_A, sample_i && !cmp_i)

endmodule
