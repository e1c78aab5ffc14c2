/* samples/floats.c - differential-test sample: float, double and long double arithmetic,
 * parameters and return values (xmm0 and x87 st0), infinity and a value that is not exact
 * in binary. */
#include <stdio.h>

static float half(float x)
{
    return x / 2.0f;
}

static double mean(double a, double b)
{
    double s = a + b;
    return s / 2.0;
}

static long double scale(long double x, int n)
{
    long double r = x;
    for (int i = 0; i < n; i++)
        r *= 10.0L;
    return r;
}

int main(void)
{
    float f = 3.0f;
    double d = 0.1;
    long double ld = 1.5L;
    double big = 1e300;
    float h = half(f);
    double m = mean(d, 0.2);
    long double s = scale(ld, 2);
    double inf = big * big;
    double neg = -inf;
    printf("h=%g m=%.17g s=%Lg inf=%g neg=%g\n", h, m, s, inf, neg);
    return 0;
}
