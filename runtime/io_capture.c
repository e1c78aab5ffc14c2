/*
 * runtime/io_capture.c - what the program writes to stdout and stderr
 * becomes Event records (kind Write for stdout, WriteOther for stderr,
 * content = the bytes), at the step where it was written.
 *
 * The stdio output functions and write/writev are interposed. Each wrapper
 * records the bytes the call is about to produce, then calls libc's own
 * function, which does the real output: buffering, ordering, return values
 * and errno are libc's, so the program's output is byte for byte the same.
 * printf-like calls format once more into a bounded buffer for the event
 * (a va_copy: the real call gets the untouched va_list; a %n directive is
 * stored twice with the same value). gcc turns printf("x\n") into puts("x")
 * and fprintf(f, "lit") into fwrite, so those are covered too, as are the
 * _FORTIFY_SOURCE variants (__printf_chk...).
 *
 * Events are written only while recording, when the calling thread has a
 * state; never for the runtime's own output (it writes with raw syscalls),
 * and never recursively (a TLS guard). A call from a signal handler that
 * interrupted the runtime goes to the thread's nested buffer (rt.h).
 */
#define _GNU_SOURCE
/* glibc's headers would define vprintf, putchar... inline when optimising;
 * this file defines them itself. */
#ifndef __NO_INLINE__
#define __NO_INLINE__ 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lifecycle.h"

#define RT_IO_STACK_BUF 2048
#define RT_IO_MAX       (1u << 20)    /* bytes of one event at most */

/* p != NULL for arguments glibc declares nonnull (a program may still pass
 * NULL; the check must not be optimised away). */
static inline bool present(const void *p)
{
    __asm__("" : "+r"(p));
    return p != NULL;
}

static __thread int rt_io_busy __attribute__((tls_model("initial-exec")));

/* Event kind for a stream / fd, or -1 when it is not stdout/stderr. */
static int kind_of_file(FILE *f)
{
    if (f == stdout)
        return RTRACE_LOG_WRITE;
    if (f == stderr)
        return RTRACE_LOG_WRITE_OTHER;
    return -1;
}

static int kind_of_fd(int fd)
{
    return fd == 1 ? RTRACE_LOG_WRITE : fd == 2 ? RTRACE_LOG_WRITE_OTHER : -1;
}

/* The thread's state when output should be recorded now, else NULL. A
 * thread without a state (no probe ran on it) does not get one for this. */
static rt_thread *capturing(int kind)
{
    if (kind < 0 || rt_io_busy ||
        atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_ST_RUNNING)
        return NULL;
    rt_thread_x *x = rt_thread_self_raw();
    return x && !x->pub.dead ? &x->pub : NULL;
}

/* Records one Event with `n` bytes (capped at RT_IO_MAX). Keeps errno. */
static void emit(rt_thread *t, int kind, const char *p, size_t n)
{
    int saved = errno;
    if (n > RT_IO_MAX)
        n = RT_IO_MAX;
    rtrace_enc *e = t->in_runtime ? &t->nested : &t->enc;
    t->in_runtime++;
    rtrace_enc_event(e, (rtrace_event_log_kind)kind, "", p, n);
    rt_output_commit(t, 1);
    t->in_runtime--;
    errno = saved;
}

/* Formats for the event (va_copy'ed) and records it. */
static void emit_vformat(int kind, const char *fmt, va_list ap)
{
    rt_thread *t = capturing(kind);
    if (!t || !fmt)
        return;
    int saved = errno;
    rt_io_busy++;
    char buf[RT_IO_STACK_BUF];
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(buf, sizeof buf, fmt, aq);
    va_end(aq);
    if (n >= 0 && (size_t)n < sizeof buf) {
        emit(t, kind, buf, (size_t)n);
    } else if (n > 0) {
        size_t want = (size_t)n + 1 > RT_IO_MAX ? RT_IO_MAX : (size_t)n + 1;
        char *big = malloc(want);
        if (big) {
            va_copy(aq, ap);
            vsnprintf(big, want, fmt, aq);
            va_end(aq);
            emit(t, kind, big, want - 1);
            free(big);
        }
    }
    rt_io_busy--;
    errno = saved;
}

static void emit_bytes(int kind, const void *p, size_t n)
{
    rt_thread *t = capturing(kind);
    if (!t || !p)
        return;
    rt_io_busy++;
    emit(t, kind, p, n);
    rt_io_busy--;
}

