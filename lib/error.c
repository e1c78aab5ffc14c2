/*
 * lib/error.c - the per-thread "last error" of the rtrace library.
 *
 * Functions that fail return a negative rtrace_error code and leave a message
 * here, one per thread (a __thread buffer: no allocation, no locking, and two
 * threads never see each other's messages). Messages longer than the buffer
 * are cut. Nothing here runs at load time (no constructors).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rtrace/common.h"
#include "error.h"

#define ERRBUF_SIZE 256

static __thread char rtrace_errbuf[ERRBUF_SIZE];

/* The calling thread's last message, or "" (never NULL). */
const char *rtrace_last_error(void)
{
    return rtrace_errbuf;
}

/* Forgets the calling thread's last message. */
void rtrace_clear_error(void)
{
    rtrace_errbuf[0] = '\0';
}

/*
 * Formats the message into the thread's buffer (cut to fit) and returns
 * `code` unchanged. errno is preserved, so callers may format strerror(errno)
 * and still inspect errno afterwards.
 */
int rtrace_set_error(int code, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rtrace_errbuf, sizeof rtrace_errbuf, fmt, ap);
    va_end(ap);
    errno = saved;
    return code;
}

/*
 * Async-signal-safe variant (see error.h): copies `msg` by hand and appends
 * the errno value in decimal, because strerror and printf are not safe.
 */
int rtrace__set_error_raw(int code, const char *msg, int errnum)
{
    size_t n = 0;
    while (msg[n] && n < ERRBUF_SIZE - 24) {
        rtrace_errbuf[n] = msg[n];
        n++;
    }
    if (errnum != 0) {
        char digits[12];
        int nd = 0;
        unsigned v = errnum < 0 ? (unsigned)-errnum : (unsigned)errnum;
        do {
            digits[nd++] = (char)('0' + v % 10);
            v /= 10;
        } while (v && nd < 11);
        rtrace_errbuf[n++] = ':';
        rtrace_errbuf[n++] = ' ';
        rtrace_errbuf[n++] = 'e';
        rtrace_errbuf[n++] = 'r';
        rtrace_errbuf[n++] = 'r';
        rtrace_errbuf[n++] = 'n';
        rtrace_errbuf[n++] = 'o';
        rtrace_errbuf[n++] = ' ';
        while (nd > 0)
            rtrace_errbuf[n++] = digits[--nd];
    }
    rtrace_errbuf[n] = '\0';
    return code;
}
