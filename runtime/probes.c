/*
 * runtime/probes.c - the site table: run-time probe pc -> everything the
 * probe needs, built once per module from its .rtrace_probes records and
 * its DWARF tables (dwarf.h).
 *
 * For each probe record: the function containing it, for a line probe the
 * line-table row at its start address (line, path id, is_stmt) and the
 * variables visible there (with variable ids, type ids and locations, the
 * module's load bias folded in); for every function with probes its Function
 * id, RTRACE_FILTER's decision and the SysV class of its return type. The
 * Type, VariableName and Function events are written when the module is
 * added, through rt_output_defs_begin/end, before any probe can use them.
 *
 * The table is an open-addressing hash on the pc, read without locks by every
 * thread. Adding a module (dlopen, while other threads are probing) builds a
 * new table holding the old entries and the new ones and publishes it with an
 * atomic pointer store; old tables are never freed (a reader may still be
 * using one), which costs little: one table per dlopen.
 *
 * Once the table is published, the probes that cannot change the trace
 * (filtered-out functions; in RTRACE_MODE=calls the line probes after a
 * function's entry) are patched out: see patch.c.
 */
#define _GNU_SOURCE           /* memmem */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "fastvals.h"
#include "patch.h"
#include "sites.h"
#include "tpl.h"
#include "../lib/encode_inline.h"   /* the Value event templates */

/* The table (sites.h): published with a release store, read by every probe. */
_Atomic(rt_site_table *) rt_site_table_cur;

/* Modules added so far (for function-pointer names); appended, never removed. */
#define RT_MAX_MODULES 1024
static rt_module *g_mods[RT_MAX_MODULES];
static _Atomic size_t g_nmods;

/* path id -> path, for the crash message. */
static const char **g_paths;
static size_t g_npaths;

/* main's declaration, for <toplevel>. */
static const char *g_main_path;
static int64_t g_main_line;

/* Contract: see core.h. */
const rt_site *rt_sites_lookup(uint64_t pc)
{
    return rt_sites_find(pc);
}

/* Inserts into a table that has room (no growth here). */
static void table_put(rt_site_table *t, uint64_t pc, const rt_site *site)
{
    size_t i = pc_hash(pc, t->mask);
    while (t->slots[i].pc && t->slots[i].pc != pc)
        i = (i + 1) & t->mask;
    if (!t->slots[i].pc)
        t->n++;
    t->slots[i].pc = pc;
    t->slots[i].site = site;
}

/* Contract: see core.h. Bump allocation from chunks that double from 64 KiB
 * to 2 MiB (rt_big_calloc: the big ones on huge pages); called only while a
 * module is added, which the lifecycle serialises (rt_core_add_module).
 * Nothing is ever freed: the sites point into it for good. */
void *rt_core_alloc(size_t n)
{
    static unsigned char *cur;
    static size_t left, nchunks;
    n = (n + 15) & ~(size_t)15;
    if (n > left) {
        size_t grow = ((size_t)65536 << (nchunks < 5 ? nchunks : 5)) - 64;
        if (n > grow)
            return rt_big_calloc(n);   /* a big one on its own */
        unsigned char *c = rt_big_calloc(grow);
        if (!c)
            return NULL;
        nchunks++;
        cur = c;
        left = grow;
    }
    void *p = cur;
    cur += n;
    left -= n;
    return p;
}

/* n zeroed elements of `size` bytes from rt_big_calloc (NULL on overflow or OOM). */
static void *big_array(size_t n, size_t size)
{
    return size && n > SIZE_MAX / size ? NULL : rt_big_calloc(n * size);
}

/* Publishes a table with the old entries plus `sites`. 0 or -1 (no memory). */
static int table_publish(const rt_site *sites, size_t n)
{
    rt_site_table *old = atomic_load_explicit(&rt_site_table_cur, memory_order_acquire);
    size_t want = ((old ? old->n : 0) + n) * 2 + 16, cap = 16;
    while (cap < want)
        cap *= 2;
    rt_site_table *t = rt_big_calloc(sizeof *t + cap * sizeof(rt_slot));
    if (!t)
        return -1;
    t->mask = cap - 1;
    if (old)
        for (size_t i = 0; i <= old->mask; i++)
            if (old->slots[i].pc)
                table_put(t, old->slots[i].pc, old->slots[i].site);
    for (size_t i = 0; i < n; i++)
        if (sites[i].fn)
            table_put(t, sites[i].pc, &sites[i]);
    atomic_store_explicit(&rt_site_table_cur, t, memory_order_release);
    return 0;
}

/* Contract: see core.h. */
const rt_func *rt_core_func_at(uint64_t addr)
{
    size_t n = atomic_load_explicit(&g_nmods, memory_order_acquire);
    for (size_t i = 0; i < n; i++) {
        const rt_module *m = g_mods[i];
        if (addr < m->bias)
            continue;
        const rt_func *f = rt_module_find_func(m, addr - m->bias);
        if (f)
            return f;
    }
    return NULL;
}

/* Contract: see core.h. */
const char *rt_core_path_name(uint32_t path_id)
{
    return path_id < g_npaths ? g_paths[path_id] : NULL;
}

/* Records path -> id for rt_core_path_name. */
static void remember_path(uint32_t id, const char *path)
{
    if (id >= g_npaths) {
        size_t n = id + 64;
        const char **np = realloc(g_paths, n * sizeof *np);
        if (!np)
            return;
        memset(np + g_npaths, 0, (n - g_npaths) * sizeof *np);
        g_paths = np;
        g_npaths = n;
    }
    g_paths[id] = path;
}

/* Contract: see rt.h. main's declaration file and line (NULL/0 before the
 * executable was added). */
void rt_core_toplevel(const char **path, int64_t *line)
{
    *path = g_main_path;
    *line = g_main_line > 0 ? g_main_line : 1;
}

