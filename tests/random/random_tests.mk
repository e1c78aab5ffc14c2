# tests/random/random_tests.mk - random programs (csmith) recorded with rtcc:
# same output and status as untraced, valid traces (tests/random/csmith_test.sh).
.PHONY: check-random
CHECK_TARGETS += check-random
check-random: $(BIN)/rtcc $(BIN)/rtrace $(LIBD)/librtrace_rt.so $(LIBD)/rtrace_probe.o | $(DEPS_STAMP)
	sh tests/random/csmith_test.sh $(BIN) $(BUILD)/tests/random
