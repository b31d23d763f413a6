// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_post, the POST pipeline (tests/formal/prove.sh post), inserted into a
// copy of the module by tests/formal/stage.py. Environment: a start only while no command is in
// flight (the tile starts POST from idle); any operands, flags (tfl never with relu or raw),
// accumulator words and parameter words. The final-stage arithmetic y is proven apart
// (tests/formal/post_final.sh); here the pipeline that feeds and retires it.
// Reference (docs/numbers.md, POST; the header of aimc_post.sv): column c's words are read at
// par_base + 3c with accumulator entry slot*ColsPerAdc + c%ColsPerAdc of lane c/ColsPerAdc and
// return the next cycle; a bad S (reserved bits, 0 or > 62) or bad E (e outside [-31, 30], lo > hi)
// at the first such column c stops the command: nothing of c or later takes effect.
// Proven: issue order and addresses; done exactly Cols + 3 cycles after the start (RAW Cols + 1;
// stopped at column c: c + 3), with err_o iff a bad parameter was met; a saturation flag exactly
// for each effective column whose acc + b leaves int32; RAW writes sat32(acc + b) of each column
// to dst + c; int8 / tfl words written in order to dst, dst + 1, ..., one per 4 completed
// columns; for one symbolic column, its t, M, S / E reach the multiply stage unchanged and its
// y lands in byte c%4 of word c/4.
`include "aimc_assert.svh"

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  localparam logic signed [63:0] FInt32Max = 64'sd2147483647;
  localparam logic signed [63:0] FInt32Min = -64'sd2147483648;
  localparam int FWords = Cols / 4;

  // ---- the command in flight
  logic             f_busy, f_raw, f_tfl;
  logic [7:0]       f_t;                      // cycles since the start
  logic [AddrW-1:0] f_pbase, f_dst;
  logic [IdxW-1:0]  f_sbase;
  logic [ColW-1:0]  f_icol;                   // columns issued
  logic             f_rv;                     // a column's words return this cycle ...
  logic [ColW-1:0]  f_rc;                     // ... of this column
  logic             f_bad_seen;               // a bad parameter stopped the command
  logic [ColW-1:0]  f_badc;
  logic [7:0]       f_nw;                     // int8 / tfl words written

  `ASSUME(StartIdle_M, !start_i || !f_busy)
  `ASSUME(TflAlone_M, !(start_i && tfl_i && (relu_i || raw_i)))

  // The returning words against the parameter rules, from the words themselves.
  logic [31:0]       f_wb, f_wm, f_ws;
  logic signed [7:0] f_e, f_lo, f_hi;
  logic              f_col_bad, f_eff, f_out;
  logic signed [63:0] f_sum;
  logic [31:0]       f_sat;
  assign f_wb  = par_rdata_i[31:0];
  assign f_wm  = par_rdata_i[63:32];
  assign f_ws  = par_rdata_i[95:64];
  assign f_e   = f_ws[7:0];
  assign f_lo  = f_ws[23:16];
  assign f_hi  = f_ws[31:24];
  assign f_col_bad = !f_raw && (f_tfl ? (f_e < -8'sd31 || f_e > 8'sd30 || f_lo > f_hi)
                                      : (f_ws[31:6] != '0 || f_ws[5:0] == 6'd0 || f_ws[5:0] > 6'd62));
  assign f_eff = f_rv && f_busy && !f_bad_seen && !f_col_bad;
  assign f_sum = 64'($signed(acc_word_i)) + 64'($signed(f_wb));
  assign f_out = (f_sum > FInt32Max) || (f_sum < FInt32Min);
  assign f_sat = (f_sum > FInt32Max) ? 32'h7fff_ffff : (f_sum < FInt32Min) ? 32'h8000_0000 : f_sum[31:0];

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_busy     <= 1'b0;
      f_raw      <= 1'b0;
      f_tfl      <= 1'b0;
      f_t        <= '0;
      f_pbase    <= '0;
      f_dst      <= '0;
      f_sbase    <= '0;
      f_icol     <= '0;
      f_rv       <= 1'b0;
      f_rc       <= '0;
      f_bad_seen <= 1'b0;
      f_badc     <= '0;
      f_nw       <= '0;
    end else begin
      f_rv <= par_req_o;
      f_rc <= f_icol;
      if (par_req_o) f_icol <= f_icol + 1'b1;
      if (f_t != 8'hff) f_t <= f_t + 8'd1;
      if (out_we_o && !f_raw) f_nw <= f_nw + 8'd1;
      if (f_rv && f_busy && !f_bad_seen && f_col_bad) begin
        f_bad_seen <= 1'b1;
        f_badc     <= f_rc;
      end
      if (done_o) f_busy <= 1'b0;
      if (start_i) begin
        f_busy     <= 1'b1;
        f_raw      <= raw_i;
        f_tfl      <= tfl_i && (IsaTfl != 0);
        f_t        <= 8'd1;
        f_pbase    <= AddrW'(par_base_i);
        f_dst      <= AddrW'(dst_base_i);
        f_sbase    <= IdxW'(int'(slot_i) * ColsPerAdc);
        f_icol     <= '0;
        f_bad_seen <= 1'b0;
        f_nw       <= '0;
      end
    end
  end

  // ---- issue
  `ASSERT(IssueInCmd_A, !par_req_o || (f_busy && 32'(f_icol) < Cols))
  `ASSERT(IssueAddr_A, !par_req_o || par_addr_o == ParAw'(f_pbase + AddrW'(3 * 32'(f_icol))))
  `ASSERT(AccPort_A, acc_rd_o == par_req_o &&
          (!acc_rd_o || (acc_idx_o == f_sbase + IdxW'(32'(f_icol) % ColsPerAdc) &&
                         acc_lane_o == LaneW'(32'(f_icol) / ColsPerAdc))))
  `ASSERT(IssueAll_A, !(done_o && !err_o) || 32'(f_icol) == Cols)

  // ---- end of the command
  logic [7:0] f_t_end;
  assign f_t_end = f_raw ? 8'(Cols + 1) : 8'(Cols + 3);
  `ASSERT(DoneTime_A, done_o == (f_busy && (f_bad_seen || f_t == f_t_end)))
  `ASSERT(ErrIffBad_A, err_o == (done_o && f_bad_seen))
  `ASSERT(BadTime_A, !(done_o && f_bad_seen) || f_t == 8'(32'(f_badc) + 3))

  // ---- effects: saturation flags and writes
  `ASSERT(Sat_A, sat_o == (f_eff && f_out))
  `ASSERT_NEVER(WriteIdle_A, out_we_o && !f_busy)
  `ASSERT(RawWrite_A, !(f_busy && f_raw) || (out_we_o == f_eff && (!out_we_o ||
          (out_addr_o == ActAw'(f_dst + AddrW'(f_rc)) && out_wdata_o == f_sat))))
  `ASSERT(WordAddr_A, !(out_we_o && !f_raw) || (32'(f_nw) < FWords &&
          out_addr_o == ActAw'(f_dst + AddrW'(f_nw))))
  `ASSERT(WordsAll_A, !(done_o && !err_o && !f_raw) || (out_we_o && 32'(f_nw) == FWords - 1))
  `ASSERT(WordsStopped_A, !(done_o && err_o) ||
          32'(f_nw) + 32'(out_we_o) == 32'(f_badc) / 4)

  // ---- one symbolic column through the pipeline
  (* anyconst *) logic [ColW-1:0] f_col;
  always @(*) assume (32'(f_col) < Cols);
  logic signed [31:0] f_tref;
  logic [31:0]        f_mref, f_sref;
  logic               f_have_y;
  logic [7:0]         f_y;
  logic [4:0]         f_el;
  assign f_el   = (f_e > 8'sd0) ? 5'(f_e) : 5'd0;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_tref   <= '0;
      f_mref   <= '0;
      f_sref   <= '0;
      f_have_y <= 1'b0;
      f_y      <= '0;
    end else begin
      if (start_i) f_have_y <= 1'b0;
      if (f_eff && f_rc == f_col) begin
        f_tref <= f_tfl ? $signed(f_sat) <<< f_el : $signed(f_sat);
        f_mref <= f_wm;
        f_sref <= f_ws;
      end
      if (pv_q && pc_q == f_col) begin
        f_have_y <= 1'b1;
        f_y      <= y0;
      end
    end
  end
  `ASSERT(ToMultiply_A, !(xv_q && xc_q == f_col) ||
          (g_lane[0].t_q == f_tref && g_lane[0].m_q == f_mref && g_lane[0].s_q == f_sref[5:0] &&
           g_lane[0].ew_q == f_sref))
  `ASSERT(ToFinal_A, !(pv_q && pc_q == f_col) || (g_lane[0].ps_q == f_sref[5:0] && g_lane[0].pe_q == f_sref))
  logic [7:0] f_byte;
  always @(*) begin
    case (f_col[1:0])
      2'd0: f_byte = out_wdata_o[7:0];
      2'd1: f_byte = out_wdata_o[15:8];
      2'd2: f_byte = out_wdata_o[23:16];
      default: f_byte = out_wdata_o[31:24];
    endcase
  end
  `ASSERT(Packed_A, !(out_we_o && !f_raw && 32'(f_nw) == 32'(f_col) / 4) ||
          (f_col[1:0] == 2'd3 ? (pv_q && pc_q == f_col && f_byte == y0) : (f_have_y && f_byte == f_y)))
  `COVER(StoppedMidway_C, done_o && err_o && f_badc == ColW'(5))
  `COVER(TflDone_C, done_o && !err_o && f_tfl)
