/* abort.c - abort() from a nested call: SIGABRT, status 134. */
#include <stdio.h>
#include <stdlib.h>

static void give_up(int why)
{
    fprintf(stderr, "giving up: %d\n", why);
    abort();
}

int main(void)
{
    puts("start");
    fflush(stdout);
    give_up(42);
    return 0;
}
