/* tests/runtime/core_progs/host.c - dlopens libplug.so and calls it through function
 * pointers (a struct returned in registers from the plugin). */
#include <dlfcn.h>
#include <stdio.h>
struct pair { int a; double b; };
int main(void)
{
    void *h = dlopen("./libplug.so", RTLD_NOW);
    if (!h) { printf("dlopen failed\n"); return 1; }
    int (*add)(int, int) = (int (*)(int, int))dlsym(h, "plug_add");
    struct pair (*pp)(int) = (struct pair (*)(int))dlsym(h, "plug_pair");
    int r = add(2, 3);
    struct pair q = pp(7);
    printf("%d %d %g\n", r, q.a, q.b);
    return 0;
}
