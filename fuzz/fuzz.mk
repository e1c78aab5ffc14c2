# fuzz/fuzz.mk - libFuzzer targets for the trace readers, and their replay in
# `make check`.
#
#   make fuzz [FUZZ_SECONDS=600]   builds fuzz_json and fuzz_bin with clang
#       (-fsanitize=fuzzer,address,undefined; needs libclang-rt-14-dev, see
#       `sh scripts/install-deps.sh --fuzz`) and runs each for FUZZ_SECONDS,
#       one after the other, from the seed corpus fuzz/corpus/{json,bin}.
#       New inputs go to $(BUILD)/fuzz/work-*; crashing inputs are written to
#       fuzz/crashes/{json,bin}-* (keep them: they become regression tests).
#   check-fuzz (in make check) replays the corpus and fuzz/crashes/ once
#       through the same entry points with a small driver (no libFuzzer),
#       built with the sanitizers.
FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_OBJ     := $(BUILD)/fuzz-obj
FUZZ_CFLAGS  := $(BASE_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(wildcard lib/*.c))

# libFuzzer's runtime comes from libclang-rt-14-dev: installed once per build tree.
FUZZ_DEPS_STAMP := $(BUILD)/.fuzz-deps-ok
$(FUZZ_DEPS_STAMP): scripts/install-deps.sh
	@sh scripts/install-deps.sh --fuzz
	@mkdir -p $(@D) && touch $@

$(FUZZ_OBJ)/%.o: %.c | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_json $(FUZZ_DIR)/fuzz_bin: $(FUZZ_DIR)/%: $(FUZZ_OBJ)/fuzz/%.o $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIB_LDLIBS)

.PHONY: fuzz fuzz-build check-fuzz
fuzz-build: $(FUZZ_DIR)/fuzz_json $(FUZZ_DIR)/fuzz_bin
fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/work-json $(FUZZ_DIR)/work-bin fuzz/crashes
	$(FUZZ_DIR)/fuzz_json -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=fuzz/crashes/json- $(FUZZ_DIR)/work-json fuzz/corpus/json
	$(FUZZ_DIR)/fuzz_bin -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=fuzz/crashes/bin- $(FUZZ_DIR)/work-bin fuzz/corpus/bin

# Replay: the driver and the targets compiled with the library's sanitizer
# objects of the reader tests (tests/reader/reader_tests.mk).
FUZZ_REPLAY_JSON := $(TESTS_BIN)/fuzz_replay_json
FUZZ_REPLAY_BIN  := $(TESTS_BIN)/fuzz_replay_bin
FUZZ_SAN_LIB     := $(patsubst %.c,$(BUILD)/san-reader/%.o,$(wildcard lib/*.c))

$(FUZZ_REPLAY_JSON): $(BUILD)/san-reader/fuzz/driver.o $(BUILD)/san-reader/fuzz/fuzz_json.o $(FUZZ_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIB_LDLIBS)
$(FUZZ_REPLAY_BIN): $(BUILD)/san-reader/fuzz/driver.o $(BUILD)/san-reader/fuzz/fuzz_bin.o $(FUZZ_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIB_LDLIBS)

check-fuzz: $(FUZZ_REPLAY_JSON) $(FUZZ_REPLAY_BIN)
	$(FUZZ_REPLAY_JSON) fuzz/corpus/json $(wildcard fuzz/crashes/json-*)
	$(FUZZ_REPLAY_BIN) fuzz/corpus/bin $(wildcard fuzz/crashes/bin-*)

CHECK_TARGETS += check-fuzz
-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)
