/*
 * runtime/hooks.c - the core's other entry points: the -finstrument-functions
 * hooks and the crash event.
 *
 * __cyg_profile_func_enter/exit: rtcc compiles with -finstrument-functions,
 * and glibc exports no-op versions of these hooks, so the runtime must define
 * them (a program that gets glibc's records nothing). Calls and returns are
 * recorded by the probes (the parameters are spilled by then with both
 * compilers; the return value is only visible at `ret`), so the hooks only
 * make sure the runtime starts at the first instrumented call: rt_thread_get()
 * performs the lazy start-up and is a TLS load afterwards.
 *
 * rt_core_on_fatal: the Error event (kind 11) that ends a crashed trace,
 * "SIGSEGV (Segmentation fault) at samples/crash.c:42 in f()". It runs in a
 * fatal signal handler: no stdio, no allocation.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#define RT_NO_INSTR __attribute__((no_instrument_function, visibility("default")))

void __cyg_profile_func_enter(void *this_fn, void *call_site) RT_NO_INSTR;
void __cyg_profile_func_exit(void *this_fn, void *call_site) RT_NO_INSTR;

/* Set once rt_thread_get() returned this thread's state: from then on it
 * either returns that state or NULL (thread ended, runtime stopped) without
 * doing anything, so the hook has nothing left to do on this thread and
 * skips the call and the errno save (a PLT call into libc each way). */
static __thread bool rt_hook_started __attribute__((tls_model("initial-exec")));

/* The hook's work until rt_thread_get() returned this thread's state; out
 * of line so that the fast path saves no register. */
static __attribute__((noinline, cold)) void hook_start(void)
{
    int saved_errno = errno;
    if (rt_thread_get() != NULL)
        rt_hook_started = true;
    errno = saved_errno;
}

/* Contract: called by every instrumented function on entry; starts the
 * runtime if needed, records nothing (the line probes do). Keeps errno. */
void __cyg_profile_func_enter(void *this_fn, void *call_site)
{
    (void)this_fn;
    (void)call_site;
    if (likely(rt_hook_started))
        return;
    hook_start();
}

/* Contract: called by every instrumented function on exit; nothing to do
 * (the return probe records the Return with its value). */
void __cyg_profile_func_exit(void *this_fn, void *call_site)
{
    (void)this_fn;
    (void)call_site;
}

/* The name and description of a fatal signal. */
static const char *sig_text(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (Segmentation fault)";
    case SIGBUS:  return "SIGBUS (Bus error)";
    case SIGFPE:  return "SIGFPE (Arithmetic exception)";
    case SIGILL:  return "SIGILL (Illegal instruction)";
    case SIGABRT: return "SIGABRT (Aborted)";
    case SIGTRAP: return "SIGTRAP (Trace/breakpoint trap)";
    case SIGSYS:  return "SIGSYS (Bad system call)";
    case SIGTERM: return "SIGTERM (Terminated)";
    case SIGINT:  return "SIGINT (Interrupt)";
    case SIGQUIT: return "SIGQUIT (Quit)";
    case SIGHUP:  return "SIGHUP (Hangup)";
    case SIGPIPE: return "SIGPIPE (Broken pipe)";
    case SIGALRM: return "SIGALRM (Alarm clock)";
    case SIGUSR1: return "SIGUSR1 (User defined signal 1)";
    case SIGUSR2: return "SIGUSR2 (User defined signal 2)";
    case SIGXCPU: return "SIGXCPU (CPU time limit exceeded)";
    case SIGXFSZ: return "SIGXFSZ (File size limit exceeded)";
    case SIGVTALRM: return "SIGVTALRM (Virtual timer expired)";
    case SIGPROF: return "SIGPROF (Profiling timer expired)";
#ifdef SIGSTKFLT
    case SIGSTKFLT: return "SIGSTKFLT (Stack fault)";
#endif
#ifdef SIGPWR
    case SIGPWR:  return "SIGPWR (Power failure)";
#endif
    case SIGIO:   return "SIGIO (I/O possible)";
    default:      return NULL;
    }
}

