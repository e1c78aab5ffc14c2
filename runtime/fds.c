/*
 * runtime/fds.c - the runtime's own file descriptors stay out of the
 * program's reach.
 *
 * While recording, the runtime holds the trace file (moved to fd 600+, see
 * lib/sink.c) and the trace folder's lock (512+), or both above a lower soft
 * RLIMIT_NOFILE (output.c: nofile_make_room). A program that never opened
 * those numbers must see them as closed, and must never be able to write
 * into the trace or have the runtime write into its files. Daemon-style code
 * does exactly that: `for (fd = 3; fd < 1024; fd++) close(fd);`,
 * closefrom(3), close_range(3, ~0U, 0), or dup2() onto a high number of its
 * own choosing. Untraced, those numbers are not open. So (interposed):
 *   close(ours)                 -1 EBADF, as untraced; our fd stays open;
 *   close_range / closefrom     close the range minus our fds (split around
 *                               them);
 *   dup2/dup3(old, ours)        our fd is first moved to a free number above
 *                               it (under the sink lock, the background
 *                               compressor idle), then the program's dup2
 *                               takes the number; if no number is free the
 *                               trace stops with a write error instead;
 *   dup2/dup3(ours, x)          -1 EBADF, as untraced;
 *   fcntl(ours, ...)            -1 EBADF, as untraced;
 *   fcntl(fd, F_DUPFD[_CLOEXEC], min) that skipped one of ours (the number
 *                               untraced): ours is moved away and the
 *                               program gets that number.
 * Calls made by the runtime itself (its own close of the trace, libraries it
 * links) come from the runtime's text and pass straight through, and so do
 * those of a thread doing the runtime's own I/O (rt_tls_own_io: its writer
 * thread, a program thread closing the trace): a sanitizer's interceptor
 * (ASan's write) may sit between the runtime and these functions, and is
 * then the caller. Before
 * start-up and after the trace is closed nothing is ours: plain libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"

extern int __close(int);
extern int __dup2(int, int);
extern int __fcntl(int, int, ...);

/* this module's text: calls from the runtime itself are never filtered */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _etext[] __attribute__((visibility("hidden")));

__thread int rt_tls_own_io __attribute__((tls_model("initial-exec")));

bool rt_called_from_runtime(const void *ret)
{
    return ((const char *)ret >= __ehdr_start && (const char *)ret < _etext) || rt_tls_own_io;
}

RT_EXPORT int close(int fd)
{
    if (!rt_called_from_runtime(__builtin_return_address(0)) && rt_output_fd_is_ours(fd)) {
        errno = EBADF;
        return -1;
    }
    return __close(fd);
}

static int dup_to(int oldfd, int newfd, int flags, bool is_dup3, const void *ret)
{
    if (!rt_called_from_runtime(ret)) {
        if (rt_output_fd_is_ours(oldfd)) {
            errno = EBADF;
            return -1;
        }
        if (oldfd != newfd && rt_output_fd_is_ours(newfd))
            rt_output_fd_evict(newfd);
    }
    if (is_dup3)
        return (int)syscall(SYS_dup3, oldfd, newfd, flags);
    return __dup2(oldfd, newfd);
}

RT_EXPORT int dup2(int oldfd, int newfd)
{
    return dup_to(oldfd, newfd, 0, false, __builtin_return_address(0));
}

RT_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    return dup_to(oldfd, newfd, flags, true, __builtin_return_address(0));
}

/* close_range over [first, last] minus the runtime's fds (at most two). */
static int close_range_split(unsigned first, unsigned last, int flags)
{
    int ours[2];
    int n = rt_output_fds(ours);
    if (n == 2 && ours[0] > ours[1]) {
        int t = ours[0];
        ours[0] = ours[1];
        ours[1] = t;
    }
    unsigned lo = first;
    for (int i = 0; i < n; i++) {
        unsigned o = (unsigned)ours[i];
        if (o < lo || o > last)
            continue;
        if (o > lo && syscall(SYS_close_range, lo, o - 1, flags) != 0)
            return -1;
        if (o == last)
            return 0;
        lo = o + 1;
    }
    return (int)syscall(SYS_close_range, lo, last, flags);
}

RT_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
    if (rt_called_from_runtime(__builtin_return_address(0)) || first > last)
        return (int)syscall(SYS_close_range, first, last, flags);
    return close_range_split(first, last, flags);
}

RT_EXPORT void closefrom(int lowfd)
{
    if (lowfd < 0)
        lowfd = 0;
    if (close_range_split((unsigned)lowfd, ~0u, 0) == 0)
        return;
    /* no close_range (old kernel): one by one, as glibc's fallback */
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > INT_MAX)
        max = 1 << 16;
    for (int fd = lowfd; fd < max; fd++)
        if (!rt_output_fd_is_ours(fd))
            __close(fd);
}

static int fcntl_common(int fd, int cmd, void *arg, const void *caller)
{
    if (rt_called_from_runtime(caller))
        return __fcntl(fd, cmd, arg);
    if (rt_output_fd_is_ours(fd)) {
        errno = EBADF;
        return -1;
    }
    int r = __fcntl(fd, cmd, arg);
    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
        /* the lowest free number >= min was r: if one of ours lies in
         * [min, r), untraced the program would have had the lowest of them */
        long min = (long)arg;
        int ours[2], best = -1;
        int n = rt_output_fds(ours);
        for (int i = 0; i < n; i++)
            if (ours[i] >= min && ours[i] < r && (best < 0 || ours[i] < best))
                best = ours[i];
        if (best >= 0) {
            int saved = errno;
            rt_output_fd_evict(best);
            if (!rt_output_fd_is_ours(best) &&
                syscall(SYS_dup3, fd, best, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0) == best) {
                __close(r);
                r = best;
            }
            errno = saved;
        }
    }
    return r;
}

RT_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(fd, cmd, arg, __builtin_return_address(0));
}

RT_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(fd, cmd, arg, __builtin_return_address(0));
}
