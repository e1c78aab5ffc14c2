/*
 * tests/runtime/lifecycle_unit.c - CUnit tests of the runtime's lifecycle
 * parts that need no instrumented program: configuration parsing, the
 * runtime's formatter, rt_safe_copy and the signal interposition, and the
 * output path (ordering, nesting, threads, flush interval, budgets, ring,
 * write errors).
 *
 * The output tests start the real runtime in a forked child (the runtime is
 * once-only per process), let it write a trace into a temporary folder, and
 * check the files from the parent: with the format library's validator and
 * by reading the JSON lines. A child reports its own failed expectations
 * through its exit status.
 *
 * With RT_UNIT_COUNTS=file the runner writes "passed failed" into that file
 * (for run_progs.sh's summary line).
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"
#include "rtrace/validate.h"

/* ---- helpers ---------------------------------------------------------------- */
typedef struct kv { const char *k, *v; } kv;

static const char *kv_get(const char *name, void *ctx)
{
    for (const kv *p = ctx; p->k; p++)
        if (!strcmp(p->k, name))
            return p->v;
    return NULL;
}

/* Runs fn with fd 2 redirected to a file; returns what was written (static). */
static const char *capture_stderr(void (*fn)(void *), void *arg)
{
    static char out[8192];
    char path[] = "/tmp/rt_unit_errXXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    fn(arg);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, sizeof out - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return out;
}

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- configuration ------------------------------------------------------------ */
static void test_config_defaults(void)
{
    rt_config c;
    kv none[] = { { NULL, NULL } };
    CU_ASSERT_EQUAL(rt_config_parse(&c, kv_get, none, "myprog"), 0);
    CU_ASSERT_STRING_EQUAL(c.dir, "./myprog.trace");
    CU_ASSERT_EQUAL(c.format, RTRACE_FORMAT_JSON);
    CU_ASSERT_EQUAL(c.mode, RT_MODE_FULL);
    CU_ASSERT_TRUE(c.threads_all);
    CU_ASSERT_FALSE(c.quiet);
    CU_ASSERT_PTR_NULL(c.filter);
    CU_ASSERT_EQUAL(c.max_depth, 2);
    CU_ASSERT_EQUAL(c.max_elems, 32);
    CU_ASSERT_EQUAL(c.max_string, 256);
    CU_ASSERT_EQUAL(c.max_events, 0);
    CU_ASSERT_EQUAL(c.max_bytes, 0);
    CU_ASSERT_EQUAL(c.ring, 0);
    CU_ASSERT_FALSE(c.stats);
    CU_ASSERT_FALSE(c.no_fast);
    CU_ASSERT_FALSE(c.fast_off);   /* the probes' fast path is on */
}

/* The fast path is off with RTRACE_NO_FAST=1, and while a budget must be
 * counted (RTRACE_MAX_EVENTS, RTRACE_MAX_BYTES): one flag, fast_off. */
static void test_config_fast_path_off(void)
{
    static const kv envs[][3] = {
        { { "RTRACE_NO_FAST", "1" }, { "RTRACE_STATS", "yes" }, { NULL, NULL } },
        { { "RTRACE_MAX_EVENTS", "100" }, { NULL, NULL }, { NULL, NULL } },
        { { "RTRACE_MAX_BYTES", "1M" }, { "RTRACE_NO_FAST", "0" }, { NULL, NULL } },
    };
    for (size_t i = 0; i < sizeof envs / sizeof *envs; i++) {
        rt_config c;
        CU_ASSERT_EQUAL(rt_config_parse(&c, kv_get, (void *)envs[i], "p"), 0);
        CU_ASSERT_TRUE(c.fast_off);
        CU_ASSERT_EQUAL(c.no_fast, i == 0);
        CU_ASSERT_EQUAL(c.stats, i == 0);
    }
}

