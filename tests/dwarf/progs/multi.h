/*
 * tests/dwarf/progs/multi.h - shared by multi_a.c and multi_b.c: a struct
 * both CUs see with one layout (must be one type in the tables), and a
 * function defined in the header: as the first code of multi_a.c's line
 * program, its rows rely on the line program's initial file register (1).
 */
struct same { int x, y; };
int b_func(struct same *s);

static inline int twice(int v)
{
    return v * 2;
}
