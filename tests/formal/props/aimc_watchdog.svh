// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_watchdog (tests/formal/prove.sh wdog), inserted into a copy of the
// module by tests/formal/stage.py. Environment: any busy pattern and any budget, changing at will.
// Reference: f_run counts the busy cycles of the current run before this one (0 in the first).
// Proven: stop only while busy, never with budget 0; while busy with a budget, stop exactly
// when the run has used its budget (f_run >= budget), so a run is busy for at most budget + 1
// cycles; the counter resets between runs.
`include "aimc_assert.svh"

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  logic [31:0] f_run;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_run <= '0;
    end else begin
      f_run <= !busy_i ? 32'd0 : (f_run == 32'hffff_ffff) ? f_run : f_run + 32'd1;
    end
  end

  `ASSERT_NEVER(StopIdle_A, stop_o && !busy_i)
  `ASSERT_NEVER(StopNoBudget_A, stop_o && budget_i == '0)
  `ASSERT(StopAtBudget_A, !(busy_i && budget_i != '0) || (stop_o == (f_run >= budget_i)))
  `ASSERT(CountMatches_A, cnt_q == f_run)
  `COVER(StopHit_C, stop_o && budget_i == 32'd5)
