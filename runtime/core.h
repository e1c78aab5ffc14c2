/*
 * runtime/core.h - what the core files of the runtime share (probes.c,
 * step.c, capture.c, defs.c, filter.c, hooks.c). The lifecycle files never
 * include it: their contract with the core is rt.h.
 *
 * The core turns each probe of a module into an rt_site at start-up (or at
 * dlopen): everything a probe needs is precomputed there (the function, the
 * line and path id, the variables visible at that pc with their trace
 * variable ids, types and locations), so the per-event path is a hash lookup
 * on the pc, a few comparisons for gdb's stepping rules and the value
 * capture. Sites, functions and types are never freed: a thread may be
 * reading them at any moment.
 */
#ifndef RT_CORE_H
#define RT_CORE_H

#include "rt.h"

/* How a function's return value comes back (SysV x86-64), see rt_ret_classify. */
enum {
    RT_RET_VOID = 0,   /* nothing: None with type 0 */
    RT_RET_INT,        /* rax (<= 8 bytes: integers, pointers, enums, _Bool) */
    RT_RET_INT128,     /* rdx:rax */
    RT_RET_SSE,        /* xmm0 (float, double) */
    RT_RET_X87,        /* st0 (long double) */
    RT_RET_REGS,       /* a small struct/union in up to two eightbytes (rt_ret_eb) */
    RT_RET_MEMORY,     /* a struct returned in memory: rax holds its address */
    RT_RET_UNKNOWN     /* a type the core cannot decode: an Error value */
};
/* Where the fast return path finds a struct's bytes (rt_core_func.ret_struct). */
enum { RT_RETS_NONE = 0, RT_RETS_REGS = 1, RT_RETS_MEM = 2 };

/* Classes of the eightbytes of an RT_RET_REGS value. */
enum { RT_EB_NONE = 0, RT_EB_INT = 1, RT_EB_SSE = 2 };

/* Room for a Value event's template parts (= RTRACE__VALUE_HEAD_MAX / _TAIL_MAX). */
#define RT_VALUE_HEAD_MAX 80
#define RT_VALUE_TAIL_MAX 40
/* What the hot path copies of them in CBOR (templates longer than that are not built). */
#define RT_CBOR_HEAD_COPY 48
#define RT_CBOR_TAIL_COPY 16

/* One variable as a site reads it: location with the module's bias folded in. */
typedef struct rt_core_var {
    uint64_t var_id;          /* VariableName id */
    const rt_type *type;
    rt_loc loc;               /* RT_LOC_ADDR: run-time address in `offset` */
    const char *name;
    rt_loc vla_count;         /* VLA: where its element count is (else RT_LOC_NONE) */
    int64_t vla_add;          /* ... plus this */
    uint64_t type_id;         /* the type's id (set with var_id) */
    uint8_t fast;             /* RT_FAST_*: a plain integer read with one load */
    const struct rt_value_tpl *tpl; /* fast variables: their Value event's template */
    const struct rt_tpl *stpl; /* a struct of plain integers in the frame or a static (not
                                  fast): its Value event as a template (tpl.h) whose slots
                                  are the fields, at slot_off from the struct's start; or
                                  a char * or unsigned 64-bit integer's, with one checked
                                  slot (stpl->npre) */
    const struct rt_arr_tpl *atpl; /* an array of plain integers in the frame or a static
                                      (char buffers...): its Value event's parts */
} rt_core_var;

/* The bytes of a fast variable's Value event before and after the integer,
 * in the trace's format (encode_inline.h's value head/tail); the hot path
 * copies them whole (sizes fixed) and steps by the lengths. One per
 * (variable id, type id), shared by every variable of that name and type. */
typedef struct rt_value_tpl {
    uint8_t head_len, tail_len;
    unsigned char head[RT_VALUE_HEAD_MAX];
    unsigned char tail[RT_VALUE_TAIL_MAX];
} rt_value_tpl;

