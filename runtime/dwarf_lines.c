/*
 * runtime/dwarf_lines.c - file tables and line rows of the DWARF loader.
 *
 * For each CU: map its file numbers to the module's absolute, deduplicated
 * file paths (DWARF 5 numbers files from 0, with file 0 the CU's primary
 * file; DWARF 2-4 from 1), and collect its line rows the way gdb records
 * them (line-0 rows ignored; an end-of-sequence drops the rows at its own
 * address). After the last CU, rows are sorted once by address and, where
 * several share an address, only the one gdb's pc lookup returns is kept:
 * the last one, or if that one is not a statement, the last statement row.
 * A line table of the usual shape is read from the bytes of .debug_line
 * (raw_lines); any other goes through libdwarf's dwarf_srclines_b; both feed
 * the same row filter (row_in).
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf_priv.h"

typedef struct rt_row_tmp { rt_line_row r; uint32_t ord; } rt_row_tmp;

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

/* Appends path component s to buf (size n) at *len, with one '/' between.
 * Drops "." components and empty ones; keeps ".." (as gdb does). */
static void path_append(char *buf, size_t n, size_t *len, const char *s)
{
    while (*s) {
        const char *e = strchr(s, '/');
        size_t cl = e ? (size_t)(e - s) : strlen(s);
        if (cl && !(cl == 1 && s[0] == '.')) {
            if (*len + cl + 2 < n) {
                if (*len == 0 || buf[*len - 1] != '/') buf[(*len)++] = '/';
                memcpy(buf + *len, s, cl);
                *len += cl;
                buf[*len] = 0;
            }
        }
        s += cl;
        if (*s == '/') s++;
    }
}

/* Joins comp_dir, dir and name into an absolute path (name or dir may be
 * absolute already). Returns buf. */
static const char *join_path(char *buf, size_t n, const char *comp_dir, const char *dir,
                             const char *name)
{
    size_t len = 0;
    buf[0] = 0;
    if (name[0] != '/') {
        if (!dir || dir[0] != '/') {
            if (comp_dir) path_append(buf, n, &len, comp_dir);
        }
        if (dir) path_append(buf, n, &len, dir);
    }
    path_append(buf, n, &len, name);
    if (len == 0) { buf[0] = '/'; buf[1] = 0; }
    return buf;
}

/* ---- The file register, from the line program itself ------------------------
 * libdwarf 20210528 starts the file register of a DWARF 5 line program at 0;
 * the standard (and gdb, and gas, which relies on it) starts it at 1. So a
 * row before the first DW_LNS_set_file of its sequence is reported in file 0
 * (the CU's primary file) when it is in file 1 (e.g. a static inline
 * function from a header placed first). This small scanner walks the raw
 * program only to know each row's file register; its rows must line up with
 * libdwarf's (same count), or it is not used. */
typedef struct lp_reader { const unsigned char *p, *end; bool bad; } lp_reader;

static uint64_t lp_uleb(lp_reader *r)
{
    uint64_t v = rt_raw_uleb(&r->p, r->end, &r->bad);
    return r->bad ? 0 : v;
}

static uint64_t lp_fixed(lp_reader *r, unsigned n)
{
    uint64_t v = 0;
    if ((size_t)(r->end - r->p) < n) { r->bad = true; r->p = r->end; return 0; }
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return v;
}

/* The file register of every row (end-of-sequence rows included) of the
 * line program at offset `off`, malloc'ed into *out; the row count, or -1. */
