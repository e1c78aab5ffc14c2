/*
 * tests/lib/test_edge.c - edge values through both encoders.
 *
 * Expected texts are derived from the spec by hand: JSON escapes (RFC 8259),
 * our documented UTF-8 policy (one U+FFFD per byte outside a well-formed
 * sequence, same in JSON and CBOR), float text that strtod reads back to the
 * same bits, BigInt base64 of the big-endian magnitude, and the depth limit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib_tests.h"
#include "../../lib/encode_inline.h"

/* One String value record encoded alone in `format`. */
static rtrace_enc enc_string(rtrace_format format, const char *s, size_t n)
{
    rtrace_enc e;
    rtrace_enc_init(&e, format, 0);
    rtrace_enc_string(&e, 0, s, n);
    return e;
}

/* The JSON text of a String value record for s, compared with the expected escaped body. */
static void check_json_text(const char *s, size_t n, const char *want_body)
{
    rtrace_enc e = enc_string(RTRACE_FORMAT_JSON, s, n);
    char want[512];
    snprintf(want, sizeof want, "{\"kind\":\"String\",\"text\":\"%s\",\"type_id\":0}", want_body);
    bool same = e.len == strlen(want) && memcmp(e.buf, want, e.len) == 0;
    if (!same)
        fprintf(stderr, "\n  want %s\n  got  %.*s\n", want, (int)e.len, e.buf);
    CU_ASSERT(same);
    rtrace_enc_free(&e);
}

/* The CBOR text payload (after the head) of a String value for s. */
static void check_cbor_text(const char *s, size_t n, const char *want, size_t wn)
{
    rtrace_enc e = enc_string(RTRACE_FORMAT_BINARY, s, n);
    /* a3 64 kind 66 String 64 text <head> ... */
    size_t off = 1 + 5 + 7 + 5;
    CU_ASSERT_FATAL(e.len > off);
    unsigned char head = e.buf[off];
    size_t hl = 1, len = head & 0x1f;
    if ((head & 0x1f) == 24) {
        hl = 2;
        len = e.buf[off + 1];
    }
    CU_ASSERT_EQUAL(head >> 5, 3);
    CU_ASSERT_EQUAL(len, wn);
    CU_ASSERT(len == wn && memcmp(e.buf + off + hl, want, wn) == 0);
    rtrace_enc_free(&e);
}

static void test_edge__empty_string(void)
{
    check_json_text("", 0, "");
    check_cbor_text("", 0, "", 0);
}

static void test_edge__control_bytes_escaped_in_json(void)
{
    const char s[] = "a\"b\\c\n\t\r\b\f\x01\x1f\x7f";
    check_json_text(s, sizeof s - 1, "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f");
    /* CBOR text has no escapes: control bytes are valid UTF-8 and kept. */
    check_cbor_text(s, sizeof s - 1, s, sizeof s - 1);
}

static void test_edge__invalid_utf8_replaced_per_byte(void)
{
#define FFFD "\xef\xbf\xbd"
    static const struct { const char *in; size_t n; const char *out; } cases[] = {
        {"a\xff" "b", 3, "a" FFFD "b"},
        {"\xe2\x82", 2, FFFD FFFD},                      /* truncated 3-byte sequence */
        {"\xc0\xaf", 2, FFFD FFFD},                      /* overlong '/' */
        {"\xed\xa0\x80", 3, FFFD FFFD FFFD},             /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD},    /* above U+10FFFF */
        {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"}, /* é € 😀 kept */
        {"12345678\x80", 9, "12345678" FFFD},            /* after the 8-byte ASCII fast path */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_json_text(cases[i].in, cases[i].n, cases[i].out);
        check_cbor_text(cases[i].in, cases[i].n, cases[i].out, strlen(cases[i].out));
    }
    /* The JSON output parses and is valid UTF-8 for every single byte value. */
    char all[255];
    for (int i = 0; i < 255; i++)
        all[i] = (char)(i + 1);
    rtrace_enc e = enc_string(RTRACE_FORMAT_JSON, all, 255);
    cJSON *j = cJSON_ParseWithLength((const char *)e.buf, e.len);
    CU_ASSERT_PTR_NOT_NULL(j);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(j, "text"));
    CU_ASSERT_PTR_NOT_NULL(text);
    /* 127 ASCII bytes (1..127) + 128 replacements of 3 bytes. */
    CU_ASSERT(text && strlen(text) == 127 + 128 * 3);
    cJSON_Delete(j);
    rtrace_enc_free(&e);
