/*
 * bench/progs/fib.c - calls-heavy benchmark: naive recursive Fibonacci.
 *
 *   fib [SIZE]   computes fib(FIB_N) SIZE times (default below) and prints a
 *                checksum and the number of calls made (the call count lets
 *                the runner check the tracers' call counts).
 * Work is linear in SIZE so that the runner can scale the untraced time to
 * the smaller size it uses for traced runs; SIZE 0 measures start-up only.
 */
#include <stdio.h>
#include <stdlib.h>

#define FIB_N 18                  /* 8361 calls per repetition */
#define DEFAULT_SIZE 6000         /* about 0.1 s untraced at -O0 */

static long calls;

static long fib(int n)
{
    calls++;
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
    long size = argc > 1 ? atol(argv[1]) : DEFAULT_SIZE;
    long sum = 0;
    for (long i = 0; i < size; i++)
        sum += fib(FIB_N) ^ i;
    printf("fib: size=%ld checksum=%ld calls=%ld\n", size, sum, calls);
    return 0;
}
