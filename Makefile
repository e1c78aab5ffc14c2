# runtime_tracing, C edition - top-level build.
#
#   make            build the library, rtrace, the runtime and rtcc (installs
#                   missing Debian packages first, see scripts/install-deps.sh)
#   make demo       build, compile a sample with rtcc, record it, show the trace
#   make check      every test (CUnit, sanitizers, gdb differential tests)
#   make bench      performance figures (prints ratios; asserts nothing)
#   make fuzz       fuzz the trace readers (FUZZ_SECONDS each, default 600)
#   make install PREFIX=/dir
#
# Each part has its own fragment (lib/lib.mk, tools/tools.mk, ...); this file
# holds only what they share.

BUILD      ?= build
# Absolute, so that test scripts that change directory still find the tools.
override BUILD := $(abspath $(BUILD))
PREFIX     ?= /usr/local
CC         := cc
AR         ?= ar
OPT        ?= -O2
BASE_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g $(OPT) -fPIC -Iinclude \
               -I/usr/include/libdwarf
CFLAGS     ?=
ALL_CFLAGS  = $(BASE_CFLAGS) $(CFLAGS)
DEPFLAGS    = -MMD -MP

BIN  := $(BUILD)/bin
LIBD := $(BUILD)/lib
OBJ  := $(BUILD)/obj

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps check demo bench fuzz install clean
all:

# Missing Debian packages are installed once per build tree.
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	@sh scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

# Generic compile rule: $(OBJ)/<path>.o from <path>.c (parts add flags per dir).
$(OBJ)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(OBJ)/%.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

include lib/lib.mk
include tools/tools.mk
include runtime/runtime.mk
include cc-wrapper/cc-wrapper.mk
include samples/samples.mk
include tests/tests.mk
include bench/bench.mk
include fuzz/fuzz.mk

all: $(ALL_TARGETS)

check: all $(CHECK_TARGETS)
	@echo "make check: all test suites passed"

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/rtrace
	cp $(BIN)/rtcc $(BIN)/rtrace $(DESTDIR)$(PREFIX)/bin/
	cp $(INSTALL_LIBS) $(DESTDIR)$(PREFIX)/lib/
	cp include/rtrace/*.h $(DESTDIR)$(PREFIX)/include/rtrace/
	mkdir -p $(DESTDIR)$(PREFIX)/share/man/man1 && cp $(BUILD)/share/man/man1/rtrace.1 $(BUILD)/share/man/man1/rtcc.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(RTRACE_VERSION)|g' lib/rtrace.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rtrace.pc

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
