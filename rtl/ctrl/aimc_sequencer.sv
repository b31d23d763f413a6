// SPDX-License-Identifier: Apache-2.0
// Sequencer: fetches the chip program from the instruction buffer, checks each instruction and
// dispatches PROG/MVM/POST to one tile at a time (docs/isa.md).
//
// Checks before dispatch, first failing one wins: undefined opcode or a reserved bit set
// (ILLEGAL), tile >= NumTiles (BAD_TILE), an operand range past its buffer or the PC past the
// instruction buffer (ADDR_RANGE), accumulator slot >= AccSlots (BAD_SLOT). A tile that stops
// with an error stops the program with the tile's code. Every stop on an error records the code
// and the instruction index and raises irq.error; the sequencer then waits for the next start.
// Two stops come from outside the checks (docs/errors.md): with sat_stop_i, a tile command during
// which the tile saturated stops with SATURATION once it completes; wdog_stop_i (the watchdog)
// stops with WATCHDOG at once, in any busy state, and the top aborts the tile in flight.

module aimc_sequencer import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles   = 1,
  parameter int Rows       = 64,
  parameter int Cols       = 32,
  parameter int InstrDepth = 1024,
  parameter int ActDepth   = 4096,
  parameter int ParDepth   = 1024,
  parameter int WgtDepth   = 8192,
  parameter int AccSlots   = 64,
  parameter int InstrAw    = aimc_aw(InstrDepth)
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
  // command to tile tile_o (held from dispatch until the tile's done_o)
  output logic [INSTR_TILE_W-1:0] tile_o,
  output logic                    cmd_valid_o,
  input  logic                    cmd_ready_i,
  output logic [INSTR_OP_W-1:0]   cmd_op_o,
  output logic [INSTR_FLAGS_W-1:0] cmd_flags_o,
  output logic [INSTR_A_W-1:0]    cmd_a_o,
  output logic [INSTR_B_W-1:0]    cmd_b_o,
  output logic [INSTR_C_W-1:0]    cmd_c_o,
  input  logic                    tile_done_i,
  input  logic                    tile_err_i,
  input  logic [7:0]              tile_err_code_i,
  input  logic                    tile_sat_i,     // the addressed tile saturated this cycle
  input  logic                    sat_stop_i,     // sat_mode.stop
  input  logic                    wdog_stop_i,    // watchdog budget exhausted: stop now
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
  output logic                    retire_o,       // an instruction completed (HALT included)
  output logic                    retire_mvm_o    // an MVM completed
);

  // Operand extents in buffer words (docs/isa.md, docs/numbers.md).
  localparam int PROG_WORDS    = Rows * Cols / 4;
  localparam int MVM_WORDS     = Rows / 4;
  localparam int POST_WORDS    = Cols / 4;
  localparam int POST_RAW_WORDS = Cols;
  localparam int PAR_WORDS     = 3 * Cols;

  typedef enum logic [2:0] {
    StIdle,    // waiting for start
    StFetch,   // request the instruction at pc
    StDecode,  // instruction word arrives: check, execute or dispatch
    StIssue,   // command valid until the tile takes it
    StWait     // waiting for the tile's done
  } seq_state_e;

  seq_state_e state_q, state_d;
  logic [15:0] pc_q, pc_d;
  logic        halted_q, halted_d;
  logic        error_q, error_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [15:0] err_pc_q, err_pc_d;
  logic [INSTR_TILE_W-1:0]  tile_q, tile_d;
  logic [INSTR_OP_W-1:0]    op_q, op_d;
  logic [INSTR_FLAGS_W-1:0] flags_q, flags_d;
  logic [INSTR_A_W-1:0]     a_q, a_d;
  logic [INSTR_B_W-1:0]     b_q, b_d;
  logic [INSTR_C_W-1:0]     c_q, c_d;
  logic                     sat_seen_q, sat_seen_d;  // the command in flight saturated

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

  logic        op_defined, uses_tile;
  logic [63:0] rsvd;
  logic [31:0] act_words;
  logic        range_ok, slot_ok;
  logic [7:0]  check_err;
  logic        f_raw;
  assign f_raw = f_flags[FLAG_RAW];  // outside always_comb: Icarus cannot sense a constant select

  always_comb begin
    op_defined = 1'b1;
    uses_tile  = 1'b0;
    rsvd       = '1;
    range_ok   = 1'b1;
    slot_ok    = 1'b1;
    act_words  = 32'(POST_WORDS);
    case (f_op)
      OpNop:  rsvd = RSVD_NOP;
      OpIrq:  rsvd = RSVD_IRQ;
      OpHalt: rsvd = RSVD_HALT;
      OpProg: begin
        rsvd      = RSVD_PROG;
        uses_tile = 1'b1;
        range_ok  = 32'(f_a) + 32'(PROG_WORDS) <= 32'(WgtDepth);
      end
      OpMvm: begin
        rsvd      = RSVD_MVM;
        uses_tile = 1'b1;
        range_ok  = 32'(f_a) + 32'(MVM_WORDS) <= 32'(ActDepth);
        slot_ok   = 32'(f_b) < 32'(AccSlots);
      end
      OpPost: begin
        rsvd      = RSVD_POST;
        uses_tile = 1'b1;
        act_words = f_raw ? 32'(POST_RAW_WORDS) : 32'(POST_WORDS);
        range_ok  = (32'(f_a) + act_words <= 32'(ActDepth)) &&
                    (32'(f_c) + 32'(PAR_WORDS) <= 32'(ParDepth));
        slot_ok   = 32'(f_b) < 32'(AccSlots);
      end
      default: op_defined = 1'b0;
    endcase

    if (!op_defined || (instr_rdata_i & rsvd) != '0) begin
      check_err = ErrIllegal;
    end else if (uses_tile && 32'(f_tile) >= 32'(NumTiles)) begin
      check_err = ErrBadTile;
    end else if (!range_ok) begin
      check_err = ErrAddrRange;
    end else if (!slot_ok) begin
      check_err = ErrBadSlot;
    end else begin
      check_err = ErrNone;
    end
  end

  // ---- FSM ------------------------------------------------------------------------------------
  logic stop_err;          // stop on an error this cycle
  logic [7:0] stop_code;

  always_comb begin
    state_d      = state_q;
    pc_d         = pc_q;
    halted_d     = halted_q;
    error_d      = error_q;
    err_code_d   = err_code_q;
    err_pc_d     = err_pc_q;
    tile_d       = tile_q;
    op_d         = op_q;
    flags_d      = flags_q;
    a_d          = a_q;
    b_d          = b_q;
    c_d          = c_q;
    sat_seen_d   = sat_seen_q;
    instr_req_o  = 1'b0;
    cmd_valid_o  = 1'b0;
    irq_done_o   = 1'b0;
    irq_prog_o   = 1'b0;
    retire_o     = 1'b0;
    retire_mvm_o = 1'b0;
    stop_err     = 1'b0;
    stop_code    = ErrNone;

    case (state_q)
      StIdle: begin
        if (start_i) begin
          pc_d       = start_pc_i;
          halted_d   = 1'b0;
          error_d    = 1'b0;
          err_code_d = ErrNone;
          err_pc_d   = '0;
          state_d    = StFetch;
        end
      end
      StFetch: begin
        if (32'(pc_q) >= 32'(InstrDepth)) begin
          stop_err  = 1'b1;
          stop_code = ErrAddrRange;
        end else begin
          instr_req_o = 1'b1;
          state_d     = StDecode;
        end
      end
      StDecode: begin
        if (check_err != ErrNone) begin
          stop_err  = 1'b1;
          stop_code = check_err;
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
              halted_d   = 1'b1;
              irq_done_o = 1'b1;
              retire_o   = 1'b1;
              state_d    = StIdle;
            end
            default: begin  // PROG, MVM, POST: the checks passed, so the opcode is one of them
              tile_d  = f_tile;
              op_d    = f_op;
              flags_d = f_flags;
              a_d     = f_a;
              b_d     = f_b;
              c_d     = f_c;
              sat_seen_d = 1'b0;
              state_d = StIssue;
            end
          endcase
        end
      end
      StIssue: begin
        sat_seen_d  = sat_seen_q | tile_sat_i;
        cmd_valid_o = 1'b1;
        if (cmd_ready_i) begin
          state_d = StWait;
        end
      end
      StWait: begin
        sat_seen_d = sat_seen_q | tile_sat_i;
        if (tile_done_i) begin
          if (tile_err_i) begin
            stop_err  = 1'b1;
            stop_code = tile_err_code_i;
          end else if (sat_stop_i && (sat_seen_q || tile_sat_i)) begin
            // The instruction completed (results written, saturated); it does not retire.
            stop_err  = 1'b1;
            stop_code = ErrSaturation;
          end else begin
            retire_o     = 1'b1;
            retire_mvm_o = (op_q == OpMvm);
            pc_d         = pc_q + 16'd1;
            state_d      = StFetch;
          end
        end
      end
      default: begin
        state_d = StIdle;
      end
    endcase

    // The watchdog overrides whatever this cycle would have done: nothing issues, retires or halts.
    if (wdog_stop_i && state_q != StIdle) begin
      state_d      = state_q;
      pc_d         = pc_q;
      halted_d     = halted_q;
      instr_req_o  = 1'b0;
      cmd_valid_o  = 1'b0;
      irq_done_o   = 1'b0;
      irq_prog_o   = 1'b0;
      retire_o     = 1'b0;
      retire_mvm_o = 1'b0;
      stop_err     = 1'b1;
      stop_code    = ErrWatchdog;
    end

    if (stop_err) begin
      error_d    = 1'b1;
      err_code_d = stop_code;
      err_pc_d   = pc_q;
`ifndef AIMC_FORMAL_BUG_SEQ
      state_d    = StIdle;
`endif  // tests/formal injects this bug: a stop on an error that does not stop
    end
  end

  assign irq_error_o = stop_err;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      pc_q       <= '0;
      halted_q   <= 1'b0;
      error_q    <= 1'b0;
      err_code_q <= ErrNone;
      err_pc_q   <= '0;
      tile_q     <= '0;
      op_q       <= '0;
      flags_q    <= '0;
      a_q        <= '0;
      b_q        <= '0;
      c_q        <= '0;
      sat_seen_q <= 1'b0;
    end else begin
      state_q    <= state_d;
      pc_q       <= pc_d;
      halted_q   <= halted_d;
      error_q    <= error_d;
      err_code_q <= err_code_d;
      err_pc_q   <= err_pc_d;
      tile_q     <= tile_d;
      op_q       <= op_d;
      flags_q    <= flags_d;
      a_q        <= a_d;
      b_q        <= b_d;
      c_q        <= c_d;
      sat_seen_q <= sat_seen_d;
    end
  end

  assign instr_addr_o = pc_q[InstrAw-1:0];
  assign tile_o       = tile_q;
  assign cmd_op_o     = op_q;
  assign cmd_flags_o  = flags_q;
  assign cmd_a_o      = a_q;
  assign cmd_b_o      = b_q;
  assign cmd_c_o      = c_q;

  // A tile reports done only for the command the sequencer waits on; anything else would be lost.
`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!tile_done_i || state_q == StWait)
        else $error("aimc_sequencer: tile done while not waiting for one");
    end
  end
`endif

  assign busy_o     = (state_q != StIdle);
  assign halted_o   = halted_q;
  assign error_o    = error_q;
  assign err_code_o = err_code_q;
  assign err_pc_o   = err_pc_q;

  // ---- formal properties (tests/formal/prove.sh seq: yosys-smtbmc, bounded) ------------------------
  // Interface-level, so that they hold whatever the dispatch does inside: the environment is any
  // instruction stream and tiles that answer a taken command once, within FMaxTile cycles.
  // Proven: only the FSM's states; after HALT or a stop on an error the sequencer is idle on the
  // next cycle with halted/error consistent; a command stays valid and unchanged until taken;
  // no fetch, command or retirement while idle.
`ifdef FORMAL
  localparam int FMaxTile = 3;

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  // Commands taken by a tile and not yet done; cycles the oldest has been waiting.
  logic [3:0] f_cmd_open;
  logic [7:0] f_tile_wait;
  logic       f_cmd_hs;
  assign f_cmd_hs = cmd_valid_o && cmd_ready_i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_cmd_open  <= '0;
      f_tile_wait <= '0;
    end else if (wdog_stop_i && busy_o) begin
      // The watchdog stop aborts the tile in flight (the top resets it): nothing stays open.
      f_cmd_open  <= '0;
      f_tile_wait <= '0;
    end else begin
      f_cmd_open  <= f_cmd_open + 4'(f_cmd_hs) - 4'(tile_done_i);
      f_tile_wait <= (f_cmd_open != 0 && !tile_done_i) ? f_tile_wait + 8'd1 : 8'd0;
    end
  end

  always @(*) begin
    if (rst_ni) begin
      if (f_cmd_open == 0) assume (!tile_done_i);
      if (f_tile_wait >= 8'(FMaxTile)) assume (tile_done_i);
      if (tile_err_i) assume (tile_err_code_i != ErrNone);
    end
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      assert (state_q == StIdle || state_q == StFetch || state_q == StDecode ||
              state_q == StIssue || state_q == StWait);
      assert (!(halted_o && error_o));
      if (error_o) assert (err_code_o != ErrNone);
      if (!busy_o) assert (!instr_req_o && !cmd_valid_o && !retire_o && !irq_done_o);
      if ($past(rst_ni)) begin
        // HALT or an error: idle the next cycle, with the status that says why.
        if ($past(irq_done_o)) assert (!busy_o && halted_o && !error_o);
        if ($past(irq_error_o)) assert (!busy_o && error_o && !halted_o);
        // A command is held, unchanged, until a tile takes it (or the watchdog stops the run).
        if ($past(cmd_valid_o && !cmd_ready_i) && !wdog_stop_i) begin
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
