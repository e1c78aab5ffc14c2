/*
 * threads_heavy.c - 4 threads recording ~1M line stops at once (binary:
 * ~60 full frames): the sink's frames fill faster than one core compresses
 * them, so the writer's help, the ring and the per-thread flushes all run
 * with several writers taking turns under the runtime's lock.
 */
#include <pthread.h>
#include <stdio.h>

/* ints only, so that its line stops take the probes' fast path */
static int work(int id)
{
    int a = 1, b = 2, c = id;
    for (int i = 0; i < 60000; i++) {
        a = (a + b) & 0xffff;
        b = b ^ c;
        c = c + (a & 7);
    }
    return a ^ b ^ c;
}

static void *worker(void *arg)
{
    return (void *)(long)work((int)(long)arg);
}

int main(void)
{
    pthread_t th[4];
    long total = 0;
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    printf("total %ld\n", total);
    return 0;
}
