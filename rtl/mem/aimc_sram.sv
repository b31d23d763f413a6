// SPDX-License-Identifier: Apache-2.0
// Single-port SRAM with a one-cycle read latency, the model of every on-chip buffer.

module aimc_sram import aimc_pkg::*; #(
  parameter int Depth = 1024,
  parameter int Width = 32,
  parameter int Aw    = aimc_aw(Depth)
) (
  input  logic             clk_i,
  input  logic             req_i,
  input  logic             we_i,
  input  logic [Aw-1:0]    addr_i,
  input  logic [Width-1:0] wdata_i,
  output logic [Width-1:0] rdata_o   // valid the cycle after a read request, held until the next
);

  // Unpacked array: one event per written word, which is what keeps Icarus fast.
  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  // Data arrays are not reset. They start at zero in simulation so that Verilator, Icarus and the
  // C reference model read the same value from a word nobody wrote (the model's memories are 0).
  initial begin
    for (int i = 0; i < Depth; i++) begin
      mem_q[i] = '0;
    end
    rdata_q = '0;
  end

  always_ff @(posedge clk_i) begin
    if (req_i) begin
      if (we_i) begin
        mem_q[addr_i] <= wdata_i;
      end else begin
        rdata_q <= mem_q[addr_i];
      end
    end
  end

  assign rdata_o = rdata_q;

`ifdef VERILATOR
  // Simulation-only backdoor (docs/trace-format.md, "Backdoor loads"): the Verilator harness writes
  // or reads a word of the array between two clock edges, in zero simulated cycles, with this
  // instance's scope set (tb/verilator/aimc_vl.cpp, aimc_vl_backdoor_write and _read). Icarus has
  // no DPI export: its runs replay bus traces (the frontdoor) only.
  export "DPI-C" function aimc_sram_bd_write;
  function automatic void aimc_sram_bd_write(input int unsigned addr, input int unsigned data);
    if (addr < Depth) begin
      mem_q[Aw'(addr)] = Width'(data);
    end
  endfunction

  export "DPI-C" function aimc_sram_bd_read;
  function automatic int unsigned aimc_sram_bd_read(input int unsigned addr);
    return addr < Depth ? 32'(mem_q[Aw'(addr)]) : 32'h0;
  endfunction
`endif

endmodule