#undef FFFD
}

/* Reference JSON escaper for one special byte sequence (per the RFC and our UTF-8 policy). */
static const char *escaped(const char *special)
{
    static const struct { const char *in, *out; } map[] = {
        {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {"\x01", "\\u0001"}, {"\x1f", "\\u001f"},
        {"\x7f", "\x7f"}, {"\x80", "\xef\xbf\xbd"}, {"\xc3\xa9", "\xc3\xa9"}, {" ", " "}, {"~", "~"},
    };
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(map[k].in, special))
            return map[k].out;
    return NULL;
}

static void test_edge__special_byte_at_every_offset(void)
{
    /* Exercises the 8-bytes-at-a-time scan: the special byte at each offset of a 24-byte string. */
    static const char *const specials[] = {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\x80", "\xc3\xa9", " ", "~"};
    for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
        for (int pos = 0; pos < 24; pos++) {
            char in[32], body[64];
            size_t sl = strlen(specials[k]);
            memset(in, 'a', 24);
            memcpy(in + pos, specials[k], sl);
            size_t n = (size_t)pos + sl > 24 ? (size_t)pos + sl : 24;
            snprintf(body, sizeof body, "%.*s%s%.*s", pos, "aaaaaaaaaaaaaaaaaaaaaaaa", escaped(specials[k]),
                     (int)(n - (size_t)pos - sl), "aaaaaaaaaaaaaaaaaaaaaaaa");
            check_json_text(in, n, body);
        }
    }
}

static void test_edge__one_mib_string(void)
{
    size_t n = 1u << 20;
    char *s = malloc(n);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + i % 26);
    rtrace_enc e = enc_string(RTRACE_FORMAT_JSON, s, n);
    cJSON *j = cJSON_ParseWithLength((const char *)e.buf, e.len);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(j, "text"));
    CU_ASSERT(text && strlen(text) == n && memcmp(text, s, n) == 0);
    cJSON_Delete(j);
    rtrace_enc_free(&e);
    e = enc_string(RTRACE_FORMAT_BINARY, s, n);
    size_t off = 18;
    /* 1 MiB = 0x100000: head 7a 00 10 00 00. */
    CU_ASSERT(memcmp(e.buf + off, "\x7a\x00\x10\x00\x00", 5) == 0);
    CU_ASSERT(memcmp(e.buf + off + 5, s, n) == 0);
    rtrace_enc_free(&e);
    free(s);
}

/* The Float "f" text the JSON encoder writes for d. */
static void float_text(double d, char *out, size_t cap)
{
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    rtrace_enc_float(&e, 0, d);
    cJSON *j = cJSON_ParseWithLength((const char *)e.buf, e.len);
    const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(j, "f"));
    snprintf(out, cap, "%s", f ? f : "<missing>");
    cJSON_Delete(j);
    rtrace_enc_free(&e);
}

static void test_edge__floats_as_round_trip_text(void)
{
    char t[64];
    float_text(INFINITY, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "inf");
    float_text(-INFINITY, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "-inf");
    float_text(NAN, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "NaN");
    float_text(-0.0, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "-0");
    float_text(0.1, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "0.1");         /* %.15g suffices */
    float_text(2.5, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "2.5");
    float_text(1e300, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "1e+300");
    static const double reads_back[] = {1e300, 5e-324, 0.1 + 0.2, 1.0 / 3.0, -123456.789e-200, 9007199254740993.0,
                                        1.7976931348623157e308, 2.2250738585072014e-308};
    for (size_t i = 0; i < sizeof reads_back / sizeof reads_back[0]; i++) {
        float_text(reads_back[i], t, sizeof t);
        double back = strtod(t, NULL);
        CU_ASSERT(memcmp(&back, &reads_back[i], sizeof back) == 0);
        CU_ASSERT(strlen(t) <= 24);
    }
    float_text(0.1 + 0.2, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "0.30000000000000004");   /* needs all 17 digits */
}

