/*
 * runtime/capture.c - the values of C objects, as value records.
 *
 * Given an rt_type from the DWARF tables and the address of an object (a
 * stack slot, a static, a register copy, a return value rebuilt from the
 * registers), write its value record into an encoder, following the
 * mapping of trace-format.md ("Suggested C mapping"): Int / BigInt for
 * integers and chars, Bool, Float (text), Variant for enums, Struct for
 * structs and unions, Sequence for arrays, Reference for pointers, String for
 * `char *` (Raw "0x0" when NULL), Raw "0x401136 <add>" for function pointers.
 *
 * Reads of the program's own slots and statics are plain loads; everything
 * reached through a pointer is read with rt_safe_copy, so a NULL, wild or
 * dangling pointer gives an Error value instead of a crash. Pointer chains
 * (and cycles) are bounded by rt_cfg.max_depth, arrays by rt_cfg.max_elems,
 * strings by rt_cfg.max_string. No allocation and no system call happen here
 * (snprintf only for long double, which has no cheaper exact formatter).
 *
 * The return value of a function is rebuilt from the registers at its `ret`
 * by the SysV x86-64 classification of its DWARF return type
 * (rt_ret_classify, computed once per function at start-up).
 */
#include <stdio.h>
#include <string.h>
/* RT_NO_VALGRIND: build without memcheck's client requests (to profile the
 * fast paths under callgrind, which they would switch off). */
#if defined(__has_include) && !defined(RT_NO_VALGRIND)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define RT_HAVE_MEMCHECK 1
#endif
#endif

#include "core.h"
#include "fastvals.h"
#include "tpl.h"
#include "../lib/encode_inline.h"

/* glibc's (ld.so's) TLS lookup, in no public header: the address of `offset` in the block of
   module `module` for the calling thread (x86-64 psABI). */
typedef struct rt_tls_index {
    unsigned long module, offset;
} rt_tls_index;
extern void *__tls_get_addr(rt_tls_index *ti);

/* Objects reached through a pointer up to this size are copied in one
 * rt_safe_copy into a stack buffer; bigger ones are read field by field
 * (arrays of integers: a block of this size at a time). */
#define RT_SMALL_COPY 256
/* Nesting of struct/array levels in one value (the encoder allows 256). */
#define RT_MAX_NEST 48
/* Longest string copied at once (rt_cfg.max_string is capped to this). */
#define RT_STR_BUF 4096

/* Under Valgrind (memcheck): the recorder shows whatever bits the program's
 * objects hold, initialised or not (a local before its first assignment is
 * legitimately recorded), so the n bytes just copied out of the program are
 * told to be defined; otherwise memcheck follows the program's uninitialised
 * bytes through the encoder into write(2) and reports them as the runtime's
 * errors. Without the header or outside Valgrind: one predictable branch on a
 * cached flag (the client request itself is only issued under Valgrind). */
#ifdef RT_HAVE_MEMCHECK
static int vg_state = -1;   /* -1: not asked yet, else RUNNING_ON_VALGRIND != 0 */
static int vg_ask(void)
{
    int on = RUNNING_ON_VALGRIND ? 1 : 0;
    __atomic_store_n(&vg_state, on, __ATOMIC_RELAXED);
    return on;
}
static void vg_defined_slow(const void *p, size_t n)
{
    int on = __atomic_load_n(&vg_state, __ATOMIC_RELAXED);
    if (on < 0)
        on = vg_ask();
    if (on)
        (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
}
static inline void vg_defined(const void *p, size_t n)
{
    if (unlikely(__atomic_load_n(&vg_state, __ATOMIC_RELAXED) != 0))
        vg_defined_slow(p, n);
}
bool rt_on_valgrind(void)
{
    int on = __atomic_load_n(&vg_state, __ATOMIC_RELAXED);
    return (on < 0 ? vg_ask() : on) != 0;
}
/* Known not to run under Valgrind: the program's bytes may be loaded
 * straight into registers (under memcheck they go through vg_defined). */
static inline bool vg_off(void) { return __atomic_load_n(&vg_state, __ATOMIC_RELAXED) == 0; }
#else
static inline void vg_defined(const void *p, size_t n) { (void)p; (void)n; }
bool rt_on_valgrind(void) { return false; }
static inline bool vg_off(void) { return true; }
#endif

/* rt_safe_copy of the program's memory, marked defined for memcheck. */
static inline size_t prog_copy(void *dst, const void *src, size_t n)
{
    size_t got = rt_safe_copy(dst, src, n);
    vg_defined(dst, got);
    return got;
}

/* Copies n bytes of the object at src; false when it is not readable. */
static inline bool rd(void *dst, const void *src, size_t n, bool safe)
{
    if (likely(!safe)) {
        memcpy(dst, src, n);
        vg_defined(dst, n);
        return true;
    }
    return prog_copy(dst, src, n) == n;
}

/* Writes "0x" and v in lowercase hex into out (at least 19 bytes); returns the length. */
static size_t fmt_hex(char *out, uint64_t v)
{
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++)
        out[2 + i] = tmp[n - 1 - i];
    return n + 2;
}

