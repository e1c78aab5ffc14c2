/* thread_small_exit.c - a thread with a 16 KiB stack (PTHREAD_STACK_MIN)
 * runs traced code with strings and structs, then calls exit(): the trace is
 * closed on that thread's stack. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point { int x, y; };

static int measure(const char *s, struct point p)
{
    int n = (int)strlen(s);
    return n + p.x * p.y;
}

static void *body(void *arg)
{
    (void)arg;
    struct point p = { 3, 4 };
    int total = 0;
    for (int i = 0; i < 10; i++)
        total += measure("a \"quoted\" string\n", p);
    printf("total %d\n", total);
    exit(0);
}

int main(void)
{
    pthread_attr_t attr;
    pthread_t th;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 16384);
    if (pthread_create(&th, &attr, body, NULL) != 0)
        return 2;
    pthread_join(th, NULL);
    return 1;
}
