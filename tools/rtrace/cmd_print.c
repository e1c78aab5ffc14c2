/*
 * tools/rtrace/cmd_print.c - `rtrace print DIR [--format=tree|gdb] [--no-color]`.
 *
 * Both formats walk the events once with a call stack and a "pending step":
 * a Step is held until the next Step/Call/Return (collecting the Values
 * written after it) because the Step immediately followed by a Call is the
 * synthetic "function line" step of upstream's register_call, which neither
 * gdb nor a reader wants to see.
 *  - tree: the call tree for people, indented by depth: calls with their
 *    arguments, returns with their values, steps as file:line with the source
 *    line from DIR/files/, the values recorded at each step, Event records
 *    (program output). Colour when stdout is a terminal.
 *  - gdb: the canonical step listing of tests/diff/CANONICAL.md, exactly:
 *    "STOP <function> <basename>:<line>" then "  name=value" sorted by name,
 *    first Value of a name wins, stops in <toplevel> not printed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtrace_tool.h"
#include "../../lib/reader_int.h"

typedef struct pvar { char *name; char *text; } pvar;
typedef struct frame { uint64_t function_id; } frame;
typedef struct pthr { uint64_t id; frame *stack; size_t depth, cap; } pthr;
typedef struct src { bool loaded; char *text; size_t len; size_t *lines; size_t nlines; } src;

typedef struct printer {
    const char *dir;
    bool gdb, color;
    tool_model m;
    frame *stack; size_t depth, cap;     /* the current thread's call stack */
    pthr *threads; size_t nthreads, cur;   /* every thread's stack (ThreadSwitch swaps) */
    /* the pending step */
    bool pending, touched;
    uint64_t p_path; int64_t p_line; int64_t p_func; size_t p_depth;
    pvar *vars; size_t nvars, cvars;
    src *srcs; size_t nsrcs;
} printer;

#define C_FUNC "\033[1;36m"
#define C_LOC "\033[33m"
#define C_VAL "\033[32m"
#define C_EVT "\033[35m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static const char *col(const printer *p, const char *c) { return p->color ? c : ""; }

static bool toplevel_name(const char *n)
{
    return !strcmp(n, "<toplevel>") || !strcmp(n, "<top-level>");
}

/* The text of line `line` of path id `pid` from DIR/files/, or NULL. Sets *len. */
static const char *source_line(printer *p, uint64_t pid, int64_t line, size_t *len)
{
    if (pid >= p->m.npaths || line <= 0)
        return NULL;
    if (pid >= p->nsrcs) {
        size_t n = p->m.npaths;
        src *ns = realloc(p->srcs, n * sizeof *ns);
        if (!ns)
            return NULL;
        memset(ns + p->nsrcs, 0, (n - p->nsrcs) * sizeof *ns);
        p->srcs = ns;
        p->nsrcs = n;
    }
    src *s = &p->srcs[pid];
    if (!s->loaded) {
        s->loaded = true;
        const char *path = p->m.paths[pid];
        char f[8192];
        snprintf(f, sizeof f, "%s/files/%s", p->dir, path[0] == '/' ? path + 1 : path);
        FILE *fp = fopen(f, "rb");
        if (!fp)
            return NULL;
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && st.st_size < (64 << 20)) {
            s->text = malloc((size_t)st.st_size + 1);
            if (s->text) {
                s->len = fread(s->text, 1, (size_t)st.st_size, fp);
                size_t n = 1;
                for (size_t i = 0; i < s->len; i++)
                    n += s->text[i] == '\n';
                s->lines = malloc(n * sizeof *s->lines);
                if (s->lines) {
                    s->lines[s->nlines++] = 0;
                    for (size_t i = 0; i < s->len; i++)
                        if (s->text[i] == '\n')
                            s->lines[s->nlines++] = i + 1;
                }
            }
        }
        fclose(fp);
    }
    if (!s->lines || (uint64_t)line > s->nlines)
        return NULL;
    size_t a = s->lines[line - 1], b = a;
    while (b < s->len && s->text[b] != '\n')
        b++;
    while (a < b && (s->text[a] == ' ' || s->text[a] == '\t'))
        a++;
    *len = b - a;
    return s->text + a;
}

static void indent(size_t depth)
{
    for (size_t i = 0; i < depth; i++)
        fputs("  ", stdout);
}

static int cmp_var(const void *a, const void *b)
{
    return strcmp(((const pvar *)a)->name, ((const pvar *)b)->name);
}

