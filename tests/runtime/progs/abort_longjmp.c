/* abort_longjmp.c - a SIGABRT handler that leaves abort() with siglongjmp:
 * the program survives and goes on; recording must go on too (the trace is
 * not closed at the abort) and end normally. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static sigjmp_buf env;

static void on_abrt(int sig)
{
    siglongjmp(env, sig);
}

static int after(int x)
{
    int y = x + 1;
    return y;
}

int main(void)
{
    signal(SIGABRT, on_abrt);
    int got = sigsetjmp(env, 1);
    if (got == 0) {
        puts("aborting");
        fflush(stdout);
        abort();
    }
    printf("survived abort: signal %d, after %d\n", got, after(41));
    return 0;
}
