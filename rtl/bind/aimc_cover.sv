// SPDX-License-Identifier: Apache-2.0
// Functional cover points of the chip, bound into aimc_top (rtl/bind/aimc_bind.sv, Verilator
// only): every opcode decoded and every tile command taken, every error code, the config
// corners, the pipelining and the conflict cases. Simulation only (rtl/dv.f), never synthesized.
//
// Observed at aimc_top's nets between the sequencer, the tiles and the bus, not inside the
// sequencer, so the points keep their meaning whatever the sequencer's inner module boundaries.
// make cov (tools/cov.sh) counts them (Verilator --coverage-user) into cov.json; a point that no
// chip test reaches fails the floor check unless tests/cov/exclusions.txt gives a reason.
// Each point's name ends in _C; a config corner holds only in the configs that have it, so a
// corner is reached when some config of the cov run reaches it.

`include "aimc_assert.svh"

module aimc_cover import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int NumTiles      = 1,
  parameter int DacBits       = 1,
  parameter int AdcKind       = ADC_MODEL,
  parameter int XbarImpl      = XBAR_MODEL,
  parameter int WeightSlices  = 1,
  parameter int ConflictCheck = 1,
  parameter int CounterBits   = 32,
  parameter int IsaTfl        = 1
) (
  input logic                     clk_i,
  input logic                     rst_ni,          // aimc_top's synchronized reset
  // sequencer <-> instruction buffer and tiles
  input logic                     instr_req_i,
  /* verilator lint_off UNUSEDSIGNAL */  // only the opcode and tile fields are looked at
  input logic [INSTR_W-1:0]       instr_rdata_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input logic                     cmd_valid_i,
  input logic                     cmd_ready_i,
  input logic [INSTR_OP_W-1:0]    cmd_op_i,
  input logic [INSTR_FLAGS_W-1:0] cmd_flags_i,
  input logic [INSTR_TILE_W-1:0]  cmd_tile_i,
  input logic [NumTiles-1:0]      tile_busy_i,
  input logic [NumTiles-1:0]      tile_sat_i,     // a tile command that saturated retires
  input logic                     seq_busy_i,
  input logic                     seq_error_i,
  input logic [7:0]               err_code_i,
  input logic                     irq_done_i,
  input logic                     irq_error_i,
  input logic                     irq_prog_i,
  input logic                     seq_dat_req_i,
  input logic                     seq_dat_gnt_i,
  input logic                     seq_act_req_i,
  input logic                     seq_act_we_i,
  input logic                     wdog_stop_i,
  input logic                     sat_stop_i,
  input logic                     soft_reset_i,
  // bus responses
  input logic                     bvalid_i,
  input logic [1:0]               bresp_i,
  input logic                     rvalid_i,
  input logic [1:0]               rresp_i
);

  // ---- decode: the fetched word is on instr_rdata_i the cycle after the request ----------------
  // Helper flops without reset: the points are disabled in reset, and a reset on them would flop
  // aimc_top's reset both as an asynchronous reset and as sampled data (SYNCASYNCNET).
  logic dec_q;
  always_ff @(posedge clk_i) dec_q <= instr_req_i;
  logic [INSTR_OP_W-1:0] d_op;
  assign d_op = instr_rdata_i[INSTR_OP_LSB +: INSTR_OP_W];
  logic [INSTR_TILE_W-1:0] d_tile;
  assign d_tile = instr_rdata_i[INSTR_TILE_LSB +: INSTR_TILE_W];
  logic [INSTR_FLAGS_W-1:0] d_flags;
  assign d_flags = instr_rdata_i[INSTR_FLAGS_LSB +: INSTR_FLAGS_W];

  // The opcode decoded last: a check error stops the program at the instruction decoded last
  // (nothing is fetched while draining), so it names the instruction that raised the conflict.
  logic [INSTR_OP_W-1:0] last_op_q;
  always_ff @(posedge clk_i) begin
    if (dec_q) last_op_q <= d_op;
  end

  logic take;   // a tile takes a command
  assign take = cmd_valid_i && cmd_ready_i;
  logic take_q; // a command was taken the cycle before (helper flop without reset, as dec_q)
  always_ff @(posedge clk_i) take_q <= take;
  logic [NumTiles-1:0] cmd_onehot;
  assign cmd_onehot = NumTiles'(1) << (32'(cmd_tile_i) % NumTiles);

  logic err_seen;  // the stop's code is on err_code_i while error is set
  assign err_seen = seq_error_i;

  // ---- every instruction decoded ---------------------------------------------------------------
  `COVER(DecNop_C,    dec_q && d_op == OpNop,    clk_i, rst_ni)
  `COVER(DecProg_C,   dec_q && d_op == OpProg,   clk_i, rst_ni)
  `COVER(DecMvm_C,    dec_q && d_op == OpMvm,    clk_i, rst_ni)
  `COVER(DecPost_C,   dec_q && d_op == OpPost,   clk_i, rst_ni)
  `COVER(DecIrq_C,    dec_q && d_op == OpIrq,    clk_i, rst_ni)
  `COVER(DecHalt_C,   dec_q && d_op == OpHalt,   clk_i, rst_ni)
  `COVER(DecWait_C,   dec_q && d_op == OpWait,   clk_i, rst_ni)
  `COVER(DecCopy_C,   dec_q && d_op == OpCopy,   clk_i, rst_ni)
  `COVER(DecJump_C,   dec_q && d_op == OpJump,   clk_i, rst_ni)
  `COVER(DecLoop_C,   dec_q && d_op == OpLoop,   clk_i, rst_ni)
  `COVER(DecAccadd_C, dec_q && d_op == OpAccadd, clk_i, rst_ni)
  `COVER(DecUndef_C,  dec_q && d_op > OpAccadd,  clk_i, rst_ni)
  `COVER(DecTileHigh_C, dec_q && d_tile == '1,   clk_i, rst_ni)  // tile field all ones (BAD_TILE path)

  // ---- every tile command taken, and each of its flags -------------------------------------------
  `COVER(TakeProg_C,    take && cmd_op_i == OpProg,   clk_i, rst_ni)
  `COVER(TakeMvm_C,     take && cmd_op_i == OpMvm,    clk_i, rst_ni)
  `COVER(TakePost_C,    take && cmd_op_i == OpPost,   clk_i, rst_ni)
  `COVER(TakeAccadd_C,  take && cmd_op_i == OpAccadd, clk_i, rst_ni)
  `COVER(MvmAcc_C,      take && cmd_op_i == OpMvm && cmd_flags_i[FLAG_ACC],     clk_i, rst_ni)
  `COVER(MvmSrcOut_C,   take && cmd_op_i == OpMvm && cmd_flags_i[FLAG_SRC_OUT], clk_i, rst_ni)
  `COVER(MvmU8_C,       take && cmd_op_i == OpMvm && cmd_flags_i[FLAG_U8],      clk_i, rst_ni)
  `COVER(PostRelu_C,    take && cmd_op_i == OpPost && cmd_flags_i[FLAG_RELU],    clk_i, rst_ni)
  `COVER(PostDstOut_C,  take && cmd_op_i == OpPost && cmd_flags_i[FLAG_DST_OUT], clk_i, rst_ni)
  `COVER(PostRaw_C,     take && cmd_op_i == OpPost && cmd_flags_i[FLAG_RAW],     clk_i, rst_ni)
  `COVER(PostTfl_C,     take && cmd_op_i == OpPost && cmd_flags_i[FLAG_TFL],     clk_i, rst_ni)
  `COVER(AccaddFromOut_C, take && cmd_op_i == OpAccadd && cmd_flags_i[FLAG_FROM_OUT], clk_i, rst_ni)
  `COVER(TakeLastTile_C, take && 32'(cmd_tile_i) == NumTiles - 1 && NumTiles > 1, clk_i, rst_ni)

  // ---- sequencer-executed instructions that have an effect outside the sequencer -----------------
  `COVER(CopyToOut_C, dec_q && d_op == OpCopy && d_flags[FLAG_TO_OUT],  clk_i, rst_ni)  // IN -> OUT
  `COVER(CopyToIn_C,  dec_q && d_op == OpCopy && !d_flags[FLAG_TO_OUT], clk_i, rst_ni)  // OUT -> IN
  `COVER(IrqProg_C,   irq_prog_i,                  clk_i, rst_ni)
  `COVER(Halted_C,    irq_done_i,                  clk_i, rst_ni)
  `COVER(CopyWrite_C, seq_act_req_i && seq_act_we_i, clk_i, rst_ni)

  // ---- every error code the sequencer stops with --------------------------------------------------
  `COVER(ErrIllegal_C,      err_seen && err_code_i == ErrIllegal,      clk_i, rst_ni)
  `COVER(ErrBadTile_C,      err_seen && err_code_i == ErrBadTile,      clk_i, rst_ni)
  `COVER(ErrAddrRange_C,    err_seen && err_code_i == ErrAddrRange,    clk_i, rst_ni)
  `COVER(ErrBadSlot_C,      err_seen && err_code_i == ErrBadSlot,      clk_i, rst_ni)
  `COVER(ErrBadParam_C,     err_seen && err_code_i == ErrBadParam,     clk_i, rst_ni)
  `COVER(ErrPvFail_C,       err_seen && err_code_i == ErrPvFail,       clk_i, rst_ni)
  `COVER(ErrSaturation_C,   err_seen && err_code_i == ErrSaturation,   clk_i, rst_ni)
  `COVER(ErrWatchdog_C,     err_seen && err_code_i == ErrWatchdog,     clk_i, rst_ni)
  `COVER(ErrTileConflict_C, err_seen && err_code_i == ErrTileConflict, clk_i, rst_ni)
  `COVER(IrqError_C,        irq_error_i,                               clk_i, rst_ni)

  // ---- config corners, each while the chip computes (an MVM taken) --------------------------------
  logic mvm_take;
  assign mvm_take = take && cmd_op_i == OpMvm;
  `COVER(CfgAdcModel_C,    mvm_take && AdcKind == ADC_MODEL,   clk_i, rst_ni)
  `COVER(CfgAdcSar_C,      mvm_take && AdcKind == ADC_SAR,     clk_i, rst_ni)
  `COVER(CfgXbarModel_C,   mvm_take && XbarImpl == XBAR_MODEL, clk_i, rst_ni)
  `COVER(CfgXbarTwin_C,    mvm_take && XbarImpl == XBAR_TWIN,  clk_i, rst_ni)
  `COVER(CfgSlices1_C,     mvm_take && WeightSlices == 1,      clk_i, rst_ni)
  `COVER(CfgSlicesN_C,     mvm_take && WeightSlices > 1,       clk_i, rst_ni)
  `COVER(CfgConflictOn_C,  mvm_take && ConflictCheck != 0,     clk_i, rst_ni)
  `COVER(CfgConflictOff_C, mvm_take && ConflictCheck == 0,     clk_i, rst_ni)
  `COVER(CfgIsaTflOn_C,    mvm_take && IsaTfl != 0,            clk_i, rst_ni)
  `COVER(CfgIsaTflOff_C,   mvm_take && IsaTfl == 0,            clk_i, rst_ni)
  `COVER(CfgTiles1_C,      mvm_take && NumTiles == 1,          clk_i, rst_ni)
  `COVER(CfgTilesN_C,      mvm_take && NumTiles > 1,           clk_i, rst_ni)
  `COVER(CfgTiles16_C,     mvm_take && NumTiles == 16,         clk_i, rst_ni)
  `COVER(CfgDac1_C,        mvm_take && DacBits == 1,           clk_i, rst_ni)
  `COVER(CfgDacN_C,        mvm_take && DacBits > 1,            clk_i, rst_ni)
  `COVER(CfgCounters32_C,  mvm_take && CounterBits == 32,      clk_i, rst_ni)
  `COVER(CfgCountersLt32_C, mvm_take && CounterBits < 32,      clk_i, rst_ni)
  // isa_tfl = 0: an ACCADD decodes as undefined and stops with ILLEGAL
  `COVER(CfgNoTflAccadd_C, IsaTfl == 0 && err_seen && err_code_i == ErrIllegal && last_op_q == OpAccadd,
         clk_i, rst_ni)

  // ---- pipelining: tiles running side by side, commands waiting, the data port shared -------------
  logic [7:0] n_busy;
  always_comb begin
    n_busy = '0;
    for (int t = 0; t < NumTiles; t++) n_busy += 8'(tile_busy_i[t]);
  end
  `COVER(TwoTilesBusy_C,     n_busy >= 8'd2,                                   clk_i, rst_ni)
  `COVER(AllTilesBusy_C,     NumTiles > 1 && tile_busy_i == '1,                clk_i, rst_ni)
  `COVER(TakeBesideBusy_C,   take && (tile_busy_i & ~cmd_onehot) != '0,        clk_i, rst_ni)
  `COVER(IssueWaits_C,       cmd_valid_i && !cmd_ready_i,                      clk_i, rst_ni)
  `COVER(TakeBackToBack_C,   take && take_q,                                   clk_i, rst_ni)
  `COVER(WaitBesideBusy_C,   dec_q && d_op == OpWait && tile_busy_i != '0,     clk_i, rst_ni)
  `COVER(LoopBesideBusy_C,   dec_q && d_op == OpLoop && tile_busy_i != '0,     clk_i, rst_ni)
  `COVER(CopyBesideBusy_C,   seq_act_req_i && tile_busy_i != '0,               clk_i, rst_ni)
  `COVER(SeqPortWaits_C,     seq_dat_req_i && !seq_dat_gnt_i,                  clk_i, rst_ni)
  `COVER(DecodeBesideBusy_C, dec_q && tile_busy_i != '0,                       clk_i, rst_ni)
  `COVER(ErrorBesideBusy_C,  irq_error_i && tile_busy_i != '0,                 clk_i, rst_ni)
  `COVER(WdogBesideBusy_C,   wdog_stop_i && tile_busy_i != '0,                 clk_i, rst_ni)
  `COVER(SatStopArmed_C,     sat_stop_i && tile_sat_i != '0,                   clk_i, rst_ni)
  `COVER(SoftResetBusy_C,    soft_reset_i && seq_busy_i,                       clk_i, rst_ni)

  // ---- conflicts: TILE_CONFLICT raised by each kind of instruction --------------------------------
  // The error flag and its code hold until the next start, and nothing is decoded meanwhile.
  logic conflict_now;
  assign conflict_now = err_seen && err_code_i == ErrTileConflict;
  `COVER(ConflictByMvm_C,    conflict_now && last_op_q == OpMvm,    clk_i, rst_ni)
  `COVER(ConflictByPost_C,   conflict_now && last_op_q == OpPost,   clk_i, rst_ni)
  `COVER(ConflictByAccadd_C, conflict_now && last_op_q == OpAccadd, clk_i, rst_ni)
  `COVER(ConflictByCopy_C,   conflict_now && last_op_q == OpCopy,   clk_i, rst_ni)

  // ---- bus error responses --------------------------------------------------------------------------
  `COVER(BusWrSlverr_C, bvalid_i && bresp_i == RESP_SLVERR, clk_i, rst_ni)
  `COVER(BusWrDecerr_C, bvalid_i && bresp_i == RESP_DECERR, clk_i, rst_ni)
  `COVER(BusRdSlverr_C, rvalid_i && rresp_i == RESP_SLVERR, clk_i, rst_ni)
  `COVER(BusRdDecerr_C, rvalid_i && rresp_i == RESP_DECERR, clk_i, rst_ni)

endmodule