/* ---- Real functions ------------------------------------------------------- */
typedef int (*vfprintf_fn)(FILE *, const char *, va_list);
typedef int (*vdprintf_fn)(int, const char *, va_list);
typedef int (*puts_fn)(const char *);
typedef int (*fputs_fn)(const char *, FILE *);
typedef int (*putchar_fn)(int);
typedef int (*fputc_fn)(int, FILE *);
typedef size_t (*fwrite_fn)(const void *, size_t, size_t, FILE *);
typedef void (*perror_fn)(const char *);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef int (*vfprintf_chk_fn)(FILE *, int, const char *, va_list);
typedef int (*vdprintf_chk_fn)(int, int, const char *, va_list);

static vfprintf_fn r_vfprintf;
static vdprintf_fn r_vdprintf;
static puts_fn r_puts;
static fputs_fn r_fputs;
static putchar_fn r_putchar;
static fputc_fn r_fputc, r_putc;
static fwrite_fn r_fwrite;
static perror_fn r_perror;
static writev_fn r_writev;
static vfprintf_chk_fn r_vfprintf_chk;
static vdprintf_chk_fn r_vdprintf_chk;

#define RESOLVE(var, type, name) \
    do { if (!var) var = (type)dlsym(RTLD_NEXT, name); } while (0)

void rt_io_init(void)
{
    RESOLVE(r_vfprintf, vfprintf_fn, "vfprintf");
    RESOLVE(r_vdprintf, vdprintf_fn, "vdprintf");
    RESOLVE(r_puts, puts_fn, "puts");
    RESOLVE(r_fputs, fputs_fn, "fputs");
    RESOLVE(r_putchar, putchar_fn, "putchar");
    RESOLVE(r_fputc, fputc_fn, "fputc");
    RESOLVE(r_putc, fputc_fn, "putc");
    RESOLVE(r_fwrite, fwrite_fn, "fwrite");
    RESOLVE(r_perror, perror_fn, "perror");
    RESOLVE(r_writev, writev_fn, "writev");
    RESOLVE(r_vfprintf_chk, vfprintf_chk_fn, "__vfprintf_chk");
    RESOLVE(r_vdprintf_chk, vdprintf_chk_fn, "__vdprintf_chk");
}

/* ---- printf family ---------------------------------------------------------- */
RT_EXPORT int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    RESOLVE(r_vfprintf, vfprintf_fn, "vfprintf");
    emit_vformat(kind_of_file(f), fmt, ap);
    return r_vfprintf(f, fmt, ap);
}

RT_EXPORT int vprintf(const char *fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

RT_EXPORT int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return r;
}

RT_EXPORT int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

RT_EXPORT int vdprintf(int fd, const char *fmt, va_list ap)
{
    RESOLVE(r_vdprintf, vdprintf_fn, "vdprintf");
    emit_vformat(kind_of_fd(fd), fmt, ap);
    return r_vdprintf(fd, fmt, ap);
}

RT_EXPORT int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

/* _FORTIFY_SOURCE variants: same capture, libc's checking function. */
RT_EXPORT int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
    RESOLVE(r_vfprintf_chk, vfprintf_chk_fn, "__vfprintf_chk");
    emit_vformat(kind_of_file(f), fmt, ap);
    return r_vfprintf_chk(f, flag, fmt, ap);
}

RT_EXPORT int __vprintf_chk(int flag, const char *fmt, va_list ap)
{
    return __vfprintf_chk(stdout, flag, fmt, ap);
}

RT_EXPORT int __printf_chk(int flag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = __vfprintf_chk(stdout, flag, fmt, ap);
    va_end(ap);
    return r;
}

RT_EXPORT int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = __vfprintf_chk(f, flag, fmt, ap);
    va_end(ap);
    return r;
}

RT_EXPORT int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap)
{
    RESOLVE(r_vdprintf_chk, vdprintf_chk_fn, "__vdprintf_chk");
    emit_vformat(kind_of_fd(fd), fmt, ap);
    return r_vdprintf_chk(fd, flag, fmt, ap);
}

RT_EXPORT int __dprintf_chk(int fd, int flag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = __vdprintf_chk(fd, flag, fmt, ap);
    va_end(ap);
    return r;
}

