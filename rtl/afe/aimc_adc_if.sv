// SPDX-License-Identifier: Apache-2.0
// Column ADC interface: sequences the ColsPerAdc column-mux positions, times each SAR conversion
// (AdcCycles cycles, all Cols/ColsPerAdc ADCs in parallel) and marks when the macro's codes are valid.

module aimc_adc_if import aimc_pkg::*; #(
  parameter int Cols       = 32,
  parameter int ColsPerAdc = 4,
  parameter int AdcCycles  = 8,
  localparam int NumAdc    = Cols / ColsPerAdc,
  localparam int GrpW      = aimc_aw(ColsPerAdc),
  localparam int CycW      = aimc_aw(AdcCycles)
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
  output logic [15:0]     ev_adc_o        // column conversions finished this cycle
);

  logic            busy_q, busy_d;
  logic [CycW-1:0] cyc_q, cyc_d;
  logic [GrpW-1:0] grp_q, grp_d;
  logic            last_grp;

  assign last_grp = (grp_q == GrpW'(ColsPerAdc - 1));
  assign conv_o   = busy_q && (cyc_q == CycW'(AdcCycles - 1));

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

  // Immediate assertions (both simulators; --noassert removes them from fast builds).
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(start_i && busy_q)) else $fatal(1, "aimc_adc_if: start while converting");
    end
  end

endmodule
