// SPDX-License-Identifier: Apache-2.0
// Clock gate (after OpenTitan's prim_clock_gating, generic model): a latch open while the clock is
// low holds the enable, ANDed with the clock, so the gated clock has no glitch and no shortened
// pulse. Behavioural model for simulation; a chip netlist puts its library's integrated
// clock-gating cell here. Enable = 0: the clock passes through and en_i is unused (FPGA builds and
// the generic synthesis check: no latch, no gated clock). docs/decisions/0011-tile-clock-gating.md

module aimc_clk_gate #(
  parameter bit Enable = 1'b1
) (
  input  logic clk_i,
  input  logic en_i,    // sampled while clk_i is low: the next rising edge passes iff it is 1
  output logic clk_o
);

  if (Enable) begin : g_gate
    logic en_q;

    always_latch begin
      if (!clk_i) begin
        en_q = en_i;
      end
    end

    assign clk_o = clk_i & en_q;
  end else begin : g_pass
    logic unused_en;
    assign unused_en = en_i;
    assign clk_o     = clk_i;
  end

endmodule
