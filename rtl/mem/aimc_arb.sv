// SPDX-License-Identifier: Apache-2.0
// Round-robin arbiter with ownership: the grant is combinational from the requests, and the
// granted requester keeps it for as long as it keeps requesting (a whole burst of buffer accesses
// is never interleaved with another requester's). A free port goes to the first requester after
// the last owner, in index order, so every requester is served within N bursts (no starvation)
// and the choice depends only on the request history (deterministic in every simulator).

`include "aimc_assert.svh"

module aimc_arb import aimc_pkg::*; #(
  parameter int N  = 2,
  parameter int Iw = aimc_aw(N)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [N-1:0]  req_i,
  output logic [N-1:0]  gnt_o,    // at most one bit; only to a requester
  output logic [Iw-1:0] idx_o     // index of the granted requester (valid when |gnt_o)
);

  logic          locked_q;
  logic [Iw-1:0] owner_q, owner_d, pick;
  logic          hold;

  // First requester after owner_q, wrapping around (owner_q itself last).
  function automatic logic [Iw-1:0] rr_pick(input logic [N-1:0] req, input logic [Iw-1:0] last);
    logic [Iw-1:0] sel;
    logic          found;
    sel   = last;
    found = 1'b0;
    for (int i = 0; i < N; i++) begin       // above the last owner first ...
      if (!found && req[i] && i > int'(last)) begin
        sel   = Iw'(i);
        found = 1'b1;
      end
    end
    for (int i = 0; i < N; i++) begin       // ... then from 0 up to it
      if (!found && req[i]) begin
        sel   = Iw'(i);
        found = 1'b1;
      end
    end
    return sel;
  endfunction

  assign pick    = rr_pick(req_i, owner_q);
  assign hold    = locked_q & req_i[owner_q];
  assign owner_d = hold ? owner_q : pick;
  assign idx_o   = owner_d;
  assign gnt_o   = (|req_i) ? (N'(1) << owner_d) : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      locked_q <= 1'b0;
      owner_q  <= Iw'(N - 1);  // so that requester 0 comes first after reset
    end else begin
      locked_q <= |req_i;
      if (|req_i) begin
        owner_q <= owner_d;
      end
    end
  end

  `ASSERT(GntHasReq_A, (gnt_o & ~req_i) == '0)
  `ASSERT(GntOneHot0_A, (gnt_o & (gnt_o - N'(1))) == '0)

endmodule
