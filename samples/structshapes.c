/* samples/structshapes.c - differential-test sample: structs of integers in the shapes the
 * runtime's struct templates cover and at their edges: every integer width and sign with
 * padding between fields, nesting three deep, sixteen and seventeen fields (the template's
 * slot limit), arrays of structs, pointers to structs (one unreadable), static and global
 * structs, structs in a callee's frame after a call returned; and shapes they leave to the
 * general capture: an unsigned long field (BigInt above INT64_MAX), a bit-field, a union, an
 * enum, a char array member. */
#include <stdio.h>

struct widths {
    signed char sc;
    unsigned char uc;
    short s;
    unsigned short us;
    int i;
    unsigned int ui;
    long l;
};

struct inner { char tag; int v; };
struct middle { struct inner in; short k; };
struct outer { struct middle m; struct inner side; long total; };

struct sixteen { int f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15; };
struct seventeen { int f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16; };

struct big_u { unsigned long u; int n; };
struct bits { int a : 3; unsigned b : 5; int c; };
enum mood { CALM, ANGRY = 7 };
struct mixed { enum mood m; union { int i; short h; } u; char name[6]; };

struct widths g_widths = { -5, 250, -30000, 60000, -2000000000, 4000000000u, -9000000000L };
static struct outer g_outer;

static long sum_widths(struct widths w)
{
    long t = w.sc + w.uc + w.s + w.us;
    t += w.i;
    t += (long)w.ui + w.l;
    return t;
}

static struct outer make_outer(int seed)
{
    struct outer o = { { { 0, 0 }, 0 }, { 0, 0 }, 0 };
    o.m.in.tag = (char)('a' + seed);
    o.m.in.v = seed * 3;
    o.m.k = (short)-seed;
    o.side.tag = 'z';
    o.side.v = seed + 100;
    o.total = (long)seed * 1000000007L;
    return o;
}

static int sum16(const struct sixteen *p, struct seventeen q)
{
    int t = p->f0 + p->f15;
    t += q.f0 + q.f16;
    return t;
}

static int use_rest(struct big_u b, struct bits bt, struct mixed mx)
{
    int t = (int)(b.u & 0xff) + b.n;
    t += bt.a + (int)bt.b + bt.c;
    t += (int)mx.m + mx.u.i + mx.name[0];
    return t;
}

int main(void)
{
    struct widths w = g_widths;
    long sw = sum_widths(w);
    w.uc = 7;
    static struct inner counter = { 'c', 0 };
    static struct outer arr[3];
    for (int k = 0; k < 3; k++) {
        arr[k] = make_outer(k);
        counter.v += arr[k].side.v;
    }
    g_outer = arr[2];
    struct outer *po = &arr[1];
    struct outer *bad = (struct outer *)16;
    struct sixteen s16 = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    struct seventeen s17 = { 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    int t16 = sum16(&s16, s17);
    struct big_u bu = { 18446744073709551000ul, 2 };
    struct bits bt = { -3, 17, 9 };
    struct mixed mx = { ANGRY, { 65 }, "shape" };
    int rest = use_rest(bu, bt, mx);
    printf("%ld %d %d %d %d %d\n", sw, counter.v, po->m.in.v, bad == 0, t16, rest);
    return 0;
}
