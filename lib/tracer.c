/*
 * lib/tracer.c - the tracer API (tracer.h): the C edition of upstream's
 * TraceWriter, for interpreters and VMs written in C.
 *
 * Behaviour mirrors upstream (runtime_tracing's Tracer/TraceWriter):
 *  - start(path, line): Function "<toplevel>" (id 0; its Path first), the
 *    Call of function 0 (no Step before it), then Type 0 = None.
 *  - ensure_*_id: ids are dense, in order of first use, deduplicated (paths
 *    by string, functions by (path, line, name), types by lang_type,
 *    variables by name); the definition event is written the first time.
 *  - register_call: VariableName events for new argument names, a Value per
 *    argument, a Step at the callee's Function line, then the Call (the
 *    top-level function gets no Values and no Step), as the consumer expects.
 * Every register_* call encodes whole events into the tracer's encoder and
 * hands them to the sink at once (the sink buffers), then resets the value
 * arena: after warm-up nothing is allocated per event or per value.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtrace/tracer.h"
#include "rtrace/sink.h"
#include "encode_inline.h"

/* ---- A string -> id hash map (open addressing, owned keys) ------------------ */

typedef struct strmap_slot { char *key; size_t klen; uint64_t id; } strmap_slot;
typedef struct strmap { strmap_slot *slots; size_t cap, n; } strmap;

/* FNV-1a over the key bytes. */
static uint64_t hash_bytes(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
    return h;
}

/* The slot holding key k, or the empty slot where it would go (cap > 0). */
static strmap_slot *strmap_slot_of(strmap *m, const char *k, size_t n)
{
    size_t i = (size_t)hash_bytes(k, n) & (m->cap - 1);
    for (;;) {
        strmap_slot *s = &m->slots[i];
        if (!s->key || (s->klen == n && memcmp(s->key, k, n) == 0))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
}

/* True and *id set when k is in the map. */
static bool strmap_get(strmap *m, const char *k, size_t n, uint64_t *id)
{
    if (!m->cap)
        return false;
    strmap_slot *s = strmap_slot_of(m, k, n);
    if (!s->key)
        return false;
    *id = s->id;
    return true;
}

/* Adds k -> id (k not present). 0 or RTRACE_ENOMEM. */
static int strmap_put(strmap *m, const char *k, size_t n, uint64_t id)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        strmap_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return RTRACE_ENOMEM;
        strmap old = *m;
        m->slots = ns;
        m->cap = ncap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *strmap_slot_of(m, old.slots[i].key, old.slots[i].klen) = old.slots[i];
        free(old.slots);
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return RTRACE_ENOMEM;
    memcpy(copy, k, n);
    copy[n] = '\0';
    strmap_slot *s = strmap_slot_of(m, k, n);
    s->key = copy;
    s->klen = n;
    s->id = id;
    m->n++;
    return 0;
}

static void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* ---- The tracer ---------------------------------------------------------------- */

typedef struct func_info { uint64_t path_id; int64_t line; } func_info;

struct rtrace_tracer {
    char *dir, *program, *workdir;
    char **args;
    size_t nargs;
    rtrace_format format;
    rtrace_sink *sink;
    rtrace_enc enc;
    rtrace_arena arena;
    strmap paths, functions, types, variables;
    char **path_list;             /* path strings by id (for trace_paths.json, files/) */
    size_t npaths, paths_cap;
    func_info *funcs;             /* functions by id (for register_call's Step) */
    size_t nfuncs, funcs_cap;
    uint64_t ntypes, nvariables;
    uint64_t events;
    bool closed;
    int error;                    /* first failure (sticky), 0 if none */
};

/* Records the first failure; returns rc. */
static int tracer_fail(rtrace_tracer *t, int rc)
{
    if (rc && !t->error)
        t->error = rc;
    return rc;
}

/*
 * Hands the encoder's bytes (whole events) to the sink and counts `nevents`.
 * 0 or a negative code (out of memory while encoding, or the sink failed).
 */
