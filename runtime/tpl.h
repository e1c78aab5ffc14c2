/*
 * runtime/tpl.h - event templates with integer slots: the bytes of a whole
 * event (or of a few events) whose only variable parts are plain integers,
 * built at start-up from the encoder's own output (tpl.c), so that the
 * probes' hot paths write a Call with its int arguments, or a Return of an
 * int, with a few copies instead of the general encoder.
 *
 * A template is segments and slots: seg[0], slot 0, seg[1], ..., slot n-1,
 * seg[n]. Writing it copies each segment in 8-byte words (so `bytes` is
 * padded and the room reserved covers up to 7 bytes past the end) and
 * encodes each slot's integer in the trace's format. Inline and call-free:
 * used by the fast path (fastpath.c, built without vector registers).
 */
#ifndef RT_TPL_H
#define RT_TPL_H

#include <stdint.h>
#include <string.h>

#include "../lib/encode_inline.h"

#define RT_TPL_MAX_SLOTS 16
/* Largest struct a template covers (images of it are built on the stack). */
#define RT_TPL_STRUCT_MAX 256

typedef struct rt_tpl {
    uint16_t nslots;
    uint16_t len;                        /* bytes of all segments */
    uint16_t seg[RT_TPL_MAX_SLOTS + 1];  /* segment lengths */
    uint8_t nc0;                         /* JSON: e->need_comma[0] after the events */
    uint8_t slot_kind[RT_TPL_MAX_SLOTS]; /* RT_FAST_* of each slot's integer */
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

/* Writes template t with slot values vals[] at p (room checked); returns the new end. */
static inline __attribute__((always_inline)) unsigned char *rt_tpl_write(unsigned char *p, const rt_tpl *t, const int64_t *vals,
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
        p = f == RTRACE_FORMAT_BINARY ? rtrace__p_cbor_int(p, vals[k]) : rtrace__p_i64_dec(p, vals[k]);
    }
}

/* A new template (from rt_core_alloc: kept for good) from `emit`, which
 * writes the events into e with the slot values vals[0, nslots); NULL when
 * the output does not have the expected shape or memory is short. Start-up
 * only. */
typedef void (*rt_tpl_emit_fn)(rtrace_enc *e, const int64_t *vals, const void *ctx);
RT_HIDDEN rt_tpl *rt_tpl_new(rtrace_format f, unsigned nslots, rt_tpl_emit_fn emit, const void *ctx);

#endif
