// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_arb (tests/formal/prove.sh), inserted into a copy of the module by
// tests/formal/stage.py (moved out of the product RTL, issue 19).
  // ---- formal properties (tests/formal/prove.sh arb: yosys-smtbmc, bounded) -----------------------
  // Environment: any requests, except that a requester holds the port for at most FBurst cycles
  // (every client of the data port releases it after a bounded burst). Proven: at most one grant,
  // only to a requester; a request is never left without a grant (work-conserving); the owner
  // keeps the grant while it requests; a requester that keeps requesting is granted within
  // (N - 1) * FBurst cycles (no starvation).
  localparam int FBurst = 2;

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  logic [N-1:0][7:0] f_held, f_wait;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_held <= '0;
      f_wait <= '0;
    end else begin
      for (int i = 0; i < N; i++) begin
        f_held[i] <= gnt_o[i] ? f_held[i] + 8'd1 : 8'd0;
        f_wait[i] <= (req_i[i] && !gnt_o[i]) ? f_wait[i] + 8'd1 : 8'd0;
      end
    end
  end

  always @(*) begin
    if (rst_ni) begin
      for (int i = 0; i < N; i++) begin
        if (f_held[i] >= 8'(FBurst)) assume (!req_i[i]);
      end
    end
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      assert ((gnt_o & ~req_i) == '0);
      assert ((gnt_o & (gnt_o - N'(1))) == '0);
      assert ((req_i == '0) == (gnt_o == '0));
      if (gnt_o != '0) assert (gnt_o == (N'(1) << idx_o));
      for (int i = 0; i < N; i++) begin
        assert (f_wait[i] <= 8'((N - 1) * FBurst));
        if ($past(rst_ni) && $past(gnt_o[i]) && req_i[i]) assert (gnt_o[i]);
      end
    end
  end
