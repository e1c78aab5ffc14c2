/*
 * lib/reader.c - the public trace reader (reader.h): opening a trace folder or
 * file, pulling events one at a time from the JSON or CBOR tokenizer, and
 * checking each event's generic tree against upstream's serde types.
 *
 * The shape rules are those of codetracer_trace_types (types.rs): events are
 * externally tagged ({"Variant": payload}, the unit variant DropLastStep as
 * the bare string or {"DropLastStep": null}), value records internally tagged
 * by "kind", every field required (unknown ones ignored, as serde does), ids
 * unsigned integers, lines and places signed integers, TypeKind 0..33 and
 * EventLogKind 0..13, Float "f" and BigInt "b" strings. A bad event is
 * RTRACE_EFORMAT naming the event and the problem; the reader then goes on
 * with the next event (the validator counts every bad event). Syntax errors
 * and truncation end the stream: they are returned once, and every later
 * call returns RTRACE_EOF (so a loop that skips bad events always ends;
 * rt_rd_fatal() tells the two kinds of error apart).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader_int.h"

struct rtrace_reader {
    rtrace_format format;
    bool jsonl;
    int fd;
    rt_rd_src src;
    rt_json *json;
    rt_cbor *cbor;
    rtrace_arena arena;
    uint64_t index;                  /* events consumed (good or bad) */
    uint64_t offset;                 /* after the last complete event */
    int state;                       /* JSON array: 0 before '[', 1 first, 2 after an event, 3 after ']' */
    int fatal;                       /* sticky end-of-stream code (error or RTRACE_EOF) */
    char fatal_msg[512];
};

/* ---- generic tree helpers -------------------------------------------- */

