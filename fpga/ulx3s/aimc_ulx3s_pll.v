// SPDX-License-Identifier: Apache-2.0
// ECP5 PLL: 25 MHz in, 12.5 MHz out. Divider values from prjtrellis' ecppll
// (`yowasp-ecppll -i 25 -o 12.5`: CLKI_DIV 2, CLKFB_DIV 1, CLKOP_DIV 48, VCO 600 MHz).
// Synthesis only (EHXPLLL is a vendor primitive); simulation and lint use
// fpga/ulx3s/sim/aimc_ulx3s_pll.sv instead. 12.5 MHz: the chip's post-placement
// estimate with the 16x8 twin at 40 MHz was 8.4 MHz (docs/fpga-bringup.md).

module aimc_ulx3s_pll (
  input  wire clk_i,     // 25 MHz
  output wire clk_o,     // 12.5 MHz
  output wire locked_o
);
  (* FREQUENCY_PIN_CLKI="25" *)
  (* FREQUENCY_PIN_CLKOP="12.5" *)
  (* ICP_CURRENT="12" *) (* LPF_RESISTOR="8" *) (* MFG_ENABLE_FILTEROPAMP="1" *) (* MFG_GMCREF_SEL="2" *)
  EHXPLLL #(
    .PLLRST_ENA      ("DISABLED"),
    .INTFB_WAKE      ("DISABLED"),
    .STDBY_ENABLE    ("DISABLED"),
    .DPHASE_SOURCE   ("DISABLED"),
    .OUTDIVIDER_MUXA ("DIVA"),
    .OUTDIVIDER_MUXB ("DIVB"),
    .OUTDIVIDER_MUXC ("DIVC"),
    .OUTDIVIDER_MUXD ("DIVD"),
    .CLKI_DIV        (2),
    .CLKOP_ENABLE    ("ENABLED"),
    .CLKOP_DIV       (48),
    .CLKOP_CPHASE    (23),
    .CLKOP_FPHASE    (0),
    .FEEDBK_PATH     ("CLKOP"),
    .CLKFB_DIV       (1)
  ) u_pll (
    .RST          (1'b0),
    .STDBY        (1'b0),
    .CLKI         (clk_i),
    .CLKOP        (clk_o),
    .CLKFB        (clk_o),
    .CLKINTFB     (),
    .PHASESEL0    (1'b0),
    .PHASESEL1    (1'b0),
    .PHASEDIR     (1'b1),
    .PHASESTEP    (1'b1),
    .PHASELOADREG (1'b1),
    .PLLWAKESYNC  (1'b0),
    .ENCLKOP      (1'b0),
    .LOCK         (locked_o)
  );
endmodule
