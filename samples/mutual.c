/* samples/mutual.c - differential-test sample: mutual recursion, recursion depth 20, a
 * function called through a pointer stored in a struct, multiple statements on one line. */
#include <stdio.h>

static int is_odd(int n);

static int is_even(int n)
{
    if (n == 0)
        return 1;
    return is_odd(n - 1);
}

static int is_odd(int n)
{
    if (n == 0)
        return 0;
    return is_even(n - 1);
}

static int deep(int n)
{
    if (n == 0)
        return 0;
    return deep(n - 1) + 1;
}

struct ops {
    const char *name;
    int (*apply)(int, int);
};

static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }

int main(void)
{
    int e = is_even(3);
    int d = deep(20);
    struct ops table[2] = {{"add", add}, {"mul", mul}};
    int acc = 1;
    for (int i = 0; i < 2; i++) { acc = table[i].apply(acc, 3); acc++; }
    int x = 1; x += 2; x *= 3;
    printf("%d %d %d %d\n", e, d, acc, x);
    return 0;
}