static long lp_row_files(const rt_ctx *c, uint64_t off, uint64_t **out)
{
    *out = NULL;
    if (!c->line.p || off >= c->line.len) return -1;
    lp_reader r = { c->line.p + off, c->line.p + c->line.len, false };
    uint64_t unit_len = lp_fixed(&r, 4);
    unsigned osz = 4;
    if (unit_len == 0xffffffffu) { unit_len = lp_fixed(&r, 8); osz = 8; }
    if (r.bad || unit_len > (uint64_t)(r.end - r.p)) return -1;
    const unsigned char *unit_end = r.p + unit_len;
    r.end = unit_end;
    unsigned version = (unsigned)lp_fixed(&r, 2);
    if (version >= 5) lp_fixed(&r, 2);                    /* address_size, seg_sel_size */
    uint64_t hlen = lp_fixed(&r, osz);
    if (r.bad || hlen > (uint64_t)(unit_end - r.p)) return -1;
    const unsigned char *prog = r.p + hlen;
    lp_fixed(&r, 1);                                      /* minimum_instruction_length */
    if (version >= 4) lp_fixed(&r, 1);                    /* maximum_operations_per_instruction */
    lp_fixed(&r, 3);                                      /* default_is_stmt, line_base, line_range */
    unsigned opcode_base = (unsigned)lp_fixed(&r, 1);
    const unsigned char *std_len = r.p;
    if (r.bad || opcode_base == 0 || (size_t)(unit_end - std_len) < opcode_base - 1) return -1;
    r.p = prog;
    size_t n = 0, cap = 256;
    uint64_t *files = malloc(cap * sizeof *files);
    if (!files) return -1;
    uint64_t file = 1;
    while (r.p < r.end && !r.bad) {
        unsigned op = *r.p++;
        bool row = false, endseq = false;
        if (op >= opcode_base) {
            row = true;                                   /* special opcode */
        } else if (op == 0) {                             /* extended */
            uint64_t len = lp_uleb(&r);
            if (r.bad || len == 0 || len > (uint64_t)(r.end - r.p)) { r.bad = true; break; }
            if (r.p[0] == DW_LNE_end_sequence) row = endseq = true;
            r.p += len;
        } else if (op == DW_LNS_copy) {
            row = true;
        } else if (op == DW_LNS_set_file) {
            file = lp_uleb(&r);
        } else if (op == DW_LNS_advance_line) {
            lp_uleb(&r);                                  /* sleb: same length */
        } else if (op == DW_LNS_fixed_advance_pc) {
            lp_fixed(&r, 2);
        } else {
            for (unsigned k = 0; k < std_len[op - 1]; k++) lp_uleb(&r);
        }
        if (row) {
            if (n == cap) {
                uint64_t *nf = realloc(files, (cap *= 2) * sizeof *files);
                if (!nf) { free(files); return -1; }
                files = nf;
            }
            files[n++] = file;
            if (endseq) file = 1;
        }
    }
    if (r.bad) { free(files); return -1; }
    *out = files;
    return (long)n;
}

/* gdb's end marker: drops the rows of file `file` recorded at `addr` (the
 * last ones of this CU). */
static void pop_at(rt_ctx *c, size_t first, uint64_t addr, int64_t file)
{
    rt_row_tmp *t = c->rows.p;
    while (c->rows.n > first && t[c->rows.n - 1].r.addr == addr &&
           (int64_t)t[c->rows.n - 1].r.file == file)
        c->rows.n--;
}

/* gdb's line-program state (dwarf2/read.c, lnp_state_machine), per
 * sequence: which rows it records, which it drops. */
typedef struct row_state {
    size_t cu_first;
    bool seq_start, seq_skip, disc_flag;
    int64_t last_file;
    uint64_t last_line, raw_prev_line, last_addr;
} row_state;

/* Takes one row of the CU's line program (end-of-sequence rows included)
 * the way gdb records it. False when out of memory. */
static bool row_in(rt_ctx *c, const rt_cu *cu, row_state *st, uint64_t addr, uint64_t lno,
                   uint64_t fno, bool stmt, bool endseq, uint64_t disc)
{
    if (st->seq_start) {
        /* a sequence at address 0: code the linker discarded */
        st->seq_skip = addr == 0;
        st->seq_start = false;
        st->disc_flag = false;
        st->last_file = -1;
        st->last_line = 0;
        st->raw_prev_line = 1;
        st->last_addr = addr;
    }
    if (endseq) {
        /* the end marker removes the rows of the last file at its address */
        if (!st->seq_skip) pop_at(c, st->cu_first, addr, st->last_file);
        st->seq_start = true;
        return true;
    }
    if (st->seq_skip) return true;
    /* "this line had a non-zero discriminator": reset when the line moves */
    if (lno != st->raw_prev_line) st->disc_flag = disc != 0;
    else st->disc_flag = st->disc_flag || disc != 0;
    st->raw_prev_line = lno;
    bool ok;
    uint32_t fi = rt_cu_file(cu, fno, &ok);
    if (!ok) { st->last_addr = addr; return true; }
    bool file_changed = (int64_t)fi != st->last_file;
    bool ignore = (file_changed && st->last_file >= 0 && st->last_addr == addr && !stmt) || lno == 0;
    if (file_changed && !ignore && st->last_file >= 0) pop_at(c, st->cu_first, addr, st->last_file);
    if (!ignore) {
        /* consecutive rows of one line are merged only when the line
         * has discriminators (gdb PR 17276) */
        if (file_changed || lno != st->last_line || !st->disc_flag) {
            rt_row_tmp *t = rt_vec_push(&c->rows);
            if (!t) return false;
            t->r.addr = addr;
            t->r.line = (uint32_t)lno;
            t->r.file = fi;
            t->r.is_stmt = stmt;
            t->ord = (uint32_t)(c->rows.n - 1);
        }
        st->last_file = fi;
        st->last_line = lno;
    }
    st->last_addr = addr;
    return true;
}

