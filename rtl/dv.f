# SPDX-License-Identifier: Apache-2.0
# Simulation-only checkers (the assertion layer's bind files), after rtl/aimc.f in the Verilator
# and Icarus builds; never read by synthesis or the FPGA flow.
+incdir+rtl/prim
rtl/bind/aimc_top_assert.sv
rtl/bind/aimc_cover.sv
rtl/bind/aimc_bind.sv
