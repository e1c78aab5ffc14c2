/*
 * tools/rtrace/cmd_stats.c - `rtrace stats DIR`: one streaming pass counting
 * events per kind, steps, calls, the deepest call nesting (per thread),
 * definitions, and the sizes of the trace files, with bytes per event.
 */
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

typedef struct tdepth { uint64_t id; long long depth; } tdepth;

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
    tdepth th[64] = {{0, 0}};
    size_t nth = 1, cur = 0;
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
            size_t i;
            for (i = 0; i < nth && th[i].id != ev.u.thread_id; i++)
                ;
            if (i == nth && nth < 64)
                th[nth++] = (tdepth){ ev.u.thread_id, 0 };
            cur = i < nth ? i : 0;
        } else if (ev.kind == RTRACE_E_CALL) {
            if (++th[cur].depth > max_depth)
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
