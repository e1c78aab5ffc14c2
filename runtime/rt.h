/*
 * runtime/rt.h - the runtime's internal contract between its parts.
 *
 *   probes.c / step.c / capture.c / emit_types.c  ("core": what to record)
 *       rt_on_line, rt_on_return, the frame stack, gdb's stepping rules,
 *       value capture, Type/Function/VariableName definitions.
 *   init.c / config.c / output.c / signals.c / process.c / threads.c / io_capture.c
 *       ("lifecycle": when and where to record) configuration, lazy start,
 *       per-thread buffers and the global sink, exit/crash/fork/exec,
 *       thread tracking, stdout/stderr capture.
 *
 * Rules for everything under runtime/: compiled without -finstrument-functions
 * and without probes; no malloc, stdio, locks or syscalls on the per-event path
 * (start-up, dlopen, chunk flush and crash paths excepted); save errno in the
 * hooks; every hook checks the per-thread re-entry guard first.
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "rtrace/encode.h"
#include "arch/x86_64/regs.h"
#include "dwarf.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define RT_HIDDEN __attribute__((visibility("hidden")))

/* ---- Configuration (config.c; parsed once at start-up from the environment) */
typedef enum { RT_MODE_FULL = 0, RT_MODE_CALLS = 1 } rt_mode;
typedef struct rt_config {
    char dir[4096];           /* RTRACE_DIR, default ./<program>.trace */
    rtrace_format format;     /* RTRACE_FORMAT=json|binary */
    rt_mode mode;             /* RTRACE_MODE=full|calls */
    bool quiet;               /* RTRACE_QUIET=1 */
    bool stats;               /* RTRACE_STATS=1: the summary tells the fast path's share and
                                 the zstd frames the program's threads compressed */
    bool no_fast;             /* RTRACE_NO_FAST=1: every probe takes the general path */
    bool fast_off;            /* the fast path declines every probe: no_fast, or a budget
                                 (max_events, max_bytes) to count; one load for fastpath.c */
    bool threads_all;         /* RTRACE_THREADS=all (default) | main */
    const char *filter;       /* RTRACE_FILTER (raw; parsed by the core) */
    uint32_t max_depth;       /* RTRACE_MAX_DEPTH: pointer levels followed (default 2) */
    uint32_t max_elems;       /* RTRACE_MAX_ELEMS: array/sequence elements (default 32) */
    uint32_t max_string;      /* RTRACE_MAX_STRING: bytes of a char * string (default 256) */
    uint64_t max_events;      /* RTRACE_MAX_EVENTS: stop recording after N events (0 = none) */
    uint64_t max_bytes;       /* RTRACE_MAX_BYTES: stop after N bytes of events (0 = none) */
    uint64_t ring;            /* RTRACE_RING=N: keep only the last N events (0 = off) */
    int zstd_level;
} rt_config;
extern RT_HIDDEN rt_config rt_cfg;

/* ---- Per-thread state (threads.c owns creation; core owns frames) ------- */
typedef struct rt_frame {
    uint64_t cfa;             /* canonical frame address: identifies the frame */
    const struct rt_site *fn_site; /* the function's entry site info (core-defined) */
    const void *func;         /* core-defined function record */
    int64_t line;             /* gdb's current line in this frame (0 = none yet) */
    uint32_t path_id;
    uint32_t flags;           /* core-defined */
    uint64_t ret_pc;          /* core: return address of the callee that returned last */
} rt_frame;

typedef struct rt_thread {
    rtrace_enc enc;           /* this thread's encoded events, not yet in the sink */
    rtrace_enc nested;        /* events of a probe that interrupted this thread while it
                                 was inside the runtime (signal handler): appended after
                                 the interrupted event completes */
    volatile int in_runtime;  /* re-entry guard: >0 while inside a hook */
    volatile int fast_merge;  /* the fast path wrote a probe's events while a signal
                                 handler's probes went to `nested`: rt_on_line only
                                 commits (merges them), see fastpath.c */
    uint64_t tid;             /* the trace's thread id (gettid at start) */
    bool is_main;
    bool dead;                /* recording stopped for this thread */
    rt_frame *frames;         /* frame stack (mmap'ed; grows by remapping) */
    size_t nframes, frames_cap;
    uint64_t events;          /* events encoded by this thread */
    uint64_t slow_events;     /* of which the general path wrote (rt_output_commit, the crash
                                 event); the rest, the probes' fast path (RTRACE_STATS): counted
                                 here so that the fast path does not count */
    uint64_t dropped;         /* events dropped (nested overflow, budget) */
    int64_t last_path_id, last_line; /* the last Step written (for crash events) */
    struct rt_thread *next;   /* registry of live threads (for exit/crash flushing) */
} rt_thread;