/*
 * Whether the line probe reporting `pc` sits right before clang's
 * -finstrument-functions entry sequence of the function starting at `fstart`:
 *     lea 128(%rsp),%rsp              (the end of the probe)
 *     mov 8(%rbp),%rsi; [spills;] lea fstart(%rip),%rdi; call __cyg_profile_func_enter
 * (in position-independent code, a shared object's: mov fstart@GOTPCREL(%rip),%rdi,
 * whose GOT slot holds fstart once the object is loaded)
 * clang gives that call a row of the function's opening line (prologue_end),
 * which the untraced program does not have, and the parameters are not in
 * their slots yet: such a site only opens the frame (RT_SITE_DEFER).
 */
static bool before_cyg_enter(uint64_t pc, uint64_t fstart, uint64_t fend)
{
    static const unsigned char head[] = {
        0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00,   /* lea 0x80(%rsp),%rsp */
        0x48, 0x8b, 0x75, 0x08                            /* mov 0x8(%rbp),%rsi */
    };
    const unsigned char *p = (const unsigned char *)(uintptr_t)pc;
    /* only the function's own bytes are read (mapped for sure) */
    if (pc + sizeof head > fend || memcmp(p, head, sizeof head) != 0)
        return false;
    /* then, possibly after spills of rsi, lea fstart(%rip),%rdi (48 8d 3d) or
     * mov fstart@GOTPCREL(%rip),%rdi (48 8b 3d) */
    for (size_t k = sizeof head; k < sizeof head + 40 && pc + k + 7 <= fend; k++) {
        if (p[k] != 0x48 || (p[k + 1] != 0x8d && p[k + 1] != 0x8b) || p[k + 2] != 0x3d)
            continue;
        int32_t rel;
        memcpy(&rel, p + k + 3, 4);
        uint64_t target = pc + k + 7 + (int64_t)rel;
        if (p[k + 1] == 0x8d && target == fstart)
            return true;
        uint64_t slot = 0;          /* the GOT slot: read safely, the match may be a coincidence */
        if (p[k + 1] == 0x8b && rt_safe_copy(&slot, (const void *)(uintptr_t)target, sizeof slot) == sizeof slot &&
            slot == fstart)
            return true;
    }
    return false;
}

/* The RT_FAST_* class of v: a plain integer (not an enum, char included)
 * at rbp+offset or at a static address, not a VLA; RT_FAST_NONE otherwise,
 * and always under Valgrind (the fast path's plain load would carry the
 * program's uninitialised bits into the encoder: memcheck false reports). */
static uint8_t fast_type_kind(const rt_type *t);

/* Whether the fast paths can read v in place: a static (run-time address) or
 * a slot of the frame (rbp + offset), not a VLA. */
static bool in_place(const rt_core_var *v)
{
    return (v->loc.kind == RT_LOC_ADDR || (v->loc.kind == RT_LOC_REG_OFFSET && v->loc.reg == 6)) &&
           v->vla_count.kind == RT_LOC_NONE;
}

static uint8_t fast_kind(const rt_core_var *v)
{
    if (!v->type || !in_place(v) || rt_on_valgrind())
        return RT_FAST_NONE;
    return fast_type_kind(v->type);
}

/* The RT_FAST_* kind of a value of type t: the integers the capture writes as
 * Int from one load (not unsigned 64-bit: BigInt above INT64_MAX). */
static uint8_t fast_type_kind(const rt_type *t)
{
    if (!t)
        return RT_FAST_NONE;
    if (t->tag == RT_T_INT) {
        switch (t->size) {
        case 1: return RT_FAST_I8;
        case 2: return RT_FAST_I16;
        case 4: return RT_FAST_I32;
        case 8: return RT_FAST_I64;
        }
    } else if (t->tag == RT_T_UINT) {
        switch (t->size) {
        case 1: return RT_FAST_U8;
        case 2: return RT_FAST_U16;
        case 4: return RT_FAST_U32;
        }
    }
    return RT_FAST_NONE;
}

_Static_assert(RT_VALUE_HEAD_MAX == RTRACE__VALUE_HEAD_MAX && RT_VALUE_TAIL_MAX == RTRACE__VALUE_TAIL_MAX,
               "template sizes");

/* Templates already built, by (variable id, key): open addressing, grown by
 * doubling; start-up and dlopen only (under the defs lock). Two tables: a
 * plain integer's Value head and tail (key: its type id) and a struct
 * variable's Value event (key: the rt_type's address, as two types of one
 * name may differ in layout between compile units). */
typedef struct vt_slot { uint64_t var_id, key; const void *tpl; } vt_slot;
typedef struct vt_table { vt_slot *tab; size_t cap, n; } vt_table;
static vt_table g_vt, g_svt, g_avt;

static size_t vt_index(const vt_slot *tab, size_t cap, uint64_t var_id, uint64_t key)
{
    size_t i = (size_t)((var_id * 0x9E3779B97F4A7C15ull) ^ (key * 0xC2B2AE3D27D4EB4Full)) & (cap - 1);
    while (tab[i].tpl && (tab[i].var_id != var_id || tab[i].key != key))
        i = (i + 1) & (cap - 1);
    return i;
}

/* The slot of (var_id, key) in t: its tpl is NULL when none is built yet
 * (set it, then count it in t->n). NULL when memory is short. */
static vt_slot *vt_find(vt_table *t, uint64_t var_id, uint64_t key)
{
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        vt_slot *tab = calloc(cap, sizeof *tab);
        if (!tab)
            return NULL;
        for (size_t i = 0; i < t->cap; i++)
            if (t->tab[i].tpl)
                tab[vt_index(tab, cap, t->tab[i].var_id, t->tab[i].key)] = t->tab[i];
        free(t->tab);
        t->tab = tab;
        t->cap = cap;
    }
    vt_slot *sl = &t->tab[vt_index(t->tab, t->cap, var_id, key)];
    sl->var_id = var_id;
    sl->key = key;
    return sl;
}

/* The Value event template of fast variable v (ids set), in the trace's
 * format, shared with every variable of the same ids; NULL (the general
 * path) if it does not fit or memory is short. */
