/* samples/twostatic/ring.h - shared by ring.c, stats.c and main.c: a ring buffer of
 * samples with head/tail indices, and the macros both files use. */
#ifndef RING_H
#define RING_H

#define RING_CAP 5
#define RING_NEXT(i) (((i) + 1) % RING_CAP)
#define CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))

struct sample {
    int id;
    short level;
};

struct ring {
    struct sample items[RING_CAP];
    unsigned head, tail, count;
};

int ring_push(struct ring *r, struct sample s);
int ring_pop(struct ring *r, struct sample *out);
long stats_summary(const struct ring *r, int *maxp);

#endif
