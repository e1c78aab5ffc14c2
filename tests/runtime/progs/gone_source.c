/* gone_source.c - built, then its source removed before the run (as
 * autoconf's conftest.c is): the trace has a placeholder under files/. */
#include <stdio.h>

static int add(int a, int b)
{
    return a + b;
}

int main(void)
{
    printf("sum %d\n", add(2, 3));
    return 0;
}
