/*
 * rtrace/sink.h - the file end of a trace: trace.json or trace.bin in a folder.
 *
 * A sink takes whole encoded events (bytes from rtrace_enc, several events at a
 * time are fine, never a part of one) and puts them in the trace file:
 *  - JSON: writes "[\n" at open, the bytes as given, "\n]\n" at close.
 *  - binary: writes the v1 header at open, gathers bytes into frames of at most
 *    RTRACE_SINK_FRAME_MAX uncompressed bytes, compresses each as an independent
 *    zstd frame and writes it as it fills, and writes the seek table at close.
 * Memory is allocated at open only: write, flush and close never allocate, and
 * close is async-signal-safe (the runtime calls it from fatal-signal handlers).
 * A sink is not thread-safe: callers serialise access.
 * After a write error (disk full, ...) the sink keeps the file valid and
 * finishes it at once: out of room (ENOSPC, EDQUOT, RLIMIT_FSIZE), with as
 * many events as fit in the room the file system gave, cut between two
 * events; it drops further data and reports the error once through
 * rtrace_last_error().
 */
#ifndef RTRACE_SINK_H
#define RTRACE_SINK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTRACE_SINK_FRAME_MAX (2u << 20)   /* 2 MiB of CBOR per zstd frame */
/* The trace file's descriptor is moved to at least this number (when the fd limit
 * allows), so that a traced program gets the descriptors it would get untraced. */
#define RTRACE_SINK_FD_MIN 600

typedef struct rtrace_sink rtrace_sink;

/*
 * Creates the folder `dir` (and its parents) if needed and opens
 * dir/trace.json or dir/trace.bin for writing (truncating it, and removing
 * the file of the other format if present). `zstd_level` is used for binary
 * (0 = default 1; negative levels are faster). On success *out owns the sink.
 */
int rtrace_sink_open(rtrace_sink **out, const char *dir, rtrace_format format, int zstd_level);
/* Appends `n` bytes of whole events. 0, or a negative code (data dropped). */
int rtrace_sink_write(rtrace_sink *s, const void *bytes, size_t n);
/* The same, saying how many events the bytes hold, so that the sink can say
 * how many reached the file (rtrace_sink_events_kept). */
int rtrace_sink_write_events(rtrace_sink *s, const void *bytes, size_t n, uint64_t nevents);
/*
 * Makes everything written so far reach the file (binary: ends the current
 * frame early, so a killed process loses nothing already flushed).
 */
int rtrace_sink_flush(rtrace_sink *s);
/* Finishes the file ("]" / last frame and seek table) and closes it. Idempotent. */
int rtrace_sink_close(rtrace_sink *s);
/*
 * Write on a background thread (`on`), or on the caller's thread (the
 * default): binary frames are compressed and written there, JSON buffers
 * written. The writer fills one buffer of a ring of four while the worker
 * handles the others; when all are busy, a binary writer compresses the
 * oldest waiting frame itself (its own zstd context) rather than wait, and
 * the worker writes it in turn: frames reach the file in order either way.
 * Call it after open, from the thread that owns the sink: turning it on
 * allocates the ring and creates the thread (so write, flush
 * and close still never allocate); the thread blocks all signals and uses no
 * locks. Every promise above still holds: flush returns once the data is in
 * the file; close waits a bounded time for the frame in flight (and
 * compresses what is left itself), so it stays async-signal-safe; a write
 * error on the worker is reported once, by the caller's next write, flush or
 * close. A fork child must not use the parent's sink (the worker is not in
 * the child). 0, or a negative code.
 */
int rtrace_sink_set_background(rtrace_sink *s, bool on);
/* Closes if needed and frees. Accepts NULL. */
void rtrace_sink_free(rtrace_sink *s);
/* Background mode, binary: frames the writer's thread compressed itself,
 * instead of waiting, while the worker was busy (both cores compress then). */
uint64_t rtrace_sink_frames_helped(const rtrace_sink *s);
/* Binary: zstd frames written to the file so far (0 for JSON). */
uint64_t rtrace_sink_frames(const rtrace_sink *s);
/* Bytes handed to the sink so far (uncompressed) and bytes in the file. */
uint64_t rtrace_sink_bytes_in(const rtrace_sink *s);
uint64_t rtrace_sink_bytes_out(const rtrace_sink *s);
/* Events handed over (rtrace_sink_write_events' counts), and of them the ones
 * in the file: all of them unless a write failed, then those before the cut. */
uint64_t rtrace_sink_events_in(const rtrace_sink *s);
uint64_t rtrace_sink_events_kept(const rtrace_sink *s);
/* True after a write error (the first one is in rtrace_last_error()). */
bool rtrace_sink_failed(const rtrace_sink *s);
/* The file descriptor of the trace file (for fork handling), or -1. */
int rtrace_sink_fd(const rtrace_sink *s);
/*
 * For a caller that cannot keep a descriptor (a traced program whose
 * RLIMIT_NOFILE leaves none free above its own): right after open, closes
 * the file's descriptor; from then on each write of the file opens it again
 * (at 3 or above) and closes it after, and leaves the file complete (JSON
 * "]", binary the seek table; binary frames then end between writes). If it
 * cannot be opened again, the sink fails and the file stays as it was last
 * completed. Not with background writing. 0, or a negative code.
 */
int rtrace_sink_set_fd_lazy(rtrace_sink *s);
/* The first write failure (what failed, *err its errno), whichever thread hit it
 * (rtrace_last_error() is per thread); NULL when none. */
const char *rtrace_sink_failure(const rtrace_sink *s, int *err);
/* Moves the trace file to the lowest free descriptor >= min (the old number stays
 * open, the caller's to reuse), after the background worker is idle. 0, or a
 * negative code: then the sink has failed and writes nothing more. */
int rtrace_sink_move_fd(rtrace_sink *s, int min);

/*
 * Side files of a trace folder (all write whole files, replacing old ones):
 * trace_metadata.json {"workdir","program","args"}; trace_paths.json (array of
 * the Path strings in id order); and copies of sources under dir/files/
 * (/abs/x.c -> files/abs/x.c, relative a/x.c -> files/a/x.c). A source that
 * cannot be read is skipped and reported through the return code
 * (RTRACE_ENOTFOUND) after copying the others.
 */
int rtrace_write_metadata(const char *dir, const char *workdir, const char *program,
                          const char *const *args, size_t nargs);
int rtrace_write_paths(const char *dir, const char *const *paths, size_t n);
int rtrace_copy_sources(const char *dir, const char *const *paths, size_t n);

#ifdef __cplusplus
}
#endif
#endif
