/* sigaltstack.c - unbounded recursion in a thread with a small stack; the
 * program's SIGSEGV handler runs on its alternate stack and ends the
 * process with _exit(9). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_overflow(int sig)
{
    (void)sig;
    static const char msg[] = "stack overflow caught on the alternate stack\n";
    write(1, msg, sizeof msg - 1);
    _exit(9);
}

static int down(int n)
{
    volatile char pad[64];
    pad[0] = (char)n;
    return down(n + 1) + pad[0];
}

static void *runner(void *arg)
{
    (void)arg;
    stack_t ss;
    ss.ss_sp = malloc(1 << 16);
    ss.ss_size = 1 << 16;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_overflow;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
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
