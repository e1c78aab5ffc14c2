/*
 * lib/encode_json.c - the JSON half of the streaming encoder.
 *
 * Writes events exactly in the shape of upstream's serde output, compact (no
 * spaces), keys in declaration order, as in ../shared/golden/every-event.jsonl:
 * {"Step":{"path_id":0,"line":3}}. Every event but the first of a trace is
 * preceded by ",\n" (the sink adds "[\n" and "\n]\n"). Keys and punctuation
 * are string literals (RTRACE__LIT), so nothing is measured at run time.
 *
 * Strings: '"', '\\' and control characters are escaped (\n \t \r \b \f, else
 * \u00XX); well-formed UTF-8 is copied as is; every other byte becomes U+FFFD
 * (see utf8.c). Commas between elements of a list are decided per nesting
 * level with e->need_comma[e->depth].
 *
 * Contracts: rtrace__json_<name> implements, for this format, the encode.h
 * function rtrace_enc_<name> (encode.c dispatches on e->format); `_n`
 * variants take (pointer, length) strings; each reserves its room, keeps
 * e->depth; after a failed growth (e->oom set) the event may be cut short.
 */
#include "encode_inline.h"

/* 1 for bytes copied as they are inside a JSON string (printable ASCII but " and \). */
static const unsigned char json_plain[256] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,
};

/* Word-at-a-time byte tests (exact for "is there any such byte"). */
#define SWAR_ONES 0x0101010101010101ull
#define SWAR_HIGH 0x8080808080808080ull
/* Some byte of w is < n (n <= 128). */
static inline bool swar_has_less(uint64_t w, unsigned n) { return ((w - SWAR_ONES * n) & ~w & SWAR_HIGH) != 0; }
/* Some byte of w equals c. */
static inline bool swar_has_byte(uint64_t w, unsigned c)
{
    uint64_t x = w ^ (SWAR_ONES * c);
    return ((x - SWAR_ONES) & ~x & SWAR_HIGH) != 0;
}

/* Starts an event: the ",\n" separator unless it is the trace's first. Room reserved by caller. */
static inline void json_ev(rtrace_enc *e)
{
    if (rtrace__unlikely(e->json_first))
        e->json_first = false;
    else
        RTRACE__LIT(e, ",\n");
    e->depth = 0;
    e->need_comma[0] = 0;
}

/* Before a value record: a comma if the current list already has an element. */
static inline void json_sep(rtrace_enc *e)
{
    if (e->need_comma[e->depth])
        rtrace__put_byte(e, ',');
    else
        e->need_comma[e->depth] = 1;
}

/* Appends `s` as a quoted, escaped JSON string of valid UTF-8. */
static void json_str(rtrace_enc *e, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n > (SIZE_MAX - 2) / 6 || !rtrace__room(e, n * 6 + 2))
        return;
    unsigned char *p = e->buf + e->len;
    *p++ = '"';
    size_t i = 0;
    while (i < n) {
        /* 8 bytes at a time while none needs care: no byte < 0x20, '"', '\\' or >= 0x80. */
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if (!(w & SWAR_HIGH) && !swar_has_less(w, 0x20) && !swar_has_byte(w, '"') && !swar_has_byte(w, '\\')) {
                memcpy(p, &w, 8);
                p += 8;
                i += 8;
                continue;
            }
        }
        unsigned c = u[i];
        if (rtrace__likely(json_plain[c])) {
            *p++ = (unsigned char)c;
            i++;
            continue;
        }
        if (c < 0x80) {
            *p++ = '\\';
            switch (c) {
            case '"': *p++ = '"'; break;
            case '\\': *p++ = '\\'; break;
            case '\n': *p++ = 'n'; break;
            case '\t': *p++ = 't'; break;
            case '\r': *p++ = 'r'; break;
            case '\b': *p++ = 'b'; break;
            case '\f': *p++ = 'f'; break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = "0123456789abcdef"[c >> 4];
                *p++ = "0123456789abcdef"[c & 15];
                break;
            }
            i++;
            continue;
        }
        size_t k = rtrace__utf8_seq_len(u + i, n - i);
        if (k) {
            memcpy(p, u + i, k);
            p += k;
            i += k;
        } else {
            *p++ = 0xef;
            *p++ = 0xbf;
            *p++ = 0xbd;
            i++;
        }
    }
    *p++ = '"';
    e->len = (size_t)(p - e->buf);
}

/* ---- Events without values ---------------------------------------------- */

void rtrace__json_path_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 16))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Path\":");
    json_str(e, s, n);
    if (rtrace__room(e, 1))
        rtrace__put_byte(e, '}');
}