/* Reference: the shortest of %.15g, %.16g, %.17g that strtod reads back (the spec's rule). */
static void reference_float_text(double d, char *out, size_t cap)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static void test_edge__float_fast_paths_match_printf_rule(void)
{
    /* Short decimals, integers, tiny and huge values, both signs, and a pseudo-random sweep. */
    static const double fixed[] = {2.5, 0.1, 0.3, 0.7, 1.1, 123.456, 99.99, 1e-4, 1.5e-4, 9.9999e-5, 0.00012,
                                   1e14, 1e15, 999999999999999.0, 123456789.12345678, 0.125, 3.14159,
                                   1e-7, 2.675, 1.005, 1e22, 4.35, 0.29, 1234567.1, -0.5, -2.25};
    char got[64], want[64];
    int n = 0;
    for (int k = 0; k < 20000; k++) {
        double d;
        if (k < (int)(sizeof fixed / sizeof fixed[0])) {
            d = fixed[k];
        } else if (k % 3 == 0) {
            d = (double)(k * 7919 % 1000003) / 1000.0;            /* 3-digit decimals */
        } else if (k % 3 == 1) {
            d = -(double)(k * 104729 % 99991) / 100000000.0 * 7;   /* small values */
        } else {
            uint64_t bits = (uint64_t)k * 0x9E3779B97F4A7C15ull;
            bits = (bits & 0x800FFFFFFFFFFFFFull) | ((uint64_t)(1013 + k % 40) << 52);  /* ~1e-3 .. 1e9 */
            memcpy(&d, &bits, sizeof d);
        }
        float_text(d, got, sizeof got);
        reference_float_text(d, want, sizeof want);
        if (strcmp(got, want) != 0 && n++ < 5)
            fprintf(stderr, "\n  %.17g: got %s, want %s\n", d, got, want);
        CU_ASSERT_STRING_EQUAL(got, want);
    }
}

/* The JSON of one value record written by `fn` into a fresh encoder equals `want`. */
static void check_value_json(void (*fn)(rtrace_enc *), const char *want)
{
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    fn(&e);
    bool same = e.len == strlen(want) && memcmp(e.buf, want, e.len) == 0;
    if (!same)
        fprintf(stderr, "\n  want %s\n  got  %.*s\n", want, (int)e.len, e.buf);
    CU_ASSERT(same);
    rtrace_enc_free(&e);
}

static void int_min(rtrace_enc *e) { rtrace_enc_int(e, 0, INT64_MIN); }
static void int_max(rtrace_enc *e) { rtrace_enc_int(e, 18446744073709551615ull, INT64_MAX); }
static void uint_max(rtrace_enc *e) { rtrace_enc_uint(e, 2, UINT64_MAX); }
static void uint_2_63(rtrace_enc *e) { rtrace_enc_uint(e, 2, 9223372036854775808ull); }
static void uint_small(rtrace_enc *e) { rtrace_enc_uint(e, 2, 7); }
static void bigint_leading_zeros(rtrace_enc *e)
{
    static const uint8_t m[3] = {0, 0, 1};
    rtrace_enc_bigint(e, 0, m, 3, false);
}

static void test_edge__integer_extremes(void)
{
    check_value_json(int_min, "{\"kind\":\"Int\",\"i\":-9223372036854775808,\"type_id\":0}");
    check_value_json(int_max, "{\"kind\":\"Int\",\"i\":9223372036854775807,\"type_id\":18446744073709551615}");
    /* UINT64_MAX does not fit i64: BigInt, magnitude ff*8 -> "//////////8=". */
    check_value_json(uint_max, "{\"kind\":\"BigInt\",\"b\":\"//////////8=\",\"negative\":false,\"type_id\":2}");
    /* 2^63: 80 00 .. 00 -> "gAAAAAAAAAA="; values up to INT64_MAX stay Int. */
    check_value_json(uint_2_63, "{\"kind\":\"BigInt\",\"b\":\"gAAAAAAAAAA=\",\"negative\":false,\"type_id\":2}");
    check_value_json(uint_small, "{\"kind\":\"Int\",\"i\":7,\"type_id\":2}");
    /* Leading zero bytes are dropped: 00 00 01 -> "AQ==". */
    check_value_json(bigint_leading_zeros, "{\"kind\":\"BigInt\",\"b\":\"AQ==\",\"negative\":false,\"type_id\":0}");
}

