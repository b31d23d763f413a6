# SPDX-License-Identifier: Apache-2.0
# A second executable from a Verilator obj dir that already built its own (aimc-vl, aimc-uart-vl):
# the same model archive, runtime and harness objects, other user libraries (the chip tests), with
# Verilator's own link flags. Read after the obj dir's V<top>.mk (the top Makefile, VL_TEST_LINK):
#   make -C OBJDIR -f V<top>.mk -f vl_link.mk VL_LINK_OUT=PATH VM_USER_LDLIBS="LIBS" vl-link
.PHONY: vl-link
vl-link: $(VK_USER_OBJS) $(VK_GLOBAL_OBJS) $(VM_PREFIX)__ALL.a $(VM_HIER_LIBS)
	$(LINK) $(LDFLAGS) $^ $(LOADLIBES) $(LDLIBS) $(LIBS) $(SC_LIBS) -o $(VL_LINK_OUT)
