/* tests/runtime/progs/budget_exit_race.c - detached threads reach
 * RTRACE_MAX_EVENTS (and close the trace) at about the moment main returns:
 * the exit must wait for that close (run_progs.sh: it did not, and about one
 * run in ten ended with trace.json cut, without its closing ']' or summary). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_long iters;

static long step(long x)
{
    return x * 7 + 3;
}

static void *forever(void *a)
{
    long v = (long)a;
    for (;;) {
        v = step(v) % 1000003;
        atomic_fetch_add(&iters, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long target = argc > 1 ? atol(argv[1]) : 250;
    pthread_t t;
    for (long i = 0; i < 2; i++) {
        pthread_create(&t, NULL, forever, (void *)i);
        pthread_detach(t);
    }
    while (atomic_load(&iters) < target)
        ;
    return 0;
}