static int tracer_flush_enc(rtrace_tracer *t, unsigned nevents)
{
    if (t->closed)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace tracer: event after close");
    if (!rtrace_enc_ok(&t->enc))
        return tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory while encoding"));
    int rc = 0;
    if (t->enc.len)
        rc = rtrace_sink_write(t->sink, t->enc.buf, t->enc.len);
    rtrace_enc_reset(&t->enc);
    if (rc)
        return tracer_fail(t, rc);
    t->events += nevents;
    return 0;
}

static char *dupstr(const char *s)
{
    return strdup(s ? s : "");
}

/* Frees everything (the sink must be closed or NULL). */
static void tracer_release(rtrace_tracer *t)
{
    free(t->dir);
    free(t->program);
    free(t->workdir);
    for (size_t i = 0; i < t->nargs; i++)
        free(t->args[i]);
    free(t->args);
    rtrace_sink_free(t->sink);
    rtrace_enc_free(&t->enc);
    rtrace_arena_free(&t->arena);
    strmap_free(&t->paths);
    strmap_free(&t->functions);
    strmap_free(&t->types);
    strmap_free(&t->variables);
    for (size_t i = 0; i < t->npaths; i++)
        free(t->path_list[i]);
    free(t->path_list);
    free(t->funcs);
    free(t);
}

/*
 * Creates the trace folder and its trace file; remembers the program, its
 * arguments and the current directory for trace_metadata.json.
 */
