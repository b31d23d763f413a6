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


def main() -> None:
    src = pack_array_ports(sys.stdin.read())
    new, n = BLOCK.subn(rewrite, src)
    left = len(re.findall(r"if\(rd_mux_addr", new))
    if n == 0 or left:
        print(f"csr_readback: {n} readback blocks rewritten, {left} left in an unexpected shape "
              f"(PeakRDL-etana output changed?)", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(pv_regs(new) if "--pv-regs" in sys.argv[1:] else new)


if __name__ == "__main__":
    main()
