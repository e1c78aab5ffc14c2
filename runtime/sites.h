/*
 * runtime/sites.h - the site table's layout and its lookup, inline: shared
 * by probes.c (which builds and publishes the table) and fastpath.c (the
 * probes' fast path, which may call nothing).
 *
 * An open-addressing hash on the probe's pc, read without locks by every
 * thread; a new table (dlopen) is published with a release store and old
 * ones are never freed (see probes.c).
 */
#ifndef RT_SITES_H
#define RT_SITES_H

#include <stdatomic.h>

#include "core.h"

typedef struct rt_slot {
    uint64_t pc;              /* 0 = empty */
    const rt_site *site;
} rt_slot;

typedef struct rt_site_table {
    size_t mask;              /* capacity - 1 (a power of two) */
    size_t n;
    rt_slot slots[];
} rt_site_table;

extern RT_HIDDEN _Atomic(rt_site_table *) rt_site_table_cur;

static inline size_t pc_hash(uint64_t pc, size_t mask)
{
    return (size_t)((pc * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

/* The site of run-time pc `pc`, or NULL. Wait-free. */
static inline const rt_site *rt_sites_find(uint64_t pc)
{
    const rt_site_table *t = atomic_load_explicit(&rt_site_table_cur, memory_order_acquire);
    if (unlikely(!t))
        return NULL;
    size_t i = pc_hash(pc, t->mask);
    for (;;) {
        const rt_slot *s = &t->slots[i];
        if (likely(s->pc == pc))
            return s->site;
        if (s->pc == 0)
            return NULL;
        i = (i + 1) & t->mask;
    }
}

#endif
