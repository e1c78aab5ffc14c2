/*
 * runtime/dwarf_locs.c - DWARF location expressions turned into rt_loc.
 *
 * The runtime evaluates only a few shapes, the ones -O0 code (and simple
 * optimised code) uses: an address on the frame base or on a register, a
 * static address, a value in a register, and one dereference (VLAs). The
 * frame base is folded in here, once per function, so the hot path never
 * sees DW_OP_fbreg: gcc's DW_OP_call_frame_cfa becomes rbp+16 (true at every
 * probe after the prologue with -fno-omit-frame-pointer), clang's DW_OP_reg6
 * becomes rbp+0. Location lists are kept as [lo, hi) -> rt_loc ranges and
 * resolved per pc by rt_module_visible_vars(). Everything else is
 * RT_LOC_UNSUPPORTED, which the runtime shows as an Error value.
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf_priv.h"

typedef struct rt_op { Dwarf_Small atom; Dwarf_Unsigned o1, o2; } rt_op;

static rt_loc mkloc(rt_loc_kind k, int reg, int64_t off, int64_t off2)
{
    rt_loc l = { k, reg, off, off2 };
    return l;
}

/* Turns one expression (ops) into an rt_loc, using the frame base fb. */
static rt_loc ops_to_loc(const rt_op *op, size_t n, rt_fbase fb)
{
    if (n == 0) return mkloc(RT_LOC_NONE, 0, 0, 0);
    rt_loc l;
    size_t i = 1;
    Dwarf_Small a = op[0].atom;
    if (a == DW_OP_fbreg) {
        if (!fb.ok) return mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
        l = mkloc(RT_LOC_REG_OFFSET, fb.reg, fb.off + (int64_t)op[0].o1, 0);
    } else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
        l = mkloc(RT_LOC_REG_OFFSET, a - DW_OP_breg0, (int64_t)op[0].o1, 0);
    } else if (a == DW_OP_bregx) {
        l = mkloc(RT_LOC_REG_OFFSET, (int)op[0].o1, (int64_t)op[0].o2, 0);
    } else if (a == DW_OP_addr || a == DW_OP_addrx || a == DW_OP_GNU_addr_index) {
        l = mkloc(RT_LOC_ADDR, 0, (int64_t)op[0].o1, 0);
    } else if (n == 2 && (a == DW_OP_const8u || a == DW_OP_const4u || a == DW_OP_constu) &&
               (op[1].atom == DW_OP_GNU_push_tls_address || op[1].atom == DW_OP_form_tls_address)) {
        /* a thread-local: its offset in the module's TLS block (gcc and clang) */
        return mkloc(RT_LOC_TLS, 0, (int64_t)op[0].o1, 0);
    } else if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
        return n == 1 ? mkloc(RT_LOC_IN_REG, a - DW_OP_reg0, 0, 0)
                      : mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
    } else if (a == DW_OP_regx) {
        return n == 1 ? mkloc(RT_LOC_IN_REG, (int)op[0].o1, 0, 0)
                      : mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
    } else {
        return mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
    }
    /* tails: + constant, one dereference, + constant after it */
    for (; i < n; i++) {
        Dwarf_Small t = op[i].atom;
        if (t == DW_OP_plus_uconst) {
            if (l.kind == RT_LOC_REG_OFFSET_DEREF) l.offset2 += (int64_t)op[i].o1;
            else l.offset += (int64_t)op[i].o1;
        } else if (t == DW_OP_deref && l.kind == RT_LOC_REG_OFFSET) {
            l.kind = RT_LOC_REG_OFFSET_DEREF;
        } else if (t == DW_OP_deref && l.kind == RT_LOC_ADDR) {
            return mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
        } else {
            return mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
        }
    }
    return l;
}

/* Reads the operators of one location description (at most `max`).
 * Returns the count, or (size_t)-1 when unreadable or too long. */
