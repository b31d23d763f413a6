// SPDX-License-Identifier: Apache-2.0
// Formal stand-in for aimc_uart_tx (tests/formal/prove.sh bridge): ready in any cycle.
module aimc_uart_tx #(
  parameter int ClkDiv = 104
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  output logic       ready_o,
  input  logic [7:0] data_i,
  output logic       tx_o
);
  (* anyseq *) logic f_ready;
  assign ready_o = f_ready;
  assign tx_o    = 1'b1;
endmodule
