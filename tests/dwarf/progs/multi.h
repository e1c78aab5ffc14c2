/*
 * tests/dwarf/progs/multi.h - shared by multi_a.c and multi_b.c: a struct
 * both CUs see with one layout (must be one type in the tables).
 */
struct same { int x, y; };
int b_func(struct same *s);
