/*
 * runtime/tpl.h - event templates with slots: the bytes of a whole event (or
 * of a few events) whose only variable parts are integers or C strings'
 * texts, built at start-up from the encoder's own output (tpl.c), so that
 * the probes' hot paths write a Call with its arguments, a Value or a
 * Return with a few copies instead of the general encoder.
 *
 * A template is segments and slots: seg[0], slot 0, seg[1], ..., slot n-1,
 * seg[n]. Writing it copies each segment in 8-byte words (so `bytes` is
 * padded and the room reserved covers up to 7 bytes past the end) and
 * encodes each slot in the trace's format: an integer, or (RT_FAST_CSTR) a
 * text the caller read and checked to need no escaping. Slots of kinds
 * RT_FAST_CSTR and RT_FAST_U64 are "checked" (npre): the fast path reads and
 * checks them before it writes anything. Inline and call-free: used by the
 * fast path (fastpath.c, built without vector registers).
 */
#ifndef RT_TPL_H
#define RT_TPL_H

#include <stdint.h>
#include <string.h>

#include "core.h"
#include "../lib/encode_inline.h"

#define RT_TPL_MAX_SLOTS 16
/* Largest struct a template covers (images of it are built on the stack). */
#define RT_TPL_STRUCT_MAX 256
/* String slots (RT_FAST_CSTR: a char * parameter's or variable's text) per
 * template, and per site's Values; the longest text the fast path writes
 * from its stack (fastpath.c). */
#define RT_TPL_MAX_STR 4
#define RT_FAST_STR_MAX 256
/* Checked variables (char *, unsigned 64-bit) in one stop's Values. */
#define RT_SITE_MAX_CHK 8
/* A string slot's value in vals[]: where its text is in the caller's string
 * buffer, and its length. */
#define RT_TPL_STR(off, len) ((int64_t)(((uint64_t)(off) << 32) | (uint64_t)(len)))

typedef struct rt_tpl {
    uint16_t nslots;
    uint16_t len;                        /* bytes of all segments */
    uint16_t seg[RT_TPL_MAX_SLOTS + 1];  /* segment lengths */
    uint8_t nc0;                         /* JSON: e->need_comma[0] after the events */
    uint8_t nstr;                        /* string slots (RT_FAST_CSTR), at most RT_TPL_MAX_STR */
    uint8_t npre;                        /* slots checked before writing: strings, RT_FAST_U64 */
    uint8_t slot_kind[RT_TPL_MAX_SLOTS]; /* RT_FAST_* of each slot's integer, or RT_FAST_CSTR */
    uint32_t room;                       /* rt_tpl_room's answer, computed once */
    int32_t slot_off[RT_TPL_MAX_SLOTS];  /* Call templates: where each slot's integer is, from
                                            the callee's rbp (a parameter, or a field of a
                                            struct parameter) */
    unsigned char bytes[];               /* the segments back to back, + 16 bytes of padding */
} rt_tpl;

/* The room rt_tpl_write needs (rt_tpl_new stores it in t->room). */
static inline size_t rt_tpl_room_of(size_t len, unsigned nslots)
{
    return len + (size_t)nslots * RTRACE__INT_MAX_BYTES + 16;
}
static inline size_t rt_tpl_room(const rt_tpl *t)
{
    return t->room;
}

/* Copies n bytes 16 at a time, in two 8-byte words (general registers only:
 * the fast path has no vector registers); up to 15 bytes more are written
 * and read (the room and the templates' padding allow for it). */
static inline __attribute__((always_inline)) void rt_tpl_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        uint64_t w0, w1;
        memcpy(&w0, src + i, 8);
        memcpy(&w1, src + i + 8, 8);
        memcpy(dst + i, &w0, 8);
        memcpy(dst + i + 8, &w1, 8);
    }
}

/* The room a string slot's text of n bytes needs beyond rt_tpl_room. */
#define RT_TPL_STR_ROOM(n) ((size_t)(n) + 3 + 8)

/* Writes a string slot: text s of n bytes that needs no escaping (printable
 * ASCII but '"' and '\\', checked by the caller), as the encoder writes it:
 * CBOR, the text head then the bytes; JSON, the bytes (the quotes are in the
 * segments). Copied in 8-byte words: up to 7 bytes more are written. */
static inline __attribute__((always_inline)) unsigned char *rt_tpl_put_text(unsigned char *p, const char *s, size_t n,
                                                                         rtrace_format f)
{
    if (f == RTRACE_FORMAT_BINARY) {
        if (n < 24) {
            *p++ = (unsigned char)(0x60 | n);
        } else if (n < 256) {
            *p++ = 0x78;
            *p++ = (unsigned char)n;
        } else {
            *p++ = 0x79;
            *p++ = (unsigned char)(n >> 8);
            *p++ = (unsigned char)n;
        }
    }
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        memcpy(p + i, &w, 8);
    }
    return p + n;
}

/* Writes template t with slot values vals[] at p (room checked, with
 * RT_TPL_STR_ROOM for each string); strs: the texts of its string slots
 * (vals[k] = RT_TPL_STR(offset in strs, length), each readable 7 bytes past
 * its end), or NULL when it has none. Returns the new end. */
static inline __attribute__((always_inline)) unsigned char *rt_tpl_write_s(unsigned char *p, const rt_tpl *t,
                                                                        const int64_t *vals, const char *strs,
                                                                        rtrace_format f)
{
    const unsigned char *src = t->bytes;
    for (unsigned k = 0;; k++) {
        size_t n = t->seg[k];
        rt_tpl_copy(p, src, n);
        p += n;
        src += n;
        if (k == t->nslots)
            return p;
        if (strs && t->slot_kind[k] == RT_FAST_CSTR)
            p = rt_tpl_put_text(p, strs + ((uint64_t)vals[k] >> 32), (uint32_t)vals[k], f);
        else
            p = f == RTRACE_FORMAT_BINARY ? rtrace__p_cbor_int(p, vals[k]) : rtrace__p_i64_dec(p, vals[k]);
    }
}

/* The same for a template without string slots. */
static inline __attribute__((always_inline)) unsigned char *rt_tpl_write(unsigned char *p, const rt_tpl *t, const int64_t *vals,
                                          rtrace_format f)
{
    return rt_tpl_write_s(p, t, vals, NULL, f);
}

/* The text emit writes for string slot k (what rt_tpl_new looks for): its
 * length, at most 15 (CBOR: a one-byte head). */
static inline size_t rt_tpl_marker(char out[16], unsigned k)
{
    memcpy(out, "rt_tpl_slot_", 12);
    out[12] = (char)('A' + k);
    out[13] = 0;
    return 13;
}

/* A new template (from rt_core_alloc: kept for good) from `emit`, which
 * writes the events into e with the slot values vals[0, nslots) (string
 * slots, where kinds[k] is RT_FAST_CSTR, as the text rt_tpl_marker(k));
 * kinds NULL: integer slots only. NULL when the output does not have the
 * expected shape or memory is short. Start-up only. */
typedef void (*rt_tpl_emit_fn)(rtrace_enc *e, const int64_t *vals, const void *ctx);
RT_HIDDEN rt_tpl *rt_tpl_new(rtrace_format f, unsigned nslots, const uint8_t *kinds, rt_tpl_emit_fn emit,
                             const void *ctx);

#endif
