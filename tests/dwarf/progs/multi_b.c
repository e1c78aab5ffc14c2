/*
 * tests/dwarf/progs/multi_b.c - second CU of the cross-CU type test (see
 * multi_a.c): its `struct node` differs from multi_a.c's.
 */
#include "multi.h"

typedef double my_t;

struct node {
    double weight;
    struct node *left, *right;
};

int b_func(struct same *s)
{
    struct node n = { 1.0, 0, 0 };
    my_t w = n.weight;
    return s->y + (int)w;
}
