/*
 * lib/sidefiles.c - the files of a trace folder besides the trace itself:
 * trace_metadata.json, trace_paths.json and the source copies under files/.
 *
 * JSON strings here are escaped and made valid UTF-8 exactly as in events
 * (the JSON encoder's string writer). Each JSON file is written whole to a
 * temporary name and renamed over the old one, so a reader never sees half a
 * file. Sources are copied with read(2)/write(2).
 *
 * No big buffer lives on the stack (file names and the copy buffer are on the
 * heap): the runtime writes trace_paths.json at exit, from glibc's _dl_fini,
 * where a program run with `ulimit -s 64` has little stack left, and a tracer
 * may close its trace on a thread with a small stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtrace/sink.h"
#include "encode_inline.h"

/* Creates every parent folder of the file `path` (mode 0755), in place: each
 * '/' is cut and put back. 0 or an errno value. */
static int mkdir_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int err = mkdir(path, 0755) != 0 && errno != EEXIST ? errno : 0;
        *p = '/';
        if (err)
            return err;
    }
    return 0;
}

/*
 * A write past RLIMIT_FSIZE raises SIGXFSZ, whose default action kills the
 * process: a traced program with a file size limit (ulimit -f, setrlimit)
 * would die of its trace. So a write that would pass the limit is not made:
 * EFBIG (the trace fails cleanly, the program runs on). A getrlimit and an
 * lseek per chunk (chunks are ~1 MiB or 100 ms apart).
 */
static bool fsize_exceeded(int fd, size_t n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return false;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    return pos >= 0 && (uint64_t)pos + n > (uint64_t)rl.rlim_cur;
}

