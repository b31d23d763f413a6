// SPDX-License-Identifier: Apache-2.0
// Post-processing of one accumulator slot (instruction POST, docs/numbers.md): per column
// t = sat32(acc + b), q = rshift_round(t * M, S), optional ReLU, sat8, packed 4 per word;
// in RAW mode t itself, one word per column; with tfl TFLite's requantization (aimc_post_tfl.sv):
// u = t << max(e, 0) (wrapping), p = u * M, then SRDHM, RDBPOT, zero point and int8 clamps.
//
// Pipeline, one column per cycle in every mode: the parameter buffer returns the three words of a
// column (b, M, S or E) in one read (aimc_par_buf: four banks), the accumulator its word in the
// same cycle. Stages: issue (reads of column c), return (S or E checked, t = sat32(acc + b), RAW
// writes t), multiply (p = t * M), final (y, packed 4 per word). A bad S (outside [1, 62] or
// reserved bits set) or a bad E (e outside [-31, 30] or lo > hi) is seen in the return stage of
// column c: nothing of c or later has any effect (no saturation counted, no write), the columns
// before c drain (c - 1 retires in the final stage in the cycle of done_o) and the command
// stops: on BAD_PARAM at column c, columns 0 .. c-1 are done (saturations counted, every
// completed output word written) and nothing of column c or later is.

