/* samples/recursion.c - differential-test sample: recursive calls (fib, factorial) and a
 * mutually recursive pair; each recursion level is its own frame with its own locals. */
#include <stdio.h>

static int fib(int n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

static long factorial(int n)
{
    long r = 1;
    if (n > 1)
        r = n * factorial(n - 1);
    return r;
}

static int is_odd(unsigned n);

static int is_even(unsigned n)
{
    return n == 0 ? 1 : is_odd(n - 1);
}

static int is_odd(unsigned n)
{
    return n == 0 ? 0 : is_even(n - 1);
}

int main(void)
{
    int f = fib(4);
    long fact = factorial(5);
    int even = is_even(3);
    printf("fib(4)=%d 5!=%ld even(3)=%d\n", f, fact, even);
    return 0;
}
