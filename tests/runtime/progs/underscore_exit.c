/* underscore_exit.c - _exit(5) from a nested call: stdio buffers are NOT
 * flushed (as untraced), the trace is closed. */
#include <stdio.h>
#include <unistd.h>

static void quit_now(int code)
{
    printf("this stays in the buffer\n");
    write(1, "raw write\n", 10);
    _exit(code);
}

int main(void)
{
    quit_now(5);
    return 0;
}
