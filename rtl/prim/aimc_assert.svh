// SPDX-License-Identifier: Apache-2.0
// The assertion layer: one macro set, a form per tool (after OpenTitan's prim_assert).
//
//   `ASSERT(Name_A, prop, clk = clk_i, rst_n = rst_ni)   prop holds in every cycle out of reset
//   `ASSERT_NEVER(Name_A, prop, ...)                      prop never holds
//   `ASSERT_KNOWN(Name_A, sig, ...)                       sig has no X or Z bit (4-state simulators)
//   `ASSERT_KNOWN_IF(Name_A, sig, en, ...)                sig has no X or Z bit while en is 1 (and en
//                                                         itself is known): payload beside a valid
//   `ASSUME(Name_M, prop, ...)                            environment constraint (formal); checked
//                                                         like an assertion in simulation
//   `COVER(Name_C, prop, ...)                             prop is reached (Verilator --coverage,
//                                                         yosys cover)
//   `ASSERT_INIT(Name_A, prop)                            prop, a constant (parameters), holds:
//                                                         checked once at time 0 (a config check)
//
// Forms, selected by the tool's own define:
//   SYNTHESIS  nothing.
//   FORMAL     (yosys read_verilog -formal) immediate assert/assume/cover in a clocked block;
//              ASSERT_KNOWN is empty (no X in a formal model). ASSUME is combinational here
//              (yosys allows $past only in clocked blocks): write environment constraints that
//              need history with a registered helper signal.
//   VERILATOR  (5.006, --assert) one-cycle concurrent properties with `disable iff` (no `##`);
//              the reset is sampled in a clocked property, so SYNCASYNCNET is waived around them.
//   otherwise  (Icarus 11: no concurrent assertions) an immediate check in a named clocked block;
//              a failure ends the simulation with $fatal, so the run's exit code reports it.
//
// `prop` is an expression of the current cycle: Icarus 11 has no $past/$rose/$stable, so a check
// that needs the previous cycle compares against a registered copy kept beside it.
// Names end in _A (assertion), _M (assumption), _C (cover); each is unique in its module, and
// none sits in a generate loop (yosys 0.23 gives every copy the same name): check a per-element
// vector with one assertion instead.
`ifndef AIMC_ASSERT_SVH
`define AIMC_ASSERT_SVH

`define AIMC_ASSERT_STR(__x) `"__x`"

`ifdef SYNTHESIS

`define ASSERT(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst_n = rst_ni)
`define ASSERT_KNOWN_IF(__name, __sig, __en, __clk = clk_i, __rst_n = rst_ni)
`define ASSUME(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define COVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define ASSERT_INIT(__name, __prop)

`elsif FORMAL

`define ASSERT(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) if (__rst_n) __name: assert (__prop);
`define ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) if (__rst_n) __name: assert (!(__prop));
`define ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst_n = rst_ni)
`define ASSERT_KNOWN_IF(__name, __sig, __en, __clk = clk_i, __rst_n = rst_ni)
`define ASSUME(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(*) if (__rst_n) __name: assume (__prop);
`define COVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) if (__rst_n) __name: cover (__prop);
`define ASSERT_INIT(__name, __prop) \
  initial __name: assert (__prop);

`elsif VERILATOR

`define ASSERT(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  /* verilator lint_off SYNCASYNCNET */ \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)) \
    else $error("[%m] assertion %s failed: %s", `"__name`", `AIMC_ASSERT_STR(__prop)); \
  /* verilator lint_on SYNCASYNCNET */
`define ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  /* verilator lint_off SYNCASYNCNET */ \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) !(__prop)) \
    else $error("[%m] assertion %s failed: never %s", `"__name`", `AIMC_ASSERT_STR(__prop)); \
  /* verilator lint_on SYNCASYNCNET */
`define ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst_n = rst_ni) \
  /* verilator lint_off SYNCASYNCNET */ \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) !$isunknown(__sig)) \
    else $error("[%m] assertion %s failed: %s has X or Z bits", `"__name`", `AIMC_ASSERT_STR(__sig)); \
  /* verilator lint_on SYNCASYNCNET */
`define ASSERT_KNOWN_IF(__name, __sig, __en, __clk = clk_i, __rst_n = rst_ni) \
  /* verilator lint_off SYNCASYNCNET */ \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) \
    !$isunknown(__en) && (!(__en) || !$isunknown(__sig))) \
    else $error("[%m] assertion %s failed: %s has X or Z bits while %s", `"__name`", \
                `AIMC_ASSERT_STR(__sig), `AIMC_ASSERT_STR(__en)); \
  /* verilator lint_on SYNCASYNCNET */
`define ASSUME(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  /* verilator lint_off SYNCASYNCNET */ \
  __name: assume property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)) \
    else $error("[%m] assumption %s failed: %s", `"__name`", `AIMC_ASSERT_STR(__prop)); \
  /* verilator lint_on SYNCASYNCNET */
`define COVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  /* verilator lint_off SYNCASYNCNET */ \
  __name: cover property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)); \
  /* verilator lint_on SYNCASYNCNET */
`define ASSERT_INIT(__name, __prop) \
  initial begin : __name \
    if (!(__prop)) $fatal(1, "[%m] assertion failed: %s", `AIMC_ASSERT_STR(__prop)); \
  end

`else

`define ASSERT(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) begin : __name \
    if ((__rst_n) && !(__prop)) $fatal(1, "[%m] assertion failed: %s", `AIMC_ASSERT_STR(__prop)); \
  end
`define ASSERT_NEVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) begin : __name \
    if ((__rst_n) && (__prop)) $fatal(1, "[%m] assertion failed: never %s", `AIMC_ASSERT_STR(__prop)); \
  end
`define ASSERT_KNOWN(__name, __sig, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) begin : __name \
    if ((__rst_n) && $isunknown(__sig)) \
      $fatal(1, "[%m] assertion failed: %s = %b has X or Z bits", `AIMC_ASSERT_STR(__sig), __sig); \
  end
`define ASSERT_KNOWN_IF(__name, __sig, __en, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) begin : __name \
    if ((__rst_n) && ($isunknown(__en) || ((__en) && $isunknown(__sig)))) \
      $fatal(1, "[%m] assertion failed: %s = %b has X or Z bits while %s = %b", \
             `AIMC_ASSERT_STR(__sig), __sig, `AIMC_ASSERT_STR(__en), __en); \
  end
`define ASSUME(__name, __prop, __clk = clk_i, __rst_n = rst_ni) \
  always @(posedge __clk) begin : __name \
    if ((__rst_n) && !(__prop)) $fatal(1, "[%m] assumption failed: %s", `AIMC_ASSERT_STR(__prop)); \
  end
`define COVER(__name, __prop, __clk = clk_i, __rst_n = rst_ni)
`define ASSERT_INIT(__name, __prop) \
  initial begin : __name \
    if (!(__prop)) $fatal(1, "[%m] assertion failed: %s", `AIMC_ASSERT_STR(__prop)); \
  end

`endif

`endif // AIMC_ASSERT_SVH
