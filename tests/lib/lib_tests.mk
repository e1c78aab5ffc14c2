# tests/lib/lib_tests.mk - the lib part's CUnit runner, built twice: plain
# and with AddressSanitizer + UBSan ($(SAN_FLAGS)). The sanitized runner
# compiles the writer's library sources itself into $(BUILD)/obj-san-lib, so the
# normal objects are never mixed with instrumented ones. Both run in
# `make check` (target lib-check); they also run rtrace-calc on its example.
#
# The runners link only the writing half of the library (the files listed in
# LIB_WRITER_SRCS, lib/lib.mk): they test nothing else, and so do not break
# while the reading half is being written.

GOLDEN_DIR ?= $(CURDIR)/../shared/golden

LIB_TEST_SRCS := $(wildcard tests/lib/*.c)
LIB_TEST_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(LIB_TEST_SRCS))
LIB_TEST_BIN  := $(TESTS_BIN)/lib_tests
LIB_TEST_SAN  := $(TESTS_BIN)/lib_tests_san
LIB_SAN_OBJDIR := $(BUILD)/obj-san-lib
LIB_SAN_OBJS  := $(patsubst %.c,$(LIB_SAN_OBJDIR)/%.o,$(LIB_WRITER_SRCS) $(LIB_TEST_SRCS))
LIB_TEST_LIBS := $(CUNIT_LIBS) -lcjson -lzstd -lm
# UBSan's default set leaves out float->int conversion overflow: add it.
LIB_SAN_FLAGS := $(SAN_FLAGS) -fsanitize=float-cast-overflow

$(LIB_TEST_BIN): $(LIB_TEST_OBJS) $(LIB_WRITER_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LIB_TEST_LIBS)

$(LIB_SAN_OBJDIR)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIB_SAN_FLAGS) $(DEPFLAGS) -c $< -o $@

$(LIB_TEST_SAN): $(LIB_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LIB_SAN_FLAGS) -o $@ $^ $(LIB_TEST_LIBS)

LIB_TEST_ENV = GOLDEN_DIR='$(GOLDEN_DIR)' RTRACE_CALC='$(CALC_BIN)' \
               CALC_EXAMPLE='$(CURDIR)/samples/calc/examples/fib.calc'

.PHONY: lib-check lib-check-plain lib-check-san
lib-check: lib-check-plain lib-check-san
lib-check-plain: $(LIB_TEST_BIN) $(CALC_BIN)
	$(LIB_TEST_ENV) $(LIB_TEST_BIN)
lib-check-san: $(LIB_TEST_SAN) $(CALC_BIN)
	$(LIB_TEST_ENV) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(LIB_TEST_SAN)

CHECK_TARGETS += lib-check

-include $(shell find $(LIB_SAN_OBJDIR) -name '*.d' 2>/dev/null)
