/*
 * tests/reader/reader_tests.c - CUnit runner for the reading half of the
 * format library: the JSON and binary readers and the validator.
 *
 * Every golden trace (../shared/golden, given as argv[1]) is judged as its
 * README says; every line of every-event.jsonl is read back and its fields
 * compared with values read by hand from the file; the upstream and Ruby
 * traces parse; truncated, mutated and random inputs are rejected cleanly
 * (run under ASan/UBSan too); nesting is capped; the shape rules of
 * upstream's serde types are checked one by one on small hand-written events.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "rtrace/rtrace.h"
#include "../../lib/reader_int.h"

static const char *golden = "../shared/golden";

/* ---- helpers ------------------------------------------------------------ */

static char *golden_path(const char *rel)
{
    static char buf[4][4096];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", golden, rel);
    return buf[k];
}

/* Reads a whole file; NULL if missing. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

typedef struct problems { size_t n; int64_t idx[64]; char msg[64][256]; } problems;

static void collect(void *ctx, int64_t idx, const char *m)
{
    problems *p = ctx;
    if (p->n < 64) {
        p->idx[p->n] = idx;
        snprintf(p->msg[p->n], sizeof p->msg[p->n], "%s", m);
    }
    p->n++;
}

/* Validates a golden folder; returns the error count, fills *p. */
static size_t validate_golden(const char *rel, unsigned flags, problems *p)
{
    size_t n = 99;
    memset(p, 0, sizeof *p);
    int rc = rtrace_validate(&n, golden_path(rel), flags, 0, collect, p);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(n, p->n);
    return n;
}

static bool any_message(const problems *p, const char *needle)
{
    for (size_t i = 0; i < p->n && i < 64; i++)
        if (strstr(p->msg[i], needle))
            return true;
    return false;
}

/*
 * Reads all events of a memory block. Returns the number of good events;
 * *bad counts shape errors, *end gets the final code (RTRACE_EOF or the
 * fatal error). Fails the test if the reader does not stop.
 */
static size_t read_mem(const void *data, size_t n, rtrace_format fmt, bool jsonl, unsigned flags,
                       size_t *bad, int *end)
{
    rtrace_reader *r;
    size_t good = 0, b = 0;
    int rc = rt_rd_open(&r, NULL, data, n, fmt, jsonl, flags);
    if (rc) {
        CU_ASSERT(rtrace_last_error()[0] != '\0');
        *end = rc;
        *bad = 0;
        return 0;
    }
    rtrace_event ev;
    for (size_t guard = 0; guard < 1000000; guard++) {
        rc = rtrace_reader_next(r, &ev);
        if (rc == 0) {
            good++;
            continue;
        }
        if (rc == RTRACE_EOF)
            break;
        /* Every error is explained and names an event. */
        CU_ASSERT(strstr(rtrace_last_error(), "event ") != NULL);
        if (rt_rd_fatal(r))
            break;
        b++;
    }
    /* After the end, the reader keeps saying EOF. */
    CU_ASSERT_EQUAL(rtrace_reader_next(r, &ev), RTRACE_EOF);
    *end = rc;
    *bad = b;
    rtrace_reader_free(r);
    return good;
}

/* Parses one JSON event given as text (jsonl); returns the code, fills *ev via a static reader. */
static int parse_one(const char *text, rtrace_event *ev, rtrace_reader **keep)
{
    rtrace_reader *r;
    int rc = rt_rd_open(&r, NULL, text, strlen(text), RTRACE_FORMAT_JSON, true, 0);
    if (rc)
        return rc;
    rc = rtrace_reader_next(r, ev);
    if (keep)
        *keep = r;
    else
        rtrace_reader_free(r);
    return rc;
}

