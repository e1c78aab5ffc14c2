/*
 * lib/cbor_reader.c - the binary trace reader: trace.bin's header, its zstd
 * seek table, streaming zstd decompression and CBOR decoding.
 *
 * trace.bin is an 8-byte header, then independent zstd frames whose
 * decompressed bytes are CBOR items (one per event, back to back), then a
 * skippable frame holding the seek table. Like upstream's reader we require
 * the seek table (unless asked to be lenient, for repair) and check that it
 * accounts for every compressed byte. Decompression is streamed into a window
 * that only grows to the size of the largest event; a CBOR item that does not
 * fit yet is decoded again once more bytes are in (events are small, so this
 * is cheap). We accept exactly what upstream's encoder writes: definite
 * lengths only, text map keys, no tags; indefinite-length items and anything
 * odd are errors, never crashes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "reader_int.h"

#define CBOR_IN_BUF (64 * 1024)
#define CBOR_WINDOW0 (256 * 1024)
#define SEEK_SKIPPABLE_MAGIC 0x184D2A5Eu
#define SEEK_FOOTER_MAGIC 0x8F92EAB1u

static const unsigned char trace_header[8] = { 0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00 };

struct rt_cbor {
    rt_rd_src *src;
    ZSTD_DCtx *dctx;
    ZSTD_inBuffer in;
    bool in_eof;
    size_t last_ret;                 /* 0 when the last zstd frame was complete */
    unsigned char *win;              /* decompressed window: items at [pos, len) */
    size_t cap, pos, len;
    uint64_t base;                   /* decompressed offset of win[0] */
    unsigned char inbuf[CBOR_IN_BUF];
};

/* Result of decoding from the window: needs more bytes than are there. */
#define D_MORE 1

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads exactly n bytes at absolute offset off of the source (file or memory). */
static int read_at(rt_rd_src *s, uint64_t off, void *buf, size_t n)
{
    if (s->fd < 0) {
        if (off > s->mem_len || n > s->mem_len - off)
            return rtrace_set_error(RTRACE_ETRUNCATED, "trace.bin is too short");
        memcpy(buf, s->mem + off, n);
        return 0;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rtrace_set_error(RTRACE_EIO, "trace.bin: read failed: %s", strerror(errno));
        if (r == 0)
            return rtrace_set_error(RTRACE_ETRUNCATED, "trace.bin is too short");
        got += (size_t)r;
    }
    return 0;
}

/*
 * Checks the seek table at the end of a `size`-byte file and limits the
 * source to the frames before it. 0 or RTRACE_EFORMAT with the reason.
 */
static int check_seek_table(rt_rd_src *s, uint64_t size)
{
    static const char *hint = " (upstream's reader needs it; `rtrace repair` rebuilds it)";
    unsigned char foot[9];
    if (size < 8 + 8 + 9)
        return rtrace_set_error(RTRACE_EFORMAT, "trace.bin has no zstd seek table%s", hint);
    int rc = read_at(s, size - 9, foot, 9);
    if (rc)
        return rc;
    if (le32(foot + 5) != SEEK_FOOTER_MAGIC)
        return rtrace_set_error(RTRACE_EFORMAT, "trace.bin has no zstd seek table at its end%s", hint);
    uint64_t nframes = le32(foot);
    unsigned desc = foot[4];
    if (desc & 0x7C)
        return rtrace_set_error(RTRACE_EFORMAT, "trace.bin: seek table descriptor 0x%02x has reserved bits set", desc);
    uint64_t esz = (desc & 0x80) ? 12 : 8;
    uint64_t table = nframes * esz + 9;
    if (table + 8 + 8 > size)
        return rtrace_set_error(RTRACE_EFORMAT, "trace.bin: seek table claims %llu frames, more than the file holds",
                                (unsigned long long)nframes);
    uint64_t start = size - table - 8;
    unsigned char hdr[8];
    if ((rc = read_at(s, start, hdr, 8)))
        return rc;
    if (le32(hdr) != SEEK_SKIPPABLE_MAGIC || le32(hdr + 4) != table)
        return rtrace_set_error(RTRACE_EFORMAT, "trace.bin: seek table frame header is wrong%s", hint);
    uint64_t sum = 0;
    unsigned char ent[12 * 256];
    for (uint64_t i = 0; i < nframes;) {
        uint64_t k = nframes - i < 256 ? nframes - i : 256;
        if ((rc = read_at(s, start + 8 + i * esz, ent, (size_t)(k * esz))))
            return rc;
        for (uint64_t e = 0; e < k; e++)
            sum += le32(ent + e * esz);
        i += k;
    }
    if (sum != start - 8)
        return rtrace_set_error(RTRACE_EFORMAT,
                                "trace.bin: seek table lists %llu compressed bytes but the frames hold %llu",
                                (unsigned long long)sum, (unsigned long long)(start - 8));
    s->limit = start;
    return 0;
}

