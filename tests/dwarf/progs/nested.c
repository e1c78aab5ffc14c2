/*
 * tests/dwarf/progs/nested.c - a gcc nested function (a GNU C extension:
 * gcc only): its DW_TAG_subprogram sits inside its parent's, and it must be
 * a function of the tables with its own parameters and locals.
 */
int outer(int base)
{
    int scale = 3;
    int inner(int v)                                       /* L:inner */
    {
        int r = v * scale + base;
        return r;
    }
    return inner(1) + inner(2);
}

int main(void)
{
    return outer(4) & 1;
}
