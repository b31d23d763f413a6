// SPDX-License-Identifier: Apache-2.0
// iCEBreaker (iCE40 UP5K-SG48) wrapper of the FPGA core: 12 MHz oscillator used directly, power-on
// reset plus the user button, FTDI UART (channel B), LEDs (docs/fpga-bringup.md).

module aimc_icebreaker import aimc_pkg::*; #(
  parameter int NumTiles   = 1,
  parameter int Rows       = 4,
  parameter int Cols       = 4,
  parameter int DacBits    = 1,
  parameter int AdcBits    = 10,
  parameter int ColsPerAdc = 4,
  parameter int AdcCycles  = 10,
  parameter int AdcKind    = 0,         // ADC_MODEL (0) or ADC_SAR (config key adc_kind)
  parameter int InstrDepth = 256,
  parameter int ActDepth   = 256,
  parameter int ParDepth   = 256,
  parameter int WgtDepth   = 512,
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
  parameter int ClkHz      = 12000000,
  parameter int Baud       = 115200
) (
  input  logic CLK,      // 12 MHz
  input  logic BTN_N,    // user button, low when pressed: reset
  input  logic RX,       // from the FTDI
  output logic TX,       // to the FTDI
  output logic LEDG_N,   // heartbeat
  output logic LEDR_N,   // error
  output logic LED1,     // PMOD2 snap-off: UART frame activity
  output logic LED2,     // chip interrupt
  output logic LED3,     // heartbeat (copy)
  output logic LED4,     // error (copy)
  output logic LED5      // reset released
);

  // Power-on reset: iCE40 flip-flops start at 0 after configuration; 15 cycles of reset.
  logic [3:0] por_q = 4'd0;
  always_ff @(posedge CLK) begin
    if (por_q != 4'hF) begin
      por_q <= por_q + 4'd1;
    end
  end

  logic rst_n;
  assign rst_n = (por_q == 4'hF) && BTN_N;

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
    .HeartbeatW    (24),
    .StretchW      (20)
  ) u_core (
    .clk_i           (CLK),
    .rst_ni          (rst_n),
    .uart_rx_i       (RX),
    .uart_tx_o       (TX),
    .led_heartbeat_o (beat),
    .led_busy_o      (busy),
    .led_error_o     (err),
    .led_irq_o       (irq),
    .idle_o          (idle)
  );

  assign LEDG_N = ~beat;
  assign LEDR_N = ~err;
  assign LED1   = busy;
  assign LED2   = irq;
  assign LED3   = beat;
  assign LED4   = err;
  assign LED5   = rst_n;

  logic unused_idle;
  assign unused_idle = idle;

endmodule
