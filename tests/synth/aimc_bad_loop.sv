// SPDX-License-Identifier: Apache-2.0
// A combinational loop on purpose: tools/synth.sh must reject it (synth.rejects_loop).

module aimc_bad_loop (
  input  logic a_i,
  output logic y_o
);

  logic x;
  assign x   = a_i ^ y_o;
  assign y_o = ~x;

endmodule
