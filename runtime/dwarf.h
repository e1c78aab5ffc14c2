/*
 * runtime/dwarf.h - the tables the runtime builds from DWARF at start-up.
 *
 * rt_module_load() reads one ELF object (the executable or a shared object),
 * with libdwarf and libelf, ONCE, and turns it into plain sorted arrays: the
 * hot path never calls libdwarf. Everything here is read-only after load and
 * safe to share between threads. Addresses in the tables are link-time
 * addresses; add the module's load bias to compare with run-time pcs.
 * Memory is malloc'ed at load time only (start-up, dlopen), never per event.
 */
#ifndef RT_DWARF_H
#define RT_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Types -------------------------------------------------------------- */
typedef enum rt_type_tag {
    RT_T_VOID,      /* void (only behind pointers / as a return type) */
    RT_T_INT,       /* signed integer of `size` bytes (char when is_char) */
    RT_T_UINT,      /* unsigned integer of `size` bytes (char when is_char) */
    RT_T_BOOL,      /* _Bool */
    RT_T_FLOAT,     /* float (4), double (8), long double (16: x87 80-bit) */
    RT_T_ENUM,      /* enum with enumerators, underlying size/signedness */
    RT_T_STRUCT,
    RT_T_UNION,
    RT_T_ARRAY,     /* elem[count]; multi-dimensional arrays nest */
    RT_T_POINTER,   /* target may be NULL for void * */
    RT_T_FUNC,      /* a function type (pointers to it are function pointers) */
    RT_T_UNKNOWN    /* anything else: shown as Raw bytes */
} rt_type_tag;

typedef struct rt_type rt_type;

typedef struct rt_member {
    const char *name;          /* "" for an anonymous member, shown by its position */
    const rt_type *type;
    uint32_t offset;           /* byte offset in the struct */
    uint16_t bit_offset;       /* bitfields: offset from the start of `offset`, in bits (LSB first);
                                  the field lies in the (bit_offset + bit_size + 7) / 8 bytes
                                  at `offset` (little-endian), within the member type's size
                                  unless the struct is packed */
    uint16_t bit_size;         /* 0 when not a bitfield */
} rt_member;

typedef struct rt_enumerator {
    const char *name;
    int64_t value;
} rt_enumerator;

struct rt_type {
    rt_type_tag tag;
    bool is_char;              /* INT/UINT: char, signed char, unsigned char */
    bool is_plain_char;        /* INT/UINT: plain `char` (not signed/unsigned char): a
                                  pointer to it is a C string (rt_type_is_cstring) */
    bool is_const;             /* the pointed-to or the object type is const-qualified */
    uint32_t size;             /* bytes (0 when unknown/incomplete) */
    const char *name;          /* lang_type, unique per distinct type in a program:
                                  "int", "unsigned long", "char *", "const char *",
                                  "struct point", "struct <anon@a.c:12>", "int[3][4]",
                                  "enum color", typedef names ("size_t") for typedefs */
    union {
        struct { const rt_type *target; } ptr;                        /* POINTER */
        struct { const rt_type *elem; uint32_t count; } arr;          /* ARRAY (count 0: flexible/unknown) */
        struct { const rt_member *members; uint32_t n; } su;          /* STRUCT, UNION */
        struct { const rt_enumerator *e; uint32_t n; } en;            /* ENUM (size, signedness in tag_signed) */
    } u;
    bool tag_signed;           /* ENUM: underlying type is signed */
    /* Set by the runtime core when it writes the Type event (0 = not yet). */
    uint64_t trace_type_id;
    /* Set by the runtime core (probes.c) for a struct of plain integers: its
     * value record as a template with a slot per field (tpl.h), which the
     * capture fills instead of walking the members; NULL otherwise. */
    const struct rt_tpl *val_tpl;
};

