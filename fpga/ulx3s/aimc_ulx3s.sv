// SPDX-License-Identifier: Apache-2.0
// ULX3S (ECP5 LFE5U-85F) wrapper of the FPGA core: 25 MHz oscillator, PLL to 12.5 MHz, reset from
// PLL lock, power-on counter and the PWR button, FTDI UART, 8 LEDs (docs/fpga-bringup.md).

module aimc_ulx3s import aimc_pkg::*; #(
  parameter int NumTiles   = 1,
  parameter int Rows       = 16,
  parameter int Cols       = 8,
  parameter int DacBits    = 2,
  parameter int AdcBits    = 14,
  parameter int ColsPerAdc = 2,
  parameter int AdcCycles  = 14,
  parameter int AdcKind    = 0,         // ADC_MODEL (0) or ADC_SAR (config key adc_kind)
  parameter int InstrDepth = 2048,
  parameter int ActDepth   = 2048,
  parameter int ParDepth   = 512,
  parameter int WgtDepth   = 8192,
  parameter int AccSlots   = 16,
  parameter int WeightSlices = 1,
  parameter int SliceBits  = 7,
  parameter int XbarImpl   = XBAR_TWIN,
  parameter int ConflictCheck = 1,
  parameter int CounterBits   = 32,
  parameter int IsaTfl        = 1,
  parameter int PostLanes     = 1,
  parameter int LoadWords     = 1,
  parameter int TileOverlap   = 0,
  parameter int ClkHz      = 12500000,     // PLL output
  parameter int Baud       = 115200
) (
  input  logic       clk_25mhz,
  input  logic [0:0] btn,        // btn[0]: PWR button, low when pressed: reset
  input  logic       ftdi_txd,   // from the FTDI: the FPGA's UART input
  output logic       ftdi_rxd,   // to the FTDI
  output logic [7:0] led,
  output logic       wifi_gpio0  // high: keep the ESP32 from resetting the board
);

  logic clk, locked;

  aimc_ulx3s_pll u_pll (
    .clk_i    (clk_25mhz),
    .clk_o    (clk),
    .locked_o (locked)
  );

  // Power-on reset after the PLL locks: ECP5 flip-flops start at 0 after configuration.
  logic [3:0] por_q = 4'd0;
  always_ff @(posedge clk) begin
    if (!locked) begin
      por_q <= 4'd0;
    end else if (por_q != 4'hF) begin
      por_q <= por_q + 4'd1;
    end
  end

  logic rst_n;
  assign rst_n = (por_q == 4'hF) && btn[0];

  logic beat, busy, err, irq, idle;

  aimc_fpga_core #(
    .NumTiles      (NumTiles),
    .Rows          (Rows),
    .Cols          (Cols),
    .DacBits       (DacBits),
    .AdcBits       (AdcBits),
    .ColsPerAdc    (ColsPerAdc),
    .AdcCycles     (AdcCycles),
    .AdcKind       (AdcKind),
    .InstrDepth    (InstrDepth),
    .ActDepth      (ActDepth),
    .ParDepth      (ParDepth),
    .WgtDepth      (WgtDepth),
    .AccSlots      (AccSlots),
    .WeightSlices (WeightSlices),
    .SliceBits  (SliceBits),
    .XbarImpl      (XbarImpl),
    .ConflictCheck (ConflictCheck),
    .CounterBits   (CounterBits),
    .IsaTfl        (IsaTfl),
    .PostLanes     (PostLanes),
    .LoadWords     (LoadWords),
    .TileOverlap   (TileOverlap),
    .ClkDiv        ((ClkHz + Baud / 2) / Baud),
    .TimeoutCycles (ClkHz / 10),
    .HeartbeatW    (25),
    .StretchW      (21)
  ) u_core (
    .clk_i           (clk),
    .rst_ni          (rst_n),
    .uart_rx_i       (ftdi_txd),
    .uart_tx_o       (ftdi_rxd),
    .led_heartbeat_o (beat),
    .led_busy_o      (busy),
    .led_error_o     (err),
    .led_irq_o       (irq),
    .idle_o          (idle)
  );

  assign led        = {locked, rst_n, 2'b00, irq, err, busy, beat};
  assign wifi_gpio0 = 1'b1;

  logic unused_idle;
  assign unused_idle = idle;

endmodule
