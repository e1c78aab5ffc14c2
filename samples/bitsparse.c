/*
 * samples/bitsparse.c - everyday C the other samples use little of: a
 * CRC-32 over a byte buffer (unsigned char, shifts, xor, a table built at
 * run time), strtol with an end pointer (a pointer to a pointer), a
 * tokenizer as a switch inside a while over a char pointer, `goto` to a
 * cleanup label, do { } while (0) macros, the comma operator, nested loops
 * left with break and continue, a union for type punning and a struct of
 * function pointers (a small vtable). Deterministic; exit status 0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SWAP(a, b) do { int t_ = (a); (a) = (b); (b) = t_; } while (0)

static uint32_t crc_table[16];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 16; i++) {
        uint32_t c = i;
        for (int k = 0; k < 4; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_nibbles(const unsigned char *buf, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc = crc_table[(crc ^ buf[i]) & 0xF] ^ (crc >> 4);
        crc = crc_table[(crc ^ (buf[i] >> 4)) & 0xF] ^ (crc >> 4);
    }
    return ~crc;
}

enum tok { T_NUM, T_WORD, T_PUNCT, T_END };

static enum tok next_token(const char **pp, long *num)
{
    const char *p = *pp;
    while (*p == ' ')
        p++;
    enum tok kind = T_END;
    switch (*p) {
    case '\0':
        break;
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        char *end = NULL;
        errno = 0;
        *num = strtol(p, &end, 10);
        p = end;
        kind = T_NUM;
        break;
    }
    default:
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
                p++;
            kind = T_WORD;
        } else {
            p++;
            kind = T_PUNCT;
        }
    }
    *pp = p;
    return kind;
}

static int count_tokens(const char *text, long *sum)
{
    int n = 0;
    long v = 0;
    const char *p = text;
    for (enum tok k; (k = next_token(&p, &v)) != T_END; n++)
        if (k == T_NUM)
            *sum += v;
    return n;
}

static int find_pair(const int *a, int n, int target, int *out_i, int *out_j)
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (a[i] > target)
            continue;
        for (int j = i + 1; j < n; j++) {
            if (a[i] + a[j] == target) {
                *out_i = i, *out_j = j;
                found = 1;
                break;
            }
        }
        if (found)
            break;
    }
    return found;
}

static int handles_open;

static int acquire(void) { return ++handles_open; }
static void release(int h) { handles_open -= h > 0; }

static int load(int fail_at, int *steps)
{
    int rc = -1;
    int h = acquire();
    if (h <= 0)
        goto out;
    *steps = 1;
    if (fail_at == 1)
        goto release_h;
    *steps = 2;
    rc = 0;
release_h:
    release(h);
out:
    return rc;
}

union pun {
    float f;
    uint32_t u;
};

struct ops {
    const char *name;
    int (*apply)(int, int);
};

static int op_add(int a, int b) { return a + b; }
static int op_mul(int a, int b) { return a * b; }

int main(void)
{
    crc_init();
    const unsigned char msg[] = "hello, tracer";
    uint32_t crc = crc32_nibbles(msg, sizeof msg - 1);

    long sum = 0;
    int ntok = count_tokens("sum 12 + 30, then 7!", &sum);

    int nums[6] = {9, 4, 15, 2, 11, 6};
    int ia = -1, ib = -1;
    int ok = find_pair(nums, 6, 13, &ia, &ib);
    SWAP(nums[0], nums[5]);

    int steps = 0;
    int r1 = load(1, &steps);
    int s1 = steps;
    int r2 = load(0, &steps);

    union pun pn = {.f = 1.5f};
    uint32_t bits = pn.u;

    struct ops table[2] = {{"add", op_add}, {"mul", op_mul}};
    int acc = 1;
    for (int i = 0; i < 2; i++)
        acc = table[i].apply(acc, 3 + i);

    printf("%08x %d %ld %d %d %d %d %d %d %d %08x %d\n", (unsigned)crc, ntok, sum, ok, ia, ib,
           nums[0], r1, s1, r2, (unsigned)bits, acc);
    return 0;
}
