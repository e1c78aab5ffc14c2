/*
 * fast_share.c - a program every probe of which the fast path should take
 * (RTRACE_STATS=1 tells the share): a loop whose locals are ints and a
 * struct of ints, calling a function with int and struct-of-int parameters
 * that returns an int, and one returning a small struct in registers.
 */
#include <stdio.h>

struct pair { int a; short b; };
struct point { int x, y; };

static int mix(int x, struct pair p)
{
    int y = x * 3 + p.a;
    y ^= p.b;
    return y & 0xffff;
}

static struct point move(struct point q, int d)
{
    q.x += d;
    q.y -= d;
    return q;
}

int main(void)
{
    struct pair p = { 1, 2 };
    struct point q = { 0, 0 };
    int sum = 0;
    for (int i = 0; i < 20000; i++) {
        p.a = i & 7;
        p.b = (short)(i >> 3);
        sum += mix(i, p);
        q = move(q, i & 3);
    }
    printf("sum %d point %d %d\n", sum, q.x, q.y);
    return 0;
}
