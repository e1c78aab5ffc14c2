/* samples/twostatic/ring.c - the ring buffer's push and pop; `check` is static here and
 * in stats.c, with different bodies (the recorder must tell them apart). */
#include "ring.h"

static int check(const struct ring *r, int want_room)
{
    int ok = want_room ? r->count < RING_CAP : r->count > 0;
    return ok;
}

int ring_push(struct ring *r, struct sample s)
{
    if (!check(r, 1))
        return 0;
    s.level = (short)CLAMP(s.level, 0, 100);
    r->items[r->tail] = s;
    r->tail = RING_NEXT(r->tail);
    r->count++;
    return 1;
}

int ring_pop(struct ring *r, struct sample *out)
{
    int ok = check(r, 0);
    if (ok) {
        *out = r->items[r->head];
        r->head = RING_NEXT(r->head);
        r->count--;
    }
    return ok;
}
