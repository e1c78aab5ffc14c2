/*
 * bench/lib_bench.c - throughput and memory of the format library's write path.
 *
 *   bench_lib [-n EVENTS] [-d TMPDIR]
 *
 * Writes EVENTS events (default 1,000,000) through rtrace_enc_* into
 * rtrace_sink_* (a trace folder made under TMPDIR, default /tmp, removed
 * afterwards), for each format (JSON, binary) and each kind of load:
 *   Step   - Step events only (the most frequent event of a full recording);
 *   Value  - Value events cycling through an Int, a Struct of 4 Int fields and
 *            a 16-byte String (what follows each Step for its locals).
 * and prints one table: events per second and ns per event (encoding, sink
 * writes and close included; the median of 3 runs, as the machine is shared),
 * bytes per event before and after the sink, and
 * the peak RSS of a run of EVENTS and of a run 10x longer: the write path
 * allocates only at start, so the two must be about equal (memory stays flat).
 * Each run is a fresh child process, so each peak RSS is that run's alone.
 * Nothing is asserted: the figures are for reading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtrace/encode.h"
#include "rtrace/sink.h"

/* Encoded bytes are handed to the sink in chunks of this size, as the runtime does. */
#define CHUNK (64u << 10)

enum load { LOAD_STEP, LOAD_VALUE };

struct result {
    int ok;
    double seconds;
    unsigned long long events, bytes_in, bytes_out;
    long maxrss_kb;
    char error[200];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The definitions a reader needs before the measured events (not timed apart: they are few). */
static void write_prelude(rtrace_enc *e)
{
    rtrace_enc_path(e, "/bench/lib_bench.c");
    rtrace_enc_function(e, 0, 1, "<toplevel>");
    rtrace_enc_call_begin(e, 0, 0);
    rtrace_enc_call_end(e);
    rtrace_enc_type(e, RTRACE_TYPE_NONE, "None");                  /* type 0 */
    rtrace_enc_type(e, RTRACE_TYPE_INT, "int");                    /* type 1 */
    rtrace_enc_type_struct_begin(e, RTRACE_TYPE_STRUCT, "struct quad", 4); /* type 2 */
    rtrace_enc_type_field(e, "a", 1);
    rtrace_enc_type_field(e, "b", 1);
    rtrace_enc_type_field(e, "c", 1);
    rtrace_enc_type_field(e, "d", 1);
    rtrace_enc_type_struct_end(e);
    rtrace_enc_type(e, RTRACE_TYPE_CSTRING, "const char *");       /* type 3 */
    rtrace_enc_variable_name(e, "i");                              /* variable 0 */
    rtrace_enc_variable_name(e, "q");                              /* variable 1 */
    rtrace_enc_variable_name(e, "s");                              /* variable 2 */
    rtrace_enc_step(e, 0, 1);
}

/* Pseudo-random numbers, so that zstd does not see a trivially periodic stream. */
static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return rng >> 17;
}

static void write_event(rtrace_enc *e, enum load load, unsigned long long i)
{
    static const char text[17] = "abcdefghijklmnop";
    if (load == LOAD_STEP) {
        rtrace_enc_step(e, 0, (int64_t)(1 + next_rand() % 1000));
        return;
    }
    switch (i % 3) {
    case 0:
        rtrace_enc_value_begin(e, 0);
        rtrace_enc_int(e, 1, (int64_t)(next_rand() % 100000));
        rtrace_enc_value_end(e);
        break;
    case 1:
        rtrace_enc_value_begin(e, 1);
        rtrace_enc_struct_begin(e, 4);
        rtrace_enc_int(e, 1, (int64_t)i);
        rtrace_enc_int(e, 1, -7);
        rtrace_enc_int(e, 1, (int64_t)(next_rand() % 1000));
        rtrace_enc_int(e, 1, (int64_t)next_rand() - (int64_t)(1ull << 46));
        rtrace_enc_struct_end(e, 2);
        rtrace_enc_value_end(e);
        break;
    default:
        rtrace_enc_value_begin(e, 2);
        rtrace_enc_string(e, 3, text, 16);
        rtrace_enc_value_end(e);
        break;
    }
}

