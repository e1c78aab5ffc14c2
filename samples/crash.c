/* samples/crash.c - differential-test sample: a program that dies of SIGSEGV two calls deep,
 * with output still in stdio's buffer. The trace must end at the faulting line as gdb does,
 * the exit status must be the same, and the buffered output lost in both runs alike. */
#include <stdio.h>

struct cell {
    int value;
    struct cell *next;
};

static int second_value(const struct cell *c)
{
    int first = c->value;
    return first + c->next->value;
}

static int sum_pair(const struct cell *c)
{
    int s = second_value(c);
    return s;
}

int main(void)
{
    struct cell last = {2, NULL};
    struct cell head = {1, &last};
    printf("pair: %d\n", sum_pair(&head));
    printf("lonely: %d\n", sum_pair(&last));
    return 0;
}
