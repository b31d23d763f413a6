// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_pv, the program-and-verify engine (tests/formal/prove.sh pv), inserted
// into a copy of the module by tests/formal/stage.py. Environment: the tile FSM's contract (one of
// row_start / verify / step per cycle, a step only after a verify, no accept inside a row), any
// settings, any verify results. Reference (docs/analog-model.md, program-and-verify): per row,
// a done mask that only grows (a cell that verified once is inhibited), the pulses spent on the
// row, the pulse / verify / unconverged counts since reset.
// Proven: a step ends the row exactly when every cell is done or the row spent its budget; it
// pulses otherwise, with the mask = the cells never verified in this row (never empty), and a
// row never takes more than budget pulses; stop only at a row end with cells left and
// pv_stop; the settings are the ones of the last accept; the pulse, verify and unconverged
// counters and the event index match the reference counts.
`include "aimc_assert.svh"

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  if (PvEngine != 0) begin : g_f_pv
    // ---- environment: the tile FSM (StProg row_start, StPvVerify verify, StPvPulse step)
    logic f_in_row, f_verified;
    `ASSUME(OneStrobe_M, 32'($countones({row_start_i, verify_i, step_i})) <= 1)
    `ASSUME(StepAfterVerify_M, !step_i || f_verified)
    `ASSUME(VerifyInRow_M, !(verify_i || step_i) || f_in_row)
    `ASSUME(AcceptOutsideRow_M, !accept_i || !f_in_row)

    // ---- reference
    logic [Cells-1:0] f_done;        // cells verified in this row before this cycle
    logic [7:0]       f_pulses;      // pulses spent on this row
    logic [7:0]       f_budget;
    logic             f_pv, f_stop;
    logic [15:0]      f_tol;
    logic [31:0]      f_npulse, f_nverify, f_nunconv;
    logic [Cells-1:0] f_done_now;
    logic             f_end, f_all;
    assign f_done_now = f_done | ok_i;
    assign f_all      = (f_done_now == '1);
    assign f_end      = step_i && (f_all || f_pulses == f_budget);

    always @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        f_in_row   <= 1'b0;
        f_verified <= 1'b0;
        f_done     <= '0;
        f_pulses   <= '0;
        f_budget   <= '0;
        f_pv       <= 1'b0;
        f_stop     <= 1'b0;
        f_tol      <= '0;
        f_npulse   <= '0;
        f_nverify  <= '0;
        f_nunconv  <= '0;
      end else begin
        if (accept_i) begin
          f_pv     <= pv_en_i;
          f_stop   <= pv_stop_i;
          f_budget <= pv_budget_i;
          f_tol    <= pv_tol_i;
        end
        f_verified <= verify_i;
        if (row_start_i) begin
          f_in_row <= 1'b1;
          f_done   <= '0;
          f_pulses <= '0;
        end
        if (verify_i) f_nverify <= f_nverify + 32'd1;
        if (step_i) begin
          f_done <= f_done_now;
          if (f_end) begin
            f_in_row <= 1'b0;
            if (!f_all) f_nunconv <= f_nunconv + 32'($countones(~f_done_now));
          end else begin
            f_pulses <= f_pulses + 8'd1;
            f_npulse <= f_npulse + 32'd1;
          end
        end
      end
    end

    `ASSERT(RowEnd_A, row_end_o == f_end)
    `ASSERT(Pulse_A, pulse_o == (step_i && !f_end))
    `ASSERT(Stop_A, stop_o == (f_end && !f_all && f_stop))
    `ASSERT(Mask_A, mask_o == (pulse_o ? ~f_done_now : '0))
    `ASSERT_NEVER(EmptyPulse_A, pulse_o && mask_o == '0)
    `ASSERT(Budget_A, !f_in_row || f_pulses <= f_budget)
    `ASSERT(Settings_A, pv_o == f_pv && tol_o == f_tol)
    `ASSERT(PulseCnt_A, pulse_cnt_o == f_npulse)
    `ASSERT(UnconvCnt_A, unconv_cnt_o == f_nunconv)
    `ASSERT(EventIdx_A, idx_o == (verify_i ? f_nverify : f_npulse))
    `COVER(StopAfterPulses_C, stop_o && f_pulses == 8'd2)
    `COVER(ConvergedAfterPulse_C, row_end_o && f_all && f_pulses != 8'd0)
  end
