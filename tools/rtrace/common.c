/*
 * tools/rtrace/common.c - helpers shared by the rtrace commands: trace folder
 * checks, copying side files, the definition tables (paths, functions, types,
 * variable names) that print/stats keep while streaming, a text buffer, and
 * the canonical value text of tests/diff/CANONICAL.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtrace_tool.h"

/* See rtrace_tool.h. */
int tool_check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "rtrace: %s: %s\n", dir, strerror(errno));
        return EXIT_BAD;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "rtrace: %s: not a folder (a trace is a folder holding trace.json or trace.bin)\n", dir);
        return EXIT_BAD;
    }
    if (access(dir, R_OK | X_OK) != 0) {
        fprintf(stderr, "rtrace: %s: cannot read this folder: %s\n", dir, strerror(errno));
        return EXIT_BAD;
    }
    char p[4096];
    snprintf(p, sizeof p, "%s/trace.json", dir);
    bool json = access(p, F_OK) == 0;
    snprintf(p, sizeof p, "%s/trace.bin", dir);
    bool bin = access(p, F_OK) == 0;
    if (!json && !bin) {
        fprintf(stderr, "rtrace: %s: no trace.json or trace.bin in this folder\n", dir);
        return EXIT_BAD;
    }
    return 0;
}

/* See rtrace_tool.h. */
int tool_mkdirs(const char *path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* See rtrace_tool.h. */
int tool_copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        fprintf(stderr, "rtrace: %s: %s\n", src, strerror(errno));
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", dst);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        tool_mkdirs(dir);
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        fprintf(stderr, "rtrace: %s: %s\n", dst, strerror(errno));
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t r;
    int rc = 0;
    while ((r = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)r) != r) {
            fprintf(stderr, "rtrace: %s: %s\n", dst, strerror(errno));
            rc = -1;
            break;
        }
    if (r < 0)
        rc = -1;
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