static size_t read_ops(rt_ctx *c, Dwarf_Die die, Dwarf_Locdesc_c desc, Dwarf_Unsigned nops,
                       rt_op *ops, size_t max)
{
    if (nops > max) return (size_t)-1;
    for (Dwarf_Unsigned j = 0; j < nops; j++) {
        Dwarf_Small atom = 0;
        Dwarf_Unsigned o1 = 0, o2 = 0, o3 = 0, r1, r2, r3, br;
        Dwarf_Error e = NULL;
        if (dwarf_get_location_op_value_d(desc, j, &atom, &o1, &o2, &o3, &r1, &r2, &r3, &br, &e)
            != DW_DLV_OK) {
            rt_dw_errfree(c, e);
            return (size_t)-1;
        }
        if (atom == DW_OP_addrx || atom == DW_OP_GNU_addr_index || atom == DW_OP_constx) {
            /* DWARF 5 (clang): an index into .debug_addr */
            Dwarf_Addr ad = 0;
            if (dwarf_debug_addr_index_to_addr(die, o1, &ad, &e) != DW_DLV_OK) {
                rt_dw_errfree(c, e);
                return (size_t)-1;
            }
            o1 = ad;
            if (atom == DW_OP_constx) atom = DW_OP_addr;   /* treated alike: an address */
        }
        ops[j].atom = atom;
        ops[j].o1 = o1;
        ops[j].o2 = o2;
    }
    return (size_t)nops;
}

#define RT_MAX_OPS 8


/* Fast path: decodes a DW_FORM_exprloc expression made only of the
 * operators ops_to_loc() knows, straight from its bytes (libdwarf's
 * location-list machinery allocates several objects per variable: it was
 * the biggest cost of loading). Returns the operator count, or -1 when the
 * expression holds anything else (the caller then asks libdwarf). */
static long fast_ops_bytes(rt_ctx *c, Dwarf_Die die, const unsigned char *p, size_t len, rt_op *ops,
                           size_t max)
{
    Dwarf_Error e = NULL;
    const unsigned char *end = p + len;
    size_t n = 0;
    bool bad = false;
    while (p < end && !bad) {
        if (n == max) return -1;
        unsigned op = *p++;
        uint64_t u = 0, u2 = 0;
        if (op == DW_OP_addr) {
            if (end - p < 8) return -1;
            for (int k = 0; k < 8; k++) u |= (uint64_t)p[k] << (8 * k);
            p += 8;
        } else if (op == DW_OP_fbreg || (op >= DW_OP_breg0 && op <= DW_OP_breg31)) {
            u = (uint64_t)rt_raw_sleb(&p, end, &bad);
        } else if (op == DW_OP_bregx) {
            u = rt_raw_uleb(&p, end, &bad);
            u2 = (uint64_t)rt_raw_sleb(&p, end, &bad);
        } else if (op == DW_OP_regx || op == DW_OP_plus_uconst) {
            u = rt_raw_uleb(&p, end, &bad);
        } else if (op == DW_OP_addrx) {
            u = rt_raw_uleb(&p, end, &bad);
            Dwarf_Addr ad = 0;
            if (bad || dwarf_debug_addr_index_to_addr(die, u, &ad, &e) != DW_DLV_OK) {
                if (e) rt_dw_errfree(c, e);
                return -1;
            }
            u = ad;
        } else if (!(op == DW_OP_deref || op == DW_OP_call_frame_cfa ||
                     (op >= DW_OP_reg0 && op <= DW_OP_reg31))) {
            return -1;
        }
        ops[n].atom = (Dwarf_Small)op;
        ops[n].o1 = u;
        ops[n].o2 = u2;
        n++;
    }
    return bad ? -1 : (long)n;
}

