# tests/reader/reader_tests.mk - CUnit runner of the readers and the validator,
# built normally and with the sanitizers (its own object folder for the
# library compiled with $(SAN_FLAGS)). Judges the goldens in $(GOLDEN_DIR).
GOLDEN_DIR ?= $(CURDIR)/../shared/golden

READER_TESTS     := $(TESTS_BIN)/reader_tests
READER_TESTS_SAN := $(TESTS_BIN)/reader_tests_san
READER_SAN_OBJ   := $(BUILD)/san-reader
READER_SAN_OBJS  := $(patsubst %.c,$(READER_SAN_OBJ)/%.o,$(wildcard lib/*.c) tests/reader/reader_tests.c)

$(READER_TESTS): $(OBJ)/tests/reader/reader_tests.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(CUNIT_LIBS) $(LIB_LDLIBS)

$(READER_SAN_OBJ)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -c $< -o $@

$(READER_TESTS_SAN): $(READER_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(CUNIT_LIBS) $(LIB_LDLIBS)

.PHONY: check-reader
check-reader: $(READER_TESTS) $(READER_TESTS_SAN)
	$(READER_TESTS) $(GOLDEN_DIR)
	$(READER_TESTS_SAN) $(GOLDEN_DIR)

CHECK_TARGETS += check-reader
-include $(shell find $(READER_SAN_OBJ) -name '*.d' 2>/dev/null)