/* Writes u in decimal into out (at least 20 bytes); returns the length. */
static size_t fmt_udec(char *out, uint64_t u)
{
    char tmp[20];
    size_t n = 0, k = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        out[k++] = tmp[--n];
    return k;
}

/* Writes v in decimal into out (at least 21 bytes); returns the length. */
static size_t fmt_dec(char *out, int64_t v)
{
    if (v >= 0)
        return fmt_udec(out, (uint64_t)v);
    out[0] = '-';
    return 1 + fmt_udec(out + 1, 0 - (uint64_t)v);
}

/* Error value "cannot access memory at 0x..." (gdb's words). */
static void unreadable(rtrace_enc *e, uint64_t type_id, uint64_t addr)
{
    char msg[64] = "cannot access memory at ";
    size_t n = strlen(msg);
    n += fmt_hex(msg + n, addr);
    msg[n] = 0;
    rtrace_enc_error(e, type_id, msg);
}

/* The integer of `size` bytes (1..8) at p, sign- or zero-extended. Sizes
 * 1, 2, 4 and 8 are one load of that size: a variable-size memcpy into a
 * zeroed word is byte stores then a wider load, which stalls store
 * forwarding (it was ~40% of a char array's capture time). */
static inline uint64_t load_int(const unsigned char *p, unsigned size, bool sgn)
{
    uint64_t v;
    switch (size) {
    case 1: { uint8_t y; memcpy(&y, p, 1); return sgn ? (uint64_t)(int64_t)(int8_t)y : y; }
    case 2: { uint16_t y; memcpy(&y, p, 2); return sgn ? (uint64_t)(int64_t)(int16_t)y : y; }
    case 4: { uint32_t y; memcpy(&y, p, 4); return sgn ? (uint64_t)(int64_t)(int32_t)y : y; }
    case 8: memcpy(&v, p, 8); return v;
    default:   /* 3, 5, 6, 7 bytes */
        v = 0;
        memcpy(&v, p, size);
        if (sgn) {
            unsigned sh = 64 - 8 * size;
            v = (uint64_t)((int64_t)(v << sh) >> sh);
        }
        return v;
    }
}

/* Int record of v (sign-extended when sgn, else zero-extended): inline for
 * what fits an int64, the library's BigInt path beyond. */
static inline void enc_int(rtrace_enc *e, uint64_t id, uint64_t v, bool sgn)
{
    if (likely(sgn || v <= (uint64_t)INT64_MAX))
        rtrace__enc_int_fast(e, id, (int64_t)v);
    else
        rtrace_enc_uint(e, id, v);
}

/* The Int records of k integers of sz bytes at b (sign-extended when sgn):
 * byte for byte what enc_int writes for each, with the record's tail (its
 * type id) encoded once and the room reserved once; an unsigned value above
 * INT64_MAX (a BigInt) goes through enc_int. Char arrays and buffers are
 * written this way (put_array): per element a load, two copies and the
 * integer. */
