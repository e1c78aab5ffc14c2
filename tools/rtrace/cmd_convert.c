/*
 * tools/rtrace/cmd_convert.c - `rtrace convert IN OUT --to json|binary
 * [--thread ID]`: re-encodes every event of trace folder IN into folder OUT
 * with the writer half (rtrace_enc_event_struct + a sink), and copies the
 * side files and files/. json -> binary -> json gives the same events.
 *
 * --thread ID keeps the events of thread ID only (events before the first
 * ThreadSwitch belong to thread 0, the main thread; after ThreadSwitch N to
 * thread N) plus every definition event (so ids stay the same), and drops the
 * Thread* events: CodeTracer ignores them and interleaved threads would
 * corrupt its call tree.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rtrace_tool.h"
#include "../../lib/reader_int.h"

static bool is_definition(rtrace_event_kind k)
{
    return k == RTRACE_E_PATH || k == RTRACE_E_FUNCTION || k == RTRACE_E_TYPE || k == RTRACE_E_VARIABLE_NAME ||
           k == RTRACE_E_VARIABLE;
}

static bool is_thread_event(rtrace_event_kind k)
{
    return k == RTRACE_E_THREAD_START || k == RTRACE_E_THREAD_EXIT || k == RTRACE_E_THREAD_SWITCH;
}

/* The id of the thread that started the trace in `dir` (see the rule in cmd_convert). */
static uint64_t first_thread_id(const char *dir)
{
    rtrace_reader *r;
    rtrace_event ev;
    uint64_t id = 0;
    if (rtrace_reader_open(&r, dir))
        return 0;
    while (rtrace_reader_next(r, &ev) == 0) {
        if (ev.kind == RTRACE_E_THREAD_START)
            id = ev.u.thread_id;
        if (ev.kind == RTRACE_E_THREAD_START || ev.kind == RTRACE_E_THREAD_SWITCH)
            break;
    }
    rtrace_reader_free(r);
    return id;
}

/* True when a and b name the same existing folder. */
static bool same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_convert(const tool_opts *o)
{
    const char *in = o->pos[0], *out = o->pos[1];
    int rc = tool_check_dir(in);
    if (rc)
        return rc;
    if (same_dir(in, out)) {
        fprintf(stderr, "rtrace convert: IN and OUT are the same folder\n");
        return EXIT_USAGE;
    }
    rtrace_format fmt = !strcmp(o->to, "binary") ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
    rtrace_reader *r;
    if (rtrace_reader_open(&r, in)) {
        fprintf(stderr, "rtrace convert: %s\n", rtrace_last_error());
        return EXIT_BAD;
    }
    rtrace_sink *sink;
    if (rtrace_sink_open(&sink, out, fmt, 0)) {
        fprintf(stderr, "rtrace convert: %s\n", rtrace_last_error());
        rtrace_reader_free(r);
        return EXIT_BAD;
    }
    rtrace_enc enc;
    if (rtrace_enc_init(&enc, fmt, 0)) {
        fprintf(stderr, "rtrace convert: out of memory\n");
        rtrace_sink_free(sink);
        rtrace_reader_free(r);
        return EXIT_BAD;
    }
    enc.json_first = true;
    /* Events before the first ThreadSwitch belong to the thread that started the trace:
     * the first ThreadStart names it when it comes before any ThreadSwitch, else it is 0. */
    uint64_t cur = o->has_thread ? first_thread_id(in) : 0, kept = 0, read = 0;
    int status = 0;
    bool seen = cur == o->thread;           /* thread o->thread is in the trace */
    rtrace_event ev;
    for (;;) {
        rc = rtrace_reader_next(r, &ev);
        if (rc == RTRACE_EOF)
            break;
        if (rc) {
            fprintf(stderr, "rtrace convert: %s\n", rtrace_last_error());
            status = EXIT_BAD;
            break;
        }
        read++;
        if (o->has_thread) {
            if (ev.kind == RTRACE_E_THREAD_SWITCH)
                cur = ev.u.thread_id;
            if ((ev.kind == RTRACE_E_THREAD_SWITCH || ev.kind == RTRACE_E_THREAD_START) &&
                ev.u.thread_id == o->thread)
                seen = true;
            if (is_thread_event(ev.kind) || (!is_definition(ev.kind) && cur != o->thread))
                continue;
        }
        rtrace_enc_reset(&enc);
        rtrace_enc_event_struct(&enc, &ev);
        if (!rtrace_enc_ok(&enc) || rtrace_sink_write(sink, enc.buf, enc.len)) {
            fprintf(stderr, "rtrace convert: cannot write event %llu: %s\n", (unsigned long long)read - 1,
                    rtrace_enc_ok(&enc) ? rtrace_last_error() : "out of memory");
            status = EXIT_BAD;
            break;
        }
        kept++;
    }
    if (o->has_thread && !seen && !status) {
        fprintf(stderr, "rtrace convert: %s has no thread %llu (`rtrace stats` lists its threads)\n", in,
                (unsigned long long)o->thread);
        status = EXIT_BAD;
    }
    if (rtrace_sink_close(sink) && !status) {
        fprintf(stderr, "rtrace convert: %s\n", rtrace_last_error());
        status = EXIT_BAD;
    }
    rtrace_sink_free(sink);
    rtrace_enc_free(&enc);
    rtrace_reader_free(r);
    /* Side files and sources. */
    const char *side[] = { "trace_metadata.json", "trace_paths.json" };
    for (int i = 0; i < 2; i++) {
        char s[PATH_MAX], d[PATH_MAX];
        snprintf(s, sizeof s, "%s/%s", in, side[i]);
        snprintf(d, sizeof d, "%s/%s", out, side[i]);
        struct stat st;
        if (stat(s, &st) == 0 && tool_copy_file(s, d) != 0)
            status = EXIT_BAD;
    }
    char s[PATH_MAX], d[PATH_MAX];
    snprintf(s, sizeof s, "%s/files", in);
    snprintf(d, sizeof d, "%s/files", out);
    if (tool_copy_tree(s, d) != 0) {
        fprintf(stderr, "rtrace convert: could not copy all of %s\n", s);
        status = EXIT_BAD;
    }
    if (status)
        fprintf(stderr, "rtrace convert: %s is incomplete (%llu events written)\n", out, (unsigned long long)kept);
    else
        printf("%s -> %s: %llu of %llu events written as %s\n", in, out, (unsigned long long)kept,
               (unsigned long long)read, fmt == RTRACE_FORMAT_BINARY ? "trace.bin" : "trace.json");
    return status;
}