static const rt_value_tpl *value_tpl(const rt_core_var *v)
{
    vt_slot *sl = vt_find(&g_vt, v->var_id, v->type_id);
    if (!sl)
        return NULL;
    if (sl->tpl)
        return sl->tpl;
    unsigned char h[RT_VALUE_HEAD_MAX + 32], t[RT_VALUE_TAIL_MAX + 32];
    size_t hl = (size_t)(rtrace__p_value_int_head(h, rt_cfg.format, v->var_id) - h);
    size_t tl = (size_t)(rtrace__p_value_int_tail(t, rt_cfg.format, v->type_id) - t);
    if (hl > RT_VALUE_HEAD_MAX || tl > RT_VALUE_TAIL_MAX ||
        (rt_cfg.format == RTRACE_FORMAT_BINARY && (hl > RT_CBOR_HEAD_COPY || tl > RT_CBOR_TAIL_COPY)))
        return NULL;
    rt_value_tpl *tp = rt_core_alloc(sizeof *tp);
    if (!tp)
        return NULL;
    memcpy(tp->head, h, hl);
    memcpy(tp->tail, t, tl);
    tp->head_len = (uint8_t)hl;
    tp->tail_len = (uint8_t)tl;
    sl->tpl = tp;
    g_vt.n++;
    return tp;
}

/* ---- Call and Return templates (tpl.h) ---- */

/* A call's integer slots: per parameter, its first slot and how many (a plain
 * integer: one; a struct of integers: one per field, in the capture's order);
 * per slot, its RT_FAST_* kind and offset from the callee's rbp. */
typedef struct call_slots {
    const rt_site *s;
    unsigned nslots;
    uint8_t first[RT_TPL_MAX_SLOTS], count[RT_TPL_MAX_SLOTS];
    uint8_t kind[RT_TPL_MAX_SLOTS];
    int32_t off[RT_TPL_MAX_SLOTS];
} call_slots;

/* Adds the fields of struct t (at rbp + base) as slots, depth first in member
 * order as rt_capture writes them; false when a field is not a plain integer
 * (a bit-field, union, array, pointer, float, enum...) or slots run out. */
static bool struct_slots(call_slots *cs, const rt_type *t, int64_t base, unsigned nest)
{
    if (!t || t->tag != RT_T_STRUCT || nest > 4)
        return false;
    for (uint32_t i = 0; i < t->u.su.n; i++) {
        const rt_member *m = &t->u.su.members[i];
        if (m->bit_size)
            return false;
        int64_t off = base + (int64_t)m->offset;
        if (m->type && m->type->tag == RT_T_STRUCT) {
            if (!struct_slots(cs, m->type, off, nest + 1))
                return false;
            continue;
        }
        uint8_t k = fast_type_kind(m->type);
        if (k == RT_FAST_NONE || cs->nslots == RT_TPL_MAX_SLOTS || off < INT32_MIN || off > INT32_MAX)
            return false;
        cs->kind[cs->nslots] = k;
        cs->off[cs->nslots] = (int32_t)off;
        cs->nslots++;
    }
    return true;
}

/* The image of a struct whose integer fields are slots [from, to) of cs with
 * values vals (each at its offset minus base, in its width; the rest 0), for
 * the capture to encode. */
static void slots_image(unsigned char *img, size_t cap, const call_slots *cs, unsigned from, unsigned to,
                        int64_t base, const int64_t *vals)
{
    static const uint8_t width[] = {0, 1, 2, 4, 8, 1, 2, 4};   /* by RT_FAST_* */
    memset(img, 0, cap);
    for (unsigned j = from; j < to; j++)
        memcpy(img + (cs->off[j] - base), &vals[j], width[cs->kind[j]]);
}

/* A char * value whose text is string slot k's marker: what put_cstring
 * (capture.c) writes for a readable text, the String of the pointer type's
 * id (written here rather than captured from a pointer to the marker, which
 * RTRACE_MAX_STRING could cut). */
static void emit_cstring(rtrace_enc *e, const rt_type *t, unsigned k)
{
    char mark[16];
    size_t n = rt_tpl_marker(mark, k);
    rtrace_enc_string(e, t->trace_type_id, mark, n);
}

/* The Step and Call written when a call starts at site s (step.c's write_call:
 * rt_capture_var of each parameter). A struct parameter is captured from an
 * image of it holding the slot values, so the bytes are the capture's own. */
static void emit_call(rtrace_enc *e, const int64_t *vals, const void *ctx)
{
    const call_slots *cs = ctx;
    const rt_site *s = cs->s;
    const rt_core_func *fn = s->fn;
    rtrace_enc_step(e, fn->path_id, fn->decl_line ? fn->decl_line : s->line);
    rtrace_enc_call_begin(e, fn->function_id, s->nparams);
    for (uint32_t k = 0; k < s->nparams; k++) {
        const rt_core_var *v = &s->vars[k];
        rtrace_enc_arg_begin(e, v->var_id);
        if (v->fast != RT_FAST_NONE) {
            rtrace_enc_int(e, v->type_id, vals[cs->first[k]]);   /* what the capture writes for it */
        } else if (cs->count[k] == 1 && cs->kind[cs->first[k]] == RT_FAST_U64) {
            uint64_t img = (uint64_t)vals[cs->first[k]];
            rt_capture(e, v->type, &img, false, 0);
        } else if (cs->count[k] == 1 && cs->kind[cs->first[k]] == RT_FAST_CSTR) {
            emit_cstring(e, v->type, cs->first[k]);
        } else {
            unsigned char img[RT_TPL_STRUCT_MAX] __attribute__((aligned(16)));
            slots_image(img, sizeof img, cs, cs->first[k], (unsigned)cs->first[k] + cs->count[k],
                        v->loc.offset, vals);
            rt_capture(e, v->type, img, false, 0);
        }
        rtrace_enc_arg_end(e);
    }
    rtrace_enc_call_end(e);
}

/* Whether parameter v is a char * the capture writes as a String (put_cstring),
 * in the frame: a string slot of the call template (its text is read by the
 * fast path, which writes it when it needs no escaping). */
