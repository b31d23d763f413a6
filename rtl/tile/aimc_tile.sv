// SPDX-License-Identifier: Apache-2.0
// One analog tile: executes PROG, MVM, POST and ACCADD commands from the sequencer on its crossbar macro,
// DAC/ADC interfaces, accumulator slots and post-processing, exactly as docs/numbers.md orders them.
//
// Latency, in cycles from the accept edge to the cycle of done_o (tests/unit/tile checks it):
//   PROG        Rows*Cols*WeightSlices/4 + 3 (one-shot, pv_en_i = 0)
//   PROG, PV    (analog macro only: the twin has no PV engine, aimc_pv)
//               1 + sum over rows of Cols*WeightSlices/4 + 3 + 2*p_row, p_row = pulses the row took:
//               load the row, verify, then (pulse, verify) until every cell is done or the
//               budget is spent; the decision takes the cycle after each verify
//   MVM         L + 2 + E with L = max(ceil(Rows/(4*LoadWords)) + 1, ColsPerAdc) (config key
//               load_words: input words read per cycle, 1 or 4), S = max(settle, 1),
//               CC = ColsPerAdc*WeightSlices*AdcCycles (bit-sliced weights: every pair column
//               of an ADC is one conversion), over the 2*ceil(8/DacBits) phases (an applied phase has
//               an active row; with u8 every negative phase is skipped): f = phases skipped before
//               the first applied one, k_i = phases skipped between applied phases i and i + 1,
//               r = phases skipped after the last applied one (issue 17: the search for the next
//               applied phase and its settle run under the current conversions):
//                 A_1 = L + 1 + f + S;  D_i = A_i + CC + 1;  A_i+1 = max(D_i, A_i + 2 + k_i + S)
//                 E = D_last if r = 0, else max(D_last, A_last + 2 + r)
//               (no applied phase: E = L + 2*ceil(8/DacBits)). Once CC >= k + S + 1 an applied
//               phase costs CC + 1 cycles (was 2 + S + CC, and 1 per skipped phase).
//               (AdcKind ADC_SAR: AdcCycles = AdcBits + 1, the SAR logic's sample cycle and one per bit)
//   POST        Cols/PostLanes + 4 (int8 and tfl: PostLanes columns per cycle, config key
//               post_lanes 1, 4, 8 or 16, their three parameter words each in one read of
//               aimc_par_buf, their PostLanes/4 output words in one write); RAW: Cols/W + 2, W =
//               max(1, PostLanes/4) columns per cycle (one word per column, W words in one
//               write); stopped by a bad S or E at column c: c/PostLanes + 4
//               (rounded down), + 1 with 8 or 16 lanes (the group of c writes its words before c)
//   ACCADD      Cols + 2 (one activation word and one column per cycle)
//   other ops   1 (answered with ILLEGAL)
// These are the latencies of a command alone. With TileOverlap (config key tile_overlap, issue
// 17) the tile also accepts, while an MVM converts (its load done, state StMvmPhase .. StMvmNext)
// and the command's slot is not that MVM's: a POST (run by the POST engine beside the
// conversions, reading the accumulators through a port of its own), or the next MVM ("m2": its
// inputs read into the second input register of aimc_dac_if, its slot cleared in the cycles no
// conversion writes the accumulators; it enters the FSM in the cycle the MVM before it retires,
// whose first phase then costs what it costs after a load: A_1 = 1 + f + S from that cycle). One
// data-port phase at a time (the POST, m2's load, an MVM load or ACCADD): an MVM or a POST is not
// accepted while the POST engine runs or while m2 is there, a POST neither while two wait to
// retire; PROG and ACCADD only on an idle tile. Commands retire in program order: a POST that ends before the MVM it was
// accepted beside retires the cycle after it. Results are those of program order: the accepted
// command never touches the slot or the words of an older command still running.
// The buffers are shared with the other tiles and the sequencer: a command that uses one (PROG the
// weight port, MVM, POST and ACCADD the data port: activations and parameters) requests it with its
// command and is accepted only with the grant (cmd_ready_o), then keeps the port for the whole
// phase that accesses it (StProg, StMvmLoad, the POST engine, StAccAdd, m2's load), so a granted
// phase never stalls and the latencies above count from the accept edge whatever the other tiles
// do. Exception: a PROG with
// program-and-verify releases the weight port for each row's verify/pulse loop and may wait for
// it before loading the next row (another tile's PROG can load its rows meanwhile).
// Errors: POST detects BAD_PARAM; PROG with program-and-verify and pv_stop_i stops with PV_FAIL at
// the end of the first row left with unconverged cells (that row counts as programmed, later rows
// are not touched); the sequencer validates everything else before dispatch. On BAD_PARAM at
// column c, columns before c are done and c and later are not (aimc_post.sv).

