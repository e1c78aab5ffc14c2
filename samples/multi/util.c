/* samples/multi/util.c - the stack of the multi-file sample: calls across compilation units. */
#include "util.h"

void stack_push(struct stack *s, int v)
{
    if (s->top < 8)
        s->items[s->top++] = v;
}

int stack_pop(struct stack *s)
{
    int v = 0;
    if (s->top > 0)
        v = s->items[--s->top];
    return v;
}
