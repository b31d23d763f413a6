// SPDX-License-Identifier: Apache-2.0
// Chip event counters behind the CSR block: counted since reset, never cleared by a start.
// The event counters are CounterBits wide (read zero-extended) and wrap at 2^CounterBits; the busy
// cycle counter is always 64 bits.

module aimc_counters #(
  parameter int NumTiles    = 1,
  parameter int CounterBits = 32
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      busy_i,        // sequencer running: one busy cycle each clock
  input  logic                      retire_i,      // an instruction the sequencer executes completed
  input  logic [NumTiles-1:0]       retire_t_i,    // per tile: a tile command completed (no error)
  input  logic [NumTiles-1:0]       ev_mvm_i,      // per tile: an MVM retired (completed, no stop)
  input  logic [NumTiles-1:0][15:0] ev_adc_i,      // column conversions this cycle, per tile
  input  logic [NumTiles-1:0][15:0] ev_sat_i,      // int32 saturations this cycle, per tile
  output logic [63:0]               cycles_o,
  output logic [31:0]               instrs_o,
  output logic [31:0]               mvms_o,
  output logic [31:0]               adc_convs_o,
  output logic [31:0]               sats_o
);

  logic [63:0] cycles_q;
  logic [CounterBits-1:0] instrs_q, mvms_q, adc_convs_q, sats_q;
  // Sums over the tiles in a function: an always_comb that reads back its own partial sum never
  // settles in Icarus 11 once there are two tiles, and a chain of assigns is circular to Verilator.
  function automatic logic [31:0] tile_sum(input logic [NumTiles-1:0][15:0] ev);
    logic [31:0] sum;
    sum = '0;
    for (int t = 0; t < NumTiles; t++) begin
      sum = sum + 32'(ev[t]);
    end
    return sum;
  endfunction

  // Not named ev: tools/yosys_src.py flattens the packed 2-D ev of tile_sum by name in the whole
  // file, and would rewrite this 1-D argument's ev[t] into a 16-bit slice (undefined bits).
  function automatic logic [31:0] bit_sum(input logic [NumTiles-1:0] evb);
    logic [31:0] sum;
    sum = '0;
    for (int t = 0; t < NumTiles; t++) begin
      sum = sum + 32'(evb[t]);
    end
    return sum;
  endfunction

  logic [31:0] adc_sum, sat_sum, retire_sum, mvm_sum;
  assign retire_sum = bit_sum(retire_t_i) + 32'(retire_i);
  assign mvm_sum    = bit_sum(ev_mvm_i);
  assign adc_sum = tile_sum(ev_adc_i);
  assign sat_sum = tile_sum(ev_sat_i);
  // With CounterBits < 32 only the low bits of the sums count (the counters wrap there).
  logic unused_sums;
  assign unused_sums = ^{adc_sum, sat_sum, retire_sum, mvm_sum};

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
      instrs_q    <= instrs_q + CounterBits'(retire_sum);
      mvms_q      <= mvms_q + CounterBits'(mvm_sum);
      adc_convs_q <= adc_convs_q + CounterBits'(adc_sum);
      sats_q      <= sats_q + CounterBits'(sat_sum);
    end
  end

  assign cycles_o    = cycles_q;
  assign instrs_o    = 32'(instrs_q);
  assign mvms_o      = 32'(mvms_q);
  assign adc_convs_o = 32'(adc_convs_q);
  assign sats_o      = 32'(sats_q);

endmodule