static void test_config_valid_values(void)
{
    rt_config c;
    kv env[] = { { "RTRACE_DIR", "/tmp/x.trace" }, { "RTRACE_FORMAT", "Binary" },
                 { "RTRACE_MODE", "calls" }, { "RTRACE_QUIET", "1" }, { "RTRACE_THREADS", "main" },
                 { "RTRACE_FILTER", "-libfoo*" }, { "RTRACE_MAX_DEPTH", "0" },
                 { "RTRACE_MAX_ELEMS", "1000" }, { "RTRACE_MAX_STRING", "16" },
                 { "RTRACE_MAX_EVENTS", "123456789012" }, { "RTRACE_MAX_BYTES", "10M" },
                 { "RTRACE_RING", "500" }, { "RTRACE_ZSTD_LEVEL", "-3" }, { NULL, NULL } };
    CU_ASSERT_EQUAL(rt_config_parse(&c, kv_get, env, "p"), 0);
    CU_ASSERT_STRING_EQUAL(c.dir, "/tmp/x.trace");
    CU_ASSERT_EQUAL(c.format, RTRACE_FORMAT_BINARY);
    CU_ASSERT_EQUAL(c.mode, RT_MODE_CALLS);
    CU_ASSERT_TRUE(c.quiet);
    CU_ASSERT_FALSE(c.threads_all);
    CU_ASSERT_STRING_EQUAL(c.filter, "-libfoo*");
    CU_ASSERT_EQUAL(c.max_depth, 0);
    CU_ASSERT_EQUAL(c.max_elems, 1000);
    CU_ASSERT_EQUAL(c.max_string, 16);
    CU_ASSERT_EQUAL(c.max_events, 123456789012ull);
    CU_ASSERT_EQUAL(c.max_bytes, 10ull << 20);
    CU_ASSERT_EQUAL(c.ring, 500);
    CU_ASSERT_EQUAL(c.zstd_level, -3);
}

static void test_config_byte_suffixes(void)
{
    static const struct { const char *in; uint64_t out; } cases[] = {
        { "4096", 4096 }, { "64K", 65536 }, { "64k", 65536 }, { "2KiB", 2048 },
        { "3MB", 3ull << 20 }, { "1G", 1ull << 30 }, { "0", 0 } };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rt_config c;
        kv env[] = { { "RTRACE_MAX_BYTES", cases[i].in }, { NULL, NULL } };
        CU_ASSERT_EQUAL(rt_config_parse(&c, kv_get, env, "p"), 0);
        CU_ASSERT_EQUAL(c.max_bytes, cases[i].out);
    }
}

static rt_config bad_cfg;
static int bad_count;
static void parse_bad(void *arg)
{
    bad_count = rt_config_parse(&bad_cfg, kv_get, arg, "p");
}

