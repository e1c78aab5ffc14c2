/* samples/globals/main.c - differential-test sample (a folder: one program of several files):
 * globals and file statics in several files, static locals, static inline functions in a
 * header. */
#include <stdio.h>
#include "state.h"

int g_counter = 5;
static int file_local = 100;

int main(void)
{
    static int seen = 0;
    int c = clamp(g_counter * 3, 0, 10);
    seen++;
    int n = bump(c);
    n = bump(n);
    file_local -= n;
    int a = area(&g_config);
    printf("%s %d %d %d %d %d %d\n", g_name, c, n, a, file_local, calls(), seen);
    return 0;
}
