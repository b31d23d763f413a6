// SPDX-License-Identifier: Apache-2.0
// Column ADC interface: sequences the ColsPerAdc column-mux positions, times each conversion (all
// Cols/ColsPerAdc ADCs in parallel) and marks when the codes are valid. AdcKind ADC_MODEL: the
// macro returns each code whole after AdcCycles cycles. ADC_SAR: the SAR logic (aimc_sar) decides
// the codes one bit per cycle against the macro's comparators and ends each conversion itself
// after AdcBits + 1 cycles (the config requires AdcCycles = AdcBits + 1, the C model's timing).

`include "aimc_assert.svh"

module aimc_adc_if import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AdcCycles  = 8,
  parameter int AdcBits    = 8,
  parameter int AdcKind    = ADC_MODEL,
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int GrpW      = aimc_aw(ColsPerAdc),
  localparam int CycW      = aimc_aw(AdcCycles),
  localparam int BitW      = aimc_aw(AdcBits)
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            start_i,        // convert every mux position once, group 0 first
  // to the crossbar macro (and the accumulator read port): the SAR of group conv_group_o ends at
  // this edge; the macro samples the codes and presents them the next cycle
  output logic            conv_o,
  output logic [GrpW-1:0] conv_group_o,
  // the macro's codes of group code_group_o are valid this cycle
  output logic            code_valid_o,
  output logic [GrpW-1:0] code_group_o,
  output logic            done_o,         // with the code_valid_o of the last group
  output logic [15:0]     ev_adc_o,       // column conversions finished this cycle
  // ADC_SAR only (tied off otherwise): the sample-and-hold of group conv_group_o closes at this
  // edge; the comparators decide trial_o for bit cmp_bit_o at this edge, cmp_i holds the decisions
  // the next cycle; sar_code_o holds the codes from the cycle of code_valid_o
  output logic                      sample_o,
  output logic                      cmp_o,
  output logic [BitW-1:0]           cmp_bit_o,
  output logic [NumAdc*AdcBits-1:0] trial_o,
  input  logic [NumAdc-1:0]         cmp_i,
  output logic [NumAdc*AdcBits-1:0] sar_code_o
);

  logic            busy_q, busy_d;
  logic [CycW-1:0] cyc_q, cyc_d;
  logic [GrpW-1:0] grp_q, grp_d;
  logic            last_grp;

  logic            cyc_end;  // the counter's end of a conversion: AdcCycles cycles

  assign last_grp = (grp_q == GrpW'(ColsPerAdc - 1));
  assign cyc_end  = busy_q && (cyc_q == CycW'(AdcCycles - 1));

  if (AdcKind == ADC_SAR) begin : g_sar
    logic sar_done;

    // the first cycle of each mux position is its sample cycle
    assign sample_o = busy_q && (cyc_q == '0);
    assign conv_o   = sar_done;

    aimc_sar #(
      .NumAdc  (NumAdc),
      .AdcBits (AdcBits)
    ) u_sar (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .sample_i  (sample_o),
      .cmp_o     (cmp_o),
      .cmp_bit_o (cmp_bit_o),
      .trial_o   (trial_o),
      .cmp_i     (cmp_i),
      .done_o    (sar_done),
      .code_o    (sar_code_o)
    );

    // AdcKind ADC_SAR takes AdcBits + 1 cycles a conversion (the config checker says so too).
    `ASSERT_INIT(SarCycles_A, AdcCycles == AdcBits + 1)

    // The SAR ends each conversion where the C model's timing (AdcCycles) says it does.
    `ASSERT(SarDoneTiming_A, sar_done == cyc_end)
  end else begin : g_model
    logic unused_cmp;

    assign conv_o     = cyc_end;
    assign sample_o   = 1'b0;
    assign cmp_o      = 1'b0;
    assign cmp_bit_o  = '0;
    assign trial_o    = '0;
    assign sar_code_o = '0;
    assign unused_cmp = ^cmp_i;
  end

  always_comb begin
    busy_d = busy_q;
    cyc_d  = cyc_q;
    grp_d  = grp_q;
    if (start_i && !busy_q) begin
      busy_d = 1'b1;
      cyc_d  = '0;
      grp_d  = '0;
    end else if (conv_o) begin
      cyc_d = '0;
      if (last_grp) begin
        busy_d = 1'b0;
        grp_d  = '0;
      end else begin
        grp_d = grp_q + 1'b1;
      end
    end else if (busy_q) begin
      cyc_d = cyc_q + 1'b1;
    end
  end

  logic            valid_q;
  logic            valid_last_q;
  logic [GrpW-1:0] valid_grp_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q       <= 1'b0;
      cyc_q        <= '0;
      grp_q        <= '0;
      valid_q      <= 1'b0;
      valid_last_q <= 1'b0;
      valid_grp_q  <= '0;
    end else begin
      busy_q       <= busy_d;
      cyc_q        <= cyc_d;
      grp_q        <= grp_d;
      valid_q      <= conv_o;
      valid_last_q <= conv_o && last_grp;
      valid_grp_q  <= grp_q;
    end
  end

  assign conv_group_o = grp_q;
  assign code_valid_o = valid_q;
  assign code_group_o = valid_grp_q;
  assign done_o       = valid_q && valid_last_q;
  assign ev_adc_o     = valid_q ? 16'(NumAdc) : 16'd0;

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds).
  `ASSERT_NEVER(StartBusy_A, start_i && busy_q)

endmodule
