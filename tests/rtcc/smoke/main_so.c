/* tests/rtcc/smoke/main_so.c - calls into the shared object lib.c. */
#include <stdio.h>
int lib_twice(int x);
int main(void)
{
    printf("twice=%d\n", lib_twice(21));
    return 0;
}
