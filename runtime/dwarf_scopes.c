/*
 * runtime/dwarf_scopes.c - functions and their scope trees.
 *
 * Every DW_TAG_subprogram with code becomes one rt_func per pc range (a
 * function split by DW_AT_ranges, e.g. gcc's .cold parts, gets one entry per
 * part, all sharing one scope tree). The scope tree mirrors the DIE tree:
 * the function's own scope holds its parameters (in order) and its
 * top-level locals; each DW_TAG_lexical_block is a child scope with its pc
 * ranges. Static locals are kept (RT_LOC_ADDR); extern declarations inside
 * a function are not variables of the function and are skipped, as are
 * nameless parameters and inlined subroutines; a (gcc) nested function is a
 * function of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf_priv.h"

typedef struct fn_ctx {
    const rt_cu *cu;
    rt_fbase fb;
    unsigned depth;
} fn_ctx;

/* Follows DW_AT_abstract_origin / DW_AT_specification to a DIE that has
 * `at`, returning its offset in *off; 0 when none. */
static int origin_of(rt_ctx *c, Dwarf_Die d, Dwarf_Off *off)
{
    if (rt_attr_ref(c, d, DW_AT_abstract_origin, off) == 1) return 1;
    if (rt_attr_ref(c, d, DW_AT_specification, off) == 1) return 1;
    return 0;
}

