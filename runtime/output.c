/*
 * runtime/output.c - the output path: per-thread buffers -> the trace files.
 *
 * Each thread encodes events into its own buffer (threads.c) without locks.
 * rt_output_commit() is called after every group of whole events; it is a
 * length check and a counter, and hands the thread's bytes to the global sink
 * when the buffer passes RT_FLUSH_BYTES, or when RT_FLUSH_NS has elapsed (the
 * clock, a vDSO CLOCK_MONOTONIC_COARSE read, is looked at every
 * RT_CLOCK_EVERY events). The sink lock is held only for the copy.
 *
 * Threads: a flush is preceded by ThreadSwitch(tid) when another thread's
 * events were written last, so a reader can split the stream per thread.
 * A commit flushes only its own thread's buffer: another thread may be in the
 * middle of an event in its buffer, and nothing in the hot path synchronises
 * with it. Buffers of idle threads reach the file when the thread ends, when
 * it commits again after the interval, or at exit/crash (rt_output_finish
 * waits briefly for each thread to leave the runtime and takes the whole
 * events it committed). So the file lags an idle thread by at most its last
 * events; an active thread's events are at most ~100 ms behind.
 *
 * The lock: a recursive spin lock owned by a thread id. Async signals are
 * blocked while it is held (two sigprocmask calls per flush, which happens
 * once per MiB or per 100 ms), so a signal handler never finds its own
 * thread inside the sink; the fatal-signal path (from_signal) waits for
 * another owner for a bounded time, then proceeds.
 *
 * Definitions (Type, Function, VariableName, Path) go straight to the sink
 * under the lock, and are also kept in memory (the "defs log", which starts
 * with the start events) so that a forked child can begin its own trace with
 * every id already defined.
 *
 * RTRACE_RING=N (flight recorder): flushes go to an in-memory ring of the
 * last N events instead of the file; definitions still go to the file; the
 * ring is written at exit or crash, per thread without Returns whose Call was
 * dropped and without events before the thread's first surviving Step.
 *
 * A thread that blocks gets no commits: so the calls where programs wait
 * (sleep, poll, select, epoll_wait, pthread_join, condition variables,
 * sem_wait, wait/waitpid, pause, sigsuspend, read from stdin) are
 * interposed to flush the caller's committed events first (only when it has
 * some). A program that hangs or is killed while waiting has its trace on
 * disk up to the wait.
 *
 * Budgets (RTRACE_MAX_EVENTS, RTRACE_MAX_BYTES) and write errors (disk full)
 * stop recording: rt_thread_get() returns NULL from then on; a budget closes
 * the trace at once; after a write error the sink has kept the events that
 * fit and finished the file (lib/sink.c), and the summary says how many
 * (every write to the sink says how many events it holds).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"
#include "../lib/encode_inline.h"

#define RT_FLUSH_NS      (100ull * 1000 * 1000)
#define RT_CLOCK_EVERY   1024
#define RT_PATHS_MAX     (1u << 19)         /* distinct source paths */
#define RT_PTAB_SLOTS    (1u << 20)         /* hash slots for them (power of 2) */

/* ---- State -------------------------------------------------------------- */
static rtrace_sink *rt_sink;
static char rt_dir_used[sizeof rt_cfg.dir + 32];
static int rt_dir_lock_fd = -1;
static uint64_t rt_last_writer;             /* tid whose events were written last */
static bool rt_main_start_written;          /* ThreadStart(main) is in the file */
static rtrace_enc rt_scratch;               /* small events written under the lock */
static rtrace_enc rt_defs;                  /* the definitions being written */
static rtrace_enc rt_start;                 /* start events (json_first), built at start-up */
static rtrace_enc rt_pre_defs;              /* definitions written before the start events */
static bool rt_start_written;
static _Atomic uint64_t rt_budget_events;   /* events committed (only with RTRACE_MAX_EVENTS) */
static _Atomic uint64_t rt_bytes_in;        /* bytes of events handed to the sink or ring */
static uint64_t rt_events_done;             /* events of threads that ended */
static uint64_t rt_events_unwritten;        /* events not handed to the sink: it had failed */
static uint64_t rt_slow_done;               /* of which the general path wrote */
static uint64_t rt_t0_ns;
static bool rt_write_error_reported;
static bool rt_summary_ready, rt_summary_printed;
static char rt_summary[2 * sizeof rt_dir_used + 256];

static void sync_side_files(void);
static _Atomic uint32_t rt_npaths;          /* source paths known (paths section) */
static _Atomic uint32_t rt_paths_synced;    /* ... of which copied to files/ */

/* defs log: every byte of definitions and start events, for fork children */
static unsigned char *rt_dlog;
static size_t rt_dlog_len, rt_dlog_cap;

/* ---- Small helpers -------------------------------------------------------- */
static uint64_t now_coarse_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Grows an mmap'ed byte area to hold `need` bytes (mremap). */
static bool area_grow(unsigned char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : (64u << 10);
    while (n < need)
        n *= 2;
    void *q = *p ? mremap(*p, *cap, n, MREMAP_MAYMOVE)
                 : mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* ---- The lock --------------------------------------------------------------- */
static _Atomic int rt_lk_owner;
static int rt_lk_depth;
static bool rt_lk_masked;
static sigset_t rt_lk_saved;
static int rt_lk_cancel_state;
static sigset_t rt_async_set;
static bool rt_async_set_ready;

static void async_set_init(void)
{
    if (rt_async_set_ready)
        return;
    sigfillset(&rt_async_set);
    /* synchronous faults must still reach the handlers (safe copy, crashes) */
    static const int sync_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT };
    for (size_t i = 0; i < sizeof sync_sigs / sizeof *sync_sigs; i++)
        sigdelset(&rt_async_set, sync_sigs[i]);
    rt_async_set_ready = true;
}

/*
 * Takes the sink lock. Recursive for the same thread outside signal context.
 * from_signal: no signal masking, no recursion (the thread was interrupted
 * inside the lock: false), and a bounded wait for another owner (2 s), after
 * which the lock is taken anyway: a dying process must still close its trace.
 */
static bool lk_acquire(bool from_signal)
{
    int me = (int)rt_gettid();
    if (atomic_load(&rt_lk_owner) == me) {
        if (from_signal)
            return false;
        rt_lk_depth++;
        rt_tls_own_io++;
        return true;
    }
    sigset_t old;
    int cancel_state = PTHREAD_CANCEL_ENABLE;
    if (!from_signal) {
        pthread_sigmask(SIG_BLOCK, &rt_async_set, &old);
        /* the sink's write() is a cancellation point: a thread cancelled
         * there would die holding the lock */
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    }
    uint64_t deadline = 0;
    unsigned spins = 0;
    int zero = 0;
    while (!atomic_compare_exchange_weak(&rt_lk_owner, &zero, me)) {
        zero = 0;
        if (++spins < 64)
            continue;
        if (from_signal) {
            uint64_t t = now_ns();
            if (!deadline)
                deadline = t + 2000000000ull;
            else if (t > deadline) {
                atomic_store(&rt_lk_owner, me);
                break;
            }
        }
        sched_yield();
    }
    rt_lk_depth = 1;
    rt_tls_own_io++;         /* the sink's I/O under the lock is the runtime's (fds.c) */
    rt_lk_masked = !from_signal;
    if (!from_signal) {
        rt_lk_saved = old;
        rt_lk_cancel_state = cancel_state;
    }
    return true;
}

