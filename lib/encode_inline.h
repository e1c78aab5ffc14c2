/*
 * lib/encode_inline.h - private to the rtrace library and its runtime: the
 * encoder's byte-level helpers, shared by encode.c, encode_json.c,
 * encode_cbor.c and event.c, plus the length-taking entry points that the
 * public (NUL-terminated) functions of encode.h wrap.
 *
 * Everything on the hot path is static inline here: reserving room, copying
 * precomputed byte strings (RTRACE__LIT: the length is a compile-time
 * constant, so no strlen at run time), decimal and CBOR integers. Helpers
 * that write assume room was reserved first (rtrace__room): one capacity
 * check per event or per value, not per byte.
 *
 * The runtime includes this header (it links the library's objects into its
 * own .so) for the fused fast paths rtrace__enc_step_fast and
 * rtrace__enc_value_int_fast (a whole event per call) and the inline Value
 * head / Int record / value end; they write exactly the bytes of the
 * begin/end API of encode.h (tests/lib checks it).
 */
#ifndef RTRACE_LIB_ENCODE_INLINE_H
#define RTRACE_LIB_ENCODE_INLINE_H

#include <string.h>

#include "rtrace/encode.h"

#define RTRACE__HIDDEN __attribute__((visibility("hidden")))
#define rtrace__likely(x) __builtin_expect(!!(x), 1)
#define rtrace__unlikely(x) __builtin_expect(!!(x), 0)

/* Worst-case bytes of one integer: JSON "-9223372036854775808" is 20, CBOR 9. */
#define RTRACE__INT_MAX_BYTES 24

/* True when `n` more bytes fit (growing the buffer if needed); false after OOM. */
static inline bool rtrace__room(rtrace_enc *e, size_t n)
{
    if (rtrace__likely(e->cap - e->len >= n))
        return true;
    return rtrace_enc_reserve(e, n);
}

/*
 * Pointer-style writers: take the write position, return the new one. Hot
 * code keeps the position in a local and stores e->len once per event:
 * stores through an unsigned char pointer may alias e->len, so writing
 * through e->buf + e->len byte by byte would reload both after every byte.
 */
