/*
 * lib/encode_cbor.c - the CBOR half of the streaming encoder (trace.bin).
 *
 * Byte for byte what upstream's encoder (serde + cbor4ii) writes, see
 * ../shared/golden/README.md: an event is a one-entry map {variant: payload};
 * the unit variant DropLastStep is the bare text "DropLastStep"; records are
 * definite-length maps with text keys in declaration order (ValueRecord:
 * "kind" first); ids are plain unsigned integers; integers take their
 * shortest form; Float "f" and BigInt "b" are text. Example, Step{0, 8}:
 *   a1 64 "Step" a2 67 "path_id" 00 64 "line" 08
 * Map and array heads and keys are precomputed byte strings (a hex escape is
 * always closed before the text that follows, e.g. "\x64" "kind").
 * Texts are made valid UTF-8 as in JSON (utf8.c); the sanitized length is
 * computed first because CBOR puts it in the head.
 *
 * Contracts: rtrace__cbor_<name> implements, for this format, the encode.h
 * function rtrace_enc_<name> (encode.c dispatches on e->format); `_n`
 * variants take (pointer, length) strings; each reserves its room, keeps
 * e->depth; after a failed growth (e->oom set) the event may be cut short.
 */
#include "encode_inline.h"

#define CBOR_TRUE 0xf5
#define CBOR_FALSE 0xf4

/* Keys used by value records. */
#define K_KIND "\x64" "kind"
#define K_TYPE_ID "\x67" "type_id"

/* Starts an event (depth back to 0). Room reserved by caller. */
static inline void cbor_ev(rtrace_enc *e)
{
    e->depth = 0;
}

/* Appends a text string of valid UTF-8 (reserves its own room). */
static void cbor_text(rtrace_enc *e, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t v = rtrace__utf8_valid_prefix(u, n);
    if (rtrace__likely(v == n)) {
        if (n > SIZE_MAX - 9 || !rtrace__room(e, n + 9))
            return;
        rtrace__put_cbor_head(e, RTRACE__CBOR_TEXT, n);
        if (n)
            rtrace__put(e, s, n);
        return;
    }
    if (n > SIZE_MAX / 3 - 9)
        return;
    size_t m = v + rtrace__utf8_sanitized_len(u + v, n - v);
    if (!rtrace__room(e, m + 9))
        return;
    rtrace__put_cbor_head(e, RTRACE__CBOR_TEXT, m);
    e->len += rtrace__utf8_sanitize(e->buf + e->len, u, n);
}

static inline void cbor_uint(rtrace_enc *e, uint64_t v) { rtrace__put_cbor_head(e, RTRACE__CBOR_UINT, v); }
static inline void cbor_bool(rtrace_enc *e, bool b) { rtrace__put_byte(e, b ? CBOR_TRUE : CBOR_FALSE); }

/* ---- Events without values ---------------------------------------------- */

void rtrace__cbor_path_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 8))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x64" "Path");
    cbor_text(e, s, n);
}

void rtrace__cbor_function_n(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *s, size_t n)
{
    if (!rtrace__room(e, 64))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x68" "Function" "\xa3\x67" "path_id");
    cbor_uint(e, path_id);
    RTRACE__LIT(e, "\x64" "line");
    rtrace__put_cbor_int(e, (int64_t)line);
    RTRACE__LIT(e, "\x64" "name");
    cbor_text(e, s, n);
}

/* a1 Type a3 kind K lang_type "..." specific_info - shared head of Type shapes. */
static bool cbor_type_head(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n)
{
    if (!rtrace__room(e, 40))
        return false;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x64" "Type" "\xa3" K_KIND);
    cbor_uint(e, (uint64_t)kind);
    RTRACE__LIT(e, "\x69" "lang_type");
    cbor_text(e, lt, n);
    if (!rtrace__room(e, 96))
        return false;
    RTRACE__LIT(e, "\x6d" "specific_info");
    return true;
}

void rtrace__cbor_type_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n)
{
    if (cbor_type_head(e, kind, lt, n))
        RTRACE__LIT(e, "\xa1" K_KIND "\x64" "None");
}