static void lk_release(void)
{
    rt_tls_own_io--;
    if (--rt_lk_depth > 0)
        return;
    bool masked = rt_lk_masked;
    sigset_t saved = rt_lk_saved;
    int cancel_state = rt_lk_cancel_state;
    atomic_store(&rt_lk_owner, 0);
    if (masked) {
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        pthread_setcancelstate(cancel_state, NULL);
    }
}

/* ---- Writing to the sink (lock held) --------------------------------------- */
/* What stopped the trace's writing, for the messages: the errno value's
 * meaning and name, and the file (async-signal-safe: no strerror). */
static void write_failure_text(char *buf, size_t cap)
{
    int err = 0;
    const char *what = rt_sink ? rtrace_sink_failure(rt_sink, &err) : NULL;
    const char *file = rt_cfg.format == RTRACE_FORMAT_JSON ? "trace.json" : "trace.bin";
    const char *name = err == ENOSPC ? "disk full (ENOSPC)"
                     : err == EDQUOT ? "disk quota exceeded (EDQUOT)"
                     : err == EFBIG ? "file size limit reached (EFBIG, RLIMIT_FSIZE)"
                     : err == EMFILE ? "no descriptor free (EMFILE, RLIMIT_NOFILE)"
                     : err == EIO ? "input/output error (EIO)" : NULL;
    if (name)
        rt_format(buf, cap, "%s writing %s/%s", name, rt_dir_used, file);
    else if (err)
        rt_format(buf, cap, "%s (errno %d) in %s", what, err, rt_dir_used);
    else if (what)
        rt_format(buf, cap, "%s in %s", what, rt_dir_used);
    else   /* not the sink's writing (its close): the library's message */
        rt_format(buf, cap, "%s in %s", *rtrace_last_error() ? rtrace_last_error() : "write failed", rt_dir_used);
}

static void report_write_error(void)
{
    if (rt_write_error_reported)
        return;
    rt_write_error_reported = true;
    /* the library's message is per thread: another thread (or the binary
     * sink's worker) may have met the failure; the sink keeps the first */
    char why[sizeof rt_dir_used + 128];
    write_failure_text(why, sizeof why);
    rt_warn("cannot write the trace: %s; recording stopped (the program runs on; the trace "
            "keeps the events it could write and stays valid)", why);
    int st = RT_ST_RUNNING;
    atomic_compare_exchange_strong(&rt_state, &st, RT_ST_STOPPED);
}

static size_t next_event_len(const unsigned char *p, size_t n);

/* Events in [p, p+n) (whole ones): for definitions, written rarely. */
static uint64_t count_events(const unsigned char *p, size_t n)
{
    uint64_t k = 0;
    for (size_t l; n; p += l, n -= l, k++)
        l = next_event_len(p, n);
    return k;
}

/*
 * Bytes of `nev` whole events to the file; `def`: also kept in the defs log.
 * The counts let the summary say how many events the file holds, also after
 * a write error cut it (lib/sink.c keeps as many as fit).
 */
static void sink_put(const void *p, size_t n, bool def, uint64_t nev)
{
    if (!n || !rt_sink)
        return;
    if (def && area_grow(&rt_dlog, &rt_dlog_cap, rt_dlog_len + n)) {
        memcpy(rt_dlog + rt_dlog_len, p, n);
        rt_dlog_len += n;
    }
    if (rtrace_sink_failed(rt_sink)) {
        rt_events_unwritten += nev;
        return;
    }
    if (rtrace_sink_write_events(rt_sink, p, n, nev) != 0 || rtrace_sink_failed(rt_sink))
        report_write_error();
}

/* Definitions (or start events) to the file and the defs log. */
static void sink_put_defs(const rtrace_enc *e)
{
    sink_put(e->buf, e->len, true, count_events(e->buf, e->len));
}

static void put_thread_switch(uint64_t tid)
{
    if (rt_last_writer == tid)
        return;
    rtrace_enc_reset(&rt_scratch);
    rtrace_enc_thread_switch(&rt_scratch, tid);
    sink_put(rt_scratch.buf, rt_scratch.len, false, 1);
    rt_last_writer = tid;
}

/* ---- The ring (RTRACE_RING) ----------------------------------------------- */
enum { RG_CALL = 1, RG_RETURN = 2, RG_STEP = 4 };
typedef struct rg_hdr {
    uint32_t len;      /* bytes of the event */
    uint32_t flags;
    uint64_t tid;
} rg_hdr;
static unsigned char *rt_rg;
static size_t rt_rg_cap, rt_rg_start, rt_rg_end;   /* live records in [start, end) */
static uint64_t rt_rg_count;

/* Classifies one encoded event by its variant name. */
static uint32_t event_flags(const unsigned char *p, size_t n)
{
    if (rt_cfg.format == RTRACE_FORMAT_JSON) {
        while (n && (*p == ',' || *p == '\n')) {
            p++;
            n--;
        }
        if (n > 7 && !memcmp(p, "{\"Call\"", 7))
            return RG_CALL;
        if (n > 9 && !memcmp(p, "{\"Return\"", 9))
            return RG_RETURN;
        if (n > 7 && !memcmp(p, "{\"Step\"", 7))
            return RG_STEP;
        return 0;
    }
    if (n > 6 && p[0] == 0xa1 && p[1] == 0x64 && !memcmp(p + 2, "Call", 4))
        return RG_CALL;
    if (n > 8 && p[0] == 0xa1 && p[1] == 0x66 && !memcmp(p + 2, "Return", 6))
        return RG_RETURN;
    if (n > 6 && p[0] == 0xa1 && p[1] == 0x64 && !memcmp(p + 2, "Step", 4))
        return RG_STEP;
    return 0;
}

/* Length of the first event in [p, p+n): JSON events start with ",\n" and a
 * raw newline appears nowhere else; CBOR events are one item each. */
static size_t next_event_len(const unsigned char *p, size_t n)
{
    if (rt_cfg.format == RTRACE_FORMAT_JSON) {
        const unsigned char *nl = n > 2 ? memchr(p + 2, '\n', n - 2) : NULL;
        return nl ? (size_t)(nl - 1 - p) : n;   /* up to the ',' before the next '\n' */
    }
    size_t l = rtrace__cbor_item_len(p, n);
    return l ? l : n;
}

/* Drops the oldest records beyond N. */
static void ring_trim(void)
{
    while (rt_rg_count > rt_cfg.ring && rt_rg_start < rt_rg_end) {
        rg_hdr *h = (rg_hdr *)(rt_rg + rt_rg_start);
        rt_rg_start += (sizeof *h + h->len + 7) & ~(size_t)7;
        rt_rg_count--;
    }
}

