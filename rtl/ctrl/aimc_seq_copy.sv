// SPDX-License-Identifier: Apache-2.0
// Sequencer COPY engine (aimc_sequencer): moves c words between the activation buffers, one read
// and one write every two cycles while it holds the data port, through the data-port arbiter.
//
// WaitIdle = 1 (the sequencer without the conflict check): the copy starts only once every tile is
// idle, so it still sees every word the tiles' earlier commands wrote and no later command can
// overtake it. The watchdog stop (kill_i) withdraws the port request and the access that cycle.

module aimc_seq_copy import aimc_pkg::*; import aimc_isa_pkg::*; #(
  parameter int ActDepth  = 4096,
  parameter int WaitIdle  = 0,
  parameter int ActAw     = aimc_aw(ActDepth)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 load_i,        // a COPY is decoded: start at its first word
  input  logic                 active_i,      // the sequencer is copying
  input  logic                 kill_i,        // watchdog stop: no request, no access
  input  logic                 tiles_idle_i,
  // operands of the COPY (held by the sequencer while it copies)
  input  logic [INSTR_A_W-1:0] dst_i,
  input  logic [INSTR_B_W-1:0] src_i,
  input  logic [INSTR_C_W-1:0] count_i,
  input  logic                 from_out_i,    // read OUT (1) or IN (0)
  input  logic                 to_out_i,      // write OUT (1) or IN (0)
  output logic                 last_o,        // the last word is written this cycle
  // activation buffers, through the data-port arbiter (held while requested)
  output logic                 dat_port_req_o,
  input  logic                 dat_port_gnt_i,
  output logic                 act_req_o,
  output logic                 act_we_o,
  output logic                 act_sel_o,     // 0 = IN, 1 = OUT
  output logic [ActAw-1:0]     act_addr_o,
  output logic [31:0]          act_wdata_o,
  input  logic [31:0]          act_rdata_i
);

  logic [15:0] idx_q, idx_d;     // word being copied
  logic        wr_q, wr_d;       // its read is done: write it this access

  logic go, req, acc, we;
  assign go = (WaitIdle == 0) || tiles_idle_i;

  always_comb begin
    idx_d      = idx_q;
    wr_d       = wr_q;
    req        = 1'b0;
    acc        = 1'b0;
    we         = 1'b0;
    act_sel_o  = 1'b0;
    act_addr_o = '0;
    last_o     = 1'b0;
    if (load_i) begin
      idx_d = '0;
      wr_d  = 1'b0;
    end
    if (active_i) begin
      req = go;
      if (go && dat_port_gnt_i) begin
        acc = 1'b1;
        if (!wr_q) begin
          act_sel_o  = from_out_i;
          act_addr_o = ActAw'(32'(src_i) + 32'(idx_q));
          wr_d       = 1'b1;
        end else begin
          we         = 1'b1;
          act_sel_o  = to_out_i;
          act_addr_o = ActAw'(32'(dst_i) + 32'(idx_q));
          wr_d       = 1'b0;
          idx_d      = idx_q + 16'd1;
          last_o     = (idx_q + 16'd1 == count_i);
        end
      end
    end
  end

  assign dat_port_req_o = req && !kill_i;
  assign act_req_o      = acc && !kill_i;
  assign act_we_o       = we && !kill_i;
  assign act_wdata_o    = act_rdata_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idx_q <= '0;
      wr_q  <= 1'b0;
    end else begin
      idx_q <= idx_d;
      wr_q  <= wr_d;
    end
  end

endmodule