void rtrace__cbor_type_struct_begin_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n,
                                      size_t nfields)
{
    if (!cbor_type_head(e, kind, lt, n))
        return;
    RTRACE__LIT(e, "\xa2" K_KIND "\x66" "Struct" "\x66" "fields");
    rtrace__put_cbor_head(e, RTRACE__CBOR_ARRAY, nfields);
}

void rtrace__cbor_type_field_n(rtrace_enc *e, const char *s, size_t n, uint64_t type_id)
{
    if (!rtrace__room(e, 8))
        return;
    RTRACE__LIT(e, "\xa2\x64" "name");
    cbor_text(e, s, n);
    if (!rtrace__room(e, 24))
        return;
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_type_struct_end(rtrace_enc *e)
{
    (void)e;
}

void rtrace__cbor_type_pointer_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n, uint64_t deref)
{
    if (!cbor_type_head(e, kind, lt, n))
        return;
    RTRACE__LIT(e, "\xa2" K_KIND "\x67" "Pointer" "\x73" "dereference_type_id");
    cbor_uint(e, deref);
}

void rtrace__cbor_variable_name_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 16))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6c" "VariableName");
    cbor_text(e, s, n);
}

void rtrace__cbor_variable_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 16))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x68" "Variable");
    cbor_text(e, s, n);
}

void rtrace__cbor_event_n(rtrace_enc *e, rtrace_event_log_kind kind, const char *md, size_t mdn,
                          const char *c, size_t n)
{
    if (!rtrace__room(e, 40))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x65" "Event" "\xa3" K_KIND);
    cbor_uint(e, (uint64_t)kind);
    RTRACE__LIT(e, "\x68" "metadata");
    cbor_text(e, md, mdn);
    if (!rtrace__room(e, 8))
        return;
    RTRACE__LIT(e, "\x67" "content");
    cbor_text(e, c, n);
}

void rtrace__cbor_asm_begin(rtrace_enc *e, size_t n)
{
    if (!rtrace__room(e, 16))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x63" "Asm");
    rtrace__put_cbor_head(e, RTRACE__CBOR_ARRAY, n);
}

void rtrace__cbor_asm_item(rtrace_enc *e, const char *s, size_t n)
{
    cbor_text(e, s, n);
}

void rtrace__cbor_asm_end(rtrace_enc *e)
{
    (void)e;
}

void rtrace__cbor_thread_start(rtrace_enc *e, uint64_t id)
{
    if (!rtrace__room(e, 24))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6b" "ThreadStart");
    cbor_uint(e, id);
}

void rtrace__cbor_thread_exit(rtrace_enc *e, uint64_t id)
{
    if (!rtrace__room(e, 24))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6a" "ThreadExit");
    cbor_uint(e, id);
}

void rtrace__cbor_thread_switch(rtrace_enc *e, uint64_t id)
{
    if (!rtrace__room(e, 24))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6c" "ThreadSwitch");
    cbor_uint(e, id);
}

void rtrace__cbor_drop_variable(rtrace_enc *e, uint64_t id)
{
    if (!rtrace__room(e, 24))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6c" "DropVariable");
    cbor_uint(e, id);
}

void rtrace__cbor_bind_variable(rtrace_enc *e, uint64_t variable_id, int64_t place)
{
    if (!rtrace__room(e, 64))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6c" "BindVariable" "\xa2\x6b" "variable_id");
    cbor_uint(e, variable_id);
    RTRACE__LIT(e, "\x65" "place");
    rtrace__put_cbor_int(e, place);
}

void rtrace__cbor_variable_cell(rtrace_enc *e, uint64_t variable_id, int64_t place)
{
    if (!rtrace__room(e, 64))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6c" "VariableCell" "\xa2\x6b" "variable_id");
    cbor_uint(e, variable_id);
    RTRACE__LIT(e, "\x65" "place");
    rtrace__put_cbor_int(e, place);
}