/* Appends the events of one flush to the ring (lock held). */
static void ring_push(uint64_t tid, const unsigned char *p, size_t n)
{
    while (n) {
        size_t l = next_event_len(p, n);
        size_t rec = (sizeof(rg_hdr) + l + 7) & ~(size_t)7;
        if (rt_rg_end + rec > rt_rg_cap && rt_rg_start > 0) {
            /* compact: the live part moves to the front */
            memmove(rt_rg, rt_rg + rt_rg_start, rt_rg_end - rt_rg_start);
            rt_rg_end -= rt_rg_start;
            rt_rg_start = 0;
        }
        if (area_grow(&rt_rg, &rt_rg_cap, rt_rg_end + rec)) {
            rg_hdr *h = (rg_hdr *)(rt_rg + rt_rg_end);
            h->len = (uint32_t)l;
            h->flags = event_flags(p, l);
            h->tid = tid;
            memcpy(h + 1, p, l);
            rt_rg_end += rec;
            rt_rg_count++;
            ring_trim();
        }
        p += l;
        n -= l;
    }
}

/* Writes the surviving ring events to the sink (lock held). Per thread: no
 * event before its first Step, no Return without its Call. */
static void ring_write(void)
{
    enum { MAXT = 256 };
    uint64_t tids[MAXT];
    int64_t depth[MAXT];
    bool seen_step[MAXT];
    size_t nt = 0;
    for (size_t off = rt_rg_start; off < rt_rg_end;) {
        rg_hdr *h = (rg_hdr *)(rt_rg + off);
        off += (sizeof *h + h->len + 7) & ~(size_t)7;
        size_t i = 0;
        while (i < nt && tids[i] != h->tid)
            i++;
        if (i == nt) {
            if (nt == MAXT)
                continue;
            tids[nt] = h->tid;
            depth[nt] = 0;
            seen_step[nt] = false;
            nt++;
        }
        if (!seen_step[i]) {
            if (!(h->flags & RG_STEP))
                continue;
            seen_step[i] = true;
        }
        if (h->flags & RG_CALL)
            depth[i]++;
        if (h->flags & RG_RETURN) {
            if (depth[i] == 0)
                continue;
            depth[i]--;
        }
        put_thread_switch(h->tid);
        sink_put(h + 1, h->len, false, 1);
    }
    rt_rg_start = rt_rg_end = 0;
    rt_rg_count = 0;
}

/* Hands x's first `n` bytes, its whole events since the last time, to the
 * file or the ring. */
static void put_events(rt_thread_x *x, const unsigned char *p, size_t n)
{
    uint64_t nev = x->pub.events - x->events_put;
    x->events_put = x->pub.events;
    if (!n)
        return;
    atomic_fetch_add_explicit(&rt_bytes_in, n, memory_order_relaxed);
    if (rt_cfg.ring) {
        ring_push(x->pub.tid, p, n);
        return;
    }
    put_thread_switch(x->pub.tid);
    sink_put(p, n, false, nev);
}

/* ---- Per-thread flushing ---------------------------------------------------- */
/* Moves whole events of t->nested (probes that interrupted the runtime)
 * behind the completed events of t->enc. Signals are blocked meanwhile so
 * that no new nested event is written during the move. */
static void take_nested(rt_thread_x *x)
{
    rt_thread *t = &x->pub;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if (t->nested.depth == 0 && t->nested.len && rtrace_enc_reserve(&t->enc, t->nested.len)) {
        memcpy(t->enc.buf + t->enc.len, t->nested.buf, t->nested.len);
        t->enc.len += t->nested.len;
    }
    rtrace_enc_reset(&t->nested);
    t->nested.oom = false;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Writes x's committed bytes (lock held) and keeps any partial event. */
static void flush_locked(rt_thread_x *x)
{
    rt_thread *t = &x->pub;
    size_t n = x->committed;
    if (n > t->enc.len)
        n = t->enc.len;
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING || st == RT_ST_CLOSING)
        put_events(x, t->enc.buf, n);
    size_t rest = t->enc.len - n;
    if (rest)
        memmove(t->enc.buf, t->enc.buf + n, rest);
    t->enc.len = rest;
    x->committed = 0;
}

void rt_output_flush_thread(rt_thread_x *x)
{
    if (!x->committed)
        return;
    lk_acquire(false);
    flush_locked(x);
    lk_release();
    x->last_flush_ns = now_coarse_ns();
    if (unlikely(atomic_load_explicit(&rt_paths_synced, memory_order_relaxed) <
                 atomic_load_explicit(&rt_npaths, memory_order_relaxed)))
        sync_side_files();
}

/* Called by threads.c when a thread ends: flush, then give the slot back
 * under the lock (so that the exit path never flushes a slot being reused). */
void rt_output_release_thread(rt_thread_x *x)
{
    lk_acquire(false);
    if (x->committed)
        flush_locked(x);
    rt_events_done += x->pub.events;
    rt_slow_done += x->pub.slow_events;
    x->pub.events = 0;
    x->pub.slow_events = 0;
    x->events_put = 0;
    atomic_store(&x->in_use, 0);
    lk_release();
}

/* A budget was reached in thread x (inside a hook): keep what is committed,
 * stop, and close the trace now. */
static void budget_hit(const char *var, unsigned long long limit)
{
    int st = RT_ST_RUNNING;
    if (!atomic_compare_exchange_strong(&rt_state, &st, RT_ST_STOPPED))
        return;
    if (!rt_cfg.quiet)
        rt_warn("recording stopped: %s=%llu reached", var, limit);
    rt_output_finish(false);
}

/*
 * rt_output_commit: see rt.h. The hot path: a few compares; flushes at
 * RT_FLUSH_BYTES or every RT_FLUSH_NS (clock read every RT_CLOCK_EVERY events).
 */
void rt_output_commit(rt_thread *t, unsigned nevents)
{
    rt_thread_x *x = (rt_thread_x *)t;
    if (unlikely(t->in_runtime > 1)) {
        t->events += nevents;   /* nested: moved to t->enc by the outer commit */
        t->slow_events += nevents;
        return;
    }
    if (unlikely(t->nested.len))
        take_nested(x);
    t->events += nevents;
    t->slow_events += nevents;
    x->committed = t->enc.len;
    if (unlikely(rt_cfg.max_events | rt_cfg.max_bytes)) {
        if (rt_cfg.max_events &&
            atomic_fetch_add(&rt_budget_events, nevents) + nevents >= rt_cfg.max_events) {
            budget_hit("RTRACE_MAX_EVENTS", (unsigned long long)rt_cfg.max_events);
            return;
        }
        if (rt_cfg.max_bytes &&
            atomic_load_explicit(&rt_bytes_in, memory_order_relaxed) + t->enc.len >= rt_cfg.max_bytes) {
            budget_hit("RTRACE_MAX_BYTES", (unsigned long long)rt_cfg.max_bytes);
            return;
        }
    }
    if (unlikely(t->enc.len >= RT_FLUSH_BYTES)) {
        rt_output_flush_thread(x);
        return;
    }
    if (unlikely(t->events >= x->clock_check_at)) {
        x->clock_check_at = t->events + RT_CLOCK_EVERY;
        uint64_t now = now_coarse_ns();
        if (now - x->last_flush_ns >= RT_FLUSH_NS) {
            rt_output_flush_thread(x);
            lk_acquire(false);
            if (rt_sink && atomic_load(&rt_state) == RT_ST_RUNNING)
                rtrace_sink_flush(rt_sink);
            lk_release();
        }
    }
}