void rtrace__json_function_n(rtrace_enc *e, uint64_t path_id, uint64_t line, const char *s, size_t n)
{
    if (!rtrace__room(e, 128))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Function\":{\"path_id\":");
    rtrace__put_u64_dec(e, path_id);
    RTRACE__LIT(e, ",\"line\":");
    rtrace__put_i64_dec(e, (int64_t)line);
    RTRACE__LIT(e, ",\"name\":");
    json_str(e, s, n);
    if (rtrace__room(e, 2))
        RTRACE__LIT(e, "}}");
}

/* {"Type":{"kind":K,"lang_type":"..." - shared head of the three Type shapes. */
static bool json_type_head(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n)
{
    if (!rtrace__room(e, 96))
        return false;
    json_ev(e);
    RTRACE__LIT(e, "{\"Type\":{\"kind\":");
    rtrace__put_u64_dec(e, (uint64_t)kind);
    RTRACE__LIT(e, ",\"lang_type\":");
    json_str(e, lt, n);
    return rtrace__room(e, 96);
}

void rtrace__json_type_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n)
{
    if (json_type_head(e, kind, lt, n))
        RTRACE__LIT(e, ",\"specific_info\":{\"kind\":\"None\"}}}");
}

void rtrace__json_type_struct_begin_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n,
                                      size_t nfields)
{
    (void)nfields;
    if (json_type_head(e, kind, lt, n))
        RTRACE__LIT(e, ",\"specific_info\":{\"kind\":\"Struct\",\"fields\":[");
    e->depth = 1;
    e->need_comma[1] = 0;
}

void rtrace__json_type_field_n(rtrace_enc *e, const char *s, size_t n, uint64_t type_id)
{
    if (!rtrace__room(e, 16))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"name\":");
    json_str(e, s, n);
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, ",\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_type_struct_end(rtrace_enc *e)
{
    e->depth = 0;
    if (rtrace__room(e, 4))
        RTRACE__LIT(e, "]}}}");
}

void rtrace__json_type_pointer_n(rtrace_enc *e, rtrace_type_kind kind, const char *lt, size_t n, uint64_t deref)
{
    if (!json_type_head(e, kind, lt, n))
        return;
    RTRACE__LIT(e, ",\"specific_info\":{\"kind\":\"Pointer\",\"dereference_type_id\":");
    rtrace__put_u64_dec(e, deref);
    RTRACE__LIT(e, "}}}");
}

void rtrace__json_variable_name_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 24))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"VariableName\":");
    json_str(e, s, n);
    if (rtrace__room(e, 1))
        rtrace__put_byte(e, '}');
}

void rtrace__json_variable_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 24))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Variable\":");
    json_str(e, s, n);
    if (rtrace__room(e, 1))
        rtrace__put_byte(e, '}');
}

void rtrace__json_event_n(rtrace_enc *e, rtrace_event_log_kind kind, const char *md, size_t mdn,
                          const char *c, size_t n)
{
    if (!rtrace__room(e, 64))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Event\":{\"kind\":");
    rtrace__put_u64_dec(e, (uint64_t)kind);
    RTRACE__LIT(e, ",\"metadata\":");
    json_str(e, md, mdn);
    if (!rtrace__room(e, 16))
        return;
    RTRACE__LIT(e, ",\"content\":");
    json_str(e, c, n);
    if (rtrace__room(e, 2))
        RTRACE__LIT(e, "}}");
}

void rtrace__json_asm_begin(rtrace_enc *e, size_t n)
{
    (void)n;
    if (!rtrace__room(e, 16))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Asm\":[");
    e->depth = 1;
    e->need_comma[1] = 0;
}

void rtrace__json_asm_item(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 1))
        return;
    json_sep(e);
    json_str(e, s, n);
}

void rtrace__json_asm_end(rtrace_enc *e)
{
    e->depth = 0;
    if (rtrace__room(e, 2))
        RTRACE__LIT(e, "]}");
}

/* {"<Name>":N} events: the literal head is given with its length. */
static inline void json_u64_event(rtrace_enc *e, const char *head, size_t hn, uint64_t v)
{
    if (!rtrace__room(e, 64))
        return;
    json_ev(e);
    rtrace__put(e, head, hn);
    rtrace__put_u64_dec(e, v);
    rtrace__put_byte(e, '}');
}
#define JSON_U64_EVENT(e, lit, v) json_u64_event((e), (lit), sizeof(lit) - 1, (v))

void rtrace__json_thread_start(rtrace_enc *e, uint64_t id) { JSON_U64_EVENT(e, "{\"ThreadStart\":", id); }
void rtrace__json_thread_exit(rtrace_enc *e, uint64_t id) { JSON_U64_EVENT(e, "{\"ThreadExit\":", id); }
void rtrace__json_thread_switch(rtrace_enc *e, uint64_t id) { JSON_U64_EVENT(e, "{\"ThreadSwitch\":", id); }
void rtrace__json_drop_variable(rtrace_enc *e, uint64_t id) { JSON_U64_EVENT(e, "{\"DropVariable\":", id); }