static void test_config_bad_values_warn_and_keep_defaults(void)
{
    kv env[] = { { "RTRACE_FORMAT", "xml" }, { "RTRACE_MODE", "fast" },
                 { "RTRACE_MAX_EVENTS", "-5" }, { "RTRACE_MAX_BYTES", "12Q" },
                 { "RTRACE_RING", "99999999999999999999999" }, { "RTRACE_MAX_DEPTH", "65" },
                 { "RTRACE_QUIET", "maybe" }, { "RTRACE_ZSTD_LEVEL", "30" },
                 { "RTRACE_THREADS", "some" }, { "RTRACE_STATS", "2" }, { "RTRACE_NO_FAST", "on!" },
                 { NULL, NULL } };
    const char *err = capture_stderr(parse_bad, env);
    CU_ASSERT_EQUAL(bad_count, 11);
    CU_ASSERT_EQUAL(count_lines_with(err, "rtrace: "), 11);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_STATS=\"2\" is not valid: expected 1 or 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_NO_FAST=\"on!\" is not valid: expected 1 or 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_FORMAT=\"xml\" is not valid: expected json or binary"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_MODE=\"fast\" is not valid: expected full or calls"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_MAX_EVENTS=\"-5\" is not valid"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_MAX_BYTES=\"12Q\" is not valid"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_RING=\"99999999999999999999999\" is not valid"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_MAX_DEPTH=\"65\" is not valid: expected a number from 0 to 64"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_QUIET=\"maybe\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_ZSTD_LEVEL=\"30\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_THREADS=\"some\" is not valid: expected all or main"));
    CU_ASSERT_EQUAL(bad_cfg.format, RTRACE_FORMAT_JSON);
    CU_ASSERT_EQUAL(bad_cfg.mode, RT_MODE_FULL);
    CU_ASSERT_EQUAL(bad_cfg.max_events, 0);
    CU_ASSERT_EQUAL(bad_cfg.max_bytes, 0);
    CU_ASSERT_EQUAL(bad_cfg.ring, 0);
    CU_ASSERT_EQUAL(bad_cfg.max_depth, 2);
    CU_ASSERT_FALSE(bad_cfg.quiet);
    CU_ASSERT_EQUAL(bad_cfg.zstd_level, -2);   /* the default */
    CU_ASSERT_TRUE(bad_cfg.threads_all);
    CU_ASSERT_FALSE(bad_cfg.stats);
    CU_ASSERT_FALSE(bad_cfg.fast_off);
}

static void test_config_empty_value_is_unset(void)
{
    rt_config c;
    kv env[] = { { "RTRACE_DIR", "" }, { "RTRACE_FORMAT", "" }, { "RTRACE_MAX_EVENTS", "" },
                 { NULL, NULL } };
    CU_ASSERT_EQUAL(rt_config_parse(&c, kv_get, env, "prog"), 0);
    CU_ASSERT_STRING_EQUAL(c.dir, "./prog.trace");
    CU_ASSERT_EQUAL(c.format, RTRACE_FORMAT_JSON);
}

static void test_config_too_long_dir(void)
{
    static char longdir[5000];
    memset(longdir, 'a', sizeof longdir - 1);
    kv env[] = { { "RTRACE_DIR", longdir }, { NULL, NULL } };
    const char *err = capture_stderr(parse_bad, env);
    CU_ASSERT_EQUAL(bad_count, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "RTRACE_DIR is too long"));
    CU_ASSERT_STRING_EQUAL(bad_cfg.dir, "./p.trace");
}

/* ---- the formatter -------------------------------------------------------------- */
static void test_format_subset(void)
{
    char buf[128];
    rt_format(buf, sizeof buf, "%s|%d|%u|%llu|%02llu|%x|%zu|%.*s|%c|%%", "ab", -42, 7u,
              18446744073709551615ull, 5ull, 255u, (size_t)9, 3, "abcdef", 'z');
    CU_ASSERT_STRING_EQUAL(buf, "ab|-42|7|18446744073709551615|05|ff|9|abc|z|%");
    char small[5];
    CU_ASSERT_EQUAL(rt_format(small, sizeof small, "%s", "truncated"), 4);
    CU_ASSERT_STRING_EQUAL(small, "trun");
}

/* ---- rt_safe_copy and the signal interposition ------------------------------------ */
static void test_safe_copy_readable(void)
{
    char src[1000], dst[1000];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (char)(i * 7);
    memset(dst, 0, sizeof dst);
    CU_ASSERT_EQUAL(rt_safe_copy(dst, src, sizeof src), sizeof src);
    CU_ASSERT_EQUAL(memcmp(dst, src, sizeof src), 0);
    CU_ASSERT_EQUAL(rt_safe_copy(dst, src, 0), 0);
    CU_ASSERT_EQUAL(rt_safe_copy(dst, src + 3, 13), 13);
    CU_ASSERT_EQUAL(memcmp(dst, src + 3, 13), 0);
}

