/*
 * tests/dwarf/progs/scopes.c - a program for the DWARF table tests: nested
 * blocks, shadowing, static locals, parameters, a VLA, and a report of where
 * each variable really lives, printed at run time as
 *     LOC <function> <name> fb <address - __builtin_frame_address(0)> <line>
 *     LOC <function> <name> abs <address> <line>        (statics, functions)
 *     LOC vla arr deref <arr - frame address> <line> <frame slots holding arr>
 *     VLA <n> <frame slots holding n - 1> | <frame slots holding n>
 * which the test compares with the rt_loc the tables give (rbp-relative;
 * link-time address + load bias). Lines marked L:<name> are found by the
 * tests by that marker, so the file can change freely.
 */
#include <stdio.h>

#define FB(fn, v) printf("LOC %s %s fb %ld %d\n", fn, #v, \
                         (long)((char *)&(v) - (char *)__builtin_frame_address(0)), __LINE__)
#define AB(fn, v) printf("LOC %s %s abs %lu %d\n", fn, #v, (unsigned long)(void *)&(v), __LINE__)

/* a fake .rtrace_probes section (3 records), to test that it is found */
__asm__(".pushsection .rtrace_probes,\"a\",@progbits\n"
        ".balign 4\n"
        ".globl rt_test_probes_start\n"
        "rt_test_probes_start:\n"
        ".long 0, 0, 1\n.long 0, 0, 2\n.long 0, 0, 1\n"
        ".popsection\n");
extern char rt_test_probes_start[];

int counter = 3;

static int add(int a, int b)                               /* L:add */
{
    int sum = a + b;
    FB("add", a); FB("add", b); FB("add", sum);
    return sum;
}

int nested(int x, double y)                                /* L:nested */
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
            long total2 = total;                           /* L:inner */
            int later = 1;
            FB("nested", i); FB("nested", x); FB("nested", total2); FB("nested", later);
            total += (int)total2 + later;
        }
    }
    int after = total + (int)y;                            /* L:after */
    FB("nested", after);
    return after;
}

int shadow(int p)                                          /* L:shadowfn */
{
    int v = p;
    FB("shadow", v);
    {
        int v = p * 2;                /* shadows the outer v */
        p += v;                                            /* L:shadowed */
        FB("shadow", v);
    }
    return p + v;
}

int vla(int n)                                             /* L:vla */
{
    int arr[n];
    for (int i = 0; i < n; i++) arr[i] = i;
    {
        /* the frame slots that hold arr's address (one of them is the
         * DWARF location's pointer slot) */
        char *fb = __builtin_frame_address(0);
        printf("LOC vla arr deref %ld %d", (long)((char *)arr - fb), __LINE__);
        for (long off = -8; off >= -256; off -= 8)
            if (*(char **)(fb + off) == (char *)arr) printf(" %ld", off);
        printf("\n");
        /* the frame slots that hold n - 1 (gcc keeps the upper bound) and n
         * (clang keeps the count) */
        printf("VLA %d", n);
        for (long off = -8; off >= -256; off -= 8)
            if (*(long *)(fb + off) == n - 1) printf(" %ld", off);
        printf(" |");
        for (long off = -8; off >= -256; off -= 8)
            if (*(long *)(fb + off) == n) printf(" %ld", off);
        printf("\n");
    }
    return arr[n - 1];
}

int main(void)                                             /* L:main */
{
    int r = add(2, 3);
    r += nested(r, 1.5);
    r += shadow(4);
    r += vla(13) + counter;
    FB("main", r);
    printf("LOC main main abs %lu %d\n", (unsigned long)(void *)main, __LINE__);
    printf("LOC main probes abs %lu %d\n", (unsigned long)(void *)rt_test_probes_start, __LINE__);
    printf("result %d\n", r);
    return 0;
}
