/*
 * tests/lib/test_tracer.c - the tracer API records a small program as
 * upstream's TraceWriter would.
 *
 * The expected event list below is written by hand from the rules in
 * spec/trace-format.md and upstream's writer: start = Path, Function
 * "<toplevel>", Call 0, Type None; ids deduplicated and defined on first
 * use; register_call = VariableNames, Values of the args, Step at the
 * callee's line, Call. The same program recorded in binary must decompress
 * to our CBOR of the JSON trace's events.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib_tests.h"

unsigned char *bin_payload(const char *path, size_t *n);

/* Records the small program into dir; returns the close code. */
static int record_program(const char *dir, const char *src, rtrace_format fmt)
{
    rtrace_tracer *t;
    const char *args[] = {"x"};
    CU_ASSERT_FATAL(rtrace_tracer_open(&t, dir, "prog.calc", args, 1, fmt) == 0);
    CU_ASSERT_EQUAL(rtrace_tracer_start(t, src, 1), 0);
    uint64_t int_t = rtrace_tracer_ensure_type_id(t, RTRACE_TYPE_INT, "int");
    CU_ASSERT_EQUAL(int_t, 1);
    CU_ASSERT_EQUAL(rtrace_tracer_ensure_type_id(t, RTRACE_TYPE_INT, "int"), 1);   /* no new Type */
    CU_ASSERT_EQUAL(rtrace_tracer_register_step(t, src, 2), 0);
    CU_ASSERT_EQUAL(rtrace_tracer_register_variable(t, "x", rtrace_tracer_int(t, int_t, 5)), 0);
    uint64_t f = rtrace_tracer_ensure_function_id(t, "add", src, 10);
    CU_ASSERT_EQUAL(f, 1);
    CU_ASSERT_EQUAL(rtrace_tracer_ensure_function_id(t, "add", src, 10), 1);        /* no new Function */
    const char *names[] = {"a", "b"};
    rtrace_value *vals[] = {rtrace_tracer_int(t, int_t, 1), rtrace_tracer_int(t, int_t, 2)};
    CU_ASSERT_EQUAL(rtrace_tracer_register_call(t, f, names, vals, 2), 0);
    CU_ASSERT_EQUAL(rtrace_tracer_register_step(t, src, 11), 0);
    CU_ASSERT_EQUAL(rtrace_tracer_register_variable(t, "a", rtrace_tracer_int(t, int_t, 1)), 0); /* a known */
    CU_ASSERT_EQUAL(rtrace_tracer_register_return(t, rtrace_tracer_int(t, int_t, 3)), 0);
    CU_ASSERT_EQUAL(rtrace_tracer_register_special_event(t, RTRACE_LOG_WRITE, "", "3\n", 2), 0);
    CU_ASSERT(rtrace_tracer_register_call(t, 99, NULL, NULL, 0) == RTRACE_EINVAL);  /* unknown id */
    CU_ASSERT(rtrace_tracer_register_special_event(t, (rtrace_event_log_kind)99, "", "", 0) == RTRACE_EINVAL);
    CU_ASSERT_EQUAL(rtrace_tracer_event_count(t), 19);
    int rc = rtrace_tracer_close(t);
    CU_ASSERT_EQUAL(rtrace_tracer_close(t), 0);                                     /* idempotent */
    CU_ASSERT(rtrace_tracer_register_step(t, src, 3) == RTRACE_ESTATE);
    rtrace_tracer_free(t);
    return rc;
}

