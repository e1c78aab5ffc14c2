/*
 * runtime/lifecycle.h - what the lifecycle files of the runtime share
 * (init.c, config.c, output.c, signals.c, process.c, threads.c, io_capture.c,
 * modules.c, warn.c). The core never includes it: its contract is rt.h.
 *
 * The global state machine (rt_state):
 *
 *   OFF --first rt_thread_get()--> STARTING --init done--> RUNNING
 *   RUNNING --budget / disk full--> STOPPED (no more events, file still open)
 *   RUNNING|STOPPED --exit, crash, exec, budget--> CLOSING --> CLOSED
 *   STARTING --no probes / cannot open the folder--> DISABLED
 *
 * Only RUNNING records. Transitions are atomic compare-and-swaps, so exactly
 * one thread starts the runtime and exactly one closes the trace.
 */
#ifndef RT_LIFECYCLE_H
#define RT_LIFECYCLE_H

#include <stdarg.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "rt.h"
#include "rtrace/sink.h"

#define RT_EXPORT __attribute__((visibility("default")))

enum {
    RT_ST_OFF = 0,
    RT_ST_STARTING,
    RT_ST_RUNNING,
    RT_ST_STOPPED,
    RT_ST_CLOSING,
    RT_ST_CLOSED,
    RT_ST_DISABLED
};
extern RT_HIDDEN _Atomic int rt_state;

/* ---- Per-thread state: the public part (rt.h) plus the lifecycle's own -- */
typedef struct rt_thread_x {
    rt_thread pub;              /* first: an rt_thread * is an rt_thread_x * */
    _Atomic int in_use;         /* the slot belongs to a live thread */
    size_t committed;           /* bytes of whole events at the start of pub.enc */
    uint64_t events_put;        /* pub.events when its events were last handed over (output.c) */
    uint64_t clock_check_at;    /* pub.events value at which to read the clock */
    uint64_t last_flush_ns;     /* CLOCK_MONOTONIC_COARSE of the last flush */
    size_t frames_bytes;        /* size of the frames mapping */
    bool enc_ready;             /* pub.enc / pub.nested are initialised */
    bool alt_ours;              /* the runtime's alternate signal stack is installed */
    void *alt_stack;            /* its memory (kept with the slot) */
    bool started;               /* ThreadStart written (non-main threads) */
} rt_thread_x;

/* threads.c */
/* The calling thread's state (NULL before its first probe); read directly
 * only by the probes' fast path (fastpath.c), which may call nothing. */
extern RT_HIDDEN __thread rt_thread_x *rt_tls_self __attribute__((tls_model("initial-exec")));
/* The calling thread's state even while it is in the runtime or the trace is
 * closing (for the crash and exit paths); NULL if it never had one. */
RT_HIDDEN rt_thread_x *rt_thread_self_raw(void);
/* Head of the registry of thread slots (walk with ->pub.next; check in_use). */
RT_HIDDEN rt_thread_x *rt_threads_head(void);
/* Creates the calling thread's state during start-up (the starting thread). */
RT_HIDDEN rt_thread_x *rt_threads_create_self(void);
/* Registers the pthread key whose destructor ends a thread's recording. */
RT_HIDDEN void rt_threads_init(void);
/* After fork, in the child: the forking thread becomes the main thread, every
 * other slot is freed, buffers are emptied (the parent writes them). */
RT_HIDDEN void rt_threads_after_fork_child(void);
/* Ends the calling thread's recording (ThreadExit, flush); idempotent. */
RT_HIDDEN void rt_threads_end_self(void);
RT_HIDDEN pid_t rt_gettid(void);

/* init.c */
/* Starts the runtime if nobody did yet; true when it is RUNNING. */
RT_HIDDEN bool rt_init_ensure(void);
/* Writes the start events (Path, Function <toplevel>, Call, Type None) as the
 * first events of a new sink. */
RT_HIDDEN void rt_init_start_events(void);
/* The program: absolute path of /proc/self/exe, and its basename. */
RT_HIDDEN const char *rt_program_path(void);
RT_HIDDEN const char *rt_program_name(void);
/* Writes trace_metadata.json into `dir` (start-up: not signal-safe). */
RT_HIDDEN void rt_init_write_metadata(const char *dir);
/* The main thread's trace id (its gettid). */
extern RT_HIDDEN uint64_t rt_main_tid;

/* config.c */
typedef const char *(*rt_getenv_fn)(const char *name, void *ctx);
/* Parses the RTRACE_* variables through `get` into *c (defaults first).
 * `progname` is the basename for the default folder. Bad values: a message
 * naming the variable and the accepted values, the default is kept.
 * Returns the number of bad values. */
RT_HIDDEN int rt_config_parse(rt_config *c, rt_getenv_fn get, void *ctx, const char *progname);

/* modules.c */
/* Loads every module with probes that is not loaded yet; returns how many
 * modules are known in all. Start-up and dlopen only. */
RT_HIDDEN int rt_modules_scan(void);
/* The source files of every module (for files/), valid until the next scan. */
RT_HIDDEN size_t rt_modules_count(void);

