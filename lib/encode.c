/*
 * lib/encode.c - the streaming encoder's shared part: the growable buffer and
 * the public entry points of encode.h, each of which picks the JSON or the
 * CBOR implementation (encode_json.c, encode_cbor.c) by e->format.
 *
 * Public functions take NUL-terminated names; the *_n internal ones
 * (encode_inline.h) take lengths, for event.c and the readers' strings.
 * The buffer grows geometrically and only when an event does not fit, so a
 * steady stream of events allocates nothing.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "rtrace/encode.h"
#include "encode_inline.h"

const char rtrace__digit_pairs[200] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

#define ENC_DEFAULT_CAP (64u * 1024)

#define IS_JSON(e) ((e)->format == RTRACE_FORMAT_JSON)
/* Calls rtrace__json_<fn> or rtrace__cbor_<fn> with the same arguments. */
#define DISPATCH(e, fn, ...) \
    do { \
        if (IS_JSON(e)) rtrace__json_##fn(__VA_ARGS__); \
        else rtrace__cbor_##fn(__VA_ARGS__); \
    } while (0)

/*
 * Prepares `e` for `format` with `initial_cap` bytes (0: 64 KiB). JSON
 * encoders start with json_first set. Returns 0 or RTRACE_ENOMEM (then `e`
 * holds no buffer and every write is dropped).
 */
int rtrace_enc_init(rtrace_enc *e, rtrace_format format, size_t initial_cap)
{
    memset(e, 0, sizeof *e);
    e->format = format;
    e->json_first = true;
    if (format != RTRACE_FORMAT_JSON && format != RTRACE_FORMAT_BINARY) {
        e->oom = true;
        return rtrace_set_error(RTRACE_EINVAL, "rtrace_enc_init: unknown format %d", (int)format);
    }
    if (initial_cap == 0)
        initial_cap = ENC_DEFAULT_CAP;
    e->buf = malloc(initial_cap);
    if (!e->buf) {
        e->oom = true;
        return rtrace_set_error(RTRACE_ENOMEM, "rtrace_enc_init: cannot allocate %zu bytes", initial_cap);
    }
    e->cap = initial_cap;
    return 0;
}

/* Frees the buffer and zeroes the bookkeeping. Accepts NULL. */
void rtrace_enc_free(rtrace_enc *e)
{
    if (!e)
        return;
    free(e->buf);
    e->buf = NULL;
    e->len = e->cap = 0;
}

/*
 * Ensures room for n more bytes, doubling the buffer as needed. On failure
 * (or after an earlier one: oom is sticky) returns false and writes nothing.
 */
bool rtrace_enc_reserve(rtrace_enc *e, size_t n)
{
    if (e->oom)
        return false;
    if (e->cap - e->len >= n)
        return true;
    if (n > SIZE_MAX - e->len) {
        e->oom = true;
        return false;
    }
    size_t need = e->len + n;
    size_t cap = e->cap ? e->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    unsigned char *nb = realloc(e->buf, cap);
    if (!nb) {
        e->oom = true;
        return false;
    }
    e->buf = nb;
    e->cap = cap;
    return true;
}

/* ---- Length-taking entry points ------------------------------------------ */

