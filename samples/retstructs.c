/* samples/retstructs.c - differential-test sample: functions returning structs of one to four
 * eightbytes (mixed integer and floating classes), many arguments (some on the stack), struct
 * arguments passed in memory, float/double/long double arguments. */
#include <stdio.h>

struct one { int a; float b; };
struct two { double x; long y; };
struct twof { float f[4]; };
struct three { long a, b, c; };
struct four { double a; int b; double c; char d; };
struct mem { long v[5]; };

static struct one make_one(int a) { struct one r = {a, 0.5f}; return r; }

static struct two make_two(double x, long y)
{
    struct two r = {x, y};
    return r;
}

static struct twof make_twof(float s)
{
    struct twof r = {{s, s * 2, s * 3, s * 4}};
    return r;
}

static struct three make_three(long a)
{
    struct three r = {a, a + 1, a + 2};
    return r;
}

static struct four make_four(double a)
{
    struct four r = {a, 2, a * 2, 'q'};
    return r;
}

static long many(int a, long b, char c, short d, unsigned e, long long f, int g, int h, double x,
                 float y, long double z)
{
    long s = a + b + c + d + (long)e + (long)f + g + h;
    return s + (long)(x + y + (double)z);
}

static long by_mem(struct mem m, struct three t, int k)
{
    long s = k;
    for (int i = 0; i < 5; i++)
        s += m.v[i];
    return s + t.c;
}

static long double half(long double v) { return v / 2; }

int main(void)
{
    struct one o = make_one(3);
    struct two t = make_two(2.25, -7);
    struct twof tf = make_twof(1.5f);
    struct three th = make_three(100);
    struct four fo = make_four(0.125);
    long m = many(1, 2, 'c', -4, 5u, 6LL, 7, 8, 0.5, 0.25f, 1.25L);
    struct mem mm = {{1, 2, 3, 4, 5}};
    long bm = by_mem(mm, th, 9);
    long double h = half(3.0L);
    printf("%d %g %ld %g %ld %g %c %ld %ld %Lg\n", o.a, t.x, t.y, tf.f[3], th.c, fo.c, fo.d, m, bm, h);
    return 0;
}