bool rt_recording(void)
{
    return atomic_load_explicit(&rt_state, memory_order_relaxed) == RT_ST_RUNNING;
}

/* ---- Definitions ------------------------------------------------------------ */
rtrace_enc *rt_output_defs_begin(void)
{
    int st = atomic_load(&rt_state);
    if (st == RT_ST_STARTING)
        return &rt_pre_defs;   /* only the starting thread runs now */
    if (st != RT_ST_RUNNING)
        return NULL;
    lk_acquire(false);
    if (atomic_load(&rt_state) != RT_ST_RUNNING) {
        lk_release();
        return NULL;
    }
    if (rt_lk_depth == 1)
        rtrace_enc_reset(&rt_defs);
    return &rt_defs;
}

void rt_output_defs_end(void)
{
    if (atomic_load(&rt_state) == RT_ST_STARTING)
        return;
    if (rt_lk_depth == 1) {
        sink_put_defs(&rt_defs);
        rtrace_enc_reset(&rt_defs);
    }
    lk_release();
}

/* ---- Paths ------------------------------------------------------------------ */
/* Fixed reservations (MAP_NORESERVE) so that lock-free readers never see a
 * table move: slot = (hash << 32) | (id + 1), 0 = empty. */
static const char **rt_paths;
static _Atomic uint64_t *rt_ptab;
static char *rt_parena;
static size_t rt_parena_left;

static uint32_t path_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h ? h : 1;
}

static bool paths_init(void)
{
    if (rt_paths)
        return true;
    void *a = mmap(NULL, RT_PATHS_MAX * sizeof(char *), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void *b = mmap(NULL, RT_PTAB_SLOTS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (a == MAP_FAILED || b == MAP_FAILED)
        return false;
    rt_paths = a;
    rt_ptab = b;
    return true;
}

/* Lock-free lookup: the id of `s`, or -1. */
static int64_t path_find(const char *s, uint32_t h)
{
    if (!rt_ptab)
        return -1;
    for (uint32_t i = h & (RT_PTAB_SLOTS - 1);; i = (i + 1) & (RT_PTAB_SLOTS - 1)) {
        uint64_t v = atomic_load_explicit(&rt_ptab[i], memory_order_acquire);
        if (!v)
            return -1;
        if ((uint32_t)(v >> 32) == h && !strcmp(rt_paths[(uint32_t)v - 1], s))
            return (uint32_t)v - 1;
    }
}

/* Inserts `s` (lock held, or the starting thread); returns its id or -1. */
static int64_t path_insert(const char *s, uint32_t h)
{
    uint32_t id = atomic_load(&rt_npaths);
    size_t len = strlen(s) + 1;
    if (id >= RT_PATHS_MAX / 2)
        return -1;
    if (rt_parena_left < len) {
        size_t sz = len > (256u << 10) ? len : (256u << 10);
        void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return -1;
        rt_parena = p;
        rt_parena_left = sz;
    }
    char *copy = rt_parena;
    memcpy(copy, s, len);
    rt_parena += len;
    rt_parena_left -= len;
    rt_paths[id] = copy;
    uint32_t i = h & (RT_PTAB_SLOTS - 1);
    while (atomic_load(&rt_ptab[i]))
        i = (i + 1) & (RT_PTAB_SLOTS - 1);
    atomic_store(&rt_npaths, id + 1);
    atomic_store_explicit(&rt_ptab[i], (uint64_t)h << 32 | (id + 1), memory_order_release);
    return id;
}

/* rt_output_path_id: see rt.h. Known paths: lock-free. */
uint32_t rt_output_path_id(const char *abs_path)
{
    if (!abs_path)
        return RT_NO_PATH;
    uint32_t h = path_hash(abs_path);
    int64_t id = path_find(abs_path, h);
    if (id >= 0)
        return (uint32_t)id;
    int st = atomic_load(&rt_state);
    if (st == RT_ST_STARTING) {
        if (!paths_init() || (id = path_insert(abs_path, h)) < 0)
            return RT_NO_PATH;
        rtrace_enc_path(&rt_start, abs_path);
        return (uint32_t)id;
    }
    if (st != RT_ST_RUNNING)
        return RT_NO_PATH;
    lk_acquire(false);
    id = path_find(abs_path, h);
    if (id < 0 && atomic_load(&rt_state) == RT_ST_RUNNING && (id = path_insert(abs_path, h)) >= 0) {
        rtrace_enc_reset(&rt_scratch);
        rtrace_enc_path(&rt_scratch, abs_path);
        sink_put(rt_scratch.buf, rt_scratch.len, true, 1);
    }
    lk_release();
    return id < 0 ? RT_NO_PATH : (uint32_t)id;
}

/* ---- Opening ------------------------------------------------------------------ */
/* mkdir -p, async-signal-safe (no malloc). */
static int mkdirs(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

/* Locks the folder against another live traced process (an exec'd or
 * spawned rtcc program inheriting RTRACE_DIR): false if someone holds it.
 * The lock's descriptor goes to `want` or above. */
static bool lock_dir(const char *dir, int want)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return true;   /* the sink will report the real problem */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return errno != EWOULDBLOCK;
    }
    /* out of the way of the program's lowest-free-fd expectations */
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, want);
    if (hi < 0) {
        /* a limit below it (ulimit -n 20): just under the limit (the trace
         * file takes the highest number, see lib/sink.c) */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
            for (rlim_t k = 2; k <= 6 && hi < 0 && rl.rlim_cur > k && rl.rlim_cur - k > (rlim_t)fd; k++)
                hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)(rl.rlim_cur - k));
    }
    if (hi >= 0) {
        close(fd);
        fd = hi;
    }
    if (rt_dir_lock_fd >= 0)
        close(rt_dir_lock_fd);
    rt_dir_lock_fd = fd;
    return true;
}

/*
 * Around exec: the folder's lock is kept by the new program image (the fd
 * loses FD_CLOEXEC), so that an exec'd rtcc program with the same folder
 * finds it taken and records into <dir>.<pid> instead of over this trace.
 * `keep` false restores FD_CLOEXEC (the exec failed).
 */
void rt_output_lock_across_exec(bool keep)
{
    if (rt_dir_lock_fd >= 0)
        fcntl(rt_dir_lock_fd, F_SETFD, keep ? 0 : FD_CLOEXEC);
}

const char *rt_output_dir(void) { return rt_dir_used; }

/*
 * The runtime's two descriptors (the folder's lock, the trace file) go to
 * 512 and 600, or, under a lower soft RLIMIT_NOFILE, above the program's
 * numbers: the soft limit is raised toward the hard one for the moment they
 * are placed, then set back (descriptors above it stay valid, and the
 * program can neither open nor dup2 onto them: getrlimit, its open()
 * numbers and where it meets EMFILE are as untraced). Returns the program's
 * soft limit when it is that low (*nofile: the limits), else 0.
 */
