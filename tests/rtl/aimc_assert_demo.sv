// SPDX-License-Identifier: Apache-2.0
// Every macro of the assertion layer on a free-running counter (tests/rtl/assert_layer.sh): the
// simulators run it inside aimc_assert_tb, yosys reads it for the FORMAL and SYNTHESIS forms.

`include "aimc_assert.svh"

module aimc_assert_demo #(
  parameter int Width = 4     // ASSERT_INIT: only 4 is legal (assert_layer.sh tries 5)
) (
  input logic clk_i,
  input logic rst_ni
);
  logic [3:0] cnt_q, prev_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q  <= 4'd1;
      prev_q <= 4'd0;
    end else begin
      cnt_q  <= cnt_q + 4'd1;
      prev_q <= cnt_q;
    end
  end
  `ASSERT(CntSteps_A, cnt_q == prev_q + 4'd1)
  `ASSERT_NEVER(CntStuck_A, cnt_q == prev_q)
  `ASSERT_KNOWN(CntKnown_A, cnt_q)
  `ASSERT_KNOWN_IF(PrevKnown_A, prev_q, cnt_q != 4'd0)
  `ASSUME(RstKnown_M, !$isunknown(rst_ni))
  `COVER(CntWrap_C, cnt_q == 4'd15)
  `ASSERT_INIT(WidthOk_A, Width == 4)
endmodule
