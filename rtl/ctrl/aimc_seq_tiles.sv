// SPDX-License-Identifier: Apache-2.0
// Sequencer tile tracking (aimc_sequencer): per tile, the PCs of the commands in flight on it
// (InFlight: 1, or 4 with tile_overlap, where a tile runs POSTs and the next MVM's load beside an
// MVM and retires them in program order) and whether each is an MVM; from them and the tiles'
// done outputs the tile stop of this cycle and the per-tile retirements.
//
// A tile stops the program when its command ends with an error, or (sat_stop_i, sat_mode.stop)
// when it saturated an int32 (the tile's done_sat); the lowest-numbered such tile names the code
// and PC (its oldest command's). terr_reg_o uses registered inputs only: it gates the issue of a
// new command (no combinational path from the tiles' event outputs to the command valid).
// Nothing retires in the cycle the watchdog stops the program, and the queues empty (the stop
// resets the tiles; the PC of each tile's oldest command stays, as the sequencer read it).

module aimc_seq_tiles import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles = 1,
  parameter int InFlight = 1        // commands a tile has at once (4 with tile_overlap)
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
  input  logic [NumTiles-1:0]      tile_dsat_i,   // with done: that command saturated
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
  localparam int CntW  = aimc_aw(InFlight + 1);

  // Per tile, a queue of the commands in flight, oldest in entry 0: its PC and whether it is an
  // MVM. A tile retires them in order (one done a cycle) and a command may be accepted in the
  // cycle the oldest retires.
  // the oldest command's PC and MVM flag per tile (packed: Icarus 11 does not update a continuous
  // assignment that reads an unpacked array's word)
  logic [NumTiles-1:0]       tmvm0;
  logic [NumTiles-1:0][15:0] tpc0;
  for (genvar t = 0; t < NumTiles; t++) begin : g_q
    logic [InFlight*16-1:0] pc_q;
    logic [InFlight-1:0] mvm_q;
    logic [CntW-1:0]     n_q, n_pop;
    logic                take;
    assign take  = accept_i && (32'(tile_i) == t);
    assign n_pop = (tile_done_i[t] && n_q != '0) ? n_q - 1'b1 : n_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        pc_q  <= '0;
        mvm_q <= '0;
        n_q   <= '0;
      end else begin
        for (int k = 0; k < InFlight; k++) begin
          if (take && 32'(n_pop) == k) begin
            pc_q[16*k +: 16] <= pc_i;
            mvm_q[k]         <= mvm_i;
          end else if (tile_done_i[t] && k + 1 < InFlight) begin
            pc_q[16*k +: 16] <= pc_q[16*((k + 1 < InFlight) ? k + 1 : k) +: 16];
            mvm_q[k]         <= mvm_q[(k + 1 < InFlight) ? k + 1 : k];
          end
        end
        // the watchdog's stop aborts every tile (aimc_soft_reset): nothing of theirs retires
        n_q <= wdog_stop_i ? '0 : n_pop + CntW'(take);
      end
    end
    assign tmvm0[t] = mvm_q[0];
    assign tpc0[t]  = pc_q[15:0];
  end

  logic [NumTiles-1:0] terr, tsat;
  assign tsat       = sat_stop_i ? tile_dsat_i : '0;
  assign terr       = tile_done_i & (tile_err_i | tsat);
  assign terr_reg_o = terr;
  assign terr_any_o = |terr;
  assign retire_t_o     = wdog_stop_i ? '0 : (tile_done_i & ~terr);
  assign retire_mvm_t_o = retire_t_o & tmvm0;

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
  assign terr_pc_o   = tpc0[terr_idx];
  assign busy_pc_o   = tpc0[busy_idx];

endmodule
