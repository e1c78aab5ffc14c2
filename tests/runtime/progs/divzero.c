/* divzero.c - integer division by zero: SIGFPE (status 136). */
#include <stdio.h>

static int divide(int a, int b)
{
    return a / b;
}

int main(void)
{
    volatile int zero = 0;
    printf("dividing\n");
    fflush(stdout);
    return divide(10, zero);
}
