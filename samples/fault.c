/* samples/fault.c - differential-test sample: a fault in the program's own code (integer
 * division by zero, SIGFPE) whose handler recovers with siglongjmp. gdb stops at the faulting
 * line, then in the handler, then after sigsetjmp's second return; so must the trace. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static sigjmp_buf recover;

static void on_fpe(int sig)
{
    siglongjmp(recover, sig);
}

static int divide(int a, int b)
{
    return a / b;
}

int main(void)
{
    signal(SIGFPE, on_fpe);
    volatile int zero = 0;
    int got = sigsetjmp(recover, 1);
    if (got == 0) {
        int q = divide(10, zero);
        printf("not reached %d\n", q);
    }
    printf("recovered from signal %d\n", got);
    return 0;
}
