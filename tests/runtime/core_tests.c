/*
 * tests/runtime/core_tests.c - CUnit tests of the runtime core in isolation:
 * value capture of every C type from hand-built rt_types (the JSON text is
 * what trace-format.md says each C type becomes, written out by hand), the
 * SysV return classification, the frame stack and gdb's stepping rules on
 * synthetic probe sequences, the Type/VariableName definitions (recursive
 * types) and RTRACE_FILTER.
 *
 * The core is linked without the lifecycle and the DWARF loader: the few
 * functions it calls from them are stubbed below (rt_safe_copy treats every
 * address below 0x10000, and a test's "unmapped page", as unmapped).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../runtime/core.h"

/* ---- Stubs of the lifecycle ------------------------------------------------ */
rt_config rt_cfg;
static rtrace_enc defs_enc;

/* A test's "unmapped page": [stub_hole, stub_hole + stub_hole_len). */
static uintptr_t stub_hole, stub_hole_len;

/* Copies stop at the first unmapped byte, as the real one's (lifecycle_unit.c
 * checks that to the byte). */
size_t rt_safe_copy(void *dst, const void *src, size_t n)
{
    uintptr_t a = (uintptr_t)src;
    if (a < 0x10000)
        return 0;
    if (stub_hole_len && a < stub_hole + stub_hole_len && a + n > stub_hole)
        n = a < stub_hole ? stub_hole - a : 0;
    memcpy(dst, src, n);
    return n;
}
rt_thread *rt_thread_get(void) { return NULL; }
bool rt_modules_rescan_in_dlopen(void) { return false; }
bool rt_thread_frames_reserve(rt_thread *t, size_t n)
{
    size_t cap = t->frames_cap ? t->frames_cap : 4;
    while (cap < n)
        cap *= 2;
    rt_frame *f = realloc(t->frames, cap * sizeof *f);
    if (!f)
        return false;
    t->frames = f;
    t->frames_cap = cap;
    return true;
}
void rt_output_commit(rt_thread *t, unsigned n) { (void)t; (void)n; }
rtrace_enc *rt_output_defs_begin(void) { return &defs_enc; }
void rt_output_defs_end(void) {}
uint32_t rt_output_path_id(const char *p) { (void)p; return 0; }
bool rt_recording(void) { return true; }
size_t rt_modules_sym_name(uint64_t a, char *out, size_t cap)
{
    (void)a; (void)out; (void)cap;
    return 0;
}
void rt_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
const rt_site *rt_sites_lookup(uint64_t pc) { (void)pc; return NULL; }

static int add_impl(int a, int b) { return a + b; }
static const rt_func add_func = { .name = "add" };
const rt_func *rt_core_func_at(uint64_t addr)
{
    return addr == (uint64_t)(uintptr_t)&add_impl ? &add_func : NULL;
}

/* ---- Helpers ----------------------------------------------------------------- */
static char out[65536];

/* The JSON text of the encoder's bytes, without the trailing newline. */
static const char *text_of(rtrace_enc *e)
{
    size_t n = e->len < sizeof out - 1 ? e->len : sizeof out - 1;
    memcpy(out, e->buf, n);
    out[n] = 0;
    return out;
}

/* The value record rt_capture writes for (t, p), as JSON text. */
static const char *cap_json(const rt_type *t, const void *p)
{
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    e.json_first = true;
    rtrace_enc_value_begin(&e, 0);
    rt_capture(&e, t, p, false, 0);
    rtrace_enc_value_end(&e);
    const char *s = text_of(&e);
    rtrace_enc_free(&e);
    const char *pre = "{\"Value\":{\"variable_id\":0,\"value\":";
    size_t lp = strlen(pre), l = strlen(s);
    if (strncmp(s, pre, lp) || l < lp + 2)
        return s;
    memmove(out, s + lp, l - lp - 2);
    out[l - lp - 2] = 0;
    return out;
}

#define EXPECT_CAP(t, p, want) CU_ASSERT_STRING_EQUAL(cap_json((t), (p)), (want))

static void reset_cfg(void)
{
    memset(&rt_cfg, 0, sizeof rt_cfg);
    rt_cfg.max_depth = 2;
    rt_cfg.max_elems = 32;
    rt_cfg.max_string = 256;
    rt_cfg.mode = RT_MODE_FULL;
}

/* ---- Hand-built types ---------------------------------------------------------- */
static rt_type t_schar = { .tag = RT_T_INT, .is_char = true, .size = 1, .name = "char", .trace_type_id = 1 };
static rt_type t_uchar = { .tag = RT_T_UINT, .is_char = true, .size = 1, .name = "unsigned char", .trace_type_id = 2 };
static rt_type t_short = { .tag = RT_T_INT, .size = 2, .name = "short", .trace_type_id = 3 };
static rt_type t_int = { .tag = RT_T_INT, .size = 4, .name = "int", .trace_type_id = 4 };
static rt_type t_uint = { .tag = RT_T_UINT, .size = 4, .name = "unsigned int", .trace_type_id = 5 };
static rt_type t_long = { .tag = RT_T_INT, .size = 8, .name = "long", .trace_type_id = 6 };
static rt_type t_ulong = { .tag = RT_T_UINT, .size = 8, .name = "unsigned long", .trace_type_id = 7 };
static rt_type t_i128 = { .tag = RT_T_INT, .size = 16, .name = "__int128", .trace_type_id = 8 };
static rt_type t_bool = { .tag = RT_T_BOOL, .size = 1, .name = "_Bool", .trace_type_id = 9 };
static rt_type t_float = { .tag = RT_T_FLOAT, .size = 4, .name = "float", .trace_type_id = 10 };
static rt_type t_double = { .tag = RT_T_FLOAT, .size = 8, .name = "double", .trace_type_id = 11 };
static rt_type t_ldouble = { .tag = RT_T_FLOAT, .size = 16, .name = "long double", .trace_type_id = 12 };
static rt_type t_myint = { .tag = RT_T_INT, .size = 4, .name = "myint_t", .trace_type_id = 13 };

static const rt_enumerator color_e[] = { { "RED", 0 }, { "GREEN", 1 }, { "BLUE", 2 } };
static rt_type t_color = { .tag = RT_T_ENUM, .size = 4, .name = "enum color", .trace_type_id = 20,
                           .u.en = { color_e, 3 }, .tag_signed = false };
static const rt_enumerator sign_e[] = { { "NEG", -1 }, { "POS", 1 } };
static rt_type t_sign = { .tag = RT_T_ENUM, .size = 4, .name = "enum sign", .trace_type_id = 21,
                          .u.en = { sign_e, 2 }, .tag_signed = true };

/* ---- Tests: scalars -------------------------------------------------------------- */
static void test_capture__integers_every_width_and_signedness(void)
{
    signed char sc = -1;
    unsigned char uc = 200;
    short s = -300;
    int i = -5;
    unsigned int u = 4000000000u;
    long l = INT64_MIN;
    unsigned long ul = UINT64_MAX;
    EXPECT_CAP(&t_schar, &sc, "{\"kind\":\"Int\",\"i\":-1,\"type_id\":1}");
    EXPECT_CAP(&t_uchar, &uc, "{\"kind\":\"Int\",\"i\":200,\"type_id\":2}");
    EXPECT_CAP(&t_short, &s, "{\"kind\":\"Int\",\"i\":-300,\"type_id\":3}");
    EXPECT_CAP(&t_int, &i, "{\"kind\":\"Int\",\"i\":-5,\"type_id\":4}");
    EXPECT_CAP(&t_uint, &u, "{\"kind\":\"Int\",\"i\":4000000000,\"type_id\":5}");
    EXPECT_CAP(&t_long, &l, "{\"kind\":\"Int\",\"i\":-9223372036854775808,\"type_id\":6}");
    /* above INT64_MAX: BigInt, base64 of the 8 bytes ff..ff */
    EXPECT_CAP(&t_ulong, &ul, "{\"kind\":\"BigInt\",\"b\":\"//////////8=\",\"negative\":false,\"type_id\":7}");
    EXPECT_CAP(&t_myint, &i, "{\"kind\":\"Int\",\"i\":-5,\"type_id\":13}");
}

static void test_capture__int128_fits_or_bigint(void)
{
    __int128 a = -1;
    __int128 b = (__int128)1 << 64;   /* magnitude 01 00 00 00 00 00 00 00 00 */
    __int128 c = -b;
    EXPECT_CAP(&t_i128, &a, "{\"kind\":\"Int\",\"i\":-1,\"type_id\":8}");
    EXPECT_CAP(&t_i128, &b, "{\"kind\":\"BigInt\",\"b\":\"AQAAAAAAAAAA\",\"negative\":false,\"type_id\":8}");
    EXPECT_CAP(&t_i128, &c, "{\"kind\":\"BigInt\",\"b\":\"AQAAAAAAAAAA\",\"negative\":true,\"type_id\":8}");
}

