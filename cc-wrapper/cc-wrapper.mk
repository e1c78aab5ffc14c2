# cc-wrapper/cc-wrapper.mk - rtcc (the tracing C compiler driver) and the
# probe trampolines object every instrumented module links.
#
#   $(BIN)/rtcc               the driver (cc-wrapper/*.c)
#   $(LIBD)/rtrace_probe.o    runtime/arch/x86_64/trampoline.S, linked hidden
#                             into each instrumented executable / shared object
#   $(LIBD)/librtcc_rewrite.a the rewriter alone (for tests/rtcc)

RTCC_SRCS := cc-wrapper/rtcc.c cc-wrapper/help.c cc-wrapper/args.c cc-wrapper/spawn.c \
             cc-wrapper/elfcheck.c cc-wrapper/rewrite.c
RTCC_OBJS := $(RTCC_SRCS:%.c=$(OBJ)/%.o)
RTCC_PROBE_OBJ := $(LIBD)/rtrace_probe.o

$(BIN)/rtcc: $(RTCC_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lelf

$(LIBD)/librtcc_rewrite.a: $(OBJ)/cc-wrapper/rewrite.o
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# The trampolines carry CFI (gdb and backtrace() unwind through them) but no
# line table: gdb's `step` then steps over a probe call instead of into
# trampoline.S, in every instrumented program.
$(OBJ)/runtime/arch/x86_64/trampoline.o: ALL_CFLAGS += -g0

$(RTCC_PROBE_OBJ): $(OBJ)/runtime/arch/x86_64/trampoline.o
	@mkdir -p $(@D)
	cp $< $@

ALL_TARGETS += $(BIN)/rtcc $(RTCC_PROBE_OBJ)
INSTALL_LIBS += $(RTCC_PROBE_OBJ)

# rtcc(1), generated from the same tables as --help (rtcc --man).
RTCC_MAN := $(BUILD)/share/man/man1/rtcc.1
$(RTCC_MAN): $(BIN)/rtcc
	@mkdir -p $(@D)
	$(BIN)/rtcc --man > $@.tmp && mv $@.tmp $@
ALL_TARGETS += $(RTCC_MAN)
