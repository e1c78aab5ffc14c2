/* A program that blocks every signal, then crashes. The kernel runs no
 * handler for a fault it raises while the signal is blocked (it kills with
 * the default action), so the runtime keeps the fault signals unblocked
 * underneath while the program sees its own mask. Also: a SIGSEGV sent while
 * blocked stays pending (sigpending shows it) until unblocked, then reaches
 * the program's handler. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static sigjmp_buf env;
static int handled;

static void on_segv(int sig)
{
    handled = sig;
    siglongjmp(env, 1);
}

static int step(int x) { return x + 1; }

static int read_it(volatile int *p) { return *p; }

int main(void)
{
    signal(SIGSEGV, on_segv);
    sigset_t all, old, cur;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("blocked: SIGSEGV %d SIGBUS %d SIGUSR1 %d\n", sigismember(&cur, SIGSEGV),
           sigismember(&cur, SIGBUS), sigismember(&cur, SIGUSR1));
    raise(SIGSEGV);
    printf("sent SIGSEGV while blocked: handled %d\n", handled);
    sigset_t pend;
    sigpending(&pend);
    printf("pending: SIGSEGV %d SIGUSR1 %d\n", sigismember(&pend, SIGSEGV), sigismember(&pend, SIGUSR1));
    if (sigsetjmp(env, 1) == 0)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    printf("after unblocking: handled %d\n", handled);
    sigprocmask(SIG_BLOCK, &all, NULL);
    /* enough events for the runtime to flush its buffer while the program
     * blocks everything (its lock must restore the real mask, not the
     * program's view) */
    int s = 0;
    for (int i = 0; i < 20000; i++)
        s = step(s);
    printf("s %d\n", s);
    fflush(stdout);
    return read_it(NULL);
}
