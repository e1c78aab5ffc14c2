/*
 * tests/dwarf/progs/cold.c - built with -O2 for the tests that compare the
 * tables with gdb: gcc moves the unlikely branch of work() to a separate
 * "work.cold" part (the function gets DW_AT_ranges: two rt_func entries),
 * describes the loop's blocks with DW_AT_ranges, and the variables with
 * location lists.
 */
#include <stdio.h>

__attribute__((cold, noinline)) void report(int v)
{
    fprintf(stderr, "bad %d\n", v);
}

__attribute__((noinline)) int work(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) {
        if (i == 123456) {
            int big = i * 3;
            report(big);
            report(big + 1);
        }
        s += i;
    }
    return s;
}

int main(int argc, char **argv)
{
    (void)argv;
    return work(argc * 10) & 1;
}