static bool str_is(rtrace_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

/* ---- goldens --------------------------------------------------------------- */

static void test_validate__good_json_and_good_bin_are_valid(void)
{
    problems p;
    CU_ASSERT_EQUAL(validate_golden("good_json", 0, &p), 0);
    CU_ASSERT_EQUAL(validate_golden("good_bin", 0, &p), 0);
}

static void test_validate__bad_float_number_rejected_as_not_a_string(void)
{
    problems p;
    CU_ASSERT_EQUAL(validate_golden("bad_float_number", 0, &p), 1);
    CU_ASSERT_EQUAL(p.idx[0], 21);
    CU_ASSERT(any_message(&p, "must be a string"));
}

static void test_validate__bad_shape_has_four_errors(void)
{
    problems p;
    CU_ASSERT_EQUAL(validate_golden("bad_shape", 0, &p), 4);
    CU_ASSERT(any_message(&p, "event 11 (Step): Step.line: expected an integer"));
    CU_ASSERT(any_message(&p, "event 28 (Call)") && any_message(&p, "missing field `args`"));
    CU_ASSERT(any_message(&p, "event 36 (Event)") && any_message(&p, "unknown number 99"));
    CU_ASSERT(any_message(&p, "`args` must be a list"));
}

static void test_validate__bad_semantics_has_thirteen_errors(void)
{
    problems p;
    CU_ASSERT_EQUAL(validate_golden("bad_semantics", 0, &p), 13);
    /* Counted by hand from the file, event by event. */
    static const int64_t want[] = { 12, 14, 15, 17, 17, 18, 28, 33, 33, 36, 10, -1, -1 };
    int64_t got[13];
    for (int i = 0; i < 13; i++)
        got[i] = p.idx[i];
    /* Order: events as met, then unreturned calls, then side files. */
    for (int i = 0; i < 13; i++)
        CU_ASSERT_EQUAL(got[i], want[i]);
    CU_ASSERT(any_message(&p, "path id 5"));
    CU_ASSERT(any_message(&p, "Step line 0"));
    CU_ASSERT(any_message(&p, "not a Pointer type"));
    CU_ASSERT(any_message(&p, "function id 7"));
    CU_ASSERT(any_message(&p, "Value right after a Return"));
    CU_ASSERT(any_message(&p, "variable id 9"));
    CU_ASSERT(any_message(&p, "`main`"));
    CU_ASSERT(any_message(&p, "trace_paths.json lists 2 paths"));
    CU_ASSERT(any_message(&p, "files/usr/include/stdio.h"));
}

static void test_validate__crashed_is_valid_only_as_crashed(void)
{
    problems p;
    CU_ASSERT_EQUAL(validate_golden("crashed", 0, &p), 2);
    CU_ASSERT_EQUAL(validate_golden("crashed", RTRACE_VALIDATE_CRASHED, &p), 0);
}

static void test_validate__bad_bin_goldens_rejected(void)
{
    problems p;
    CU_ASSERT(validate_golden("bad_bin_noseek", 0, &p) >= 1);
    CU_ASSERT(any_message(&p, "no zstd seek table"));
    CU_ASSERT_EQUAL(validate_golden("bad_bin_indef_map", 0, &p), 1);
    CU_ASSERT(any_message(&p, "indefinite-length"));
    CU_ASSERT(validate_golden("bad_bin_float_number", 0, &p) >= 1);
    CU_ASSERT(any_message(&p, "Float.f must be a string"));
}

static void test_validate__missing_folder_is_an_error(void)
{
    problems p = {0};
    size_t n = 0;
    CU_ASSERT_EQUAL(rtrace_validate(&n, "/nonexistent/trace", 0, 0, collect, &p), RTRACE_ENOTFOUND);
    CU_ASSERT_EQUAL(n, 1);
}

static void test_validate__max_errors_limits_reports_not_count(void)
{
    problems p = {0};
    size_t n = 0;
    rtrace_validate(&n, golden_path("bad_semantics"), 0, 3, collect, &p);
    CU_ASSERT_EQUAL(n, 13);
    CU_ASSERT_EQUAL(p.n, 3);
}

/* A synthetic trace in dir: started, main (line 2) and work (line 5) defined, and
 * main called and at its line 3. The source file does not exist (one problem). */
static const char synth_src[] = "/work/nonexistent-src.c";
static rtrace_tracer *synth_trace_in_main(const char *dir, uint64_t *fwork)
{
    rtrace_tracer *t = NULL;
    CU_ASSERT_EQUAL_FATAL(rtrace_tracer_open(&t, dir, "prog", NULL, 0, RTRACE_FORMAT_JSON), 0);
    CU_ASSERT_EQUAL(rtrace_tracer_start(t, synth_src, 1), 0);
    uint64_t fmain = rtrace_tracer_ensure_function_id(t, "main", synth_src, 2);
    *fwork = rtrace_tracer_ensure_function_id(t, "work", synth_src, 5);
    rtrace_tracer_register_call(t, fmain, NULL, NULL, 0);
    rtrace_tracer_register_step(t, synth_src, 3);
    return t;
}

/* A recorder writes no thread events until a second thread appears; then the first
 * ThreadStart (before any ThreadSwitch) names the thread that started the trace, so
 * main's Call before it and its Return after a ThreadSwitch back are one thread's. */
static void write_two_thread_trace(const char *dir, bool name_main_first)
{
    const char *src = synth_src;
    uint64_t fwork;
    rtrace_tracer *t = synth_trace_in_main(dir, &fwork);
    if (name_main_first)
        rtrace_tracer_register_thread_start(t, 100);
    rtrace_tracer_register_thread_start(t, 200);
    rtrace_tracer_register_thread_switch(t, 200);
    rtrace_tracer_register_call(t, fwork, NULL, NULL, 0);
    rtrace_tracer_register_step(t, src, 6);
    rtrace_tracer_register_return(t, NULL);
    rtrace_tracer_register_thread_exit(t, 200);
    rtrace_tracer_register_thread_switch(t, 100);
    rtrace_tracer_register_step(t, src, 4);
    rtrace_tracer_register_return(t, NULL);
    rtrace_tracer_close(t);
    rtrace_tracer_free(t);
}

static void test_validate__first_thread_start_names_the_starting_thread(void)
{
    char dir[] = "/tmp/rtrace-threads-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    problems p = {0};
    size_t n = 0;
    write_two_thread_trace(dir, true);
    rtrace_validate(&n, dir, 0, 0, collect, &p);
    /* the only problem: the source file of this synthetic trace does not exist */
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_TRUE(any_message(&p, "has no copy"));
    p = (problems){0};
    write_two_thread_trace(dir, false);        /* main never named: its Return is unmatched */
    rtrace_validate(&n, dir, 0, 0, collect, &p);
    CU_ASSERT_TRUE(any_message(&p, "Return with no open call"));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* A program that leaves through exit() two calls deep: main and work stay open.
 * With the exit Event (RTRACE_EXIT_METADATA) the trace is complete; without it,
 * or with an Event of another metadata, the open calls are reported. */
static void write_exit_trace(const char *dir, const char *metadata)
{
    uint64_t fwork;
    rtrace_tracer *t = synth_trace_in_main(dir, &fwork);
    rtrace_tracer_register_call(t, fwork, NULL, NULL, 0);
    rtrace_tracer_register_step(t, synth_src, 6);
    if (metadata)
        rtrace_tracer_register_special_event(t, RTRACE_LOG_TRACE_LOG_EVENT, metadata, "exit(3)", 7);
    rtrace_tracer_close(t);
    rtrace_tracer_free(t);
}

static void test_validate__open_calls_after_an_exit_event_are_complete(void)
{
    char dir[] = "/tmp/rtrace-exit-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    problems p = {0};
    size_t n = 0;
    write_exit_trace(dir, RTRACE_EXIT_METADATA);
    rtrace_validate(&n, dir, 0, 0, collect, &p);
    CU_ASSERT_EQUAL(n, 1);                      /* only: no copy of the synthetic source */
    CU_ASSERT_FALSE(any_message(&p, "never returned"));
    const char *others[] = {NULL, "log"};
    for (int i = 0; i < 2; i++) {
        p = (problems){0};
        write_exit_trace(dir, others[i]);
        rtrace_validate(&n, dir, 0, 0, collect, &p);
        CU_ASSERT_EQUAL(n, 3);                  /* main and work never returned, no copy */
        CU_ASSERT_TRUE(any_message(&p, "call of `work` (thread 0) never returned"));
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* ---- every-event.jsonl -------------------------------------------------------- */

static void test_reader__every_event_line_read_back(void)
{
    rtrace_reader *r;
    CU_ASSERT_FATAL(rtrace_reader_open_file(&r, golden_path("every-event.jsonl"), RTRACE_FORMAT_JSON, true) == 0);
    /* The variant of each of the 35 event lines, in file order. */
    static const rtrace_event_kind kinds[35] = {
        RTRACE_E_PATH, RTRACE_E_FUNCTION, RTRACE_E_CALL, RTRACE_E_TYPE, RTRACE_E_TYPE, RTRACE_E_TYPE,
        RTRACE_E_STEP, RTRACE_E_VARIABLE_NAME, RTRACE_E_VARIABLE, RTRACE_E_VALUE, RTRACE_E_VALUE,
        RTRACE_E_VALUE, RTRACE_E_VALUE, RTRACE_E_VALUE, RTRACE_E_VALUE, RTRACE_E_VALUE, RTRACE_E_VALUE,
        RTRACE_E_VALUE, RTRACE_E_VALUE, RTRACE_E_VALUE, RTRACE_E_RETURN, RTRACE_E_EVENT, RTRACE_E_ASM,
        RTRACE_E_BIND_VARIABLE, RTRACE_E_DROP_VARIABLES, RTRACE_E_COMPOUND_VALUE, RTRACE_E_CELL_VALUE,
        RTRACE_E_ASSIGN_COMPOUND_ITEM, RTRACE_E_ASSIGN_CELL, RTRACE_E_VARIABLE_CELL, RTRACE_E_DROP_VARIABLE,
        RTRACE_E_THREAD_START, RTRACE_E_THREAD_EXIT, RTRACE_E_THREAD_SWITCH, RTRACE_E_DROP_LAST_STEP
    };
    rtrace_event ev;
    for (int i = 0; i < 35; i++) {
        int rc = rtrace_reader_next(r, &ev);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT_EQUAL(ev.kind, kinds[i]);
        const rtrace_value *v = ev.kind == RTRACE_E_VALUE ? ev.u.value.value : NULL;
        switch (i) {
        case 0: CU_ASSERT(str_is(ev.u.path, "/abs/x.c")); break;
        case 1: CU_ASSERT(ev.u.function.path_id == 0 && ev.u.function.line == 1 &&
                          str_is(ev.u.function.name, "<toplevel>")); break;
        case 2: CU_ASSERT(ev.u.call.function_id == 0 && ev.u.call.nargs == 0); break;
        case 3: CU_ASSERT(ev.u.type.kind == 30 && str_is(ev.u.type.lang_type, "None") &&
                          ev.u.type.info == RTRACE_SI_NONE); break;
        case 4: CU_ASSERT(ev.u.type.kind == 6 && ev.u.type.info == RTRACE_SI_STRUCT && ev.u.type.nfields == 1 &&
                          str_is(ev.u.type.fields[0].name, "x") && ev.u.type.fields[0].type_id == 1); break;
        case 5: CU_ASSERT(ev.u.type.kind == 23 && ev.u.type.info == RTRACE_SI_POINTER &&
                          ev.u.type.dereference_type_id == 1); break;
        case 6: CU_ASSERT(ev.u.step.path_id == 0 && ev.u.step.line == 3); break;
        case 7: CU_ASSERT(str_is(ev.u.name, "a")); break;
        case 8: CU_ASSERT(str_is(ev.u.name, "old")); break;
        case 9: CU_ASSERT(v->kind == RTRACE_V_INT && v->u.i == -5 && v->type_id == 1); break;
        case 10: CU_ASSERT(v->kind == RTRACE_V_FLOAT && str_is(v->u.f, "2.5")); break;
        case 11: CU_ASSERT(v->kind == RTRACE_V_FLOAT && str_is(v->u.f, "1")); break;
        case 12: CU_ASSERT(v->kind == RTRACE_V_FLOAT && v->u.f.len == 301 && v->u.f.ptr[0] == '1'); break;
        case 13: CU_ASSERT(v->kind == RTRACE_V_FLOAT && str_is(v->u.f, "NaN")); break;
        case 14: CU_ASSERT(v->kind == RTRACE_V_FLOAT && str_is(v->u.f, "-inf")); break;
        case 15: /* "AQAAAAAAAAAA" is 01 followed by eight 00 bytes: 2^64 */
            CU_ASSERT(v->kind == RTRACE_V_BIGINT && v->u.bigint.negative && v->u.bigint.n == 9 &&
                      v->u.bigint.magnitude_be[0] == 1 && v->u.bigint.magnitude_be[8] == 0); break;
        case 16: CU_ASSERT(v->kind == RTRACE_V_SEQUENCE && v->u.seq.n == 1 && !v->u.seq.is_slice &&
                           v->u.seq.items[0]->kind == RTRACE_V_BOOL && v->u.seq.items[0]->u.b); break;
        case 17: CU_ASSERT(v->kind == RTRACE_V_REFERENCE && v->u.ref.address == 140000000000ull &&
                           v->u.ref.is_mutable && v->u.ref.dereferenced->kind == RTRACE_V_STRING &&
                           str_is(v->u.ref.dereferenced->u.text, "hi")); break;
        case 18: CU_ASSERT(v->kind == RTRACE_V_VARIANT && str_is(v->u.variant.discriminator, "RED") &&
                           v->u.variant.contents->kind == RTRACE_V_NONE); break;
        case 19: CU_ASSERT(v->kind == RTRACE_V_CELL && v->u.place == 3); break;
        case 20: CU_ASSERT(ev.u.return_value->kind == RTRACE_V_RAW && str_is(ev.u.return_value->u.text, "0x1")); break;
        case 21: CU_ASSERT(ev.u.event.kind == 0 && str_is(ev.u.event.metadata, "") &&
                           str_is(ev.u.event.content, "hello\n")); break;
        case 22: CU_ASSERT(ev.u.asm_.n == 1 && str_is(ev.u.asm_.items[0], "mov")); break;
        case 23: CU_ASSERT(ev.u.bind.variable_id == 0 && ev.u.bind.place == -1); break;
        case 24: CU_ASSERT(ev.u.drop.n == 2 && ev.u.drop.ids[0] == 0 && ev.u.drop.ids[1] == 1); break;
        case 25: case 26: CU_ASSERT(ev.u.place_value.place == 1 && ev.u.place_value.value->kind == RTRACE_V_NONE); break;
        case 27: CU_ASSERT(ev.u.compound_item.place == 1 && ev.u.compound_item.index == 0 &&
                           ev.u.compound_item.item_place == 2); break;
        case 28: CU_ASSERT(ev.u.place_value.place == 1 && ev.u.place_value.value->kind == RTRACE_V_NONE); break;
        case 29: CU_ASSERT(ev.u.bind.variable_id == 0 && ev.u.bind.place == 1); break;
        case 30: CU_ASSERT(ev.u.variable_id == 2); break;
        case 31: case 32: CU_ASSERT(ev.u.thread_id == 7); break;
        case 33: CU_ASSERT(ev.u.thread_id == 1); break;
        default: break;
        }
    }
    /* Lines 36-37 are notes, not JSON: a clean syntax error naming event 35, then the end. */
    CU_ASSERT_EQUAL(rtrace_reader_next(r, &ev), RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "event 35") != NULL);
    CU_ASSERT(strstr(rtrace_last_error(), "line 36") != NULL);
    CU_ASSERT_EQUAL(rtrace_reader_next(r, &ev), RTRACE_EOF);
    rtrace_reader_free(r);
}

static void test_reader__ruby_and_upstream_floats_parse(void)
{
    size_t n, bad;
    int end;
    unsigned char *b = slurp(golden_path("ruby-recorder-addition.trace.json"), &n);
    CU_ASSERT_FATAL(b != NULL);
    /* 34 events, 2 of them Assignment (well-formed, consumed but not returned). */
    CU_ASSERT_EQUAL(read_mem(b, n, RTRACE_FORMAT_JSON, false, 0, &bad, &end), 32);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(end, RTRACE_EOF);
    free(b);
    b = slurp(golden_path("upstream-floats.trace.json"), &n);
    CU_ASSERT_FATAL(b != NULL);
    CU_ASSERT_EQUAL(read_mem(b, n, RTRACE_FORMAT_JSON, false, 0, &bad, &end), 10);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(end, RTRACE_EOF);
    free(b);
}

static void test_reader__json_and_bin_goldens_give_same_events(void)
{
    rtrace_reader *a, *b;
    CU_ASSERT_FATAL(rtrace_reader_open(&a, golden_path("good_json")) == 0);
    CU_ASSERT_FATAL(rtrace_reader_open(&b, golden_path("good_bin")) == 0);
    CU_ASSERT_EQUAL(rtrace_reader_format(b), RTRACE_FORMAT_BINARY);
    rtrace_event ea, eb;
    int n = 0;
    for (;;) {
        int ra = rtrace_reader_next(a, &ea), rb = rtrace_reader_next(b, &eb);
        CU_ASSERT_EQUAL_FATAL(ra, rb);
        if (ra)
            break;
        CU_ASSERT_EQUAL(ea.kind, eb.kind);
        if (ea.kind == RTRACE_E_STEP)
            CU_ASSERT(ea.u.step.line == eb.u.step.line);
        n++;
    }
    CU_ASSERT_EQUAL(n, 39);
    rtrace_reader_free(a);
    rtrace_reader_free(b);
}

/* ---- truncation, garbage, nesting ------------------------------------------- */

static void test_reader__json_cut_at_every_offset_rejected_cleanly(void)
{
    size_t n, bad;
    int end;
    unsigned char *b = slurp(golden_path("good_json/trace.json"), &n);
    CU_ASSERT_FATAL(b != NULL);
    size_t prev = 0;
    for (size_t cut = 0; cut < n; cut++) {
        size_t good = read_mem(b, cut, RTRACE_FORMAT_JSON, false, 0, &bad, &end);
        /* The final "]\n" missing or any prefix: never EOF, never more events than before the cut. */
        if (cut < n - 2)
            CU_ASSERT(end == RTRACE_ETRUNCATED || end == RTRACE_EFORMAT);
        CU_ASSERT(good >= prev && good <= 39);
        prev = good;
    }
    CU_ASSERT_EQUAL(read_mem(b, n, RTRACE_FORMAT_JSON, false, 0, &bad, &end), 39);
    CU_ASSERT_EQUAL(end, RTRACE_EOF);
    free(b);
}

static void test_reader__bin_cut_at_every_offset_rejected_cleanly(void)
{
    size_t n, bad;
    int end;
    unsigned char *b = slurp(golden_path("good_bin/trace.bin"), &n);
    CU_ASSERT_FATAL(b != NULL);
    size_t prev = 0;
    for (size_t cut = 0; cut < n; cut++) {
        /* Strict: a cut file has no valid seek table. */
        CU_ASSERT_EQUAL(read_mem(b, cut, RTRACE_FORMAT_BINARY, false, 0, &bad, &end), 0);
        CU_ASSERT(end == RTRACE_EFORMAT || end == RTRACE_ETRUNCATED);
        /* Lenient (repair): a growing prefix of the events, then a clean stop. */
        size_t good = read_mem(b, cut, RTRACE_FORMAT_BINARY, false, RT_RD_LENIENT, &bad, &end);
        CU_ASSERT(good >= prev && good <= 39);
        CU_ASSERT_EQUAL(bad, 0);
        prev = good;
    }
    CU_ASSERT_EQUAL(prev, 39);
    CU_ASSERT_EQUAL(read_mem(b, n, RTRACE_FORMAT_BINARY, false, 0, &bad, &end), 39);
    CU_ASSERT_EQUAL(end, RTRACE_EOF);
    free(b);
}

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void test_reader__random_and_mutated_inputs_rejected_cleanly(void)
{
    size_t bad;
    int end;
    unsigned char buf[2048];
    for (int it = 0; it < 3000; it++) {
        size_t len = next_rand() % sizeof buf;
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)next_rand();
        if (it % 3 == 0 && len > 8)
            memcpy(buf, "\xC0\xDE\x72\xAC\xE2\x01\x00\x00", 8);
        read_mem(buf, len, RTRACE_FORMAT_JSON, it & 1, 0, &bad, &end);
        read_mem(buf, len, RTRACE_FORMAT_BINARY, false, it & 1 ? RT_RD_LENIENT : 0, &bad, &end);
    }
    /* Byte flips of the goldens. */
    const char *files[] = { "good_json/trace.json", "good_bin/trace.bin", "every-event.jsonl" };
    for (int f = 0; f < 3; f++) {
        size_t n;
        unsigned char *g = slurp(golden_path(files[f]), &n);
        CU_ASSERT_FATAL(g != NULL);
        unsigned char *m = malloc(n);
        for (int it = 0; it < 600; it++) {
            memcpy(m, g, n);
            for (int k = 0; k < 1 + it % 4; k++)
                m[next_rand() % n] = (unsigned char)next_rand();
            rtrace_format fmt = f == 1 ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
            read_mem(m, n, fmt, f == 2, 0, &bad, &end);
            if (f == 1)
                read_mem(m, n, fmt, false, RT_RD_LENIENT, &bad, &end);
        }
        free(m);
        free(g);
    }
}

/* Builds an event whose value nests `depth` Sequences. */
static char *nested_event(int depth)
{
    size_t cap = (size_t)depth * 80 + 200;
    char *s = malloc(cap), *p = s;
    p += sprintf(p, "{\"Value\":{\"variable_id\":0,\"value\":");
    for (int i = 0; i < depth; i++)
        p += sprintf(p, "{\"kind\":\"Sequence\",\"is_slice\":false,\"type_id\":0,\"elements\":[");
    p += sprintf(p, "{\"kind\":\"None\",\"type_id\":0}");
    for (int i = 0; i < depth; i++)
        p += sprintf(p, "]}");
    sprintf(p, "}}");
    return s;
}

static void test_reader__deep_nesting_capped(void)
{
    rtrace_event ev;
    /* Event map + Value map + 2 levels per Sequence: 60 Sequences = 123 levels, fine. */
    char *ok = nested_event(60);
    CU_ASSERT_EQUAL(parse_one(ok, &ev, NULL), 0);
    free(ok);
    char *deep = nested_event(70);
    CU_ASSERT_EQUAL(parse_one(deep, &ev, NULL), RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "nesting too deep") != NULL);
    free(deep);
    /* A million '[' ends quickly with the same error. */
    size_t n = 1000000;
    char *brackets = malloc(n + 1);
    memset(brackets, '[', n);
    brackets[n] = '\0';
    CU_ASSERT_EQUAL(parse_one(brackets, &ev, NULL), RTRACE_EFORMAT);
    free(brackets);
}

static void test_reader__huge_event_capped(void)
{
    /* {"DropVariables":[0,0,...]} with 5 Mi ids: over the per-event node budget. */
    size_t n = (size_t)5 << 20, k = 0;
    char *s = malloc(n * 2 + 64);
    k += (size_t)sprintf(s, "{\"DropVariables\":[");
    for (size_t i = 0; i < n; i++) {
        s[k++] = '0';
        s[k++] = ',';
    }
    s[k - 1] = ']';
    s[k++] = '}';
    s[k] = '\0';
    rtrace_event ev;
    CU_ASSERT_EQUAL(parse_one(s, &ev, NULL), RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "event too large") != NULL);
    free(s);
}