/* ---- The line program read from its bytes ------------------------------------
 * libdwarf's dwarf_srclines_b allocates an object per row and per file (it
 * was a third of the loading time); the header and the program of the
 * usual line tables (versions 2 to 5, one operation per instruction, the
 * standard opcodes, strings inline or in .debug_str / .debug_line_str) are
 * read here instead, giving the same files and rows. Anything else
 * (DW_LNE_define_file, an unknown opcode or form, a relocatable file, bytes
 * running out) is left to libdwarf, from the start. */
typedef struct lp_file { const char *name; uint64_t dir; } lp_file;

/* A string of form `form` (inline, strp, line_strp); NULL when unknown. */
static const char *lp_string(const rt_ctx *c, lp_reader *r, uint64_t form, unsigned osz)
{
    if (form == DW_FORM_string) {
        const unsigned char *z = memchr(r->p, 0, (size_t)(r->end - r->p));
        if (!z) { r->bad = true; return NULL; }
        const char *s = (const char *)r->p;
        r->p = z + 1;
        return s;
    }
    const rt_rawsec *sec = form == DW_FORM_line_strp ? &c->line_str : form == DW_FORM_strp ? &c->str : NULL;
    if (!sec || !sec->p) return NULL;
    uint64_t off = lp_fixed(r, osz);
    if (r->bad || off >= sec->len || !memchr(sec->p + off, 0, sec->len - off)) return NULL;
    return (const char *)sec->p + off;
}

/* A DWARF 5 entry field of form `form` as a number (or skipped); false for
 * a form not read here. */
static bool lp_field(lp_reader *r, uint64_t form, unsigned osz, uint64_t *out)
{
    uint64_t v = 0;
    switch (form) {
    case DW_FORM_data1: v = lp_fixed(r, 1); break;
    case DW_FORM_data2: v = lp_fixed(r, 2); break;
    case DW_FORM_data4: v = lp_fixed(r, 4); break;
    case DW_FORM_data8: v = lp_fixed(r, 8); break;
    case DW_FORM_udata: v = lp_uleb(r); break;
    case DW_FORM_data16: lp_fixed(r, 8); lp_fixed(r, 8); break;
    case DW_FORM_block: {
        uint64_t n = lp_uleb(r);
        if (n > (uint64_t)(r->end - r->p)) { r->bad = true; return false; }
        r->p += n;
        break;
    }
    case DW_FORM_strp: case DW_FORM_line_strp: lp_fixed(r, osz); break;
    case DW_FORM_string: {
        const unsigned char *z = memchr(r->p, 0, (size_t)(r->end - r->p));
        if (!z) { r->bad = true; return false; }
        r->p = z + 1;
        break;
    }
    default: return false;
    }
    *out = v;
    return !r->bad;
}

/* DWARF 5 directory or file entries: `count` entries of the format at
 * *fmt (pairs of content type, form). Paths into names[], directory indexes
 * into dirs[] (either may be NULL). False when not readable here. */
