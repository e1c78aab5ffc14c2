/*
 * runtime/tpl.c - building the event templates of tpl.h at start-up.
 *
 * The events are encoded by the real encoder (emit) once with every slot 0,
 * then once per slot with that slot 1: 0 and 1 are one byte in CBOR and in
 * JSON, so each run differs from the first in exactly one byte, the slot's
 * position. Cutting the first run at those positions gives the segments: the
 * template writes byte for byte what the encoder writes, by construction.
 */
#include <stdlib.h>

#include "core.h"
#include "tpl.h"

rt_tpl *rt_tpl_new(rtrace_format f, unsigned nslots, rt_tpl_emit_fn emit, const void *ctx)
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
    size_t pos[RT_TPL_MAX_SLOTS];
    for (unsigned k = 0; ok && k < nslots; k++) {
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
        ok = ok && ndiff == 1 && (k == 0 || d > pos[k - 1]);
        pos[k] = d;
    }
    size_t total = base.len - nslots;
    ok = ok && !base.oom && base.depth == 0 && total <= UINT16_MAX;
    rt_tpl *t = ok ? rt_core_alloc(sizeof *t + total + 16) : NULL;
    if (t) {
        size_t from = 0, w = 0;
        for (unsigned k = 0; k <= nslots; k++) {
            size_t to = k < nslots ? pos[k] : base.len;
            t->seg[k] = (uint16_t)(to - from);
            memcpy(t->bytes + w, base.buf + from, to - from);
            w += to - from;
            from = to + 1;
        }
        t->nslots = (uint16_t)nslots;
        t->len = (uint16_t)total;
        t->room = (uint32_t)rt_tpl_room_of(total, nslots);
        t->nc0 = base.need_comma[0];
    }
    rtrace_enc_free(&base);
    rtrace_enc_free(&alt);
    return t;
}
