/* A program that closes stderr and opens its log file, which gets fd 2 (as
 * daemons do, and as any program started with `2>&-` does with its first
 * file). The runtime's own lines (the summary at exit, warnings) must not end
 * up in that file: log.txt must be the same as untraced. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int twice(int x) { return 2 * x; }

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "started-closed") != 0)
        close(2);
    int fd = open("log.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int s = 0;
    for (int i = 0; i < 10; i++)
        s += twice(i);
    dprintf(fd, "log on fd %d: %d\n", fd, s);
    printf("done %d\n", s);
    return 0;
}
