// SPDX-License-Identifier: Apache-2.0
// Per-tile counters (busy, idle, MVMs, array reads, ADC conversions, saturations, stalls) and the
// chip totals of reads and stalls. Counted since power-on (a soft reset keeps them); CounterBits
// wide (read zero-extended), wrapping at 2^CounterBits.
//
// busy: the tile runs a command. idle: the sequencer runs a program and the tile is not busy.
// stall: the tile waits for its row DACs to settle. The others are the tile's events.

module aimc_tile_counters #(
  parameter int NumTiles    = 1,
  parameter int CounterBits = 32
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      seq_busy_i,
  input  logic [NumTiles-1:0]       busy_i,
  input  logic [NumTiles-1:0]       ev_mvm_i,
  input  logic [NumTiles-1:0]       ev_read_i,
  input  logic [NumTiles-1:0][15:0] ev_adc_i,
  input  logic [NumTiles-1:0][15:0] ev_sat_i,
  input  logic [NumTiles-1:0]       ev_stall_i,
  output logic [NumTiles-1:0][31:0] busy_o,
  output logic [NumTiles-1:0][31:0] idle_o,
  output logic [NumTiles-1:0][31:0] mvms_o,
  output logic [NumTiles-1:0][31:0] reads_o,
  output logic [NumTiles-1:0][31:0] adc_o,
  output logic [NumTiles-1:0][31:0] sats_o,
  output logic [NumTiles-1:0][31:0] stalls_o,
  output logic [31:0]               reads_total_o,
  output logic [31:0]               stalls_total_o
);

  for (genvar t = 0; t < NumTiles; t++) begin : g_tile
    logic [CounterBits-1:0] busy_q, idle_q, mvms_q, reads_q, adc_q, sats_q, stalls_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        busy_q   <= '0;
        idle_q   <= '0;
        mvms_q   <= '0;
        reads_q  <= '0;
        adc_q    <= '0;
        sats_q   <= '0;
        stalls_q <= '0;
      end else begin
        busy_q   <= busy_q + CounterBits'(busy_i[t]);
        idle_q   <= idle_q + CounterBits'(seq_busy_i && !busy_i[t]);
        mvms_q   <= mvms_q + CounterBits'(ev_mvm_i[t]);
        reads_q  <= reads_q + CounterBits'(ev_read_i[t]);
        adc_q    <= adc_q + CounterBits'(ev_adc_i[t]);
        sats_q   <= sats_q + CounterBits'(ev_sat_i[t]);
        stalls_q <= stalls_q + CounterBits'(ev_stall_i[t]);
      end
    end

    assign busy_o[t]   = 32'(busy_q);
    assign idle_o[t]   = 32'(idle_q);
    assign mvms_o[t]   = 32'(mvms_q);
    assign reads_o[t]  = 32'(reads_q);
    assign adc_o[t]    = 32'(adc_q);
    assign sats_o[t]   = 32'(sats_q);
    assign stalls_o[t] = 32'(stalls_q);
  end

  // Totals in a function (see aimc_counters.sv: Icarus 11 and Verilator both accept this form).
  function automatic logic [31:0] tile_sum(input logic [NumTiles-1:0][31:0] v);
    logic [31:0] sum;
    sum = '0;
    for (int t = 0; t < NumTiles; t++) begin
      sum = sum + v[t];
    end
    return sum;
  endfunction

  // The totals wrap at the counters' width too.
  assign reads_total_o  = 32'(CounterBits'(tile_sum(reads_o)));
  assign stalls_total_o = 32'(CounterBits'(tile_sum(stalls_o)));

endmodule
