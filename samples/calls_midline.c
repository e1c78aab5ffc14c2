/* samples/calls_midline.c - differential-test sample: calls in the middle of a line (gdb
 * stops on the caller's line again after they return), nested calls f(g(x)), several calls
 * on one line, and a call whose arguments span lines. */
#include <stdio.h>

static int twice(int x)
{
    return 2 * x;
}

static int inc(int x)
{
    return x + 1;
}

static int add3(int a, int b, int c)
{
    return a + b + c;
}

int main(void)
{
    int x = 3;
    int y = twice(x) + 1;
    int z = twice(inc(x));
    int w = inc(1) * inc(2);
    int s = add3(x,
                 twice(y),
                 inc(z));
    if (twice(w) > 10)
        s += inc(s);
    printf("y=%d z=%d w=%d s=%d\n", y, z, w, s);
    return 0;
}
