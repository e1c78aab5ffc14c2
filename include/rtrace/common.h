/*
 * rtrace/common.h - conventions shared by every part of the rtrace library.
 *
 * Every public name starts with `rtrace_` (types, functions) or `RTRACE_`
 * (macros, enum constants). Functions that can fail return 0 on success or a
 * negative rtrace_error code; the codes below are never renumbered. After a
 * failure, rtrace_last_error() gives a message for the calling thread. Objects
 * are opaque unless the header says otherwise; `_free()` functions accept NULL.
 * Out-parameters come first.
 */
#ifndef RTRACE_COMMON_H
#define RTRACE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTRACE_VERSION "0.1.0"

/* Error codes. Negative, stable: never renumber, only append. */
typedef enum rtrace_error {
    RTRACE_OK = 0,
    RTRACE_ERROR = -1,       /* generic failure */
    RTRACE_ENOMEM = -2,      /* out of memory */
    RTRACE_EIO = -3,         /* a read or write failed (errno kept in the message) */
    RTRACE_EINVAL = -4,      /* bad argument */
    RTRACE_ENOTFOUND = -5,   /* missing file, folder or id */
    RTRACE_EFORMAT = -6,     /* input is not a well-formed trace */
    RTRACE_EOF = -7,         /* no more events (not an error for readers) */
    RTRACE_ETRUNCATED = -8,  /* input ends in the middle of something */
    RTRACE_ESTATE = -9,      /* call made in the wrong state (e.g. after close) */
    RTRACE_EFULL = -10       /* disk full / budget reached */
} rtrace_error;

/*
 * The message of the last error raised on this thread, or "" if none.
 * The string is owned by the library and valid until the next call into it
 * on the same thread.
 */
const char *rtrace_last_error(void);

/* Clears this thread's last error. */
void rtrace_clear_error(void);

/*
 * Sets this thread's last error (printf-style) and returns `code`, so that
 * callers can write `return rtrace_set_error(RTRACE_EIO, "...", ...);`.
 */
int rtrace_set_error(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Trace output formats. */
typedef enum rtrace_format {
    RTRACE_FORMAT_JSON = 0,    /* trace.json: one JSON array, one event per line */
    RTRACE_FORMAT_BINARY = 1   /* trace.bin: v1 header + seekable zstd of CBOR events */
} rtrace_format;

/* TypeKind, numbered exactly as upstream (codetracer_trace_types). */
typedef enum rtrace_type_kind {
    RTRACE_TYPE_SEQ = 0, RTRACE_TYPE_SET = 1, RTRACE_TYPE_HASH_SET = 2,
    RTRACE_TYPE_ORDERED_SET = 3, RTRACE_TYPE_ARRAY = 4, RTRACE_TYPE_VARARGS = 5,
    RTRACE_TYPE_STRUCT = 6, RTRACE_TYPE_INT = 7, RTRACE_TYPE_FLOAT = 8,
    RTRACE_TYPE_STRING = 9, RTRACE_TYPE_CSTRING = 10, RTRACE_TYPE_CHAR = 11,
    RTRACE_TYPE_BOOL = 12, RTRACE_TYPE_LITERAL = 13, RTRACE_TYPE_REF = 14,
    RTRACE_TYPE_RECURSION = 15, RTRACE_TYPE_RAW = 16, RTRACE_TYPE_ENUM = 17,
    RTRACE_TYPE_ENUM16 = 18, RTRACE_TYPE_ENUM32 = 19, RTRACE_TYPE_C = 20,
    RTRACE_TYPE_TABLE_KIND = 21, RTRACE_TYPE_UNION = 22, RTRACE_TYPE_POINTER = 23,
    RTRACE_TYPE_ERROR = 24, RTRACE_TYPE_FUNCTION_KIND = 25, RTRACE_TYPE_TYPE_VALUE = 26,
    RTRACE_TYPE_TUPLE = 27, RTRACE_TYPE_VARIANT = 28, RTRACE_TYPE_HTML = 29,
    RTRACE_TYPE_NONE = 30, RTRACE_TYPE_NON_EXPANDED = 31, RTRACE_TYPE_ANY = 32,
    RTRACE_TYPE_SLICE = 33
} rtrace_type_kind;
#define RTRACE_TYPE_KIND_MAX 33

/* EventLogKind, numbered exactly as upstream. */
typedef enum rtrace_event_log_kind {
    RTRACE_LOG_WRITE = 0, RTRACE_LOG_WRITE_FILE = 1, RTRACE_LOG_WRITE_OTHER = 2,
    RTRACE_LOG_READ = 3, RTRACE_LOG_READ_FILE = 4, RTRACE_LOG_READ_OTHER = 5,
    RTRACE_LOG_READ_DIR = 6, RTRACE_LOG_OPEN_DIR = 7, RTRACE_LOG_CLOSE_DIR = 8,
    RTRACE_LOG_SOCKET = 9, RTRACE_LOG_OPEN = 10, RTRACE_LOG_ERROR = 11,
    RTRACE_LOG_TRACE_LOG_EVENT = 12, RTRACE_LOG_EVM_EVENT = 13
} rtrace_event_log_kind;
#define RTRACE_LOG_KIND_MAX 13

/* The metadata of the Event (kind RTRACE_LOG_TRACE_LOG_EVENT) that notes how
 * the process left, maybe from inside calls: content `exit(3)`, `_exit(3)`,
 * `exec /bin/ls`. rtrace_validate accepts calls left open after it. */
#define RTRACE_EXIT_METADATA "exit"

/* The None type every trace defines first (type id 0, lang_type "None"). */
#define RTRACE_NONE_TYPE_ID 0

#ifdef __cplusplus
}
#endif
#endif
