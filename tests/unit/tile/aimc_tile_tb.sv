// SPDX-License-Identifier: Apache-2.0
// Unit bench of aimc_tile: SRAM models around one tile, a command list run to its end, memory
// images and counters dumped for tests/unit/tile/run_tile_test.py to compare with its reference.
//
// Plusargs: +dir=<directory> holding wgt.hex, par.hex, act_in.hex, act_out.hex and cmds.hex (one
// 64-bit instruction per line, ISA encoding, ended by HALT), +ncmds=<lines of cmds.hex>. Writes
// act_in.out.hex, act_out.out.hex and result.txt into the same directory.

module aimc_tile_tb import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int Rows         = 16,
  parameter int Cols         = 8,
  parameter int DacBits      = 2,
  parameter int AdcBits      = 14,
  parameter int ColsPerAdc   = 2,
  parameter int AdcCycles    = 14,
  parameter int AdcKind      = 0,
  parameter int AccSlots     = 16,
  parameter int WeightSlices = 1,
  parameter int SliceBits    = 7,
  parameter int ActDepth     = 2048,
  parameter int ParDepth     = 512,
  parameter int WgtDepth     = 8192,
  parameter int SettleCycles = 2,
  parameter int PostLanes    = 1,
  parameter int LoadWords    = 1,
  parameter int TileOverlap  = 0,     // commands are issued one at a time: the latencies alone
  parameter int MaxCmds      = 1024,
  parameter int CmdTimeout   = 1000000
) (
  input logic clk_i,
  input logic rst_ni
);

  localparam int ActAw = aimc_aw(ActDepth);
  localparam int ParAw = aimc_aw(ParDepth);
  localparam int WgtAw = aimc_aw(WgtDepth);
  localparam logic [31:0] Stale = 32'hdeadbeef;  // read data outside the valid cycle

  // ---- memories -----------------------------------------------------------------------------------
  logic [31:0] wgt_mem [WgtDepth];
  logic [31:0] par_mem [ParDepth];
  logic [31:0] act_in_mem [ActDepth];
  logic [31:0] act_out_mem [ActDepth];
  logic [63:0] cmds [MaxCmds];

  // ---- the tile -------------------------------------------------------------------------------------
  logic              cmd_valid, cmd_ready, done, err;
  logic              tile_busy, wgt_port_req, dat_port_req;  // the only requester: granted at once
  logic [3:0]        cmd_op;
  logic [7:0]        cmd_flags, err_code;
  logic [15:0]       cmd_a, cmd_b, cmd_c;
  logic              wgt_req, par_req, act_req, act_we, act_sel;
  logic [WgtAw-1:0]  wgt_addr;
  logic [ParAw-1:0]  par_addr;
  logic [ActAw-1:0]  act_addr;
  localparam int OutWords = (PostLanes > 4) ? PostLanes / 4 : 1;  // words of a POST write
  logic [31:0]       wgt_rdata;
  logic [OutWords-1:0]    act_wmask;
  logic [OutWords*32-1:0] act_wdata;
  logic [LoadWords*32-1:0] act_rdata;
  logic [PostLanes*96-1:0] par_rdata;
  logic              ev_read, ev_prog_row, ev_mvm;
  logic [15:0]       ev_adc, ev_sat;
  logic [31:0]       conv_cnt, prog_cnt, pv_pulses, pv_unconv;

  aimc_tile #(
    .TileIdx    (0),
    .Rows       (Rows),
    .Cols       (Cols),
    .DacBits    (DacBits),
    .AdcBits    (AdcBits),
    .ColsPerAdc (ColsPerAdc),
    .AdcCycles  (AdcCycles),
    .AdcKind    (AdcKind),
    .AccSlots   (AccSlots),
    .WeightSlices (WeightSlices),
    .SliceBits  (SliceBits),
    .PostLanes  (PostLanes),
    .LoadWords  (LoadWords),
    .TileOverlap (TileOverlap),
    .ActAw      (ActAw),
    .WgtAw      (WgtAw),
    .ParAw      (ParAw)
  ) u_tile (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .cmd_valid_i     (cmd_valid),
    .cmd_ready_o     (cmd_ready),
    .busy_o          (tile_busy),
    .wgt_port_req_o  (wgt_port_req),
    .wgt_port_gnt_i  (wgt_port_req),
    .dat_port_req_o  (dat_port_req),
    .dat_port_gnt_i  (dat_port_req),
    .cmd_op_i        (cmd_op),
    .cmd_flags_i     (cmd_flags),
    .cmd_a_i         (cmd_a),
    .cmd_b_i         (cmd_b),
    .cmd_c_i         (cmd_c),
    .done_o          (done),
    .err_o           (err),
    .err_code_o      (err_code),
    .done_sat_o      (),
    .settle_cycles_i (8'(SettleCycles)),
    .pv_en_i         (1'b0),  // one-shot programming: the Python reference is noise-free
    .pv_stop_i       (1'b0),
    .pv_budget_i     (8'd0),
    .pv_tol_i        (16'd0),
    .wgt_req_o       (wgt_req),
    .wgt_addr_o      (wgt_addr),
    .wgt_rdata_i     (wgt_rdata),
    .par_req_o       (par_req),
    .par_addr_o      (par_addr),
    .par_rdata_i     (par_rdata),
    .act_req_o       (act_req),
    .act_we_o        (act_we),
    .act_sel_o       (act_sel),
    .act_addr_o      (act_addr),
    .act_wmask_o     (act_wmask),
    .act_wdata_o     (act_wdata),
    .act_rdata_i     (act_rdata),
    .ev_read_o       (ev_read),
    .ev_adc_o        (ev_adc),
    .ev_sat_o        (ev_sat),
    .ev_prog_row_o   (ev_prog_row),
    .ev_mvm_o        (ev_mvm),
    .conv_cnt_o      (conv_cnt),
    .prog_cnt_o      (prog_cnt),
    .pv_pulse_cnt_o  (pv_pulses),
    .pv_unconv_cnt_o (pv_unconv)
  );

  // ---- SRAM models: 1-cycle read latency; stale data is a marker, not the last value ---------------
  always @(posedge clk_i) begin
    wgt_rdata <= Stale;
    par_rdata <= {(3*PostLanes){Stale}};
    act_rdata <= {LoadWords{Stale}};
    if (wgt_req && int'(wgt_addr) < WgtDepth) begin
      wgt_rdata <= wgt_mem[wgt_addr];
    end
    // Parameters: three consecutive words per column and read (aimc_par_buf).
    for (int k = 0; k < 3 * PostLanes; k++) begin
      if (par_req && int'(par_addr) + k < ParDepth) begin
        par_rdata[32*k +: 32] <= par_mem[int'(par_addr) + k];
      end
    end
    if (act_req && int'(act_addr) < ActDepth) begin
      if (act_we) begin
        // word j at act_addr + j where its mask bit is set (aimc_buf, WrWords = OutWords)
        for (int j = 0; j < OutWords; j++) begin
          if (act_wmask[j] && int'(act_addr) + j < ActDepth) begin
            if (act_sel) begin
              act_out_mem[int'(act_addr) + j] <= act_wdata[32*j +: 32];
            end else begin
              act_in_mem[int'(act_addr) + j] <= act_wdata[32*j +: 32];
            end
          end
        end
      end else begin
        // LoadWords consecutive words per read (aimc_buf with banks), stale past the depth
        for (int k = 0; k < LoadWords; k++) begin
          if (int'(act_addr) + k < ActDepth) begin
            act_rdata[32*k +: 32] <= act_sel ? act_out_mem[int'(act_addr) + k]
                                             : act_in_mem[int'(act_addr) + k];
          end
        end
      end
    end
  end

  // ---- command runner and checks -------------------------------------------------------------------
  string  dir;
  integer fd;
  int     idx, cycles, ncmds;
  int     proto_errs = 0;
  logic   busy;
  longint n_read, n_adc, n_sat, n_prog_row, n_mvm;
  logic [63:0] cur;
  // +pipelined=1 (tile_overlap): the next command is offered as soon as one is accepted, not
  // when it is done; iss counts the accepted commands, idx the retired ones (in order), acc_cyc
  // holds each command's accept cycle for its latency.
  int     pipe = 0, iss;
  longint now;
  longint acc_cyc [MaxCmds];

  assign cur       = cmds[(pipe != 0) ? iss : idx];
  assign cmd_op    = cur[63:60];
  assign cmd_flags = cur[55:48];
  assign cmd_a     = cur[47:32];
  assign cmd_b     = cur[31:16];
  assign cmd_c     = cur[15:0];

  logic unused_tile_field;  // one tile: the tile field of the instructions is not decoded
  assign unused_tile_field = ^{cur[59:56], tile_busy};

  initial begin
    if (!$value$plusargs("dir=%s", dir)) begin
      $fatal(1, "aimc_tile_tb: +dir=<test directory> is required");
    end
    $readmemh({dir, "/wgt.hex"}, wgt_mem, 0, WgtDepth - 1);
    $readmemh({dir, "/par.hex"}, par_mem, 0, ParDepth - 1);
    $readmemh({dir, "/act_in.hex"}, act_in_mem, 0, ActDepth - 1);
    $readmemh({dir, "/act_out.hex"}, act_out_mem, 0, ActDepth - 1);
    if (!$value$plusargs("ncmds=%d", ncmds) || ncmds < 1 || ncmds > MaxCmds) begin
      $fatal(1, "aimc_tile_tb: +ncmds=<1..%0d> is required", MaxCmds);
    end
    $readmemh({dir, "/cmds.hex"}, cmds, 0, ncmds - 1);
    if (!$value$plusargs("pipelined=%d", pipe)) begin
      pipe = 0;
    end
    fd = $fopen({dir, "/result.txt"}, "w");
    if (fd == 0) begin
      $fatal(1, "aimc_tile_tb: cannot write %s/result.txt", dir);
    end
  end

  // Every violation is logged; the count is of cycles with at least one.
  task automatic proto_error(string msg);
    $fdisplay(fd, "protocol_error %s", msg);
    $display("aimc_tile_tb: protocol error: %s", msg);
    proto_errs <= proto_errs + 1;
  endtask

  function automatic void finish_run();
    if (pv_pulses != 0 || pv_unconv != 0) begin
      $fatal(1, "aimc_tile_tb: program-and-verify is off, yet pulses %0d unconverged %0d",
             pv_pulses, pv_unconv);
    end
    $fdisplay(fd, "counters conv_cnt %0d prog_cnt %0d ev_read %0d ev_adc %0d ev_sat %0d ev_prog_row %0d ev_mvm %0d",
              conv_cnt, prog_cnt, n_read, n_adc, n_sat, n_prog_row, n_mvm);
    $fdisplay(fd, "protocol_errors %0d", proto_errs);
    $fclose(fd);
    $writememh({dir, "/act_in.out.hex"}, act_in_mem, 0, ActDepth - 1);
    $writememh({dir, "/act_out.out.hex"}, act_out_mem, 0, ActDepth - 1);
    $finish;
  endfunction

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idx        <= 0;
      iss        <= 0;
      now        <= 0;
      cycles     <= 0;
      busy       <= 1'b0;
      cmd_valid  <= 1'b0;
      n_read     <= 0;
      n_adc      <= 0;
      n_sat      <= 0;
      n_prog_row <= 0;
      n_mvm      <= 0;
    end else begin
      n_read     <= n_read + longint'(ev_read);
      n_adc      <= n_adc + longint'(ev_adc);
      n_sat      <= n_sat + longint'(ev_sat);
      n_prog_row <= n_prog_row + longint'(ev_prog_row);
      n_mvm      <= n_mvm + longint'(ev_mvm);
      now        <= now + 1;

      if (pipe != 0) begin
        // Pipelined: offer each command until it is accepted, the next one right after; the
        // tile retires them in order. The per-command port checks below need the op of the
        // command using the port, which is not the offered one here: only the addresses and
        // the done order are checked (results and counters by the Python reference).
        if (done && iss == idx) proto_error("done_o with no command in flight");
        if (err && !done) proto_error("err_o without done_o");
        if (wgt_req && int'(wgt_addr) >= WgtDepth) proto_error("weight read");
        if (par_req && int'(par_addr) >= ParDepth) proto_error("param read");
        if (act_req && int'(act_addr) >= ActDepth) proto_error("activation address");
        if (iss == idx && !cmd_valid && (wgt_req || par_req || act_req))
          proto_error("buffer request while idle");
        if (cmd_valid && cmd_ready) begin
          acc_cyc[iss] <= now;
          iss          <= iss + 1;
          cmd_valid    <= 1'b0;
        end else if (iss < ncmds && cmds[iss][63:60] != OpHalt && !cmd_valid) begin
          cmd_valid <= 1'b1;
        end
        if (done) begin
          $fdisplay(fd, "cmd %0d op %0d err %0d code %0d cycles %0d", idx, cmds[idx][63:60], err,
                    err ? err_code : 8'd0, now - acc_cyc[idx]);
          idx <= idx + 1;
        end
        if (iss == idx && !done && !cmd_valid && (iss == ncmds || cmds[iss][63:60] == OpHalt)) begin
          $fdisplay(fd, "pipelined_cycles %0d", now);
          finish_run();
        end else if (iss != idx && now - acc_cyc[idx] > CmdTimeout) begin
          proto_error($sformatf("command %0d did not finish in %0d cycles", idx, CmdTimeout));
          finish_run();
        end
      end else begin
        // Interface rules of the tile (the contract with the sequencer).
        if (!busy && (wgt_req || par_req || act_req)) proto_error("buffer request while idle");
        if (done && !busy) proto_error("done_o while idle");
        if (err && !done) proto_error("err_o without done_o");
        if (busy && cmd_ready && !done) proto_error("cmd_ready_o while busy");
        if (wgt_req && (cmd_op != OpProg || int'(wgt_addr) >= WgtDepth)) proto_error("weight read");
        if (par_req && (cmd_op != OpPost || int'(par_addr) >= ParDepth)) proto_error("param read");
        if (act_req && int'(act_addr) >= ActDepth) proto_error("activation address");
        if (act_req && !act_we && !((cmd_op == OpMvm && act_sel == cmd_flags[FLAG_SRC_OUT]) ||
                                    (cmd_op == OpAccadd && act_sel == cmd_flags[FLAG_FROM_OUT])))
          proto_error("activation read");
        if (act_req && act_we && (cmd_op != OpPost || act_sel != cmd_flags[FLAG_DST_OUT]))
          proto_error("activation write");

        if (!busy) begin
          if (cmd_op == OpHalt || idx == ncmds) begin
            finish_run();
          end else if (cmd_valid && cmd_ready) begin
            cmd_valid <= 1'b0;
            busy      <= 1'b1;
            cycles    <= 1;
          end else begin
            cmd_valid <= 1'b1;
          end
        end else begin
          cycles <= cycles + 1;
          if (done) begin
            $fdisplay(fd, "cmd %0d op %0d err %0d code %0d cycles %0d", idx, cmd_op, err,
                      err ? err_code : 8'd0, cycles);
            busy <= 1'b0;
            idx  <= idx + 1;
          end else if (cycles > CmdTimeout) begin
            proto_error($sformatf("command %0d did not finish in %0d cycles", idx, CmdTimeout));
            finish_run();
          end
        end
      end
    end
  end

endmodule
