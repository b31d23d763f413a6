// SPDX-License-Identifier: Apache-2.0
// Chip-wide constants and width helpers that no generator owns (addresses come from aimc_map_pkg).

package aimc_pkg;

  // Address bits for `depth` entries; at least 1 so that a one-entry memory still has a port.
  function automatic int aimc_aw(input int depth);
    return (depth <= 1) ? 1 : $clog2(depth);
  endfunction

  // AXI4-Lite response codes.
  localparam logic [1:0] RESP_OKAY   = 2'b00;
  localparam logic [1:0] RESP_SLVERR = 2'b10;
  localparam logic [1:0] RESP_DECERR = 2'b11;

  // Memory buffers the bus can reach, as numbered on aimc_axil_slave's mem_sel_o.
  // The 64-bit instruction buffer is two 32-bit halves: the low word at even word addresses.
  localparam int BUF_N         = 6;
  localparam int BUF_SEL_W     = 3;
  localparam int BUF_INSTR_LO  = 0;
  localparam int BUF_INSTR_HI  = 1;
  localparam int BUF_ACT_IN    = 2;
  localparam int BUF_ACT_OUT   = 3;
  localparam int BUF_PARAM     = 4;
  localparam int BUF_WEIGHT    = 5;

  // Crossbar implementation of every tile (parameter XbarImpl, config key xbar_impl): the
  // behavioural macro bound to the analog C model, or the synthesizable digital twin.
  localparam int XBAR_MODEL = 0;
  localparam int XBAR_TWIN  = 1;

  // ADC of every tile (parameter AdcKind, config key adc_kind): the model returns each code whole
  // (the RTL times the conversion), or the RTL SAR register decides one bit per cycle (aimc_sar).
  localparam int ADC_MODEL = 0;
  localparam int ADC_SAR   = 1;

  // Flops of the reset synchronizer at the top.
  localparam int RST_SYNC_STAGES = 2;

endpackage
