/*
 * tools/rtrace/cmd_repair.c - `rtrace repair DIR`: makes a trace cut off by a
 * killed process valid again, keeping every complete event, and rewrites
 * trace_paths.json from the Path events when it is missing or stale.
 *
 *  - trace.json without its closing ']' or with a partial last event: the
 *    file is cut just after the last complete event and "\n]\n" appended
 *    (complete events stay byte for byte as they were).
 *  - trace.bin with a cut last frame and/or no seek table: every complete
 *    event is read leniently (no seek table needed, the partial frame
 *    decompressed as far as it goes) and written again through the writer's
 *    sink into a new trace.bin, which replaces the old one atomically.
 * It says what it did; exit 0 when the folder is (now) readable, 1 when it
 * cannot be repaired.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtrace_tool.h"
#include "../../lib/reader_int.h"

typedef struct plist { char **p; size_t n, cap; } plist;

static void plist_add(plist *l, rtrace_str s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->p = realloc(l->p, l->cap * sizeof *l->p);
        if (!l->p)
            abort();
    }
    l->p[l->n] = strndup(s.ptr, s.len);
    if (!l->p[l->n])
        abort();
    l->n++;
}

static void plist_free(plist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->p[i]);
    free(l->p);
}

/* Reading result of one pass. */
typedef struct pass {
    bool opened, complete;           /* open worked; reached the end without a fatal error */
    uint64_t good, bad, offset;
    char err[512];
} pass;

/* Reads every event of r, collecting Path events; when enc/sink are given, re-encodes the good ones. */
static void read_all(rtrace_reader *r, pass *ps, plist *paths, rtrace_enc *enc, rtrace_sink *sink)
{
    rtrace_event ev;
    for (;;) {
        int rc = rtrace_reader_next(r, &ev);
        if (rc == RTRACE_EOF) {
            ps->complete = ps->err[0] == '\0';
            break;
        }
        if (rc) {
            if (rt_rd_fatal(r)) {
                snprintf(ps->err, sizeof ps->err, "%s", rtrace_last_error());
                break;
            }
            ps->bad++;
            continue;
        }
        ps->good++;
        ps->offset = rtrace_reader_offset(r);
        if (ev.kind == RTRACE_E_PATH)
            plist_add(paths, ev.u.path);
        if (enc) {
            rtrace_enc_reset(enc);
            rtrace_enc_event_struct(enc, &ev);
            if (rtrace_enc_ok(enc))
                rtrace_sink_write(sink, enc->buf, enc->len);
        }
    }
    ps->offset = rtrace_reader_offset(r);
}