void rtrace__enc_path_n(rtrace_enc *e, const char *s, size_t n) { DISPATCH(e, path_n, e, s, n); }
void rtrace__enc_function_n(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *name, size_t n)
{
    DISPATCH(e, function_n, e, path_id, line, name, n);
}
void rtrace__enc_type_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n)
{
    DISPATCH(e, type_n, e, kind, lt, n);
}
void rtrace__enc_type_struct_begin_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n, size_t nfields)
{
    DISPATCH(e, type_struct_begin_n, e, kind, lt, n, nfields);
}
void rtrace__enc_type_field_n(rtrace_enc *e, const char *name, size_t n, uint64_t type_id)
{
    DISPATCH(e, type_field_n, e, name, n, type_id);
}
void rtrace__enc_type_pointer_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n, uint64_t deref)
{
    DISPATCH(e, type_pointer_n, e, kind, lt, n, deref);
}
void rtrace__enc_variable_name_n(rtrace_enc *e, const char *s, size_t n) { DISPATCH(e, variable_name_n, e, s, n); }
void rtrace__enc_variable_n(rtrace_enc *e, const char *s, size_t n) { DISPATCH(e, variable_n, e, s, n); }
void rtrace__enc_event_n(rtrace_enc *e, rtrace_event_log_kind kind, const char *md, size_t mdn,
                         const char *content, size_t n)
{
    DISPATCH(e, event_n, e, kind, md, mdn, content, n);
}
void rtrace__enc_asm_begin(rtrace_enc *e, size_t n) { DISPATCH(e, asm_begin, e, n); }
void rtrace__enc_asm_item(rtrace_enc *e, const char *s, size_t n) { DISPATCH(e, asm_item, e, s, n); }
void rtrace__enc_asm_end(rtrace_enc *e) { DISPATCH(e, asm_end, e); }
void rtrace__enc_variant_begin_n(rtrace_enc *e, const char *disc, size_t n) { DISPATCH(e, variant_begin_n, e, disc, n); }
void rtrace__enc_error_n(rtrace_enc *e, uint64_t type_id, const char *msg, size_t n)
{
    DISPATCH(e, text_value, e, RTRACE__TV_ERROR, type_id, msg, n);
}
void rtrace__enc_float_text_n(rtrace_enc *e, uint64_t type_id, const char *text, size_t n)
{
    DISPATCH(e, float_text_n, e, type_id, text, n);
}

/* ---- Public API (encode.h): NULL strings are written as "" ----------------- */

static inline size_t slen(const char *s) { return s ? strlen(s) : 0; }
#define S(s) ((s) ? (s) : "")

void rtrace_enc_path(rtrace_enc *e, const char *path) { rtrace__enc_path_n(e, S(path), slen(path)); }
void rtrace_enc_function(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *name)
{
    rtrace__enc_function_n(e, path_id, line, S(name), slen(name));
}
void rtrace_enc_type(rtrace_enc *e, rtrace_type_kind kind, const char *lang_type)
{
    rtrace__enc_type_n(e, kind, S(lang_type), slen(lang_type));
}
void rtrace_enc_type_struct_begin(rtrace_enc *e, rtrace_type_kind kind, const char *lang_type, size_t nfields)
{
    rtrace__enc_type_struct_begin_n(e, kind, S(lang_type), slen(lang_type), nfields);
}
void rtrace_enc_type_field(rtrace_enc *e, const char *name, uint64_t type_id)
{
    rtrace__enc_type_field_n(e, S(name), slen(name), type_id);
}
void rtrace_enc_type_struct_end(rtrace_enc *e) { DISPATCH(e, type_struct_end, e); }
void rtrace_enc_type_pointer(rtrace_enc *e, rtrace_type_kind kind, const char *lang_type, uint64_t deref)
{
    rtrace__enc_type_pointer_n(e, kind, S(lang_type), slen(lang_type), deref);
}
void rtrace_enc_variable_name(rtrace_enc *e, const char *name) { rtrace__enc_variable_name_n(e, S(name), slen(name)); }
void rtrace_enc_variable(rtrace_enc *e, const char *name) { rtrace__enc_variable_n(e, S(name), slen(name)); }
void rtrace_enc_step(rtrace_enc *e, uint64_t path_id, int64_t line) { rtrace__enc_step_fast(e, path_id, line); }
void rtrace_enc_event(rtrace_enc *e, rtrace_event_log_kind kind, const char *metadata,
                      const char *content, size_t len)
{
    rtrace__enc_event_n(e, kind, S(metadata), slen(metadata), content ? content : "", content ? len : 0);
}
void rtrace_enc_asm(rtrace_enc *e, const char *const *instructions, size_t n)
{
    rtrace__enc_asm_begin(e, n);
    for (size_t i = 0; i < n; i++)
        rtrace__enc_asm_item(e, S(instructions[i]), slen(instructions[i]));
    rtrace__enc_asm_end(e);
}
void rtrace_enc_thread_start(rtrace_enc *e, uint64_t id) { DISPATCH(e, thread_start, e, id); }
void rtrace_enc_thread_exit(rtrace_enc *e, uint64_t id) { DISPATCH(e, thread_exit, e, id); }
void rtrace_enc_thread_switch(rtrace_enc *e, uint64_t id) { DISPATCH(e, thread_switch, e, id); }
void rtrace_enc_bind_variable(rtrace_enc *e, uint64_t variable_id, int64_t place)
{
    DISPATCH(e, bind_variable, e, variable_id, place);
}
void rtrace_enc_drop_variables(rtrace_enc *e, const uint64_t *ids, size_t n) { DISPATCH(e, drop_variables, e, ids, n); }
void rtrace_enc_drop_variable(rtrace_enc *e, uint64_t variable_id) { DISPATCH(e, drop_variable, e, variable_id); }
void rtrace_enc_assign_compound_item(rtrace_enc *e, int64_t place, uint64_t index, int64_t item_place)
{
    DISPATCH(e, assign_compound_item, e, place, index, item_place);
}
void rtrace_enc_variable_cell(rtrace_enc *e, uint64_t variable_id, int64_t place)
{
    DISPATCH(e, variable_cell, e, variable_id, place);
}
void rtrace_enc_drop_last_step(rtrace_enc *e) { DISPATCH(e, drop_last_step, e); }

