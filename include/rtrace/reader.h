/*
 * rtrace/reader.h - streaming readers for trace.json and trace.bin.
 *
 * One event at a time, in bounded memory whatever the trace length. The JSON
 * reader accepts any valid JSON layout (one event per line, pretty-printed,
 * ...). Shapes are checked exactly as upstream's serde types accept them
 * (required fields, enum numbers, Float "f" as a string, ...); a bad event
 * gives RTRACE_EFORMAT with a message naming the event number and the problem.
 * Truncated input gives RTRACE_ETRUNCATED after the last complete event.
 */
#ifndef RTRACE_READER_H
#define RTRACE_READER_H

#include "common.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtrace_reader rtrace_reader;

/*
 * Opens the trace folder `dir` (trace.bin if present, else trace.json), or a
 * trace file given directly. *out owns the reader.
 */
int rtrace_reader_open(rtrace_reader **out, const char *dir);
/* Opens a file of the given format (e.g. a .jsonl of one event per line: `jsonl`). */
int rtrace_reader_open_file(rtrace_reader **out, const char *path, rtrace_format format, bool jsonl);
/* The format being read. */
rtrace_format rtrace_reader_format(const rtrace_reader *r);
/*
 * Reads the next event into *ev. Returns 0, RTRACE_EOF at the end, or a
 * negative error. *ev and everything it points to stay valid until the next
 * call (they live in the reader's arena).
 */
int rtrace_reader_next(rtrace_reader *r, rtrace_event *ev);
/* Number of events returned so far (the index of the next one). */
uint64_t rtrace_reader_index(const rtrace_reader *r);
/* Byte offset just after the last complete event (for repair). */
uint64_t rtrace_reader_offset(const rtrace_reader *r);
/* Accepts NULL. */
void rtrace_reader_free(rtrace_reader *r);

/* trace_metadata.json of a folder; strings owned by `arena`. */
typedef struct rtrace_metadata {
    const char *workdir, *program;
    const char **args; size_t nargs;
} rtrace_metadata;
int rtrace_read_metadata(rtrace_metadata *out, rtrace_arena *arena, const char *dir);
/* trace_paths.json of a folder; strings owned by `arena`. */
int rtrace_read_paths(const char ***out, size_t *n, rtrace_arena *arena, const char *dir);

#ifdef __cplusplus
}
#endif
#endif
