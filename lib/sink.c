/*
 * lib/sink.c - the file end of a trace (sink.h): trace.json or trace.bin.
 *
 * JSON: "[\n" at open, the encoders' bytes (events already separated by
 * ",\n"), "\n]\n" at close, through a 256 KiB write buffer.
 * Binary (upstream's "v1"): the 8-byte header C0 DE 72 AC E2 01 00 00, then
 * the zstd seekable format: independent frames of at most
 * RTRACE_SINK_FRAME_MAX uncompressed bytes, each compressed as its own zstd
 * frame as soon as it fills (or on flush), then at close the seek table, a
 * skippable frame (magic 0x184D2A5E) holding per frame "u32 compressed size,
 * u32 decompressed size" and the footer "u32 frames, u8 descriptor 0,
 * u32 0x8F92EAB1", all little-endian.
 *
 * The data buffers (frames, JSON write buffers) are mmap'ed 2 MiB-aligned with
 * MADV_HUGEPAGE: where the kernel has transparent huge pages, a buffer is
 * made present by one page fault instead of 512 (each first touch of a 4 KiB
 * page faults; on a VM that was a tenth of a short recording's time).
 * Everything is allocated at open: the frame buffer, the compression output
 * buffer, a static zstd context (ZSTD_initStaticCCtx: compressing never
 * allocates), and the seek table in an mmap'ed MAP_NORESERVE region (8 bytes
 * per frame; pages are touched only as frames are written). So write,
 * flush and close never allocate, and close only compresses, calls
 * write(2)/ftruncate(2)/close(2) and stores an error message without stdio:
 * it is async-signal-safe.
 *
 * Background writing (rtrace_sink_set_background): a worker thread, created
 * when it is turned on, compresses and writes the frames (binary) or writes
 * the filled buffers (JSON: the page-cache copy of write(2) is most of a JSON
 * recording's cost). A ring of BG_SLOTS buffers: the writer fills one while
 * the others wait for the worker or are being compressed; frames are numbered
 * in the order they are posted and written to the file in that order, by the
 * worker only. Each slot has a state word (SL_*): FREE -> FILLED by the
 * writer; FILLED -> WORKER (the worker compresses and writes it) -> FREE; or,
 * binary only, FILLED -> HELPER -> HELPED -> FREE: a writer that would wait
 * for a free slot compresses the oldest waiting frame itself, with its own
 * zstd context, into its own output buffer, and the worker writes that
 * output in turn. So when the program's thread encodes faster than one core
 * compresses, both cores compress (the worker, meanwhile, takes the frame
 * after the helped one). Claims always take the oldest FILLED frame, so the
 * FILLED frames are the newest ones. Everyone waits on one futex word, `seq`,
 * bumped at every state change (a wake-up syscall only when someone sleeps);
 * no locks, so fork never finds one held (a fork child never touches its copy
 * of the sink: the runtime gives it its own) and close stays
 * async-signal-safe. Close takes back the FILLED frames (SL_TAKEN), waits a
 * bounded time (RTRACE_BG_WAIT_MS) for the worker to write the frames before
 * them, then compresses the taken ones itself; if the worker is still busy at
 * the deadline, close gives up on the seek table (the file is the header and
 * whole frames, plus possibly the worker's frame: cut, repairable) and
 * reports it. The worker blocks every signal; a write error on it is kept in
 * the sink and adopted by the writer's thread on its next write, flush or
 * close, so it is still reported once, in the caller's rtrace_last_error().
 *
 * Errors: short writes and EINTR are retried. On any other write error the
 * file is cut back (ftruncate) to the end of the last complete chunk (JSON:
 * whole events; binary: whole frames), the sink stops writing data, the error
 * is reported once (rtrace_last_error), and close still tries to finish the
 * file ("\n]\n" or the seek table of the complete frames).
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "rtrace/sink.h"
#include "error.h"

#define JSON_BUF_SIZE (1024u * 1024)
#define SEEK_MAX_FRAMES (1u << 22)          /* 2 TiB of events at 512 KiB per frame */
#define SEEKABLE_SKIPPABLE_MAGIC 0x184D2A5Eu
#define SEEKABLE_MAGIC 0x8F92EAB1u
#define RTRACE_BG_WAIT_MS 3000              /* close: the longest wait for a frame in flight */

/* Background ring: slots and their states (see the file comment). */
#define BG_SLOTS 4
enum { SL_FREE, SL_FILLED, SL_WORKER, SL_HELPER, SL_HELPED, SL_TAKEN };

static const unsigned char bin_header[8] = {0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00};