static void test_capture__bool_and_floats(void)
{
    _Bool t = 1, f = 0;
    float fl = 2.5f;
    double d = 0.1, inf = 1.0 / 0.0;
    long double ld = 0.1L, ld2 = -1.5L;
    EXPECT_CAP(&t_bool, &t, "{\"kind\":\"Bool\",\"b\":true,\"type_id\":9}");
    EXPECT_CAP(&t_bool, &f, "{\"kind\":\"Bool\",\"b\":false,\"type_id\":9}");
    EXPECT_CAP(&t_float, &fl, "{\"kind\":\"Float\",\"f\":\"2.5\",\"type_id\":10}");
    EXPECT_CAP(&t_double, &d, "{\"kind\":\"Float\",\"f\":\"0.1\",\"type_id\":11}");
    EXPECT_CAP(&t_double, &inf, "{\"kind\":\"Float\",\"f\":\"inf\",\"type_id\":11}");
    /* %.21Lg of the long double nearest 0.1 */
    EXPECT_CAP(&t_ldouble, &ld, "{\"kind\":\"Float\",\"f\":\"0.100000000000000000001\",\"type_id\":12}");
    EXPECT_CAP(&t_ldouble, &ld2, "{\"kind\":\"Float\",\"f\":\"-1.5\",\"type_id\":12}");
}

static void test_capture__enum_variant_or_number(void)
{
    int green = 1, seven = 7, neg = -1, negtwo = -2;
    EXPECT_CAP(&t_color, &green, "{\"kind\":\"Variant\",\"discriminator\":\"GREEN\","
               "\"contents\":{\"kind\":\"None\",\"type_id\":0},\"type_id\":20}");
    EXPECT_CAP(&t_color, &seven, "{\"kind\":\"Variant\",\"discriminator\":\"7\","
               "\"contents\":{\"kind\":\"None\",\"type_id\":0},\"type_id\":20}");
    EXPECT_CAP(&t_sign, &neg, "{\"kind\":\"Variant\",\"discriminator\":\"NEG\","
               "\"contents\":{\"kind\":\"None\",\"type_id\":0},\"type_id\":21}");
    EXPECT_CAP(&t_sign, &negtwo, "{\"kind\":\"Variant\",\"discriminator\":\"-2\","
               "\"contents\":{\"kind\":\"None\",\"type_id\":0},\"type_id\":21}");
}

/* ---- Tests: aggregates ------------------------------------------------------------ */
struct pt { int x; double y; };
static const rt_member pt_m[] = { { "x", &t_int, 0, 0, 0 }, { "y", &t_double, 8, 0, 0 } };
static rt_type t_pt = { .tag = RT_T_STRUCT, .size = 16, .name = "struct pt", .trace_type_id = 30,
                        .u.su = { pt_m, 2 } };

static void test_capture__struct_nested_fields_in_order(void)
{
    struct outer { char c; struct pt p; } o = { 'h', { 3, -0.5 } };
    const rt_member om[] = { { "c", &t_schar, 0, 0, 0 }, { "p", &t_pt, 8, 0, 0 } };
    rt_type t_outer = { .tag = RT_T_STRUCT, .size = sizeof o, .name = "struct outer",
                        .trace_type_id = 31, .u.su = { om, 2 } };
    EXPECT_CAP(&t_outer, &o, "{\"kind\":\"Struct\",\"field_values\":[{\"kind\":\"Int\",\"i\":104,\"type_id\":1},"
               "{\"kind\":\"Struct\",\"field_values\":[{\"kind\":\"Int\",\"i\":3,\"type_id\":4},"
               "{\"kind\":\"Float\",\"f\":\"-0.5\",\"type_id\":11}],\"type_id\":30}],\"type_id\":31}");
}

static void test_capture__bitfield_signed_and_unsigned(void)
{
    struct bf { int a : 3; unsigned b : 5; int c : 10; enum { Z0, Z1, Z2 } d : 2; } v;
    memset(&v, 0, sizeof v);
    v.a = -3;
    v.b = 17;
    v.c = -200;
    v.d = Z2;
    const rt_enumerator ze[] = { { "Z0", 0 }, { "Z1", 1 }, { "Z2", 2 } };
    rt_type t_z = { .tag = RT_T_ENUM, .size = 4, .name = "enum z", .trace_type_id = 33,
                    .u.en = { ze, 3 } };
    /* x86-64 SysV: bitfields are allocated from the least significant bit */
    const rt_member bm[] = { { "a", &t_int, 0, 0, 3 }, { "b", &t_uint, 0, 3, 5 },
                             { "c", &t_int, 1, 0, 10 }, { "d", &t_z, 2, 2, 2 } };
    rt_type t_bf = { .tag = RT_T_STRUCT, .size = sizeof v, .name = "struct bf", .trace_type_id = 32,
                     .u.su = { bm, 4 } };
    EXPECT_CAP(&t_bf, &v, "{\"kind\":\"Struct\",\"field_values\":[{\"kind\":\"Int\",\"i\":-3,\"type_id\":4},"
               "{\"kind\":\"Int\",\"i\":17,\"type_id\":5},{\"kind\":\"Int\",\"i\":-200,\"type_id\":4},"
               "{\"kind\":\"Variant\",\"discriminator\":\"Z2\",\"contents\":{\"kind\":\"None\",\"type_id\":0},"
               "\"type_id\":33}],\"type_id\":32}");
}

static void test_capture__union_shows_every_member(void)
{
    union { int i; float f; unsigned char b[4]; } u;
    u.f = 1.0f;                                  /* 0x3f800000 */
    rt_type t_b4 = { .tag = RT_T_ARRAY, .size = 4, .name = "unsigned char[4]", .trace_type_id = 41,
                     .u.arr = { &t_uchar, 4 } };
    const rt_member um[] = { { "i", &t_int, 0, 0, 0 }, { "f", &t_float, 0, 0, 0 }, { "b", &t_b4, 0, 0, 0 } };
    rt_type t_u = { .tag = RT_T_UNION, .size = 4, .name = "union u", .trace_type_id = 40, .u.su = { um, 3 } };
    EXPECT_CAP(&t_u, &u, "{\"kind\":\"Struct\",\"field_values\":[{\"kind\":\"Int\",\"i\":1065353216,\"type_id\":4},"
               "{\"kind\":\"Float\",\"f\":\"1\",\"type_id\":10},{\"kind\":\"Sequence\",\"elements\":["
               "{\"kind\":\"Int\",\"i\":0,\"type_id\":2},{\"kind\":\"Int\",\"i\":0,\"type_id\":2},"
               "{\"kind\":\"Int\",\"i\":128,\"type_id\":2},{\"kind\":\"Int\",\"i\":63,\"type_id\":2}],"
               "\"is_slice\":false,\"type_id\":41}],\"type_id\":40}");
}

