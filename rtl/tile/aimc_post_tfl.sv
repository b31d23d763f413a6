// SPDX-License-Identifier: Apache-2.0
// Final stage of a POST with the tfl flag (docs/numbers.md, "POST with tfl"), combinational:
// TFLite's requantization of one column from the product p = u*M of the shifted sum u and the
// multiplier M (both int32), and the packed word E = {hi, lo, zp, e}:
//   h = SRDHM(u, M),  q = RDBPOT(h, r),  y = clamp(q + zp, lo, hi),  r = max(-e, 0).
// SRDHM(u, M) is INT32_MAX when u = M = INT32_MIN (the only p equal to 2^62) and otherwise
// trunc((p + nudge) / 2^31) with nudge = 2^30 (p >= 0) or 1 - 2^30 (p < 0); both cases are
// floor((p + 2^30) / 2^31), an add and an arithmetic shift (for p < 0, truncation toward zero of
// v = p + 1 - 2^30 < 0 is floor((v + 2^31 - 1) / 2^31)). RDBPOT(h, r) = (h >>> r) + (rem > thr)
// with rem = h & (2^r - 1), thr = (2^r - 1) >> 1, plus 1 when h < 0. aimc_post checks the result
// against the literal definitions in simulation.

module aimc_post_tfl (
  input  logic signed [63:0] p_i,      // u*M, |p| <= 2^62
  input  logic [31:0]        e_i,      // E: [7:0] e in [-31, 30], [15:8] zp, [23:16] lo, [31:24] hi
  output logic [7:0]         y_o
);

  localparam logic signed [63:0] P_MAX = 64'sh4000000000000000;  // 2^62 = INT32_MIN * INT32_MIN

  logic signed [63:0] pn;
  logic signed [31:0] h;
  logic signed [7:0]  e, zp, lo, hi;
  logic [4:0]         r;
  logic [31:0]        mask, rem, thr;
  logic signed [31:0] hs;
  logic signed [32:0] q, yz;

  assign e  = e_i[7:0];
  assign zp = e_i[15:8];
  assign lo = e_i[23:16];
  assign hi = e_i[31:24];
  // e in [-31, 30] (BAD_PARAM otherwise, before this stage): r = -e fits 5 bits
  assign r  = (e < 0) ? 5'(-e) : 5'd0;

  assign pn   = p_i + 64'sd1073741824;                 // p + 2^30: no overflow for |p| <= 2^62
  assign h    = (p_i == P_MAX) ? 32'sh7fffffff : pn[62:31];
  assign mask = (32'd1 << r) - 32'd1;
  assign rem  = h & mask;
  assign thr  = (mask >> 1) + 32'(h[31]);
  assign hs   = h >>> r;
  assign q    = $signed(33'(hs)) + $signed({32'd0, rem > thr});
  assign yz   = q + $signed(33'(zp));

  // Bits of p + 2^30 outside the quotient: below 2^31 (the remainder), above (sign copies).
  logic unused_pn;
  assign unused_pn = ^{pn[63], pn[30:0]};

  // Constant selects stay out of the always_comb (Icarus 11 cannot make them sensitive).
  logic [7:0] yz_lo;
  assign yz_lo = yz[7:0];

  always_comb begin
    if (yz < $signed(33'(lo))) begin
      y_o = lo;
    end else if (yz > $signed(33'(hi))) begin
      y_o = hi;
    end else begin
      y_o = yz_lo;
    end
  end

endmodule
