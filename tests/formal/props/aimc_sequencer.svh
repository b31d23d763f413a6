// SPDX-License-Identifier: Apache-2.0
// Formal properties of aimc_sequencer (tests/formal/prove.sh seq), inserted into a copy of the
// module by tests/formal/stage.py (moved out of the product module, issue 19).
`include "aimc_assert.svh"

  // ---- formal properties (tests/formal/prove.sh seq: yosys-smtbmc, bounded) ------------------------
  // Interface-level, so that they hold whatever the dispatch does inside. The environment is any
  // instruction stream, any data-port grant, and tiles that behave like aimc_tile: a tile takes a
  // command only when it is not busy, is busy from the cycle after the accept until the cycle of
  // its done pulse, and finishes within FMaxTile cycles; the watchdog stop resets every tile.
  // Proven: only the FSM's states; after HALT or a stop on an error the sequencer is idle on the
  // next cycle with halted/error consistent; a stop drains and a HALT syncs within FMaxTile + 1
  // cycles; a command names an existing tile and stays valid and unchanged until taken; buffer
  // accesses only with the data-port grant; no fetch, command, access or retirement while idle.
`ifdef FORMAL
  localparam int FMaxTile = 3;

  logic f_past_valid;
  initial f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) assume (!rst_ni);

  // Per tile: a command taken and not yet done, and the cycles it has been running.
  logic [NumTiles-1:0]      f_open;
  logic [NumTiles-1:0][7:0] f_run;
  logic [7:0]               f_stuck;   // consecutive cycles in StDrain, or in StSync for HALT
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_open  <= '0;
      f_run   <= '0;
      f_stuck <= '0;
    end else begin
      for (int t = 0; t < NumTiles; t++) begin
        if (wdog_stop_i && busy_o) begin
          f_open[t] <= 1'b0;
          f_run[t]  <= '0;
        end else if (cmd_valid_o && cmd_ready_i && 32'(tile_o) == t) begin
          f_open[t] <= 1'b1;
          f_run[t]  <= '0;
        end else if (tile_done_i[t]) begin
          f_open[t] <= 1'b0;
          f_run[t]  <= '0;
        end else if (f_open[t]) begin
          f_run[t]  <= f_run[t] + 8'd1;
        end
      end
      f_stuck <= (state_q == StDrain || (state_q == StSync && sync_halt_q)) ? f_stuck + 8'd1 : 8'd0;
    end
  end

  always @(*) begin
    if (rst_ni) begin
      for (int t = 0; t < NumTiles; t++) begin
        if (!f_open[t]) assume (!tile_done_i[t] && !tile_busy_i[t]);
        if (f_open[t]) assume (tile_busy_i[t] == !tile_done_i[t]);
        if (f_run[t] >= 8'(FMaxTile)) assume (tile_done_i[t]);
        if (tile_err_i[t]) assume (tile_err_code_i[t] != ErrNone);
      end
      if (cmd_ready_i) assume (32'(tile_o) < NumTiles && !tile_busy_i[tile_o] && !f_open[tile_o]);
    end
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      assert (state_q == StIdle || state_q == StFetch || state_q == StDecode ||
              state_q == StIssue || state_q == StSync || state_q == StCopy || state_q == StDrain);
      assert (!(halted_o && error_o));
      if (error_o) assert (err_code_o != ErrNone);
      if (!busy_o) assert (!instr_req_o && !cmd_valid_o && !retire_o && !irq_done_o &&
                           !dat_port_req_o && !act_req_o);
      if (cmd_valid_o) assert (32'(tile_o) < NumTiles);
      if (act_req_o) assert (dat_port_req_o && dat_port_gnt_i);
      assert (f_stuck <= 8'(FMaxTile + 1));
      if ($past(rst_ni)) begin
        // HALT or an error: idle the next cycle, with the status that says why.
        if ($past(irq_done_o)) assert (!busy_o && halted_o && !error_o);
        if ($past(irq_error_o)) assert (!busy_o && error_o && !halted_o);
        // A command is held, unchanged, until its tile takes it; only a tile stopping the program
        // or the watchdog withdraws it.
        if ($past(cmd_valid_o && !cmd_ready_i && !terr_any && !wdog_stop_i) &&
            terr_reg == '0 && !wdog_stop_i) begin
          assert (cmd_valid_o);
          assert (tile_o == $past(tile_o) && cmd_op_o == $past(cmd_op_o) &&
                  cmd_flags_o == $past(cmd_flags_o) && cmd_a_o == $past(cmd_a_o) &&
                  cmd_b_o == $past(cmd_b_o) && cmd_c_o == $past(cmd_c_o));
        end
      end
    end
  end
`endif
