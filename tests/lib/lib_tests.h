/*
 * tests/lib/lib_tests.h - shared helpers of the lib part's CUnit runner.
 *
 * One runner (lib_tests) holds every suite of the writing half of the format
 * library; each test_*.c file registers its suite through a function below.
 * Paths come from the environment, set by tests/lib/lib_tests.mk:
 * GOLDEN_DIR (../shared/golden) and RTRACE_CALC (the sample interpreter).
 */
#ifndef LIB_TESTS_H
#define LIB_TESTS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include <CUnit/CUnit.h>

#include "rtrace/rtrace.h"

void register_encode_json_suite(void);
void register_encode_cbor_suite(void);
void register_edge_suite(void);
void register_sink_suite(void);
void register_tracer_suite(void);
void register_calc_suite(void);
void register_noalloc_suite(void);

/* $GOLDEN_DIR/<rel> in a static buffer (default ../shared/golden). */
const char *golden_path(const char *rel);
/* Whole file in malloc'ed memory (NUL-terminated), or NULL; *n gets the size. */
char *read_whole(const char *path, size_t *n);
/* A fresh folder under /tmp (static buffer per call site: copy it). */
char *make_tmpdir(void);
/* rm -r of a folder made by make_tmpdir. */
void remove_tree(const char *dir);

/*
 * Converts one event of the JSON trace format (as cJSON) into an rtrace_event
 * whose strings and values live in `a`. 0, or -1 if the shape is unknown.
 */
int json_to_event(rtrace_event *ev, rtrace_arena *a, const cJSON *j);

#endif