static void test_capture__array_multidimensional_and_capped(void)
{
    reset_cfg();
    int m[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
    rt_type t_row = { .tag = RT_T_ARRAY, .size = 12, .name = "int[3]", .trace_type_id = 50, .u.arr = { &t_int, 3 } };
    rt_type t_m = { .tag = RT_T_ARRAY, .size = 24, .name = "int[2][3]", .trace_type_id = 51, .u.arr = { &t_row, 2 } };
#define I(n) "{\"kind\":\"Int\",\"i\":" #n ",\"type_id\":4}"
    EXPECT_CAP(&t_m, m, "{\"kind\":\"Sequence\",\"elements\":["
               "{\"kind\":\"Sequence\",\"elements\":[" I(1) "," I(2) "," I(3) "],\"is_slice\":false,\"type_id\":50},"
               "{\"kind\":\"Sequence\",\"elements\":[" I(4) "," I(5) "," I(6) "],\"is_slice\":false,\"type_id\":50}"
               "],\"is_slice\":false,\"type_id\":51}");
    rt_cfg.max_elems = 2;
    EXPECT_CAP(&t_row, m[1], "{\"kind\":\"Sequence\",\"elements\":[" I(4) "," I(5) "],\"is_slice\":false,\"type_id\":50}");
#undef I
    reset_cfg();
}

/* Arrays of integers are copied and encoded a block at a time (capture.c,
 * put_array): every width and sign in a block, and BigInt past INT64_MAX. */
static void test_capture__integer_arrays_every_width_in_blocks(void)
{
    reset_cfg();
    signed char sc[4] = { -128, -1, 0, 127 };
    unsigned char uc[3] = { 0, 128, 255 };
    short sh[2] = { -32768, 32767 };
    unsigned long ul[3] = { 1, UINT64_MAX, (unsigned long)1 << 63 };
    rt_type t_sc = { .tag = RT_T_ARRAY, .size = 4, .name = "char[4]", .trace_type_id = 52, .u.arr = { &t_schar, 4 } };
    rt_type t_uc = { .tag = RT_T_ARRAY, .size = 3, .name = "unsigned char[3]", .trace_type_id = 53, .u.arr = { &t_uchar, 3 } };
    rt_type t_sh = { .tag = RT_T_ARRAY, .size = 4, .name = "short[2]", .trace_type_id = 54, .u.arr = { &t_short, 2 } };
    rt_type t_ul = { .tag = RT_T_ARRAY, .size = 24, .name = "unsigned long[3]", .trace_type_id = 55, .u.arr = { &t_ulong, 3 } };
#define I(n, t) "{\"kind\":\"Int\",\"i\":" #n ",\"type_id\":" #t "}"
#define SEQ(els, t) "{\"kind\":\"Sequence\",\"elements\":[" els "],\"is_slice\":false,\"type_id\":" #t "}"
    EXPECT_CAP(&t_sc, sc, SEQ(I(-128, 1) "," I(-1, 1) "," I(0, 1) "," I(127, 1), 52));
    EXPECT_CAP(&t_uc, uc, SEQ(I(0, 2) "," I(128, 2) "," I(255, 2), 53));
    EXPECT_CAP(&t_sh, sh, SEQ(I(-32768, 3) "," I(32767, 3), 54));
    EXPECT_CAP(&t_ul, ul, SEQ(I(1, 7) ","
                              "{\"kind\":\"BigInt\",\"b\":\"//////////8=\",\"negative\":false,\"type_id\":7},"
                              "{\"kind\":\"BigInt\",\"b\":\"gAAAAAAAAAA=\",\"negative\":false,\"type_id\":7}", 55));
#undef SEQ
#undef I
}

/* Integer arrays in CBOR: the capture's bytes are the library encoder's,
 * element by element (a Sequence of Int records, a BigInt above INT64_MAX),
 * with type ids of one and of two bytes, and an array long enough to be read
 * in several blocks. */
static void test_capture__integer_arrays_cbor_as_the_encoder_writes(void)
{
    reset_cfg();
    rt_cfg.max_elems = 100;
    static const rt_type *elems[] = { &t_schar, &t_uchar, &t_short, &t_ulong };
    unsigned char data[8 * 90];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    memset(data + 8 * 5, 0xff, 8);            /* an unsigned long of UINT64_MAX: a BigInt */
    for (size_t k = 0; k < sizeof elems / sizeof *elems; k++) {
        for (uint64_t tid = 7; tid <= 300; tid += 293) {
            rt_type el = *elems[k];
            el.trace_type_id = tid;
            uint32_t n = (uint32_t)(sizeof data / el.size);
            if (n > 90)
                n = 90;
            rt_type arr = { .tag = RT_T_ARRAY, .size = n * el.size, .name = "array", .trace_type_id = 40,
                            .u.arr = { &el, n } };
            rtrace_enc got, want;
            rtrace_enc_init(&got, RTRACE_FORMAT_BINARY, 0);
            rtrace_enc_init(&want, RTRACE_FORMAT_BINARY, 0);
            rt_capture(&got, &arr, data, false, 0);
            rtrace_enc_seq_begin(&want, n);
            for (uint32_t i = 0; i < n; i++) {
                const unsigned char *p = data + (size_t)i * el.size;
                if (el.size == 1)
                    rtrace_enc_int(&want, tid, el.tag == RT_T_INT ? (int8_t)p[0] : p[0]);
                else if (el.size == 2) {
                    int16_t v;
                    memcpy(&v, p, 2);
                    rtrace_enc_int(&want, tid, v);
                } else {
                    uint64_t v;
                    memcpy(&v, p, 8);
                    if (v > (uint64_t)INT64_MAX)
                        rtrace_enc_uint(&want, tid, v);
                    else
                        rtrace_enc_int(&want, tid, (int64_t)v);
                }
            }
            rtrace_enc_seq_end(&want, 40, false);
            CU_ASSERT_EQUAL(got.len, want.len);
            CU_ASSERT(got.len == want.len && memcmp(got.buf, want.buf, got.len) == 0);
            rtrace_enc_free(&got);
            rtrace_enc_free(&want);
        }
    }
}

/* ---- Tests: pointers ----------------------------------------------------------------- */
static rt_type t_pint = { .tag = RT_T_POINTER, .size = 8, .name = "int *", .trace_type_id = 60, .u.ptr = { &t_int } };
static rt_type t_cpint = { .tag = RT_T_POINTER, .size = 8, .is_const = true, .name = "const int *",
                           .trace_type_id = 61, .u.ptr = { &t_int } };
static rt_type t_ppint = { .tag = RT_T_POINTER, .size = 8, .name = "int **", .trace_type_id = 62, .u.ptr = { &t_pint } };
static rt_type t_vp = { .tag = RT_T_POINTER, .size = 8, .name = "void *", .trace_type_id = 63, .u.ptr = { NULL } };

static void test_capture__pointer_reference_null_const_and_unreadable(void)
{
    reset_cfg();
    int x = 42;
    int *p = &x, *null = NULL, *bad = (int *)0x1234;
    char want[512];
    snprintf(want, sizeof want, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Int\",\"i\":42,\"type_id\":4},"
             "\"address\":%llu,\"mutable\":true,\"type_id\":60}", (unsigned long long)(uintptr_t)&x);
    EXPECT_CAP(&t_pint, &p, want);
    snprintf(want, sizeof want, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Int\",\"i\":42,\"type_id\":4},"
             "\"address\":%llu,\"mutable\":false,\"type_id\":61}", (unsigned long long)(uintptr_t)&x);
    EXPECT_CAP(&t_cpint, &p, want);
    EXPECT_CAP(&t_pint, &null, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"None\",\"type_id\":0},"
               "\"address\":0,\"mutable\":true,\"type_id\":60}");
    EXPECT_CAP(&t_pint, &bad, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Error\",\"msg\":"
               "\"cannot access memory at 0x1234\",\"type_id\":4},\"address\":4660,\"mutable\":true,\"type_id\":60}");
    void *vp = &x;
    snprintf(want, sizeof want, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"None\",\"type_id\":0},"
             "\"address\":%llu,\"mutable\":true,\"type_id\":63}", (unsigned long long)(uintptr_t)&x);
    EXPECT_CAP(&t_vp, &vp, want);
}

static void test_capture__pointer_depth_capped(void)
{
    reset_cfg();
    rt_cfg.max_depth = 1;
    int x = 7;
    int *p = &x;
    int **pp = &p;
    char want[512];
    /* one level followed: the inner pointer's target is None */
    snprintf(want, sizeof want, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Reference\",\"dereferenced\":"
             "{\"kind\":\"None\",\"type_id\":0},\"address\":%llu,\"mutable\":true,\"type_id\":60},"
             "\"address\":%llu,\"mutable\":true,\"type_id\":62}",
             (unsigned long long)(uintptr_t)&x, (unsigned long long)(uintptr_t)&p);
    EXPECT_CAP(&t_ppint, &pp, want);
    reset_cfg();
}

static void test_capture__pointer_cycle_is_bounded(void)
{
    reset_cfg();
    struct node { int v; struct node *next; } n = { 5, NULL };
    n.next = &n;
    rt_type t_node = { .tag = RT_T_STRUCT, .size = sizeof n, .name = "struct node", .trace_type_id = 70 };
    rt_type t_pnode = { .tag = RT_T_POINTER, .size = 8, .name = "struct node *", .trace_type_id = 71,
                        .u.ptr = { &t_node } };
    const rt_member nm[] = { { "v", &t_int, 0, 0, 0 }, { "next", &t_pnode, 8, 0, 0 } };
    t_node.u.su.members = nm;
    t_node.u.su.n = 2;
    unsigned long long a = (uintptr_t)&n;
    char want[1024];
    snprintf(want, sizeof want,
             "{\"kind\":\"Struct\",\"field_values\":[{\"kind\":\"Int\",\"i\":5,\"type_id\":4},"
             "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Struct\",\"field_values\":["
             "{\"kind\":\"Int\",\"i\":5,\"type_id\":4},{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Struct\","
             "\"field_values\":[{\"kind\":\"Int\",\"i\":5,\"type_id\":4},{\"kind\":\"Reference\",\"dereferenced\":"
             "{\"kind\":\"None\",\"type_id\":0},\"address\":%llu,\"mutable\":true,\"type_id\":71}],\"type_id\":70},"
             "\"address\":%llu,\"mutable\":true,\"type_id\":71}],\"type_id\":70},\"address\":%llu,\"mutable\":true,"
             "\"type_id\":71}],\"type_id\":70}", a, a, a);
    EXPECT_CAP(&t_node, &n, want);
}

static rt_type t_cchar = { .tag = RT_T_INT, .is_char = true, .is_plain_char = true, .is_const = true,
                           .size = 1, .name = "const char", .trace_type_id = 80 };
static rt_type t_str = { .tag = RT_T_POINTER, .size = 8, .is_const = true, .name = "const char *",
                         .trace_type_id = 81, .u.ptr = { &t_cchar } };
static rt_type t_ustr = { .tag = RT_T_POINTER, .size = 8, .name = "unsigned char *", .trace_type_id = 82,
                          .u.ptr = { &t_uchar } };

static void test_capture__char_pointer_string_null_unreadable_capped(void)
{
    reset_cfg();
    const char *s = "hi \"x\"\n", *null = NULL, *bad = (const char *)0x20;
    EXPECT_CAP(&t_str, &s, "{\"kind\":\"String\",\"text\":\"hi \\\"x\\\"\\n\",\"type_id\":81}");
    /* NULL: Raw "0x0" (a Reference needs a Pointer type; this is a CString) */
    EXPECT_CAP(&t_str, &null, "{\"kind\":\"Raw\",\"r\":\"0x0\",\"type_id\":81}");
    EXPECT_CAP(&t_str, &bad, "{\"kind\":\"Error\",\"msg\":\"cannot access memory at 0x20\",\"type_id\":81}");
    rt_cfg.max_string = 3;
    const char *longs = "abcdef";
    EXPECT_CAP(&t_str, &longs, "{\"kind\":\"String\",\"text\":\"abc\",\"type_id\":81}");
    /* an unsigned char * (uint8_t buffer) is a pointer to a number, not text */
    unsigned char ub[2] = { 200, 0 };
    unsigned char *u = ub;
    char want[256];
    snprintf(want, sizeof want, "{\"kind\":\"Reference\",\"dereferenced\":{\"kind\":\"Int\",\"i\":200,"
             "\"type_id\":2},\"address\":%llu,\"mutable\":true,\"type_id\":82}",
             (unsigned long long)(uintptr_t)ub);
    EXPECT_CAP(&t_ustr, &u, want);
    reset_cfg();
}

/* The value record of (t, p) read as memory reached through a pointer
 * (rt_capture's safe reads), as JSON text. */
static const char *cap_json_safe(const rt_type *t, const void *p)
{
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    e.json_first = true;
    rt_capture(&e, t, p, true, 0);
    const char *s = text_of(&e);
    rtrace_enc_free(&e);
    return s;
}

/* Reads that run into an unmapped page: an array whose second block of
 * elements straddles it has each readable element and an Error for each
 * unreadable one (as element-by-element reads give); a string is cut at the
 * page, or ends before it, and one longer than a 64-byte piece is whole. */
static void test_capture__reads_stop_exactly_at_unmapped_page(void)
{
    reset_cfg();
    static char m[2 * 4096] __attribute__((aligned(4096)));
    char *end = m + 4096;
    stub_hole = (uintptr_t)end;   /* the second page is "unmapped" */
    stub_hole_len = 4096;

    /* char[300] with 280 elements mapped: blocks of 256 (RT_SMALL_COPY) */
    rt_cfg.max_elems = 300;
    signed char *arr = (signed char *)end - 280;
    for (int i = 0; i < 280; i++)
        arr[i] = (signed char)(i * 7);
    rt_type t_c300 = { .tag = RT_T_ARRAY, .size = 300, .name = "char[300]", .trace_type_id = 56,
                       .u.arr = { &t_schar, 300 } };
    static char want[65536];
    size_t n = (size_t)snprintf(want, sizeof want, "{\"kind\":\"Sequence\",\"elements\":[");
    for (int i = 0; i < 300; i++) {
        if (i < 280)
            n += (size_t)snprintf(want + n, sizeof want - n, "%s{\"kind\":\"Int\",\"i\":%d,\"type_id\":1}",
                                  i ? "," : "", (signed char)(i * 7));
        else
            n += (size_t)snprintf(want + n, sizeof want - n,
                                  ",{\"kind\":\"Error\",\"msg\":\"cannot access memory at 0x%llx\",\"type_id\":1}",
                                  (unsigned long long)(uintptr_t)(arr + i));
    }
    snprintf(want + n, sizeof want - n, "],\"is_slice\":false,\"type_id\":56}");
    CU_ASSERT_STRING_EQUAL(cap_json_safe(&t_c300, arr), want);

    /* strings: cut at the page (no NUL), ending just before it, and 150 bytes long */
    char *cut = end - 20;
    memset(cut, 'x', 20);
    EXPECT_CAP(&t_str, &cut, "{\"kind\":\"String\",\"text\":\"xxxxxxxxxxxxxxxxxxxx\",\"type_id\":81}");
    char *fits = end - 6;
    memcpy(fits, "edge!", 6);
    EXPECT_CAP(&t_str, &fits, "{\"kind\":\"String\",\"text\":\"edge!\",\"type_id\":81}");
    char *lng = m + 3;   /* not aligned: the first piece is short */
    for (int i = 0; i < 150; i++)
        lng[i] = (char)('a' + i % 26);
    lng[150] = 0;
    snprintf(want, sizeof want, "{\"kind\":\"String\",\"text\":\"%s\",\"type_id\":81}", lng);
    EXPECT_CAP(&t_str, &lng, want);
    rt_cfg.max_string = 100;   /* capped in the middle of a piece */
    snprintf(want, sizeof want, "{\"kind\":\"String\",\"text\":\"%.100s\",\"type_id\":81}", lng);
    EXPECT_CAP(&t_str, &lng, want);
    stub_hole = stub_hole_len = 0;
    reset_cfg();
}

static void test_capture__function_pointer_raw_with_name(void)
{
    rt_type t_fn = { .tag = RT_T_FUNC, .name = "int (int, int)", .trace_type_id = 90 };
    rt_type t_pfn = { .tag = RT_T_POINTER, .size = 8, .name = "int (*)(int, int)", .trace_type_id = 91,
                      .u.ptr = { &t_fn } };
    int (*fp)(int, int) = add_impl, (*nullfp)(int, int) = NULL;
    char want[256];
    snprintf(want, sizeof want, "{\"kind\":\"Raw\",\"r\":\"0x%llx <add>\",\"type_id\":91}",
             (unsigned long long)(uintptr_t)&add_impl);
    EXPECT_CAP(&t_pfn, &fp, want);
    EXPECT_CAP(&t_pfn, &nullfp, "{\"kind\":\"Raw\",\"r\":\"0x0\",\"type_id\":91}");
    CU_ASSERT_EQUAL(fp(1, 2), 3);
}

static void test_capture__variable_locations(void)
{
    long slots[4] = { 0, 0, 0, 0 };
    int *slot_int = (int *)&slots[1];
    *slot_int = -77;
    rt_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rbp = (uint64_t)(uintptr_t)&slots[2];       /* the int is at rbp-8 */
    regs.rbx = 99;
    static int stat = 12;
    rt_core_var v_stack = { .type = &t_int, .loc = { RT_LOC_REG_OFFSET, 6, -8, 0 }, .name = "a" };
    rt_core_var v_reg = { .type = &t_long, .loc = { RT_LOC_IN_REG, 3, 0, 0 }, .name = "b" };
    rt_core_var v_static = { .type = &t_int, .loc = { RT_LOC_ADDR, 0, (int64_t)(uintptr_t)&stat, 0 }, .name = "c" };
    rt_core_var v_none = { .type = &t_int, .loc = { RT_LOC_NONE, 0, 0, 0 }, .name = "d" };
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    e.json_first = true;
    const rt_core_var *vs[] = { &v_stack, &v_reg, &v_static, &v_none };
    for (int i = 0; i < 4; i++) {
        rtrace_enc_value_begin(&e, (uint64_t)i);
        rt_capture_var(&e, vs[i], &regs);
        rtrace_enc_value_end(&e);
    }
    CU_ASSERT_STRING_EQUAL(text_of(&e),
        "{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Int\",\"i\":-77,\"type_id\":4}}},\n"
        "{\"Value\":{\"variable_id\":1,\"value\":{\"kind\":\"Int\",\"i\":99,\"type_id\":6}}},\n"
        "{\"Value\":{\"variable_id\":2,\"value\":{\"kind\":\"Int\",\"i\":12,\"type_id\":4}}},\n"
        "{\"Value\":{\"variable_id\":3,\"value\":{\"kind\":\"Error\",\"msg\":\"<optimized out>\",\"type_id\":4}}}");
    rtrace_enc_free(&e);
}

static void test_capture__vla_count_from_the_frame(void)
{
    reset_cfg();
    int data[5] = { 9, 8, 7, 6, 5 };
    /* the frame: [0] pointer to the VLA's storage, [1] gcc's upper bound (count - 1) */
    uint64_t frame[2] = { (uint64_t)(uintptr_t)data, 2 };
    rt_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rbp = (uint64_t)(uintptr_t)&frame[2];
    rt_type t_vla = { .tag = RT_T_ARRAY, .size = 0, .name = "int[]", .trace_type_id = 55, .u.arr = { &t_int, 0 } };
    rt_core_var v = { .type = &t_vla, .loc = { RT_LOC_REG_OFFSET_DEREF, 6, -16, 0 }, .name = "vla",
                      .vla_count = { RT_LOC_REG_OFFSET, 6, -8, 0 }, .vla_add = 1 };
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    e.json_first = true;
    rtrace_enc_value_begin(&e, 0);
    rt_capture_var(&e, &v, &regs);
    rtrace_enc_value_end(&e);
    CU_ASSERT_STRING_EQUAL(text_of(&e), "{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Sequence\",\"elements\":["
                           "{\"kind\":\"Int\",\"i\":9,\"type_id\":4},{\"kind\":\"Int\",\"i\":8,\"type_id\":4},"
                           "{\"kind\":\"Int\",\"i\":7,\"type_id\":4}],\"is_slice\":false,\"type_id\":55}}}");
    rtrace_enc_free(&e);
}

/* ---- Tests: return values ----------------------------------------------------------------- */
static void test_ret__sysv_classification(void)
{
    uint8_t eb[2];
    CU_ASSERT_EQUAL(rt_ret_classify(NULL, eb), RT_RET_VOID);
    CU_ASSERT_EQUAL(rt_ret_classify(&t_int, eb), RT_RET_INT);
    CU_ASSERT_EQUAL(rt_ret_classify(&t_pint, eb), RT_RET_INT);
    CU_ASSERT_EQUAL(rt_ret_classify(&t_i128, eb), RT_RET_INT128);
    CU_ASSERT_EQUAL(rt_ret_classify(&t_double, eb), RT_RET_SSE);
    CU_ASSERT_EQUAL(rt_ret_classify(&t_ldouble, eb), RT_RET_X87);
    /* struct pt {int x; double y;}: INTEGER then SSE */
    CU_ASSERT_EQUAL(rt_ret_classify(&t_pt, eb), RT_RET_REGS);
    CU_ASSERT(eb[0] == RT_EB_INT && eb[1] == RT_EB_SSE);
    /* {float a, b, c}: two SSE eightbytes */
    const rt_member f3[] = { { "a", &t_float, 0, 0, 0 }, { "b", &t_float, 4, 0, 0 }, { "c", &t_float, 8, 0, 0 } };
    rt_type t_f3 = { .tag = RT_T_STRUCT, .size = 12, .name = "struct f3", .u.su = { f3, 3 } };
    CU_ASSERT_EQUAL(rt_ret_classify(&t_f3, eb), RT_RET_REGS);
    CU_ASSERT(eb[0] == RT_EB_SSE && eb[1] == RT_EB_SSE);
    /* {int i; float f}: one eightbyte, INTEGER wins */
    const rt_member if_[] = { { "i", &t_int, 0, 0, 0 }, { "f", &t_float, 4, 0, 0 } };
    rt_type t_if = { .tag = RT_T_STRUCT, .size = 8, .name = "struct if", .u.su = { if_, 2 } };
    CU_ASSERT_EQUAL(rt_ret_classify(&t_if, eb), RT_RET_REGS);
    CU_ASSERT(eb[0] == RT_EB_INT && eb[1] == RT_EB_NONE);
    /* 24 bytes: memory */
    const rt_member l3[] = { { "a", &t_long, 0, 0, 0 }, { "b", &t_long, 8, 0, 0 }, { "c", &t_long, 16, 0, 0 } };
    rt_type t_l3 = { .tag = RT_T_STRUCT, .size = 24, .name = "struct l3", .u.su = { l3, 3 } };
    CU_ASSERT_EQUAL(rt_ret_classify(&t_l3, eb), RT_RET_MEMORY);
    /* a long double member: memory */
    const rt_member ld[] = { { "x", &t_ldouble, 0, 0, 0 } };
    rt_type t_sld = { .tag = RT_T_STRUCT, .size = 16, .name = "struct sld", .u.su = { ld, 1 } };
    CU_ASSERT_EQUAL(rt_ret_classify(&t_sld, eb), RT_RET_MEMORY);
    /* packed {char c; int i;} (i at offset 1): memory */
    const rt_member pk[] = { { "c", &t_schar, 0, 0, 0 }, { "i", &t_int, 1, 0, 0 } };
    rt_type t_pk = { .tag = RT_T_STRUCT, .size = 5, .name = "struct pk", .u.su = { pk, 2 } };
    CU_ASSERT_EQUAL(rt_ret_classify(&t_pk, eb), RT_RET_MEMORY);
}

/* Real functions, so the expected registers are what the compiler really does. */
struct dl { double d; long l; };
__attribute__((noinline)) static struct dl ret_dl(void) { struct dl r = { 1.5, 7 }; return r; }

static void test_ret__struct_in_registers_rebuilt(void)
{
    const rt_member dm[] = { { "d", &t_double, 0, 0, 0 }, { "l", &t_long, 8, 0, 0 } };
    rt_type t_dl = { .tag = RT_T_STRUCT, .size = 16, .name = "struct dl", .trace_type_id = 100, .u.su = { dm, 2 } };
    rt_core_func fn;
    memset(&fn, 0, sizeof fn);
    fn.ret = &t_dl;
    fn.ret_class = (uint8_t)rt_ret_classify(&t_dl, fn.ret_eb);
    CU_ASSERT_EQUAL(fn.ret_class, RT_RET_REGS);
    /* call the real function and take rax and xmm0 right after it returns,
     * i.e. what the ret probe sees (not what we believe the ABI says) */
    rt_regs regs;
    memset(&regs, 0, sizeof regs);
    uint64_t rax, x0;
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
                     "mov %%rsp, %%rbx\n\t"
                     "and $-16, %%rsp\n\t"
                     "call *%[fn]\n\t"
                     "mov %%rbx, %%rsp\n\t"
                     "lea 128(%%rsp), %%rsp\n\t"
                     "movq %%xmm0, %[x]"
                     : "=a"(rax), [x] "=r"(x0)
                     : [fn] "r"(ret_dl)
                     : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                       "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
                       "memory", "cc");
    regs.rax = rax;
    memcpy(regs.xmm[0], &x0, 8);
    rtrace_enc e;
    rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0);
    e.json_first = true;
    rtrace_enc_return_begin(&e);
    rt_capture_return(&e, &fn, &regs, NULL);
    rtrace_enc_return_end(&e);
    CU_ASSERT_STRING_EQUAL(text_of(&e), "{\"Return\":{\"return_value\":{\"kind\":\"Struct\",\"field_values\":["
                           "{\"kind\":\"Float\",\"f\":\"1.5\",\"type_id\":11},{\"kind\":\"Int\",\"i\":7,\"type_id\":6}],"
                           "\"type_id\":100}}}");
    /* a long double from st0's 10 bytes, and void */
    long double ld = 2.25L;
    fn.ret = &t_ldouble;
    fn.ret_class = RT_RET_X87;
    rtrace_enc_reset(&e);
    e.json_first = true;
    rtrace_enc_return_begin(&e);
    rt_capture_return(&e, &fn, &regs, &ld);
    rtrace_enc_return_end(&e);
    CU_ASSERT_STRING_EQUAL(text_of(&e), "{\"Return\":{\"return_value\":{\"kind\":\"Float\",\"f\":\"2.25\",\"type_id\":12}}}");
    fn.ret = NULL;
    fn.ret_class = RT_RET_VOID;
    rtrace_enc_reset(&e);
    e.json_first = true;
    rtrace_enc_return_begin(&e);
    rt_capture_return(&e, &fn, &regs, NULL);
    rtrace_enc_return_end(&e);
    CU_ASSERT_STRING_EQUAL(text_of(&e), "{\"Return\":{\"return_value\":{\"kind\":\"None\",\"type_id\":0}}}");
    rtrace_enc_free(&e);
}