static void put_int_elems(rtrace_enc *e, uint64_t id, const unsigned char *b, uint32_t k, unsigned sz, bool sgn)
{
    bool json = e->format == RTRACE_FORMAT_JSON;
    unsigned char tail[32], *t = tail;
    if (json) {
        RTRACE__P_LIT(t, ",\"type_id\":");
        t = rtrace__p_u64_dec(t, id);
        *t++ = '}';
    } else {
        RTRACE__P_LIT(t, "\x67" "type_id");
        t = rtrace__p_cbor_head(t, RTRACE__CBOR_UINT, id);
    }
    size_t tl = (size_t)(t - tail);
    /* per element: a comma, the head (<= 20), the integer (<= 20), the tail copied whole (32) */
    if (!rtrace__room(e, (size_t)k * 80)) {
        for (uint32_t j = 0; j < k; j++)
            enc_int(e, id, load_int(b + (size_t)j * sz, sz, sgn), sgn);
        return;
    }
    unsigned char *q = e->buf + e->len;
    for (uint32_t j = 0; j < k; j++) {
        uint64_t v = load_int(b + (size_t)j * sz, sz, sgn);
        if (unlikely(!sgn && v > (uint64_t)INT64_MAX)) {
            e->len = (size_t)(q - e->buf);
            rtrace_enc_uint(e, id, v);
            if (!rtrace__room(e, (size_t)(k - j) * 80))
                return;
            q = e->buf + e->len;
            continue;
        }
        if (json) {
            if (e->need_comma[e->depth])
                *q++ = ',';
            else
                e->need_comma[e->depth] = 1;
            RTRACE__P_LIT(q, "{\"kind\":\"Int\",\"i\":");
            q = rtrace__p_i64_dec(q, (int64_t)v);
        } else {
            RTRACE__P_LIT(q, "\xa3\x64" "kind" "\x63" "Int" "\x61" "i");
            q = rtrace__p_cbor_int(q, (int64_t)v);
        }
        memcpy(q, tail, sizeof tail);
        q += tl;
    }
    e->len = (size_t)(q - e->buf);
}

/* An integer of `size` bytes (1..16) at p, sign-extended when `sgn`. */
static void put_integer(rtrace_enc *e, uint64_t id, const unsigned char *p, unsigned size, bool sgn)
{
    if (likely(size <= 8)) {
        enc_int(e, id, load_int(p, size, sgn), sgn);
        return;
    }
    /* __int128 and friends: Int when it fits, else BigInt (big-endian magnitude). */
    unsigned __int128 v = 0;
    memcpy(&v, p, size > 16 ? 16 : size);
    bool neg = sgn && (v >> 127);
    unsigned __int128 mag = neg ? -v : v;
    if (!neg && mag <= (unsigned __int128)INT64_MAX) {
        rtrace_enc_int(e, id, (int64_t)mag);
        return;
    }
    if (neg && mag <= (unsigned __int128)INT64_MAX + 1) {
        rtrace_enc_int(e, id, (int64_t)(0 - (uint64_t)mag));
        return;
    }
    uint8_t be[16];
    size_t n = 0;
    for (int i = 15; i >= 0; i--) {
        uint8_t b = (uint8_t)(mag >> (8 * i));
        if (n || b)
            be[n++] = b;
    }
    rtrace_enc_bigint(e, id, be, n, neg);
}

/* A floating-point value of `size` bytes at p. */
static void put_float(rtrace_enc *e, uint64_t id, const unsigned char *p, unsigned size)
{
    if (size == 4) {
        float f;
        memcpy(&f, p, 4);
        rtrace_enc_float(e, id, f);
    } else if (size == 8) {
        double d;
        memcpy(&d, p, 8);
        rtrace_enc_float(e, id, d);
    } else if (size >= 10 && size <= 16) {
        /* x87 extended: 10 significant bytes, the rest is padding */
        long double ld = 0;
        memcpy(&ld, p, 10);
        char buf[64];
        if (__builtin_isnan(ld))
            rtrace_enc_float_text(e, id, "NaN");
        else if (__builtin_isinf(ld))
            rtrace_enc_float_text(e, id, ld < 0 ? "-inf" : "inf");
        else {
            snprintf(buf, sizeof buf, "%.21Lg", ld);
            rtrace_enc_float_text(e, id, buf);
        }
    } else {
        rtrace_enc_error(e, id, "unsupported float size");
    }
}