/* Wraps raw CBOR bytes as a trace.bin without seek table (read leniently). */
static int read_cbor(const unsigned char *cbor, size_t n, size_t *good)
{
    size_t cap = ZSTD_compressBound(n) + 8, bad;
    unsigned char *bin = malloc(cap);
    memcpy(bin, "\xC0\xDE\x72\xAC\xE2\x01\x00\x00", 8);
    size_t z = ZSTD_compress(bin + 8, cap - 8, cbor, n, 1);
    CU_ASSERT_FATAL(!ZSTD_isError(z));
    int end;
    *good = read_mem(bin, z + 8, RTRACE_FORMAT_BINARY, false, RT_RD_LENIENT, &bad, &end);
    free(bin);
    return end;
}

static void test_reader__cbor_nesting_indefinite_and_tags_rejected(void)
{
    unsigned char buf[400];
    size_t good;
    /* {"DropVariables": [[[...]]]} 200 levels deep. */
    size_t k = 0;
    buf[k++] = 0xA1;
    buf[k++] = 0x6D;
    memcpy(buf + k, "DropVariables", 13);
    k += 13;
    for (int i = 0; i < 200; i++)
        buf[k++] = 0x81;
    buf[k++] = 0x00;
    CU_ASSERT_EQUAL(read_cbor(buf, k, &good), RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "nesting too deep") != NULL);
    /* "DropLastStep" then an indefinite-length array. */
    unsigned char indef[] = { 0x6C, 'D', 'r', 'o', 'p', 'L', 'a', 's', 't', 'S', 't', 'e', 'p', 0x9F, 0xFF };
    CU_ASSERT_EQUAL(read_cbor(indef, sizeof indef, &good), RTRACE_EFORMAT);
    CU_ASSERT_EQUAL(good, 1);
    CU_ASSERT(strstr(rtrace_last_error(), "indefinite-length") != NULL);
    unsigned char tag[] = { 0xC1, 0x00 };
    CU_ASSERT_EQUAL(read_cbor(tag, sizeof tag, &good), RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "tag") != NULL);
    /* {"DropVariable": 5} read fine; a cut item is truncation. */
    unsigned char ok[] = { 0xA1, 0x6C, 'D', 'r', 'o', 'p', 'V', 'a', 'r', 'i', 'a', 'b', 'l', 'e', 0x05 };
    CU_ASSERT_EQUAL(read_cbor(ok, sizeof ok, &good), RTRACE_EOF);
    CU_ASSERT_EQUAL(good, 1);
    CU_ASSERT_EQUAL(read_cbor(ok, sizeof ok - 3, &good), RTRACE_ETRUNCATED);
}