/* See reader_int.h. */
int rt_cbor_new(rt_cbor **out, rt_rd_src *src, uint64_t src_size, unsigned flags)
{
    unsigned char hdr[8];
    size_t got = 0;
    while (got < 8) {
        ssize_t r = rt_rd_src_read(src, hdr + got, 8 - got);
        if (r < 0)
            return RTRACE_EIO;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    /* Lenient (repair): a file cut inside its header is an empty trace. */
    bool cut_header = got < 8 && memcmp(hdr, trace_header, got) == 0;
    if (got < 8 && !cut_header)
        return rtrace_set_error(RTRACE_EFORMAT, "trace.bin: unknown header (a %zu-byte file)", got);
    if (got < 8 && !(flags & RT_RD_LENIENT))
        return rtrace_set_error(got ? RTRACE_ETRUNCATED : RTRACE_EFORMAT, got ? "trace.bin is cut inside its 8-byte header"
                                                                               : "trace.bin is empty (no 8-byte header)");
    if (got == 8 && memcmp(hdr, trace_header, 8) != 0)
        return rtrace_set_error(RTRACE_EFORMAT,
                                "trace.bin: unknown header %02x %02x %02x %02x %02x %02x %02x %02x "
                                "(expected c0 de 72 ac e2 01 00 00)",
                                hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7]);
    if (!(flags & RT_RD_LENIENT)) {
        int rc = check_seek_table(src, src_size);
        if (rc)
            return rc;
    }
    rt_cbor *c = calloc(1, sizeof *c);
    if (!c)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    c->src = src;
    c->dctx = ZSTD_createDCtx();
    c->win = malloc(CBOR_WINDOW0);
    if (!c->dctx || !c->win) {
        rt_cbor_free(c);
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    }
    /* Frames hold at most 2 MiB: a bigger window is garbage, not a trace. */
    ZSTD_DCtx_setParameter(c->dctx, ZSTD_d_windowLogMax, 25);
    c->cap = CBOR_WINDOW0;
    c->in.src = c->inbuf;
    *out = c;
    return 0;
}

/* Frees the decoder (not its source). Accepts NULL. */
void rt_cbor_free(rt_cbor *c)
{
    if (!c)
        return;
    ZSTD_freeDCtx(c->dctx);
    free(c->win);
    free(c);
}

uint64_t rt_cbor_offset(const rt_cbor *c) { return c->base + c->pos; }

/*
 * Decompresses more bytes into the window, keeping [pos, len). Returns 1
 * when bytes were added, 0 at the end of the input, or a negative error.
 */
