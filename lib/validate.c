/*
 * lib/validate.c - judges a trace folder as CodeTracer's reader and its
 * consumer (the db-backend) would (validate.h).
 *
 * Shapes come from the reader (every bad event is one error, and reading goes
 * on). Semantics are checked in one streaming pass with tables that grow with
 * the number of definitions only (paths, functions, types, variable names,
 * threads' call stacks), never with the number of steps:
 *  - Path/Function/Type/Variable ids defined before use, type ids inside
 *    values included; type references inside Type events may point forward
 *    (recursive C types need it) but must be defined by the end;
 *  - Step line > 0; Call/Return balance per thread (ThreadSwitch N: the
 *    following events belong to thread N); calls open at the end are errors
 *    unless the trace crashed (the <toplevel> call may always stay open);
 *  - Struct values have as many fields as their kind-6 Struct type, Reference
 *    values have a Pointer (or Ref) type;
 *  - Value events follow a Step or Call, not a Return;
 *  - side files: metadata complete, trace_paths.json equal to the Path
 *    events, a copy under files/ of every path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader_int.h"
#include "rtrace/validate.h"

typedef struct vtype { int kind; int info; size_t nfields; char *lang; } vtype;
typedef struct vframe { uint64_t function_id; uint64_t event; } vframe;
typedef struct vthread {
    uint64_t id;
    vframe *stack;
    size_t depth, cap;
    int value_state;                 /* 0 nothing yet, 1 after Step/Call, 2 after Return */
} vthread;
typedef struct vfwd { uint64_t event, type_id; } vfwd;

typedef struct vstate {
    rtrace_validate_cb cb;
    void *ctx;
    size_t max_errors, nerrors;
    unsigned flags;
    char **paths; size_t npaths, cpaths;
    char **funcs; size_t nfuncs, cfuncs;
    vtype *types; size_t ntypes, ctypes;
    uint64_t nvars;
    vthread *threads; size_t nthreads, cthreads;
    size_t cur;                      /* index of the current thread */
    vfwd *fwd; size_t nfwd, cfwd;
    bool oom;
    bool seen_thread_event;     /* a ThreadStart/ThreadSwitch was read */
    bool exited;                /* the process's exit was noted (RTRACE_EXIT_METADATA) */
} vstate;

/* Counts one problem and reports it unless past max_errors. */
__attribute__((format(printf, 3, 4)))
static void report(vstate *v, int64_t idx, const char *fmt, ...)
{
    v->nerrors++;
    if (v->max_errors && v->nerrors > v->max_errors)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->cb)
        v->cb(v->ctx, idx, msg);
}

/* Grows array *p of *cap elements of size sz to hold n+1. False on ENOMEM. */
static bool grow(void *p, size_t *cap, size_t n, size_t sz, vstate *v)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    void *np = realloc(*(void **)p, nc * sz);
    if (!np) {
        v->oom = true;
        return false;
    }
    *(void **)p = np;
    *cap = nc;
    return true;
}

static char *dup_str(rtrace_str s)
{
    char *p = malloc(s.len + 1);
    if (p) {
        memcpy(p, s.ptr, s.len);
        p[s.len] = '\0';
    }
    return p;
}

/* The thread state for id, created on first use; NULL on ENOMEM. */
static size_t thread_index(vstate *v, uint64_t id)
{
    for (size_t i = 0; i < v->nthreads; i++)
        if (v->threads[i].id == id)
            return i;
    if (!grow(&v->threads, &v->cthreads, v->nthreads, sizeof(vthread), v))
        return v->cur;
    memset(&v->threads[v->nthreads], 0, sizeof(vthread));
    v->threads[v->nthreads].id = id;
    return v->nthreads++;
}