void rtrace_enc_value_begin(rtrace_enc *e, uint64_t variable_id) { rtrace__enc_value_begin_fast(e, variable_id); }
void rtrace_enc_value_end(rtrace_enc *e) { rtrace__enc_event_value_end_fast(e); }
void rtrace_enc_return_begin(rtrace_enc *e) { DISPATCH(e, return_begin, e); }
void rtrace_enc_return_end(rtrace_enc *e) { DISPATCH(e, event_value_end, e); }
void rtrace_enc_compound_value_begin(rtrace_enc *e, int64_t place)
{
    DISPATCH(e, place_value_begin, e, RTRACE__PV_COMPOUND, place);
}
void rtrace_enc_compound_value_end(rtrace_enc *e) { DISPATCH(e, event_value_end, e); }
void rtrace_enc_cell_value_begin(rtrace_enc *e, int64_t place) { DISPATCH(e, place_value_begin, e, RTRACE__PV_CELL, place); }
void rtrace_enc_cell_value_end(rtrace_enc *e) { DISPATCH(e, event_value_end, e); }
void rtrace_enc_assign_cell_begin(rtrace_enc *e, int64_t place)
{
    DISPATCH(e, place_value_begin, e, RTRACE__PV_ASSIGN_CELL, place);
}
void rtrace_enc_assign_cell_end(rtrace_enc *e) { DISPATCH(e, event_value_end, e); }
void rtrace_enc_call_begin(rtrace_enc *e, uint64_t function_id, size_t nargs)
{
    DISPATCH(e, call_begin, e, function_id, nargs);
}
void rtrace_enc_arg_begin(rtrace_enc *e, uint64_t variable_id) { DISPATCH(e, arg_begin, e, variable_id); }
void rtrace_enc_arg_end(rtrace_enc *e) { DISPATCH(e, arg_end, e); }
void rtrace_enc_call_end(rtrace_enc *e) { DISPATCH(e, call_end, e); }

