// SPDX-License-Identifier: Apache-2.0
// Banks single-port SRAMs interleaved by word address (bank = addr % Banks, row = addr / Banks),
// the storage of the multi-word buffers (aimc_par_buf, aimc_buf with Banks > 1). An access of one
// word (all_i low) touches the bank of its word; a read of all banks (all_i) returns, in bank k,
// the first word at or after addr whose address % Banks == k (row addr / Banks, or the next row
// for k < addr % Banks, wrapping at the end), so that the caller rotates the Banks words by sel_o
// into addr, addr+1, ... The caller never writes with all_i. A write stores word j of wdata_i
// (j < WrWords) at addr + j where wmask_i[j] is set, each in its own bank (WrWords <= Banks):
// a one-word access sets wmask_i[0] only.

`include "aimc_assert.svh"

module aimc_sram_banks import aimc_pkg::*; #(
  parameter int Depth = 1024,             // a multiple of Banks
  parameter int Width = 32,
  parameter int Banks = 4,                // a power of two
  parameter int Aw    = aimc_aw(Depth),
  parameter int WrWords = 1,              // words of a write: a power of two, at most Banks
  localparam int BankW = aimc_aw(Banks)
) (
  input  logic                        clk_i,
  input  logic                        req_i,    // an access this cycle
  input  logic                        all_i,    // with req_i: read every bank (no write)
  input  logic                        we_i,
  input  logic [Aw-1:0]               addr_i,
  input  logic [WrWords-1:0]          wmask_i,  // with we_i: the words addr + j written
  input  logic [WrWords*Width-1:0]    wdata_i,  // word addr + j in [j*Width +: Width]
  output logic [BankW-1:0]            sel_o,    // bank of addr_i at the last access
  output logic [Banks-1:0][Width-1:0] rdata_o   // each bank's word of the last access
);

  localparam int BankDepth = Depth / Banks;
  localparam int RowW      = (Aw > BankW) ? Aw - BankW : 1;

  logic [RowW-1:0]  arow;
  logic [BankW-1:0] abank;
  assign arow  = RowW'(addr_i >> BankW);
  assign abank = addr_i[BankW-1:0];

  for (genvar k = 0; k < Banks; k++) begin : g_bank
    logic [RowW-1:0]  row, next;
    logic [BankW-1:0] j;                  // bank k holds word addr + j of a multi-word access
    logic [Width-1:0] wd;
    logic             wr_j, req;
    assign j    = BankW'(k) - abank;
    assign next = (int'(arow) == BankDepth - 1) ? '0 : arow + 1'b1;
    // Word addr + j is in row arow, or in the next one once the banks wrapped (k < addr % Banks).
    assign row  = (k < int'(abank)) ? next : arow;
    if (WrWords == 1) begin : g_wr1
      assign wd   = wdata_i;
      assign wr_j = (j == '0) && wmask_i[0];
    end else begin : g_wrn
      localparam int JW = $clog2(WrWords);
      logic [WrWords-1:0][Width-1:0] wwords;
      logic [JW-1:0]                 jw;
      assign wwords = wdata_i;
      assign jw     = j[JW-1:0];
      assign wd     = wwords[jw];
      assign wr_j   = (int'(j) < WrWords) && wmask_i[jw];
    end
    assign req  = req_i && (all_i || (we_i ? wr_j : (j == '0)));
    aimc_sram #(
      .Depth (BankDepth),
      .Width (Width),
      .Aw    (RowW)
    ) u_sram (
      .clk_i   (clk_i),
      .req_i   (req),
      .we_i    (we_i && !all_i),
      .addr_i  (row),
      .wdata_i (wd),
      .rdata_o (rdata_o[k])
    );
  end

  always_ff @(posedge clk_i) begin
    if (req_i) begin
      sel_o <= abank;
    end
  end

  `ASSERT_INIT(BanksPow2_A, Banks >= 2 && (Banks & (Banks - 1)) == 0 && Depth % Banks == 0)
  `ASSERT_INIT(WrWords_A, WrWords >= 1 && WrWords <= Banks && (WrWords & (WrWords - 1)) == 0)

endmodule
