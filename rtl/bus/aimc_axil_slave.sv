// SPDX-License-Identifier: Apache-2.0
// AXI4-Lite slave: one transaction at a time, decoded onto the CSR block and the memory buffers.
//
// Response rules (docs/registers.md), checked in this order:
//   address in no window of aimc_map_pkg                    -> DECERR
//   addr[1:0] != 0, or a write with wstrb != 4'hF           -> SLVERR (nothing written)
//   word at or past the configured depth of a memory window -> SLVERR
//   CSR block error (no register there, or wrong direction) -> SLVERR
// Reads that fail return data 0.

`include "aimc_assert.svh"

module aimc_axil_slave import aimc_pkg::*; import aimc_map_pkg::*; #(
  parameter int InstrDepth = 1024,
  parameter int ActDepth   = 4096,
  parameter int ParDepth   = 1024,
  parameter int WgtDepth   = 8192,
  parameter int CsrAw      = aimc_aw(int'(CSR_SIZE))
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // AXI4-Lite slave
  input  logic                 s_axil_awvalid_i,
  output logic                 s_axil_awready_o,
  input  logic [31:0]          s_axil_awaddr_i,
  input  logic [2:0]           s_axil_awprot_i,
  input  logic                 s_axil_wvalid_i,
  output logic                 s_axil_wready_o,
  input  logic [31:0]          s_axil_wdata_i,
  input  logic [3:0]           s_axil_wstrb_i,
  output logic                 s_axil_bvalid_o,
  input  logic                 s_axil_bready_i,
  output logic [1:0]           s_axil_bresp_o,
  input  logic                 s_axil_arvalid_i,
  output logic                 s_axil_arready_o,
  input  logic [31:0]          s_axil_araddr_i,
  input  logic [2:0]           s_axil_arprot_i,
  output logic                 s_axil_rvalid_o,
  input  logic                 s_axil_rready_i,
  output logic [31:0]          s_axil_rdata_o,
  output logic [1:0]           s_axil_rresp_o,
  // CSR block (PeakRDL passthrough cpuif)
  output logic                 csr_req_o,
  output logic                 csr_req_is_wr_o,
  output logic [CsrAw-1:0]     csr_addr_o,
  output logic [31:0]          csr_wr_data_o,
  output logic [31:0]          csr_wr_biten_o,
  input  logic                 csr_req_stall_wr_i,
  input  logic                 csr_req_stall_rd_i,
  input  logic                 csr_rd_ack_i,
  input  logic                 csr_rd_err_i,
  input  logic [31:0]          csr_rd_data_i,
  input  logic                 csr_wr_ack_i,
  input  logic                 csr_wr_err_i,
  // memory buffers: one request at a time, held until granted; read data the cycle after grant
  output logic                 mem_req_o,
  output logic [BUF_SEL_W-1:0] mem_sel_o,    // BUF_* of aimc_pkg, stable while a transaction is open
  output logic                 mem_we_o,
  output logic [31:0]          mem_addr_o,   // word index in the buffer (instruction index)
  output logic [31:0]          mem_wdata_o,
  input  logic                 mem_gnt_i,
  input  logic [31:0]          mem_rdata_i
);

  typedef enum logic [2:0] {
    StInit,     // first cycle after reset: accept nothing yet
    StIdle,     // collect AW+W or AR
    StReq,      // decode and issue to the CSR block or a buffer
    StCsrWait,  // CSR request taken, waiting for its acknowledge
    StMemRd,    // buffer read granted, data arrives this cycle
    StResp      // B or R held until the master takes it
  } bus_state_e;

  bus_state_e state_q, state_d;
  logic       aw_q, aw_d;          // write address held
  logic       w_q, w_d;            // write data held
  logic       wr_q, wr_d;          // the transaction is a write
  logic       strb_ok_q, strb_ok_d;
  logic [31:0] addr_q, addr_d;
  logic [31:0] wdata_q, wdata_d;
  logic [31:0] rdata_q, rdata_d;
  logic [1:0]  resp_q, resp_d;

  // ---- decode of the held address --------------------------------------------------------------
  logic [31:0] off_csr, off_instr, off_act_in, off_act_out, off_param, off_weight;
  logic        hit_csr, hit_instr, hit_act_in, hit_act_out, hit_param, hit_weight;
  logic        in_depth;
  logic [BUF_SEL_W-1:0] dec_sel;
  logic [31:0] dec_word;

  // Every window is a power-of-two size at a base aligned to it (the CSR window: base aligned to
  // the power of two above its size), so a hit is an equality of the bits above the size and the
  // offset is the bits below it: no 32-bit subtract or compare (the same decode, fewer cells).
  localparam int CsrSh    = $clog2(int'(CSR_SIZE));
  localparam int InstrSh  = $clog2(int'(INSTR_SIZE));
  localparam int ActInSh  = $clog2(int'(ACT_IN_SIZE));
  localparam int ActOutSh = $clog2(int'(ACT_OUT_SIZE));
  localparam int ParamSh  = $clog2(int'(PARAM_SIZE));
  localparam int WeightSh = $clog2(int'(WEIGHT_SIZE));

  function automatic logic [31:0] low_bits(input logic [31:0] a, input int sh);
    return a & ((32'd1 << sh) - 32'd1);
  endfunction

  assign off_csr     = low_bits(addr_q, CsrSh);
  assign off_instr   = low_bits(addr_q, InstrSh);
  assign off_act_in  = low_bits(addr_q, ActInSh);
  assign off_act_out = low_bits(addr_q, ActOutSh);
  assign off_param   = low_bits(addr_q, ParamSh);
  assign off_weight  = low_bits(addr_q, WeightSh);

  assign hit_csr     = ((addr_q >> CsrSh) == (CSR_BASE >> CsrSh)) && (off_csr < CSR_SIZE);
  assign hit_instr   = (addr_q >> InstrSh)  == (INSTR_BASE >> InstrSh);
  assign hit_act_in  = (addr_q >> ActInSh)  == (ACT_IN_BASE >> ActInSh);
  assign hit_act_out = (addr_q >> ActOutSh) == (ACT_OUT_BASE >> ActOutSh);
  assign hit_param   = (addr_q >> ParamSh)  == (PARAM_BASE >> ParamSh);
  assign hit_weight  = (addr_q >> WeightSh) == (WEIGHT_BASE >> WeightSh);

  // The decode above is exact only for aligned windows (aimc_map_pkg is generated: check it).
  localparam bit WindowsAligned =
      CSR_BASE % (32'd1 << CsrSh) == 0 && INSTR_SIZE == (32'd1 << InstrSh) &&
      INSTR_BASE % INSTR_SIZE == 0 && ACT_IN_SIZE == (32'd1 << ActInSh) &&
      ACT_IN_BASE % ACT_IN_SIZE == 0 && ACT_OUT_SIZE == (32'd1 << ActOutSh) &&
      ACT_OUT_BASE % ACT_OUT_SIZE == 0 && PARAM_SIZE == (32'd1 << ParamSh) &&
      PARAM_BASE % PARAM_SIZE == 0 && WEIGHT_SIZE == (32'd1 << WeightSh) &&
      WEIGHT_BASE % WEIGHT_SIZE == 0;
  `ASSERT_INIT(WindowsAligned_A, WindowsAligned)

  // Bit selects stay out of always_comb: Icarus would make the whole vector the sensitivity.
  logic instr_hi;
  assign instr_hi = off_instr[2];

  always_comb begin
    dec_sel  = BUF_SEL_W'(BUF_WEIGHT);
    dec_word = off_weight >> 2;
    in_depth = (off_weight >> 2) < 32'(WgtDepth);
    if (hit_instr) begin
      dec_sel  = instr_hi ? BUF_SEL_W'(BUF_INSTR_HI) : BUF_SEL_W'(BUF_INSTR_LO);
      dec_word = off_instr >> 3;
      in_depth = (off_instr >> 3) < 32'(InstrDepth);
    end else if (hit_act_in) begin
      dec_sel  = BUF_SEL_W'(BUF_ACT_IN);
      dec_word = off_act_in >> 2;
      in_depth = (off_act_in >> 2) < 32'(ActDepth);
    end else if (hit_act_out) begin
      dec_sel  = BUF_SEL_W'(BUF_ACT_OUT);
      dec_word = off_act_out >> 2;
      in_depth = (off_act_out >> 2) < 32'(ActDepth);
    end else if (hit_param) begin
      dec_sel  = BUF_SEL_W'(BUF_PARAM);
      dec_word = off_param >> 2;
      in_depth = (off_param >> 2) < 32'(ParDepth);
    end
  end

  // Bits above the map never select anything: the windows wrap nowhere.
  logic in_map, hit_any, hit_mem, bad_access;
  assign in_map     = (addr_q >> MAP_ADDR_W) == 32'd0;
  assign hit_mem    = hit_instr | hit_act_in | hit_act_out | hit_param | hit_weight;
  assign hit_any    = in_map & (hit_csr | hit_mem);
  assign bad_access = (addr_q[1:0] != 2'b00) | (wr_q & ~strb_ok_q);

  // ---- handshakes ---------------------------------------------------------------------------
  // With nothing of a write held, a waiting read goes first; once AW or W is held the write
  // completes first. Either way only one transaction is ever open.
  logic idle, aw_hs, w_hs, ar_hs;
  assign idle             = (state_q == StIdle);
  assign s_axil_arready_o = idle & ~aw_q & ~w_q;
  assign s_axil_awready_o = idle & ~aw_q & ~(s_axil_arvalid_i & ~w_q);
  assign s_axil_wready_o  = idle & ~w_q & ~(s_axil_arvalid_i & ~aw_q);
  assign aw_hs = s_axil_awvalid_i & s_axil_awready_o;
  assign w_hs  = s_axil_wvalid_i & s_axil_wready_o;
  assign ar_hs = s_axil_arvalid_i & s_axil_arready_o;

  assign s_axil_bvalid_o = (state_q == StResp) & wr_q;
  assign s_axil_rvalid_o = (state_q == StResp) & ~wr_q;
  assign s_axil_bresp_o  = resp_q;
  assign s_axil_rresp_o  = resp_q;
  assign s_axil_rdata_o  = rdata_q;

  // ---- requests -----------------------------------------------------------------------------
  logic issue_csr, issue_mem, csr_stall;
  assign issue_csr = (state_q == StReq) & hit_csr & ~bad_access;
  assign issue_mem = (state_q == StReq) & ~hit_csr & hit_mem & ~bad_access & in_depth;
  assign csr_stall = wr_q ? csr_req_stall_wr_i : csr_req_stall_rd_i;

  assign csr_req_o       = issue_csr;
  assign csr_req_is_wr_o = wr_q;
  assign csr_addr_o      = off_csr[CsrAw-1:0];
  assign csr_wr_data_o   = wdata_q;
  assign csr_wr_biten_o  = '1;

  assign mem_req_o   = issue_mem;
  assign mem_sel_o   = dec_sel;
  assign mem_we_o    = wr_q;
  assign mem_addr_o  = dec_word;
  assign mem_wdata_o = wdata_q;

  logic csr_ack, csr_err;
  assign csr_ack = wr_q ? csr_wr_ack_i : csr_rd_ack_i;
  assign csr_err = wr_q ? csr_wr_err_i : csr_rd_err_i;

  // The master takes the response.
  logic resp_taken;
  assign resp_taken = (wr_q & s_axil_bready_i) | (~wr_q & s_axil_rready_i);

  // ---- FSM ------------------------------------------------------------------------------------
  always_comb begin
    state_d   = state_q;
    aw_d      = aw_q;
    w_d       = w_q;
    wr_d      = wr_q;
    strb_ok_d = strb_ok_q;
    addr_d    = addr_q;
    wdata_d   = wdata_q;
    rdata_d   = rdata_q;
    resp_d    = resp_q;

    case (state_q)
      StInit: begin
        state_d = StIdle;
      end
      StIdle: begin
        if (aw_hs) begin
          aw_d   = 1'b1;
          addr_d = s_axil_awaddr_i;
        end
        if (w_hs) begin
          w_d       = 1'b1;
          wdata_d   = s_axil_wdata_i;
          strb_ok_d = (s_axil_wstrb_i == 4'hF);
        end
        if ((aw_q | aw_hs) & (w_q | w_hs)) begin
          wr_d    = 1'b1;
          state_d = StReq;
        end else if (ar_hs) begin
          wr_d    = 1'b0;
          addr_d  = s_axil_araddr_i;
          state_d = StReq;
        end
      end
      StReq: begin
        rdata_d = '0;
        if (!hit_any) begin
          resp_d  = RESP_DECERR;
          state_d = StResp;
        end else if (bad_access) begin
          resp_d  = RESP_SLVERR;
          state_d = StResp;
        end else if (hit_csr) begin
          if (!csr_stall) begin
            if (csr_ack) begin
              resp_d  = csr_err ? RESP_SLVERR : RESP_OKAY;
              rdata_d = (wr_q | csr_err) ? '0 : csr_rd_data_i;
              state_d = StResp;
            end else begin
              state_d = StCsrWait;
            end
          end
        end else if (!in_depth) begin
          resp_d  = RESP_SLVERR;
          state_d = StResp;
        end else if (mem_gnt_i) begin
          resp_d  = RESP_OKAY;
          if (wr_q) begin
            state_d = StResp;
          end else begin
            state_d = StMemRd;
          end
        end
      end
      StCsrWait: begin
        if (csr_ack) begin
          resp_d  = csr_err ? RESP_SLVERR : RESP_OKAY;
          rdata_d = (wr_q | csr_err) ? '0 : csr_rd_data_i;
          state_d = StResp;
        end
      end
      StMemRd: begin
        rdata_d = mem_rdata_i;
        state_d = StResp;
      end
      StResp: begin
        if (resp_taken) begin
          aw_d    = 1'b0;
          w_d     = 1'b0;
          state_d = StIdle;
        end
      end
      default: begin
        state_d = StIdle;
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q   <= StInit;
      aw_q      <= 1'b0;
      w_q       <= 1'b0;
      wr_q      <= 1'b0;
      strb_ok_q <= 1'b0;
      addr_q    <= '0;
      wdata_q   <= '0;
      rdata_q   <= '0;
      resp_q    <= RESP_OKAY;
    end else begin
      state_q   <= state_d;
      aw_q      <= aw_d;
      w_q       <= w_d;
      wr_q      <= wr_d;
      strb_ok_q <= strb_ok_d;
      addr_q    <= addr_d;
      wdata_q   <= wdata_d;
      rdata_q   <= rdata_d;
      resp_q    <= resp_d;
    end
  end

  // The windows of aimc_map_pkg are disjoint, so an address never selects two targets.
  `ASSERT_NEVER(TwoWindows_A, state_q == StReq && hit_csr && hit_mem)

  // AXI protection bits carry no meaning on this chip.
  logic unused_prot;
  assign unused_prot = ^{s_axil_awprot_i, s_axil_arprot_i};

endmodule
