# tests/tools/tools_tests.mk - tests of the `rtrace` command (shell: exit
# codes, messages, round trips, repair, the hand-derived gdb listing), run
# on the normal build and on a sanitized build of rtrace (a sanitizer report
# exits 99, which no check expects).
GOLDEN_DIR ?= $(CURDIR)/../shared/golden

RTRACE_SAN := $(TESTS_BIN)/rtrace_san
$(RTRACE_SAN): $(patsubst %.c,$(BUILD)/san-reader/%.o,$(RTRACE_SRCS) $(wildcard lib/*.c))
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIB_LDLIBS)

.PHONY: check-tools check-tools-man check-tools-real
check-tools: $(RTRACE_BIN) $(RTRACE_SAN) check-tools-man check-tools-real
	sh tests/tools/tools_test.sh $(RTRACE_BIN) $(GOLDEN_DIR) $(BUILD)/tools-test
	ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=exitcode=99:print_stacktrace=1 \
	    sh tests/tools/tools_test.sh $(RTRACE_SAN) $(GOLDEN_DIR) $(BUILD)/tools-test-san

# rtrace on traces rtcc-built programs really write (killed, threaded,
# crashed, broken side files): needs rtcc and the runtime, which `all` builds.
check-tools-real: all
	sh tests/tools/real_traces.sh $(BIN)/rtcc $(RTRACE_BIN) $(BUILD)/tools-real-test

# The man pages (rtrace.1, rtcc.1) against --help, and `make install` of
# both: needs every target (install does), so it waits for `all`.
check-tools-man: all
	MAKE="$(MAKE)" sh tests/tools/man_test.sh $(RTRACE_BIN) $(BIN)/rtcc $(BUILD) $(BUILD)/tools-man-test

CHECK_TARGETS += check-tools
