/*
 * tests/lib/test_encode_json.c - the JSON encoder against the golden shapes.
 *
 * ../shared/golden/every-event.jsonl holds one line per event shape as
 * upstream's real types serialize them (compact, keys in declaration order);
 * its last two lines are notes, not events. Each event is rebuilt here with
 * the encoder's API (by hand, not from the file) and must match the line
 * byte for byte, and also as a JSON value (cJSON_Compare). The good_json
 * trace is then re-encoded event by event from its parsed form (through
 * rtrace_enc_event_struct) and compared as JSON values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_tests.h"

#define N_EVERY 35   /* event lines in every-event.jsonl */

/* Encodes event number `i` of every-event.jsonl with the API. */
static void encode_every_event(rtrace_enc *e, int i)
{
    static const uint8_t two64[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint64_t drops[2] = {0, 1};
    static const char *const asm_[1] = {"mov"};
    /* 1e300 written out as Rust prints it: "1" and 300 zeros. */
    char big[302];
    big[0] = '1';
    memset(big + 1, '0', 300);
    big[301] = '\0';
    switch (i) {
    case 0: rtrace_enc_path(e, "/abs/x.c"); break;
    case 1: rtrace_enc_function(e, 0, 1, "<toplevel>"); break;
    case 2: rtrace_enc_call_begin(e, 0, 0); rtrace_enc_call_end(e); break;
    case 3: rtrace_enc_type(e, RTRACE_TYPE_NONE, "None"); break;
    case 4:
        rtrace_enc_type_struct_begin(e, RTRACE_TYPE_STRUCT, "struct point", 1);
        rtrace_enc_type_field(e, "x", 1);
        rtrace_enc_type_struct_end(e);
        break;
    case 5: rtrace_enc_type_pointer(e, RTRACE_TYPE_POINTER, "int *", 1); break;
    case 6: rtrace_enc_step(e, 0, 3); break;
    case 7: rtrace_enc_variable_name(e, "a"); break;
    case 8: rtrace_enc_variable(e, "old"); break;
    case 9: rtrace_enc_value_begin(e, 0); rtrace_enc_int(e, 1, -5); rtrace_enc_value_end(e); break;
    case 10: rtrace_enc_value_begin(e, 0); rtrace_enc_float(e, 1, 2.5); rtrace_enc_value_end(e); break;
    case 11: rtrace_enc_value_begin(e, 0); rtrace_enc_float(e, 1, 1.0); rtrace_enc_value_end(e); break;
    case 12: rtrace_enc_value_begin(e, 0); rtrace_enc_float_text(e, 1, big); rtrace_enc_value_end(e); break;
    case 13: rtrace_enc_value_begin(e, 0); rtrace_enc_float(e, 1, NAN); rtrace_enc_value_end(e); break;
    case 14: rtrace_enc_value_begin(e, 0); rtrace_enc_float(e, 1, -INFINITY); rtrace_enc_value_end(e); break;
    case 15:
        rtrace_enc_value_begin(e, 0);
        rtrace_enc_bigint(e, 1, two64, sizeof two64, true);
        rtrace_enc_value_end(e);
        break;
    case 16:
        rtrace_enc_value_begin(e, 0);
        rtrace_enc_seq_begin(e, 1);
        rtrace_enc_bool(e, 1, true);
        rtrace_enc_seq_end(e, 1, false);
        rtrace_enc_value_end(e);
        break;
    case 17:
        rtrace_enc_value_begin(e, 0);
        rtrace_enc_reference_begin(e);
        rtrace_enc_string(e, 1, "hi", 2);
        rtrace_enc_reference_end(e, 1, 140000000000ull, true);
        rtrace_enc_value_end(e);
        break;
    case 18:
        rtrace_enc_value_begin(e, 0);
        rtrace_enc_variant_begin(e, "RED");
        rtrace_enc_none(e, 0);
        rtrace_enc_variant_end(e, 1);
        rtrace_enc_value_end(e);
        break;
    case 19: rtrace_enc_value_begin(e, 0); rtrace_enc_cell(e, 3); rtrace_enc_value_end(e); break;
    case 20: rtrace_enc_return_begin(e); rtrace_enc_raw(e, 1, "0x1", 3); rtrace_enc_return_end(e); break;
    case 21: rtrace_enc_event(e, RTRACE_LOG_WRITE, "", "hello\n", 6); break;
    case 22: rtrace_enc_asm(e, asm_, 1); break;
    case 23: rtrace_enc_bind_variable(e, 0, -1); break;
    case 24: rtrace_enc_drop_variables(e, drops, 2); break;
    case 25: rtrace_enc_compound_value_begin(e, 1); rtrace_enc_none(e, 0); rtrace_enc_compound_value_end(e); break;
    case 26: rtrace_enc_cell_value_begin(e, 1); rtrace_enc_none(e, 0); rtrace_enc_cell_value_end(e); break;
    case 27: rtrace_enc_assign_compound_item(e, 1, 0, 2); break;
    case 28: rtrace_enc_assign_cell_begin(e, 1); rtrace_enc_none(e, 0); rtrace_enc_assign_cell_end(e); break;
    case 29: rtrace_enc_variable_cell(e, 0, 1); break;
    case 30: rtrace_enc_drop_variable(e, 2); break;
    case 31: rtrace_enc_thread_start(e, 7); break;
    case 32: rtrace_enc_thread_exit(e, 7); break;
    case 33: rtrace_enc_thread_switch(e, 1); break;
    case 34: rtrace_enc_drop_last_step(e); break;
    }
}

/* The golden lines (NUL-terminated, in a malloc'ed copy of the file). */
static int golden_lines(char **file, char *lines[], int max)
{
    *file = read_whole(golden_path("every-event.jsonl"), NULL);
    if (!*file)
        return 0;
    int n = 0;
    for (char *save = NULL, *l = strtok_r(*file, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    return n;
}

static void test_json__every_event_shape_byte_exact(void)
{
    char *file, *lines[64];
    int n = golden_lines(&file, lines, 64);
    CU_ASSERT_FATAL(n == N_EVERY + 2);   /* 35 events and 2 notes */
    rtrace_enc e;
    CU_ASSERT_FATAL(rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0) == 0);
    for (int i = 0; i < N_EVERY; i++) {
        rtrace_enc_reset(&e);
        e.json_first = true;
        encode_every_event(&e, i);
        CU_ASSERT(rtrace_enc_ok(&e));
        CU_ASSERT_EQUAL(e.depth, 0);
        bool same = e.len == strlen(lines[i]) && memcmp(e.buf, lines[i], e.len) == 0;
        if (!same)
            fprintf(stderr, "\nline %d:\n  want %s\n  got  %.*s\n", i + 1, lines[i], (int)e.len, e.buf);
        CU_ASSERT(same);
        cJSON *want = cJSON_Parse(lines[i]);
        cJSON *got = cJSON_ParseWithLength((const char *)e.buf, e.len);
        CU_ASSERT_PTR_NOT_NULL(want);
        CU_ASSERT_PTR_NOT_NULL(got);
        CU_ASSERT(cJSON_Compare(want, got, true));
        cJSON_Delete(want);
        cJSON_Delete(got);
    }
    rtrace_enc_free(&e);
    free(file);
}

static void test_json__separators_between_events(void)
{
    rtrace_enc e;
    CU_ASSERT_FATAL(rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 16) == 0);   /* forces growth */
    rtrace_enc_path(&e, "/a.c");
    rtrace_enc_step(&e, 0, 1);
    rtrace_enc_drop_last_step(&e);
    const char *want = "{\"Path\":\"/a.c\"},\n{\"Step\":{\"path_id\":0,\"line\":1}},\n\"DropLastStep\"";
    CU_ASSERT_EQUAL(e.len, strlen(want));
    CU_ASSERT(memcmp(e.buf, want, e.len) == 0);
    rtrace_enc_free(&e);
}

static void test_json__event_struct_matches_every_event(void)
{
    /* Parse each golden line to an rtrace_event and re-encode it through event.c. */
    char *file, *lines[64];
    int n = golden_lines(&file, lines, 64);
    CU_ASSERT_FATAL(n == N_EVERY + 2);
    rtrace_enc e;
    rtrace_arena a = {0};
    CU_ASSERT_FATAL(rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0) == 0);
    for (int i = 0; i < N_EVERY; i++) {
        cJSON *want = cJSON_Parse(lines[i]);
        rtrace_event ev;
        CU_ASSERT_FATAL(json_to_event(&ev, &a, want) == 0);
        rtrace_enc_reset(&e);
        e.json_first = true;
        rtrace_enc_event_struct(&e, &ev);
        CU_ASSERT(e.len == strlen(lines[i]) && memcmp(e.buf, lines[i], e.len) == 0);
        cJSON_Delete(want);
        rtrace_arena_reset(&a);
    }
    rtrace_arena_free(&a);
    rtrace_enc_free(&e);
    free(file);
}

