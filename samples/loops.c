/* samples/loops.c - differential-test sample: for, while and do/while loops with break and
 * continue, nested loops. Small on purpose: gdb steps every line of it. */
#include <stdio.h>

static int sum_to(int n)
{
    int total = 0;
    for (int i = 1; i <= n; i++)
        total += i;
    return total;
}

int main(void)
{
    int evens = 0;
    for (int i = 0; i < 6; i++) {
        if (i == 4)
            break;
        if (i % 2)
            continue;
        evens++;
    }

    int n = 10;
    int steps = 0;
    while (n != 1) {
        n = (n % 2) ? 3 * n + 1 : n / 2;
        steps++;
        if (steps > 3)
            break;
    }

    int k = 3;
    do {
        k--;
    } while (k > 0);

    int grid = 0;
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++) {
            if (c == r)
                continue;
            grid += r * 2 + c;
        }

    printf("evens=%d steps=%d n=%d k=%d grid=%d sum=%d\n", evens, steps, n, k, grid, sum_to(3));
    return 0;
}
