// SPDX-License-Identifier: Apache-2.0
// Soft reset: turns the soft_reset CSR pulse (and the watchdog's abort of the tile in flight) into
// registered, asynchronously asserted resets for the sequencer and the tiles (docs/errors.md).
//
// Both outputs come straight from flops so they cannot glitch. They are asserted on power-on
// reset and for the one cycle after a request; the release is synchronous to clk_i, like rst_ni's.

module aimc_soft_reset (
  input  logic clk_i,
  input  logic rst_ni,       // power-on reset, already synchronized
  input  logic soft_i,       // soft_reset.go pulse
  input  logic abort_i,      // stop of a program that may leave a tile busy (watchdog)
  output logic ctl_rst_no,   // sequencer, watchdog: power-on or soft reset
  output logic tile_rst_no   // tiles: power-on, soft reset or abort
);

  logic ctl_q, tile_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctl_q  <= 1'b0;
      tile_q <= 1'b0;
    end else begin
      ctl_q  <= !soft_i;
      tile_q <= !(soft_i || abort_i);
    end
  end

  assign ctl_rst_no  = ctl_q;
  assign tile_rst_no = tile_q;

endmodule
