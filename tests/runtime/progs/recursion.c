/* recursion.c - 100,000-deep recursion (the frame stack must grow). */
#include <stdio.h>

static long depth(long n)
{
    if (n == 0)
        return 0;
    return depth(n - 1) + 1;
}

int main(void)
{
    printf("depth %ld\n", depth(100000));
    return 0;
}
