/*
 * lib/arena.c - the bump allocator behind value trees and reader events.
 *
 * Building a value tree or decoding an event would otherwise cost one malloc
 * per node; here nodes are carved out of big chunks and all freed at once.
 * The current chunk is `head` (a->used/a->cap describe it); older chunks are
 * linked behind it. Allocations larger than a quarter of the standard chunk
 * get a chunk of their own, linked behind head, so that head stays usable.
 * Reset keeps one chunk (the current one), so a steady loop of
 * "build, encode, reset" allocates nothing after warming up.
 */
#include <stdlib.h>
#include <string.h>

#include "rtrace/event.h"

#define ARENA_ALIGN 16
#define ARENA_MIN_CHUNK (16u * 1024)

struct rtrace_arena_chunk {
    struct rtrace_arena_chunk *next;   /* older chunk */
    size_t cap;                        /* usable bytes in data[] */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

/* Allocates a chunk with `cap` usable bytes, or NULL. */
static struct rtrace_arena_chunk *chunk_new(size_t cap)
{
    struct rtrace_arena_chunk *c = malloc(sizeof *c + cap);
    if (c) {
        c->next = NULL;
        c->cap = cap;
    }
    return c;
}

/*
 * Returns `n` bytes aligned to 16, valid until the next reset or free, or
 * NULL when memory runs out (n == 0 gives a valid unique pointer).
 */
void *rtrace_arena_alloc(rtrace_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need == 0)
        need = ARENA_ALIGN;
    if (need < n)
        return NULL;                       /* overflow */
    if (a->head && a->cap - a->used >= need) {
        void *p = a->head->data + a->used;
        a->used += need;
        return p;
    }
    size_t std = a->head ? a->head->cap * 2 : ARENA_MIN_CHUNK;
    if (std > (64u << 20))
        std = 64u << 20;
    if (a->head && need > std / 4) {
        /* Big one-off: its own chunk behind head, head stays current. */
        struct rtrace_arena_chunk *c = chunk_new(need);
        if (!c)
            return NULL;
        c->next = a->head->next;
        a->head->next = c;
        return c->data;
    }
    if (std < need)
        std = need;
    struct rtrace_arena_chunk *c = chunk_new(std);
    if (!c)
        return NULL;
    c->next = a->head;
    a->head = c;
    a->cap = std;
    a->used = need;
    return c->data;
}

/* Copies n bytes of `s` and a terminating NUL into the arena; NULL on ENOMEM. */
char *rtrace_arena_strndup(rtrace_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = rtrace_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Frees every chunk but the current one and makes it empty again. */
void rtrace_arena_reset(rtrace_arena *a)
{
    if (!a->head)
        return;
    struct rtrace_arena_chunk *c = a->head->next;
    while (c) {
        struct rtrace_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head->next = NULL;
    a->used = 0;
}

/* Frees every chunk; the arena is zeroed and may be reused. Accepts NULL. */
void rtrace_arena_free(rtrace_arena *a)
{
    if (!a)
        return;
    struct rtrace_arena_chunk *c = a->head;
    while (c) {
        struct rtrace_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->cap = 0;
}