/* Boundary integers for the decimal and CBOR head writers, plus a pseudo-random sweep. */
static int64_t sample_int(int k)
{
    static const int64_t edges[] = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 9999999,
                                    99999999, 100000000, 4294967295LL, 4294967296LL, 9999999999999999LL,
                                    10000000000000000LL, INT64_MAX, -1, -9, -10, -100000000, INT64_MIN,
                                    23, 24, 255, 256, 65535, 65536, -24, -25, -256, -257};
    int ne = (int)(sizeof edges / sizeof edges[0]);
    if (k < ne)
        return edges[k];
    uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    return (int64_t)(x >> (k % 64));
}

static void test_edge__decimal_digits_match_printf(void)
{
    for (int k = 0; k < 3000; k++) {
        int64_t i = sample_int(k);
        rtrace_enc e;
        rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
        rtrace_enc_int(&e, (uint64_t)i, i);
        char want[128];
        snprintf(want, sizeof want, "{\"kind\":\"Int\",\"i\":%lld,\"type_id\":%llu}", (long long)i,
                 (unsigned long long)(uint64_t)i);
        CU_ASSERT(e.len == strlen(want) && memcmp(e.buf, want, e.len) == 0);
        rtrace_enc_free(&e);
    }
}

static void test_edge__fast_paths_equal_generic_api(void)
{
    for (int f = 0; f < 2; f++) {
        rtrace_enc a, b;
        rtrace_enc_init(&a, f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON, 0);
        rtrace_enc_init(&b, f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON, 0);
        for (int k = 0; k < 2000; k++) {
            int64_t i = sample_int(k);
            uint64_t id = (uint64_t)sample_int(k + 7);
            rtrace__enc_value_int_fast(&a, id, (uint64_t)k, i);
            rtrace_enc_value_begin(&b, id);
            rtrace_enc_int(&b, (uint64_t)k, i);
            rtrace_enc_value_end(&b);
            rtrace__enc_step_fast(&a, id, i);
            rtrace_enc_step(&b, id, i);
        }
        CU_ASSERT(rtrace_enc_ok(&a) && rtrace_enc_ok(&b));
        CU_ASSERT(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
        rtrace_enc_free(&a);
        rtrace_enc_free(&b);
    }
}

/* Nests `depth` sequences inside a Value event and returns the encoder. */
static rtrace_enc nested(rtrace_format f, int depth)
{
    rtrace_enc e;
    rtrace_enc_init(&e, f, 0);
    rtrace_enc_value_begin(&e, 0);
    for (int i = 0; i < depth; i++)
        rtrace_enc_seq_begin(&e, 1);
    rtrace_enc_int(&e, 0, 42);
    for (int i = 0; i < depth; i++)
        rtrace_enc_seq_end(&e, 0, false);
    rtrace_enc_value_end(&e);
    return e;
}

static void test_edge__deep_nesting_to_the_limit(void)
{
    int depth = RTRACE_ENC_MAX_DEPTH - 1;
    rtrace_enc e = nested(RTRACE_FORMAT_JSON, depth);
    CU_ASSERT(rtrace_enc_ok(&e));
    CU_ASSERT_EQUAL(e.depth, 0);
    cJSON *j = cJSON_ParseWithLength((const char *)e.buf, e.len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Value"), "value");
    int seen = 0;
    while (v && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v, "kind")), "Sequence")) {
        seen++;
        v = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "elements"), 0);
    }
    CU_ASSERT_EQUAL(seen, depth);
    CU_ASSERT(v && cJSON_GetObjectItem(v, "i")->valuedouble == 42);
    cJSON_Delete(j);
    rtrace_enc_free(&e);

    e = nested(RTRACE_FORMAT_BINARY, depth);
    CU_ASSERT(rtrace_enc_ok(&e));
    CU_ASSERT_EQUAL(e.depth, 0);
    rtrace_enc_free(&e);

    /* One level more is a caller bug: flagged (output incomplete), no overflow. */
    e = nested(RTRACE_FORMAT_JSON, depth + 1);
    CU_ASSERT(!rtrace_enc_ok(&e));
    rtrace_enc_free(&e);
}

