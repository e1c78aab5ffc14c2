/*
 * tests/dwarf/dwarf_dump.c - prints what rt_module_load() found in a file.
 *
 * A debugging aid for the DWARF tables (not a test by itself): files,
 * functions, line rows, types, and the visible variables at every row of
 * every function. Also measures the load time (the `-t N` option loads the
 * file N times and prints the median), which is how the start-up cost
 * figure in the report is obtained.
 *
 *   dwarf_dump [-t N] [-q] FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../runtime/dwarf.h"

static const char *tagname(rt_type_tag t)
{
    static const char *n[] = { "void", "int", "uint", "bool", "float", "enum", "struct",
                               "union", "array", "pointer", "func", "unknown" };
    return (unsigned)t <= RT_T_UNKNOWN ? n[t] : "?";
}

static void print_loc(const rt_loc *l)
{
    switch (l->kind) {
    case RT_LOC_NONE: printf("none"); break;
    case RT_LOC_ADDR: printf("addr 0x%llx", (unsigned long long)l->offset); break;
    case RT_LOC_REG_OFFSET: printf("r%d%+lld", l->reg, (long long)l->offset); break;
    case RT_LOC_REG_OFFSET_DEREF:
        printf("*(r%d%+lld)%+lld", l->reg, (long long)l->offset, (long long)l->offset2);
        break;
    case RT_LOC_IN_REG: printf("in r%d", l->reg); break;
    case RT_LOC_TLS: printf("tls module %d %+lld", l->reg, (long long)l->offset); break;
    default: printf("unsupported"); break;
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int times = 0, quiet = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) times = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-q")) quiet = 1;
    }
    if (i >= argc) { fprintf(stderr, "usage: dwarf_dump [-t N] [-q] FILE\n"); return 2; }
    char err[512];
    if (times > 0) {
        double *ms = calloc((size_t)times, sizeof *ms);
        for (int k = 0; k < times; k++) {
            double t0 = now_ms();
            rt_module *m = rt_module_load(argv[i], err, sizeof err);
            ms[k] = now_ms() - t0;
            if (!m) { fprintf(stderr, "%s\n", err); return 1; }
            if (k == 0)
                printf("funcs %zu rows %zu files %zu\n", m->nfuncs, m->nrows, m->nfiles);
            rt_module_free(m);
        }
        qsort(ms, (size_t)times, sizeof *ms, cmpd);
        printf("load: median %.2f ms, min %.2f ms over %d runs\n", ms[times / 2], ms[0], times);
        free(ms);
        return 0;
    }
    rt_module *m = rt_module_load(argv[i], err, sizeof err);
    if (!m) { fprintf(stderr, "error: %s\n", err); return 1; }
    if (err[0]) printf("warning: %s\n", err);
    printf("path %s probes 0x%llx n=%zu\n", m->path, (unsigned long long)m->probes_addr, m->nprobes);
    for (size_t k = 0; k < m->nfiles; k++) printf("file %zu %s\n", k, m->files[k]);
    rt_type *const *types;
    size_t nt = rt_module_types(m, &types);
    for (size_t k = 0; k < nt; k++) {
        const rt_type *t = types[k];
        printf("type %-8s size %-3u %s%s%s '%s'", tagname(t->tag), t->size, t->is_char ? "char " : "",
               t->is_const ? "const " : "", t->tag == RT_T_ENUM && t->tag_signed ? "signed " : "",
               t->name);
        if (t->tag == RT_T_POINTER) printf(" -> '%s'", t->u.ptr.target ? t->u.ptr.target->name : "void");
        if (t->tag == RT_T_ARRAY) printf(" [%u] of '%s'", t->u.arr.count, t->u.arr.elem ? t->u.arr.elem->name : "?");
        if (t->tag == RT_T_STRUCT || t->tag == RT_T_UNION)
            for (uint32_t j = 0; j < t->u.su.n; j++)
                printf(" {%s:'%s'@%u%s}", t->u.su.members[j].name,
                       t->u.su.members[j].type ? t->u.su.members[j].type->name : "?",
                       t->u.su.members[j].offset,
                       t->u.su.members[j].bit_size ? "bf" : "");
        if (t->tag == RT_T_STRUCT || t->tag == RT_T_UNION)
            for (uint32_t j = 0; j < t->u.su.n; j++)
                if (t->u.su.members[j].bit_size)
                    printf(" (%s bit %u size %u)", t->u.su.members[j].name,
                           t->u.su.members[j].bit_offset, t->u.su.members[j].bit_size);
        if (t->tag == RT_T_ENUM)
            for (uint32_t j = 0; j < t->u.en.n; j++)
                printf(" %s=%lld", t->u.en.e[j].name, (long long)t->u.en.e[j].value);
        printf("\n");
    }
    for (size_t k = 0; k < m->nfuncs; k++) {
        const rt_func *f = &m->funcs[k];
        printf("func %s [0x%llx,0x%llx) %s:%u ret '%s'%s\n", f->name, (unsigned long long)f->lowpc,
               (unsigned long long)f->highpc, m->files[f->file], f->decl_line,
               f->ret ? f->ret->name : "void", f->external ? " extern" : "");
        if (quiet) continue;
        for (size_t r = 0; r < m->nrows; r++) {
            const rt_line_row *row = &m->rows[r];
            if (row->addr < f->lowpc || row->addr >= f->highpc) continue;
            printf("  row 0x%llx line %u file %u%s:", (unsigned long long)row->addr, row->line, row->file,
                   row->is_stmt ? "" : " (not stmt)");
            rt_var_at v[64];
            size_t n = rt_module_visible_vars(m, f, row->addr, v, 64);
            for (size_t j = 0; j < n && j < 64; j++) {
                printf(" %s%s%s:'%s'=", v[j].is_param ? "param " : "", v[j].is_static ? "static " : "",
                       v[j].name, v[j].type ? v[j].type->name : "?");
                print_loc(&v[j].loc);
                if (v[j].vla_count.kind != RT_LOC_NONE) {
                    printf(" count at ");
                    print_loc(&v[j].vla_count);
                    printf(" %+lld", (long long)v[j].vla_add);
                }
                printf(";");
            }
            printf("\n");
        }
    }
    rt_module_free(m);
    return 0;
}
