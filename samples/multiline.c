/* samples/multiline.c - differential-test sample: statements and expressions spread over
 * several lines (initialisers, conditions, assignments, a multi-line for header). */
#include <stdio.h>

struct range {
    int lo;
    int hi;
};

static int clamp(int v,
                 int lo,
                 int hi)
{
    return v < lo ? lo
         : v > hi ? hi
         : v;
}

int main(void)
{
    struct range r = {
        .lo = 2,
        .hi = 8,
    };
    int total =
        r.lo * 10 +
        r.hi;
    int acc = 0;
    for (int i = 0;
         i < 3;
         i++) {
        acc += clamp(i * 4,
                     r.lo,
                     r.hi);
    }
    if (acc > 5 &&
        total > 20)
        acc = acc
            - 1;
    printf("total=%d acc=%d\n",
           total,
           acc);
    return 0;
}
