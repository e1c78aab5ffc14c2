/*
 * runtime/dwarf_die.c - reading DIEs with libdwarf without ever failing hard.
 *
 * Every libdwarf call gets an error pointer; an error is turned into a
 * warning on the load context (the first one is kept for the caller's
 * message) and the attribute is treated as absent. Also: string interning,
 * and a DIE's pc ranges (low/high pc, DWARF 5 .debug_rnglists, DWARF 2-4
 * .debug_ranges) as plain [lo, hi) pairs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_priv.h"

/* The arena copy of s, one per distinct string (NULL for NULL). */
const char *rt_intern(rt_ctx *c, const char *s)
{
    if (!s) return NULL;
    const char *k = rt_strmap_get(&c->strs, s);
    if (k) return k;
    char *d = rt_arena_strdup(&c->p->arena, s);
    if (!d || rt_strmap_put(&c->strs, d, d) < 0) return NULL;
    return d;
}

/* Records a non-fatal problem (the first one is kept for the caller). */
void rt_dw_warn(rt_ctx *c, const char *fmt, ...)
{
    if (c->warnings++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->first_warning, sizeof c->first_warning, fmt, ap);
        va_end(ap);
    }
}

/* Frees a libdwarf error after noting its message as a warning. */
void rt_dw_errfree(rt_ctx *c, Dwarf_Error e)
{
    if (!e) return;
    rt_dw_warn(c, "libdwarf: %s", dwarf_errmsg(e));
    dwarf_dealloc_error(c->dbg, e);
}

/* Reads an unsigned constant attribute. 1 found, 0 absent, -1 error. */
int rt_attr_udata(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Unsigned *out)
{
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(d, at, &a, &e);
    if (r == DW_DLV_NO_ENTRY) return 0;
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    r = dwarf_formudata(a, out, &e);
    if (r != DW_DLV_OK) {
        /* DW_FORM_sdata and friends: accept non-negative values */
        Dwarf_Signed s;
        if (e) { dwarf_dealloc_error(c->dbg, e); e = NULL; }
        r = dwarf_formsdata(a, &s, &e);
        if (r == DW_DLV_OK) *out = (Dwarf_Unsigned)s;
    }
    dwarf_dealloc_attribute(a);
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    return 1;
}

/* Reads a signed constant attribute. 1 found, 0 absent, -1 error. */
int rt_attr_sdata(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Signed *out)
{
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(d, at, &a, &e);
    if (r == DW_DLV_NO_ENTRY) return 0;
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    r = dwarf_formsdata(a, out, &e);
    if (r != DW_DLV_OK) {
        Dwarf_Unsigned u;
        if (e) { dwarf_dealloc_error(c->dbg, e); e = NULL; }
        r = dwarf_formudata(a, &u, &e);
        if (r == DW_DLV_OK) *out = (Dwarf_Signed)u;
    }
    dwarf_dealloc_attribute(a);
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    return 1;
}

/* A flag attribute: 1 when present and true, else 0. */
int rt_attr_flag(rt_ctx *c, Dwarf_Die d, Dwarf_Half at)
{
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(d, at, &a, &e);
    if (r == DW_DLV_NO_ENTRY) return 0;
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
    Dwarf_Bool b = 0;
    r = dwarf_formflag(a, &b, &e);
    dwarf_dealloc_attribute(a);
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
    return b ? 1 : 0;
}

/* A reference attribute as a global .debug_info offset. 1/0/-1. */
int rt_attr_ref(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Off *out)
{
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(d, at, &a, &e);
    if (r == DW_DLV_NO_ENTRY) return 0;
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    r = dwarf_global_formref(a, out, &e);
    dwarf_dealloc_attribute(a);
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    return 1;
}