/* The entry `key` of a map node, or NULL. */
const rt_node *rt_node_get(const rt_node *map, const char *key)
{
    if (!map || map->t != RT_N_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (const rt_node *c = map->v.c.first; c; c = c->next)
        if (c->key.len == kl && memcmp(c->key.ptr, key, kl) == 0)
            return c;
    return NULL;
}

/* A short name of the node's type for messages ("a string", "a map", ...). */
const char *rt_node_type_name(const rt_node *n)
{
    switch (n->t) {
    case RT_N_NULL: return "null";
    case RT_N_BOOL: return "a boolean";
    case RT_N_UINT: return "an unsigned integer";
    case RT_N_NEGINT: return "a negative integer";
    case RT_N_BIGNEG: return "a negative integer out of range";
    case RT_N_FLOAT: return "a floating-point number";
    case RT_N_STR: return "a string";
    case RT_N_BYTES: return "a byte string";
    case RT_N_ARR: return "an array";
    case RT_N_MAP: return "a map";
    }
    return "?";
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* See reader_int.h: standard alphabet, '=' padding required. */
int rt_rd_base64_decode(uint8_t **out, size_t *n, rtrace_arena *a, const char *s, size_t len)
{
    if (len % 4)
        return -1;
    uint8_t *b = rtrace_arena_alloc(a, len / 4 * 3 + 1);
    if (!b)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else {
                if (pad)
                    return -1;                /* data after '=' */
                v[k] = b64val((unsigned char)s[i + k]);
                if (v[k] < 0)
                    return -1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        b[o++] = (uint8_t)(w >> 16);
        if (pad < 2) b[o++] = (uint8_t)(w >> 8);
        if (pad < 1) b[o++] = (uint8_t)w;
    }
    *out = b;
    *n = o;
    return 0;
}

/* ---- shape checks ------------------------------------------------------ */

typedef struct shape {
    rtrace_arena *a;
    uint64_t index;
    const char *variant;             /* the event's variant, for messages */
    bool failed;
} shape;

/* Records the first problem of the event (later ones are consequences). */
__attribute__((format(printf, 2, 3)))
static void fail(shape *s, const char *fmt, ...)
{
    if (s->failed)
        return;
    s->failed = true;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->variant)
        rtrace_set_error(RTRACE_EFORMAT, "event %llu (%s): %s", (unsigned long long)s->index, s->variant, msg);
    else
        rtrace_set_error(RTRACE_EFORMAT, "event %llu: %s", (unsigned long long)s->index, msg);
}

/* The field `key` of map node m (`what` names m), or NULL after a failure. */
static const rt_node *field(shape *s, const rt_node *m, const char *key, const char *what)
{
    if (!m || s->failed)
        return NULL;
    if (m->t != RT_N_MAP) {
        fail(s, "%s: expected a map, got %s", what, rt_node_type_name(m));
        return NULL;
    }
    const rt_node *f = rt_node_get(m, key);
    if (!f)
        fail(s, "%s: missing field `%s`", what, key);
    return f;
}

/* An unsigned id / index. */
static uint64_t get_u64(shape *s, const rt_node *n, const char *what)
{
    if (!n || s->failed)
        return 0;
    if (n->t == RT_N_UINT)
        return n->v.u;
    if (n->t == RT_N_NEGINT || n->t == RT_N_BIGNEG)
        fail(s, "%s: expected an unsigned integer, got a negative one", what);
    else
        fail(s, "%s: expected an unsigned integer, got %s", what, rt_node_type_name(n));
    return 0;
}

/* A signed 64-bit integer (Line, Place, Int.i). */
static int64_t get_i64(shape *s, const rt_node *n, const char *what)
{
    if (!n || s->failed)
        return 0;
    if (n->t == RT_N_UINT && n->v.u <= (uint64_t)INT64_MAX)
        return (int64_t)n->v.u;
    if (n->t == RT_N_NEGINT)
        return n->v.i;
    if (n->t == RT_N_UINT || n->t == RT_N_BIGNEG)
        fail(s, "%s: integer out of the signed 64-bit range", what);
    else
        fail(s, "%s: expected an integer, got %s", what, rt_node_type_name(n));
    return 0;
}

static rtrace_str get_str(shape *s, const rt_node *n, const char *what)
{
    rtrace_str r = { "", 0 };
    if (!n || s->failed)
        return r;
    if (n->t == RT_N_STR)
        return n->v.s;
    fail(s, "%s: expected a string, got %s", what, rt_node_type_name(n));
    return r;
}

static bool get_bool(shape *s, const rt_node *n, const char *what)
{
    if (!n || s->failed)
        return false;
    if (n->t == RT_N_BOOL)
        return n->v.b;
    fail(s, "%s: expected a boolean, got %s", what, rt_node_type_name(n));
    return false;
}

/* An array node (or NULL after a failure). */
static const rt_node *get_arr(shape *s, const rt_node *n, const char *what)
{
    if (!n || s->failed)
        return NULL;
    if (n->t == RT_N_ARR)
        return n;
    fail(s, "%s: expected an array, got %s", what, rt_node_type_name(n));
    return NULL;
}

/* A u8 enum number in [0, max] (TypeKind, EventLogKind). */
static int get_enum(shape *s, const rt_node *n, int max, const char *what)
{
    if (!n || s->failed)
        return 0;
    if (n->t != RT_N_UINT && n->t != RT_N_NEGINT) {
        fail(s, "%s: expected an enum number, got %s", what, rt_node_type_name(n));
        return 0;
    }
    if (n->t == RT_N_NEGINT || n->v.u > (uint64_t)max) {
        if (n->t == RT_N_NEGINT)
            fail(s, "%s: unknown number %lld (0..%d)", what, (long long)n->v.i, max);
        else
            fail(s, "%s: unknown number %llu (0..%d)", what, (unsigned long long)n->v.u, max);
        return 0;
    }
    return (int)n->v.u;
}

static rtrace_value *value(shape *s, const rt_node *n, const char *what);

/* Items of a value array (Sequence elements, ...) into v->u.seq. */
static void value_list(shape *s, rtrace_value *v, const rt_node *arr, const char *what)
{
    arr = get_arr(s, arr, what);
    if (!arr)
        return;
    v->u.seq.n = arr->v.c.n;
    v->u.seq.items = rtrace_arena_alloc(s->a, (arr->v.c.n ? arr->v.c.n : 1) * sizeof(rtrace_value *));
    if (!v->u.seq.items) {
        fail(s, "out of memory");
        return;
    }
    size_t k = 0;
    for (const rt_node *c = arr->v.c.first; c && !s->failed; c = c->next)
        v->u.seq.items[k++] = value(s, c, what);
}

/* One ValueRecord. `what` names where it sits. NULL after a failure. */
static rtrace_value *value(shape *s, const rt_node *n, const char *what)
{
    if (!n || s->failed)
        return NULL;
    if (n->t != RT_N_MAP) {
        fail(s, "%s: a value record must be a map, got %s", what, rt_node_type_name(n));
        return NULL;
    }
    rtrace_str kind = get_str(s, field(s, n, "kind", what), what);
    if (s->failed)
        return NULL;
    rtrace_value *v = rtrace_arena_alloc(s->a, sizeof *v);
    if (!v) {
        fail(s, "out of memory");
        return NULL;
    }
    memset(v, 0, sizeof *v);
#define IS(name) (kind.len == sizeof(name) - 1 && memcmp(kind.ptr, name, kind.len) == 0)
    if (!IS("Cell"))
        v->type_id = get_u64(s, field(s, n, "type_id", what), "type_id");
    if (IS("Int")) {
        v->kind = RTRACE_V_INT;
        v->u.i = get_i64(s, field(s, n, "i", what), "Int.i");
    } else if (IS("Float")) {
        v->kind = RTRACE_V_FLOAT;
        const rt_node *f = field(s, n, "f", what);
        if (f && f->t != RT_N_STR && !s->failed)
            fail(s, "Float.f must be a string (\"2.5\", \"inf\", \"NaN\"), got %s", rt_node_type_name(f));
        v->u.f = get_str(s, f, "Float.f");
    } else if (IS("Bool")) {
        v->kind = RTRACE_V_BOOL;
        v->u.b = get_bool(s, field(s, n, "b", what), "Bool.b");
    } else if (IS("String")) {
        v->kind = RTRACE_V_STRING;
        v->u.text = get_str(s, field(s, n, "text", what), "String.text");
    } else if (IS("Sequence")) {
        v->kind = RTRACE_V_SEQUENCE;
        value_list(s, v, field(s, n, "elements", what), "Sequence.elements");
        v->u.seq.is_slice = get_bool(s, field(s, n, "is_slice", what), "Sequence.is_slice");
    } else if (IS("Tuple")) {
        v->kind = RTRACE_V_TUPLE;
        value_list(s, v, field(s, n, "elements", what), "Tuple.elements");
    } else if (IS("Struct")) {
        v->kind = RTRACE_V_STRUCT;
        value_list(s, v, field(s, n, "field_values", what), "Struct.field_values");
    } else if (IS("Variant")) {
        v->kind = RTRACE_V_VARIANT;
        v->u.variant.discriminator = get_str(s, field(s, n, "discriminator", what), "Variant.discriminator");
        v->u.variant.contents = value(s, field(s, n, "contents", what), "Variant.contents");
    } else if (IS("Reference")) {
        v->kind = RTRACE_V_REFERENCE;
        v->u.ref.dereferenced = value(s, field(s, n, "dereferenced", what), "Reference.dereferenced");
        v->u.ref.address = get_u64(s, field(s, n, "address", what), "Reference.address");
        v->u.ref.is_mutable = get_bool(s, field(s, n, "mutable", what), "Reference.mutable");
    } else if (IS("Raw")) {
        v->kind = RTRACE_V_RAW;
        v->u.text = get_str(s, field(s, n, "r", what), "Raw.r");
    } else if (IS("Error")) {
        v->kind = RTRACE_V_ERROR;
        v->u.text = get_str(s, field(s, n, "msg", what), "Error.msg");
    } else if (IS("None")) {
        v->kind = RTRACE_V_NONE;
    } else if (IS("Cell")) {
        v->kind = RTRACE_V_CELL;
        v->u.place = get_i64(s, field(s, n, "place", what), "Cell.place");
    } else if (IS("BigInt")) {
        v->kind = RTRACE_V_BIGINT;
        rtrace_str b = get_str(s, field(s, n, "b", what), "BigInt.b");
        v->u.bigint.negative = get_bool(s, field(s, n, "negative", what), "BigInt.negative");
        if (!s->failed && rt_rd_base64_decode(&v->u.bigint.magnitude_be, &v->u.bigint.n, s->a, b.ptr, b.len))
            fail(s, "BigInt.b: not standard padded base64");
    } else {
        fail(s, "%s: unknown value kind `%.*s`", what, (int)(kind.len > 40 ? 40 : kind.len), kind.ptr);
    }
#undef IS
    return s->failed ? NULL : v;
}

/* Event variants in rtrace_event_kind order, as spelled in traces. */
static const char *const variant_names[] = {
    "Path", "Function", "Type", "VariableName", "Variable", "Step", "Call", "Return", "Value",
    "Event", "Asm", "ThreadStart", "ThreadExit", "ThreadSwitch", "BindVariable", "DropVariables",
    "DropVariable", "CompoundValue", "CellValue", "AssignCell", "AssignCompoundItem", "VariableCell",
    "DropLastStep"
};
#define NVARIANTS (sizeof variant_names / sizeof variant_names[0])

/* See reader_int.h. */
const char *rt_rd_variant_name(rtrace_event_kind k)
{
    return (unsigned)k < NVARIANTS ? variant_names[k] : "?";
}

/* An array of u64 ids into the arena. */
static uint64_t *id_list(shape *s, const rt_node *n, size_t *count, const char *what)
{
    n = get_arr(s, n, what);
    if (!n)
        return NULL;
    uint64_t *ids = rtrace_arena_alloc(s->a, (n->v.c.n ? n->v.c.n : 1) * sizeof *ids);
    if (!ids) {
        fail(s, "out of memory");
        return NULL;
    }
    size_t k = 0;
    for (const rt_node *c = n->v.c.first; c; c = c->next)
        ids[k++] = get_u64(s, c, what);
    *count = k;
    return ids;
}

/* The payload of a Type event. */
static void type_event(shape *s, rtrace_event *ev, const rt_node *p)
{
    ev->u.type.kind = get_enum(s, field(s, p, "kind", "Type"), RTRACE_TYPE_KIND_MAX, "Type.kind (TypeKind)");
    ev->u.type.lang_type = get_str(s, field(s, p, "lang_type", "Type"), "Type.lang_type");
    const rt_node *si = field(s, p, "specific_info", "Type");
    rtrace_str k = get_str(s, field(s, si, "kind", "Type.specific_info"), "Type.specific_info.kind");
    if (s->failed)
        return;
    if (k.len == 4 && !memcmp(k.ptr, "None", 4)) {
        ev->u.type.info = RTRACE_SI_NONE;
    } else if (k.len == 6 && !memcmp(k.ptr, "Struct", 6)) {
        ev->u.type.info = RTRACE_SI_STRUCT;
        const rt_node *fs = get_arr(s, field(s, si, "fields", "Type.specific_info"), "Type.specific_info.fields");
        if (!fs)
            return;
        ev->u.type.nfields = fs->v.c.n;
        ev->u.type.fields = rtrace_arena_alloc(s->a, (fs->v.c.n ? fs->v.c.n : 1) * sizeof(rtrace_field));
        if (!ev->u.type.fields) {
            fail(s, "out of memory");
            return;
        }
        size_t i = 0;
        for (const rt_node *f = fs->v.c.first; f; f = f->next, i++) {
            ev->u.type.fields[i].name = get_str(s, field(s, f, "name", "field"), "field.name");
            ev->u.type.fields[i].type_id = get_u64(s, field(s, f, "type_id", "field"), "field.type_id");
        }
    } else if (k.len == 7 && !memcmp(k.ptr, "Pointer", 7)) {
        ev->u.type.info = RTRACE_SI_POINTER;
        ev->u.type.dereference_type_id =
            get_u64(s, field(s, si, "dereference_type_id", "Type.specific_info"), "dereference_type_id");
    } else {
        fail(s, "Type.specific_info: unknown kind `%.*s` (None, Struct or Pointer)",
             (int)(k.len > 40 ? 40 : k.len), k.ptr);
    }
}

/*
 * Assignment {to, pass_by: "Value"|"Reference", from: {kind: "Simple",
 * data: id} | {kind: "Compound", data: [ids]}}, as CodeTracer's Ruby
 * recorder writes it and upstream reads it. rtrace_event has no kind for it,
 * so a well-formed one is RT_RD_SKIP: consumed and counted, not returned.
 */
static int assignment(shape *s, const rt_node *p)
{
    s->variant = "Assignment";
    get_u64(s, field(s, p, "to", "Assignment"), "Assignment.to");
    rtrace_str by = get_str(s, field(s, p, "pass_by", "Assignment"), "Assignment.pass_by");
    if (!s->failed && !(by.len == 5 && !memcmp(by.ptr, "Value", 5)) && !(by.len == 9 && !memcmp(by.ptr, "Reference", 9)))
        fail(s, "Assignment.pass_by: unknown variant (Value or Reference)");
    const rt_node *from = field(s, p, "from", "Assignment");
    rtrace_str k = get_str(s, field(s, from, "kind", "Assignment.from"), "Assignment.from.kind");
    const rt_node *data = field(s, from, "data", "Assignment.from");
    if (!s->failed && k.len == 6 && !memcmp(k.ptr, "Simple", 6)) {
        get_u64(s, data, "Assignment.from.data");
    } else if (!s->failed && k.len == 8 && !memcmp(k.ptr, "Compound", 8)) {
        size_t n;
        id_list(s, data, &n, "Assignment.from.data");
    } else if (!s->failed) {
        fail(s, "Assignment.from.kind: unknown variant (Simple or Compound)");
    }
    return s->failed ? RTRACE_EFORMAT : RT_RD_SKIP;
}

/* See reader_int.h. */
int rt_rd_event_from_node(rtrace_event *ev, rtrace_arena *arena, const rt_node *n, uint64_t index)
{
    shape sh = { arena, index, NULL, false }, *s = &sh;
    memset(ev, 0, sizeof *ev);
    rtrace_str name;
    const rt_node *p = NULL;
    if (n->t == RT_N_STR) {
        name = n->v.s;
    } else if (n->t == RT_N_MAP && n->v.c.n == 1) {
        name = n->v.c.first->key;
        p = n->v.c.first;
    } else {
        fail(s, "an event must be {\"Variant\": payload} (a map with one key) or \"DropLastStep\", got %s%s",
             n->t == RT_N_MAP ? "a map with " : rt_node_type_name(n),
             n->t == RT_N_MAP ? (n->v.c.n ? "several keys" : "no key") : "");
        return RTRACE_EFORMAT;
    }
    size_t k;
    for (k = 0; k < NVARIANTS; k++)
        if (strlen(variant_names[k]) == name.len && !memcmp(variant_names[k], name.ptr, name.len))
            break;
    if (k == NVARIANTS) {
        if (name.len == 10 && !memcmp(name.ptr, "Assignment", 10) && p)
            return assignment(s, p);
        fail(s, "unknown event variant `%.*s`", (int)(name.len > 40 ? 40 : name.len), name.ptr);
        return RTRACE_EFORMAT;
    }
    ev->kind = (rtrace_event_kind)k;
    sh.variant = variant_names[k];
    if (ev->kind == RTRACE_E_DROP_LAST_STEP) {
        if (p && p->t != RT_N_NULL)
            fail(s, "the unit variant takes null as payload, got %s", rt_node_type_name(p));
        return s->failed ? RTRACE_EFORMAT : 0;
    }
    if (!p) {
        fail(s, "a bare string is only valid for DropLastStep; `%s` needs a payload", variant_names[k]);
        return RTRACE_EFORMAT;
    }
    const char *w = variant_names[k];
    switch (ev->kind) {
    case RTRACE_E_PATH:
        ev->u.path = get_str(s, p, "Path");
        break;
    case RTRACE_E_FUNCTION:
        ev->u.function.path_id = get_u64(s, field(s, p, "path_id", w), "Function.path_id");
        /* Line is an i64 upstream; a negative line is a semantic problem, not a shape one. */
        ev->u.function.line = (uint64_t)get_i64(s, field(s, p, "line", w), "Function.line");
        ev->u.function.name = get_str(s, field(s, p, "name", w), "Function.name");
        break;
    case RTRACE_E_TYPE:
        type_event(s, ev, p);
        break;
    case RTRACE_E_VARIABLE_NAME:
    case RTRACE_E_VARIABLE:
        ev->u.name = get_str(s, p, w);
        break;
    case RTRACE_E_STEP:
        ev->u.step.path_id = get_u64(s, field(s, p, "path_id", w), "Step.path_id");
        ev->u.step.line = get_i64(s, field(s, p, "line", w), "Step.line");
        break;
    case RTRACE_E_CALL: {
        ev->u.call.function_id = get_u64(s, field(s, p, "function_id", w), "Call.function_id");
        const rt_node *args = get_arr(s, field(s, p, "args", w), "Call.args");
        if (!args)
            break;
        ev->u.call.nargs = args->v.c.n;
        ev->u.call.args = rtrace_arena_alloc(arena, (args->v.c.n ? args->v.c.n : 1) * sizeof(rtrace_arg));
        if (!ev->u.call.args) {
            fail(s, "out of memory");
            break;
        }
        size_t i = 0;
        for (const rt_node *a = args->v.c.first; a && !s->failed; a = a->next, i++) {
            ev->u.call.args[i].variable_id = get_u64(s, field(s, a, "variable_id", "Call.args[]"), "arg.variable_id");
            ev->u.call.args[i].value = value(s, field(s, a, "value", "Call.args[]"), "arg.value");
        }
        break;
    }
    case RTRACE_E_RETURN:
        ev->u.return_value = value(s, field(s, p, "return_value", w), "Return.return_value");
        break;
    case RTRACE_E_VALUE:
        ev->u.value.variable_id = get_u64(s, field(s, p, "variable_id", w), "Value.variable_id");
        ev->u.value.value = value(s, field(s, p, "value", w), "Value.value");
        break;
    case RTRACE_E_EVENT:
        ev->u.event.kind = get_enum(s, field(s, p, "kind", w), RTRACE_LOG_KIND_MAX, "Event.kind (EventLogKind)");
        ev->u.event.metadata = get_str(s, field(s, p, "metadata", w), "Event.metadata");
        ev->u.event.content = get_str(s, field(s, p, "content", w), "Event.content");
        break;
    case RTRACE_E_ASM: {
        const rt_node *arr = get_arr(s, p, "Asm");
        if (!arr)
            break;
        ev->u.asm_.n = arr->v.c.n;
        ev->u.asm_.items = rtrace_arena_alloc(arena, (arr->v.c.n ? arr->v.c.n : 1) * sizeof(rtrace_str));
        if (!ev->u.asm_.items) {
            fail(s, "out of memory");
            break;
        }
        size_t i = 0;
        for (const rt_node *c = arr->v.c.first; c; c = c->next)
            ev->u.asm_.items[i++] = get_str(s, c, "Asm[]");
        break;
    }
    case RTRACE_E_THREAD_START:
    case RTRACE_E_THREAD_EXIT:
    case RTRACE_E_THREAD_SWITCH:
        ev->u.thread_id = get_u64(s, p, w);
        break;
    case RTRACE_E_BIND_VARIABLE:
    case RTRACE_E_VARIABLE_CELL:
        ev->u.bind.variable_id = get_u64(s, field(s, p, "variable_id", w), "variable_id");
        ev->u.bind.place = get_i64(s, field(s, p, "place", w), "place");
        break;
    case RTRACE_E_DROP_VARIABLES:
        ev->u.drop.ids = id_list(s, p, &ev->u.drop.n, "DropVariables[]");
        break;
    case RTRACE_E_DROP_VARIABLE:
        ev->u.variable_id = get_u64(s, p, w);
        break;
    case RTRACE_E_COMPOUND_VALUE:
    case RTRACE_E_CELL_VALUE:
        ev->u.place_value.place = get_i64(s, field(s, p, "place", w), "place");
        ev->u.place_value.value = value(s, field(s, p, "value", w), "value");
        break;
    case RTRACE_E_ASSIGN_CELL:
        ev->u.place_value.place = get_i64(s, field(s, p, "place", w), "place");
        ev->u.place_value.value = value(s, field(s, p, "new_value", w), "new_value");
        break;
    case RTRACE_E_ASSIGN_COMPOUND_ITEM:
        ev->u.compound_item.place = get_i64(s, field(s, p, "place", w), "place");
        ev->u.compound_item.index = get_u64(s, field(s, p, "index", w), "index");
        ev->u.compound_item.item_place = get_i64(s, field(s, p, "item_place", w), "item_place");
        break;
    case RTRACE_E_DROP_LAST_STEP:
        break;
    }
    return s->failed ? RTRACE_EFORMAT : 0;
}

/* ---- opening and reading ------------------------------------------------ */

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* See reader_int.h. */
int rt_rd_open(rtrace_reader **out, const char *path, const void *mem, size_t mem_len,
               rtrace_format format, bool jsonl, unsigned flags)
{
    *out = NULL;
    rtrace_reader *r = calloc(1, sizeof *r);
    if (!r)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    r->format = format;
    r->jsonl = jsonl;
    r->fd = -1;
    r->src.fd = -1;
    r->src.limit = UINT64_MAX;
    uint64_t size = mem_len;
    if (!mem) {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            int e = errno;
            free(r);
            return rtrace_set_error(e == ENOENT ? RTRACE_ENOTFOUND : RTRACE_EIO, "%s: %s", path, strerror(e));
        }
        struct stat st;
        if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(r->fd);
            free(r);
            return rtrace_set_error(RTRACE_EINVAL, "%s: not a regular file", path);
        }
        size = (uint64_t)st.st_size;
        r->src.fd = r->fd;
    } else {
        r->src.mem = mem;
        r->src.mem_len = mem_len;
    }
    int rc = format == RTRACE_FORMAT_BINARY ? rt_cbor_new(&r->cbor, &r->src, size, flags)
                                            : rt_json_new(&r->json, &r->src);
    if (rc) {
        if (path) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", rtrace_last_error());
            rtrace_set_error(rc, "%s: %s", path, msg);
        }
        rtrace_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* Opens trace.bin (preferred) or trace.json of folder `dir`, or a file given directly. */
