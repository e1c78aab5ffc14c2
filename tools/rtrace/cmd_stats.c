/*
 * tools/rtrace/cmd_stats.c - `rtrace stats DIR`: one streaming pass counting
 * events per kind, steps, calls, the deepest call nesting (per thread),
 * definitions, the sizes of the trace files with bytes per event, and per
 * thread (ids as in ThreadStart/ThreadSwitch: the recorder's OS thread ids,
 * what `rtrace convert --thread ID` takes) its steps, calls and depth.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rtrace_tool.h"
#include "../../lib/reader_int.h"

#define NKINDS (RTRACE_E_DROP_LAST_STEP + 1)

/* Size of dir/name, or -1. */
static long long file_size(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

#define MAX_THREADS 4096

/* Per thread: its id (named: seen in a thread event), call depth and counts. */
typedef struct tdepth {
    uint64_t id;
    bool named;
    long long depth, max_depth;
    uint64_t steps, calls;
} tdepth;

/* The index of thread `id` in th[0, *nth), added when new (the last slot
 * is reused past MAX_THREADS: counts merge, nothing is lost from the totals). */
static size_t thread_index(tdepth *th, size_t *nth, uint64_t id)
{
    /* the events before any thread event belong to the starting thread,
     * which the first ThreadStart or ThreadSwitch names */
    if (*nth == 1 && !th[0].named) {
        th[0].id = id;
        th[0].named = true;
        return 0;
    }
    for (size_t i = 0; i < *nth; i++)
        if (th[i].id == id)
            return i;
    if (*nth == MAX_THREADS)
        return *nth - 1;
    th[*nth] = (tdepth){ .id = id, .named = true };
    return (*nth)++;
}

int cmd_stats(const tool_opts *o)
{
    const char *dir = o->pos[0];
    int rc = tool_check_dir(dir);
    if (rc)
        return rc;
    rtrace_reader *r;
    if (rtrace_reader_open(&r, dir)) {
        fprintf(stderr, "rtrace stats: %s\n", rtrace_last_error());
        return EXIT_BAD;
    }
    uint64_t counts[NKINDS] = {0}, bad = 0, nevents = 0;
    long long max_depth = 0;
    tdepth *th = calloc(MAX_THREADS, sizeof *th);
    size_t nth = 1, cur = 0;
    if (!th) {
        rtrace_reader_free(r);
        fprintf(stderr, "rtrace stats: out of memory\n");
        return EXIT_BAD;
    }
    rtrace_event ev;
    int status = 0;
    for (;;) {
        rc = rtrace_reader_next(r, &ev);
        if (rc == RTRACE_EOF)
            break;
        if (rc) {
            fprintf(stderr, "rtrace stats: %s\n", rtrace_last_error());
            status = EXIT_BAD;
            bad++;
            if (rt_rd_fatal(r))
                break;
            continue;
        }
        nevents++;
        counts[ev.kind]++;
        if (ev.kind == RTRACE_E_THREAD_SWITCH) {
            cur = thread_index(th, &nth, ev.u.thread_id);
        } else if (ev.kind == RTRACE_E_THREAD_START) {
            (void)thread_index(th, &nth, ev.u.thread_id);   /* no switch */
        } else if (ev.kind == RTRACE_E_STEP) {
            th[cur].steps++;
        } else if (ev.kind == RTRACE_E_CALL) {
            th[cur].calls++;
            if (++th[cur].depth > th[cur].max_depth)
                th[cur].max_depth = th[cur].depth;
            if (th[cur].depth > max_depth)
                max_depth = th[cur].depth;
        } else if (ev.kind == RTRACE_E_RETURN && th[cur].depth > 0) {
            th[cur].depth--;
        }
    }
    const char *tf = rtrace_reader_format(r) == RTRACE_FORMAT_BINARY ? "trace.bin" : "trace.json";
    rtrace_reader_free(r);
    printf("trace:            %s/%s\n", dir, tf);
    printf("events:           %llu%s\n", (unsigned long long)nevents, bad ? " (plus unreadable ones, see above)" : "");
    printf("steps:            %llu\n", (unsigned long long)counts[RTRACE_E_STEP]);
    printf("calls:            %llu\n", (unsigned long long)counts[RTRACE_E_CALL]);
    printf("returns:          %llu\n", (unsigned long long)counts[RTRACE_E_RETURN]);
    printf("max call depth:   %lld\n", max_depth);
    printf("threads:          %zu\n", nth);
    if (th[0].named)
        for (size_t i = 0; i < nth; i++)
            printf("  thread %-12llu steps %llu, calls %llu, max call depth %lld\n",
                   (unsigned long long)th[i].id, (unsigned long long)th[i].steps,
                   (unsigned long long)th[i].calls, th[i].max_depth);
    free(th);
    printf("functions:        %llu\n", (unsigned long long)counts[RTRACE_E_FUNCTION]);
    printf("paths:            %llu\n", (unsigned long long)counts[RTRACE_E_PATH]);
    printf("types:            %llu\n", (unsigned long long)counts[RTRACE_E_TYPE]);
    printf("variables:        %llu\n",
           (unsigned long long)(counts[RTRACE_E_VARIABLE_NAME] + counts[RTRACE_E_VARIABLE]));
    printf("events per kind:\n");
    for (int k = 0; k < NKINDS; k++)
        if (counts[k])
            printf("  %-20s %llu\n", rt_rd_variant_name((rtrace_event_kind)k), (unsigned long long)counts[k]);
    long long ts = file_size(dir, tf);
    printf("file sizes:\n");
    printf("  %-20s %lld bytes\n", tf, ts);
    const char *side[] = { "trace_metadata.json", "trace_paths.json" };
    for (int i = 0; i < 2; i++) {
        long long s = file_size(dir, side[i]);
        if (s >= 0)
            printf("  %-20s %lld bytes\n", side[i], s);
        else
            printf("  %-20s missing\n", side[i]);
    }
    if (nevents)
        printf("bytes per event:  %.1f\n", (double)ts / (double)nevents);
    return status;
}
