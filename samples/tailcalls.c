/* samples/tailcalls.c - differential-test sample: one-line functions whose return statement
 * calls (gdb stops at the line again after the last call: the closing brace's row starts at the
 * return address), calls nested in arguments and split over lines, a struct passed by value
 * through recursion, an early return from a switch in a loop, a flexible array member, an
 * extern declaration inside a function, string functions on a local buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flex { int n; int data[]; };
struct rec { int depth; char tag[3]; };

int table[4] = {3, 1, 4, 1};

static int g(int v) { return v + 1; }
static int h(int v) { return v * 2; }
static int f(int a, int b) { return a - b; }

static int chain(int x) { return f(g(x), h(x)); }

static int walk(struct rec r)
{
    struct rec next = r;
    if (r.depth == 0)
        return 0;
    next.depth--;
    return 1 + walk(next);
}

static int scan(const int *v, int n)
{
    for (int i = 0; i < n; i++) {
        switch (v[i]) {
        case 4:
            return i;
        case 1:
            continue;
        default:
            break;
        }
        if (v[i] > 10)
            return -2;
    }
    return -1;
}

int main(void)
{
    extern int table[4];
    static char names[2][5] = {"ab", "cde"};
    char buf[16] = "";
    strcpy(buf, "hi");
    strcat(buf, names[1]);
    size_t len = strlen(buf);
    struct flex *fl = calloc(1, sizeof *fl + 3 * sizeof(int));
    fl->n = 3;
    fl->data[1] = 7;
    int c = chain(5);
    struct rec r = {3, "xy"};
    int w = walk(r);
    int s = scan(table, 4);
    int t = f(g(1),
              h(2));
    printf("%s %zu %d %d %d %d %d %d\n", buf, len, fl->data[1], c, w, s, t, table[2]);
    free(fl); fl = NULL; /* a dangling pointer shows malloc's bookkeeping, not the same when traced */
    return 0;
}