/* An array of plain integers' Value event (rt_core_var.atpl), from the
 * capture's own output (probes.c): the bytes before its first element and
 * after its last, an element's Int record after its integer (the element
 * type's id), how many elements the capture writes (RTRACE_MAX_ELEMS at
 * most), their RT_FAST_* kind and width. The arrays leave 16 bytes for the
 * hot path's 16-byte copies. One per (variable id, type). */
typedef struct rt_arr_tpl {
    uint32_t count;
    uint8_t kind, width;
    uint8_t head_len, tail_len, etail_len;
    unsigned char head[RT_VALUE_HEAD_MAX + 16];
    unsigned char tail[RT_VALUE_TAIL_MAX + 16];
    unsigned char etail[24];
} rt_arr_tpl;

/* An array element's Int record up to its integer, as the encoder writes it
 * (rtrace__enc_int_fast): rt_fast_array_value writes it, probes.c checks it. */
#define RT_ARR_CBOR_HEAD "\xa3\x64" "kind" "\x63" "Int" "\x61" "i"
#define RT_ARR_JSON_HEAD "{\"kind\":\"Int\",\"i\":"

/* The most an array element's Int record takes in rt_fast_array_value,
 * copies' slack included (a comma, the record's head, an integer, the tail
 * copied whole). */
#define RT_ARR_ELEM_ROOM 64

/* Variables whose value is an Int read straight from the frame (rbp+offset)
 * or a static (run-time address): the per-event path writes them with one
 * load and one fused encoder call. */
enum { RT_FAST_NONE = 0, RT_FAST_I8, RT_FAST_I16, RT_FAST_I32, RT_FAST_I64,
       RT_FAST_U8, RT_FAST_U16, RT_FAST_U32,
       /* call template slots only (tpl.h), checked before the Call is written:
        * a char * parameter's text, an unsigned 64-bit parameter (an Int up to
        * INT64_MAX, else a BigInt: the general path) */
       RT_FAST_CSTR, RT_FAST_U64 };

struct rt_tpl;   /* tpl.h */

/* One function of a module that has probes. */
typedef struct rt_core_func {
    const rt_func *f;
    const rt_module *m;
    const char *name;
    const char *path;         /* declaration file (absolute) */
    uint64_t function_id;     /* Function id (its event is written at add time) */
    uint32_t path_id;
    uint32_t decl_line;
    const rt_type *ret;       /* NULL for void */
    uint8_t ret_class;        /* RT_RET_* */
    uint8_t ret_eb[2];        /* RT_RET_REGS: class of each eightbyte */
    bool traced;              /* RTRACE_FILTER's decision */
    bool seen_line;           /* start-up only: a line probe of it was indexed */
    uint8_t ret_fast;         /* RT_FAST_* of an integer return value (in rax) */
    uint8_t ret_struct;       /* RT_RETS_*: ret_tpl is a struct of integers, its slots at
                                 offsets in the struct's bytes, which are rax:rdx (REGS) or
                                 in memory at rax (MEM) */
    const struct rt_tpl *ret_tpl; /* its Return event (void or ret_fast), or NULL */
    uint64_t ret_pc;          /* run-time pc of its first return probe (the return fast
                                 path knows that site's function without a lookup) */
    const struct rt_tpl *call_tpl; /* parameters all fast: the Step and Call of a call
                                      starting at its entry site (RT_SITE_ENTRY), or NULL */
} rt_core_func;

