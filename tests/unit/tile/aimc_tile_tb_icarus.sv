// SPDX-License-Identifier: Apache-2.0
// Icarus top of the tile bench: clock and reset for aimc_tile_tb (Verilator drives them from C++).

module aimc_tile_tb_icarus #(
  parameter int Rows         = 16,
  parameter int Cols         = 8,
  parameter int DacBits      = 2,
  parameter int AdcBits      = 14,
  parameter int ColsPerAdc   = 2,
  parameter int AdcCycles    = 14,
  parameter int AdcKind      = 0,
  parameter int AccSlots     = 16,
  parameter int WeightSlices = 1,
  parameter int SliceBits    = 7,
  parameter int ActDepth     = 2048,
  parameter int ParDepth     = 512,
  parameter int WgtDepth     = 8192,
  parameter int SettleCycles = 2,
  parameter int PostLanes    = 1,
  parameter int LoadWords    = 1,
  parameter int TileOverlap  = 0
);

  logic clk = 1'b0;
  logic rst_n = 1'b0;

  always #5 clk = ~clk;

  initial begin
    repeat (3) @(posedge clk);
    rst_n = 1'b1;
  end

  aimc_tile_tb #(
    .Rows         (Rows),
    .Cols         (Cols),
    .DacBits      (DacBits),
    .AdcBits      (AdcBits),
    .ColsPerAdc   (ColsPerAdc),
    .AdcCycles    (AdcCycles),
    .AdcKind      (AdcKind),
    .AccSlots     (AccSlots),
    .WeightSlices (WeightSlices),
    .SliceBits  (SliceBits),
    .ActDepth     (ActDepth),
    .ParDepth     (ParDepth),
    .WgtDepth     (WgtDepth),
    .SettleCycles (SettleCycles),
    .PostLanes    (PostLanes),
    .LoadWords    (LoadWords),
    .TileOverlap  (TileOverlap)
  ) u_tb (
    .clk_i  (clk),
    .rst_ni (rst_n)
  );

endmodule