static void test_safe_copy_stops_exactly_at_unreadable_page(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(m != MAP_FAILED);
    memset(m, 'x', (size_t)pg);
    mprotect(m + pg, (size_t)pg, PROT_NONE);
    char dst[64];
    for (int k = 0; k <= 20; k++) {   /* k readable bytes before the page end */
        memset(dst, 0, sizeof dst);
        size_t got = rt_safe_copy(dst, m + pg - k, sizeof dst);
        CU_ASSERT_EQUAL(got, (size_t)k);
        CU_ASSERT_EQUAL(memcmp(dst, m + pg - k, (size_t)k), 0);
    }
    CU_ASSERT_EQUAL(rt_safe_copy(dst, NULL, 8), 0);
    CU_ASSERT_EQUAL(rt_safe_copy(dst, (void *)8, 8), 0);
    munmap(m, (size_t)pg * 2);
}

static sigjmp_buf jb;
static volatile int user_handler_calls;
static void user_segv(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    user_handler_calls++;
    siglongjmp(jb, sig);
}

static void test_program_sigsegv_handler_runs_and_safe_copy_still_works(void)
{
    struct sigaction sa, old, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = user_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CU_ASSERT_EQUAL(sigaction(SIGSEGV, &sa, &old), 0);
    /* the old action is the program's (the default), never the runtime's */
    CU_ASSERT(old.sa_handler == SIG_DFL);
    user_handler_calls = 0;
    static int *volatile bad_ptr = (int *)16;
    if (sigsetjmp(jb, 1) == 0)
        *bad_ptr = 1;
    CU_ASSERT_EQUAL(user_handler_calls, 1);
    char dst[8];
    CU_ASSERT_EQUAL(rt_safe_copy(dst, (void *)16, 8), 0);   /* the runtime's own fault */
    CU_ASSERT_EQUAL(user_handler_calls, 1);
    CU_ASSERT_EQUAL(sigaction(SIGSEGV, NULL, &now), 0);
    CU_ASSERT(now.sa_sigaction == user_segv);
    CU_ASSERT(now.sa_flags & SA_SIGINFO);
    sigaction(SIGSEGV, &old, NULL);
}

static volatile int h1_calls, h2_calls;
static void h1(int s) { (void)s; h1_calls++; }
static void h2(int s) { (void)s; h2_calls++; }

static void test_signal_returns_the_programs_previous_handler(void)
{
    __sighandler_t prev = signal(SIGUSR1, h1);
    CU_ASSERT(prev == SIG_DFL);
    CU_ASSERT(signal(SIGUSR1, h2) == h1);
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(h2_calls, 1);
    CU_ASSERT_EQUAL(h1_calls, 0);
    CU_ASSERT(signal(SIGUSR1, SIG_DFL) == h2);
    CU_ASSERT(signal(0, h1) == SIG_ERR);
}

/* ---- output path (forked children running the real runtime) ------------------------ */
static char tdir[256];

/* Starts the runtime in this (child) process with RTRACE_DIR=tdir and extra
 * environment; returns the calling thread's state. */
static rt_thread *child_start(const char *const *env)
{
    setenv("RTRACE_DIR", tdir, 1);
    setenv("RTRACE_QUIET", "1", 1);
    for (; env && *env; env += 2)
        setenv(env[0], env[1], 1);
    return rt_thread_get();
}

static uint32_t my_path(void)
{
    return rt_output_path_id(__FILE__[0] == '/' ? __FILE__ : "/work/main/tests/runtime/lifecycle_unit.c");
}

/* One Step event, committed. */
static void step(rt_thread *t, uint32_t path, int64_t line)
{
    t->in_runtime++;
    rtrace_enc_step(&t->enc, path, line);
    rt_output_commit(t, 1);
    t->in_runtime--;
}

