// SPDX-License-Identifier: Apache-2.0
// A latch on purpose: tools/synth.sh must reject it (tests/registry.txt, synth.rejects_latch).

module aimc_bad_latch (
  input  logic       en_i,
  input  logic [3:0] d_i,
  output logic [3:0] q_o
);

  always_latch begin
    if (en_i) begin
      q_o = d_i;
    end
  end

endmodule
