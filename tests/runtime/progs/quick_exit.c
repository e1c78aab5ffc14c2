/* quick_exit.c - quick_exit(7) with an at_quick_exit handler (traced). */
#include <stdio.h>
#include <stdlib.h>

static int twice(int x) { return 2 * x; }

static void on_quick_exit(void)
{
    int v = twice(21);
    fprintf(stderr, "quick exit handler: %d\n", v);
}

int main(void)
{
    at_quick_exit(on_quick_exit);
    fprintf(stderr, "main\n");
    quick_exit(7);
}
