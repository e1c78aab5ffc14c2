/*
 * runtime/dwarf_priv.h - what the files of the DWARF loader share.
 *
 * The loader: dwarf.c (driver, ELF side, run-time lookups), dwarf_die.c
 * (attribute reading, raw DIE decoding and walking, pc ranges, interning), dwarf_lines.c (file tables and
 * line rows), dwarf_types.c (types), dwarf_scopes.c (functions and their
 * scope trees), dwarf_locs.c (location expressions), dwarf_util.c (arena,
 * hash maps, vectors). Everything is built into one arena owned by the
 * module, so freeing a module is freeing one chain of blocks. Nothing here
 * is seen outside runtime/dwarf*.c; runtime/dwarf.h is the contract.
 */
#ifndef RT_DWARF_PRIV_H
#define RT_DWARF_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libdwarf/libdwarf.h>
#include <libdwarf/dwarf.h>

#include "dwarf.h"

#define RT_DW_HIDDEN __attribute__((visibility("hidden")))

/* ---- Arena: bump allocation, freed all at once --------------------------- */
typedef struct rt_arena_blk rt_arena_blk;
typedef struct rt_arena { rt_arena_blk *head; size_t nblk; } rt_arena;

RT_DW_HIDDEN void *rt_arena_alloc(rt_arena *a, size_t n);      /* zeroed; NULL on OOM */
RT_DW_HIDDEN char *rt_arena_strdup(rt_arena *a, const char *s);
RT_DW_HIDDEN void rt_arena_free(rt_arena *a);

/* ---- Hash maps (open addressing, grow at 1/2 load) ----------------------- */
/* uint64 key -> pointer (DIE offsets -> types). Key 0 is never stored. */
typedef struct rt_u64map { uint64_t *keys; void **vals; size_t cap, n; } rt_u64map;
RT_DW_HIDDEN void *rt_u64map_get(const rt_u64map *m, uint64_t key);
RT_DW_HIDDEN int rt_u64map_put(rt_u64map *m, uint64_t key, void *val);   /* 0 ok, -1 OOM */
RT_DW_HIDDEN void rt_u64map_free(rt_u64map *m);

/* string -> pointer (interning, names). Keys are not copied. */
typedef struct rt_strmap { const char **keys; void **vals; size_t cap, n; } rt_strmap;
RT_DW_HIDDEN void *rt_strmap_get(const rt_strmap *m, const char *key);
RT_DW_HIDDEN int rt_strmap_put(rt_strmap *m, const char *key, void *val);
RT_DW_HIDDEN void rt_strmap_free(rt_strmap *m);
RT_DW_HIDDEN uint64_t rt_hash_str(const char *s);

/* A growable array of fixed-size elements (malloc'ed, for temporaries). */
typedef struct rt_vec { void *p; size_t n, cap, esz; } rt_vec;   /* p: from rt_big_calloc */
RT_DW_HIDDEN void *rt_vec_push(rt_vec *v);   /* zeroed new slot or NULL */
RT_DW_HIDDEN void rt_vec_free(rt_vec *v);

/* ---- Types (dwarf_types.c) ---------------------------------------------- */
typedef enum rt_xkind {
    RT_X_PLAIN,    /* base, void, unknown: complete at creation */
    RT_X_STRUCT, RT_X_UNION, RT_X_ENUM,
    RT_X_ARRAY, RT_X_PTR, RT_X_FUNC,
    RT_X_TYPEDEF,  /* named alias: fields copied from `under` at finish */
    RT_X_CONST     /* qualifier: fields copied from `under` at finish */
} rt_xkind;

