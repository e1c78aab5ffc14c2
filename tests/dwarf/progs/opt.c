/*
 * tests/dwarf/progs/opt.c - built with -O1 for the location-list tests: the
 * parameters of work() live in registers and move, so both compilers
 * describe them with location lists (DWARF 5 .debug_loclists). At the
 * function's first instruction the SysV ABI fixes where they are: n in rdi
 * (DWARF register 5), m in rsi (DWARF register 4).
 */
__attribute__((noinline)) int work(int n, int m)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += i * m;
    return s;
}

int main(int argc, char **argv)
{
    (void)argv;
    return work(argc + 5, argc) & 1;
}
