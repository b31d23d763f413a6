// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_tile's control (tests/formal/prove.sh tile), inserted into a copy of
// the module by tests/formal/stage.py. The tile is proved with its real program-and-verify engine
// (aimc_pv), DAC and ADC interfaces and slice map; the crossbar, the accumulator and the
// post-processing are formal stand-ins (tests/formal/stubs/: free verify results, codes and
// words; POST ends at any cycle up to its longest latency, with or without BAD_PARAM), each with
// its own proof. aimc_pv's own properties are left out (stage.py --props): the order its proof
// assumes of the tile (one strobe a cycle, a step only after a verify, ...) is asserted here.
// Environment: reset first; any command stream (any opcode, flags, operands, settings); each port
// granted only to a requester and kept while requested (aimc_arb); settle_cycles_i <= 2 (bounds
// the MVM latency; settle 0 is taken as 1).
// Reference: f_open (a command accepted, its done_o not given yet), its opcode and settings, the
// cycles since its accept (f_age, 1 the cycle after), of those the cycles waiting in StProg for
// the weight port, rows programmed, pulses, array reads; per row of a PROG the same since the
// last row end.
// Proven (tile_overlap 0: one command at a time): legal FSM states; ready only when idle; busy only with a command open, and an open
// command is busy until its done_o, which comes in an idle cycle, once; err_o only with done_o
// and exactly for its cause (ILLEGAL for a non-tile opcode, BAD_PARAM from POST, PV_FAIL from a
// stopped program-and-verify row); latency from the accept edge to done_o: ILLEGAL 1, PROG
// Rows*RowWords + 3, PROG with program-and-verify 1 + rows*(RowWords + 3) + 2*pulses + wait,
// each row RowWords + 3 + 2*its pulses + its wait, MVM at most FMvmMax, POST 4 .. Cols + 4,
// ACCADD Cols + 2, and no command open longer than its bound (no hang); a PROG programs every row
// unless stopped; port requests only for the phase that uses the port, grants respected; PV
// strobes and the one-shot row program only in the PROG states, MVM strobes (DAC drive, settle,
// ADC convert, accumulate) only in the MVM states, never both; conversions start only on settled
// DACs; the crossbar's prog / pulse / verify never together; aimc_pv's environment; one MVM
// event per MVM, at most 2*NumSlices array reads; counters move by exactly their events.
// Depth: 30 frames of ABC's bmc3 (a clocked assertion is seen in the frame after its cycle, so
// cycles 0 .. 28): the longest MVM (FMvmMax = 27 cycles, MvmLongest_C at frame 29) and a whole
// PROG with program-and-verify fit. Every COVER is checked reachable by prove.sh.
`include "aimc_assert.svh"

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  localparam int FSettleMax = 2;
  // Longest MVM, accept to done_o: the load (LoadCycles + 1 after the accept cycle), the first
  // phase's apply cycle and settle, then every phase applied, each CC + 1 cycles (the next one's
  // settle hidden under the conversions).
  localparam int FMvmMax = 1 + (LoadCycles + 1) + 1 + FSettleMax +
                           2 * NumSlices * (ArrPerAdc * AdcCycles + 1);

  // ---- environment: the sequencer and the port arbiters (aimc_arb) ---------------------------
  logic f_wgt_own, f_dat_own;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_wgt_own <= 1'b0;
      f_dat_own <= 1'b0;
    end else begin
      f_wgt_own <= wgt_port_req_o && wgt_port_gnt_i;
      f_dat_own <= dat_port_req_o && dat_port_gnt_i;
    end
  end
  `ASSUME(WgtGntReq_M, !wgt_port_gnt_i || wgt_port_req_o)
  `ASSUME(DatGntReq_M, !dat_port_gnt_i || dat_port_req_o)
  `ASSUME(WgtGntHold_M, !(f_wgt_own && wgt_port_req_o) || wgt_port_gnt_i)
  `ASSUME(DatGntHold_M, !(f_dat_own && dat_port_req_o) || dat_port_gnt_i)
  `ASSUME(SettleMax_M, settle_cycles_i <= 8'(FSettleMax))

  // ---- reference ---------------------------------------------------------------------------------
  logic f_st_prog, f_st_mvm, f_st_dat, f_tile_op, f_wait_now;
  assign f_st_prog  = (state_q == StProg) || (state_q == StPvVerify) || (state_q == StPvPulse);
  assign f_st_mvm   = (state_q == StMvmLoad) || (state_q == StMvmPhase) ||
                      (state_q == StMvmSettle) || (state_q == StMvmConv) || (state_q == StMvmNext);
  assign f_st_dat   = (state_q == StMvmLoad) || post_run_q || (state_q == StAccAdd);
  assign f_wait_now = (state_q == StProg) && !wgt_port_gnt_i;

  logic        f_open, f_pv, f_stop, f_in_row, f_verified, f_stopped, f_post_err;
  logic [3:0]  f_op;
  logic [7:0]  f_budget;
  logic [15:0] f_age, f_wait, f_rows, f_pulses, f_reads, f_row_age, f_row_wait, f_row_pulses;
  logic        f_ev_read, f_ev_row, f_ev_mvm, f_pulse, f_row_end;
  logic [31:0] f_conv, f_prog, f_pcnt, f_ucnt;
  assign f_tile_op = (f_op == OpProg) || (f_op == OpMvm) || (f_op == OpPost) ||
                     ((IsaTfl != 0) && (f_op == OpAccadd));

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_open       <= 1'b0;
      f_op         <= '0;
      f_pv         <= 1'b0;
      f_stop       <= 1'b0;
      f_budget     <= '0;
      f_age        <= '0;
      f_wait       <= '0;
      f_rows       <= '0;
      f_pulses     <= '0;
      f_reads      <= '0;
      f_row_age    <= '0;
      f_row_wait   <= '0;
      f_row_pulses <= '0;
      f_in_row     <= 1'b0;
      f_verified   <= 1'b0;
      f_stopped    <= 1'b0;
      f_post_err   <= 1'b0;
      f_ev_read    <= 1'b0;
      f_ev_row     <= 1'b0;
      f_ev_mvm     <= 1'b0;
      f_pulse      <= 1'b0;
      f_row_end    <= 1'b0;
      f_conv       <= '0;
      f_prog       <= '0;
      f_pcnt       <= '0;
      f_ucnt       <= '0;
    end else begin
      if (accept) begin
        f_open       <= 1'b1;
        f_op         <= cmd_op;
        f_pv         <= pv_en_i;
        f_stop       <= pv_stop_i;
        f_budget     <= pv_budget_i;
        f_age        <= 16'd1;
        f_wait       <= '0;
        f_rows       <= '0;
        f_pulses     <= '0;
        f_reads      <= '0;
        f_row_age    <= 16'd1;
        f_row_wait   <= '0;
        f_row_pulses <= '0;
        f_stopped    <= 1'b0;
      end else begin
        if (done_o) f_open <= 1'b0;
        f_age    <= f_age + 16'd1;
        f_wait   <= f_wait + 16'(f_wait_now);
        f_rows   <= f_rows + 16'(ev_prog_row_o);
        f_pulses <= f_pulses + 16'(pv_pulse);
        f_reads  <= f_reads + 16'(ev_read_o);
        if (ev_prog_row_o) begin
          f_row_age    <= 16'd1;
          f_row_wait   <= '0;
          f_row_pulses <= '0;
        end else begin
          f_row_age    <= f_row_age + 16'd1;
          f_row_wait   <= f_row_wait + 16'(f_wait_now);
          f_row_pulses <= f_row_pulses + 16'(pv_pulse);
        end
        if (pv_step && pv_row_end && pv_stop) f_stopped <= 1'b1;
      end
      if (pv_row_start) f_in_row <= 1'b1;
      if (pv_step && pv_row_end) f_in_row <= 1'b0;
      f_verified <= pv_verify;
      f_post_err <= post_done && post_err;
      f_ev_read  <= ev_read_o;
      f_ev_row   <= ev_prog_row_o;
      f_ev_mvm   <= ev_mvm_o;
      f_pulse    <= pv_pulse;
      f_row_end  <= pv_step && pv_row_end;
      f_conv     <= conv_cnt_o;
      f_prog     <= prog_cnt_o;
      f_pcnt     <= pv_pulse_cnt_o;
      f_ucnt     <= pv_unconv_cnt_o;
    end
  end

  // Latency of the open command at its done_o (exact where the command's length is fixed), and
  // the bound no open command outlives (cycles waiting for the weight port not counted).
  logic        f_lat_ok;
  logic [15:0] f_bound;
  always @(*) begin
    case (f_op)
      OpProg: begin
        f_bound  = f_pv ? 16'd1 + 16'(Rows) * (16'(RowWords + 3) + 16'd2 * 16'(f_budget))
                        : 16'(ProgWords + 3);
        f_lat_ok = f_pv ? (f_age == 16'd1 + f_rows * 16'(RowWords + 3) + 16'd2 * f_pulses + f_wait)
                        : (f_age == 16'(ProgWords + 3));
      end
      OpMvm: begin
        f_bound  = 16'(FMvmMax);
        f_lat_ok = (f_age <= 16'(FMvmMax));
      end
      OpPost: begin
        f_bound  = 16'(Cols + 4);
        f_lat_ok = (f_age >= 16'd4) && (f_age <= 16'(Cols + 4));
      end
      OpAccadd: begin
        f_bound  = (IsaTfl != 0) ? 16'(Cols + 2) : 16'd1;
        f_lat_ok = (f_age == f_bound);
      end
      default: begin
        f_bound  = 16'd1;
        f_lat_ok = (f_age == 16'd1);
      end
    endcase
  end

  // ---- FSM and the busy / done handshake with the sequencer ------------------------------------
  `ASSERT(LegalState_A, state_q <= StMvmNext)
  `ASSERT(ReadyIdle_A, !cmd_ready_o || (state_q == StIdle && !post_run_q))
  `ASSERT(BusyOpen_A, !busy_o || f_open)
  `ASSERT(OpenBusy_A, !f_open || busy_o || done_o)
  `ASSERT(DoneIdle_A, !done_o || (f_open && !busy_o))
  `ASSERT(AcceptClosed_A, !accept || !f_open || done_o)
  `ASSERT(Latency_A, !done_o || f_lat_ok)
  `ASSERT(Bound_A, !f_open || (f_age - f_wait) <= f_bound)
  `ASSERT(RowLatency_A, !(ev_prog_row_o && pv_q) ||
                        f_row_age == 16'(RowWords + 3) + 16'd2 * f_row_pulses + f_row_wait)
  `ASSERT(RowBound_A, !(f_open && f_op == OpProg && f_pv) ||
                      (f_row_age - f_row_wait) <= 16'(RowWords + 3) + 16'd2 * 16'(f_budget))

  // ---- errors: only with done_o, and exactly for their cause -------------------------------------
  `ASSERT(ErrDone_A, !err_o || done_o)
  `ASSERT(ErrCode_A, err_o == (err_code_o != ErrNone))
  `ASSERT(ErrIllegal_A, !(done_o && !f_tile_op) || (err_o && err_code_o == ErrIllegal))
  `ASSERT(ErrPost_A, !(done_o && f_op == OpPost) ||
                     (err_o == f_post_err && (!err_o || err_code_o == ErrBadParam)))
  `ASSERT(ErrProg_A, !(done_o && f_op == OpProg) ||
                     (err_o == f_stopped && (!err_o || err_code_o == ErrPvFail)))
  `ASSERT(ErrOther_A, !(done_o && (f_op == OpMvm || f_op == OpAccadd)) || !err_o)
  `ASSERT(StopOnlyPv_A, !f_stopped || (f_pv && f_stop))
  `ASSERT(ProgRows_A, !(done_o && f_op == OpProg) ||
                      (err_o ? (f_rows != 16'd0 && f_rows <= 16'(Rows)) : f_rows == 16'(Rows)))

  // ---- ports: requested for the phase that uses them, accessed only with the grant -------------
  `ASSERT(WgtReqPhase_A, !(busy_o && wgt_port_req_o) || state_q == StProg)
  `ASSERT(DatReqPhase_A, (busy_o && dat_port_req_o) == f_st_dat)
  `ASSERT(ReqIdle_A, busy_o || (wgt_port_req_o == (cmd_valid_i && cmd_op == OpProg) &&
                                dat_port_req_o == (cmd_valid_i && cmd_is_dat)))
  `ASSERT(WgtAccess_A, !wgt_req_o || (state_q == StProg && !pv_verify && !pv_pulse))

  // ---- MVM and PROG apart; the phases of each ---------------------------------------------------
  `ASSERT(PvOnlyInProg_A, !(pv_row_start || pv_verify || pv_step || pv_pulse || pfire_q ||
                            ev_prog_row_o || wgt_req_o) || f_st_prog)
  `ASSERT(PvOnlyPv_A, !(pv_row_start || pv_verify || pv_step || f_in_row) || pv_q)
  `ASSERT(PvStates_A, pv_verify == (state_q == StPvVerify) && pv_step == (state_q == StPvPulse))
  `ASSERT(MvmOnlyInMvm_A, !(dac_apply || dac_settle || dac_settling || adc_start || adc_conv ||
                            adc_code_valid || acc_clr || ev_read_o || ev_mvm_o || ev_stall_o) ||
                          f_st_mvm)
  `ASSERT(PostOnlyInPost_A, !(post_par_req || post_acc_rd || post_we) || post_run_q)
  `ASSERT(PostAlone_A, !post_run_q || state_q == StIdle)  // tile_overlap 0 (this proof)
  `ASSERT(ConvSettled_A, !adc_start || !dac_settling || dac_settled)
  `ASSERT(XbarOneOp_A, 32'($countones({pfire_q, pv_pulse, pv_verify})) <= 1)
  `ASSERT(MvmEvent_A, f_ev_mvm == (done_o && f_op == OpMvm))
  `ASSERT(MvmReads_A, !(f_open && f_op == OpMvm) || f_reads <= 16'(2 * NumSlices))
  // aimc_pv's environment (assumed by its own proof, prove.sh pv)
  `ASSERT(PvOneStrobe_A, 32'($countones({pv_row_start, pv_verify, pv_step})) <= 1)
  `ASSERT(PvStepAfterVerify_A, !pv_step || f_verified)
  `ASSERT(PvInRow_A, !(pv_verify || pv_step) || f_in_row)
  `ASSERT(PvAcceptOutsideRow_A, !accept || !f_in_row)

  // ---- counters: each moves by exactly its events ------------------------------------------------
  `ASSERT(ConvCnt_A, conv_cnt_o == f_conv + 32'(f_ev_read))
  `ASSERT(ProgCnt_A, prog_cnt_o == f_prog + 32'(f_ev_row))
  `ASSERT(PulseCnt_A, pv_pulse_cnt_o == f_pcnt + 32'(f_pulse))
  `ASSERT(UnconvCnt_A, pv_unconv_cnt_o == f_ucnt || (f_row_end && pv_unconv_cnt_o > f_ucnt))

  // ---- covers: every phase reached, every error, the longest commands ---------------------------
  `COVER(MvmPhase_C, state_q == StMvmPhase && !dac_active)
  `COVER(MvmSettle_C, state_q == StMvmSettle)
  `COVER(MvmNext_C, state_q == StMvmNext)
  `COVER(MvmAllPhases_C, done_o && f_op == OpMvm && f_reads == 16'(2 * NumSlices))
  `COVER(MvmLongest_C, done_o && f_op == OpMvm && f_age == 16'(FMvmMax))
  `COVER(PvPulse_C, pv_pulse)
  `COVER(PvFail_C, done_o && err_code_o == ErrPvFail)
  `COVER(PvProgDone_C, done_o && f_op == OpProg && f_pv && !err_o && f_pulses != 16'd0)
  `COVER(BadParam_C, done_o && err_code_o == ErrBadParam)
  `COVER(Illegal_C, done_o && err_code_o == ErrIllegal)
  `COVER(AccAddDone_C, done_o && f_op == OpAccadd)
  `COVER(BackToBack_C, done_o && accept)
