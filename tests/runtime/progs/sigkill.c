/* sigkill.c - killed by SIGKILL mid-run: nothing can close the trace; what
 * reached the file must be repairable (rtrace repair). */
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
    struct timespec ts = { 0, 250 * 1000 * 1000 };   /* past the 100 ms flush interval */
    nanosleep(&ts, NULL);
    sum += work(1);
    raise(SIGKILL);
    return 0;
}
