/*
 * tests/lib/test_encode_cbor.c - the CBOR encoder against upstream's bytes.
 *
 * golden/good_bin/trace.bin was written by upstream's encoder from the same
 * events as golden/good_json/trace.json. We parse the JSON events, encode
 * them with our CBOR encoder, and require the result to equal, byte for
 * byte, the decompressed payload of good_bin. A few shapes absent from that
 * trace are checked against bytes worked out by hand from the canon in
 * golden/README.md and RFC 8949 (shortest heads, text keys in order), and
 * every shape of every-event.jsonl is encoded in CBOR, decoded by a small
 * strict decoder here, and compared with the golden line, key order included.
 */
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY   /* ZSTD_decompressBound */
#include <zstd.h>

#include "lib_tests.h"

/* Decompressed payload of a trace.bin (after the 8-byte header), malloc'ed. */
unsigned char *bin_payload(const char *path, size_t *n);
unsigned char *bin_payload(const char *path, size_t *n)
{
    size_t fn;
    char *file = read_whole(path, &fn);
    if (!file || fn < 8)
        return NULL;
    unsigned long long bound = ZSTD_decompressBound(file + 8, fn - 8);
    size_t cap = bound == ZSTD_CONTENTSIZE_ERROR || bound < 1 ? 1 : (size_t)bound;
    unsigned char *out = malloc(cap);
    size_t r = ZSTD_decompress(out, cap, file + 8, fn - 8);
    free(file);
    if (ZSTD_isError(r)) {
        free(out);
        return NULL;
    }
    *n = r;
    return out;
}

/* Our CBOR for every event of good_json/trace.json, back to back. */
static rtrace_enc encode_good_json_cbor(void)
{
    rtrace_enc e;
    rtrace_arena a = {0};
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    char *text = read_whole(golden_path("good_json/trace.json"), NULL);
    cJSON *arr = text ? cJSON_Parse(text) : NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        rtrace_event ev;
        if (json_to_event(&ev, &a, it) == 0)
            rtrace_enc_event_struct(&e, &ev);
        rtrace_arena_reset(&a);
    }
    cJSON_Delete(arr);
    free(text);
    rtrace_arena_free(&a);
    return e;
}

static void test_cbor__good_bin_payload_byte_identical(void)
{
    size_t n = 0;
    unsigned char *want = bin_payload(golden_path("good_bin/trace.bin"), &n);
    CU_ASSERT_FATAL(want != NULL);
    CU_ASSERT_EQUAL(n, 1766);    /* 6 frames of 256 bytes + 230, per its seek table */
    rtrace_enc e = encode_good_json_cbor();
    CU_ASSERT(rtrace_enc_ok(&e));
    CU_ASSERT_EQUAL(e.len, n);
    size_t first_diff = 0;
    while (first_diff < n && first_diff < e.len && want[first_diff] == e.buf[first_diff])
        first_diff++;
    if (first_diff != n)
        fprintf(stderr, "\nCBOR differs from good_bin at byte %zu\n", first_diff);
    CU_ASSERT_EQUAL(first_diff, n);
    rtrace_enc_free(&e);
    free(want);
}

/* Encodes with `fn` into a fresh CBOR encoder and compares with want[0, n). */
static void check_bytes(void (*fn)(rtrace_enc *), const char *want, size_t n)
{
    rtrace_enc e;
    CU_ASSERT_FATAL(rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0) == 0);
    fn(&e);
    CU_ASSERT_EQUAL(e.len, n);
    CU_ASSERT(e.len == n && memcmp(e.buf, want, n) == 0);
    CU_ASSERT_EQUAL(e.depth, 0);
    rtrace_enc_free(&e);
}
#define CHECK_BYTES(fn, lit) check_bytes((fn), (lit), sizeof(lit) - 1)

