/* tests/diff/selftest/tiny.c - the fixture of the gdb side's own test: one small program using
 * every canonical value form and the stepping rules gdb_steps.py implements (shadowing, static
 * locals, `?` for not-yet-declared locals, a callback from qsort, a libc call mid-line). Its expected listing,
 * tiny.expected, was written by hand from CANONICAL.md. Do not change one without the other. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum dir { UP, DOWN };
struct cell { int v; struct cell *next; };
union u { int i; char c; };

static int cmp(const void *a, const void *b)
{
    return *(const char *)a - *(const char *)b;
}

static int twice(int x)
{
    static int calls = 0;
    calls++;
    return 2 * x;
}

int main(void)
{
    int n = 1;
    struct cell last = {2, NULL};
    struct cell first = {1, &last};
    struct cell *p = &first;
    const char *s = "a\"\\\n\x7f";
    char *none = NULL;
    void *vp = p;
    enum dir d = DOWN;
    bool ok = true;
    double h = 0.5;
    char pair[2] = {'b', 'a'};
    union u un = {.i = 65};
    int (*fp)(int) = twice;
    {
        int n = 7;
        n = fp(n);
    }
    qsort(pair, 2, 1, cmp);
    int lt = strcmp(s, "b") < 0;
    int r = p->v + (vp != NULL) + (none == NULL) + d + ok + (int)h + un.c + pair[0] + n;
    return r == 168 ? 0 : 1;
}