struct rtrace_sink {
    int fd;
    rtrace_format format;
    bool closed;
    bool failed;              /* a write failed: data is dropped from now on */
    bool reported;            /* the first failure is in rtrace_last_error() */
    uint64_t bytes_in, bytes_out;
    uint64_t good_off;        /* file size after the last complete chunk/frame */
    /* Binary: a frame may end inside an event (events straddle frames), so a
     * cut at good_off could leave a half event. ev_off / ev_nframes: the file
     * size and frame count after the last frame that ended on an event
     * boundary; a failure cuts back there (sink_fail_x). */
    uint64_t ev_off;
    size_t ev_nframes;
    bool mid_event;           /* the frame being ended stops inside an event */
    const char *fail_what;    /* the first failure, for any thread to report */
    int fail_err;
    unsigned char *buf;       /* JSON write buffer / binary frame being gathered */
    size_t len, cap;
    /* binary only */
    void *cctx_mem;
    ZSTD_CCtx *cctx;
    int level;
    unsigned char *zbuf;      /* one compressed frame */
    size_t zcap;
    uint32_t *seek;           /* 2 entries per frame: compressed, decompressed */
    size_t nframes;
    /* background compression (binary, set_background) */
    bool bg;                  /* the worker runs: frames go to it */
    unsigned char *bufs[BG_SLOTS];  /* the ring; buf is bufs[posted % BG_SLOTS] */
    size_t lens[BG_SLOTS];          /* bytes of each posted frame */
    bool bounds[BG_SLOTS];          /* the posted frame ends on an event boundary */
    _Atomic int sl[BG_SLOTS];       /* SL_* of each slot */
    uint64_t posted;                /* frames posted (the writer's) */
    _Atomic uint64_t written;       /* frames written (the worker's; close's once it stopped) */
    _Atomic int seq;                /* futex word: bumped at every slot change */
    _Atomic int sleepers;           /* threads in futex_wait on seq */
    _Atomic int stop;               /* the worker must return */
    _Atomic int alive;              /* the worker has not returned (futex word) */
    /* the writer's help (binary): its own context and output buffer */
    void *hcctx_mem;
    ZSTD_CCtx *hcctx;
    unsigned char *hbuf;
    size_t hz;                      /* compressed size of the HELPED frame, or a zstd error */
    _Atomic int hbusy;              /* hbuf holds (or is getting) a frame not yet written */
    uint64_t helped;                /* frames the writer compressed (statistics) */
    _Atomic int wfailed;      /* the worker's write failed: werr_* for the caller */
    int werr, werr_code;
    const char *werr_msg;
};

/* Stores u32 little-endian. */
static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/*
 * First failure of the sink: cuts the file back to the last complete chunk,
 * marks the sink failed and records the message (raw, async-signal-safe).
 */
static int sink_fail_x(rtrace_sink *s, const char *msg, int err, bool worker)
{
    if (!s->fail_what) {
        s->fail_err = err;
        s->fail_what = msg;
    }
    /* Drop any part of the failed chunk; later writes go right after the good
     * part. Binary: back to the last frame that ended between two events
     * (the frames after it are forgotten, seek table included). */
    if (s->format == RTRACE_FORMAT_BINARY && s->good_off > s->ev_off) {
        s->good_off = s->ev_off;
        s->nframes = s->ev_nframes;
    }
    if (ftruncate(s->fd, (off_t)s->good_off) == 0 && lseek(s->fd, (off_t)s->good_off, SEEK_SET) >= 0)
        s->bytes_out = s->good_off;
    if (worker) {
        /* the caller's thread adopts it (bg_adopt): errors are per thread */
        if (!atomic_load_explicit(&s->wfailed, memory_order_relaxed)) {
            s->werr = err;
            s->werr_code = err == ENOSPC ? RTRACE_EFULL : RTRACE_EIO;
            s->werr_msg = msg;
            atomic_store_explicit(&s->wfailed, 1, memory_order_release);
        }
        return err == ENOSPC ? RTRACE_EFULL : RTRACE_EIO;
    }
    s->failed = true;
    if (!s->reported) {
        s->reported = true;
        rtrace__set_error_raw(err == ENOSPC ? RTRACE_EFULL : RTRACE_EIO, msg, err);
    }
    return err == ENOSPC ? RTRACE_EFULL : RTRACE_EIO;
}

static int sink_fail(rtrace_sink *s, const char *msg, int err) { return sink_fail_x(s, msg, err, false); }

/*
 * A write past RLIMIT_FSIZE raises SIGXFSZ, whose default action kills the
 * process: a traced program with a file size limit (ulimit -f, setrlimit)
 * would die of its trace. So a write that would pass the limit is not made:
 * EFBIG (the trace fails cleanly, the program runs on). A getrlimit and an
 * lseek per chunk (chunks are hundreds of KiB or 100 ms apart).
 */
static bool fsize_exceeded(int fd, size_t n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return false;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    return pos >= 0 && (uint64_t)pos + n > (uint64_t)rl.rlim_cur;
}

