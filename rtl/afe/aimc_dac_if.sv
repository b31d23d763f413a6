// SPDX-License-Identifier: Apache-2.0
// Row DAC interface: holds the Rows int8 inputs of an MVM, derives the DAC codes of one slice/phase
// (docs/numbers.md), applies them to the crossbar macro and times the settle interval.

module aimc_dac_if #(
  parameter int Rows    = 64,
  parameter int DacBits = 1,
  localparam int NumSlices = (7 + DacBits - 1) / DacBits,
  localparam int SliceW    = (NumSlices > 1) ? $clog2(NumSlices) : 1,
  localparam int InWords   = Rows / 4,
  localparam int InWordW   = (InWords > 1) ? $clog2(InWords) : 1
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // input vector load: word x_widx_i holds rows 4*x_widx_i .. 4*x_widx_i+3, byte 0 first
  input  logic                      x_we_i,
  input  logic [InWordW-1:0]        x_widx_i,
  input  logic [31:0]               x_wdata_i,
  // current phase: slice (least significant first) and sign (0 = positive rows, 1 = negative rows)
  input  logic [SliceW-1:0]         slice_i,
  input  logic                      neg_i,
  output logic                      active_o,        // some row has a nonzero code in this phase
  // apply the codes of the current phase and start the settle interval
  input  logic                      apply_i,
  input  logic [7:0]                settle_cycles_i, // 0 is taken as 1
  output logic                      settled_o,       // high in the last settle cycle
  // to the crossbar macro
  output logic                      dac_apply_o,
  output logic [Rows*DacBits-1:0]   dac_codes_o
);

  // Unpacked storage: one event per written row, cheap in event-driven simulators.
  logic [7:0] x_q [Rows];

  always_ff @(posedge clk_i) begin
    if (x_we_i) begin
      for (int i = 0; i < 4; i++) begin
        x_q[4 * int'(x_widx_i) + i] <= x_wdata_i[8*i +: 8];
      end
    end
  end

  // |x| fits 8 bits (128 for a stray -128); slices above bit 7 are zero.
  logic [3:0] slice_lsb;
  assign slice_lsb = 4'(int'(slice_i) * DacBits);

  for (genvar r = 0; r < Rows; r++) begin : g_row
    logic [7:0] mag;
    assign mag = x_q[r][7] ? (~x_q[r] + 8'd1) : x_q[r];
    // The cast to DacBits keeps (|x| >> lsb) & (2^DacBits - 1).
    assign dac_codes_o[r*DacBits +: DacBits] =
        (x_q[r][7] == neg_i) ? DacBits'(mag >> slice_lsb) : '0;
  end

  assign active_o    = |dac_codes_o;
  assign dac_apply_o = apply_i;

  // Settle timer: cycles 1 .. max(settle, 1) after the apply edge; settled_o in the last one.
  logic [7:0] settle_q, settle_d;

  always_comb begin
    settle_d = settle_q;
    if (apply_i) begin
      settle_d = (settle_cycles_i == 8'd0) ? 8'd1 : settle_cycles_i;
    end else if (settle_q != 8'd0) begin
      settle_d = settle_q - 8'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      settle_q <= 8'd0;
    end else begin
      settle_q <= settle_d;
    end
  end

  assign settled_o = (settle_q == 8'd1);

endmodule
