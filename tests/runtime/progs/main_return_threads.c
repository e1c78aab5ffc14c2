/* tests/runtime/progs/main_return_threads.c - main returns while a detached
 * thread is inside calls: the process ends it there, as exit() would, and
 * the trace says so with an exit Event (it had none: valid only with
 * --crashed, while the same program calling exit(0) validated). */
#include <pthread.h>
#include <stdatomic.h>

static atomic_int running;

static long work(long x)
{
    atomic_store(&running, 1);
    for (;;)
        x = x * 7 % 1000003;
    return x;
}

static void *forever(void *a)
{
    return (void *)work((long)a);
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, forever, (void *)1L);
    pthread_detach(t);
    while (!atomic_load(&running))
        ;
    return 0;
}
