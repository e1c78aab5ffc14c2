/*
 * runtime/threads.c - per-thread state: creation, the registry of threads,
 * thread start and end.
 *
 * rt_thread_get() is called by every probe, so its fast path is one
 * initial-exec TLS load and one relaxed load of the global state. A thread's
 * state is created on its first probe (the first probe of the process starts
 * the runtime, see init.c):
 *   - the rt_thread_x itself is mmap'ed and its frame stack is a separate
 *     mapping grown with mremap (deep recursion: 100,000 frames and more),
 *     so creating a thread's state never calls malloc's arenas for them;
 *   - the two encoders (events, nested events) are malloc'ed once by
 *     rtrace_enc_init (the format library grows them with realloc).
 * Slots are never unmapped: a thread that ends gives its slot back (in_use =
 * 0) and the next new thread reuses it, buffers included. So the registry is
 * a lock-free push-only list that the exit and crash paths can walk at any
 * time without locks.
 *
 * A thread ends through a pthread key destructor, which glibc runs when the
 * start routine returns, on pthread_exit (from any depth) and on
 * cancellation: rt_core_thread_end, a ThreadExit event, a flush, slot freed;
 * in the last round of destructors, so that the program's own (traced code)
 * are recorded first.
 * pthread_create is interposed only to create the new thread's state before
 * its start routine runs, so that its ThreadStart comes first.
 *
 * Thread ids in the trace are gettid() values; the main thread's is the pid.
 *
 * A traced thread without an alternate signal stack gets one from the
 * runtime (kept with its slot), so that a stack overflow still reaches the
 * crash handler and the trace is closed. sigaltstack() is interposed so that
 * the program never sees it: it is reported as disabled, and a stack the
 * program installs replaces it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"

#define RT_ENC_CAP      (4u << 20)   /* events buffer: flushed at RT_FLUSH_BYTES, see output.c */
/* fastpath.c's fast_room relies on it: below RT_FLUSH_BYTES there is always
 * room for a template (a few KiB at most) */
_Static_assert(RT_ENC_CAP >= 2 * RT_FLUSH_BYTES, "a thread's buffer must exceed the flush size");
#define RT_NESTED_CAP   (64u << 10)  /* events of probes in signal handlers */
#define RT_FRAMES0      4096         /* initial frame stack (grows) */
#define RT_ALTSTACK     (64u << 10)  /* alternate signal stack for crashes */

/* TLS: the thread's state, and 1 once it is known the thread is not traced
 * (RTRACE_THREADS=main, or it already ended). */
__thread rt_thread_x *rt_tls_self __attribute__((tls_model("initial-exec")));   /* lifecycle.h */
static __thread int rt_tls_untraced __attribute__((tls_model("initial-exec")));
static __thread pid_t rt_tls_tid __attribute__((tls_model("initial-exec")));

static _Atomic(rt_thread_x *) rt_registry;
static pthread_key_t rt_key;
static bool rt_key_ok;

/* rt_gettid: the kernel thread id, cached per thread (reset after fork). */
pid_t rt_gettid(void)
{
    if (unlikely(rt_tls_tid == 0))
        rt_tls_tid = (pid_t)syscall(SYS_gettid);
    return rt_tls_tid;
}

rt_thread_x *rt_thread_self_raw(void) { return rt_tls_self; }
rt_thread_x *rt_threads_head(void) { return atomic_load(&rt_registry); }

/*
 * rt_thread_frames_reserve: makes room for at least n frames in t->frames,
 * remapping (and possibly moving) the stack. False when memory runs out; the
 * stack is then unchanged.
 */
bool rt_thread_frames_reserve(rt_thread *t, size_t n)
{
    rt_thread_x *x = (rt_thread_x *)t;
    if (n <= t->frames_cap)
        return true;
    size_t cap = t->frames_cap ? t->frames_cap : RT_FRAMES0;
    while (cap < n)
        cap *= 2;
    size_t bytes = cap * sizeof(rt_frame);
    void *p;
    if (t->frames)
        p = mremap(t->frames, x->frames_bytes, bytes, MREMAP_MAYMOVE);
    else
        p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    t->frames = p;
    t->frames_cap = cap;
    x->frames_bytes = bytes;
    return true;
}

