// SPDX-License-Identifier: Apache-2.0
// Kirchhoff chip top: AXI4-Lite slave, CSR block, on-chip buffers, sequencer and the tiles.

`include "aimc_assert.svh"

module aimc_top
  import aimc_pkg::*; import aimc_isa_pkg::*; import aimc_map_pkg::*; import aimc_limits_pkg::*;
  import aimc_csr_pkg::*;
#(
  parameter int NumTiles   = 1,
  parameter int Rows       = 64,
  parameter int Cols       = 32,
  parameter int DacBits    = 1,
  parameter int AdcBits    = 8,
  parameter int ColsPerAdc = 4,
  parameter int AdcCycles  = 8,
  parameter int InstrDepth = 1024,
  parameter int ActDepth   = 4096,
  parameter int ParDepth   = 1024,
  parameter int WgtDepth   = 8192,
  parameter int AccSlots   = 64,
  parameter int XbarImpl   = XBAR_MODEL, // XBAR_MODEL or XBAR_TWIN (aimc_pkg)
  parameter int AdcKind    = ADC_MODEL,  // ADC_MODEL or ADC_SAR (aimc_pkg; config key adc_kind)
  // Bit-sliced weights (docs/decisions/0009): WeightSlices pair columns of SliceBits per weight.
  parameter int WeightSlices = 1,
  parameter int SliceBits    = 7,
  // Two knobs of the smallest FPGA prototype (configs/ice40.cfg); the defaults are the chip.
  parameter int ConflictCheck = 1,       // 0 (NumTiles 1 only): no TILE_CONFLICT, COPY waits for idle
  parameter int CounterBits   = 32,      // event counter width (16..32), wrap at 2^CounterBits
  parameter int IsaTfl        = 1,       // 0: no tfl POST stage, no ACCADD (both ILLEGAL)
  parameter int PostLanes     = 1,       // POST columns per cycle, 1, 4, 8 or 16 (post_lanes)
  parameter int LoadWords     = 1,       // MVM input words per cycle, 1 or 4 (config key load_words)
  parameter int TileOverlap   = 0,       // 1: a POST and the next MVM's load beside the conversions
  // Tile clock gating (docs/decisions/0011): 1 gates each tile's clock while it has nothing to
  // do (aimc_clk_gate); 0 (FPGA builds, the generic synthesis check) clocks every tile always.
  // Same bits, counters and cycles either way.
  parameter bit ClkGate       = 1'b1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite slave
  input  logic        s_axil_awvalid_i,
  output logic        s_axil_awready_o,
  input  logic [31:0] s_axil_awaddr_i,
  input  logic [2:0]  s_axil_awprot_i,
  input  logic        s_axil_wvalid_i,
  output logic        s_axil_wready_o,
  input  logic [31:0] s_axil_wdata_i,
  input  logic [3:0]  s_axil_wstrb_i,
  output logic        s_axil_bvalid_o,
  input  logic        s_axil_bready_i,
  output logic [1:0]  s_axil_bresp_o,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  input  logic [31:0] s_axil_araddr_i,
  input  logic [2:0]  s_axil_arprot_i,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  // interrupt: any irq flag whose enable in ctrl is set
  output logic        irq_o
);

  localparam int InstrAw  = aimc_aw(InstrDepth);
  localparam int ActAw    = aimc_aw(ActDepth);
  localparam int ParAw    = aimc_aw(ParDepth);
  localparam int WgtAw    = aimc_aw(WgtDepth);
  localparam int CsrAw    = aimc_aw(int'(CSR_SIZE));
  localparam int TileSelW = aimc_aw(NumTiles);
  localparam int DatN     = NumTiles + 1;     // data-port requesters: the tiles, then the sequencer
  localparam int DatSelW  = aimc_aw(DatN);

  // Every size within the chip limits (docs/limits.md): the per-tile CSR arrays and the tile
  // fields hold at most MAX_TILES tiles, the CSR configuration fields and the address windows the
  // largest sizes.
  `ASSERT_INIT(NumTilesInLimits_A, NumTiles >= 1 && NumTiles <= MAX_TILES)
  `ASSERT_INIT(SizesInLimits_A, Rows <= MAX_ROWS && Cols <= MAX_COLS && AccSlots <= MAX_ACC_SLOTS)
  `ASSERT_INIT(DepthsInLimits_A, InstrDepth <= MAX_INSTR_DEPTH && ActDepth <= MAX_ACT_DEPTH &&
                                 ParDepth <= MAX_PAR_DEPTH && WgtDepth <= MAX_WGT_DEPTH)

  // ---- reset: the only synchronizer; everything below uses rst_n -------------------------------
  logic rst_n;

  aimc_rst_sync #(
    .Stages (RST_SYNC_STAGES)
  ) u_rst_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .rst_no (rst_n)
  );

  // ---- bus ------------------------------------------------------------------------------------
  logic                 csr_req, csr_req_is_wr;
  logic [CsrAw-1:0]     csr_addr;
  logic [31:0]          csr_wr_data, csr_wr_biten;
  logic                 csr_req_stall_wr, csr_req_stall_rd;
  logic                 csr_rd_ack, csr_rd_err, csr_wr_ack, csr_wr_err;
  logic [31:0]          csr_rd_data;

  logic                 bus_req, bus_we, bus_gnt;
  logic [BUF_SEL_W-1:0] bus_sel;
  logic [31:0]          bus_addr, bus_wdata;
  logic [31:0]          bus_rdata;

  aimc_axil_slave #(
    .InstrDepth (InstrDepth),
    .ActDepth   (ActDepth),
    .ParDepth   (ParDepth),
    .WgtDepth   (WgtDepth),
    .CsrAw      (CsrAw)
  ) u_axil_slave (
    .clk_i              (clk_i),
    .rst_ni             (rst_n),
    .s_axil_awvalid_i   (s_axil_awvalid_i),
    .s_axil_awready_o   (s_axil_awready_o),
    .s_axil_awaddr_i    (s_axil_awaddr_i),
    .s_axil_awprot_i    (s_axil_awprot_i),
    .s_axil_wvalid_i    (s_axil_wvalid_i),
    .s_axil_wready_o    (s_axil_wready_o),
    .s_axil_wdata_i     (s_axil_wdata_i),
    .s_axil_wstrb_i     (s_axil_wstrb_i),
    .s_axil_bvalid_o    (s_axil_bvalid_o),
    .s_axil_bready_i    (s_axil_bready_i),
    .s_axil_bresp_o     (s_axil_bresp_o),
    .s_axil_arvalid_i   (s_axil_arvalid_i),
    .s_axil_arready_o   (s_axil_arready_o),
    .s_axil_araddr_i    (s_axil_araddr_i),
    .s_axil_arprot_i    (s_axil_arprot_i),
    .s_axil_rvalid_o    (s_axil_rvalid_o),
    .s_axil_rready_i    (s_axil_rready_i),
    .s_axil_rdata_o     (s_axil_rdata_o),
    .s_axil_rresp_o     (s_axil_rresp_o),
    .csr_req_o          (csr_req),
    .csr_req_is_wr_o    (csr_req_is_wr),
    .csr_addr_o         (csr_addr),
    .csr_wr_data_o      (csr_wr_data),
    .csr_wr_biten_o     (csr_wr_biten),
    .csr_req_stall_wr_i (csr_req_stall_wr),
    .csr_req_stall_rd_i (csr_req_stall_rd),
    .csr_rd_ack_i       (csr_rd_ack),
    .csr_rd_err_i       (csr_rd_err),
    .csr_rd_data_i      (csr_rd_data),
    .csr_wr_ack_i       (csr_wr_ack),
    .csr_wr_err_i       (csr_wr_err),
    .mem_req_o          (bus_req),
    .mem_sel_o          (bus_sel),
    .mem_we_o           (bus_we),
    .mem_addr_o         (bus_addr),
    .mem_wdata_o        (bus_wdata),
    .mem_gnt_i          (bus_gnt),
    .mem_rdata_i        (bus_rdata)
  );

  // ---- soft reset, watchdog, bus-error record (docs/errors.md) --------------------------------
  // ctl_rst_n resets the sequencer and the watchdog, tile_rst_n the tiles; the CSR block, the
  // buffers and the counters see the power-on reset only.
  logic soft_reset, wdog_stop, ctl_rst_n, tile_rst_n;
  logic [31:0] wdog_budget;
  logic sat_stop;
  logic bus_err_clear, bus_err_valid, bus_err_write;
  logic [1:0]  bus_err_resp;
  logic [15:0] bus_err_count;
  logic [31:0] bus_err_addr;

  aimc_soft_reset u_soft_reset (
    .clk_i       (clk_i),
    .rst_ni      (rst_n),
    .soft_i      (soft_reset),
    .abort_i     (wdog_stop),
    .ctl_rst_no  (ctl_rst_n),
    .tile_rst_no (tile_rst_n)
  );

  aimc_bus_err u_bus_err (
    .clk_i     (clk_i),
    .rst_ni    (rst_n),
    .clear_i   (bus_err_clear | soft_reset),
    .awvalid_i (s_axil_awvalid_i),
    .awready_i (s_axil_awready_o),
    .awaddr_i  (s_axil_awaddr_i),
    .arvalid_i (s_axil_arvalid_i),
    .arready_i (s_axil_arready_o),
    .araddr_i  (s_axil_araddr_i),
    .bvalid_i  (s_axil_bvalid_o),
    .bready_i  (s_axil_bready_i),
    .bresp_i   (s_axil_bresp_o),
    .rvalid_i  (s_axil_rvalid_o),
    .rready_i  (s_axil_rready_i),
    .rresp_i   (s_axil_rresp_o),
    .valid_o   (bus_err_valid),
    .write_o   (bus_err_write),
    .resp_o    (bus_err_resp),
    .count_o   (bus_err_count),
    .addr_o    (bus_err_addr)
  );

  // ---- sequencer ------------------------------------------------------------------------------
  logic                     start, seq_busy, seq_halted, seq_error;
  logic [15:0]              start_pc, err_pc;
  logic [7:0]               err_code, settle_cycles;
  logic                     set_irq_done, set_irq_error, set_irq_prog;
  logic                     retire;
  logic                     instr_req;
  logic [InstrAw-1:0]       instr_addr;
  logic [INSTR_W-1:0]       instr_rdata;
  logic [INSTR_TILE_W-1:0]  cmd_tile;
  logic                     cmd_valid, cmd_ready;
  logic [INSTR_OP_W-1:0]    cmd_op;
  logic [INSTR_FLAGS_W-1:0] cmd_flags;
  logic [INSTR_A_W-1:0]     cmd_a;
  logic [INSTR_B_W-1:0]     cmd_b;
  logic [INSTR_C_W-1:0]     cmd_c;
  logic                     seq_dat_req, seq_act_req, seq_act_we, seq_act_sel;
  logic [ActAw-1:0]         seq_act_addr;
  logic [31:0]              seq_act_wdata;
  logic [31:0]              wgt_rdata;
  logic [LoadWords*32-1:0]  act_rdata, act_in_rdata, act_out_rdata;  // words addr.. (MVM loads)
  logic [PostLanes*96-1:0]  par_rdata;        // three words per column, PostLanes columns
  // Words of an activation write: POST with 8 or 16 lanes writes 2 or 4 output words per cycle.
  localparam int OutWords = (PostLanes > 4) ? PostLanes / 4 : 1;
  logic [NumTiles-1:0]      t_cmd_ready, t_busy, t_done, t_err;
  logic [NumTiles-1:0][7:0] t_err_code;
  logic [NumTiles-1:0]      t_wgt_port_req, t_wgt_port_gnt;
  logic [DatN-1:0]          dat_port_req, dat_port_gnt;
  logic [TileSelW-1:0]      wgt_owner;
  logic [DatSelW-1:0]       dat_owner;

  logic [NumTiles-1:0]      t_dsat;         // with t_done: that command saturated an int32
  logic [NumTiles-1:0]      retire_t, retire_mvm_t;

  aimc_watchdog u_watchdog (
    .clk_i    (clk_i),
    .rst_ni   (ctl_rst_n),
    .busy_i   (seq_busy),
    .budget_i (wdog_budget),
    .stop_o   (wdog_stop)
  );

  aimc_sequencer #(
    .NumTiles   (NumTiles),
    .Rows       (Rows),
    .Cols       (Cols),
    .WeightSlices (WeightSlices),
    .InstrDepth (InstrDepth),
    .ActDepth   (ActDepth),
    .ParDepth   (ParDepth),
    .WgtDepth   (WgtDepth),
    .AccSlots   (AccSlots),
    .ConflictCheck (ConflictCheck),
    .IsaTfl     (IsaTfl),
    .InFlight   ((TileOverlap != 0) ? 4 : 1),
    .InstrAw    (InstrAw),
    .ActAw      (ActAw)
  ) u_sequencer (
    .clk_i           (clk_i),
    .rst_ni          (ctl_rst_n),
    .start_i         (start),
    .start_pc_i      (start_pc),
    .instr_req_o     (instr_req),
    .instr_addr_o    (instr_addr),
    .instr_rdata_i   (instr_rdata),
    .tile_o          (cmd_tile),
    .cmd_valid_o     (cmd_valid),
    .cmd_ready_i     (cmd_ready),
    .cmd_op_o        (cmd_op),
    .cmd_flags_o     (cmd_flags),
    .cmd_a_o         (cmd_a),
    .cmd_b_o         (cmd_b),
    .cmd_c_o         (cmd_c),
    .tile_busy_i     (t_busy),
    .tile_done_i     (t_done),
    .tile_err_i      (t_err),
    .tile_err_code_i (t_err_code),
    .dat_port_req_o  (seq_dat_req),
    .dat_port_gnt_i  (dat_port_gnt[NumTiles]),
    .act_req_o       (seq_act_req),
    .act_we_o        (seq_act_we),
    .act_sel_o       (seq_act_sel),
    .act_addr_o      (seq_act_addr),
    .act_wdata_o     (seq_act_wdata),
    .act_rdata_i     (act_rdata[31:0]),
    .tile_dsat_i     (t_dsat),
    .sat_stop_i      (sat_stop),
    .wdog_stop_i     (wdog_stop),
    .busy_o          (seq_busy),
    .halted_o        (seq_halted),
    .error_o         (seq_error),
    .err_code_o      (err_code),
    .err_pc_o        (err_pc),
    .irq_done_o      (set_irq_done),
    .irq_error_o     (set_irq_error),
    .irq_prog_o      (set_irq_prog),
    .retire_o        (retire),
    .retire_t_o      (retire_t),
    .retire_mvm_t_o  (retire_mvm_t)
  );

  // ---- tiles ----------------------------------------------------------------------------------
  // Tiles run concurrently. Each buffer port belongs to one requester at a time: the weight port
  // to a programming tile, the data port (activations and parameters) to a tile loading its
  // inputs or storing its outputs, or to the sequencer copying (aimc_arb, round robin).
  logic [TileSelW-1:0] tsel;
  assign tsel = TileSelW'(cmd_tile);

  logic [NumTiles-1:0]             t_wgt_req, t_par_req, t_act_req, t_act_we, t_act_sel;
  logic [NumTiles-1:0][WgtAw-1:0]  t_wgt_addr;
  logic [NumTiles-1:0][ParAw-1:0]  t_par_addr;
  logic [NumTiles-1:0][ActAw-1:0]  t_act_addr;
  logic [NumTiles-1:0][OutWords-1:0]    t_act_wmask;
  logic [NumTiles-1:0][OutWords*32-1:0] t_act_wdata;
  logic [NumTiles-1:0]             t_ev_read, t_ev_prog_row, t_ev_mvm, t_ev_stall;
  logic [NumTiles-1:0][15:0]       t_ev_adc, t_ev_sat;
  logic [NumTiles-1:0][31:0]       t_conv_cnt, t_prog_cnt;
  logic [NumTiles-1:0][31:0]       t_pv_pulses, t_pv_unconv;
  logic                            pv_en, pv_stop;
  logic [7:0]                      pv_budget;
  logic [15:0]                     pv_tol;

  for (genvar t = 0; t < NumTiles; t++) begin : g_tile
    logic cmd_valid_t;
    assign cmd_valid_t = cmd_valid & (cmd_tile == INSTR_TILE_W'(t));

    // The tile's clock runs while a command is offered to it, while it works, and in the cycle of
    // its done_o (that edge clears done/err). In any other cycle every tile flop holds (the
    // argument, flop by flop: docs/decisions/0011), so the gate changes no bit; its counters
    // (busy, idle, events) live outside, in aimc_tile_counters, on the free-running clock.
    logic clk_t, clk_en_t;
    assign clk_en_t = cmd_valid_t | t_busy[t] | t_done[t];

    aimc_clk_gate #(
      .Enable (ClkGate)
    ) u_clk_gate (
      .clk_i (clk_i),
      .en_i  (clk_en_t),
      .clk_o (clk_t)
    );

    aimc_tile #(
      .TileIdx    (t),
      .Rows       (Rows),
      .Cols       (Cols),
      .DacBits    (DacBits),
      .AdcBits    (AdcBits),
      .ColsPerAdc (ColsPerAdc),
      .AdcCycles  (AdcCycles),
      .AccSlots   (AccSlots),
      .WeightSlices (WeightSlices),
      .SliceBits  (SliceBits),
      .XbarImpl   (XbarImpl),
      .IsaTfl     (IsaTfl),
      .PostLanes  (PostLanes),
      .LoadWords  (LoadWords),
      .TileOverlap (TileOverlap),
      .AdcKind    (AdcKind),
      .ActAw      (ActAw),
      .WgtAw      (WgtAw),
      .ParAw      (ParAw)
    ) u_tile (
      .clk_i           (clk_t),
      .rst_ni          (tile_rst_n),
      .cmd_valid_i     (cmd_valid_t),
      .cmd_ready_o     (t_cmd_ready[t]),
      .busy_o          (t_busy[t]),
      .wgt_port_req_o  (t_wgt_port_req[t]),
      .wgt_port_gnt_i  (t_wgt_port_gnt[t]),
      .dat_port_req_o  (dat_port_req[t]),
      .dat_port_gnt_i  (dat_port_gnt[t]),
      .cmd_op_i        (cmd_op),
      .cmd_flags_i     (cmd_flags),
      .cmd_a_i         (cmd_a),
      .cmd_b_i         (cmd_b),
      .cmd_c_i         (cmd_c),
      .done_o          (t_done[t]),
      .err_o           (t_err[t]),
      .err_code_o      (t_err_code[t]),
      .done_sat_o      (t_dsat[t]),
      .settle_cycles_i (settle_cycles),
      .pv_en_i         (pv_en),
      .pv_stop_i       (pv_stop),
      .pv_budget_i     (pv_budget),
      .pv_tol_i        (pv_tol),
      .wgt_req_o       (t_wgt_req[t]),
      .wgt_addr_o      (t_wgt_addr[t]),
      .wgt_rdata_i     (wgt_rdata),
      .par_req_o       (t_par_req[t]),
      .par_addr_o      (t_par_addr[t]),
      .par_rdata_i     (par_rdata),
      .act_req_o       (t_act_req[t]),
      .act_we_o        (t_act_we[t]),
      .act_sel_o       (t_act_sel[t]),
      .act_addr_o      (t_act_addr[t]),
      .act_wmask_o     (t_act_wmask[t]),
      .act_wdata_o     (t_act_wdata[t]),
      .act_rdata_i     (act_rdata),
      .ev_read_o       (t_ev_read[t]),
      .ev_adc_o        (t_ev_adc[t]),
      .ev_sat_o        (t_ev_sat[t]),
      .ev_prog_row_o   (t_ev_prog_row[t]),
      .ev_mvm_o        (t_ev_mvm[t]),
      .ev_stall_o      (t_ev_stall[t]),
      .conv_cnt_o      (t_conv_cnt[t]),
      .prog_cnt_o      (t_prog_cnt[t]),
      .pv_pulse_cnt_o  (t_pv_pulses[t]),
      .pv_unconv_cnt_o (t_pv_unconv[t])
    );
  end

  assign cmd_ready = t_cmd_ready[tsel];
  assign dat_port_req[NumTiles] = seq_dat_req;

  aimc_arb #(
    .N (NumTiles)
  ) u_wgt_arb (
    .clk_i  (clk_i),
    .rst_ni (tile_rst_n),
    .req_i  (t_wgt_port_req),
    .gnt_o  (t_wgt_port_gnt),
    .idx_o  (wgt_owner)
  );

  aimc_arb #(
    .N (DatN)
  ) u_dat_arb (
    .clk_i  (clk_i),
    .rst_ni (tile_rst_n),
    .req_i  (dat_port_req),
    .gnt_o  (dat_port_gnt),
    .idx_o  (dat_owner)
  );

  // The arbiters restart with the tiles (power-on, soft reset, watchdog abort), so a soft reset
  // gives the power-on arbitration order back.
  // Only the owner of a port accesses it (the tiles assert this themselves; the sequencer
  // accesses only while granted).
  `ASSERT(WgtPortOwner_A, (t_wgt_req & ~t_wgt_port_gnt) == '0, clk_i, rst_n)
  `ASSERT(DatPortOwner_A, ((t_par_req | t_act_req) & ~dat_port_gnt[NumTiles-1:0]) == '0, clk_i, rst_n)
  `ASSERT(SeqCopyOwner_A, !seq_act_req || dat_port_gnt[NumTiles], clk_i, rst_n)

  // Buffer ports of the owners. The data port's last index is the sequencer's (activations only).
  logic              wgt_req, par_req, act_req, act_we, act_sel, dat_seq;
  logic [WgtAw-1:0]  wgt_addr;
  logic [ParAw-1:0]  par_addr;
  logic [ActAw-1:0]  act_addr;
  logic [OutWords-1:0]    act_wmask;
  logic [OutWords*32-1:0] act_wdata;
  logic [TileSelW-1:0] dat_tile;

  assign dat_seq   = (32'(dat_owner) == NumTiles);
  assign dat_tile  = dat_seq ? '0 : TileSelW'(dat_owner);
  assign wgt_req   = |(t_wgt_req & t_wgt_port_gnt);
  assign wgt_addr  = t_wgt_addr[wgt_owner];
  assign par_req   = dat_seq ? 1'b0 : |(t_par_req & dat_port_gnt[NumTiles-1:0]);
  assign par_addr  = t_par_addr[dat_tile];
  assign act_req   = dat_seq ? seq_act_req & dat_port_gnt[NumTiles]
                             : |(t_act_req & dat_port_gnt[NumTiles-1:0]);
  assign act_we    = dat_seq ? seq_act_we    : t_act_we[dat_tile];
  assign act_sel   = dat_seq ? seq_act_sel   : t_act_sel[dat_tile];
  assign act_addr  = dat_seq ? seq_act_addr  : t_act_addr[dat_tile];
  assign act_wmask = dat_seq ? OutWords'(1) : t_act_wmask[dat_tile];
  assign act_wdata = dat_seq ? (OutWords*32)'(seq_act_wdata) : t_act_wdata[dat_tile];

  // ---- buffers --------------------------------------------------------------------------------
  logic [BUF_N-1:0]       buf_bus_req, buf_bus_gnt;
  logic [BUF_N-1:0][31:0] buf_rdata;

  for (genvar b = 0; b < BUF_N; b++) begin : g_bus_req
    assign buf_bus_req[b] = bus_req & (32'(bus_sel) == b);
  end
  assign bus_gnt   = |buf_bus_gnt;
  assign bus_rdata = buf_rdata[bus_sel];

  // Instruction buffer: 64-bit entries as two 32-bit halves, fetched together.
  aimc_buf #(
    .Depth (InstrDepth),
    .Width (32),
    .Aw    (InstrAw)
  ) u_instr_lo (
    .clk_i       (clk_i),
    .hw_req_i    (instr_req),
    .hw_we_i     (1'b0),
    .hw_addr_i   (instr_addr),
    .hw_wmask_i  (1'b0),
    .hw_wdata_i  (32'd0),
    .bus_req_i   (buf_bus_req[BUF_INSTR_LO]),
    .bus_we_i    (bus_we),
    .bus_addr_i  (bus_addr[InstrAw-1:0]),
    .bus_wdata_i (bus_wdata),
    .bus_gnt_o   (buf_bus_gnt[BUF_INSTR_LO]),
    .rdata_o     (buf_rdata[BUF_INSTR_LO])
  );

  aimc_buf #(
    .Depth (InstrDepth),
    .Width (32),
    .Aw    (InstrAw)
  ) u_instr_hi (
    .clk_i       (clk_i),
    .hw_req_i    (instr_req),
    .hw_we_i     (1'b0),
    .hw_addr_i   (instr_addr),
    .hw_wmask_i  (1'b0),
    .hw_wdata_i  (32'd0),
    .bus_req_i   (buf_bus_req[BUF_INSTR_HI]),
    .bus_we_i    (bus_we),
    .bus_addr_i  (bus_addr[InstrAw-1:0]),
    .bus_wdata_i (bus_wdata),
    .bus_gnt_o   (buf_bus_gnt[BUF_INSTR_HI]),
    .rdata_o     (buf_rdata[BUF_INSTR_HI])
  );

  assign instr_rdata = {buf_rdata[BUF_INSTR_HI], buf_rdata[BUF_INSTR_LO]};

  // Activation buffers: the tile picks IN or OUT per access; its read data comes from the buffer
  // it addressed in the previous cycle.
  logic act_rsel_q;

  always_ff @(posedge clk_i or negedge rst_n) begin
    if (!rst_n) begin
      act_rsel_q <= 1'b0;
    end else if (act_req) begin
      act_rsel_q <= act_sel;
    end
  end

  aimc_buf #(
    .Depth   (ActDepth),
    .Width   (32),
    .Aw      (ActAw),
    .Banks   (LoadWords),
    .WrWords (OutWords)
  ) u_act_in (
    .clk_i       (clk_i),
    .hw_req_i    (act_req & ~act_sel),
    .hw_we_i     (act_we),
    .hw_addr_i   (act_addr),
    .hw_wmask_i  (act_wmask),
    .hw_wdata_i  (act_wdata),
    .bus_req_i   (buf_bus_req[BUF_ACT_IN]),
    .bus_we_i    (bus_we),
    .bus_addr_i  (bus_addr[ActAw-1:0]),
    .bus_wdata_i (bus_wdata),
    .bus_gnt_o   (buf_bus_gnt[BUF_ACT_IN]),
    .rdata_o     (act_in_rdata)
  );

  aimc_buf #(
    .Depth   (ActDepth),
    .Width   (32),
    .Aw      (ActAw),
    .Banks   (LoadWords),
    .WrWords (OutWords)
  ) u_act_out (
    .clk_i       (clk_i),
    .hw_req_i    (act_req & act_sel),
    .hw_we_i     (act_we),
    .hw_addr_i   (act_addr),
    .hw_wmask_i  (act_wmask),
    .hw_wdata_i  (act_wdata),
    .bus_req_i   (buf_bus_req[BUF_ACT_OUT]),
    .bus_we_i    (bus_we),
    .bus_addr_i  (bus_addr[ActAw-1:0]),
    .bus_wdata_i (bus_wdata),
    .bus_gnt_o   (buf_bus_gnt[BUF_ACT_OUT]),
    .rdata_o     (act_out_rdata)
  );

  assign buf_rdata[BUF_ACT_IN]  = act_in_rdata[31:0];
  assign buf_rdata[BUF_ACT_OUT] = act_out_rdata[31:0];
  assign act_rdata = act_rsel_q ? act_out_rdata : act_in_rdata;

  aimc_par_buf #(
    .Depth  (ParDepth),
    .Aw     (ParAw),
    .IsaTfl (IsaTfl),
    .Lanes  (PostLanes)
  ) u_param (
    .clk_i       (clk_i),
    .hw_req_i    (par_req),
    .hw_addr_i   (par_addr),
    .hw_rdata_o  (par_rdata),
    .bus_req_i   (buf_bus_req[BUF_PARAM]),
    .bus_we_i    (bus_we),
    .bus_addr_i  (bus_addr[ParAw-1:0]),
    .bus_wdata_i (bus_wdata),
    .bus_gnt_o   (buf_bus_gnt[BUF_PARAM]),
    .bus_rdata_o (buf_rdata[BUF_PARAM])
  );

  aimc_buf #(
    .Depth (WgtDepth),
    .Width (32),
    .Aw    (WgtAw)
  ) u_weight (
    .clk_i       (clk_i),
    .hw_req_i    (wgt_req),
    .hw_we_i     (1'b0),
    .hw_addr_i   (wgt_addr),
    .hw_wmask_i  (1'b0),
    .hw_wdata_i  (32'd0),
    .bus_req_i   (buf_bus_req[BUF_WEIGHT]),
    .bus_we_i    (bus_we),
    .bus_addr_i  (bus_addr[WgtAw-1:0]),
    .bus_wdata_i (bus_wdata),
    .bus_gnt_o   (buf_bus_gnt[BUF_WEIGHT]),
    .rdata_o     (buf_rdata[BUF_WEIGHT])
  );

  assign wgt_rdata = buf_rdata[BUF_WEIGHT];

  // ---- counters -------------------------------------------------------------------------------
  // CounterBits < 32: the busy cycles and tile 0's conversion and program counters read back cut to
  // CounterBits too (cycles_hi reads 0). The tiles keep their full event indices for the analog
  // model; with the digital twin nothing else uses the upper bits and synthesis drops them.
  function automatic logic [31:0] cut_lo(input logic [31:0] v);
    return (CounterBits < 32) ? (v & ((32'd1 << CounterBits) - 32'd1)) : v;
  endfunction

  logic [63:0] cnt_cycles;
  logic [31:0] cnt_instrs, cnt_mvms, cnt_adc_convs, cnt_sats;

  aimc_counters #(
    .NumTiles    (NumTiles),
    .CounterBits (CounterBits)
  ) u_counters (
    .clk_i        (clk_i),
    .rst_ni       (rst_n),
    .busy_i       (seq_busy),
    .retire_i     (retire),
    .retire_t_i   (retire_t),
    .ev_mvm_i     (retire_mvm_t),
    .ev_adc_i     (t_ev_adc),
    .ev_sat_i     (t_ev_sat),
    .cycles_o     (cnt_cycles),
    .instrs_o     (cnt_instrs),
    .mvms_o       (cnt_mvms),
    .adc_convs_o  (cnt_adc_convs),
    .sats_o       (cnt_sats)
  );

  // Per-tile counters, widened to the CSR arrays (tiles past NumTiles read 0).
  logic [NumTiles-1:0][31:0] tc_busy, tc_idle, tc_mvms, tc_reads, tc_adc, tc_sats, tc_stalls;
  logic [31:0]               tc_reads_total, tc_stalls_total;
  logic [MAX_TILES-1:0][31:0] csr_tile_busy, csr_tile_idle, csr_tile_mvms, csr_tile_reads,
                              csr_tile_adc, csr_tile_sats, csr_tile_stalls;

  aimc_tile_counters #(
    .NumTiles    (NumTiles),
    .CounterBits (CounterBits)
  ) u_tile_counters (
    .clk_i          (clk_i),
    .rst_ni         (rst_n),
    .seq_busy_i     (seq_busy),
    .busy_i         (t_busy),
    .ev_mvm_i       (t_ev_mvm),
    .ev_read_i      (t_ev_read),
    .ev_adc_i       (t_ev_adc),
    .ev_sat_i       (t_ev_sat),
    .ev_stall_i     (t_ev_stall),
    .busy_o         (tc_busy),
    .idle_o         (tc_idle),
    .mvms_o         (tc_mvms),
    .reads_o        (tc_reads),
    .adc_o          (tc_adc),
    .sats_o         (tc_sats),
    .stalls_o       (tc_stalls),
    .reads_total_o  (tc_reads_total),
    .stalls_total_o (tc_stalls_total)
  );

  for (genvar t = 0; t < MAX_TILES; t++) begin : g_tile_csr
    if (t < NumTiles) begin : g_used
      assign csr_tile_busy[t]   = tc_busy[t];
      assign csr_tile_idle[t]   = tc_idle[t];
      assign csr_tile_mvms[t]   = tc_mvms[t];
      assign csr_tile_reads[t]  = tc_reads[t];
      // One tile: its conversions and saturations are the chip's, bit for bit (same events,
      // same reset); read the chip counters and let the tile's copies go unused (removed).
      assign csr_tile_adc[t]    = (NumTiles == 1) ? cnt_adc_convs : tc_adc[t];
      assign csr_tile_sats[t]   = (NumTiles == 1) ? cnt_sats : tc_sats[t];
      assign csr_tile_stalls[t] = tc_stalls[t];
    end else begin : g_absent
      assign csr_tile_busy[t]   = '0;
      assign csr_tile_idle[t]   = '0;
      assign csr_tile_mvms[t]   = '0;
      assign csr_tile_reads[t]  = '0;
      assign csr_tile_adc[t]    = '0;
      assign csr_tile_sats[t]   = '0;
      assign csr_tile_stalls[t] = '0;
    end
  end

  // ---- CSR block ------------------------------------------------------------------------------
  // Program-and-verify counters: the tile selected by pv_sel, 0 past NumTiles.
  logic [TILE_SEL_W-1:0] pv_sel;
  logic [31:0] csr_pv_pulses, csr_pv_unconv;
  always_comb begin
    csr_pv_pulses = '0;
    csr_pv_unconv = '0;
    for (int t = 0; t < NumTiles; t++) begin
      if (int'(pv_sel) == t) begin
        csr_pv_pulses = t_pv_pulses[t];
        csr_pv_unconv = t_pv_unconv[t];
      end
    end
  end

  logic irq_en_done, irq_en_error, irq_en_prog;
  logic irq_done, irq_error, irq_prog;

  // The register block's hardware interface: one struct each way (aimc_csr_pkg, generated), and
  // the counters on their own ports (each its own net: Icarus copies a whole struct per change).
  aimc_csr_hwif_in_t  csr_hwif_in;
  aimc_csr_hwif_out_t csr_hwif_out;

  assign csr_hwif_in.version_isa        = 8'(ISA_VERSION);
  assign csr_hwif_in.status_busy        = seq_busy;
  assign csr_hwif_in.status_halted      = seq_halted;
  assign csr_hwif_in.status_error       = seq_error;
  assign csr_hwif_in.irq_done_hwclr     = soft_reset;
  assign csr_hwif_in.irq_error_hwclr    = soft_reset;
  assign csr_hwif_in.irq_prog_hwclr     = soft_reset;
  // A stop in the cycle of the soft_reset pulse must not survive it: the flags' set wins over
  // the clear in one cycle, while the sequencer's status is reset the cycle after (found by
  // tests/system/bus_fuzz.c: irq.error left set, status 0, after a reset 3 cycles into a run).
  assign csr_hwif_in.irq_done_hwset     = set_irq_done & ~soft_reset;
  assign csr_hwif_in.irq_error_hwset    = set_irq_error & ~soft_reset;
  assign csr_hwif_in.irq_prog_hwset     = set_irq_prog & ~soft_reset;
  assign csr_hwif_in.err_code_code      = err_code;
  assign csr_hwif_in.err_pc_pc          = err_pc;
  assign csr_hwif_in.cfg0_num_tiles     = 8'(NumTiles);
  assign csr_hwif_in.cfg0_dac_bits      = 4'(DacBits);
  assign csr_hwif_in.cfg0_adc_bits      = 5'(AdcBits);
  assign csr_hwif_in.cfg0_cols_per_adc  = 8'(ColsPerAdc);
  assign csr_hwif_in.cfg1_rows          = 16'(Rows);
  assign csr_hwif_in.cfg1_cols          = 16'(Cols);
  assign csr_hwif_in.cfg2_instr_depth   = 16'(InstrDepth);
  assign csr_hwif_in.cfg2_acc_slots     = 16'(AccSlots);
  assign csr_hwif_in.cfg3_act_depth     = 16'(ActDepth);
  assign csr_hwif_in.cfg3_par_depth     = 16'(ParDepth);
  assign csr_hwif_in.cfg4_wgt_depth     = 32'(WgtDepth);
  assign csr_hwif_in.cfg5_adc_cycles    = 8'(AdcCycles);
  assign csr_hwif_in.cfg5_counter_cut   = 6'((CounterBits < 32) ? CounterBits : 0);
  assign csr_hwif_in.cfg5_no_conflict   = 1'(ConflictCheck == 0);
  assign csr_hwif_in.cfg5_no_tfl        = 1'(IsaTfl == 0);
  assign csr_hwif_in.cfg5_slices_m1     = 3'(WeightSlices - 1);
  assign csr_hwif_in.cfg5_slice_bits    = 3'((WeightSlices > 1) ? SliceBits : 0);
  assign csr_hwif_in.bus_err_valid      = bus_err_valid;
  assign csr_hwif_in.bus_err_write      = bus_err_write;
  assign csr_hwif_in.bus_err_resp       = bus_err_resp;
  assign csr_hwif_in.bus_err_count      = bus_err_count;
  assign csr_hwif_in.bus_err_addr_addr  = bus_err_addr;

  assign start         = csr_hwif_out.ctrl_start;
  assign irq_en_done   = csr_hwif_out.ctrl_irq_en_done;
  assign irq_en_error  = csr_hwif_out.ctrl_irq_en_error;
  assign irq_en_prog   = csr_hwif_out.ctrl_irq_en_prog;
  assign irq_done      = csr_hwif_out.irq_done;
  assign irq_error     = csr_hwif_out.irq_error;
  assign irq_prog      = csr_hwif_out.irq_prog;
  assign start_pc      = csr_hwif_out.start_pc_pc;
  assign settle_cycles = csr_hwif_out.settle_cycles;
  assign soft_reset    = csr_hwif_out.soft_reset_go;
  assign sat_stop      = csr_hwif_out.sat_mode_stop;
  assign wdog_budget   = csr_hwif_out.watchdog_cycles;
  assign bus_err_clear = csr_hwif_out.bus_err_clear;
  assign pv_en         = csr_hwif_out.pv_ctrl_enable;
  assign pv_stop       = csr_hwif_out.pv_ctrl_stop;
  assign pv_budget     = csr_hwif_out.pv_ctrl_budget;
  assign pv_tol        = csr_hwif_out.pv_tol_tol;
  assign pv_sel        = csr_hwif_out.pv_sel_tile;

  // No program-and-verify engine with the digital twin (rtl/tile/aimc_pv.sv): pv_ctrl, pv_tol and
  // pv_sel read 0 there and their storage goes unused (removed by synthesis).
  aimc_csr_reg_top #(
    .PvRegs (1'(XbarImpl != XBAR_TWIN))
  ) u_csr (
    .clk_i                (clk_i),
    .rst_ni               (rst_n),
    .cpuif_req_i          (csr_req),
    .cpuif_req_is_wr_i    (csr_req_is_wr),
    .cpuif_addr_i         (csr_addr),
    .cpuif_wr_data_i      (csr_wr_data),
    .cpuif_wr_biten_i     (csr_wr_biten),
    .cpuif_req_stall_wr_o (csr_req_stall_wr),
    .cpuif_req_stall_rd_o (csr_req_stall_rd),
    .cpuif_rd_ack_o       (csr_rd_ack),
    .cpuif_rd_err_o       (csr_rd_err),
    .cpuif_rd_data_o      (csr_rd_data),
    .cpuif_wr_ack_o       (csr_wr_ack),
    .cpuif_wr_err_o       (csr_wr_err),
    .hwif_i               (csr_hwif_in),
    .hwif_o               (csr_hwif_out),
    // the counters, one port each (aimc_csr_reg_top)
    .cnt_cycles_lo_i      (cut_lo(cnt_cycles[31:0])),
    .cnt_cycles_hi_i      ((CounterBits < 32) ? 32'd0 : cnt_cycles[63:32]),
    .cnt_instrs_i         (cnt_instrs),
    .cnt_mvms_i           (cnt_mvms),
    .cnt_convs_i          (cut_lo(t_conv_cnt[0])),
    .cnt_adc_convs_i      (cnt_adc_convs),
    .cnt_sats_i           (cnt_sats),
    .cnt_prog_rows_i      (cut_lo(t_prog_cnt[0])),
    .cnt_reads_total_i    (tc_reads_total),
    .cnt_stalls_total_i   (tc_stalls_total),
    .cnt_tile_busy_i      (csr_tile_busy),
    .cnt_tile_idle_i      (csr_tile_idle),
    .cnt_tile_mvms_i      (csr_tile_mvms),
    .cnt_tile_reads_i     (csr_tile_reads),
    .cnt_tile_adc_i       (csr_tile_adc),
    .cnt_tile_sats_i      (csr_tile_sats),
    .cnt_tile_stalls_i    (csr_tile_stalls),
    .cnt_pv_pulses_i      (csr_pv_pulses),
    .cnt_pv_unconv_i      (csr_pv_unconv)
  );

  assign irq_o = (irq_done & irq_en_done) | (irq_error & irq_en_error) | (irq_prog & irq_en_prog);

  // Signals the top does not need: bus address bits above the widest buffer's, tile events kept
  // for the tile's own users, and the counters of tiles other than tile 0.
  logic unused_top;
  assign unused_top = ^{bus_addr, t_ev_read, t_ev_prog_row, t_conv_cnt, t_prog_cnt};

endmodule
