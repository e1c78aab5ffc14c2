/* exit_nested.c - exit(3) three calls deep, with buffered stdout pending:
 * the output is flushed by exit as usual and the trace is closed. */
#include <stdio.h>
#include <stdlib.h>

static void leave(int code)
{
    printf("leaving with %d\n", code);
    exit(code);
}

static void middle(int code) { leave(code + 1); }
static void top(int code) { middle(code + 1); }

int main(void)
{
    printf("start\n");
    top(1);
    return 0;
}