/* Appends s to buf (capacity cap, length *n), truncating. */
static void cat(char *buf, size_t cap, size_t *n, const char *s)
{
    size_t l = strlen(s);
    if (l > cap - 1 - *n)
        l = cap - 1 - *n;
    memcpy(buf + *n, s, l);
    *n += l;
    buf[*n] = 0;
}

/* Appends v in decimal. */
static void cat_num(char *buf, size_t cap, size_t *n, uint64_t v)
{
    char tmp[24];
    size_t k = sizeof tmp - 1;
    tmp[k] = 0;
    do {
        tmp[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    cat(buf, cap, n, tmp + k);
}

/* Contract: see rt.h. Writes the Error event on the last step of t (the
 * caller, signals.c, commits it and closes the trace). */
void rt_core_on_fatal(rt_thread *t, int sig, const siginfo_t *info, const void *ucontext)
{
    (void)info;
    (void)ucontext;
    if (!t)
        return;
    char msg[1024];
    size_t n = 0;
    msg[0] = 0;
    const char *st = sig_text(sig);
    if (st) {
        cat(msg, sizeof msg, &n, st);
    } else if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        /* named as kill -l names it (SIGRTMIN+k in the lower half, SIGRTMAX-k
         * above), described as strsignal does */
        int k = sig - SIGRTMIN, top = SIGRTMAX - sig;
        bool low = k <= (SIGRTMAX - SIGRTMIN) / 2;
        cat(msg, sizeof msg, &n, low ? "SIGRTMIN" : "SIGRTMAX");
        if (low ? k : top) {
            cat(msg, sizeof msg, &n, low ? "+" : "-");
            cat_num(msg, sizeof msg, &n, (uint64_t)(low ? k : top));
        }
        cat(msg, sizeof msg, &n, " (Real-time signal ");
        cat_num(msg, sizeof msg, &n, (uint64_t)k);
        cat(msg, sizeof msg, &n, ")");
    } else {
        cat(msg, sizeof msg, &n, "signal ");
        cat_num(msg, sizeof msg, &n, (uint64_t)sig);
    }
    /* where the top frame is: its current line (after a callee returned, e.g.
     * a signal handler run by abort(), the last step is still the callee's) */
    int64_t line = t->last_line;
    uint64_t path_id = t->last_path_id;
    if (t->nframes && t->frames[t->nframes - 1].line > 0) {
        line = t->frames[t->nframes - 1].line;
        path_id = t->frames[t->nframes - 1].path_id;
    }
    const char *path = line > 0 ? rt_core_path_name((uint32_t)path_id) : NULL;
    if (path) {
        /* relative to the working directory when below it, as gdb shows it */
        char cwd[512];
        if (getcwd(cwd, sizeof cwd)) {
            size_t l = strlen(cwd);
            if (!strncmp(path, cwd, l) && path[l] == '/')
                path += l + 1;
        }
        cat(msg, sizeof msg, &n, " at ");
        cat(msg, sizeof msg, &n, path);
        cat(msg, sizeof msg, &n, ":");
        cat_num(msg, sizeof msg, &n, (uint64_t)line);
    }
    if (t->nframes) {
        const rt_core_func *fn = t->frames[t->nframes - 1].func;
        if (fn && fn->name) {
            cat(msg, sizeof msg, &n, " in ");
            cat(msg, sizeof msg, &n, fn->name);
            cat(msg, sizeof msg, &n, "()");
        }
    }
    /* the lifecycle clears in_runtime (dropping a partial event) and
     * commits what we write here itself */
    rtrace_enc_event(t->in_runtime ? &t->nested : &t->enc, RTRACE_LOG_ERROR, "", msg, n);
    t->events++;
    t->slow_events++;
}
