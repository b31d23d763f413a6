// SPDX-License-Identifier: Apache-2.0
// Row DAC interface: holds the Rows int8 inputs of an MVM, latches the DAC codes of one
// slice/phase (docs/numbers.md), applies them to the crossbar macro and times the settle interval.
// The slices cover 8 magnitude bits (-128 is magnitude 128); with u8_i the bytes are unsigned
// magnitudes (0..255), all in the positive phase, so a negative phase has no active row.

`include "aimc_assert.svh"

module aimc_dac_if import aimc_pkg::*; #(
  parameter int Rows    = 64,
  parameter int DacBits = 1,
  parameter int LoadWords = 1,            // input words written per cycle (config key load_words)
  parameter int Shadow  = 0,              // 1 (config key tile_overlap): a second input register
  localparam int NumSlices = (8 + DacBits - 1) / DacBits,
  localparam int SliceW    = aimc_aw(NumSlices),
  localparam int InWords   = Rows / 4,
  localparam int InWordW   = aimc_aw(InWords)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // input vector load: word x_widx_i + j (j < LoadWords, below InWords) holds rows
  // 4*(x_widx_i+j) .. 4*(x_widx_i+j)+3, byte 0 first, in x_wdata_i[32j +: 32]
  input  logic                    x_we_i,
  input  logic [InWordW-1:0]      x_widx_i,
  input  logic [LoadWords*32-1:0] x_wdata_i,
  // Shadow = 1: the next MVM's inputs are written into the second register (x_shadow_i) while
  // the current ones convert; swap_i makes it the current one, in time for a load_i in the same
  // cycle. Shadow = 0: both unused.
  input  logic                    x_shadow_i,
  input  logic                    swap_i,
  // latch the codes of a phase: slice (least significant first), sign (0 = positive rows)
  input  logic                    load_i,
  input  logic [SliceW-1:0]       slice_i,
  input  logic                    neg_i,
  input  logic                    u8_i,            // the bytes are unsigned (MVM flag u8)
  output logic                    active_o,        // some row has a nonzero latched code
  // apply the latched codes to the macro's model (apply_i) and start the settle interval of the
  // row drivers (settle_i). The first phase of an MVM does both in one cycle; later phases start
  // settling during the previous phase's conversions and reach the model once those are done
  // (sample-and-hold on the columns, docs/analog-model.md "Timing of a read").
  input  logic                    apply_i,
  input  logic                    settle_i,
  input  logic [7:0]              settle_cycles_i, // 0 is taken as 1
  output logic                    settled_o,       // high in the last settle cycle
  output logic                    settling_o,      // a settle interval is running (cycles 1 .. S)
  // to the crossbar macro
  output logic                    dac_apply_o,
  output logic [Rows*DacBits-1:0] dac_codes_o
);

  // Inputs and codes are data (no reset); the codes are computed once per phase, in one loop,
  // so that event-driven simulators do no per-row work while the inputs load. With Shadow the
  // inputs are two registers of Rows bytes (bank cur_q is the current MVM's).
  localparam int Banks = (Shadow != 0) ? 2 : 1;
  logic [7:0]              x_q [Banks*Rows];
  logic [Rows*DacBits-1:0] codes_q;
  logic [3:0]              slice_lsb;   // slice * DacBits <= 7: |x| has 8 bits (128 for -128)
  logic                    rd_bank, wr_bank;
  int                      rd_base, wr_base;

  assign slice_lsb = 4'(int'(slice_i) * DacBits);

  if (Shadow != 0) begin : g_shadow
    logic cur_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cur_q <= 1'b0;
      end else if (swap_i) begin
        cur_q <= !cur_q;
      end
    end
    assign rd_bank = swap_i ? !cur_q : cur_q;
    assign wr_bank = x_shadow_i ? !cur_q : cur_q;
  end else begin : g_one
    logic unused_shadow;
    assign unused_shadow = ^{x_shadow_i, swap_i};
    assign rd_bank = 1'b0;
    assign wr_bank = 1'b0;
  end
  assign rd_base = rd_bank ? Rows : 0;
  assign wr_base = wr_bank ? Rows : 0;

  always_ff @(posedge clk_i) begin
    if (x_we_i) begin
      for (int j = 0; j < LoadWords; j++) begin
        if (int'(x_widx_i) + j < InWords) begin
          for (int i = 0; i < 4; i++) begin
            x_q[wr_base + 4 * (int'(x_widx_i) + j) + i] <= x_wdata_i[32*j + 8*i +: 8];
          end
        end
      end
    end
    if (load_i) begin
      for (int r = 0; r < Rows; r++) begin
        // d = (|x| >> lsb) & (2^DacBits - 1) for rows of the phase's sign, else 0 (u8: x is
        // the magnitude and every row is positive)
        codes_q[r*DacBits +: DacBits] <= ((x_q[rd_base + r][7] && !u8_i) == neg_i) ?
            DacBits'(((x_q[rd_base + r][7] && !u8_i) ? 8'd0 - x_q[rd_base + r] :
                      x_q[rd_base + r]) >> slice_lsb) : '0;
      end
    end
  end

  assign active_o    = |codes_q;
  assign dac_codes_o = codes_q;
  assign dac_apply_o = apply_i;

  // Settle timer: cycles 1 .. max(settle, 1) after the settle_i edge; settled_o in the last one.
  logic [7:0] settle_q, settle_d;

  always_comb begin
    settle_d = settle_q;
    if (settle_i) begin
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

  assign settled_o  = (settle_q == 8'd1);
  assign settling_o = (settle_q != 8'd0);

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds).
  `ASSERT_NEVER(SettleTwice_A, settle_i && settle_q != 8'd0)
  `ASSERT_NEVER(ApplyWhileLoad_A, apply_i && load_i)
  `ASSERT_NEVER(SwapWithoutLoad_A, swap_i && !load_i)

endmodule
