/*
 * samples/c11feats.c - C99/C11 constructs the other samples leave out:
 * anonymous struct and union members, a flexible array member, bit-fields
 * wider than a byte and signed ones, _Atomic and volatile locals, _Bool,
 * compound literals, designated initialisers, _Generic, _Static_assert,
 * alloca, a VLA of structs, a pointer-to-array parameter, wide strings and
 * static inline functions. (A VLA parameter `int g[rows][cols]` is left out:
 * the trace shows its pointer as <ptr>, gdb's Python as a 1-element array.)
 * Deterministic output; exit status 0.
 */
#include <alloca.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

struct shape {
    int kind;
    union {                        /* anonymous union */
        struct { int w, h; };      /* anonymous struct inside it */
        int radius;
    };
};

struct flags {
    unsigned ready : 1;
    signed delta : 5;
    unsigned wide : 20;
    unsigned long long big : 40;
};

struct bag {
    int n;
    int items[];                   /* flexible array member */
};

#define KIND(x) _Generic((x), int: "int", double: "double", char *: "string", default: "other")

_Static_assert(sizeof(struct flags) <= 16, "flags fit two words");

static inline int area(const struct shape *s)
{
    if (s->kind == 0)
        return s->w * s->h;
    return 3 * s->radius * s->radius;
}

static int sum_grid(int rows, int cols, int grid[][3])
{
    int total = 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            total += grid[r][c];
    return total;
}

static long bag_sum(const struct bag *b)
{
    long s = 0;
    for (int i = 0; i < b->n; i++)
        s += b->items[i];
    return s;
}

static int count_set(struct flags f)
{
    return f.ready + (f.delta < 0) + (f.wide > 1000) + (f.big > 0xffffffffull);
}

int main(void)
{
    struct shape rect = {.kind = 0, .w = 3, .h = 4};
    struct shape disc = {.kind = 1, .radius = 2};
    int a1 = area(&rect);
    int a2 = area(&disc);

    struct flags fl = {.ready = 1, .delta = -9, .wide = 700001, .big = 0x123456789aull};
    int nset = count_set(fl);
    fl.delta += 3;

    /* on the stack, zeroed: heap memory before it is set (or after free) differs between runs */
    _Alignas(struct bag) unsigned char mem[sizeof(struct bag) + 4 * sizeof(int)] = {0};
    struct bag *b = (struct bag *)mem;
    b->n = 4;
    for (int i = 0; i < b->n; i++)
        b->items[i] = (i + 1) * 10;
    long bs = bag_sum(b);

    _Atomic int counter = 5;
    atomic_fetch_add(&counter, 2);
    volatile int spin = 3;
    spin--;
    bool done = counter == 7 && spin == 2;

    int *p = (int[]){7, 8, 9};
    struct shape *sq = &(struct shape){.kind = 0, .w = 5, .h = 5};
    int a3 = area(sq);

    const char *k1 = KIND(a1);
    const char *k2 = KIND(1.5);
    const char *k3 = KIND((char *)"x");

    int n = 3;
    struct shape many[n]; memset(many, 0, sizeof many);   /* one line: a VLA has no initialiser */
    for (int i = 0; i < n; i++)
        many[i] = (struct shape){.kind = 0, .w = i + 1, .h = 2};
    int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
    int gs = sum_grid(2, 3, grid);

    char *scratch = alloca(16); memset(scratch, 0, 16);   /* one line: alloca'd bytes are garbage */
    strcpy(scratch, "alloca ok");

    const wchar_t *ws = L"w\u00e9de";
    size_t wl = wcslen(ws);

    printf("%d %d %d %d %ld %d %d %s %s %s %d %d %s %zu %d\n", a1, a2, a3, nset, bs, p[1], done, k1,
           k2, k3, many[2].w, gs, scratch, wl, fl.delta);
    return 0;
}
