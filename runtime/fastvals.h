/*
 * runtime/fastvals.h - writing the Value events of "fast" variables (plain
 * integers in the frame or in statics, with their event templates: see
 * rt_core_var): shared by step.c and the probes' fast path (fastpath.c,
 * built without vector registers), so everything here is inline and calls
 * nothing (fixed-size copies compile to moves).
 */
#ifndef RT_FASTVALS_H
#define RT_FASTVALS_H

#include <string.h>

#include "core.h"
#include "tpl.h"
#include "../lib/encode_inline.h"

/* The integer of kind `kind` (RT_FAST_*) at p, read with one load. */
static inline int64_t rt_fast_load_at(const unsigned char *p, uint8_t kind)
{
    int64_t x;
    switch (kind) {
    case RT_FAST_I8: { int8_t y; memcpy(&y, p, 1); x = y; break; }
    case RT_FAST_I16: { int16_t y; memcpy(&y, p, 2); x = y; break; }
    case RT_FAST_I32: { int32_t y; memcpy(&y, p, 4); x = y; break; }
    case RT_FAST_I64: case RT_FAST_U64: { memcpy(&x, p, 8); break; }
    case RT_FAST_U8: { uint8_t y; memcpy(&y, p, 1); x = y; break; }
    case RT_FAST_U16: { uint16_t y; memcpy(&y, p, 2); x = y; break; }
    default: { uint32_t y; memcpy(&y, p, 4); x = y; break; }
    }
    return x;
}

/* The value of fast variable v: at its static address or at rbp + offset (the
 * frame's, as the probe saw it). */
static inline int64_t rt_fast_load(const rt_core_var *v, uint64_t rbp)
{
    const unsigned char *p = v->loc.kind == RT_LOC_ADDR
        ? (const unsigned char *)v->loc.offset
        : (const unsigned char *)(rbp + v->loc.offset);
    return rt_fast_load_at(p, v->fast);
}

/* Room rt_fast_values needs for a variable: a plain integer (its head and
 * tail are copied whole), a struct (its template) or an array of integers. */
static inline size_t rt_fast_value_room(const rt_core_var *v)
{
    if (v->atpl)
        return (size_t)v->atpl->head_len + v->atpl->tail_len + 32 + (size_t)v->atpl->count * RT_ARR_ELEM_ROOM;
    return v->stpl ? rt_tpl_room(v->stpl) : RT_VALUE_HEAD_MAX + RTRACE__INT_MAX_BYTES + RT_VALUE_TAIL_MAX;
}

/* The Value event of array variable v (v->atpl): its head, per element its
 * integer loaded from the frame (rbp) or the static and its Int record, its
 * tail, as the capture writes them (put_array, put_int_elems). */
static inline unsigned char *rt_fast_array_value(unsigned char *p, const rt_core_var *v, uint64_t rbp,
                                                 rtrace_format f)
{
    const rt_arr_tpl *at = v->atpl;
    const unsigned char *base = v->loc.kind == RT_LOC_ADDR
        ? (const unsigned char *)v->loc.offset
        : (const unsigned char *)(rbp + v->loc.offset);
    rt_tpl_copy(p, at->head, at->head_len);
    p += at->head_len;
    for (uint32_t i = 0; i < at->count; i++) {
        int64_t x = rt_fast_load_at(base + (size_t)i * at->width, at->kind);
        if (f == RTRACE_FORMAT_BINARY) {
            memcpy(p, RT_ARR_CBOR_HEAD, sizeof RT_ARR_CBOR_HEAD - 1);
            p = rtrace__p_cbor_int(p + sizeof RT_ARR_CBOR_HEAD - 1, x);
        } else {
            if (i)
                *p++ = ',';
            memcpy(p, RT_ARR_JSON_HEAD, sizeof RT_ARR_JSON_HEAD - 1);
            p = rtrace__p_i64_dec(p + sizeof RT_ARR_JSON_HEAD - 1, x);
        }
        memcpy(p, at->etail, sizeof at->etail);
        p += at->etail_len;
    }
    rt_tpl_copy(p, at->tail, at->tail_len);
    return p + at->tail_len;
}