void rtrace__json_bind_variable(rtrace_enc *e, uint64_t variable_id, int64_t place)
{
    if (!rtrace__room(e, 96))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"BindVariable\":{\"variable_id\":");
    rtrace__put_u64_dec(e, variable_id);
    RTRACE__LIT(e, ",\"place\":");
    rtrace__put_i64_dec(e, place);
    RTRACE__LIT(e, "}}");
}

void rtrace__json_variable_cell(rtrace_enc *e, uint64_t variable_id, int64_t place)
{
    if (!rtrace__room(e, 96))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"VariableCell\":{\"variable_id\":");
    rtrace__put_u64_dec(e, variable_id);
    RTRACE__LIT(e, ",\"place\":");
    rtrace__put_i64_dec(e, place);
    RTRACE__LIT(e, "}}");
}

void rtrace__json_drop_variables(rtrace_enc *e, const uint64_t *ids, size_t n)
{
    if (n > SIZE_MAX / 32 || !rtrace__room(e, 24 + n * 21))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"DropVariables\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            rtrace__put_byte(e, ',');
        rtrace__put_u64_dec(e, ids[i]);
    }
    RTRACE__LIT(e, "]}");
}

void rtrace__json_assign_compound_item(rtrace_enc *e, int64_t place, uint64_t index, int64_t item_place)
{
    if (!rtrace__room(e, 128))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"AssignCompoundItem\":{\"place\":");
    rtrace__put_i64_dec(e, place);
    RTRACE__LIT(e, ",\"index\":");
    rtrace__put_u64_dec(e, index);
    RTRACE__LIT(e, ",\"item_place\":");
    rtrace__put_i64_dec(e, item_place);
    RTRACE__LIT(e, "}}");
}

void rtrace__json_drop_last_step(rtrace_enc *e)
{
    if (!rtrace__room(e, 20))
        return;
    json_ev(e);
    RTRACE__LIT(e, "\"DropLastStep\"");
}

/* ---- Events that carry one value ------------------------------------------ */

void rtrace__json_return_begin(rtrace_enc *e)
{
    if (!rtrace__room(e, 32))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Return\":{\"return_value\":");
}

void rtrace__json_place_value_begin(rtrace_enc *e, int which, int64_t place)
{
    if (!rtrace__room(e, 64))
        return;
    json_ev(e);
    if (which == RTRACE__PV_COMPOUND)
        RTRACE__LIT(e, "{\"CompoundValue\":{\"place\":");
    else if (which == RTRACE__PV_CELL)
        RTRACE__LIT(e, "{\"CellValue\":{\"place\":");
    else
        RTRACE__LIT(e, "{\"AssignCell\":{\"place\":");
    rtrace__put_i64_dec(e, place);
    if (which == RTRACE__PV_ASSIGN_CELL)
        RTRACE__LIT(e, ",\"new_value\":");
    else
        RTRACE__LIT(e, ",\"value\":");
}

/* Closes Value, Return, CompoundValue, CellValue and AssignCell alike. */
void rtrace__json_event_value_end(rtrace_enc *e)
{
    e->depth = 0;
    if (rtrace__room(e, 2))
        RTRACE__LIT(e, "}}");
}

void rtrace__json_call_begin(rtrace_enc *e, uint64_t function_id, size_t nargs)
{
    (void)nargs;
    if (!rtrace__room(e, 64))
        return;
    json_ev(e);
    RTRACE__LIT(e, "{\"Call\":{\"function_id\":");
    rtrace__put_u64_dec(e, function_id);
    RTRACE__LIT(e, ",\"args\":[");
    e->depth = 1;
    e->need_comma[1] = 0;
}

void rtrace__json_arg_begin(rtrace_enc *e, uint64_t variable_id)
{
    if (!rtrace__room(e, 48))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"variable_id\":");
    rtrace__put_u64_dec(e, variable_id);
    RTRACE__LIT(e, ",\"value\":");
    rtrace__push(e);
}

void rtrace__json_arg_end(rtrace_enc *e)
{
    rtrace__pop(e);
    if (rtrace__room(e, 1))
        rtrace__put_byte(e, '}');
}

void rtrace__json_call_end(rtrace_enc *e)
{
    e->depth = 0;
    if (rtrace__room(e, 3))
        RTRACE__LIT(e, "]}}");
}

/* ---- Value records ----------------------------------------------------------- */