static bool lp_entries(const rt_ctx *c, lp_reader *r, unsigned osz, const uint64_t *fmt, unsigned nfmt,
                       uint64_t count, const char **names, uint64_t *dirs)
{
    for (uint64_t i = 0; i < count; i++) {
        bool has_path = false;
        for (unsigned k = 0; k < nfmt; k++) {
            uint64_t ct = fmt[2 * k], form = fmt[2 * k + 1], v = 0;
            if (ct == DW_LNCT_path) {
                const char *s = lp_string(c, r, form, osz);
                if (!s) return false;
                if (names) names[i] = s;
                has_path = true;
            } else {
                if (!lp_field(r, form, osz, &v)) return false;
                if (ct == DW_LNCT_directory_index && dirs) dirs[i] = v;
            }
        }
        if (!has_path || r->bad) return false;
    }
    return true;
}

#define LP_MAX_FMT 16

/* The standard opcodes' operand counts (DWARF 3+; version 2 has the first 9). */
static const unsigned char lp_std_len[] = { 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };

/* rt_lines_cu from the raw line table: 1 done, 0 the CU has no line table,
 * -1 not readable here (nothing changed: libdwarf then reads it). */
static int raw_lines(rt_ctx *c, rt_cu *cu)
{
    if (!c->rcu.ok || !c->line.p) return -1;
    const rt_rawattr *ra;
    int k = rt_raw_attr(c, cu->die, DW_AT_stmt_list, &ra);
    if (k <= 0) return k;
    uint64_t off;
    if (ra->form == DW_FORM_sec_offset) off = lp_fixed(&(lp_reader){ ra->p, ra->p + 8, false }, c->rcu.offset_size);
    else if (ra->form == DW_FORM_data4) off = lp_fixed(&(lp_reader){ ra->p, ra->p + 4, false }, 4);
    else if (ra->form == DW_FORM_data8) off = lp_fixed(&(lp_reader){ ra->p, ra->p + 8, false }, 8);
    else return -1;
    if (off >= c->line.len) return -1;

    lp_reader r = { c->line.p + off, c->line.p + c->line.len, false };
    uint64_t unit_len = lp_fixed(&r, 4);
    unsigned osz = 4;
    if (unit_len == 0xffffffffu) { unit_len = lp_fixed(&r, 8); osz = 8; }
    if (r.bad || unit_len > (uint64_t)(r.end - r.p)) return -1;
    r.end = r.p + unit_len;
    const unsigned char *unit_end = r.end;
    unsigned version = (unsigned)lp_fixed(&r, 2);
    if (version < 2 || version > 5) return -1;
    unsigned asz = c->rcu.addr_size;
    if (version >= 5) {
        asz = (unsigned)lp_fixed(&r, 1);
        if (lp_fixed(&r, 1) != 0) return -1;              /* segment selectors */
    }
    uint64_t hlen = lp_fixed(&r, osz);
    if (r.bad || hlen > (uint64_t)(unit_end - r.p)) return -1;
    const unsigned char *prog = r.p + hlen;
    unsigned min_inst = (unsigned)lp_fixed(&r, 1);
    if (version >= 4 && lp_fixed(&r, 1) != 1) return -1;  /* VLIW operations */
    bool default_stmt = lp_fixed(&r, 1) != 0;
    int line_base = (int)(signed char)lp_fixed(&r, 1);
    unsigned line_range = (unsigned)lp_fixed(&r, 1);
    unsigned opcode_base = (unsigned)lp_fixed(&r, 1);
    if (r.bad || line_range == 0 || opcode_base == 0 || (size_t)(prog - r.p) < opcode_base - 1) return -1;
    const unsigned char *std_len = r.p;
    for (unsigned op = 1; op < opcode_base && op <= sizeof lp_std_len; op++)
        if (std_len[op - 1] != lp_std_len[op - 1]) return -1;
    r.p += opcode_base - 1;
    r.end = prog;                                         /* the header's tables */

    const char **dirs = NULL, **names = NULL;
    uint64_t *fdirs = NULL, ndirs = 0, nfiles = 0;
    int rc = -1;
    if (version >= 5) {
        uint64_t fmt[2 * LP_MAX_FMT];
        unsigned nfmt = (unsigned)lp_fixed(&r, 1);
        if (nfmt > LP_MAX_FMT) goto out;
        for (unsigned i = 0; i < 2 * nfmt; i++) fmt[i] = lp_uleb(&r);
        ndirs = lp_uleb(&r);
        if (r.bad || ndirs > (uint64_t)(r.end - r.p)) goto out;
        dirs = calloc(ndirs + 1, sizeof *dirs);
        if (!dirs || !lp_entries(c, &r, osz, fmt, nfmt, ndirs, dirs, NULL)) goto out;
        nfmt = (unsigned)lp_fixed(&r, 1);
        if (nfmt > LP_MAX_FMT) goto out;
        for (unsigned i = 0; i < 2 * nfmt; i++) fmt[i] = lp_uleb(&r);
        nfiles = lp_uleb(&r);
        if (r.bad || nfiles > (uint64_t)(r.end - r.p)) goto out;
        names = calloc(nfiles + 1, sizeof *names);
        fdirs = calloc(nfiles + 1, sizeof *fdirs);
        if (!names || !fdirs || !lp_entries(c, &r, osz, fmt, nfmt, nfiles, names, fdirs)) goto out;
    } else {
        /* include_directories, then file_names, each ended by an empty entry */
        size_t cap = 0;
        for (;;) {
            const char *d = lp_string(c, &r, DW_FORM_string, osz);
            if (!d) goto out;
            if (!*d) break;
            if (ndirs == cap) {
                cap = cap ? cap * 2 : 16;
                const char **nd = realloc(dirs, cap * sizeof *nd);
                if (!nd) goto out;
                dirs = nd;
            }
            dirs[ndirs++] = d;
        }
        cap = 0;
        for (;;) {
            const char *f = lp_string(c, &r, DW_FORM_string, osz);
            if (!f) goto out;
            if (!*f) break;
            if (nfiles == cap) {
                cap = cap ? cap * 2 : 16;
                const char **nn = realloc(names, cap * sizeof *nn);
                uint64_t *nf = nn ? realloc(fdirs, cap * sizeof *nf) : NULL;
                if (nn) names = nn;
                if (!nf) goto out;
                fdirs = nf;
            }
            names[nfiles] = f;
            fdirs[nfiles] = lp_uleb(&r);
            lp_uleb(&r);                                  /* modification time */
            lp_uleb(&r);                                  /* length */
            if (r.bad) goto out;
            nfiles++;
        }
    }

    /* the file map, as rt_lines_cu builds it from libdwarf's accessors */
    size_t rows_first = c->rows.n;
    int64_t base = version >= 5 ? 0 : 1, end = base + (int64_t)nfiles;
    char buf[4096];
    if (nfiles) {
        cu->filemap = calloc(nfiles, sizeof *cu->filemap);
        if (!cu->filemap) goto out;
        cu->file_base = base;
        cu->file_end = end;
    }
    for (uint64_t i = 0; i < nfiles; i++) {
        uint64_t di = fdirs[i];
        const char *dir = NULL;
        if (version >= 5 ? di < ndirs : (di >= 1 && di <= ndirs)) dir = dirs[version >= 5 ? di : di - 1];
        join_path(buf, sizeof buf, cu->comp_dir, dir, names[i]);
        cu->filemap[i] = rt_file_index(c, buf);
    }

    /* the program: the state machine of DWARF 5 section 6.2.2 */
    r.p = prog;
    r.end = unit_end;
    row_state st = { rows_first, true, false, false, -1, 0, 1, 0 };
    uint64_t addr = 0, file = 1, line = 1, disc = 0;
    bool stmt = default_stmt;
    while (r.p < r.end && !r.bad) {
        unsigned op = *r.p++;
        bool row = false, endseq = false;
        if (op >= opcode_base) {
            unsigned adj = op - opcode_base;
            addr += (uint64_t)min_inst * (adj / line_range);
            line += (uint64_t)(int64_t)(line_base + (int)(adj % line_range));
            row = true;
        } else if (op == 0) {
            uint64_t len = lp_uleb(&r);
            if (r.bad || len == 0 || len > (uint64_t)(r.end - r.p)) { r.bad = true; break; }
            const unsigned char *next = r.p + len;
            unsigned sub = *r.p++;
            if (sub == DW_LNE_end_sequence && len == 1) {
                row = endseq = true;
            } else if (sub == DW_LNE_set_address && len - 1 == asz && (asz == 4 || asz == 8)) {
                addr = lp_fixed(&r, asz);
            } else if (sub == DW_LNE_set_discriminator) {
                disc = lp_uleb(&r);
                if (r.p != next) r.bad = true;
            } else {
                r.bad = true;                              /* define_file, vendor ops */
            }
            r.p = next;
        } else if (op > sizeof lp_std_len) {
            for (unsigned i = 0; i < std_len[op - 1]; i++) lp_uleb(&r);
        } else {
            switch (op) {
            case DW_LNS_copy: row = true; break;
            case DW_LNS_advance_pc: addr += min_inst * lp_uleb(&r); break;
            case DW_LNS_advance_line: {
                uint64_t v = 0;
                unsigned shift = 0;
                unsigned char b = 0;
                do {
                    if (r.p >= r.end) { r.bad = true; break; }
                    b = *r.p++;
                    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
                    shift += 7;
                } while (b & 0x80);
                if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
                line += v;
                break;
            }
            case DW_LNS_set_file: file = lp_uleb(&r); break;
            case DW_LNS_set_column: lp_uleb(&r); break;
            case DW_LNS_negate_stmt: stmt = !stmt; break;
            case DW_LNS_set_basic_block: break;
            case DW_LNS_const_add_pc: addr += (uint64_t)min_inst * ((255 - opcode_base) / line_range); break;
            case DW_LNS_fixed_advance_pc: addr += lp_fixed(&r, 2); break;
            case DW_LNS_set_prologue_end: case DW_LNS_set_epilogue_begin: break;
            case DW_LNS_set_isa: lp_uleb(&r); break;
            }
        }
        if (row && !r.bad) {
            if (!row_in(c, cu, &st, addr, line, file, stmt, endseq, disc)) break;
            disc = 0;
            if (endseq) { addr = 0; file = 1; line = 1; stmt = default_stmt; }
        }
    }
    if (r.bad) {
        /* undo: libdwarf reads the table from the start */
        c->rows.n = rows_first;
        free(cu->filemap);
        cu->filemap = NULL;
        cu->file_base = cu->file_end = 0;
        goto out;
    }
    rc = 1;
out:
    free(dirs);
    free(names);
    free(fdirs);
    return rc;
}

