// SPDX-License-Identifier: Apache-2.0
// Sequencer tile tracking (aimc_sequencer): per tile, the PC of the command last issued to it,
// whether it is an MVM and whether the tile saturated during it; from them the tile stop of this
// cycle and the per-tile retirements.
//
// A tile stops the program when its command ends with an error, or (sat_stop_i, sat_mode.stop)
// when the tile saturated during it; the lowest-numbered such tile names the code and PC.
// terr_reg_o uses registered inputs only: it gates the issue of a new command (no combinational
// path from the tiles' event outputs to the command valid). Nothing retires in the cycle the
// watchdog stops the program.

module aimc_seq_tiles import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles = 1
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // the command taken this cycle
  input  logic                     accept_i,
  input  logic [INSTR_TILE_W-1:0]  tile_i,
  input  logic [15:0]              pc_i,
  input  logic                     mvm_i,
  // the tiles
  input  logic [NumTiles-1:0]      tile_busy_i,
  input  logic [NumTiles-1:0]      tile_done_i,
  input  logic [NumTiles-1:0]      tile_err_i,
  input  logic [NumTiles-1:0][7:0] tile_err_code_i,
  input  logic [NumTiles-1:0]      tile_sat_i,
  input  logic                     sat_stop_i,
  input  logic                     wdog_stop_i,
  // a tile stops the program this cycle, with this code, at this command's PC
  output logic                     terr_any_o,
  output logic [NumTiles-1:0]      terr_reg_o,
  output logic [7:0]               terr_code_o,
  output logic [15:0]              terr_pc_o,
  output logic [15:0]              busy_pc_o,     // PC of the command of the lowest busy tile
  output logic [NumTiles-1:0]      retire_t_o,
  output logic [NumTiles-1:0]      retire_mvm_t_o
);

  localparam int TileW = aimc_aw(NumTiles);

  logic [NumTiles-1:0][15:0] tpc_q, tpc_d;          // PC of the command last issued to each tile
  logic [NumTiles-1:0]       tmvm_q, tmvm_d;        // that command is an MVM
  logic [NumTiles-1:0]       sat_seen_q, sat_seen_d;  // the tile saturated during that command

  always_comb begin
    tpc_d      = tpc_q;
    tmvm_d     = tmvm_q;
    sat_seen_d = sat_seen_q | tile_sat_i;
    if (accept_i) begin
      for (int t = 0; t < NumTiles; t++) begin
        if (32'(tile_i) == t) begin
          tpc_d[t]      = pc_i;
          tmvm_d[t]     = mvm_i;
          sat_seen_d[t] = 1'b0;
        end
      end
    end
  end

  logic [NumTiles-1:0] terr, tsat;
  assign tsat       = sat_stop_i ? (sat_seen_q | tile_sat_i) : '0;
  assign terr       = tile_done_i & (tile_err_i | tsat);
  assign terr_reg_o = tile_done_i & (tile_err_i | (sat_stop_i ? sat_seen_q : '0));
  assign terr_any_o = |terr;
  assign retire_t_o     = wdog_stop_i ? '0 : (tile_done_i & ~terr);
  assign retire_mvm_t_o = retire_t_o & tmvm_q;

  function automatic logic [TileW-1:0] first_set(input logic [NumTiles-1:0] v);
    logic [TileW-1:0] idx;
    logic             found;
    idx   = '0;
    found = 1'b0;
    for (int t = 0; t < NumTiles; t++) begin
      if (!found && v[t]) begin
        idx   = TileW'(t);
        found = 1'b1;
      end
    end
    return idx;
  endfunction

  logic [TileW-1:0] terr_idx, busy_idx;
  assign terr_idx    = first_set(terr);
  assign busy_idx    = first_set(tile_busy_i);
  assign terr_code_o = tile_err_i[terr_idx] ? tile_err_code_i[terr_idx] : ErrSaturation;
  assign terr_pc_o   = tpc_q[terr_idx];
  assign busy_pc_o   = tpc_q[busy_idx];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tpc_q      <= '0;
      tmvm_q     <= '0;
      sat_seen_q <= '0;
    end else begin
      tpc_q      <= tpc_d;
      tmvm_q     <= tmvm_d;
      sat_seen_q <= sat_seen_d;
    end
  end

endmodule
