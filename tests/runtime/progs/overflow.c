/* overflow.c - unbounded recursion without any handler of the program: the
 * thread's stack overflows; the runtime's own alternate stack lets its
 * crash handler close the trace, then the process dies of SIGSEGV as
 * untraced. The program checks that it sees no alternate stack. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

static int down(int n)
{
    volatile char pad[64];
    pad[0] = (char)n;
    return down(n + 1) + pad[0];
}

static void *runner(void *arg)
{
    (void)arg;
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("alternate stack: %s\n", cur.ss_flags & SS_DISABLE ? "none" : "set");
    fflush(stdout);
    down(0);
    return NULL;
}

int main(void)
{
    pthread_attr_t attr;
    pthread_t th;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    pthread_create(&th, &attr, runner, NULL);
    pthread_join(th, NULL);
    return 0;
}
