// SPDX-License-Identifier: Apache-2.0
// Chip event counters behind the CSR block: counted since reset, never cleared by a start.

module aimc_counters #(
  parameter int NumTiles = 1
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      busy_i,        // sequencer running: one busy cycle each clock
  input  logic                      retire_i,      // an instruction completed
  input  logic                      retire_mvm_i,  // an MVM completed
  input  logic [NumTiles-1:0][15:0] ev_adc_i,      // column conversions this cycle, per tile
  input  logic [NumTiles-1:0][15:0] ev_sat_i,      // int32 saturations this cycle, per tile
  output logic [63:0]               cycles_o,
  output logic [31:0]               instrs_o,
  output logic [31:0]               mvms_o,
  output logic [31:0]               adc_convs_o,
  output logic [31:0]               sats_o
);

  logic [63:0] cycles_q;
  logic [31:0] instrs_q, mvms_q, adc_convs_q, sats_q;
  logic [31:0] adc_sum, sat_sum;

  always_comb begin
    adc_sum = '0;
    sat_sum = '0;
    for (int t = 0; t < NumTiles; t++) begin
      adc_sum = adc_sum + 32'(ev_adc_i[t]);
      sat_sum = sat_sum + 32'(ev_sat_i[t]);
    end
  end

  // The counters wrap at their width, as the C model's uint32_t/uint64_t do.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q    <= '0;
      instrs_q    <= '0;
      mvms_q      <= '0;
      adc_convs_q <= '0;
      sats_q      <= '0;
    end else begin
      cycles_q    <= cycles_q + 64'(busy_i);
      instrs_q    <= instrs_q + 32'(retire_i);
      mvms_q      <= mvms_q + 32'(retire_mvm_i);
      adc_convs_q <= adc_convs_q + adc_sum;
      sats_q      <= sats_q + sat_sum;
    end
  end

  assign cycles_o    = cycles_q;
  assign instrs_o    = instrs_q;
  assign mvms_o      = mvms_q;
  assign adc_convs_o = adc_convs_q;
  assign sats_o      = sats_q;

endmodule
