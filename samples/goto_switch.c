/* samples/goto_switch.c - differential-test sample: goto and labels, a switch inside a loop
 * with continue, while(1) with break, early return from nested loops, do/while(0) macros. */
#include <stdio.h>

#define SWAP(a, b) do { int t_ = (a); (a) = (b); (b) = t_; } while (0)
#define TWICE(x) (x) += 1; (x) += 1

static int find(int grid[3][3], int want)
{
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
            if (grid[r][c] == want)
                return r * 3 + c;
        }
    }
    return -1;
}

static int retry(int n)
{
    int tries = 0;
again:
    tries++;
    if (tries < n)
        goto again;
    if (n > 2)
        goto out;
    tries = -tries;
out:
    return tries;
}

int main(void)
{
    int grid[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    int sum = 0;
    int i = 0;
    while (1) {
        i++;
        switch (i % 4) {
        case 0:
            sum += 10;
            continue;
        case 1:
            sum += 1;
            break;
        case 2:
        case 3:
            sum -= 1;
            break;
        default:
            sum = 0;
        }
        if (i >= 4)
            break;
    }
    int a = 3, b = 4;
    SWAP(a, b);
    TWICE(a);
    int at = find(grid, 6);
    int none = find(grid, 42);
    int t = retry(3);
    printf("%d %d %d %d %d %d %d\n", sum, a, b, at, none, t, retry(1));
    return 0;
}