/* True when t is a pointer to plain `char` (any cv-qualifiers): its value is the text it points
   to (a CString). `signed char *` and `unsigned char *` (uint8_t *) are ordinary pointers. */
static inline bool rt_type_is_cstring(const rt_type *t)
{
    const rt_type *tg = t && t->tag == RT_T_POINTER ? t->u.ptr.target : NULL;
    return tg && (tg->tag == RT_T_INT || tg->tag == RT_T_UINT) && tg->is_plain_char &&
           tg->size == 1;
}

/* ---- Locations ------------------------------------------------------------ */
typedef enum rt_loc_kind {
    RT_LOC_NONE,          /* optimised out / not available at this pc */
    RT_LOC_ADDR,          /* static storage: link-time address `offset` (add the load bias) */
    RT_LOC_REG_OFFSET,    /* address = value of DWARF register `reg` + offset (rbp=6, rsp=7) */
    RT_LOC_REG_OFFSET_DEREF, /* address = *(reg + offset) + offset2 (VLAs: fbreg; deref) */
    RT_LOC_IN_REG,        /* the value itself is in DWARF register `reg` */
    RT_LOC_TLS,           /* thread-local storage (_Thread_local/__thread): `offset` inside
                             the TLS block of module id `reg` (rt_module.tls_modid; 0: not
                             known), read for the current thread (__tls_get_addr) */
    RT_LOC_UNSUPPORTED    /* an expression the runtime does not evaluate: Error value */
} rt_loc_kind;

typedef struct rt_loc {
    rt_loc_kind kind;
    int reg;
    int64_t offset, offset2;
} rt_loc;

/* A variable as it must be read at one pc: frame base already folded in
 * (gcc's DW_OP_call_frame_cfa becomes rbp+16+off; clang's DW_OP_reg6 rbp+off),
 * location lists already resolved for that pc. */
typedef struct rt_var_at {
    const char *name;
    const rt_type *type;
    rt_loc loc;
    bool is_param;
    bool is_static;           /* static local (or a global shown as a local: never) */
    /* A VLA (type: RT_T_ARRAY with count 0 whose outer bound is a run-time
     * value): its element count is the 64-bit value stored at the address
     * vla_count gives (same rules as loc: REG_OFFSET = reg + offset) plus
     * vla_add (gcc stores the upper bound: +1; clang the count: +0).
     * vla_count.kind is RT_LOC_NONE for every other variable. */
    rt_loc vla_count;
    int64_t vla_add;
} rt_var_at;

/* ---- Functions, lines ----------------------------------------------------- */
typedef struct rt_func {
    const char *name;
    uint64_t lowpc, highpc;   /* link-time [lowpc, highpc) */
    uint32_t file;            /* index into rt_module.files (declaration file; always < nfiles) */
    uint32_t decl_line;       /* line of the function's declaration (DW_AT_decl_line) */
    const rt_type *ret;       /* NULL for void */
    bool external;
    /* internal: the scope tree, walked by rt_module_visible_vars() */
    const void *scope;
} rt_func;

typedef struct rt_line_row {
    uint64_t addr;            /* link-time address */
    uint32_t file;            /* index into rt_module.files */
    uint32_t line;            /* > 0; line-0 rows are dropped */
    bool is_stmt;
} rt_line_row;

typedef struct rt_module {
    char *path;               /* absolute path of the ELF file */
    uint64_t bias;            /* load bias, set by the caller (dl_iterate_phdr's dlpi_addr) */
    uint64_t tls_modid;       /* TLS module id, set by the caller (dlpi_tls_modid; 0: none):
                                 rt_module_visible_vars puts it in an RT_LOC_TLS's reg */
    rt_func *funcs; size_t nfuncs;         /* sorted by lowpc, non-overlapping */
    rt_line_row *rows; size_t nrows;       /* sorted by addr; for several rows at one address
                                              only the one gdb uses is kept */
    /* The rows' addresses as a bitmap over [row_lo, row_lo + 64 * nrow_words):
     * whether an address starts a row in one load (the probes' fast path,
     * after a return; rt_module_maybe_row). NULL when the span is too large. */
    uint64_t row_lo;
    const uint64_t *row_bits; size_t nrow_words;
    char **files; size_t nfiles;           /* absolute source paths */
    uint64_t probes_addr;                  /* link-time address of .rtrace_probes (0 if none) */
    size_t nprobes;                        /* number of rt_probe_record entries in it */
    /* internal: owned memory (types, strings, scopes) */
    void *priv;
} rt_module;

