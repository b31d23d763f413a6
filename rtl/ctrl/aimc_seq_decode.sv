// SPDX-License-Identifier: Apache-2.0
// Sequencer fetch and decode checks (aimc_sequencer): the fetch address of the PC, the fields of
// the fetched instruction word, the activation windows it reads and writes, and its check result.
//
// Checks, first failing one wins (docs/isa.md): undefined opcode, a reserved bit set or POST's tfl
// with relu or raw (ILLEGAL), tile >= NumTiles or a WAIT mask naming a missing tile (BAD_TILE), an
// operand range past its buffer (ADDR_RANGE), accumulator slot >= AccSlots (BAD_SLOT), and the
// conflict found by aimc_seq_conflict on the windows given here (TILE_CONFLICT). The PC past the
// instruction buffer (ADDR_RANGE) is pc_ok_o, checked before the fetch.
//
// IsaTfl = 0 (config key isa_tfl): ACCADD decodes as an undefined opcode and POST's tfl flag as a
// reserved bit (ILLEGAL).

module aimc_seq_decode import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles     = 1,
  parameter int Rows         = 64,
  parameter int Cols         = 32,
  parameter int WeightSlices = 1,   // bit-sliced weights: PROG reads Cols*WeightSlices bytes a row
  parameter int InstrDepth   = 1024,
  parameter int ActDepth     = 4096,
  parameter int ParDepth     = 1024,
  parameter int WgtDepth     = 8192,
  parameter int AccSlots     = 64,
  parameter int IsaTfl       = 1,
  parameter int InstrAw      = aimc_aw(InstrDepth),
  // Windows live in one space: IN words at 0.., OUT words at ActDepth.. (aimc_seq_conflict).
  localparam int CAw         = aimc_aw(2 * ActDepth)
) (
  // fetch
  input  logic [15:0]              pc_i,
  output logic [InstrAw-1:0]       instr_addr_o,
  output logic                     pc_ok_o,        // the PC is inside the instruction buffer
  // the fetched word and its fields
  input  logic [INSTR_W-1:0]       instr_i,
  output logic [INSTR_OP_W-1:0]    op_o,
  output logic [INSTR_TILE_W-1:0]  tile_o,
  output logic [INSTR_FLAGS_W-1:0] flags_o,
  output logic [INSTR_A_W-1:0]     a_o,
  output logic [INSTR_B_W-1:0]     b_o,
  output logic [INSTR_C_W-1:0]     c_o,
  output logic [NumTiles-1:0]      mask_o,         // WAIT: the tiles its mask names
  // activation windows (combined space, inclusive bounds); uses_tile_o: a tile command of tile_o
  output logic                     uses_tile_o,
  output logic                     rd_v_o,
  output logic [CAw-1:0]           rd_lo_o,
  output logic [CAw-1:0]           rd_hi_o,
  output logic                     wr_v_o,
  output logic [CAw-1:0]           wr_lo_o,
  output logic [CAw-1:0]           wr_hi_o,
  input  logic                     conflict_i,     // the windows meet another tile's boxes
  output logic [7:0]               check_err_o     // ErrNone: the instruction may run
);

  // Operand extents in buffer words (docs/isa.md, docs/numbers.md).
  localparam int PROG_WORDS     = Rows * Cols * WeightSlices / 4;
  localparam int MVM_WORDS      = Rows / 4;
  localparam int POST_WORDS     = Cols / 4;
  localparam int POST_RAW_WORDS = Cols;
  localparam int PAR_WORDS      = 3 * Cols;
  localparam int ACCADD_WORDS   = Cols;

  assign instr_addr_o = pc_i[InstrAw-1:0];
  assign pc_ok_o      = 32'(pc_i) < 32'(InstrDepth);

  logic [INSTR_OP_W-1:0]    f_op;
  logic [INSTR_TILE_W-1:0]  f_tile;
  logic [INSTR_FLAGS_W-1:0] f_flags;
  logic [INSTR_A_W-1:0]     f_a;
  logic [INSTR_B_W-1:0]     f_b;
  logic [INSTR_C_W-1:0]     f_c;
  assign f_op    = instr_i[INSTR_OP_LSB    +: INSTR_OP_W];
  assign f_tile  = instr_i[INSTR_TILE_LSB  +: INSTR_TILE_W];
  assign f_flags = instr_i[INSTR_FLAGS_LSB +: INSTR_FLAGS_W];
  assign f_a     = instr_i[INSTR_A_LSB     +: INSTR_A_W];
  assign f_b     = instr_i[INSTR_B_LSB     +: INSTR_B_W];
  assign f_c     = instr_i[INSTR_C_LSB     +: INSTR_C_W];
  assign op_o    = f_op;
  assign tile_o  = f_tile;
  assign flags_o = f_flags;
  assign a_o     = f_a;
  assign b_o     = f_b;
  assign c_o     = f_c;
  // Fields of the mask operand of WAIT that name tiles (the rest is checked to be zero).
  assign mask_o  = f_c[NumTiles-1:0];

  logic        op_defined, uses_tile, mask_ok, combo_bad;
  logic [63:0] rsvd;
  logic [CAw-1:0] act_words;
  logic        range_ok, slot_ok;
  // Constant selects outside always_comb: Icarus cannot sense them.
  logic        f_raw, f_src_out, f_dst_out, f_from_out, f_to_out, f_tfl, f_relu;
  assign f_raw      = f_flags[FLAG_RAW];
  assign f_tfl      = f_flags[FLAG_TFL];
  assign f_relu     = f_flags[FLAG_RELU];
  assign f_src_out  = f_flags[FLAG_SRC_OUT];
  assign f_dst_out  = f_flags[FLAG_DST_OUT];
  assign f_from_out = f_flags[FLAG_FROM_OUT];
  assign f_to_out   = f_flags[FLAG_TO_OUT];

  logic           r_v, w_v;
  logic [CAw-1:0] r_lo, r_hi, w_lo, w_hi;

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
  end

  // Apart from the windows' block: conflict_i is computed from the windows.
  always_comb begin
    if (!op_defined || (instr_i & rsvd) != '0 || combo_bad) begin
      check_err_o = ErrIllegal;
    end else if ((uses_tile && 32'(f_tile) >= 32'(NumTiles)) || !mask_ok) begin
      check_err_o = ErrBadTile;
    end else if (!range_ok) begin
      check_err_o = ErrAddrRange;
    end else if (!slot_ok) begin
      check_err_o = ErrBadSlot;
    end else if (conflict_i) begin
      check_err_o = ErrTileConflict;
    end else begin
      check_err_o = ErrNone;
    end
  end

  assign uses_tile_o = uses_tile;
  assign rd_v_o      = r_v;
  assign rd_lo_o     = r_lo;
  assign rd_hi_o     = r_hi;
  assign wr_v_o      = w_v;
  assign wr_lo_o     = w_lo;
  assign wr_hi_o     = w_hi;

endmodule
