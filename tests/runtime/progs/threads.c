/* threads.c - 4 threads with nested calls, joined by main. */
#include <pthread.h>
#include <stdio.h>

static int leaf(int x) { return x + 1; }
static int mid(int x) { return leaf(x) * 2; }

static void *worker(void *arg)
{
    long id = (long)arg;
    int acc = 0;
    for (int i = 0; i < 50; i++)
        acc += mid(i + (int)id);
    return (void *)(long)acc;
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