/* DW_AT_name, interned; NULL when absent. */
const char *rt_die_name(rt_ctx *c, Dwarf_Die d)
{
    char *s = NULL;
    Dwarf_Error e = NULL;
    int r = dwarf_diename(d, &s, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    return r == DW_DLV_OK ? rt_intern(c, s) : NULL;
}

/* The DIE's tag, 0 on error. */
Dwarf_Half rt_die_tag(rt_ctx *c, Dwarf_Die d)
{
    Dwarf_Half t = 0;
    Dwarf_Error e = NULL;
    if (dwarf_tag(d, &t, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
    return t;
}

static int push_range(uint64_t **out, size_t *n, size_t *cap, uint64_t lo, uint64_t hi)
{
    if (hi <= lo) return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        uint64_t *p = realloc(*out, nc * 2 * sizeof **out);
        if (!p) return -1;
        *out = p;
        *cap = nc;
    }
    (*out)[2 * *n] = lo;
    (*out)[2 * *n + 1] = hi;
    (*n)++;
    return 0;
}

/* DWARF 5 DW_AT_ranges (.debug_rnglists): libdwarf cooks every entry kind
 * into absolute [lo, hi). */
static size_t ranges_v5(rt_ctx *c, Dwarf_Attribute a, uint64_t **out)
{
    Dwarf_Error e = NULL;
    Dwarf_Half form = 0;
    Dwarf_Unsigned val = 0, count = 0, goff = 0;
    if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
    if (form == DW_FORM_rnglistx) {
        if (dwarf_formudata(a, &val, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
    } else {
        Dwarf_Off off;
        if (dwarf_global_formref(a, &off, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
        val = off;
    }
    Dwarf_Rnglists_Head head = NULL;
    if (dwarf_rnglists_get_rle_head(a, form, val, &head, &count, &goff, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        return 0;
    }
    size_t n = 0, cap = 0;
    for (Dwarf_Unsigned i = 0; i < count; i++) {
        unsigned len = 0, code = 0;
        Dwarf_Unsigned r1, r2, c1 = 0, c2 = 0;
        Dwarf_Bool unavail = 0;
        if (dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &r1, &r2, &unavail,
                                              &c1, &c2, &e) != DW_DLV_OK) {
            rt_dw_errfree(c, e);
            break;
        }
        if (unavail) continue;
        if (code == DW_RLE_offset_pair || code == DW_RLE_start_end ||
            code == DW_RLE_start_length || code == DW_RLE_startx_endx ||
            code == DW_RLE_startx_length)
            if (push_range(out, &n, &cap, c1, c2) < 0) break;
    }
    dwarf_dealloc_rnglists_head(head);
    return n;
}

/* DWARF 2-4 DW_AT_ranges (.debug_ranges): entries relative to a base that
 * starts as the CU's low_pc and changes at base-address selections. */
static size_t ranges_v4(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, Dwarf_Attribute a, uint64_t **out)
{
    Dwarf_Error e = NULL;
    Dwarf_Off off = 0, real = 0;
    Dwarf_Unsigned u;
    if (dwarf_global_formref(a, &off, &e) != DW_DLV_OK) {
        if (e) { dwarf_dealloc_error(c->dbg, e); e = NULL; }
        if (dwarf_formudata(a, &u, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
        off = u;
    }
    Dwarf_Ranges *rs = NULL;
    Dwarf_Signed cnt = 0;
    Dwarf_Unsigned bytes = 0;
    if (dwarf_get_ranges_b(c->dbg, off, d, &real, &rs, &cnt, &bytes, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        return 0;
    }
    size_t n = 0, cap = 0;
    uint64_t base = cu->base_addr;
    for (Dwarf_Signed i = 0; i < cnt; i++) {
        if (rs[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) base = rs[i].dwr_addr2;
        else if (rs[i].dwr_type == DW_RANGES_ENTRY) {
            if (push_range(out, &n, &cap, base + rs[i].dwr_addr1, base + rs[i].dwr_addr2) < 0)
                break;
        }
    }
    dwarf_ranges_dealloc(c->dbg, rs, cnt);
    return n;
}

/* The pc ranges of a DIE as malloc'ed [lo, hi) pairs; the count (0: none). */
size_t rt_die_ranges(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, uint64_t **out)
{
    Dwarf_Error e = NULL;
    Dwarf_Addr lo = 0, hi = 0;
    Dwarf_Half form = 0;
    enum Dwarf_Form_Class cls = DW_FORM_CLASS_UNKNOWN;
    *out = NULL;
    int r = dwarf_lowpc(d, &lo, &e);
    if (r == DW_DLV_OK) {
        r = dwarf_highpc_b(d, &hi, &form, &cls, &e);
        if (r != DW_DLV_OK) {
            if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
            return 0;
        }
        if (cls != DW_FORM_CLASS_ADDRESS) hi += lo;
        size_t n = 0, cap = 0;
        push_range(out, &n, &cap, lo, hi);
        return n;
    }
    if (r == DW_DLV_ERROR) { rt_dw_errfree(c, e); e = NULL; }
    Dwarf_Attribute a;
    r = dwarf_attr(d, DW_AT_ranges, &a, &e);
    if (r != DW_DLV_OK) {
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        return 0;
    }
    size_t n = cu->version >= 5 ? ranges_v5(c, a, out) : ranges_v4(c, cu, d, a, out);
    dwarf_dealloc_attribute(a);
    return n;
}
