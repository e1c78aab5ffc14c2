/* samples/globals/state.h - shared declarations and static inline helpers. */
#ifndef STATE_H
#define STATE_H

extern int g_counter;
extern const char *g_name;

struct config {
    int width;
    int height;
};
extern struct config g_config;

static inline int clamp(int v, int lo, int hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return v;
}

static inline int area(const struct config *c) { return c->width * c->height; }

int bump(int by);
int calls(void);

#endif
