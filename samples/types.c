/* samples/types.c - differential-test sample: fixed-width integers, size_t/ptrdiff_t, _Bool,
 * const and volatile, typedef chains, enums with negative and duplicate values, unions of
 * different sizes, bitfields of many widths, unsigned char buffers. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef int base_t;
typedef base_t level1_t;
typedef const level1_t level2_t;

enum signs { NEG = -2, ZERO = 0, ONE = 1, UNO = 1, BIG = 1000 };

union mixed {
    char c;
    short s;
    double d;
    unsigned char bytes[12];
};

struct flags {
    unsigned a : 1;
    unsigned b : 3;
    signed c : 5;
    unsigned d : 7;
    unsigned long long e : 33;
    int f : 16;
    _Bool g : 1;
};

static unsigned checksum(const unsigned char *buf, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31u + buf[i];
    return sum;
}

int main(void)
{
    int8_t i8 = -100;
    int16_t i16 = -30000;
    int32_t i32 = -2000000000;
    int64_t i64 = -9000000000000000000LL;
    uint8_t u8 = 250;
    uint16_t u16 = 65000;
    uint64_t u64 = 18000000000000000000ULL;
    size_t sz = sizeof(union mixed);
    ptrdiff_t pd = &u8 - &u8;
    bool yes = true, no = false;
    const int ci = 42;
    volatile int vi = 7;
    vi += ci;
    level2_t lv = 9;
    enum signs e1 = NEG, e2 = UNO, e3 = (enum signs)5;
    union mixed m = {.d = 1.5};
    m.c = 'A';
    struct flags fl = {1, 5, -9, 100, 0x1ffffffffULL, -1234, 1};
    fl.c += 3;
    unsigned char buf[6] = {0, 1, 0x7f, 0x80, 0xff, 'z'};
    unsigned cs = checksum(buf, sizeof buf);
    printf("%d %d %d %lld %u %u %llu %zu %td %d %d %d %d\n", i8, i16, (int)i32, (long long)i64,
           u8, u16, (unsigned long long)u64, sz, pd, yes, no, vi, lv);
    printf("%d %d %d %d %d %u\n", e1, e2, e3, m.c, fl.c, cs);
    return 0;
}
