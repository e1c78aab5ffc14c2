/*
 * rtrace/encode.h - the streaming event encoder.
 *
 * Encodes events straight into a growable byte buffer, in JSON (one event per
 * line, as trace.json wants) or CBOR (byte for byte as upstream's encoder, as
 * trace.bin wants), without building any tree and without allocating per event
 * (the buffer only grows when an event does not fit). This is the hot path of
 * the instrumentation runtime and of the tracer API; everything that writes a
 * trace goes through it.
 *
 * Nested values are written as begin/end pairs whose element count is given at
 * begin (CBOR needs definite lengths). Trailing fields (type_id, is_slice, ...)
 * are given at end, because upstream's field order puts them after the
 * children. Example, the value {"kind":"Struct","field_values":[Int 1, Int 2],
 * "type_id":3} of variable 0:
 *
 *     rtrace_enc_value_begin(e, 0);
 *     rtrace_enc_struct_begin(e, 2);
 *     rtrace_enc_int(e, 1, 1);
 *     rtrace_enc_int(e, 1, 2);
 *     rtrace_enc_struct_end(e, 3);
 *     rtrace_enc_value_end(e);
 *
 * JSON separators: every event is preceded by ",\n" unless `json_first` is set
 * (it is then cleared). The sink (sink.h) writes the enclosing "[\n" and "\n]\n".
 * So exactly one encoder of a trace, the one that writes its first event, starts
 * with json_first = true.
 *
 * Encoders are not thread-safe; use one per thread. Calls never fail: a failed
 * growth sets `oom` (sticky) and later writes are dropped; check it with
 * rtrace_enc_ok(). Misuse (end without begin, wrong element count) is a bug in
 * the caller and is caught by assertions in debug builds.
 */
#ifndef RTRACE_ENCODE_H
#define RTRACE_ENCODE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTRACE_ENC_MAX_DEPTH 256   /* nesting of values beyond this is a caller bug */

/* Fields are public so that callers can take the bytes and reset cheaply. */
typedef struct rtrace_enc {
    unsigned char *buf;     /* encoded bytes [0, len) ; owned by the encoder */
    size_t len;
    size_t cap;
    rtrace_format format;
    bool json_first;        /* JSON: the next event is the first of the trace */
    bool oom;               /* sticky: a growth failed, output is incomplete */
    int depth;              /* current value nesting (internal) */
    uint8_t need_comma[RTRACE_ENC_MAX_DEPTH]; /* JSON: per level, an element was written (internal) */
} rtrace_enc;

/* Prepares `e` with an initial capacity (0 = a default). Returns 0 or RTRACE_ENOMEM. */
int rtrace_enc_init(rtrace_enc *e, rtrace_format format, size_t initial_cap);
/* Frees the buffer; `e` may be re-initialised afterwards. Accepts NULL. */
void rtrace_enc_free(rtrace_enc *e);
/* Forgets the bytes written (len = 0), keeping the buffer. */
static inline void rtrace_enc_reset(rtrace_enc *e) { e->len = 0; }
/* True while no growth has failed. */
static inline bool rtrace_enc_ok(const rtrace_enc *e) { return !e->oom; }
/* Makes room for `n` more bytes; false (and oom set) if it cannot. */
bool rtrace_enc_reserve(rtrace_enc *e, size_t n);

/* ---- Events without values ------------------------------------------- */
void rtrace_enc_path(rtrace_enc *e, const char *path);
void rtrace_enc_function(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *name);
/* A Type with specific_info None. */
void rtrace_enc_type(rtrace_enc *e, rtrace_type_kind kind, const char *lang_type);
/* A Type with specific_info Struct: begin, then `nfields` fields, then end. */
void rtrace_enc_type_struct_begin(rtrace_enc *e, rtrace_type_kind kind, const char *lang_type, size_t nfields);
void rtrace_enc_type_field(rtrace_enc *e, const char *name, uint64_t type_id);
void rtrace_enc_type_struct_end(rtrace_enc *e);
/* A Type with specific_info Pointer. */
void rtrace_enc_type_pointer(rtrace_enc *e, rtrace_type_kind kind, const char *lang_type, uint64_t dereference_type_id);
void rtrace_enc_variable_name(rtrace_enc *e, const char *name);
void rtrace_enc_variable(rtrace_enc *e, const char *name); /* legacy {"Variable": name} */
void rtrace_enc_step(rtrace_enc *e, uint64_t path_id, int64_t line);
/* Event{kind, metadata, content}: content is `len` bytes, any bytes (made valid UTF-8). */
void rtrace_enc_event(rtrace_enc *e, rtrace_event_log_kind kind, const char *metadata,
                      const char *content, size_t len);
