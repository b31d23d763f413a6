// SPDX-License-Identifier: Apache-2.0
// Proof harness of aimc_post_final (tests/formal/post_final.sh, not part of the chip): ok_o is 1
// when the stage equals the reference definition of docs/numbers.md, 64-bit add and shift, for
// the operands that can reach it (|p| <= 2^62: a product of two int32; s in [1, 62]).

module aimc_post_final_check (
  input  logic signed [63:0] p_i,
  input  logic [5:0]         s_i,
  input  logic               relu_i,
  output logic               ok_o
);

  logic [7:0] y;
  aimc_post_final u_dut (
    .p_i    (p_i),
    .s_i    (s_i),
    .relu_i (relu_i),
    .y_o    (y)
  );

  logic signed [63:0] q_ref, qr_ref;
  logic [7:0]         y_ref;
  logic               in_domain;
  assign q_ref     = (p_i + (64'sd1 <<< (s_i - 6'd1))) >>> s_i;
  assign qr_ref    = (relu_i && q_ref < 0) ? 64'sd0 : q_ref;
  assign y_ref     = (qr_ref > 64'sd127) ? 8'd127 : (qr_ref < -64'sd127) ? 8'h81 : qr_ref[7:0];
  assign in_domain = (s_i >= 6'd1) && (s_i <= 6'd62) &&
                     (p_i <= (64'sd1 <<< 62)) && (p_i >= -(64'sd1 <<< 62));
  assign ok_o      = !in_domain || (y == y_ref);

endmodule
