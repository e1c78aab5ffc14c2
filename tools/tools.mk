# tools/tools.mk - the `rtrace` command (tools/rtrace/, one file per command).
# Links the static format library and its libraries.
RTRACE_SRCS := $(wildcard tools/rtrace/*.c)
RTRACE_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(RTRACE_SRCS))
RTRACE_BIN  := $(BIN)/rtrace

$(RTRACE_BIN): $(RTRACE_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(RTRACE_OBJS) $(LIB_A) $(LIB_LDLIBS)

.PHONY: rtrace
rtrace: $(RTRACE_BIN)
ALL_TARGETS += $(RTRACE_BIN)

# rtrace(1), generated from the same tables as --help (rtrace --man).
RTRACE_MAN := $(BUILD)/share/man/man1/rtrace.1
$(RTRACE_MAN): $(RTRACE_BIN)
	@mkdir -p $(@D)
	$(RTRACE_BIN) --man > $@.tmp && mv $@.tmp $@
ALL_TARGETS += $(RTRACE_MAN)
