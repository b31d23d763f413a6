// SPDX-License-Identifier: Apache-2.0
// UART transmitter, 8N1, ClkDiv clock cycles per bit.

`include "aimc_assert.svh"

module aimc_uart_tx import aimc_pkg::*; #(
  parameter int ClkDiv = 104,               // clock cycles per bit (clock / baud), at least 4
  localparam int CntW  = aimc_aw(ClkDiv) + 1
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,     // send data_i; taken when ready_o is high
  output logic       ready_o,
  input  logic [7:0] data_i,
  output logic       tx_o         // line, idle high
);

  // The frame {stop, data, start} shifts out LSB first; bits_q counts the bits left.
  logic [9:0]      frame_q, frame_d;
  logic [3:0]      bits_q, bits_d;
  logic [CntW-1:0] cnt_q, cnt_d;

  // Slices outside always_comb: Icarus cannot sense a constant select inside one.
  logic [9:0] frame_shr;
  assign frame_shr = {1'b1, frame_q[9:1]};

  always_comb begin
    frame_d = frame_q;
    bits_d  = bits_q;
    cnt_d   = cnt_q;
    if (bits_q == 4'd0) begin
      if (valid_i) begin
        frame_d = {1'b1, data_i, 1'b0};
        bits_d  = 4'd10;
        cnt_d   = CntW'(ClkDiv - 1);
      end
    end else if (cnt_q != '0) begin
      cnt_d = cnt_q - 1'b1;
    end else begin
      frame_d = frame_shr;
      bits_d  = bits_q - 4'd1;
      cnt_d   = CntW'(ClkDiv - 1);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      frame_q <= '1;
      bits_q  <= '0;
      cnt_q   <= '0;
    end else begin
      frame_q <= frame_d;
      bits_q  <= bits_d;
      cnt_q   <= cnt_d;
    end
  end

  assign ready_o = (bits_q == 4'd0);
  assign tx_o    = (bits_q == 4'd0) ? 1'b1 : frame_q[0];

  `ASSERT_INIT(ClkDivMin_A, ClkDiv >= 4)

endmodule
