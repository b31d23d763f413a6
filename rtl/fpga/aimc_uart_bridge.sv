// SPDX-License-Identifier: Apache-2.0
// UART-to-AXI4-Lite bridge: the byte protocol of docs/uart-bridge.md (framed, CRC-8 protected
// header and write words, error responses) on a UART, driving the chip's AXI4-Lite slave.

module aimc_uart_bridge import aimc_pkg::*; #(
  parameter int ClkDiv        = 104,       // clock cycles per UART bit (clock / baud)
  parameter int TimeoutCycles = 1200000,   // a frame with no byte for this long is dropped
  localparam int ToW          = aimc_aw(TimeoutCycles) + 1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        uart_rx_i,
  output logic        uart_tx_o,
  // AXI4-Lite master
  output logic        m_axil_awvalid_o,
  input  logic        m_axil_awready_i,
  output logic [31:0] m_axil_awaddr_o,
  output logic [2:0]  m_axil_awprot_o,
  output logic        m_axil_wvalid_o,
  input  logic        m_axil_wready_i,
  output logic [31:0] m_axil_wdata_o,
  output logic [3:0]  m_axil_wstrb_o,
  input  logic        m_axil_bvalid_i,
  output logic        m_axil_bready_o,
  input  logic [1:0]  m_axil_bresp_i,
  output logic        m_axil_arvalid_o,
  input  logic        m_axil_arready_i,
  output logic [31:0] m_axil_araddr_o,
  output logic [2:0]  m_axil_arprot_o,
  input  logic        m_axil_rvalid_i,
  output logic        m_axil_rready_o,
  input  logic [31:0] m_axil_rdata_i,
  input  logic [1:0]  m_axil_rresp_i,
  // status
  output logic        frame_o,     // a frame is being received, executed or answered
  output logic        done_o,      // one cycle: a response ended; done_err_o says how
  output logic        done_err_o,
  output logic        idle_o       // between frames, nothing in flight (simulation harness)
);

  // ---- protocol constants (docs/uart-bridge.md) --------------------------------------------------
  localparam logic [7:0] SYNC_REQ   = 8'hA5;
  localparam logic [7:0] SYNC_RSP   = 8'h5A;
  localparam logic [7:0] CMD_WRITE  = 8'h01;
  localparam logic [7:0] CMD_READ   = 8'h02;
  localparam logic [7:0] ACK_BADCMD = 8'h81;
  localparam logic [7:0] ACK_BADHCRC = 8'h82;
  localparam logic [7:0] ACK_BADLEN = 8'h83;
  localparam logic [7:0] ACK_UART   = 8'h84;
  localparam logic [7:0] ACK_TIMEOUT = 8'h85;
  localparam logic [7:0] ST_OK      = 8'h00;
  localparam logic [7:0] ST_BADDCRC = 8'h10;
  localparam logic [7:0] ST_UART    = 8'h11;
  localparam logic [7:0] ST_TIMEOUT = 8'h12;

  // CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), initial value 0, no reflection, no final xor.
  function automatic logic [7:0] crc8(input logic [7:0] crc, input logic [7:0] data);
    logic [7:0] x;
    x = crc ^ data;
    for (int i = 0; i < 8; i++) begin
      x = x[7] ? ((x << 1) ^ 8'h07) : (x << 1);
    end
    return x;
  endfunction

  // ---- UART --------------------------------------------------------------------------------------
  logic       rx_valid, rx_ferr, rx_busy;
  logic [7:0] rx_data;
  logic       tx_valid, tx_ready;
  logic [7:0] tx_data;

  aimc_uart_rx #(
    .ClkDiv (ClkDiv)
  ) u_rx (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rx_i        (uart_rx_i),
    .valid_o     (rx_valid),
    .data_o      (rx_data),
    .frame_err_o (rx_ferr),
    .busy_o      (rx_busy)
  );

  aimc_uart_tx #(
    .ClkDiv (ClkDiv)
  ) u_tx (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .valid_i (tx_valid),
    .ready_o (tx_ready),
    .data_i  (tx_data),
    .tx_o    (uart_tx_o)
  );

  // One received byte waits here for the FSM (a bus access may be in progress when it arrives);
  // a second one before the first is taken, or a bad stop bit, is a UART error.
  logic       pend_q;
  logic [7:0] pend_data_q;
  logic       uart_err_q;
  logic       take;     // the FSM consumes the pending byte this cycle
  logic       clr_err;  // the FSM has reported (or dropped) the UART error

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_q      <= 1'b0;
      pend_data_q <= '0;
      uart_err_q  <= 1'b0;
    end else begin
      if (rx_valid) begin
        pend_q      <= 1'b1;
        pend_data_q <= rx_data;
      end else if (take) begin
        pend_q <= 1'b0;
      end
      if ((rx_valid && pend_q && !take) || rx_ferr) begin
        uart_err_q <= 1'b1;
      end else if (clr_err) begin
        uart_err_q <= 1'b0;
      end
    end
  end

  // ---- frame FSM -----------------------------------------------------------------------------------
  typedef enum logic [4:0] {
    StSync, StCmd, StAddr, StLen, StHcrc,
    StWrData, StWrAxi, StWrResp,
    StRdAxi, StRdResp, StRdTx,
    StTxSync, StTxAck, StTxStatus, StTxDone, StTxCrc
  } br_state_e;

  br_state_e       state_q, state_d;
  logic [7:0]      cmd_q, cmd_d;
  logic [31:0]     addr_q, addr_d;
  logic [7:0]      len_q, len_d;       // words in the frame
  logic [7:0]      cnt_q, cnt_d;       // words processed
  logic [7:0]      nok_q, nok_d;       // words accessed with OKAY
  logic [2:0]      byte_q, byte_d;     // byte within a word (write data: 4 = its CRC)
  logic [31:0]     data_q, data_d;
  logic [7:0]      ack_q, ack_d;
  logic [7:0]      status_q, status_d;
  logic [7:0]      rcrc_q, rcrc_d;     // CRC of the header or of the current write word
  logic [7:0]      tcrc_q, tcrc_d;     // CRC of the response after its sync byte
  logic            aw_done_q, aw_done_d, w_done_q, w_done_d;
  logic [ToW-1:0]  to_q, to_d;
  logic            rsp_done_d, done_err_d;

  logic receiving, timeout;
  assign receiving = (state_q == StCmd) || (state_q == StAddr) || (state_q == StLen) ||
                     (state_q == StHcrc) || (state_q == StWrData);
  assign timeout   = (to_q == ToW'(TimeoutCycles));

  // Slices and CRC steps outside always_comb: Icarus cannot sense a constant select inside one.
  logic [31:0] addr_in, data_in, data_shr;
  logic [7:0]  data_lo, crc_rx, crc_tx;
  logic        ack_err;
  assign addr_in  = {pend_data_q, addr_q[31:8]};   // little endian: the last byte is the MSB
  assign data_in  = {pend_data_q, data_q[31:8]};
  assign data_shr = {8'd0, data_q[31:8]};
  assign data_lo  = data_q[7:0];
  assign crc_rx   = crc8(rcrc_q, pend_data_q);
  assign crc_tx   = crc8(tcrc_q, tx_data);
  assign ack_err  = ack_q[7];

  // Byte to send in a transmit state (the CRC byte is sent as is, it is not folded in).
  always_comb begin
    case (state_q)
      StTxSync:   tx_data = SYNC_RSP;
      StTxAck:    tx_data = ack_q;
      StRdTx:     tx_data = data_lo;
      StTxStatus: tx_data = status_q;
      StTxDone:   tx_data = nok_q;
      default:    tx_data = tcrc_q;
    endcase
  end
  assign tx_valid = (state_q == StTxSync) || (state_q == StTxAck) || (state_q == StRdTx) ||
                    (state_q == StTxStatus) || (state_q == StTxDone) || (state_q == StTxCrc);

  always_comb begin
    state_d    = state_q;
    cmd_d      = cmd_q;
    addr_d     = addr_q;
    len_d      = len_q;
    cnt_d      = cnt_q;
    nok_d      = nok_q;
    byte_d     = byte_q;
    data_d     = data_q;
    ack_d      = ack_q;
    status_d   = status_q;
    rcrc_d     = rcrc_q;
    tcrc_d     = tcrc_q;
    aw_done_d  = aw_done_q;
    w_done_d   = w_done_q;
    to_d       = (receiving && !pend_q && !timeout) ? to_q + 1'b1 : '0;
    take       = 1'b0;
    clr_err    = 1'b0;
    rsp_done_d = 1'b0;
    done_err_d = 1'b0;

    // A UART error or a timeout inside a frame ends it with an error response.
    if (receiving && (uart_err_q || timeout)) begin
      clr_err = 1'b1;
      take    = pend_q;
      if (state_q == StWrData) begin
        status_d = uart_err_q ? ST_UART : ST_TIMEOUT;
      end else begin
        ack_d = uart_err_q ? ACK_UART : ACK_TIMEOUT;
      end
      state_d = StTxSync;
    end else begin
      case (state_q)
        StSync: begin
          // Noise and stray bytes between frames are dropped.
          clr_err = 1'b1;
          if (pend_q) begin
            take = 1'b1;
            if (pend_data_q == SYNC_REQ) begin
              state_d  = StCmd;
              rcrc_d   = 8'h00;
              tcrc_d   = 8'h00;
              status_d = ST_OK;
              cnt_d    = '0;
              nok_d    = '0;
              byte_d   = '0;
            end
          end
        end
        StCmd: begin
          if (pend_q) begin
            take   = 1'b1;
            cmd_d  = pend_data_q;
            rcrc_d = crc_rx;
            if (pend_data_q == CMD_WRITE || pend_data_q == CMD_READ) begin
              state_d = StAddr;
            end else begin
              ack_d   = ACK_BADCMD;
              state_d = StTxSync;
            end
          end
        end
        StAddr: begin
          if (pend_q) begin
            take   = 1'b1;
            addr_d = addr_in;
            rcrc_d = crc_rx;
            byte_d = byte_q + 3'd1;
            if (byte_q == 3'd3) begin
              byte_d  = '0;
              state_d = StLen;
            end
          end
        end
        StLen: begin
          if (pend_q) begin
            take    = 1'b1;
            len_d   = pend_data_q;
            rcrc_d  = crc_rx;
            state_d = StHcrc;
          end
        end
        StHcrc: begin
          if (pend_q) begin
            take   = 1'b1;
            rcrc_d = 8'h00;
            if (pend_data_q != rcrc_q) begin
              ack_d   = ACK_BADHCRC;
              state_d = StTxSync;
            end else if (len_q == 8'd0) begin
              ack_d   = ACK_BADLEN;
              state_d = StTxSync;
            end else begin
              ack_d   = cmd_q;
              if (cmd_q == CMD_WRITE) begin
                state_d = StWrData;
              end else begin
                state_d = StTxSync;
              end
            end
          end
        end
        // ---- write: LEN words of 4 data bytes and a CRC byte; a word with a bad CRC and every
        // word after it (or after a bus error) is read off the line and not written.
        StWrData: begin
          if (pend_q) begin
            take   = 1'b1;
            byte_d = byte_q + 3'd1;
            if (byte_q != 3'd4) begin
              data_d = data_in;
              rcrc_d = crc_rx;
            end else begin
              byte_d = '0;
              rcrc_d = 8'h00;
              cnt_d  = cnt_q + 8'd1;
              if (status_q == ST_OK && pend_data_q != rcrc_q) begin
                status_d = ST_BADDCRC;
              end
              if (status_q == ST_OK && pend_data_q == rcrc_q) begin
                aw_done_d = 1'b0;
                w_done_d  = 1'b0;
                state_d   = StWrAxi;
              end else if (cnt_q + 8'd1 == len_q) begin
                state_d = StTxSync;
              end
            end
          end
        end
        StWrAxi: begin
          if (m_axil_awready_i) aw_done_d = 1'b1;
          if (m_axil_wready_i)  w_done_d  = 1'b1;
          if ((aw_done_q || m_axil_awready_i) && (w_done_q || m_axil_wready_i)) begin
            state_d = StWrResp;
          end
        end
        StWrResp: begin
          if (m_axil_bvalid_i) begin
            addr_d = addr_q + 32'd4;
            if (m_axil_bresp_i == RESP_OKAY) begin
              nok_d = nok_q + 8'd1;
            end else begin
              status_d = {6'd0, m_axil_bresp_i};
            end
            if (cnt_q == len_q) begin
              state_d = StTxSync;
            end else begin
              state_d = StWrData;
            end
          end
        end
        // ---- read: each word is sent as soon as it is read (0 after a bus error)
        StRdAxi: begin
          if (status_q != ST_OK) begin
            data_d  = '0;
            byte_d  = '0;
            state_d = StRdTx;
          end else if (m_axil_arready_i) begin
            state_d = StRdResp;
          end
        end
        StRdResp: begin
          if (m_axil_rvalid_i) begin
            addr_d = addr_q + 32'd4;
            byte_d = '0;
            if (m_axil_rresp_i == RESP_OKAY) begin
              data_d = m_axil_rdata_i;
              nok_d = nok_q + 8'd1;
            end else begin
              data_d   = '0;
              status_d = {6'd0, m_axil_rresp_i};
            end
            state_d = StRdTx;
          end
        end
        StRdTx: begin
          if (tx_ready) begin
            tcrc_d = crc_tx;
            data_d = data_shr;
            byte_d = byte_q + 3'd1;
            if (byte_q == 3'd3) begin
              cnt_d   = cnt_q + 8'd1;
              if (cnt_q + 8'd1 == len_q) begin
                state_d = StTxStatus;
              end else begin
                state_d = StRdAxi;
              end
            end
          end
        end
        // ---- response framing
        StTxSync: begin
          if (tx_ready) begin
            tcrc_d  = 8'h00;
            state_d = StTxAck;
          end
        end
        StTxAck: begin
          if (tx_ready) begin
            tcrc_d = crc_tx;
            if (ack_err) begin
              state_d = StTxCrc;
            end else if (cmd_q == CMD_READ) begin
              state_d = StRdAxi;
            end else begin
              state_d = StTxStatus;
            end
          end
        end
        StTxStatus: begin
          if (tx_ready) begin
            tcrc_d  = crc_tx;
            state_d = StTxDone;
          end
        end
        StTxDone: begin
          if (tx_ready) begin
            tcrc_d  = crc_tx;
            state_d = StTxCrc;
          end
        end
        StTxCrc: begin
          if (tx_ready) begin
            rsp_done_d = 1'b1;
            done_err_d = ack_err || (status_q != ST_OK);
            state_d    = StSync;
          end
        end
        default: state_d = StSync;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StSync;
      cmd_q      <= '0;
      addr_q     <= '0;
      len_q      <= '0;
      cnt_q      <= '0;
      nok_q      <= '0;
      byte_q     <= '0;
      data_q     <= '0;
      ack_q      <= '0;
      status_q   <= '0;
      rcrc_q     <= '0;
      tcrc_q     <= '0;
      aw_done_q  <= 1'b0;
      w_done_q   <= 1'b0;
      to_q       <= '0;
      done_o     <= 1'b0;
      done_err_o <= 1'b0;
    end else begin
      state_q    <= state_d;
      cmd_q      <= cmd_d;
      addr_q     <= addr_d;
      len_q      <= len_d;
      cnt_q      <= cnt_d;
      nok_q      <= nok_d;
      byte_q     <= byte_d;
      data_q     <= data_d;
      ack_q      <= ack_d;
      status_q   <= status_d;
      rcrc_q     <= rcrc_d;
      tcrc_q     <= tcrc_d;
      aw_done_q  <= aw_done_d;
      w_done_q   <= w_done_d;
      to_q       <= to_d;
      done_o     <= rsp_done_d;
      done_err_o <= done_err_d;
    end
  end

  // ---- AXI4-Lite master: one access at a time ------------------------------------------------------
  assign m_axil_awvalid_o = (state_q == StWrAxi) && !aw_done_q;
  assign m_axil_wvalid_o  = (state_q == StWrAxi) && !w_done_q;
  assign m_axil_awaddr_o  = addr_q;
  assign m_axil_wdata_o   = data_q;
  assign m_axil_wstrb_o   = 4'hF;
  assign m_axil_awprot_o  = 3'b000;
  assign m_axil_bready_o  = (state_q == StWrResp);
  assign m_axil_arvalid_o = (state_q == StRdAxi) && (status_q == ST_OK);
  assign m_axil_araddr_o  = addr_q;
  assign m_axil_arprot_o  = 3'b000;
  assign m_axil_rready_o  = (state_q == StRdResp);

  assign frame_o = (state_q != StSync) || pend_q;
  assign idle_o  = (state_q == StSync) && !pend_q && !rx_busy && !uart_err_q && tx_ready;

endmodule