int rtrace_reader_open(rtrace_reader **out, const char *dir)
{
    struct stat st;
    *out = NULL;
    if (!dir || stat(dir, &st) != 0)
        return rtrace_set_error(RTRACE_ENOTFOUND, "%s: %s", dir ? dir : "(null)", strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        char p[4096];
        snprintf(p, sizeof p, "%s/trace.bin", dir);
        if (is_file(p))
            return rt_rd_open(out, p, NULL, 0, RTRACE_FORMAT_BINARY, false, 0);
        snprintf(p, sizeof p, "%s/trace.json", dir);
        if (is_file(p))
            return rt_rd_open(out, p, NULL, 0, RTRACE_FORMAT_JSON, false, 0);
        return rtrace_set_error(RTRACE_ENOTFOUND, "%s: no trace.bin or trace.json in this folder", dir);
    }
    if (ends_with(dir, ".bin"))
        return rt_rd_open(out, dir, NULL, 0, RTRACE_FORMAT_BINARY, false, 0);
    return rt_rd_open(out, dir, NULL, 0, RTRACE_FORMAT_JSON, ends_with(dir, ".jsonl"), 0);
}

/* Opens a file of the given format; `jsonl` reads one JSON event per line. */
int rtrace_reader_open_file(rtrace_reader **out, const char *path, rtrace_format format, bool jsonl)
{
    return rt_rd_open(out, path, NULL, 0, format, jsonl && format == RTRACE_FORMAT_JSON, 0);
}