`include "aimc_assert.svh"

module aimc_post import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AccSlots   = 64,
  parameter int ActAw      = 12,
  parameter int ParAw      = 10,
  parameter int IsaTfl     = 1,     // 0 (config key isa_tfl): no tfl stage, tfl_i unused
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int Depth     = AccSlots * ColsPerAdc,
  localparam int IdxW      = aimc_aw(Depth),
  localparam int LaneW     = aimc_aw(NumAdc),
  localparam int SlotW     = aimc_aw(AccSlots)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // command: start_i for one cycle while idle
  input  logic              start_i,
  input  logic [SlotW-1:0]  slot_i,
  input  logic [15:0]       par_base_i,     // parameter word address of column 0
  input  logic [15:0]       dst_base_i,     // activation word address of the first output word
  input  logic              relu_i,
  input  logic              raw_i,
  input  logic              tfl_i,          // TFLite requantization (never with relu or raw)
  output logic              done_o,         // pulse: finished, or stopped with err_o
  output logic              err_o,          // with done_o: a bad shift S (BAD_PARAM)
  // parameter buffer (read data the cycle after the request)
  output logic              par_req_o,
  output logic [ParAw-1:0]  par_addr_o,
  input  logic [95:0]       par_rdata_i,    // words addr, addr+1, addr+2: b, M, S (E)
  // accumulator read port (aimc_acc)
  output logic              acc_rd_o,
  output logic [IdxW-1:0]   acc_idx_o,
  output logic [LaneW-1:0]  acc_lane_o,
  input  logic [31:0]       acc_word_i,
  // output writes
  output logic              out_we_o,
  output logic [ActAw-1:0]  out_addr_o,
  output logic [31:0]       out_wdata_o,
  output logic              sat_o           // acc + b saturated this cycle
);

  localparam int ColW  = aimc_aw(Cols + 1);
  localparam int GrpW  = aimc_aw(ColsPerAdc);
  localparam int AddrMaxW = (ParAw > ActAw) ? ParAw : ActAw;
  localparam int AddrW    = ((AddrMaxW > 16) ? AddrMaxW : 16) + 1;

  localparam logic [5:0] ShiftMax = 6'd62;

  // ---- issue stage: the three parameter words and the accumulator word of column col_q --------
  logic              iss_q, iss_d;            // reads still to issue
  logic              raw_q, raw_d;
  logic              relu_q, relu_d;
  logic              tfl_q, tfl_d;
  logic [ColW-1:0]   col_q, col_d;            // column being issued
  logic [GrpW-1:0]   grp_q, grp_d;            // col % ColsPerAdc
  logic [LaneW-1:0]  lane_q, lane_d;          // col / ColsPerAdc
  logic [AddrW-1:0]  pbase_q, pbase_d;        // par_base + 3*col
  logic [IdxW-1:0]   sbase_q, sbase_d;        // slot * ColsPerAdc
  logic [AddrW-1:0]  dst_q, dst_d;
  logic              last_col;

  // ---- return stage: the data of the previous cycle's reads (column rc_q) ------------------------
  logic              rv_q;
  logic [ColW-1:0]   rc_q;

  // ---- multiply stage: column xc_q has t (tfl: u) and its M, S, E -------------------------------
  logic              xv_q, xv_d;
  logic [ColW-1:0]   xc_q, xc_d;
  logic signed [31:0] t_q, t_d;
  logic signed [31:0] m_q, m_d;
  logic [5:0]        s_q, s_d;
  logic [31:0]       ew_q, ew_d;

  // ---- final stage: column pc_q has p = t*M ------------------------------------------------------
  logic              pv_q, pv_d;
  logic [ColW-1:0]   pc_q, pc_d;
  logic signed [63:0] p_q, p_d;
  logic [5:0]        ps_q, ps_d;              // S of column pc_q
  logic [31:0]       pe_q, pe_d;              // tfl: E of column pc_q
  logic [23:0]       wbuf_q, wbuf_d;          // bytes 0..2 of the output word being built

  // Stop: a bad S or E in the return stage; the command ends the next cycle (err_q).
  logic              bad_s;
  logic              err_q, err_d;
  logic              last_f;

  assign last_col = (col_q == ColW'(Cols - 1));

  // The three words of the returning column.
  logic [31:0] w_b, w_m, w_s;
  assign w_b = par_rdata_i[31:0];
  assign w_m = par_rdata_i[63:32];
  assign w_s = par_rdata_i[95:64];

  // Constant selects live outside the always_comb (Icarus 11 cannot make them sensitive).
  logic [5:0] s_field;
  logic [1:0] pc_byte;
  assign s_field = w_s[5:0];
  assign pc_byte = pc_q[1:0];
  // tfl: E's e in [-31, 30] and lo <= hi (signed bytes).
  logic signed [7:0] e_field, lo_field, hi_field;
  logic              bad_e;
  assign e_field  = w_s[7:0];
  assign lo_field = w_s[23:16];
  assign hi_field = w_s[31:24];
  assign bad_e    = (e_field < -8'sd31) || (e_field > 8'sd30) || (lo_field > hi_field);
  assign bad_s    = rv_q && !raw_q && (tfl_q ? bad_e : ((w_s[31:6] != '0) ||
                    (s_field == 6'd0) || (s_field > ShiftMax)));

  // The sum and the clamp of t = sat32(acc + b), used by every mode in the return stage.
  // The sum of two int32 is exact in 33 bits; it is outside int32 iff its two top bits differ.
  logic signed [32:0] tsum;
  logic signed [31:0] tsat;
  logic               tsat_hit;
  logic               tsum_sign, tsum_b31;
  assign tsum      = 33'($signed(acc_word_i)) + 33'($signed(w_b));
  assign tsum_sign = tsum[32];
  assign tsum_b31  = tsum[31];
  assign tsat_hit  = (tsum_sign != tsum_b31);
  assign tsat      = !tsat_hit ? tsum[31:0] : tsum_sign ? 32'sh80000000 : 32'sh7fffffff;

  // tfl: u = t << max(e, 0) in 32 bits (wraps, as TFLite's int32 multiply by 2^e).
  logic [4:0]         e_l;
  logic signed [31:0] tshift;
  assign e_l    = (e_field > 8'sd0) ? 5'(e_field) : 5'd0;
  assign tshift = tsat << e_l;

  // Final stage arithmetic: y = clamp8(relu?(rshift_round(p, S))), in its own module (a log
  // shifter of the 10 bits that matter instead of the 64-bit add and shift; proved equal to the
  // reference definition by tests/formal/post_final.sh).
  logic [7:0] y, y_int8, y_tfl;
  aimc_post_final u_final (
    .p_i    (p_q),
    .s_i    (ps_q),
    .relu_i (relu_q),
    .y_o    (y_int8)
  );
  // ---- isa_tfl: the TFLite stage only where it is built (the sequencer answers POST with tfl
  // ILLEGAL otherwise, so tfl_q stays 0 and the E check, the shift and the mux fold away).
  logic tfl_en;
  if (IsaTfl != 0) begin : g_tfl
    assign tfl_en = 1'b1;
    aimc_post_tfl u_tfl (
      .p_i (p_q),
      .e_i (pe_q),
      .y_o (y_tfl)
    );
  end else begin : g_no_tfl
    assign tfl_en = 1'b0;
    assign y_tfl  = y_int8;
  end
  // ---- end isa_tfl
  assign y = tfl_q ? y_tfl : y_int8;
  assign last_f = pv_q && (pc_q == ColW'(Cols - 1));

  always_comb begin
    iss_d   = iss_q;
    raw_d   = raw_q;
    relu_d  = relu_q;
    tfl_d   = tfl_q;
    col_d   = col_q;
    grp_d   = grp_q;
    lane_d  = lane_q;
    pbase_d = pbase_q;
    sbase_d = sbase_q;
    dst_d   = dst_q;
    xv_d    = 1'b0;
    xc_d    = xc_q;
    t_d     = t_q;
    m_d     = m_q;
    s_d     = s_q;
    ew_d    = ew_q;
    pv_d    = 1'b0;
    pc_d    = pc_q;
    p_d     = p_q;
    ps_d    = ps_q;
    pe_d    = pe_q;
    wbuf_d  = wbuf_q;
    err_d   = 1'b0;

    par_req_o   = 1'b0;
    par_addr_o  = '0;
    acc_rd_o    = 1'b0;
    out_we_o    = 1'b0;
    out_addr_o  = '0;
    out_wdata_o = '0;
    sat_o       = 1'b0;
    done_o      = 1'b0;
    err_o       = 1'b0;

    if (start_i) begin
      iss_d   = 1'b1;
      raw_d   = raw_i;
      relu_d  = relu_i;
      tfl_d   = tfl_i && tfl_en;
      col_d   = '0;
      grp_d   = '0;
      lane_d  = '0;
      pbase_d = AddrW'(par_base_i);
      sbase_d = IdxW'(int'(slot_i) * ColsPerAdc);
      dst_d   = AddrW'(dst_base_i);
    end

    // Issue: one column per cycle.
    if (iss_q) begin
      par_req_o  = 1'b1;
      par_addr_o = ParAw'(pbase_q);
      acc_rd_o   = 1'b1;
      pbase_d    = pbase_q + AddrW'(3);
      col_d      = col_q + 1'b1;
      if (grp_q == GrpW'(ColsPerAdc - 1)) begin
        grp_d  = '0;
        lane_d = lane_q + 1'b1;
      end else begin
        grp_d = grp_q + 1'b1;
      end
      if (last_col) begin
        iss_d = 1'b0;
      end
    end

    // Return.
    if (rv_q && !bad_s) begin
      sat_o = tsat_hit;
      if (raw_q) begin
        out_we_o    = 1'b1;
        out_addr_o  = ActAw'(dst_q + AddrW'(rc_q));
        out_wdata_o = tsat;
        done_o      = (rc_q == ColW'(Cols - 1));
      end else begin
        xv_d = 1'b1;
        xc_d = rc_q;
        t_d  = tfl_q ? tshift : tsat;
        m_d  = w_m;
        s_d  = s_field;
        ew_d = w_s;
      end
    end

    // Multiply.
    if (xv_q) begin
      p_d  = 64'(t_q) * 64'(m_q);
      ps_d = s_q;
      pe_d = ew_q;
      pv_d = 1'b1;
      pc_d = xc_q;
    end

    // Final (non-RAW only).
    if (pv_q) begin
      case (pc_byte)
        2'd0: wbuf_d[7:0]   = y;
        2'd1: wbuf_d[15:8]  = y;
        2'd2: wbuf_d[23:16] = y;
        default: begin
          out_we_o    = 1'b1;
          out_addr_o  = ActAw'(dst_q + (AddrW'(pc_q) >> 2));
          out_wdata_o = {y, wbuf_q};
        end
      endcase
      done_o = last_f;
    end

    if (bad_s) begin
      // Column rc_q has a bad S or E: issue no more; the columns before it (multiply stage now,
      // final stage next cycle) retire, then the command ends.
      iss_d = 1'b0;
      err_d = 1'b1;
    end
    if (err_q) begin
      done_o = 1'b1;
      err_o  = 1'b1;
    end
    if (done_o) begin
      // Finished or stopped: drop everything in flight.
      iss_d = 1'b0;
      xv_d  = 1'b0;
      pv_d  = 1'b0;
      err_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      iss_q   <= 1'b0;
      raw_q   <= 1'b0;
      relu_q  <= 1'b0;
      tfl_q   <= 1'b0;
      col_q   <= '0;
      grp_q   <= '0;
      lane_q  <= '0;
      pbase_q <= '0;
      sbase_q <= '0;
      dst_q   <= '0;
      rv_q    <= 1'b0;
      rc_q    <= '0;
      xv_q    <= 1'b0;
      xc_q    <= '0;
      t_q     <= '0;
      m_q     <= '0;
      s_q     <= '0;
      ew_q    <= '0;
      pv_q    <= 1'b0;
      pc_q    <= '0;
      p_q     <= '0;
      ps_q    <= '0;
      pe_q    <= '0;
      wbuf_q  <= '0;
      err_q   <= 1'b0;
    end else begin
      iss_q   <= iss_d;
      raw_q   <= raw_d;
      relu_q  <= relu_d;
      tfl_q   <= tfl_d;
      col_q   <= col_d;
      grp_q   <= grp_d;
      lane_q  <= lane_d;
      pbase_q <= pbase_d;
      sbase_q <= sbase_d;
      dst_q   <= dst_d;
      rv_q    <= iss_q && !done_o && !bad_s && !err_q;
      rc_q    <= col_q;
      xv_q    <= xv_d;
      xc_q    <= xc_d;
      t_q     <= t_d;
      m_q     <= m_d;
      s_q     <= s_d;
      ew_q    <= ew_d;
      pv_q    <= pv_d;
      pc_q    <= pc_d;
      p_q     <= p_d;
      ps_q    <= ps_d;
      pe_q    <= pe_d;
      wbuf_q  <= wbuf_d;
      err_q   <= err_d;
    end
  end

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds).
  `ASSERT_NEVER(StartBusy_A, start_i && (iss_q || rv_q || xv_q || pv_q || err_q))

  // Simulation only: the formal proof of this block (tests/formal/prove.sh post) leaves the final
  // stage's arithmetic to tests/formal/post_final.sh (a 64-bit division is beyond a bounded proof).
