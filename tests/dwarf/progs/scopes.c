/*
 * tests/dwarf/progs/scopes.c - a program for the DWARF table tests: nested
 * blocks, shadowing, static locals, parameters, a VLA, and a report of where
 * each variable really lives, printed at run time as
 *     LOC <function> <name> fb <address - __builtin_frame_address(0)>
 *     LOC <function> <name> abs <address>   (statics)
 * which the test compares with the rt_loc the tables give (rbp-relative).
 * Line numbers matter: the tests refer to the lines marked L<n>.
 */
#include <stdio.h>

#define FB(fn, v) printf("LOC %s %s fb %ld\n", fn, #v, (long)((char *)&(v) - (char *)__builtin_frame_address(0)))
#define AB(fn, v) printf("LOC %s %s abs %lu\n", fn, #v, (unsigned long)(void *)&(v))

int counter = 3;

static int add(int a, int b)
{
    int sum = a + b;
    FB("add", a); FB("add", b); FB("add", sum);
    return sum;
}

int nested(int x, double y)
{
    static int calls = 0;
    int total = x;
    calls++;
    AB("nested", calls);
    FB("nested", x); FB("nested", y); FB("nested", total);
    for (int i = 0; i < 2; i++) {
        int x = i * 10;               /* shadows the parameter */
        total += x;
        {
            long total2 = total;      /* L38: the innermost block */
            int later = 1;
            FB("nested", i); FB("nested", x); FB("nested", total2); FB("nested", later);
            total += (int)total2 + later;
        }
    }
    int after = total + (int)y;
    FB("nested", after);
    return after;
}

int vla(int n)
{
    int arr[n];
    for (int i = 0; i < n; i++) arr[i] = i;
    printf("LOC vla arr deref %ld\n", (long)((char *)arr - (char *)__builtin_frame_address(0)));
    return arr[n - 1];
}

int main(void)
{
    int r = add(2, 3);
    r += nested(r, 1.5);
    r += vla(4) + counter;
    FB("main", r);
    printf("result %d\n", r);
    return 0;
}