/* An enum's value: Variant{enumerator name, None}, the number when none matches. */
static void put_enum(rtrace_enc *e, const rt_type *t, const unsigned char *p)
{
    unsigned size = t->size ? t->size : 4;
    if (size > 8)
        size = 8;
    uint64_t u = load_int(p, size, false);
    int64_t v = t->tag_signed ? (int64_t)load_int(p, size, true) : (int64_t)u;
    const char *name = NULL;
    for (uint32_t i = 0; i < t->u.en.n; i++)
        if (t->u.en.e[i].value == v) {
            name = t->u.en.e[i].name;
            break;
        }
    char num[24];
    if (!name) {
        size_t n = t->tag_signed ? fmt_dec(num, v) : fmt_udec(num, u);
        num[n] = 0;
        name = num;
    }
    rtrace_enc_variant_begin(e, name);
    rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
    rtrace_enc_variant_end(e, t->trace_type_id);
}

/* The name of the function at run-time address a, written "0x401136 <add>"
 * as gdb shows it: from the program's debug info, else (a libc function
 * such as isdigit) from its object's dynamic symbols while recording (not on
 * the crash path, where the loader's lock may be held by a dying thread). */
static void put_function_ptr(rtrace_enc *e, uint64_t id, uint64_t a)
{
    char buf[200];
    size_t n = fmt_hex(buf, a);
    const rt_func *f = a ? rt_core_func_at(a) : NULL;
    char sym[128];
    const char *name = f ? f->name : NULL;
    if (!name && a && rt_recording() &&
        rt_modules_sym_name(a, sym, sizeof sym))
        name = sym;
    if (name) {
        size_t l = strlen(name);
        if (l > sizeof buf - n - 4)
            l = sizeof buf - n - 4;
        buf[n++] = ' ';
        buf[n++] = '<';
        memcpy(buf + n, name, l);
        n += l;
        buf[n++] = '>';
    }
    rtrace_enc_raw(e, id, buf, n);
}

static void cap(rtrace_enc *e, const rt_type *t, const unsigned char *src, bool safe,
                unsigned depth, unsigned nest);

/* A `char *`: String up to the NUL (at most max_string bytes); NULL is
 * Raw "0x0"; an unreadable pointer is an Error. */
static void put_cstring(rtrace_enc *e, const rt_type *t, uint64_t a)
{
    uint64_t id = t->trace_type_id;
    if (!a) {
        /* not a Reference: its type is a CString, and consumers accept a
         * Reference only with a Pointer type */
        rtrace_enc_raw(e, id, "0x0", 3);
        return;
    }
    char buf[RT_STR_BUF];
    size_t max = rt_cfg.max_string ? rt_cfg.max_string : 256;
    if (max > sizeof buf)
        max = sizeof buf;
    /* Copied in 64-byte-aligned pieces until one holds the NUL: a short
     * string costs one piece, not max_string bytes, and no piece crosses a
     * page (an unmapped page after the string is never touched; a fault
     * ends the copy at that page's start). */
    size_t got = 0;
    const char *nul = NULL;
    while (got < max) {
        size_t piece = 64 - ((a + got) & 63);
        if (piece > max - got)
            piece = max - got;
        size_t c = prog_copy(buf + got, (const void *)(a + got), piece);
        nul = memchr(buf + got, 0, c);
        got += c;
        if (nul || c < piece)
            break;
    }
    if (got == 0) {
        unreadable(e, id, a);
        return;
    }
    rtrace_enc_string(e, id, buf, nul ? (size_t)(nul - buf) : got);
}

/* A pointer value (not a char * or function pointer): Reference. */
static void put_pointer(rtrace_enc *e, const rt_type *t, uint64_t a, unsigned depth, unsigned nest)
{
    const rt_type *tg = t->u.ptr.target;
    uint64_t id = t->trace_type_id;
    bool mut = !t->is_const;
    rtrace_enc_reference_begin(e);
    if (!a || !tg || tg->tag == RT_T_VOID || tg->size == 0 ||
        depth >= rt_cfg.max_depth) {
        rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
    } else if (tg->size <= RT_SMALL_COPY) {
        unsigned char buf[RT_SMALL_COPY] __attribute__((aligned(16)));
        if (prog_copy(buf, (const void *)a, tg->size) == tg->size)
            cap(e, tg, buf, false, depth + 1, nest + 1);
        else
            unreadable(e, tg->trace_type_id, a);
    } else {
        unsigned char probe;
        if (prog_copy(&probe, (const void *)a, 1) == 1)
            cap(e, tg, (const unsigned char *)a, true, depth + 1, nest + 1);
        else
            unreadable(e, tg->trace_type_id, a);
    }
    rtrace_enc_reference_end(e, id, a, mut);
}