static inline unsigned char *rtrace__p_put(unsigned char *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define RTRACE__P_LIT(p, lit) ((p) = rtrace__p_put((p), (lit), sizeof(lit) - 1))

/* "00".."99", for two digits per division. */
extern const char rtrace__digit_pairs[200] RTRACE__HIDDEN;

/* Writes exactly 8 digits of w (< 10^8), with leading zeros; 32-bit arithmetic only. */
static inline unsigned char *rtrace__p_dec8(unsigned char *p, uint32_t w)
{
    uint32_t a = w / 10000, b = w % 10000;
    memcpy(p, rtrace__digit_pairs + 2 * (a / 100), 2);
    memcpy(p + 2, rtrace__digit_pairs + 2 * (a % 100), 2);
    memcpy(p + 4, rtrace__digit_pairs + 2 * (b / 100), 2);
    memcpy(p + 6, rtrace__digit_pairs + 2 * (b % 100), 2);
    return p + 8;
}

/* Writes u (< 10^8) in decimal without leading zeros. */
static inline unsigned char *rtrace__p_dec_small(unsigned char *p, uint32_t u)
{
    if (u < 10) {
        *p = (unsigned char)('0' + u);
        return p + 1;
    }
    if (u < 100) {
        memcpy(p, rtrace__digit_pairs + 2 * u, 2);
        return p + 2;
    }
    if (u < 1000) {
        *p = (unsigned char)('0' + u / 100);
        memcpy(p + 1, rtrace__digit_pairs + 2 * (u % 100), 2);
        return p + 3;
    }
    if (u < 10000) {
        memcpy(p, rtrace__digit_pairs + 2 * (u / 100), 2);
        memcpy(p + 2, rtrace__digit_pairs + 2 * (u % 100), 2);
        return p + 4;
    }
    /* 5..8 digits: the high part (1..9999) then 4 fixed digits. */
    uint32_t hi = u / 10000, lo = u % 10000;
    p = rtrace__p_dec_small(p, hi);
    memcpy(p, rtrace__digit_pairs + 2 * (lo / 100), 2);
    memcpy(p + 2, rtrace__digit_pairs + 2 * (lo % 100), 2);
    return p + 4;
}

/* Writes u in decimal (at most 20 bytes): groups of 8 digits, no per-digit loop. */
static inline unsigned char *rtrace__p_u64_dec(unsigned char *p, uint64_t u)
{
    if (u < 100000000u)
        return rtrace__p_dec_small(p, (uint32_t)u);
    if (u < 10000000000000000ull) {
        p = rtrace__p_dec_small(p, (uint32_t)(u / 100000000u));
        return rtrace__p_dec8(p, (uint32_t)(u % 100000000u));
    }
    p = rtrace__p_dec_small(p, (uint32_t)(u / 10000000000000000ull));
    p = rtrace__p_dec8(p, (uint32_t)(u / 100000000u % 100000000u));
    return rtrace__p_dec8(p, (uint32_t)(u % 100000000u));
}

/* Writes i in decimal (at most 20 bytes). */
static inline unsigned char *rtrace__p_i64_dec(unsigned char *p, int64_t i)
{
    if (i < 0) {
        *p++ = '-';
        return rtrace__p_u64_dec(p, (uint64_t)0 - (uint64_t)i);
    }
    return rtrace__p_u64_dec(p, (uint64_t)i);
}

/* Writes a CBOR head: major type (already shifted by 5) and argument, shortest form. */
static inline unsigned char *rtrace__p_cbor_head(unsigned char *p, unsigned major, uint64_t v)
{
    if (v < 24) {
        p[0] = (unsigned char)(major | v);
        return p + 1;
    }
    if (v <= 0xff) {
        p[0] = (unsigned char)(major | 24);
        p[1] = (unsigned char)v;
        return p + 2;
    }
    if (v <= 0xffff) {
        p[0] = (unsigned char)(major | 25);
        p[1] = (unsigned char)(v >> 8);
        p[2] = (unsigned char)v;
        return p + 3;
    }
    if (v <= 0xffffffffu) {
        p[0] = (unsigned char)(major | 26);
        p[1] = (unsigned char)(v >> 24);
        p[2] = (unsigned char)(v >> 16);
        p[3] = (unsigned char)(v >> 8);
        p[4] = (unsigned char)v;
        return p + 5;
    }
    p[0] = (unsigned char)(major | 27);
    for (int k = 0; k < 8; k++)
        p[1 + k] = (unsigned char)(v >> (56 - 8 * k));
    return p + 9;
}

#define RTRACE__CBOR_UINT 0x00u
#define RTRACE__CBOR_NINT 0x20u
#define RTRACE__CBOR_TEXT 0x60u
#define RTRACE__CBOR_ARRAY 0x80u
#define RTRACE__CBOR_MAP 0xa0u

/* Writes a CBOR integer (major 0, or major 1 holding -1-i). */
static inline unsigned char *rtrace__p_cbor_int(unsigned char *p, int64_t i)
{
    if (i >= 0)
        return rtrace__p_cbor_head(p, RTRACE__CBOR_UINT, (uint64_t)i);
    return rtrace__p_cbor_head(p, RTRACE__CBOR_NINT, (uint64_t)(-(i + 1)));
}

/* The same writers on the encoder's current position (room reserved first). */
static inline void rtrace__put(rtrace_enc *e, const void *p, size_t n)
{
    memcpy(e->buf + e->len, p, n);
    e->len += n;
}
static inline void rtrace__put_byte(rtrace_enc *e, unsigned char c) { e->buf[e->len++] = c; }
#define RTRACE__LIT(e, lit) rtrace__put((e), (lit), sizeof(lit) - 1)
static inline void rtrace__put_u64_dec(rtrace_enc *e, uint64_t u)
{
    e->len = (size_t)(rtrace__p_u64_dec(e->buf + e->len, u) - e->buf);
}
static inline void rtrace__put_i64_dec(rtrace_enc *e, int64_t i)
{
    e->len = (size_t)(rtrace__p_i64_dec(e->buf + e->len, i) - e->buf);
}
static inline void rtrace__put_cbor_head(rtrace_enc *e, unsigned major, uint64_t v)
{
    e->len = (size_t)(rtrace__p_cbor_head(e->buf + e->len, major, v) - e->buf);
}
static inline void rtrace__put_cbor_int(rtrace_enc *e, int64_t i)
{
    e->len = (size_t)(rtrace__p_cbor_int(e->buf + e->len, i) - e->buf);
}

/*
 * ---- Fused fast paths for the runtime's hot path -----------------------------
 * Whole events in one call, one capacity check and one store of e->len;
 * byte for byte the same as the begin/end API (the tests compare them).
 */

/* Step{path_id, line}, room for 64 bytes reserved by the caller (the
 * runtime's fast path, which may call nothing). */
static inline void rtrace__enc_step_in_room(rtrace_enc *e, uint64_t path_id, int64_t line)
{
    unsigned char *p = e->buf + e->len;
    e->depth = 0;
    if (e->format == RTRACE_FORMAT_JSON) {
        if (rtrace__likely(!e->json_first))
            RTRACE__P_LIT(p, ",\n");
        e->json_first = false;
        e->need_comma[0] = 0;
        RTRACE__P_LIT(p, "{\"Step\":{\"path_id\":");
        p = rtrace__p_u64_dec(p, path_id);
        RTRACE__P_LIT(p, ",\"line\":");
        p = rtrace__p_i64_dec(p, line);
        RTRACE__P_LIT(p, "}}");
    } else {
        RTRACE__P_LIT(p, "\xa1\x64" "Step" "\xa2\x67" "path_id");
        p = rtrace__p_cbor_head(p, RTRACE__CBOR_UINT, path_id);
        RTRACE__P_LIT(p, "\x64" "line");
        p = rtrace__p_cbor_int(p, line);
    }
    e->len = (size_t)(p - e->buf);
}

/* Step{path_id, line}. */
static inline void rtrace__enc_step_fast(rtrace_enc *e, uint64_t path_id, int64_t line)
{
    if (rtrace__room(e, 64))
        rtrace__enc_step_in_room(e, path_id, line);
}

/*
 * The Value{variable_id, Int{i, type_id}} event in three parts: the head (up
 * to the integer; JSON: with the ",\n" that precedes every event but the
 * first), the integer, the tail. Head and tail depend only on the ids, so the
 * runtime builds them once per variable (templates) and its hot path copies
 * them around the integer; rtrace__enc_value_int_fast below writes through
 * the same functions, so both give the same bytes.
 * RTRACE__VALUE_HEAD_MAX / RTRACE__VALUE_TAIL_MAX: their longest forms.
 */
#define RTRACE__VALUE_HEAD_MAX 80
#define RTRACE__VALUE_TAIL_MAX 40
static inline unsigned char *rtrace__p_value_int_head(unsigned char *p, rtrace_format f, uint64_t variable_id)
{
    if (f == RTRACE_FORMAT_JSON) {
        RTRACE__P_LIT(p, ",\n{\"Value\":{\"variable_id\":");
        p = rtrace__p_u64_dec(p, variable_id);
        RTRACE__P_LIT(p, ",\"value\":{\"kind\":\"Int\",\"i\":");
    } else {
        RTRACE__P_LIT(p, "\xa1\x65" "Value" "\xa2\x6b" "variable_id");
        p = rtrace__p_cbor_head(p, RTRACE__CBOR_UINT, variable_id);
        RTRACE__P_LIT(p, "\x65" "value" "\xa3\x64" "kind" "\x63" "Int" "\x61" "i");
    }
    return p;
}
static inline unsigned char *rtrace__p_value_int_tail(unsigned char *p, rtrace_format f, uint64_t type_id)
{
    if (f == RTRACE_FORMAT_JSON) {
        RTRACE__P_LIT(p, ",\"type_id\":");
        p = rtrace__p_u64_dec(p, type_id);
        RTRACE__P_LIT(p, "}}}");
    } else {
        RTRACE__P_LIT(p, "\x67" "type_id");
        p = rtrace__p_cbor_head(p, RTRACE__CBOR_UINT, type_id);
    }
    return p;
}
/* The integer of that event, in format f. */
static inline unsigned char *rtrace__p_int(unsigned char *p, rtrace_format f, int64_t i)
{
    return f == RTRACE_FORMAT_JSON ? rtrace__p_i64_dec(p, i) : rtrace__p_cbor_int(p, i);
}

/* Value{variable_id, Int{i, type_id}}. */
static inline void rtrace__enc_value_int_fast(rtrace_enc *e, uint64_t variable_id, uint64_t type_id, int64_t i)
{
    if (!rtrace__room(e, 128))
        return;
    unsigned char *p = e->buf + e->len;
    e->depth = 0;
    if (e->format == RTRACE_FORMAT_JSON) {
        unsigned char *h = p;
        p = rtrace__p_value_int_head(p, RTRACE_FORMAT_JSON, variable_id);
        if (rtrace__unlikely(e->json_first)) {   /* the first event: no separator */
            memmove(h, h + 2, (size_t)(p - h - 2));
            p -= 2;
        }
        e->json_first = false;
        e->need_comma[0] = 1;
        p = rtrace__p_i64_dec(p, i);
        p = rtrace__p_value_int_tail(p, RTRACE_FORMAT_JSON, type_id);
    } else {
        p = rtrace__p_value_int_head(p, RTRACE_FORMAT_BINARY, variable_id);
        p = rtrace__p_cbor_int(p, i);
        p = rtrace__p_value_int_tail(p, RTRACE_FORMAT_BINARY, type_id);
    }
    e->len = (size_t)(p - e->buf);
}

/* Value{variable_id, - the head of a Value event; one value record must follow. */
static inline void rtrace__enc_value_begin_fast(rtrace_enc *e, uint64_t variable_id)
{
    if (!rtrace__room(e, 64))
        return;
    unsigned char *p = e->buf + e->len;
    e->depth = 0;
    if (e->format == RTRACE_FORMAT_JSON) {
        if (rtrace__likely(!e->json_first))
            RTRACE__P_LIT(p, ",\n");
        e->json_first = false;
        e->need_comma[0] = 0;
        RTRACE__P_LIT(p, "{\"Value\":{\"variable_id\":");
        p = rtrace__p_u64_dec(p, variable_id);
        RTRACE__P_LIT(p, ",\"value\":");
    } else {
        RTRACE__P_LIT(p, "\xa1\x65" "Value" "\xa2\x6b" "variable_id");
        p = rtrace__p_cbor_head(p, RTRACE__CBOR_UINT, variable_id);
        RTRACE__P_LIT(p, "\x65" "value");
    }
    e->len = (size_t)(p - e->buf);
}

/* The end of Value, Return, CompoundValue, CellValue and AssignCell events. */
static inline void rtrace__enc_event_value_end_fast(rtrace_enc *e)
{
    e->depth = 0;
    if (e->format == RTRACE_FORMAT_JSON && rtrace__room(e, 2))
        RTRACE__LIT(e, "}}");
}

/* Int{i, type_id} value record, anywhere a value goes. */
static inline void rtrace__enc_int_fast(rtrace_enc *e, uint64_t type_id, int64_t i)
{
    if (!rtrace__room(e, 80))
        return;
    unsigned char *p = e->buf + e->len;
    if (e->format == RTRACE_FORMAT_JSON) {
        if (e->need_comma[e->depth])
            *p++ = ',';
        else
            e->need_comma[e->depth] = 1;
        RTRACE__P_LIT(p, "{\"kind\":\"Int\",\"i\":");
        p = rtrace__p_i64_dec(p, i);
        RTRACE__P_LIT(p, ",\"type_id\":");
        p = rtrace__p_u64_dec(p, type_id);
        *p++ = '}';
    } else {
        RTRACE__P_LIT(p, "\xa3\x64" "kind" "\x63" "Int" "\x61" "i");
        p = rtrace__p_cbor_int(p, i);
        RTRACE__P_LIT(p, "\x67" "type_id");
        p = rtrace__p_cbor_head(p, RTRACE__CBOR_UINT, type_id);
    }
    e->len = (size_t)(p - e->buf);
}

/* ---- UTF-8 (utf8.c) ------------------------------------------------------
 * Invalid input bytes are replaced, one U+FFFD per byte that does not belong
 * to a well-formed sequence (no overlongs, no surrogates, <= U+10FFFF). */
/* Length of the longest well-formed prefix of s[0, n). */
size_t rtrace__utf8_valid_prefix(const unsigned char *s, size_t n) RTRACE__HIDDEN;
/* Length of a well-formed sequence starting at s[0] (1..4), or 0 if s[0] starts none. */
size_t rtrace__utf8_seq_len(const unsigned char *s, size_t n) RTRACE__HIDDEN;
/* Bytes needed for s[0, n) once every invalid byte is replaced by U+FFFD. */
size_t rtrace__utf8_sanitized_len(const unsigned char *s, size_t n) RTRACE__HIDDEN;
/* Writes the sanitized s[0, n) to dst (room: rtrace__utf8_sanitized_len); returns bytes written. */
size_t rtrace__utf8_sanitize(unsigned char *dst, const unsigned char *s, size_t n) RTRACE__HIDDEN;

/* ---- CBOR items (sink.c) -------------------------------------------------- */
/* Length of the CBOR item at p (definite lengths: what the encoder writes),
 * 0 when it is malformed, nested deeper than 200 (the runtime writes at most
 * ~150 levels) or not whole in [p, p+n).
 * One event of a binary stream is one item: the sink cuts at event
 * boundaries with it, the runtime's ring splits flushes into events. */
size_t rtrace__cbor_item_len(const unsigned char *p, size_t n) RTRACE__HIDDEN;

/* ---- base64 (base64.c): standard alphabet, '=' padding ------------------- */
#define RTRACE__BASE64_LEN(n) ((((n) + 2) / 3) * 4)
/* Writes RTRACE__BASE64_LEN(n) bytes to dst (no NUL); returns that length. */
size_t rtrace__base64_encode(char *dst, const uint8_t *src, size_t n) RTRACE__HIDDEN;
/*
 * Decodes padded standard base64 `src` (n bytes) into dst (room: n/4*3).
 * Returns the decoded length, or (size_t)-1 if the text is not valid base64.
 */
size_t rtrace__base64_decode(uint8_t *dst, const char *src, size_t n) RTRACE__HIDDEN;

/* ---- floats (floatfmt.c) -------------------------------------------------- */
#define RTRACE__FLOAT_BUF 32
/* The shortest of %.15g/%.16g/%.17g that reads back as `d`; "inf", "-inf", "NaN". */
size_t rtrace__format_double(char buf[RTRACE__FLOAT_BUF], double d) RTRACE__HIDDEN;

/* ---- Length-taking entry points (encode.c dispatches to JSON or CBOR) ---- */
void rtrace__enc_path_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN;
void rtrace__enc_function_n(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *name, size_t n) RTRACE__HIDDEN;
void rtrace__enc_type_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n) RTRACE__HIDDEN;
void rtrace__enc_type_struct_begin_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n,
                                     size_t nfields) RTRACE__HIDDEN;
