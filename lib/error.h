/*
 * lib/error.h - library-private side of the per-thread last error (error.c).
 *
 * rtrace_set_error() (common.h) formats with vsnprintf, which is fine almost
 * everywhere; the sink's close path runs in fatal-signal handlers, where only
 * async-signal-safe code may run, so it uses rtrace__set_error_raw() instead.
 */
#ifndef RTRACE_LIB_ERROR_H
#define RTRACE_LIB_ERROR_H

#include "rtrace/common.h"

/*
 * Sets this thread's last error to `msg` followed, when errnum != 0, by
 * ": <errno number>"; returns `code`. Async-signal-safe: no stdio, no malloc.
 */
int rtrace__set_error_raw(int code, const char *msg, int errnum)
    __attribute__((visibility("hidden")));

#endif