`include "aimc_assert.svh"

module aimc_tile import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int TileIdx    = 0,
  parameter int Rows       = 64,
  parameter int Cols       = 32,
  parameter int DacBits    = 1,
  parameter int AdcBits    = 8,
  parameter int ColsPerAdc = 4,
  parameter int AdcCycles  = 8,
  parameter int AccSlots   = 64,
  // Bit-sliced weights (aimc_slice_map): Cols logical columns of WeightSlices pair columns each.
  parameter int WeightSlices = 1,
  parameter int SliceBits    = 7,
  parameter int XbarImpl   = XBAR_MODEL,  // XBAR_MODEL: analog C model; XBAR_TWIN: aimc_xbar_twin
  parameter int IsaTfl     = 1,           // 0: no tfl POST stage, no ACCADD (config key isa_tfl)
  parameter int PostLanes  = 1,           // POST columns per cycle, 1, 4, 8 or 16 (post_lanes)
  parameter int LoadWords  = 1,           // MVM input words read per cycle, 1 or 4 (load_words)
  parameter int TileOverlap = 0,          // 1: a POST and the next MVM's load beside the conversions
  parameter int AdcKind    = ADC_MODEL,   // ADC_MODEL: codes from the macro; ADC_SAR: aimc_sar
  parameter int ActAw      = 12,
  parameter int WgtAw      = 13,
  parameter int ParAw      = 10,
  localparam int OutWords  = (PostLanes > 4) ? PostLanes / 4 : 1  // words of an activation write
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // command (accepted when valid && ready; ready only when idle and the port it needs is granted)
  input  logic              cmd_valid_i,
  output logic              cmd_ready_o,
  output logic              busy_o,           // a command is in progress (low again with done_o)
  output logic              wgt_port_req_o,   // request / hold the weight port
  input  logic              wgt_port_gnt_i,
  output logic              dat_port_req_o,   // request / hold the activation + parameter ports
  input  logic              dat_port_gnt_i,
  input  logic [3:0]        cmd_op_i,
  input  logic [7:0]        cmd_flags_i,
  input  logic [15:0]       cmd_a_i,
  input  logic [15:0]       cmd_b_i,
  input  logic [15:0]       cmd_c_i,
  output logic              done_o,           // 1-cycle pulse: command finished (also on error)
  output logic              err_o,            // with done_o: the command stopped on an error
  output logic [7:0]        err_code_o,
  output logic              done_sat_o,       // with done_o: the command saturated an int32
  input  logic [7:0]        settle_cycles_i,  // 0 is taken as 1
  // program-and-verify settings (pv_ctrl, pv_tol CSRs), sampled when a PROG is accepted
  input  logic              pv_en_i,
  input  logic              pv_stop_i,
  input  logic [7:0]        pv_budget_i,      // pulses per row at most; 0: verify only
  input  logic [15:0]       pv_tol_i,         // Q0.16 of Gmax - Gmin
  // buffers, owned while busy; read data the cycle after the request
  output logic              wgt_req_o,
  output logic [WgtAw-1:0]  wgt_addr_o,
  input  logic [31:0]       wgt_rdata_i,
  output logic              par_req_o,
  output logic [ParAw-1:0]  par_addr_o,
  input  logic [PostLanes*96-1:0] par_rdata_i, // three words per POST lane (aimc_par_buf)
  output logic              act_req_o,
  output logic              act_we_o,
  output logic              act_sel_o,        // 0 = IN buffer, 1 = OUT buffer
  output logic [ActAw-1:0]  act_addr_o,
  output logic [OutWords-1:0]    act_wmask_o,  // with act_we_o: the words act_addr_o + j written
  output logic [OutWords*32-1:0] act_wdata_o,  // word act_addr_o + j in [32j +: 32]
  input  logic [LoadWords*32-1:0] act_rdata_i,  // words addr .. addr+LoadWords-1 (MVM loads)
  // events for the chip counters
  output logic              ev_read_o,        // one array read (applied phase) done
  output logic [15:0]       ev_adc_o,         // column conversions finished this cycle
  output logic [15:0]       ev_sat_o,         // int32 saturations this cycle
  output logic              ev_prog_row_o,    // one row programmed
  output logic              ev_mvm_o,         // one MVM instruction finished
  output logic              ev_stall_o,       // waiting for the row DACs to settle this cycle
  output logic [31:0]       conv_cnt_o,       // array reads since reset (read-noise event index)
  output logic [31:0]       prog_cnt_o,       // rows programmed since reset (programming event index)
  output logic [31:0]       pv_pulse_cnt_o,   // row-parallel program pulses since reset (pulse index)
  output logic [31:0]       pv_unconv_cnt_o   // cells left unconverged since reset
);

  localparam int NumAdc     = Cols / ColsPerAdc;
  // ---- bit-sliced weights: the array is ArrCols pair columns, ArrPerAdc per ADC ----
  localparam int ArrCols    = Cols * WeightSlices;
  localparam int ArrPerAdc  = ColsPerAdc * WeightSlices;
  localparam int ArrGrpW    = aimc_aw(ArrPerAdc);
  localparam int WShiftMax  = (WeightSlices - 1) * SliceBits;
  localparam int WShiftW    = aimc_aw(WShiftMax + 1);
  localparam int TopLevel   = (WeightSlices == 1) ? 127 : (1 << SliceBits) - 1;  // cell top level
  localparam logic signed [7:0] TopPos = 8'(TopLevel);
  localparam logic signed [7:0] TopNeg = 8'(-TopLevel);
  // ---- end bit-sliced weights ----
  localparam int NumSlices  = (8 + DacBits - 1) / DacBits;  // 8 magnitude bits (-128, u8)
  localparam int SliceW     = aimc_aw(NumSlices);
  localparam int InWords    = Rows / 4;
  localparam int InWordW    = aimc_aw(InWords);
  localparam int RowWords   = ArrCols / 4;
  localparam int RowWordW   = aimc_aw(RowWords);
  localparam int ProgWords  = Rows * RowWords;
  localparam int ProgCntW   = aimc_aw(ProgWords + 1);
  // StMvmLoad: LoadReads reads of LoadWords words each, the last ones written one cycle later,
  // the DAC codes latched on the exit edge; the slot clear (one mux position per cycle) runs
  // alongside.
  localparam int LoadReads  = (InWords + LoadWords - 1) / LoadWords;
  localparam int LoadCycles = (LoadReads + 1 > ColsPerAdc) ? LoadReads + 1 : ColsPerAdc;
  localparam int LoadW      = aimc_aw(LoadCycles + 1);
  localparam int RowW       = aimc_aw(Rows);
  localparam int GrpW       = aimc_aw(ColsPerAdc);
  localparam int SlotW      = aimc_aw(AccSlots);
  localparam int Depth      = AccSlots * ColsPerAdc;
  localparam int IdxW       = aimc_aw(Depth);
  localparam int LaneW      = aimc_aw(NumAdc);
  localparam int PostSatW   = aimc_aw(PostLanes + 1);
  localparam int MaxShift   = (NumSlices - 1) * DacBits + 15 + WShiftMax;  // slices + adc_shift
  localparam int ShiftW     = aimc_aw(MaxShift + 1);
  localparam int WAddrW     = ((WgtAw > 16) ? WgtAw : 16) + 1;
  localparam int AAddrW     = ((ActAw > 16) ? ActAw : 16) + 1;
  localparam int Cells      = 2 * ArrCols;
  localparam int ColW       = aimc_aw(Cols + 1);

  typedef enum logic [3:0] {
    StIdle,
    StProg,
    StMvmLoad,
    StMvmPhase,
    StMvmSettle,
    StMvmConv,
    StPvVerify,
    StPvPulse,
    StAccAdd,
    StMvmNext
  } tile_state_e;

  tile_state_e state_q, state_d;

  // Command operands, latched on accept.
  logic [7:0]  flags_q;
  logic [15:0] a_q;
  logic [SlotW-1:0] slot_q;
  logic [3:0]  adc_shift_q;
  logic        accept;
  logic        f_acc, f_src_out, f_u8, f_from_out;

  // Command end (registered into done_o / err_o / err_code_o).
  logic        done_q, done_d;
  logic        err_q, err_d;
  err_code_e   err_code_q, err_code_d;

  // PROG: issue counter, returned word, row buffer, program pulse.
  logic [ProgCntW-1:0] pcnt_q, pcnt_d;
  logic [RowWordW-1:0] pwidx_q, pwidx_d;         // word in row of the next read
  logic                prv_q, prv_d;             // a weight word returns this cycle
  logic [RowWordW-1:0] prwidx_q;
  logic                prlast_q;
  logic [ArrCols*8-1:0] row_q;
  logic                pfire_q, pfire_d;         // program row prow_q this cycle
  logic [RowW-1:0]     prow_q, prow_d;
  logic [31:0]         prog_cnt_q, prog_cnt_d;

  // PROG with program-and-verify (the engine is aimc_pv): one row at a time.
  logic                piss_q, piss_d;           // all words of the current row issued
  logic                pv_q, pv_row_start, pv_verify, pv_step, pv_row_end, pv_stop, pv_pulse;
  logic [Cells-1:0]    pv_ok, pv_mask;
  // EmptyPulse_A checks this one bit, kept as a signal (public): with `pv_mask == '0` in the
  // property, the sampled copy of the whole mask (2,048 bits on large) breaks the C++ written by
  // version 5.006 of the simulator (an undeclared loop index, __Vilp).
  logic                pv_mask_none /* verilator public_flat_rd */;
  logic [15:0]         pv_tol_q;
  logic [31:0]         pv_idx;

  // MVM.
  logic [LoadW-1:0]    ld_q, ld_d;
  logic                lrv_q, lrv_d;             // an input word returns this cycle
  logic [InWordW-1:0]  lridx_q, lridx_d;
  logic [SliceW-1:0]   slice_q, slice_d;
  logic                neg_q, neg_d;
  logic [31:0]         conv_cnt_q, conv_cnt_d;
  logic                last_phase;
  // The applied phase after the current one, searched for while the current one converts:
  // candidate (nslice, nneg) whose codes the DAC interface holds, search started, candidate found
  // active (its settle started), or no applied phase left.
  logic [SliceW-1:0]   nslice_q, nslice_d;
  logic                nneg_q, nneg_d;
  logic                srch_q, srch_d, nfound_q, nfound_d, nend_q, nend_d;
  logic                srch_load, cand_last, settle_ready;
  logic [IdxW-1:0]     slot_base;

  // The POST engine (aimc_post): its command runs beside the main FSM's (TileOverlap) or alone.
  // A POST accepted while an MVM converts is younger: its done_o waits until that MVM's, so the
  // tile retires its commands in program order. Up to two finished POSTs wait to retire (a
  // queue, oldest in entry 0: BAD_PARAM, saturated, waits for the main FSM's command).
  logic                post_run_q, post_run_d;
  logic                p_dst_q;                  // its dst_out flag
  logic                p_wait_q, p_wait_d;       // the running POST: an older command is in the main FSM
  logic                p_sat_q, p_sat_d;         // the running POST saturated an int32
  logic [1:0]          pq_n_q, pq_n_d;           // finished POSTs waiting to retire
  // entry 0 (the oldest) and entry 1: BAD_PARAM, saturated, waits for the main FSM's command
  logic                pq0_err_q, pq0_err_d, pq0_sat_q, pq0_sat_d, pq0_wait_q, pq0_wait_d;
  logic                pq1_err_q, pq1_err_d, pq1_sat_q, pq1_sat_d, pq1_wait_q, pq1_wait_d;
  logic                p_pend;                   // some finished POST waits to retire
  logic                p_ret;                    // a POST retires this cycle (done_o next)
  logic                p_ret_run;                // the running POST, as it ends (none waiting)
  logic                p_ret_err, p_ret_sat;
  logic                m_done, m_err;            // the main FSM's command ends this cycle
  err_code_e           m_err_code;
  logic                m_sat_q, m_sat_d;         // the main FSM's command saturated an int32
  logic                m_take, p_take;           // accepted: into the main FSM / the POST engine
  logic                main_arr;                 // the main FSM's MVM converts (its load done)
  logic                done_sat_q, done_sat_d;
  // TileOverlap: the next MVM (m2), accepted while the main FSM's MVM converts, loads its inputs
  // into the second input register (aimc_dac_if Shadow) and clears its slot in the cycles the
  // conversions do not write the accumulators; it enters the main FSM (promote) when that MVM
  // retires.
  typedef enum logic [1:0] {M2Empty, M2Load, M2Ready} m2_state_e;
  m2_state_e           m2_q, m2_d;
  logic [7:0]          m2_flags_q;
  logic [15:0]         m2_a_q;
  logic [SlotW-1:0]    m2_slot_q;
  logic [3:0]          m2_shift_q;
  logic [LoadW-1:0]    sld_q, sld_d;             // its input reads issued
  logic [GrpW:0]       sclr_q, sclr_d;           // its slot entries cleared (ColsPerAdc: done)
  logic                m2_take, promote, sclr, lsh_q, lsh_d;
  logic                f_m2_src, f_m2_u8, cmd_slot_busy;

  // ACCADD: column issued next (word a + aa_col, mux position aa_grp of lane aa_lane), and the
  // word of the column issued last cycle returning now.
  logic [ColW-1:0]     aa_col_q, aa_col_d;
  logic [GrpW-1:0]     aa_grp_q, aa_grp_d;
  logic [LaneW-1:0]    aa_lane_q, aa_lane_d;
  logic                aa_rv_q, aa_rv_d;
  logic                aa_rlast_q, aa_rlast_d;
  logic                aa_rd, aa_add;

  // Sub-block wiring.
  logic                dac_load, dac_active, dac_apply, dac_settle, dac_settled, dac_settling;
  logic                macro_apply;
  logic [SliceW-1:0]   dac_slice;
  logic                dac_neg;
  logic [Rows*DacBits-1:0] dac_codes;
  logic                adc_start, adc_conv, adc_code_valid, adc_done;
  logic [ArrGrpW-1:0]  adc_conv_group, adc_code_group;  // pair-column mux positions
  logic [GrpW-1:0]     adc_conv_pos, adc_code_pos;      // their logical positions
  logic [WShiftW-1:0]  adc_code_wshift;                 // slice weight of adc_code_group
  logic [15:0]         adc_ev;
  logic [NumAdc*AdcBits-1:0] codes;
  // ---- SAR ADC wiring (AdcKind ADC_SAR; aimc_adc_if + aimc_sar, comparators in the macro) ----
  logic                      sar_sample, sar_cmp;
  logic [aimc_aw(AdcBits)-1:0] sar_cmp_bit;
  logic [NumAdc*AdcBits-1:0] sar_trial, sar_code, xbar_codes;
  logic [NumAdc-1:0]         sar_dec;
  assign codes = (AdcKind == ADC_SAR) ? sar_code : xbar_codes;
  // ---- end SAR ADC wiring ----
  logic                acc_rd, acc_clr, acc_clr_any, acc_acc;
  logic [PostLanes*32-1:0]    acc_rd_words, acc_post_words;
  logic [IdxW-1:0]     acc_rd_idx, acc_wr_idx;
  logic [LaneW-1:0]    acc_rd_lane;
  logic [PostLanes*32-1:0]    acc_words;      // word i: POST's column c + i (word 0 also ACCADD's)
  logic [PostLanes*IdxW-1:0]  acc_rd_idxs;
  logic [PostLanes*LaneW-1:0] acc_rd_lanes;
  logic [15:0]         acc_sat_cnt;
  logic [ShiftW-1:0]   acc_shift;
  logic                post_start, post_done, post_err, post_par_req, post_acc_rd, post_we;
  logic [PostSatW-1:0] post_sat;
  logic [ParAw-1:0]    post_par_addr;
  logic [PostLanes*IdxW-1:0]  post_acc_idx;
  logic [PostLanes*LaneW-1:0] post_acc_lane;
  logic [ActAw-1:0]    post_addr;
  logic [OutWords-1:0]    post_wmask;
  logic [OutWords*32-1:0] post_wdata;

  // The DAC codes of a phase are latched as the FSM enters StMvmPhase for it (first applied phase
  // of an MVM) or as the search under the conversions loads the next candidate.
  assign dac_load    = (state_d == StMvmPhase) || srch_load;
  assign dac_slice   = srch_load ? nslice_d : slice_d;
  assign dac_neg     = srch_load ? nneg_d : neg_d;
  assign cand_last   = nneg_q && (nslice_q == SliceW'(NumSlices - 1));
  assign settle_ready = !dac_settling || dac_settled;
  assign accept      = cmd_valid_i && cmd_ready_o;
  // Port requests: with a command that needs the port while idle, and for the whole phase using it.
  logic cmd_is_prog, cmd_is_dat;
  assign cmd_is_prog    = (cmd_op == OpProg);
  assign cmd_is_dat     = (cmd_op == OpMvm) || (cmd_op == OpPost) || (cmd_op == OpAccadd);
  // With program-and-verify, PROG gives the weight port up during each row's verify/pulse loop
  // (StPvVerify, StPvPulse: no weight access) and asks for it again back in StProg; it issues
  // weight reads only while granted there.
  // Acceptance: PROG, ACCADD and a non-tile opcode only on an idle tile; an MVM or a POST on an
  // idle main FSM with the POST engine free, or (TileOverlap) beside a converting MVM of another
  // slot: the MVM then as m2, the POST in its engine. The data port is owned by one phase at a
  // time: a POST and m2's load never run together, nor with the main FSM's load or ACCADD.
  assign main_arr      = (state_q == StMvmPhase) || (state_q == StMvmSettle) ||
                         (state_q == StMvmConv) || (state_q == StMvmNext);
  assign cmd_slot_busy = (cmd_b_i[SlotW-1:0] == slot_q);
  logic cmd_can;
  always_comb begin
    if (cmd_op == OpMvm || cmd_op == OpPost) begin
      // a POST waiting to retire holds no port: an MVM may come (it retires after the POST)
      cmd_can = !post_run_q && (pq_n_q != 2'd2 || cmd_op == OpMvm) && (m2_q == M2Empty) &&
                ((state_q == StIdle) || ((TileOverlap != 0) && main_arr && !cmd_slot_busy));
    end else begin
      cmd_can = (state_q == StIdle) && !post_run_q && !p_pend && (m2_q == M2Empty);
    end
  end
  assign wgt_port_req_o = (cmd_valid_i && cmd_can && cmd_is_prog) || (state_q == StProg);
  assign dat_port_req_o = (cmd_valid_i && cmd_can && cmd_is_dat) ||
                          (state_q == StMvmLoad) || post_run_q || (state_q == StAccAdd) ||
                          ((m2_q == M2Load) && (sld_q < LoadW'(LoadReads)));
  assign cmd_ready_o    = cmd_can &&
                          (cmd_is_prog ? wgt_port_gnt_i : (!cmd_is_dat || dat_port_gnt_i));
  assign busy_o         = (state_q != StIdle) || post_run_q || p_pend || (m2_q != M2Empty);
  assign p_take         = accept && (cmd_op == OpPost);
  assign m2_take        = accept && (cmd_op == OpMvm) && (state_q != StIdle);
  assign m_take         = accept && !p_take && !m2_take;
  assign last_phase  = neg_q && (slice_q == SliceW'(NumSlices - 1));
  assign slot_base   = IdxW'(int'(slot_q) * ColsPerAdc);
  assign acc_shift   = ShiftW'(int'(slice_q) * DacBits + int'(adc_shift_q) + int'(adc_code_wshift));
  // Constant selects stay out of the always_comb (Icarus 11 cannot make them sensitive).
  assign f_acc       = flags_q[FLAG_ACC];
  assign f_src_out   = flags_q[FLAG_SRC_OUT];
  assign f_u8        = flags_q[FLAG_U8];
  assign f_from_out  = flags_q[FLAG_FROM_OUT];
  logic cmd_acc, cmd_dst_out;
  assign cmd_acc     = cmd_flags_i[FLAG_ACC];
  assign cmd_dst_out = cmd_flags_i[FLAG_DST_OUT];
  assign f_m2_src    = m2_flags_q[FLAG_SRC_OUT];
  assign f_m2_u8     = m2_flags_q[FLAG_U8];

  // ---- isa_tfl = 0: no ACCADD (the sequencer answers it ILLEGAL and never dispatches it); an
  // ACCADD that reached the tile anyway would be answered as any other non-tile opcode.
  logic [3:0] cmd_op;
  assign cmd_op = ((IsaTfl == 0) && (cmd_op_i == OpAccadd)) ? OpNop : cmd_op_i;
  // ---- end isa_tfl

  // Operand bits the tile does not use (the sequencer has checked that reserved bits are zero).
  logic unused_cmd_bits;
  assign unused_cmd_bits = ^{cmd_b_i[15:SlotW], cmd_c_i[15:4]};

  // ---- control FSM ------------------------------------------------------------------------------
  always_comb begin
    state_d    = state_q;
    m_done     = 1'b0;
    m_err      = 1'b0;
    m_err_code = ErrNone;
    promote    = 1'b0;
    post_run_d = post_run_q;
    m2_d       = m2_q;
    sld_d      = sld_q;
    sclr_d     = sclr_q;
    sclr       = 1'b0;
    lsh_d      = 1'b0;
    pcnt_d     = pcnt_q;
    pwidx_d    = pwidx_q;
    prv_d      = 1'b0;
    pfire_d    = 1'b0;
    prow_d     = prow_q;
    prog_cnt_d = prog_cnt_q;
    piss_d     = piss_q;
    pv_row_start = 1'b0;
    pv_verify  = 1'b0;
    pv_step    = 1'b0;
    ld_d       = ld_q;
    lrv_d      = 1'b0;
    lridx_d    = lridx_q;
    slice_d    = slice_q;
    neg_d      = neg_q;
    nslice_d   = nslice_q;
    nneg_d     = nneg_q;
    srch_d     = srch_q;
    nfound_d   = nfound_q;
    nend_d     = nend_q;
    srch_load  = 1'b0;
    conv_cnt_d = conv_cnt_q;
    aa_col_d   = aa_col_q;
    aa_grp_d   = aa_grp_q;
    aa_lane_d  = aa_lane_q;
    aa_rv_d    = 1'b0;
    aa_rlast_d = 1'b0;
    aa_rd      = 1'b0;
    aa_add     = 1'b0;

    wgt_req_o   = 1'b0;
    wgt_addr_o  = '0;
    act_req_o   = 1'b0;
    act_we_o    = 1'b0;
    act_wmask_o = '0;
    act_sel_o   = 1'b0;
    act_addr_o  = '0;
    act_wdata_o = '0;
    dac_apply   = 1'b0;
    dac_settle  = 1'b0;
    adc_start   = 1'b0;
    acc_clr     = 1'b0;
    post_start  = 1'b0;
    ev_read_o     = 1'b0;
    ev_prog_row_o = 1'b0;
    ev_mvm_o      = 1'b0;

    case (state_q)
      StIdle: begin
        if (m_take) begin
          case (cmd_op)
            OpProg: begin
              state_d = StProg;
              pcnt_d  = '0;
              pwidx_d = '0;
              prow_d  = '0;
              piss_d  = 1'b0;
            end
            OpMvm: begin
              state_d = StMvmLoad;
              ld_d    = '0;
            end
            OpAccadd: begin
              state_d   = StAccAdd;
              aa_col_d  = '0;
              aa_grp_d  = '0;
              aa_lane_d = '0;
            end
            default: begin
              // The sequencer dispatches only tile opcodes; anything else is answered, not hung.
              m_done     = 1'b1;
              m_err      = 1'b1;
              m_err_code = ErrIllegal;
            end
          endcase
        end else if (m2_q == M2Ready) begin
          // m2's load ended after the MVM before it had retired
          promote = 1'b1;
        end
      end

      StProg: begin
        // Issue Rows*Cols/4 reads; each completed row (Cols/4 words) is programmed the cycle after
        // its last word returns. With program-and-verify, one row at a time: its words, then the
        // pulse/verify loop on it.
        if (pcnt_q != ProgCntW'(ProgWords) && !piss_q && wgt_port_gnt_i) begin
          wgt_req_o  = 1'b1;
          wgt_addr_o = WgtAw'(WAddrW'(a_q) + WAddrW'(pcnt_q));
          pcnt_d     = pcnt_q + 1'b1;
          prv_d      = 1'b1;
          pwidx_d    = (pwidx_q == RowWordW'(RowWords - 1)) ? '0 : pwidx_q + 1'b1;
          piss_d     = pv_q && (pwidx_q == RowWordW'(RowWords - 1));
        end
        if (prv_q && prlast_q) begin
          if (pv_q) begin
            state_d      = StPvVerify;
            pv_row_start = 1'b1;
          end else begin
            pfire_d = 1'b1;
          end
        end
        if (pfire_q) begin
          ev_prog_row_o = 1'b1;
          prog_cnt_d    = prog_cnt_q + 32'd1;
          prow_d        = prow_q + 1'b1;
          if (prow_q == RowW'(Rows - 1)) begin
            state_d = StIdle;
            m_done  = 1'b1;
          end
        end
      end

      StPvVerify: begin
        // Verify read of the whole row; the macro's result (pv_ok) is there next cycle.
        pv_verify = 1'b1;
        state_d   = StPvPulse;
      end

      StPvPulse: begin
        // aimc_pv decides: row end (converged, or the budget spent), else a pulse and verify again.
        pv_step = 1'b1;
        if (!pv_row_end) begin
          state_d = StPvVerify;
        end else begin
          ev_prog_row_o = 1'b1;
          prog_cnt_d    = prog_cnt_q + 32'd1;
          prow_d        = prow_q + 1'b1;
          piss_d        = 1'b0;
          if (pv_stop) begin
            state_d    = StIdle;
            m_done     = 1'b1;
            m_err      = 1'b1;
            m_err_code = ErrPvFail;
          end else if (prow_q == RowW'(Rows - 1)) begin
            state_d = StIdle;
            m_done  = 1'b1;
          end else begin
            state_d = StProg;
          end
        end
      end

      StMvmLoad: begin
        // Read the Rows inputs and, without the acc flag, clear the slot (one mux position of
        // every lane per cycle), in parallel.
        if (ld_q < LoadW'(LoadReads)) begin
          act_req_o  = 1'b1;
          act_sel_o  = f_src_out;
          act_addr_o = ActAw'(AAddrW'(a_q) + AAddrW'(int'(ld_q) * LoadWords));
          lrv_d      = 1'b1;
          lridx_d    = InWordW'(int'(ld_q) * LoadWords);
        end
        acc_clr = !f_acc && (ld_q < LoadW'(ColsPerAdc));
        ld_d    = ld_q + 1'b1;
        if (ld_q == LoadW'(LoadCycles)) begin
          state_d = StMvmPhase;
          slice_d = '0;
          neg_d   = 1'b0;
        end
      end

      StMvmPhase: begin
        // The first applied phase of the MVM (one cycle per skipped phase before it).
        if (dac_active) begin
          dac_apply  = 1'b1;
          dac_settle = 1'b1;
          state_d    = StMvmSettle;
        end else if (last_phase) begin
          // Skipped phase (no active row): no apply, no conversion, no count.
          state_d  = StIdle;
          m_done   = 1'b1;
          ev_mvm_o = 1'b1;
        end else begin
          slice_d = neg_q ? slice_q + 1'b1 : slice_q;
          neg_d   = !neg_q;
        end
      end

      StMvmSettle: begin
        if (dac_settled) begin
          adc_start = 1'b1;
          state_d   = StMvmConv;
          srch_d    = 1'b0;
          nfound_d  = 1'b0;
          nend_d    = 1'b0;
        end
      end

      StMvmConv, StMvmNext: begin
        // Under the conversions of phase (slice, neg): find the next applied phase, one candidate
        // per cycle, and start its settle as soon as it is found. The columns were sampled when
        // the conversions started (sample-and-hold), so the rows may change; the macro's model
        // takes the new codes (apply) only once the last group is converted.
        if (!srch_q) begin
          srch_d = 1'b1;
          if (last_phase) begin
            nend_d = 1'b1;
          end else begin
            srch_load = 1'b1;
            nslice_d  = neg_q ? slice_q + 1'b1 : slice_q;
            nneg_d    = !neg_q;
          end
        end else if (!nfound_q && !nend_q) begin
          if (dac_active) begin
            nfound_d   = 1'b1;
            dac_settle = 1'b1;
          end else if (cand_last) begin
            nend_d = 1'b1;
          end else begin
            srch_load = 1'b1;
            nslice_d  = nneg_q ? nslice_q + 1'b1 : nslice_q;
            nneg_d    = !nneg_q;
          end
        end
        if (state_q == StMvmConv) begin
          if (adc_done) begin
            ev_read_o  = 1'b1;
            conv_cnt_d = conv_cnt_q + 32'd1;
            state_d    = StMvmNext;
          end
        end
        // The conversions are done (StMvmNext, or their last cycle): end the MVM, or start the
        // next applied phase once it is found and settled.
        if (state_q == StMvmNext || adc_done) begin
          if (last_phase || nend_q) begin
            state_d  = StIdle;
            m_done   = 1'b1;
            ev_mvm_o = 1'b1;
          end else if (nfound_q && settle_ready) begin
            dac_apply = 1'b1;
            adc_start = 1'b1;
            state_d   = StMvmConv;
            slice_d   = nslice_q;
            neg_d     = nneg_q;
            srch_d    = 1'b0;
            nfound_d  = 1'b0;
            nend_d    = 1'b0;
          end
        end
      end

      StAccAdd: if (IsaTfl != 0) begin  // isa_tfl = 0: never entered, no logic
        // Issue: word a + col and the accumulator entry of column col; the next cycle the word
        // and the entry are there and their saturated sum is written back (aimc_acc add_i).
        if (aa_col_q != ColW'(Cols)) begin
          act_req_o  = 1'b1;
          act_sel_o  = f_from_out;
          act_addr_o = ActAw'(AAddrW'(a_q) + AAddrW'(aa_col_q));
          aa_rd      = 1'b1;
          aa_rv_d    = 1'b1;
          aa_rlast_d = (aa_col_q == ColW'(Cols - 1));
          aa_col_d   = aa_col_q + 1'b1;
          if (aa_grp_q == GrpW'(ColsPerAdc - 1)) begin
            aa_grp_d  = '0;
            aa_lane_d = aa_lane_q + 1'b1;
          end else begin
            aa_grp_d = aa_grp_q + 1'b1;
          end
        end
        aa_add = aa_rv_q;
        if (aa_rv_q && aa_rlast_q) begin
          state_d = StIdle;
          m_done  = 1'b1;
        end
      end

      default: begin
        state_d = StIdle;
      end
    endcase

    // m2 enters the main FSM where its MVM retires (or on the idle FSM): the first phase's codes
    // come from the second input register (aimc_dac_if swap_i).
    if (promote) begin
      state_d = StMvmPhase;
      slice_d = '0;
      neg_d   = 1'b0;
      m2_d    = M2Empty;
    end

    // The POST engine: the activation writes of aimc_post while it runs.
    if (p_take) begin
      post_start = 1'b1;
      post_run_d = 1'b1;
    end
    if (post_run_q) begin
      act_req_o   = post_we;
      act_we_o    = post_we;
      act_wmask_o = post_wmask;
      act_sel_o   = p_dst_q;
      act_addr_o  = post_addr;
      act_wdata_o = post_wdata;
      if (post_done) begin
        post_run_d = 1'b0;
      end
    end

    // m2 (TileOverlap): its input reads, LoadWords words a cycle into the second register, and
    // its slot clear in the cycles no conversion writes the accumulators.
    if (m2_take) begin
      m2_d   = M2Load;
      sld_d  = '0;
      sclr_d = cmd_acc ? (GrpW + 1)'(ColsPerAdc) : '0;
    end
    if (m2_q == M2Load) begin
      if (sld_q < LoadW'(LoadReads)) begin
        act_req_o  = 1'b1;
        act_sel_o  = f_m2_src;
        act_addr_o = ActAw'(AAddrW'(m2_a_q) + AAddrW'(int'(sld_q) * LoadWords));
        lrv_d      = 1'b1;
        lridx_d    = InWordW'(int'(sld_q) * LoadWords);
        lsh_d      = 1'b1;
        sld_d      = sld_q + 1'b1;
      end
      if (sclr_q != (GrpW + 1)'(ColsPerAdc) && !adc_code_valid) begin
        sclr   = 1'b1;
        sclr_d = sclr_q + 1'b1;
      end
      // Ready once the last word is written (it returns this cycle) and the slot is clear.
      if (sld_q == LoadW'(LoadReads) && (sclr_q == (GrpW + 1)'(ColsPerAdc) ||
          (sclr_q == (GrpW + 1)'(ColsPerAdc - 1) && !adc_code_valid))) begin
        m2_d = M2Ready;
      end
    end
  end

  // Retirement in program order: the main FSM's command first when the POSTs wait for it (they
  // were accepted beside it; the cycle after it, when both end together), then the POSTs in the
  // order they ended. A POST retires as it ends when none waits before it.
  assign p_pend  = (pq_n_q != 2'd0);
  assign p_ret_run = post_done && !p_pend && !p_wait_q && !m_done;
  assign p_ret     = p_ret_run || (p_pend && !pq0_wait_q && !m_done);
  assign p_ret_err = p_ret_run ? post_err : pq0_err_q;
  assign p_ret_sat = p_ret_run ? (p_sat_q || (post_sat != '0)) : pq0_sat_q;
  logic       pq_pop, pq_push, pq0_wait_rel, pq1_wait_rel, p_end_sat, p_end_wait;
  assign pq_pop       = p_ret && !p_ret_run;
  assign pq_push      = post_done && !p_ret_run;
  // the main FSM's command retiring releases every POST waiting for it
  assign pq0_wait_rel = pq0_wait_q && !m_done;
  assign pq1_wait_rel = pq1_wait_q && !m_done;
  assign p_end_sat    = p_sat_q || (post_sat != '0);
  assign p_end_wait   = p_wait_q && !m_done;
  always_comb begin
    done_d     = m_done || p_ret;
    err_d      = m_err;
    err_code_d = m_err_code;
    done_sat_d = m_sat_q || (acc_sat_cnt != 16'd0);
    if (!m_done) begin
      err_d      = p_ret && p_ret_err;
      if (err_d) begin
        err_code_d = ErrBadParam;
      end
      done_sat_d = p_ret_sat;
    end
    p_wait_d = p_take ? ((state_q != StIdle) && !m_done) : p_end_wait;
    p_sat_d  = p_take ? 1'b0 : p_end_sat;
    // the queue: pop the oldest as it retires, push the running POST as it ends unretired
    pq_n_d     = pq_n_q - 2'(pq_pop) + 2'(pq_push);
    pq0_err_d  = pq0_err_q;
    pq0_sat_d  = pq0_sat_q;
    pq0_wait_d = pq0_wait_rel;
    pq1_err_d  = pq1_err_q;
    pq1_sat_d  = pq1_sat_q;
    pq1_wait_d = pq1_wait_rel;
    if (pq_pop) begin
      pq0_err_d  = pq1_err_q;
      pq0_sat_d  = pq1_sat_q;
      pq0_wait_d = pq1_wait_rel;
    end
    if (pq_push) begin
      if (pq_n_q == 2'(pq_pop)) begin
        pq0_err_d  = post_err;
        pq0_sat_d  = p_end_sat;
        pq0_wait_d = p_end_wait;
      end else begin
        pq1_err_d  = post_err;
        pq1_sat_d  = p_end_sat;
        pq1_wait_d = p_end_wait;
      end
    end
    m_sat_d  = (m_take || promote) ? 1'b0 : (m_sat_q || (acc_sat_cnt != 16'd0));
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      flags_q    <= '0;
      a_q        <= '0;
      slot_q     <= '0;
      adc_shift_q <= '0;
      done_q     <= 1'b0;
      err_q      <= 1'b0;
      err_code_q <= ErrNone;
      pcnt_q     <= '0;
      pwidx_q    <= '0;
      prv_q      <= 1'b0;
      prwidx_q   <= '0;
      prlast_q   <= 1'b0;
      pfire_q    <= 1'b0;
      prow_q     <= '0;
      prog_cnt_q <= '0;
      piss_q     <= 1'b0;
      ld_q       <= '0;
      lrv_q      <= 1'b0;
      lridx_q    <= '0;
      slice_q    <= '0;
      neg_q      <= 1'b0;
      nslice_q   <= '0;
      nneg_q     <= 1'b0;
      srch_q     <= 1'b0;
      nfound_q   <= 1'b0;
      nend_q     <= 1'b0;
      conv_cnt_q <= '0;
      aa_col_q   <= '0;
      aa_grp_q   <= '0;
      aa_lane_q  <= '0;
      aa_rv_q    <= 1'b0;
      aa_rlast_q <= 1'b0;
      post_run_q <= 1'b0;
      p_dst_q    <= 1'b0;
      p_wait_q   <= 1'b0;
      p_sat_q    <= 1'b0;
      pq_n_q     <= '0;
      pq0_err_q  <= 1'b0;
      pq0_sat_q  <= 1'b0;
      pq0_wait_q <= 1'b0;
      pq1_err_q  <= 1'b0;
      pq1_sat_q  <= 1'b0;
      pq1_wait_q <= 1'b0;
      m_sat_q    <= 1'b0;
      done_sat_q <= 1'b0;
      m2_q       <= M2Empty;
      m2_flags_q <= '0;
      m2_a_q     <= '0;
      m2_slot_q  <= '0;
      m2_shift_q <= '0;
      sld_q      <= '0;
      sclr_q     <= '0;
      lsh_q      <= 1'b0;
    end else begin
      state_q    <= state_d;
      if (m_take) begin
        flags_q     <= cmd_flags_i;
        a_q         <= cmd_a_i;
        slot_q      <= cmd_b_i[SlotW-1:0];
        adc_shift_q <= cmd_c_i[3:0];
      end else if (promote) begin
        flags_q     <= m2_flags_q;
        slot_q      <= m2_slot_q;
        adc_shift_q <= m2_shift_q;
      end
      if (p_take) begin
        p_dst_q <= cmd_dst_out;
      end
      if (m2_take) begin
        m2_flags_q <= cmd_flags_i;
        m2_a_q     <= cmd_a_i;
        m2_slot_q  <= cmd_b_i[SlotW-1:0];
        m2_shift_q <= cmd_c_i[3:0];
      end
      post_run_q <= post_run_d;
      p_wait_q   <= p_wait_d;
      p_sat_q    <= p_sat_d;
      pq_n_q     <= pq_n_d;
      pq0_err_q  <= pq0_err_d;
      pq0_sat_q  <= pq0_sat_d;
      pq0_wait_q <= pq0_wait_d;
      pq1_err_q  <= pq1_err_d;
      pq1_sat_q  <= pq1_sat_d;
      pq1_wait_q <= pq1_wait_d;
      m_sat_q    <= m_sat_d;
      done_sat_q <= done_sat_d;
      m2_q       <= m2_d;
      sld_q      <= sld_d;
      sclr_q     <= sclr_d;
      lsh_q      <= lsh_d;
      done_q     <= done_d;
      err_q      <= err_d;
      err_code_q <= err_code_d;
      pcnt_q     <= pcnt_d;
      pwidx_q    <= pwidx_d;
      prv_q      <= prv_d;
      prwidx_q   <= pwidx_q;
      prlast_q   <= (pwidx_q == RowWordW'(RowWords - 1));
      pfire_q    <= pfire_d;
      prow_q     <= prow_d;
      prog_cnt_q <= prog_cnt_d;
      piss_q     <= piss_d;
      ld_q       <= ld_d;
      lrv_q      <= lrv_d;
      lridx_q    <= lridx_d;
      slice_q    <= slice_d;
      neg_q      <= neg_d;
      nslice_q   <= nslice_d;
      nneg_q     <= nneg_d;
      srch_q     <= srch_d;
      nfound_q   <= nfound_d;
      nend_q     <= nend_d;
      conv_cnt_q <= conv_cnt_d;
      aa_col_q   <= aa_col_d;
      aa_grp_q   <= aa_grp_d;
      aa_lane_q  <= aa_lane_d;
      aa_rv_q    <= aa_rv_d;
      aa_rlast_q <= aa_rlast_d;
    end
  end

  // Row buffer of PROG (data, no reset). A byte is clamped to [-TopLevel, TopLevel]: with one
  // slice only 0x80 (-128) changes, to -127.
  always_ff @(posedge clk_i) begin
    if (prv_q) begin
      for (int i = 0; i < 4; i++) begin
        row_q[32*int'(prwidx_q) + 8*i +: 8] <=
            ($signed(wgt_rdata_i[8*i +: 8]) < TopNeg) ? TopNeg :
            ($signed(wgt_rdata_i[8*i +: 8]) > TopPos) ? TopPos : wgt_rdata_i[8*i +: 8];
      end
    end
  end

  assign done_o     = done_q;
  assign done_sat_o = done_sat_q;
  assign err_o      = err_q;
  assign err_code_o = err_code_q;
  assign conv_cnt_o = conv_cnt_q;
  assign prog_cnt_o = prog_cnt_q;

  // ---- program-and-verify engine: built only with the analog macro (the twin's cells are ideal
  // and the config checker refuses pv_enable with xbar_impl = 1)
  aimc_pv #(
    .Cells    (Cells),
    .PvEngine ((XbarImpl == XBAR_TWIN) ? 0 : 1)
  ) u_pv (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .accept_i     (accept),
    .pv_en_i      (pv_en_i),
    .pv_stop_i    (pv_stop_i),
    .pv_budget_i  (pv_budget_i),
    .pv_tol_i     (pv_tol_i),
    .row_start_i  (pv_row_start),
    .verify_i     (pv_verify),
    .step_i       (pv_step),
    .ok_i         (pv_ok),
    .pv_o         (pv_q),
    .row_end_o    (pv_row_end),
    .stop_o       (pv_stop),
    .pulse_o      (pv_pulse),
    .mask_o       (pv_mask),
    .tol_o        (pv_tol_q),
    .idx_o        (pv_idx),
    .pulse_cnt_o  (pv_pulse_cnt_o),
    .unconv_cnt_o (pv_unconv_cnt_o)
  );
  // ---- end program-and-verify engine

  // ---- datapath -----------------------------------------------------------------------------------
  aimc_dac_if #(
    .Rows      (Rows),
    .DacBits   (DacBits),
    .LoadWords (LoadWords),
    .Shadow    (TileOverlap)
  ) u_dac_if (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .x_we_i          (lrv_q),
    .x_widx_i        (lridx_q),
    .x_wdata_i       (act_rdata_i),
    .x_shadow_i      (lsh_q),
    .swap_i          (promote),
    .load_i          (dac_load),
    .slice_i         (dac_slice),
    .neg_i           (dac_neg),
    .u8_i            (promote ? f_m2_u8 : f_u8),
    .active_o        (dac_active),
    .apply_i         (dac_apply),
    .settle_i        (dac_settle),
    .settle_cycles_i (settle_cycles_i),
    .settled_o       (dac_settled),
    .settling_o      (dac_settling),
    .dac_apply_o     (macro_apply),
    .dac_codes_o     (dac_codes)
  );

  aimc_adc_if #(
    .Cols       (ArrCols),    // bit-sliced weights: ColsPerAdc*WeightSlices conversions a phase
    .ColsPerAdc (ArrPerAdc),
    .AdcCycles  (AdcCycles),
    .AdcBits    (AdcBits),
    .AdcKind    (AdcKind)
  ) u_adc_if (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .start_i      (adc_start),
    .conv_o       (adc_conv),
    .conv_group_o (adc_conv_group),
    .code_valid_o (adc_code_valid),
    .code_group_o (adc_code_group),
    .done_o       (adc_done),
    .ev_adc_o     (adc_ev),
    .sample_o     (sar_sample),
    .cmp_o        (sar_cmp),
    .cmp_bit_o    (sar_cmp_bit),
    .trial_o      (sar_trial),
    .cmp_i        (sar_dec),
    .sar_code_o   (sar_code)
  );

  // The crossbar: one set of ports and one latency, the implementation chosen by XbarImpl.
  aimc_xbar #(
    .XbarImpl   (XbarImpl),
    .TileIdx    (TileIdx),
    .Rows       (Rows),
    .Cols       (ArrCols),
    .DacBits    (DacBits),
    .AdcBits    (AdcBits),
    .ColsPerAdc (ArrPerAdc),
    .AdcKind    (AdcKind)
  ) u_xbar (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .prog_i       (pfire_q),
    .prog_row_i   (prow_q),
    .prog_w_i     (row_q),
    .prog_idx_i   (prog_cnt_q),
    .pv_pulse_i   (pv_pulse),
    .pv_mask_i    (pv_mask),
    .pv_verify_i  (pv_verify),
    .pv_tol_i     (pv_tol_q),
    .pv_idx_i     (pv_idx),
    .pv_ok_o      (pv_ok),
    .apply_i      (macro_apply),
    .apply_d_i    (dac_codes),
    .conv_i       (adc_conv),
    .conv_group_i (adc_conv_group),
    .conv_idx_i   (conv_cnt_q),
    .adc_shift_i  (adc_shift_q),
    .code_o       (xbar_codes),
    .sample_i     (sar_sample),
    .cmp_i        (sar_cmp),
    .cmp_bit_i    (sar_cmp_bit),
    .trial_i      (sar_trial),
    .cmp_o        (sar_dec)
  );

  // The accumulator read port serves the MVM (read at the end of a SAR, accumulate when the codes
  // arrive) and ACCADD, which never overlap; POST reads through it too on a tile without
  // TileOverlap, or through a port of its own (a POST beside the conversions).
  assign acc_rd      = adc_conv || aa_rd || ((TileOverlap == 0) && post_acc_rd);
  aimc_slice_map #(
    .ColsPerAdc   (ColsPerAdc),
    .WeightSlices (WeightSlices),
    .SliceBits    (SliceBits)
  ) u_slice_map (
    .conv_group_i  (adc_conv_group),
    .conv_pos_o    (adc_conv_pos),
    .code_group_i  (adc_code_group),
    .code_pos_o    (adc_code_pos),
    .code_wshift_o (adc_code_wshift)
  );

  assign acc_rd_idx  = ((TileOverlap == 0) && post_run_q) ? post_acc_idx[IdxW-1:0] :
                       (state_q == StAccAdd) ? slot_base + IdxW'(aa_grp_q) :
                       slot_base + IdxW'(adc_conv_pos);
  assign acc_rd_lane = (state_q == StAccAdd) ? aa_lane_q : post_acc_lane[LaneW-1:0];
  // POST's other lanes (post_lanes 4) read their columns beside word 0.
  if (PostLanes > 1) begin : g_post_rd
    assign acc_rd_idxs  = {post_acc_idx[PostLanes*IdxW-1:IdxW], acc_rd_idx};
    assign acc_rd_lanes = {post_acc_lane[PostLanes*LaneW-1:LaneW], acc_rd_lane};
  end else begin : g_post_rd1
    assign acc_rd_idxs  = acc_rd_idx;
    assign acc_rd_lanes = acc_rd_lane;
  end
  assign acc_acc     = adc_code_valid;
  // The slot clear: the main FSM's load, or m2's beside the conversions (never both).
  assign acc_clr_any = acc_clr || sclr;
  assign acc_wr_idx  = sclr ? IdxW'(int'(m2_slot_q) * ColsPerAdc) + IdxW'(sclr_q) :
                       acc_clr ? slot_base + IdxW'(ld_q) : slot_base + IdxW'(adc_code_pos);

  aimc_acc #(
    .Cols       (Cols),
    .ColsPerAdc (ColsPerAdc),
    .AccSlots   (AccSlots),
    .AdcBits    (AdcBits),
    .ShiftW     (ShiftW),
    .MaxShift   (MaxShift),
    .AccAdd     (IsaTfl),
    .RdWords    (PostLanes),
    .PostPort   (TileOverlap)
  ) u_acc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .rd_i      (acc_rd),
    .rd_idx_i  (acc_rd_idxs),
    .rd_lane_i (acc_rd_lanes),
    .rd_word_o (acc_rd_words),
    .prd_i     (post_acc_rd),
    .prd_idx_i (post_acc_idx),
    .prd_lane_i(post_acc_lane),
    .prd_word_o(acc_post_words),
    .acc_i     (acc_acc),
    .wr_idx_i  (acc_wr_idx),
    .codes_i   (codes),
    .neg_i     (neg_q),
    .shift_i   (acc_shift),
    .clr_i     (acc_clr_any),
    .add_i     (aa_add),
    .add_word_i(act_rdata_i[31:0]),
    .sat_cnt_o (acc_sat_cnt)
  );

  // ACCADD reads word 0 of the shared port; POST its own port's words with TileOverlap.
  assign acc_words = (TileOverlap != 0) ? acc_post_words : acc_rd_words;

  aimc_post #(
    .Cols       (Cols),
    .ColsPerAdc (ColsPerAdc),
    .AccSlots   (AccSlots),
    .ActAw      (ActAw),
    .ParAw      (ParAw),
    .IsaTfl     (IsaTfl),
    .Lanes      (PostLanes)
  ) u_post (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (post_start),
    .slot_i      (cmd_b_i[SlotW-1:0]),
    .par_base_i  (cmd_c_i),
    .dst_base_i  (cmd_a_i),
    .relu_i      (cmd_flags_i[FLAG_RELU]),
    .raw_i       (cmd_flags_i[FLAG_RAW]),
    .tfl_i       (cmd_flags_i[FLAG_TFL]),
    .done_o      (post_done),
    .err_o       (post_err),
    .par_req_o   (post_par_req),
    .par_addr_o  (post_par_addr),
    .par_rdata_i (par_rdata_i),
    .acc_rd_o    (post_acc_rd),
    .acc_idx_o   (post_acc_idx),
    .acc_lane_o  (post_acc_lane),
    .acc_word_i  (acc_words),
    .out_we_o    (post_we),
    .out_addr_o  (post_addr),
    .out_wmask_o (post_wmask),
    .out_wdata_o (post_wdata),
    .sat_o       (post_sat)
  );

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds): each
  // sub-block answers only in the state that waits for it.
  `ASSERT(AdcDoneInConv_A, !adc_done || state_q == StMvmConv)
  `ASSERT(PostDoneInPost_A, !post_done || post_run_q)
  `ASSERT(ProgFireInProg_A, !pfire_q || state_q == StProg)
  `ASSERT_NEVER(OneShotInPv_A, pfire_q && pv_q)
  `ASSERT_NEVER(EmptyPulse_A, pv_pulse && pv_mask_none)
  `ASSERT_NEVER(AccPortClash_A, (TileOverlap == 0) && post_acc_rd && (adc_conv || aa_rd))
  `ASSERT_NEVER(ClrWithAcc_A, sclr && (acc_acc || acc_clr || aa_add))
  `ASSERT_NEVER(DoneWithPost_A, m_done && p_ret)
  `ASSERT_NEVER(PostQueueFull_A, pq_push && !pq_pop && pq_n_q == 2'd2)
  `ASSERT(PostBesideOther_A, !(post_run_q && main_arr) || (TileOverlap != 0))
  // One data-port phase at a time (the POST, m2's load, the main FSM's load or ACCADD).
  logic m2_reading, main_dat;
  assign m2_reading = (m2_q == M2Load) && (sld_q < LoadW'(LoadReads));
  assign main_dat   = (state_q == StMvmLoad) || (state_q == StAccAdd);
  `ASSERT_NEVER(PortTwoOwners_A, (post_run_q && (m2_reading || main_dat)) || (m2_reading && main_dat))
  `ASSERT(WgtGrant_A, !wgt_req_o || wgt_port_gnt_i)
  `ASSERT(DatGrant_A, !(act_req_o || par_req_o) || dat_port_gnt_i)

  assign pv_mask_none = (pv_mask == '0);
  assign par_req_o  = post_par_req;
  assign par_addr_o = post_par_addr;
  assign ev_adc_o   = adc_ev;
  assign ev_sat_o   = acc_sat_cnt + 16'(post_sat);
  // Cycles the tile waits for its row DACs to settle: the first applied phase of an MVM, and a
  // later phase whose settle did not fit under the previous conversions (issue 17).
  assign ev_stall_o = (state_q == StMvmSettle) ||
                      ((state_q == StMvmNext) && nfound_q && !settle_ready);

endmodule
