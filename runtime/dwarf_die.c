/*
 * runtime/dwarf_die.c - reading DIEs with libdwarf without ever failing hard.
 *
 * Every libdwarf call gets an error pointer; an error is turned into a
 * warning on the load context (the first one is kept for the caller's
 * message) and the attribute is treated as absent. Before libdwarf, the
 * helpers try the raw reader (dwarf_priv.h): a DIE's attributes decoded
 * once from the bytes of .debug_info, children and siblings found by
 * offset; libdwarf answers whatever it cannot. Also: string interning,
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

/* ---- Raw reading (see dwarf_priv.h) ----------------------------------------- */
/* A little-endian unsigned value of n bytes (the caller checked the bounds). */
static uint64_t raw_fixed(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Reads the abbreviation table at `off` into c->rcu; false when it cannot
 * be used (unreadable, or codes too sparse for a table by code). */
static bool raw_abbrevs(rt_ctx *c, uint64_t off)
{
    rt_rawcu *u = &c->rcu;
    u->nab = u->nat = 0;
    if (!c->abbrev.p || off >= c->abbrev.len) return false;
    const unsigned char *p = c->abbrev.p + off, *end = c->abbrev.p + c->abbrev.len;
    bool bad = false;
    for (;;) {
        uint64_t code = rt_raw_uleb(&p, end, &bad);
        if (bad) return false;
        if (code == 0) break;
        rt_raw_uleb(&p, end, &bad);                      /* tag: dwarf_tag reads it */
        if (bad || p >= end || code > 65536) return false;
        bool children = *p++ == DW_CHILDREN_yes;
        if (code >= u->abcap) {
            size_t ncap = u->abcap ? u->abcap : 64;
            while (ncap <= code) ncap *= 2;
            rt_abbrev *na = realloc(u->ab, ncap * sizeof *na);
            if (!na) return false;
            u->ab = na;
            u->abcap = ncap;
        }
        if (code >= u->nab) {
            memset(u->ab + u->nab, 0, (code + 1 - u->nab) * sizeof *u->ab);
            u->nab = code + 1;
        }
        if (u->ab[code].ok) return false;                /* duplicate code */
        uint32_t first = (uint32_t)u->nat;
        for (;;) {
            uint64_t at = rt_raw_uleb(&p, end, &bad);
            uint64_t form = rt_raw_uleb(&p, end, &bad);
            int64_t imp = form == DW_FORM_implicit_const ? rt_raw_sleb(&p, end, &bad) : 0;
            if (bad || at > 0xffff || form > 0xffff) return false;
            if (at == 0 && form == 0) break;
            if (u->nat == u->atcap) {
                size_t ncap = u->atcap ? u->atcap * 2 : 256;
                rt_abbrev_attr *na = realloc(u->at, ncap * sizeof *na);
                if (!na) return false;
                u->at = na;
                u->atcap = ncap;
            }
            u->at[u->nat].at = (uint16_t)at;
            u->at[u->nat].form = (uint16_t)form;
            u->at[u->nat].implicit = imp;
            u->nat++;
        }
        u->ab[code].first = first;
        u->ab[code].n = (uint32_t)(u->nat - first);
        u->ab[code].ok = true;
        u->ab[code].children = children;
    }
    return true;
}

/* Prepares raw reading for the CU whose DIE is cudie (see dwarf_priv.h). */
void rt_raw_cu_begin(rt_ctx *c, Dwarf_Die cudie, uint64_t abbr_off, Dwarf_Half version,
                     Dwarf_Half addr_size, Dwarf_Half offset_size)
{
    rt_rawcu *u = &c->rcu;
    u->ok = false;
    c->rdie.state = 0;
    Dwarf_Off off = 0, len = 0;
    Dwarf_Error e = NULL;
    if (!c->info.p || (addr_size != 4 && addr_size != 8) || (offset_size != 4 && offset_size != 8))
        return;
    if (dwarf_die_CU_offset_range(cudie, &off, &len, &e) != DW_DLV_OK) {
        if (e) dwarf_dealloc_error(c->dbg, e);           /* libdwarf then reads it, as before */
        return;
    }
    if (off >= c->info.len || len > c->info.len - off) return;
    u->off = off;
    u->end = off + len;
    u->version = (uint8_t)version;
    u->addr_size = (uint8_t)addr_size;
    u->offset_size = (uint8_t)offset_size;
    u->ok = raw_abbrevs(c, abbr_off);
}

/* Frees the raw reader's tables. */
void rt_raw_free(rt_ctx *c)
{
    free(c->rcu.ab);
    free(c->rcu.at);
    memset(&c->rcu, 0, sizeof c->rcu);
}

/* Skips the value of one attribute of form `form` at *pp; false for a form
 * not decoded here (or bytes running out). */
static bool raw_skip(const rt_rawcu *u, unsigned form, const unsigned char **pp, const unsigned char *end)
{
    const unsigned char *p = *pp;
    bool bad = false;
    uint64_t n = 0;
    switch (form) {
    case DW_FORM_flag_present: case DW_FORM_implicit_const: n = 0; break;
    case DW_FORM_addr: n = u->addr_size; break;
    case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1: case DW_FORM_addrx1: n = 1; break;
    case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2: n = 2; break;
    case DW_FORM_strx3: case DW_FORM_addrx3: n = 3; break;
    case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4: case DW_FORM_addrx4: n = 4; break;
    case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: n = 8; break;
    case DW_FORM_data16: n = 16; break;
    case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_sec_offset: n = u->offset_size; break;
    case DW_FORM_ref_addr: n = u->version <= 2 ? u->addr_size : u->offset_size; break;
    case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
    case DW_FORM_rnglistx: case DW_FORM_loclistx:
        rt_raw_uleb(&p, end, &bad);
        break;
    case DW_FORM_sdata: rt_raw_sleb(&p, end, &bad); break;
    case DW_FORM_string: {
        const unsigned char *z = memchr(p, 0, (size_t)(end - p));
        if (!z) return false;
        p = z + 1;
        break;
    }
    case DW_FORM_block1: if (p >= end) return false; n = *p++; break;
    case DW_FORM_block2: if (end - p < 2) return false; n = raw_fixed(p, 2); p += 2; break;
    case DW_FORM_block4: if (end - p < 4) return false; n = raw_fixed(p, 4); p += 4; break;
    case DW_FORM_block: case DW_FORM_exprloc: n = rt_raw_uleb(&p, end, &bad); break;
    default: return false;                               /* indirect, GNU forms... */
    }
    if (bad || n > (uint64_t)(end - p)) return false;
    *pp = p + n;
    return true;
}

/* Decodes the attribute list of d into c->rdie (once per DIE); its state. */
static int raw_decode(rt_ctx *c, Dwarf_Die d)
{
    rt_rawcu *u = &c->rcu;
    if (!u->ok) return -1;
    Dwarf_Off off = 0;
    Dwarf_Error e = NULL;
    if (dwarf_dieoffset(d, &off, &e) != DW_DLV_OK) {
        if (e) dwarf_dealloc_error(c->dbg, e);
        return -1;
    }
    rt_rawdie *r = &c->rdie;
    if (r->state && r->off == off) return r->state;
    r->off = off;
    r->state = -1;
    r->n = 0;
    if (off < u->off || off >= u->end) return -1;        /* another CU's DIE */
    const unsigned char *p = c->info.p + off, *end = c->info.p + u->end;
    bool bad = false;
    uint64_t code = rt_raw_uleb(&p, end, &bad);
    if (bad || code == 0 || code >= u->nab || !u->ab[code].ok || u->ab[code].n > RT_RAW_MAX_ATTRS)
        return -1;
    const rt_abbrev_attr *aa = u->at + u->ab[code].first;
    for (uint32_t i = 0; i < u->ab[code].n; i++) {
        rt_rawattr *ra = &r->a[i];
        ra->at = aa[i].at;
        ra->form = aa[i].form;
        ra->p = p;
        ra->implicit = aa[i].implicit;
        if (!raw_skip(u, aa[i].form, &p, end)) return -1;
    }
    r->n = u->ab[code].n;
    r->attr_end = (uint64_t)(p - c->info.p);
    r->children = u->ab[code].children;
    r->state = 1;
    return 1;
}

/* The abbreviation of the DIE at `off` of the current CU, with the end of
 * its attributes in *attr_end and its DW_AT_sibling target in *sib (0 when
 * none); NULL when not readable here. *code 0: a null entry. */
static const rt_abbrev *raw_scan(rt_ctx *c, uint64_t off, uint64_t *code, uint64_t *attr_end, uint64_t *sib)
{
    rt_rawcu *u = &c->rcu;
    if (!u->ok || off < u->off || off >= u->end) return NULL;
    const unsigned char *p = c->info.p + off, *end = c->info.p + u->end;
    bool bad = false;
    *code = rt_raw_uleb(&p, end, &bad);
    *sib = 0;
    *attr_end = (uint64_t)(p - c->info.p);
    if (bad) return NULL;
    static const rt_abbrev null_entry;                   /* a null entry has no abbreviation */
    if (*code == 0) return &null_entry;
    if (*code >= u->nab || !u->ab[*code].ok) return NULL;
    const rt_abbrev *ab = &u->ab[*code];
    const rt_abbrev_attr *aa = u->at + ab->first;
    for (uint32_t i = 0; i < ab->n; i++) {
        const unsigned char *v = p;
        if (!raw_skip(u, aa[i].form, &p, end)) return NULL;
        if (aa[i].at == DW_AT_sibling && !*sib) {
            uint64_t r;
            switch (aa[i].form) {
            case DW_FORM_ref1: r = v[0]; break;
            case DW_FORM_ref2: r = raw_fixed(v, 2); break;
            case DW_FORM_ref4: r = raw_fixed(v, 4); break;
            case DW_FORM_ref8: r = raw_fixed(v, 8); break;
            default: return NULL;
            }
            *sib = u->off + r;
            if (r >= u->end - u->off) return NULL;
        }
    }
    *attr_end = (uint64_t)(p - c->info.p);
    return ab;
}

/* raw_scan of a (non-null) DIE, from the last DIE decoded when it is that
 * one: *children, the end of its attributes, its DW_AT_sibling target (0:
 * none). False when not readable here. */
static bool raw_shape(rt_ctx *c, uint64_t off, bool *children, uint64_t *attr_end, uint64_t *sib)
{
    const rt_rawdie *r = &c->rdie;
    if (r->state == 1 && r->off == off) {
        *children = r->children;
        *attr_end = r->attr_end;
        *sib = 0;
        for (uint32_t i = 0; i < r->n; i++) {
            if (r->a[i].at != DW_AT_sibling) continue;
            uint64_t v;
            switch (r->a[i].form) {
            case DW_FORM_ref1: v = r->a[i].p[0]; break;
            case DW_FORM_ref2: v = raw_fixed(r->a[i].p, 2); break;
            case DW_FORM_ref4: v = raw_fixed(r->a[i].p, 4); break;
            case DW_FORM_ref8: v = raw_fixed(r->a[i].p, 8); break;
            default: return false;
            }
            if (v >= c->rcu.end - c->rcu.off) return false;
            *sib = c->rcu.off + v;
            break;
        }
        return true;
    }
    uint64_t code;
    const rt_abbrev *ab = raw_scan(c, off, &code, attr_end, sib);
    if (!ab || code == 0) return false;
    *children = ab->children;
    return true;
}

/* The offset just past the DIE at `off` and its children (its next
 * sibling, or the null entry ending the chain); 0 when not readable here. */
static uint64_t raw_after(rt_ctx *c, uint64_t off, unsigned depth)
{
    uint64_t next, sib;
    bool children;
    if (depth > 64 || !raw_shape(c, off, &children, &next, &sib)) return 0;
    if (!children) return next;
    if (sib) return sib > off ? sib : 0;
    for (;;) {                                           /* the children, then their null entry */
        uint64_t kc, kend, ksib;
        const rt_abbrev *kab = raw_scan(c, next, &kc, &kend, &ksib);
        if (!kab) return 0;
        if (kc == 0) return kend;
        next = raw_after(c, next, depth + 1);
        if (!next) return 0;
    }
}

/* The DIE at `off` (OK), or DW_DLV_NO_ENTRY at a null entry or the CU's end. */
static int raw_goto(rt_ctx *c, uint64_t off, Dwarf_Die *out, Dwarf_Error *e)
{
    if (off >= c->rcu.end) return DW_DLV_NO_ENTRY;
    const unsigned char *p = c->info.p + off;
    bool bad = false;
    if (rt_raw_uleb(&p, c->info.p + c->rcu.end, &bad) == 0 && !bad) return DW_DLV_NO_ENTRY;
    return dwarf_offdie_b(c->dbg, off, 1, out, e);
}

/* The current CU's offset of d, or 0 when raw reading cannot walk from it. */
static uint64_t raw_off(rt_ctx *c, Dwarf_Die d)
{
    Dwarf_Off off = 0;
    Dwarf_Error e = NULL;
    if (!c->rcu.ok) return 0;
    if (dwarf_dieoffset(d, &off, &e) != DW_DLV_OK) {
        if (e) dwarf_dealloc_error(c->dbg, e);
        return 0;
    }
    return off >= c->rcu.off && off < c->rcu.end ? off : 0;
}

/* Contract: see dwarf_priv.h. */
int rt_die_child(rt_ctx *c, Dwarf_Die d, Dwarf_Die *out, Dwarf_Error *e)
{
    uint64_t off = raw_off(c, d), attr_end, sib;
    bool children;
    if (!off || !raw_shape(c, off, &children, &attr_end, &sib)) return dwarf_child(d, out, e);
    if (!children) return DW_DLV_NO_ENTRY;
    return raw_goto(c, attr_end, out, e);
}

/* Contract: see dwarf_priv.h. */
int rt_die_sibling(rt_ctx *c, Dwarf_Die d, Dwarf_Die *out, Dwarf_Error *e)
{
    uint64_t off = raw_off(c, d);
    uint64_t next = off ? raw_after(c, off, 0) : 0;
    if (!next) return dwarf_siblingof_b(c->dbg, d, 1, out, e);
    return raw_goto(c, next, out, e);
}

/* Contract: see dwarf_priv.h. The first attribute `at`, as libdwarf's
 * dwarf_attr finds it. */
int rt_raw_attr(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, const rt_rawattr **out)
{
    if (raw_decode(c, d) != 1) return -1;
    for (uint32_t i = 0; i < c->rdie.n; i++)
        if (c->rdie.a[i].at == at) { *out = &c->rdie.a[i]; return 1; }
    return 0;
}

/* An unsigned constant of a raw attribute, for the forms dwarf_formudata
 * reads as they are (an implicit constant: its bits, as rt_attr_udata's
 * libdwarf path gives them); false for the others. */
static bool raw_udata(const rt_rawattr *ra, Dwarf_Unsigned *out)
{
    switch (ra->form) {
    case DW_FORM_data1: *out = ra->p[0]; return true;
    case DW_FORM_data2: *out = raw_fixed(ra->p, 2); return true;
    case DW_FORM_data4: *out = raw_fixed(ra->p, 4); return true;
    case DW_FORM_data8: *out = raw_fixed(ra->p, 8); return true;
    case DW_FORM_implicit_const: *out = (Dwarf_Unsigned)ra->implicit; return true;
    case DW_FORM_udata: {
        bool bad = false;
        const unsigned char *p = ra->p;
        *out = rt_raw_uleb(&p, p + 16, &bad);            /* bounded at decode */
        return !bad;
    }
    default: return false;
    }
}

/* Reads an unsigned constant attribute. 1 found, 0 absent, -1 error. */
int rt_attr_udata(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Unsigned *out)
{
    const rt_rawattr *ra;
    int k = rt_raw_attr(c, d, at, &ra);
    if (k == 0) return 0;
    if (k == 1 && raw_udata(ra, out)) return 1;
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
    const rt_rawattr *ra;
    int k = rt_raw_attr(c, d, at, &ra);
    if (k == 0) return 0;
    if (k == 1 && ra->form == DW_FORM_flag_present) return 1;
    if (k == 1 && ra->form == DW_FORM_flag) return ra->p[0] ? 1 : 0;
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
    const rt_rawattr *ra;
    int k = rt_raw_attr(c, d, at, &ra);
    if (k == 0) return 0;
    if (k == 1) {
        /* a CU-relative reference inside this CU; anything else: libdwarf */
        Dwarf_Unsigned v = 0;
        bool known = true;
        switch (ra->form) {
        case DW_FORM_ref1: v = ra->p[0]; break;
        case DW_FORM_ref2: v = raw_fixed(ra->p, 2); break;
        case DW_FORM_ref4: v = raw_fixed(ra->p, 4); break;
        case DW_FORM_ref8: v = raw_fixed(ra->p, 8); break;
        default: known = false;
        }
        if (known && v < c->rcu.end - c->rcu.off) { *out = c->rcu.off + v; return 1; }
    }
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
    const rt_rawattr *ra;
    int k = rt_raw_attr(c, d, DW_AT_name, &ra);
    if (k == 0) return NULL;
    if (k == 1) {
        /* inline, or in .debug_str / .debug_line_str, NUL-terminated there */
        const rt_rawsec *sec = ra->form == DW_FORM_strp ? &c->str :
                               ra->form == DW_FORM_line_strp ? &c->line_str : NULL;
        if (ra->form == DW_FORM_string) return rt_intern(c, (const char *)ra->p);
        uint64_t so = sec && sec->p ? raw_fixed(ra->p, c->rcu.offset_size) : UINT64_MAX;
        if (sec && so < sec->len && memchr(sec->p + so, 0, sec->len - so))
            return rt_intern(c, (const char *)sec->p + so);
    }
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
    const rt_rawattr *ral, *rah;
    int kl = rt_raw_attr(c, d, DW_AT_low_pc, &ral);
    if (kl == 0 && rt_raw_attr(c, d, DW_AT_ranges, &rah) == 0) return 0;
    if (kl == 1 && ral->form == DW_FORM_addr) {
        int kh = rt_raw_attr(c, d, DW_AT_high_pc, &rah);
        Dwarf_Unsigned hv = 0;
        if (kh == 0) return 0;
        if (kh == 1 && (rah->form == DW_FORM_addr || raw_udata(rah, &hv))) {
            lo = raw_fixed(ral->p, c->rcu.addr_size);
            hi = rah->form == DW_FORM_addr ? raw_fixed(rah->p, c->rcu.addr_size) : lo + hv;
            size_t n = 0, cap = 0;
            push_range(out, &n, &cap, lo, hi);
            return n;
        }
    }
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
