# tests/tests.mk - every part's tests. Each part keeps its tests in its own
# folder with its own fragment, which adds its runnable targets to CHECK_TARGETS.
# Test binaries go to $(BUILD)/tests/.
TESTS_BIN := $(BUILD)/tests
CUNIT_LIBS := -lcunit
# Sanitizer builds of the library tests use their own object folder.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

-include tests/lib/lib_tests.mk
-include tests/reader/reader_tests.mk
-include tests/tools/tools_tests.mk
-include tests/rtcc/rtcc_tests.mk
-include tests/dwarf/dwarf_tests.mk
-include tests/runtime/runtime_tests.mk
-include tests/diff/diff_tests.mk
-include tests/valgrind/valgrind_tests.mk
-include tests/random/random_tests.mk
