/*
 * lib/reader_int.h - private interfaces of the reading half of the library
 * (json_reader.c, cbor_reader.c, reader.c, metadata.c, validate.c) and of the
 * rtrace tool, which links the static library and needs a few extras
 * (lenient opening for repair, reading from memory for the fuzzers).
 *
 * Both readers turn one event's bytes into a small generic tree of rt_node
 * (the JSON / CBOR data model: null, bool, integers, float, text, bytes,
 * arrays, maps) in the reader's arena; reader.c then checks that tree against
 * upstream's serde shapes and builds the rtrace_event. Doing the shape check
 * once, on a format-neutral tree, is what makes the two readers agree.
 *
 * Names here start with rt_rd_ so they cannot clash with the runtime's rt_.
 */
#ifndef RTRACE_LIB_READER_INT_H
#define RTRACE_LIB_READER_INT_H

#include <stdio.h>
#include "rtrace/reader.h"

/*
 * Hidden: usable by everything linked statically with the library (rtrace,
 * tests, fuzzers) but never exported from librtrace.so or the runtime's .so.
 */
#pragma GCC visibility push(hidden)

/*
 * Maximum nesting of arrays/maps, counting the top-level array of trace.json:
 * serde_json (upstream's JSON reader) refuses 128 levels, so we do too.
 */
#define RT_RD_MAX_DEPTH 127
/* No single event may need more memory than this (bounded memory on garbage). */
#define RT_RD_MAX_EVENT_BYTES ((size_t)256 << 20)
/* ... nor more tree nodes than this (about 256 MiB of nodes). */
#define RT_RD_MAX_NODES ((size_t)4 << 20)

typedef enum rt_node_type {
    RT_N_NULL, RT_N_BOOL, RT_N_UINT, RT_N_NEGINT, RT_N_BIGNEG, RT_N_FLOAT,
    RT_N_STR, RT_N_BYTES, RT_N_ARR, RT_N_MAP
} rt_node_type;

/* A node of the generic tree. Map entries carry their key in `key`. */
typedef struct rt_node rt_node;
struct rt_node {
    rt_node_type t;
    rtrace_str key;                  /* when this node is a map entry */
    rt_node *next;                   /* next sibling (array item / map entry) */
    union {
        bool b;                      /* BOOL */
        uint64_t u;                  /* UINT (>= 0) */
        int64_t i;                   /* NEGINT (< 0) */
        double f;                    /* FLOAT */
        rtrace_str s;                /* STR, BYTES */
        struct { rt_node *first, *last; size_t n; } c;   /* ARR, MAP */
    } v;
};

/* Reader options (internal). */
enum {
    RT_RD_LENIENT = 1 << 0   /* binary: do not require the seek table (repair) */
};

/* The byte source of a reader: a file descriptor or a memory block. */
typedef struct rt_rd_src {
    int fd;                          /* -1 for memory */
    const unsigned char *mem;        /* memory source */
    size_t mem_len, mem_pos;
    uint64_t limit;                  /* read at most this many bytes (UINT64_MAX: all) */
    uint64_t consumed;               /* bytes handed out so far */
} rt_rd_src;

/* Reads up to n bytes; returns the count (0 at end) or -1 (error set). */
ssize_t rt_rd_src_read(rt_rd_src *s, void *buf, size_t n);

/* ---- JSON ------------------------------------------------------------ */
typedef struct rt_json rt_json;
/* Creates a tokenizer over `src` (which it does not own). */
int rt_json_new(rt_json **out, rt_rd_src *src);
void rt_json_free(rt_json *j);
/*
 * Parses one complete JSON value into *out (nodes in `arena`). `depth0` is
 * the nesting already open around it. Returns 0, RTRACE_EFORMAT (syntax,
 * message set, without event prefix), RTRACE_ETRUNCATED (input ended inside
 * the value) or RTRACE_ENOMEM.
 */
int rt_json_value(rt_json *j, rtrace_arena *arena, int depth0, rt_node **out);
/*
 * Skips whitespace and returns the next byte without consuming it, or -1 at
 * the end of input (-2 on a read error, message set).
 */
int rt_json_peek(rt_json *j);
/* Consumes one byte (after rt_json_peek returned it). */
void rt_json_skip(rt_json *j);
/* Offset of the next unread byte from the start of the input, line number. */
uint64_t rt_json_offset(const rt_json *j);
uint64_t rt_json_line(const rt_json *j);
/*
 * Parses a whole small JSON file (metadata, paths) into *out; anything after
 * the value is an error. Messages name the file.
 */
int rt_json_parse_file(rt_node **out, rtrace_arena *arena, const char *path);

/* ---- CBOR + zstd ------------------------------------------------------ */
typedef struct rt_cbor rt_cbor;
/*
 * Opens the binary stream of `src`: checks the 8-byte header and, unless
 * RT_RD_LENIENT, the zstd seek table (needs src_size, the total size).
 */
int rt_cbor_new(rt_cbor **out, rt_rd_src *src, uint64_t src_size, unsigned flags);
void rt_cbor_free(rt_cbor *c);
/*
 * Decodes the next top-level CBOR item into *out. 0, RTRACE_EOF at a clean
 * end, RTRACE_EFORMAT (bad CBOR or zstd data, message set), RTRACE_ETRUNCATED.
 */
int rt_cbor_item(rt_cbor *c, rtrace_arena *arena, rt_node **out);
/* Decompressed offset just after the last complete item. */
uint64_t rt_cbor_offset(const rt_cbor *c);

/* ---- shapes (reader.c) ------------------------------------------------ */
/*
 * Checks `n` against upstream's TraceLowLevelEvent and fills *ev (pointers
 * into `arena` and into n's strings). On a mismatch returns RTRACE_EFORMAT
 * with a message "event <index>: <problem>". RT_RD_SKIP: a well-formed event
 * that rtrace_event cannot hold (Assignment), to be consumed silently.
 */
#define RT_RD_SKIP 1
int rt_rd_event_from_node(rtrace_event *ev, rtrace_arena *arena, const rt_node *n, uint64_t index);

/* Opens a trace file or memory block with options. `mem` non-NULL: memory. */
int rt_rd_open(rtrace_reader **out, const char *path, const void *mem, size_t mem_len,
               rtrace_format format, bool jsonl, unsigned flags);
/* True when the last error of `r` ended the stream (no more events possible). */
bool rt_rd_fatal(const rtrace_reader *r);

/* The variant name of an event kind as spelled in traces ("Step", ...). */
const char *rt_rd_variant_name(rtrace_event_kind k);

/* ---- helpers shared by the tree users --------------------------------- */
const rt_node *rt_node_get(const rt_node *map, const char *key);
const char *rt_node_type_name(const rt_node *n);
/* True when the n bytes at p are valid UTF-8 (no surrogates, shortest forms). */
bool rt_rd_utf8_valid(const char *p, size_t n);
/* Base64 (standard, padded) decode into the arena; -1 when malformed. */
int rt_rd_base64_decode(uint8_t **out, size_t *n, rtrace_arena *a, const char *s, size_t len);

#pragma GCC visibility pop

#endif
