# tests/diff/diff_tests.mk - the differential tests: every sample recorded by rtcc must step
# exactly as gdb steps its untraced build (check-diff), and a real multi-file project must
# build and record through `make CC=rtcc` and cmake (check-project); the harness's own test
# (check-diff-self: gdb_steps.py against hand-written listings, the comparator's verdicts).
#   make check-diff DIFF_SAMPLES=samples/loops.c DIFF_CCS=gcc    (one sample, one compiler)
DIFF_SAMPLES ?= $(sort $(wildcard samples/*.c)) samples/multi samples/twostatic
DIFF_CCS     ?= gcc clang
DIFF_OUT     := $(BUILD)/tests/diff
DIFF_NEEDS   := $(BIN)/rtcc $(BIN)/rtrace $(LIBD)/librtrace_rt.so

.PHONY: check-diff-self check-diff check-project
CHECK_TARGETS += check-diff-self check-diff check-project

check-diff-self:
	@sh tests/diff/selftest/selftest.sh $(DIFF_OUT)/self

check-diff: $(DIFF_NEEDS)
	@mkdir -p $(DIFF_OUT)
	@sh tests/diff/run_all.sh $(BIN) $(DIFF_OUT) "$(DIFF_CCS)" $(DIFF_SAMPLES)

check-project: $(DIFF_NEEDS)
	@sh tests/diff/project_test.sh $(BIN) $(BUILD)/tests/project
