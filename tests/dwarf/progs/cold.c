/*
 * tests/dwarf/progs/cold.c - built with -O2 for the tests that compare the
 * tables with gdb: gcc describes the loop's blocks with DW_AT_ranges (split
 * by the unlikely path), and the variables with location lists.
 */
#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) int work(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) {
        if (__builtin_expect(i > 1000000, 0)) {
            int big = i * 3;
            fprintf(stderr, "too big %d\n", big);
            abort();
        }
        s += i;
    }
    return s;
}
int main(int argc, char **argv) { (void)argv; return work(argc * 10) & 1; }
