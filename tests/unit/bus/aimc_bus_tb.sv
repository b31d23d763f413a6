// SPDX-License-Identifier: Apache-2.0
// Self-checking Icarus bench of aimc_top's bus side: AXI4-Lite orderings and back-pressure the
// standard driver never produces, bus/tile contention on the buffers, start while busy, irq_o.
//
// Build and run (tiny config, from the repository root, after `make icarus CONFIG=tiny`):
//   iverilog -g2012 -o build/tests/bus/tb.vvp -s aimc_bus_tb \
//     $(build/sw/aimc config --rtl-params icarus --top aimc_bus_tb configs/tiny.cfg) \
//     -f rtl/aimc.f tests/unit/bus/aimc_bus_tb.sv
//   vvp -n -M build/tiny/icarus -m aimc_vpi build/tests/bus/tb.vvp \
//     +aimc_config=configs/tiny.cfg +aimc_seed=1
// Prints "aimc_bus_tb: PASS" and exits 0, or stops at the first failing check with $fatal.

module aimc_bus_tb import aimc_pkg::*; import aimc_map_pkg::*; #(
  parameter int NumTiles   = 1,
  parameter int Rows       = 16,
  parameter int Cols       = 8,
  parameter int DacBits    = 2,
  parameter int AdcBits    = 14,
  parameter int ColsPerAdc = 2,
  parameter int AdcCycles  = 14,
  parameter int InstrDepth = 2048,
  parameter int ActDepth   = 2048,
  parameter int ParDepth   = 512,
  parameter int WgtDepth   = 8192,
  parameter int AccSlots   = 16
);

  // CSR offsets, from sw/include/aimc_regs.h (the RTL packages carry window bases only).
  localparam logic [31:0] CtrlA    = CSR_BASE + 32'h08;
  localparam logic [31:0] StatusA  = CSR_BASE + 32'h0c;
  localparam logic [31:0] IrqA     = CSR_BASE + 32'h10;
  localparam logic [31:0] ErrCodeA = CSR_BASE + 32'h14;
  localparam logic [31:0] StartPcA = CSR_BASE + 32'h1c;
  localparam logic [31:0] ScratchA = CSR_BASE + 32'h24;
  localparam logic [31:0] InstrsA  = CSR_BASE + 32'h88;
  localparam logic [31:0] IdA      = CSR_BASE + 32'h00;

  logic        clk = 1'b0;
  logic        rst_n = 1'b0;
  logic        awvalid = 1'b0, wvalid = 1'b0, bready = 1'b0, arvalid = 1'b0, rready = 1'b0;
  logic [31:0] awaddr = '0, wdata = '0, araddr = '0;
  logic [3:0]  wstrb = 4'hF;
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
    .AccSlots   (AccSlots)
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

  int checks = 0;

  // Cycles in which the bus waited for a buffer the tile was using (white-box: proves that the
  // contention check below really collided).
  int bus_waits = 0;
  always @(posedge clk) begin
    if (u_dut.bus_req && !u_dut.bus_gnt) begin
      bus_waits <= bus_waits + 1;
    end
  end

  task automatic check(input bit ok, input string what);
    checks = checks + 1;
    if (!ok) begin
      $fatal(1, "aimc_bus_tb: FAIL at %0t: %s", $time, what);
    end
  endtask

  // One bus cycle: pins were set after the last falling edge; this samples before the rising
  // edge (#1) and returns after the next falling edge.
  task automatic cyc;
    @(negedge clk);
  endtask

  // Complete B with bready high: returns the response.
  task automatic take_b(output logic [1:0] resp);
    int n;
    bready = 1'b1;
    n = 0;
    #1;
    while (!bvalid) begin
      cyc();
      #1;
      n = n + 1;
      check(n < 1000, "write response never came");
    end
    resp = bresp;
    cyc();
    bready = 1'b0;
  endtask

  task automatic take_r(output logic [31:0] data, output logic [1:0] resp);
    int n;
    rready = 1'b1;
    n = 0;
    #1;
    while (!rvalid) begin
      cyc();
      #1;
      n = n + 1;
      check(n < 100000, "read data never came");
    end
    data = rdata;
    resp = rresp;
    cyc();
    rready = 1'b0;
  endtask

  task automatic send_aw(input logic [31:0] a);
    awvalid = 1'b1;
    awaddr  = a;
    #1;
    while (!awready) begin
      cyc();
      #1;
    end
    cyc();
    awvalid = 1'b0;
  endtask

  task automatic send_w(input logic [31:0] d, input logic [3:0] strb);
    wvalid = 1'b1;
    wdata  = d;
    wstrb  = strb;
    #1;
    while (!wready) begin
      cyc();
      #1;
    end
    cyc();
    wvalid = 1'b0;
    wstrb  = 4'hF;
  endtask

  task automatic send_ar(input logic [31:0] a);
    arvalid = 1'b1;
    araddr  = a;
    #1;
    while (!arready) begin
      cyc();
      #1;
    end
    cyc();
    arvalid = 1'b0;
  endtask

  task automatic wr(input logic [31:0] a, input logic [31:0] d, input logic [1:0] want);
    logic [1:0] resp;
    send_aw(a);
    send_w(d, 4'hF);
    take_b(resp);
    check(resp == want, $sformatf("write %h: response %0d, want %0d", a, resp, want));
  endtask

  task automatic rd(input logic [31:0] a, output logic [31:0] d);
    logic [1:0] resp;
    send_ar(a);
    take_r(d, resp);
    check(resp == RESP_OKAY, $sformatf("read %h: response %0d", a, resp));
  endtask

  task automatic rd_expect(input logic [31:0] a, input logic [31:0] want);
    logic [31:0] d;
    rd(a, d);
    check(d == want, $sformatf("read %h: %h, want %h", a, d, want));
  endtask

  task automatic wr_instr(input int idx, input logic [63:0] ins);
    wr(INSTR_BASE + 32'(8 * idx), ins[31:0], RESP_OKAY);
    wr(INSTR_BASE + 32'(8 * idx + 4), ins[63:32], RESP_OKAY);
  endtask

  task automatic wait_idle;
    logic [31:0] st;
    int n;
    n = 0;
    st = 32'h1;
    while (st[0]) begin
      rd(StatusA, st);
      n = n + 1;
      check(n < 10000, "program never finished");
    end
  endtask

  logic [31:0] d, instrs0;
  logic [1:0]  resp;

  initial begin
    repeat (4) cyc();
    rst_n = 1'b1;
    repeat (4) cyc();
    rd_expect(IdA, 32'h41494D43);

    // W before AW, with idle cycles between.
    send_w(32'h1111_2222, 4'hF);
    repeat (3) begin
      #1;
      check(!wready && !arready, "nothing else accepted while W is held");
      cyc();
    end
    send_aw(ScratchA);
    take_b(resp);
    check(resp == RESP_OKAY, "W-then-AW response");
    rd_expect(ScratchA, 32'h1111_2222);

    // AW before W; B held back: bvalid and bresp stay, nothing new is accepted meanwhile.
    send_aw(ScratchA);
    repeat (2) cyc();
    send_w(32'h3333_4444, 4'hF);
    repeat (3) cyc();
    #1;
    check(bvalid && bresp == RESP_OKAY, "bvalid held while bready is low");
    check(!awready && !arready && !wready, "no new transaction while B is pending");
    cyc();
    take_b(resp);
    check(resp == RESP_OKAY, "AW-then-W response");
    #1;
    check(!bvalid, "bvalid drops after the handshake");
    cyc();
    rd_expect(ScratchA, 32'h3333_4444);

    // A read waiting while W is held: the write completes first.
    wvalid = 1'b1;
    wdata  = 32'h5555_6666;
    wstrb  = 4'hF;
    #1;
    while (!wready) begin cyc(); #1; end
    cyc();
    wvalid  = 1'b0;
    arvalid = 1'b1;
    araddr  = ScratchA;
    repeat (3) begin
      #1;
      check(!arready, "AR waits while a write is half accepted");
      cyc();
    end
    send_aw(ScratchA);
    take_b(resp);
    check(resp == RESP_OKAY, "write with a waiting read");
    #1;
    while (!arready) begin cyc(); #1; end
    cyc();
    arvalid = 1'b0;
    repeat (2) cyc();
    #1;
    check(rvalid && rdata == 32'h5555_6666, "R held with the written value while rready is low");
    cyc();
    take_r(d, resp);
    check(d == 32'h5555_6666 && resp == RESP_OKAY, "read after the pending write");

    // Partial strobes write nothing.
    wr(ACT_IN_BASE + 32'h10, 32'hAABB_CCDD, RESP_OKAY);
    send_aw(ACT_IN_BASE + 32'h10);
    send_w(32'h0, 4'h3);
    take_b(resp);
    check(resp == RESP_SLVERR, "wstrb 0x3 answers SLVERR");
    rd_expect(ACT_IN_BASE + 32'h10, 32'hAABB_CCDD);

    // ---- programs ---------------------------------------------------------------------------
    // Weights for PROG at word 0; program: PROG, MVM (slot 0), POST raw to OUT word 100, IRQ, HALT.
    for (int i = 0; i < Rows * Cols / 4; i++) begin
      wr(WEIGHT_BASE + 32'(4 * i), 32'h01FF_0201 + 32'(i), RESP_OKAY);
    end
    for (int i = 0; i < Rows / 4; i++) begin
      wr(ACT_IN_BASE + 32'(4 * i), 32'h0102_FF03, RESP_OKAY);
    end
    wr_instr(0, {4'd1, 4'd0, 8'd0, 16'd0, 16'd0, 16'd0});
    wr_instr(1, {4'd2, 4'd0, 8'd0, 16'd0, 16'd0, 16'd0});
    wr_instr(2, {4'd3, 4'd0, 8'h06, 16'd100, 16'd0, 16'd0});
    wr_instr(3, {4'd4, 60'd0});
    wr_instr(4, {4'd5, 60'd0});
    rd(InstrsA, instrs0);
    check(!irq, "irq low after reset");

    // Start, then hammer the weight buffer while PROG reads it (the tile wins every cycle it
    // asks): every read returns the stored word and the program still finishes. A second start
    // while busy is ignored.
    wr(CtrlA, 32'h0000_0701, RESP_OKAY);
    wr(CtrlA, 32'h0000_0701, RESP_OKAY);
    for (int i = 0; i < 24; i++) begin
      rd_expect(WEIGHT_BASE + 32'(4 * (i % 8)), 32'h01FF_0201 + 32'(i % 8));
    end
    wait_idle();
    check(bus_waits > 0, "the bus reads collided with the tile's weight reads");
    rd_expect(StatusA, 32'h2);
    rd_expect(InstrsA, instrs0 + 32'd5);
    rd_expect(IrqA, 32'h5);
    check(irq, "irq_o with done and prog set and enabled");
    wr(CtrlA, 32'h0000_0200, RESP_OKAY);  // only the error interrupt enabled
    cyc();
    check(!irq, "irq_o low when the set flags are not enabled");
    wr(CtrlA, 32'h0000_0700, RESP_OKAY);
    wr(IrqA, 32'h1, RESP_OKAY);
    rd_expect(IrqA, 32'h4);
    check(irq, "irq_o still high from irq.prog");
    wr(IrqA, 32'h4, RESP_OKAY);
    rd_expect(IrqA, 32'h0);
    #1;
    check(!irq, "irq_o low after clearing every flag");
    cyc();

    // Error stop: slot >= AccSlots at instruction 7 -> BAD_SLOT, irq.error.
    wr_instr(7, {4'd2, 4'd0, 8'd0, 16'd0, 16'(AccSlots), 16'd0});
    wr(StartPcA, 32'd7, RESP_OKAY);
    wr(CtrlA, 32'h0000_0201, RESP_OKAY);
    wait_idle();
    rd_expect(StatusA, 32'h4);
    rd_expect(ErrCodeA, 32'd4);
    rd_expect(IrqA, 32'h2);
    check(irq, "irq_o on an error stop");
    wr(IrqA, 32'h2, RESP_OKAY);
    #1;
    check(!irq, "irq_o low after clearing irq.error");
    cyc();

    $display("aimc_bus_tb: PASS (%0d checks)", checks);
    $finish;
  end

endmodule