typedef struct rt_xtype rt_xtype;
struct rt_xtype {
    rt_type t;                /* first: an rt_xtype * is an rt_type * */
    rt_xkind xk;
    const char *base;         /* PLAIN: C name; STRUCT/UNION/ENUM: tag or NULL;
                                 TYPEDEF: name */
    rt_xtype *under;          /* PTR target, ARRAY elem, FUNC return, TYPEDEF/CONST
                                 underlying (NULL = void) */
    rt_xtype **params;        /* FUNC parameter types; STRUCT/UNION: until finish,
                                 the bitfields' bit positions (uint64_t[], +1) */
    uint32_t nparams;
    uint8_t proto;            /* FUNC: 0 unprototyped, 1 prototyped, 2 varargs */
    bool decl_only;           /* STRUCT/UNION/ENUM: incomplete (DW_AT_declaration) */
    bool resolved;            /* TYPEDEF/CONST fields copied */
    bool in_naming;           /* cycle guard while computing names */
    const char *decl_file;    /* basename of the declaration file, for renames */
    uint32_t decl_line;
    const char *raw;          /* name before renames ("struct node") */
    const char *uniq;         /* STRUCT/UNION/ENUM/TYPEDEF: final name ("struct node@b.c:7") */
    rt_xtype *canon;          /* representative after dedup */
    Dwarf_Off vla_sub;        /* ARRAY: DIE of a run-time outer bound (VLA), else 0 */
    rt_xtype *next_all;       /* every type, in creation order */
};

/* ---- Scopes (dwarf_scopes.c) -------------------------------------------- */
typedef struct rt_loc_range { uint64_t lo, hi; rt_loc loc; } rt_loc_range;

typedef struct rt_svar {
    const char *name;
    rt_xtype *type;
    rt_loc loc;                    /* when nranges == 0 and !is_list */
    rt_loc_range *ranges;          /* location list, resolved per pc */
    uint32_t nranges;
    bool is_list;
    bool is_param, is_static;
    uint32_t decl_line;
    rt_loc vla_count;              /* VLA bound's address (see rt_var_at) */
    int64_t vla_add;
} rt_svar;

typedef struct rt_scope rt_scope;
struct rt_scope {
    uint64_t *pcs;                 /* [lo, hi) pairs (a block without any is merged into its parent) */
    uint32_t npcs;
    rt_svar *vars; uint32_t nvars;
    rt_scope *kids; uint32_t nkids;
};

/* ---- Raw DIE reading (dwarf_die.c) -------------------------------------------
 * The attributes of the DIEs the loader asks about most (functions,
 * variables, blocks) are decoded straight from the bytes of .debug_info with
 * the CU's abbreviation table, once per DIE, instead of one libdwarf
 * dwarf_attr (a walk of the abbreviation plus an allocation) per attribute.
 * Only plain forms are decoded so; for any other form, a DIE outside the
 * current CU, or a file whose sections could not be read, the helpers ask
 * libdwarf exactly as before, so the tables are the same either way. */
typedef struct rt_rawsec { const unsigned char *p; size_t len; } rt_rawsec;
typedef struct rt_abbrev_attr { uint16_t at, form; int64_t implicit; } rt_abbrev_attr;
typedef struct rt_abbrev { uint32_t first, n; bool ok, children; } rt_abbrev;
typedef struct rt_rawattr { uint16_t at, form; const unsigned char *p; int64_t implicit; } rt_rawattr;
#define RT_RAW_MAX_ATTRS 32
typedef struct rt_rawcu {
    bool ok;                       /* raw reading usable for this CU */
    uint64_t off, end;             /* CU header offset, end, in .debug_info */
    uint8_t version, addr_size, offset_size;
    rt_abbrev *ab; size_t nab, abcap;            /* by abbreviation code */
    rt_abbrev_attr *at; size_t nat, atcap;
} rt_rawcu;
typedef struct rt_rawdie {
    Dwarf_Off off;
    int state;                     /* 0 none, 1 decoded, -1 ask libdwarf */
    uint64_t attr_end;             /* decoded: offset past the attributes */
    bool children;                 /* decoded: the abbreviation's children flag */
    uint32_t n;
    rt_rawattr a[RT_RAW_MAX_ATTRS];
} rt_rawdie;

