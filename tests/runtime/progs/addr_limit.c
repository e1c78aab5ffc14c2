/* tests/runtime/progs/addr_limit.c - run under a range of address-space
 * limits (ulimit -v): where the runtime cannot get the memory it needs, the
 * program runs as untraced and the runtime says why (run_progs.sh). */
#include <stdio.h>

static int work(int x)
{
    return x + 1;
}

int main(void)
{
    int s = 0;
    for (int i = 0; i < 2000; i++)
        s = work(s);
    printf("s=%d\n", s);
    return 0;
}
