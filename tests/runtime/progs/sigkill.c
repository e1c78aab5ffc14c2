/* sigkill.c - killed by SIGKILL mid-run: nothing can close the trace. The
 * runtime flushes a thread's events before it blocks (here nanosleep), so
 * everything up to the sleep is on disk; `rtrace repair` closes the file. */
#include <signal.h>
#include <stdio.h>
#include <time.h>

static long work(long i) { return i * 3 + 1; }

int main(void)
{
    long sum = 0;
    for (long i = 0; i < 3000; i++)
        sum += work(i);
    printf("sum %ld\n", sum);
    fflush(stdout);
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    raise(SIGKILL);
    return 0;
}