/* ---- shapes, one rule at a time ------------------------------------------------ */

static void expect_shape(const char *json, int want_rc, const char *needle)
{
    rtrace_event ev;
    int rc = parse_one(json, &ev, NULL);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (rc != want_rc)
        fprintf(stderr, "\n  %s -> %d %s\n", json, rc, rtrace_last_error());
    if (needle && rc)
        CU_ASSERT(strstr(rtrace_last_error(), needle) != NULL);
}

static void test_reader__float_must_be_string(void)
{
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Float\",\"f\":2.5,\"type_id\":0}}}",
                 RTRACE_EFORMAT, "Float.f must be a string");
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Float\",\"f\":\"2.5\",\"type_id\":0}}}", 0, NULL);
}

static void test_reader__ids_unsigned_and_lines_integers(void)
{
    expect_shape("{\"Step\":{\"path_id\":-1,\"line\":3}}", RTRACE_EFORMAT, "unsigned");
    expect_shape("{\"Step\":{\"path_id\":0,\"line\":3.0}}", RTRACE_EFORMAT, "Step.line");
    expect_shape("{\"Step\":{\"path_id\":0,\"line\":-3}}", 0, NULL);   /* Line is an i64: a semantic problem */
    expect_shape("{\"Step\":{\"path_id\":0}}", RTRACE_EFORMAT, "missing field `line`");
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Int\",\"i\":1}}}", RTRACE_EFORMAT,
                 "missing field `type_id`");
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Int\",\"i\":9223372036854775808,\"type_id\":0}}}",
                 RTRACE_EFORMAT, "out of the signed 64-bit range");
}

