/* Recursion 200,000 deep with small frames, within an 8 MiB stack limit:
 * ~6.4 MB untraced. Traced frames are bigger (-finstrument-functions), so the
 * runtime gives the main thread more room while the program still sees its
 * own limit (it used to die of SIGSEGV at ~175,000). */
#include <stdio.h>
#include <sys/resource.h>

static int depth(int n)
{
    return n == 0 ? 0 : 1 + depth(n - 1);
}

int main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 8 << 20;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
        rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_STACK, &rl);
    struct rlimit back;
    getrlimit(RLIMIT_STACK, &back);
    printf("stack limit %ld KiB\n", (long)(back.rlim_cur >> 10));
    printf("depth %d\n", depth(200000));
    return 0;
}
