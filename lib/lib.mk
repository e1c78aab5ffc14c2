# lib/lib.mk - the rtrace format library (librtrace.a / librtrace.so).
#
# Every lib/*.c joins the library (the writing half: encoders, sink, tracer;
# the reading half: readers, validator), so new files need no edit here.
# Objects come from the generic $(OBJ)/%.o rule of the top-level Makefile.
# The runtime links $(LIB_OBJS) straight into its own .so.

RTRACE_VERSION := 0.1.0
LIB_SRCS   := $(wildcard lib/*.c)
LIB_OBJS   := $(patsubst %.c,$(OBJ)/%.o,$(LIB_SRCS))
LIB_LDLIBS := -lzstd -lcjson -lm
LIB_A      := $(LIBD)/librtrace.a
LIB_SO     := $(LIBD)/librtrace.so

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,librtrace.so.0 -o $@ $^ $(LIB_LDLIBS)

.PHONY: lib
lib: $(LIB_A) $(LIB_SO)

ALL_TARGETS  += $(LIB_A) $(LIB_SO)
INSTALL_LIBS += $(LIB_A) $(LIB_SO)

-include samples/calc/calc.mk