static void step_0_8(rtrace_enc *e) { rtrace_enc_step(e, 0, 8); }
static void drop_last(rtrace_enc *e) { rtrace_enc_drop_last_step(e); }
static void step_neg(rtrace_enc *e) { rtrace_enc_step(e, 1000, -1); }
static void seq_bool(rtrace_enc *e)
{
    rtrace_enc_value_begin(e, 0);
    rtrace_enc_seq_begin(e, 1);
    rtrace_enc_bool(e, 1, true);
    rtrace_enc_seq_end(e, 1, false);
    rtrace_enc_value_end(e);
}
static void bigint_2_64(rtrace_enc *e)
{
    static const uint8_t m[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    rtrace_enc_bigint(e, 1, m, 9, true);
}
static void float_nan(rtrace_enc *e) { rtrace_enc_float(e, 1, __builtin_nan("")); }
static void cell_neg(rtrace_enc *e) { rtrace_enc_cell(e, -300); }
static void drop_vars(rtrace_enc *e) { static const uint64_t ids[2] = {0, 70000}; rtrace_enc_drop_variables(e, ids, 2); }
static void int_min(rtrace_enc *e) { rtrace_enc_int(e, 0, INT64_MIN); }

static void test_cbor__hand_checked_shapes(void)
{
    /* README's example. */
    CHECK_BYTES(step_0_8, "\xa1\x64Step\xa2\x67path_id\x00\x64line\x08");
    /* Unit variant: bare text. */
    CHECK_BYTES(drop_last, "\x6c" "DropLastStep");
    /* 1000 = 19 03 e8; -1 = 20. */
    CHECK_BYTES(step_neg, "\xa1\x64Step\xa2\x67path_id\x19\x03\xe8\x64line\x20");
    /* Sequence: 4 entries, kind first, elements array, is_slice, type_id. */
    CHECK_BYTES(seq_bool, "\xa1\x65Value\xa2\x6bvariable_id\x00\x65value"
                          "\xa4\x64kind\x68Sequence\x68" "elements\x81"
                          "\xa3\x64kind\x64" "Bool\x61" "b\xf5\x67type_id\x01"
                          "\x68is_slice\xf4\x67type_id\x01");
    /* BigInt b as text "AQAAAAAAAAAA". */
    CHECK_BYTES(bigint_2_64, "\xa4\x64kind\x66" "BigInt\x61" "b\x6c" "AQAAAAAAAAAA\x68negative\xf5\x67type_id\x01");
    /* Float f as text. */
    CHECK_BYTES(float_nan, "\xa3\x64kind\x65" "Float\x61" "f\x63NaN\x67type_id\x01");
    /* Cell: 2 entries, no type_id; -300 = 39 01 2b. */
    CHECK_BYTES(cell_neg, "\xa2\x64kind\x64" "Cell\x65place\x39\x01\x2b");
    /* 70000 = 1a 00 01 11 70. */
    CHECK_BYTES(drop_vars, "\xa1\x6d" "DropVariables\x82\x00\x1a\x00\x01\x11\x70");
    /* INT64_MIN = 3b 7f ff ff ff ff ff ff ff. */
    CHECK_BYTES(int_min, "\xa3\x64kind\x63Int\x61i\x3b\x7f\xff\xff\xff\xff\xff\xff\xff\x67type_id\x00");
}

/* ---- A minimal strict CBOR decoder into cJSON (definite lengths, the types traces use) ---- */

typedef struct cbor_in { const unsigned char *p, *end; bool bad; } cbor_in;

static uint64_t cbor_arg(cbor_in *in, unsigned info)
{
    if (info < 24)
        return info;
    int n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : -1;
    if (n < 0 || in->end - in->p < n) {
        in->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int k = 0; k < n; k++)
        v = v << 8 | *in->p++;
    /* Shortest form only (what upstream writes). */
    if ((n == 1 && v < 24) || (n == 2 && v <= 0xff) || (n == 4 && v <= 0xffff) || (n == 8 && v <= 0xffffffffu))
        in->bad = true;
    return v;
}

static cJSON *cbor_item(cbor_in *in)
{
    if (in->p >= in->end) {
        in->bad = true;
        return NULL;
    }
    unsigned b = *in->p++, major = b >> 5, info = b & 31;
    if (major == 7) {
        if (info == 20) return cJSON_CreateFalse();
        if (info == 21) return cJSON_CreateTrue();
        if (info == 22) return cJSON_CreateNull();
        in->bad = true;       /* no floats, no indefinite lengths */
        return NULL;
    }
    uint64_t v = cbor_arg(in, info);
    if (in->bad)
        return NULL;
    switch (major) {
    case 0: return cJSON_CreateNumber((double)v);
    case 1: return cJSON_CreateNumber(-1.0 - (double)v);
    case 3: {
        if ((uint64_t)(in->end - in->p) < v) {
            in->bad = true;
            return NULL;
        }
        char *t = malloc(v + 1);
        memcpy(t, in->p, v);
        t[v] = '\0';
        in->p += v;
        cJSON *j = cJSON_CreateString(t);
        free(t);
        return j;
    }
    case 4: {
        cJSON *a = cJSON_CreateArray();
        for (uint64_t k = 0; k < v && !in->bad; k++)
            cJSON_AddItemToArray(a, cbor_item(in));
        return a;
    }
    case 5: {
        cJSON *o = cJSON_CreateObject();
        for (uint64_t k = 0; k < v && !in->bad; k++) {
            cJSON *key = cbor_item(in);
            if (!cJSON_IsString(key)) {
                in->bad = true;
                cJSON_Delete(key);
                break;
            }
            cJSON_AddItemToObject(o, key->valuestring, cbor_item(in));
            cJSON_Delete(key);
        }
        return o;
    }
    default:
        in->bad = true;
        return NULL;
    }
}

/* Same JSON value AND same key order at every level. */
static bool same_in_order(const cJSON *a, const cJSON *b)
{
    if (!cJSON_Compare(a, b, true))
        return false;
    const cJSON *x = a ? a->child : NULL, *y = b ? b->child : NULL;
    for (; x && y; x = x->next, y = y->next) {
        if ((x->string || y->string) && (!x->string || !y->string || strcmp(x->string, y->string)))
            return false;
        if (!same_in_order(x, y))
            return false;
    }
    return !x && !y;
}

static void test_cbor__every_event_shape_decodes_to_golden_json(void)
{
    char *file = read_whole(golden_path("every-event.jsonl"), NULL);
    CU_ASSERT_FATAL(file != NULL);
    rtrace_enc e;
    rtrace_arena a = {0};
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    int n = 0;
    for (char *save = NULL, *l = strtok_r(file, "\n", &save); l && n < 35; l = strtok_r(NULL, "\n", &save), n++) {
        cJSON *want = cJSON_Parse(l);
        rtrace_event ev;
        CU_ASSERT_FATAL(json_to_event(&ev, &a, want) == 0);
        rtrace_enc_reset(&e);
        rtrace_enc_event_struct(&e, &ev);
        cbor_in in = {e.buf, e.buf + e.len, false};
        cJSON *got = cbor_item(&in);
        bool ok = !in.bad && in.p == in.end && same_in_order(want, got);
        if (!ok) {
            char *g = got ? cJSON_PrintUnformatted(got) : NULL;
            fprintf(stderr, "\nline %d: want %s\n  got %s%s\n", n + 1, l, g ? g : "(undecodable)",
                    in.bad ? " (bad CBOR)" : in.p != in.end ? " (trailing bytes)" : "");
            free(g);
        }
        CU_ASSERT(ok);
        cJSON_Delete(want);
        cJSON_Delete(got);
        rtrace_arena_reset(&a);
    }
    CU_ASSERT_EQUAL(n, 35);
    rtrace_arena_free(&a);
    rtrace_enc_free(&e);
    free(file);
}

void register_encode_cbor_suite(void)
{
    CU_pSuite s = CU_add_suite("encode_cbor", NULL, NULL);
    CU_add_test(s, "cbor__good_bin_payload_byte_identical", test_cbor__good_bin_payload_byte_identical);
    CU_add_test(s, "cbor__hand_checked_shapes", test_cbor__hand_checked_shapes);
    CU_add_test(s, "cbor__every_event_shape_decodes_to_golden_json", test_cbor__every_event_shape_decodes_to_golden_json);
}
