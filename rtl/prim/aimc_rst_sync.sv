// SPDX-License-Identifier: Apache-2.0
// Reset synchronizer: asserts asynchronously, releases on the clock after Stages flops.

module aimc_rst_sync #(
  parameter int Stages = 2
) (
  input  logic clk_i,
  input  logic rst_ni,   // asynchronous, active low, from the pad
  output logic rst_no    // asynchronous assert, synchronous release
);

  logic [Stages-1:0] sync_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync_q <= '0;
    end else begin
      sync_q <= {sync_q[Stages-2:0], 1'b1};
    end
  end

  assign rst_no = sync_q[Stages-1];

endmodule