/* A bitfield member: `bits` bits at bit `boff` of the bytes at p. */
static void put_bitfield(rtrace_enc *e, const rt_member *m, const unsigned char *p, bool safe,
                         unsigned depth, unsigned nest)
{
    const rt_type *mt = m->type;
    unsigned nbytes = (m->bit_offset + m->bit_size + 7) / 8;
    if (nbytes > 16 || m->bit_size > 64 || !mt) {
        rtrace_enc_error(e, rt_type_id(mt), "unsupported bitfield");
        return;
    }
    unsigned __int128 st = 0;
    if (!rd(&st, p, nbytes, safe)) {
        unreadable(e, mt->trace_type_id, (uint64_t)p);
        return;
    }
    uint64_t v = (uint64_t)(st >> m->bit_offset);
    if (m->bit_size < 64)
        v &= ((uint64_t)1 << m->bit_size) - 1;
    bool sgn = mt->tag == RT_T_INT || (mt->tag == RT_T_ENUM && mt->tag_signed);
    if (sgn && m->bit_size < 64 && (v >> (m->bit_size - 1)) & 1)
        v |= ~(uint64_t)0 << m->bit_size;
    /* now a full-width value of the member's type: decode it as one */
    unsigned char buf[16] = {0};
    memcpy(buf, &v, 8);
    if (sgn && (int64_t)v < 0)
        memset(buf + 8, 0xff, 8);
    cap(e, mt, buf, false, depth, nest);
}

/* An array of n elements of t's element type (n: the type's count, or a
 * VLA's run-time count), at most rt_cfg.max_elems of them. */
static void put_array(rtrace_enc *e, const rt_type *t, const unsigned char *src, uint64_t n,
                      bool safe, unsigned depth, unsigned nest)
{
    const rt_type *el = t->u.arr.elem;
    uint32_t max = rt_cfg.max_elems ? rt_cfg.max_elems : 32;
    if (n > max)
        n = max;
    if (!el || el->size == 0)
        n = 0;
    rtrace_enc_seq_begin(e, (size_t)n);
    uint32_t i = 0;
    unsigned sz = el ? el->size : 0;
    if (el && (el->tag == RT_T_INT || el->tag == RT_T_UINT) && (sz == 1 || sz == 2 || sz == 4 || sz == 8) &&
        nest + 1 <= RT_MAX_NEST) {
        /* integers (char arrays, buffers, counters): copied a block at a time
         * and encoded in a loop, what cap() would write per element without a
         * call, a type switch and a copy each; a block that cannot be read is
         * left to cap(), element by element, for its errors */
        unsigned char buf[RT_SMALL_COPY] __attribute__((aligned(16)));
        bool sgn = el->tag == RT_T_INT;
        uint64_t id = el->trace_type_id;
        while (i < n) {
            uint32_t k = (uint32_t)(n - i < sizeof buf / sz ? n - i : sizeof buf / sz);
            if (!rd(buf, src + (size_t)i * sz, (size_t)k * sz, safe))
                break;
            put_int_elems(e, id, buf, k, sz, sgn);
            i += k;
        }
    }
    for (; i < n; i++)
        cap(e, el, src + (size_t)i * el->size, safe, depth, nest + 1);
    rtrace_enc_seq_end(e, t->trace_type_id, false);
}

/* A struct of plain integers with a value template (rt_type.val_tpl, built
 * by probes.c from this file's own output): its fields loaded and the
 * template filled, the bytes the member walk below would write. False (nothing
 * written) when it has none or the struct cannot be read whole: the walk then
 * writes it, with an Error for each unreadable field. */
