/*
 * fuzz/fuzz_json.c - libFuzzer target for the JSON trace reader.
 *
 * The input is read as a trace.json (one array) and as .jsonl (one event per
 * line), from memory, until the reader stops. Any crash, hang, leak or
 * sanitizer report is a bug: bad input must only ever give an error.
 * fuzz/driver.c runs the same entry point over the corpus in `make check`.
 */
#include <stddef.h>
#include <stdint.h>

#include "rtrace/rtrace.h"
#include "../lib/reader_int.h"

/* Reads every event of `data` with the given layout; the result is ignored. */
static void read_all(const uint8_t *data, size_t size, bool jsonl)
{
    rtrace_reader *r;
    if (rt_rd_open(&r, NULL, data, size, RTRACE_FORMAT_JSON, jsonl, 0))
        return;
    rtrace_event ev;
    while (rtrace_reader_next(r, &ev) != RTRACE_EOF)
        ;
    rtrace_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, false);
    read_all(data, size, true);
    return 0;
}