/*
 * Loads the DWARF of the ELF file at `path`. Returns NULL with a message in
 * `err` (size errlen) when the file cannot be read or has no DWARF. On
 * success `err` is "" or, when parts of the DWARF could not be read and were
 * skipped (the tables are then partial), says how many and the first one.
 * Loads must not run concurrently (libdwarf keeps process-wide settings):
 * callers serialise them; the tables themselves are shared freely.
 */
rt_module *rt_module_load(const char *path, char *err, size_t errlen);
void rt_module_free(rt_module *m);   /* accepts NULL */

/* ---- Big start-up tables ------------------------------------------------------ */
/* n zeroed bytes (16-aligned) for a table built at load time, or NULL when out
 * of memory. From RT_BIG_MIN bytes on, the memory is mapped on its own,
 * 2 MiB-aligned, and marked for transparent huge pages: a page fault per
 * 2 MiB instead of per 4 KiB (on a VM, 4 KiB faults were a third of a large
 * program's start-up). Freed with rt_big_free (accepts NULL), never free(). */
#define RT_BIG_MIN (256u << 10)
void *rt_big_calloc(size_t n);
void rt_big_free(void *p);

/* The function containing link-time address `addr`, or NULL. Binary search. */
const rt_func *rt_module_find_func(const rt_module *m, uint64_t addr);
/* The row at exactly link-time address `addr`, or NULL. Binary search. */
const rt_line_row *rt_module_row_at(const rt_module *m, uint64_t addr);
/* rt_module_row_at inline, for the probes' fast path (which calls nothing):
 * the row starting at link-time address addr, or NULL. A binary search. */
static inline const rt_line_row *rt_module_row_at_inline(const rt_module *m, uint64_t addr)
{
    size_t lo = 0, hi = m ? m->nrows : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->rows[mid].addr <= addr) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && m->rows[lo - 1].addr == addr ? &m->rows[lo - 1] : NULL;
}

/* Whether a row may start at link-time address addr: false only when it
 * surely does not (then rt_module_row_at(m, addr) is NULL). One load. */
static inline bool rt_module_maybe_row(const rt_module *m, uint64_t addr)
{
    if (!m || !m->row_bits)
        return m != NULL;
    uint64_t d = addr - m->row_lo;
    if (addr < m->row_lo || d / 64 >= m->nrow_words)
        return false;
    return (m->row_bits[d / 64] >> (d % 64)) & 1;
}
/* The row covering `addr` (the last row with row.addr <= addr in the same function), or NULL. */
const rt_line_row *rt_module_row_covering(const rt_module *m, uint64_t addr);

/*
 * The variables visible at link-time address `addr` in `f`, as gdb shows them
 * with `info args` and `info locals`: parameters first (in order), then the
 * locals of every lexical block containing addr, innermost block first, each
 * block in declaration order, static locals included. A name shadowed by an
 * inner block is listed once (the innermost): this holds for parameters too
 * (a parameter hidden by a block's local is left out, the local listed).
 * Writes at most `max` entries and returns how many there are in all.
 */
size_t rt_module_visible_vars(const rt_module *m, const rt_func *f, uint64_t addr,
                              rt_var_at *out, size_t max);

/* Every type of the module, for emitting Type events up front. */
size_t rt_module_types(const rt_module *m, rt_type *const **out);

#endif
