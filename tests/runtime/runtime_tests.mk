# tests/runtime/runtime_tests.mk - the runtime's tests.
#
#   check-runtime   the lifecycle tests: the CUnit runner (configuration,
#                   output path, safe copy, signals) and the programs of
#                   tests/runtime/progs/ built with rtcc (run_progs.sh);
#                   prints "runtime: N passed, M failed".
#
# Other fragments of this folder (core_tests.mk, ...) are included here.
-include $(filter-out tests/runtime/runtime_tests.mk,$(wildcard tests/runtime/*_tests.mk))

RT_UNIT_BIN := $(TESTS_BIN)/runtime_lifecycle_unit
RT_UNIT_OBJ := $(OBJ)/tests/runtime/lifecycle_unit.o

$(RT_UNIT_OBJ): ALL_CFLAGS += -Iruntime

# The runner links the runtime's objects directly (its internal names are
# hidden in the .so) and the format library.
$(RT_UNIT_BIN): $(RT_UNIT_OBJ) $(RT_OBJS) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $(RT_UNIT_OBJ) $(RT_OBJS) $(LIB_OBJS) $(RT_LDLIBS) $(CUNIT_LIBS)

.PHONY: check-runtime
check-runtime: $(RT_UNIT_BIN) $(RT_SO) $(BIN)/rtcc $(BIN)/rtrace $(LIBD)/rtrace_probe.o
	sh tests/runtime/run_progs.sh $(BIN) $(BUILD)/tests/runtime-progs $(RT_UNIT_BIN)

CHECK_TARGETS += check-runtime
