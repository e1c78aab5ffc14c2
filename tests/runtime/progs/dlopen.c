/* dlopen.c - dlopen's an rtcc-built plugin (argv[1]) and calls into it:
 * the plugin's code is recorded too. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    int (*add)(int, int) = (int (*)(int, int))dlsym(h, "plugin_add");
    printf("plugin_add(2, 3) = %d\n", add ? add(2, 3) : -1);
    dlclose(h);
    return 0;
}