/* ---- The load context --------------------------------------------------- */
typedef struct rt_cu {
    Dwarf_Die die;
    Dwarf_Half version, addr_size, offset_size;
    const char *comp_dir;          /* arena copy, may be NULL */
    const char *name;              /* DW_AT_name, may be NULL */
    uint32_t *filemap;             /* CU file number -> module file index */
    int64_t file_base, file_end;   /* valid CU file numbers [file_base, file_end) */
    uint64_t base_addr;            /* DW_AT_low_pc of the CU (range/loclist base) */
} rt_cu;

typedef struct rt_module_priv {
    rt_arena arena;
    rt_xtype *all_types;           /* every rt_xtype (list through next_all) */
    rt_xtype **tail;
    rt_type **types; size_t ntypes;/* representatives, for rt_module_types */
} rt_module_priv;

typedef struct rt_ctx {
    rt_module *m;
    rt_module_priv *p;
    Dwarf_Debug dbg;
    rt_u64map die_types;           /* DIE offset -> rt_xtype */
    rt_strmap strs;                /* interned strings */
    rt_strmap files;               /* absolute path -> index+1 */
    rt_vec files_v;                /* char * */
    rt_vec rows;                   /* rt_line_row (+ seq order) */
    rt_vec funcs;                  /* rt_func */
    rt_rawsec line;                /* .debug_line bytes (decompressed), via libelf */
    rt_rawsec info, abbrev, str, line_str;   /* raw sections (p NULL: not read) */
    rt_rawcu rcu;                  /* the CU being walked, for raw reading */
    rt_rawdie rdie;                /* the last DIE decoded */
    rt_strmap name_groups;         /* type naming: raw name -> layouts seen */
    rt_vec name_owned;
    char *err; size_t errlen;
    unsigned warnings;
    char first_warning[256];
} rt_ctx;