/* ---- Tests: frames and gdb's rules ----------------------------------------------------- */
static rt_core_func f_main = { .name = "main", .function_id = 1, .path_id = 0, .decl_line = 4 };
static rt_core_func f_add = { .name = "add", .function_id = 2, .path_id = 0, .decl_line = 1 };
static rt_core_func f_g = { .name = "g", .function_id = 3, .path_id = 0, .decl_line = 20 };

static rt_site mk_line(const rt_core_func *fn, int64_t line, uint64_t start, bool stmt)
{
    rt_site s;
    memset(&s, 0, sizeof s);
    s.kind = RT_PROBE_LINE;
    s.fn = fn;
    s.line = line;
    s.start = start;
    s.pc = start + 13;
    s.flags = (stmt ? RT_SITE_STMT : 0) | RT_SITE_ROWSTART;
    return s;
}

typedef struct seq {
    rt_thread t;
    rt_regs regs;
    uint64_t stack[4];    /* stack[0]: the return address a ret probe sees */
} seq;

static void seq_init(seq *q)
{
    memset(q, 0, sizeof *q);
    rtrace_enc_init(&q->t.enc, RTRACE_FORMAT_JSON, 0);
    rtrace_enc_init(&q->t.nested, RTRACE_FORMAT_JSON, 0);
    q->t.enc.json_first = true;
    q->regs.sp = (uint64_t)(uintptr_t)&q->stack[0];
}