static void test_tracer__small_program_event_sequence(void)
{
    char *tmp = make_tmpdir();
    CU_ASSERT_FATAL(tmp != NULL);
    char dir[256], src[256], path[1024];
    snprintf(dir, sizeof dir, "%s/out.trace", tmp);
    snprintf(src, sizeof src, "%s/prog.calc", tmp);
    FILE *f = fopen(src, "w");
    fputs("x = 5\nprint add(1, 2)\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(record_program(dir, src, RTRACE_FORMAT_JSON), 0);

    snprintf(path, sizeof path, "%s/trace.json", dir);
    char *text = read_whole(path, NULL);
    CU_ASSERT_FATAL(text != NULL);
    cJSON *got = cJSON_Parse(text);
    CU_ASSERT_FATAL(cJSON_IsArray(got));
    /* Built by hand from the rules above (not from the output). */
    char want_text[4096];
    snprintf(want_text, sizeof want_text,
             "[{\"Path\":\"%s\"},"
             "{\"Function\":{\"path_id\":0,\"line\":1,\"name\":\"<toplevel>\"}},"
             "{\"Call\":{\"function_id\":0,\"args\":[]}},"
             "{\"Type\":{\"kind\":30,\"lang_type\":\"None\",\"specific_info\":{\"kind\":\"None\"}}},"
             "{\"Type\":{\"kind\":7,\"lang_type\":\"int\",\"specific_info\":{\"kind\":\"None\"}}},"
             "{\"Step\":{\"path_id\":0,\"line\":2}},"
             "{\"VariableName\":\"x\"},"
             "{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Int\",\"i\":5,\"type_id\":1}}},"
             "{\"Function\":{\"path_id\":0,\"line\":10,\"name\":\"add\"}},"
             "{\"VariableName\":\"a\"},"
             "{\"VariableName\":\"b\"},"
             "{\"Value\":{\"variable_id\":1,\"value\":{\"kind\":\"Int\",\"i\":1,\"type_id\":1}}},"
             "{\"Value\":{\"variable_id\":2,\"value\":{\"kind\":\"Int\",\"i\":2,\"type_id\":1}}},"
             "{\"Step\":{\"path_id\":0,\"line\":10}},"
             "{\"Call\":{\"function_id\":1,\"args\":["
             "{\"variable_id\":1,\"value\":{\"kind\":\"Int\",\"i\":1,\"type_id\":1}},"
             "{\"variable_id\":2,\"value\":{\"kind\":\"Int\",\"i\":2,\"type_id\":1}}]}},"
             "{\"Step\":{\"path_id\":0,\"line\":11}},"
             "{\"Value\":{\"variable_id\":1,\"value\":{\"kind\":\"Int\",\"i\":1,\"type_id\":1}}},"
             "{\"Return\":{\"return_value\":{\"kind\":\"Int\",\"i\":3,\"type_id\":1}}},"
             "{\"Event\":{\"kind\":0,\"metadata\":\"\",\"content\":\"3\\n\"}}]",
             src);
    cJSON *want = cJSON_Parse(want_text);
    CU_ASSERT_FATAL(want != NULL);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(got), cJSON_GetArraySize(want));
    for (int i = 0; i < cJSON_GetArraySize(want); i++) {
        cJSON *a = cJSON_GetArrayItem(want, i), *b = cJSON_GetArrayItem(got, i);
        if (!cJSON_Compare(a, b, true)) {
            char *pa = cJSON_PrintUnformatted(a), *pb = b ? cJSON_PrintUnformatted(b) : NULL;
            fprintf(stderr, "\nevent %d:\n  want %s\n  got  %s\n", i, pa, pb ? pb : "(none)");
            free(pa);
            free(pb);
            CU_FAIL("event differs");
        }
    }
    cJSON_Delete(want);

    /* Side files: metadata, paths, files/ copy. */
    snprintf(path, sizeof path, "%s/trace_metadata.json", dir);
    char *meta = read_whole(path, NULL);
    cJSON *m = cJSON_Parse(meta);
    char cwd[512];
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(m, "program")), "prog.calc");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(m, "workdir")), getcwd(cwd, sizeof cwd));
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "args"), 0)), "x");
    cJSON_Delete(m);
    free(meta);
    snprintf(path, sizeof path, "%s/trace_paths.json", dir);
    char *paths = read_whole(path, NULL);
    cJSON *p = cJSON_Parse(paths);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(p), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetArrayItem(p, 0)), src);
    cJSON_Delete(p);
    free(paths);
    snprintf(path, sizeof path, "%s/files%s", dir, src);
    char *copy = read_whole(path, NULL);
    CU_ASSERT(copy && strcmp(copy, "x = 5\nprint add(1, 2)\n") == 0);
    free(copy);

    /* The binary recording holds exactly our CBOR of the same events. */
    char bdir[256];
    snprintf(bdir, sizeof bdir, "%s/out-bin.trace", tmp);
    CU_ASSERT_EQUAL(record_program(bdir, src, RTRACE_FORMAT_BINARY), 0);
    snprintf(path, sizeof path, "%s/trace.bin", bdir);
    size_t n = 0;
    unsigned char *payload = bin_payload(path, &n);
    rtrace_enc e;
    rtrace_arena a = {0};
    rtrace_enc_init(&e, RTRACE_FORMAT_BINARY, 0);
    const cJSON *it;
    cJSON_ArrayForEach(it, got) {
        rtrace_event ev;
        json_to_event(&ev, &a, it);
        rtrace_enc_event_struct(&e, &ev);
        rtrace_arena_reset(&a);
    }
    CU_ASSERT(payload && e.len == n && memcmp(payload, e.buf, n) == 0);
    snprintf(path, sizeof path, "%s/trace.json", bdir);
    CU_ASSERT(access(path, F_OK) != 0);
    free(payload);
    rtrace_enc_free(&e);
    rtrace_arena_free(&a);
    cJSON_Delete(got);
    free(text);
    remove_tree(tmp);
}

