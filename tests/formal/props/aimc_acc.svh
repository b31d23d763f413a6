// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_acc (tests/formal/prove.sh acc), inserted into a copy of the module by
// tests/formal/stage.py. Environment: the tile's contract (no accumulate with a clear, ACCADD
// alone, shift <= MaxShift), any codes, sign, shift, indices and add words; the data array and the
// read registers start with any value (they have no reset).
// Reference: docs/numbers.md's arithmetic in 64 bits, saturated to int32 by comparison.
// Proven: every lane's accumulate writes sat32(last read + (neg ? -code : code) << shift); the
// saturation count is the number of lanes (and ACCADD) outside int32; for one symbolic entry
// (lane f_lane, index f_idx) a read returns the last value written by a clear, an accumulate or
// an ACCADD (read-before-write in the same cycle).
`include "aimc_assert.svh"

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  `ASSUME(AccNotClr_M, !(acc_i && clr_i))
  `ASSUME(AddAlone_M, !(add_i && (acc_i || clr_i)))
  `ASSUME(ShiftRange_M, int'(shift_i) <= MaxShift)

  localparam logic signed [63:0] FInt32Max = 64'sd2147483647;
  localparam logic signed [63:0] FInt32Min = -64'sd2147483648;

  function automatic logic [31:0] f_sat32(input logic signed [63:0] v);
    f_sat32 = (v > FInt32Max) ? 32'h7fff_ffff : (v < FInt32Min) ? 32'h8000_0000 : v[31:0];
  endfunction

  // Per lane: the 64-bit sum of an accumulate, and whether it leaves int32.
  logic signed [63:0] f_sum [NumAdc];
  logic [NumAdc-1:0]  f_out, f_word_ok;
  for (genvar j = 0; j < NumAdc; j++) begin : g_f_lane
    logic [AdcBits-1:0] c;
    logic signed [63:0] c64, t64, p64;
    assign c   = codes_i[j*AdcBits +: AdcBits];
    assign c64 = {{(64 - AdcBits){c[AdcBits-1]}}, c};
    assign t64 = (neg_i ? -c64 : c64) <<< shift_i;
    assign p64 = {{32{rdata_q[j][31]}}, rdata_q[j]};
    assign f_sum[j] = p64 + t64;
    assign f_out[j] = (f_sum[j] > FInt32Max) || (f_sum[j] < FInt32Min);
    assign f_word_ok[j] = (wdata[j] == f_sat32(f_sum[j]));
  end
  // One assertion over the lanes: yosys 0.23 does not scope assertion names in generate loops.
  `ASSERT(AccWord_A, !acc_i || f_word_ok == '1)

  logic signed [63:0] f_add;
  assign f_add = {{32{rd_word_o[31]}}, rd_word_o} + {{32{add_word_i[31]}}, add_word_i};

  logic [15:0] f_nsat;
  always @(*) begin
    f_nsat = (add_i && ((f_add > FInt32Max) || (f_add < FInt32Min))) ? 16'd1 : 16'd0;
    for (int j = 0; j < NumAdc; j++) begin
      if (acc_i && f_out[j]) f_nsat = f_nsat + 16'd1;
    end
  end
  `ASSERT(SatCount_A, sat_cnt_o == f_nsat)

  // One symbolic entry: its expected content once something wrote it.
  (* anyconst *) logic [LaneW-1:0] f_lane;
  (* anyconst *) logic [IdxW-1:0]  f_idx;
  always @(*) assume (int'(f_lane) < NumAdc && int'(f_idx) < Depth);

  logic        f_valid, f_rd_pend;
  logic [31:0] f_val, f_rd_exp, f_acc_word;
  always @(*) begin
    f_acc_word = 32'd0;
    for (int j = 0; j < NumAdc; j++) begin
      if (j == int'(f_lane)) f_acc_word = f_sat32(f_sum[j]);
    end
  end
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_valid   <= 1'b0;
      f_val     <= '0;
      f_rd_pend <= 1'b0;
      f_rd_exp  <= '0;
    end else begin
      f_rd_pend <= rd_i && rd_idx_i == f_idx && f_valid;
      f_rd_exp  <= f_val;
      if ((clr_i || acc_i) && wr_idx_i == f_idx) begin
        f_valid <= 1'b1;
        f_val   <= clr_i ? 32'd0 : f_acc_word;
      end else if (add_i && rd_idx_q == f_idx && rd_lane_q == f_lane) begin
        f_valid <= 1'b1;
        f_val   <= f_sat32(f_add);
      end
    end
  end

  logic [31:0] f_rdata_lane;
  always @(*) begin
    f_rdata_lane = 32'd0;
    for (int j = 0; j < NumAdc; j++) begin
      if (j == int'(f_lane)) f_rdata_lane = rdata_q[j];
    end
  end
  `ASSERT(ReadBack_A, !f_rd_pend || f_rdata_lane == f_rd_exp)
  `ASSERT(ReadWord_A, !f_rd_pend || rd_lane_q != f_lane || rd_word_o == f_rd_exp)
  `COVER(AccSat_C, acc_i && f_out != '0)
