/* samples/branches.c - differential-test sample: if/else-if chains, nested conditions, the
 * ternary operator, switch with fallthrough and default. */
#include <stdio.h>

static const char *classify(int x)
{
    if (x < 0)
        return "negative";
    else if (x == 0)
        return "zero";
    else if (x < 10)
        return "small";
    else
        return "large";
}

static int weight(int day)
{
    int w = 0;
    switch (day) {
    case 0:
        w += 1;
        /* fallthrough */
    case 1:
        w += 2;
        break;
    case 2:
    case 3:
        w = 10;
        break;
    default:
        w = -1;
    }
    return w;
}

int main(void)
{
    int values[3] = {-3, 0, 42};
    for (int i = 0; i < 3; i++)
        printf("%d is %s\n", values[i], classify(values[i]));

    int total = 0;
    for (int d = 0; d < 5; d++)
        total += weight(d);

    int a = 5, b = 7;
    int max = a > b ? a : b;
    if (a > 0 && b > 0) {
        if (max == b)
            total += 100;
    } else {
        total -= 100;
    }
    printf("total=%d max=%d\n", total, max);
    return 0;
}