static void test_tracer__streaming_commit_and_missing_source(void)
{
    char *tmp = make_tmpdir();
    CU_ASSERT_FATAL(tmp != NULL);
    char dir[256], path[512];
    snprintf(dir, sizeof dir, "%s/t", tmp);
    rtrace_tracer *t;
    CU_ASSERT_FATAL(rtrace_tracer_open(&t, dir, "p", NULL, 0, RTRACE_FORMAT_JSON) == 0);
    CU_ASSERT_EQUAL(rtrace_tracer_start(t, "/no/such/source.calc", 1), 0);
    rtrace_enc *e = rtrace_tracer_enc(t);
    rtrace_enc_step(e, 0, 4);
    CU_ASSERT_EQUAL(rtrace_tracer_commit(t), 0);
    /* A source that cannot be copied is reported by close, the rest is written. */
    CU_ASSERT_EQUAL(rtrace_tracer_close(t), RTRACE_ENOTFOUND);
    rtrace_tracer_free(t);
    snprintf(path, sizeof path, "%s/trace.json", dir);
    char *text = read_whole(path, NULL);
    cJSON *j = cJSON_Parse(text);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 5);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 4), "Step"), "line")->valueint, 4);
    cJSON_Delete(j);
    free(text);
    snprintf(path, sizeof path, "%s/trace_metadata.json", dir);
    CU_ASSERT(access(path, F_OK) == 0);
    remove_tree(tmp);
}

static void *close_tracer(void *t)
{
    return (void *)(intptr_t)rtrace_tracer_close(t);
}

/* Closing on a thread with a 48 KiB stack (the side files and the source
 * copies used to put 64 KiB on it); in a child, so that an overflow is this
 * test's failure and not the runner's end. */
static void test_tracer__close_on_a_small_stack(void)
{
    char *tmp = make_tmpdir();
    CU_ASSERT_FATAL(tmp != NULL);
    char dir[256], src[256], path[600];
    snprintf(dir, sizeof dir, "%s/t", tmp);
    snprintf(src, sizeof src, "%s/prog.calc", tmp);
    FILE *f = fopen(src, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("print 1\n", f);
    fclose(f);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        rtrace_tracer *t;
        if (rtrace_tracer_open(&t, dir, "p", NULL, 0, RTRACE_FORMAT_JSON) != 0 ||
            rtrace_tracer_start(t, src, 1) != 0)
            _exit(2);
        pthread_attr_t attr;
        pthread_t th;
        void *rc = (void *)1;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 48 << 10);
        if (pthread_create(&th, &attr, close_tracer, t) != 0 || pthread_join(th, &rc) != 0)
            _exit(3);
        _exit(rc == NULL ? 0 : 4);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    snprintf(path, sizeof path, "%s/files%s", dir, src);
    char *copy = read_whole(path, NULL);
    CU_ASSERT(copy && strcmp(copy, "print 1\n") == 0);
    free(copy);
    remove_tree(tmp);
}

void register_tracer_suite(void)
{
    CU_pSuite s = CU_add_suite("tracer", NULL, NULL);
    CU_add_test(s, "tracer__small_program_event_sequence", test_tracer__small_program_event_sequence);
    CU_add_test(s, "tracer__streaming_commit_and_missing_source", test_tracer__streaming_commit_and_missing_source);
    CU_add_test(s, "tracer__close_on_a_small_stack", test_tracer__close_on_a_small_stack);
}