void rtrace__json_bigint(rtrace_enc *e, uint64_t type_id, const uint8_t *mag, size_t n, bool negative)
{
    while (n > 0 && mag[0] == 0) {   /* no leading zero bytes */
        mag++;
        n--;
    }
    if (n > SIZE_MAX / 2 || !rtrace__room(e, RTRACE__BASE64_LEN(n) + 96))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"kind\":\"BigInt\",\"b\":\"");
    e->len += rtrace__base64_encode((char *)e->buf + e->len, mag, n);
    if (negative)
        RTRACE__LIT(e, "\",\"negative\":true,\"type_id\":");
    else
        RTRACE__LIT(e, "\",\"negative\":false,\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_float_text_n(rtrace_enc *e, uint64_t type_id, const char *s, size_t n)
{
    if (!rtrace__room(e, 32))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"kind\":\"Float\",\"f\":");
    json_str(e, s, n);
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, ",\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_bool(rtrace_enc *e, uint64_t type_id, bool b)
{
    if (!rtrace__room(e, 64))
        return;
    json_sep(e);
    if (b)
        RTRACE__LIT(e, "{\"kind\":\"Bool\",\"b\":true,\"type_id\":");
    else
        RTRACE__LIT(e, "{\"kind\":\"Bool\",\"b\":false,\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_text_value(rtrace_enc *e, int which, uint64_t type_id, const char *s, size_t n)
{
    if (!rtrace__room(e, 32))
        return;
    json_sep(e);
    if (which == RTRACE__TV_STRING)
        RTRACE__LIT(e, "{\"kind\":\"String\",\"text\":");
    else if (which == RTRACE__TV_RAW)
        RTRACE__LIT(e, "{\"kind\":\"Raw\",\"r\":");
    else
        RTRACE__LIT(e, "{\"kind\":\"Error\",\"msg\":");
    json_str(e, s, n);
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, ",\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_none(rtrace_enc *e, uint64_t type_id)
{
    if (!rtrace__room(e, 64))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"kind\":\"None\",\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_cell(rtrace_enc *e, int64_t place)
{
    if (!rtrace__room(e, 64))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"kind\":\"Cell\",\"place\":");
    rtrace__put_i64_dec(e, place);
    rtrace__put_byte(e, '}');
}

void rtrace__json_list_begin(rtrace_enc *e, int which, size_t n)
{
    (void)n;
    if (!rtrace__room(e, 40))
        return;
    json_sep(e);
    if (which == RTRACE__LIST_SEQ)
        RTRACE__LIT(e, "{\"kind\":\"Sequence\",\"elements\":[");
    else if (which == RTRACE__LIST_TUPLE)
        RTRACE__LIT(e, "{\"kind\":\"Tuple\",\"elements\":[");
    else
        RTRACE__LIT(e, "{\"kind\":\"Struct\",\"field_values\":[");
    rtrace__push(e);
}

void rtrace__json_list_end(rtrace_enc *e, int which, uint64_t type_id, bool is_slice)
{
    rtrace__pop(e);
    if (!rtrace__room(e, 64))
        return;
    if (which == RTRACE__LIST_SEQ) {
        if (is_slice)
            RTRACE__LIT(e, "],\"is_slice\":true,\"type_id\":");
        else
            RTRACE__LIT(e, "],\"is_slice\":false,\"type_id\":");
    } else {
        RTRACE__LIT(e, "],\"type_id\":");
    }
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_variant_begin_n(rtrace_enc *e, const char *s, size_t n)
{
    if (!rtrace__room(e, 40))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"kind\":\"Variant\",\"discriminator\":");
    json_str(e, s, n);
    if (!rtrace__room(e, 16))
        return;
    RTRACE__LIT(e, ",\"contents\":");
    rtrace__push(e);
}

void rtrace__json_variant_end(rtrace_enc *e, uint64_t type_id)
{
    rtrace__pop(e);
    if (!rtrace__room(e, 40))
        return;
    RTRACE__LIT(e, ",\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

void rtrace__json_reference_begin(rtrace_enc *e)
{
    if (!rtrace__room(e, 48))
        return;
    json_sep(e);
    RTRACE__LIT(e, "{\"kind\":\"Reference\",\"dereferenced\":");
    rtrace__push(e);
}

void rtrace__json_reference_end(rtrace_enc *e, uint64_t type_id, uint64_t address, bool is_mutable)
{
    rtrace__pop(e);
    if (!rtrace__room(e, 96))
        return;
    RTRACE__LIT(e, ",\"address\":");
    rtrace__put_u64_dec(e, address);
    if (is_mutable)
        RTRACE__LIT(e, ",\"mutable\":true,\"type_id\":");
    else
        RTRACE__LIT(e, ",\"mutable\":false,\"type_id\":");
    rtrace__put_u64_dec(e, type_id);
    rtrace__put_byte(e, '}');
}

/* A quoted, escaped JSON string of valid UTF-8, for the side files (sidefiles.c). */
void rtrace__json_string(rtrace_enc *e, const char *s, size_t n)
{
    json_str(e, s, n);
}
