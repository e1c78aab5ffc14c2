# samples/samples.mk - the sample C programs (samples/*.c, samples/multi/: the programs of the
# gdb differential test, tests/diff/) and `make demo`: compile samples/structs.c with rtcc,
# record it, validate the trace and show the beginning of `rtrace print` of it.
DEMO_DIR := $(BUILD)/demo

.PHONY: demo
demo: $(BIN)/rtcc $(BIN)/rtrace $(LIBD)/librtrace_rt.so
	@mkdir -p $(DEMO_DIR)
	$(BIN)/rtcc -o $(DEMO_DIR)/structs samples/structs.c
	@rm -rf $(DEMO_DIR)/demo.trace
	@echo "--- running $(DEMO_DIR)/structs (traced):"
	RTRACE_DIR=$(DEMO_DIR)/demo.trace $(DEMO_DIR)/structs
	@echo "--- the trace is in $(DEMO_DIR)/demo.trace:"
	@ls $(DEMO_DIR)/demo.trace
	$(BIN)/rtrace validate $(DEMO_DIR)/demo.trace
	@echo "--- the first 40 lines of: $(BIN)/rtrace print $(DEMO_DIR)/demo.trace"
	@$(BIN)/rtrace print $(DEMO_DIR)/demo.trace > $(DEMO_DIR)/demo.print
	@head -n 40 $(DEMO_DIR)/demo.print
	@echo "--- ($$(wc -l < $(DEMO_DIR)/demo.print) lines in all: $(DEMO_DIR)/demo.print;" \
	      "open the trace in CodeTracer, or see $(BIN)/rtrace print --help)"