static bool struct_from_tpl(rtrace_enc *e, const rt_type *t, const unsigned char *src, bool safe)
{
    const rt_tpl *tp = __atomic_load_n(&t->val_tpl, __ATOMIC_ACQUIRE);
    if (!tp)
        return false;
    unsigned char buf[RT_TPL_STRUCT_MAX] __attribute__((aligned(16)));
    const unsigned char *p = src;
    if (safe || !vg_off()) {
        if (t->size > sizeof buf || !rd(buf, src, t->size, safe))
            return false;
        p = buf;
    }
    if (!rtrace__room(e, rt_tpl_room(tp) + 1))
        return false;
    int64_t vals[RT_TPL_MAX_SLOTS];
    for (unsigned k = 0; k < tp->nslots; k++)
        vals[k] = rt_fast_load_at(p + tp->slot_off[k], tp->slot_kind[k]);
    if (e->format == RTRACE_FORMAT_JSON) {
        /* the separator the encoder writes before a value record */
        if (e->need_comma[e->depth])
            e->buf[e->len++] = ',';
        else
            e->need_comma[e->depth] = 1;
    }
    e->len = (size_t)(rt_tpl_write(e->buf + e->len, tp, vals, e->format) - e->buf);
    return true;
}

/*
 * The value of type t stored at src. safe: reads go through rt_safe_copy.
 * depth: pointer levels followed so far; nest: struct/array nesting so far.
 */
static void cap(rtrace_enc *e, const rt_type *t, const unsigned char *src, bool safe,
                unsigned depth, unsigned nest)
{
    if (unlikely(!t)) {
        rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
        return;
    }
    uint64_t id = t->trace_type_id;
    if (unlikely(nest > RT_MAX_NEST)) {
        rtrace_enc_none(e, id);
        return;
    }
    unsigned char b[16] __attribute__((aligned(16)));
    switch (t->tag) {
    case RT_T_INT:
    case RT_T_UINT:
        if (unlikely(t->size == 0 || t->size > 16))
            break;
        if (t->size <= 8 && !safe && likely(vg_off())) {
            /* the common case: one load, no copy (a variable-size memcpy is a libc call) */
            enc_int(e, id, load_int(src, t->size, t->tag == RT_T_INT), t->tag == RT_T_INT);
            return;
        }
        if (!rd(b, src, t->size, safe))
            goto bad;
        put_integer(e, id, b, t->size, t->tag == RT_T_INT);
        return;
    case RT_T_BOOL:
        if (!rd(b, src, 1, safe))
            goto bad;
        rtrace_enc_bool(e, id, b[0] != 0);
        return;
    case RT_T_FLOAT:
        if (unlikely(t->size == 0 || t->size > 16))
            break;
        if (!rd(b, src, t->size, safe))
            goto bad;
        put_float(e, id, b, t->size);
        return;
    case RT_T_ENUM: {
        unsigned sz = t->size && t->size <= 8 ? t->size : 4;
        if (!rd(b, src, sz, safe))
            goto bad;
        put_enum(e, t, b);
        return;
    }
    case RT_T_STRUCT:
    case RT_T_UNION: {
        /* a template holds at most 5 levels of nested structs (probes.c
         * struct_slots): used only where the walk would not reach RT_MAX_NEST */
        if (t->tag == RT_T_STRUCT && nest + 8 < RT_MAX_NEST && struct_from_tpl(e, t, src, safe))
            return;
        uint32_t n = t->u.su.n;
        rtrace_enc_struct_begin(e, n);
        for (uint32_t i = 0; i < n; i++) {
            const rt_member *m = &t->u.su.members[i];
            if (m->bit_size)
                put_bitfield(e, m, src + m->offset, safe, depth, nest + 1);
            else
                cap(e, m->type, src + m->offset, safe, depth, nest + 1);
        }
        rtrace_enc_struct_end(e, id);
        return;
    }
    case RT_T_ARRAY:
        put_array(e, t, src, t->u.arr.count, safe, depth, nest);
        return;
    case RT_T_POINTER: {
        uint64_t a;
        if (!rd(&a, src, 8, safe))
            goto bad;
        const rt_type *tg = t->u.ptr.target;
        if (tg && tg->tag == RT_T_FUNC)
            put_function_ptr(e, id, a);
        else if (rt_type_is_cstring(t))
            put_cstring(e, t, a);
        else
            put_pointer(e, t, a, depth, nest);
        return;
    }
    case RT_T_FUNC:
        put_function_ptr(e, id, (uint64_t)src);
        return;
    case RT_T_VOID:
        rtrace_enc_none(e, id);
        return;
    default:
        break;
    }
    rtrace_enc_raw(e, id, "<unsupported type>", 18);
    return;
bad:
    unreadable(e, id, (uint64_t)src);
}