static int fill_more(rt_cbor *c)
{
    if (c->pos > 0) {
        memmove(c->win, c->win + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->base += c->pos;
        c->pos = 0;
    }
    if (c->len == c->cap) {
        if (c->cap >= RT_RD_MAX_EVENT_BYTES)
            return rtrace_set_error(RTRACE_EFORMAT, "an event is larger than %zu bytes", RT_RD_MAX_EVENT_BYTES);
        unsigned char *nw = realloc(c->win, c->cap * 2);
        if (!nw)
            return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
        c->win = nw;
        c->cap *= 2;
    }
    for (;;) {
        if (c->in.pos == c->in.size && !c->in_eof) {
            ssize_t r = rt_rd_src_read(c->src, c->inbuf, sizeof c->inbuf);
            if (r < 0)
                return RTRACE_EIO;
            c->in.size = (size_t)r;
            c->in.pos = 0;
            if (r == 0)
                c->in_eof = true;
        }
        ZSTD_outBuffer out = { c->win + c->len, c->cap - c->len, 0 };
        size_t in_before = c->in.pos;
        size_t ret = ZSTD_decompressStream(c->dctx, &out, &c->in);
        if (ZSTD_isError(ret))
            return rtrace_set_error(RTRACE_EFORMAT, "trace.bin: bad zstd data: %s", ZSTD_getErrorName(ret));
        /* A call without progress only hints at the next frame's header: keep the state. */
        if (out.pos > 0 || c->in.pos > in_before)
            c->last_ret = ret;
        c->len += out.pos;
        if (out.pos > 0)
            return 1;
        if (c->in.pos == c->in.size && c->in_eof)
            return 0;
    }
}

static rt_node *new_node(rtrace_arena *a, rt_node_type t)
{
    rt_node *n = rtrace_arena_alloc(a, sizeof *n);
    if (n) {
        memset(n, 0, sizeof *n);
        n->t = t;
    }
    return n;
}

/* Half-precision float to double (CBOR major 7, ai 25). */
static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double v;
    if (e == 0)
        v = m * 0x1p-24;
    else if (e == 31)
        v = m ? __builtin_nan("") : __builtin_inf();
    else
        v = (m + 1024) * __builtin_ldexp(1.0, e - 25);
    return (h & 0x8000) ? -v : v;
}

/* Decoding state over one window. */
typedef struct dec {
    const unsigned char *p, *end;
    rtrace_arena *a;
    size_t nodes;                    /* nodes of the item being decoded */
} dec;

/* Reads an item head: major type, argument. 0, D_MORE or an error. */
static int head(dec *d, int *major, int *ai, uint64_t *val)
{
    if (d->p >= d->end)
        return D_MORE;
    unsigned ib = *d->p;
    *major = ib >> 5;
    *ai = ib & 31;
    size_t extra;
    if (*ai < 24) extra = 0;
    else if (*ai == 24) extra = 1;
    else if (*ai == 25) extra = 2;
    else if (*ai == 26) extra = 4;
    else if (*ai == 27) extra = 8;
    else if (*ai == 31)
        return rtrace_set_error(RTRACE_EFORMAT, "indefinite-length CBOR item (major type %d): upstream's "
                                "encoder writes definite lengths only", *major);
    else
        return rtrace_set_error(RTRACE_EFORMAT, "malformed CBOR: reserved additional information %d", *ai);
    if ((size_t)(d->end - d->p) < 1 + extra)
        return D_MORE;
    uint64_t v = *ai < 24 ? (uint64_t)*ai : 0;
    for (size_t k = 0; k < extra; k++)
        v = v << 8 | d->p[1 + k];
    d->p += 1 + extra;
    *val = v;
    return 0;
}