int rtrace_tracer_open(rtrace_tracer **out, const char *dir, const char *program,
                       const char *const *args, size_t nargs, rtrace_format format)
{
    *out = NULL;
    if (!dir || !*dir)
        return rtrace_set_error(RTRACE_EINVAL, "rtrace_tracer_open: no trace folder given");
    rtrace_tracer *t = calloc(1, sizeof *t);
    if (!t)
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_tracer_open: out of memory");
    char cwd[PATH_MAX];
    t->dir = dupstr(dir);
    t->program = dupstr(program);
    t->workdir = dupstr(getcwd(cwd, sizeof cwd) ? cwd : "");
    t->args = calloc(nargs ? nargs : 1, sizeof *t->args);
    t->format = format;
    bool ok = t->dir && t->program && t->workdir && t->args;
    for (size_t i = 0; ok && i < nargs; i++) {
        t->args[i] = dupstr(args[i]);
        ok = t->args[i] != NULL;
        t->nargs = i + 1;
    }
    if (!ok) {
        tracer_release(t);
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_tracer_open: out of memory");
    }
    int rc = rtrace_enc_init(&t->enc, format, 0);
    if (!rc)
        rc = rtrace_sink_open(&t->sink, dir, format, 0);
    if (rc) {
        tracer_release(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* Path, Function "<toplevel>" (id 0), its Call, and Type 0 = None. */
int rtrace_tracer_start(rtrace_tracer *t, const char *path, int64_t line)
{
    uint64_t fid = rtrace_tracer_ensure_function_id(t, "<toplevel>", path, line);
    if (t->error)
        return t->error;
    if (fid != 0)
        return rtrace_set_error(RTRACE_ESTATE, "rtrace_tracer_start: called after other functions were defined");
    rtrace_enc_call_begin(&t->enc, 0, 0);
    rtrace_enc_call_end(&t->enc);
    int rc = tracer_flush_enc(t, 1);
    if (rc)
        return rc;
    rtrace_tracer_ensure_type_id(t, RTRACE_TYPE_NONE, "None");
    return t->error;
}

/* Returns the id of `path`, writing its Path event the first time. */
uint64_t rtrace_tracer_ensure_path_id(rtrace_tracer *t, const char *path)
{
    path = path ? path : "";
    size_t n = strlen(path);
    uint64_t id;
    if (strmap_get(&t->paths, path, n, &id))
        return id;
    id = t->npaths;
    if (t->npaths == t->paths_cap) {
        size_t ncap = t->paths_cap ? t->paths_cap * 2 : 16;
        char **nl = realloc(t->path_list, ncap * sizeof *nl);
        if (!nl) {
            tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
            return id;
        }
        t->path_list = nl;
        t->paths_cap = ncap;
    }
    char *copy = strdup(path);
    if (!copy || strmap_put(&t->paths, path, n, id)) {
        free(copy);
        tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
        return id;
    }
    t->path_list[t->npaths++] = copy;
    rtrace__enc_path_n(&t->enc, path, n);
    tracer_flush_enc(t, 1);
    return id;
}

/* Returns the id of function (name, path, line), writing its Path and Function events when new. */
uint64_t rtrace_tracer_ensure_function_id(rtrace_tracer *t, const char *name, const char *path, int64_t line)
{
    name = name ? name : "";
    uint64_t pid = rtrace_tracer_ensure_path_id(t, path);
    size_t nn = strlen(name);
    /* Key: path id and line as fixed-size bytes, then the name. */
    char stackkey[256];
    size_t kn = 2 * sizeof(uint64_t) + nn;
    char *key = kn <= sizeof stackkey ? stackkey : malloc(kn);
    uint64_t id = t->nfuncs;
    if (!key) {
        tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
        return id;
    }
    memcpy(key, &pid, sizeof pid);
    memcpy(key + sizeof pid, &line, sizeof line);
    memcpy(key + 2 * sizeof pid, name, nn);
    if (!strmap_get(&t->functions, key, kn, &id)) {
        id = t->nfuncs;
        if (t->nfuncs == t->funcs_cap) {
            size_t ncap = t->funcs_cap ? t->funcs_cap * 2 : 16;
            func_info *nf = realloc(t->funcs, ncap * sizeof *nf);
            if (!nf)
                goto oom;
            t->funcs = nf;
            t->funcs_cap = ncap;
        }
        if (strmap_put(&t->functions, key, kn, id))
            goto oom;
        t->funcs[t->nfuncs++] = (func_info){pid, line};
        rtrace__enc_function_n(&t->enc, pid, (uint64_t)line, name, nn);
        tracer_flush_enc(t, 1);
    }
    if (key != stackkey)
        free(key);
    return id;
oom:
    if (key != stackkey)
        free(key);
    tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
    return id;
}

/*
 * Looks up lang_type; when new, assigns the next type id and lets `write`
 * encode the Type event. Shared by the three Type shapes.
 */
static bool type_lookup_or_add(rtrace_tracer *t, const char *lang_type, uint64_t *id)
{
    size_t n = strlen(lang_type);
    if (strmap_get(&t->types, lang_type, n, id))
        return true;
    *id = t->ntypes;
    if (strmap_put(&t->types, lang_type, n, *id)) {
        tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
        return true;      /* do not write a definition we could not record */
    }
    t->ntypes++;
    return false;
}

uint64_t rtrace_tracer_ensure_type_id(rtrace_tracer *t, rtrace_type_kind kind, const char *lang_type)
{
    lang_type = lang_type ? lang_type : "";
    uint64_t id;
    if (!type_lookup_or_add(t, lang_type, &id)) {
        rtrace_enc_type(&t->enc, kind, lang_type);
        tracer_flush_enc(t, 1);
    }
    return id;
}

uint64_t rtrace_tracer_ensure_struct_type_id(rtrace_tracer *t, rtrace_type_kind kind, const char *lang_type,
                                             const char *const *field_names, const uint64_t *field_type_ids, size_t n)
{
    lang_type = lang_type ? lang_type : "";
    uint64_t id;
    if (!type_lookup_or_add(t, lang_type, &id)) {
        rtrace_enc_type_struct_begin(&t->enc, kind, lang_type, n);
        for (size_t i = 0; i < n; i++)
            rtrace_enc_type_field(&t->enc, field_names[i], field_type_ids[i]);
        rtrace_enc_type_struct_end(&t->enc);
        tracer_flush_enc(t, 1);
    }
    return id;
}

uint64_t rtrace_tracer_ensure_pointer_type_id(rtrace_tracer *t, const char *lang_type, uint64_t dereference_type_id)
{
    lang_type = lang_type ? lang_type : "";
    uint64_t id;
    if (!type_lookup_or_add(t, lang_type, &id)) {
        rtrace_enc_type_pointer(&t->enc, RTRACE_TYPE_POINTER, lang_type, dereference_type_id);
        tracer_flush_enc(t, 1);
    }
    return id;
}

uint64_t rtrace_tracer_ensure_variable_id(rtrace_tracer *t, const char *name)
{
    name = name ? name : "";
    size_t n = strlen(name);
    uint64_t id;
    if (strmap_get(&t->variables, name, n, &id))
        return id;
    id = t->nvariables;
    if (strmap_put(&t->variables, name, n, id)) {
        tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
        return id;
    }
    t->nvariables++;
    rtrace__enc_variable_name_n(&t->enc, name, n);
    tracer_flush_enc(t, 1);
    return id;
}

/* ---- Values in the arena ----------------------------------------------------------- */

rtrace_arena *rtrace_tracer_arena(rtrace_tracer *t) { return &t->arena; }

/* A zeroed value node of `kind`, or NULL. */
static rtrace_value *new_value(rtrace_tracer *t, rtrace_value_kind kind, uint64_t type_id)
{
    rtrace_value *v = rtrace_arena_alloc(&t->arena, sizeof *v);
    if (v) {
        memset(v, 0, sizeof *v);
        v->kind = kind;
        v->type_id = type_id;
    }
    return v;
}

rtrace_value *rtrace_tracer_int(rtrace_tracer *t, uint64_t type_id, int64_t i)
{
    rtrace_value *v = new_value(t, RTRACE_V_INT, type_id);
    if (v)
        v->u.i = i;
    return v;
}

rtrace_value *rtrace_tracer_float(rtrace_tracer *t, uint64_t type_id, double f)
{
    char buf[RTRACE__FLOAT_BUF];
    size_t n = rtrace__format_double(buf, f);
    rtrace_value *v = new_value(t, RTRACE_V_FLOAT, type_id);
    char *text = rtrace_arena_strndup(&t->arena, buf, n);
    if (!v || !text)
        return NULL;
    v->u.f = (rtrace_str){text, n};
    return v;
}

rtrace_value *rtrace_tracer_bool(rtrace_tracer *t, uint64_t type_id, bool b)
{
    rtrace_value *v = new_value(t, RTRACE_V_BOOL, type_id);
    if (v)
        v->u.b = b;
    return v;
}

rtrace_value *rtrace_tracer_string(rtrace_tracer *t, uint64_t type_id, const char *s, size_t n)
{
    rtrace_value *v = new_value(t, RTRACE_V_STRING, type_id);
    char *text = rtrace_arena_strndup(&t->arena, s ? s : "", s ? n : 0);
    if (!v || !text)
        return NULL;
    v->u.text = (rtrace_str){text, s ? n : 0};
    return v;
}

rtrace_value *rtrace_tracer_none(rtrace_tracer *t)
{
    return new_value(t, RTRACE_V_NONE, RTRACE_NONE_TYPE_ID);
}

rtrace_value *rtrace_tracer_error(rtrace_tracer *t, uint64_t type_id, const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;
    rtrace_value *v = new_value(t, RTRACE_V_ERROR, type_id);
    char *text = rtrace_arena_strndup(&t->arena, msg ? msg : "", n);
    if (!v || !text)
        return NULL;
    v->u.text = (rtrace_str){text, n};
    return v;
}

/* Sequence, Tuple or Struct of n items (copied; NULL items may be filled in later). */
rtrace_value *rtrace_tracer_compound(rtrace_tracer *t, rtrace_value_kind kind, uint64_t type_id,
                                     rtrace_value **items, size_t n)
{
    if (kind != RTRACE_V_SEQUENCE && kind != RTRACE_V_TUPLE && kind != RTRACE_V_STRUCT) {
        rtrace_set_error(RTRACE_EINVAL, "rtrace_tracer_compound: kind %d is not Sequence, Tuple or Struct", (int)kind);
        return NULL;
    }
    if (n > SIZE_MAX / sizeof(rtrace_value *))
        return NULL;
    rtrace_value *v = new_value(t, kind, type_id);
    rtrace_value **copy = rtrace_arena_alloc(&t->arena, n * sizeof *copy);
    if (!v || !copy)
        return NULL;
    for (size_t i = 0; i < n; i++)
        copy[i] = items ? items[i] : NULL;
    v->u.seq.items = copy;
    v->u.seq.n = n;
    return v;
}

/* ---- Events --------------------------------------------------------------------------- */

/* Ends a register_* call: flushes its events, resets the value arena. */
static int register_done(rtrace_tracer *t, unsigned nevents)
{
    int rc = tracer_flush_enc(t, nevents);
    rtrace_arena_reset(&t->arena);
    return rc ? rc : t->error;
}

int rtrace_tracer_register_step(rtrace_tracer *t, const char *path, int64_t line)
{
    uint64_t pid = rtrace_tracer_ensure_path_id(t, path);
    rtrace_enc_step(&t->enc, pid, line);
    return register_done(t, 1);
}

int rtrace_tracer_register_call(rtrace_tracer *t, uint64_t function_id,
                                const char *const *arg_names, rtrace_value *const *arg_values, size_t nargs)
{
    if (function_id >= t->nfuncs) {
        rtrace_arena_reset(&t->arena);
        return rtrace_set_error(RTRACE_EINVAL, "rtrace_tracer_register_call: unknown function id %llu",
                                (unsigned long long)function_id);
    }
    /* Variable ids first (their VariableName events precede the Values). */
    uint64_t stack_ids[16];
    uint64_t *ids = nargs <= 16 ? stack_ids : rtrace_arena_alloc(&t->arena, nargs * sizeof *ids);
    if (!ids) {
        rtrace_arena_reset(&t->arena);
        return tracer_fail(t, rtrace_set_error(RTRACE_ENOMEM, "rtrace tracer: out of memory"));
    }
    for (size_t i = 0; i < nargs; i++)
        ids[i] = rtrace_tracer_ensure_variable_id(t, arg_names[i]);
    unsigned nev = 1;
    if (function_id != 0) {
        for (size_t i = 0; i < nargs; i++) {
            rtrace_enc_value_begin(&t->enc, ids[i]);
            rtrace_enc_value_tree(&t->enc, arg_values[i]);
            rtrace_enc_value_end(&t->enc);
        }
        rtrace_enc_step(&t->enc, t->funcs[function_id].path_id, t->funcs[function_id].line);
        nev += (unsigned)nargs + 1;
    }
    rtrace_enc_call_begin(&t->enc, function_id, nargs);
    for (size_t i = 0; i < nargs; i++) {
        rtrace_enc_arg_begin(&t->enc, ids[i]);
        rtrace_enc_value_tree(&t->enc, arg_values[i]);
        rtrace_enc_arg_end(&t->enc);
    }
    rtrace_enc_call_end(&t->enc);
    return register_done(t, nev);
}

int rtrace_tracer_register_return(rtrace_tracer *t, const rtrace_value *return_value)
{
    rtrace_enc_return_begin(&t->enc);
    if (return_value)
        rtrace_enc_value_tree(&t->enc, return_value);
    else
        rtrace_enc_none(&t->enc, RTRACE_NONE_TYPE_ID);
    rtrace_enc_return_end(&t->enc);
    return register_done(t, 1);
}

int rtrace_tracer_register_variable(rtrace_tracer *t, const char *name, const rtrace_value *value)
{
    uint64_t vid = rtrace_tracer_ensure_variable_id(t, name);
    rtrace_enc_value_begin(&t->enc, vid);
    rtrace_enc_value_tree(&t->enc, value);
    rtrace_enc_value_end(&t->enc);
    return register_done(t, 1);
}

int rtrace_tracer_register_special_event(rtrace_tracer *t, rtrace_event_log_kind kind,
                                         const char *metadata, const char *content, size_t len)
{
    if ((unsigned)kind > RTRACE_LOG_KIND_MAX) {
        rtrace_arena_reset(&t->arena);
        return rtrace_set_error(RTRACE_EINVAL, "rtrace_tracer_register_special_event: unknown EventLogKind %d "
                                "(an unknown number makes the whole trace unreadable)", (int)kind);
    }
    rtrace_enc_event(&t->enc, kind, metadata, content, len);
    return register_done(t, 1);
}

int rtrace_tracer_register_asm(rtrace_tracer *t, const char *const *instructions, size_t n)
{
    rtrace_enc_asm(&t->enc, instructions, n);
    return register_done(t, 1);
}

int rtrace_tracer_register_thread_start(rtrace_tracer *t, uint64_t thread_id)
{
    rtrace_enc_thread_start(&t->enc, thread_id);
    return register_done(t, 1);
}

int rtrace_tracer_register_thread_exit(rtrace_tracer *t, uint64_t thread_id)
{
    rtrace_enc_thread_exit(&t->enc, thread_id);
    return register_done(t, 1);
}

int rtrace_tracer_register_thread_switch(rtrace_tracer *t, uint64_t thread_id)
{
    rtrace_enc_thread_switch(&t->enc, thread_id);
    return register_done(t, 1);
}

int rtrace_tracer_drop_last_step(rtrace_tracer *t)
{
    rtrace_enc_drop_last_step(&t->enc);
    return register_done(t, 1);
}

int rtrace_tracer_register_event(rtrace_tracer *t, const rtrace_event *ev)
{
    if (!ev) {
        rtrace_arena_reset(&t->arena);
        return rtrace_set_error(RTRACE_EINVAL, "rtrace_tracer_register_event: NULL event");
    }
    rtrace_enc_event_struct(&t->enc, ev);
    return register_done(t, 1);
}

rtrace_enc *rtrace_tracer_enc(rtrace_tracer *t) { return &t->enc; }

/* Hands what was streamed into rtrace_tracer_enc() to the trace (counted as one event). */
int rtrace_tracer_commit(rtrace_tracer *t)
{
    return register_done(t, t->enc.len ? 1 : 0);
}

uint64_t rtrace_tracer_event_count(const rtrace_tracer *t) { return t ? t->events : 0; }

/*
 * Closes the trace file and writes trace_metadata.json, trace_paths.json and
 * files/. Returns the first error met (of the trace or of a side file), or 0.
 * Idempotent: later calls return 0.
 */
int rtrace_tracer_close(rtrace_tracer *t)
{
    if (!t || t->closed)
        return 0;
    int rc = 0;
    if (t->enc.len)
        rc = tracer_flush_enc(t, 1);
    t->closed = true;
    int r = rtrace_sink_close(t->sink);
    rc = rc ? rc : r;
    r = rtrace_write_metadata(t->dir, t->workdir, t->program, (const char *const *)t->args, t->nargs);
    rc = rc ? rc : r;
    r = rtrace_write_paths(t->dir, (const char *const *)t->path_list, t->npaths);
    rc = rc ? rc : r;
    r = rtrace_copy_sources(t->dir, (const char *const *)t->path_list, t->npaths);
    rc = rc ? rc : r;
    return rc ? rc : t->error;
}

void rtrace_tracer_free(rtrace_tracer *t)
{
    if (!t)
        return;
    rtrace_tracer_close(t);
    tracer_release(t);
}
