/* sigsegv_recover.c - the program's own SIGSEGV handler recovers with
 * siglongjmp, twice; sigaction's old action is the program's own handler. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf env;
static volatile int caught;

static void on_segv(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    caught++;
    siglongjmp(env, sig + (info->si_addr == NULL));
}

static int poke(int *p)
{
    return *p;
}

int main(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    for (int round = 0; round < 2; round++) {
        int r = sigsetjmp(env, 1);
        if (r == 0)
            poke(NULL);
        else
            printf("recovered from signal %d\n", r - 1);
    }
    sigaction(SIGSEGV, NULL, &old);
    printf("caught %d, old action is ours: %s\n", caught,
           old.sa_sigaction == on_segv ? "yes" : "no");
    return 0;
}