rtrace_format rtrace_reader_format(const rtrace_reader *r) { return r->format; }
uint64_t rtrace_reader_index(const rtrace_reader *r) { return r->index; }
uint64_t rtrace_reader_offset(const rtrace_reader *r) { return r->offset; }
bool rt_rd_fatal(const rtrace_reader *r) { return r->fatal != 0; }

/* Ends the stream with `code`; the message gets the event number in front. */
static int fatal(rtrace_reader *r, int code)
{
    if (code == RTRACE_EOF) {
        r->fatal = code;
        r->fatal_msg[0] = '\0';
        return code;
    }
    snprintf(r->fatal_msg, sizeof r->fatal_msg, "event %llu: %s", (unsigned long long)r->index,
             rtrace_last_error());
    r->fatal = code;
    return rtrace_set_error(code, "%s", r->fatal_msg);
}

/* The next top-level JSON value, handling the enclosing array. 0, EOF or error. */
static int json_next_node(rtrace_reader *r, rt_node **node)
{
    int c;
    if (r->jsonl) {
        c = rt_json_peek(r->json);
        if (c == -1)
            return RTRACE_EOF;
    } else {
        if (r->state == 0) {
            c = rt_json_peek(r->json);
            if (c == -1)
                return rtrace_set_error(RTRACE_ETRUNCATED, "trace.json is empty (expected '[')");
            if (c != '[')
                return c == -2 ? RTRACE_EIO : rtrace_set_error(RTRACE_EFORMAT, "trace.json does not start with '['");
            rt_json_skip(r->json);
            r->state = 1;
            r->offset = rt_json_offset(r->json);
        }
        c = rt_json_peek(r->json);
        if (r->state == 3) {
            if (c == -1)
                return RTRACE_EOF;
            return c == -2 ? RTRACE_EIO
                           : rtrace_set_error(RTRACE_EFORMAT, "trailing characters after the closing ']' at byte %llu",
                                              (unsigned long long)rt_json_offset(r->json));
        }
        if (c == ']') {
            rt_json_skip(r->json);
            r->state = 3;
            return json_next_node(r, node);
        }
        if (c == -1)
            return rtrace_set_error(RTRACE_ETRUNCATED, "trace.json ends without its closing ']'");
        if (c == -2)
            return RTRACE_EIO;
        if (r->state == 2) {
            if (c != ',')
                return rtrace_set_error(RTRACE_EFORMAT, "expected ',' or ']' between events at byte %llu (line %llu)",
                                        (unsigned long long)rt_json_offset(r->json),
                                        (unsigned long long)rt_json_line(r->json));
            rt_json_skip(r->json);
            c = rt_json_peek(r->json);
            if (c == -1)
                return rtrace_set_error(RTRACE_ETRUNCATED, "trace.json ends without its closing ']'");
            if (c == ']')
                return rtrace_set_error(RTRACE_EFORMAT, "trailing comma before ']' at byte %llu",
                                        (unsigned long long)rt_json_offset(r->json));
        }
    }
    int rc = rt_json_value(r->json, &r->arena, r->jsonl ? 0 : 1, node);
    if (rc)
        return rc;
    r->state = 2;
    r->offset = rt_json_offset(r->json);
    return 0;
}

/* See reader.h. */
int rtrace_reader_next(rtrace_reader *r, rtrace_event *ev)
{
    for (;;) {
        if (r->fatal)
            return RTRACE_EOF;
        rtrace_arena_reset(&r->arena);
        rt_node *node = NULL;
        int rc;
        if (r->format == RTRACE_FORMAT_BINARY) {
            rc = rt_cbor_item(r->cbor, &r->arena, &node);
            if (rc == 0)
                r->offset = rt_cbor_offset(r->cbor);
        } else {
            rc = json_next_node(r, &node);
        }
        if (rc)
            return fatal(r, rc);
        rc = rt_rd_event_from_node(ev, &r->arena, node, r->index);
        r->index++;
        if (rc != RT_RD_SKIP)          /* a loop, not recursion: runs of skipped events are unbounded */
            return rc;
    }
}

/* Frees the reader. Accepts NULL. */
void rtrace_reader_free(rtrace_reader *r)
{
    if (!r)
        return;
    rt_json_free(r->json);
    rt_cbor_free(r->cbor);
    if (r->fd >= 0)
        close(r->fd);
    rtrace_arena_free(&r->arena);
    free(r);
}
