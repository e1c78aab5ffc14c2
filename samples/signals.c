/* samples/signals.c - differential-test sample: a signal handler run by raise() and an atexit
 * handler run after main returns; both are the program's own code called from libc, which gdb
 * and the trace must both show. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile sig_atomic_t got = 0;

static void on_signal(int sig)
{
    got = sig;
}

static void at_exit(void)
{
    int twice = got * 2;
    printf("at exit: %d\n", twice);
}

int main(void)
{
    signal(SIGUSR1, on_signal);
    atexit(at_exit);
    raise(SIGUSR1);
    int seen = got;
    printf("handled signal %d\n", seen);
    return 0;
}
