# bench/bench.mk - `make bench`: performance figures of the recorder (owned by
# the bench part). Prints one table (bench/run.sh) comparing the untraced
# program, rtcc's recordings and uftrace, and the format library's write path
# (bench_lib); asserts nothing. BENCH_RUNS runs per figure (median).
#
# The launcher (bench_measure) is always built. What is measured with rtcc,
# the runtime, rtrace and the library is built on a best-effort basis by a
# sub-make: a part still in progress makes its columns print n/a instead of
# failing the whole benchmark (the build output goes to $(BUILD)/bench/build.log).

# 7: on a shared 2-core VM single runs of the same build differ by up to 1.5x
# (both recorder threads lose their core in turn); the median of 7 moves less.
BENCH_RUNS ?= 7
BENCH_OUT  := $(BUILD)/bench
BENCH_MEASURE := $(BIN)/bench_measure
BENCH_LIB     := $(BIN)/bench_lib
# Built if they can be (rtcc links rtrace_probe.o into each program); run.sh
# checks which exist.
BENCH_OPTIONAL := $(BIN)/rtcc $(LIBD)/librtrace_rt.so $(LIBD)/rtrace_probe.o $(BIN)/rtrace \
                  $(BENCH_LIB)
# The library bench writes BENCH_LIB_EVENTS events a run (and 10x for the RSS column).
BENCH_LIB_EVENTS ?= 500000

$(BENCH_MEASURE): $(OBJ)/bench/measure.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^

$(BENCH_LIB): $(OBJ)/bench/lib_bench.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LIB_LDLIBS)

.PHONY: bench bench-tools
bench-tools: $(BENCH_MEASURE)

bench:
	@sh scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory bench-tools
	@mkdir -p $(BENCH_OUT)
	@for t in $(BENCH_OPTIONAL); do \
	    $(MAKE) --no-print-directory $$t >> $(BENCH_OUT)/build.log 2>&1 || \
	        echo "bench: $$t could not be built (see $(BENCH_OUT)/build.log): its figures are n/a"; \
	done
	@if [ -x $(BENCH_LIB) ]; then \
	    $(BENCH_LIB) -n $(BENCH_LIB_EVENTS) -d $(BENCH_OUT) || echo "bench: bench_lib failed"; \
	else \
	    echo "Format library write path: n/a (bench_lib not built)"; \
	fi
	@echo
	@BIN=$(BIN) LIBD=$(LIBD) BUILD=$(BUILD) CC=$(CC) BENCH_RUNS=$(BENCH_RUNS) sh bench/run.sh
