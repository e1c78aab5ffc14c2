/* A thread (default attributes) that recurses 200,000 deep with small frames:
 * fits its 8 MiB stack untraced, not traced without the runtime's doubling of
 * default thread stacks (traced frames are bigger). The thread also inherits
 * its creator's view of a blocked SIGSEGV (the runtime never blocks it in the
 * kernel, see signals.c). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
static int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }
static void *run(void *a)
{
    (void)a;
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    printf("thread sees SIGSEGV blocked %d\n", sigismember(&cur, SIGSEGV));
    printf("thread depth %d\n", depth(200000));
    return NULL;
}
int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
    pthread_join(t, NULL);
    return 0;
}