static void line(seq *q, const rt_site *s, uint64_t cfa) { rt_step_line(&q->t, &q->t.enc, s, &q->regs, cfa); }
static void ret(seq *q, const rt_site *s, uint64_t cfa, uint64_t ret_addr)
{
    q->stack[0] = ret_addr;
    q->regs.rax = 3;
    rt_step_return(&q->t, &q->t.enc, s, &q->regs, cfa, NULL);
}

#define STEP(l) "{\"Step\":{\"path_id\":0,\"line\":" #l "}}"
#define CALL(f) "{\"Call\":{\"function_id\":" #f ",\"args\":[]}}"
#define RET_NONE "{\"Return\":{\"return_value\":{\"kind\":\"None\",\"type_id\":0}}}"

static void test_step__first_line_same_line_next_line_and_return(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site m5 = mk_line(&f_main, 5, 0x1000, true), m5b = mk_line(&f_main, 5, 0x1040, true);
    rt_site m6 = mk_line(&f_main, 6, 0x1080, true), m6r = mk_line(&f_main, 6, 0x10c0, true);
    rt_site m7 = mk_line(&f_main, 7, 0x1100, true);
    rt_site a2 = mk_line(&f_add, 2, 0x2000, true);
    rt_site ar = { .kind = RT_PROBE_RETURN, .fn = &f_add, .pc = 0x2100 };
    line(&q, &m5, 1000);          /* new call: Step(decl) Call Step(5) */
    line(&q, &m5b, 1000);         /* same line (a for condition row): no stop */
    line(&q, &m6, 1000);          /* Step 6 */
    line(&q, &a2, 900);           /* add called: Step(1) Call Step(2) */
    ret(&q, &ar, 900, 0x1090);    /* Return 3; lands mid-row of line 6 */
    line(&q, &m6, 1000);          /* mid-line return, same line as the frame: no stop */
    line(&q, &m7, 1000);          /* Step 7 */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(4) ",\n" CALL(1) ",\n" STEP(5) ",\n" STEP(6) ",\n" STEP(1) ",\n" CALL(2) ",\n" STEP(2) ",\n"
        "{\"Return\":{\"return_value\":{\"kind\":\"None\",\"type_id\":0}}},\n" STEP(7));
    CU_ASSERT_EQUAL(q.t.nframes, 1);
    CU_ASSERT_EQUAL(q.t.last_line, 7);
    (void)m6r;
}

