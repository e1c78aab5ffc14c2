/*
 * runtime/dwarf.c - loads one ELF object's DWARF into the tables of dwarf.h.
 *
 * This file holds the driver (open the file with libdwarf, walk the compile
 * units, hand each to the line, type and scope builders, then sort and
 * deduplicate), the ELF side (.rtrace_probes), the small containers the
 * builders share (arena, hash maps, vectors), and the lookups the runtime
 * calls at run time (binary searches, visible variables). libdwarf is only
 * used inside rt_module_load(): after it returns, the tables are plain memory.
 *
 * Errors: libdwarf is given both an error pointer at every call and an error
 * handler that only records, so a bad file never aborts the process. A CU
 * that cannot be read is skipped with a warning; a file that cannot be read
 * at all (no DWARF, not ELF, stripped) returns NULL with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <gelf.h>
#include <libelf.h>

#include "arch/x86_64/regs.h"
#include "dwarf_priv.h"

/* ---- Arena ------------------------------------------------------------- */
struct rt_arena_blk { rt_arena_blk *next; size_t used, cap; max_align_t data[]; };

/* Returns n zeroed bytes aligned for any type, or NULL when out of memory. */
void *rt_arena_alloc(rt_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    rt_arena_blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        if (a->head && n > 65536) {          /* big one: keep the current block open */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

/* Copies s into the arena (NULL for NULL or OOM). */
char *rt_arena_strdup(rt_arena *a, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = rt_arena_alloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Frees every block of the arena. */
void rt_arena_free(rt_arena *a)
{
    rt_arena_blk *b = a->head;
    while (b) { rt_arena_blk *n = b->next; free(b); b = n; }
    a->head = NULL;
}

/* ---- Hash maps ----------------------------------------------------------- */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

/* FNV-1a of a NUL-terminated string. */
uint64_t rt_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

/* The value stored under key, or NULL. */
void *rt_u64map_get(const rt_u64map *m, uint64_t key)
{
    if (!m->cap || !key) return NULL;
    size_t i = mix64(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (m->keys[i] == key) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Stores (key, val), replacing an older value. 0 on success, -1 on OOM. */
int rt_u64map_put(rt_u64map *m, uint64_t key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        uint64_t *nk = calloc(ncap, sizeof *nk);
        void **nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) { free(nk); free(nv); return -1; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = mix64(m->keys[i]) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys); free(m->vals);
        m->keys = nk; m->vals = nv; m->cap = ncap;
    }
    size_t i = mix64(key) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void rt_u64map_free(rt_u64map *m)
{
    free(m->keys); free(m->vals);
    memset(m, 0, sizeof *m);
}

/* The value stored under the string key, or NULL. */
void *rt_strmap_get(const rt_strmap *m, const char *key)
{
    if (!m->cap) return NULL;
    size_t i = rt_hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Stores (key, val); the key pointer must outlive the map. -1 on OOM. */
int rt_strmap_put(rt_strmap *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        const char **nk = calloc(ncap, sizeof *nk);
        void **nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) { free(nk); free(nv); return -1; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = rt_hash_str(m->keys[i]) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys); free(m->vals);
        m->keys = nk; m->vals = nv; m->cap = ncap;
    }
    size_t i = rt_hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void rt_strmap_free(rt_strmap *m)
{
    free(m->keys); free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Appends one zeroed element; NULL on OOM. */
void *rt_vec_push(rt_vec *v)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 64;
        void *np = realloc(v->p, ncap * v->esz);
        if (!np) return NULL;
        v->p = np;
        v->cap = ncap;
    }
    void *e = (char *)v->p + v->n++ * v->esz;
    memset(e, 0, v->esz);
    return e;
}

void rt_vec_free(rt_vec *v)
{
    free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}

/* ---- Context helpers ----------------------------------------------------- */
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

/* The libdwarf error handler: only reached if a call had no error pointer;
 * it must return (libdwarf then returns DW_DLV_ERROR) and never abort. */
static void rt_dw_handler(Dwarf_Error e, Dwarf_Ptr arg)
{
    rt_ctx *c = arg;
    if (c && c->warnings++ == 0)
        snprintf(c->first_warning, sizeof c->first_warning, "libdwarf: %s", dwarf_errmsg(e));
}

/* The module file index of an absolute path, adding it when new. */
uint32_t rt_file_index(rt_ctx *c, const char *abs)
{
    void *v = rt_strmap_get(&c->files, abs);
    if (v) return (uint32_t)((uintptr_t)v - 1);
    const char *s = rt_intern(c, abs);
    char **slot = rt_vec_push(&c->files_v);
    if (!s || !slot) return 0;
    *slot = (char *)s;
    uint32_t idx = (uint32_t)(c->files_v.n - 1);
    rt_strmap_put(&c->files, s, (void *)(uintptr_t)(idx + 1));
    return idx;
}

/* Maps a CU file number (DW_AT_decl_file, line-table file) to the module's
 * file index; *ok false when the number is outside the CU's table. */
uint32_t rt_cu_file(const rt_cu *cu, Dwarf_Unsigned fileno, bool *ok)
{
    if (!cu->filemap || (int64_t)fileno < cu->file_base || (int64_t)fileno >= cu->file_end) {
        *ok = false;
        return 0;
    }
    *ok = true;
    return cu->filemap[fileno - cu->file_base];
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

/* ---- ELF side: .rtrace_probes, raw .debug_line ----------------------------- */
/* Reads, with libelf, what libdwarf does not give: probes_addr / nprobes when
 * the object has .rtrace_probes, and the bytes of .debug_line (decompressed
 * when SHF_COMPRESSED or .zdebug_line) for rt_lines_cu's file-register fix.
 * Returns the Elf handle (owner of those bytes) or NULL. */
static Elf *read_elf(rt_ctx *c, int fd)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return NULL;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    if (!elf) return NULL;
    size_t shstrndx;
    if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
        elf_end(elf);
        return NULL;
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char *nm = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!nm) continue;
        if (strcmp(nm, RT_PROBE_SECTION) == 0) {
            c->m->probes_addr = sh.sh_addr;
            c->m->nprobes = sh.sh_size / sizeof(rt_probe_record);
        } else if ((strcmp(nm, ".debug_line") == 0 || strcmp(nm, ".zdebug_line") == 0) &&
                   sh.sh_type != SHT_NOBITS) {
            if (sh.sh_flags & SHF_COMPRESSED) {
                if (elf_compress(scn, 0, 0) < 0) continue;
            } else if (nm[1] == 'z') {
                if (elf_compress_gnu(scn, 0, 0) < 0) continue;
            }
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf && d->d_size) {
                c->line_sec = d->d_buf;
                c->line_sec_len = d->d_size;
            }
        }
    }
    return elf;
}

