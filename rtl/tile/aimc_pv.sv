// SPDX-License-Identifier: Apache-2.0
// Program-and-verify engine of one tile (its own block, issue 19): the pv_ctrl / pv_tol settings
// latched when the tile accepts a command, the done mask of the row being tuned (sticky: a cell
// that verified once is inhibited), the pulses spent on it against the budget, and the pulse /
// verify / unconverged counters. The tile's FSM sequences it, one row at a time:
//   row_start_i   the row's words are in (StProg): clear its done mask and pulse count
//   verify_i      verify read of the row this cycle (StPvVerify)
//   step_i        the verify result is on ok_i (StPvPulse): row_end_o if every cell is done or the
//                 budget is spent (stop_o with it: cells left and pv_ctrl.stop, PV_FAIL), else
//                 pulse_o with mask_o = the cells not done, and the FSM verifies again.
//
// PvEngine = 0 (the digital-twin crossbar, XbarImpl = XBAR_TWIN; the config checker already
// refuses pv_enable there): nothing is built. pv_o is 0, so PROG always takes the one-shot path
// whatever pv_ctrl holds, and the pulse and unconverged counters read 0 (the twin never pulses and
// never leaves a cell unconverged, so only PROG's cycle count differs from a built engine's; the
// C reference model has no timing).

module aimc_pv import aimc_pkg::*; #(
  parameter int Cells    = 64,
  parameter int PvEngine = 1,
  localparam int CellCntW = aimc_aw(Cells + 1)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              accept_i,       // the tile accepts a command: latch the settings
  input  logic              pv_en_i,
  input  logic              pv_stop_i,
  input  logic [7:0]        pv_budget_i,    // pulses per row at most; 0: verify only
  input  logic [15:0]       pv_tol_i,       // Q0.16 of Gmax - Gmin
  input  logic              row_start_i,
  input  logic              verify_i,
  input  logic              step_i,
  input  logic [Cells-1:0]  ok_i,           // the macro's last verify result
  output logic              pv_o,           // the PROG in progress runs program-and-verify
  output logic              row_end_o,
  output logic              stop_o,
  output logic              pulse_o,
  output logic [Cells-1:0]  mask_o,
  output logic [15:0]       tol_o,
  output logic [31:0]       idx_o,          // event index of this verify / pulse (macro noise)
  output logic [31:0]       pulse_cnt_o,    // row-parallel program pulses since reset
  output logic [31:0]       unconv_cnt_o    // cells left unconverged since reset
);

  if (PvEngine != 0) begin : g_pv
    logic             pv_q, stop_q;
    logic [7:0]       budget_q;
    logic [15:0]      tol_q;
    logic [Cells-1:0] done_q, done_now;
    logic [7:0]       n_q;
    logic [31:0]      pcnt_q, vcnt_q, unconv_q;
    logic             all_done, spent;
    logic [CellCntW-1:0] zeros;

    assign done_now = done_q | ok_i;
    assign all_done = &done_now;
    assign spent    = (n_q == budget_q);
    // Cells still outside the tolerance: $countones, not a loop (Verilator evaluated an unrolled
    // 2*Cols-step loop every cycle, issue 17 profile).
    assign zeros    = CellCntW'($countones(~done_now));

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        pv_q     <= 1'b0;
        stop_q   <= 1'b0;
        budget_q <= '0;
        tol_q    <= '0;
        done_q   <= '0;
        n_q      <= '0;
        pcnt_q   <= '0;
        vcnt_q   <= '0;
        unconv_q <= '0;
      end else begin
        if (accept_i) begin
          pv_q     <= pv_en_i;
          stop_q   <= pv_stop_i;
          budget_q <= pv_budget_i;
          tol_q    <= pv_tol_i;
        end
        if (row_start_i) begin
          done_q <= '0;
          n_q    <= '0;
        end else if (step_i) begin
          done_q <= done_now;
          if (!all_done && !spent) begin
            n_q    <= n_q + 8'd1;
            pcnt_q <= pcnt_q + 32'd1;
          end
          if (!all_done && spent) begin
            // Budget spent: the cells still outside the tolerance are counted, never ignored.
            unconv_q <= unconv_q + 32'(zeros);
          end
        end
        if (verify_i) begin
          vcnt_q <= vcnt_q + 32'd1;
        end
      end
    end

    assign pv_o         = pv_q;
    assign row_end_o    = step_i && (all_done || spent);
    assign stop_o       = step_i && !all_done && spent && stop_q;
    assign pulse_o      = step_i && !all_done && !spent;
    assign mask_o       = pulse_o ? ~done_now : '0;
    assign tol_o        = tol_q;
    assign idx_o        = verify_i ? vcnt_q : pcnt_q;
    assign pulse_cnt_o  = pcnt_q;
    assign unconv_cnt_o = unconv_q;
  end else begin : g_no_pv
    assign pv_o         = 1'b0;
    assign row_end_o    = 1'b0;
    assign stop_o       = 1'b0;
    assign pulse_o      = 1'b0;
    assign mask_o       = '0;
    assign tol_o        = '0;
    assign idx_o        = '0;
    assign pulse_cnt_o  = '0;
    assign unconv_cnt_o = '0;
    logic unused_pv;
    assign unused_pv = ^{clk_i, rst_ni, accept_i, pv_en_i, pv_stop_i, pv_budget_i, pv_tol_i,
                         row_start_i, verify_i, step_i, ok_i};
  end

endmodule
