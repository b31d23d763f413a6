// SPDX-License-Identifier: Apache-2.0
// Sequencer loop counters (aimc_sequencer): LOOP a, lc, n jumps to a while counter lc has counted
// fewer than n jumps, then clears it and falls through (docs/isa.md). All counters clear at start.

module aimc_seq_loops import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int LoopCnts = 4
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         clear_i,   // start: every counter to 0
  input  logic                         step_i,    // a LOOP executes this cycle
  input  logic [aimc_aw(LoopCnts)-1:0] idx_i,     // its counter
  input  logic [INSTR_C_W-1:0]         count_i,   // its jump count
  output logic                         taken_o    // it jumps
);

  logic [LoopCnts-1:0][15:0] lc_q, lc_d;

  assign taken_o = lc_q[idx_i] < count_i;

  always_comb begin
    lc_d = lc_q;
    if (clear_i) begin
      lc_d = '0;
    end else if (step_i) begin
      lc_d[idx_i] = taken_o ? lc_q[idx_i] + 16'd1 : '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lc_q <= '0;
    end else begin
      lc_q <= lc_d;
    end
  end

endmodule
