/* valedge.c - value capture at the edges: 1-bit and 64-bit-wide bitfields, _Bool bitfields,
   unsigned and signed char arrays with high bytes, an enum with a negative enumerator,
   special floating values (infinity, negative zero, a subnormal), a 2-D char table,
   a pointer to a const pointer, an array of pointers to structs. */
#include <float.h>
#include <math.h>
#include <stdio.h>

enum level { L_LOW = -2, L_MID = 0, L_HIGH = 3 };

struct packed {
    signed int one : 1;
    _Bool flag : 1;
    unsigned long long wide : 40;
    signed long long swide : 33;
};

struct pt { int x, y; };

int main(void)
{
    unsigned char ub[6] = { 0, 0x7f, 0x80, 0xc3, 0xa9, 0xff };
    signed char sb[4] = { -128, -1, 0, 127 };
    struct packed pk = { -1, 1, 0xfedcba9876ULL, -4294967296LL };
    enum level lv = L_LOW;
    enum level lv2 = (enum level)-7;
    double dinf = HUGE_VAL;
    double dnz = -0.0;
    float fsub = FLT_MIN / 4;
    long double ldinf = -HUGE_VALL;
    char table[3][6] = { "alpha", "b\0c", "\xc3\xa9t\xc3\xa9" };
    const char *s = "x";
    const char *const *pps = &s;
    struct pt p0 = { 1, 2 }, p1 = { -3, 4 };
    struct pt *pts[3] = { &p0, &p1, NULL };
    int sum = 0;
    for (int i = 0; i < 6; i++)
        sum += ub[i];
    pk.one = 0;
    pk.swide = pk.swide * 2 + 1;
    pk.flag = 0;
    lv = (enum level)(lv + lv2);
    dinf = -dinf;
    dnz = dnz * 2;
    pts[2] = pts[0];
    pts[2]->y = sb[0] + sb[3];
    printf("%d %d %d %lld %d %g %g %g %Lg %s %s %d %d\n", sum, pk.one, pk.flag,
           (long long)pk.swide, lv, dinf, dnz, fsub, ldinf, table[2], *pps, p0.y, table[1][2]);
    return 0;
}
