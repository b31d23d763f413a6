// SPDX-License-Identifier: Apache-2.0
// Unit bench of aimc_sar: the decision sequence of every conversion, cycle by cycle, against a
// behavioural comparator. NumAdc ADCs convert samples held in quarter LSB (s / 4 LSB); the bench's
// comparator decides each trial code k registered, as the macro does: 1 if s > 4k - 2, or
// s = 4k - 2 > 0 (the threshold k - 1/2 with a tie away from zero). For each conversion the bench
// checks, independently of the SAR's logic, from ref = clamp(round_half_away(s / 4)) in offset
// binary (u = ref + 2^(AdcBits-1)): the sample edge decides bit AdcBits-1 and each following cycle
// the next lower bit (cmp_bit_o), each trial is u's bits above that bit with the bit itself set,
// done_o comes AdcBits cycles after the sample edge, and code_o is ref from the next cycle.
// Samples: the range ends, ties, values beyond the range, and a deterministic LSFR sequence (no
// $urandom: the two simulators must see the same stimulus). Prints "aimc_sar_tb: PASS <n>
// conversions, <m> decisions" or stops with $fatal on the first difference.

module aimc_sar_tb;
  import aimc_pkg::*;

  localparam int NumAdc  = 3;
  localparam int AdcBits = 6;
  localparam int BitW    = aimc_aw(AdcBits);
  localparam int Half    = 1 << (AdcBits - 1);
  localparam int NConv   = 400;

  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  logic                      sample, cmp, done;
  logic [BitW-1:0]           cmp_bit;
  logic [NumAdc*AdcBits-1:0] trial, code;
  logic [NumAdc-1:0]         dec;

  aimc_sar #(
    .NumAdc  (NumAdc),
    .AdcBits (AdcBits)
  ) u_dut (
    .clk_i     (clk),
    .rst_ni    (rst_n),
    .sample_i  (sample),
    .cmp_o     (cmp),
    .cmp_bit_o (cmp_bit),
    .trial_o   (trial),
    .cmp_i     (dec),
    .done_o    (done),
    .code_o    (code)
  );

  // the held samples (quarter LSB) and the behavioural comparators
  int s_q [NumAdc];

  function automatic logic decide(int s, int k);
    int t;
    t = 4 * k - 2;
    return (s > t) || (s == t && t > 0);
  endfunction

  always @(posedge clk) begin
    if (cmp) begin
      for (int j = 0; j < NumAdc; j++) begin
        dec[j] <= decide(s_q[j], int'($signed(trial[j*AdcBits +: AdcBits])));
      end
    end
  end

  function automatic int ref_code(int s);
    int q;
    q = (s >= 0) ? (s + 2) / 4 : -((-s + 2) / 4);   // round half away from zero of s / 4
    if (q > Half - 1) q = Half - 1;
    if (q < -Half) q = -Half;
    return q;
  endfunction

  int lfsr = 32'h1234_5678;
  function automatic int next_sample(int i);
    // the first samples: range ends, ties on both sides of zero, far outside the range
    case (i)
      0: return 0;
      1: return 1;
      2: return 2;                      // a tie: 0.5 -> 1
      3: return -2;                     // a tie: -0.5 -> -1
      4: return 6;                      // 1.5 -> 2
      5: return -6;                     // -1.5 -> -2
      6: return 4 * (Half - 1);         // the top code
      7: return 4 * (Half - 1) + 2;     // a tie above the top code: clipped
      8: return -4 * Half - 2;          // a tie below the bottom code: clipped
      9: return -4 * Half + 2;          // -Half + 0.5 -> -Half (away from zero)
      10: return 4000;
      11: return -4000;
      default: ;
    endcase
    lfsr = (lfsr << 1) ^ ((lfsr < 0) ? 32'h04C1_1DB7 : 0);
    return (lfsr % (8 * Half + 40));                 // -(4 Half + 39) .. 4 Half + 39: some clip
  endfunction

  int ndec = 0;

  initial begin
    int u [NumAdc];
    int b, tu, want;
    sample = 1'b0;
    dec = '0;
    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    for (int n = 0; n < NConv; n++) begin
      @(negedge clk);
      for (int j = 0; j < NumAdc; j++) begin
        s_q[j] = next_sample(n * NumAdc + j);
        u[j] = ref_code(s_q[j]) + Half;
      end
      sample = 1'b1;
      for (int step = 0; step <= AdcBits; step++) begin
        #1;  // the combinational outputs of this cycle
        if (step < AdcBits) begin
          b = AdcBits - 1 - step;
          if (!cmp || int'(cmp_bit) != b || done) begin
            $fatal(1, "aimc_sar_tb: conversion %0d cycle %0d: cmp %0b bit %0d done %0b, want cmp 1 bit %0d",
                   n, step, cmp, cmp_bit, done, b);
          end
          for (int j = 0; j < NumAdc; j++) begin
            tu = ((u[j] >> (b + 1)) << (b + 1)) | (1 << b);
            if (int'($signed(trial[j*AdcBits +: AdcBits])) + Half != tu) begin
              $fatal(1, "aimc_sar_tb: conversion %0d ADC %0d bit %0d: trial %0d (offset binary), want %0d (sample %0d/4)",
                     n, j, b, int'($signed(trial[j*AdcBits +: AdcBits])) + Half, tu, s_q[j]);
            end
            ndec++;
          end
        end else if (!done || cmp) begin
          $fatal(1, "aimc_sar_tb: conversion %0d: no done_o (or a decision) %0d cycles after the sample",
                 n, AdcBits);
        end
        @(negedge clk);
        sample = 1'b0;
      end
      for (int j = 0; j < NumAdc; j++) begin
        want = u[j] - Half;
        if (int'($signed(code[j*AdcBits +: AdcBits])) != want) begin
          $fatal(1, "aimc_sar_tb: conversion %0d ADC %0d: code %0d, want %0d (sample %0d/4)", n, j,
                 $signed(code[j*AdcBits +: AdcBits]), want, s_q[j]);
        end
      end
    end
    $display("aimc_sar_tb: PASS %0d conversions, %0d decisions", NConv * NumAdc, ndec);
    $finish;
  end

endmodule