static void test_step__return_address_starting_a_row_is_a_stop(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site m6 = mk_line(&f_main, 6, 0x1080, true), m6r = mk_line(&f_main, 6, 0x10c0, true);
    rt_site a2 = mk_line(&f_add, 2, 0x2000, true);
    rt_site ar = { .kind = RT_PROBE_RETURN, .fn = &f_add, .pc = 0x2100 };
    line(&q, &m6, 1000);
    line(&q, &a2, 900);
    ret(&q, &ar, 900, 0x10c0);    /* the return address starts a row of line 6 */
    line(&q, &m6r, 1000);         /* gdb's current line is add's 2: stop at 6 again */
    line(&q, &m6, 1000);          /* then the same line: no stop */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(4) ",\n" CALL(1) ",\n" STEP(6) ",\n" STEP(1) ",\n" CALL(2) ",\n" STEP(2) ",\n" RET_NONE ",\n" STEP(6));
}

static void test_step__merged_row_at_return_address_is_not_a_stop(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site m6 = mk_line(&f_main, 6, 0x1080, true), m6m = mk_line(&f_main, 6, 0x10c0, true);
    rt_site m7m = mk_line(&f_main, 7, 0x1100, true), m8 = mk_line(&f_main, 8, 0x1140, true);
    m6m.flags &= ~RT_SITE_ROWSTART;   /* gdb merged it (same line, discriminator) */
    m7m.flags &= ~RT_SITE_ROWSTART;
    rt_site a2 = mk_line(&f_add, 2, 0x2000, true);
    rt_site ar = { .kind = RT_PROBE_RETURN, .fn = &f_add, .pc = 0x2100 };
    line(&q, &m6, 1000);
    line(&q, &a2, 900);
    ret(&q, &ar, 900, 0x10c0);
    line(&q, &m6m, 1000);         /* mid-row for gdb: no stop */
    line(&q, &m7m, 1000);         /* mid-row of another line: no stop either, line 7 current */
    line(&q, &m8, 1000);          /* a row start of a new line: stop */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(4) ",\n" CALL(1) ",\n" STEP(6) ",\n" STEP(1) ",\n" CALL(2) ",\n" STEP(2) ",\n" RET_NONE ",\n" STEP(8));
}

/* clang: `if (cmp(a, b) < 0) swap(...);` in a loop; cmp returns to an is_stmt 0 row of the
 * caller's line (no probe there), the jump over the call lands on an is_stmt row of that same
 * line: gdb stops there (it forgot the line: "stepped to a different frame, but it's not the
 * start of a statement"). When that non-statement row has the callee's line, gdb keeps it. */
static void test_step__non_stmt_row_at_return_address_forgets_the_line(void)
{
    /* the line table (step.c asks for the row at a return address without a
     * probe, through the module's row-start bitmap): one row, at 0x10c0 */
    static rt_line_row row;
    static uint64_t bits = 1;
    static rt_module mod = { .rows = &row, .nrows = 1, .row_lo = 0x10c0, .row_bits = &bits, .nrow_words = 1 };
    rt_core_func f_qs = { .name = "qs", .function_id = 1, .path_id = 0, .decl_line = 4, .m = &mod };
    rt_core_func f_cmp = { .name = "cmp", .function_id = 2, .path_id = 0, .decl_line = 20, .m = &mod };
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site q54 = mk_line(&f_qs, 54, 0x1080, true), q54b = mk_line(&f_qs, 54, 0x1100, true);
    rt_site q53 = mk_line(&f_qs, 53, 0x1140, true);
    rt_site c25 = mk_line(&f_cmp, 25, 0x2000, true);
    rt_site cr = { .kind = RT_PROBE_RETURN, .fn = &f_cmp, .pc = 0x2100 };
    row = (rt_line_row){ .addr = 0x10c0, .line = 54, .is_stmt = false };
    line(&q, &q54, 1000);
    line(&q, &c25, 900);
    ret(&q, &cr, 900, 0x10c0);    /* back to a non-stmt row of line 54 */
    line(&q, &q54b, 1000);        /* a statement row of line 54: a stop */
    line(&q, &q53, 1000);
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(4) ",\n" CALL(1) ",\n" STEP(54) ",\n" STEP(20) ",\n" CALL(2) ",\n" STEP(25) ",\n"
        RET_NONE ",\n" STEP(54) ",\n" STEP(53));
    /* the non-stmt row has the callee's line: gdb keeps it, a row of that line is no stop */
    seq_init(&q);
    row.line = 25;
    rt_site q25 = mk_line(&f_qs, 25, 0x1100, true);
    line(&q, &q54, 1000);
    line(&q, &c25, 900);
    ret(&q, &cr, 900, 0x10c0);
    line(&q, &q25, 1000);
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(4) ",\n" CALL(1) ",\n" STEP(54) ",\n" STEP(20) ",\n" CALL(2) ",\n" STEP(25) ",\n"
        RET_NONE);
}

static void test_step__non_stmt_row_is_never_a_stop(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site m5 = mk_line(&f_main, 5, 0x1000, true), m9n = mk_line(&f_main, 9, 0x1040, false);
    rt_site m5b = mk_line(&f_main, 5, 0x1080, true);
    line(&q, &m5, 1000);
    line(&q, &m9n, 1000);         /* is_stmt false: no stop, gdb's line stays 5 */
    line(&q, &m5b, 1000);         /* still line 5: no stop */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc), STEP(4) ",\n" CALL(1) ",\n" STEP(5));
}