/* write(2) of all n bytes, retrying short writes and EINTR; 0 or an errno value. */
static int write_all(int fd, const void *p, size_t n)
{
    if (n > 0 && fsize_exceeded(fd, n))
        return EFBIG;
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t r = write(fd, c, n > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno ? errno : EIO;
        }
        if (r == 0)
            return ENOSPC;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Writes a complete chunk (whole events, a whole frame, header, trailer). */
static int sink_emit(rtrace_sink *s, const void *p, size_t n, const char *what)
{
    if (s->failed)
        return RTRACE_EIO;
    int err = write_all(s->fd, p, n);
    if (err)
        return sink_fail(s, what, err);
    s->bytes_out += n;
    s->good_off = s->bytes_out;
    s->ev_off = s->good_off;   /* chunks hold whole events (or the header) */
    return 0;
}

/*
 * Binary: writes z bytes of compressed frame (zstd's result: an error code
 * fails the sink) holding n bytes of events, and records it in the seek
 * table. `worker`: called by the background worker (errors go to werr_*).
 */
static int frame_put(rtrace_sink *s, const unsigned char *zb, size_t z, size_t n, bool worker, bool boundary)
{
    if (worker ? atomic_load_explicit(&s->wfailed, memory_order_relaxed) != 0 : s->failed)
        return RTRACE_EIO;
    if (s->nframes >= SEEK_MAX_FRAMES)
        return sink_fail_x(s, "trace.bin: too many frames for the seek table", 0, worker);
    if (ZSTD_isError(z))
        return sink_fail_x(s, "trace.bin: zstd compression failed", 0, worker);
    int err = write_all(s->fd, zb, z);
    if (err)
        return sink_fail_x(s, "trace.bin: write failed", err, worker);
    s->bytes_out += z;
    s->good_off = s->bytes_out;
    s->seek[2 * s->nframes] = (uint32_t)z;
    s->seek[2 * s->nframes + 1] = (uint32_t)n;
    s->nframes++;
    if (boundary) {
        s->ev_off = s->good_off;
        s->ev_nframes = s->nframes;
    }
    return 0;
}

/* Binary: compresses in[0, n) as one zstd frame and writes it (frame_put). */
static int frame_out(rtrace_sink *s, const unsigned char *in, size_t n, bool worker, bool boundary)
{
    if (n == 0)
        return 0;
    if (worker ? atomic_load_explicit(&s->wfailed, memory_order_relaxed) != 0 : s->failed)
        return RTRACE_EIO;
    size_t z = ZSTD_compress2(s->cctx, s->zbuf, s->zcap, in, n);
    return frame_put(s, s->zbuf, z, n, worker, boundary);
}

/*
 * JSON: writes in[0, n) (whole events) to the file. `worker`: called by the
 * background worker (errors go to werr_*).
 */
static int json_chunk_out(rtrace_sink *s, const unsigned char *in, size_t n, bool worker)
{
    if (n == 0)
        return 0;
    if (worker ? atomic_load_explicit(&s->wfailed, memory_order_relaxed) != 0 : s->failed)
        return RTRACE_EIO;
    int err = write_all(s->fd, in, n);
    if (err)
        return sink_fail_x(s, "trace.json: write failed", err, worker);
    s->bytes_out += n;
    s->good_off = s->bytes_out;
    s->ev_off = s->good_off;
    return 0;
}

/* A posted buffer, compressed (binary) and written: frame or JSON chunk. */
static int job_out(rtrace_sink *s, const unsigned char *in, size_t n, bool worker, bool boundary)
{
    if (s->format == RTRACE_FORMAT_JSON)
        return json_chunk_out(s, in, n, worker);
    return frame_out(s, in, n, worker, boundary);
}

/*
 * A static zstd context in mem (csize bytes) set for the sink's level, or
 * NULL. Negative (fast) levels get a hash table of 2^10 entries instead of
 * zstd's 2^13: a trace is a stream of short records repeating at short
 * distances, and the small table (4 KiB, in L1) keeps the latest position of
 * each context. Measured on the bench programs' streams (callgrind, 20 MiB
 * each): at -2, 7% fewer instructions on lines.c, within 1% elsewhere, and
 * the same or better ratios. And matches of at least 7 bytes (zstd's 6 at
 * these levels): the records' keys and heads are longer than that, and a
 * 6-byte match is often a worse choice there. Measured on 100 MB of each
 * bench stream at -2 (CPU time, best of 3, twice): calls-only fib 2x faster
 * and 5x smaller, calls-only strings 1.5x and structs 1.2x faster, full
 * structs 1.03-1.25x, lines and fib the same, full strings 1.5% slower;
 * sizes within 2% elsewhere.
 */
static ZSTD_CCtx *sink_cctx(void *mem, size_t csize, int level)
{
    ZSTD_CCtx *c = ZSTD_initStaticCCtx(mem, csize);
    if (!c || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)))
        return NULL;
    if (level < 0 && (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_hashLog, 10)) ||
                      ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_minMatch, 7))))
        return NULL;
    return c;
}

/* ---- Background worker and ring (see the file comment) -------------------- */
static void futex_wait(_Atomic int *w, int val, const struct timespec *rel)
{
    syscall(SYS_futex, (int *)w, FUTEX_WAIT_PRIVATE, val, rel, NULL, 0);
}

