/*
 * runtime/defs.c - the definition events of the trace: Type, VariableName and
 * Function, and the ids the probes use to refer to them.
 *
 * Ids are the order of the events in the stream, shared by every module and
 * thread, so they are handed out here under one lock, at start-up and dlopen
 * only (never on the per-event path: sites carry the ids precomputed). The
 * lifecycle's start events take type 0 (None) and function 0 (<toplevel>),
 * so Types and Functions written here start at 1.
 *
 * Types are deduplicated by lang_type (rt_type.name, unique per distinct C
 * type): the same "int" of two compile units or two modules is one Type. Kinds
 * follow trace-format.md's mapping: Int 7 for integers and chars, Bool 12,
 * Float 8, CString 10 for pointers to char, Struct 6 (with fields) for structs
 * and unions, Enum 17, Array 4, Pointer 23 (with dereference_type_id),
 * FunctionKind 25 for function pointers, Raw 16 for the rest; void is type 0.
 *
 * A recursive struct (struct node { struct node *next; }) cannot be written
 * with every reference pointing backwards: ids are assigned first (post-order;
 * a pointer to a struct still being assigned gets its id before the struct)
 * and the events are written afterwards in id order, reading the final ids, so
 * only the pointer of such a cycle refers forward.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static pthread_mutex_t defs_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- A string -> id map (open addressing; start-up only) ------------------ */
typedef struct strmap {
    char **keys;
    uint64_t *ids;
    size_t cap, n;
} strmap;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;          /* FNV-1a */
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

/* The slot of `key` (found or empty). */
static size_t strmap_slot(const strmap *m, const char *key)
{
    size_t i = str_hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* Looks `key` up; true with *id when present. */
static bool strmap_get(const strmap *m, const char *key, uint64_t *id)
{
    if (!m->cap)
        return false;
    size_t i = strmap_slot(m, key);
    if (!m->keys[i])
        return false;
    *id = m->ids[i];
    return true;
}

/* Adds key -> id (key copied). False on allocation failure. */
static bool strmap_put(strmap *m, const char *key, uint64_t id)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 256;
        strmap nm = { calloc(ncap, sizeof(char *)), calloc(ncap, sizeof(uint64_t)), ncap, 0 };
        if (!nm.keys || !nm.ids) {
            free(nm.keys);
            free(nm.ids);
            return false;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = strmap_slot(&nm, m->keys[i]);
                nm.keys[j] = m->keys[i];
                nm.ids[j] = m->ids[i];
                nm.n++;
            }
        free(m->keys);
        free(m->ids);
        *m = nm;
    }
    char *k = strdup(key);
    if (!k)
        return false;
    size_t i = strmap_slot(m, key);
    m->keys[i] = k;
    m->ids[i] = id;
    m->n++;
    return true;
}

static strmap type_names, var_names;
static uint64_t next_type_id = 1;      /* 0 is None, written by the start events */
static uint64_t next_var_id = 0;
static uint64_t next_func_id = 1;      /* 0 is <toplevel> */

/* Types given an id whose event is not written yet, in id order. */
static rt_type **pending;
static size_t npending, cap_pending;

/* Types being assigned (to detect cycles). */
#define RT_DEFS_MAX_NEST 512
static const rt_type *visiting[RT_DEFS_MAX_NEST];
static size_t nvisiting;

/* Contract: see core.h. */
void rt_defs_lock(void) { pthread_mutex_lock(&defs_mu); }
void rt_defs_unlock(void) { pthread_mutex_unlock(&defs_mu); }

/* The type kind of t in the trace. */
static rtrace_type_kind kind_of(const rt_type *t)
{
    switch (t->tag) {
    case RT_T_INT: case RT_T_UINT: return RTRACE_TYPE_INT;
    case RT_T_BOOL: return RTRACE_TYPE_BOOL;
    case RT_T_FLOAT: return RTRACE_TYPE_FLOAT;
    case RT_T_ENUM: return RTRACE_TYPE_ENUM;
    case RT_T_STRUCT: case RT_T_UNION: return RTRACE_TYPE_STRUCT;
    case RT_T_ARRAY: return RTRACE_TYPE_ARRAY;
    case RT_T_FUNC: return RTRACE_TYPE_FUNCTION_KIND;
    case RT_T_POINTER: {
        const rt_type *tg = t->u.ptr.target;
        if (tg && tg->tag == RT_T_FUNC)
            return RTRACE_TYPE_FUNCTION_KIND;
        if (rt_type_is_cstring(t))
            return RTRACE_TYPE_CSTRING;
        return RTRACE_TYPE_POINTER;
    }
    case RT_T_VOID: return RTRACE_TYPE_NONE;
    default: return RTRACE_TYPE_RAW;
    }
}

