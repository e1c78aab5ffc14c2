/* plugin.c - a shared object built with rtcc -shared, loaded by dlopen.c;
 * its constructor runs inside dlopen (recorded too). */
#include <stdio.h>

static int plugin_ready;

static int plugin_setup(int level)
{
    int ready = level * 2;
    return ready;
}

__attribute__((constructor)) static void plugin_init(void)
{
    plugin_ready = plugin_setup(21);
    printf("plugin constructor: ready %d\n", plugin_ready);
}

int plugin_add(int a, int b)
{
    int sum = a + b;
    return sum;
}