static void futex_wake(_Atomic int *w)
{
    syscall(SYS_futex, (int *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* After a slot change: moves seq, and wakes the sleepers if there are any.
 * (seq_cst with bg_sleep's order: either the sleeper sees seq move or this
 * sees the sleeper.) */
static void bg_bump(rtrace_sink *s)
{
    atomic_fetch_add(&s->seq, 1);
    if (atomic_load(&s->sleepers))
        futex_wake(&s->seq);
}

/* Sleeps until seq is no longer `seen` (read before checking the condition
 * waited for), or `rel` has passed (NULL: no limit). */
static void bg_sleep(rtrace_sink *s, int seen, const struct timespec *rel)
{
    atomic_fetch_add(&s->sleepers, 1);
    if (atomic_load(&s->seq) == seen)
        futex_wait(&s->seq, seen, rel);
    atomic_fetch_sub(&s->sleepers, 1);
}

static int sl_get(rtrace_sink *s, uint64_t frame)
{
    return atomic_load_explicit(&s->sl[frame % BG_SLOTS], memory_order_acquire);
}

static bool sl_claim(rtrace_sink *s, uint64_t frame, int from, int to)
{
    return atomic_compare_exchange_strong(&s->sl[frame % BG_SLOTS], &from, to);
}

/* The worker: writes frame `written` (compressed at zb, z bytes; binary) and frees its slot. */
static void bg_put(rtrace_sink *s, const unsigned char *zb, size_t z)
{
    uint64_t k = atomic_load_explicit(&s->written, memory_order_relaxed);
    unsigned i = (unsigned)(k % BG_SLOTS);
    if (s->format == RTRACE_FORMAT_JSON)
        json_chunk_out(s, s->bufs[i], s->lens[i], true);
    else if (s->lens[i])
        frame_put(s, zb, z, s->lens[i], true, s->bounds[i]);
    atomic_store_explicit(&s->sl[i], SL_FREE, memory_order_release);
    atomic_store_explicit(&s->written, k + 1, memory_order_release);
}

/* Compresses posted frame k with cctx into out (of s->zcap bytes): zstd's result. */
static size_t bg_compress(rtrace_sink *s, ZSTD_CCtx *cctx, unsigned char *out, uint64_t k)
{
    unsigned i = (unsigned)(k % BG_SLOTS);
    return ZSTD_compress2(cctx, out, s->zcap, s->bufs[i], s->lens[i]);
}

/* The worker compresses frame k into zbuf: zstd's result; 0 for JSON (written
 * as it is) or once a write failed (nothing more is written). */
static size_t bg_worker_compress(rtrace_sink *s, uint64_t k)
{
    if (s->format != RTRACE_FORMAT_BINARY || atomic_load_explicit(&s->wfailed, memory_order_relaxed))
        return 0;
    return bg_compress(s, s->cctx, s->zbuf, k);
}

/* The worker writes frame `written`, which the writer compressed (HELPED),
 * and frees hbuf for the writer's next help. */
static void bg_put_helped(rtrace_sink *s)
{
    bg_put(s, s->hbuf, s->hz);
    atomic_store(&s->hbusy, 0);
}

/*
 * One turn of the worker: writes frame `written` when it can (compressing it
 * if it is FILLED; the writer's output if it is HELPED); while the writer
 * compresses it (HELPER), compresses the next frame meanwhile, then writes
 * both in order. False when there was nothing to do.
 */
static bool bg_turn(rtrace_sink *s)
{
    uint64_t k = atomic_load_explicit(&s->written, memory_order_relaxed);
    int st = sl_get(s, k);
    if (st == SL_FILLED && sl_claim(s, k, SL_FILLED, SL_WORKER)) {
        bg_put(s, s->zbuf, bg_worker_compress(s, k));
    } else if (st == SL_HELPED) {
        bg_put_helped(s);
    } else if (st == SL_HELPER && sl_get(s, k + 1) == SL_FILLED && sl_claim(s, k + 1, SL_FILLED, SL_WORKER)) {
        size_t z = bg_worker_compress(s, k + 1);
        for (;;) {   /* the writer finishes frame k (it is compressing it, signals blocked) */
            int seen = atomic_load(&s->seq);
            if (sl_get(s, k) == SL_HELPED)
                break;
            bg_sleep(s, seen, NULL);
        }
        bg_put_helped(s);
        bg_put(s, s->zbuf, z);
    } else {
        return false;
    }
    bg_bump(s);
    return true;
}

/* The worker's thread: turns until told to stop. */
static void *bg_main(void *arg)
{
    rtrace_sink *s = arg;
    for (;;) {
        int seen = atomic_load(&s->seq);
        if (atomic_load(&s->stop))
            break;
        if (!bg_turn(s))
            bg_sleep(s, seen, NULL);
    }
    /* the last touch of the sink: free may release it from now on */
    atomic_store_explicit(&s->alive, 0, memory_order_release);
    futex_wake(&s->alive);
    return NULL;
}

/* The caller's thread: takes over the worker's write error (reported once, here). */
static int bg_adopt(rtrace_sink *s)
{
    if (!s->bg || s->failed || !atomic_load_explicit(&s->wfailed, memory_order_acquire))
        return 0;
    s->failed = true;
    if (!s->reported) {
        s->reported = true;
        rtrace__set_error_raw(s->werr_code, s->werr_msg, s->werr);
    }
    return s->werr_code;
}

/*
 * The writer, instead of waiting for the worker: compresses the oldest
 * FILLED frame into hbuf (binary; when hbuf is free). True when it did. The
 * frames from `written` on are the ones in flight (at most BG_SLOTS), so a
 * FILLED slot met here is that frame's.
 */
static bool bg_help(rtrace_sink *s)
{
    if (!s->hcctx || atomic_load(&s->hbusy) || atomic_load_explicit(&s->wfailed, memory_order_relaxed))
        return false;
    for (uint64_t k = atomic_load(&s->written); k < s->posted; k++) {
        if (sl_get(s, k) != SL_FILLED)
            continue;
        if (!sl_claim(s, k, SL_FILLED, SL_HELPER))
            return false;   /* the worker took it: wait for it instead */
        atomic_store(&s->hbusy, 1);
        s->hz = bg_compress(s, s->hcctx, s->hbuf, k);
        s->helped++;
        atomic_store_explicit(&s->sl[k % BG_SLOTS], SL_HELPED, memory_order_release);
        bg_bump(s);
        return true;
    }
    return false;
}

/* The writer: waits until every posted frame is written, helping meanwhile. */
static void bg_wait(rtrace_sink *s)
{
    for (;;) {
        int seen = atomic_load(&s->seq);
        if (atomic_load(&s->written) == s->posted)
            return;
        if (!bg_help(s))
            bg_sleep(s, seen, NULL);
    }
}

/* Posts the current buffer (frame `posted`) to the worker, then waits until
 * the next slot is free (helping meanwhile) and makes it the current buffer. */
static int bg_post(rtrace_sink *s)
{
    if (s->len == 0)
        return 0;
    int rc = bg_adopt(s);
    if (rc) {
        s->len = 0;
        return rc;
    }
    unsigned i = (unsigned)(s->posted % BG_SLOTS);
    s->lens[i] = s->len;
    s->bounds[i] = !s->mid_event;
    atomic_store_explicit(&s->sl[i], SL_FILLED, memory_order_release);
    s->posted++;
    bg_bump(s);
    i = (unsigned)(s->posted % BG_SLOTS);
    s->buf = s->bufs[i];
    s->len = 0;
    for (;;) {
        int seen = atomic_load(&s->seq);
        if (sl_get(s, s->posted) == SL_FREE)
            return 0;
        if (!bg_help(s))
            bg_sleep(s, seen, NULL);
    }
}

/*
 * Stops the worker: takes back the frames it has not started (SL_TAKEN),
 * waits for it to write the ones before them (bounded when `bounded`),
 * compresses and writes the taken ones itself, tells the worker to return.
 * 0, or a negative code when the worker was still busy at the deadline (then
 * the file must not be written to any more: the worker may still write).
 */
static int bg_stop(rtrace_sink *s, bool bounded)
{
    uint64_t first = s->posted;   /* the first frame taken back */
    for (uint64_t k = atomic_load(&s->written); k < s->posted; k++)
        if (sl_claim(s, k, SL_FILLED, SL_TAKEN) && k < first)
            first = k;
    uint64_t deadline = bounded ? mono_ms() + RTRACE_BG_WAIT_MS : 0;
    for (;;) {
        int seen = atomic_load(&s->seq);
        if (atomic_load(&s->written) >= first)
            break;
        if (!deadline) {
            bg_sleep(s, seen, NULL);
            continue;
        }
        if (mono_ms() >= deadline)
            return RTRACE_EIO;
        struct timespec rel = {0, 1000000};   /* re-check every ms */
        bg_sleep(s, seen, &rel);
    }
    s->bg = false;    /* before the store: bg_adopt below still sees a worker error */
    atomic_store(&s->stop, 1);
    bg_bump(s);
    if (!s->failed && atomic_load_explicit(&s->wfailed, memory_order_acquire)) {
        s->failed = true;
        if (!s->reported) {
            s->reported = true;
            rtrace__set_error_raw(s->werr_code, s->werr_msg, s->werr);
        }
    }
    for (uint64_t k = first; k < s->posted; k++) {
        unsigned i = (unsigned)(k % BG_SLOTS);
        job_out(s, s->bufs[i], s->lens[i], false, s->bounds[i]);
        atomic_store(&s->sl[i], SL_FREE);
    }
    atomic_store(&s->written, s->posted);
    return 0;
}

/* Binary: ends the frame being gathered (to the worker in background mode). */
static int sink_frame(rtrace_sink *s)
{
    if (s->bg)
        return bg_post(s);
    size_t n = s->len;
    s->len = 0;
    return frame_out(s, s->buf, n, false, !s->mid_event);
}

/* JSON: writes the buffered bytes (on the caller's thread: no worker, or
 * the worker stopped or idle). */
static int sink_json_drain(rtrace_sink *s)
{
    if (s->len == 0)
        return 0;
    size_t n = s->len;
    s->len = 0;
    return sink_emit(s, s->buf, n, "trace.json: write failed");
}

/* JSON: hands the buffered bytes to the worker, or writes them. */
static int sink_json_push(rtrace_sink *s)
{
    return s->bg ? bg_post(s) : sink_json_drain(s);
}

/* mkdir -p: creates `dir` and its parents (mode 0755). 0 or an errno value. */
static int mkdir_p(const char *dir)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return ENAMETOOLONG;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] == '/' || path[i] == '\0') {
            char c = path[i];
            path[i] = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                return errno;
            path[i] = c;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* The sink's data buffers: huge pages where the kernel gives them (THP),
 * so filling a 2 MiB frame buffer the first time is one page fault, not 512.
 * cap is rounded up to 2 MiB. NULL when out of memory. */
#define HUGE_SZ (2u << 20)
static unsigned char *buf_alloc(size_t cap)
{
    size_t len = (cap + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
    unsigned char *m = mmap(NULL, len + HUGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)m + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1);
    if (a > (uintptr_t)m)
        munmap(m, a - (uintptr_t)m);
    munmap((unsigned char *)a + len, (uintptr_t)m + HUGE_SZ - a);
    madvise((void *)a, len, MADV_HUGEPAGE);
    return (unsigned char *)a;
}

static void buf_free(unsigned char *b, size_t cap)
{
    if (b)
        munmap(b, (cap + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ);
}

/* Frees what open allocated (the fd is closed by the callers). */
static void sink_release(rtrace_sink *s)
{
    for (int i = 0; i < BG_SLOTS; i++)
        buf_free(s->bufs[i], s->cap);
    free(s->cctx_mem);
    free(s->zbuf);
    free(s->hcctx_mem);
    free(s->hbuf);
    if (s->seek)
        munmap(s->seek, (size_t)SEEK_MAX_FRAMES * 2 * sizeof(uint32_t));
    free(s);
}

/*
 * Creates `dir` (with parents), opens dir/trace.json or dir/trace.bin
 * (truncated; the other format's file is removed) and writes its header.
 * Allocates everything the sink will ever need. 0 or a negative code.
 */
int rtrace_sink_open(rtrace_sink **out, const char *dir, rtrace_format format, int zstd_level)
{
    *out = NULL;
    if (!dir || (format != RTRACE_FORMAT_JSON && format != RTRACE_FORMAT_BINARY))
        return rtrace_set_error(RTRACE_EINVAL, "rtrace_sink_open: %s", dir ? "unknown format" : "no folder");
    int err = mkdir_p(dir);
    if (err)
        return rtrace_set_error(RTRACE_EIO, "cannot create trace folder %s: %s", dir, strerror(err));
    char path[PATH_MAX], other[PATH_MAX];
    const char *name = format == RTRACE_FORMAT_JSON ? "trace.json" : "trace.bin";
    const char *oname = format == RTRACE_FORMAT_JSON ? "trace.bin" : "trace.json";
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
        (size_t)snprintf(other, sizeof other, "%s/%s", dir, oname) >= sizeof other)
        return rtrace_set_error(RTRACE_EINVAL, "trace folder path too long: %s", dir);

    rtrace_sink *s = calloc(1, sizeof *s);
    if (!s)
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_open: out of memory");
    s->fd = -1;
    s->format = format;
    if (format == RTRACE_FORMAT_JSON) {
        s->cap = JSON_BUF_SIZE;
    } else {
        s->cap = RTRACE_SINK_FRAME_MAX;
        s->level = zstd_level == 0 ? 1 : zstd_level;
        if (s->level > ZSTD_maxCLevel())
            s->level = ZSTD_maxCLevel();
        size_t csize = ZSTD_estimateCCtxSize(s->level);
        s->cctx_mem = malloc(csize);
        s->zcap = ZSTD_compressBound(RTRACE_SINK_FRAME_MAX);
        s->zbuf = malloc(s->zcap);
        void *m = mmap(NULL, (size_t)SEEK_MAX_FRAMES * 2 * sizeof(uint32_t), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        s->seek = m == MAP_FAILED ? NULL : m;
        if (s->cctx_mem)
            s->cctx = sink_cctx(s->cctx_mem, csize, s->level);
        if (!s->cctx || !s->zbuf || !s->seek) {
            sink_release(s);
            return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_open: out of memory for the zstd context");
        }
    }
    s->buf = s->bufs[0] = buf_alloc(s->cap);
    if (!s->buf) {
        sink_release(s);
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_open: out of memory");
    }
    s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s->fd < 0) {
        int e = errno;
        sink_release(s);
        return rtrace_set_error(RTRACE_EIO, "cannot open %s: %s", path, strerror(e));
    }
    /* Out of the way of the traced program: a recorder holding fd 3 would make the
     * program's own open() return 4. Where the limit allows none that high, keep it. */
    int high = fcntl(s->fd, F_DUPFD_CLOEXEC, RTRACE_SINK_FD_MIN);
    if (high < 0) {
        /* a limit below it (ulimit -n 20): the highest free numbers under the
         * limit, still out of the way of the program's lowest-free ones */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 8)
            for (rlim_t k = 1; k <= 4 && high < 0 && rl.rlim_cur - k > (rlim_t)s->fd; k++)
                high = fcntl(s->fd, F_DUPFD_CLOEXEC, (int)(rl.rlim_cur - k));
    }
    if (high >= 0) {
        close(s->fd);
        s->fd = high;
    }
    if (unlink(other) != 0 && errno != ENOENT) {
        /* Not fatal: the new file is complete; readers prefer the one we write. */
    }
    int rc = format == RTRACE_FORMAT_JSON ? sink_emit(s, "[\n", 2, "trace.json: write failed")
                                          : sink_emit(s, bin_header, sizeof bin_header, "trace.bin: write failed");
    if (rc) {
        close(s->fd);
        sink_release(s);
        return rc;
    }
    *out = s;
    return 0;
}

/*
 * Appends n bytes of whole events. Binary: fills the current frame, ending it
 * whenever it reaches RTRACE_SINK_FRAME_MAX (an event may straddle frames: the
 * seekable format is one byte stream). 0, or a negative code once failed.
 */
int rtrace_sink_write(rtrace_sink *s, const void *bytes, size_t n)
{
    if (!s || s->closed)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace_sink_write: sink is closed");
    if (s->failed)
        return RTRACE_EIO;
    if (s->bg) {
        int rc = bg_adopt(s);
        if (rc)
            return rc;
    }
    const unsigned char *p = bytes;
    s->bytes_in += n;
    if (s->format == RTRACE_FORMAT_JSON) {
        if (s->cap - s->len < n) {
            int rc = sink_json_push(s);
            if (rc)
                return rc;
            if (n >= s->cap) {
                /* bigger than a buffer: written here, after the worker's */
                if (s->bg) {
                    bg_wait(s);
                    if ((rc = bg_adopt(s)) != 0)
                        return rc;
                }
                return sink_emit(s, p, n, "trace.json: write failed");
            }
        }
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        return 0;
    }
    while (n > 0) {
        size_t k = s->cap - s->len;
        if (k > n)
            k = n;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
        if (s->len == s->cap) {
            s->mid_event = n > 0;
            int rc = sink_frame(s);
            s->mid_event = false;
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Pushes buffered bytes to the file (binary: ends the current frame early). */
int rtrace_sink_flush(rtrace_sink *s)
{
    if (!s || s->closed)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace_sink_flush: sink is closed");
    if (s->failed)
        return RTRACE_EIO;
    if (!s->bg)
        return s->format == RTRACE_FORMAT_JSON ? sink_json_drain(s) : sink_frame(s);
    /* background: the flushed bytes must be in the file on return */
    int rc = bg_post(s);
    bg_wait(s);
    return rc ? rc : bg_adopt(s);
}

/*
 * Turns background writing on or off (see the file comment). On: creates
 * the ring's other buffers and, binary, the writer's own zstd context and
 * output (once), and the worker. Off: waits for the frames in flight and
 * stops the worker.
 */
int rtrace_sink_set_background(rtrace_sink *s, bool on)
{
    if (!s || s->closed)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace_sink_set_background: sink is closed");
    if (!on) {
        if (s->bg && bg_stop(s, false) != 0)
            return RTRACE_EIO;
        return s->failed ? RTRACE_EIO : 0;
    }
    if (s->bg)
        return 0;
    if (atomic_load(&s->alive)) {
        /* a worker told to stop has not returned yet: wait (it is exiting) */
        for (int a; (a = atomic_load_explicit(&s->alive, memory_order_acquire)) != 0;)
            futex_wait(&s->alive, a, NULL);
    }
    for (int i = 1; i < BG_SLOTS; i++)
        if (!s->bufs[i] && !(s->bufs[i] = buf_alloc(s->cap)))
            return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_set_background: out of memory");
    if (s->format == RTRACE_FORMAT_BINARY && !s->hcctx) {
        /* the writer's own context and output, for helping (bg_help) */
        size_t csize = ZSTD_estimateCCtxSize(s->level);
        if (!s->hcctx_mem)
            s->hcctx_mem = malloc(csize);
        if (!s->hbuf)
            s->hbuf = malloc(s->zcap);
        if (!s->hcctx_mem || !s->hbuf || !(s->hcctx = sink_cctx(s->hcctx_mem, csize, s->level)))
            return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_set_background: out of memory");
    }
    pthread_attr_t attr;
    sigset_t all, old;
    sigfillset(&all);
    if (pthread_attr_init(&attr) != 0)
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_set_background: no thread attributes");
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256u * 1024);
    for (int i = 0; i < BG_SLOTS; i++)
        atomic_store(&s->sl[i], SL_FREE);
    unsigned char *b = s->bufs[s->posted % BG_SLOTS];   /* the ring's current slot */
    if (b != s->buf) {
        memcpy(b, s->buf, s->len);
        s->buf = b;
    }
    atomic_store(&s->written, s->posted);
    atomic_store(&s->stop, 0);
    atomic_store(&s->hbusy, 0);
    atomic_store(&s->alive, 1);
    pthread_sigmask(SIG_SETMASK, &all, &old);    /* the worker takes no signal */
    pthread_t th;
    int e = pthread_create(&th, &attr, bg_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (e != 0) {
        atomic_store(&s->alive, 0);
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_sink_set_background: cannot create the thread: %s",
                                strerror(e));
    }
    s->bg = true;
    return 0;
}

/*
 * Close: stops the background worker (bounded wait). True when it is still
 * writing at the deadline: then the file (and its descriptor, which the
 * worker uses) is left as it is, cut between events or frames (`rtrace
 * repair` finishes it), the sink has failed and `msg` is reported once.
 */
static bool close_worker(rtrace_sink *s, const char *msg)
{
    if (!s->bg)
        return false;
    bg_adopt(s);
    if (bg_stop(s, true) == 0)
        return false;
    s->failed = true;
    if (!s->reported) {
        s->reported = true;
        rtrace__set_error_raw(RTRACE_EIO, msg, 0);
    }
    s->fd = -1;
    return true;
}

/*
 * Finishes and closes the file: JSON "\n]\n"; binary the last frame and the
 * seek table. Async-signal-safe (see the file comment). Idempotent.
 */
int rtrace_sink_close(rtrace_sink *s)
{
    if (!s || s->closed)
        return 0;
    s->closed = true;
    int rc = 0;
    if (s->format == RTRACE_FORMAT_JSON) {
        if (close_worker(s, "trace.json: the writing thread did not finish; "
                            "the file is not closed (repairable)"))
            return RTRACE_EIO;
        rc = sink_json_drain(s);
        if (s->failed) {
            /* Cut back to whole events; try to close the array anyway. */
            s->failed = false;
            rc = sink_emit(s, "\n]\n", 3, "trace.json: write failed");
            s->failed = true;
            rc = rc ? rc : RTRACE_EIO;
        } else {
            rc = sink_emit(s, "\n]\n", 3, "trace.json: write failed");
        }
    } else {
        if (close_worker(s, "trace.bin: the compression thread did not finish; "
                            "no seek table (the file is cut, repairable)"))
            return RTRACE_EIO;
        rc = sink_frame(s);
        bool was_failed = s->failed;
        s->failed = false;              /* the seek table of the frames written is still useful */
        unsigned char head[8], foot[9];
        uint32_t body = (uint32_t)(s->nframes * 8 + 9);
        put_le32(head, SEEKABLE_SKIPPABLE_MAGIC);
        put_le32(head + 4, body);
        put_le32(foot, (uint32_t)s->nframes);
        foot[4] = 0;
        put_le32(foot + 5, SEEKABLE_MAGIC);
        /* Entries are stored as host u32; convert to little-endian in place. */
        for (size_t i = 0; i < 2 * s->nframes; i++) {
            unsigned char le[4];
            put_le32(le, s->seek[i]);
            memcpy(&s->seek[i], le, 4);
        }
        uint64_t start = s->good_off;
        int r1 = write_all(s->fd, head, sizeof head);
        int r2 = r1 ? r1 : write_all(s->fd, s->seek, s->nframes * 8);
        int r3 = r2 ? r2 : write_all(s->fd, foot, sizeof foot);
        if (r3) {
            if (ftruncate(s->fd, (off_t)start) == 0)
                s->bytes_out = start;
            if (!s->reported) {
                s->reported = true;
                rtrace__set_error_raw(r3 == ENOSPC ? RTRACE_EFULL : RTRACE_EIO,
                                      "trace.bin: cannot write the seek table", r3);
            }
            rc = rc ? rc : (r3 == ENOSPC ? RTRACE_EFULL : RTRACE_EIO);
            was_failed = true;
        } else {
            s->bytes_out += sizeof head + s->nframes * 8 + sizeof foot;
            s->good_off = s->bytes_out;
        }
        s->failed = was_failed;
        if (was_failed && !rc)
            rc = RTRACE_EIO;
    }
    if (close(s->fd) != 0 && !rc && errno != EINTR) {
        rc = rtrace__set_error_raw(RTRACE_EIO, "trace file: close failed", errno);
        s->failed = true;
    }
    s->fd = -1;
    return rc;
}

/* Closes if needed, then frees everything. Accepts NULL. */
void rtrace_sink_free(rtrace_sink *s)
{
    if (!s)
        return;
    rtrace_sink_close(s);
    /* a worker told to stop touches the sink until it clears `alive` */
    uint64_t deadline = 0;
    for (int a; (a = atomic_load_explicit(&s->alive, memory_order_acquire)) != 0;) {
        if (!deadline)
            deadline = mono_ms() + RTRACE_BG_WAIT_MS;
        else if (mono_ms() >= deadline)
            return;   /* still busy (close gave up on it): leak rather than free under it */
        struct timespec rel = {0, 1000000};
        futex_wait(&s->alive, a, &rel);
    }
    sink_release(s);
}

uint64_t rtrace_sink_frames_helped(const rtrace_sink *s) { return s ? s->helped : 0; }
uint64_t rtrace_sink_frames(const rtrace_sink *s) { return s ? s->nframes : 0; }
uint64_t rtrace_sink_bytes_in(const rtrace_sink *s) { return s ? s->bytes_in : 0; }
uint64_t rtrace_sink_bytes_out(const rtrace_sink *s) { return s ? s->bytes_out : 0; }
bool rtrace_sink_failed(const rtrace_sink *s) { return s ? s->failed : false; }
int rtrace_sink_fd(const rtrace_sink *s) { return s ? s->fd : -1; }

const char *rtrace_sink_failure(const rtrace_sink *s, int *err)
{
    if (err)
        *err = s ? s->fail_err : 0;
    return s ? s->fail_what : NULL;
}

/*
 * Moves the trace file's descriptor to the lowest free number >= min, leaving
 * the old number open for the caller to reuse (a traced program's dup2 onto
 * the number, see runtime/fds.c). The background worker is idle on return
 * from bg_wait (the caller holds the runtime's sink lock, so no frame is
 * posted meanwhile), so no write can reach the old number afterwards. When no
 * descriptor is available the sink fails (fd -1: the next write reports it)
 * rather than ever writing into a file of the program's.
 */
int rtrace_sink_move_fd(rtrace_sink *s, int min)
{
    if (!s || s->fd < 0)
        return RTRACE_ESTATE;
    if (s->bg)
        bg_wait(s);
    int hi = fcntl(s->fd, F_DUPFD_CLOEXEC, min);
    if (hi < 0) {
        int e = errno;
        s->fd = -1;
        s->failed = true;
        if (!s->reported) {
            s->reported = true;
            rtrace_set_error(RTRACE_EIO, "the trace file's descriptor could not be moved away from "
                             "the program's: %s", strerror(e));
        }
        return RTRACE_EIO;
    }
    s->fd = hi;
    return 0;
}