static void test_json__good_json_trace_reencoded(void)
{
    char *text = read_whole(golden_path("good_json/trace.json"), NULL);
    CU_ASSERT_FATAL(text != NULL);
    cJSON *want = cJSON_Parse(text);
    CU_ASSERT_FATAL(cJSON_IsArray(want));
    rtrace_enc e;
    rtrace_arena a = {0};
    CU_ASSERT_FATAL(rtrace_enc_init(&e, RTRACE_FORMAT_JSON, 0) == 0);
    /* "[\n" events "\n]\n", as the sink writes it. */
    memcpy(e.buf, "[\n", 2);
    e.len = 2;
    const cJSON *it;
    cJSON_ArrayForEach(it, want) {
        rtrace_event ev;
        CU_ASSERT_FATAL(json_to_event(&ev, &a, it) == 0);
        rtrace_enc_event_struct(&e, &ev);
        rtrace_arena_reset(&a);
    }
    rtrace_enc_reserve(&e, 4);
    memcpy(e.buf + e.len, "\n]\n", 4);
    cJSON *got = cJSON_Parse((const char *)e.buf);
    CU_ASSERT_PTR_NOT_NULL(got);
    CU_ASSERT(cJSON_Compare(want, got, true));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(got), 39);
    cJSON_Delete(got);
    cJSON_Delete(want);
    rtrace_arena_free(&a);
    rtrace_enc_free(&e);
    free(text);
}

void register_encode_json_suite(void)
{
    CU_pSuite s = CU_add_suite("encode_json", NULL, NULL);
    CU_add_test(s, "json__every_event_shape_byte_exact", test_json__every_event_shape_byte_exact);
    CU_add_test(s, "json__separators_between_events", test_json__separators_between_events);
    CU_add_test(s, "json__event_struct_matches_every_event", test_json__event_struct_matches_every_event);
    CU_add_test(s, "json__good_json_trace_reencoded", test_json__good_json_trace_reencoded);
}
