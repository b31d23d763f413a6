// SPDX-License-Identifier: Apache-2.0
// Bit-sliced weights (docs/numbers.md "Bit-sliced weights", docs/decisions/0009): maps the ADC mux
// position of a pair column to the accumulator entry of its logical column and to its slice weight.
//
// Each ADC serves ColsPerAdc logical columns of WeightSlices adjacent pair columns each; mux
// position g holds slice g % WeightSlices (0 = least significant) of logical position
// g / WeightSlices, whose code is added into the accumulator shifted by (g % WeightSlices)·SliceBits
// on top of the input-slice and ADC shifts. WeightSlices = 1: the identity, shift 0.

module aimc_slice_map import aimc_pkg::*; #(
  parameter int ColsPerAdc   = 4,
  parameter int WeightSlices = 1,
  parameter int SliceBits    = 7,
  localparam int ArrPerAdc   = ColsPerAdc * WeightSlices,
  localparam int ArrGrpW     = aimc_aw(ArrPerAdc),
  localparam int GrpW        = aimc_aw(ColsPerAdc),
  localparam int WShiftW     = aimc_aw((WeightSlices - 1) * SliceBits + 1)
) (
  input  logic [ArrGrpW-1:0] conv_group_i,   // mux position read at the end of a SAR
  output logic [GrpW-1:0]    conv_pos_o,     // its logical position (accumulator entry in a slot)
  input  logic [ArrGrpW-1:0] code_group_i,   // mux position whose codes arrive
  output logic [GrpW-1:0]    code_pos_o,
  output logic [WShiftW-1:0] code_wshift_o   // slice weight of code_group_i, in bits
);

  if (WeightSlices == 1) begin : g_one
    // One pair per weight: no logic at all (the chip without slicing is unchanged).
    assign conv_pos_o    = conv_group_i;
    assign code_pos_o    = code_group_i;
    assign code_wshift_o = '0;
  end else begin : g_sliced
    // Constant divisors of a small index (ArrGrpW <= 7 bits): small combinational logic.
    assign conv_pos_o    = GrpW'(int'(conv_group_i) / WeightSlices);
    assign code_pos_o    = GrpW'(int'(code_group_i) / WeightSlices);
    assign code_wshift_o = WShiftW'((int'(code_group_i) % WeightSlices) * SliceBits);
  end

endmodule
