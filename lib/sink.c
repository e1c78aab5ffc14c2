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
 * write(2)/pread(2)/lseek(2)/ftruncate(2)/close(2) and stores an error message without stdio:
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
 * sink keeps the file valid and finishes it at once (sink_cut): when the file
 * system is out of room (ENOSPC, EDQUOT, or RLIMIT_FSIZE: EFBIG), with as
 * many events of the chunk or frame that failed as fit, with the file's end,
 * in the bytes the kernel took: JSON up to the last ",\n" that fits, then
 * "\n]\n"; binary a smaller frame, compressed again, of the events up to an
 * event boundary (a cut zstd frame cannot be read), then the seek table.
 * Otherwise (or when none fit) it goes back to the last event boundary before
 * that chunk. Then the sink stops writing data and the error is reported once
 * (rtrace_last_error). rtrace_sink_write_events' counts say how many events
 * were kept (rtrace_sink_events_kept): the cut counts the events it keeps of
 * the failed frame by parsing them (CBOR items; JSON separators) from the
 * first write that starts in it.
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
#include "encode_inline.h"
#include "error.h"

#define JSON_BUF_SIZE (1024u * 1024)
#define SEEK_MAX_FRAMES (1u << 22)          /* 2 TiB of events at 512 KiB per frame */
#define SEEKABLE_SKIPPABLE_MAGIC 0x184D2A5Eu
#define SEEKABLE_MAGIC 0x8F92EAB1u
#define RTRACE_BG_WAIT_MS 3000              /* close: the longest wait for a frame in flight */
#define NO_HEAD SIZE_MAX                    /* sink_job.head: no write starts in it */
#define SEEK_TABLE_SIZE(frames) (8 + (size_t)(frames) * 8 + 9)

/* Background ring: slots and their states (see the file comment). */
#define BG_SLOTS 4
enum { SL_FREE, SL_FILLED, SL_WORKER, SL_HELPER, SL_HELPED, SL_TAKEN };

static const unsigned char bin_header[8] = {0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00};

/* A buffer of events on its way to the file: a binary frame (events may
 * straddle its ends) or a JSON chunk (whole writes). */
typedef struct sink_job {
    const unsigned char *in;
    size_t n;
    size_t head;              /* where the first write that starts in it starts (NO_HEAD: none) */
    uint64_t head_ev;         /* events handed over before that write */
    uint64_t end_ev;          /* events handed over by its end (when `boundary`) */
    bool boundary;            /* it ends between two events */
} sink_job;