void rtrace_enc_int(rtrace_enc *e, uint64_t type_id, int64_t i) { rtrace__enc_int_fast(e, type_id, i); }
void rtrace_enc_uint(rtrace_enc *e, uint64_t type_id, uint64_t u)
{
    if (u <= (uint64_t)INT64_MAX) {
        rtrace_enc_int(e, type_id, (int64_t)u);
        return;
    }
    uint8_t be[8];
    for (int k = 0; k < 8; k++)
        be[k] = (uint8_t)(u >> (56 - 8 * k));
    rtrace_enc_bigint(e, type_id, be, 8, false);
}
void rtrace_enc_bigint(rtrace_enc *e, uint64_t type_id, const uint8_t *magnitude_be, size_t n, bool negative)
{
    static const uint8_t zero = 0;
    if (!magnitude_be) {
        magnitude_be = &zero;
        n = 0;
    }
    DISPATCH(e, bigint, e, type_id, magnitude_be, n, negative);
}
void rtrace_enc_float(rtrace_enc *e, uint64_t type_id, double f)
{
    char buf[RTRACE__FLOAT_BUF];
    size_t n = rtrace__format_double(buf, f);
    rtrace__enc_float_text_n(e, type_id, buf, n);
}
void rtrace_enc_float_text(rtrace_enc *e, uint64_t type_id, const char *text)
{
    rtrace__enc_float_text_n(e, type_id, S(text), slen(text));
}
void rtrace_enc_bool(rtrace_enc *e, uint64_t type_id, bool b) { DISPATCH(e, bool, e, type_id, b); }
void rtrace_enc_string(rtrace_enc *e, uint64_t type_id, const char *s, size_t n)
{
    DISPATCH(e, text_value, e, RTRACE__TV_STRING, type_id, s ? s : "", s ? n : 0);
}
void rtrace_enc_raw(rtrace_enc *e, uint64_t type_id, const char *s, size_t n)
{
    DISPATCH(e, text_value, e, RTRACE__TV_RAW, type_id, s ? s : "", s ? n : 0);
}
void rtrace_enc_error(rtrace_enc *e, uint64_t type_id, const char *msg)
{
    rtrace__enc_error_n(e, type_id, S(msg), slen(msg));
}
void rtrace_enc_none(rtrace_enc *e, uint64_t type_id) { DISPATCH(e, none, e, type_id); }
void rtrace_enc_cell(rtrace_enc *e, int64_t place) { DISPATCH(e, cell, e, place); }
void rtrace_enc_seq_begin(rtrace_enc *e, size_t n) { DISPATCH(e, list_begin, e, RTRACE__LIST_SEQ, n); }
void rtrace_enc_seq_end(rtrace_enc *e, uint64_t type_id, bool is_slice)
{
    DISPATCH(e, list_end, e, RTRACE__LIST_SEQ, type_id, is_slice);
}
void rtrace_enc_tuple_begin(rtrace_enc *e, size_t n) { DISPATCH(e, list_begin, e, RTRACE__LIST_TUPLE, n); }
void rtrace_enc_tuple_end(rtrace_enc *e, uint64_t type_id) { DISPATCH(e, list_end, e, RTRACE__LIST_TUPLE, type_id, false); }
void rtrace_enc_struct_begin(rtrace_enc *e, size_t n) { DISPATCH(e, list_begin, e, RTRACE__LIST_STRUCT, n); }
void rtrace_enc_struct_end(rtrace_enc *e, uint64_t type_id) { DISPATCH(e, list_end, e, RTRACE__LIST_STRUCT, type_id, false); }
void rtrace_enc_variant_begin(rtrace_enc *e, const char *disc) { rtrace__enc_variant_begin_n(e, S(disc), slen(disc)); }
void rtrace_enc_variant_end(rtrace_enc *e, uint64_t type_id) { DISPATCH(e, variant_end, e, type_id); }
void rtrace_enc_reference_begin(rtrace_enc *e) { DISPATCH(e, reference_begin, e); }
void rtrace_enc_reference_end(rtrace_enc *e, uint64_t type_id, uint64_t address, bool is_mutable)
{
    DISPATCH(e, reference_end, e, type_id, address, is_mutable);
}