/* ---- The driver ---------------------------------------------------------- */
static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads the CU-level attributes of cu->die. */
static void cu_attrs(rt_ctx *c, rt_cu *cu)
{
    Dwarf_Attribute a;
    Dwarf_Error e = NULL;
    cu->name = rt_die_name(c, cu->die);
    if (dwarf_attr(cu->die, DW_AT_comp_dir, &a, &e) == DW_DLV_OK) {
        char *s = NULL;
        if (dwarf_formstring(a, &s, &e) == DW_DLV_OK) cu->comp_dir = rt_intern(c, s);
        else rt_dw_errfree(c, e);
        dwarf_dealloc_attribute(a);
    } else if (e) rt_dw_errfree(c, e);
    e = NULL;
    Dwarf_Addr lo = 0;
    if (dwarf_lowpc(cu->die, &lo, &e) == DW_DLV_OK) cu->base_addr = lo;
    else if (e) rt_dw_errfree(c, e);
}

/* Walks every CU of .debug_info. Returns 0, or -1 when no CU header could be read. */
static int walk_cus(rt_ctx *c)
{
    unsigned ncu = 0;
    for (;;) {
        Dwarf_Unsigned hlen = 0, typeoff = 0, next = 0;
        Dwarf_Half ver = 0, asz = 0, lsz = 0, esz = 0, cutype = 0;
        Dwarf_Off abbr = 0;
        Dwarf_Sig8 sig;
        Dwarf_Error e = NULL;
        int r = dwarf_next_cu_header_d(c->dbg, 1, &hlen, &ver, &abbr, &asz, &lsz, &esz,
                                       &sig, &typeoff, &next, &cutype, &e);
        if (r == DW_DLV_NO_ENTRY) break;
        if (r != DW_DLV_OK) {
            /* a corrupt header: the following CUs cannot be located */
            rt_dw_errfree(c, e);
            break;
        }
        ncu++;
        Dwarf_Die cudie = NULL;
        r = dwarf_siblingof_b(c->dbg, NULL, 1, &cudie, &e);
        if (r != DW_DLV_OK) {
            if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
            continue;
        }
        rt_cu cu;
        memset(&cu, 0, sizeof cu);
        cu.die = cudie;
        cu.version = ver;
        cu.addr_size = asz;
        cu.offset_size = lsz;
        Dwarf_Half tag = rt_die_tag(c, cudie);
        if (tag == DW_TAG_compile_unit || tag == DW_TAG_partial_unit) {
            cu_attrs(c, &cu);
            rt_lines_cu(c, &cu);
            rt_scopes_cu(c, &cu);
        }
        free(cu.filemap);
        dwarf_dealloc_die(cudie);
    }
    return ncu ? 0 : -1;
}

