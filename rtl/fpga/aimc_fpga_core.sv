// SPDX-License-Identifier: Apache-2.0
// The chip as an FPGA prototype sees it: aimc_top behind the UART bridge, with status LEDs. Board
// wrappers (fpga/<board>/) add the clock, the power-on reset and the pins; the Verilator board
// simulation (tb/uart) uses this module as its top.

module aimc_fpga_core import aimc_pkg::*; #(
  // chip parameters: the names of `aimc config --rtl-params`
  parameter int NumTiles      = 1,
  parameter int Rows          = 8,
  parameter int Cols          = 4,
  parameter int DacBits       = 2,
  parameter int AdcBits       = 13,
  parameter int ColsPerAdc    = 4,
  parameter int AdcCycles     = 13,
  parameter int AdcKind       = 0,         // ADC_MODEL (0) or ADC_SAR (config key adc_kind)
  parameter int InstrDepth    = 512,
  parameter int ActDepth      = 256,
  parameter int ParDepth      = 256,
  parameter int WgtDepth      = 1024,
  parameter int AccSlots      = 16,
  parameter int WeightSlices = 1,
  parameter int SliceBits  = 7,
  parameter int XbarImpl      = XBAR_TWIN,
  parameter int ConflictCheck = 1,
  parameter int CounterBits   = 32,
  parameter int IsaTfl        = 1,
  parameter int PostLanes     = 1,
  parameter int LoadWords     = 1,
  parameter int TileOverlap   = 0,
  // board parameters
  parameter int ClkDiv        = 104,       // clock / baud
  parameter int TimeoutCycles = 1200000,   // UART frame timeout
  parameter int HeartbeatW    = 24,        // heartbeat LED toggles every 2^(HeartbeatW-1) cycles
  parameter int StretchW      = 20         // activity and error LEDs stay on >= 2^StretchW cycles
) (
  input  logic clk_i,
  input  logic rst_ni,          // asynchronous, active low (synchronized here)
  input  logic uart_rx_i,
  output logic uart_tx_o,
  output logic led_heartbeat_o, // blinks while the clock runs and reset is released
  output logic led_busy_o,      // a UART frame is being handled (stretched)
  output logic led_error_o,     // the last frame got an error response (stays until a good one)
  output logic led_irq_o,       // the chip's interrupt output
  output logic idle_o           // the bridge is between frames, nothing in flight (simulation)
);

  logic rst_n;

  aimc_rst_sync #(
    .Stages (RST_SYNC_STAGES)
  ) u_rst_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .rst_no (rst_n)
  );

  logic        awvalid, awready, wvalid, wready, bvalid, bready;
  logic        arvalid, arready, rvalid, rready;
  logic [31:0] awaddr, wdata, araddr, rdata;
  logic [2:0]  awprot, arprot;
  logic [3:0]  wstrb;
  logic [1:0]  bresp, rresp;
  logic        frame, rsp_done, rsp_err, irq;

  aimc_uart_bridge #(
    .ClkDiv        (ClkDiv),
    .TimeoutCycles (TimeoutCycles)
  ) u_bridge (
    .clk_i            (clk_i),
    .rst_ni           (rst_n),
    .uart_rx_i        (uart_rx_i),
    .uart_tx_o        (uart_tx_o),
    .m_axil_awvalid_o (awvalid),
    .m_axil_awready_i (awready),
    .m_axil_awaddr_o  (awaddr),
    .m_axil_awprot_o  (awprot),
    .m_axil_wvalid_o  (wvalid),
    .m_axil_wready_i  (wready),
    .m_axil_wdata_o   (wdata),
    .m_axil_wstrb_o   (wstrb),
    .m_axil_bvalid_i  (bvalid),
    .m_axil_bready_o  (bready),
    .m_axil_bresp_i   (bresp),
    .m_axil_arvalid_o (arvalid),
    .m_axil_arready_i (arready),
    .m_axil_araddr_o  (araddr),
    .m_axil_arprot_o  (arprot),
    .m_axil_rvalid_i  (rvalid),
    .m_axil_rready_o  (rready),
    .m_axil_rdata_i   (rdata),
    .m_axil_rresp_i   (rresp),
    .frame_o          (frame),
    .done_o           (rsp_done),
    .done_err_o       (rsp_err),
    .idle_o           (idle_o)
  );

  aimc_top #(
    .NumTiles   (NumTiles),
    .Rows       (Rows),
    .Cols       (Cols),
    .DacBits    (DacBits),
    .AdcBits    (AdcBits),
    .ColsPerAdc (ColsPerAdc),
    .AdcCycles  (AdcCycles),
    .AdcKind    (AdcKind),
    .InstrDepth (InstrDepth),
    .ActDepth   (ActDepth),
    .ParDepth   (ParDepth),
    .WgtDepth   (WgtDepth),
    .AccSlots   (AccSlots),
    .WeightSlices (WeightSlices),
    .SliceBits  (SliceBits),
    .XbarImpl   (XbarImpl),
    .ConflictCheck (ConflictCheck),
    .CounterBits   (CounterBits),
    .IsaTfl        (IsaTfl),
    .PostLanes     (PostLanes),
    .LoadWords     (LoadWords),
    .TileOverlap   (TileOverlap),
    .ClkGate       (1'b0)   // no gated clocks on the FPGA: every tile clocked (decision 0011)
  ) u_chip (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .s_axil_awvalid_i (awvalid),
    .s_axil_awready_o (awready),
    .s_axil_awaddr_i  (awaddr),
    .s_axil_awprot_i  (awprot),
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
    .s_axil_arprot_i  (arprot),
    .s_axil_rvalid_o  (rvalid),
    .s_axil_rready_i  (rready),
    .s_axil_rdata_o   (rdata),
    .s_axil_rresp_o   (rresp),
    .irq_o            (irq)
  );

  // ---- LEDs ------------------------------------------------------------------------------------------
  logic [HeartbeatW-1:0] beat_q;
  logic [StretchW-1:0]   busy_q;
  logic                  err_q;

  always_ff @(posedge clk_i or negedge rst_n) begin
    if (!rst_n) begin
      beat_q <= '0;
      busy_q <= '0;
      err_q  <= 1'b0;
    end else begin
      beat_q <= beat_q + 1'b1;
      if (frame) begin
        busy_q <= '1;
      end else if (busy_q != '0) begin
        busy_q <= busy_q - 1'b1;
      end
      if (rsp_done) begin
        err_q <= rsp_err;
      end
    end
  end

  assign led_heartbeat_o = beat_q[HeartbeatW-1];
  assign led_busy_o      = (busy_q != '0);
  assign led_error_o     = err_q;
  assign led_irq_o       = irq;

endmodule
