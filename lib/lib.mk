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
# The writing half (encoders, sink, side files, tracer): what rtrace-calc and
# the lib tests link, so they build even while the reading half is in progress.
LIB_WRITER_SRCS := $(addprefix lib/,error.c arena.c event.c encode.c encode_json.c encode_cbor.c \
                     utf8.c base64.c floatfmt.c sink.c sidefiles.c tracer.c)
LIB_WRITER_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(LIB_WRITER_SRCS))
LIB_A      := $(LIBD)/librtrace.a
LIB_SO     := $(LIBD)/librtrace.so

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

LIB_SO0    := $(LIBD)/librtrace.so.0

$(LIB_SO): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,librtrace.so.0 -o $@ $^ $(LIB_LDLIBS)

# The soname's file, so that programs linked with -lrtrace find it at run
# time (install's cp copies it as a plain file next to librtrace.so).
$(LIB_SO0): $(LIB_SO)
	ln -sf librtrace.so $@

.PHONY: lib
lib: $(LIB_A) $(LIB_SO) $(LIB_SO0)

ALL_TARGETS  += $(LIB_A) $(LIB_SO) $(LIB_SO0)
INSTALL_LIBS += $(LIB_A) $(LIB_SO) $(LIB_SO0)

-include samples/calc/calc.mk