/* Name of a value kind for messages (local: event.c belongs to the writer half). */
static const char *vkind(rtrace_value_kind k)
{
    static const char *const names[] = { "Int", "Float", "Bool", "String", "Sequence", "Tuple", "Struct",
                                         "Variant", "Reference", "Raw", "Error", "None", "Cell", "BigInt" };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static const char *func_name(vstate *v, uint64_t id)
{
    return id < v->nfuncs && v->funcs[id] ? v->funcs[id] : "?";
}

static bool is_toplevel(vstate *v, uint64_t fid)
{
    const char *n = func_name(v, fid);
    return strcmp(n, "<toplevel>") == 0 || strcmp(n, "<top-level>") == 0;
}

/* Checks a value tree used by event idx. */
static void check_value(vstate *v, uint64_t idx, const rtrace_value *val)
{
    if (!val)
        return;
    const vtype *t = NULL;
    if (val->kind != RTRACE_V_CELL) {
        if (val->type_id >= v->ntypes)
            report(v, (int64_t)idx, "event %llu: %s value uses type id %llu, not defined yet (%zu types)",
                   (unsigned long long)idx, vkind(val->kind),
                   (unsigned long long)val->type_id, v->ntypes);
        else
            t = &v->types[val->type_id];
    }
    switch (val->kind) {
    case RTRACE_V_STRUCT:
        if (t && t->info != RTRACE_SI_STRUCT)
            report(v, (int64_t)idx, "event %llu: Struct value with type %llu (`%s`), which has no struct fields",
                   (unsigned long long)idx, (unsigned long long)val->type_id, t->lang);
        else if (t && t->nfields != val->u.seq.n)
            report(v, (int64_t)idx, "event %llu: Struct value has %zu fields but its type %llu (`%s`) has %zu",
                   (unsigned long long)idx, val->u.seq.n, (unsigned long long)val->type_id, t->lang, t->nfields);
        /* fall through */
    case RTRACE_V_SEQUENCE:
    case RTRACE_V_TUPLE:
        for (size_t i = 0; i < val->u.seq.n; i++)
            check_value(v, idx, val->u.seq.items[i]);
        break;
    case RTRACE_V_VARIANT:
        check_value(v, idx, val->u.variant.contents);
        break;
    case RTRACE_V_REFERENCE:
        if (t && t->kind != RTRACE_TYPE_POINTER && t->kind != RTRACE_TYPE_REF)
            report(v, (int64_t)idx, "event %llu: Reference value with type %llu (`%s`, kind %d), not a Pointer type",
                   (unsigned long long)idx, (unsigned long long)val->type_id, t->lang, t->kind);
        check_value(v, idx, val->u.ref.dereferenced);
        break;
    default:
        break;
    }
}

static void check_var(vstate *v, uint64_t idx, uint64_t id, const char *what)
{
    if (id >= v->nvars)
        report(v, (int64_t)idx, "event %llu: %s uses variable id %llu, not defined yet (%llu VariableName events)",
               (unsigned long long)idx, what, (unsigned long long)id, (unsigned long long)v->nvars);
}

static void check_path(vstate *v, uint64_t idx, uint64_t id, const char *what)
{
    if (id >= v->npaths)
        report(v, (int64_t)idx, "event %llu: %s uses path id %llu, not defined yet (%zu Path events)",
               (unsigned long long)idx, what, (unsigned long long)id, v->npaths);
}

/* A type id referenced by the Type event idx (which defines type `self`). */
static void type_ref(vstate *v, uint64_t idx, uint64_t id)
{
    if (id < v->ntypes || id == v->ntypes)
        return;
    if (grow(&v->fwd, &v->cfwd, v->nfwd, sizeof(vfwd), v))
        v->fwd[v->nfwd++] = (vfwd){ idx, id };
}

/* Checks one well-formed event and updates the tables. */
static void check_event(vstate *v, uint64_t idx, const rtrace_event *ev)
{
    vthread *th = &v->threads[v->cur];
    switch (ev->kind) {
    case RTRACE_E_PATH:
        if (grow(&v->paths, &v->cpaths, v->npaths, sizeof(char *), v))
            v->paths[v->npaths++] = dup_str(ev->u.path);
        break;
    case RTRACE_E_FUNCTION:
        check_path(v, idx, ev->u.function.path_id, "Function");
        if (grow(&v->funcs, &v->cfuncs, v->nfuncs, sizeof(char *), v))
            v->funcs[v->nfuncs++] = dup_str(ev->u.function.name);
        break;
    case RTRACE_E_TYPE:
        if (ev->u.type.info == RTRACE_SI_STRUCT)
            for (size_t i = 0; i < ev->u.type.nfields; i++)
                type_ref(v, idx, ev->u.type.fields[i].type_id);
        if (ev->u.type.info == RTRACE_SI_POINTER)
            type_ref(v, idx, ev->u.type.dereference_type_id);
        if (grow(&v->types, &v->ctypes, v->ntypes, sizeof(vtype), v))
            v->types[v->ntypes++] = (vtype){ ev->u.type.kind, (int)ev->u.type.info, ev->u.type.nfields,
                                             dup_str(ev->u.type.lang_type) };
        break;
    case RTRACE_E_VARIABLE_NAME:
    case RTRACE_E_VARIABLE:
        v->nvars++;
        break;
    case RTRACE_E_STEP:
        check_path(v, idx, ev->u.step.path_id, "Step");
        if (ev->u.step.line <= 0)
            report(v, (int64_t)idx, "event %llu: Step line %lld, lines start at 1", (unsigned long long)idx,
                   (long long)ev->u.step.line);
        th->value_state = 1;
        break;
    case RTRACE_E_CALL:
        if (ev->u.call.function_id >= v->nfuncs)
            report(v, (int64_t)idx, "event %llu: Call of function id %llu, not defined yet (%zu Function events)",
                   (unsigned long long)idx, (unsigned long long)ev->u.call.function_id, v->nfuncs);
        for (size_t i = 0; i < ev->u.call.nargs; i++) {
            check_var(v, idx, ev->u.call.args[i].variable_id, "Call argument");
            check_value(v, idx, ev->u.call.args[i].value);
        }
        if (grow(&th->stack, &th->cap, th->depth, sizeof(vframe), v))
            th->stack[th->depth++] = (vframe){ ev->u.call.function_id, idx };
        th->value_state = 1;
        break;
    case RTRACE_E_RETURN:
        check_value(v, idx, ev->u.return_value);
        if (th->depth == 0)
            report(v, (int64_t)idx, "event %llu: Return with no open call (thread %llu); the consumer crashes on it",
                   (unsigned long long)idx, (unsigned long long)th->id);
        else
            th->depth--;
        th->value_state = 2;
        break;
    case RTRACE_E_VALUE:
        check_var(v, idx, ev->u.value.variable_id, "Value");
        if (th->value_state == 2)
            report(v, (int64_t)idx, "event %llu: Value right after a Return (it needs a Step or Call before it)",
                   (unsigned long long)idx);
        else if (th->value_state == 0)
            report(v, (int64_t)idx, "event %llu: Value before any Step or Call", (unsigned long long)idx);
        check_value(v, idx, ev->u.value.value);
        break;
    case RTRACE_E_THREAD_SWITCH:
        v->cur = thread_index(v, ev->u.thread_id);
        v->seen_thread_event = true;
        break;
    case RTRACE_E_THREAD_START:
        /* The recorder writes no thread events until a second thread appears; then the
         * first ThreadStart, before any ThreadSwitch, names the thread that started the
         * trace (the events so far, kept as thread 0, are its own). */
        if (!v->seen_thread_event && v->nthreads == 1 && v->threads[0].id == 0)
            v->threads[0].id = ev->u.thread_id;
        else
            thread_index(v, ev->u.thread_id);
        v->seen_thread_event = true;
        break;
    case RTRACE_E_BIND_VARIABLE:
    case RTRACE_E_VARIABLE_CELL:
        check_var(v, idx, ev->u.bind.variable_id, rt_rd_variant_name(ev->kind));
        break;
    case RTRACE_E_DROP_VARIABLES:
        for (size_t i = 0; i < ev->u.drop.n; i++)
            check_var(v, idx, ev->u.drop.ids[i], "DropVariables");
        break;
    case RTRACE_E_DROP_VARIABLE:
        check_var(v, idx, ev->u.variable_id, "DropVariable");
        break;
    case RTRACE_E_COMPOUND_VALUE:
    case RTRACE_E_CELL_VALUE:
    case RTRACE_E_ASSIGN_CELL:
        check_value(v, idx, ev->u.place_value.value);
        break;
    case RTRACE_E_EVENT:
        if (ev->u.event.kind == RTRACE_LOG_TRACE_LOG_EVENT &&
            ev->u.event.metadata.len == strlen(RTRACE_EXIT_METADATA) &&
            memcmp(ev->u.event.metadata.ptr, RTRACE_EXIT_METADATA, ev->u.event.metadata.len) == 0)
            v->exited = true;
        break;
    default:
        break;
    }
}

/* Checks the side files against the Path events; `events_read` is false when
 * the events could not be read at all (the error is already reported: a
 * count of 0 Path events would only add a false mismatch). */
static void check_side_files(vstate *v, const char *dir, bool events_read)
{
    rtrace_arena arena = {0};
    rtrace_metadata md;
    if (rtrace_read_metadata(&md, &arena, dir))
        report(v, -1, "%s", rtrace_last_error());
    const char **tp = NULL;
    size_t ntp = 0;
    if (rtrace_read_paths(&tp, &ntp, &arena, dir)) {
        report(v, -1, "%s", rtrace_last_error());
        ntp = 0;
    } else if (!events_read) {
        /* nothing to compare trace_paths.json with */
    } else if (ntp != v->npaths) {
        report(v, -1, "trace_paths.json lists %zu paths but the trace has %zu Path events", ntp, v->npaths);
    } else {
        for (size_t i = 0; i < ntp; i++)
            if (strcmp(tp[i], v->paths[i] ? v->paths[i] : "") != 0) {
                report(v, -1, "trace_paths.json item %zu is \"%s\" but Path %zu is \"%s\"", i, tp[i], i,
                       v->paths[i] ? v->paths[i] : "");
                break;
            }
    }
    /* Every path named by either list needs its copy under files/. */
    for (size_t pass = 0; pass < 2; pass++) {
        size_t n = pass ? ntp : v->npaths;
        for (size_t i = 0; i < n; i++) {
            const char *p = pass ? tp[i] : v->paths[i];
            if (!p || !*p)
                continue;
            bool seen = false;
            for (size_t k = 0; k < i && !seen; k++)
                seen = strcmp(p, pass ? tp[k] : v->paths[k] ? v->paths[k] : "") == 0;
            for (size_t k = 0; pass && k < v->npaths && !seen; k++)
                seen = v->paths[k] && strcmp(p, v->paths[k]) == 0;
            if (seen)
                continue;
            char f[8192];
            struct stat st;
            snprintf(f, sizeof f, "%s/files/%s", dir, p[0] == '/' ? p + 1 : p);
            if (stat(f, &st) != 0 || !S_ISREG(st.st_mode))
                report(v, -1, "path \"%s\" has no copy at files/%s", p, p[0] == '/' ? p + 1 : p);
        }
    }
    rtrace_arena_free(&arena);
}

/* See validate.h. */
int rtrace_validate(size_t *nerrors, const char *dir, unsigned flags, size_t max_errors,
                    rtrace_validate_cb cb, void *ctx)
{
    vstate v = { .cb = cb, .ctx = ctx, .max_errors = max_errors, .flags = flags };
    rtrace_reader *r = NULL;
    int ret = 0;
    struct stat st;
    *nerrors = 0;
    if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ret = rtrace_set_error(RTRACE_ENOTFOUND, "%s: not a trace folder", dir ? dir : "(null)");
        report(&v, -1, "%s", rtrace_last_error());
        *nerrors = v.nerrors;
        return ret;
    }
    thread_index(&v, 0);                    /* the main thread */
    {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/trace.json", dir);
        snprintf(b, sizeof b, "%s/trace.bin", dir);
        if (stat(a, &st) == 0 && stat(b, &st) == 0)
            report(&v, -1, "%s holds both trace.json and trace.bin (consumers disagree on which to read)", dir);
    }
    bool complete = false;
    int rc = rtrace_reader_open(&r, dir);
    bool events_read = rc == 0;
    if (rc) {
        report(&v, -1, "%s", rtrace_last_error());
        if (rc == RTRACE_ENOTFOUND)
            ret = rc;
    } else {
        rtrace_event ev;
        for (;;) {
            uint64_t idx = rtrace_reader_index(r);
            rc = rtrace_reader_next(r, &ev);
            if (rc == RTRACE_EOF) {
                complete = true;
                break;
            }
            if (rc == 0) {
                check_event(&v, idx, &ev);
                continue;
            }
            report(&v, (int64_t)idx, "%s", rtrace_last_error());
            if (rt_rd_fatal(r))
                break;
        }
    }
    if (complete) {
        for (size_t i = 0; i < v.nfwd; i++)
            if (v.fwd[i].type_id >= v.ntypes)
                report(&v, (int64_t)v.fwd[i].event, "event %llu: Type refers to type id %llu, never defined",
                       (unsigned long long)v.fwd[i].event, (unsigned long long)v.fwd[i].type_id);
        /* calls left open are fine in a crashed trace, and where the process
         * left through exit/_exit/exec (from inside calls, on any thread) */
        for (size_t t = 0; t < v.nthreads && !(flags & RTRACE_VALIDATE_CRASHED) && !v.exited; t++) {
            vthread *th = &v.threads[t];
            for (size_t d = th->depth; d-- > 0;) {
                if (d == 0 && is_toplevel(&v, th->stack[d].function_id))
                    continue;
                report(&v, (int64_t)th->stack[d].event,
                       "event %llu: call of `%s` (thread %llu) never returned (the trace ends with it open; "
                       "use --crashed for a crashed program)",
                       (unsigned long long)th->stack[d].event, func_name(&v, th->stack[d].function_id),
                       (unsigned long long)th->id);
            }
        }
    }
    check_side_files(&v, dir, events_read);
    if (v.oom)
        report(&v, -1, "out of memory while validating");
    rtrace_reader_free(r);
    for (size_t i = 0; i < v.npaths; i++) free(v.paths[i]);
    for (size_t i = 0; i < v.nfuncs; i++) free(v.funcs[i]);
    for (size_t i = 0; i < v.ntypes; i++) free(v.types[i].lang);
    for (size_t i = 0; i < v.nthreads; i++) free(v.threads[i].stack);
    free(v.paths); free(v.funcs); free(v.types); free(v.threads); free(v.fwd);
    *nerrors = v.nerrors;
    return ret;
}
