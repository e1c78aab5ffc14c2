# tests/runtime/core_tests.mk - CUnit tests of the runtime core (owned by the
# core part; included by tests/runtime/runtime_tests.mk).
#
# The core's objects are linked alone with the format library: the test file
# stubs the few lifecycle functions they call, so these tests do not depend
# on the lifecycle or the DWARF loader.

CORE_TEST_BIN  := $(TESTS_BIN)/core_tests
CORE_TEST_OBJS := $(OBJ)/runtime/capture.o $(OBJ)/runtime/defs.o $(OBJ)/runtime/filter.o \
                  $(OBJ)/runtime/step.o $(OBJ)/tests/runtime/core_tests.o

$(CORE_TEST_BIN): $(CORE_TEST_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CORE_TEST_OBJS) $(LIB_A) $(CUNIT_LIBS) $(LIB_LDLIBS) -lpthread

.PHONY: check-core
check-core: $(CORE_TEST_BIN)
	$(CORE_TEST_BIN)

CHECK_TARGETS += check-core

# End to end (tests/runtime/core_e2e.sh): the core's programs compiled with
# rtcc under gcc and clang, recorded and checked (crash event, longjmp, VLA,
# long double, dlopen, RTRACE_FILTER, RTRACE_MODE=calls).
.PHONY: check-core-e2e
check-core-e2e: $(BIN)/rtcc $(BIN)/rtrace $(LIBD)/librtrace_rt.so $(LIBD)/rtrace_probe.o
	sh tests/runtime/core_e2e.sh $(BIN) $(BUILD)/tests/core-e2e

CHECK_TARGETS += check-core-e2e
