# SPDX-License-Identifier: Apache-2.0
# The FPGA prototype core (rtl/fpga/aimc_fpga_core.sv): the chip (rtl/aimc.f) plus these files.
rtl/fpga/aimc_uart_rx.sv
rtl/fpga/aimc_uart_tx.sv
rtl/fpga/aimc_uart_bridge.sv
rtl/fpga/aimc_fpga_core.sv
