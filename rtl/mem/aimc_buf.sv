// SPDX-License-Identifier: Apache-2.0
// One on-chip buffer shared by the datapath (sequencer or tile, which always wins) and the bus.
// Banks = 1: one SRAM. Banks = 4 (the activation buffers with config key load_words = 4): four
// single-port SRAM banks interleaved by word address (bank = addr % 4, row = addr / 4), so that a
// datapath read returns the four words addr .. addr+3 (modulo Depth) in one cycle, as
// aimc_par_buf does for the parameters. A datapath write stores the words addr + j (j < WrWords)
// whose hw_wmask_i bit is set (WrWords > 1: POST with post_lanes 8 or 16 writes the output words
// of 8 or 16 columns in one cycle); bus accesses take one word.

`include "aimc_assert.svh"

module aimc_buf import aimc_pkg::*; #(
  parameter int Depth = 1024,
  parameter int Width = 32,
  parameter int Aw    = aimc_aw(Depth),
  parameter int Banks = 1,                // 1 or 4: words of a datapath read
  parameter int WrWords = 1               // words of a datapath write: 1, 2 or 4, at most Banks
) (
  input  logic                   clk_i,
  // datapath port: never waits
  input  logic                   hw_req_i,
  input  logic                   hw_we_i,
  input  logic [Aw-1:0]          hw_addr_i,
  input  logic [WrWords-1:0]     hw_wmask_i,   // with hw_we_i: the words addr + j written
  input  logic [WrWords*Width-1:0] hw_wdata_i,  // word addr + j in [j*Width +: Width]
  // bus port: served in a cycle the datapath leaves free (bus_gnt_o)
  input  logic                   bus_req_i,
  input  logic                   bus_we_i,
  input  logic [Aw-1:0]          bus_addr_i,
  input  logic [Width-1:0]       bus_wdata_i,
  output logic                   bus_gnt_o,
  // read data of the access granted in the previous cycle, whichever port made it: word addr+i
  // in [i*Width +: Width] (a bus read: word 0)
  output logic [Banks*Width-1:0] rdata_o
);

  assign bus_gnt_o = bus_req_i & ~hw_req_i;

  if (Banks == 1) begin : g_one
    // WrWords = 1 here (asserted): one word, written when its mask bit is set.
    aimc_sram #(
      .Depth (Depth),
      .Width (Width),
      .Aw    (Aw)
    ) u_sram (
      .clk_i   (clk_i),
      .req_i   (hw_req_i | bus_req_i),
      .we_i    (hw_req_i ? hw_we_i && hw_wmask_i[0] : bus_we_i),
      .addr_i  (hw_req_i ? hw_addr_i  : bus_addr_i),
      .wdata_i (hw_req_i ? hw_wdata_i[Width-1:0] : bus_wdata_i),
      .rdata_o (rdata_o)
    );
  end else begin : g_banked
    localparam int BankW = aimc_aw(Banks);
    logic [BankW-1:0]            sel_q;
    logic [Banks-1:0][Width-1:0] brdata;

    // A datapath read returns Banks consecutive words, a datapath write up to WrWords; the bus one.
    aimc_sram_banks #(
      .Depth   (Depth),
      .Width   (Width),
      .Banks   (Banks),
      .Aw      (Aw),
      .WrWords (WrWords)
    ) u_banks (
      .clk_i   (clk_i),
      .req_i   (hw_req_i || bus_req_i),
      .all_i   (hw_req_i && !hw_we_i),
      .we_i    (hw_req_i ? hw_we_i    : bus_we_i),
      .addr_i  (hw_req_i ? hw_addr_i  : bus_addr_i),
      .wmask_i (hw_req_i ? hw_wmask_i : WrWords'(1)),
      .wdata_i (hw_req_i ? hw_wdata_i : (WrWords*Width)'(bus_wdata_i)),
      .sel_o   (sel_q),
      .rdata_o (brdata)
    );

    for (genvar i = 0; i < Banks; i++) begin : g_word
      assign rdata_o[i*Width +: Width] = brdata[BankW'(sel_q + BankW'(i))];
    end
  end

  `ASSERT_INIT(Banks_A, (Banks == 1 || Banks == 4) && Depth % Banks == 0)
  `ASSERT_INIT(WrWords_A, (WrWords == 1 || WrWords == 2 || WrWords == 4) && WrWords <= Banks)

endmodule
