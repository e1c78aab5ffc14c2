/* samples/structs.c - differential-test sample (and `make demo`): structs passed by value and
 * by pointer, nested structs, a small struct returned in registers and a large one returned
 * in memory. */
#include <stdio.h>

struct point {
    int x;
    int y;
};

struct rect {
    struct point min;
    struct point max;
    char tag;
};

struct big {
    long values[6];
    double scale;
};

static struct point make_point(int x, int y)
{
    struct point p = {x, y};
    return p;
}

static int area(struct rect r)
{
    int w = r.max.x - r.min.x;
    int h = r.max.y - r.min.y;
    return w * h;
}

static void grow(struct rect *r, int by)
{
    r->max.x += by;
    r->max.y += by;
}

static struct big make_big(long base)
{
    struct big b = {{0}, 0.5};
    for (int i = 0; i < 6; i++)
        b.values[i] = base + i;
    return b;
}

int main(void)
{
    struct point origin = make_point(0, 0);
    struct rect r = {origin, make_point(3, 2), 'r'};
    int a1 = area(r);
    grow(&r, 2);
    int a2 = area(r);
    struct rect *rp = &r;
    struct big b = make_big(100);
    long sum = 0;
    for (int i = 0; i < 6; i++)
        sum += b.values[i];
    printf("area %d -> %d, corner (%d,%d), sum %ld, scale %g\n",
           a1, a2, rp->max.x, rp->max.y, sum, b.scale);
    return 0;
}
