/*
 * tests/dwarf/progs/shlib.c - built as a shared object (-shared -fPIC) for
 * the test that loads a library's tables: a function with a static local
 * (its link-time address is relative to the library's load address).
 */
int shlib_count(int step)
{
    static int total = 0;
    int before = total;
    total += step;
    return before;
}
