// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_uart_bridge's framing (tests/formal/prove.sh bridge), inserted into a
// copy of the module by tests/formal/stage.py. The UART receiver and transmitter are replaced by
// free stand-ins (tests/formal/stubs/): any byte stream, framing errors and transmit readiness.
// The bus slave answers whenever it likes. Reference: docs/uart-bridge.md, observed on the
// transmit byte stream (f_pos bytes of the current response sent, f_crc the CRC-8 of those after
// the sync byte).
// Proven: a response starts with the sync byte and its second byte is the ack; it ends (done_o)
// with the CRC-8 of the bytes after the sync byte; an error ack is 3 bytes, a write response 5, a
// read response 5 + 4 * LEN; a transmit byte is held until taken; the bus master holds each valid
// and its address/data until ready, and has at most one access open; nothing is sent between
// responses without a request.
`include "aimc_assert.svh"

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  logic f_tx_hs;
  assign f_tx_hs = tx_valid && tx_ready;

  logic [15:0] f_pos;      // bytes of the current response sent
  logic [7:0]  f_crc;      // CRC-8 of the bytes after the sync byte
  logic [7:0]  f_crc_prev; // ... before the last byte sent
  logic [7:0]  f_last, f_ack;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_pos      <= '0;
      f_crc      <= '0;
      f_crc_prev <= '0;
      f_last     <= '0;
      f_ack      <= '0;
    end else if (done_o) begin
      f_pos <= '0;
      f_crc <= '0;
    end else if (f_tx_hs) begin
      f_pos  <= f_pos + 16'd1;
      f_last <= tx_data;
      if (f_pos != 16'd0) begin
        f_crc_prev <= f_crc;
        f_crc      <= crc8(f_crc, tx_data);
      end
      if (f_pos == 16'd1) f_ack <= tx_data;
    end
  end

  `ASSERT(SyncFirst_A, !(f_tx_hs && f_pos == 16'd0) || tx_data == SYNC_RSP)
  `ASSERT(AckSecond_A, !(f_tx_hs && f_pos == 16'd1) || tx_data == ack_q)
  `ASSERT(CrcLast_A, !done_o || f_last == f_crc_prev)
  `ASSERT(ErrLen_A, !(done_o && f_ack[7]) || f_pos == 16'd3)
  `ASSERT(WrLen_A, !(done_o && f_ack == CMD_WRITE) || f_pos == 16'd5)
  `ASSERT(RdLen_A, !(done_o && f_ack == CMD_READ) || f_pos == 16'd5 + 16'd4 * 16'(len_q))
  `ASSERT(DoneAfterCrc_A, !done_o || f_pos >= 16'd3)

  // A transmit byte and a bus request stay, unchanged, until taken.
  logic f_tx_wait, f_aw_wait, f_w_wait, f_ar_wait;
  logic [7:0]  f_tx_data;
  logic [31:0] f_awaddr, f_wdata, f_araddr;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_tx_wait <= 1'b0;
      f_aw_wait <= 1'b0;
      f_w_wait  <= 1'b0;
      f_ar_wait <= 1'b0;
      f_tx_data <= '0;
      f_awaddr  <= '0;
      f_wdata   <= '0;
      f_araddr  <= '0;
    end else begin
      f_tx_wait <= tx_valid && !tx_ready;
      f_aw_wait <= m_axil_awvalid_o && !m_axil_awready_i;
      f_w_wait  <= m_axil_wvalid_o && !m_axil_wready_i;
      f_ar_wait <= m_axil_arvalid_o && !m_axil_arready_i;
      f_tx_data <= tx_data;
      f_awaddr  <= m_axil_awaddr_o;
      f_wdata   <= m_axil_wdata_o;
      f_araddr  <= m_axil_araddr_o;
    end
  end
  `ASSERT(TxHeld_A, !f_tx_wait || (tx_valid && tx_data == f_tx_data))
  `ASSERT(AwHeld_A, !f_aw_wait || (m_axil_awvalid_o && m_axil_awaddr_o == f_awaddr))
  `ASSERT(WHeld_A, !f_w_wait || (m_axil_wvalid_o && m_axil_wdata_o == f_wdata))
  `ASSERT(ArHeld_A, !f_ar_wait || (m_axil_arvalid_o && m_axil_araddr_o == f_araddr))
  `ASSERT_NEVER(RdWrTogether_A, m_axil_arvalid_o && (m_axil_awvalid_o || m_axil_wvalid_o))
  `ASSERT_NEVER(TxBetweenFrames_A, tx_valid && state_q == StSync)
  `COVER(WriteDone_C, done_o && f_ack == CMD_WRITE)
