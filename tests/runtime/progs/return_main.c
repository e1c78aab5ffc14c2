/* return_main.c - the plain case: calls, output, return 0 from main. */
#include <stdio.h>

static int square(int x)
{
    int r = x * x;
    return r;
}

int main(void)
{
    int total = 0;
    for (int i = 1; i <= 3; i++)
        total += square(i);
    printf("total %d\n", total);
    return 0;
}
