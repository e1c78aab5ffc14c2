/* samples/twostatic/stats.c - a summary of what the ring holds; its own static `check`. */
#include "ring.h"

static int check(const struct sample *s, int limit)
{
    return s->level >= limit;
}

long stats_summary(const struct ring *r, int *maxp)
{
    long sum = 0;
    int max = -1;
    unsigned i = r->head;
    for (unsigned k = 0; k < r->count; k++) {
        const struct sample *s = &r->items[i];
        sum += s->level;
        if (check(s, max + 1))
            max = s->level;
        i = RING_NEXT(i);
    }
    *maxp = max;
    return sum;
}
