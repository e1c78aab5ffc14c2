/*
 * runtime/process.c - the process's ways out and ways to multiply:
 * exit, _exit/_Exit, quick_exit, fork, vfork, exec*.
 *
 * How the process leaves is written as an Event (note_exit): exit(N) and
 *   _exit(N) called by the program, quick_exit, exec of a program.
 * exit / return from main: the trace is closed by this library's destructor,
 *   which glibc runs from _dl_fini after every atexit handler (so traced
 *   atexit handlers are recorded, whenever they were registered) and after
 *   the executable's own destructors. The summary line follows the program's
 *   stdout (flushed first: exit would flush it a moment later anyway).
 * quick_exit: an at_quick_exit handler registered at start-up, so it runs
 *   after the program's (registered later, run first).
 * _exit/_Exit (interposed, also used from signal handlers and fork children):
 *   the async-signal-safe close, then the exit_group syscall, as libc does.
 * fork: pthread_atfork handlers. The sink lock is taken around fork so that
 *   the child's copy is consistent; the child forgets the parent's sink and
 *   buffers without writing them (the parent's trace stays intact), and
 *   starts its own trace in <dir>.<child pid> (see output.c). vfork is turned
 *   into fork while recording (a vfork child would share, and could close,
 *   the parent's trace); POSIX allows vfork to be fork.
 * exec*: the trace is closed (flush, side files) before the exec; an exec'd
 *   rtcc-built program then records its own trace. If the exec would fail
 *   (no such executable) the trace is left open. posix_spawn, system and
 *   popen create their children without fork handlers or the exec functions
 *   of this library: the parent's trace is untouched and they work unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lifecycle.h"

/* ---- exit ------------------------------------------------------------------ */
/* Closes the trace from a normal (non-signal) context and prints the summary
 * after the program's own output. While another thread closes it (a budget
 * reached there), rt_output_finish waits for that close to end. */
static void note_exit(const char *what, const char *arg, int status, bool with_status);
static bool others_in_calls(void);

static void close_normally(void)
{
    int st = atomic_load(&rt_state);
    /* main returned (glibc's exit, not the program's) while other threads
     * are inside calls: the process ends them there, as exit() would */
    if (st == RT_ST_RUNNING && others_in_calls())
        note_exit("exit", "(main returned)", 0, false);
    if (st == RT_ST_RUNNING || st == RT_ST_STOPPED || st == RT_ST_CLOSING)
        rt_output_finish(false);
    if (st != RT_ST_OFF && st != RT_ST_DISABLED) {
        fflush(stdout);
        rt_output_print_summary();
    }
}

__attribute__((destructor)) static void rt_at_unload(void)
{
    close_normally();
}

static void note_exit(const char *what, const char *arg, int status, bool with_status);

static void rt_at_quick_exit(void)
{
    note_exit("quick_exit", NULL, 0, false);   /* its status is not known here */
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING || st == RT_ST_STOPPED || st == RT_ST_CLOSING)
        rt_output_finish(false);
    rt_output_print_summary();
}

/*
 * How the process leaves, as an Event on the calling thread's last step:
 * kind TraceLogEvent, metadata "exit", content `exit(3)`, `_exit(3)` or
 * `exec /bin/echo`. A trace that ends with calls still open (exit from a
 * nested function, exec) then says why, and `rtrace validate` knows such a
 * trace is complete. Only from the program's own code (not inside the
 * runtime, not while stopped) and with no allocation, no stdio: _exit may be
 * called from a signal handler.
 */
/* The process whose exit Event was written (the program's exit(), _exit(),
 * quick_exit): a pid, since a vfork child shares this memory. */
static pid_t rt_exit_noted;

/* Whether another recorded thread is inside calls now (a snapshot: they run). */
static bool others_in_calls(void)
{
    rt_thread_x *me = rt_thread_self_raw();
    for (rt_thread_x *x = rt_threads_head(); x; x = (rt_thread_x *)x->pub.next)
        if (x != me && atomic_load(&x->in_use) && !x->pub.dead && x->pub.nframes > 0)
            return true;
    return false;
}

