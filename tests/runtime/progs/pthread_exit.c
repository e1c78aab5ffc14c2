/* pthread_exit.c - a thread leaves with pthread_exit from three calls deep;
 * another is cancelled while sleeping; main joins both. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void deep(int n)
{
    if (n == 0)
        pthread_exit((void *)42L);
    deep(n - 1);
}

static void *leaver(void *arg)
{
    (void)arg;
    deep(3);
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        sleep(1);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    void *r;
    pthread_create(&a, NULL, leaver, NULL);
    pthread_join(a, &r);
    printf("leaver returned %ld\n", (long)r);
    pthread_create(&b, NULL, sleeper, NULL);
    pthread_cancel(b);
    pthread_join(b, &r);
    printf("sleeper cancelled: %s\n", r == PTHREAD_CANCELED ? "yes" : "no");
    return 0;
}