/* See rtrace_tool.h. */
int tool_copy_tree(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    if (tool_mkdirs(dst) != 0) {
        closedir(d);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char s[4096], t[4096];
        snprintf(s, sizeof s, "%s/%s", src, e->d_name);
        snprintf(t, sizeof t, "%s/%s", dst, e->d_name);
        struct stat st;
        if (lstat(s, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc |= tool_copy_tree(s, t);
        else if (S_ISREG(st.st_mode))
            rc |= tool_copy_file(s, t);
    }
    closedir(d);
    return rc;
}

/* ---- text buffer ---- */

void buf_put(tool_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            abort();                  /* the tool cannot go on without memory */
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void buf_puts(tool_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(tool_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        buf_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_put(b, big, (size_t)n);
    free(big);
}

void buf_free(tool_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- model ---- */

static char *dupn(rtrace_str s)
{
    char *p = malloc(s.len + 1);
    if (!p)
        abort();
    memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

/* Makes room for one more element in *arr (element size sz). */
static void grow(void *arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*(void **)arr, nc * sz);
    if (!p)
        abort();
    *(void **)arr = p;
    *cap = nc;
}

/* See rtrace_tool.h. */
bool model_define(tool_model *m, const rtrace_event *ev)
{
    switch (ev->kind) {
    case RTRACE_E_PATH:
        grow(&m->paths, &m->cpaths, m->npaths, sizeof(char *));
        m->paths[m->npaths++] = dupn(ev->u.path);
        return true;
    case RTRACE_E_FUNCTION: {
        size_t c = m->cfuncs;
        grow(&m->funcs, &c, m->nfuncs, sizeof(char *));
        c = m->cfuncs;
        grow(&m->func_path, &c, m->nfuncs, sizeof(uint64_t));
        c = m->cfuncs;
        grow(&m->func_line, &c, m->nfuncs, sizeof(uint64_t));
        m->cfuncs = c;
        m->func_path[m->nfuncs] = ev->u.function.path_id;
        m->func_line[m->nfuncs] = ev->u.function.line;
        m->funcs[m->nfuncs++] = dupn(ev->u.function.name);
        return true;
    }
    case RTRACE_E_TYPE: {
        grow(&m->types, &m->ctypes, m->ntypes, sizeof(tool_type));
        tool_type *t = &m->types[m->ntypes++];
        memset(t, 0, sizeof *t);
        t->kind = ev->u.type.kind;
        t->info = (int)ev->u.type.info;
        t->lang = dupn(ev->u.type.lang_type);
        if (ev->u.type.info == RTRACE_SI_STRUCT) {
            t->nfields = ev->u.type.nfields;
            t->fields = calloc(t->nfields ? t->nfields : 1, sizeof(char *));
            if (!t->fields)
                abort();
            for (size_t i = 0; i < t->nfields; i++)
                t->fields[i] = dupn(ev->u.type.fields[i].name);
        }
        return true;
    }
    case RTRACE_E_VARIABLE_NAME:
    case RTRACE_E_VARIABLE:
        grow(&m->vars, &m->cvars, m->nvars, sizeof(char *));
        m->vars[m->nvars++] = dupn(ev->u.name);
        return true;
    default:
        return false;
    }
}

void model_free(tool_model *m)
{
    for (size_t i = 0; i < m->npaths; i++) free(m->paths[i]);
    for (size_t i = 0; i < m->nfuncs; i++) free(m->funcs[i]);
    for (size_t i = 0; i < m->ntypes; i++) {
        for (size_t k = 0; k < m->types[i].nfields; k++) free(m->types[i].fields[k]);
        free(m->types[i].fields);
        free(m->types[i].lang);
    }
    for (size_t i = 0; i < m->nvars; i++) free(m->vars[i]);
    free(m->paths); free(m->funcs); free(m->func_path); free(m->func_line); free(m->types); free(m->vars);
    memset(m, 0, sizeof *m);
}

const char *model_var(const tool_model *m, uint64_t id) { return id < m->nvars ? m->vars[id] : "?"; }
const char *model_func(const tool_model *m, uint64_t id) { return id < m->nfuncs ? m->funcs[id] : "?"; }
const char *model_path(const tool_model *m, uint64_t id) { return id < m->npaths ? m->paths[id] : "?"; }

/* ---- canonical values (tests/diff/CANONICAL.md) ---- */

#define CANON_MAX_ITEMS 200
#define CANON_MAX_STRING 200

/* Decimal text of a big-endian magnitude (BigInt). */
static void bigint_decimal(tool_buf *b, const uint8_t *mag, size_t n, bool negative)
{
    /* Repeated division by 10 of a copy of the magnitude. */
    uint8_t *w = malloc(n ? n : 1);
    char *digits = malloc(n * 3 + 2);
    if (!w || !digits)
        abort();
    memcpy(w, mag, n);
    size_t nd = 0, start = 0;
    while (start < n && w[start] == 0)
        start++;
    while (start < n) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = rem * 256 + w[i];
            w[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        digits[nd++] = (char)('0' + rem);
        while (start < n && w[start] == 0)
            start++;
    }
    if (nd == 0)
        digits[nd++] = '0';
    if (negative && !(nd == 1 && digits[0] == '0'))
        buf_puts(b, "-");
    for (size_t i = nd; i-- > 0;)
        buf_put(b, &digits[i], 1);
    free(w);
    free(digits);
}

/* A Float's text as %.17g of the double it denotes; inf, -inf, nan. */
static void canon_float(tool_buf *b, rtrace_str f)
{
    char tmp[64];
    char *text = malloc(f.len + 1);
    if (!text)
        abort();
    memcpy(text, f.ptr, f.len);
    text[f.len] = '\0';
    char *end;
    double d = strtod(text, &end);
    if (end == text) {
        /* Not a number strtod knows: show it as written. */
        buf_puts(b, text);
    } else if (isnan(d)) {
        buf_puts(b, "nan");
    } else if (isinf(d)) {
        buf_puts(b, d < 0 ? "-inf" : "inf");
    } else {
        snprintf(tmp, sizeof tmp, "%.17g", d);
        buf_puts(b, tmp);
    }
    free(text);
}

/* A C string: quoted, up to the first NUL, at most 200 bytes, escaped. */
static void canon_string(tool_buf *b, rtrace_str s)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < s.len && i < CANON_MAX_STRING; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        char tmp[8];
        if (c == 0)
            break;
        if (c == '"' || c == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            buf_put(b, tmp, 2);
        } else if (c >= 0x20 && c < 0x7f) {
            buf_put(b, (const char *)&c, 1);
        } else {
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
            buf_puts(b, tmp);
        }
    }
    buf_puts(b, "\"");
}

/* See rtrace_tool.h. */
void canon_value(tool_buf *b, const tool_model *m, const rtrace_value *v, bool in_deref)
{
    if (!v) {
        buf_puts(b, "<error>");
        return;
    }
    /* Inside a pointed-to value every pointer is <ptr> (0x0 when NULL), char * and function pointers included. */
    int tkind = v->kind != RTRACE_V_CELL && v->type_id < m->ntypes ? m->types[v->type_id].kind : -1;
    if (in_deref && (v->kind == RTRACE_V_STRING || v->kind == RTRACE_V_RAW) &&
        (tkind == RTRACE_TYPE_CSTRING || tkind == RTRACE_TYPE_FUNCTION_KIND || tkind == RTRACE_TYPE_POINTER)) {
        bool null = v->kind == RTRACE_V_RAW && v->u.text.len == 3 && !memcmp(v->u.text.ptr, "0x0", 3);
        buf_puts(b, null ? "0x0" : "<ptr>");
        return;
    }
    switch (v->kind) {
    case RTRACE_V_INT:
        buf_printf(b, "%lld", (long long)v->u.i);
        break;
    case RTRACE_V_BIGINT:
        bigint_decimal(b, v->u.bigint.magnitude_be, v->u.bigint.n, v->u.bigint.negative);
        break;
    case RTRACE_V_FLOAT:
        canon_float(b, v->u.f);
        break;
    case RTRACE_V_BOOL:
        buf_puts(b, v->u.b ? "true" : "false");
        break;
    case RTRACE_V_STRING:
        canon_string(b, v->u.text);
        break;
    case RTRACE_V_REFERENCE: {
        const rtrace_value *d = v->u.ref.dereferenced;
        if (v->u.ref.address == 0)
            buf_puts(b, "0x0");
        else if (in_deref)
            buf_puts(b, "<ptr>");
        else if (!d || d->kind == RTRACE_V_ERROR)
            buf_puts(b, "<error>");
        else if (d->kind == RTRACE_V_NONE)
            buf_puts(b, "<ptr>");            /* void * or depth cap */
        else {
            buf_puts(b, "&");
            canon_value(b, m, d, true);
        }
        break;
    }
    case RTRACE_V_STRUCT: {
        const tool_type *t = v->type_id < m->ntypes ? &m->types[v->type_id] : NULL;
        bool named = t && t->info == RTRACE_SI_STRUCT && t->nfields == v->u.seq.n;
        buf_puts(b, "{");
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (i)
                buf_puts(b, ", ");
            /* Anonymous struct/union members print without a name, as gdb does. */
            if (!named || t->fields[i][0]) {
                buf_puts(b, named ? t->fields[i] : "?");
                buf_puts(b, "=");
            }
            canon_value(b, m, v->u.seq.items[i], in_deref);
        }
        buf_puts(b, "}");
        break;
    }
    case RTRACE_V_SEQUENCE:
    case RTRACE_V_TUPLE:
        buf_puts(b, "[");
        for (size_t i = 0; i < v->u.seq.n && i < CANON_MAX_ITEMS; i++) {
            if (i)
                buf_puts(b, ", ");
            canon_value(b, m, v->u.seq.items[i], in_deref);
        }
        buf_puts(b, "]");
        break;
    case RTRACE_V_VARIANT:
        buf_put(b, v->u.variant.discriminator.ptr, v->u.variant.discriminator.len);
        break;
    case RTRACE_V_RAW: {
        /* Function pointers are "0x401136 <add>": the canonical text is "<add>". */
        const char *lt = memchr(v->u.text.ptr, '<', v->u.text.len);
        if (lt && v->u.text.len && v->u.text.ptr[v->u.text.len - 1] == '>')
            buf_put(b, lt, (size_t)(v->u.text.ptr + v->u.text.len - lt));
        else
            buf_put(b, v->u.text.ptr, v->u.text.len);
        break;
    }
    case RTRACE_V_ERROR:
        buf_puts(b, "<error>");
        break;
    case RTRACE_V_NONE:
        buf_puts(b, "None");
        break;
    case RTRACE_V_CELL:
        buf_printf(b, "<cell %lld>", (long long)v->u.place);
        break;
    }
}
