// SPDX-License-Identifier: Apache-2.0
// Successive-approximation registers and their control for the NumAdc column ADCs of a tile
// (adc_kind sar): one comparator decision per cycle, MSB first, all ADCs in lock step. Only the
// comparator and its capacitive DAC are analog (behind the crossbar macro's cmp_* ports).
//
// Timing of one conversion (AdcBits + 1 cycles; docs/analog-model.md "SAR ADC"):
//   cycle 0          sample_i: the sample-and-hold closes at the end of this cycle; the trial
//                    register takes the MSB trial (offset binary 100..0 = code 0) and the
//                    comparators decide it at the same edge (cmp_o, cmp_bit_o = AdcBits-1)
//   cycle k, 1..B-1  cmp_i holds the decision of bit B-k: it stays set (1) or clears (0), bit
//                    B-k-1 is set for the next trial and decided at the end of the cycle
//   cycle B          cmp_i holds the decision of bit 0; done_o: the codes enter code_o at the
//                    end of this cycle (valid from cycle B + 1)
// The trial codes leave as two's complement (offset binary with the MSB inverted): the CDAC's
// threshold for trial code k is k - 1/2 LSB, so the search ends on round(x) clamped to the range.

`include "aimc_assert.svh"

module aimc_sar import aimc_pkg::*; #(
  parameter int  NumAdc  = 8,
  parameter int  AdcBits = 8,
  localparam int BitW    = aimc_aw(AdcBits)
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      sample_i,
  // comparators: decide the trial codes trial_o at this edge, for bit cmp_bit_o
  output logic                      cmp_o,
  output logic [BitW-1:0]           cmp_bit_o,
  output logic [NumAdc*AdcBits-1:0] trial_o,
  // the decisions of the last cmp_o (1: the sample is at or above the trial threshold)
  input  logic [NumAdc-1:0]         cmp_i,
  output logic                      done_o,
  output logic [NumAdc*AdcBits-1:0] code_o
);

  localparam logic [AdcBits-1:0] MSB = AdcBits'(1) << (AdcBits - 1);

  logic                      busy_q, busy_d;
  logic [BitW-1:0]           bit_q, bit_d;   // the bit whose decision cmp_i holds
  logic [NumAdc*AdcBits-1:0] sar_q, sar_d;   // offset-binary successive-approximation registers
  logic [NumAdc*AdcBits-1:0] code_q;

  always_comb begin
    busy_d    = busy_q;
    bit_d     = bit_q;
    sar_d     = sar_q;
    cmp_o     = 1'b0;
    cmp_bit_o = bit_q;
    done_o    = 1'b0;
    if (sample_i) begin
      busy_d    = 1'b1;
      bit_d     = BitW'(AdcBits - 1);
      cmp_o     = 1'b1;
      cmp_bit_o = BitW'(AdcBits - 1);
      for (int j = 0; j < NumAdc; j++) begin
        sar_d[j*AdcBits +: AdcBits] = MSB;
      end
    end else if (busy_q) begin
      for (int j = 0; j < NumAdc; j++) begin
        if (!cmp_i[j]) begin
          sar_d[j*AdcBits + int'(bit_q)] = 1'b0;
        end
      end
      if (bit_q == '0) begin
        busy_d = 1'b0;
        done_o = 1'b1;
      end else begin
        bit_d     = bit_q - 1'b1;
        cmp_o     = 1'b1;
        cmp_bit_o = bit_q - 1'b1;
        for (int j = 0; j < NumAdc; j++) begin
          sar_d[j*AdcBits + int'(bit_q) - 1] = 1'b1;
        end
      end
    end
  end

  // offset binary to two's complement: invert the MSB of each register
  for (genvar j = 0; j < NumAdc; j++) begin : g_adc
    assign trial_o[j*AdcBits +: AdcBits] = sar_d[j*AdcBits +: AdcBits] ^ MSB;
    assign code_o[j*AdcBits +: AdcBits]  = code_q[j*AdcBits +: AdcBits];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      bit_q  <= '0;
      sar_q  <= '0;
      code_q <= '0;
    end else begin
      busy_q <= busy_d;
      bit_q  <= bit_d;
      sar_q  <= sar_d;
      if (done_o) begin
        for (int j = 0; j < NumAdc; j++) begin
          code_q[j*AdcBits +: AdcBits] <= sar_d[j*AdcBits +: AdcBits] ^ MSB;
        end
      end
    end
  end

  // Assertions (rtl/prim/aimc_assert.svh; --noassert removes them from fast builds).
  `ASSERT_NEVER(SampleBusy_A, sample_i && busy_q)

endmodule