static int cmp_func(const void *a, const void *b)
{
    const rt_func *x = a, *y = b;
    if (x->lowpc != y->lowpc) return x->lowpc < y->lowpc ? -1 : 1;
    return x->highpc < y->highpc ? -1 : x->highpc > y->highpc;
}

/* Sorts the functions and drops overlaps (a duplicate definition, or a range
 * inside another: the first one, by address, wins). */
static void finish_funcs(rt_ctx *c)
{
    rt_func *f = c->funcs.p;
    size_t n = c->funcs.n, k = 0;
    if (n) qsort(f, n, sizeof *f, cmp_func);
    for (size_t i = 0; i < n; i++) {
        if (k && f[i].lowpc < f[k - 1].highpc) continue;
        f[k++] = f[i];
    }
    c->funcs.n = k;
}

/* Moves a temporary vector into the arena (exact size). */
static void *vec_to_arena(rt_ctx *c, rt_vec *v)
{
    if (!v->n) return NULL;
    void *p = rt_arena_alloc(&c->p->arena, v->n * v->esz);
    if (p) memcpy(p, v->p, v->n * v->esz);
    return p;
}

/* Loads the DWARF of one ELF file. NULL with a message in err on failure. */
rt_module *rt_module_load(const char *path, char *err, size_t errlen)
{
    if (err && errlen) err[0] = 0;
    if (!path) { errf(err, errlen, "rt_module_load: no path"); return NULL; }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { errf(err, errlen, "%s: cannot open: %s", path, strerror(errno)); return NULL; }
    struct stat st;
    unsigned char magic[4] = { 0 };
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        errf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\x7f" "ELF", 4) != 0) {
        errf(err, errlen, "%s: not an ELF file", path);
        close(fd);
        return NULL;
    }

    rt_module *m = calloc(1, sizeof *m);
    rt_module_priv *p = calloc(1, sizeof *p);
    rt_ctx *c = calloc(1, sizeof *c);
    if (!m || !p || !c) {
        free(m); free(p); free(c); close(fd);
        errf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    m->priv = p;
    p->tail = &p->all_types;
    c->m = m;
    c->p = p;
    c->err = err;
    c->errlen = errlen;
    c->files_v.esz = sizeof(char *);
    c->funcs.esz = sizeof(rt_func);

    char *rp = realpath(path, NULL);
    m->path = rp ? rp : strdup(path);
    Elf *elf = read_elf(c, fd);

    Dwarf_Error e = NULL;
    /* every object this file gets from libdwarf is freed explicitly, so
     * libdwarf's own allocation tracking (a search tree updated on every
     * allocation, ~1/3 of the load time) is not needed */
    int old_flag = dwarf_set_de_alloc_flag(0);
    int r = dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, rt_dw_handler, c, &c->dbg, &e);
    if (r != DW_DLV_OK) {
        if (r == DW_DLV_NO_ENTRY)
            errf(err, errlen, "%s: no DWARF debug information (stripped, or not built with -g)", path);
        else {
            errf(err, errlen, "%s: cannot read DWARF: %s", path, e ? dwarf_errmsg(e) : "not an ELF file?");
            if (e) dwarf_dealloc_error(NULL, e);
        }
        goto fail;
    }
    if (walk_cus(c) < 0) {
        if (c->warnings)
            errf(err, errlen, "%s: no readable compile unit in .debug_info: %s", path, c->first_warning);
        else
            errf(err, errlen, "%s: no DWARF debug information (no compile unit: stripped, or not built with -g)", path);
        goto fail;
    }
    if (rt_types_finish(c) < 0 || rt_lines_finish(c) < 0) {
        errf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    rt_scopes_canon(c);
    finish_funcs(c);

    m->funcs = vec_to_arena(c, &c->funcs);
    m->nfuncs = c->funcs.n;
    m->rows = vec_to_arena(c, &c->rows);
    m->nrows = c->rows.n;
    m->files = vec_to_arena(c, &c->files_v);
    m->nfiles = c->files_v.n;
    if (m->nfuncs == 0 && m->nrows == 0) {
        errf(err, errlen, "%s: the DWARF describes no function and no line%s%s", path,
             c->warnings ? ": " : "", c->warnings ? c->first_warning : "");
        goto fail;
    }
    /* a partial read is still useful: say so, but succeed */
    if (c->warnings)
        errf(err, errlen, "%s: %u DWARF problem(s) skipped, first: %s", path, c->warnings,
             c->first_warning);

    dwarf_finish(c->dbg, &e);
    if (elf) elf_end(elf);
    dwarf_set_de_alloc_flag(old_flag);   /* a program's own libdwarf use is left as it was */
    close(fd);
    rt_u64map_free(&c->die_types);
    rt_strmap_free(&c->strs);
    rt_strmap_free(&c->files);
    rt_vec_free(&c->files_v);
    rt_vec_free(&c->rows);
    rt_vec_free(&c->funcs);
    free(c);
    return m;

fail:
    if (c->dbg) dwarf_finish(c->dbg, &e);
    if (elf) elf_end(elf);
    dwarf_set_de_alloc_flag(old_flag);
    close(fd);
    rt_u64map_free(&c->die_types);
    rt_strmap_free(&c->strs);
    rt_strmap_free(&c->files);
    rt_vec_free(&c->files_v);
    rt_vec_free(&c->rows);
    rt_vec_free(&c->funcs);
    free(c);
    rt_module_free(m);
    return NULL;
}

