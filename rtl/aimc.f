# SPDX-License-Identifier: Apache-2.0
# Kirchhoff RTL in compile order, for Verilator and Icarus (-f rtl/aimc.f from the repository root).
# the assertion layer (rtl/prim/aimc_assert.svh), included by the modules
+incdir+rtl/prim
# packages
rtl/pkg/aimc_limits_pkg.sv
rtl/pkg/aimc_isa_pkg.sv
rtl/pkg/aimc_map_pkg.sv
rtl/pkg/aimc_pkg.sv
rtl/csr/aimc_csr_pkg.sv
# primitives and memories
rtl/prim/aimc_rst_sync.sv
rtl/prim/aimc_clk_gate.sv
rtl/mem/aimc_sram.sv
rtl/mem/aimc_sram_banks.sv
rtl/mem/aimc_buf.sv
rtl/mem/aimc_par_buf.sv
rtl/mem/aimc_arb.sv
# bus and registers
rtl/bus/aimc_axil_slave.sv
rtl/csr/aimc_csr.sv
rtl/csr/aimc_csr_reg_top.sv
rtl/bus/aimc_bus_err.sv
# analog front end and tile
rtl/afe/aimc_dac_if.sv
rtl/afe/aimc_sar.sv
rtl/afe/aimc_adc_if.sv
rtl/tile/aimc_xbar_macro.sv
rtl/tile/aimc_xbar_twin.sv
rtl/tile/aimc_xbar.sv
rtl/tile/aimc_slice_map.sv
rtl/tile/aimc_acc.sv
rtl/tile/aimc_post_final.sv
rtl/tile/aimc_post_tfl.sv
rtl/tile/aimc_pv.sv
rtl/tile/aimc_post.sv
rtl/tile/aimc_tile.sv
# control and top
rtl/ctrl/aimc_counters.sv
rtl/ctrl/aimc_tile_counters.sv
rtl/ctrl/aimc_soft_reset.sv
rtl/ctrl/aimc_watchdog.sv
rtl/ctrl/aimc_seq_decode.sv
rtl/ctrl/aimc_seq_conflict.sv
rtl/ctrl/aimc_seq_tiles.sv
rtl/ctrl/aimc_seq_loops.sv
rtl/ctrl/aimc_seq_copy.sv
rtl/ctrl/aimc_sequencer.sv
rtl/aimc_top.sv