static bool is_cstring_type(const rt_type *t)
{
    return t && t->tag == RT_T_POINTER && t->size == 8 && !(t->u.ptr.target && t->u.ptr.target->tag == RT_T_FUNC) &&
           rt_type_is_cstring(t);
}

static bool is_cstring_param(const rt_core_var *v)
{
    return is_cstring_type(v->type) && (int64_t)(int32_t)v->loc.offset == v->loc.offset;
}

/* Whether v (a parameter, a variable, a return value) is an unsigned 64-bit
 * integer (size_t, uint64_t...): a template slot checked before writing
 * (RT_FAST_U64: an Int up to INT64_MAX, else the general path's BigInt). */
static bool is_u64_var(const rt_core_var *v)
{
    return v->type && v->type->tag == RT_T_UINT && v->type->size == 8 && !rt_on_valgrind();
}

/* The call template of s's function (s: its entry site), when its parameters
 * are plain integers, structs of plain integers, unsigned 64-bit integers or
 * C strings, in the frame. */
static void build_call_tpl(const rt_site *s)
{
    rt_core_func *fn = (rt_core_func *)s->fn;
    if (s->nparams > RT_TPL_MAX_SLOTS || fn->call_tpl || rt_on_valgrind())
        return;
    call_slots cs;
    memset(&cs, 0, sizeof cs);
    cs.s = s;
    for (uint32_t k = 0; k < s->nparams; k++) {
        const rt_core_var *v = &s->vars[k];
        if (v->loc.kind != RT_LOC_REG_OFFSET || v->loc.reg != 6 || v->vla_count.kind != RT_LOC_NONE)
            return;
        cs.first[k] = (uint8_t)cs.nslots;
        uint8_t pk = v->fast != RT_FAST_NONE ? v->fast
                     : is_u64_var(v)         ? RT_FAST_U64
                     : is_cstring_param(v)   ? RT_FAST_CSTR
                                             : RT_FAST_NONE;
        if (pk != RT_FAST_NONE) {
            if (cs.nslots == RT_TPL_MAX_SLOTS)
                return;
            cs.kind[cs.nslots] = pk;
            cs.off[cs.nslots] = (int32_t)v->loc.offset;
            cs.nslots++;
        } else if (!v->type || v->type->size > RT_TPL_STRUCT_MAX ||
                   !struct_slots(&cs, v->type, v->loc.offset, 0)) {
            return;
        }
        cs.count[k] = (uint8_t)(cs.nslots - cs.first[k]);
    }
    rt_tpl *t = rt_tpl_new(rt_cfg.format, cs.nslots, cs.kind, emit_call, &cs);
    if (!t)
        return;
    memcpy(t->slot_kind, cs.kind, sizeof cs.kind);
    memcpy(t->slot_off, cs.off, sizeof cs.off);
    fn->call_tpl = t;
}

/* What emit_return needs: the function, and for a struct returned in rax:rdx
 * its integer slots (offsets in those 16 bytes). */
typedef struct ret_slots {
    const rt_core_func *fn;
    call_slots cs;
} ret_slots;

/* The Return of fn (step.c's rt_step_return: rt_capture_return of a void or
 * plain integer value, or of a small struct of integers in rax:rdx, which it
 * captures from those 16 bytes: here an image holding the slot values). */
static void emit_return(rtrace_enc *e, const int64_t *vals, const void *ctx)
{
    const ret_slots *rs = ctx;
    const rt_core_func *fn = rs->fn;
    rtrace_enc_return_begin(e);
    if (fn->ret_class == RT_RET_VOID) {
        rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
    } else if (fn->ret_class == RT_RET_REGS || fn->ret_class == RT_RET_MEMORY) {
        unsigned char img[RT_TPL_STRUCT_MAX] __attribute__((aligned(16)));
        slots_image(img, sizeof img, &rs->cs, 0, rs->cs.nslots, 0, vals);
        rt_capture(e, fn->ret, img, false, 0);
    } else {
        rtrace_enc_int(e, rt_type_id(fn->ret), vals[0]);
    }
    rtrace_enc_return_end(e);
}

/* fn's Return template: void, an integer the fast path reads from rax, or a
 * struct of integers it rebuilds from rax:rdx (both eightbytes of class
 * INTEGER) or reads at rax (returned in memory: the fast path checks that the
 * buffer is in the live stack first). */
static void build_ret_tpl(rt_core_func *fn)
{
    ret_slots rs;
    memset(&rs, 0, sizeof rs);
    rs.fn = fn;
    unsigned nslots = 0;
    if (fn->ret_class == RT_RET_INT && fn->ret) {
        rt_core_var v;
        memset(&v, 0, sizeof v);
        v.type = fn->ret;
        v.loc.kind = RT_LOC_ADDR;
        fn->ret_fast = fast_kind(&v);
        if (fn->ret_fast == RT_FAST_NONE && is_u64_var(&v))
            fn->ret_fast = RT_FAST_U64;          /* checked by the fast path: an Int up to INT64_MAX */
        if (fn->ret_fast == RT_FAST_NONE)
            return;
        nslots = 1;
    } else if (fn->ret_class == RT_RET_REGS && fn->ret && !rt_on_valgrind()) {
        if (fn->ret_eb[0] != RT_EB_INT || (fn->ret_eb[1] != RT_EB_INT && fn->ret_eb[1] != RT_EB_NONE) ||
            fn->ret->size > 16 || !struct_slots(&rs.cs, fn->ret, 0, 0))
            return;
        nslots = rs.cs.nslots;
    } else if (fn->ret_class == RT_RET_MEMORY && fn->ret && !rt_on_valgrind()) {
        if (fn->ret->size > RT_TPL_STRUCT_MAX || !struct_slots(&rs.cs, fn->ret, 0, 0))
            return;
        nslots = rs.cs.nslots;
    } else if (fn->ret_class != RT_RET_VOID) {
        return;
    }
    rt_tpl *t = rt_tpl_new(rt_cfg.format, nslots, NULL, emit_return, &rs);
    if (!t)
        return;
    if (fn->ret_class == RT_RET_REGS || fn->ret_class == RT_RET_MEMORY) {
        memcpy(t->slot_kind, rs.cs.kind, sizeof rs.cs.kind);
        memcpy(t->slot_off, rs.cs.off, sizeof rs.cs.off);
        fn->ret_struct = fn->ret_class == RT_RET_REGS ? RT_RETS_REGS : RT_RETS_MEM;
    } else {
        t->slot_kind[0] = fn->ret_fast;
    }
    fn->ret_tpl = t;
}