/* The Value event of struct variable v from its template: the fields loaded
 * from the frame (rbp) or its static address; returns the new end. A checked
 * template (a char * or unsigned 64-bit variable: st->npre) takes its slot
 * value from svals[*j], as the checks read it (a text in strs, see
 * rt_fast_values). */
static inline unsigned char *rt_fast_struct_value(unsigned char *p, const rt_core_var *v, uint64_t rbp,
                                                  rtrace_format f, const char *strs, const int64_t *svals,
                                                  unsigned *j)
{
    const rt_tpl *st = v->stpl;
    const unsigned char *base = v->loc.kind == RT_LOC_ADDR
        ? (const unsigned char *)v->loc.offset
        : (const unsigned char *)(rbp + v->loc.offset);
    int64_t vals[RT_TPL_MAX_SLOTS];
    if (unlikely(st->npre)) {
        vals[0] = svals[(*j)++];           /* as checked: the text's place, or the integer */
        return rt_tpl_write_s(p, st, vals, strs, f);
    }
    for (unsigned k = 0; k < st->nslots; k++)
        vals[k] = rt_fast_load_at(base + st->slot_off[k], st->slot_kind[k]);
    return rt_tpl_write(p, st, vals, f);
}

/*
 * Writes the Value events of vars[0, n), all with templates (the site's
 * RT_SITE_FASTVALS, or RT_SITE_CHKVALS after the fast path's checks), into
 * e: per integer variable a load, the head copied whole, the integer, the
 * tail; per struct variable its template; per array of integers its head,
 * elements and tail (rt_fast_array_value); per checked one (a char * or an
 * unsigned 64-bit integer) its template with the slot value the checks
 * found: the texts in strs, the checked slot values in svals in variable order
 * (NULL for RT_SITE_FASTVALS). The caller checked the room (the site's
 * vals_room, plus the texts') and that e->json_first is false (the templates
 * start with the separator).
 */
static inline void rt_fast_values(rtrace_enc *e, const rt_core_var *vars, uint32_t n, uint64_t rbp,
                                  const char *strs, const int64_t *svals)
{
    unsigned j = 0;
    unsigned char *p = e->buf + e->len;
    if (e->format == RTRACE_FORMAT_BINARY) {
        /* CBOR heads and tails fit 48 and 16 bytes (value_tpl checks) */
        for (uint32_t i = 0; i < n; i++) {
            const rt_core_var *v = &vars[i];
            if (unlikely(v->tpl == NULL)) {
                p = v->stpl ? rt_fast_struct_value(p, v, rbp, RTRACE_FORMAT_BINARY, strs, svals, &j)
                            : rt_fast_array_value(p, v, rbp, RTRACE_FORMAT_BINARY);
                continue;
            }
            const rt_value_tpl *tp = v->tpl;
            int64_t x = rt_fast_load(v, rbp);
            memcpy(p, tp->head, RT_CBOR_HEAD_COPY);
            p += tp->head_len;
            p = rtrace__p_cbor_int(p, x);
            memcpy(p, tp->tail, RT_CBOR_TAIL_COPY);
            p += tp->tail_len;
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            const rt_core_var *v = &vars[i];
            if (unlikely(v->tpl == NULL)) {
                p = v->stpl ? rt_fast_struct_value(p, v, rbp, RTRACE_FORMAT_JSON, strs, svals, &j)
                            : rt_fast_array_value(p, v, rbp, RTRACE_FORMAT_JSON);
                continue;
            }
            const rt_value_tpl *tp = v->tpl;
            int64_t x = rt_fast_load(v, rbp);
            memcpy(p, tp->head, RT_VALUE_HEAD_MAX);
            p += tp->head_len;
            p = rtrace__p_i64_dec(p, x);
            memcpy(p, tp->tail, RT_VALUE_TAIL_MAX);
            p += tp->tail_len;
        }
        if (n)
            e->need_comma[0] = 1;
    }
    e->len = (size_t)(p - e->buf);
    e->depth = 0;
}

#endif
