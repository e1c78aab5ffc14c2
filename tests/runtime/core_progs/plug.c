/* tests/runtime/core_progs/plug.c - a plugin built with rtcc -shared and dlopen'ed by
 * host.c: its types are also defined by the host (ids shared by name). */
struct pair { int a; double b; };
int plug_add(int x, int y)
{
    int z = x + y;
    return z;
}
struct pair plug_pair(int x)
{
    struct pair p = { x, x / 2.0 };
    return p;
}