/* Writes all of p[0, n) to fd, retrying short writes and EINTR. 0 or an errno value. */
static int write_all(int fd, const void *p, size_t n)
{
    if (n > 0 && fsize_exceeded(fd, n))
        return EFBIG;
    const char *c = p;
    while (n > 0) {
        ssize_t r = write(fd, c, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (r == 0)
            return ENOSPC;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Replaces dir/name with bytes[0, n) (via dir/name.tmp and rename). 0 or a negative code. */
static int write_whole_file(const char *dir, const char *name, const void *bytes, size_t n)
{
    char *path = malloc(2 * PATH_MAX);
    if (!path)
        return rtrace_set_error(RTRACE_ENOMEM, "%s/%s: out of memory", dir, name);
    char *tmp = path + PATH_MAX;
    int rc = 0;
    if ((size_t)snprintf(path, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX ||
        (size_t)snprintf(tmp, PATH_MAX, "%s/%s.tmp", dir, name) >= PATH_MAX) {
        rc = rtrace_set_error(RTRACE_EINVAL, "path too long: %s/%s", dir, name);
        goto out;
    }
    int err = mkdir_parents(path);
    if (err) {
        rc = rtrace_set_error(RTRACE_EIO, "cannot create folder for %s: %s", path, strerror(err));
        goto out;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = rtrace_set_error(RTRACE_EIO, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    err = write_all(fd, bytes, n);
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        rc = rtrace_set_error(err == ENOSPC ? RTRACE_EFULL : RTRACE_EIO, "cannot write %s: %s",
                              path, strerror(err));
    }
out:
    free(path);
    return rc;
}

/* Appends a literal to a JSON-format encoder (room checked). */
static void lit(rtrace_enc *e, const char *s)
{
    size_t n = strlen(s);
    if (rtrace__room(e, n))
        rtrace__put(e, s, n);
}

static void str(rtrace_enc *e, const char *s)
{
    rtrace__json_string(e, s ? s : "", s ? strlen(s) : 0);
}

/*
 * Writes dir/trace_metadata.json: {"workdir":..,"program":..,"args":[..]}.
 * NULL strings are written as "". 0 or a negative code.
 */
int rtrace_write_metadata(const char *dir, const char *workdir, const char *program,
                          const char *const *args, size_t nargs)
{
    rtrace_enc e;
    int rc = rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 4096);
    if (rc)
        return rc;
    lit(&e, "{\"workdir\":");
    str(&e, workdir);
    lit(&e, ",\"program\":");
    str(&e, program);
    lit(&e, ",\"args\":[");
    for (size_t i = 0; i < nargs; i++) {
        if (i)
            lit(&e, ",");
        str(&e, args[i]);
    }
    lit(&e, "]}\n");
    rc = rtrace_enc_ok(&e) ? write_whole_file(dir, "trace_metadata.json", e.buf, e.len)
                           : rtrace_set_error(RTRACE_ENOMEM, "trace_metadata.json: out of memory");
    rtrace_enc_free(&e);
    return rc;
}

/* Writes dir/trace_paths.json: the JSON array of `paths`. 0 or a negative code. */
int rtrace_write_paths(const char *dir, const char *const *paths, size_t n)
{
    rtrace_enc e;
    int rc = rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 4096);
    if (rc)
        return rc;
    lit(&e, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            lit(&e, ",");
        str(&e, paths[i]);
    }
    lit(&e, "]\n");
    rc = rtrace_enc_ok(&e) ? write_whole_file(dir, "trace_paths.json", e.buf, e.len)
                           : rtrace_set_error(RTRACE_ENOMEM, "trace_paths.json: out of memory");
    rtrace_enc_free(&e);
    return rc;
}

/* True when `p` has a ".." component (it would escape files/). */
static bool has_dotdot(const char *p)
{
    for (const char *c = p; (c = strstr(c, "..")) != NULL; c += 2) {
        bool start = c == p || c[-1] == '/';
        bool end = c[2] == '\0' || c[2] == '/';
        if (start && end)
            return true;
    }
    return false;
}

#define COPY_CHUNK (64u << 10)      /* bytes per read(2) of a source */

/* Copies the file src to dst (created with its parents) through buf
 * (COPY_CHUNK bytes). 0, RTRACE_ENOTFOUND or RTRACE_EIO. */
static int copy_file(const char *src, char *dst, char *buf)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return rtrace_set_error(RTRACE_ENOTFOUND, "cannot read source %s: %s", src, strerror(errno));
    int err = mkdir_parents(dst);
    if (err) {
        close(in);
        return rtrace_set_error(RTRACE_EIO, "cannot create folder for %s: %s", dst, strerror(err));
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        err = errno;
        close(in);
        return rtrace_set_error(RTRACE_EIO, "cannot create %s: %s", dst, strerror(err));
    }
    for (;;) {
        ssize_t r = read(in, buf, COPY_CHUNK);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (r == 0)
            break;
        err = write_all(out, buf, (size_t)r);
        if (err)
            break;
    }
    close(in);
    if (close(out) != 0 && !err)
        err = errno;
    if (err)
        return rtrace_set_error(RTRACE_EIO, "cannot copy %s to %s: %s", src, dst, strerror(err));
    return 0;
}

/*
 * Copies each source to dir/files/<path without its leading '/'>. A source
 * that cannot be read (or whose path has a ".." component) is skipped; the
 * others are still copied and RTRACE_ENOTFOUND is returned (the message
 * names the last one). A write failure gives RTRACE_EIO.
 */
int rtrace_copy_sources(const char *dir, const char *const *paths, size_t n)
{
    char *dst = malloc(PATH_MAX + COPY_CHUNK);
    if (!dst)
        return rtrace_set_error(RTRACE_ENOMEM, "%s/files: out of memory", dir);
    char *buf = dst + PATH_MAX;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = paths[i];
        if (!p || !*p)
            continue;
        if (has_dotdot(p)) {
            rc = rc ? rc : rtrace_set_error(RTRACE_ENOTFOUND, "source path %s has a '..' component: not copied", p);
            continue;
        }
        const char *rel = p;
        while (*rel == '/')
            rel++;
        if ((size_t)snprintf(dst, PATH_MAX, "%s/files/%s", dir, rel) >= PATH_MAX) {
            rc = rtrace_set_error(RTRACE_EINVAL, "path too long: %s/files/%s", dir, rel);
            continue;
        }
        int r = copy_file(p, dst, buf);
        if (r == RTRACE_EIO)
            rc = r;
        else if (r && !rc)
            rc = r;
    }
    free(dst);
    return rc;
}