/* What emit_struct needs: the struct type, its integer slots (offsets from
 * its start), and the variable whose Value event is wanted (NULL: the value
 * record alone). */
typedef struct struct_ctx {
    const rt_type *t;
    const rt_core_var *v;
    call_slots cs;
} struct_ctx;

/* From an image of the struct holding the slot values: the value record
 * rt_capture writes, without the JSON separator before it (rt_tpl_new emits
 * into one encoder several times; the template's user writes it), or v's
 * whole Value event (step.c's write_values: value begin, rt_capture_var, end). */
static void emit_struct(rtrace_enc *e, const int64_t *vals, const void *ctx)
{
    const struct_ctx *sc = ctx;
    unsigned char img[RT_TPL_STRUCT_MAX] __attribute__((aligned(16)));
    slots_image(img, sizeof img, &sc->cs, 0, sc->cs.nslots, 0, vals);
    if (sc->v)
        rtrace__enc_value_begin_fast(e, sc->v->var_id);
    else
        e->need_comma[e->depth] = 0;
    rt_capture(e, sc->t, img, false, 0);
    if (sc->v)
        rtrace__enc_event_value_end_fast(e);
}

/* The template of struct t's value record (v NULL) or of v's Value event,
 * slots at offsets from the struct's start; NULL when t is not a struct of
 * at most RT_TPL_MAX_SLOTS plain integers, or memory is short. */
static rt_tpl *struct_tpl(const rt_type *t, const rt_core_var *v)
{
    if (!t || t->tag != RT_T_STRUCT || t->size == 0 || t->size > RT_TPL_STRUCT_MAX || rt_on_valgrind())
        return NULL;
    struct_ctx sc;
    memset(&sc, 0, sizeof sc);
    sc.t = t;
    sc.v = v;
    if (!struct_slots(&sc.cs, t, 0, 0) || sc.cs.nslots == 0)
        return NULL;
    rt_tpl *tp = rt_tpl_new(rt_cfg.format, sc.cs.nslots, NULL, emit_struct, &sc);
    if (!tp)
        return NULL;
    memcpy(tp->slot_kind, sc.cs.kind, sizeof sc.cs.kind);
    memcpy(tp->slot_off, sc.cs.off, sizeof sc.cs.off);
    return tp;
}

/* Gives t (a struct of plain integers, or an array or pointer that leads to
 * one) its value template, rt_type.val_tpl: capture.c then writes such a
 * struct as loads and a copy. Types the capture walks anyway are left alone. */
static void build_type_tpls(const rt_type *t)
{
    for (unsigned hops = 0; t && hops < 8; hops++) {
        if (t->tag == RT_T_ARRAY)
            t = t->u.arr.elem;
        else if (t->tag == RT_T_POINTER)
            t = t->u.ptr.target;
        else
            break;
    }
    if (!t || t->val_tpl || !t->trace_type_id)
        return;
    rt_tpl *tp = struct_tpl(t, NULL);
    /* published whole: a thread may be capturing this type (dlopen) */
    if (tp)
        __atomic_store_n(&((rt_type *)t)->val_tpl, tp, __ATOMIC_RELEASE);
}

/* v's Value event template from table tab, by v's name and type: made by
 * `make` once (NULL: none), then shared by every variable of that name and
 * type. */
static const void *shared_var_tpl(vt_table *tab, const rt_core_var *v, const void *(*make)(const rt_core_var *v))
{
    vt_slot *sl = vt_find(tab, v->var_id, (uint64_t)(uintptr_t)v->type);
    if (!sl)
        return NULL;
    if (sl->tpl)
        return sl->tpl;
    const void *tp = make(v);
    if (tp) {
        sl->tpl = tp;
        tab->n++;
    }
    return tp;
}

/* tp, or NULL when (JSON) it does not leave need_comma[0] as a plain
 * integer's Value does (never seen otherwise), which rt_fast_values relies on. */
static const rt_tpl *value_event_tpl(const rt_tpl *tp)
{
    return tp && (rt_cfg.format != RTRACE_FORMAT_JSON || tp->nc0 == 1) ? tp : NULL;
}

static const void *make_struct_var_tpl(const rt_core_var *v)
{
    return value_event_tpl(struct_tpl(v->type, v));
}

/* The Value event template of v when it is a struct of plain integers in the
 * frame (rbp + offset) or a static, else NULL (rt_core_var.stpl). Its slots
 * are offsets from the struct's start, so it does not depend on where v is. */
static const rt_tpl *struct_var_tpl(const rt_core_var *v)
{
    const rt_type *t = v->type;
    if (!t || t->tag != RT_T_STRUCT || !in_place(v))
        return NULL;
    return shared_var_tpl(&g_svt, v, make_struct_var_tpl);
}

/* What emit_checked needs: the variable and its slot's kind. */
typedef struct chk_ctx {
    const rt_core_var *v;
    uint8_t kind;
} chk_ctx;

/* v's whole Value event (step.c's write_values: value begin, rt_capture_var,
 * end): slot 0's marker text for a char *, or the capture of the unsigned
 * 64-bit integer vals[0]. */
static void emit_checked(rtrace_enc *e, const int64_t *vals, const void *ctx)
{
    const chk_ctx *c = ctx;
    uint64_t img = (uint64_t)vals[0];
    rtrace__enc_value_begin_fast(e, c->v->var_id);
    if (c->kind == RT_FAST_CSTR)
        emit_cstring(e, c->v->type, 0);
    else
        rt_capture(e, c->v->type, &img, false, 0);
    rtrace__enc_event_value_end_fast(e);
}

