# samples/calc/calc.mk - rtrace-calc, the sample interpreter that records
# the programs it runs through the tracer API (included by lib/lib.mk).

CALC_SRCS := $(wildcard samples/calc/*.c)
CALC_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(CALC_SRCS))
CALC_BIN  := $(BIN)/rtrace-calc

# Linked with the writer's objects only (what a static link of librtrace.a
# would pull in anyway), so it builds while the reading half is in progress.
$(CALC_BIN): $(CALC_OBJS) $(LIB_WRITER_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CALC_OBJS) $(LIB_WRITER_OBJS) $(LIB_LDLIBS)

ALL_TARGETS += $(CALC_BIN)