/* One run, in the calling (child) process. */
static void run(struct result *r, rtrace_format fmt, enum load load, unsigned long long n,
                const char *tmpdir)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/lib_bench.XXXXXX", tmpdir);
    if (!mkdtemp(dir)) {
        snprintf(r->error, sizeof r->error, "mkdtemp in %.100s: %s", tmpdir, strerror(errno));
        return;
    }
    rtrace_sink *s = NULL;
    rtrace_enc e;
    if (rtrace_sink_open(&s, dir, fmt, 0) != 0 || rtrace_enc_init(&e, fmt, 2 * CHUNK) != 0) {
        snprintf(r->error, sizeof r->error, "open: %s", rtrace_last_error());
        return;
    }
    e.json_first = true; /* this encoder writes the trace's first event */

    double t0 = now_s();
    write_prelude(&e);
    for (unsigned long long i = 0; i < n; i++) {
        write_event(&e, load, i);
        if (e.len >= CHUNK) {
            rtrace_sink_write(s, e.buf, e.len);
            rtrace_enc_reset(&e);
        }
    }
    if (e.len)
        rtrace_sink_write(s, e.buf, e.len);
    rtrace_sink_close(s);
    r->seconds = now_s() - t0;

    r->ok = rtrace_enc_ok(&e) && !rtrace_sink_failed(s);
    if (!r->ok)
        snprintf(r->error, sizeof r->error, "write: %s", rtrace_last_error());
    r->events = n;
    r->bytes_in = rtrace_sink_bytes_in(s);
    r->bytes_out = rtrace_sink_bytes_out(s);
    rtrace_sink_free(s);
    rtrace_enc_free(&e);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r->maxrss_kb = ru.ru_maxrss;

    /* The folder holds only the trace file: remove both names and the folder. */
    char path[4200];
    snprintf(path, sizeof path, "%s/trace.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/trace.bin", dir);
    unlink(path);
    rmdir(dir);
}

/* Runs one configuration in a fresh child; the result comes back through a pipe. */
static struct result run_child(rtrace_format fmt, enum load load, unsigned long long n,
                               const char *tmpdir)
{
    struct result r;
    memset(&r, 0, sizeof r);
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(r.error, sizeof r.error, "pipe: %s", strerror(errno));
        return r;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        run(&r, fmt, load, n, tmpdir);
        ssize_t w = write(fds[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], &r, sizeof r) != (ssize_t)sizeof r) {
        memset(&r, 0, sizeof r);
        snprintf(r.error, sizeof r.error, "child failed");
    }
    close(fds[0]);
    if (pid > 0) {
        int st;
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) && r.error[0] == 0)
            snprintf(r.error, sizeof r.error, "child killed by signal %d", WTERMSIG(st));
    }
    return r;
}

static int cmp_seconds(const void *x, const void *y)
{
    double a = ((const struct result *)x)->seconds, b = ((const struct result *)y)->seconds;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    unsigned long long n = 1000000;
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    int opt;
    while ((opt = getopt(argc, argv, "n:d:")) != -1) {
        if (opt == 'n')
            n = strtoull(optarg, NULL, 10);
        else if (opt == 'd')
            tmpdir = optarg;
        else {
            fprintf(stderr, "usage: bench_lib [-n EVENTS] [-d TMPDIR]\n");
            return 2;
        }
    }

    printf("Format library write path: rtrace_enc_* -> rtrace_sink_* (%llu events a run; "
           "RSS also for %llu)\n", n, 10 * n);
    printf("%-7s %-6s %10s %9s %10s %10s %11s %12s\n", "format", "events", "Mevents/s",
           "ns/event", "B/ev enc", "B/ev file", "RSS 1x MB", "RSS 10x MB");
    static const char *const load_names[] = { "Step", "Value" };
    int failed = 0;
    for (int f = 0; f < 2; f++) {
        rtrace_format fmt = f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
        for (int l = 0; l < 2; l++) {
            /* Three short runs; the one with the median time is reported. */
            struct result r3[3], a, b;
            for (int k = 0; k < 3; k++)
                r3[k] = run_child(fmt, (enum load)l, n, tmpdir);
            qsort(r3, 3, sizeof r3[0], cmp_seconds);
            a = r3[1];
            for (int k = 0; k < 3; k++) {
                if (!r3[k].ok)
                    a = r3[k];                              /* report any failure */
                else if (r3[k].maxrss_kb > a.maxrss_kb)
                    a.maxrss_kb = r3[k].maxrss_kb;          /* and the highest RSS */
            }
            b = run_child(fmt, (enum load)l, 10 * n, tmpdir);
            const char *fname = f ? "binary" : "json";
            if (!a.ok || !b.ok) {
                printf("%-7s %-6s   failed: %s\n", fname, load_names[l], a.ok ? b.error : a.error);
                failed = 1;
                continue;
            }
            printf("%-7s %-6s %10.2f %9.1f %10.1f %10.2f %11.1f %12.1f\n", fname, load_names[l],
                   a.events / a.seconds / 1e6, a.seconds * 1e9 / a.events,
                   (double)a.bytes_in / a.events, (double)a.bytes_out / a.events,
                   a.maxrss_kb / 1024.0, b.maxrss_kb / 1024.0);
        }
    }
    printf("  Value events cycle Int / Struct{4 Int} / String(16 B); B/ev enc = bytes the "
           "encoder produced, B/ev file = bytes on disk.\n");
    return failed;
}