struct rtrace_sink {
    int fd;
    rtrace_format format;
    bool closed;
    bool failed;              /* a write failed: data is dropped from now on */
    bool reported;            /* the first failure is in rtrace_last_error() */
    bool sealed;              /* the file's end (sink_seal) follows bytes_out: it is complete */
    bool cut;                 /* a failure cut the events: ev_kept is what the file holds */
    bool seal_each;           /* each frame (ending between events) or chunk is followed by
                               * the file's end: at close, and with a lazy descriptor */
    bool lazy;                /* the file is opened for each write (rtrace_sink_set_fd_lazy) */
    int fd_users;             /* lazy: nested uses of the open descriptor (fd_take) */
    uint64_t ev_sealed;       /* lazy: events in the file when it was last finished */
    char path[PATH_MAX];      /* the file, for a lazy descriptor */
    uint64_t bytes_in, bytes_out;
    uint64_t good_off;        /* file size after the last complete chunk/frame */
    /* Binary: a frame may end inside an event (events straddle frames), so a
     * cut at good_off could leave a half event. ev_off / ev_nframes / ev_evs:
     * the file size, frame count and events after the last frame that ended
     * on an event boundary; a failure that keeps nothing of its frame cuts
     * back there (sink_cut). */
    uint64_t ev_off;
    size_t ev_nframes;
    uint64_t ev_evs;
    bool mid_event;           /* the frame being ended stops inside an event */
    uint64_t ev_in, ev_kept;  /* events handed over (write_events), in the file after a cut */
    size_t head;              /* the buffer being filled: its sink_job head, head_ev */
    uint64_t head_ev;
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
    uint32_t *seek;           /* 2 entries per frame, little-endian: compressed, decompressed */
    size_t nframes;
    /* background compression (binary, set_background) */
    bool bg;                  /* the worker runs: frames go to it */
    unsigned char *bufs[BG_SLOTS];  /* the ring; buf is bufs[posted % BG_SLOTS] */
    sink_job jobs[BG_SLOTS];        /* each posted frame or chunk */
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
 * First failure of the sink: marks it failed and records the message (raw,
 * async-signal-safe). The file was cut and finished before (sink_cut).
 */
static int sink_fail_x(rtrace_sink *s, const char *msg, int err, bool worker)
{
    if (!s->fail_what) {
        s->fail_err = err;
        s->fail_what = msg;
    }
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
 * would die of its trace. So only the bytes under the limit are written,
 * then EFBIG (the trace fails cleanly, the program runs on): the bytes of n
 * that fit. A getrlimit and an lseek per chunk (chunks are hundreds of KiB or
 * 100 ms apart).
 */
static size_t fsize_room(int fd, size_t n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return n;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    if (pos < 0 || (uint64_t)pos + n <= (uint64_t)rl.rlim_cur)
        return n;
    return (uint64_t)pos >= (uint64_t)rl.rlim_cur ? 0 : (size_t)(rl.rlim_cur - (uint64_t)pos);
}

/* write(2) of all n bytes, retrying short writes and EINTR; 0 or an errno
 * value, and in *done the bytes written either way. */
static int write_all(int fd, const void *p, size_t n, size_t *done)
{
    *done = 0;
    size_t room = n > 0 ? fsize_room(fd, n) : 0;
    const unsigned char *c = p;
    size_t left = room;
    while (left > 0) {
        ssize_t r = write(fd, c, left > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : left);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno ? errno : EIO;
        }
        if (r == 0)
            return ENOSPC;
        c += r;
        left -= (size_t)r;
        *done += (size_t)r;
    }
    return room < n ? EFBIG : 0;
}

/* The file ends at `off` from now on (what follows is dropped). */
static void cut_to(rtrace_sink *s, uint64_t off)
{
    if (ftruncate(s->fd, (off_t)off) == 0 && lseek(s->fd, (off_t)off, SEEK_SET) >= 0)
        s->bytes_out = s->good_off = off;
}

/* Bytes of the file's end (sink_seal) for what it holds now. */
static size_t seal_size(const rtrace_sink *s)
{
    return s->format == RTRACE_FORMAT_JSON ? 3 : SEEK_TABLE_SIZE(s->nframes);
}

/*
 * Writes the file's end after bytes_out: JSON "\n]\n"; binary the seek table
 * of the nframes frames (a skippable frame: its header, the entries, the
 * footer). The file is then complete (sealed). On an error the part written
 * is cut off again: the errno value, and in *done the bytes the kernel took.
 */
static int sink_seal(rtrace_sink *s, size_t *done)
{
    *done = 0;
    if (s->sealed)
        return 0;
    if (lseek(s->fd, (off_t)s->bytes_out, SEEK_SET) < 0)
        return errno ? errno : EIO;
    size_t d = 0;
    int err;
    if (s->format == RTRACE_FORMAT_JSON) {
        err = write_all(s->fd, "\n]\n", 3, done);
    } else {
        unsigned char head[8], foot[9];
        put_le32(head, SEEKABLE_SKIPPABLE_MAGIC);
        put_le32(head + 4, (uint32_t)(s->nframes * 8 + 9));
        put_le32(foot, (uint32_t)s->nframes);
        foot[4] = 0;
        put_le32(foot + 5, SEEKABLE_MAGIC);
        err = write_all(s->fd, head, sizeof head, &d);
        *done += d;
        if (!err) {
            err = write_all(s->fd, s->seek, s->nframes * 8, &d);
            *done += d;
        }
        if (!err) {
            err = write_all(s->fd, foot, sizeof foot, &d);
            *done += d;
        }
    }
    if (err) {
        cut_to(s, s->bytes_out);
        return err;
    }
    s->sealed = true;
    return 0;
}

/* rtrace__cbor_item_len at nesting depth `depth`. */
static size_t cbor_len(const unsigned char *p, size_t n, int depth)
{
    if (n < 1 || depth > 200)
        return 0;
    unsigned mt = p[0] >> 5, ai = p[0] & 31;
    size_t hl = 1;
    uint64_t v = ai;
    if (ai >= 24) {
        if (ai > 27)
            return 0;
        size_t w = (size_t)1 << (ai - 24);
        if (n < 1 + w)
            return 0;
        v = 0;
        for (size_t i = 0; i < w; i++)
            v = v << 8 | p[1 + i];
        hl += w;
    }
    switch (mt) {
    case 0: case 1: case 7:
        return hl;
    case 2: case 3:
        return v <= n - hl ? hl + (size_t)v : 0;
    case 4: case 5: {
        size_t off = hl;
        uint64_t items = mt == 5 ? v * 2 : v;
        if (items > n)
            return 0;
        for (uint64_t i = 0; i < items; i++) {
            size_t l = cbor_len(p + off, n - off, depth + 1);
            if (!l)
                return 0;
            off += l;
        }
        return off;
    }
    default: {   /* 6: a tag and its item */
        size_t l = cbor_len(p + hl, n - hl, depth + 1);
        return l ? hl + l : 0;
    }
    }
}

/* See encode_inline.h. */
size_t rtrace__cbor_item_len(const unsigned char *p, size_t n)
{
    return cbor_len(p, n, 0);
}

/*
 * Binary: the longest start of job's events that ends between two events at
 * or before byte `goal`: from its head, whole events (one CBOR item each);
 * the head itself when it is past 0 (the rest of an event begun in the frame
 * before). 0 when there is none; *nev the events after the head it keeps.
 */
static size_t cbor_fit(const sink_job *job, uint64_t goal, uint64_t *nev)
{
    *nev = 0;
    if (job->head == NO_HEAD || job->head > goal)
        return 0;
    size_t best = job->head, off = job->head;
    while (off < job->n) {
        size_t l = cbor_len(job->in + off, job->n - off, 0);
        if (!l || off + l > goal)
            break;
        off += l;
        best = off;
        ++*nev;
    }
    return best;
}

/*
 * Binary, after a frame did not fit: in its place, a frame of the longest
 * start of its events (cbor_fit) that fits in `room` bytes with the seek
 * table, compressed again (s->cctx: the caller writes the file, so it owns
 * it), then the table. The first size tried is the one the failed frame's
 * ratio gives (it compressed to zfull), each next one smaller by the ratio
 * missed. True when the file is complete with it.
 */
static bool bin_prefix(rtrace_sink *s, const sink_job *job, size_t room, size_t zfull)
{
    size_t table = SEEK_TABLE_SIZE(s->nframes + 1);
    if (s->nframes >= SEEK_MAX_FRAMES || room <= table || job->n == 0)
        return false;
    size_t target = room - table;
    uint64_t goal = zfull ? (uint64_t)job->n * target / zfull : job->n;
    for (int tries = 0; tries < 8; tries++) {
        goal -= goal / 32;   /* a little under: ratios vary along a frame */
        uint64_t nev;
        size_t b = cbor_fit(job, goal, &nev);
        if (b == 0)
            return false;
        size_t z = ZSTD_compress2(s->cctx, s->zbuf, s->zcap, job->in, b);
        if (ZSTD_isError(z))
            return false;
        if (z > target) {
            if (b <= job->head)
                return false;
            goal = (uint64_t)b * target / z;
            if (goal >= b)
                goal = b - 1;
            continue;
        }
        uint64_t off = s->good_off;
        size_t d;
        cut_to(s, off);
        if (write_all(s->fd, s->zbuf, z, &d) != 0) {
            cut_to(s, off);
            return false;
        }
        put_le32((unsigned char *)&s->seek[2 * s->nframes], (uint32_t)z);
        put_le32((unsigned char *)&s->seek[2 * s->nframes + 1], (uint32_t)b);
        s->nframes++;
        s->bytes_out = s->good_off = off + z;
        if (sink_seal(s, &d) != 0) {
            s->nframes--;
            cut_to(s, off);
            return false;
        }
        s->ev_off = s->good_off;
        s->ev_nframes = s->nframes;
        s->ev_kept = s->ev_evs = job->head_ev + nev;
        return true;
    }
    return false;
}

/* JSON: the longest start of job's chunk that ends between two events (at a
 * ",\n") at or before byte `limit`: its length, and in *nev its events. */
static size_t json_fit(const sink_job *job, size_t limit, uint64_t *nev)
{
    const unsigned char *in = job->in, *p = in;
    const unsigned char *end = in + (limit + 2 < job->n ? limit + 2 : job->n);
    size_t best = 0;
    uint64_t seps = 0, best_seps = 0;
    /* a raw newline is only ever the separator's (strings escape theirs) */
    for (const unsigned char *q; p < end && (q = memchr(p, '\n', (size_t)(end - p))) != NULL; p = q + 1) {
        size_t at = (size_t)(q - in);
        if (at >= 1 && in[at - 1] == ',' && at - 1 <= limit) {
            best = at - 1;
            best_seps = seps;
        }
        seps++;
    }
    /* every event after a separator; the trace's first one has none */
    *nev = best ? best_seps + (in[0] != ',') : 0;
    return best;
}

/*
 * JSON: drops the file's last event (before bytes_out), found by reading
 * back to the separator before it (pread: async-signal-safe). False when
 * there is none.
 */
static bool json_drop_last(rtrace_sink *s)
{
    unsigned char b[512];
    uint64_t end = s->bytes_out;
    while (end > 2) {
        size_t k = end - 2 > sizeof b ? sizeof b : (size_t)(end - 2);
        uint64_t from = end - k;
        if (pread(s->fd, b, k, (off_t)from) != (ssize_t)k)
            return false;
        for (size_t i = k; i-- > 0;)
            if (b[i] == '\n') {   /* ",\n": the event after it goes */
                cut_to(s, from + i - 1);
                s->ev_kept -= s->ev_kept > 0;
                return true;
            }
        end = from;
    }
    if (s->bytes_out <= 2)
        return false;
    cut_to(s, 2);   /* the only event: "[\n" stays */
    s->ev_kept -= s->ev_kept > 0;
    return true;
}

/* JSON: finishes the file, dropping events from its end while the 3 bytes
 * do not fit (each one dropped makes room). */
static int json_seal(rtrace_sink *s)
{
    size_t d;
    int err = sink_seal(s, &d);
    for (int tries = 0; err && tries < 16 && json_drop_last(s); tries++)
        err = sink_seal(s, &d);
    return err;
}

/*
 * A frame or chunk (job; NULL for a failure that is not a write's) could not
 * be written: `done` of its bytes (binary: of its zfull compressed bytes)
 * went into the file after good_off before error err. Leaves the file valid
 * and finished (see the file comment): with as many of its events as fit when
 * the file system is out of room, else back to the last event boundary before
 * it. Sets ev_kept. Called once, by whoever writes the file.
 */
static void sink_cut(rtrace_sink *s, const sink_job *job, size_t done, int err, size_t zfull)
{
    bool room = err == ENOSPC || err == EDQUOT || err == EFBIG;
    s->cut = true;
    if (s->format == RTRACE_FORMAT_JSON) {
        uint64_t nev = 0;
        size_t b = job && room && job->head == 0 && done > 3 ? json_fit(job, done - 3, &nev) : 0;
        s->ev_kept = (job ? job->head_ev : s->ev_in) + nev;
        cut_to(s, s->good_off + b);   /* the bytes before b are in the file already */
        json_seal(s);
        return;
    }
    if (job && room && bin_prefix(s, job, done, zfull))
        return;
    s->nframes = s->ev_nframes;
    s->ev_kept = s->ev_evs;
    cut_to(s, s->ev_off);
    size_t d;
    sink_seal(s, &d);   /* if even that fails, close tries again; else `rtrace repair` */
}

/* Writes a complete chunk that holds no events (the header). */
static int sink_emit(rtrace_sink *s, const void *p, size_t n, const char *what)
{
    if (s->failed)
        return RTRACE_EIO;
    size_t done;
    int err = write_all(s->fd, p, n, &done);
    if (err) {
        cut_to(s, s->good_off);
        return sink_fail(s, what, err);
    }
    s->bytes_out += n;
    s->good_off = s->bytes_out;
    s->ev_off = s->good_off;
    return 0;
}

/*
 * A lazy descriptor (rtrace_sink_set_fd_lazy): opens the file for what is to
 * be written now (nested uses share it), at bytes_out, never at 0-2 (the
 * runtime's write(2) would take those for the program's output). Without a
 * descriptor the sink fails (the program may hold all its descriptors): the
 * file stays as it was last finished. 0 or a negative code.
 */
static int fd_take(rtrace_sink *s)
{
    if (!s->lazy)
        return 0;
    if (s->fd_users++ > 0)
        return 0;
    int fd = open(s->path, O_RDWR | O_CLOEXEC), err = errno;
    if (fd >= 0 && fd < 3) {
        int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        err = errno;
        close(fd);
        fd = hi;
    }
    if (fd >= 0 && lseek(fd, (off_t)s->bytes_out, SEEK_SET) < 0) {
        err = errno;
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        err = err ? err : EIO;
        s->fd_users--;
        if (!s->cut) {
            s->cut = true;
            s->ev_kept = s->ev_sealed;
        }
        return sink_fail(s, s->format == RTRACE_FORMAT_JSON ? "trace.json: cannot open it again"
                                                            : "trace.bin: cannot open it again", err);
    }
    s->fd = fd;
    return 0;
}

/* Ends a use of a lazy descriptor: the last one closes it. */
static void fd_give(rtrace_sink *s)
{
    if (s->lazy && --s->fd_users == 0) {
        close(s->fd);
        s->fd = -1;
    }
}

/*
 * Binary: writes z bytes of compressed frame (zstd's result: an error code
 * fails the sink) holding job's events, and records it in the seek table.
 * `worker`: called by the background worker (errors go to werr_*).
 */
static int frame_put_fd(rtrace_sink *s, const unsigned char *zb, size_t z, const sink_job *job, bool worker)
{
    if (s->nframes >= SEEK_MAX_FRAMES || ZSTD_isError(z)) {
        sink_cut(s, NULL, 0, 0, 0);
        return sink_fail_x(s, ZSTD_isError(z) ? "trace.bin: zstd compression failed"
                                              : "trace.bin: too many frames for the seek table", 0, worker);
    }
    size_t done;
    s->sealed = false;   /* (lazy) the data goes over the file's end */
    int err = write_all(s->fd, zb, z, &done);
    if (err) {
        sink_cut(s, job, done, err, z);
        return sink_fail_x(s, "trace.bin: write failed", err, worker);
    }
    uint64_t off = s->good_off, ev_off = s->ev_off, ev_evs = s->ev_evs;
    size_t ev_nframes = s->ev_nframes;
    s->bytes_out += z;
    s->good_off = s->bytes_out;
    put_le32((unsigned char *)&s->seek[2 * s->nframes], (uint32_t)z);
    put_le32((unsigned char *)&s->seek[2 * s->nframes + 1], (uint32_t)job->n);
    s->nframes++;
    if (job->boundary) {
        s->ev_off = s->good_off;
        s->ev_nframes = s->nframes;
        s->ev_evs = job->end_ev;
    }
    if (s->seal_each && job->boundary) {
        if ((err = sink_seal(s, &done)) != 0) {
            /* the frame fitted, the table after it not: both must, in what the
             * kernel took (the frame and the table's part) */
            s->nframes--;
            s->ev_off = ev_off;
            s->ev_nframes = ev_nframes;
            s->ev_evs = ev_evs;
            cut_to(s, off);
            sink_cut(s, job, z + done, err, z);
            return sink_fail_x(s, "trace.bin: cannot write the seek table", err, worker);
        }
        s->ev_sealed = job->end_ev;
    }
    return 0;
}

/* frame_put_fd, with the descriptor (lazy: opened for it). */
static int frame_put(rtrace_sink *s, const unsigned char *zb, size_t z, const sink_job *job, bool worker)
{
    if (worker ? atomic_load_explicit(&s->wfailed, memory_order_relaxed) != 0 : s->failed)
        return RTRACE_EIO;
    int rc = fd_take(s);
    if (rc)
        return rc;
    rc = frame_put_fd(s, zb, z, job, worker);
    fd_give(s);
    return rc;
}

/* Binary: compresses job's bytes as one zstd frame and writes it (frame_put). */
static int frame_out(rtrace_sink *s, const sink_job *job, bool worker)
{
    if (job->n == 0)
        return 0;
    if (worker ? atomic_load_explicit(&s->wfailed, memory_order_relaxed) != 0 : s->failed)
        return RTRACE_EIO;
    size_t z = ZSTD_compress2(s->cctx, s->zbuf, s->zcap, job->in, job->n);
    return frame_put(s, s->zbuf, z, job, worker);
}

/*
 * JSON: writes job's chunk (whole events) to the file. `worker`: called by
 * the background worker (errors go to werr_*).
 */
static int json_chunk_out(rtrace_sink *s, const sink_job *job, bool worker)
{
    if (job->n == 0)
        return 0;
    if (worker ? atomic_load_explicit(&s->wfailed, memory_order_relaxed) != 0 : s->failed)
        return RTRACE_EIO;
    int rc = fd_take(s);
    if (rc)
        return rc;
    size_t done;
    s->sealed = false;   /* (lazy) the data goes over the file's end */
    int err = write_all(s->fd, job->in, job->n, &done);
    if (err) {
        sink_cut(s, job, done, err, 0);
        rc = sink_fail_x(s, "trace.json: write failed", err, worker);
    } else {
        s->bytes_out += job->n;
        s->good_off = s->bytes_out;
        s->ev_off = s->good_off;
        if (s->seal_each && (err = sink_seal(s, &done)) != 0) {
            /* no room for the 3 bytes: the last events make it */
            s->cut = true;
            s->ev_kept = job->end_ev;
            json_seal(s);
            rc = sink_fail_x(s, "trace.json: write failed", err, worker);
        } else if (s->seal_each) {
            s->ev_sealed = job->end_ev;
        }
    }
    fd_give(s);
    return rc;
}

/* A posted buffer, compressed (binary) and written: frame or JSON chunk. */
static int job_out(rtrace_sink *s, const sink_job *job, bool worker)
{
    if (s->format == RTRACE_FORMAT_JSON)
        return json_chunk_out(s, job, worker);
    return frame_out(s, job, worker);
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
        json_chunk_out(s, &s->jobs[i], true);
    else if (s->jobs[i].n)
        frame_put(s, zb, z, &s->jobs[i], true);
    atomic_store_explicit(&s->sl[i], SL_FREE, memory_order_release);
    atomic_store_explicit(&s->written, k + 1, memory_order_release);
}

/* Compresses posted frame k with cctx into out (of s->zcap bytes): zstd's result. */
static size_t bg_compress(rtrace_sink *s, ZSTD_CCtx *cctx, unsigned char *out, uint64_t k)
{
    unsigned i = (unsigned)(k % BG_SLOTS);
    return ZSTD_compress2(cctx, out, s->zcap, s->jobs[i].in, s->jobs[i].n);
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
        s->head = NO_HEAD;
        return rc;
    }
    unsigned i = (unsigned)(s->posted % BG_SLOTS);
    s->jobs[i] = (sink_job){ s->buf, s->len, s->head, s->head_ev, s->ev_in, !s->mid_event };
    s->head = NO_HEAD;
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
        job_out(s, &s->jobs[i], false);
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
    sink_job job = { s->buf, s->len, s->head, s->head_ev, s->ev_in, !s->mid_event };
    s->len = 0;
    s->head = NO_HEAD;
    return frame_out(s, &job, false);
}

