# tests/valgrind/valgrind_tests.mk - the runtime and rtrace under Valgrind
# (memcheck), where the sanitizers cannot go (the runtime lives inside the
# traced program: its own signal handlers, alternate stacks, the
# fault-recovering rt_safe_copy, interposed libc functions).
#
#   check-valgrind  traced samples (JSON, binary, threads, wild pointers) and
#                   rtrace on the goldens and on recorded traces, under
#                   memcheck (valgrind_test.sh); prints
#                   "valgrind: N passed, M failed". About 25 s.
GOLDEN_DIR ?= $(CURDIR)/../shared/golden

.PHONY: check-valgrind
check-valgrind: $(RT_SO) $(BIN)/rtcc $(BIN)/rtrace $(LIBD)/rtrace_probe.o
	sh tests/valgrind/valgrind_test.sh $(BIN) $(BUILD)/tests/valgrind $(GOLDEN_DIR)

CHECK_TARGETS += check-valgrind
