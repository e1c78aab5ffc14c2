/*
 * runtime/dwarf.c - loads one ELF object's DWARF into the tables of dwarf.h.
 *
 * This file holds the driver (open the file with libdwarf, walk the compile
 * units, hand each to the line, type and scope builders, then sort and
 * deduplicate), the ELF side read with libelf (.rtrace_probes, and the raw
 * bytes of .debug_line, .debug_info, .debug_abbrev, .debug_str and
 * .debug_line_str, which the loader decodes itself where it can: see
 * dwarf_priv.h), and the lookups the runtime calls at run time (binary
 * searches, visible variables). libdwarf is only used inside
 * rt_module_load(): after it returns, the tables are plain memory.
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

/* The libdwarf error handler: only reached if a call had no error pointer;
 * it must return (libdwarf then returns DW_DLV_ERROR) and never abort. */
static void rt_dw_handler(Dwarf_Error e, Dwarf_Ptr arg)
{
    rt_ctx *c = arg;
    if (c && c->warnings++ == 0)
        snprintf(c->first_warning, sizeof c->first_warning, "libdwarf: %s", dwarf_errmsg(e));
}

/* ---- ELF side: .rtrace_probes, raw DWARF sections --------------------------- */
/* The section a raw reader wants under DWARF section name nm (".debug_x" or
 * ".zdebug_x"), or NULL. */
static rt_rawsec *raw_section(rt_ctx *c, const char *nm, bool raw_ok)
{
    static const char *const names[] = { "line", "info", "abbrev", "str", "line_str" };
    const char *base = strncmp(nm, ".debug_", 7) == 0 ? nm + 7 :
                       strncmp(nm, ".zdebug_", 8) == 0 ? nm + 8 : NULL;
    if (!base) return NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(base, names[i]) != 0) continue;
        if (i == 0) return &c->line;
        if (!raw_ok) return NULL;
        return i == 1 ? &c->info : i == 2 ? &c->abbrev : i == 3 ? &c->str : &c->line_str;
    }
    return NULL;
}

/* Reads, with libelf, what libdwarf does not give: probes_addr / nprobes when
 * the object has .rtrace_probes, the bytes of .debug_line (decompressed
 * when SHF_COMPRESSED or .zdebug_line) for rt_lines_cu (its own reader, and
 * the file-register fix of its libdwarf path), and those of .debug_info, .debug_abbrev, .debug_str and .debug_line_str
 * for raw DIE reading (only in a little-endian executable or shared object:
 * a relocatable file's sections need relocating first).
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
    GElf_Ehdr eh;
    bool raw_ok = gelf_getehdr(elf, &eh) && eh.e_ident[EI_DATA] == ELFDATA2LSB && eh.e_type != ET_REL;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char *nm = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!nm) continue;
        if (strcmp(nm, RT_PROBE_SECTION) == 0) {
            c->m->probes_addr = sh.sh_addr;
            c->m->nprobes = sh.sh_size / sizeof(rt_probe_record);
        } else if (sh.sh_type != SHT_NOBITS) {
            rt_rawsec *rs = raw_section(c, nm, raw_ok);
            if (!rs) continue;
            if (sh.sh_flags & SHF_COMPRESSED) {
                if (elf_compress(scn, 0, 0) < 0) continue;
            } else if (nm[1] == 'z') {
                if (elf_compress_gnu(scn, 0, 0) < 0) continue;
            }
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf && d->d_size) {
                rs->p = d->d_buf;
                rs->len = d->d_size;
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
            rt_raw_cu_begin(c, cudie, abbr, ver, asz, lsz);
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
    if (m->nrows && m->rows[m->nrows - 1].addr - m->rows[0].addr < (1ull << 30)) {
        /* the bitmap of row starts: at most 16 MiB (a GiB of code) */
        size_t nw = (size_t)((m->rows[m->nrows - 1].addr - m->rows[0].addr) / 64 + 1);
        uint64_t *bits = rt_arena_alloc(&c->p->arena, nw * sizeof *bits);
        if (bits) {
            for (size_t i = 0; i < m->nrows; i++) {
                uint64_t d = m->rows[i].addr - m->rows[0].addr;
                bits[d / 64] |= 1ull << (d % 64);
            }
            m->row_lo = m->rows[0].addr;
            m->row_bits = bits;
            m->nrow_words = nw;
        }
    }
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
    rt_raw_free(c);
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
    rt_raw_free(c);
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
    return rt_module_row_at_inline(m, addr);
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
                if (out[n].loc.kind == RT_LOC_TLS)
                    out[n].loc.reg = (int)m->tls_modid;
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