`ifndef SYNTHESIS
`ifndef FORMAL
  // The final stage against its reference definition (docs/numbers.md), 64-bit, every column.
  logic signed [63:0] q_ref, qr_ref;
  logic [7:0]         y_ref;
  assign q_ref  = (p_q + (64'sd1 <<< (ps_q - 6'd1))) >>> ps_q;
  assign qr_ref = (relu_q && q_ref < 0) ? 64'sd0 : q_ref;
  assign y_ref  = (qr_ref > 64'sd127) ? 8'd127 : (qr_ref < -64'sd127) ? 8'h81 : qr_ref[7:0];
  `ASSERT(FinalRef_A, !(pv_q && !tfl_q) || y == y_ref)

  // The tfl stage against the literal definitions of docs/numbers.md: SRDHM with its nudge and
  // a division truncating toward zero, RDBPOT with its mask and threshold, zero point, clamps.
  logic signed [63:0] tr_nudge, tr_div;
  logic signed [31:0] tr_h, tr_x, tr_mask, tr_rem, tr_thr, tr_q;
  logic signed [7:0]  tr_e, tr_zp, tr_lo, tr_hi;
  logic signed [63:0] tr_y;
  logic [7:0]         y_tfl_ref;
  logic [4:0]         tr_r;
  assign tr_e     = pe_q[7:0];
  assign tr_zp    = pe_q[15:8];
  assign tr_lo    = pe_q[23:16];
  assign tr_hi    = pe_q[31:24];
  assign tr_r     = (tr_e < 0) ? 5'(-tr_e) : 5'd0;
  assign tr_nudge = (p_q >= 0) ? 64'sd1073741824 : 64'sd1 - 64'sd1073741824;
  assign tr_div   = (p_q + tr_nudge) / 64'sd2147483648;
  assign tr_h     = (p_q == 64'sh4000000000000000) ? 32'sh7fffffff : tr_div[31:0];
  assign tr_x     = tr_h;
  assign tr_mask  = (32'sd1 <<< tr_r) - 32'sd1;
  assign tr_rem   = tr_x & tr_mask;
  assign tr_thr   = (tr_mask >>> 1) + ((tr_x < 0) ? 32'sd1 : 32'sd0);
  assign tr_q     = (tr_x >>> tr_r) + ((tr_rem > tr_thr) ? 32'sd1 : 32'sd0);
  assign tr_y     = 64'(tr_q) + 64'(tr_zp);
  assign y_tfl_ref = (tr_y < 64'(tr_lo)) ? tr_lo : (tr_y > 64'(tr_hi)) ? tr_hi : tr_y[7:0];
  // The quotient fits int32 (|p| <= 2^62 - 2^31 unless p = 2^62, handled apart).
  logic unused_tr_div;
  assign unused_tr_div = ^tr_div[63:32];
  `ASSERT(TflRef_A, !(pv_q && tfl_q) || y == y_tfl_ref)
`endif
`endif

  assign acc_idx_o  = sbase_q + IdxW'(grp_q);
  assign acc_lane_o = lane_q;

endmodule
