/* exit_threads.c - main calls exit() while 4 threads are busy in traced
 * code (and printing): the trace is closed with what every thread
 * committed; the process exits 0 as untraced. Output of the workers goes to
 * /dev/null (its amount depends on timing). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static FILE *sink;
static atomic_int started;   /* so that all 4 are running at the exit, even on a loaded machine */

static long spin(long x) { return x * 31 + 7; }

static void *busy(void *arg)
{
    long v = (long)arg;
    atomic_fetch_add(&started, 1);
    for (;;) {
        v = spin(v);
        fprintf(sink, "%ld\n", v);
    }
    return NULL;
}

int main(void)
{
    sink = fopen("/dev/null", "w");
    pthread_t th[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, busy, (void *)i);
    while (atomic_load(&started) < 4)
        sched_yield();
    struct timespec ts = { 0, 30 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    printf("main exits\n");
    exit(0);
}