/* Frees everything rt_module_load allocated. Accepts NULL. */
void rt_module_free(rt_module *m)
{
    if (!m) return;
    rt_module_priv *p = m->priv;
    if (p) {
        rt_arena_free(&p->arena);
        free(p->types);
        free(p);
    }
    free(m->path);
    free(m);
}

/* ---- Lookups --------------------------------------------------------------- */
const rt_func *rt_module_find_func(const rt_module *m, uint64_t addr)
{
    if (!m || !m->nfuncs) return NULL;
    size_t lo = 0, hi = m->nfuncs;          /* first func with lowpc > addr */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->funcs[mid].lowpc <= addr) lo = mid + 1; else hi = mid;
    }
    if (!lo) return NULL;
    const rt_func *f = &m->funcs[lo - 1];
    return addr < f->highpc ? f : NULL;
}

/* Index of the last row with addr <= a, or -1. */
static ptrdiff_t row_le(const rt_module *m, uint64_t a)
{
    size_t lo = 0, hi = m->nrows;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->rows[mid].addr <= a) lo = mid + 1; else hi = mid;
    }
    return (ptrdiff_t)lo - 1;
}

const rt_line_row *rt_module_row_at(const rt_module *m, uint64_t addr)
{
    if (!m || !m->nrows) return NULL;
    ptrdiff_t i = row_le(m, addr);
    return i >= 0 && m->rows[i].addr == addr ? &m->rows[i] : NULL;
}

const rt_line_row *rt_module_row_covering(const rt_module *m, uint64_t addr)
{
    if (!m || !m->nrows) return NULL;
    const rt_func *f = rt_module_find_func(m, addr);
    if (!f) return NULL;
    ptrdiff_t i = row_le(m, addr);
    if (i < 0 || m->rows[i].addr < f->lowpc) return NULL;
    return &m->rows[i];
}