/* The checked slot's kind of v: RT_FAST_U64, RT_FAST_CSTR or RT_FAST_NONE. */
static uint8_t checked_kind(const rt_core_var *v)
{
    return is_u64_var(v) ? RT_FAST_U64 : is_cstring_type(v->type) ? RT_FAST_CSTR : RT_FAST_NONE;
}

static const void *make_checked_tpl(const rt_core_var *v)
{
    chk_ctx c = { v, checked_kind(v) };
    return value_event_tpl(rt_tpl_new(rt_cfg.format, 1, &c.kind, emit_checked, &c));
}

/* The Value event template of v when it is a char * or an unsigned 64-bit
 * integer in the frame or a static (rt_core_var.stpl): one checked slot
 * (RT_FAST_CSTR or RT_FAST_U64, at offset 0 from v's address) the fast path
 * reads and checks before it writes anything; else NULL. */
static const rt_tpl *checked_var_tpl(const rt_core_var *v)
{
    if (checked_kind(v) == RT_FAST_NONE || !in_place(v) || rt_on_valgrind())
        return NULL;
    return shared_var_tpl(&g_svt, v, make_checked_tpl);
}

/* The elements the capture writes of array type t (put_array). */
static uint32_t array_count(const rt_type *t)
{
    uint32_t max = rt_cfg.max_elems ? rt_cfg.max_elems : 32;
    return t->u.arr.count < max ? t->u.arr.count : max;
}

/* Array v's Value event template, cut from the capture's own output for an
 * image of zeros (step.c's write_values: value begin, rt_capture, end)
 * around its elements, each the Int record put_int_elems writes; checked by
 * putting the pieces back together. NULL when they do not fit. */
static const void *make_array_tpl(const rt_core_var *v)
{
    const rt_type *t = v->type, *el = t->u.arr.elem;
    uint8_t kind = fast_type_kind(el);
    uint32_t count = array_count(t);
    unsigned char img[RT_TPL_STRUCT_MAX] __attribute__((aligned(16))) = {0};
    bool json = rt_cfg.format == RTRACE_FORMAT_JSON;
    rtrace_enc a, r;
    if (rtrace_enc_init(&a, rt_cfg.format, 512))
        return NULL;
    if (rtrace_enc_init(&r, rt_cfg.format, 64)) {
        rtrace_enc_free(&a);
        return NULL;
    }
    a.json_first = false;
    rtrace__enc_value_begin_fast(&a, v->var_id);
    rt_capture(&a, t, img, false, 0);
    rtrace__enc_event_value_end_fast(&a);
    rtrace__enc_int_fast(&r, el->trace_type_id, 0);        /* an element: the Int record of 0 */
    /* r = the record's head (what rt_fast_array_value writes), the 0, the tail */
    size_t hl = json ? sizeof RT_ARR_JSON_HEAD - 1 : sizeof RT_ARR_CBOR_HEAD - 1, rl = r.len;
    rt_arr_tpl *at = NULL;
    const unsigned char *m = a.oom || r.oom || rl <= hl + 1 ? NULL : memmem(a.buf, a.len, r.buf, rl);
    size_t head = m ? (size_t)(m - a.buf) : 0, elems = (size_t)count * rl + (json ? count - 1 : 0);
    bool ok = m && memcmp(r.buf, json ? RT_ARR_JSON_HEAD : RT_ARR_CBOR_HEAD, hl) == 0 &&
              rl - hl - 1 <= sizeof at->etail &&
              head <= RT_VALUE_HEAD_MAX && head + elems <= a.len && a.len - head - elems <= RT_VALUE_TAIL_MAX;
    for (uint32_t i = 0; ok && i < count; i++) {
        size_t at_i = head + (size_t)i * rl + (json ? i : 0);
        ok = (!json || i == 0 || a.buf[at_i - 1] == ',') && memcmp(a.buf + at_i, r.buf, rl) == 0;
    }
    if (ok && (at = rt_core_alloc(sizeof *at)) != NULL) {
        at->count = count;
        at->kind = kind;
        at->width = (uint8_t)el->size;
        at->head_len = (uint8_t)head;
        memcpy(at->head, a.buf, head);
        at->tail_len = (uint8_t)(a.len - head - elems);
        memcpy(at->tail, a.buf + head + elems, at->tail_len);
        at->etail_len = (uint8_t)(rl - hl - 1);
        memcpy(at->etail, r.buf + hl + 1, at->etail_len);
    }
    rtrace_enc_free(&a);
    rtrace_enc_free(&r);
    return at;
}

/* The Value event template of v when it is an array of plain integers in the
 * frame or a static (rt_core_var.atpl), at most RT_TPL_STRUCT_MAX bytes of it
 * written, else NULL. */
static const rt_arr_tpl *array_var_tpl(const rt_core_var *v)
{
    const rt_type *t = v->type;
    if (!t || t->tag != RT_T_ARRAY || !in_place(v) || rt_on_valgrind() || !t->u.arr.elem ||
        fast_type_kind(t->u.arr.elem) == RT_FAST_NONE || array_count(t) == 0 ||
        (size_t)array_count(t) * t->u.arr.elem->size > RT_TPL_STRUCT_MAX)
        return NULL;
    return shared_var_tpl(&g_avt, v, make_array_tpl);
}

/* The path id of file index `fi` of m (cached in pids). */
static uint32_t file_pid(const rt_module *m, uint32_t *pids, uint32_t fi)
{
    if (fi >= m->nfiles)
        fi = 0;
    if (pids[fi] == UINT32_MAX) {
        pids[fi] = rt_output_path_id(m->files[fi]);
        remember_path(pids[fi], m->files[fi]);
    }
    return pids[fi];
}

/* Contract: see rt.h. Start-up and dlopen; not for concurrent calls with
 * itself (the lifecycle serialises module loading). */
