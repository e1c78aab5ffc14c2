/* abort_ignored.c - abort() while the program ignores SIGABRT: abort() kills
 * the process anyway (status 134); the trace must be closed with the Error
 * event. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void give_up(int why)
{
    fprintf(stderr, "giving up: %d\n", why);
    abort();
}

int main(void)
{
    signal(SIGABRT, SIG_IGN);
    puts("start");
    fflush(stdout);
    give_up(7);
    return 0;
}