/* output.c */
/* A thread's buffer goes to the sink once it holds this many bytes (the
 * probes' fast path leaves a probe that would reach it to rt_output_commit);
 * small enough to stay in the core's L2 cache, few pages to fault in. */
#define RT_FLUSH_BYTES (256u << 10)
/* Opens the sink in rt_cfg.dir (dir.<pid> in a fork child, or when another
 * live process holds the folder); 0, or -1 with a message printed. */
RT_HIDDEN int rt_output_open(bool fork_child);
/* Flushes the calling thread's whole events to the sink. */
RT_HIDDEN void rt_output_flush_thread(rt_thread_x *x);
/* Closes the trace: flushes every thread, closes the sink, writes the side
 * files and the summary. `from_signal`: async-signal-safe path. Once only. */
RT_HIDDEN void rt_output_finish(bool from_signal);
/* True in the thread that closes (or closed) the trace. */
RT_HIDDEN bool rt_output_closing_here(void);
/* Stops recording (budget, disk full): events after this are not written. */
RT_HIDDEN void rt_output_stop(const char *why);
/* After fork in the child: forgets the parent's sink and paths without
 * touching the parent's file; the caller then opens a new one. */
RT_HIDDEN void rt_output_after_fork_child(void);
/* ... and when the parent was not recording at the fork. */
RT_HIDDEN void rt_output_after_fork_child_idle(void);
/* Takes / releases the sink lock around fork (so the child's copy is free). */
RT_HIDDEN void rt_output_lock_for_fork(void);
RT_HIDDEN void rt_output_unlock_after_fork(bool child);
/* Flushes a thread that ends and gives its slot back (threads.c). */
RT_HIDDEN void rt_output_release_thread(rt_thread_x *x);
/* The start events' encoder (json_first): Path events of start-up go in it. */
RT_HIDDEN rtrace_enc *rt_output_start_enc(void);
/* Writes the start encoder, then definitions made during start-up. */
RT_HIDDEN void rt_output_write_start(uint64_t main_tid);
/* Prints the pending "N events ... written to DIR" line (unless quiet). */
RT_HIDDEN void rt_output_print_summary(void);
/* Writes ThreadStart(main) once, the first time a second thread records. */
RT_HIDDEN void rt_output_note_second_thread(void);
/* Keeps the trace folder's lock across an exec (keep) or not (exec failed). */
RT_HIDDEN void rt_output_lock_across_exec(bool keep);
/* The folder actually used (rt_cfg.dir, or dir.<pid> in a fork child). */
RT_HIDDEN const char *rt_output_dir(void);
/* The runtime's own descriptors (trace file, folder lock), for fds.c: whether
 * fd is one; moving one away from a number the program dup2s onto; the list
 * (returns how many, at most 2). */
RT_HIDDEN bool rt_output_fd_is_ours(int fd);
RT_HIDDEN void rt_output_fd_evict(int fd);
RT_HIDDEN int rt_output_fds(int out[2]);
/* True when a return address is in the runtime's own text (fds.c): its own
 * calls to interposed functions pass straight through. */
RT_HIDDEN bool rt_called_from_runtime(const void *ret);
/* Nonzero on a thread doing the runtime's own I/O (fds.c): its threads, and a
 * program thread while it writes or closes the trace. */
extern RT_HIDDEN __thread int rt_tls_own_io __attribute__((tls_model("initial-exec")));

/* signals.c */
RT_HIDDEN void rt_signals_install(void);
/* Real sigaction, bypassing the interposed one. */
RT_HIDDEN int rt_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* The core's reset for a fork child, if it has one (weak: optional). */
void rt_core_fork_child(rt_thread *t) __attribute__((weak, visibility("hidden")));

/* process.c */
RT_HIDDEN void rt_process_init(void);
/* io_capture.c */
RT_HIDDEN void rt_io_init(void);

/* warn.c */
RT_HIDDEN size_t rt_vformat(char *buf, size_t cap, const char *fmt, va_list ap);
RT_HIDDEN size_t rt_format(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* write(2) until done (raw syscall: never the interposed write). */
RT_HIDDEN int rt_write_all(int fd, const void *p, size_t n);
/* Notes which file stderr is at start-up: rt_warn writes only while fd 2 is
 * still that file (warn.c). */
RT_HIDDEN void rt_warn_init(void);
/* stack.c: the main thread's soft stack limit doubled for the probes' bigger
 * frames (start-up); the program's limit around exec (true), raised again
 * after a failed exec (false). */
RT_HIDDEN void rt_stack_init(void);
RT_HIDDEN void rt_stack_for_exec(bool for_exec);
/* signals.c: the fault signals the calling thread's program code believes
 * blocked (bit = signal number); a new thread inherits its creator's. */
RT_HIDDEN uint64_t rt_signals_fault_blocked(void);
RT_HIDDEN void rt_signals_set_fault_blocked(uint64_t bits);

/* Resolves the next definition of a libc function (start-up; may malloc). */
#define RT_NEXT(name) dlsym(RTLD_NEXT, name)

#endif
