/* The descriptors a program gets are the ones it would get untraced, even
 * under a descriptor limit lower than where the runtime keeps its files
 * (run with `ulimit -n 20`: the runtime's go just under the limit). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int next(int x) { return x + 1; }

int main(void)
{
    int a = open("/dev/null", O_RDONLY);
    int b = open("/dev/null", O_RDONLY);
    int c = dup(a);
    printf("fds %d %d %d, %d\n", a, b, c, next(1));
    return 0;
}