/* Runs fn in a child; returns its exit status (0 = its checks passed). */
static int in_child(int (*fn)(void))
{
    static int n;
    snprintf(tdir, sizeof tdir, "/tmp/rt_unit_%d_%d", (int)getpid(), ++n);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s.*", tdir, tdir);
    if (system(cmd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exit(fn());
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Reads tdir/trace.json (static buffer). */
static const char *trace_text(void)
{
    static char *buf;
    free(buf);
    buf = NULL;
    char p[300];
    snprintf(p, sizeof p, "%s/trace.json", tdir);
    FILE *f = fopen(p, "r");
    if (!f)
        return "";
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static size_t validate_dir(const char *dir, unsigned flags)
{
    size_t nerr = 99;
    if (rtrace_validate(&nerr, dir, flags, 5, NULL, NULL) != 0)
        return 99;
    return nerr;
}

/* The lines of Steps in file order, for one thread (tid 0: the main thread,
 * before/without ThreadSwitch events). Returns how many. */
static size_t steps_of(const char *text, uint64_t tid, uint64_t main_tid, int64_t *out, size_t max)
{
    size_t n = 0;
    uint64_t cur = main_tid;
    for (const char *l = text; l && *l;) {
        unsigned long long v;
        long long line;
        if (sscanf(l, "{\"ThreadSwitch\":%llu}", &v) == 1)
            cur = v;
        else if (sscanf(l, "{\"Step\":{\"path_id\":%*u,\"line\":%lld}}", &line) == 1 && cur == tid && n < max)
            out[n++] = line;
        l = strchr(l, '\n');
        if (l)
            l++;
    }
    return n;
}

static int child_order(void)
{
    rt_thread *t = child_start(NULL);
    if (!t)
        return 10;
    uint32_t p = my_path();
    for (int i = 1; i <= 3000; i++)
        step(t, p, i);
    return 0;
}

static void test_events_reach_the_file_in_order(void)
{
    CU_ASSERT_EQUAL_FATAL(in_child(child_order), 0);
    CU_ASSERT_EQUAL(validate_dir(tdir, 0), 0);
    const char *text = trace_text();
    static int64_t lines[4000];
    size_t n = steps_of(text, 0, 0, lines, 4000);
    CU_ASSERT_EQUAL(n, 3000);
    bool ordered = true;
    for (size_t i = 0; i < n; i++)
        ordered &= lines[i] == (int64_t)i + 1;
    CU_ASSERT_TRUE(ordered);
    CU_ASSERT_PTR_NULL(strstr(text, "Thread"));   /* one thread: no thread events */
    CU_ASSERT_EQUAL(strncmp(text, "[\n{\"Path\":", 10), 0);
}

static int child_nested(void)
{
    rt_thread *t = child_start(NULL);
    if (!t)
        return 10;
    uint32_t p = my_path();
    step(t, p, 1);
    /* an outer hook is writing line 2 when a probe in a signal handler fires */
    t->in_runtime++;
    rtrace_enc_step(&t->enc, p, 2);
    t->in_runtime++;                       /* the nested hook */
    rtrace_enc_step(&t->nested, p, 100);
    rt_output_commit(t, 1);
    t->in_runtime--;
    rt_output_commit(t, 1);                /* the outer event completes */
    t->in_runtime--;
    step(t, p, 3);
    return 0;
}

static void test_nested_events_follow_the_interrupted_event(void)
{
    CU_ASSERT_EQUAL_FATAL(in_child(child_nested), 0);
    CU_ASSERT_EQUAL(validate_dir(tdir, 0), 0);
    int64_t lines[8];
    size_t n = steps_of(trace_text(), 0, 0, lines, 8);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_EQUAL(lines[0], 1);
    CU_ASSERT_EQUAL(lines[1], 2);
    CU_ASSERT_EQUAL(lines[2], 100);
    CU_ASSERT_EQUAL(lines[3], 3);
}

static uint64_t worker_tids[3];
static void *worker(void *arg)
{
    long k = (long)arg;
    rt_thread *t = rt_thread_get();
    if (!t)
        return (void *)1;
    worker_tids[k] = t->tid;
    uint32_t p = my_path();
    for (int i = 0; i < 2000; i++)
        step(t, p, 10000 * (k + 1) + i);
    return NULL;
}

static int child_threads(void)
{
    rt_thread *t = child_start(NULL);
    if (!t)
        return 10;
    uint32_t p = my_path();
    step(t, p, 1);
    pthread_t th[3];
    for (long k = 0; k < 3; k++)
        pthread_create(&th[k], NULL, worker, (void *)k);
    for (int k = 0; k < 3; k++) {
        void *r;
        pthread_join(th[k], &r);
        if (r)
            return 11;
    }
    step(t, p, 2);
    /* the ids for the parent */
    char f[300];
    snprintf(f, sizeof f, "%s.tids", tdir);
    FILE *o = fopen(f, "w");
    fprintf(o, "%llu %llu %llu %llu\n", (unsigned long long)t->tid, (unsigned long long)worker_tids[0],
            (unsigned long long)worker_tids[1], (unsigned long long)worker_tids[2]);
    fclose(o);
    return 0;
}

static void test_threads_each_keep_their_order_behind_thread_switches(void)
{
    CU_ASSERT_EQUAL_FATAL(in_child(child_threads), 0);
    char f[300];
    snprintf(f, sizeof f, "%s.tids", tdir);
    unsigned long long tid[4] = { 0 };
    FILE *in = fopen(f, "r");
    CU_ASSERT_FATAL(in != NULL);
    CU_ASSERT_EQUAL(fscanf(in, "%llu %llu %llu %llu", &tid[0], &tid[1], &tid[2], &tid[3]), 4);
    fclose(in);
    const char *text = trace_text();
    static int64_t lines[3000];
    CU_ASSERT_EQUAL(steps_of(text, tid[0], tid[0], lines, 3000), 2);
    CU_ASSERT_EQUAL(lines[0], 1);
    CU_ASSERT_EQUAL(lines[1], 2);
    for (int k = 0; k < 3; k++) {
        size_t n = steps_of(text, tid[k + 1], tid[0], lines, 3000);
        CU_ASSERT_EQUAL(n, 2000);
        bool ordered = true;
        for (size_t i = 0; i < n; i++)
            ordered &= lines[i] == 10000 * (k + 1) + (int64_t)i;
        CU_ASSERT_TRUE(ordered);
        char ev[64];
        snprintf(ev, sizeof ev, "{\"ThreadStart\":%llu}", tid[k + 1]);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, ev));
        snprintf(ev, sizeof ev, "{\"ThreadExit\":%llu}", tid[k + 1]);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, ev));
    }
    char ev[64];
    snprintf(ev, sizeof ev, "{\"ThreadStart\":%llu}", tid[0]);
    CU_ASSERT_EQUAL(count_lines_with(text, ev), 1);
}