RT_DW_HIDDEN const char *rt_intern(rt_ctx *c, const char *s);
RT_DW_HIDDEN void rt_dw_warn(rt_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
RT_DW_HIDDEN void rt_dw_errfree(rt_ctx *c, Dwarf_Error e);
RT_DW_HIDDEN uint32_t rt_file_index(rt_ctx *c, const char *abs);
RT_DW_HIDDEN uint32_t rt_cu_file(const rt_cu *cu, Dwarf_Unsigned fileno, bool *ok);

/* Attribute helpers: 1 found, 0 absent, -1 error (error freed). */
RT_DW_HIDDEN int rt_attr_udata(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Unsigned *out);
RT_DW_HIDDEN int rt_attr_sdata(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Signed *out);
RT_DW_HIDDEN int rt_attr_flag(rt_ctx *c, Dwarf_Die d, Dwarf_Half at);
RT_DW_HIDDEN int rt_attr_ref(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, Dwarf_Off *out);
RT_DW_HIDDEN const char *rt_die_name(rt_ctx *c, Dwarf_Die d);   /* interned or NULL */
/* Raw reading: rt_raw_cu_begin prepares the CU of cudie (abbreviations
 * at `abbr_off` in .debug_abbrev); rt_raw_attr gives the attribute `at` of
 * d: 1 found (*out), 0 absent, -1 not known this way (ask libdwarf). */
RT_DW_HIDDEN void rt_raw_cu_begin(rt_ctx *c, Dwarf_Die cudie, uint64_t abbr_off, Dwarf_Half version,
                                  Dwarf_Half addr_size, Dwarf_Half offset_size);
RT_DW_HIDDEN void rt_raw_free(rt_ctx *c);
RT_DW_HIDDEN int rt_raw_attr(rt_ctx *c, Dwarf_Die d, Dwarf_Half at, const rt_rawattr **out);
/* LEB128 readers bounded by `end` (the loader's one copy: dwarf_die.c,
 * dwarf_lines.c, dwarf_locs.c); *bad set when the bytes run out. */
static inline uint64_t rt_raw_uleb(const unsigned char **pp, const unsigned char *end, bool *bad)
{
    uint64_t v = 0;
    unsigned shift = 0;
    const unsigned char *p = *pp;
    for (;;) {
        if (p >= end) { *bad = true; break; }
        unsigned char b = *p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    *pp = p;
    return v;
}

static inline int64_t rt_raw_sleb(const unsigned char **pp, const unsigned char *end, bool *bad)
{
    uint64_t v = 0;
    unsigned shift = 0;
    unsigned char b = 0;
    const unsigned char *p = *pp;
    for (;;) {
        if (p >= end) { *bad = true; break; }
        b = *p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
    *pp = p;
    return (int64_t)v;
}
/* dwarf_child and dwarf_siblingof_b (.debug_info), same results and return
 * values: the DIE to go to is found from the raw bytes when they can be
 * read (libdwarf's own walk decodes every attribute of every DIE it passes
 * again), and only that DIE is made with dwarf_offdie_b. */
RT_DW_HIDDEN int rt_die_child(rt_ctx *c, Dwarf_Die d, Dwarf_Die *out, Dwarf_Error *e);
RT_DW_HIDDEN int rt_die_sibling(rt_ctx *c, Dwarf_Die d, Dwarf_Die *out, Dwarf_Error *e);
RT_DW_HIDDEN Dwarf_Half rt_die_tag(rt_ctx *c, Dwarf_Die d);
/* The pc ranges of a DIE (low/high pc or DW_AT_ranges) into a malloc'ed array
 * of [lo, hi) pairs; returns the number of pairs (0: none). */
RT_DW_HIDDEN size_t rt_die_ranges(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, uint64_t **out);

RT_DW_HIDDEN void rt_lines_cu(rt_ctx *c, rt_cu *cu);      /* file map + rows */
/* The module file index of the CU's primary file (its line table's file 0
 * or 1, else DW_AT_name joined with DW_AT_comp_dir): always valid. */
RT_DW_HIDDEN uint32_t rt_cu_primary_file(rt_ctx *c, const rt_cu *cu);
RT_DW_HIDDEN int rt_lines_finish(rt_ctx *c);               /* sort, collapse */

RT_DW_HIDDEN rt_xtype *rt_type_of(rt_ctx *c, const rt_cu *cu, Dwarf_Die d); /* DW_AT_type; NULL (void) if none */
RT_DW_HIDDEN rt_xtype *rt_type_at(rt_ctx *c, const rt_cu *cu, Dwarf_Off off);
RT_DW_HIDDEN int rt_types_finish(rt_ctx *c);               /* resolve, name, dedup */
RT_DW_HIDDEN const rt_type *rt_type_public(rt_xtype *x);   /* canonical, NULL for void */

RT_DW_HIDDEN void rt_scopes_cu(rt_ctx *c, rt_cu *cu);      /* functions of one CU */
RT_DW_HIDDEN void rt_scopes_canon(rt_ctx *c);              /* types -> canonical */

/* Frame base of a function: address = reg + off; ok false when unsupported. */
typedef struct rt_fbase { bool ok; int reg; int64_t off; } rt_fbase;
RT_DW_HIDDEN rt_fbase rt_loc_frame_base(rt_ctx *c, Dwarf_Die fn);
/* A variable's DW_AT_location into *v (loc, or ranges for a list). */
RT_DW_HIDDEN void rt_loc_var(rt_ctx *c, const rt_cu *cu, Dwarf_Die d, rt_fbase fb, rt_svar *v);
/* Where a VLA's run-time bound (subrange DIE at `sub`) is stored: an address
 * location in *out and the amount to add to the stored value in *add. */
RT_DW_HIDDEN void rt_loc_vla(rt_ctx *c, const rt_cu *cu, Dwarf_Off sub, rt_fbase fb, rt_loc *out,
                             int64_t *add);

#endif
