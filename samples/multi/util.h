/* samples/multi/util.h - the shared interface of the multi-file differential-test sample:
 * a small stack of ints and a static inline helper (a function defined in a header). */
#ifndef SAMPLES_MULTI_UTIL_H
#define SAMPLES_MULTI_UTIL_H

struct stack {
    int items[8];
    int top;
};

void stack_push(struct stack *s, int v);
int stack_pop(struct stack *s);

static inline int square(int x)
{
    return x * x;
}

#endif
