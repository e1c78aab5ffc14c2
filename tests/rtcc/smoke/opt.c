/* tests/rtcc/smoke/opt.c - says which optimisation level it was compiled at
 * and whether flags from the command line arrived. */
#include <stdio.h>
#include "config.h"
int main(void)
{
#ifdef __OPTIMIZE__
    puts("optimised");
#else
    puts("O0");
#endif
#ifdef BAR
    puts("BAR defined");
#endif
    printf("FOO=%d PRE=%d CONFIG=%d std=%ld\n", FOO, PRE, CONFIG, (long)__STDC_VERSION__);
    return 0;
}