static int nofile_make_room(struct rlimit *nofile)
{
    if (getrlimit(RLIMIT_NOFILE, nofile) != 0 || nofile->rlim_cur > RTRACE_SINK_FD_MIN)
        return 0;
    struct rlimit r = *nofile;
    r.rlim_cur = r.rlim_max > RTRACE_SINK_FD_MIN ? RTRACE_SINK_FD_MIN + 1 : r.rlim_max;
    if (r.rlim_cur > nofile->rlim_cur)
        setrlimit(RLIMIT_NOFILE, &r);
    return (int)nofile->rlim_cur;
}

/*
 * After the descriptors were placed (nofile_make_room): the program's soft
 * limit back; a descriptor that could only go among the program's numbers
 * (a hard limit with no room above the soft one) is given up, so that the
 * program still gets the numbers it would untraced: the lock is dropped, the
 * trace file is opened only while it is written (lib/sink.c's lazy
 * descriptor; no background writing then). Says so once. True when the
 * trace file's descriptor is lazy.
 */
static bool nofile_settle(const struct rlimit *nofile, int low)
{
    static bool warned;
    setrlimit(RLIMIT_NOFILE, nofile);
    bool nolock = rt_dir_lock_fd >= 0 && rt_dir_lock_fd < low;
    bool lazy = rtrace_sink_fd(rt_sink) >= 0 && rtrace_sink_fd(rt_sink) < low;
    if (nolock) {
        close(rt_dir_lock_fd);
        rt_dir_lock_fd = -1;
    }
    if (lazy && rtrace_sink_set_fd_lazy(rt_sink) != 0)
        return false;   /* the sink has failed: recording stops at the first write */
    if ((nolock || lazy) && !warned) {
        warned = true;
        rt_warn("RLIMIT_NOFILE is %d and its hard limit %llu: no descriptor is free above the program's; "
                "so that the program gets the descriptors it would untraced, %s%s%s; a hard limit of %d "
                "keeps %s", low, (unsigned long long)nofile->rlim_max,
                lazy ? "the trace file is opened only while it is written (no background writing; "
                       "the events not written yet are lost if the program holds all its descriptors then)" : "",
                lazy && nolock ? " and " : "",
                nolock ? "the trace folder is not locked (an exec'd or concurrent traced program with the "
                         "same RTRACE_DIR may write over the trace)" : "",
                low + 2, lazy && nolock ? "both" : "it");
    }
    return lazy;
}

/* ---- The runtime's descriptors (fds.c keeps the program's hands off them) --- */
bool rt_output_fd_is_ours(int fd)
{
    if (fd < 0)
        return false;
    if (fd == rt_dir_lock_fd)
        return true;
    rtrace_sink *s = rt_sink;
    return s && rtrace_sink_fd(s) == fd;
}

int rt_output_fds(int out[2])
{
    int n = 0;
    rtrace_sink *s = rt_sink;
    int f = s ? rtrace_sink_fd(s) : -1;
    if (f >= 0)
        out[n++] = f;
    if (rt_dir_lock_fd >= 0 && rt_dir_lock_fd != f)
        out[n++] = rt_dir_lock_fd;
    return n;
}

/* The program is about to dup2 onto `fd`, one of ours: move ours to a free
 * number above it. Under the sink lock, so that no thread writes to the old
 * number meanwhile (the sink waits for its background worker). */
void rt_output_fd_evict(int fd)
{
    int saved = errno;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)fd >= rl.rlim_cur)
        return;   /* above the program's limit (nofile_make_room): its dup2 fails, as untraced */
    lk_acquire(false);
    if (rt_sink && rtrace_sink_fd(rt_sink) == fd)
        rtrace_sink_move_fd(rt_sink, fd + 1);
    if (fd == rt_dir_lock_fd) {
        /* -1 when none is free: the lock goes with the program's dup2 */
        rt_dir_lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);
    }
    lk_release();
    errno = saved;
}

int rt_output_open(bool fork_child)
{
    async_set_init();
    if (!rt_scratch.buf) {
        if (rtrace_enc_init(&rt_scratch, rt_cfg.format, 4096) || rtrace_enc_init(&rt_defs, rt_cfg.format, 65536) ||
            rtrace_enc_init(&rt_pre_defs, rt_cfg.format, 65536) || rtrace_enc_init(&rt_start, rt_cfg.format, 4096) ||
            !paths_init()) {
            rt_warn("out of memory at start-up; the program runs without recording");
            return -1;
        }
        rt_scratch.json_first = rt_defs.json_first = rt_pre_defs.json_first = false;
        rt_start.json_first = true;   /* the first event of the trace */
    }
    if (fork_child)
        rt_format(rt_dir_used, sizeof rt_dir_used, "%s.%d", rt_cfg.dir, (int)getpid());
    else
        rt_format(rt_dir_used, sizeof rt_dir_used, "%s", rt_cfg.dir);
    struct rlimit nofile;
    int low = nofile_make_room(&nofile);   /* the program's soft limit when it is low */
    int lock_at = low > 512 ? low : 512;
    if (mkdirs(rt_dir_used) == 0 && !lock_dir(rt_dir_used, lock_at)) {
        /* another live process records into this folder: use our own */
        rt_format(rt_dir_used, sizeof rt_dir_used, "%s.%d", rt_cfg.dir, (int)getpid());
        if (mkdirs(rt_dir_used) == 0)
            lock_dir(rt_dir_used, lock_at);
    }
    if (rtrace_sink_open(&rt_sink, rt_dir_used, rt_cfg.format, rt_cfg.zstd_level) != 0) {
        if (low)
            setrlimit(RLIMIT_NOFILE, &nofile);
        rt_warn("cannot write a trace in %s: %s; the program runs without recording",
                rt_dir_used, rtrace_last_error());
        rt_sink = NULL;
        return -1;
    }
    bool lazy = low && nofile_settle(&nofile, low);
    /* zstd and write(2) on a worker thread (sink.h), not on the probing
     * threads. Here the runtime is still starting, so its pthread_create
     * gives the worker no thread state (it records nothing). Not in a fork
     * child: a thread created inside the fork handler of a multithreaded
     * parent is not safe; a child's sink writes on the program's threads.
     * Not for a lazily opened file either (fd limit: opened only while written).
     * rt_tls_own_io: pthread_create marks the worker as the runtime's own
     * even when a sanitizer's interceptor calls it on the sink's behalf. */
    rt_tls_own_io++;
    int bg = fork_child || lazy ? 0 : rtrace_sink_set_background(rt_sink, true);
    rt_tls_own_io--;
    if (bg != 0)
        rt_warn("no background writing thread (%s); writing on the program's threads",
                rtrace_last_error());
    rt_t0_ns = now_ns();
    rt_write_error_reported = false;
    rt_summary_ready = rt_summary_printed = false;
    return 0;
}

/* The start encoder: Path events registered so far are in it already. */
rtrace_enc *rt_output_start_enc(void) { return &rt_start; }

/* Writes the start events, then the definitions made during start-up. */
void rt_output_write_start(uint64_t main_tid)
{
    sink_put_defs(&rt_start);
    sink_put_defs(&rt_pre_defs);
    rtrace_enc_reset(&rt_pre_defs);
    rt_start_written = true;
    rt_last_writer = main_tid;
    sync_side_files();
}

