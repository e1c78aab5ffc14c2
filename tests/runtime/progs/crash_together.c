/* crash_together.c - the main thread and three others fault at the same
 * moment (after a barrier), each with events of its own not yet written. One
 * thread closes the trace; the others must wait for it before dying (they
 * used to die at once, and the kernel killed the process mid-close: a trace
 * cut inside an event, no Error event). */
#include <pthread.h>

static pthread_barrier_t together;

static int work(int x) { return x + 1; }

static int read_it(volatile int *p) { return *p; }

static void *fault(void *arg)
{
    int s = 0;
    for (int i = 0; i < 1000; i++)
        s = work(s);
    pthread_barrier_wait(&together);
    return (void *)(long)(read_it(arg) + s);
}

int main(void)
{
    pthread_t t[3];
    pthread_barrier_init(&together, NULL, 4);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, fault, NULL);
    fault(NULL);
    return 0;
}
