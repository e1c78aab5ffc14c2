/*
 * runtime/tpl.c - building the event templates of tpl.h at start-up.
 *
 * The events are encoded by the real encoder (emit) once with every slot 0,
 * then once per integer slot with that slot 1: 0 and 1 are one byte in CBOR
 * and in JSON, so each run differs from the first in exactly one byte, the
 * slot's position. A string slot is written by emit as a marker text
 * (rt_tpl_marker), found by searching: in CBOR the slot is the text's head
 * and bytes, in JSON its bytes (the quotes stay in the segments). Cutting the
 * first run at the slots gives the segments: the template writes byte for
 * byte what the encoder writes, by construction.
 */
#define _GNU_SOURCE           /* memmem */
#include <stdlib.h>

#include "core.h"
#include "tpl.h"

rt_tpl *rt_tpl_new(rtrace_format f, unsigned nslots, const uint8_t *kinds, rt_tpl_emit_fn emit, const void *ctx)
{
    if (nslots > RT_TPL_MAX_SLOTS)
        return NULL;
    int64_t vals[RT_TPL_MAX_SLOTS] = {0};
    rtrace_enc base, alt;
    if (rtrace_enc_init(&base, f, 512))
        return NULL;
    if (rtrace_enc_init(&alt, f, 512)) {
        rtrace_enc_free(&base);
        return NULL;
    }
    bool ok = true;
    base.json_first = false;      /* as in a thread's buffer: events start with ",\n" */
    emit(&base, vals, ctx);
    size_t pos[RT_TPL_MAX_SLOTS], slen[RT_TPL_MAX_SLOTS], end = 0, cut = 0;
    unsigned nstr = 0;
    for (unsigned k = 0; ok && k < nslots; k++) {
        if (kinds && kinds[k] == RT_FAST_CSTR) {
            char mark[16];
            size_t ml = rt_tpl_marker(mark, k);
            const unsigned char *m = memmem(base.buf + end, base.len - end, mark, ml);
            ok = m != NULL && ++nstr <= RT_TPL_MAX_STR;
            if (!ok)
                break;
            size_t at = (size_t)(m - base.buf);
            if (f == RTRACE_FORMAT_BINARY) {
                ok = at > end && base.buf[at - 1] == (0x60 | ml);
                at--;
                ml++;
            }
            pos[k] = at;
            slen[k] = ml;
        } else {
            rtrace_enc_reset(&alt);
            alt.json_first = false;
            vals[k] = 1;
            emit(&alt, vals, ctx);
            vals[k] = 0;
            ok = !alt.oom && alt.len == base.len;
            size_t d = 0, ndiff = 0;
            for (size_t i = 0; ok && i < base.len; i++)
                if (base.buf[i] != alt.buf[i]) {
                    d = i;
                    ndiff++;
                }
            ok = ok && ndiff == 1 && d >= end;
            pos[k] = d;
            slen[k] = 1;
        }
        end = pos[k] + slen[k];
        cut += slen[k];
    }
    size_t total = ok ? base.len - cut : 0;
    ok = ok && !base.oom && base.depth == 0 && total <= UINT16_MAX;
    rt_tpl *t = ok ? rt_core_alloc(sizeof *t + total + 16) : NULL;
    if (t) {
        size_t from = 0, w = 0;
        for (unsigned k = 0; k <= nslots; k++) {
            size_t to = k < nslots ? pos[k] : base.len;
            t->seg[k] = (uint16_t)(to - from);
            memcpy(t->bytes + w, base.buf + from, to - from);
            w += to - from;
            if (k < nslots) {
                from = to + slen[k];
                t->slot_kind[k] = kinds ? kinds[k] : 0;
            }
        }
        t->nslots = (uint16_t)nslots;
        t->nstr = (uint8_t)nstr;
        for (unsigned k = 0; k < nslots; k++)
            t->npre += t->slot_kind[k] == RT_FAST_CSTR || t->slot_kind[k] == RT_FAST_U64;
        t->len = (uint16_t)total;
        t->room = (uint32_t)rt_tpl_room_of(total, nslots);
        t->nc0 = base.need_comma[0];
    }
    rtrace_enc_free(&base);
    rtrace_enc_free(&alt);
    return t;
}