static bool scope_has(const rt_scope *s, uint64_t a)
{
    for (uint32_t i = 0; i < s->npcs; i++)
        if (a >= s->pcs[2 * i] && a < s->pcs[2 * i + 1]) return true;
    return false;
}

/* The location of v at pc a (location lists resolved; NONE outside them). */
static rt_loc var_loc_at(const rt_svar *v, uint64_t a)
{
    if (!v->is_list) return v->loc;
    for (uint32_t i = 0; i < v->nranges; i++)
        if (a >= v->ranges[i].lo && a < v->ranges[i].hi) return v->ranges[i].loc;
    rt_loc none = { RT_LOC_NONE, 0, 0, 0 };
    return none;
}

#define RT_MAX_DEPTH 64

size_t rt_module_visible_vars(const rt_module *m, const rt_func *f, uint64_t addr,
                              rt_var_at *out, size_t max)
{
    if (!m || !f || !f->scope) return 0;
    const rt_scope *chain[RT_MAX_DEPTH];
    size_t depth = 0;
    const rt_scope *s = f->scope;
    chain[depth++] = s;
    /* descend into the block containing addr (every block has pcs: blocks
     * without were merged into their parent at load) */
    for (;;) {
        const rt_scope *next = NULL;
        for (uint32_t i = 0; i < s->nkids && !next; i++)
            if (scope_has(&s->kids[i], addr)) next = &s->kids[i];
        if (!next || depth == RT_MAX_DEPTH) break;
        chain[depth++] = s = next;
    }
    size_t n = 0;
    const rt_scope *root = chain[0];
    for (uint32_t i = 0; i < root->nvars; i++) {
        const rt_svar *v = &root->vars[i];
        if (!v->is_param) continue;
        /* a parameter hidden by a local of an inner block: the local is
         * what the name means here (gdb's innermost declaration wins) */
        bool hidden = false;
        for (size_t d = 0; d < depth && !hidden; d++)
            for (uint32_t j = 0; j < chain[d]->nvars && !hidden; j++)
                hidden = !chain[d]->vars[j].is_param && chain[d]->vars[j].name == v->name;
        if (hidden) continue;
        if (n < max) {
            out[n].name = v->name;
            out[n].type = rt_type_public(v->type);
            out[n].loc = var_loc_at(v, addr);
            out[n].is_param = true;
            out[n].is_static = false;
            out[n].vla_count = v->vla_count;
            out[n].vla_add = v->vla_add;
        }
        n++;
    }
    size_t first_local = n;
    for (size_t d = depth; d-- > 0;) {
        const rt_scope *b = chain[d];
        for (uint32_t i = 0; i < b->nvars; i++) {
            const rt_svar *v = &b->vars[i];
            if (v->is_param) continue;
            /* shadowed by an inner block already listed? (names are interned) */
            bool dup = false;
            size_t upto = n < max ? n : max;
            for (size_t k = first_local; k < upto && !dup; k++) dup = out[k].name == v->name;
            if (!dup && n >= max) {
                /* past `max` we cannot see what was listed: recount by scanning scopes */
                for (size_t dd = depth; dd-- > d + 1 && !dup;)
                    for (uint32_t j = 0; j < chain[dd]->nvars && !dup; j++)
                        dup = !chain[dd]->vars[j].is_param && chain[dd]->vars[j].name == v->name;
                for (uint32_t j = 0; j < i && !dup; j++)
                    dup = !b->vars[j].is_param && b->vars[j].name == v->name;
            }
            if (dup) continue;
            if (n < max) {
                out[n].name = v->name;
                out[n].type = rt_type_public(v->type);
                out[n].loc = var_loc_at(v, addr);
                out[n].is_param = false;
                out[n].is_static = v->is_static;
                out[n].vla_count = v->vla_count;
                out[n].vla_add = v->vla_add;
            }
            n++;
        }
    }
    return n;
}

size_t rt_module_types(const rt_module *m, rt_type *const **out)
{
    if (!m || !m->priv) { if (out) *out = NULL; return 0; }
    rt_module_priv *p = m->priv;
    if (out) *out = p->types;
    return p->ntypes;
}
