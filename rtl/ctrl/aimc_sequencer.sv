// SPDX-License-Identifier: Apache-2.0
// Sequencer: fetches the chip program from the instruction buffer, checks each instruction and
// either executes it (NOP, IRQ, WAIT, COPY, JUMP, LOOP, HALT) or dispatches it (PROG, MVM, POST, ACCADD)
// to its tile without waiting for it to finish (docs/isa.md).
//
// This module is the dispatch, sync and drain state machine; its sub-blocks do one job each:
//   aimc_seq_decode    fetch address and the checks of the fetched word (first failing one wins:
//                      ILLEGAL, BAD_TILE, ADDR_RANGE, BAD_SLOT, TILE_CONFLICT)
//   aimc_seq_conflict  per-tile read/write boxes and the TILE_CONFLICT check
//   aimc_seq_tiles     per-tile PC / MVM / saturation of the command in flight, tile stops, retirements
//   aimc_seq_loops     the LOOP counters
//   aimc_seq_copy      the COPY engine on the data port
//
// Dispatch is in order and non-blocking: a command to an idle tile is issued and the sequencer
// moves on; a command to a busy tile waits until that tile takes it. WAIT waits for the tiles of
// its mask, HALT for all of them. The conflict check is defined on program order, not on timing:
// each tile keeps the bounding boxes of the activation words its commands read and write since
// the last WAIT that covers it, and an instruction that touches those words from another tile (or
// from COPY) stops with TILE_CONFLICT. The C model runs the same bookkeeping without timing.
//
// The PC past the instruction buffer stops with ADDR_RANGE before the fetch. A tile that stops
// with an error stops the program with the tile's code and that command's PC. Every stop waits
// until all tiles are idle (StDrain), then records the code and PC and raises irq.error; a tile
// error seen while draining replaces a check error (it is earlier in program order). The
// sequencer then waits for the next start.
//
// ConflictCheck = 0 (one tile only; config key conflict_check): no boxes and no TILE_CONFLICT; a
// COPY instead waits until the tile is idle before its first word, so it still sees every word
// the tile's earlier commands wrote and no later command can overtake it.
//
// IsaTfl = 0 (config key isa_tfl): the chip is built without ISA 3's TFLite POST stage and
// ACCADD; ACCADD decodes as an undefined opcode and POST's tfl flag as a reserved bit (ILLEGAL).
//
// Two stops come from outside the checks (docs/errors.md). With sat_stop_i, a tile command during
// which its tile saturated stops the program with SATURATION once it completes (like a tile error,
// at that command's PC; it does not retire); the flag is kept per tile, from the accept of the
// command to its done. wdog_stop_i (the watchdog) stops with WATCHDOG at once, in any busy state:
// nothing issues, retires or halts that cycle, the sequencer goes idle without draining and the top
// resets every tile (aimc_soft_reset). err_pc is then the PC of the command running on the
// lowest-numbered busy tile, or the sequencer's PC if no tile is busy. A stop pending in StDrain
// keeps its code and PC. A soft reset resets the sequencer through rst_ni.