static void assign(rt_type *t);

/* Assigns ids to the types t refers to. */
static void assign_children(rt_type *t)
{
    switch (t->tag) {
    case RT_T_POINTER:
        if (kind_of(t) == RTRACE_TYPE_POINTER)
            assign((rt_type *)t->u.ptr.target);
        break;
    case RT_T_ARRAY:
        assign((rt_type *)t->u.arr.elem);
        break;
    case RT_T_STRUCT: case RT_T_UNION:
        for (uint32_t i = 0; i < t->u.su.n; i++)
            assign((rt_type *)t->u.su.members[i].type);
        break;
    default:
        break;
    }
}

/* Assigns ids to t and every type it refers to (post-order), queueing them. */
static void assign(rt_type *t)
{
    if (!t || t->trace_type_id || t->tag == RT_T_VOID)
        return;
    const char *name = t->name && *t->name ? t->name : "?";
    uint64_t id;
    if (strmap_get(&type_names, name, &id)) {
        /* the same C type from another compile unit or module: its Type is
         * written, but this copy's members and targets still need their ids
         * (the capture reads them from these objects) */
        t->trace_type_id = id;
        assign_children(t);
        return;
    }
    for (size_t i = 0; i < nvisiting; i++)
        if (visiting[i] == t)
            return;                     /* a cycle: the id comes when t completes */
    if (nvisiting == RT_DEFS_MAX_NEST)
        return;
    visiting[nvisiting++] = t;
    assign_children(t);
    nvisiting--;
    /* a member may have reached t by name through another object */
    if (strmap_get(&type_names, name, &id)) {
        t->trace_type_id = id;
        return;
    }
    if (npending == cap_pending) {
        size_t nc = cap_pending ? cap_pending * 2 : 64;
        rt_type **np = realloc(pending, nc * sizeof *np);
        if (!np)
            return;
        pending = np;
        cap_pending = nc;
    }
    if (!strmap_put(&type_names, name, next_type_id))
        return;
    t->trace_type_id = next_type_id++;
    pending[npending++] = t;
}

/* Writes the Type event of t (its referenced ids are final by now). */
static void write_type(rtrace_enc *e, const rt_type *t)
{
    const char *name = t->name && *t->name ? t->name : "?";
    rtrace_type_kind k = kind_of(t);
    if (t->tag == RT_T_STRUCT || t->tag == RT_T_UNION) {
        rtrace_enc_type_struct_begin(e, k, name, t->u.su.n);
        for (uint32_t i = 0; i < t->u.su.n; i++) {
            const rt_member *m = &t->u.su.members[i];
            rtrace_enc_type_field(e, m->name ? m->name : "", rt_type_id(m->type));
        }
        rtrace_enc_type_struct_end(e);
    } else if (k == RTRACE_TYPE_POINTER) {
        rtrace_enc_type_pointer(e, k, name, rt_type_id(t->u.ptr.target));
    } else {
        rtrace_enc_type(e, k, name);
    }
}

/* Contract: see core.h. Caller holds the defs lock. */
uint64_t rt_defs_type(rtrace_enc *e, const rt_type *ct)
{
    rt_type *t = (rt_type *)ct;       /* trace_type_id is the core's to set */
    if (!t || t->tag == RT_T_VOID)
        return 0;
    if (t->trace_type_id)
        return t->trace_type_id;
    assign(t);
    for (size_t i = 0; i < npending; i++)
        write_type(e, pending[i]);
    npending = 0;
    return t->trace_type_id;
}

/* Contract: see core.h. Caller holds the defs lock. */
uint64_t rt_defs_var(rtrace_enc *e, const char *name)
{
    uint64_t id;
    if (!name)
        name = "";
    if (strmap_get(&var_names, name, &id))
        return id;
    id = next_var_id;
    if (!strmap_put(&var_names, name, id))
        return 0;
    next_var_id++;
    rtrace_enc_variable_name(e, name);
    return id;
}

/* Contract: see core.h. Caller holds the defs lock. */
uint64_t rt_defs_function(rtrace_enc *e, uint32_t path_id, uint32_t line, const char *name)
{
    rtrace_enc_function(e, path_id, line ? line : 1, name ? name : "?");
    return next_func_id++;
}