int rt_core_add_module(rt_module *m)
{
    static bool filter_ready;
    if (!filter_ready) {
        filter_ready = true;
        rt_filter_parse(rt_cfg.filter);
    }
    if (!m)
        return -1;
    size_t im = atomic_load_explicit(&g_nmods, memory_order_relaxed);
    if (im < RT_MAX_MODULES) {
        g_mods[im] = m;
        atomic_store_explicit(&g_nmods, im + 1, memory_order_release);
    }
    for (size_t i = 0; i < m->nfuncs && !g_main_path; i++)
        if (m->funcs[i].name && !strcmp(m->funcs[i].name, "main") && m->funcs[i].file < m->nfiles) {
            g_main_path = m->files[m->funcs[i].file];
            g_main_line = m->funcs[i].decl_line;
        }
    if (!m->probes_addr || !m->nprobes || !m->nfuncs || !m->nfiles)
        return 0;

    uint32_t *pids = malloc(m->nfiles * sizeof *pids);
    /* the module's big tables (kept while it is loaded) on huge pages when big */
    rt_core_func *cfs = big_array(m->nfuncs, sizeof *cfs);
    rt_site *sites = big_array(m->nprobes, sizeof *sites);
    rt_patch_probe *pp = big_array(m->nprobes, sizeof *pp);   /* for rt_patch_module */
    size_t vcap = 64;
    rt_var_at *tmp = malloc(vcap * sizeof *tmp);
    if (!pids || !cfs || !sites || !tmp || !pp) {
        free(pids); rt_big_free(cfs); rt_big_free(sites); free(tmp); rt_big_free(pp);
        rt_warn("out of memory while indexing %s\n", m->path);
        return -1;
    }
    memset(pids, 0xff, m->nfiles * sizeof *pids);

    /* Pass 1: sites, functions, variables (no events yet, but path ids:
     * rt_output_path_id writes its own Path event). */
    const rt_probe_record *recs = (const rt_probe_record *)(uintptr_t)(m->probes_addr + m->bias);
    size_t nsites = 0;
    const rt_func *lastf = NULL;
    for (size_t i = 0; i < m->nprobes; i++) {
        const rt_probe_record *r = &recs[i];
        uint64_t start = (uint64_t)(uintptr_t)&r->start_rel + (int64_t)r->start_rel;
        uint64_t pc = (uint64_t)(uintptr_t)&r->pc_rel + (int64_t)r->pc_rel;
        uint64_t lstart = start - m->bias;
        /* a function's probes come one after the other: try the last one
         * before searching (the functions do not overlap: same answer) */
        const rt_func *f = lastf && lstart >= lastf->lowpc && lstart < lastf->highpc
                               ? lastf : rt_module_find_func(m, lstart);
        if (f)
            lastf = f;
        pp[i].start = start;
        pp[i].pc = pc;
        pp[i].kind = r->kind;
        pp[i].func = -1;
        if (!f || (r->kind != RT_PROBE_LINE && r->kind != RT_PROBE_RETURN))
            continue;
        rt_core_func *cf = &cfs[f - m->funcs];
        if (!cf->f) {
            cf->f = f;
            cf->m = m;
            cf->name = f->name ? f->name : "?";
            cf->path = f->file < m->nfiles ? m->files[f->file] : NULL;
            cf->decl_line = f->decl_line;
            cf->ret = f->ret;
            cf->ret_class = (uint8_t)rt_ret_classify(f->ret, cf->ret_eb);
            cf->traced = rt_filter_match(cf->path, cf->name);
            if (cf->traced)
                cf->path_id = file_pid(m, pids, f->file);
        }
        pp[i].func = f - m->funcs;
        pp[i].traced = cf->traced;
        if (!cf->traced)
            continue;
        rt_site *s = &sites[nsites];
        memset(s, 0, sizeof *s);
        s->pc = pc;
        s->start = start;
        s->kind = r->kind;
        s->fn = cf;
        if (r->kind == RT_PROBE_RETURN && !cf->ret_pc)
            cf->ret_pc = pc;
        if (r->kind == RT_PROBE_LINE) {
            /* only the function's first line probe can precede the entry
             * hook (the exit hook has the same shape, after the last line) */
            bool first_line = !cf->seen_line;
            cf->seen_line = true;
            if (first_line && before_cyg_enter(pc, f->lowpc + m->bias, f->highpc + m->bias))
                s->flags |= RT_SITE_DEFER;
            if (first_line)
                s->flags |= RT_SITE_ENTRY;
            const rt_line_row *row = rt_module_row_at(m, lstart);
            s->flags |= row ? RT_SITE_ROWSTART : 0;
            if (!row)       /* a row gdb merges into the previous one */
                row = rt_module_row_covering(m, lstart);
            if (!row)
                continue;
            s->line = row->line;
            s->path_id = file_pid(m, pids, row->file);
            if (row->is_stmt)
                s->flags |= RT_SITE_STMT;
            size_t nv = rt_module_visible_vars(m, f, lstart, tmp, vcap);
            if (nv > vcap) {
                rt_var_at *nt = realloc(tmp, nv * sizeof *nt);
                if (!nt)
                    continue;
                tmp = nt;
                vcap = nv;
                nv = rt_module_visible_vars(m, f, lstart, tmp, vcap);
            }
            /* share the previous site's list when it is the same */
            const rt_site *prev = nsites ? &sites[nsites - 1] : NULL;
            bool same = prev && prev->fn == cf && prev->kind == RT_PROBE_LINE && prev->nvars == nv;
            for (size_t k = 0; same && k < nv; k++)
                same = prev->vars[k].type == tmp[k].type && prev->vars[k].name == tmp[k].name &&
                       !memcmp(&prev->vars[k].loc, &tmp[k].loc, sizeof(rt_loc)) &&
                       !memcmp(&prev->vars[k].vla_count, &tmp[k].vla_count, sizeof(rt_loc)) &&
                       prev->vars[k].vla_add == tmp[k].vla_add &&
                       tmp[k].loc.kind != RT_LOC_ADDR;
            if (same) {
                s->vars = prev->vars;
                s->nvars = prev->nvars;
                s->nparams = prev->nparams;
            } else if (nv) {
                rt_core_var *vs = nv <= SIZE_MAX / sizeof *vs ? rt_core_alloc(nv * sizeof *vs) : NULL;
                if (!vs)
                    continue;
                uint32_t np = 0;
                for (size_t k = 0; k < nv; k++) {
                    vs[k].name = tmp[k].name;
                    vs[k].type = tmp[k].type;
                    vs[k].loc = tmp[k].loc;
                    vs[k].vla_count = tmp[k].vla_count;
                    vs[k].vla_add = tmp[k].vla_add;
                    if (vs[k].loc.kind == RT_LOC_ADDR)
                        vs[k].loc.offset += (int64_t)m->bias;
                    if (tmp[k].is_param && np == k)
                        np++;
                }
                s->vars = vs;
                s->nvars = (uint32_t)nv;
                s->nparams = np;
            }
        }
        pp[i].has_site = true;
        pp[i].defer = (s->flags & RT_SITE_DEFER) != 0;
        nsites++;
    }
    free(tmp);

    /* Pass 2: the definition events, then the ids into the sites. */
    rt_defs_lock();
    rtrace_enc *e = rt_output_defs_begin();
    static rtrace_enc discard;      /* not recording: ids are still handed out */
    bool discarding = e == NULL;
    if (discarding) {
        if (!discard.buf && rtrace_enc_init(&discard, RTRACE_FORMAT_JSON, 0) != 0) {
            rt_defs_unlock();
            free(pids);
            rt_big_free(pp);
            return -1;
        }
        e = &discard;
    }
    for (size_t i = 0; i < m->nfuncs; i++) {
        rt_core_func *cf = &cfs[i];
        if (!cf->f || !cf->traced)
            continue;
        cf->function_id = rt_defs_function(e, cf->path_id, cf->decl_line, cf->name);
        rt_defs_type(e, cf->ret);
        build_type_tpls(cf->ret);
    }
    const rt_core_var *done = NULL;
    for (size_t i = 0; i < nsites; i++) {
        rt_site *s = &sites[i];
        if (!s->nvars || s->vars == done)
            continue;
        rt_core_var *vs = (rt_core_var *)s->vars;
        for (uint32_t k = 0; k < s->nvars; k++) {
            vs[k].type_id = rt_defs_type(e, vs[k].type);
            vs[k].var_id = rt_defs_var(e, vs[k].name);
            vs[k].fast = fast_kind(&vs[k]);
            if (vs[k].fast != RT_FAST_NONE) {
                vs[k].tpl = value_tpl(&vs[k]);
            } else {
                build_type_tpls(vs[k].type);
                vs[k].stpl = struct_var_tpl(&vs[k]);
                if (!vs[k].stpl)
                    vs[k].stpl = checked_var_tpl(&vs[k]);
                if (!vs[k].stpl)
                    vs[k].atpl = array_var_tpl(&vs[k]);
            }
        }
        done = s->vars;
    }
    for (size_t i = 0; i < nsites; i++) {
        rt_site *s = &sites[i];
        bool all = s->nvars > 0;
        size_t room = 0;
        unsigned nchk = 0, nstr = 0;
        for (uint32_t k = 0; all && k < s->nvars; k++) {
            const rt_core_var *v = &s->vars[k];
            all = v->tpl != NULL || v->stpl != NULL || v->atpl != NULL;
            room += rt_fast_value_room(v);
            if (all && v->stpl && v->stpl->npre) {
                nchk++;
                nstr += v->stpl->nstr;
            }
        }
        if (all && room <= UINT32_MAX / 2 && nstr <= RT_TPL_MAX_STR && nchk <= RT_SITE_MAX_CHK) {
            /* checked variables: the fast path only (fastpath.c fast_vals_checks) */
            s->flags |= nchk ? RT_SITE_CHKVALS : RT_SITE_FASTVALS;
            s->vals_room = (uint32_t)room;
        }
        /* a deferred entry's template is written at the function's next
         * probe (fastpath.c), whose Step is the same only at a known
         * declaration line (write_call) */
        if ((s->flags & (RT_SITE_ENTRY | RT_SITE_DEFER)) == RT_SITE_ENTRY ||
            ((s->flags & RT_SITE_DEFER) && s->fn->decl_line))
            build_call_tpl(s);
    }
    /* where the fast path may write a Call from the template (fastpath.c
     * fast_call, fast_deferred), with the room and events it then needs */
    bool full = rt_cfg.mode == RT_MODE_FULL;
    for (size_t i = 0; i < nsites; i++) {
        rt_site *s = &sites[i];
        const rt_tpl *t = s->fn ? s->fn->call_tpl : NULL;
        if (!t || s->kind != RT_PROBE_LINE)
            continue;
        if (s->flags & RT_SITE_DEFER) {
            s->flags |= RT_SITE_CALLTPL;        /* opens the frame only */
            s->call_room = 0;
            s->call_nev = 0;
            continue;
        }
        if (full && s->nvars && !(s->flags & (RT_SITE_FASTVALS | RT_SITE_CHKVALS)))
            continue;
        size_t room = rt_tpl_room(t) + (full ? 64 + (size_t)s->vals_room : 0);
        if (room > UINT32_MAX)
            continue;
        s->flags |= RT_SITE_CALLTPL;
        if (t->npre || (full && (s->flags & RT_SITE_CHKVALS)))
            s->flags |= RT_SITE_CALLCHK;
        s->call_room = (uint32_t)room;
        s->call_nev = 2 + (full ? 1 + s->nvars : 0);
    }
    for (size_t i = 0; i < m->nfuncs; i++)
        if (cfs[i].f && cfs[i].traced)
            build_ret_tpl(&cfs[i]);
    if (discarding)
        rtrace_enc_reset(&discard);
    else
        rt_output_defs_end();
    rt_defs_unlock();

    int rc = table_publish(sites, nsites);
    free(pids);
    if (rc)
        rt_warn("out of memory while indexing %s\n", m->path);
    else
        rt_patch_module(m, pp, m->nprobes);
    rt_big_free(pp);
    return rc;
}
