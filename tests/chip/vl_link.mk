# SPDX-License-Identifier: Apache-2.0
# A second executable from a Verilator obj dir that already built its own (aimc-vl, aimc-uart-vl):
# the same model archive, runtime and harness objects, other user libraries (the chip tests), with
# Verilator's own link flags. Read after the obj dir's V<top>.mk (the top Makefile, VL_TEST_LINK):
#   make -C OBJDIR -f V<top>.mk -f vl_link.mk VL_LINK_OUT=PATH VL_LINK_LIBS="OBJECTS AND LIBS" vl-link
# VL_LINK_LIBS replaces the product's objects and archives of -LDFLAGS; the system libraries there
# (-l..., Verilator's -lz of a trace build among them) stay.
override VM_USER_LDLIBS := $(VL_LINK_LIBS) $(filter -l%,$(VM_USER_LDLIBS))
.PHONY: vl-link
vl-link: $(VK_USER_OBJS) $(VK_GLOBAL_OBJS) $(VM_PREFIX)__ALL.a $(VM_HIER_LIBS)
	$(LINK) $(LDFLAGS) $^ $(LOADLIBES) $(LDLIBS) $(LIBS) $(SC_LIBS) -o $(VL_LINK_OUT)
