// SPDX-License-Identifier: Apache-2.0
// Self test of the assertion layer (tests/rtl/assert_layer.sh): drives the top-level X checker
// (rtl/bind/aimc_top_assert.sv) with known values, then, with +bad=<n>, puts an X on one output
// so that the checker must stop the simulation. Icarus and Verilator (--timing) both run it.

module aimc_assert_tb;
  logic        clk = 1'b0;
  logic        rst_n = 1'b0;
  logic        awready = 1'b0, wready = 1'b0, bvalid = 1'b0, arready = 1'b0, rvalid = 1'b0;
  logic        irq = 1'b0;
  logic [1:0]  bresp = 2'bxx, rresp = 2'bxx;   // undefined while their valid is low: allowed
  logic [31:0] rdata = 'x;
  int          bad = 0;

  aimc_top_assert u_chk (
    .clk_i            (clk),
    .rst_ni           (rst_n),
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

  // Every macro in a module of its own (yosys reads that one alone).
  aimc_assert_demo u_demo (
    .clk_i  (clk),
    .rst_ni (rst_n)
  );

  always #5 clk = ~clk;

  initial begin
    if (!$value$plusargs("bad=%d", bad)) bad = 0;
    #12 rst_n = 1'b1;
    #20 @(negedge clk);
    rvalid = 1'b1; rdata = 32'h1234_5678; rresp = 2'b00;
    @(negedge clk);
    rvalid = 1'b0; rdata = 'x; rresp = 2'bxx;
    bvalid = 1'b1; bresp = 2'b10;
    @(negedge clk);
    bvalid = 1'b0; bresp = 2'bxx;
    case (bad)
      1: irq = 1'bx;
      2: begin rvalid = 1'b1; rdata = 32'h0000_00x0; rresp = 2'b00; end
      3: bvalid = 1'bz;
      4: begin bvalid = 1'b1; bresp = 2'bx0; end
      default: ;
    endcase
    repeat (3) @(negedge clk);
    $display("aimc_assert_tb: no assertion failed (bad=%0d)", bad);
    $finish;
  end
endmodule
