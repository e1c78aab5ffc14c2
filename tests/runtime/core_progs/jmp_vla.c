/* tests/runtime/core_progs/jmp_vla.c - the core's end-to-end program: a VLA,
 * a longjmp out of a recursion, a long double return. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf jb;

static int sum_vla(int n)
{
    int a[n];
    for (int i = 0; i < n; i++)
        a[i] = i * i;
    int s = 0;
    for (int i = 0; i < n; i++)
        s += a[i];
    return s;
}

static void deep(int k)
{
    if (k == 0)
        longjmp(jb, 7);
    deep(k - 1);
}

static long double half(long double x)
{
    return x / 2;
}

static int helper(int v)
{
    return v + 1;
}

int main(void)
{
    int r = sum_vla(4);
    int got = setjmp(jb);
    if (got == 0)
        deep(2);
    long double h = half(3.0L);
    printf("%d %d %Lg %d\n", r, got, h, helper(1));
    return 0;
}