void rtrace__enc_type_field_n(rtrace_enc *e, const char *name, size_t n, uint64_t type_id) RTRACE__HIDDEN;
void rtrace__enc_type_pointer_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n,
                                uint64_t dereference_type_id) RTRACE__HIDDEN;
void rtrace__enc_variable_name_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN;
void rtrace__enc_variable_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN;
void rtrace__enc_event_n(rtrace_enc *e, rtrace_event_log_kind kind, const char *md, size_t mdn,
                         const char *content, size_t n) RTRACE__HIDDEN;
void rtrace__enc_asm_begin(rtrace_enc *e, size_t n) RTRACE__HIDDEN;
void rtrace__enc_asm_item(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN;
void rtrace__enc_asm_end(rtrace_enc *e) RTRACE__HIDDEN;
void rtrace__enc_variant_begin_n(rtrace_enc *e, const char *disc, size_t n) RTRACE__HIDDEN;
void rtrace__enc_error_n(rtrace_enc *e, uint64_t type_id, const char *msg, size_t n) RTRACE__HIDDEN;
void rtrace__enc_float_text_n(rtrace_enc *e, uint64_t type_id, const char *text, size_t n) RTRACE__HIDDEN;


/* ---- Per-format implementations (encode_json.c: rtrace__json_*, encode_cbor.c:
 * rtrace__cbor_*). Each writes whole fragments and keeps e->depth; encode.c
 * picks one by e->format. */
#define RTRACE__FORMAT_DECLS(F) \
void rtrace__##F##_path_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_function_n(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_type_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_type_struct_begin_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n, size_t nfields) RTRACE__HIDDEN; \
void rtrace__##F##_type_field_n(rtrace_enc *e, const char *s, size_t n, uint64_t type_id) RTRACE__HIDDEN; \
void rtrace__##F##_type_struct_end(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_type_pointer_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n, uint64_t deref) RTRACE__HIDDEN; \
void rtrace__##F##_variable_name_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_variable_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_event_n(rtrace_enc *e, rtrace_event_log_kind kind, const char *md, size_t mdn, const char *c, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_asm_begin(rtrace_enc *e, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_asm_item(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_asm_end(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_thread_start(rtrace_enc *e, uint64_t id) RTRACE__HIDDEN; \
void rtrace__##F##_thread_exit(rtrace_enc *e, uint64_t id) RTRACE__HIDDEN; \
void rtrace__##F##_thread_switch(rtrace_enc *e, uint64_t id) RTRACE__HIDDEN; \
void rtrace__##F##_bind_variable(rtrace_enc *e, uint64_t variable_id, int64_t place) RTRACE__HIDDEN; \
void rtrace__##F##_drop_variables(rtrace_enc *e, const uint64_t *ids, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_drop_variable(rtrace_enc *e, uint64_t variable_id) RTRACE__HIDDEN; \
void rtrace__##F##_assign_compound_item(rtrace_enc *e, int64_t place, uint64_t index, int64_t item_place) RTRACE__HIDDEN; \
void rtrace__##F##_variable_cell(rtrace_enc *e, uint64_t variable_id, int64_t place) RTRACE__HIDDEN; \
void rtrace__##F##_drop_last_step(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_return_begin(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_place_value_begin(rtrace_enc *e, int which, int64_t place) RTRACE__HIDDEN; \
void rtrace__##F##_event_value_end(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_call_begin(rtrace_enc *e, uint64_t function_id, size_t nargs) RTRACE__HIDDEN; \
void rtrace__##F##_arg_begin(rtrace_enc *e, uint64_t variable_id) RTRACE__HIDDEN; \
void rtrace__##F##_arg_end(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_call_end(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_bigint(rtrace_enc *e, uint64_t type_id, const uint8_t *mag, size_t n, bool negative) RTRACE__HIDDEN; \
void rtrace__##F##_float_text_n(rtrace_enc *e, uint64_t type_id, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_bool(rtrace_enc *e, uint64_t type_id, bool b) RTRACE__HIDDEN; \
void rtrace__##F##_text_value(rtrace_enc *e, int which, uint64_t type_id, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_none(rtrace_enc *e, uint64_t type_id) RTRACE__HIDDEN; \
void rtrace__##F##_cell(rtrace_enc *e, int64_t place) RTRACE__HIDDEN; \
void rtrace__##F##_list_begin(rtrace_enc *e, int which, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_list_end(rtrace_enc *e, int which, uint64_t type_id, bool is_slice) RTRACE__HIDDEN; \
void rtrace__##F##_variant_begin_n(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN; \
void rtrace__##F##_variant_end(rtrace_enc *e, uint64_t type_id) RTRACE__HIDDEN; \
void rtrace__##F##_reference_begin(rtrace_enc *e) RTRACE__HIDDEN; \
void rtrace__##F##_reference_end(rtrace_enc *e, uint64_t type_id, uint64_t address, bool is_mutable) RTRACE__HIDDEN;
RTRACE__FORMAT_DECLS(json)
RTRACE__FORMAT_DECLS(cbor)

/* `which` of place_value_begin, text_value and list_begin/end. */
enum { RTRACE__PV_COMPOUND, RTRACE__PV_CELL, RTRACE__PV_ASSIGN_CELL };
enum { RTRACE__TV_STRING, RTRACE__TV_RAW, RTRACE__TV_ERROR };
enum { RTRACE__LIST_SEQ, RTRACE__LIST_TUPLE, RTRACE__LIST_STRUCT };

/* Opening a nesting level; false (and e->oom set: output incomplete) past RTRACE_ENC_MAX_DEPTH. */
static inline bool rtrace__push(rtrace_enc *e)
{
    if (rtrace__unlikely(e->depth + 1 >= RTRACE_ENC_MAX_DEPTH)) {
        e->oom = true;
        return false;
    }
    e->depth++;
    e->need_comma[e->depth] = 0;
    return true;
}
static inline void rtrace__pop(rtrace_enc *e)
{
    if (e->depth > 0)
        e->depth--;
}

/* Appends `s` as a quoted JSON string escaped exactly as in events (encode_json.c). */
void rtrace__json_string(rtrace_enc *e, const char *s, size_t n) RTRACE__HIDDEN;

#endif
