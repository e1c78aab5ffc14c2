/* samples/arrays.c - differential-test sample: 1-D and 2-D arrays, arrays of structs, an array
 * passed to a function (it decays to a pointer), a pointer to an array, and an array longer than
 * the runtime's default cap of 32 elements (run_diff.sh raises the cap to CANONICAL.md's 200). */
#include <stdio.h>

struct item {
    int id;
    short qty;
};

static int sum(const int *v, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s;
}

int main(void)
{
    int v[5] = {5, 4, 3, 2, 1};
    int m[2][3] = {{1, 2, 3}, {4, 5, 6}};
    struct item items[3] = {{1, 10}, {2, 20}, {3, 30}};
    unsigned char bytes[4] = {0, 127, 128, 255};
    int (*row)[3] = &m[1];
    short big[40] = {1, 2, 3};
    int trace = 0;
    for (int i = 0; i < 2; i++)
        trace += m[i][i];
    items[1].qty = (short)(items[1].qty + sum(v, 5));
    v[0] = (*row)[2];
    big[39] = (short)v[0];
    printf("trace=%d qty=%d v0=%d b3=%d big39=%d\n", trace, items[1].qty, v[0], bytes[3], big[39]);
    return 0;
}
