/* valnest.c - value capture: pointer chains (a struct pointing to a struct pointing to a
   struct), arrays of function pointers, long double and float arrays, nested anonymous
   unions in structs, a float/int union, a pointer to an array, a flexible array member
   behind a pointer. */
#include <stdio.h>
#include <stdlib.h>

struct leaf { int v; const char *tag; };
struct mid { struct leaf *leaf; int depth; };
struct top { struct mid *mid; double w; };

struct shape {
    int kind;
    union {
        struct { int w, h; };
        union { float r; int ir; };
    };
};

union fi { float f; int i; };

struct blob { int n; int data[]; };

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }

int main(void)
{
    struct leaf lf = { 42, "leaf" };
    struct mid md = { &lf, 2 };
    struct top tp = { &md, 0.5 };
    struct top *tpp = &tp;
    int (*ops[3])(int, int) = { add, sub, mul };
    long double ld[3] = { 1.5L, -2.25L, 1e10L };
    float fa[4] = { 0.5f, -1.25f, 3.0f, 100.125f };
    struct shape sh = { 1, { { 3, 4 } } };
    union fi u = { 1.0f };
    int row[5] = { 1, 2, 3, 4, 5 };
    int (*prow)[5] = &row;
    int mat[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
    int (*pm)[3] = mat;
    struct blob *bl = calloc(1, sizeof *bl + 4 * sizeof(int));
    if (!bl)
        return 1;
    bl->n = 4;
    for (int i = 0; i < 4; i++)
        bl->data[i] = i * 10 - 5;
    int acc = 0;
    for (int i = 0; i < 3; i++)
        acc += ops[i](7, 3);
    tpp->mid->leaf->v += acc;
    tpp->mid->depth++;
    ld[1] *= 2;
    fa[2] = fa[0] + fa[1];
    sh.kind = 2;
    sh.r = 2.5f;
    u.i = 0x40490fdb;
    (*prow)[2] = 30;
    pm[1][1] = 50;
    printf("%d %d %g %Lg %g %g %d %g %d %d %d %d\n", lf.v, md.depth, tp.w, ld[1], fa[2],
           sh.r, sh.ir, u.f, row[2], mat[1][1], bl->data[3], acc);
    free(bl), bl = NULL; /* no stop shows freed memory */
    return 0;
}
