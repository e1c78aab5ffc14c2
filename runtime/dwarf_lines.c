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
    uint64_t v = 0;
    unsigned shift = 0;
    while (r->p < r->end) {
        unsigned char b = *r->p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) return v;
    }
    r->bad = true;
    return 0;
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

/* Fills cu->filemap from the line table header and appends the CU's rows. */
void rt_lines_cu(rt_ctx *c, rt_cu *cu)
{
    Dwarf_Unsigned ver = 0;
    Dwarf_Small tcount = 0;
    Dwarf_Line_Context lc = NULL;
    Dwarf_Error e = NULL;
    if (!c->rows.esz) c->rows.esz = sizeof(rt_row_tmp);
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
    /* gdb's line-program state (dwarf2/read.c, lnp_state_machine), per
     * sequence: which rows it records, which it drops */
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
    size_t cu_first = c->rows.n;
    bool seq_start = true, seq_skip = false, disc_flag = false;
    int64_t last_file = -1;
    uint64_t last_line = 0, raw_prev_line = 1, last_addr = 0;
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
        if (seq_start) {
            /* a sequence at address 0: code the linker discarded */
            seq_skip = addr == 0;
            seq_start = false;
            disc_flag = false;
            last_file = -1;
            last_line = 0;
            raw_prev_line = 1;
            last_addr = addr;
        }
        if (endseq) {
            /* the end marker removes the rows of the last file at its address */
            if (!seq_skip) pop_at(c, cu_first, addr, last_file);
            seq_start = true;
            continue;
        }
        if (seq_skip) continue;
        /* "this line had a non-zero discriminator": reset when the line moves */
        if (lno != raw_prev_line) disc_flag = disc != 0;
        else disc_flag = disc_flag || disc != 0;
        raw_prev_line = lno;
        bool ok;
        uint32_t fi = rt_cu_file(cu, fno, &ok);
        if (!ok) { last_addr = addr; continue; }
        bool file_changed = (int64_t)fi != last_file;
        bool ignore = (file_changed && last_file >= 0 && last_addr == addr && !stmt) || lno == 0;
        if (file_changed && !ignore && last_file >= 0) pop_at(c, cu_first, addr, last_file);
        if (!ignore) {
            /* consecutive rows of one line are merged only when the line
             * has discriminators (gdb PR 17276) */
            if (file_changed || lno != last_line || !disc_flag) {
                rt_row_tmp *t = rt_vec_push(&c->rows);
                if (!t) break;
                t->r.addr = addr;
                t->r.line = (uint32_t)lno;
                t->r.file = fi;
                t->r.is_stmt = stmt != 0;
                t->ord = (uint32_t)(c->rows.n - 1);
            }
            last_file = fi;
            last_line = lno;
        }
        last_addr = addr;
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
    rt_line_row *out = n ? malloc(n * sizeof *out) : NULL;
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
    free(c->rows.p);
    c->rows.p = out;
    c->rows.n = c->rows.cap = k;
    c->rows.esz = sizeof(rt_line_row);
    return 0;
}