/*
 * This thread's state, created on first use; NULL when recording is off
 * (not started, disabled by config, finished, or this thread is not traced).
 * Lock-free: initial-exec TLS.
 */
RT_HIDDEN rt_thread *rt_thread_get(void);
/* Makes room for at least n frames in t->frames (the stack is an mremap'ed
 * mapping: it may move). False when out of memory (the stack is unchanged). */
RT_HIDDEN bool rt_thread_frames_reserve(rt_thread *t, size_t n);

/* ---- Output (output.c) ---------------------------------------------------
 * The core encodes whole events into t->enc (or t->nested when re-entered),
 * then calls rt_output_commit(t, nevents). Commit is cheap (a length check and
 * a counter); when the buffer passes its threshold or RT's flush interval has
 * elapsed it hands the bytes to the global sink (under a lock, preceded by a
 * ThreadSwitch when another thread wrote last). */
RT_HIDDEN void rt_output_commit(rt_thread *t, unsigned nevents);
/* Nesting convention: a hook increments t->in_runtime on entry and decrements
 * it on exit, and calls rt_output_commit before decrementing. So commit sees
 * in_runtime == 1 in an outer hook (events are in t->enc) and > 1 in a probe
 * that interrupted the runtime (events are in t->nested; the next outer commit
 * appends them to t->enc). in_runtime == 0 is treated as an outer commit. */
/* Writes definition events (Type, Function, VariableName, Path) that must
 * reach the stream before any thread uses them: straight to the sink. */
RT_HIDDEN rtrace_enc *rt_output_defs_begin(void);
RT_HIDDEN void rt_output_defs_end(void);
/* defs_begin returns NULL when definitions cannot be written (not recording);
 * call defs_end only after a non-NULL begin. The lock is recursive, so
 * rt_output_path_id may be called between begin and end (its Path event
 * reaches the file first). Before the start events (rt_core_add_module at
 * start-up) definitions are kept and written right after them: number
 * Functions and Types from 1 (0 are <toplevel> and None). */
/* Path ids: the Path event is written on first use; returns the id, or
 * RT_NO_PATH when a new path cannot be written (not recording). */
RT_HIDDEN uint32_t rt_output_path_id(const char *abs_path);
#define RT_NO_PATH UINT32_MAX
/* True while recording (not stopped by budget, error or exit). */
RT_HIDDEN bool rt_recording(void);

/* A probe found no site: if this thread is inside dlopen (the loaded
 * object's constructors run there, before dlopen returns and adds it), rescan
 * the loaded objects now, once per dlopen; true when it did (look again). */
RT_HIDDEN bool rt_modules_rescan_in_dlopen(void);

/* The name of the function starting at run-time address a in an object
 * without the program's debug info (libc's isdigit), from its dynamic
 * symbols, copied into out (cap bytes, NUL-terminated): its length, or 0
 * when no symbol starts exactly at a. Cached (a dlclose empties the cache);
 * for the general path while recording (modules.c). */
RT_HIDDEN size_t rt_modules_sym_name(uint64_t a, char *out, size_t cap);

/* ---- Core (entry points the lifecycle calls) ----------------------------- */
/* Builds the core's tables for a loaded module (start-up and dlopen). */
RT_HIDDEN int rt_core_add_module(rt_module *m);
/* Hooks called from the trampolines (default visibility: trampolines in
 * other modules call them through the PLT, with all registers saved). */
#define RT_ENTRY __attribute__((visibility("default")))  /* exported despite -fvisibility=hidden */
RT_ENTRY void rt_on_line(rt_regs *regs);
RT_ENTRY void rt_on_return(rt_regs *regs);
/* The program is dying of `sig` (or abort): write the Error event (kind 11)
 * on the last step of `t`, naming the signal and the source line. */
RT_HIDDEN void rt_core_on_fatal(rt_thread *t, int sig, const siginfo_t *info, const void *ucontext);
/* (rt_core_on_fatal is called from the signal handler with t->in_runtime = 0
 * and any partial event of the interrupted hook already removed: write into
 * t->enc, then rt_output_commit.) */
/* A thread ends (pthread_exit, cancel, return from its start routine). */
RT_HIDDEN void rt_core_thread_end(rt_thread *t);
/* Where the first Step of the trace goes (<toplevel>): path and line of main. */
RT_HIDDEN void rt_core_toplevel(const char **path, int64_t *line);

/* ---- Memory access that never faults (arch/x86_64/safe_copy.S + signals.c) */
/* Copies up to n bytes from src; returns the number copied before a fault. */
RT_HIDDEN size_t rt_safe_copy(void *dst, const void *src, size_t n);

/* ---- Misc ----------------------------------------------------------------- */
/* Writes a message to stderr (prefixed "rtrace: "), async-signal-safe. */
RT_HIDDEN void rt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