/* Decodes one item at nesting `depth` into *out. 0, D_MORE or an error. */
static int item(dec *d, int depth, rt_node **out)
{
    int major, ai, rc;
    uint64_t val = 0;
    if ((rc = head(d, &major, &ai, &val)))
        return rc;
    if (++d->nodes > RT_RD_MAX_NODES)
        return rtrace_set_error(RTRACE_EFORMAT, "event too large (over 4 Mi CBOR items)");
    rt_node *n = new_node(d->a, RT_N_NULL);
    if (!n)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    *out = n;
    switch (major) {
    case 0:
        n->t = RT_N_UINT;
        n->v.u = val;
        return 0;
    case 1:
        if (val > (uint64_t)INT64_MAX) {
            n->t = RT_N_BIGNEG;
        } else {
            n->t = RT_N_NEGINT;
            n->v.i = -1 - (int64_t)val;
        }
        return 0;
    case 2:
    case 3: {
        if (val > RT_RD_MAX_EVENT_BYTES)
            return rtrace_set_error(RTRACE_EFORMAT, "CBOR string of %llu bytes is too long",
                                    (unsigned long long)val);
        if ((uint64_t)(d->end - d->p) < val)
            return D_MORE;
        if (major == 3 && !rt_rd_utf8_valid((const char *)d->p, (size_t)val))
            return rtrace_set_error(RTRACE_EFORMAT, "CBOR text string is not valid UTF-8");
        char *s = rtrace_arena_strndup(d->a, (const char *)d->p, (size_t)val);
        if (!s)
            return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
        n->t = major == 3 ? RT_N_STR : RT_N_BYTES;
        n->v.s.ptr = s;
        n->v.s.len = (size_t)val;
        d->p += val;
        return 0;
    }
    case 4:
    case 5: {
        if (depth + 1 > RT_RD_MAX_DEPTH)
            return rtrace_set_error(RTRACE_EFORMAT, "nesting too deep (over 127 levels)");
        if (val > RT_RD_MAX_EVENT_BYTES)
            return rtrace_set_error(RTRACE_EFORMAT, "CBOR %s of %llu items is too long",
                                    major == 4 ? "array" : "map", (unsigned long long)val);
        n->t = major == 4 ? RT_N_ARR : RT_N_MAP;
        for (uint64_t k = 0; k < val; k++) {
            rtrace_str key = {0};
            if (major == 5) {
                rt_node *kn;
                if ((rc = item(d, depth + 1, &kn)))
                    return rc;
                if (kn->t != RT_N_STR)
                    return rtrace_set_error(RTRACE_EFORMAT, "CBOR map key is a %s, not text",
                                            rt_node_type_name(kn));
                key = kn->v.s;
            }
            rt_node *child;
            if ((rc = item(d, depth + 1, &child)))
                return rc;
            child->key = key;
            if (n->v.c.last)
                n->v.c.last->next = child;
            else
                n->v.c.first = child;
            n->v.c.last = child;
            n->v.c.n++;
        }
        return 0;
    }
    case 6:
        return rtrace_set_error(RTRACE_EFORMAT, "unexpected CBOR tag %llu", (unsigned long long)val);
    default:
        switch (ai) {
        case 20: n->t = RT_N_BOOL; n->v.b = false; return 0;
        case 21: n->t = RT_N_BOOL; n->v.b = true; return 0;
        case 22: return 0;
        case 25: n->t = RT_N_FLOAT; n->v.f = half_to_double((uint16_t)val); return 0;
        case 26: {
            uint32_t u = (uint32_t)val;
            float f;
            memcpy(&f, &u, 4);
            n->t = RT_N_FLOAT;
            n->v.f = f;
            return 0;
        }
        case 27: {
            double f;
            memcpy(&f, &val, 8);
            n->t = RT_N_FLOAT;
            n->v.f = f;
            return 0;
        }
        default:
            return rtrace_set_error(RTRACE_EFORMAT, "unexpected CBOR simple value %llu", (unsigned long long)val);
        }
    }
}

/* See reader_int.h. */
int rt_cbor_item(rt_cbor *c, rtrace_arena *arena, rt_node **out)
{
    for (;;) {
        if (c->pos == c->len) {
            int r = fill_more(c);
            if (r < 0)
                return r;
            if (r == 0)
                return c->last_ret != 0
                    ? rtrace_set_error(RTRACE_ETRUNCATED, "trace.bin ends inside a zstd frame")
                    : RTRACE_EOF;
            continue;
        }
        dec d = { c->win + c->pos, c->win + c->len, arena, 0 };
        int rc = item(&d, 0, out);
        if (rc == 0) {
            c->pos = (size_t)(d.p - c->win);
            return 0;
        }
        if (rc != D_MORE)
            return rc;
        rtrace_arena_reset(arena);
        int r = fill_more(c);
        if (r < 0)
            return r;
        if (r == 0)
            return rtrace_set_error(RTRACE_ETRUNCATED, "trace.bin ends inside an event");
    }
}
