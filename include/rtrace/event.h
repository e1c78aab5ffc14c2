/*
 * rtrace/event.h - events and value records as data, for readers, tools and
 * the tracer API.
 *
 * Values form trees whose nodes live in an arena (rtrace_arena): building or
 * reading a value never costs one malloc per node, and the whole tree is freed
 * at once with rtrace_arena_reset(). Strings in events and values are
 * (pointer, length) pairs of arbitrary bytes, owned by the arena or the reader.
 */
#ifndef RTRACE_EVENT_H
#define RTRACE_EVENT_H

#include "common.h"
#include "encode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A bump allocator in chunks. Zero-initialise it; reset keeps the first chunk. */
typedef struct rtrace_arena {
    struct rtrace_arena_chunk *head;
    size_t used, cap;
} rtrace_arena;
void *rtrace_arena_alloc(rtrace_arena *a, size_t n);      /* NULL on ENOMEM */
char *rtrace_arena_strndup(rtrace_arena *a, const char *s, size_t n); /* NUL-terminated copy */
void rtrace_arena_reset(rtrace_arena *a);
void rtrace_arena_free(rtrace_arena *a);                  /* accepts NULL */

typedef struct rtrace_str { const char *ptr; size_t len; } rtrace_str;

typedef enum rtrace_value_kind {
    RTRACE_V_INT, RTRACE_V_FLOAT, RTRACE_V_BOOL, RTRACE_V_STRING, RTRACE_V_SEQUENCE,
    RTRACE_V_TUPLE, RTRACE_V_STRUCT, RTRACE_V_VARIANT, RTRACE_V_REFERENCE, RTRACE_V_RAW,
    RTRACE_V_ERROR, RTRACE_V_NONE, RTRACE_V_CELL, RTRACE_V_BIGINT
} rtrace_value_kind;

typedef struct rtrace_value rtrace_value;
struct rtrace_value {
    rtrace_value_kind kind;
    uint64_t type_id;                 /* all kinds but CELL */
    union {
        int64_t i;                    /* INT */
        rtrace_str f;                 /* FLOAT: the text, as in the trace */
        bool b;                       /* BOOL */
        rtrace_str text;              /* STRING, RAW (r), ERROR (msg) */
        struct { rtrace_value **items; size_t n; bool is_slice; } seq; /* SEQUENCE, TUPLE, STRUCT */
        struct { rtrace_str discriminator; rtrace_value *contents; } variant;
        struct { rtrace_value *dereferenced; uint64_t address; bool is_mutable; } ref;
        int64_t place;                /* CELL */
        struct { uint8_t *magnitude_be; size_t n; bool negative; } bigint; /* decoded bytes */
    } u;
};

typedef enum rtrace_event_kind {
    RTRACE_E_PATH, RTRACE_E_FUNCTION, RTRACE_E_TYPE, RTRACE_E_VARIABLE_NAME, RTRACE_E_VARIABLE,
    RTRACE_E_STEP, RTRACE_E_CALL, RTRACE_E_RETURN, RTRACE_E_VALUE, RTRACE_E_EVENT, RTRACE_E_ASM,
    RTRACE_E_THREAD_START, RTRACE_E_THREAD_EXIT, RTRACE_E_THREAD_SWITCH, RTRACE_E_BIND_VARIABLE,
    RTRACE_E_DROP_VARIABLES, RTRACE_E_DROP_VARIABLE, RTRACE_E_COMPOUND_VALUE, RTRACE_E_CELL_VALUE,
    RTRACE_E_ASSIGN_CELL, RTRACE_E_ASSIGN_COMPOUND_ITEM, RTRACE_E_VARIABLE_CELL,
    RTRACE_E_DROP_LAST_STEP
} rtrace_event_kind;

typedef struct rtrace_field { rtrace_str name; uint64_t type_id; } rtrace_field;
typedef struct rtrace_arg { uint64_t variable_id; rtrace_value *value; } rtrace_arg;

typedef struct rtrace_event {
    rtrace_event_kind kind;
    union {
        rtrace_str path;                                   /* PATH */
        struct { uint64_t path_id, line; rtrace_str name; } function;
        struct {
            int kind;                                      /* rtrace_type_kind */
            rtrace_str lang_type;
            enum { RTRACE_SI_NONE, RTRACE_SI_STRUCT, RTRACE_SI_POINTER } info;
            rtrace_field *fields; size_t nfields;          /* SI_STRUCT */
            uint64_t dereference_type_id;                  /* SI_POINTER */
        } type;
        rtrace_str name;                                   /* VARIABLE_NAME, VARIABLE */
        struct { uint64_t path_id; int64_t line; } step;
        struct { uint64_t function_id; rtrace_arg *args; size_t nargs; } call;
        rtrace_value *return_value;                        /* RETURN */
        struct { uint64_t variable_id; rtrace_value *value; } value; /* VALUE */
        struct { int kind; rtrace_str metadata, content; } event;    /* EVENT */
        struct { rtrace_str *items; size_t n; } asm_;      /* ASM */
        uint64_t thread_id;                                /* THREAD_* */
        struct { uint64_t variable_id; int64_t place; } bind;  /* BIND_VARIABLE, VARIABLE_CELL */
        struct { uint64_t *ids; size_t n; } drop;          /* DROP_VARIABLES */
        uint64_t variable_id;                              /* DROP_VARIABLE */
        struct { int64_t place; rtrace_value *value; } place_value; /* COMPOUND_VALUE, CELL_VALUE, ASSIGN_CELL */
        struct { int64_t place; uint64_t index; int64_t item_place; } compound_item;
    } u;
} rtrace_event;

/* The variant name as in the trace ("Step", "DropLastStep", ...). */
const char *rtrace_event_kind_name(rtrace_event_kind k);
const char *rtrace_value_kind_name(rtrace_value_kind k);

/* Encodes a whole event / value tree with `e` (used by convert and the tracer). */
void rtrace_enc_event_struct(rtrace_enc *e, const rtrace_event *ev);
void rtrace_enc_value_tree(rtrace_enc *e, const rtrace_value *v);

#ifdef __cplusplus
}
#endif
#endif