void rtrace__cbor_drop_variables(rtrace_enc *e, const uint64_t *ids, size_t n)
{
    if (n > SIZE_MAX / 16 || !rtrace__room(e, 32 + n * 9))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x6d" "DropVariables");
    rtrace__put_cbor_head(e, RTRACE__CBOR_ARRAY, n);
    for (size_t i = 0; i < n; i++)
        cbor_uint(e, ids[i]);
}

void rtrace__cbor_assign_compound_item(rtrace_enc *e, int64_t place, uint64_t index, int64_t item_place)
{
    if (!rtrace__room(e, 80))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x72" "AssignCompoundItem" "\xa3\x65" "place");
    rtrace__put_cbor_int(e, place);
    RTRACE__LIT(e, "\x65" "index");
    cbor_uint(e, index);
    RTRACE__LIT(e, "\x6a" "item_place");
    rtrace__put_cbor_int(e, item_place);
}

void rtrace__cbor_drop_last_step(rtrace_enc *e)
{
    if (!rtrace__room(e, 16))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\x6c" "DropLastStep");
}

/* ---- Events that carry one value ------------------------------------------ */

void rtrace__cbor_return_begin(rtrace_enc *e)
{
    if (!rtrace__room(e, 24))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x66" "Return" "\xa1\x6c" "return_value");
}

void rtrace__cbor_place_value_begin(rtrace_enc *e, int which, int64_t place)
{
    if (!rtrace__room(e, 48))
        return;
    cbor_ev(e);
    if (which == RTRACE__PV_COMPOUND)
        RTRACE__LIT(e, "\xa1\x6d" "CompoundValue" "\xa2\x65" "place");
    else if (which == RTRACE__PV_CELL)
        RTRACE__LIT(e, "\xa1\x69" "CellValue" "\xa2\x65" "place");
    else
        RTRACE__LIT(e, "\xa1\x6a" "AssignCell" "\xa2\x65" "place");
    rtrace__put_cbor_int(e, place);
    if (which == RTRACE__PV_ASSIGN_CELL)
        RTRACE__LIT(e, "\x69" "new_value");
    else
        RTRACE__LIT(e, "\x65" "value");
}

void rtrace__cbor_event_value_end(rtrace_enc *e)
{
    e->depth = 0;
}

void rtrace__cbor_call_begin(rtrace_enc *e, uint64_t function_id, size_t nargs)
{
    if (!rtrace__room(e, 48))
        return;
    cbor_ev(e);
    RTRACE__LIT(e, "\xa1\x64" "Call" "\xa2\x6b" "function_id");
    cbor_uint(e, function_id);
    RTRACE__LIT(e, "\x64" "args");
    rtrace__put_cbor_head(e, RTRACE__CBOR_ARRAY, nargs);
    e->depth = 1;
}

void rtrace__cbor_arg_begin(rtrace_enc *e, uint64_t variable_id)
{
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, "\xa2\x6b" "variable_id");
    cbor_uint(e, variable_id);
    RTRACE__LIT(e, "\x65" "value");
    rtrace__push(e);
}

void rtrace__cbor_arg_end(rtrace_enc *e)
{
    rtrace__pop(e);
}

void rtrace__cbor_call_end(rtrace_enc *e)
{
    e->depth = 0;
}

/* ---- Value records ----------------------------------------------------------- */

