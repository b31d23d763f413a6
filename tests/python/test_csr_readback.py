#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of tools/csr_readback.py (the CSR readback rewrite run by tools/gen_regs.sh): the rewrite
of each block shape PeakRDL-etana writes (constant, field, bit, array loop), the address decode
and the readback gated by the request, the rejection of input it does not recognise (exit 2), and
that the committed rtl/csr/aimc_csr.sv is rewritten.

  .venv/bin/python -m pytest tests/python/test_csr_readback.py      (PASS/FAIL lines; exit 1 on a failure)
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOOL = os.path.join(ROOT, "tools", "csr_readback.py")
FAILS = []


def run(text, *args):
    p = subprocess.run([sys.executable, TOOL, *args], input=text, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))
    if not cond:
        FAILS.append(name)


DECODE = """    logic decoded_reg_strb_id;
    logic decoded_reg_strb_tile_busy [16];
    always @(*) begin
        integer next_cpuif_addr;
        logic is_valid_addr;
        logic is_valid_rw;
        is_valid_addr = '0;
        is_valid_rw = '0;
        decoded_reg_strb_id = cpuif_req_masked & (cpuif_addr == 10'h0) & !cpuif_req_is_wr;
        is_valid_addr |= cpuif_req_masked & (cpuif_addr == 10'h0);
        is_valid_rw |= cpuif_req_masked & (cpuif_addr == 10'h0) & !cpuif_req_is_wr;
        for(int i0=0; i0<16; i0++) begin : gen_loop_15
            next_cpuif_addr = 32'h100 + i0*10'h4;
            decoded_reg_strb_tile_busy[i0] = cpuif_req_masked & (cpuif_addr == next_cpuif_addr[9:0]) & !cpuif_req_is_wr;
            is_valid_addr |= cpuif_req_masked & (cpuif_addr == next_cpuif_addr[9:0]);
        end
        decoded_err = (~is_valid_addr | (is_valid_addr & ~is_valid_rw)) & decoded_req;
    end
"""
SRC = DECODE + """        readback_data_var = '0;
        if(rd_mux_addr == 10'h0) begin
            readback_data_var[31:0] = 32'h41494d43;
        end
        if(rd_mux_addr == 10'h8) begin
            readback_data_var[8] = field_storage_x_value;
            readback_data_var[15:9] = hwif_in_y;
        end
        for(int i0=0; i0<16; i0++) begin : gen_loop_1
            if(rd_mux_addr == 10'h100 + (10)'(i0) * 10'h4) begin
                readback_data_var[31:0] = hwif_in_tile_busy_value[i0];
            end
        end
        readback_data = readback_data_var;
        readback_done = decoded_req & ~decoded_req_is_wr;
endmodule
"""
MOD = "module aimc_csr (\n"
def test_csr_readback():
    """tools/csr_readback.py rewrites the generated read mux and rejects unexpected shapes"""
    rc, out, err = run(MOD + SRC)
    check("rewrite: exit 0", rc == 0, err)
    check("rewrite: constant", "readback_data_var[31:0] = readback_data_var[31:0] | "
          "({32{rd_mux_addr == 10'h0}} & 32'h41494d43);" in out, out)
    check("rewrite: single bit", "readback_data_var[8] = readback_data_var[8] | "
          "({1{rd_mux_addr == 10'h8}} & field_storage_x_value);" in out, out)
    check("rewrite: field", "readback_data_var[15:9] = readback_data_var[15:9] | "
          "({7{rd_mux_addr == 10'h8}} & hwif_in_y);" in out, out)
    check("rewrite: array loop", "({32{rd_mux_addr == 10'h100 + (10)'(i0) * 10'h4}} & "
          "hwif_in_tile_busy_value[i0]);" in out and "gen_loop_1" in out, out)
    check("rewrite: no if left", "if(rd_mux_addr" not in out, out)

    # The decode and the readback only on an access (issue 17): the same values on every path.
    check("decode: strobes 0 first", "        decoded_reg_strb_id = '0;\n        for (int i0 = 0; i0 < 16; i0++) "
          "decoded_reg_strb_tile_busy[i0] = '0;\n" in out and "        next_cpuif_addr = '0;\n" in out, out)
    # In simulation only (`ifdef AIMC_CSR_ACCESS_GATE, defined unless SYNTHESIS or FORMAL).
    sim = "`ifdef AIMC_CSR_ACCESS_GATE\n        if ({}) begin\n`else\n        begin\n`endif\n"
    check("decode: gated by the request", sim.format("cpuif_req_masked") + "            decoded_reg_strb_id = "
          "cpuif_req_masked & (cpuif_addr == 10'h0)" in out and
          "            end\n        end\n        decoded_err = " in out, out)
    check("readback: gated by the read acknowledge", sim.format("decoded_req & ~decoded_req_is_wr") +
          "            readback_data_var[31:0] = readback_data_var[31:0] | ({32{rd_mux_addr == 10'h0}}" in out
          and "        end\n        readback_data = readback_data_var;" in out, out)
    rc, out, err = run(MOD + SRC)
    check("gate macro: simulation only, undefined after the module",
          out.startswith("// Simulation only") and "`ifndef SYNTHESIS\n`ifndef FORMAL\n`define AIMC_CSR_ACCESS_GATE\n"
          "`endif\n`endif\nmodule aimc_csr (\n" in out and out.count("endmodule") == 1 and
          out.endswith("endmodule\n`undef AIMC_CSR_ACCESS_GATE\n"),
          out[:400])
    rc, out, err = run(MOD + SRC.replace("        is_valid_rw = '0;\n", "        is_valid_rw = '0;\n        x = 1;\n"))
    check("decode: unexpected line: exit 2", rc == 2 and "address decode" in err, f"rc {rc} err {err}")
    rc, out, err = run(MOD + SRC.replace("readback_done = decoded_req & ~decoded_req_is_wr;", "readback_done = 1;"))
    check("readback: other acknowledge: exit 2", rc == 2 and "readback" in err, f"rc {rc} err {err}")

    rc, out, err = run("module m; endmodule\n")
    check("no readback: exit 2", rc == 2 and "csr_readback" in err, f"rc {rc} err {err}")

    bad = MOD + SRC.replace("readback_data_var[15:9] = hwif_in_y;", "readback_data_var[15:9] = hwif_in_y;\n"
                      "            other = 1;")
    rc, out, err = run(bad)
    check("unexpected block shape: exit 2", rc == 2 and "left" in err, f"rc {rc} err {err}")

    bad = MOD + SRC.replace("[15:9]", "[i+1:9]", 1)
    rc, out, err = run(bad)
    check("unexpected select: exit 2", rc == 2 and "select" in err, f"rc {rc} err {err}")

    # --pv-regs: parameter PvRegs gates the readback of the five pv_ctrl / pv_tol / pv_sel fields
    PV = "module aimc_csr (\n        input wire clk,\n" + "".join(
        f"        if(rd_mux_addr == 10'h{a}) begin\n            readback_data_var[{sl}] = "
        f"field_storage_pv_{f}_value;\n        end\n"
        for a, sl, f in (("300", "0", "ctrl_enable"), ("300", "1", "ctrl_stop"),
                         ("300", "15:8", "ctrl_budget"), ("304", "15:0", "tol_tol"),
                         ("308", "3:0", "sel_tile"))) + SRC
    rc, out, err = run(PV, "--pv-regs")
    check("pv-regs: exit 0", rc == 0, err)
    check("pv-regs: parameter", "module aimc_csr #(" in out and "parameter bit PvRegs = 1" in out, out)
    check("pv-regs: budget gated", "readback_data_var[15:8] = readback_data_var[15:8] | "
          "({8{rd_mux_addr == 10'h300}} & {8{PvRegs}} & field_storage_pv_ctrl_budget_value);" in out, out)
    check("pv-regs: five fields gated", out.count("{PvRegs}}") == 5, out)
    rc, out, err = run(PV.replace("field_storage_pv_sel_tile_value", "hwif_in_z"), "--pv-regs")
    check("pv-regs: a field missing: exit 2", rc == 2 and "expected 5" in err, f"rc {rc} err {err}")
    rc, out, err = run(SRC, "--pv-regs")
    check("pv-regs: no module header: exit 2", rc == 2 and "module aimc_csr" in err, f"rc {rc} err {err}")

    with open(os.path.join(ROOT, "rtl", "csr", "aimc_csr.sv"), encoding="utf-8") as f:
        gen = f.read()
    check("committed aimc_csr.sv is rewritten", "if(rd_mux_addr" not in gen and
          "({32{rd_mux_addr ==" in gen and gen.count("{PvRegs}}") == 5 and
          "if (cpuif_req_masked) begin" in gen and "if (decoded_req & ~decoded_req_is_wr) begin" in gen and
          gen.count("`ifdef AIMC_CSR_ACCESS_GATE") == 2)
    assert not FAILS, f"failed: {FAILS}"

