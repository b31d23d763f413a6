// SPDX-License-Identifier: Apache-2.0
// The parameter buffer: 4*Lanes single-port SRAM banks interleaved by word address (bank =
// addr % Banks, row = addr / Banks), so that the datapath reads the parameter words of Lanes
// columns (b, M and S or E at param + 3c .. param + 3c + 3*Lanes - 1: 3*Lanes consecutive
// addresses, always distinct banks) in one cycle and POST retires Lanes columns per cycle
// (docs/numbers.md, "Timing"; config key post_lanes).
// The bus port reads and writes one word, in a cycle the datapath leaves free, as aimc_buf.
// IsaTfl = 0 (config key isa_tfl): POST has no tfl stage, so of the third word (S) it uses only
// bits 5:0 and whether bits 31:6 are all zero (BAD_PARAM otherwise); each bank reduces its word to
// those 7 bits before the rotation, and the datapath sees {25'b0, |w[31:6], w[5:0]} (the same S
// and the same BAD_PARAM as the full word; tfl's E is never read on such a chip).

`include "aimc_assert.svh"

module aimc_par_buf import aimc_pkg::*; #(
  parameter int Depth  = 1024,           // a multiple of 4*Lanes
  parameter int Aw     = aimc_aw(Depth),
  parameter int IsaTfl = 1,              // 0: the third datapath word carries S only (above)
  parameter int Lanes  = 1,              // columns per datapath read: 1, 4, 8 or 16 (post_lanes)
  localparam int Banks = 4 * Lanes,
  localparam int Words = 3 * Lanes
) (
  input  logic               clk_i,
  // datapath port (read only): words addr .. addr+Words-1 (modulo Depth) the next cycle
  input  logic               hw_req_i,
  input  logic [Aw-1:0]      hw_addr_i,
  output logic [Words*32-1:0] hw_rdata_o, // word addr+i in bits [32i +: 32]
  // bus port: served in a cycle the datapath leaves free (bus_gnt_o)
  input  logic               bus_req_i,
  input  logic               bus_we_i,
  input  logic [Aw-1:0]      bus_addr_i,
  input  logic [31:0]        bus_wdata_i,
  output logic               bus_gnt_o,
  output logic [31:0]        bus_rdata_o  // read data of the bus read granted in the previous cycle
);

  localparam int BankW = aimc_aw(Banks);

  assign bus_gnt_o = bus_req_i & ~hw_req_i;

  // The datapath read takes the words addr .. addr+Words-1 from every bank; the bus one word.
  logic [BankW-1:0]       sel_q;             // bank of word addr (hw) or of the bus word
  logic [Banks-1:0][31:0] brdata;

  aimc_sram_banks #(
    .Depth (Depth),
    .Width (32),
    .Banks (Banks),
    .Aw    (Aw)
  ) u_banks (
    .clk_i   (clk_i),
    .req_i   (hw_req_i || bus_req_i),
    .all_i   (hw_req_i),
    .we_i    (!hw_req_i && bus_we_i),
    .addr_i  (hw_req_i ? hw_addr_i : bus_addr_i),
    .wmask_i (1'b1),
    .wdata_i (bus_wdata_i),
    .sel_o   (sel_q),
    .rdata_o (brdata)
  );

  // Word i of the read (column i/3's word i%3) comes from bank sel + i. With isa_tfl = 0 each
  // bank's word is reduced to S and "bits 31:6 set" before the rotation for the third words.
  logic [Banks-1:0][6:0] bs;
  if (IsaTfl == 0) begin : g_red
    for (genvar k = 0; k < Banks; k++) begin : g_bs
      logic [31:0] w;
      assign w     = brdata[k];
      assign bs[k] = {|w[31:6], w[5:0]};
    end
  end else begin : g_no_red
    assign bs = '0;
    logic unused_bs;
    assign unused_bs = ^bs;
  end
  for (genvar i = 0; i < Words; i++) begin : g_word
    if (IsaTfl == 0 && i % 3 == 2) begin : g_s_only
      assign hw_rdata_o[i*32 +: 32] = {25'd0, bs[BankW'(sel_q + BankW'(i))]};
    end else begin : g_full
      assign hw_rdata_o[i*32 +: 32] = brdata[BankW'(sel_q + BankW'(i))];
    end
  end
  assign bus_rdata_o = brdata[sel_q];

  `ASSERT_INIT(DepthMult_A, Depth % Banks == 0 && Depth >= Banks)
  `ASSERT_INIT(Lanes_A, Lanes == 1 || Lanes == 4 || Lanes == 8 || Lanes == 16)

endmodule