static void test_step__longjmp_pops_abandoned_frames(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site m5 = mk_line(&f_main, 5, 0x1000, true), m8 = mk_line(&f_main, 8, 0x1100, true);
    rt_site g21 = mk_line(&f_g, 21, 0x3000, true), a2 = mk_line(&f_add, 2, 0x2000, true);
    line(&q, &m5, 1000);
    line(&q, &g21, 900);
    line(&q, &a2, 800);           /* add longjmps back to main */
    line(&q, &m8, 1000);          /* main's CFA: add and g are closed with None */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(4) ",\n" CALL(1) ",\n" STEP(5) ",\n" STEP(20) ",\n" CALL(3) ",\n" STEP(21) ",\n"
        STEP(1) ",\n" CALL(2) ",\n" STEP(2) ",\n" RET_NONE ",\n" RET_NONE ",\n" STEP(8));
    CU_ASSERT_EQUAL(q.t.nframes, 1);
    /* a new call reusing g's old CFA is a new frame */
    line(&q, &a2, 900);
    CU_ASSERT_EQUAL(q.t.nframes, 2);
}

static void test_step__return_of_unknown_frame_is_ignored_and_deeper_frames_closed(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    rt_site m5 = mk_line(&f_main, 5, 0x1000, true), g21 = mk_line(&f_g, 21, 0x3000, true);
    rt_site a2 = mk_line(&f_add, 2, 0x2000, true);
    rt_site gr = { .kind = RT_PROBE_RETURN, .fn = &f_g, .pc = 0x3100 };
    line(&q, &m5, 1000);
    line(&q, &g21, 900);
    line(&q, &a2, 800);
    size_t before = q.t.enc.len;
    ret(&q, &gr, 700, 0);         /* no frame at 700: nothing */
    CU_ASSERT_EQUAL(q.t.enc.len, before);
    ret(&q, &gr, 900, 0x1010);    /* g returns while add's frame is still open */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc) + before, ",\n" RET_NONE ",\n"
                           "{\"Return\":{\"return_value\":{\"kind\":\"None\",\"type_id\":0}}}");
    CU_ASSERT_EQUAL(q.t.nframes, 1);
}

static void test_step__values_after_step_and_args_in_call(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    int slots[4] = { 0, 11, 22, 0 };   /* a = 11 at rbp-8, x = 22 at rbp-4 */
    q.regs.rbp = (uint64_t)(uintptr_t)&slots[3];
    rt_core_var vars[2] = { { .var_id = 0, .type = &t_int, .loc = { RT_LOC_REG_OFFSET, 6, -8, 0 }, .name = "a" },
                            { .var_id = 1, .type = &t_int, .loc = { RT_LOC_REG_OFFSET, 6, -4, 0 }, .name = "x" } };
    rt_core_func f = { .name = "f", .function_id = 5, .decl_line = 10, .ret = &t_int, .ret_class = RT_RET_INT };
    rt_site s11 = mk_line(&f, 11, 0x5000, true);
    s11.vars = vars;
    s11.nvars = 2;
    s11.nparams = 1;
    rt_site fr = { .kind = RT_PROBE_RETURN, .fn = &f, .pc = 0x5100 };
    line(&q, &s11, 500);
    ret(&q, &fr, 500, 0);
#define V(id, n) "{\"Value\":{\"variable_id\":" #id ",\"value\":{\"kind\":\"Int\",\"i\":" #n ",\"type_id\":4}}}"
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        "{\"Step\":{\"path_id\":0,\"line\":10}},\n"
        "{\"Call\":{\"function_id\":5,\"args\":[{\"variable_id\":0,\"value\":{\"kind\":\"Int\",\"i\":11,\"type_id\":4}}]}},\n"
        STEP(11) ",\n" V(0, 11) ",\n" V(1, 22) ",\n"
        "{\"Return\":{\"return_value\":{\"kind\":\"Int\",\"i\":3,\"type_id\":4}}}");
    /* the fused fast path for plain ints writes the same bytes */
    static char general[sizeof out];
    memcpy(general, text_of(&q.t.enc), sizeof general);
    seq_init(&q);
    q.regs.rbp = (uint64_t)(uintptr_t)&slots[3];
    for (int i = 0; i < 2; i++) {
        vars[i].fast = RT_FAST_I32;
        vars[i].type_id = 4;
    }
    line(&q, &s11, 500);
    ret(&q, &fr, 500, 0);
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc), general);
    /* and in CBOR */
    rtrace_enc cb[2];
    for (int k = 0; k < 2; k++) {
        seq_init(&q);
        rtrace_enc_free(&q.t.enc);
        rtrace_enc_init(&q.t.enc, RTRACE_FORMAT_BINARY, 0);
        q.regs.rbp = (uint64_t)(uintptr_t)&slots[3];
        for (int i = 0; i < 2; i++)
            vars[i].fast = k ? RT_FAST_I32 : RT_FAST_NONE;
        line(&q, &s11, 500);
        cb[k] = q.t.enc;
    }
    CU_ASSERT_EQUAL(cb[0].len, cb[1].len);
    CU_ASSERT(cb[0].len == cb[1].len && memcmp(cb[0].buf, cb[1].buf, cb[0].len) == 0);
#undef V
    CU_ASSERT_EQUAL(q.t.nframes, 1);
}

static void test_step__deferred_entry_call_written_at_next_probe_or_return(void)
{
    reset_cfg();
    seq q;
    seq_init(&q);
    /* the frame of f: CFA 16 bytes above slots[4] (rbp), param a at rbp-8 */
    int64_t slots[6] = { 0, 0, 0, 41, 0, 0 };
    uint64_t cfa = (uint64_t)(uintptr_t)&slots[4] + 16;
    rt_core_var va = { .var_id = 0, .type = &t_long, .loc = { RT_LOC_REG_OFFSET, 6, -8, 0 }, .name = "a" };
    rt_core_func f = { .name = "f", .function_id = 7, .decl_line = 14 };
    rt_site hook = mk_line(&f, 14, 0x7000, true), body = mk_line(&f, 15, 0x7040, true);
    hook.flags |= RT_SITE_DEFER;
    hook.vars = body.vars = &va;
    hook.nvars = body.nvars = hook.nparams = body.nparams = 1;
    rt_site fr = { .kind = RT_PROBE_RETURN, .fn = &f, .pc = 0x7100 };
#define VA "{\"variable_id\":0,\"value\":{\"kind\":\"Int\",\"i\":41,\"type_id\":6}}"
    /* a one-line function: hook, then its ret (rbp already popped: the
     * frame is read through CFA - 16) */
    q.regs.rbp = 12345;
    line(&q, &hook, cfa);
    CU_ASSERT_EQUAL(q.t.enc.len, 0);
    ret(&q, &fr, cfa, 0);
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(14) ",\n{\"Call\":{\"function_id\":7,\"args\":[" VA "]}},\n" STEP(14) ",\n{\"Value\":" VA "},\n" RET_NONE);
    /* a longer one: the Call and the first stop go at the first real line */
    seq_init(&q);
    q.regs.rbp = (uint64_t)(uintptr_t)&slots[4];
    line(&q, &hook, cfa);
    line(&q, &body, cfa);
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
        STEP(14) ",\n{\"Call\":{\"function_id\":7,\"args\":[" VA "]}},\n" STEP(15) ",\n{\"Value\":" VA "}");
    /* a pending frame abandoned by longjmp leaves no Return */
    seq_init(&q);
    rt_site m5 = mk_line(&f_main, 5, 0x1000, true), m6 = mk_line(&f_main, 6, 0x1080, true);
    line(&q, &m5, cfa + 1000);
    line(&q, &hook, cfa);
    line(&q, &m6, cfa + 1000);
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc), STEP(4) ",\n" CALL(1) ",\n" STEP(5) ",\n" STEP(6));
#undef VA
}

static void test_step__calls_mode_writes_calls_with_their_step_and_returns(void)
{
    reset_cfg();
    rt_cfg.mode = RT_MODE_CALLS;
    seq q;
    seq_init(&q);
    rt_site m5 = mk_line(&f_main, 5, 0x1000, true), m6 = mk_line(&f_main, 6, 0x1080, true);
    rt_site a2 = mk_line(&f_add, 2, 0x2000, true);
    rt_site ar = { .kind = RT_PROBE_RETURN, .fn = &f_add, .pc = 0x2100 };
    line(&q, &m5, 1000);
    line(&q, &m6, 1000);
    line(&q, &a2, 900);
    ret(&q, &ar, 900, 0x1090);
    line(&q, &m6, 1000);
    /* no line steps; only the Step at the callee's declaration line before each
     * Call, as upstream's register_call writes it (CodeTracer re-labels it) */
    CU_ASSERT_STRING_EQUAL(text_of(&q.t.enc),
                           STEP(4) ",\n" CALL(1) ",\n" STEP(1) ",\n" CALL(2) ",\n" RET_NONE);
    reset_cfg();
}