void rt_output_note_second_thread(void)
{
    rt_thread_x *x = rt_thread_self_raw();
    lk_acquire(false);
    if (atomic_load(&rt_state) == RT_ST_RUNNING) {
        rtrace_enc_reset(&rt_scratch);
        if (!rt_main_start_written)
            rtrace_enc_thread_start(&rt_scratch, rt_main_tid);
        rt_main_start_written = true;
        if (x)
            rtrace_enc_thread_start(&rt_scratch, x->pub.tid);
        sink_put(rt_scratch.buf, rt_scratch.len, false, count_events(rt_scratch.buf, rt_scratch.len));
    }
    lk_release();
}

/* ---- Side files ------------------------------------------------------------- */
/* Appends `s` as a JSON string (escaped; invalid UTF-8 bytes as U+FFFD). */
static size_t json_str(char *out, size_t cap, size_t pos, const char *s)
{
#define PUT(c) do { if (pos < cap) out[pos] = (char)(c); pos++; } while (0)
    const unsigned char *p = (const unsigned char *)s;
    PUT('"');
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT(c);
            p++;
        } else if (c < 0x20) {
            PUT('\\'); PUT('u'); PUT('0'); PUT('0');
            PUT("0123456789abcdef"[c >> 4]);
            PUT("0123456789abcdef"[c & 15]);
            p++;
        } else if (c < 0x80) {
            PUT(c);
            p++;
        } else {
            size_t n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            size_t k = 1;
            while (n && k < n && (p[k] & 0xc0) == 0x80)
                k++;
            if (n && k == n) {
                for (size_t i = 0; i < n; i++)
                    PUT(p[i]);
                p += n;
            } else {
                PUT(0xef); PUT(0xbf); PUT(0xbd);
                p++;
            }
        }
    }
    PUT('"');
    return pos;
#undef PUT
}

/*
 * The side files' writing runs at exit and from crash handlers, where the
 * stack may be small (`ulimit -s 64`, a thread's 16 KiB, an alternate signal
 * stack), so its buffers are mmap'ed per call: not on the stack, and not
 * static either (a sync on one thread, the exit on another, or a crash
 * handler interrupting a copy may write at once). mmap is async-signal-safe.
 */
#define RT_COPY_CHUNK    (64u << 10)        /* bytes per read(2) of a source */

