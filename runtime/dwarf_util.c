/*
 * runtime/dwarf_util.c - the small containers the DWARF loader builds with.
 *
 * An arena (bump allocation, freed at once with the module: the tables are
 * read-only after load and never freed piecemeal), two open-addressing hash
 * maps (DIE offset -> type, string -> anything: interning, file paths, type
 * names) and a growable vector for temporaries. Used only at load time.
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf_priv.h"

/* ---- Arena ------------------------------------------------------------- */
struct rt_arena_blk { rt_arena_blk *next; size_t used, cap; max_align_t data[]; };

/* Returns n zeroed bytes aligned for any type, or NULL when out of memory. */
void *rt_arena_alloc(rt_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    rt_arena_blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        if (a->head && n > 65536) {          /* big one: keep the current block open */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

/* Copies s into the arena (NULL for NULL or OOM). */
char *rt_arena_strdup(rt_arena *a, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = rt_arena_alloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Frees every block of the arena. */
void rt_arena_free(rt_arena *a)
{
    rt_arena_blk *b = a->head;
    while (b) { rt_arena_blk *n = b->next; free(b); b = n; }
    a->head = NULL;
}

/* ---- Hash maps ----------------------------------------------------------- */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}

/* FNV-1a of a NUL-terminated string. */
uint64_t rt_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

/* The value stored under key, or NULL. */
void *rt_u64map_get(const rt_u64map *m, uint64_t key)
{
    if (!m->cap || !key) return NULL;
    size_t i = mix64(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (m->keys[i] == key) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Stores (key, val), replacing an older value. 0 on success, -1 on OOM. */
int rt_u64map_put(rt_u64map *m, uint64_t key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        uint64_t *nk = calloc(ncap, sizeof *nk);
        void **nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) { free(nk); free(nv); return -1; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = mix64(m->keys[i]) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys); free(m->vals);
        m->keys = nk; m->vals = nv; m->cap = ncap;
    }
    size_t i = mix64(key) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void rt_u64map_free(rt_u64map *m)
{
    free(m->keys); free(m->vals);
    memset(m, 0, sizeof *m);
}

/* The value stored under the string key, or NULL. */
void *rt_strmap_get(const rt_strmap *m, const char *key)
{
    if (!m->cap) return NULL;
    size_t i = rt_hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Stores (key, val); the key pointer must outlive the map. -1 on OOM. */
int rt_strmap_put(rt_strmap *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        const char **nk = calloc(ncap, sizeof *nk);
        void **nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) { free(nk); free(nv); return -1; }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = rt_hash_str(m->keys[i]) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys); free(m->vals);
        m->keys = nk; m->vals = nv; m->cap = ncap;
    }
    size_t i = rt_hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void rt_strmap_free(rt_strmap *m)
{
    free(m->keys); free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Appends one zeroed element; NULL on OOM. Starts small: most vectors are
 * a scope's few variables, and a first block that malloc keeps in its
 * per-thread cache is much cheaper to get and give back. */
void *rt_vec_push(rt_vec *v)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        void *np = realloc(v->p, ncap * v->esz);
        if (!np) return NULL;
        v->p = np;
        v->cap = ncap;
    }
    void *e = (char *)v->p + v->n++ * v->esz;
    memset(e, 0, v->esz);
    return e;
}

void rt_vec_free(rt_vec *v)
{
    free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}
