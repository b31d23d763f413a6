// SPDX-License-Identifier: Apache-2.0
// Formal stand-in for aimc_uart_rx (tests/formal/prove.sh bridge): any byte in any cycle, any
// framing error, so that the bridge's frame logic is explored byte by byte instead of bit by bit.
module aimc_uart_rx #(
  parameter int ClkDiv = 104
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic       valid_o,
  output logic [7:0] data_o,
  output logic       frame_err_o,
  output logic       busy_o
);
  (* anyseq *) logic       f_valid, f_ferr, f_busy;
  (* anyseq *) logic [7:0] f_data;
  assign valid_o     = f_valid;
  assign data_o      = f_data;
  assign frame_err_o = f_ferr;
  assign busy_o      = f_busy;
endmodule
