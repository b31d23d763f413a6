// SPDX-License-Identifier: Apache-2.0
// UART receiver, 8N1, ClkDiv clock cycles per bit: each bit is sampled once in its middle.

`include "aimc_assert.svh"

module aimc_uart_rx import aimc_pkg::*; #(
  parameter int ClkDiv = 104,               // clock cycles per bit (clock / baud), at least 4
  localparam int CntW  = aimc_aw(ClkDiv) + 1
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,        // line, idle high (asynchronous: synchronized here)
  output logic       valid_o,     // one cycle: data_o holds a byte with a good stop bit
  output logic [7:0] data_o,
  output logic       frame_err_o, // one cycle: the stop bit of the byte just received was low
  output logic       busy_o       // a byte is being received
);

  typedef enum logic [1:0] {StIdle, StStart, StData, StStop} rx_state_e;

  // Two flip-flops bring the line into the clock domain; they reset to the idle level.
  logic rx_meta_q, rx_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_meta_q <= 1'b1;
      rx_q      <= 1'b1;
    end else begin
      rx_meta_q <= rx_i;
      rx_q      <= rx_meta_q;
    end
  end

  rx_state_e       state_q, state_d;
  logic [CntW-1:0] cnt_q, cnt_d;
  logic [2:0]      bit_q, bit_d;
  logic [7:0]      shift_q, shift_d;
  logic            valid_d, ferr_d;

  // Slices outside always_comb: Icarus cannot sense a constant select inside one.
  logic [7:0] shift_in;
  assign shift_in = {rx_q, shift_q[7:1]};   // LSB first

  always_comb begin
    state_d = state_q;
    cnt_d   = cnt_q;
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    ferr_d  = 1'b0;
    case (state_q)
      StIdle: begin
        if (!rx_q) begin
          state_d = StStart;
          cnt_d   = CntW'(ClkDiv / 2 - 1);
        end
      end
      StStart: begin
        if (cnt_q != '0) begin
          cnt_d = cnt_q - 1'b1;
        end else if (rx_q) begin
          state_d = StIdle;                 // a glitch, not a start bit
        end else begin
          state_d = StData;
          cnt_d   = CntW'(ClkDiv - 1);
          bit_d   = 3'd0;
        end
      end
      StData: begin
        if (cnt_q != '0) begin
          cnt_d = cnt_q - 1'b1;
        end else begin
          shift_d = shift_in;
          cnt_d   = CntW'(ClkDiv - 1);
          bit_d   = bit_q + 3'd1;
          if (bit_q == 3'd7) begin
            state_d = StStop;
          end
        end
      end
      StStop: begin
        if (cnt_q != '0) begin
          cnt_d = cnt_q - 1'b1;
        end else begin
          state_d = StIdle;
          valid_d = rx_q;
          ferr_d  = ~rx_q;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      cnt_q       <= '0;
      bit_q       <= '0;
      shift_q     <= '0;
      valid_o     <= 1'b0;
      frame_err_o <= 1'b0;
    end else begin
      state_q     <= state_d;
      cnt_q       <= cnt_d;
      bit_q       <= bit_d;
      shift_q     <= shift_d;
      valid_o     <= valid_d;
      frame_err_o <= ferr_d;
    end
  end

  assign data_o = shift_q;
  assign busy_o = (state_q != StIdle);

  `ASSERT_INIT(ClkDivMin_A, ClkDiv >= 4)

endmodule
