// SPDX-License-Identifier: Apache-2.0
// One on-chip buffer shared by the datapath (sequencer or tile, which always wins) and the bus.

module aimc_buf import aimc_pkg::*; #(
  parameter int Depth = 1024,
  parameter int Width = 32,
  parameter int Aw    = aimc_aw(Depth)
) (
  input  logic             clk_i,
  // datapath port: never waits
  input  logic             hw_req_i,
  input  logic             hw_we_i,
  input  logic [Aw-1:0]    hw_addr_i,
  input  logic [Width-1:0] hw_wdata_i,
  // bus port: served in a cycle the datapath leaves free (bus_gnt_o)
  input  logic             bus_req_i,
  input  logic             bus_we_i,
  input  logic [Aw-1:0]    bus_addr_i,
  input  logic [Width-1:0] bus_wdata_i,
  output logic             bus_gnt_o,
  // read data of the access granted in the previous cycle, whichever port made it
  output logic [Width-1:0] rdata_o
);

  assign bus_gnt_o = bus_req_i & ~hw_req_i;

  aimc_sram #(
    .Depth (Depth),
    .Width (Width),
    .Aw    (Aw)
  ) u_sram (
    .clk_i   (clk_i),
    .req_i   (hw_req_i | bus_req_i),
    .we_i    (hw_req_i ? hw_we_i    : bus_we_i),
    .addr_i  (hw_req_i ? hw_addr_i  : bus_addr_i),
    .wdata_i (hw_req_i ? hw_wdata_i : bus_wdata_i),
    .rdata_o (rdata_o)
  );

endmodule
