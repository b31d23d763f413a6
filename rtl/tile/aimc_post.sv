// SPDX-License-Identifier: Apache-2.0
// Post-processing of one accumulator slot (instruction POST, docs/numbers.md): per column
// t = sat32(acc + b), q = rshift_round(t * M, S), optional ReLU, sat8, packed 4 per word;
// in RAW mode t itself, one word per column; with tfl TFLite's requantization (aimc_post_tfl.sv):
// u = t << max(e, 0) (wrapping), p = u * M, then SRDHM, RDBPOT, zero point and int8 clamps.
//
// Pipeline, Lanes columns per cycle (config key post_lanes: 1, 4, 8 or 16; RAW OutWords columns
// per cycle, one activation word each: 1 with up to 4 lanes, 2 with 8, 4 with 16): the parameter
// buffer returns the three words of each of the
// Lanes columns (b, M, S or E) in one read (aimc_par_buf: 4*Lanes banks), the accumulator their
// words in the same cycle (aimc_acc: RdWords = Lanes). Stages: issue (reads of columns c ..
// c+Lanes-1), return (S or E checked, t = sat32(acc + b), RAW writes t), multiply (p = t * M, one
// multiplier per lane), final (y, packed 4 per word: with 4 lanes each group is one word, with 8
// or 16 lanes two or four words written in one cycle, OutWords). A bad S (outside [1, 62] or
// reserved bits set) or a bad E (e outside [-31, 30] or lo > hi) is seen in the return stage of
// column c: nothing of c or later has any effect (no saturation counted, no write), the columns
// before c drain (the lanes before c in c's group count their saturations; with up to 4 lanes
// their output word is not complete and is not written; with 8 or 16 the group goes on through
// the multiply and final stages, which write its words that lie wholly before c: one cycle more)
// and the command stops: on BAD_PARAM at column c, columns 0 .. c-1 are done (saturations
// counted, every completed output word written) and nothing of column c or later is.