static int ready_pipe[2];
static int child_interval(void)
{
    rt_thread *t = child_start(NULL);
    if (!t)
        return 10;
    uint32_t p = my_path();
    step(t, p, 1);
    struct timespec ts = { 0, 150 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    for (int i = 0; i < 1100; i++)   /* the clock is read every 1024 events */
        step(t, p, 2);
    if (write(ready_pipe[1], "r", 1) != 1)
        return 12;
    pause();   /* killed by the parent */
    return 0;
}

static void test_an_active_thread_reaches_the_file_within_the_interval(void)
{
    CU_ASSERT_FATAL(pipe(ready_pipe) == 0);
    snprintf(tdir, sizeof tdir, "/tmp/rt_unit_%d_interval", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exit(child_interval());
    char c;
    CU_ASSERT_EQUAL(read(ready_pipe[0], &c, 1), 1);
    /* small events, far below RT_FLUSH_BYTES: only the interval flushed them */
    const char *text = trace_text();
    CU_ASSERT(count_lines_with(text, "{\"Step\":") >= 1024);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(ready_pipe[0]);
    close(ready_pipe[1]);
}

static int child_budget(void)
{
    const char *env[] = { "RTRACE_MAX_EVENTS", "10", NULL };
    rt_thread *t = child_start(env);
    if (!t)
        return 10;
    uint32_t p = my_path();
    for (int i = 1; i <= 9; i++)
        step(t, p, i);
    if (!rt_recording())
        return 11;
    step(t, p, 10);
    if (rt_recording() || rt_thread_get() != NULL)
        return 12;
    /* closed now, while the program still runs */
    const char *text = trace_text();
    size_t n = strlen(text);
    if (n < 3 || strcmp(text + n - 3, "\n]\n") != 0)
        return 13;
    return 0;
}

static void test_event_budget_stops_and_closes_at_once(void)
{
    CU_ASSERT_EQUAL(in_child(child_budget), 0);
    CU_ASSERT_EQUAL(validate_dir(tdir, RTRACE_VALIDATE_CRASHED), 0);
    int64_t lines[20];
    CU_ASSERT_EQUAL(steps_of(trace_text(), 0, 0, lines, 20), 10);
}

static void call0(rt_thread *t)
{
    t->in_runtime++;
    rtrace_enc_call_begin(&t->enc, 0, 0);
    rtrace_enc_call_end(&t->enc);
    rt_output_commit(t, 1);
    t->in_runtime--;
}

static void ret(rt_thread *t)
{
    t->in_runtime++;
    rtrace_enc_return_begin(&t->enc);
    rtrace_enc_none(&t->enc, 0);
    rtrace_enc_return_end(&t->enc);
    rt_output_commit(t, 1);
    t->in_runtime--;
}

static int child_ring(void)
{
    const char *env[] = { "RTRACE_RING", "8", NULL };
    rt_thread *t = child_start(env);
    if (!t)
        return 10;
    uint32_t p = my_path();
    /* S1 C S2 C S3 R S4 R S5, then in_child's exit() notes itself (an Event):
     * the last 8 are S2 C S3 R S4 R S5 E */
    step(t, p, 1);
    call0(t);
    step(t, p, 2);
    call0(t);
    step(t, p, 3);
    ret(t);
    step(t, p, 4);
    ret(t);
    step(t, p, 5);
    return 0;
}

static void test_ring_keeps_the_last_events_without_orphan_returns(void)
{
    CU_ASSERT_EQUAL_FATAL(in_child(child_ring), 0);
    CU_ASSERT_EQUAL(validate_dir(tdir, RTRACE_VALIDATE_CRASHED), 0);
    const char *text = trace_text();
    /* after the start events (which end with the None type): S2 C S3 R S4 S5;
     * the second Return's Call was dropped, so it is dropped too */
    const char *body = strstr(text, "{\"Type\":{\"kind\":30");
    CU_ASSERT_FATAL(body != NULL);
    char seq[64] = "";
    for (const char *l = strchr(body, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        long long line;
        if (sscanf(l + 1, "{\"Step\":{\"path_id\":%*u,\"line\":%lld}}", &line) == 1)
            snprintf(seq + strlen(seq), sizeof seq - strlen(seq), "S%lld ", line);
        else if (!strncmp(l + 1, "{\"Call\"", 7))
            strcat(seq, "C ");
        else if (!strncmp(l + 1, "{\"Return\"", 9))
            strcat(seq, "R ");
    }
    CU_ASSERT_STRING_EQUAL(seq, "S2 C S3 R S4 S5 ");
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "{\"Event\":{\"kind\":12,\"metadata\":\"exit\",\"content\":\"exit(0)\"}}"));
}

static int child_disk_full(void)
{
    rt_thread *t = child_start(NULL);
    if (!t)
        return 10;
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = { 256 * 1024, 256 * 1024 };
    setrlimit(RLIMIT_FSIZE, &rl);   /* the file system is "full" at 256 KiB */
    uint32_t p = my_path();
    for (int i = 0; i < 100000 && rt_recording(); i++)
        step(t, p, 1 + i % 1000);
    if (rt_recording())
        return 11;
    return 0;   /* the program runs on */
}

static void test_write_error_stops_recording_with_one_message(void)
{
    int fd = open("/tmp", O_RDONLY);
    char errf[320];
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    /* the child's stderr goes to a file we read afterwards */
    snprintf(errf, sizeof errf, "/tmp/rt_unit_%d_diskfull.err", (int)getpid());
    int saved = dup(2);
    int e = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    close(e);
    int st = in_child(child_disk_full);
    dup2(saved, 2);
    close(saved);
    CU_ASSERT_EQUAL(st, 0);
    FILE *f = fopen(errf, "r");
    char text[4096] = "";
    if (f) {
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    unlink(errf);
    CU_ASSERT_EQUAL(count_lines_with(text, "rtrace: cannot write the trace: file size limit reached (EFBIG"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "recording stopped"));
}

/* ---- runner ------------------------------------------------------------------- */
static int init_signals(void)
{
    rt_signals_install();   /* as at start-up: the runtime's handlers in place */
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite cfg = CU_add_suite("config", NULL, NULL);
    CU_add_test(cfg, "defaults", test_config_defaults);
    CU_add_test(cfg, "valid values", test_config_valid_values);
    CU_add_test(cfg, "the fast path off: RTRACE_NO_FAST, budgets", test_config_fast_path_off);
    CU_add_test(cfg, "byte suffixes", test_config_byte_suffixes);
    CU_add_test(cfg, "bad values warn and keep defaults", test_config_bad_values_warn_and_keep_defaults);
    CU_add_test(cfg, "empty value is unset", test_config_empty_value_is_unset);
    CU_add_test(cfg, "too long RTRACE_DIR", test_config_too_long_dir);
    CU_add_test(cfg, "rt_format subset", test_format_subset);
    CU_pSuite sig = CU_add_suite("safe copy and signals", init_signals, NULL);
    CU_add_test(sig, "copy of readable memory", test_safe_copy_readable);
    CU_add_test(sig, "stops exactly at an unreadable page", test_safe_copy_stops_exactly_at_unreadable_page);
    CU_add_test(sig, "program SIGSEGV handler runs, safe copy still works",
                test_program_sigsegv_handler_runs_and_safe_copy_still_works);
    CU_add_test(sig, "signal() returns the program's previous handler",
                test_signal_returns_the_programs_previous_handler);
    CU_pSuite out = CU_add_suite("output path", NULL, NULL);
    CU_add_test(out, "events reach the file in order", test_events_reach_the_file_in_order);
    CU_add_test(out, "nested events follow the interrupted event", test_nested_events_follow_the_interrupted_event);
    CU_add_test(out, "threads keep their order behind ThreadSwitch",
                test_threads_each_keep_their_order_behind_thread_switches);
    CU_add_test(out, "an active thread reaches the file within the interval",
                test_an_active_thread_reaches_the_file_within_the_interval);
    CU_add_test(out, "event budget stops and closes at once", test_event_budget_stops_and_closes_at_once);
    CU_add_test(out, "ring keeps the last events without orphan Returns",
                test_ring_keeps_the_last_events_without_orphan_returns);
    CU_add_test(out, "write error stops recording with one message",
                test_write_error_stops_recording_with_one_message);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    const char *counts = getenv("RT_UNIT_COUNTS");
    if (counts) {
        FILE *f = fopen(counts, "w");
        if (f) {
            fprintf(f, "%u %u\n", run - failed, failed);
            fclose(f);
        }
    }
    CU_cleanup_registry();
    if (!failed) {   /* the trace folders are kept only for a failed run */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf /tmp/rt_unit_%d_*", (int)getpid());
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove /tmp/rt_unit_%d_*\n", (int)getpid());
    }
    return failed ? 1 : 0;
}
