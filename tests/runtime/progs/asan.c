/* tests/runtime/progs/asan.c - built with -fsanitize=address (run_progs.sh):
 * under ASan the runtime's own buffers must not be reported as the program's
 * leaks (LeakSanitizer then exits 1 before stdio is flushed), and the sink's
 * write(2), which reaches the runtime through ASan's interceptor, must not be
 * mistaken for the program's (its fd is hidden from the program). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct pair { int a; double b; };

static int square(int x)
{
    return x * x;
}

static double use(struct pair p, const char *s)
{
    return p.a + p.b + (double)strlen(s);
}

static void *worker(void *arg)
{
    int *n = arg;
    for (int i = 0; i < 100; i++)
        *n += square(i);
    return NULL;
}

int main(void)
{
    int t = 0, w = 0;
    for (int i = 0; i < 10; i++)
        t += square(i);
    pthread_t th;
    pthread_create(&th, NULL, worker, &w);
    pthread_join(th, NULL);
    struct pair p = { t, 0.5 };
    printf("t=%d w=%d use=%g\n", t, w, use(p, "hello"));   /* buffered: lost if LSan exits */
    return t % 7;
}
