/* samples/scopes.c - differential-test sample: nested blocks that shadow a name (the innermost
 * declaration is the one shown), goto, a variadic function (va_list), the comma operator and a
 * variable-length array. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int sum_ints(int count, ...)
{
    int total = 0;
    va_list ap; va_start(ap, count);   /* one line: a va_list has no initialiser */
    for (int i = 0; i < count; i++)
        total += va_arg(ap, int);
    va_end(ap);
    return total;
}

/* The VLA lives in an inner block: at the function's last line gcc has already released it
 * below the stack pointer, where gdb still shows it but a probe's own call overwrites it. */
static int fill(int n)
{
    int last = 0;
    {
        int vla[n]; memset(vla, 0, sizeof vla);   /* one line: a VLA has no initialiser */
        for (int i = 0; i < n; i++)
            vla[i] = i * i;
        last = vla[n - 1];
    }
    return last;
}

int main(void)
{
    int x = 1;
    int seen = 0;
    {
        int x = 2;
        {
            int x = 3;
            seen += x;
        }
        seen += x * 10;
    }
    seen += x * 100;
    int tries = 0;
retry:
    tries++;
    if (tries < 3)
        goto retry;
    int a = 0, b = 0;
    a = (b = 5, b + 1);
    int s = sum_ints(3, 10, 20, 30);
    int last = fill(4);
    printf("seen=%d tries=%d a=%d s=%d last=%d\n", seen, tries, a, s, last);
    return 0;
}
