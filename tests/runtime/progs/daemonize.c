/* daemon(3): glibc's forks and ends the parent with its internal _exit,
 * which left the parent's trace unclosed (invalid). The child goes on in
 * its own session and records its own trace (<dir>.<pid>). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int seven(int x) { return 7 * x; }

int main(void)
{
    printf("before daemon\n");
    fflush(stdout);
    if (daemon(1, 0) != 0)
        return 1;
    FILE *f = fopen("daemon.tmp", "w");
    fprintf(f, "daemon %d, stdout is /dev/null: %d\n", seven(6), isatty(1) == 0);
    fclose(f);
    rename("daemon.tmp", "daemon.txt");
    return 0;
}
