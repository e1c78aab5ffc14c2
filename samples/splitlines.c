/* samples/splitlines.c - differential-test sample: a statement split over many lines, for
 * loops with several variables and empty parts, macros expanding to several statements, a
 * call whose arguments span lines, conditions over several lines. */
#include <stdio.h>

#define INIT2(a, b) a = 0; b = 1
#define CLAMP_UP(v, m) if ((v) < (m)) (v) = (m)

static int combine(int a,
                   int b,
                   int c)
{
    return a * 100 +
           b * 10 +
           c;
}

int main(void)
{
    int x = 0;
    int y = 0;
    INIT2(x, y);
    int total =
        combine(x,
                y,
                2);
    for (int i = 0, j = 10; i < j; i += 3, j -= 2)
        total += i * j;
    int k = 0;
    for (;;) {
        if (++k > 3)
            break;
    }
    for (; k < 6;)
        k++;
    CLAMP_UP(x, 4);
    if (x > 3 &&
        y < 5 &&
        total > 0)
        total = -total;
    printf("%d %d %d %d\n",
           x, y,
           total, k);
    return 0;
}
