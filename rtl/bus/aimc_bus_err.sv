// SPDX-License-Identifier: Apache-2.0
// Bus-error recorder: watches the AXI4-Lite slave port and keeps a sticky record (address, read
// or write, response) of the first access answered SLVERR or DECERR, plus a saturating count of
// all of them since the last clear. It only observes: the access and any running program go on.
//
// The slave serves one transaction at a time, so the address of a response is the address of the
// last accepted request in the same direction.

module aimc_bus_err (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,     // bus_err.clear or soft reset; an error in the same cycle wins
  // AXI4-Lite handshakes (observed)
  input  logic        awvalid_i,
  input  logic        awready_i,
  input  logic [31:0] awaddr_i,
  input  logic        arvalid_i,
  input  logic        arready_i,
  input  logic [31:0] araddr_i,
  input  logic        bvalid_i,
  input  logic        bready_i,
  input  logic [1:0]  bresp_i,
  input  logic        rvalid_i,
  input  logic        rready_i,
  input  logic [1:0]  rresp_i,
  // record (bus_err, bus_err_addr)
  output logic        valid_o,
  output logic        write_o,
  output logic [1:0]  resp_o,
  output logic [15:0] count_o,
  output logic [31:0] addr_o
);

  logic [31:0] waddr_q, raddr_q, addr_q, addr_d;
  logic        valid_q, valid_d, write_q, write_d;
  logic [1:0]  resp_q, resp_d;
  logic [15:0] count_q, count_d;
  logic        werr, rerr;

  // SLVERR (2'b10) and DECERR (2'b11) both have bit 1 set; OKAY and EXOKAY do not.
  assign werr = bvalid_i && bready_i && bresp_i[1];
  assign rerr = rvalid_i && rready_i && rresp_i[1];

  always_comb begin
    valid_d = clear_i ? 1'b0 : valid_q;
    write_d = clear_i ? 1'b0 : write_q;
    resp_d  = clear_i ? 2'b00 : resp_q;
    addr_d  = clear_i ? '0 : addr_q;
    count_d = clear_i ? '0 : count_q;
    // A write and a read error in one cycle: the write is recorded, both are counted.
    if (!valid_d && (werr || rerr)) begin
      valid_d = 1'b1;
      write_d = werr;
      resp_d  = werr ? bresp_i : rresp_i;
      addr_d  = werr ? waddr_q : raddr_q;
    end
    if (werr && count_d != 16'hffff) begin
      count_d = count_d + 16'd1;
    end
    if (rerr && count_d != 16'hffff) begin
      count_d = count_d + 16'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      waddr_q <= '0;
      raddr_q <= '0;
      valid_q <= 1'b0;
      write_q <= 1'b0;
      resp_q  <= 2'b00;
      addr_q  <= '0;
      count_q <= '0;
    end else begin
      if (awvalid_i && awready_i) begin
        waddr_q <= awaddr_i;
      end
      if (arvalid_i && arready_i) begin
        raddr_q <= araddr_i;
      end
      valid_q <= valid_d;
      write_q <= write_d;
      resp_q  <= resp_d;
      addr_q  <= addr_d;
      count_q <= count_d;
    end
  end

  assign valid_o = valid_q;
  assign write_o = write_q;
  assign resp_o  = resp_q;
  assign count_o = count_q;
  assign addr_o  = addr_q;

endmodule
