#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rewrite the readback mux of the PeakRDL-etana CSR block into a parallel AND-OR (tools/gen_regs.sh).

    tools/csr_readback.py [--pv-regs] < aimc_csr.sv > aimc_csr.sv

PeakRDL-etana writes the read data as a chain of `if (rd_mux_addr == A) begin v[..] = x; end`,
one per register (about 150 with the 16-entry per-tile arrays). The addresses are distinct, so at
most one condition holds and the chain equals the OR of `{W{rd_mux_addr == A}} & x` over the
registers: the same read data, bit for bit. Synthesis maps the chain to one 2:1 mux per register
and bit in series (about 4000 iCE40 LUT4 for this block) and cannot drop the terms of constant-0
inputs (the per-tile counters of tiles >= NumTiles); the AND-OR form folds them away
(docs/fpga-bringup.md). Exit status 2 when the input does not have the expected shape.

With --pv-regs (tools/gen_regs.sh) it also gives the module a parameter PvRegs (default 1): 0 on a chip without the
program-and-verify engine (the digital-twin crossbar, rtl/tile/aimc_pv.sv), where pv_ctrl, pv_tol and pv_sel read 0
(writes are answered and have no effect); their storage then drives nothing and synthesis drops it.

It also declares the register-array inputs as packed vectors (`input wire [N-1:0][W-1:0] x` for
etana's `input wire [W-1:0] x [N-1:0]`): the readback's `always @*` reads them by a variable
index, and Icarus makes an always block reading an unpacked array sensitive to every word, so it
ran the whole readback whenever any per-tile counter moved (4-9x slower Icarus runs, session 8).
A packed select is an ordinary vector read; the bits are the same.

And it evaluates the address decode and the readback only on an access (issue 17): etana's
decode compares the address with every register (is_valid_addr / is_valid_rw, about 300 terms)
and its readback ORs every register, both in always @* blocks that Verilator evaluates every
clock cycle (19 % of base's instructions per simulated cycle, session 8) and Icarus whenever a
counter moves. The decode's per-register lines go under `if (cpuif_req_masked)` with every
strobe 0 before it: each strobe etana writes is `cpuif_req_masked & ...`, so it is 0 without a
request either way. The readback's OR goes under `if (decoded_req & ~decoded_req_is_wr)`, the
condition of its read acknowledge: the read data is used only with the acknowledge (the AXI4-Lite
slave takes it in that cycle), so every bus response and its cycle are unchanged. Both gates are
for the simulators only (`ifndef SYNTHESIS / FORMAL): yosys 0.23 infers a latch for the loop
variable of etana's for loops under an if, and synthesis gains nothing from them.
"""
import re
import sys

BLOCK = re.compile(
    r"^(\s*)if\((rd_mux_addr == [^()]*(?:\([^()]*\)[^()]*)*)\) begin\n"
    r"((?:\s*readback_data_var\[[^\]]+\] = [^;]+;\n)+)"
    r"\s*end\n", re.M)
ASSIGN = re.compile(r"readback_data_var\[([^\]]+)\] = ([^;]+);")


def width(sl):
    m = re.fullmatch(r"(\d+):(\d+)", sl)
    if m:
        return int(m.group(1)) - int(m.group(2)) + 1
    if re.fullmatch(r"\d+", sl):
        return 1
    print(f"csr_readback: unexpected select [{sl}]", file=sys.stderr)
    sys.exit(2)


def rewrite(m):
    ind, cond, body = m.group(1), m.group(2), m.group(3)
    out = []
    for a in ASSIGN.finditer(body):
        sl, expr = a.group(1), a.group(2)
        out.append(f"{ind}readback_data_var[{sl}] = readback_data_var[{sl}] | "
                   f"({{{width(sl)}{{{cond}}}}} & {expr});\n")
    return "".join(out)


PV_FIELD = re.compile(r"^(\s*readback_data_var\[[^\]]+\] = readback_data_var\[[^\]]+\] \| )"
                      r"\((\{(\d+)\{rd_mux_addr == [^}]*\}\}) & (field_storage_pv_(?:ctrl|tol|sel)_\w+)\);$",
                      re.M)


def pv_regs(src):
    head = "module aimc_csr (\n"
    if src.count(head) != 1:
        print("csr_readback: no `module aimc_csr (` header (PeakRDL-etana output changed?)",
              file=sys.stderr)
        sys.exit(2)
    src = src.replace(head, "module aimc_csr #(\n"
                      "        // 0: no program-and-verify engine: pv_ctrl, pv_tol, pv_sel read 0\n"
                      "        parameter bit PvRegs = 1\n"
                      "    ) (\n")
    src, n = PV_FIELD.subn(lambda m: f"{m.group(1)}({m.group(2)} & {{{m.group(3)}{{PvRegs}}}} "
                           f"& {m.group(4)});", src)
    if n != 5:
        print(f"csr_readback: {n} pv_ctrl/pv_tol/pv_sel readback fields, expected 5", file=sys.stderr)
        sys.exit(2)
    return src


ARRAY_PORT = re.compile(r"^( *input wire )\[(\d+):0\] (hwif_in_[a-z0-9_]+) \[(\d+):0\](,?)$", re.M)


def pack_array_ports(src: str) -> str:
    """The register-array input ports of the module header as packed [N-1:0][W-1:0] vectors."""
    return ARRAY_PORT.sub(lambda m: f"{m.group(1)}[{m.group(4)}:0][{m.group(2)}:0] {m.group(3)}{m.group(5)}", src)


GATE_MACRO = "AIMC_CSR_ACCESS_GATE"
GATE_DEFINE = f"""// Simulation only (tools/csr_readback.py): the address decode and the readback evaluated only on
// an access. Not in synthesis or formal: yosys 0.23 infers a latch for the variable of a for loop
// under an if, and the gates change nothing at the ports.
`ifndef SYNTHESIS
`ifndef FORMAL
`define {GATE_MACRO}
`endif
`endif
"""


def gate(ind: str, cond: str) -> str:
    """The opening of a gated region: `if (cond) begin` in simulation, a plain `begin` elsewhere."""
    return (f"`ifdef {GATE_MACRO}\n{ind}if ({cond}) begin\n`else\n{ind}begin\n`endif\n")


def gate_macro(src: str) -> str:
    """GATE_MACRO defined before the module and undefined after it (no define leaks out)."""
    if len(re.findall(r"^module aimc_csr\b", src, re.M)) != 1 or src.count("\nendmodule") != 1:
        die("no single `module aimc_csr` ... `endmodule`")
    src = re.sub(r"^module aimc_csr\b", lambda _: f"{GATE_DEFINE}module aimc_csr", src, count=1, flags=re.M)
    return src.replace("\nendmodule", f"\nendmodule\n`undef {GATE_MACRO}", 1).rstrip("\n") + "\n"


DECODE = re.compile(r"^( *is_valid_rw = '0;\n)(.*?)^( *decoded_err = )", re.M | re.S)
DECODE_LINE = re.compile(r" *(decoded_reg_strb_\w+(?:\[i0\])? = cpuif_req_masked & .*;|is_valid_(?:addr|rw) \|= "
                         r"cpuif_req_masked & .*;|for\(int i0=0; i0<\d+; i0\+\+\) begin : \w+|"
                         r"next_cpuif_addr = .*;|end)")
STROBE = re.compile(r"^ *logic (decoded_reg_strb_\w+)(?: \[(\d+)\])?;$", re.M)


def die(msg: str) -> None:
    print(f"csr_readback: {msg} (PeakRDL-etana output changed?)", file=sys.stderr)
    sys.exit(2)


def gate_decode(src: str) -> str:
    """The address decode's per-register lines only with a request, every strobe 0 before."""
    m = DECODE.search(src)
    if m is None or len(DECODE.findall(src)) != 1:
        die("no single address decode block (`is_valid_rw = '0;` ... `decoded_err = `)")
    body = m.group(2)
    odd = [ln for ln in body.splitlines() if not DECODE_LINE.fullmatch(ln)]
    if odd or "decoded_reg_strb_" not in body:
        die(f"unexpected line in the address decode: {odd[:1]!r}")
    ind = re.match(r" *", m.group(1)).group(0)
    zero = []
    for name, n in STROBE.findall(src):
        if n:
            zero.append(f"{ind}for (int i0 = 0; i0 < {n}; i0++) {name}[i0] = '0;\n")
        else:
            zero.append(f"{ind}{name} = '0;\n")
    if not zero:
        die("no decoded_reg_strb_ declarations")
    if "next_cpuif_addr = " in body:  # the array loops' address temporary: assigned on every path
        zero.insert(0, f"{ind}next_cpuif_addr = '0;\n")
    inner = "".join(f"    {ln}\n" if ln else "\n" for ln in body.rstrip("\n").split("\n"))
    gated = (f"{m.group(1)}{''.join(zero)}"
             f"{ind}// Only on a request (tools/csr_readback.py): without one every strobe is 0 as above.\n"
             f"{gate(ind, 'cpuif_req_masked')}{inner}{ind}end\n{m.group(3)}")
    return src[:m.start()] + gated + src[m.end():]


READBACK = re.compile(r"^( *readback_data_var = '0;\n)(.*?)^( *readback_data = readback_data_var;\n)",
                      re.M | re.S)


def gate_readback(src: str) -> str:
    """The readback OR only in the cycle of a read acknowledge (readback_done)."""
    ms = list(READBACK.finditer(src))
    if len(ms) != 1 or "readback_done = decoded_req & ~decoded_req_is_wr;" not in src:
        die("no single readback block (`readback_data_var = '0;` ... `readback_data = "
            "readback_data_var;`, readback_done = decoded_req & ~decoded_req_is_wr)")
    m = ms[0]
    ind = re.match(r" *", m.group(1)).group(0)
    inner = "".join(f"    {ln}\n" if ln else "\n" for ln in m.group(2).rstrip("\n").split("\n"))
    gated = (f"{m.group(1)}{ind}// Only with the read acknowledge (readback_done below), the one cycle its\n"
             f"{ind}// data is used (tools/csr_readback.py).\n"
             f"{gate(ind, 'decoded_req & ~decoded_req_is_wr')}{inner}{ind}end\n{m.group(3)}")
    return src[:m.start()] + gated + src[m.end():]


def main() -> None:
    src = pack_array_ports(sys.stdin.read())
    new, n = BLOCK.subn(rewrite, src)
    left = len(re.findall(r"if\(rd_mux_addr", new))
    if n == 0 or left:
        print(f"csr_readback: {n} readback blocks rewritten, {left} left in an unexpected shape "
              f"(PeakRDL-etana output changed?)", file=sys.stderr)
        sys.exit(2)
    new = gate_readback(gate_decode(new))
    new = pv_regs(new) if "--pv-regs" in sys.argv[1:] else new
    sys.stdout.write(gate_macro(new))


if __name__ == "__main__":
    main()