/* Fills cu->filemap from the line table header and appends the CU's rows. */
void rt_lines_cu(rt_ctx *c, rt_cu *cu)
{
    Dwarf_Unsigned ver = 0;
    Dwarf_Small tcount = 0;
    Dwarf_Line_Context lc = NULL;
    Dwarf_Error e = NULL;
    if (!c->rows.esz) c->rows.esz = sizeof(rt_row_tmp);
    if (raw_lines(c, cu) >= 0) return;
    int r = dwarf_srclines_b(cu->die, &ver, &tcount, &lc, &e);
    if (r != DW_DLV_OK) {
        if (r == DW_DLV_ERROR) rt_dw_errfree(c, e);
        return;
    }
    /* include directories: DWARF 5 numbers them from 0 (0 = comp dir, stored),
     * earlier versions from 1 (0 = comp dir, implicit); libdwarf's accessor
     * takes the DWARF number in both cases */
    Dwarf_Signed ndirs = 0;
    if (dwarf_srclines_include_dir_count(lc, &ndirs, &e) != DW_DLV_OK) { rt_dw_errfree(c, e); e = NULL; ndirs = 0; }
    Dwarf_Signed base = 0, count = 0, end = 0;
    if (dwarf_srclines_files_indexes(lc, &base, &count, &end, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        dwarf_srclines_dealloc_b(lc);
        return;
    }
    char buf[4096];
    if (end > base) {
        cu->filemap = calloc((size_t)(end - base), sizeof *cu->filemap);
        if (!cu->filemap) { dwarf_srclines_dealloc_b(lc); return; }
        cu->file_base = base;
        cu->file_end = end;
    }
    for (Dwarf_Signed i = base; i < end; i++) {
        const char *name = NULL;
        Dwarf_Unsigned dirx = 0, mt = 0, flen = 0;
        Dwarf_Form_Data16 *md5 = NULL;
        if (dwarf_srclines_files_data_b(lc, i, &name, &dirx, &mt, &flen, &md5, &e) != DW_DLV_OK || !name) {
            rt_dw_errfree(c, e);
            e = NULL;
            name = "<unknown>";
            dirx = 0;
        }
        const char *dir = NULL;
        Dwarf_Signed di = (Dwarf_Signed)dirx;
        if (ver >= 5 ? di < ndirs : (di >= 1 && di <= ndirs)) {
            const char *d = NULL;
            if (dwarf_srclines_include_dir_data(lc, di, &d, &e) == DW_DLV_OK) dir = d;
            else { rt_dw_errfree(c, e); e = NULL; }
        }
        join_path(buf, sizeof buf, cu->comp_dir, dir, name);
        cu->filemap[i - base] = rt_file_index(c, buf);
    }

    Dwarf_Line *lines = NULL;
    Dwarf_Signed nlines = 0;
    if (dwarf_srclines_from_linecontext(lc, &lines, &nlines, &e) != DW_DLV_OK) {
        rt_dw_errfree(c, e);
        dwarf_srclines_dealloc_b(lc);
        return;
    }
    /* DWARF 5: the file register as the program sets it (see lp_row_files) */
    uint64_t *lp_files = NULL;
    if (ver >= 5) {
        Dwarf_Unsigned toff = 0;
        if (dwarf_srclines_table_offset(lc, &toff, &e) == DW_DLV_OK) {
            long nf = lp_row_files(c, toff, &lp_files);
            if (nf != (long)nlines) { free(lp_files); lp_files = NULL; }
        } else {
            rt_dw_errfree(c, e);
            e = NULL;
        }
    }
    row_state st = { c->rows.n, true, false, false, -1, 0, 1, 0 };
    for (Dwarf_Signed i = 0; i < nlines; i++) {
        Dwarf_Addr addr = 0;
        Dwarf_Unsigned lno = 0, fno = 0, isa = 0, disc = 0;
        Dwarf_Bool stmt = 0, endseq = 0, pe = 0, eb = 0;
        if (dwarf_lineaddr(lines[i], &addr, &e) != DW_DLV_OK ||
            dwarf_lineno(lines[i], &lno, &e) != DW_DLV_OK ||
            dwarf_line_srcfileno(lines[i], &fno, &e) != DW_DLV_OK ||
            dwarf_linebeginstatement(lines[i], &stmt, &e) != DW_DLV_OK ||
            dwarf_lineendsequence(lines[i], &endseq, &e) != DW_DLV_OK ||
            dwarf_prologue_end_etc(lines[i], &pe, &eb, &isa, &disc, &e) != DW_DLV_OK) {
            rt_dw_errfree(c, e);
            e = NULL;
            continue;
        }
        if (lp_files) fno = lp_files[i];
        if (!row_in(c, cu, &st, addr, lno, fno, stmt != 0, endseq != 0, disc)) break;
    }
    free(lp_files);
    dwarf_srclines_dealloc_b(lc);
}

uint32_t rt_cu_primary_file(rt_ctx *c, const rt_cu *cu)
{
    if (cu->filemap) return cu->filemap[0];
    char buf[4096];
    join_path(buf, sizeof buf, cu->comp_dir, NULL, cu->name ? cu->name : "<unknown>");
    return rt_file_index(c, buf);
}

static int cmp_row(const void *a, const void *b)
{
    const rt_row_tmp *x = a, *y = b;
    if (x->r.addr != y->r.addr) return x->r.addr < y->r.addr ? -1 : 1;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Sorts all rows once and keeps one per address. 0, or -1 on OOM. */
int rt_lines_finish(rt_ctx *c)
{
    rt_row_tmp *t = c->rows.p;
    size_t n = c->rows.n;
    /* one sequence per CU, CUs in address order: often sorted already */
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++) sorted = cmp_row(&t[i - 1], &t[i]) < 0;
    if (!sorted) qsort(t, n, sizeof *t, cmp_row);
    rt_line_row *out = n ? rt_big_calloc(n * sizeof *out) : NULL;
    if (n && !out) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && t[j + 1].r.addr == t[i].r.addr) j++;
        size_t pick = j;
        if (!t[j].r.is_stmt)
            for (size_t q = j; q-- > i;)
                if (t[q].r.is_stmt) { pick = q; break; }
        out[k++] = t[pick].r;
        i = j + 1;
    }
    rt_big_free(c->rows.p);
    c->rows.p = out;
    c->rows.n = c->rows.cap = k;
    c->rows.esz = sizeof(rt_line_row);
    return 0;
}
