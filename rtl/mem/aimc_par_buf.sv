// SPDX-License-Identifier: Apache-2.0
// The parameter buffer: four single-port SRAM banks interleaved by word address (bank = addr % 4,
// row = addr / 4), so that the datapath reads the three parameter words of one column (b, M and
// S or E at param + 3c .. param + 3c + 2: three consecutive addresses, always three distinct
// banks) in one cycle and POST retires one column per cycle (docs/numbers.md, "Timing").
// The bus port reads and writes one word, in a cycle the datapath leaves free, as aimc_buf.
// IsaTfl = 0 (config key isa_tfl): POST has no tfl stage, so of the third word (S) it uses only
// bits 5:0 and whether bits 31:6 are all zero (BAD_PARAM otherwise); each bank reduces its word to
// those 7 bits before the rotation, and the datapath sees {25'b0, |w[31:6], w[5:0]} (the same S
// and the same BAD_PARAM as the full word; tfl's E is never read on such a chip).

`include "aimc_assert.svh"

module aimc_par_buf import aimc_pkg::*; #(
  parameter int Depth  = 1024,           // a multiple of 4
  parameter int Aw     = aimc_aw(Depth),
  parameter int IsaTfl = 1               // 0: the third datapath word carries S only (above)
) (
  input  logic             clk_i,
  // datapath port (read only): words addr, addr+1, addr+2 (modulo Depth) the next cycle
  input  logic             hw_req_i,
  input  logic [Aw-1:0]    hw_addr_i,
  output logic [95:0]      hw_rdata_o,   // {word addr+2, word addr+1, word addr}
  // bus port: served in a cycle the datapath leaves free (bus_gnt_o)
  input  logic             bus_req_i,
  input  logic             bus_we_i,
  input  logic [Aw-1:0]    bus_addr_i,
  input  logic [31:0]      bus_wdata_i,
  output logic             bus_gnt_o,
  output logic [31:0]      bus_rdata_o   // read data of the bus read granted in the previous cycle
);

  localparam int BankDepth = Depth / 4;
  localparam int RowW      = (Aw > 2) ? Aw - 2 : 1;

  assign bus_gnt_o = bus_req_i & ~hw_req_i;

  // Per bank: the row of the word the access needs. The datapath read of addr a touches in bank
  // k the first word at or after a with address % 4 == k (a / 4, or a / 4 + 1 for k < a % 4).
  logic [Aw-1:0]   addr;
  logic [RowW-1:0] arow;
  logic [1:0]      abank;
  logic [1:0]      sel_q;                      // bank of word a (hw) or of the bus word
  logic [3:0][31:0] brdata;

  assign addr  = hw_req_i ? hw_addr_i : bus_addr_i;
  assign arow  = RowW'(addr >> 2);
  assign abank = addr[1:0];

  for (genvar k = 0; k < 4; k++) begin : g_bank
    logic [RowW-1:0] row;
    logic            req;
    logic [RowW-1:0] next;
    assign next = (int'(arow) == BankDepth - 1) ? '0 : arow + 1'b1;
    assign row  = (hw_req_i && k < int'(abank)) ? next : arow;
    assign req = hw_req_i || (bus_req_i && abank == 2'(k));
    aimc_sram #(
      .Depth (BankDepth),
      .Width (32),
      .Aw    (RowW)
    ) u_sram (
      .clk_i   (clk_i),
      .req_i   (req),
      .we_i    (!hw_req_i && bus_we_i),
      .addr_i  (row),
      .wdata_i (bus_wdata_i),
      .rdata_o (brdata[k])
    );
  end

  always_ff @(posedge clk_i) begin
    if (hw_req_i || bus_req_i) begin
      sel_q <= abank;
    end
  end

  // ---- isa_tfl = 0: the third word reduced to S and "bits 31:6 set" before the rotation
  if (IsaTfl != 0) begin : g_word3
    assign hw_rdata_o = {brdata[2'(sel_q + 2'd2)], brdata[2'(sel_q + 2'd1)], brdata[sel_q]};
  end else begin : g_s_only
    logic [3:0][6:0] bs;
    for (genvar k = 0; k < 4; k++) begin : g_bs
      logic [31:0] w;
      assign w     = brdata[k];
      assign bs[k] = {|w[31:6], w[5:0]};
    end
    assign hw_rdata_o = {25'd0, bs[2'(sel_q + 2'd2)], brdata[2'(sel_q + 2'd1)], brdata[sel_q]};
  end
  // ---- end isa_tfl
  assign bus_rdata_o = brdata[sel_q];

  `ASSERT_INIT(DepthMult4_A, Depth % 4 == 0 && Depth >= 4)

endmodule
