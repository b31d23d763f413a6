# SPDX-License-Identifier: Apache-2.0
# Kirchhoff: hybrid analog/digital in-memory-compute accelerator. `make` prints help.

CONFIG    ?= base
MODEL     ?=
INPUTS    ?=
# `make sim MODEL=net.tflite` runs on the edge config unless CONFIG is given (docs/models.md).
ifneq ($(strip $(MODEL)),)
ifeq ($(origin CONFIG),file)
CONFIG    := edge
endif
endif
SIM       ?= verilator
SEED      ?= 1
TEST      ?=
WAVES     ?= 0
ROWS      ?= 64
COLS      ?= 32
BATCH     ?= 4
DATA      ?=
NET       ?= mlp
TRAIN     ?=
J         ?= $(shell nproc 2>/dev/null || echo 2)

BUILD     ?= build
ifneq ($(words $(BUILD)),1)
$(error BUILD '$(BUILD)' must be one folder path without spaces (make names its targets after it))
endif
VENV      ?= $(CURDIR)/.venv
PYTHON    ?= $(VENV)/bin/python
CC        ?= gcc
VERILATOR ?= verilator
IVERILOG  ?= iverilog
IVERILOG_VPI ?= iverilog-vpi
VVP       ?= vvp

# Bit-exact code: no fast-math, no -march=native, no FMA contraction (docs/analog-model.md, bit-exactness).
CSTD      := -std=c11
WARN      := -Wall -Wextra -Werror
FPFLAGS   := -ffp-contract=off -fno-fast-math -fno-math-errno
OPT       ?= -O2 -g
INCS      := -Isw/include -Ianalog_models/c
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) $(FPFLAGS) $(INCS) $(EXTRA_CFLAGS)
LDLIBS    := -lopenblas -lm

# A user value in a recipe, as one shell word: 'value' with each ' written '\'' (issue 16: no
# variable reaches the shell unquoted, so DATA='x; rm -rf ~' is a file name, not a command).
q = '$(subst ','\'',$(1))'

# Switches are 0 or 1: any other value is an error, not a silent "off" (issue 16).
FORCE     ?= 0
COV       ?= 0
NOBUILD   ?= 0
$(foreach v,WAVES COV FORCE NOBUILD,$(if $(filter-out 0 1,$(strip $($(v)))),\
  $(error $(v)='$($(v))': must be 0 or 1)))

# ---- configuration ---------------------------------------------------------------------------
# CONFIG is a name (configs/<name>.cfg) or a path to a .cfg file.
CFG_FILE  := $(if $(findstring /,$(CONFIG)),$(CONFIG),$(if $(filter %.cfg,$(CONFIG)),$(CONFIG),configs/$(CONFIG).cfg))
CFG_NAME  := $(basename $(notdir $(CFG_FILE)))
CFG_DIR   := $(BUILD)/$(CFG_NAME)

.DEFAULT_GOAL := help
.PHONY: help setup deps regs regs-check lint sw vl icarus test test-deps test-long sim layer-test clean \
        regress bench sweep fpga formal cov fuzz sanitize

help:
	@echo "Kirchhoff make targets (variables: CONFIG=$(CONFIG) SIM=$(SIM) SEED=$(SEED) WAVES=$(WAVES))"
	@echo "  make sim         train the digits MLP, run it float / int8 / C model / RTL, print the table"
	@echo "                   (DATA=file.csv for your own data set, NET=cnn for the digits CNN, TRAIN=hwa to"
	@echo "                   add hardware-aware training beside post-training quantization;"
	@echo "                   writes build/reports/sim.json and sim.png)"
	@echo "  make test        every fast test; ends with 'N passed, N failed' (build/reports/test.json)"
	@echo "  make test-long   the long tests (tests/registry-long.txt: MLPerf graphs on edge_ideal, FPGA flows),"
	@echo "                   also run by make regress REGRESSION=nightly|full (build/reports/long/test.json)"
	@echo "  make layer-test  one random FC layer: CONFIG ROWS COLS BATCH SEED SIM=verilator|icarus|cmodel"
	@echo "  make lint        Verilator -Wall and Icarus -Wall on all RTL (build/reports/lint.json)"
	@echo "  make regs        regenerate CSR RTL, C header, register docs and ISA files"
	@echo "  make setup       install missing Debian packages and the pinned Python venv"
	@echo "  make sw | vl | icarus   build the C tools / the Verilator model / the Icarus model"
	@echo "                   (the chip tests apart from the product: build/tests/aimc-test, and with"
	@echo "                   make vl build/<cfg>/vl/aimc-test-vl; tests/chip)"
	@echo "  make clean       remove build/"
	@echo "  make regress     REGRESSION=smoke|nightly|full [J= SHARD=i/N RESUME=1|dir FRONTDOOR=1]: tests x seeds x"
	@echo "                   configs, run folder under build/regress/, signature check (docs/regression.md)"
	@echo "  make regress-list    the case commands;  make regress-update  rewrite the signature file"
	@echo "  make formal      bounded proofs (yosys-smtbmc + z3) and their injected bugs (build/reports/formal.json)"
	@echo "  make fuzz        libFuzzer on the network-file loader and the config parser, FUZZ_TIME=$(FUZZ_TIME) s each"
	@echo "                   (build/reports/fuzz.json, fuzz_config.json)"
	@echo "  make sanitize    C library, CLI and unit tests under ASan + UBSan, the tests that need no simulator"
	@echo "                   (build/sanitize, build/reports/sanitize.json; SAN_TEST= SAN_SKIP= substrings)"
	@echo "  make cov         line + toggle coverage of rtl/ over the chip tests (build/cov/html, reports/cov.json)"
	@echo "  make sweep       digits accuracy vs ADC/DAC bits, prog error, read noise, drift, weight slices, and vs"
	@echo "                   time for flash/pcm/reram (build/sweep/)"
	@echo "  make dse         TOPS/W and TOPS per tile vs DAC bits, columns per ADC, tile size (build/dse/)"
	@echo "  make bench       issue 17's table in one run (C-model MVM vs OpenBLAS on the CPU's own kernel, tile"
	@echo "                   utilization/TOPS/TOPS/W, simulator speed, MLPerf Tiny energy, latency, wall times)"
	@echo "                   with goals met or not (build/reports/bench.json; never fails on a goal; BENCH_RTL=1)"
	@echo "  make irdrop-check     IR-drop solve vs ngspice (build/irdrop/irdrop_spice.json; SEED=)"
	@echo "  make veriloga-check   Verilog-A models (OpenVAF, VACASK) vs the C model (build/veriloga/)"
	@echo "  make fpga        BOARD=icebreaker|ulx3s: yosys + nextpnr + bitstream, build/reports/fpga.json"
	@echo "                   (FPGA_ARGS=--synth-only stops after synthesis; docs/fpga-bringup.md)"
	@echo "  make uart-vl     the simulated board (UART bridge + chip) for --backend uart-sim"
	@echo "  make bus-fuzz    the random bus / program / reset fuzzer of the Verilator model (CONFIG=tiny;"
	@echo "                   build/<cfg>/busfuzz/bus-fuzz --help; tests/system/bus_fuzz.c)"

