/* small_stack_exit.c - hello world, run with `ulimit -s 64` (its trace is
 * closed at exit, from glibc's _dl_fini, on what is left of 64 KiB). */
#include <stdio.h>

int main(void)
{
    printf("hello\n");
    return 0;
}
