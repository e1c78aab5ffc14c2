/* A program with a file size limit (as under `ulimit -f`): its own files stay
 * under it, but its trace would not. A trace write past the limit would raise
 * SIGXFSZ and kill the program (it used to: status 153); the runtime stops
 * recording instead and the program runs on. */
#include <stdio.h>
#include <sys/resource.h>

static int mix(int x) { return (x * 31) ^ 5; }

int main(void)
{
    struct rlimit r = { 64 << 10, 64 << 10 };
    setrlimit(RLIMIT_FSIZE, &r);
    FILE *f = fopen("own.txt", "w");
    long s = 0;
    for (int i = 0; i < 100000; i++)
        s += mix(i);
    fprintf(f, "sum %ld\n", s);
    fclose(f);
    printf("sum %ld\n", s);
    return 0;
}