# ---- setup -----------------------------------------------------------------------------------
# Runs tools/setup.sh only when something is missing; the stamp is refreshed by a real check.
SETUP_STAMP := $(BUILD)/.setup-ok
$(SETUP_STAMP): tools/setup.sh tools/requirements.txt
	@tools/setup.sh --check >/dev/null 2>&1 || VENV=$(VENV) tools/setup.sh
	@mkdir -p $(@D) && touch $@
deps: $(SETUP_STAMP)
setup:
	VENV=$(VENV) tools/setup.sh

# ---- generated files (registers, ISA) ----------------------------------------------------------
GEN_FILES := rtl/csr/aimc_csr.sv sw/include/aimc_regs.h rtl/pkg/aimc_map_pkg.sv docs/registers.md \
             rtl/pkg/aimc_isa_pkg.sv sw/include/aimc_isa.h \
             rtl/pkg/aimc_limits_pkg.sv sw/include/aimc_limits.h docs/limits.md \
             rtl/csr/aimc_csr_pkg.sv rtl/csr/aimc_csr_reg_top.sv
regs: $(SETUP_STAMP)
	tools/gen_regs.sh .
regs-check: $(SETUP_STAMP)
	@rm -rf $(BUILD)/regs-check && tools/gen_regs.sh $(BUILD)/regs-check
	@for f in $(GEN_FILES); do cmp -s $$f $(BUILD)/regs-check/$$f || \
	  { echo "regs-check: $$f differs from its source; run 'make regs' and commit"; exit 1; }; done
	@echo "regs-check: generated files match rtl/csr/aimc_csr.rdl, rtl/pkg/aimc_limits.json and rtl/pkg/aimc_isa.json"

