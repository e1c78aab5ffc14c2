/* samples/funcptrs.c - differential-test sample: function pointers in variables, arrays and
 * structs, a function returning a function pointer, and callbacks called back from libc
 * (qsort), which gdb and the trace must both show; a pointer to a libc function (isdigit: named
 * from libc's dynamic symbols, gdb from its symbol table). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*binop)(int, int);

struct op {
    const char *name;
    binop fn;
};

static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }

static binop pick(char c)
{
    return c == '+' ? add : mul;
}

static int by_value(const void *pa, const void *pb)
{
    int a = *(const int *)pa;
    int b = *(const int *)pb;
    return (a > b) - (a < b);
}

int main(void)
{
    struct op ops[2] = {{"add", add}, {"mul", mul}};
    binop f = pick('*');
    binop none = NULL;
    int r = 1;
    for (int i = 0; i < 2; i++)
        r = ops[i].fn(r, 3);
    r = f(r, 2);
    int (*classify)(int) = isdigit;
    int digits = (classify('7') != 0) + (classify('x') != 0);
    int v[3] = {3, 1, 2};
    qsort(v, 3, sizeof v[0], by_value);
    printf("r=%d sorted=%d,%d,%d none=%d digits=%d\n", r, v[0], v[1], v[2], none == NULL, digits);
    return 0;
}
