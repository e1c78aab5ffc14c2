/* tests/rtcc/smoke/prog.c - the smoke-test program: prints values computed
 * through calls, loops, inline asm with flags live across statements, and
 * functions written in assembly (.s and .S). */
#include <stdio.h>
#include <string.h>
#include "util.h"

static int flags_survive(int a, int b)
{
    int gt;
    /* The compare's flags are read by a later statement's setg: a probe
     * between them must keep the flags. */
    __asm__ volatile("cmpl %2, %1" : "=m"(gt) : "r"(a), "r"(b) : "cc");
    __asm__ volatile("setg %b0\n\tmovzbl %b0, %0" : "=r"(gt) : : "cc");
    return gt;
}

int main(int argc, char **argv)
{
    double v[] = { 1.5, 2.5, 3.0, 4.0 };
    struct pair p = make_pair(21, 10.0);
    char buf[64] = "";
    int i;
    (void)argv;
    printf("fib(15)=%d\n", fib(15));
    printf("mean=%.3f\n", mean(v, 4));
    printf("pair=%ld %.2f\n", p.a, p.b);
    printf("ld=%.2Lf\n", ld_half(5.0L));
    printf("asm=%d %d\n", asm_add(40, 2), asm_mul(6, 7));
    printf("flags=%d %d\n", flags_survive(3, 2), flags_survive(2, 3));
    for (i = 0; i < 3; i++)
        snprintf(buf + strlen(buf), 16, "%d,", i * i);
    printf("squares=%s argc=%d\n", buf, argc);
    return 0;
}
