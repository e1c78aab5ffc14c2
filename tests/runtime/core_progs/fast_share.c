/*
 * fast_share.c - a program every probe of which the fast path should take
 * (RTRACE_STATS=1 tells the share): a loop over ints and a struct of ints,
 * calling a function with int and struct-of-int parameters that returns an
 * int, and one returning a small struct in registers. No function has a
 * local variable (parameters only), so no stop shows uninitialised stack
 * memory: its trace is the same at every run, with the fast path or without
 * (RTRACE_NO_FAST=1), byte for byte.
 */
#include <stdio.h>

struct pair { int a; short b; };
struct point { int x, y; };

static int mix(int x, struct pair p)
{
    x = x * 3 + p.a;
    x ^= p.b;
    return x & 0xffff;
}

static struct point move(struct point q, int d)
{
    q.x += d;
    q.y -= d;
    return q;
}

static int run(int i, int sum, struct pair p, struct point q)
{
    for (; i < 20000; i++) {
        p.a = i & 7;
        p.b = (short)(i >> 3);
        sum += mix(i, p);
        q = move(q, i & 3);
    }
    printf("sum %d point %d %d\n", sum, q.x, q.y);
    return 0;
}

int main(void)
{
    return run(0, 0, (struct pair){ 1, 2 }, (struct point){ 0, 0 });
}
