/* assert.c - a failed assert: glibc prints its message and aborts. */
#include <assert.h>
#include <stdio.h>

static int check(int x)
{
    assert(x == 2);
    return x;
}

int main(void)
{
    printf("checking\n");
    fflush(stdout);
    return check(3);
}
