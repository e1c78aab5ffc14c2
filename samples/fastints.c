/* samples/fastints.c - differential-test sample for the probes' fast paths:
 * calls whose parameters are plain integers of every width and sign (0 to 7
 * of them; more than 6 take the general path), returns of every integer width
 * (whose upper bits in rax the ABI leaves undefined), negative values, early
 * returns, void functions, static int locals, and calls mixing integer and
 * pointer parameters (the general path). */
#include <stdio.h>

static signed char ret_schar(int x) { return (signed char)(x * 37); }
static unsigned char ret_uchar(int x) { return (unsigned char)(x * 37); }
static short ret_short(int x) { return (short)(x * -1000); }
static unsigned short ret_ushort(int x) { return (unsigned short)(x * 3000); }
static char ret_char(int x) { return (char)('a' + x % 26); }
static unsigned ret_uint(int x) { return (unsigned)x * 4000000000u; }
static long long ret_ll(long long x) { return x * -123456789012LL; }
static unsigned long ret_ulong(int x) { return (unsigned long)x * 0x9E3779B97F4A7C15ul; }
static _Bool ret_bool(int x) { return x & 1; }

enum color { RED, GREEN = 5, BLUE = -2 };
static enum color ret_enum(int x) { return x % 3 == 0 ? RED : x % 3 == 1 ? GREEN : BLUE; }

static int none(void) { return 7; }

static int six(char a, short b, int c, long d, unsigned char e, unsigned short f)
{
    int s = a + b + c + (int)d + e + f;
    return s;
}

static long seven(int a, int b, int c, int d, int e, int f, int g)
{
    long s = a - b + c - d + e - f + g;
    return s;
}

static int early(int x)
{
    int y = 0;
    if (x < 0)
        return -1;
    if (x == 0)
        return 0;
    y = x * 2;
    return y;
}

static void counter(int step)
{
    static int total;
    total += step;
    printf("total %d\n", total);
}

static int mixed(int n, const int *p, int k)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += p[i] * k;
    return s;
}

static int depth(int n, int acc)
{
    if (n == 0)
        return acc;
    return depth(n - 1, acc + n);
}

int main(void)
{
    int v[4] = {3, -1, 4, -1};
    long long sum = 0;
    for (int i = -2; i < 3; i++) {
        sum += ret_schar(i) + ret_uchar(i) + ret_short(i) + ret_ushort(i) + ret_char(i + 3);
        sum += ret_uint(i) + ret_ll(i) + (long long)(ret_ulong(i) >> 40) + ret_bool(i) + ret_enum(i);
        sum += early(i);
    }
    sum += none();
    sum += six(-5, -300, 70000, -4000000000L, 200, 60000);
    sum += seven(1, -2, 3, -4, 5, -6, 7);
    counter(2);
    counter(-5);
    sum += mixed(4, v, -3);
    sum += depth(5, 0);
    printf("sum %lld\n", sum);
    return 0;
}
