/*
 * bench/progs/lines.c - a tight loop of simple lines, for the ns-per-line figure.
 *
 *   lines [SIZE]   runs SIZE iterations of a loop of three assignments in a
 *                  function whose only variables are 4 int locals (no
 *                  parameters), so that each recorded step carries exactly
 *                  4 scalar values. Prints a checksum.
 * Work is linear in SIZE; SIZE 0 = start-up.
 */
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_SIZE 100000000    /* about 0.1 s untraced at -O0 */

static long g_size;               /* a global, so that loop() has no parameter */

static int loop(void)
{
    int i, a = 1, b = 2, c = 3;
    for (i = 0; i < g_size; i++) {
        a = (a + b) & 0xffff;
        b = b ^ c;
        c = c + (a & 7);
    }
    return a ^ b ^ c;
}

int main(int argc, char **argv)
{
    g_size = argc > 1 ? atol(argv[1]) : DEFAULT_SIZE;
    int sum = loop();
    printf("lines: size=%ld checksum=%d\n", g_size, sum);
    return 0;
}
