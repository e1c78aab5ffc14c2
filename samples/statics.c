/* samples/statics.c - differential-test sample: static locals (kept across calls, shown at
 * every stop of their function), file-scope statics and globals changed by functions. */
#include <stdio.h>

int counter = 0;
static int limit = 3;

static int next_id(void)
{
    static int id = 100;
    id++;
    counter++;
    return id;
}

static int remember(int v)
{
    static int last = -1;
    int prev = last;
    last = v;
    return prev;
}

int main(void)
{
    int a = next_id();
    int b = next_id();
    int p1 = remember(a);
    int p2 = remember(b);
    while (counter < limit)
        next_id();
    printf("a=%d b=%d p1=%d p2=%d counter=%d\n", a, b, p1, p2, counter);
    return 0;
}
