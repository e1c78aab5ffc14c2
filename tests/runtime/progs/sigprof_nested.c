/* sigprof_nested.c - a traced SIGPROF handler interrupts a busy traced loop
 * hundreds of times, often while the runtime is inside a probe (its events
 * then go through the nested buffer). Every handler call must be in the
 * trace exactly once, and the trace must stay valid. Most of the time is
 * spent in probes of a one-line loop (which write no events), so that the
 * ticks land inside the runtime and the trace stays small. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile int ticks;

static int count_tick(int t) { return t + 1; }

static void on_prof(int sig)
{
    (void)sig;
    ticks = count_tick(ticks);
}

static long work(long x) { return (x * 7 + 3) % 1000003; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_prof;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPROF, &sa, NULL);
    struct itimerval it = { { 0, 500 }, { 0, 500 } };   /* every 0.5 ms of CPU */
    setitimer(ITIMER_PROF, &it, NULL);
    long v = 1;
    while (ticks < 40) {
        v = work(v);
        for (int k = 0; k < 2000; k++) v ^= k;   /* one line: probes, few events */
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_PROF, &off, NULL);
    int seen = ticks;
    printf("ticks %d\n", seen >= 40);
    FILE *f = fopen("ticks.txt", "w");   /* the exact count, for the test */
    if (f) {
        fprintf(f, "%d\n", seen);
        fclose(f);
    }
    return 0;
}