static void note_exit(const char *what, const char *arg, int status, bool with_status)
{
    if (atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_ST_RUNNING || rt_exit_noted == getpid())
        return;
    rt_thread_x *x = rt_thread_self_raw();
    if (!x || x->pub.dead || x->pub.in_runtime)
        return;
    char msg[512];
    size_t n = 0;
    for (const char *p = what; *p && n < sizeof msg - 16; p++)
        msg[n++] = *p;
    if (arg) {
        msg[n++] = ' ';
        for (const char *p = arg; *p && n < sizeof msg - 16; p++)
            msg[n++] = *p;
    }
    if (with_status) {
        char d[12];
        size_t k = sizeof d;
        unsigned v = status < 0 ? 0u - (unsigned)status : (unsigned)status;
        do {
            d[--k] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        msg[n++] = '(';
        if (status < 0)
            msg[n++] = '-';
        while (k < sizeof d)
            msg[n++] = d[k++];
        msg[n++] = ')';
    }
    int saved = errno;
    rt_thread *t = &x->pub;
    t->in_runtime++;
    rtrace_enc_event(&t->enc, RTRACE_LOG_TRACE_LOG_EVENT, RTRACE_EXIT_METADATA, msg, n);
    rt_output_commit(t, 1);
    rt_exit_noted = getpid();
    t->in_runtime--;
    errno = saved;
}

/* exit() called by the program (glibc's own call after main returns does not
 * come through here): the note, then libc's exit. */
typedef void (*exit_fn)(int) __attribute__((noreturn));
RT_EXPORT __attribute__((noreturn)) void exit(int status)
{
    static exit_fn real_exit;
    note_exit("exit", NULL, status, true);
    if (!real_exit)
        real_exit = (exit_fn)dlsym(RTLD_NEXT, "exit");
    if (real_exit)
        real_exit(status);
    _exit(status);   /* no libc exit found: still end (the trace is closed there) */
}

/* The async-signal-safe close used by _exit and friends. */
static void close_from_anywhere(void)
{
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING || st == RT_ST_STOPPED)
        rt_output_finish(true);
    rt_output_print_summary();
}

RT_EXPORT void _exit(int status)
{
    note_exit("_exit", NULL, status, true);
    close_from_anywhere();
    for (;;) {
        syscall(SYS_exit_group, status);
        syscall(SYS_exit, status);
    }
}

RT_EXPORT void _Exit(int status)
{
    _exit(status);
}

/* ---- fork ------------------------------------------------------------------ */
static __thread bool rt_fork_locked;

static void fork_prepare(void)
{
    rt_fork_locked = false;
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING || st == RT_ST_STOPPED) {
        rt_output_lock_for_fork();
        rt_fork_locked = true;
    }
}

static void fork_parent(void)
{
    if (rt_fork_locked)
        rt_output_unlock_after_fork(false);
    rt_fork_locked = false;
}

static void fork_child(void)
{
    if (!rt_fork_locked) {
        rt_output_after_fork_child_idle();
        return;
    }
    rt_fork_locked = false;
    rt_threads_after_fork_child();
    rt_main_tid = (uint64_t)getpid();
    rt_output_after_fork_child();
    rt_thread_x *x = rt_thread_self_raw();
    if (x) {
        /* The child's trace has only <toplevel> open: its frame stack must not
         * produce Returns for calls of the parent's trace. */
        if (rt_core_fork_child)
            rt_core_fork_child(&x->pub);
        else
            x->pub.nframes = 0;
    }
    rt_output_unlock_after_fork(true);
    if (atomic_load(&rt_state) == RT_ST_RUNNING)
        rt_init_write_metadata(rt_output_dir());
}

typedef pid_t (*fork_fn)(void);

/* vfork (interposed): fork while the runtime is active (see above). */
/*
 * daemon (interposed): glibc's forks and then leaves the parent with its
 * internal _exit, which no interposer sees, so the parent's trace was left
 * unclosed. The same steps as glibc's, through the interposed fork and _exit:
 * the parent's trace is closed, the child records its own (<dir>.<pid>).
 */
RT_EXPORT int daemon(int nochdir, int noclose)
{
    pid_t p = fork();
    if (p < 0)
        return -1;
    if (p > 0)
        _exit(0);
    if (setsid() < 0)
        return -1;
    if (!nochdir && chdir("/") != 0)
        return -1;
    if (!noclose) {
        int fd = open("/dev/null", O_RDWR);
        if (fd < 0)
            return -1;
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
            if (fd > 2)
                close(fd);
            errno = ENODEV;
            return -1;
        }
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    return 0;
}

