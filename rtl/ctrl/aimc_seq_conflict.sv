// SPDX-License-Identifier: Apache-2.0
// Sequencer conflict tracking (aimc_sequencer): per tile, the bounding boxes of the activation
// words its commands read and write since the last WAIT that covers it, and the TILE_CONFLICT
// check of the decoded instruction's windows against them.
//
// The check is defined on program order, not on timing (docs/isa.md): the read window meeting
// another tile's write box, or the write window meeting another tile's read or write box, is a
// conflict. A tile command is not checked against its own tile (one tile runs its commands in
// order); COPY has no tile. The C model runs the same bookkeeping without timing.
//
// Boxes live in one space: IN words at 0.., OUT words at ActDepth.. . Only as wide as that space:
// a window that passed the range check ends below 2*ActDepth, and the conflict of a window that did
// not pass it is never used (ADDR_RANGE wins), so the truncated operands of such a window do no
// harm. ConflictCheck = 0 (config key conflict_check, one tile only): never a conflict.

module aimc_seq_conflict import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles      = 1,
  parameter int ActDepth      = 4096,
  parameter int ConflictCheck = 1,
  localparam int CAw          = aimc_aw(2 * ActDepth)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // windows of the decoded instruction (aimc_seq_decode), inclusive bounds
  input  logic                    self_v_i,      // a tile command of tile self_i
  input  logic [INSTR_TILE_W-1:0] self_i,
  input  logic                    rd_v_i,
  input  logic [CAw-1:0]          rd_lo_i,
  input  logic [CAw-1:0]          rd_hi_i,
  input  logic                    wr_v_i,
  input  logic [CAw-1:0]          wr_lo_i,
  input  logic [CAw-1:0]          wr_hi_i,
  output logic                    conflict_o,
  // bookkeeping
  input  logic                    record_i,      // the tile command is dispatched: its windows join its boxes
  input  logic [NumTiles-1:0]     release_i,     // WAIT/HALT retired: those tiles' boxes are dropped
  input  logic                    clear_i        // start or stop: every box is dropped
);

  // Read box and write box per tile (inclusive) with valid bits.
  logic [NumTiles-1:0]          rd_v_q, rd_v_d, wr_v_q, wr_v_d;
  logic [NumTiles-1:0][CAw-1:0] rd_lo_q, rd_lo_d, rd_hi_q, rd_hi_d;
  logic [NumTiles-1:0][CAw-1:0] wr_lo_q, wr_lo_d, wr_hi_q, wr_hi_d;

  function automatic logic overlap(input logic [CAw-1:0] lo1, input logic [CAw-1:0] hi1,
                                   input logic [CAw-1:0] lo2, input logic [CAw-1:0] hi2);
    return (lo1 <= hi2) && (lo2 <= hi1);
  endfunction

  function automatic logic conflict_f(
      input logic r_vi, input logic [CAw-1:0] r_loi, input logic [CAw-1:0] r_hii,
      input logic w_vi, input logic [CAw-1:0] w_loi, input logic [CAw-1:0] w_hii,
      input logic self_v, input logic [INSTR_TILE_W-1:0] self_t,
      input logic [NumTiles-1:0] rdv, input logic [NumTiles-1:0][CAw-1:0] rdlo,
      input logic [NumTiles-1:0][CAw-1:0] rdhi,
      input logic [NumTiles-1:0] wrv, input logic [NumTiles-1:0][CAw-1:0] wrlo,
      input logic [NumTiles-1:0][CAw-1:0] wrhi);
    logic hit;
    hit = 1'b0;
    for (int u = 0; u < NumTiles; u++) begin
      if (!(self_v && 32'(self_t) == u)) begin
        if (r_vi && wrv[u] && overlap(r_loi, r_hii, wrlo[u], wrhi[u])) hit = 1'b1;
        if (w_vi && wrv[u] && overlap(w_loi, w_hii, wrlo[u], wrhi[u])) hit = 1'b1;
        if (w_vi && rdv[u] && overlap(w_loi, w_hii, rdlo[u], rdhi[u])) hit = 1'b1;
      end
    end
    return hit;
  endfunction

  assign conflict_o = (ConflictCheck != 0) &&
                      conflict_f(rd_v_i, rd_lo_i, rd_hi_i, wr_v_i, wr_lo_i, wr_hi_i, self_v_i, self_i,
                                 rd_v_q, rd_lo_q, rd_hi_q, wr_v_q, wr_lo_q, wr_hi_q);

  always_comb begin
    rd_v_d  = rd_v_q;
    rd_lo_d = rd_lo_q;
    rd_hi_d = rd_hi_q;
    wr_v_d  = wr_v_q;
    wr_lo_d = wr_lo_q;
    wr_hi_d = wr_hi_q;
    // Record the windows in program order (checked against later instructions).
    if (record_i) begin
      for (int t = 0; t < NumTiles; t++) begin
        if (32'(self_i) == t) begin
          if (rd_v_i) begin
            rd_lo_d[t] = (rd_v_q[t] && rd_lo_q[t] < rd_lo_i) ? rd_lo_q[t] : rd_lo_i;
            rd_hi_d[t] = (rd_v_q[t] && rd_hi_q[t] > rd_hi_i) ? rd_hi_q[t] : rd_hi_i;
            rd_v_d[t]  = 1'b1;
          end
          if (wr_v_i) begin
            wr_lo_d[t] = (wr_v_q[t] && wr_lo_q[t] < wr_lo_i) ? wr_lo_q[t] : wr_lo_i;
            wr_hi_d[t] = (wr_v_q[t] && wr_hi_q[t] > wr_hi_i) ? wr_hi_q[t] : wr_hi_i;
            wr_v_d[t]  = 1'b1;
          end
        end
      end
    end
    rd_v_d = rd_v_d & ~release_i;
    wr_v_d = wr_v_d & ~release_i;
    if (clear_i) begin
      rd_v_d = '0;
      wr_v_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_v_q  <= '0;
      rd_lo_q <= '0;
      rd_hi_q <= '0;
      wr_v_q  <= '0;
      wr_lo_q <= '0;
      wr_hi_q <= '0;
    end else begin
      rd_v_q  <= rd_v_d;
      rd_lo_q <= rd_lo_d;
      rd_hi_q <= rd_hi_d;
      wr_v_q  <= wr_v_d;
      wr_lo_q <= wr_lo_d;
      wr_hi_q <= wr_hi_d;
    end
  end

endmodule
