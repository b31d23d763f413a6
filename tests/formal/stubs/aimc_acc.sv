// SPDX-License-Identifier: Apache-2.0
// Formal stand-in for aimc_acc (tests/formal/prove.sh tile): any read word, any saturation count.
// The accumulator's arithmetic has its own proof (prove.sh acc); the tile proof checks only who
// drives its ports when.
module aimc_acc import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AccSlots   = 64,
  parameter int AdcBits    = 8,
  parameter int ShiftW     = 5,
  parameter int MaxShift   = (1 << ShiftW) - 1,
  parameter int AccAdd     = 1,
  parameter int RdWords    = 1,     // the tile proof runs with post_lanes 1
  parameter int PostPort   = 0,     // and tile_overlap 0
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int Depth     = AccSlots * ColsPerAdc,
  localparam int IdxW      = aimc_aw(Depth),
  localparam int LaneW     = aimc_aw(NumAdc)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      rd_i,
  input  logic [RdWords*IdxW-1:0]   rd_idx_i,
  input  logic [RdWords*LaneW-1:0]  rd_lane_i,
  output logic [RdWords*32-1:0]     rd_word_o,
  input  logic                      prd_i,
  input  logic [RdWords*IdxW-1:0]   prd_idx_i,
  input  logic [RdWords*LaneW-1:0]  prd_lane_i,
  output logic [RdWords*32-1:0]     prd_word_o,
  input  logic                      acc_i,
  input  logic [IdxW-1:0]           wr_idx_i,
  input  logic [NumAdc*AdcBits-1:0] codes_i,
  input  logic                      neg_i,
  input  logic [ShiftW-1:0]         shift_i,
  input  logic                      clr_i,
  input  logic                      add_i,
  input  logic [31:0]               add_word_i,
  output logic [15:0]               sat_cnt_o
);
  (* anyseq *) logic [RdWords*32-1:0] f_word;
  (* anyseq *) logic [15:0] f_sat;
  assign rd_word_o = f_word;
  assign prd_word_o = f_word;
  assign sat_cnt_o = f_sat;
endmodule