static void test_edge__value_tree_too_deep_becomes_error(void)
{
    /* A tree deeper than the limit is encoded with an Error value in its place. */
    rtrace_arena a = {0};
    rtrace_value *leaf = rtrace_arena_alloc(&a, sizeof *leaf);
    memset(leaf, 0, sizeof *leaf);
    leaf->kind = RTRACE_V_INT;
    rtrace_value *v = leaf;
    for (int i = 0; i < RTRACE_ENC_MAX_DEPTH + 10; i++) {
        rtrace_value *s = rtrace_arena_alloc(&a, sizeof *s);
        rtrace_value **items = rtrace_arena_alloc(&a, sizeof *items);
        memset(s, 0, sizeof *s);
        s->kind = RTRACE_V_SEQUENCE;
        items[0] = v;
        s->u.seq.items = items;
        s->u.seq.n = 1;
        v = s;
    }
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    rtrace_enc_value_begin(&e, 0);
    rtrace_enc_value_tree(&e, v);
    rtrace_enc_value_end(&e);
    CU_ASSERT(rtrace_enc_ok(&e));
    cJSON *j = cJSON_ParseWithLength((const char *)e.buf, e.len);
    CU_ASSERT_PTR_NOT_NULL(j);
    CU_ASSERT(e.len > 0 && strstr((const char *)e.buf, "\"kind\":\"Error\"") != NULL);
    cJSON_Delete(j);
    rtrace_enc_free(&e);
    rtrace_arena_free(&a);
}

static void test_edge__arena_reuses_its_chunk(void)
{
    rtrace_arena a = {0};
    void *p1 = rtrace_arena_alloc(&a, 100);
    char *s = rtrace_arena_strndup(&a, "abc", 3);
    CU_ASSERT_STRING_EQUAL(s, "abc");
    void *big = rtrace_arena_alloc(&a, 10u << 20);   /* its own chunk */
    CU_ASSERT_PTR_NOT_NULL(big);
    memset(big, 1, 10u << 20);
    rtrace_arena_reset(&a);
    void *p2 = rtrace_arena_alloc(&a, 100);
    CU_ASSERT_PTR_EQUAL(p1, p2);                      /* same chunk, from its start */
    CU_ASSERT_EQUAL((uintptr_t)p2 % 16, 0);
    rtrace_arena_free(&a);
    rtrace_arena_free(NULL);
}

static void test_edge__errors_are_per_thread_and_clearable(void)
{
    rtrace_clear_error();
    CU_ASSERT_STRING_EQUAL(rtrace_last_error(), "");
    CU_ASSERT_EQUAL(rtrace_set_error(RTRACE_EINVAL, "bad %s %d", "thing", 7), RTRACE_EINVAL);
    CU_ASSERT_STRING_EQUAL(rtrace_last_error(), "bad thing 7");
    rtrace_enc e;
    CU_ASSERT_EQUAL(rtrace_enc_init(&e, (rtrace_format)9, 0), RTRACE_EINVAL);
    CU_ASSERT(strstr(rtrace_last_error(), "unknown format") != NULL);
    rtrace_enc_free(&e);
    rtrace_clear_error();
    CU_ASSERT_STRING_EQUAL(rtrace_last_error(), "");
}

void register_edge_suite(void)
{
    CU_pSuite s = CU_add_suite("edge_values", NULL, NULL);
    CU_add_test(s, "edge__empty_string", test_edge__empty_string);
    CU_add_test(s, "edge__control_bytes_escaped_in_json", test_edge__control_bytes_escaped_in_json);
    CU_add_test(s, "edge__invalid_utf8_replaced_per_byte", test_edge__invalid_utf8_replaced_per_byte);
    CU_add_test(s, "edge__special_byte_at_every_offset", test_edge__special_byte_at_every_offset);
    CU_add_test(s, "edge__one_mib_string", test_edge__one_mib_string);
    CU_add_test(s, "edge__floats_as_round_trip_text", test_edge__floats_as_round_trip_text);
    CU_add_test(s, "edge__integer_extremes", test_edge__integer_extremes);
    CU_add_test(s, "edge__float_fast_paths_match_printf_rule", test_edge__float_fast_paths_match_printf_rule);
    CU_add_test(s, "edge__decimal_digits_match_printf", test_edge__decimal_digits_match_printf);
    CU_add_test(s, "edge__fast_paths_equal_generic_api", test_edge__fast_paths_equal_generic_api);
    CU_add_test(s, "edge__deep_nesting_to_the_limit", test_edge__deep_nesting_to_the_limit);
    CU_add_test(s, "edge__value_tree_too_deep_becomes_error", test_edge__value_tree_too_deep_becomes_error);
    CU_add_test(s, "edge__arena_reuses_its_chunk", test_edge__arena_reuses_its_chunk);
    CU_add_test(s, "edge__errors_are_per_thread_and_clearable", test_edge__errors_are_per_thread_and_clearable);
}
