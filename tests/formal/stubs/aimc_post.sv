// SPDX-License-Identifier: Apache-2.0
// Formal stand-in for aimc_post (tests/formal/prove.sh tile), its contract to the tile (header of
// rtl/tile/aimc_post.sv; its own proof is prove.sh post): after start_i, one done_o pulse at any
// cycle from 3 to Cols + 3 cycles after the start (a stop at column 0 ends at 3, an int8 or tfl
// command at Cols + 3, RAW at Cols + 1), err_o only with done_o; the parameter, accumulator and output ports are
// driven only between the start and done_o (any values), never while idle.
module aimc_post import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AccSlots   = 64,
  parameter int ActAw      = 12,
  parameter int ParAw      = 10,
  parameter int IsaTfl     = 1,
  parameter int Lanes      = 1,     // the tile proof runs with post_lanes 1
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int Depth     = AccSlots * ColsPerAdc,
  localparam int IdxW      = aimc_aw(Depth),
  localparam int LaneW     = aimc_aw(NumAdc),
  localparam int SlotW     = aimc_aw(AccSlots),
  localparam int SatW      = aimc_aw(Lanes + 1),
  localparam int OutWords  = (Lanes > 4) ? Lanes / 4 : 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,
  input  logic [SlotW-1:0]  slot_i,
  input  logic [15:0]       par_base_i,
  input  logic [15:0]       dst_base_i,
  input  logic              relu_i,
  input  logic              raw_i,
  input  logic              tfl_i,
  output logic              done_o,
  output logic              err_o,
  output logic              par_req_o,
  output logic [ParAw-1:0]  par_addr_o,
  input  logic [Lanes*96-1:0] par_rdata_i,
  output logic              acc_rd_o,
  output logic [Lanes*IdxW-1:0]  acc_idx_o,
  output logic [Lanes*LaneW-1:0] acc_lane_o,
  input  logic [Lanes*32-1:0]    acc_word_i,
  output logic              out_we_o,
  output logic [ActAw-1:0]  out_addr_o,
  output logic [OutWords-1:0]    out_wmask_o,
  output logic [OutWords*32-1:0] out_wdata_o,
  output logic [SatW-1:0]   sat_o
);
  localparam int CntW = aimc_aw(Cols + 4);
  (* anyseq *) logic             f_done, f_err, f_par, f_acc, f_we, f_sat;
  (* anyseq *) logic [ParAw-1:0] f_par_addr;
  (* anyseq *) logic [IdxW-1:0]  f_idx;
  (* anyseq *) logic [LaneW-1:0] f_lane;
  (* anyseq *) logic [ActAw-1:0] f_addr;
  (* anyseq *) logic [OutWords*32-1:0] f_wdata;
  (* anyseq *) logic [OutWords-1:0]    f_wmask;
  logic            busy_q;
  logic [CntW-1:0] cnt_q;   // cycles since the start, 1 in the first busy cycle
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      cnt_q  <= '0;
    end else if (start_i) begin
      busy_q <= 1'b1;
      cnt_q  <= CntW'(1);
    end else if (done_o) begin
      busy_q <= 1'b0;
      cnt_q  <= '0;
    end else if (busy_q) begin
      cnt_q  <= cnt_q + 1'b1;
    end
  end
  assign done_o      = busy_q && cnt_q >= CntW'(3) && (f_done || cnt_q == CntW'(Cols + 3));
  assign err_o       = done_o && f_err;
  assign par_req_o   = busy_q && f_par;
  assign par_addr_o  = f_par_addr;
  assign acc_rd_o    = busy_q && f_acc;
  assign acc_idx_o   = f_idx;
  assign acc_lane_o  = f_lane;
  assign out_we_o    = busy_q && f_we;
  assign out_addr_o  = f_addr;
  assign out_wmask_o = f_wmask;
  assign out_wdata_o = f_wdata;
  assign sat_o       = busy_q && f_sat;
endmodule