/* ---- Tests: definitions ------------------------------------------------------------------ */
static void test_defs__recursive_struct_types_and_dedup(void)
{
    rtrace_enc_init(&defs_enc, RTRACE_FORMAT_JSON, 0);
    defs_enc.json_first = true;
    rt_type d_int = { .tag = RT_T_INT, .size = 4, .name = "int" };
    rt_type d_int2 = { .tag = RT_T_INT, .size = 4, .name = "int" };   /* same type, another CU */
    rt_type d_node = { .tag = RT_T_STRUCT, .size = 16, .name = "struct node" };
    rt_type d_pnode = { .tag = RT_T_POINTER, .size = 8, .name = "struct node *", .u.ptr = { &d_node } };
    const rt_member nm[] = { { "v", &d_int, 0, 0, 0 }, { "next", &d_pnode, 8, 0, 0 } };
    d_node.u.su.members = nm;
    d_node.u.su.n = 2;
    rt_type d_char = { .tag = RT_T_INT, .is_char = true, .is_plain_char = true, .size = 1, .name = "char" };
    rt_type d_str = { .tag = RT_T_POINTER, .size = 8, .name = "char *", .u.ptr = { &d_char } };
    rt_type d_void = { .tag = RT_T_VOID, .name = "void" };
    rt_type d_vp = { .tag = RT_T_POINTER, .size = 8, .name = "void *", .u.ptr = { &d_void } };
    rt_defs_lock();
    CU_ASSERT_EQUAL(rt_defs_type(&defs_enc, &d_node), 3);
    CU_ASSERT_EQUAL(d_int.trace_type_id, 1);
    CU_ASSERT_EQUAL(d_pnode.trace_type_id, 2);
    CU_ASSERT_EQUAL(rt_defs_type(&defs_enc, &d_int2), 1);
    /* struct node again from another module: found by name, and its own
     * members get their ids too (the capture reads them there) */
    rt_type e_int = { .tag = RT_T_INT, .size = 4, .name = "int" };
    rt_type e_node = { .tag = RT_T_STRUCT, .size = 16, .name = "struct node" };
    rt_type e_pnode = { .tag = RT_T_POINTER, .size = 8, .name = "struct node *", .u.ptr = { &e_node } };
    const rt_member em[] = { { "v", &e_int, 0, 0, 0 }, { "next", &e_pnode, 8, 0, 0 } };
    e_node.u.su.members = em;
    e_node.u.su.n = 2;
    CU_ASSERT_EQUAL(rt_defs_type(&defs_enc, &e_node), 3);
    CU_ASSERT_EQUAL(e_int.trace_type_id, 1);
    CU_ASSERT_EQUAL(e_pnode.trace_type_id, 2);
    CU_ASSERT_EQUAL(rt_defs_type(&defs_enc, &d_str), 4);
    CU_ASSERT_EQUAL(rt_defs_type(&defs_enc, &d_vp), 5);
    CU_ASSERT_EQUAL(rt_defs_type(&defs_enc, &d_void), 0);
    CU_ASSERT_EQUAL(rt_defs_var(&defs_enc, "x"), 0);
    CU_ASSERT_EQUAL(rt_defs_var(&defs_enc, "y"), 1);
    CU_ASSERT_EQUAL(rt_defs_var(&defs_enc, "x"), 0);
    CU_ASSERT_EQUAL(rt_defs_function(&defs_enc, 0, 7, "main"), 1);
    rt_defs_unlock();
    /* struct node's pointer comes first and refers forward to the struct (id 3) */
    CU_ASSERT_STRING_EQUAL(text_of(&defs_enc),
        "{\"Type\":{\"kind\":7,\"lang_type\":\"int\",\"specific_info\":{\"kind\":\"None\"}}},\n"
        "{\"Type\":{\"kind\":23,\"lang_type\":\"struct node *\",\"specific_info\":{\"kind\":\"Pointer\",\"dereference_type_id\":3}}},\n"
        "{\"Type\":{\"kind\":6,\"lang_type\":\"struct node\",\"specific_info\":{\"kind\":\"Struct\",\"fields\":["
        "{\"name\":\"v\",\"type_id\":1},{\"name\":\"next\",\"type_id\":2}]}}},\n"
        "{\"Type\":{\"kind\":10,\"lang_type\":\"char *\",\"specific_info\":{\"kind\":\"None\"}}},\n"
        "{\"Type\":{\"kind\":23,\"lang_type\":\"void *\",\"specific_info\":{\"kind\":\"Pointer\",\"dereference_type_id\":0}}},\n"
        "{\"VariableName\":\"x\"},\n{\"VariableName\":\"y\"},\n"
        "{\"Function\":{\"path_id\":0,\"line\":7,\"name\":\"main\"}}");
    rtrace_enc_free(&defs_enc);
}

/* ---- Tests: RTRACE_FILTER --------------------------------------------------------------- */
static void test_filter__include_exclude_file_and_func(void)
{
    CU_ASSERT_EQUAL(rt_filter_parse("file:*.c,!func:debug_*"), 0);
    CU_ASSERT_TRUE(rt_filter_match("/src/a.c", "main"));
    CU_ASSERT_FALSE(rt_filter_match("/src/a.c", "debug_dump"));
    CU_ASSERT_FALSE(rt_filter_match("/src/a.h", "inline_fn"));
    CU_ASSERT_EQUAL(rt_filter_parse("!file:*vendor*"), 0);
    CU_ASSERT_FALSE(rt_filter_match("/x/vendor/z.c", "f"));
    CU_ASSERT_TRUE(rt_filter_match("/x/z.c", "f"));
    CU_ASSERT_EQUAL(rt_filter_parse("main, fib"), 0);
    CU_ASSERT_TRUE(rt_filter_match("/x/z.c", "fib"));
    CU_ASSERT_FALSE(rt_filter_match("/x/z.c", "other"));
    CU_ASSERT_EQUAL(rt_filter_parse("file:/x/*/z.c"), 0);
    CU_ASSERT_TRUE(rt_filter_match("/x/y/z.c", "a"));
    CU_ASSERT_FALSE(rt_filter_match("/w/y/z.c", "a"));
    CU_ASSERT_EQUAL(rt_filter_parse("!"), -1);        /* empty pattern: rejected, all recorded */
    CU_ASSERT_TRUE(rt_filter_match("/w/y/z.c", "a"));
    CU_ASSERT_EQUAL(rt_filter_parse(NULL), 0);
    CU_ASSERT_TRUE(rt_filter_match("/w/y/z.c", "a"));
}

int main(void)
{
    reset_cfg();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("runtime_core", NULL, NULL);
    struct { const char *name; void (*fn)(void); } tests[] = {
#define T(f) { #f, f }
        T(test_capture__integers_every_width_and_signedness),
        T(test_capture__int128_fits_or_bigint),
        T(test_capture__bool_and_floats),
        T(test_capture__enum_variant_or_number),
        T(test_capture__struct_nested_fields_in_order),
        T(test_capture__bitfield_signed_and_unsigned),
        T(test_capture__union_shows_every_member),
        T(test_capture__array_multidimensional_and_capped),
        T(test_capture__integer_arrays_every_width_in_blocks),
        T(test_capture__integer_arrays_cbor_as_the_encoder_writes),
        T(test_capture__pointer_reference_null_const_and_unreadable),
        T(test_capture__pointer_depth_capped),
        T(test_capture__pointer_cycle_is_bounded),
        T(test_capture__char_pointer_string_null_unreadable_capped),
        T(test_capture__reads_stop_exactly_at_unmapped_page),
        T(test_capture__function_pointer_raw_with_name),
        T(test_capture__variable_locations),
        T(test_capture__vla_count_from_the_frame),
        T(test_ret__sysv_classification),
        T(test_ret__struct_in_registers_rebuilt),
        T(test_step__first_line_same_line_next_line_and_return),
        T(test_step__return_address_starting_a_row_is_a_stop),
        T(test_step__merged_row_at_return_address_is_not_a_stop),
        T(test_step__non_stmt_row_at_return_address_forgets_the_line),
        T(test_step__non_stmt_row_is_never_a_stop),
        T(test_step__longjmp_pops_abandoned_frames),
        T(test_step__return_of_unknown_frame_is_ignored_and_deeper_frames_closed),
        T(test_step__values_after_step_and_args_in_call),
        T(test_step__deferred_entry_call_written_at_next_probe_or_return),
        T(test_step__calls_mode_writes_calls_with_their_step_and_returns),
        T(test_defs__recursive_struct_types_and_dedup),
        T(test_filter__include_exclude_file_and_func),
#undef T
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned fails = CU_get_number_of_failures();
    CU_cleanup_registry();
    return fails ? 1 : 0;
}
