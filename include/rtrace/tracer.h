/*
 * rtrace/tracer.h - the tracer API: what an interpreter or VM written in C
 * calls to record the programs it runs (the C edition of upstream's
 * TraceWriter).
 *
 * A tracer owns a trace folder. It assigns ids (paths, functions, types,
 * variable names) and deduplicates them as upstream does (paths by string,
 * functions by (path, line, name), types by lang_type, variables by name),
 * writing each definition event the first time. Values are given either as
 * value trees (event.h; build them in rtrace_tracer_arena(), which is reset
 * after every register_* call: no malloc per value) or streamed straight into
 * the tracer's encoder with rtrace_tracer_enc().
 *
 * Typical use:
 *     rtrace_tracer *t;
 *     rtrace_tracer_open(&t, "out.trace", "prog.calc", argv, argc, RTRACE_FORMAT_JSON);
 *     rtrace_tracer_start(t, "/abs/prog.calc", 1);
 *     ... register_step / register_call / register_variable / register_return ...
 *     rtrace_tracer_close(t);   (writes metadata, paths, files/)
 *     rtrace_tracer_free(t);
 */
#ifndef RTRACE_TRACER_H
#define RTRACE_TRACER_H

#include "common.h"
#include "encode.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtrace_tracer rtrace_tracer;

/*
 * Opens (creates) the trace folder `dir` for `program` run with `args`.
 * On success *out owns a new tracer; free it with rtrace_tracer_free().
 */
int rtrace_tracer_open(rtrace_tracer **out, const char *dir, const char *program,
                       const char *const *args, size_t nargs, rtrace_format format);

/* Path, Function "<toplevel>" (function 0), its Call, and Type 0 = None. */
int rtrace_tracer_start(rtrace_tracer *t, const char *path, int64_t line);

/* Ids; each writes its definition event the first time it is seen. */
uint64_t rtrace_tracer_ensure_path_id(rtrace_tracer *t, const char *path);
uint64_t rtrace_tracer_ensure_function_id(rtrace_tracer *t, const char *name, const char *path, int64_t line);
uint64_t rtrace_tracer_ensure_type_id(rtrace_tracer *t, rtrace_type_kind kind, const char *lang_type);
/* A struct type; `field_names`/`field_type_ids` have `n` entries. */
uint64_t rtrace_tracer_ensure_struct_type_id(rtrace_tracer *t, rtrace_type_kind kind, const char *lang_type,
                                             const char *const *field_names, const uint64_t *field_type_ids, size_t n);
uint64_t rtrace_tracer_ensure_pointer_type_id(rtrace_tracer *t, const char *lang_type, uint64_t dereference_type_id);
uint64_t rtrace_tracer_ensure_variable_id(rtrace_tracer *t, const char *name);

/* The arena for building values; reset after each register_* call. */
rtrace_arena *rtrace_tracer_arena(rtrace_tracer *t);
/* Value constructors in the tracer's arena (NULL only on out-of-memory). */
rtrace_value *rtrace_tracer_int(rtrace_tracer *t, uint64_t type_id, int64_t i);
rtrace_value *rtrace_tracer_float(rtrace_tracer *t, uint64_t type_id, double f);
rtrace_value *rtrace_tracer_bool(rtrace_tracer *t, uint64_t type_id, bool b);
rtrace_value *rtrace_tracer_string(rtrace_tracer *t, uint64_t type_id, const char *s, size_t n);
rtrace_value *rtrace_tracer_none(rtrace_tracer *t);
rtrace_value *rtrace_tracer_error(rtrace_tracer *t, uint64_t type_id, const char *msg);
/* Sequence / Tuple / Struct with `n` items (NULL items allowed, filled later). */
rtrace_value *rtrace_tracer_compound(rtrace_tracer *t, rtrace_value_kind kind, uint64_t type_id,
                                     rtrace_value **items, size_t n);

/* Events. */
int rtrace_tracer_register_step(rtrace_tracer *t, const char *path, int64_t line);
/* Values of the args, a Step at the function's line, then the Call (as upstream). */
int rtrace_tracer_register_call(rtrace_tracer *t, uint64_t function_id,
                                const char *const *arg_names, rtrace_value *const *arg_values, size_t nargs);
int rtrace_tracer_register_return(rtrace_tracer *t, const rtrace_value *return_value); /* NULL = None */
int rtrace_tracer_register_variable(rtrace_tracer *t, const char *name, const rtrace_value *value);
int rtrace_tracer_register_special_event(rtrace_tracer *t, rtrace_event_log_kind kind,
                                         const char *metadata, const char *content, size_t len);
int rtrace_tracer_register_asm(rtrace_tracer *t, const char *const *instructions, size_t n);
int rtrace_tracer_register_thread_start(rtrace_tracer *t, uint64_t thread_id);
int rtrace_tracer_register_thread_exit(rtrace_tracer *t, uint64_t thread_id);
int rtrace_tracer_register_thread_switch(rtrace_tracer *t, uint64_t thread_id);
int rtrace_tracer_drop_last_step(rtrace_tracer *t);
/* Any event given as data (place/cell/compound events, ...). */
int rtrace_tracer_register_event(rtrace_tracer *t, const rtrace_event *ev);

/*
 * The tracer's encoder, for streaming values without building trees: write
 * whole events with rtrace_enc_* and then call rtrace_tracer_commit().
 */
rtrace_enc *rtrace_tracer_enc(rtrace_tracer *t);
int rtrace_tracer_commit(rtrace_tracer *t);

/* Events written so far. */
uint64_t rtrace_tracer_event_count(const rtrace_tracer *t);

/*
 * Finishes the trace: closes trace.json/.bin, writes trace_metadata.json and
 * trace_paths.json, copies every recorded source under files/. Idempotent.
 */
int rtrace_tracer_close(rtrace_tracer *t);
/* Closes if needed and frees. Accepts NULL. */
void rtrace_tracer_free(rtrace_tracer *t);

#ifdef __cplusplus
}
#endif
#endif