static void *scratch_map(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Writes a whole file atomically (tmp + rename), async-signal-safe;
 * `names` is 2 * PATH_MAX bytes of scratch for the two file names. */
static int write_file_safe(const char *dir, const char *name, const char *data, size_t n, char *names)
{
    char *dst = names, *tmp = names + PATH_MAX;
    rt_format(dst, PATH_MAX, "%s/%s", dir, name);
    rt_format(tmp, PATH_MAX, "%s/.%s.tmp", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    int r = rt_write_all(fd, data, n);
    close(fd);
    if (r == 0)
        r = rename(tmp, dst);
    return r;
}

/* trace_paths.json without malloc (signal path): built in an mmap'ed area. */
static void write_paths_safe(const char *dir)
{
    uint32_t n = atomic_load(&rt_npaths);
    size_t cap = 64;
    for (uint32_t i = 0; i < n; i++)
        cap += strlen(rt_paths[i]) * 6 + 8;
    char *buf = scratch_map(cap + 2 * PATH_MAX);
    if (!buf)
        return;
    size_t pos = 0;
    buf[pos++] = '[';
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            buf[pos++] = ',';
        pos = json_str(buf, cap, pos, rt_paths[i]);
    }
    buf[pos++] = ']';
    buf[pos++] = '\n';
    write_file_safe(dir, "trace_paths.json", buf, pos, buf + cap);
    munmap(buf, cap + 2 * PATH_MAX);
}

/* Creates the folders above the file `path` (mkdir -p of its dirname) in
 * place: each '/' is cut and put back. 0 or -1. */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0777);
        *p = '/';
        if (r != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* What open(2)'s errno e means, for messages (strerror is not async-signal-safe). */
static const char *open_error_text(int e, char *buf, size_t cap)
{
    switch (e) {
    case ENOENT: return "no such file";
    case EACCES: return "permission denied";
    case ENOTDIR: return "a folder on its path is a file";
    case ELOOP: return "too many symbolic links";
    case ENAMETOOLONG: return "name too long";
    }
    rt_format(buf, cap, "errno %d", e);
    return buf;
}

/* Path ids whose missing source was reported (once per process and its
 * fork children, which copy the sources again into their own folders). */
static _Atomic uint64_t rt_src_reported[RT_PATHS_MAX / 2 / 64];

/*
 * A source that cannot be read (built from stdin, deleted since the build, a
 * #line naming a file that is not there): the trace keeps its path (the
 * steps name it), and files/ gets a placeholder in its place, so that every
 * path has its copy as the format asks (../shared/spec/trace-format.md);
 * CodeTracer then shows that text instead of the code. `out` is the copy's
 * descriptor; `buf` cap bytes of scratch. Says so on stderr once per file.
 */
static void source_missing(uint32_t id, const char *src, int err, int out, char *buf, size_t cap)
{
    char num[24];
    const char *why = open_error_text(err, num, sizeof num);
    /* the path as a JSON string: quoted, and valid UTF-8 whatever its bytes */
    size_t pos = rt_format(buf, cap, "/* rtrace: the source ");
    pos = json_str(buf, cap - 1, pos, src);
    if (pos < cap - 1)
        pos += rt_format(buf + pos, cap - pos, " could not be read when this trace was recorded (%s): "
                         "this placeholder stands in for it. */\n", why);
    if (out >= 0)
        rt_write_all(out, buf, pos < cap ? pos : cap - 1);
    uint64_t bit = 1ull << (id % 64);
    if (!(atomic_fetch_or(&rt_src_reported[id / 64], bit) & bit) && !rt_cfg.quiet)
        rt_warn("cannot read the source file %s (%s): the trace holds a placeholder for it, "
                "so CodeTracer will show no code for its lines", src, why);
}

/* Copies the sources of paths [from, n) into dir/files/ without malloc
 * (a placeholder for those that cannot be read: source_missing). */
static void copy_sources_safe(const char *dir, uint32_t from, uint32_t n)
{
    if (from >= n)
        return;
    char *dst = scratch_map(PATH_MAX + RT_COPY_CHUNK);
    if (!dst)
        return;
    char *buf = dst + PATH_MAX;
    for (uint32_t i = from; i < n; i++) {
        const char *src = rt_paths[i];
        if (rt_format(dst, PATH_MAX, "%s/files/%s", dir, src[0] == '/' ? src + 1 : src) + 1 >= PATH_MAX)
            continue;
        if (make_parents(dst) != 0)
            continue;
        int in = open(src, O_RDONLY | O_CLOEXEC);
        int err = errno;
        int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (in < 0) {
            source_missing(i, src, err, out, buf, RT_COPY_CHUNK);
        } else if (out >= 0) {
            ssize_t r;
            while ((r = syscall(SYS_read, in, buf, RT_COPY_CHUNK)) > 0 && rt_write_all(out, buf, (size_t)r) == 0)
                ;
        }
        if (out >= 0)
            close(out);
        if (in >= 0)
            close(in);
    }
    munmap(dst, PATH_MAX + RT_COPY_CHUNK);
}

/*
 * Keeps trace_paths.json and files/ up to date while the program runs (at
 * start-up and after flushes, outside the lock), so that a trace cut by
 * SIGKILL has its sources and needs only its event file repaired. One
 * thread at a time; the others skip.
 */
static _Atomic int rt_sync_busy;

static void sync_side_files(void)
{
    uint32_t n = atomic_load(&rt_npaths);
    uint32_t from = atomic_load(&rt_paths_synced);
    int zero = 0;
    if (from >= n || !rt_sink || !atomic_compare_exchange_strong(&rt_sync_busy, &zero, 1))
        return;
    int saved = errno;
    copy_sources_safe(rt_dir_used, from, n);
    write_paths_safe(rt_dir_used);
    atomic_store(&rt_paths_synced, n);
    atomic_store(&rt_sync_busy, 0);
    errno = saved;
}

/* ---- Finishing ----------------------------------------------------------------- */
/* Writes the summary line now if one is pending (after the program's output:
 * callers flush stdio first where that is safe). */
void rt_output_print_summary(void)
{
    if (!rt_summary_ready || rt_summary_printed)
        return;
    rt_summary_printed = true;
    if (!rt_cfg.quiet)
        rt_warn("%s", rt_summary);
}

/* The summary line: the events the trace file holds (as `rtrace stats`
 * counts them: definitions too), and after a write error those that did not
 * fit and why. */
static void make_summary(void)
{
    uint64_t ev = rt_events_done, slow = rt_slow_done;
    for (rt_thread_x *x = rt_threads_head(); x; x = (rt_thread_x *)x->pub.next)
        if (atomic_load(&x->in_use)) {
            ev += x->pub.events;
            slow += x->pub.slow_events;
        }
    uint64_t bytes = rt_sink ? rtrace_sink_bytes_out(rt_sink) : 0;
    uint64_t kept = rt_sink ? rtrace_sink_events_kept(rt_sink) : 0;
    uint64_t tenths = (bytes * 10 + (1u << 19)) >> 20;
    uint64_t cs = (now_ns() - rt_t0_ns + 5000000) / 10000000;
    rt_format(rt_summary, sizeof rt_summary, "%llu events (%llu.%llu MiB) written to %s in %llu.%02llu s",
              (unsigned long long)kept, (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10),
              rt_dir_used, (unsigned long long)(cs / 100), (unsigned long long)(cs % 100));
    if (rt_sink && rtrace_sink_failed(rt_sink)) {
        uint64_t dropped = rtrace_sink_events_in(rt_sink) - kept + rt_events_unwritten;
        char why[sizeof rt_dir_used + 128];
        write_failure_text(why, sizeof why);
        size_t n = strlen(rt_summary);
        rt_format(rt_summary + n, sizeof rt_summary - n, "; %llu dropped: %s", (unsigned long long)dropped, why);
    }
    if (rt_cfg.stats) {
        /* hundredths of a percent, rounded down: 100.00 only when all were */
        uint64_t fast = ev - (slow < ev ? slow : ev);
        uint64_t bp = ev ? (uint64_t)((unsigned __int128)fast * 10000 / ev) : 0;
        size_t n = strlen(rt_summary);
        rt_format(rt_summary + n, sizeof rt_summary - n, "; fast path: %llu.%02llu%% of the events (%llu)",
                  (unsigned long long)(bp / 100), (unsigned long long)(bp % 100), (unsigned long long)fast);
        if (rt_sink && rt_cfg.format == RTRACE_FORMAT_BINARY) {
            /* how much of the compression the program's threads did (lib/sink.c's help) */
            n = strlen(rt_summary);
            rt_format(rt_summary + n, sizeof rt_summary - n, "; zstd frames: %llu, %llu compressed by the program",
                      (unsigned long long)rtrace_sink_frames(rt_sink),
                      (unsigned long long)rtrace_sink_frames_helped(rt_sink));
        }
    }
    rt_summary_ready = true;
}

/* Set by the thread that closes the trace, before it takes CLOSING: a fatal
 * signal that interrupts this thread's close must not wait for it (signals.c). */
static __thread bool rt_tls_closer __attribute__((tls_model("initial-exec")));

bool rt_output_closing_here(void)
{
    return rt_tls_closer;
}

/*
 * rt_output_finish: closes the trace once (see lifecycle.h). The other
 * threads get NULL from rt_thread_get() as soon as the state is CLOSING; each
 * is given a short time to leave the runtime, then its committed events are
 * written; the calling thread's last, so that a crash's Error event is the
 * last event of the trace.
 */
void rt_output_finish(bool from_signal)
{
    int st = atomic_load(&rt_state);
    if (st == RT_ST_CLOSING && !rt_tls_closer) {
        /* another thread is closing the trace (a budget reached there, a
         * crash): the process must not end under it, with the file cut
         * mid-write; it is given up to 5 s */
        uint64_t until = now_ns() + 5000000000ull;
        const struct timespec nap = { 0, 1000000 };
        while (atomic_load(&rt_state) == RT_ST_CLOSING && now_ns() < until)
            nanosleep(&nap, NULL);
        return;
    }
    rt_tls_closer = true;
    for (;;) {
        if (st != RT_ST_RUNNING && st != RT_ST_STOPPED) {
            rt_tls_closer = false;
            return;
        }
        if (atomic_compare_exchange_weak(&rt_state, &st, RT_ST_CLOSING))
            break;
    }
    rt_thread_x *me = rt_thread_self_raw();
    uint64_t deadline = now_ns() + (from_signal ? 50 : 200) * 1000000ull;
    for (rt_thread_x *x = rt_threads_head(); x; x = (rt_thread_x *)x->pub.next) {
        if (x == me || !atomic_load(&x->in_use))
            continue;
        while (x->pub.in_runtime > 0 && now_ns() < deadline)
            sched_yield();
    }
    bool locked = lk_acquire(from_signal);
    if (locked) {
        for (rt_thread_x *x = rt_threads_head(); x; x = (rt_thread_x *)x->pub.next) {
            if (x == me || !atomic_load(&x->in_use) || !x->enc_ready)
                continue;
            if (x->pub.in_runtime == 0)
                x->committed = x->pub.enc.len < x->committed ? x->pub.enc.len : x->committed;
            put_events(x, x->pub.enc.buf, x->committed);
            x->committed = 0;
        }
        if (me && me->enc_ready && atomic_load(&me->in_use)) {
            if (me->pub.nested.len && me->pub.nested.depth == 0 && me->pub.in_runtime == 0)
                take_nested(me);
            if (me->pub.in_runtime == 0)
                me->committed = me->pub.enc.len;
            put_events(me, me->pub.enc.buf, me->committed);
            me->committed = 0;
            rtrace_enc_reset(&me->pub.enc);
        }
        if (rt_cfg.ring)
            ring_write();
    }
    if (rt_sink && rtrace_sink_close(rt_sink) != 0 && !rt_write_error_reported)
        report_write_error();
    if (locked)
        lk_release();
    if (rt_sink) {
        uint32_t n = atomic_load(&rt_npaths);
        if (from_signal)
            write_paths_safe(rt_dir_used);
        else
            rtrace_write_paths(rt_dir_used, rt_paths, n);
        /* the sources synced so far were copied then (sync_side_files) */
        copy_sources_safe(rt_dir_used, atomic_load(&rt_paths_synced), n);
        make_summary();
    }
    atomic_store(&rt_state, RT_ST_CLOSED);
}

/* ---- fork --------------------------------------------------------------------- */
void rt_output_lock_for_fork(void) { lk_acquire(false); }

void rt_output_unlock_after_fork(bool child)
{
    if (child) {
        /* the parent's owner id means nothing here: we own it, release */
        atomic_store(&rt_lk_owner, (int)rt_gettid());
    }
    lk_release();
}

/* In the child after fork when the parent was not recording: the parent's
 * pending summary line is not the child's to print. */
void rt_output_after_fork_child_idle(void)
{
    rt_summary_ready = rt_summary_printed = false;
}

/*
 * In the child after fork (lock held by us): forget the parent's sink without
 * writing to it (its file descriptor is closed, the parent's file stays as it
 * is), open <dir>.<pid>, and start it with the defs log: the start events and
 * every definition, so all ids the core knows are defined in the new trace.
 */
void rt_output_after_fork_child(void)
{
    if (rt_sink) {
        int fd = rtrace_sink_fd(rt_sink);
        if (fd >= 0)
            close(fd);
        rt_sink = NULL;   /* its memory is the parent's copy: left alone */
    }
    if (rt_dir_lock_fd >= 0) {
        close(rt_dir_lock_fd);
        rt_dir_lock_fd = -1;
    }
    rt_events_done = 0;
    rt_slow_done = 0;
    rt_events_unwritten = 0;
    for (rt_thread_x *x = rt_threads_head(); x; x = (rt_thread_x *)x->pub.next)
        x->events_put = 0;   /* as pub.events (threads.c): the parent's are the parent's */
    atomic_store(&rt_bytes_in, 0);
    atomic_store(&rt_budget_events, 0);
    rt_rg_start = rt_rg_end = 0;
    rt_rg_count = 0;
    rt_main_start_written = false;
    atomic_store(&rt_paths_synced, 0);
    atomic_store(&rt_sync_busy, 0);
    rt_summary_ready = rt_summary_printed = false;   /* the parent's line is the parent's */
    if (atomic_load(&rt_state) != RT_ST_RUNNING) {
        /* the parent had stopped recording (budget, write error): so does
         * the child, without a trace of its own */
        atomic_store(&rt_state, RT_ST_DISABLED);
        return;
    }
    if (rt_output_open(true) != 0) {
        atomic_store(&rt_state, RT_ST_DISABLED);
        return;
    }
    if (rt_dlog_len && rtrace_sink_write_events(rt_sink, rt_dlog, rt_dlog_len, count_events(rt_dlog, rt_dlog_len)) != 0)
        report_write_error();
    rt_last_writer = (uint64_t)rt_gettid();
    sync_side_files();
}

/* ---- Flush before blocking ------------------------------------------------------- */
static _Atomic uint64_t rt_last_sink_flush_ns;

/*
 * Called before a call that may block: writes the calling thread's
 * committed events and makes them reach the file (JSON: always; binary: at
 * most every RT_FLUSH_NS, since each flush ends a zstd frame). Cheap when
 * there is nothing to write. Keeps errno.
 */
static void before_block(void)
{
    if (atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_ST_RUNNING)
        return;
    rt_thread_x *x = rt_thread_self_raw();
    if (!x || !x->committed || x->pub.in_runtime)
        return;
    int saved = errno;
    rt_output_flush_thread(x);
    uint64_t now = now_coarse_ns();
    if (rt_cfg.format == RTRACE_FORMAT_JSON || now - atomic_load(&rt_last_sink_flush_ns) >= RT_FLUSH_NS) {
        lk_acquire(false);
        if (rt_sink && atomic_load(&rt_state) == RT_ST_RUNNING)
            rtrace_sink_flush(rt_sink);
        lk_release();
        atomic_store(&rt_last_sink_flush_ns, now);
    }
    errno = saved;
}

#define NEXT(type, name) \
    static __typeof__(type) real_; \
    if (!real_) real_ = (__typeof__(type))dlsym(RTLD_NEXT, name)

RT_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    NEXT(int (*)(const struct timespec *, struct timespec *), "nanosleep");
    before_block();
    return real_(req, rem);
}

