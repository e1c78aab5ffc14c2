/* samples/shadows.c - differential-test sample: shadowed names in nested blocks, a VLA, array
 * parameters, a heap-built list, a qsort callback, a while loop whose condition calls a
 * function, a loop body on the loop's line, a ternary recursion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cell {
    int v;
    struct cell *next;
};

static int cmp_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

static int next_val(int *state)
{
    *state = *state / 2;
    return *state;
}

static long fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }

static int trace_sum(int n, int m[][3])
{
    int s = 0;
    for (int i = 0; i < n; i++) s += m[i][i];
    return s;
}

int main(void)
{
    int x = 1;
    {
        int x = 2;
        {
            int x = 3;
            printf("inner %d\n", x);
        }
        x += 10;
        printf("mid %d\n", x);
    }
    int n = 4;
    int first = 0, last = 0;
    {
        /* a VLA cannot be initialised at its declaration: cleared on the same line, or the next
           stop shows its stack garbage (which differs between the traced and untraced runs).
           It lives in a block: gcc frees a VLA (restores %rsp) before the line after its
           scope; were that line still in its scope (a function's closing brace), the probe
           there would overwrite the dead VLA that gdb still shows. */
        int vla[n]; memset(vla, 0, sizeof vla);
        for (int i = 0; i < n; i++)
            vla[i] = (i * 7) % 5;
        qsort(vla, (size_t)n, sizeof vla[0], cmp_desc);
        first = vla[0];
        last = vla[n - 1];
    }
    int st = 40;
    int hops = 0;
    while (next_val(&st) > 3)
        hops++;
    struct cell *head = NULL;
    for (int i = 0; i < 2; i++) {
        struct cell *c = calloc(1, sizeof *c); /* malloc: heap garbage differs when traced */
        c->v = i * i;
        c->next = head;
        head = c;
    }
    int m[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    int tr = trace_sum(3, m);
    long f = fact(3);
    int total = 0;
    while (head) {
        struct cell *dead = head;
        total += head->v;
        head = head->next;
        free(dead);
    }
    printf("%d %d %d %d %d %ld %d\n", x, first, last, hops, tr, f, total);
    return 0;
}
