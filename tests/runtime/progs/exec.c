/* exec.c - prints, then execs the program given as argv[1] (another rtcc
 * program, which records its own trace) with argument "from-exec". */
#include <stdio.h>
#include <unistd.h>

static int prepare(int x) { return x * 7; }

int main(int argc, char **argv)
{
    printf("before exec %d\n", prepare(6));
    fflush(stdout);
    if (argc < 2)
        return 2;
    execl(argv[1], argv[1], "from-exec", (char *)NULL);
    perror("execl");
    return 1;
}
