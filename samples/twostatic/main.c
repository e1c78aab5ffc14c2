/* samples/twostatic/main.c - differential-test sample: a program of three files sharing a
 * header (a struct, macros); two files each define a static function `check`. The ring
 * wraps around: head and tail pass the end of the array. */
#include <stdio.h>

#include "ring.h"

int main(void)
{
    static struct ring r;
    const short levels[] = {40, 120, -3, 75, 10, 66, 90, 5};
    int n = (int)(sizeof levels / sizeof levels[0]);
    int dropped = 0;
    struct sample got = {0, 0};
    for (int i = 0; i < n; i++) {
        struct sample s = {i + 1, levels[i]};
        if (!ring_push(&r, s))
            dropped++;
        if (i % 3 == 2 && ring_pop(&r, &got))
            printf("popped id=%d level=%d\n", got.id, got.level);
    }
    int max = 0;
    long sum = stats_summary(&r, &max);
    printf("count=%u head=%u tail=%u dropped=%d sum=%ld max=%d\n", r.count, r.head, r.tail,
           dropped, sum, max);
    while (ring_pop(&r, &got))
        printf("drain id=%d\n", got.id);
    return 0;
}
