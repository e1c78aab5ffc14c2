/* samples/exprs.c - differential-test sample: calls inside conditional and comma operators,
 * a struct returned and used in the same expression (mk(4).x), a switch returning from each
 * case, recursion through a function pointer held in a static, while (i--), do/while over
 * lines, a for loop whose condition calls a function and whose body shares its line. */
#include <stdio.h>

struct pt { int x, y; };

static int total = 0;
static void note(int v) { total += v; }
static void say(int v) { printf("v=%d\n", v); }
static struct pt mk(int x) { struct pt p = {x, -x}; return p; }
static int pick(int k)
{
    switch (k) {
    case 0: return 10;
    case 1: return 20;
    default: return k > 5 ? mk(k).x : mk(-k).y;
    }
}
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int (*fp)(int) = fib;

int main(void)
{
    int i = 3;
    while (i--)
        note(i);
    int j = 0;
    do {
        j += 2;
    } while (j < 5);
    int a = mk(4).x + mk(5).y;
    int b = pick(0) + pick(1) + pick(7) + pick(3);
    int c = fp(5);
    int d = i > 0 ? pick(1) : (note(1), 7);
    say(a);
    for (int k = 0; k < pick(0) / 5; k++) note(k);
    printf("%d %d %d %d %d %d\n", a, b, c, d, j, total);
    return 0;
}