static void test_reader__args_required_and_enums_bounded(void)
{
    expect_shape("{\"Call\":{\"function_id\":0}}", RTRACE_EFORMAT, "missing field `args`");
    expect_shape("{\"Type\":{\"kind\":33,\"lang_type\":\"s\",\"specific_info\":{\"kind\":\"None\"}}}", 0, NULL);
    expect_shape("{\"Type\":{\"kind\":34,\"lang_type\":\"s\",\"specific_info\":{\"kind\":\"None\"}}}", RTRACE_EFORMAT,
                 "unknown number 34");
    expect_shape("{\"Event\":{\"kind\":13,\"metadata\":\"\",\"content\":\"\"}}", 0, NULL);
    expect_shape("{\"Event\":{\"kind\":14,\"metadata\":\"\",\"content\":\"\"}}", RTRACE_EFORMAT, "unknown number 14");
    expect_shape("{\"Event\":{\"kind\":0,\"content\":\"\"}}", RTRACE_EFORMAT, "missing field `metadata`");
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Sequence\",\"elements\":[],\"type_id\":0}}}",
                 RTRACE_EFORMAT, "is_slice");
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"Reference\",\"address\":1,\"mutable\":true,"
                 "\"type_id\":0}}}", RTRACE_EFORMAT, "dereferenced");
}

