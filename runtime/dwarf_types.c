/*
 * runtime/dwarf_types.c - C types from DWARF, named as C spells them.
 *
 * Types are built lazily, one rt_xtype per DIE, when a variable, member or
 * function refers to them; a type is registered before its parts are read so
 * recursive types (struct node { struct node *next; }) close on themselves.
 * Typedefs and const are resolved (fields copied from what they name) only
 * in rt_types_finish(), once every type exists. Then names are computed, with
 * a small C declarator printer ("char *const *", "int (*)[3]",
 * "int (*)(int, char *)"), and types are deduplicated across CUs by name:
 * two definitions of one tag (or typedef name) with different layouts get
 * distinct names ("struct node" and "struct node@b.c:7"); identical ones
 * become one type. volatile, restrict and _Atomic are stripped; const is kept
 * as a distinct type with is_const set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_priv.h"

/* Names longer than NAME_MAX_LEN are cut on purpose (snprintf). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define NAME_MAX_LEN 1024

/* ---- Creation ------------------------------------------------------------- */
/* A new zeroed type in the arena, appended to the module's list. */
static rt_xtype *new_type(rt_ctx *c, rt_xkind xk, rt_type_tag tag)
{
    rt_xtype *x = rt_arena_alloc(&c->p->arena, sizeof *x);
    if (!x) return NULL;
    x->xk = xk;
    x->t.tag = tag;
    *c->p->tail = x;
    c->p->tail = &x->next_all;
    return x;
}

/* "long unsigned int" -> "unsigned long" etc.: the spelling C programmers
 * (and gdb) use for gcc's and clang's base type names. */