/* Prints (or drops) the pending step with its values. */
static void flush(printer *p, bool drop)
{
    if (!p->pending)
        return;
    p->pending = false;
    if (!drop) {
        const char *fname = p->p_func >= 0 ? model_func(&p->m, (uint64_t)p->p_func) : NULL;
        const char *path = model_path(&p->m, p->p_path);
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (p->gdb) {
            if (fname && !toplevel_name(fname)) {
                if (p->nvars)
                    qsort(p->vars, p->nvars, sizeof *p->vars, cmp_var);
                printf("STOP %s %s:%lld\n", fname, base, (long long)p->p_line);
                for (size_t i = 0; i < p->nvars; i++)
                    printf("  %s=%s\n", p->vars[i].name, p->vars[i].text);
            }
        } else {
            size_t len = 0;
            const char *line = source_line(p, p->p_path, p->p_line, &len);
            indent(p->p_depth + 1);
            printf("%s%s:%lld%s", col(p, C_LOC), base, (long long)p->p_line, col(p, C_OFF));
            if (line)
                printf("  %s|%s %.*s", col(p, C_DIM), col(p, C_OFF), (int)len, line);
            putchar('\n');
            for (size_t i = 0; i < p->nvars; i++) {
                indent(p->p_depth + 3);
                printf("%s = %s%s%s\n", p->vars[i].name, col(p, C_VAL), p->vars[i].text, col(p, C_OFF));
            }
        }
    }
    for (size_t i = 0; i < p->nvars; i++) {
        free(p->vars[i].name);
        free(p->vars[i].text);
    }
    p->nvars = 0;
}

/* Adds a Value to the pending step (first value of a name wins). */
static void add_var(printer *p, uint64_t var, const rtrace_value *v)
{
    const char *name = model_var(&p->m, var);
    for (size_t i = 0; i < p->nvars; i++)
        if (!strcmp(p->vars[i].name, name))
            return;
    if (p->nvars == p->cvars) {
        p->cvars = p->cvars ? p->cvars * 2 : 16;
        p->vars = realloc(p->vars, p->cvars * sizeof *p->vars);
        if (!p->vars)
            abort();
    }
    tool_buf b = {0};
    canon_value(&b, &p->m, v, false);
    p->vars[p->nvars].name = strdup(name);
    p->vars[p->nvars].text = b.p ? b.p : strdup("");
    p->nvars++;
}

static const char *const log_kinds[] = {
    "write", "write-file", "write-other", "read", "read-file", "read-other", "read-dir", "open-dir",
    "close-dir", "socket", "open", "error", "trace-log", "evm"
};