/* LeakSanitizer's, when the program has it (weak: NULL otherwise). */
extern void __lsan_register_root_region(const void *p, size_t size) __attribute__((weak));

/* Takes a free slot from the registry or maps and pushes a new one. */
static rt_thread_x *slot_take(void)
{
    for (rt_thread_x *x = atomic_load(&rt_registry); x; x = (rt_thread_x *)x->pub.next) {
        int zero = 0;
        if (atomic_load_explicit(&x->in_use, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&x->in_use, &zero, 1))
            return x;
    }
    void *p = mmap(NULL, sizeof(rt_thread_x), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Under LeakSanitizer (a program built with -fsanitize=address), the
     * buffers the slot points to are reachable only through this mapping,
     * which it does not scan: they would be reported as the program's leaks
     * (and its exit status changed to LSan's). */
    if (__lsan_register_root_region)
        __lsan_register_root_region(p, sizeof(rt_thread_x));
    rt_thread_x *x = p;
    atomic_store(&x->in_use, 1);
    rt_thread_x *head = atomic_load(&rt_registry);
    do {
        x->pub.next = head ? &head->pub : NULL;
    } while (!atomic_compare_exchange_weak(&rt_registry, &head, x));
    return x;
}

/* Gives the calling thread the runtime's alternate signal stack if it has
 * none (see the file comment). */
static void install_altstack(rt_thread_x *x)
{
    x->alt_ours = false;
    stack_t cur;
    if (syscall(SYS_sigaltstack, NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE))
        return;
    if (!x->alt_stack) {
        void *p = mmap(NULL, RT_ALTSTACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return;
        x->alt_stack = p;
    }
    stack_t ss = { .ss_sp = x->alt_stack, .ss_size = RT_ALTSTACK, .ss_flags = 0 };
    if (syscall(SYS_sigaltstack, &ss, NULL) == 0)
        x->alt_ours = true;
}

/*
 * sigaltstack (interposed): while the runtime's stack is installed on this
 * thread the program sees none; a stack it installs replaces the runtime's;
 * disabling "none" succeeds. Otherwise it is the system call as libc does it.
 */
RT_EXPORT int sigaltstack(const stack_t *ss, stack_t *old)
{
    rt_thread_x *x = rt_tls_self;
    if (!x || !x->alt_ours)
        return (int)syscall(SYS_sigaltstack, ss, old);
    stack_t prev = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
    if (ss && !(ss->ss_flags & SS_DISABLE)) {
        int r = (int)syscall(SYS_sigaltstack, ss, NULL);
        if (r != 0)
            return r;
        x->alt_ours = false;
    }
    if (old)
        *old = prev;
    return 0;
}

/* Prepares a slot for the calling thread: buffers empty, frames empty. */
static bool slot_init(rt_thread_x *x)
{
    rt_thread *t = &x->pub;
    if (!x->enc_ready) {
        if (rtrace_enc_init(&t->enc, rt_cfg.format, RT_ENC_CAP) != 0)
            return false;
        if (rtrace_enc_init(&t->nested, rt_cfg.format, RT_NESTED_CAP) != 0) {
            rtrace_enc_free(&t->enc);
            return false;
        }
        x->enc_ready = true;
    }
    t->enc.json_first = false;   /* only the start events open the JSON array */
    t->nested.json_first = false;
    rtrace_enc_reset(&t->enc);
    rtrace_enc_reset(&t->nested);
    t->enc.depth = t->nested.depth = 0;
    t->enc.oom = t->nested.oom = false;
    t->in_runtime = 0;
    t->tid = (uint64_t)rt_gettid();
    t->is_main = rt_gettid() == getpid();
    t->dead = false;
    t->nframes = 0;
    t->events = t->slow_events = t->dropped = 0;
    t->last_path_id = -1;
    t->last_line = 0;
    x->committed = 0;
    x->clock_check_at = 0;
    x->last_flush_ns = 0;
    x->started = false;
    if (!rt_thread_frames_reserve(t, RT_FRAMES0))
        return false;
    install_altstack(x);
    return true;
}

/* Says, once per process, that a thread goes unrecorded for want of memory
 * (an address-space limit, ulimit -v): otherwise the trace would just lack
 * its events. */
static void warn_no_memory(void)
{
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    if (!atomic_flag_test_and_set(&warned))
        rt_warn("out of memory for a thread's event buffers (%zu KiB): thread %d is not recorded "
                "(nor any later thread that meets the same limit)",
                (size_t)(RT_ENC_CAP + RT_NESTED_CAP) / 1024, (int)rt_gettid());
}

/* Creates and publishes the calling thread's state; NULL on failure (the
 * thread is then not traced, and the first such failure is reported). */
static rt_thread_x *create_self(void)
{
    rt_thread_x *x = slot_take();
    if (!x) {
        warn_no_memory();
        return NULL;
    }
    if (!slot_init(x)) {
        atomic_store(&x->in_use, 0);
        warn_no_memory();
        return NULL;
    }
    rt_tls_self = x;
    if (rt_key_ok)
        pthread_setspecific(rt_key, x);
    return x;
}

rt_thread_x *rt_threads_create_self(void)
{
    return rt_tls_self ? rt_tls_self : create_self();
}

/* The slow path of rt_thread_get: start-up, or a thread's first probe. */
static __attribute__((noinline)) rt_thread *thread_get_slow(void)
{
    if (rt_tls_untraced)
        return NULL;
    int st = atomic_load(&rt_state);
    if (st == RT_ST_OFF) {
        if (!rt_init_ensure())
            return NULL;
        rt_thread_x *x = rt_tls_self;
        return x && !x->pub.dead ? &x->pub : NULL;
    }
    if (st != RT_ST_RUNNING)
        return NULL;
    int saved = errno;
    if (!rt_cfg.threads_all && rt_gettid() != getpid()) {
        rt_tls_untraced = 1;
        return NULL;
    }
    rt_thread_x *x = create_self();
    if (!x) {
        rt_tls_untraced = 1;
        errno = saved;
        return NULL;
    }
    if (!x->pub.is_main) {
        /* ThreadStart(main) once, then ThreadStart(this) straight to the sink,
         * so that a reader knows both ids before any ThreadSwitch. */
        rt_output_note_second_thread();
        x->started = true;
    }
    errno = saved;
    return atomic_load_explicit(&rt_state, memory_order_relaxed) == RT_ST_RUNNING ? &x->pub : NULL;
}

/*
 * rt_thread_get: this thread's state, or NULL when not recording (see rt.h).
 * Fast path: a TLS load and a relaxed load of the state.
 */
rt_thread *rt_thread_get(void)
{
    rt_thread_x *x = rt_tls_self;
    if (likely(x != NULL)) {
        if (likely(atomic_load_explicit(&rt_state, memory_order_relaxed) == RT_ST_RUNNING &&
                   !x->pub.dead))
            return &x->pub;
        return NULL;
    }
    return thread_get_slow();
}

/*
 * rt_threads_end_self: the calling thread ends: the core closes its frames,
 * ThreadExit is written and the buffer flushed; the slot is given back.
 * Later probes on this thread (other keys' destructors) get NULL.
 */
void rt_threads_end_self(void)
{
    rt_thread_x *x = rt_tls_self;
    rt_tls_untraced = 1;
    if (!x)
        return;
    int saved = errno;
    rt_thread *t = &x->pub;
    if (atomic_load(&rt_state) == RT_ST_RUNNING && !t->dead && t->in_runtime == 0) {
        t->in_runtime++;
        rt_core_thread_end(t);
        rtrace_enc_thread_exit(&t->enc, t->tid);
        rt_output_commit(t, 1);
        t->in_runtime--;
    }
    rt_output_release_thread(x);   /* flushes, then frees the slot under the sink lock */
    rt_tls_self = NULL;
    errno = saved;
}

/* Rounds of key destructors this thread has seen (key_destructor). */
static __thread unsigned rt_tls_dtor_rounds;

/* The thread ends at the last round of key destructors glibc runs, not the
 * first: the runtime's key is created before the program's, so its
 * destructor runs first in each round, and the program's destructors (traced
 * code that may print) run after it. Re-armed until then (glibc runs another
 * round while a key holds a value, PTHREAD_DESTRUCTOR_ITERATIONS in all). */
static void key_destructor(void *p)
{
    if (++rt_tls_dtor_rounds < PTHREAD_DESTRUCTOR_ITERATIONS && p && pthread_setspecific(rt_key, p) == 0)
        return;
    rt_threads_end_self();
}

void rt_threads_init(void)
{
    if (!rt_key_ok && pthread_key_create(&rt_key, key_destructor) == 0)
        rt_key_ok = true;
    rt_thread_x *x = rt_tls_self;
    if (x && rt_key_ok)
        pthread_setspecific(rt_key, x);
}

/*
 * After fork, in the child: the forking thread is the only thread. It keeps
 * its slot (its frame stack mirrors the child's real stack) but becomes the
 * main thread with the child's id; every other slot is freed without being
 * flushed (the parent owns those events).
 */
void rt_threads_after_fork_child(void)
{
    rt_tls_tid = 0;
    rt_thread_x *me = rt_tls_self;
    for (rt_thread_x *x = atomic_load(&rt_registry); x; x = (rt_thread_x *)x->pub.next) {
        if (x == me)
            continue;
        if (x->enc_ready) {
            rtrace_enc_reset(&x->pub.enc);
            rtrace_enc_reset(&x->pub.nested);
        }
        x->committed = 0;
        atomic_store(&x->in_use, 0);
    }
    if (me) {
        rt_thread *t = &me->pub;
        rtrace_enc_reset(&t->enc);
        rtrace_enc_reset(&t->nested);
        t->enc.depth = t->nested.depth = 0;
        me->committed = 0;
        t->tid = (uint64_t)rt_gettid();
        t->is_main = true;
        t->events = 0;
        t->slow_events = 0;
        me->clock_check_at = 0;
        me->last_flush_ns = 0;
    }
}

/* ---- pthread_create --------------------------------------------------- */
typedef struct rt_start_arg {
    void *(*fn)(void *);
    void *arg;
    uint64_t fault_blocked;   /* the creator's view of its blocked fault signals */
} rt_start_arg;

static void *thread_trampoline(void *p)
{
    rt_start_arg a = *(rt_start_arg *)p;
    free(p);
    rt_signals_set_fault_blocked(a.fault_blocked);   /* inherited, as the mask is */
    if (atomic_load(&rt_state) == RT_ST_RUNNING)
        (void)rt_thread_get();   /* ThreadStart before the routine's first event */
    return a.fn(a.arg);
}

/* The start of a thread the runtime creates for itself (the sink's writer):
 * all its I/O is the runtime's own (rt_tls_own_io, fds.c). */
static void *own_thread_trampoline(void *p)
{
    rt_start_arg a = *(rt_start_arg *)p;
    free(p);
    rt_tls_own_io = 1;
    return a.fn(a.arg);
}

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/*
 * pthread_create (interposed): the same as libc's; while recording, the new
 * thread's state is created before its start routine runs. If the small
 * allocation fails the thread is created unchanged. The runtime's own
 * threads (called from its text) are marked as such instead.
 */
RT_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                             void *(*fn)(void *), void *arg)
{
    static pthread_create_fn real;
    if (!real)
        real = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
    if (rt_called_from_runtime(__builtin_return_address(0))) {
        rt_start_arg *a = malloc(sizeof *a);
        if (!a)
            return EAGAIN;
        a->fn = fn;
        a->arg = arg;
        int r = real(th, attr, own_thread_trampoline, a);
        if (r != 0)
            free(a);
        return r;
    }
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING && rt_cfg.threads_all) {
        rt_start_arg *a = malloc(sizeof *a);
        if (a) {
            a->fn = fn;
            a->arg = arg;
            a->fault_blocked = rt_signals_fault_blocked();
            /* Traced frames are bigger (see stack.c): a thread created with
             * the default attributes gets twice the default stack, so that
             * a recursion that fits untraced fits traced. Threads with the
             * program's own attributes are created as asked. */
            pthread_attr_t big;
            size_t sz = 0;
            if (!attr && pthread_getattr_default_np(&big) == 0) {
                if (pthread_attr_getstacksize(&big, &sz) == 0 && sz > 0 && sz < ((size_t)1 << 30) &&
                    pthread_attr_setstacksize(&big, sz * 2) == 0)
                    attr = &big;
                else
                    pthread_attr_destroy(&big);
            }
            int r = real(th, attr, thread_trampoline, a);
            if (attr == &big)
                pthread_attr_destroy(&big);
            if (r != 0)
                free(a);
            return r;
        }
    }
    return real(th, attr, fn, arg);
}