/* fast_ops_bytes on a libdwarf attribute (its DW_FORM_exprloc bytes). */
static long fast_ops(rt_ctx *c, Dwarf_Die die, Dwarf_Attribute a, rt_op *ops, size_t max)
{
    Dwarf_Half form = 0;
    Dwarf_Error e = NULL;
    if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    if (form != DW_FORM_exprloc) return -1;
    Dwarf_Unsigned len = 0;
    Dwarf_Ptr ptr = NULL;
    if (dwarf_formexprloc(a, &len, &ptr, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return -1; }
    return fast_ops_bytes(c, die, ptr, (size_t)len, ops, max);
}

/* The fast path on the raw attribute `at` of d (see rt_raw_attr): RAW_ABSENT,
 * RAW_DONE (*n operators in ops), RAW_TRIED (an exprloc the fast path does
 * not know: libdwarf's location machinery, without fast_ops again), or
 * RAW_UNKNOWN (libdwarf from the start, as without raw reading). */
enum { RAW_ABSENT, RAW_DONE, RAW_TRIED, RAW_UNKNOWN };
static int raw_ops(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, rt_op *ops, size_t max, long *n)
{
    const rt_rawattr *ra;
    int k = rt_raw_attr(c, d, at, &ra);
    if (k == 0) return RAW_ABSENT;
    if (k < 0) return RAW_UNKNOWN;
    if (ra->form != DW_FORM_exprloc) return RAW_TRIED;   /* fast_ops would refuse it too */
    const unsigned char *p = ra->p;
    bool bad = false;
    uint64_t len = rt_raw_uleb(&p, p + 16, &bad);        /* length checked at decode */
    if (bad) return RAW_UNKNOWN;
    *n = fast_ops_bytes(c, d, p, (size_t)len, ops, max);
    return *n >= 0 ? RAW_DONE : RAW_TRIED;
}

/* The frame base from already-decoded operators. */
static rt_fbase fbase_of(const rt_op *ops, size_t n)
{
    rt_fbase fb = { false, 0, 0 };
    if (n == 1 && ops[0].atom == DW_OP_call_frame_cfa) {
        fb.ok = true; fb.reg = 6; fb.off = 16;
    } else if (n == 1 && ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) {
        fb.ok = true; fb.reg = ops[0].atom - DW_OP_reg0; fb.off = 0;
    } else if (n == 1 && ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
        fb.ok = true; fb.reg = ops[0].atom - DW_OP_breg0; fb.off = (int64_t)ops[0].o1;
    }
    return fb;
}

/* The frame base of a subprogram DIE (see the file comment). */
rt_fbase rt_loc_frame_base(rt_ctx *c, Dwarf_Die fn)
{
    rt_fbase fb = { false, 0, 0 };
    rt_op fops[RT_MAX_OPS];
    long fn_n = -1;
    int raw = raw_ops(c, fn, DW_AT_frame_base, fops, RT_MAX_OPS, &fn_n);
    if (raw == RAW_ABSENT) return fb;
    if (raw == RAW_DONE) return fbase_of(fops, (size_t)fn_n);
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(fn, DW_AT_frame_base, &a, &e);
    if (r != DW_DLV_OK) {
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        return fb;
    }
    if (raw == RAW_UNKNOWN) fn_n = fast_ops(c, fn, a, fops, RT_MAX_OPS);
    if (fn_n >= 0) {
        dwarf_dealloc_attribute(a);
        return fbase_of(fops, (size_t)fn_n);
    }
    Dwarf_Loc_Head_c head = NULL;
    Dwarf_Unsigned cnt = 0;
    unsigned kind = DW_LKIND_unknown;
    if (dwarf_get_loclist_c(a, &head, &cnt, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        dwarf_dealloc_attribute(a);
        return fb;
    }
    if (dwarf_get_loclist_head_kind(head, &kind, &e) == DW_DLV_OK && kind == DW_LKIND_expression &&
        cnt == 1) {
        Dwarf_Small lle = 0, src = 0;
        Dwarf_Unsigned rlo, rhi, nops = 0, eoff, doff;
        Dwarf_Bool unavail = 0;
        Dwarf_Addr lo, hi;
        Dwarf_Locdesc_c desc = NULL;
        rt_op ops[RT_MAX_OPS];
        if (dwarf_get_locdesc_entry_d(head, 0, &lle, &rlo, &rhi, &unavail, &lo, &hi, &nops, &desc,
                                      &src, &eoff, &doff, &e) == DW_DLV_OK) {
            size_t n = read_ops(c, fn, desc, nops, ops, RT_MAX_OPS);
            if (n != (size_t)-1) fb = fbase_of(ops, n);
        } else {
            rt_dw_errfree(c, e);
        }
    } else if (e) {
        rt_dw_errfree(c, e);
    }
    dwarf_loc_head_c_dealloc(head);
    dwarf_dealloc_attribute(a);
    return fb;
}

/* Fills v->loc (single expression) or v->ranges (location list) from the
 * DW_AT_location of d. No DW_AT_location: RT_LOC_NONE (optimised out). */
void rt_loc_var(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, rt_fbase fb, rt_svar *v)
{
    (void)cu;
    v->loc = mkloc(RT_LOC_NONE, 0, 0, 0);
    rt_op fops[RT_MAX_OPS];
    long fn_n = -1;
    int raw = raw_ops(c, d, DW_AT_location, fops, RT_MAX_OPS, &fn_n);
    if (raw == RAW_ABSENT) return;
    if (raw == RAW_DONE) { v->loc = ops_to_loc(fops, (size_t)fn_n, fb); return; }
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    int r = dwarf_attr(d, DW_AT_location, &a, &e);
    if (r != DW_DLV_OK) {
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        return;
    }
    if (raw == RAW_UNKNOWN) fn_n = fast_ops(c, d, a, fops, RT_MAX_OPS);
    if (fn_n >= 0) {
        v->loc = ops_to_loc(fops, (size_t)fn_n, fb);
        dwarf_dealloc_attribute(a);
        return;
    }
    Dwarf_Loc_Head_c head = NULL;
    Dwarf_Unsigned cnt = 0;
    unsigned kind = DW_LKIND_unknown;
    if (dwarf_get_loclist_c(a, &head, &cnt, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        dwarf_dealloc_attribute(a);
        v->loc = mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
        return;
    }
    if (dwarf_get_loclist_head_kind(head, &kind, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        kind = DW_LKIND_unknown;
    }
    rt_op ops[RT_MAX_OPS];
    if (kind == DW_LKIND_expression) {
        Dwarf_Small lle = 0, src = 0;
        Dwarf_Unsigned rlo, rhi, nops = 0, eoff, doff;
        Dwarf_Bool unavail = 0;
        Dwarf_Addr lo, hi;
        Dwarf_Locdesc_c desc = NULL;
        if (cnt >= 1 && dwarf_get_locdesc_entry_d(head, 0, &lle, &rlo, &rhi, &unavail, &lo, &hi,
                                                  &nops, &desc, &src, &eoff, &doff, &e) == DW_DLV_OK) {
            size_t n = read_ops(c, d, desc, nops, ops, RT_MAX_OPS);
            v->loc = n == (size_t)-1 ? mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0) : ops_to_loc(ops, n, fb);
        } else {
            rt_dw_errfree(c, e);
            v->loc = mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
        }
    } else if (kind == DW_LKIND_loclist || kind == DW_LKIND_loclists) {
        v->is_list = true;
        v->ranges = cnt ? rt_arena_alloc(&c->p->arena, cnt * sizeof *v->ranges) : NULL;
        for (Dwarf_Unsigned i = 0; v->ranges && i < cnt; i++) {
            Dwarf_Small lle = 0, src = 0;
            Dwarf_Unsigned rlo, rhi, nops = 0, eoff, doff;
            Dwarf_Bool unavail = 0;
            Dwarf_Addr lo = 0, hi = 0;
            Dwarf_Locdesc_c desc = NULL;
            if (dwarf_get_locdesc_entry_d(head, i, &lle, &rlo, &rhi, &unavail, &lo, &hi, &nops,
                                          &desc, &src, &eoff, &doff, &e) != DW_DLV_OK) {
                rt_dw_errfree(c, e);
                e = NULL;
                continue;
            }
            /* base-address and end entries carry no expression */
            if (unavail || nops == 0 || hi <= lo) continue;
            if (kind == DW_LKIND_loclists && lle != DW_LLE_offset_pair && lle != DW_LLE_start_end &&
                lle != DW_LLE_start_length && lle != DW_LLE_startx_endx &&
                lle != DW_LLE_startx_length)
                continue;
            size_t n = read_ops(c, d, desc, nops, ops, RT_MAX_OPS);
            rt_loc_range *lr = &v->ranges[v->nranges++];
            lr->lo = lo;
            lr->hi = hi;
            lr->loc = n == (size_t)-1 ? mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0) : ops_to_loc(ops, n, fb);
        }
    } else {
        v->loc = mkloc(RT_LOC_UNSUPPORTED, 0, 0, 0);
    }
    dwarf_loc_head_c_dealloc(head);
    dwarf_dealloc_attribute(a);
}

/* Where a VLA's bound is stored, from its DW_TAG_subrange_type at `sub`:
 * gcc: DW_AT_upper_bound = `fbreg N; deref` (the upper bound is in the
 * frame at fb+N: the address is the expression without its deref; +1);
 * clang: DW_AT_count = a reference to an artificial variable (__vla_expr0)
 * whose location is the address; +0. Anything else: RT_LOC_NONE. */
void rt_loc_vla(rt_ctx *c, const rt_cu *cu, Dwarf_Off sub, rt_fbase fb, rt_loc *out, int64_t *add)
{
    *out = mkloc(RT_LOC_NONE, 0, 0, 0);
    *add = 0;
    Dwarf_Die d = NULL;
    Dwarf_Error e = NULL;
    if (dwarf_offdie_b(c->dbg, sub, 1, &d, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return; }
    Dwarf_Attribute a = NULL;
    Dwarf_Half at = DW_AT_count;
    int r = dwarf_attr(d, at, &a, &e);
    if (r == DW_DLV_NO_ENTRY) {
        at = DW_AT_upper_bound;
        r = dwarf_attr(d, at, &a, &e);
    }
    if (r != DW_DLV_OK) {
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        dwarf_dealloc_die(d);
        return;
    }
    Dwarf_Signed lb = 0;
    int64_t plus = at == DW_AT_upper_bound ? 1 - (rt_attr_sdata(c, d, DW_AT_lower_bound, &lb) == 1 ? lb : 0) : 0;
    Dwarf_Half form = 0;
    if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); form = 0; e = NULL; }
    if (form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 || form == DW_FORM_ref8 ||
        form == DW_FORM_ref_udata || form == DW_FORM_ref_addr) {
        /* the bound is a variable: its address is where the value is */
        Dwarf_Off vo = 0;
        Dwarf_Die vd = NULL;
        if (dwarf_global_formref(a, &vo, &e) == DW_DLV_OK && dwarf_offdie_b(c->dbg, vo, 1, &vd, &e) == DW_DLV_OK) {
            rt_svar tmp;
            memset(&tmp, 0, sizeof tmp);
            rt_loc_var(c, cu, vd, fb, &tmp);
            if (!tmp.is_list && (tmp.loc.kind == RT_LOC_REG_OFFSET || tmp.loc.kind == RT_LOC_ADDR)) {
                *out = tmp.loc;
                *add = plus;
            }
            dwarf_dealloc_die(vd);
        } else {
            rt_dw_errfree(c, e);
        }
    } else if (form == DW_FORM_exprloc || form == DW_FORM_block1 || form == DW_FORM_block2 ||
               form == DW_FORM_block4 || form == DW_FORM_block) {
        Dwarf_Loc_Head_c head = NULL;
        Dwarf_Unsigned cnt = 0;
        unsigned kind = DW_LKIND_unknown;
        if (dwarf_get_loclist_c(a, &head, &cnt, &e) == DW_DLV_OK) {
            Dwarf_Small lle = 0, src = 0;
            Dwarf_Unsigned rlo, rhi, nops = 0, eoff, doff;
            Dwarf_Bool unavail = 0;
            Dwarf_Addr lo, hi;
            Dwarf_Locdesc_c desc = NULL;
            rt_op ops[RT_MAX_OPS];
            if (dwarf_get_loclist_head_kind(head, &kind, &e) == DW_DLV_OK && kind == DW_LKIND_expression &&
                cnt == 1 &&
                dwarf_get_locdesc_entry_d(head, 0, &lle, &rlo, &rhi, &unavail, &lo, &hi, &nops, &desc,
                                          &src, &eoff, &doff, &e) == DW_DLV_OK) {
                size_t n = read_ops(c, d, desc, nops, ops, RT_MAX_OPS);
                /* `address; deref`: the value is stored at `address` */
                if (n != (size_t)-1 && n >= 2 && ops[n - 1].atom == DW_OP_deref) {
                    rt_loc l = ops_to_loc(ops, n - 1, fb);
                    if (l.kind == RT_LOC_REG_OFFSET || l.kind == RT_LOC_ADDR) {
                        *out = l;
                        *add = plus;
                    }
                }
            } else if (e) {
                rt_dw_errfree(c, e);
            }
            dwarf_loc_head_c_dealloc(head);
        } else {
            rt_dw_errfree(c, e);
        }
    }
    dwarf_dealloc_attribute(a);
    dwarf_dealloc_die(d);
}
