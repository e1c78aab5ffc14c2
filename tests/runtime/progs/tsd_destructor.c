/* tests/runtime/progs/tsd_destructor.c - a pthread key destructor (traced
 * code that calls and prints) runs when the worker thread ends: its calls
 * and output belong to the worker's recording (the runtime's own key
 * destructor ended the thread first, and they were lost). */
#include <pthread.h>
#include <stdio.h>

static pthread_key_t key;

static int twice(int x)
{
    return 2 * x;
}

static void on_thread_end(void *p)
{
    int v = twice((int)(long)p);
    printf("destructor of %d\n", v / 2);
    fflush(stdout);
}

static void *worker(void *a)
{
    pthread_setspecific(key, a);
    return NULL;
}

int main(void)
{
    pthread_key_create(&key, on_thread_end);
    pthread_t t;
    pthread_create(&t, NULL, worker, (void *)42L);
    pthread_join(t, NULL);
    printf("joined\n");
    return 0;
}