/* Asm: `n` instruction strings. */
void rtrace_enc_asm(rtrace_enc *e, const char *const *instructions, size_t n);
void rtrace_enc_thread_start(rtrace_enc *e, uint64_t thread_id);
void rtrace_enc_thread_exit(rtrace_enc *e, uint64_t thread_id);
void rtrace_enc_thread_switch(rtrace_enc *e, uint64_t thread_id);
void rtrace_enc_bind_variable(rtrace_enc *e, uint64_t variable_id, int64_t place);
void rtrace_enc_drop_variables(rtrace_enc *e, const uint64_t *variable_ids, size_t n);
void rtrace_enc_drop_variable(rtrace_enc *e, uint64_t variable_id);
void rtrace_enc_assign_compound_item(rtrace_enc *e, int64_t place, uint64_t index, int64_t item_place);
void rtrace_enc_variable_cell(rtrace_enc *e, uint64_t variable_id, int64_t place);
void rtrace_enc_drop_last_step(rtrace_enc *e);

/* ---- Events that carry values: begin, exactly one value, end ---------- */
void rtrace_enc_value_begin(rtrace_enc *e, uint64_t variable_id);   /* Value */
void rtrace_enc_value_end(rtrace_enc *e);
void rtrace_enc_return_begin(rtrace_enc *e);                         /* Return */
void rtrace_enc_return_end(rtrace_enc *e);
void rtrace_enc_compound_value_begin(rtrace_enc *e, int64_t place);  /* CompoundValue */
void rtrace_enc_compound_value_end(rtrace_enc *e);
void rtrace_enc_cell_value_begin(rtrace_enc *e, int64_t place);      /* CellValue */
void rtrace_enc_cell_value_end(rtrace_enc *e);
void rtrace_enc_assign_cell_begin(rtrace_enc *e, int64_t place);     /* AssignCell */
void rtrace_enc_assign_cell_end(rtrace_enc *e);
/* Call: begin with the arg count, then per arg: arg_begin, one value, arg_end. */
void rtrace_enc_call_begin(rtrace_enc *e, uint64_t function_id, size_t nargs);
void rtrace_enc_arg_begin(rtrace_enc *e, uint64_t variable_id);
void rtrace_enc_arg_end(rtrace_enc *e);
void rtrace_enc_call_end(rtrace_enc *e);

/* ---- Value records ---------------------------------------------------- */
void rtrace_enc_int(rtrace_enc *e, uint64_t type_id, int64_t i);
/* Int when it fits in i64, else BigInt. */
void rtrace_enc_uint(rtrace_enc *e, uint64_t type_id, uint64_t u);
/* BigInt: big-endian magnitude bytes (base64-encoded on output). */
void rtrace_enc_bigint(rtrace_enc *e, uint64_t type_id, const uint8_t *magnitude_be, size_t n, bool negative);
/* Float from a double: shortest text that reads back exactly; "inf", "-inf", "NaN". */
void rtrace_enc_float(rtrace_enc *e, uint64_t type_id, double f);
/* Float from text the caller formatted (e.g. a long double). */
void rtrace_enc_float_text(rtrace_enc *e, uint64_t type_id, const char *text);
void rtrace_enc_bool(rtrace_enc *e, uint64_t type_id, bool b);
/* String of `n` arbitrary bytes (made valid UTF-8, see rtrace_enc_event). */
void rtrace_enc_string(rtrace_enc *e, uint64_t type_id, const char *s, size_t n);
void rtrace_enc_raw(rtrace_enc *e, uint64_t type_id, const char *s, size_t n);
void rtrace_enc_error(rtrace_enc *e, uint64_t type_id, const char *msg);
void rtrace_enc_none(rtrace_enc *e, uint64_t type_id);
void rtrace_enc_cell(rtrace_enc *e, int64_t place);
void rtrace_enc_seq_begin(rtrace_enc *e, size_t n);
void rtrace_enc_seq_end(rtrace_enc *e, uint64_t type_id, bool is_slice);
void rtrace_enc_tuple_begin(rtrace_enc *e, size_t n);
void rtrace_enc_tuple_end(rtrace_enc *e, uint64_t type_id);
void rtrace_enc_struct_begin(rtrace_enc *e, size_t n);
void rtrace_enc_struct_end(rtrace_enc *e, uint64_t type_id);
/* Variant: begin with the discriminator, then exactly one value (contents). */
void rtrace_enc_variant_begin(rtrace_enc *e, const char *discriminator);
void rtrace_enc_variant_end(rtrace_enc *e, uint64_t type_id);
/* Reference: begin, then exactly one value (dereferenced), then end. */
void rtrace_enc_reference_begin(rtrace_enc *e);
void rtrace_enc_reference_end(rtrace_enc *e, uint64_t type_id, uint64_t address, bool is_mutable);

#ifdef __cplusplus
}
#endif
#endif