static void test_reader__drop_last_step_and_legacy_forms(void)
{
    expect_shape("\"DropLastStep\"", 0, NULL);
    expect_shape("{\"DropLastStep\":null}", 0, NULL);
    expect_shape("{\"DropLastStep\":1}", RTRACE_EFORMAT, "null");
    expect_shape("\"Step\"", RTRACE_EFORMAT, "needs a payload");
    expect_shape("{\"Variable\":\"x\"}", 0, NULL);
    expect_shape("{\"Assignment\":{}}", RTRACE_EFORMAT, "missing field `to`");
    expect_shape("{\"Assignment\":{\"to\":1,\"pass_by\":\"Value\",\"from\":{\"kind\":\"Simple\",\"data\":2}}}\n"
                 "\"DropLastStep\"", 0, NULL);   /* skipped: the next event is returned */
    expect_shape("{\"Step\":{\"path_id\":0,\"line\":1},\"Path\":\"x\"}", RTRACE_EFORMAT, "one key");
    expect_shape("{\"Nope\":1}", RTRACE_EFORMAT, "unknown event variant");
    expect_shape("{\"Value\":{\"variable_id\":0,\"value\":{\"kind\":\"BigInt\",\"b\":\"AQ=\",\"negative\":false,"
                 "\"type_id\":0}}}", RTRACE_EFORMAT, "base64");
}

