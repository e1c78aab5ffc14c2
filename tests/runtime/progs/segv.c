/* segv.c - a NULL dereference two calls deep: dies of SIGSEGV (status 139,
 * core dump as untraced); the trace ends with an Error event naming it. */
#include <stdio.h>

static int *volatile nowhere;

static int read_it(int n)
{
    int y = n * 2;
    return *nowhere + y;
}

static int outer(int n)
{
    return read_it(n + 1);
}

int main(void)
{
    printf("before the crash\n");
    fflush(stdout);
    return outer(1);
}
