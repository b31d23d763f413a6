// SPDX-License-Identifier: Apache-2.0
// Sequencer: fetches the chip program from the instruction buffer, checks each instruction and
// either executes it (NOP, IRQ, WAIT, COPY, JUMP, LOOP, HALT) or dispatches it (PROG, MVM, POST, ACCADD)
// to its tile without waiting for it to finish (docs/isa.md).
//
// Dispatch is in order and non-blocking: a command to an idle tile is issued and the sequencer
// moves on; a command to a busy tile waits until that tile takes it. WAIT waits for the tiles of
// its mask, HALT for all of them. The conflict check is defined on program order, not on timing:
// each tile keeps the bounding boxes of the activation words its commands read and write since
// the last WAIT that covers it, and an instruction that touches those words from another tile (or
// from COPY) stops with TILE_CONFLICT. The C model runs the same bookkeeping without timing.
//
// Checks before an instruction runs, first failing one wins: undefined opcode, a reserved bit set
// or POST's tfl with relu or raw (ILLEGAL), tile >= NumTiles (BAD_TILE), an operand range past its buffer or the PC past the
// instruction buffer (ADDR_RANGE), accumulator slot >= AccSlots (BAD_SLOT), TILE_CONFLICT. A tile
// that stops with an error stops the program with the tile's code and that command's PC. Every
// stop waits until all tiles are idle (StDrain), then records the code and PC and raises
// irq.error; a tile error seen while draining replaces a check error (it is earlier in program
// order). The sequencer then waits for the next start.
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
  input  logic [NumTiles-1:0]     tile_sat_i,     // per tile: the tile saturated this cycle
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

  // Operand extents in buffer words (docs/isa.md, docs/numbers.md).
  localparam int PROG_WORDS     = Rows * Cols * WeightSlices / 4;
  localparam int MVM_WORDS      = Rows / 4;
  localparam int POST_WORDS     = Cols / 4;
  localparam int POST_RAW_WORDS = Cols;
  localparam int PAR_WORDS      = 3 * Cols;
  localparam int ACCADD_WORDS   = Cols;
  localparam int LOOP_CNTS      = 4;
  // Conflict boxes live in one space: IN words at 0.., OUT words at ActDepth.. . Only as wide as
  // that space: a window that passed the range check ends below 2*ActDepth, and the conflict
  // check of a window that did not pass it is never used (ADDR_RANGE wins), so the truncated
  // operands of such a window do no harm.
  localparam int CAw            = aimc_aw(2 * ActDepth);
  localparam int TileW          = aimc_aw(NumTiles);

  typedef enum logic [2:0] {
    StIdle,    // waiting for start
    StFetch,   // request the instruction at pc
    StDecode,  // instruction word arrives: check, execute or dispatch
    StIssue,   // command valid until the tile takes it
    StSync,    // WAIT / HALT: until the tiles of sync_mask_q are idle
    StCopy,    // COPY: read and write one word every two cycles while holding the data port
    StDrain    // stopping on an error: until every tile is idle
  } seq_state_e;

  seq_state_e state_q, state_d;
  logic [15:0] pc_q, pc_d;
  logic        halted_q, halted_d;
  logic        error_q, error_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [15:0] err_pc_q, err_pc_d;
  logic        err_tile_q, err_tile_d;    // the pending stop comes from a tile
  logic [INSTR_TILE_W-1:0]  tile_q, tile_d;
  logic [INSTR_OP_W-1:0]    op_q, op_d;
  logic [INSTR_FLAGS_W-1:0] flags_q, flags_d;
  logic [INSTR_A_W-1:0]     a_q, a_d;
  logic [INSTR_B_W-1:0]     b_q, b_d;
  logic [INSTR_C_W-1:0]     c_q, c_d;
  logic [NumTiles-1:0]      sync_mask_q, sync_mask_d;
  logic                     sync_halt_q, sync_halt_d;
  logic [15:0]              cp_idx_q, cp_idx_d;
  logic                     cp_wr_q, cp_wr_d;
  logic [LOOP_CNTS-1:0][15:0] lc_q, lc_d;
  logic [NumTiles-1:0][15:0]  tpc_q, tpc_d;  // PC of the command last issued to each tile
  logic [NumTiles-1:0]        tmvm_q, tmvm_d;  // that command is an MVM
  logic [NumTiles-1:0]        sat_seen_q, sat_seen_d;  // the tile saturated during that command
  // Conflict bookkeeping per tile: read box and write box (inclusive) with valid bits.
  logic [NumTiles-1:0]          rd_v_q, rd_v_d, wr_v_q, wr_v_d;
  logic [NumTiles-1:0][CAw-1:0] rd_lo_q, rd_lo_d, rd_hi_q, rd_hi_d;
  logic [NumTiles-1:0][CAw-1:0] wr_lo_q, wr_lo_d, wr_hi_q, wr_hi_d;

  // ---- decode of the fetched word -----------------------------------------------------------
  logic [INSTR_OP_W-1:0]    f_op;
  logic [INSTR_TILE_W-1:0]  f_tile;
  logic [INSTR_FLAGS_W-1:0] f_flags;
  logic [INSTR_A_W-1:0]     f_a;
  logic [INSTR_B_W-1:0]     f_b;
  logic [INSTR_C_W-1:0]     f_c;
  assign f_op    = instr_rdata_i[INSTR_OP_LSB    +: INSTR_OP_W];
  assign f_tile  = instr_rdata_i[INSTR_TILE_LSB  +: INSTR_TILE_W];
  assign f_flags = instr_rdata_i[INSTR_FLAGS_LSB +: INSTR_FLAGS_W];
  assign f_a     = instr_rdata_i[INSTR_A_LSB     +: INSTR_A_W];
  assign f_b     = instr_rdata_i[INSTR_B_LSB     +: INSTR_B_W];
  assign f_c     = instr_rdata_i[INSTR_C_LSB     +: INSTR_C_W];

  logic        op_defined, uses_tile, mask_ok, combo_bad;
  logic [63:0] rsvd;
  logic [CAw-1:0] act_words;
  logic        range_ok, slot_ok;
  logic [7:0]  check_err;
  // Constant selects outside always_comb: Icarus cannot sense them.
  logic        f_raw, f_src_out, f_dst_out, f_from_out, f_to_out, f_tfl, f_relu;
  assign f_raw      = f_flags[FLAG_RAW];
  assign f_tfl      = f_flags[FLAG_TFL];
  assign f_relu     = f_flags[FLAG_RELU];
  assign f_src_out  = f_flags[FLAG_SRC_OUT];
  assign f_dst_out  = f_flags[FLAG_DST_OUT];
  assign f_from_out = f_flags[FLAG_FROM_OUT];
  assign f_to_out   = f_flags[FLAG_TO_OUT];
  logic        q_from_out, q_to_out;
  assign q_from_out = flags_q[FLAG_FROM_OUT];
  assign q_to_out   = flags_q[FLAG_TO_OUT];

  // Activation windows of the decoded instruction (combined space, inclusive bounds).
  logic           r_v, w_v;
  logic [CAw-1:0] r_lo, r_hi, w_lo, w_hi;
  logic           conflict;

  function automatic logic [CAw-1:0] cbase(input logic sel, input logic [15:0] addr);
    return CAw'(32'(sel ? ActDepth : 0) + 32'(addr));  // the cut to CAw bits is on the sum
  endfunction

  // a + n <= depth for two 16-bit operands, with the add only as wide as depth needs: if both are
  // at most depth, their low bits are the whole operands (the same result as the 17-bit sum).
  function automatic logic span_ok(input logic [15:0] a, input logic [15:0] n, input int depth);
    logic [16:0] m, sum;
    logic        ok;
    m   = 17'((33'd1 << aimc_aw(depth + 1)) - 33'd1);
    sum = (17'(a) & m) + (17'(n) & m);
    ok  = (32'(a) <= depth) && (32'(n) <= depth) && (32'(sum) <= depth);
    return ok;
  endfunction

  // a + n <= depth for a constant n: one compare with a constant, no add.
  function automatic logic end_ok(input logic [15:0] a, input int n, input int depth);
    logic ok;
    ok = (n <= depth) && (32'(a) <= 32'(depth - n));
    return ok;
  endfunction

  function automatic logic overlap(input logic [CAw-1:0] lo1, input logic [CAw-1:0] hi1,
                                   input logic [CAw-1:0] lo2, input logic [CAw-1:0] hi2);
    return (lo1 <= hi2) && (lo2 <= hi1);
  endfunction

  // TILE_CONFLICT: the read window meets another tile's write box, or the write window meets
  // another tile's read or write box. `self_v` excludes the instruction's own tile (commands of
  // one tile run in order); COPY has none.
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

  always_comb begin
    op_defined = 1'b1;
    combo_bad  = 1'b0;
    uses_tile  = 1'b0;
    mask_ok    = 1'b1;
    rsvd       = '1;
    range_ok   = 1'b1;
    slot_ok    = 1'b1;
    act_words  = CAw'(POST_WORDS);
    r_v        = 1'b0;
    w_v        = 1'b0;
    r_lo       = cbase(f_src_out, f_a);
    r_hi       = r_lo + CAw'(MVM_WORDS - 1);
    w_lo       = cbase(f_dst_out, f_a);
    w_hi       = w_lo;
    case (f_op)
      OpNop:  rsvd = RSVD_NOP;
      OpIrq:  rsvd = RSVD_IRQ;
      OpHalt: rsvd = RSVD_HALT;
      OpJump: rsvd = RSVD_JUMP;
      OpLoop: rsvd = RSVD_LOOP;
      OpWait: begin
        rsvd    = RSVD_WAIT;
        mask_ok = (32'(f_c) >> NumTiles) == 32'd0;
      end
      OpCopy: begin
        rsvd     = RSVD_COPY;
        range_ok = span_ok(f_a, f_c, ActDepth) && span_ok(f_b, f_c, ActDepth);
        r_v      = (f_c != '0);
        w_v      = (f_c != '0);
        r_lo     = cbase(f_from_out, f_b);
        r_hi     = r_lo + CAw'(f_c) - CAw'(1);
        w_lo     = cbase(f_to_out, f_a);
        w_hi     = w_lo + CAw'(f_c) - CAw'(1);
      end
      OpProg: begin
        rsvd      = RSVD_PROG;
        uses_tile = 1'b1;
        range_ok  = end_ok(f_a, PROG_WORDS, WgtDepth);
      end
      OpMvm: begin
        rsvd      = RSVD_MVM;
        uses_tile = 1'b1;
        range_ok  = end_ok(f_a, MVM_WORDS, ActDepth);
        slot_ok   = 32'(f_b) < 32'(AccSlots);
        r_v       = 1'b1;
      end
      OpPost: begin
        rsvd      = RSVD_POST;
        uses_tile = 1'b1;
        act_words = f_raw ? CAw'(POST_RAW_WORDS) : CAw'(POST_WORDS);
        range_ok  = (f_raw ? end_ok(f_a, POST_RAW_WORDS, ActDepth) : end_ok(f_a, POST_WORDS, ActDepth)) &&
                    end_ok(f_c, PAR_WORDS, ParDepth);
        slot_ok   = 32'(f_b) < 32'(AccSlots);
        w_v       = 1'b1;
        w_hi      = w_lo + act_words - CAw'(1);
        combo_bad = f_tfl && (f_relu || f_raw || (IsaTfl == 0));  // isa_tfl = 0: tfl reserved
      end
      OpAccadd: begin
        op_defined = (IsaTfl != 0);                               // isa_tfl = 0: undefined
        rsvd      = RSVD_ACCADD;
        uses_tile = 1'b1;
        range_ok  = end_ok(f_a, ACCADD_WORDS, ActDepth);
        slot_ok   = 32'(f_b) < 32'(AccSlots);
        r_v       = 1'b1;
        r_lo      = cbase(f_from_out, f_a);
        r_hi      = r_lo + CAw'(ACCADD_WORDS - 1);
      end
      default: op_defined = 1'b0;
    endcase

    conflict = (ConflictCheck != 0) &&
               conflict_f(r_v, r_lo, r_hi, w_v, w_lo, w_hi, uses_tile, f_tile,
                          rd_v_q, rd_lo_q, rd_hi_q, wr_v_q, wr_lo_q, wr_hi_q);

    if (!op_defined || (instr_rdata_i & rsvd) != '0 || combo_bad) begin
      check_err = ErrIllegal;
    end else if ((uses_tile && 32'(f_tile) >= 32'(NumTiles)) || !mask_ok) begin
      check_err = ErrBadTile;
    end else if (!range_ok) begin
      check_err = ErrAddrRange;
    end else if (!slot_ok) begin
      check_err = ErrBadSlot;
    end else if (conflict) begin
      check_err = ErrTileConflict;
    end else begin
      check_err = ErrNone;
    end
  end

  // ---- tile errors: the lowest erring tile this cycle -------------------------------------------
  // A tile stops the program when its command ends with an error, or (sat_mode.stop) when the
  // tile saturated during it. terr_reg uses registered inputs only: it gates the issue of a new
  // command (no combinational path from the tiles' event outputs to cmd_valid_o).
  logic [NumTiles-1:0] terr, tsat, terr_reg;
  logic                terr_any;
  logic [TileW-1:0]    terr_idx;
  assign tsat     = sat_stop_i ? (sat_seen_q | tile_sat_i) : '0;
  assign terr     = tile_done_i & (tile_err_i | tsat);
  assign terr_reg = tile_done_i & (tile_err_i | (sat_stop_i ? sat_seen_q : '0));
  assign terr_any = |terr;
  // Nothing retires in the cycle the watchdog stops the program.
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
  assign terr_idx = first_set(terr);

  // The watchdog's err_pc: the command of the lowest-numbered busy tile.
  logic [TileW-1:0] busy_idx;
  assign busy_idx = first_set(tile_busy_i);

  // Fields of the mask operand of WAIT that name tiles (the rest was checked to be zero).
  logic [NumTiles-1:0] f_mask;
  assign f_mask = f_c[NumTiles-1:0];

  logic f_loop_taken;
  logic [1:0] f_lc;
  assign f_lc         = f_b[1:0];
  assign f_loop_taken = lc_q[f_lc] < f_c;

  // ---- FSM ------------------------------------------------------------------------------------
  // The command is valid in StIssue, except in a cycle in which a tile stops the program or the
  // watchdog fires (nothing starts then). Outside the FSM's always_comb, from registered inputs
  // only: the grant that makes the tile ready depends on cmd_valid_o.
  logic issue_ok;
  assign issue_ok    = (state_q == StIssue) && (terr_reg == '0) && !wdog_stop_i;
  assign cmd_valid_o = issue_ok;

`ifndef SYNTHESIS
  initial begin
    assert (ConflictCheck != 0 || NumTiles == 1)
      else $fatal(1, "aimc_sequencer: ConflictCheck 0 needs NumTiles 1");
  end
`endif

  // Without the conflict check a COPY starts only once every tile is idle.
  logic copy_go;
  assign copy_go = (ConflictCheck != 0) || (tile_busy_i == '0);

  logic raise;             // a check error this cycle: drain, then stop
  logic [7:0] raise_code;

  always_comb begin
    state_d      = state_q;
    pc_d         = pc_q;
    halted_d     = halted_q;
    error_d      = error_q;
    err_code_d   = err_code_q;
    err_pc_d     = err_pc_q;
    err_tile_d   = err_tile_q;
    tile_d       = tile_q;
    op_d         = op_q;
    flags_d      = flags_q;
    a_d          = a_q;
    b_d          = b_q;
    c_d          = c_q;
    sync_mask_d  = sync_mask_q;
    sync_halt_d  = sync_halt_q;
    cp_idx_d     = cp_idx_q;
    cp_wr_d      = cp_wr_q;
    lc_d         = lc_q;
    tpc_d        = tpc_q;
    tmvm_d       = tmvm_q;
    sat_seen_d   = sat_seen_q | tile_sat_i;
    rd_v_d       = rd_v_q;
    rd_lo_d      = rd_lo_q;
    rd_hi_d      = rd_hi_q;
    wr_v_d       = wr_v_q;
    wr_lo_d      = wr_lo_q;
    wr_hi_d      = wr_hi_q;
    instr_req_o  = 1'b0;
    dat_port_req_o = 1'b0;
    act_req_o    = 1'b0;
    act_we_o     = 1'b0;
    act_sel_o    = 1'b0;
    act_addr_o   = '0;
    act_wdata_o  = act_rdata_i;
    irq_done_o   = 1'b0;
    irq_error_o  = 1'b0;
    irq_prog_o   = 1'b0;
    retire_o     = 1'b0;
    raise        = 1'b0;
    raise_code   = ErrNone;

    case (state_q)
      StIdle: begin
        if (start_i) begin
          pc_d       = start_pc_i;
          halted_d   = 1'b0;
          error_d    = 1'b0;
          err_code_d = ErrNone;
          err_pc_d   = '0;
          err_tile_d = 1'b0;
          lc_d       = '0;
          rd_v_d     = '0;
          wr_v_d     = '0;
          state_d    = StFetch;
        end
      end
      StFetch: begin
        if (32'(pc_q) >= 32'(InstrDepth)) begin
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
              if (f_loop_taken) begin
                lc_d[f_lc] = lc_q[f_lc] + 16'd1;
                pc_d       = f_a;
              end else begin
                lc_d[f_lc] = '0;
                pc_d       = pc_q + 16'd1;
              end
            end
            OpCopy: begin
              flags_d  = f_flags;
              a_d      = f_a;
              b_d      = f_b;
              c_d      = f_c;
              cp_idx_d = '0;
              cp_wr_d  = 1'b0;
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
              state_d = StIssue;
              // Record the windows in program order (checked against later instructions).
              for (int t = 0; t < NumTiles; t++) begin
                if (32'(f_tile) == t) begin
                  if (r_v) begin
                    rd_lo_d[t] = (rd_v_q[t] && rd_lo_q[t] < r_lo) ? rd_lo_q[t] : r_lo;
                    rd_hi_d[t] = (rd_v_q[t] && rd_hi_q[t] > r_hi) ? rd_hi_q[t] : r_hi;
                    rd_v_d[t]  = 1'b1;
                  end
                  if (w_v) begin
                    wr_lo_d[t] = (wr_v_q[t] && wr_lo_q[t] < w_lo) ? wr_lo_q[t] : w_lo;
                    wr_hi_d[t] = (wr_v_q[t] && wr_hi_q[t] > w_hi) ? wr_hi_q[t] : w_hi;
                    wr_v_d[t]  = 1'b1;
                  end
                end
              end
            end
          endcase
        end
      end
      StIssue: begin
        if (issue_ok && cmd_ready_i) begin
          for (int t = 0; t < NumTiles; t++) begin
            if (32'(tile_q) == t) begin
              tpc_d[t]      = pc_q;
              tmvm_d[t]     = (op_q == OpMvm);
              sat_seen_d[t] = 1'b0;
            end
          end
          pc_d    = pc_q + 16'd1;
          state_d = StFetch;
        end
      end
      StSync: begin
        if ((tile_busy_i & sync_mask_q) == '0) begin
          retire_o = 1'b1;
          rd_v_d   = rd_v_q & ~sync_mask_q;
          wr_v_d   = wr_v_q & ~sync_mask_q;
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
        dat_port_req_o = copy_go;
        if (copy_go && dat_port_gnt_i) begin
          act_req_o = 1'b1;
          if (!cp_wr_q) begin
            act_sel_o  = q_from_out;
            act_addr_o = ActAw'(32'(b_q) + 32'(cp_idx_q));
            cp_wr_d    = 1'b1;
          end else begin
            act_we_o   = 1'b1;
            act_sel_o  = q_to_out;
            act_addr_o = ActAw'(32'(a_q) + 32'(cp_idx_q));
            cp_wr_d    = 1'b0;
            cp_idx_d   = cp_idx_q + 16'd1;
            if (cp_idx_q + 16'd1 == c_q) begin
              retire_o = 1'b1;
              pc_d     = pc_q + 16'd1;
              state_d  = StFetch;
            end
          end
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
      err_code_d = tile_err_i[terr_idx] ? tile_err_code_i[terr_idx] : ErrSaturation;
      err_pc_d   = tpc_q[terr_idx];
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
      rd_v_d      = '0;
      wr_v_d      = '0;
      state_d     = StIdle;
    end

    // The watchdog overrides whatever this cycle would have done: nothing issues, retires, copies
    // or halts; the top resets every tile next cycle, so there is nothing to drain.
    if (wdog_stop_i && state_q != StIdle) begin
      pc_d           = pc_q;
      halted_d       = halted_q;
      instr_req_o    = 1'b0;
      dat_port_req_o = 1'b0;
      act_req_o      = 1'b0;
      act_we_o       = 1'b0;
      irq_done_o     = 1'b0;
      irq_prog_o     = 1'b0;
      retire_o       = 1'b0;
      tpc_d          = tpc_q;
      tmvm_d         = tmvm_q;
      lc_d           = lc_q;
      error_d        = 1'b1;
      irq_error_o    = 1'b1;
      rd_v_d         = '0;
      wr_v_d         = '0;
      state_d        = StIdle;
      if (state_q == StDrain) begin
        // the pending stop keeps its code and PC
        err_code_d = err_code_q;
        err_pc_d   = err_pc_q;
        err_tile_d = err_tile_q;
      end else begin
        err_code_d = ErrWatchdog;
        err_pc_d   = (tile_busy_i != '0) ? tpc_q[busy_idx] : pc_q;
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
      cp_idx_q    <= '0;
      cp_wr_q     <= 1'b0;
      lc_q        <= '0;
      tpc_q       <= '0;
      tmvm_q      <= '0;
      sat_seen_q  <= '0;
      rd_v_q      <= '0;
      rd_lo_q     <= '0;
      rd_hi_q     <= '0;
      wr_v_q      <= '0;
      wr_lo_q     <= '0;
      wr_hi_q     <= '0;
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
      cp_idx_q    <= cp_idx_d;
      cp_wr_q     <= cp_wr_d;
      lc_q        <= lc_d;
      tpc_q       <= tpc_d;
      tmvm_q      <= tmvm_d;
      sat_seen_q  <= sat_seen_d;
      rd_v_q      <= rd_v_d;
      rd_lo_q     <= rd_lo_d;
      rd_hi_q     <= rd_hi_d;
      wr_v_q      <= wr_v_d;
      wr_lo_q     <= wr_lo_d;
      wr_hi_q     <= wr_hi_d;
    end
  end

  assign instr_addr_o = pc_q[InstrAw-1:0];
  assign tile_o       = tile_q;
  assign cmd_op_o     = op_q;
  assign cmd_flags_o  = flags_q;
  assign cmd_a_o      = a_q;
  assign cmd_b_o      = b_q;
  assign cmd_c_o      = c_q;

  // Tiles run only what the sequencer issued, and the sequencer is idle only once they are.
`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (state_q != StIdle || tile_busy_i == '0)
        else $error("aimc_sequencer: a tile is busy while the sequencer is idle");
    end
  end
`endif

  assign busy_o     = (state_q != StIdle);
  assign halted_o   = halted_q;
  assign error_o    = error_q;
  assign err_code_o = err_code_q;
  assign err_pc_o   = err_pc_q;

  // ---- formal properties (tests/formal/prove.sh seq: yosys-smtbmc, bounded) ------------------------
  // Interface-level, so that they hold whatever the dispatch does inside. The environment is any
  // instruction stream, any data-port grant, and tiles that behave like aimc_tile: a tile takes a
  // command only when it is not busy, is busy from the cycle after the accept until the cycle of
  // its done pulse, and finishes within FMaxTile cycles; the watchdog stop resets every tile.
  // Proven: only the FSM's states; after HALT or a stop on an error the sequencer is idle on the
  // next cycle with halted/error consistent; a stop drains and a HALT syncs within FMaxTile + 1
  // cycles; a command names an existing tile and stays valid and unchanged until taken; buffer
  // accesses only with the data-port grant; no fetch, command, access or retirement while idle.
`ifdef FORMAL
  localparam int FMaxTile = 3;

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  // Per tile: a command taken and not yet done, and the cycles it has been running.
  logic [NumTiles-1:0]      f_open;
  logic [NumTiles-1:0][7:0] f_run;
  logic [7:0]               f_stuck;   // consecutive cycles in StDrain, or in StSync for HALT
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_open  <= '0;
      f_run   <= '0;
      f_stuck <= '0;
    end else begin
      for (int t = 0; t < NumTiles; t++) begin
        if (wdog_stop_i && busy_o) begin
          f_open[t] <= 1'b0;
          f_run[t]  <= '0;
        end else if (cmd_valid_o && cmd_ready_i && 32'(tile_o) == t) begin
          f_open[t] <= 1'b1;
          f_run[t]  <= '0;
        end else if (tile_done_i[t]) begin
          f_open[t] <= 1'b0;
          f_run[t]  <= '0;
        end else if (f_open[t]) begin
          f_run[t]  <= f_run[t] + 8'd1;
        end
      end
      f_stuck <= (state_q == StDrain || (state_q == StSync && sync_halt_q)) ? f_stuck + 8'd1 : 8'd0;
    end
  end

  always @(*) begin
    if (rst_ni) begin
      for (int t = 0; t < NumTiles; t++) begin
        if (!f_open[t]) assume (!tile_done_i[t] && !tile_busy_i[t]);
        if (f_open[t]) assume (tile_busy_i[t] == !tile_done_i[t]);
        if (f_run[t] >= 8'(FMaxTile)) assume (tile_done_i[t]);
        if (tile_err_i[t]) assume (tile_err_code_i[t] != ErrNone);
      end
      if (cmd_ready_i) assume (32'(tile_o) < NumTiles && !tile_busy_i[tile_o] && !f_open[tile_o]);
    end
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      assert (state_q == StIdle || state_q == StFetch || state_q == StDecode ||
              state_q == StIssue || state_q == StSync || state_q == StCopy || state_q == StDrain);
      assert (!(halted_o && error_o));
      if (error_o) assert (err_code_o != ErrNone);
      if (!busy_o) assert (!instr_req_o && !cmd_valid_o && !retire_o && !irq_done_o &&
                           !dat_port_req_o && !act_req_o);
      if (cmd_valid_o) assert (32'(tile_o) < NumTiles);
      if (act_req_o) assert (dat_port_req_o && dat_port_gnt_i);
      assert (f_stuck <= 8'(FMaxTile + 1));
      if ($past(rst_ni)) begin
        // HALT or an error: idle the next cycle, with the status that says why.
        if ($past(irq_done_o)) assert (!busy_o && halted_o && !error_o);
        if ($past(irq_error_o)) assert (!busy_o && error_o && !halted_o);
        // A command is held, unchanged, until its tile takes it; only a tile stopping the program
        // or the watchdog withdraws it.
        if ($past(cmd_valid_o && !cmd_ready_i && !terr_any && !wdog_stop_i) &&
            terr_reg == '0 && !wdog_stop_i) begin
          assert (cmd_valid_o);
          assert (tile_o == $past(tile_o) && cmd_op_o == $past(cmd_op_o) &&
                  cmd_flags_o == $past(cmd_flags_o) && cmd_a_o == $past(cmd_a_o) &&
                  cmd_b_o == $past(cmd_b_o) && cmd_c_o == $past(cmd_c_o));
        end
      end
    end
  end
`endif

endmodule