static void test_reader__json_syntax_is_strict(void)
{
    expect_shape("{\"Path\":\"a\\ud800\"}", RTRACE_EFORMAT, "surrogate");
    expect_shape("{\"Path\":\"a\xff\"}", RTRACE_EFORMAT, "UTF-8");
    expect_shape("{\"Path\":\"a\tb\"}", RTRACE_EFORMAT, "control character");
    expect_shape("{\"Path\":\"\\u00e9\\ud83d\\ude00\"}", 0, NULL);
    expect_shape("{\"DropVariables\":[1,2,]}", RTRACE_EFORMAT, "expected a JSON value");
    expect_shape("{\"Step\":{\"path_id\":01,\"line\":1}}", RTRACE_EFORMAT, NULL);
    size_t bad;
    int end;
    const char *trail = "[\n\"DropLastStep\"\n]\nx";
    CU_ASSERT_EQUAL(read_mem(trail, strlen(trail), RTRACE_FORMAT_JSON, false, 0, &bad, &end), 1);
    CU_ASSERT_EQUAL(end, RTRACE_EFORMAT);
    const char *comma = "[\"DropLastStep\",]";
    read_mem(comma, strlen(comma), RTRACE_FORMAT_JSON, false, 0, &bad, &end);
    CU_ASSERT_EQUAL(end, RTRACE_EFORMAT);
    const char *open_only = "[\"DropLastStep\",\n";
    CU_ASSERT_EQUAL(read_mem(open_only, strlen(open_only), RTRACE_FORMAT_JSON, false, 0, &bad, &end), 1);
    CU_ASSERT_EQUAL(end, RTRACE_ETRUNCATED);
}