/* Site flags. */
#define RT_SITE_STMT 1u       /* the row is is_stmt: gdb may stop here */
#define RT_SITE_ROWSTART 2u   /* the probe starts a row of gdb's line table */
#define RT_SITE_DEFER 4u      /* a function's first probe placed before its parameters are
                                 in their slots (clang's -finstrument-functions entry call):
                                 the Call waits for the next probe of the frame */
#define RT_SITE_FASTVALS 8u   /* every visible variable has its Value template: a fast
                                 integer (tpl) or a struct of them (stpl) */
#define RT_SITE_ENTRY 16u     /* the function's first line probe (where its calls start) */
#define RT_SITE_CHKVALS 64u   /* as RT_SITE_FASTVALS, but some templates have checked slots
                                 (char *, unsigned 64-bit: tpl.h npre): for the fast path
                                 only, which reads and checks them first; vals_room then
                                 leaves out the texts */
#define RT_SITE_CALLCHK 128u  /* RT_SITE_CALLTPL, and the Call (or the stop with it) has
                                 checked slots: fastpath.c's fast_call_ready reads them first */
#define RT_SITE_CALLTPL 32u   /* the function's Call may be written here from its call_tpl
                                 (a fast entry, or a deferred Call; in full mode with the
                                 stop's Values from templates): call_room, call_nev */

/* A probe, everything precomputed. */
typedef struct rt_site {
    uint64_t pc;              /* run-time pc reported by the trampoline (key) */
    uint64_t start;           /* run-time address of the probe start (the row address) */
    uint32_t kind;            /* RT_PROBE_LINE / RT_PROBE_RETURN */
    uint32_t flags;           /* RT_SITE_* */
    uint32_t path_id;
    uint32_t call_room;       /* RT_SITE_CALLTPL: the room of the Call, and in full mode of
                                 the stop (0 at a deferred entry: it writes nothing) */
    int64_t line;
    const rt_core_func *fn;
    const rt_core_var *vars;  /* visible variables: parameters first, then locals innermost first */
    uint32_t nvars;
    uint32_t nparams;         /* the first nparams of vars are the parameters */
    uint32_t vals_room;       /* RT_SITE_FASTVALS, _CHKVALS: the room rt_fast_values needs for vars */
    uint32_t call_nev;        /* RT_SITE_CALLTPL: the events call_room holds */
} rt_site;

/* ---- probes.c: the site table ------------------------------------------- */
/* n zeroed bytes (16-aligned) for tables kept as long as the process: the
 * sites' variables, templates. Start-up and dlopen only; never freed. */
RT_HIDDEN void *rt_core_alloc(size_t n);
/* The site of run-time pc `pc`, or NULL. Lock-free, wait-free. */
RT_HIDDEN const rt_site *rt_sites_lookup(uint64_t pc);
/* The function (name) containing run-time address `addr` in any added module,
 * or NULL. Used for function-pointer values. */
RT_HIDDEN const rt_func *rt_core_func_at(uint64_t addr);
/* The path string of a path id the core registered, or NULL. */
RT_HIDDEN const char *rt_core_path_name(uint32_t path_id);

/* ---- step.c: frames and gdb's rules --------------------------------------- */
/*
 * gdb's landing after a return, at frame fr's first probe s since a callee
 * returned to fr->ret_pc (rt_step_line and the fast path's fast_returned;
 * gcc's `return f();` case is step.c's alone). gdb's current line is still
 * the callee's (the last stop) where the return address starts a row: the
 * probe's own, or a row of the line table, where a non-statement row of
 * another line (clang's is_stmt 0 row after a call) makes gdb forget the
 * line ("stepped to a different frame, but it's not the start of a
 * statement": the next statement row is a stop whatever its line). Where
 * the return address is inside a row, gdb takes that row's line, the
 * caller's: fr is left as it is. Inline and call-free (fastpath.c).
 */
static inline void rt_land(const rt_thread *t, rt_frame *fr, const rt_site *s)
{
    const rt_module *m = s->fn->m;
    uint64_t ret = fr->ret_pc;
    const rt_line_row *row = NULL;
    if (s->start != ret && m && ret >= m->bias && rt_module_maybe_row(m, ret - m->bias))
        row = rt_module_row_at_inline(m, ret - m->bias);
    if (s->start == ret || (row && (row->is_stmt || (int64_t)row->line == t->last_line))) {
        fr->line = (uint32_t)t->last_line;
        fr->path_id = (uint32_t)t->last_path_id;
    } else if (row) {
        fr->line = 0;
    }
}

/* Frames of this thread flagged RT_FR_UPWARD (see step.c). */
extern RT_HIDDEN __thread size_t rt_upward __attribute__((tls_model("initial-exec")));
/* Frame flags. */
#define RT_FR_RETURNED 1u     /* a callee returned to this frame since its last probe */
#define RT_FR_PENDING 2u      /* entered at a deferred site: its Call is not written yet */
#define RT_FR_UPWARD 4u       /* its CFA is not below the frame under it (another stack) */
/* Handles a line probe of `site` for thread t (frame logic, stop decision,
 * events into `e`). Returns the number of events written. */
RT_HIDDEN unsigned rt_step_line(rt_thread *t, rtrace_enc *e, const rt_site *site,
                                const rt_regs *regs, uint64_t cfa);
/* Handles a return probe: pops the frame whose CFA is `cfa` (and any frame
 * above it, with None returns) and writes Return; `x87` holds st0 (10 bytes)
 * for long double functions. Returns the number of events written. */
RT_HIDDEN unsigned rt_step_return(rt_thread *t, rtrace_enc *e, const rt_site *site,
                                  const rt_regs *regs, uint64_t cfa, const void *x87);

/* ---- capture.c: values ---------------------------------------------------- */
/* Writes the value of type `t` stored at `src`. `safe`: src is not known to be
 * readable (every read goes through rt_safe_copy); `depth`: pointer levels
 * already followed. Never faults. */
RT_HIDDEN void rt_capture(rtrace_enc *e, const rt_type *t, const void *src, bool safe, unsigned depth);
/* Writes the value of variable v as it is in the frame described by regs. */
RT_HIDDEN void rt_capture_var(rtrace_enc *e, const rt_core_var *v, const rt_regs *regs);
/* True when running under Valgrind (memcheck.h's RUNNING_ON_VALGRIND, asked once;
 * always false when the runtime was built without the header). There the
 * values of the program are read only by rt_capture_var, which tells memcheck
 * that the bits it copies are defined (see capture.c). */
RT_HIDDEN bool rt_on_valgrind(void);
/* Writes the return value of fn from the registers at its `ret`. */
RT_HIDDEN void rt_capture_return(rtrace_enc *e, const rt_core_func *fn, const rt_regs *regs,
                                 const void *x87);
/* SysV classification of a return type; fills eb[2] for RT_RET_REGS. */
RT_HIDDEN int rt_ret_classify(const rt_type *t, uint8_t eb[2]);
/* The type id of t (0 for NULL/void). */
static inline uint64_t rt_type_id(const rt_type *t) { return t ? t->trace_type_id : 0; }

/* ---- defs.c: Type / VariableName / Function definitions ------------------- */
/* Makes sure `t` (and what it refers to) has a Type event; returns its id.
 * Start-up/dlopen only: takes the defs lock, writes to `e` (a defs encoder). */
RT_HIDDEN uint64_t rt_defs_type(rtrace_enc *e, const rt_type *t);
/* The VariableName id of `name`, writing the event on first use. */
RT_HIDDEN uint64_t rt_defs_var(rtrace_enc *e, const char *name);
/* A new Function id, writing the event. */
RT_HIDDEN uint64_t rt_defs_function(rtrace_enc *e, uint32_t path_id, uint32_t line, const char *name);
/* The defs lock (start-up / dlopen builds only). */
RT_HIDDEN void rt_defs_lock(void);
RT_HIDDEN void rt_defs_unlock(void);

/* ---- filter.c: RTRACE_FILTER ---------------------------------------------- */
/* Parses `spec` (NULL or "" = record everything); returns 0, or -1 with a
 * warning (then everything is recorded). */
RT_HIDDEN int rt_filter_parse(const char *spec);
/* Whether function `name` declared in file `path` is recorded. */
RT_HIDDEN bool rt_filter_match(const char *path, const char *name);

#endif
