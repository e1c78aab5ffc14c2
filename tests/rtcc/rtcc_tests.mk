# tests/rtcc/rtcc_tests.mk - tests of rtcc, its rewriter and the trampolines.
#
#   check-rtcc-rewrite     CUnit: probes land where they must (tests/rtcc/inputs/*.s)
#   check-rtcc-trampoline  CUnit: rt_regs filled, every register and flag restored
#   check-rtcc-smoke       shell: rtcc under gcc and clang in every form of cc
#                          command line; instrumented programs print what the
#                          untraced build prints; nothing left in TMPDIR

RTCC_TEST_REWRITE    := $(TESTS_BIN)/test_rewrite
RTCC_TEST_TRAMPOLINE := $(TESTS_BIN)/test_trampoline

$(RTCC_TEST_REWRITE): $(OBJ)/tests/rtcc/test_rewrite.o $(OBJ)/cc-wrapper/rewrite.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CUNIT_LIBS)

$(RTCC_TEST_TRAMPOLINE): $(OBJ)/tests/rtcc/test_trampoline.o \
                         $(OBJ)/tests/rtcc/trampoline_harness.o $(RTCC_PROBE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CUNIT_LIBS)

.PHONY: check-rtcc-rewrite check-rtcc-trampoline check-rtcc-smoke check-rtcc
check-rtcc-rewrite: $(RTCC_TEST_REWRITE)
	$(RTCC_TEST_REWRITE) tests/rtcc/inputs

check-rtcc-trampoline: $(RTCC_TEST_TRAMPOLINE)
	$(RTCC_TEST_TRAMPOLINE)

# The real runtime is used too when the runtime part has built it.
check-rtcc-smoke: $(BIN)/rtcc $(RTCC_PROBE_OBJ)
	sh tests/rtcc/smoke.sh "$(BIN)" "$(LIBD)" "$(BUILD)/tests/rtcc-smoke"

check-rtcc: check-rtcc-rewrite check-rtcc-trampoline check-rtcc-smoke

CHECK_TARGETS += check-rtcc-rewrite check-rtcc-trampoline check-rtcc-smoke
