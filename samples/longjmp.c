/* samples/longjmp.c - differential-test sample: setjmp/longjmp out of a recursion (frames left
 * without a return: the recorder must resynchronise its frame stack), then normal calls. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;

static int descend(int n)
{
    if (n == 0)
        longjmp(env, 7);
    return descend(n - 1) + 1;
}

static int plus_one(int x)
{
    return x + 1;
}

int main(void)
{
    volatile int tries = 0;
    int r = setjmp(env);
    tries++;
    if (r == 0) {
        int depth = descend(2);
        printf("not reached %d\n", depth);
    }
    int after = plus_one(r);
    printf("r=%d tries=%d after=%d\n", r, tries, after);
    return 0;
}
