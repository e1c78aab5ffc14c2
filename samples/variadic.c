/* samples/variadic.c - differential-test sample: variadic functions, compound literals,
 * designated initialisers, string literals with escapes, 2-D char arrays, nested ternaries
 * and comma operators. */
#include <stdarg.h>
#include <stdio.h>

struct opts {
    int level;
    const char *name;
    double ratio;
    int tags[4];
};

static int sum_ints(int count, ...)
{
    /* a va_list cannot be initialised at its declaration: declared on va_start's line so that
       no stop shows it before va_start (its garbage differs between traced and untraced runs) */
    va_list ap; va_start(ap, count);
    int total = 0;
    for (int i = 0; i < count; i++)
        total += va_arg(ap, int);
    va_end(ap);
    return total;
}

static int level_of(const struct opts *o)
{
    return o->level > 5 ? (o->level > 8 ? 3 : 2) : o->level < 0 ? -1 : 1;
}

int main(void)
{
    struct opts o = {.name = "tab\there \"q\"\\", .tags = {[2] = 7, [0] = 1}, .level = 6};
    int s = sum_ints(4, 1, 2, 3, 4);
    int lv = level_of(&o);
    int lv2 = level_of(&(struct opts){.level = -3});
    int *arr = (int[]){5, 6, 7};
    char words[3][6] = {"one", "two\n", "three"};
    const char *esc = "\a\x01\177end";
    int k = (s++, s += 2, s * 2);
    printf("%d %d %d %d %d %s %s %zu %g\n", s, lv, lv2, arr[1], k, words[2], o.name,
           sizeof esc, o.ratio);
    return 0;
}
