/* tests/rtcc/smoke/lib.c - a shared object built with rtcc -shared -fPIC. */
int lib_twice(int x)
{
    int y = x * 2;
    return y;
}