/* Cuts trace.json after its last complete event and closes the array. */
static int repair_json(const char *file, uint64_t offset)
{
    int fd = open(file, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "rtrace repair: %s: %s\n", file, strerror(errno));
        return -1;
    }
    const char *tail = offset ? "\n]\n" : "[\n]\n";
    int rc = 0;
    if (ftruncate(fd, (off_t)offset) != 0 || lseek(fd, 0, SEEK_END) < 0 ||
        write(fd, tail, strlen(tail)) != (ssize_t)strlen(tail)) {
        fprintf(stderr, "rtrace repair: %s: %s\n", file, strerror(errno));
        rc = -1;
    }
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* Rewrites trace.bin from its complete events (lenient read). */
static int repair_bin(const char *dir, const char *file, plist *paths, pass *ps)
{
    char tmp[PATH_MAX], tmpfile[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s/.rtrace-repair.tmp", dir);
    snprintf(tmpfile, sizeof tmpfile, "%s/trace.bin", tmp);
    rtrace_reader *r;
    if (rt_rd_open(&r, file, NULL, 0, RTRACE_FORMAT_BINARY, false, RT_RD_LENIENT)) {
        fprintf(stderr, "rtrace repair: cannot repair: %s\n", rtrace_last_error());
        return -1;
    }
    rtrace_sink *sink;
    rtrace_enc enc;
    if (rtrace_sink_open(&sink, tmp, RTRACE_FORMAT_BINARY, 0) || rtrace_enc_init(&enc, RTRACE_FORMAT_BINARY, 0)) {
        fprintf(stderr, "rtrace repair: %s\n", rtrace_last_error());
        rtrace_reader_free(r);
        return -1;
    }
    memset(ps, 0, sizeof *ps);
    ps->opened = true;
    read_all(r, ps, paths, &enc, sink);
    rtrace_reader_free(r);
    rtrace_enc_free(&enc);
    int rc = rtrace_sink_close(sink);
    bool failed = rtrace_sink_failed(sink);
    rtrace_sink_free(sink);
    if (rc || failed || rename(tmpfile, file) != 0) {
        fprintf(stderr, "rtrace repair: could not write the new trace.bin: %s\n",
                rc || failed ? rtrace_last_error() : strerror(errno));
        unlink(tmpfile);
        rmdir(tmp);
        return -1;
    }
    rmdir(tmp);
    return 0;
}

int cmd_repair(const tool_opts *o)
{
    const char *dir = o->pos[0];
    int rc = tool_check_dir(dir);
    if (rc)
        return rc;
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/trace.bin", dir);
    bool bin = access(file, F_OK) == 0;
    if (!bin)
        snprintf(file, sizeof file, "%s/trace.json", dir);
    plist paths = {0};
    pass ps = {0};
    rtrace_reader *r;
    if (rtrace_reader_open(&r, dir) == 0) {
        ps.opened = true;
        read_all(r, &ps, &paths, NULL, NULL);
        rtrace_reader_free(r);
    } else {
        snprintf(ps.err, sizeof ps.err, "%s", rtrace_last_error());
    }
    int status = 0;
    bool did = false;
    if (!ps.complete) {
        printf("%s\n", ps.err);
        if (!bin && ps.opened) {
            if (repair_json(file, ps.offset) == 0) {
                printf("repaired %s: kept %llu complete events, cut after byte %llu and closed the array\n", file,
                       (unsigned long long)(ps.good + ps.bad), (unsigned long long)ps.offset);
                did = true;
            } else {
                status = EXIT_BAD;
            }
        } else if (bin) {
            plist_free(&paths);
            memset(&paths, 0, sizeof paths);
            if (repair_bin(dir, file, &paths, &ps) == 0) {
                printf("repaired %s: rewrote %llu complete events with a new seek table%s%s\n", file,
                       (unsigned long long)ps.good, ps.err[0] ? "; dropped the cut end: " : "", ps.err);
                did = true;
            } else {
                status = EXIT_BAD;
            }
        } else {
            fprintf(stderr, "rtrace repair: cannot repair %s\n", file);
            status = EXIT_BAD;
        }
    }
    if (ps.bad)
        printf("note: %llu events have a bad shape; repair keeps them as they are (see rtrace validate)\n",
               (unsigned long long)ps.bad);
    if (!status) {
        rtrace_arena arena = {0};
        const char **old = NULL;
        size_t nold = 0;
        bool same = rtrace_read_paths(&old, &nold, &arena, dir) == 0 && nold == paths.n;
        for (size_t i = 0; same && i < nold; i++)
            same = strcmp(old[i], paths.p[i]) == 0;
        rtrace_arena_free(&arena);
        if (!same) {
            if (rtrace_write_paths(dir, (const char *const *)paths.p, paths.n) == 0) {
                printf("wrote %s/trace_paths.json from the %zu Path events\n", dir, paths.n);
                did = true;
            } else {
                fprintf(stderr, "rtrace repair: %s\n", rtrace_last_error());
                status = EXIT_BAD;
            }
        }
    }
    if (!did && !status)
        printf("%s: nothing to repair\n", dir);
    plist_free(&paths);
    return status;
}
