# tests/dwarf/dwarf_tests.mk - tests of the runtime's DWARF tables
# (runtime/dwarf*.c). The test programs in tests/dwarf/progs/ are compiled
# with gcc and clang into $(BUILD)/tests/dwarf/, the loader is compiled
# straight from its sources into two CUnit runners (plain, and with the
# sanitizers), and `make check-dwarf` runs both.

DWARF_T       := $(TESTS_BIN)/dwarf
DWARF_PSRC    := tests/dwarf/progs
DWARF_SRCS    := $(sort $(wildcard runtime/dwarf*.c))
DWARF_HDRS    := runtime/dwarf.h $(wildcard runtime/dwarf_*.h) runtime/arch/x86_64/regs.h
DWARF_PFLAGS  := -g -O0 -fno-omit-frame-pointer
DWARF_LIBS    := -ldwarf -lelf

DWARF_PROGS := $(foreach c,gcc clang,$(DWARF_T)/scopes-$(c) $(DWARF_T)/types-$(c) \
                                      $(DWARF_T)/multi-$(c) $(DWARF_T)/opt-$(c) $(DWARF_T)/cold-$(c)) \
               $(DWARF_T)/cold-dw4 $(DWARF_T)/opt-dw4 $(DWARF_T)/libshlib.so $(DWARF_T)/multi-cdw4 \
               $(DWARF_T)/nested-gcc $(DWARF_T)/multi-gz $(DWARF_T)/multi-zgnu \
               $(DWARF_T)/scopes-dw4 $(DWARF_T)/scopes-gz $(DWARF_T)/types-dw3 $(DWARF_T)/types-dw2 \
               $(DWARF_T)/scopes-stripped $(DWARF_T)/scopes-nodebug $(DWARF_T)/scopes-nolines \
               $(DWARF_T)/big

.PHONY: check-dwarf
CHECK_TARGETS += check-dwarf

# static pattern rules: each program is built exactly one way
$(DWARF_T)/scopes-gcc $(DWARF_T)/types-gcc $(DWARF_T)/nested-gcc: $(DWARF_T)/%-gcc: $(DWARF_PSRC)/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) $< -o $@
$(DWARF_T)/scopes-clang $(DWARF_T)/types-clang: $(DWARF_T)/%-clang: $(DWARF_PSRC)/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(DWARF_PFLAGS) $< -o $@
$(DWARF_T)/multi-gcc $(DWARF_T)/multi-clang: $(DWARF_T)/multi-%: $(DWARF_PSRC)/multi_a.c \
		$(DWARF_PSRC)/multi_b.c $(DWARF_PSRC)/multi.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$* $(DWARF_PFLAGS) $(DWARF_PSRC)/multi_a.c $(DWARF_PSRC)/multi_b.c -o $@
$(DWARF_T)/multi-cdw4: $(DWARF_PSRC)/multi_a.c $(DWARF_PSRC)/multi_b.c $(DWARF_PSRC)/multi.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(DWARF_PFLAGS) -gdwarf-4 $(DWARF_PSRC)/multi_a.c $(DWARF_PSRC)/multi_b.c -o $@
# -O1: parameters in registers, described by location lists
$(DWARF_T)/opt-gcc $(DWARF_T)/opt-clang: $(DWARF_T)/opt-%: $(DWARF_PSRC)/opt.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$* -g -O1 $< -o $@
# -O2: blocks with DW_AT_ranges (DWARF 5 .debug_rnglists, DWARF 4 .debug_ranges)
$(DWARF_T)/cold-gcc $(DWARF_T)/cold-clang: $(DWARF_T)/cold-%: $(DWARF_PSRC)/cold.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$* -g -O2 $< -o $@
$(DWARF_T)/cold-dw4: $(DWARF_PSRC)/cold.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc -g -O2 -gdwarf-4 $< -o $@
$(DWARF_T)/opt-dw4: $(DWARF_PSRC)/opt.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc -g -O1 -gdwarf-4 $< -o $@
$(DWARF_T)/libshlib.so: $(DWARF_PSRC)/shlib.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) -shared -fPIC $< -o $@
# compressed debug sections: SHF_COMPRESSED (-gz=zlib) and .zdebug_* (zlib-gnu)
$(DWARF_T)/multi-gz $(DWARF_T)/multi-zgnu: $(DWARF_PSRC)/multi_a.c $(DWARF_PSRC)/multi_b.c $(DWARF_PSRC)/multi.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) $(if $(filter %-gz,$@),-gz=zlib,-gz=zlib-gnu) $(DWARF_PSRC)/multi_a.c $(DWARF_PSRC)/multi_b.c -o $@
$(DWARF_T)/scopes-dw4: $(DWARF_PSRC)/scopes.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) -gdwarf-4 $< -o $@
$(DWARF_T)/scopes-gz: $(DWARF_PSRC)/scopes.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) -gz=zlib $< -o $@
# DWARF 3 describes bitfields with DW_AT_bit_offset (from the MSB)
$(DWARF_T)/types-dw3: $(DWARF_PSRC)/types.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) -gdwarf-3 -gstrict-dwarf $< -o $@
# DWARF 2: member offsets are location blocks (DW_OP_plus_uconst)
$(DWARF_T)/types-dw2: $(DWARF_PSRC)/types.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc $(DWARF_PFLAGS) -gdwarf-2 -gstrict-dwarf $< -o $@
$(DWARF_T)/scopes-stripped: $(DWARF_T)/scopes-gcc
	strip -o $@ $<
$(DWARF_T)/scopes-nolines: $(DWARF_T)/scopes-gcc
	objcopy --remove-section .debug_line $< $@
$(DWARF_T)/scopes-nodebug: $(DWARF_PSRC)/scopes.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc -O0 $< -o $@
$(DWARF_T)/big.c: tests/dwarf/gen_big.sh
	@mkdir -p $(@D)
	sh tests/dwarf/gen_big.sh $@
$(DWARF_T)/big: $(DWARF_T)/big.c
	gcc $(DWARF_PFLAGS) $< -o $@

$(TESTS_BIN)/dwarf_tests: tests/dwarf/test_dwarf.c $(DWARF_SRCS) $(DWARF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) tests/dwarf/test_dwarf.c $(DWARF_SRCS) -o $@ $(DWARF_LIBS) $(CUNIT_LIBS)
$(TESTS_BIN)/dwarf_tests_san: tests/dwarf/test_dwarf.c $(DWARF_SRCS) $(DWARF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) tests/dwarf/test_dwarf.c $(DWARF_SRCS) -o $@ $(DWARF_LIBS) $(CUNIT_LIBS)
$(TESTS_BIN)/dwarf_dump: tests/dwarf/dwarf_dump.c $(DWARF_SRCS) $(DWARF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) tests/dwarf/dwarf_dump.c $(DWARF_SRCS) -o $@ $(DWARF_LIBS)

check-dwarf: $(TESTS_BIN)/dwarf_tests $(TESTS_BIN)/dwarf_tests_san $(TESTS_BIN)/dwarf_dump $(DWARF_PROGS) \
		tests/dwarf/gdb_lines.py
	$(TESTS_BIN)/dwarf_tests $(DWARF_T) $(DWARF_PSRC)
	RT_DWARF_NO_PERF=1 RT_DWARF_QUICK=1 $(TESTS_BIN)/dwarf_tests_san $(DWARF_T) $(DWARF_PSRC)
