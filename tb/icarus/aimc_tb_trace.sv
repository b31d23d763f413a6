// SPDX-License-Identifier: Apache-2.0
// Icarus trace player: replays a bus trace (docs/trace-format.md) on aimc_top, writes the result log.
//
// Usage: vvp -M <dir> -m aimc_vpi sim.vvp +trace=<trace> +log=<log> +aimc_config=<cfg> +aimc_seed=<n>
// The bus timing is the one of tb/verilator/aimc_axil_driver.cpp, cycle for cycle, so that both
// simulators report the same cycle counts: every bus cycle sets the master's pins, samples the
// slave's outputs before the rising edge, and acts on the sample after it. Keep them in step.

module aimc_tb_trace import aimc_pkg::*; #(
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
  parameter int WeightSlices = 1,
  parameter int SliceBits  = 7,
  parameter int XbarImpl   = 0,
  parameter int AdcKind    = 0,
  parameter int ConflictCheck = 1,
  parameter int CounterBits   = 32,
  parameter int IsaTfl        = 1,
  parameter int PostLanes     = 1,
  parameter int LoadWords     = 1,
  parameter int TileOverlap   = 0
);

  // Shared with the C++ harness (tb/verilator/aimc_harness.h): cycles of reset before the first
  // bus operation, and the bound on every handshake and response wait.
  localparam int ResetCycles = 4;
  localparam int WaitMax     = 100000;
  localparam int LineMax     = 256;

  // ---- clock, reset, DUT ----------------------------------------------------------------------
  logic        clk = 1'b0;
  logic        rst_n = 1'b0;
  logic        awvalid = 1'b0, wvalid = 1'b0, bready = 1'b0, arvalid = 1'b0, rready = 1'b0;
  logic [31:0] awaddr = '0, wdata = '0, araddr = '0;
  logic [3:0]  wstrb = '0;
  logic        awready, wready, bvalid, arready, rvalid, irq;
  logic [1:0]  bresp, rresp;
  logic [31:0] rdata;

  always #5 clk = ~clk;

  aimc_top #(
    .NumTiles   (NumTiles),
    .Rows       (Rows),
    .Cols       (Cols),
    .DacBits    (DacBits),
    .AdcBits    (AdcBits),
    .ColsPerAdc (ColsPerAdc),
    .AdcCycles  (AdcCycles),
    .InstrDepth (InstrDepth),
    .ActDepth   (ActDepth),
    .ParDepth   (ParDepth),
    .WgtDepth   (WgtDepth),
    .AccSlots   (AccSlots),
    .WeightSlices (WeightSlices),
    .SliceBits  (SliceBits),
    .XbarImpl   (XbarImpl),
    .AdcKind    (AdcKind),
    .ConflictCheck (ConflictCheck),
    .CounterBits   (CounterBits),
    .IsaTfl        (IsaTfl),
    .PostLanes     (PostLanes),
    .LoadWords     (LoadWords),
    .TileOverlap   (TileOverlap)
  ) u_dut (
    .clk_i            (clk),
    .rst_ni           (rst_n),
    .s_axil_awvalid_i (awvalid),
    .s_axil_awready_o (awready),
    .s_axil_awaddr_i  (awaddr),
    .s_axil_awprot_i  (3'b000),
    .s_axil_wvalid_i  (wvalid),
    .s_axil_wready_o  (wready),
    .s_axil_wdata_i   (wdata),
    .s_axil_wstrb_i   (wstrb),
    .s_axil_bvalid_o  (bvalid),
    .s_axil_bready_i  (bready),
    .s_axil_bresp_o   (bresp),
    .s_axil_arvalid_i (arvalid),
    .s_axil_arready_o (arready),
    .s_axil_araddr_i  (araddr),
    .s_axil_arprot_i  (3'b000),
    .s_axil_rvalid_o  (rvalid),
    .s_axil_rready_i  (rready),
    .s_axil_rdata_o   (rdata),
    .s_axil_rresp_o   (rresp),
    .irq_o            (irq)
  );

  // The X checks of rtl/bind/aimc_top_assert.sv (Verilator binds them; Icarus has no `bind`).
  aimc_top_assert u_top_assert (
    .clk_i            (clk),
    .rst_ni           (u_dut.rst_n),
    .s_axil_awready_o (awready),
    .s_axil_wready_o  (wready),
    .s_axil_bvalid_o  (bvalid),
    .s_axil_bresp_o   (bresp),
    .s_axil_arready_o (arready),
    .s_axil_rvalid_o  (rvalid),
    .s_axil_rdata_o   (rdata),
    .s_axil_rresp_o   (rresp),
    .irq_o            (irq)
  );

  // Rising edges since reset release: the `C` line, same definition as aimc_vl_cycles().
  logic [63:0] cycles = '0;
  always @(posedge clk) begin
    if (rst_n) begin
      cycles <= cycles + 64'd1;
    end
  end

  // ---- bus master -----------------------------------------------------------------------------
  // The pins are set right after a falling edge; sampled one time unit later, before the rising
  // edge; a cycle ends at the next falling edge.
  string trace_path, log_path;
  int    line_no = 0;

  task automatic end_cycle(input string what, inout int waited);
    @(negedge clk);
    waited = waited + 1;
    if (waited > WaitMax) begin
      $fatal(1, "aimc_tb_trace: %s:%0d: %s did not complete in %0d cycles", trace_path, line_no,
             what, WaitMax);
    end
  endtask

  task automatic bus_write(input logic [31:0] addr, input logic [31:0] data,
                           output logic [1:0] resp);
    int   waited;
    logic aw_done, w_done, aw_hs, w_hs, b_hs;
    awvalid = 1'b1;
    awaddr  = addr;
    wvalid  = 1'b1;
    wdata   = data;
    wstrb   = 4'hF;
    bready  = 1'b0;
    aw_done = 1'b0;
    w_done  = 1'b0;
    waited  = 0;
    while (!(aw_done && w_done)) begin
      #1;
      aw_hs = awvalid && awready;
      w_hs  = wvalid && wready;
      end_cycle("write address/data handshake", waited);
      if (aw_hs) begin
        aw_done = 1'b1;
        awvalid = 1'b0;
      end
      if (w_hs) begin
        w_done = 1'b1;
        wvalid = 1'b0;
      end
    end
    bready = 1'b1;
    b_hs   = 1'b0;
    resp   = RESP_OKAY;
    waited = 0;
    while (!b_hs) begin
      #1;
      b_hs = bvalid;
      resp = bresp;
      end_cycle("write response", waited);
    end
    bready = 1'b0;
  endtask

  task automatic bus_read(input logic [31:0] addr, output logic [31:0] data,
                          output logic [1:0] resp);
    int   waited;
    logic ar_hs, r_hs;
    arvalid = 1'b1;
    araddr  = addr;
    rready  = 1'b0;
    ar_hs   = 1'b0;
    waited  = 0;
    while (!ar_hs) begin
      #1;
      ar_hs = arready;
      end_cycle("read address handshake", waited);
    end
    arvalid = 1'b0;
    rready  = 1'b1;
    r_hs    = 1'b0;
    data    = '0;
    resp    = RESP_OKAY;
    waited  = 0;
    while (!r_hs) begin
      #1;
      r_hs = rvalid;
      data = rdata;
      resp = rresp;
      end_cycle("read data", waited);
    end
    rready = 1'b0;
    // The C driver reports 0 with an error response; the slave already answers 0.
    if (resp != RESP_OKAY) begin
      data = '0;
    end
  endtask

  // ---- trace parsing --------------------------------------------------------------------------
  function automatic int hex_digit(input byte c);
    if (c >= "0" && c <= "9") begin
      return int'(c) - int'("0");
    end
    if (c >= "a" && c <= "f") begin
      return int'(c) - int'("a") + 10;
    end
    return -1;
  endfunction

  // {ok, value} of the 8 lower-case hex digits at s[pos].
  function automatic logic [32:0] parse_hex8(input string s, input int pos);
    logic [31:0] v;
    int d;
    v = '0;
    if (pos + 8 > s.len()) begin
      return '0;
    end
    for (int i = 0; i < 8; i++) begin
      d = hex_digit(s[pos + i]);
      if (d < 0) begin
        return '0;
      end
      v = {v[27:0], 4'(d)};
    end
    return {1'b1, v};
  endfunction

  // {ok, value} of the decimal number filling s[pos..end): no sign, no leading zero, < 2^32.
  function automatic logic [32:0] parse_dec32(input string s, input int pos);
    logic [63:0] v;
    int n;
    v = '0;
    n = s.len() - pos;
    if (n < 1 || n > 10 || (n > 1 && s[pos] == "0")) begin
      return '0;
    end
    for (int i = pos; i < s.len(); i++) begin
      if (s[i] < "0" || s[i] > "9") begin
        return '0;
      end
      v = v * 64'd10 + 64'(int'(s[i]) - int'("0"));
    end
    if (v > 64'hFFFF_FFFF) begin
      return '0;
    end
    return {1'b1, v[31:0]};
  endfunction

  // 1 if s is a decimal number: digits only, no leading zero, at most 20 digits (uint64).
  function automatic bit is_dec(input string s);
    if (s.len() < 1 || s.len() > 20 || (s.len() > 1 && s[0] == "0")) begin
      return 1'b0;
    end
    for (int i = 0; i < s.len(); i++) begin
      if (s[i] < "0" || s[i] > "9") begin
        return 1'b0;
      end
    end
    return 1'b1;
  endfunction

  task automatic malformed(input string line, input string want);
    $fatal(1, "aimc_tb_trace: %s:%0d: malformed line '%s' (want %s)", trace_path, line_no, line,
           want);
  endtask

  // ---- the player -----------------------------------------------------------------------------
  int                 trace_fd, log_fd, nread, ops, at;
  logic [31:0]        polls;
  logic [8*LineMax-1:0] raw;
  string              line, cfg_path, seed_arg, seed_hdr, header;
  logic [32:0]        f_a, f_d, f_m, f_v, f_n;
  logic [31:0]        data;
  logic [1:0]         resp;
  logic               ended, matched;

  initial begin
    header = "# kirchhoff-trace v1 config=";
    if (!$value$plusargs("trace=%s", trace_path)) begin
      $fatal(1, "aimc_tb_trace: missing +trace=<trace file>");
    end
    if (!$value$plusargs("log=%s", log_path)) begin
      $fatal(1, "aimc_tb_trace: missing +log=<result log>");
    end
    if (!$value$plusargs("aimc_config=%s", cfg_path)) begin
      $fatal(1, "aimc_tb_trace: missing +aimc_config=<config file> (the analog model's config)");
    end
    if (!$value$plusargs("aimc_seed=%s", seed_arg)) begin
      $fatal(1, "aimc_tb_trace: missing +aimc_seed=<decimal seed> (the analog model's seed)");
    end
    trace_fd = $fopen(trace_path, "r");
    if (trace_fd == 0) begin
      $fatal(1, "aimc_tb_trace: cannot open trace '%s'", trace_path);
    end
    log_fd = $fopen(log_path, "w");
    if (log_fd == 0) begin
      $fatal(1, "aimc_tb_trace: cannot open log '%s' for writing", log_path);
    end

    // Reset, then the first operation starts in the cycle in which reset is released.
    repeat (ResetCycles) @(negedge clk);
    rst_n = 1'b1;

    ended = 1'b0;
    ops   = 0;
    while (!ended) begin
      raw   = '0;
      nread = $fgets(raw, trace_fd);
      if (nread == 0) begin
        $fatal(1, "aimc_tb_trace: %s: ends after line %0d without an E line", trace_path,
               line_no);
      end
      line_no = line_no + 1;
      line    = string'(raw);
      if (line[line.len() - 1] == "\n") begin
        line = line.substr(0, line.len() - 2);
      end else if (!$feof(trace_fd)) begin
        $fatal(1, "aimc_tb_trace: %s:%0d: line longer than %0d characters", trace_path, line_no,
               LineMax - 1);
      end

      if (line_no == 1) begin
        // # kirchhoff-trace v1 config=<name> seed=<decimal>; the seed must be the model's.
        at = -1;
        if (line.len() > header.len() && line.substr(0, header.len() - 1) == header) begin
          for (int i = header.len(); i + 6 <= line.len(); i++) begin
            if (at < 0 && line.substr(i, i + 5) == " seed=") begin
              at = i;
            end
          end
        end
        // (lengths are compared as int: Icarus makes len() unsigned, and at may be -1)
        if (at <= int'(header.len()) || at + 6 >= int'(line.len())) begin
          malformed(line, "'# kirchhoff-trace v1 config=<name> seed=<decimal>' first");
        end
        seed_hdr = line.substr(at + 6, line.len() - 1);
        if (!is_dec(seed_hdr)) begin
          malformed(line, "a decimal seed");
        end
        if (seed_hdr != seed_arg) begin
          $fatal(1, "aimc_tb_trace: %s:1: trace recorded with seed %s, +aimc_seed=%s", trace_path,
                 seed_hdr, seed_arg);
        end
      end else if (line.len() > 0 && line[0] == "#") begin
        // comment
      end else if (line == "E") begin
        $fdisplay(log_fd, "C %0d", cycles);
        ended = 1'b1;
      end else if (line.len() == 19 && line[0] == "W" && line[1] == " " && line[10] == " ") begin
        f_a = parse_hex8(line, 2);
        f_d = parse_hex8(line, 11);
        if (!f_a[32] || !f_d[32]) begin
          malformed(line, "W aaaaaaaa dddddddd");
        end
        bus_write(f_a[31:0], f_d[31:0], resp);
        $fdisplay(log_fd, "W %h %0d", f_a[31:0], resp);
        ops = ops + 1;
      end else if (line.len() == 19 && line[0] == "R" && line[1] == " " && line[10] == " ") begin
        f_a = parse_hex8(line, 2);
        f_d = parse_hex8(line, 11);   // what the recording back-end read: informational
        if (!f_a[32] || !f_d[32]) begin
          malformed(line, "R aaaaaaaa dddddddd");
        end
        bus_read(f_a[31:0], data, resp);
        $fdisplay(log_fd, "R %h %h %0d", f_a[31:0], data, resp);
        ops = ops + 1;
      end else if (line.len() >= 30 && line[0] == "P" && line[1] == " " && line[10] == " " &&
                   line[19] == " " && line[28] == " ") begin
        f_a = parse_hex8(line, 2);
        f_m = parse_hex8(line, 11);
        f_v = parse_hex8(line, 20);
        f_n = parse_dec32(line, 29);
        if (!f_a[32] || !f_m[32] || !f_v[32] || !f_n[32] || f_n[31:0] == 0 ||
            (f_v[31:0] & ~f_m[31:0]) != 0) begin
          malformed(line, "P aaaaaaaa mmmmmmmm vvvvvvvv n, n >= 1, value within mask");
        end
        // Read until (data & mask) == value, at most n reads; an error response ends the poll
        // (as the driver's poll loop does).
        polls   = 0;
        matched = 1'b0;
        resp    = RESP_OKAY;
        data    = '0;
        while (!matched && resp == RESP_OKAY && polls < f_n[31:0]) begin
          bus_read(f_a[31:0], data, resp);
          polls   = polls + 32'd1;
          matched = (resp == RESP_OKAY) && ((data & f_m[31:0]) == f_v[31:0]);
        end
        $fdisplay(log_fd, "P %h %h %0d %0d", f_a[31:0], data, polls, matched);
        ops = ops + 1;
      end else begin
        malformed(line, "W, R, P, E or a # comment");
      end
    end

    $fclose(log_fd);
    $fclose(trace_fd);
    $display("aimc_tb_trace: %0d operations from %s, %0d cycles, log %s", ops, trace_path, cycles,
             log_path);
    $finish;
  end

  logic unused_irq;
  assign unused_irq = irq;

endmodule