`include "aimc_assert.svh"

module aimc_sequencer import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles   = 1,
  parameter int Rows       = 64,
  parameter int Cols       = 32,
  parameter int WeightSlices = 1,   // bit-sliced weights: PROG reads Cols*WeightSlices bytes a row
  parameter int InstrDepth = 1024,
  parameter int ActDepth   = 4096,
  parameter int ParDepth   = 1024,
  parameter int WgtDepth   = 8192,
  parameter int AccSlots   = 64,
  parameter int ConflictCheck = 1,
  parameter int IsaTfl     = 1,
  parameter int InFlight   = 1,     // commands a tile has at once (4 with tile_overlap)
  parameter int InstrAw    = aimc_aw(InstrDepth),
  parameter int ActAw      = aimc_aw(ActDepth)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // control (CSR)
  input  logic                    start_i,        // ctrl.start pulse; ignored while busy
  input  logic [15:0]             start_pc_i,
  // instruction fetch: read data arrives the cycle after the request
  output logic                    instr_req_o,
  output logic [InstrAw-1:0]      instr_addr_o,
  input  logic [INSTR_W-1:0]      instr_rdata_i,
  // command to tile tile_o, valid until that tile takes it (cmd_ready_i is the addressed tile's)
  output logic [INSTR_TILE_W-1:0] tile_o,
  output logic                    cmd_valid_o,
  input  logic                    cmd_ready_i,
  output logic [INSTR_OP_W-1:0]   cmd_op_o,
  output logic [INSTR_FLAGS_W-1:0] cmd_flags_o,
  output logic [INSTR_A_W-1:0]    cmd_a_o,
  output logic [INSTR_B_W-1:0]    cmd_b_o,
  output logic [INSTR_C_W-1:0]    cmd_c_o,
  input  logic [NumTiles-1:0]     tile_busy_i,
  input  logic [NumTiles-1:0]     tile_done_i,
  input  logic [NumTiles-1:0]     tile_err_i,
  input  logic [NumTiles-1:0][7:0] tile_err_code_i,
  input  logic [NumTiles-1:0]     tile_dsat_i,    // per tile, with its done: that command saturated
  input  logic                    sat_stop_i,     // sat_mode.stop
  input  logic                    wdog_stop_i,    // watchdog budget exhausted: stop now
  // activation buffers for COPY, through the data-port arbiter (held while requested)
  output logic                    dat_port_req_o,
  input  logic                    dat_port_gnt_i,
  output logic                    act_req_o,
  output logic                    act_we_o,
  output logic                    act_sel_o,      // 0 = IN, 1 = OUT
  output logic [ActAw-1:0]        act_addr_o,
  output logic [31:0]             act_wdata_o,
  input  logic [31:0]             act_rdata_i,
  // status (CSR)
  output logic                    busy_o,
  output logic                    halted_o,
  output logic                    error_o,
  output logic [7:0]              err_code_o,
  output logic [15:0]             err_pc_o,
  // one-cycle events
  output logic                    irq_done_o,     // HALT executed
  output logic                    irq_error_o,    // stopped on an error
  output logic                    irq_prog_o,     // IRQ executed
  output logic                    retire_o,       // an instruction the sequencer executes completed
  output logic [NumTiles-1:0]     retire_t_o,     // per tile: its command completed, no stop
  output logic [NumTiles-1:0]     retire_mvm_t_o  // per tile: that command was an MVM
);

  localparam int LOOP_CNTS = 4;
  localparam int CAw       = aimc_aw(2 * ActDepth);  // the conflict boxes' space (aimc_seq_conflict)

  typedef enum logic [2:0] {
    StIdle,    // waiting for start
    StFetch,   // request the instruction at pc
    StDecode,  // instruction word arrives: check, execute or dispatch
    StIssue,   // command valid until the tile takes it
    StSync,    // WAIT / HALT: until the tiles of sync_mask_q are idle
    StCopy,    // COPY: aimc_seq_copy moves the words while holding the data port
    StDrain    // stopping on an error: until every tile is idle
  } seq_state_e;

  seq_state_e state_q, state_d;
  logic [15:0] pc_q, pc_d;
  logic        halted_q, halted_d;
  logic        error_q, error_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [15:0] err_pc_q, err_pc_d;
  logic        err_tile_q, err_tile_d;    // the pending stop comes from a tile
  // The command to a tile, or the operands of a COPY.
  logic [INSTR_TILE_W-1:0]  tile_q, tile_d;
  logic [INSTR_OP_W-1:0]    op_q, op_d;
  logic [INSTR_FLAGS_W-1:0] flags_q, flags_d;
  logic [INSTR_A_W-1:0]     a_q, a_d;
  logic [INSTR_B_W-1:0]     b_q, b_d;
  logic [INSTR_C_W-1:0]     c_q, c_d;
  logic [NumTiles-1:0]      sync_mask_q, sync_mask_d;
  logic                     sync_halt_q, sync_halt_d;

  // ---- fetch and decode checks ------------------------------------------------------------------
  logic [INSTR_OP_W-1:0]    f_op;
  logic [INSTR_TILE_W-1:0]  f_tile;
  logic [INSTR_FLAGS_W-1:0] f_flags;
  logic [INSTR_A_W-1:0]     f_a;
  logic [INSTR_B_W-1:0]     f_b;
  logic [INSTR_C_W-1:0]     f_c;
  logic [NumTiles-1:0]      f_mask;
  logic                     pc_ok, uses_tile, r_v, w_v, conflict;
  logic [CAw-1:0]           r_lo, r_hi, w_lo, w_hi;
  logic [7:0]               check_err;

  aimc_seq_decode #(
    .NumTiles     (NumTiles),
    .Rows         (Rows),
    .Cols         (Cols),
    .WeightSlices (WeightSlices),
    .InstrDepth   (InstrDepth),
    .ActDepth     (ActDepth),
    .ParDepth     (ParDepth),
    .WgtDepth     (WgtDepth),
    .AccSlots     (AccSlots),
    .IsaTfl       (IsaTfl),
    .InstrAw      (InstrAw)
  ) u_decode (
    .pc_i         (pc_q),
    .instr_addr_o (instr_addr_o),
    .pc_ok_o      (pc_ok),
    .instr_i      (instr_rdata_i),
    .op_o         (f_op),
    .tile_o       (f_tile),
    .flags_o      (f_flags),
    .a_o          (f_a),
    .b_o          (f_b),
    .c_o          (f_c),
    .mask_o       (f_mask),
    .uses_tile_o  (uses_tile),
    .rd_v_o       (r_v),
    .rd_lo_o      (r_lo),
    .rd_hi_o      (r_hi),
    .wr_v_o       (w_v),
    .wr_lo_o      (w_lo),
    .wr_hi_o      (w_hi),
    .conflict_i   (conflict),
    .check_err_o  (check_err)
  );

  // What the decode cycle does with a word that passed its checks (the FSM below).
  logic dec_ok, dec_tile_cmd;
  assign dec_ok       = (state_q == StDecode) && (check_err == ErrNone);
  assign dec_tile_cmd = dec_ok && (f_op == OpProg || f_op == OpMvm || f_op == OpPost || f_op == OpAccadd);

  // ---- conflict tracking -------------------------------------------------------------------------
  logic boxes_clear;
  logic [NumTiles-1:0] boxes_release;
  aimc_seq_conflict #(
    .NumTiles      (NumTiles),
    .ActDepth      (ActDepth),
    .ConflictCheck (ConflictCheck)
  ) u_conflict (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .self_v_i   (uses_tile),
    .self_i     (f_tile),
    .rd_v_i     (r_v),
    .rd_lo_i    (r_lo),
    .rd_hi_i    (r_hi),
    .wr_v_i     (w_v),
    .wr_lo_i    (w_lo),
    .wr_hi_i    (w_hi),
    .conflict_o (conflict),
    .record_i   (dec_tile_cmd),
    .release_i  (boxes_release),
    .clear_i    (boxes_clear)
  );

  // ---- tile tracking: the tile stop of this cycle and the per-tile retirements -------------------
  logic [NumTiles-1:0] terr_reg;
  logic                terr_any;
  logic [7:0]          terr_code;
  logic [15:0]         terr_pc, busy_pc;
  logic                issue_ok, cmd_accept, cmd_mvm;
  assign cmd_accept = issue_ok && cmd_ready_i;
  assign cmd_mvm    = (op_q == OpMvm);
  aimc_seq_tiles #(
    .NumTiles (NumTiles),
    .InFlight (InFlight)
  ) u_tiles (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .accept_i        (cmd_accept),
    .tile_i          (tile_q),
    .pc_i            (pc_q),
    .mvm_i           (cmd_mvm),
    .tile_busy_i     (tile_busy_i),
    .tile_done_i     (tile_done_i),
    .tile_err_i      (tile_err_i),
    .tile_err_code_i (tile_err_code_i),
    .tile_dsat_i     (tile_dsat_i),
    .sat_stop_i      (sat_stop_i),
    .wdog_stop_i     (wdog_stop_i),
    .terr_any_o      (terr_any),
    .terr_reg_o      (terr_reg),
    .terr_code_o     (terr_code),
    .terr_pc_o       (terr_pc),
    .busy_pc_o       (busy_pc),
    .retire_t_o      (retire_t_o),
    .retire_mvm_t_o  (retire_mvm_t_o)
  );

  // ---- loops ---------------------------------------------------------------------------------------
  // The watchdog stop keeps the counters (nothing of that cycle happens).
  logic loop_clear, loop_step, loop_taken;
  assign loop_clear = (state_q == StIdle) && start_i;
  assign loop_step  = dec_ok && (f_op == OpLoop) && !wdog_stop_i;
  aimc_seq_loops #(
    .LoopCnts (LOOP_CNTS)
  ) u_loops (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (loop_clear),
    .step_i  (loop_step),
    .idx_i   (f_b[aimc_aw(LOOP_CNTS)-1:0]),
    .count_i (f_c),
    .taken_o (loop_taken)
  );

  // ---- COPY ----------------------------------------------------------------------------------------
  // Port expressions stay simple: Icarus 11 does not see enum constants in them.
  logic copy_load, copy_active, copy_from_out, copy_to_out, tiles_idle, copy_last;
  assign copy_load     = dec_ok && (f_op == OpCopy);
  assign copy_active   = (state_q == StCopy);
  assign copy_from_out = flags_q[FLAG_FROM_OUT];
  assign copy_to_out   = flags_q[FLAG_TO_OUT];
  assign tiles_idle    = (tile_busy_i == '0);
  aimc_seq_copy #(
    .ActDepth (ActDepth),
    .WaitIdle ((ConflictCheck == 0) ? 1 : 0),
    .ActAw    (ActAw)
  ) u_copy (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .load_i         (copy_load),
    .active_i       (copy_active),
    .kill_i         (wdog_stop_i),
    .tiles_idle_i   (tiles_idle),
    .dst_i          (a_q),
    .src_i          (b_q),
    .count_i        (c_q),
    .from_out_i     (copy_from_out),
    .to_out_i       (copy_to_out),
    .last_o         (copy_last),
    .dat_port_req_o (dat_port_req_o),
    .dat_port_gnt_i (dat_port_gnt_i),
    .act_req_o      (act_req_o),
    .act_we_o       (act_we_o),
    .act_sel_o      (act_sel_o),
    .act_addr_o     (act_addr_o),
    .act_wdata_o    (act_wdata_o),
    .act_rdata_i    (act_rdata_i)
  );

  // ---- FSM: dispatch, sync, drain ------------------------------------------------------------------
  // The command is valid in StIssue, except in a cycle in which a tile stops the program or the
  // watchdog fires (nothing starts then). Outside the FSM's always_comb, from registered inputs
  // only: the grant that makes the tile ready depends on cmd_valid_o.
  assign issue_ok    = (state_q == StIssue) && (terr_reg == '0) && !wdog_stop_i;
  assign cmd_valid_o = issue_ok;

  `ASSERT_INIT(ConflictCheckOneTile_A, ConflictCheck != 0 || NumTiles == 1)

  logic raise;             // a check error this cycle: drain, then stop
  logic [7:0] raise_code;

  always_comb begin
    state_d       = state_q;
    pc_d          = pc_q;
    halted_d      = halted_q;
    error_d       = error_q;
    err_code_d    = err_code_q;
    err_pc_d      = err_pc_q;
    err_tile_d    = err_tile_q;
    tile_d        = tile_q;
    op_d          = op_q;
    flags_d       = flags_q;
    a_d           = a_q;
    b_d           = b_q;
    c_d           = c_q;
    sync_mask_d   = sync_mask_q;
    sync_halt_d   = sync_halt_q;
    boxes_release = '0;
    boxes_clear   = 1'b0;
    instr_req_o   = 1'b0;
    irq_done_o    = 1'b0;
    irq_error_o   = 1'b0;
    irq_prog_o    = 1'b0;
    retire_o      = 1'b0;
    raise         = 1'b0;
    raise_code    = ErrNone;

    case (state_q)
      StIdle: begin
        if (start_i) begin
          pc_d        = start_pc_i;
          halted_d    = 1'b0;
          error_d     = 1'b0;
          err_code_d  = ErrNone;
          err_pc_d    = '0;
          err_tile_d  = 1'b0;
          boxes_clear = 1'b1;
          state_d     = StFetch;
        end
      end
      StFetch: begin
        if (!pc_ok) begin
          raise      = 1'b1;
          raise_code = ErrAddrRange;
        end else begin
          instr_req_o = 1'b1;
          state_d     = StDecode;
        end
      end
      StDecode: begin
        if (check_err != ErrNone) begin
          raise      = 1'b1;
          raise_code = check_err;
        end else begin
          case (f_op)
            OpNop: begin
              retire_o = 1'b1;
              pc_d     = pc_q + 16'd1;
              state_d  = StFetch;
            end
            OpIrq: begin
              irq_prog_o = 1'b1;
              retire_o   = 1'b1;
              pc_d       = pc_q + 16'd1;
              state_d    = StFetch;
            end
            OpHalt: begin
              sync_mask_d = '1;
              sync_halt_d = 1'b1;
              state_d     = StSync;
            end
            OpWait: begin
              sync_mask_d = f_mask;
              sync_halt_d = 1'b0;
              state_d     = StSync;
            end
            OpJump: begin
              retire_o = 1'b1;
              pc_d     = f_a;
              state_d  = StFetch;
            end
            OpLoop: begin
              retire_o = 1'b1;
              state_d  = StFetch;
              pc_d     = loop_taken ? f_a : pc_q + 16'd1;
            end
            OpCopy: begin
              flags_d = f_flags;
              a_d     = f_a;
              b_d     = f_b;
              c_d     = f_c;
              if (f_c == '0) begin
                retire_o = 1'b1;
                pc_d     = pc_q + 16'd1;
                state_d  = StFetch;
              end else begin
                state_d = StCopy;
              end
            end
            default: begin  // PROG, MVM, POST, ACCADD: the checks passed, so the opcode is one of them
              tile_d  = f_tile;
              op_d    = f_op;
              flags_d = f_flags;
              a_d     = f_a;
              b_d     = f_b;
              c_d     = f_c;
              state_d = StIssue;  // aimc_seq_conflict records the windows (dec_tile_cmd)
            end
          endcase
        end
      end
      StIssue: begin
        if (issue_ok && cmd_ready_i) begin  // aimc_seq_tiles records the PC of the command
          pc_d    = pc_q + 16'd1;
          state_d = StFetch;
        end
      end
      StSync: begin
        if ((tile_busy_i & sync_mask_q) == '0) begin
          retire_o      = 1'b1;
          boxes_release = sync_mask_q;
          if (sync_halt_q) begin
            halted_d   = 1'b1;
            irq_done_o = 1'b1;
            state_d    = StIdle;
          end else begin
            pc_d    = pc_q + 16'd1;
            state_d = StFetch;
          end
        end
      end
      StCopy: begin
        if (copy_last) begin
          retire_o = 1'b1;
          pc_d     = pc_q + 16'd1;
          state_d  = StFetch;
        end
      end
      StDrain: begin
        // Handled below, after a tile error of this cycle has been taken.
      end
      default: begin
        state_d = StIdle;
      end
    endcase

    // A tile error stops the program at that tile's command, unless one is already pending.
    if (terr_any && state_q != StIdle && !(state_q == StDrain && err_tile_q)) begin
      err_code_d = terr_code;
      err_pc_d   = terr_pc;
      err_tile_d = 1'b1;
      state_d    = StDrain;
      // What this cycle would have done besides starting a command does not happen.
      irq_done_o = 1'b0;
      irq_prog_o = 1'b0;
      retire_o   = 1'b0;
      halted_d   = 1'b0;
    end else if (raise) begin
      err_code_d = raise_code;
      err_pc_d   = pc_q;
      err_tile_d = 1'b0;
      state_d    = StDrain;
    end

    if (state_q == StDrain && tile_busy_i == '0) begin
      error_d     = 1'b1;
      irq_error_o = 1'b1;
      boxes_clear = 1'b1;
      state_d     = StIdle;
    end

    // The watchdog overrides whatever this cycle would have done: nothing issues, retires, copies
    // or halts; the top resets every tile next cycle, so there is nothing to drain.
    if (wdog_stop_i && state_q != StIdle) begin
      pc_d           = pc_q;
      halted_d       = halted_q;
      instr_req_o    = 1'b0;
      irq_done_o     = 1'b0;
      irq_prog_o     = 1'b0;
      retire_o       = 1'b0;
      error_d        = 1'b1;
      irq_error_o    = 1'b1;
      boxes_clear    = 1'b1;
      state_d        = StIdle;
      if (state_q == StDrain) begin
        // the pending stop keeps its code and PC
        err_code_d = err_code_q;
        err_pc_d   = err_pc_q;
        err_tile_d = err_tile_q;
      end else begin
        err_code_d = ErrWatchdog;
        err_pc_d   = (tile_busy_i != '0) ? busy_pc : pc_q;
        err_tile_d = 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      pc_q        <= '0;
      halted_q    <= 1'b0;
      error_q     <= 1'b0;
      err_code_q  <= ErrNone;
      err_pc_q    <= '0;
      err_tile_q  <= 1'b0;
      tile_q      <= '0;
      op_q        <= '0;
      flags_q     <= '0;
      a_q         <= '0;
      b_q         <= '0;
      c_q         <= '0;
      sync_mask_q <= '0;
      sync_halt_q <= 1'b0;
    end else begin
      state_q     <= state_d;
      pc_q        <= pc_d;
      halted_q    <= halted_d;
      error_q     <= error_d;
      err_code_q  <= err_code_d;
      err_pc_q    <= err_pc_d;
      err_tile_q  <= err_tile_d;
      tile_q      <= tile_d;
      op_q        <= op_d;
      flags_q     <= flags_d;
      a_q         <= a_d;
      b_q         <= b_d;
      c_q         <= c_d;
      sync_mask_q <= sync_mask_d;
      sync_halt_q <= sync_halt_d;
    end
  end

  assign tile_o       = tile_q;
  assign cmd_op_o     = op_q;
  assign cmd_flags_o  = flags_q;
  assign cmd_a_o      = a_q;
  assign cmd_b_o      = b_q;
  assign cmd_c_o      = c_q;

  // Tiles run only what the sequencer issued, and the sequencer is idle only once they are.
  `ASSERT(IdleTilesIdle_A, state_q != StIdle || tile_busy_i == '0)

  assign busy_o     = (state_q != StIdle);
  assign halted_o   = halted_q;
  assign error_o    = error_q;
  assign err_code_o = err_code_q;
  assign err_pc_o   = err_pc_q;

endmodule
