/*
 * runtime/dwarf_util.c - the small containers the DWARF loader builds with.
 *
 * An arena (bump allocation, freed at once with the module: the tables are
 * read-only after load and never freed piecemeal), two open-addressing hash
 * maps (DIE offset -> type, string -> anything: interning, file paths, type
 * names), a growable vector for temporaries, and big zeroed tables on huge
 * pages (rt_big_calloc, dwarf.h), which the arena's blocks come from too.
 * Used only at load time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dwarf_priv.h"

/* ---- Big tables ---------------------------------------------------------- */
#define RT_HUGE_PAGE (2u << 20)

/* Before each big table: how it was obtained (16 bytes: the table stays 16-aligned). */
typedef struct big_hdr { size_t map_len; size_t pad; } big_hdr;

/* Contract: see dwarf.h. */
void *rt_big_calloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(big_hdr) - 2 * RT_HUGE_PAGE)
        return NULL;
    if (n < RT_BIG_MIN) {
        big_hdr *h = calloc(1, sizeof *h + n);
        return h ? h + 1 : NULL;      /* map_len 0: calloc'ed */
    }
    size_t len = (sizeof(big_hdr) + n + RT_HUGE_PAGE - 1) & ~(size_t)(RT_HUGE_PAGE - 1);
    char *m = mmap(NULL, len + RT_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    /* keep the 2 MiB-aligned len bytes inside, give back the rest */
    char *a = (char *)(((uintptr_t)m + RT_HUGE_PAGE - 1) & ~(uintptr_t)(RT_HUGE_PAGE - 1));
    if (a > m)
        munmap(m, (size_t)(a - m));
    if (m + len + RT_HUGE_PAGE > a + len)
        munmap(a + len, (size_t)(m + len + RT_HUGE_PAGE - (a + len)));
    (void)madvise(a, len, MADV_HUGEPAGE);   /* a hint: without THP, plain pages */
    big_hdr *h = (big_hdr *)a;
    h->map_len = len;
    return h + 1;
}

/* Contract: see dwarf.h. */
void rt_big_free(void *p)
{
    if (!p)
        return;
    big_hdr *h = (big_hdr *)p - 1;
    if (h->map_len)
        munmap(h, h->map_len);
    else
        free(h);
}

/* ---- Arena ------------------------------------------------------------- */
struct rt_arena_blk { rt_arena_blk *next; size_t used, cap; max_align_t data[]; };

/* Returns n zeroed bytes aligned for any type, or NULL when out of memory.
 * Blocks double from 64 KiB up to 2 MiB (a big module's tables then sit on
 * huge pages, see rt_big_calloc). */
void *rt_arena_alloc(rt_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    rt_arena_blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        /* 64 KiB .. 2 MiB with the headers (one huge page, not two) */
        size_t grow = ((size_t)65536 << (a->nblk < 5 ? a->nblk : 5)) - 64;
        size_t cap = n > grow ? n : grow;
        b = rt_big_calloc(sizeof *b + cap);
        if (!b) return NULL;
        a->nblk++;
        b->cap = cap;
        b->used = 0;
        if (a->head && n > grow) {           /* big one: keep the current block open */
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
    while (b) { rt_arena_blk *n = b->next; rt_big_free(b); b = n; }
    a->head = NULL;
    a->nblk = 0;
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
        /* a fresh table, not realloc: big ones then sit on huge pages */
        size_t ncap = v->cap ? v->cap * 2 : 8;
        if (ncap > SIZE_MAX / v->esz) return NULL;
        void *np = rt_big_calloc(ncap * v->esz);
        if (!np) return NULL;
        if (v->n) memcpy(np, v->p, v->n * v->esz);
        rt_big_free(v->p);
        v->p = np;
        v->cap = ncap;
    }
    void *e = (char *)v->p + v->n++ * v->esz;
    memset(e, 0, v->esz);
    return e;
}

void rt_vec_free(rt_vec *v)
{
    rt_big_free(v->p);
    v->p = NULL;
    v->n = v->cap = 0;
}