/* JSON: writes the buffered bytes (on the caller's thread: no worker, or
 * the worker stopped or idle). */
static int sink_json_drain(rtrace_sink *s)
{
    if (s->len == 0)
        return 0;
    sink_job job = { s->buf, s->len, s->head, s->head_ev, s->ev_in, true };
    s->len = 0;
    s->head = NO_HEAD;
    return json_chunk_out(s, &job, false);
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
    s->head = NO_HEAD;
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
    memcpy(s->path, path, sizeof s->path);
    s->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);   /* read: json_drop_last */
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
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
            for (rlim_t k = 1; k <= 4 && high < 0 && rl.rlim_cur > k && rl.rlim_cur - k > (rlim_t)s->fd; k++)
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
 * Appends n bytes of whole events, `nevents` of them. Binary: fills the
 * current frame, ending it whenever it reaches RTRACE_SINK_FRAME_MAX (an
 * event may straddle frames: the seekable format is one byte stream). A
 * buffer's head is where the first write that starts in it starts: an event
 * boundary a cut can parse from. 0, or a negative code once failed.
 */
int rtrace_sink_write_events(rtrace_sink *s, const void *bytes, size_t n, uint64_t nevents)
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
                sink_job job = { p, n, 0, s->ev_in, s->ev_in + nevents, true };
                s->ev_in += nevents;
                return json_chunk_out(s, &job, false);
            }
        }
        if (s->len == 0) {
            s->head = 0;
            s->head_ev = s->ev_in;
        }
        s->ev_in += nevents;
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        return 0;
    }
    if (s->lazy && s->len > 0 && n > s->cap - s->len) {
        /* lazy: frames end between writes, so that the file finished after
         * each one ends between two events */
        int rc = sink_frame(s);
        if (rc)
            return rc;
    }
    if (s->head == NO_HEAD) {
        s->head = s->len;
        s->head_ev = s->ev_in;
    }
    s->ev_in += nevents;
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