RT_EXPORT pid_t vfork(void)
{
    return fork();
}

/* ---- exec ------------------------------------------------------------------ */
/* True when `file` names an executable, searching PATH when `search` and
 * the name has no slash (as execvp does). */
static bool exec_target_ok(const char *file, bool search)
{
    if (!file || !*file)
        return false;
    if (!search || strchr(file, '/'))
        return access(file, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin";
    char buf[PATH_MAX];
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        rt_format(buf, sizeof buf, "%.*s%s%s", (int)n, p, n ? "/" : "", file);
        if (access(buf, X_OK) == 0)
            return true;
        if (!colon)
            return false;
        p = colon + 1;
    }
}

/* Closes the trace before an exec that should succeed; the folder stays
 * locked by the new image (see rt_output_lock_across_exec). */
static void before_exec(const char *file, bool search)
{
    int st = atomic_load(&rt_state);
    if ((st == RT_ST_RUNNING || st == RT_ST_STOPPED) && exec_target_ok(file, search)) {
        int saved = errno;
        note_exit("exec", file, 0, false);
        rt_output_finish(false);
        rt_output_print_summary();
        errno = saved;
    }
    rt_output_lock_across_exec(true);
    rt_stack_for_exec(true);   /* the new image gets the program's stack limit */
}

/* The exec failed: the lock is this image's again. Keeps errno. */
static int after_failed_exec(int r)
{
    int saved = errno;
    rt_output_lock_across_exec(false);
    rt_stack_for_exec(false);
    errno = saved;
    return r;
}

#define REAL(type, name) \
    static type real_##name; \
    if (!real_##name) real_##name = (type)dlsym(RTLD_NEXT, #name)

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execvp_fn)(const char *, char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);

RT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    REAL(execve_fn, execve);
    before_exec(path, false);
    return after_failed_exec(real_execve(path, argv, envp));
}

RT_EXPORT int execv(const char *path, char *const argv[])
{
    REAL(execvp_fn, execv);
    before_exec(path, false);
    return after_failed_exec(real_execv(path, argv));
}

RT_EXPORT int execvp(const char *file, char *const argv[])
{
    REAL(execvp_fn, execvp);
    before_exec(file, true);
    return after_failed_exec(real_execvp(file, argv));
}

RT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    REAL(execvpe_fn, execvpe);
    before_exec(file, true);
    return after_failed_exec(real_execvpe(file, argv, envp));
}

RT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    REAL(fexecve_fn, fexecve);
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING || st == RT_ST_STOPPED) {
        int saved = errno;
        note_exit("exec", argv[0] ? argv[0] : "(fexecve)", 0, false);
        rt_output_finish(false);
        rt_output_print_summary();
        errno = saved;
    }
    rt_output_lock_across_exec(true);
    rt_stack_for_exec(true);
    return after_failed_exec(real_fexecve(fd, argv, envp));
}

/* Collects the variadic arguments of execl* into an array on the stack. */
#define COLLECT_ARGS(arg0, ap, argv, envp_out)                                   \
    size_t n_ = 1;                                                                 \
    va_start(ap, arg0);                                                            \
    while (va_arg(ap, char *))                                                     \
        n_++;                                                                      \
    va_end(ap);                                                                    \
    char **argv = __builtin_alloca((n_ + 1) * sizeof(char *));                     \
    va_start(ap, arg0);                                                            \
    argv[0] = (char *)arg0;                                                        \
    for (size_t i_ = 1; i_ <= n_; i_++)                                            \
        argv[i_] = va_arg(ap, char *);                                             \
    envp_out;                                                                      \
    va_end(ap)

RT_EXPORT int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    COLLECT_ARGS(arg, ap, argv, (void)0);
    return execv(path, argv);
}

RT_EXPORT int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    COLLECT_ARGS(arg, ap, argv, (void)0);
    return execvp(file, argv);
}

RT_EXPORT int execle(const char *path, const char *arg, ...)
{
    va_list ap;
    char **envp;
    COLLECT_ARGS(arg, ap, argv, envp = va_arg(ap, char **));
    return execve(path, argv, envp);
}

/* ---- start-up ---------------------------------------------------------------- */
extern int at_quick_exit(void (*fn)(void));

void rt_process_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    at_quick_exit(rt_at_quick_exit);
    rt_stack_init();
}
