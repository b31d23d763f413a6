// SPDX-License-Identifier: Apache-2.0
// Accumulator slots of a tile: AccSlots x Cols int32, one bank per ADC lane so that all NumAdc
// columns of a mux position accumulate in one cycle; sums are exact in 64 bits, then saturated.
// ACCADD adds one int32 word to one column per cycle through the read port (add_i).

`include "aimc_assert.svh"

module aimc_acc import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AccSlots   = 64,
  parameter int AdcBits    = 8,
  parameter int ShiftW     = 5,
  parameter int MaxShift   = (1 << ShiftW) - 1,   // largest shift_i the tile sends
  parameter int AccAdd     = 1,                    // 0 (isa_tfl = 0): no ACCADD path, add_i unused
  parameter int RdWords    = 1,                    // words per POST read (post_lanes 1, 4, 8, 16)
  parameter int PostPort   = 0,                    // 1 (tile_overlap): POST reads through prd_*
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int Depth     = AccSlots * ColsPerAdc,
  localparam int IdxW      = aimc_aw(Depth),
  localparam int LaneW     = aimc_aw(NumAdc)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // Read entry rd_idx_i[0] (= slot*ColsPerAdc + mux position) of every lane; data next cycle.
  // Word 0 of rd_word_o is lane rd_lane_i[0] of that read (one column, for POST and ACCADD);
  // word k > 0 (RdWords > 1: POST's columns c+1 .. c+RdWords-1) is entry rd_idx_i[k] of lane
  // rd_lane_i[k].
  input  logic                      rd_i,
  input  logic [RdWords*IdxW-1:0]   rd_idx_i,
  input  logic [RdWords*LaneW-1:0]  rd_lane_i,
  output logic [RdWords*32-1:0]     rd_word_o,
  // PostPort = 1: POST's own read port, beside the MVM's: word k is entry prd_idx_i[k] of lane
  // prd_lane_i[k], data next cycle (rd_word_o then carries word 0 only, for ACCADD).
  // PostPort = 0: unused.
  input  logic                      prd_i,
  input  logic [RdWords*IdxW-1:0]   prd_idx_i,
  input  logic [RdWords*LaneW-1:0]  prd_lane_i,
  output logic [RdWords*32-1:0]     prd_word_o,
  // Accumulate into entry wr_idx_i of every lane: sat32(last read + (neg ? -code : code) << shift),
  // code of lane j in codes_i[j*AdcBits +: AdcBits] (two's complement).
  input  logic                      acc_i,
  input  logic [IdxW-1:0]           wr_idx_i,
  input  logic [NumAdc*AdcBits-1:0] codes_i,
  input  logic                      neg_i,
  input  logic [ShiftW-1:0]         shift_i,
  // Clear entry wr_idx_i of every lane.
  input  logic                      clr_i,
  // ACCADD: write sat32(rd_word_o + add_word_i) back into the entry and lane read last cycle.
  input  logic                      add_i,
  input  logic [31:0]               add_word_i,
  output logic [15:0]               sat_cnt_o      // lanes that saturated this cycle
);

  // Exact width of the sum (the 64 bits of the reference arithmetic cut to what can be reached):
  // a code of AdcBits (its negation AdcBits + 1) shifted by at most MaxShift, plus an int32.
  localparam int TermBits = AdcBits + 1 + MaxShift;
  localparam int SumW0    = ((TermBits > 32) ? TermBits : 32) + 1;
  localparam int SumW     = (SumW0 < 64) ? SumW0 : 64;

  // One data array for all lanes (lane j at j*Depth): a single process per clock keeps event-driven
  // simulators fast. No reset: an MVM without the acc flag clears its slot.
  logic [31:0]       mem [NumAdc*Depth];
  logic [31:0]       rdata_q [NumAdc];
  logic [31:0]       wdata [NumAdc];
  logic [NumAdc-1:0] lane_sat;
  logic [LaneW-1:0]  rd_lane_q;
  logic [IdxW-1:0]   rd_idx_q;
  logic [IdxW-1:0]   rd_idx0;
  logic [LaneW-1:0]  rd_lane0;
  logic [31:0]       rd_word0;
  assign rd_idx0  = rd_idx_i[IdxW-1:0];
  assign rd_lane0 = rd_lane_i[LaneW-1:0];

  // The lane sums matter only in a cycle that accumulates (acc_i; wdata is written only then and
  // lane_sat counts only then), so each lane computes them under acc_i alone and is 0 otherwise:
  // simulators do no per-lane work in the other cycles (Verilator evaluates a combinational block
  // whenever a clock of its inputs ticks). Same bits in every cycle that uses them.
  for (genvar j = 0; j < NumAdc; j++) begin : g_lane
    logic [AdcBits-1:0]     code_raw;
    logic [31:0]            prev_raw;
    logic signed [SumW-1:0] code;
    logic signed [SumW-1:0] prev;
    logic signed [SumW-1:0] term;
    logic signed [SumW-1:0] sum;
    logic [SumW-32:0]       top;
    logic                   outside;

    // Constant selects stay out of the always_comb (Icarus 11 cannot make them sensitive).
    assign code_raw = codes_i[j*AdcBits +: AdcBits];
    assign prev_raw = rdata_q[j];

    // shift_i <= MaxShift (asserted below): SumW holds any code and shift the tile sends, so the
    // sum is exact and equals the 64-bit one. Without acc_i the sum is 0 (inside int32).
    always_comb begin
      code = '0;
      prev = '0;
      term = '0;
      sum  = '0;
      if (acc_i) begin
        code = SumW'($signed(code_raw));
        prev = SumW'($signed(prev_raw));
        term = (neg_i ? -code : code) <<< shift_i;
        sum  = prev + term;
      end
    end

    // Outside int32 iff the bits above bit 31 are not all copies of it (no wide compares).
    assign top         = sum[SumW-1:31];
    assign outside     = (top != '0) && (top != '1);
    assign lane_sat[j] = outside;
    assign wdata[j]    = !outside ? sum[31:0] : top[SumW-32] ? 32'h80000000 : 32'h7fffffff;
  end

  // ACCADD's sum: two int32 are exact in 33 bits, outside int32 iff the two top bits differ.
  logic               add_en, add_out;
  logic [31:0]        add_wdata;
  if (AccAdd != 0) begin : g_add
    logic signed [32:0] add_sum;
    logic               add_sign, add_b31;
    assign add_en    = add_i;
    // add_word_i (the activation buffer's read data) changes with every access of any tile:
    // the sum is formed only in an ACCADD write cycle (add_i), 0 otherwise (unused then).
    assign add_sum   = add_i ? 33'($signed(rd_word0)) + 33'($signed(add_word_i)) : '0;
    assign add_sign  = add_sum[32];
    assign add_b31   = add_sum[31];
    assign add_out   = (add_sign != add_b31);
    assign add_wdata = !add_out ? add_sum[31:0] : add_sign ? 32'h80000000 : 32'h7fffffff;
  end else begin : g_no_add
    // isa_tfl = 0: the tile never issues ACCADD (the sequencer answers it ILLEGAL).
    logic unused_add;
    assign unused_add = ^{add_i, add_word_i};
    assign add_en     = 1'b0;
    assign add_out    = 1'b0;
    assign add_wdata  = '0;
  end

  // One write port per lane, as before ACCADD: ACCADD's write (one lane, the entry read last
  // cycle; never with an accumulate or clear) shares the lane's address and data muxes, so each
  // lane still maps to one block RAM (a separate port made the iCE40 build use flip-flops).
  logic [IdxW-1:0] wr_idx;
  assign wr_idx = add_en ? rd_idx_q : wr_idx_i;

  always_ff @(posedge clk_i) begin
    for (int j = 0; j < NumAdc; j++) begin
      if (clr_i || acc_i || (add_en && int'(rd_lane_q) == j)) begin
        mem[j*Depth + int'(wr_idx)] <= add_en ? add_wdata : clr_i ? 32'd0 : wdata[j];
      end
    end
    if (rd_i) begin
      for (int j = 0; j < NumAdc; j++) begin
        rdata_q[j] <= mem[j*Depth + int'(rd_idx0)];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_lane_q <= '0;
      rd_idx_q  <= '0;
    end else if (rd_i) begin
      rd_lane_q <= rd_lane0;
      rd_idx_q  <= rd_idx0;
    end
  end

  assign rd_word0 = rdata_q[rd_lane_q];
  assign rd_word_o[31:0] = rd_word0;

  // POST's other columns (RdWords > 1): one more read of one lane each, in the cycle of rd_i.
  // With PostPort the POST reads all its columns through prd_*, in any cycle.
  localparam int K0 = (PostPort != 0) ? 0 : 1;
  for (genvar k = K0; k < RdWords; k++) begin : g_rdw
    logic [IdxW-1:0]  idx;
    logic [LaneW-1:0] lane;
    logic [31:0]      word_q;
    logic             en;
    if (PostPort != 0) begin : g_own
      assign idx  = prd_idx_i[k*IdxW +: IdxW];
      assign lane = prd_lane_i[k*LaneW +: LaneW];
      assign en   = prd_i;
    end else begin : g_shared
      assign idx  = rd_idx_i[k*IdxW +: IdxW];
      assign lane = rd_lane_i[k*LaneW +: LaneW];
      assign en   = rd_i;
    end
    always_ff @(posedge clk_i) begin
      if (en) begin
        word_q <= mem[int'(lane)*Depth + int'(idx)];
      end
    end
    if (PostPort != 0) begin : g_own_o
      assign prd_word_o[k*32 +: 32] = word_q;
    end else begin : g_shared_o
      assign rd_word_o[k*32 +: 32] = word_q;
    end
  end
  if (PostPort != 0) begin : g_post_port
    if (RdWords > 1) begin : g_hi
      // rd_word_o above word 0 is not read with PostPort (ACCADD reads word 0)
      assign rd_word_o[RdWords*32-1:32] = '0;
    end
    logic unused_rd_hi;
    assign unused_rd_hi = ^{rd_idx_i, rd_lane_i};
  end else begin : g_no_post_port
    assign prd_word_o = '0;
    logic unused_prd;
    assign unused_prd = ^{prd_i, prd_idx_i, prd_lane_i};
  end

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds).
  `ASSERT_NEVER(AccWithClr_A, acc_i && clr_i)
  `ASSERT_NEVER(AddNotAlone_A, add_i && (acc_i || clr_i))
  `ASSERT(ShiftMax_A, !acc_i || int'(shift_i) <= MaxShift)

  // Lanes that saturated: counted only in an accumulate cycle (lane_sat is 0 in the others), in a
  // block of its own so that ACCADD's input (add_out) does not make it run every cycle.
  logic [15:0] lane_sat_cnt;
  always_comb begin
    lane_sat_cnt = '0;
    if (acc_i) begin
      for (int j = 0; j < NumAdc; j++) begin
        lane_sat_cnt = lane_sat_cnt + 16'(lane_sat[j]);
      end
    end
  end
  assign sat_cnt_o = lane_sat_cnt + 16'(add_en && add_out);

endmodule
