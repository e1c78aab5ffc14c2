/*
 * runtime/init.c - lazy, once-only start-up of the runtime.
 *
 * Nothing runs at load time: a shared object's constructors may run before
 * the executable's, before libc is fully set up for the program, and a
 * program that never reaches a probe must not even create its trace folder.
 * The first rt_thread_get() of any thread calls rt_init_ensure(): one
 * compare-and-swap OFF -> STARTING elects the starting thread; every probe
 * that fires meanwhile (on any thread, or re-entering from the start-up code
 * itself, e.g. an instrumented malloc called by the DWARF reader) gets NULL
 * and records nothing, so start-up can never deadlock on itself.
 *
 * Start-up order matters for ids: the sink is opened first (only the
 * configuration is needed), then the modules are loaded and handed to the
 * core (definitions it writes now are held back, Path events go into the
 * start encoder), then the start events are written exactly like upstream's
 * start(path, line): Path of main's file, Function "<toplevel>" (id 0),
 * Call 0, Type 0 None; then the held-back definitions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"

RT_HIDDEN _Atomic int rt_state;
RT_HIDDEN uint64_t rt_main_tid;

static char rt_prog_path[PATH_MAX];
static const char *rt_prog_name = "program";

const char *rt_program_path(void) { return rt_prog_path; }
const char *rt_program_name(void) { return rt_prog_name; }

static const char *env_lookup(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

/* Finds the program: /proc/self/exe, its basename for the default folder. */
static void find_program(void)
{
    ssize_t n = readlink("/proc/self/exe", rt_prog_path, sizeof rt_prog_path - 1);
    if (n <= 0) {
        /* no /proc: fall back on argv[0] as glibc saw it */
        extern char *program_invocation_name;
        rt_format(rt_prog_path, sizeof rt_prog_path, "%s", program_invocation_name);
    } else {
        rt_prog_path[n] = '\0';
    }
    const char *slash = strrchr(rt_prog_path, '/');
    rt_prog_name = slash ? slash + 1 : rt_prog_path;
}

/* Makes rt_cfg.dir absolute, so that a chdir() of the program changes
 * nothing (the side files are written at exit). */
static void absolute_dir(void)
{
    if (rt_cfg.dir[0] == '/')
        return;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return;
    const char *rel = rt_cfg.dir;
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    char abs[sizeof rt_cfg.dir];
    size_t n = rt_format(abs, sizeof abs, "%s/%s", strcmp(cwd, "/") ? cwd : "", rel);
    if (n < sizeof rt_cfg.dir - 32)
        memcpy(rt_cfg.dir, abs, n + 1);
}

/*
 * rt_init_write_metadata: trace_metadata.json: workdir, program (absolute
 * path of the executable) and args (from /proc/self/cmdline, which holds the
 * arguments exactly as exec received them).
 */
void rt_init_write_metadata(const char *dir)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        for (;;) {
            if (len + 4096 > cap) {
                char *nb = realloc(buf, cap ? cap * 2 : 8192);
                if (!nb)
                    break;
                buf = nb;
                cap = cap ? cap * 2 : 8192;
            }
            ssize_t r = read(fd, buf + len, cap - len - 1);
            if (r <= 0)
                break;
            len += (size_t)r;
        }
        close(fd);
    }
    size_t nargs = 0;
    for (size_t i = 0; i < len; i++)
        nargs += buf[i] == '\0';
    const char **args = calloc(nargs + 1, sizeof *args);
    size_t k = 0;
    if (args && buf)
        for (size_t i = 0, start = 0; i < len; i++)
            if (buf[i] == '\0') {
                args[k++] = buf + start;
                start = i + 1;
            }
    /* args[0] is argv[0]: "args" in the metadata are the ones after it */
    const char *const *argv1 = k > 0 ? args + 1 : NULL;
    size_t n1 = k > 0 ? k - 1 : 0;
    if (rtrace_write_metadata(dir, cwd, rt_prog_path, argv1, n1) != 0)
        rt_warn("cannot write %s/trace_metadata.json: %s", dir, rtrace_last_error());
    free(args);
    free(buf);
}

/* The start-up proper, on the starting thread (state STARTING). */
static bool start(void)
{
    rt_warn_init();   /* before anything can be opened onto a closed fd 2 */
    find_program();
    rt_config_parse(&rt_cfg, env_lookup, NULL, rt_prog_name);
    absolute_dir();
    rt_main_tid = (uint64_t)getpid();
    if (rt_output_open(false) != 0)
        return false;
    rt_threads_init();
    rt_modules_scan();

    const char *path = NULL;
    int64_t line = 0;
    rt_core_toplevel(&path, &line);
    if (!path || !*path)
        path = rt_prog_path;
    if (line <= 0)
        line = 1;
    uint32_t pid = rt_output_path_id(path);
    rtrace_enc *e = rt_output_start_enc();
    rtrace_enc_function(e, pid == RT_NO_PATH ? 0 : pid, (uint64_t)line, "<toplevel>");
    rtrace_enc_call_begin(e, 0, 0);
    rtrace_enc_call_end(e);
    rtrace_enc_type(e, RTRACE_TYPE_NONE, "None");
    rt_output_write_start(rt_main_tid);
    rt_init_write_metadata(rt_output_dir());

    rt_signals_install();
    rt_process_init();
    rt_io_init();
    rt_threads_create_self();
    return true;
}

/*
 * rt_init_ensure: starts the runtime once; true when it is RUNNING.
 * Concurrent callers and probes during start-up get false at once.
 */
bool rt_init_ensure(void)
{
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING)
        return true;
    if (st != RT_ST_OFF || !atomic_compare_exchange_strong(&rt_state, &st, RT_ST_STARTING))
        return atomic_load(&rt_state) == RT_ST_RUNNING;
    int saved = errno;
    bool ok = start();
    atomic_store(&rt_state, ok ? RT_ST_RUNNING : RT_ST_DISABLED);
    errno = saved;
    return ok;
}
