// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_axil_slave (tests/formal/prove.sh), inserted into a copy of the module by
// tests/formal/stage.py (moved out of the product RTL, issue 19).
  // ---- formal properties (tests/formal/axil.sh: yosys-smtbmc, bounded) ----------------------------
  // Environment: a master that obeys AXI4-Lite (valid held with stable payload until ready) and
  // takes a response within FMaxWait cycles; a CSR block and buffers that answer within FMaxWait.
  // Proven: valid held and payload stable while stalled, at most one transaction open, no
  // response without a request, one response per request, a response within FMaxResp cycles.
  localparam int FMaxWait = 2;
  localparam int FMaxResp = 4 * FMaxWait + 6;

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;

  // Reset is asserted in the first cycle.
  always @(*) if (!f_past_valid) assume (!rst_ni);

  // Master: a valid stays until ready, with its payload.
  always @(posedge clk_i) begin
    if (f_past_valid && $past(rst_ni) && rst_ni) begin
      if ($past(s_axil_awvalid_i && !s_axil_awready_o)) begin
        assume (s_axil_awvalid_i);
        assume (s_axil_awaddr_i == $past(s_axil_awaddr_i));
      end
      if ($past(s_axil_wvalid_i && !s_axil_wready_o)) begin
        assume (s_axil_wvalid_i);
        assume (s_axil_wdata_i == $past(s_axil_wdata_i));
        assume (s_axil_wstrb_i == $past(s_axil_wstrb_i));
      end
      if ($past(s_axil_arvalid_i && !s_axil_arready_o)) begin
        assume (s_axil_arvalid_i);
        assume (s_axil_araddr_i == $past(s_axil_araddr_i));
      end
    end
  end

  // Transactions accepted and not yet answered.
  logic [1:0] f_aw_open, f_w_open, f_ar_open;
  logic       f_b_hs, f_r_hs;
  assign f_b_hs = s_axil_bvalid_o && s_axil_bready_i;
  assign f_r_hs = s_axil_rvalid_o && s_axil_rready_i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_aw_open <= '0;
      f_w_open  <= '0;
      f_ar_open <= '0;
    end else begin
      f_aw_open <= f_aw_open + 2'(aw_hs) - 2'(f_b_hs);
      f_w_open  <= f_w_open + 2'(w_hs) - 2'(f_b_hs);
      f_ar_open <= f_ar_open + 2'(ar_hs) - 2'(f_r_hs);
    end
  end

  // Cycles a response or an answer of the CSR block, the buffers or the master has been pending.
  logic [7:0] f_resp_wait, f_csr_wait, f_mem_wait, f_bresp_wait;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_resp_wait  <= '0;
      f_csr_wait   <= '0;
      f_mem_wait   <= '0;
      f_bresp_wait <= '0;
    end else begin
      f_resp_wait  <= ((f_aw_open != 0 && f_w_open != 0) || f_ar_open != 0) && !f_b_hs && !f_r_hs
                      ? f_resp_wait + 8'd1 : 8'd0;
      f_csr_wait   <= (state_q == StCsrWait && !csr_ack) ? f_csr_wait + 8'd1 : 8'd0;
      f_mem_wait   <= (mem_req_o && !mem_gnt_i) ? f_mem_wait + 8'd1 : 8'd0;
      f_bresp_wait <= ((s_axil_bvalid_o && !s_axil_bready_i) || (s_axil_rvalid_o && !s_axil_rready_i))
                      ? f_bresp_wait + 8'd1 : 8'd0;
    end
  end

  // Slaves behind the bus: acknowledge only what was asked, within FMaxWait cycles.
  always @(*) begin
    if (rst_ni) begin
      if (!(state_q == StCsrWait || (issue_csr && !csr_stall))) begin
        assume (!csr_rd_ack_i && !csr_wr_ack_i);
      end
      if (f_csr_wait >= 8'(FMaxWait)) assume (csr_ack);
      if (f_mem_wait >= 8'(FMaxWait)) assume (mem_gnt_i);
      if (f_bresp_wait >= 8'(FMaxWait)) assume (s_axil_bready_i && s_axil_rready_i);
      assume (!csr_req_stall_wr_i && !csr_req_stall_rd_i);
    end
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      // Only the states of the FSM.
      assert (state_q == StInit || state_q == StIdle || state_q == StReq || state_q == StCsrWait ||
              state_q == StMemRd || state_q == StResp);
      // One transaction at a time; a response only for an open request.
      assert (f_aw_open <= 2'd1 && f_w_open <= 2'd1 && f_ar_open <= 2'd1);
      assert (!(f_ar_open != 0 && (f_aw_open != 0 || f_w_open != 0)));
      if (s_axil_bvalid_o) assert (f_aw_open == 2'd1 && f_w_open == 2'd1);
      if (s_axil_rvalid_o) assert (f_ar_open == 2'd1);
      assert (!(s_axil_bvalid_o && s_axil_rvalid_o));
      // Every accepted request is answered within FMaxResp cycles.
      assert (f_resp_wait < 8'(FMaxResp));
      // A response stays, unchanged, until the master takes it.
      if ($past(rst_ni) && $past(s_axil_bvalid_o && !s_axil_bready_i)) begin
        assert (s_axil_bvalid_o);
        assert (s_axil_bresp_o == $past(s_axil_bresp_o));
      end
      if ($past(rst_ni) && $past(s_axil_rvalid_o && !s_axil_rready_i)) begin
        assert (s_axil_rvalid_o);
        assert (s_axil_rresp_o == $past(s_axil_rresp_o));
        assert (s_axil_rdata_o == $past(s_axil_rdata_o));
      end
      // The request to a buffer is held, unchanged, until granted.
      if ($past(rst_ni) && $past(mem_req_o && !mem_gnt_i)) begin
        assert (mem_req_o);
        assert (mem_sel_o == $past(mem_sel_o) && mem_addr_o == $past(mem_addr_o) &&
                mem_we_o == $past(mem_we_o) && mem_wdata_o == $past(mem_wdata_o));
      end
    end
  end