void rtrace__cbor_bigint(rtrace_enc *e, uint64_t type_id, const uint8_t *mag, size_t n, bool negative)
{
    while (n > 0 && mag[0] == 0) {   /* no leading zero bytes */
        mag++;
        n--;
    }
    if (n > SIZE_MAX / 2)
        return;
    size_t tn = RTRACE__BASE64_LEN(n);
    if (!rtrace__room(e, tn + 64))
        return;
    RTRACE__LIT(e, "\xa4" K_KIND "\x66" "BigInt" "\x61" "b");
    rtrace__put_cbor_head(e, RTRACE__CBOR_TEXT, tn);
    e->len += rtrace__base64_encode((char *)e->buf + e->len, mag, n);
    RTRACE__LIT(e, "\x68" "negative");
    cbor_bool(e, negative);
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_float_text_n(rtrace_enc *e, uint64_t type_id, const char *s, size_t n)
{
    if (!rtrace__room(e, 16))
        return;
    RTRACE__LIT(e, "\xa3" K_KIND "\x65" "Float" "\x61" "f");
    cbor_text(e, s, n);
    if (!rtrace__room(e, 24))
        return;
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_bool(rtrace_enc *e, uint64_t type_id, bool b)
{
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, "\xa3" K_KIND "\x64" "Bool" "\x61" "b");
    cbor_bool(e, b);
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_text_value(rtrace_enc *e, int which, uint64_t type_id, const char *s, size_t n)
{
    if (!rtrace__room(e, 24))
        return;
    if (which == RTRACE__TV_STRING)
        RTRACE__LIT(e, "\xa3" K_KIND "\x66" "String" "\x64" "text");
    else if (which == RTRACE__TV_RAW)
        RTRACE__LIT(e, "\xa3" K_KIND "\x63" "Raw" "\x61" "r");
    else
        RTRACE__LIT(e, "\xa3" K_KIND "\x65" "Error" "\x63" "msg");
    cbor_text(e, s, n);
    if (!rtrace__room(e, 24))
        return;
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_none(rtrace_enc *e, uint64_t type_id)
{
    if (!rtrace__room(e, 32))
        return;
    RTRACE__LIT(e, "\xa2" K_KIND "\x64" "None" K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_cell(rtrace_enc *e, int64_t place)
{
    if (!rtrace__room(e, 32))
        return;
    RTRACE__LIT(e, "\xa2" K_KIND "\x64" "Cell" "\x65" "place");
    rtrace__put_cbor_int(e, place);
}

void rtrace__cbor_list_begin(rtrace_enc *e, int which, size_t n)
{
    if (!rtrace__room(e, 48))
        return;
    if (which == RTRACE__LIST_SEQ)
        RTRACE__LIT(e, "\xa4" K_KIND "\x68" "Sequence" "\x68" "elements");
    else if (which == RTRACE__LIST_TUPLE)
        RTRACE__LIT(e, "\xa3" K_KIND "\x65" "Tuple" "\x68" "elements");
    else
        RTRACE__LIT(e, "\xa3" K_KIND "\x66" "Struct" "\x6c" "field_values");
    rtrace__put_cbor_head(e, RTRACE__CBOR_ARRAY, n);
    rtrace__push(e);
}

void rtrace__cbor_list_end(rtrace_enc *e, int which, uint64_t type_id, bool is_slice)
{
    rtrace__pop(e);
    if (!rtrace__room(e, 32))
        return;
    if (which == RTRACE__LIST_SEQ) {
        RTRACE__LIT(e, "\x68" "is_slice");
        cbor_bool(e, is_slice);
    }
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_variant_begin_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 32))
        return;
    RTRACE__LIT(e, "\xa4" K_KIND "\x67" "Variant" "\x6d" "discriminator");
    cbor_text(e, s, n);
    if (!rtrace__room(e, 16))
        return;
    RTRACE__LIT(e, "\x68" "contents");
    rtrace__push(e);
}

void rtrace__cbor_variant_end(rtrace_enc *e, uint64_t type_id)
{
    rtrace__pop(e);
    if (!rtrace__room(e, 24))
        return;
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}

void rtrace__cbor_reference_begin(rtrace_enc *e)
{
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, "\xa5" K_KIND "\x69" "Reference" "\x6c" "dereferenced");
    rtrace__push(e);
}

void rtrace__cbor_reference_end(rtrace_enc *e, uint64_t type_id, uint64_t address, bool is_mutable)
{
    rtrace__pop(e);
    if (!rtrace__room(e, 48))
        return;
    RTRACE__LIT(e, "\x67" "address");
    cbor_uint(e, address);
    RTRACE__LIT(e, "\x67" "mutable");
    cbor_bool(e, is_mutable);
    RTRACE__LIT(e, K_TYPE_ID);
    cbor_uint(e, type_id);
}
