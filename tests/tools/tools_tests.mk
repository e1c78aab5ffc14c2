# tests/tools/tools_tests.mk - tests of the `rtrace` command (shell: exit
# codes, messages, round trips, repair, the hand-derived gdb listing).
GOLDEN_DIR ?= $(CURDIR)/../shared/golden

.PHONY: check-tools
check-tools: $(RTRACE_BIN)
	sh tests/tools/tools_test.sh $(RTRACE_BIN) $(GOLDEN_DIR) $(BUILD)/tools-test

CHECK_TARGETS += check-tools
