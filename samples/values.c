/* samples/values.c - differential-test sample: the extremes of CANONICAL.md's value forms:
 * the largest unsigned 64-bit value (BigInt in the trace), the smallest signed one, signed and
 * unsigned chars, a negative enumerator, NaN, -0.0, long double, a denormal, a string with
 * non-ASCII bytes and a tab, pointers nested in a pointed-to struct (`<ptr>`), NULL. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

enum sign { NEG = -1, ZERO = 0, POS = 1 };

struct named {
    const char *name;
    int (*fn)(int);
    struct named *next;
};

static int id(int x)
{
    return x;
}

int main(void)
{
    unsigned long long big = 18446744073709551615ULL;
    long long small = -9223372036854775807LL - 1;
    signed char sc = -128;
    unsigned char uc = 255;
    char c = 'z';
    bool yes = true;
    enum sign s = NEG;
    float fnan = NAN;
    double negzero = -0.0;
    long double third = 1.0L / 3.0L;
    double denormal = 5e-324;
    struct named second = {"two", 0, 0};
    struct named first = {"one", id, &second};
    struct named *pf = &first;
    const char *utf = "h\xc3\xa9llo\t";
    int *none = 0;
    printf("%llu %lld %d %d %c %d %d %f %g %Lf %g %s %s %d %d\n", big, small, sc, uc, c, yes, s,
           fnan, negzero, third, denormal, pf->next->name, utf, none == 0, first.fn(3));
    return 0;
}