RT_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    NEXT(int (*)(clockid_t, int, const struct timespec *, struct timespec *), "clock_nanosleep");
    before_block();
    return real_(clk, flags, req, rem);
}

RT_EXPORT unsigned int sleep(unsigned int sec)
{
    NEXT(unsigned int (*)(unsigned int), "sleep");
    before_block();
    return real_(sec);
}

RT_EXPORT int usleep(useconds_t usec)
{
    NEXT(int (*)(useconds_t), "usleep");
    before_block();
    return real_(usec);
}

RT_EXPORT int pause(void)
{
    NEXT(int (*)(void), "pause");
    before_block();
    return real_();
}

RT_EXPORT int sigsuspend(const sigset_t *mask)
{
    NEXT(int (*)(const sigset_t *), "sigsuspend");
    before_block();
    return real_(mask);
}

RT_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    NEXT(int (*)(struct pollfd *, nfds_t, int), "poll");
    if (timeout != 0)
        before_block();
    return real_(fds, n, timeout);
}

RT_EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    NEXT(int (*)(int, fd_set *, fd_set *, fd_set *, struct timeval *), "select");
    if (!tv || tv->tv_sec || tv->tv_usec)
        before_block();
    return real_(n, r, w, e, tv);
}

RT_EXPORT int epoll_wait(int ep, struct epoll_event *ev, int max, int timeout)
{
    NEXT(int (*)(int, struct epoll_event *, int, int), "epoll_wait");
    if (timeout != 0)
        before_block();
    return real_(ep, ev, max, timeout);
}

RT_EXPORT int pthread_join(pthread_t th, void **ret)
{
    NEXT(int (*)(pthread_t, void **), "pthread_join");
    before_block();
    return real_(th, ret);
}

RT_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    NEXT(int (*)(pthread_cond_t *, pthread_mutex_t *), "pthread_cond_wait");
    before_block();
    return real_(c, m);
}

RT_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t)
{
    NEXT(int (*)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *), "pthread_cond_timedwait");
    before_block();
    return real_(c, m, t);
}

RT_EXPORT int sem_wait(sem_t *sem)
{
    NEXT(int (*)(sem_t *), "sem_wait");
    before_block();
    return real_(sem);
}

RT_EXPORT pid_t wait(int *status)
{
    NEXT(pid_t (*)(int *), "wait");
    before_block();
    return real_(status);
}

RT_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    NEXT(pid_t (*)(pid_t, int *, int), "waitpid");
    if (!(options & WNOHANG))
        before_block();
    return real_(pid, status, options);
}

RT_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    NEXT(ssize_t (*)(int, void *, size_t), "read");
    if (fd == 0)   /* waiting for input: a typical place to hang or be killed */
        before_block();
    return real_(fd, buf, n);
}