# ---- C: analog model, driver, reference model, CLI ----------------------------------------------
LIB_SRCS  := $(wildcard analog_models/c/*.c sw/src/*.c)
LIB_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
CLI_SRCS  := $(wildcard sw/tools/aimc/*.c)
CLI_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))
NOSIM_OBJ := $(BUILD)/obj/sw/src/nosim/mmio_verilator_none.o
LIBAIMC   := $(BUILD)/sw/libaimc.a
LIBCLI    := $(BUILD)/sw/libaimc_cli.a
AIMC      := $(BUILD)/sw/aimc
HDRS      := $(wildcard sw/include/*.h analog_models/c/*.h tb/golden/*.h sw/src/*.h sw/tools/aimc/*.h tests/chip/*.h)

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CFLAGS_VIS) -fPIC -c $< -o $@
# The library exports only the functions aimc_api.h's AIMC_API marks; every global symbol of
# libaimc.a has the aimc_ prefix (lib.symbols in tests/registry.txt).
$(LIB_OBJS): CFLAGS_VIS := -fvisibility=hidden
$(LIBAIMC): $(LIB_OBJS)
	@mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^
$(LIBCLI): $(CLI_OBJS)
	@mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^
$(AIMC): $(LIBCLI) $(NOSIM_OBJ) $(LIBAIMC)
	$(CC) -o $@ $(NOSIM_OBJ) -Wl,--whole-archive $(LIBCLI) -Wl,--no-whole-archive $(LIBAIMC) $(LDLIBS)

# ---- chip tests, apart from the product (issue 19) ------------------------------------------------
# tests/chip/*.c: the test runner aimc-test (layer-test, csr-test, ...). The test support library
# libaimc_test.a holds the OpenBLAS golden checks (tb/golden) and the helpers only the tests use;
# libaimc.a holds no test code. aimc-test-vl (per config, beside aimc-vl) and aimc-test-uart-vl
# link the same test objects with the model objects of aimc-vl / aimc-uart-vl: one more link, no
# second Verilator compile (tests/chip/vl_link.mk).
TEST_INCS    := -Itb/golden -Isw/tools/aimc -Itests/chip
LIBTEST_SRCS := $(wildcard tb/golden/*.c) tests/chip/test_util.c
LIBTEST_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBTEST_SRCS))
CHIPTEST_SRCS := $(filter-out $(LIBTEST_SRCS),$(wildcard tests/chip/*.c))
CHIPTEST_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CHIPTEST_SRCS))
LIBTEST      := $(BUILD)/tests/libaimc_test.a
AIMC_TEST    := $(BUILD)/tests/aimc-test
# What a test executable links after its own objects (the product CLI's helpers without its main).
TEST_LINK     = $(abspath $(CHIPTEST_OBJS) $(LIBTEST) $(LIBCLI) $(LIBAIMC)) $(LDLIBS)
$(LIBTEST_OBJS) $(CHIPTEST_OBJS): CFLAGS_ALL += $(TEST_INCS)
$(LIBTEST): $(LIBTEST_OBJS)
	@mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^
$(AIMC_TEST): $(CHIPTEST_OBJS) $(LIBTEST) $(LIBCLI) $(NOSIM_OBJ) $(LIBAIMC)
	@mkdir -p $(@D)
	$(CC) -o $@ $(NOSIM_OBJ) $(TEST_LINK)
# $(1) = Verilator obj dir, $(2) = its makefile prefix (Vaimc_top), $(3) = executable, $(4) = objects
# linked before the tests. Verilator's own makefile links: its flags, its runtime objects.
VL_TEST_LINK = MAKEFLAGS= $(MAKE) -s -C $(1) -f $(2).mk -f $(CURDIR)/tests/chip/vl_link.mk VL_LINK_OUT=$(abspath $(3)) \
	  VL_LINK_LIBS="$(4) $(TEST_LINK)" vl-link > $(dir $(3))test-link.log 2>&1 || { tail -20 $(dir $(3))test-link.log; exit 1; }
sw: $(AIMC) $(AIMC_TEST) unit-tests

# Unit tests: tests/unit/<block>/test_*.c, one binary each, linked with libaimc.
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBAIMC) $(LIBTEST) $(NOSIM_OBJ) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests/unit -Itb/golden -o $@ $< $(NOSIM_OBJ) $(LIBTEST) $(LIBAIMC) $(LDLIBS)
.PHONY: unit-tests
unit-tests: $(UNIT_BINS)

# ---- RTL builds, one directory per config -------------------------------------------------------
RTL_F     := rtl/aimc.f
RTL_SRCS  = $(shell sed -e 's/\#.*//' -e '/^+/d' $(RTL_F) 2>/dev/null)
# Simulation-only checkers (assertion layer: rtl/prim/aimc_assert.svh, rtl/bind/), never synthesized.
DV_F      := rtl/dv.f
DV_SRCS   := rtl/prim/aimc_assert.svh $(wildcard rtl/bind/*.sv)
VL_CPP    := $(wildcard tb/verilator/*.cpp)
VL_HDRS   := $(wildcard tb/verilator/*.h)
VPI_SRCS  := $(wildcard analog_models/dpi/*_vpi.c)
DPI_SRCS  := $(wildcard analog_models/dpi/*_dpi.c)
ANALOG_SRCS := $(wildcard analog_models/c/*.c)
VL_FLAGS  ?= -O3 --x-assign fast --x-initial fast --assert -Wno-fatal -Wno-lint -Wno-style
VL_OPT_FAST ?= -Os
TB_ICARUS := tb/icarus/aimc_tb_trace.sv

# The Verilator model of config $(1) in directory $(2) (the model is $(2)/vl/aimc-vl), extra flags $(3).
# Waveforms cost simulation speed even when no file is open: the model in $(2)/vl has no trace code;
# WAVES=1 builds and uses the trace build $(2)/vl-waves (flag --trace-fst), the only one that
# accepts --waves (issue 17).
# VL_OPT_FAST: C++ optimization of the generated model; -Os (Verilator's default) measured as fast
# as -O2 on base (issue 17: callgrind 7.7k vs 8.0k instructions per simulated cycle, same wall time).
# VL_PARAMS_H: the header the harness (tb/verilator/aimc_vl.cpp) includes from the obj dir $(1): the
# RTL parameters the model is built with (BUILD/<cfg>/rtl-params.verilator), which a run compares with
# its config's (a model of another post_lanes, load_words, tile_overlap... is refused by name).
VL_PARAMS_H = mkdir -p $(1) && printf '\043define AIMC_VL_RTL_PARAMS "%s"\n' "$$(cat $(2))" > $(1)/aimc_vl_params.h.tmp && \
	  mv $(1)/aimc_vl_params.h.tmp $(1)/aimc_vl_params.h
VL_BUILD = $(call VL_PARAMS_H,$(2)/$(or $(4),vl)/obj,$(BUILD)/$(1)/rtl-params.verilator) && \
	  $(VERILATOR) --cc --exe --build -j 2 $(VL_FLAGS) $(3) --top-module aimc_top \
	  -MAKEFLAGS "OPT_FAST=$(VL_OPT_FAST) OPT_GLOBAL=$(VL_OPT_FAST)" \
	  --Mdir $(2)/$(or $(4),vl)/obj -o ../aimc-vl $$(cat $(BUILD)/$(1)/rtl-params.verilator) \
	  -f $(RTL_F) -f $(DV_F) $(abspath $(VL_CPP) $(DPI_SRCS)) \
	  -CFLAGS "-O2 -std=c++17 -I$(CURDIR)/sw/include -I$(CURDIR)/analog_models/c -I$(CURDIR)/tb/verilator -ffp-contract=off" \
	  -LDFLAGS "-Wl,--whole-archive $(abspath $(LIBCLI)) -Wl,--no-whole-archive $(abspath $(LIBAIMC)) $(LDLIBS)" \
	  > $(2)/$(or $(4),vl)/build.log 2>&1 || { tail -40 $(2)/$(or $(4),vl)/build.log; exit 1; }
# make cov's models: line, toggle and COVER counts; the run-once code (Verilator's __Slow files,
# megabytes with the coverage points; else -O2 from -CFLAGS) compiled without optimization.
VL_COV_FLAGS := --coverage-line --coverage-toggle --coverage-user -MAKEFLAGS OPT_SLOW=-O0

# The simulated board (tb/uart): top aimc_fpga_core, UART at UART_CLKDIV clocks per bit, a short
# frame timeout (64 byte times) so that the cut-frame tests stay quick.
FPGA_F     := rtl/fpga.f
FPGA_SRCS   = $(shell sed -e 's/\#.*//' $(FPGA_F) 2>/dev/null)
UART_CPP   := $(wildcard tb/uart/*.cpp)
UART_CLKDIV ?= 4
UART_VL_BUILD = $(VERILATOR) --cc --exe --build -j 2 $(VL_FLAGS) --trace-fst --top-module aimc_fpga_core \
	  --Mdir $(2)/uart/obj -o ../aimc-uart-vl $$(cat $(BUILD)/$(1)/rtl-params.verilator) \
	  -GClkDiv=$(UART_CLKDIV) -GTimeoutCycles=$$(( $(UART_CLKDIV) * 10 * 64 )) -GHeartbeatW=8 -GStretchW=4 \
	  -f $(RTL_F) -f $(DV_F) -f $(FPGA_F) $(abspath $(UART_CPP) $(DPI_SRCS)) \
	  -CFLAGS "-O2 -std=c++17 -I$(CURDIR)/sw/include -I$(CURDIR)/analog_models/c -ffp-contract=off -DAIMC_UART_CLKDIV=$(UART_CLKDIV)" \
	  -LDFLAGS "$(abspath $(NOSIM_OBJ)) -Wl,--whole-archive $(abspath $(LIBCLI)) -Wl,--no-whole-archive $(abspath $(LIBAIMC)) $(LDLIBS)" \
	  > $(2)/uart/build.log 2>&1 || { tail -40 $(2)/uart/build.log; exit 1; }

# $(1) = config name, $(2) = config file
define CONFIG_RULES
$(BUILD)/$(1)/rtl-params.%: $(2) $(AIMC)
	@mkdir -p $$(@D)
	$(AIMC) config --rtl-params $$* --top aimc_tb_trace $(2) > $$@.tmp && mv $$@.tmp $$@
$(BUILD)/$(1)/vl/aimc-vl: $(BUILD)/$(1)/rtl-params.verilator $(RTL_F) $$(RTL_SRCS) $(DV_F) $(DV_SRCS) $(VL_CPP) $(VL_HDRS) \
                          $(DPI_SRCS) $(LIBAIMC) $(LIBCLI)
	@mkdir -p $$(@D)
	@# Verilator's own makefile does not see the libraries in LDFLAGS change: force the relink.
	@rm -f $$@
	$$(call VL_BUILD,$(1),$(BUILD)/$(1))
$(BUILD)/$(1)/vl/aimc-test-vl: $(BUILD)/$(1)/vl/aimc-vl $(CHIPTEST_OBJS) $(LIBTEST) $(LIBCLI) $(LIBAIMC)
	$$(call VL_TEST_LINK,$(BUILD)/$(1)/vl/obj,Vaimc_top,$$@,)
# The trace build (WAVES=1): the same model with FST waveforms compiled in.
$(BUILD)/$(1)/vl-waves/aimc-vl: $(BUILD)/$(1)/rtl-params.verilator $(RTL_F) $$(RTL_SRCS) $(DV_F) $(DV_SRCS) $(VL_CPP) $(VL_HDRS) \
                                $(DPI_SRCS) $(LIBAIMC) $(LIBCLI)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(call VL_BUILD,$(1),$(BUILD)/$(1),--trace-fst,vl-waves)
$(BUILD)/$(1)/vl-waves/aimc-test-vl: $(BUILD)/$(1)/vl-waves/aimc-vl $(CHIPTEST_OBJS) $(LIBTEST) $(LIBCLI) $(LIBAIMC)
	$$(call VL_TEST_LINK,$(BUILD)/$(1)/vl-waves/obj,Vaimc_top,$$@,)
# Coverage build of the same model (make cov).
$(BUILD)/cov/$(1)/vl/aimc-vl: $(BUILD)/$(1)/rtl-params.verilator $(RTL_F) $$(RTL_SRCS) $(DV_F) $(DV_SRCS) $(VL_CPP) $(VL_HDRS) \
                              $(DPI_SRCS) $(LIBAIMC) $(LIBCLI)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(call VL_BUILD,$(1),$(BUILD)/cov/$(1),$(VL_COV_FLAGS))
$(BUILD)/cov/$(1)/vl/aimc-test-vl: $(BUILD)/cov/$(1)/vl/aimc-vl $(CHIPTEST_OBJS) $(LIBTEST) $(LIBCLI) $(LIBAIMC)
	$$(call VL_TEST_LINK,$(BUILD)/cov/$(1)/vl/obj,Vaimc_top,$$@,)
# The simulated board (FPGA core: UART bridge + chip) behind the serial back-end (aimc-uart-vl).
$(BUILD)/$(1)/uart/aimc-uart-vl: $(BUILD)/$(1)/rtl-params.verilator $(RTL_F) $(DV_F) $(FPGA_F) $$(RTL_SRCS) \
                                 $$(FPGA_SRCS) $(UART_CPP) $(LIBAIMC) $(LIBCLI) $(NOSIM_OBJ)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(call UART_VL_BUILD,$(1),$(BUILD)/$(1))
$(BUILD)/$(1)/uart/aimc-test-uart-vl: $(BUILD)/$(1)/uart/aimc-uart-vl $(CHIPTEST_OBJS) $(LIBTEST) $(LIBCLI) $(LIBAIMC) $(NOSIM_OBJ)
	$$(call VL_TEST_LINK,$(BUILD)/$(1)/uart/obj,Vaimc_fpga_core,$$@,$(abspath $(NOSIM_OBJ)))
$(BUILD)/$(1)/icarus/sim.vvp: $(BUILD)/$(1)/rtl-params.icarus $(RTL_F) $$(RTL_SRCS) $(DV_F) $(DV_SRCS) $(TB_ICARUS)
	@mkdir -p $$(@D)
	$(IVERILOG) -g2012 -o $$@ -s aimc_tb_trace $$$$(cat $(BUILD)/$(1)/rtl-params.icarus) -f $(RTL_F) -f $(DV_F) $(TB_ICARUS)
$(BUILD)/$(1)/icarus/aimc_vpi.vpi: $(VPI_SRCS) $(ANALOG_SRCS) $(wildcard analog_models/c/*.h)
	@mkdir -p $$(@D)
	$(CC) -o $$@ $$$$($(IVERILOG_VPI) --cflags) $(FPFLAGS) -Ianalog_models/c $(VPI_SRCS) $(ANALOG_SRCS) \
	  $$$$($(IVERILOG_VPI) --ldflags) $$$$($(IVERILOG_VPI) --ldlibs) -lm
endef
ALL_CFGS := $(sort $(basename $(notdir $(wildcard configs/*.cfg))))
# The goals that build or run CONFIG: a config that does not exist is named before make looks
# for rules (else "No rule to make target build/<name>/rtl-params.verilator").
CONFIG_GOALS := vl icarus uart-vl sim layer-test
ifneq ($(filter $(CONFIG_GOALS),$(MAKECMDGOALS)),)
ifeq ($(wildcard $(CFG_FILE)),)
$(error no config named '$(CONFIG)' ($(CFG_FILE) does not exist; configs/*.cfg: $(ALL_CFGS)))
endif
ifneq ($(shell printf '%s' $(call q,$(CFG_FILE)) | LC_ALL=C grep -c '^[A-Za-z0-9_./+-]*$$'),1)
$(error CONFIG '$(CONFIG)': a config path may hold only letters, digits and _ . / + - (make names build targets after it))
endif
endif
$(foreach c,$(ALL_CFGS),$(eval $(call CONFIG_RULES,$(c),configs/$(c).cfg)))
ifeq ($(filter $(CFG_NAME),$(ALL_CFGS)),)
$(eval $(call CONFIG_RULES,$(CFG_NAME),$(CFG_FILE)))
endif

vl: $(addprefix $(CFG_DIR)/$(if $(filter 1,$(WAVES)),vl-waves,vl)/,aimc-vl aimc-test-vl)
.PHONY: uart-vl
uart-vl: $(CFG_DIR)/uart/aimc-uart-vl $(CFG_DIR)/uart/aimc-test-uart-vl
icarus: $(CFG_DIR)/icarus/sim.vvp $(CFG_DIR)/icarus/aimc_vpi.vpi

# ---- lint ----------------------------------------------------------------------------------------
lint: $(SETUP_STAMP) $(AIMC)
	@mkdir -p $(BUILD)/reports
	PYTHON=$(PYTHON) tools/lint.sh $(BUILD) $(AIMC)

# ---- tests ---------------------------------------------------------------------------------------
TEST_CFGS := tiny small tiny_twin ideal2 tiny16 noisy base pcm reram
TEST_FPGA_CFGS := ice40
# TEST_FUZZ_CFGS: the configs whose bus fuzzer several registry tests run (bus_fuzz.*): built here,
# before the tests start, so that two tests running side by side never relink the binary that the
# other one is executing (ETXTBSY, "Text file busy").
TEST_FUZZ_CFGS := tiny tiny16
TEST_DEPS := $(SETUP_STAMP) sw $(foreach c,$(TEST_CFGS),$(BUILD)/$(c)/vl/aimc-vl $(BUILD)/$(c)/vl/aimc-test-vl \
        $(BUILD)/$(c)/icarus/sim.vvp $(BUILD)/$(c)/icarus/aimc_vpi.vpi) \
      $(foreach c,$(TEST_FUZZ_CFGS),$(BUILD)/$(c)/busfuzz/bus-fuzz) \
      $(foreach c,$(TEST_FPGA_CFGS),$(BUILD)/$(c)/vl/aimc-vl $(BUILD)/$(c)/vl/aimc-test-vl $(BUILD)/$(c)/uart/aimc-uart-vl \
        $(BUILD)/$(c)/uart/aimc-test-uart-vl \
        $(BUILD)/$(c)/icarus/sim.vvp $(BUILD)/$(c)/icarus/aimc_vpi.vpi)
# test-deps: what make test builds before its tests start (.ci/run builds it beside make lint).
test-deps: $(TEST_DEPS)
test: $(TEST_DEPS)
	@mkdir -p $(BUILD)/reports
	$(PYTHON) tools/run_tests.py --registry tests/registry.txt --build $(call q,$(BUILD)) $(if $(TEST),--filter $(call q,$(TEST))) -j $(call q,$(J))

# test-long: the long tests, kept out of make test for CI's 30 minutes (tests/registry-long.txt); every
# test builds what it needs beyond the C tools.
test-long: $(SETUP_STAMP) sw
	@mkdir -p $(BUILD)/reports/long
	$(PYTHON) tools/run_tests.py --registry tests/registry-long.txt --build $(call q,$(BUILD)) \
	  --report-dir $(call q,$(BUILD))/reports/long --make-target test-long $(if $(TEST),--filter $(call q,$(TEST))) -j $(call q,$(J))

layer-test: $(SETUP_STAMP) $(AIMC) $(AIMC_TEST) $(if $(filter icarus,$(SIM)),icarus) $(if $(filter verilator icarus,$(SIM)),vl)
	@mkdir -p $(call q,$(BUILD))/reports
	tools/layer_test.sh --config $(call q,$(CFG_FILE)) --rows $(call q,$(ROWS)) --cols $(call q,$(COLS)) \
	  --batch $(call q,$(BATCH)) --seed $(call q,$(SEED)) --sim $(call q,$(SIM)) --build $(call q,$(BUILD)) \
	  $(if $(filter 1,$(WAVES)),--waves)

# ---- make sim --------------------------------------------------------------------------------------
# FRONTDOOR=1: the RTL runs load every buffer over the bus; by default configs of at least 2^20
# array cells (edge, large) use the Verilator backdoor (sw/python/sim.py BACKDOOR_CELLS).
FRONTDOOR ?= 0
SIM_REF_CFG ?= ideal64
MODEL_REF_CFG ?= edge_ideal
sim: $(SETUP_STAMP) $(AIMC) vl
	@mkdir -p $(call q,$(BUILD))/reports
ifneq ($(strip $(MODEL)),)
	$(PYTHON) sw/python/sim_model.py --model $(call q,$(MODEL)) --config $(call q,$(CFG_FILE)) \
	  --ref-config $(call q,configs/$(MODEL_REF_CFG).cfg) --build $(call q,$(BUILD)) --seed $(call q,$(SEED)) \
	  $(if $(INPUTS),--inputs $(call q,$(INPUTS))) $(if $(filter 1,$(FRONTDOOR)),--frontdoor)
else
	$(PYTHON) sw/python/sim.py --config $(call q,$(CFG_FILE)) --ref-config $(call q,configs/$(SIM_REF_CFG).cfg) \
	  --build $(call q,$(BUILD)) --seed $(call q,$(SEED)) --net $(call q,$(NET)) $(if $(DATA),--data $(call q,$(DATA))) \
	  $(if $(TRAIN),--train $(call q,$(TRAIN))) $(if $(filter 1,$(FRONTDOOR)),--frontdoor)
endif

# ---- nightly regression (docs/regression.md) -----------------------------------------------------
REGRESSION ?= smoke
SHARD     ?=
RESUME    ?=
RUN       ?=
REGRESS_ARGS = -r $(call q,$(REGRESSION)) --build $(call q,$(BUILD)) $(if $(SHARD),--shard $(call q,$(SHARD))) \
               $(if $(filter 1,$(NOBUILD)),--no-build)
.PHONY: regress-list regress-update regress-build regress-slurm-test
regress: $(SETUP_STAMP)
	@$(if $(filter 1,$(FRONTDOOR)),AIMC_FRONTDOOR=1) $(PYTHON) tools/regress.py run $(REGRESS_ARGS) -j $(call q,$(J)) $(if $(RESUME),--resume $(call q,$(RESUME))) \
	  $(if $(filter 1,$(COV)),--cov)
regress-list:
	@$(PYTHON) tools/regress.py list $(REGRESS_ARGS)
regress-slurm-test: $(SETUP_STAMP)
	PYTHON=$(PYTHON) tests/system/slurm_regress.sh $(BUILD)
regress-build: $(SETUP_STAMP)
	@$(PYTHON) tools/regress.py build $(REGRESS_ARGS)
regress-update: $(SETUP_STAMP)
	@$(PYTHON) tools/regress.py update $(REGRESS_ARGS) -j $(call q,$(J)) $(if $(RUN),--run $(call q,$(RUN))) \
	  $(if $(filter 1,$(FORCE)),--force)

# ---- formal: bounded proofs of the `ifdef FORMAL` properties, and each block's injected bug ----------
FORMAL_BLOCKS := axil seq arb wdog acc bridge pv post tile
formal: $(SETUP_STAMP)
	@mkdir -p $(BUILD)/reports && rm -f $(BUILD)/reports/formal.json
	@fail=0; for b in $(FORMAL_BLOCKS); do \
	  tests/formal/prove.sh $$b --build $(BUILD) || fail=1; \
	  tests/formal/prove.sh $$b --bug --build $(BUILD) || fail=1; \
	done; tests/formal/post_final.sh --build $(BUILD) || fail=1; \
	tests/formal/post_final.sh --bug --build $(BUILD) || fail=1; \
	echo "formal: report $(BUILD)/reports/formal.json"; exit $$fail

# ---- fuzzing: the network-file loader under libFuzzer + ASan + UBSan (tools/fuzz.sh) -----------------
FUZZ_TIME ?= 600
fuzz: $(SETUP_STAMP)
	PYTHON=$(PYTHON) tools/fuzz.sh --build $(call q,$(BUILD)) --time $(call q,$(FUZZ_TIME)) --seed $(call q,$(SEED))
	PYTHON=$(PYTHON) tools/fuzz_config.sh --build $(call q,$(BUILD)) --time $(call q,$(FUZZ_TIME)) --seed $(call q,$(SEED))

# ---- sanitizers: library, CLI, unit tests under ASan + UBSan in $(BUILD)/sanitize (tools/sanitize.sh) --
.PHONY: sanitize
# SAN_TEST / SAN_SKIP: comma-separated substrings of test names to run / leave out (not TEST: a
# `make test TEST=...` would hand its TEST down to the registry's `make sanitize`).
SAN_TEST ?=
SAN_SKIP ?=
sanitize: $(SETUP_STAMP)
	PYTHON=$(PYTHON) tools/sanitize.sh --build $(call q,$(BUILD)) -j $(call q,$(J)) $(if $(SAN_TEST),--filter $(call q,$(SAN_TEST))) \
	  $(if $(SAN_SKIP),--skip $(call q,$(SAN_SKIP)))

# ---- bus and program fuzzing of the RTL (tests/system/bus_fuzz.c): a test executable linked with the
# Verilator model like aimc-vl, without the CLI: $(BUILD)/<cfg>/busfuzz/bus-fuzz (make bus-fuzz CONFIG=tiny)
.PHONY: bus-fuzz
BUSFUZZ_OBJ := $(BUILD)/obj/tests/system/bus_fuzz.o
$(BUSFUZZ_OBJ): tests/system/bus_fuzz.c $(HDRS) tb/verilator/aimc_vl.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itb/verilator -c $< -o $@
# The bus fuzzer of config $(1) in directory $(2) ($(2)/busfuzz/bus-fuzz), extra Verilator flags $(3).
BUSFUZZ_BUILD = $(call VL_PARAMS_H,$(2)/busfuzz/obj,$(BUILD)/$(1)/rtl-params.verilator) && \
	  $(VERILATOR) --cc --exe --build -j 2 $(VL_FLAGS) $(3) --top-module aimc_top \
	  --Mdir $(2)/busfuzz/obj -o ../bus-fuzz $$(cat $(BUILD)/$(1)/rtl-params.verilator) \
	  -f $(RTL_F) -f $(DV_F) $(abspath $(VL_CPP) $(DPI_SRCS)) \
	  -CFLAGS "-O2 -std=c++17 -I$(CURDIR)/sw/include -I$(CURDIR)/analog_models/c -I$(CURDIR)/tb/verilator -ffp-contract=off" \
	  -LDFLAGS "$(abspath $(BUSFUZZ_OBJ)) $(abspath $(LIBAIMC)) $(LDLIBS)" \
	  > $(2)/busfuzz/build.log 2>&1 || { tail -40 $(2)/busfuzz/build.log; exit 1; }
# $(1) = config name; the fuzzer and its coverage build (make cov: tools/cov.sh runs the registry's
# bus_fuzz tests on it).
# The fuzzer is linked from the objects of the config's Verilator model (BUILD/<cfg>/vl/obj: one more
# link, no second Verilator compile; tests/chip/vl_link.mk), as make cov's is from the coverage model.
define BUSFUZZ_RULES
$(BUILD)/$(1)/busfuzz/bus-fuzz: $(BUILD)/$(1)/vl/aimc-vl $(BUSFUZZ_OBJ) $(LIBAIMC)
	@mkdir -p $$(@D)
	@rm -f $$@
	MAKEFLAGS= $(MAKE) -s -C $(BUILD)/$(1)/vl/obj -f Vaimc_top.mk -f $(CURDIR)/tests/chip/vl_link.mk \
	  VL_LINK_OUT=$$(abspath $$@) VL_LINK_LIBS="$(abspath $(BUSFUZZ_OBJ) $(LIBAIMC)) $(LDLIBS)" vl-link \
	  > $(BUILD)/$(1)/busfuzz/link.log 2>&1 || { tail -20 $(BUILD)/$(1)/busfuzz/link.log; exit 1; }
$(BUILD)/cov/$(1)/busfuzz/bus-fuzz: $(BUILD)/$(1)/rtl-params.verilator $(RTL_F) $$(RTL_SRCS) $(DV_F) $(DV_SRCS) $(VL_CPP) \
                                    $(VL_HDRS) $(DPI_SRCS) $(LIBAIMC) $(BUSFUZZ_OBJ)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(call BUSFUZZ_BUILD,$(1),$(BUILD)/cov/$(1),$(VL_COV_FLAGS))
endef
$(foreach c,$(sort $(ALL_CFGS) $(CFG_NAME)),$(eval $(call BUSFUZZ_RULES,$(c))))
bus-fuzz: $(CFG_DIR)/busfuzz/bus-fuzz

# ---- coverage: line + toggle over the chip-level tests of the registry --------------------------------
# COV_CFGS: the test configs plus the corners no test config has (ice40: no conflict check, no
# tfl, 16-bit counters; sar: the SAR ADC; ideal_slice2: bit-sliced weights). The run ends with
# the floor check of tools/cov_check.py (tests/cov/exclusions.txt lists each bit left uncovered).
# COV_SAME_RTL: test configs left out because their RTL is another's of the list (the same
# `aimc config --rtl-params`, a different analog model only: pcm and reram are base's array):
# their coverage model would be that config's, built again. make cov checks the claim first.
COV_SAME_RTL ?= pcm reram
COV_CFGS ?= $(filter-out $(COV_SAME_RTL),$(TEST_CFGS)) ice40 sar ideal_slice2
COV_TOGGLE_FLOOR ?= 90
COV_LINE_FLOOR ?= 95
# COV_FUZZ_CFGS: the configs whose bus fuzzer (tests/system/bus_fuzz.c) runs on the coverage model
# (the registry's bus_fuzz tests and tests/cov/registry.txt's). The fuzzer is linked from the
# coverage model's own objects (BUILD/cov/<cfg>/vl/bus-fuzz): one more link, no second Verilator
# compile (tests/chip/vl_link.mk).
COV_FUZZ_CFGS ?= tiny tiny16 ideal2 small
# COV_APPEND=1: keep the counts of the earlier make cov runs and add this one's (a run split by
# COV_CFGS into parts; the report and the floor speak of the union).
COV_APPEND ?= 0
define COV_FUZZ_RULES
$(BUILD)/cov/$(1)/vl/bus-fuzz: $(BUILD)/cov/$(1)/vl/aimc-vl $(BUSFUZZ_OBJ) $(LIBAIMC)
	MAKEFLAGS= $(MAKE) -s -C $(BUILD)/cov/$(1)/vl/obj -f Vaimc_top.mk -f $(CURDIR)/tests/chip/vl_link.mk \
	  VL_LINK_OUT=$$(abspath $$@) VL_LINK_LIBS="$(abspath $(BUSFUZZ_OBJ) $(LIBAIMC)) $(LDLIBS)" vl-link \
	  > $(BUILD)/cov/$(1)/vl/fuzz-link.log 2>&1 || { tail -20 $(BUILD)/cov/$(1)/vl/fuzz-link.log; exit 1; }
endef
$(foreach c,$(sort $(COV_FUZZ_CFGS)),$(eval $(call COV_FUZZ_RULES,$(c))))
# Each config of COV_SAME_RTL has the RTL parameters of a config make cov runs, or make cov stops.
.PHONY: cov-same-rtl
cov-same-rtl: $(AIMC)
	@set -e; for s in $(foreach s,$(COV_SAME_RTL),$(call q,$(s))); do \
	  p=$$($(AIMC) config --rtl-params verilator "configs/$$s.cfg"); ok=; \
	  for c in $(foreach c,$(COV_CFGS),$(call q,$(c))); do \
	    [ "$$p" = "$$($(AIMC) config --rtl-params verilator "configs/$$c.cfg")" ] && { ok=$$c; break; }; \
	  done; \
	  [ -n "$$ok" ] || { echo "cov: $$s is in COV_SAME_RTL but no config of COV_CFGS has its RTL parameters" >&2; exit 1; }; \
	done
cov: $(SETUP_STAMP) sw cov-same-rtl $(foreach c,$(COV_CFGS),$(BUILD)/cov/$(c)/vl/aimc-vl $(BUILD)/cov/$(c)/vl/aimc-test-vl) \
     $(foreach c,$(COV_FUZZ_CFGS),$(BUILD)/cov/$(c)/vl/bus-fuzz)
	PYTHON=$(PYTHON) COV_FUZZ_CFGS=$(call q,$(COV_FUZZ_CFGS)) COV_APPEND=$(call q,$(COV_APPEND)) \
	  tools/cov.sh $(BUILD) $(COV_CFGS)
	$(PYTHON) tools/cov_check.py --report $(BUILD)/reports/cov.json --configs "$(COV_CFGS)" --toggle-floor $(COV_TOGGLE_FLOOR) \
	  --line-floor $(COV_LINE_FLOOR)

# ---- analog: IR drop vs ngspice, Verilog-A models vs the C model (both also in `make test`) -----------
.PHONY: irdrop-check veriloga-check
irdrop-check: $(SETUP_STAMP) sw
	$(BUILD)/tests/unit/analog/test_irdrop_spice --seed $(call q,$(SEED)) --out $(call q,$(BUILD)/irdrop)
veriloga-check: $(SETUP_STAMP) $(AIMC)
	$(PYTHON) tools/veriloga_check.py --build $(call q,$(BUILD)) --seed $(call q,$(SEED))


# ---- sweep: digits MLP accuracy vs ADC/DAC bits, programming error, read noise, drift (C model) ------
SWEEP_CONFIG ?= base
SWEEP_SEEDS  ?= 1,2,3
sweep: $(SETUP_STAMP) $(AIMC)
	$(PYTHON) sw/python/sweep.py --config $(call q,$(SWEEP_CONFIG)) --build $(call q,$(BUILD)) --seeds $(call q,$(SWEEP_SEEDS))
	$(PYTHON) sw/python/sweep_slices.py --config reram --build $(call q,$(BUILD)) --seeds $(call q,$(SWEEP_SEEDS))

# ---- design-space exploration: TOPS/W and TOPS per tile vs DAC bits, ADC sharing, tile size -------
# (docs/sim.md; DSE_ARGS e.g. --samples 360 --post-lanes 8 --no-rtl)
DSE_ARGS ?=
.PHONY: dse
dse: $(SETUP_STAMP) $(AIMC) $(AIMC_TEST)
	@mkdir -p $(call q,$(BUILD))/dse $(call q,$(BUILD))/reports
	nice $(PYTHON) sw/python/dse.py --build $(call q,$(BUILD)) --seed $(call q,$(SEED)) $(DSE_ARGS)

# ---- benchmark: C-model MVM vs OpenBLAS sgemv / dgemv, same run (bench/aimc_bench.c) --------------
# The program removes OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for its own run (re-executing itself);
# tests and CI keep them. BENCH_ARGS: e.g. --threads 2, --min-time 1, --keep-openblas-env.
BENCH_BIN := $(BUILD)/bench/aimc_bench
$(BENCH_BIN): bench/aimc_bench.c $(LIBAIMC) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LIBAIMC) $(LDLIBS)
# tools/bench.py: every row of issue 17's table (goal, met) + the MLPerf Tiny models (C model,
# LiteRT, one inference of each on the RTL of edge) into build/reports/bench.json; BENCH_RTL=1
# adds the slow RTL rows (the 1024 tile on large, Icarus vs Verilator: minutes).
BENCH_RTL ?= 0
BENCH_PY_ARGS ?=
bench: $(SETUP_STAMP) $(BENCH_BIN) $(AIMC) $(BUILD)/edge/vl/aimc-vl $(BUILD)/base/vl/aimc-vl \
       $(BUILD)/base/vl/aimc-test-vl
	@mkdir -p $(BUILD)/reports
	OPENBLAS_NUM_THREADS=1 $(PYTHON) tools/bench.py --build $(call q,$(BUILD)) --bench-bin $(BENCH_BIN) \
	  --bench-args $(call q,$(BENCH_ARGS)) $(if $(filter 1,$(BENCH_RTL)),--rtl) $(BENCH_PY_ARGS)

# ---- FPGA prototype: make fpga BOARD=icebreaker|ulx3s (docs/fpga-bringup.md) ----------------------
BOARD     ?= icebreaker
FPGA_ARGS ?=
fpga: $(SETUP_STAMP) $(AIMC)
	$(PYTHON) tools/fpga.py --board $(call q,$(BOARD)) --aimc $(AIMC) --build $(call q,$(BUILD)) $(FPGA_ARGS)


clean:
	rm -rf $(BUILD)