`include "aimc_assert.svh"

module aimc_post import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AccSlots   = 64,
  parameter int ActAw      = 12,
  parameter int ParAw      = 10,
  parameter int IsaTfl     = 1,     // 0 (config key isa_tfl): no tfl stage, tfl_i unused
  parameter int Lanes      = 1,     // columns per cycle (config key post_lanes): 1, 4, 8 or 16
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int Depth     = AccSlots * ColsPerAdc,
  localparam int IdxW      = aimc_aw(Depth),
  localparam int LaneW     = aimc_aw(NumAdc),
  localparam int SlotW     = aimc_aw(AccSlots),
  localparam int SatW      = aimc_aw(Lanes + 1),
  localparam int OutWords  = (Lanes > 4) ? Lanes / 4 : 1   // output words written per cycle (and
                                                           // RAW columns per cycle)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // command: start_i for one cycle while idle
  input  logic                    start_i,
  input  logic [SlotW-1:0]        slot_i,
  input  logic [15:0]             par_base_i,     // parameter word address of column 0
  input  logic [15:0]             dst_base_i,     // activation word address of the first output word
  input  logic                    relu_i,
  input  logic                    raw_i,
  input  logic                    tfl_i,          // TFLite requantization (never with relu or raw)
  output logic                    done_o,         // pulse: finished, or stopped with err_o
  output logic                    err_o,          // with done_o: a bad shift S (BAD_PARAM)
  // parameter buffer (read data the cycle after the request)
  output logic                    par_req_o,
  output logic [ParAw-1:0]        par_addr_o,
  input  logic [Lanes*96-1:0]     par_rdata_i,    // column c+i: [96i +: 96] = {S (E), M, b}
  // accumulator read port (aimc_acc): column c+i in entry/lane/word i
  output logic                    acc_rd_o,
  output logic [Lanes*IdxW-1:0]   acc_idx_o,
  output logic [Lanes*LaneW-1:0]  acc_lane_o,
  input  logic [Lanes*32-1:0]     acc_word_i,
  // output writes
  output logic                    out_we_o,
  output logic [ActAw-1:0]        out_addr_o,     // the first word written
  output logic [OutWords-1:0]     out_wmask_o,    // with out_we_o: the words out_addr_o + j written
  output logic [OutWords*32-1:0]  out_wdata_o,    // word out_addr_o + j in [32j +: 32]
  output logic [SatW-1:0]         sat_o           // columns whose acc + b saturated this cycle
);

  localparam int ColW  = aimc_aw(Cols + 1);
  localparam int GrpW  = aimc_aw(ColsPerAdc);
  localparam int AddrMaxW = (ParAw > ActAw) ? ParAw : ActAw;
  localparam int AddrW    = ((AddrMaxW > 16) ? AddrMaxW : 16) + 1;

  localparam logic [5:0] ShiftMax = 6'd62;

  // ---- issue stage: the parameter and accumulator words of columns col_q .. col_q+Lanes-1 -----
  logic              iss_q, iss_d;            // reads still to issue
  logic              raw_q, raw_d;
  logic              relu_q, relu_d;
  logic              tfl_q, tfl_d;
  logic [ColW-1:0]   col_q, col_d;            // first column being issued
  logic [GrpW-1:0]   grp_q, grp_d;            // col % ColsPerAdc
  logic [LaneW-1:0]  lane_q, lane_d;          // col / ColsPerAdc
  logic [AddrW-1:0]  pbase_q, pbase_d;        // par_base + 3*col
  logic [IdxW-1:0]   sbase_q, sbase_d;        // slot * ColsPerAdc
  logic [AddrW-1:0]  dst_q, dst_d;
  logic              last_col;

  // ---- return stage: the data of the previous cycle's reads (first column rc_q) ------------------
  logic              rv_q;
  logic [ColW-1:0]   rc_q;

  // ---- multiply stage: columns from xc_q have t (tfl: u) and their M, S, E (per lane, g_lane) ----
  logic              xv_q, xv_d;
  logic [ColW-1:0]   xc_q, xc_d;
  logic              ret_go;                  // the return stage loads the multiply stage

  // ---- final stage: columns from pc_q have p = t*M (per lane) ------------------------------------
  logic              pv_q, pv_d;
  logic [ColW-1:0]   pc_q, pc_d;
  logic [23:0]       wbuf_q, wbuf_d;          // Lanes 1: bytes 0..2 of the output word being built

  // Stop: a bad S or E in the return stage; the command ends the next cycle (err_q), with more
  // than four lanes the cycle after (err2_q: the group of the bad column reaches the final stage).
  localparam bit     Partial = (Lanes > 4);
  logic              bad_s;
  logic              err_q, err_d;
  logic              err2_q, err2_d;
  logic              last_f;

  assign last_col = raw_q ? (col_q == ColW'(Cols - OutWords)) : (col_q == ColW'(Cols - Lanes));

  // ---- per-lane datapath: lane i handles column c + i of each group ------------------------------
  logic [Lanes-1:0]   bad_v;                  // column's S or E is bad (return stage, not RAW)
  logic [Lanes-1:0]   ok_v;                   // no bad S or E in this lane or before it
  logic [Lanes-1:0]   hit_v;                  // column's acc + b saturated
  logic [Lanes*8-1:0] y_v;                    // final stage outputs
  logic [Lanes-1:0]   pok_v;                  // final stage: the lane's column is before any bad one
  logic [OutWords*32-1:0] tsat_v;             // RAW: t of lanes 0 .. OutWords-1
  // {ADC lane, mux position} of the column n after the one at (lane, grp).
  function automatic logic [LaneW+GrpW-1:0] advance(input logic [LaneW-1:0] lane,
                                                    input logic [GrpW-1:0] grp, input int n);
    logic [LaneW-1:0] l;
    logic [GrpW-1:0]  g;
    l = lane;
    g = grp;
    for (int k = 0; k < n; k++) begin
      if (g == GrpW'(ColsPerAdc - 1)) begin
        g = '0;
        l = l + 1'b1;
      end else begin
        g = g + 1'b1;
      end
    end
    return {l, g};
  endfunction
  // The next RAW group (OutWords columns) and the next group.
  logic [GrpW-1:0]  grp_n1, grp_nl;
  logic [LaneW-1:0] lane_n1, lane_nl;
  assign {lane_n1, grp_n1} = advance(lane_q, grp_q, OutWords);
  assign {lane_nl, grp_nl} = advance(lane_q, grp_q, Lanes);

  // ---- isa_tfl: the TFLite stage only where it is built (the sequencer answers POST with tfl
  // ILLEGAL otherwise, so tfl_q stays 0 and the E check, the shift and the mux fold away).
  logic tfl_en;
  if (IsaTfl != 0) begin : g_tfl
    assign tfl_en = 1'b1;
  end else begin : g_no_tfl
    assign tfl_en = 1'b0;
  end
  // ---- end isa_tfl

  for (genvar i = 0; i < Lanes; i++) begin : g_lane
    // The three words of the returning column.
    logic [31:0] w_b, w_m, w_s;
    assign w_b = par_rdata_i[i*96 +: 32];
    assign w_m = par_rdata_i[i*96 + 32 +: 32];
    assign w_s = par_rdata_i[i*96 + 64 +: 32];

    logic [5:0] s_field;
    assign s_field = w_s[5:0];
    // tfl: E's e in [-31, 30] and lo <= hi (signed bytes).
    logic signed [7:0] e_field, lo_field, hi_field;
    logic              bad_e;
    assign e_field  = w_s[7:0];
    assign lo_field = w_s[23:16];
    assign hi_field = w_s[31:24];
    assign bad_e    = (e_field < -8'sd31) || (e_field > 8'sd30) || (lo_field > hi_field);
    assign bad_v[i] = rv_q && !raw_q && (tfl_q ? bad_e : ((w_s[31:6] != '0) ||
                      (s_field == 6'd0) || (s_field > ShiftMax)));

    // The sum and the clamp of t = sat32(acc + b), used by every mode in the return stage.
    // The sum of two int32 is exact in 33 bits; it is outside int32 iff its two top bits differ.
    logic signed [32:0] tsum;
    logic signed [31:0] tsat;
    logic               tsum_sign, tsum_b31;
    assign tsum      = 33'($signed(acc_word_i[i*32 +: 32])) + 33'($signed(w_b));
    assign tsum_sign = tsum[32];
    assign tsum_b31  = tsum[31];
    assign hit_v[i]  = (tsum_sign != tsum_b31);
    assign tsat      = !hit_v[i] ? tsum[31:0] : tsum_sign ? 32'sh80000000 : 32'sh7fffffff;

    // tfl: u = t << max(e, 0) in 32 bits (wraps, as TFLite's int32 multiply by 2^e).
    logic [4:0]         e_l;
    logic signed [31:0] tshift;
    assign e_l    = (e_field > 8'sd0) ? 5'(e_field) : 5'd0;
    assign tshift = tsat << e_l;

    // Multiply stage registers (loaded by the return stage) and final stage registers.
    logic signed [31:0] t_q, m_q;
    logic [5:0]         s_q;
    logic [31:0]        ew_q;
    logic signed [63:0] p_q;
    logic [5:0]         ps_q;                 // S of the column in the final stage
    logic [31:0]        pe_q;                 // tfl: E of the column in the final stage
    logic               xok_q, pok_q;         // the column is before any bad S or E (Partial)
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        t_q   <= '0;
        m_q   <= '0;
        s_q   <= '0;
        ew_q  <= '0;
        p_q   <= '0;
        ps_q  <= '0;
        pe_q  <= '0;
        xok_q <= 1'b0;
        pok_q <= 1'b0;
      end else begin
        if (ret_go) begin
          t_q   <= tfl_q ? tshift : tsat;
          m_q   <= w_m;
          s_q   <= s_field;
          ew_q  <= w_s;
          xok_q <= ok_v[i];
        end
        if (xv_q) begin
          p_q   <= 64'(t_q) * 64'(m_q);
          ps_q  <= s_q;
          pe_q  <= ew_q;
          pok_q <= xok_q;
        end
      end
    end
    assign pok_v[i] = pok_q;

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
    if (IsaTfl != 0) begin : g_tfl
      aimc_post_tfl u_tfl (
        .p_i (p_q),
        .e_i (pe_q),
        .y_o (y_tfl)
      );
    end else begin : g_no_tfl
      assign y_tfl = y_int8;
    end
    assign y = tfl_q ? y_tfl : y_int8;
    assign y_v[i*8 +: 8] = y;

    if (i < OutWords) begin : g_raw
      assign tsat_v[i*32 +: 32] = tsat;
    end

    // The accumulator entry of column col_q + i. RAW reads OutWords columns per cycle: the other
    // lanes read entry 0 of lane 0 (unused).
    if (i == 0) begin : g_rd0
      assign acc_idx_o[0 +: IdxW]   = sbase_q + IdxW'(grp_q);
      assign acc_lane_o[0 +: LaneW] = lane_q;
    end else begin : g_rd
      logic [GrpW-1:0]  grp_i;
      logic [LaneW-1:0] lane_i;
      assign {lane_i, grp_i} = advance(lane_q, grp_q, i);
      localparam bit RawLane = (i < OutWords);  // RAW reads this lane's column too
      assign acc_idx_o[i*IdxW +: IdxW]    = (raw_q && !RawLane) ? '0 : sbase_q + IdxW'(grp_i);
      assign acc_lane_o[i*LaneW +: LaneW] = (raw_q && !RawLane) ? '0 : lane_i;
    end

    // Simulation only: the formal proof of this block (tests/formal/prove.sh post) leaves the final
    // stage's arithmetic to tests/formal/post_final.sh (a 64-bit division is beyond a bounded proof).
`ifndef SYNTHESIS
`ifndef FORMAL
    // The final stage against its reference definition (docs/numbers.md), 64-bit, and the tfl
    // stage against the literal definitions of docs/numbers.md (SRDHM with its nudge and a
    // division truncating toward zero, RDBPOT with its mask and threshold, zero point, clamps),
    // every column. All of it runs only in a cycle that checks a column (ref_on): Verilator
    // evaluates combinational logic at every edge of its clock, and these references in every
    // lane of every busy tile took a third of the edge model's simulation time with 16 lanes.
    // (Casts, not part selects, inside the always_comb: Icarus 11 cannot make selects sensitive.)
    logic ref_on, fin_ok, tfl_ok;
    assign ref_on = pv_q && pok_q;
    always_comb begin
      logic signed [63:0] q_ref, tr_nudge, tr_y;
      logic signed [31:0] tr_x, tr_mask, tr_rem, tr_thr, tr_q;
      logic signed [7:0]  tr_e, tr_zp, tr_lo, tr_hi, y_ref;
      logic [4:0]         tr_r;
      {q_ref, tr_nudge, tr_y, tr_x, tr_mask, tr_rem, tr_thr, tr_q} = '0;
      {tr_e, tr_zp, tr_lo, tr_hi, y_ref, tr_r} = '0;
      fin_ok = 1'b1;
      tfl_ok = 1'b1;
      if (ref_on && !tfl_q) begin
        q_ref  = (p_q + (64'sd1 <<< (ps_q - 6'd1))) >>> ps_q;
        q_ref  = (relu_q && q_ref < 0) ? 64'sd0 : q_ref;
        y_ref  = (q_ref > 64'sd127) ? 8'sd127 : (q_ref < -64'sd127) ? -8'sd127 : 8'(q_ref);
        fin_ok = (y == y_ref);
      end
      if (ref_on && tfl_q) begin
        tr_e     = 8'(pe_q);
        tr_zp    = 8'(pe_q >> 8);
        tr_lo    = 8'(pe_q >> 16);
        tr_hi    = 8'(pe_q >> 24);
        tr_r     = (tr_e < 0) ? 5'(-tr_e) : 5'd0;
        tr_nudge = (p_q >= 0) ? 64'sd1073741824 : 64'sd1 - 64'sd1073741824;
        // The quotient fits int32 (|p| <= 2^62 - 2^31 unless p = 2^62, handled apart).
        tr_x     = (p_q == 64'sh4000000000000000) ? 32'sh7fffffff
                                                  : 32'((p_q + tr_nudge) / 64'sd2147483648);
        tr_mask  = (32'sd1 <<< tr_r) - 32'sd1;
        tr_rem   = tr_x & tr_mask;
        tr_thr   = (tr_mask >>> 1) + ((tr_x < 0) ? 32'sd1 : 32'sd0);
        tr_q     = (tr_x >>> tr_r) + ((tr_rem > tr_thr) ? 32'sd1 : 32'sd0);
        tr_y     = 64'(tr_q) + 64'(tr_zp);
        tfl_ok   = (y == ((tr_y < 64'(tr_lo)) ? tr_lo : (tr_y > 64'(tr_hi)) ? tr_hi : 8'(tr_y)));
      end
    end
    `ASSERT(FinalRef_A, fin_ok)
    `ASSERT(TflRef_A, tfl_ok)
`endif
`endif
  end

  // Saturations of the returning group: the lanes before a bad S or E (RAW: lanes 0 ..
  // OutWords-1).
  function automatic logic [SatW-1:0] count_sat(input logic [Lanes-1:0] v);
    logic [SatW-1:0] n;
    n = '0;
    for (int i = 0; i < Lanes; i++) begin
      n = n + SatW'(v[i]);
    end
    return n;
  endfunction
  // The lanes before the first bad S or E of the group.
  function automatic logic [Lanes-1:0] lanes_ok(input logic [Lanes-1:0] bad);
    logic [Lanes-1:0] ok;
    logic             run;
    run = 1'b1;
    for (int i = 0; i < Lanes; i++) begin
      run   = run && !bad[i];
      ok[i] = run;
    end
    return ok;
  endfunction
  logic [Lanes-1:0] sat_lanes;
  logic [SatW-1:0]  sat_cnt;
  assign ok_v      = lanes_ok(bad_v);
  assign sat_lanes = hit_v & ok_v & (raw_q ? Lanes'((1 << OutWords) - 1) : {Lanes{1'b1}});
  assign sat_cnt   = count_sat(sat_lanes);
  assign bad_s     = |bad_v;

  // The output words of the final stage's group: with more than four lanes those whose four
  // columns are all before any bad S or E (pok_v is 1 up to the first bad lane); else whole.
  logic [OutWords-1:0] wmask;
  if (Partial) begin : g_wmask
    for (genvar j = 0; j < OutWords; j++) begin : g_word
      assign wmask[j] = pok_v[4*j + 3];
    end
    logic unused_pok;                       // lanes 4j .. 4j+2: implied by lane 4j+3
    assign unused_pok = ^pok_v;
  end else begin : g_wmask1
    assign wmask = 1'b1;
    logic unused_pok;
    assign unused_pok = ^pok_v;
  end

  // Lanes 1: the output byte of column pc_q within its word.
  logic [1:0] pc_byte;
  logic [7:0] y0;
  assign pc_byte = pc_q[1:0];
  assign y0      = y_v[7:0];
  assign last_f  = pv_q && (pc_q == ColW'(Cols - Lanes));

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
    ret_go  = 1'b0;
    pv_d    = 1'b0;
    pc_d    = pc_q;
    wbuf_d  = wbuf_q;
    err_d   = 1'b0;
    err2_d  = 1'b0;

    par_req_o   = 1'b0;
    par_addr_o  = '0;
    acc_rd_o    = 1'b0;
    out_we_o    = 1'b0;
    out_addr_o  = '0;
    out_wmask_o = '0;
    out_wdata_o = '0;
    sat_o       = '0;
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

    // Issue: Lanes columns per cycle (RAW: OutWords).
    if (iss_q) begin
      par_req_o  = 1'b1;
      par_addr_o = ParAw'(pbase_q);
      acc_rd_o   = 1'b1;
      if (raw_q) begin
        pbase_d = pbase_q + AddrW'(3 * OutWords);
        col_d   = col_q + ColW'(OutWords);
        grp_d   = grp_n1;
        lane_d  = lane_n1;
      end else begin
        pbase_d = pbase_q + AddrW'(3 * Lanes);
        col_d   = col_q + ColW'(Lanes);
        grp_d   = grp_nl;
        lane_d  = lane_nl;
      end
      if (last_col) begin
        iss_d = 1'b0;
      end
    end

    // Return.
    if (rv_q) begin
      sat_o = sat_cnt;
    end
    if (rv_q && !bad_s) begin
      if (raw_q) begin
        out_we_o    = 1'b1;
        out_addr_o  = ActAw'(dst_q + AddrW'(rc_q));
        out_wmask_o = '1;                     // Cols is a multiple of Lanes
        out_wdata_o = tsat_v;
        done_o      = (rc_q == ColW'(Cols - OutWords));
      end else begin
        xv_d   = 1'b1;
        xc_d   = rc_q;
        ret_go = 1'b1;
      end
    end
    if (Partial && rv_q && bad_s) begin
      // More than four lanes: the group of the bad column goes on (its lanes before the bad one
      // are ok, xok_q), so that its words before the bad column are written.
      xv_d   = 1'b1;
      xc_d   = rc_q;
      ret_go = 1'b1;
    end

    // Multiply (the lanes load p from t and M).
    if (xv_q) begin
      pv_d = 1'b1;
      pc_d = xc_q;
    end

    // Final (non-RAW only).
    if (pv_q) begin
      if (Lanes == 1) begin
        case (pc_byte)
          2'd0: wbuf_d[7:0]   = y0;
          2'd1: wbuf_d[15:8]  = y0;
          2'd2: wbuf_d[23:16] = y0;
          default: begin
            out_we_o    = 1'b1;
            out_addr_o  = ActAw'(dst_q + (AddrW'(pc_q) >> 2));
            out_wmask_o = OutWords'(1);
            out_wdata_o = (OutWords*32)'({y0, wbuf_q});
          end
        endcase
      end else begin
        // Four lanes or more: the group is OutWords whole output words.
        out_we_o    = |wmask;
        out_addr_o  = ActAw'(dst_q + (AddrW'(pc_q) >> 2));
        out_wmask_o = wmask;
        out_wdata_o = (OutWords*32)'(y_v);
      end
      done_o = last_f;
    end

    if (bad_s) begin
      // A column of the returning group has a bad S or E: issue no more; the columns before it
      // (multiply stage now, final stage next cycle) retire, then the command ends.
      iss_d = 1'b0;
      err_d = 1'b1;
    end
    if (err_q) begin
      if (Partial) begin
        err2_d = 1'b1;                        // the bad column's group is in the multiply stage
      end else begin
        done_o = 1'b1;
        err_o  = 1'b1;
      end
    end
    if (err2_q) begin
      done_o = 1'b1;
      err_o  = 1'b1;
    end
    if (done_o) begin
      // Finished or stopped: drop everything in flight.
      iss_d  = 1'b0;
      xv_d   = 1'b0;
      pv_d   = 1'b0;
      err_d  = 1'b0;
      err2_d = 1'b0;
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
      pv_q    <= 1'b0;
      pc_q    <= '0;
      wbuf_q  <= '0;
      err_q   <= 1'b0;
      err2_q  <= 1'b0;
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
      pv_q    <= pv_d;
      pc_q    <= pc_d;
      wbuf_q  <= wbuf_d;
      err_q   <= err_d;
      err2_q  <= err2_d;
    end
  end

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds).
  `ASSERT_NEVER(StartBusy_A, start_i && (iss_q || rv_q || xv_q || pv_q || err_q || err2_q))
  `ASSERT_INIT(Lanes_A, (Lanes == 1 || Lanes == 4 || Lanes == 8 || Lanes == 16) && Cols % 4 == 0 &&
                        Cols % Lanes == 0)

endmodule
