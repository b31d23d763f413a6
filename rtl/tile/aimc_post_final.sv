// SPDX-License-Identifier: Apache-2.0
// Final post-processing stage of one column (docs/numbers.md), combinational:
//   y = clamp8(relu?(rshift_round(p, s))),  rshift_round(p, s) = (p + 2^(s-1)) >>> s,
// for a product p = t*M of two int32 (|p| <= 2^62) and s in [1, 62]. Proved equal to that
// definition for every such p, s and relu by tests/formal/post_final.sh.
//
// Without the 64-bit rounding add and full-width shift: q = (p >>> s) + p[s-1] exactly (p + 2^(s-1)
// cannot overflow), so only the 10-bit window v = (p >>> (s-1))[9:0] is needed (q = v[9:1] + v[0]),
// plus whether p >>> s fits 9 signed bits, i.e. (p >>> (s-1))[63:9] all equal; otherwise q is
// beyond the clamp on the side of p's sign. One log shifter gives both: stage k keeps only the
// bits the later stages can still move into the window, and a flag records whether the bits it
// drops (and the sign extension above them) are all equal.

module aimc_post_final (
  input  logic signed [63:0] p_i,
  input  logic [5:0]         s_i,      // 1..62
  input  logic               relu_i,
  output logic [7:0]         y_o
);

  // The low n bits of v (n <= 31) are all equal.
  function automatic logic all_eq(input logic [31:0] v, input int n);
    logic [31:0] m;
    logic        same;
    m  = (32'd1 << n) - 32'd1;
    same = ((v & m) == 32'd0) || ((v & m) == m);
    return same;
  endfunction

  logic [5:0]  sh;                    // s - 1: the window starts at bit s-1 of p
  logic [40:0] x5;
  logic [24:0] x4;
  logic [16:0] x3;
  logic [12:0] x2;
  logic [10:0] x1;
  logic [9:0]  v;
  logic        f5, f4, f3, f2, f1, fits9;

  // Bit selects of sh and the shifted vectors stay out of always_comb (Icarus 11 sensitivity).
  logic sh5, sh4, sh3, sh2, sh1, sh0;
  assign sh  = s_i - 6'd1;
  assign sh5 = sh[5];
  assign sh4 = sh[4];
  assign sh3 = sh[3];
  assign sh2 = sh[2];
  assign sh1 = sh[1];
  assign sh0 = sh[0];

  // Stage k (shift by 2^k when sh[k]) keeps 10 + 2^k - 1 bits. f: the value shifted so far is all
  // copies of its bit just below the kept width above it (the bits a later stage could bring in are
  // kept; what is dropped must be sign only).
  assign x5 = sh5 ? {{9{p_i[63]}}, p_i[63:32]} : p_i[40:0];
  assign f5 = sh5 || all_eq(32'(p_i[63:40]), 24);
  assign x4 = sh4 ? x5[40:16] : x5[24:0];
  assign f4 = f5 && (sh4 || all_eq(32'(x5[40:24]), 17));
  assign x3 = sh3 ? x4[24:8] : x4[16:0];
  assign f3 = f4 && (sh3 || all_eq(32'(x4[24:16]), 9));
  assign x2 = sh2 ? x3[16:4] : x3[12:0];
  assign f2 = f3 && (sh2 || all_eq(32'(x3[16:12]), 5));
  assign x1 = sh1 ? x2[12:2] : x2[10:0];
  assign f1 = f2 && (sh1 || all_eq(32'(x2[12:10]), 3));
  assign v     = sh0 ? x1[10:1] : x1[9:0];
  assign fits9 = f1 && (sh0 || all_eq(32'(x1[10:9]), 2));

  logic signed [8:0] a9;                // p >>> s when it fits
  logic              rbit;              // p[s-1]
  logic signed [9:0] q10;
  logic [7:0]        q10_lo;
  logic              p_neg;
  assign a9     = v[9:1];
  assign rbit   = v[0];
  assign q10    = 10'(a9) + 10'(rbit);
  assign q10_lo = q10[7:0];
  assign p_neg  = p_i[63];

  always_comb begin
    if (!fits9) begin
      y_o = p_neg ? (relu_i ? 8'd0 : 8'h81) : 8'd127;
    end else if (relu_i && q10 < 0) begin
      y_o = 8'd0;
    end else if (q10 > 10'sd127) begin
      y_o = 8'd127;
    end else if (q10 < -10'sd127) begin
      y_o = 8'h81;
    end else begin
      y_o = q10_lo;
    end
  end

endmodule