/* Contract: see core.h. */
void rt_capture(rtrace_enc *e, const rt_type *t, const void *src, bool safe, unsigned depth)
{
    cap(e, t, src, safe, depth, 0);
}

/* Writes a VLA's value: its element count is read from the frame. */
static void put_vla(rtrace_enc *e, const rt_core_var *v, const rt_regs *regs,
                    const unsigned char *src, bool safe)
{
    uint64_t base;
    int64_t cnt;
    const rt_loc *c = &v->vla_count;
    if (c->kind == RT_LOC_ADDR)
        base = 0;
    else if (!rt_regs_get(regs, c->reg, &base))
        goto bad;
    if (prog_copy(&cnt, (const void *)(base + c->offset), 8) != 8)
        goto bad;
    cnt += v->vla_add;
    put_array(e, v->type, src, cnt > 0 ? (uint64_t)cnt : 0, safe, 0, 0);
    return;
bad:
    rtrace_enc_error(e, v->type->trace_type_id, "VLA bound not readable");
}

/* Contract: see core.h. Locations relative to rbp/rsp are the frame's own
 * slots (plain loads); any other register-relative address may be anything
 * and is read safely. */
void rt_capture_var(rtrace_enc *e, const rt_core_var *v, const rt_regs *regs)
{
    const rt_loc *l = &v->loc;
    const unsigned char *src;
    bool safe = false;
    uint64_t base;
    unsigned char buf[16] __attribute__((aligned(16))) = {0};
    switch (l->kind) {
    case RT_LOC_REG_OFFSET:
        if (likely(l->reg == 6)) {
            src = (const unsigned char *)(regs->rbp + l->offset);
            break;
        }
        if (!rt_regs_get(regs, l->reg, &base))
            goto unsupported;
        src = (const unsigned char *)(base + l->offset);
        safe = l->reg != 7;
        break;
    case RT_LOC_ADDR:
        src = (const unsigned char *)l->offset;
        break;
    case RT_LOC_TLS: {
        /* the current thread's block of that module (static TLS for every module loaded at
           start: a lookup in the thread's dtv, no allocation) */
        if (l->reg <= 0)
            goto unsupported;
        rt_tls_index ti = { (unsigned long)l->reg, (unsigned long)l->offset };
        src = __tls_get_addr(&ti);
        safe = true;
        break;
    }
    case RT_LOC_REG_OFFSET_DEREF: {
        uint64_t p;
        if (!rt_regs_get(regs, l->reg, &base) ||
            prog_copy(&p, (const void *)(base + l->offset), 8) != 8)
            goto unsupported;
        src = (const unsigned char *)(p + l->offset2);
        safe = true;
        break;
    }
    case RT_LOC_IN_REG:
        if (l->reg >= 17 && l->reg <= 32) {
            memcpy(buf, regs->xmm[l->reg - 17], 16);
        } else {
            if (!rt_regs_get(regs, l->reg, &base))
                goto unsupported;
            memcpy(buf, &base, 8);
        }
        src = buf;
        break;
    case RT_LOC_NONE:
        rtrace_enc_error(e, rt_type_id(v->type), "<optimized out>");
        return;
    default:
        goto unsupported;
    }
    if (unlikely(v->vla_count.kind != RT_LOC_NONE) && v->type && v->type->tag == RT_T_ARRAY)
        put_vla(e, v, regs, src, safe);
    else
        cap(e, v->type, src, safe, 0, 0);
    return;
unsupported:
    rtrace_enc_error(e, rt_type_id(v->type), "unsupported location");
}

/* Merges class c into eightbyte i (INTEGER wins over SSE). */
static void eb_merge(uint8_t eb[2], uint64_t off, int c)
{
    unsigned i = (unsigned)(off / 8);
    if (i < 2 && eb[i] != RT_EB_INT)
        eb[i] = (uint8_t)c;
}

