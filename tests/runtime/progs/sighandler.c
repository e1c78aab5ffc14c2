/* sighandler.c - a traced SIGUSR1 handler runs in the middle of main's code
 * (raise), its lines are recorded nested where it ran. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t hits;

static int bump(int x) { return x + 1; }

static void on_usr1(int sig)
{
    (void)sig;
    hits = bump(hits);
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    for (int i = 0; i < 3; i++)
        raise(SIGUSR1);
    printf("handler ran %d times\n", (int)hits);
    return 0;
}
