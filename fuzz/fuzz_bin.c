/*
 * fuzz/fuzz_bin.c - libFuzzer target for the binary trace reader (header,
 * seek table, zstd streaming, CBOR decoding).
 *
 * The input is read as a trace.bin twice: strictly (seek table required) and
 * leniently (as repair reads a cut file). To let the fuzzer reach the CBOR
 * decoder, an input that does not start with the trace header is also read
 * as raw CBOR wrapped into a header + one zstd frame.
 */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "rtrace/rtrace.h"
#include "../lib/reader_int.h"

static void read_all(const uint8_t *data, size_t size, unsigned flags)
{
    rtrace_reader *r;
    if (rt_rd_open(&r, NULL, data, size, RTRACE_FORMAT_BINARY, false, flags))
        return;
    rtrace_event ev;
    while (rtrace_reader_next(r, &ev) != RTRACE_EOF)
        ;
    rtrace_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t header[8] = { 0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00 };
    read_all(data, size, 0);
    read_all(data, size, RT_RD_LENIENT);
    if (size >= 8 && memcmp(data, header, 8) == 0)
        return 0;
    size_t cap = 8 + ZSTD_compressBound(size);
    uint8_t *bin = malloc(cap);
    if (!bin)
        return 0;
    memcpy(bin, header, 8);
    size_t z = ZSTD_compress(bin + 8, cap - 8, data, size, 1);
    if (!ZSTD_isError(z))
        read_all(bin, 8 + z, RT_RD_LENIENT);
    free(bin);
    return 0;
}
