// SPDX-License-Identifier: Apache-2.0
// Watchdog: counts the busy cycles of the current program run and asks the sequencer to stop
// with WATCHDOG once the run has used its budget and is still busy (budget 0: never).
//
// A run that starts in cycle 0 (first busy cycle) and is still busy in cycle `budget` is stopped
// there: it is busy for at most budget + 1 cycles. The count restarts whenever busy drops.

module aimc_watchdog (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        busy_i,     // the sequencer is running a program
  input  logic [31:0] budget_i,   // watchdog.cycles
  output logic        stop_o      // stop the program this cycle
);

  logic [31:0] cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= '0;
    end else if (!busy_i) begin
      cnt_q <= '0;
    end else if (cnt_q != '1) begin
      cnt_q <= cnt_q + 32'd1;
    end
  end

  assign stop_o = busy_i && (budget_i != '0) && (cnt_q >= budget_i);

endmodule
