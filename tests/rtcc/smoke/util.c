/* tests/rtcc/smoke/util.c - recursion, floats, a struct and a long double
 * returned by value: the values the probes must not disturb. */
#include "util.h"

int fib(int n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

double mean(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return n ? s / n : 0.0;
}

struct pair make_pair(long a, double b)
{
    struct pair p = { a * 2, b / 4 };
    return p;
}

long double ld_half(long double x)
{
    return x / 2;
}

/* Excluded from -finstrument-functions by the user: rtcc puts no probe in it. */
__attribute__((no_instrument_function)) int untraced_helper(int x)
{
    return x + 1;
}