/* Handles one event. */
static void on_event(printer *p, const rtrace_event *ev)
{
    if (model_define(&p->m, ev))
        return;
    switch (ev->kind) {
    case RTRACE_E_STEP:
        flush(p, false);
        p->pending = true;
        p->touched = false;
        p->p_path = ev->u.step.path_id;
        p->p_line = ev->u.step.line;
        p->p_func = p->depth ? (int64_t)p->stack[p->depth - 1].function_id : -1;
        p->p_depth = p->depth;
        return;
    case RTRACE_E_CALL: {
        flush(p, p->pending && !p->touched);
        if (p->depth == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 64;
            p->stack = realloc(p->stack, p->cap * sizeof *p->stack);
            if (!p->stack)
                abort();
        }
        if (!p->gdb) {
            indent(p->depth);
            printf("%s-> %s%s(", col(p, C_FUNC), model_func(&p->m, ev->u.call.function_id), col(p, C_OFF));
            for (size_t i = 0; i < ev->u.call.nargs; i++) {
                tool_buf b = {0};
                canon_value(&b, &p->m, ev->u.call.args[i].value, false);
                printf("%s%s=%s%s%s", i ? ", " : "", model_var(&p->m, ev->u.call.args[i].variable_id),
                       col(p, C_VAL), b.p ? b.p : "", col(p, C_OFF));
                buf_free(&b);
            }
            printf(")\n");
        }
        p->stack[p->depth++].function_id = ev->u.call.function_id;
        return;
    }
    case RTRACE_E_RETURN:
        flush(p, false);
        if (p->depth)
            p->depth--;
        if (!p->gdb) {
            tool_buf b = {0};
            canon_value(&b, &p->m, ev->u.return_value, false);
            indent(p->depth);
            printf("%s<- %s%s = %s%s%s\n", col(p, C_FUNC),
                   p->depth < p->cap ? model_func(&p->m, p->stack[p->depth].function_id) : "?", col(p, C_OFF),
                   col(p, C_VAL), b.p ? b.p : "", col(p, C_OFF));
            buf_free(&b);
        }
        return;
    case RTRACE_E_VALUE:
        if (p->pending) {
            p->touched = true;
            add_var(p, ev->u.value.variable_id, ev->u.value.value);
        }
        return;
    case RTRACE_E_EVENT:
        if (p->pending)
            p->touched = true;
        if (!p->gdb) {
            flush(p, false);
            indent(p->depth + 1);
            const char *k = ev->u.event.kind >= 0 && ev->u.event.kind <= 13 ? log_kinds[ev->u.event.kind] : "?";
            printf("%s[%s]%s ", col(p, C_EVT), k, col(p, C_OFF));
            for (size_t i = 0; i < ev->u.event.content.len; i++) {
                unsigned char c = (unsigned char)ev->u.event.content.ptr[i];
                if (c == '\n')
                    fputs(i + 1 == ev->u.event.content.len ? "" : "\\n", stdout);
                else if (c < 0x20)
                    printf("\\x%02x", c);
                else
                    putchar(c);
            }
            putchar('\n');
        }
        return;
    case RTRACE_E_THREAD_START:
        /* The first ThreadStart before any ThreadSwitch names the thread that started the
         * trace (the recorder writes thread events only once a second thread appears). */
        if (!p->threads) {
            p->threads = calloc(1, sizeof *p->threads);
            if (!p->threads)
                abort();
            p->nthreads = 1;
            p->threads[0].id = ev->u.thread_id;
        }
        break;
    case RTRACE_E_THREAD_SWITCH: {
        /* Each thread has its own call stack; the pending step ends with its thread's turn. */
        flush(p, false);
        if (!p->threads) {
            p->threads = calloc(1, sizeof *p->threads);     /* thread 0: events before any switch */
            if (!p->threads)
                abort();
            p->nthreads = 1;
        }
        p->threads[p->cur] = (pthr){ p->threads[p->cur].id, p->stack, p->depth, p->cap };
        size_t i;
        for (i = 0; i < p->nthreads && p->threads[i].id != ev->u.thread_id; i++)
            ;
        if (i == p->nthreads) {
            p->threads = realloc(p->threads, (p->nthreads + 1) * sizeof *p->threads);
            if (!p->threads)
                abort();
            p->threads[p->nthreads++] = (pthr){ ev->u.thread_id, NULL, 0, 0 };
        }
        p->cur = i;
        p->stack = p->threads[i].stack;
        p->depth = p->threads[i].depth;
        p->cap = p->threads[i].cap;
        if (!p->gdb)
            printf("%s== thread %llu ==%s\n", col(p, C_DIM), (unsigned long long)ev->u.thread_id, col(p, C_OFF));
        return;
    }
    case RTRACE_E_DROP_LAST_STEP:
        /* The recorder took back its last Step: never show it. */
        flush(p, p->pending);
        return;
    default:
        if (p->pending)
            p->touched = true;
        return;
    }
}

int cmd_print(const tool_opts *o)
{
    const char *dir = o->pos[0];
    int rc = tool_check_dir(dir);
    if (rc)
        return rc;
    rtrace_reader *r;
    if (rtrace_reader_open(&r, dir)) {
        fprintf(stderr, "rtrace print: %s\n", rtrace_last_error());
        return EXIT_BAD;
    }
    printer p = { .dir = dir, .gdb = !strcmp(o->format, "gdb") };
    p.color = !p.gdb && !o->no_color && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    rtrace_event ev;
    int status = 0;
    for (;;) {
        rc = rtrace_reader_next(r, &ev);
        if (rc == RTRACE_EOF)
            break;
        if (rc) {
            fflush(stdout);
            fprintf(stderr, "rtrace print: %s\n", rtrace_last_error());
            status = EXIT_BAD;
            if (rt_rd_fatal(r))
                break;
            continue;
        }
        on_event(&p, &ev);
    }
    flush(&p, false);
    rtrace_reader_free(r);
    for (size_t i = 0; i < p.nsrcs; i++) {
        free(p.srcs[i].text);
        free(p.srcs[i].lines);
    }
    free(p.srcs);
    free(p.vars);
    if (p.threads) {
        p.threads[p.cur].stack = p.stack;
        for (size_t i = 0; i < p.nthreads; i++)
            free(p.threads[i].stack);
        free(p.threads);
    } else {
        free(p.stack);
    }
    model_free(&p.m);
    return status;
}