/* Classifies the scalars of t placed at byte `off`; false means MEMORY. */
static bool classify_rec(const rt_type *t, uint64_t off, uint8_t eb[2], unsigned nest)
{
    if (!t || nest > 16)
        return false;
    switch (t->tag) {
    case RT_T_INT: case RT_T_UINT: case RT_T_BOOL: case RT_T_ENUM: case RT_T_POINTER:
        if (t->size == 0 || off % (t->size > 8 ? 16 : t->size))
            return false;            /* unaligned (packed): memory */
        eb_merge(eb, off, RT_EB_INT);
        if (t->size > 8)
            eb_merge(eb, off + 8, RT_EB_INT);
        return true;
    case RT_T_FLOAT:
        if (t->size > 8 || off % t->size)
            return false;            /* long double in a struct: X87 class -> memory */
        eb_merge(eb, off, RT_EB_SSE);
        return true;
    case RT_T_STRUCT: case RT_T_UNION:
        for (uint32_t i = 0; i < t->u.su.n; i++) {
            const rt_member *m = &t->u.su.members[i];
            if (m->bit_size) {
                eb_merge(eb, off + m->offset + m->bit_offset / 8, RT_EB_INT);
                continue;
            }
            if (!classify_rec(m->type, off + m->offset, eb, nest + 1))
                return false;
        }
        return true;
    case RT_T_ARRAY: {
        const rt_type *el = t->u.arr.elem;
        if (!el || el->size == 0)
            return true;
        for (uint32_t i = 0; i < t->u.arr.count && i * (uint64_t)el->size < 16; i++)
            if (!classify_rec(el, off + i * (uint64_t)el->size, eb, nest + 1))
                return false;
        return true;
    }
    default:
        return false;
    }
}

/* Contract: see core.h. */
int rt_ret_classify(const rt_type *t, uint8_t eb[2])
{
    eb[0] = eb[1] = RT_EB_NONE;
    if (!t || t->tag == RT_T_VOID)
        return RT_RET_VOID;
    switch (t->tag) {
    case RT_T_INT: case RT_T_UINT: case RT_T_BOOL: case RT_T_ENUM: case RT_T_POINTER:
        if (t->size <= 8)
            return RT_RET_INT;
        return t->size == 16 ? RT_RET_INT128 : RT_RET_UNKNOWN;
    case RT_T_FLOAT:
        if (t->size == 4 || t->size == 8)
            return RT_RET_SSE;
        return t->size >= 10 && t->size <= 16 ? RT_RET_X87 : RT_RET_UNKNOWN;
    case RT_T_STRUCT: case RT_T_UNION:
        if (t->size > 16)
            return RT_RET_MEMORY;
        if (!classify_rec(t, 0, eb, 0))
            return RT_RET_MEMORY;
        return RT_RET_REGS;
    default:
        return RT_RET_UNKNOWN;
    }
}

/* Contract: see core.h. */
void rt_capture_return(rtrace_enc *e, const rt_core_func *fn, const rt_regs *regs, const void *x87)
{
    const rt_type *t = fn->ret;
    unsigned char buf[16] __attribute__((aligned(16))) = {0};
    switch (fn->ret_class) {
    case RT_RET_VOID:
        rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
        return;
    case RT_RET_INT:
        memcpy(buf, &regs->rax, 8);
        break;
    case RT_RET_INT128:
        memcpy(buf, &regs->rax, 8);
        memcpy(buf + 8, &regs->rdx, 8);
        break;
    case RT_RET_SSE:
        memcpy(buf, regs->xmm[0], 16);
        break;
    case RT_RET_X87:
        if (!x87) {
            rtrace_enc_error(e, rt_type_id(t), "st0 not available");
            return;
        }
        memcpy(buf, x87, 10);
        break;
    case RT_RET_REGS: {
        const uint64_t ints[2] = { regs->rax, regs->rdx };
        unsigned ni = 0, ns = 0;
        for (int i = 0; i < 2; i++) {
            if (fn->ret_eb[i] == RT_EB_INT)
                memcpy(buf + 8 * i, &ints[ni++], 8);
            else if (fn->ret_eb[i] == RT_EB_SSE)
                memcpy(buf + 8 * i, regs->xmm[ns++], 8);
        }
        break;
    }
    case RT_RET_MEMORY:
        cap(e, t, (const unsigned char *)regs->rax, true, 0, 0);
        return;
    default:
        rtrace_enc_error(e, rt_type_id(t), "unsupported return type");
        return;
    }
    cap(e, t, buf, false, 0, 0);
}