static const char *norm_base(rt_ctx *c, const char *name)
{
    int uns = 0, sig = 0, shrt = 0, lng = 0, isint = 0, ischar = 0, other = 0;
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", name);
    for (char *save = NULL, *tok = strtok_r(tmp, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (!strcmp(tok, "unsigned")) uns = 1;
        else if (!strcmp(tok, "signed")) sig = 1;
        else if (!strcmp(tok, "short")) shrt = 1;
        else if (!strcmp(tok, "long")) lng++;
        else if (!strcmp(tok, "int")) isint = 1;
        else if (!strcmp(tok, "char")) ischar = 1;
        else other = 1;
    }
    if (other) {
        if (strstr(name, "__int128")) return rt_intern(c, uns ? "unsigned __int128" : "__int128");
        return rt_intern(c, name);
    }
    char out[64];
    snprintf(out, sizeof out, "%s%s%s",
             uns ? "unsigned " : (sig && ischar) ? "signed " : "",
             shrt ? "short" : lng >= 2 ? "long long" : lng ? "long" : "",
             ischar ? "char" : (shrt || lng) ? "" : (isint || uns || sig) ? "int" : "");
    return rt_intern(c, out);
}

/* Basename of the module file that CU file number fno names, or "?". */
static const char *decl_file(rt_ctx *c, const rt_cu *cu, Dwarf_Die d)
{
    Dwarf_Unsigned fno = 0;
    bool ok = false;
    uint32_t fi = 0;
    if (rt_attr_udata(c, d, DW_AT_decl_file, &fno) == 1) fi = rt_cu_file(cu, fno, &ok);
    if (!ok || fi >= c->files_v.n) return "?";
    const char *p = ((char **)c->files_v.p)[fi];
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* 1: constant value in *v; 0: absent; 2: present but not a constant
 * (a VLA bound: an expression or a reference to a variable). */
static int const_attr(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Unsigned *v)
{
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(d, at, &a, &e);
    if (r == DW_DLV_NO_ENTRY) return 0;
    if (r != DW_DLV_OK) { rt_dw_errfree(c, e); return 2; }
    Dwarf_Half form = 0;
    int ret = 2;
    if (dwarf_whatform(a, &form, &e) == DW_DLV_OK) {
        if (form == DW_FORM_data1 || form == DW_FORM_data2 || form == DW_FORM_data4 ||
            form == DW_FORM_data8 || form == DW_FORM_udata) {
            if (dwarf_formudata(a, v, &e) == DW_DLV_OK) ret = 1; else rt_dw_errfree(c, e);
        } else if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
            /* libdwarf 20210528 reads implicit_const only as signed */
            Dwarf_Signed s;
            if (dwarf_formsdata(a, &s, &e) == DW_DLV_OK) { *v = (Dwarf_Unsigned)s; ret = 1; }
            else rt_dw_errfree(c, e);
        }
    } else rt_dw_errfree(c, e);
    dwarf_dealloc_attribute(a);
    return ret;
}

/* DW_AT_data_member_location: a constant (DWARF 3+), or in DWARF 2 a
 * location block `DW_OP_plus_uconst N`. 0 when absent or another shape. */
static uint64_t member_offset(rt_ctx *c, Dwarf_Die d)
{
    Dwarf_Unsigned v = 0;
    int r = const_attr(c, d, DW_AT_data_member_location, &v);
    if (r == 1) return v;
    if (r == 0) return 0;
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    if (dwarf_attr(d, DW_AT_data_member_location, &a, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return 0; }
    Dwarf_Block *b = NULL;
    uint64_t off = 0;
    if (dwarf_formblock(a, &b, &e) == DW_DLV_OK) {
        const unsigned char *p = b->bl_data;
        if (b->bl_len >= 2 && p[0] == DW_OP_plus_uconst) {
            unsigned shift = 0;
            for (Dwarf_Unsigned i = 1; i < b->bl_len && shift < 64; i++, shift += 7) {
                off |= (uint64_t)(p[i] & 0x7f) << shift;
                if (!(p[i] & 0x80)) break;
            }
        }
        dwarf_dealloc(c->dbg, b, DW_DLA_BLOCK);
    } else {
        rt_dw_errfree(c, e);
    }
    dwarf_dealloc_attribute(a);
    return off;
}

typedef struct member_tmp { rt_member m; uint64_t bitpos; bool is_bf; } member_tmp;

/* Reads a struct/union DIE's size and members into x. Bitfields keep their
 * bit position from the start of the struct (in x->params, +1, 0 = not a
 * bitfield) until rt_types_finish() knows their types' sizes. */
static void build_struct(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, rt_xtype *x)
{
    Dwarf_Unsigned sz = 0;
    if (rt_attr_udata(c, d, DW_AT_byte_size, &sz) == 1) x->t.size = (uint32_t)sz;
    x->decl_only = rt_attr_flag(c, d, DW_AT_declaration);
    rt_vec mv = { NULL, 0, 0, sizeof(member_tmp) };
    Dwarf_Die ch = NULL;
    Dwarf_Error e = NULL;
    int r = rt_die_child(c, d, &ch, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    while (r == DW_DLV_OK) {
        if (rt_die_tag(c, ch) == DW_TAG_member) {
            member_tmp *mt = rt_vec_push(&mv);
            if (mt) {
                const char *nm = rt_die_name(c, ch);
                mt->m.name = nm ? nm : rt_intern(c, "");
                mt->m.type = (const rt_type *)rt_type_of(c, cu, ch);
                Dwarf_Unsigned loc = 0, bs = 0, dbo = 0, bo = 0, ubs = 0;
                loc = member_offset(c, ch);
                mt->m.offset = (uint32_t)loc;
                if (const_attr(c, ch, DW_AT_bit_size, &bs) == 1 && bs) {
                    mt->is_bf = true;
                    mt->m.bit_size = (uint16_t)bs;
                    if (const_attr(c, ch, DW_AT_data_bit_offset, &dbo) == 1) {
                        mt->bitpos = dbo;
                    } else if (const_attr(c, ch, DW_AT_bit_offset, &bo) == 1) {
                        /* DWARF 2/3: bits from the MSB of a storage unit of
                         * DW_AT_byte_size bytes at data_member_location */
                        if (const_attr(c, ch, DW_AT_byte_size, &ubs) != 1) ubs = 4;
                        mt->bitpos = loc * 8 + (ubs * 8 - bo - bs);
                    } else {
                        mt->bitpos = loc * 8;
                    }
                }
            }
        }
        Dwarf_Die sib = NULL;
        r = rt_die_sibling(c, ch, &sib, &e);
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        dwarf_dealloc_die(ch);
        ch = sib;
    }
    if (mv.n) {
        rt_member *ms = rt_arena_alloc(&c->p->arena, mv.n * sizeof *ms);
        uint64_t *bp = rt_arena_alloc(&c->p->arena, mv.n * sizeof *bp);
        if (ms && bp) {
            member_tmp *t = mv.p;
            for (size_t i = 0; i < mv.n; i++) {
                ms[i] = t[i].m;
                bp[i] = t[i].is_bf ? t[i].bitpos + 1 : 0;   /* 0: not a bitfield */
            }
            x->t.u.su.members = ms;
            x->t.u.su.n = (uint32_t)mv.n;
            x->params = (rt_xtype **)(void *)bp;            /* bit positions until finish */
        }
    }
    rt_vec_free(&mv);
}

/* Reads an enumeration DIE: size, underlying signedness, enumerators. */
static void build_enum(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, rt_xtype *x)
{
    Dwarf_Unsigned sz = 0;
    if (rt_attr_udata(c, d, DW_AT_byte_size, &sz) == 1) x->t.size = (uint32_t)sz;
    x->decl_only = rt_attr_flag(c, d, DW_AT_declaration);
    int known = 0;
    rt_xtype *u = rt_type_of(c, cu, d);
    while (u && (u->xk == RT_X_TYPEDEF || u->xk == RT_X_CONST)) u = u->under;
    if (u && u->xk == RT_X_PLAIN && (u->t.tag == RT_T_INT || u->t.tag == RT_T_UINT)) {
        known = 1;
        x->t.tag_signed = u->t.tag == RT_T_INT;
    }
    rt_vec ev = { NULL, 0, 0, sizeof(rt_enumerator) };
    Dwarf_Die ch = NULL;
    Dwarf_Error e = NULL;
    bool neg = false;
    int r = rt_die_child(c, d, &ch, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    while (r == DW_DLV_OK) {
        if (rt_die_tag(c, ch) == DW_TAG_enumerator) {
            rt_enumerator *en = rt_vec_push(&ev);
            if (en) {
                const char *nm = rt_die_name(c, ch);
                en->name = nm ? nm : rt_intern(c, "");
                Dwarf_Signed s = 0;
                Dwarf_Unsigned uv = 0;
                if (known && !x->t.tag_signed) {
                    if (rt_attr_udata(c, ch, DW_AT_const_value, &uv) == 1) en->value = (int64_t)uv;
                } else {
                    if (rt_attr_sdata(c, ch, DW_AT_const_value, &s) == 1) en->value = s;
                }
                if (en->value < 0) neg = true;
            }
        }
        Dwarf_Die sib = NULL;
        r = rt_die_sibling(c, ch, &sib, &e);
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        dwarf_dealloc_die(ch);
        ch = sib;
    }
    /* no underlying type given: signed only when a value is negative (gdb's rule) */
    if (!known) x->t.tag_signed = neg;
    if (ev.n) {
        rt_enumerator *es = rt_arena_alloc(&c->p->arena, ev.n * sizeof *es);
        if (es) {
            memcpy(es, ev.p, ev.n * sizeof *es);
            x->t.u.en.e = es;
            x->t.u.en.n = (uint32_t)ev.n;
        }
    }
    rt_vec_free(&ev);
}

/* DW_TAG_array_type: one nested RT_T_ARRAY per DW_TAG_subrange_type. */
static void build_array(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, rt_xtype *x)
{
    uint32_t dims[16];
    size_t nd = 0;
    Dwarf_Die ch = NULL;
    Dwarf_Error e = NULL;
    int r = rt_die_child(c, d, &ch, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    while (r == DW_DLV_OK) {
        Dwarf_Half tag = rt_die_tag(c, ch);
        if ((tag == DW_TAG_subrange_type || tag == DW_TAG_enumeration_type) && nd < 16) {
            Dwarf_Unsigned v = 0, lb = 0;
            uint32_t cnt = 0;
            int rc = const_attr(c, ch, DW_AT_count, &v), ru = 0;
            if (rc == 1) cnt = (uint32_t)v;
            else if (rc == 0 && (ru = const_attr(c, ch, DW_AT_upper_bound, &v)) == 1) {
                if (const_attr(c, ch, DW_AT_lower_bound, &lb) != 1) lb = 0;
                /* upper bound -1: a zero-length array */
                cnt = (int64_t)v < (int64_t)lb ? 0 : (uint32_t)(v - lb + 1);
            }
            if (nd == 0 && (rc == 2 || ru == 2)) {
                /* a VLA: the bound is read at run time (see rt_loc_vla) */
                Dwarf_Off so = 0;
                Dwarf_Error e2 = NULL;
                if (dwarf_dieoffset(ch, &so, &e2) == DW_DLV_OK) x->vla_sub = so;
                else rt_dw_errfree(c, e2);
            }
            dims[nd++] = cnt;
        }
        Dwarf_Die sib = NULL;
        r = rt_die_sibling(c, ch, &sib, &e);
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        dwarf_dealloc_die(ch);
        ch = sib;
    }
    if (nd == 0) dims[nd++] = 0;
    rt_xtype *elem = rt_type_of(c, cu, d);
    rt_xtype *cur = x;
    for (size_t i = 0; i < nd; i++) {
        cur->t.u.arr.count = dims[i];
        if (i + 1 < nd) {
            rt_xtype *in = new_type(c, RT_X_ARRAY, RT_T_ARRAY);
            if (!in) break;
            cur->under = in;
            cur = in;
        } else {
            cur->under = elem;
        }
    }
}

/* DW_TAG_subroutine_type: return type and parameter types. */
static void build_func(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, rt_xtype *x)
{
    x->under = rt_type_of(c, cu, d);
    x->proto = rt_attr_flag(c, d, DW_AT_prototyped) ? 1 : 0;
    rt_vec pv = { NULL, 0, 0, sizeof(rt_xtype *) };
    Dwarf_Die ch = NULL;
    Dwarf_Error e = NULL;
    int r = rt_die_child(c, d, &ch, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    while (r == DW_DLV_OK) {
        Dwarf_Half tag = rt_die_tag(c, ch);
        if (tag == DW_TAG_formal_parameter) {
            rt_xtype **slot = rt_vec_push(&pv);
            if (slot) *slot = rt_type_of(c, cu, ch);
        } else if (tag == DW_TAG_unspecified_parameters) {
            x->proto = 2;
        }
        Dwarf_Die sib = NULL;
        r = rt_die_sibling(c, ch, &sib, &e);
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        dwarf_dealloc_die(ch);
        ch = sib;
    }
    if (pv.n) {
        x->params = rt_arena_alloc(&c->p->arena, pv.n * sizeof(rt_xtype *));
        if (x->params) { memcpy(x->params, pv.p, pv.n * sizeof(rt_xtype *)); x->nparams = (uint32_t)pv.n; }
    }
    rt_vec_free(&pv);
}

/* Builds the type of DIE d (at offset off); registers it first. */
static rt_xtype *build(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, Dwarf_Off off)
{
    Dwarf_Half tag = rt_die_tag(c, d);
    rt_xtype *x = NULL;
    const char *nm = rt_die_name(c, d);
    Dwarf_Unsigned v = 0;
    switch (tag) {
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
    case DW_TAG_immutable_type:
        /* stripped: the type it qualifies (NULL: void) */
        x = rt_type_of(c, cu, d);
        if (x) rt_u64map_put(&c->die_types, off, x);
        return x;
    case DW_TAG_base_type: {
        Dwarf_Unsigned enc = 0;
        x = new_type(c, RT_X_PLAIN, RT_T_UNKNOWN);
        if (!x) return NULL;
        if (rt_attr_udata(c, d, DW_AT_byte_size, &v) == 1) x->t.size = (uint32_t)v;
        rt_attr_udata(c, d, DW_AT_encoding, &enc);
        x->base = nm ? norm_base(c, nm) : rt_intern(c, "<base>");
        switch (enc) {
        case DW_ATE_signed: x->t.tag = RT_T_INT; break;
        case DW_ATE_unsigned: case DW_ATE_UTF: x->t.tag = RT_T_UINT; break;
        case DW_ATE_signed_char: x->t.tag = RT_T_INT; x->t.is_char = true; break;
        case DW_ATE_unsigned_char: x->t.tag = RT_T_UINT; x->t.is_char = true; break;
        case DW_ATE_boolean: x->t.tag = RT_T_BOOL; break;
        case DW_ATE_float: x->t.tag = RT_T_FLOAT; break;
        default: x->t.tag = RT_T_UNKNOWN; break;
        }
        /* `char`, whichever its signedness: DWARF names it so; `signed char` and
           `unsigned char` (uint8_t buffers) are numbers, not text */
        x->t.is_plain_char = x->t.is_char && strcmp(x->base, "char") == 0;
        rt_u64map_put(&c->die_types, off, x);
        return x;
    }
    case DW_TAG_unspecified_type:
        x = new_type(c, RT_X_PLAIN, RT_T_VOID);
        if (!x) return NULL;
        x->base = nm ? nm : rt_intern(c, "void");
        rt_u64map_put(&c->die_types, off, x);
        return x;
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
        x = new_type(c, RT_X_PTR, RT_T_POINTER);
        if (!x) return NULL;
        x->t.size = rt_attr_udata(c, d, DW_AT_byte_size, &v) == 1 ? (uint32_t)v : 8;
        rt_u64map_put(&c->die_types, off, x);
        x->under = rt_type_of(c, cu, d);
        return x;
    case DW_TAG_const_type:
        x = new_type(c, RT_X_CONST, RT_T_VOID);
        if (!x) return NULL;
        rt_u64map_put(&c->die_types, off, x);
        x->under = rt_type_of(c, cu, d);
        return x;
    case DW_TAG_typedef:
        x = new_type(c, RT_X_TYPEDEF, RT_T_VOID);
        if (!x) return NULL;
        x->base = nm ? nm : rt_intern(c, "<typedef>");
        x->decl_file = decl_file(c, cu, d);
        if (rt_attr_udata(c, d, DW_AT_decl_line, &v) == 1) x->decl_line = (uint32_t)v;
        rt_u64map_put(&c->die_types, off, x);
        x->under = rt_type_of(c, cu, d);
        return x;
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
    case DW_TAG_enumeration_type: {
        bool is_enum = tag == DW_TAG_enumeration_type, is_union = tag == DW_TAG_union_type;
        x = new_type(c, is_enum ? RT_X_ENUM : is_union ? RT_X_UNION : RT_X_STRUCT,
                     is_enum ? RT_T_ENUM : is_union ? RT_T_UNION : RT_T_STRUCT);
        if (!x) return NULL;
        x->base = nm;
        x->decl_file = decl_file(c, cu, d);
        if (rt_attr_udata(c, d, DW_AT_decl_line, &v) == 1) x->decl_line = (uint32_t)v;
        rt_u64map_put(&c->die_types, off, x);
        if (is_enum) build_enum(c, cu, d, x);
        else build_struct(c, cu, d, x);
        return x;
    }
    case DW_TAG_array_type:
        x = new_type(c, RT_X_ARRAY, RT_T_ARRAY);
        if (!x) return NULL;
        rt_u64map_put(&c->die_types, off, x);
        build_array(c, cu, d, x);
        return x;
    case DW_TAG_subroutine_type:
        x = new_type(c, RT_X_FUNC, RT_T_FUNC);
        if (!x) return NULL;
        rt_u64map_put(&c->die_types, off, x);
        build_func(c, cu, d, x);
        return x;
    default: {
        char buf[64];
        x = new_type(c, RT_X_PLAIN, RT_T_UNKNOWN);
        if (!x) return NULL;
        if (rt_attr_udata(c, d, DW_AT_byte_size, &v) == 1) x->t.size = (uint32_t)v;
        snprintf(buf, sizeof buf, "<tag 0x%x>", tag);
        x->base = nm ? nm : rt_intern(c, buf);
        rt_u64map_put(&c->die_types, off, x);
        return x;
    }
    }
}

/* The type at global DIE offset off (built on first use); NULL for void or
 * an unreadable DIE. */
rt_xtype *rt_type_at(rt_ctx *c, const rt_cu *cu, Dwarf_Off off)
{
    rt_xtype *x = rt_u64map_get(&c->die_types, off);
    if (x) return x;
    Dwarf_Die d = NULL;
    Dwarf_Error e = NULL;
    if (dwarf_offdie_b(c->dbg, off, 1, &d, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return NULL; }
    x = build(c, cu, d, off);
    dwarf_dealloc_die(d);
    return x;
}

/* The type named by d's DW_AT_type; NULL (void) when it has none. */
rt_xtype *rt_type_of(rt_ctx *c, const rt_cu *cu, Dwarf_Die d)
{
    Dwarf_Off off;
    if (rt_attr_ref(c, d, DW_AT_type, &off) != 1) return NULL;
    return rt_type_at(c, cu, off);
}

/* ---- Finish: resolve ------------------------------------------------------- */
static void resolve(rt_xtype *x);

/* True when x, through typedefs, is const-qualified. */
static bool is_const_q(const rt_xtype *x)
{
    for (int guard = 0; x && guard < 64; guard++, x = x->under) {
        if (x->xk == RT_X_CONST) return true;
        if (x->xk != RT_X_TYPEDEF) return false;
    }
    return false;
}

/* Completes x once every type exists: typedef/const copy what they name,
 * pointers and arrays point at their parts, arrays get their size, bitfields
 * their storage unit. Idempotent; cycles are cut by in_naming. */
static void resolve(rt_xtype *x)
{
    if (!x || x->resolved || x->in_naming) return;
    x->in_naming = true;                    /* cycle guard (reused before naming) */
    switch (x->xk) {
    case RT_X_TYPEDEF:
    case RT_X_CONST:
        if (x->under) {
            resolve(x->under);
            rt_type keep = x->t;
            x->t = x->under->t;
            x->t.name = keep.name;
            x->t.trace_type_id = 0;
        } else {
            x->t.tag = RT_T_VOID;
            x->t.size = 0;
        }
        if (x->xk == RT_X_CONST) x->t.is_const = true;
        x->decl_only = x->under && x->under->decl_only;
        break;
    case RT_X_PTR:
        x->t.u.ptr.target = x->under ? &x->under->t : NULL;
        x->t.is_const = is_const_q(x->under);
        break;
    case RT_X_ARRAY:
        resolve(x->under);
        x->t.u.arr.elem = x->under ? &x->under->t : NULL;
        x->t.size = x->under ? x->t.u.arr.count * x->under->t.size : 0;
        x->t.is_const = is_const_q(x->under);
        break;
    case RT_X_STRUCT:
    case RT_X_UNION: {
        uint64_t *bp = (uint64_t *)(void *)x->params;
        rt_member *ms = (rt_member *)x->t.u.su.members;
        for (uint32_t i = 0; i < x->t.u.su.n; i++) {
            rt_xtype *mt = (rt_xtype *)(void *)ms[i].type;
            resolve(mt);
            if (!bp || !bp[i]) continue;
            /* a bitfield: the storage unit of its type's size that holds it,
             * or (packed fields straddling units) the byte that starts it */
            uint64_t pos = bp[i] - 1;
            uint32_t sz = mt && mt->t.size ? mt->t.size : 4;
            uint64_t unit = (uint64_t)sz * 8;
            if (pos % unit + ms[i].bit_size <= unit) {
                ms[i].offset = (uint32_t)(pos / unit * sz);
                ms[i].bit_offset = (uint16_t)(pos % unit);
            } else {
                ms[i].offset = (uint32_t)(pos / 8);
                ms[i].bit_offset = (uint16_t)(pos % 8);
            }
        }
        x->params = NULL;
        break;
    }
    default:
        break;
    }
    x->in_naming = false;
    x->resolved = true;
}

/* ---- Finish: names ------------------------------------------------------------ */
static const char *tag_word(const rt_xtype *x)
{
    return x->xk == RT_X_UNION ? "union" : x->xk == RT_X_ENUM ? "enum" : "struct";
}

/* The raw (pre-rename) name of a struct/union/enum: "struct point",
 * "struct <anon@a.c:12>". */
static const char *raw_tag_name(rt_ctx *c, rt_xtype *x)
{
    if (x->raw) return x->raw;
    char buf[NAME_MAX_LEN];
    if (x->base) snprintf(buf, sizeof buf, "%s %s", tag_word(x), x->base);
    else snprintf(buf, sizeof buf, "%s <anon@%s:%u>", tag_word(x), x->decl_file ? x->decl_file : "?",
                  x->decl_line);
    x->raw = rt_intern(c, buf);
    return x->raw;
}

static void assign_typedef(rt_ctx *c, rt_xtype *x);

/* Appends base and declarator inner with C's spacing into out. */
static void join(char *out, size_t n, const char *base, const char *inner)
{
    if (!inner[0]) snprintf(out, n, "%s", base);
    else if (inner[0] == '[') snprintf(out, n, "%s%s", base, inner);
    else snprintf(out, n, "%s %s", base, inner);
}

/* Prints the C declaration of type x around declarator `inner` (e.g. "*",
 * "[3]"), with tag names before (raw) or after (final) renames. */
static void decl(rt_ctx *c, rt_xtype *x, const char *inner, bool raw, char *out, size_t n)
{
    char tmp[NAME_MAX_LEN];
    if (!x) { join(out, n, "void", inner); return; }
    if (x->in_naming) { join(out, n, "<recursive>", inner); return; }
    switch (x->xk) {
    case RT_X_PLAIN:
        join(out, n, x->base ? x->base : "?", inner);
        return;
    case RT_X_STRUCT: case RT_X_UNION: case RT_X_ENUM:
        join(out, n, raw || !x->uniq ? raw_tag_name(c, x) : x->uniq, inner);
        return;
    case RT_X_TYPEDEF:
        if (!raw && !x->uniq) assign_typedef(c, x);
        join(out, n, raw || !x->uniq ? x->base : x->uniq, inner);
        return;
    default:
        break;
    }
    x->in_naming = true;
    switch (x->xk) {
    case RT_X_PTR:
        snprintf(tmp, sizeof tmp, "*%s", inner);
        decl(c, x->under, tmp, raw, out, n);
        break;
    case RT_X_CONST:
        if (x->under && x->under->xk == RT_X_PTR) {
            snprintf(tmp, sizeof tmp, "const%s%s", inner[0] ? " " : "", inner);
            decl(c, x->under, tmp, raw, out, n);
        } else {
            char in2[NAME_MAX_LEN];
            decl(c, x->under, inner, raw, in2, sizeof in2);
            snprintf(out, n, "const %s", in2);
        }
        break;
    case RT_X_ARRAY: {
        char dim[24] = "";
        if (x->t.u.arr.count) snprintf(dim, sizeof dim, "%u", x->t.u.arr.count);
        if (inner[0] == '*') snprintf(tmp, sizeof tmp, "(%s)[%s]", inner, dim);
        else snprintf(tmp, sizeof tmp, "%s[%s]", inner, dim);
        decl(c, x->under, tmp, raw, out, n);
        break;
    }
    case RT_X_FUNC: {
        char params[NAME_MAX_LEN] = "";
        size_t pl = 0;
        for (uint32_t i = 0; i < x->nparams && pl < sizeof params - 1; i++) {
            char one[NAME_MAX_LEN];
            decl(c, x->params[i], "", raw, one, sizeof one);
            pl += (size_t)snprintf(params + pl, sizeof params - pl, "%s%s", i ? ", " : "", one);
        }
        if (pl >= sizeof params) pl = sizeof params - 1;
        if (x->proto == 2) snprintf(params + pl, sizeof params - pl, "%s...", x->nparams ? ", " : "");
        else if (x->proto == 1 && x->nparams == 0) snprintf(params, sizeof params, "void");
        if (inner[0] == '*') snprintf(tmp, sizeof tmp, "(%s)(%s)", inner, params);
        else snprintf(tmp, sizeof tmp, "%s(%s)", inner, params);
        decl(c, x->under, tmp, raw, out, n);
        break;
    }
    default:
        join(out, n, "?", inner);
        break;
    }
    x->in_naming = false;
}

/* Per raw name: how many distinct layouts were named so far. */
typedef struct name_group { rt_strmap sigs; unsigned count; } name_group;


/* The final name for raw name `raw` with layout signature `sig`: raw for the
 * first layout seen, raw@file:line for the next ones. */
static const char *unique_name(rt_ctx *c, const char *raw, const char *sig, const char *file,
                               uint32_t line)
{
    name_group *g = rt_strmap_get(&c->name_groups, raw);
    if (!g) {
        g = calloc(1, sizeof *g);
        name_group **slot = rt_vec_push(&c->name_owned);
        if (!g || !slot) { free(g); return raw; }
        *slot = g;
        rt_strmap_put(&c->name_groups, raw, g);
    }
    const char *isig = rt_intern(c, sig);
    const char *have = rt_strmap_get(&g->sigs, isig);
    if (have) return have;
    char buf[NAME_MAX_LEN];
    if (g->count == 0) snprintf(buf, sizeof buf, "%s", raw);
    else {
        snprintf(buf, sizeof buf, "%s@%s:%u", raw, file ? file : "?", line);
        /* same place, other layout (a header compiled with other macros) */
        if (rt_strmap_get(&c->strs, buf)) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "#%u", g->count + 1);
        }
    }
    g->count++;
    const char *res = rt_intern(c, buf);
    rt_strmap_put(&g->sigs, isig, (void *)res);
    return res;
}

/* Layout signature of a struct/union/enum (uses raw member type names). */
static void struct_sig(rt_ctx *c, rt_xtype *x, char *out, size_t n)
{
    size_t l = (size_t)snprintf(out, n, "%u|%u|", x->t.size, (unsigned)x->xk);
    if (x->xk == RT_X_ENUM) {
        for (uint32_t i = 0; i < x->t.u.en.n && l < n; i++)
            l += (size_t)snprintf(out + l, n - l, "%s=%lld;", x->t.u.en.e[i].name,
                                  (long long)x->t.u.en.e[i].value);
        return;
    }
    for (uint32_t i = 0; i < x->t.u.su.n && l < n; i++) {
        const rt_member *m = &x->t.u.su.members[i];
        char tn[NAME_MAX_LEN];
        decl(c, (rt_xtype *)(void *)m->type, "", true, tn, sizeof tn);
        l += (size_t)snprintf(out + l, n - l, "%s:%s:%u:%u:%u;", m->name, tn, m->offset,
                              m->bit_offset, m->bit_size);
    }
}

/* Gives typedef x its final name: its own name for the first underlying
 * type seen under that name, name@file:line for the others. */
static void assign_typedef(rt_ctx *c, rt_xtype *x)
{
    if (x->uniq || x->in_naming) return;
    char sig[NAME_MAX_LEN];
    x->in_naming = true;
    decl(c, x->under, "", false, sig, sizeof sig);
    x->in_naming = false;
    x->uniq = unique_name(c, x->base, sig, x->decl_file, x->decl_line);
}

/* Resolves typedefs/const, names every type, deduplicates by name and
 * collects the representatives. 0, or -1 on OOM. */
int rt_types_finish(rt_ctx *c)
{
    rt_module_priv *p = c->p;
    c->name_owned.esz = sizeof(name_group *);
    for (rt_xtype *x = p->all_types; x; x = x->next_all) resolve(x);

    /* struct/union/enum definitions first, by raw name and layout; big
     * signatures are hashed to keep them short */
    size_t sigcap = 1 << 16;
    char *sig = malloc(sigcap);
    if (!sig) return -1;
    for (rt_xtype *x = p->all_types; x; x = x->next_all) {
        if ((x->xk != RT_X_STRUCT && x->xk != RT_X_UNION && x->xk != RT_X_ENUM) || x->decl_only)
            continue;
        struct_sig(c, x, sig, sigcap);
        x->uniq = unique_name(c, raw_tag_name(c, x), sig, x->decl_file, x->decl_line);
    }
    free(sig);
    /* declarations: the first definition of the tag, if any */
    for (rt_xtype *x = p->all_types; x; x = x->next_all) {
        if ((x->xk != RT_X_STRUCT && x->xk != RT_X_UNION && x->xk != RT_X_ENUM) || !x->decl_only)
            continue;
        x->uniq = raw_tag_name(c, x);
    }
    for (rt_xtype *x = p->all_types; x; x = x->next_all)
        if (x->xk == RT_X_TYPEDEF) assign_typedef(c, x);

    /* final names, then one representative per name (a complete type wins
     * over a declaration of the same name) */
    rt_strmap reps = { 0 };
    size_t nrep = 0;
    for (rt_xtype *x = p->all_types; x; x = x->next_all) {
        char buf[NAME_MAX_LEN];
        decl(c, x, "", false, buf, sizeof buf);
        x->t.name = rt_intern(c, buf);
        if (!x->t.name) { rt_strmap_free(&reps); return -1; }
        rt_xtype *r = rt_strmap_get(&reps, x->t.name);
        if (!r) { rt_strmap_put(&reps, x->t.name, x); nrep++; }
        else if (r->decl_only && !x->decl_only) rt_strmap_put(&reps, x->t.name, x);
    }
    for (rt_xtype *x = p->all_types; x; x = x->next_all) x->canon = rt_strmap_get(&reps, x->t.name);
    /* a typedef/const of a struct left incomplete in its CU, completed in
     * another one (an opaque type): it takes the completed layout */
    for (rt_xtype *x = p->all_types; x; x = x->next_all) {
        if (x->canon != x || !x->decl_only || (x->xk != RT_X_TYPEDEF && x->xk != RT_X_CONST))
            continue;
        rt_xtype *u = x->under;
        for (int guard = 0; u && (u->xk == RT_X_TYPEDEF || u->xk == RT_X_CONST) && guard < 64; guard++)
            u = u->under;
        if (!u || !u->canon || u->canon->decl_only) continue;
        u = u->canon;
        x->t.tag = u->t.tag;
        x->t.size = u->t.size;
        x->t.u = u->t.u;
        x->t.tag_signed = u->t.tag_signed;
        x->decl_only = false;
    }
    p->types = malloc((nrep ? nrep : 1) * sizeof *p->types);
    if (!p->types) { rt_strmap_free(&reps); return -1; }
    p->ntypes = 0;
    for (rt_xtype *x = p->all_types; x; x = x->next_all) {
        if (x->canon != x) continue;
        rt_type *t = &x->t;
        if (t->tag == RT_T_POINTER && t->u.ptr.target)
            t->u.ptr.target = rt_type_public((rt_xtype *)(void *)t->u.ptr.target);
        else if (t->tag == RT_T_ARRAY && t->u.arr.elem)
            t->u.arr.elem = rt_type_public((rt_xtype *)(void *)t->u.arr.elem);
        else if (t->tag == RT_T_STRUCT || t->tag == RT_T_UNION) {
            rt_member *ms = (rt_member *)t->u.su.members;
            for (uint32_t i = 0; i < t->u.su.n; i++)
                if (ms[i].type) ms[i].type = rt_type_public((rt_xtype *)(void *)ms[i].type);
        }
        if (t->tag == RT_T_VOID && x->xk != RT_X_PLAIN && x->xk != RT_X_TYPEDEF && x->xk != RT_X_CONST)
            continue;
        p->types[p->ntypes++] = t;
    }
    rt_strmap_free(&reps);
    for (size_t i = 0; i < c->name_owned.n; i++) {
        name_group *g = ((name_group **)c->name_owned.p)[i];
        rt_strmap_free(&g->sigs);
        free(g);
    }
    rt_vec_free(&c->name_owned);
    rt_strmap_free(&c->name_groups);
    return 0;
}

/* The canonical public type of x (NULL for void). */
const rt_type *rt_type_public(rt_xtype *x)
{
    if (!x) return NULL;
    if (x->canon) x = x->canon;
    return &x->t;
}
