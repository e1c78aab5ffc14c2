/* samples/multi/main.c - the multi-file differential-test sample: main calls into util.c and
 * into a static inline function of util.h (stops in three files). */
#include <stdio.h>
#include "util.h"

int main(void)
{
    struct stack s = {{0}, 0};
    for (int i = 1; i <= 3; i++)
        stack_push(&s, square(i));
    int total = 0;
    while (s.top > 0)
        total += stack_pop(&s);
    printf("total=%d\n", total);
    return 0;
}
