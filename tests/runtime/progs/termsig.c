/* termsig.c - a signal whose default action ends the process, not one the
 * runtime used to manage (SIGPROF, SIGVTALRM, SIGIO, SIGPWR, SIGSTKFLT, the
 * real-time signals), sent by the program to itself in a nested call: the
 * trace is closed with the Error event naming it, the process dies of it.
 *   termsig NAME    NAME: PROF VTALRM IO PWR STKFLT RTMIN RTMIN+N RTMAX USR2 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int work(int x) { return x + 1; }

static int sig_of(const char *name)
{
    if (!strncmp(name, "RTMIN+", 6))
        return SIGRTMIN + atoi(name + 6);
    if (!strcmp(name, "RTMIN"))
        return SIGRTMIN;
    if (!strcmp(name, "RTMAX"))
        return SIGRTMAX;
    static const struct { const char *n; int s; } known[] = {
        { "PROF", SIGPROF }, { "VTALRM", SIGVTALRM }, { "IO", SIGIO }, { "PWR", SIGPWR },
        { "STKFLT", SIGSTKFLT }, { "USR2", SIGUSR2 },
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(name, known[i].n))
            return known[i].s;
    return 0;
}

static void terminate_me(int sig, int s)
{
    printf("sending %d after %d\n", sig, s);
    fflush(stdout);
    kill(getpid(), sig);
    printf("not reached\n");
}

int main(int argc, char **argv)
{
    int sig = argc > 1 ? sig_of(argv[1]) : 0;
    if (!sig)
        return 2;
    int s = 0;
    for (int i = 0; i < 100; i++)
        s = work(s);
    terminate_me(sig, s);
    return 0;
}
