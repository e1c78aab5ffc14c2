/* sigterm.c - SIGTERM with the default disposition arrives in a nested call
 * (sent by the program to itself): the trace is closed, the process dies
 * of SIGTERM (status 143). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void terminate_me(int n)
{
    printf("sending SIGTERM %d\n", n);
    fflush(stdout);
    kill(getpid(), SIGTERM);
    printf("not reached\n");
}

int main(void)
{
    terminate_me(1);
    return 0;
}
