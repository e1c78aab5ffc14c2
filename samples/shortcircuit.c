/* samples/shortcircuit.c - differential-test sample: && and || conditions with calls spread
 * over lines, a ternary with calls on two lines, an empty loop body, for(;;) with break, and a
 * switch inside a while loop with continue. */
#include <stdio.h>

static int big(int x)
{
    return x > 1;
}

static int same(int x)
{
    return x;
}

int main(void)
{
    int a = 0;
    int i = 0;
    for (i = 0; i < 3; i++)
        ;
    for (;;) {
        if (a > 2)
            break;
        a++;
    }
    if ((big(a) &&
        same(0)) ||
        big(3))
        a += 10;
    int b = a > 5 ? same(1)
                  : same(2);
    while (b-- > -2)
        switch (b) {
        case 0:
            continue;
        default:
            a++;
        }
    printf("a=%d b=%d i=%d\n", a, b, i);
    return 0;
}
