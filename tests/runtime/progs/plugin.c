/* plugin.c - a shared object built with rtcc -shared, loaded by dlopen.c. */
int plugin_add(int a, int b)
{
    int sum = a + b;
    return sum;
}