static void test_reader__bad_events_are_skipped_and_reading_goes_on(void)
{
    const char *t = "[{\"Step\":{\"path_id\":0,\"line\":\"x\"}},\"DropLastStep\",{\"Nope\":1},{\"Path\":\"p\"}]";
    size_t bad;
    int end;
    CU_ASSERT_EQUAL(read_mem(t, strlen(t), RTRACE_FORMAT_JSON, false, 0, &bad, &end), 2);
    CU_ASSERT_EQUAL(bad, 2);
    CU_ASSERT_EQUAL(end, RTRACE_EOF);
}

static void test_reader__bad_bin_header_named(void)
{
    size_t bad;
    int end;
    const char junk[] = "\xC0\xDE\x72\xAC\xE2\x00\x00\x00rest";
    read_mem(junk, sizeof junk - 1, RTRACE_FORMAT_BINARY, false, 0, &bad, &end);
    CU_ASSERT_EQUAL(end, RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "unknown header") != NULL);
    read_mem("", 0, RTRACE_FORMAT_BINARY, false, 0, &bad, &end);
    CU_ASSERT_EQUAL(end, RTRACE_EFORMAT);
}

static void test_metadata__reads_fields_and_rejects_bad_args(void)
{
    rtrace_arena a = {0};
    rtrace_metadata md;
    CU_ASSERT_EQUAL(rtrace_read_metadata(&md, &a, golden_path("good_json")), 0);
    CU_ASSERT_STRING_EQUAL(md.workdir, "/home/user/example");
    CU_ASSERT_STRING_EQUAL(md.program, "/home/user/example/example");
    CU_ASSERT_EQUAL(md.nargs, 0);
    CU_ASSERT_EQUAL(rtrace_read_metadata(&md, &a, golden_path("bad_shape")), RTRACE_EFORMAT);
    CU_ASSERT(strstr(rtrace_last_error(), "args") != NULL);
    const char **paths;
    size_t n;
    CU_ASSERT_EQUAL(rtrace_read_paths(&paths, &n, &a, golden_path("bad_semantics")), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(paths[1], "/usr/include/stdio.h");
    CU_ASSERT_EQUAL(rtrace_read_metadata(&md, &a, "/nonexistent"), RTRACE_ENOTFOUND);
    rtrace_arena_free(&a);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        golden = argv[1];
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("reader", NULL, NULL);
#define T(f) CU_add_test(s, #f, f)
    T(test_validate__good_json_and_good_bin_are_valid);
    T(test_validate__bad_float_number_rejected_as_not_a_string);
    T(test_validate__bad_shape_has_four_errors);
    T(test_validate__bad_semantics_has_thirteen_errors);
    T(test_validate__crashed_is_valid_only_as_crashed);
    T(test_validate__bad_bin_goldens_rejected);
    T(test_validate__missing_folder_is_an_error);
    T(test_validate__max_errors_limits_reports_not_count);
    T(test_validate__first_thread_start_names_the_starting_thread);
    T(test_validate__open_calls_after_an_exit_event_are_complete);
    T(test_reader__every_event_line_read_back);
    T(test_reader__ruby_and_upstream_floats_parse);
    T(test_reader__json_and_bin_goldens_give_same_events);
    T(test_reader__json_cut_at_every_offset_rejected_cleanly);
    T(test_reader__bin_cut_at_every_offset_rejected_cleanly);
    T(test_reader__random_and_mutated_inputs_rejected_cleanly);
    T(test_reader__deep_nesting_capped);
    T(test_reader__huge_event_capped);
    T(test_reader__cbor_nesting_indefinite_and_tags_rejected);
    T(test_reader__float_must_be_string);
    T(test_reader__ids_unsigned_and_lines_integers);
    T(test_reader__args_required_and_enums_bounded);
    T(test_reader__drop_last_step_and_legacy_forms);
    T(test_reader__json_syntax_is_strict);
    T(test_reader__bad_events_are_skipped_and_reading_goes_on);
    T(test_reader__bad_bin_header_named);
    T(test_metadata__reads_fields_and_rejects_bad_args);
#undef T
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