/* rtrace_sink_write_events without a count (the events are not counted). */
int rtrace_sink_write(rtrace_sink *s, const void *bytes, size_t n)
{
    return rtrace_sink_write_events(s, bytes, n, 0);
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
    if (s->lazy)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace_sink_set_background: the descriptor is lazy");
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
    bool taken = false;     /* lazy: opened again to finish it */
    if (s->lazy && !s->failed && (s->len > 0 || !s->sealed)) {
        if ((rc = fd_take(s)) != 0)
            return rc;      /* the file stays as it was last finished */
        taken = true;
    }
    if (s->format == RTRACE_FORMAT_JSON) {
        if (close_worker(s, "trace.json: the writing thread did not finish; "
                            "the file is not closed (repairable)"))
            return RTRACE_EIO;
        rc = sink_json_drain(s);
        if (!s->sealed) {
            size_t d;
            int err = sink_seal(s, &d);
            if (err) {
                /* no room for the 3 bytes: the last events make it */
                if (!s->cut) {
                    s->cut = true;
                    s->ev_kept = s->ev_in;
                }
                json_seal(s);
                rc = sink_fail(s, "trace.json: write failed", err);
            }
        }
    } else {
        if (close_worker(s, "trace.bin: the compression thread did not finish; "
                            "no seek table (the file is cut, repairable)"))
            return RTRACE_EIO;
        s->seal_each = true;    /* the last frame and the table as one (frame_put) */
        rc = sink_frame(s);
        if (!s->sealed) {
            size_t d;
            int err = sink_seal(s, &d);
            if (err) {
                int r = sink_fail(s, "trace.bin: cannot write the seek table", err);
                rc = rc ? rc : r;
            }
        }
    }
    if (s->failed && !rc)
        rc = RTRACE_EIO;
    if (taken)
        fd_give(s);
    else if (s->fd >= 0 && close(s->fd) != 0 && !rc && errno != EINTR) {
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
uint64_t rtrace_sink_bytes_out(const rtrace_sink *s) { return s ? s->bytes_out + (s->sealed ? seal_size(s) : 0) : 0; }
uint64_t rtrace_sink_events_in(const rtrace_sink *s) { return s ? s->ev_in : 0; }
uint64_t rtrace_sink_events_kept(const rtrace_sink *s) { return !s ? 0 : s->cut ? s->ev_kept : s->ev_in; }
bool rtrace_sink_failed(const rtrace_sink *s) { return s ? s->failed : false; }
int rtrace_sink_fd(const rtrace_sink *s) { return s ? s->fd : -1; }

/*
 * The descriptor is closed now and the file opened again for each write
 * (fd_take), and finished after each one: JSON every chunk, binary every
 * frame, which then end between writes (rtrace_sink_write_events). The file
 * is complete between writes, so when it cannot be opened again (the
 * program holds all the descriptors its limit allows) only the events not
 * yet written are lost.
 */
int rtrace_sink_set_fd_lazy(rtrace_sink *s)
{
    if (!s || s->closed || s->bg || s->len > 0)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace_sink_set_fd_lazy: %s",
                                s && s->bg ? "background writing is on" : "not right after open");
    if (s->lazy || s->failed)
        return s->failed ? RTRACE_EIO : 0;
    size_t d;
    int err = sink_seal(s, &d);
    if (err)
        return sink_fail(s, s->format == RTRACE_FORMAT_JSON ? "trace.json: write failed"
                                                            : "trace.bin: write failed", err);
    s->ev_sealed = s->ev_in;
    s->lazy = s->seal_each = true;
    close(s->fd);
    s->fd = -1;
    return 0;
}

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
    if (s && s->lazy)
        return 0;   /* held only while writing, under the caller's lock */
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
