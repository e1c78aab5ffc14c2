/*
 * samples/bigreturns.c - structs of integers passed and returned by value
 * where the fast paths take them: returned in rax:rdx (12 bytes), returned
 * in memory (32 bytes) into a local, a global and an object reached through
 * a pointer (the caller's buffer is then not always on its stack), nested
 * structs as parameters. Deterministic; exit status 0.
 */
#include <stdio.h>

struct pair { int lo, hi; short tag; };
struct big { long a, b, c; int d; short e; };
struct outer { struct pair p; int weight; };

static struct big g;
static struct big pool[2];

static struct pair make_pair(int x)
{
    struct pair r = {x, x * 10, (short)-x};
    return r;
}

static struct big make(long x)
{
    struct big r = {x, x + 1, x + 2, (int)x * 3, (short)-x};
    return r;
}

static struct big twice(struct big v)
{
    v.a *= 2;
    v.d *= 2;
    return v;
}

static int weigh(struct outer o, struct pair extra)
{
    return o.weight * (o.p.hi - o.p.lo) + extra.tag;
}

int main(void)
{
    struct pair p = make_pair(4);
    struct big local = make(1);
    g = make(2);
    struct big *slot = &pool[1];
    *slot = make(3);
    pool[0] = twice(*slot);
    local = twice(local);
    struct outer o = {p, 7};
    int w = weigh(o, make_pair(2));
    printf("%d %ld %ld %ld %d %d\n", p.hi, local.a, g.b, pool[0].a, pool[0].d, w);
    return 0;
}
