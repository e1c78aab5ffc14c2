/*
 * tests/lib/test_noalloc.c - the hot paths allocate nothing.
 *
 * The runner defines malloc/calloc/realloc (forwarding to glibc's
 * __libc_* functions), which takes precedence for the whole process,
 * libzstd included, and counts calls while `counting` is set. Then: sink
 * write/flush/close after open, encoder events after warm-up, and tracer
 * register_* calls with known names must make no allocation at all.
 * AddressSanitizer replaces malloc itself, so the sanitized runner leaves
 * this suite out.
 */
#include <stdlib.h>
#include <string.h>

#include "lib_tests.h"

#if defined(__SANITIZE_ADDRESS__)
void register_noalloc_suite(void) {}
#else

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static volatile int counting;
static volatile long allocations;

void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}
int posix_memalign(void **p, size_t align, size_t n)
{
    if (counting)
        allocations++;
    *p = __libc_memalign(align, n);
    return *p ? 0 : 12;
}

static void count_start(void) { allocations = 0; counting = 1; }
static long count_stop(void) { counting = 0; return allocations; }

static void test_noalloc__counter_sees_malloc(void)
{
    /* The counter itself works (so a 0 below means something). */
    count_start();
    void *volatile p = malloc(10);
    long n = count_stop();
    free(p);
    CU_ASSERT_EQUAL(n, 1);
}

static void sink_no_alloc(rtrace_format fmt, bool background)
{
    char *dir = make_tmpdir();
    CU_ASSERT_FATAL(dir != NULL);
    rtrace_sink *s;
    CU_ASSERT_FATAL(rtrace_sink_open(&s, dir, fmt, 0) == 0);
    if (background)   /* the worker's compression counts too: malloc is process-wide */
        CU_ASSERT_FATAL(rtrace_sink_set_background(s, true) == 0);
    size_t n = 1u << 20;
    char *chunk = malloc(n);
    for (size_t i = 0; i < n; i++)
        chunk[i] = (char)('a' + (i * 7) % 26);
    count_start();
    int rc = 0;
    for (int i = 0; i < 5; i++)          /* 5 MiB: binary compresses two full frames */
        rc |= rtrace_sink_write(s, chunk, n);
    rc |= rtrace_sink_flush(s);
    rc |= rtrace_sink_write(s, chunk, 100);
    rc |= rtrace_sink_close(s);
    long allocs = count_stop();
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(allocs, 0);
    rtrace_sink_free(s);
    free(chunk);
    remove_tree(dir);
}

static void test_noalloc__sink_write_flush_close_binary(void) { sink_no_alloc(RTRACE_FORMAT_BINARY, false); }
static void test_noalloc__sink_write_flush_close_json(void) { sink_no_alloc(RTRACE_FORMAT_JSON, false); }
static void test_noalloc__sink_background_binary(void) { sink_no_alloc(RTRACE_FORMAT_BINARY, true); }

static void test_noalloc__encoder_after_warm_up(void)
{
    for (int f = 0; f < 2; f++) {
        rtrace_enc e;
        rtrace_enc_init(&e, f ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON, 1u << 16);
        count_start();
        for (int i = 0; i < 10000; i++) {
            rtrace_enc_step(&e, 0, i + 1);
            rtrace_enc_value_begin(&e, 1);
            rtrace_enc_struct_begin(&e, 3);
            rtrace_enc_int(&e, 1, i);
            rtrace_enc_float(&e, 2, i / 3.0);
            rtrace_enc_string(&e, 3, "h\xffllo", 5);
            rtrace_enc_struct_end(&e, 4);
            rtrace_enc_value_end(&e);
            if (e.len > 30000)
                rtrace_enc_reset(&e);
        }
        long allocs = count_stop();
        CU_ASSERT_EQUAL(allocs, 0);
        CU_ASSERT(rtrace_enc_ok(&e));
        rtrace_enc_free(&e);
    }
}

static void test_noalloc__tracer_register_with_known_names(void)
{
    char *tmp = make_tmpdir();
    CU_ASSERT_FATAL(tmp != NULL);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/t", tmp);
    rtrace_tracer *t;
    CU_ASSERT_FATAL(rtrace_tracer_open(&t, dir, "p", NULL, 0, RTRACE_FORMAT_BINARY) == 0);
    CU_ASSERT_EQUAL(rtrace_tracer_start(t, "/x.calc", 1), 0);
    uint64_t it = rtrace_tracer_ensure_type_id(t, RTRACE_TYPE_INT, "int");
    uint64_t f = rtrace_tracer_ensure_function_id(t, "f", "/x.calc", 3);
    const char *names[] = {"a", "b"};
    /* Warm up: names, the arena's chunk. */
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            count_start();
        for (int i = 0; i < 1000; i++) {
            rtrace_tracer_register_step(t, "/x.calc", 2);
            rtrace_value *items[3] = {rtrace_tracer_int(t, it, i), rtrace_tracer_float(t, 0, 1.5),
                                      rtrace_tracer_string(t, 0, "s", 1)};
            rtrace_tracer_register_variable(t, "a", rtrace_tracer_compound(t, RTRACE_V_TUPLE, 0, items, 3));
            rtrace_value *args[2] = {rtrace_tracer_int(t, it, 1), rtrace_tracer_int(t, it, 2)};
            rtrace_tracer_register_call(t, f, names, args, 2);
            rtrace_tracer_register_return(t, rtrace_tracer_int(t, it, 3));
        }
    }
    long allocs = count_stop();
    CU_ASSERT_EQUAL(allocs, 0);
    /* /x.calc does not exist: everything is written but its copy under files/. */
    CU_ASSERT_EQUAL(rtrace_tracer_close(t), RTRACE_ENOTFOUND);
    rtrace_tracer_free(t);
    remove_tree(tmp);
}

void register_noalloc_suite(void)
{
    CU_pSuite s = CU_add_suite("noalloc", NULL, NULL);
    CU_add_test(s, "noalloc__counter_sees_malloc", test_noalloc__counter_sees_malloc);
    CU_add_test(s, "noalloc__sink_write_flush_close_binary", test_noalloc__sink_write_flush_close_binary);
    CU_add_test(s, "noalloc__sink_write_flush_close_json", test_noalloc__sink_write_flush_close_json);
    CU_add_test(s, "noalloc__sink_background_binary", test_noalloc__sink_background_binary);
    CU_add_test(s, "noalloc__encoder_after_warm_up", test_noalloc__encoder_after_warm_up);
    CU_add_test(s, "noalloc__tracer_register_with_known_names", test_noalloc__tracer_register_with_known_names);
}
#endif
