/*
 * runtime/warn.c - the runtime's messages to the user, on stderr.
 *
 * Messages can be written from fatal-signal handlers, from inside malloc
 * (a probe in a signal handler) or before libc's stdio is usable, so this file
 * formats with its own small printf subset into a stack buffer and writes it
 * with one write(2): no stdio, no malloc, no locks. The subset is what the
 * runtime's messages use: %s %c %d %i %u %x %p %% with the l, ll, z modifiers,
 * a zero-padded width for numbers (%02u) and a precision for strings (%.*s).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"

/* Appends `s` (n bytes) to the buffer at *pos, clipped to cap. */
static void put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
    while (n-- && *pos < cap)
        buf[(*pos)++] = *s++;
}

/* Appends an unsigned number in base 10 or 16, zero-padded to `width`. */
static void put_u(char *buf, size_t cap, size_t *pos, unsigned long long v, unsigned base, int width)
{
    char tmp[24];
    int i = sizeof tmp;
    do {
        tmp[--i] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while ((int)sizeof tmp - i < width && i > 0)
        tmp[--i] = '0';
    put(buf, cap, pos, tmp + i, sizeof tmp - i);
}

/*
 * rt_vformat: async-signal-safe vsnprintf for the subset above. Writes at
 * most cap-1 bytes and a NUL; returns the length written (truncated).
 */
size_t rt_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    size_t pos = 0;
    if (cap == 0)
        return 0;
    cap--;  /* room for the NUL */
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(buf, cap, &pos, p, 1);
            continue;
        }
        p++;
        int prec = -1, lng = 0, width = 0;
        if (*p == '0')
            p++;
        while (*p >= '1' && *p <= '9' && width < 20)
            width = width * 10 + (*p++ - '0');
        if (*p == '.' && p[1] == '*') {
            prec = va_arg(ap, int);
            p += 2;
        }
        while (*p == 'l' || *p == 'z') {
            lng = *p == 'z' ? 2 : lng + 1;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = strlen(s);
            if (prec >= 0 && (size_t)prec < n)
                n = (size_t)prec;
            put(buf, cap, &pos, s, n);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put(buf, cap, &pos, &c, 1);
            break;
        }
        case 'd': case 'i': {
            long long v = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                put(buf, cap, &pos, "-", 1);
                put_u(buf, cap, &pos, 0ULL - (unsigned long long)v, 10, width);
            } else {
                put_u(buf, cap, &pos, (unsigned long long)v, 10, width);
            }
            break;
        }
        case 'u': case 'x': {
            unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long)
                                 : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_u(buf, cap, &pos, v, *p == 'x' ? 16 : 10, width);
            break;
        }
        case 'p':
            put(buf, cap, &pos, "0x", 2);
            put_u(buf, cap, &pos, (unsigned long long)(uintptr_t)va_arg(ap, void *), 16, 0);
            break;
        case '%':
            put(buf, cap, &pos, "%", 1);
            break;
        case '\0':
            p--;
            break;
        default:
            put(buf, cap, &pos, p - 1, 2);
            break;
        }
    }
    buf[pos] = '\0';
    return pos;
}

/* rt_format: rt_vformat with variadic arguments. */
size_t rt_format(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = rt_vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

/*
 * The stderr the program was started with. The runtime writes its messages
 * only while fd 2 is still that file: a program started with stderr closed
 * (`prog 2>&-`, a daemon's launcher) gets fd 2 for the next file it opens,
 * and a program may dup2 its log file onto 2; the runtime's lines must not
 * land in the program's files (untraced, they would not be there). Checked
 * with fstat at each message (messages are rare), async-signal-safe.
 */
static struct { bool known, open; dev_t dev; ino_t ino; } rt_stderr0;

static bool stderr_is_ours(void)
{
    if (!rt_stderr0.known)
        return true;
    struct stat st;
    if (!rt_stderr0.open || syscall(SYS_fstat, 2, &st) != 0)
        return false;
    return st.st_dev == rt_stderr0.dev && st.st_ino == rt_stderr0.ino;
}

void rt_warn_init(void)
{
    struct stat st;
    if (rt_stderr0.known)
        return;   /* a fork child keeps the parent's */
    rt_stderr0.open = syscall(SYS_fstat, 2, &st) == 0;
    if (rt_stderr0.open) {
        rt_stderr0.dev = st.st_dev;
        rt_stderr0.ino = st.st_ino;
    }
    rt_stderr0.known = true;
}

/*
 * rt_warn: "rtrace: <message>\n" on stderr in one write(2), so that the line
 * is never interleaved with the program's own output. Keeps errno.
 */
void rt_warn(const char *fmt, ...)
{
    int saved = errno;
    char buf[1024];
    size_t n = 8;
    memcpy(buf, "rtrace: ", 8);
    va_list ap;
    va_start(ap, fmt);
    n += rt_vformat(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    buf[n++] = '\n';
    if (stderr_is_ours())
        rt_write_all(2, buf, n);
    errno = saved;
}

/* rt_write_all: write(2) until done or a real error; retries EINTR. A raw
 * syscall, so that io_capture.c's interposed write() never sees the runtime's
 * own messages. */
int rt_write_all(int fd, const void *p, size_t n)
{
    /* never past RLIMIT_FSIZE: SIGXFSZ would kill the program (see
     * lib/sink.c); a pipe or tty (no offset) has no limit */
    struct rlimit rl;
    if (n > 0 && syscall(SYS_getrlimit, RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        long pos = syscall(SYS_lseek, fd, 0L, SEEK_CUR);
        if (pos >= 0 && (uint64_t)pos + n > (uint64_t)rl.rlim_cur) {
            errno = EFBIG;
            return -1;
        }
    }
    const char *c = p;
    while (n) {
        ssize_t w = syscall(SYS_write, fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}