/* DW_AT_name of d or of its origin. */
static const char *name_or_origin(rt_ctx *c, Dwarf_Die d)
{
    const char *n = rt_die_name(c, d);
    Dwarf_Off off;
    if (n || !origin_of(c, d, &off)) return n;
    Dwarf_Die o = NULL;
    Dwarf_Error e = NULL;
    if (dwarf_offdie_b(c->dbg, off, 1, &o, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return NULL; }
    n = rt_die_name(c, o);
    dwarf_dealloc_die(o);
    return n;
}

/* The type of a variable, looking at its origin when it has none. */
static rt_xtype *var_type(rt_ctx *c, const rt_cu *cu, Dwarf_Die d)
{
    Dwarf_Off off;
    if (rt_attr_ref(c, d, DW_AT_type, &off) == 1) return rt_type_at(c, cu, off);
    if (!origin_of(c, d, &off)) return NULL;
    Dwarf_Die o = NULL;
    Dwarf_Error e = NULL;
    if (dwarf_offdie_b(c->dbg, off, 1, &o, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); return NULL; }
    rt_xtype *t = rt_type_of(c, cu, o);
    dwarf_dealloc_die(o);
    return t;
}

static void add_function(rt_ctx *c, const rt_cu *cu, Dwarf_Die d);

/* Fills scope s from the children of DIE d (a subprogram or lexical block). */
static void build_scope(rt_ctx *c, fn_ctx *fc, Dwarf_Die d, rt_scope *s)
{
    rt_vec vars = { NULL, 0, 0, sizeof(rt_svar) };
    rt_vec kids = { NULL, 0, 0, sizeof(rt_scope) };
    Dwarf_Die ch = NULL;
    Dwarf_Error e = NULL;
    int r = rt_die_child(c, d, &ch, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    while (r == DW_DLV_OK) {
        Dwarf_Half tag = rt_die_tag(c, ch);
        if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) {
            const char *name = name_or_origin(c, ch);
            bool decl = rt_attr_flag(c, ch, DW_AT_declaration);
            if (name && !decl) {
                rt_svar *v = rt_vec_push(&vars);
                if (v) {
                    v->name = name;
                    v->type = var_type(c, fc->cu, ch);
                    v->is_param = tag == DW_TAG_formal_parameter;
                    Dwarf_Unsigned dl = 0;
                    if (rt_attr_udata(c, ch, DW_AT_decl_line, &dl) == 1) v->decl_line = (uint32_t)dl;
                    rt_loc_var(c, fc->cu, ch, fc->fb, v);
                    if (v->type && v->type->xk == RT_X_ARRAY && v->type->vla_sub)
                        rt_loc_vla(c, fc->cu, v->type->vla_sub, fc->fb, &v->vla_count, &v->vla_add);
                    v->is_static = !v->is_param && !v->is_list &&
                                   (v->loc.kind == RT_LOC_ADDR || v->loc.kind == RT_LOC_TLS);
                    /* a const-folded local (DW_AT_const_value, no location)
                     * stays RT_LOC_NONE: shown as optimised out */
                }
            }
        } else if (tag == DW_TAG_subprogram && fc->depth < 60) {
            /* a gcc nested function: a function of its own */
            fc->depth++;
            add_function(c, fc->cu, ch);
            fc->depth--;
        } else if (tag == DW_TAG_lexical_block && fc->depth < 60) {
            rt_scope *k = rt_vec_push(&kids);
            if (k) {
                uint64_t *pcs = NULL;
                size_t np = rt_die_ranges(c, fc->cu, ch, &pcs);
                if (np) {
                    k->pcs = rt_arena_alloc(&c->p->arena, np * 2 * sizeof *pcs);
                    if (k->pcs) { memcpy(k->pcs, pcs, np * 2 * sizeof *pcs); k->npcs = (uint32_t)np; }
                }
                free(pcs);
                fc->depth++;
                build_scope(c, fc, ch, k);
                fc->depth--;
                if (!k->npcs) {
                    /* a block without pcs (old gcc): its variables and
                     * blocks belong to the enclosing scope, as gdb reads it */
                    rt_scope moved = *k;
                    kids.n--;
                    for (uint32_t j = 0; j < moved.nvars; j++) {
                        rt_svar *mv = rt_vec_push(&vars);
                        if (mv) *mv = moved.vars[j];
                    }
                    for (uint32_t j = 0; j < moved.nkids; j++) {
                        rt_scope *mk = rt_vec_push(&kids);
                        if (mk) *mk = moved.kids[j];
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
    if (vars.n) {
        s->vars = rt_arena_alloc(&c->p->arena, vars.n * sizeof(rt_svar));
        if (s->vars) { memcpy(s->vars, vars.p, vars.n * sizeof(rt_svar)); s->nvars = (uint32_t)vars.n; }
    }
    if (kids.n) {
        s->kids = rt_arena_alloc(&c->p->arena, kids.n * sizeof(rt_scope));
        if (s->kids) { memcpy(s->kids, kids.p, kids.n * sizeof(rt_scope)); s->nkids = (uint32_t)kids.n; }
    }
    rt_vec_free(&vars);
    rt_vec_free(&kids);
}

/* Adds the rt_func entries of one subprogram DIE that has code. */
static void add_function(rt_ctx *c, const rt_cu *cu, Dwarf_Die d)
{
    uint64_t *pcs = NULL;
    size_t np = rt_die_ranges(c, cu, d, &pcs);
    if (!np) return;             /* a declaration, or inlined only */
    rt_scope *root = rt_arena_alloc(&c->p->arena, sizeof *root);
    if (!root) { free(pcs); return; }
    root->pcs = rt_arena_alloc(&c->p->arena, np * 2 * sizeof *pcs);
    if (root->pcs) { memcpy(root->pcs, pcs, np * 2 * sizeof *pcs); root->npcs = (uint32_t)np; }
    fn_ctx fc = { cu, rt_loc_frame_base(c, d), 0 };
    build_scope(c, &fc, d, root);

    const char *name = name_or_origin(c, d);
    Dwarf_Unsigned df = 0, dl = 0;
    int hf = rt_attr_udata(c, d, DW_AT_decl_file, &df);
    int hl = rt_attr_udata(c, d, DW_AT_decl_line, &dl);
    bool ext = rt_attr_flag(c, d, DW_AT_external);
    rt_xtype *ret = NULL;
    Dwarf_Off ooff;
    if ((hf != 1 || hl != 1) && origin_of(c, d, &ooff)) {
        Dwarf_Die o = NULL;
        Dwarf_Error e = NULL;
        if (dwarf_offdie_b(c->dbg, ooff, 1, &o, &e) == DW_DLV_OK) {
            if (hf != 1) hf = rt_attr_udata(c, o, DW_AT_decl_file, &df);
            if (hl != 1) hl = rt_attr_udata(c, o, DW_AT_decl_line, &dl);
            ext = ext || rt_attr_flag(c, o, DW_AT_external);
            ret = rt_type_of(c, cu, o);
            dwarf_dealloc_die(o);
        } else rt_dw_errfree(c, e);
    } else {
        ret = rt_type_of(c, cu, d);
    }
    bool ok = false;
    uint32_t file = hf == 1 ? rt_cu_file(cu, df, &ok) : 0;
    if (!ok) file = rt_cu_primary_file(c, cu);   /* no usable decl_file */
    for (size_t i = 0; i < np; i++) {
        rt_func *f = rt_vec_push(&c->funcs);
        if (!f) break;
        f->name = name ? name : rt_intern(c, "<anonymous>");
        f->lowpc = pcs[2 * i];
        f->highpc = pcs[2 * i + 1];
        f->file = file;
        f->decl_line = hl == 1 ? (uint32_t)dl : 0;
        f->ret = ret ? &ret->t : NULL;     /* made canonical by rt_scopes_canon */
        f->external = ext;
        f->scope = root;
    }
    free(pcs);
}

/* Adds the functions of one CU (top-level subprograms). */
void rt_scopes_cu(rt_ctx *c, rt_cu *cu)
{
    Dwarf_Die ch = NULL;
    Dwarf_Error e = NULL;
    int r = rt_die_child(c, cu->die, &ch, &e);
    if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
    while (r == DW_DLV_OK) {
        if (rt_die_tag(c, ch) == DW_TAG_subprogram) add_function(c, cu, ch);
        Dwarf_Die sib = NULL;
        r = rt_die_sibling(c, ch, &sib, &e);
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        dwarf_dealloc_die(ch);
        ch = sib;
    }
}

/* Replaces the functions' return types by their canonical types. */
void rt_scopes_canon(rt_ctx *c)
{
    rt_func *f = c->funcs.p;
    for (size_t i = 0; i < c->funcs.n; i++)
        f[i].ret = f[i].ret ? rt_type_public((rt_xtype *)(void *)f[i].ret) : NULL;
}