/* ---- puts, fputs, putchar, fputc, putc, fwrite, perror ---------------------- */
RT_EXPORT int puts(const char *s)
{
    RESOLVE(r_puts, puts_fn, "puts");
    rt_thread *t = capturing(RTRACE_LOG_WRITE);
    if (t && present(s)) {
        rt_io_busy++;
        size_t n = strlen(s);
        if (n < RT_IO_STACK_BUF) {
            char buf[RT_IO_STACK_BUF];
            memcpy(buf, s, n);
            buf[n] = '\n';
            emit(t, RTRACE_LOG_WRITE, buf, n + 1);
        } else {
            emit(t, RTRACE_LOG_WRITE, s, n);   /* long line: without its '\n' */
        }
        rt_io_busy--;
    }
    return r_puts(s);
}

RT_EXPORT int fputs(const char *s, FILE *f)
{
    RESOLVE(r_fputs, fputs_fn, "fputs");
    if (present(s))
        emit_bytes(kind_of_file(f), s, strlen(s));
    return r_fputs(s, f);
}

RT_EXPORT int putchar(int c)
{
    RESOLVE(r_putchar, putchar_fn, "putchar");
    char ch = (char)c;
    emit_bytes(RTRACE_LOG_WRITE, &ch, 1);
    return r_putchar(c);
}

RT_EXPORT int fputc(int c, FILE *f)
{
    RESOLVE(r_fputc, fputc_fn, "fputc");
    char ch = (char)c;
    emit_bytes(kind_of_file(f), &ch, 1);
    return r_fputc(c, f);
}

RT_EXPORT int putc(int c, FILE *f)
{
    RESOLVE(r_putc, fputc_fn, "putc");
    char ch = (char)c;
    emit_bytes(kind_of_file(f), &ch, 1);
    return r_putc(c, f);
}

RT_EXPORT size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    RESOLVE(r_fwrite, fwrite_fn, "fwrite");
    int kind = kind_of_file(f);
    if (kind >= 0 && size && n && n <= SIZE_MAX / size)
        emit_bytes(kind, p, size * n);
    return r_fwrite(p, size, n, f);
}

RT_EXPORT void perror(const char *s)
{
    RESOLVE(r_perror, perror_fn, "perror");
    int err = errno;
    rt_thread *t = capturing(RTRACE_LOG_WRITE_OTHER);
    if (t) {
        rt_io_busy++;
        char msg[256], buf[RT_IO_STACK_BUF];
        const char *m = strerror_r(err, msg, sizeof msg);
        size_t n;
        if (s && *s)
            n = (size_t)snprintf(buf, sizeof buf, "%s: %s\n", s, m);
        else
            n = (size_t)snprintf(buf, sizeof buf, "%s\n", m);
        if (n >= sizeof buf)
            n = sizeof buf - 1;
        emit(t, RTRACE_LOG_WRITE_OTHER, buf, n);
        rt_io_busy--;
    }
    errno = err;
    r_perror(s);
}

/* ---- write, writev ------------------------------------------------------------ */
extern ssize_t __write(int, const void *, size_t);

/* A program writing to a number it never opened gets EBADF, as untraced,
 * even where the runtime keeps its trace file (fds.c): it must never write
 * into the trace. The runtime's own writes (lib/sink.c) pass. */
static inline bool not_the_programs(int fd, const void *caller)
{
    return fd > 2 && rt_output_fd_is_ours(fd) && !rt_called_from_runtime(caller);
}

RT_EXPORT ssize_t write(int fd, const void *p, size_t n)
{
    if (unlikely(not_the_programs(fd, __builtin_return_address(0)))) {
        errno = EBADF;
        return -1;
    }
    int kind = kind_of_fd(fd);
    if (kind >= 0 && n)
        emit_bytes(kind, p, n);
    return __write(fd, p, n);
}

RT_EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    RESOLVE(r_writev, writev_fn, "writev");
    if (unlikely(not_the_programs(fd, __builtin_return_address(0)))) {
        errno = EBADF;
        return -1;
    }
    int kind = kind_of_fd(fd);
    rt_thread *t = kind >= 0 && cnt > 0 && iov ? capturing(kind) : NULL;
    if (t) {
        rt_io_busy++;
        size_t total = 0;
        for (int i = 0; i < cnt; i++)
            total += iov[i].iov_len;
        if (total > RT_IO_MAX)
            total = RT_IO_MAX;
        char *buf = malloc(total ? total : 1);
        if (buf) {
            size_t pos = 0;
            for (int i = 0; i < cnt && pos < total; i++) {
                size_t k = iov[i].iov_len < total - pos ? iov[i].iov_len : total - pos;
                memcpy(buf + pos, iov[i].iov_base, k);
                pos += k;
            }
            emit(t, kind, buf, pos);
            free(buf);
        }
        rt_io_busy--;
    }
    return r_writev(fd, iov, cnt);
}
